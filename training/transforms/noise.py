"""Source-side noise: what real input looks like next to clean training text (lowercased sentences, missing
punctuation, typos), so that the model learns to translate it anyway. Each kind of noise has its own small
probability; the target is left as it is."""
from __future__ import annotations

import random
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class NoiseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["noise"] = "noise"
    lowercase: float = Field(0.05, ge=0, le=1, description="probability that a source sentence is lowercased")
    drop_punctuation: float = Field(0.05, ge=0, le=1, description="probability that a sentence loses its punctuation")
    char_swap: float = Field(0.002, ge=0, le=1, description="per character: swapped with the next one")
    char_drop: float = Field(0.002, ge=0, le=1, description="per character: dropped")
    char_double: float = Field(0.002, ge=0, le=1, description="per character: written twice")


def add_noise(text: str, cfg: NoiseConfig, rng: random.Random) -> str:
    """The sentence with noise drawn from rng (the same rng state gives the same noise)."""
    if rng.random() < cfg.lowercase:
        text = text.lower()
    if rng.random() < cfg.drop_punctuation:
        text = " ".join("".join(c for c in text if not unicodedata.category(c).startswith("P")).split())
    if cfg.char_swap or cfg.char_drop or cfg.char_double:
        text = _typos(text, cfg, rng)
    return text or "."  # never empty: an empty source has no encoding


def _typos(text: str, cfg: NoiseConfig, rng: random.Random) -> str:
    """One draw per character visited (a swap takes two characters and one draw). Nearly every draw keeps its
    character, so kept runs are copied as slices and only the rare typo is spelled out."""
    any_typo = cfg.char_swap + cfg.char_drop + cfg.char_double
    out, kept_from, i, n = [], 0, 0, len(text)
    while i < n:
        r = rng.random()
        if r >= any_typo:
            i += 1
            continue
        out.append(text[kept_from:i])
        if r < cfg.char_swap and i + 1 < n:
            out.append(text[i + 1] + text[i])
            i += 2
        else:
            r -= cfg.char_swap  # a swap drawn at the last character falls through to a drop
            if r >= cfg.char_drop:
                out.append(text[i] * 2 if r - cfg.char_drop < cfg.char_double else text[i])
            i += 1
        kept_from = i
    return "".join(out) + text[kept_from:]
