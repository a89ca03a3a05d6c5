"""Training checkpoints: written atomically, read back without unpickling arbitrary objects."""
from __future__ import annotations

from pathlib import Path

import torch

from nmt.training.files import atomic_open


def save_checkpoint(state: dict, path: Path) -> None:
    """Replace path with the state, atomically (training/files.py): a crash mid-write leaves the old checkpoint."""
    with atomic_open(path, "wb") as f:
        torch.save(state, f)


def load_checkpoint(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)
