"""CSV corpora (.csv), as spreadsheets and pandas write them: a header row, then a row per pair, fields quoted where
they hold a comma, a quote or a line break (Python's csv module reads them). The fields are separated by commas, or
by what the header separates its names with where it holds no comma: semicolons (Excel's CSV where the comma is the
decimal mark, as in most of Europe) or tabs. The header names the pair's columns:
those named by the config's languages (en, es; "en" matches "en-GB" as in a TMX; or by a language's name, English,
Español, or "Term [en]", as a glossary's header may: model/languages.py header_language), else exactly two columns
named source,target (or src,tgt); any other header is refused in one line that names it.

A row's line is its first line in the file (a quoted field may hold line breaks). A row with another number of
columns than the header's, one on a line that is not UTF-8, or one the csv module cannot read is a skipped line
with why; a blank line is empty."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from nmt.model.languages import header_language
from nmt.training.compressed import read_lines
from nmt.training.errors import CorpusError
from nmt.training.records import NOT_UTF8, Record, Skipped, decoded, language_code, pick

UNNAMED = (("source", "target"), ("src", "tgt"))  # the headers of a pair not named by its languages
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}  # the first the header holds separates the fields


class _Lines:
    """A file's lines as text for csv.reader, each ending in \\n (which a field quoted over several lines keeps), and
    the number of the last one that was not UTF-8: the rows made from it are skipped, not read as mangled text."""

    def __init__(self, path: Path):
        self._raw = read_lines(path)
        self.number = self.last_bad = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = next(self._raw)
        self.number += 1
        text = decoded(raw)
        if text is None:
            self.last_bad = self.number
            text = raw.decode("utf-8", "replace").replace("\x00", "")  # (only to find where its row ends)
        return text + "\n"


def read_csv(path: Path, src_lang: str, tgt_lang: str) -> Iterator[Record]:
    """Each row's pair, with the row's first line; CorpusError for a header that names no pair."""
    lines = _Lines(path)
    top = next(lines, None)
    if top is None:
        return
    separator = next((s for s in SEPARATORS if s in top), ",")
    rows = csv.reader(chain([top], lines), delimiter=separator)
    header = _next_row(rows)
    if header is None:
        return
    if isinstance(header, Skipped) or lines.last_bad:
        reason = header.reason if isinstance(header, Skipped) else NOT_UTF8
        raise CorpusError(f"{path}: line 1: its header cannot be read ({reason})")
    columns = _columns(path, header, src_lang, tgt_lang)
    while True:
        first = lines.number + 1
        row = _next_row(rows)
        if row is None:
            return
        src, tgt = _pair(_checked(row, lines, first, len(header), SEPARATORS[separator]), columns)
        yield first, src, tgt


def _next_row(rows: Iterator[list[str]]) -> list[str] | Skipped | None:
    """The reader's next row (None: the file has ended), or why it is no row."""
    try:
        return next(rows)
    except StopIteration:
        return None
    except csv.Error as e:  # (a field over the csv module's limit: a quote left open ran on through later lines)
        return Skipped(f"not CSV ({e})")


def _checked(row: list[str] | Skipped, lines: _Lines, first: int, width: int,
             separated: str) -> list[str] | Skipped:
    """The row (read from lines first to lines.number), or why it is skipped: a line of it is not UTF-8, or it has
    another number of columns than the header; over several lines, most likely a quote left open, which takes the
    lines after it into its field (to the end of the file, if no quote closes it)."""
    if lines.last_bad >= first:
        return Skipped(NOT_UTF8)
    if isinstance(row, Skipped) or not row or len(row) == width:
        return row
    several = " over several lines (a quote left open?)" if lines.number > first else ""
    return Skipped(f"expected {width} {separated}-separated columns, found {len(row)}{several}")


def _pair(row: list[str] | Skipped, columns: tuple[int, int]) -> tuple[str | Skipped, str | None]:
    """A row's source and target, or why it has none."""
    if isinstance(row, Skipped):
        return row, None
    if not row:
        return "", ""  # a blank line: "empty", as a blank TSV line is
    return row[columns[0]], row[columns[1]]


def _columns(path: Path, header: list[str], src_lang: str, tgt_lang: str) -> tuple[int, int]:
    """The source's and the target's column: those the languages name, else source,target (src,tgt)."""
    names = [language_code(header_language(name.strip()) or name.strip()) for name in header]
    positions: dict[str, int] = {}
    for column, name in enumerate(names):
        positions.setdefault(name, column)  # (a name given twice: its first column)
    src, tgt = pick(positions, src_lang), pick(positions, tgt_lang)
    if src is not None and tgt is not None and src != tgt:
        return src, tgt
    if tuple(names) in UNNAMED:
        return 0, 1
    index = " (its unnamed first column: pandas' index; write with index=False)" if names[:1] == [""] and names[1:] else ""
    found = ",".join(header)
    found = found if len(found) <= 200 else found[:200] + "..."  # (a header of a line that is no header: the data)
    raise CorpusError(f"{path}: line 1: its header is {found!r}{index}: expected columns named by the "
                      f"languages read, {src_lang} and {tgt_lang}, or exactly two, source,target (or src,tgt)")
