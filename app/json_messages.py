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

from nmt.app import icu, labels, plurals
from nmt.app.labels import Languages
from nmt.app.packages import Damaged

STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
WEBEXTENSION_KEYS = {"message", "description", "placeholders"}
PLURAL_KEY = re.compile(r"(.+)_(zero|one|two|few|many|other)")  # i18next's (JSON v4): files_one, files_other


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


def plural_keys(data: bytes, languages: Languages) -> bytes:
    """The file with i18next's plurals (files_one, files_other) made the target's CLDR categories (app/plurals.py):
    each category the target has and a plural lacks added after its last key, with its "other"'s translation
    (plurals.cases, as Apple's plurals take theirs); the others kept (i18next reads those its language
    has)."""
    categories = plurals.categories(languages.target)
    text = data.decode("utf-8")
    if not categories or "_other" not in text:
        return data
    added = []
    for members in _objects(parsed(text, _Object), STRING.finditer(text)):
        groups: dict[str, dict[str, tuple[re.Match[str], re.Match[str]]]] = {}
        for key, key_token, value_token in members:
            if value_token is not None and (found := PLURAL_KEY.fullmatch(key)):
                groups.setdefault(found[1], {})[found[2]] = (key_token, value_token)
        for base, group in groups.items():
            if "other" in group and len(group) > 1:
                added += _added(text, base, group, plurals.cases(list(group), categories))
    for at, insertion in sorted(added, reverse=True):
        text = text[:at] + insertion + text[at:]
    return text.encode("utf-8")


Member = tuple[str, "re.Match[str]", "re.Match[str] | None"]  # an object's key, its token, its string value's
SEPARATOR = re.compile(r",\s*\Z")  # before a member that is not its object's first


def _added(text: str, base: str, group: dict[str, tuple[re.Match[str], re.Match[str]]],
           cases: dict[str, str]) -> list[tuple[int, str]]:
    """The members a plural lacks of its cases in the target (plurals.cases), after its last, written as the file
    writes them (the separator before that last, and between its key and its value), each with the value of the
    case it takes (the plural's "other")."""
    last_key, last_value = max(group.values(), key=lambda tokens: tokens[1].start())
    separator = SEPARATOR.search(text, 0, last_key.start())
    if separator is None:  # (none: a plural has two members, so that its last is not its object's first)
        return []
    colon = text[last_key.end():last_value.start()]
    return [(last_value.end(), "".join(f"{separator.group()}{json.dumps(f'{base}_{c}', ensure_ascii=False)}{colon}"
                                       f"{group[taken][1].group()}" for c, taken in cases.items() if c not in group))]


def _objects(value: Any, tokens: Iterator[re.Match[str]]) -> Iterator[list[Member]]:
    """Each object the value holds, as its members, the strings' tokens (STRING's matches, in order) consumed."""
    if isinstance(value, _Object):
        members: list[Member] = []
        for key, inner in value:
            key_token = next(tokens)
            members.append((key, key_token, next(tokens) if isinstance(inner, str) else None))
            yield from _objects(inner, tokens)
        yield members
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, str):
                next(tokens)
            yield from _objects(inner, tokens)


relabel = labels.every(labels.matched(re.compile(rb'("@@locale"\s*:\s*")([\w-]*)(")'), count=1),  # an .arb's locale
                       plural_keys)


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
