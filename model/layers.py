"""Small building blocks shared by the encoder and decoder."""
from __future__ import annotations

import torch
from torch import nn

RNN_CLASSES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def make_rnn(cell: str, input_size: int, hidden: int, layers: int, dropout: float, bidirectional: bool = False):
    return RNN_CLASSES[cell](
        input_size, hidden, num_layers=layers, batch_first=True,
        dropout=dropout if layers > 1 else 0.0, bidirectional=bidirectional,
    )


def make_embedding(vocab_size: int, dim: int, padding_idx: int) -> nn.Embedding:
    """Embeddings scaled to unit-norm rows on average, so tied output logits start small."""
    embed = nn.Embedding(vocab_size, dim, padding_idx=padding_idx)
    nn.init.normal_(embed.weight, std=dim**-0.5)
    with torch.no_grad():
        embed.weight[padding_idx].zero_()
    return embed


class WordDropout(nn.Module):
    """Zeroes whole token embeddings with probability p while training (Sennrich & Zhang, 2019)."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x (B,T,E)
        if not self.training or self.p == 0:
            return x
        keep = torch.empty(x.shape[:2] + (1,), device=x.device, dtype=x.dtype).bernoulli_(1 - self.p)
        return x * keep
