"""Cross-request batching: one model thread, fed by a bounded queue of sentences.

Requests put their sentences in the queue and await one future per sentence. The model thread takes the
oldest sentence, waits up to max_wait_ms for others with the same decode options to join it, fills a batch
up to max_batch_tokens (padding counted), translates it, and hands each result back to its request's event
loop. Sentences of a request that gave up (timed out, client gone) are dropped before they reach the model.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from dataclasses import astuple, dataclass, field

from app.metrics import Metrics
from app.settings import Settings
from model.translator import DecodeOptions, Translation, Translator

log = logging.getLogger("nmt.service")


class QueueFull(Exception):
    """More sentences are waiting than the queue holds: try again later (503)."""


class ModelFailed(Exception):
    """The model raised on this sentence, even alone (500)."""


class Stopped(Exception):
    """The service is shutting down (503)."""


@dataclass(eq=False)
class Ticket:
    """A request's claim on the model; the model skips its sentences once the request is abandoned."""

    deadline: float  # time.monotonic()
    abandoned: bool = False

    def live(self) -> bool:
        return not self.abandoned and time.monotonic() < self.deadline


@dataclass(eq=False)
class Job:
    """One sentence waiting for the model."""

    text: str
    tokens: int
    options: DecodeOptions
    ticket: Ticket
    future: asyncio.Future
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> tuple:
        return astuple(self.options)

    def resolve(self, outcome: Translation | BaseException) -> None:
        """Called from the model thread: settle the future on its own event loop."""
        try:
            self.future.get_loop().call_soon_threadsafe(_settle, self.future, outcome)
        except RuntimeError:  # that loop is closed: nobody is waiting any more
            pass


def _settle(future: asyncio.Future, outcome: Translation | BaseException) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class Batcher:
    def __init__(self, translator: Translator, settings: Settings, metrics: Metrics):
        self.translator, self.settings, self.metrics = translator, settings, metrics
        self._pending: deque[Job] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="nmt-model", daemon=True)

    # --- called from the event loop --------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            left, self._pending = list(self._pending), deque()
            self._cond.notify_all()
        for job in left:
            job.resolve(Stopped("the service is shutting down"))
        self._thread.join(timeout)

    @property
    def queued(self) -> int:
        """Sentences waiting for the model (not counting the batch it is translating)."""
        return len(self._pending)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stopping

    async def translate(self, texts: list[str], options: DecodeOptions, timeout: float) -> list[Translation]:
        """Translate sentences alongside other requests' sentences; TimeoutError after timeout seconds."""
        if not texts:
            return []
        ticket = Ticket(deadline=time.monotonic() + timeout)
        futures = [job.future for job in self._submit(texts, options, ticket, asyncio.get_running_loop())]
        try:
            done, pending = await asyncio.wait(futures, timeout=timeout, return_when=asyncio.FIRST_EXCEPTION)
            failed = [f.exception() for f in futures if f in done and f.exception()]
            if failed:
                raise failed[0]
            if pending:
                raise TimeoutError
            return [f.result() for f in futures]
        finally:
            ticket.abandoned = True  # done, failed, timed out or cancelled: what is still queued is not wanted
            for f in futures:
                f.cancel()  # no-op on a settled future

    def _submit(self, texts: list[str], options: DecodeOptions, ticket: Ticket,
                loop: asyncio.AbstractEventLoop) -> list[Job]:
        lengths = [len(ids) + 1 for ids in self.translator.bundle.src_tokenizer.encode(texts)]  # + EOS
        jobs = [Job(text, n, options, ticket, loop.create_future()) for text, n in zip(texts, lengths)]
        with self._cond:
            if self._stopping:
                raise Stopped("the service is shutting down")
            if len(self._pending) + len(jobs) > self.settings.queue_size:
                self._drop_abandoned()  # make room: sentences of requests that gave up do not count
            if len(self._pending) + len(jobs) > self.settings.queue_size:
                raise QueueFull(f"the translation queue is full ({len(self._pending)} sentences waiting)")
            self._pending.extend(jobs)
            self.metrics.queue_depth.set(len(self._pending))
            self._cond.notify()
        return jobs

    # --- the model thread ------------------------------------------------------------------------
    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self._process(batch)
            except Exception:  # never let the model thread die
                log.exception("model thread: batch of %d sentences failed", len(batch))
                for job in batch:
                    job.resolve(ModelFailed("translation failed"))

    def _next_batch(self) -> list[Job] | None:
        """Block until a batch is due: its budget is full, or its oldest sentence waited max_wait_ms."""
        with self._cond:
            while not self._stopping:
                self._drop_abandoned()
                if not self._pending:
                    self._cond.wait()
                    continue
                batch, full = self._select()
                wait = self._pending[0].queued_at + self.settings.max_wait_ms / 1000 - time.monotonic()
                if wait > 0 and not full:
                    self._cond.wait(wait)
                    continue
                taken = set(batch)
                self._pending = deque(job for job in self._pending if job not in taken)
                self.metrics.queue_depth.set(len(self._pending))
                return batch
            return None

    def _select(self) -> tuple[list[Job], bool]:
        """The oldest sentence's option group, oldest first, within the token budget; and whether it is full."""
        key, budget = self._pending[0].key, self.settings.max_batch_tokens
        batch, longest = [], 0
        for job in self._pending:
            if job.key != key:
                continue
            if batch and (len(batch) + 1) * max(longest, job.tokens) > budget:
                return batch, True
            batch.append(job)
            longest = max(longest, job.tokens)
        return batch, False

    def _drop_abandoned(self) -> None:
        if any(not job.ticket.live() for job in self._pending):
            self._pending = deque(job for job in self._pending if job.ticket.live())
            self.metrics.queue_depth.set(len(self._pending))

    def _process(self, batch: list[Job]) -> None:
        batch.sort(key=lambda job: job.tokens)
        start = time.perf_counter()
        try:
            outcomes = self.translator.translate([job.text for job in batch], batch[0].options)
        except Exception:
            log.exception("model failed on a batch of %d sentences; retrying them one by one", len(batch))
            outcomes = [self._translate_alone(job) for job in batch]
        tokens = sum(len(o.tgt_tokens) for o in outcomes if isinstance(o, Translation))
        self.metrics.record_batch(len(batch), tokens, time.perf_counter() - start)
        for job, outcome in zip(batch, outcomes):
            job.resolve(outcome)

    def _translate_alone(self, job: Job) -> Translation | Exception:
        try:
            return self.translator.translate([job.text], job.options)[0]
        except Exception as e:
            log.error("model failed on one sentence (%d subwords): %s", job.tokens, type(e).__name__)
            return ModelFailed("the model failed on this text")
