"""For operators and orchestrators: liveness, readiness, Prometheus metrics."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from nmt.app.routes import error_responses

router = APIRouter(tags=["ops"])


@router.get("/health")
def health() -> dict:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get("/ready", responses=error_responses(503))
def ready(request: Request) -> JSONResponse:
    """The model is loaded, warmed up by one translation, and its thread is running: 200; else 503."""
    batcher = request.app.state.batcher
    if request.app.state.ready and batcher is not None and batcher.alive:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"error": "the model is not ready"}, status_code=503, headers={"Retry-After": "5"})


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> Response:
    """Prometheus text format."""
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)
