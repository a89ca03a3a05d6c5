"""Reading and writing users' parallel corpora.

Ten input layouts are supported, each plain or compressed (gzip, xz, zstd, bzip2; training/compressed.py):

* a TSV file with ``source<TAB>target`` on each line (a test set may have more reference columns:
  ``source<TAB>reference 1<TAB>reference 2...``, :func:`load_evaluation_set`),
* two aligned plain-text files, one sentence per line, or
* two files of an app's messages, the source language's and the target's (Android, .resx, .properties, .strings,
  YAML: training/keyed.py), a pair for each key both hold, or
* a TMX translation memory (a name ending in .tmx, before any .gz/.xz/.zst), two of its languages, or
* an XLIFF file (.xlf or .xliff, likewise), its units that have a target, or
* a gettext file (.po, likewise), its translated messages, or
* a Qt Linguist file (.ts, likewise), its finished messages, or
* an Xcode String Catalog (.xcstrings, likewise), its translated strings, or
* a JSON Lines file (.jsonl or .ndjson, likewise), an object a line: {"translation": {"en": ..., "es": ...}}
  (Hugging Face datasets') or {"en": ..., "es": ...} (training/jsonl.py), or
* a CSV file (.csv, likewise) with a header row naming the columns: by their languages (en, es), or exactly
  source,target (or src,tgt) (training/csv_corpus.py).

A TMX, XLIFF, gettext, Qt Linguist, String Catalog, JSON Lines or CSV file is read in two languages (the config's,
a test file in the model's): :func:`is_memory`.

Files are streamed as bytes and decoded line by line, so one broken line is
reported (with its line number) instead of making the whole file unreadable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

from nmt.training.compressed import read_lines
from nmt.training.csv_corpus import read_csv
from nmt.training.errors import CorpusError
from nmt.training.files import atomic_open
from nmt.training.jsonl import read_jsonl
from nmt.training.keyed import is_keyed, read_keyed
from nmt.training.po import read_po
from nmt.training.qt_linguist import read_ts
from nmt.training.records import NOT_UTF8, Record, Skipped, decoded
from nmt.training.string_catalog import read_xcstrings
from nmt.training.tmx import read_tmx
from nmt.training.xliff import read_xliff

FIRST_FEW = 3  # skipped lines of each kind printed (training: all of them are in skipped.tsv)

EMPTY = "empty"

__all__ = ["CorpusError", "BadLine", "Corpus", "EvaluationSet", "NOT_UTF8", "Record", "load_corpus",
           "load_evaluation_set", "read_records", "write_tsv", "write_lines"]


@dataclass
class BadLine:
    """One input line that was skipped, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: line {self.line}: {self.reason}"


@dataclass
class Corpus:
    """Sentence pairs read from disk plus the lines that were skipped."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)

    def summary(self) -> str:
        """One-line human-readable account of what was read."""
        return summary(len(self.pairs), Counter(bad.reason for bad in self.bad_lines))


@dataclass
class EvaluationSet:
    """A test file: its sources, each with every reference it has, plus the lines that were skipped."""

    sources: list[str] = field(default_factory=list)
    references: list[list[str]] = field(default_factory=list)  # one list per reference column, a line per source
    bad_lines: list[BadLine] = field(default_factory=list)

    def first_skipped(self) -> list[BadLine]:
        """The first few skipped lines of each kind: what evaluate and compare name, since a count alone does not say
        which lines the scores leave out (a line of 2 columns among lines of 3, say)."""
        seen: Counter[str] = Counter()
        first = []
        for bad in self.bad_lines:
            seen[bad.reason] += 1
            if seen[bad.reason] <= FIRST_FEW:
                first.append(bad)
        return first


def none_usable(bad_lines: list[BadLine]) -> str:
    """Why a file gave not one pair: `0 sentence pairs, N lines skipped (counts); the first: FILE: line L: reason`
    (a test file in another encoding, a TMX without the language asked)."""
    first = f"; the first: {bad_lines[0]}" if bad_lines else ""
    return summary(0, Counter(bad.reason for bad in bad_lines)) + first


def summary(pairs: int, skipped: Counter) -> str:
    """`N sentence pairs, M lines skipped (a reason, b other reason)`: what reading a corpus gave."""
    text = f"{pairs} sentence pairs"
    if not skipped:
        return text + ", no lines skipped"
    detail = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
    return f"{text}, {sum(skipped.values())} lines skipped ({detail})"


def normalise_space(text: str) -> str:
    """Strip surrounding whitespace and collapse internal runs to one space."""
    # Most text is normalised already, which these C-speed looks tell (every whitespace character but the space is
    # unprintable) at a fifth of the cost of splitting and joining it.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _check_row(row: tuple[str, ...]) -> str | None:
    """Return why a normalised row (source, then its one or more targets) is unusable, or None if it is fine."""
    if not any(row):
        return EMPTY
    if not row[0]:
        return "empty source side"
    empty = [column for column, text in enumerate(row[1:], start=2) if not text]
    if empty:
        return "empty target side" + (f" (column {empty[0]})" if len(row) > 2 else "")
    return None


def has_suffix(path: Path, *suffixes: str) -> bool:
    """Whether one of the file's suffixes is one of these, in any case (report.tmx.gz is a TMX file)."""
    return any(suffix.lower() in suffixes for suffix in path.suffixes)


def is_tmx(path: Path) -> bool:
    return has_suffix(path, ".tmx")


def is_xliff(path: Path) -> bool:
    return has_suffix(path, ".xlf", ".xliff")


def is_po(path: Path) -> bool:
    return has_suffix(path, ".po")


def is_ts(path: Path) -> bool:
    return has_suffix(path, ".ts")


def is_catalog(path: Path) -> bool:
    return has_suffix(path, ".xcstrings")


def is_jsonl(path: Path) -> bool:
    return has_suffix(path, ".jsonl", ".ndjson")


def is_csv(path: Path) -> bool:
    return has_suffix(path, ".csv")


def is_memory(path: Path) -> bool:
    """Whether a file holds texts of several languages (TMX, XLIFF, gettext, Qt Linguist, a String Catalog, JSON
    Lines, CSV), of which the config's languages pick the pair."""
    return _reader_of(path) is not None


def _reader_of(path: Path) -> Callable[[Path, str, str], Iterator[Record]] | None:
    """The reader of a file of several languages (its pairs in two of them), by the file's kind; None for another."""
    readers = {is_tmx: read_tmx, is_xliff: read_xliff, is_po: read_po, is_ts: read_ts, is_catalog: read_xcstrings,
               is_jsonl: read_jsonl, is_csv: read_csv}
    return next((read for kind, read in readers.items() if kind(path)), None)


def is_tsv(files: tuple[Path, ...]) -> bool:
    """Whether a corpus is one TSV file (else a TMX, XLIFF, gettext, Qt Linguist, String Catalog, JSON Lines or CSV
    file, or two aligned files)."""
    return len(files) == 1 and not is_memory(files[0])


def read_records(files: tuple[Path, ...], langs: tuple[str, str] = ("en", "es")) -> Iterator[Record]:
    """The records of one corpus: a TSV, TMX, XLIFF, gettext, Qt Linguist, String Catalog, JSON Lines or CSV file
    (langs: the languages of such a file's pairs), or two aligned files."""
    if is_keyed(files):
        return read_keyed(*files)
    if len(files) == 2:
        return _aligned_records(*files)
    if (read := _reader_of(files[0])) is not None:
        return missing_named(read(files[0], *langs), langs)
    return ((number, raw, None) for number, raw in enumerate(read_lines(files[0]), start=1))  # a TSV file


def missing_named(records: Iterator[Record], langs: tuple[str, str]) -> Iterator[Record]:
    """The records, a unit without a text in one of the languages asked skipped as `no en segment`: a file that
    lacks one altogether (a TMX in fr-FR and es-ES, data.src_lang en) says which, where `no source language
    segment` left the user to guess."""
    for number, src, tgt in records:
        if src is None or (tgt is None and not isinstance(src, Skipped)):
            yield number, Skipped(f"no {langs[0] if src is None else langs[1]} segment"), None
        else:
            yield number, src, tgt


def _aligned_records(source: Path, target: Path) -> Iterator[Record]:
    _check_aligned(source, target)
    src_lines, tgt_lines = read_lines(source), read_lines(target)
    for number, (src, tgt) in enumerate(zip_longest(src_lines, tgt_lines), start=1):
        if src is None or tgt is None:
            total = number + sum(1 for _ in (src_lines if tgt is None else tgt_lines))
            counts = (total, number - 1) if tgt is None else (number - 1, total)
            raise CorpusError(f"{source} has {counts[0]} lines but {target} has {counts[1]}; "
                              "aligned files must have the same number of lines")
        yield number, src, tgt


def _check_aligned(source: Path, target: Path) -> None:
    """CorpusError for a pair of files of which one is a corpus on its own (a TSV, TMX, JSON Lines, ... file): two
    files (not an app's messages) are line-aligned text, a sentence a line, and `train: [a.tsv, b.tsv]`, meant as
    two corpora, trained on each line's tab-joined pair as one sentence, the next file's line as its translation."""
    whole = next((f for f in (source, target) if is_memory(f) or has_suffix(f, ".tsv")), None)
    if whole is not None:
        raise CorpusError(f"{source} + {target}: two files are read as aligned text, a sentence a line (source, "
                          f"target), but {whole} is a corpus of its own; for several corpora, list each as "
                          f"{{path: {whole}}}")


def parse_record(
    record: Record, where: tuple[str, str, str], columns: int = 2, source_as_given: bool = False
) -> tuple[tuple[str, ...] | None, BadLine | None]:
    """A record as a normalised row (source, target), or why it cannot be one (a Skipped source: its reader's
    reason). where: how to name the TSV/TMX file, the source file, the target file (aligned files) in a BadLine.
    columns: how many a TSV line must have (more than 2: a test set's several references; other layouts always 2).
    source_as_given: the source as the file has it, its spaces and line breaks not normalised (a test set's)."""
    number, src, tgt = record
    if tgt is None and isinstance(src, bytes):  # a TSV line
        return _tsv_row(number, src, where[0], columns, source_as_given)
    if isinstance(src, Skipped):
        return None, BadLine(where[0], number, src.reason)
    if src is None or tgt is None:
        return None, BadLine(where[0], number, f"no {'source' if src is None else 'target'} language segment")
    src_text, tgt_text = _text(src), _text(tgt)
    if src_text is None or tgt_text is None:
        return None, BadLine(where[1] if src_text is None else where[2], number, NOT_UTF8)
    return _checked(number, where[0], (src_text, tgt_text), source_as_given)


def _text(side: bytes | str) -> str | None:
    return side if isinstance(side, str) else decoded(side)


def _tsv_row(number: int, raw: bytes, path: str, columns: int,
             source_as_given: bool) -> tuple[tuple[str, ...] | None, BadLine | None]:
    text = decoded(raw)
    if text is None:
        return None, BadLine(path, number, NOT_UTF8)
    if not text.strip():
        return None, BadLine(path, number, EMPTY)
    fields = text.split("\t")
    if len(fields) != columns:
        return None, BadLine(path, number, f"expected {columns} tab-separated columns, found {len(fields)}")
    return _checked(number, path, fields, source_as_given)


def _checked(number: int, path: str, fields: Sequence[str],
             source_as_given: bool) -> tuple[tuple[str, ...] | None, BadLine | None]:
    """The fields normalised (normalise_space), or why they are unusable. A source kept as given is the text that
    `nmt evaluate` translates, so it must be what a client would send the service, which keeps a text's spaces and
    translates each of its lines apart: one normalised to a line of single spaces was translated otherwise."""
    row = tuple(map(normalise_space, fields))
    reason = _check_row(row)
    if reason:
        return None, BadLine(path, number, reason)
    return ((fields[0], *row[1:]) if source_as_given else row), None


def _columns(record: Record) -> int | None:
    """How many columns a record has (a TSV line: its tab-separated fields, at least 2; other layouts 2), or None
    for a TSV line without text, which cannot tell."""
    number, src, tgt = record
    if tgt is None and isinstance(src, bytes):
        text = decoded(src)
        return max(2, text.count("\t") + 1) if text and text.strip() else None
    return 2


def names(files: tuple[Path, ...]) -> tuple[str, str, str]:
    """How BadLines name a corpus's lines: (the pair of lines, a source line, a target line)."""
    if len(files) == 2:
        return f"{files[0]} + {files[1]}", str(files[0]), str(files[1])
    return (str(files[0]),) * 3


def load_corpus(
    source: str | Path, target: str | Path | None = None, *, strict: bool = False,
    langs: tuple[str, str] = ("en", "es"),
) -> Corpus:
    """Load a (small) parallel corpus into memory: the dev and test sets.

    With only ``source``, it is a TSV file (``source<TAB>target`` per line), or a file of several languages
    (TMX, XLIFF, gettext, Qt Linguist, String Catalog, JSON Lines, CSV: :func:`is_memory`), read in ``langs``;
    with ``target`` too, the two are line-aligned plain-text files.  Lines that
    are not UTF-8, have the wrong number of columns or an empty side (or that
    their reader finds unusable: a JSON Lines line that is not JSON) are
    skipped and listed in ``bad_lines``; blank pairs are skipped with reason
    ``"empty"``.  With ``strict=True`` the first bad line (other than a blank
    one) raises :class:`CorpusError` instead.
    """
    corpus = Corpus()
    for row in _rows(_files(source, target), langs, corpus.bad_lines, strict=strict, columns=2):
        corpus.pairs.append((row[0], row[1]))
    return corpus


def load_evaluation_set(source: str | Path, target: str | Path | None = None, *,
                        langs: tuple[str, str] = ("en", "es")) -> EvaluationSet:
    """Load the test file of ``nmt evaluate``: read as :func:`load_corpus` reads it, except that a TSV file may
    have more than one reference column (``source<TAB>ref 1<TAB>ref 2...``). Its first line with text sets how
    many columns every line must have; a line with another number, or with an empty column, is skipped. The sources
    are as the file gives them (parse_record's source_as_given), the references normalised."""
    files = _files(source, target)
    first = next((n for n in map(_columns, read_records(files, langs)) if n is not None), 2)
    test = EvaluationSet(references=[[] for _ in range(first - 1)])
    for row in _rows(files, langs, test.bad_lines, strict=False, columns=first, source_as_given=True):
        test.sources.append(row[0])
        for stream, reference in zip(test.references, row[1:], strict=True):
            stream.append(reference)
    return test


def _files(source: str | Path, target: str | Path | None) -> tuple[Path, ...]:
    return (Path(source),) if target is None else (Path(source), Path(target))


def _rows(files: tuple[Path, ...], langs: tuple[str, str], bad_lines: list[BadLine], *, strict: bool,
          columns: int, source_as_given: bool = False) -> Iterator[tuple[str, ...]]:
    """The usable rows of a corpus; the others are appended to bad_lines (strict: the first one other than a blank
    line raises CorpusError)."""
    where = names(files)
    for record in read_records(files, langs):
        row, bad = parse_record(record, where, columns, source_as_given)
        if row is not None:
            yield row
            continue
        assert bad is not None
        if strict and bad.reason != EMPTY:
            raise CorpusError(f"{bad} (strict mode)")
        bad_lines.append(bad)


def write_lines(lines: Iterable[str], path: str | Path) -> None:
    """Write one string per line, atomically (training/files.py)."""
    with atomic_open(path) as handle:
        for line in lines:
            handle.write(line + "\n")


def write_tsv(rows: Iterable[Sequence[str]], path: str | Path) -> None:
    """Write tab-separated lines atomically (``source<TAB>target``, or more columns: a test set with several
    references); fields may not hold tabs or newlines."""

    def lines() -> Iterable[str]:
        for number, row in enumerate(rows, start=1):
            if any(ch in "".join(row) for ch in "\t\n\r"):
                raise ValueError(f"row {number} contains a tab or newline: {' / '.join(map(repr, row))}")
            yield "\t".join(row)

    write_lines(lines(), path)
