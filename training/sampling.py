"""A uniform random sample of a stream of unknown length, in one pass and fixed memory (reservoir sampling,
Vitter's algorithm R, vectorized): SentencePiece learns from data.spm_sample sentences, not from all of them."""
from __future__ import annotations

import numpy as np


class Reservoir:
    """Row numbers 0, 1, 2, ... offered in order; `rows` holds a uniform sample of `size` of them."""

    def __init__(self, size: int, seed: int):
        self.size, self.seen = size, 0
        self.rows = np.zeros(0, dtype=np.int64)
        self.rng = np.random.default_rng(seed)

    def offer(self, n: int) -> None:
        """The next n rows."""
        rows = np.arange(self.seen, self.seen + n, dtype=np.int64)
        fill = min(n, self.size - len(self.rows))
        self.rows = np.concatenate([self.rows, rows[:fill]])
        rest = rows[fill:]
        if rest.size:
            slot = self.rng.integers(0, rest + 1)  # row i takes slot j, uniform in 0..i, if j < size
            hit = slot < self.size
            slots, taken = slot[hit][::-1], rest[hit][::-1]
            _, last = np.unique(slots, return_index=True)  # of two rows for one slot, the later one stays
            self.rows[slots[last]] = taken[last]
        self.seen += n

    def sorted(self) -> np.ndarray:
        return np.sort(self.rows)
