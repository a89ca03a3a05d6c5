"""Batched greedy and beam search, as one loop: a LiveBatch that sentences join and leave between decoder steps.

Every step runs all rows through the decoder at once. A sentence searched with beam size K holds K rows (K = 1 is
greedy search); it leaves the batch as soon as it is finished, so a short sentence never waits for a long one,
and sentences of any beam size share one batch. greedy_search and beam_search are a LiveBatch run to its end,
so a sentence gets the same output alone, in a batch, or joining a batch that is already running (the service's
continuous batching).

The model is a Seq2Seq or an InferenceModel: encode() and a decoder with initial_state() and step() (the Decoding
protocol of model/decoder.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from itertools import accumulate, pairwise
from typing import Any

import torch

from nmt.model.decoder import Memory, SearchModel, State, place_rows, place_state, select_state
from nmt.model.tokenizer import BOS, EOS, PAD

NEG_INF = float("-inf")


@dataclass
class Hypothesis:
    tokens: list[int]  # target ids, without BOS/EOS
    score: float  # log-probability (beam: divided by the length penalty)
    attention: torch.Tensor | None = None  # (T,S) weights for each output token


def max_lengths(src_len: torch.Tensor, ratio: float, extra: int = 10) -> torch.Tensor:
    return (src_len.float() * ratio).long() + extra


@dataclass
class Rows:
    """The tensors of a Part: memory has one row per sentence (its K hypotheses read it together), the rest one row
    per hypothesis, a sentence's K rows adjacent (ended sentences' too, until the part is compacted)."""

    memory: Memory  # m rows
    state: State  # (L,n,H), n = m*K
    prev: torch.Tensor  # (n,) last token written (BOS at first)
    scores: torch.Tensor  # (n,) log-probability so far
    length: torch.Tensor  # (n,) tokens written
    max_len: torch.Tensor  # (n,)
    live: torch.Tensor  # (n,) False once the sentence has ended or was removed
    tokens: torch.Tensor  # (n,W) tokens written, W >= max_len
    attention: torch.Tensor | None  # (n,W,S) attention of each token written

    @staticmethod
    def place(parts: list[tuple[Rows, torch.Tensor]], sentences: int, k: int) -> Rows:
        """The rows of several Rows in one copy, sentence i of a part at position at[i] (its K rows from at[i]*K
        on); positions from `sentences` on are cut off. Sources, tokens and attention are padded to the widest
        part's (model.decoder.place_rows)."""
        hypotheses = [(rows, (at[:, None] * k + torch.arange(k, device=at.device)).flatten()) for rows, at in parts]
        per_row = (place_rows([(getattr(r, f.name), at) for r, at in hypotheses], sentences * k)
                   for f in fields(Rows)[2:])
        return Rows(Memory.place([(r.memory, at) for r, at in parts], sentences),
                    place_state([(r.state, at) for r, at in hypotheses], sentences * k), *per_row)


@dataclass(frozen=True)
class Beam:
    """How a sentence is searched: `size` rows (1 = greedy), the `nbest` best hypotheses returned, and the GNMT
    length penalty alpha by which beam hypotheses are ranked."""

    size: int = 1
    nbest: int = 1
    alpha: float = 1.0

    @property
    def rows(self) -> int:
        return max(self.size, self.nbest)


GREEDY = Beam()


@dataclass(eq=False)
class LiveSentence:
    """A sentence in a LiveBatch: the caller's key, its beam, and the hypotheses that have ended so far."""

    key: Any
    beam: Beam
    ended: list[Hypothesis] = field(default_factory=list)

    def best(self) -> list[Hypothesis]:
        return sorted(self.ended, key=lambda h: h.score, reverse=True)[: self.beam.nbest]


@dataclass
class Joining:
    """Encoded sentences that join a LiveBatch: memory and max_len have one row per sentence."""

    memory: Memory
    max_len: torch.Tensor  # (m,)
    keys: list[Any]
    beam: Beam = GREEDY
    with_attention: bool = False  # each hypothesis carries its attention weights


class LiveBatch:
    """Sentences join (add) and leave (step) between steps; a sentence of beam size K holds K rows.

    step() advances every live row by one token and returns (key, hypotheses best first) of the sentences that
    have just finished: greedy ones at EOS or their max length; beam ones once K hypotheses ended in EOS, or at
    their max length. A sentence added mid-way gets the same tokens as alone: its memory is padded to the batch's
    source length with the mask False, and nothing else is shared between sentences. Sentences with K rows each
    make one Part (K = 1: greedy), so that a sentence's K hypotheses share its memory row; every part takes one
    decoder step per step(). Sentences whose attention weights are wanted make parts of their own: keeping every
    row's weights at every step would cost the others a (rows, W, S) copy at each beam step.
    """

    def __init__(self, model: SearchModel):
        self.model = model
        self.parts: dict[tuple[int, bool], Part] = {}  # (K, with attention) -> the sentences with K rows

    def __len__(self) -> int:
        """Live rows."""
        return sum(len(part) for part in self.parts.values())

    def add(self, memory: Memory, max_len: torch.Tensor, keys: list[Any], beam: Beam = GREEDY,
            with_attention: bool = False) -> None:
        """Sentences encoded by model.encode; they write their first token at the next step()."""
        self.add_groups([Joining(memory, max_len, keys, beam, with_attention)])

    @torch.inference_mode()
    def add_groups(self, groups: list[Joining]) -> None:
        """add() of several encoded batches at once: one copy per part they join."""
        attends = self.model.cfg.attention != "none"
        kinds = [(group.beam.rows, group.with_attention and attends) for group in groups]
        for kind in dict.fromkeys(kinds):
            part = self.parts.setdefault(kind, Part(*kind, self.model))
            part.add([group for group, of in zip(groups, kinds, strict=True) if of == kind])

    @torch.inference_mode()
    def step(self) -> list[tuple[Any, list[Hypothesis]]]:
        """One token for every live row; the sentences that finished, as (key, hypotheses), leave the batch."""
        assert self, "step() of an empty LiveBatch"
        finished = [sentence for part in self.parts.values() if part for sentence in part.step()]
        return [(sentence.key, sentence.best()) for sentence in finished]

    def remove_keys(self, unwanted: Callable[[Any], bool]) -> list[Any]:
        """Drop the sentences whose key is unwanted (their caller gave up); returns their keys."""
        keys = []
        for part in self.parts.values():
            leaving = {i: owner for i, owner in enumerate(part.owners) if owner is not None and unwanted(owner.key)}
            keys += [leaving[i].key for i in sorted(leaving)]
            part.remove(set(leaving))
        return list(dict.fromkeys(keys))


class Part:
    """The sentences of a LiveBatch that hold K rows each: their Rows and, per sentence, its LiveSentence (None
    once it ended or was removed).

    Leaving costs a copy of every row's tensors, so the rows of finished sentences stay, dead and computed for
    nothing, until they are a quarter of the part or sentences join (add's one copy leaves them out). Sentences
    are kept in order of source length: Bahdanau attention works on pieces of neighbouring sentences, each as
    wide as its longest source, and a sentence's length never changes.
    """

    COMPACT_SHARE = 4  # compact once dead sentences are 1/4 of the part

    def __init__(self, k: int, with_attention: bool, model: SearchModel):
        self.k, self.with_attention, self.model = k, with_attention, model
        self.owners: list[LiveSentence | None] = []
        self.rows: Rows | None = None
        self.dead = 0

    def __len__(self) -> int:
        """Live rows."""
        return (len(self.owners) - self.dead) * self.k

    @property
    def keys(self) -> list[Any]:
        """The key of each sentence (None for a dead one)."""
        return [None if owner is None else owner.key for owner in self.owners]

    @property
    def _rows(self) -> Rows:
        """self.rows, for the methods that run only while the part has rows (step and what it calls, remove)."""
        assert self.rows is not None, "an empty Part"
        return self.rows

    def add(self, groups: list[Joining]) -> None:
        """The live sentences and the new ones go into new tensors in one copy, in order of source length, and the
        dead ones are left out of it (with no groups: a compaction)."""
        parts = [] if self.rows is None else [self.rows]
        owners = list(self.owners)
        for group in groups:
            parts.append(self._new_rows(group))
            owners += [LiveSentence(key, group.beam) for key in group.keys]
        alive = sum(owner is not None for owner in owners)
        if not alive:
            self.rows, self.owners, self.dead = None, [], 0
            return
        device = parts[0].prev.device
        dead = torch.tensor([owner is None for owner in owners], device=device)
        lengths = torch.cat([rows.memory.mask.sum(1) for rows in parts]).masked_fill(dead, 2**62)  # dead ones last
        order = lengths.argsort(stable=True)
        if len(parts) == 1 and alive == len(owners) and bool((order == torch.arange(len(owners), device=device)).all()):
            self.rows, self.owners = parts[0], owners  # one batch, in order already (search()'s)
            return
        at = torch.empty_like(order)
        at[order] = torch.arange(len(order), device=device)  # sentence i of the parts, one after another, goes to at[i]
        offsets = list(accumulate((rows.memory.mask.size(0) for rows in parts), initial=0))
        placed = [(rows, at[a:b]) for rows, (a, b) in zip(parts, pairwise(offsets), strict=True)]
        self.rows = Rows.place(placed, alive, self.k)
        self.owners = [owners[i] for i in order[:alive].tolist()]
        self.dead = 0

    def _new_rows(self, group: Joining) -> Rows:
        k, memory = self.k, group.memory
        m, device = len(group.max_len), memory.mask.device
        repeat = torch.arange(m, device=device).repeat_interleave(k)  # the sentence of each hypothesis
        max_len = group.max_len.long()[repeat]
        n, width = m * k, int(max_len.max())
        scores = torch.zeros(m, k, device=device)
        scores[:, 1:] = NEG_INF  # a sentence's K hypotheses start identical: keep one
        attention = memory.states.new_zeros(n, width, memory.mask.size(1)) if self.with_attention else None
        return Rows(memory, select_state(self.model.decoder.initial_state(memory), repeat),
                    torch.full((n,), BOS, device=device), scores.view(-1), torch.zeros(n, dtype=torch.long, device=device),
                    max_len, torch.ones(n, dtype=torch.bool, device=device),
                    torch.zeros(n, width, dtype=torch.long, device=device), attention)

    def step(self) -> list[LiveSentence]:
        """One token for every row; the sentences that finished leave the part."""
        r = self._rows
        logits, r.state, weights = self.model.decoder.step(r.prev, r.state, r.memory)
        logp = logits.log_softmax(-1)  # (n,V)
        logp[:, EOS].masked_fill_(r.length == 0, NEG_INF)  # no empty translation: it won the beam for "Hello"
        at = r.length.clamp(max=r.tokens.size(1) - 1)  # dead rows may have written their last column already
        if r.attention is not None:
            assert weights is not None  # with_attention: the model has attention
            r.attention[torch.arange(len(r.prev)), at] = weights
        r.length += r.live
        if self.k == 1:
            best_logp, best = top_k(logp, 1)  # (n,1)
            r.prev, r.scores = best[:, 0], r.scores + best_logp[:, 0]
        else:
            parent = self._beam_step(logp)
            r.state, r.tokens = select_state(r.state, parent), r.tokens.index_select(0, parent)
            if r.attention is not None:
                r.attention = r.attention.index_select(0, parent)
        r.tokens.scatter_(1, at[:, None], r.prev[:, None])
        finished = self._greedy_ended() if self.k == 1 else self._finish_beams()
        if finished:
            leaving = set(finished)
            self.remove({i for i, owner in enumerate(self.owners) if owner in leaving})
        return finished

    def _greedy_ended(self) -> list[LiveSentence]:
        """The greedy sentences that wrote EOS or reached their max length."""
        r = self._rows
        done = r.live & ((r.prev == EOS) | (r.length >= r.max_len))
        if not bool(done.any()):
            return []
        ended = []
        for i in done.nonzero().flatten().tolist():
            sentence = self.owners[i]
            assert sentence is not None  # a live row's
            n = int(r.length[i])
            attention = r.attention[i, :n] if r.attention is not None else None
            sentence.ended.append(Hypothesis(strip_eos(r.tokens[i, :n].tolist()), float(r.scores[i]), attention))
            ended.append(sentence)
        return ended

    def _beam_step(self, logp: torch.Tensor) -> torch.Tensor:
        """For each sentence: the K best continuations of its K hypotheses over the vocabulary; those ending in EOS
        among the K best are final, the K best others go on. Returns the row each row continues (n,)."""
        r, k = self._rows, self.k
        m = len(self.owners)
        best, tokens = top_k(logp, min(2 * k, logp.size(1)))
        top_scores, hyp, token = rank_continuations(r.scores.view(m, k), best, tokens, 2 * k)  # (m,2K)
        parents = hyp + torch.arange(0, m * k, k, device=logp.device)[:, None]  # the row each candidate continues
        is_eos = token == EOS
        ended = is_eos[:, :k] & (top_scores[:, :k] > NEG_INF)
        for i, j in ended.nonzero().tolist():
            sentence = self.owners[i]
            if sentence is not None:  # dead sentences' rows are computed for nothing
                self._end(sentence, int(parents[i, j]), float(top_scores[i, j]), with_last=False)
        keep = (is_eos.long() * 2 * k + torch.arange(2 * k, device=logp.device)).argsort(dim=1)[:, :k]
        r.prev, r.scores = token.gather(1, keep).flatten(), top_scores.gather(1, keep).flatten()
        return parents.gather(1, keep).flatten()

    def _finish_beams(self) -> list[LiveSentence]:
        """Beam sentences with K ended hypotheses, or at their max length (their live hypotheses end there)."""
        r, k, finished = self._rows, self.k, []
        out_of_room = (r.length[::k] >= r.max_len[::k]).tolist()
        for i, sentence in enumerate(self.owners):
            if sentence is None:
                continue
            if len(sentence.ended) < k and out_of_room[i]:
                for row in range(i * k, (i + 1) * k):
                    if r.scores[row] > NEG_INF:
                        self._end(sentence, row, float(r.scores[row]), with_last=True)
            if len(sentence.ended) >= k or out_of_room[i]:
                finished.append(sentence)
        return finished

    def _end(self, sentence: LiveSentence, row: int, score: float, with_last: bool) -> None:
        """A final hypothesis of a beam sentence: the tokens of row (with the one just written, or without it: the
        hypothesis that continues row with EOS), its score divided by the length penalty."""
        r = self._rows
        length = int(r.length[row])  # columns written, this step's included
        attention = r.attention[row, :length] if r.attention is not None else None
        tokens = r.tokens[row, : length if with_last else length - 1].tolist()
        sentence.ended.append(Hypothesis(tokens, score / length_penalty(len(tokens) + 1, sentence.beam.alpha), attention))

    @torch.inference_mode()
    def remove(self, sentences: set[int]) -> None:
        """Drop sentences by position (finished, or no longer wanted by their caller)."""
        sentences = {i for i in sentences if self.owners[i] is not None}
        if not sentences:
            return
        self._rows.live.view(-1, self.k)[torch.tensor(sorted(sentences), dtype=torch.long)] = False
        for i in sentences:
            self.owners[i] = None
        self.dead += len(sentences)
        if self.dead * self.COMPACT_SHARE >= len(self.owners):
            self.add([])  # one copy of the live sentences, without the dead ones


def search(model: SearchModel, memory: Memory, max_len: torch.Tensor, beam: Beam = GREEDY,
           with_attention: bool = False) -> list[list[Hypothesis]]:
    """Search every sentence of the batch to its end: the best hypotheses of each, best first. max_len (B,) caps
    each output."""
    live = LiveBatch(model)
    live.add(memory, max_len, list(range(len(max_len))), beam, with_attention)
    results: list[list[Hypothesis]] = [[] for _ in range(len(max_len))]
    while live:
        for i, hyps in live.step():
            results[i] = hyps
    return results


def forced_scores(model: SearchModel, memory: Memory, targets: torch.Tensor) -> torch.Tensor:
    """log P(target | source) of each row, by teacher forcing through the decoder steps that search takes (so an
    ensemble, an int8 or an exact model scores as it translates): targets (B,T) ids, each row ending in EOS, PAD
    after it -> (B,)."""
    state = model.decoder.initial_state(memory)
    prev = targets.new_full((targets.size(0),), BOS)
    total = torch.zeros(targets.size(0), device=targets.device)
    for t in range(targets.size(1)):
        logits, state, _ = model.decoder.step(prev, state, memory)
        prev = targets[:, t]
        logp = logits.log_softmax(-1).gather(1, prev[:, None])[:, 0]  # (B,)
        total += logp.masked_fill(prev == PAD, 0.0)  # PAD's logit is -inf
    return total


def greedy_search(model: SearchModel, memory: Memory, max_len: torch.Tensor,
                  with_attention: bool = False) -> list[Hypothesis]:
    """Pick the most likely token at each step."""
    return [hyps[0] for hyps in search(model, memory, max_len, GREEDY, with_attention)]


def beam_search(model: SearchModel, memory: Memory, max_len: torch.Tensor, beam_size: int, alpha: float = 1.0,
                nbest: int = 1, with_attention: bool = False) -> list[list[Hypothesis]]:
    """Keep the beam_size best prefixes of each sentence; a sentence ends once beam_size hypotheses have ended in
    EOS (or it reaches its max length). The nbest hypotheses per sentence, best first."""
    return search(model, memory, max_len, Beam(beam_size, nbest, alpha), with_attention)


def strip_eos(tokens: list[int]) -> list[int]:
    return tokens[:-1] if tokens and tokens[-1] == EOS else tokens


def length_penalty(length: int, alpha: float) -> float:
    """GNMT length penalty ((5 + |Y|) / 6) ** alpha."""
    return ((5 + length) / 6) ** alpha


def rank_continuations(scores: torch.Tensor, best: torch.Tensor, tokens: torch.Tensor, width: int):
    """The `width` best one-token continuations of each sentence, over its K hypotheses and the whole vocabulary:
    scores (n,K) log-probabilities so far, and each hypothesis's `per_row` best next tokens, best (n*K,per_row)
    log-probabilities and tokens (n*K,per_row), per_row >= width -> their scores (n,width), hypothesis (n,width) in
    0..K-1 and token (n,width). The width best continuations of a sentence are among those, so only they are
    ranked across hypotheses, never the whole (n,K*V) table."""
    n, k = scores.shape
    per_row = best.size(1)
    cand = (scores.reshape(-1, 1) + best).view(n, k * per_row)
    top_scores, top = cand.topk(width, dim=1)  # (n, width), indices into (K, per_row)
    return top_scores, top // per_row, tokens.reshape(n, k * per_row).gather(1, top)


def top_k(x: torch.Tensor, k: int, block: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.topk(x, k, dim=1) of a wide table x (n,V): the same values, best first, and their columns (among equal
    values, maybe others). Faster on the output layer's (n,8000) logits (benchmarks/README.md), because torch's topk is a
    scalar loop over every value while its amax is vectorized: the row's k largest values lie in the k blocks of
    `block` columns with the largest maxima (a value outside them would be below k block maxima, so below k
    values), and only those k blocks, plus the columns after the last whole block, are ranked."""
    n, v = x.shape
    whole = v - v % block
    if whole < 4 * k * block:  # narrow: plain topk is as fast
        return x.topk(k, dim=1)
    blocks = x[:, :whole].view(n, whole // block, block)
    _, chosen = blocks.amax(2).topk(k, dim=1)  # (n,k)
    candidates = torch.cat([blocks.gather(1, chosen[:, :, None].expand(n, k, block)).view(n, k * block),
                            x[:, whole:]], dim=1)  # (n, k*block + v - whole)
    values, at = candidates.topk(k, dim=1)
    in_block = chosen.gather(1, (at // block).clamp(max=k - 1)) * block + at % block
    return values, torch.where(at < k * block, in_block, at - k * block + whole)


