"""`nmt translate`: one translation per input line, in order, from a file (plain, gzip, xz, zstd or bzip2) or stdin, to
stdout or an --out file.

Lines are read and written a window at a time, so a corpus of millions of lines (say, a monolingual one for
back-translation) streams through in constant memory. An --out file is written as OUT.partial and renamed to OUT
once whole; an interruption leaves the finished lines there, beside OUT.partial.json (what they were translated
from and with), and the same command continues after them instead of starting over.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from queue import Empty, Queue
from threading import Thread
from typing import IO

from nmt.model.glossary import Glossary
from nmt.model.spans import Terms
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.compressed import read_blocks, read_lines, stream_lines
from nmt.training.evaluate import translated_windows, windows_of
from nmt.training.files import make_dir, write_atomic
from nmt.training.glossary import terms_for

WINDOW = 512  # lines translated together (at most): the Translator sorts a window's sentences by length


def not_utf8(name: str, data: bytes, start: int, first_line: int = 1) -> ValueError:
    """The error for data (lines first_line... of name) that is not UTF-8 from byte start: the line is numbered as
    editors and `sed -n Np` number it, which the codec's byte offset alone does not."""
    line = first_line + data.count(b"\n", 0, start)
    return ValueError(f"{name}:{line}: not UTF-8 (byte 0x{data[start]:02x}); convert it, e.g. iconv -f latin1 -t utf-8")


def counted_lines(path: Path) -> int:
    """The number of lines of the file, each checked to be UTF-8 before any is translated: bad text is one line
    naming its line, not a run stopped halfway."""
    count = 0
    for first, block in read_blocks(path, 1 << 22):
        try:
            block.decode("utf-8")
        except UnicodeDecodeError as e:
            raise not_utf8(str(path), block, e.start, first) from None
        count += block.count(b"\n")
    return count


def file_lines(path: Path) -> Iterator[str]:
    """The file's lines (checked by counted_lines), split at \\n alone: str.splitlines would also split at U+2028,
    form feeds and the like, and a translation of such a line would take two lines of output, every later line
    then beside the wrong source."""
    return (raw.decode("utf-8") for raw in read_lines(path))


def stdin_lines(stream: IO[bytes]) -> Iterator[str]:
    """Standard input's lines as they come (a pipe is translated while it is still being written)."""
    for number, line in enumerate(stream_lines(stream), start=1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise not_utf8("<stdin>", line, e.start, number) from None


def ready_windows(lines: Iterable[str], size: int, wait: float = 0.05) -> Iterator[list[str]]:
    """The lines in windows of up to size, each closed as soon as no further line comes within wait seconds: a line
    typed at a terminal, or written now and then by another program, is translated at once, while a file or a fast
    pipe still fills whole windows. A thread reads ahead, so the input is read while a window is translated."""
    ahead = _read_ahead(lines, size)
    window: list[str] = []
    while True:
        try:
            item = ahead.get(timeout=wait) if window else ahead.get()
        except Empty:
            yield window
            window = []
            continue
        if isinstance(item, BaseException):
            raise item
        if item is None:
            break
        window.append(item)
        if len(window) == size:
            yield window
            window = []
    if window:
        yield window


def _read_ahead(lines: Iterable[str], size: int) -> Queue[str | BaseException | None]:
    """A queue of the lines, then None, filled by a thread up to size lines ahead; an error reading them (a line
    that is not UTF-8) is put in their place, for the reader of the queue to raise."""
    ahead: Queue[str | BaseException | None] = Queue(maxsize=size)

    def read() -> None:
        try:
            for line in lines:
                ahead.put(line)
        except Exception as e:  # raised again where the queue is read, in order after the lines before it
            ahead.put(e)
        ahead.put(None)

    Thread(target=read, name="stdin", daemon=True).start()
    return ahead


def input_windows(path: Path | None, done: int = 0) -> Iterator[list[str]]:
    """The input's lines a window at a time, the first done of a file skipped (translated before): a file's in whole
    windows, standard input's as they come (ready_windows)."""
    if path is None:
        return ready_windows(stdin_lines(sys.stdin.buffer), WINDOW)
    return windows_of(islice(file_lines(path), done, None), WINDOW)


@dataclass(frozen=True)
class Partial:
    """OUT.partial, the lines an unfinished run wrote, and OUT.partial.json, what they were translated with."""
    out: Path

    @property
    def lines_path(self) -> Path:
        return self.out.with_name(self.out.name + ".partial")

    @property
    def settings_path(self) -> Path:
        return self.out.with_name(self.out.name + ".partial.json")

    def resumed(self, settings: dict) -> int:
        """How many lines are done: 0 for a new run (whose settings are then recorded), or those of an unfinished
        run with the same settings, its last line cut if a kill left it half-written. ValueError for another run's."""
        if not self.lines_path.exists():
            make_dir(self.out.parent)
            write_atomic(self.settings_path, json.dumps(settings, indent=2) + "\n")
            self.lines_path.write_bytes(b"")
            return 0
        try:
            before = json.loads(self.settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = {}
        if differ := [f"{key} {before.get(key)} → {value}" for key, value in settings.items() if before.get(key) != value]:
            raise ValueError(f"{self.lines_path} holds the lines of a run with another {'; '.join(differ)}: run that "
                             f"command again to continue it, or delete {self.lines_path} to start over")
        return _whole_lines(self.lines_path)

    def finish(self) -> None:
        os.replace(self.lines_path, self.out)
        self.settings_path.unlink()


def _whole_lines(path: Path) -> int:
    """The number of whole lines in the file, after cutting a last line that has no line end."""
    data = path.read_bytes()
    whole = data.rfind(b"\n") + 1
    if whole < len(data):
        os.truncate(path, whole)
    return data.count(b"\n", 0, whole)


def translated_lines(translator: Translator, windows: Iterable[list[str]], options: DecodeOptions, terms: Terms,
                     total: int | None = None, done: int = 0) -> Iterator[list[str]]:
    """Each window's translations, in order; no progress bar for lines typed at a terminal, where it would stand
    among them."""
    typed = total is None and sys.stdin.isatty()
    for translated in translated_windows(translator, windows, options, terms, total=total, done=done, progress=not typed):
        yield [t.text for t in translated]


def input_settings(path: Path | None) -> dict | None:
    """What tells a changed input file: its path, size and modification time (as make and git tell)."""
    if path is None:
        return None
    st = path.stat()
    return {"path": str(path.resolve()), "bytes": st.st_size, "mtime_ns": st.st_mtime_ns}


def translate_to(translator: Translator, path: Path | None, options: DecodeOptions, out: Path | None,
                 settings: dict, glossary: Glossary | None = None) -> int:
    """Translate the file's (or stdin's) lines to out (or stdout); the number of lines written (out: with those of
    the run it continues). settings: what the translation depends on (model, search, glossary), which a continued
    --out run must share. glossary: its terms in the model's languages are applied (training/glossary.py)."""
    terms = terms_for(translator, glossary)
    total = counted_lines(path) if path is not None else None
    if out is None:
        count = 0
        for window in translated_lines(translator, input_windows(path), options, terms, total):
            sys.stdout.write("".join(f"{text}\n" for text in window))
            sys.stdout.flush()
            count += len(window)
        return count
    if path is None and Partial(out).lines_path.exists():
        raise ValueError(f"{Partial(out).lines_path}: an unfinished run's lines; standard input cannot be continued "
                         f"from where it stopped: give the input as a file, or delete it to start over")
    return _to_file(translator, path, options, terms, Partial(out), {"input": input_settings(path), **settings}, total)


def _to_file(translator: Translator, path: Path | None, options: DecodeOptions, terms: Terms, partial: Partial,
             settings: dict, total: int | None) -> int:
    """The lines translated into partial's file, then renamed to its out; ValueError, one line, for a file that
    cannot be written (no permission, a full disk), the lines done so far kept."""
    if partial.out.is_dir():
        raise ValueError(f"{partial.out} is a directory: --out names the file to write")
    try:
        return _written(translator, path, options, terms, partial, settings, total)
    except OSError as e:  # (named as the file the user sees, not a temporary one beside it)
        raise ValueError(f"{partial.lines_path}: cannot write ({e.strerror or e})") from None


def _written(translator: Translator, path: Path | None, options: DecodeOptions, terms: Terms, partial: Partial,
             settings: dict, total: int | None) -> int:
    done = partial.resumed(settings)
    if done:
        print(f"continuing {partial.lines_path} after its {done:,} lines"
              + (f" (of {total:,})" if total is not None else ""), file=sys.stderr)
    count = 0
    try:
        with open(partial.lines_path, "a", encoding="utf-8", newline="\n") as handle:
            for window in translated_lines(translator, input_windows(path, done), options, terms, total, done):
                handle.write("".join(f"{text}\n" for text in window))
                handle.flush()
                os.fsync(handle.fileno())  # what a later run counts as done is on disk
                count += len(window)
    except KeyboardInterrupt:
        print(f"{done + count:,} lines are done, in {partial.lines_path}: the same command continues after them",
              file=sys.stderr)
        raise
    partial.finish()
    return done + count
