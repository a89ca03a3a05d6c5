"""TMX translation memories (what CAT tools export), streamed one <tu> at a time (training/xml_stream.py)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nmt.training.xml_stream import elements

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

TmxUnit = tuple[int, str | None, str | None]  # (line, source segment, target segment); None: no such language


def read_tmx(path: Path, src_lang: str, tgt_lang: str) -> Iterator[TmxUnit]:
    """Each <tu>'s line and its segments in the two languages (a code without region, "en", matches "en-GB")."""
    for _, line, tu in elements(path, ("tu",)):
        segments = {_lang(tuv): _text(tuv) for tuv in tu.iterfind("tuv")}
        yield line, _pick(segments, src_lang), _pick(segments, tgt_lang)


def _lang(tuv) -> str:
    return (tuv.get(XML_LANG) or tuv.get("lang") or "").lower().replace("_", "-")  # TMX 1.1 wrote lang=


def _text(tuv) -> str:
    """The segment's text; inline markup (<bpt>, <ph>, ...) holds the original's formatting codes, not text."""
    seg = tuv.find("seg")
    if seg is None:
        return ""
    return (seg.text or "") + "".join(child.tail or "" for child in seg)


def _pick(segments: dict[str, str], lang: str) -> str | None:
    lang = lang.lower().replace("_", "-")
    if lang in segments:
        return segments[lang]
    if "-" not in lang:
        return next((text for code, text in segments.items() if code.split("-")[0] == lang), None)
    return None
