"""The translation service: create_app(settings) assembles the FastAPI app.

Start it with `nmt serve`, or `uvicorn --factory nmt.app.main:app_from_env --http nmt.app.protocol:OneWritePerResponse`
(settings from NMT_* variables; app/protocol.py says why that protocol).
At startup every model is loaded (app/registry.py; `nmt serve` and app_from_env load them first, to stop in one line
before serving when they cannot), its threads started and warmed up by one translation, and the
language detector loaded (app/detect.py); only then is /ready 200.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from contextlib import asynccontextmanager

import torch
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nmt.app.detect import LanguageDetector
from nmt.app.metrics import Metrics, MetricsMiddleware
from nmt.app.registry import Models, ServedModel, load_translators
from nmt.app.routes import ApiError, files, libretranslate, ops, page, v1
from nmt.app.scheduler import Scheduler
from nmt.app.service import Service
from nmt.app.settings import Settings
from nmt.model.bundle import BundleError
from nmt.model.translator import Translator, searched

log = logging.getLogger("nmt.service")
WARMUP_TIMEOUT_S = 300.0
FORM_BYTES = 65_536  # a file upload's body beyond the file: the form's other fields, its boundaries and headers


def create_app(settings: Settings, translators: Sequence[Translator] | None = None,
               detector: LanguageDetector | None = None) -> FastAPI:
    """The app; at startup it loads the bundles the settings name (registry.load_translators) unless translators are
    given, served as given (linked to their reverses as load_translators links them), and a language detector among
    their source languages unless one is given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        logging.getLogger("uvicorn.access").addFilter(NO_QUERY_STRINGS)
        if settings.torch_threads:
            torch.set_num_threads(settings.torch_threads)
        loaded = translators if translators is not None else await asyncio.to_thread(load_translators, settings)
        models = service.models = Models([ServedModel(t, Scheduler(t, settings, service.metrics)) for t in loaded])
        service.detector = detector if detector is not None else await asyncio.to_thread(LanguageDetector,
                                                                                          models.sources)
        for model in models:
            model.scheduler.start()
        await asyncio.gather(*(_warm_up(model, settings) for model in models))
        service.ready = True
        log.info("ready: %s", ", ".join(f"{s} -> {t} on {m.translator.device}" for (s, t), m in models.by_pair.items()))
        yield
        service.ready = False
        for model in models:
            model.scheduler.stop()
        service.files.close()

    app = FastAPI(title="NMT translation service", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Neural machine translation: native /v1 API and a LibreTranslate-compatible one.")
    service = app.state.service = Service(settings, Metrics())
    for router in (v1.router, libretranslate.router, files.router, ops.router):
        app.include_router(router)
    page.add_page(app)
    _add_error_handlers(app)
    # a file's upload: the file, and the form's other fields and boundaries
    uploads = {"/translate_file": max(settings.max_body_bytes, settings.max_file_bytes + FORM_BYTES)}
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, paths=uploads)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-API-Key"])
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    app.add_middleware(MergedSlashesMiddleware)  # outermost: the limits and metrics see the path that is served
    return app


def app_from_env() -> FastAPI:
    """The app of the NMT_* settings, for `uvicorn --factory`. Its models load here, before uvicorn starts, as `nmt
    serve` loads them: a bad NMT_* value, a models directory that is missing, empty or damaged, or a device that is not
    there is one line for uvicorn to exit with, where its lifespan would print a traceback."""
    try:
        settings = Settings.load()
        log_service_lines(settings.log_level)
        translators = load_translators(settings)
    except (BundleError, ValueError) as e:
        raise SystemExit(f"nmt service: error: {e}") from None
    return create_app(settings, translators)


def log_service_lines(level: str) -> None:
    """The service's own lines on stderr from `level` (NMT_LOG_LEVEL) up; at info: each model loaded, ready, one line
    per request. uvicorn sets up its own loggers only, and Python's fallback shows warnings and errors alone: under
    `uvicorn --factory` those lines were lost. Where logging is set up already (uvicorn --log-config naming the root
    logger), that setup stays, and the level applies to the service's lines ("nmt.service") alone."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("nmt.service").setLevel(level.upper())


async def _warm_up(model: ServedModel, settings: Settings) -> None:
    """One translation through the model's scheduler: its first batch pays for torch's lazy setup, not a client."""
    warmup = searched(model.translator.prepare(["Hello."]))
    await model.scheduler.search(warmup, settings.decode_options(), WARMUP_TIMEOUT_S)


class NoQueryStrings(logging.Filter):
    """uvicorn's access log line holds the query string, where a client may put text or an API key
    (POST /translate?q=...&api_key=...): log the path alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:  # client, method, path, version, status
            client, method, path, version, status = record.args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


NO_QUERY_STRINGS = NoQueryStrings()  # one instance: adding it again is a no-op


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is {"error": "readable message"} (422 adds FastAPI's "detail" list)."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"error": _explain(errors), "detail": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if unreadable := _unreadable_json(exc):
            return JSONResponse({"error": f"the request body is not valid JSON ({unreadable})"}, status_code=422)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"error": "internal server error"}, status_code=500)


def _unreadable_json(exc: HTTPException) -> str | None:
    """Why FastAPI could not read a JSON body that is not malformed JSON as such: it answers those "400 There was an
    error parsing the body", where a body that is not JSON is 422 (json_invalid) and says so."""
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return f"not UTF-8: byte 0x{exc.__cause__.object[exc.__cause__.start]:02x} at {exc.__cause__.start}"
    if isinstance(exc.__cause__, RecursionError):
        return "nested too deeply"
    return None


def _explain(errors: list[dict]) -> str:
    """FastAPI's validation errors as one line: 'body.beam_size: Input should be greater than or equal to 1'."""
    if any(e["type"] == "json_invalid" for e in errors):
        return "the request body is not valid JSON"
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)


class MergedSlashesMiddleware:
    """A path's repeated slashes read as one, as LibreTranslate's routes (Flask's) read them. Integrations join the
    address they are configured with and the path: http://host:5000/ and /translate asked for //translate, 404 here
    (Mastodon's LibreTranslate service, Discourse's translator)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = dict(scope, path=re.sub("/{2,}", "/", scope["path"]))
            if "raw_path" in scope:
                scope["raw_path"] = re.sub(b"/{2,}", b"/", scope["raw_path"])
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Reads the request body up front: over max_bytes (or the path's own limit, in paths: a file's upload) is 413
    before any route sees it."""

    def __init__(self, app: ASGIApp, max_bytes: int, paths: dict[str, int]):
        self.app, self.max_bytes, self.paths = app, max_bytes, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.paths.get(scope["path"], self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            return await self._too_large(scope, receive, send, limit)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await self._too_large(scope, receive, send, limit)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse({"error": f"request body too large; the limit is {limit} bytes"}, 413)
        await response(scope, receive, send)
