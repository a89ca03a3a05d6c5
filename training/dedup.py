"""Exact duplicate pairs, found in fixed memory: each pair's 64-bit fingerprint goes into an open-addressing hash
table of a size fixed in advance (data.filters.dedup_memory_mb), checked a chunk of pairs at a time with numpy.

Two different pairs share a fingerprint with probability about n^2 / 2^65 (1e-5 for 10M pairs). Once the table is
3/4 full, later pairs are no longer checked (and `full` says so): memory stays bounded whatever the corpus."""
from __future__ import annotations

import hashlib

import numpy as np

MAX_LOAD = 0.75


def fingerprint(pair: bytes) -> bytes:
    """8 bytes of a normalised pair's "source\ttarget" (UTF-8; unambiguous: normalised text has no tab), which
    read as a uint64 and made odd (0 marks an empty slot) are what SeenPairs takes."""
    return hashlib.blake2b(pair, digest_size=8).digest()


class SeenPairs:
    def __init__(self, memory_mb: int):
        slots = 1 << max(10, (memory_mb * 2**20 // 8).bit_length() - 1)  # a power of two: slot = hash & mask
        self.table = np.zeros(slots, dtype=np.uint64)
        self.mask = np.uint64(slots - 1)
        self.count = 0
        self.full = False

    def first_seen(self, hashes: np.ndarray) -> np.ndarray:
        """For each fingerprint (uint64, odd), whether it is the first of its value (here and in earlier calls)."""
        new = np.zeros(len(hashes), dtype=bool)
        _, first = np.unique(hashes, return_index=True)  # a repeat within the chunk is no first
        if self.full or self.count + len(first) > MAX_LOAD * len(self.table):
            self.full = True
            new[first] = True
            return new
        pending, slot = first, hashes[first] & self.mask
        while pending.size:
            current = self.table[slot]
            found = current == hashes[pending]
            empty = current == 0
            claims = np.flatnonzero(empty)
            _, winners = np.unique(slot[claims], return_index=True)  # two new fingerprints may want one slot
            won = claims[winners]
            self.table[slot[won]] = hashes[pending[won]]
            new[pending[won]] = True
            go_on = ~found
            go_on[won] = False
            step = (~empty).astype(np.uint64)  # a loser of a claim looks at the same slot again, now taken
            pending, slot = pending[go_on], (slot[go_on] + step[go_on]) & self.mask
        self.count += int(new.sum())
        return new
