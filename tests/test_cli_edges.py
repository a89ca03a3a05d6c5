"""What a new user hits at the edges of the command line and the service: each bad input is one line and exit 2."""
from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
import sys
from datetime import date
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from service_fixtures import client_for
from test_bible import KJV_IMP, RV_IMP, WEB_IMP

from nmt.cli import main
from nmt.model.bundle import MODELS, BundleError, load_bundle, save_bundle
from nmt.model.translator import DecodeOptions, Translator
from nmt.training import bible
from nmt.training.evaluate import format_report, translated_in_order
from nmt.training.translate_lines import counted_lines, file_lines


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def fake_mod2imp(bin_dir: Path, script: str) -> None:
    """A mod2imp on a PATH of its own, so the test runs where SWORD is not installed."""
    bin_dir.mkdir()
    exe = bin_dir / "mod2imp"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)


# --- nmt build-bible ----------------------------------------------------------------------------------------
def test_build_bible_help_lists_out(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build-bible", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--out DIR" in out and "mod2imp" in out and "libsword-utils" in out


def test_build_bible_without_mod2imp_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["build-bible", "--out", str(tmp_path / "out")]) == 2
    assert "mod2imp not found on PATH" in one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_build_bible_without_the_modules_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    fake_mod2imp(tmp_path / "bin", 'echo "$1: module not installed" >&2; exit 1')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert bible.main(["--out", str(tmp_path / "out")]) == 2  # python -m nmt.training.bible: the same command
    err = one_line_error(capsys)
    assert f"could not export SWORD module {bible.RV.name}" in err
    assert "sword-text-web sword-text-kjv sword-text-sparv" in err


def test_build_bible_out_writes_the_corpus_there(tmp_path, monkeypatch, capsys):
    for module, text in {bible.WEB.name: WEB_IMP, bible.KJV.name: KJV_IMP, bible.RV.name: RV_IMP}.items():
        (tmp_path / f"{module}.imp").write_text(text, encoding="utf-8")
    fake_mod2imp(tmp_path / "bin", f'cat "{tmp_path}/$1.imp"')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    assert main(["build-bible", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "kjv/test.tsv: 2 lines" in out and "es-en/test-2refs.tsv: 1 lines" in out
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"train.tsv", "test.refs", "README.md", "kjv", "es-en"}
    assert (tmp_path / "out" / "es-en" / "test-2refs.tsv").is_file()


# --- nmt translate: input that is not UTF-8 -------------------------------------------------------------------
def test_translate_names_the_file_and_line_that_is_not_utf8(tmp_path, capsys):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("first line\nsecond\nJosé\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.txt:3: not UTF-8 \(byte 0xe9\)"):
        counted_lines(bad)
    assert main(["translate", str(bad)]) == 2
    assert f"nmt translate: error: {bad}:3: not UTF-8" in one_line_error(capsys)


def test_translate_stdin_that_is_not_utf8(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok\n\xff\n")))
    assert main(["translate"]) == 2
    assert "<stdin>:2: not UTF-8 (byte 0xff)" in one_line_error(capsys)


def test_exact_int8_is_one_line_exit_2(tmp_path, capsys):
    text = tmp_path / "in.txt"
    text.write_text("Hello.\n", encoding="utf-8")
    assert main(["translate", "--exact", "--int8", str(text)]) == 2
    assert "nmt translate: error: int8 search cannot be exact" in one_line_error(capsys)


def test_evaluate_report_says_the_search_was_exact():
    report = {"test": "t.tsv", "sentences": 2, "beam_size": 5, "device": "cpu", "exact": True, "bleu": 1.0, "chrf": 2.0,
              "bleu_signature": "s", "bleu_detail": "d", "chrf_signature": "c", "sentences_per_s": 1, "tokens_per_s": 1,
              "seconds": 1}
    assert "beam 5, cpu, exact search" in format_report(report)
    assert "exact" not in format_report(report | {"exact": False}).splitlines()[0]


@pytest.mark.parametrize("name, reason", [(".", "is a directory, expected a text file"), ("missing.txt", "file not found")])
def test_translate_an_unreadable_path_is_one_line(tmp_path, capsys, name, reason):
    assert main(["translate", str(tmp_path / name)]) == 2
    assert f"{tmp_path / name}: {reason}" in one_line_error(capsys)


def test_utf8_input_reads_as_lines(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("\ufeffJosé\n\nÑandú", encoding="utf-8")
    assert counted_lines(good) == 3 and list(file_lines(good)) == ["José", "", "Ñandú"]


# --- --model RUN ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("has_best", [True, False])
def test_a_run_directory_points_at_its_best_bundle(tmp_path, capsys, has_best):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    if has_best:
        (run / "best").mkdir()
        (run / "best" / "manifest.json").write_text("{}")
    with pytest.raises(BundleError, match=rf"a training run directory, not a model bundle; did you mean {run / 'best'}\?"):
        load_bundle(run)
    text = tmp_path / "in.txt"
    text.write_text("hello\n")
    assert main(["translate", "--model", str(run), str(text)]) == 2
    err = one_line_error(capsys)
    assert f"did you mean {run / 'best'}?" in err and ("not written yet" in err) != has_best


# --- nmt evaluate's printed report ---------------------------------------------------------------------------
def report(skipped: int) -> dict:
    return {"test": "t.tsv", "sentences": 10, "skipped_lines": skipped, "beam_size": 5, "device": "cpu", "bleu": 20.0,
            "bleu_signature": "sig", "bleu_detail": "detail", "chrf": 40.0, "chrf_signature": "sig",
            "sentences_per_s": 1.0, "tokens_per_s": 2.0, "seconds": 10.0}


def test_evaluate_report_says_lines_were_skipped():
    assert format_report(report(3)).splitlines()[0] == (
        "t.tsv: 10 sentences (3 unusable test lines skipped, not scored), beam 5, cpu")
    assert "1 unusable test line skipped" in format_report(report(1))
    assert "skipped" not in format_report(report(0))


def test_evaluate_segments_as_asked_and_says_so(toy_model, tmp_path, capsys):
    test = tmp_path / "t.tsv"
    test.write_text("alpha beta. gamma delta.\tBETA ALPHA. DELTA GAMMA.\n")
    for chars in (0, 100):
        assert main(["evaluate", "--model", str(toy_model), "--test", str(test), "--segment-chars", str(chars),
                     "--json", "--out", str(tmp_path / str(chars))]) == 0
        out = capsys.readouterr().out.splitlines()
        assert json.loads(out[-1])["segment_chars"] == chars
        assert ("sentences together up to 100 characters" in out[0]) == (chars == 100)
    assert main(["evaluate", "--model", str(toy_model), "--test", str(test), "--segment-chars", "-1"]) == 2
    assert "segment_chars is -1; it cannot be negative" in one_line_error(capsys)


# --- LibreTranslate /translate: source "auto" ----------------------------------------------------------------
@pytest.mark.parametrize("body", [{"q": "alpha", "source": "auto", "target": "yy"}, {"q": "alpha", "target": "yy"}],
                         ids=["auto", "omitted"])
def test_libretranslate_auto_source_with_one_model_is_its_source(tiny_bundle, body):
    """One source language served: "auto" is that one, whatever the text (here one that no detector knows)."""
    with client_for(Translator(tiny_bundle, "cpu")) as client:
        answer = client.post("/translate", json=body)
        explicit = client.post("/translate", json={**body, "source": "xx"})
    assert answer.status_code == 200 and explicit.status_code == 200
    assert answer.json() == {"translatedText": explicit.json()["translatedText"],
                             "detectedLanguage": {"language": "xx", "confidence": 100.0}}


# --- /v1/models: the bundle's own recorded facts, labelled --------------------------------------------------------
def test_models_reports_the_summary_as_recorded_with_when_and_how(tiny_bundle):
    tiny_bundle.summary = {"train_minutes": 140.0, "step": 6000, "dev": {"bleu": 20.11}, "averaged_steps": [5000, 6000],
                           "exported_on": "2026-11-23",
                           "test": {"test": "t.tsv", "beam_size": 5, "device": "cpu", "bleu": 21.25, "sentences_per_s": 35.05}}
    with client_for(Translator(tiny_bundle, "cpu")) as client:
        [model] = client.get("/v1/models").json()["models"]
    assert model["summary"] == tiny_bundle.summary and model["bleu"] == 21.25  # nothing added, nothing from elsewhere
    labels = model["measured"]
    assert "update 6000, before averaging" in labels["train_minutes"] and "update 6000" in labels["dev"]
    assert "--beam 5 on t.tsv (cpu)" in labels["test"] and "on 2026-11-23" in labels["test"]
    assert "not of this server" in labels["test"]
    tiny_bundle.summary = {"parameters": 1, "averaged": ["models/es-en", "runs/x at steps 40, 60"]}
    with client_for(Translator(tiny_bundle, "cpu")) as client:
        [model] = client.get("/v1/models").json()["models"]
    assert model["bleu"] is None and set(model["measured"]) == {"averaged"}


@pytest.mark.parametrize("pair", ["en-es", "es-en"])
def test_readme_quotes_the_shipped_bundles_recorded_figures(pair):
    summary = json.loads((MODELS / pair / "summary.json").read_text())
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The default model"):]
    section = section[:section.index("\n### ")]
    test = summary["test"]
    recorded = [summary[key] for key in ("train_minutes", "exported_on") if key in summary]  # an ensemble has no minutes
    for figure in (*recorded, test["bleu"], test["chrf"], test["sentences_per_s"]):
        assert str(figure) in section, figure


def test_export_records_the_report_and_the_day_it_entered_the_bundle(tiny_bundle, tmp_path, capsys):
    save_bundle(tiny_bundle, tmp_path / "best")
    report_json = tmp_path / "report.json"
    report_json.write_text(json.dumps(report(0)))
    assert main(["export", str(tmp_path / "best"), str(tmp_path / "out"), "--report", str(report_json)]) == 0
    summary = load_bundle(tmp_path / "out").summary
    assert summary["test"] == report(0) and summary["exported_on"] == date.today().isoformat()


@pytest.mark.parametrize("command", ["evaluate", "export"])
def test_an_output_dir_under_a_file_is_one_line_naming_the_file(tiny_bundle, tmp_path, capsys, command):
    save_bundle(tiny_bundle, tmp_path / "best")
    (tmp_path / "test.tsv").write_text("alpha beta\tBETA ALPHA\n")
    (tmp_path / "results").write_text("a file, not a folder")
    out = str(tmp_path / "results" / "run-1")
    argv = (["evaluate", "--model", str(tmp_path / "best"), "--test", str(tmp_path / "test.tsv"), "--out", out]
            if command == "evaluate" else ["export", str(tmp_path / "best"), out])
    assert main(argv) == 2
    assert f"{tmp_path / 'results'} is a file" in one_line_error(capsys)
    assert (tmp_path / "results").read_text() == "a file, not a folder"


def disk_full(*args) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("command", ["evaluate", "export"])
def test_a_full_disk_is_one_line_naming_the_output(tiny_bundle, tmp_path, capsys, monkeypatch, command):
    """A disk that fills while the output is written (here: at its fsync) was a traceback."""
    save_bundle(tiny_bundle, tmp_path / "best")
    (tmp_path / "test.tsv").write_text("alpha beta\tBETA ALPHA\n")
    out = tmp_path / "out"
    argv = (["evaluate", "--model", str(tmp_path / "best"), "--test", str(tmp_path / "test.tsv"), "--out", str(out)]
            if command == "evaluate" else ["export", str(tmp_path / "best"), str(out)])
    monkeypatch.setattr(os, "fsync", disk_full)
    assert main(argv) == 2
    named = out / "hypotheses.txt" if command == "evaluate" else out
    err = one_line_error(capsys)
    assert f"{named}: cannot write" in err and "(No space left on device)" in err, err
    assert not out.exists() or not any(out.iterdir()), "nothing half-written"


@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_a_test_file_with_no_usable_line_says_why(tiny_bundle, tmp_path, capsys, command):
    """It said only `no sentence pairs to evaluate`, of a test file in Latin-1 or a TMX without the model's
    language alike."""
    save_bundle(tiny_bundle, tmp_path / "best")
    test = tmp_path / "test.tsv"
    test.write_bytes("árbol\tÁRBOL\n".encode("latin-1"))
    (tmp_path / "a.txt").write_text("x\n")
    argv = (["evaluate", "--model", str(tmp_path / "best"), "--test", str(test)] if command == "evaluate"
            else ["compare", "--test", str(test), str(tmp_path / "a.txt"), str(tmp_path / "a.txt")])
    assert main(argv) == 2
    assert f"1 lines skipped (1 not UTF-8); the first: {test}: line 1: not UTF-8" in one_line_error(capsys)


def test_average_of_a_run_directory_that_is_not_there_says_so(tmp_path, capsys):
    """A mistyped run directory was told to train with train.keep_checkpoints."""
    assert main(["average", str(tmp_path / "runs" / "my-mdoel"), str(tmp_path / "out")]) == 2
    assert one_line_error(capsys).endswith(f"{tmp_path / 'runs' / 'my-mdoel'}: no such run directory or bundle\n")


# --- the README's first command ---------------------------------------------------------------------------------
def test_readme_first_command_installs_the_cpu_torch_that_pip_install_keeps():
    """The CPU torch must be in pyproject's range, or `pip install -e .` swaps it for PyPI's CUDA build; the Docker
    image installs the same range."""
    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    first = readme[readme.index("## Use it"):].split("```bash\n", 1)[1].split("\n", 1)[0]
    found = re.fullmatch(r"pip install 'torch([^']+)' --index-url https://download\.pytorch\.org/whl/cpu "
                         r"&& pip install -e \. && nmt serve", first)
    assert found, first
    pyproject = re.search(r'"torch([^"]+)"', (root / "pyproject.toml").read_text()).group(1)
    dockerfile = re.search(r'ARG TORCH_SPEC="torch([^"]+)"', (root / "Dockerfile").read_text()).group(1)
    assert SpecifierSet(found.group(1)) == SpecifierSet(pyproject) == SpecifierSet(dockerfile)
    assert "`pip install -e . && nmt serve`" in readme  # the GPU route, beside it


# --- the type check's view of the package ---------------------------------------------------------------------------
def test_typecheck_links_every_module_of_the_package():
    """mypy checks the package through typecheck/nmt's links (pyproject.toml, [tool.mypy]): each module of nmt/ and
    each folder that installs as a subpackage needs one, or mypy never reads it (nmt/__main__.py went unchecked)."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).parents[1]
    package_dir = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    links = root / "typecheck" / "nmt"
    wanted = {p.name: p for p in (root / "nmt").glob("*.py")}
    wanted |= {name.removeprefix("nmt."): root / folder for name, folder in package_dir.items() if name != "nmt"}
    assert {p.name: p.resolve() for p in links.iterdir()} == {name: p.resolve() for name, p in wanted.items()}


def test_translate_prints_every_line_in_input_order_across_windows(toy_model, translator, tmp_path, capsys):
    """`nmt translate` works a window of lines at a time, each batched by length: the lines still come out in
    input order, one for each, blank lines included, each as it is translated alone."""
    lines = ["alpha beta gamma delta", "", "tau mu", "mu sigma tau", "alpha beta gamma delta epsilon zeta eta", "mu"]
    options = DecodeOptions(beam_size=1)
    expected = [translator.translate([line], options)[0].text for line in lines]
    assert expected[0] == "DELTA GAMMA BETA ALPHA" and expected[1] == ""  # the toy model reverses its input
    assert [t.text for t in translated_in_order(translator, lines, options, window=4)] == expected
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n")
    assert main(["translate", "--model", str(toy_model), "--beam", "1", str(tmp_path / "in.txt")]) == 0
    assert capsys.readouterr().out.splitlines() == expected


def test_translate_file_help_names_every_format_it_translates(capsys):
    from nmt.app import office, opendocument
    from nmt.app.documents import FORMATS

    with pytest.raises(SystemExit):
        main(["translate-file", "--help"])
    named = set(re.findall(r"\.[a-z]+\b", capsys.readouterr().out))
    variants = (set(office.KINDS) | set(opendocument.KINDS)) - {".docx", ".pptx", ".xlsx", ".odt", ".odp", ".ods"}
    assert set(FORMATS) - variants - named == set(), "(the help names the templates and macro-enabled files as such)"


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_serve_on_a_port_that_is_none_is_one_line_exit_2(capsys, port):
    """(It was a traceback: OverflowError: bind(): port must be 0-65535.)"""
    assert main(["serve", "--port", port]) == 2
    assert one_line_error(capsys) == f"nmt serve: error: cannot listen on 127.0.0.1:{port}: bind(): port must be 0-65535.\n"
