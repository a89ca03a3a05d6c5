"""The training log (out_dir/log.jsonl) read back, and PNGs of its curves: one run's train loss and dev BLEU against
steps, or several runs' train loss against wall-clock minutes (runs of one budget, side by side)."""
from __future__ import annotations

import json
from pathlib import Path

from nmt.training.files import atomic_open


def read_log(log_path: Path) -> list[dict]:
    """The log's records, oldest first: training lines ("loss") and evaluations ("dev_bleu"). The last line, when it
    is not a whole record (a kill or a full disk cut its append short), is left out: a --resume rewrites the log
    without it (trainer.py's _truncate_log). Any other line that is not a record is an error: a --resume would have
    rewritten the log without it, silently."""
    lines = log_path.read_text(encoding="utf-8").splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and isinstance(record.get("step"), int):
            records.append(record)
        elif number < len(lines):
            raise ValueError(f"{log_path}: line {number} is not a record of the training log: {line[:60]!r}")
    return records


SMOOTHING = 5  # log lines per point of plot_runs' curves: one line's loss is a few batches', too noisy to compare runs


def _running_mean(values: list[float], n: int) -> list[float]:
    """Each value replaced by the mean of it and the n - 1 before it (fewer at the start)."""
    return [sum(values[max(0, i - n + 1):i + 1]) / (i + 1 - max(0, i - n + 1)) for i in range(len(values))]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display, whatever the machine has
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, png_path: Path) -> None:
    """Write the PNG whole or not at all (a full disk leaves the last one)."""
    try:
        fig.tight_layout()
        with atomic_open(png_path, "wb") as f:
            fig.savefig(f, format="png", dpi=100)
    finally:
        plt.close(fig)


def plot_log(log_path: Path, png_path: Path) -> None:
    plt = _pyplot()
    records = read_log(log_path)
    train = [r for r in records if "loss" in r]
    dev = [r for r in records if "dev_bleu" in r]
    fig, ax_loss = plt.subplots(figsize=(8, 4.5))
    ax_loss.plot([r["step"] for r in train], [r["loss"] for r in train], color="tab:blue", lw=1, label="train loss")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("train loss (label-smoothed)", color="tab:blue")
    ax_bleu = ax_loss.twinx()
    ax_bleu.plot([r["step"] for r in dev], [r["dev_bleu"] for r in dev], "o-", color="tab:red", label="dev BLEU")
    ax_bleu.set_ylabel("dev BLEU", color="tab:red")
    ax_loss.set_title(f"{log_path.parent.name}: train loss and dev BLEU")
    _save(plt, fig, png_path)


def plot_runs(logs: dict[str, Path], png_path: Path, title: str) -> None:
    """The train loss of each named run's log against its wall-clock minutes, one line a run: what each run
    learned in the same time (the ablation's variants)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, log_path in logs.items():
        train = [r for r in read_log(log_path) if "loss" in r]
        ax.plot([r["minutes"] for r in train], _running_mean([r["loss"] for r in train], SMOOTHING), lw=1, label=name)
    ax.set_xlabel("minutes of training")
    ax.set_ylabel(f"train loss (label-smoothed), mean of {SMOOTHING} log lines")
    ax.set_title(title)
    ax.legend()
    _save(plt, fig, png_path)
