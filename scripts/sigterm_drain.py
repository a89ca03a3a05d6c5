"""Graceful shutdown of a real `nmt serve`: SIGTERM while requests are in flight.

    python scripts/sigterm_drain.py [--requests 16] [--model DIR]

1. Drain: requests are queued (the batcher holds them for max_wait_ms), then SIGTERM. Every one of them must be
   answered 200, new connections refused, and the process must exit 0.
2. Bound: a client that sends half a request and stalls holds the drain open for at most request_timeout_s;
   then the server exits 0 anyway.
Prints what happened; exits 1 if any of that failed.
"""
from __future__ import annotations

import argparse
import socket
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice, permutations

import httpx

from nmt.scripts.harness import Server, add_model_args, model_of

HOLD_MS = 1500  # how long the batcher waits for a batch to fill: requests stay in flight that long
BOUND_S = 3  # request_timeout_s of the bound check: the longest a drain may last


@dataclass
class Drain:
    statuses: Counter  # answers to the requests in flight at SIGTERM
    refused_after_s: float | None  # when a new connection was first refused, after SIGTERM
    exit_code: int | None
    exit_after_s: float


def queued(server: Server) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith("nmt_queue_sentences "):
            return float(line.split()[1])
    return 0.0


def drain(server: Server, n_requests: int) -> Drain:
    """Queue n_requests one-sentence requests, SIGTERM, and see what becomes of them and of the server. The sentences
    differ: a request for one already queued would wait for its search, not queue its own (app/scheduler.py)."""
    texts = (" ".join(words) for words in permutations(["alpha", "beta", "gamma", "delta", "mu"]))
    with ThreadPoolExecutor(n_requests) as pool:
        answers = [pool.submit(httpx.post, f"{server.url}/v1/translate", json={"text": text}, timeout=60)
                   for text in islice(texts, n_requests)]
        deadline = time.monotonic() + 60
        while queued(server) < n_requests:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {n_requests} requests never were all in the queue together")
            time.sleep(0.02)
        start = time.monotonic()
        server.proc.terminate()
        refused_after = first_refusal(server, start)
        exit_code = server.wait(timeout=60)
        exit_after = time.monotonic() - start
        statuses = Counter(outcome(answer) for answer in answers)
    return Drain(statuses, refused_after, exit_code, exit_after)


def outcome(answer) -> int | str:
    try:
        response = answer.result()
    except httpx.HTTPError as e:
        return type(e).__name__
    if response.status_code == 200 and not response.json()["translations"][0]["text"]:
        return "200 but empty"
    return response.status_code


def first_refusal(server: Server, start: float) -> float | None:
    """Seconds after start when a new connection was refused (None: the process exited first)."""
    while server.proc.poll() is None:
        try:
            httpx.get(f"{server.url}/health", timeout=1)
        except httpx.ConnectError:
            return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    return None


def bounded_drain(server: Server) -> tuple[int | None, float]:
    """A stalled half-sent request, then SIGTERM: (exit code, seconds until the process exited)."""
    with socket.create_connection(("127.0.0.1", server.port)) as stalled:
        stalled.sendall(b"POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100\r\n\r\n{\"text\": ")
        time.sleep(0.3)
        start = time.monotonic()
        exit_code = server.terminate(timeout=BOUND_S + 30)
        return exit_code, time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=16, help="requests in flight at SIGTERM (default: 16)")
    add_model_args(parser)
    args = parser.parse_args()
    model = model_of(args)
    with Server(model, args.work / "drain-server.log", NMT_MAX_WAIT_MS=str(HOLD_MS)) as server:
        result = drain(server, args.requests)
    print(f"in flight at SIGTERM: {args.requests}; answered: {dict(result.statuses)}")
    print(f"new connections refused {result.refused_after_s:.2f} s after SIGTERM" if result.refused_after_s
          is not None else "new connections: the server exited before one was refused")
    print(f"exit code {result.exit_code}, {result.exit_after_s:.2f} s after SIGTERM")
    with Server(model, args.work / "bound-server.log", NMT_REQUEST_TIMEOUT_S=str(BOUND_S)) as server:
        bound_code, bound_s = bounded_drain(server)
    print(f"with a stalled client: exit code {bound_code}, {bound_s:.2f} s after SIGTERM "
          f"(bound: request_timeout_s = {BOUND_S} s)")
    ok = (result.statuses == Counter({200: args.requests}) and result.exit_code == 0 == bound_code
          and bound_s < BOUND_S + 5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
