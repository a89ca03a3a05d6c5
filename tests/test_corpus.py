"""Tests for training.corpus: reading TSV and aligned-pair corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from nmt.training.corpus import BadLine, Corpus, CorpusError, load_corpus, write_tsv


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_tsv_reads_pairs_and_normalises_space(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "c.tsv", b"  hello \t  world \xc2\xa0 again \nbye\tadi\xc3\xb3s\r\n")
    corpus = load_corpus(str(path))
    assert corpus.pairs == [("hello", "world again"), ("bye", "adiós")]
    assert corpus.bad_lines == []


def test_tsv_bad_utf8_line_is_reported_with_line_number(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "c.tsv", b"a\tb\nbad \xff\xfe\tx\nc\td\n")
    corpus = load_corpus(path)
    assert corpus.pairs == [("a", "b"), ("c", "d")]
    assert corpus.bad_lines == [BadLine(str(path), 2, "not UTF-8")]
    assert str(corpus.bad_lines[0]).endswith("line 2: not UTF-8")


def test_tsv_missing_and_extra_columns(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "c.tsv", b"a\tb\nonly one column\nx\ty\tz\n")
    corpus = load_corpus(path)
    assert corpus.pairs == [("a", "b")]
    assert [(bad.line, bad.reason) for bad in corpus.bad_lines] == [
        (2, "expected 2 tab-separated columns, found 1"),
        (3, "expected 2 tab-separated columns, found 3"),
    ]


def test_empty_pairs_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "c.tsv", b"a\tb\n\n  \t \nsrc\t\nc\td\n")
    corpus = load_corpus(path)
    assert corpus.pairs == [("a", "b"), ("c", "d")]
    assert [(bad.line, bad.reason) for bad in corpus.bad_lines] == [
        (2, "empty"),
        (3, "empty"),
        (4, "empty target side"),
    ]
    assert "2 sentence pairs" in corpus.summary()
    assert "2 empty" in corpus.summary()


def test_bom_on_first_line_is_removed(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "c.tsv", b"\xef\xbb\xbfhello\thola\n")
    assert load_corpus(path).pairs == [("hello", "hola")]


def test_aligned_files(tmp_path: Path) -> None:
    src = write_bytes(tmp_path / "c.en", b"\xef\xbb\xbfone\ntwo  words\n\nthree\n")
    tgt = write_bytes(tmp_path / "c.es", b"uno\ndos palabras\n\ntr\xe9s\n")
    corpus = load_corpus(src, tgt)
    assert corpus.pairs == [("one", "uno"), ("two words", "dos palabras")]
    assert [(bad.path, bad.line, bad.reason) for bad in corpus.bad_lines] == [
        (f"{src} + {tgt}", 3, "empty"),
        (str(tgt), 4, "not UTF-8"),
    ]


def test_aligned_files_with_different_line_counts(tmp_path: Path) -> None:
    src = write_bytes(tmp_path / "c.en", b"one\ntwo\nthree\n")
    tgt = write_bytes(tmp_path / "c.es", b"uno\ndos\n")
    with pytest.raises(CorpusError) as info:
        load_corpus(src, tgt)
    message = str(info.value)
    assert str(src) in message and str(tgt) in message
    assert "3" in message and "2" in message


def test_strict_mode_raises_on_first_bad_line(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "c.tsv", b"a\tb\n\nno tab here\nbad\xff\tx\n")
    with pytest.raises(CorpusError, match=r"c\.tsv: line 3: expected 2 tab-separated"):
        load_corpus(path, strict=True)


def test_missing_file_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="file not found"):
        load_corpus(tmp_path / "nope.tsv")
    with pytest.raises(CorpusError, match="nope.es: file not found"):
        load_corpus(write_bytes(tmp_path / "c.en", b"x\n"), tmp_path / "nope.es")


def test_summary_without_bad_lines() -> None:
    assert Corpus([("a", "b")], []).summary() == "1 sentence pairs, no lines skipped"


def test_write_tsv_round_trip_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "out" / "c.tsv"
    pairs = [("hello", "hola"), ("good bye", "adiós")]
    write_tsv(pairs, path)
    assert load_corpus(path).pairs == pairs
    assert [p.name for p in path.parent.iterdir()] == ["c.tsv"]


def test_write_tsv_rejects_tabs_and_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    write_tsv([("a", "b")], path)
    with pytest.raises(ValueError, match="tab or newline"):
        write_tsv([("ok", "fine"), ("x\ty", "z")], path)
    assert path.read_text(encoding="utf-8") == "a\tb\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.tsv"]
