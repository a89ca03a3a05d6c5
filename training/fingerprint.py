"""Content fingerprints of corpus files (sha256 of their bytes), which key the prepared cache and tell --resume
that a corpus changed. Hashing gigabytes takes seconds, so each file's hash is remembered beside its size, mtime
and inode in the cache directory, and recomputed only when one of those changed (as git's index does)."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import partial
from pathlib import Path
from typing import BinaryIO

from nmt.training.errors import CorpusError
from nmt.training.files import write_atomic

KNOWN = "fingerprints.json"


def _stat_key(path: Path) -> list[int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise CorpusError(f"{path}: file not found") from None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def file_hash(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            return _sha256(handle)
    except OSError as e:
        raise CorpusError(f"{path}: cannot read file ({e.strerror})") from None


def _sha256(handle: BinaryIO) -> str:
    """The hex sha256 of the rest of the file: hashlib.file_digest where there is one (Python >= 3.11)."""
    if sys.version_info >= (3, 11):
        return hashlib.file_digest(handle, "sha256").hexdigest()
    digest = hashlib.sha256()
    for chunk in iter(partial(handle.read, 1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def fingerprints(paths: list[Path], cache_dir: Path) -> dict[str, str]:
    """{path: sha256} of each file, reusing the hashes of files unchanged since they were last hashed."""
    known_path = cache_dir / KNOWN
    try:
        known = json.loads(known_path.read_text())
    except (OSError, ValueError):
        known = {}
    out, changed = {}, False
    for path in paths:
        name, stat = os.path.realpath(path), _stat_key(path)
        entry = known.get(name)
        if entry is None or entry["stat"] != stat:
            entry = known[name] = {"stat": stat, "sha256": file_hash(path)}
            changed = True
        out[str(path)] = entry["sha256"]
    if changed:
        write_atomic(known_path, json.dumps(known, indent=1))
    return out
