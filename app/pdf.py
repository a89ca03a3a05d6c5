"""PDF files: the text of each paragraph translated and written where the paragraph was, on the page as it was.

A PDF holds no paragraphs, only pieces of text placed on a page (each a text-showing operator: Tj, TJ, ', ").
Pieces on one baseline are a line, and a line just below the last one, of the same size and in the same column, goes
on its paragraph, unless the last ended early (where the line's first word would have fitted: a line break, or the
paragraph's end); a piece far to the right of the line's last (a table's next cell, a second column) starts a line
of its own, and so does a list's bullet or number, which is kept as it is. Each paragraph is one text for the
pipeline; a paragraph that a page break parts (its first part not ending a sentence, and the next page's first
paragraph at its left, size and face) is one text, its translation parted between the two as its source was.

The translated file is the source with its text-showing operators taken out of the pages' content (and of the forms
they draw), so that pictures, rules, fills, links and annotations stay as they were, and the translations laid over
it: each paragraph's in its box, from its left edge to its column's right (a title centred between the margins,
centred), wrapped in DejaVu (matplotlib's copy, which holds every Latin, Greek and Cyrillic letter: Sans, or Serif
for a serif font, bold or italic as most of the paragraph was) at the paragraph's size, line height and colour,
made smaller (down to half) where a longer translation would not fit above the next paragraph; invisible, where it
was (a scan's recognized text, over its picture, which is kept: the file is then searchable in the target
language). What is lost: the fonts themselves, the exact wrapping and justification, the formatting of a part of a
paragraph, a right-aligned paragraph's alignment.

A PDF without text (a scanned page is a picture), one that needs a password to open, or one that pypdf cannot read
or write again is refused.
"""
from __future__ import annotations

import importlib.util
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
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
        """Its lines' text, joined by a space (none after a hyphen that ends a line: a word broken there)."""
        text = ""
        for line in self.lines:
            shown = " ".join("".join(piece.text for piece in line).split())
            text += shown if not text or text[-1] == "-" and text[-2:-1].isalpha() else " " + shown
        return text

    @property
    def face(self) -> Face:
        """The face of most of its text."""
        faces: Counter[Face] = Counter()
        for piece in (piece for line in self.lines for piece in line):
            faces[piece.face] += len(piece.text)
        return faces.most_common(1)[0][0]


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

    def width(self, text: str, size: float, face: Face) -> float:
        self.use(face, size)
        return float(self.pdf.get_string_width(text)) * WIDTH

    def lines(self, text: str, width: float, size: float, face: Face) -> int:
        self.use(face, size)
        lines = self.pdf.multi_cell(width, size, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)
        return len(lines)

    def write(self, paragraph: Paragraph, text: str, origin: tuple[float, float]) -> None:
        """The text in the paragraph's box, at the largest size that fits in its room (down to MIN_SCALE); origin:
        the page's upper left, in the paragraph's coordinates."""
        size = paragraph.size
        while size > paragraph.size * MIN_SCALE and (
                self.lines(text, paragraph.width, size, paragraph.face) * size * paragraph.leading > paragraph.room):
            size *= 0.95
        self.use(paragraph.face, size)
        self.pdf.set_text_color(*(round(255 * c) for c in paragraph.lines[0][0].colour))
        self.pdf.text_mode = TextMode.FILL if paragraph.lines[0][0].visible else TextMode.INVISIBLE
        self.pdf.set_xy(paragraph.x - origin[0], origin[1] - paragraph.top)
        self.pdf.multi_cell(paragraph.width, size * paragraph.leading, text, align=paragraph.align)


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

    def render(translations: list[str], languages: Languages) -> bytes:
        placed = [(p, PRIVATE_USE.sub("\u2022", p.text)) for p in paragraphs if p.marker] + [
            placement for text, translation in zip(texts, translations, strict=True)
            for placement in zip(text, _parted(translation, [len(p.text) for p in text]), strict=True)]
        try:
            return _written(reader, placed, languages)
        except DAMAGED as e:
            raise Damaged(f"it cannot be written again ({e})") from None

    return [" ".join(p.text for p in text) for text in texts], render


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


def _parted(translation: str, lengths: list[int]) -> list[str]:
    """The translation cut between words into as many parts as lengths, each about as long as its share of them."""
    cuts = [sum(lengths[:k + 1]) / sum(lengths) * len(translation) for k in range(len(lengths) - 1)]
    parts: list[list[str]] = [[]]
    position = 0.0
    for word in translation.split():
        if parts[-1] and len(parts) <= len(cuts) and position + len(word) / 2 > cuts[len(parts) - 1]:
            parts.append([])
        parts[-1].append(word)
        position += len(word) + 1
    return [" ".join(part) for part in parts + [[]] * (len(lengths) - len(parts))]


def _written(reader: PdfReader, placed: list[tuple[Paragraph, str]], languages: Languages) -> bytes:
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
            return
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        face = _face(str((font or {}).get("/BaseFont", "")))
        piece = Piece(x, y, size * scale, face, *states[-1], text.replace("\n", " "))
        if not (math.isfinite(x) and math.isfinite(y) and 0 < piece.size < 10_000):
            return  # (a damaged file's: nowhere to write it)
        piece.end = x + writer.width(piece.text, piece.size, face)
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


def _overlay(written: PdfWriter, placed: list[tuple[Paragraph, str]]) -> PdfReader:
    """A PDF of the texts, a page for each of the file's, each where its paragraph was."""
    writer = Writer()
    by_page: dict[int, list[tuple[Paragraph, str]]] = {}
    for paragraph, text in placed:
        by_page.setdefault(paragraph.page, []).append((paragraph, text))
    for k, page in enumerate(written.pages):
        box = page.mediabox
        writer.pdf.add_page(format=(float(box.width), float(box.height)))
        for paragraph, translation in by_page.get(k, []):
            writer.write(paragraph, translation, (float(box.left), float(box.top)))
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
