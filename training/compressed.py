"""Corpus files as streams of raw lines, whether plain or compressed (gzip, xz, zstd, bzip2: recognised by their first
bytes, not their names), with a damaged or truncated file named in one line."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

import zstandard

from nmt.app.packages import Damaged
from nmt.training.errors import CorpusError

T = TypeVar("T")

UTF8_BOM = b"\xef\xbb\xbf"
MAGIC = {b"\x1f\x8b": "gzip", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd"}
# "BZh", the block size, then the first block's magic (the digits of pi) or, in an empty stream, the end's (of sqrt
# pi): ten bytes, where "BZh" alone could begin a line of text
BZIP2 = re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)")
DAMAGED = (EOFError, OSError, lzma.LZMAError, zlib.error, zstandard.ZstdError)
# The longest line read (a pair, a text to translate): a longer one is refused, not held whole, with the bytes before
# it, in memory (a small .gz can inflate to one line of GBs: benchmarks/README.md, guards)
MAX_LINE_BYTES = 16 << 20
# The largest file read whole (a gettext catalog, a String Catalog, an app's messages), decompressed: a larger one is
# refused before it is all in memory (a .po.gz of a few MB could inflate to GBs)
MAX_WHOLE_BYTES = 256 << 20


def kind_of(path: Path) -> str:
    """'gzip', 'xz', 'zstd', 'bzip2' or 'plain', from the file's first bytes."""
    with open_raw(path) as raw:
        head = raw.read(10)
    if BZIP2.match(head):
        return "bzip2"
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), "plain")


@contextmanager
def open_stream(path: Path) -> Iterator[BinaryIO]:
    """The file's decompressed bytes, as a binary stream that iterates by line."""
    kind = kind_of(path)
    with open_raw(path) as raw:
        if kind == "gzip":
            yield gzip.GzipFile(fileobj=raw)  # type: ignore[misc]  # a BufferedIOBase: read like BinaryIO, not one
        elif kind == "xz":
            yield lzma.LZMAFile(raw)  # type: ignore[misc]  # (likewise)
        elif kind == "zstd":
            yield io.BufferedReader(_ZstdReader(raw))
        elif kind == "bzip2":
            yield bz2.BZ2File(raw)  # type: ignore[misc]  # (likewise)
        else:
            yield raw


def read_lines(path: Path) -> Iterator[bytes]:
    """The file's lines without line ends (and without a UTF-8 byte order mark on the first)."""
    number = 0
    try:
        with open_stream(path) as stream:
            for number, raw in enumerate(stream_lines(stream), start=1):  # noqa: B007 (the line reached, for the error)
                yield raw
    except DAMAGED as e:
        raise damaged(path, number, e) from None
    except LongLine as e:
        raise CorpusError(f"{path}: {e}") from None


class LongLine(ValueError):
    """A line over MAX_LINE_BYTES."""

    def __init__(self, number: int):
        super().__init__(f"line {number} is over {MAX_LINE_BYTES >> 20} MiB: not a file of lines (no line breaks?)")


def stream_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """A binary stream's lines without line ends (\n or \r\n), and without a UTF-8 byte order mark on the first;
    LongLine for a line over MAX_LINE_BYTES."""
    lines = iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b"")
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise LongLine(number)
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        yield raw.removeprefix(UTF8_BOM) if number == 1 else raw


def read_blocks(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """The file's lines as blocks of about `size` bytes of whole lines, each line ending in \\n (a last line
    without one gets it), with the number of the block's first line; no UTF-8 byte order mark. The lines are
    read_lines' with their line ends, at a fraction of the cost of a Python object per line."""
    line, carry = 1, b""
    try:
        with open_stream(path) as stream:
            while data := _read(stream, size):
                data = carry + data
                end = data.rfind(b"\n") + 1
                block, carry = data[:end], data[end:]
                if block:
                    yield line, block.removeprefix(UTF8_BOM) if line == 1 else block
                    line += block.count(b"\n")
                if len(carry) > MAX_LINE_BYTES:
                    raise CorpusError(f"{path}: {LongLine(line)}")
            if carry:
                yield line, (carry.removeprefix(UTF8_BOM) if line == 1 else carry) + b"\n"
    except _Cut as cut:  # the lines of the blocks yielded, and the whole ones that came out after them
        raise damaged(path, line - 1 + cut.before.count(b"\n"), cut.error) from None


def read_span(path: Path, start: int, end: int) -> bytes:
    """The lines of a plain file that start at a byte in start:end, as read_blocks gives them (each ending in \\n,
    no byte order mark): spans that tile a file give each of its lines once, so that worker processes can read
    their parts of it themselves."""
    with open_raw(path) as raw:
        if start > 0:
            raw.seek(start - 1)
            start += len(raw.readline()) - 1  # the rest of a line that started before: the previous span's
        if start >= end:
            return b""
        data = raw.read(end - start)
        if not data.endswith(b"\n"):
            data += raw.readline()  # the last line, past end
    if data and not data.endswith(b"\n"):
        data += b"\n"
    return data.removeprefix(UTF8_BOM) if start == 0 else data


def read_whole(path: Path, read: Callable[[bytes], T]) -> T:
    """What read makes of the whole file, decompressed (a gettext file, a String Catalog, an app's messages: read as
    the service reads them); CorpusError, naming the file, for text that is not UTF-8, a file that read finds
    Damaged, damaged compressed data, or over MAX_WHOLE_BYTES."""
    try:
        with open_stream(path) as stream:
            content = _read(stream, MAX_WHOLE_BYTES + 1)
        if len(content) > MAX_WHOLE_BYTES:
            raise CorpusError(f"{path}: over {MAX_WHOLE_BYTES >> 20} MiB (decompressed): too large to be read whole")
        return read(content)
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: byte {e.start}: not UTF-8") from None
    except Damaged as e:
        raise CorpusError(f"{path}: {e}") from None
    except RecursionError:  # (JSON's and YAML's parsers recurse: a file nested thousands deep)
        raise CorpusError(f"{path}: nested too deeply to be read") from None
    except _Cut as cut:
        raise damaged(path, cut.before.count(b"\n"), cut.error) from None


class _Cut(Exception):
    """A damaged or truncated stream, with the bytes that came out of it before the break."""

    def __init__(self, before: bytes, error: BaseException):
        super().__init__(error)
        self.before, self.error = before, error


def _read(stream: BinaryIO, size: int = -1) -> bytes:
    """Up to size bytes of the stream (-1: all of it), one read1 at a time, so that where it breaks _Cut holds what
    came out before: read(size) dropped that, and the lines reached counted only whole blocks before it (a corpus
    cut within its first 4 MB block was damaged "after line 0", with thousands of good lines before the break)."""
    parts, got = [], 0
    try:
        while size < 0 or got < size:
            part = stream.read1(size - got if size >= 0 else 1 << 20)  # type: ignore[attr-defined]  # (all have it)
            if not part:
                break
            parts.append(part)
            got += len(part)
    except DAMAGED as e:
        raise _Cut(b"".join(parts), e) from None
    return b"".join(parts)


def damaged(path: Path, lines: int | None, e: BaseException) -> CorpusError:
    """The error for a stream that broke after `lines` whole lines (0: none whole; None: not known)."""
    detail = getattr(e, "strerror", None) or str(e) or type(e).__name__
    where = "" if lines is None else f" after line {lines}" if lines else " before any whole line"
    return CorpusError(f"{path}: damaged or truncated {kind_of(path)} data{where}: {detail}")


@contextmanager
def open_raw(path: Path) -> Iterator[BinaryIO]:
    """The file's bytes, or the one line that says why not (fingerprint.py's hashing opens corpora here too, so that a
    folder given as a corpus is named as such, not "cannot read file (Is a directory)")."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise CorpusError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, expected a text file") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read file ({exc.strerror})") from None
    with handle:
        yield handle


class _ZstdReader(io.RawIOBase):
    """Decompressed zstd frames, one after another. (zstandard's stream_reader ends quietly where a file is cut
    short; this one raises EOFError there, like gzip and lzma.)"""

    def __init__(self, raw: BinaryIO):
        self._raw, self._dctx = raw, zstandard.ZstdDecompressor()
        self._frame = self._dctx.decompressobj()
        self._out, self._pos = b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._pos == len(self._out):
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if not self._frame.eof:
                    raise EOFError("compressed file ended before the end of its last frame")
                return 0
            self._out, self._pos = self._decompress(chunk), 0
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = memoryview(self._out)[self._pos : self._pos + n]
        self._pos += n
        return n

    def _decompress(self, chunk: bytes) -> bytes:
        out = []
        while chunk:
            if self._frame.eof:  # the next frame begins
                self._frame = self._dctx.decompressobj()
            out.append(self._frame.decompress(chunk))
            chunk = self._frame.unused_data if self._frame.eof else b""
        return b"".join(out)
