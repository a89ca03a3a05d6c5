"""Where each source word went: a word alignment read from the decoder's attention, so that inline markup (an HTML
<b>, a Word run's formatting) can be put back around the words it held (model/html.py) while the model translates
the text without it.

A word is a subword starting with "▁" and the subwords after it (a placeholder and its "▁" are one word, as its
span is in the text). The attention of every target subword to every source subword, summed over the subwords of
each word, gives a (target words, source words) matrix A. Each source word s goes to the target word that attends
to it most, argmax_t A[t, s]: read the other way (each target word to the source word it attends most), Bahdanau
attention often points one word ahead of the word being translated.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nmt.model.translator import Translated

EOS_PIECE = "</s>"
HTML_SPACE = " \t\n\f\r"  # what HTML collapses, and what parts words here: not the no-break space, which is text
SPACE = re.compile(f"[{HTML_SPACE}]+")


def words(text: str) -> list[str]:
    """The words of an HTML text: parted by HTML's white space (a no-break space is text, and glues)."""
    return [word for word in SPACE.split(text) if word]


def model_words(text: str) -> list[str]:
    """The words of a text as the model's subwords part them: by any space, the no-break space too (SentencePiece's
    normalization makes every Unicode space a space)."""
    return text.split()


def word_of_pieces(pieces: Sequence[str]) -> list[int]:
    """The word each subword belongs to (counted from 0); -1 for the end of sentence."""
    out, word = [], -1
    for piece in pieces:
        if piece == EOS_PIECE:
            out.append(-1)
            continue
        if piece.startswith("▁") or word < 0:
            word += 1
        out.append(word)
    return out


def source_to_target(src_pieces: Sequence[str], tgt_pieces: Sequence[str],
                     attention: Sequence[Sequence[float]]) -> list[int]:
    """For each source word, the target word that attends to it most. attention: (target subwords, source
    subwords), both with their end of sentence."""
    # torch here, not at the top: model/html.py takes its word splitting from this module, and through it every
    # corpus reader (an app's messages: training/keyed.py), so `nmt prepare`'s worker processes held 500 MB of torch
    import torch

    src, tgt = word_of_pieces(src_pieces), word_of_pieces(tgt_pieces)
    sources = max(src, default=-1) + 1
    # rows: a hypothesis cut at its maximum length has no row for the end of sentence that its pieces list
    weights = torch.tensor(attention, dtype=torch.float32).reshape(len(attention), -1 if attention else 0)  # (T,S)
    src, tgt = src[: weights.size(1)], tgt[: weights.size(0)]
    if max(tgt, default=-1) < 0 or sources == 0:
        return [-1] * sources  # nothing written: no source word went anywhere
    weights = weights[: len(tgt), : len(src)]
    keep_t, keep_s = torch.tensor([w >= 0 for w in tgt]), torch.tensor([w >= 0 for w in src])
    matrix = torch.zeros(max(tgt) + 1, sources)  # (target words, source words)
    by_target = torch.zeros(matrix.size(0), weights.size(1)).index_add_(0, torch.tensor(tgt)[keep_t], weights[keep_t])
    matrix.index_add_(1, torch.tensor(src)[keep_s], by_target[:, keep_s])
    return matrix.argmax(0).tolist()


def text_alignment(translated: Translated) -> list[int] | None:
    """For each source word of a translated text, the word of translated.text it went to (-1: none), across its
    sentences; None if a sentence has no attention, or its subwords do not make the words of its translation (a
    restored span with a space in it)."""
    targets: list[int] = []
    written = 0  # target words of the sentences before
    for sentence in translated.sentences:
        count = len(model_words(sentence.text))
        if sentence.src_tokens:  # searched, not kept verbatim
            found = sentence_alignment(sentence.src_tokens, sentence.tgt_tokens, sentence.attention, sentence.text)
            if found is None:
                return None
            targets += [t + written if t >= 0 else -1 for t in found]
        else:  # kept as written (no letter: a number): each word where it was
            targets += range(written, written + count)
        written += count
    return targets


def sentence_alignment(src_pieces: Sequence[str], tgt_pieces: Sequence[str],
                       attention: Sequence[Sequence[float]] | None, text: str) -> list[int] | None:
    """For each source word of one sentence, the word of its translation `text` it went to (-1: none); None if it
    has no attention, or its subwords (with their end of sentence) do not make the words of text (a restored span
    with a space in it)."""
    if attention is None or max(word_of_pieces(tgt_pieces)) + 1 != len(model_words(text)):
        return None
    return source_to_target(src_pieces, tgt_pieces, attention)
