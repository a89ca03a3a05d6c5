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


def typos_one_char_at_a_time(text: str, cfg: NoiseConfig, rng: random.Random) -> str:
    """The typo rule spelled out: one draw per character visited; swap (with the next), drop, double or keep."""
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


def test_typos_are_the_rule_spelled_out_draw_for_draw():
    """add_noise copies kept runs as slices: the same typos from the same draws as the rule, and the generator
    left in the same state."""
    texts = [TEXT, "", "a", "ab", "abc", "¿Qué?", TEXT.upper() * 3]
    for probabilities in ((0.002, 0.002, 0.002), (0.2, 0.2, 0.2), (0.5, 0.3, 0.2), (1, 0, 0), (0, 1, 0), (0, 0, 1)):
        cfg = NoiseConfig(**OFF | dict(zip(("char_swap", "char_drop", "char_double"), probabilities, strict=True)))
        for seed in range(30):
            ours, rule = random.Random(seed), random.Random(seed)
            for text in texts:
                rule.random(), rule.random()  # add_noise's draws for lowercasing and punctuation
                assert add_noise(text, cfg, ours) == (typos_one_char_at_a_time(text, cfg, rule) or ".")
            assert ours.random() == rule.random()
