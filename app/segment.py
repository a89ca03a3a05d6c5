"""Split a text into sentences for the model, and put the translations back in the same layout.

Rules, kept simple on purpose:
  * every line break ends a sentence, and the whitespace around it (a paragraph break "\\n\\n" too) is kept;
  * inside a line, a sentence ends after . ! ? or ; (closing quotes and brackets go with it) followed by
    whitespace, except a full stop after a known abbreviation or a single-letter initial ("Dr. Smith", "J. R. R.").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"[ \t]*\n\s*")
_END = re.compile(r"[.!?;]+[\"'”’)\]»]*(\s+)")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "cf"}


@dataclass
class Segmented:
    """sentences[i] sits between separators[i] and separators[i + 1]; joining them gives the text back."""

    sentences: list[str]
    separators: list[str]

    def join(self, translations: list[str]) -> str:
        parts = [self.separators[0]]
        for sentence, separator in zip(translations, self.separators[1:], strict=True):
            parts += [sentence, separator]
        return "".join(parts)


def split(text: str) -> Segmented:
    stripped = text.strip()
    if not stripped:
        return Segmented([], [text])
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    sentences, separators = [], [lead]
    pieces = _LINE_BREAK.split(stripped)
    breaks = _LINE_BREAK.findall(stripped)
    for i, line in enumerate(pieces):
        line_sentences, line_separators = _split_line(line)
        sentences += line_sentences
        separators += line_separators + [breaks[i] if i < len(breaks) else trail]
    return Segmented(sentences, separators)


def _split_line(line: str) -> tuple[list[str], list[str]]:
    """A line (no line breaks, no outer whitespace) -> its sentences and the whitespace between them."""
    sentences, separators, start = [], [], 0
    for match in _END.finditer(line):
        if match.group(0).rstrip() == "." and _is_abbreviation(line[start : match.start()]):
            continue
        sentences.append(line[start : match.start(1)])
        separators.append(match.group(1))
        start = match.end()
    sentences.append(line[start:])
    return sentences, separators


def _is_abbreviation(before: str) -> bool:
    words = before.split()
    last = words[-1].lower() if words else ""
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())
