"""What the scheduler's threads share: a sentence waiting for the model (Job), the request it belongs to (Ticket),
and the bounded queue they wait in (JobQueue), guarded by one condition variable."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from nmt.app.metrics import Metrics
from nmt.model.batching import batch_bounds
from nmt.model.search import Hypothesis
from nmt.model.translator import DecodeOptions, SourceSentence

log = logging.getLogger("nmt.service")
W = TypeVar("W")  # what a model thread waits for


class QueueFull(Exception):
    """More sentences are waiting than the queue holds: try again later (503)."""


class ModelFailed(Exception):
    """The model raised on this sentence, even alone (500)."""


class Stopped(Exception):
    """The service is shutting down (503)."""


@dataclass(eq=False)
class Ticket:
    """A request's claim on the model; the model skips its sentences once the request is abandoned, but for those
    another request waits for too (Job.wanted)."""

    deadline: float  # time.monotonic()
    small: bool = False  # far smaller than the requests in flight: its sentences decode first (app/policies.py)
    abandoned: bool = False

    def live(self) -> bool:
        return not self.abandoned and time.monotonic() < self.deadline


Outcome = list[Hypothesis] | BaseException


@dataclass(eq=False)
class Job:
    """One sentence waiting for the model; its future gets the sentence's hypotheses, best first."""

    sentence: SourceSentence
    options: DecodeOptions
    ticket: Ticket
    future: asyncio.Future[list[Hypothesis]]
    queued_at: float = field(default_factory=time.monotonic)
    taken_at: float = 0.0  # out of the queue (continuous batching: by the encoder thread)
    encoded_at: float = 0.0  # continuous batching: encoded, handed to a lane
    joined_at: float = 0.0  # continuous batching: in its lane's live batch
    seated: bool = False  # taken for the live batch: its cost counts against the live batch's budget
    waiters: list[Ticket] = field(default_factory=list)  # other requests waiting for its search (Scheduler._joined)

    def wanted(self) -> bool:
        """Whether a request still waits for it: its own, or one that joined its search; once not, never again (a
        request joins only a wanted job)."""
        return self.ticket.live() or any(ticket.live() for ticket in self.waiters)

    @property
    def cost(self) -> int:
        """Source tokens it puts in a batch: one row per hypothesis."""
        return len(self.sentence.ids) * self.options.beam.rows

    def phases(self, done: float) -> dict[str, float]:
        """Seconds from queued to done, phase by phase: queued, then encoding (the encoder thread's backlog
        included), joining (a live batch, at its lane's next step) and decoding; a request-level batch is searched
        whole, its encoding counted as decoding."""
        if not self.joined_at:
            return {"queued": self.taken_at - self.queued_at, "decoding": done - self.taken_at}
        return {"queued": self.taken_at - self.queued_at, "encoding": self.encoded_at - self.taken_at,
                "joining": self.joined_at - self.encoded_at, "decoding": done - self.joined_at}

    def resolve(self, outcome: Outcome) -> None:
        """Called from a model thread: settle the future on its own event loop."""
        try:
            self.future.get_loop().call_soon_threadsafe(_settle, self.future, outcome)
        except RuntimeError:  # that loop is closed: nobody is waiting any more
            pass


def _settle(future: asyncio.Future[list[Hypothesis]], outcome: Outcome) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class JobQueue:
    """The sentences waiting for the model, oldest first, at most `size`; `cond` guards everything here and
    wakes the model threads when work comes or room is made."""

    def __init__(self, size: int, metrics: Metrics):
        self.size, self.metrics = size, metrics
        self.pending: deque[Job] = deque()
        self.cond = threading.Condition()
        self.stopping = False
        self.seated_cost = 0  # cost of the seated jobs (being encoded, waiting to join, or in the live batch)
        self.live_rows = 0  # rows of the live batch, as its model thread last published them
        self._counted = 0  # what this queue has added to the metrics' queue depth

    def put(self, jobs: list[Job]) -> None:
        with self.cond:
            if self.stopping:
                raise Stopped("the service is shutting down")
            if len(self.pending) + len(jobs) > self.size:
                self.drop_abandoned()  # make room: sentences of requests that gave up do not count
            if len(self.pending) + len(jobs) > self.size:
                raise QueueFull(f"the translation queue is full ({len(self.pending)} sentences waiting)")
            self.pending.extend(jobs)
            self._changed()

    def take(self, jobs: list[Job], seat: bool = False) -> None:
        """Remove jobs from the queue (holding cond); seat: they go to the live batch, their cost counts."""
        if jobs:
            now = time.monotonic()
            for job in jobs:
                job.taken_at = now
            taken = set(jobs)
            self.pending = deque(job for job in self.pending if job not in taken)
            self._changed()
        if seat:
            for job in jobs:
                job.seated = True
            self.seated_cost += sum(job.cost for job in jobs)

    def unseat(self, jobs: list[Job]) -> None:
        """Jobs that left the live batch (or never joined it): their cost frees room for waiting sentences."""
        seated = [job for job in jobs if job.seated]
        if seated:
            for job in seated:
                job.seated = False
            with self.cond:
                self.seated_cost -= sum(job.cost for job in seated)
                self.cond.notify_all()

    def fail(self, jobs: list[Job], error: Exception) -> None:
        self.unseat(jobs)
        for job in jobs:
            job.resolve(error)

    def drop_abandoned(self) -> None:
        """Forget the sentences of requests that gave up (holding cond)."""
        if any(not job.wanted() for job in self.pending):
            self.pending = deque(job for job in self.pending if job.wanted())
            self._changed()

    def wait_for(self, pick: Callable[[], tuple[W | None, float | None]]) -> W | None:
        """Block until pick() gives work; it is called holding cond, after the abandoned jobs are dropped, and also
        says how many seconds to wait before asking again (None: until woken). None once stopping."""
        with self.cond:
            while not self.stopping:
                self.drop_abandoned()
                work, wait = pick()
                if work is not None:
                    return work
                self.cond.wait(wait)
            return None

    def stop(self) -> list[Job]:
        """No more work: wake every thread; the jobs still waiting, for the caller to fail."""
        with self.cond:
            self.stopping = True
            left, self.pending = list(self.pending), deque()
            self._changed()
        return left

    def _changed(self) -> None:
        # The gauge counts the sentences waiting in every model's queue: each queue adds what it changed by.
        self.metrics.queue_depth.inc(len(self.pending) - self._counted)
        self._counted = len(self.pending)
        self.cond.notify_all()


def fill(jobs: list[Job], budget: int) -> tuple[list[Job], bool]:
    """The first jobs that make one padded batch within budget (model/batching.py's rule, on their costs), and
    whether the budget is full. The first job always fits."""
    if not jobs:
        return [], False
    end = int(batch_bounds(np.array([job.cost for job in jobs]), budget)[1])
    return jobs[:end], end < len(jobs)


def fill_beside(jobs: list[Job], budget: int, seated_cost: int) -> tuple[list[Job], bool]:
    """The first jobs whose costs fit in budget beside seated_cost, summed: the live batch's sources (only
    attention reads their padding); and whether the budget is full. The first job fits into an empty batch."""
    taken: list[Job] = []
    total = seated_cost
    for job in jobs:
        total += job.cost
        if (taken or seated_cost) and total > budget:
            return taken, True
        taken.append(job)
    return taken, False


def when_due(jobs: list[Job], full: bool, max_wait_ms: float) -> tuple[list[Job], float | None]:
    """The jobs if due (their budget is full, or the oldest waited max_wait_ms), else none and the wait left."""
    if not jobs:
        return [], None
    wait = jobs[0].queued_at + max_wait_ms / 1000 - time.monotonic()
    return (jobs, None) if full or wait <= 0 else ([], wait)
