"""Office Open XML files, Word documents (.docx), PowerPoint presentations (.pptx) and Excel workbooks (.xlsx), and
their templates and macro-enabled files (KINDS): the text of each paragraph (of each string cell and comment, in a
workbook) and the alt text of each picture and shape translated, everything else kept as written.

Such a file is a zip of XML parts. The parts people read (Word: word/document.xml, the headers and footers,
footnotes, endnotes, comments; PowerPoint: the slides and their notes; Excel: the shared strings, the sheets' inline
strings, the comments; in any: the charts, the diagrams, a sheet's shapes) are parsed to find where each element
starts and ends, and edited as bytes, never re-serialized: namespace prefixes, mc:Ignorable lists and attribute
order stay as written (ElementTree would rename the prefixes, which Word reports as a damaged file). Every other
part and every zip entry's compression is kept. Word's paragraphs, runs and texts (<w:p>, <w:r>, <w:t>) and
PowerPoint's (DrawingML's <a:p>, <a:r>, <a:t>) have one structure, and so have Excel's strings (<si> or <is>, <r>,
<t>); a Kind says what differs.

Each paragraph (<w:p>) goes to the pipeline as one HTML text, so that the model sees whole sentences: the text of
its runs, each run formatted otherwise than most of the paragraph's text inside a <span id="rK"> (consecutive runs
of one formatting are one span; the text in a hyperlink, an inline content control, a tracked insertion or a smart
tag always one, their tags around it), which the HTML pipeline puts back around the words it held
(model/html_passes.py), and each line break or tab a <br id="K"/>, so that what is between is translated apart. A
*plain* paragraph, whose runs hold nothing but their formatting, text, tabs, line breaks and hyphens (<w:rPr>,
<w:t>, <w:tab/>, <w:br/>, <w:cr/>; a soft hyphen goes with the source's word, a no-break hyphen is the text U+2011;
spell-check marks and bookmarks around them, hyperlinks and the like around them, DrawingML's line breaks between
them and end-of-paragraph formatting after them), is written back as new runs in the translation's order, each
span's text with its run's formatting (and what it was inside around it: consecutive runs inside one copy of its
tags, each further copy, where the translation parts them, with w:ids of its own, which Word requires unique), the
rest with the paragraph's most common formatting. A field (Word's <w:fldSimple>, DrawingML's <a:fld>: a page or
slide number, a date), a comment's range marks, and a run of a picture, a symbol, a shape, or a footnote's,
endnote's or comment's reference mark are kept whole, each a marker (<nmt-kept id="K"/>) that goes after the word it
followed, inside what it was inside (as a line break or a tab does), its text (a field's value) not translated. A
field of several runs (<w:fldChar> begin … end), in the paragraph or in a hyperlink (a table of contents' line: the
link's text, a tab, the PAGEREF field of the page number), is kept whole too, unless it is a HYPERLINK: its value is
the link's text, a hyperlink's span, and its runs from begin to separator and its end run go around that text as a
<w:hyperlink>'s tags do. Of a field whose value goes on past the paragraph (a table of contents': its value is its
lines), the code (begin … separator) and, in a later paragraph, the end are kept whole. A run of a text box (a
drawing that holds paragraphs, in Word's two copies: DrawingML's and VML's) is kept whole like a picture, the
translation of its own paragraphs written inside it. A picture's or a shape's alt text, what a screen reader reads of
it (DrawingML's descr and title: on Word's <wp:docPr>, PowerPoint's <p:cNvPr>, a sheet's drawing's <xdr:cNvPr>; and
VML's alt, in the older copy of a drawing Word writes beside it), is a text of its own, its lines parted, wherever it
is (in a run kept whole too), and written back in its quotes (one held in two places, as Word writes a picture's on
its <wp:docPr> and its <pic:cNvPr>, is sent once, as any text a file holds twice: documents.read_document); one
without a letter stays as written. A tracked deletion and an equation (Office Math's <m:oMath>: its text is math)
are kept whole too. Any other paragraph (a HYPERLINK field whose value is more than text, a bookmark inside a
hyperlink) keeps its runs where they are, each <w:t>'s text translated alone.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import count, groupby

from nmt.app import labels
from nmt.app.labels import Labels
from nmt.app.packages import Damaged, Written, unzipped
from nmt.app.xmlparts import (
    Cut,
    Edit,
    Element,
    Value,
    as_attribute,
    attribute_values,
    code_styles,
    edited_within,
    elements,
    joined,
    nested,
    outermost,
    prefix_of,
    qualified,
    translated_parts,
)
from nmt.model.align import SPACE
from nmt.model.html import BR, edges, readable

ESCAPED, UNDERSCORE = re.compile(r"_x([0-9A-Fa-f]{4})_"), re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # Kind.cells
CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")  # what XML cannot hold, and the carriage return (XML reads as \n)
TOKEN = re.compile(r'<span id="r(\d+)">|</span>|<(br|nmt-kept) id="(\d+)"/>')  # what a paragraph's HTML holds
SPACES = r"((?:\s|&nbsp;)*)"
OPENING = re.compile(rf'{SPACES}(<span id="r(\d+)">){SPACES}')  # a span's start and the white space on its sides
CLOSING = re.compile(rf'<span id="r(\d+)">|{SPACES}(</span>){SPACES}')  # a span's end (its start read for its id)
TRACKED = re.compile(rb"<(?:[\w.-]+:)?(?:ins|moveTo)[\s/>]")  # a tracked insertion's start tag (or a move's)
# kept around the runs written again: bookmarks, end-of-paragraph formatting, and an Excel string's phonetic guide
# (<rPh>, to East Asian text) and its properties, which follow its runs
BEFORE_RUNS = frozenset({"bookmarkStart"})
AFTER_RUNS = frozenset({"bookmarkEnd", "endParaRPr", "rPh", "phoneticPr"})
# a plain paragraph's children (DrawingML's line break, <a:br>, is one), and its runs' (Word's, <w:br/>, is one)
PLAIN_PARAGRAPH = frozenset({"pPr", "proofErr", "br"}) | BEFORE_RUNS | AFTER_RUNS  # and runs, or wrappers of runs:
WRAPPERS = frozenset({"hyperlink", "sdt", "ins", "moveTo", "smartTag", "customXml"})  # their tags go around a span
# (a soft hyphen, a hint where the source's word may break, goes with it; a no-break hyphen is text, U+2011)
PLAIN_RUN = frozenset({"rPr", "t", "br", "cr", "tab", "ptab", "lastRenderedPageBreak", "softHyphen", "noBreakHyphen"})
BREAKS = frozenset({"br", "cr", "tab", "ptab"})  # line breaks (<w:cr/> is one) and tabs (a positional one too)
# kept whole where the translation puts them (after the word they followed): fields (Word's <w:fldSimple>,
# DrawingML's <a:fld>: a page or slide number, a date; a field of several runs, <w:fldChar w:fldCharType="begin"/>
# … "end", is made one element, a "complexField"), the marks of a comment's range or of a move's, tracked deletions
# (their runs stay, marked deleted), equations (Office Math's, inline or on a line of their own: its text is math) ...
WHOLE = frozenset({"fldSimple", "fld", "complexField", "commentRangeStart", "commentRangeEnd", "del", "moveFrom",
                   "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "m:oMath", "m:oMathPara"})
# ... and runs of an object (a picture, a symbol, a shape: a drawing in a newer and an older form, in
# mc:AlternateContent) or of a reference mark (a footnote's, an endnote's or a comment's, where it is cited; a note's
# own number, at the start of its text)
OBJECTS = frozenset({"drawing", "pict", "object", "sym", "mc:AlternateContent", "footnoteReference", "endnoteReference",
                     "commentReference", "footnoteRef", "endnoteRef", "annotationRef"})
# a picture's or a shape's alt text, what a screen reader reads of it, by the local name of the element that holds it:
# DrawingML's description and title (Word's <wp:docPr>; PowerPoint's <p:cNvPr>, a sheet's drawing's <xdr:cNvPr>, a
# picture's own <pic:cNvPr>) and VML's alt (its shapes', in the older copy of a drawing Word writes beside it)
ALT_TEXTS = {"docPr": ("descr", "title"), "cNvPr": ("descr", "title")} | dict.fromkeys(
    "shape rect roundrect oval line polyline curve arc image group".split(), ("alt",))
SIMPLE_LINK = re.compile(rb'instr\s*=\s*["\']\s*HYPERLINK\b', re.IGNORECASE)
FIELD_CHAR = re.compile(rb'fldCharType\s*=\s*["\'](begin|separate|end)["\']')
KEPT_RUN = frozenset({"rPr", "lastRenderedPageBreak"}) | OBJECTS
# how many wrappers a run may be inside (Word nests a few: a smart tag in a hyperlink in an insertion); a file with
# more is refused: each run's translation is written inside copies of all its wrappers' tags, which grow as the
# square of the depth (3,000 deep, a run at each depth: a 190 kB part written again as 180 MB, in minutes)
MAX_WRAPPING = 64
CODE_STYLES = code_styles("")  # a Word style's id: its name without spaces


@dataclass(frozen=True)
class Kind:
    """A kind of Office Open XML file: what one is called, its media type, the namespace of its paragraphs, the
    parts that hold its text, the part every such file has, whether its texts need xml:space="preserve" to keep
    their edge spaces (Word's <w:t>; DrawingML's <a:t> keeps them, and allows no attribute), where it says what
    language its text is in (app/labels.py), what its paragraphs are called, and whether its texts are a
    spreadsheet's cells: a newline in one is a line break (Word and PowerPoint write a line break as an element,
    and read a newline as a space), and a control character in one (a carriage return too) is escaped as _xHHHH_
    (ECMA-376's ST_Xstring, which Excel writes), an underscore that would read as such an escape as _x005F_."""

    name: str
    media_type: str
    namespace: str
    text_parts: re.Pattern[str]
    main_part: str
    preserve: bool
    labels: Labels
    paragraphs: frozenset[str] = frozenset({"p"})
    cells: bool = False


# the parts of any kind whose text is DrawingML's paragraphs, as a slide's: a chart's (its title, its axes'), a
# SmartArt diagram's (its data, and the drawing made of it, which the applications show), a sheet's shapes and text
# boxes (not a chart's cached category and series names, which the application takes again from the embedded data)
DRAWINGS = re.compile(r"(word|ppt|xl)/(charts/chart\d+|diagrams/(data|drawing)\d+|drawings/drawing\d+)\.xml")
DRAWING_LABELS = labels.attribute(rb"lang", tag=rb"a:\w+")  # DrawingML's runs' (<a:rPr lang="en-US">)
OPENXML, VENDOR = "application/vnd.openxmlformats-officedocument.", "application/vnd.ms-"  # media types' starts
WORD = Kind("a Word document", OPENXML + "wordprocessingml.document",
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"), "word/document.xml",
            preserve=True, labels=Labels(re.compile(r"word/.+\.xml"), labels.every(
                labels.attribute(rb"\w+:val", tag=rb"\w+:lang"), DRAWING_LABELS)))
POWERPOINT = Kind("a PowerPoint presentation", OPENXML + "presentationml.presentation",
                  "http://schemas.openxmlformats.org/drawingml/2006/main",
                  re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml"), "ppt/presentation.xml",
                  preserve=False, labels=Labels(re.compile(r"ppt/.+\.xml"), labels.attribute(rb"lang")))
# a workbook's text: its shared strings (the text of string cells, <si>, each once however many cells show it: as
# Excel writes them), the sheets' inline strings (<is>: as openpyxl writes them) and the cells' comments (<text>); a
# cell of a number, a date or a formula holds neither, and stays as it is
EXCEL = Kind("an Excel workbook", OPENXML + "spreadsheetml.sheet",
             "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
             re.compile(r"xl/(sharedStrings|worksheets/sheet\d+|comments\d*|comments/comment\d+)\.xml"),
             "xl/workbook.xml", preserve=True, labels=Labels(DRAWINGS, DRAWING_LABELS),
             paragraphs=frozenset({"si", "is", "text"}), cells=True)


def variant(kind: Kind, name: str, media_type: str) -> Kind:
    """Files of the kind's parts under a media type of their own: a template, a macro-enabled file (its macros kept
    byte for byte, never run)."""
    return replace(kind, name=name, media_type=media_type)


KINDS = {
    ".docx": WORD,
    ".docm": variant(WORD, "a macro-enabled Word document", VENDOR + "word.document.macroEnabled.12"),
    ".dotx": variant(WORD, "a Word template", OPENXML + "wordprocessingml.template"),
    ".dotm": variant(WORD, "a macro-enabled Word template", VENDOR + "word.template.macroEnabled.12"),
    ".pptx": POWERPOINT,
    ".pptm": variant(POWERPOINT, "a macro-enabled PowerPoint presentation", VENDOR + "powerpoint.presentation.macroEnabled.12"),
    ".ppsx": variant(POWERPOINT, "a PowerPoint show", OPENXML + "presentationml.slideshow"),
    ".ppsm": variant(POWERPOINT, "a macro-enabled PowerPoint show", VENDOR + "powerpoint.slideshow.macroEnabled.12"),
    ".potx": variant(POWERPOINT, "a PowerPoint template", OPENXML + "presentationml.template"),
    ".potm": variant(POWERPOINT, "a macro-enabled PowerPoint template", VENDOR + "powerpoint.template.macroEnabled.12"),
    ".xlsx": EXCEL,
    ".xlsm": variant(EXCEL, "a macro-enabled Excel workbook", VENDOR + "excel.sheet.macroEnabled.12"),
    ".xltx": variant(EXCEL, "an Excel template", OPENXML + "spreadsheetml.template"),
    ".xltm": variant(EXCEL, "a macro-enabled Excel template", VENDOR + "excel.template.macroEnabled.12"),
}


@dataclass(frozen=True)
class Tags:
    """How a part writes the elements written here: the prefix it binds to the paragraphs' namespace (w in every
    file Word writes, a in PowerPoint's, none in Excel's), the kind of file, and ids no element of the part has."""

    prefix: str
    kind: Kind
    ids: Iterator[int] = field(compare=False)

    @staticmethod
    def of(part: bytes, kind: Kind) -> Tags:
        prefix = prefix_of(part, kind.namespace)
        if prefix is None:
            raise Damaged(f"a text part does not declare the namespace {kind.namespace}")
        return Tags(prefix, kind, count(max((int(m[2]) for m in _ids(prefix).finditer(part)), default=0) + 1))

    def copy(self, around: Around) -> Around:
        """Another copy of what runs are inside (a tracked insertion the translation parts in two), each w:id in it
        (an annotation's, which Word requires unique) one that no element of the part has."""
        start, end = (_ids(self.prefix).sub(lambda m: m[1] + str(next(self.ids)).encode(), tags) for tags in around)
        return start, end

    def lines(self, text: str) -> list[str]:
        """A text's lines (in a cell; elsewhere the one text), its escapes read (Kind.cells)."""
        if not self.kind.cells:
            return [text]
        return ESCAPED.sub(lambda m: chr(int(m[1], 16)), text).split("\n")

    def text(self, text: str) -> bytes:
        if self.kind.cells:
            text = CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", UNDERSCORE.sub("_x005F_", text))
        space = ' xml:space="preserve"' if self.kind.preserve else ""
        t = qualified(self.prefix, "t")
        return f"<{t}{space}>{html.escape(text, quote=False)}</{t}>".encode()

    def run(self, style: bytes, content: bytes) -> bytes:
        r = qualified(self.prefix, "r")
        return f"<{r}>".encode() + style + content + f"</{r}>".encode()


def _ids(prefix: str) -> re.Pattern[bytes]:
    """An id attribute (w:id: a tracked change's, a bookmark's, a comment range's) before its value."""
    return re.compile(rb"(\s" + re.escape(qualified(prefix, "id").encode()) + rb"""\s*=\s*["'])(-?\d+)""")


# the start and end of what a run is inside, as written: a hyperlink, an inline content control, a tracked
# insertion, a smart tag (of nested ones, the outer's start and the inner's, the inner's end and the outer's)
Around = tuple[bytes, bytes]
Run = tuple[bytes, str, Around | None]  # a run to write: its formatting, its text, what it is inside


@dataclass(frozen=True)
class Piece:
    """A paragraph's text (<w:t>), line break (<w:br/>, <a:br>), tab (<w:tab/>) or element kept whole (a field, a
    run of an object: its text, a field's value, is not translated), with its run's formatting (<w:rPr> as written,
    b"" if none) and the hyperlink around its run (Word's <w:hyperlink>), if any."""

    element: Element
    style: bytes
    around: Around | None
    in_run: bool


@dataclass
class Paragraph:
    """A paragraph's pieces in order, and the elements in it that hold texts of their own (a text box's run: its
    paragraphs; an element with an alt text)."""

    element: Element
    pieces: list[Piece]
    containers: list[Element]
    plain: bool


def read_paragraph(element: Element, part: bytes) -> Paragraph:
    """The paragraph's pieces, each with its run's formatting and what its run is inside; a run holding paragraphs
    (a text box) is one piece, kept whole, and a container, and so is each element with an alt text in what is kept
    whole (a picture's run)."""
    _fields_read(element, part)
    paragraph = Paragraph(element, [], [], _plain(element))
    # depth first, in document order: (element, its run, what it is inside)
    todo: list[tuple[Element, Element | None, Around | None, int]] = [
        (c, None, None, 0) for c in reversed(element.children)]  # (and how many wrappers it is inside)
    while todo:
        element, run, around, wrapping = todo.pop()
        # texts of their own: a paragraph outside a run (which Word does not write), an alt text in a run of text (a
        # drawing's <wp:docPr>, no property of the run's)
        if element.name == "p" or _alt_texts(element, part):
            paragraph.containers.append(element)
            continue
        # properties (<w:pPr>, <w:rPr>, ...: a revision mark in them too) stay as written; a phonetic guide to East
        # Asian text (Excel's <rPh>) is not text to translate
        if element.name.endswith("Pr") or element.name == "rPh":
            continue
        container = _container(element)
        if container or _kept(element):
            paragraph.pieces.append(Piece(element, _style(part, element), around, element.name == "r"))
            paragraph.containers += [element] if container else _described(element, part)
            continue
        if element.name == "r":
            run = element
        elif wrapped := _wrapped(element):
            start, end = part[element.start:wrapped[0].start], part[wrapped[-1].end:element.end]
            around = (around[0] + start, end + around[1]) if around else (start, end)
            todo += [(child, run, around, _deeper(wrapping)) for child in reversed(wrapped)]
            continue
        elif element.name in ("t", "br", "cr", "ptab") or element.name == "tab" and run:
            # (a tab outside a run is a tab stop, in the paragraph's properties)
            paragraph.pieces.append(Piece(element, _style(part, run), around, run is not None))
        elif element.name == "noBreakHyphen" and paragraph.plain:  # its text, where the paragraph is written again
            hyphen = Element("t", element.start, element.end, text="\u2011")
            paragraph.pieces.append(Piece(hyphen, _style(part, run), around, run is not None))
        todo += [(child, run, around, wrapping) for child in reversed(element.children)]
    return paragraph


def _deeper(wrapping: int) -> int:
    """How many wrappers are around what is inside one more; Damaged past MAX_WRAPPING."""
    if wrapping >= MAX_WRAPPING:
        raise Damaged(f"its runs are wrapped more than {MAX_WRAPPING} deep (in hyperlinks, content controls, tracked "
                      "insertions or smart tags)")
    return wrapping + 1


def _fields_read(paragraph: Element, part: bytes) -> None:
    """Each field of several runs made one element (_fields_joined) among the paragraph's children, and among those of
    what wraps runs in it: a table of contents' line is a hyperlink around its text, a tab and its page's field."""
    todo = [paragraph]
    while todo:  # iterative: nesting depth is the file's to choose
        element = todo.pop()
        element.children = _fields_joined(element.children, part)
        todo += [c for c in element.children if c.name in WRAPPERS or c.name == "sdtContent"]


def _fields_joined(children: list[Element], part: bytes) -> list[Element]:
    """A paragraph's children (or a hyperlink's, ...) with each field of several runs (its begin, instructions,
    separator, value and end) made one element: a HYPERLINK field a "hyperlink", its value's runs its content (the
    link's text, translated), any other a "complexField", kept whole. A field whose value goes on past the paragraph
    (a table of contents', whose value is its lines) has its code (begin … separator) kept whole, a "complexField", and
    its value's runs read as any; its end, in a later paragraph, is kept whole too; the runs of any other field
    without its end are left as they are. A simple HYPERLINK field is a "hyperlink" too."""
    out: list[Element] = []
    field: list[Element] = []  # the runs of the field read so far
    depth = 0
    todo = list(reversed(children))
    while todo:
        child = todo.pop()
        kind = _field_char(child, part)
        depth += 1 if kind == b"begin" else -1 if kind == b"end" and depth else 0
        if not field and not depth:
            out.append(_kept_field([child]) if kind == b"end" else _simple_link(child, part))
            continue
        field.append(child)
        if not depth:
            out += _field(field, part)
            field = []
        elif not todo and (code := _code(field, part)):  # the paragraph ends in the field's value: read it again
            out.append(_kept_field(code))
            todo, field, depth = list(reversed(field[len(code):])), [], 0
    return out + field


def _code(runs: list[Element], part: bytes) -> list[Element]:
    """A field's runs from its begin to its separator, [] if it has none or another field begins among them."""
    kinds = [_field_char(r, part) for r in runs]
    code = runs[:kinds.index(b"separate") + 1] if b"separate" in kinds else []
    return code if kinds[:len(code)].count(b"begin") == 1 else []


def _kept_field(runs: list[Element]) -> Element:
    """A field's runs (or some of them) as one element, kept whole."""
    return Element("complexField", runs[0].start, runs[-1].end, children=runs)


def _simple_link(element: Element, part: bytes) -> Element:
    """A simple field (<w:fldSimple>) that is a HYPERLINK as a "hyperlink": its runs are the link's text, and its
    tags go around their translation; any other element as it is."""
    if element.name != "fldSimple" or not element.content:
        return element
    start_tag = part[element.start:element.content[0]]
    link = SIMPLE_LINK.search(start_tag) and all(c.name == "r" for c in element.children) and element.children
    return Element("hyperlink", element.start, element.end, element.content, element.children) if link else element


def _field_char(run: Element, part: bytes) -> bytes | None:
    """The kind of field character the run holds (begin, separate, end), if any."""
    fld = run.child("fldChar") if run.name == "r" else None
    kind = FIELD_CHAR.search(part, fld.start, fld.end) if fld else None
    return kind[1] if kind else None


def _field(runs: list[Element], part: bytes) -> list[Element]:
    """A field's runs as one element: a HYPERLINK whose value is plain runs a "hyperlink" (begin … separator and end
    its start and end, its value's runs its content); any other field a "complexField", kept whole; a HYPERLINK
    field otherwise as its runs, each text translated where it is (its value is the link's text)."""
    instruction = " ".join(g.text for r in runs for g in r.children if g.name == "instrText").strip()
    if not instruction.upper().startswith("HYPERLINK"):
        return [_kept_field(runs)]
    kinds = [_field_char(r, part) for r in runs]
    value = runs[kinds.index(b"separate") + 1:-1] if kinds.count(b"separate") == 1 == kinds.count(b"begin") else []
    if value and all(r.name == "r" and all(g.name in PLAIN_RUN for g in r.children) for r in value):
        return [Element("hyperlink", runs[0].start, runs[-1].end, (value[0].start, value[-1].end), value)]
    return runs


def _kept(element: Element) -> bool:
    """A field, a comment's range mark, a tracked deletion, an empty wrapper (a bookmark's hyperlink, a content
    control left empty), or a run of an object or a reference mark, with no paragraph inside."""
    whole = element.name in WHOLE or element.name in WRAPPERS and not _wrapped(element) or element.name == "r" and any(
        c.name in OBJECTS for c in element.children) and all(c.name in KEPT_RUN for c in element.children)
    return whole and not _container(element)


def _container(element: Element) -> bool:
    """A run that holds paragraphs (a text box's, in a drawing) and no text outside them: its paragraphs are texts of
    their own, and the run goes where the translation of the paragraph around it puts it."""
    inside = outermost(element.children, lambda e: e.name in ("p", "t")) if element.name == "r" else []
    return bool(inside) and all(e.name == "p" for e in inside)


def _wrapped(element: Element) -> list[Element]:
    """What a hyperlink, an inline content control (what is in its <w:sdtContent>), a tracked insertion or a smart
    tag holds, but its properties (<w:sdtPr>, ...), which go with its start; [] for anything else."""
    inner = element.child("sdtContent") if element.name == "sdt" else element if element.name in WRAPPERS else None
    return [c for c in inner.children if not c.name.endswith("Pr")] if inner else []


def _plain(paragraph: Element) -> bool:
    return all(c.name in PLAIN_PARAGRAPH or _plain_inline(c) for c in paragraph.children)


def _plain_inline(element: Element) -> bool:
    """A run of text (or kept whole), an element kept whole, or a wrapper of such (a spell-check mark in it goes:
    Word marks again)."""
    todo = [element]
    while todo:  # iterative: read before read_paragraph refuses wrappers nested past MAX_WRAPPING
        element = todo.pop()
        plain_run = element.name == "r" and all(g.name in PLAIN_RUN for g in element.children)
        if plain_run or _kept(element) or _container(element):
            continue
        if element.name not in WRAPPERS:
            return False
        todo += [c for c in _wrapped(element) if c.name != "proofErr"]
    return True


def _style(part: bytes, run: Element | None) -> bytes:
    """A run's formatting as written (<w:rPr>), b"" if it has none."""
    rpr = run.child("rPr") if run and run.name == "r" else None
    return part[rpr.start:rpr.end] if rpr else b""


def _within(elements: list[Element], part: bytes, tags: Tags, depth: int = 0) -> Cut:
    """The alt texts outside paragraphs in the elements (a slide's shapes', a picture's copies'), then the outermost
    paragraphs (each element one, or under it), each with the texts it holds, in document order."""
    cuts, alt_texts, todo = [], [], list(reversed(elements))
    while todo:  # iterative: nesting depth is the file's to choose
        element = todo.pop()
        if element.name in tags.kind.paragraphs:
            cuts.append(_paragraph(read_paragraph(element, part), part, tags, depth))
            continue
        alt_texts += _alt_texts(element, part)
        todo += reversed(element.children)
    return joined([_alt_cut(alt_texts), *cuts])


def _alt_texts(element: Element, part: bytes) -> list[Value]:
    """The element's alt texts (ALT_TEXTS) that are words (model/html.readable): any other is kept as written."""
    names = ALT_TEXTS.get(element.name.rpartition(":")[2])
    return [v for v in attribute_values(part, element, names) if readable(v[2])] if names else []


def _described(element: Element, part: bytes) -> list[Element]:
    """The elements with alt texts in an element kept whole (a picture's run), none inside another (_within reads
    what is inside)."""
    return outermost([element], lambda e: bool(_alt_texts(e, part)))


def _alt_cut(alt_texts: list[Value]) -> Cut:
    """Alt texts, each a text of its own, its lines parted (as a cell's are), and written back in its quotes."""
    def edits(out: list[str]) -> list[Edit]:
        return [(start, end, as_attribute(_edged(source, _lines_of(translation))))
                for (start, end, source), translation in zip(alt_texts, out, strict=True)]

    return Cut([_html_of(text.split("\n")) for _, _, text in alt_texts], edits)


def _paragraph(paragraph: Paragraph, part: bytes, tags: Tags, depth: int) -> Cut:
    """The paragraph's text, if it has any (whole if it is plain, else each <w:t> alone), then its containers'."""
    inner = _within(paragraph.containers, part, tags, nested(depth)) if paragraph.containers else joined([])
    if not any(piece.element.text.strip() for piece in paragraph.pieces) or _code_style(paragraph.element, part):
        return inner  # (its containers are edited where they are)
    return _whole(paragraph, part, tags, inner) if paragraph.plain else joined([_each_text(paragraph, tags), inner])


def _code_style(paragraph: Element, part: bytes) -> bool:
    """Whether a Word paragraph is in a style of code (CODE_STYLES): a command or a program, which the model
    translated as words ("npm install store" as "Empero en todas las cosas.")."""
    properties = paragraph.child("pPr")
    style = properties.child("pStyle") if properties else None
    return style is not None and any(CODE_STYLES.fullmatch(value) for *_, value in attribute_values(part, style, ("w:val",)))


def _each_text(paragraph: Paragraph, tags: Tags) -> Cut:
    """Each <w:t> with text translated alone, where it is; its lines (a cell's) sent parted by HTML's <br>, which
    parts what is on either side, and written back parted by newlines."""
    texts = [piece.element for piece in paragraph.pieces if piece.element.name == "t" and piece.element.text.strip()]
    lines = [tags.lines(t.text) for t in texts]

    def edits(out: list[str]) -> list[Edit]:
        return [(t.start, t.end, tags.text(_edged("\n".join(source), _lines_of(translation))))
                for t, source, translation in zip(texts, lines, out, strict=True)]

    return Cut([_html_of(source) for source in lines], edits)


def _html_of(lines: list[str]) -> str:
    """Lines as one HTML text, parted by <br>, which parts what is on either side (each is translated apart)."""
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _lines_of(translation: str) -> str:
    """The translation of lines sent parted by <br> (_html_of), as text: its lines parted by newlines."""
    return html.unescape(BR.sub("\n", translation))


@dataclass
class Group:
    """Consecutive texts of one formatting and hyperlink, joined; or a line break, a tab or an element kept whole (its
    bytes to write again)."""

    style: bytes
    text: str
    around: Around | None
    element: bytes | None = None
    breaks_line: bool = False


def _groups(paragraph: Paragraph, part: bytes, tags: Tags, inside: list[Edit]) -> list[Group]:
    """The paragraph's groups; an element kept whole written with the edits inside it (a text box's)."""
    groups: list[Group] = []
    for piece in paragraph.pieces:
        element = piece.element
        if element.name in BREAKS:  # Word's in a run of its own again; DrawingML's line break is the paragraph's child
            written = part[element.start:element.end]
            groups.append(Group(piece.style, "", piece.around,
                                tags.run(piece.style, written) if piece.in_run else written, breaks_line=True))
        elif element.name != "t":  # kept whole: a field, a run of an object
            groups.append(Group(piece.style, "", piece.around, edited_within(part, element, inside)))
        else:
            for k, line in enumerate(tags.lines(element.text)):
                if k:  # a newline that is a line break, in a run of its own
                    groups.append(Group(piece.style, "", piece.around, tags.run(piece.style, tags.text("\n")),
                                        breaks_line=True))
                _add_text(groups, piece, line)
    return groups


def _add_text(groups: list[Group], piece: Piece, text: str) -> None:
    """The text of a piece after the groups, in the last one if it is text of the same formatting and hyperlink."""
    last = groups[-1] if groups else None
    if last and last.element is None and (last.style, last.around) == (piece.style, piece.around):
        last.text += text
    else:
        groups.append(Group(piece.style, text, piece.around))


def _whole(paragraph: Paragraph, part: bytes, tags: Tags, inner: Cut) -> Cut:
    """The paragraph as one text: runs formatted otherwise than most of its text, and hyperlinks, as spans; line
    breaks and tabs as <br id="K"/>, fields, objects and text boxes as <nmt-kept id="K"/>; then the texts of its text
    boxes (inner), whose edits go inside the runs it writes again."""
    groups = _groups(paragraph, part, tags, [])
    weight: Counter[bytes] = Counter()
    for group in groups:
        weight[group.style] += len(group.text) if group.around is None else 0
    common = weight.most_common(1)[0][0]

    def marked(k: int, group: Group) -> str:
        if group.element is not None:
            return f'<{"br" if group.breaks_line else "nmt-kept"} id="{k}"/>'
        text = html.escape(group.text, quote=False)
        return text if group.style == common and group.around is None else f'<span id="r{k}">{text}</span>'

    def edits(out: list[str]) -> list[Edit]:
        written = _groups(paragraph, part, tags, inner.edits(out[1:]))
        return [_rebuilt(paragraph, part, tags, written, common, out[0])]

    return Cut(["".join(marked(k, group) for k, group in enumerate(groups)), *inner.texts], edits)


def _rebuilt(paragraph: Paragraph, part: bytes, tags: Tags, groups: list[Group], common: bytes,
             translation: str) -> Edit:
    """The paragraph's content after its properties, written again: its bookmarks' starts, the translation as runs
    (each span with its run's formatting and hyperlink) with its line breaks, tabs, fields and objects where the
    translation put them (inside a span too; inside the hyperlink they were inside, if any), its bookmarks' ends and
    end-of-paragraph formatting."""
    content = [c for c in paragraph.element.children if c.name != "pPr"]
    written: list[tuple[Around | None, bytes]] = []  # each run or mark, and what it goes inside
    line_start = True
    for runs, mark, line_end in _segments(translation, groups, common):
        written += [(around, tags.run(style, tags.text(text))) for style, text, around in _spaced(runs, line_start, line_end)]
        written += [(mark.around, mark.element)] if mark and mark.element else []
        line_start = line_end
    starts, ends = (b"".join(part[c.start:c.end] for c in content if c.name in kept) for kept in (BEFORE_RUNS, AFTER_RUNS))
    return content[0].start, content[-1].end, starts + _inside(written, tags) + ends


def _inside(written: list[tuple[Around | None, bytes]], tags: Tags) -> bytes:
    """Runs and marks written inside what they were inside (a hyperlink, a tracked insertion, ...): consecutive ones
    inside one copy of its tags; where the translation parted them, each further copy with ids of its own (Tags.copy)."""
    out, seen = b"", set()
    for around, items in groupby(written, key=lambda item: item[0]):
        inner = b"".join(content for _, content in items)
        if around is None:
            out += inner
            continue
        start, end = tags.copy(around) if around in seen else around
        seen.add(around)
        out += start + inner + end
    return out


def _segments(translation: str, groups: list[Group], common: bytes) -> list[tuple[list[Run], Group | None, bool]]:
    """The translation cut at its marks: the runs before each mark (each span's text with its group's formatting and
    hyperlink, the rest common), the mark's group (None after the last), and whether it ends a line."""
    translation = _edges_placed(translation, groups)
    segments: list[tuple[list[Run], Group | None, bool]] = []
    runs: list[Run] = []
    inside: Group | None = None  # the span the text is in

    def run(text: str) -> Run:
        text = html.unescape(text)
        return (inside.style, text, inside.around) if inside else (common, text, None)

    at = 0
    for token in TOKEN.finditer(translation):
        runs.append(run(translation[at:token.start()]))
        at = token.end()
        if token[1] is not None:  # a span opens
            inside = groups[int(token[1])]
        elif token[2] is None:  # a span closes
            inside = None
        else:
            segments.append((runs, groups[int(token[3])], token[2] == "br"))
            runs = []
    return [*segments, ([*runs, run(translation[at:])], None, True)]


def _edges_placed(translation: str, groups: list[Group]) -> str:
    """The translation with the white space at each edge of a span outside it (no underlined or highlighted space),
    but inside where it goes inside (_space_inside)."""
    def opening(m: re.Match[str]) -> str:
        return m[2] + m[1] + m[4] if _space_inside(groups[int(m[3])], 0) else m[1] + m[4] + m[2]

    opened: list[Group] = []  # the spans open, innermost last

    def closing(m: re.Match[str]) -> str:
        if m[1] is not None:
            opened.append(groups[int(m[1])])
            return m[0]
        span = opened.pop() if opened else None
        return m[2] + m[4] + m[3] if span and _space_inside(span, -1) else m[3] + m[2] + m[4]

    return CLOSING.sub(closing, OPENING.sub(opening, translation))


def _space_inside(span: Group, edge: int) -> bool:
    """Whether white space at the span's edge (0 its start, -1 its end) goes inside it: where its source had white
    space there, inside a tracked insertion (an inserted space is inserted text, to be accepted or rejected with
    it)."""
    return bool(span.around and TRACKED.search(span.around[0])) and span.text[edge:][:1].isspace()


def _spaced(runs: list[Run], line_start: bool, line_end: bool) -> list[Run]:
    """The runs' text spaced as a browser shows HTML, where the translation was made (a run of white space is one
    space, none at either end of a line), which Word would show as written; consecutive runs of one formatting and
    hyperlink joined; empty runs gone."""
    out: list[Run] = []
    for style, text, around in runs:
        text = SPACE.sub(" ", text)  # HTML's white space: a no-break space is text
        if out[-1][1].endswith(" ") if out else line_start:
            text = text.lstrip(" ")
        if out and (out[-1][0], out[-1][2]) == (style, around):
            out[-1] = (style, out[-1][1] + text, around)
        elif text:
            out.append((style, text, around))
    if line_end and out and out[-1][1].endswith(" "):
        out[-1] = (out[-1][0], out[-1][1].rstrip(" "), out[-1][2])
    return [run for run in out if run[1]]


def _edged(source: str, translation: str) -> str:
    """The translation with the source's spaces at either end: a text alone is one piece of a line ("Name: ")."""
    lead, _, trail = edges(source, space=None)
    return lead + translation.strip() + trail


def cut_part(part: bytes, kind: Kind) -> Cut:
    tags = Tags.of(part, kind)
    return _within([elements(part, tags.prefix)], part, tags)


def read(content: bytes, kind: Kind) -> Written:
    """The file's texts (HTML, one per paragraph or text), and what writes the file around their translations;
    Damaged if it is not a file of that kind."""
    package = unzipped(content, kind.main_part, re.compile(f"{kind.text_parts.pattern}|{DRAWINGS.pattern}"))
    return translated_parts(package, lambda name, part: _cut(name, part, kind), kind.labels)


def _cut(name: str, part: bytes, kind: Kind) -> Cut:
    """A part's cut: a drawing part's (a chart, a diagram, a sheet's shapes) by its DrawingML paragraphs, as a
    slide's, if it has any (a chart without a title may not declare DrawingML)."""
    if not DRAWINGS.fullmatch(name):
        return cut_part(part, kind)
    if prefix_of(part, POWERPOINT.namespace) is None:
        return Cut([], lambda _: [])
    return cut_part(part, POWERPOINT)
