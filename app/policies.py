"""How the model threads batch the queued sentences: one class per policy (settings.batching).

  continuous  ContinuousBatching: live batches (model/search.py LiveBatch) run the decoder step after step, each
              on its own model thread (a Lane; settings.decoder_lanes of them); sentences of every beam size share
              a lane, a beam-K sentence as K rows. Lanes use the cores side by side: torch releases the GIL inside
              its ops, and on the CPU two lanes of one torch thread each do more than one lane of two threads,
              whose ops are too small to split well (benchmarks/README.md). A further thread, the encoder thread,
              encodes waiting sentences while the lanes step; each encoded chunk joins the lane with the fewest
              rows between two of its steps. A sentence that ends leaves at once and its result goes back right
              away, so a short sentence never waits for a long one.
              Encoding costs less per sentence than decoding it: the encoder thread takes waiting sentences
              together once their rows are 1/JOIN_SHARE of the emptiest lane's, or the oldest waited join_wait_ms,
              or they fill the budget: max_batch_tokens source tokens per lane, K per beam-K sentence (padding not
              counted: only attention reads it). An empty service starts once the oldest waited max_wait_ms.
              With a backlog, room freed for one sentence would have the encoder take sentences one by one, at
              about three times the cost per sentence of a batch of sixteen: it takes ENCODE_GROUP of them then, and
              the budget is exceeded by less than a group.
              It encodes what it took shortest first, in chunks of ENCODE_CHUNK_TOKENS (padding included), and
              each chunk joins as soon as it is encoded: a short sentence taken with a long request's sentences
              does not wait for theirs. A live batch belongs to its lane's thread; the others read its size as
              that thread last published it (Lane.rows).
              Small requests go first: a request whose source subwords are at most 1/settings.small_requests of the
              mean of the other requests in flight (a sentence typed in a UI beside documents) is taken at once,
              encoded apart, and joins the small batch of the lane with the fewest small rows, which steps up to
              settings.small_share times the lane's other step time between two of its other steps. Its decoder
              steps are then a few rows, not the long texts' dozens, and come more often; the long texts get the
              rest of the lane's time, and all of it once the small batch is empty. Between requests of similar
              size (64 clients sending one verse each) only the shortest verses are small, and as much gets done
              (benchmarks/README.md, small requests first).
              Sentences whose attention weights are asked for (HTML's inline tags are put back by them) join the
              live batch too, in parts of their own (model/search.py LiveBatch), so that the other rows do not
              carry weights.
  request     RequestBatching: a batch is formed from the oldest sentence's options, oldest first, up to
              max_batch_tokens, once its oldest sentence waited max_wait_ms; it is searched as a whole.
  off         RequestBatching of one sentence per model call, in arrival order (a baseline for benchmarks).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby

import torch

from nmt.app.jobs import Job, JobQueue, ModelFailed, Stopped, fill, fill_beside, when_due
from nmt.app.metrics import Metrics
from nmt.app.settings import Settings
from nmt.model.batching import padded_batches
from nmt.model.search import Hypothesis, Joining, LiveBatch
from nmt.model.translator import Translator

log = logging.getLogger("nmt.service")
JOIN_SHARE = 4  # waiting sentences join a running batch at once when their rows are 1/4 of its rows
ENCODE_CHUNK_TOKENS = 512  # the encoder thread's batches, padding included
ENCODE_GROUP = 16  # a backlog is encoded this many sentences at a time at least (module docstring)
AUTO_LANES = 4  # lanes_for's most: more lanes of fewer rows each would run too small a batch


class RequestBatching:
    """Whole batches, each searched at once (Translator.search); one_at_a_time: a batch of one sentence."""

    def __init__(self, translator: Translator, settings: Settings, queue: JobQueue, metrics: Metrics,
                 one_at_a_time: bool = False):
        self.translator, self.settings, self.queue, self.metrics = translator, settings, queue, metrics
        self.one_at_a_time = one_at_a_time

    def loops(self) -> list[Callable[[], None]]:
        return [self._run]

    def _run(self) -> None:
        while (batch := self._next()) is not None:
            self.process(batch)

    def _next(self) -> list[Job] | None:
        return self.queue.wait_for(self._take_due)

    def _take_due(self) -> tuple[list[Job] | None, float | None]:
        batch, wait = self.due()
        if not batch:
            return None, wait
        self.queue.take(batch)
        return batch, None

    def due(self) -> tuple[list[Job], float | None]:
        """(a batch to search now, else none and the seconds until one is due); holding queue.cond."""
        pending = self.queue.pending
        if self.one_at_a_time or not pending:
            return [pending[0]] if pending else [], None
        batch, full = fill([job for job in pending if job.options == pending[0].options], self.settings.max_batch_tokens)
        return when_due(batch, full, self.settings.max_wait_ms)

    def process(self, batch: list[Job]) -> None:
        """Search the batch; a batch that fails is retried one sentence at a time."""
        start = time.perf_counter()
        try:
            outcomes: list[list[Hypothesis] | Exception] = list(
                self.translator.search([job.sentence for job in batch], batch[0].options))
        except Exception:
            log.exception("model failed on a batch of %d sentences; retrying them one by one", len(batch))
            outcomes = [searched_alone(self.translator, job) for job in batch]
        found = [o for o in outcomes if not isinstance(o, Exception)]
        self.metrics.record(len(batch), len(found), tokens_of(found), time.perf_counter() - start)
        done = time.monotonic()
        for job, outcome in zip(batch, outcomes, strict=True):
            if not isinstance(outcome, Exception):
                self.metrics.record_phases(job.phases(done))
            job.resolve(outcome)


@dataclass(eq=False)
class Lane:
    """The live batches that a model thread steps: live, and small for the sentences of small requests (module
    docstring). joining and small_joining: encoded sentences handed over by the encoder thread, and rows: the live
    batches' rows as the lane's thread last published them plus those joining (guarded by queue.cond)."""

    live: LiveBatch
    small: LiveBatch
    share: float  # settings.small_share
    joining: list[Joining] = field(default_factory=list)
    small_joining: list[Joining] = field(default_factory=list)
    rows: int = 0
    small_rows: int = 0  # of rows, the small batch's and those joining it
    live_rows: int = 0  # the live batches' rows alone, as last published
    live_step_s: float = 0.0  # the live batch's last step
    small_s: float = 0.0  # the small batch's steps since then

    def due(self) -> LiveBatch | None:
        """The batch to step next: the small one until it has had share times the live batch's step time."""
        if self.small and (not self.live or self.small_s < self.live_step_s * self.share):
            return self.small
        return self.live if self.live else None

    def stepped(self, batch: LiveBatch, seconds: float) -> None:
        if batch is self.small:
            self.small_s += seconds
        else:
            self.live_step_s, self.small_s = seconds, 0.0

    def batches(self) -> tuple[LiveBatch, LiveBatch]:
        return self.live, self.small


class ContinuousBatching:
    """Iteration-level scheduling (module docstring): each lane's thread steps its live batch, the encoder thread
    feeds them."""

    def __init__(self, translator: Translator, settings: Settings, queue: JobQueue, metrics: Metrics, lanes: int = 1):
        self.translator, self.settings, self.queue, self.metrics = translator, settings, queue, metrics
        self.lanes = [Lane(translator.live_batch(), translator.live_batch(), settings.small_share)  # keys: Jobs
                      for _ in range(lanes)]

    def loops(self) -> list[Callable[[], None]]:
        return [*(partial(self._run_lane, lane) for lane in self.lanes), self._run_encoder]

    # --- the lanes' threads ---------------------------------------------------------------------------------
    def _run_lane(self, lane: Lane) -> None:
        while (work := self.queue.wait_for(lambda: self._take_work(lane))) is not None:
            joining, small_joining = work
            try:
                if joining or small_joining:
                    lane.live.add_groups(joining)
                    lane.small.add_groups(small_joining)
                    joined = time.monotonic()
                    for job in jobs_of(joining + small_joining):
                        job.joined_at = joined
                    joining, small_joining = [], []
                if (live := lane.due()) is not None:
                    start = time.perf_counter()
                    self._step(lane, live)
                    lane.stepped(live, time.perf_counter() - start)
            except Exception:  # never let a model thread die
                log.exception("model thread: a batch failed")
                failed = jobs_of(joining + small_joining) + _take_all(*lane.batches())
                self._publish(lane)  # before the answers, as _step publishes
                self.queue.fail(failed, ModelFailed("translation failed"))
            self._publish(lane)
        with self.queue.cond:
            joining, lane.joining, lane.small_joining = lane.joining + lane.small_joining, [], []
        self.queue.fail(jobs_of(joining) + _take_all(*lane.batches()), Stopped("the service is shutting down"))

    def _take_work(self, lane: Lane) -> tuple[tuple[list[Joining], list[Joining]] | None, None]:
        """Work for the lane, holding queue.cond: encoded sentences to join its live batch, or its live batch to
        step."""
        if not (lane.joining or lane.small_joining or lane.live or lane.small):
            return None, None
        joining, small_joining, lane.joining, lane.small_joining = lane.joining, lane.small_joining, [], []
        return (joining, small_joining), None

    def _publish(self, lane: Lane) -> None:
        """The lane's rows, for the encoder thread's choices and the metrics."""
        with self.queue.cond:
            lane.live_rows = len(lane.live) + len(lane.small)  # another lane's is only read as published
            lane.rows = lane.live_rows + rows_of(lane.joining + lane.small_joining)
            lane.small_rows = len(lane.small) + rows_of(lane.small_joining)
            self.queue.live_rows = sum(other.live_rows for other in self.lanes)
            self.queue.cond.notify_all()  # the encoder thread's choice reads the lanes' rows (_take_to_encode)

    def _step(self, lane: Lane, live: LiveBatch) -> None:
        """One decoder step of one of the lane's live batches; sentences that finished get their results at once,
        the lane's rows published without them first: no one answered is still counted (/metrics, the lane choice)."""
        self.queue.fail(live.remove_keys(lambda job: not job.wanted()), TimeoutError())  # nobody waits
        if not live:
            return
        rows, start = len(live), time.perf_counter()
        try:
            finished = live.step()
        except Exception:
            log.exception("model failed on a step of %d rows; translating its sentences one by one", rows)
            jobs = _take_all(live)
            self.queue.unseat(jobs)
            self._publish(lane)
            for job in jobs:
                job.resolve(searched_alone(self.translator, job))
            return
        hyps = [h for _, h in finished]
        self.metrics.record(rows, len(finished), tokens_of(hyps), time.perf_counter() - start)
        self.queue.unseat([job for job, _ in finished])
        if finished:
            self._publish(lane)
        done = time.monotonic()
        for job, found in finished:
            self.metrics.record_phases(job.phases(done))
            job.resolve(found)

    # --- the encoder thread ---------------------------------------------------------------------------------
    def _run_encoder(self) -> None:
        while (jobs := self._next_to_encode()) is not None:
            small = jobs[0].ticket.small  # _take_to_encode takes small requests' sentences apart
            for chunk in padded_batches([len(job.sentence.ids) for job in jobs], ENCODE_CHUNK_TOKENS):
                start = time.perf_counter()
                joining = self._encode([jobs[i] for i in chunk])
                self.metrics.record(0, 0, 0, time.perf_counter() - start)
                self._hand_over(joining, small)

    def _next_to_encode(self) -> list[Job] | None:
        """Block until sentences wait and the live batch has room for some; take them. None once stopping."""
        return self.queue.wait_for(self._take_to_encode)

    def _take_to_encode(self) -> tuple[list[Job] | None, float | None]:
        q = self.queue
        waiting = list(q.pending)
        if small := [job for job in waiting if job.ticket.small]:  # small requests wait neither for room nor company
            q.take(small, seat=True)
            return small, None
        jobs, full = fill_beside(waiting, self.settings.max_batch_tokens * len(self.lanes), q.seated_cost)
        if full and 0 < len(jobs) < ENCODE_GROUP:  # a backlog, and room for a few: take a group of them
            jobs = waiting[:ENCODE_GROUP]
        if q.seated_cost:  # sentences join a running batch together (module docstring)
            rows = sum(job.options.beam.rows for job in jobs)
            enough = rows * JOIN_SHARE >= self._emptiest_lane().rows
            jobs, wait = when_due(jobs, full or enough, self.settings.join_wait_ms)
        else:  # an empty batch starts once it is full or its oldest waited max_wait_ms
            jobs, wait = when_due(jobs, full, self.settings.max_wait_ms)
        if not jobs:
            return None, wait
        q.take(jobs, seat=True)
        return jobs, None

    def _encode(self, jobs: list[Job]) -> list[Joining]:
        """The jobs encoded, one batch per option group; a batch that fails is encoded one by one, and a sentence
        that fails even alone gets ModelFailed."""
        by_options = [list(group) for _, group in groupby(sorted(jobs, key=lambda job: repr(job.options)),
                                                          key=lambda job: job.options)]
        if len(by_options) > 1:
            return [joining for group in by_options for joining in self._encode(group)]
        try:
            return [self.translator.encode([job.sentence for job in jobs], jobs[0].options, jobs)]
        except Exception:
            if len(jobs) > 1:
                log.exception("model failed to encode %d sentences; encoding them one by one", len(jobs))
                return [joining for job in jobs for joining in self._encode([job])]
            log.error("model failed on one sentence (%d subwords)", len(jobs[0].sentence.ids))
            self.queue.fail(jobs, ModelFailed("the model failed on this text"))
            return []

    def _emptiest_lane(self) -> Lane:
        """The lane with the fewest rows (holding queue.cond)."""
        return min(self.lanes, key=lambda lane: lane.rows)

    def _hand_over(self, joining: list[Joining], small: bool) -> None:
        """Encoded sentences to the emptiest lane (a small request's: to the lane with the fewest small rows),
        which joins them to its live (or small) batch at its next step."""
        jobs, encoded, rows = jobs_of(joining), time.monotonic(), rows_of(joining)
        for job in jobs:
            job.encoded_at = encoded
        with self.queue.cond:
            if not self.queue.stopping:
                if small:  # small batches of as few rows as can be: each of their steps is short
                    lane = min(self.lanes, key=lambda lane: (lane.small_rows, lane.rows))
                    lane.small_joining += joining
                    lane.small_rows += rows
                else:
                    lane = self._emptiest_lane()
                    lane.joining += joining
                lane.rows += rows
                self.queue.cond.notify_all()
                return
        self.queue.fail(jobs, Stopped("the service is shutting down"))


Policy = RequestBatching | ContinuousBatching


def make_policy(translator: Translator, settings: Settings, queue: JobQueue, metrics: Metrics) -> Policy:
    if settings.batching == "continuous":
        return ContinuousBatching(translator, settings, queue, metrics, lanes_for(translator, settings))
    return RequestBatching(translator, settings, queue, metrics, one_at_a_time=settings.batching == "off")


def lanes_for(translator: Translator, settings: Settings) -> int:
    """settings.decoder_lanes, else one lane per torch thread on the CPU (at most AUTO_LANES), one on a GPU (whose
    kernels one lane's batch already fills)."""
    if settings.decoder_lanes:
        return settings.decoder_lanes
    return min(AUTO_LANES, torch.get_num_threads()) if translator.device.type == "cpu" else 1


def searched_alone(translator: Translator, job: Job) -> list[Hypothesis] | Exception:
    """The job's sentence searched by itself (after its batch failed); ModelFailed if it fails alone too."""
    try:
        return translator.search([job.sentence], job.options)[0]
    except Exception as e:
        log.error("model failed on one sentence (%d subwords): %s", len(job.sentence.ids), type(e).__name__)
        return ModelFailed("the model failed on this text")


def _take_all(*batches: LiveBatch) -> list[Job]:
    """Empty live batches; their jobs."""
    return [job for live in batches for job in live.remove_keys(lambda job: True)]


def jobs_of(joining: list[Joining]) -> list[Job]:
    """The Jobs of encoded batches that did not join the live batch (yet)."""
    return [job for group in joining for job in group.keys]


def rows_of(joining: list[Joining]) -> int:
    return sum(len(group.keys) * group.beam.rows for group in joining)


def tokens_of(found: list[list[Hypothesis]]) -> int:
    """Target tokens of the best hypotheses, EOS included."""
    return sum(len(hyps[0].tokens) + 1 for hyps in found if hyps)
