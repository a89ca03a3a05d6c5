"""training/pool.py ordered_map: results in input order from worker processes, and a worker that dies is an
error, not a wait without end."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nmt.training.pool import WorkerDied, ordered_map


def test_results_come_in_input_order():
    assert list(ordered_map(abs, range(-20, 0), workers=2)) == list(range(20, 0, -1))


def test_a_worker_that_dies_raises_instead_of_waiting_forever():
    with pytest.raises(WorkerDied, match="worker processes died"):
        list(ordered_map(os._exit, [3], workers=2))  # the worker ends without answering, as when OOM-killed


def _sleep_then_mark(task: tuple[float, str]) -> int:
    """Sleep, then leave a file; 0 s: answer at once with this worker's pid."""
    seconds, marker = task
    if not seconds:
        return os.getpid()
    Path(marker + f".{os.getpid()}").touch()
    time.sleep(seconds)
    Path(marker).touch()
    return 0


def test_stopped_early_ends_the_tasks_under_way_instead_of_waiting_for_them(tmp_path):
    # as Ctrl-C or an error in the caller stops `nmt prepare`: a task that would go on for a while is not waited for
    marker = str(tmp_path / "finished")
    results = ordered_map(_sleep_then_mark, [(0, marker), (10, marker)], workers=2)
    next(results)
    while not list(tmp_path.glob("finished.*")):  # the long task has started
        time.sleep(0.05)
    results.close()
    assert not Path(marker).exists()


ORPHAN = """
import sys
from nmt.training.pool import ordered_map
from test_pool import _sleep_then_mark
for pid in ordered_map(_sleep_then_mark, [(0, sys.argv[1]), (60, sys.argv[1])], workers=2):
    print(pid, flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel's parent-death signal (prctl) is Linux's")
def test_workers_end_with_a_process_killed_outright(tmp_path):
    # kill -9 (or the OOM killer) of `nmt prepare`: its workers went on holding their memory, waiting for tasks
    marker = str(tmp_path / "finished")
    # (the spawned workers import the task from this module: they find it, as the parent does, by PYTHONPATH)
    path = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN, marker], stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": path})
    workers = [int(parent.stdout.readline())]  # type: ignore[union-attr]
    while not (started := list(tmp_path.glob("finished.*"))):
        time.sleep(0.05)
    workers.append(int(started[0].suffix[1:]))
    parent.kill()
    parent.wait()
    try:
        for _ in range(100):
            if not any(map(_alive, workers)):
                break
            time.sleep(0.1)
        assert not any(map(_alive, workers))
    finally:
        for pid in filter(_alive, workers):
            os.kill(pid, signal.SIGKILL)
