"""Xcode's String Catalogs (.xcstrings, Xcode 15 on), one JSON file of a program's strings in all its languages:
each string's source text translated into the target's localization of it.

    {
      "sourceLanguage" : "en",
      "strings" : {
        "Welcome, %@!" : {
          "comment" : "The main window's title",
          "localizations" : {
            "es" : {
              "stringUnit" : {
                "state" : "needs_review",
                "value" : "¡Bienvenido, %@!"
              }
            }
          }
        }
      },
      "version" : "1.0"
    }

A string's source is its source language's localization (its stringUnit's value), or its key where it has none (as
Xcode extracts SwiftUI's Text("Welcome, %@!")). The target's localization is added, or filled where it has no value,
each value marked "needs_review", as Xcode marks what is to be reviewed; one that has a value (a translator's) is left
alone, and so is a string marked "shouldTranslate" : false. A localization that varies (by plural or device:
"variations"; or with "substitutions", each of whose plurals varies) has each variation's text translated apart, the
rest kept: the target's plural variations are the categories CLDR gives its language (app/plurals.py, and "zero",
which Apple applies to 0 in any language, where the source has it), one that the source lacks taking the source's
"other". Placeholders (%@, %lld, %#@arg1@) are spans the pipeline keeps verbatim (model/spans.py).

The target is not known when the file is read: the texts of the strings that the target already has (done) are left
out once it is (Document.into), and a translation of them would not be written. The file is written as Xcode writes
it: an indent of two spaces, " : " after a key, non-ASCII characters as they are, an empty object over an empty line;
its keys in its order, a key added (the target's language, "localizations") where Xcode's order puts it
(xcode_order). A catalog whose sourceLanguage is not the translation's source is refused, as an XLIFF file for other
languages is.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from nmt.app import json_messages, plurals
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written, check_language

BOM = "\ufeff"
NEEDS_REVIEW = "needs_review"  # a stringUnit's state that Xcode shows as to be reviewed
DIGITS = re.compile(r"[0-9]+|[^0-9]+")
# what writes a node of the target's localization, given the translations and the target's plural categories (None:
# a language app/plurals.py does not know, whose plurals are the source's)
Build = Callable[[list[str], tuple[str, ...] | None], Any]


def read(content: bytes) -> Written:
    """The catalog's source texts, and what writes it with their translations in the target's localizations; Damaged
    if it is not a String Catalog."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Damaged(f"it is not UTF-8 text (byte {e.start})") from None
    catalog = json_messages.parsed(text.removeprefix(BOM))
    strings = _strings(catalog)
    texts: list[str] = []
    plans = {key: _localization(source_localization(key, entry, catalog["sourceLanguage"]), texts)
             for key, entry in strings.items() if entry.get("shouldTranslate") is not False}

    def render(translations: list[str], languages: Languages) -> bytes:
        check_language("sourceLanguage", catalog["sourceLanguage"], languages)
        categories, written = plurals.categories(languages.target), dict(strings)
        for key, plan in plans.items():
            localizations = strings[key].get("localizations", {})
            if not _has_value(localizations.get(languages.target)):
                translated = _inserted(localizations, languages.target, plan(translations, categories))
                written[key] = _inserted(strings[key], "localizations", translated)
        catalog_text = _json(catalog | {"strings": written})
        return (BOM * text.startswith(BOM) + catalog_text + text[len(text.rstrip()):]).encode("utf-8")

    return texts, render


def done(content: bytes, target: str) -> set[str]:
    """The texts of the strings whose target localization has a value (which render leaves alone), but those that a
    string still to translate holds too; Damaged if it is not a String Catalog."""
    catalog = json_messages.parsed(content.decode("utf-8").removeprefix(BOM))
    finished: list[str] = []
    unfinished: list[str] = []
    for key, entry in _strings(catalog).items():
        if entry.get("shouldTranslate") is not False:
            texts = finished if _has_value(entry.get("localizations", {}).get(target)) else unfinished
            _localization(source_localization(key, entry, catalog["sourceLanguage"]), texts)
    return set(finished) - set(unfinished)


def _strings(catalog: Any) -> dict[str, dict[str, Any]]:
    """The catalog's strings; Damaged if it is not a catalog (an object of a sourceLanguage and strings, each string
    an object, its localizations an object)."""
    if not isinstance(catalog, dict) or not isinstance(catalog.get("sourceLanguage"), str) or not isinstance(
            catalog.get("strings"), dict):
        raise Damaged('it is not a String Catalog: it has no "sourceLanguage" and "strings"')
    for key, entry in catalog["strings"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("localizations", {}), dict):
            raise Damaged(f"its string {json.dumps(key, ensure_ascii=False)} is not an object of localizations")
    return catalog["strings"]


def source_localization(key: str, entry: dict[str, Any], language: str) -> Any:
    """A string's localization in the source language: the catalog's, or one of its key (where it has none with a
    value: Xcode leaves a string extracted from the code without one)."""
    source = entry.get("localizations", {}).get(language)
    return source if _has_value(source) else {"stringUnit": {"state": "translated", "value": key}}


def _localization(node: Any, texts: list[str]) -> Build:
    """What writes the target's node of a source's localization (or a variation's, a substitution's): its stringUnit
    translated, its variations' and substitutions' nodes each in turn, anything else kept; their texts added to
    texts."""
    if not isinstance(node, dict):
        raise Damaged(f"a localization is not an object: {json.dumps(node, ensure_ascii=False)[:40]}")
    parts = {name: PARTS.get(name, _kept)(inner, texts) for name, inner in node.items()}
    return lambda translations, categories: {name: build(translations, categories) for name, build in parts.items()}


def _unit(unit: Any, texts: list[str]) -> Build:
    """What writes the target's stringUnit of a source's: its value's translation (a value without a letter as it is),
    to be reviewed."""
    value = unit.get("value", "") if isinstance(unit, dict) else None
    if not isinstance(value, str):
        raise Damaged(f"a stringUnit without a string value: {json.dumps(unit, ensure_ascii=False)[:40]}")
    if not any(char.isalpha() for char in value):
        return lambda translations, categories: {"state": NEEDS_REVIEW, "value": value}
    texts.append(value)
    k = len(texts) - 1
    return lambda translations, categories: {"state": NEEDS_REVIEW, "value": translations[k]}


def _variations(variations: Any, texts: list[str]) -> Build:
    """What writes the target's variations of a source's: each kind's (plural, device) nodes in turn, a plural's
    made the target's categories."""
    if not isinstance(variations, dict) or not all(isinstance(cases, dict) for cases in variations.values()):
        raise Damaged("its variations are not objects of variations")
    plans = {kind: _named(cases, texts) for kind, cases in variations.items()}

    def build(translations: list[str], categories: tuple[str, ...] | None) -> dict[str, Any]:
        built = {kind: plan(translations, categories) for kind, plan in plans.items()}
        return {kind: _plural(cases, categories) if kind == "plural" else cases for kind, cases in built.items()}

    return build


def _named(nodes: Any, texts: list[str]) -> Build:
    """What writes an object of named nodes (a variation's cases, the substitutions), each the target's node of its
    own."""
    if not isinstance(nodes, dict):
        raise Damaged(f"not an object: {json.dumps(nodes, ensure_ascii=False)[:40]}")
    plans = {name: _localization(node, texts) for name, node in nodes.items()}
    return lambda translations, categories: {name: plan(translations, categories) for name, plan in plans.items()}


def _kept(value: Any, texts: list[str]) -> Build:
    """What writes a value that is not translated (a substitution's argNum and formatSpecifier): the value."""
    return lambda translations, categories: value


PARTS: dict[str, Callable[[Any, list[str]], Build]] = {"stringUnit": _unit, "variations": _variations,
                                                       "substitutions": _named}


def _plural(cases: dict[str, Any], categories: tuple[str, ...] | None) -> dict[str, Any]:
    """A plural variation's translated cases made the target's (plurals.cases: its categories, and zero where the
    source has it; one the source lacks its "other"), in Xcode's order."""
    taken = plurals.cases(list(cases), categories)
    return {category: cases[taken[category]] for category in sorted(taken, key=xcode_order)}


def _has_value(node: Any) -> bool:
    """Whether a localization holds a value with text: a stringUnit's anywhere in it."""
    if not isinstance(node, dict):
        return False
    unit = node.get("stringUnit")
    return isinstance(unit, dict) and bool(unit.get("value")) or any(_has_value(inner) for inner in node.values())


def xcode_order(key: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Where Xcode sorts a key, near enough (Finder's order: case ignored, a number by its value; of two keys alike
    but for case, the lower-case first); what it puts among the punctuation is not ordered as Xcode does."""
    parts = tuple((0, int(part), "") if part[0].isascii() and part[0].isdigit() else (1, 0, part.casefold())
                  for part in DIGITS.findall(key))
    return parts, key.swapcase()


def _inserted(mapping: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """The mapping with key's value: in its place, where it has the key; else before the first key that Xcode sorts
    after it."""
    if key in mapping:
        return mapping | {key: value}
    items = list(mapping.items())
    at = next((k for k, (name, _) in enumerate(items) if xcode_order(name) > xcode_order(key)), len(items))
    return dict(items[:at] + [(key, value)] + items[at:])


def _json(value: Any, indent: str = "") -> str:
    """The value as Xcode writes JSON (Foundation's JSONSerialization, pretty-printed): an indent of two spaces, " : "
    after a key, an empty object or array over an empty line, non-ASCII characters and slashes as they are."""
    inner = indent + "  "
    if isinstance(value, dict):
        pairs = [f"{inner}{json.dumps(key, ensure_ascii=False)} : {_json(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(pairs) + "\n" + indent + "}"
    if isinstance(value, list):
        return "[\n" + ",\n".join(inner + _json(item, inner) for item in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)
