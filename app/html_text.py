"""The translatable text of an HTML document, and the document again with it translated: everything else (tags,
attributes, comments, scripts, entities outside the text, the whitespace around each text) is kept byte for byte.

A text is a run of character data between two pieces of markup, so inline markup splits a sentence
("<p>Read <b>this</b> first</p>" is three texts); text inside script, style, pre, code and textarea, and inside
any element marked translate="no", is left as it is. Whitespace inside a text is collapsed to single spaces, as a
browser shows it (pre is not translated). Attribute values (title, alt) are not translated.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

UNTRANSLATED = {"script", "style", "pre", "code", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
ASCII_SPACE = " \t\n\r\f"  # HTML's whitespace: &nbsp; (U+00A0) is text
RUN_OF_SPACE = re.compile(f"[{ASCII_SPACE}]+")


class _TextRuns(HTMLParser):
    """Finds the (start, end) character offsets of each run of text to translate."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.runs: list[tuple[int, int]] = []
        self.run_start: int | None = None
        self.skipping: list[str] = []  # open elements whose text stays as it is

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def markup(self) -> None:
        """Any event but text: the text run before it ends here."""
        if self.run_start is not None:
            self.runs.append((self.run_start, self.position()))
            self.run_start = None

    def handle_data(self, data: str) -> None:
        if not self.skipping and self.run_start is None:
            self.run_start = self.position()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.markup()
        if tag not in VOID and (tag in UNTRANSLATED or self.skipping or ("translate", "no") in attrs):
            self.skipping.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.markup()  # <br/>, <span translate="no"/>: nothing inside

    def handle_endtag(self, tag: str) -> None:
        self.markup()
        if tag in self.skipping:  # closes it, and whatever was left open inside it
            del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag):]

    def handle_comment(self, data: str) -> None:
        self.markup()

    def handle_decl(self, decl: str) -> None:
        self.markup()

    def handle_pi(self, data: str) -> None:
        self.markup()

    def unknown_decl(self, data: str) -> None:
        self.markup()


def html_texts(source: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The texts of the document to translate, and what puts translations of them in their places."""
    parser = _TextRuns(source)
    parser.feed(source)
    parser.close()
    if parser.run_start is not None:  # text at the very end
        parser.runs.append((parser.run_start, len(source)))
    pieces: list[tuple[int, int, str]] = []  # (start, end) of each text's raw characters, and the text
    for start, end in parser.runs:
        raw = source[start:end]
        inner = raw.strip(ASCII_SPACE)
        if inner:
            begin = start + len(raw) - len(raw.lstrip(ASCII_SPACE))
            pieces.append((begin, begin + len(inner), RUN_OF_SPACE.sub(" ", html.unescape(inner))))

    def rebuild(translations: list[str]) -> str:
        out, last = [], 0
        for (start, end, _), translation in zip(pieces, translations, strict=True):
            out += [source[last:start], html.escape(translation, quote=False)]
            last = end
        return "".join(out) + source[last:]

    return [text for _, _, text in pieces], rebuild
