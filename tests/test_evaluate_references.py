"""`nmt evaluate --test` with several reference columns: one reader (training.corpus), multi-reference BLEU/chrF."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_edges import one_line_error

from nmt.cli import main
from nmt.model.bundle import digest
from nmt.model.translator import DecodeOptions, Translator
from nmt.scripts.harness import reversal_pairs
from nmt.training import evaluate as evaluation
from nmt.training.corpus import BadLine, load_corpus, load_evaluation_set
from nmt.training.evaluate import evaluate, format_report
from nmt.training.files import OutputError, write_atomic
from nmt.training.scoring import score


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_two_column_file_has_one_reference(tmp_path: Path) -> None:
    path = write(tmp_path / "t.tsv", "a b\tB A\nc\t\nd\tD\n")
    test = load_evaluation_set(path)
    assert test.sources == ["a b", "d"] and test.references == [["B A", "D"]]
    assert test.bad_lines == [BadLine(str(path), 2, "empty target side")]
    assert load_corpus(path).pairs == list(zip(test.sources, test.references[0], strict=True))  # the same reader


def test_reference_columns_become_reference_streams(tmp_path: Path) -> None:
    path = write(tmp_path / "t.tsv", "\n  src one \tref 1a\tref  1b\nsrc two\tref 2a\t\nsrc three\tonly one\n"
                                     "src four\tref 4a\tref 4b\n")
    test = load_evaluation_set(path)
    assert test.sources == ["  src one ", "src four"]  # as given, what a client would send (next test)
    assert test.references == [["ref 1a", "ref 4a"], ["ref 1b", "ref 4b"]]
    assert [(bad.line, bad.reason) for bad in test.bad_lines] == [
        (1, "empty"),  # a blank first line does not decide the number of columns
        (3, "empty target side (column 3)"),  # an empty reference column: skipped, as with one reference
        (4, "expected 3 tab-separated columns, found 2"),
    ]
    assert test.first_skipped() == test.bad_lines  # under FIRST_FEW of each kind: all named


def test_sources_are_translated_as_the_service_translates_them(translator, tmp_path: Path) -> None:
    """A source of two lines is translated line by line, as the service translates it, not as one line (normalised,
    it was translated as "alpha beta gamma delta"); its translation is one line of hypotheses.txt."""
    sources = ["alpha beta\ngamma delta", "alpha  beta", "gamma\u2028delta alpha"]
    jsonl = write(tmp_path / "t.jsonl", "".join(json.dumps({"en": s, "es": "X"}) + "\n" for s in sources))
    assert load_evaluation_set(jsonl).sources == sources
    options = DecodeOptions(beam_size=1)
    evaluate(translator, jsonl, options, tmp_path / "out")
    served = [" ".join(t.text.splitlines()) for t in translator.translate(sources, options)]
    assert served[0] == "BETA ALPHA DELTA GAMMA"
    assert (tmp_path / "out" / "hypotheses.txt").read_text(encoding="utf-8").split("\n") == [*served, ""]


SPANISH_ENGLISH = [("¿Dónde está la estación de tren?", "Where is the train station?"),
                   ("Mañana vamos a la playa con mis hermanos.", "Tomorrow we are going to the beach with my brothers."),
                   ("El precio subió mucho durante el último año.", "The price rose a lot during the last year.")]


def test_a_test_file_of_the_other_direction_is_refused_before_translating(toy_model, tmp_path: Path, capsys) -> None:
    """A TSV file names no languages: Spanish sources with English references, given to an en -> es model, were
    translated and scored (BLEU near 0, nothing saying why)."""
    swapped = write(tmp_path / "es-en.tsv", "".join(f"{es}\t{en}\n" for es, en in SPANISH_ENGLISH))
    hypotheses = write(tmp_path / "hypotheses.txt", "".join(f"{en}\n" for _, en in SPANISH_ENGLISH))
    for command in (["evaluate", "--model", str(toy_model)], ["compare", str(hypotheses), str(toy_model)]):
        assert main([*command, "--test", str(swapped), "--beam", "1"]) == 2
        assert "its sources read as es and its references as en, but the model translates en -> es" in \
            one_line_error(capsys)
    right = write(tmp_path / "en-es.tsv", "".join(f"{en}\t{es}\n" for es, en in SPANISH_ENGLISH))
    assert evaluate(Translator.load(toy_model, "cpu"), right, DecodeOptions(beam_size=1))["sentences"] == 3
    assert main(["compare", "--test", str(swapped), str(hypotheses), str(hypotheses)]) == 0  # languages unknown


def test_the_report_names_the_model_its_digest_and_int8(toy_model, tmp_path: Path, capsys) -> None:
    """Which bundle made report.json, which a run's best/ that trains on would not tell afterwards; and --int8, which
    changes the hypotheses."""
    test = write(tmp_path / "t.tsv", "alpha beta\tBETA ALPHA\n")
    assert main(["evaluate", "--model", str(toy_model), "--test", str(test), "--beam", "1", "--int8",
                 "--out", str(tmp_path / "out")]) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["model"] == str(toy_model) and report["model_digest"] == digest(toy_model) and report["int8"] is True
    assert capsys.readouterr().out.startswith(f"{toy_model} on {test}: 1 sentences, beam 1, cpu, int8\n")


def test_a_source_file_and_its_reference_file_are_a_test_set(toy_model, tmp_path: Path, capsys) -> None:
    """--ref: sacrebleu's and WMT's layout, two plain files aligned by line, scored as the same pairs in a TSV."""
    pairs = reversal_pairs(12, 5)
    tsv = write(tmp_path / "t.tsv", "".join(f"{s}\t{t}\n" for s, t in pairs))
    src, ref = write(tmp_path / "t.en", "".join(f"{s}\n" for s, _ in pairs)), write(tmp_path / "t.es", "".join(
        f"{t}\n" for _, t in pairs))
    for test in ([str(tsv)], [str(src), "--ref", str(ref)]):
        assert main(["evaluate", "--model", str(toy_model), "--beam", "1", "--json", "--test", *test]) == 0
    by_tsv, by_files = (json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{"))
    assert by_files["test"] == f"{src} + {ref}" and by_files["sentences"] == 12
    assert (by_files["bleu"], by_files["chrf"]) == (by_tsv["bleu"], by_tsv["chrf"])
    hypotheses = write(tmp_path / "h.txt", "".join(f"{t}\n" for _, t in pairs))
    assert main(["compare", "--test", str(src), "--ref", str(ref), str(hypotheses), str(toy_model), "--beam", "1"]) == 0
    assert main(["evaluate", "--model", str(toy_model), "--test", str(src), "--ref", str(hypotheses.with_name("x"))]) == 2
    assert "x: file not found" in one_line_error(capsys)


def test_a_report_that_cannot_be_written_leaves_no_old_one_beside_new_hypotheses(translator, tmp_path: Path,
                                                                                monkeypatch) -> None:
    test, out = write(tmp_path / "t.tsv", "alpha beta\tBETA ALPHA\n"), tmp_path / "out"
    out.mkdir()
    write(out / "hypotheses.txt", "an earlier run's\n"), write(out / "report.json", '{"bleu": 99.0}\n')

    def disk_full(path: Path, data: str) -> None:
        if path.name == "report.json":
            raise OutputError(f"{path}: cannot write (No space left on device)")
        write_atomic(path, data)

    monkeypatch.setattr(evaluation, "write_atomic", disk_full)
    with pytest.raises(OutputError, match="No space left"):
        evaluate(translator, test, DecodeOptions(beam_size=1), out)
    assert (out / "hypotheses.txt").read_text() == "BETA ALPHA\n" and not (out / "report.json").exists()


def test_the_first_few_skipped_lines_of_each_kind_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "t.tsv", "a\tA\tAA\n" + "b\tB\n" * 5 + "\n" * 4 + "c\tC\tCC\n")
    test = load_evaluation_set(path)
    assert [(bad.line, bad.reason) for bad in test.first_skipped()] == [
        (2, "expected 3 tab-separated columns, found 2"), (3, "expected 3 tab-separated columns, found 2"),
        (4, "expected 3 tab-separated columns, found 2"), (7, "empty"), (8, "empty"), (9, "empty")]


def test_aligned_files_have_one_reference(tmp_path: Path) -> None:
    src, tgt = write(tmp_path / "t.en", "a\nb\n"), write(tmp_path / "t.es", "A\tx\nB\n")
    test = load_evaluation_set(src, tgt)  # a tab inside an aligned file's line is white space, not a column
    assert test.sources == ["a", "b"] and test.references == [["A x", "B"]]


def test_identical_references_score_as_one_and_the_signature_counts_them() -> None:
    hypotheses = ["the cat sat on the mat", "a dog barked at night", "hello world"]
    references = ["the cat sat on a mat", "the dog barked at night", "hello there world"]
    one, two = score(hypotheses, references), score(hypotheses, references, list(references))
    assert (two.bleu, two.chrf) == (one.bleu, one.chrf) and 0 < one.bleu < 100
    assert "nrefs:1" in one.bleu_signature and "nrefs:2" in two.bleu_signature and "nrefs:2" in two.chrf_signature
    better = score(hypotheses, references, ["x", "a dog barked at night", "y"])  # the second reference matches
    assert better.bleu > one.bleu and better.chrf > one.chrf
    with pytest.raises(ValueError, match="at least one"):
        score(hypotheses)


def test_bleu_of_chinese_references_is_tokenized_as_sacrebleu_recommends_and_says_so() -> None:
    """13a splits at spaces: a Chinese hypothesis one character off its reference was one wrong word, BLEU 0."""
    hypotheses, references = ["我喜欢吃苹果。", "他明天去北京。"], ["我喜欢吃香蕉。", "他明天去北京。"]
    for target in ("zh", "zh-Hans", "zh_CN"):
        chinese = score(hypotheses, references, target=target)
        assert "tok:zh" in chinese.bleu_signature and chinese.bleu > 60
    assert "tok:13a" in score(hypotheses, references).bleu_signature
    assert score(["我喜欢吃苹果。"], ["我喜欢吃香蕉。"], target="en").bleu == 0  # what 13a made of it
    japanese = score(["私は学生です。"], ["私は先生です。"], target="ja").bleu_signature
    assert "tok:ja-mecab" in japanese or "tok:char" in japanese  # MeCab is sacrebleu[ja]'s extra


def test_bleu_of_thai_lao_khmer_or_myanmar_references_counts_characters() -> None:
    """sacrebleu has no tokenizer for them, and 13a read a Thai sentence, written without spaces, as one word."""
    thai = score(["ฉันชอบกินข้าวผัดมาก"], ["ฉันชอบกินข้าวผัดมากๆ"], target="th")
    assert "tok:char" in thai.bleu_signature and thai.bleu > 60  # was 0 (tok:13a)
    for target in ("lo", "km", "my-MM"):
        assert "tok:char" in score(["a"], ["a"], target=target).bleu_signature


def test_evaluate_scores_against_every_reference(translator, tmp_path: Path, capsys) -> None:
    pairs = reversal_pairs(30, 7)
    single = write(tmp_path / "one.tsv", "".join(f"{s}\t{t}\n" for s, t in pairs))
    double = write(tmp_path / "two.tsv", "".join(f"{s}\t{t}\t{t}\n" for s, t in pairs) + "alpha beta\tBETA ALPHA\t\n")
    options = DecodeOptions(beam_size=1)
    one, two = evaluate(translator, single, options), evaluate(translator, double, options, tmp_path / "out")
    # the line left out is named, not only counted
    named = [line for line in capsys.readouterr().err.replace("\r", "\n").splitlines() if "not scored" in line]
    assert named == [f"  not scored: {double}: line 31: empty target side (column 3)"]
    assert (two["bleu"], two["chrf"]) == (one["bleu"], one["chrf"]) and one["bleu"] > 50
    assert two["sentences"] == 30 and two["references"] == 2 and two["skipped_lines"] == 1
    assert "nrefs:2" in two["signature"] and "nrefs:2" in two["chrf_signature"] and "nrefs:1" in one["signature"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["references"] == 2
    first = format_report(two).splitlines()[0]
    assert "30 sentences, 2 references each (1 unusable test line skipped" in first
    assert "references" not in format_report(one).splitlines()[0]


def test_cli_evaluate_help_tells_of_reference_columns(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", "--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "source<TAB>reference<TAB>reference..." in out and "nrefs:N" in out and "empty column is skipped" in out
    assert "Or a TMX, XLIFF, gettext .po, Qt Linguist .ts, String Catalog .xcstrings, JSON Lines (.jsonl) or CSV file" in out


def test_cli_compare_help_tells_the_test_file_is_read_as_evaluate_reads_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--test TEST test pairs, read as `nmt evaluate --test` reads them: TSV with one or more reference " in out


def test_a_memory_is_read_in_the_models_languages(tmp_path: Path, toy_model_es_en) -> None:
    """An XLIFF (or TMX) test file holds units of two languages: `nmt evaluate` reads them as its model translates,
    here es -> en, not as the corpus reader's default en -> es."""
    xliff = write(tmp_path / "t.xliff", '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="es" '
                  'trgLang="en"><file id="f"><unit id="u"><segment><source>alpha beta</source><target>ALPHA BETA'
                  "</target></segment></unit></file></xliff>")
    report = evaluate(Translator.load(toy_model_es_en, "cpu"), xliff, DecodeOptions(beam_size=1))
    assert report["sentences"] == 1 and report["bleu_detail"].startswith("BLEU = 0.00 100.0/100.0/"), report


def test_json_lines_and_csv_test_files_are_read_in_the_models_languages(tmp_path: Path, tiny_bundle, capsys) -> None:
    """They go where a TMX goes: read in the model's languages (here xx -> yy), their unusable lines named."""
    jsonl = write(tmp_path / "t.jsonl", "\n".join([json.dumps({"translation": {"xx": "alpha beta", "yy": "BETA ALPHA"}}),
                                                 json.dumps({"xx": "gamma", "zz": "GAMMA"}), "{oops"]) + "\n")
    table = write(tmp_path / "t.csv", "yy,xx\nBETA ALPHA,alpha beta\nDELTA\n")
    translator = Translator(tiny_bundle, "cpu")
    for path, skipped in ((jsonl, ["line 2: no yy segment", "line 3: not JSON"]),
                          (table, ["line 3: expected 2 comma-separated columns, found 1"])):
        report = evaluate(translator, path, DecodeOptions(beam_size=1))
        assert report["sentences"] == 1 and report["skipped_lines"] == len(skipped), report
        named = [line for line in capsys.readouterr().err.splitlines() if "not scored" in line]
        assert named == [f"  not scored: {path}: {reason}" for reason in skipped]
