"""The service as it is run: `nmt serve` in its own process, spoken to over HTTP."""
from __future__ import annotations

import asyncio
import io
import shutil
import socket
import subprocess

import httpx
import pytest
from fpdf import FPDF
from prometheus_client.parser import text_string_to_metric_families
from pypdf import PdfReader
from service_fixtures import running_server

from nmt.app.protocol import JoinedWrites
from nmt.scripts.harness import free_port, serve_command

SENTENCES = ["alpha beta", "tau mu sigma", "gamma delta eps zeta", "pi rho", "kappa lam mu nu xi", "ups tau",
             "omi pi rho sigma", "beta gamma", "eta theta", "iota kappa lam", "nu xi omi", "rho sigma tau ups"]


@pytest.fixture(scope="module")
def server(toy_model) -> str:
    with running_server(toy_model, NMT_MAX_WAIT_MS="50") as url:
        yield url


def test_health_ready_and_models(server):
    assert httpx.get(f"{server}/health").json() == {"status": "ok"}
    assert httpx.get(f"{server}/ready").status_code == 200
    assert httpx.get(f"{server}/v1/models").json()["models"][0]["id"] == "en-es"


@pytest.mark.parametrize("path", ["/health", "/ready", "/"])
def test_uptime_checks_may_ask_with_head(server, path):
    """Uptime monitors and some balancers check a site with HEAD: it was 405 Method Not Allowed, a site down."""
    got, head = httpx.get(f"{server}{path}"), httpx.head(f"{server}{path}")
    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"] and head.content == b""


def test_translate_native_and_libretranslate(server):
    answer = httpx.post(f"{server}/v1/translate", json={"text": ["alpha beta", "tau mu sigma"], "return_scores": True})
    assert [t["text"] for t in answer.json()["translations"]] == ["BETA ALPHA", "SIGMA MU TAU"]
    answer = httpx.post(f"{server}/translate", json={"q": "alpha beta", "source": "en", "target": "es"})
    assert answer.json() == {"translatedText": "BETA ALPHA"}
    answer = httpx.post(f"{server}/translate", data={"q": "alpha beta", "source": "en", "target": "es"})
    assert answer.json() == {"translatedText": "BETA ALPHA"}
    answer = httpx.post(f"{server}/translate", json={"q": "alpha", "source": "es", "target": "en"})
    assert answer.status_code == 400 and "not supported" in answer.json()["error"]
    answer = httpx.post(f"{server}/v1/translate", content=b"{", headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "JSON" in answer.json()["error"]


def test_concurrent_requests_are_batched_with_the_same_results(server):
    sequential = [translate_one(server, s) for s in SENTENCES]

    async def all_at_once():
        async with httpx.AsyncClient(base_url=server, timeout=60) as client:
            answers = await asyncio.gather(*(client.post("/v1/translate", json={"text": s}) for s in SENTENCES))
        return [a.json()["translations"][0]["text"] for a in answers]

    assert asyncio.run(all_at_once()) == sequential
    assert sequential[0] == "BETA ALPHA"
    samples = {s.name: s for f in text_string_to_metric_families(httpx.get(f"{server}/metrics").text) for s in f.samples
               if f.name == "nmt_batch_sentences"}
    assert samples["nmt_batch_sentences_sum"].value > samples["nmt_batch_sentences_count"].value  # a batch > 1


def translate_one(server: str, text: str) -> str:
    return httpx.post(f"{server}/v1/translate", json={"text": text}).json()["translations"][0]["text"]


def test_metrics_over_http(server):
    text = httpx.get(f"{server}/metrics").text
    for name in ("nmt_requests_total", "nmt_request_seconds_bucket", "nmt_batch_sentences_bucket",
                 "nmt_queue_sentences", "nmt_translated_tokens_total", "nmt_tokens_per_second"):
        assert name in text
    assert "alpha" not in text.lower()


def start_failure(model, port: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(serve_command(model, port or free_port()), capture_output=True, text=True, timeout=120)


def test_missing_model_fails_fast_and_clearly(tmp_path):
    result = start_failure(tmp_path / "nowhere")
    assert result.returncode == 2
    assert "nmt serve: error:" in result.stderr and "no model bundle" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_port_in_use_fails_fast_and_clearly(toy_model):
    """A second server on a port in use: one line and exit 2 before any model loads (it loaded them, logged "ready",
    then failed with uvicorn's lines and exit 3)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = start_failure(toy_model, port)
    assert result.returncode == 2
    assert result.stderr == f"nmt serve: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_corrupt_model_fails_fast_and_clearly(toy_model, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(toy_model, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    result = start_failure(broken)
    assert result.returncode == 2 and "model.safetensors" in result.stderr and "checksum" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_response_leaves_in_one_write():
    """app/protocol.py: uvicorn's two writes of a response (headers, then body) reach the socket as one, so a replica
    killed between them cuts nothing; what close() follows is still sent, and the rest of the transport is as it was."""
    sent: list[bytes | str] = []

    class Socket:
        def write(self, data: bytes) -> None:
            sent.append(bytes(data))

        def is_closing(self) -> bool:
            return False

        def close(self) -> None:
            sent.append("closed")

        def get_extra_info(self, name: str) -> str:
            return f"info {name}"

    async def one_response() -> None:
        transport = JoinedWrites(Socket(), asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        assert sent == []
        await asyncio.sleep(0)
        assert sent == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        transport.close()
        assert sent[1:] == [b"HTTP/1.1 400 Bad Request\r\n\r\n", "closed"]
        assert transport.get_extra_info("peername") == "info peername"
        await asyncio.sleep(0)
        assert len(sent) == 3

    asyncio.run(one_response())


def test_a_pdf_over_http_is_translated_and_a_damaged_one_refused_in_one_line(server):
    document = FPDF(unit="pt")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 72)
    document.cell(200, 14, "alpha beta")
    fields = {"source": "en", "target": "es"}
    answer = httpx.post(f"{server}/translate_file", files={"file": ("a.pdf", bytes(document.output()))}, data=fields)
    assert answer.status_code == 200, answer.text
    download = httpx.get(answer.json()["translatedFileUrl"])
    assert download.headers["content-type"] == "application/pdf"
    assert PdfReader(io.BytesIO(download.content)).pages[0].extract_text().split() == ["BETA", "ALPHA"]
    answer = httpx.post(f"{server}/translate_file", files={"file": ("b.pdf", b"%PDF-1.4 broken")}, data=fields)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("Invalid request: b.pdf is not a PDF that can be read: pypdf cannot read it")
    assert httpx.get(f"{server}/health").json() == {"status": "ok"}
