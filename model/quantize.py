"""int8 inference on the CPU: dynamic quantization of the network's matrix products.

Weights of every nn.Linear (the FastDecoder's gate, attention, combine and output layers), nn.LSTM and nn.GRU are
stored as int8 (per output channel for Linear layers); activations are quantized on the fly, per batch, and the
products run in int8 with fp32 accumulation (fbgemm / oneDNN kernels of torch's "x86" engine). A batch's
activations share one scale, so a sentence's output depends on the sentences batched with it, and no padding
makes it exact (fp32's exact search: model/invariant.py). Embeddings, the softmax and the GRU cell's gate
arithmetic stay fp32, and so does Bahdanau attention's v: its input is the (B,T,S,A) energy tensor, which
quantizing on the fly would read twice more, for a product with one output.
"""
from __future__ import annotations

import warnings
from typing import TypeVar

import torch
from torch import nn
from torch.ao.quantization import QConfig, default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

from nmt.model.attention import BahdanauAttention

PREFERRED_ENGINES = ("x86", "fbgemm", "onednn", "qnnpack")


def cpu_engine() -> str | None:
    """The quantized engine to use, None if this torch build has none."""
    return next((e for e in PREFERRED_ENGINES if e in torch.backends.quantized.supported_engines), None)


M = TypeVar("M", bound=nn.Module)


def quantize_for_cpu(model: M) -> M:
    """An int8 copy of model for CPU inference. A ValueError where this torch build has no quantized CPU engine
    or quantizing fails: the caller asked for int8, and running fp32 instead would hide it."""
    engine = cpu_engine()
    if engine is None:
        raise ValueError("int8 needs a quantized CPU engine, and this torch build has none "
                         f"(torch.backends.quantized.supported_engines: {torch.backends.quantized.supported_engines})")
    torch.backends.quantized.engine = engine
    spec: dict[type[nn.Module] | str, QConfig | None] = {
        nn.Linear: per_channel_dynamic_qconfig, nn.LSTM: default_dynamic_qconfig, nn.GRU: default_dynamic_qconfig}
    spec |= {f"{name}.v": None for name, module in model.named_modules() if isinstance(module, BahdanauAttention)}
    try:
        with warnings.catch_warnings():  # torch announces that torch.ao.quantization will move to torchao
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return quantize_dynamic(model.cpu(), spec, dtype=torch.qint8)
    except (RuntimeError, AssertionError) as e:
        raise ValueError(f"int8 quantization failed: {e}") from None
