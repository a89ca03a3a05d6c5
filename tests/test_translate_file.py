"""LibreTranslate's file translation: POST /translate_file -> {"translatedFileUrl"}, GET /download_file/ID. Text,
SubRip and HTML files keep their layout (lines, cue numbers and timings, markup); a file that is too large is 413,
one that is not what its extension says is 400; translated files wait in a bounded store that no ID can escape.

The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path

import docx
import pytest
from service_fixtures import client_for

from nmt.app.documents import FileRejected, read_document, text_file, timestamps_in_order
from nmt.app.filestore import FileStore
from nmt.app.labels import Languages
from nmt.app.packages import Damaged


@pytest.fixture(scope="module")
def client(translator):
    with client_for(translator, max_file_bytes=400, api_keys=["k1"]) as c:
        yield c


def upload(client, name: str, content: bytes, **fields: str):
    return client.post("/translate_file", files={"file": (name, content)},
                       data={"source": "en", "target": "es", "api_key": "k1"} | fields)


def translated(client, name: str, content: bytes, **fields: str) -> tuple[bytes, str]:
    """The downloaded file and its Content-Disposition."""
    answer = upload(client, name, content, **fields)
    assert answer.status_code == 200, answer.text
    url = answer.json()["translatedFileUrl"]
    assert url.startswith("http://testserver/download_file/")
    download = client.get(url)
    assert download.status_code == 200
    return download.content, download.headers["content-disposition"]


# --- the formats ----------------------------------------------------------------------------------------------
def test_a_text_file_keeps_its_lines_paragraphs_line_ends_and_byte_order_mark(client):
    text = "alpha beta\n\n  gamma delta\nmu nu xi\n"
    content, disposition = translated(client, "notes.txt", text.encode())
    assert content == b"BETA ALPHA\n\n  DELTA GAMMA\nXI NU MU\n" == translated_text(client, text).encode()
    assert disposition == 'attachment; filename="notes.txt"'
    content, _ = translated(client, "dos.txt", "\ufeffalpha beta\r\ngamma delta\r\n".encode())
    assert content == "\ufeffBETA ALPHA\r\nDELTA GAMMA\r\n".encode()


def test_a_text_a_file_holds_twice_is_translated_once_and_written_in_both_places(client):
    srt = "".join(f"{k}\n00:00:0{k},000 --> 00:00:0{k},500\n{text}\n\n" for k, text in
                  enumerate(["alpha beta", "mu nu", "alpha beta"], start=1))
    assert read_document("film.srt", srt.encode()).texts == ["alpha beta", "mu nu"]
    content, _ = translated(client, "film.srt", srt.encode())
    assert content.decode().split("\n")[2::4] == ["BETA ALPHA", "NU MU", "BETA ALPHA"]


def test_subtitles_keep_cue_numbers_timings_lines_and_tags(client):
    srt = ("1\n00:00:01,000 --> 00:00:02,500\nalpha beta\nmu nu\n\n"
           "2\n00:00:03,000 --> 00:00:04,000\ngamma & <i>delta</i> < eps\n")
    content, _ = translated(client, "film.srt", srt.encode())
    tagged = html.unescape(translated_text(client, "gamma &amp; <i>delta</i> &lt; eps", "html"))
    assert "<i>DELTA</i>" in tagged, "the tag around its word"
    assert content.decode() == ("1\n00:00:01,000 --> 00:00:02,500\nBETA ALPHA\nNU MU\n\n"
                                f"2\n00:00:03,000 --> 00:00:04,000\n{tagged}\n")
    document = read_document("film.srt", srt.encode())
    assert document.texts[1] == "gamma &amp; <i>delta</i> &lt; eps", "sent as HTML: its tags are tags, the rest text"
    assert document.render(["BETA ALPHA<br>NU MU", "EPS &lt; <i>DELTA</i> &amp; GAMMA"], Languages("en", "es")).decode(
        ).endswith("\nEPS < <i>DELTA</i> & GAMMA\n"), "and written back as SubRip's text"


def test_a_subrip_cues_leading_override_block_is_kept_in_front_of_its_translation():
    """{\\an8} (the cue at the top of the picture), which VLC and mpv honour, was sent as text and dropped."""
    srt = "1\n00:00:01,000 --> 00:00:02,500\n{\\an8}{\\i1}alpha beta\nmu nu\n"
    document = read_document("film.srt", srt.encode())
    assert document.texts == ["alpha beta<br>mu nu"]
    assert document.render(["BETA ALPHA<br>NU MU"], Languages("en", "es")).decode() == (
        "1\n00:00:01,000 --> 00:00:02,500\n{\\an8}{\\i1}BETA ALPHA\nNU MU\n")


def test_web_vtt_keeps_its_header_notes_styles_identifiers_timings_settings_lines_and_tags(client):
    kept = "WEBVTT - film\n\nNOTE by hand\nover two lines\n\nSTYLE\n::cue { color: yellow }\n\n"
    vtt = (kept + "intro\n00:01.000 --> 00:02.500 line:0\n<v Ann>alpha beta\nmu nu\n\n"
           "00:00:03.000 --> 00:00:04.000\ngamma <i>delta</i> &amp; eps\n")
    content, _ = translated(client, "film.vtt", vtt.encode())
    assert content.decode() == kept + (
        "intro\n00:01.000 --> 00:02.500 line:0\n" + translated_text(client, "<v Ann>alpha beta", "html") + "\nNU MU\n\n"
        "00:00:03.000 --> 00:00:04.000\n" + translated_text(client, "gamma <i>delta</i> &amp; eps", "html") + "\n")


def test_web_vtt_headers_language_becomes_the_targets():
    """YouTube's captions name their language in the header, by which a player names the track."""
    vtt = "WEBVTT\r\nKind: captions\r\nLanguage: en-US\r\n\r\n00:01.000 --> 00:02.000\r\nLanguage: en\r\n"
    document = read_document("talk.vtt", vtt.encode())
    assert document.render(document.texts, Languages("en", "es")) == vtt.replace("en-US", "es").encode(), (
        "the header's label, not a cue's words")
    assert document.render(document.texts, Languages("fr", "es")) == vtt.encode(), "another language's kept"


def test_web_vtt_timestamps_in_a_cue_go_after_their_words_and_stay_in_order(client):
    vtt = "WEBVTT\n\n00:01.000 --> 00:09.000\nalpha <00:02.000>beta gamma <00:03.500>delta\n"
    content, _ = translated(client, "karaoke.vtt", vtt.encode())
    cue = content.decode().split("\n")[3]
    assert re.findall(r"<[^>]*>", cue) == ["<00:02.000>", "<00:03.500>"], "each once, rising"
    assert re.sub(r"\s*<[^>]*>\s*", " ", cue).strip() == "DELTA GAMMA BETA ALPHA", "the digits are not text to translate"
    assert timestamps_in_order('b <nmt-time t="01:00:00.000"/>a <nmt-time t="59:59.999"/>') == "b <59:59.999>a <01:00:00.000>"


def test_html_keeps_its_markup_and_translates_the_text_between(client):
    page = ('<!doctype html><html lang="en-US"><head><title>alpha beta</title><style>p { color: red }</style></head>'
            '<body><p class="x">mu  nu\n xi</p><code>alpha</code><p translate="no">tau</p>'
            '<p>beta &amp; gamma <q lang=fr>mu</q></p></body></html>')
    content, _ = translated(client, "page.html", page.encode())
    assert content.decode() == (
        '<!doctype html><html lang="es"><head><title>BETA ALPHA</title><style>p { color: red }</style></head>'
        '<body><p class="x">XI NU MU</p><code>alpha</code><p translate="no">tau</p>'
        f'<p>{translated_text(client, "beta & gamma <q lang=fr>mu</q>", "html")}</p></body></html>'), (
        "the page's language the target's, a quotation's in another language kept")


def translated_text(client, text: str, format: str = "text") -> str:
    answer = client.post("/v1/translate", json={"text": text, "format": format}, headers={"X-API-Key": "k1"})
    return answer.json()["translations"][0]["text"]


def test_the_download_keeps_the_uploaded_name_without_its_folders(client):
    _, disposition = translated(client, "../../ñame x.txt", b"alpha beta")
    assert disposition == "attachment; filename*=utf-8''%C3%B1ame%20x.txt"


def test_source_auto_is_detected_among_the_served_languages(client):
    content, _ = translated(client, "a.txt", b"alpha beta", source="auto")
    assert content == b"BETA ALPHA"
    answer = upload(client, "blank.html", b"<p> <img src=a.png> </p>", source="auto")
    assert answer.status_code == 400 and answer.json()["error"] == (
        "Invalid request: blank.html has no text to tell its language from; name the source")


SERVED = (".txt, .srt, .vtt, .ass, .ssa, .html, .htm, .docx, .docm, .dotx, .dotm, .pptx, .pptm, .ppsx, .ppsm, .potx, "
          ".potm, .xlsx, .xlsm, .xltx, .xltm, .odt, .ott, .odp, .otp, .ods, .ots, .epub, .pdf, .md, .markdown, .json, "
          ".arb, .po, .pot, .xlf, .xliff, .ts, .xml, .ttml, .dfxp, .resx, .yml, .yaml, .properties, .strings, "
          ".xcstrings, .stringsdict, .ftl, .php")


# --- refused --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, content, status, message", [
    ("big.txt", b"alpha " * 70, 413, "file too large: over 400 bytes, the limit"),
    ("doc.rtf", b"{\\rtf1", 400, f"Invalid request: cannot translate .rtf files: the formats translated are {SERVED}"),
    ("README", b"alpha", 400, f"Invalid request: cannot translate files without an extension: the formats translated "
                              f"are {SERVED}"),
    ("latin1.txt", "señor".encode("latin-1"), 400, "Invalid request: latin1.txt is not UTF-8 text (byte 2)"),
    ("image.txt", b"GIF89a\x00\x01", 400,
     "Invalid request: image.txt is not text: it holds control character U+0000 at character 6"),
    ("empty.txt", b"", 400, "Invalid request: empty.txt is empty"),
    ("bad.srt", b"1\nalpha beta\n", 400,
     "Invalid request: not a SubRip file: line 2 should be a timing (00:00:01,000 --> 00:00:04,000)"),
    ("bad.vtt", b"1\n00:01.000 --> 00:02.000\nalpha\n", 400,
     "Invalid request: not a WebVTT file: its first line should be WEBVTT"),
    ("late.vtt", b"WEBVTT\n\n1\n00:01 --> 00:02\nalpha\n", 400,
     "Invalid request: not a WebVTT file: line 4 should be a cue timing (00:01.000 --> 00:04.000)"),
])
def test_a_file_that_cannot_be_translated_is_refused_in_one_line(client, name, content, status, message):
    answer = upload(client, name, content)
    assert answer.status_code == status and answer.json() == {"error": message}


def test_the_request_itself_is_checked(client):
    assert upload(client, "a.txt", b"alpha", api_key="").status_code == 401
    assert upload(client, "a.txt", b"alpha", api_key="wrong").status_code == 403
    answer = upload(client, "a.txt", b"alpha", target="")
    assert answer.status_code == 400 and answer.json() == {"error": "Invalid request: missing target parameter"}
    answer = upload(client, "a.txt", b"alpha", target="fr")
    assert answer.status_code == 400 and "this server translates en -> es" in answer.json()["error"]
    answer = client.post("/translate_file", data={"source": "en", "target": "es", "api_key": "k1"})
    assert answer.status_code == 400 and "missing file" in answer.json()["error"]


def test_a_file_is_held_to_the_file_limits_not_the_request_ones(translator):
    """Bytes (pictures and all) to NMT_MAX_FILE_BYTES, whatever NMT_MAX_BODY_BYTES says; its text to
    NMT_MAX_FILE_CHARS, whatever NMT_MAX_CHARS says."""
    written, saved = docx.Document(), io.BytesIO()  # python-docx's template: some 36 KB of styles and settings
    written.add_paragraph("alpha beta")
    written.save(saved)
    document = saved.getvalue()
    with client_for(translator, max_body_bytes=300, max_chars=5, max_file_bytes=100_000, max_file_chars=60) as client:
        content, _ = translated(client, "short.docx", document)
        assert [p.text for p in docx.Document(io.BytesIO(content)).paragraphs] == ["BETA ALPHA"]
        answer = client.post("/translate_file", files={"file": ("a.txt", b"alpha " * 11)},
                             data={"source": "en", "target": "es"})
        assert answer.status_code == 413 and answer.json() == {"error": "request too long: 66 characters; the limit "
                                                                        "is 60"}
        answer = client.post("/translate_file", files={"file": ("a.txt", b"alpha" + b" " * 170_000)},
                             data={"source": "en", "target": "es"})
        assert answer.status_code == 413 and "the limit is 165536 bytes" in answer.json()["error"], "the body's limit"
        answer = client.post("/v1/translate", json={"text": "alpha " * 60})
        assert answer.status_code == 413 and answer.json()["error"] == "request body too large; the limit is 300 bytes"


@pytest.mark.parametrize("file_id", ["0" * 32, "..%2F..%2Fetc%2Fpasswd", "A" * 32, "0" * 31])
def test_an_unknown_download_is_404(client, file_id):
    answer = client.get(f"/download_file/{file_id}")
    assert answer.status_code == 404


def test_the_frontend_is_told_that_files_are_translated(client):
    settings = client.get("/frontend/settings").json()
    assert settings["filesTranslation"] and settings["supportedFilesFormat"] == SERVED.split(", ")


# --- the store ------------------------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_store_keeps_few_files_for_a_while_in_its_own_directory():
    clock = Clock()
    store = FileStore(count=2, ttl_s=60, clock=clock)
    first = store.put(b"1", "a.txt", "text/plain")
    root = store.root
    assert root is not None and root.stat().st_mode & 0o777 == 0o700
    clock.now += 1
    second = store.put(b"2", "b.txt", "text/plain")
    clock.now += 1
    third = store.put(b"3", "c.txt", "text/plain")
    assert store.get(first) is None  # the oldest went when a third came
    found = store.get(second)
    assert found is not None and found[1] == b"2" and found[0].name == "b.txt"
    clock.now += 61
    assert store.get(third) is None and not any(root.iterdir())  # expired, and its file removed
    for bad in ("../" + third, f"{root}/{third}", third.upper(), ""):
        assert store.get(bad) is None
    store.close()
    assert not root.exists()


def test_a_text_file_its_reader_finds_damaged_is_refused_in_one_line():
    def cut(text: str):
        raise Damaged("line 3: its text is not where markdown-it says")

    with pytest.raises(FileRejected, match="^x.md is not a Markdown file that can be read: line 3: its text is not"):
        text_file(cut, kind="a Markdown file")("x.md", b"alpha")


def test_documents_refuse_what_they_cannot_cut():
    with pytest.raises(FileRejected, match="no cues"):
        read_document("x.srt", b"\n\n")
    html = read_document(str(Path("a") / "b.HTM"), b"<p>x</p>")
    assert (html.name, html.format, html.texts) == ("b.HTM", "html", ["<p>x</p>"]), "translated as format html"


def test_a_files_language_is_told_from_its_text_not_its_markup():
    page = read_document("page.html", '<p class="note" title="the heading">Hola &amp; adiós</p>'.encode())
    assert page.sample().split() == ["Hola", "&", "adiós"]
    assert read_document("a.txt", b"<b>alpha</b> " * 3).sample(10) == "<b>alpha</"
