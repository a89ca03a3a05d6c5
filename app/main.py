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
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import torch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from nmt.app.body_limit import BodyLimitMiddleware
from nmt.app.detect import LanguageDetector
from nmt.app.errors import add_error_handlers
from nmt.app.merged_slashes import MergedSlashesMiddleware
from nmt.app.metrics import Metrics, MetricsMiddleware
from nmt.app.registry import Models, ServedModel, load_translators
from nmt.app.routes import files, libretranslate, ops, page, v1
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
    app = FastAPI(title="NMT translation service", version="0.1.0", lifespan=_lifespan(translators, detector),
                  docs_url=None, redoc_url=None,
                  description="Neural machine translation: native /v1 API and a LibreTranslate-compatible one.")
    service = app.state.service = Service(settings, Metrics())
    for router in (v1.router, libretranslate.router, files.router, ops.router):
        app.include_router(router)
    page.add_page(app)
    add_error_handlers(app)
    # a file's upload: the file, and the form's other fields and boundaries
    uploads = {"/translate_file": max(settings.max_body_bytes, settings.max_file_bytes + FORM_BYTES)}
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, paths=uploads)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-API-Key"])
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    app.add_middleware(MergedSlashesMiddleware)  # outermost: the limits and metrics see the path that is served
    return app


def _lifespan(translators: Sequence[Translator] | None,
              detector: LanguageDetector | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's startup and shutdown: the models loaded (unless translators are given), their schedulers started
    and warmed up, the detector loaded (unless given); at shutdown the schedulers stopped and the files closed."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service: Service = app.state.service
        settings = service.settings
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

    return lifespan


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
