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
    if not categories or b"_other" not in data:
        return data
    return _plurals_added(data, lambda strings: _categories_added(strings, categories))


# i18next's JSON v3 plurals (compatibilityJSON: 'v3', i18next 23's PluralResolver, the last that reads them): a
# language's forms, each named by CLDR's category of the number i18next gives it (its rule's numbers: Russian's 1, 2,
# 5: one, few, many); two forms, one and other, are written key and key_plural, any others key_0, key_1, ...
V3_FORMS = {
    **dict.fromkeys("ach af ak am an arn ast az bg bn br ca da de el en eo es et eu fi fil fo fr fur fy gl gu gun ha "
                    "hi hu hy ia is it kk kn ku lb ln mai mfe mg mi mk ml mn mr nah nap nb ne nl nn no nso oc pa pap "
                    "pms ps pt rm sco se si so son sq sv sw ta te tg ti tk tl tr ur uz wa yo".split(), ("one", "other")),
    **dict.fromkeys("ay bo cgg fa ht id ja jbo ka km ko ky lo ms sah su th tt ug vi wo zh".split(), ("other",)),
    **dict.fromkeys("be csb dz pl ru uk".split(), ("one", "few", "many")),
    **dict.fromkeys("bs cnr cs hr lt ro sk sr".split(), ("one", "few", "other")),
    **dict.fromkeys("cy gd kw".split(), ("one", "two", "few", "other")),
    **dict.fromkeys("he iw".split(), ("one", "two", "many", "other")),
    "ar": plurals.ORDER,
    "ga": ("one", "two", "few", "many", "other"),
    "jv": ("zero", "other"),
    "lv": ("one", "other", "zero"),
    "mnk": ("zero", "one", "other"),
    "mt": ("one", "two", "many", "other"),
    "or": ("other", "one"),
    "sl": ("other", "one", "two", "few"),
}
V3_TWO = ("one", "other")  # key, key_plural


def legacy_plural_keys(data: bytes, languages: Languages) -> bytes:
    """The file with i18next's JSON v3 plurals (a key beside its key_plural: files, files_plural) given the keys of the
    target's forms where it numbers them (V3_FORMS: files_0, files_1, files_2), each added after the plural's last with
    the translation of its form's kind (plurals.forms: its singular or its plural); the others kept (i18next reads
    key where the target's key is missing, and key without a count). A key_0 beside no key_plural is no plural."""
    forms = V3_FORMS.get(labels.primary(languages.target))
    if forms is None or forms == V3_TWO or b"_plural" not in data:
        return data
    return _plurals_added(data, lambda strings: _forms_added(strings, forms))


Pair = tuple["re.Match[str]", "re.Match[str]"]  # a member's key's token and its string value's
Added = Iterator[tuple[list[Pair], dict[str, Pair]]]  # plurals' members, and the keys they lack with the member each takes


def _plurals_added(data: bytes, added: Callable[[dict[str, Pair]], Added]) -> bytes:
    """The file with the members that `added` finds its objects' plurals lack (given an object's string members by
    their keys) inserted after each plural's last."""
    text = data.decode("utf-8")
    insertions = []
    for members in _objects(parsed(text, _Object), STRING.finditer(text)):
        strings = {key: (key_token, value_token) for key, key_token, value_token in members if value_token is not None}
        for group, lacking in added(strings):
            insertions += _added(text, group, lacking)
    for at, insertion in sorted(insertions, reverse=True):
        text = text[:at] + insertion + text[at:]
    return text.encode("utf-8")


def _categories_added(strings: dict[str, Pair], categories: tuple[str, ...]) -> Added:
    """i18next's (JSON v4) plurals, and the members of the target's categories they lack (plurals.cases)."""
    groups: dict[str, dict[str, Pair]] = {}
    for key, pair in strings.items():
        if found := PLURAL_KEY.fullmatch(key):
            groups.setdefault(found[1], {})[found[2]] = pair
    for base, group in groups.items():
        if "other" in group and len(group) > 1:
            cases = plurals.cases(list(group), categories)
            yield list(group.values()), {f"{base}_{c}": group[taken] for c, taken in cases.items() if c not in group}


def _forms_added(strings: dict[str, Pair], forms: tuple[str, ...]) -> Added:
    """i18next's JSON v3 plurals (key, key_plural), and the numbered keys of the target's forms they lack."""
    for base, singular in strings.items():
        if (plural := strings.get(f"{base}_plural")) is not None:
            taken = [(singular, plural)[k] for k in plurals.forms(V3_TWO, forms)]
            yield [singular, plural], {f"{base}_{k}": pair for k, pair in enumerate(taken) if f"{base}_{k}" not in strings}


Member = tuple[str, "re.Match[str]", "re.Match[str] | None"]  # an object's key, its token, its string value's
SEPARATOR = re.compile(r",\s*\Z")  # before a member that is not its object's first


def _added(text: str, group: list[Pair], lacking: dict[str, Pair]) -> list[tuple[int, str]]:
    """The members a plural lacks (each key with the member whose value it takes), after its last, written as the
    file writes them (the separator before that last, and between its key and its value)."""
    last_key, last_value = max(group, key=lambda tokens: tokens[1].start())
    separator = SEPARATOR.search(text, 0, last_key.start())
    if separator is None:  # (none: a plural has two members, so that its last is not its object's first)
        return []
    colon = text[last_key.end():last_value.start()]
    return [(last_value.end(), "".join(f"{separator.group()}{json.dumps(key, ensure_ascii=False)}{colon}"
                                       f"{taken[1].group()}" for key, taken in lacking.items()))]


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
                       plural_keys, legacy_plural_keys)


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
