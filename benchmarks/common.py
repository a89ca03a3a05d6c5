"""What the benchmarks share: the default model and test split, verse pairs, the service's plain translations, a table
printer, percentiles, a server."""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import httpx
import torch

from nmt.model.bundle import DEFAULT_BUNDLE as DEFAULT_MODEL
from nmt.scripts.harness import Server  # noqa: F401  (`nmt serve` in a subprocess, shared with scripts and tests)
from nmt.training.corpus import load_corpus

ROOT = Path(__file__).resolve().parent.parent
FALLBACK_MODEL = ROOT / "runs" / "bible-en-es" / "best"
TEST_SPLIT = ROOT / "data" / "bible" / "test.tsv"
DEV_SPLIT = ROOT / "data" / "bible" / "dev.tsv"


def default_model() -> Path:
    """The shipped en-es bundle when it exists, else the training run's current best bundle."""
    return DEFAULT_MODEL if DEFAULT_MODEL.exists() else FALLBACK_MODEL


def add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="cpu", help="torch device of the model: cpu (default), cuda or cuda:N")


def add_service(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """The arguments of a benchmark of the running service: its URL, the test file, the language pair."""
    parser.add_argument("--url", required=required, help="the running service, e.g. http://127.0.0.1:8765")
    parser.add_argument("--test", default=str(TEST_SPLIT), help="test file, TSV source<TAB>reference")
    parser.add_argument("--pair", default="en-es", help="source-target (default: en-es)")


def synchronize(device: str) -> None:
    """Wait for the device's queued work, so that a timer read next counts it (CUDA runs asynchronously)."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def test_sources(path: Path | str = TEST_SPLIT) -> list[str]:
    """The source side of a TSV test file (source<TAB>reference); path as a Path or as --test gives it. A file that
    cannot be read, or holds no such line, ends the benchmark with one line and exit code 2 (decode.py divided by
    its zero sentences)."""
    try:
        sources = [line.split("\t")[0] for line in Path(path).read_text(encoding="utf-8").splitlines() if "\t" in line]
    except (OSError, UnicodeDecodeError) as e:
        print(f"error: test file {path}: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    if not sources:
        print(f"error: test file {path}: no source<TAB>reference line", file=sys.stderr)
        raise SystemExit(2)
    return sources


def verse_pairs(test: str, min_words: int = 1) -> tuple[list[str], list[str], list[str]]:
    """The sources of the test file's pairs of at least min_words words, their references, and for each source the
    references of it and of the next one (the last's next is the first): a benchmark's two verses a unit."""
    pairs = [(s, t) for s, t in load_corpus(test).pairs if len(s.split(" ")) >= min_words]
    references = [t for _, t in pairs]
    n = len(pairs)
    return [s for s, _ in pairs], references, [ref for i in range(n) for ref in (references[i], references[(i + 1) % n])]


def plain_translations(client: httpx.Client, url: str, texts: list[str], pair: str, form: str = "text") -> list[str]:
    """The texts translated by the running service as plain text (form "html": as HTML; POST /v1/translate, 32 a
    request)."""
    source, target = pair.split("-")
    return [t["text"] for at in range(0, len(texts), 32) for t in client.post(f"{url}/v1/translate", json={
        "text": texts[at:at + 32], "source": source, "target": target, "format": form}).json()["translations"]]


def translated_file(client: httpx.Client, url: str, name: str, content: bytes, pair: str) -> bytes:
    """The file translated by the running service (POST /translate_file, then its download)."""
    source, target = pair.split("-")
    answer = client.post(f"{url}/translate_file", files={"file": (name, content)}, data={"source": source, "target": target})
    answer.raise_for_status()
    return client.get(answer.json()["translatedFileUrl"]).content


def print_table(rows: list[dict], columns: list[str]) -> None:
    cells = [[_fmt(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        print("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)))


def print_markdown(rows: list[dict], columns: list[str]) -> None:
    """A markdown table of the rows' columns, as the README's tables are pasted from; "—" where a row has none."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "—")) for c in columns) + " |")


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
