"""SentencePiece subword tokenizer with the special ids the network relies on."""
from __future__ import annotations

import io
import struct
from collections.abc import Iterable

import sentencepiece as spm

from nmt.model.spans import placeholder
from nmt.model.text import clean_input

PAD, UNK, BOS, EOS = 0, 1, 2, 3
WORD_START = "\u2581"  # SentencePiece's mark of a piece that begins a word


class Tokenizer:
    """Wraps one SentencePiece model, held as bytes so a bundle can carry it verbatim."""

    def __init__(self, model_bytes: bytes):
        self.model_bytes = model_bytes
        self.sp = spm.SentencePieceProcessor(model_proto=model_bytes)
        if (self.sp.pad_id(), self.sp.unk_id(), self.sp.bos_id(), self.sp.eos_id()) != (PAD, UNK, BOS, EOS):
            raise ValueError("SentencePiece model must use pad=0, unk=1, bos=2, eos=3")
        self.placeholders = _placeholders(self.sp)  # counted once: every sentence prepared and finished asks
        self._reads: dict[str, bool] = {}  # a character -> whether it is read (reads), as each was asked

    @classmethod
    def train(cls, sentences: Iterable[str], vocab_size: int, character_coverage: float = 1.0,
              placeholders: int = 0, threads: int = 1, normalization: str = "nmt_nfkc") -> Tokenizer:
        """Learn a unigram subword model from raw sentences; then reserve the placeholder subwords. threads: for
        SentencePiece's EM steps (more than the cores it has to itself only adds contention); normalization: its
        normalization rule's name, kept in the model, which applies it to every text it reads."""
        buffer = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_writer=buffer,
            vocab_size=vocab_size,
            model_type="unigram",
            character_coverage=character_coverage,
            normalization_rule_name=normalization,
            pad_id=PAD, unk_id=UNK, bos_id=BOS, eos_id=EOS,
            hard_vocab_limit=False,
            num_threads=threads,
            minloglevel=2,
        )
        return cls(buffer.getvalue()).with_placeholders(placeholders)


    def with_placeholders(self, n: int) -> Tokenizer:
        """This model with at least n placeholder subwords, appended as the last ids: a model trained without
        them keeps every id it had, so a network trained on it can grow its vocabulary (training/train.py)."""
        pieces = [_user_defined_piece(placeholder(i)) for i in range(self.placeholders, n)]
        return Tokenizer(self.model_bytes + b"".join(pieces)) if pieces else self

    @property
    def vocab_size(self) -> int:
        return self.sp.get_piece_size()

    def scored_pieces(self) -> list[tuple[str, float]]:
        """Every subword with its score (a unigram model's: its log-probability)."""
        return [(self.sp.id_to_piece(i), self.sp.get_score(i)) for i in range(self.vocab_size)]

    def words(self) -> frozenset[str]:
        """The words that are one subword, in lowercase: those the model has seen often."""
        return frozenset(piece[1:].lower() for piece, _ in self.scored_pieces() if piece.startswith(WORD_START))

    def reads(self, char: str) -> bool:
        """Whether the character is read as something other than the unknown subword."""
        known = self._reads.get(char)
        if known is None:
            known = self._reads[char] = UNK not in self.sp.encode(char, out_type=int)
        return known

    # SentencePiece's list calls start a thread pool, even for num_threads=1: a cost per call, whatever the list's
    # length, of many short texts encoded one by one (benchmarks/README.md), so lists shorter than LIST_CALL_MIN go
    # one text per call; longer ones as a list, with one thread (the callers run beside torch, which keeps the cores
    # busy already).
    LIST_CALL_MIN = 64

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Subword ids of each text; InvalidText (a ValueError) for one that is not valid Unicode."""
        try:
            if len(texts) < self.LIST_CALL_MIN:
                return [self.sp.encode(text, out_type=int) for text in texts]
            return self.sp.encode(texts, out_type=int, num_threads=1)
        except (TypeError, RuntimeError):  # SentencePiece cannot convert a lone surrogate: say which text and where
            for text in texts:
                clean_input(text)
            raise

    def encode_utf8(self, lines: list[bytes]) -> list[list[int]]:
        """encode for lines that are valid UTF-8 already (a prepared corpus): SentencePiece reads them as they are,
        with no decoding to str and encoding back."""
        return self.sp.encode(lines, out_type=int, num_threads=1)

    def pieces(self, ids: list[int]) -> list[str]:
        return self.sp.id_to_piece(ids)

    def decode(self, ids: list[list[int]]) -> list[str]:
        if len(ids) < self.LIST_CALL_MIN:
            return [self.sp.decode(one) for one in ids]
        return self.sp.decode(ids, num_threads=1)


def _placeholders(sp: spm.SentencePieceProcessor) -> int:
    """How many placeholder subwords ⦅0⦆ … ⦅N-1⦆ (model/spans.py) the model reserves."""
    n = 0
    while sp.piece_to_id(placeholder(n)) != UNK:
        n += 1
    return n


def _user_defined_piece(text: str) -> bytes:
    """One `pieces` entry of SentencePiece's ModelProto (field 1: piece, score, type USER_DEFINED), serialized.
    Appending it to a serialized model adds a piece, as protobuf merges repeated fields by concatenation; a
    user-defined piece is never split and never learned from text."""
    raw = text.encode()
    inner = b"\x0a" + _varint(len(raw)) + raw + b"\x15" + struct.pack("<f", 0.0) + b"\x18\x04"
    return b"\x0a" + _varint(len(inner)) + inner


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    return bytes(out + bytes([n]))
