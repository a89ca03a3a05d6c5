"""Xcode's String Catalogs (.xcstrings) as parallel corpora (an app's strings in every language its translators
have done, which app/string_catalog.py fills): each string's source text and its translation into the target
language is a pair, a plural's or a device's variations a pair each where both languages have the case.

A translation whose state is not "translated" (Xcode's "needs_review", "new", "stale") is a guess or out of date,
and is left out, as gettext's fuzzy messages are; a string without the target language is a pair without a target
(counted), and one marked "shouldTranslate" : false is none. A catalog is one JSON document, read whole; a pair's
"line" is the string's place among the catalog's strings.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nmt.app import json_messages
from nmt.app.string_catalog import source_localization
from nmt.model.languages import primary
from nmt.training.compressed import read_whole
from nmt.training.errors import CorpusError

CatalogPair = tuple[int, str, str | None]  # (the string's place, source, translation); None: it has none


def read_xcstrings(path: Path, src_lang: str, tgt_lang: str) -> Iterator[CatalogPair]:
    """Each string's pairs, in the catalog's order; CorpusError if the file is not a catalog, or its sourceLanguage
    is not src_lang (a code without region, "en", matches "en-GB")."""
    catalog = read_whole(path, lambda content: json_messages.parsed(content.decode("utf-8").removeprefix("\ufeff")))
    if not isinstance(catalog, dict) or not isinstance(catalog.get("strings"), dict):
        raise CorpusError(f'{path}: it is not a String Catalog: it has no "sourceLanguage" and "strings"')
    named = str(catalog.get("sourceLanguage", ""))
    if primary(named) != primary(src_lang):
        raise CorpusError(f"{path}: its sourceLanguage is {named}, but the pairs read are {src_lang} -> {tgt_lang}")
    for place, (key, entry) in enumerate(catalog["strings"].items(), start=1):
        if isinstance(entry, dict) and entry.get("shouldTranslate") is not False:
            localizations = entry.get("localizations") or {}
            target = next((node for language, node in localizations.items() if language == tgt_lang), None)
            if target is None:  # (es for es-419, say, where the catalog has only the region's)
                target = next((node for language, node in localizations.items()
                               if primary(language) == primary(tgt_lang)), None)
            yield from ((place, source, translation) for source, translation in
                        _pairs(source_localization(key, entry, named), target))


def _pairs(source: Any, target: Any) -> Iterator[tuple[str, str | None]]:
    """A localization's pairs with the target's: its string unit's, then each variation's both have (in the
    source's order); the target's translation None where it has none done."""
    if not isinstance(source, dict):
        return
    unit = source.get("stringUnit")
    if isinstance(unit, dict) and isinstance(unit.get("value"), str) and unit["value"]:
        yield unit["value"], _translated(target)
    variations = source.get("variations")
    if isinstance(variations, dict):
        for kind, cases in variations.items():
            theirs = _within(target, "variations", kind)
            for name, case in (cases.items() if isinstance(cases, dict) else ()):
                yield from _pairs(case, theirs.get(name) if isinstance(theirs, dict) else None)


def _translated(node: Any) -> str | None:
    """A localization's translation, where its string unit is translated (not to be reviewed, new or stale)."""
    unit = node.get("stringUnit") if isinstance(node, dict) else None
    if not isinstance(unit, dict) or unit.get("state", "translated") != "translated":
        return None
    value = unit.get("value")
    return value if isinstance(value, str) and value else None


def _within(node: Any, *keys: str) -> Any:
    """What node holds under the keys, one inside the other (None where it does not)."""
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node
