"""What the benchmarks share: the default model and test split, a table printer, percentiles."""
from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "en-es"
FALLBACK_MODEL = ROOT / "runs" / "bible-en-es" / "best"
TEST_SPLIT = ROOT / "data" / "bible" / "test.tsv"


def default_model() -> Path:
    """models/en-es when it exists, else the training run's current best bundle."""
    return DEFAULT_MODEL if DEFAULT_MODEL.exists() else FALLBACK_MODEL


def test_sources(path: Path = TEST_SPLIT) -> list[str]:
    """The source side of a TSV test file (source<TAB>reference)."""
    return [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]


def print_table(rows: list[dict], columns: list[str]) -> None:
    cells = [[_fmt(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    for r in cells:
        print("  ".join(v.rjust(w) for v, w in zip(r, widths)))


def print_json(record: dict) -> None:
    print(json.dumps(record))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q / 100 * len(ordered)))) - 1]


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


class Server:
    """`nmt serve` in a subprocess (all CPU threads), for as long as the with-block lasts.

    `with Server(model, NMT_BATCHING="off") as server:` waits for /ready 200; server.ready_s is the time from
    process start to that answer, server.peak_rss_mb() the process's peak resident memory so far (VmHWM)."""

    def __init__(self, model: Path, *flags: str, log: Path | None = None, **env: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log or Path(tempfile.gettempdir()) / f"nmt-bench-server-{self.port}.log"
        command = [sys.executable, "-m", "cli", "serve", "--model", str(model), "--port", str(self.port),
                   "--device", "cpu", *flags]
        self.started = time.perf_counter()
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                         env=os.environ | {"NMT_BEAM_SIZE": "1"} | env)
        self.ready_s = float("nan")

    def __enter__(self) -> Server:
        while self.proc.poll() is None:
            try:
                if httpx.get(f"{self.url}/ready", timeout=5).status_code == 200:
                    self.ready_s = time.perf_counter() - self.started
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        return _proc_status_kb(self.proc.pid, "VmHWM") / 1024

    def rss_mb(self) -> float:
        return _proc_status_kb(self.proc.pid, "VmRSS") / 1024


def _proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
