"""XML corpora (TMX, XLIFF, Qt Linguist) streamed: lxml's iterparse gives the elements asked for, each dropped once
read, so that a file of gigabytes takes the memory of one unit, and each with its line number for the reports."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from nmt.model.languages import primary
from nmt.training.compressed import DAMAGED, damaged, open_stream
from nmt.training.errors import CorpusError


def elements(path: Path, tags: tuple[str, ...], events: tuple[str, ...] = ("end",)
             ) -> Iterator[tuple[str, int, etree._Element]]:
    """The file's elements of these tags ("{*}unit": in any namespace) at these events, with their lines; each freed,
    with those before it, once used at its end; CorpusError for broken XML, an entity that the file declares, or a
    damaged compressed file."""
    line = 0
    try:
        with open_stream(path) as stream:
            for event, element in etree.iterparse(stream, events=events, tag=tags, huge_tree=True,
                                                  resolve_entities=False):
                line = element.sourceline or line
                if event == "end" and (entity := next(element.iter(etree.Entity), None)) is not None:
                    # (not expanded, never: a declared entity could read a file or inflate a line to GBs; left out,
                    # the segment was cut silently, "Hello &e;" read "Hello ")
                    raise CorpusError(f"{path}: line {entity.sourceline or line}: entity {entity.text} is not read: "
                                      "entities that the file's DTD declares are not expanded (write their text)")
                yield event, line, element
                if event == "end":
                    _forget(element)
    except etree.XMLSyntaxError as e:
        raise CorpusError(f"{path}: line {e.lineno}: broken XML: {e.msg}") from None
    except DAMAGED as e:  # (the line of the last element read; none read: the file's lines before are not known)
        raise damaged(path, line or None, e) from None


def check_languages(path: Path, line: int, element: etree._Element, attributes: tuple[str, str],
                    languages: tuple[str, str]) -> None:
    """CorpusError if the element's attributes name other languages than those read (a code without region, "en",
    matches "en-GB")."""
    for attribute, language in zip(attributes, languages, strict=True):
        named = element.get(attribute)
        if named and primary(named) != primary(language):
            raise CorpusError(f"{path}: line {line}: its {attribute} is {named}, but the pairs read are "
                              f"{languages[0]} -> {languages[1]}")


def _forget(element: etree._Element) -> None:
    """Free the element and those before it, which iterparse would otherwise keep in the tree."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]
