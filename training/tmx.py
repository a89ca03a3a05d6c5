"""TMX translation memories (what CAT tools export), streamed one <tu> at a time (training/xml_stream.py)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nmt.training.records import language_code, pick
from nmt.training.xml_stream import elements

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

TmxUnit = tuple[int, str | None, str | None]  # (line, source segment, target segment); None: no such language


def read_tmx(path: Path, src_lang: str, tgt_lang: str) -> Iterator[TmxUnit]:
    """Each <tu>'s line and its segments in the two languages (a code without region, "en", matches "en-GB")."""
    for _, line, tu in elements(path, ("tu",)):
        segments = {_lang(tuv): _text(tuv) for tuv in tu.iterfind("tuv")}
        yield line, pick(segments, src_lang), pick(segments, tgt_lang)


def _lang(tuv) -> str:
    return language_code(tuv.get(XML_LANG) or tuv.get("lang") or "")  # TMX 1.1 wrote lang=


def _text(tuv) -> str:
    """The segment's text; inline markup (<bpt>, <ph>, ...) holds the original's formatting codes, not text."""
    seg = tuv.find("seg")
    if seg is None:
        return ""
    return (seg.text or "") + "".join(child.tail or "" for child in seg)

