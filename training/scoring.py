"""Corpus-level BLEU and chrF with sacrebleu, with the signatures that make the numbers comparable."""
from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from functools import cache

from sacrebleu.metrics import BLEU, CHRF

from nmt.model.languages import primary

BY_CHARACTERS = frozenset({"th", "lo", "km", "my"})  # languages written without spaces that sacrebleu cannot split


@dataclass
class Scores:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    bleu_detail: str  # sacrebleu's own line: n-gram precisions, brevity penalty, lengths

    def as_dict(self) -> dict:
        return asdict(self)


def score(hypotheses: list[str], *references: list[str], target: str | None = None) -> Scores:
    """Detokenized hypotheses against raw references in the target language, sacrebleu defaults (bleu_metric's
    tokenization). Each of references is one reference per hypothesis; with more than one, a hypothesis is scored
    against all of its references (sacrebleu's multi-reference BLEU and chrF, signature nrefs:N)."""
    if not references:
        raise ValueError("score() needs at least one list of references")
    bleu, chrf = bleu_metric(target), CHRF()
    b = bleu.corpus_score(hypotheses, list(references))
    c = chrf.corpus_score(hypotheses, list(references))
    return Scores(round(b.score, 2), round(c.score, 2), str(bleu.get_signature()), str(chrf.get_signature()), str(b))


def bleu_metric(target: str | None) -> BLEU:
    """sacrebleu's BLEU for references in the target language (a code; zh-Hans and zh_CN are zh), with the tokenizer
    that sacrebleu picks for it, which the signature names: tok:zh for Chinese, ja-mecab and ko-mecab for Japanese
    and Korean, 13a for the others (and for no language given). 13a splits at spaces and punctuation, so a Chinese
    sentence, written without spaces, was one word to it: a hypothesis one character off its reference scored 0.
    MeCab, which ja-mecab and ko-mecab need, is an extra (pip install 'sacrebleu[ja]'); without it, BLEU counts
    characters (tok:char, in the signature), with a line on stderr saying so. Thai, Lao, Khmer and Myanmar are
    written without spaces between words too, and sacrebleu has no tokenizer for them (13a scored a Thai hypothesis
    one character short of its reference 0): their BLEU counts characters (tok:char)."""
    language = primary(target) if target else ""
    if language in BY_CHARACTERS:
        return BLEU(tokenize="char")
    try:
        return BLEU(trg_lang=language)
    except RuntimeError:  # sacrebleu's word: "... requires extra dependencies, but you do not have them installed"
        _tell_no_mecab(language)
        return BLEU(tokenize="char")


@cache
def _tell_no_mecab(language: str) -> None:
    """Once per language a process scores."""
    print(f"BLEU of {language} text: sacrebleu's tokenizer for it needs MeCab (pip install 'sacrebleu[{language}]'); "
          "scored by characters instead (tok:char)", file=sys.stderr)
