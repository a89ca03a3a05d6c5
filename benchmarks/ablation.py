"""Ablation: named variants of the base configuration's model, each trained for the same wall-clock budget, then
each best checkpoint scored on the test books, greedy and beam 5, and compared with the baseline variant's.

    python benchmarks/ablation.py [--variants default,peephole,cifg,...] [--baseline default] [--minutes 45]
                                  [--out runs/ablation] [--json]

A variant is a few overrides of the model section (VARIANTS below): the encoder's seed variants (cells, depth,
reverse_source) and the attention kinds. Variant NAME is --config (default configs/bible-en-es.yaml) with its
overrides, train.max_minutes = --minutes and out_dir = OUT/NAME; it is trained by `nmt train` in a subprocess, one
variant after another. Run it on an otherwise idle machine: the budget is wall-clock, and anything else on the cores
takes from it. Running it again resumes an unfinished variant (`--resume`) and skips finished ones (--skip-train:
only score).

Prints one markdown row per variant: parameters, updates and minutes trained, mean training target tokens/s (the
log's tokens_per_s records), the last dev BLEU, test BLEU/chrF with sentences/s for greedy and beam 5
(training/evaluate.py, as `nmt evaluate` does; the hypotheses in OUT/NAME/test-greedy and test-beam5), and the p-values
of its BLEU difference from the baseline's, paired bootstrap / approximate randomization (training/compare.py, as
`nmt compare` computes them on those hypotheses). OUT/ablation.png: every variant's train loss against minutes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from common import ROOT, TEST_SPLIT, print_json, print_markdown

from nmt.training.config import load_config
from nmt.training.plot import plot_runs

# name -> overrides of the base config's model section. The base (configs/bible-en-es.yaml) is a bidirectional
# 2-layer LSTM encoder with Bahdanau attention, so "default" and "bahdanau" train the same model.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "peephole": {"enc_cell": "peephole_lstm"},  # Gers & Schmidhuber 2000
    "cifg": {"enc_cell": "cifg_lstm"},  # coupled input-forget gates
    "loop": {"enc_cell": "lstm_loop"},  # the plain LSTM in the variants' Python loop: their speed's control
    "gru": {"enc_cell": "gru"},
    "elman": {"enc_cell": "rnn"},
    "reverse": {"reverse_source": True},  # Sutskever et al. 2014
    "depth1": {"enc_layers": 1},
    "depth3": {"enc_layers": 3},
    "none": {"attention": "none"},
    "bahdanau": {"attention": "bahdanau"},
    "luong": {"attention": "luong"},
}
DEFAULT_VARIANTS = "default,peephole,cifg,loop,gru,elman,reverse,depth1,depth3"
DECODES = (("greedy", 1), ("beam5", 5))


def variant_config(base: Path, name: str, minutes: float, out: Path) -> Path:
    """Write OUT/NAME/variant.yaml: the base config with this variant's model overrides, budget and run directory."""
    raw = yaml.safe_load(base.read_text())
    raw["out_dir"] = str(out / name)
    raw["model"] = (raw.get("model") or {}) | VARIANTS[name]
    raw.setdefault("train", {})["max_minutes"] = minutes
    path = out / name / "variant.yaml"
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


def test_scores(run_dir: Path, test: Path) -> dict:
    """The best checkpoint on the test file, greedy and beam 5; the hypotheses go to RUN/test-greedy, test-beam5."""
    from nmt.model.translator import DecodeOptions, Translator
    from nmt.training.evaluate import evaluate

    translator = Translator.load(run_dir / "best", "cpu")
    row = {"params": sum(p.numel() for p in translator.bundle.model.parameters())}
    for name, beam in DECODES:
        report = evaluate(translator, test, DecodeOptions(beam_size=beam), run_dir / f"test-{name}")
        row |= {f"{name}_bleu": report["bleu"], f"{name}_chrf": report["chrf"],
                f"{name}_sent_per_s": report["sentences_per_s"]}
    return row


def p_values(baseline: Path, run_dir: Path, test: Path, resamples: int, trials: int) -> dict:
    """BLEU difference from the baseline run and its p-values, per decode, from the two runs' test hypotheses."""
    from nmt.training.compare import Sampling, compare_systems, hypotheses_only

    row = {}
    for name, _ in DECODES:
        report = compare_systems(test, baseline / f"test-{name}", run_dir / f"test-{name}", hypotheses_only,
                                 Sampling(resamples, trials))
        bleu = report["bleu"]
        row |= {f"{name}_diff": bleu["difference"], f"{name}_p_bootstrap": bleu["p_bootstrap"],
                f"{name}_p_ar": bleu["p_ar"]}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "bible-en-es.yaml", help="base config")
    parser.add_argument("--variants", "--kinds", default=DEFAULT_VARIANTS,
                        help=f"comma-separated, of: {', '.join(VARIANTS)} (default: {DEFAULT_VARIANTS})")
    parser.add_argument("--baseline", default="default", help="the variant the others are compared with (default: "
                        "default); trained and scored here, or in an earlier run under --out")
    parser.add_argument("--minutes", type=float, default=45.0, help="training budget per variant (default: 45)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "ablation", help="run directories' parent")
    parser.add_argument("--test", type=Path, default=TEST_SPLIT, help="test TSV (default: the Bible test books)")
    parser.add_argument("--skip-train", action="store_true", help="only score the variants already trained")
    parser.add_argument("--resamples", type=int, default=1000, help="paired bootstrap resamples (default: 1000)")
    parser.add_argument("--trials", type=int, default=10000, help="approximate randomization trials (default: 10000)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--dry-run", action="store_true", help="write and check the variants' configs, train nothing")
    args = parser.parse_args()
    names = args.variants.split(",")
    unknown = [n for n in names + [args.baseline] if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant {unknown[0]!r}; the variants: {', '.join(VARIANTS)}")
    configs = {name: variant_config(args.config, name, args.minutes, args.out) for name in names}
    for path in configs.values():  # every variant checked before hours of training start
        load_config(path)
    if args.dry_run:
        print("\n".join(f"{name}: {path}" for name, path in configs.items()))
        return 0

    rows = []
    for name in sorted(names, key=lambda n: n != args.baseline):  # the baseline first
        run_dir = args.out / name
        if not args.skip_train:
            train(configs[name], run_dir)
        rows.append({"variant": name, **training_figures(run_dir), **test_scores(run_dir, args.test)})
    baseline = args.out / args.baseline
    for row in rows:
        if row["variant"] != args.baseline and all((baseline / f"test-{d}").is_dir() for d, _ in DECODES):
            row |= p_values(baseline, args.out / row["variant"], args.test, args.resamples, args.trials)
    columns = ["variant", "params", "updates", "minutes", "train_tok_per_s", "dev_bleu", "greedy_bleu", "greedy_chrf",
               "greedy_p", "greedy_sent_per_s", "beam5_bleu", "beam5_chrf", "beam5_p", "beam5_sent_per_s"]
    print(f"{args.config.name}, {args.minutes:g} minutes per variant; test: {args.test}; p: BLEU against "
          f"{args.baseline}, paired bootstrap / approximate randomization")
    print_markdown([row | {f"{d}_p": f"{row[f'{d}_p_bootstrap']} / {row[f'{d}_p_ar']}" if f"{d}_p_ar" in row else "—"
                           for d, _ in DECODES} for row in rows], columns)
    curves = args.out / "ablation.png"
    plot_runs({name: args.out / name / "log.jsonl" for name in names}, curves,
              f"{args.config.stem}: train loss, {args.minutes:g} minutes per variant")
    print(f"train loss curves: {curves}")
    if args.json:
        print_json({"benchmark": "ablation", "minutes": args.minutes, "baseline": args.baseline,
                    "variants": {n: VARIANTS[n] for n in names}, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
