"""Preparation's first pass, the part that runs in worker processes: a chunk of raw records -> the kept pairs'
cleaned text (UTF-8, one line each), their line numbers and fingerprints, and the records dropped, with why."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from nmt.training.compressed import read_blocks
from nmt.training.config import CorpusSpec, FilterConfig
from nmt.training.corpus import BadLine, Record, is_tsv, names, parse_record, read_records
from nmt.training.dedup import fingerprint
from nmt.training.filters import why_dropped

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


def chunks(corpora: list[CorpusSpec], langs: tuple[str, str]) -> Iterator[Chunk | TsvBlock]:
    """The records of every corpus, in order: a TSV's BLOCK_BYTES at a time, other layouts' CHUNK at a time."""
    for index, spec in enumerate(corpora):
        where = names(spec.files)
        if is_tsv(spec.files):
            yield from (TsvBlock(index, where, first, data) for first, data in read_blocks(spec.files[0], BLOCK_BYTES))
            continue
        records = read_records(spec.files, langs)
        while batch := list(islice(records, CHUNK)):
            yield Chunk(index, where, batch)


def clean_chunk(chunk: Chunk | TsvBlock, filters: FilterConfig) -> Cleaned:
    src, tgt, lines, hashes, skipped = [], [], [], [], []
    records = chunk.records()
    for record in records:
        pair, bad = parse_record(record, chunk.where)
        if pair is not None and (reason := why_dropped(pair[0], pair[1], filters)):
            bad = BadLine(chunk.where[0], record[0], reason)
        if bad is not None:
            skipped.append(bad)
            continue
        assert pair is not None
        s, t = pair[0].encode() + b"\n", pair[1].encode() + b"\n"
        src.append(s)
        tgt.append(t)
        lines.append(record[0])
        hashes.append(fingerprint(s, t))
    return Cleaned(chunk.corpus, len(records), b"".join(src), b"".join(tgt),
                   np.fromiter(map(len, src), np.int64, len(src)), np.fromiter(map(len, tgt), np.int64, len(tgt)),
                   np.array(lines, dtype=np.uint64), np.array(hashes, dtype=np.uint64), skipped)


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


