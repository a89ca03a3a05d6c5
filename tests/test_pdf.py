"""PDF files through POST /translate_file, and app/pdf.py on pages as PDF writers lay them out: lines close under one
another are one paragraph, translated as one text and written where it was, over the page without its text, the
page's drawings and pictures kept. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import io
import random
import re

import pytest
from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject
from service_fixtures import client_for

from nmt.app import pdf, pdf_layout
from nmt.app.labels import Languages
from nmt.app.packages import Damaged

BODY = "alpha beta gamma delta eps " * 6  # wraps to three lines at 11 pt in a column of 300 pt
STYLE, BOLD = (("DejaVuSans", ""), (0.0, 0.0, 0.0)), (("DejaVuSans", "B"), (0.0, 0.0, 0.0))


@pytest.fixture(scope="module")
def client(translator):
    with client_for(translator, max_file_bytes=400_000) as c:
        yield c


def translated(client, text: str) -> str:
    return client.post("/v1/translate", json={"text": text}).json()["translations"][0]["text"]


def pieces(content: bytes) -> list[tuple[str, tuple[float, float, float]]]:
    """The text a PDF's first page shows, piece by piece, each with its place (x, y) and size."""
    found: list[tuple[str, tuple[float, float, float]]] = []
    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=lambda text, cm, tm, font, size: found.append(
        (text.strip(), (tm[4], tm[5], size))) if text.strip() else None)
    return found


def written(document: FPDF) -> bytes:
    return bytes(document.output())


def letter(lang: str | None = None) -> bytes:
    """A page as a word processor lays one out: a bold blue heading, a paragraph of three lines, a line break, a
    short paragraph, a table's row of two cells, a list's item, a ruled line and a picture."""
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", "B", 16)
    document.set_text_color(0, 0, 255)
    document.set_xy(72, 72)
    document.cell(300, 20, "mu nu")
    document.set_text_color(0, 0, 0)
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 110)
    document.multi_cell(300, 14, BODY.strip())
    document.set_xy(72, document.get_y() + 14)
    document.multi_cell(300, 14, "pi rho\nsigma tau")
    document.set_xy(72, 260)
    document.cell(100, 14, "xi omicron")
    document.set_xy(300, 260)
    document.cell(100, 14, "kappa lambda")
    document.set_xy(72, 280)
    document.cell(18, 14, "-")
    document.cell(200, 14, "phi chi")
    document.line(72, 300, 400, 300)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, format="PNG")
    document.image(picture, x=72, y=320, w=40)
    content = written(document)
    if lang is None:
        return content
    labelled = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    labelled.root_object[NameObject("/Lang")] = TextStringObject(lang)
    out = io.BytesIO()
    labelled.write(out)
    return out.getvalue()


def test_each_paragraph_is_one_text_and_a_table_row_two():
    texts, _ = pdf.read(letter())
    assert texts == ["mu nu", BODY.strip(), "pi rho", "sigma tau", "xi omicron", "kappa lambda", "phi chi"], (
        "a paragraph's lines joined; a line ended early (a line break) ends it; cells on one baseline apart; a list's "
        "bullet is not text to translate")


def test_a_pdf_is_translated_where_its_text_was_with_its_drawings_and_pictures(client):
    answer = client.post("/translate_file", files={"file": ("letter.pdf", letter("en-US"))},
                         data={"source": "en", "target": "es"})
    assert answer.status_code == 200, answer.text
    download = client.get(answer.json()["translatedFileUrl"])
    assert download.headers["content-type"] == "application/pdf"
    result = PdfReader(io.BytesIO(download.content))
    page = result.pages[0]
    text = " ".join(page.extract_text().split())
    sources = pdf.read(letter())[0]
    expected = [translated(client, source) for source in sources]
    for translation in expected:
        assert translation in text
    assert "alpha" not in text, "the source's text is gone"
    before, after = pieces(letter()), pieces(download.content)
    for source, translation in zip(sources, expected, strict=True):
        x, y, size = next(place for text, place in before if source.startswith(text))
        assert any(translation.startswith(text) and place[0] == pytest.approx(x, abs=0.5) and place[1] == pytest.approx(
            y, abs=2) and place[2] == size for text, place in after), f"{translation} where {source} was, as large"
    assert any(text == "-" and place[0] == pytest.approx(74.83, abs=0.5) for text, place in after), "the bullet"
    shown = pdf_layout.page_pieces(page, pdf.Writer().width)  # (the reader's own: it follows the fill colour)
    assert {p.colour for p in shown if expected[0].startswith(p.text.strip())} == {(0, 0, 1)}, "the heading in blue"
    assert {p.colour for p in shown if p.text.strip() == "-"} == {(0, 0, 0)}, "the bullet in black"
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values() if "DejaVu" in str(font["/BaseFont"])}
    assert {font.split("+")[-1] for font in fonts} == {"DejaVuSansBold", "DejaVuSansBook"}, "Helvetica's nearest"
    content = page.get_contents().get_data()
    assert b" re" in content or b" l " in content or b" l\n" in content, "the ruled line is drawn"
    assert len(page.images) == 1, "the picture is kept"
    assert result.root_object["/Lang"] == "es", "the document says it is in the target language"


@pytest.mark.parametrize("content, reason", [
    (b"%PDF-1.4 not really", "pypdf cannot read it"),
    ("blank", "it holds no text (a scanned page is a picture of text, which this server does not read)"),
    ("encrypted", "it needs a password to open"),
], ids=["not a PDF", "no text", "encrypted"])
def test_a_pdf_that_cannot_be_translated_is_refused_in_one_line(client, content, reason):
    if content == "blank":
        document = FPDF()
        document.add_page()
        document.rect(10, 10, 50, 50)
        content = written(document)
    elif content == "encrypted":
        locked = PdfWriter(clone_from=PdfReader(io.BytesIO(letter())))
        locked.encrypt("secret")
        out = io.BytesIO()
        locked.write(out)
        content = out.getvalue()
    answer = client.post("/translate_file", files={"file": ("x.pdf", content)}, data={"source": "en", "target": "es"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error.startswith(f"Invalid request: x.pdf is not a PDF that can be read: {reason}") and "\n" not in error


def test_a_longer_translation_is_made_smaller_to_fit_above_the_next_paragraph():
    """(A paragraph of one line may grow to the page's right margin first.)"""
    texts, render = pdf.read(letter())
    longer = [text if k != 2 else " ".join([text] * 30) for k, text in enumerate(texts)]  # "pi rho": three lines
    after = pieces(render(longer, Languages("en", "es")))
    assert all(size < 11 * 0.75 for text, (_, _, size) in after if text.startswith("pi rho")), "smaller"
    assert [size for text, (_, _, size) in after if text == "sigma tau"] == [11], "the next paragraph as it was"


def test_a_damaged_pdf_is_read_or_refused_as_damaged_never_an_error_of_another_kind():
    source, rng = letter(), random.Random(2)
    for _ in range(60):
        content = bytearray(source)
        for _ in range(rng.randint(1, 20)):
            content[rng.randrange(len(content))] = rng.randrange(256)
        try:
            texts, render = pdf.read(bytes(content[:rng.randrange(len(content))] if rng.random() < 0.3 else content))
            render(texts, Languages("en", "es"))
        except Damaged:
            pass


@pytest.mark.parametrize("font, face", [
    ("Helvetica", ("DejaVuSans", "")), ("BAAAAA+LiberationSerif-Bold", ("DejaVuSerif", "B")),
    ("TimesNewRomanPS-ItalicMT", ("DejaVuSerif", "I")), ("Helvetica-BoldOblique", ("DejaVuSans", "BI")),
    ("MicrosoftSansSerif", ("DejaVuSans", "")), ("Georgia", ("DejaVuSerif", "")),
])
def test_a_translation_is_written_in_the_dejavu_face_nearest_the_source_font(font, face):
    assert pdf_layout.face_of(font) == face


def test_a_scans_invisible_text_is_translated_invisible_over_its_picture(client):
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(picture, format="PNG")
    document.image(picture, x=0, y=0, w=595, h=842)
    document.set_font("Helvetica", "", 11)
    document.text_mode = TextMode.INVISIBLE  # as OCR writes a page's recognized text
    document.set_xy(72, 72)
    document.cell(300, 14, "alpha beta")
    texts, render = pdf.read(written(document))
    assert texts == ["alpha beta"]
    page = PdfReader(io.BytesIO(render(["BETA ALPHA"], Languages("en", "es")))).pages[0]
    assert [(p.text.strip(), p.visible) for p in pdf_layout.page_pieces(page, pdf.Writer().width)] == [("BETA ALPHA", False)]
    assert len(page.images) == 1, "the scan is kept"


def test_a_paragraph_that_a_page_break_parts_is_one_text_written_on_both_pages():
    document = FPDF(unit="pt", format="A4")
    document.set_auto_page_break(True, margin=72)
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_y(842 - 72 - 14 * 3)  # three lines' room left
    document.multi_cell(300, 14, "sigma tau. " + BODY * 2 + "end")  # six lines: three on each page
    document.page = 1  # a footer under the paragraph's first page: not where it goes on
    document.set_auto_page_break(False)
    document.set_font("Helvetica", "", 9)
    document.set_xy(72, 842 - 40)
    document.cell(100, 10, "page one")
    texts, render = pdf.read(written(document))
    assert texts == ["sigma tau. " + (BODY * 2).strip() + " end", "page one"]
    pages = PdfReader(io.BytesIO(render([texts[0].upper(), "PAGE ONE"], Languages("en", "es")))).pages
    first, second = (" ".join(page.extract_text().split()) for page in pages)
    assert first.startswith("SIGMA TAU. ALPHA") and second.endswith("EPS END")
    assert (first.replace("PAGE ONE", "") + " " + second).split() == texts[0].upper().split(), "all of it, once"


def test_a_translation_is_parted_between_words_as_its_source_was():
    def parted(text: str, lengths: list[int]) -> list[str]:
        parts = pdf._parted(pdf._words(text, []), lengths)
        return [" ".join("".join(part.text for part in word) for word in part) for part in parts]

    assert parted("aa bb cc dd", [1, 1]) == ["aa bb", "cc dd"]
    assert parted("alpha", [5, 5, 5]) == ["alpha", "", ""]
    assert parted("one two three four", [1, 3]) == ["one", "two three four"]


def test_a_centred_title_stays_centred_and_a_cell_beside_another_where_it_was():
    document = FPDF(unit="pt", format="A4")  # 595 pt wide: text from 72 to 523, centred on 297.5
    document.add_page()
    document.set_font("Helvetica", "B", 16)
    document.set_xy(72, 72)
    document.cell(451, 20, "mu nu", align="C")
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 110)
    document.multi_cell(451, 14, BODY.strip())
    document.set_xy(72, 200)
    document.cell(200, 14, "xi", align="C")
    document.cell(200, 14, "kappa lambda")
    source = written(document)
    texts, render = pdf.read(source)
    after = dict(pieces(render(["NU MU AND A LONGER TITLE", BODY.strip(), "XI OMICRON", "KAPPA"], Languages("en", "es"))))
    x, _, size = after["NU MU AND A LONGER TITLE"]
    width = pdf.Writer().width("NU MU AND A LONGER TITLE", size, ("DejaVuSans", "B")) / pdf.WIDTH
    assert x + width / 2 == pytest.approx(297.5, abs=1), "the title centred"
    assert after["XI OMICRON"][0] == pytest.approx(dict(pieces(source))["xi"][0], abs=0.5), (
        "a cell with a neighbour: where it was, not moved to the page's middle")


def test_a_line_set_against_the_right_margin_stays_there():
    document = FPDF(unit="pt", format="A4")  # 595 pt wide: text from 72 to 523
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 72)
    document.cell(451, 14, "mu nu", align="R")  # a letter's date
    document.set_xy(72, 110)
    document.multi_cell(451, 14, BODY.strip())
    document.set_xy(72, 200)
    document.cell(200, 14, "xi omicron")  # ends far from the margin: as it was
    source = written(document)
    texts, render = pdf.read(source)
    after = dict(pieces(render(["THE NU MU OF A LONGER DATE", BODY.strip(), "XI"], Languages("en", "es"))))
    x, _, size = after["THE NU MU OF A LONGER DATE"]
    width = pdf.Writer().width("THE NU MU OF A LONGER DATE", size, ("DejaVuSans", "")) / pdf.WIDTH
    left = dict(pieces(source))["xi omicron"][0]  # the margin, inside the cells' padding
    assert x + width == pytest.approx(595 - left, abs=1), "the date's end on the right margin"
    assert after["XI"][0] == pytest.approx(left, abs=0.5)


def test_a_line_placed_letter_by_letter_or_word_by_word_keeps_its_spaces():
    document = FPDF(unit="pt")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    x = 72.0
    for word in "alpha beta gamma".split():  # each word placed apart, no space shown
        document.text(x, 100, word)
        x += document.get_string_width(word) + 3
    x = 72.0
    for letter in "delta eps":  # each letter placed apart, the space one of them
        document.text(x, 114, letter)
        x += document.get_string_width(letter)
    assert pdf.read(written(document))[0] == ["alpha beta gamma delta eps"]


def test_a_bold_word_and_a_red_one_go_back_around_the_words_they_held(client):
    """fpdf2 shows a line's bold word after a change of font in the same text object, where pypdf reports the
    object's start for each piece: the word still follows the text before it, in one paragraph."""
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 72)
    document.multi_cell(400, 14, "alpha **beta** gamma delta", markdown=True)
    document.set_xy(72, 120)
    for word, colour in (("mu ", (0, 0, 0)), ("nu", (255, 0, 0)), (" xi", (0, 0, 0))):
        document.set_text_color(*colour)
        document.write(14, word)
    source = written(document)
    assert pdf.read(source)[0] == ['alpha <span class="s0">beta</span> gamma delta',
                                   'mu <span class="s1">nu</span> xi']
    answer = client.post("/translate_file", files={"file": ("words.pdf", source)}, data={"source": "en", "target": "es"})
    result = client.get(answer.json()["translatedFileUrl"]).content
    shown = pdf_layout.page_pieces(PdfReader(io.BytesIO(result)).pages[0], pdf.Writer().width)
    assert " ".join(p.text.strip() for p in shown) == "DELTA GAMMA BETA ALPHA XI NU MU"
    assert [p.text.strip() for p in shown if p.face == ("DejaVuSans", "B")] == ["BETA"]
    assert [p.text.strip() for p in shown if p.colour != (0, 0, 0)] == ["NU"]
    assert {p.colour for p in shown if p.text.strip() == "NU"} == {(1, 0, 0)}


def test_text_goes_as_html_and_comes_back_as_text_a_word_too_wide_in_pieces():
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 72)
    document.cell(60, 14, "R&D <b>")
    texts, render = pdf.read(written(document))
    assert texts == ["R&amp;D &lt;b&gt;"]
    word = "x" * 150  # some 970 pt of letters, in a box as wide as the page's text (451 pt)
    shown = [text for text, _ in pieces(render([f"&lt;a&gt; &amp; {word}"], Languages("en", "es")))]
    assert shown[0] == "<a> &" and "".join(shown[1:]) == word and len(shown) > 2


def test_a_translations_spans_give_their_words_their_styles_and_links_and_an_unknown_span_none():
    words = pdf._words('mu <span class="s1">nu xi</span>o <span class="s9">pi</span> <span class="l4">rho '
                       '<span class="s1">tau</span></span>', [STYLE, BOLD])
    assert words == [[("mu", None, None)], [("nu", BOLD, None)], [("xi", BOLD, None), ("o", None, None)],
                     [("pi", None, None)], [("rho", None, 4)], [("tau", BOLD, 4)]]
    assert pdf._runs(words, STYLE) == [("mu ", STYLE, None), ("nu xi", BOLD, None), ("o pi ", STYLE, None),
                                       ("rho ", STYLE, 4), ("tau", BOLD, 4)], "a link's space in it"


def test_turned_text_is_written_turned_where_it_was_and_leaves_the_page_around_it_alone(client):
    """A margin's note set upwards, and a watermark at 45°: each a paragraph alone, written at its angle from where
    it started; the body beside them keeps its box."""
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 72)
    document.multi_cell(300, 14, BODY.strip())
    for angle, x, y, text in ((90, 30, 500, "mu nu xi"), (45, 150, 600, "alpha beta")):
        with document.rotation(angle, x, y):
            document.text(x, y, text)
    source = written(document)
    texts, render = pdf.read(source)
    assert texts == [BODY.strip(), "mu nu xi", "alpha beta"]
    answer = client.post("/translate_file", files={"file": ("turned.pdf", source)}, data={"source": "en", "target": "es"})
    result = client.get(answer.json()["translatedFileUrl"]).content
    width = pdf.Writer().width
    before, after = (pdf_layout.page_pieces(PdfReader(io.BytesIO(c)).pages[0], width) for c in (source, result))
    turned = [(p.text.strip(), round(p.angle), round(p.x), round(p.y)) for p in after if not p.straight]
    assert turned == [("XI NU MU", 90, 30, round(842 - 500)), ("BETA ALPHA", 45, 150, round(842 - 600))]
    [first] = [(round(p.x), round(p.y)) for p in after if p.straight]  # (the toy model's translation: one line)
    assert first == (round(before[0].x), round(before[0].y)), "the body where it was"


def translated_file(client, name: str, content: bytes) -> bytes:
    answer = client.post("/translate_file", files={"file": (name, content)}, data={"source": "en", "target": "es"})
    assert answer.status_code == 200, answer.text
    return client.get(answer.json()["translatedFileUrl"]).content


def areas(content: bytes) -> list[list[tuple[float, float, float, float]]]:
    """Where each link of a PDF's first page is clicked: the box around each quad of its /QuadPoints, or its /Rect."""
    found = []
    for annotation in PdfReader(io.BytesIO(content)).pages[0]["/Annots"]:
        numbers = [float(n) for n in annotation.get_object().get("/QuadPoints", annotation.get_object()["/Rect"])]
        corners = [numbers[at:at + 8] for at in range(0, len(numbers), 8)]
        found.append([(min(c[0::2]), min(c[1::2]), max(c[0::2]), max(c[1::2])) for c in corners])
    return found


def covered(content: bytes, where: list[tuple[float, float, float, float]]) -> list[str]:
    """The words of a translated PDF's first page (written in DejaVu: measured exactly) whose middle, on their
    baseline, is in one of the areas."""
    measure, words = pdf.Writer().measure, []
    for piece in pdf_layout.page_pieces(PdfReader(io.BytesIO(content)).pages[0], measure):
        for word in re.finditer(r"\S+", piece.text):
            middle = piece.x + (measure(piece.text[:word.start()], piece.size, piece.face)
                                + measure(piece.text[:word.end()], piece.size, piece.face)) / 2
            if any(left <= middle <= right and bottom <= piece.y <= top for left, bottom, right, top in where):
                words.append(word[0])
    return words


def linked_words() -> bytes:
    """A line with a link over two of its words (as fpdf2 writes a Markdown link), and a picture that is a link."""
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    document.set_xy(72, 72)
    document.multi_cell(400, 14, "alpha beta [gamma delta](https://example.org/) eps", markdown=True)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, format="PNG")
    document.image(picture, x=72, y=200, w=40, link="https://example.org/picture")
    return written(document)


def test_a_link_over_words_is_moved_over_their_translation_and_one_over_a_picture_stays(client):
    source = linked_words()
    assert pdf.read(source)[0] == ['alpha beta <span class="l0">gamma delta</span> eps'], "its words a span"
    result = translated_file(client, "links.pdf", source)
    text_link, picture_link = areas(result)
    assert covered(result, text_link) == ["DELTA", "GAMMA"], (
        "the link over its words' translation (the toy model's: reversed)")
    assert picture_link == areas(source)[1], "a link over no words where it was"


def test_a_link_over_words_on_two_lines_is_moved_with_a_quad_for_each_line_its_translation_takes(client):
    """A link from a line's third word to the next line's second (one annotation, a quad on each line, as Acrobat
    writes one): its words, translated, are wider than the paragraph's box, and take two lines of it, each its
    quad. (The paragraph below, far off, leaves room: the translation is not made smaller.)"""
    document = FPDF(unit="pt", format="A4")
    document.add_page()
    document.set_font("Helvetica", "", 11)
    for y, line in ((100, "alpha beta gamma delta"), (114, "eps alpha beta"), (300, "pi rho")):
        document.text(72, y, line)
    start, width = 72 + document.get_string_width("alpha beta "), document.get_string_width
    quads = [(start, 742 - 3, 72 + width("alpha beta gamma delta"), 742 + 9),  # (baselines: 842 - 100, 842 - 114)
             (72, 728 - 3, 72 + width("eps alpha"), 728 + 9)]
    with_link = PdfWriter(clone_from=PdfReader(io.BytesIO(written(document))))
    annotation = with_link.add_annotation(0, Link(rect=(72, 725, quads[0][2], 751), url="https://example.org/"))
    annotation[NameObject("/QuadPoints")] = ArrayObject(
        FloatObject(n) for left, bottom, right, top in quads for n in (left, top, right, top, left, bottom, right, bottom))
    out = io.BytesIO()
    with_link.write(out)
    source = out.getvalue()
    assert pdf.read(source)[0] == ['alpha beta <span class="l0">gamma delta eps alpha</span> beta', "pi rho"]
    result = translated_file(client, "wrapped.pdf", source)
    [where] = areas(result)
    assert covered(result, where) == ["ALPHA", "EPS", "DELTA", "GAMMA"], "over the link's words' translation"
    assert [covered(result, [quad]) for quad in where] == [["ALPHA", "EPS"], ["DELTA", "GAMMA"]], "a quad a line"


def test_a_link_whose_span_does_not_come_back_stays_where_it_was():
    source = linked_words()
    texts, render = pdf.read(source)
    for translation in ("EPS DELTA GAMMA BETA ALPHA", 'EPS <span class="l7">DELTA</span> GAMMA BETA ALPHA'):
        assert areas(render([translation], Languages("en", "es"))) == areas(source), translation
