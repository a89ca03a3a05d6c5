"""`nmt average`: one bundle whose weights are the mean of a run's last kept checkpoints (train.keep_checkpoints).

Averaging the weights of the last few evaluations smooths out the noise of the final updates; for RNN and
Transformer NMT it is usually worth a few tenths of BLEU (Junczys-Dowmunt et al. 2016; Vaswani et al. 2017).
"""
from __future__ import annotations

from pathlib import Path

import torch

from nmt.model.bundle import load_bundle, save_bundle
from nmt.training.checkpoint import load_checkpoint
from nmt.training.plot import read_log
from nmt.training.trainer import kept_step, kept_weights


def average_run(run_dir: Path, out: Path, last: int, steps: list[int] | None = None) -> list[int]:
    """Write OUT: RUN_DIR/best with the mean weights of the last `last` kept checkpoints (or of those at `steps`).
    Returns their steps."""
    kept = {kept_step(path): path for path in kept_weights(run_dir)}
    if not kept:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no step-N.pt weights (train with train.keep_checkpoints)")
    missing = sorted(set(steps or []) - set(kept))
    if missing:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no weights of step {missing[0]} (kept: "
                                f"{', '.join(map(str, kept))})")
    chosen = sorted(steps) if steps else sorted(kept)[-last:]
    bundle = load_bundle(run_dir / "best")  # the run's config and subword models
    mean = {name: torch.zeros_like(value) for name, value in bundle.model.state_dict().items()}
    for step in chosen:
        for name, value in load_checkpoint(kept[step]).items():
            mean[name] += value.float() / len(chosen)
    bundle.model.load_state_dict(mean)
    bundle.summary = {**_at_step(bundle.summary, run_dir / "log.jsonl", chosen[-1]), "averaged_steps": chosen}
    save_bundle(bundle, out)
    return chosen


def _at_step(summary: dict, log: Path, step: int) -> dict:
    """The best bundle's summary with the training minutes and dev scores of the run's evaluation at `step` (the
    last averaged checkpoint) instead of the best one's; without them when the log has no evaluation there."""
    kept = {k: v for k, v in summary.items() if k not in ("step", "train_minutes", "dev")}
    records = read_log(log) if log.exists() else []
    evaluation = next((r for r in reversed(records) if r.get("step") == step and "dev_bleu" in r), None)
    if evaluation is None:
        return kept
    return {**kept, "step": step, "train_minutes": round(evaluation["minutes"], 1),
            "dev": {"bleu": evaluation["dev_bleu"], "chrf": evaluation["dev_chrf"]}}
