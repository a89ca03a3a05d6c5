"""Batch-invariant search (`exact`): a sentence's numbers do not depend on the other sentences it is computed with.

The service batches the sentences of many clients together, and the evaluation job batches a test file its own
way. A row of a matrix product, a softmax or a weighted sum depends only on that row's inputs, but the CPU kernels
sum its terms in an order that can depend on the batch's shape, so a sentence's log-probabilities differ in the
last bits from batch to batch, and where two hypotheses are nearly tied, its translation can differ too. Measured
with torch's CPU kernels (tests/test_batch_invariance.py checks each property this module relies on):
- a product x W^T with M rows: rows of a product with M < 12, other than 4 and 8, come out otherwise than in a
  large one; with M a multiple of ROWS every row comes out the same, at any position;
- a softmax over a source of fewer than 8 positions comes out otherwise when padding (-inf) widens it to 8 or
  more, and a product with a source's 8 positions as columns (Luong's scores) otherwise than with 16; with the
  sources padded to a multiple of WIDTH, every width gives the same;
- a batched product of one matrix (batch of one) takes another kernel than a batch of several.
An exact Translator (model/translator.py) keeps each of those shapes fixed, and its encoder reads the sentences of
each length together, unpacked, their rows padded to a multiple of ROWS: packed, the recurrent network's per-step
products would have as many rows as there are sentences still running. It costs speed (benchmarks/invariance.py):
a product of one row (a greedy sentence alone) takes a matrix-vector kernel that is several times faster than the
product of ROWS rows.

int8 networks cannot be exact: dynamic quantization scales each product's input by the whole batch's range.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

ROWS = 4  # products' rows: a multiple of this
WIDTH = 16  # sources' positions (attention's softmax): a multiple of this

Layer = Callable[[torch.Tensor], torch.Tensor]
Product = Callable[[Layer, torch.Tensor], torch.Tensor]  # (layer, x) -> layer(x): direct, or rows when exact


def direct(layer: Layer, x: torch.Tensor) -> torch.Tensor:
    """layer(x): the Product of a Translator that is not exact."""
    return layer(x)


def rows(layer: Layer, x: torch.Tensor) -> torch.Tensor:
    """layer(x) for a Linear layer over x (..., K), computed on x's rows padded with zero rows to a multiple of ROWS."""
    flat = x.reshape(-1, x.size(-1))
    n = flat.size(0)
    if padded_rows(n) > n:
        flat = torch.cat([flat, flat.new_zeros(padded_rows(n) - n, flat.size(1))])
    out = layer(flat)
    return out[:n].view(*x.shape[:-1], out.size(-1))


def padded_rows(n: int) -> int:
    """The rows that a product over n rows is computed on."""
    return _round_up(n, ROWS)


def width(positions: int) -> int:
    """The padded width of a batch whose longest source has this many positions."""
    return _round_up(positions, WIDTH)


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def bmm(a: torch.Tensor, b: torch.Tensor, transpose_b: bool = False) -> torch.Tensor:
    """a @ b for a (B,T,S) and b (B,S,M), or a @ b^T for b (B,M,S) -> (B,T,M), never through the kernel of a batch
    of one. Attention's products, exact or not: the copy of one sentence's rows costs little. b is transposed
    after the copy, so that the product reads it in the layout it always has (a transposed view and its
    contiguous copy take other kernels)."""
    one = a.size(0) == 1
    if one:
        a, b = torch.cat([a, a]), torch.cat([b, b])
    out = a @ (b.transpose(1, 2) if transpose_b else b)
    return out[:1] if one else out
