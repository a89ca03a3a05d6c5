"""On-the-fly transforms of training pairs, applied as each batch is made (training/batching.py).

Each transform is one small module with its pydantic config (`kind:` names it in data.transforms). Text-level
transforms change a pair's text, noise first and placeholders last (so that noise never damages a placeholder);
then the pair is tokenized, by SentencePiece's best segmentation or, with subword_sampling, a sampled one. Every
random choice comes from a generator seeded by (seed, epoch, batch index): a batch is the same whenever it is
made, so --resume reproduces it and each DDP rank draws its own.

Transforms need a pair's text: preparation keeps the cleaned text beside the ids (training/prepared.py). Without
transforms, batches take the prepared ids directly.
"""
from __future__ import annotations

import random
from typing import Annotated

from pydantic import Field

from nmt.model.tokenizer import Tokenizer
from nmt.training.transforms.noise import NoiseConfig, add_noise
from nmt.training.transforms.placeholders import PlaceholderConfig, add_placeholders
from nmt.training.transforms.subword_sampling import SubwordSamplingConfig, sampled_ids

TransformConfig = Annotated[NoiseConfig | PlaceholderConfig | SubwordSamplingConfig, Field(discriminator="kind")]

Pair = tuple[str, str]
Ids = tuple[list[int], list[int]]


def batch_rng(seed: int, epoch: int, batch: int) -> random.Random:
    """The generator of one batch's random choices (a str seed is hashed the same way in every process)."""
    return random.Random(f"{seed}/{epoch}/{batch}")


class Transforms:
    """The configured transforms, ready to turn a batch's text pairs into ids."""

    def __init__(self, configs: list, src_tok: Tokenizer, tgt_tok: Tokenizer):
        self.noise = [c for c in configs if isinstance(c, NoiseConfig)]
        self.placeholders = next((c for c in configs if isinstance(c, PlaceholderConfig)), None)
        self.slots = min(src_tok.placeholders, tgt_tok.placeholders)
        self.sampling = next((c for c in configs if isinstance(c, SubwordSamplingConfig)), None)
        self.src_tok, self.tgt_tok = src_tok, tgt_tok

    def __call__(self, pairs: list[Pair], rng: random.Random) -> list[Ids]:
        for cfg in self.noise:
            pairs = [(add_noise(s, cfg, rng), t) for s, t in pairs]
        if self.placeholders is not None:
            pairs = [add_placeholders(pair, self.placeholders, self.slots, rng) for pair in pairs]
        srcs, tgts = [s for s, _ in pairs], [t for _, t in pairs]
        src_ids = self._encode(self.src_tok, srcs, "source", rng)
        tgt_ids = self._encode(self.tgt_tok, tgts, "target", rng)
        return list(zip(src_ids, tgt_ids, strict=True))

    def _encode(self, tok: Tokenizer, texts: list[str], side: str, rng: random.Random) -> list[list[int]]:
        if self.sampling is not None and self.sampling.sides in (side, "both"):
            return sampled_ids(tok, texts, self.sampling, rng.getrandbits(32))
        return tok.encode(texts)
