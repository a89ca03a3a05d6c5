"""Casual input, written all in lowercase as in a chat, gets back the casing the model was trained on before it is
tokenized: a lowercase "israel" is a string of rare subwords to a model that saw "Israel" thousands of times.

A word takes a capitalized form read off the source vocabulary when the vocabulary has the word only capitalized:
"▁Israel" and no "▁israel" (the most probable form, by unigram log-probability, if there are several: "▁LORD",
"▁Lord"). A word the vocabulary also has in lowercase keeps it: "then" and "▁Then" are both there, the capital
from the starts of sentences. Nothing is learned or stored beyond the SentencePiece model, so every bundle has
it. Text with any capital letter is the writer's own casing and is left alone. The first letter is not
capitalized: a lowercase text may be a piece of a sentence (an HTML element's text, a subtitle's second line),
whose translation should not start with a capital. What it gains: README.md (robustness).

Text written in capitals (a headline, a sign, a legal heading: `shouted`) is read as if lowercase, then its first
letter capitalized: to a model that saw "THE" and "SHEPHERD" seldom or never, "THE LORD IS MY SHEPHERD." was a
string of rare subwords, and came back as "LADADADIDADADIN.". The pipeline gives its translation back in capitals
(model/translator.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from nmt.model.tokenizer import WORD_START

WORD = re.compile(r"\w+")
LONG_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more
FIRST_LETTER = re.compile(r"[^\W\d_]")


def shouted(text: str) -> bool:
    """Whether text is written in capitals: no lowercase letter, and two words of two letters or more, every one of
    them in capitals (an acronym alone, "NASA" or "OK", is not). A word of a script without case (Chinese, Arabic,
    Hindi: no letter of it is upper or lower) is in no capitals: a text of such words, which has no lowercase letter
    either, was read as shouted and its translation given back in capitals ("我喜欢吃苹果，你呢？" -> "I LIKE
    APPLES, AND YOU?"); with an acronym beside them ("我爱 NASA 和 ESA"), it is not shouted either."""
    words = LONG_WORD.findall(text)
    return text == text.upper() and len(words) >= 2 and all(word != word.lower() for word in words)


class Truecaser:
    """vocabulary: (piece, score) of every subword."""

    def __init__(self, vocabulary: Iterable[tuple[str, float]]):
        words = [(piece[1:], score) for piece, score in vocabulary
                 if piece.startswith(WORD_START) and WORD.fullmatch(piece[1:])]
        lowercase = {word for word, _ in words if word == word.lower()}
        best: dict[str, tuple[float, str]] = {}  # lowercase word -> (score, form) of its most probable cased piece
        for word, score in words:
            if word.lower() not in lowercase and score > best.get(word.lower(), (-1e30, ""))[0]:
                best[word.lower()] = (score, word)
        self.forms = {lower: form for lower, (_, form) in best.items()}

    def __call__(self, text: str) -> str:
        if shouted(text):
            return FIRST_LETTER.sub(lambda m: m.group(0).upper(), self._cased(text.lower()), count=1)
        if text != text.lower():
            return text
        return self._cased(text)

    def _cased(self, lowercase: str) -> str:
        return WORD.sub(lambda m: self.forms.get(m.group(0), m.group(0)), lowercase)
