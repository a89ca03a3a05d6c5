"""The translation service (FastAPI): native /v1 API, LibreTranslate-compatible API, metrics, a demo page."""
