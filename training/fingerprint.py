"""Content fingerprints of corpus files (sha256 of their bytes), which key the prepared cache and tell --resume
that a corpus changed. Hashing gigabytes takes seconds, so each file's hash is remembered beside its size, mtime
and inode in the cache directory, and recomputed only when one of those changed (as git's index does)."""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from nmt.training.compressed import open_raw
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
    with open_raw(path) as handle:
        try:
            return _sha256(handle)
        except OSError as e:  # (an I/O error past the open)
            raise CorpusError(f"{path}: cannot read file ({e.strerror})") from None


def _sha256(handle: BinaryIO, chunk: int = 8 << 20) -> str:
    """The hex sha256 of the rest of the file, the next chunk read in a thread while this one is hashed: both
    release the GIL, so a file coming from disk costs the slower of the two, not their sum."""
    digest = hashlib.sha256()
    with ThreadPoolExecutor(1) as reader:
        pending = reader.submit(handle.read, chunk)
        while data := pending.result():
            pending = reader.submit(handle.read, chunk)
            digest.update(data)
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
