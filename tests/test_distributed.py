"""Data-parallel training: torchrun with 2 gloo processes on CPU trains one model together."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from test_training import write_config

import nmt
from nmt.training.checkpoint import load_checkpoint

# The processes' PYTHONPATH: the folder of the nmt this test imported, this checkout's whatever pip install -e points
# at, and so its nmt.training too (the checkout's root gave its nmt/cli.py beside the installed training/).
ROOT = str(Path(nmt.__file__).parent.parent)


def torchrun(config: Path, cwd: Path, *flags: str) -> subprocess.CompletedProcess:
    """`nmt train` as two gloo processes on the CPU; asserts it succeeded."""
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": ROOT}
    done = subprocess.run(["torchrun", "--standalone", "--nproc_per_node=2", "-m", "nmt.cli", "train", str(config),
                           *flags], capture_output=True, text=True, timeout=300, env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


no_torchrun = pytest.mark.skipif(shutil.which("torchrun") is None, reason="torchrun is not installed")


@pytest.mark.slow
@no_torchrun
def test_two_gloo_processes_train_together(toy_corpus, tmp_path):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=60, eval_every=30, threads=1)
    done = torchrun(config, tmp_path)
    assert "2 processes" in done.stdout
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    bleus = [r["dev_bleu"] for r in log if "dev_bleu" in r]
    assert len(bleus) == 2 and bleus[-1] > bleus[0], bleus
    assert (tmp_path / "run" / "best" / "manifest.json").exists()


@pytest.mark.slow
@no_torchrun
def test_two_gloo_processes_resume_exactly(toy_corpus, tmp_path):
    """Two ranks trained 40 updates straight, and 20 then --resume'd to 40, end with the same weights."""
    straight = write_config(tmp_path / "a.yaml", toy_corpus, tmp_path / "a", max_steps=40, eval_every=20, threads=1)
    torchrun(straight, tmp_path)
    halves = write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=20, eval_every=20, threads=1)
    torchrun(halves, tmp_path)
    write_config(tmp_path / "b.yaml", toy_corpus, tmp_path / "b", max_steps=40, eval_every=20, threads=1)
    assert "resumed at step 20" in torchrun(halves, tmp_path, "--resume").stdout
    a = load_checkpoint(tmp_path / "a" / "checkpoints" / "last.pt")
    b = load_checkpoint(tmp_path / "b" / "checkpoints" / "last.pt")
    for name in a["model"]:
        assert torch.equal(a["model"][name], b["model"][name]), name


@pytest.mark.slow
@no_torchrun
def test_a_two_process_run_resumed_by_one_says_where_its_epoch_goes_on(toy_corpus, tmp_path):
    config = write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=3, eval_every=3, threads=1)
    torchrun(config, tmp_path)
    assert load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")["progress"]["batch_in_epoch"] == 3
    write_config(tmp_path / "c.yaml", toy_corpus, tmp_path / "run", max_steps=5, eval_every=3, threads=1)
    done = subprocess.run([sys.executable, "-m", "nmt.cli", "train", str(config), "--resume"], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env=os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr[-3000:]
    assert ("the run was saved by 2 process(es) and goes on with 1: this epoch continues from batch 6 of its plan, "
            "and the weights will not be those of an uninterrupted run") in done.stdout
    assert load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")["progress"]["batch_in_epoch"] == 8


@pytest.mark.parametrize("world_size, code", [("2", 3), ("1", 0)])
def test_a_torchrun_process_ends_at_once_with_its_output_flushed(world_size, code):
    """end_torchrun_process skips the interpreter's finalization (where gloo's threads can abort the process) in a
    torchrun job's process only; what it printed is not lost."""
    script = ("import sys; from nmt.training.torchrun import end_torchrun_process; print('said', end=''); "
              "end_torchrun_process(3); sys.exit(0)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=os.environ | {"WORLD_SIZE": world_size})
    assert (done.returncode, done.stdout) == (code, "said")
