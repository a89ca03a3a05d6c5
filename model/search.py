"""Batched greedy and beam search. Every step runs the whole batch through the decoder at once;
sentences that finish leave the batch, so the work shrinks as the batch empties."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from model.decoder import Memory, select_state
from model.seq2seq import Seq2Seq
from model.tokenizer import BOS, EOS, PAD


@dataclass
class Hypothesis:
    tokens: list[int]  # target ids, without BOS/EOS
    score: float  # log-probability (beam: divided by the length penalty)
    attention: torch.Tensor | None = None  # (T,S) weights for each output token


def max_lengths(src_len: torch.Tensor, ratio: float, extra: int = 10) -> torch.Tensor:
    return (src_len.float() * ratio).long() + extra


def next_token_logp(model: Seq2Seq, prev: torch.Tensor, state, memory: Memory):
    """One decoder step for prev (n,1) -> log p(y_t) (n,V), never PAD or BOS; new state; attention (n,1,S)."""
    logits, state, weights = model.decoder(prev, state, memory)
    logits = logits[:, 0]
    logits[:, [PAD, BOS]] = float("-inf")
    return logits.log_softmax(-1), state, weights


def greedy_search(model: Seq2Seq, memory: Memory, max_len: torch.Tensor, with_attention: bool = False) -> list[Hypothesis]:
    """Pick the most likely token at each step. max_len (B,) caps each output."""
    batch, device = memory.mask.size(0), memory.mask.device
    state = model.decoder.initial_state(memory)
    prev = torch.full((batch, 1), BOS, dtype=torch.long, device=device)
    rows = torch.arange(batch, device=device)  # original index of each live row
    history = torch.empty((batch, 0), dtype=torch.long, device=device)  # (n, t)
    scores, attn_history = torch.zeros(batch, device=device), None
    results: list[Hypothesis | None] = [None] * batch
    for step in range(int(max_len.max())):
        logp, state, weights = next_token_logp(model, prev, state, memory)
        logp, prev = logp.max(-1, keepdim=True)  # (n,1)
        scores = scores + logp[:, 0]
        history = torch.cat([history, prev], dim=1)
        if with_attention and weights is not None:
            attn_history = weights if attn_history is None else torch.cat([attn_history, weights], 1)
        done = (prev[:, 0] == EOS) | (step + 1 >= max_len[rows])
        for i in done.nonzero().flatten().tolist():
            att = attn_history[i] if attn_history is not None else None
            results[int(rows[i])] = Hypothesis(strip_eos(history[i].tolist()), float(scores[i]), att)
        if bool(done.all()):
            break
        if bool(done.any()):
            keep = (~done).nonzero().flatten()
            rows, prev, history, scores = rows[keep], prev[keep], history[keep], scores[keep]
            state, memory = select_state(state, keep), memory.select(keep)
            attn_history = attn_history[keep] if attn_history is not None else None
    return results  # type: ignore[return-value]


def strip_eos(tokens: list[int]) -> list[int]:
    return tokens[:-1] if tokens and tokens[-1] == EOS else tokens


def length_penalty(length: int, alpha: float) -> float:
    """GNMT length penalty ((5 + |Y|) / 6) ** alpha."""
    return ((5 + length) / 6) ** alpha


def beam_search(model: Seq2Seq, memory: Memory, max_len: torch.Tensor, beam_size: int, alpha: float = 1.0,
                nbest: int = 1, with_attention: bool = False) -> list[list[Hypothesis]]:
    """Keep the beam_size best prefixes of each sentence; a sentence ends once beam_size hypotheses have
    ended in EOS (or it reaches its max length). Returns the nbest hypotheses per sentence, best first."""
    batch, device, k = memory.mask.size(0), memory.mask.device, beam_size
    memory = memory.select(torch.arange(batch, device=device).repeat_interleave(k))  # (B*K, ...)
    state = model.decoder.initial_state(memory)
    scores = torch.zeros(batch, k, device=device)
    scores[:, 1:] = float("-inf")  # all beams start identical: keep one
    history = torch.full((batch * k, 0), BOS, dtype=torch.long, device=device)  # (n*K, t)
    attn_history = None
    prev = torch.full((batch * k, 1), BOS, dtype=torch.long, device=device)
    sentences = torch.arange(batch, device=device)  # original index of each live sentence
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    for step in range(int(max_len.max())):
        n = len(sentences)
        logp, state, weights = next_token_logp(model, prev, state, memory)  # (n*K, V)
        vocab = logp.size(-1)
        cand = (scores.view(-1, 1) + logp).view(n, k * vocab)
        top_scores, top_ids = cand.topk(2 * k, dim=1)  # (n, 2K): at most K of them end in EOS
        parent = top_ids // vocab + torch.arange(n, device=device)[:, None] * k  # row in (n*K)
        token = top_ids % vocab
        is_eos = token == EOS
        if with_attention and weights is not None:
            attn_history = weights if attn_history is None else torch.cat([attn_history, weights], 1)
        # hypotheses ending in EOS among the top K are final
        for i, j in (is_eos[:, :k] & (top_scores[:, :k] > float("-inf"))).nonzero().tolist():
            toks = history[parent[i, j]].tolist()
            att = attn_history[parent[i, j]] if attn_history is not None else None
            s = int(sentences[i])
            finished[s].append(Hypothesis(toks, float(top_scores[i, j]) / length_penalty(len(toks) + 1, alpha), att))
        # the K best that go on
        order = (is_eos.long() * 2 * k + torch.arange(2 * k, device=device)).argsort(dim=1)[:, :k]
        scores = top_scores.gather(1, order)
        rows = parent.gather(1, order).flatten()
        prev = token.gather(1, order).flatten()[:, None]
        history = torch.cat([history[rows], prev], dim=1)
        state = select_state(state, rows)
        memory = memory.select(rows)
        if attn_history is not None:
            attn_history = attn_history[rows]
        out_of_room = step + 1 >= max_len[sentences]  # max_len tokens written
        enough = torch.tensor([len(finished[int(s)]) >= k for s in sentences], device=device)
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
            sentences, scores = sentences[keep], scores[keep]
            history, prev = history[keep_rows], prev[keep_rows]
            state, memory = select_state(state, keep_rows), memory.select(keep_rows)
            if attn_history is not None:
                attn_history = attn_history[keep_rows]
    return [sorted(h, key=lambda h: h.score, reverse=True)[:nbest] for h in finished]
