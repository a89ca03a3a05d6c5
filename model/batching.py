"""The one token-budget rule: a batch costs its rows times its longest sequence (a padded tensor).

Training batches, the Translator's batches, the service's encoder chunks and the Bahdanau energy pieces are all cut
with padded_batches.
"""
from __future__ import annotations

from collections.abc import Iterable


def padded_batches(lengths: list[int], budget: int, order: Iterable[int] | None = None) -> list[list[int]]:
    """The indices in order (default: shortest first), cut into batches whose padded size, rows x longest length,
    stays within budget; one longer than the budget makes a batch alone."""
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in sorted(range(len(lengths)), key=lengths.__getitem__) if order is None else order:
        if current and (len(current) + 1) * max(longest, lengths[i]) > budget:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, lengths[i])
    return batches + [current] if current else batches
