"""Writing files so that a crash or an error never leaves half of one: the old file stays until the new one is
whole (temporary file in the same directory, fsync, then os.replace)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class OutputError(ValueError):
    """An output directory that cannot be made: a file in its way, no permission, ... (a ValueError: bad input,
    which `nmt translate-file` reports for the one file and goes on with the others)."""


def make_dir(path: Path) -> None:
    """mkdir -p, whose failure names the directory and, when a file stands where a directory must be, that file
    (pathlib's own errors name neither usefully: "[Errno 17] File exists", or a traceback for "Not a directory")."""
    blocker = next((p for p in (path, *path.parents) if os.path.lexists(p) and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"{path}: cannot make this directory: {blocker} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{path}: cannot make this directory ({e.strerror or e})") from None


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Open a stand-in for path ("w": UTF-8 text with \\n line ends, "wb": bytes); it replaces path when the block
    ends without an exception, and is deleted otherwise. The file is readable by all (0644), as open() makes it."""
    path = Path(path)
    make_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise cannot_write(path, e) from None
    try:
        handle = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except OSError as e:  # a full disk, mostly: in the block's writes, or at the flush that finds it
        raise cannot_write(path, e) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def cannot_write(path: Path, e: OSError) -> OutputError:
    """The one line for a file that could not be written (a full disk, no permission), naming the file the user
    knows, not a temporary one beside it; os.strerror's words, not OSError's "[Errno 28] ..."."""
    return OutputError(f"{path}: cannot write ({e.strerror or e})")


def write_atomic(path: str | Path, data: str | bytes) -> None:
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)
