"""Each distinct sentence searched once: Translator.translate searches the sentences of one call that the model sees
alike (model/translator.py search_key) once and gives each its own copy, its own spans restored; the service's
scheduler lets a request wait for the search of a sentence another request started (app/scheduler.py)."""
from __future__ import annotations

import asyncio
from contextlib import contextmanager
from pathlib import Path

import pytest
from service_fixtures import Gate, service_settings

from nmt.app.metrics import Metrics
from nmt.app.scheduler import Scheduler
from nmt.model.search import Hypothesis
from nmt.model.translator import DecodeOptions, SourceSentence, Translator, searched

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


# --- the service: a sentence being searched for one request is not searched again for another -----------------
@contextmanager
def held_scheduler(translator: Translator):
    """A started scheduler of request-level batches over a Gate, and the gate, open."""
    gate = Gate(translator)
    scheduler = Scheduler(gate, service_settings(Path("unused"), batching="request"), Metrics())
    scheduler.start()
    try:
        yield scheduler, gate
    finally:
        gate.opened.set()
        scheduler.stop()


def sentence(translator: Translator, text: str) -> SourceSentence:
    [one] = searched(translator.prepare([text]))
    return one


def shared(scheduler: Scheduler) -> float | None:
    return scheduler.metrics.registry.get_sample_value("nmt_shared_sentences_total")


def test_two_requests_for_one_sentence_share_its_search(translator):
    zeta, options = sentence(translator, "zeta theta"), DecodeOptions()

    async def both() -> list[list[list[Hypothesis]]]:
        return await asyncio.gather(scheduler.search([zeta], options, 30), scheduler.search([zeta, zeta], options, 30))

    with held_scheduler(translator) as (scheduler, gate):
        first, second = asyncio.run(both())
    assert gate.seen == ["zeta theta"]
    assert first == second[:1] == second[1:] and first[0] is not second[0] and second[0] is not second[1]
    assert translator.finish_sentence(zeta, first[0]).text == "THETA ZETA"
    assert shared(scheduler) == 2
    assert scheduler._searching == {}, "forgotten once answered"


@pytest.mark.parametrize("gives_up", ["cancelled", "timed out"])
def test_a_request_that_joined_a_search_is_answered_when_the_first_gives_up(translator, gives_up):
    """The first request's sentence waits in the queue (the model busy) when it goes; the one that joined it gets its
    answer all the same, from that one search."""
    busy, zeta, options = sentence(translator, "omi pi"), sentence(translator, "zeta theta"), DecodeOptions()

    async def scenario() -> list[Hypothesis]:
        held = asyncio.create_task(scheduler.search([busy], options, 30))
        await asyncio.to_thread(gate.entered.wait, 10)
        first = asyncio.create_task(scheduler.search([zeta], options, 0.2 if gives_up == "timed out" else 30))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(scheduler.search([zeta], options, 30))
        await asyncio.sleep(0.05)
        if gives_up == "cancelled":
            first.cancel()
        with pytest.raises(asyncio.CancelledError if gives_up == "cancelled" else TimeoutError):
            await first
        gate.opened.set()  # the model thread, free again, drops the queued sentences that no request wants
        await held
        [found] = await asyncio.wait_for(second, 10)
        return found

    with held_scheduler(translator) as (scheduler, gate):
        gate.close()
        found = asyncio.run(scenario())
    assert translator.finish_sentence(zeta, found).text == "THETA ZETA"
    assert gate.seen == ["omi pi", "zeta theta"] and shared(scheduler) == 1
