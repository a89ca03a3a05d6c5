"""Cross-request batching: one model thread, fed by a bounded queue of sentences.

Requests put their sentences in the queue and await one future per sentence; each result goes back to its
request's event loop. Sentences of a request that gave up (timed out, client gone) are dropped before they reach
the model, and leave a running batch at the next step.

settings.batching chooses how the model thread batches:
  continuous  (iteration-level scheduling, greedy sentences without attention): one live batch runs the decoder
              step after step (Translator.stream()). Between two steps, waiting sentences join it: encoded
              together, their memory rows added to the batch's. A sentence that ends leaves at once and its
              result goes back right away, so a short sentence never waits for a long one to finish. Sentences
              start an empty batch once the oldest of them waited max_wait_ms. They join a running one together
              (encoding a few sentences costs about as much as one: the encoder's steps are sequential), once
              they are 1/8 of the live batch, or the oldest waited join_wait_ms, or they fill the budget:
              max_batch_tokens source tokens in the live batch (padding costs little there: only the attention
              reads it). The metric "sentences per model batch" is observed once per step: the live batch's size.
  request     a batch is formed from the oldest sentence's option group, oldest first, up to max_batch_tokens,
              once its oldest sentence waited max_wait_ms; it is translated as a whole (Translator.translate).
              Beam search and attention requests take this path under "continuous" too, between two steps.
  off         one sentence per model call, in arrival order (a baseline for benchmarks).
Translators without a step-level API (no stream(), e.g. test doubles) are batched per request.
"""
from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections import deque
from dataclasses import astuple, dataclass, field

from app.metrics import Metrics
from app.settings import Settings
from model.translator import DecodeOptions, Translation, Translator

log = logging.getLogger("nmt.service")
GIL_SWITCH_S = 0.0005  # see Batcher.start
JOIN_SHARE = 8  # waiting sentences join a running batch at once when they are 1/8 of it (module docstring)


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

    @property
    def greedy(self) -> bool:
        """Decodable in a continuous batch: greedy, one hypothesis, no attention."""
        o = self.options
        return o.beam_size == 1 and o.nbest == 1 and not o.with_attention

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
        continuous = settings.batching == "continuous" and hasattr(translator, "stream")
        self._stream = translator.stream() if continuous else None  # the live batch; keys: Jobs
        self._pending: deque[Job] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="nmt-model", daemon=True)

    # --- called from the event loop --------------------------------------------------------------
    def start(self) -> None:
        # The model thread gives the GIL up during every torch op and needs it back right after, dozens of times a
        # decoder step; a thread that holds it (the event loop, handling requests) lets go only after the switch
        # interval, 5 ms by default: shorter, so that the model does not wait on the web server.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
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
    def live(self) -> int:
        """Sentences in the continuous batch (being decoded now)."""
        return len(self._stream) if self._stream is not None else 0

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
        while (work := self._next_work()) is not None:
            joining, batch = work
            try:
                if batch:
                    self._process(batch)
                if joining:
                    self._admit(joining)
                if self._stream:
                    self._step()
            except Exception:  # never let the model thread die
                log.exception("model thread: a batch failed")
                for job in batch + self._take_live():
                    job.resolve(ModelFailed("translation failed"))
        for job in self._take_live():
            job.resolve(Stopped("the service is shutting down"))

    def _next_work(self) -> tuple[list[Job], list[Job]] | None:
        """Block until there is work: sentences due to join the live batch, a due batch for translate(), or a live
        batch to step. None once stopping."""
        with self._cond:
            while not self._stopping:
                self._drop_abandoned()
                joining, batch, wait = self._due()
                if joining or batch or self._stream:
                    if joining or batch:
                        taken = set(joining + batch)
                        self._pending = deque(job for job in self._pending if job not in taken)
                        self.metrics.queue_depth.set(len(self._pending))
                    return joining, batch
                self._cond.wait(wait)
            return None

    def _due(self) -> tuple[list[Job], list[Job], float | None]:
        """(sentences to join the live batch now, a batch to translate now, seconds until one of them is due)."""
        if self.settings.batching == "off":
            return [], [self._pending[0]] if self._pending else [], None
        joining, batch, waits = [], [], []
        if self._stream is not None:
            live = len(self._stream)
            group = [job for job in self._pending if job.greedy]
            joining, full = self._fill(group, live, self._stream.source_tokens, padded=False)
            enough = live > 0 and len(joining) * JOIN_SHARE >= live
            max_wait = self.settings.join_wait_ms if live else self.settings.max_wait_ms
            joining, wait = self._when_due(joining, full or enough, max_wait)
            waits.append(wait)
        group = [job for job in self._pending if self._stream is None or not job.greedy]
        if group:
            batch, full = self._fill([job for job in group if job.key == group[0].key])
            batch, wait = self._when_due(batch, full, self.settings.max_wait_ms)
            waits.append(wait)
        waits = [w for w in waits if w is not None]
        return joining, batch, min(waits) if waits else None

    def _fill(self, jobs: list[Job], rows: int = 0, tokens: int = 0, padded: bool = True) -> tuple[list[Job], bool]:
        """The first jobs that fit in max_batch_tokens beside `rows` rows of `tokens` source tokens; and whether the
        budget is full. padded: a batch costs its rows times its longest source (a padded tensor), else the sum."""
        taken, longest, total = [], 0, tokens
        for job in jobs:
            longest, total = max(longest, job.tokens), total + job.tokens
            cost = (len(taken) + 1) * longest if padded else total
            if rows + len(taken) > 0 and cost > self.settings.max_batch_tokens:
                return taken, True
            taken.append(job)
        return taken, False

    @staticmethod
    def _when_due(jobs: list[Job], full: bool, max_wait_ms: float) -> tuple[list[Job], float | None]:
        """The jobs if due (their budget is full, or the oldest waited max_wait_ms), else none and the wait left."""
        if not jobs:
            return [], None
        wait = jobs[0].queued_at + max_wait_ms / 1000 - time.monotonic()
        return (jobs, None) if full or wait <= 0 else ([], wait)

    def _drop_abandoned(self) -> None:
        if any(not job.ticket.live() for job in self._pending):
            self._pending = deque(job for job in self._pending if job.ticket.live())
            self.metrics.queue_depth.set(len(self._pending))

    # request-level batches
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

    # the continuous batch
    def _admit(self, jobs: list[Job]) -> None:
        """Encode the jobs and add them to the live batch; one that fails even alone gets ModelFailed."""
        ratio = jobs[0].options.max_len_ratio
        if any(job.options.max_len_ratio != ratio for job in jobs):  # rare: one encoder batch per ratio
            for job in jobs:
                self._admit([job])
            return
        try:
            self._stream.add([job.text for job in jobs], jobs, ratio)
        except Exception:
            if len(jobs) > 1:
                log.exception("model failed to encode %d sentences; adding them one by one", len(jobs))
                for job in jobs:
                    self._admit([job])
            else:
                log.error("model failed on one sentence (%d subwords)", jobs[0].tokens)
                jobs[0].resolve(ModelFailed("the model failed on this text"))

    def _step(self) -> None:
        """One decoder step of the live batch; sentences that ended get their results at once."""
        for job in self._stream.drop(lambda job: not job.ticket.live()):
            job.resolve(TimeoutError())  # nobody waits for it any more
        if not self._stream:
            return
        rows, start = len(self._stream), time.perf_counter()
        try:
            finished = self._stream.step()
        except Exception:
            log.exception("model failed on a step of %d sentences; translating them one by one", rows)
            for job in self._take_live():
                job.resolve(self._translate_alone(job))
            return
        self._record_step(rows, [t for _, t in finished], time.perf_counter() - start)
        for job, translation in finished:
            job.resolve(translation)

    def _record_step(self, rows: int, finished: list[Translation], seconds: float) -> None:
        m = self.metrics
        m.batch_sentences.observe(rows)
        m.model_seconds.inc(seconds)
        m.tokens_per_second.set(rows / seconds if seconds > 0 else 0.0)
        m.sentences.inc(len(finished))
        m.tokens.inc(sum(len(t.tgt_tokens) for t in finished))

    def _take_live(self) -> list[Job]:
        """Empty the live batch; its jobs."""
        if self._stream is None:
            return []
        return self._stream.drop(lambda job: True)
