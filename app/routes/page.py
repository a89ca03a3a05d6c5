"""GET / : a small page to try the model, with the attention of the last sentence as a heat-map.
GET /docs : Swagger UI for the OpenAPI schema, served from our own static files (FastAPI's default loads it from a
CDN, which a machine without internet cannot reach)."""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
# The page's own files only: a script injected into it (through a translation shown wrong, or an extension of the
# page) could neither run inline nor send the API key typed into it elsewhere; nor can another site frame it.
# /docs: docs_csp.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def docs_csp(html: bytes) -> str:
    """The page's CSP for Swagger UI, which starts from an inline script: that script allowed by its hash, no other,
    and images from data: URLs too (its icons)."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
                      for script in INLINE_SCRIPT.findall(html))
    return PAGE_CSP.replace("script-src 'self'", f"script-src 'self' {hashes}").replace(
        "img-src 'self'", "img-src 'self' data:")


def add_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    @app.head("/", include_in_schema=False)  # an uptime monitor's check of the site
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": PAGE_CSP})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        assert app.openapi_url is not None  # the app serves its schema (FastAPI's default URL)
        page = get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
        page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body))
        return page
