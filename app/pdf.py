"""PDF files: the text of each paragraph translated and written where the paragraph was, on the page as it was.

A PDF holds no paragraphs, only pieces of text placed on a page (each a text-showing operator: Tj, TJ, ', ").
Pieces on one baseline are a line, and a line just below the last one, of the same size and in the same column, goes
on its paragraph, unless the last ended early (where the line's first word would have fitted: a line break, or the
paragraph's end); a piece far to the right of the line's last (a table's next cell, a second column) starts a line
of its own, and so does a list's bullet or number, which is kept as it is. Each paragraph is one HTML text for the
pipeline, what is in another face or colour than most of it (a bold word, a red one) in a span, which the pipeline
puts back around the words it held; a paragraph that a page break parts (its first part not ending a sentence, and
the next page's first paragraph at its left, size and face) is one text, its translation parted between the two as
its source was.

The translated file is the source with its text-showing operators taken out of the pages' content (and of the forms
they draw), so that pictures, rules, fills, links and annotations stay as they were, and the translations laid over
it: each paragraph's in its box, from its left edge to its column's right (a title centred between the margins,
centred), wrapped in DejaVu (matplotlib's copy, which holds every Latin, Greek and Cyrillic letter: Sans, or Serif
for a serif font, bold or italic as the source was) at the paragraph's size, line height and colours, made smaller
(down to half) where a longer translation would not fit above the next paragraph; invisible, where it was (a
scan's recognized text, over its picture, which is kept: the file is then searchable in the target language). What
is lost: the fonts themselves, the exact wrapping and justification, a right-aligned paragraph's alignment.

A PDF without text (a scanned page is a picture), one that needs a password to open, or one that pypdf cannot read
or write again is refused.
"""
from __future__ import annotations

import html
import importlib.util
import io
import math
import re
from collections import Counter
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

from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written

# matplotlib's copy of DejaVu, found without importing matplotlib (a second's start)
FONTS = Path(str(getattr(importlib.util.find_spec("matplotlib"), "origin", ""))).parent / "mpl-data" / "fonts" / "ttf"
SHOWN = frozenset({b"Tj", b"TJ", b"'", b'"'})  # the operators that show text
LEADING = 1.2  # a written line's height, in font sizes
WIDTH = 0.9  # a piece's width, estimated: DejaVu's, this much (most text faces are narrower)
MIN_SCALE = 0.5  # the smallest a translation is written, in the paragraph's font size
GAP = 3.0  # a space wider than this many font sizes parts a line in two (a table's cells; a picture is narrower)
# a piece that is a list's bullet or number, kept as it is (a symbol font's bullet, in Unicode's private use area,
# written as DejaVu's): not a word to translate, and the item's text keeps its indent
MARKER = re.compile(r"[^\w\s]|\d{1,3}[.)]|[a-zA-Z][.)]")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
ENDED = re.compile(r"[.!?:;)\]}\"'\u201d\u2019\u00bb]\s*$")  # a paragraph's text that ends a sentence
Colour = tuple[float, float, float]  # red, green, blue, from 0 to 1
Face = tuple[str, str]  # a DejaVu family, and its style: "", "B", "I", "BI"
Style = tuple[Face, Colour]
Word = list[tuple[str, Style | None]]  # a word's parts, each in its style (None: its paragraph's), no space between
FACES = {(family, style): f"{family}{suffix}.ttf" for family, italic in (("DejaVuSans", "Oblique"), ("DejaVuSerif", "Italic"))
         for style, suffix in (("", ""), ("B", "-Bold"), ("I", f"-{italic}"), ("BI", f"-Bold{italic}"))}
SERIF = re.compile(r"serif|times|roman|georgia|cambria|garamond|palatino|antiqua|minion|century", re.IGNORECASE)
# what pypdf and fpdf2 raise on a damaged file (a bad number, a missing key, an unknown filter, no room to write)
DAMAGED = (PyPdfError, FPDFException, ValueError, KeyError, TypeError, IndexError, AttributeError, NotImplementedError)


@dataclass
class Piece:
    """Text shown at (x, y), the left of its baseline, in points from the page's lower left."""

    x: float
    y: float
    size: float
    face: Face
    colour: Colour
    visible: bool
    text: str
    end: float = 0.0  # its right edge, estimated


@dataclass
class Paragraph:
    """Lines of pieces on one page: their text, and the box they fill."""

    page: int
    lines: list[list[Piece]]
    # the box its translation is written in: its left, width and height (from its top), and how the lines align
    x: float = 0.0
    width: float = 0.0
    room: float = 0.0
    align: str = "L"

    @property
    def size(self) -> float:
        return self.lines[0][0].size

    @property
    def marker(self) -> bool:
        """Whether it is a list's bullet or number alone, written again as it is."""
        return len(self.lines) == 1 and _marker(self.lines[0])

    @property
    def left(self) -> float:
        return min(line[0].x for line in self.lines)

    @property
    def right(self) -> float:
        return max(line[-1].end for line in self.lines)

    @property
    def leading(self) -> float:
        """Its lines' height, in font sizes (LEADING if it has one line)."""
        ys = [line[0].y for line in self.lines]
        return (ys[0] - ys[-1]) / (len(ys) - 1) / self.size if len(ys) > 1 else LEADING

    @property
    def top(self) -> float:
        return self.lines[0][0].y + self.size

    @property
    def text(self) -> str:
        return "".join(char for char, _ in self._chars())

    @property
    def style(self) -> Style:
        """The face and colour of most of its text."""
        styles: Counter[Style] = Counter()
        for piece in (piece for line in self.lines for piece in line):
            styles[piece.face, piece.colour] += len(piece.text)
        return styles.most_common(1)[0][0]

    @property
    def face(self) -> Face:
        return self.style[0]

    def html(self, styles: dict[Style, int]) -> str:
        """Its text as HTML, what is in another style than most of it (a bold word, a red one) in a
        <span class="sK">, K that style's number in styles (the file's: a new one is added), so that the pipeline
        puts it back around the words it held (model/html_passes.py)."""
        out = []
        for style, run in groupby(self._chars(), key=lambda char: char[1]):
            text = html.escape("".join(char for char, _ in run), quote=False)
            if style == self.style or not text.strip():
                out.append(text)
            else:
                spaced = re.fullmatch(r"(\s*)(.*?)(\s*)", text, re.DOTALL)
                assert spaced is not None
                k = styles.setdefault(style, len(styles))
                out.append(f'{spaced[1]}<span class="s{k}">{spaced[2]}</span>{spaced[3]}')
        return "".join(out)

    def _chars(self) -> list[tuple[str, Style]]:
        """Its text, character by character with its style: its lines joined by a space (none after a hyphen that
        ends a line: a word broken there), each line's spaces collapsed into one."""
        chars: list[tuple[str, Style]] = []
        for line in self.lines:
            shown = [(char, (piece.face, piece.colour)) for piece in line for char in piece.text]
            end = max((k for k, (char, _) in enumerate(shown) if not char.isspace()), default=-1)
            words: list[tuple[str, Style]] = []
            for char, style in shown[: end + 1]:
                if not char.isspace():
                    words.append((char, style))
                elif words and words[-1][0] != " ":
                    words.append((" ", style))
            if chars and words and not (chars[-1][0] == "-" and len(chars) > 1 and chars[-2][0].isalpha()):
                chars.append((" ", words[0][1]))
            chars += words
        return chars


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
        size = paragraph.size
        while size > paragraph.size * MIN_SCALE and (
                len(self.wrapped(paragraph, words, size)) * size * paragraph.leading > paragraph.room):
            size *= 0.95
        height = size * paragraph.leading
        self.pdf.text_mode = TextMode.FILL if paragraph.lines[0][0].visible else TextMode.INVISIBLE
        for k, line in enumerate(self.wrapped(paragraph, words, size)):
            shown = [(text, style or paragraph.style) for text, style in _joined(line)]
            x = paragraph.x - origin[0]
            if paragraph.align == "C":
                x += (paragraph.width - sum(self.measure(text, size, face) for text, (face, _) in shown)) / 2
            y = origin[1] - paragraph.top + (k + 0.5) * height + 0.3 * size  # the baseline, as fpdf2's cells put it
            for text, (face, colour) in shown:
                self.use(face, size)
                self.pdf.set_text_color(*(round(255 * c) for c in colour))
                self.pdf.text(x, y, text)
                x += self.measure(text, size, face)

    def wrapped(self, paragraph: Paragraph, words: list[Word], size: float) -> list[list[Word]]:
        """The words in lines as wide as the paragraph's box at most (a word wider than that, in pieces)."""
        def width(word: Word) -> float:
            return sum(self.measure(text, size, (style or paragraph.style)[0]) for text, style in word)

        space = self.measure(" ", size, paragraph.face)
        lines: list[list[Word]] = []
        used = 0.0
        for word in (piece for whole in words for piece in self._broken(whole, paragraph, size, width)):
            if lines and used + space + width(word) <= paragraph.width:
                lines[-1].append(word)
                used += space + width(word)
            else:
                lines.append([word])
                used = width(word)
        return lines

    @staticmethod
    def _broken(word: Word, paragraph: Paragraph, size: float, width: Callable[[Word], float]) -> list[Word]:
        """The word, or if it is wider than the paragraph's box, its letters in pieces that fit."""
        if width(word) <= paragraph.width:
            return [word]
        pieces: list[Word] = [[]]
        for text, style in word:
            for letter in text:
                if pieces[-1] and width(pieces[-1] + [(letter, style)]) > paragraph.width:
                    pieces.append([])
                pieces[-1].append((letter, style))
        return pieces


def read(content: bytes) -> Written:
    """The file's texts (one per paragraph), and what writes the file around their translations; Damaged if pypdf
    cannot read it, it needs a password, or it holds no text."""
    reader = _reader(content)
    writer = Writer()
    edges = [(float(page.mediabox.left), float(page.mediabox.right)) for page in reader.pages]
    paragraphs = [p for k, page in enumerate(reader.pages) for p in _paragraphs(k, _pieces(page, writer), writer, edges[k])]
    texts = _texts(paragraphs)
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


def _texts(paragraphs: list[Paragraph]) -> list[list[Paragraph]]:
    """The paragraphs (not the bullets) as texts to translate: each alone, but one that a page break parts, with its
    continuation on the next page."""
    texts: list[list[Paragraph]] = []
    by_last: dict[int, list[Paragraph]] = {}  # each text by the id of its last paragraph
    worded = [p for p in paragraphs if not p.marker]
    continued = _continued(worded)
    for paragraph in worded:
        if id(paragraph) in continued:
            text = by_last.pop(id(continued[id(paragraph)]))
            text.append(paragraph)
        else:
            text = [paragraph]
            texts.append(text)
        by_last[id(paragraph)] = text
    return texts


def _continued(paragraphs: list[Paragraph]) -> dict[int, Paragraph]:
    """Among paragraphs of words (not bullets), for the first paragraph of a page that goes on from the last of the
    page before, that one, by its id: the lowest paragraph of two lines or more there, its last line full and its
    text not ended (no . ! ? : ; or closing quote or bracket), and the highest paragraph of the next page at its left,
    of its size and face."""
    continued: dict[int, Paragraph] = {}
    pages: dict[int, list[Paragraph]] = {}
    for paragraph in paragraphs:
        pages.setdefault(paragraph.page, []).append(paragraph)
    for k, on_page in pages.items():
        body = [p for p in on_page if len(p.lines) > 1]
        last = min(body, key=lambda p: p.lines[-1][0].y) if body else None
        if not last or ENDED.search(last.text) or last.lines[-1][-1].end < last.left + last.width * 0.8:
            continue
        same = [p for p in pages.get(k + 1, []) if abs(p.left - last.left) < 1 and p.face == last.face
                and abs(p.size - last.size) < 0.05 * last.size]
        if same:
            continued[id(max(same, key=lambda p: p.top))] = last
    return continued


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


def _pieces(page: Any, writer: Writer) -> list[Piece]:
    """The page's pieces of text, in the order it shows them, each with its place, size and estimated right edge."""
    pieces: list[Piece] = []
    # the fill colour and whether text is shown (a scan's recognized text is drawn invisible, render mode 3, over
    # its picture), in each graphics state saved (q) and restored (Q)
    states: list[tuple[Colour, bool]] = [((0.0, 0.0, 0.0), True)]
    reported: list[tuple[float, float]] = []  # where pypdf said each piece was

    def operator(op: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if op == b"q":
            states.append(states[-1])
        elif op == b"Q" and len(states) > 1:
            states.pop()
        elif op == b"Tr" and operands:
            states[-1] = states[-1][0], operands[0] != 3
        elif (colour := _colour(op, operands)) is not None:
            states[-1] = colour, states[-1][1]

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():  # a space shown on its own (a file that places each letter) goes with the last piece
            if text and pieces and not pieces[-1].text.endswith(" "):
                pieces[-1].text += " "
                pieces[-1].end += writer.width(" ", pieces[-1].size, pieces[-1].face)
            return
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        face = _face(str((font or {}).get("/BaseFont", "")))
        piece = Piece(x, y, size * scale, face, *states[-1], text.replace("\n", " "))
        if not (math.isfinite(x) and math.isfinite(y) and 0 < piece.size < 10_000):
            return  # (a damaged file's: nowhere to write it)
        # pypdf gives the place the text was last moved to, not how far the text shown since went: a piece shown
        # right after the last (a bold word in its line, after a change of font) follows it
        if reported and reported[-1] == (x, y):
            piece.x = pieces[-1].end
        reported.append((x, y))
        piece.end = piece.x + writer.width(piece.text, piece.size, face)
        pieces.append(piece)

    try:
        page.extract_text(visitor_operand_before=operator, visitor_text=visit)
    except DAMAGED as e:
        raise Damaged(f"pypdf cannot read its text ({e})") from None
    return pieces


def _face(font: str) -> Face:
    """The DejaVu face nearest a font's name (LiberationSerif-Bold, TimesNewRomanPS-ItalicMT, Helvetica)."""
    name = font.lower()
    family = "DejaVuSerif" if SERIF.search(name) and "sans" not in name else "DejaVuSans"
    bold = any(weight in name for weight in ("bold", "black", "heavy", "semibold"))
    return family, ("B" if bold else "") + ("I" if "italic" in name or "oblique" in name else "")


def _colour(op: bytes, operands: list[Any]) -> Colour | None:
    """The fill colour an operator sets: a gray (g), an RGB (rg) or a CMYK colour (k), or one of their numbers in
    another colour space (sc, scn); None for any other operator."""
    numbers = [float(o) for o in operands if isinstance(o, int | float)]
    if op not in (b"g", b"rg", b"k", b"sc", b"scn") or len(numbers) not in (1, 3, 4):
        return None
    if len(numbers) == 4:
        c, m, y, k = numbers
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    return (numbers[0], numbers[0], numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1], numbers[2])


def _paragraphs(page: int, pieces: list[Piece], writer: Writer, edges: tuple[float, float]) -> list[Paragraph]:
    """The pieces as paragraphs: lines on one baseline, and lines just below, in the same column, of one size, each
    with its box (edges: the page's left and right)."""
    paragraphs: list[Paragraph] = []
    lines = _lines(pieces)
    # the page's margins: the text's left, and as far from the page's right edge as that is from its left
    page_left = min((line[0].x for line in lines), default=edges[0])
    margins = page_left, edges[1] - (page_left - edges[0])
    for line in lines:
        last = paragraphs[-1] if paragraphs else None
        if last and not last.marker and not _marker(line) and _continues(last, line, _right(last, lines), writer):
            last.lines.append(line)
        else:
            paragraphs.append(Paragraph(page, [line]))
    for paragraph in paragraphs:
        _place(paragraph, paragraphs, lines, margins)
    return paragraphs


def _place(paragraph: Paragraph, paragraphs: list[Paragraph], lines: list[list[Piece]],
           margins: tuple[float, float]) -> None:
    """The paragraph's box: as wide as its column (a paragraph of one line, a heading or a table's cell, up to the
    page's right margin), not into a paragraph beside it (a table's next cell), or between the margins if each of
    its lines is centred between them (a title); as high as the space down to the next paragraph below it."""
    baseline = paragraph.lines[-1][0].y
    paragraph.room = paragraph.top - max(
        [p.top for p in paragraphs if p.top <= baseline and p.left < paragraph.right and p.right > paragraph.left],
        default=baseline - paragraph.size)
    level = [p for p in paragraphs if p is not paragraph and p.top > baseline and p.lines[-1][0].y < paragraph.top]
    middle, slack = sum(margins) / 2, max(2 * paragraph.size, (margins[1] - margins[0]) / 20)
    if not level and all(line[0].x > margins[0] + 2 * paragraph.size
                         and abs((line[0].x + line[-1].end) / 2 - middle) < slack for line in paragraph.lines):
        paragraph.x, paragraph.width, paragraph.align = margins[0], margins[1] - margins[0], "C"
        return
    beside = [p.left for p in level if p.left >= paragraph.right]
    edge = margins[1] if len(paragraph.lines) == 1 else _right(paragraph, lines)
    right = max(paragraph.right, min([edge, *(left - paragraph.size for left in beside)]))
    paragraph.x = paragraph.left
    paragraph.width = max(right - paragraph.left, 4 * paragraph.size)  # (room for a word, whatever the estimates)


def _lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces on one baseline, each close after the last: a line (a bullet or a number that starts one is a line of
    its own)."""
    lines: list[list[Piece]] = []
    for piece in pieces:
        last = lines[-1][-1] if lines else None
        if (last and abs(piece.y - last.y) < 0.4 * last.size and last.x < piece.x < last.end + GAP * last.size
                and not _marker(lines[-1])):
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return lines


def _right(paragraph: Paragraph, lines: list[list[Piece]]) -> float:
    """The right edge of the paragraph's column: of the page's lines that start where it does, the widest's."""
    return max((line[-1].end for line in lines if abs(line[0].x - paragraph.left) < 2 * paragraph.size),
               default=paragraph.right)


def _marker(line: list[Piece]) -> bool:
    """Whether a line (as far as read) is a list's bullet or number alone: a piece of its own at a line's start."""
    return len(line) == 1 and bool(MARKER.fullmatch(line[0].text.strip()))


def _continues(paragraph: Paragraph, line: list[Piece], right: float, writer: Writer) -> bool:
    """Whether the line is the paragraph's next: just below its last, of its size, in its column, and the last not
    ended early (where the line's first word would have fitted before the column's right edge: a line break, or
    the paragraph's end)."""
    last, first = paragraph.lines[-1][0], line[0]
    step, word = last.y - first.y, writer.width(" " + first.text.split()[0], first.size, first.face)
    # (by more than a word's width, or a sixth of the column's: widths are estimated, and a justified line's
    # spaces are wider than its text's)
    early = paragraph.lines[-1][-1].end + max(word, (right - paragraph.left) / 6) < right
    return (0.2 * last.size < step < 1.7 * last.size and abs(first.size - last.size) < 0.15 * last.size
            and paragraph.left - 2 * last.size < first.x < paragraph.right and not early)


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
