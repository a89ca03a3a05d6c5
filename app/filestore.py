"""Translated files waiting to be downloaded (POST /translate_file answers a URL, GET /download_file/ID serves it).

Bounded twice: at most `count` files, the oldest dropped first, and each for at most `ttl_s` seconds. They live in a
private temporary directory made at the first file and removed by close(), or, with NMT_FILES_DIR, in a directory
that every replica mounts, where any replica serves any file and the bounds hold over all of them.

The directory is the index, so both places are one store: a file is one entry named by its ID, its first line the
download's name and media type (JSON), the rest its content, its modification time when it was stored. It is written
under another name and renamed into place, so a reader (on any replica) sees the whole file with its metadata or
nothing. Any replica may remove any file at any time: one already gone is no error, and a download that loses the
race finds nothing (404). An ID is 32 random hexadecimal digits, and a download looks up only IDs of that form, so
no ID can name any other path.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

FILE_ID = re.compile(r"[0-9a-f]{32}")
PARTIAL = ".part"  # a file being written; a writer that died leaves one
WRITING_S = 600.0  # a partial file older than this (and than the files' age) was left by a writer that died


@dataclass(frozen=True)
class StoredFile:
    path: Path
    name: str  # the name the download is given
    media_type: str
    at: float  # when it was stored (seconds since the epoch: replicas' clocks, not their uptimes, agree)


class FileStore:
    def __init__(self, count: int, ttl_s: float, clock: Callable[[], float] = time.time, shared: Path | None = None):
        self.count, self.ttl_s, self.clock = count, ttl_s, clock
        self.shared = shared  # a directory other replicas use too: never removed
        self.root: Path | None = shared
        self.lock = threading.Lock()  # makes the private directory once

    def put(self, content: bytes, name: str, media_type: str) -> str:
        """Keep content for download under a new ID."""
        file_id = secrets.token_hex(16)
        header = json.dumps({"name": name, "media_type": media_type}).encode() + b"\n"
        root = self._root()
        _write_atomically(root / file_id, header + content, self.clock())
        self._expire(root)
        return file_id

    def get(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        """The stored file and its content; None for an ID it does not hold (expired, dropped, or never made)."""
        root = self.root
        if not FILE_ID.fullmatch(file_id) or root is None:
            return None
        self._expire(root)
        return _read(root / file_id)

    def close(self) -> None:
        """Remove the private directory and its files (a shared one stays: other replicas serve from it)."""
        with self.lock:
            if self.root is not None and self.shared is None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

    def _root(self) -> Path:
        with self.lock:
            if self.root is None:
                self.root = Path(tempfile.mkdtemp(prefix="nmt-files-"))  # mode 0700
            return self.root

    def _expire(self, root: Path) -> None:
        """Remove the files past their age (and partial ones a writer left), then the oldest beyond count."""
        now = self.clock()
        listed = sorted(_listing(root))  # oldest first
        expired = {name for at, name in listed if at < now - self._kept_s(name)}
        kept = [name for at, name in listed if name not in expired and not name.endswith(PARTIAL)]
        for name in [*expired, *kept[:-self.count]]:
            (root / name).unlink(missing_ok=True)

    def _kept_s(self, name: str) -> float:
        """How long a file is kept; a partial one, for as long as it may still be being written, too."""
        return max(self.ttl_s, WRITING_S) if name.endswith(PARTIAL) else self.ttl_s


def writable_directory(path: Path) -> Path:
    """path, if a file can be written in it; else ValueError, in one line (NMT_FILES_DIR, checked at start)."""
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        raise ValueError(f"{path} is not a directory this server can write in ({e.strerror or e})") from None
    return path


def _write_atomically(path: Path, data: bytes, at: float) -> None:
    """Write path whole, then date it by the store's clock (a shared volume's own clock may not be the replicas')."""
    partial = path.with_suffix(PARTIAL)
    partial.write_bytes(data)
    os.replace(partial, path)
    try:
        os.utime(path, (at, at))
    except FileNotFoundError:  # dropped already, by another replica keeping the count
        pass


def _listing(root: Path) -> Iterator[tuple[float, str]]:
    """(when stored, name) of each stored or partial file; other names in the directory are not the store's."""
    with os.scandir(root) as entries:
        for entry in entries:
            if FILE_ID.fullmatch(entry.name.removesuffix(PARTIAL)):
                try:
                    yield entry.stat().st_mtime, entry.name
                except FileNotFoundError:  # removed meanwhile, by another replica or thread
                    continue


def _read(path: Path) -> tuple[StoredFile, bytes] | None:
    """A stored file and its content; None if it is gone (removed meanwhile, even while read) or not the store's."""
    try:
        # (not through a link: whoever else writes in a shared volume names no file outside it for a download)
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
            at = os.fstat(f.fileno()).st_mtime
            name, media_type = _metadata(f.readline())
            return StoredFile(path, name, media_type, at), f.read()
    except (OSError, ValueError):  # (OSError: NFS's ESTALE for a file removed by another client while read)
        return None


def _metadata(line: bytes) -> tuple[str, str]:
    meta = json.loads(line)
    if not (isinstance(meta, dict) and isinstance(meta.get("name"), str) and isinstance(meta.get("media_type"), str)):
        raise ValueError("not a stored file's metadata")
    return meta["name"], meta["media_type"]
