"""Glossary files for `nmt translate` and `nmt translate-file`: what the service's `glossary` and `dnt` fields carry
(model/spans.py's Terms), read from a file a terminologist keeps. One entry per line, TSV (source<TAB>target) or,
for a .csv file, CSV as spreadsheets write it; a line with the source term alone is kept verbatim (do not
translate). Blank lines and lines starting with # are skipped. The terms reach the model as placeholders, so only
a model with placeholders can apply them."""
from __future__ import annotations

import csv
from pathlib import Path

from nmt.model.spans import Terms
from nmt.model.translator import Translator


class GlossaryError(ValueError):
    """A glossary file that cannot be read: one line naming the file and, where it has one, the line."""


def read_glossary(path: Path, ignore_case: bool = False) -> Terms:
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except OSError as e:
        raise GlossaryError(f"{path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise GlossaryError(f"{path}: byte {e.start}: not UTF-8") from None
    rows = csv.reader(text.splitlines()) if path.suffix.lower() == ".csv" else (line.split("\t") for line in
                                                                              text.split("\n"))
    keep: list[str] = []
    glossary: dict[str, str] = {}
    where: dict[str, int] = {}  # each source term's line, to name both lines of a term given twice
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) > 2:
            raise GlossaryError(f"{path}:{number}: {len(cells)} columns; a line is a source term and its target term, "
                                "or a term alone to keep as it is")
        if not all(cells):
            raise GlossaryError(f"{path}:{number}: an empty term")
        source = cells[0]
        if source in where:
            raise GlossaryError(f"{path}:{number}: {source!r} again (line {where[source]}): give each term once")
        where[source] = number
        if len(cells) == 1:
            keep.append(source)
        else:
            glossary[source] = cells[1]
    if not where:
        raise GlossaryError(f"{path}: no terms")
    return Terms(tuple(keep), glossary, ignore_case)


def check_terms(translator: Translator, terms: Terms) -> None:
    """GlossaryError where the model cannot apply the terms: one without placeholders would drop them."""
    if (terms.keep or terms.glossary) and not translator.carries_spans:
        raise GlossaryError(f"the {translator.src_lang}-{translator.tgt_lang} model has no placeholders: it cannot "
                            "apply a glossary (train one with model.placeholders)")
