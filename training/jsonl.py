"""JSON Lines corpora (.jsonl, .ndjson): what dataset tools export, one JSON object a line, the pair in the config's
languages. Either Hugging Face datasets' translation layout, {"translation": {"en": "...", "es": "..."}} (beside it
an "id", say), or the flat {"en": "...", "es": "..."}; a code without region, "en", matches "en-GB" as in a TMX.

A line that is not UTF-8, not JSON or not an object is a skipped line with why; an object without a language's
string is a pair without that side (counted, as a TMX unit without the language is); a blank line is empty."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from nmt.training.compressed import read_lines
from nmt.training.records import NOT_UTF8, Record, Skipped, decoded, language_code, pick

NOT_JSON = "not JSON"
NOT_OBJECT = "not a JSON object"


def read_jsonl(path: Path, src_lang: str, tgt_lang: str) -> Iterator[Record]:
    """Each line's pair in the two languages, with its line number."""
    return jsonl_records(read_lines(path), 1, src_lang, tgt_lang)


def jsonl_records(lines: Iterable[bytes], first: int, src_lang: str, tgt_lang: str) -> Iterator[Record]:
    """Each line's pair (the lines without their line ends, the first numbered first): what `nmt prepare`'s workers
    parse a block of lines into, so that json.loads, most of reading such a file, runs on every core."""
    for number, raw in enumerate(lines, start=first):
        src, tgt = _pair(raw, src_lang, tgt_lang)
        yield number, src, tgt


def _pair(raw: bytes, src_lang: str, tgt_lang: str) -> tuple[str | Skipped | None, str | None]:
    """A line's two texts (None: it has no string in that language), or why the line has none to give."""
    if not raw.strip():
        return "", ""  # "empty", as a blank TSV line is
    text = decoded(raw)
    if text is None:
        return Skipped(NOT_UTF8), None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # (RecursionError: arrays nested thousands deep)
        return Skipped(NOT_JSON), None
    if not isinstance(value, dict):
        return Skipped(NOT_OBJECT), None
    texts = value.get("translation")
    texts = texts if isinstance(texts, dict) else value  # else the flat layout
    by_language = {language_code(code): text for code, text in texts.items() if isinstance(text, str)}
    return pick(by_language, src_lang), pick(by_language, tgt_lang)
