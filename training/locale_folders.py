"""Folders named for a language: Android's res/values-es/ and Apple's es.lproj/. A file in one is translated into the
target language's folder beside it, under its own name, because that is where the platform looks for it (and
aapt2 refuses a res/values/strings.es.xml: "file name cannot contain '.' other than for specifying the extension")."""
from __future__ import annotations

import re
from pathlib import Path

ANDROID_NETWORK = re.compile(r"mcc\d+|mnc\d+")  # the only qualifiers Android puts before the locale
ANDROID_LANGUAGE, ANDROID_REGION = re.compile(r"[a-z]{2}"), re.compile(r"r[A-Z]{2}")  # values-pt-rBR
ANDROID_TAG = "b+"  # BCP 47 written with pluses: values-b+sr+Latn


def localized(folder: Path, suffix: str, language: str) -> Path | None:
    """Where the translation into language (a BCP 47 tag) of a file with this suffix in folder goes, where folder
    is a language's (values-en becomes values-es, values values-es, en.lproj and Base.lproj es.lproj); else None."""
    if folder.suffix == ".lproj":
        return folder.with_name(f"{language}.lproj")
    [kind, *qualifiers] = folder.name.split("-")
    if suffix != ".xml" or kind != "values":
        return None
    network = [q for q in qualifiers if ANDROID_NETWORK.fullmatch(q)]
    rest = qualifiers[len(network):]
    if rest and (rest[0].startswith(ANDROID_TAG) or ANDROID_LANGUAGE.fullmatch(rest[0])):
        rest = rest[2:] if len(rest) > 1 and ANDROID_REGION.fullmatch(rest[1]) else rest[1:]
    return folder.with_name("-".join([kind, *network, android_locale(language), *rest]))


def android_locale(language: str) -> str:
    """A BCP 47 tag as an Android resource qualifier: es, pt-rBR, b+sr+Latn."""
    [first, *others] = language.replace("_", "-").split("-")
    if not others and len(first) == 2:
        return first.lower()
    if len(others) == 1 and len(first) == 2 and len(others[0]) == 2:
        return f"{first.lower()}-r{others[0].upper()}"
    return ANDROID_TAG + "+".join([first, *others])
