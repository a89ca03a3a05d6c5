"""The cache of recently searched sentences (app/cache.py, NMT_CACHE_SENTENCES): a sentence asked again is answered
without the model, exactly as the first time; "2 dogs" and "3 dogs" share an entry where spans are placeholders;
the least recently used entry goes first; nothing is kept by default."""
from __future__ import annotations

import pytest
from service_fixtures import client_for

from nmt.app.cache import SentenceCache
from nmt.model.search import Hypothesis
from nmt.model.translator import DecodeOptions, SourceSentence, Translator

OPTIONS = DecodeOptions(beam_size=2)


def metric(client, name: str) -> float:
    """A metric's value, summed over its labels as given in name (e.g. 'nmt_cache_sentences_total{result="hit"}')."""
    lines = client.get("/metrics").text.splitlines()
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(name + " "))


def test_the_least_recently_used_entry_goes_first_and_answers_are_copies():
    cache = SentenceCache(2)
    a, b, c = (SourceSentence(text, (i, 2)) for i, text in enumerate("abc", start=5))
    for sentence in (a, b):
        cache.put(sentence, OPTIONS, [Hypothesis([sentence.ids[0]], -1.0)])
    assert cache.get(a, OPTIONS) is not None  # a is now the most recent
    cache.put(c, OPTIONS, [Hypothesis([7], -1.0)])
    assert cache.get(b, OPTIONS) is None and len(cache) == 2
    found = cache.get(a, OPTIONS)
    assert found is not None
    found.reverse()
    found.append(Hypothesis([9], -3.0))
    assert cache.get(a, OPTIONS) == [Hypothesis([5], -1.0)], "a caller's reordering does not reach the cache"
    assert cache.get(a, DecodeOptions(beam_size=3)) is None, "other options: another entry"


@pytest.mark.parametrize("size, options", [(0, OPTIONS), (4, DecodeOptions(with_attention=True))])
def test_nothing_is_kept_when_off_or_for_attention(size, options):
    cache = SentenceCache(size)
    cache.put(SourceSentence("a", (5, 2)), options, [Hypothesis([5], -1.0)])
    assert len(cache) == 0


def test_a_sentence_asked_again_is_answered_without_the_model(translator):
    with client_for(translator, cache_sentences=16) as client:
        warmed = metric(client, "nmt_translated_sentences_total")  # (the start-up's warm-up sentence, a miss)
        missed = metric(client, 'nmt_cache_sentences_total{result="miss"}')
        first = client.post("/v1/translate", json={"text": "alpha beta gamma. tau mu", "return_scores": True}).json()
        searched = metric(client, "nmt_translated_sentences_total")
        again = client.post("/v1/translate", json={"text": ["tau mu", "alpha beta gamma. tau mu"],
                                                   "return_scores": True}).json()
        assert metric(client, "nmt_translated_sentences_total") == searched == warmed + 2, "none reached the model"
        assert again["translations"][1] == first["translations"][0]
        assert metric(client, 'nmt_cache_sentences_total{result="hit"}') == 3
        assert metric(client, 'nmt_cache_sentences_total{result="miss"}') == missed + 2
        other = client.post("/v1/translate", json={"text": "tau mu", "beam_size": 2})  # (the server's is 1)
        assert other.status_code == 200 and metric(client, "nmt_translated_sentences_total") == warmed + 3


def test_by_default_every_sentence_is_searched(translator):
    with client_for(translator) as client:
        warmed = metric(client, "nmt_translated_sentences_total")
        for _ in range(2):
            assert client.post("/v1/translate", json={"text": "tau mu"}).status_code == 200
        assert metric(client, "nmt_translated_sentences_total") == warmed + 2
        assert metric(client, "nmt_cache_sentences_total") == 0


def test_sentences_that_differ_in_their_spans_share_an_entry(placeholder_model):
    with client_for(Translator.load(placeholder_model, "cpu"), cache_sentences=16) as client:
        two = client.post("/v1/translate", json={"text": "alpha 2 beta"}).json()["translations"][0]["text"]
        three = client.post("/v1/translate", json={"text": "alpha 3 beta"}).json()["translations"][0]["text"]
        assert metric(client, 'nmt_cache_sentences_total{result="hit"}') == 1
        assert three == two.replace("2", "3") and "3" in three
