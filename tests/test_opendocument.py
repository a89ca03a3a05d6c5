"""OpenDocument files (.odt, .odp, .ods, and their templates) through POST /translate_file, and app/opendocument.py on
parts as LibreOffice writes them: each paragraph's content translated as the HTML API translates it, spans around
the words they held, footnotes and text boxes as texts of their own, every byte outside the paragraphs kept.
The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from service_fixtures import client_for, downloaded, upload

from nmt.app import opendocument
from nmt.app.xmlparts import edited

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"')
BODY = ('<text:h text:outline-level="1">alpha beta</text:h>'
        '<text:p text:style-name="P1">alpha beta <text:span text:style-name="T1">gamma delta</text:span> eps tau'
        '<text:soft-page-break/></text:p>'
        '<text:p>tau <text:s text:c="2"/>mu<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1'
        '</text:note-citation><text:note-body><text:p>xi omicron</text:p></text:note-body></text:note></text:p>'
        '<text:p text:style-name="P2"/><text:p>pi &amp; rho</text:p>')
CONTENT = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NS} office:version="1.3">'
           f'<office:body><office:text>{BODY}</office:text></office:body></office:document-content>')
STYLES = (f'<office:document-styles {NS}><office:master-styles><style:master-page xmlns:style="urn:s">'
          '<style:header><text:p>sigma tau</text:p></style:header></style:master-page></office:master-styles>'
          '</office:document-styles>')


@pytest.fixture(scope="module")
def client(translator):
    with client_for(translator, max_file_bytes=200_000) as c:
        yield c


def package(mimetype: str, *parts: tuple[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first: as the format requires
        for name, data in parts:
            archive.writestr(name, data)
        archive.writestr("Pictures/x.png", b"\x89PNG not really")
    return out.getvalue()


def html(client, text: str) -> str:
    return client.post("/v1/translate", json={"text": text, "format": "html"}).json()["translations"][0]["text"]


def test_a_text_document_is_translated_paragraph_by_paragraph(client):
    source = package(opendocument.TEXT_DOCUMENT.media_type, ("content.xml", CONTENT), ("styles.xml", STYLES))
    download = downloaded(client, "letter.odt", source)
    assert download.headers["content-type"] == opendocument.TEXT_DOCUMENT.media_type
    after, before = zipfile.ZipFile(io.BytesIO(download.content)), zipfile.ZipFile(io.BytesIO(source))
    assert [e.filename for e in after.infolist()] == [e.filename for e in before.infolist()]
    for name in ("mimetype", "Pictures/x.png"):
        assert after.read(name) == before.read(name)
    content = after.read("content.xml").decode()
    ET.fromstring(content)  # well-formed
    assert content == CONTENT.replace(BODY, (
        '<text:h text:outline-level="1">BETA ALPHA</text:h>'
        '<text:p text:style-name="P1">TAU EPS <text:span text:style-name="T1">DELTA GAMMA</text:span> BETA ALPHA'
        '</text:p>'
        # the footnote follows the word it followed ("mu"), placed by the attention
        '<text:p>MU<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1'
        f'</text:note-citation><text:note-body><text:p>{html(client, "xi omicron")}</text:p></text:note-body>'
        '</text:note> TAU</text:p>'
        f'<text:p text:style-name="P2"/><text:p>{html(client, "pi &amp; rho")}</text:p>'))
    assert "<text:p>TAU SIGMA</text:p>" in after.read("styles.xml").decode(), "the page header"


def test_the_translation_says_it_is_in_the_target_language(client):
    style = ('<office:automatic-styles><style:style style:name="T1" xmlns:style="urn:s"><style:text-properties '
             'fo:language="en" fo:country="GB" style:language-asian="zh" style:country-asian="CN" '
             'xmlns:fo="urn:f"/></style:style></office:automatic-styles>')
    meta = ('<office:document-meta xmlns:dc="urn:d"><office:meta><dc:language>en-US</dc:language></office:meta>'
            '</office:document-meta>')
    content = CONTENT.replace("<office:body>", style + "<office:body>")
    source = package(opendocument.TEXT_DOCUMENT.media_type, ("content.xml", content), ("meta.xml", meta))
    answer = upload(client, "letter.odt", source)
    after = zipfile.ZipFile(io.BytesIO(client.get(answer.json()["translatedFileUrl"]).content))
    assert 'fo:language="es" fo:country="none" style:language-asian="zh"' in after.read("content.xml").decode()
    assert after.read("meta.xml").decode() == meta.replace("en-US", "es")


def test_lines_parted_by_a_line_break_are_translated_apart(client):
    body = ('<text:p>alpha beta<text:line-break/>gamma <text:span text:style-name="T1">delta</text:span>'
            '<text:tab/>mu nu</text:p>')
    source = package(opendocument.TEXT_DOCUMENT.media_type, ("content.xml", CONTENT.replace(BODY, body)))
    after = zipfile.ZipFile(io.BytesIO(client.get(upload(client, "a.odt", source).json()["translatedFileUrl"]).content))
    assert after.read("content.xml").decode() == CONTENT.replace(BODY, (
        '<text:p>BETA ALPHA<text:line-break/><text:span text:style-name="T1">DELTA</text:span> GAMMA<text:tab/>NU MU'
        '</text:p>')), "a tab parts its sides as a line break does"


def test_a_spreadsheet_translates_its_text_cells_and_keeps_its_values(client):
    def cell(attributes: str, text: str) -> str:
        return f"<table:table-cell {attributes}><text:p>{text}</text:p></table:table-cell>"

    comment = "<office:annotation><dc:creator>mu</dc:creator><text:p>gamma delta</text:p></office:annotation>"
    row = (cell('office:value-type="string"', "alpha beta") + cell('office:value-type="float" office:value="3"', "3")
           + cell('office:value-type="float" office:value="4"', "4").replace("<text:p>4", comment + "<text:p>4")
           + cell("office:value-type='date' office:date-value='2024-03-12'", "March alpha")
           + cell('table:formula="of:=[.B1]*2" office:value-type="float" office:value="6"', "6"))
    content = (f'<office:document-content {NS} xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
               f"<office:body><office:spreadsheet><table:table><table:table-row>{row}</table:table-row></table:table>"
               "</office:spreadsheet></office:body></office:document-content>")
    source = package(opendocument.SPREADSHEET.media_type, ("content.xml", content))
    result = zipfile.ZipFile(io.BytesIO(downloaded(client, "book.ods", source).content))
    assert result.read("content.xml").decode() == content.replace("<text:p>alpha beta", "<text:p>BETA ALPHA").replace(
        "<text:p>gamma delta", "<text:p>DELTA GAMMA"), ("a cell of a number, a date or a formula shows its value: it "
                                                        "is kept; a comment on it is translated")


@pytest.mark.parametrize("extension", [".ott", ".otp", ".ots"])
def test_a_template_is_translated_as_its_kind_and_says_what_it_is(client, extension):
    kind = opendocument.KINDS[extension]
    content = f"<office:document-content {NS}><office:body><text:p>alpha beta</text:p></office:body></office:document-content>"
    download = downloaded(client, "form" + extension, package(kind.media_type, ("content.xml", content)))
    assert download.headers["content-type"] == kind.media_type and kind.media_type.endswith("-template")
    assert zipfile.ZipFile(io.BytesIO(download.content)).read("content.xml").decode() == content.replace(
        "alpha beta", "BETA ALPHA")
    answer = upload(client, "form" + extension, package(kind.media_type.removesuffix("-template"), ("content.xml", content)))
    assert answer.status_code == 400 and answer.json()["error"].endswith(f"its mimetype entry does not say {kind.media_type}")


def test_a_presentation_translates_its_slides_text_boxes_and_notes():
    slide = (f'<office:document-content {NS}><office:body><office:presentation><draw:page draw:name="one">'
             '<draw:frame><draw:text-box><text:p>alpha beta</text:p></draw:text-box></draw:frame>'
             '<presentation:notes><draw:frame><draw:text-box><text:p>gamma delta</text:p></draw:text-box></draw:frame>'
             '</presentation:notes></draw:page></office:presentation></office:body></office:document-content>')
    cut = opendocument.cut_part(slide.encode())
    assert cut.texts == ["alpha beta", "gamma delta"]
    out = edited(slide.encode(), cut.edits(["BETA ALPHA", "DELTA GAMMA"])).decode()
    assert out == slide.replace("alpha beta", "BETA ALPHA").replace("gamma delta", "DELTA GAMMA")


def test_a_pictures_title_and_description_are_texts_of_their_own_not_words_of_its_paragraph():
    """What a screen reader reads of a picture (<svg:title>, <svg:desc>), in a paragraph or on a slide, is
    translated apart: inside the paragraph's text it was read as words of its sentence."""
    frame = ('<draw:frame draw:name="P1" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0">'
             '<draw:image xlink:href="Pictures/x.png" xmlns:xlink="http://www.w3.org/1999/xlink"/>'
             "<svg:title>tau</svg:title><svg:desc>mu xi</svg:desc></draw:frame>")
    part = (f"<office:document-content {NS}><text:p>alpha {frame} beta</text:p><draw:page>{frame}</draw:page>"
            "</office:document-content>").encode()
    cut = opendocument.cut_part(part)
    assert cut.texts == ['alpha <nmt-kept id="0"/> beta', "tau", "mu xi", "tau", "mu xi"]
    out = edited(part, cut.edits(['BETA <nmt-kept id="0"/> ALPHA', "TAU", "XI MU", "UAT", "IX UM"])).decode()
    translated = frame.replace(">tau<", ">TAU<").replace(">mu xi<", ">XI MU<")
    assert out == part.decode().replace(f"alpha {frame} beta", f"BETA {translated} ALPHA").replace(
        f"<draw:page>{frame}", "<draw:page>" + frame.replace(">tau<", ">UAT<").replace(">mu xi<", ">IX UM<"))


def test_a_text_box_in_a_paragraph_without_text_is_translated_where_it_is():
    part = (f'<office:document-content {NS}><text:p><draw:frame><draw:text-box><text:p>alpha &lt;b&gt;</text:p>'
            '</draw:text-box></draw:frame></text:p></office:document-content>').encode()
    cut = opendocument.cut_part(part)
    assert cut.texts == ["alpha &lt;b&gt;"]
    assert b"<text:p>B &amp; ALPHA&#160;</text:p>" in edited(part, cut.edits(["B &amp; ALPHA&nbsp;"]))


def test_a_paragraph_written_as_spans_only_keeps_its_formatting_on_every_word(client):
    """LibreOffice writes a presentation's every run as a span: the spans of the formatting that holds most of the
    text are not placed by the attention (model/html.py Run.common_pairs), and the text outside the other spans
    gets that formatting back."""
    common, bold = '<text:span text:style-name="T2">', '<text:span text:style-name="T3">'
    part = (f'<office:document-content {NS}><text:p text:style-name="P3">{common}alpha beta </text:span>{bold}gamma'
            f'</text:span>{common} delta eps</text:span></text:p></office:document-content>').encode()
    [text] = opendocument.cut_part(part).texts
    assert edited(part, opendocument.cut_part(part).edits([html(client, text)])).decode() == (
        f'<office:document-content {NS}><text:p text:style-name="P3">{common}EPS DELTA</text:span> {bold}GAMMA'
        f'</text:span> {common}BETA ALPHA</text:span></text:p></office:document-content>')


@pytest.mark.parametrize("name, content, reason", [
    ("x.odt", b"PK\x03\x04 not really", "it is not a readable zip file"),
    ("x.odt", package("application/vnd.oasis.opendocument.text"), "it has no content.xml"),
    ("x.odp", package("application/vnd.oasis.opendocument.text", ("content.xml", CONTENT)),
     "its mimetype entry does not say application/vnd.oasis.opendocument.presentation"),
    ("x.odt", package("application/vnd.oasis.opendocument.text", ("content.xml", CONTENT[:-20])),
     "content.xml: its XML is not well-formed"),
    ("x.odt", package("application/vnd.oasis.opendocument.text", ("content.xml", CONTENT.encode("utf-16"))),
     "content.xml: it is not UTF-8 (byte 0)"),
    ("x.odt", package("application/vnd.oasis.opendocument.text", ("content.xml", (
        f'<office:document-content {NS}>' + "<text:p>a<text:note><text:note-body>" * 40 + "<text:p>alpha</text:p>"
        + "</text:note-body></text:note></text:p>" * 40 + "</office:document-content>"))),
     "content.xml: its paragraphs are nested more than 32 deep (in text boxes, notes or comments)"),
], ids=["not a zip", "no content", "another kind", "malformed", "UTF-16", "notes in notes"])
def test_a_damaged_file_is_refused_in_one_line(client, name, content, reason):
    answer = upload(client, name, content)
    kind = "an OpenDocument presentation" if name.endswith(".odp") else "an OpenDocument text"
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"Invalid request: {name} is not {kind} that can be read: {reason}")


def test_a_paragraph_in_a_style_of_code_is_kept_as_written():
    """LibreOffice writes a web page's <pre> as an automatic style whose parent is Preformatted Text."""
    content = (f'<office:document-content {NS} xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0">'
               '<office:automatic-styles><style:style style:name="P2" style:family="paragraph" '
               'style:parent-style-name="Preformatted_20_Text"/><style:style style:name="P3" '
               'style:family="paragraph" style:parent-style-name="Text_20_body"/></office:automatic-styles>'
               '<office:body><office:text><text:p text:style-name="P2">npm install store</text:p>'
               '<text:p text:style-name="Source_20_Code">git push</text:p>'
               '<text:p text:style-name="P3">alpha beta</text:p></office:text></office:body></office:document-content>')
    assert opendocument.cut_part(content.encode()).texts == ["alpha beta"]
