"""The sentence cache (NMT_CACHE_SENTENCES, app/cache.py) on traffic that repeats itself: pages of one site, each
with the site's chrome (the same few verses on every page) around text of its own.

    python benchmarks/cache.py [--model DIR] [--pages 120] [--chrome 4] [--own 4] [--clients 4] [--beam 5]
                               [--cache 4096]

Each page is one /v1/translate request of --chrome test verses shared by every page (the first ones) and --own
verses of its own (the next ones, each on one page), sent by --clients clients at once, each the next page as soon
as its answer is back. The same pages go to a real `nmt serve` with the cache off, then on (--cache entries), one
after the other on the same machine. Printed for each: pages/s, verses/s, the p50 page latency, and the cache's
hits in sentences (from /metrics; a verse may hold several); and how many translations differ between the two runs
(a cached sentence is answered as it was first searched; without --exact a search may differ a little with its
batch).
"""
from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import Server, default_model, percentile, print_table, test_sources


def pages(sources: list[str], count: int, chrome: int, own: int) -> list[list[str]]:
    shared, rest = sources[:chrome], sources[chrome:]
    if len(rest) < count * own:
        raise SystemExit(f"{count} pages of {own} own verses need {count * own} test lines; there are {len(rest)}")
    return [shared + rest[i * own:(i + 1) * own] for i in range(count)]


def cache_hits(url: str) -> int:
    lines = httpx.get(f"{url}/metrics").text.splitlines()
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in lines
                   if line.startswith('nmt_cache_sentences_total{result="hit"}')))


def run(url: str, site: list[list[str]], clients: int) -> tuple[dict, list[str]]:
    """The pages translated by clients at once: figures, and every translation in page order."""
    def send(page: list[str]) -> tuple[float, list[str]]:
        start = time.perf_counter()
        answer = httpx.post(f"{url}/v1/translate", json={"text": page}, timeout=600)
        answer.raise_for_status()
        return time.perf_counter() - start, [t["text"] for t in answer.json()["translations"]]

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(send, site))
    seconds = time.perf_counter() - start
    texts = sum(len(page) for page in site)  # test verses, of one sentence or more
    figures = {"pages_per_s": round(len(site) / seconds, 2), "verses_per_s": round(texts / seconds, 1),
               "p50_page_s": round(percentile([s for s, _ in done], 50), 3), "cache_hits": cache_hits(url),
               "verses": texts}
    return figures, [text for _, texts in done for text in texts]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=str(default_model()))
    p.add_argument("--pages", type=int, default=120)
    p.add_argument("--chrome", type=int, default=4, help="verses every page has")
    p.add_argument("--own", type=int, default=4, help="verses of each page's own")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--cache", type=int, default=4096, help="NMT_CACHE_SENTENCES of the second run")
    args = p.parse_args()
    site = pages(test_sources(), args.pages, args.chrome, args.own)
    rows, outputs = [], []
    for size in (0, args.cache):
        with Server(args.model, threads=None, NMT_BEAM_SIZE=str(args.beam), NMT_CACHE_SENTENCES=str(size)) as server:
            figures, texts = run(server.url, site, args.clients)
        rows.append({"cache": size, **figures})
        outputs.append(texts)
    print_table(rows, ["cache", "verses", "pages_per_s", "verses_per_s", "p50_page_s", "cache_hits"])
    differ = sum(a != b for a, b in zip(*outputs, strict=True))
    print(f"translations that differ between the two runs: {differ} of {len(outputs[0])}; "
          f"speed-up {rows[1]['verses_per_s'] / rows[0]['verses_per_s']:.2f}x")


if __name__ == "__main__":
    main()
