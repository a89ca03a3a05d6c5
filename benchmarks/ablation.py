"""Attention ablation: the default configuration trained for the same wall-clock budget with each attention kind,
then each best checkpoint scored on the test books, greedy and beam 5.

    python benchmarks/ablation.py [--minutes 45] [--kinds none,bahdanau,luong] [--out runs/ablation] [--json]

Variant KIND is --config (default configs/bible-en-es.yaml) with model.attention = KIND, train.max_minutes =
--minutes and out_dir = OUT/KIND; it is trained by `nmt train` in a subprocess, one variant after another. Run it
on an otherwise idle machine: the budget is wall-clock, and anything else on the cores takes from it. Running it
again resumes an unfinished variant (`--resume`) and skips finished ones (--skip-train: only score).

Prints one markdown row per variant: parameters, updates and minutes trained, mean training target tokens/s (the
log's tokens_per_s records), the last dev BLEU, and test BLEU/chrF with sentences/s for greedy and beam 5
(training/evaluate.py, as `nmt evaluate` does). The bahdanau row's dev BLEU is the default config's after --minutes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml
from common import ROOT, TEST_SPLIT, print_json


def variant_config(base: Path, kind: str, minutes: float, out: Path) -> Path:
    """Write OUT/KIND/variant.yaml: the base config with this attention, budget and run directory."""
    raw = yaml.safe_load(base.read_text())
    raw["out_dir"] = str(out / kind)
    raw["model"]["attention"] = kind
    raw["train"]["max_minutes"] = minutes
    path = out / kind / "variant.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def train(config: Path, run_dir: Path) -> None:
    resume = ["--resume"] if (run_dir / "checkpoints" / "last.pt").exists() else []
    subprocess.run([sys.executable, "-m", "nmt.cli", "train", str(config), *resume], cwd=ROOT, check=True)


def training_figures(run_dir: Path) -> dict:
    """Updates, minutes, mean tokens/s and last dev BLEU, from the run's log.jsonl."""
    records = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines() if line.strip()]
    steps = [r for r in records if "tokens_per_s" in r]
    evals = [r for r in records if "dev_bleu" in r]
    return {"updates": records[-1]["step"], "minutes": records[-1]["minutes"],
            "train_tok_per_s": round(sum(r["tokens_per_s"] for r in steps) / max(1, len(steps))),
            "dev_bleu": evals[-1]["dev_bleu"] if evals else None,
            "best_dev_bleu": max((r["dev_bleu"] for r in evals), default=None)}


def test_scores(bundle: Path, test: Path) -> dict:
    from nmt.model.translator import DecodeOptions, Translator
    from nmt.training.evaluate import evaluate

    translator = Translator.load(bundle, "cpu")
    row = {"params": sum(p.numel() for p in translator.bundle.model.parameters())}
    for name, beam in (("greedy", 1), ("beam5", 5)):
        report = evaluate(translator, test, DecodeOptions(beam_size=beam))
        row |= {f"{name}_bleu": report["bleu"], f"{name}_chrf": report["chrf"],
                f"{name}_sent_per_s": report["sentences_per_s"]}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "bible-en-es.yaml", help="base config")
    parser.add_argument("--kinds", default="none,bahdanau,luong", help="attention kinds (default: all three)")
    parser.add_argument("--minutes", type=float, default=45.0, help="training budget per variant (default: 45)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "ablation", help="run directories' parent")
    parser.add_argument("--test", type=Path, default=TEST_SPLIT, help="test TSV (default: the Bible test books)")
    parser.add_argument("--skip-train", action="store_true", help="only score the variants already trained")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    rows = []
    for kind in args.kinds.split(","):
        run_dir = args.out / kind
        if not args.skip_train:
            train(variant_config(args.config, kind, args.minutes, args.out), run_dir)
        rows.append({"attention": kind, **training_figures(run_dir), **test_scores(run_dir / "best", args.test)})
    columns = ["attention", "params", "updates", "minutes", "train_tok_per_s", "dev_bleu", "greedy_bleu",
               "greedy_chrf", "greedy_sent_per_s", "beam5_bleu", "beam5_chrf", "beam5_sent_per_s"]
    print(f"{args.config.name}, {args.minutes:g} minutes per variant; test: {args.test}")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    if args.json:
        print_json({"benchmark": "ablation", "minutes": args.minutes, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
