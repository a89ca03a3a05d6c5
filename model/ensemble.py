"""Several networks of one vocabulary searched as one: at every step the mean of their next-token distributions,

    p(y_t | y_<t, x) = 1/N  sum_i  p_i(y_t | y_<t, x)

(a step gives search log sum_i p_i, and search's log_softmax divides by N). Networks trained apart (other seeds,
other encoder cells) err apart, so their mean errs less: the README's "Ensembles" table measures what that buys.

Search (model/search.py) moves a sentence's memory and state rows without knowing their contents, so an ensemble's
are its members' side by side along the last dimension (the members' layer sizes are equal, so each is an equal
chunk): the encoder summaries and states (B,S,N*M), the decoder states (L,B,N*H).
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nmt.model.config import ModelConfig
from nmt.model.decoder import Memory, SearchModel, State

# What must agree for the members' rows to lie side by side, their distributions to be over the same subwords, and
# their sources to be masked alike (names).
MUST_AGREE = ("src_vocab_size", "tgt_vocab_size", "placeholders", "names", "emb_dim", "enc_hidden", "dec_cell",
              "dec_hidden", "dec_layers", "attention")


def mismatch(first: ModelConfig, other: ModelConfig) -> str | None:
    """Why two networks cannot be ensembled ("dec_hidden 512 against 256"), or None if they can."""
    for name in MUST_AGREE:
        a, b = getattr(first, name), getattr(other, name)
        if a != b:
            return f"{name} {b} against {a}"
    return None


class Ensemble(nn.Module):
    """A SearchModel over N members (each a SearchModel: Seq2Seq or the Translator's InferenceModel)."""

    def __init__(self, members: Sequence[SearchModel]):
        super().__init__()
        assert len(members) > 1, "an ensemble of one network is the network"
        for other in members[1:]:
            problem = mismatch(members[0].cfg, other.cfg)
            assert problem is None, f"members that cannot be ensembled: {problem}"
        self.members = nn.ModuleList(members)  # type: ignore[arg-type]  # registered: eval(), int8, state_dict
        self.cfg = members[0].cfg
        self.decoder = EnsembleDecoder(members)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Memory:
        return join_memories([member.encode(src, src_len) for member in self.decoder.members])


class EnsembleDecoder:
    """The Decoding of an Ensemble: each member steps on its chunk of the rows; their distributions are averaged."""

    def __init__(self, members: Sequence[SearchModel]):
        self.members = list(members)

    def initial_state(self, memory: Memory) -> State:
        parts = split_memory(memory, len(self.members))
        return join_states([m.decoder.initial_state(part) for m, part in zip(self.members, parts, strict=True)])

    def step(self, prev: torch.Tensor, state: State,
             memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """prev (n,) -> logits (n,V) whose softmax is the members' mean distribution: log sum_i p_i, which search's
        log_softmax turns into log of the mean (PAD and BOS at -inf, as each member's); the new state; the members'
        mean attention (n,S) or None."""
        n = len(self.members)
        steps = [m.decoder.step(prev, s, part)
                 for m, s, part in zip(self.members, split_state(state, n), split_memory(memory, n), strict=True)]
        # One softmax per member and one log, not a logsumexp over their stacked log_softmax: fewer passes over (n,V).
        total = steps[0][0].softmax(-1)
        for logits, _, _ in steps[1:]:
            total.add_(logits.softmax(-1))
        weights = [w for _, _, w in steps if w is not None]
        attention = torch.stack(weights).mean(0) if weights else None
        return total.log_(), join_states([s for _, s, _ in steps]), attention


def _cat(tensors: list[torch.Tensor | None]) -> torch.Tensor | None:
    """Side by side along the last dimension; None (a tensor this kind of decoder does not cache) stays None."""
    return None if tensors[0] is None else torch.cat(tensors, -1)  # type: ignore[arg-type]


def _chunks(t: torch.Tensor | None, n: int) -> list[torch.Tensor | None]:
    return [None] * n if t is None else list(t.chunk(n, -1))


def join_memories(parts: list[Memory]) -> Memory:
    """The members' memories as one: every per-sentence tensor side by side; the mask is the same for all."""
    states = _cat([p.states for p in parts])
    summary = _cat([p.summary for p in parts])
    assert states is not None and summary is not None
    return Memory(states, parts[0].mask, summary, _cat([p.keys for p in parts]), _cat([p.gates for p in parts]),
                  _cat([p.fixed for p in parts]))


def split_memory(memory: Memory, n: int) -> list[Memory]:
    """join_memories undone: views, no copies."""
    columns = zip(memory.states.chunk(n, -1), memory.summary.chunk(n, -1), _chunks(memory.keys, n),
                  _chunks(memory.gates, n), _chunks(memory.fixed, n), strict=True)
    return [Memory(states, memory.mask, summary, keys, gates, fixed) for states, summary, keys, gates, fixed in columns]


def join_states(states: list[State]) -> State:
    if isinstance(states[0], tuple):  # LSTM decoders: (h, c)
        pairs = [s for s in states if isinstance(s, tuple)]
        return torch.cat([h for h, _ in pairs], -1), torch.cat([c for _, c in pairs], -1)
    return torch.cat([s for s in states if isinstance(s, torch.Tensor)], -1)


def split_state(state: State, n: int) -> list[State]:
    if isinstance(state, tuple):
        return [(h.contiguous(), c.contiguous()) for h, c in zip(state[0].chunk(n, -1), state[1].chunk(n, -1), strict=True)]
    return [s.contiguous() for s in state.chunk(n, -1)]
