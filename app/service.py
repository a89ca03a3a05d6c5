"""The running service's parts, typed: what routes reach through the Service dependency instead of an untyped
app.state."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from nmt.app.detect import LanguageDetector
from nmt.app.filestore import FileStore
from nmt.app.metrics import Metrics
from nmt.app.ratelimit import RateLimiter
from nmt.app.registry import Models
from nmt.app.settings import Settings


@dataclass
class Service:
    settings: Settings
    metrics: Metrics
    models: Models | None = None  # loaded at startup, each with its scheduler
    detector: LanguageDetector | None = None  # loaded at startup
    ready: bool = False  # every model warmed up by one translation
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)  # requests per minute, per API key
    files: FileStore = field(init=False)  # translated files, until they are downloaded

    def __post_init__(self) -> None:
        settings = self.settings
        self.files = FileStore(settings.stored_files, settings.stored_file_ttl_s, shared=settings.files_dir)

    def running(self) -> Models | None:
        """The models, once the service is ready; else None."""
        return self.models if self.ready else None


# The dependencies are coroutines though they never wait: FastAPI runs a plain def in a worker thread, a thread hop
# (and a GIL handover beside the model threads) per request for an attribute lookup.
async def service_of(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(service_of)]
