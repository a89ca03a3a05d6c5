"""Cross-request batching: requests put their prepared sentences in one bounded queue, the model threads of a
batching policy (app/policies.py) search them together, and each sentence's hypotheses go back to its request's
event loop. Sentences of a request that gave up (timed out, client gone) are dropped before they reach the model,
and leave a live batch at its next step.

A sentence whose search key (model/translator.py search_key) is being searched for another request is not searched
again: its request waits for that search (in-flight dedup; Job.waiters), which goes on while any request waits for
it, even once the request that started it has given up (Job.wanted).
"""
from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable

import torch

from nmt.app.cache import SentenceCache
from nmt.app.jobs import Job, JobQueue, Stopped, Ticket
from nmt.app.metrics import Metrics
from nmt.app.policies import Policy, make_policy
from nmt.app.settings import Settings
from nmt.model.search import Hypothesis
from nmt.model.translator import (
    DecodeOptions,
    SearchKey,
    SourceSentence,
    Translator,
    distinct,
    search_key,
    search_options,
    spread,
)

GIL_SWITCH_S = 0.0005  # see Scheduler.start


class Scheduler:
    def __init__(self, translator: Translator, settings: Settings, metrics: Metrics):
        self.settings, self.metrics, self.queue = settings, metrics, JobQueue(settings.queue_size, metrics)
        self.cache = SentenceCache(settings.cache_sentences)
        self._in_flight = self._in_flight_tokens = 0  # requests being searched, their source subwords (event loop)
        self._searching: dict[SearchKey, Job] = {}  # the sentences queued or searched, until answered (event loop)
        self.policy: Policy = make_policy(translator, settings, self.queue, metrics)
        loops = self.policy.loops()
        # The model threads (the lanes' decoder steps, the encoder) share torch's threads, at least one each: their
        # thread teams would fight over the cores otherwise (benchmarks/README.md).
        threads = max(1, torch.get_num_threads() // len(loops))
        self._threads = [threading.Thread(target=_with_torch_threads(loop, threads), name=f"nmt-model-{i}", daemon=True)
                         for i, loop in enumerate(loops)]

    def start(self) -> None:
        # The model threads give the GIL up during every torch op and need it back right after, dozens of times a
        # decoder step; a thread that holds it (the event loop, handling requests) lets go only after the switch
        # interval, 5 ms by default: shorter, so that the model does not wait on the web server.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        for job in self.queue.stop():
            job.resolve(Stopped("the service is shutting down"))
        for thread in self._threads:
            thread.join(timeout)

    def _small(self, tokens: int) -> bool:
        """A request of tokens source subwords, far smaller than the requests in flight (settings.small_requests)."""
        ratio = self.settings.small_requests
        return ratio > 0 and self._in_flight > 0 and tokens * ratio * self._in_flight <= self._in_flight_tokens

    @property
    def queued(self) -> int:
        """Sentences waiting for the model (not counting those it is searching)."""
        return len(self.queue.pending)

    @property
    def live(self) -> int:
        """Rows of the live batch (being decoded now)."""
        return self.queue.live_rows

    @property
    def alive(self) -> bool:
        return all(thread.is_alive() for thread in self._threads) and not self.queue.stopping

    async def search(self, sentences: list[SourceSentence], options: DecodeOptions,
                     timeout: float) -> list[list[Hypothesis]]:
        """The hypotheses of each sentence (searched(...)): from the cache (app/cache.py), or searched alongside
        other requests' sentences; TimeoutError after timeout seconds."""
        cached = [self.cache.get(sentence, options) for sentence in sentences]
        missing = [sentence for sentence, hyps in zip(sentences, cached, strict=True) if hyps is None]
        if self.cache.size:
            self.metrics.cache_sentences.labels("hit").inc(len(sentences) - len(missing))
            self.metrics.cache_sentences.labels("miss").inc(len(missing))
        found = await self._searched(missing, options, timeout)
        for sentence, hyps in zip(missing, found, strict=True):
            self.cache.put(sentence, options, hyps)
        searched = iter(found)
        return [hyps if hyps is not None else next(searched) for hyps in cached]

    async def _searched(self, sentences: list[SourceSentence], options: DecodeOptions,
                        timeout: float) -> list[list[Hypothesis]]:
        """The sentences searched by the model threads, with other requests' sentences, each search key once: those
        being searched for another request are waited for (module docstring), the others queued."""
        if not sentences:
            return []
        unique, index = distinct(sentences, options)
        jobs, ticket = self._jobs(unique, options, timeout)
        tokens = sum(len(job.sentence.ids) for job in jobs if job.ticket is ticket)
        self.metrics.shared_sentences.inc(len(sentences) - sum(job.ticket is ticket for job in jobs))
        futures = [job.future for job in jobs]
        self._in_flight += 1
        self._in_flight_tokens += tokens
        if ticket.small:
            self.metrics.small_requests.inc()
        try:
            done, pending = await asyncio.wait(futures, timeout=timeout, return_when=asyncio.FIRST_EXCEPTION)
            failed = [f.exception() for f in futures if f in done and f.exception()]
            if failed:
                raise failed[0]  # type: ignore[misc]
            if pending:
                raise TimeoutError
            return spread([f.result() for f in futures], index)
        finally:
            self._in_flight -= 1
            self._in_flight_tokens -= tokens
            ticket.abandoned = True  # done, failed, timed out or cancelled: what is still queued is not wanted
            for job in jobs:
                if not job.wanted():
                    job.future.cancel()  # no-op on a settled future; one another request waits for goes on

    def _jobs(self, sentences: list[SourceSentence], options: DecodeOptions, timeout: float) -> tuple[list[Job], Ticket]:
        """A request's ticket, and the job of each of its distinct sentences: the one searching its key for another
        request, which the ticket joins, or its own (job.ticket is the ticket), queued."""
        joined = [self._joinable(sentence, options) for sentence in sentences]
        own = [sentence for sentence, job in zip(sentences, joined, strict=True) if job is None]
        small = bool(own) and self._small(sum(len(sentence.ids) for sentence in own))
        ticket, loop = Ticket(deadline=time.monotonic() + timeout, small=small), asyncio.get_running_loop()
        queued = [Job(sentence, search_options(sentence, options), ticket, loop.create_future()) for sentence in own]
        if queued:
            self.queue.put(queued)  # QueueFull or Stopped: refused, never in flight
        for job in queued:
            self._register(job)
        for other in joined:
            if other is not None:
                other.waiters.append(ticket)
        mine = iter(queued)
        return [next(mine) if job is None else job for job in joined], ticket

    def _joinable(self, sentence: SourceSentence, options: DecodeOptions) -> Job | None:
        """The job searching the sentence's key for another request, if it is still wanted and not yet answered (and
        answers on this event loop: a test may run the app on a second one)."""
        job = self._searching.get(search_key(sentence, options))
        if job is None or job.future.done() or job.future.get_loop() is not asyncio.get_running_loop():
            return None
        return job if job.wanted() else None

    def _register(self, job: Job) -> None:
        """Let other requests join the job's search until it is answered (or given up: its future cancelled)."""
        key = search_key(job.sentence, job.options)
        self._searching[key] = job
        job.future.add_done_callback(lambda _: self._searching.pop(key) if self._searching.get(key) is job else None)


def _with_torch_threads(loop: Callable[[], None], threads: int) -> Callable[[], None]:
    def run() -> None:
        torch.set_num_threads(threads)
        loop()

    return run
