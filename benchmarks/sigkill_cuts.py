"""Responses cut by a SIGKILL: uvicorn's own HTTP protocol against `nmt serve`'s (app/protocol.py).

    python benchmarks/sigkill_cuts.py [--model DIR] [--requests 100] [--kills 40] [--clients 8]

For each protocol, a replica (`uvicorn --factory nmt.app.main:app_from_env --http P`, one torch thread, greedy):
1. writes: --requests requests one after another, the replica's socket writes traced by strace (Linux; skipped
   where strace is missing): how many writes begin with a status line, how many with a JSON body;
2. kills: --kills times, --clients clients send requests straight to a fresh replica for 1 s, then it is
   SIGKILLed. Each failed request is counted as "cut after its headers" (the client had the status line: a
   balancer can no longer retry it) or "no answer" (nothing came: a balancer retries it on another replica).
Default model: a toy model, trained once (`scripts/harness.py`), whose answers are fastest: most kills per write.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from common import TEST_SPLIT, Server, print_table

from nmt.scripts.harness import toy_model

PROTOCOLS = {"uvicorn (httptools)": "httptools", "nmt serve": "nmt.app.protocol:OneWritePerResponse"}


def replica(model: Path, http: str) -> Server:
    """The service under uvicorn's command line with the HTTP protocol http, ready."""
    uvicorn = lambda port: [sys.executable, "-m", "uvicorn", "--factory", "nmt.app.main:app_from_env", "--port",
                            str(port), "--http", http, "--no-access-log", "--log-level", "warning"]
    server = Server(None, command=uvicorn, NMT_MODEL=str(model), NMT_TORCH_THREADS="1")
    server.wait_ready()
    return server


def writes(model: Path, http: str, requests: int, texts: list[str]) -> Counter:
    server, log = replica(model, http), Path(tempfile.mkdtemp()) / "strace.txt"
    trace = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=write,writev,sendto,sendmsg", "-s", "2",
                              "-p", str(server.proc.pid), "-o", str(log)])
    time.sleep(1)  # strace attached
    try:
        with httpx.Client(timeout=30) as client:
            for i in range(requests):
                client.post(f"{server.url}/v1/translate", json={"text": texts[i % len(texts)]}).raise_for_status()
    finally:
        time.sleep(0.2)
        trace.terminate()
        trace.wait()
        server.kill()
    lines = log.read_text().splitlines()
    return Counter({"writes with a status line": sum('"HT"...' in line for line in lines),
                    "writes with a JSON body": sum('"{\\""...' in line for line in lines)})


async def load_then_kill(server: Server, clients: int, texts: list[str]) -> Counter:
    tally, stop = Counter(), asyncio.Event()

    async def client(seed: int) -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            for i in range(seed, 10**9, clients):
                if stop.is_set():
                    return
                headers = False
                try:
                    async with http.stream("POST", f"{server.url}/v1/translate",
                                           json={"text": texts[i % len(texts)]}) as answer:
                        headers = True
                        await answer.aread()
                    tally["answered" if answer.status_code == 200 else f"HTTP {answer.status_code}"] += 1
                except httpx.HTTPError:
                    tally["cut after its headers" if headers else "no answer"] += 1
                    return  # the replica is gone

    tasks = [asyncio.create_task(client(seed)) for seed in range(clients)]
    await asyncio.sleep(1.0)
    server.kill()
    stop.set()
    await asyncio.gather(*tasks)
    return tally


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="model bundle (default: a toy model, trained once)")
    p.add_argument("--requests", type=int, default=100, help="requests traced per protocol (0: no tracing)")
    p.add_argument("--kills", type=int, default=40, help="replicas SIGKILLed under load per protocol")
    p.add_argument("--clients", type=int, default=8)
    args = p.parse_args()
    model = args.model or toy_model()
    texts = [line.split("\t", 1)[0] for line in TEST_SPLIT.read_text(encoding="utf-8").splitlines()[:500]]
    traced = args.requests > 0 and shutil.which("strace") is not None
    if args.requests > 0 and not traced:
        print("strace is not installed (Debian: apt-get install strace): writes not counted")
    columns = (["writes with a status line", "writes with a JSON body"] if traced else []) + [
        "answered", "no answer", "cut after its headers"]
    rows = []
    for name, http in PROTOCOLS.items():
        row: Counter = Counter()
        if traced:
            row.update(writes(model, http, args.requests, texts))
        for _ in range(args.kills):
            row.update(asyncio.run(load_then_kill(replica(model, http), args.clients, texts)))
        rows.append({"protocol": name} | {column: row[column] for column in columns})
        print(f"{name}: done", flush=True)
    print(f"{args.requests} requests traced, {args.kills} SIGKILLs under load of {args.clients} clients, per protocol")
    print_table(rows, ["protocol", *columns])
    return 0


if __name__ == "__main__":
    sys.exit(main())
