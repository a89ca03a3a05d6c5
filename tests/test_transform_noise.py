"""training/transforms/noise.py: seeded source-side noise."""
from __future__ import annotations

import random

from nmt.training.transforms.noise import NoiseConfig, add_noise

TEXT = "In the beginning, God created the heavens and the earth."
OFF = dict(lowercase=0, drop_punctuation=0, char_swap=0, char_drop=0, char_double=0)


def test_the_same_seed_gives_the_same_noise_and_others_differ():
    cfg = NoiseConfig(lowercase=0.5, drop_punctuation=0.5, char_swap=0.05, char_drop=0.05, char_double=0.05)
    once = [add_noise(TEXT, cfg, random.Random(seed)) for seed in range(20)]
    assert once == [add_noise(TEXT, cfg, random.Random(seed)) for seed in range(20)]
    assert len(set(once)) > 15 and TEXT not in once


def test_each_kind_of_noise():
    rng = random.Random(0)
    assert add_noise(TEXT, NoiseConfig(**OFF), rng) == TEXT
    assert add_noise(TEXT, NoiseConfig(**OFF | {"lowercase": 1}), rng) == TEXT.lower()
    assert add_noise(TEXT, NoiseConfig(**OFF | {"drop_punctuation": 1}), rng) == \
        "In the beginning God created the heavens and the earth"
    assert add_noise("abcd", NoiseConfig(**OFF | {"char_swap": 1}), rng) == "badc"
    assert add_noise("abcd", NoiseConfig(**OFF | {"char_double": 1}), rng) == "aabbccdd"
    assert add_noise("...", NoiseConfig(**OFF | {"char_drop": 1}), rng) == ".", "never empty"
