"""benchmarks/decode.py --test FILE, as benchmarks/README.md and the README give it: any TSV test file, and a file
that is not one refused in one line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def decode(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "benchmarks/decode.py", "--batch-sizes", "2", "--beams", "1", "--seconds",
                           "0.1", "--json", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_decode_reads_the_test_file_it_is_given(tmp_path):
    test = tmp_path / "three.tsv"  # dev verses: a file that is not the default split
    test.write_text("".join((ROOT / "data" / "bible" / "dev.tsv").read_text(encoding="utf-8").splitlines(True)[:3]),
                    encoding="utf-8")
    out = decode("--test", str(test))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "3 test sentences" in out.stdout and json.loads(out.stdout.splitlines()[-1])["rows"]


def test_decode_refuses_a_file_without_pairs_in_one_line(tmp_path):
    for test, why in [(tmp_path / "plain.txt", "no source<TAB>reference line"), (tmp_path / "missing.tsv", "No such")]:
        if test.suffix == ".txt":
            test.write_text("In the beginning.\n", encoding="utf-8")
        out = decode("--test", str(test))
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr[-2000:]
        assert why in out.stderr and len(out.stderr.strip().splitlines()) == 1
