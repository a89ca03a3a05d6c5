"""Corpus-level BLEU and chrF with sacrebleu, with the signatures that make the numbers comparable."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sacrebleu.metrics import BLEU, CHRF


@dataclass
class Scores:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    bleu_detail: str  # sacrebleu's own line: n-gram precisions, brevity penalty, lengths

    def as_dict(self) -> dict:
        return asdict(self)


def score(hypotheses: list[str], *references: list[str]) -> Scores:
    """Detokenized hypotheses against raw references, sacrebleu defaults (13a tokenization). Each of references
    is one reference per hypothesis; with more than one, a hypothesis is scored against all of its references
    (sacrebleu's multi-reference BLEU and chrF, signature nrefs:N)."""
    if not references:
        raise ValueError("score() needs at least one list of references")
    bleu, chrf = BLEU(), CHRF()
    b = bleu.corpus_score(hypotheses, list(references))
    c = chrf.corpus_score(hypotheses, list(references))
    return Scores(round(b.score, 2), round(c.score, 2), str(bleu.get_signature()), str(chrf.get_signature()), str(b))
