"""What both translation APIs share: API keys, request limits, and the path of a request's texts through
the sentence splitter and the batcher back to whole translated texts."""
from __future__ import annotations

import asyncio
import hmac
import logging
import time
from dataclasses import dataclass

from fastapi import Request
from pydantic import BaseModel, Field

from nmt.app.batcher import Batcher, ModelFailed, QueueFull, Stopped
from nmt.app.segment import Segmented, split
from nmt.app.settings import Settings
from nmt.model.text import InvalidText, clean_input
from nmt.model.translator import DecodeOptions, Translation

log = logging.getLogger("nmt.service")


class ApiError(Exception):
    """Answered as {"error": message} with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


class ErrorBody(BaseModel):
    error: str = Field(description="what went wrong, in one readable line")


ERRORS = {400: "the body cannot be parsed, or (LibreTranslate API) any problem with the request",
          401: "an API key is required", 403: "the API key is not valid",
          413: "over a request limit (body size, texts, characters, sentence length, sentences)",
          422: "the request does not fit the schema, asks for too large a beam, or holds invalid Unicode",
          503: "not ready yet, the queue is full, or shutting down: retry after Retry-After seconds",
          504: "the translation took longer than the request timeout"}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "required": True,
                               "schema": {"type": "string"}}}


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """The OpenAPI description of the errors a route answers, so that clients (and schema checks) know them."""
    responses = {status: {"model": ErrorBody, "description": ERRORS[status]} for status in statuses}
    if 503 in responses:
        responses[503]["headers"] = RETRY_AFTER
    return responses


TRANSLATE_ERRORS = error_responses(400, 401, 403, 413, 422, 503, 504)


@dataclass
class Translated:
    """One request text: how it was split, and the translation of each of its sentences."""

    segments: Segmented
    sentences: list[Translation]

    @property
    def text(self) -> str:
        return self.segments.join([t.text for t in self.sentences])

    @property
    def score(self) -> float:
        return sum(t.score for t in self.sentences)

    def nbest(self) -> list[tuple[str, float]]:
        """The k-th alternative of the text joins the k-th alternative of each sentence."""
        k = max((len(t.nbest) for t in self.sentences), default=1)
        picks = [[t.nbest[min(i, len(t.nbest) - 1)] if t.nbest else (t.text, t.score) for t in self.sentences]
                 for i in range(k)]
        return [(self.segments.join([text for text, _ in pick]), sum(s for _, s in pick)) for pick in picks]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def header_key(request: Request) -> str | None:
    """An API key from `X-API-Key: KEY` or `Authorization: Bearer KEY`."""
    auth = request.headers.get("authorization", "")
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return request.headers.get("x-api-key") or bearer


def check_api_key(settings: Settings, key: str | None) -> None:
    if not settings.api_keys:
        return
    if not key:
        raise ApiError(401, "an API key is required (X-API-Key header, Authorization: Bearer, or api_key field)")
    given = key.encode("utf-8", "surrogatepass")  # a JSON api_key may hold a lone surrogate: no match, no crash
    matches = [hmac.compare_digest(given, accepted.encode("utf-8", "surrogatepass")) for accepted in settings.api_keys]
    if not any(matches):
        raise ApiError(403, "invalid API key")


def check_options(settings: Settings, options: DecodeOptions) -> None:
    for name in ("beam_size", "nbest"):
        value = getattr(options, name)
        if value > settings.max_beam_size:
            raise ApiError(422, f"{name} is {value}; this server allows at most {settings.max_beam_size}")


def check_texts(settings: Settings, texts: list[str]) -> None:
    """Per-request limits (413) and valid Unicode (422)."""
    if len(texts) > settings.max_items:
        raise ApiError(413, f"too many texts: {len(texts)}; the limit is {settings.max_items} per request")
    chars = sum(len(t) for t in texts)
    if chars > settings.max_chars:
        raise ApiError(413, f"request too long: {chars} characters; the limit is {settings.max_chars}")
    for i, text in enumerate(texts):
        try:
            clean_input(text)
        except InvalidText as e:
            raise ApiError(422, f"text {i} is {e}") from None


def split_texts(settings: Settings, texts: list[str]) -> list[Segmented]:
    """Split each text into sentences, enforcing the sentence limits (413)."""
    segmented = [split(t) for t in texts]
    for i, seg in enumerate(segmented):
        longest = max((len(s) for s in seg.sentences), default=0)
        if longest > settings.max_sentence_chars:
            raise ApiError(413, f"text {i} has a sentence of {longest} characters; the limit is "
                                f"{settings.max_sentence_chars} (end sentences with . ! ? ; or a line break)")
    sentences = sum(len(seg.sentences) for seg in segmented)
    if sentences > settings.queue_size:
        raise ApiError(413, f"too many sentences: {sentences}; the limit is {settings.queue_size} per request")
    return segmented


async def translate_texts(request: Request, texts: list[str], options: DecodeOptions) -> list[Translated]:
    """Translate whole texts: split, batch with other requests, regroup. Errors are ApiErrors."""
    settings, batcher = settings_of(request), request.app.state.batcher
    if batcher is None or not request.app.state.ready:
        raise ApiError(503, "the model is not ready yet", {"Retry-After": "5"})
    check_options(settings, options)
    check_texts(settings, texts)
    segmented = split_texts(settings, texts)
    sentences = [s for seg in segmented for s in seg.sentences]
    start = time.perf_counter()
    results = await _translate_sentences(request, batcher, sentences, options, settings.request_timeout_s)
    log.info("%s: %d texts, %d sentences, %d characters in %.3f s", request.url.path, len(texts), len(sentences),
             sum(len(t) for t in texts), time.perf_counter() - start)
    if settings.log_texts:
        log.info("%s: texts %r -> %r", request.url.path, sentences, [r.text for r in results])
    translated, i = [], 0
    for seg in segmented:
        translated.append(Translated(seg, results[i : i + len(seg.sentences)]))
        i += len(seg.sentences)
    return translated


async def _translate_sentences(request: Request, batcher: Batcher, sentences: list[str], options: DecodeOptions,
                               timeout: float) -> list[Translation]:
    try:
        return await _unless_disconnected(request, batcher.translate(sentences, options, timeout))
    except QueueFull as e:
        raise ApiError(503, f"{e}; retry shortly", {"Retry-After": "1"}) from None
    except Stopped as e:
        raise ApiError(503, str(e), {"Retry-After": "5"}) from None
    except TimeoutError:
        raise ApiError(504, f"translation took longer than {timeout:g} s") from None
    except ModelFailed as e:
        raise ApiError(500, str(e)) from None


async def _unless_disconnected(request: Request, work):
    """Await work, but give it up (and so free its place in the queue) if the client goes away."""
    work, gone = asyncio.ensure_future(work), asyncio.ensure_future(_disconnect(request))
    try:
        await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (work, gone):
            task.cancel()  # no-op on a finished task
        await asyncio.gather(work, gone, return_exceptions=True)
    if work.cancelled():
        raise ApiError(499, "client closed the request")
    return work.result()


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
