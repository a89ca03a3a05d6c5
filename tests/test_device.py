"""Asking for a device that is not there: one line naming the setting and what is available, exit 2, for
`nmt translate --device`, `NMT_DEVICE` under `nmt serve`, and `train.device` under `nmt train`."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch
import yaml

from nmt.model.device import DeviceError, resolve_device
from nmt.scripts.harness import free_port, reversal_pairs, toy_config, write_tsv

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")


def test_auto_and_cpu():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("name", ["gpu", "cuda:", "cuda:x", "CPU", "", "cuda:0:1"])
def test_unknown_names(name):
    with pytest.raises(DeviceError, match=r"not a device; use auto, cpu, cuda or cuda:N \(available: cpu"):
        resolve_device(name)


@no_cuda
def test_cuda_without_cuda_build(monkeypatch):
    monkeypatch.setattr(torch.version, "cuda", None)
    with pytest.raises(DeviceError) as e:
        resolve_device("cuda:1", "train.device")
    assert str(e.value) == f"train.device cuda:1: this torch ({torch.__version__}) has no CUDA; available: cpu"


def test_cuda_build_without_gpu(fake_cuda):
    fake_cuda(0)
    with pytest.raises(DeviceError, match=r"^device cuda: torch .* finds no usable CUDA GPU .*; available: cpu$"):
        resolve_device("cuda")


def test_cuda_index_out_of_range(fake_cuda):
    fake_cuda(2)
    assert resolve_device("cuda:1") == torch.device("cuda:1")
    with pytest.raises(DeviceError, match=r"^device cuda:2: there are 2 CUDA devices; available: cpu, cuda:0, cuda:1$"):
        resolve_device("cuda:2")


def nmt(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nmt.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env=os.environ | (env or {}))


def assert_one_line_refusal(done: subprocess.CompletedProcess, command: str, setting: str) -> None:
    err = done.stderr.strip()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    why = (f"this torch ({torch.__version__}) has no CUDA" if torch.version.cuda is None  # a CPU build
           else f"torch {torch.__version__} finds no usable CUDA GPU (driver?)")  # a CUDA build on a machine without
    assert err == f"nmt {command}: error: {setting} cuda: {why}; available: cpu"


@no_cuda
def test_translate_on_missing_cuda():
    assert_one_line_refusal(nmt("translate", "--device", "cuda", stdin="Hello.\n"), "translate", "device")


@no_cuda
def test_serve_on_missing_cuda():
    done = nmt("serve", "--port", str(free_port()), env={"NMT_DEVICE": "cuda"})
    assert_one_line_refusal(done, "serve", "device")


@no_cuda
def test_train_on_missing_cuda(tmp_path):
    corpus = {"train": write_tsv(tmp_path / "train.tsv", reversal_pairs(20, 0)),
              "dev": write_tsv(tmp_path / "dev.tsv", reversal_pairs(5, 1))}
    config = toy_config(tmp_path / "run", corpus, device="cuda")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    assert_one_line_refusal(nmt("train", str(tmp_path / "c.yaml")), "train", "train.device")
    assert not (tmp_path / "run").exists()  # refused before anything was written
