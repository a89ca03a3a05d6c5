"""Bidirectional recurrent encoder over source subword embeddings.

LSTM, per direction and layer:
    f, i, o = sigma(W x_t + U h_{t-1} + b);  c~ = tanh(W_c x_t + U_c h_{t-1} + b_c)
    c_t = f * c_{t-1} + i * c~;  h_t = o * tanh(c_t)
torch's cells (lstm, gru, rnn) run on the packed batch; the LSTM variants of model/cells.py (peephole_lstm,
cifg_lstm) run on the padded one, with the same results for the same weights.

reverse_source (Sutskever et al. 2014): the RNNs read each source's tokens in reverse order, EOS still last. It
happens here and only here, so that training, evaluation and the service (which all encode through this module)
read sources alike; the states are put back in the source's order, so that attention weights line up with the
source tokens (attention reads the states as a set: the order changes no result).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nmt.model.cells import CUSTOM_CELLS, BiLSTM
from nmt.model.config import ModelConfig
from nmt.model.layers import ScaledEmbedding, WordDropout, make_rnn, reversed_prefix
from nmt.model.tokenizer import PAD


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed = ScaledEmbedding(cfg.src_vocab_size, cfg.emb_dim, PAD)
        self.word_dropout = WordDropout(cfg.word_dropout)
        self.dropout = nn.Dropout(cfg.dropout)
        self.reverse_source = cfg.reverse_source
        self.rnn: nn.Module
        if cfg.enc_cell in CUSTOM_CELLS:
            self.rnn = BiLSTM(cfg.emb_dim, cfg.enc_hidden, cfg.enc_layers, cfg.dropout, CUSTOM_CELLS[cfg.enc_cell])
        else:
            self.rnn = make_rnn(cfg.enc_cell, cfg.emb_dim, cfg.enc_hidden, cfg.enc_layers, cfg.dropout, bidirectional=True)
        self.output_size = 2 * cfg.enc_hidden

    def forward(self, src: torch.Tensor, src_len: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """src (B,S) ids, src_len (B,) -> states (B,S,2H), mask (B,S) True on tokens, summary c (B,2H)."""
        words = src_len - 1  # the tokens before EOS
        if self.reverse_source:
            src = reversed_prefix(src, words)
        x = self.dropout(self.word_dropout(self.embed(src)))  # (B,S,E)
        states, h_n = self._run(x, src_len)  # (B,S,2H), (layers*2, B, H)
        if self.reverse_source:
            states = reversed_prefix(states, words)  # state j belongs to source token j again
        summary = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # top layer: last forward, first backward state (B,2H)
        return states, src != PAD, summary

    def _run(self, x: torch.Tensor, src_len: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The RNNs over the padded batch x (B,S,E) -> states (B,S,2H) zero on padding, final h (layers*2, B, H)."""
        if isinstance(self.rnn, BiLSTM):
            states, (h_n, _) = self.rnn(x, src_len.to(x.device))
            return states, h_n
        if bool((src_len == x.size(1)).all()):  # no padding (an exact Translator encodes each length apart): the
            # same states, sooner unpacked
            out, final = self.rnn(x)
            return out, final[0] if isinstance(final, tuple) else final
        packed = pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, final = self.rnn(packed)
        states, _ = pad_packed_sequence(out, batch_first=True, total_length=x.size(1))
        return states, final[0] if isinstance(final, tuple) else final
