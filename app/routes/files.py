"""LibreTranslate's file translation:

    POST /translate_file         multipart: file, source (a code, or "auto"), target, api_key; and ours:
                                 glossary (a file: TSV, CSV, .xlsx, .ods, TBX; model/glossary.py), glossary_ignore_case
                                 -> {"translatedFileUrl": ".../download_file/ID"}
    GET  /download_file/{ID}     the translated file, under the uploaded file's name (a gettext template's .pot as
                                 a catalog's .po)

Files are the formats of app/documents.py (.txt, .docx, .xlsx, .odt, .epub, ...), at most NMT_MAX_FILE_BYTES
(413, pictures and all: the upload is not held to NMT_MAX_BODY_BYTES); their texts go through the same pipeline and
scheduler as any request's (translate_texts). A file's text (each text it holds once, as the model translates it) is
held to NMT_MAX_FILE_CHARS characters in place of NMT_MAX_CHARS (and to its API key's own limit, if it has one).
Translated files wait in a bounded store (app/filestore.py) for NMT_STORED_FILE_TTL_S seconds at most, in NMT_FILES_DIR
where it is set, for any replica to serve. Errors are
{"error": ...}, 400 for a request or file that cannot be translated, as LibreTranslate's.
"""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from nmt.app.documents import FORMATS, Document, FileRejected, read_document
from nmt.app.labels import Languages
from nmt.app.registry import ServedModel
from nmt.app.routes import (
    ApiError,
    ReadyModels,
    TextLimits,
    admit,
    check_glossary,
    detector_of,
    error_responses,
    header_key,
    model_for,
    translate_texts,
)
from nmt.app.routes.html import translate_html
from nmt.app.service import Service, ServiceDep
from nmt.app.settings import Settings
from nmt.model.glossary import Glossary, GlossaryError, read_glossary
from nmt.model.spans import NO_TERMS, Terms

router = APIRouter(tags=["libretranslate"])

FILE_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "source", "target"],
    "properties": {"file": {"type": "string", "format": "binary", "description": ", ".join(FORMATS)},
                   "source": {"type": "string", "description": "source language code, or auto"},
                   "target": {"type": "string"}, "api_key": {"type": "string"},
                   "glossary": {"type": "string", "format": "binary", "description": "terms to translate as given "
                                "(not LibreTranslate's): a file of source<TAB>target lines (.csv: two columns), or a "
                                "term alone to keep as it is; a sheet (also .xlsx, .ods) whose header names languages "
                                "(en,es,notes); a TBX termbase (.tbx); needs a model with placeholders"},
                   "glossary_ignore_case": {"type": "boolean", "description": "match the glossary's source terms in "
                                            "any case"}}}}}}}


class FileAnswer(BaseModel):
    translatedFileUrl: str


@router.post("/translate_file", response_model=FileAnswer, openapi_extra=FILE_FORM,
             responses=error_responses(400, 401, 403, 413, 429, 503, 504))
async def translate_file(service: ServiceDep, models: ReadyModels, request: Request) -> FileAnswer:
    """Translate a file; the answer is the URL to download the translation from."""
    settings = service.settings
    form = await request.form()
    key = _text(form.get("api_key")) or header_key(request)
    admit(service, request, key)
    upload, source, target = form.get("file"), _text(form.get("source")) or "auto", _text(form.get("target"))
    if not target:
        raise ApiError(400, "Invalid request: missing target parameter")
    content, name = await _uploaded(settings, upload, "file")
    glossary = await _glossary(settings, form.get("glossary"), form.get("glossary_ignore_case"))  # (before the reading)
    document = await _read(name, content)
    source = _source_language(service, document) if source == "auto" else source
    if source == target and source in models.languages:  # (as LibreTranslate's: a language into itself is itself)
        return _stored(service, request, document, content)
    model = model_for(models, source, target)
    terms = _terms(settings, glossary, model.pair)
    return _stored(service, request, document, await _translated_file(service, model, request, document, terms, key))


async def _read(name: str, content: bytes) -> Document:
    """The uploaded file cut into its texts (app/documents.py); 400 for one that cannot be."""
    try:
        return await run_in_threadpool(read_document, name, content)  # (a PDF: seconds)
    except FileRejected as e:
        raise ApiError(400, f"Invalid request: {e}") from None


def _source_language(service: Service, document: Document) -> str:
    """The language of the document's text, of the served source languages; 400 for one without text."""
    try:
        return document.language(detector_of(service))
    except FileRejected as e:
        raise ApiError(400, f"Invalid request: {e}; name the source") from None


async def _translated_file(service: Service, model: ServedModel, request: Request, document: Document, terms: Terms,
                           key: str | None) -> bytes:
    """The document translated by the model, within the file limits of the request's API key: the file it renders."""
    languages = Languages(*model.pair)
    document = document.into(languages)
    options, limits = service.settings.decode_options(), TextLimits(None, service.settings.file_chars_of(key))
    translate = translate_html if document.format == "html" else translate_texts
    translated = await translate(service, model, request, document.texts, options, terms, limits)
    try:
        return await run_in_threadpool(document.render, [t.text for t in translated], languages)
    except FileRejected as e:  # (a PDF that pypdf read but cannot write again)
        raise ApiError(400, f"Invalid request: {e}") from None


def _stored(service: Service, request: Request, document: Document, content: bytes) -> FileAnswer:
    """The translated file kept for download, under the document's translated name; the answer naming its URL."""
    file_id = service.files.put(content, document.translated_name(), document.media_type)
    return FileAnswer(translatedFileUrl=str(request.url_for("download_file", file_id=file_id)))


DOWNLOADED: dict[int | str, dict] = {200: {
    "description": "the translated file, as an attachment under the uploaded file's name",
    "content": {media_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for media_type, _, _ in FORMATS.values()}}}


@router.get("/download_file/{file_id}", responses=DOWNLOADED | error_responses(404), response_class=Response)
def download_file(service: ServiceDep, file_id: str) -> Response:
    """A file that POST /translate_file translated, while the server keeps it."""
    found = service.files.get(file_id)
    if found is None:
        raise ApiError(404, "no such file: it expired or was never translated here; translate it again")
    stored, content = found
    return Response(content, media_type=stored.media_type, headers={"Content-Disposition": _attachment(stored.name)})


async def _glossary(settings: Settings, upload: object, ignore_case: object) -> Glossary | None:
    """The form's glossary file (model/glossary.py), read; None without one."""
    if upload is None:
        return None
    data, name = await _uploaded(settings, upload, "glossary")
    try:
        # (a large termbase takes seconds to parse: off the event loop; benchmarks/README.md, guards)
        return await run_in_threadpool(read_glossary, data, name or "glossary", _text(ignore_case) in ("true", "1", "on"))
    except GlossaryError as e:
        raise ApiError(400, f"Invalid request: {e}") from None


def _terms(settings: Settings, glossary: Glossary | None, pair: tuple[str, str]) -> Terms:
    """The glossary's terms in the model's languages (a termbase's, a sheet's columns that its header names), within
    the request glossary's limits; NO_TERMS without one."""
    if glossary is None:
        return NO_TERMS
    try:
        terms = glossary.terms(*pair)
    except GlossaryError as e:
        raise ApiError(400, f"Invalid request: {e}") from None
    check_glossary(settings, {term: term for term in terms.keep} | dict(terms.glossary))  # a kept term: itself
    return terms


async def _uploaded(settings: Settings, value: object, field: str) -> tuple[bytes, str]:
    """A form field's file, its bytes and its name: 400 if the field is no file, 413 over NMT_MAX_FILE_BYTES."""
    if not isinstance(value, UploadFile):
        raise ApiError(400, f"Invalid request: missing {field} parameter (a multipart/form-data upload)")
    content = await value.read(settings.max_file_bytes + 1)
    if len(content) > settings.max_file_bytes:
        raise ApiError(413, f"{field} too large: over {settings.max_file_bytes} bytes, the limit")
    return content, value.filename or ""


def _text(value: object) -> str | None:
    """A form field's text; None if it is absent, empty, or a file."""
    return value if isinstance(value, str) and value else None


def _attachment(name: str) -> str:
    """Content-Disposition for a download under name, whatever characters it has (RFC 6266: filename*)."""
    quoted = quote(name)
    return f'attachment; filename="{name}"' if quoted == name else f"attachment; filename*=utf-8''{quoted}"
