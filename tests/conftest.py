"""Shared fixtures: a toy reversal corpus and tiny models built from it."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
import torch

from model.bundle import Bundle, BundleConfig
from model.config import ModelConfig
from model.seq2seq import Seq2Seq
from model.tokenizer import Tokenizer

# The scripts' shared helpers (scripts/_server.py: a real `nmt serve` process, the toy model) and the drills
# themselves (fuzz, sigterm_drain, kill_resume) are importable from every test module.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
pytest_plugins = ["service_fixtures"]  # the service tests' fixtures (toy_model, translator), defined once

WORDS = "alpha beta gamma delta eps zeta eta theta iota kappa lam mu nu xi omi pi rho sigma tau ups".split()


def reversal_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    """Toy task: the target is the source reversed and upper-cased."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 7))]
        pairs.append((" ".join(words), " ".join(reversed(words)).upper()))
    return pairs


def write_tsv(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"{s}\t{t}\n" for s, t in pairs), encoding="utf-8")
    return path


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


def tiny_config(attention: str = "luong", **overrides) -> ModelConfig:
    base = dict(src_vocab_size=60, tgt_vocab_size=60, emb_dim=16, enc_hidden=16, dec_hidden=32,
                attention=attention, dropout=0.0, word_dropout=0.0)
    return ModelConfig(**(base | overrides))


@pytest.fixture
def tiny_bundle(toy_tokenizers) -> Bundle:
    torch.manual_seed(0)
    src, tgt = toy_tokenizers
    cfg = tiny_config(src_vocab_size=src.vocab_size, tgt_vocab_size=tgt.vocab_size)
    return Bundle(BundleConfig(src_lang="xx", tgt_lang="yy", model=cfg), Seq2Seq(cfg).eval(), src, tgt, {"note": "untrained"})
