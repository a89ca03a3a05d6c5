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

A link over words (a link annotation: clicked in a rectangle over the page, where its words were) goes through the
pipeline as a span around its words, like a style, and is moved to where the translation of its words is written: its
/Rect around them, and where they take several lines (or it had them) its /QuadPoints one quad a line. A link whose
span the model did not give back, or one over no words (a picture's), stays where it was.

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
from typing import Any, NamedTuple, cast

from fpdf import FPDF
from fpdf.enums import TextMode
from fpdf.errors import FPDFException
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, ContentStream, FloatObject, NameObject, TextStringObject

from nmt.app import pdf_layout
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written
from nmt.app.pdf_layout import Face, Link, Paragraph, Rect, Style

# matplotlib's copy of DejaVu, found without importing matplotlib (a second's start)
FONTS = Path(str(getattr(importlib.util.find_spec("matplotlib"), "origin", ""))).parent / "mpl-data" / "fonts" / "ttf"
FACES = {(family, style): f"{family}{suffix}.ttf" for family, italic in (("DejaVuSans", "Oblique"), ("DejaVuSerif", "Italic"))
         for style, suffix in (("", ""), ("B", "-Bold"), ("I", f"-{italic}"), ("BI", f"-Bold{italic}"))}
SHOWN = frozenset({b"Tj", b"TJ", b"'", b'"'})  # the operators that show text
WIDTH = 0.9  # a source's text's width, estimated: DejaVu's, this much (most text faces are narrower)
MIN_SCALE = 0.5  # the smallest a translation is written, in the paragraph's font size
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # a symbol font's bullet, written as DejaVu's


class Part(NamedTuple):
    """A part of a word: its text, its style (None: its paragraph's) and its link's number (None: under none)."""

    text: str
    style: Style | None = None
    link: int | None = None


Word = list[Part]  # a word's parts, no space between
Run = tuple[str, Style, int | None]  # text written in one style, under one link (or none)
Placed = tuple[int, Rect]  # where words under a link were written: a page's number, and their box on it
# what pypdf and fpdf2 raise on a damaged file (a bad number, a missing key, an unknown filter, no room to write)
DAMAGED = (PyPdfError, FPDFException, ValueError, KeyError, TypeError, IndexError, AttributeError, NotImplementedError)


@dataclass
class Writer:
    """DejaVu in fpdf2, to measure text and to write the overlay pages."""

    pdf: FPDF = field(default_factory=lambda: FPDF(unit="pt"))
    faces: set[Face] = field(default_factory=set)  # those added to pdf (each a font file read: on first use)
    linked: dict[int, list[Placed]] = field(default_factory=dict)  # each link's words, where written (a box a run)

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
            shown = _runs(line, own)
            x = paragraph.x - origin[0]
            if paragraph.align != "L":  # the room left in the line, split ("C") or all before it ("R")
                room = paragraph.width - sum(self.measure(text, size, face) for text, (face, _), _ in shown)
                x += room / 2 if paragraph.align == "C" else room
            top = origin[1] - paragraph.top + k * height  # the line's, down from the page's
            # (on the baseline, as fpdf2's cells put it); a link's box is its words' part of the line, in the page's
            # coordinates: from its lower left, upwards
            for link, left, right in self._show(shown, x, top + 0.5 * height + 0.3 * size, size):
                self.linked.setdefault(link, []).append(
                    (paragraph.page, (left + origin[0], origin[1] - top - height, right + origin[0], origin[1] - top)))

    def _turned(self, paragraph: Paragraph, words: list[Word], origin: tuple[float, float]) -> None:
        """The words on one line where the turned paragraph's was, at its angle, at the largest size (down to
        MIN_SCALE) at which they are no longer than its text was. (A link over them stays where it was: its
        rectangle is not turned.)"""
        shown = _runs(words, paragraph.style)
        size = paragraph.size
        while size > paragraph.size * MIN_SCALE and sum(
                self.measure(text, size, face) for text, (face, _), _ in shown) > paragraph.width / WIDTH:
            size *= 0.95
        x, y = paragraph.x - origin[0], origin[1] - paragraph.lines[0][0].y
        with self.pdf.rotation(paragraph.lines[0][0].angle, x, y):
            self._show(shown, x, y, size)

    def _show(self, shown: list[Run], x: float, y: float, size: float) -> list[tuple[int, float, float]]:
        """Runs of text, each in its style, one after the other from (x, y) on their baseline; of those under a
        link, the link's number and the run's left and right."""
        linked = []
        for text, (face, colour), link in shown:
            self.use(face, size)
            self.pdf.set_text_color(*(round(255 * c) for c in colour))
            self.pdf.text(x, y, text)
            wide = self.measure(text, size, face)
            if link is not None:
                linked.append((link, x, x + wide))
            x += wide
        return linked

    def wrapped(self, paragraph: Paragraph, words: list[Word], size: float) -> list[list[Word]]:
        """The words in lines as wide as the paragraph's box at most (a word wider than that, in pieces)."""
        own = paragraph.style  # (counted from its pieces: once, not for each word)

        def width(word: Word) -> float:
            return sum(self.measure(part.text, size, (part.style or own)[0]) for part in word)

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
        for part in word:
            for letter in (part._replace(text=letter) for letter in part.text):
                wide = width([letter])
                if pieces[-1] and used + wide > paragraph.width:
                    pieces.append([])
                    used = 0.0
                pieces[-1].append(letter)
                used += wide
        return [(piece, width(piece)) for piece in pieces]


def read(content: bytes) -> Written:
    """The file's texts (one per paragraph), and what writes the file around their translations; Damaged if pypdf
    cannot read it, it needs a password, or it holds no text."""
    reader = _reader(content)
    try:
        links = pdf_layout.links_of(reader)
        paragraphs = pdf_layout.paragraphs_of(reader, Writer().width, links)
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
            (p, [[Part(PRIVATE_USE.sub("\u2022", p.text))]]) for p in paragraphs if p.marker]
        for text, translation in zip(texts, translations, strict=True):
            placed += zip(text, _parted(_words(translation, styles), [len(p.text) for p in text]), strict=True)
        try:
            return _written(reader, placed, languages, links)
        except DAMAGED as e:
            raise Damaged(f"it cannot be written again ({e})") from None

    return sources, render


def _parted(words: list[Word], lengths: list[int]) -> list[list[Word]]:
    """The words parted into as many parts as lengths, each about as long as its share of them."""
    length = [sum(len(part.text) for part in word) for word in words]
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
    """A translation's words, each part in the style of the span around it (<span class="sK">: styles[K]) and under
    the link of the one around that (<span class="lK">: link K)."""

    def __init__(self, styles: list[Style]):
        super().__init__()
        self.styles = styles
        # the style and the link that each span open gives its words, innermost last (None: none)
        self.open: list[tuple[Style | None, int | None]] = [(None, None)]
        self.words: list[Word] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style, link = self.open[-1]
        k = re.fullmatch(r"([sl])(\d+)", dict(attrs).get("class") or "")
        if k and k[1] == "s" and int(k[2]) < len(self.styles):
            style = self.styles[int(k[2])]
        elif k and k[1] == "l":
            link = int(k[2])
        self.open.append((style, link))

    def handle_endtag(self, tag: str) -> None:
        if len(self.open) > 1:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for k, text in enumerate(data.split()):
            if k or data[0].isspace():
                self.words.append([])
            self.words[-1].append(Part(text, *self.open[-1]))
        if data[-1:].isspace():
            self.words.append([])


def _words(translation: str, styles: list[Style]) -> list[Word]:
    parser = _Words(styles)
    parser.feed(translation)
    parser.close()
    return [word for word in parser.words if word]


def _runs(line: list[Word], own: Style) -> list[Run]:
    """A line's words as runs of one style and link, a space between words (with the text before it, and under its
    link if the next word is under it too), in own style where they have none of their own."""
    parts: list[Part] = []
    for word, following in zip(line, [*line[1:], None], strict=True):
        parts += word
        if following:
            shared = word[-1].link if word[-1].link == following[0].link else None
            parts.append(Part(" ", word[-1].style, shared))
    return [("".join(part.text for part in run), style or own, link)
            for (style, link), run in groupby(parts, key=lambda part: (part.style, part.link))]


def _written(reader: PdfReader, placed: list[tuple[Paragraph, list[Word]]], languages: Languages,
             links: list[Link]) -> bytes:
    """The file without its text, the texts placed laid over its pages, its links moved over their words, its
    language label the target's."""
    written, writer = PdfWriter(clone_from=reader), Writer()
    overlay = _overlay(written, placed, writer)
    for page, over in zip(written.pages, overlay.pages, strict=True):
        _without_text(page)
        page.merge_page(over)
        page.compress_content_streams()  # (merged, a page's content is written uncompressed: six times the file)
    _moved(written, links, writer.linked)
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


def _overlay(written: PdfWriter, placed: list[tuple[Paragraph, list[Word]]], writer: Writer) -> PdfReader:
    """A PDF of the texts written by writer, a page for each of the file's, each where its paragraph was."""
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


def _moved(written: PdfWriter, links: list[Link], linked: dict[int, list[Placed]]) -> None:
    """Each link moved over the words its span came back around, where they were written on its page: its /Rect
    around them, its /QuadPoints (where it had them, or they take several lines) one quad a line. A link with none
    there stays where it was."""
    for k, link in enumerate(links):
        lines = _lines([rect for page, rect in linked.get(k, []) if page == link.page])
        if not lines:
            continue
        annotations = cast(ArrayObject, written.pages[link.page]["/Annots"])  # (as links_of found them: cloned)
        annotation = annotations[link.index].get_object()
        annotation[NameObject("/Rect")] = _array(_around(lines))
        if "/QuadPoints" in annotation or len(lines) > 1:
            # (each quad's corners in the order Acrobat writes them: upper left, upper right, lower left, lower right)
            annotation[NameObject("/QuadPoints")] = _array(
                [n for left, bottom, right, top in lines for n in (left, top, right, top, left, bottom, right, bottom)])


def _lines(rects: list[Rect]) -> list[Rect]:
    """The rectangles on each line (of one bottom and top) as one, around them, line after line."""
    by_line: dict[tuple[float, float], list[Rect]] = {}
    for rect in rects:
        by_line.setdefault((rect[1], rect[3]), []).append(rect)
    return [_around(line) for line in by_line.values()]


def _around(rects: list[Rect]) -> Rect:
    return pdf_layout.box([n for rect in rects for n in rect])


def _array(numbers: Rect | list[float]) -> ArrayObject:
    return ArrayObject(FloatObject(round(n, 2)) for n in numbers)
