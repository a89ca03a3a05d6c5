"""Each distinct sentence searched once (Translator.translate, model/translator.py distinct): translation speed on
input whose lines repeat, as a back-translation corpus's "Thank you." or a document's table cells do.

    python benchmarks/dedup.py [--model DIR] [--split test|dev] [--lines 120] [--repeats 0,30,60] [--beam 5]
                               [--runs 1] [--exact]

For each share of repeated lines, --lines lines: the first verses of the split, then copies of them drawn at random
(seeded) for that share of the lines, shuffled. They are translated in one call the old way, every sentence
searched (Translator.prepare, search, finish), then the new way (Translator.translate), on the same model in the
same run, --runs times taking turns, first in turn (the fastest run of each counts: on a shared machine the
others' load only slows a run down). Printed for each: the sentences each searched, the sentences/s of each (the
lines' sentences, repeats included), the speed-up, the CPU seconds each took (the process's: steadier than the
clock where other jobs share the cores) and their ratio, and how many translations differ between the two ways (without
--exact a search may differ a little with its batch, and the batches change when duplicates leave them).
"""
from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from functools import partial

from common import DEV_SPLIT, TEST_SPLIT, default_model, print_table, test_sources

from nmt.model.translator import DecodeOptions, Translator, distinct, searched


def repeating(verses: list[str], lines: int, share: float, seed: int = 1) -> list[str]:
    """lines lines, share of them copies of the others, shuffled."""
    own = verses[: max(1, round(lines * (1 - share)))]
    if len(own) < round(lines * (1 - share)):
        raise SystemExit(f"{lines} lines need {round(lines * (1 - share))} verses; the split has {len(verses)}")
    rng = random.Random(seed)
    corpus = own + [rng.choice(own) for _ in range(lines - len(own))]
    rng.shuffle(corpus)
    return corpus


def every_sentence(translator: Translator, lines: list[str], options: DecodeOptions) -> list[str]:
    """The old pipeline: each sentence searched, duplicates included."""
    prepared = translator.prepare(lines)
    return [t.text for t in translator.finish(prepared, translator.search(searched(prepared), options))]


Timing = tuple[float, float, list[str]]  # wall seconds, the process's CPU seconds, the translations


def each_distinct(translator: Translator, lines: list[str], options: DecodeOptions) -> list[str]:
    """The pipeline now: each distinct sentence searched once."""
    return [t.text for t in translator.translate(lines, options)]


def timed(translate: Callable[[], list[str]]) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    texts = translate()
    return time.perf_counter() - start, time.process_time() - cpu, texts


def fastest(ways: Sequence[Callable[[], list[str]]], runs: int) -> list[Timing]:
    """Each way's fastest wall and CPU times of runs, the ways taking turns (first in turn), and its translations
    (the same in every run)."""
    best: list[Timing] = [(float("inf"), float("inf"), []) for _ in ways]
    for run in range(runs):
        for i in (range(len(ways)) if run % 2 == 0 else reversed(range(len(ways)))):
            wall, cpu, texts = timed(ways[i])
            if best[i][2] and texts != best[i][2]:
                raise SystemExit("a way's translations changed between runs")
            best[i] = (min(wall, best[i][0]), min(cpu, best[i][1]), texts)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=str(default_model()))
    p.add_argument("--split", choices=["test", "dev"], default="test")
    p.add_argument("--lines", type=int, default=120)
    p.add_argument("--repeats", default="0,30,60", help="percentages of the lines that repeat another")
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--runs", type=int, default=1, help="runs of each way, the fastest counted")
    p.add_argument("--exact", action="store_true", help="batch-invariant search: both ways must agree bit for bit")
    args = p.parse_args()
    translator = Translator.load(args.model, "cpu", exact=args.exact)
    options = DecodeOptions(beam_size=args.beam)
    verses = test_sources(TEST_SPLIT if args.split == "test" else DEV_SPLIT)
    translator.translate(verses[:4], options)  # warm-up
    rows = []
    for percent in (int(p) for p in args.repeats.split(",")):
        lines = repeating(verses, args.lines, percent / 100)
        sentences = searched(translator.prepare(lines))
        ways = [partial(every_sentence, translator, lines, options), partial(each_distinct, translator, lines, options)]
        (old_s, old_cpu, old), (new_s, new_cpu, new) = fastest(ways, args.runs)
        rows.append({"repeat_%": percent, "lines": len(lines), "searched_old": len(sentences),
                     "searched_new": len(distinct(sentences, options)[0]),
                     "old_sent_per_s": round(len(sentences) / old_s, 2), "new_sent_per_s": round(len(sentences) / new_s, 2),
                     "speed_up": f"{old_s / new_s:.2f}x", "old_cpu_s": round(old_cpu, 1), "new_cpu_s": round(new_cpu, 1),
                     "cpu_speed_up": f"{old_cpu / new_cpu:.2f}x", "differ": sum(a != b for a, b in zip(old, new, strict=True))})
    print(f"{args.model}, beam {args.beam}, {args.split} verses, fastest of {args.runs}{', exact' if args.exact else ''}:")
    print_table(rows, ["repeat_%", "lines", "searched_old", "searched_new", "old_sent_per_s", "new_sent_per_s",
                       "speed_up", "old_cpu_s", "new_cpu_s", "cpu_speed_up", "differ"])


if __name__ == "__main__":
    main()
