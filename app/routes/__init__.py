"""What both translation APIs share: API keys, request limits, and the path of a request's texts through the
pipeline (model/translator.py) and the scheduler (app/scheduler.py) back to whole translated texts."""
from __future__ import annotations

import asyncio
import hmac
import logging
import math
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from nmt.app.detect import LanguageDetector
from nmt.app.jobs import ModelFailed, QueueFull, Stopped
from nmt.app.registry import Models, ServedModel, UnknownPair
from nmt.app.service import Service, ServiceDep
from nmt.app.settings import Settings
from nmt.model.search import Hypothesis
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.text import InvalidText, LongSentence, check_text
from nmt.model.translator import DecodeOptions, PreparedText, SourceSentence, Translated, searched

T = TypeVar("T")

log = logging.getLogger("nmt.service")


class ApiError(Exception):
    """Answered as {"error": message} with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


class ErrorBody(BaseModel):
    error: str = Field(description="what went wrong, in one readable line")


ERRORS = {400: "the body cannot be parsed, the model cannot do what is asked (dnt: it has no placeholders), or "
               "(LibreTranslate API) any problem with the request",
          401: "an API key is required", 403: "the API key is not valid",
          404: "no such file (GET /download_file): expired, or never translated here",
          413: "over a request limit (body size, texts, characters, sentence length, sentences)",
          415: "the body is not sent as JSON (Content-Type: application/json)",
          422: "the request does not fit the schema, asks for too large a beam, or holds invalid Unicode",
          429: "over the API key's requests per minute: retry after Retry-After seconds",
          503: "not ready yet, the queue is full, or shutting down: retry after Retry-After seconds",
          504: "the translation took longer than the request timeout"}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "required": True,
                               "schema": {"type": "string"}}}


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """The OpenAPI description of the errors a route answers, so that clients (and schema checks) know them."""
    responses: dict[int | str, dict] = {status: {"model": ErrorBody, "description": ERRORS[status]} for status in statuses}
    for status in (429, 503):
        if status in responses:
            responses[status]["headers"] = RETRY_AFTER
    return responses


TRANSLATE_ERRORS = error_responses(400, 401, 403, 413, 422, 429, 503, 504)


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


@dataclass(frozen=True)
class TextLimits:
    """What one request may hold: texts (None: any number, as a file's), and characters, all texts together."""

    items: int | None
    chars: int

    @classmethod
    def of(cls, settings: Settings, key: str | None = None) -> TextLimits:
        return cls(settings.max_items, settings.chars_of(key))


def admit(service: Service, request: Request, key: str | None) -> TextLimits:
    """The API key checked (401, 403), then its requests per minute (429 with Retry-After); the key's text limits.
    On a server without keys, requests are counted per client address."""
    settings = service.settings
    check_api_key(settings, key)
    accepted = key if settings.api_keys else None
    who = f"key:{accepted}" if accepted is not None else f"address:{request.client.host if request.client else '-'}"
    wait = service.rate_limiter.take(who, settings.rate_of(accepted))
    if wait > 0:
        raise ApiError(429, f"too many requests: the limit is {settings.rate_of(accepted)} per minute; retry in "
                            f"{math.ceil(wait)} s", {"Retry-After": str(math.ceil(wait))})
    return TextLimits.of(settings, accepted)


async def loaded_models(service: ServiceDep) -> Models:
    """The service's models; 503 while they are still loading."""
    if service.models is None:
        raise ApiError(503, "the models are not loaded yet", {"Retry-After": "5"})
    return service.models


async def ready_models(service: ServiceDep) -> Models:
    """The service's models; 503 until they are warmed up."""
    models = service.running()
    if models is None:
        raise ApiError(503, "the model is not ready yet", {"Retry-After": "5"})
    return models


LoadedModels = Annotated[Models, Depends(loaded_models)]
ReadyModels = Annotated[Models, Depends(ready_models)]


def model_for(models: Models, source: str | None, target: str | None) -> ServedModel:
    """The model from source into target (None: whichever the server has); 400 naming the served pairs."""
    try:
        return models.find(source, target)
    except UnknownPair as e:
        raise ApiError(400, str(e)) from None


class DetectedLanguage(BaseModel):
    """A detected source language, as both APIs answer it (LibreTranslate's detectedLanguage, v1's
    detected_source)."""

    language: str
    confidence: float = Field(ge=0, le=100, description="percent")


def detector_of(service: Service) -> LanguageDetector:
    if service.detector is None:
        raise ApiError(503, "the language detector is not loaded yet", {"Retry-After": "5"})
    return service.detector


def check_options(settings: Settings, options: DecodeOptions) -> None:
    for name in ("beam_size", "nbest"):
        value = getattr(options, name)
        if value > settings.max_beam_size:
            raise ApiError(422, f"{name} is {value}; this server allows at most {settings.max_beam_size}")


def check_rerank(model: ServedModel, options: DecodeOptions) -> None:
    if options.rerank and model.translator.reverse is None:
        source, target = model.pair
        raise ApiError(400, f"rerank needs a {target} -> {source} model; this server translates {source} -> "
                            f"{target} only one way")


def check_texts(settings: Settings, texts: list[str], limits: TextLimits | None = None) -> None:
    """Per-request limits before any work (413); limits: those of the request's API key (default: the server's)."""
    limits = limits or TextLimits.of(settings)
    if limits.items is not None and len(texts) > limits.items:
        raise ApiError(413, f"too many texts: {len(texts)}; the limit is {limits.items} per request")
    chars = sum(len(t) for t in texts)
    if chars > limits.chars:
        raise ApiError(413, f"request too long: {chars} characters; the limit is {limits.chars}")


def already_in(models: Models, source: str | None, target: str | None, texts: list[str]) -> bool:
    """Whether the texts are in their target language (named or detected as the source) and so come back as they
    are, as LibreTranslate's do (argos-translate translates each language into itself unchanged): 422 for a text
    that could not be translated either."""
    if source is None or source != target or source not in models.languages:
        return False
    for i, text in enumerate(texts):
        try:
            check_text(text)
        except InvalidText as e:
            raise ApiError(422, f"text {i} is {e}") from None
    return True


def check_glossary(settings: Settings, glossary: Mapping[str, str]) -> None:
    """A request's glossary within its limits (413): entries, and characters of each term."""
    if len(glossary) > settings.max_glossary_terms:
        raise ApiError(413, f"glossary too long: {len(glossary)} entries; the limit is {settings.max_glossary_terms}")
    for term in (t for entry in glossary.items() for t in entry):
        if len(term) > settings.max_term_chars:
            raise ApiError(413, f"a glossary term has {len(term)} characters; the limit is {settings.max_term_chars} "
                                f"({term[:30]!r})")


def check_terms(model: ServedModel, terms: Terms) -> None:
    """Terms to keep or replace need a model with placeholders: without them, 400 rather than a translation that
    silently ignores them."""
    if not model.translator.can_apply(terms):
        source, target = model.pair
        raise ApiError(400, f"the {source} -> {target} model has no placeholders: it cannot keep dnt strings "
                            f"verbatim or apply a glossary; send the request without them")


def check_sentences(settings: Settings, prepared: list[PreparedText]) -> None:
    """The number of sentences once the texts are cut into them, and their subwords (413); their length in characters
    was checked as they were cut (Translator.prepare). A search's work grows with the square of a sentence's
    subwords (each step attends to all of them, and it may take twice as many steps): 1,000 characters of "1 A 1 A
    ..." are three times the subwords of 1,000 of English (what that cost: benchmarks/README.md, guards)."""
    sentences = sum(len(text.sentences) for text in prepared)
    if sentences > settings.queue_size:
        raise ApiError(413, f"too many sentences: {sentences}; the limit is {settings.queue_size} per request")
    for i, text in enumerate(prepared):
        longest = max((len(sentence.ids) for sentence in text.sentences), default=0)
        if longest > settings.max_sentence_subwords:
            raise ApiError(413, f"text {i} has a sentence of {longest} subwords; the limit is "
                                f"{settings.max_sentence_subwords} (end sentences with . ! ? or a line break)")


async def translate_texts(service: Service, model: ServedModel, request: Request, texts: list[str],
                          options: DecodeOptions, terms: Terms = NO_TERMS,
                          limits: TextLimits | None = None) -> list[Translated]:
    """A request's texts, within the request limits (limits: the API key's; default: the server's), through the
    pipeline (translate_checked)."""
    check_texts(service.settings, texts, limits)
    return await translate_checked(service, model, request, texts, options, terms)


async def translate_checked(service: Service, model: ServedModel, request: Request, texts: list[str],
                            options: DecodeOptions, terms: Terms = NO_TERMS) -> list[Translated]:
    """Texts already within the request limits (a request's, or the pieces of its HTML) through the pipeline:
    prepared once (Translator.prepare, terms masked), their sentences searched with other requests' (the model's
    Scheduler), finished (Translator.finish, spans restored). terms: what the caller asks to keep verbatim (dnt)
    or replace (glossary). Errors are ApiErrors."""
    settings, translator = service.settings, model.translator
    check_options(settings, options)
    check_rerank(model, options)
    check_terms(model, terms)
    try:
        prepared = translator.prepare(texts, terms, settings.max_sentence_chars)
    except InvalidText as e:
        raise ApiError(422, str(e)) from None
    except LongSentence as e:
        raise ApiError(413, str(e)) from None
    check_sentences(settings, prepared)
    sentences = searched(prepared)
    start = time.perf_counter()
    translated = translator.finish(prepared, await _search(request, model, sentences, options,
                                                           settings.request_timeout_s))
    service.metrics.span_repairs.inc(sum(s.repairs for t in translated for s in t.sentences))
    log.info("%s %s -> %s: %d texts, %d sentences, %d characters in %.3f s", request.url.path, *model.pair,
             len(texts), len(sentences), sum(len(t) for t in texts), time.perf_counter() - start)
    if settings.log_texts:
        log.info("%s: texts %r -> %r", request.url.path, texts, [t.text for t in translated])
    return translated


async def _search(request: Request, model: ServedModel, sentences: list[SourceSentence], options: DecodeOptions,
                  timeout: float) -> list[list[Hypothesis]]:
    try:
        return await _unless_disconnected(request, _found(model, sentences, options, timeout))
    except QueueFull as e:
        raise ApiError(503, f"{e}; retry shortly", {"Retry-After": "1"}) from None
    except Stopped as e:
        raise ApiError(503, str(e), {"Retry-After": "5"}) from None
    except TimeoutError:
        raise ApiError(504, f"translation took longer than {timeout:g} s") from None
    except ModelFailed as e:
        raise ApiError(500, str(e)) from None


async def _found(model: ServedModel, sentences: list[SourceSentence], options: DecodeOptions,
                 timeout: float) -> list[list[Hypothesis]]:
    """The sentences' hypotheses, searched with other requests' (the model's Scheduler), then reranked if the options
    ask: TimeoutError past timeout seconds for both together."""
    deadline = time.monotonic() + timeout
    hyps = await model.scheduler.search(sentences, options, timeout)
    if not options.rerank:
        return hyps
    # The reverse model's pass runs off the event loop; past the deadline the request is answered (504), and the
    # pass, which a thread cannot be made to stop, ends unheard.
    rerank = asyncio.to_thread(model.translator.rerank, sentences, hyps, options)
    return await asyncio.wait_for(rerank, deadline - time.monotonic())


async def _unless_disconnected(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """Await work, but give it up (and so free its place in the queue) if the client goes away."""
    task, gone = asyncio.ensure_future(work), asyncio.ensure_future(_disconnect(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in (task, gone):
            t.cancel()  # no-op on a finished task
        await asyncio.gather(task, gone, return_exceptions=True)
    if task.cancelled():
        raise ApiError(499, "client closed the request")
    return task.result()


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
