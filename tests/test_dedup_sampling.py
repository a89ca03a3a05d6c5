"""training/dedup.py (exact duplicates in fixed memory) and training/sampling.py (the SentencePiece sample)."""
from __future__ import annotations

import numpy as np

from nmt.training.dedup import SeenPairs
from nmt.training.prepared import sample_rows
from nmt.training.sampling import Reservoir


def test_first_seen_marks_the_first_of_each_value_across_chunks():
    values = np.random.default_rng(0).integers(0, 5000, 20_000).astype(np.uint64) * np.uint64(2654435761) | np.uint64(1)
    seen = SeenPairs(1)  # 131,072 slots: the first chunks fill it well past the point where probes collide
    marks = np.concatenate([seen.first_seen(chunk) for chunk in np.array_split(values, 9)])
    _, first = np.unique(values, return_index=True)
    expected = np.zeros(len(values), dtype=bool)
    expected[first] = True
    assert np.array_equal(marks, expected) and not seen.full


def test_a_full_table_stops_checking_instead_of_growing():
    seen = SeenPairs(1)
    values = np.arange(1, 2 * 200_000, 2, dtype=np.uint64)
    assert seen.first_seen(values).all() and seen.full and seen.table.nbytes == 1 << 20


def test_the_reservoir_is_a_uniform_sample_of_the_stream():
    hits = np.zeros(1000)
    for seed in range(1000):
        sample = Reservoir(10, seed)
        for n in (3, 50, 400, 547):
            sample.offer(n)
        assert len(set(sample.rows.tolist())) == 10
        hits[sample.rows] += 1
    assert np.all(np.abs(hits.reshape(10, 100).sum(1) - 1000) < 150)  # each tenth of the stream: 10 % of draws


def test_the_sample_is_the_same_however_the_rows_are_offered():
    """prepared.sample_rows offers a corpus's rows in fixed chunks; until 2026-12-05 the rows were offered as the
    cleaning workers' chunks came: the same rows either way, so the subword models of a fresh cache did not change."""
    for seed in (1, 2):
        chunked = Reservoir(50, seed)
        for n in (7, 300, 1, 1200, 492):
            chunked.offer(n)
        assert sample_rows(2000, 50, seed, chunk=64) == chunked.sorted().tolist() == sample_rows(2000, 50, seed)
    assert sample_rows(2000, 50, 1) != sample_rows(2000, 50, 2)
    assert sample_rows(30, 50, 1) == list(range(30))
