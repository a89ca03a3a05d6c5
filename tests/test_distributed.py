"""Data-parallel training: torchrun with 2 gloo processes on CPU trains one model together."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_training import write_config


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("torchrun") is None, reason="torchrun is not installed")
def test_two_gloo_processes_train_together(toy_corpus, tmp_path):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=60, eval_every=30, threads=1)
    root = str(Path(__file__).resolve().parent.parent)  # this checkout's cli, whatever pip install -e points at
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": root}
    done = subprocess.run(["torchrun", "--standalone", "--nproc_per_node=2", "-m", "nmt.cli", "train", str(config)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
                          )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 processes" in done.stdout
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    bleus = [r["dev_bleu"] for r in log if "dev_bleu" in r]
    assert len(bleus) == 2 and bleus[-1] > bleus[0], bleus
    assert (tmp_path / "run" / "best" / "manifest.json").exists()
