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


class ScaledEmbedding(nn.Embedding):
    """Rows start with unit norm on average (so tied output logits start small) and are scaled
    by sqrt(dim) on the way in (so the RNNs see unit-variance inputs)."""

    def __init__(self, vocab_size: int, dim: int, padding_idx: int):
        super().__init__(vocab_size, dim, padding_idx=padding_idx)
        nn.init.normal_(self.weight, std=dim**-0.5)
        with torch.no_grad():
            self.weight[padding_idx].zero_()
        self.scale = dim**0.5

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return super().forward(ids) * self.scale


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


def reversed_prefix(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x (B,S,...) with each row's first lengths[b] positions in reverse order, the rest where they are. Its own
    inverse. A backward RNN's input and output over a padded batch; the source order of reverse_source."""
    steps = x.size(1)
    t = torch.arange(steps, device=x.device)[None, :]  # (1,S)
    lengths = lengths.to(x.device)[:, None]  # (B,1)
    index = torch.where(t < lengths, lengths - 1 - t, t)  # (B,S)
    return x.gather(1, index.view(index.shape + (1,) * (x.dim() - 2)).expand(x.shape))
