"""Private by default, checked on a real `nmt serve`: request texts and API keys appear in no log line (uvicorn's
access log and error log included) and in no metric, unless NMT_LOG_TEXTS is set; CORS is off unless configured;
API keys are compared in constant time."""
from __future__ import annotations

import hmac
import socket
import sys

import httpx
import pytest

from nmt.app.routes import ApiError, check_api_key
from nmt.app.settings import Settings
from nmt.scripts.harness import Server

MARK = "zebrafish"  # in every request text; never in the logs
KEY = "key-k2"  # wrong API key sent; the right one is SERVER_KEY
SERVER_KEY = "server-secret-k1"
ORIGIN = "http://allowed.test"


def send_every_kind_of_request(url: str) -> None:
    """Texts through each path a request can take: answered, refused, malformed, over a limit."""
    auth = {"X-API-Key": SERVER_KEY}
    post = httpx.Client(base_url=url, headers=auth, timeout=30).post
    assert post("/v1/translate", json={"text": f"alpha {MARK} beta"}).status_code == 200
    assert post("/translate", json={"q": f"{MARK} tau", "source": "en", "target": "es"}).status_code == 200
    assert post("/translate", data={"q": f"{MARK} mu", "source": "en", "target": "es"}).status_code == 200
    assert post(f"/translate?q={MARK}&api_key={KEY}", json={"source": "en", "target": "es"}).status_code == 400
    assert httpx.get(f"{url}/translate?q={MARK}").status_code == 405
    assert post("/v1/translate", json={"text": MARK, "beam_size": 0}).status_code == 422
    assert post("/v1/translate", content=f'{{"text": "{MARK} \\udc00"}}'.encode(),
                headers={"content-type": "application/json"}).status_code == 422
    assert post("/v1/translate", json={"text": MARK * 200}).status_code == 413
    assert post("/v1/translate", content=f'{{"text": "{MARK}'.encode(),
                headers={"content-type": "application/json"}).status_code == 422
    assert httpx.post(f"{url}/v1/translate", json={"text": MARK}, headers={"X-API-Key": KEY}).status_code == 403
    assert httpx.post(f"{url}/translate", json={"q": MARK, "target": "es", "api_key": KEY}).status_code == 403
    assert MARK not in httpx.get(f"{url}/metrics").text


def send_malformed_http(url: str) -> bytes:
    """A request line uvicorn cannot parse: it answers 400 and logs a warning."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(f"POST /v1/translate?q={MARK} HTTP/1.1\r\nHost: x\r\n{MARK}\r\n\r\n".encode())
        return s.recv(1000)


@pytest.fixture(scope="module")
def default_log(toy_model, tmp_path_factory) -> str:
    with Server(toy_model, tmp_path_factory.mktemp("private") / "server.log", NMT_API_KEYS=SERVER_KEY) as server:
        send_every_kind_of_request(server.url)
        assert send_malformed_http(server.url).startswith(b"HTTP/1.1 400")
        cors = httpx.options(f"{server.url}/v1/translate",
                             headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in cors.headers
    return server.log()


def test_no_text_and_no_key_in_any_log_line_by_default(default_log):
    assert '"POST /v1/translate HTTP/1.1" 200' in default_log  # the access log was captured
    assert '"POST /translate HTTP/1.1" 400' in default_log  # ... without its query string
    assert "/v1/translate en -> es: 1 texts, 1 sentences" in default_log  # and the service's own log lines
    assert "Invalid HTTP request received" in default_log  # and uvicorn's error log
    for secret in (MARK, KEY, SERVER_KEY):
        assert secret not in default_log


def test_texts_are_logged_only_when_asked_and_cors_only_when_configured(toy_model, tmp_path):
    env = {"NMT_LOG_TEXTS": "true", "NMT_CORS_ORIGINS": ORIGIN}
    with Server(toy_model, tmp_path / "server.log", **env) as server:
        assert httpx.post(f"{server.url}/v1/translate", json={"text": f"alpha {MARK}"}).status_code == 200
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        allowed = httpx.options(f"{server.url}/v1/translate", headers=preflight | {"Origin": ORIGIN})
        other = httpx.options(f"{server.url}/v1/translate", headers=preflight | {"Origin": "http://evil.test"})
        log = server.log()
    assert MARK in log
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-origin" not in other.headers


def test_the_service_logs_its_lines_under_uvicorn_factory_too(toy_model, tmp_path):
    """README's other way to start the service, uvicorn's own command line: uvicorn sets up its loggers only, and the
    service's lines (the model loaded, ready, one per request) were lost; the access log without the query string."""
    def uvicorn(port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", "--factory", "nmt.app.main:app_from_env", "--port", str(port)]

    with Server(None, tmp_path / "server.log", command=uvicorn, NMT_MODEL=str(toy_model), NMT_DEVICE="cpu",
                NMT_API_KEYS=SERVER_KEY) as server:
        send_every_kind_of_request(server.url)
        log = server.log()
    assert "INFO nmt.service: model en -> es:" in log and "INFO nmt.service: ready: en -> es on cpu" in log
    assert "/v1/translate en -> es: 1 texts, 1 sentences" in log and '"POST /translate HTTP/1.1" 400' in log
    for secret in (MARK, KEY, SERVER_KEY):
        assert secret not in log


def test_a_log_level_of_warning_keeps_problems_and_drops_the_lines_per_request(toy_model, tmp_path):
    """NMT_LOG_LEVEL: a busy server wrote a line per request, its own and uvicorn's access line, with no way to say
    less but logging configuration of one's own."""
    with Server(toy_model, tmp_path / "server.log", NMT_API_KEYS=SERVER_KEY, NMT_LOG_LEVEL="warning") as server:
        send_every_kind_of_request(server.url)
        assert send_malformed_http(server.url).startswith(b"HTTP/1.1 400")
        log = server.log()
    assert "Invalid HTTP request received" in log  # uvicorn's warning stays
    for line in ("nmt.service: ready", "/v1/translate en -> es: 1 texts", '"POST /v1/translate HTTP/1.1" 200'):
        assert line not in log


def test_api_keys_are_compared_in_constant_time_with_every_accepted_key(monkeypatch):
    compared = []

    def compare_digest(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)
    settings = Settings(api_keys=["first", "second", "third"])
    check_api_key(settings, "first")
    assert len(compared) == 3  # no early exit on a match: the time does not tell which key matched
    with pytest.raises(ApiError):
        check_api_key(settings, "wrong\ud800")
