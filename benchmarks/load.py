"""Load on a real `nmt serve`: throughput and latency with N concurrent clients, for each batching mode.

    python benchmarks/load.py [--model DIR] [--clients 1,8,64] [--seconds 10] [--json]

Uniform load: each of N clients (asyncio + httpx, one connection each) sends one test sentence (a line of the
test split; the server may split it further) per request,
greedy ({"beam_size": 1}), the next as soon as the answer is back, for --seconds after a short warm-up. The server
runs with NMT_BATCHING=continuous (batching on), then =off (one sentence per model call). Prints sentences/s,
target tokens/s (the answers re-tokenized with the model's target subword model, plus EOS) and p50/p95/p99 latency,
and the offline throughput on the same test lines (greedy): `nmt evaluate`'s (the issue's reference), and
Translator.translate's on all of them at once (a stronger one: length-sorted batches of up to 8000 tokens).
Only requests answered within the measured window count; sentences/s counts test lines.

Mixed load: --long-clients send requests of --long-sentences of the longest test sentences each, while
--short-clients send one of the 8 shortest test sentences each; the short requests' p50/p99 are reported apart,
for request-level batching (NMT_BATCHING=request) and continuous batching. The 8 short texts are not equally
long to decode (the shipped model writes 8 to 32 subwords for them), so the pooled p99/p50 mixes the texts'
own spread with the scheduler's; the p99/p50 of each text's own latencies isolates the scheduler's.

Bars (the issue's): with 64 clients, batching on >= 8x batching off and >= 70% of offline throughput; short
requests' p99 <= 2x their p50 under continuous batching, and lower than under request-level batching.
Clients and server share the machine's cores: server_cores and client_cores are the CPU time each used per
second of the run (both include the warm-up and the drain).
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
from dataclasses import dataclass, field

import httpx
from common import TEST_SPLIT, Server, default_model, percentile, print_json, print_table, test_sources


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_text: dict[str, list[float]] = field(default_factory=dict)  # the same latencies, per request text
    sentences: int = 0
    tokens: int = 0
    errors: int = 0


async def client(http: httpx.AsyncClient, texts, tally: Tally, count_tokens, start: float, end: float) -> None:
    """Send texts one request after another until `end`; tally the requests that ended between start and end."""
    while time.perf_counter() < end:
        text, sent = next(texts), time.perf_counter()
        answer = await http.post("/v1/translate", json={"text": text, "beam_size": 1})
        if not start <= time.perf_counter() <= end:
            continue
        if answer.status_code != 200:
            tally.errors += 1
            continue
        latency = time.perf_counter() - sent
        tally.latencies.append(latency)
        tally.by_text.setdefault(text, []).append(latency)
        tally.sentences += text.count("\n") + 1
        tally.tokens += count_tokens(answer.json()["translations"][0]["text"].split("\n"))


async def drive(url: str, groups: dict[str, tuple[int, list[str]]], count_tokens, warmup: float, seconds: float):
    """Run the client groups {name: (clients, texts)} together; {name: Tally} and the measured seconds."""
    tallies = {name: Tally() for name in groups}
    n = sum(c for c, _ in groups.values())
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
        start = time.perf_counter() + warmup
        end = start + seconds
        tasks = [client(http, itertools.cycle(texts[i::clients] or texts), tallies[name], count_tokens, start, end)
                 for name, (clients, texts) in groups.items() for i in range(clients)]
        await asyncio.gather(*tasks)
    return tallies, seconds


def run(server: Server, groups: dict, count_tokens, warmup: float, seconds: float):
    """drive() on the server; also the CPU cores that the server and this process (the clients) kept busy."""
    server_cpu, own_cpu, start = server.cpu_seconds(), time.process_time(), time.perf_counter()
    tallies, measured = asyncio.run(drive(server.url, groups, count_tokens, warmup, seconds))
    elapsed = time.perf_counter() - start
    cpu = {"server_cores": (server.cpu_seconds() - server_cpu) / elapsed,
           "client_cores": (time.process_time() - own_cpu) / elapsed}
    return tallies, measured, cpu


def row_of(scenario: str, batching: str, clients: int, tally: Tally, seconds: float, cpu: dict) -> dict:
    return {"scenario": scenario, "batching": batching, "clients": clients, **cpu, "requests": len(tally.latencies),
            "errors": tally.errors, "sent_per_s": tally.sentences / seconds, "tok_per_s": tally.tokens / seconds,
            "p50_s": percentile(tally.latencies, 50), "p95_s": percentile(tally.latencies, 95),
            "p99_s": percentile(tally.latencies, 99),
            "text_p99_p50": sorted(percentile(v, 99) / percentile(v, 50) for v in tally.by_text.values())}


def offline(model, sentences: list[str], count_tokens) -> list[dict]:
    """The offline throughput on the same test lines, two ways: `nmt evaluate --beam 1` (training/evaluate.py: the
    lines as they are, in chunks of 64), and Translator.translate on all the sentences the server would decode
    (app.segment.split of each line) in one call: its own length-sorted batches of up to 8000 tokens."""
    from nmt.app.segment import split
    from nmt.model.translator import DecodeOptions, Translator
    from nmt.training.evaluate import evaluate

    translator = Translator.load(model, "cpu")
    pieces = [piece for s in sentences for piece in split(s).sentences]
    translator.translate(pieces[:8], DecodeOptions())
    report = evaluate(translator, TEST_SPLIT, DecodeOptions())
    start = time.perf_counter()
    out = translator.translate(pieces, DecodeOptions())
    seconds = time.perf_counter() - start
    return [{"scenario": "offline", "batching": "nmt evaluate", "clients": "-", "requests": "-",
             "sent_per_s": report["sentences_per_s"], "tok_per_s": "-"},  # its report counts tokens without EOS
            {"scenario": "offline", "batching": "Translator", "clients": "-", "requests": "-",
             "sent_per_s": len(sentences) / seconds, "tok_per_s": count_tokens([t.text for t in out]) / seconds}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model bundle (default: models/en-es, else runs/bible-en-es/best)")
    parser.add_argument("--clients", default="1,8,64", help="concurrent clients of the uniform load (default: 1,8,64)")
    parser.add_argument("--modes", default="continuous,off", help="server batching modes of the uniform load "
                        "(default: continuous,off; also: request)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per run (default: 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured time before it (default: 2)")
    parser.add_argument("--long-clients", type=int, default=4, help="mixed load: clients sending long requests")
    parser.add_argument("--long-sentences", type=int, default=8, help="mixed load: sentences per long request")
    parser.add_argument("--short-clients", type=int, default=4, help="mixed load: clients sending short requests")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed load")
    parser.add_argument("--no-uniform", action="store_true", help="skip the uniform load")
    parser.add_argument("--threads", type=int, default=None, help="the server's torch threads (default: its default)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    from nmt.model.bundle import load_bundle

    model = args.model or default_model()
    sentences = test_sources()
    tgt = load_bundle(model).tgt_tokenizer
    count_tokens = lambda texts: sum(len(ids) + 1 for ids in tgt.encode(texts))
    rows = offline(model, sentences, count_tokens)
    env = {"NMT_QUEUE_SIZE": "100000", "NMT_REQUEST_TIMEOUT_S": "600"}
    for mode in [] if args.no_uniform else args.modes.split(","):
        with Server(model, threads=args.threads, NMT_BATCHING=mode, **env) as server:
            for n in map(int, args.clients.split(",")):
                tallies, seconds, cpu = run(server, {"all": (n, sentences)}, count_tokens, args.warmup, args.seconds)
                rows.append(row_of("uniform", mode, n, tallies["all"], seconds, cpu))
    if not args.no_mixed:
        by_length = sorted(sentences, key=len)
        longest = by_length[-args.long_clients * args.long_sentences * 2 :]
        paragraphs = ["\n".join(longest[i : i + args.long_sentences]) for i in range(0, len(longest), args.long_sentences)]
        groups = {"long": (args.long_clients, paragraphs), "short": (args.short_clients, by_length[:8])}
        for mode in ("request", "continuous"):
            with Server(model, threads=args.threads, NMT_BATCHING=mode, **env) as server:
                tallies, seconds, cpu = run(server, groups, count_tokens, args.warmup, args.seconds)
            for name, tally in tallies.items():
                rows.append(row_of(f"mixed-{name}", mode, groups[name][0], tally, seconds, cpu))
    print(f"nmt serve --model {model}: {len(sentences)} test sentences, greedy; {args.seconds:g} s per run")
    print_table(rows, ["scenario", "batching", "clients", "requests", "errors", "sent_per_s", "tok_per_s",
                       "p50_s", "p95_s", "p99_s", "server_cores", "client_cores"])
    print_bars(rows)
    if args.json:
        print_json({"benchmark": "load", "model": str(model), "rows": rows})
    return 0


def print_bars(rows: list[dict]) -> None:
    find = lambda scenario, batching, clients=None: next(
        (r for r in rows if r["scenario"] == scenario and r["batching"] == batching
         and (clients is None or r["clients"] == clients)), None)
    on, off = find("uniform", "continuous", 64), find("uniform", "off", 64)
    if on and off:
        print(f"64 clients: batching on / off = {on['sent_per_s'] / off['sent_per_s']:.1f}x (bar: >= 8x); on / offline "
              f"`nmt evaluate` = {on['sent_per_s'] / find('offline', 'nmt evaluate')['sent_per_s']:.0%} (bar: >= 70%), "
              f"on / offline Translator = {on['sent_per_s'] / find('offline', 'Translator')['sent_per_s']:.0%}")
    cont, req = find("mixed-short", "continuous"), find("mixed-short", "request")
    if cont and req:
        print(f"short requests, continuous: p99 / p50 = {cont['p99_s'] / cont['p50_s']:.2f} (bar: <= 2); "
              f"p99 {cont['p99_s']:.3f} s vs request-level {req['p99_s']:.3f} s (bar: lower)")
        spread = ", ".join(f"{r:.2f}" for r in cont["text_p99_p50"])
        print(f"  the same text's own p99 / p50, for each short text (only the load varies): {spread}")


if __name__ == "__main__":
    sys.exit(main())
