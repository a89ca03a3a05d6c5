"""Per-API-key limits: requests per minute (a token bucket per key, or per client address on an open server; 429
with Retry-After) and characters per request (413), the server's or a key's own (NMT_KEY_LIMITS), on both APIs."""
from __future__ import annotations

import pytest
from pydantic import ValidationError
from service_fixtures import client_for

from nmt.app import ratelimit
from nmt.app.ratelimit import RateLimiter
from nmt.app.settings import Settings


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the token bucket ----------------------------------------------------------------------------------------
def test_a_bucket_holds_a_minute_of_requests_and_refills_at_that_rate():
    clock = Clock()
    limiter = RateLimiter(clock)
    assert [limiter.take("a", 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a", 3) == pytest.approx(20.0)  # one request every 20 s
    assert limiter.take("b", 3) == 0.0  # every key has its own bucket
    clock.now += 10
    assert limiter.take("a", 3) == pytest.approx(10.0)  # nothing taken by the refused requests
    clock.now += 10
    assert limiter.take("a", 3) == 0.0
    clock.now += 3600
    assert [limiter.take("a", 3) for _ in range(4)][-1] > 0  # refilled to a minute's worth, not more


def test_no_limit_is_no_bucket():
    limiter = RateLimiter(Clock())
    assert all(limiter.take("a", 0) == 0.0 for _ in range(1000)) and not limiter.buckets


def test_full_buckets_are_forgotten_once_there_are_many(monkeypatch):
    monkeypatch.setattr(ratelimit, "PRUNE_AT", 3)
    clock = Clock()
    limiter = RateLimiter(clock)
    for who in "abc":
        limiter.take(who, 60)
    clock.now += 60  # a, b, c full again
    limiter.take("d", 60)
    assert list(limiter.buckets) == ["d"]


# --- settings ------------------------------------------------------------------------------------------------
def test_key_limits_name_accepted_keys_only_and_are_never_echoed():
    with pytest.raises(ValidationError, match="key_limits names 1 key") as e:
        Settings(api_keys=["k1"], key_limits={"secret-k9": {"max_chars": 5}})
    assert "secret-k9" not in str(e.value)
    settings = Settings(api_keys=["k1", "k2"], requests_per_minute=5, key_limits={"k2": {"requests_per_minute": 0}})
    assert (settings.rate_of("k1"), settings.rate_of("k2"), settings.chars_of("k2")) == (5, 0, 20_000)



def test_a_files_characters_are_the_servers_file_limit_or_the_keys_own_if_lower():
    settings = Settings(api_keys=["k1", "k2", "k3"], max_chars=50, max_file_chars=1_000,
                        key_limits={"k2": {"max_chars": 300}, "k3": {"max_chars": 5_000}})
    assert [settings.file_chars_of(key) for key in (None, "k1", "k2", "k3")] == [1_000, 1_000, 300, 1_000]

# --- through the service --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keyed(translator):
    with client_for(translator, api_keys=["k1", "k2"], requests_per_minute=2,
                    key_limits={"k2": {"requests_per_minute": 0, "max_chars": 10}}) as client:
        client.app.state.service.rate_limiter = RateLimiter(Clock())  # time stands still: no refill during the test
        yield client


def test_a_key_over_its_requests_per_minute_is_429_with_retry_after_on_both_apis(keyed):
    k1 = {"X-API-Key": "k1"}
    assert keyed.post("/v1/translate", json={"text": "alpha"}, headers=k1).status_code == 200
    assert keyed.post("/translate", json={"q": "alpha", "source": "en", "target": "es", "api_key": "k1"}).status_code == 200
    for path, body in (("/v1/translate", {"text": "alpha"}), ("/translate", {"q": "alpha", "target": "es"}),
                       ("/detect", {"q": "alpha"})):
        answer = keyed.post(path, json=body, headers=k1)
        assert answer.status_code == 429 and answer.headers["retry-after"] == "30"
        assert answer.json() == {"error": "too many requests: the limit is 2 per minute; retry in 30 s"}
    assert keyed.post("/v1/translate", json={"text": "alpha"}, headers={"X-API-Key": "nope"}).status_code == 403


def test_a_key_of_its_own_limits_has_them(keyed):
    k2 = {"X-API-Key": "k2"}
    for _ in range(5):  # no rate limit for k2
        assert keyed.post("/v1/translate", json={"text": "alpha beta"}, headers=k2).status_code == 200
    too_long = "alpha beta gamma"
    message = {"error": "request too long: 16 characters; the limit is 10"}
    for path, body in (("/v1/translate", {"text": too_long}), ("/translate", {"q": too_long, "target": "es"}),
                       ("/detect", {"q": too_long})):
        answer = keyed.post(path, json=body, headers=k2)
        assert answer.status_code == 413 and answer.json() == message


def test_an_open_server_counts_requests_per_client_address(translator):
    with client_for(translator, requests_per_minute=1) as client:
        client.app.state.service.rate_limiter = RateLimiter(Clock())
        assert client.post("/v1/translate", json={"text": "alpha"}).status_code == 200
        assert client.post("/v1/translate", json={"text": "alpha"}, headers={"X-API-Key": "any"}).status_code == 429
