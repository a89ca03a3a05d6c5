"""training/fingerprint.py: a corpus file's fingerprint is the sha256 of its bytes (what sha256sum prints), read in
chunks while hashing, and remembered until the file changes."""
from __future__ import annotations

import hashlib
import os

from nmt.training.fingerprint import _sha256, fingerprints


def test_the_fingerprint_is_the_sha256_of_the_file_and_is_remembered(tmp_path):
    data = os.urandom(100_003)
    path = tmp_path / "c.tsv"
    path.write_bytes(data)
    with open(path, "rb") as handle:
        assert _sha256(handle, chunk=4096) == hashlib.sha256(data).hexdigest()
    assert fingerprints([path], tmp_path) == {str(path): hashlib.sha256(data).hexdigest()}
    path.write_bytes(data[:-1])
    assert fingerprints([path], tmp_path) == {str(path): hashlib.sha256(data[:-1]).hexdigest()}, "a changed file"
