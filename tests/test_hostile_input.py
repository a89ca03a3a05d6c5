"""Hostile and pathological input: what costs the service time or memory out of proportion to a request's size is
refused before that work, or done in time that grows linearly with the input."""
from __future__ import annotations

import gzip
import io
import tracemalloc
import zipfile
from html.parser import HTMLParser

import pytest
from service_fixtures import client_for

from nmt.app import office
from nmt.app.labels import Languages
from nmt.model.glossary import GlossaryError, read_glossary
from nmt.model.html import InvalidHtml, parse
from nmt.model.translator import Translator
from nmt.scripts.translate_file_formats import office as office_file
from nmt.training import compressed
from nmt.training.compressed import read_blocks
from nmt.training.corpus import read_records
from nmt.training.errors import CorpusError


def test_a_too_long_sentence_is_refused_before_it_is_masked(translator, monkeypatch):
    # Masking a sentence of 20,000 characters of "1-1-1-…" took 95 s on the event loop (every other request
    # waited), only to refuse it with 413 afterwards; the limit is checked as the texts are cut into sentences
    seen: list[str] = []
    untagged = Translator._untagged
    monkeypatch.setattr(Translator, "_untagged", lambda self, text, terms: seen.append(text) or untagged(self, text, terms))
    with client_for(translator, max_sentence_chars=50) as client:
        seen.clear()  # (the warm-up's sentence)
        answer = client.post("/v1/translate", json={"text": ["alpha beta.", "1-" * 100]})
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"] == ("text 1 has a sentence of 200 characters; the limit is 50 (end sentences "
                                          "with . ! ? or a line break)")
        assert seen == []
        assert client.post("/v1/translate", json={"text": "alpha beta"}).status_code == 200



def test_a_sentence_of_too_many_subwords_is_refused_before_it_is_searched(translator, monkeypatch):
    # 1,000 characters of "1 A 1 A ..." are 751 subwords of the en-es model (English: about 250), and a search's
    # work grows with the square of them: 20 such lines at beam 5 took 28 s, near the request timeout (504 at 30 s)
    searched = []
    search = Translator.search
    monkeypatch.setattr(Translator, "search", lambda self, sentences, options: searched.append(sentences)
                        or search(self, sentences, options))
    with client_for(translator, max_sentence_subwords=6) as client:
        searched.clear()  # (the warm-up's)
        long = " ".join(["alpha beta gamma"] * 3)
        ids = translator.prepare([long])[0].sentences[0].ids
        answer = client.post("/v1/translate", json={"text": ["alpha beta.", long]})
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"] == (f"text 1 has a sentence of {len(ids)} subwords; the limit is 6 (end "
                                          "sentences with . ! ? or a line break)")
        assert searched == []
        assert client.post("/v1/translate", json={"text": "alpha beta"}).status_code == 200

def test_a_lt_sign_after_the_last_gt_sign_is_not_read_as_the_start_of_a_tag(monkeypatch):
    # html.parser scanned from each "<" of "<a <a <a …" to the end for a tag's ">" (quadratic: 20,000 characters of
    # format html took 7 s); after the last ">" none can end, and each is read as text at once
    tried = []
    whole = HTMLParser.check_for_whole_start_tag
    monkeypatch.setattr(HTMLParser, "check_for_whole_start_tag", lambda self, i: tried.append(i) or whole(self, i))
    source = "<p>alpha</p> beta <a <b c='d' <e " + "<a " * 100
    *_, run = parse(source).runs
    assert tried == [0]  # the <p>'s
    assert run.raw == source.removeprefix("<p>alpha</p>") and run.text() == source.removeprefix("<p>alpha</p>")
    with pytest.raises(InvalidHtml, match="marked section"):  # as before: "<!" is the parser's still
        parse("<p>alpha</p> <![foo bar")


@pytest.mark.parametrize("read", [
    lambda path: list(read_records((path,), ("en", "es"))),  # pairs, line by line
    lambda path: list(read_blocks(path, 64)),  # pairs to clean and files to translate, block by block
])
def test_a_line_over_the_limit_is_refused_not_held_whole(tmp_path, monkeypatch, read):
    # a .gz of 200 kB that inflated to one line of 200 MB took 840 MB to read (one of 2 MB: 8 GB)
    monkeypatch.setattr(compressed, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "pairs.tsv.gz"
    path.write_bytes(gzip.compress(b"hello\thola\n" + b"a" * 5000 + b"\tb\nbye\tadios\n"))
    with pytest.raises(CorpusError, match=r"pairs.tsv.gz: line 2 is over \d+ MiB: not a file of lines"):
        read(path)
    path.write_bytes(gzip.compress(b"hello\thola\n" + b"a" * 900 + b"\tb\nbye\tadios\n"))
    assert read(path)  # under the limit: read


def test_a_file_read_whole_over_the_limit_is_refused_before_it_is_all_in_memory(tmp_path, monkeypatch):
    # a gettext catalog as .po.gz (read whole by nmt prepare) inflated with no bound: a few MB could take GBs
    monkeypatch.setattr(compressed, "MAX_WHOLE_BYTES", 1000)
    path = tmp_path / "messages.po.gz"
    path.write_bytes(gzip.compress(b'msgid "a"\nmsgstr "b"\n' + b"#" * 5000))
    with pytest.raises(CorpusError, match=r"messages.po.gz: over 0 MiB \(decompressed\): too large to be read whole"):
        compressed.read_whole(path, bytes.decode)
    path.write_bytes(gzip.compress(b'msgid "a"\nmsgstr "b"\n'))
    assert compressed.read_whole(path, bytes.decode).startswith("msgid")


def with_picture(content: bytes, picture: bytes) -> bytes:
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/image1.png", picture)
    return out.getvalue()


def test_a_big_picture_in_a_document_is_copied_not_held_whole():
    # a .docx of 200 kB with a picture of 200 MB of zeros took 1.0 GB (nmt translate-file) and 1.4 GB (the
    # service) to translate: every entry was inflated into memory to be written again; now copied a MB at a time
    content = with_picture(office_file(".docx", "Hello."), bytes(32 << 20))
    tracemalloc.start()
    try:
        texts, render = office.read(content, office.KINDS[".docx"])
        written = render(texts, Languages("en", "es"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.read("word/media/image1.png") == bytes(32 << 20)


def test_the_parts_not_translated_are_written_as_they_were(translator):
    picture = bytes(range(256)) * 4000
    content = with_picture(office_file(".docx", "alpha beta."), picture)
    with client_for(translator) as client:
        answer = client.post("/translate_file", files={"file": ("letter.docx", content)},
                             data={"source": "en", "target": "es"})
        assert answer.status_code == 200, answer.text
        download = client.get(answer.json()["translatedFileUrl"])
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(content)) as before, zipfile.ZipFile(io.BytesIO(download.content)) as after:
        assert [(e.filename, e.compress_type, e.date_time) for e in after.infolist()] == [
            (e.filename, e.compress_type, e.date_time) for e in before.infolist()]
        assert after.read("word/media/image1.png") == picture
        assert after.read("[Content_Types].xml") == before.read("[Content_Types].xml")
        assert after.read("word/document.xml") != before.read("word/document.xml")


def encrypted(content: bytes, name: str) -> bytes:
    """The zip with its entry of that name flagged encrypted in the central directory, as a password-protected
    zip's entries are (zipfile then raises RuntimeError: "password required for extraction")."""
    data, at = bytearray(content), 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:  # each central directory header
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + length] == name.encode():
            data[at + 8] |= 1
        at += 4
    return bytes(data)


def test_an_encrypted_entry_is_one_line_not_a_traceback(translator):
    content = encrypted(with_picture(office_file(".docx", "alpha beta."), b"png"), "word/media/image1.png")
    with client_for(translator) as client:
        answer = client.post("/translate_file", files={"file": ("letter.docx", content)},
                             data={"source": "en", "target": "es"})
    assert answer.status_code == 400 and answer.json()["error"].endswith(
        "word/media/image1.png is encrypted (save the file without a password)"), answer.text
    with pytest.raises(GlossaryError, match="^terms.xlsx: xl/workbook.xml is encrypted"):
        read_glossary(encrypted(office_file(".xlsx", "alpha"), "xl/workbook.xml"), "terms.xlsx")
