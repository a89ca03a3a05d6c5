"""Cut a text into the sentences the model translates, and put the translations back in the same layout.

Every line break ends a segment, and the whitespace around it (a paragraph break "\\n\\n" too) is kept, and so is a
line's bullet or dash before its text ("- Where are you?", "• Save the file."). Inside a
line, sentences are found by sentencex (Wikimedia's rule-based segmenter: abbreviations of many languages,
Spanish ¿…? and ¡…!, URLs and decimals left whole); with max_chars, consecutive sentences of a line are kept
together as one segment while it fits, for a model that learned from lines of several sentences (README, "How a
request is translated", has what it measured). A segment is never rewritten: joining the segments and the
separators gives the text back exactly. Joining translations puts a space between two that the source had nothing
between, as Chinese and Japanese write sentences, where the translations' script wants one, and none between
Chinese or Japanese translations of sentences that the source had spaces between.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

from nmt.model.text import UNSPACED, WIDE

# A line ends at \n, and at each other line break that str.splitlines knows (a Windows text's \r\n, an old Mac's \r,
# Unicode's line and paragraph separators): kept with its whitespace, never given to the model as part of a line
BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(rf"[^\S{BREAKS}]*[{BREAKS}]\s*")
# A line's list bullet or a subtitle's dialogue dash ("- Where are you?", or as many subtitles write it, "-Where"):
# layout, kept in the separator before the line, as the model, which learned from prose, dropped it ("¿Dónde estás?")
_MARKER = re.compile(r"[-–—](?=[^\W\d_])|[-–—•‣◦▪●*]\s+(?=\S)")


@dataclass(frozen=True)
class Segmented:
    """sentences[i] sits between separators[i] and separators[i + 1]; joining them gives the text back."""

    sentences: list[str]
    separators: list[str]

    def join(self, translations: list[str]) -> str:
        parts = [self.separators[0]]
        last = len(translations) - 1
        for i, (sentence, separator) in enumerate(zip(translations, self.separators[1:], strict=True)):
            parts += [sentence, separator if i == last else _between(self.sentences[i], separator, self.sentences[i + 1],
                                                                     sentence, translations[i + 1])]
        return "".join(parts)


_SPACES = re.compile(rf"[^\S{BREAKS}]+")  # white space within a line
_UNSPACED = re.compile(f"[{UNSPACED}]")


def _between(source: str, separator: str, next_source: str, translation: str, following: str) -> str:
    """What goes between a sentence's translation and the following one, where the source had separator between the
    source sentence and the next: a space where the source had nothing, as Chinese and Japanese write sentences
    ("我喜欢吃苹果。你呢？"; Thai, Lao, Khmer and Myanmar, which have a space there, seldom: "ฉันชอบแมว.คุณล่ะ?"), and the
    translations are in a script that wants one ("I like apples.And you?" before); nothing where the source had
    spaces and the translations are Chinese or Japanese ("我喜欢苹果。 你呢？" before); else the source's separator."""
    if not (source and translation and following) or translation[-1].isspace() or following[0].isspace():
        return separator
    wide_source, wide_end, wide_start = (bool(WIDE.fullmatch(c)) for c in (source[-1], translation[-1], following[0]))
    unspaced_source = any(_UNSPACED.fullmatch(c) for c in (source[-1], next_source[:1]))
    if not separator and unspaced_source and not wide_end and not wide_start:
        return " "
    if _SPACES.fullmatch(separator) and not wide_source and wide_end and wide_start:
        return ""
    return separator


def split(text: str, language: str, max_chars: int = 0) -> Segmented:
    """The segments of text, in a language sentencex knows (ISO 639-1 code; others fall back to its defaults): its
    sentences, those of a line packed together while a segment is at most max_chars long (0: each sentence alone)."""
    stripped = text.strip()
    if not stripped:
        return Segmented([], [text])
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    sentences, separators = [], [lead]
    lines, breaks = _LINE_BREAK.split(stripped), _LINE_BREAK.findall(stripped)
    for i, line in enumerate(lines):
        marker = _MARKER.match(line)
        if marker:
            separators[-1] += marker.group()
            line = line[marker.end() :]
        line_sentences, line_separators = _packed(*_split_line(line, language), max_chars)
        sentences += line_sentences
        separators += line_separators + [breaks[i] if i < len(breaks) else trail]
    return Segmented(sentences, separators)


def _packed(sentences: list[str], separators: list[str], max_chars: int) -> tuple[list[str], list[str]]:
    """Consecutive sentences of a line (separators between them) joined while the segment fits in max_chars."""
    segments, kept = sentences[:1], []
    for separator, sentence in zip(separators, sentences[1:], strict=True):
        if len(segments[-1]) + len(separator) + len(sentence) <= max_chars:
            segments[-1] += separator + sentence
        else:
            kept.append(separator)
            segments.append(sentence)
    return segments, kept


def _split_line(line: str, language: str) -> tuple[list[str], list[str]]:
    """A line (no line breaks, no outer whitespace) -> its sentences and the whitespace between them."""
    sentences: list[str] = []
    separators: list[str] = []
    start = 0
    for segment in sentencex.segment(language, line):
        body = segment.rstrip()
        if not body:
            continue
        begin = line.find(body, start)  # sentencex keeps the text; find each segment where it lies
        if begin < 0:  # it did not: keep the line whole rather than lose or alter a character
            return [line], []
        if sentences:
            separators.append(line[start:begin])
        sentences.append(body)
        start = begin + len(body)
    if not sentences:
        return [line], []
    sentences[-1] += line[start:]  # nothing is lost, whatever the segmenter returned
    return sentences, separators
