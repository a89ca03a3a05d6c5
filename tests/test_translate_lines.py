"""`nmt translate` on files of lines: streamed a window at a time, any compression, one output line per input line,
and an --out file that an interruption leaves continuable (training/translate_lines.py)."""
from __future__ import annotations

import gzip
import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nmt.cli import main
from nmt.model.translator import Translator
from nmt.training import translate_lines

WORDS = ["alpha", "beta", "gamma", "delta", "mu", "sigma", "tau"]
LINES = [" ".join(WORDS[(i + j) % len(WORDS)] for j in range(1 + i % 5)) for i in range(20)]


def translate(toy_model, *args: str) -> int:
    return main(["translate", "--model", str(toy_model), "--beam", "1", *args])


@pytest.fixture
def expected(toy_model, tmp_path, capsys) -> list[str]:
    """The translations of LINES printed by one uninterrupted run to stdout."""
    (tmp_path / "in.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    assert translate(toy_model, str(tmp_path / "in.txt")) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(LINES) and out[1] == "GAMMA BETA"  # the toy model reverses
    return out


def interrupt_after(monkeypatch, windows: int) -> None:
    """Ctrl-C while the given window is being translated (windows of 3 lines)."""
    monkeypatch.setattr(translate_lines, "WINDOW", 3)
    real, calls = Translator.translate, []

    def translate_or_stop(self, texts, *args, **kwargs):
        calls.append(texts)
        if len(calls) > windows:
            raise KeyboardInterrupt
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(Translator, "translate", translate_or_stop)


def test_an_interrupted_run_continues_where_it_stopped(toy_model, tmp_path, capsys, monkeypatch, expected):
    out = tmp_path / "deep" / "out.txt"
    with monkeypatch.context() as patch:
        interrupt_after(patch, 2)
        assert translate(toy_model, "--out", str(out), str(tmp_path / "in.txt")) == 130
    assert not out.exists()
    partial = tmp_path / "deep" / "out.txt.partial"
    assert partial.read_text(encoding="utf-8").splitlines() == expected[:6]
    assert f"6 lines are done, in {partial}" in capsys.readouterr().err
    with partial.open("a", encoding="utf-8") as handle:
        handle.write("HALF A LI")  # a kill during a write: the line is cut, and translated again
    assert translate(toy_model, "--out", str(out), str(tmp_path / "in.txt")) == 0
    err = capsys.readouterr().err
    assert f"continuing {partial} after its 6 lines (of 20)" in err and f"wrote 20 lines to {out}" in err
    assert out.read_text(encoding="utf-8").splitlines() == expected
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.txt"]


@pytest.mark.parametrize("change, differs", [(["--beam", "2"], "beam 1 → 2"), (["--length-penalty", "0.6"],
                                                                              "length_penalty 1.0 → 0.6")])
def test_a_run_with_other_settings_is_refused_and_the_lines_kept(toy_model, tmp_path, capsys, monkeypatch, change,
                                                                 differs):
    out = tmp_path / "out.txt"
    (tmp_path / "in.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        interrupt_after(patch, 1)
        assert translate(toy_model, "--out", str(out), str(tmp_path / "in.txt")) == 130
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    capsys.readouterr()
    assert main(["translate", "--model", str(toy_model), "--beam", "1", *change, "--out", str(out),
                 str(tmp_path / "in.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and differs in err and "delete" in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_changed_input_file_is_not_continued(toy_model, tmp_path, capsys, monkeypatch):
    out, source = tmp_path / "out.txt", tmp_path / "in.txt"
    source.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        interrupt_after(patch, 1)
        assert translate(toy_model, "--out", str(out), str(source)) == 130
    source.write_text("mu\n" + "\n".join(LINES) + "\n", encoding="utf-8")  # a line added before the done ones
    capsys.readouterr()
    assert translate(toy_model, "--out", str(out), str(source)) == 2
    assert "another input" in capsys.readouterr().err


def test_stdin_cannot_continue_an_unfinished_run(toy_model, tmp_path, capsys, monkeypatch):
    (tmp_path / "out.txt.partial").write_text("ALPHA\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"alpha\n")))
    assert translate(toy_model, "--out", str(tmp_path / "out.txt")) == 2
    assert "standard input cannot be continued" in capsys.readouterr().err
    assert (tmp_path / "out.txt.partial").read_text() == "ALPHA\n"


def test_stdin_to_a_file_and_compressed_input(toy_model, tmp_path, capsys, monkeypatch, expected):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("\n".join(LINES) + "\n").encode())))
    assert translate(toy_model, "--out", str(tmp_path / "a.txt")) == 0
    assert (tmp_path / "a.txt").read_text(encoding="utf-8").splitlines() == expected
    (tmp_path / "in.txt.gz").write_bytes(gzip.compress(("\n".join(LINES)).encode()))  # no line end at the end
    assert translate(toy_model, str(tmp_path / "in.txt.gz")) == 0
    assert capsys.readouterr().out.splitlines() == expected


def test_one_output_line_for_each_input_line(toy_model, tmp_path, capsys):
    """U+2028, a form feed or a vertical tab inside a line do not end it (str.splitlines would): the translations
    stay beside their sources, as a parallel corpus needs."""
    source = tmp_path / "in.txt"
    source.write_text("alpha\u2028beta\nmu\x0ctau\n\nsigma\x0bmu\r\ngamma\n", encoding="utf-8")
    assert translate(toy_model, str(source)) == 0
    assert len(capsys.readouterr().out.split("\n")) == 5 + 1


def test_the_settings_name_the_model_and_the_input(toy_model, tmp_path, monkeypatch):
    source = tmp_path / "in.txt"
    source.write_text("alpha\n" * 7)
    with monkeypatch.context() as patch:
        interrupt_after(patch, 1)
        assert translate(toy_model, "--out", str(tmp_path / "o"), str(source)) == 130
    settings = json.loads((tmp_path / "o.partial.json").read_text())
    assert settings["input"] == {"path": str(source.resolve()), "bytes": 42, "mtime_ns": source.stat().st_mtime_ns}
    assert len(settings["model"]) == 64 and settings["reverse"] is None and settings["beam"] == 1


def test_a_changed_glossary_does_not_continue_an_unfinished_run(placeholder_model, tmp_path, capsys, monkeypatch):
    (tmp_path / "terms.tsv").write_text("alpha\tOMEGA\n", encoding="utf-8")
    (tmp_path / "in.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    args = ["--glossary", str(tmp_path / "terms.tsv"), "--out", str(tmp_path / "out.txt"), str(tmp_path / "in.txt")]
    with monkeypatch.context() as patch:
        interrupt_after(patch, 1)
        assert translate(placeholder_model, *args) == 130
    (tmp_path / "terms.tsv").write_text("alpha\tPSI\n", encoding="utf-8")
    capsys.readouterr()
    assert translate(placeholder_model, *args) == 2
    err = capsys.readouterr().err
    assert "with another glossary " in err and "input" not in err.split("another")[1]


def test_an_output_that_cannot_be_written_is_one_line(toy_model, tmp_path, capsys):
    (tmp_path / "in.txt").write_text("alpha\n")
    (tmp_path / "out").mkdir()
    assert translate(toy_model, "--out", str(tmp_path / "out"), str(tmp_path / "in.txt")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{tmp_path / 'out'} is a directory" in err
    if not Path("/sys").is_dir():
        return
    assert translate(toy_model, "--out", "/sys/out.txt", str(tmp_path / "in.txt")) == 2  # read-only, even for root
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err


def test_a_typed_line_is_translated_before_the_next_is_typed(toy_model):
    """Standard input from a terminal: each line comes out once it is typed, not after a window of 512 (or the end
    of the input), and no progress bar stands among the lines."""
    command = [sys.executable, "-m", "nmt", "translate", "--model", str(toy_model), "--beam", "1"]
    terminal, stdin = pty.openpty()
    with subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        os.close(stdin)
        assert run.stdout is not None and run.stderr is not None
        for line, translation in [(b"alpha beta\n", b"BETA ALPHA\n"), (b"mu sigma tau\n", b"TAU SIGMA MU\n")]:
            os.write(terminal, line)
            ready, _, _ = select.select([run.stdout], [], [], 120)  # the old code waited for 512 lines, or the end
            assert ready, "no translation while the input stays open"
            assert run.stdout.readline() == translation
        os.write(terminal, b"\x04")  # Ctrl-D: the end of the input
        assert run.wait(60) == 0
        assert b"translating" not in run.stderr.read()
    os.close(terminal)


def test_stdin_fills_whole_windows_when_lines_are_ready():
    """A file or a fast pipe on stdin is still translated in full windows; a pause closes a window early."""
    assert list(translate_lines.ready_windows(iter(LINES), 8)) == [LINES[:8], LINES[8:16], LINES[16:]]

    def slow() -> Iterator[str]:
        yield from LINES[:3]
        time.sleep(0.5)
        yield from LINES[3:5]

    assert list(translate_lines.ready_windows(slow(), 8)) == [LINES[:3], LINES[3:5]]


def test_stdin_that_is_not_utf8_is_one_line_after_the_lines_before_it(toy_model, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"alpha\nbeta\n\xff\n")))
    assert translate(toy_model) == 2
    assert "<stdin>:3: not UTF-8 (byte 0xff)" in capsys.readouterr().err
