"""Subword ids of a whole corpus, each distinct word encoded by SentencePiece once.

A unigram model as Tokenizer.train learns it (SentencePiece's split_by_whitespace) has no subword with the space
mark ▁ past its first character: no subword spans two words, so the best segmentation of a line is the best
segmentations of its words one after another, and a word has the same ids wherever it occurs. A corpus of
millions of lines has far fewer distinct words (Zipf's law), so a memo of each word's ids, packed as bytes of the
id dtype, turns most of SentencePiece's work into a dict lookup a word and one bytes join a line, with no Python
int made per subword. tests/test_word_memo.py checks the equality on real and odd text; each call also checks its
first lines against SentencePiece, so that a case it missed fails loudly instead of preparing wrong ids.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import chain

import numpy as np

from nmt.model.tokenizer import Tokenizer

SPACE = "\u2581"  # ▁, SentencePiece's mark of a space
CHECKED = 2  # lines of each call encoded both ways


class WordMemo:
    def __init__(self, tok: Tokenizer, dtype, limit: int = 1 << 19):
        self.tok, self.dtype, self.limit = tok, np.dtype(dtype), limit
        self.memo: dict[bytes, bytes] = {}
        self.exact = all(SPACE not in piece[1:] for piece in tok.pieces(list(range(tok.vocab_size))))

    def encode(self, lines: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Lines of UTF-8 text (one space between words, as preparation leaves them) -> their ids one after
        another, and the number of ids of each line. A model whose subwords may span words encodes whole lines."""
        if not self.exact:
            return self._whole(lines)
        if len(self.memo) > self.limit:  # memory stays bounded: the words still frequent come back at once
            self.memo.clear()
        get, packed, new = self.memo.__getitem__, [], []
        for index, line in enumerate(lines):
            try:
                packed.append(b"".join(map(get, line.split(b" "))))
            except KeyError:  # a word not met yet: the line is done again below
                packed.append(b"")
                new.append(index)
        if new:
            self._learn([word for index in new for word in lines[index].split(b" ")])
            for index in new:
                packed[index] = b"".join(map(get, lines[index].split(b" ")))
        ids = np.frombuffer(b"".join(packed), self.dtype)
        lengths = np.fromiter(map(len, packed), np.int64, len(packed)) // self.dtype.itemsize
        checked = self._whole(lines[:CHECKED])
        if not np.array_equal(ids[: len(checked[0])], checked[0]):
            raise RuntimeError(f"word memo: the ids of {lines[0][:60]!r} differ from SentencePiece's (a bug: please "
                               "report it)")
        return ids, lengths

    def _learn(self, words: list[bytes]) -> None:
        """Memo the words not in it yet, in one call to SentencePiece (each call costs a thread pool's start)."""
        missing = [word for word in dict.fromkeys(words) if word not in self.memo]
        for word, ids in zip(missing, self.tok.encode_utf8(missing), strict=True):
            self.memo[word] = np.array(ids, self.dtype).tobytes()

    def _whole(self, lines: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """SentencePiece on whole lines."""
        ids = self.tok.encode_utf8(lines)
        lengths = np.fromiter(map(len, ids), np.int64, len(ids))
        return np.fromiter(chain.from_iterable(ids), self.dtype, int(lengths.sum())), lengths


@lru_cache(maxsize=2)
def memo_for(model: bytes, dtype: str) -> WordMemo:
    """The memo of a model in this (worker) process, kept between its tasks: the two sides' of the job at hand."""
    return WordMemo(Tokenizer(model), dtype)
