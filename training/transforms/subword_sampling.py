"""Subword regularization (Kudo 2018): each time a sentence is trained on, SentencePiece draws one of its
segmentations from the unigram lattice instead of always the best one, so the model sees "transl ation" as well as
"translation". alpha sharpens the distribution (small alpha: more varied); nbest -1 samples from the whole lattice.
SentencePiece's generator is seeded before each batch, so a batch gets the same segmentations every time."""
from __future__ import annotations

from typing import Literal

import sentencepiece as spm
from pydantic import BaseModel, ConfigDict, Field

from nmt.model.tokenizer import Tokenizer


class SubwordSamplingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["subword_sampling"] = "subword_sampling"
    alpha: float = Field(0.1, gt=0, le=1, description="smoothing of the sampling distribution (1: as the model)")
    nbest: int = Field(-1, description="sample among the n best segmentations (-1: the whole lattice)")
    sides: Literal["source", "target", "both"] = "source"


def sampled_ids(tok: Tokenizer, texts: list[str], cfg: SubwordSamplingConfig, seed: int) -> list[list[int]]:
    """A sampled segmentation of each text; the same seed gives the same segmentations."""
    spm.set_random_generator_seed(seed)
    return [tok.sp.encode(text, out_type=int, enable_sampling=True, alpha=cfg.alpha, nbest_size=cfg.nbest)
            for text in texts]
