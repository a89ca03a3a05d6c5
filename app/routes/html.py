"""HTML requests (format "html" on both APIs): each document cut into runs (model/html.py), all runs of the request
translated together through the one pipeline (translate_checked), in up to three passes, each for the runs the one
before could not fill:

    aligned    a run whose tags all come in pairs (<b>…</b>, <a …>…</a>) or have no content (<img>), translated as
               plain text with the attention, each pair put back around the words its words went to, each element
               without content after the word it followed (model/align.py)
    marked     the run whole, each tag a marker that a model with placeholders carries like a span, accepted if
               every tag came back once and in order
    pieces     text piece by text piece, every tag where it was: the text has less context, but the page keeps its
               markup (a 400 would turn away every LibreTranslate client that sends format=html)
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Request

from nmt.app.registry import ServedModel
from nmt.app.routes import ApiError, TextLimits, check_texts, translate_checked
from nmt.app.service import Service
from nmt.model.align import text_alignment
from nmt.model.html import Document, InvalidHtml, Run, marker, parse
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.text import InvalidText, check_text
from nmt.model.translator import DecodeOptions, Translated


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
    done: list[tuple[str | None, float]] = [(None, 0.0)] * len(runs)  # each run's HTML, once translated
    await _aligned(service, model, request, runs, done, options, terms)
    await _marked(service, model, request, runs, done, options, terms)
    await _by_pieces(service, model, request, runs, done, options, terms)
    return _documents(parsed, done)


async def _aligned(service: Service, model: ServedModel, request: Request, runs: list[Run],
                   done: list[tuple[str | None, float]], options: DecodeOptions, terms: Terms) -> None:
    """Runs whose tags all come in pairs, translated without them (as well as text without tags is), each pair
    put back around the words that the attention says its words went to (model/align.py)."""
    todo = [i for i, run in enumerate(runs) if run.alignable] if model.translator.attends else []
    found = await _translated(service, model, request, [runs[i].plain_text() for i in todo],
                              replace(options, with_attention=True), terms)
    for i, translated in zip(todo, found, strict=True):
        targets = text_alignment(translated)
        html = None if targets is None else runs[i].fill_aligned(translated.text, targets)
        if html is None:
            service.metrics.html_unaligned.inc()
        done[i] = (html, translated.score)


async def _marked(service: Service, model: ServedModel, request: Request, runs: list[Run],
                  done: list[tuple[str | None, float]], options: DecodeOptions, terms: Terms) -> None:
    """The runs left, whole, each tag a marker that a model with placeholders carries like a span."""
    whole = {i: runs[i].text() for i, (html, _) in enumerate(done)
             if html is None and (model.translator.carries_spans or runs[i].plain)}
    todo = {i: text for i, text in whole.items() if text is not None}
    marked = max((len(runs[i].marked) for i in todo), default=0)
    markers = Terms(terms.keep + tuple(marker(k) for k in range(marked)), terms.glossary, terms.ignore_case)
    found = await _translated(service, model, request, list(todo.values()), options, markers)
    for i, translated in zip(todo, found, strict=True):
        done[i] = (runs[i].fill(translated.text), translated.score)
    for i, (html, _) in enumerate(done):
        if html is None:
            service.metrics.html_fallbacks.labels("tags" if whole.get(i) is not None else "model").inc()


async def _by_pieces(service: Service, model: ServedModel, request: Request, runs: list[Run],
                     done: list[tuple[str | None, float]], options: DecodeOptions, terms: Terms) -> None:
    """The runs left, text piece by text piece, every tag where it was."""
    todo = [i for i, (html, _) in enumerate(done) if html is None]
    pieces = iter(await _translated(service, model, request, [piece for i in todo for piece in runs[i].pieces],
                                    options, terms))
    for i in todo:
        translated = [next(pieces) for _ in runs[i].pieces]
        done[i] = (runs[i].fill_pieces([t.text for t in translated]), sum(t.score for t in translated))


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
                      options: DecodeOptions, terms: Terms) -> list[Translated]:
    return await translate_checked(service, model, request, texts, options, terms) if texts else []


def _documents(parsed: list[Document], done: list[tuple[str | None, float]]) -> list[HtmlTranslated]:
    """The runs' HTML put back in their documents."""
    found = iter(done)
    out = []
    for document in parsed:
        runs = [next(found) for _ in document.runs]
        out.append(HtmlTranslated(document.render([html or "" for html, _ in runs]), sum(score for _, score in runs)))
    return out

