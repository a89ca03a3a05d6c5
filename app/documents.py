"""Files to translate (POST /translate_file): each format cut into the texts the pipeline translates, and put back
together around their translations with everything else kept.

    .txt         the whole file is one text: the pipeline keeps its lines and paragraphs (model/segment.py)
    .srt         cue numbers and timings kept; each cue's text is one text, its lines kept
    .html .htm   the whole document is one HTML text, translated as `format: html` (model/html.py)

A file must be UTF-8 text (a byte-order mark and CRLF line ends are kept); anything else is a FileRejected with
a one-line reason.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal

BOM = "\ufeff"
BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls but tab, line feed, form feed, carriage return
CUE_NUMBER = re.compile(r"\s*\d+\s*")
TIMING = re.compile(r"\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}(\s.*)?")

Cut = tuple[list[str], Callable[[list[str]], str]]  # the texts, and what puts their translations back


class FileRejected(ValueError):
    """A file that cannot be translated as given (answered 400 with this message)."""


@dataclass(frozen=True)
class Document:
    """A file cut into the texts to translate; render(translations) is the translated file."""

    name: str
    media_type: str
    format: Literal["text", "html"]
    texts: list[str]
    _rebuild: Callable[[list[str]], str]
    _bom: bool
    _crlf: bool

    def render(self, translations: list[str]) -> bytes:
        text = self._rebuild(translations)
        text = text.replace("\n", "\r\n") if self._crlf else text
        return ((BOM if self._bom else "") + text).encode("utf-8")


def plain_text(text: str) -> Cut:
    return [text], lambda translations: translations[0]


def subtitles(text: str) -> Cut:
    """SubRip: blocks of a cue number, a timing line (00:00:01,000 --> 00:00:04,000) and text lines, separated by
    blank lines."""
    lines = text.split("\n")
    cues: list[tuple[int, int]] = []  # each cue's text lines: [start, end) in lines
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        if not CUE_NUMBER.fullmatch(lines[i]):
            raise FileRejected(f"not a SubRip file: line {i + 1} should be a cue number")
        if i + 1 >= len(lines) or not TIMING.fullmatch(lines[i + 1]):
            raise FileRejected(f"not a SubRip file: line {i + 2} should be a timing (00:00:01,000 --> 00:00:04,000)")
        start = end = i + 2
        while end < len(lines) and lines[end].strip():
            end += 1
        cues.append((start, end))
        i = end
    if not cues:
        raise FileRejected("not a SubRip file: it has no cues")

    def rebuild(translations: list[str]) -> str:
        out, last = [], 0
        for (start, end), translation in zip(cues, translations, strict=True):
            # a blank line would end the cue early: the translation's lines are never blank
            out += lines[last:start] + [line for line in translation.split("\n") if line.strip()]
            last = end
        return "\n".join(out + lines[last:])

    return ["\n".join(lines[start:end]) for start, end in cues], rebuild


FORMATS: dict[str, tuple[str, Literal["text", "html"], Callable[[str], Cut]]] = {
    ".txt": ("text/plain; charset=utf-8", "text", plain_text),
    ".srt": ("application/x-subrip; charset=utf-8", "text", subtitles),
    ".html": ("text/html; charset=utf-8", "html", plain_text),
    ".htm": ("text/html; charset=utf-8", "html", plain_text),
}


def base_name(name: str) -> str:
    """The file's name without any folders a client put in it (either kind of slash)."""
    return PureWindowsPath(PurePosixPath(name).name).name


def read_document(name: str, content: bytes) -> Document:
    """The document of an uploaded file; FileRejected for an unknown extension, or content that is not what it
    says (not UTF-8, binary, an unparseable SubRip file)."""
    name = base_name(name)
    extension = PurePosixPath(name.lower()).suffix
    if extension not in FORMATS:
        kind = f"{extension} files" if extension else "files without an extension"
        raise FileRejected(f"cannot translate {kind}: this server translates {', '.join(FORMATS)} files")
    if not content:
        raise FileRejected(f"{name} is empty")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FileRejected(f"{name} is not UTF-8 text (byte {e.start})") from None
    if binary := BINARY.search(text):
        raise FileRejected(f"{name} is not text: it holds control character U+{ord(binary.group()):04X} "
                           f"at character {binary.start()}")
    bom, crlf = text.startswith(BOM), "\r\n" in text
    text = text.removeprefix(BOM).replace("\r\n", "\n")
    media_type, text_format, cut = FORMATS[extension]
    texts, rebuild = cut(text)
    return Document(name, media_type, text_format, texts, rebuild, bom, crlf)
