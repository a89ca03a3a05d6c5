"""Java's properties files (.properties: a ResourceBundle's messages, Spring's messages.properties): each value with a
letter translated, keys, separators, comments and every byte between kept as written (messages.properties becomes
messages_es.properties, the name under which Java looks for a language's bundle).

    # the start page
    welcome = Welcome, {0}!
    notice: a value that goes on \\
            over two lines

A value is read as java.util.Properties reads it: from the key's separator (=, : or white space) to the end of its
logical line, a line ending in an odd number of backslashes going on over the next (its leading white space
dropped); \\t \\n \\f \\r and \\uXXXX are escapes, a backslash before any other character stands for that character.
The model sees the value unescaped; its translation is written on one line, escaped.

Java read these files as ISO-8859-1 up to Java 8, so they are often ASCII, any other character a \\uXXXX escape; from
Java 9, as UTF-8. A file that is ASCII gets its translations' other characters as \\u escapes (what every Java reads);
one with UTF-8 text, as they are; one that is not UTF-8 is read and written as ISO-8859-1, a character that it cannot
hold a \\u escape.

A value with a MessageFormat argument ({0}, {1,number}) is a MessageFormat pattern (as Spring and ResourceBundle users
format it), where '' is an apostrophe and a lone ' starts a quoted stretch: the model sees '' as ', and an apostrophe
of the translation is written '' (else MessageFormat would drop it and leave the argument after it unformatted).
Placeholders ({0}, %s) are spans the pipeline keeps verbatim (model/spans.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nmt.app.packages import Damaged

BLANK = re.compile(r"[ \t\f]*")  # what java.util.Properties takes for white space
SEPARATOR = re.compile(r"[ \t\f]*[=:]?[ \t\f]*")
ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|\n[ \t\f]*|(.)|$)", re.DOTALL)
CONTROLS = {"t": "\t", "n": "\n", "f": "\f", "r": "\r"}
ESCAPED = str.maketrans({"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"})
ARGUMENT = re.compile(r"\{\d+(?:,[^{}]*)?\}")  # MessageFormat's {0}, {1,number,#.##}


@dataclass(frozen=True)
class Entry:
    """A key and its value, read, and where the value is written: text[start:end], to its logical line's end."""

    key: str
    value: str
    start: int
    end: int


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's values with a letter, read (a MessageFormat pattern's '' as '), and what writes it with their
    translations."""
    todo = [entry for entry in entries(text) if any(c.isalpha() for c in entry.value)]
    ascii_only = text.isascii()

    def render(translations: list[str]) -> str:
        pieces, at = [], 0
        for entry, translation in zip(todo, translations, strict=True):
            pieces += [text[at:entry.start], escaped(_as_source(translation, entry.value), ascii_only)]
            at = entry.end
        return "".join(pieces) + text[at:]

    return [shown(entry.value) for entry in todo], render


def shown(value: str) -> str:
    """What a value shows: a MessageFormat pattern's '' one apostrophe."""
    return value.replace("''", "'") if ARGUMENT.search(value) else value


def _as_source(translation: str, source: str) -> str:
    """The translation as its source writes what it shows (shown, undone): in a MessageFormat pattern, '' for '."""
    return translation.replace("'", "''") if ARGUMENT.search(source) else translation


def entries(text: str) -> list[Entry]:
    """The text's entries, in order (comments and blank lines are none)."""
    found, at = [], 0
    while at < len(text):
        first = BLANK.match(text, at).end()  # type: ignore[union-attr]  # (it matches "" anywhere)
        end = _logical_end(text, first)
        if first < end and text[first] not in "#!":
            key_end = _key_end(text, first, end)
            start = SEPARATOR.match(text, key_end, end).end()  # type: ignore[union-attr]
            found.append(Entry(read(text[first:key_end]), read(text[start:end]), start, end))
        at = end + 1
    return found


def _logical_end(text: str, at: int) -> int:
    """Where the logical line from at ends: the end of the first of its lines that does not end in an odd number of
    backslashes (a comment's lines never go on)."""
    comment = text.startswith(("#", "!"), at)
    while True:
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        backslashes = len(text[at:end]) - len(text[at:end].rstrip("\\"))
        if comment or backslashes % 2 == 0 or end == len(text):
            return end
        at = end + 1


def _key_end(text: str, at: int, end: int) -> int:
    """Where the key from at ends: at its first white space, = or : that no backslash escapes."""
    while at < end and text[at] not in " \t\f=:":
        at += 2 if text[at] == "\\" else 1
    return min(at, end)


def read(raw: str) -> str:
    """A key's or value's text: its escapes read, its lines (a backslash at a line's end) joined; Damaged for a \\u
    escape of half a surrogate pair."""
    def character(escape: re.Match[str]) -> str:
        unit, other = escape.groups()
        if unit is not None:
            return chr(int(unit, 16))
        return CONTROLS.get(other, other) if other is not None else ""

    try:
        return ESCAPE.sub(character, raw).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise Damaged(f"a \\u escape of half a surrogate pair in {raw[:40]!r}") from None


def escaped(value: str, ascii_only: bool) -> str:
    """A value as a properties file writes it on one line: backslashes and control characters escaped, a space it
    starts with too (Java would drop it); where ascii_only, every other character a \\u escape (of each UTF-16 unit)."""
    text = value.translate(ESCAPED)
    text = "\\" + text if text.startswith((" ", "\t")) else text
    if not ascii_only:
        return text
    return "".join(c if c.isascii() else _units(c) for c in text)


def _units(char: str) -> str:
    """A character as \\u escapes of its UTF-16 units (two for one beyond the Basic Multilingual Plane)."""
    units = char.encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[k:k + 2], 'big'):04x}" for k in range(0, len(units), 2))


def decoded(content: bytes) -> str:
    """The file's text: UTF-8, or ISO-8859-1 where it is not UTF-8 (as Java 9 reads a bundle)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def encoded(text: str, content: bytes) -> bytes:
    """The text in the file's encoding: UTF-8, or ISO-8859-1 (a character it cannot hold a \\u escape)."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(c if ord(c) < 256 else _units(c) for c in text).encode("latin-1")
    return text.encode("utf-8")
