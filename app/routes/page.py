"""GET / : a small page to try the model, with the attention of the last sentence as a heat-map.
GET /docs : Swagger UI for the OpenAPI schema, served from our own static files (FastAPI's default loads it from a
CDN, which a machine without internet cannot reach)."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"
# The page's own files only: a script injected into it (through a translation shown wrong, or an extension of the
# page) could neither run inline nor send the API key typed into it elsewhere; nor can another site frame it.
# Not on /docs: Swagger UI starts from an inline script.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def add_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    @app.head("/", include_in_schema=False)  # an uptime monitor's check of the site
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": PAGE_CSP})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        assert app.openapi_url is not None  # the app serves its schema (FastAPI's default URL)
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
