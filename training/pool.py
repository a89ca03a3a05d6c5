"""Work spread over the CPU cores, results in input order, with only a few tasks in flight (the input may be a
stream of gigabytes: it is read as the workers keep up, not ahead of them)."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerDied(Exception):
    """A worker process ended before it answered (killed by a signal, or by the kernel for want of memory)."""


PR_SET_PDEATHSIG = 1  # prctl(2)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """fn over items in `workers` processes (spawned: the trainer's torch threads are not forked), or inline
    when workers is 1. A worker that dies raises WorkerDied: a multiprocessing.Pool would wait for its answer
    forever. Stopped early (Ctrl-C, SIGTERM, an error, the caller done with it), the workers are ended, not waited
    for; and they end with this process however it ends (kill -9, the kernel's OOM killer)."""
    if workers <= 1:
        yield from map(fn, items)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_die_with,
                               initargs=(os.getpid(),))
    try:
        window: deque[Future[R]] = deque()
        for item in items:
            window.append(pool.submit(fn, item))
            if len(window) >= 2 * workers:
                yield _result(window.popleft(), workers)
        while window:
            yield _result(window.popleft(), workers)
    except BaseException:
        # The tasks under way are no longer wanted, and one may run for a minute in C++ that no signal reaches
        # (SentencePiece learning a side): waiting for it held Ctrl-C up that long (benchmarks/README.md, guards).
        # (Python 3.14: terminate_workers.)
        for process in list(pool._processes.values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _die_with(parent: int) -> None:
    """A worker's first act: be killed when `parent` ends. A worker whose parent is gone waits for its next task
    forever (its own copy of the task queue's pipe keeps that open), holding its memory: each of `nmt prepare`'s
    held 650 MB after a kill -9 of the main process."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before prctl took effect
        os._exit(1)


def _result(future: Future[R], workers: int) -> R:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerDied(f"one of {workers} worker processes died before it answered (killed, or out of memory? "
                         "`dmesg` tells); nothing it was making was kept") from None
