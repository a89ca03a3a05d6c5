"""Hostile and pathological input: what costs the service time or memory out of proportion to a request's size is
refused before that work, or done in time that grows linearly with the input."""
from __future__ import annotations

from service_fixtures import client_for

from nmt.model.translator import Translator


def test_a_too_long_sentence_is_refused_before_it_is_masked(translator, monkeypatch):
    # Masking a sentence of 20,000 characters of "1-1-1-…" took 95 s on the event loop (every other request
    # waited), only to refuse it with 413 afterwards; the limit is checked as the texts are cut into sentences
    seen: list[str] = []
    untagged = Translator._untagged
    monkeypatch.setattr(Translator, "_untagged", lambda self, text, terms: seen.append(text) or untagged(self, text, terms))
    with client_for(translator, max_sentence_chars=50) as client:
        seen.clear()  # (the warm-up's sentence)
        answer = client.post("/v1/translate", json={"text": ["alpha beta.", "1-" * 100]})
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"] == ("text 1 has a sentence of 200 characters; the limit is 50 (end sentences "
                                          "with . ! ? or a line break)")
        assert seen == []
        assert client.post("/v1/translate", json={"text": "alpha beta"}).status_code == 200
