"""What a process learns from torchrun's environment (WORLD_SIZE, RANK), without torch.

Commands that need no torch (`nmt prepare`, `nmt translate`'s start) ask whether they run in a torchrun job: importing
distributed.py for that loaded torch (~470 MB) into their main process. distributed.py joins the job itself.
"""
from __future__ import annotations

import os
import sys


def torchrun_world_size() -> int:
    """How many processes torchrun started for this job (its WORLD_SIZE); 1 outside torchrun."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def torchrun_rank() -> int:
    """This process's rank in a torchrun job (its RANK); 0 outside torchrun."""
    return int(os.environ.get("RANK", "0"))


def end_torchrun_process(code: int) -> None:
    """In a process of a torchrun job (WORLD_SIZE > 1), end it now, without Python's finalization; elsewhere return.

    DistributedDataParallel keeps the gloo process group, and so its worker threads, alive past
    destroy_process_group(). A worker that drops the last reference to a collective's tensor while the interpreter
    finalizes takes the GIL, and the process aborts ("terminate called without an active exception", a few runs in a
    hundred). Every file a run writes is closed before this, and the streams are flushed here.
    """
    if torchrun_world_size() > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
