"""XLIFF files (.xlf, .xliff), what translation tools exchange: each unit's source translated into its target, in
XLIFF 1.2 (<trans-unit><source>, and 1.0 and 1.1, which are alike) and XLIFF 2 (<unit><segment><source>).

A source goes to the pipeline as one HTML text: an inline code that holds text (1.2's <g> and <mrk>, 2's <pc> and
<mrk>) as a <span id="K">, which the pipeline puts back around the words it held (model/html_passes.py); any other
(a placeholder, a code's start or end: <x/>, <ph>, <bpt>, <sc/>, ...) as <nmt-kept id="K"/>, kept whole after the
word it followed. Each is written back as it was, its attributes (ids) and all.

A source that is an ICU plural or select (as Angular writes them: {VAR_PLURAL, plural, =0 {just now} other {<x
id="INTERPOLATION"/> minutes ago}}) has each branch's text translated apart, the choice kept (app/icu.py).

A 1.2 unit whose source is also given segmented (<seg-source>, a <mrk mtype="seg"> for each sentence) has each
segment translated alone, into a target segmented as its source is.

A unit marked translate="no" (or inside a group or file so marked) is left alone, and so is one whose target has text
already: a translator's work is never overwritten. Every other gets its target (an empty one is filled), marked as
machine translated, to be reviewed: 1.2's state="needs-review-translation" state-qualifier="mt-suggestion", 2's
segment state="translated". The file's target language is set to the target's; a file that names other languages
than the model's is refused, as is one that is not XLIFF.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from nmt.app import icu, inline
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written
from nmt.app.xmltree import child, local_name, parsed, serialized, text_of
from nmt.model.languages import primary

XLIFF = "urn:oasis:names:tc:xliff:document:"
PAIRED = frozenset({"g", "mrk", "pc"})  # inline codes around text: its translation goes back inside them
XML = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Version:
    """Where a version keeps its units' sources and targets, and its languages."""

    unit: str  # the element holding one source and its target (1.2's trans-unit, 2's segment)
    languages: tuple[str, str]  # the attributes naming the source and target languages
    languages_on: str  # the element that has them (1.2: each file; 2: the root)
    state: dict[str, str]  # what a machine-translated unit is marked, and on which element: "target", or the unit
    state_on: str


V1 = Version("trans-unit", ("source-language", "target-language"), "file",
             {"state": "needs-review-translation", "state-qualifier": "mt-suggestion"}, "target")
V2 = Version("segment", ("srcLang", "trgLang"), "xliff", {"state": "translated"}, "unit")


def read(content: bytes) -> Written:
    """The file's sources (HTML, one per unit to translate), and what writes the file with their translations as
    targets; Damaged if it is not XLIFF."""
    tree = parsed(content)
    root = tree.getroot()
    namespace = etree.QName(root).namespace or ""
    if local_name(root) != "xliff" or namespace and not namespace.startswith(XLIFF):
        raise Damaged("its root element is not <xliff>")
    version = V2 if namespace.startswith(XLIFF + "2") else V1
    units = list(_units(root, version, namespace))
    codes: list[inline.Codes] = [[] for _ in units]  # each source's inline codes, by their number in its HTML
    cuts = [icu.cut(inline_html(source, held)) for (_, source), held in zip(units, codes, strict=True)]

    def render(translations: list[str], languages: Languages) -> bytes:
        _check_languages(root, version, languages)
        given = iter(translations)
        for (unit, source), (texts, rebuild), held in zip(units, cuts, codes, strict=True):
            translation = rebuild([next(given) for _ in texts])
            _write_target(unit, source, translation, held, version, languages.target)
        return serialized(tree, content)

    return [text for texts, _ in cuts for text in texts], render


def _units(root: etree._Element, version: Version, namespace: str) -> Iterator[tuple[etree._Element, etree._Element]]:
    """Each unit to translate, with its source: not marked translate="no" (nor inside something so marked), its
    source holding text, its target (if any) not; a 1.2 unit whose source is segmented (<seg-source>, its
    sentences each a <mrk mtype="seg">), once for each segment with text, as its source."""
    for unit in root.iter(f"{{{namespace}}}{version.unit}" if namespace else version.unit):
        if any(element.get("translate") == "no" for element in (unit, *unit.iterancestors())):
            continue
        source, target = child(unit, "source"), child(unit, "target")
        if source is None or not text_of(source) or target is not None and text_of(target):
            continue
        segments = _segments(child(unit, "seg-source"))
        yield from ((unit, segment) for segment in segments if text_of(segment)) if segments else [(unit, source)]


def _segments(element: etree._Element | None) -> list[etree._Element]:
    """The segments of a segmented source (or of a target made after it)."""
    if element is None:
        return []
    return [e for e in element.iter() if local_name(e) == "mrk"
            and e.get("mtype") == "seg"]


def _write_target(unit: etree._Element, source: etree._Element, translation: str, codes: inline.Codes,
                  version: Version, language: str) -> None:
    """The translation in the unit's target (an empty one, or a new one after the source), or in its segment there
    (source a segment), its codes put back; the unit marked as machine translated."""
    target = _target(unit, source)
    if version is V1:
        target.set(XML, language)
    for name, value in version.state.items():
        (target if version.state_on == "target" else unit).set(name, value)
    if local_name(source) == "mrk":
        target = next(s for s in _segments(target) if s.get("mid") == source.get("mid"))
    inline.fill(target, translation, codes)


def _target(unit: etree._Element, source: etree._Element) -> etree._Element:
    """The unit's target: made after its source if it has none; where the source is segmented and the target
    empty, its segments, each empty, as the source's are."""
    target = child(unit, "target")
    segmented = child(unit, "seg-source")  # (1.2: the source again, cut into sentences)
    if target is None:
        target = etree.Element(etree.QName(etree.QName(source).namespace, "target"))
        after = child(unit, "source") if segmented is None else segmented
        assert after is not None  # (a unit translated has a source)
        indent = unit.text if unit.text and not unit.text.strip() else after.tail  # (a child's line break and indent)
        target.tail, after.tail = after.tail, indent
        after.addnext(target)
    if segmented is not None and not len(target) and not (target.text or "").strip():
        target.text = segmented.text
        target.extend(copy.deepcopy(node) for node in segmented)
        for segment in _segments(target):
            attributes, tail = inline.attributes(segment), segment.tail
            segment.clear()  # (its attributes and tail too)
            for name, value in attributes.items():
                segment.set(name, value)
            segment.tail = tail
    return target


def _check_languages(root: etree._Element, version: Version, languages: Languages) -> None:
    """Damaged if the file names other languages than the translation's; its target language set if not."""
    holders = [root] if version is V2 else [e for e in root.iter() if local_name(e) == version.languages_on]
    for holder in holders:
        for attribute, language in zip(version.languages, (languages.source, languages.target), strict=True):
            named = holder.get(attribute)
            if named and primary(named) != primary(language):
                raise Damaged(f"it is for {attribute} {named}, and this translation is {languages.source} -> "
                              f"{languages.target}")
        holder.set(version.languages[1], holder.get(version.languages[1]) or languages.target)


def inline_html(element: etree._Element, codes: inline.Codes) -> str:
    """A source's (or segment's) content as HTML, its inline codes added to codes (app/inline.py)."""
    return inline.as_html(element, codes, lambda code: local_name(code) in PAIRED)
