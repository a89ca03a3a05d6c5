"""Ensembles: what each added network buys, and what it costs.

    python benchmarks/ensemble.py BUNDLE BUNDLE [BUNDLE...] [--test FILE] [--beam 5] [--out runs/ensemble] [--json]

For k = 1 .. N, the first k bundles as one (`nmt ensemble`, written to OUT/k; k = 1: the first bundle itself) are
scored on the test file at --beam as `nmt evaluate` scores them (hypotheses in OUT/k/test), and each k > 1 is
compared with k = 1 as `nmt compare` compares hypothesis files. Prints one markdown row per k: test BLEU and chrF,
sentences/s, and the BLEU difference from the first bundle with its p-values (paired bootstrap / approximate
randomization). The bundles must share languages, subword models and layer sizes: networks of one config trained
apart, e.g. the runs of benchmarks/ablation.py (RUN/best).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common import ROOT, TEST_SPLIT, print_json, print_markdown

from nmt.model.translator import DecodeOptions, Translator
from nmt.training.compare import Sampling, compare_systems, hypotheses_only
from nmt.training.ensemble import ensemble
from nmt.training.evaluate import evaluate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundles", type=Path, nargs="+", metavar="BUNDLE", help="two or more bundles, in the order added")
    parser.add_argument("--test", type=Path, default=TEST_SPLIT, help="test TSV (default: the Bible test books)")
    parser.add_argument("--beam", type=int, default=5, help="beam size (default: 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "ensemble", help="ensembles and hypotheses")
    parser.add_argument("--resamples", type=int, default=1000, help="paired bootstrap resamples (default: 1000)")
    parser.add_argument("--trials", type=int, default=10000, help="approximate randomization trials (default: 10000)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    if len(args.bundles) < 2:
        parser.error("give at least two bundles")
    rows = []
    for k in range(1, len(args.bundles) + 1):
        model = args.bundles[0]
        if k > 1:
            model = args.out / str(k)
            ensemble(args.bundles[:k], model)
        report = evaluate(Translator.load(model, "cpu"), args.test, DecodeOptions(beam_size=args.beam),
                          args.out / str(k) / "test")
        row = {"networks": k, "bleu": report["bleu"], "chrf": report["chrf"], "sent_per_s": report["sentences_per_s"]}
        if k > 1:
            bleu = compare_systems(args.test, args.out / "1" / "test", args.out / str(k) / "test", hypotheses_only,
                                   Sampling(args.resamples, args.trials))["bleu"]
            row |= {"diff": bleu["difference"], "p": f"{bleu['p_bootstrap']} / {bleu['p_ar']}"}
        rows.append(row)
    columns = ["networks", "bleu", "chrf", "sent_per_s", "diff", "p"]
    print(f"test: {args.test}, beam {args.beam}; networks: the first k of {', '.join(map(str, args.bundles))}; "
          f"diff and p: BLEU against the first alone, paired bootstrap / approximate randomization")
    print_markdown(rows, columns)
    if args.json:
        print_json({"benchmark": "ensemble", "bundles": [str(b) for b in args.bundles], "beam": args.beam, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
