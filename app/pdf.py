"""PDF files: the text of each paragraph translated and written where the paragraph was, on the page as it was.

Each paragraph (app/pdf_layout.py) is one HTML text for the pipeline, what is in another face or colour than most of
it (a bold word, a red one) in a span, which the pipeline puts back around the words it held; a paragraph that a
page break parts is one text, its translation parted between the two as its source was. A list's bullet or number
is kept as it is.

The translated file is the source with its text-showing operators taken out of the pages' content (and of the forms
they draw), so that pictures, rules, fills, links and annotations stay as they were, and the translations laid over
it: each paragraph's in its box, from its left edge to its column's right (a title centred between the margins,
centred; a turned one on its line, at its angle), wrapped in DejaVu (matplotlib's copy, which holds every Latin,
Greek and Cyrillic letter: Sans, or Serif for a serif font, bold or italic as the source was) at the paragraph's
size, line height and colours, made smaller (down to half) where a longer translation would not fit above the next
paragraph; invisible, where it was (a scan's recognized text, over its picture, which is kept: the file is then
searchable in the target language). What is lost: the fonts themselves, the exact wrapping and justification.

A PDF without text (a scanned page is a picture), one that needs a password to open, or one that pypdf cannot read
or write again is refused.
"""
from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import groupby
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import TextMode
from fpdf.errors import FPDFException
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ContentStream, NameObject, TextStringObject

from nmt.app import pdf_layout
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written
from nmt.app.pdf_layout import Face, Paragraph, Style

# matplotlib's copy of DejaVu, found without importing matplotlib (a second's start)
FONTS = Path(str(getattr(importlib.util.find_spec("matplotlib"), "origin", ""))).parent / "mpl-data" / "fonts" / "ttf"
FACES = {(family, style): f"{family}{suffix}.ttf" for family, italic in (("DejaVuSans", "Oblique"), ("DejaVuSerif", "Italic"))
         for style, suffix in (("", ""), ("B", "-Bold"), ("I", f"-{italic}"), ("BI", f"-Bold{italic}"))}
SHOWN = frozenset({b"Tj", b"TJ", b"'", b'"'})  # the operators that show text
WIDTH = 0.9  # a source's text's width, estimated: DejaVu's, this much (most text faces are narrower)
MIN_SCALE = 0.5  # the smallest a translation is written, in the paragraph's font size
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # a symbol font's bullet, written as DejaVu's
Word = list[tuple[str, Style | None]]  # a word's parts, each in its style (None: its paragraph's), no space between
# what pypdf and fpdf2 raise on a damaged file (a bad number, a missing key, an unknown filter, no room to write)
DAMAGED = (PyPdfError, FPDFException, ValueError, KeyError, TypeError, IndexError, AttributeError, NotImplementedError)


@dataclass
class Writer:
    """DejaVu in fpdf2, to measure text and to write the overlay pages."""

    pdf: FPDF = field(default_factory=lambda: FPDF(unit="pt"))
    faces: set[Face] = field(default_factory=set)  # those added to pdf (each a font file read: on first use)

    def __post_init__(self) -> None:
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)
        self.pdf.c_margin = 0

    def use(self, face: Face, size: float) -> None:
        if face not in self.faces:
            self.pdf.add_font(face[0], face[1], FONTS / FACES[face])
            self.faces.add(face)
        self.pdf.set_font(face[0], face[1], size)

    def measure(self, text: str, size: float, face: Face) -> float:
        """The width text is written at."""
        self.use(face, size)
        return float(self.pdf.get_string_width(text))

    def width(self, text: str, size: float, face: Face) -> float:
        """The width of a source's text, estimated."""
        return self.measure(text, size, face) * WIDTH

    def write(self, paragraph: Paragraph, words: list[Word], origin: tuple[float, float]) -> None:
        """The words in the paragraph's box, at the largest size that fits in its room (down to MIN_SCALE); origin:
        the page's upper left, in the paragraph's coordinates."""
        self.pdf.text_mode = TextMode.FILL if paragraph.lines[0][0].visible else TextMode.INVISIBLE
        if not paragraph.straight:
            return self._turned(paragraph, words, origin)
        size = paragraph.size
        lines = self.wrapped(paragraph, words, size)
        while size > paragraph.size * MIN_SCALE and len(lines) * size * paragraph.leading > paragraph.room:
            size *= 0.95
            lines = self.wrapped(paragraph, words, size)
        height = size * paragraph.leading
        own = paragraph.style
        for k, line in enumerate(lines):
            shown = [(text, style or own) for text, style in _joined(line)]
            x = paragraph.x - origin[0]
            if paragraph.align != "L":  # the room left in the line, split ("C") or all before it ("R")
                room = paragraph.width - sum(self.measure(text, size, face) for text, (face, _) in shown)
                x += room / 2 if paragraph.align == "C" else room
            # the baseline, as fpdf2's cells put it
            self._show(shown, x, origin[1] - paragraph.top + (k + 0.5) * height + 0.3 * size, size)

    def _turned(self, paragraph: Paragraph, words: list[Word], origin: tuple[float, float]) -> None:
        """The words on one line where the turned paragraph's was, at its angle, at the largest size (down to
        MIN_SCALE) at which they are no longer than its text was."""
        own = paragraph.style
        shown = [(text, style or own) for text, style in _joined(words)]
        size = paragraph.size
        while size > paragraph.size * MIN_SCALE and sum(
                self.measure(text, size, face) for text, (face, _) in shown) > paragraph.width / WIDTH:
            size *= 0.95
        x, y = paragraph.x - origin[0], origin[1] - paragraph.lines[0][0].y
        with self.pdf.rotation(paragraph.lines[0][0].angle, x, y):
            self._show(shown, x, y, size)

    def _show(self, shown: list[tuple[str, Style]], x: float, y: float, size: float) -> None:
        """Runs of text, each in its style, one after the other from (x, y) on their baseline."""
        for text, (face, colour) in shown:
            self.use(face, size)
            self.pdf.set_text_color(*(round(255 * c) for c in colour))
            self.pdf.text(x, y, text)
            x += self.measure(text, size, face)

    def wrapped(self, paragraph: Paragraph, words: list[Word], size: float) -> list[list[Word]]:
        """The words in lines as wide as the paragraph's box at most (a word wider than that, in pieces)."""
        own = paragraph.style  # (counted from its pieces: once, not for each word)

        def width(word: Word) -> float:
            return sum(self.measure(text, size, (style or own)[0]) for text, style in word)

        space = self.measure(" ", size, own[0])
        lines: list[list[Word]] = []
        used = 0.0
        for word, wide in (piece for whole in words for piece in self._broken(whole, paragraph, width)):
            if lines and used + space + wide <= paragraph.width:
                lines[-1].append(word)
                used += space + wide
            else:
                lines.append([word])
                used = wide
        return lines

    @staticmethod
    def _broken(word: Word, paragraph: Paragraph, width: Callable[[Word], float]) -> list[tuple[Word, float]]:
        """The word, or if it is wider than the paragraph's box, its letters in pieces that fit; each with its
        width."""
        if (wide := width(word)) <= paragraph.width:
            return [(word, wide)]
        pieces: list[Word] = [[]]
        used = 0.0  # the last piece's width, letter by letter (measuring it whole each time is quadratic)
        for text, style in word:
            for letter in text:
                wide = width([(letter, style)])
                if pieces[-1] and used + wide > paragraph.width:
                    pieces.append([])
                    used = 0.0
                pieces[-1].append((letter, style))
                used += wide
        return [(piece, width(piece)) for piece in pieces]


def read(content: bytes) -> Written:
    """The file's texts (one per paragraph), and what writes the file around their translations; Damaged if pypdf
    cannot read it, it needs a password, or it holds no text."""
    reader = _reader(content)
    try:
        paragraphs = pdf_layout.paragraphs_of(reader, Writer().width)
    except DAMAGED as e:
        raise Damaged(f"pypdf cannot read its text ({e})") from None
    texts = pdf_layout.texts_of(paragraphs)
    if not texts:
        raise Damaged("it holds no text (a scanned page is a picture of text, which this server does not read)")
    numbered: dict[Style, int] = {}  # the styles of parts of paragraphs, by their number in the texts' spans
    sources = [" ".join(p.html(numbered) for p in text) for text in texts]
    styles = list(numbered)

    def render(translations: list[str], languages: Languages) -> bytes:
        placed: list[tuple[Paragraph, list[Word]]] = [
            (p, [[(PRIVATE_USE.sub("\u2022", p.text), None)]]) for p in paragraphs if p.marker]
        for text, translation in zip(texts, translations, strict=True):
            placed += zip(text, _parted(_words(translation, styles), [len(p.text) for p in text]), strict=True)
        try:
            return _written(reader, placed, languages)
        except DAMAGED as e:
            raise Damaged(f"it cannot be written again ({e})") from None

    return sources, render


def _parted(words: list[Word], lengths: list[int]) -> list[list[Word]]:
    """The words parted into as many parts as lengths, each about as long as its share of them."""
    length = [sum(len(text) for text, _ in word) for word in words]
    total = sum(length) + len(words) - 1  # (a space between words)
    cuts = [sum(lengths[:k + 1]) / sum(lengths) * total for k in range(len(lengths) - 1)]
    parts: list[list[Word]] = [[]]
    position = 0.0
    for word, chars in zip(words, length, strict=True):
        if parts[-1] and len(parts) <= len(cuts) and position + chars / 2 > cuts[len(parts) - 1]:
            parts.append([])
        parts[-1].append(word)
        position += chars + 1
    return parts + [[] for _ in range(len(lengths) - len(parts))]


class _Words(HTMLParser):
    """A translation's words, each part in the style of the span around it (<span class="sK">: styles[K])."""

    def __init__(self, styles: list[Style]):
        super().__init__()
        self.styles = styles
        self.open: list[Style | None] = [None]  # the style of each span open, innermost last (None: none open)
        self.words: list[Word] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        k = re.fullmatch(r"s(\d+)", dict(attrs).get("class") or "")
        self.open.append(self.styles[int(k[1])] if k and int(k[1]) < len(self.styles) else self.open[-1])

    def handle_endtag(self, tag: str) -> None:
        if len(self.open) > 1:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for k, text in enumerate(data.split()):
            if k or data[0].isspace():
                self.words.append([])
            self.words[-1].append((text, self.open[-1]))
        if data[-1:].isspace():
            self.words.append([])


def _words(translation: str, styles: list[Style]) -> list[Word]:
    parser = _Words(styles)
    parser.feed(translation)
    parser.close()
    return [word for word in parser.words if word]


def _joined(line: list[Word]) -> list[tuple[str, Style | None]]:
    """A line's words as runs of one style, a space between words (with the text before it)."""
    parts = [part for k, word in enumerate(line)
             for part in word + ([(" ", word[-1][1])] if k < len(line) - 1 else [])]
    return [("".join(text for text, _ in run), style) for style, run in groupby(parts, key=lambda part: part[1])]


def _written(reader: PdfReader, placed: list[tuple[Paragraph, list[Word]]], languages: Languages) -> bytes:
    """The file without its text, the texts placed laid over its pages, its language label the target's."""
    written = PdfWriter(clone_from=reader)
    overlay = _overlay(written, placed)
    for page, over in zip(written.pages, overlay.pages, strict=True):
        _without_text(page)
        page.merge_page(over)
        page.compress_content_streams()  # (merged, a page's content is written uncompressed: six times the file)
    if (label := written.root_object.get("/Lang")) is not None:
        written.root_object[NameObject("/Lang")] = TextStringObject(languages.label(str(label).encode()).decode())
    out = io.BytesIO()
    written.write(out)
    return out.getvalue()


def _reader(content: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(content))
        # a file encrypted without a password to open it (only its permissions set) opens with the empty one
        locked = reader.is_encrypted and not reader.decrypt("")
        _ = locked or [page.mediabox for page in reader.pages]
    except DAMAGED as e:
        raise Damaged(f"pypdf cannot read it ({e})") from None
    if locked:
        raise Damaged("it needs a password to open")
    return reader


def _overlay(written: PdfWriter, placed: list[tuple[Paragraph, list[Word]]]) -> PdfReader:
    """A PDF of the texts, a page for each of the file's, each where its paragraph was."""
    writer = Writer()
    by_page: dict[int, list[tuple[Paragraph, list[Word]]]] = {}
    for paragraph, words in placed:
        by_page.setdefault(paragraph.page, []).append((paragraph, words))
    for k, page in enumerate(written.pages):
        box = page.mediabox
        writer.pdf.add_page(format=(float(box.width), float(box.height)))
        for paragraph, words in by_page.get(k, []):
            writer.write(paragraph, words, (float(box.left), float(box.top)))
    return PdfReader(io.BytesIO(bytes(writer.pdf.output())))


def _without_text(page: Any) -> None:
    """The page with its text-showing operators taken out of its content and of the forms it draws."""
    content = page.get_contents()
    if content is not None:
        content.operations = [(operands, op) for operands, op in content.operations if op not in SHOWN]
        page.replace_contents(content)
    forms = page.get("/Resources", {}).get("/XObject", {})
    for name in forms:
        form = forms[name].get_object()
        if form.get("/Subtype") == "/Form":
            stream = ContentStream(form, page.pdf)
            stream.operations = [(operands, op) for operands, op in stream.operations if op not in SHOWN]
            form.set_data(stream.get_data())
