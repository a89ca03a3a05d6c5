"""The formats people have: TSV, aligned files, TMX, JSON Lines and CSV, each plain or gzip/xz/zstd/bzip2-compressed,
streamed; and the damaged ones (a truncated archive, XML that breaks at line N, a file of mixed encodings) refused
in one line that names the file and line, exit 2."""
from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import random
import tempfile
import zlib
from pathlib import Path

import pytest
import yaml
import zstandard
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nmt.cli import main
from nmt.scripts.harness import reversal_pairs, write_tsv
from nmt.training.compressed import read_blocks, read_lines, read_span
from nmt.training.config import load_config
from nmt.training.corpus import BadLine, CorpusError, load_corpus
from nmt.training.prepared import prepare

COMPRESS = {"gz": gzip.compress, "xz": lzma.compress, "zst": zstandard.ZstdCompressor().compress, "bz2": bz2.compress}
PAIRS = [("Hello, world.", "¡Hola, mundo!"), ("two  words", "dos palabras"), ("Ünïcode", "Unicódigo")]


def tsv_bytes(pairs) -> bytes:
    return "".join(f"{s}\t{t}\n" for s, t in pairs).encode()


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_compressed_tsv_and_aligned_files_read_as_plain_ones(tmp_path, suffix):
    compress = COMPRESS[suffix]
    (tmp_path / f"c.tsv.{suffix}").write_bytes(compress(tsv_bytes(PAIRS)))
    expected = [("Hello, world.", "¡Hola, mundo!"), ("two words", "dos palabras"), ("Ünïcode", "Unicódigo")]
    assert load_corpus(tmp_path / f"c.tsv.{suffix}").pairs == expected
    (tmp_path / f"c.en.{suffix}").write_bytes(compress("".join(s + "\n" for s, _ in PAIRS).encode()))
    (tmp_path / "c.es").write_text("".join(t + "\n" for _, t in PAIRS))  # one compressed, one not
    assert load_corpus(tmp_path / f"c.en.{suffix}", tmp_path / "c.es").pairs == expected


@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_blocks_hold_the_lines_that_read_lines_gives(tmp_path, size):
    text = "\ufeffHello\tHola\r\n\nA line longer than a small block\tUna línea\nno final line end\tsin fin"
    for path, data in ((tmp_path / "p.tsv", text.encode()), (tmp_path / "c.tsv.gz", gzip.compress(text.encode()))):
        path.write_bytes(data)
        blocks = list(read_blocks(path, size))
        assert all(block.endswith(b"\n") for _, block in blocks)
        assert b"".join(block for _, block in blocks).split(b"\n")[:-1] == [
            line + b"\r" if line == b"Hello\tHola" else line for line in read_lines(path)]
        firsts = [first for first, _ in blocks]
        assert firsts == [1 + sum(block.count(b"\n") for _, block in blocks[:i]) for i in range(len(blocks))]
    plain = tmp_path / "p.tsv"
    spans = [read_span(plain, start, start + size) for start in range(0, plain.stat().st_size, size)]
    assert b"".join(spans) == b"".join(block for _, block in read_blocks(plain, size)), "spans tile the file's lines"


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header srclang="en-US" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="x"
          creationtoolversion="1"/>
  <body>
    <tu tuid="1">
      <tuv xml:lang="en-US"><seg>Press <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> now.</seg></tuv>
      <tuv xml:lang="es-ES"><seg>Pulse <bpt i="1">&lt;b&gt;</bpt>Guardar<ept i="1">&lt;/b&gt;</ept> ahora.</seg></tuv>
    </tu>
    <tu tuid="2">
      <tuv xml:lang="EN-us"><seg>Fish &amp; chips</seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Poisson-frites</seg></tuv>
    </tu>
    <tu tuid="3">
      <tuv lang="en"><seg>Good  morning</seg></tuv>
      <tuv lang="es"><seg>Buenos días</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_tmx_streams_units_in_the_configured_languages_with_line_numbers(tmp_path):
    (tmp_path / "m.tmx.gz").write_bytes(gzip.compress(TMX.encode()))
    corpus = load_corpus(tmp_path / "m.tmx.gz", langs=("en", "es"))
    assert corpus.pairs == [("Press Save now.", "Pulse Guardar ahora."), ("Good morning", "Buenos días")]
    assert corpus.bad_lines == [BadLine(str(tmp_path / "m.tmx.gz"), 10, "no es segment")]
    assert load_corpus(tmp_path / "m.tmx.gz", langs=("en-us", "fr")).pairs == [("Fish & chips", "Poisson-frites")]


JSONL = [json.dumps({"id": "1", "translation": {"en": "Hello,  world.", "es": "¡Hola, mundo!"}}, ensure_ascii=False),
         json.dumps({"en-GB": "Colour", "es_ES": "Color", "score": 0.9}),  # the flat layout, codes with regions
         "",
         '{"en": "Unclosed", "es": ',
         '["Hello", "Hola"]',
         json.dumps({"translation": {"en": "Only English"}}),
         json.dumps({"en": 42, "es": "cuarenta y dos"})]  # (a number is no text)


def test_json_lines_in_the_configured_languages_either_layout(tmp_path):
    data = "\n".join(JSONL).encode() + '\n{"en": "Café", "es": "Café"}\n'.encode("latin-1")
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(data))
    corpus = load_corpus(tmp_path / "c.jsonl.gz", langs=("en", "es"))
    assert corpus.pairs == [("Hello, world.", "¡Hola, mundo!"), ("Colour", "Color")]
    where = str(tmp_path / "c.jsonl.gz")
    assert corpus.bad_lines == [BadLine(where, 3, "empty"), BadLine(where, 4, "not JSON"),
                                BadLine(where, 5, "not a JSON object"), BadLine(where, 6, "no es segment"),
                                BadLine(where, 7, "no en segment"), BadLine(where, 8, "not UTF-8")]
    (tmp_path / "c.ndjson").write_text("\n".join(JSONL[:2]))
    assert load_corpus(tmp_path / "c.ndjson", langs=("es", "en")).pairs == [("¡Hola, mundo!", "Hello, world."),
                                                                           ("Color", "Colour")]
    with pytest.raises(CorpusError, match=r"c\.jsonl\.gz: line 4: not JSON \(strict mode\)"):
        load_corpus(tmp_path / "c.jsonl.gz", strict=True)


def csv_text(rows) -> str:
    """Rows as spreadsheets write them (csv's Excel dialect: CRLF line ends, fields quoted where they must be)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_csv_columns_named_by_the_languages_a_rows_line_its_first(tmp_path):
    text = csv_text([["id", "en-GB", "es"], [1, 'Hello, "world"', "Hola"], [2, "Two\nlines", "Dos líneas"],
                     [3, "short"], [], [4, "Good night", "Buenas noches"]])
    data = text.encode() + "5,Café,Café\r\n".encode("latin-1") + b'6,"Left open,x\r\n7,y,z\r\n'
    (tmp_path / "c.csv.gz").write_bytes(gzip.compress(data))
    corpus = load_corpus(tmp_path / "c.csv.gz", langs=("en", "es"))
    assert corpus.pairs == [('Hello, "world"', "Hola"), ("Two lines", "Dos líneas"), ("Good night", "Buenas noches")]
    where = str(tmp_path / "c.csv.gz")
    assert corpus.bad_lines == [BadLine(where, 5, "expected 3 comma-separated columns, found 2"),
                                BadLine(where, 6, "empty"), BadLine(where, 8, "not UTF-8"),
                                BadLine(where, 9, "expected 3 comma-separated columns, found 2 over several lines (a "
                                                  "quote left open?)")], "row 2 takes lines 3-4; row 6, 9 to the end"


def test_csv_of_source_and_target_columns_and_a_header_that_names_no_pair(tmp_path, capsys):
    (tmp_path / "st.csv").write_bytes(b"\xef\xbb\xbf" + csv_text([["Source", "Target"], ["Hello", "Hola"]]).encode())
    assert load_corpus(tmp_path / "st.csv", langs=("en", "es")).pairs == [("Hello", "Hola")], "Excel's CSV UTF-8"
    (tmp_path / "st.csv").write_text(csv_text([["src", "tgt"], ["Hello", "Hola"]]))
    assert load_corpus(tmp_path / "st.csv", langs=("de", "fr")).pairs == [("Hello", "Hola")], "whatever the languages"
    (tmp_path / "fr.csv").write_text(csv_text([["id", "en", "fr"], [1, "Hello", "Bonjour"]]))
    err = refused(tmp_path, capsys, tmp_path / "fr.csv")
    assert f"{tmp_path / 'fr.csv'}: line 1: its header is 'id,en,fr': expected columns named by the languages read, en " \
           "and es, or exactly two, source,target (or src,tgt)" in err


@pytest.mark.parametrize("header", [["english", "spanish"], ["English", "Español"], ["Term [en]", "Term [es-ES]"]])
def test_csv_columns_named_by_the_languages_names(tmp_path, header):
    """A corpus's header as datasets and glossaries write it (Kaggle's english,spanish; was refused: "its header is
    'english,spanish': expected columns named by the languages read")."""
    (tmp_path / "c.csv").write_text(csv_text([header, ["Hello", "Hola"]]), encoding="utf-8")
    assert load_corpus(tmp_path / "c.csv", langs=("en", "es")).pairs == [("Hello", "Hola")]
    assert load_corpus(tmp_path / "c.csv", langs=("es", "en")).pairs == [("Hola", "Hello")]


def test_csv_separated_by_semicolons_or_tabs(tmp_path):
    """Excel writes ; where the comma is the decimal mark (most of Europe); a .csv may also be a TSV. The header
    tells which: a comma in a field is then text."""
    rows = [["en", "es"], ["Hello, world", "Hola, mundo"], ["Pi is 3,14", "Pi es 3,14"], ["one; two", "uno; dos"],
            ["short"]]
    for separator, name in [(";", "semicolon"), ("\t", "tab")]:
        out = io.StringIO()
        csv.writer(out, delimiter=separator).writerows(rows)
        (tmp_path / "c.csv").write_text(out.getvalue(), encoding="utf-8")
        corpus = load_corpus(tmp_path / "c.csv", langs=("en", "es"))
        assert corpus.pairs == [tuple(row) for row in rows[1:4]]
        assert corpus.bad_lines == [BadLine(str(tmp_path / "c.csv"), 5, f"expected 2 {name}-separated columns, found 1")]


@pytest.mark.parametrize("name", ["f.jsonl", "f.csv"])
@settings(max_examples=80, deadline=None)
@given(content=st.binary(max_size=200) | st.text(alphabet='en,s"\n{}:[]\r\x00é', max_size=60).map(str.encode))
@example(content=b"[" * 100_000 + b"]" * 100_000)  # (JSON's parser recurses past Python's limit)
@example(content=b'en,es\n"open,x\n' + b"y" * 200_000 + b"\nlast,row\n")  # a field over csv's limit
def test_any_bytes_as_json_lines_or_csv_are_read_or_refused(name, content):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(content)
        try:
            corpus = load_corpus(path)
        except CorpusError as e:  # (a header that names no pair, bytes that look compressed and are not)
            assert str(e).startswith(f"{path}: ") and "\n" not in str(e), e
            return
        assert all(bad.line >= 1 for bad in corpus.bad_lines) and all(all(pair) for pair in corpus.pairs)


def test_prepare_and_train_read_weighted_json_lines_and_csv_corpora_and_dev_set(tmp_path, capsys, monkeypatch):
    pairs = list(dict.fromkeys(reversal_pairs(800, 3)))[:300]
    jsonl, table = tmp_path / "a.jsonl.gz", tmp_path / "b.csv"
    jsonl.write_bytes(gzip.compress("".join(json.dumps({"translation": {"en": s, "es": t}}) + "\n"
                                            for s, t in pairs[:200] + [pairs[0]]).encode() + b"{oops\n"))
    table.write_text(csv_text([["source", "target"], *pairs[200:], ["one column"]]))
    dev = tmp_path / "dev.csv"
    dev.write_text(csv_text([["es", "en"], *((t, s) for s, t in reversal_pairs(10, 1)), ["only one"]]))
    config = {"out_dir": str(tmp_path / "run"), "data": {"train": [{"path": str(jsonl), "weight": 2},
                                                                   {"path": str(table), "weight": 0.5}],
                                                         "dev": str(dev), "max_len": 50},
              "model": {"src_vocab_size": 40, "tgt_vocab_size": 40, "emb_dim": 8, "enc_hidden": 8, "dec_hidden": 16},
              "train": {"max_steps": 2, "eval_every": 2, "threads": 1}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setattr("nmt.training.prepared.INLINE_BYTES", 0)  # spawned workers, each taking chunks of records
    monkeypatch.setattr("nmt.training.cleaning.CHUNK", 64)
    assert main(["prepare", str(tmp_path / "c.yaml")]) == 0
    out = capsys.readouterr().out
    assert "train: 300 sentence pairs, 3 lines skipped (1 duplicate pair, 1 expected 2 comma-separated columns, " \
           "found 1, 1 not JSON)" in out
    assert f"  {jsonl}: line 202: not JSON\n" in out and f"  {table}: line 102: expected 2 comma-separated" in out
    corpus = prepare(load_config(tmp_path / "c.yaml"), print).corpus
    assert corpus.ranges == [[0, 200], [200, 300]] and corpus.text(0) == pairs[0] and corpus.text(299) == pairs[299]
    assert corpus.where(250) == (1, 52), "the CSV row's line, after the header"
    assert main(["train", str(tmp_path / "c.yaml")]) == 0
    assert "dev: 10 sentence pairs, 1 lines skipped (1 expected 2 comma-separated columns, found 1)" in (
        capsys.readouterr().out), "the dev set's columns picked by the languages, es before en"


def refused(tmp_path, capsys, train) -> str:
    dev = write_tsv(tmp_path / "dev.tsv", reversal_pairs(10, 1))
    config = {"out_dir": str(tmp_path / "run"), "data": {"train": str(train), "dev": str(dev)},
              "model": {"src_vocab_size": 40, "tgt_vocab_size": 40, "emb_dim": 8, "enc_hidden": 8, "dec_hidden": 16},
              "train": {"max_steps": 2, "threads": 1}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "c.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nmt train: error: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_truncated_gzip_is_named_with_the_line_reached(tmp_path, capsys):
    # Within preparation's first 4 MB block: it said "after line 0", the whole lines before the break uncounted.
    data = gzip.compress(tsv_bytes(reversal_pairs(20_000, 0)))
    (tmp_path / "t.tsv.gz").write_bytes(data[: len(data) // 2])
    whole = zlib.decompressobj(31).decompress(data[: len(data) // 2]).count(b"\n")  # all that came out before the break
    err = refused(tmp_path, capsys, tmp_path / "t.tsv.gz")
    assert f"{tmp_path / 't.tsv.gz'}: damaged or truncated gzip data after line {whole}: " in err and whole > 1000
    for size in (1 << 10, 4 << 20):  # the same line, wherever the blocks end
        with pytest.raises(CorpusError, match=f"gzip data after line {whole}: "):
            list(read_blocks(tmp_path / "t.tsv.gz", size))
    first = random.Random(0).randbytes(50_000).hex().encode() + b"\tX\n"  # a line of 100,003 bytes, cut early:
    (tmp_path / "t.tsv.gz").write_bytes(gzip.compress(first)[:2000])
    with pytest.raises(CorpusError, match="gzip data before any whole line: "):
        list(read_blocks(tmp_path / "t.tsv.gz", 4 << 20))
    with pytest.raises(CorpusError, match="truncated zstd data"):
        (tmp_path / "t.tsv.zst").write_bytes(COMPRESS["zst"](tsv_bytes(PAIRS))[:-4])
        load_corpus(tmp_path / "t.tsv.zst")
    with pytest.raises(CorpusError, match="truncated bzip2 data"):
        (tmp_path / "t.tsv.bz2").write_bytes(COMPRESS["bz2"](tsv_bytes(PAIRS))[:-4])
        load_corpus(tmp_path / "t.tsv.bz2")


def test_text_that_begins_as_bzip2_does_is_plain(tmp_path):
    (tmp_path / "b.tsv").write_bytes(b"BZh9 a line\tuna l\xc3\xadnea\n")  # bzip2's three bytes and a block size
    assert load_corpus(tmp_path / "b.tsv").pairs == [("BZh9 a line", "una línea")]


def test_tmx_whose_xml_breaks_at_line_n(tmp_path, capsys):
    lines = TMX.splitlines()
    lines[10] = lines[10].replace("&amp;", "&")  # line 11: a bare ampersand
    (tmp_path / "m.tmx").write_text("\n".join(lines))
    err = refused(tmp_path, capsys, tmp_path / "m.tmx")
    assert f"{tmp_path / 'm.tmx'}: line 11: broken XML: " in err


def test_tmx_with_an_entity_its_dtd_declares_is_refused_at_its_line(tmp_path, capsys):
    """Never expanded (a file's content, a billion laughs); left out, "Hello &e;" was read "Hello " silently."""
    lines = TMX.splitlines()
    lines[0] += '\n<!DOCTYPE tmx [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
    lines[10] = lines[10].replace("&amp;", "&e;")  # line 12 now: the DOCTYPE is a line of its own
    (tmp_path / "m.tmx").write_text("\n".join(lines))
    err = refused(tmp_path, capsys, tmp_path / "m.tmx")
    assert f"{tmp_path / 'm.tmx'}: line 12: entity &e; is not read" in err


def test_a_file_of_mixed_encodings(tmp_path, capsys):
    utf8 = "".join(f"{s} é\t{t} É\n" for s, t in reversal_pairs(100, 0)).encode()
    latin1 = "".join(f"{s} é\t{t} É\n" for s, t in reversal_pairs(50, 1)).encode("latin-1")
    (tmp_path / "mixed.tsv").write_bytes(utf8 + latin1)
    err = refused(tmp_path, capsys, tmp_path / "mixed.tsv")
    assert f"{tmp_path / 'mixed.tsv'}: line 101: not UTF-8, like 50 of its 150 lines while the others are: mixed " \
           "encodings" in err


def test_mixed_encodings_in_the_target_file_of_an_aligned_pair(tmp_path, capsys):
    pairs = reversal_pairs(60, 0)
    (tmp_path / "c.en").write_text("".join(f"{s} é\n" for s, _ in pairs))
    (tmp_path / "c.es").write_bytes(b"".join(f"{t} \xe9\n".encode("latin-1" if i % 2 else "utf-8")
                                             for i, (_, t) in enumerate(pairs)))
    dev = write_tsv(tmp_path / "dev.tsv", reversal_pairs(10, 1))
    config = {"out_dir": str(tmp_path / "run"), "data": {"train": [str(tmp_path / "c.en"), str(tmp_path / "c.es")],
                                                        "dev": str(dev)}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    assert main(["prepare", str(tmp_path / "c.yaml")]) == 2
    assert f"{tmp_path / 'c.es'}: line 2: not UTF-8, like 30 of its 60 lines" in capsys.readouterr().err


XLIFF_12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a" source-language="en-US" target-language="es" datatype="plaintext">
    <body>
      <trans-unit id="1">
        <source>Fish &amp; <g id="b">chips</g><x id="p"/></source>
        <target>Pescado y <g id="b">patatas</g><x id="p"/></target>
      </trans-unit>
      <trans-unit id="2"><source>Not yet translated</source></trans-unit>
      <trans-unit id="3"><source>Good <ph id="c">{0}</ph>morning</source><target>Buenos <ph id="c">{0}</ph>días</target>
      </trans-unit>
    </body>
  </file>
</xliff>
"""
XLIFF_20 = """<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="es">
  <file id="f"><unit id="u">
    <segment><source>Good <pc id="1">night</pc></source><target>Buenas <pc id="1">noches</pc></target></segment>
    <ignorable><source> </source></ignorable>
    <segment><source>Sleep well</source><target>Duerme bien</target></segment>
  </unit></file>
</xliff>
"""


def test_xliff_units_with_targets_are_pairs_codes_around_words_their_text(tmp_path, capsys):
    (tmp_path / "app.xlf.gz").write_bytes(gzip.compress(XLIFF_12.encode()))
    corpus = load_corpus(tmp_path / "app.xlf.gz", langs=("en", "es"))
    assert corpus.pairs == [("Fish & chips", "Pescado y patatas"), ("Good morning", "Buenos días")], (
        "a placeholder's code is not text")
    assert corpus.bad_lines == [BadLine(str(tmp_path / "app.xlf.gz"), 9, "no es segment")]
    (tmp_path / "app.xliff").write_text(XLIFF_20)
    assert load_corpus(tmp_path / "app.xliff", langs=("en", "es")).pairs == [("Good night", "Buenas noches"),
                                                                              ("Sleep well", "Duerme bien")]
    (tmp_path / "fr.xlf").write_text(XLIFF_12.replace('target-language="es"', 'target-language="fr"'))
    err = refused(tmp_path, capsys, tmp_path / "fr.xlf")
    assert f"{tmp_path / 'fr.xlf'}: line 3: its target-language is fr, but the pairs read are en -> es" in err


PO = r'''msgid ""
msgstr ""
"Language: es_MX\n"

msgid "Good night"
msgstr "Buenas noches"

#, fuzzy
msgid "Good morning"
msgstr "Buenos dias, a guess"

msgid "Sleep well"
msgstr ""

msgid "One file"
msgid_plural "%d files"
msgstr[0] "Un archivo"
msgstr[1] "%d archivos"

#~ msgid "Old"
#~ msgstr "Viejo"
'''


def test_gettext_messages_with_translations_are_pairs_fuzzy_ones_left_out(tmp_path, capsys):
    (tmp_path / "app.po.xz").write_bytes(lzma.compress(PO.encode()))
    corpus = load_corpus(tmp_path / "app.po.xz", langs=("en", "es"))
    assert corpus.pairs == [("Good night", "Buenas noches"), ("One file", "Un archivo"), ("%d files", "%d archivos")]
    assert corpus.bad_lines == [BadLine(str(tmp_path / "app.po.xz"), 12, "no es segment")]
    (tmp_path / "fr.po").write_text(PO.replace("es_MX", "fr"))
    err = refused(tmp_path, capsys, tmp_path / "fr.po")
    assert f"{tmp_path / 'fr.po'}: line 1: its Language is fr, but the pairs read are into es" in err
    (tmp_path / "latin.po").write_bytes(PO.replace("msgid \"\"\nmsgstr \"\"\n", "msgid \"\"\nmsgstr \"\"\n"
                                                   "\"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n").replace(
        "Buenos dias", "Buenos días").encode("latin-1"))
    assert ("Good night", "Buenas noches") in load_corpus(tmp_path / "latin.po", langs=("en", "es")).pairs
    (tmp_path / "bad.po").write_text('msgid "a"\nmsgstr "b"\nnot po\n')
    err = refused(tmp_path, capsys, tmp_path / "bad.po")
    assert f"{tmp_path / 'bad.po'}: line 3 is not a comment, a keyword (msgid, msgstr, ...) or a string" in err


TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES" sourcelanguage="en">
<context>
    <name>MainWindow</name>
    <message>
        <source>Good night</source>
        <translation>Buenas noches</translation>
    </message>
    <message>
        <source>Good morning</source>
        <translation type="unfinished">Buenos dias, a guess</translation>
    </message>
    <message>
        <source>Sleep well</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation><numerusform>%n archivo</numerusform><numerusform>%n archivos</numerusform></translation>
    </message>
    <message>
        <source>Old &amp; gone</source>
        <translation type="vanished">Viejo</translation>
    </message>
    <message>
        <source>Save &amp; quit</source>
        <translation>Guardar y salir</translation>
    </message>
</context>
</TS>
"""


def test_qt_linguist_finished_messages_are_pairs_guesses_and_plurals_left_out(tmp_path, capsys):
    (tmp_path / "app_es.ts.gz").write_bytes(gzip.compress(TS.encode()))
    corpus = load_corpus(tmp_path / "app_es.ts.gz", langs=("en", "es"))
    assert corpus.pairs == [("Good night", "Buenas noches"), ("Save & quit", "Guardar y salir")]
    assert corpus.bad_lines == [BadLine(str(tmp_path / "app_es.ts.gz"), 14, "no es segment")]
    (tmp_path / "fr.ts").write_text(TS.replace('language="es_ES"', 'language="fr"'))
    err = refused(tmp_path, capsys, tmp_path / "fr.ts")
    assert f"{tmp_path / 'fr.ts'}: line 3: its language is fr, but the pairs read are en -> es" in err
    (tmp_path / "bad.ts").write_text(TS.replace("</context>", ""))
    err = refused(tmp_path, capsys, tmp_path / "bad.ts")
    assert f"{tmp_path / 'bad.ts'}: line 31: broken XML" in err


CATALOG = {
    "sourceLanguage": "en",
    "strings": {
        "Good morning": {"localizations": {"es": {"stringUnit": {"state": "translated", "value": "Buenos días"}}}},
        "greeting": {"localizations": {"en": {"stringUnit": {"state": "translated", "value": "Hello, %@!"}},
                                       "es": {"stringUnit": {"state": "translated", "value": "¡Hola, %@!"}}}},
        "Save": {"localizations": {"es": {"stringUnit": {"state": "needs_review", "value": "Guardar"}}}},
        "Quit": {"localizations": {"fr": {"stringUnit": {"state": "translated", "value": "Quitter"}}}},
        "ID": {"shouldTranslate": False},
        "%lld files": {"localizations": {
            "en": {"variations": {"plural": {"one": {"stringUnit": {"state": "translated", "value": "%lld file"}},
                                             "other": {"stringUnit": {"state": "translated", "value": "%lld files"}}}}},
            "es-419": {"variations": {"plural": {
                "one": {"stringUnit": {"state": "translated", "value": "%lld archivo"}},
                "many": {"stringUnit": {"state": "translated", "value": "%lld de archivos"}},
                "other": {"stringUnit": {"state": "translated", "value": "%lld archivos"}}}}}}},
    },
    "version": "1.0",
}


def test_a_string_catalogs_translated_strings_are_pairs_guesses_left_out(tmp_path, capsys):
    (tmp_path / "Localizable.xcstrings.gz").write_bytes(gzip.compress(json.dumps(CATALOG).encode()))
    corpus = load_corpus(tmp_path / "Localizable.xcstrings.gz", langs=("en", "es"))
    assert corpus.pairs == [("Good morning", "Buenos días"), ("Hello, %@!", "¡Hola, %@!"),
                            ("%lld file", "%lld archivo"), ("%lld files", "%lld archivos")], "a plural's cases both have"
    where = str(tmp_path / "Localizable.xcstrings.gz")
    assert corpus.bad_lines == [BadLine(where, 3, "no es segment"),
                                BadLine(where, 4, "no es segment")], "to be reviewed; only in French"
    (tmp_path / "de.xcstrings").write_text(json.dumps(CATALOG | {"sourceLanguage": "de"}))
    err = refused(tmp_path, capsys, tmp_path / "de.xcstrings")
    assert f"{tmp_path / 'de.xcstrings'}: its sourceLanguage is de, but the pairs read are en -> es" in err
    (tmp_path / "bad.xcstrings").write_text(json.dumps(CATALOG)[:-2])
    err = refused(tmp_path, capsys, tmp_path / "bad.xcstrings")
    assert f"{tmp_path / 'bad.xcstrings'}: it is not JSON (line 1, column" in err


KEYED = {  # an app's messages in English and Spanish, as each format writes them
    "xml": ('<resources><string name="hi">Don\\\'t <b>go</b>\\nnow</string><string name="x" translatable="false">X'
            '</string><string-array name="days"><item>Monday</item></string-array><plurals name="n"><item '
            'quantity="one">%d file</item><item quantity="other">%d files</item></plurals><string name="only">Only'
            '</string></resources>',
            '<resources><string name="hi">No <i>te</i> vayas\\nahora</string><string-array name="days"><item>lunes'
            '</item></string-array><plurals name="n"><item quantity="one">%d archivo</item><item quantity="many">'
            '%d de archivos</item><item quantity="other">%d archivos</item></plurals></resources>'),
    "properties": ("hi = Don''t go {0}\nonly = Only\n", "hi = No te vayas {0}\n"),
    "strings": ('"hi" = "Don\'t go";\n"only" = "Only";\n', '"hi" = "No te vayas";\n'),
    "yml": ("en:\n  hi: Don't go\n  days: [Monday]\n  only: Only\n", "es:\n  hi: No te vayas\n  days: [lunes]\n"),
    "ftl": ("hi = Don't go, { $user }\n    .title = Leave { $n } { $user }\nn =\n    { $n ->\n        [one] a file\n"
            "       *[other] { $n } files\n    }\nonly = Only\n",
            "hi = No te vayas, { $user }\n    .title = { $user } deja { $n }\nn =\n    { $n ->\n        [one] un archivo\n"
            "        [many] { $n } de archivos\n       *[other] { $n } archivos\n    }\n"),
    "php": ("<?php\nreturn [\n    'hi' => 'Don\\'t go :name',\n    'auth' => ['days' => ['Monday']],\n"
            "    'n' => '{1} a file|[2,*] :count files',\n    'only' => 'Only',\n];\n",
            "<?php\nreturn ['hi' => \"No te vayas :name\", 'auth' => ['days' => ['lunes']], "
            "'n' => '{1} un archivo|[2,*] :count archivos'];\n"),
}
KEYED_PAIRS = {  # (a pair is one line: a line break in a message is a space)
    "xml": [("Don't go now", "No te vayas ahora"), ("Monday", "lunes"), ("%d file", "%d archivo"),
            ("%d files", "%d archivos")],
    "properties": [("Don't go {0}", "No te vayas {0}")],  # (MessageFormat's '' an apostrophe, as the service reads it)
    "strings": [("Don't go", "No te vayas")],
    "yml": [("Don't go", "No te vayas"), ("Monday", "lunes")],
    "ftl": [("Don't go, {0}", "No te vayas, {0}"), ("Leave {0} {1}", "{1} deja {0}"), ("a file", "un archivo"),
            ("{0} files", "{0} archivos")],  # (a placeable's number its source's, in either language)
    "php": [("Don't go :name", "No te vayas :name"), ("Monday", "lunes"), ("a file", "un archivo"),
            (":count files", ":count archivos")],
}


@pytest.mark.parametrize("kind", list(KEYED))
def test_an_apps_messages_in_two_languages_are_pairs_by_key(tmp_path, kind):
    english, spanish = tmp_path / f"en.{kind}", tmp_path / f"es.{kind}.gz"
    english.write_text(KEYED[kind][0])
    spanish.write_bytes(gzip.compress(KEYED[kind][1].encode()))
    corpus = load_corpus(english, spanish)
    assert corpus.pairs == KEYED_PAIRS[kind]
    assert [bad.reason for bad in corpus.bad_lines] == ["no target language segment"], "Only: not in Spanish"


def test_a_keyed_file_with_a_byte_order_mark_is_read_as_the_service_reads_it(tmp_path):
    (tmp_path / "messages.properties").write_bytes(b"\xef\xbb\xbfhi = Hello\r\n")  # (its first key is "hi")
    (tmp_path / "messages_es.properties").write_text("hi = Hola\n")
    assert load_corpus(tmp_path / "messages.properties", tmp_path / "messages_es.properties").pairs == [("Hello", "Hola")]


def test_a_resx_pair_and_a_broken_keyed_file(tmp_path, capsys):
    header = '<root><resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>'
    (tmp_path / "Resources.resx").write_text(header + '<data name="a"><value>Hello</value></data></root>')
    (tmp_path / "Resources.es.resx").write_text(header + '<data name="a"><value>Hola</value></data></root>')
    assert load_corpus(tmp_path / "Resources.resx", tmp_path / "Resources.es.resx").pairs == [("Hello", "Hola")]
    (tmp_path / "es.yml").write_text("es: [unclosed\n")
    with pytest.raises(CorpusError, match=r"es\.yml: it is not YAML"):
        load_corpus(tmp_path / "Resources.resx", tmp_path / "Resources.es.resx") and load_corpus(
            tmp_path / "es.yml", tmp_path / "es.yml")
