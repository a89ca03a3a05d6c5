"""int8 against fp32 decoding, in one process: speed-up and BLEU on the test split.

    python benchmarks/int8.py [--model DIR] [--beams 1,5] [--repeats 3] [--json]

Both networks (Translator with and without int8=True) are loaded side by side; for each beam size the whole test
split goes through translate() in one call (length-sorted batches, as decode.py's "all"), fp32 then int8, repeated
--repeats times. Interleaving the two in one process keeps the ratio free of what differs between processes and over
time on a shared machine (this VM's speed drifts by up to 25 %). Prints each one's median sentences/s, the median
of the per-pair speed-ups (and their range), and both BLEU scores (sacrebleu, as `nmt evaluate`).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch
from common import TEST_SPLIT, default_model, print_json, print_table


def timed(translator, sources: list[str], beam: int) -> tuple[float, list[str]]:
    from nmt.model.translator import DecodeOptions

    start = time.perf_counter()
    texts = [t.text for t in translator.translate(sources, DecodeOptions(beam_size=beam))]
    return time.perf_counter() - start, texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model bundle (default: models/en-es)")
    parser.add_argument("--test", default=str(TEST_SPLIT), help="TSV test file (default: data/bible/test.tsv)")
    parser.add_argument("--beams", default="1,5", help="beam sizes (default: 1,5)")
    parser.add_argument("--repeats", type=int, default=3, help="fp32/int8 pairs per beam size (default: 3)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line with every figure")
    args = parser.parse_args()

    from nmt.model.translator import Translator
    from nmt.training.corpus import load_corpus
    from nmt.training.scoring import score

    if args.threads:
        torch.set_num_threads(args.threads)
    model = args.model or default_model()
    pairs = load_corpus(args.test).pairs
    sources, references = [s for s, _ in pairs], [t for _, t in pairs]
    translators = {"fp32": Translator.load(model, "cpu"), "int8": Translator.load(model, "cpu", int8=True)}
    for translator in translators.values():
        translator.translate(sources[:8])  # warm-up
    rows = []
    for beam in map(int, args.beams.split(",")):
        seconds: dict[str, list[float]] = {"fp32": [], "int8": []}
        texts: dict[str, list[str]] = {}
        for _ in range(args.repeats):
            for name, translator in translators.items():
                elapsed, texts[name] = timed(translator, sources, beam)
                seconds[name].append(elapsed)
        ratios = [f / i for f, i in zip(seconds["fp32"], seconds["int8"], strict=True)]
        bleu = {name: score(texts[name], references).bleu for name in translators}
        rows.append({"beam": beam, "sentences": len(sources),
                     "fp32_sent_per_s": len(sources) / statistics.median(seconds["fp32"]),
                     "int8_sent_per_s": len(sources) / statistics.median(seconds["int8"]),
                     "speedup": statistics.median(ratios), "speedup_min": min(ratios), "speedup_max": max(ratios),
                     "bleu_fp32": f"{bleu['fp32']:.2f}", "bleu_int8": f"{bleu['int8']:.2f}",
                     "bleu_loss": f"{bleu['fp32'] - bleu['int8']:.2f}"})
    print(f"model {model}, {len(sources)} sentences, {torch.get_num_threads()} threads, {args.repeats} pairs per row")
    print_table(rows, list(rows[0]))
    if args.json:
        print_json({"benchmark": "int8", "model": str(model), "threads": torch.get_num_threads(), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
