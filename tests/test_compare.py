"""`nmt compare`: sacrebleu's paired tests on two systems' outputs, from hypothesis files or model bundles."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_edges import one_line_error

from nmt.cli import main
from nmt.scripts.harness import reversal_pairs, write_tsv
from nmt.training.compare import SEED_VARIABLE, Sampling, compare_systems, default_seed, hypotheses_only

FEW = Sampling(resamples=200, trials=1000)  # enough for p < 0.05 (the smallest p is 1/201), and quick


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """A test set and three systems on it: the references themselves, the references with each line's words
    shuffled, and a copy of the shuffled one."""
    pairs = reversal_pairs(150, 7)
    rng = random.Random(0)
    references = [t for _, t in pairs]
    garbled = [" ".join(rng.sample(line.split(), len(line.split()))) for line in references]
    paths = {"test": write_tsv(tmp_path / "test.tsv", pairs)}
    for name, lines in (("perfect", references), ("garbled", garbled), ("garbled-copy", garbled)):
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def compare(files: dict[str, Path], a: str, b: str, sampling: Sampling = FEW) -> dict:
    return compare_systems(files["test"], files[a], files[b], hypotheses_only, sampling)


def test_identical_outputs_are_no_difference_at_all(files):
    report = compare(files, "garbled", "garbled-copy")
    assert report["differing_lines"] == 0
    for metric in ("bleu", "chrf"):
        assert report[metric]["difference"] == 0 and report[metric]["A"] == report[metric]["B"]
        assert report[metric]["p_bootstrap"] == report[metric]["p_ar"] == 1.0


def test_chinese_references_are_compared_with_sacrebleus_chinese_tokenizer(tmp_path):
    references = ["我喜欢吃苹果。", "他明天去北京。", "我们在学校工作。"] * 10
    test = write_tsv(tmp_path / "test.tsv", [(f"source {i}", r) for i, r in enumerate(references)])
    systems = {}
    for name, lines in (("a", [r[:-2] + "。" for r in references]), ("b", references)):
        systems[name] = tmp_path / f"{name}.txt"
        systems[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = compare_systems(test, systems["a"], systems["b"], hypotheses_only, FEW, pair=("en", "zh"))
    assert "tok:zh" in report["bleu"]["signature_bootstrap"] and report["bleu"]["A"]["score"] > 0


def test_outputs_that_differ_on_one_line_are_no_evidence_of_a_difference(files):
    """Every randomization trial gives the observed difference or its mirror: a tie, which sacrebleu did not count, and
    so it gave its smallest p-value (1/1001 here) to a change of one line in 150."""
    garbled = files["garbled"].read_text(encoding="utf-8").splitlines()
    perfect = files["perfect"].read_text(encoding="utf-8").splitlines()
    files["one-fixed"] = files["garbled"].with_name("one-fixed.txt")
    files["one-fixed"].write_text("\n".join([perfect[0], *garbled[1:]]) + "\n", encoding="utf-8")
    report = compare(files, "garbled", "one-fixed")
    assert report["differing_lines"] == 1
    for metric in ("bleu", "chrf"):
        assert report[metric]["difference"] > 0
        assert report[metric]["p_ar"] == 1.0


def test_the_reference_against_a_garbled_system_is_significant(files):
    report = compare(files, "garbled", "perfect")
    assert report["differing_lines"] > 100
    for metric in ("bleu", "chrf"):
        scores = report[metric]
        assert scores["B"] == {"score": 100.0, "mean": 100.0, "ci": 0.0}  # every resample of a perfect system is 100
        assert scores["A"]["score"] < 90 and scores["A"]["ci"] > 0
        assert scores["difference"] == pytest.approx(100 - scores["A"]["score"], abs=1e-3)
        assert scores["p_bootstrap"] < 0.05 and scores["p_ar"] < 0.05


def test_the_seed_makes_the_figures_reproducible_and_the_environment_is_left_alone(files, monkeypatch):
    monkeypatch.delenv(SEED_VARIABLE, raising=False)
    first, again = compare(files, "garbled", "perfect"), compare(files, "garbled", "perfect")
    assert first == again
    other = compare(files, "garbled", "perfect", Sampling(FEW.resamples, FEW.trials, seed=99))
    assert other["bleu"]["A"]["mean"] != first["bleu"]["A"]["mean"]  # the resamples did change
    assert SEED_VARIABLE not in os.environ
    monkeypatch.setenv(SEED_VARIABLE, "99")
    assert default_seed() == 99


def test_comparing_hypothesis_files_loads_no_torch(files):
    # nmt/cli.py's _run imported bundle.py for BundleError, and with it torch: peak RSS 672 -> 61 MB, 5.3 -> 1.1 s.
    argv = ["compare", str(files["perfect"]), str(files["garbled"]), "--test", str(files["test"]), "--resamples", "10"]
    code = f"import sys; from nmt.cli import main; code = main({argv!r}); print('torch' in sys.modules, code)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False 0", done.stdout + done.stderr


def test_hypotheses_align_with_the_pairs_evaluate_keeps(files):
    """A test line that cannot be used is skipped, as `nmt evaluate` skips it, so hypotheses.txt has no line for it."""
    files["test"].write_text(files["test"].read_text() + "only one column\n", encoding="utf-8")
    report = compare(files, "garbled", "perfect")
    assert report["sentences"] == 150 and report["skipped_lines"] == 1


@pytest.mark.parametrize("damage, message", [
    (lambda path: path.write_text("one line\n"), "garbled.txt: 1 lines, but {test} has 150 sentence pairs"),
    (lambda path: path.write_text(""), "garbled.txt: empty file"),
    (lambda path: path.unlink(), "garbled.txt: file not found"),
    (lambda path: (path.unlink(), path.mkdir()), "garbled.txt: a folder that is neither an `nmt evaluate --out` "
                                                 "directory (no hypotheses.txt) nor a model bundle (no manifest.json)"),
], ids=["line-count", "empty", "missing", "other-folder"])
def test_bad_hypotheses_are_one_line_and_exit_2(files, capsys, damage, message):
    damage(files["garbled"])
    assert main(["compare", "--test", str(files["test"]), str(files["perfect"]), str(files["garbled"])]) == 2
    assert message.format(test=files["test"]) in one_line_error(capsys)


def test_with_bundles_the_model_is_translated_as_evaluate_translates(toy_model, tmp_path, capsys):
    """Comparing `nmt evaluate`'s output with the model it came from: the same translations, so no difference."""
    test = write_tsv(tmp_path / "toy-test.tsv", reversal_pairs(40, 11))
    beam = ["--beam", "1"]
    assert main(["evaluate", "--model", str(toy_model), "--test", str(test), "--out", str(tmp_path / "eval"), *beam]) == 0
    evaluated = json.loads((tmp_path / "eval" / "report.json").read_text())
    capsys.readouterr()
    assert main(["compare", "--test", str(test), str(tmp_path / "eval"), str(toy_model), *beam,
                 "--resamples", "50", "--trials", "100", "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    report = json.loads(out[-1])
    assert report["systems"] == {"A": {"path": str(tmp_path / "eval" / "hypotheses.txt"), "kind": "hypotheses"},
                                 "B": {"path": str(toy_model), "kind": "model", "beam_size": 1}}
    assert report["differing_lines"] == 0
    assert round(report["bleu"]["B"]["score"], 2) == evaluated["bleu"]
    assert round(report["chrf"]["B"]["score"], 2) == evaluated["chrf"]
    assert out[2] == f"B = {toy_model} (model, beam 1)"


@pytest.fixture
def memory(tmp_path) -> tuple[Path, Path]:
    """An XLIFF test file of one es -> en unit, and a hypothesis file of its reference."""
    test = tmp_path / "t.xliff"
    test.write_text('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="es" trgLang="en">'
                    '<file id="f"><unit id="u"><segment><source>alpha beta</source><target>ALPHA BETA</target>'
                    "</segment></unit></file></xliff>")
    (tmp_path / "hyp.txt").write_text("ALPHA BETA\n")
    return test, tmp_path / "hyp.txt"


def test_a_memory_test_file_is_read_in_the_languages_of_the_models_compared(memory, toy_model_es_en, capsys):
    test, hypotheses = memory
    assert main(["compare", "--test", str(test), str(hypotheses), str(toy_model_es_en), "--beam", "1",
                 "--resamples", "10", "--trials", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["sentences"] == 1 and report["differing_lines"] == 0, "es -> en, as the model translates"


def test_two_hypothesis_files_on_a_memory_test_file_in_the_languages_named(memory, toy_model, capsys):
    test, hypotheses = memory
    args = ["compare", "--test", str(test), str(hypotheses), str(hypotheses), "--resamples", "10", "--trials", "10",
            "--json"]
    assert main([*args, "--pair", "es-en"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["sentences"] == 1
    assert main(args) == 2, "read as en -> es without --pair, and refused"
    assert "its srcLang is es, but the pairs read are en -> es" in one_line_error(capsys)
    args[4] = str(toy_model)
    assert main([*args, "--pair", "es-en"]) == 2
    assert f"{toy_model} translates en-es, not es-en (--pair)" in one_line_error(capsys)


def test_an_output_closed_by_its_reader_ends_quietly(files):
    """`nmt compare ... | head -3`: the reader gone, the report's print raised BrokenPipeError, a traceback (exit 1)."""
    command = [sys.executable, "-m", "nmt", "compare", "--test", str(files["test"]), str(files["garbled"]),
               str(files["perfect"]), "--resamples", "10", "--trials", "10"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()  # before anything is printed: the report's print finds no reader
        err = run.stderr.read()
        assert run.wait(120) == 141 and b"Traceback" not in err, err
