"""EPUB books through POST /translate_file: written and read back by ebooklib, as e-book tools do; each XHTML
document translated as the HTML API translates it, still well-formed XML; the table of contents' labels and the
book's title translated; the language labels the target's (en -> es); every other entry kept, the mimetype entry
first and stored. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from ebooklib import epub as ebooklib
from service_fixtures import client_for, downloaded, upload

from nmt.app import epub

CHAPTER = "<h1>alpha beta</h1><p>alpha beta <b>gamma delta</b> eps tau</p><p>tau mu&#160;</p><p>mu nu<br/>xi</p>"


@pytest.fixture(scope="module")
def client(translator):
    with client_for(translator, max_file_bytes=200_000) as c:
        yield c


def book(chapter: str = CHAPTER) -> bytes:
    written = ebooklib.EpubBook()
    written.set_identifier("test-book")
    written.set_title("alpha beta gamma")
    written.set_language("en")
    one = ebooklib.EpubHtml(title="tau mu", file_name="one.xhtml", lang="en")
    one.content = chapter
    written.add_item(one)
    written.toc = [one]
    written.add_item(ebooklib.EpubNcx())
    written.add_item(ebooklib.EpubNav())
    written.spine = ["nav", one]
    out = io.BytesIO()
    ebooklib.write_epub(out, written)
    return out.getvalue()


def test_a_book_is_translated_as_the_html_api_translates_its_documents(client, tmp_path):
    source = book()
    download = downloaded(client, "book.epub", source)
    assert download.headers["content-type"] == epub.MEDIA_TYPE
    before, after = zipfile.ZipFile(io.BytesIO(source)), zipfile.ZipFile(io.BytesIO(download.content))
    assert [e.filename for e in after.infolist()] == [e.filename for e in before.infolist()]
    assert after.infolist()[0].filename == "mimetype" and after.infolist()[0].compress_type == zipfile.ZIP_STORED
    for entry in before.infolist():
        written = after.read(entry.filename)
        if epub.DOCUMENTS.fullmatch(entry.filename):
            ET.fromstring(written)  # well-formed XML
            html = client.post("/v1/translate", json={"text": before.read(entry).decode(), "format": "html"})
            translation = html.json()["translations"][0]["text"].replace("&nbsp;", "&#160;")
            assert 'lang="en"' in translation and written.decode() == translation.replace('lang="en"', 'lang="es"')
        elif entry.filename.endswith((".ncx", ".opf")):
            assert written == before.read(entry).replace(b"alpha beta gamma", b"GAMMA BETA ALPHA").replace(
                b">tau mu<", b">MU TAU<").replace(b"<dc:language>en<", b"<dc:language>es<"), (
                f"{entry.filename}: the labels, the title and the language, and nothing else")
        else:
            assert written == before.read(entry), f"{entry.filename} was changed"
    (tmp_path / "out.epub").write_bytes(download.content)
    assert b"<text>MU TAU</text>" in after.read("EPUB/toc.ncx") and b">GAMMA BETA ALPHA</dc:title>" in after.read(
        "EPUB/content.opf")
    book_read = ebooklib.read_epub(tmp_path / "out.epub")
    assert book_read.get_metadata("DC", "title")[0][0] == "GAMMA BETA ALPHA"
    assert [link.title for link in book_read.toc] == ["MU TAU"]
    chapter = book_read.get_item_with_href("one.xhtml").get_body_content().decode()
    assert "<h1>BETA ALPHA</h1>" in chapter and "<p>TAU EPS <b>DELTA GAMMA</b> BETA ALPHA</p>" in chapter
    assert "<p>MU TAU\xa0</p>" in chapter, "the no-break space, written &#160;"


def zipped(*entries: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("content, reason", [
    (b"PK\x03\x04 not really", "it is not a readable zip file"),
    (zipped(("one.xhtml", b"<html/>")), "it has no mimetype"),
    (zipped(("mimetype", b"application/zip"), ("one.xhtml", b"<html/>")),
     "its mimetype entry does not say application/epub+zip"),
    (zipped(("mimetype", b"application/epub+zip"), ("OEBPS/one.xhtml", "<p>señor</p>".encode("latin-1"))),
     "OEBPS/one.xhtml: it is not UTF-8 (byte 5)"),
])
def test_a_file_that_is_not_a_book_is_refused_in_one_line(client, content, reason):
    answer = upload(client, "x.epub", content)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"Invalid request: x.epub is not an EPUB book that can be read: {reason}")
