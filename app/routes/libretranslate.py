"""LibreTranslate-compatible endpoints, so its clients and plugins work unchanged:

    POST /translate          q (text or list), source (a code, or "auto"), target, format (empty: text),
                             alternatives, api_key;
                             JSON or form-encoded -> {"translatedText": text or list, matching q}, with
                             "detectedLanguage" {"language", "confidence"} for source "auto" (each text's: one over
                             40 characters told alone, a shorter one with the others, as LibreTranslate tells them)
                             and "alternatives" (the beam's next best translations) for alternatives > 0; texts
                             whose source (named, or detected) is the target come back as they are, as
                             LibreTranslate's do
    POST /detect             q, api_key -> [{"language", "confidence"}]: the served source languages, likeliest first
    GET  /languages          [{"code", "name", "targets"}]
    GET  /frontend/settings  what LibreTranslate's web page reads at start
    POST /translate_file     and GET /download_file/ID: in app/routes/files.py

Differences, by design: source "auto" picks among the served source languages only (app/detect.py); format "html"
(model/html_passes.py) gives no alternatives. Errors are {"error": ...} as LibreTranslate's: 400 for a malformed
request or a language pair that is not served (naming those that are), and the service's limits keep their own
codes (413, 422, 503).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nmt.app.detect import Detected, LanguageDetector
from nmt.app.documents import FORMATS
from nmt.app.registry import Models
from nmt.app.routes import (
    TRANSLATE_ERRORS,
    ApiError,
    DetectedLanguage,
    LoadedModels,
    ReadyModels,
    TextLimits,
    admit,
    already_in,
    check_texts,
    detector_of,
    error_responses,
    header_key,
    model_for,
    translate_texts,
)
from nmt.app.routes.html import translate_html
from nmt.app.service import Service, ServiceDep
from nmt.app.settings import Settings
from nmt.model.html import text_only
from nmt.model.languages import primary
from nmt.model.text import InvalidText
from nmt.model.translator import DecodeOptions, Translated

router = APIRouter(tags=["libretranslate"])
R = TypeVar("R", bound=BaseModel)

# LibreTranslate's names of its languages (its zh-Hans and zh-Hant; zt, as its older releases call Traditional Chinese)
LANGUAGE_NAMES = {
    "ar": "Arabic", "az": "Azerbaijani", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "da": "Danish", "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish",
    "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "ky": "Kyrgyz", "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay",
    "nb": "Norwegian", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "pt-BR": "Portuguese (Brazil)",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sv": "Swedish",
    "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "zh": "Chinese", "zh-Hans": "Chinese", "zh-Hant": "Chinese (traditional)", "zt": "Chinese (traditional)",
}
SHORT_TEXT = 40  # LibreTranslate's: a text of at most this many characters is detected with the request's others
FRONTEND_TIMEOUT_MS = 500  # LibreTranslate's default: how long its page waits after a keystroke before translating


class LibreRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str | list[str]
    source: str = Field("auto", min_length=1)  # "" is missing, as LibreTranslate reads it (was "any language")
    target: str = Field(min_length=1)
    format: Literal["text", "html"] = "text"
    alternatives: int = Field(0, ge=0, description="how many alternative translations to give besides the best")
    api_key: str | None = None

    @field_validator("format", mode="before")
    @classmethod
    def _text_unless_named(cls, value: object) -> object:
        """A format of null or "" is text, as LibreTranslate reads it: clients send the field empty when it is unset
        (LibreTranslate.Net.Enhanced posts format= in its form)."""
        return value if value not in (None, "") else "text"


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str | list[str]
    api_key: str | None = None


class LibreAnswer(BaseModel):
    translatedText: str | list[str]
    detectedLanguage: DetectedLanguage | list[DetectedLanguage] | None = None
    alternatives: list[str] | list[list[str]] | None = None


class Language(BaseModel):
    code: str
    name: str
    targets: list[str]


class FrontendLanguage(BaseModel):
    code: str
    name: str


class FrontendLanguages(BaseModel):
    source: FrontendLanguage
    target: FrontendLanguage


class FrontendSettings(BaseModel):
    charLimit: int
    frontendTimeout: int
    apiKeys: bool
    keyRequired: bool
    suggestions: bool
    filesTranslation: bool
    supportedFilesFormat: list[str]
    language: FrontendLanguages


async def _detector(service: ServiceDep) -> LanguageDetector:
    return detector_of(service)


Detector = Annotated[LanguageDetector, Depends(_detector)]


def _body_schema(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema},
                                                          "application/x-www-form-urlencoded": {"schema": schema}}}}


@router.post("/translate", response_model=LibreAnswer, response_model_exclude_none=True, responses=TRANSLATE_ERRORS,
             openapi_extra=_body_schema(LibreRequest))
async def translate(service: ServiceDep, models: ReadyModels, detector: Detector, request: Request) -> LibreAnswer:
    """LibreTranslate's /translate: JSON or form body."""
    body = await _read_request(request, LibreRequest)
    limits = admit(service, request, body.api_key or header_key(request))
    if body.format == "html" and body.alternatives:
        raise ApiError(400, "Invalid request: alternatives are not available for format 'html'")
    texts = [body.q] if isinstance(body.q, str) else body.q
    told = [text_only(text) for text in texts] if body.format == "html" else texts  # (a language is in the words)
    detected = _detect_each(detector, told) if body.source == "auto" else None
    sources = [d.language for d in detected] if detected else [body.source] * len(texts)
    options = _options(service.settings, body.alternatives)
    check_texts(service.settings, texts, limits)  # the request's limits hold for its texts together, whatever sources
    done = await _translate_each(service, models, request, body, texts, sources, options, limits)
    alternatives = [found for _, found in done] if body.alternatives else None
    return _answer(body, [text for text, _ in done], detected, alternatives)


@router.post("/detect", response_model=list[DetectedLanguage], responses=error_responses(400, 401, 403, 413, 429, 503),
             openapi_extra=_body_schema(DetectRequest))
async def detect(service: ServiceDep, detector: Detector, request: Request) -> list[DetectedLanguage]:
    """The served source languages, likeliest first, with a confidence in percent."""
    body = await _read_request(request, DetectRequest)
    limits = admit(service, request, body.api_key or header_key(request))
    texts = [body.q] if isinstance(body.q, str) else body.q
    check_texts(service.settings, texts, limits)
    return [DetectedLanguage(language=d.language, confidence=d.confidence) for d in _detect(detector, texts)]


@router.get("/languages")
def languages(models: LoadedModels) -> list[Language]:
    return [Language(code=code, name=_name(code), targets=models.targets(code)) for code in models.languages]


@router.get("/frontend/settings")
def frontend_settings(service: ServiceDep, models: LoadedModels) -> FrontendSettings:
    """What LibreTranslate's page asks at start: limits, whether keys are needed, the languages it starts with."""
    target = next(iter(models)).pair[1]
    keys = bool(service.settings.api_keys)
    return FrontendSettings(
        charLimit=service.settings.max_chars, frontendTimeout=FRONTEND_TIMEOUT_MS, apiKeys=keys, keyRequired=keys,
        suggestions=False, filesTranslation=True, supportedFilesFormat=list(FORMATS),
        language=FrontendLanguages(source=FrontendLanguage(code="auto", name="Auto Detect"),
                                   target=FrontendLanguage(code=target, name=_name(target))))


def _name(code: str) -> str:
    """The language's name, else its primary subtag's (zh-CN: Chinese), else the code: a model's language may be any."""
    return LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(primary(code), code)


def _detect(detector: LanguageDetector, texts: list[str]) -> list[Detected]:
    """The served source languages of the texts, taken together, likeliest first."""
    if not any(text.strip() for text in texts):
        raise ApiError(400, "Invalid request: q is empty; there is no language to detect")
    try:
        return detector.detect("\n".join(texts))
    except InvalidText as e:
        raise ApiError(400, f"Invalid request: q is {e}") from None


def _detect_each(detector: LanguageDetector, texts: list[str]) -> list[Detected]:
    """Each text's likeliest served source language, as LibreTranslate tells it: a text over SHORT_TEXT characters
    alone, a shorter one (too short to tell alone) by all the texts together."""
    # (the texts together only where one is short: one long text is detected once, not twice)
    together = _detect(detector, texts)[0] if any(len(text) <= SHORT_TEXT for text in texts) else None
    return [together if together is not None and len(text) <= SHORT_TEXT else _detect(detector, [text])[0]
            for text in texts]


async def _translate_each(service: Service, models: Models, request: Request, body: LibreRequest, texts: list[str],
                          sources: list[str], options: DecodeOptions,
                          limits: TextLimits) -> list[tuple[str, list[str]]]:
    """Each text from its own source language (sources) into the target, with its alternatives; the texts of each
    source go through the pipeline together."""
    done: dict[int, tuple[str, list[str]]] = {}
    for source in dict.fromkeys(sources):
        at = [i for i, text_source in enumerate(sources) if text_source == source]
        done.update(zip(at, await _translated(service, models, request, body, source, [texts[i] for i in at], options,
                                              limits), strict=True))
    return [done[i] for i in range(len(texts))]


async def _translated(service: Service, models: Models, request: Request, body: LibreRequest, source: str,
                      texts: list[str], options: DecodeOptions, limits: TextLimits) -> list[tuple[str, list[str]]]:
    """The texts from source into the request's target, each with its alternatives. Texts whose source is the target
    come back as they are, as LibreTranslate's do (argos-translate translates each language into itself unchanged):
    its clients send source "auto" for text that may already be in the target language."""
    if already_in(models, source, body.target, texts):
        return [(text, []) for text in texts]
    model = model_for(models, source, body.target)
    if body.format == "html":
        documents = await translate_html(service, model, request, texts, options, limits=limits)
        return [(d.text, []) for d in documents]
    translated = await translate_texts(service, model, request, texts, options, limits=limits)
    return [(t.text, _alternatives(t, body.alternatives)) for t in translated]


def _options(settings: Settings, alternatives: int) -> DecodeOptions:
    """The beam keeps the best translation and the alternatives asked for, as LibreTranslate's does."""
    if alternatives >= settings.max_beam_size:
        raise ApiError(400, f"Invalid request: alternatives is {alternatives}; this server gives at most "
                            f"{settings.max_beam_size - 1}")
    if not alternatives:
        return settings.decode_options()
    return settings.decode_options(max(settings.beam_size, alternatives + 1), nbest=alternatives + 1)


def _answer(body: LibreRequest, texts: list[str], detected: list[Detected] | None,
            alternatives: list[list[str]] | None = None) -> LibreAnswer:
    """LibreTranslate's answer: one value per text, or the value itself for a single q; each text's detected
    language and alternatives likewise."""
    single = isinstance(body.q, str)
    answer = LibreAnswer(translatedText=texts[0] if single else texts)
    if detected is not None:
        languages = [DetectedLanguage(language=d.language, confidence=d.confidence) for d in detected]
        answer.detectedLanguage = languages[0] if single else languages
    if alternatives is not None and texts:
        answer.alternatives = alternatives[0] if single else alternatives
    return answer


def _alternatives(translated: Translated, wanted: int) -> list[str]:
    """The text's next best translations, each once, none equal to the translation or empty."""
    found: list[str] = []
    for text, _ in translated.nbest()[1:]:
        if text not in found and text not in (translated.text, ""):
            found.append(text)
    return found[:wanted]


async def _read_request(request: Request, model: type[R]) -> R:
    """The request's fields: from a JSON body; or, as LibreTranslate (Flask's request.values) reads them, from the
    query string and a form body (a POST /translate?q=...&target=es without a body too), the query's first."""
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    try:
        query = _query_items(request.scope["query_string"])
        if content_type.startswith("application/x-www-form-urlencoded"):
            fields = _form_fields(query + _query_items(body))
        elif content_type.startswith("multipart/form-data"):
            fields = _form_fields([*query, *(await request.form()).multi_items()])
        elif not body and query:
            fields = _form_fields(query)
        else:
            fields = json.loads(body)
        return model.model_validate(fields)
    except (ValueError, RecursionError) as e:  # RecursionError: JSON nested thousands deep
        raise ApiError(400, f"Invalid request: {_explain(e)}") from None


def _query_items(encoded: bytes) -> list[tuple[str, object]]:
    """A query string's or a form body's fields, read as UTF-8. Not Starlette's parser: it reads the bytes that a
    client did not percent-encode as Latin-1, so that curl -d q='El Señor' arrived as "El SeÃ±or"."""
    return list(parse_qsl(encoded.decode("utf-8"), keep_blank_values=True, errors="strict"))


def _form_fields(items: Iterable[tuple[str, object]]) -> dict[str, object]:
    """A form's fields by name: q given more than once is a list of texts, any other field its first value."""
    fields: dict[str, list[object]] = {}
    for key, value in items:
        fields.setdefault(key, []).append(value)
    return {key: values if key == "q" and len(values) > 1 else values[0] for key, values in fields.items()}


def _explain(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
    if isinstance(error, UnicodeDecodeError):
        return f"body is not UTF-8 (byte 0x{error.object[error.start]:02x})"  # raw, or percent-encoded in a form
    if isinstance(error, json.JSONDecodeError):
        return f"body is not valid JSON ({error.msg})"
    if isinstance(error, RecursionError):
        return "body is nested too deeply"
    return str(error)
