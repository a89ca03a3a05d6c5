"""A short run of scripts/fuzz.py against a real server (the full run sends 2,000+ requests), and the requests
that fuzzing found answered with 500 or off the schema, kept as regression cases."""
from __future__ import annotations

import httpx
import pytest

from nmt.scripts.fuzz import API_KEY, fuzz
from nmt.scripts.harness import Server


@pytest.fixture(scope="module")
def server(toy_model, tmp_path_factory):
    with Server(toy_model, tmp_path_factory.mktemp("fuzz") / "server.log", NMT_API_KEYS=API_KEY) as server:
        yield server


def test_generated_requests_get_no_5xx_and_fit_the_schema(server):
    tally = fuzz(server.url, requests_wanted=300, first_seed=7)
    assert tally.sent >= 300
    assert tally.server_errors == 0 and tally.violations == 0, tally.findings
    assert tally.statuses[200] > 0 and tally.statuses[422] > 0


@pytest.mark.parametrize("path, body, status", [
    ("/translate", b"[" * 50_000, 400),  # was 500: RecursionError in json.loads
    ("/translate", b'{"q": "alpha", "target": "es", "api_key": "\\ud800"}', 403),  # was 500: lone surrogate key
    ("/v1/translate", b"[" * 50_000, 422),  # invalid JSON on /v1, as the README says (was FastAPI's 400)
    ("/v1/translate", b'{"text": "alpha \\ud800"}', 422),
])
def test_hostile_requests_are_refused_clearly(server, path, body, status):
    answer = post(server, path, body)
    assert answer.status_code == status and answer.json()["error"], answer.text


def test_a_sentence_of_control_characters_fits_the_schema(server):
    """It was answered with "attention": null, which the schema did not allow."""
    answer = post(server, "/v1/translate", b'{"text": "\\u0004", "return_attention": true}')
    assert answer.json() == {"translations": [{"text": "", "sentences": [
        {"source": " ", "text": "", "src_tokens": [], "tgt_tokens": []}]}]}  # the source as cleaned for the model


def post(server: Server, path: str, body: bytes) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", content=body,
                      headers={"content-type": "application/json", "X-API-Key": API_KEY})
