"""Word documents (.docx) and PowerPoint presentations (.pptx) through POST /translate_file: made and read back by
python-docx and python-pptx, as a user's files are; each paragraph and each picture's alt text translated, its runs'
formatting, the tables, headers, notes and every other part kept. And app/office.py on parts written by hand: the
bytes outside the text stay as they were.

The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import datetime
import io
import re
import struct
import zipfile
import zlib

import docx
import openpyxl
import pptx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from service_fixtures import client_for

from nmt.app import office, packages
from nmt.app.documents import read_document
from nmt.app.labels import Languages
from nmt.app.xmlparts import edited
from nmt.model.translator import Translator

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


@pytest.fixture(scope="module")
def client(translator):
    with client_for(translator, max_file_bytes=200_000) as c:
        yield c


def translated(client, content: bytes, name: str = "letter.docx") -> bytes:
    answer = client.post("/translate_file", files={"file": (name, content)}, data={"source": "en", "target": "es"})
    assert answer.status_code == 200, answer.text
    download = client.get(answer.json()["translatedFileUrl"])
    kind = office.KINDS[name[name.rindex("."):]]
    assert download.status_code == 200 and download.headers["content-type"] == kind.media_type
    return download.content


def text(client, source: str) -> str:
    return client.post("/v1/translate", json={"text": source}).json()["translations"][0]["text"]


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def word_paragraph(body: str) -> bytes:
    """A Word part of one paragraph of this content."""
    return f'<w:document {W} xmlns:r="urn:r"><w:body><w:p>{body}</w:p></w:body></w:document>'.encode()


def rewritten(body: str, translations: list[str]) -> tuple[list[str], str]:
    """The texts office.py sends of a Word paragraph of this content, and the content it writes from these
    translations of them."""
    part = word_paragraph(body)
    cut = office.cut_part(part, office.WORD)
    out = edited(part, cut.edits(translations)).decode()
    head, tail = word_paragraph("").decode().split("</w:p>")
    assert out.startswith(head.removesuffix("<w:p>")) and out.endswith(tail), "nothing outside the paragraph moves"
    return cut.texts, out.removeprefix(head.removesuffix("<w:p>")).removesuffix(tail)


def test_a_word_document_is_translated_with_its_formatting_tables_and_headers(client):
    document = docx.Document()
    document.add_heading("alpha beta", level=1)
    mixed = document.add_paragraph("alpha beta ")
    mixed.add_run("gamma").bold = True
    mixed.add_run(" delta")
    tabbed = document.add_paragraph("mu nu")
    tabbed.add_run().add_break(WD_BREAK.LINE)
    tabbed.add_run("xi omicron")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "pi rho"
    document.sections[0].header.paragraphs[0].text = "sigma tau"
    source = saved(document)

    result = docx.Document(io.BytesIO(translated(client, source)))
    heading, mixed, tabbed = result.paragraphs[:3]
    assert (heading.text, heading.style.name) == ("BETA ALPHA", "Heading 1")
    assert text(client, "alpha beta gamma delta") == "DELTA GAMMA BETA ALPHA", "the toy model reverses"
    assert [(r.text, r.bold) for r in mixed.runs] == [("DELTA ", None), ("GAMMA", True), (" BETA ALPHA", None)]
    assert tabbed.text == f"{text(client, 'mu nu')}\n{text(client, 'xi omicron')}", "a break: each text alone"
    assert result.tables[0].rows[0].cells[0].text == "RHO PI"
    assert result.sections[0].header.paragraphs[0].text == "TAU SIGMA"
    unchanged_but_text(source, translated(client, source), office.WORD, b'<w:lang w:val="en-US"')


def test_a_paragraph_is_rebuilt_around_its_translation_and_nothing_else_moves():
    part = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W} xmlns:x="urn:x" x:keep="1">'
            '<w:body><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:bookmarkStart w:id="0" w:name="top"/>'
            '<w:r><w:t xml:space="preserve">alpha </w:t></w:r><w:proofErr w:type="spellStart"/>'
            '<w:r><w:rPr><w:i/></w:rPr><w:t>beta</w:t></w:r><w:r><w:t xml:space="preserve"> &amp; gamma</w:t></w:r>'
            '<w:bookmarkEnd w:id="0"/></w:p><w:p><w:r><w:t/></w:r></w:p><x:other>alpha</x:other>'
            '<w:sectPr><w:pgSz w:w="11906"/></w:sectPr></w:body></w:document>').encode()
    cut = office.cut_part(part, office.WORD)
    assert cut.texts == ['alpha <span id="r1">beta</span> &amp; gamma'], "the empty paragraph is not sent"
    [(start, end, written)] = cut.edits(['<span id="r1"> BETA </span>  GAMMA &amp;  ALPHA '])
    assert part[:start].endswith(b"</w:pPr>") and part[end:].startswith(b"</w:p><w:p>")
    assert written == (b'<w:bookmarkStart w:id="0" w:name="top"/>'
                       b'<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">BETA</w:t></w:r>'
                       b'<w:r><w:t xml:space="preserve"> GAMMA &amp; ALPHA</w:t></w:r><w:bookmarkEnd w:id="0"/>')


@pytest.mark.parametrize("style", ["HTMLPreformatted", "PreformattedText", "Code", "SourceCode", "codeblock"])
def test_a_paragraph_in_a_style_of_code_is_kept_as_written(style):
    """A web page's <pre> converted by Word or LibreOffice, or a manual's Code paragraph: a command, not words."""
    code = '<w:r><w:t>npm install store</w:t></w:r>'
    part = (f'<w:document {W}><w:body><w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{code}</w:p>'
            f'<w:p><w:pPr><w:pStyle w:val="Barcode"/></w:pPr>{code}</w:p></w:body></w:document>').encode()
    assert office.cut_part(part, office.WORD).texts == ["npm install store"], "only the paragraph of another style"


def test_texts_of_a_paragraph_that_is_not_plain_are_translated_where_they_are():
    texts, out = rewritten('<w:r><w:t xml:space="preserve">alpha: </w:t><w:tab/><w:t>beta</w:t></w:r>'
                           '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:t>gamma &lt;x&gt;</w:t></w:r>',
                           ["ALPHA:", " BETA ", "X &amp; GAMMA"])
    assert texts == ["alpha: ", "beta", "gamma &lt;x&gt;"]
    assert out == ('<w:p><w:r><w:t xml:space="preserve">ALPHA: </w:t><w:tab/>'
                   '<w:t xml:space="preserve">BETA</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
                   '<w:t xml:space="preserve">X &amp; GAMMA</w:t></w:r></w:p>')


def test_a_tab_parts_a_paragraph_as_a_line_break_does_and_a_tab_stop_is_no_tab():
    tab_stop = '<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
    texts, out = rewritten(f'{tab_stop}<w:r><w:t>alpha beta:</w:t><w:tab/><w:t>gamma</w:t></w:r>',
                           ['BETA ALPHA:<br id="1"/>GAMMA'])
    assert texts == ['alpha beta:<br id="1"/>gamma']
    assert out == (f'<w:p>{tab_stop}<w:r><w:t xml:space="preserve">BETA ALPHA:</w:t></w:r><w:r><w:tab/></w:r>'
                   '<w:r><w:t xml:space="preserve">GAMMA</w:t></w:r></w:p>')


def test_a_hyperlink_goes_back_around_its_words_and_lines_are_translated_apart():
    texts, out = rewritten('<w:r><w:t xml:space="preserve">alpha </w:t></w:r><w:hyperlink r:id="rId5" w:history="1">'
                           '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>beta</w:t></w:r></w:hyperlink>'
                           '<w:r><w:t>,</w:t><w:br/><w:t xml:space="preserve">gamma </w:t></w:r>'
                           '<w:r><w:rPr><w:b/></w:rPr><w:t>delta</w:t></w:r>',
                           ['<span id="r1">BETA</span> ALPHA,<br id="3"/><span id="r5">DELTA</span> GAMMA'])
    assert texts == ['alpha <span id="r1">beta</span>,<br id="3"/>gamma <span id="r5">delta</span>']
    assert out == (
        '<w:p><w:hyperlink r:id="rId5" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>'
        '<w:t xml:space="preserve">BETA</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> ALPHA,</w:t></w:r>'
        '<w:r><w:br/></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">DELTA</w:t></w:r>'
        '<w:r><w:t xml:space="preserve"> GAMMA</w:t></w:r></w:p>')


def test_a_slide_paragraph_keeps_its_line_breaks_between_its_lines():
    part = (f'<p:sld {A} xmlns:p="urn:p"><a:p><a:r><a:rPr lang="en-US"/><a:t>alpha beta</a:t></a:r>'
            '<a:br><a:rPr lang="en-US"/></a:br><a:r><a:rPr lang="en-US"/><a:t>gamma</a:t></a:r></a:p></p:sld>').encode()
    cut = office.cut_part(part, office.POWERPOINT)
    assert cut.texts == ['alpha beta<br id="1"/>gamma']
    assert edited(part, cut.edits(['BETA ALPHA<br id="1"/>GAMMA'])) == (
        f'<p:sld {A} xmlns:p="urn:p"><a:p><a:r><a:rPr lang="en-US"/><a:t>BETA ALPHA</a:t></a:r>'
        '<a:br><a:rPr lang="en-US"/></a:br><a:r><a:rPr lang="en-US"/><a:t>GAMMA</a:t></a:r></a:p></p:sld>').encode()


def test_a_picture_the_translation_puts_inside_a_span_parts_its_run_in_two():
    picture = '<w:r><w:drawing><wp:inline xmlns:wp="urn:wp"/></w:drawing></w:r>'
    bold = '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    texts, out = rewritten(f'<w:r><w:t xml:space="preserve">alpha delta eps </w:t></w:r>{bold.format("beta")}'
                           f'{picture}{bold.format(" gamma")}',
                           ['<span id="r1">BETA <nmt-kept id="2"/> X</span> ALPHA<span id="r3"> GAMMA</span>'])
    assert texts == ['alpha delta eps <span id="r1">beta</span><nmt-kept id="2"/><span id="r3"> gamma</span>']
    assert out == (f'<w:p>{bold.format("BETA ")}{picture}{bold.format(" X")}'
                   f'<w:r><w:t xml:space="preserve"> ALPHA </w:t></w:r>{bold.format("GAMMA")}</w:p>')


def field(instruction: str, value: str) -> str:
    """A field of several runs, as Word writes PAGE, NUMPAGES or a HYPERLINK field."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{value}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def test_a_field_of_several_runs_is_kept_whole_and_a_hyperlink_field_goes_around_its_words():
    part = word_paragraph('<w:r><w:t xml:space="preserve">Page </w:t></w:r>' + field("PAGE", "3") +
                          '<w:r><w:t xml:space="preserve"> of </w:t></w:r>' + field("NUMPAGES", "9"))
    cut = office.cut_part(part, office.WORD)
    assert cut.texts == ['Page <nmt-kept id="1"/> of <nmt-kept id="3"/>'], "the fields' values are not sent"
    assert edited(part, cut.edits(['PÁGINA <nmt-kept id="1"/> DE <nmt-kept id="3"/>'])).decode() == (
        part.decode().replace("Page ", "PÁGINA ").replace(" of ", " DE "))
    link_field = field('HYPERLINK "https://x.org"', "alpha beta")
    link = word_paragraph('<w:r><w:t xml:space="preserve">see </w:t></w:r>' + link_field)
    cut = office.cut_part(link, office.WORD)
    assert cut.texts == ['see <span id="r1">alpha beta</span>'], "a link field's value is its text, as a span"
    assert edited(link, cut.edits(['<span id="r1">BETA ALPHA</span> SEE'])).decode() == word_paragraph(
        link_field.replace("<w:t>alpha beta", '<w:t xml:space="preserve">BETA ALPHA')
        + '<w:r><w:t xml:space="preserve"> SEE</w:t></w:r>').decode(), "the field goes around the words it held"
    simple = word_paragraph('<w:r><w:t xml:space="preserve">see </w:t></w:r><w:fldSimple w:instr=" HYPERLINK '
                            '&quot;https://x.org&quot; "><w:r><w:t>alpha beta</w:t></w:r></w:fldSimple>')
    cut = office.cut_part(simple, office.WORD)
    assert cut.texts == ['see <span id="r1">alpha beta</span>'], "a simple link field's text is translated too"
    assert b'"><w:r><w:t xml:space="preserve">BETA ALPHA</w:t></w:r></w:fldSimple>' in edited(
        simple, cut.edits(['<span id="r1">BETA ALPHA</span> SEE']))
    nested = word_paragraph(link_field.replace("<w:r><w:t>alpha beta</w:t></w:r>", field("PAGE", "3")))
    assert office.cut_part(nested, office.WORD).texts == ["3"], "a link field of other than text: run by run"
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    unended = word_paragraph("<w:r><w:t>alpha</w:t></w:r>" + field("PAGE", "3").removesuffix(end))
    assert office.cut_part(unended, office.WORD).texts == ['alpha<nmt-kept id="1"/>3'], (
        "a field whose value goes on past the paragraph (a table of contents'): its code kept whole, its value text")


def test_note_marks_comment_ranges_and_hyphens_leave_a_paragraph_whole():
    body = ('<w:r><w:t xml:space="preserve">alpha </w:t></w:r><w:commentRangeStart w:id="0"/>'
            '<w:r><w:t>beta</w:t></w:r><w:commentRangeEnd w:id="0"/>'
            '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>'
            '<w:r><w:t xml:space="preserve"> gam</w:t><w:softHyphen/><w:t>ma</w:t></w:r>'
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
            '<w:r><w:t xml:space="preserve"> x</w:t><w:noBreakHyphen/><w:t>ray</w:t><w:cr/><w:t>delta</w:t></w:r>')
    texts, out = rewritten(body, ['GAMMA<nmt-kept id="6"/> <nmt-kept id="1"/>BETA<nmt-kept id="3"/><nmt-kept id="4"/>'
                                  ' ALPHA X\u2011RAY<br id="8"/>DELTA'])
    assert texts == ['alpha <nmt-kept id="1"/>beta<nmt-kept id="3"/><nmt-kept id="4"/> gamma<nmt-kept id="6"/>'
                     ' x\u2011ray<br id="8"/>delta'], "one text: the soft hyphen goes, the no-break one is text"
    assert out == ('<w:p><w:r><w:t xml:space="preserve">GAMMA</w:t></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/>'
                   '</w:rPr><w:footnoteReference w:id="1"/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
                   '<w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve">BETA</w:t></w:r>'
                   '<w:commentRangeEnd w:id="0"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
                   '<w:commentReference w:id="0"/></w:r><w:r><w:t xml:space="preserve"> ALPHA X\u2011RAY</w:t></w:r>'
                   '<w:r><w:cr/></w:r><w:r><w:t xml:space="preserve">DELTA</w:t></w:r></w:p>'), "each mark where it was put"


def test_equations_and_shapes_leave_a_paragraph_whole_and_are_kept_as_written():
    equation = ('<m:oMath><m:r><w:rPr><w:rFonts w:ascii="Cambria Math"/></w:rPr><m:t>x+1</m:t></m:r></m:oMath>')
    shape = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:inline/></w:drawing></mc:Choice>'
             '<mc:Fallback><w:pict><v:rect/></w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    body = ('<w:r><w:t xml:space="preserve">alpha </w:t></w:r>' + equation + '<w:r><w:t xml:space="preserve"> beta</w:t>'
            '</w:r>' + shape + '<w:r><w:t xml:space="preserve"> gamma</w:t></w:r><m:oMathPara>' + equation + '</m:oMathPara>')
    texts, out = rewritten(body, ['GAMMA <nmt-kept id="3"/>BETA<nmt-kept id="5"/> ALPHA<nmt-kept id="1"/>'])
    assert texts == ['alpha <nmt-kept id="1"/> beta<nmt-kept id="3"/> gamma<nmt-kept id="5"/>'], (
        "one text: the equation's text is math, not words")
    run = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
    assert out == ('<w:p>' + run.format("GAMMA ") + shape + run.format("BETA") + '<m:oMathPara>' + equation
                   + '</m:oMathPara>' + run.format(" ALPHA") + equation + '</w:p>'), "each where it was put, as written"


def test_content_controls_insertions_and_smart_tags_go_around_their_words_and_deletions_stay():
    control = ('<w:sdt><w:sdtPr><w:alias w:val="Name"/></w:sdtPr><w:sdtContent><w:hyperlink r:id="rId1">{}'
               '</w:hyperlink></w:sdtContent></w:sdt>')
    insertion, deletion = '<w:ins w:id="1" w:author="Ann">{}</w:ins>', ('<w:del w:id="2" w:author="Ann"><w:r>'
                                                                          '<w:delText> old</w:delText></w:r></w:del>')
    tag = '<w:smartTag w:uri="u" w:element="place"><w:smartTagPr><w:attr w:name="a"/></w:smartTagPr>{}</w:smartTag>'
    body = ('<w:r><w:t xml:space="preserve">alpha </w:t></w:r>' + control.format("<w:r><w:t>beta</w:t></w:r>")
            + insertion.format('<w:r><w:t xml:space="preserve"> gamma</w:t></w:r>') + deletion
            + tag.format('<w:r><w:t xml:space="preserve"> delta</w:t></w:r>'))
    texts, out = rewritten(body, ['<span id="r4">DELTA</span> <span id="r2">GAMMA</span><nmt-kept id="3"/> ALPHA '
                                  '<span id="r1">BETA</span>'])
    assert texts == ['alpha <span id="r1">beta</span><span id="r2"> gamma</span><nmt-kept id="3"/>'
                     '<span id="r4"> delta</span>'], "one text, each wrapper's words a span"
    run = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
    assert out == ('<w:p>' + tag.format(run.format("DELTA")) + insertion.format(run.format(" GAMMA"))
                   + deletion + run.format(" ALPHA ") + control.format(run.format("BETA")) + '</w:p>'), (
        "each wrapper around its words, as written (the insertion's space inside it, as it was)")
    mark = word_paragraph('<w:pPr><w:rPr><w:del w:id="3" w:author="Ann"/></w:rPr></w:pPr><w:r><w:t>alpha</w:t></w:r>')
    assert office.cut_part(mark, office.WORD).texts == ["alpha"], "a deleted paragraph mark is a property, as written"
    empty = word_paragraph('<w:r><w:t>alpha</w:t></w:r><w:hyperlink w:anchor="x"/><w:sdt><w:sdtPr/><w:sdtContent/>'
                           '</w:sdt>')
    assert office.cut_part(empty, office.WORD).texts == ['alpha<nmt-kept id="1"/><nmt-kept id="2"/>'], (
        "an empty link or content control is kept whole: the paragraph is still translated whole")


def test_a_space_at_the_edge_of_a_tracked_insertion_stays_inside_it_and_one_outside_stays_outside():
    insertion = '<w:ins w:id="{}" w:author="Ann"><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:ins>'
    run = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
    body = (run.format("alpha ") + insertion.format(1, "beta gamma ") + run.format("delta")
            + insertion.format(2, " eps") + run.format(" mu") + insertion.format(3, "nu") + run.format(" xi"))
    texts, out = rewritten(body, [  # the spaces outside the spans, where the HTML pipeline puts them
        'ALPHA <span id="r1">GAMMA BETA</span> DELTA <span id="r3">EPS</span> MU <span id="r5">NU</span> XI'])
    assert texts == ['alpha <span id="r1">beta gamma </span>delta<span id="r3"> eps</span> mu<span id="r5">nu</span>'
                     ' xi']
    assert out == ('<w:p>' + run.format("ALPHA ") + insertion.format(1, "GAMMA BETA ") + run.format("DELTA")
                   + insertion.format(2, " EPS") + run.format(" MU ") + insertion.format(3, "NU") + run.format(" XI")
                   + '</w:p>'), "an inserted space inserted, where it was: at the insertion's end or start"
    link = '<w:hyperlink r:id="rId1"><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:hyperlink>'
    _, out = rewritten(run.format("alpha ") + link.format("beta ") + run.format("gamma"),
                       ['ALPHA <span id="r1">BETA </span>GAMMA'])
    assert out == '<w:p>' + run.format("ALPHA ") + link.format("BETA") + run.format(" GAMMA") + '</w:p>', (
        "a link's space outside it: no underlined space")


def annotation_ids(element) -> dict[str, list[str]]:
    """The w:id of each annotation of a Word part, by the kinds among which Word requires them unique: tracked
    changes, bookmarks, and each end of comments' ranges."""
    kinds = {"change": ["w:ins", "w:del", "w:moveFrom", "w:moveTo"], "bookmark": ["w:bookmarkStart"],
             "comment start": ["w:commentRangeStart"], "comment end": ["w:commentRangeEnd"]}
    return {kind: [e.get(qn("w:id")) for name in names for e in element.iter(qn(name))] for kind, names in kinds.items()}


def test_a_tracked_insertion_the_translation_parts_in_two_gets_a_fresh_id_for_its_second_part(client):
    document = docx.Document()
    paragraph = document.add_paragraph("alpha beta ")
    paragraph._p.append(parse_xml(  # inserted words of two formats: each a span, which the translation parts
        f'<w:ins {nsdecls("w")} w:id="1" w:author="Ann" w:date="2024-03-12T00:00:00Z"><w:r><w:t xml:space="preserve">'
        'gamma </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>delta</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="Ann"><w:r><w:delText> old</w:delText>'
                                  '</w:r></w:del>'))
    paragraph.add_run(" eps")
    marked = document.add_paragraph()
    marked._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="top"/>'))
    marked.add_run("mu nu")
    marked._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))

    body = docx.Document(io.BytesIO(translated(client, saved(document)))).element.body
    insertions = body.findall(".//" + qn("w:ins"))
    assert ["".join(t.text for t in i.iter(qn("w:t"))) for i in insertions] == ["DELTA", "GAMMA "], (
        "the inserted words, and they alone (with the space inserted after gamma), inside the insertion, which the "
        "translation parted")
    assert [i.get(qn("w:author")) for i in insertions] == ["Ann", "Ann"]
    for kind, ids in annotation_ids(body).items():
        assert len(ids) == len(set(ids)), f"{kind}: {ids}"


def toc_line(anchor: str, words: str, page: int) -> str:
    """A table of contents' line as Word writes one: a hyperlink to its heading's bookmark around the heading's text
    (here in two runs), a tab and the PAGEREF field of the heading's page, each of its parts a run."""
    first, rest = words.split(" ", 1)
    text = '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/><w:noProof/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    run = '<w:r><w:rPr><w:noProof/><w:webHidden/></w:rPr>{}</w:r>'
    return (f'<w:hyperlink w:anchor="{anchor}" w:history="1">{text.format(first + " ")}{text.format(rest)}'
            + "".join(run.format(x) for x in ["<w:tab/>", '<w:fldChar w:fldCharType="begin"/>',
                                              f'<w:instrText xml:space="preserve"> PAGEREF {anchor} \\h </w:instrText>',
                                              "", '<w:fldChar w:fldCharType="separate"/>', f"<w:t>{page}</w:t>",
                                              '<w:fldChar w:fldCharType="end"/>'])
            + "</w:hyperlink>")


TOC_FIELD = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h '
             '\\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>',
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>')  # its code before its first line, its end after its last


def test_a_table_of_contents_line_is_translated_as_one_text_its_tab_and_page_field_kept_in_its_link(client):
    document = docx.Document()
    lines = [("_Toc1", "alpha beta gamma", 3), ("_Toc2", "mu nu xi", 5)]
    toc = '<w:pPr><w:pStyle w:val="TOC1"/><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs></w:pPr>'
    for k, line in reversed(list(enumerate(toc_line(*line) for line in lines))):
        content = toc + (TOC_FIELD[0] if k == 0 else "") + line + (TOC_FIELD[1] if k == len(lines) - 1 else "")
        document.element.body.insert(0, parse_xml(f'<w:p {nsdecls("w")}>{content}</w:p>'))
    heading = document.add_heading("delta ", level=1)  # headings bookmarked (one in part) for the lines to go to
    heading._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="_Toc1"/>'))
    heading.add_run("eps zeta")
    heading._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))
    heading = document.add_heading(level=1)
    heading._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="1" w:name="_Toc2"/>'))
    heading.add_run("mu nu xi")
    heading._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="1"/>'))
    source = saved(document)

    texts, _ = office.read(source, office.WORD)
    assert texts[:4] == ['<nmt-kept id="0"/><span id="r1">alpha beta gamma</span><br id="2"/><nmt-kept id="3"/>',
                         '<span id="r0">mu nu xi</span><br id="1"/><nmt-kept id="2"/><nmt-kept id="3"/>',
                         "delta eps zeta", "mu nu xi"], (
        "each one text: the link's a span, its tab a break, its page number's field and the table's field kept whole")
    out = zipfile.ZipFile(io.BytesIO(translated(client, source))).read("word/document.xml").decode()
    written = zipfile.ZipFile(io.BytesIO(source)).read("word/document.xml").decode()
    link_text = '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/><w:noProof/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    for anchor, words, _ in lines:
        whole = text(client, words)
        assert whole == " ".join(reversed(words.upper().split())) != " ".join(text(client, w) for w in words.split(" ", 1)), (
            "translated whole, not run by run")
        paragraph = re.search(f'<w:pPr><w:pStyle w:val="TOC1"/>((?!</w:p>).)*w:anchor="{anchor}".*?</w:p>', written)[0]
        first, rest = words.split(" ", 1)
        assert paragraph.replace(link_text.format(first + " ") + link_text.format(rest), link_text.format(whole)) in out, (
            "the line as written, its link's text translated: the link around it, its tab and its page number's field, "
            "the table's field's code before it (the first line), its end after it (the last)")
    assert "delta eps zeta" not in out and "ZETA EPS DELTA" in out and '<w:bookmarkStart w:id="0" w:name="_Toc1"/>' in out


def text_box(text: str) -> str:
    """A run of a text box as Word writes one: a drawing, and a VML copy for older readers, each with the text."""
    content = f'<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>'
    return (f'<w:r><w:rPr><w:noProof/></w:rPr><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
            f'{content}</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>{content}</v:textbox>'
            '</w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def test_a_text_box_goes_where_the_translation_puts_it_and_its_paragraphs_are_texts_of_their_own():
    body = ('<w:p><w:r><w:t xml:space="preserve">alpha </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>beta</w:t></w:r>'
            f'{text_box("gamma delta")}</w:p>')
    part = f'<w:document {W} xmlns:mc="m" xmlns:wps="s" xmlns:v="v"><w:body>{body}</w:body></w:document>'.encode()
    cut = office.cut_part(part, office.WORD)
    assert cut.texts == ['alpha <span id="r1">beta</span><nmt-kept id="2"/>', "gamma delta", "gamma delta"]
    out = edited(part, cut.edits(['<nmt-kept id="2"/>ALFA <span id="r1">BETA</span>', "DELTA GAMMA", "DELTA GAMMA"]))
    written = text_box("DELTA GAMMA").replace("<w:t>", '<w:t xml:space="preserve">')  # its paragraphs written again
    assert out.decode() == part.decode().replace(body, (
        f'<w:p>{written}<w:r><w:t xml:space="preserve">ALFA </w:t></w:r><w:r><w:rPr><w:b/></w:rPr>'
        '<w:t xml:space="preserve">BETA</w:t></w:r></w:p>')), "the paragraph written again, its text box translated"


def test_a_word_paragraph_with_a_text_box_is_translated_whole_and_so_is_the_box(client):
    document = docx.Document()
    paragraph = document.add_paragraph("alpha beta ")
    paragraph.add_run("gamma").bold = True
    namespaces = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="urn:wps" '
                  'xmlns:v="urn:schemas-microsoft-com:vml"')
    paragraph._p.append(parse_xml(text_box("mu nu xi").replace("<w:r>", f"<w:r {nsdecls('w')} {namespaces}>", 1)))
    paragraph.add_run(" delta")

    [result] = docx.Document(io.BytesIO(translated(client, saved(document)))).paragraphs
    assert result.text.split() == text(client, "alpha beta gamma delta").split(), "one text, not run by run"
    assert [r.text for r in result.runs if r.bold] == ["GAMMA"]
    boxes = result._p.findall(".//" + qn("w:txbxContent"))
    assert [box.findtext(".//" + qn("w:t")) for box in boxes] == [text(client, "mu nu xi")] * 2, "both copies"


def test_a_text_box_in_a_paragraph_read_run_by_run_or_without_text_is_translated_where_it_is():
    # a bookmark in a hyperlink: run by run
    linked = '<w:hyperlink r:id="rId1"><w:bookmarkStart w:id="1" w:name="b"/><w:r><w:t>alpha beta</w:t></w:r></w:hyperlink>'
    for body, texts in [(f'<w:p>{linked}{text_box("gamma")}</w:p>', ["alpha beta", "gamma", "gamma"]),
                        (f'<w:p>{text_box("gamma")}</w:p>', ["gamma", "gamma"])]:
        part = (f'<w:document {W} xmlns:mc="m" xmlns:wps="s" xmlns:v="v" xmlns:r="r"><w:body>{body}</w:body>'
                '</w:document>').encode()
        cut = office.cut_part(part, office.WORD)
        assert cut.texts == texts
        out = edited(part, cut.edits([t.upper() for t in texts])).decode()
        assert out == part.decode().replace("alpha beta", "ALPHA BETA").replace("gamma", "GAMMA").replace(
            "<w:t>", '<w:t xml:space="preserve">')


def test_a_workbook_is_translated_cell_by_cell_and_its_numbers_dates_and_formulas_kept(client):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "alpha beta"
    sheet["A2"] = CellRichText(["alpha ", TextBlock(InlineFont(b=True), "beta"), " gamma"])
    sheet["A3"] = "mu nu\nxi omicron"
    sheet["B1"], sheet["B2"], sheet["B3"] = 3, datetime.date(2024, 3, 12), "=B1*2"
    sheet["A1"].comment = Comment("pi rho", "Ann")

    content = translated(client, saved(workbook), "book.xlsx")
    result = openpyxl.load_workbook(io.BytesIO(content), rich_text=True).active
    assert result["A1"].value == "BETA ALPHA"
    assert [(str(b), isinstance(b, TextBlock) and b.font.b) for b in result["A2"].value] == [
        ("GAMMA ", False), ("BETA", True), (" ALPHA", False)], "the bold word goes back in bold"
    assert result["A3"].value == f"{text(client, 'mu nu')}\n{text(client, 'xi omicron')}", "each line alone"
    assert (result["B1"].value, result["B2"].value, result["B3"].value) == (3, datetime.datetime(2024, 3, 12), "=B1*2")
    assert result["A1"].comment.text == "RHO PI"


def one_text(main_part: str) -> bytes:
    """A file of the kind whose main part this is, holding the text "alpha beta" (a paragraph, a title, a cell)."""
    if main_part == "word/document.xml":
        document = docx.Document()
        document.add_paragraph("alpha beta")
        return saved(document)
    if main_part == "ppt/presentation.xml":
        deck = pptx.Presentation()
        deck.slides.add_slide(deck.slide_layouts[0]).shapes.title.text = "alpha beta"
        return saved(deck)
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "alpha beta"
    return saved(workbook)


@pytest.mark.parametrize("extension", [
    e for e, kind in office.KINDS.items() if kind not in (office.WORD, office.POWERPOINT, office.EXCEL)])
def test_templates_and_macro_enabled_files_are_translated_their_macros_kept(client, extension):
    kind = office.KINDS[extension]
    macros = b"\xd0\xcf\x11\xe0 a VBA project"
    source = io.BytesIO(one_text(kind.main_part))
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("project/vbaProject.bin", macros)
    result = zipfile.ZipFile(io.BytesIO(translated(client, source.getvalue(), "letter" + extension)))
    assert result.read("project/vbaProject.bin") == macros
    parts = [result.read(e) for e in result.infolist() if kind.text_parts.fullmatch(e.filename)]
    assert any(b"BETA ALPHA" in part for part in parts) and not any(b"alpha beta" in part for part in parts)


def test_excel_shared_strings_in_the_default_namespace_are_translated_where_they_are():
    part = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" count="3"><si><t>alpha beta</t></si><si><t>mu_x000D_\nnu</t><phoneticPr fontId="1"/>'
            b'</si><si><r><t xml:space="preserve">alpha </t></r><r><rPr><b/></rPr><t>beta</t></r></si>'
            b'<si><t>pi_x005F_x0041_ rho_x000B_</t></si></sst>')
    cut = office.cut_part(part, office.EXCEL)
    assert cut.texts == ["alpha beta", "mu\r<br>nu", 'alpha <span id="r1">beta</span>', "pi_x0041_ rho\x0b"], (
        "Excel's escapes read: a carriage return, a literal underscore, a vertical tab")
    out = edited(part, cut.edits(["BETA ALPHA", "MU<br>NU", '<span id="r1">BETA</span> ALPHA', "RHO PI_x0041_\x0b"]))
    assert out.decode() == part.decode().replace("<t>alpha beta</t>", '<t xml:space="preserve">BETA ALPHA</t>').replace(
        "<t>mu_x000D_\nnu</t>", '<t xml:space="preserve">MU\nNU</t>').replace(
        '<r><t xml:space="preserve">alpha </t></r><r><rPr><b/></rPr><t>beta</t></r>',
        '<r><rPr><b/></rPr><t xml:space="preserve">BETA</t></r><r><t xml:space="preserve"> ALPHA</t></r>').replace(
        "<t>pi_x005F_x0041_ rho_x000B_</t>", '<t xml:space="preserve">RHO PI_x005F_x0041__x000B_</t>'), (
        "and written again, escaped (this translation, made by hand, has no carriage return)")


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("content, reason", [
    (b"PK\x03\x04 not really", "it is not a readable zip file"),
    (zipped("word/styles.xml", b"<x/>"), "it has no word/document.xml"),
    (zipped("word/document.xml", f"<w:document {W}><w:p>".encode()),
     "word/document.xml: its XML is not well-formed (no element found: line 1, column"),
    (zipped("word/document.xml", b"<document/>"), "word/document.xml: a text part does not declare the namespace http://schemas.openxmlformats.org/"),
    (zipped("word/document.xml", f'<!DOCTYPE d [<!ENTITY x "alpha">]><w:document {W}>&x;</w:document>'.encode()),
     "word/document.xml: it declares a DTD, which no Office or OpenDocument file does"),
    (zipped("word/document.xml", (f'<w:document {W}><w:body>' + "<w:p><w:r><w:t>a</w:t></w:r><w:r><w:drawing>"
                                  "<w:txbxContent>" * 40 + "<w:p><w:r><w:t>alpha</w:t></w:r></w:p>"
                                  + "</w:txbxContent></w:drawing></w:r></w:p>" * 40 + "</w:body></w:document>").encode()),
     "word/document.xml: its paragraphs are nested more than 32 deep (in text boxes, notes or comments)"),
])
def test_a_damaged_word_document_is_refused_in_one_line(client, content, reason):
    answer = client.post("/translate_file", files={"file": ("x.docx", content)}, data={"source": "en", "target": "es"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"Invalid request: x.docx is not a Word document that can be read: {reason}")


def test_the_shipped_model_carries_a_bold_word_to_its_translation():
    document = docx.Document()
    paragraph = document.add_paragraph("In the beginning ")
    paragraph.add_run("God").bold = True
    paragraph.add_run(" created the heavens and the earth.")
    with client_for(Translator.load(device="cpu")) as client:
        [result] = docx.Document(io.BytesIO(translated(client, saved(document)))).paragraphs
    assert "principio" in result.text and "tierra" in result.text, result.text
    assert [r.text for r in result.runs if r.bold] == ["Dios"], [(r.text, r.bold) for r in result.runs]


def test_a_deeply_nested_paragraph_is_translated_not_a_500(client):
    deep = (f'<w:document {W}><w:body>' + "<w:sdt><w:sdtContent>" * 5000 + "<w:p><w:r><w:t>alpha beta</w:t></w:r></w:p>"
            + "</w:sdtContent></w:sdt>" * 5000 + "</w:body></w:document>")
    out = zipfile.ZipFile(io.BytesIO(translated(client, zipped("word/document.xml", deep.encode()))))
    assert b'<w:t xml:space="preserve">BETA ALPHA</w:t>' in out.read("word/document.xml")


def wrapped(depth: int) -> bytes:
    """A Word document of one paragraph whose words are inside hyperlinks, smart tags and tracked insertions in
    turn, depth of them nested."""
    wrappers = ['<w:hyperlink r:id="rId1">', '<w:smartTag w:uri="u" w:element="place">', '<w:ins w:id="{}" w:author="Ann">']
    starts = "".join(wrappers[k % 3].format(k) for k in range(depth))
    ends = "".join(f"</{wrappers[k % 3][1:].split()[0]}>" for k in reversed(range(depth)))
    return zipped("word/document.xml", word_paragraph(f"{starts}<w:r><w:t>alpha beta</w:t></w:r>{ends}"))


@pytest.mark.parametrize("depth", [3_000, 100_000])
def test_runs_wrapped_thousands_deep_are_refused_in_one_line_and_harm_no_other_file(client, depth):
    answer = client.post("/translate_file", files={"file": ("x.docx", wrapped(depth))},
                         data={"source": "en", "target": "es"})
    assert answer.status_code == 400, "not a RecursionError's 500"
    assert answer.json()["error"] == ("Invalid request: x.docx is not a Word document that can be read: word/document."
                                      "xml: its runs are wrapped more than 64 deep (in hyperlinks, content controls, "
                                      "tracked insertions or smart tags)")
    out = zipfile.ZipFile(io.BytesIO(translated(client, wrapped(office.MAX_WRAPPING)))).read("word/document.xml")
    assert b'<w:t xml:space="preserve">BETA ALPHA</w:t>' in out and out.count(b"<w:ins ") == 21, (
        "as deep as Word could want: translated, inside all its wrappers")


@pytest.mark.parametrize("name, size, reason", [
    ("word/document.xml", packages.MAX_PART_BYTES + 1, "word/document.xml is over 64 MiB uncompressed"),
    ("word/media/image1.png", packages.MAX_UNZIPPED_BYTES + 1, "it is over 256 MiB uncompressed"),
])
def test_a_zip_bomb_is_refused_before_it_is_inflated(name, size, reason):
    bomb = io.BytesIO()  # zeros: a few hundred kB compressed
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        if name != "word/document.xml":
            archive.writestr("word/document.xml", f"<w:document {W}/>")
        with archive.open(name, "w") as entry:
            for _ in range(size >> 20):
                entry.write(bytes(1 << 20))
            entry.write(bytes(size % (1 << 20)))
    with pytest.raises(packages.Damaged, match=reason):
        office.read(bomb.getvalue(), office.WORD)


def unchanged_but_text(source: bytes, result: bytes, kind: office.Kind, label: bytes) -> None:
    """The same zip entries in the same order, each byte for byte but the text parts and the language labels:
    `label`, a label of the source's language as python-docx's or python-pptx's template writes it, is the target's
    in every part (en-US -> es), and there is one at least."""
    before, after = zipfile.ZipFile(io.BytesIO(source)), zipfile.ZipFile(io.BytesIO(result))
    assert [e.filename for e in after.infolist()] == [e.filename for e in before.infolist()]
    relabelled = label.replace(b"en-US", b"es")
    assert any(label in before.read(entry) for entry in before.infolist())
    for entry in before.infolist():
        if not kind.text_parts.fullmatch(entry.filename):
            expected = before.read(entry).replace(label, relabelled)
            assert after.read(entry.filename) == expected, f"{entry.filename} was changed"


def test_a_presentation_is_translated_with_its_formatting_tables_and_notes(client):
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "alpha beta"
    body = slide.placeholders[1].text_frame
    body.text = "mu nu\vxi omicron"  # \v: a line break (<a:br/>) in the paragraph
    mixed = body.add_paragraph()
    mixed.add_run().text = "alpha beta "
    bold = mixed.add_run()
    bold.text, bold.font.bold = "gamma", True
    mixed.add_run().text = " delta"
    table = deck.slides.add_slide(deck.slide_layouts[5]).shapes.add_table(1, 2, 0, 0, 914400, 914400).table
    table.cell(0, 1).text = "pi rho"
    slide.notes_slide.notes_text_frame.text = "sigma tau"
    source = saved(deck)

    result = translated(client, source, "talk.pptx")
    first, second = pptx.Presentation(io.BytesIO(result)).slides
    assert first.shapes.title.text_frame.text == "BETA ALPHA"
    broken, mixed = first.placeholders[1].text_frame.paragraphs
    assert broken.text == f"{text(client, 'mu nu')}\v{text(client, 'xi omicron')}", "a break: each text alone"
    assert [(r.text, r.font.bold) for r in mixed.runs] == [("DELTA ", None), ("GAMMA", True), (" BETA ALPHA", None)]
    assert second.shapes[-1].table.cell(0, 1).text == "RHO PI"
    assert first.notes_slide.notes_text_frame.text == "TAU SIGMA"
    unchanged_but_text(source, result, office.POWERPOINT, b' lang="en-US"')


def test_a_chart_title_on_a_slide_is_translated_and_its_cached_data_kept(client):
    deck = pptx.Presentation()
    data = CategoryChartData()
    data.categories = ["mu", "nu"]
    data.add_series("gamma", (1, 2))
    graphic = deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, 914400, 914400, data)
    graphic.chart.has_title = True
    graphic.chart.chart_title.text_frame.text = "delta eps"

    [result] = pptx.Presentation(io.BytesIO(translated(client, saved(deck), "talk.pptx"))).slides
    chart = result.shapes[0].chart
    assert chart.chart_title.text_frame.text == "EPS DELTA"
    assert list(chart.plots[0].categories) == ["mu", "nu"], "the data's cached names are the embedded workbook's"


@pytest.mark.parametrize("kind, name", [(office.WORD, "word/charts/chart1.xml"),
                                        (office.WORD, "word/diagrams/drawing1.xml"),
                                        (office.EXCEL, "xl/drawings/drawing1.xml")])
def test_drawings_in_documents_and_workbooks_are_translated_as_slides_are(kind, name):
    drawing = (f'<c:chartSpace xmlns:c="urn:c" {A}><c:rich><a:p><a:r><a:rPr lang="en-US"/><a:t>alpha beta</a:t></a:r>'
               '</a:p></c:rich></c:chartSpace>')
    main = {office.WORD: f"<w:document {W}/>", office.EXCEL: "<workbook/>"}[kind]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(kind.main_part, main)
        archive.writestr(name, drawing)
        archive.writestr("word/charts/chart2.xml", '<c:chartSpace xmlns:c="urn:c"/>')  # nothing of DrawingML's
    texts, render = office.read(package.getvalue(), kind)
    assert texts == ["alpha beta"]
    out = zipfile.ZipFile(io.BytesIO(render(["BETA ALPHA"], Languages("en", "es"))))
    assert out.read(name).decode() == drawing.replace("alpha beta", "BETA ALPHA").replace("en-US", "es")


def test_a_slide_paragraph_keeps_its_end_formatting_last_and_its_fields_whole_where_the_translation_puts_them():
    part = (f'<p:sld {A} xmlns:p="urn:p"><p:txBody><a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="en-US"/>'
            '<a:t>alpha </a:t></a:r><a:r><a:rPr lang="en-US" i="1"/><a:t>beta</a:t></a:r>'
            '<a:endParaRPr lang="en-US"/></a:p><a:p><a:fld id="{1}" type="slidenum"><a:rPr lang="en-US"/><a:t>7</a:t>'
            '</a:fld><a:r><a:t> gamma</a:t></a:r></a:p></p:txBody></p:sld>').encode()
    cut = office.cut_part(part, office.POWERPOINT)
    assert cut.texts == ['alpha <span id="r1">beta</span>', '<nmt-kept id="0"/> gamma'], "the field's text not sent"
    assert edited(part, cut.edits(['<span id="r1">BETA</span> ALPHA', 'GAMMA <nmt-kept id="0"/>'])) == (
        f'<p:sld {A} xmlns:p="urn:p"><p:txBody><a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="en-US" i="1"/><a:t>BETA</a:t>'
        '</a:r><a:r><a:rPr lang="en-US"/><a:t> ALPHA</a:t></a:r><a:endParaRPr lang="en-US"/></a:p><a:p>'
        '<a:r><a:t>GAMMA </a:t></a:r><a:fld id="{1}" type="slidenum"><a:rPr lang="en-US"/><a:t>7</a:t></a:fld></a:p>'
        '</p:txBody></p:sld>').encode()


def test_a_picture_in_a_word_paragraph_follows_the_word_it_followed():
    picture = '<w:r><w:rPr><w:noProof/></w:rPr><w:drawing><wp:inline xmlns:wp="urn:wp"/></w:drawing></w:r>'
    texts, out = rewritten(f'<w:r><w:t xml:space="preserve">alpha </w:t></w:r>{picture}'
                           '<w:r><w:t xml:space="preserve"> beta gamma</w:t></w:r>', ['GAMMA BETA <nmt-kept id="1"/> ALPHA'])
    assert texts == ['alpha <nmt-kept id="1"/> beta gamma']
    assert out == (f'<w:p><w:r><w:t xml:space="preserve">GAMMA BETA </w:t></w:r>{picture}'
                   '<w:r><w:t xml:space="preserve"> ALPHA</w:t></w:r></w:p>')


def png() -> bytes:
    """A red 1×1 PNG: a picture to put in a document."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def test_a_pictures_alt_text_in_a_word_document_is_translated_and_the_rest_of_the_picture_kept(client):
    document = docx.Document()
    paragraph = document.add_paragraph("alpha beta ")
    paragraph.add_run().add_picture(io.BytesIO(png()))._inline.docPr.set("descr", "mu nu xi")
    paragraph.add_run(" gamma")
    document.add_paragraph().add_run().add_picture(io.BytesIO(png()))  # no alt text
    document.add_paragraph().add_run().add_picture(io.BytesIO(png()))._inline.docPr.set("descr", "42")  # no letter
    document.add_paragraph().add_run().add_picture(io.BytesIO(png()))._inline.docPr.set("descr", "IMG_0042.JPG")
    source = saved(document)

    pictures = re.compile(rb"<w:drawing>.*?</w:drawing>", re.DOTALL)
    before = pictures.findall(zipfile.ZipFile(io.BytesIO(source)).read("word/document.xml"))
    after = pictures.findall(zipfile.ZipFile(io.BytesIO(translated(client, source))).read("word/document.xml"))
    alt = text(client, "mu nu xi")
    assert alt == "XI NU MU", "the toy model reverses"
    assert after == [before[0].replace(b'descr="mu nu xi"', f'descr="{alt}"'.encode()), *before[1:]], (
        "the alt text translated, all else of each picture as written; a file's name as alt text kept")


def test_an_alt_text_on_both_copies_of_a_picture_is_sent_once_and_written_to_both(client):
    document = docx.Document()
    paragraph = document.add_paragraph("alpha beta ")
    inline = paragraph.add_run().add_picture(io.BytesIO(png()))._inline
    for described in (inline.docPr, inline.graphic.graphicData.pic.nvPicPr.cNvPr):  # as Word writes them
        described.set("descr", "mu nu xi")
        described.set("title", "rho")
    source = saved(document)

    assert read_document("a.docx", source).texts == ['alpha beta <nmt-kept id="1"/>', "mu nu xi", "rho"], (
        "each alt text sent once")
    part = zipfile.ZipFile(io.BytesIO(translated(client, source))).read("word/document.xml")
    descr, title = (f'{name}="{text(client, alt)}"'.encode() for name, alt in [("descr", "mu nu xi"), ("title", "rho")])
    assert (part.count(descr), part.count(title)) == (2, 2), "and written to both copies"


def test_a_pictures_alt_text_in_a_presentation_is_translated_and_the_rest_of_the_picture_kept(client):
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "alpha beta"
    slide.shapes.add_picture(io.BytesIO(png()), 0, 0)._element.nvPicPr.cNvPr.set("descr", "mu nu xi")
    slide.shapes.add_picture(io.BytesIO(png()), 0, 0)._element.nvPicPr.cNvPr.attrib.pop("descr")  # no alt text
    source = saved(deck)

    pictures = re.compile(rb"<p:pic>.*?</p:pic>", re.DOTALL)
    result = translated(client, source, "talk.pptx")
    before = pictures.findall(zipfile.ZipFile(io.BytesIO(source)).read("ppt/slides/slide1.xml"))
    after = pictures.findall(zipfile.ZipFile(io.BytesIO(result)).read("ppt/slides/slide1.xml"))
    assert after == [before[0].replace(b'descr="mu nu xi"', f'descr="{text(client, "mu nu xi")}"'.encode()),
                     before[1]], "the alt text translated, all else of each picture as written"
    assert pptx.Presentation(io.BytesIO(result)).slides[0].shapes.title.text == "BETA ALPHA"


def test_alt_texts_are_texts_of_their_own_written_back_escaped_in_their_quotes():
    alt = '<wp:docPr id="1" name="Picture 1" descr="alpha &amp; beta&#10;gamma" title=\'mu "nu"\'/>'
    picture = (f'<w:r><mc:AlternateContent><mc:Choice Requires="pic"><w:drawing><wp:inline>{alt}</wp:inline>'
               '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape alt="xi &lt; pi"><v:imagedata r:id="rId4"/>'
               '</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    texts, out = rewritten(f'<w:r><w:t xml:space="preserve">eps </w:t></w:r>{picture}', [
        '<nmt-kept id="1"/> EPS', "BETA &amp; ALPHA<br>GAMMA", '"NU" MU', "PI &lt; XI"])
    assert texts == ['eps <nmt-kept id="1"/>', "alpha &amp; beta<br>gamma", 'mu "nu"', "xi &lt; pi"], (
        "the paragraph's text, then its picture's alt texts: DrawingML's description and title, and VML's copy")
    written = (picture.replace("alpha &amp; beta&#10;gamma", "BETA &amp; ALPHA&#10;GAMMA")
               .replace('mu "nu"', "&quot;NU&quot; MU").replace("xi &lt; pi", "PI &lt; XI"))
    assert out == f'<w:p>{written}<w:r><w:t xml:space="preserve"> EPS</w:t></w:r></w:p>', (
        "each written back in its own quotes, escaped, its line break a reference; the picture where it was put")
    drawn = '<w:r><w:t>gamma</w:t><w:drawing><wp:inline><wp:docPr id="1" descr="alpha beta"/></wp:inline></w:drawing></w:r>'
    texts, out = rewritten(drawn, ["GAMMA", "BETA ALPHA"])
    assert texts == ["gamma", "alpha beta"], "a drawing in a run of text: the run's text translated where it is"
    assert out == f'<w:p>{drawn}</w:p>'.replace("<w:t>gamma", '<w:t xml:space="preserve">GAMMA').replace(
        "alpha beta", "BETA ALPHA")
    part = (f'<p:sld {A} xmlns:p="urn:p"><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="Box" title="alpha beta" '
            'descr=" 7 "/></p:nvSpPr><p:txBody><a:p><a:r><a:t>gamma</a:t></a:r></a:p></p:txBody></p:sp><p:pic>'
            '<p:nvPicPr><p:cNvPr id="3" name="Picture 2" descr=""/></p:nvPicPr></p:pic></p:spTree></p:sld>').encode()
    cut = office.cut_part(part, office.POWERPOINT)
    assert cut.texts == ["alpha beta", "gamma"], "a shape's alt text before its text; one without a letter kept"
    assert edited(part, cut.edits(["BETA ALPHA", "GAMMA"])) == part.replace(b"alpha beta", b"BETA ALPHA").replace(
        b"gamma", b"GAMMA")


def test_a_pictures_alt_text_in_a_sheets_drawing_is_translated():
    drawing = (f'<xdr:wsDr xmlns:xdr="urn:xdr" {A}><xdr:oneCellAnchor><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" '
               'name="Picture 1" descr="alpha beta"/></xdr:nvPicPr></xdr:pic></xdr:oneCellAnchor></xdr:wsDr>')
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/drawings/drawing1.xml", drawing)
    texts, render = office.read(package.getvalue(), office.EXCEL)
    assert texts == ["alpha beta"]
    out = zipfile.ZipFile(io.BytesIO(render(["BETA ALPHA"], Languages("en", "es"))))
    assert out.read("xl/drawings/drawing1.xml").decode() == drawing.replace("alpha beta", "BETA ALPHA")


def test_a_file_that_is_not_a_presentation_is_refused_in_one_line(client):
    answer = client.post("/translate_file", files={"file": ("x.pptx", zipped("word/document.xml", f"<w:document {W}/>"
                                                                             .encode()))},
                         data={"source": "en", "target": "es"})
    assert answer.status_code == 400
    assert answer.json()["error"] == ("Invalid request: x.pptx is not a PowerPoint presentation that can be read: it has "
                                      "no ppt/presentation.xml")
