"""Work spread over the CPU cores, results in input order, with only a few tasks in flight (the input may be a
stream of gigabytes: it is read as the workers keep up, not ahead of them)."""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """fn over items in `workers` processes (spawned: the trainer's torch threads are not forked), or inline
    when workers is 1."""
    if workers <= 1:
        yield from map(fn, items)
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        window: deque = deque()
        for item in items:
            window.append(pool.apply_async(fn, (item,)))
            if len(window) >= 2 * workers:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()
