"""The service in-process: every endpoint, every error class, cross-request batching, the sentence splitter."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fastapi.dependencies.utils
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from service_fixtures import Gate, client_for, scheduler_of, service_settings, wait_until

from nmt.app.main import app_from_env, create_app
from nmt.app.registry import load_translators
from nmt.app.settings import Settings
from nmt.cli import main
from nmt.model.segment import BREAKS, split
from nmt.model.translator import DecodeOptions, Translator
from nmt.scripts.harness import free_port


@pytest.fixture
def client(translator):
    with client_for(translator) as c:
        yield c


@pytest.fixture
def gate(translator):
    return Gate(translator)


def texts_of(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [t["text"] for t in response.json()["translations"]]


def metric(client, name: str) -> dict[tuple, float]:
    """Samples of one metric, keyed by (sample name, sorted labels)."""
    families = text_string_to_metric_families(client.get("/metrics").text)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families if f.name == name for s in f.samples}


def hold_model(client, gate: Gate, pool: ThreadPoolExecutor, text: str = "omi pi"):
    """Close the gate and send one request, so the model thread is busy until the gate opens."""
    gate.close()
    busy = pool.submit(client.post, "/v1/translate", json={"text": text})
    wait_until(gate.entered.is_set)
    return busy


# --- endpoints ------------------------------------------------------------------------------------------
def test_health_ready_models_languages(client):
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").status_code == 200
    model = client.get("/v1/models").json()["models"][0]
    assert (model["id"], model["source"], model["target"]) == ("en-es", "en", "es")
    assert model["bleu"] > 50 and model["summary"]["dev"]["bleu"] == model["bleu"]
    assert model["config"]["attention"] == "luong"
    assert client.get("/languages").json() == [{"code": "en", "name": "English", "targets": ["es"]},
                                               {"code": "es", "name": "Spanish", "targets": []}]
    assert "/v1/translate" in client.get("/openapi.json").json()["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "https://" not in docs.text  # Swagger UI works without a network
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/swagger/{asset}" in docs.text and client.get(f"/static/swagger/{asset}").status_code == 200


def test_translate_text_and_list(client):
    assert texts_of(client.post("/v1/translate", json={"text": "alpha beta"})) == ["BETA ALPHA"]
    out = texts_of(client.post("/v1/translate", json={"text": ["alpha beta", "", "tau mu sigma", "  "]}))
    assert out == ["BETA ALPHA", "", "SIGMA MU TAU", "  "]
    assert texts_of(client.post("/v1/translate", json={"text": []})) == []


def test_translate_requests_hop_to_no_worker_thread(client, monkeypatch):
    """FastAPI runs a plain-def dependency or handler in a worker thread: a hop per request beside the model
    threads, for an attribute lookup (app/service.py). The translation routes' dependencies are coroutines."""
    hops = []
    original = fastapi.dependencies.utils.run_in_threadpool

    async def counted(func, *args, **kwargs):
        hops.append(getattr(func, "__name__", repr(func)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(fastapi.dependencies.utils, "run_in_threadpool", counted)
    assert texts_of(client.post("/v1/translate", json={"text": "alpha beta"})) == ["BETA ALPHA"]
    answer = client.post("/translate", json={"q": "alpha beta", "source": "auto", "target": "es"})
    assert answer.json()["translatedText"] == "BETA ALPHA"
    assert hops == []


def test_scores_nbest_and_attention(client):
    body = {"text": "alpha beta gamma", "beam_size": 4, "nbest": 3, "return_scores": True, "return_attention": True}
    result = client.post("/v1/translate", json=body).json()["translations"][0]
    assert result["text"] == result["nbest"][0]["text"] and result["score"] == result["nbest"][0]["score"]
    assert len(result["nbest"]) == 3 and len({n["text"] for n in result["nbest"]}) == 3
    assert [n["score"] for n in result["nbest"]] == sorted((n["score"] for n in result["nbest"]), reverse=True)
    [sentence] = result["sentences"]
    assert sentence["source"] == "alpha beta gamma" and sentence["tgt_tokens"][-1] == "</s>"
    assert len(sentence["attention"]) == len(sentence["tgt_tokens"])
    for row in sentence["attention"]:
        assert len(row) == len(sentence["src_tokens"]) and sum(row) == pytest.approx(1, abs=1e-4)
    plain = client.post("/v1/translate", json={"text": "alpha beta"}).json()["translations"][0]
    assert plain == {"text": "BETA ALPHA"}


def test_paragraphs_are_split_and_rejoined(client, translator):
    text = "alpha beta gamma\n\ntau mu; rho pi\nxi nu.  eta iota"
    [out] = texts_of(client.post("/v1/translate", json={"text": text, "return_attention": True}))
    seg = split(text, "en", translator.segment_chars)
    alone = [t.text for t in translator.translate(seg.sentences, DecodeOptions())]
    assert out == seg.join(alone) and out.startswith("GAMMA BETA ALPHA\n\n") and out.count("\n") == 3
    details = client.post("/v1/translate", json={"text": text, "return_attention": True}).json()
    assert [s["source"] for s in details["translations"][0]["sentences"]] == seg.sentences


def test_a_windows_texts_line_breaks_come_back_as_sent(client):
    """Each \r\n (or Unicode's line separator) ends a line, as \n does: the first \r of "a\r\nb\r\n" went to the
    model with its line and was lost ("A\nB\r\n"), the last, outside every line, was kept."""
    texts = ["alpha beta\r\ntau mu\r\n", "tau mu\r\n\r\nbeta gamma", "alpha beta\u2028tau mu"]
    assert texts_of(client.post("/v1/translate", json={"text": texts})) == [
        "BETA ALPHA\r\nMU TAU\r\n", "MU TAU\r\n\r\nGAMMA BETA", "BETA ALPHA\u2028MU TAU"]


def test_a_text_without_a_letter_is_kept_as_written_without_the_model(client):
    """A table's number, a verse reference, a bullet: the model would answer "50." or worse."""
    texts = ["50", "3:16 - 42%", "alpha beta\n12.5", "•", "<td><b>50</b> %</td><td>alpha beta</td>"]
    reply = client.post("/v1/translate", json={"text": texts[:4], "return_attention": True}).json()["translations"]
    assert [t["text"] for t in reply] == ["50", "3:16 - 42%", "BETA ALPHA\n12.5", "•"]
    assert reply[0]["sentences"] == [{"source": "50", "text": "50", "src_tokens": [], "tgt_tokens": []}]
    [page] = texts_of(client.post("/v1/translate", json={"text": texts[4], "format": "html"}))
    assert page == "<td><b>50</b> %</td><td>BETA ALPHA</td>", "each word where it was: the bold number still bold"


def test_paired_tags_in_plain_text_go_back_around_their_words_on_both_apis(client, translator):
    """format text: a sentence whose tags all come in pairs is searched without them, with the attention, beside the
    request's other sentences, and each pair put back around the words its words went to (model/tagged.py), as
    format html does; the toy model, without placeholders, read "<b>gamma" as pieces of words before."""
    tagged, plain = "alpha beta <b>gamma delta</b> eps tau", "tau mu sigma"
    assert texts_of(client.post("/v1/translate", json={"text": [tagged, plain]})) == [
        "TAU EPS <b>DELTA GAMMA</b> BETA ALPHA", translator.translate([plain])[0].text]
    answer = client.post("/translate", json={"q": tagged, "source": "en", "target": "es"})
    assert answer.json() == {"translatedText": "TAU EPS <b>DELTA GAMMA</b> BETA ALPHA"}


def test_libretranslate_json_and_form(client):
    answer = client.post("/translate", json={"q": "alpha beta", "source": "en", "target": "es"})
    assert answer.status_code == 200 and answer.json() == {"translatedText": "BETA ALPHA"}
    answer = client.post("/translate", json={"q": ["alpha beta", "tau mu"], "source": "en", "target": "es"})
    assert answer.json() == {"translatedText": ["BETA ALPHA", "MU TAU"]}
    answer = client.post("/translate", data={"q": "alpha beta", "source": "en", "target": "es", "format": "text"})
    assert answer.status_code == 200 and answer.json() == {"translatedText": "BETA ALPHA"}
    answer = client.post("/translate", data={"q": ["alpha beta", "tau mu"], "source": "en", "target": "es"})
    assert answer.json() == {"translatedText": ["BETA ALPHA", "MU TAU"]}


def test_libretranslate_reads_the_query_string_as_it_reads_a_form(client):
    """As LibreTranslate (Flask's request.values): a POST's query string, alone or beside a form body."""
    answer = client.post("/translate?q=alpha+beta&source=en&target=es")
    assert answer.status_code == 200 and answer.json() == {"translatedText": "BETA ALPHA"}
    answer = client.post("/translate?target=es", data={"q": "tau mu", "source": "en"})
    assert answer.json() == {"translatedText": "MU TAU"}
    answer = client.post("/detect?q=alpha+beta")
    assert answer.status_code == 200 and answer.json()[0]["language"] == "en"
    answer = client.post("/translate?q=alpha&source=en", json={"target": "es"})  # a JSON body is the request, alone
    assert answer.status_code == 400 and answer.json() == {"error": "Invalid request: q: Field required"}


@pytest.mark.parametrize("body, message", [
    ({"q": "alpha", "source": "fr", "target": "es"}, "fr -> es is not supported"),
    ({"q": "alpha", "source": "en", "target": "de"}, "this server translates en -> es"),
    ({"q": "<b>alpha</b>", "source": "en", "target": "es", "format": "html", "alternatives": 1}, "not available for format"),
    ({"source": "en", "target": "es"}, "q: Field required"),
    ({"q": 5, "source": "en", "target": "es"}, "q"),
])
def test_libretranslate_errors_are_400(client, body, message):
    answer = client.post("/translate", json=body)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_libretranslate_bad_json_is_400(client):
    answer = client.post("/translate", content=b"{not json", headers={"content-type": "application/json"})
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["error"]


def test_page_and_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and 'id="source"' in page.text and "/static/app.js" in page.text
    assert "drawHeatmap" in client.get("/static/app.js").text
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/nothing.js").status_code == 404


# --- errors ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    (b"{not json", "not valid JSON"),
    (json.dumps({"text": 5}).encode(), "body.text"),
    (json.dumps({"text": "a", "beam_size": 0}).encode(), "beam_size"),
    (json.dumps({"text": "a", "beam_size": 99}).encode(), "at most 8"),
    (json.dumps({"text": "a", "nbest": 99}).encode(), "nbest is 99"),
    (json.dumps({"text": "a", "colour": "red"}).encode(), "colour"),
    (b'{"text": "a", "rerank": Infinity}', "body.rerank: Input should be a finite number"),
    (b'{"text": "se\xf1or"}', "the request body is not valid JSON (not UTF-8: byte 0xf1 at 12)"),
    (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "the request body is not valid JSON (nested too deeply)"),
    (json.dumps(["a"]).encode(), "body"),
    (b'{"text": ["ok", "bad \\ud800"]}', "text 1 is not valid Unicode"),
])
def test_invalid_requests_are_422(client, body, message):
    answer = client.post("/v1/translate", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422 and message in answer.json()["error"], answer.text


@pytest.mark.parametrize("headers, sent_as", [
    ({}, "without one"),  # python requests' data=json.dumps(...)
    ({"content-type": "application/x-www-form-urlencoded"}, "as application/x-www-form-urlencoded"),  # curl -d
    ({"content-type": "text/plain; charset=utf-8"}, "as text/plain"),
])
def test_a_v1_body_not_sent_as_json_is_415(client, headers, sent_as):
    answer = client.post("/v1/translate", content=b'{"text": "alpha beta"}', headers=headers)
    assert answer.status_code == 415 and answer.json() == {"error": "the body must be JSON, sent with Content-Type: "
                                                                    f"application/json (it was sent {sent_as})"}
    for json_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        answer = client.post("/v1/translate", content=b'{"text": "alpha beta"}', headers={"content-type": json_type})
        assert texts_of(answer) == ["BETA ALPHA"]


@pytest.mark.parametrize("overrides, body, message", [
    ({"max_items": 2}, {"text": ["a", "b", "c"]}, "too many texts: 3"),
    ({"max_chars": 10}, {"text": ["alpha beta", "gamma"]}, "15 characters"),
    ({"max_sentence_chars": 12, "segment_chars": 12}, {"text": "alpha beta.\nalpha beta gamma"},
     "sentence of 16 characters"),
    ({"queue_size": 2}, {"text": "alpha.\nbeta.\ngamma."}, "too many sentences: 3"),
])
def test_limits_are_413(translator, overrides, body, message):
    with client_for(translator, **overrides) as client:
        answer = client.post("/v1/translate", json=body)
        assert answer.status_code == 413 and message in answer.json()["error"]
        assert client.post("/v1/translate", json={"text": "alpha"}).status_code == 200


def test_body_size_limit_is_413(translator):
    with client_for(translator, max_body_bytes=100) as client:
        answer = client.post("/v1/translate", json={"text": "alpha " * 30})
        assert answer.status_code == 413 and "100 bytes" in answer.json()["error"]
        answer = client.post("/translate", data={"q": "alpha " * 30, "source": "en", "target": "es"})
        assert answer.status_code == 413
        assert client.post("/v1/translate", json={"text": "alpha"}).status_code == 200


def test_api_keys_401_403(translator):
    with client_for(translator, api_keys=["k1", "sécret"]) as client:
        assert client.post("/v1/translate", json={"text": "alpha"}).status_code == 401
        assert "API key" in client.post("/v1/translate", json={"text": "alpha"}).json()["error"]
        assert client.post("/v1/translate", json={"text": "alpha"}, headers={"X-API-Key": "k2"}).status_code == 403
        assert client.post("/v1/translate", json={"text": "alpha"}, headers={"X-API-Key": "k1"}).status_code == 200
        bearer = {"Authorization": "Bearer k1"}
        assert client.post("/v1/translate", json={"text": "alpha"}, headers=bearer).status_code == 200
        lt = {"q": "alpha beta", "source": "en", "target": "es"}
        assert client.post("/translate", json=lt).status_code == 401
        assert client.post("/translate", json=lt | {"api_key": "nope"}).status_code == 403
        assert client.post("/translate", data=lt | {"api_key": "sécret"}).json() == {"translatedText": "BETA ALPHA"}
        assert client.get("/health").status_code == 200 and client.get("/languages").status_code == 200


def test_cors_only_when_configured(translator):
    preflight = {"Origin": "http://example.test", "Access-Control-Request-Method": "POST"}
    with client_for(translator) as client:
        answer = client.get("/health", headers={"Origin": "http://example.test"})
        assert "access-control-allow-origin" not in answer.headers
    with client_for(translator, cors_origins=["http://example.test"]) as client:
        answer = client.options("/v1/translate", headers=preflight)
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "http://example.test"


def test_not_ready_is_503(translator):
    client = TestClient(create_app(service_settings(Path("unused")), [translator]))  # no lifespan: never started
    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 503
    answer = client.post("/v1/translate", json={"text": "alpha"})
    assert answer.status_code == 503 and answer.headers["retry-after"] and "not ready" in answer.json()["error"]


def test_queue_full_is_503_with_retry_after(gate):
    with client_for(gate, batching="request", queue_size=4) as client, ThreadPoolExecutor(4) as pool:
        busy = hold_model(client, gate, pool)
        waiting = pool.submit(client.post, "/v1/translate", json={"text": "alpha.\nbeta.\ngamma."})
        wait_until(lambda: scheduler_of(client.app).queued == 3)
        answer = client.post("/v1/translate", json={"text": "delta.\neps."})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1" and "full" in answer.json()["error"]
        gate.opened.set()
        assert busy.result().status_code == 200 and waiting.result().status_code == 200
        scheduler = scheduler_of(client.app)  # the refused request left nothing counted as in flight
        assert (scheduler._in_flight, scheduler._in_flight_tokens) == (0, 0)


def test_timeout_is_504_and_abandoned_sentences_skip_the_model(gate):
    with client_for(gate, batching="request", request_timeout_s=0.5) as client, ThreadPoolExecutor(4) as pool:
        busy = hold_model(client, gate, pool)
        answer = client.post("/v1/translate", json={"text": "zeta theta"})
        assert answer.status_code == 504 and "0.5 s" in answer.json()["error"]
        assert busy.result().status_code == 504  # its sentence was already in the model: it times out too
        gate.opened.set()
        assert texts_of(client.post("/v1/translate", json={"text": "alpha beta"})) == ["BETA ALPHA"]
    assert "zeta theta" not in gate.seen


def test_disconnected_client_frees_its_place(gate):
    """A client that goes away before its sentences reach the model: they never do."""
    with client_for(gate, batching="request") as client, ThreadPoolExecutor(4) as pool:
        busy = hold_model(client, gate, pool)
        status = asyncio.run(post_then_disconnect(client.app, b'{"text": "zeta theta"}', wait_queued=1))
        assert status == 499
        gate.opened.set()
        assert busy.result().status_code == 200
    assert "zeta theta" not in gate.seen


async def post_then_disconnect(app, body: bytes, wait_queued: int) -> int:
    """Call the ASGI app as a server would; the client disconnects once its sentences are queued."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop()
        while scheduler_of(app).queued < wait_queued:
            await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/translate", "raw_path": b"/v1/translate", "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_bad_item_does_not_fail_its_batch(gate):
    with client_for(gate, batching="request") as client, ThreadPoolExecutor(4) as pool:
        busy = hold_model(client, gate, pool)
        good = pool.submit(client.post, "/v1/translate", json={"text": "alpha beta"})
        bad = pool.submit(client.post, "/v1/translate", json={"text": "poison pill"})
        wait_until(lambda: scheduler_of(client.app).queued == 2)
        gate.opened.set()
        assert texts_of(good.result()) == ["BETA ALPHA"]
        assert bad.result().status_code == 500 and "failed" in bad.result().json()["error"]
        assert busy.result().status_code == 200
        assert texts_of(client.post("/v1/translate", json={"text": "tau mu"})) == ["MU TAU"]
    assert gate.seen.count("alpha beta") == 2  # in the failed batch, then alone


# --- batching -------------------------------------------------------------------------------------------
SENTENCES = ["alpha beta", "tau mu sigma", "gamma delta eps zeta eta theta iota", "pi rho", "kappa lam mu nu xi",
             "ups tau", "omi pi rho sigma", "beta"]


def test_concurrent_requests_share_batches_with_identical_results(gate, translator):
    alone = [translator.translate([s], DecodeOptions())[0].text for s in SENTENCES]
    with client_for(gate, batching="request") as client, ThreadPoolExecutor(len(SENTENCES) + 1) as pool:
        busy = hold_model(client, gate, pool)
        answers = [pool.submit(client.post, "/v1/translate", json={"text": s}) for s in SENTENCES]
        wait_until(lambda: scheduler_of(client.app).queued == len(SENTENCES))
        gate.opened.set()
        together = [texts_of(a.result())[0] for a in answers]
        assert busy.result().status_code == 200
        batches = metric(client, "nmt_batch_sentences")
        assert batches[("nmt_batch_sentences_bucket", (("le", "4.0"),))] < batches[("nmt_batch_sentences_count", ())]
        sequential = [texts_of(client.post("/v1/translate", json={"text": s}))[0] for s in SENTENCES]
    assert together == alone == sequential
    assert together[0] == "BETA ALPHA"


def test_batches_group_sentences_by_decode_options(gate, translator):
    requests = [("alpha beta", 1), ("tau mu", 3), ("pi rho sigma", 1), ("gamma delta", 3)]
    with client_for(gate, batching="request") as client, ThreadPoolExecutor(len(requests) + 1) as pool:
        busy = hold_model(client, gate, pool)
        answers = [pool.submit(client.post, "/v1/translate", json={"text": text, "beam_size": beam, "nbest": 2})
                   for text, beam in requests]
        wait_until(lambda: scheduler_of(client.app).queued == len(requests))
        gate.opened.set()
        results = [a.result().json()["translations"][0] for a in answers]
        assert busy.result().status_code == 200
    for (text, beam), result in zip(requests, results, strict=True):
        alone = translator.translate([text], DecodeOptions(beam_size=beam, nbest=2))[0]
        assert result["text"] == alone.text and [n["text"] for n in result["nbest"]] == [n for n, _ in alone.nbest()]
    batches = {options.beam_size: sorted(texts) for texts, options in gate.calls[2:]}  # after warm-up and busy
    assert batches == {1: ["alpha beta", "pi rho sigma"], 3: ["gamma delta", "tau mu"]}


def test_metrics_count_requests_and_tokens_but_no_text(client):
    client.post("/v1/translate", json={"text": "alpha beta"})
    client.post("/v1/translate", json={"text": 5})
    text = client.get("/metrics").text
    assert "alpha" not in text.lower()
    requests = metric(client, "nmt_requests")
    assert requests[("nmt_requests_total", (("method", "POST"), ("route", "/v1/translate"), ("status", "200")))] == 1
    assert requests[("nmt_requests_total", (("method", "POST"), ("route", "/v1/translate"), ("status", "422")))] == 1
    assert metric(client, "nmt_request_seconds")[("nmt_request_seconds_count", (("route", "/v1/translate"),))] == 2
    assert metric(client, "nmt_translated_tokens")[("nmt_translated_tokens_total", ())] >= 3  # warm-up + BETA ALPHA
    assert metric(client, "nmt_queue_sentences")[("nmt_queue_sentences", ())] == 0
    assert metric(client, "nmt_tokens_per_second")[("nmt_tokens_per_second", ())] > 0


@pytest.mark.parametrize(("batching", "phases"), [("continuous", {"queued", "encoding", "joining", "decoding"}),
                                                   ("request", {"queued", "decoding"})])
def test_metrics_say_where_a_sentences_time_went(translator, batching, phases):
    with client_for(translator, batching=batching) as client:
        before = phase_seconds(client)
        assert texts_of(client.post("/v1/translate", json={"text": ["alpha beta", "tau mu sigma"]})) == [
            "BETA ALPHA", "SIGMA MU TAU"]
        after = phase_seconds(client)
        took = metric(client, "nmt_request_seconds")[("nmt_request_seconds_sum", (("route", "/v1/translate"),))]
    counts = {phase: after[phase][0] - before.get(phase, (0, 0))[0] for phase in after}
    spent = {phase: after[phase][1] - before.get(phase, (0, 0))[1] for phase in after}
    assert counts == dict.fromkeys(phases, 2)  # each of the two sentences, once in each phase
    assert min(spent.values()) >= 0 and spent["decoding"] > 0
    assert sum(spent.values()) <= 2 * took  # the two sentences' times, each within the request's


def phase_seconds(client) -> dict[str, tuple[float, float]]:
    """nmt_sentence_phase_seconds: phase -> (count, sum)."""
    samples = metric(client, "nmt_sentence_phase_seconds")
    return {dict(labels)["phase"]: (samples[("nmt_sentence_phase_seconds_count", labels)],
                                    samples[("nmt_sentence_phase_seconds_sum", labels)])
            for name, labels in samples if name == "nmt_sentence_phase_seconds_count"}


# --- startup, settings and splitting -----------------------------------------------------------------------------
def test_app_loads_its_model_at_startup(toy_model, monkeypatch):
    monkeypatch.setenv("NMT_MODEL", str(toy_model))
    monkeypatch.setenv("NMT_DEVICE", "cpu")
    monkeypatch.setenv("NMT_BEAM_SIZE", "1")
    with TestClient(app_from_env()) as client:
        assert client.get("/ready").status_code == 200
        assert texts_of(client.post("/v1/translate", json={"text": "alpha beta"})) == ["BETA ALPHA"]


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("NMT_API_KEYS", "a, b")
    monkeypatch.setenv("NMT_CORS_ORIGINS", "http://x.test")
    monkeypatch.setenv("NMT_MAX_ITEMS", "3")
    settings = Settings()
    assert settings.api_keys == ["a", "b"] and settings.cors_origins == ["http://x.test"] and settings.max_items == 3
    assert settings.log_texts is False and Settings(api_keys=[]).api_keys == []
    assert Settings(api_keys="").api_keys == [] and Settings(cors_origins=" ").cors_origins == []  # empty: none
    with pytest.raises(ValueError):
        Settings(device="tpu")
    with pytest.raises(ValueError, match=r"segment_chars \(300\) exceeds max_sentence_chars \(100\)"):
        Settings(segment_chars=300, max_sentence_chars=100)


def accepted(settings: Settings) -> list[Translator]:
    raise AssertionError(f"settings accepted: {settings}")


@pytest.mark.parametrize("env, message", [
    ({"NMT_MAX_ITEMS": "0"}, "setting max_items: Input should be greater than 0"),
    ({"NMT_SEGMENT_CHARS": "2000"}, "settings: Value error, segment_chars (2000) exceeds max_sentence_chars (1000)"),
    ({"NMT_BEAM_SIZE": "10"}, "settings: Value error, beam_size (10) exceeds max_beam_size (8)"),
    ({"NMT_MAX_WAIT_MS": "1e300"}, "setting max_wait_ms: Input should be less than or equal to 60000"),
    ({"NMT_LENGTH_PENALTY": "inf"}, "setting length_penalty: Input should be a finite number"),
    ({"NMT_KEY_LIMITS": "{k: 1}"}, 'error parsing value for field "key_limits" from source "EnvSettingsSource" '
                                   "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ({"NMT_API_KEYS": " , "}, "setting api_keys: Value error, only commas and spaces: name at least one, or leave it "
                              "empty for none"),
    ({"NMT_API_KEYS": "a", "NMT_KEY_LIMITS": '{"b": {"max_chars": 5}}'},
     "settings: Value error, key_limits names 1 key(s) that are not in api_keys"),
    ({"NMT_FILES_DIR": "/nonexistent-nmt-files"}, "setting files_dir: Value error, /nonexistent-nmt-files is not a "
                                                  "directory this server can write in (No such file or directory)"),
])
def test_bad_settings_stop_nmt_serve_in_one_line(monkeypatch, capsys, env, message):
    """A setting refused alone or with another (no field to name) is one line and exit 2, before any model loads;
    under uvicorn --factory (app_from_env), one line for uvicorn to exit with."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("nmt.app.registry.load_translators", accepted)  # no model loaded, no server started
    assert main(["serve", "--port", "8799"]) == 2
    assert capsys.readouterr().err == f"nmt serve: error: {message}\n"
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == f"nmt service: error: {message}"


def test_the_models_dir_flag_wins_over_nmt_model(monkeypatch, tmp_path):
    """Flags win over the environment: `nmt serve --models-dir D` with NMT_MODEL set served NMT_MODEL's one bundle,
    the flag silently ignored."""
    served = []

    def load(settings: Settings) -> list[Translator]:
        served.append(settings)
        raise ValueError("loaded")

    monkeypatch.setenv("NMT_MODEL", str(tmp_path / "one"))
    monkeypatch.setattr("nmt.app.registry.load_translators", load)
    assert main(["serve", "--port", str(free_port()), "--models-dir", str(tmp_path)]) == 2
    assert served[0].model is None and served[0].models_dir == tmp_path
    assert main(["serve", "--port", str(free_port())]) == 2
    assert served[1].model == tmp_path / "one"


def test_models_that_cannot_be_served_stop_uvicorn_factory_in_one_line(tmp_path, monkeypatch):
    """Under `uvicorn --factory nmt.app.main:app_from_env` (README) a missing or empty models directory, or a damaged
    bundle, was a 48-line traceback from the app's lifespan: one line for uvicorn to exit with, as `nmt serve` says."""
    monkeypatch.setenv("NMT_MODELS_DIR", str(tmp_path / "missing"))
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == f"nmt service: error: {tmp_path / 'missing'}: no models directory here"
    monkeypatch.setenv("NMT_MODELS_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert str(stopped.value.code).startswith(f"nmt service: error: {tmp_path}: no model bundle in this directory")


@pytest.mark.parametrize("text, sentences", [
    ("", []),
    (" \n ", []),
    ("One sentence", ["One sentence"]),
    ("Hi. How are you? Fine!  Thanks; ok", ["Hi.", "How are you?", "Fine!", "Thanks; ok"]),  # never at ;
    ("Dr. Smith met J. R. Ewing. Then e.g. this.", ["Dr. Smith met J. R. Ewing.", "Then e.g. this."]),
    ('He said "stop." Then left...', ['He said "stop."', "Then left..."]),
    ("Pi is 3.14 today.\n\nNew paragraph\nnew line  ", ["Pi is 3.14 today.", "New paragraph", "new line"]),
    ("Visit https://example.org/a?b=1 now. Ok.", ["Visit https://example.org/a?b=1 now.", "Ok."]),
    # a subtitle's dialogue dashes and a list's bullets are kept out of the sentences (the model dropped them)
    ("- Where are you?\r\n- Home. Now.", ["Where are you?", "Home.", "Now."]),
    ("• Save it.\n  * Quit\n-5 degrees\n— Yes\n-Sure?\n*bold*", ["Save it.", "Quit", "-5 degrees", "Yes", "Sure?",
                                                                  "*bold*"]),
])
def test_split_and_join(text, sentences):
    seg = split(text, "en")
    assert seg.sentences == sentences
    assert seg.join(seg.sentences) == text
    assert seg.join([s.upper() for s in seg.sentences]).count("\n") == text.count("\n")


@pytest.mark.parametrize("text, sentences", [
    ("El Sr. García llegó. ¿Cómo estás? ¡Bien! Gracias.", ["El Sr. García llegó.", "¿Cómo estás?", "¡Bien!", "Gracias."]),
    ("Jehová es mi pastor; nada me faltará.", ["Jehová es mi pastor; nada me faltará."]),
])
def test_split_spanish(text, sentences):
    assert split(text, "es").sentences == sentences


def test_sentences_written_without_spaces_are_split_and_their_translations_spaced_as_their_script_wants():
    chinese = split("我喜欢吃苹果。你呢？他在北京工作！\n好的。谢谢", "zh")
    assert chinese.sentences == ["我喜欢吃苹果。", "你呢？", "他在北京工作！", "好的。", "谢谢"]
    assert chinese.join(chinese.sentences) == "我喜欢吃苹果。你呢？他在北京工作！\n好的。谢谢"
    english = ["I like apples.", "And you?", "He works in Beijing!", "Good.", "Thanks"]
    assert chinese.join(english) == "I like apples. And you? He works in Beijing!\nGood. Thanks"  # was glued
    assert chinese.join(["私はりんごが好きです。", "あなたは？", "彼は北京で働いています！", "はい。", "どうも"]) == (
        "私はりんごが好きです。あなたは？彼は北京で働いています！\nはい。どうも")
    spaced = split("I like apples.  And you? Yes", "en")
    assert spaced.join(["我喜欢苹果。", "你呢？", "是"]) == "我喜欢苹果。你呢？是"  # was "我喜欢苹果。  你呢？ 是"
    assert spaced.join(["Me gustan.", "¿Y tú?", "Sí"]) == "Me gustan.  ¿Y tú? Sí"
    thai = split("ฉันชอบแมว.คุณล่ะ? ฉันชอบหมา", "th")  # Thai puts a space between sentences, seldom nothing
    assert thai.sentences == ["ฉันชอบแมว.", "คุณล่ะ?", "ฉันชอบหมา"]
    assert thai.join(["I like cats.", "And you?", "I like dogs"]) == "I like cats. And you? I like dogs"  # was glued
    assert thai.join(thai.sentences) == "ฉันชอบแมว. คุณล่ะ? ฉันชอบหมา"  # as Thai writes them
    assert spaced.join(["ฉันชอบแอปเปิ้ล", "แล้วคุณล่ะ?", "ใช่"]) == "ฉันชอบแอปเปิ้ล  แล้วคุณล่ะ? ใช่"  # spaces kept
    assert split("أين المحطة؟ هي هناك. شكرا", "ar").sentences == ["أين المحطة؟", "هي هناك.", "شكرا"]
    assert split("मैं घर जा रहा हूँ। तुम कहाँ हो?", "hi").sentences == ["मैं घर जा रहा हूँ।", "तुम कहाँ हो?"]


@given(st.text(alphabet=st.sampled_from("ab -•.!?;¿¡\n\r\u2028\t\"'"), max_size=40), st.integers(0, 50))
def test_split_keeps_every_character(text, max_chars):
    seg = split(text, "en", max_chars)
    assert seg.join(seg.sentences) == text
    assert all(s and s == s.strip() and not set(BREAKS) & set(s) for s in seg.sentences)
    alone = split(text, "en").sentences
    assert all(len(s) <= max_chars or s in alone for s in seg.sentences)  # only a sentence alone may be longer


def test_the_sentences_of_a_line_are_packed_up_to_max_chars():
    text = "Hi. How are you? Fine!  Thanks; ok\nNew line. Two."
    assert split(text, "en", 20).sentences == ["Hi. How are you?", "Fine!  Thanks; ok", "New line. Two."]
    assert split(text, "en", 1000).sentences == ["Hi. How are you? Fine!  Thanks; ok", "New line. Two."]
    assert split(text, "en", 3).sentences == split(text, "en").sentences  # each longer than 3: alone


def test_the_service_and_the_translator_segment_alike(translator, toy_model):
    text = "alpha beta. gamma delta. epsilon zeta."
    assert [len(p.sentences) for p in translator.prepare([text])] == [3]  # the default: each sentence alone
    together = Translator.load(toy_model, "cpu", segment_chars=100)
    assert [len(p.sentences) for p in together.prepare([text])] == [1]
    expected = together.translate([text], DecodeOptions())[0].text
    with client_for(together) as client:
        assert client.post("/v1/translate", json={"text": text, "target": "es"}).json()["translations"][0]["text"] \
            == expected
    assert load_translators(service_settings(toy_model, segment_chars=100))[0].segment_chars == 100
