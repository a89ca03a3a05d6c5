"""Shared fixtures: a toy reversal corpus and tiny models built from it."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nmt.model.bundle import Bundle, BundleConfig
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import Tokenizer
from nmt.scripts.harness import reversal_pairs, tiny_config, write_tsv

pytest_plugins = ["service_fixtures"]  # the service tests' fixtures (toy_model, translator), defined once


@pytest.fixture(scope="session")
def toy_corpus(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("toy")
    return {"train": write_tsv(root / "train.tsv", reversal_pairs(3000, 0)),
            "dev": write_tsv(root / "dev.tsv", reversal_pairs(100, 1)),
            "root": root}


@pytest.fixture(scope="session")
def toy_tokenizers() -> tuple[Tokenizer, Tokenizer]:
    pairs = reversal_pairs(500, 2)
    return Tokenizer.train([s for s, _ in pairs], 60), Tokenizer.train([t for _, t in pairs], 60)


@pytest.fixture
def tiny_bundle(toy_tokenizers) -> Bundle:
    torch.manual_seed(0)
    src, tgt = toy_tokenizers
    cfg = tiny_config(src_vocab_size=src.vocab_size, tgt_vocab_size=tgt.vocab_size)
    return Bundle(BundleConfig(src_lang="xx", tgt_lang="yy", model=cfg), Seq2Seq(cfg).eval(), src, tgt, {"note": "untrained"})


@pytest.fixture
def fake_cuda(monkeypatch):
    """fake_cuda(count): from here on, torch was built with CUDA and sees `count` GPUs (for the device checks;
    nothing may really run on them)."""
    def pretend(count: int) -> None:
        monkeypatch.setattr(torch.version, "cuda", "12.4")
        monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
    return pretend
