"""Exact (batch-invariant) search, model/invariant.py: a sentence's search reads the same floats, bit for bit,
alone, in any batch and joining a running one, so that `nmt serve --exact` returns exactly what
`nmt evaluate --exact` scores.

The first tests check the properties of torch's CPU kernels that model/invariant.py relies on (they fail if a torch
upgrade changes them); the others check whole searches with the shipped model (tiny networks:
tests/test_continuous_batching.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nmt.model import invariant
from nmt.model.bundle import load_bundle
from nmt.model.seq2seq import Seq2Seq
from nmt.model.translator import DecodeOptions, InferenceModel, Translator, searched
from nmt.scripts.harness import tiny_config
from nmt.training.corpus import load_corpus


@pytest.mark.parametrize(("inputs", "outputs"), [(256, 768), (512, 1536), (256, 8000), (1024, 256), (256, 1)])
def test_a_rows_product_is_the_same_in_any_batch_at_any_position(inputs, outputs):
    torch.manual_seed(0)
    layer = torch.nn.Linear(inputs, outputs)
    x = torch.randn(inputs)
    with torch.inference_mode():
        alone = invariant.rows(layer, x[None])[0]
        for batch in [2, 3, 5, 11, 12, 16, 17, 40]:
            for position in {0, 1, batch // 2, batch - 1}:
                others = torch.randn(batch, inputs)
                others[position] = x
                assert torch.equal(invariant.rows(layer, others)[position], alone), (batch, position)


def test_a_masked_softmax_is_the_same_at_any_padded_width():
    torch.manual_seed(0)
    for length in range(1, 40):
        scores = torch.randn(length)
        widths = [invariant.width(length) + invariant.WIDTH * extra for extra in range(3)]
        results = []
        for batch, width in zip([1, 2, 7], widths, strict=True):
            padded = torch.full((batch, 5, width), float("-inf"))
            padded[-1, :, :length] = scores
            results.append(padded.softmax(-1)[-1, :, :length])
        assert all(torch.equal(r, results[0]) for r in results), length


@pytest.mark.parametrize("transpose_b", [False, True])
def test_a_batched_product_is_the_same_for_a_batch_of_one(transpose_b):
    torch.manual_seed(0)
    for length in [3, 9, 20]:
        width = invariant.width(length)
        a, b = torch.rand(5, width), torch.zeros(width, 64)
        a[:, length:] = 0
        b[:length] = torch.randn(length, 64)
        b_in = b.t().contiguous() if transpose_b else b  # (M,S) stored, read transposed
        results = []
        for batch in [1, 2, 6]:
            many_a, many_b = torch.rand(batch, 5, width), torch.randn(batch, *b_in.shape)
            many_a[-1], many_b[-1] = a, b_in
            results.append(invariant.bmm(many_a, many_b, transpose_b=transpose_b)[-1])
        assert all(torch.equal(r, results[0]) for r in results), length


def test_exact_encoding_gives_a_sentence_the_same_memory_among_any_number_of_its_length():
    """The exact encoder runs the sentences of one length together, their rows padded to a multiple of ROWS: a
    sentence's states and summary must not depend on how many share its length, nor on its row among them."""
    torch.manual_seed(0)
    model = InferenceModel(load_bundle().model.eval(), exact=True).eval()
    n = 23
    sentence = torch.randint(4, 8000, (n,))
    memories = []
    for others, row in [(0, 0), (2, 1), (4, 4), (9, 3), (14, 11)]:  # 1, 3, 5, 10 and 15 sentences of length n
        src = torch.randint(4, 8000, (others + 1, n))
        src[row] = sentence
        with torch.no_grad():
            memory = model.encode(src, torch.full((others + 1,), n))
        memories.append((memory.states[row], memory.summary[row], memory.keys[row]))
    assert all(torch.equal(a, b) for m in memories[1:] for a, b in zip(m, memories[0], strict=True))


@pytest.fixture(scope="module")
def shipped() -> tuple[Translator, list]:
    translator = Translator.load(device="cpu", exact=True)  # the shipped en-es ensemble
    verses = [src for src, _ in load_corpus(Path(__file__).resolve().parent.parent / "data" / "bible" / "dev.tsv").pairs[:12]]
    return translator, searched(translator.prepare(verses))


@pytest.mark.parametrize("beam", [1, 5])
def test_the_shipped_model_scores_a_sentence_alike_alone_in_a_batch_and_joining_one(shipped, beam):
    translator, sentences = shipped
    options = DecodeOptions(beam_size=beam)
    batched = translator.search(sentences, options)  # length-sorted batches, as `nmt evaluate` runs them
    alone = [translator.search([s], options)[0] for s in sentences]
    live, joined, half = translator.live_batch(), {}, len(sentences) // 2
    live.add_groups([translator.encode(sentences[half:], options, list(range(half, len(sentences))))])
    for _ in range(3):
        joined.update(live.step())
    live.add_groups([translator.encode([s], options, [i]) for i, s in enumerate(sentences[:half])])  # mid-way
    while live:
        joined.update(live.step())
    for i in range(len(sentences)):
        expected = [(h.tokens, h.score) for h in alone[i]]
        assert [(h.tokens, h.score) for h in batched[i]] == expected, i
        assert [(h.tokens, h.score) for h in joined[i]] == expected, i


def test_exact_search_is_refused_where_it_cannot_be_exact():
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="one-layer GRU decoder"):
        InferenceModel(Seq2Seq(tiny_config("luong", dec_layers=2)), exact=True)
    with pytest.raises(ValueError, match="int8 search cannot be exact"):
        Translator.load(device="cpu", int8=True, exact=True)


def test_nmt_exact_makes_the_services_translators_exact(monkeypatch):
    from nmt.app.registry import load_translators
    from nmt.app.settings import Settings

    monkeypatch.setenv("NMT_EXACT", "true")
    assert [t.exact for t in load_translators(Settings(device="cpu"))] == [True, True]  # en-es and es-en
    monkeypatch.delenv("NMT_EXACT")
    assert [t.exact for t in load_translators(Settings(device="cpu"))] == [False, False]
