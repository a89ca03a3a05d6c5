"""`nmt average`: one bundle whose weights are the mean of a run's last kept checkpoints (train.keep_checkpoints).

Averaging the weights of the last few evaluations smooths out the noise of the final updates; for RNN and
Transformer NMT it is usually worth a few tenths of BLEU (Junczys-Dowmunt et al. 2016; Vaswani et al. 2017).
"""
from __future__ import annotations

from pathlib import Path

import torch

from nmt.model.bundle import load_bundle, save_bundle
from nmt.training.checkpoint import load_checkpoint
from nmt.training.trainer import kept_step, kept_weights


def average_run(run_dir: Path, out: Path, last: int) -> list[int]:
    """Write OUT: RUN_DIR/best with the mean weights of the last `last` kept checkpoints. Returns their steps."""
    paths = kept_weights(run_dir)[-last:]
    if not paths:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no step-N.pt weights (train with train.keep_checkpoints)")
    bundle = load_bundle(run_dir / "best")  # the run's config and subword models
    mean = {name: torch.zeros_like(value) for name, value in bundle.model.state_dict().items()}
    for path in paths:
        for name, value in load_checkpoint(path).items():
            mean[name] += value.float() / len(paths)
    bundle.model.load_state_dict(mean)
    steps = [kept_step(path) for path in paths]
    bundle.summary = {**bundle.summary, "averaged_steps": steps}
    save_bundle(bundle, out)
    return steps
