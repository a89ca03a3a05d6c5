"""Crash-safe training, reduced from scripts/kill_resume.py: a toy run killed with SIGKILL at random moments
and resumed ends bit for bit where an uninterrupted run ends, and no checkpoint on disk is ever half-written."""
from __future__ import annotations

import random
import signal
import time

from nmt.scripts.kill_resume import compare, out_dir, run_to_end, run_with_kills, start, step_of, write_config


def test_killed_and_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path):
    straight, killed = (write_config(tmp_path, name, steps=40, eval_every=10, seed=1, train_pairs=600)
                        for name in ("straight", "killed"))
    timeline = run_to_end(straight).step_at
    runs = run_with_kills(killed, kills=3, step_at=timeline, rng=random.Random(0))
    assert len(runs.killed_at_steps) >= 2 and runs.started == len(runs.killed_at_steps) + 1
    assert runs.watch.checkpoints_loaded >= 2 and runs.watch.broken == []
    assert step_of(straight) == step_of(killed) == 40
    tensors, difference = compare(*(out_dir(config) / "checkpoints" / "last.pt" for config in (straight, killed)))
    assert tensors > 10 and difference == 0


def test_ctrl_c_checkpoints_the_step_it_stopped_at_and_resume_ends_where_an_uninterrupted_run_ends(tmp_path):
    straight, stopped = (write_config(tmp_path, name, steps=60, eval_every=60, seed=1, train_pairs=600)
                         for name in ("straight", "stopped"))
    run_to_end(straight)
    first_log_line = out_dir(stopped) / "log.jsonl"  # at step 50; the only evaluation and checkpoint come at 60
    with open(tmp_path / "stopped.log", "wb") as log:
        proc = start(stopped, log)
        while not first_log_line.exists() and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        assert proc.wait() == 130  # interrupted, not finished
        output = (tmp_path / "stopped.log").read_text()
        assert f"stopped at step {step_of(stopped)}, its checkpoint saved" in output and "Traceback" not in output
        assert 50 <= step_of(stopped) < 60
        assert start(stopped, log).wait() == 0  # --resume
    assert step_of(straight) == step_of(stopped) == 60
    tensors, difference = compare(*(out_dir(config) / "checkpoints" / "last.pt" for config in (straight, stopped)))
    assert tensors > 10 and difference == 0
