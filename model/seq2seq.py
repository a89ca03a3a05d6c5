"""The encoder-decoder: encode once, decode teacher-forced (training) or step by step (search)."""
from __future__ import annotations

import torch
from torch import nn

from nmt.model.config import ModelConfig
from nmt.model.decoder import Decoder, Memory
from nmt.model.encoder import Encoder


class Seq2Seq(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg, self.encoder.output_size)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Memory:
        return self.decoder.prepare(*self.encoder(src, src_len))

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: src (B,S), tgt_in (B,T) = BOS y_1 .. y_{T-1} -> logits (B,T,V)."""
        memory = self.encode(src, src_len)
        logits, _, _ = self.decoder(tgt_in, self.decoder.initial_state(memory), memory)
        return logits

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
