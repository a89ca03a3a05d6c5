"""XML files read whole as lxml trees (XLIFF: app/xliff.py; Qt Linguist: app/qt_linguist.py), edited there and
written again: parsing without entities, DTDs or the network, and what finding elements by local name needs."""
from __future__ import annotations

import io
import re

from lxml import etree

from nmt.app.packages import Damaged

DECLARATION = re.compile(rb"<\?xml[^>]*\?>")


def parsed(content: bytes) -> etree._ElementTree:
    """The file's tree; Damaged if it is not well-formed XML."""
    # (a CDATA section kept one: an element the translation leaves alone is written as it was)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, strip_cdata=False)
    try:
        return etree.ElementTree(etree.fromstring(content, parser))
    except etree.XMLSyntaxError as e:
        raise Damaged(f"it is not well-formed XML ({e})") from None


def root_name(content: bytes) -> str:
    """The local name of the file's root element, read from the file's start alone ("" where that is not XML: the
    reader then says why, as it parses the whole)."""
    try:
        start = etree.iterparse(io.BytesIO(content), events=("start",), resolve_entities=False, no_network=True,
                                load_dtd=False)
        _, root = next(start)
        return local_name(root)
    except (etree.XMLSyntaxError, StopIteration, ValueError):  # (ValueError: a name lxml reads but cannot be one,
        return ""                                               # ":esources", before the parser finds the error)


def serialized(tree: etree._ElementTree, content: bytes) -> bytes:
    """The tree written as the file it was read from was: in its encoding, with its XML declaration as written
    (lxml writes its own, in single quotes), or none where it had none, and the line break after the root, which
    lxml drops."""
    declared = DECLARATION.match(content.removeprefix(b"\xef\xbb\xbf"))
    encoding = tree.docinfo.encoding or "UTF-8"
    written = etree.tostring(tree, xml_declaration=declared is not None or encoding.upper() != "UTF-8", encoding=encoding)
    assert isinstance(written, bytes)  # (with an encoding named: bytes)
    if declared is not None:
        written = DECLARATION.sub(lambda _: declared[0], written, count=1)
    return written + content[len(content.rstrip()):]


def text_of(element: etree._Element) -> str:
    """The element's text, its children's included, without the spaces around it."""
    return "".join(str(text) for text in element.itertext()).strip()


def local_name(element: etree._Element) -> str:
    """An element's name without its namespace ("" for a comment or a processing instruction)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The element's first child of that (local) name."""
    return next((c for c in element if local_name(c) == name), None)
