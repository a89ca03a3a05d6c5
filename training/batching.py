"""Token-budget batches of similar-length pairs, in an order that a seed and an epoch fix."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from nmt.model.batching import padded_batches
from nmt.model.tokenizer import BOS, EOS, PAD

Example = tuple[list[int], list[int]]  # (source ids, target ids), no specials


@dataclass
class Batch:
    src: torch.Tensor  # (B,S) source ids + EOS, PAD-padded
    src_len: torch.Tensor  # (B,)
    tgt_in: torch.Tensor  # (B,T) BOS y_1 .. y_n
    tgt_out: torch.Tensor  # (B,T) y_1 .. y_n EOS
    n_tokens: int  # real target tokens (EOS included)

    def to(self, device: torch.device) -> Batch:
        return Batch(self.src.to(device), self.src_len, self.tgt_in.to(device), self.tgt_out.to(device), self.n_tokens)


def epoch_batches(examples: list[Example], batch_tokens: int, seed: int, epoch: int) -> list[list[int]]:
    """Indices of each batch: sort by length (random tie-break), cut at the token budget, shuffle the batches."""
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    noise = torch.rand(len(examples), generator=gen).tolist()
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][1]), len(examples[i][0]), noise[i]))
    lengths = [max(len(src), len(tgt)) + 1 for src, tgt in examples]  # + EOS (source) or BOS (target)
    batches = padded_batches(lengths, batch_tokens, order)
    perm = torch.randperm(len(batches), generator=gen).tolist()
    return [batches[p] for p in perm]


def collate(examples: list[Example]) -> Batch:
    src = [s + [EOS] for s, _ in examples]
    tgt = [t for _, t in examples]
    n, s_max, t_max = len(examples), max(map(len, src)), max(map(len, tgt)) + 1
    src_t = torch.full((n, s_max), PAD, dtype=torch.long)
    tgt_in = torch.full((n, t_max), PAD, dtype=torch.long)
    tgt_out = torch.full((n, t_max), PAD, dtype=torch.long)
    for row, (s, t) in enumerate(zip(src, tgt, strict=True)):
        src_t[row, : len(s)] = torch.tensor(s)
        tgt_in[row, : len(t) + 1] = torch.tensor([BOS] + t)
        tgt_out[row, : len(t) + 1] = torch.tensor(t + [EOS])
    lengths = torch.tensor([len(s) for s in src])
    return Batch(src_t, lengths, tgt_in, tgt_out, sum(len(t) + 1 for t in tgt))
