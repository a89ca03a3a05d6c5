"""Casual input, written all in lowercase as in a chat, gets back the casing the model was trained on before it is
tokenized: a lowercase "israel" is a string of rare subwords to a model that saw "Israel" thousands of times.

Each word takes its usual form, read off the source vocabulary: among the whole-word pieces that spell it in
different cases ("▁Israel", "▁israel", "▁ISRAEL"), the most probable one (unigram log-probability); a word that
is no whole piece keeps its case. The sentence's first letter is capitalized. Nothing is learned or stored beyond
the SentencePiece model, so every bundle has it. Text with any capital letter is the writer's own casing and is
left alone, and a vocabulary without capitalized words (a model trained on lowercased text) changes nothing.
What it gains: README.md (robustness).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"\w+")
LETTER = re.compile(r"[^\W\d_]")
WORD_START = "\u2581"  # SentencePiece's mark of a piece that begins a word


class Truecaser:
    """vocabulary: (piece, score) of every subword."""

    def __init__(self, vocabulary: Iterable[tuple[str, float]]):
        best: dict[str, tuple[float, str]] = {}  # lowercase word -> (score, form) of its most probable piece
        for piece, score in vocabulary:
            word = piece[1:]
            if piece.startswith(WORD_START) and WORD.fullmatch(word) and score > best.get(word.lower(), (-1e30, ""))[0]:
                best[word.lower()] = (score, word)
        self.forms = {lower: form for lower, (_, form) in best.items() if form != lower}

    def __call__(self, text: str) -> str:
        if not self.forms or text != text.lower():
            return text
        text = WORD.sub(lambda m: self.forms.get(m.group(0), m.group(0)), text)
        first = LETTER.search(text)
        return text if first is None else text[: first.start()] + first.group(0).upper() + text[first.end() :]
