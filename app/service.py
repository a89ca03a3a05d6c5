"""The running service's parts, typed: what routes reach through the Service dependency instead of an untyped
app.state."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from nmt.app.metrics import Metrics
from nmt.app.scheduler import Scheduler
from nmt.app.settings import Settings
from nmt.model.translator import Translator


@dataclass
class Service:
    settings: Settings
    metrics: Metrics
    translator: Translator | None = None  # loaded at startup
    scheduler: Scheduler | None = None  # started once the translator is loaded
    ready: bool = False  # warmed up by one translation

    def running(self) -> tuple[Translator, Scheduler] | None:
        """The translator and scheduler, once the service is ready; else None."""
        if self.ready and self.translator is not None and self.scheduler is not None:
            return self.translator, self.scheduler
        return None


def service_of(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(service_of)]
