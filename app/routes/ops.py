"""For operators and orchestrators: liveness, readiness, Prometheus metrics."""
from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from nmt.app.routes import error_responses
from nmt.app.service import ServiceDep

router = APIRouter(tags=["ops"])


@router.get("/health")
@router.head("/health", include_in_schema=False)  # uptime monitors and balancers' health checks ask with HEAD
def health() -> dict:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get("/ready", responses=error_responses(503))
@router.head("/ready", include_in_schema=False)
def ready(service: ServiceDep) -> JSONResponse:
    """Every model is loaded, warmed up by one translation, and its threads are running: 200; else 503."""
    models = service.running()
    if models is not None and all(model.scheduler.alive for model in models):
        return JSONResponse({"status": "ready"})
    return JSONResponse({"error": "the model is not ready"}, status_code=503, headers={"Retry-After": "5"})


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(service: ServiceDep) -> Response:
    """Prometheus text format."""
    body, content_type = service.metrics.render()
    return Response(body, media_type=content_type)
