"""Crash-safe training, reduced from scripts/kill_resume.py: a toy run killed with SIGKILL at random moments
and resumed ends bit for bit where an uninterrupted run ends, and no checkpoint on disk is ever half-written."""
from __future__ import annotations

import random

from kill_resume import compare, out_dir, run_to_end, run_with_kills, step_of, write_config


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
