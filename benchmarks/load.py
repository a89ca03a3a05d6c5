"""Load on a real `nmt serve`: throughput and latency with N concurrent clients, for each batching mode and beam.

    python benchmarks/load.py [--model DIR] [--beams 1,5] [--clients 64] [--seconds 10] [--json]

For each beam size (--beams):
Uniform load: each of N clients (asyncio + httpx, one connection each) sends one test sentence (a line of the
test split; the server may split it further) per request, {"beam_size": B}, the next as soon as the answer is
back, for --seconds after a short warm-up. The server runs with each of --modes: continuous (iteration-level
batching: sentences of every beam size join and leave one live batch), request (request-level batches) and off
(one sentence per model call). Prints sentences/s, target tokens/s (the answers re-tokenized with the model's
target subword model, plus EOS) and p50/p95/p99 latency, and the offline throughput of `nmt evaluate --beam B` on
the same test lines (the same pipeline, so the same work), before the uniform runs and again after them: the
machine's speed drifts between runs, so the ratio is taken against the mean of the two. Only requests answered
within the measured window count; sentences/s counts test lines.

Mixed load: --long-clients send requests of --long-sentences of the longest test sentences each, while
--short-clients send one of the 8 shortest test sentences each. The short texts' unloaded latency is measured in
the same run, by one client alone on the same server first; reported: the short requests' p99 under load over
their p50 alone, for request-level and continuous batching (those of them in --modes).

Bars (issue 21): with 64 clients at beam 5, continuous >= 0.8 of offline `nmt evaluate --beam 5`; short beam-5
requests under 4 long-text clients: p99 under load <= 4x their p50 alone (greedy: below the 6.6x measured before).
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
from common import TEST_SPLIT, Server, add_device, default_model, percentile, print_json, print_table, test_sources
from prometheus_client.parser import text_string_to_metric_families


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_text: dict[str, list[float]] = field(default_factory=dict)  # the same latencies, per request text
    sentences: int = 0
    tokens: int = 0
    errors: int = 0


async def client(http: httpx.AsyncClient, texts, beam: int, tally: Tally, count_tokens, start: float,
                 end: float) -> None:
    """Send texts one request after another until `end`; tally the requests that ended between start and end."""
    while time.perf_counter() < end:
        text, sent = next(texts), time.perf_counter()
        answer = await http.post("/v1/translate", json={"text": text, "beam_size": beam})
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


async def drive(url: str, groups: dict[str, tuple[int, list[str]]], beam: int, count_tokens, warmup: float,
                seconds: float):
    """Run the client groups {name: (clients, texts)} together; {name: Tally} and the measured seconds."""
    tallies = {name: Tally() for name in groups}
    n = sum(c for c, _ in groups.values())
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
        start = time.perf_counter() + warmup
        end = start + seconds
        tasks = [client(http, itertools.cycle(texts[i::clients] or texts), beam, tallies[name], count_tokens, start, end)
                 for name, (clients, texts) in groups.items() for i in range(clients)]
        await asyncio.gather(*tasks)
    return tallies, seconds


def run(server: Server, groups: dict, beam: int, count_tokens, warmup: float, seconds: float):
    """drive() on the server; also the CPU cores that the server and this process (the clients) kept busy."""
    server_cpu, own_cpu, start = server.cpu_seconds(), time.process_time(), time.perf_counter()
    phases = phase_totals(server.url)
    tallies, measured = asyncio.run(drive(server.url, groups, beam, count_tokens, warmup, seconds))
    elapsed = time.perf_counter() - start
    cpu = {"server_cores": (server.cpu_seconds() - server_cpu) / elapsed,
           "client_cores": (time.process_time() - own_cpu) / elapsed,
           "phases_ms": phase_means(phases, phase_totals(server.url))}
    return tallies, measured, cpu


def phase_totals(url: str) -> dict[str, tuple[float, float]]:
    """The server's nmt_sentence_phase_seconds: phase -> (sentences, seconds) so far."""
    samples = {(s.name, s.labels.get("phase")): s.value for family in
               text_string_to_metric_families(httpx.get(f"{url}/metrics").text)
               if family.name == "nmt_sentence_phase_seconds" for s in family.samples}
    return {phase: (n, samples[("nmt_sentence_phase_seconds_sum", phase)])
            for (name, phase), n in samples.items() if name == "nmt_sentence_phase_seconds_count"}


def row_of(scenario: str, batching: str, beam: int, clients: int, tally: Tally, seconds: float, cpu: dict) -> dict:
    return {"scenario": scenario, "batching": batching, "beam": beam, "clients": clients, **cpu,
            "requests": len(tally.latencies),
            "errors": tally.errors, "sent_per_s": tally.sentences / seconds, "tok_per_s": tally.tokens / seconds,
            "p50_s": percentile(tally.latencies, 50), "p95_s": percentile(tally.latencies, 95),
            "p99_s": percentile(tally.latencies, 99),
            "text_p99_p50": sorted(percentile(v, 99) / percentile(v, 50) for v in tally.by_text.values())}


def offline(model, beam: int, device: str) -> dict:
    """`nmt evaluate --beam B` on the test split: the offline throughput on the same lines, through the same pipeline."""
    from nmt.model.translator import DecodeOptions, Translator
    from nmt.training.evaluate import evaluate

    translator = Translator.load(model, device)
    translator.translate(test_sources()[:8], DecodeOptions(beam_size=beam))  # warm-up
    report = evaluate(translator, TEST_SPLIT, DecodeOptions(beam_size=beam))
    return {"scenario": "offline", "batching": "nmt evaluate", "beam": beam, "clients": "-", "requests": "-",
            "sent_per_s": report["sentences_per_s"], "tok_per_s": "-"}  # its report counts tokens without EOS


def mixed(model, mode: str, beam: int, sentences: list[str], args, count_tokens, env: dict) -> list[dict]:
    """Short requests alone (one client), then beside long ones, on one server."""
    by_length = sorted(sentences, key=len)
    longest = by_length[-args.long_clients * args.long_sentences * 2 :]
    paragraphs = ["\n".join(longest[i : i + args.long_sentences]) for i in range(0, len(longest), args.long_sentences)]
    groups = {"long": (args.long_clients, paragraphs), "short": (args.short_clients, by_length[:8])}
    with Server(model, threads=args.threads, device=args.device, NMT_BATCHING=mode, **env) as server:
        alone, seconds, cpu = run(server, {"short": (1, by_length[:8])}, beam, count_tokens, args.warmup, args.seconds)
        rows = [row_of("short-alone", mode, beam, 1, alone["short"], seconds, cpu)]
        tallies, seconds, cpu = run(server, groups, beam, count_tokens, args.warmup, args.seconds)
    rows += [row_of(f"mixed-{name}", mode, beam, groups[name][0], tally, seconds, cpu) for name, tally in tallies.items()]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model bundle (default: models/en-es, else runs/bible-en-es/best)")
    parser.add_argument("--beams", default="1,5", help="beam sizes, each a run of everything (default: 1,5)")
    parser.add_argument("--clients", default="64", help="concurrent clients of the uniform load (default: 64)")
    parser.add_argument("--modes", default="continuous,request", help="server batching modes (default: "
                        "continuous,request; also: off, for the uniform load only)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per run (default: 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured time before it (default: 2)")
    parser.add_argument("--long-clients", type=int, default=4, help="mixed load: clients sending long requests")
    parser.add_argument("--long-sentences", type=int, default=3, help="mixed load: sentences per long request")
    parser.add_argument("--short-clients", type=int, default=4, help="mixed load: clients sending short requests")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed load")
    parser.add_argument("--no-uniform", action="store_true", help="skip the uniform load")
    parser.add_argument("--threads", type=int, default=None, help="the server's torch threads (default: its default)")
    add_device(parser)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    from nmt.model.bundle import load_bundle

    model = args.model or default_model()
    sentences = test_sources()
    tgt = load_bundle(model).tgt_tokenizer
    count_tokens = lambda texts: sum(len(ids) + 1 for ids in tgt.encode(texts))
    env = {"NMT_QUEUE_SIZE": "100000", "NMT_REQUEST_TIMEOUT_S": "600"}
    rows = []
    for beam in map(int, args.beams.split(",")):
        rows.append(offline(model, beam, args.device))
        for mode in [] if args.no_uniform else args.modes.split(","):
            with Server(model, threads=args.threads, device=args.device, NMT_BATCHING=mode, **env) as server:
                for n in map(int, args.clients.split(",")):
                    tallies, seconds, cpu = run(server, {"all": (n, sentences)}, beam, count_tokens, args.warmup,
                                                args.seconds)
                    rows.append(row_of("uniform", mode, beam, n, tallies["all"], seconds, cpu))
        if not args.no_uniform:  # the machine's speed drifts: the offline rate again, after the service's runs
            rows.append(offline(model, beam, args.device) | {"batching": "nmt evaluate, after"})
        for mode in [] if args.no_mixed else [m for m in ("request", "continuous") if m in args.modes.split(",")]:
            rows += mixed(model, mode, beam, sentences, args, count_tokens, env)
    print(f"nmt serve --model {model}: {len(sentences)} test sentences; {args.seconds:g} s per run")
    print_table(rows, ["scenario", "batching", "beam", "clients", "requests", "errors", "sent_per_s", "tok_per_s",
                       "p50_s", "p95_s", "p99_s", "server_cores", "client_cores"])
    print_bars(rows)
    if args.json:
        print_json({"benchmark": "load", "model": str(model), "rows": rows})
    return 0


def print_bars(rows: list[dict]) -> None:
    def find(scenario: str, batching: str, beam: int, clients: int | None = None) -> dict | None:
        return next((r for r in rows if (r["scenario"], r["batching"], r["beam"]) == (scenario, batching, beam)
                     and (clients is None or r["clients"] == clients)), None)

    for beam in sorted({r["beam"] for r in rows}):
        on, req, off = (find("uniform", mode, beam, 64) for mode in ("continuous", "request", "off"))
        offline_rates = [r["sent_per_s"] for r in rows if (r["scenario"], r["beam"]) == ("offline", beam)]
        if on and offline_rates:
            versus = "".join(f"; continuous / {r['batching']} = {on['sent_per_s'] / r['sent_per_s']:.1f}x"
                             for r in (req, off) if r)
            rate = sum(offline_rates) / len(offline_rates)
            print(f"beam {beam}, 64 clients: continuous / offline `nmt evaluate` = {on['sent_per_s'] / rate:.2f} "
                  f"(offline {' and '.join(f'{r:.1f}' for r in offline_rates)} sentences/s before and after, their "
                  f"mean; bar at beam 5: >= 0.8){versus}")
        for mode in ("request", "continuous"):
            alone, loaded = find("short-alone", mode, beam), find("mixed-short", mode, beam)
            if alone and loaded:
                print(f"beam {beam}, {mode}: short requests' p99 under load / p50 alone = "
                      f"{loaded['p99_s'] / alone['p50_s']:.1f} ({loaded['p99_s']:.3f} / {alone['p50_s']:.3f} s; "
                      f"p99 / p50 under load {loaded['p99_s'] / loaded['p50_s']:.2f})")
                print(f"  a sentence's mean time, phase by phase (nmt_sentence_phase_seconds): alone "
                      f"{phases_of(alone)}; under the mixed load, long and short {phases_of(loaded)}")


def phase_means(before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Milliseconds a sentence spent in each phase on average, between two phase_totals."""
    means = {}
    for phase, (n, seconds) in after.items():
        n0, seconds0 = before.get(phase, (0, 0))
        if n > n0:
            means[phase] = 1000 * (seconds - seconds0) / (n - n0)
    return means


def phases_of(row: dict) -> str:
    return ", ".join(f"{phase} {ms:.0f}" for phase, ms in row["phases_ms"].items()) + " ms"


if __name__ == "__main__":
    sys.exit(main())
