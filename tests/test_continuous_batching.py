"""Continuous batching: sentences of any beam size join a running batch between steps and leave it when they end,
with the same results as alone; the service answers a short request while a long one is still being decoded."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import islice, permutations

import pytest
import torch
from service_fixtures import client_for, scheduler_of, wait_until
from test_model import random_batch

from nmt.app.policies import ENCODE_CHUNK_TOKENS, ENCODE_GROUP, ContinuousBatching, Lane
from nmt.model.search import Beam, Hypothesis, Joining, LiveBatch, beam_search, greedy_search, max_lengths
from nmt.model.seq2seq import Seq2Seq
from nmt.model.translator import DecodeOptions, InferenceModel, SourceSentence, Translator
from nmt.scripts.harness import tiny_config

SENTENCES = ["alpha beta", "tau mu sigma", "gamma delta eps zeta eta theta iota", "pi rho", "kappa lam mu nu xi",
             "ups tau", "omi pi rho sigma", "beta", ""]


def different(sentence: str, n: int) -> list[str]:
    """n different sentences of the sentence's words, itself first: load for the service, which would search a
    sentence repeated in flight once (app/scheduler.py)."""
    words = sentence.removesuffix(".").split()
    return [" ".join(order) + "." for order in islice(permutations(words), n)]


def tiny_batch(attention: str, batch: int, exact: bool = False):
    """A seeded tiny model and a random batch of sources with their output caps."""
    torch.manual_seed(0)
    model = InferenceModel(Seq2Seq(tiny_config(attention)), exact).eval()
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
        live, got = LiveBatch(model), {}  # ended rows stay until they are 1/4 of the batch
        for joining, steps in ((((0, 2),), 3), (((2, 3),), 1), (((3, 5), (5, 6)), 0)):  # after 3 and 4 steps; the
            groups = [Joining(model.encode(src[a:b], lengths[a:b]), max_len[a:b], list(range(a, b)), with_attention=True)
                      for a, b in joining]
            live.add_groups(groups)  # last two groups join together
            for _ in range(steps):
                got.update(live.step())
        while live:
            got.update(live.step())
    got = {i: hyps[0] for i, hyps in got.items()}
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
        greedy = live.parts[1, False]
        assert live.remove_keys(lambda key: key == 3) == [3]  # one dead sentence of eight: kept until the join
        assert greedy.dead == 1
        live.add(model.encode(src[8:], lengths[8:]), max_len[8:], [8, 9])
        assert greedy.dead == 0 and len(greedy.keys) == 9 - len(got)
        while live:
            got.update(live.step())
    assert 3 not in got
    assert {i: got[i][0].tokens for i in got} == {i: alone[i].tokens for i in range(10) if i != 3}


def test_dead_sentences_are_copied_out_at_a_quarter_of_the_batch():
    model, src, lengths, max_len = tiny_batch("bahdanau", batch=8)
    alone = greedy_alone(model, src, lengths, max_len)
    with torch.no_grad():
        live = LiveBatch(model)
        live.add(model.encode(src, lengths), max_len, list(range(8)))
        greedy = live.parts[1, False]
        live.remove_keys(lambda key: key in (1, 6))  # 2 of 8: a quarter
        assert greedy.dead == 0 and sorted(greedy.keys) == [0, 2, 3, 4, 5, 7] and len(greedy.rows.prev) == 6
        live.step()
        live.remove_keys(lambda key: True)  # every sentence: an empty batch that sentences can join again
        assert len(live) == 0 and greedy.rows is None
        live.add(model.encode(src[:3], lengths[:3]), max_len[:3], [0, 1, 2])
        got = {}
        while live:
            got.update(live.step())
    assert {i: got[i][0].tokens for i in got} == {i: alone[i].tokens for i in range(3)}


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("attention", ["none", "luong", "bahdanau"])
def test_beam_and_greedy_sentences_share_a_live_batch_with_the_results_they_get_alone(attention, exact):
    """Sentences of beam sizes 1, 2, 3 and 5 (one with an n-best list) join a running batch at different steps and
    get the hypotheses, scores and attention that beam search gives each alone: bit for bit with exact search
    (model/invariant.py), within float rounding without."""
    model, src, lengths, max_len = tiny_batch(attention, batch=8, exact=exact)
    beams = [Beam(3), Beam(1), Beam(5, nbest=3, alpha=0.6), Beam(2), Beam(1), Beam(3), Beam(5), Beam(2, nbest=2)]
    with torch.no_grad():
        alone = [beam_search(model, model.encode(src[i : i + 1, : lengths[i]], lengths[i : i + 1]), max_len[i : i + 1],
                             b.size, b.alpha, b.nbest, with_attention=True)[0] for i, b in enumerate(beams)]
        live, got = LiveBatch(model), {}
        for start, end, steps in ((0, 3, 2), (3, 5, 1), (5, 8, 0)):
            live.add_groups([Joining(model.encode(src[i : i + 1], lengths[i : i + 1]), max_len[i : i + 1], [i], beams[i],
                                     with_attention=True) for i in range(start, end)])
            for _ in range(steps):
                got.update(live.step())
        while live:
            got.update(live.step())
    for i, hyps in enumerate(alone):
        assert [h.tokens for h in got[i]] == [h.tokens for h in hyps], i
        scores, expected = [h.score for h in got[i]], [h.score for h in hyps]
        assert scores == expected if exact else scores == pytest.approx(expected, abs=1e-4)
        if attention != "none":
            weights, alone_weights = got[i][0].attention[:, : lengths[i]], hyps[0].attention[:, : lengths[i]]
            assert torch.equal(weights, alone_weights) if exact else torch.allclose(weights, alone_weights, atol=1e-5)


def prepared(translator: Translator, texts: list[str]) -> list[SourceSentence]:
    return [s for text in translator.prepare(texts) for s in text.sentences]


def test_a_live_batch_gives_what_translate_gives_and_short_sentences_leave_first(translator):
    alone = [translator.translate([s], DecodeOptions())[0].text for s in SENTENCES]
    sentences = {i: s for i, s in enumerate(prepared(translator, SENTENCES)) if not s.verbatim}
    live, done, order = translator.live_batch(), {}, []
    with torch.inference_mode():
        live.add_groups([translator.encode([sentences[2]], DecodeOptions(), [2])])  # the longest first
        for _ in range(2):
            assert live.step() == []
        rest = [i for i in sentences if i != 2]
        live.add_groups([translator.encode([sentences[i] for i in rest], DecodeOptions(), rest)])
        while live:
            for key, hyps in live.step():
                done[key] = translator.finish_sentence(sentences[key], hyps).text
                order.append(key)
    assert [done.get(i, "") for i in range(len(SENTENCES))] == alone
    assert done[0] == "BETA ALPHA" and 8 not in done and alone[8] == ""
    assert order.index(7) < order.index(2)  # "beta" joined later, ended sooner


def test_removed_sentences_leave_the_live_batch(translator):
    sentences = prepared(translator, ["alpha beta gamma", "tau mu"])
    live, results = translator.live_batch(), []
    with torch.inference_mode():
        live.add_groups([translator.encode(sentences[:1], DecodeOptions(beam_size=3), ["keep"]),
                         translator.encode(sentences[1:], DecodeOptions(beam_size=2), ["drop"])])
        live.step()
        assert live.remove_keys(lambda key: key == "drop") == ["drop"] and len(live) == 3
        while live:
            results += live.step()
    assert [(key, translator.finish_sentence(sentences[0], hyps).text) for key, hyps in results] == [
        ("keep", "GAMMA BETA ALPHA")]


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


class Wrapped(Translator):
    """The real translator (the same model and bundle), except for what a subclass overrides."""

    def __init__(self, inner: Translator):
        self.__dict__.update(inner.__dict__)


class SlowLiveBatch(LiveBatch):
    """Steps of step_s (50 ms): long enough to see who is answered first, with room for a busy machine's stalls."""

    step_s = 0.05

    def step(self):
        time.sleep(self.step_s)
        return super().step()


class SlowSteps(Wrapped):
    def live_batch(self) -> LiveBatch:
        return SlowLiveBatch(self.model)


@pytest.mark.parametrize("beam", [1, 4])
def test_service_answers_a_short_request_while_a_long_one_decodes(translator, beam):
    """A long request is decoding; a short one sent then joins the live batch (one lane; at once, not to wait for
    others to join with it) and is answered first."""
    long_text = "\n".join(different("gamma delta eps zeta eta theta iota kappa.", 8))  # 8 sentences
    with (client_for(SlowSteps(translator), beam_size=beam, decoder_lanes=1, join_wait_ms=0) as client,
          ThreadPoolExecutor(1) as pool):
        scheduler = scheduler_of(client.app)
        long = pool.submit(client.post, "/v1/translate", json={"text": long_text})
        wait_until(lambda: scheduler.live > 0, "the long request never started decoding", timeout=30)
        short = client.post("/v1/translate", json={"text": "alpha beta"})
        assert short.json()["translations"][0]["text"] == "BETA ALPHA"
        assert not long.done() and scheduler.live >= 8 * beam
        assert long.result().status_code == 200


class FailsToEncode(Wrapped):
    """A translator whose encoder fails on any batch holding the word 'poison'."""

    def encode(self, sentences, options, keys):
        if any("poison" in s.text for s in sentences):
            raise RuntimeError("encoder failed")
        return super().encode(sentences, options, keys)


def test_a_sentence_the_encoder_fails_on_fails_alone_and_frees_its_place(translator):
    """Encoded on the encoder thread together with others, a failing sentence gets 500 by itself; the rest are
    translated; once all are answered, no budget is held for any of them."""
    texts = SENTENCES[:4] + ["alpha poison"] + SENTENCES[4:8]
    with client_for(FailsToEncode(translator)) as client, ThreadPoolExecutor(len(texts)) as pool:
        answers = [a.result() for a in [pool.submit(client.post, "/v1/translate", json={"text": t}) for t in texts]]
        scheduler = scheduler_of(client.app)
        assert [a.status_code for a in answers] == [200] * 4 + [500] + [200] * 4
        assert [a.json()["translations"][0]["text"] for a in answers if a.status_code == 200] == [
            translator.translate([t], DecodeOptions())[0].text for t in texts if "poison" not in t]
        assert scheduler.queue.seated_cost == 0 and scheduler.live == 0 and scheduler.queued == 0


class ModelThreadOnly(LiveBatch):
    """A live batch that notes each use from a thread other than its lane's model thread. Its steps take 20 ms, so
    that requests arrive while others are being decoded."""

    misuses: list[str]

    def step(self):
        self._check("step")
        time.sleep(0.02)
        return super().step()

    def __len__(self):
        self._check("__len__")
        return super().__len__()

    def add_groups(self, groups):
        self._check("add_groups")
        return super().add_groups(groups)

    def remove_keys(self, unwanted):
        self._check("remove_keys")
        return super().remove_keys(unwanted)

    def _check(self, name: str) -> None:
        me = threading.current_thread().name
        if me == "MainThread":  # its constructor
            return
        self.owner = getattr(self, "owner", me)  # the lane's thread, which uses it first
        if me != self.owner:
            self.misuses.append(f"{name} on {me}, not on {self.owner}")


class OwnedLiveBatch(Wrapped):
    def __init__(self, inner):
        super().__init__(inner)
        self.misuses: list[str] = []

    def live_batch(self) -> LiveBatch:
        live = ModelThreadOnly(self.model)
        live.misuses = self.misuses
        return live


def test_only_the_model_thread_touches_the_live_batch(translator):
    """The model thread changes the live batch between steps without a lock (compacting it, for one), so no other
    thread may read it: the encoder thread once read its length mid-compaction, got a negative one, died, and left
    every later request to time out. Sentences that arrive while others are decoding make the encoder thread ask
    how big the live batch is."""
    wrapped = OwnedLiveBatch(translator)
    alone = [translator.translate([s], DecodeOptions())[0].text for s in SENTENCES]
    with client_for(wrapped) as client, ThreadPoolExecutor(len(SENTENCES)) as pool:
        first = pool.submit(client.post, "/v1/translate", json={"text": SENTENCES[2]})
        wait_until(lambda: scheduler_of(client.app).live > 0, "the first request never started decoding", timeout=30)
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

    def encode(self, sentences, options, keys):
        self.batches.append([len(s.ids) for s in sentences])
        return super().encode(sentences, options, keys)


def test_the_encoder_thread_encodes_shortest_first_in_small_chunks(translator):
    """A request's sentences are taken together but encoded shortest first, in chunks of at most
    ENCODE_CHUNK_TOKENS (rows x longest), so that the short ones join the live batch without waiting for the rest."""
    long_sentence = "gamma delta eps zeta eta theta iota kappa lam mu nu xi omi pi rho sigma tau ups."
    text = "\n".join(different(long_sentence, 40) + ["beta."])
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


def test_a_backlog_is_encoded_a_group_at_a_time(translator):
    """With the live batch's budget full (here: one sentence's worth), room for one sentence would have the encoder
    take the waiting sentences one by one; it takes ENCODE_GROUP of them at once, and they get the same results."""
    texts = [f"{a} {b}" for a, b in permutations(SENTENCES[:6], 2)][:20]  # 20 texts, one request
    recorder = RecordsEncoding(translator)
    with client_for(recorder, max_batch_tokens=1) as client:
        recorder.batches.clear()  # the start-up's warm-up
        answer = client.post("/v1/translate", json={"text": texts})
    assert answer.status_code == 200
    assert [t["text"] for t in answer.json()["translations"]] == [t.text for t in translator.translate(texts)]
    assert sum(len(batch) for batch in recorder.batches) == 20 > ENCODE_GROUP
    assert len(recorder.batches[0]) == ENCODE_GROUP  # not 1, as the budget alone would take


def texts_in(live: LiveBatch) -> set[str]:
    """The texts of the sentences a service's live batch holds (its keys are Jobs)."""
    return {owner.key.sentence.text for part in live.parts.values() for owner in part.owners if owner is not None}


class RecordingLiveBatch(SlowLiveBatch):
    """Steps of step_s (SlowLiveBatch) that note the texts of the sentences they step: in texts, and in `stepped`
    by model thread (a dict that all the live batches of one Recorder share); each step waits while `opened` (the
    Recorder's) is clear."""

    stepped: dict[str, set]
    opened: threading.Event

    def step(self):
        assert self.opened.wait(30), "the recorder's steps were held for 30 s"
        seen = texts_in(self)
        self.texts = getattr(self, "texts", set()) | seen
        self.kinds = [*getattr(self, "kinds", []), {kind for kind, part in self.parts.items() if part}]
        self.stepped.setdefault(threading.current_thread().name, set()).update(seen)
        return super().step()


class Recorder(Wrapped):
    """The real translator, its live batches RecordingLiveBatches of steps of step_s; clear `opened` to hold every
    lane before its next step."""

    def __init__(self, inner: Translator, step_s: float = SlowLiveBatch.step_s):
        super().__init__(inner)
        self.step_s, self.stepped, self.opened = step_s, {}, threading.Event()
        self.opened.set()

    def live_batch(self) -> LiveBatch:
        live = RecordingLiveBatch(self.model)
        live.step_s, live.stepped, live.opened = self.step_s, self.stepped, self.opened
        return live


@pytest.mark.parametrize("beam", [1, 3])
def test_two_lanes_share_the_sentences_and_each_gets_what_it_gets_alone(translator, beam):
    """With decoder_lanes=2, two model threads step a live batch each; sentences go to both, with the results
    they get alone."""
    lanes = Recorder(translator, step_s=0.005)
    texts = [f"{a} {b}" for a in SENTENCES[:8] for b in SENTENCES[:4]]  # 32 texts
    options = DecodeOptions(beam_size=beam)
    with (client_for(lanes, decoder_lanes=2, beam_size=beam) as client,
          ThreadPoolExecutor(len(texts)) as pool):
        answers = [pool.submit(client.post, "/v1/translate", json={"text": t}) for t in texts]
        got = [a.result().json()["translations"][0]["text"] for a in answers]
    assert got == [t.text for t in translator.translate(texts, options)]
    assert {"nmt-model-0", "nmt-model-1"} <= set(lanes.stepped) and "nmt-model-2" not in lanes.stepped
    assert lanes.stepped["nmt-model-0"] and lanes.stepped["nmt-model-1"]


@pytest.mark.parametrize("beam", [1, 3])
def test_a_small_request_beside_long_ones_steps_in_the_small_batch_with_what_it_gets_alone(translator, beam):
    """Two long requests decode in one lane; a request far smaller than they are (settings.small_requests) joins
    the lane's small batch, is answered first, with what it gets alone; the long ones, of one size, are not small."""
    sentences = different("gamma delta eps zeta eta theta iota kappa.", 12)
    long_texts = ["\n".join(sentences[:6]), "\n".join(sentences[6:])]
    options = DecodeOptions(beam_size=beam)
    with (client_for(Recorder(translator), beam_size=beam, decoder_lanes=1, small_requests=4) as client,
          ThreadPoolExecutor(2) as pool):
        scheduler = scheduler_of(client.app)
        longs = [pool.submit(client.post, "/v1/translate", json={"text": text}) for text in long_texts]
        wait_until(lambda: scheduler.live >= 2 * 6 * beam, "the long requests never started decoding", timeout=30)
        short = client.post("/v1/translate", json={"text": "alpha beta"})
        assert not any(long.done() for long in longs)
        lane = scheduler.policy.lanes[0]  # type: ignore[union-attr]
        assert short.json()["translations"][0]["text"] == translator.translate(["alpha beta"], options)[0].text
        assert [long.result().json()["translations"][0]["text"] for long in longs] == [
            t.text for t in translator.translate(long_texts, options)]
        assert "nmt_small_requests_total 1.0" in client.get("/metrics").text
    assert lane.small.texts == {"alpha beta"}
    assert "alpha beta" not in lane.live.texts and "gamma delta eps zeta eta theta iota kappa." in lane.live.texts


def test_sentences_asking_for_attention_step_in_the_live_batch_beside_the_others(translator):
    """HTML's paired tags are put back by the attention: such a block's sentence joins the lane's live batch, in a
    part of its own (K, with attention), and steps with the plain sentences; each request gets what it gets alone."""
    recorder = Recorder(translator)
    tagged, plain = "<p>alpha beta <b>gamma delta</b> eps tau</p>", "tau mu sigma"
    with (client_for(recorder, decoder_lanes=1, small_requests=0) as client, ThreadPoolExecutor(2) as pool):
        [lane] = scheduler_of(client.app).policy.lanes  # type: ignore[union-attr]
        lane.live.kinds = []  # the start-up's warm-up
        recorder.opened.clear()  # no step until both have reached the lane
        try:
            answers = [pool.submit(client.post, "/v1/translate", json=body)
                       for body in ({"text": tagged, "format": "html"}, {"text": plain})]
            wait_until(lambda: lane.rows == 2, "the two requests never reached the lane")
        finally:
            recorder.opened.set()
        got = [answer.result().json()["translations"][0]["text"] for answer in answers]
    assert got == ["<p>TAU EPS <b>DELTA GAMMA</b> BETA ALPHA</p>", translator.translate([plain])[0].text]
    assert {(1, True), (1, False)} in lane.live.kinds, "the two kinds of sentence in one step"
    assert {"alpha beta gamma delta eps tau", plain} <= lane.live.texts


class Rows(list):
    """Stands for a LiveBatch in Lane's choice, which reads only whether a batch has rows."""


def test_a_lanes_small_batch_steps_for_share_times_the_other_step_then_the_other_steps():
    live, small = Rows([1]), Rows([1])
    lane = Lane(live, small, share=2.0)  # type: ignore[arg-type]
    assert lane.due() is live  # no step of the live batch measured yet
    lane.stepped(live, 0.010)
    order = []
    for _ in range(8):
        batch = lane.due()
        order.append("small" if batch is small else "live")
        lane.stepped(batch, 0.004 if batch is small else 0.010)
    assert order == ["small"] * 5 + ["live"] + ["small"] * 2  # 5 x 4 ms reach 2 x 10 ms
    small.clear()
    assert lane.due() is live
    small.append(1)
    live.clear()
    assert lane.due() is small
    small.clear()
    assert lane.due() is None


def slowed(publish):
    """A lane's _publish that first sleeps 0.1 s: a lane slow to publish its rows."""

    def slow_publish(self, lane):
        time.sleep(0.1)
        publish(self, lane)

    return slow_publish


def test_a_lane_publishes_its_rows_before_it_answers(translator, monkeypatch):
    """Once a request is answered its rows are counted nowhere (/metrics, the encoder thread's choice of lane), even
    when a lane is slow to publish: it publishes before it answers. (Answered first, the warm-up's row once sent a
    request to the wrong lane.)"""
    monkeypatch.setattr(ContinuousBatching, "_publish", slowed(ContinuousBatching._publish))
    with client_for(translator, decoder_lanes=2) as client:
        scheduler = scheduler_of(client.app)
        lanes = scheduler.policy.lanes  # type: ignore[union-attr]
        for text in ["alpha beta", SENTENCES[1], "\n".join(SENTENCES[:3])]:
            assert client.post("/v1/translate", json={"text": text}).status_code == 200
            assert scheduler.live == 0 and [lane.rows for lane in lanes] == [0, 0]


class FailsToJoin(Wrapped):
    """A translator whose live batches fail to take in any sentence with the word 'poison'."""

    def live_batch(self) -> LiveBatch:
        return PoisonedLiveBatch(self.model)


class PoisonedLiveBatch(LiveBatch):
    def add_groups(self, groups):
        if any("poison" in job.sentence.text for group in groups for job in group.keys):
            raise RuntimeError("the live batch failed")
        return super().add_groups(groups)


def test_a_lane_that_fails_publishes_its_rows_before_it_answers(translator, monkeypatch):
    """A lane whose live batch fails answers its sentences ModelFailed (500), its rows published without them first,
    as after a step."""
    monkeypatch.setattr(ContinuousBatching, "_publish", slowed(ContinuousBatching._publish))
    with client_for(FailsToJoin(translator), decoder_lanes=1) as client:
        scheduler = scheduler_of(client.app)
        [lane] = scheduler.policy.lanes  # type: ignore[union-attr]
        assert client.post("/v1/translate", json={"text": "alpha poison"}).status_code == 500
        assert scheduler.live == 0 and lane.rows == 0
        assert client.post("/v1/translate", json={"text": "alpha beta"}).json()["translations"][0]["text"] \
            == "BETA ALPHA"


def test_small_requests_go_to_the_lane_with_the_fewest_small_rows(translator):
    """With two lanes decoding long requests (the second lane fewer rows), a second small request arriving while the
    first is still in the second lane's small batch goes to the first lane's, though the second lane still has
    fewer rows: each small batch's steps stay as short as they can be."""
    sentences = different("gamma delta eps zeta eta theta iota kappa.", 8)
    recorder = Recorder(translator)
    with (client_for(recorder, decoder_lanes=2, small_requests=4) as client, ThreadPoolExecutor(4) as pool):
        lanes = scheduler_of(client.app).policy.lanes  # type: ignore[union-attr]
        recorder.opened.clear()  # no lane steps, so that none finishes (or publishes its rows) until all are placed
        answers = []
        try:
            # one long request after the other: each to the emptier lane
            for lane, text in zip(lanes, (" ".join(sentences[:6]), " ".join(sentences[6:])), strict=True):
                answers.append(pool.submit(client.post, "/v1/translate", json={"text": text}))
                wait_until(lambda lane=lane: lane.rows > 0, "a long request never reached its lane")
            answers.append(pool.submit(client.post, "/v1/translate", json={"text": "alpha beta"}))
            wait_until(lambda: lanes[1].small_rows > 0, "the first small request never reached the second lane")
            answers.append(pool.submit(client.post, "/v1/translate", json={"text": "tau mu"}))
            wait_until(lambda: lanes[0].small_rows > 0, "the second small request never reached the first lane")
        finally:
            recorder.opened.set()
        assert [answer.result().status_code for answer in answers] == [200] * 4
    assert [getattr(lane.small, "texts", set()) for lane in lanes] == [{"tau mu"}, {"alpha beta"}]
