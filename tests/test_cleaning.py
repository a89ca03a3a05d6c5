"""training/cleaning.py: a TSV block's lines that are normalised already take a fast path, the others
parse_record's; both must give the same pairs, fingerprints and reasons."""
from __future__ import annotations

import gzip

import numpy as np

from nmt.training import cleaning
from nmt.training.cleaning import Cleaned, TsvBlock, TsvSpan, clean_chunk, clean_records, plain_lines
from nmt.training.config import CorpusSpec, FilterConfig
from nmt.training.corpus import read_records

WHERE = ("c.tsv", "c.tsv", "c.tsv")
ODD_LINES = [
    "a b c\tx y z", "  leading\tspace", "double  space\tx", "trailing \tx", "x\t tab space", "ctrl\x01char\tx",
    "no tab here", "three\tcolumns\there", "\tempty source", "empty target\t", "", "   ", "same\tsame",
    "short\tmuch much much much much much longer than its source", "nbsp\u00a0space\tx", "del\x7f\tx",
    "crlf line\tx\r", "ünïcödé\tçà", "tab\t\tdouble", "a b c\tx y z", "a  b c\tx y z",
]


def per_record(block: TsvBlock, filters: FilterConfig) -> Cleaned:
    """The block cleaned as other layouts' chunks are: every line through parse_record."""
    return clean_records(block.corpus, block.records(), block.where, filters)


def same(a: Cleaned, b: Cleaned) -> bool:
    return (a.src, a.tgt, a.records, [str(bad) for bad in a.skipped]) == (
        b.src, b.tgt, b.records, [str(bad) for bad in b.skipped]) and all(
        np.array_equal(getattr(a, name), getattr(b, name)) for name in ("src_bytes", "tgt_bytes", "lines", "hashes"))


def test_the_fast_path_cleans_as_parse_record_does():
    filters = FilterConfig(min_ratio_chars=10)
    for lines in (["plain one\tuno", "plain two\tdos", "ünïcödé\tçà"], ODD_LINES, ODD_LINES[::-1]):
        data = "".join(f"{line}\n" for line in lines).encode()
        block = TsvBlock(0, WHERE, 7, data)
        assert plain_lines(data) is not None, "a UTF-8 block takes the fast path (with its odd lines the slow one)"
        got, expected = clean_chunk(block, filters), per_record(block, filters)
        assert same(got, expected) and got.records == len(lines)
    cleaned = clean_chunk(TsvBlock(0, WHERE, 1, "".join(f"{line}\n" for line in ODD_LINES).encode()), filters)
    reasons = {bad.line: bad.reason for bad in cleaned.skipped}
    assert reasons[6] == "control characters" and reasons[13] == "source identical to target", reasons
    first, last = cleaned.hashes[0], cleaned.hashes[-1]  # "a b c\tx y z" and "a  b c\tx y z" normalised
    assert first == last == cleaned.hashes[-2] and first % 2 == 1, "the duplicate check sees one pair"


def test_a_block_that_is_not_utf8_takes_the_slow_path_line_by_line():
    data = b"bien\tgood\n" + "mal\tbad\n".encode("latin-1") + "año\tyear\n".encode("latin-1")
    block = TsvBlock(0, WHERE, 1, data)
    assert plain_lines(data) is None
    cleaned = clean_chunk(block, FilterConfig())
    assert cleaned.src == b"bien\nmal\n" and [bad.line for bad in cleaned.skipped] == [3]


def test_spans_of_a_file_clean_as_its_blocks_do_even_a_span_without_a_line(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("short\tcorto\n" + "long " * 40 + "\tlargo\n  odd\tline\nlast\túltima")
    filters = FilterConfig()
    spans = [TsvSpan(0, WHERE, path, start, start + 64) for start in range(0, path.stat().st_size, 64)]
    cleaned = [clean_chunk(span, filters) for span in spans]
    assert any(c.records == 0 for c in cleaned), "the long line leaves a span with no line of its own"
    before = 0
    for c in cleaned:
        c.renumber(before)
        before += c.records
    whole = clean_chunk(TsvBlock(0, WHERE, 1, path.read_bytes() + b"\n"), filters)
    assert b"".join(c.src for c in cleaned) == whole.src and before == whole.records == 4
    assert np.concatenate([c.lines for c in cleaned]).tolist() == whole.lines.tolist() == [1, 3, 4]
    assert [str(bad) for c in cleaned for bad in c.skipped] == [str(bad) for bad in whole.skipped] == [
        "c.tsv: line 2: length ratio over 3"]


def test_json_lines_are_parsed_by_the_workers_as_their_reader_reads_them(tmp_path, monkeypatch):
    """A JSON Lines corpus goes to the workers as blocks of raw lines (json.loads on every core), and cleans to the
    same pairs, lines and reasons as read_records' records, across blocks, a BOM and CRLF line ends included."""
    lines = ['{"translation": {"en": "Hello", "es": "Hola"}}', "not json", '{"en-GB": "Night", "es": "Noche"}',
             "", "[1, 2]", '{"en": "only one"}', '{"en": "Two  spaces", "es": "Dos espacios"}'] * 5
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + "\r\n".join(lines).encode()))
    monkeypatch.setattr(cleaning, "BLOCK_BYTES", 100)
    spec = CorpusSpec(path=path)
    blocks = list(cleaning.chunks([spec], ("en", "es")))
    assert len(blocks) > 3 and all(isinstance(block, cleaning.JsonlBlock) for block in blocks)
    filters = FilterConfig()
    got = [clean_chunk(block, filters) for block in blocks]
    expected = clean_records(0, list(read_records((path,), ("en", "es"))), blocks[0].where, filters)
    assert b"".join(c.src for c in got) == expected.src == b"Hello\nNight\nTwo spaces\n" * 5
    assert np.concatenate([c.lines for c in got]).tolist() == expected.lines.tolist()
    assert [str(bad) for c in got for bad in c.skipped] == [str(bad) for bad in expected.skipped]
    assert sum(c.records for c in got) == expected.records == len(lines)


def test_the_length_ratio_counts_a_wide_character_twice():
    """By characters, Chinese is a third as long as its English: max_ratio 3 dropped most Chinese-English pairs."""
    lines = ["我不喜欢米饭。\tI do not like rice.", "我们在图书馆工作。\tWe work in the library.",
             "他们想去火车站吗？\tDo they want to go to the station?", "私は学生です。\tI am a student here.",
             "好。\tThat is very good indeed, thank you so much."]  # the last: a pair that does not match
    cleaned = clean_chunk(TsvBlock(0, WHERE, 1, "".join(f"{line}\n" for line in lines).encode()), FilterConfig())
    assert [(bad.line, bad.reason) for bad in cleaned.skipped] == [(5, "length ratio over 3")]
