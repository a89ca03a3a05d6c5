"""Token-budget batches of similar-length pairs, in an order that a seed and an epoch fix, on the arrays of a
prepared corpus (training/prepared.py): lengths, row numbers and batch bounds are numpy arrays, so memory stays
a few bytes per pair whatever the corpus size, and no pair's ids are read before its batch is made."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import torch

from nmt.model.batching import batch_bounds
from nmt.model.tokenizer import BOS, EOS, PAD
from nmt.training.prepared import PreparedCorpus
from nmt.training.transforms import Transforms, batch_rng

Example = tuple[list[int], list[int]]  # (source ids, target ids), no specials
LENGTH_BITS = 21  # sort key: target length, source length, random tie-break, 21 bits each
# An epoch's plan at its peak, per row: rows, lengths, sort key and order, int64 each (epoch(); tracemalloc measured 48
# bytes a row on 1.9M rows), with a margin
PLAN_BYTES = 64


@dataclass
class Batch:
    src: torch.Tensor  # (B,S) source ids + EOS, PAD-padded
    src_len: torch.Tensor  # (B,)
    tgt_in: torch.Tensor  # (B,T) BOS y_1 .. y_n
    tgt_out: torch.Tensor  # (B,T) y_1 .. y_n EOS
    n_tokens: int  # real target tokens (EOS included)

    def to(self, device: torch.device) -> Batch:
        return Batch(self.src.to(device), self.src_len, self.tgt_in.to(device), self.tgt_out.to(device), self.n_tokens)


@dataclass
class EpochPlan:
    """One epoch: `rows` (pairs of the prepared corpus) sorted by length and cut at `bounds`; batches are trained
    in the order `order` (batch numbers). A rank's share keeps the numbers, which seed the batches' transforms."""

    rows: np.ndarray
    bounds: np.ndarray
    order: np.ndarray

    def __len__(self) -> int:
        return len(self.order)

    def batch_rows(self, i: int) -> np.ndarray:
        """The rows of the i-th batch to train on."""
        b = self.order[i]
        return self.rows[self.bounds[b] : self.bounds[b + 1]]

    def share(self, rank: int, size: int) -> EpochPlan:
        """This rank's batches: every rank gets the same number."""
        per_rank = len(self.order) // size
        return EpochPlan(self.rows, self.bounds, self.order[rank::size][:per_rank])

    def first(self, n: int) -> np.ndarray:
        """The rows of the first n batches to train on."""
        return np.concatenate([self.batch_rows(i) for i in range(n)]) if n else np.zeros(0, np.int64)


class TrainingData:
    """A prepared corpus as training draws from it: usable rows (not over max_len), each corpus's weight, and the
    batches of each epoch, made with the configured transforms."""

    def __init__(self, corpus: PreparedCorpus, weights: list[float], max_len: int, transforms: Transforms | None,
                 seed: int):
        self.corpus, self.weights, self.max_len, self.transforms, self.seed = corpus, weights, max_len, transforms, seed
        self.src_len, self.tgt_len = (lengths.astype(np.int32) for lengths in corpus.lengths())
        self.usable = (self.src_len > 0) & (self.tgt_len > 0) & (self.src_len <= max_len) & (self.tgt_len <= max_len)

    def __len__(self) -> int:
        return int(self.usable.sum())

    def epoch_rows(self) -> int:
        """The rows of an epoch's plan: each corpus's usable rows times its weight (_draw)."""
        return sum(round(weight * int(self.usable[start:end].sum()))
                   for (start, end), weight in zip(self.corpus.ranges, self.weights, strict=True))

    def epoch(self, batch_tokens: int, epoch: int) -> EpochPlan:
        rng = np.random.default_rng([self.seed, epoch])
        rows = self._draw(rng)
        src, tgt = self.src_len[rows].astype(np.int64), self.tgt_len[rows].astype(np.int64)
        key = (tgt << 2 * LENGTH_BITS) | (src << LENGTH_BITS) | rng.integers(0, 1 << LENGTH_BITS, len(rows))
        by_length = np.argsort(key, kind="stable")
        del key
        rows = rows[by_length]
        bounds = batch_bounds(np.maximum(src, tgt)[by_length] + 1, batch_tokens)  # + EOS (source) or BOS (target)
        return EpochPlan(rows, bounds, rng.permutation(len(bounds) - 1))

    def _draw(self, rng: np.random.Generator) -> np.ndarray:
        """The epoch's rows: each corpus's usable rows `weight` times (a fraction: a random part of them)."""
        parts = []
        for (start, end), weight in zip(self.corpus.ranges, self.weights, strict=True):
            rows = np.flatnonzero(self.usable[start:end]).astype(np.int64) + start
            whole, part = divmod(weight, 1)
            parts += [rows] * int(whole)
            if part:
                parts.append(np.sort(rng.choice(rows, round(part * len(rows)), replace=False)))
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def batch(self, rows: np.ndarray, epoch: int, number: int) -> Batch:
        """The batch of these rows; transforms draw from a generator seeded by (seed, epoch, batch number)."""
        if self.transforms is None:
            return collate([self.corpus.ids(int(r)) for r in rows])
        pairs = [self.corpus.text(int(r)) for r in rows]
        examples = self.transforms(pairs, batch_rng(self.seed, epoch, number))
        return collate([(s[: self.max_len], t[: self.max_len]) for s, t in examples])

    def seen(self, rows: np.ndarray) -> dict[str, int]:
        """Pairs of each corpus among rows."""
        counts = np.bincount(self.corpus.corpus_of(rows), minlength=len(self.corpus.names))
        return {name: int(n) for name, n in zip(self.corpus.names, counts, strict=True)}


def collate(examples: list[Example]) -> Batch:
    src_len = np.array([len(s) + 1 for s, _ in examples], np.int64)  # + EOS
    tgt_len = np.array([len(t) + 1 for _, t in examples], np.int64)  # + BOS (in), + EOS (out)
    return Batch(padded([s + [EOS] for s, _ in examples], src_len), torch.from_numpy(src_len),
                 padded([[BOS] + t for _, t in examples], tgt_len), padded([t + [EOS] for _, t in examples], tgt_len),
                 int(tgt_len.sum()))


def padded(rows: list[list[int]], lengths: np.ndarray) -> torch.Tensor:
    """(B, longest) ids, PAD after each row's end: filled in one assignment, not row by row."""
    out = np.full((len(rows), int(lengths.max())), PAD, np.int64)
    out[np.arange(out.shape[1]) < lengths[:, None]] = np.fromiter(chain.from_iterable(rows), np.int64, int(lengths.sum()))
    return torch.from_numpy(out)
