"""HTML requests (format "html" on both APIs): each document parsed (model/html.py) and translated in the passes
of model/html_passes.py, all runs of the request together, through the one pipeline (translate_checked)."""
from __future__ import annotations

from functools import partial

from fastapi import Request

from nmt.app.registry import ServedModel
from nmt.app.routes import ApiError, TextLimits, check_texts, translate_checked
from nmt.app.service import Service
from nmt.model.html import Document, InvalidHtml, parse
from nmt.model.html_passes import HtmlPasses, HtmlTranslated
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.text import InvalidText
from nmt.model.translator import DecodeOptions


async def translate_html(service: Service, model: ServedModel, request: Request, documents: list[str],
                         options: DecodeOptions, terms: Terms = NO_TERMS,
                         limits: TextLimits | None = None) -> list[HtmlTranslated]:
    """Each document translated; outside the translated text, every byte as it was (model/html.py). limits: the
    API key's (default: the server's)."""
    check_texts(service.settings, documents, limits)
    parsed = [_parsed(i, document) for i, document in enumerate(documents)]
    translator = model.translator
    passes = HtmlPasses(partial(translate_checked, service, model, request), translator.attends,
                        translator.carries_spans)
    try:
        return await passes.run(parsed, options, terms)
    finally:  # (the runs counted before an error too)
        service.metrics.html_unaligned.inc(passes.unaligned)
        for reason, runs in passes.fallbacks.items():
            service.metrics.html_fallbacks.labels(reason).inc(runs)


def _parsed(i: int, document: str) -> Document:
    """The document's runs; its problems named by its own number (the pipeline would number its runs)."""
    try:
        return parse(document)
    except InvalidText as e:
        raise ApiError(422, f"text {i} is {e}") from None
    except InvalidHtml as e:
        raise ApiError(400, f"text {i} is {e}") from None
