"""Work spread over the CPU cores, results in input order, with only a few tasks in flight (the input may be a
stream of gigabytes: it is read as the workers keep up, not ahead of them)."""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerDied(Exception):
    """A worker process ended before it answered (killed by a signal, or by the kernel for want of memory)."""


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """fn over items in `workers` processes (spawned: the trainer's torch threads are not forked), or inline
    when workers is 1. A worker that dies raises WorkerDied: a multiprocessing.Pool would wait for its answer
    forever."""
    if workers <= 1:
        yield from map(fn, items)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        window: deque[Future[R]] = deque()
        for item in items:
            window.append(pool.submit(fn, item))
            if len(window) >= 2 * workers:
                yield _result(window.popleft(), workers)
        while window:
            yield _result(window.popleft(), workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _result(future: Future[R], workers: int) -> R:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerDied(f"one of {workers} worker processes died before it answered (killed, or out of memory? "
                         "`dmesg` tells); nothing it was making was kept") from None
