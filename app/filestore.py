"""Translated files waiting to be downloaded (POST /translate_file answers a URL, GET /download_file/ID serves it).

Bounded twice: at most `count` files, the oldest dropped first, and each for at most `ttl_s` seconds. They live in
a private temporary directory made at the first file and removed by close(). An ID is 32 random hexadecimal digits,
and a download looks up only IDs of that form in the store's own index, so no ID can name any other path.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FILE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class StoredFile:
    path: Path
    name: str  # the name the download is given
    media_type: str
    at: float  # when it was stored


class FileStore:
    def __init__(self, count: int, ttl_s: float, clock: Callable[[], float] = time.monotonic):
        self.count, self.ttl_s, self.clock = count, ttl_s, clock
        self.files: OrderedDict[str, StoredFile] = OrderedDict()  # oldest first
        self.lock = threading.Lock()
        self.root: Path | None = None

    def put(self, content: bytes, name: str, media_type: str) -> str:
        """Keep content for download under a new ID (written atomically: a download never sees half a file)."""
        file_id = secrets.token_hex(16)
        with self.lock:
            if self.root is None:
                self.root = Path(tempfile.mkdtemp(prefix="nmt-files-"))  # mode 0700
            path = self.root / file_id
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            os.replace(partial, path)
            self.files[file_id] = StoredFile(path, name, media_type, self.clock())
            self._expire()
        return file_id

    def get(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        """The stored file and its content; None for an ID it does not hold (expired, dropped, or never made)."""
        if not FILE_ID.fullmatch(file_id):
            return None
        with self.lock:
            self._expire()
            stored = self.files.get(file_id)
            return (stored, stored.path.read_bytes()) if stored is not None else None

    def close(self) -> None:
        with self.lock:
            self.files.clear()
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

    def _expire(self) -> None:
        """Drop files past their age, then the oldest beyond count."""
        oldest_kept = self.clock() - self.ttl_s
        while self.files:
            file_id, stored = next(iter(self.files.items()))
            if stored.at >= oldest_kept and len(self.files) <= self.count:
                break
            del self.files[file_id]
            stored.path.unlink(missing_ok=True)
