"""Language labels: a translated file says it is in the language it was translated into.

Word processors spell-check, and screen readers pronounce, each stretch of text by the language its file labels it
with: a Spanish translation still labelled en-US is underlined throughout and read aloud with English sounds. A
label of the source language (its primary subtag: en, en-US, en_GB) becomes the target's code, its region dropped
(the source's region says nothing of where the translation is for); a label of any other language (a French
quotation in an English text, marked as French) is kept. Labels are found in the bytes as written and edited in
place, like the text (app/xmlparts.py): nothing else in a file changes.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nmt.model.languages import primary


@dataclass(frozen=True)
class Languages:
    """What a file was translated from and into: language codes (en, es)."""

    source: str
    target: str

    def label(self, code: bytes, blank: bool = False) -> bytes:
        """The label in the translated file for a label of the source file; blank: an empty one (a template's) is
        the target's too."""
        ours = primary(code.decode("utf-8", "replace").strip()) == primary(self.source)
        return self.target.encode() if ours or blank and not code else code


Relabel = Callable[[bytes, Languages], bytes]  # a part (or a whole text file) with its labels of the source relabelled


def attribute(name: bytes, tag: bytes = rb"[A-Za-z][^\s/>]*", region: bytes | None = None) -> Relabel:
    """Labels written as the value of an attribute whose qualified name matches `name` (quoted or, as HTML allows,
    not), in start tags whose name matches `tag` (ASCII case ignored: HTML's LANG is lang), comments passed over;
    where the region is an attribute of its own (ODF's fo:country), `region` names it, and a relabelled tag's is
    written "none"."""
    tags = re.compile(rb"<!--.*?-->|<(?:" + tag + rb")(?=[\s/>])[^<>]*>", re.IGNORECASE | re.DOTALL)
    value, regions = (re.compile(rb"(\s(?:" + n + rb")\s*=\s*)([\"']?)([\w-]*)\2(?=[\s/>])", re.IGNORECASE)
                      for n in (name, region or rb"(?!)"))

    def relabel(data: bytes, languages: Languages) -> bytes:
        def relabelled(start_tag: re.Match[bytes]) -> bytes:
            if start_tag[0].startswith(b"<!--"):
                return start_tag[0]
            changed = value.sub(lambda a: a[1] + a[2] + languages.label(a[3]) + a[2], start_tag[0])
            return changed if changed == start_tag[0] else regions.sub(rb"\1\2none\2", changed)

        return tags.sub(relabelled, data)

    return relabel


def element(name: bytes) -> Relabel:
    """Labels written as the text of elements whose qualified name matches `name` (<dc:language>en</dc:language>)."""
    return matched(re.compile(rb"(<(?:" + name + rb")(?:\s[^<>]*)?>)([^<]*)(</)"))


def matched(pattern: re.Pattern[bytes], count: int = 0) -> Relabel:
    """Labels written where the pattern's second group matches, between its first and third (the first `count`
    matches, or all)."""
    def relabel(data: bytes, languages: Languages) -> bytes:
        return pattern.sub(lambda m: m[1] + languages.label(m[2]) + m[3], data, count=count)

    return relabel


def every(*relabels: Relabel) -> Relabel:
    def relabel(data: bytes, languages: Languages) -> bytes:
        for one in relabels:
            data = one(data, languages)
        return data

    return relabel


HTML = attribute(rb"(?:xml:)?lang")  # HTML's lang and XHTML's (and any XML's) xml:lang
# WebVTT's header (its lines after WEBVTT, up to the first blank line) naming the language, "Language: en", as
# YouTube's captions do: a player names the track by it
VTT = matched(re.compile(rb"(\AWEBVTT[^\n]*\n(?:[^\n]+\n)*?Language:[ \t]*)(\S+)()"), count=1)


@dataclass(frozen=True)
class Labels:
    """Where a kind of zipped file writes its labels: the parts (by name) and how."""

    parts: re.Pattern[str]
    relabel: Relabel

    def relabelled(self, parts: dict[str, bytes], languages: Languages) -> dict[str, bytes]:
        """The parts that hold labels, relabelled."""
        return {name: self.relabel(data, languages) for name, data in parts.items() if self.parts.fullmatch(name)}
