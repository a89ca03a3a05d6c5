"""A real `nmt serve` process: SIGTERM drains the requests in flight and exits 0, within a bound; clients that
give up (disconnect, time out) free their places in the queue, and their sentences never reach the model."""
from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from nmt.scripts.harness import Server
from nmt.scripts.sigterm_drain import BOUND_S, HOLD_MS, bounded_drain, drain

FOUR_SENTENCES = {"text": "alpha beta.\ntau mu.\npi rho.\neta theta."}


def test_sigterm_answers_requests_in_flight_then_exits_0(toy_model, tmp_path):
    with Server(toy_model, tmp_path / "server.log", NMT_MAX_WAIT_MS=str(HOLD_MS)) as server:
        result = drain(server, n_requests=6)
        log = server.log()
    assert result.statuses == Counter({200: 6})
    assert result.refused_after_s is not None and result.refused_after_s < 1.0
    assert result.exit_code == 0 and result.exit_after_s < 10
    assert "Traceback" not in log and "Finished server process" in log


def test_a_stalled_client_holds_the_drain_for_at_most_the_request_timeout(toy_model, tmp_path):
    with Server(toy_model, tmp_path / "server.log", NMT_REQUEST_TIMEOUT_S=str(BOUND_S)) as server:
        exit_code, seconds = bounded_drain(server)
    assert exit_code == 0 and BOUND_S - 0.5 < seconds < BOUND_S + 5


def translated_sentences(server: Server) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith("nmt_translated_sentences_total "):
            return float(line.split()[1])
    raise AssertionError("no nmt_translated_sentences_total metric")


def test_a_client_that_disconnects_frees_its_places(toy_model, tmp_path):
    """The queue holds 4 sentences and a batch waits 1.5 s to fill: the first client takes all 4 places, then
    hangs up; the second still gets in, and only its sentences (and the warm-up's) are translated."""
    env = {"NMT_QUEUE_SIZE": "4", "NMT_MAX_WAIT_MS": "1500"}
    with Server(toy_model, tmp_path / "server.log", **env) as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{server.url}/v1/translate", json=FOUR_SENTENCES, timeout=0.5)
        time.sleep(0.2)  # for the server to notice the hang-up; the first client's batch is still waiting
        answer = httpx.post(f"{server.url}/v1/translate", json=FOUR_SENTENCES, timeout=30)
        assert answer.status_code == 200, answer.text
        assert translated_sentences(server) == 1 + 4


def test_a_request_that_times_out_frees_its_places(toy_model, tmp_path):
    env = {"NMT_QUEUE_SIZE": "4", "NMT_MAX_WAIT_MS": "1500", "NMT_REQUEST_TIMEOUT_S": "0.5"}
    with Server(toy_model, tmp_path / "server.log", **env) as server:
        for _ in range(2):  # the second is let in: the first one's places were freed
            answer = httpx.post(f"{server.url}/v1/translate", json=FOUR_SENTENCES, timeout=30)
            assert answer.status_code == 504, answer.text
        time.sleep(HOLD_MS / 1000 + 0.5)
        assert translated_sentences(server) == 1
