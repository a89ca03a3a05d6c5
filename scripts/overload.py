"""Overload a real `nmt serve` and watch it recover.

    python scripts/overload.py [--seconds 10] [--queue 32] [--model DIR]

Three phases of --seconds each: a load the model can just keep up with (before), far more requests than the
queue holds (during), the first load again (after). Prints for each phase the rate of 200 and 503 answers and
their latencies. Beyond the queue bound the answers must be 503 with Retry-After, quickly (median < 0.1 s), and
after the overload the rate of 200s must be back to at least 90% of the rate before; exits 1 otherwise.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

from nmt.scripts.harness import Server, add_model_args, model_of

BODY = {"text": "alpha beta gamma. tau mu sigma. pi rho delta."}  # three sentences per request
STEADY_CLIENTS = 6  # enough to keep the model busy, not enough to fill the queue
FLOOD_CLIENTS = 32  # 96 sentences wanted at once: three times the default queue (more would load the client
                    # process more than the server: 2 cores)


@dataclass
class Load:
    """What the clients of one phase got back."""

    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    no_retry_after: int = 0  # 503 answers without a Retry-After header
    server_cpu: float = 0.0  # CPU time of the server, and of this process (the clients), per second
    client_cpu: float = 0.0

    def rate(self, status: int | str) -> float:
        return self.statuses[status] / self.seconds

    def latency(self, status: int | str, quantile: float) -> float:
        times = sorted(self.latencies[status])
        return times[min(len(times) - 1, int(quantile * len(times)))] if times else float("nan")

    def failed(self) -> int:
        """Answers other than 200 and 503, transport errors included."""
        return sum(n for status, n in self.statuses.items() if status not in (200, 503))

    def summary(self) -> str:
        parts = [f"{self.rate(s):6.1f}/s {s} (p50 {self.latency(s, 0.5):.3f} s, p99 {self.latency(s, 0.99):.3f} s)"
                 for s in sorted(self.statuses, key=str)]
        return "; ".join(parts) + f" [CPU: server {self.server_cpu:.0%}, clients {self.client_cpu:.0%}]"


async def _client(http: httpx.AsyncClient, deadline: float, load: Load) -> None:
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            response = await http.post("/v1/translate", json=BODY)
            status: int | str = response.status_code
            if status == 503 and "retry-after" not in response.headers:
                load.no_retry_after += 1
        except httpx.HTTPError as e:
            status = type(e).__name__
        load.statuses[status] += 1
        load.latencies[status].append(time.monotonic() - start)
        if status == 503:
            await asyncio.sleep(0.01)  # a client that retries at once; real ones would wait Retry-After


async def _hammer(url: str, clients: int, seconds: float) -> Load:
    load, start = Load(), time.monotonic()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        await asyncio.gather(*(_client(http, start + seconds, load) for _ in range(clients)))
    load.seconds = time.monotonic() - start
    return load


def hammer(server: Server, clients: int, seconds: float) -> Load:
    """`clients` concurrent clients, each sending BODY again as soon as it has an answer, for `seconds`."""
    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
    load = asyncio.run(_hammer(server.url, clients, seconds))
    load.server_cpu = (server.cpu_seconds() - server_cpu) / load.seconds
    load.client_cpu = (time.process_time() - client_cpu) / load.seconds
    return load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase (default: 10)")
    parser.add_argument("--queue", type=int, default=32, help="NMT_QUEUE_SIZE, in sentences (default: 32)")
    add_model_args(parser)
    args = parser.parse_args()
    with Server(model_of(args), args.work / "overload-server.log", NMT_QUEUE_SIZE=str(args.queue),
                NMT_MAX_WAIT_MS="5") as server:
        phases = {"before": hammer(server, STEADY_CLIENTS, args.seconds),
                  "during": hammer(server, FLOOD_CLIENTS, args.seconds),
                  "after": hammer(server, STEADY_CLIENTS, args.seconds)}
    for name, load in phases.items():
        print(f"{name:>6} ({STEADY_CLIENTS if name != 'during' else FLOOD_CLIENTS} clients): {load.summary()}")
    during, recovered = phases["during"], phases["after"].rate(200) / phases["before"].rate(200)
    print(f"during: {during.no_retry_after} answers 503 without Retry-After; failed (not 200/503): "
          f"{sum(load.failed() for load in phases.values())}")
    print(f"after/before rate of 200s: {recovered:.0%}")
    ok = (during.statuses[503] > 0 and during.no_retry_after == 0 and during.latency(503, 0.5) < 0.1
          and recovered >= 0.9 and all(load.failed() == 0 for load in phases.values()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
