"""Exact (batch-invariant) search against the default, in one process: what batching changes, and what exactness costs.

    python benchmarks/invariance.py [--model DIR] [--test FILE] [--sentences 200] [--beams 1,5] [--alone 40]

Both Translators (exact=False and exact=True, model/invariant.py) are loaded side by side. For each beam size and
each: the sentences of the first --sentences lines of --test searched in length-sorted batches (as `nmt evaluate`
runs them) and each alone; how many sentences' best hypotheses differ between the two (tokens, and score in any
bit), sentences/s batched, and ms per sentence for the first --alone sentences searched one at a time (a lone
client's latency). Both run in one process, one after the other for each beam size, so that their ratio is
little affected by the machine's drift; run nothing else beside it.
"""
from __future__ import annotations

import argparse
import sys
import time

import torch
from common import DEV_SPLIT, default_model, print_json, print_table


def searched_alone(translator, sentences, options) -> tuple[list[float], list]:
    """Each sentence searched by itself: the seconds each took, and its hypotheses."""
    seconds, hyps = [], []
    for sentence in sentences:
        start = time.perf_counter()
        hyps.append(translator.search([sentence], options)[0])
        seconds.append(time.perf_counter() - start)
    return seconds, hyps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model bundle (default: models/en-es)")
    parser.add_argument("--test", default=str(DEV_SPLIT), help="TSV file (default: data/bible/dev.tsv)")
    parser.add_argument("--sentences", type=int, default=200, help="lines of --test to search (default: 200)")
    parser.add_argument("--beams", default="1,5", help="beam sizes (default: 1,5)")
    parser.add_argument("--alone", type=int, default=40, help="sentences timed one at a time (default: 40)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line with every figure")
    args = parser.parse_args()

    from nmt.model.translator import DecodeOptions, Translator, searched
    from nmt.training.corpus import load_corpus

    model = args.model or default_model()
    translators = {"default": Translator.load(model, "cpu"), "exact": Translator.load(model, "cpu", exact=True)}
    texts = [s for s, _ in load_corpus(args.test).pairs[: args.sentences]]
    sentences = searched(translators["default"].prepare(texts))
    rows = []
    for beam in map(int, args.beams.split(",")):
        options = DecodeOptions(beam_size=beam)
        for translator in translators.values():
            translator.search(sentences[:8], options)  # warm-up
        for name, translator in translators.items():
            start = time.perf_counter()
            batched = translator.search(sentences, options)
            batched_s = time.perf_counter() - start
            alone_s, alone = searched_alone(translator, sentences, options)
            pairs = [(b[0], a[0]) for b, a in zip(batched, alone, strict=True)]
            rows.append({"beam": beam, "search": name, "sentences": len(sentences),
                         "tokens_differ": sum(b.tokens != a.tokens for b, a in pairs),
                         "scores_differ": sum(b.score != a.score for b, a in pairs),
                         "batched_sent_per_s": len(sentences) / batched_s,
                         "alone_ms": 1000 * sum(alone_s[: args.alone]) / len(alone_s[: args.alone])})
    print(f"model {model}, {args.test} ({len(texts)} lines), {torch.get_num_threads()} threads; batched: length-sorted "
          f"batches, as `nmt evaluate`; alone: one sentence per search")
    print_table(rows, list(rows[0]))
    if args.json:
        print_json({"benchmark": "invariance", "model": str(model), "threads": torch.get_num_threads(), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
