"""Preparation's first pass, the part that runs in worker processes: a chunk of raw records -> the kept pairs'
cleaned text (UTF-8, one line each), their line numbers and fingerprints, and the records dropped, with why."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from nmt.training.compressed import kind_of, read_blocks, read_span
from nmt.training.config import CorpusSpec, FilterConfig
from nmt.training.corpus import BadLine, Record, is_jsonl, is_tsv, missing_named, names, parse_record, read_records
from nmt.training.dedup import fingerprint
from nmt.training.filters import why_dropped, why_dropped_printable
from nmt.training.jsonl import jsonl_records

CHUNK = 20_000  # records per task: large enough that pickling is a small part of the work
BLOCK_BYTES = 4 << 20  # a TSV's task: whole lines, about this many bytes


@dataclass
class Chunk:
    """Records of one corpus as its reader made them (aligned files, TMX)."""

    corpus: int
    where: tuple[str, str, str]  # how to name the corpus's lines (corpus.names)
    items: list[Record]

    def records(self) -> list[Record]:
        return self.items


@dataclass
class TsvBlock:
    """Whole lines of one TSV corpus as one block of bytes, split into records by the worker: reading and sending
    a block costs the reading process a fraction of a record per line."""

    corpus: int
    where: tuple[str, str, str]
    first_line: int
    data: bytes  # lines, each ending in \n

    def records(self) -> list[Record]:
        lines = self.data.split(b"\n")[:-1]
        return [(number, raw.removesuffix(b"\r"), None) for number, raw in enumerate(lines, start=self.first_line)]


@dataclass
class JsonlBlock:
    """Whole lines of one JSON Lines corpus as one block of bytes, parsed by the worker (as a TsvBlock is split):
    the reading process would otherwise parse every line alone, at a rate more cores cannot raise."""

    corpus: int
    where: tuple[str, str, str]
    first_line: int
    data: bytes  # lines, each ending in \n
    langs: tuple[str, str]

    def records(self) -> list[Record]:
        lines = (raw.removesuffix(b"\r") for raw in self.data.split(b"\n")[:-1])
        return list(missing_named(jsonl_records(lines, self.first_line, *self.langs), self.langs))


@dataclass
class TsvSpan:
    """Bytes start:end of a plain (uncompressed) TSV file, which the worker reads itself: the main process does
    not read gigabytes only to send them on. Its lines are numbered from 1 within the span (only the main process
    knows how many came before: Cleaned.numbered_within)."""

    corpus: int
    where: tuple[str, str, str]
    path: Path
    start: int
    end: int

    def block(self) -> TsvBlock:
        return TsvBlock(self.corpus, self.where, 1, read_span(self.path, self.start, self.end))


@dataclass
class Cleaned:
    corpus: int
    records: int
    src: bytes  # the kept sources, each followed by \n
    tgt: bytes
    src_bytes: np.ndarray  # bytes of each kept source, \n included
    tgt_bytes: np.ndarray
    lines: np.ndarray  # line (TMX: of the <tu>) of each kept pair
    hashes: np.ndarray  # fingerprint of each kept pair, for the duplicate check
    skipped: list[BadLine] = field(default_factory=list)
    numbered_within: bool = False  # lines count from 1 within the chunk (a TsvSpan's), not within the file

    def renumber(self, before: int) -> None:
        """Number the lines within the file, `before` lines coming before the chunk."""
        self.lines += np.uint64(before)
        for bad in self.skipped:
            bad.line += before
        self.numbered_within = False


def chunks(corpora: list[CorpusSpec], langs: tuple[str, str]) -> Iterator[Chunk | TsvBlock | JsonlBlock | TsvSpan]:
    """The records of every corpus, in order: a TSV's or a JSON Lines file's BLOCK_BYTES at a time (a plain TSV's
    as spans that the workers read), other layouts' CHUNK at a time."""
    for index, spec in enumerate(corpora):
        where, path = names(spec.files), spec.files[0]
        if is_tsv(spec.files) and kind_of(path) == "plain":
            size = path.stat().st_size
            yield from (TsvSpan(index, where, path, start, min(start + BLOCK_BYTES, size))
                        for start in range(0, size, BLOCK_BYTES))
            continue
        if is_tsv(spec.files):
            yield from (TsvBlock(index, where, first, data) for first, data in read_blocks(path, BLOCK_BYTES))
            continue
        if len(spec.files) == 1 and is_jsonl(path):
            yield from (JsonlBlock(index, where, first, data, langs) for first, data in read_blocks(path, BLOCK_BYTES))
            continue
        records = read_records(spec.files, langs)
        while batch := list(islice(records, CHUNK)):
            yield Chunk(index, where, batch)


def clean_chunk(chunk: Chunk | TsvBlock | JsonlBlock | TsvSpan, filters: FilterConfig) -> Cleaned:
    if isinstance(chunk, TsvSpan):
        cleaned = clean_chunk(chunk.block(), filters)
        cleaned.numbered_within = True
        return cleaned
    plain = plain_lines(chunk.data) if isinstance(chunk, TsvBlock) else None
    if plain is None:
        return clean_records(chunk.corpus, chunk.records(), chunk.where, filters)
    assert isinstance(chunk, TsvBlock)
    return _clean_plain(chunk, *plain, filters)


def clean_records(corpus: int, records: list[Record], where: tuple[str, str, str], filters: FilterConfig) -> Cleaned:
    """Records of any layout, each through parse_record."""
    kept = _Kept()
    for record in records:
        kept.record(record, where, filters)
    return kept.cleaned(corpus, len(records))


def _clean_plain(block: TsvBlock, texts: list[str], raws: list[bytes], odd: set[int], filters: FilterConfig) -> Cleaned:
    """A UTF-8 TSV block (plain_lines): its lines without a space to normalise, split at their tab, are pairs as
    parse_record would make them when both sides are printable (no control character, no space but " ", no
    second tab); the others go through parse_record."""
    kept = _Kept()
    for index, (line, raw) in enumerate(zip(texts, raws, strict=True)):
        number = block.first_line + index
        src, _, tgt = line.partition("\t")
        if index in odd or not (src and tgt and src.isprintable() and tgt.isprintable()):
            kept.record((number, raw, None), block.where, filters)
        elif reason := why_dropped_printable(src, tgt, filters):
            kept.skipped.append(BadLine(block.where[0], number, reason))
        else:
            kept.add(number, src, tgt, raw)
    return kept.cleaned(block.corpus, len(texts))


def plain_lines(data: bytes) -> tuple[list[str], list[bytes], set[int]] | None:
    """A TSV block's lines as text and as UTF-8 (CRLF line ends taken as LF), and the indices of the lines with a
    space to strip or collapse (or a control character beside a space, or no text at all). None for a block that
    is not UTF-8. Both looks run at C speed over the whole block, not as a few Python calls a line."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    codes = np.frombuffer(data, np.uint8)
    blank = codes <= ord(" ")  # a space, tab, line end or control character
    twice = np.flatnonzero(blank[1:] & blank[:-1]) + 1  # the second of two in a row
    starts = np.concatenate([[0], twice]) if blank[:1].any() else twice  # [:1]: a span may hold no line
    odd = set(np.searchsorted(np.flatnonzero(codes == ord("\n")), starts).tolist())  # the lines they are on
    return text.split("\n")[:-1], data.split(b"\n")[:-1], odd  # [:-1]: after the last \n


@dataclass
class _Kept:
    """The pairs of one chunk kept so far (text) and the records skipped."""

    src: list[str] = field(default_factory=list)
    tgt: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    hashes: list[bytes] = field(default_factory=list)
    skipped: list[BadLine] = field(default_factory=list)

    def add(self, number: int, src: str, tgt: str, pair: bytes) -> None:
        """pair: src + "\t" + tgt in UTF-8, which the fingerprint is of."""
        self.src.append(src)
        self.tgt.append(tgt)
        self.lines.append(number)
        self.hashes.append(fingerprint(pair))

    def record(self, record: Record, where: tuple[str, str, str], filters: FilterConfig) -> None:
        """A record of any layout, kept or skipped."""
        pair, bad = parse_record(record, where)
        if pair is not None and (reason := why_dropped(pair[0], pair[1], filters)):
            bad = BadLine(where[0], record[0], reason)
        if bad is not None:
            self.skipped.append(bad)
        else:
            assert pair is not None
            self.add(record[0], pair[0], pair[1], f"{pair[0]}\t{pair[1]}".encode())

    def cleaned(self, corpus: int, records: int) -> Cleaned:
        (src, src_bytes), (tgt, tgt_bytes) = _lines(self.src), _lines(self.tgt)
        return Cleaned(corpus, records, src, tgt, src_bytes, tgt_bytes, np.array(self.lines, dtype=np.uint64),
                       np.frombuffer(b"".join(self.hashes), np.uint64) | np.uint64(1), self.skipped)


def _lines(texts: list[str]) -> tuple[bytes, np.ndarray]:
    """The texts as UTF-8, each followed by \n, and the bytes of each (\n included): one encode for all."""
    if not texts:
        return b"", np.zeros(0, np.int64)
    data = ("\n".join(texts) + "\n").encode()
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n")) + 1
    return data, np.diff(ends, prepend=0)


def keep_rows(cleaned: Cleaned, keep: np.ndarray) -> Cleaned:
    """The chunk without the pairs keep marks False (their text cut out of the byte strings)."""
    dropped = np.flatnonzero(~keep)

    def cut(text: bytes, sizes: np.ndarray) -> bytes:  # the text between dropped rows, joined
        ends = np.cumsum(sizes)
        edges = [0, *np.column_stack([ends - sizes, ends])[dropped].ravel().tolist(), len(text)]
        view = memoryview(text)
        return b"".join(view[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True))

    return Cleaned(cleaned.corpus, cleaned.records, cut(cleaned.src, cleaned.src_bytes),
                   cut(cleaned.tgt, cleaned.tgt_bytes), cleaned.src_bytes[keep], cleaned.tgt_bytes[keep],
                   cleaned.lines[keep], cleaned.hashes[keep], cleaned.skipped)


