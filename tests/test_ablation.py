"""benchmarks/ablation.py end to end on the toy corpus: every variant is trained within its budget, scored, and
compared with the baseline."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_training import write_config

from nmt.training.config import load_config

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ["default", "peephole", "cifg", "loop", "gru", "elman", "reverse", "depth1", "depth3", "none", "bahdanau",
            "luong"]


def test_ablation_trains_scores_and_compares_each_variant(toy_corpus, tmp_path):
    base = write_config(tmp_path / "base.yaml", toy_corpus, tmp_path / "unused", eval_every=20)
    out = subprocess.run([sys.executable, "benchmarks/ablation.py", "--config", str(base), "--variants", "luong,none",
                          "--baseline", "none", "--minutes", "0.1", "--out", str(tmp_path / "ablation"),
                          "--test", str(toy_corpus["dev"]), "--resamples", "50", "--trials", "100", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = json.loads(out.stdout.splitlines()[-1])["rows"]
    assert [r["variant"] for r in rows] == ["none", "luong"]  # the baseline first
    for row in rows:
        assert row["updates"] > 0 and row["minutes"] <= 0.1 + 0.05 and row["params"] > 0
        assert 0 <= row["greedy_bleu"] <= 100 and row["beam5_sent_per_s"] > 0
    assert "greedy_p_bootstrap" not in rows[0]  # the baseline is not compared with itself
    for decode in ("greedy", "beam5"):
        assert 0 < rows[1][f"{decode}_p_bootstrap"] <= 1 and 0 < rows[1][f"{decode}_p_ar"] <= 1
        assert rows[1][f"{decode}_diff"] == pytest.approx(rows[1][f"{decode}_bleu"] - rows[0][f"{decode}_bleu"], abs=0.01)
    assert "| none |" in out.stdout and "| luong |" in out.stdout
    assert (tmp_path / "ablation" / "ablation.png").read_bytes().startswith(b"\x89PNG")
    variant = (tmp_path / "ablation" / "none" / "variant.yaml").read_text()
    assert "attention: none" in variant and "max_minutes: 0.1" in variant


def test_an_unknown_variant_is_a_usage_error(tmp_path):
    out = subprocess.run([sys.executable, "benchmarks/ablation.py", "--variants", "default,peepholes", "--out",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "unknown variant 'peepholes'" in out.stderr
    assert not any(tmp_path.iterdir())


def test_every_variant_is_a_valid_config(toy_corpus, tmp_path):
    base = write_config(tmp_path / "base.yaml", toy_corpus, tmp_path / "unused")
    out = subprocess.run([sys.executable, "benchmarks/ablation.py", "--config", str(base), "--variants",
                          ",".join(VARIANTS), "--minutes", "1", "--out", str(tmp_path / "ablation"), "--dry-run"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    models = {}
    for name in VARIANTS:
        cfg = load_config(tmp_path / "ablation" / name / "variant.yaml")
        assert cfg.out_dir == tmp_path / "ablation" / name and cfg.train.max_minutes == 1.0
        models[name] = cfg.model.model_dump(exclude={"attention"})
    assert not (tmp_path / "ablation" / "default" / "checkpoints").exists(), "a dry run trains nothing"
    assert models["peephole"]["enc_cell"] == "peephole_lstm" and models["depth3"]["enc_layers"] == 3
    assert models["default"] == models["bahdanau"] and models["reverse"]["reverse_source"]
