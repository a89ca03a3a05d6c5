"""LibreTranslate-compatible endpoints, so its clients and plugins work unchanged:

    POST /translate   q (text or list), source, target, format, api_key; JSON or form-encoded
                      -> {"translatedText": text or list, matching q}
    GET  /languages   [{"code", "name", "targets"}]

Differences, by design: one language pair (the model's); source "auto" is refused until the language is
detected (translating text of another language as if it were the source gives confident nonsense); format
"html" is refused; "alternatives" is not supported. Every problem with a request is 400 {"error": ...}, as
LibreTranslate does.
"""
from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from nmt.app.routes import TRANSLATE_ERRORS, ApiError, check_api_key, header_key, loaded, translate_texts
from nmt.app.service import Service, ServiceDep
from nmt.model.translator import DecodeOptions

router = APIRouter(tags=["libretranslate"])

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
                  "pt": "Portuguese", "ca": "Catalan", "nl": "Dutch"}


class LibreRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text", "html"] = "text"
    api_key: str | None = None


@router.post("/translate", responses=TRANSLATE_ERRORS, openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": LibreRequest.model_json_schema()},
    "application/x-www-form-urlencoded": {"schema": LibreRequest.model_json_schema()}}}})
async def translate(service: ServiceDep, request: Request) -> dict:
    """LibreTranslate's /translate: JSON or form body."""
    body = await _read_request(request)
    check_api_key(service.settings, body.api_key or header_key(request))
    _check_pair(service, body)
    texts = [body.q] if isinstance(body.q, str) else body.q
    translated = await translate_texts(service, request, texts, DecodeOptions(beam_size=service.settings.beam_size))
    out = [t.text for t in translated]
    return {"translatedText": out[0] if isinstance(body.q, str) else out}


@router.get("/languages")
def languages(service: ServiceDep) -> list[dict]:
    config = loaded(service).bundle.config
    return [{"code": config.src_lang, "name": _name(config.src_lang), "targets": [config.tgt_lang]},
            {"code": config.tgt_lang, "name": _name(config.tgt_lang), "targets": []}]


def _name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


async def _read_request(request: Request) -> LibreRequest:
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            fields = {key: form.getlist(key) if key == "q" and len(form.getlist(key)) > 1 else form.get(key)
                      for key in form}
        else:
            fields = json.loads(await request.body())
        return LibreRequest.model_validate(fields)
    except (ValueError, RecursionError) as e:  # RecursionError: JSON nested thousands deep
        raise ApiError(400, f"Invalid request: {_explain(e)}") from None


def _explain(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
    if isinstance(error, json.JSONDecodeError):
        return f"body is not valid JSON ({error.msg})"
    if isinstance(error, RecursionError):
        return "body is nested too deeply"
    return str(error)


def _check_pair(service: Service, body: LibreRequest) -> None:
    config = loaded(service).bundle.config
    if body.source == "auto":
        raise ApiError(400, f"source 'auto' is not supported (no language detection yet): only source "
                            f"'{config.src_lang}' is accepted; this server translates {config.src_lang} -> "
                            f"{config.tgt_lang}")
    if body.source != config.src_lang or body.target != config.tgt_lang:
        raise ApiError(400, f"language pair {body.source} -> {body.target} is not supported; "
                            f"this server translates {config.src_lang} -> {config.tgt_lang}")
    if body.format != "text":
        raise ApiError(400, "format 'html' is not supported; send plain text (format 'text')")
