"""EPUB books (.epub): each XHTML document in the book translated as one HTML text (model/html.py keeps every tag
as written, so the markup stays well-formed XML), the labels of an EPUB 2 table of contents (toc.ncx) and the
book's title and description (the package document's dc:title, dc:description) translated where they are, every
other entry kept byte for byte, the mimetype entry first and stored as the format requires. Translations are
written as XML (app/xmlparts.py xml_of: a no-break space as &#160;).
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from nmt.app import labels
from nmt.app.labels import Labels
from nmt.app.packages import Damaged, Written, unzipped
from nmt.app.xmlparts import (
    Cut,
    Element,
    elements,
    outermost,
    prefix_of,
    qualified,
    text_of,
    translated_parts,
    xml_of,
)

MEDIA_TYPE = "application/epub+zip"
DOCUMENTS = re.compile(r"(?i).+\.(xhtml|html?)")
TEXT_PARTS = re.compile(r"(?i).+\.(xhtml|html?|ncx|opf)")
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
LABELS = Labels(TEXT_PARTS, labels.every(labels.HTML, labels.element(rb"dc:language")))  # app/labels.py


def read(content: bytes) -> Written:
    """The book's texts, and what writes the book around their translations; Damaged if it is not an EPUB book."""
    package = unzipped(content, "mimetype", TEXT_PARTS)
    if (package.read("mimetype") or b"").strip() != MEDIA_TYPE.encode():
        raise Damaged(f"its mimetype entry does not say {MEDIA_TYPE}")
    return translated_parts(package, cut_part, LABELS)


def cut_part(name: str, part: bytes) -> Cut:
    if DOCUMENTS.fullmatch(name):
        return _document(part)
    if name.lower().endswith(".ncx"):  # navigation labels and the document title: each <text>
        return _element_texts(part, lambda element: element.name == "text")
    prefix = prefix_of(part, DUBLIN_CORE)  # the package document's metadata
    if prefix is None:
        return Cut([], lambda _: [])
    return _element_texts(part, lambda element: element.name in {qualified(prefix, "title"), qualified(prefix, "description")})


def _document(part: bytes) -> Cut:
    return Cut([text_of(part)], lambda out: [(0, len(part), xml_of(out[0]))])


def _element_texts(part: bytes, wanted: Callable[[Element], bool]) -> Cut:
    """The text of each wanted element that holds text and no element, as HTML text, translated in place."""
    found = outermost([elements(part, "")], lambda e: wanted(e) and not e.children and bool(e.text.strip()))
    return Cut([html.escape(element.text, quote=False) for element in found],
               lambda out: [(*element.content, xml_of(text)) for element, text in zip(found, out, strict=True)
                            if element.content])
