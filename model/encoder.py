"""Bidirectional recurrent encoder over source subword embeddings.

LSTM, per direction and layer:
    f, i, o = sigma(W x_t + U h_{t-1} + b);  c~ = tanh(W_c x_t + U_c h_{t-1} + b_c)
    c_t = f * c_{t-1} + i * c~;  h_t = o * tanh(c_t)
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nmt.model.config import ModelConfig
from nmt.model.layers import ScaledEmbedding, WordDropout, make_rnn
from nmt.model.tokenizer import PAD


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed = ScaledEmbedding(cfg.src_vocab_size, cfg.emb_dim, PAD)
        self.word_dropout = WordDropout(cfg.word_dropout)
        self.dropout = nn.Dropout(cfg.dropout)
        self.rnn = make_rnn(cfg.enc_cell, cfg.emb_dim, cfg.enc_hidden, cfg.enc_layers, cfg.dropout, bidirectional=True)
        self.output_size = 2 * cfg.enc_hidden

    def forward(self, src: torch.Tensor, src_len: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """src (B,S) ids, src_len (B,) -> states (B,S,2H), mask (B,S) True on tokens, summary c (B,2H)."""
        x = self.dropout(self.word_dropout(self.embed(src)))  # (B,S,E)
        packed = pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, final = self.rnn(packed)
        states, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))  # (B,S,2H)
        h_n = final[0] if isinstance(final, tuple) else final  # (layers*2, B, H)
        summary = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # top layer: last forward, first backward state (B,2H)
        return states, src != PAD, summary
