"""training/transforms/subword_sampling.py: sampled segmentations, reproducible from a seed, that decode to the
text; and the transform stage that applies it (training/transforms/__init__.py)."""
from __future__ import annotations

from nmt.training.transforms import Transforms, batch_rng
from nmt.training.transforms.noise import NoiseConfig
from nmt.training.transforms.subword_sampling import SubwordSamplingConfig, sampled_ids

TEXTS = ["alpha beta gamma delta", "sigma tau ups rho pi", "kappa lam mu nu xi omi"]


def test_sampled_segmentations_decode_to_the_text_and_repeat_with_the_seed(toy_tokenizers):
    src, _ = toy_tokenizers
    cfg = SubwordSamplingConfig(alpha=0.1)
    draws = [sampled_ids(src, TEXTS, cfg, seed) for seed in range(10)]
    assert draws == [sampled_ids(src, TEXTS, cfg, seed) for seed in range(10)]
    assert all(src.decode(ids) == TEXTS for ids in draws)
    assert len({str(ids) for ids in draws}) > 1, "sampled, not always the best segmentation"


def test_the_stage_seeds_each_batch_and_samples_only_the_configured_side(toy_tokenizers):
    src, tgt = toy_tokenizers
    pairs = [(t, t.upper()) for t in TEXTS]
    stage = Transforms([NoiseConfig(lowercase=0, drop_punctuation=0, char_swap=0.1, char_drop=0, char_double=0),
                        SubwordSamplingConfig(alpha=0.1, sides="source")], src, tgt)
    first = stage(pairs, batch_rng(1, 0, 7))
    assert first == stage(pairs, batch_rng(1, 0, 7)), "a batch is the same whenever it is made (--resume)"
    assert first != stage(pairs, batch_rng(1, 0, 8)) or first != stage(pairs, batch_rng(1, 1, 7))
    assert [t for _, t in first] == tgt.encode([t for _, t in pairs]), "the target keeps its best segmentation"
