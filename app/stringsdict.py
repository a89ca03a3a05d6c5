"""Apple's stringsdict files (.stringsdict: Localizable.stringsdict), where iOS and macOS programs kept their plural
messages before String Catalogs (app/string_catalog.py): an XML property list whose <dict> holds, under each
message's key, its format <dict>:

    <key>%d files selected</key>
    <dict>
        <key>NSStringLocalizedFormatKey</key>
        <string>%#@files@ selected</string>
        <key>files</key>
        <dict>
            <key>NSStringFormatSpecTypeKey</key>
            <string>NSStringPluralRuleType</string>
            <key>NSStringFormatValueTypeKey</key>
            <string>d</string>
            <key>one</key>
            <string>%d file</string>
            <key>other</key>
            <string>%d files</string>
        </dict>
    </dict>

Translated: each NSStringLocalizedFormatKey's string with a letter outside its variables (%#@files@), each plural
case's string (zero, one, two, few, many, other) of a variable's NSStringPluralRuleType dict, and each string of a
message's width or device variants (NSStringVariableWidthRuleType, NSStringDeviceSpecificRuleType; a variant that is
a format dict read as one); the keys, every other value, the comments and the layout kept. A plural's cases become the
target's (app/plurals.py cases: the categories CLDR gives its language, and zero where the source has it), one the
source lacks a copy of the key and string of its "other", put before the next case in CLDR's order, one the target
lacks removed with its key, each on the lines and indents the file's cases have. Placeholders (%d, %@, %1$@,
%#@files@) are spans the pipeline keeps verbatim (model/spans.py).

The file is parsed without loading its DTD (app/xmltree.py) and written with its declaration and DOCTYPE as read.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

from nmt.app import plurals
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written
from nmt.app.xmltree import local_name, parsed, serialized

FORMAT_KEY = "NSStringLocalizedFormatKey"
VARIANTS = frozenset({"NSStringVariableWidthRuleType", "NSStringDeviceSpecificRuleType"})
SPEC_TYPE, PLURAL_RULE = "NSStringFormatSpecTypeKey", "NSStringPluralRuleType"
VARIABLE = re.compile(r"%(?:\d+\$)?#@\w+@")  # %#@files@: where a variable's dict formats its value
Pair = tuple[etree._Element, etree._Element]  # a <key> and its value


def read(content: bytes) -> Written:
    """The file's texts, and what writes it with their translations; Damaged if it is not a property list of a dict of
    format dicts."""
    tree = parsed(content)
    root = tree.getroot()
    dicts = [element for element in root if isinstance(element.tag, str)]
    if local_name(root) != "plist" or [local_name(element) for element in dicts] != ["dict"]:
        raise Damaged("it is not a property list of a dict (a <plist> of one <dict>)")
    strings: list[etree._Element] = []  # the <string>s translated
    plural_dicts: list[etree._Element] = []  # the plural variables' dicts, whose cases become the target's
    for key, entry in _pairs(dicts[0]):
        _format(key.text or "", entry, strings, plural_dicts)
    places = {element: k for k, element in enumerate(root.iter())}  # (where they are in a copy of the tree)

    def render(translations: list[str], languages: Languages) -> bytes:
        written = copy.deepcopy(tree)  # (the file read stays as read: each rendering starts from it)
        elements = list(written.getroot().iter())
        for string, translation in zip(strings, translations, strict=True):
            elements[places[string]].text = translation
        categories = plurals.categories(languages.target)
        for plural in plural_dicts:  # (after the translations: a case added is a copy of a translated one)
            _cases(elements[places[plural]], categories)
        return serialized(written, content)

    return [string.text or "" for string in strings], render


def _pairs(element: etree._Element) -> list[Pair]:
    """A <dict>'s keys and their values, in order (its comments left out); Damaged, naming the line, where its
    elements are not a <key> and a value in turn."""
    elements = [child for child in element if isinstance(child.tag, str)]
    keys, values = elements[::2], elements[1::2]
    for k, key in enumerate(keys):
        if key.tag != "key":
            raise Damaged(f"line {key.sourceline}: a <{key.tag}> in a <dict> where a <key> should be")
        if k == len(values):
            raise Damaged(f"line {key.sourceline}: the <key>{key.text or ''}</key> has no value after it")
    return list(zip(keys, values, strict=True))


def _format(name: str, entry: etree._Element, strings: list[etree._Element],
            plural_dicts: list[etree._Element]) -> None:
    """A message's format dict read: the <string>s it has to translate added to strings, its plural variables'
    dicts to plural_dicts; Damaged, naming the line, where it is not a format dict (of a format, or of variants)."""
    pairs = _pairs(entry) if entry.tag == "dict" else []
    named = {key.text: value for key, value in pairs}
    if FORMAT_KEY not in named and not VARIANTS & named.keys():
        raise Damaged(f"line {entry.sourceline}: the message {name!r} is not a format dict (one with an "
                      f"{FORMAT_KEY})")
    for key, value in pairs:
        if key.text == FORMAT_KEY:
            if value.tag != "string":
                raise Damaged(f"line {value.sourceline}: the {FORMAT_KEY} of {name!r} is not a <string>")
            strings += [value] if _lettered(VARIABLE.sub("", value.text or "")) else []
        elif key.text in VARIANTS and value.tag == "dict":
            for variant, text in _pairs(value):
                if text.tag == "dict":
                    _format(f"{name} ({variant.text})", text, strings, plural_dicts)
                elif text.tag == "string" and _lettered(text.text):
                    strings.append(text)
        elif value.tag == "dict" and _is_plural(value):
            strings += [text for case, text in _pairs(value)
                        if case.text in plurals.ORDER and text.tag == "string" and _lettered(text.text)]
            plural_dicts.append(value)


def _is_plural(variable: etree._Element) -> bool:
    """Whether a variable's dict is a plural's (its NSStringFormatSpecTypeKey NSStringPluralRuleType)."""
    return any(key.text == SPEC_TYPE and (value.text or "").strip() == PLURAL_RULE for key, value in _pairs(variable))


def _lettered(text: str | None) -> bool:
    """Whether the text has a letter."""
    return any(char.isalpha() for char in text or "")


def _cases(plural: etree._Element, categories: tuple[str, ...] | None) -> None:
    """A plural variable's dict given the target's cases (plurals.cases): one the source lacks as a copy of the key
    and string of the case it takes, before the source's next case in CLDR's order (its last, where none follows), one
    the target lacks removed with its key; each key and string on the lines and indents that the others have."""
    cases = {key.text or "": (key, value) for key, value in _pairs(plural) if key.text in plurals.ORDER}
    wanted = plurals.cases(list(cases), categories)
    for category, taken in wanted.items():
        if category in cases:
            continue
        key, value = (copy.deepcopy(element) for element in cases[taken])
        key.text = category
        anchor = next((k for name, (k, _) in cases.items() if plurals.rank(name) > plurals.rank(category)),
                      list(cases.values())[-1][0])
        before = anchor.getprevious()
        # (a key's tail: between it and its value; the value's: the indent before the next key)
        key.tail, value.tail = anchor.tail, plural.text if before is None else before.tail
        anchor.addprevious(key)
        anchor.addprevious(value)
    for category, (key, value) in cases.items():
        if category not in wanted:
            before = key.getprevious()
            if before is None:
                plural.text = value.tail
            else:
                before.tail = value.tail  # (the line break before </dict>, where it was the last)
            plural.remove(key)
            plural.remove(value)
