"""The scale-out proof: 3 `nmt serve` replicas behind HAProxy (deploy/haproxy.cfg), load through the balancer, one
replica SIGKILLed in the middle and restarted; not one request may fail.

    python scripts/scale_out.py [--seconds 30] [--clients 8] [--model DIR] [--test data/bible/test.tsv]

Replicas and haproxy are plain processes on 127.0.0.1 (haproxy from Debian: apt-get install haproxy). Each client
sends one test verse per request (/v1/translate, greedy) to the balancer as soon as its last one is answered.
Prints requests sent / answered / failed, each replica's share of the answers (from haproxy's stats socket), the
balancer's retries, and the restarted replica's way back: ready, back in rotation, first request answered.
Exits 1 if a request failed or a replica is not serving at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from nmt.model.bundle import DEFAULT_BUNDLE
from nmt.scripts.balancer import Balancer, ServerStats
from nmt.scripts.harness import DEFAULT_WORK, Server

TEST_FILE = Path(__file__).resolve().parents[1] / "data" / "bible" / "test.tsv"
REPLICAS = 3
VICTIM = 1  # the replica that is killed: nmt-2


@dataclass
class Tally:
    sent: int = 0
    answered: int = 0
    failures: Counter = field(default_factory=Counter)  # what went wrong, by kind: never expected

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


@dataclass
class Restart:
    name: str
    killed_at_s: float  # into the load
    down_s: float  # from SIGKILL to the new process's start
    ready_s: float  # from the new process's start to its /ready 200
    in_rotation_s: float  # ... to UP in haproxy
    traffic_s: float  # ... to the first request haproxy sent it


async def client(http: httpx.AsyncClient, url: str, verses: list[str], seed: int, stop: asyncio.Event,
                 tally: Tally) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        tally.sent += 1
        try:
            answer = await http.post(f"{url}/v1/translate", json={"text": rng.choice(verses)})
            ok = answer.status_code == 200 and bool(answer.json()["translations"])
            kind = None if ok else f"HTTP {answer.status_code}"
        except httpx.HTTPError as e:
            kind = type(e).__name__
        if kind is None:
            tally.answered += 1
        else:
            tally.failures[kind] += 1


def wait_until(predicate, timeout: float, what: str) -> float:
    """perf_counter() at the first poll where predicate() holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not after {timeout} s")
        time.sleep(0.05)
    return time.perf_counter()


def kill_and_restart(replicas: list[Server], lb: Balancer, model: Path, work: Path, down_s: float,
                     load_start: float) -> Restart:
    """SIGKILL the victim, wait down_s, start it again on its port; measure its way back into service."""
    victim, name = replicas[VICTIM], f"nmt-{VICTIM + 1}"
    killed_at = time.monotonic() - load_start
    victim.kill()
    time.sleep(down_s)
    served_before = lb.servers()[name].sessions
    replicas[VICTIM] = new = Server(model, log_path=work / f"replica-{VICTIM + 1}-restarted.log", port=victim.port)
    new.wait_ready()
    up = wait_until(lambda: lb.servers()[name].status == "UP", 60, f"{name} back in rotation")
    traffic = wait_until(lambda: lb.servers()[name].sessions > served_before, 60, f"{name} taking traffic")
    return Restart(name, killed_at, down_s, new.ready_s, up - new.started, traffic - new.started)


async def run_load(replicas: list[Server], lb: Balancer, args: argparse.Namespace, verses: list[str]
                   ) -> tuple[Tally, Restart, dict[str, ServerStats]]:
    """The load, with the victim's kill and restart in its middle; the third value: haproxy's counts at the moment
    the restarted replica took its first request."""
    tally, stop, start = Tally(), asyncio.Event(), time.monotonic()
    limits = httpx.Limits(max_connections=args.clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        clients = [asyncio.create_task(client(http, lb.url, verses, seed, stop, tally)) for seed in range(args.clients)]
        await asyncio.sleep(args.seconds * args.kill_at)
        restart = await asyncio.to_thread(kill_and_restart, replicas, lb, args.model, args.work, args.down_s, start)
        back = lb.servers()
        await asyncio.sleep(max(args.after_s, args.seconds - (time.monotonic() - start)))
        stop.set()
        await asyncio.gather(*clients)
    return tally, restart, back


def shares(before: dict[str, ServerStats], after: dict[str, ServerStats]) -> dict[str, int]:
    return {name: after[name].answered_2xx - before[name].answered_2xx for name in after}


def report(tally: Tally, answered: dict[str, int], since_back: dict[str, int], after: dict[str, ServerStats],
           restart: Restart) -> None:
    total, total_since = sum(answered.values()) or 1, sum(since_back.values()) or 1
    print(f"requests: sent {tally.sent}, answered {tally.answered}, failed {tally.failed}"
          + (f" {dict(tally.failures)}" if tally.failed else ""))
    print(f"answers per replica: whole run | since {restart.name} took traffic again | state at the end")
    for name, count in answered.items():
        print(f"  {name}: {count} ({count / total:.1%}) | {since_back[name]} ({since_back[name] / total_since:.1%}) | "
              f"{after[name].status}")
    print(f"balancer: {sum(s.retries for s in after.values())} retries, "
          f"{sum(s.redispatches for s in after.values())} redispatched to another replica")
    print(f"{restart.name}: SIGKILLed {restart.killed_at_s:.1f} s into the load, restarted {restart.down_s:.1f} s "
          f"later; from its restart: ready after {restart.ready_s:.2f} s, UP in haproxy after {restart.in_rotation_s:.2f} s, "
          f"first request after {restart.traffic_s:.2f} s ({restart.traffic_s - restart.ready_s:.2f} s after its /ready)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    verses = [line.split("\t", 1)[0] for line in args.test.read_text(encoding="utf-8").splitlines() if line.strip()]
    replicas = [Server(args.model, log_path=args.work / f"replica-{i + 1}.log") for i in range(REPLICAS)]
    try:
        for replica in replicas:
            replica.wait_ready()
        print(f"{REPLICAS} replicas ready on ports {', '.join(str(r.port) for r in replicas)}", flush=True)
        with Balancer([f"127.0.0.1:{r.port}" for r in replicas], args.work) as lb:
            print(f"haproxy on {lb.url}, all replicas UP; {args.clients} clients for {args.seconds:.0f} s", flush=True)
            before = lb.servers()
            tally, restart, back = asyncio.run(run_load(replicas, lb, args, verses))
            after = lb.servers()
        report(tally, shares(before, after), shares(back, after), after, restart)
        if tally.failed:  # what the balancer saw of them
            print("haproxy's log, requests not ended normally:\n  " + "\n  ".join(lb.unfinished() or ["none"]))
        # deploy/k8s sizes a replica's memory from this figure
        print("peak memory under load: " + ", ".join(f"nmt-{i + 1} {r.peak_rss_mb():.0f} MB" for i, r in enumerate(replicas)))
    finally:
        for replica in replicas:
            replica.stop()
    serving = all(s.status == "UP" for s in after.values()) and all(shares(back, after).values())
    return 0 if tally.failed == 0 and serving else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=DEFAULT_BUNDLE, help="model bundle (default: the shipped en-es)")
    p.add_argument("--test", type=Path, default=TEST_FILE, help="TSV whose first column the clients send")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30.0, help="load duration (longer if the restart takes longer)")
    p.add_argument("--kill-at", type=float, default=0.3, help="when to SIGKILL nmt-2, as a fraction of --seconds")
    p.add_argument("--down-s", type=float, default=2.0, help="how long nmt-2 stays dead")
    p.add_argument("--after-s", type=float, default=10.0, help="load after nmt-2 takes traffic again, at least")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK / "scale-out", help="logs and haproxy's socket")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
