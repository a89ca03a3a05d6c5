"""benchmarks/ablation.py end to end on the toy corpus: every variant is trained within its budget and scored."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_training import write_config

ROOT = Path(__file__).resolve().parent.parent


def test_ablation_trains_and_scores_each_attention_kind(toy_corpus, tmp_path):
    base = write_config(tmp_path / "base.yaml", toy_corpus, tmp_path / "unused", eval_every=20)
    out = subprocess.run([sys.executable, "benchmarks/ablation.py", "--config", str(base), "--kinds", "none,luong",
                          "--minutes", "0.1", "--out", str(tmp_path / "ablation"), "--test", str(toy_corpus["dev"]),
                          "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = json.loads(out.stdout.splitlines()[-1])["rows"]
    assert [r["attention"] for r in rows] == ["none", "luong"]
    for row in rows:
        assert row["updates"] > 0 and row["minutes"] <= 0.1 + 0.05 and row["params"] > 0
        assert 0 <= row["greedy_bleu"] <= 100 and row["beam5_sent_per_s"] > 0
    assert "| none |" in out.stdout and "| luong |" in out.stdout
    variant = (tmp_path / "ablation" / "none" / "variant.yaml").read_text()
    assert "attention: none" in variant and "max_minutes: 0.1" in variant
