"""Which torch device a setting names: "auto", "cpu", "cuda" or "cuda:N", checked against what this machine has.

A device that is not there fails here, with one line that names the setting and what is available, rather than
deep inside torch (`AssertionError: Torch not compiled with CUDA enabled`) once the first tensor moves.
"""
from __future__ import annotations

import re

import torch

DEVICE_NAMES = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


class DeviceError(ValueError):
    """A device setting this machine cannot honour (a ValueError: the command line answers it with exit 2)."""


def available_devices() -> list[str]:
    return ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0)]


def resolve_device(name: str, setting: str = "device") -> torch.device:
    """The device `name` means here; setting: how the caller's user spelled the option, for the message."""
    available = ", ".join(available_devices())
    if not DEVICE_NAMES.match(name):
        raise DeviceError(f"{setting} {name!r}: not a device; use auto, cpu, cuda or cuda:N (available: {available})")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda":
        _check_cuda(device, f"{setting} {name}", available)
    return device


def _check_cuda(device: torch.device, what: str, available: str) -> None:
    if torch.version.cuda is None:
        raise DeviceError(f"{what}: this torch ({torch.__version__}) has no CUDA; available: {available}")
    if not torch.cuda.is_available():
        raise DeviceError(f"{what}: torch {torch.__version__} finds no usable CUDA GPU (driver?); available: {available}")
    if device.index is not None and device.index >= torch.cuda.device_count():
        raise DeviceError(f"{what}: there are {torch.cuda.device_count()} CUDA devices; available: {available}")
