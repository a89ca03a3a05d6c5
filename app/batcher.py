"""Cross-request batching: one model thread (and its encoder thread), fed by a bounded queue of sentences.

Requests put their sentences in the queue and await one future per sentence; each result goes back to its
request's event loop. Sentences of a request that gave up (timed out, client gone) are dropped before they reach
the model, and leave a running batch at the next step.

settings.batching chooses how the model thread batches:
  continuous  (iteration-level scheduling, greedy sentences without attention): one live batch runs the decoder
              step after step (Translator.stream()) on the model thread. A second thread, the encoder thread,
              encodes waiting sentences while the decoder steps (torch releases the GIL inside its ops, so the
              two use two cores); they join the live batch between two steps. A sentence that ends leaves at
              once and its result goes back right away, so a short sentence never waits for a long one.
              Encoding a sentence costs about half as much as decoding it, less in bigger batches: the encoder
              thread takes waiting sentences together once they are 1/4 of the live batch, or the oldest waited
              join_wait_ms, or they fill the budget: max_batch_tokens source tokens in the live batch (padding
              not counted: only the attention reads it). An empty batch starts once the oldest waited
              max_wait_ms. It encodes what it took shortest first, in chunks of ENCODE_CHUNK_TOKENS (padding
              included), and each chunk joins as soon as it is encoded: a short sentence taken together with a long
              request's sentences does not wait for theirs (beyond ~8 rows encoding costs about the same per
              sentence in any batch size: measured). The live batch belongs to the model thread; the others
              read its size as the model thread last published it. The metric "sentences per model batch" is
              observed once per step: the live batch's size.
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
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from functools import partial

import torch

from nmt.app.metrics import Metrics
from nmt.app.settings import Settings
from nmt.model.batching import padded_batches
from nmt.model.text import clean_input
from nmt.model.translator import DecodeOptions, Encoded, Translation, Translator

log = logging.getLogger("nmt.service")
GIL_SWITCH_S = 0.0005  # see Batcher.start
JOIN_SHARE = 4  # waiting sentences join a running batch at once when they are 1/4 of it (module docstring)
ENCODE_CHUNK_TOKENS = 256  # the encoder thread's batches, padding included (module docstring)


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
    ids: list[int]  # source ids, EOS included
    options: DecodeOptions
    ticket: Ticket
    future: asyncio.Future
    queued_at: float = field(default_factory=time.monotonic)
    seated: bool = False  # taken by the encoder thread: its source tokens count against the live batch's budget

    @property
    def tokens(self) -> int:
        return len(self.ids)

    @property
    def key(self) -> tuple:
        return astuple(self.options)

    @property
    def greedy(self) -> bool:
        """Decodable in a continuous batch: greedy, one hypothesis, no attention."""
        o = self.options
        return o.beam_size == 1 and o.nbest == 1 and not o.with_attention

    def resolve(self, outcome: Translation | BaseException | Callable[[], Translation]) -> None:
        """Called from the model thread: settle the future on its own event loop. A callable outcome is called
        there: the detokenizing of a continuous batch's sentence, kept off the model thread."""
        try:
            self.future.get_loop().call_soon_threadsafe(_settle, self.future, outcome)
        except RuntimeError:  # that loop is closed: nobody is waiting any more
            pass


def _settle(future: asyncio.Future, outcome: Translation | BaseException | Callable[[], Translation]) -> None:
    if future.done():
        return
    if callable(outcome):
        try:
            outcome = outcome()
        except Exception as e:
            log.error("detokenizing a translation failed: %s", type(e).__name__)
            outcome = ModelFailed("the model failed on this text")
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
        self._encoded: list[Encoded] = []  # encoded by the encoder thread, waiting to join the live batch
        self._seated_tokens = 0  # source tokens of the seated Jobs (encoding, encoded or live)
        self._live_rows = 0  # len(self._stream), published by the model thread: the live batch is its alone
        self._cond = threading.Condition()
        self._stopping = False
        self._threads = [threading.Thread(target=self._run, name="nmt-model", daemon=True)]
        # Continuous batching runs two model threads at once, decoder steps and encoder: each gets half of torch's
        # threads. Measured on 2 cores, one thread each: 6,048 decoder tokens/s and 250 encoded sentences/s side
        # by side; two each: 5,472 and 136 (their thread teams fight over the cores).
        self._torch_threads = torch.get_num_threads()
        if continuous:
            self._threads.append(threading.Thread(target=self._run_encoder, name="nmt-encoder", daemon=True))
            self._torch_threads = max(1, self._torch_threads // 2)

    # --- called from the event loop --------------------------------------------------------------
    def start(self) -> None:
        # The model threads give the GIL up during every torch op and need it back right after, dozens of times a
        # decoder step; a thread that holds it (the event loop, handling requests) lets go only after the switch
        # interval, 5 ms by default: shorter, so that the model does not wait on the web server.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            left, self._pending = list(self._pending), deque()
            self._cond.notify_all()
        for job in left:
            job.resolve(Stopped("the service is shutting down"))
        for thread in self._threads:
            thread.join(timeout)

    @property
    def queued(self) -> int:
        """Sentences waiting for the model (not counting the batch it is translating)."""
        return len(self._pending)

    @property
    def live(self) -> int:
        """Sentences in the continuous batch (being decoded now)."""
        return self._live_rows

    @property
    def alive(self) -> bool:
        return all(thread.is_alive() for thread in self._threads) and not self._stopping

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
        ids = self.translator.source_ids([clean_input(text) for text in texts])  # what the encoder thread encodes
        jobs = [Job(text, s, options, ticket, loop.create_future()) for text, s in zip(texts, ids, strict=True)]
        with self._cond:
            if self._stopping:
                raise Stopped("the service is shutting down")
            if len(self._pending) + len(jobs) > self.settings.queue_size:
                self._drop_abandoned()  # make room: sentences of requests that gave up do not count
            if len(self._pending) + len(jobs) > self.settings.queue_size:
                raise QueueFull(f"the translation queue is full ({len(self._pending)} sentences waiting)")
            self._pending.extend(jobs)
            self.metrics.queue_depth.set(len(self._pending))
            self._cond.notify_all()
        return jobs

    # --- the model thread ------------------------------------------------------------------------
    def _run(self) -> None:
        torch.set_num_threads(self._torch_threads)
        while (work := self._next_work()) is not None:
            encoded, batch = work
            try:
                if batch:
                    self._process(batch)
                if encoded:
                    self._stream.join(*encoded)
                    encoded = []
                if self._stream:
                    self._step()
            except Exception:  # never let the model thread die
                log.exception("model thread: a batch failed")
                self._fail(batch + jobs_of(encoded) + self._take_live(), ModelFailed("translation failed"))
            self._live_rows = len(self._stream) if self._stream is not None else 0
        with self._cond:
            encoded, self._encoded = self._encoded, []
        self._fail(jobs_of(encoded) + self._take_live(), Stopped("the service is shutting down"))

    def _next_work(self) -> tuple[list[Encoded], list[Job]] | None:
        """Block until there is work: encoded sentences to join the live batch, a due batch for translate(), or a
        live batch to step. None once stopping."""
        with self._cond:
            while not self._stopping:
                self._drop_abandoned()
                batch, wait = self._due()
                encoded, self._encoded = self._encoded, []
                if encoded or batch or self._stream:
                    self._take(batch)
                    return encoded, batch
                self._cond.wait(wait)
            return None

    def _due(self) -> tuple[list[Job], float | None]:
        """(a batch to translate now, else none and the seconds until one is due) of the sentences that do not go
        to the encoder thread."""
        if self.settings.batching == "off":
            return [self._pending[0]] if self._pending else [], None
        group = [job for job in self._pending if self._stream is None or not job.greedy]
        if not group:
            return [], None
        batch, full = self._fill([job for job in group if job.key == group[0].key])
        return self._when_due(batch, full, self.settings.max_wait_ms)

    def _fill(self, jobs: list[Job], seated_tokens: int = 0, padded: bool = True) -> tuple[list[Job], bool]:
        """The first jobs that fit in max_batch_tokens beside seated_tokens; and whether the budget is full. The
        first job always fits into an empty batch. padded: a batch costs its rows times its longest source (a
        padded tensor), else the sum."""
        taken, longest, total = [], 0, seated_tokens
        for job in jobs:
            longest, total = max(longest, job.tokens), total + job.tokens
            cost = (len(taken) + 1) * longest if padded else total
            if (taken or seated_tokens) and cost > self.settings.max_batch_tokens:
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

    def _take(self, jobs: list[Job]) -> None:
        """Remove jobs from the queue (holding the lock)."""
        if jobs:
            taken = set(jobs)
            self._pending = deque(job for job in self._pending if job not in taken)
            self.metrics.queue_depth.set(len(self._pending))

    def _drop_abandoned(self) -> None:
        if any(not job.ticket.live() for job in self._pending):
            self._pending = deque(job for job in self._pending if job.ticket.live())
            self.metrics.queue_depth.set(len(self._pending))

    def _fail(self, jobs: list[Job], error: Exception) -> None:
        self._unseat(jobs)
        for job in jobs:
            job.resolve(error)

    # --- the encoder thread (continuous batching) ------------------------------------------------
    def _run_encoder(self) -> None:
        torch.set_num_threads(self._torch_threads)
        while (jobs := self._next_to_encode()) is not None:
            for chunk in padded_batches([job.tokens for job in jobs], ENCODE_CHUNK_TOKENS):
                start = time.perf_counter()
                encoded = self._encode([jobs[i] for i in chunk])
                self.metrics.model_seconds.inc(time.perf_counter() - start)
                self._hand_over(encoded)

    def _hand_over(self, encoded: list[Encoded]) -> None:
        """Encoded sentences to the model thread, which joins them to the live batch at its next step."""
        with self._cond:
            if not self._stopping:
                self._encoded += encoded
                self._cond.notify_all()
                return
        self._fail(jobs_of(encoded), Stopped("the service is shutting down"))

    def _next_to_encode(self) -> list[Job] | None:
        """Block until greedy sentences wait and the live batch has room for some; take them. None once stopping."""
        with self._cond:
            while not self._stopping:
                self._drop_abandoned()
                jobs, full = self._fill([job for job in self._pending if job.greedy], self._seated_tokens, padded=False)
                if self._seated_tokens:  # sentences join a running batch together (module docstring)
                    enough = len(jobs) * JOIN_SHARE >= self._live_rows
                    jobs, wait = self._when_due(jobs, full or enough, self.settings.join_wait_ms)
                else:  # an empty batch starts once it is full or its oldest waited max_wait_ms
                    jobs, wait = self._when_due(jobs, full, self.settings.max_wait_ms)
                if jobs:
                    self._take(jobs)
                    for job in jobs:
                        job.seated = True
                    self._seated_tokens += sum(job.tokens for job in jobs)
                    return jobs
                self._cond.wait(wait)
            return None

    def _unseat(self, jobs: list[Job]) -> None:
        """Jobs that left the live batch (or never joined it): their tokens free room for waiting sentences."""
        seated = [job for job in jobs if job.seated]
        if seated:
            for job in seated:
                job.seated = False
            with self._cond:
                self._seated_tokens -= sum(job.tokens for job in seated)
                self._cond.notify_all()

    def _encode(self, jobs: list[Job]) -> list[Encoded]:
        """The jobs encoded, one batch per max_len_ratio; a batch that fails is encoded one by one, and a sentence
        that fails even alone gets ModelFailed."""
        ratio = jobs[0].options.max_len_ratio
        if any(job.options.max_len_ratio != ratio for job in jobs):  # rare: one encoder batch per ratio
            return [chunk for job in jobs for chunk in self._encode([job])]
        try:
            return [self._stream.encode([job.text for job in jobs], jobs, ratio, [job.ids for job in jobs])]
        except Exception:
            if len(jobs) > 1:
                log.exception("model failed to encode %d sentences; encoding them one by one", len(jobs))
                return [chunk for job in jobs for chunk in self._encode([job])]
            log.error("model failed on one sentence (%d subwords)", jobs[0].tokens)
            self._fail(jobs, ModelFailed("the model failed on this text"))
            return []

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
        for job, outcome in zip(batch, outcomes, strict=True):
            job.resolve(outcome)

    def _translate_alone(self, job: Job) -> Translation | Exception:
        try:
            return self.translator.translate([job.text], job.options)[0]
        except Exception as e:
            log.error("model failed on one sentence (%d subwords): %s", job.tokens, type(e).__name__)
            return ModelFailed("the model failed on this text")

    # the continuous batch (model thread)
    def _step(self) -> None:
        """One decoder step of the live batch; sentences that ended get their results at once."""
        self._fail(self._stream.drop(lambda job: not job.ticket.live()), TimeoutError())  # nobody waits any more
        if not self._stream:
            return
        rows, start = len(self._stream), time.perf_counter()
        try:
            finished = self._stream.step_lazily()
        except Exception:
            log.exception("model failed on a step of %d sentences; translating them one by one", rows)
            jobs = self._take_live()
            self._unseat(jobs)
            for job in jobs:
                job.resolve(self._translate_alone(job))
            return
        self._record_step(rows, len(finished), time.perf_counter() - start)
        self._unseat([job for job, _ in finished])
        for job, make in finished:
            job.resolve(partial(self._counted, make))

    def _record_step(self, rows: int, finished: int, seconds: float) -> None:
        m = self.metrics
        m.batch_sentences.observe(rows)
        m.model_seconds.inc(seconds)
        m.tokens_per_second.set(rows / seconds if seconds > 0 else 0.0)
        m.sentences.inc(finished)

    def _counted(self, make: Callable[[], Translation]) -> Translation:
        """make(), on the request's event loop; its target tokens go to the metrics."""
        translation = make()
        self.metrics.tokens.inc(len(translation.tgt_tokens))
        return translation

    def _take_live(self) -> list[Job]:
        """Empty the live batch; its jobs."""
        if self._stream is None:
            return []
        return self._stream.drop(lambda job: True)


def jobs_of(encoded: list[Encoded]) -> list[Job]:
    """The Jobs of encoded chunks that did not join the live batch (yet)."""
    return [job for chunk in encoded for job in chunk.keys]
