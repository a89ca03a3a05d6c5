"""Attention over the encoder states: additive (Bahdanau) or multiplicative (Luong "general").

Both score a decoder query against precomputed keys, then take the softmax-weighted sum of the states:
    bahdanau: e_tj = v^T tanh(W s + U h_j)      luong: e_tj = s^T (W h_j)
    a_t = softmax(e_t);  ctx_t = sum_j a_tj h_j
"""
from __future__ import annotations

import torch
from torch import nn


def attend(scores: torch.Tensor, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """scores (B,T,S), states (B,S,M), mask (B,S) -> context (B,T,M), weights (B,T,S)."""
    weights = scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(dim=-1)
    return weights @ states, weights


class LuongAttention(nn.Module):
    def __init__(self, query_size: int, state_size: int):
        super().__init__()
        self.key = nn.Linear(state_size, query_size, bias=False)

    def keys(self, states: torch.Tensor) -> torch.Tensor:  # (B,S,M) -> (B,S,Q)
        return self.key(states)

    def forward(self, query, keys, states, mask):  # query (B,T,Q)
        return attend(query @ keys.transpose(1, 2), states, mask)


class BahdanauAttention(nn.Module):
    def __init__(self, query_size: int, state_size: int, attn_size: int | None = None):
        super().__init__()
        attn_size = attn_size or query_size
        self.key = nn.Linear(state_size, attn_size, bias=False)
        self.query = nn.Linear(query_size, attn_size, bias=True)
        self.v = nn.Linear(attn_size, 1, bias=False)

    def keys(self, states: torch.Tensor) -> torch.Tensor:  # (B,S,M) -> (B,S,A)
        return self.key(states)

    def forward(self, query, keys, states, mask):  # query (B,T,Q)
        energy = torch.tanh(self.query(query)[:, :, None, :] + keys[:, None, :, :])  # (B,T,S,A)
        return attend(self.v(energy).squeeze(-1), states, mask)


def make_attention(kind: str, query_size: int, state_size: int) -> nn.Module | None:
    if kind == "none":
        return None
    return {"luong": LuongAttention, "bahdanau": BahdanauAttention}[kind](query_size, state_size)
