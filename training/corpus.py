"""Reading and writing users' parallel corpora.

Two input layouts are supported:

* a TSV file with ``source<TAB>target`` on each line, or
* two aligned plain-text files, one sentence per line.

Files are read as bytes and decoded line by line, so one broken line is
reported (with its line number) instead of making the whole file unreadable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nmt.training.files import atomic_open

UTF8_BOM = b"\xef\xbb\xbf"
EMPTY = "empty"


class CorpusError(Exception):
    """A corpus file cannot be used; the message names the file (and line)."""


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
        text = f"{len(self.pairs)} sentence pairs"
        if not self.bad_lines:
            return text + ", no lines skipped"
        reasons = Counter(bad.reason for bad in self.bad_lines)
        detail = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        return f"{text}, {len(self.bad_lines)} lines skipped ({detail})"


def normalise_space(text: str) -> str:
    """Strip surrounding whitespace and collapse internal runs to one space."""
    return " ".join(text.split())


def _read_lines(path: Path) -> list[bytes]:
    """Return the raw lines of ``path`` (no line endings, BOM removed)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, expected a text file") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read file ({exc.strerror})") from None
    data = data.removeprefix(UTF8_BOM)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the file ended with a newline
    return [line.removesuffix(b"\r") for line in lines]


def _decode(raw: bytes) -> str | None:
    """Decode one line as UTF-8, or return None if it is not valid UTF-8 (NUL bytes count as not UTF-8: they
    are how a UTF-16 file looks when read as UTF-8, whose lines would otherwise pass as text)."""
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _check_pair(src: str, tgt: str) -> str | None:
    """Return why a normalised pair is unusable, or None if it is fine."""
    if not src and not tgt:
        return EMPTY
    if not src:
        return "empty source side"
    if not tgt:
        return "empty target side"
    return None


def _tsv_pair(raw: bytes) -> tuple[tuple[str, str] | None, str | None]:
    """Parse one TSV line into (pair, None) or (None, reason)."""
    text = _decode(raw)
    if text is None:
        return None, "not UTF-8"
    if not text.strip():
        return None, EMPTY
    columns = text.split("\t")
    if len(columns) != 2:
        return None, f"expected 2 tab-separated columns, found {len(columns)}"
    src, tgt = normalise_space(columns[0]), normalise_space(columns[1])
    reason = _check_pair(src, tgt)
    return (None, reason) if reason else ((src, tgt), None)


def _add(corpus: Corpus, pair: tuple[str, str] | None, bad: BadLine | None, strict: bool) -> None:
    """Record one parsed line; in strict mode any bad line except a blank one raises."""
    if bad is None and pair is not None:
        corpus.pairs.append(pair)
        return
    assert bad is not None
    if strict and bad.reason != EMPTY:
        raise CorpusError(f"{bad} (strict mode)")
    corpus.bad_lines.append(bad)


def _load_tsv(path: Path, strict: bool) -> Corpus:
    """Read a ``source<TAB>target`` file."""
    corpus = Corpus()
    for number, raw in enumerate(_read_lines(path), start=1):
        pair, reason = _tsv_pair(raw)
        bad = BadLine(str(path), number, reason) if reason else None
        _add(corpus, pair, bad, strict)
    return corpus


def _load_aligned(source: Path, target: Path, strict: bool) -> Corpus:
    """Read two line-aligned plain-text files."""
    src_lines, tgt_lines = _read_lines(source), _read_lines(target)
    if len(src_lines) != len(tgt_lines):
        raise CorpusError(
            f"{source} has {len(src_lines)} lines but {target} has {len(tgt_lines)}; "
            "aligned files must have the same number of lines"
        )
    corpus = Corpus()
    for number, (raw_src, raw_tgt) in enumerate(zip(src_lines, tgt_lines, strict=True), start=1):
        src, tgt = _decode(raw_src), _decode(raw_tgt)
        if src is None or tgt is None:
            bad_path = source if src is None else target
            _add(corpus, None, BadLine(str(bad_path), number, "not UTF-8"), strict)
            continue
        src, tgt = normalise_space(src), normalise_space(tgt)
        reason = _check_pair(src, tgt)
        bad = BadLine(f"{source} + {target}", number, reason) if reason else None
        _add(corpus, (src, tgt), bad, strict)
    return corpus


def load_corpus(
    source: str | Path, target: str | Path | None = None, *, strict: bool = False
) -> Corpus:
    """Load a parallel corpus.

    With only ``source``, it is a TSV file (``source<TAB>target`` per line);
    with ``target`` too, the two are line-aligned plain-text files.  Lines that
    are not UTF-8, have the wrong number of columns or an empty side are
    skipped and listed in ``bad_lines``; blank pairs are skipped with reason
    ``"empty"``.  With ``strict=True`` the first bad line (other than a blank
    one) raises :class:`CorpusError` instead.
    """
    if target is None:
        return _load_tsv(Path(source), strict)
    return _load_aligned(Path(source), Path(target), strict)


def write_lines(lines: Iterable[str], path: str | Path) -> None:
    """Write one string per line, atomically (training/files.py)."""
    with atomic_open(path) as handle:
        for line in lines:
            handle.write(line + "\n")


def write_tsv(pairs: Iterable[tuple[str, str]], path: str | Path) -> None:
    """Write ``source<TAB>target`` lines atomically; fields may not hold tabs or newlines."""

    def lines() -> Iterable[str]:
        for number, (src, tgt) in enumerate(pairs, start=1):
            if any(ch in src + tgt for ch in "\t\n\r"):
                raise ValueError(f"pair {number} contains a tab or newline: {src!r} / {tgt!r}")
            yield f"{src}\t{tgt}"

    write_lines(lines(), path)
