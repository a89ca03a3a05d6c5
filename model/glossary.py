"""A glossary as a terminologist keeps it, read into the Terms that the pipeline masks and restores (model/spans.py):
one entry per line, TSV (source<TAB>target) or, for a file named .csv, CSV as spreadsheets write it (cells separated
by commas, or by semicolons where the first entry holds one and no comma outside quotes: Excel's CSV where the comma
is the decimal mark, as in most of Europe); a line with
the source term alone is kept verbatim (do not translate). Blank lines and lines starting with # are skipped. Read
the same for `nmt translate --glossary FILE` and a glossary uploaded with POST /translate_file."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from nmt.model.spans import Terms


class GlossaryError(ValueError):
    """A glossary that cannot be read: one line naming it and, where it has one, the line."""


def read_glossary(data: bytes, name: str, ignore_case: bool = False) -> Terms:
    """The glossary in data, a file called name (a .csv is CSV; anything else TSV)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise GlossaryError(f"{name}: byte {e.start}: not UTF-8") from None
    rows = _csv_rows(text) if name.lower().endswith(".csv") else enumerate((line.split("\t") for line in
                                                                            text.split("\n")), start=1)
    keep: list[str] = []
    glossary: dict[str, str] = {}
    where: dict[str, int] = {}  # each source term's line, to name both lines of a term given twice
    for number, row in rows:
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) > 2:
            raise GlossaryError(f"{name}:{number}: {len(cells)} columns; a line is a source term and its target term, "
                                "or a term alone to keep as it is")
        if not all(cells):
            raise GlossaryError(f"{name}:{number}: an empty term")
        if any("\n" in cell or "\r" in cell for cell in cells):  # (a quoted CSV cell): no sentence holds one
            raise GlossaryError(f"{name}:{number}: a term holds a line break")
        source = cells[0]
        if source in where:
            raise GlossaryError(f"{name}:{number}: {source!r} again (line {where[source]}): give each term once")
        where[source] = number
        if len(cells) == 1:
            keep.append(source)
        else:
            glossary[source] = cells[1]
    if not where:
        raise GlossaryError(f"{name}: no terms")
    return Terms(tuple(keep), glossary, ignore_case)


QUOTED = re.compile(r'"(?:[^"]|"")*"')


def _csv_separator(text: str) -> str:
    """The first entry's separator outside quotes: a semicolon where it holds one and no comma, else a comma. Read
    with commas, `term;target` was one cell: a term to keep as it is, silently."""
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    unquoted = QUOTED.sub("", first)
    return ";" if ";" in unquoted and "," not in unquoted else ","


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV row with the number of the line it starts on: a quoted cell may hold line breaks (spreadsheets
    write them), and a row after it is then not on the line its count would say."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_separator(text))
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1
