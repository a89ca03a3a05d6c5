"""Prometheus metrics, one registry per app. They count and time; they never carry text."""
from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class Metrics:
    def __init__(self):
        self.registry = r = CollectorRegistry()
        self.requests = Counter("nmt_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("nmt_request_seconds", "HTTP request latency by route", ["route"],
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.batch_sentences = Histogram("nmt_batch_sentences", "rows per model batch (a live batch: per step)",
                                         buckets=BATCH_BUCKETS, registry=r)
        self.queue_depth = Gauge("nmt_queue_sentences", "sentences waiting for the model", registry=r)
        self.sentences = Counter("nmt_translated_sentences", "sentences translated", registry=r)
        self.cache_sentences = Counter("nmt_cache_sentences", "sentences looked up in the cache of recent ones "
                                       "(NMT_CACHE_SENTENCES): hit, answered without the model, or miss", ["result"],
                                       registry=r)
        self.shared_sentences = Counter("nmt_shared_sentences", "sentences answered by a search already under way "
                                        "(another request's, or the same sentence earlier in the request) instead of "
                                        "one of their own", registry=r)
        self.tokens = Counter("nmt_translated_tokens", "target subwords produced", registry=r)
        self.model_seconds = Counter("nmt_model_seconds", "time spent in the model", registry=r)
        self.tokens_per_second = Gauge("nmt_tokens_per_second",
                                       "target subwords per model second (live batch: rows per second of its last step)",
                                       registry=r)
        self.phase_seconds = Histogram("nmt_sentence_phase_seconds", "where a translated sentence's time went: "
                                       "queued, encoding and joining (continuous batching), decoding", ["phase"],
                                       buckets=LATENCY_BUCKETS, registry=r)
        self.small_requests = Counter("nmt_small_requests", "requests far smaller than the others in flight, decoded "
                                      "in their lanes' small batches first (NMT_SMALL_REQUESTS)", registry=r)
        self.span_repairs = Counter("nmt_span_repairs", "placeholders the model dropped or repeated, which restoring "
                                    "the spans repaired (model/spans.py)", registry=r)
        self.html_fallbacks = Counter("nmt_html_fallbacks", "HTML blocks translated text piece by text piece instead "
                                      "of whole (model/html.py), by reason: tags (lost or out of order) or model "
                                      "(no placeholders)", ["reason"], registry=r)
        self.html_unaligned = Counter("nmt_html_unaligned", "HTML blocks with paired tags only whose tags the "
                                      "attention could not put back around their words (model/html_passes.py): "
                                      "translated with the tags as markers instead", registry=r)

    def record(self, rows: int, sentences: int, tokens: int, seconds: float) -> None:
        """One model call: a batch of `rows` searched for `seconds` (rows 0: encoding only), in which `sentences`
        finished with `tokens` target tokens. Every policy records here and nowhere else."""
        if rows:
            self.batch_sentences.observe(rows)
            self.tokens_per_second.set(rows / seconds if seconds > 0 else 0.0)
        self.sentences.inc(sentences)
        self.tokens.inc(tokens)
        self.model_seconds.inc(seconds)

    def record_phases(self, phases: dict[str, float]) -> None:
        """A translated sentence's time, phase by phase (Job.phases)."""
        for phase, seconds in phases.items():
            self.phase_seconds.labels(phase).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template (never the raw path: no text, few labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", None) or ("unmatched" if status in (404, 405) else "other")
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - start)
