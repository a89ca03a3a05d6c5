"""Reranking a sentence's beam with the reverse model. The search ranks the hypotheses y of a source x by
log P(y|x) / lp(y) (model/search.py); the model of the other direction adds how well y explains x:

    score(y) = log P(y|x) / lp(y)  +  w · log P(x|y) / |x|

|x|, the source's subwords in the reverse model's target vocabulary with EOS, is the same for every hypothesis of a
sentence: it only scales w, so that one w fits short and long sentences alike. Both sides are given to the reverse
model as the pair was trained on them: each hypothesis as the search wrote it (placeholders, not the spans they
stand for), the source as the forward model read it (spans masked, truecased). Measured in docs/models.md,
"Reranking with the reverse model".
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from nmt.model.search import Hypothesis

if TYPE_CHECKING:  # the Translator calls these
    from nmt.model.translator import SourceSentence, Translator


def reverse_scores(forward: Translator, reverse: Translator, sentences: list[SourceSentence],
                   hyps: list[list[Hypothesis]]) -> list[list[float]]:
    """log P(x|y) / |x| under the reverse model, for each hypothesis y of each sentence x."""
    read = forward.bundle.src_tokenizer.decode([list(s.ids[:-1]) for s in sentences])  # ids end in EOS
    xs = reverse.bundle.tgt_tokenizer.encode(read)
    written = forward.bundle.tgt_tokenizer.decode([h.tokens for sentence in hyps for h in sentence])
    found = iter(reverse.log_probs(reverse.bundle.src_tokenizer.encode(written),
                                   [x for x, sentence in zip(xs, hyps, strict=True) for _ in sentence]))
    return [[next(found) / (len(x) + 1) for _ in sentence] for x, sentence in zip(xs, hyps, strict=True)]


def reranked(hyps: list[Hypothesis], reverse: list[float], weight: float) -> list[Hypothesis]:
    """The hypotheses best first under score + weight · reverse score, each carrying that score."""
    scored = [Hypothesis(h.tokens, h.score + weight * r, h.attention) for h, r in zip(hyps, reverse, strict=True)]
    return sorted(scored, key=lambda h: -h.score)  # stable: a tie keeps the search's order
