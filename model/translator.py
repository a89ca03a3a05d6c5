"""Translator: the one inference path, used by the service and by the evaluation job alike.

text -> SentencePiece ids -> length-sorted batches -> encoder -> greedy/beam search -> detokenized text

The network it runs is an InferenceModel: the trained encoder and, for a one-layer GRU decoder, the decoder's
FastDecoder form (model/decoder.py); with int8=True, its int8 copy (model/quantize.py).
GreedyStream is the same greedy search one step at a time, for a server's continuous batching.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nmt.model.batching import padded_batches
from nmt.model.bundle import Bundle, load_bundle
from nmt.model.decoder import FastDecoder, Memory
from nmt.model.device import resolve_device
from nmt.model.quantize import quantize_for_cpu
from nmt.model.search import DEAD, Hypothesis, LiveBatch, beam_search, greedy_search, max_lengths
from nmt.model.seq2seq import Seq2Seq
from nmt.model.text import clean_input
from nmt.model.tokenizer import EOS, PAD


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


class InferenceModel(nn.Module):
    """What the Translator runs: the trained encoder, and the decoder in its FastDecoder form where it has one
    (otherwise the trained decoder, stepped through its teacher-forced forward)."""

    def __init__(self, model: Seq2Seq):
        super().__init__()
        self.cfg, self.encoder = model.cfg, model.encoder
        self.decoder = FastDecoder(model.decoder) if FastDecoder.supports(model.cfg) else model.decoder

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Memory:
        return self.decoder.prepare(*self.encoder(src, src_len))


class Translator:
    """int8: run an int8 copy of the network (CPU only; "auto" then means the CPU)."""

    def __init__(self, bundle: Bundle, device: str = "cpu", batch_tokens: int = 8000, int8: bool = False):
        if int8 and device == "auto":
            device = "cpu"
        self.bundle = bundle
        self.device = resolve_device(device)
        if int8 and self.device.type != "cpu":
            raise ValueError(f"int8 inference runs on the CPU, not on {self.device}")
        self.model = InferenceModel(bundle.model.to(self.device).eval()).eval()
        if int8:
            self.model = quantize_for_cpu(self.model)
        self.batch_tokens = batch_tokens

    @classmethod
    def load(cls, path: Path | str | None = None, device: str = "auto", int8: bool = False, **kwargs) -> Translator:
        return cls(load_bundle(path), device, int8=int8, **kwargs)

    def stream(self) -> GreedyStream:
        return GreedyStream(self)

    def translate(self, texts: list[str], options: DecodeOptions | None = None) -> list[Translation]:
        """Translate many sentences at once; the output is in input order."""
        options = options or DecodeOptions()
        texts = [clean_input(t) for t in texts]  # InvalidText (a ValueError) if not valid Unicode
        ids = self.source_ids(texts)
        results: list[Translation | None] = [None] * len(texts)
        for batch in self._batches(ids):
            for i, hyps in zip(batch, self._decode([ids[i] for i in batch], options), strict=True):
                results[i] = self.to_translation(ids[i], hyps) if texts[i].strip() else Translation("", 0.0)
        return results  # type: ignore[return-value]

    def _batches(self, ids: list[list[int]]) -> list[list[int]]:
        """Indices grouped into batches of similar length within the token budget."""
        return padded_batches([len(s) for s in ids], self.batch_tokens)

    def source_ids(self, texts: list[str]) -> list[list[int]]:
        return [s + [EOS] for s in self.bundle.src_tokenizer.encode(texts)]

    def encode(self, batch: list[list[int]], max_len_ratio: float) -> tuple[Memory, torch.Tensor]:
        """Source ids (EOS included) -> the batch's memory, and the longest output allowed for each (B,)."""
        src_len = torch.tensor([len(s) for s in batch])
        src = torch.full((len(batch), int(src_len.max())), PAD, dtype=torch.long)
        for row, s in enumerate(batch):
            src[row, : len(s)] = torch.tensor(s)
        memory = self.model.encode(src.to(self.device), src_len.to(self.device))
        return memory, max_lengths(src_len.to(self.device), max_len_ratio)

    @torch.inference_mode()
    def _decode(self, batch: list[list[int]], options: DecodeOptions) -> list[list[Hypothesis]]:
        memory, max_len = self.encode(batch, options.max_len_ratio)
        if options.beam_size == 1 and options.nbest == 1:
            return [[h] for h in greedy_search(self.model, memory, max_len, options.with_attention)]
        return beam_search(self.model, memory, max_len, max(options.beam_size, options.nbest),
                           options.length_penalty, options.nbest, options.with_attention)

    def to_translation(self, src_ids: list[int], hyps: list[Hypothesis]) -> Translation:
        tgt_tok = self.bundle.tgt_tokenizer
        texts = tgt_tok.decode([h.tokens for h in hyps])
        best = hyps[0]
        attention = best.attention[:, : len(src_ids)].float().cpu().tolist() if best.attention is not None else None
        return Translation(
            text=texts[0], score=best.score,
            src_tokens=self.bundle.src_tokenizer.pieces(src_ids[:-1]) + ["</s>"],
            tgt_tokens=tgt_tok.pieces(best.tokens) + ["</s>"],
            attention=attention, nbest=list(zip(texts, [h.score for h in hyps], strict=True)),
        )


@dataclass
class Encoded:
    """Sentences encoded by GreedyStream.encode(), waiting to join its live batch."""

    memory: Memory | None  # of the non-blank sentences
    max_len: torch.Tensor | None  # (n,)
    entries: list[tuple[Any, list[int]]]  # (key, source ids) of each non-blank sentence
    blank: list[Any]  # keys of the blank texts: answered "" at the next step, without the model

    @property
    def keys(self) -> list[Any]:
        return [key for key, _ in self.entries] + self.blank


class GreedyStream:
    """Greedy translation one step at a time, for continuous batching: encode() sentences whenever they come (on
    any thread), join() them to the live batch between steps, step() it, and get each translation back as soon as
    its sentence has ended. It runs greedy_search's LiveBatch, so a sentence gets the text that translate() gives it
    with beam_size 1, whenever it joins."""

    def __init__(self, translator: Translator):
        self.translator = translator
        self.live = LiveBatch(translator.model)
        self.ready: list[Any] = []  # keys of blank texts, answered "" at the next step

    def __len__(self) -> int:
        return len(self.live) + len(self.ready)

    @torch.inference_mode()
    def encode(self, texts: list[str], keys: list[Any], max_len_ratio: float = DecodeOptions.max_len_ratio,
               ids: list[list[int]] | None = None) -> Encoded:
        """Encode the texts (one batch) for join(); InvalidText if one is not valid. ids: their source_ids, when the
        caller has them already. It only reads the model, so it may run on another thread while step() runs."""
        texts = [clean_input(t) for t in texts]
        ids = ids or self.translator.source_ids(texts)
        joining = [i for i, text in enumerate(texts) if text.strip()]
        blank = [keys[i] for i, text in enumerate(texts) if not text.strip()]
        if not joining:
            return Encoded(None, None, [], blank)
        memory, max_len = self.translator.encode([ids[i] for i in joining], max_len_ratio)
        return Encoded(memory, max_len, [(keys[i], ids[i]) for i in joining], blank)

    @torch.inference_mode()
    def join(self, *encoded: Encoded) -> None:
        """Add encoded sentences to the live batch (in one copy of it): they write their first token at the next
        step()."""
        groups = [(e.memory, e.max_len, e.entries) for e in encoded if e.entries]
        if groups:
            self.live.add_groups(groups)
        self.ready += [key for e in encoded for key in e.blank]

    def add(self, texts: list[str], keys: list[Any], max_len_ratio: float = DecodeOptions.max_len_ratio) -> None:
        """encode() and join() at once."""
        self.join(self.encode(texts, keys, max_len_ratio))

    def step(self) -> list[tuple[Any, Translation]]:
        """One token for every live sentence; returns (key, Translation) of the sentences that ended."""
        return [(key, make()) for key, make in self.step_lazily()]

    @torch.inference_mode()
    def step_lazily(self) -> list[tuple[Any, Callable[[], Translation]]]:
        """step(), but each ended sentence comes with a function that makes its Translation, to be called on
        another thread: detokenizing on the decoder's thread cost a service 20% of its throughput (measured)."""
        done, self.ready = [(key, partial(Translation, "", 0.0)) for key in self.ready], []
        if self.live:
            done += [(key, partial(self.translator.to_translation, ids, [hyp])) for (key, ids), hyp in self.live.step()]
        return done

    @torch.inference_mode()
    def drop(self, unwanted: Callable[[Any], bool]) -> list[Any]:
        """Remove the sentences whose key is unwanted (their caller gave up); returns their keys."""
        keys = [key for key in self.ready if unwanted(key)]
        self.ready = [key for key in self.ready if not unwanted(key)]
        rows = {i for i, entry in enumerate(self.live.keys) if entry is not DEAD and unwanted(entry[0])}
        if rows:
            keys += [self.live.keys[i][0] for i in sorted(rows)]
            self.live.remove(rows)
        return keys
