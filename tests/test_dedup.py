"""Each distinct sentence searched once: Translator.translate searches the sentences of one call that the model sees
alike (model/translator.py search_key) once and gives each its own copy, its own spans restored."""
from __future__ import annotations

import pytest

from nmt.model.translator import DecodeOptions, Translator

LINES = ["alpha beta gamma", "tau mu", "alpha beta gamma", "tau mu. alpha beta gamma", "tau mu", "mu"]


@pytest.fixture
def searches(monkeypatch) -> list[int]:
    """The number of sentences of each call into Translator.search."""
    counted: list[int] = []
    search = Translator.search

    def counting(self, sentences, options):
        counted.append(len(sentences))
        return search(self, sentences, options)

    monkeypatch.setattr(Translator, "search", counting)
    return counted


@pytest.mark.parametrize("options", [DecodeOptions(), DecodeOptions(beam_size=3, nbest=2, with_attention=True)])
def test_a_repeated_sentence_is_searched_once_and_translated_as_alone(toy_model, searches, options):
    translator = Translator.load(toy_model, "cpu", exact=True)  # a sentence's search does not depend on its batch
    together = translator.translate(LINES, options)
    assert searches == [4], "alpha beta gamma, tau mu, tau mu. (its full stop is read), mu"
    alone = [translator.translate([line], options)[0] for line in LINES]
    assert [t.sentences for t in together] == [t.sentences for t in alone]
    assert together[0].sentences[0].nbest is not together[2].sentences[0].nbest, "each sentence its own copy"


def test_sentences_that_differ_in_their_spans_are_searched_once_each_with_its_own(placeholder_model, searches):
    translator = Translator.load(placeholder_model, "cpu")
    texts = [t.text for t in translator.translate(["alpha 2 beta", "alpha 3 beta", "alpha 2 beta"])]
    assert searches == [1]
    assert texts[1] == texts[0].replace("2", "3") and "3" in texts[1] and texts[2] == texts[0]


def test_a_repeated_sentence_is_reranked_once(toy_model, toy_model_es_en, monkeypatch):
    translator = Translator.load(toy_model, "cpu", exact=True)
    translator.rerank_with(Translator.load(toy_model_es_en, "cpu", exact=True))
    scored: list[int] = []
    log_probs = Translator.log_probs
    monkeypatch.setattr(Translator, "log_probs", lambda self, sources, targets: (
        scored.append(len(sources)), log_probs(self, sources, targets))[1])
    options = DecodeOptions(beam_size=2, rerank=1.0)
    together = translator.translate(["tau mu", "alpha beta", "tau mu"], options)
    assert scored == [2 * 2], "two sentences, two hypotheses each"
    assert together[2].sentences == together[0].sentences == translator.translate(["tau mu"], options)[0].sentences
