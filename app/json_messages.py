"""JSON files (.json, and Flutter's .arb), as web and mobile apps keep their messages (i18next, Chrome's
messages.json, any nested object of strings): each string value with a letter translated, every key, number and
byte between kept as written. What is under a key that starts with "@" is a message's metadata (Flutter's
"@greeting": {"description": ..., "placeholders": {"name": {"type": "String"}}}) and is kept too; "@@locale" says
the target's language once translated (relabel). So is all but the "message" of a WebExtension's messages.json
(Chrome's, Firefox's: {"greeting": {"message": "Hello, $USER$", "description": ..., "placeholders": ...}}), told
by its shape: every message an object of these keys.

The file is parsed (the standard library's parser), then its strings are found where they are written (a JSON
string holds no unescaped quote, so a scan finds each whole), in the order the parsed value holds them: keys and
values told apart by the parse, not guessed. A translation is written back as JSON writes a string, its non-ASCII
characters as they are. Placeholders such as {{name}}, {name} and %s are spans the pipeline keeps verbatim
(model/spans.py); a message of ICU MessageFormat's plurals or selects has each branch's text translated apart, the
rest kept (app/icu.py).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from nmt.app import icu, labels
from nmt.app.packages import Damaged

STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
WEBEXTENSION_KEYS = {"message", "description", "placeholders"}
relabel = labels.matched(re.compile(rb'("@@locale"\s*:\s*")([\w-]*)(")'), count=1)  # an .arb file's locale


class _Object(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, in order: what the parse gives, told from an array."""


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's string values with a letter (but metadata's), and what writes it with their translations; Damaged
    if it is not JSON."""
    value = parsed(text, _Object)
    flags = _messages_translated(value) if _webextension(value) else _translated(value)
    values = [(m.start(), m.end(), icu.cut(json.loads(m.group())))
              for m, translated in zip(STRING.finditer(text), flags, strict=True) if translated]

    def render(translations: list[str]) -> str:
        pieces, at, given = [], 0, iter(translations)
        for start, end, (texts, rebuild) in values:
            translated = rebuild([next(given) for _ in texts])
            pieces += [text[at:start], json.dumps(translated, ensure_ascii=False)]
            at = end
        return "".join(pieces) + text[at:]

    return [text for _, _, (texts, _) in values for text in texts], render


def parsed(text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """The JSON text's value (its objects as object_pairs_hook makes them, else dicts); Damaged if it is not JSON."""
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError as e:
        raise Damaged(f"it is not JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None


def _webextension(value: Any) -> bool:
    """Whether the value is a WebExtension's messages: an object of messages, each an object of a string "message"
    and maybe a "description" and "placeholders"."""
    return isinstance(value, _Object) and bool(value) and all(
        isinstance(message, _Object) and isinstance(dict(message).get("message"), str)
        and {key for key, _ in message} <= WEBEXTENSION_KEYS for _, message in value)


def _messages_translated(messages: _Object) -> Iterator[bool]:
    """_translated for a WebExtension's messages: each one's "message" alone."""
    for _, message in messages:
        yield False
        for key, inner in message:
            yield False
            yield from _translated(inner, metadata=key != "message")


def _translated(value: Any, metadata: bool = False) -> Iterator[bool]:
    """For each string the value holds (keys too), in the order written: whether it is translated."""
    if isinstance(value, _Object):
        for key, inner in value:
            yield False
            yield from _translated(inner, metadata or key.startswith("@"))
    elif isinstance(value, list):
        for inner in value:
            yield from _translated(inner, metadata)
    elif isinstance(value, str):
        yield not metadata and any(c.isalpha() for c in value)
