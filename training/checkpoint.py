"""Training checkpoints: written atomically, read back without unpickling arbitrary objects."""
from __future__ import annotations

from pathlib import Path

import torch

from nmt.training.files import atomic_open


def save_checkpoint(state: dict, path: Path) -> None:
    """Replace path with the state, atomically (training/files.py): a crash mid-write leaves the old checkpoint."""
    with atomic_open(path, "wb") as f:
        torch.save(state, f)


class CheckpointError(ValueError):
    """A checkpoint that cannot be read: truncated (a disk that filled, a copy cut short), or not one of ours."""


def load_checkpoint(path: Path) -> dict:
    """The saved state; CheckpointError, one line naming the file, where torch would raise one of several errors
    (OSError, RuntimeError, UnpicklingError, ...) with a message of many lines, whose advice for an unpickling
    error (to load without weights_only) is wrong for a damaged file and unsafe for a foreign one."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as e:  # whatever a damaged file makes the unzipping or unpickling raise
        raise CheckpointError(f"{path}: damaged or not a checkpoint (torch.load: {type(e).__name__})") from None
