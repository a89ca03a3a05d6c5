"""Shapes, padding masks and search: the network's contracts, on tiny random models."""
from __future__ import annotations

import pytest
import torch

from nmt.model.attention import BahdanauAttention, pieces
from nmt.model.search import beam_search, greedy_search, max_lengths, rank_continuations, top_k
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import EOS, PAD
from nmt.scripts.harness import tiny_config

ATTENTIONS = ["none", "luong", "bahdanau"]


def random_batch(batch=5, length=9, vocab=60, seed=0):
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, length + 1, (batch,), generator=gen)
    lengths[0] = length
    src = torch.randint(4, vocab, (batch, length), generator=gen)
    for i, n in enumerate(lengths):
        src[i, n:] = PAD
    return src, lengths


@pytest.mark.parametrize("attention", ATTENTIONS)
@pytest.mark.parametrize("cells", [("lstm", "gru"), ("gru", "lstm"), ("rnn", "rnn")])
def test_forward_shapes(attention, cells):
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(attention, enc_cell=cells[0], dec_cell=cells[1], dec_layers=2))
    src, lengths = random_batch()
    tgt_in = torch.randint(4, 60, (5, 6))
    assert model(src, lengths, tgt_in).shape == (5, 6, 60)
    memory = model.encode(src, lengths)
    assert memory.states.shape == (5, 9, 32) and memory.summary.shape == (5, 32)
    assert torch.equal(memory.mask, src != PAD)


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_padding_does_not_change_a_sentence(attention):
    """A sentence decoded inside a padded batch scores exactly as it does alone."""
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(attention)).eval()
    src, lengths = random_batch()
    tgt_in = torch.randint(4, 60, (5, 6))
    with torch.no_grad():
        batched = model(src, lengths, tgt_in)
        for i in range(5):
            n = int(lengths[i])
            alone = model(src[i : i + 1, :n], lengths[i : i + 1], tgt_in[i : i + 1])
            torch.testing.assert_close(batched[i], alone[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_attention_ignores_padding(attention):
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(attention)).eval()
    src, lengths = random_batch()
    with torch.no_grad():
        memory = model.encode(src, lengths)
        hyps = greedy_search(model, memory, max_lengths(lengths, 1.0), with_attention=True)
    for i, h in enumerate(hyps):
        n = int(lengths[i])
        assert h.attention.shape[1] == 9
        assert float(h.attention[:, n:].abs().sum()) == 0.0
        torch.testing.assert_close(h.attention.sum(-1), torch.ones(h.attention.size(0)))


def test_bahdanau_weights_and_gradients_match_the_textbook_tanh_form():
    """The module scores with 2 v^T sigmoid(2x), leaving out the constant -sum(v): the same softmax as
    v^T tanh(W s + U h_j), in value and in gradient."""
    torch.manual_seed(0)
    attention = BahdanauAttention(query_size=8, state_size=6).double()
    query, states = torch.randn(3, 4, 8, dtype=torch.float64), torch.randn(3, 5, 6, dtype=torch.float64)
    mask = torch.arange(5)[None, :] < torch.tensor([5, 2, 4])[:, None]
    _, weights = attention(query, attention.keys(states), states, mask)
    x = attention.query(query)[:, :, None, :] + attention.key(states)[:, None, :, :]  # (B,T,S,A)
    energies = attention.v(torch.tanh(x)).squeeze(-1).masked_fill(~mask[:, None, :], float("-inf"))
    textbook = energies.softmax(-1)
    torch.testing.assert_close(weights, textbook)
    probe = torch.randn_like(textbook)
    params = list(attention.parameters())
    for a, b in zip(torch.autograd.grad((weights * probe).sum(), params),
                    torch.autograd.grad((textbook * probe).sum(), params), strict=True):
        torch.testing.assert_close(a, b)


def test_bahdanau_energies_in_pieces_equal_all_at_once(monkeypatch):
    """Decoding (no grad) computes the energies a few rows at a time, each piece up to its longest source;
    training, all at once."""
    torch.manual_seed(0)
    attention = BahdanauAttention(query_size=8, state_size=6)
    query, states = torch.randn(5, 3, 8), torch.randn(5, 7, 6)
    mask = torch.arange(7)[None, :] < torch.tensor([7, 3, 5, 1, 6])[:, None]
    keys = attention.keys(states)
    whole = attention(query, keys, states, mask)  # grad enabled: one piece
    monkeypatch.setattr("nmt.model.attention.ENERGY_CHUNK", 3 * 8 * 14)  # pieces: rows 0-1 to 7, 2-3 to 5, 4 to 6
    with torch.no_grad():
        pieces = attention(query, keys, states, mask)
    for a, b in zip(whole, pieces, strict=True):
        torch.testing.assert_close(a.detach(), b)


def test_pieces_keep_rows_times_longest_within_budget():
    assert list(pieces([7, 3, 5, 1, 6], 14)) == [(0, 2, 7), (2, 4, 5), (4, 5, 6)]
    assert list(pieces([20, 2, 2], 14)) == [(0, 1, 20), (1, 3, 2)]  # a row alone may exceed the budget
    assert list(pieces([1] * 5, 100)) == [(0, 5, 1)]


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_beam_one_equals_greedy(attention):
    torch.manual_seed(1)
    model = Seq2Seq(tiny_config(attention)).eval()
    src, lengths = random_batch(batch=8)
    with torch.no_grad():
        memory = model.encode(src, lengths)
        max_len = max_lengths(lengths, 1.5)
        greedy = greedy_search(model, memory, max_len)
        beam = beam_search(model, memory, max_len, beam_size=1)
    assert [h.tokens for h in greedy] == [b[0].tokens for b in beam]


@pytest.mark.parametrize("width", [8000, 8000 + 37, 300])
@pytest.mark.parametrize("k", [1, 10])
def test_top_k_is_torch_topk(width, k):
    """Block-wise top_k gives torch.topk's values in its order, at columns holding them; whole blocks, columns past
    the last whole block (where the maximum is put in one row), -inf columns and ties included."""
    gen = torch.Generator().manual_seed(width + k)
    x = torch.randn(40, width, generator=gen) * 4
    x[:, :2] = float("-inf")
    x[0, -1] = 100.0  # past the last whole block when width % 64 != 0
    x[1, 64:128] = 50.0  # ties: a whole block of equal maxima
    x[2, ::64] = 30.0  # ties spread over every block
    values, columns = top_k(x, k)
    expected, expected_columns = x.topk(k, dim=1)
    assert torch.equal(values, expected)
    assert torch.equal(x.gather(1, columns), values)
    assert all(len(set(row)) == k for row in columns.tolist())
    untied = (values[:, None, :] == x[:, :, None]).sum(1).eq(1).all(1)  # rows whose top values occur once
    assert torch.equal(columns[untied], expected_columns[untied])


@pytest.mark.parametrize("vocab", [60, 5, 3000])
def test_ranked_continuations_match_the_whole_normalized_table(vocab):
    """Beam search ranks (score + log p) over every hypothesis and token; rank_continuations ranks only
    each hypothesis's best tokens: the same candidates, the same scores."""
    gen = torch.Generator().manual_seed(0)
    n, k, width = 6, 4, 8
    scores = torch.randn(n, k, generator=gen)
    scores[0, 1:] = float("-inf")  # a first step: one live hypothesis
    logits = torch.randn(n * k, vocab, generator=gen) * 3
    logits[:, 0] = float("-inf")  # PAD
    full = (scores.view(-1, 1) + logits.log_softmax(-1)).view(n, k * vocab)
    expected_scores, expected = full.topk(width, dim=1)
    got_scores, hyp, token = rank_continuations(scores, *top_k(logits.log_softmax(-1), min(width, vocab)), width)
    torch.testing.assert_close(got_scores, expected_scores)
    finite = expected_scores > float("-inf")
    assert torch.equal((hyp * vocab + token)[finite], expected[finite])


def test_beam_nbest_sorted_and_bounded():
    torch.manual_seed(2)
    model = Seq2Seq(tiny_config("luong")).eval()
    src, lengths = random_batch(batch=4)
    with torch.no_grad():
        max_len = max_lengths(lengths, 1.5)
        nbest = beam_search(model, model.encode(src, lengths), max_len, beam_size=4, nbest=3)
    for i, hyps in enumerate(nbest):
        assert len(hyps) == 3
        assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
        assert all(len(h.tokens) <= int(max_len[i]) and EOS not in h.tokens and PAD not in h.tokens for h in hyps)


def test_greedy_respects_max_length():
    torch.manual_seed(3)
    model = Seq2Seq(tiny_config("none")).eval()
    src, lengths = random_batch()
    max_len = torch.full((5,), 3)
    with torch.no_grad():
        hyps = greedy_search(model, model.encode(src, lengths), max_len)
    assert all(len(h.tokens) <= 3 for h in hyps)
