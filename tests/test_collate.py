"""training/batching.py collate: a batch's padded tensors, filled in one assignment, are those of the plain rule."""
from __future__ import annotations

import random

import torch

from nmt.model.tokenizer import BOS, EOS, PAD
from nmt.training.batching import collate


def row_by_row(examples):
    """The rule written out: source + EOS, BOS + target, target + EOS, each row padded with PAD to the longest."""
    src, tgt_in, tgt_out = ([s + [EOS] for s, _ in examples], [[BOS] + t for _, t in examples],
                            [t + [EOS] for _, t in examples])

    def pad(rows):
        width = max(map(len, rows))
        return torch.tensor([row + [PAD] * (width - len(row)) for row in rows])

    return pad(src), torch.tensor([len(s) for s in src]), pad(tgt_in), pad(tgt_out), sum(map(len, tgt_out))


def test_collate_is_the_rule_written_out_on_random_batches():
    rng = random.Random(0)
    for _ in range(300):
        examples = [([rng.randrange(4, 9000) for _ in range(rng.randrange(0, 30))],
                     [rng.randrange(4, 9000) for _ in range(rng.randrange(0, 30))]) for _ in range(rng.randrange(1, 20))]
        batch, (src, src_len, tgt_in, tgt_out, n_tokens) = collate(examples), row_by_row(examples)
        for got, want in ((batch.src, src), (batch.src_len, src_len), (batch.tgt_in, tgt_in), (batch.tgt_out, tgt_out)):
            assert got.dtype == want.dtype == torch.int64 and torch.equal(got, want)
        assert batch.n_tokens == n_tokens
