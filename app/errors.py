"""The service's error answers: every error is {"error": "readable message"}, whatever raised it."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from nmt.app.routes import ApiError

log = logging.getLogger("nmt.service")


def add_error_handlers(app: FastAPI) -> None:
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
