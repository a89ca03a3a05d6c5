"""Attention over the encoder states: additive (Bahdanau) or multiplicative (Luong "general").

Both score a decoder query against precomputed keys, then take the softmax-weighted sum of the states:
    bahdanau: e_tj = v^T tanh(W s + U h_j)      luong: e_tj = s^T (W h_j)
    a_t = softmax(e_t);  ctx_t = sum_j a_tj h_j

Bahdanau's tanh is computed through the sigmoid, tanh(x) = 2 sigmoid(2x) - 1, so that its energies take one pass:
    v^T tanh(x_tj) = 2 v^T sigmoid(2 W s + 2 U h_j) - sum(v)
The constant sum(v) is the same for every j and the softmax ignores it, so it is left out; the keys hold 2 U h_j.
(On the CPU torch's sigmoid is several times faster than its tanh (benchmarks/README.md); the (T,S,A) energies are
the bulk of the work.)
"""
from __future__ import annotations

from functools import partial

import torch
from torch import nn

from nmt.model import invariant
from nmt.model.batching import padded_batches

# Decoding computes Bahdanau energies for at most this many (query, state, unit) triples at once, a few sentences
# at a time: a large batch's (B,T,S,A) tensor (beam search: B sentences x K hypotheses) is tens of MB, freshly
# allocated, written and read back at every step; in pieces of 1 MB it stays in cache and its memory is reused.
# Each piece reaches only as far as its longest source (the rest is padding, which the softmax masks anyway).
# Training keeps every step's energies for the backward pass anyway: there, pieces would only add autograd work.
ENERGY_CHUNK = 1 << 18


def attend(scores: torch.Tensor, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """scores (B,T,S), states (B,S,M), mask (B,S) -> context (B,T,M), weights (B,T,S)."""
    weights = scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(dim=-1)
    return invariant.bmm(weights, states), weights


class LuongAttention(nn.Module):
    def __init__(self, query_size: int, state_size: int):
        super().__init__()
        self.key = nn.Linear(state_size, query_size, bias=False)

    def keys(self, states: torch.Tensor) -> torch.Tensor:  # (B,S,M) -> (B,S,Q)
        return self.key(states)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, states: torch.Tensor, mask: torch.Tensor,
                product: invariant.Product = invariant.direct) -> tuple[torch.Tensor, torch.Tensor]:  # query (B,T,Q)
        """product: unused (Luong's products are attention's batched products, batch invariant as they are)."""
        return attend(invariant.bmm(query, keys, transpose_b=True), states, mask)


class BahdanauAttention(nn.Module):
    def __init__(self, query_size: int, state_size: int, attn_size: int | None = None):
        super().__init__()
        attn_size = attn_size or query_size
        self.key = nn.Linear(state_size, attn_size, bias=False)
        self.query = nn.Linear(query_size, attn_size, bias=True)
        self.v = nn.Linear(attn_size, 1, bias=False)

    def keys(self, states: torch.Tensor) -> torch.Tensor:  # (B,S,M) -> (B,S,A), 2 U h_j
        return 2 * self.key(states)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, states: torch.Tensor, mask: torch.Tensor,
                product: invariant.Product = invariant.direct) -> tuple[torch.Tensor, torch.Tensor]:  # query (B,T,Q)
        """product: how the layers are applied (exact search: invariant.rows)."""
        if torch.is_grad_enabled():  # training: all at once
            return attend(self.scores(2 * self.query(query), keys, self.v), states, mask)
        q = 2 * product(self.query, query)  # (B,T,A), 2 W s
        v = partial(product, self.v)
        scores = q.new_zeros(q.size(0), q.size(1), keys.size(1))  # (B,T,S); padding stays 0, masked by attend
        for start, end, width in pieces(mask.sum(1).tolist(), ENERGY_CHUNK // (q.size(1) * keys.size(2))):
            scores[start:end, :, :width] = self.scores(q[start:end], keys[start:end, :width], v)
        return attend(scores, states, mask)

    @staticmethod
    def scores(q: torch.Tensor, keys: torch.Tensor, v: invariant.Layer) -> torch.Tensor:
        """q (b,T,A), keys (b,S,A), v the (A -> 1) product -> e (b,T,S), up to the constant sum(v)."""
        energy = torch.sigmoid_(q[:, :, None, :] + keys[:, None, :, :])  # (b,T,S,A)
        return 2 * v(energy).squeeze(-1)


def pieces(lengths: list[int], budget: int) -> list[tuple[int, int, int]]:
    """Consecutive runs of rows, (start, end, longest length among them), each within the token budget."""
    return [(run[0], run[-1] + 1, max(lengths[i] for i in run))
            for run in padded_batches(lengths, budget, order=range(len(lengths)))]


Attention = LuongAttention | BahdanauAttention


def make_attention(kind: str, query_size: int, state_size: int) -> Attention | None:
    if kind == "none":
        return None
    attention: type[Attention] = {"luong": LuongAttention, "bahdanau": BahdanauAttention}[kind]
    return attention(query_size, state_size)
