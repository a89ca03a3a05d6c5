"""What the reliability scripts, the tests and the benchmarks share: a toy task and a toy model trained in
seconds, and a real `nmt serve` process.

The toy model learns the reversal task ("alpha beta" -> "BETA ALPHA"); scripts use it unless given --model.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from nmt.model.config import ModelConfig

WORDS = "alpha beta gamma delta eps zeta eta theta iota kappa lam mu nu xi omi pi rho sigma tau ups".split()
DEFAULT_WORK = Path(tempfile.gettempdir()) / "nmt-reliability"
TOY_MODEL = {"src_vocab_size": 60, "tgt_vocab_size": 60, "emb_dim": 32, "enc_hidden": 32, "dec_hidden": 64,
             "attention": "luong", "dropout": 0.1, "word_dropout": 0.0}
TOY_TRAIN = {"batch_tokens": 1500, "lr": 0.005, "warmup_steps": 50, "eval_every": 150, "max_steps": 300, "threads": 1}


def reversal_pairs(n: int, seed: int, reverse: bool = True) -> list[tuple[str, str]]:
    """The toy task: the target is the source reversed (kept in order: reverse=False) and upper-cased."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 7))]
        pairs.append((" ".join(words), " ".join(reversed(words) if reverse else words).upper()))
    return pairs


def write_tsv(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"{s}\t{t}\n" for s, t in pairs), encoding="utf-8")
    return path


def tiny_config(attention: str = "luong", **overrides: Any) -> ModelConfig:
    """A network small enough for unit tests (vocabularies of the toy task's size)."""
    base: dict[str, Any] = dict(src_vocab_size=60, tgt_vocab_size=60, emb_dim=16, enc_hidden=16, dec_hidden=32,
                attention=attention, dropout=0.0, word_dropout=0.0)
    return ModelConfig(**(base | overrides))


def toy_corpus(root: Path, train_pairs: int = 3000, reverse: bool = True) -> dict[str, Path]:
    """The tests' reversal corpus (reverse=False: the upper-casing copy task), as train.tsv and dev.tsv under root."""
    root.mkdir(parents=True, exist_ok=True)
    return {"train": write_tsv(root / "train.tsv", reversal_pairs(train_pairs, 0, reverse)),
            "dev": write_tsv(root / "dev.tsv", reversal_pairs(100, 1, reverse))}


def toy_config(out_dir: Path, corpus: dict[str, Path], languages: tuple[str, str] = ("en", "es"), **train) -> dict:
    """The toy model's training config; languages: the (source, target) its bundle says it translates."""
    data = {"train": str(corpus["train"]), "dev": str(corpus["dev"]), "src_lang": languages[0], "tgt_lang": languages[1]}
    return {"out_dir": str(out_dir), "data": data, "model": TOY_MODEL, "train": TOY_TRAIN | train}


def toy_model(work: Path = DEFAULT_WORK) -> Path:
    """The toy bundle under work/toy-run/best, trained on the first call (some seconds), reused after."""
    run = work / "toy-run"
    if not (run / "best" / "manifest.json").exists():
        from nmt.training.config import Config
        from nmt.training.train import run_training

        print(f"training a toy model in {run} ...", flush=True)
        shutil.rmtree(run, ignore_errors=True)
        run_training(Config.model_validate(toy_config(run, toy_corpus(work / "toy-data"))))
    return run / "best"


def add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None, help="model bundle (default: a toy model, trained once)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"scratch directory (default: {DEFAULT_WORK})")


def model_of(args: argparse.Namespace) -> Path:
    return args.model or toy_model(args.work)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(model: Path | None, port: int, flags: tuple[str, ...] = (), threads: int | None = 1,
                  device: str = "cpu") -> list[str]:
    """`nmt serve` on 127.0.0.1:port on the device (the CPU unless said); model: its one bundle (None: flags or NMT_*
    variables say which); threads: its torch threads (None: torch's choice, all cores)."""
    command = [sys.executable, "-m", "nmt.cli", "serve", "--port", str(port), "--device", device]
    command += ["--model", str(model)] if model is not None else []
    return command + list(flags) + (["--workers-threads", str(threads)] if threads else [])


class Server:
    """`nmt serve` in a subprocess, its output in log_path (default: a file in the temporary directory).

    `with Server(model, ...) as server:` waits until /ready answers 200; server.ready_s is the time from the
    process's start to that answer. flags: more `nmt serve` options; env: NMT_* settings; port: a given one (a
    replica restarted where its load balancer expects it) instead of a free one; command: another way to start the
    service on a given port than `nmt serve` (e.g. uvicorn's own command line)."""

    def __init__(self, model: Path | None, log_path: Path | None = None, threads: int | None = 1,
                 flags: tuple[str, ...] = (), port: int | None = None, device: str = "cpu",
                 command: Callable[[int], list[str]] | None = None, **env: str):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"nmt-server-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.started, self.ready_s = time.perf_counter(), float("nan")
        with open(self.log_path, "wb") as log:
            argv = command(self.port) if command else serve_command(model, self.port, flags, threads, device)
            self.proc = subprocess.Popen(argv, stdout=log,
                                         stderr=subprocess.STDOUT, env=os.environ | {"NMT_BEAM_SIZE": "1"} | env)

    def __enter__(self) -> Server:
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    self.ready_s = time.perf_counter() - self.started
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # fine enough for ready_s (benchmarks/serve_startup.py)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        """Resident memory of the server process, from /proc (Linux)."""
        return self._status_kb("VmRSS") / 1024

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM)."""
        return self._status_kb("VmHWM") / 1024

    def _status_kb(self, field: str) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"no {field} in /proc/{self.proc.pid}/status")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far, from /proc (Linux)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def terminate(self, timeout: float = 30) -> int | None:
        """SIGTERM, then wait up to timeout seconds: the exit code, or None if it did not exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL, and reap the process."""
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.terminate(15) is None:
            self.kill()
