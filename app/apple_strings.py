"""Apple's strings files (.strings: Localizable.strings, InfoPlist.strings), what iOS and macOS programs kept their
messages in before String Catalogs (app/string_catalog.py): each value with a letter translated, its key, the comments
and every byte between kept as written.

    /* The main window's title */
    "window.title" = "Welcome, %@!";
    // a comment to the line's end
    greeting = "Hello";

The file is an old-style property list's dictionary without its braces: entries of a key, "=", a value and ";", each
key and value a string in double quotes (with C's escapes: \\" \\\\ \\n \\t \\r, \\U00E9 or \\u00e9 for a UTF-16 unit,
\\101 in octal) or, unquoted, a run of letters, digits and _.$:/- ("key"; alone is an entry whose value is its key, as
Foundation reads it). The model sees a value unescaped; its translation is written in double quotes, escaped. Its
placeholders (%@, %1$@, %lld, %.2f, %%) are spans the pipeline keeps verbatim (model/spans.py).

Xcode's older files are UTF-16 (a byte-order mark first, little- or big-endian), newer ones UTF-8: a file is written in
the encoding it was read in (decoded, encoded). One that is not a strings file is Damaged, its line named.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass

from nmt.app.packages import Damaged, line_at

QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
UNQUOTED = re.compile(r"[A-Za-z0-9_.$:/-]+")
GAP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)  # white space and comments, between the tokens
ESCAPE = re.compile(r"\\(?:[Uu]([0-9A-Fa-f]{1,4})|([0-7]{1,3})|(.))", re.DOTALL)  # (\U: up to four digits, as Foundation)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}  # (any other: the character)
UNESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


@dataclass(frozen=True)
class Entry:
    """A key and its value, unescaped, and where the value is written: text[start:end] (an entry of its key alone,
    "key";, has none: start == end, just after its key)."""

    key: str
    value: str
    start: int
    end: int


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's values with a letter, unescaped, and what writes it with their translations (a value translated
    into itself kept as written); Damaged where it is not a strings file."""
    todo = [entry for entry in entries(text) if any(char.isalpha() for char in entry.value)]

    def render(translations: list[str]) -> str:
        pieces, at = [], 0
        for entry, translation in zip(todo, translations, strict=True):
            if translation == entry.value:  # (as written: its escapes, its quotes or none, and "key"; stay)
                continue
            value = f'"{escaped(translation)}"'
            pieces += [text[at:entry.start], value if entry.end > entry.start else f" = {value}"]
            at = entry.end
        return "".join(pieces) + text[at:]

    return [entry.value for entry in todo], render


def entries(text: str) -> list[Entry]:
    """The text's entries, in order; Damaged, naming the line, where it is not a strings file (a string without its
    closing quote, an entry without its "=" or ";", a comment never closed)."""
    found: list[Entry] = []
    at = _gap(text, 0)
    while at < len(text):
        key, end = _string(text, at, "a key")
        at = _gap(text, end)
        if text.startswith(";", at):
            found.append(Entry(key, key, end, end))  # ("key"; the value is the key: a translation goes after the key)
        else:
            start = _gap(text, _expect(text, end, "=", "after its key") + 1)
            value, end = _string(text, start, "a value")
            at = _expect(text, end, ";", "after its value")
            found.append(Entry(key, value, start, end))
        at = _gap(text, at + 1)
    return found


def escaped(text: str) -> str:
    """The text as a quoted string's inside: its quotes, backslashes and line breaks escaped."""
    return "".join(UNESCAPES.get(char, char) for char in text)


def unescaped(inside: str) -> str:
    """A quoted string's text: its escapes read, two \\U escapes of a UTF-16 surrogate pair one character;
    UnicodeDecodeError for a lone surrogate."""
    def character(escape: re.Match[str]) -> str:
        unit, octal, other = escape.groups()
        if unit is not None:
            return chr(int(unit, 16))
        return chr(int(octal, 8)) if octal is not None else ESCAPES.get(other, other)

    return ESCAPE.sub(character, inside).encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def decoded(content: bytes) -> str:
    """The file's text: UTF-16 where it starts with a byte-order mark of UTF-16 (kept, as U+FEFF), or is UTF-16
    without one (its first character ASCII), else UTF-8 (UnicodeDecodeError where it is not); Damaged for UTF-16 that
    does not decode."""
    encoding = _encoding(content)
    if encoding == "utf-8":
        return content.decode("utf-8")
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as e:
        raise Damaged(f"it is not UTF-16 text (byte {e.start})") from None


def encoded(text: str, content: bytes) -> bytes:
    """The text in the encoding that the file it was read from is in."""
    return text.encode(_encoding(content))


def _encoding(content: bytes) -> str:
    """The encoding of a file's bytes: its byte-order mark's, or UTF-16 where its first two bytes are an ASCII
    character's there (one of them zero), else UTF-8."""
    if marked := next((name for bom, name in BOMS.items() if content.startswith(bom)), None):
        return marked
    first = content[:2]
    if len(first) == 2 and (first[0] == 0) != (first[1] == 0):
        return "utf-16-be" if first[0] == 0 else "utf-16-le"
    return "utf-8"


def _gap(text: str, at: int) -> int:
    """Where the white space and comments from at end; Damaged for a comment never closed."""
    end = GAP.match(text, at).end()  # type: ignore[union-attr]  # (it matches "" anywhere)
    if text.startswith("/*", end):
        raise Damaged(f"line {line_at(text, end)}: a comment that is never closed (no */)")
    return end


def _string(text: str, at: int, what: str) -> tuple[str, int]:
    """The string (quoted or not) at `at`, read, and where it ends; Damaged where there is none."""
    if text.startswith('"', at):
        quoted = QUOTED.match(text, at)
        if quoted is None:
            raise Damaged(f"line {line_at(text, at)}: a string whose closing quote is missing")
        try:
            return unescaped(quoted[1]), quoted.end()
        except UnicodeDecodeError:
            raise Damaged(f"line {line_at(text, at)}: a \\U escape of half a surrogate pair") from None
    bare = UNQUOTED.match(text, at)
    if bare is None:
        found = f"{text[at]!r}" if at < len(text) else "the file's end"
        raise Damaged(f"line {line_at(text, at)}: {what} should be here, a string in double quotes, found {found}")
    return bare[0], bare.end()


def _expect(text: str, after: int, token: str, where: str) -> int:
    """Where the token is, next after `after` but for white space and comments; Damaged, naming the line of `after`,
    where it is not."""
    at = _gap(text, after)
    if not text.startswith(token, at):
        raise Damaged(f"line {line_at(text, after)}: an entry without its {token} {where}")
    return at
