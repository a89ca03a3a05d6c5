"""GRU decoder conditioned at every step on the source summary c and the previous target token.

Cho et al. (2014):  s_0 = tanh(W c);  s_t = GRU([E y_{t-1}; c], s_{t-1});  p(y_t) = softmax(g(s_t, y_{t-1}, c))
GRU:  z, r = sigma(W x_t + U h_{t-1});  h~ = tanh(W x_t + r * (U h_{t-1}));  h_t = z * h_{t-1} + (1 - z) * h~

Attention replaces c by a context vector ctx_t:
  bahdanau  ctx_t from s_{t-1}, before the step:  s_t = GRU([E y_{t-1}; ctx_t], s_{t-1})   (a loop over t)
  luong     ctx_t from s_t, after the step:       s_t = GRU([E y_{t-1}; c], s_{t-1})       (one RNN call over all t)
Output layer: g = W_out tanh(W_o [s_t; ctx_t; E y_{t-1}]).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import nn

from model.attention import make_attention
from model.config import ModelConfig
from model.layers import ScaledEmbedding, WordDropout, make_rnn
from model.tokenizer import PAD

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # (L,B,H), or (h, c) for an LSTM


@dataclass
class Memory:
    """What the decoder reads at every step, computed once per batch."""

    states: torch.Tensor  # (B,S,M) encoder outputs h_j
    mask: torch.Tensor  # (B,S) True on real tokens
    summary: torch.Tensor  # (B,M) c
    keys: torch.Tensor | None  # (B,S,A) attention keys of the states

    def select(self, rows: torch.Tensor) -> Memory:
        """Rows in a new order (beam expansion, finished sentences leaving the batch)."""
        pick = lambda t: None if t is None else t.index_select(0, rows)  # noqa: E731
        return replace(self, states=pick(self.states), mask=pick(self.mask),
                       summary=pick(self.summary), keys=pick(self.keys))


def select_state(state: State, rows: torch.Tensor) -> State:
    if isinstance(state, tuple):
        return tuple(s.index_select(1, rows) for s in state)
    return state.index_select(1, rows)


class Decoder(nn.Module):
    def __init__(self, cfg: ModelConfig, memory_size: int):
        super().__init__()
        self.cfg = cfg
        self.embed = ScaledEmbedding(cfg.tgt_vocab_size, cfg.emb_dim, PAD)
        self.word_dropout = WordDropout(cfg.word_dropout)
        self.dropout = nn.Dropout(cfg.dropout)
        self.bridge = nn.Linear(memory_size, cfg.dec_layers * cfg.dec_hidden)
        self.rnn = make_rnn(cfg.dec_cell, cfg.emb_dim + memory_size, cfg.dec_hidden, cfg.dec_layers, cfg.dropout)
        self.attention = make_attention(cfg.attention, cfg.dec_hidden, memory_size)
        self.combine = nn.Linear(cfg.dec_hidden + memory_size + cfg.emb_dim, cfg.emb_dim)
        self.out = nn.Linear(cfg.emb_dim, cfg.tgt_vocab_size)
        if cfg.tie_embeddings:
            self.out.weight = self.embed.weight

    def prepare(self, states: torch.Tensor, mask: torch.Tensor, summary: torch.Tensor) -> Memory:
        keys = self.attention.keys(states) if self.attention is not None else None
        return Memory(states, mask, summary, keys)

    def initial_state(self, memory: Memory) -> State:
        """s_0 = tanh(W c), one slice per layer; an LSTM's cell starts at zero."""
        batch = memory.summary.size(0)
        h0 = torch.tanh(self.bridge(memory.summary)).view(batch, self.cfg.dec_layers, -1).transpose(0, 1).contiguous()
        return (h0, torch.zeros_like(h0)) if self.cfg.dec_cell == "lstm" else h0

    def forward(self, prev: torch.Tensor, state: State, memory: Memory):
        """prev (B,T) previous target ids -> logits (B,T,V), last state, attention (B,T,S) or None."""
        emb = self.dropout(self.word_dropout(self.embed(prev)))  # (B,T,E)
        if self.cfg.attention == "bahdanau":
            outputs, context, weights, state = self._run_bahdanau(emb, state, memory)
        else:
            c = memory.summary[:, None, :].expand(-1, emb.size(1), -1)  # (B,T,M)
            outputs, state = self.rnn(torch.cat([emb, c], dim=-1), state)  # (B,T,H)
            context, weights = c, None
            if self.attention is not None:
                context, weights = self.attention(outputs, memory.keys, memory.states, memory.mask)
        hidden = torch.tanh(self.combine(torch.cat([outputs, context, emb], dim=-1)))  # (B,T,E)
        return self.out(self.dropout(hidden)), state, weights

    def _run_bahdanau(self, emb: torch.Tensor, state: State, memory: Memory):
        outputs, contexts, weights = [], [], []
        for t in range(emb.size(1)):
            top = (state[0] if isinstance(state, tuple) else state)[-1]  # s_{t-1} (B,H)
            ctx, w = self.attention(top[:, None, :], memory.keys, memory.states, memory.mask)  # (B,1,M)
            out, state = self.rnn(torch.cat([emb[:, t : t + 1], ctx], dim=-1), state)
            outputs.append(out)
            contexts.append(ctx)
            weights.append(w)
        return torch.cat(outputs, 1), torch.cat(contexts, 1), torch.cat(weights, 1), state
