"""The training log (out_dir/log.jsonl) read back, and a PNG of its curves: train loss and dev BLEU against steps."""
from __future__ import annotations

import json
from pathlib import Path


def read_log(log_path: Path) -> list[dict]:
    """The log's records, oldest first: training lines ("loss") and evaluations ("dev_bleu")."""
    return [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def plot_log(log_path: Path, png_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
