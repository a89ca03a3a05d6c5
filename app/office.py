"""Office Open XML files, Word documents (.docx) and PowerPoint presentations (.pptx): the text of each paragraph
translated, everything else kept as written.

Such a file is a zip of XML parts. The parts people read (Word: word/document.xml, the headers and footers,
footnotes, endnotes, comments; PowerPoint: the slides and their notes) are parsed to find where each element starts
and ends, and edited as bytes, never re-serialized: namespace prefixes, mc:Ignorable lists and attribute order stay
as written (ElementTree would rename the prefixes, which Word reports as a damaged file). Every other part and every
zip entry's compression is kept. Word's paragraphs, runs and texts (<w:p>, <w:r>, <w:t>) and PowerPoint's
(DrawingML's <a:p>, <a:r>, <a:t>) have one structure; a Kind says what differs.

Each paragraph (<w:p>) goes to the pipeline as one HTML text, so that the model sees whole sentences: the text of its
runs, each run formatted otherwise than most of the paragraph's text inside a <span id="rK"> (consecutive runs of
one formatting are one span), which the HTML pipeline puts back around the words it held (app/routes/html.py). A
*plain* paragraph, whose runs hold nothing but their formatting and text (<w:rPr>, <w:t>; spell-check marks and
bookmarks around them, DrawingML's end-of-paragraph formatting after them), is written back as new runs in the
translation's order, each span's text with its run's formatting, the rest with the paragraph's most common
formatting. Any other paragraph (tabs, breaks, fields, hyperlinks, drawings) keeps its runs where they are, each
<w:t>'s text translated alone; a DrawingML field's text (a slide number, a date) is not translated.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from nmt.app import labels
from nmt.app.labels import Labels
from nmt.app.packages import Damaged, Written, unzipped
from nmt.app.xmlparts import Cut, Edit, Element, elements, joined, prefix_of, translated_parts
from nmt.model.align import SPACE
from nmt.model.html import edges

SPAN = re.compile(r'<span id="r(\d+)">(.*?)</span>', re.DOTALL)
BEFORE_RUNS, AFTER_RUNS = frozenset({"bookmarkStart"}), frozenset({"bookmarkEnd", "endParaRPr"})  # kept around
PLAIN_PARAGRAPH = frozenset({"pPr", "r", "proofErr"}) | BEFORE_RUNS | AFTER_RUNS  # a plain paragraph's children
PLAIN_RUN = frozenset({"rPr", "t", "lastRenderedPageBreak"})  # a plain paragraph's runs' children


@dataclass(frozen=True)
class Kind:
    """A kind of Office Open XML file: what one is called, its media type, the namespace of its paragraphs, the
    parts that hold its text, the part every such file has, whether its texts need xml:space="preserve" to keep
    their edge spaces (Word's <w:t>; DrawingML's <a:t> keeps them, and allows no attribute), and where it says
    what language its text is in (app/labels.py)."""

    name: str
    media_type: str
    namespace: str
    text_parts: re.Pattern[str]
    main_part: str
    preserve: bool
    labels: Labels


WORD = Kind("a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"), "word/document.xml",
            preserve=True, labels=Labels(re.compile(r"word/.+\.xml"), labels.attribute(rb"\w+:val", tag=rb"\w+:lang")))
POWERPOINT = Kind("a PowerPoint presentation", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                  "http://schemas.openxmlformats.org/drawingml/2006/main",
                  re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml"), "ppt/presentation.xml",
                  preserve=False, labels=Labels(re.compile(r"ppt/.+\.xml"), labels.attribute(rb"lang")))


@dataclass(frozen=True)
class Tags:
    """How a part writes the elements written here: the prefix it binds to the paragraphs' namespace (w in every
    file Word writes, a in PowerPoint's), and whether a text needs xml:space="preserve" (Kind.preserve)."""

    prefix: str
    preserve: bool

    @staticmethod
    def of(part: bytes, kind: Kind) -> Tags:
        prefix = prefix_of(part, kind.namespace)
        if prefix is None:
            raise Damaged(f"a text part does not declare the namespace {kind.namespace}")
        return Tags(prefix, kind.preserve)

    def text(self, text: str) -> bytes:
        space = ' xml:space="preserve"' if self.preserve else ""
        return f'<{self.prefix}:t{space}>{html.escape(text, quote=False)}</{self.prefix}:t>'.encode()

    def run(self, style: bytes, text: str) -> bytes:
        return f"<{self.prefix}:r>".encode() + style + self.text(text) + f"</{self.prefix}:r>".encode()


@dataclass
class Paragraph:
    """A paragraph's texts (<w:t>) in order, each with its run's formatting (<w:rPr> as written, b"" if none)."""

    element: Element
    texts: list[tuple[Element, bytes]]
    plain: bool


def paragraphs(root: Element, part: bytes) -> list[Paragraph]:
    """Every paragraph that has text, nested ones (text boxes) too, each with the texts whose nearest paragraph it
    is."""
    found: list[Paragraph] = []

    todo: list[tuple[Element, Paragraph | None, bytes]] = [(root, None, b"")]  # depth first, in document order
    while todo:
        element, paragraph, style = todo.pop()
        if element.name == "p":
            paragraph = Paragraph(element, [], _plain(element))
            found.append(paragraph)
        elif element.name == "r":
            rpr = element.child("rPr")
            style = part[rpr.start:rpr.end] if rpr else b""
        elif element.name == "t" and paragraph is not None:
            paragraph.texts.append((element, style))
        elif element.name == "fld":  # DrawingML's field: its text is the field's value, shown as it is
            continue
        todo += [(child, paragraph, style) for child in reversed(element.children)]
    return [p for p in found if any(t.text.strip() for t, _ in p.texts)]


def _plain(paragraph: Element) -> bool:
    return all(c.name in PLAIN_PARAGRAPH for c in paragraph.children) and all(
        g.name in PLAIN_RUN for c in paragraph.children if c.name == "r" for g in c.children)


def cut_paragraph(paragraph: Paragraph, part: bytes, tags: Tags) -> Cut:
    return _whole(paragraph, part, tags) if paragraph.plain else _each_text(paragraph, tags)


def _each_text(paragraph: Paragraph, tags: Tags) -> Cut:
    """Each <w:t> with text translated alone, where it is."""
    texts = [t for t, _ in paragraph.texts if t.text.strip()]

    def edits(out: list[str]) -> list[Edit]:
        return [(t.start, t.end, tags.text(_edged(t.text, html.unescape(translation))))
                for t, translation in zip(texts, out, strict=True)]

    return Cut([html.escape(t.text, quote=False) for t in texts], edits)


def _whole(paragraph: Paragraph, part: bytes, tags: Tags) -> Cut:
    """The paragraph as one text: runs formatted otherwise than most of its text as spans."""
    groups: list[tuple[bytes, str]] = []  # consecutive texts of one formatting joined
    for t, style in paragraph.texts:
        if groups and groups[-1][0] == style:
            groups[-1] = (style, groups[-1][1] + t.text)
        else:
            groups.append((style, t.text))
    weight: Counter[bytes] = Counter()
    for style, text in groups:
        weight[style] += len(text)
    common = weight.most_common(1)[0][0]
    marked = "".join(html.escape(text, quote=False) if style == common else
                     f'<span id="r{k}">{html.escape(text, quote=False)}</span>' for k, (style, text) in enumerate(groups))
    return Cut([marked], lambda out: [_rebuilt(paragraph, part, tags, groups, common, out[0])])


def _rebuilt(paragraph: Paragraph, part: bytes, tags: Tags, groups: list[tuple[bytes, str]], common: bytes,
             translation: str) -> Edit:
    """The paragraph's content after its properties, written again: its bookmarks' starts, the translation as runs
    (each span with its run's formatting), its bookmarks' ends and end-of-paragraph formatting."""
    content = [c for c in paragraph.element.children if c.name != "pPr"]
    runs, at = [], 0
    for span in SPAN.finditer(translation):
        # a span's edge spaces go outside it: no underlined or highlighted space
        lead, core, trail = edges(html.unescape(span.group(2)), space=None)
        runs += [(common, html.unescape(translation[at:span.start()]) + lead), (groups[int(span.group(1))][0], core),
                 (common, trail)]
        at = span.end()
    runs.append((common, html.unescape(translation[at:])))
    written = b"".join(tags.run(style, text) for style, text in _spaced(runs))
    starts, ends = (b"".join(part[c.start:c.end] for c in content if c.name in kept) for kept in (BEFORE_RUNS, AFTER_RUNS))
    return content[0].start, content[-1].end, starts + written + ends


def _spaced(runs: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
    """The runs' text spaced as a browser shows HTML, where the translation was made (a run of white space is one
    space, none at either end), which Word would show as written; empty runs go."""
    out: list[tuple[bytes, str]] = []
    for style, text in runs:
        text = SPACE.sub(" ", text)  # HTML's white space: a no-break space is text
        if not out or out[-1][1].endswith(" "):
            text = text.lstrip(" ")
        if out and out[-1][0] == style:
            out[-1] = (style, out[-1][1] + text)
        elif text:
            out.append((style, text))
    if out and out[-1][1].endswith(" "):
        out[-1] = (out[-1][0], out[-1][1].rstrip(" "))
    return [run for run in out if run[1]]


def _edged(source: str, translation: str) -> str:
    """The translation with the source's spaces at either end: a text alone is one piece of a line ("Name: ")."""
    lead, _, trail = edges(source, space=None)
    return lead + translation.strip() + trail


def cut_part(part: bytes, kind: Kind) -> Cut:
    tags = Tags.of(part, kind)
    return joined([cut_paragraph(p, part, tags) for p in paragraphs(elements(part, tags.prefix), part)])


def read(content: bytes, kind: Kind) -> Written:
    """The file's texts (HTML, one per paragraph or text), and what writes the file around their translations;
    Damaged if it is not a file of that kind."""
    package = unzipped(content, kind.main_part, kind.text_parts)
    return translated_parts(package, lambda _, part: cut_part(part, kind), kind.labels)
