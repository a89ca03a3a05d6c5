"""XLIFF files as parallel corpora (the files that translation tools exchange, which app/xliff.py fills): each unit
with its target (1.2's <trans-unit>, 1.0's and 1.1's too; 2's <segment>) is a pair, streamed one unit at a time as
a TMX is (training/xml_stream.py). The text inside an inline code around words (<g>, <pc>, <mrk>) is text; any other code
(a placeholder, the original's formatting codes) is not."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from nmt.app.xliff import PAIRED
from nmt.app.xmltree import child, local_name
from nmt.training.xml_stream import check_languages, elements

UNITS = frozenset({"trans-unit", "segment"})
LANGUAGES = {"file": ("source-language", "target-language"), "xliff": ("srcLang", "trgLang")}  # 1.2's, 2's

XliffUnit = tuple[int, str | None, str | None]  # (line, source, target); None: the unit has no such element


def read_xliff(path: Path, src_lang: str, tgt_lang: str) -> Iterator[XliffUnit]:
    """Each unit's line, source and target; CorpusError if the file names other languages than src_lang and
    tgt_lang (a code without region, "en", matches "en-GB")."""
    tags = tuple(f"{{*}}{name}" for name in (*LANGUAGES, *UNITS, "unit"))  # (2's unit holds its segments)
    for event, line, element in elements(path, tags, events=("start", "end")):
        name = local_name(element)
        if event == "start" and name in LANGUAGES:
            check_languages(path, line, element, LANGUAGES[name], (src_lang, tgt_lang))
        elif event == "end" and name in UNITS:
            source, target = (child(element, side) for side in ("source", "target"))
            yield line, _text(source), _text(target)


def _text(element: etree._Element | None) -> str | None:
    """An element's text and that of the inline codes around words in it; None for no element."""
    if element is None:
        return None
    text = element.text or ""
    for code in element:
        inner = _text(code) if local_name(code) in PAIRED else ""
        text += (inner or "") + (code.tail or "")
    return text
