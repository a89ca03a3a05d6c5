"""Placeholders in training pairs, so that a model learns to carry ⦅0⦆ … ⦅N-1⦆ (model/spans.py) to the right place
in its translation, as the service's masked spans need.

Two sources of placeholders: a span found on both sides of a pair (the same number, URL, ...) is masked with the
same placeholder on both; and, with probability `inject`, 1 to `max_inject` placeholders are put at matching word
boundaries of both sides (at the same relative position: Bible verses, like most sentence pairs, run roughly in
the same order in both languages). With probability `names`, the names a pair shares (a capitalized word of the
source, not its first, that the target holds verbatim: "David", "Esther") are masked as well, so that the model
learns to carry a name it does not know (model/spans.py). Placeholders are then numbered in the source's reading
order, as mask() numbers them at translation time.
"""
from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nmt.model.spans import PLACEHOLDER, Span, capitalized, find_spans, placeholder

EVERY_NAME: frozenset[str] = frozenset()  # known words for find_spans: none, so every name is a span


class PlaceholderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["placeholders"] = "placeholders"
    inject: float = Field(0.15, ge=0, le=1, description="probability that a pair gets synthetic placeholders")
    max_inject: int = Field(4, ge=1, description="at most this many synthetic placeholders in one pair")
    names: float = Field(0, ge=0, le=1, description="probability that a pair's shared names are masked too (needs "
                         "model.names)")


def add_placeholders(pair: tuple[str, str], cfg: PlaceholderConfig, slots: int, rng: random.Random) -> tuple[str, str]:
    """The pair with its shared spans masked and, sometimes, synthetic placeholders added; at most `slots`."""
    src, tgt = _mask_shared(*pair, slots, with_names=rng.random() < cfg.names)
    used = len(PLACEHOLDER.findall(src))
    if used < slots and rng.random() < cfg.inject:
        for _ in range(rng.randint(1, min(cfg.max_inject, slots - used))):
            at = rng.random()
            mark = placeholder(slots + used)  # a temporary slot, renumbered below
            src, tgt = _insert_at(src, at, mark), _insert_at(tgt, at, mark)
            used += 1
    return _renumbered(src, tgt)


def _mask_shared(src: str, tgt: str, slots: int, with_names: bool = False) -> tuple[str, str]:
    """Spans of the source that the target holds verbatim, masked on both sides with the same placeholder; the
    source's names too, with_names (in the target, a name may start the sentence)."""
    tgt_spans = find_spans(tgt)
    if with_names:
        tgt_spans += capitalized(tgt)
    in_tgt = {s.text: s for s in reversed(tgt_spans)}  # the first span of each text
    src_spans = find_spans(src, known=EVERY_NAME if with_names else None)
    shared = [(s, in_tgt.pop(s.text)) for s in src_spans if s.text in in_tgt][:slots]
    return (_replaced(src, [(s, slot) for slot, (s, _) in enumerate(shared)]),
            _replaced(tgt, [(t, slot) for slot, (_, t) in enumerate(shared)]))


def _replaced(text: str, cuts: list[tuple[Span, int]]) -> str:
    for span, slot in sorted(cuts, key=lambda cut: -cut[0].start):  # from the end: earlier offsets stay valid
        text = text[:span.start] + placeholder(slot) + text[span.end:]
    return text


def _insert_at(text: str, at: float, mark: str) -> str:
    """text with mark as a word at the word boundary nearest the relative position at (0: start, 1: end)."""
    words = text.split(" ")
    i = round(at * len(words))
    return " ".join([*words[:i], mark, *words[i:]])


def _renumbered(src: str, tgt: str) -> tuple[str, str]:
    """Placeholders renumbered 0, 1, ... in the order they appear in the source."""
    order = {m.group(): placeholder(i) for i, m in enumerate(PLACEHOLDER.finditer(src))}
    return (PLACEHOLDER.sub(lambda m: order[m.group()], src),
            PLACEHOLDER.sub(lambda m: order.get(m.group(), ""), tgt))
