"""model/batching.py: the numpy token-budget rule cuts exactly where the rule's plain statement does."""
from __future__ import annotations

import random

import numpy as np

from nmt.model.batching import batch_bounds, padded_batches


def reference(lengths, budget, order):
    """The rule as written before it moved to numpy: grow a batch while (rows + 1) x longest fits the budget."""
    batches, current, longest = [], [], 0
    for i in order:
        if current and (len(current) + 1) * max(longest, lengths[i]) > budget:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, lengths[i])
    return batches + [current] if current else batches


def test_padded_batches_equals_the_plain_rule_on_random_inputs():
    rng = random.Random(0)
    for case in range(2000):
        lengths = [rng.randint(0, 40) for _ in range(rng.randint(0, 60))]
        budget = rng.randint(0, 150)
        order = rng.sample(range(len(lengths)), len(lengths)) if case % 2 else None
        expected = reference(lengths, budget, sorted(range(len(lengths)), key=lengths.__getitem__) if order is None
                             else order)
        assert padded_batches(lengths, budget, order) == expected, (lengths, budget, order)


def test_batch_bounds_on_a_large_array():
    lengths = np.random.default_rng(0).integers(1, 100, 200_000)
    bounds = batch_bounds(lengths, 3000)
    assert bounds[0] == 0 and bounds[-1] == len(lengths) and np.all(np.diff(bounds) > 0)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        assert (b - a) * lengths[a:b].max() <= 3000 or b - a == 1
