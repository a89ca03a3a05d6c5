"""OpenDocument files, text documents (.odt), presentations (.odp) and spreadsheets (.ods): the text of each
paragraph translated (a spreadsheet's cells of text hold paragraphs; those of its cells of a value, a number or a
date, are kept), everything else kept as written.

Such a file is a zip of XML parts; its text is in content.xml (and, for a text document, in styles.xml: the pages'
headers and footers). A paragraph (<text:p>, <text:h>) holds text and inline elements much as an HTML block does:
spans (<text:span text:style-name="T1">), links, spaces (<text:s/>), tabs, line breaks, fields. So each paragraph's
content, as written, is one HTML text for the HTML pipeline (model/html.py), which translates the text between the
tags and keeps every tag, attributes and all: a span goes back around the words it held (model/html_passes.py), and
the paragraph stays well-formed XML (a no-break space, which the pipeline writes &nbsp;, is written &#160;). The
parts are edited as bytes (app/xmlparts.py); every other entry is kept byte for byte.

An element inside a paragraph that holds paragraphs of its own and no text of its own (a footnote with its number, a
text box, a comment, a picture's frame with its title and description, <svg:title>, <svg:desc>, which screen readers
read) is one marker in that paragraph's text, <nmt-kept id="K"/>, put back where the translation puts it; its own
paragraphs (its title, its description) are texts of their own, as are those of a frame outside any paragraph (a
slide's picture). Extra spaces (<text:s/>) are a space, and soft page breaks
(<text:soft-page-break/>, where the page broke when the file was saved: the application lays the pages out again on
loading) go: a translation has its own spaces and its own length; a footnote's citation or a frame, as any element
without content, follows the word it followed (model/html.py). A line break (<text:line-break/>) or a tab
(<text:tab/>) is HTML's <br> (<br id="K"/>, put back by K), so that what is on either side is translated apart, as
model/html.py translates HTML's lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nmt.app import labels
from nmt.app.labels import Labels
from nmt.app.packages import Damaged, Written, unzipped
from nmt.app.xmlparts import (
    Cut,
    Edit,
    Element,
    attribute_values,
    code_styles,
    edited_within,
    elements,
    joined,
    nested,
    outermost,
    prefix_of,
    translated_parts,
    xml_of,
)
from nmt.model.html import text_only

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
PARAGRAPHS = frozenset({"p", "h"})
# texts of their own: paragraphs, and a picture's or a shape's title and description (what a screen reader reads of
# it); those of any namespace but the text's keep their prefix (app/xmlparts.py), which every OpenDocument file writes
TEXTS = PARAGRAPHS | {"svg:title", "svg:desc"}
WRITTEN_AS = {"s": " ", "soft-page-break": ""}  # elements written so in a paragraph's HTML
# a line break and a tab part what is on either side, translated apart: each written <br id="K"/>, K its place among
# the paragraph's breaks
BREAKS = frozenset({"line-break", "tab"})
BREAK = re.compile(r'<br id="(\d+)"/>')  # only a break is written so: text's < is &lt;
KEPT = re.compile(r'<nmt-kept id="(\d+)"/>')
CODE_STYLE = code_styles("_20_")  # an automatic style (P2) is one too when its parent is


@dataclass(frozen=True)
class Kind:
    """A kind of OpenDocument file: what one is called, its media type (its mimetype entry says it too), and the
    parts that hold its text."""

    name: str
    media_type: str
    text_parts: re.Pattern[str]


# where OpenDocument files say what language their text is in (app/labels.py): styles' fo:language (with the region
# apart, fo:country) or, for languages that need more, style:rfc-language-tag; the document's dc:language
LABELS = Labels(re.compile(r"(content|styles|meta)\.xml"), labels.every(
    labels.attribute(rb"fo:language", region=rb"fo:country"), labels.attribute(rb"style:rfc-language-tag"),
    labels.element(rb"dc:language")))
TEXT_DOCUMENT = Kind("an OpenDocument text", "application/vnd.oasis.opendocument.text", re.compile(r"(content|styles)\.xml"))
PRESENTATION = Kind("an OpenDocument presentation", "application/vnd.oasis.opendocument.presentation",
                    re.compile(r"content\.xml"))
SPREADSHEET = Kind("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet",
                   re.compile(r"(content|styles)\.xml"))
# a cell of a number, a date, a time, a currency, a percentage or a boolean: its paragraph shows its value, which the
# application formats again from office:value when it opens the file (it is not text to translate)
VALUE_CELL = re.compile(rb'<[\w.-]+:(?:covered-)?table-cell\s[^>]*?office:value-type\s*=\s*["\'](?!string["\'])')


def template(kind: Kind) -> Kind:
    """The kind's templates: files of the same parts, their mimetype entry saying so."""
    return replace(kind, name=f"{kind.name} template", media_type=f"{kind.media_type}-template")


KINDS = {".odt": TEXT_DOCUMENT, ".ott": template(TEXT_DOCUMENT), ".odp": PRESENTATION, ".otp": template(PRESENTATION),
         ".ods": SPREADSHEET, ".ots": template(SPREADSHEET)}


def read(content: bytes, kind: Kind) -> Written:
    """The file's texts (HTML, one per paragraph), and what writes the file around their translations; Damaged if
    it is not a file of that kind."""
    package = unzipped(content, "content.xml", kind.text_parts)
    if (package.read("mimetype") or b"").strip() != kind.media_type.encode():
        raise Damaged(f"its mimetype entry does not say {kind.media_type}")
    return translated_parts(package, lambda _, part: cut_part(part), LABELS)


def cut_part(part: bytes) -> Cut:
    """The part's paragraphs (none if it does not declare the text namespace)."""
    prefix = prefix_of(part, TEXT)
    if prefix is None:
        return Cut([], lambda _: [])
    root = elements(part, prefix)
    return _within(root, part, _code_styles(root, part))


def _code_styles(root: Element, part: bytes) -> frozenset[str]:
    """The names of the part's automatic paragraph styles of code: those whose parent is one (CODE_STYLE)."""
    found, todo = set(), [root]
    while todo:  # iterative: nesting depth is the file's to choose
        element = todo.pop()
        todo += element.children
        if element.name == "style:style":
            values = dict(_attributes(part, element, ("style:name", "style:parent-style-name")))
            if any(CODE_STYLE.fullmatch(name) for name in values.values()):
                found.add(values.get("style:name", ""))
    return frozenset(found)


def _attributes(part: bytes, element: Element, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """The element's attributes of these names, as (name, value)."""
    return [(name, value) for name in names for *_, value in attribute_values(part, element, (name,))]


def _within(element: Element, part: bytes, code: frozenset[str], depth: int = 0) -> Cut:
    """The outermost paragraphs under element, each with what it holds; of a spreadsheet's cell of a value, only its
    comments' (office:annotation: its own paragraph shows its value); a paragraph of code (its style in code) kept."""
    found = outermost(element.children, lambda e: e.name in TEXTS or _value_cell(e, part))
    return joined([_paragraph(e, part, code, depth) if e.name in TEXTS else
                   joined([_within(note, part, code, depth) for note in e.children if note.name == "office:annotation"])
                   for e in found])


def _value_cell(element: Element, part: bytes) -> bool:
    """A spreadsheet's cell of a value (its start tag read only for a cell)."""
    return element.name.endswith("table-cell") and VALUE_CELL.match(part, element.start) is not None


def _paragraph(paragraph: Element, part: bytes, code: frozenset[str], depth: int) -> Cut:
    """The paragraph's content as one HTML text (if it has text and is not code), its containers as markers in it;
    then the containers' paragraphs."""
    styles = [style for _, style in _attributes(part, paragraph, ("text:style-name",))]
    if paragraph.content is None or any(style in code or CODE_STYLE.fullmatch(style) for style in styles):
        return Cut([], lambda _: [])
    start, end = paragraph.content
    text, containers, breaks = _content(part, start, end, paragraph.children)
    inner = joined([_within(container, part, code, nested(depth)) for container in containers])
    if not text_only(text).strip():  # no text but the containers': they are edited where they are
        return inner

    def edits(translations: list[str]) -> list[Edit]:
        inside = inner.edits(translations[1:])
        written = [edited_within(part, c, inside) for c in containers]
        translation = BREAK.sub(lambda m: breaks[int(m[1])], translations[0])  # this paragraph's, not its containers'
        return [(start, end, xml_of(KEPT.sub(lambda m: written[int(m.group(1))].decode("utf-8"), translation)))]

    return Cut([text, *inner.texts], edits)


def _content(part: bytes, start: int, end: int, children: list[Element]) -> tuple[str, list[Element], list[str]]:
    """part[start:end], a paragraph's content, as HTML (its containers as markers, extra spaces as spaces, soft page
    breaks gone, line breaks and tabs <br id="K"/>), its containers, and its line breaks and tabs as written."""
    pieces: list[str] = []
    containers: list[Element] = []
    breaks: list[str] = []
    for element in outermost(children, lambda e: e.name in WRITTEN_AS or e.name in BREAKS or _is_container(e)):
        pieces.append(part[start:element.start].decode("utf-8"))
        if element.name in WRITTEN_AS:
            pieces.append(WRITTEN_AS[element.name])
        elif element.name in BREAKS:
            pieces.append(f'<br id="{len(breaks)}"/>')
            breaks.append(part[element.start:element.end].decode("utf-8"))
        else:
            pieces.append(f'<nmt-kept id="{len(containers)}"/>')
            containers.append(element)
        start = element.end
    return "".join([*pieces, part[start:end].decode("utf-8")]), containers, breaks


def _is_container(element: Element) -> bool:
    """Whether the element holds texts of their own and no text of its own (a footnote, a text box, a comment, a
    picture with a title or a description)."""
    return not element.text.strip() and bool(outermost([element], lambda e: e.name in TEXTS))
