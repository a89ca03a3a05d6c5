"""benchmarks/train_speed.py as the README runs it: the default model (the shipped en-es, which carries names)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_train_speed_times_steps_of_the_shipped_model(tmp_path):
    train = tmp_path / "train.tsv"  # a few dev verses: the steps, not the corpus, are timed
    train.write_text("".join((ROOT / "data" / "bible" / "dev.tsv").read_text(encoding="utf-8").splitlines(True)[:40]),
                     encoding="utf-8")
    out = subprocess.run([sys.executable, "benchmarks/train_speed.py", "--train", str(train), "--steps", "1",
                          "--batch-tokens", "300", "--attentions", "none", "--amps", "fp32", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = json.loads(out.stdout.splitlines()[-1])["rows"]
    assert [(r["attention"], r["amp"], r["steps"]) for r in rows] == [("none", "fp32", 1)] and rows[0]["tokens"] > 0
