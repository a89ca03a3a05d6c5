"""A PDF's text as paragraphs. A PDF holds no paragraphs, only pieces of text placed on a page (each a text-showing
operator: Tj, TJ, ', "). Pieces on one baseline are a line, and a line just below the last one, of the same size and
in the same column, goes on its paragraph, unless the last ended early (where the line's first word would have
fitted: a line break, or the paragraph's end); a piece far to the right of the line's last (a table's next cell, a
second column) starts a line of its own, and so does a list's bullet or number. A turned piece (set at an angle: a
margin's note read upwards, a watermark) is a paragraph alone, and the page's others are placed as if it were not
there. A paragraph that a page break parts
(its first part not ending a sentence, and the next page's first paragraph at its left, size and face) goes on
from one page to the next (texts_of).

Each paragraph also gets the box its translation may fill (app/pdf.py writes it there). Widths are estimated
(Estimate): a PDF's fonts are read for their names, not their glyphs.

A word under a link annotation's area (its middle, by those estimates) is marked with the link's number, and a
paragraph's HTML holds the words of each link in a span of their own, so that app/pdf.py can move the link to where
its words' translation is written.
"""
from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from pypdf import PdfReader
from pypdf.generic import PdfObject

LEADING = 1.2  # a line's height, in font sizes, where a paragraph has one line
GAP = 3.0  # a space wider than this many font sizes parts a line in two (a table's cells; a picture is narrower)
# a piece that is a list's bullet or number, kept as it is: not a word to translate, and the item's text keeps its
# indent
MARKER = re.compile(r"[^\w\s]|\d{1,3}[.)]|[a-zA-Z][.)]")
ENDED = re.compile(r"[.!?:;)\]}\"'\u201d\u2019\u00bb]\s*$")  # a paragraph's text that ends a sentence
WHOLE = 0.75  # a piece this much in a link's area is in it (its width, estimated, and so its place: not exactly)
SERIF = re.compile(r"serif|times|roman|georgia|cambria|garamond|palatino|antiqua|minion|century", re.IGNORECASE)
Colour = tuple[float, float, float]  # red, green, blue, from 0 to 1
Face = tuple[str, str]  # a DejaVu family, and its style: "", "B", "I", "BI"
Style = tuple[Face, Colour]
Estimate = Callable[[str, float, Face], float]  # (text, size, face) -> the width it is shown at, estimated
Rect = tuple[float, float, float, float]  # left, bottom, right, top, in points from the page's lower left
Char = tuple[str, Style, int | None]  # a character of a paragraph's text, its style and its link's number (or None)


def paragraphs_of(reader: PdfReader, width: Estimate, links: list[Link] | None = None) -> list[Paragraph]:
    """The paragraphs of every page, in the order the pages show them; their words under links (links_of) marked."""
    edges = [(float(page.mediabox.left), float(page.mediabox.right)) for page in reader.pages]
    paragraphs = []
    for k, page in enumerate(reader.pages):
        pieces = page_pieces(page, width)
        _link(pieces, [(n, link) for n, link in enumerate(links or []) if link.page == k], width)
        paragraphs += _paragraphs(k, pieces, width, edges[k])
    return paragraphs


@dataclass(frozen=True)
class Link:
    """A link annotation: its page, its place in the page's /Annots, and the areas it is clicked in (one for each
    line of its text, where its /QuadPoints say so; else its /Rect)."""

    page: int
    index: int
    areas: tuple[Rect, ...]


def links_of(reader: PdfReader) -> list[Link]:
    """The link annotations of every page, in the order the pages list them (one without a place left out)."""
    found = []
    for k, page in enumerate(reader.pages):
        annotations = _value(page, "/Annots")
        for i, annotation in enumerate(annotations if isinstance(annotations, list) else []):
            annotation = annotation.get_object() if isinstance(annotation, PdfObject) else annotation
            if _value(annotation, "/Subtype") == "/Link" and (areas := _areas(annotation)):
                found.append(Link(k, i, areas))
    return found


def box(points: list[float]) -> Rect:
    """The rectangle around points (x, y, x, y, ...): a /Rect's two corners, a quad's four."""
    xs, ys = points[0::2], points[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _areas(annotation: Any) -> tuple[Rect, ...]:
    """Where a link annotation is clicked: the box around each quad of its /QuadPoints, or else its /Rect; none if
    neither is an array of numbers of the right length."""
    quads = _numbers(_value(annotation, "/QuadPoints"))
    if quads and len(quads) % 8 == 0:
        return tuple(box(quads[at:at + 8]) for at in range(0, len(quads), 8))
    rect = _numbers(_value(annotation, "/Rect"))
    return (box(rect),) if len(rect) == 4 else ()


def _value(dictionary: Any, key: str) -> Any:
    """A PDF dictionary's value, read where it is an indirect one; None if it has none, or is no dictionary."""
    value = dictionary.get(key) if isinstance(dictionary, dict) else None
    return value.get_object() if isinstance(value, PdfObject) else value


def _numbers(array: Any) -> list[float]:
    """A PDF array's numbers; none if it is no array of finite numbers (a damaged file's)."""
    if not isinstance(array, list):
        return []
    items = [item.get_object() if isinstance(item, PdfObject) else item for item in array]
    numbers = [float(item) for item in items if isinstance(item, int | float) and math.isfinite(item)]
    return numbers if len(numbers) == len(items) else []


def _link(pieces: list[Piece], links: list[tuple[int, Link]], width: Estimate) -> None:
    """The words of the pieces under a link's area marked with the link's number (links: the page's, each with its
    number)."""
    for n, link in links:
        for area in link.areas:
            # (halfway up a piece's letters)
            line = [piece for piece in pieces if piece.straight and area[1] <= piece.y + 0.3 * piece.size <= area[3]]
            for piece, word in _under(line, area, width):
                piece.links = piece.links or [None] * len(piece.text)
                piece.links[word.start():word.end()] = [n] * len(word[0])


def _under(line: list[Piece], area: Rect, width: Estimate) -> list[tuple[Piece, re.Match[str]]]:
    """The words of a line's pieces under an area: those of the pieces that lie in it (by WHOLE), if they fill it
    (by WHOLE); else those whose middle is in it. (A link's text is most often a piece of its own, in its colour: where a
    piece starts is known better than where a word in it does, which is estimated from the piece's start on, the
    more wrongly the further.)"""
    inside = [piece for piece in line if _overlap(piece, area) > WHOLE * (piece.end - piece.x)]
    if sum(_overlap(piece, area) for piece in inside) > WHOLE * (area[2] - area[0]):
        return [(piece, word) for piece in inside for word in re.finditer(r"\S+", piece.text)]
    return [(piece, word) for piece in line for word in re.finditer(r"\S+", piece.text)
            if area[0] <= piece.x + (width(piece.text[:word.start()], piece.size, piece.face)
                                     + width(piece.text[:word.end()], piece.size, piece.face)) / 2 <= area[2]]


def _overlap(piece: Piece, area: Rect) -> float:
    """How much of a piece's width is in an area's (0 if none)."""
    return max(0.0, min(piece.end, area[2]) - max(piece.x, area[0]))


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
    end: float = 0.0  # its right edge, estimated (along its baseline, x + its width)
    angle: float = 0.0  # its baseline's, in degrees counter-clockwise: 90 reads upwards (a margin's note)
    links: list[int | None] = field(default_factory=list)  # each character's link's number, if any is under one

    @property
    def letters(self) -> list[tuple[str, int | None]]:
        """Its text, character by character, each with its link's number (None: under none)."""
        return list(zip(self.text, self.links or [None] * len(self.text), strict=True))

    @property
    def straight(self) -> bool:
        return abs(self.angle) < 0.5


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
    def straight(self) -> bool:
        """Whether it is set horizontally; one that is not (turned: a margin's note, a watermark) is one piece."""
        return self.lines[0][0].straight

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
        return "".join(char for char, *_ in self._chars())

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
        <span class="sK">, K that style's number in styles (the file's: a new one is added), and the words under a
        link in a <span class="lK">, K the link's number, so that the pipeline puts each back around the words it
        held (model/html_passes.py)."""
        out = []
        for link, run in groupby(self._chars(), key=lambda char: char[2]):
            styled = self._styled(list(run), styles)
            out.append(styled if link is None else _spanned(styled, f"l{link}"))
        return "".join(out)

    def _styled(self, chars: list[Char], styles: dict[Style, int]) -> str:
        """The characters as HTML, those in another style than most of the paragraph in a span of their style."""
        out, own = [], self.style
        for style, run in groupby(chars, key=lambda char: char[1]):
            text = html.escape("".join(char for char, *_ in run), quote=False)
            if style == own or not text.strip():
                out.append(text)
            else:
                out.append(_spanned(text, f"s{styles.setdefault(style, len(styles))}"))
        return "".join(out)

    def _chars(self) -> list[Char]:
        """Its text, character by character with its style: its lines joined by a space (none after a hyphen that
        ends a line: a word broken there), each line's spaces collapsed into one."""
        chars: list[Char] = []
        for line in self.lines:
            shown = [(char, (piece.face, piece.colour), link) for piece in line for char, link in piece.letters]
            end = max((k for k, (char, *_) in enumerate(shown) if not char.isspace()), default=-1)
            words: list[Char] = []
            for char, style, link in shown[: end + 1]:
                if not char.isspace():
                    words.append((char, style, link))
                elif words and words[-1][0] != " ":
                    words.append((" ", style, None))
            if chars and words and not (chars[-1][0] == "-" and len(chars) > 1 and chars[-2][0].isalpha()):
                chars.append((" ", words[0][1], None))
            chars += words
        return _bridged(chars)


def _bridged(chars: list[Char]) -> list[Char]:
    """The characters, each space between two words under one link under it too (the link's words are one span);
    spaces come one at a time, between words."""
    bridged = list(chars)
    for k in range(1, len(chars) - 1):
        if chars[k][0] == " " and chars[k - 1][2] == chars[k + 1][2]:
            bridged[k] = " ", chars[k][1], chars[k - 1][2]
    return bridged


def _spanned(text: str, name: str) -> str:
    """HTML text in a <span class="name">, the spaces at its ends outside it."""
    spaced = re.fullmatch(r"(\s*)(.*?)(\s*)", text, re.DOTALL)
    assert spaced is not None
    return f'{spaced[1]}<span class="{name}">{spaced[2]}</span>{spaced[3]}'


def page_pieces(page: Any, width: Estimate) -> list[Piece]:
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
                pieces[-1].end += width(" ", pieces[-1].size, pieces[-1].face)
            return
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        angle = math.degrees(math.atan2(tm[0] * cm[1] + tm[1] * cm[3], tm[0] * cm[0] + tm[1] * cm[2]))
        face = face_of(str((font or {}).get("/BaseFont", "")))
        piece = Piece(x, y, size * scale, face, *states[-1], text.replace("\n", " "), angle=angle)
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(angle) and 0 < piece.size < 10_000):
            return  # (a damaged file's: nowhere to write it)
        # pypdf gives the place the text was last moved to, not how far the text shown since went: a piece shown
        # right after the last (a bold word in its line, after a change of font) follows it
        if reported and reported[-1] == (x, y) and piece.straight and pieces[-1].straight:
            piece.x = pieces[-1].end
        reported.append((x, y))
        piece.end = piece.x + width(piece.text, piece.size, face)
        pieces.append(piece)

    page.extract_text(visitor_operand_before=operator, visitor_text=visit)
    return pieces


def face_of(font: str) -> Face:
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


def _paragraphs(page: int, pieces: list[Piece], width: Estimate, edges: tuple[float, float]) -> list[Paragraph]:
    """The pieces as paragraphs: lines on one baseline, and lines just below, in the same column, of one size, each
    with its box (edges: the page's left and right)."""
    paragraphs: list[Paragraph] = []
    lines = _lines(pieces)
    straight = [line for line in lines if line[0].straight]  # (a turned piece is a line and a paragraph alone)
    # the page's margins: the text's left, and as far from the page's right edge as that is from its left
    page_left = min((line[0].x for line in straight), default=edges[0])
    margins = page_left, edges[1] - (page_left - edges[0])
    for line in lines:
        last = paragraphs[-1] if paragraphs else None
        if (last and last.straight and line[0].straight and not last.marker and not _marker(line)
                and _continues(last, line, _right(last, straight), width)):
            last.lines.append(line)
        else:
            paragraphs.append(Paragraph(page, [line]))
    level = [p for p in paragraphs if p.straight]
    for paragraph in paragraphs:
        _place(paragraph, level, straight, margins)
    return paragraphs


def _place(paragraph: Paragraph, paragraphs: list[Paragraph], lines: list[list[Piece]],
           margins: tuple[float, float]) -> None:
    """The paragraph's box: as wide as its column (a paragraph of one line, a heading or a table's cell, up to the
    page's right margin), not into a paragraph beside it (a table's next cell), or between the margins if each of
    its lines is centred between them (a title) or ends at the right one (a date), its lines aligned so; as high as
    the space down to the next paragraph below it. A turned paragraph's box is its line, as long as it was.
    paragraphs, lines: the page's that are set horizontally."""
    if not paragraph.straight:
        paragraph.x, paragraph.width, paragraph.room = paragraph.left, paragraph.right - paragraph.left, paragraph.size
        return
    baseline = paragraph.lines[-1][0].y
    paragraph.room = paragraph.top - max(
        [p.top for p in paragraphs if p.top <= baseline and p.left < paragraph.right and p.right > paragraph.left],
        default=baseline - paragraph.size)
    level = [p for p in paragraphs if p is not paragraph and p.top > baseline and p.lines[-1][0].y < paragraph.top]
    middle, slack = sum(margins) / 2, max(2 * paragraph.size, (margins[1] - margins[0]) / 20)
    indented = all(line[0].x > margins[0] + 2 * paragraph.size for line in paragraph.lines)
    if not level and indented and all(abs((line[0].x + line[-1].end) / 2 - middle) < slack for line in paragraph.lines):
        paragraph.x, paragraph.width, paragraph.align = margins[0], margins[1] - margins[0], "C"
        return
    # (ends are estimated, a tenth off or more: DejaVu's widths, not the file's font's)
    if not level and indented and all(abs(line[-1].end - margins[1]) < max(paragraph.size, (line[-1].end - line[0].x)
                                                                            * 0.15) for line in paragraph.lines):
        paragraph.x, paragraph.width, paragraph.align = margins[0], margins[1] - margins[0], "R"  # (a letter's date)
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
        if (last and piece.straight and last.straight and abs(piece.y - last.y) < 0.4 * last.size
                and last.x < piece.x < last.end + GAP * last.size and not _marker(lines[-1])):
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


def _continues(paragraph: Paragraph, line: list[Piece], right: float, width: Estimate) -> bool:
    """Whether the line is the paragraph's next: just below its last, of its size, in its column, and the last not
    ended early (where the line's first word would have fitted before the column's right edge: a line break, or
    the paragraph's end)."""
    last, first = paragraph.lines[-1][0], line[0]
    step, word = last.y - first.y, width(" " + first.text.split()[0], first.size, first.face)
    # (by more than a word's width, or a sixth of the column's: widths are estimated, and a justified line's
    # spaces are wider than its text's)
    early = paragraph.lines[-1][-1].end + max(word, (right - paragraph.left) / 6) < right
    return (0.2 * last.size < step < 1.7 * last.size and abs(first.size - last.size) < 0.15 * last.size
            and paragraph.left - 2 * last.size < first.x < paragraph.right and not early)


def texts_of(paragraphs: list[Paragraph]) -> list[list[Paragraph]]:
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
        same = [p for p in pages.get(k + 1, []) if p.straight and abs(p.left - last.left) < 1 and p.face == last.face
                and abs(p.size - last.size) < 0.05 * last.size]
        if same:
            continued[id(max(same, key=lambda p: p.top))] = last
    return continued
