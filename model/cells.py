"""The encoder's seed variants that torch has no kernel for, each a cell, and the bidirectional, stacked layer that
runs such a cell over a padded batch with nn.LSTM's results.

Plain LSTM, in torch's gate order i, f, g, o (the reference the variants are tested against):
    i = σ(W_i x_t + U_i h_{t-1} + b_i);  f = σ(W_f x_t + U_f h_{t-1} + b_f);  g = tanh(W_g x_t + U_g h_{t-1} + b_g)
    c_t = f ⊙ c_{t-1} + i ⊙ g;  o = σ(W_o x_t + U_o h_{t-1} + b_o);  h_t = o ⊙ tanh(c_t)
Peephole LSTM (Gers & Schmidhuber 2000): the gates also see the cell, through diagonal weights p:
    i = σ(W_i x_t + U_i h_{t-1} + p_i ⊙ c_{t-1} + b_i);  f = σ(W_f x_t + U_f h_{t-1} + p_f ⊙ c_{t-1} + b_f)
    o = σ(W_o x_t + U_o h_{t-1} + p_o ⊙ c_t + b_o)       (o sees the new cell c_t)
Coupled input-forget gate, CIFG (Greff et al. 2017): no forget gate of its own, three gates' weights instead of four:
    f = 1 − i,  so  c_t = (1 − i) ⊙ c_{t-1} + i ⊙ g
Each variant differs from the plain LSTM in one thing (this CIFG has no peepholes); both flags together are allowed.

A padded batch is run left-aligned: every row's tokens come first, so a step at a padded position only follows the
row's real ones, and its output is dropped; the final state is each row's at its last token. The backward direction
reverses each row within its length (reversed_prefix), runs forward, and reverses the outputs back, so padding never
reaches it either. This gives what nn.LSTM gives on a packed sequence (tests/test_cells.py compares them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import torch
from torch import nn

from nmt.model.layers import reversed_prefix

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (B,H)


@dataclass(frozen=True)
class LSTMVariant:
    peephole: bool = False
    coupled: bool = False  # CIFG


PLAIN = LSTMVariant()
# Their names in ModelConfig.enc_cell. lstm_loop is the plain LSTM run by this module's Python loop: the control
# that tells, in an ablation at equal wall-clock, what the variants' cells change from what the loop's speed does.
CUSTOM_CELLS = {"peephole_lstm": LSTMVariant(peephole=True), "cifg_lstm": LSTMVariant(coupled=True),
                "lstm_loop": PLAIN}


class LSTMCell(nn.Module):
    """One LSTM step of a variant. The input's share of the gates, W x + b, is computed for all steps at once
    (project); a step adds U h_{t-1}. Both are nn.Linear, so that int8 quantization (model/quantize.py) finds them.
    Every parameter starts uniform in ±1/sqrt(H), as nn.LSTM's do."""

    def __init__(self, input_size: int, hidden: int, variant: LSTMVariant = PLAIN):
        super().__init__()
        self.variant, self.hidden = variant, hidden
        gates = 3 if variant.coupled else 4  # (i, g, o) or (i, f, g, o)
        self.ih = nn.Linear(input_size, gates * hidden)  # W x + b (one bias: nn.LSTM's b_ih + b_hh)
        self.hh = nn.Linear(hidden, gates * hidden, bias=False)  # U h
        self.peep = nn.Parameter(torch.empty(3, hidden)) if variant.peephole else None  # p_i, p_f, p_o
        bound = 1 / math.sqrt(hidden)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """x (B,S,I) -> W x + b (B,S,G*H), every step's at once."""
        return self.ih(x)

    def forward(self, wx: torch.Tensor, state: State) -> State:
        """wx (B,G*H) this step's W x_t + b, state (h_{t-1}, c_{t-1}) -> (h_t, c_t)."""
        h, c = state
        z = wx + self.hh(h)
        z_f: torch.Tensor | None = None  # CIFG has none
        if self.variant.coupled:
            z_i, z_g, z_o = z.chunk(3, dim=1)
        else:
            z_i, z_f, z_g, z_o = z.chunk(4, dim=1)
        if self.peep is not None:
            z_i = z_i + self.peep[0] * c
            z_f = None if z_f is None else z_f + self.peep[1] * c
        i = torch.sigmoid(z_i)
        f = 1 - i if z_f is None else torch.sigmoid(z_f)
        c = f * c + i * torch.tanh(z_g)
        if self.peep is not None:
            z_o = z_o + self.peep[2] * c  # o sees c_t
        return torch.sigmoid(z_o) * torch.tanh(c), c


def run_left_aligned(cell: LSTMCell, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, State]:
    """x (B,S,I) with each row's lengths[b] tokens first -> outputs (B,S,H), zero past a row's length, and each
    row's final (h, c) (B,H), the state after its last token."""
    batch, steps = x.shape[:2]
    wx = cell.project(x)
    h = c = x.new_zeros(batch, cell.hidden)
    hs, cs = [], []
    for t in range(steps):  # a padded step follows the real ones: it changes no output or state that is kept
        h, c = cell(wx[:, t], (h, c))
        hs.append(h)
        cs.append(c)
    h_all, c_all = torch.stack(hs, 1), torch.stack(cs, 1)  # (B,S,H)
    last = (lengths - 1).view(batch, 1, 1).expand(batch, 1, cell.hidden)
    valid = torch.arange(steps, device=x.device)[None, :] < lengths[:, None]  # (B,S)
    return h_all * valid[..., None], (h_all.gather(1, last)[:, 0], c_all.gather(1, last)[:, 0])


class BiLSTM(nn.Module):
    """A stacked bidirectional LSTM of a variant's cells over a padded batch, with dropout between layers: what
    nn.LSTM(bidirectional=True) returns on the packed batch, padded back: outputs (B,S,2H), zero on padding, and
    the final (h_n, c_n), each (layers*2, B, H) in nn.LSTM's order (layer 0 forward, layer 0 backward, ...)."""

    def __init__(self, input_size: int, hidden: int, layers: int, dropout: float, variant: LSTMVariant = PLAIN):
        super().__init__()
        self.cells = nn.ModuleList(LSTMCell(input_size if layer == 0 else 2 * hidden, hidden, variant)
                                   for layer in range(layers) for _direction in range(2))
        self.dropout = nn.Dropout(dropout)  # on every layer's output but the last, as nn.LSTM's dropout

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, State]:
        """x (B,S,I) padded at the end, lengths (B,) on x's device, each at least 1."""
        finals_h, finals_c = [], []
        cells = cast(list[LSTMCell], list(self.cells))
        for layer in range(len(cells) // 2):
            if layer:
                x = self.dropout(x)
            forward, backward = cells[2 * layer], cells[2 * layer + 1]
            out_f, (h_f, c_f) = run_left_aligned(forward, x, lengths)
            out_b, (h_b, c_b) = run_left_aligned(backward, reversed_prefix(x, lengths), lengths)
            x = torch.cat([out_f, reversed_prefix(out_b, lengths)], dim=-1)
            finals_h += [h_f, h_b]
            finals_c += [c_f, c_b]
        return x, (torch.stack(finals_h), torch.stack(finals_c))
