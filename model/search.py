"""Batched greedy and beam search. Every step runs the whole batch through the decoder at once;
sentences that finish leave the batch, so the work shrinks as the batch empties.

The model is a Seq2Seq or anything with its encode() and a decoder with initial_state() and step() (the
Translator's inference model with a FastDecoder). Greedy search is a LiveBatch run to its end: the service keeps
one running and lets sentences join it between steps (continuous batching), with the same loop.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import accumulate, pairwise
from typing import Any

import torch

from nmt.model.decoder import Memory, State, place_rows, place_state, select_rows, select_state
from nmt.model.tokenizer import BOS, EOS


@dataclass
class Hypothesis:
    tokens: list[int]  # target ids, without BOS/EOS
    score: float  # log-probability (beam: divided by the length penalty)
    attention: torch.Tensor | None = None  # (T,S) weights for each output token


def max_lengths(src_len: torch.Tensor, ratio: float, extra: int = 10) -> torch.Tensor:
    return (src_len.float() * ratio).long() + extra


@dataclass
class Rows:
    """Per-sentence tensors of a LiveBatch, one row per sentence (ended ones too, until the batch is compacted)."""

    memory: Memory
    state: State  # (L,n,H)
    prev: torch.Tensor  # (n,) last token written (BOS at first)
    scores: torch.Tensor  # (n,) log-probability so far
    length: torch.Tensor  # (n,) tokens written
    max_len: torch.Tensor  # (n,)
    live: torch.Tensor  # (n,) False once the sentence has ended or was removed
    tokens: torch.Tensor  # (n,W) tokens written, W >= max_len
    attention: torch.Tensor | None  # (n,W,S) attention of each token written

    def select(self, rows: torch.Tensor) -> Rows:
        return Rows(self.memory.select(rows), select_state(self.state, rows),
                    *(select_rows(getattr(self, f.name), rows) for f in fields(self)[2:]))

    @staticmethod
    def place(parts: list[tuple[Rows, torch.Tensor]], rows: int) -> Rows:
        """The rows of several Rows in one copy, row i of a part at position at[i]; positions from `rows` on are
        cut off. Sources, tokens and attention are padded to the widest part's (model.decoder.place_rows)."""
        per_row = (place_rows([(getattr(r, f.name), at) for r, at in parts], rows) for f in fields(Rows)[2:])
        return Rows(Memory.place([(r.memory, at) for r, at in parts], rows),
                    place_state([(r.state, at) for r, at in parts], rows), *per_row)


class LiveBatch:
    """Greedy decoding of a batch that sentences join (add) and leave (step) between steps.

    Each sentence comes with a key of the caller's; step() advances every live sentence by one token and returns
    (key, Hypothesis) for those that just ended (EOS or max length), which leave the batch at once. A sentence
    added mid-way gets the same tokens as alone: its memory rows are padded to the batch's source length with
    the mask False, and nothing else is shared between rows.

    Leaving costs a copy of every row's tensors (the memory above all), so the rows of ended sentences stay, marked
    dead and computed for nothing, until they are a quarter of the batch or sentences join (add_groups' one copy
    leaves them out).
    Rows are kept in order of source length: Bahdanau attention works on pieces of neighbouring rows, each as wide
    as its longest source, and a row's length never changes.
    """

    COMPACT_SHARE = 4  # compact once dead rows are 1/4 of the batch

    def __init__(self, model, with_attention: bool = False):
        self.model = model
        self.with_attention = with_attention and model.cfg.attention != "none"
        self.keys: list[Any] = []  # one per row; DEAD for ended rows
        self.rows: Rows | None = None
        self.dead = 0

    def __len__(self) -> int:
        return len(self.keys) - self.dead

    def add(self, memory: Memory, max_len: torch.Tensor, keys: list[Any]) -> None:
        """Sentences encoded by model.encode; they write their first token at the next step()."""
        self.add_groups([(memory, max_len, keys)])

    def add_groups(self, groups: list[tuple[Memory, torch.Tensor, list[Any]]]) -> None:
        """add() of several encoded batches at once. The live rows and the new ones go into new tensors in one
        copy, in order of source length, and the dead rows are left out of it (with no groups: a compaction)."""
        parts = [] if self.rows is None else [self.rows]
        parts += [self._new_rows(memory, max_len) for memory, max_len, _ in groups]
        keys = self.keys + [key for _, _, group in groups for key in group]
        device = parts[0].prev.device
        dead = torch.tensor([key is DEAD for key in keys], device=device)
        lengths = torch.cat([rows.memory.mask.sum(1) for rows in parts]).masked_fill(dead, 2**62)  # dead rows last
        order = lengths.argsort(stable=True)
        alive = len(keys) - int(dead.sum())
        if not alive:
            self.rows, self.keys, self.dead = None, [], 0
            return
        if len(parts) == 1 and alive == len(keys) and bool((order == torch.arange(len(keys), device=device)).all()):
            self.rows, self.keys = parts[0], keys  # one batch, in order already (greedy_search's)
            return
        at = torch.empty_like(order)
        at[order] = torch.arange(len(order), device=device)  # row i of the parts, one after another, goes to at[i]
        offsets = list(accumulate((len(rows.prev) for rows in parts), initial=0))
        placed = [(rows, at[a:b]) for rows, (a, b) in zip(parts, pairwise(offsets), strict=True)]
        self.rows = Rows.place(placed, alive)
        self.keys = [keys[i] for i in order[:alive].tolist()]
        self.dead = 0

    def _new_rows(self, memory: Memory, max_len: torch.Tensor) -> Rows:
        n, device, width = len(max_len), memory.mask.device, int(max_len.max())
        attention = memory.states.new_zeros(n, width, memory.mask.size(1)) if self.with_attention else None
        return Rows(memory, self.model.decoder.initial_state(memory), torch.full((n,), BOS, device=device),
                    torch.zeros(n, device=device), torch.zeros(n, dtype=torch.long, device=device), max_len.long(),
                    torch.ones(n, dtype=torch.bool, device=device),
                    torch.zeros(n, width, dtype=torch.long, device=device), attention)

    def step(self) -> list[tuple[Any, Hypothesis]]:
        """One token for every live sentence; the ones that ended, as (key, Hypothesis), leave the batch."""
        r = self.rows
        logits, r.state, weights = self.model.decoder.step(r.prev, r.state, r.memory)
        logp, best = top_k(logits.log_softmax(-1), 1)  # (n,1)
        logp, r.prev = logp[:, 0], best[:, 0]
        r.scores += logp
        at = r.length.clamp(max=r.tokens.size(1) - 1)  # dead rows may have written their last column already
        r.tokens.scatter_(1, at[:, None], r.prev[:, None])
        if r.attention is not None:
            r.attention[torch.arange(len(self.keys)), at] = weights
        r.length += r.live
        done = r.live & ((r.prev == EOS) | (r.length >= r.max_len))
        if not bool(done.any()):
            return []
        ended = done.nonzero().flatten().tolist()
        finished = [(self.keys[i], self._hypothesis(i)) for i in ended]
        self.remove(set(ended))
        return finished

    def remove(self, rows: set[int]) -> None:
        """Drop rows by position (finished, or no longer wanted by their caller)."""
        rows = {i for i in rows if self.keys[i] is not DEAD}
        if not rows:
            return
        self.rows.live[torch.tensor(sorted(rows), dtype=torch.long)] = False
        for i in rows:
            self.keys[i] = DEAD
        self.dead += len(rows)
        if self.dead * self.COMPACT_SHARE >= len(self.keys):
            self.add_groups([])  # one copy of the live rows, without the dead ones

    def _hypothesis(self, i: int) -> Hypothesis:
        r, n = self.rows, int(self.rows.length[i])
        attention = r.attention[i, :n] if r.attention is not None else None
        return Hypothesis(strip_eos(r.tokens[i, :n].tolist()), float(r.scores[i]), attention)


DEAD = object()  # LiveBatch.keys' mark of an ended sentence's row


def greedy_search(model, memory: Memory, max_len: torch.Tensor, with_attention: bool = False) -> list[Hypothesis]:
    """Pick the most likely token at each step. max_len (B,) caps each output."""
    live = LiveBatch(model, with_attention)
    live.add(memory, max_len, list(range(len(max_len))))
    results: list[Hypothesis | None] = [None] * len(max_len)
    while live:
        for i, hyp in live.step():
            results[i] = hyp
    return results  # type: ignore[return-value]


def strip_eos(tokens: list[int]) -> list[int]:
    return tokens[:-1] if tokens and tokens[-1] == EOS else tokens


def length_penalty(length: int, alpha: float) -> float:
    """GNMT length penalty ((5 + |Y|) / 6) ** alpha."""
    return ((5 + length) / 6) ** alpha


def best_continuations(scores: torch.Tensor, logits: torch.Tensor, width: int):
    """The `width` best one-token continuations of each sentence, over its K hypotheses and the whole vocabulary:
    scores (n,K) log-probabilities so far, logits (n*K,V) -> their scores (n,width), hypothesis (n,width) in 0..K-1
    and token (n,width). They are among the `width` best tokens of each hypothesis: only those are ranked across
    hypotheses, never the whole (n,K*V) table. (torch's fused log_softmax over the table costs half its logsumexp.)"""
    n, k = scores.shape
    per_row = min(width, logits.size(1))
    logp, row_tokens = top_k(logits.log_softmax(dim=1), per_row)  # (n*K, per_row)
    cand = (scores.view(-1, 1) + logp).view(n, k * per_row)
    top_scores, top = cand.topk(width, dim=1)  # (n, width), indices into (K, per_row)
    return top_scores, top // per_row, row_tokens.view(n, k * per_row).gather(1, top)


def top_k(x: torch.Tensor, k: int, block: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.topk(x, k, dim=1) of a wide table x (n,V): the same values, best first, and their columns (among equal
    values, maybe others). Three times faster on the output layer's (n,8000) logits, because torch's topk is a
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


def beam_search(model, memory: Memory, max_len: torch.Tensor, beam_size: int, alpha: float = 1.0,
                nbest: int = 1, with_attention: bool = False) -> list[list[Hypothesis]]:
    """Keep the beam_size best prefixes of each sentence; a sentence ends once beam_size hypotheses have
    ended in EOS (or it reaches its max length). Returns the nbest hypotheses per sentence, best first.
    The K hypotheses of a sentence are rows i*K .. i*K+K-1; they share the sentence's memory row."""
    batch, device, k = memory.mask.size(0), memory.mask.device, beam_size
    state = select_state(model.decoder.initial_state(memory), torch.arange(batch, device=device).repeat_interleave(k))
    scores = torch.zeros(batch, k, device=device)
    scores[:, 1:] = float("-inf")  # all beams start identical: keep one
    history = torch.full((batch * k, 0), BOS, dtype=torch.long, device=device)  # (n*K, t)
    attn_history = None
    prev = torch.full((batch * k,), BOS, dtype=torch.long, device=device)
    sentences = torch.arange(batch, device=device)  # original index of each live sentence
    n_ended = torch.zeros(batch, dtype=torch.long, device=device)  # hypotheses ended in EOS, per live sentence
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    for step in range(int(max_len.max())):
        n = len(sentences)
        logits, state, weights = model.decoder.step(prev, state, memory)  # (n*K, V)
        top_scores, hyp, token = best_continuations(scores, logits, 2 * k)  # (n, 2K): at most K of them end in EOS
        parent = hyp + torch.arange(n, device=device)[:, None] * k  # row in (n*K)
        is_eos = token == EOS
        if with_attention and weights is not None:
            attn_history = weights[:, None] if attn_history is None else torch.cat([attn_history, weights[:, None]], 1)
        # hypotheses ending in EOS among the top K are final
        ended = is_eos[:, :k] & (top_scores[:, :k] > float("-inf"))
        n_ended += ended.sum(1)
        for i, j in ended.nonzero().tolist():
            toks = history[parent[i, j]].tolist()
            att = attn_history[parent[i, j]] if attn_history is not None else None
            s = int(sentences[i])
            finished[s].append(Hypothesis(toks, float(top_scores[i, j]) / length_penalty(len(toks) + 1, alpha), att))
        # the K best that go on
        order = (is_eos.long() * 2 * k + torch.arange(2 * k, device=device)).argsort(dim=1)[:, :k]
        scores = top_scores.gather(1, order)
        rows = parent.gather(1, order).flatten()
        prev = token.gather(1, order).flatten()
        history = torch.cat([history[rows], prev[:, None]], dim=1)
        state = select_state(state, rows)
        if attn_history is not None:
            attn_history = attn_history[rows]
        out_of_room = step + 1 >= max_len[sentences]  # max_len tokens written
        enough = n_ended >= k
        for i in (out_of_room & ~enough).nonzero().flatten().tolist():
            s = int(sentences[i])
            for j in range(k):
                if scores[i, j] > float("-inf"):
                    r = i * k + j
                    toks = history[r].tolist()
                    att = attn_history[r] if attn_history is not None else None
                    finished[s].append(Hypothesis(toks, float(scores[i, j]) / length_penalty(len(toks) + 1, alpha), att))
        done = enough | out_of_room
        if bool(done.all()):
            break
        if bool(done.any()):
            keep = (~done).nonzero().flatten()
            keep_rows = (keep[:, None] * k + torch.arange(k, device=device)).flatten()
            sentences, scores, n_ended = sentences[keep], scores[keep], n_ended[keep]
            history, prev = history[keep_rows], prev[keep_rows]
            state, memory = select_state(state, keep_rows), memory.select(keep)
            if attn_history is not None:
                attn_history = attn_history[keep_rows]
    return [sorted(h, key=lambda h: h.score, reverse=True)[:nbest] for h in finished]
