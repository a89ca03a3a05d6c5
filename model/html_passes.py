"""HTML documents translated through a translator of plain texts (the service's scheduler, or a Translator
offline: `offline`, for `nmt translate-file` and a program's `translate_html`): each document cut into runs
(model/html.py), all runs of the documents translated together, in up to three passes, each for the runs the
one before could not fill:

    aligned    a run whose tags all come in pairs (<b>…</b>, <a …>…</a>) or have no content (<img>), translated as
               plain text with the attention, each pair put back around the words its words went to, each element
               without content after the word it followed (model/align.py)
    marked     the run whole, each tag a marker that a model with placeholders carries like a span, accepted if
               every tag came back once and in order
    pieces     text piece by text piece, every tag where it was: the text has less context, but the page keeps its
               markup (a refusal would turn away every LibreTranslate client that sends format=html)

The tags' attribute values that a reader sees (alt, title, …: model/html.py) are translated beside the first pass,
each a text of its own, and written into their tags before any run is filled.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from nmt.model.align import text_alignment
from nmt.model.html import Document, InvalidHtml, Run, marker, parse
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.text import InvalidText
from nmt.model.translator import DecodeOptions, Translated, Translator

# texts, options, terms -> each text's translation, in order
TranslateTexts = Callable[[list[str], DecodeOptions, Terms], Awaitable[list[Translated]]]
TranslateNow = Callable[[list[str], DecodeOptions, Terms], list[Translated]]  # the same, not awaited
Done = list[tuple[str | None, float]]  # each run's HTML once a pass filled it (else None), and its score


@dataclass(frozen=True)
class HtmlTranslated:
    text: str
    score: float  # the sum of the translated texts' log-probabilities


@dataclass
class HtmlPasses:
    """The three passes over one request's (or file's) documents, and what they could not do: `unaligned` runs
    whose paired tags the attention could not place, `fallbacks` runs translated piece by piece, by why ("tags":
    their markers did not come back whole; "model": the model has no placeholders to carry them)."""

    translate: TranslateTexts
    attends: bool  # the model has attention to align by
    carries_spans: bool  # the model has placeholders to carry markers
    unaligned: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)

    async def run(self, documents: list[Document], options: DecodeOptions, terms: Terms) -> list[HtmlTranslated]:
        """Each document translated; outside the translated text, every byte as it was (model/html.py)."""
        runs = [run for document in documents for run in document.runs]
        done: Done = [(None, 0.0)] * len(runs)
        labels = await self._aligned(documents, runs, done, options, terms)
        await self._marked(runs, done, options, terms)
        await self._by_pieces(runs, done, options, terms)
        found = iter(done)
        out = []
        for document, label_score in zip(documents, labels, strict=True):
            filled = [next(found) for _ in document.runs]
            out.append(HtmlTranslated(document.render([html or "" for html, _ in filled]),
                                      sum(score for _, score in filled) + label_score))
        return out

    async def _aligned(self, documents: list[Document], runs: list[Run], done: Done, options: DecodeOptions,
                       terms: Terms) -> list[float]:
        """Runs whose tags all come in pairs, translated without them (as well as text without tags is), each pair
        put back around the words that the attention says its words went to (model/align.py); beside them, the
        tags' attribute values (_labelled), written first, so that a tag is moved translated. The scores of each
        document's labels."""
        todo = [i for i, run in enumerate(runs) if run.alignable] if self.attends else []
        labels, found = await asyncio.gather(
            self._labelled(documents, options, terms),
            self._translated([runs[i].plain_text() for i in todo], replace(options, with_attention=True), terms))
        for i, translated in zip(todo, found, strict=True):
            targets = text_alignment(translated)
            html = runs[i].fill_aligned(translated.text, targets)
            self.unaligned += html is None
            done[i] = (html, translated.score)
        return labels

    async def _labelled(self, documents: list[Document], options: DecodeOptions, terms: Terms) -> list[float]:
        """Each document's tags written with their attribute values translated (alt, title, …: model/html.py); the
        scores of each document's."""
        found = iter(await self._translated([text for d in documents for text in d.labels], options, terms))
        scores = []
        for document in documents:
            translated = [next(found) for _ in document.labels]
            document.relabel([t.text for t in translated])
            scores.append(sum(t.score for t in translated))
        return scores

    async def _marked(self, runs: list[Run], done: Done, options: DecodeOptions, terms: Terms) -> None:
        """The runs left, whole, each tag a marker that a model with placeholders carries like a span."""
        whole = {i: runs[i].spaced_text() for i, (html, _) in enumerate(done)
                 if html is None and (self.carries_spans or runs[i].plain)}
        todo = {i: text for i, text in whole.items() if text is not None}
        marked = max((len(runs[i].marked) for i in todo), default=0)
        markers = Terms(terms.keep + tuple(marker(k) for k in range(marked)), terms.glossary, terms.ignore_case)
        found = await self._translated(list(todo.values()), options, markers)
        for i, translated in zip(todo, found, strict=True):
            done[i] = (runs[i].fill(translated.text), translated.score)
        for i, (html, _) in enumerate(done):
            if html is None:
                self.fallbacks["tags" if whole.get(i) is not None else "model"] += 1

    async def _by_pieces(self, runs: list[Run], done: Done, options: DecodeOptions, terms: Terms) -> None:
        """The runs left, text piece by text piece, every tag where it was."""
        todo = [i for i, (html, _) in enumerate(done) if html is None]
        pieces = iter(await self._translated([piece for i in todo for piece in runs[i].pieces], options, terms))
        for i in todo:
            translated = [next(pieces) for _ in runs[i].pieces]
            done[i] = (runs[i].fill_pieces([t.text for t in translated]), sum(t.score for t in translated))

    async def _translated(self, texts: list[str], options: DecodeOptions, terms: Terms) -> list[Translated]:
        return await self.translate(texts, options, terms) if texts else []


def offline(translator: Translator, texts: TranslateNow | None = None) -> HtmlPasses:
    """The passes over a Translator in the caller's thread (texts: a function in its place, for progress), rather
    than over the service's scheduler; asyncio.run(...) their run."""
    now = texts or translator.translate

    async def translate(texts: list[str], options: DecodeOptions, terms: Terms) -> list[Translated]:
        return now(texts, options, terms)

    return HtmlPasses(translate, translator.attends, translator.carries_spans)


def translate_html(translator: Translator, documents: list[str], options: DecodeOptions | None = None,
                   terms: Terms = NO_TERMS) -> list[HtmlTranslated]:
    """Each HTML document translated, as the service's format "html" translates it: outside the translated text,
    every byte as it was (model/html.py). InvalidText or InvalidHtml (ValueErrors) for a document that cannot be
    read. It runs an event loop of its own: from a coroutine, await asyncio.to_thread(translate_html, ...)."""
    parsed = []
    for i, document in enumerate(documents):
        try:
            parsed.append(parse(document))
        except (InvalidText, InvalidHtml) as e:  # (numbered as Translator.translate numbers its texts)
            raise type(e)(f"text {i} is {e}") from None
    return asyncio.run(offline(translator).run(parsed, options or DecodeOptions(), terms))
