"""A glossary as a terminologist keeps it, read into the Terms that the pipeline masks and restores (model/spans.py),
for `nmt translate --glossary FILE`, `nmt translate-file --glossary FILE` and a glossary uploaded with POST
/translate_file. Three kinds of file:

* a sheet: TSV (source<TAB>target) or, for a file named .csv, CSV as spreadsheets write it (cells separated by commas,
  or by semicolons where the first entry holds one and no comma outside quotes: Excel's CSV where the comma is the
  decimal mark, as in most of Europe), one entry per line; a line with the source term alone is kept verbatim (do not
  translate). Blank lines and lines starting with # are skipped. A spreadsheet (Excel's .xlsx or OpenDocument's .ods:
  model/workbook.py) is read as CSV would be, its first sheet's rows.
* a sheet whose first row is a header naming its columns: by their languages (en, es, en-US, English, Español,
  "Term [en]", as CAT tools export them; any number of languages, and columns of notes beside them), the model's two
  languages picking theirs, so one sheet serves both directions; or source,target (src,tgt, source_term,target_term,
  term,translation). A row that lacks either term is passed over. A header is never taken as a term pair.
* a TBX termbase (.tbx or .xml, or any file starting <?xml, <martif or <tbx; model/termbase.py): each entry's terms
  in the model's source language (synonyms too) come out as its preferred term in the target language (status
  preferredTerm, else the first), never a deprecated or superseded one; an entry lacking either language is passed
  over. A source term of two entries with two targets is refused, naming both (a homonym: one target per term).

Languages match by their primary subtag where the exact code is not there: en-US is en. read_glossary reads the file
(and refuses one that is no glossary); Glossary.terms picks the model's pair."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from nmt.model.languages import header_language, matching
from nmt.model.spans import Terms
from nmt.model.termbase import Concept, Term, TermbaseError, read_termbase
from nmt.model.workbook import WorkbookError, first_sheet_rows


class GlossaryError(ValueError):
    """A glossary that cannot be read: one line naming it and, where it has one, the line."""


TERMBASE_SUFFIXES = (".tbx", ".xml")
XML_STARTS = (b"<?xml", b"<martif", b"<tbx")  # a termbase under another name (terms.txt)
# what a glossary file is named (the demo page's accept=)
SUFFIXES = (".tsv", ".txt", ".csv", ".xlsx", ".ods", *TERMBASE_SUFFIXES)
Row = tuple[int, tuple[str, ...]]  # a sheet's row, its cells stripped, with the line it starts on


@dataclass(frozen=True)
class Glossary:
    """A glossary file read, its terms not yet picked: a termbase or a sheet naming languages holds several."""

    name: str
    rows: tuple[Row, ...] = ()  # a sheet's (blank and comment lines dropped)
    concepts: tuple[Concept, ...] | None = None  # a termbase's entries
    ignore_case: bool = False
    # each pair's Terms, picked once: `nmt translate-file` asks for each file, and a Terms compiles its pattern once
    _picked: dict[tuple[str, str], Terms] = field(default_factory=dict, compare=False, repr=False)

    def terms(self, src_lang: str, tgt_lang: str) -> Terms:
        """What a src_lang -> tgt_lang model applies; GlossaryError where that is nothing, or a term is given twice."""
        if (src_lang, tgt_lang) not in self._picked:
            self._picked[src_lang, tgt_lang] = self._terms(src_lang, tgt_lang)
        return self._picked[src_lang, tgt_lang]

    def _terms(self, src_lang: str, tgt_lang: str) -> Terms:
        if self.concepts is not None:
            return self._collected(_termbase_pairs(self.concepts, src_lang, tgt_lang), src_lang, tgt_lang)
        columns = _columns(self.name, self.rows[0], src_lang, tgt_lang) if self.rows else None
        if columns is None:
            return self._collected(_plain_pairs(self.name, self.rows), src_lang, tgt_lang)
        return self._collected(_named_pairs(self.rows[1:], columns), src_lang, tgt_lang)

    def _collected(self, pairs: Iterable[tuple[int, str, str | None]], src_lang: str, tgt_lang: str) -> Terms:
        """Terms from (line, source, target or None: keep) pairs; a source term given again with another target (or
        twice in a sheet) is refused, naming both lines."""
        keep: list[str] = []
        glossary: dict[str, str] = {}
        where: dict[str, int] = {}  # each source term's line, to name both lines of a term given twice
        for number, source, target in pairs:
            if any("\n" in t or "\r" in t for t in (source, target or "")):  # (a quoted CSV cell): no sentence has one
                raise GlossaryError(f"{self.name}:{number}: a term holds a line break")
            if source in where and not (self.concepts is not None and glossary.get(source) == target):
                raise GlossaryError(f"{self.name}:{number}: {source!r} again (line {where[source]}): give each "
                                    "term once")
            where.setdefault(source, number)
            if target is None:
                keep.append(source)
            else:
                glossary[source] = target
        if not where:  # (a sheet without a header has a pair or raised: read_glossary refuses an empty one)
            kind = "entry" if self.concepts is not None else "row"
            raise GlossaryError(f"{self.name}: no {kind} has terms in both {src_lang} and {tgt_lang}"
                                f"{_languages_of(self)}")
        return Terms(tuple(keep), glossary, self.ignore_case)


def read_glossary(data: bytes, name: str, ignore_case: bool = False) -> Glossary:
    """The glossary in data, a file called name: a workbook (a zip), a termbase (.tbx, .xml, or XML), a .csv as CSV,
    else TSV."""
    if data.startswith(b"PK\x03\x04"):  # a zip: a spreadsheet's first sheet, read as a CSV file's rows
        try:
            return _sheet(name, first_sheet_rows(data), ignore_case)
        except WorkbookError as e:
            raise GlossaryError(f"{name}: {e}; save the sheet as CSV (UTF-8)") from None
    if name.lower().endswith(TERMBASE_SUFFIXES) or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(XML_STARTS):
        try:
            return Glossary(name, concepts=tuple(read_termbase(data)), ignore_case=ignore_case)
        except TermbaseError as e:
            raise GlossaryError(f"{name}: {e}") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise GlossaryError(f"{name}: byte {e.start}: not UTF-8 (a glossary is TSV, CSV, .xlsx, .ods or TBX)") from None
    rows = _csv_rows(text) if name.lower().endswith(".csv") else enumerate((line.split("\t") for line in
                                                                            text.split("\n")), start=1)
    return _sheet(name, rows, ignore_case)


def _sheet(name: str, rows: Iterable[tuple[int, list[str]]], ignore_case: bool) -> Glossary:
    """A sheet's rows, stripped, blank and comment rows dropped; GlossaryError for one with none."""
    stripped = ((number, tuple(cell.strip() for cell in row)) for number, row in rows)
    kept = tuple((number, cells) for number, cells in stripped if any(cells) and not cells[0].startswith("#"))
    if not kept:
        raise GlossaryError(f"{name}: no terms")
    return Glossary(name, kept, ignore_case=ignore_case)


# --- sheets --------------------------------------------------------------------------------------------------------
def _plain_pairs(name: str, rows: Iterable[Row]) -> Iterator[tuple[int, str, str | None]]:
    """A headerless sheet's rows: source and target, or a source alone to keep."""
    for number, cells in rows:
        if len(cells) > 2:
            raise GlossaryError(f"{name}:{number}: {len(cells)} columns; a line is a source term and its target term, "
                                "or a term alone to keep as it is (or a first line naming the columns' languages)")
        if not all(cells):
            raise GlossaryError(f"{name}:{number}: an empty term")
        yield number, cells[0], cells[1] if len(cells) == 2 else None


def _named_pairs(rows: Iterable[Row], columns: tuple[int, int]) -> Iterator[tuple[int, str, str | None]]:
    """A headed sheet's rows with both terms (a row of a language the sheet has no term in yet is passed over)."""
    for number, cells in rows:
        source, target = (cells[c] if c < len(cells) else "" for c in columns)
        if source and target:
            yield number, source, target


UNNAMED = {("source", "target"), ("src", "tgt"), ("source term", "target term"), ("term", "translation")}
OTHER = {"notes", "note", "description", "definition", "comment", "comments", "context", "domain", "subject",
         "part of speech", "pos", "id", "status", "example", "usage", "category", "tags"}  # beside the languages


def _columns(name: str, header: Row, src_lang: str, tgt_lang: str) -> tuple[int, int] | None:
    """The source's and the target's column where the first row is a header naming them; None where it is no
    header (a term pair); GlossaryError for a header of more than two columns naming other languages only."""
    number, cells = header
    languages = [header_language(cell) for cell in cells]
    src, tgt = _position(languages, src_lang), _position(languages, tgt_lang)
    if src is not None and tgt is not None and src != tgt:
        return src, tgt
    if tuple(" ".join(c.lower().replace("_", " ").split()) for c in cells[:2]) in UNNAMED:
        return 0, 1
    named = [code for code in languages if code]  # (two cells are a term pair, as ever: sun<TAB>sol, English<TAB>inglés)
    if len(cells) > 2 and named and all(code or not cell or _other(cell) for cell, code in zip(cells, languages, strict=True)):
        raise GlossaryError(f"{name}:{number}: its header names {', '.join(dict.fromkeys(named))}: no column of "
                            f"both {src_lang} and {tgt_lang}")
    return None


def _other(cell: str) -> bool:
    """A column beside the languages: notes, "Description [en]" (a CAT tool's), ..."""
    return " ".join(re.sub(r"[\[(].*$", "", cell).lower().replace("_", " ").split()) in OTHER


def _position(codes: list[str], lang: str) -> int | None:
    """The first of codes that is lang, else the first whose primary subtag is lang's (en-US, en: en)."""
    return next(iter(matching(codes, lang)), None)


# --- termbases -----------------------------------------------------------------------------------------------------
def _termbase_pairs(concepts: Iterable[Concept], src_lang: str, tgt_lang: str) -> Iterator[tuple[int, str, str]]:
    """Each entry's source terms (every synonym) with its preferred target term."""
    for concept in concepts:
        codes = list(concept.terms)
        sources, targets = (_terms_in(concept, codes, lang) for lang in (src_lang, tgt_lang))
        usable = [t for t in targets if t.status not in ("deprecated", "superseded")]
        if sources and usable:
            target = next((t for t in usable if t.status == "preferred"), usable[0]).text
            yield from ((concept.line, source.text, target) for source in sources)


def _terms_in(concept: Concept, codes: list[str], lang: str) -> list[Term]:
    """The concept's terms in lang: of its language written exactly so, else of those of lang's primary subtag."""
    return [t for i in matching(codes, lang) for t in concept.terms[codes[i]]]


def _languages_of(glossary: Glossary) -> str:
    """ (its languages: de, en, fr) for a termbase; "" for a sheet (its header said)."""
    if glossary.concepts is None:
        return ""
    codes = sorted({code for concept in glossary.concepts for code, terms in concept.terms.items() if terms})
    return f" (its languages: {', '.join(codes) or 'none'})"


# --- CSV -----------------------------------------------------------------------------------------------------------
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
