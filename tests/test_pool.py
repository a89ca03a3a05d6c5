"""training/pool.py ordered_map: results in input order from worker processes, and a worker that dies is an
error, not a wait without end."""
from __future__ import annotations

import os

import pytest

from nmt.training.pool import WorkerDied, ordered_map


def test_results_come_in_input_order():
    assert list(ordered_map(abs, range(-20, 0), workers=2)) == list(range(20, 0, -1))


def test_a_worker_that_dies_raises_instead_of_waiting_forever():
    with pytest.raises(WorkerDied, match="worker processes died"):
        list(ordered_map(os._exit, [3], workers=2))  # the worker ends without answering, as when OOM-killed
