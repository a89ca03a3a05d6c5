"""Translator: the one inference path, used by the service and by the evaluation job alike.

text -> SentencePiece ids -> length-sorted batches -> encoder -> greedy/beam search -> detokenized text
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from model.bundle import Bundle, load_bundle
from model.search import Hypothesis, beam_search, greedy_search, max_lengths
from model.tokenizer import EOS, PAD


@dataclass
class DecodeOptions:
    beam_size: int = 1
    nbest: int = 1
    length_penalty: float = 1.0
    max_len_ratio: float = 2.0
    with_attention: bool = False


@dataclass
class Translation:
    text: str
    score: float
    src_tokens: list[str] = field(default_factory=list)
    tgt_tokens: list[str] = field(default_factory=list)
    attention: list[list[float]] | None = None  # (target token, source token) weights
    nbest: list[tuple[str, float]] = field(default_factory=list)


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class Translator:
    def __init__(self, bundle: Bundle, device: str = "cpu", batch_tokens: int = 8000):
        self.bundle = bundle
        self.device = resolve_device(device)
        self.model = bundle.model.to(self.device).eval()
        self.batch_tokens = batch_tokens

    @classmethod
    def load(cls, path: Path | str | None = None, device: str = "auto", **kwargs) -> Translator:
        return cls(load_bundle(path), device, **kwargs)

    def translate(self, texts: list[str], options: DecodeOptions | None = None) -> list[Translation]:
        """Translate many sentences at once; the output is in input order."""
        options = options or DecodeOptions()
        ids = [s + [EOS] for s in self.bundle.src_tokenizer.encode(texts)]
        results: list[Translation | None] = [None] * len(texts)
        for batch in self._batches(ids):
            for i, hyps in zip(batch, self._decode([ids[i] for i in batch], options)):
                results[i] = self._to_translation(texts[i], ids[i], hyps) if texts[i].strip() else Translation("", 0.0)
        return results  # type: ignore[return-value]

    def _batches(self, ids: list[list[int]]) -> list[list[int]]:
        """Indices grouped into batches of similar length within the token budget."""
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches, current = [], []
        for i in order:
            if current and (len(current) + 1) * len(ids[i]) > self.batch_tokens:
                batches.append(current)
                current = []
            current.append(i)
        return batches + [current] if current else batches

    @torch.inference_mode()
    def _decode(self, batch: list[list[int]], options: DecodeOptions) -> list[list[Hypothesis]]:
        src_len = torch.tensor([len(s) for s in batch])
        src = torch.full((len(batch), int(src_len.max())), PAD, dtype=torch.long)
        for row, s in enumerate(batch):
            src[row, : len(s)] = torch.tensor(s)
        memory = self.model.encode(src.to(self.device), src_len.to(self.device))
        max_len = max_lengths(src_len.to(self.device), options.max_len_ratio)
        if options.beam_size == 1 and options.nbest == 1:
            return [[h] for h in greedy_search(self.model, memory, max_len, options.with_attention)]
        return beam_search(self.model, memory, max_len, max(options.beam_size, options.nbest),
                           options.length_penalty, options.nbest, options.with_attention)

    def _to_translation(self, text: str, src_ids: list[int], hyps: list[Hypothesis]) -> Translation:
        tgt_tok = self.bundle.tgt_tokenizer
        texts = tgt_tok.decode([h.tokens for h in hyps])
        best = hyps[0]
        attention = best.attention.float().cpu().tolist() if best.attention is not None else None
        return Translation(
            text=texts[0], score=best.score,
            src_tokens=self.bundle.src_tokenizer.pieces(src_ids[:-1]) + ["</s>"],
            tgt_tokens=tgt_tok.pieces(best.tokens) + ["</s>"],
            attention=attention, nbest=list(zip(texts, [h.score for h in hyps])),
        )
