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
    chars, out, i = list(text), [], 0
    while i < len(chars):
        r = rng.random()
        if r < cfg.char_swap and i + 1 < len(chars):
            out += [chars[i + 1], chars[i]]
            i += 2
            continue
        r -= cfg.char_swap
        if r < cfg.char_drop:
            pass
        elif r - cfg.char_drop < cfg.char_double:
            out += [chars[i], chars[i]]
        else:
            out.append(chars[i])
        i += 1
    return "".join(out)
