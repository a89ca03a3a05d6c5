"""HTML requests (format "html" on both APIs): each document cut into runs (model/html.py), all runs of the request
translated together through the one pipeline (translate_checked), and the runs whose tags did not come back whole
and in order translated again, text piece by text piece. A model without placeholders translates every run that
has tags piece by piece: its text is translated with less context, but the page keeps its markup (a 400 would turn
away every LibreTranslate client that sends format=html to the shipped model)."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from nmt.app.registry import ServedModel
from nmt.app.routes import ApiError, TextLimits, check_texts, translate_checked
from nmt.app.service import Service
from nmt.model.html import Document, InvalidHtml, marker, parse
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.text import InvalidText, check_text
from nmt.model.translator import DecodeOptions


@dataclass(frozen=True)
class HtmlTranslated:
    text: str
    score: float  # the sum of the translated texts' log-probabilities


async def translate_html(service: Service, model: ServedModel, request: Request, documents: list[str],
                         options: DecodeOptions, terms: Terms = NO_TERMS,
                         limits: TextLimits | None = None) -> list[HtmlTranslated]:
    """Each document translated; outside the translated text, every byte as it was (model/html.py). limits: the
    API key's (default: the server's)."""
    check_texts(service.settings, documents, limits)
    parsed = [_parsed(i, document) for i, document in enumerate(documents)]
    runs = [run for document in parsed for run in document.runs]
    whole = [run.text() if model.translator.carries_spans or run.plain else None for run in runs]
    marked = max((len(run.marked) for run, text in zip(runs, whole, strict=True) if text is not None), default=0)
    markers = Terms(terms.keep + tuple(marker(k) for k in range(marked)), terms.glossary, terms.ignore_case)
    first = iter(await _translated(service, model, request, [text for text in whole if text is not None], options,
                                   markers))
    done: list[tuple[str | None, float]] = [(None, 0.0)] * len(runs)
    for i, (run, text) in enumerate(zip(runs, whole, strict=True)):
        if text is not None:
            translation, score = next(first)
            done[i] = (run.fill(translation), score)
    retry = [i for i, (html, _) in enumerate(done) if html is None]
    for i in retry:
        service.metrics.html_fallbacks.labels("tags" if whole[i] is not None else "model").inc()
    pieces = iter(await _translated(service, model, request, [piece for i in retry for piece in runs[i].pieces],
                                    options, terms))
    for i in retry:
        translated = [next(pieces) for _ in runs[i].pieces]
        done[i] = (runs[i].fill_pieces([text for text, _ in translated]), sum(score for _, score in translated))
    return _documents(parsed, done)


def _parsed(i: int, document: str) -> Document:
    """The document's runs; its problems named by its own number (the pipeline would number its runs)."""
    try:
        check_text(document)
        return parse(document)
    except InvalidText as e:
        raise ApiError(422, f"text {i} is {e}") from None
    except InvalidHtml as e:
        raise ApiError(400, f"text {i} is {e}") from None


async def _translated(service: Service, model: ServedModel, request: Request, texts: list[str],
                      options: DecodeOptions, terms: Terms) -> list[tuple[str, float]]:
    if not texts:
        return []
    return [(t.text, t.score) for t in await translate_checked(service, model, request, texts, options, terms)]


def _documents(parsed: list[Document], done: list[tuple[str | None, float]]) -> list[HtmlTranslated]:
    """The runs' HTML put back in their documents."""
    found = iter(done)
    out = []
    for document in parsed:
        runs = [next(found) for _ in document.runs]
        out.append(HtmlTranslated(document.render([html or "" for html, _ in runs]), sum(score for _, score in runs)))
    return out

