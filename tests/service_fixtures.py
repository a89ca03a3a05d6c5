"""Fixtures for the service tests: a toy reversal model trained in seconds (and a second toy model, for two
language pairs), in-process apps, a gate that holds the model thread still, and a real `nmt serve` process.

Its fixtures (toy_model, toy_model_es_en, toy_models_dir, placeholder_model, translator) reach every test module
through conftest.py's pytest_plugins; import the helpers (client_for, Gate, running_server, ...) from here.
"""
from __future__ import annotations

import functools
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nmt.app.detect import LanguageDetector
from nmt.app.main import create_app
from nmt.app.registry import link_reverses
from nmt.app.scheduler import Scheduler
from nmt.app.settings import Settings
from nmt.cli import main
from nmt.model.search import Hypothesis
from nmt.model.translator import DecodeOptions, SourceSentence, Translator
from nmt.scripts.harness import Server, toy_config, toy_corpus
from nmt.training.config import Config
from nmt.training.train import run_training


def wait_until(condition, what: str = "timed out waiting", timeout: float = 10) -> None:
    """Poll condition() until it holds; fail with `what` after timeout seconds."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, what
        time.sleep(0.001)


@pytest.fixture(scope="session")
def toy_model(tmp_path_factory, toy_corpus) -> Path:
    """A bundle that has learned the reversal task ("alpha beta" -> "BETA ALPHA"), trained once per session."""
    run = tmp_path_factory.getbasetemp() / "service-toy-run"
    run_training(Config.model_validate(toy_config(run, toy_corpus)))  # the scripts' toy model, the same config
    return run / "best"


@pytest.fixture(scope="session")
def toy_model_es_en(tmp_path_factory) -> Path:
    """A second toy bundle, es -> en, that has learned to copy ("alpha beta" -> "ALPHA BETA"): its answers tell
    which of the two models translated."""
    root = tmp_path_factory.getbasetemp()
    run = root / "service-toy-run-es-en"
    config = toy_config(run, toy_corpus(root / "copy-corpus", reverse=False), languages=("es", "en"))
    run_training(Config.model_validate(config))
    return run / "best"


@pytest.fixture(scope="session")
def toy_models_dir(tmp_path_factory, toy_model, toy_model_es_en) -> Path:
    """A models directory with both toy bundles, as NMT_MODELS_DIR names one."""
    root = tmp_path_factory.mktemp("models")
    for name, bundle in (("en-es", toy_model), ("es-en", toy_model_es_en)):
        shutil.copytree(bundle, root / name)
    return root


@pytest.fixture(scope="session")
def placeholder_model(tmp_path_factory, toy_model, toy_corpus) -> Path:
    """The toy model fine-tuned with 4 placeholder subwords (init_from grows its vocabularies) for a few steps: a
    placeholder-aware bundle, whose spans, verbatim terms and glossary terms come back (restored) if not learned."""
    run = tmp_path_factory.getbasetemp() / "service-toy-run-placeholders"
    raw = toy_config(run, toy_corpus, max_steps=20, eval_every=10, init_from=str(toy_model))
    raw["data"]["transforms"] = [{"kind": "placeholders", "inject": 0.5}]
    raw["model"] = raw["model"] | {"placeholders": 4}
    run_training(Config.model_validate(raw))
    return run / "best"


@pytest.fixture(scope="session")
def translator(toy_model) -> Translator:
    return Translator.load(toy_model, "cpu")


@pytest.fixture(scope="module")
def client(translator):
    """The toy translator served, one app a test module (the file tests': the default limits)."""
    with client_for(translator) as c:
        yield c


@functools.cache
def shared_detector(among: tuple[str, ...]) -> LanguageDetector:
    """One language detector for the in-process apps of the same source languages: loading it takes a second."""
    return LanguageDetector(among)


def service_settings(model: Path, **overrides) -> Settings:
    """Greedy by default, so that results can be compared exactly."""
    return Settings(**({"model": model, "device": "cpu", "beam_size": 1, "max_wait_ms": 1} | overrides))


@contextmanager
def client_for(translators: Translator | list[Translator], **overrides):
    """A started app (model threads running, warmed up) around one translator or several, with settings overrides."""
    given = translators if isinstance(translators, list) else [translators]
    settings = service_settings(Path("unused"), **overrides)
    link_reverses(given, settings)  # as load_translators does
    detector = shared_detector(tuple(sorted({t.bundle.config.src_lang for t in given})))
    with TestClient(create_app(settings, given, detector)) as client:
        yield client


def upload(client, name: str, content: str | bytes):
    """POST /translate_file of the file, en -> es."""
    return client.post("/translate_file", files={"file": (name, content)}, data={"source": "en", "target": "es"})


def downloaded(client, name: str, content: str | bytes):
    """The file that POST /translate_file translated (en -> es; asserted 200), as GET /download_file answers it."""
    answer = upload(client, name, content)
    assert answer.status_code == 200, answer.text
    return client.get(answer.json()["translatedFileUrl"])


def translated_offline(model: Path, source: Path, written: str, capsys) -> tuple[bytes, str]:
    """What `nmt translate-file --model MODEL SOURCE` writes beside the source, under the name `written`, and what it
    prints; the source left as it was."""
    before = source.read_bytes()
    assert main(["translate-file", "--beam", "1", "--model", str(model), str(source)]) == 0
    assert source.read_bytes() == before, "the source untouched"
    return source.with_name(written).read_bytes(), capsys.readouterr().out


def refusal(client, name: str, content: str | bytes, kind: str) -> str:
    """Why the service refuses the file (400, one line), after what every such refusal says ("Invalid request: NAME
    is not KIND that can be read: ")."""
    answer = upload(client, name, content)
    error = answer.json()["error"]
    assert answer.status_code == 400 and "\n" not in error, error
    opening = f"Invalid request: {name} is not {kind} that can be read: "
    assert error.startswith(opening), error
    return error.removeprefix(opening)


def scheduler_of(app) -> Scheduler:
    """The scheduler of an app that serves one model."""
    [model] = app.state.service.models
    return model.scheduler


class Gate(Translator):
    """The translator (the same model and bundle), whose request-level batches wait while the gate is closed.
    Records what it was given, and fails any batch that holds a sentence with "poison" in it. Tests use it with
    batching="request", where every batch goes through search()."""

    def __init__(self, inner: Translator):
        self.__dict__.update(inner.__dict__)
        self.opened, self.entered = threading.Event(), threading.Event()
        self.opened.set()
        self.calls: list[tuple[list[str], DecodeOptions]] = []

    @property
    def seen(self) -> list[str]:
        return [text for texts, _ in self.calls for text in texts]

    def close(self) -> None:
        self.opened.clear()
        self.entered.clear()

    def search(self, sentences: list[SourceSentence], options: DecodeOptions) -> list[list[Hypothesis]]:
        self.entered.set()
        self.opened.wait(30)
        texts = [s.text for s in sentences]
        self.calls.append((texts, options))
        if any("poison" in t for t in texts):
            raise ValueError("poisoned batch")
        return super().search(sentences, options)


@contextmanager
def running_server(model: Path, **env: str):
    """`nmt serve` in a subprocess (scripts/harness.py), ready to answer; yields its base URL. env: NMT_* settings."""
    with Server(model, **env) as server:
        yield server.url
