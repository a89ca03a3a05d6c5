"""`nmt translate-file`: a document (.docx, .pdf, .srt, .html, ...: the formats of app/documents.py) translated
offline, as POST /translate_file translates it: the same reading and writing, the same passes for HTML texts
(model/html_passes.py), the same pipeline (Translator.translate), with a Translator in place of the service's
scheduler and no request limits."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from nmt.app.documents import Document, read_document
from nmt.app.labels import Languages
from nmt.model.html import Document as Html
from nmt.model.html import InvalidHtml, parse
from nmt.model.html_passes import HtmlPasses
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.text import InvalidText, check_text
from nmt.model.translator import DecodeOptions, Translated, Translator
from nmt.training.evaluate import translated_in_order
from nmt.training.files import write_atomic


@dataclass(frozen=True)
class FileTranslated:
    out: Path
    texts: int  # the texts the file was cut into (paragraphs, cells, cues, ...)
    pieces: int  # HTML texts' runs translated text piece by piece: their formatting could not be carried whole
    runs: int  # HTML texts' runs (paragraphs), of which pieces
    seconds: float

    def __str__(self) -> str:
        pieces = f"; {self.pieces} of {self.runs} paragraphs piece by piece, their formatting kept where it was" \
            if self.pieces else ""
        return f"wrote {self.out}: {self.texts:,} texts in {self.seconds:.1f} s{pieces}"


def outs_of(sources: list[Path], target: str, folder: Path | None = None) -> list[Path]:
    """Where each translation goes: in folder, or beside its source, the target language before the extension
    (report.docx -> report.es.docx); ValueError if two would be one file."""
    outs = [(folder or source.parent) / f"{source.stem}.{target}{source.suffix}" for source in sources]
    seen: dict[Path, Path] = {}
    for source, out in zip(sources, outs, strict=True):
        if (other := seen.setdefault(out.resolve(), source)) != source:
            raise ValueError(f"{other} and {source} would both be translated into {out}; translate them apart")
    return outs


def translate_file(translator: Translator, source: Path, out: Path, options: DecodeOptions) -> FileTranslated:
    """Translate the file source into out (written whole or not at all); ValueError, one line, for a file that
    cannot be read or translated."""
    if out.resolve() == source.resolve():
        raise ValueError(f"{out}: the translation would overwrite its source; name another --out")
    try:
        content = source.read_bytes()
    except OSError as e:  # missing, a directory, no permission, ...
        raise ValueError(f"{source}: cannot read ({e.strerror})") from None
    start = time.perf_counter()
    document = read_document(source.name, content)
    if document.format == "html":
        texts, pieces, runs = _html(translator, document, options)
    else:
        texts, pieces, runs = [t.text for t in _translated(translator, document.texts, options, NO_TERMS)], 0, 0
    write_atomic(out, document.render(texts, Languages(translator.src_lang, translator.tgt_lang)))
    return FileTranslated(out, len(document.texts), pieces, runs, time.perf_counter() - start)


def _html(translator: Translator, document: Document, options: DecodeOptions) -> tuple[list[str], int, int]:
    """The document's HTML texts translated in the service's passes; how many runs went piece by piece, of all."""
    try:
        parsed = [_parsed(text) for text in document.texts]
    except (InvalidText, InvalidHtml) as e:
        raise ValueError(f"{document.name}: {e}") from None

    async def translate(texts: list[str], options: DecodeOptions, terms: Terms) -> list[Translated]:
        return _translated(translator, texts, options, terms)

    passes = HtmlPasses(translate, translator.attends, translator.carries_spans)
    translated = asyncio.run(passes.run(parsed, options, NO_TERMS))
    return [t.text for t in translated], sum(passes.fallbacks.values()), sum(len(p.runs) for p in parsed)


def _parsed(text: str) -> Html:
    check_text(text)
    return parse(text)


def _translated(translator: Translator, texts: list[str], options: DecodeOptions, terms: Terms) -> list[Translated]:
    return list(translated_in_order(translator, texts, options, terms, unit="text"))
