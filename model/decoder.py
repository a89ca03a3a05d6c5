"""GRU decoder conditioned at every step on the source summary c and the previous target token.

Cho et al. (2014):  s_0 = tanh(W c);  s_t = GRU([E y_{t-1}; c], s_{t-1});  p(y_t) = softmax(g(s_t, y_{t-1}, c))
GRU:  z, r = sigma(W x_t + U h_{t-1});  h~ = tanh(W x_t + r * (U h_{t-1}));  h_t = z * h_{t-1} + (1 - z) * h~

Attention replaces c by a context vector ctx_t:
  bahdanau  ctx_t from s_{t-1}, before the step:  s_t = GRU([E y_{t-1}; ctx_t], s_{t-1})   (a loop over t)
  luong     ctx_t from s_t, after the step:       s_t = GRU([E y_{t-1}; c], s_{t-1})       (one RNN call over all t)
Output layer: g = W_out tanh(W_o [s_t; ctx_t; E y_{t-1}]).

Training runs forward() (teacher forcing, one RNN call over all t). Search calls step(), one token at a time;
FastDecoder is the inference-only form of a GRU decoder that computes once per sentence what every step reuses.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast, overload

import torch
from torch import nn

from nmt.model import invariant
from nmt.model.attention import make_attention
from nmt.model.config import ModelConfig
from nmt.model.layers import ScaledEmbedding, WordDropout, make_rnn
from nmt.model.tokenizer import BOS, PAD

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # (L,B,H), or (h, c) for an LSTM


@dataclass
class Memory:
    """What the decoder reads at every step, computed once per batch."""

    states: torch.Tensor  # (B,S,M) encoder outputs h_j
    mask: torch.Tensor  # (B,S) True on real tokens
    summary: torch.Tensor  # (B,M) c
    keys: torch.Tensor | None  # (B,S,A) attention keys of the states
    gates: torch.Tensor | None = None  # (B,3H) FastDecoder: c's share of the GRU input gates, W_c c + b_ih
    fixed: torch.Tensor | None = None  # (B,E) FastDecoder, attention none: c's share of the output layer

    def select(self, rows: torch.Tensor) -> Memory:
        """Rows in a new order (beam expansion, finished sentences leaving the batch)."""
        return Memory(select_rows(self.states, rows), select_rows(self.mask, rows), select_rows(self.summary, rows),
                      select_rows(self.keys, rows), select_rows(self.gates, rows), select_rows(self.fixed, rows))

    @staticmethod
    def place(parts: list[tuple[Memory, torch.Tensor]], rows: int) -> Memory:
        """The rows of several batches in one, each row at its position (place_rows); sources padded to the widest."""
        return Memory(place_rows([(m.states, at) for m, at in parts], rows),
                      place_rows([(m.mask, at) for m, at in parts], rows),
                      place_rows([(m.summary, at) for m, at in parts], rows),
                      place_rows([(m.keys, at) for m, at in parts], rows),
                      place_rows([(m.gates, at) for m, at in parts], rows),
                      place_rows([(m.fixed, at) for m, at in parts], rows))


@overload
def select_rows(t: torch.Tensor, rows: torch.Tensor) -> torch.Tensor: ...
@overload
def select_rows(t: torch.Tensor | None, rows: torch.Tensor) -> torch.Tensor | None: ...
def select_rows(t: torch.Tensor | None, rows: torch.Tensor) -> torch.Tensor | None:
    """t's rows (dim 0) in the order of rows; None stays None (an optional per-sentence tensor)."""
    return None if t is None else t.index_select(0, rows)


@overload
def place_rows(parts: Sequence[tuple[torch.Tensor, torch.Tensor]], rows: int, dim: int = 0) -> torch.Tensor: ...
@overload
def place_rows(parts: Sequence[tuple[torch.Tensor | None, torch.Tensor]], rows: int, dim: int = 0) -> torch.Tensor | None: ...
def place_rows(parts: Sequence[tuple[torch.Tensor | None, torch.Tensor]], rows: int, dim: int = 0) -> torch.Tensor | None:
    """One tensor from several, in one copy of each: part t's row i (along dim) goes to position at[i]; positions
    from `rows` on are cut off (how rows are left out without a second copy). The other dims are as wide as the
    widest part's, zeros (False) where a narrower part does not reach: a shorter source, shorter outputs.
    An optional tensor is None in every part or in none."""
    if parts[0][0] is None:
        return None
    tensors = [t for t, _ in parts if t is not None]
    assert len(tensors) == len(parts), "place_rows: a tensor is None in some parts only"
    shape = [max(t.size(d) for t in tensors) for d in range(tensors[0].dim())]
    shape[dim] = sum(t.size(dim) for t in tensors)
    ragged = any(t.size(d) != shape[d] for t in tensors for d in range(t.dim()) if d != dim)
    out = tensors[0].new_zeros(shape) if ragged else tensors[0].new_empty(shape)
    for t, (_, at) in zip(tensors, parts, strict=True):
        view = out
        for d in range(t.dim()):
            if d != dim:
                view = view.narrow(d, 0, t.size(d))
        view.index_copy_(dim, at, t)
    return out.narrow(dim, 0, rows)


def select_state(state: State, rows: torch.Tensor) -> State:
    if isinstance(state, tuple):
        h, c = state
        return h.index_select(1, rows), c.index_select(1, rows)
    return state.index_select(1, rows)


def place_state(parts: list[tuple[State, torch.Tensor]], rows: int) -> State:
    """place_rows of (L,n,H) states (LSTM: each of (h, c)), rows along dim 1. Every part's state has the first's
    form (they come from one model)."""
    if isinstance(parts[0][0], tuple):
        h = place_rows([(s[0], at) for s, at in parts], rows, dim=1).contiguous()
        c = place_rows([(s[1], at) for s, at in parts], rows, dim=1).contiguous()
        return h, c
    return place_rows(cast(list[tuple[torch.Tensor, torch.Tensor]], parts), rows, dim=1).contiguous()


def initial_state(bridged: torch.Tensor, cfg: ModelConfig) -> State:
    """s_0 = tanh(W c) from W c (B, L*H), one slice per layer; an LSTM's cell starts at zero."""
    h0 = torch.tanh(bridged).view(bridged.size(0), cfg.dec_layers, -1).transpose(0, 1).contiguous()
    return (h0, torch.zeros_like(h0)) if cfg.dec_cell == "lstm" else h0


class Decoding(Protocol):
    """What search needs of a decoder; Decoder (stepped through its teacher-forced forward) and FastDecoder have it."""

    def initial_state(self, memory: Memory) -> State: ...

    def step(self, prev: torch.Tensor, state: State, memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """prev (n,) last tokens -> logits (n,V) with PAD and BOS at -inf, the new state, attention (n,S) or None."""
        ...


class SearchModel(Protocol):
    """What search runs: Seq2Seq, or the Translator's InferenceModel."""

    cfg: ModelConfig

    @property
    def decoder(self) -> Decoding: ...

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Memory: ...


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
        return initial_state(self.bridge(memory.summary), self.cfg)

    def forward(self, prev: torch.Tensor, state: State,
                memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """prev (B,T) previous target ids -> logits (B,T,V), last state, attention (B,T,S) or None."""
        emb = self.dropout(self.word_dropout(self.embed(prev)))  # (B,T,E)
        weights: torch.Tensor | None
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

    def step(self, prev: torch.Tensor, state: State,
             memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """One search step: prev (n,) last tokens -> logits (n,V) with PAD and BOS at -inf, new state, attention
        (n,S) or None. memory has n/K rows: the K hypotheses of a sentence (beam search) share its row."""
        k = prev.size(0) // memory.mask.size(0)
        if k > 1:
            memory = memory.select(torch.arange(memory.mask.size(0), device=prev.device).repeat_interleave(k))
        logits, state, weights = self(prev[:, None], state, memory)
        logits = logits[:, 0]
        logits[:, [PAD, BOS]] = float("-inf")
        return logits, state, None if weights is None else weights[:, 0]

    def _run_bahdanau(self, emb: torch.Tensor, state: State,
                      memory: Memory) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, State]:
        assert self.attention is not None
        outputs, contexts, weights = [], [], []
        for t in range(emb.size(1)):
            top = (state[0] if isinstance(state, tuple) else state)[-1]  # s_{t-1} (B,H)
            ctx, w = self.attention(top[:, None, :], memory.keys, memory.states, memory.mask)  # (B,1,M)
            out, state = self.rnn(torch.cat([emb[:, t : t + 1], ctx], dim=-1), state)
            outputs.append(out)
            contexts.append(ctx)
            weights.append(w)
        return torch.cat(outputs, 1), torch.cat(contexts, 1), torch.cat(weights, 1), state


class FastDecoder(nn.Module):
    """The inference form of a trained one-layer GRU decoder: Decoder.step's function, with what does not change
    over a sentence's steps computed once per sentence, in prepare():

        GRU input gates:   W_ih [E y; c] + b_ih   =  W_y E y        + (W_c c + b_ih)    memory.gates (B,3H)
        attention none:    W_o [s; c; E y] + b_o  =  W_se [s; E y]  + (W_oc c + b_o)    memory.fixed (B,E)

    A step is a GRU cell on W_y E y plus the cached term. With Bahdanau attention the context of s_{t-1} takes
    c's place in the GRU input, so its share, W_c ctx_t + b_ih, is computed at every step instead.
    The embedding's sqrt(E) scale is folded into its table; PAD and BOS get -inf through the output bias. The K
    hypotheses of a sentence (beam search) share its memory row: attention is one product over the sentence's K
    queries, no memory is copied per hypothesis.
    exact: every product batch invariant (model/invariant.py), so that a sentence's search is the same in any batch.
    Training keeps Decoder.forward. The Linear layers (what int8 quantization acts on) hold the decoder's weights
    as they are at construction: build a new FastDecoder after training changes them.
    """

    @staticmethod
    def supports(cfg: ModelConfig) -> bool:
        return cfg.dec_cell == "gru" and cfg.dec_layers == 1

    def __init__(self, dec: Decoder, exact: bool = False):
        super().__init__()
        cfg = dec.cfg
        self.product: invariant.Product = invariant.rows if exact else invariant.direct  # model/invariant.py
        e, h, m = cfg.emb_dim, cfg.dec_hidden, dec.bridge.in_features  # E, H, memory size M
        self.cfg, self.bridge, self.attention = cfg, dec.bridge, dec.attention
        self.embed = nn.Embedding.from_pretrained(dec.embed.weight.detach() * dec.embed.scale)
        w_ih = dec.rnn.weight_ih_l0.detach()  # (3H, E+M): columns for E y, then for c (bahdanau: ctx)
        self.gates_y = linear(w_ih[:, :e])
        self.gates_c = linear(w_ih[:, e:], dec.rnn.bias_ih_l0)
        self.gates_h = linear(dec.rnn.weight_hh_l0, dec.rnn.bias_hh_l0)
        if self.attention is None:
            w_o = dec.combine.weight.detach()  # (E, H+M+E): columns for s, c, E y
            self.combine = linear(torch.cat([w_o[:, :h], w_o[:, h + m :]], dim=1))  # [s; E y]
            self.combine_c = linear(w_o[:, h : h + m], dec.combine.bias)
        else:
            self.combine = dec.combine
        bias = dec.out.bias.detach().clone()
        bias[[PAD, BOS]] = float("-inf")
        self.out = linear(dec.out.weight, bias, stored_transposed=True)

    def initial_state(self, memory: Memory) -> State:
        return initial_state(self.product(self.bridge, memory.summary), self.cfg)  # the same bridge

    def prepare(self, states: torch.Tensor, mask: torch.Tensor, summary: torch.Tensor) -> Memory:
        product = self.product
        keys = product(self.attention.keys, states) if self.attention is not None else None
        fixed = product(self.combine_c, summary) if self.attention is None else None
        gates = product(self.gates_c, summary) if self.cfg.attention != "bahdanau" else None  # bahdanau: per step, of ctx
        return Memory(states, mask, summary, keys, gates, fixed)

    def step(self, prev: torch.Tensor, state: State,
             memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """Decoder.step: prev (n,), state (1,n,H), memory of n/K rows -> logits (n,V), state, attention (n,S)."""
        assert isinstance(state, torch.Tensor)  # a GRU's
        product = self.product
        emb, h = self.embed(prev), state[0]  # (n,E), (n,H)
        if self.cfg.attention == "bahdanau":  # attend with s_{t-1}; the GRU reads [E y; ctx_t]
            ctx, weights = self._attend(h, memory)
            s = self._gru(product(self.gates_y, emb) + product(self.gates_c, ctx), h)
        else:  # the GRU reads [E y; c]; luong attends with s_t
            assert memory.gates is not None  # prepare() computes c's share of the gates unless Bahdanau
            s = self._gru(per_sentence(product(self.gates_y, emb), memory.gates), h)
            if self.attention is None:
                assert memory.fixed is not None  # and c's share of the output layer without attention
                hidden = per_sentence(product(self.combine, torch.cat([s, emb], dim=1)), memory.fixed)
                return product(self.out, tanh_(hidden)), s[None], None
            ctx, weights = self._attend(s, memory)
        hidden = product(self.combine, torch.cat([s, ctx, emb], dim=1))
        return product(self.out, tanh_(hidden)), s[None], weights

    def _attend(self, query: torch.Tensor, memory: Memory) -> tuple[torch.Tensor, torch.Tensor]:
        """query (n,H), K = n/m per sentence -> context (n,M), weights (n,S): one product per sentence."""
        assert self.attention is not None
        n, m = query.size(0), memory.mask.size(0)
        ctx, weights = self.attention(query.view(m, n // m, -1), memory.keys, memory.states, memory.mask,
                                      self.product)  # (m,K,M)
        return ctx.view(n, -1), weights.view(n, -1)

    def _gru(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """GRU cell in torch's gate order (r, z, n): x (n,3H) input gates (b_ih included), h (n,H) -> (n,H)."""
        g, hh = self.product(self.gates_h, h), h.size(1)  # U h + b_hh (n,3H)
        rz = torch.sigmoid(x[:, : 2 * hh] + g[:, : 2 * hh])
        r, z = rz[:, :hh], rz[:, hh:]
        cand = tanh_(torch.addcmul(x[:, 2 * hh :], r, g[:, 2 * hh :]))
        return cand + z * (h - cand)  # (1 - z) cand + z h


def tanh_(x: torch.Tensor) -> torch.Tensor:
    """tanh in place, as 2 sigmoid(2x) - 1 (within 2e-7 of it): on the CPU torch's tanh is several times slower
    than its sigmoid (figures: benchmarks/README.md). Inference only: it overwrites x."""
    return x.mul_(2).sigmoid_().mul_(2).sub_(1)


def per_sentence(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """x (n,D) for n = m*K hypotheses plus y (m,D), one row per sentence -> (n,D)."""
    return (x.view(y.size(0), -1, x.size(1)) + y[:, None]).view(x.shape)


def linear(weight: torch.Tensor, bias: torch.Tensor | None = None, stored_transposed: bool = False) -> nn.Linear:
    """An nn.Linear holding these weights (a module, so that int8 quantization finds it); shares them if it can.
    stored_transposed: the (out, in) weight is a view of an (in, out) copy, the layout in which torch's CPU GEMM
    computes the output layer's (n,E) x (E,V) product fastest (figures: benchmarks/README.md), the same result."""
    layer = nn.utils.skip_init(nn.Linear, weight.size(1), weight.size(0), bias=bias is not None, device=weight.device)
    weight = weight.detach().t().contiguous().t() if stored_transposed else weight.detach().contiguous()
    layer.weight = nn.Parameter(weight, requires_grad=False)
    if bias is not None:
        layer.bias = nn.Parameter(bias.detach(), requires_grad=False)
    return layer
