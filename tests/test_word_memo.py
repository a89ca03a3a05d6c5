"""training/word_memo.py: a corpus's ids made a word at a time from a memo are SentencePiece's ids of the whole lines,
for the shipped models on real text and on odd text, and for a model whose subwords span words."""
from __future__ import annotations

import io

import numpy as np
import pytest
import sentencepiece as spm

from nmt.model.bundle import MODELS
from nmt.model.tokenizer import Tokenizer
from nmt.training.corpus import load_corpus
from nmt.training.word_memo import WordMemo

ODD = ["Año 1984: 3,5 % — ¿sí? «no» 'x' \"y\"", "a¨b ¨c d´ e\u0301f", "zero\u200bwidth soft\u00adhyphen",
       "漢字 und 😀 ⦅0⦆ ⦅1⦆x", "ﬁne ｆｕｌｌ ①②", "double  space", "tab\there", "Ⅻ ㎏ ℌ", "ǅ ĳ ŉ", ""]


def lines_of(side: str) -> list[bytes]:
    corpus = load_corpus("data/bible/dev.tsv")
    texts = [pair[0] if side == "src" else pair[1] for pair in corpus.pairs] + ODD
    return [text.encode() for text in texts]


def whole_lines(tok: Tokenizer, lines: list[bytes]) -> tuple[list[int], list[int]]:
    ids = tok.encode_utf8(lines)
    return [i for line in ids for i in line], [len(line) for line in ids]


@pytest.mark.parametrize("pair", ["en-es", "es-en"])
def test_the_memo_gives_sentencepiece_ids_for_the_shipped_models(pair):
    for side in ("src", "tgt"):
        tok = Tokenizer((MODELS / pair / f"{side}.spm").read_bytes())
        lines = lines_of(side if pair == "en-es" else ("tgt" if side == "src" else "src"))
        memo = WordMemo(tok, np.uint16)
        assert memo.exact
        for _ in range(2):  # learning the words, then from the memo
            ids, lengths = memo.encode(lines)
            assert (ids.tolist(), lengths.tolist()) == whole_lines(tok, lines)
        assert len(memo.memo) > 1000


def test_a_model_whose_subwords_span_words_encodes_whole_lines():
    buffer = io.BytesIO()
    texts = [line.decode() for line in lines_of("src")[:400]]
    spm.SentencePieceTrainer.train(sentence_iterator=iter(texts), model_writer=buffer, vocab_size=300,
                                   split_by_whitespace=False, pad_id=0, unk_id=1, bos_id=2, eos_id=3, minloglevel=2)
    tok = Tokenizer(buffer.getvalue())
    memo = WordMemo(tok, np.uint16)
    assert not memo.exact
    lines = lines_of("src")
    ids, lengths = memo.encode(lines)
    assert (ids.tolist(), lengths.tolist()) == whole_lines(tok, lines) and not memo.memo


def test_a_wrong_memo_fails_loudly():
    tok = Tokenizer((MODELS / "en-es" / "src.spm").read_bytes())
    memo = WordMemo(tok, np.uint16)
    memo.encode([b"In the beginning"])
    memo.memo[b"beginning"] = np.array([5], np.uint16).tobytes()
    with pytest.raises(RuntimeError, match="differ from SentencePiece"):
        memo.encode([b"In the beginning"])
