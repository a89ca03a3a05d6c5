"""Continuous batching: sentences join a running greedy batch between steps and leave it when they end, with
the same results as alone; the service answers a short request while a long one is still being decoded."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from service_fixtures import client_for
from test_model import random_batch

from nmt.app.batcher import ENCODE_CHUNK_TOKENS
from nmt.model.search import Hypothesis, LiveBatch, greedy_search, max_lengths
from nmt.model.seq2seq import Seq2Seq
from nmt.model.translator import DecodeOptions, InferenceModel
from nmt.scripts.harness import tiny_config

SENTENCES = ["alpha beta", "tau mu sigma", "gamma delta eps zeta eta theta iota", "pi rho", "kappa lam mu nu xi",
             "ups tau", "omi pi rho sigma", "beta", ""]


def tiny_batch(attention: str, batch: int):
    """A seeded tiny model and a random batch of sources with their output caps."""
    torch.manual_seed(0)
    model = InferenceModel(Seq2Seq(tiny_config(attention))).eval()
    src, lengths = random_batch(batch=batch, length=9)
    return model, src, lengths, max_lengths(lengths, 2.0)


@torch.no_grad()
def greedy_alone(model, src, lengths, max_len, with_attention: bool = False) -> list[Hypothesis]:
    """Each sentence decoded by itself: what a shared, changing batch must reproduce."""
    return [greedy_search(model, model.encode(src[i : i + 1, : lengths[i]], lengths[i : i + 1]), max_len[i : i + 1],
                          with_attention)[0] for i in range(len(lengths))]


@pytest.mark.parametrize("attention", ["none", "luong", "bahdanau"])
def test_joining_mid_way_gives_the_same_tokens_as_alone(attention):
    model, src, lengths, max_len = tiny_batch(attention, batch=6)
    alone = greedy_alone(model, src, lengths, max_len, with_attention=True)
    with torch.no_grad():
        live, got = LiveBatch(model, with_attention=True), {}  # ended rows stay until they are 1/4 of the batch
        for joining, steps in ((((0, 2),), 3), (((2, 3),), 1), (((3, 5), (5, 6)), 0)):  # after 3 and 4 steps; the
            groups = [(model.encode(src[a:b], lengths[a:b]), max_len[a:b], list(range(a, b))) for a, b in joining]
            live.add_groups(groups)  # last two groups join together
            for _ in range(steps):
                got.update(live.step())
        while live:
            got.update(live.step())
    assert [got[i].tokens for i in range(6)] == [h.tokens for h in alone]
    assert [got[i].score for i in range(6)] == pytest.approx([h.score for h in alone], abs=1e-4)
    if attention != "none":
        for i in range(6):
            assert torch.allclose(got[i].attention[:, : lengths[i]], alone[i].attention, atol=1e-5)
            assert got[i].attention[:, lengths[i] :].abs().sum() == 0  # padding of the shared batch gets nothing


def test_sentences_join_a_batch_that_holds_removed_rows():
    """A removed row stays in the batch, dead, until a join leaves it out; the live rows keep their tokens."""
    model, src, lengths, max_len = tiny_batch("bahdanau", batch=10)
    alone = greedy_alone(model, src, lengths, max_len)
    with torch.no_grad():
        live, got = LiveBatch(model), {}
        live.add(model.encode(src[:8], lengths[:8]), max_len[:8], list(range(8)))
        got.update(live.step())
        live.remove({live.keys.index(3)})  # one dead row of eight: kept until the join
        assert live.dead == 1
        live.add(model.encode(src[8:], lengths[8:]), max_len[8:], [8, 9])
        assert live.dead == 0 and len(live.keys) == 9 - len(got)
        while live:
            got.update(live.step())
    assert 3 not in got
    assert {i: got[i].tokens for i in got} == {i: alone[i].tokens for i in range(10) if i != 3}


def test_dead_rows_are_copied_out_at_a_quarter_of_the_batch():
    model, src, lengths, max_len = tiny_batch("bahdanau", batch=8)
    alone = greedy_alone(model, src, lengths, max_len)
    with torch.no_grad():
        live = LiveBatch(model)
        live.add(model.encode(src, lengths), max_len, list(range(8)))
        live.remove({live.keys.index(1), live.keys.index(6)})  # 2 of 8: a quarter
        assert live.dead == 0 and sorted(live.keys) == [0, 2, 3, 4, 5, 7] and len(live.rows.prev) == 6
        live.step()
        live.remove(set(range(len(live.keys))))  # every row: an empty batch that sentences can join again
        assert len(live) == 0 and live.rows is None
        live.add(model.encode(src[:3], lengths[:3]), max_len[:3], [0, 1, 2])
        got = {}
        while live:
            got.update(live.step())
    assert {i: got[i].tokens for i in got} == {i: alone[i].tokens for i in range(3)}


def test_stream_matches_translate_and_lets_short_sentences_leave_first(translator):
    alone = [translator.translate([s], DecodeOptions())[0].text for s in SENTENCES]
    stream, done, order = translator.stream(), {}, []
    stream.add(SENTENCES[2:3], [2])  # the longest first
    for _ in range(2):
        assert stream.step() == []
    stream.add([s for i, s in enumerate(SENTENCES) if i != 2], [i for i in range(len(SENTENCES)) if i != 2])
    while stream:
        for key, translation in stream.step():
            done[key] = translation.text
            order.append(key)
    assert [done[i] for i in range(len(SENTENCES))] == alone
    assert done[0] == "BETA ALPHA" and done[8] == ""
    assert order.index(7) < order.index(2)  # "beta" joined later, ended sooner


def test_dropped_sentences_leave_the_live_batch(translator):
    stream = translator.stream()
    stream.add(["alpha beta gamma", "tau mu"], ["keep", "drop"])
    stream.step()
    assert stream.drop(lambda key: key == "drop") == ["drop"] and len(stream) == 1
    results = []
    while stream:
        results += stream.step()
    assert [(k, t.text) for k, t in results] == [("keep", "GAMMA BETA ALPHA")]


@pytest.mark.parametrize("batching", ["continuous", "request", "off"])
def test_service_results_are_the_same_in_every_batching_mode(translator, batching):
    alone = [translator.translate([s], DecodeOptions())[0].text for s in SENTENCES]
    with client_for(translator, batching=batching) as client, ThreadPoolExecutor(len(SENTENCES)) as pool:
        answers = [pool.submit(client.post, "/v1/translate", json={"text": s}) for s in SENTENCES]
        together = [a.result().json()["translations"][0]["text"] for a in answers]
        beams = client.post("/v1/translate", json={"text": SENTENCES[:3], "beam_size": 3, "nbest": 2}).json()
    assert together == alone
    assert [t["text"] for t in beams["translations"]] == [t.text for t in translator.translate(SENTENCES[:3],
                                                                                                DecodeOptions(beam_size=3))]


class Wrapped:
    """A translator that behaves as the real one, except for what a subclass changes in its stream()."""

    def __init__(self, inner):
        self.inner, self.bundle, self.device, self.source_ids = inner, inner.bundle, inner.device, inner.source_ids

    def translate(self, texts, options=None):
        return self.inner.translate(texts, options)


class SlowSteps(Wrapped):
    """A translator whose live batch takes 20 ms a step: long enough to see who is answered first."""

    def stream(self):
        stream = self.inner.stream()
        step = stream.step_lazily
        stream.step_lazily = lambda: (time.sleep(0.02), step())[1]
        return stream


def test_service_answers_a_short_request_while_a_long_one_decodes(translator):
    """A long request is decoding; a short one sent then joins the live batch and is answered first."""
    long_text = " ".join(["gamma delta eps zeta eta theta iota kappa."] * 8)
    with client_for(SlowSteps(translator)) as client, ThreadPoolExecutor(1) as pool:
        batcher = client.app.state.batcher
        long = pool.submit(client.post, "/v1/translate", json={"text": long_text})
        deadline = time.monotonic() + 30
        while batcher.live == 0:
            assert time.monotonic() < deadline, "the long request never started decoding"
            time.sleep(0.001)
        short = client.post("/v1/translate", json={"text": "alpha beta"})
        assert short.json()["translations"][0]["text"] == "BETA ALPHA"
        assert not long.done() and batcher.live == 8
        assert long.result().status_code == 200


class FailsToEncode(Wrapped):
    """A translator whose encoder fails on any batch holding the word 'poison'."""

    def stream(self):
        stream = self.inner.stream()
        encode = stream.encode

        def failing(texts, keys, ratio, ids=None):
            if any("poison" in t for t in texts):
                raise RuntimeError("encoder failed")
            return encode(texts, keys, ratio, ids)

        stream.encode = failing
        return stream


def test_a_sentence_the_encoder_fails_on_fails_alone_and_frees_its_place(translator):
    """Encoded on the encoder thread together with others, a failing sentence gets 500 by itself; the rest are
    translated; once all are answered, no budget is held for any of them."""
    texts = SENTENCES[:4] + ["alpha poison"] + SENTENCES[4:8]
    with client_for(FailsToEncode(translator)) as client, ThreadPoolExecutor(len(texts)) as pool:
        answers = [a.result() for a in [pool.submit(client.post, "/v1/translate", json={"text": t}) for t in texts]]
        batcher = client.app.state.batcher
        assert [a.status_code for a in answers] == [200] * 4 + [500] + [200] * 4
        assert [a.json()["translations"][0]["text"] for a in answers if a.status_code == 200] == [
            translator.translate([t], DecodeOptions())[0].text for t in texts if "poison" not in t]
        assert batcher._seated_tokens == 0 and batcher.live == 0 and batcher.queued == 0


class ModelThreadOnly:
    """A live batch that notes each use from a thread other than the model thread (encode() only reads the model:
    any thread may call it). Its steps take 20 ms, so that requests arrive while others are being decoded."""

    def __init__(self, stream, misuses: list[str]):
        self.stream, self.misuses = stream, misuses

    def encode(self, *args):
        return self.stream.encode(*args)

    def step_lazily(self):
        self._check("step_lazily")
        time.sleep(0.02)
        return self.stream.step_lazily()

    def __len__(self):
        self._check("__len__")
        return len(self.stream)

    def __getattr__(self, name):  # join, drop
        self._check(name)
        return getattr(self.stream, name)

    def _check(self, name: str) -> None:
        if threading.current_thread().name != "nmt-model":
            self.misuses.append(f"{name} on {threading.current_thread().name}")


class OwnedLiveBatch(Wrapped):
    def __init__(self, inner):
        super().__init__(inner)
        self.misuses: list[str] = []

    def stream(self):
        return ModelThreadOnly(self.inner.stream(), self.misuses)


def test_only_the_model_thread_touches_the_live_batch(translator):
    """The model thread changes the live batch between steps without a lock (compacting it, for one), so no other
    thread may read it: the encoder thread once read its length mid-compaction, got a negative one, died, and left
    every later request to time out. Sentences that arrive while others are decoding make the encoder thread ask
    how big the live batch is."""
    wrapped = OwnedLiveBatch(translator)
    alone = [translator.translate([s], DecodeOptions())[0].text for s in SENTENCES]
    with client_for(wrapped) as client, ThreadPoolExecutor(len(SENTENCES)) as pool:
        first = pool.submit(client.post, "/v1/translate", json={"text": SENTENCES[2]})
        deadline = time.monotonic() + 30
        while client.app.state.batcher.live == 0:
            assert time.monotonic() < deadline, "the first request never started decoding"
            time.sleep(0.001)
        answers = [pool.submit(client.post, "/v1/translate", json={"text": s}) for s in SENTENCES]
        texts = [a.result().json()["translations"][0]["text"] for a in answers]
        assert first.result().status_code == 200
    assert texts == alone
    assert wrapped.misuses == []


class RecordsEncoding(Wrapped):
    """A translator that records the source lengths of each batch its encoder thread encodes."""

    def __init__(self, inner):
        super().__init__(inner)
        self.batches: list[list[int]] = []

    def stream(self):
        stream = self.inner.stream()
        encode = stream.encode

        def recording(texts, keys, ratio, ids=None):
            self.batches.append([job.tokens for job in keys])
            return encode(texts, keys, ratio, ids)

        stream.encode = recording
        return stream


def test_the_encoder_thread_encodes_shortest_first_in_small_chunks(translator):
    """A request's sentences are taken together but encoded shortest first, in chunks of at most
    ENCODE_CHUNK_TOKENS (rows x longest), so that the short ones join the live batch without waiting for the rest."""
    long_sentence = "gamma delta eps zeta eta theta iota kappa lam mu nu xi omi pi rho sigma tau ups."
    text = " ".join([long_sentence] * 40 + ["beta."])
    recorder = RecordsEncoding(translator)
    with client_for(recorder) as client:
        recorder.batches.clear()  # the start-up's warm-up
        answer = client.post("/v1/translate", json={"text": text})
    with client_for(translator, batching="off") as client:
        one_by_one = client.post("/v1/translate", json={"text": text})
    assert answer.status_code == 200
    assert answer.json()["translations"][0]["text"] == one_by_one.json()["translations"][0]["text"]
    lengths = [n for batch in recorder.batches for n in batch]
    assert sorted(lengths) == lengths and len(lengths) == 41 and len(recorder.batches) > 1
    assert all(len(batch) * max(batch) <= ENCODE_CHUNK_TOKENS for batch in recorder.batches)
