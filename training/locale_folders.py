"""Folders named for a language: Android's res/values-es/, Apple's es.lproj/, gettext's es/LC_MESSAGES/, and any
folder named for the source language itself (a Chrome extension's _locales/en/, i18next's locales/en/, a site's
docs/en/). A file in one is translated into the target language's folder beside it, under its own name, because that
is where the program looks for it (and aapt2 refuses a res/values/strings.es.xml: "file name cannot contain '.' other
than for specifying the extension")."""
from __future__ import annotations

import re
from pathlib import Path

from nmt.model.languages import primary

LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_](?:[A-Z]{2}|[A-Z][a-z]{3}))?")  # en, en-GB, pt_BR, zh-Hant
ANDROID_NETWORK = re.compile(r"mcc\d+|mnc\d+")  # the only qualifiers Android puts before the locale
ANDROID_LANGUAGE, ANDROID_REGION = re.compile(r"[a-z]{2}"), re.compile(r"r[A-Z]{2}")  # values-pt-rBR
ANDROID_TAG = "b+"  # BCP 47 written with pluses: values-b+sr+Latn


def localized(folder: Path, suffix: str, source: str, target: str) -> Path | None:
    """Where the translation from source into target (BCP 47 tags) of a file with this suffix in folder goes,
    where folder is a language's (values-en becomes values-es, values values-es, en.lproj and Base.lproj es.lproj,
    en/LC_MESSAGES es/LC_MESSAGES, locales/en locales/es); else None."""
    if folder.suffix == ".lproj":
        return folder.with_name(f"{target}.lproj")
    if folder.name == "LC_MESSAGES" and suffix == ".po" and _names(folder.parent.name, source):
        return folder.parent.with_name(_written_as(target, folder.parent.name)) / folder.name
    if _names(folder.name, source):
        return folder.with_name(_written_as(target, folder.name))
    [kind, *qualifiers] = folder.name.split("-")
    if suffix != ".xml" or kind != "values":
        return None
    network = [q for q in qualifiers if ANDROID_NETWORK.fullmatch(q)]
    rest = qualifiers[len(network):]
    if rest and (rest[0].startswith(ANDROID_TAG) or ANDROID_LANGUAGE.fullmatch(rest[0])):
        rest = rest[2:] if len(rest) > 1 and ANDROID_REGION.fullmatch(rest[1]) else rest[1:]
    return folder.with_name("-".join([kind, *network, android_locale(target), *rest]))


def named_language(folder: Path, languages: list[str]) -> str | None:
    """The one of languages that folder is named for (en.lproj, en/LC_MESSAGES, locales/en, values-en), if it is
    named for one of them: a file's folder says its language where a few short strings cannot ("Hello, friend."
    reads as Spanish)."""
    name = folder.stem if folder.suffix == ".lproj" else folder.parent.name if folder.name == "LC_MESSAGES" else \
        folder.name
    [kind, *qualifiers] = name.split("-")
    if kind == "values" and qualifiers:  # Android's values-en, values-mcc310-en-rUS
        name = next((q for q in qualifiers if not ANDROID_NETWORK.fullmatch(q)), "")
    found = [language for language in languages if _names(name, language)]
    return found[0] if len(found) == 1 else None


def _names(name: str, language: str) -> bool:
    """Whether a folder's name is a tag of language (en, en-US, en_US for en)."""
    return LANGUAGE.fullmatch(name) is not None and primary(name) == primary(language)


def _written_as(language: str, named: str) -> str:
    """A tag written as the folder named says its own: with an underscore where it has one (pt_BR)."""
    return language.replace("-", "_") if "_" in named else language


def android_locale(language: str) -> str:
    """A BCP 47 tag as an Android resource qualifier: es, pt-rBR, b+sr+Latn."""
    [first, *others] = language.replace("_", "-").split("-")
    if not others and len(first) == 2:
        return first.lower()
    if len(others) == 1 and len(first) == 2 and len(others[0]) == 2:
        return f"{first.lower()}-r{others[0].upper()}"
    return ANDROID_TAG + "+".join([first, *others])
