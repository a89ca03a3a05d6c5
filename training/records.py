"""What the corpus readers yield (training/corpus.py's read_records): a Record per input line or unit, and what the
readers of several languages' files share (a language code picked as TMX's xml:lang is)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

NOT_UTF8 = "not UTF-8"


@dataclass(frozen=True)
class Skipped:
    """A record its reader could not make a pair of, and why (a JSON Lines line that is not JSON, a CSV row with
    another number of columns than the header's): a skipped line with this reason, counted like the others."""

    reason: str


# (line, source, target), each side bytes to decode (TSV: the whole line, target None), text (TMX), or None (TMX:
# that language is missing); the source a Skipped where the reader already knows the record is no pair.
Record = tuple[int, bytes | str | Skipped | None, bytes | str | None]


def decoded(raw: bytes) -> str | None:
    """Decode one line as UTF-8, or return None if it is not valid UTF-8 (NUL bytes count as not UTF-8: they
    are how a UTF-16 file looks when read as UTF-8, whose lines would otherwise pass as text)."""
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def language_code(code: str) -> str:
    """A file's language code as pick compares it: lower case, - for _ (en_GB: en-gb)."""
    return code.lower().replace("_", "-")


def pick(by_language: dict[str, T], lang: str) -> T | None:
    """What by_language (its keys language_code's) holds for lang: a code without region, "en", matches "en-GB"."""
    lang = language_code(lang)
    if lang in by_language:
        return by_language[lang]
    if "-" not in lang:
        return next((value for code, value in by_language.items() if code.split("-")[0] == lang), None)
    return None
