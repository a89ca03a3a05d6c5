"""Reranking a beam with the reverse model (model/rerank.py): the teacher-forced scores, the order, the pipeline's
errors, and the same reranking through `nmt evaluate` and the service."""
from __future__ import annotations

import json
import time

import pytest
import torch
from service_fixtures import client_for

from nmt.app.registry import link_reverses
from nmt.app.settings import Settings
from nmt.cli import main
from nmt.model.bundle import MODELS, BundleError
from nmt.model.rerank import reranked, reverse_scores
from nmt.model.search import Hypothesis
from nmt.model.tokenizer import BOS, EOS
from nmt.model.translator import DecodeOptions, Translator, searched
from nmt.training.batching import collate


@pytest.fixture(scope="module")
def en_es() -> Translator:
    return Translator.load(MODELS / "en-es", "cpu")


@pytest.fixture(scope="module")
def es_en() -> Translator:
    return Translator.load(MODELS / "es-en", "cpu")


@pytest.fixture(scope="module")
def toy_pair(toy_model, toy_model_es_en) -> list[Translator]:
    return [Translator.load(toy_model, "cpu"), Translator.load(toy_model_es_en, "cpu")]


def test_log_probs_are_the_members_mean_distribution_teacher_forced(es_en):
    """Through the decoder steps search takes (FastDecoder, the Ensemble's mean), the same log P(y|x) as the trained
    networks' teacher-forced forward pass, averaged as probabilities."""
    sources = es_en.bundle.src_tokenizer.encode(["En el principio creó Dios los cielos y la tierra.", "Jesús lloró."])
    targets = es_en.bundle.tgt_tokenizer.encode(["In the beginning God created the heavens and the earth.",
                                                 "Jesus wept."])
    batch = collate(list(zip(sources, targets, strict=True)))
    assert batch.tgt_in[0, 0] == BOS and batch.tgt_out[0, -1] == EOS
    with torch.inference_mode():
        probs = torch.stack([net(batch.src, batch.src_len, batch.tgt_in).softmax(-1) for net in es_en.bundle.members])
        token = probs.mean(0).log().gather(2, batch.tgt_out[:, :, None])[:, :, 0]  # (B,T)
        expected = token.masked_fill(batch.tgt_out == 0, 0.0).sum(1)
    assert len(es_en.bundle.members) == 2
    assert es_en.log_probs(sources, targets) == pytest.approx(expected.tolist(), abs=1e-3)


def test_the_reverse_model_prefers_the_hypothesis_that_says_the_source(en_es, es_en):
    """log P(x|y) scores the source x given each hypothesis y (not the other way round), in each model's subwords."""
    sentences = searched(en_es.prepare(["In the beginning God created the heavens and the earth."]))
    candidates = ["En el principio crió Dios los cielos y la tierra.", "Y lloró Jesús.",
                  "En el principio crió Dios la tierra."]
    hyps = [[Hypothesis(ids, 0.0) for ids in en_es.bundle.tgt_tokenizer.encode(candidates)]]
    [scores] = reverse_scores(en_es, es_en, sentences, hyps)
    assert scores[0] > scores[2] > scores[1]
    assert all(s < 0 for s in scores)


def test_reranked_orders_by_the_sum_and_keeps_the_search_order_on_ties():
    hyps = [Hypothesis([5], -1.0), Hypothesis([6], -1.5), Hypothesis([7], -2.0)]
    assert [h.tokens for h in reranked(hyps, [-3.0, -1.0, -1.0], 1.0)] == [[6], [7], [5]]
    assert [h.score for h in reranked(hyps, [-3.0, -1.0, -1.0], 1.0)] == [-2.5, -3.0, -4.0]
    assert [h.tokens for h in reranked(hyps, [-1.0, -1.0, -1.0], 2.0)] == [[5], [6], [7]]


def test_reranking_reorders_the_whole_beam_and_returns_the_nbest_asked_for(en_es, es_en):
    en_es.rerank_with(es_en)
    text = ["And he said to them, Go into all the world and preach the good news."]
    searched_beam = en_es.translate(text, DecodeOptions(beam_size=4, nbest=4))[0].sentences[0].nbest
    found = en_es.translate(text, DecodeOptions(beam_size=4, nbest=4, rerank=2.0))[0].sentences[0].nbest
    assert sorted(t for t, _ in found) == sorted(t for t, _ in searched_beam)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    one = en_es.translate(text, DecodeOptions(beam_size=4, rerank=2.0))[0].sentences[0]
    assert [one.text] == [t for t, _ in one.nbest] == [found[0][0]]


def test_reranking_without_its_reverse_model_or_with_a_wrong_one_is_an_error(toy_pair):
    forward, reverse = (Translator(t.bundle, "cpu") for t in toy_pair)
    with pytest.raises(ValueError, match="reranking needs the es -> en model"):
        forward.translate(["alpha beta"], DecodeOptions(beam_size=2, rerank=1.0))
    with pytest.raises(ValueError, match="a en -> es model cannot rerank en -> es translations"):
        forward.rerank_with(forward)
    with pytest.raises(ValueError, match="cannot be negative"):
        DecodeOptions(rerank=-1.0)
    forward.rerank_with(reverse)
    assert forward.translate(["alpha beta"], DecodeOptions(beam_size=2, rerank=1.0))[0].text


def test_evaluate_reranks_with_the_reverse_bundle_and_says_so(toy_model, toy_model_es_en, toy_corpus, capsys):
    assert main(["evaluate", "--model", str(toy_model), "--test", str(toy_corpus["dev"]), "--beam", "3",
                 "--rerank", "0.5", "--reverse", str(toy_model_es_en), "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "beam 3, reranked (w = 0.5)" in out[0]
    assert json.loads(out[-1])["rerank"] == 0.5
    assert main(["evaluate", "--model", str(toy_model), "--test", str(toy_corpus["dev"]), "--rerank", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("--rerank needs --reverse BUNDLE, the model of the other direction") and "\n" not in err
    # A reverse bundle without a weight would be loaded by nothing: said, not silently dropped.
    assert main(["evaluate", "--model", str(toy_model), "--test", str(toy_corpus["dev"]),
                 "--reverse", str(toy_model_es_en)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("--reverse is only read by --rerank W; give a weight, or leave --reverse out") and "\n" not in err


def test_the_service_reranks_as_the_translator_does(toy_pair):
    forward, reverse = (Translator(t.bundle, "cpu") for t in toy_pair)
    forward.rerank_with(reverse)
    texts = ["alpha beta gamma", "delta epsilon", "zeta eta theta iota"]
    expected = [t.text for t in forward.translate(texts, DecodeOptions(beam_size=3, rerank=4.0))]
    with client_for([Translator(t.bundle, "cpu") for t in toy_pair], beam_size=3, rerank=4.0) as client:
        r = client.post("/v1/translate", json={"text": texts, "source": "en", "target": "es"})
        assert r.status_code == 200, r.text
        assert [t["text"] for t in r.json()["translations"]] == expected
        alternatives = client.post("/translate", json={"q": texts[0], "source": "en", "target": "es",
                                                       "alternatives": 2}).json()
        assert alternatives["translatedText"] == expected[0] and len(alternatives["alternatives"]) == 2


def test_a_service_that_reranks_needs_every_models_reverse(toy_pair):
    with pytest.raises(BundleError, match="no served model translates es -> en to rerank en -> es with"):
        link_reverses([Translator(toy_pair[0].bundle, "cpu")], Settings(rerank=1.0))
    link_reverses([Translator(toy_pair[0].bundle, "cpu")], Settings())  # not reranking: no reverse needed


def test_a_request_chooses_its_reranking_and_is_400_without_the_reverse_model(toy_pair):
    forward, reverse = (Translator(t.bundle, "cpu") for t in toy_pair)
    forward.rerank_with(reverse)
    text = "alpha beta gamma delta"
    expected = forward.translate([text], DecodeOptions(beam_size=3, rerank=4.0, nbest=3))[0].sentences[0].nbest
    with client_for([Translator(t.bundle, "cpu") for t in toy_pair], beam_size=3) as client:
        body = {"text": text, "source": "en", "target": "es", "nbest": 3, "return_scores": True}
        r = client.post("/v1/translate", json=body | {"rerank": 4.0}).json()["translations"][0]
        assert [(a["text"], a["score"]) for a in r["nbest"]] == [(t, pytest.approx(s, abs=1e-4)) for t, s in expected]
        assert client.post("/v1/translate", json=body | {"rerank": -1}).status_code == 422
    with client_for(Translator(toy_pair[0].bundle, "cpu"), beam_size=3) as client:
        r = client.post("/v1/translate", json={"text": text, "target": "es", "rerank": 1.0})
        assert r.status_code == 400 and "rerank needs a es -> en model" in r.json()["error"]


def test_serve_that_reranks_without_the_reverse_model_is_one_line_exit_2(toy_model, capsys):
    assert main(["serve", "--model", str(toy_model), "--rerank", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no served model translates es -> en to rerank en -> es with" in err and "\n" not in err


def test_exact_reranking_gives_a_sentence_the_same_scores_alone_and_batched(toy_pair):
    """With exact models the reverse pass is batch invariant too: `nmt evaluate --exact --rerank` scores what
    `nmt serve --exact` returns, whatever the requests around a sentence."""
    forward, reverse = (Translator(t.bundle, "cpu", exact=True) for t in toy_pair)
    forward.rerank_with(reverse)
    texts = ["alpha beta gamma", "delta epsilon", "zeta eta theta iota kappa lambda", "mu", "nu xi omicron pi"]
    options = DecodeOptions(beam_size=3, nbest=3, rerank=2.0)
    together = [t.sentences[0].nbest for t in forward.translate(texts, options)]
    assert together == [forward.translate([text], options)[0].sentences[0].nbest for text in texts]


class SlowReranking(Translator):
    def rerank(self, sentences, hyps, options):
        time.sleep(1.0)
        return super().rerank(sentences, hyps, options)


def test_reranking_counts_within_the_request_deadline(toy_pair):
    translators = [SlowReranking(toy_pair[0].bundle, "cpu"), Translator(toy_pair[1].bundle, "cpu")]
    with client_for(translators, beam_size=3, request_timeout_s=0.5) as client:
        body = {"text": "alpha beta", "source": "en", "target": "es"}
        assert client.post("/v1/translate", json=body).status_code == 200  # not reranked: in time
        r = client.post("/v1/translate", json=body | {"rerank": 1.0})
        assert r.status_code == 504 and "longer than 0.5 s" in r.json()["error"]
