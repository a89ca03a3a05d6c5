"""An app's messages in two languages as one parallel corpus: two files of one keyed format, the source language's
and the target's, each key that both hold a pair of its two texts (what the app's translators have written, which
the service fills: app/documents.py).

    res/values/strings.xml     res/values-es/strings.xml      Android (a string array's items, a plural's cases too)
    Resources.resx             Resources.es.resx              .NET
    messages.properties        messages_es.properties         Java
    en.lproj/Localizable.strings  es.lproj/Localizable.strings  Apple
    config/locales/en.yml      config/locales/es.yml          Rails (its root language key left out), Symfony
    locales/en-US/main.ftl     locales/es/main.ftl            Fluent (an attribute welcome.title, a variant emails[one])
    lang/en/auth.php           lang/es/auth.php               Laravel (auth.failed; a choice's parts apples|0, ...)

Each file is read as the service reads it; a text is what the app shows (Android's escapes read, its markup's
words), not the file's escapes. A key the target file lacks is a pair without a target (counted); a pair's "line" is
its key's place in the source file.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from nmt.app import android, apple_strings, fluent, php_arrays, properties, resx, yaml_messages
from nmt.app.packages import Damaged
from nmt.app.xmltree import local_name, parsed
from nmt.training.compressed import read_whole

Messages = dict[str, str]  # a file's texts by their keys


def _android(content: bytes) -> Messages:
    """A strings.xml's texts, of the strings the service translates (android.translated): a string's by its name, an
    array item's as name[k], a plural case's as name:quantity."""
    root = parsed(content).getroot()
    if local_name(root) != "resources":
        raise Damaged("its root element is not <resources>")
    found: Messages = {}
    for element in android.translated(root):
        resource = element.getparent() if local_name(element) == "item" else element
        assert resource is not None  # (an item is inside its array or plural)
        name = resource.get("name") or ""
        if local_name(resource) == "plurals":
            name = f"{name}:{element.get('quantity')}"
        elif resource is not element:
            name = f"{name}[{[c for c in resource if local_name(c) == 'item'].index(element)}]"
        if text := android.shown(element):
            found[name] = text
    return found


def _resx(content: bytes) -> Messages:
    root = parsed(content).getroot()
    resx.check(root)
    return {data.get("name") or "": value.text or "" for data in root
            if (value := resx.string_value(data)) is not None}


def _text(content: bytes, decode: Callable[[bytes], str] = lambda content: content.decode("utf-8")) -> str:
    """A text file's text as the service's readers take it (app/documents.py's text_file): no byte-order mark, and
    line feeds for CRLF."""
    return decode(content).removeprefix("\ufeff").replace("\r\n", "\n")


def _properties(content: bytes) -> Messages:
    entries = properties.entries(_text(content, properties.decoded))
    return {e.key: properties.shown(e.value) for e in entries}


def _strings(content: bytes) -> Messages:
    return {e.key: e.value for e in apple_strings.entries(_text(content, apple_strings.decoded))}


def _yaml(content: bytes) -> Messages:
    """A YAML file's string values by their paths (a.b.c; a list's items a.b[0]), its root language key (Rails')
    left out."""
    try:
        value = yaml.load(content.decode("utf-8"), Loader=yaml_messages.Loader)  # (safe: SafeLoader's, nesting bounded)
    except yaml.YAMLError as e:
        raise Damaged(f"it is not YAML ({e})") from None
    if isinstance(value, dict) and len(value) == 1 and yaml_messages.LANGUAGE_CODE.fullmatch(str(next(iter(value)))):
        value = next(iter(value.values()))
    return dict(_flattened(value, ""))


def _flattened(value: Any, path: str, seen: set[int] | None = None) -> Iterator[tuple[str, str]]:
    """The string values under value by their paths, a dict or list that an alias repeats read once only (nested
    aliases, "a billion laughs", would otherwise take time exponential in the file's size)."""
    seen = set() if seen is None else seen
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            return
        seen.add(id(value))
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flattened(inner, f"{path}.{key}" if path else str(key), seen)
    elif isinstance(value, list):
        for k, inner in enumerate(value):
            yield from _flattened(inner, f"{path}[{k}]", seen)
    elif isinstance(value, str) and value:
        yield path, value


READERS: dict[str, Callable[[bytes], Messages]] = {".xml": _android, ".resx": _resx, ".properties": _properties,
                                                   ".strings": _strings, ".yml": _yaml, ".yaml": _yaml,
                                                   ".ftl": lambda content: fluent.messages(_text(content)),
                                                   ".php": lambda content: php_arrays.messages(_text(content))}


def format_of(path: Path) -> str:
    """A file's keyed format: its extension before any .gz/.xz/.zst ("" for none of READERS)."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".xz", ".zst")]
    return suffixes[-1] if suffixes and suffixes[-1] in READERS else ""


def is_keyed(files: tuple[Path, ...]) -> bool:
    """Whether a corpus is two files of one keyed format."""
    return len(files) == 2 and format_of(files[0]) != "" and format_of(files[0]) == format_of(files[1])


def read_keyed(source: Path, target: Path) -> Iterator[tuple[int, str, str | None]]:
    """Each of the source file's keys, in its order: its place, its text, and the target file's (None where it has
    none); CorpusError if either file is not of the format."""
    theirs = _messages(target)
    for place, (key, text) in enumerate(_messages(source).items(), start=1):
        yield place, text, theirs.get(key)


def _messages(path: Path) -> Messages:
    return read_whole(path, READERS[format_of(path)])
