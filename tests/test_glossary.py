"""A request's glossary on POST /v1/translate: each source term, as whole words, comes out as its target term, through
the scheduler's path (Translator.prepare masks it with a placeholder, Translator.finish restores it as the target);
its limits are 413; a model without placeholders refuses a glossary (400) rather than ignoring it.

The placeholder-aware toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest
from service_fixtures import client_for, running_server

from nmt.cli import main
from nmt.model.glossary import SUFFIXES, GlossaryError, read_glossary
from nmt.model.spans import Terms
from nmt.model.translator import Translator
from nmt.model.workbook import first_sheet_rows
from nmt.training.glossary import glossary_file


@pytest.fixture(scope="module")
def client(placeholder_model):
    with client_for(Translator.load(placeholder_model, "cpu"), max_glossary_terms=3, max_term_chars=12) as c:
        yield c


def translate(client, text: str, **body) -> httpx.Response:
    return client.post("/v1/translate", json={"text": text, **body})


def text_of(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    return answer.json()["translations"][0]["text"]


def test_a_glossary_term_comes_out_as_its_target_term(client):
    assert "OMEGA" not in text_of(translate(client, "alpha beta gamma"))
    out = text_of(translate(client, "alpha beta gamma", glossary={"alpha": "OMEGA"}))
    assert out.count("OMEGA") == 1  # restored however the toy model placed (or dropped) its placeholder
    phrase = text_of(translate(client, "alpha beta gamma", glossary={"beta gamma": "OMEGA PSI"}))
    assert phrase.count("OMEGA PSI") == 1


def test_terms_match_whole_words_in_the_given_case_unless_told_otherwise(client):
    assert "OMEGA" not in text_of(translate(client, "alphabet beta", glossary={"alpha": "OMEGA"}))
    assert "OMEGA" not in text_of(translate(client, "alpha beta", glossary={"ALPHA": "OMEGA"}))
    out = text_of(translate(client, "alpha beta", glossary={"ALPHA": "OMEGA"}, glossary_ignore_case=True))
    assert out.count("OMEGA") == 1


def test_every_text_and_sentence_of_a_request_gets_the_glossary(client):
    answer = client.post("/v1/translate", json={"text": ["tau mu", "mu sigma\nsigma tau"], "glossary": {"tau": "T9"}})
    first, second = (t["text"] for t in answer.json()["translations"])
    assert first.count("T9") == 1 and second.count("T9") == 1 and second.count("\n") == 1


@pytest.mark.parametrize("glossary, status, message", [
    ({"a": "1", "b": "2", "c": "3", "d": "4"}, 413, "glossary too long: 4 entries; the limit is 3"),
    ({"alpha": "x" * 13}, 413, "a glossary term has 13 characters; the limit is 12 ('xxxxxxxxxxxxx')"),
])
def test_a_glossary_over_the_limits_is_413(client, glossary, status, message):
    answer = translate(client, "alpha", glossary=glossary)
    assert answer.status_code == status and answer.json() == {"error": message}


def test_a_blank_term_is_422(client):
    answer = translate(client, "alpha", glossary={"  ": "x"})
    assert answer.status_code == 422 and "glossary" in answer.json()["error"]


def test_a_model_without_placeholders_refuses_a_glossary(translator):
    with client_for(translator) as plain:
        answer = translate(plain, "alpha beta", glossary={"alpha": "OMEGA"})
        assert answer.status_code == 400 and answer.json() == {
            "error": "the en -> es model has no placeholders: it cannot keep dnt strings verbatim or apply a "
                     "glossary; send the request without them"}
        assert text_of(translate(plain, "alpha beta", glossary={})) == "BETA ALPHA"  # an empty one asks nothing


def test_a_glossary_over_http(placeholder_model):
    with running_server(placeholder_model) as url:
        answer = httpx.post(f"{url}/v1/translate", json={"text": "mu alpha", "glossary": {"alpha": "ÁLFA"}})
    assert answer.status_code == 200 and answer.json()["translations"][0]["text"].count("ÁLFA") == 1


# --- glossary files: `nmt translate --glossary`, `nmt translate-file --glossary` (training/glossary.py) ---------------
def test_a_glossary_file_is_tsv_or_csv_with_terms_to_keep(tmp_path):
    tsv = tmp_path / "terms.tsv"
    tsv.write_bytes("\ufeff# ours\r\nalpha\tOMEGA\r\n\r\nbeta gamma\t PSI \r\nmu\r\n".encode())
    assert glossary_file(tsv).terms("en", "es") == Terms(("mu",), {"alpha": "OMEGA", "beta gamma": "PSI"})
    csv = tmp_path / "terms.csv"
    csv.write_text('alpha,"OMEGA, PSI"\nmu\n', encoding="utf-8")
    assert glossary_file(csv, ignore_case=True).terms("en", "es") == Terms(("mu",), {"alpha": "OMEGA, PSI"}, ignore_case=True)



def test_a_csv_glossary_may_separate_its_cells_with_semicolons(tmp_path):
    """Excel saves CSV with semicolons where the comma is the decimal mark: `alpha;OMEGA` was read as one cell, a
    term to keep as it is, and the glossary silently did nothing."""
    csv = tmp_path / "terms.csv"
    csv.write_text('# ours, with a comma\nalpha;OMEGA\n"beta, gamma";"PSI; CHI"\nmu\n', encoding="utf-8")
    assert glossary_file(csv).terms("en", "es") == Terms(("mu",), {"alpha": "OMEGA", "beta, gamma": "PSI; CHI"})
    csv.write_text('"alpha; beta",OMEGA\nmu;nu,PSI\n', encoding="utf-8")  # a comma outside quotes: commas
    assert glossary_file(csv).terms("en", "es") == Terms((), {"alpha; beta": "OMEGA", "mu;nu": "PSI"})


def test_a_csv_glossary_names_the_line_a_row_starts_on(tmp_path):
    """A quoted CSV cell may span lines (and U+2028 is no line end in CSV): an error names the line in the file,
    not the row's count, and a term with a line break, which no sentence holds, is refused."""
    csv = tmp_path / "terms.csv"
    csv.write_text('alpha,"OMEGA\u2028PSI"\n"beta\ngamma",PSI\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match="terms.csv:2: a term holds a line break"):
        glossary_file(csv).terms("en", "es")
    csv.write_text('# "a comment,\n# over two lines"\nalpha,"OMEGA\u2028PSI"\nmu,CHI,TAU\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match="terms.csv:4: 3 columns"):
        glossary_file(csv).terms("en", "es")


@pytest.mark.parametrize("content, message", [
    (b"alpha\tOMEGA\tPSI\n", "terms.tsv:1: 3 columns; a line is a source term and its target term"),
    (b"# none\nalpha\t\n", "terms.tsv:2: an empty term"),
    (b"alpha\tOMEGA\nmu\nalpha\tPSI\n", "terms.tsv:3: 'alpha' again (line 1): give each term once"),
    (b"# only a comment\n\n", "terms.tsv: no terms"),
    (b"alpha\t\xe9\n", "terms.tsv: byte 6: not UTF-8"),
])
def test_a_bad_glossary_file_is_one_line_naming_it(tmp_path, capsys, toy_model, content, message):
    (tmp_path / "terms.tsv").write_bytes(content)
    with pytest.raises(GlossaryError, match=re.escape(message)):
        glossary_file(tmp_path / "terms.tsv").terms("en", "es")
    (tmp_path / "in.txt").write_text("alpha\n")
    assert main(["translate", "--model", str(toy_model), "--glossary", str(tmp_path / "terms.tsv"),
                 str(tmp_path / "in.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_nmt_translate_applies_a_glossary_file(placeholder_model, tmp_path, capsys):
    (tmp_path / "terms.tsv").write_text("alpha\tOMEGA\nTau\tT9\nsigma\n", encoding="utf-8")
    (tmp_path / "in.txt").write_text("alpha beta gamma\nmu tau\nsigma mu\n", encoding="utf-8")
    assert main(["translate", "--model", str(placeholder_model), "--beam", "1", "--glossary",
                 str(tmp_path / "terms.tsv"), "--glossary-ignore-case", str(tmp_path / "in.txt")]) == 0
    first, second, third = capsys.readouterr().out.splitlines()
    assert first.count("OMEGA") == 1 and second.count("T9") == 1 and third.count("sigma") == 1


def test_nmt_translate_file_applies_a_glossary_file(placeholder_model, tmp_path, capsys):
    (tmp_path / "terms.tsv").write_text("alpha\tOMEGA\n", encoding="utf-8")
    (tmp_path / "page.html").write_text("<p>alpha <b>beta</b> gamma</p>", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mu alpha\n", encoding="utf-8")
    assert main(["translate-file", "--model", str(placeholder_model), "--glossary", str(tmp_path / "terms.tsv"),
                 str(tmp_path / "page.html"), str(tmp_path / "notes.txt")]) == 0
    assert (tmp_path / "page.es.html").read_text(encoding="utf-8").count("OMEGA") == 1
    assert (tmp_path / "notes.es.txt").read_text(encoding="utf-8").count("OMEGA") == 1


def test_a_model_without_placeholders_refuses_a_glossary_file(toy_model, tmp_path, capsys):
    (tmp_path / "terms.tsv").write_text("alpha\tOMEGA\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mu alpha\n", encoding="utf-8")
    assert main(["translate-file", "--model", str(toy_model), "--glossary", str(tmp_path / "terms.tsv"),
                 str(tmp_path / "notes.txt")]) == 2
    assert "the en-es model has no placeholders: it cannot apply a glossary" in capsys.readouterr().err
    assert not (tmp_path / "notes.es.txt").exists()


# --- a glossary uploaded with POST /translate_file ----------------------------------------------------------------
def upload_with(client, glossary: tuple[str, bytes] | str, **data: str) -> httpx.Response:
    """POST /translate_file of a small text file, en -> es, with the glossary as a file (name, bytes), or (to be
    refused) as a plain form field."""
    files: dict = {"file": ("notes.txt", "mu alpha\n")}
    if isinstance(glossary, tuple):
        files["glossary"] = glossary
    else:
        data["glossary"] = glossary
    return client.post("/translate_file", files=files, data={"source": "en", "target": "es", **data})


def test_translate_file_applies_an_uploaded_glossary(client):
    answer = upload_with(client, ("terms.csv", b"Alpha,OMEGA\n"), glossary_ignore_case="true")
    assert answer.status_code == 200, answer.text
    assert client.get(answer.json()["translatedFileUrl"]).text.count("OMEGA") == 1
    plain = client.post("/translate_file", files={"file": ("notes.txt", "mu alpha\n")},
                        data={"source": "en", "target": "es"})
    assert "OMEGA" not in client.get(plain.json()["translatedFileUrl"]).text


@pytest.mark.parametrize("glossary, status, message", [
    (("terms.tsv", b"alpha\tOMEGA\tPSI\n"), 400, "Invalid request: terms.tsv:1: 3 columns"),
    (("terms.tsv", b"a\t1\nb\t2\nc\nd\t4\n"), 413, "glossary too long: 4 entries; the limit is 3"),
    ("alpha\tOMEGA", 400, "Invalid request: missing glossary parameter (a multipart/form-data upload)"),
])
def test_a_bad_uploaded_glossary_is_refused_in_one_line(client, glossary, status, message):
    answer = upload_with(client, glossary)
    assert answer.status_code == status and answer.json()["error"].startswith(message), answer.text


def test_a_model_without_placeholders_refuses_an_uploaded_glossary(translator):
    with client_for(translator) as plain:
        answer = upload_with(plain, ("terms.tsv", b"alpha\tOMEGA\n"))
    assert answer.status_code == 400 and "has no placeholders" in answer.json()["error"]


# --- termbases (TBX) and sheets whose header names languages: tests/glossaries/ ------------------------------------
GLOSSARIES = Path(__file__).parent / "glossaries"


def test_a_termbase_gives_each_direction_its_preferred_terms():
    """TBX v2 (martif, tig and ntig) and v3 (tbx, conceptEntry): every source synonym -> the preferred target term
    (else the first), never a deprecated one; an entry lacking a language is passed over; en-US is en. Before, a
    .tbx was read as TSV: "'<tig>' again (line 14)"."""
    v2, v3 = glossary_file(GLOSSARIES / "termbase.tbx"), glossary_file(GLOSSARIES / "termbase-v3.tbx")
    assert v2.terms("en", "es") == Terms((), {"LORD": "Yahvé", "Moses": "Moshé", "Pharaoh": "Faraón",
                                              "king of Egypt": "Faraón"})
    assert v2.terms("es", "en-GB").glossary == {"Jehová": "LORD", "Señor": "LORD", "Yahvé": "LORD", "Moshé": "Moses",
                                                "Moisés": "Moses", "Faraón": "Pharaoh"}
    assert v3.terms("en", "es") == Terms((), {"temple": "TEMPLO-SANTO", "sanctuary": "TEMPLO-SANTO",
                                              "Jerusalem": "JERUSALÉN-CIUDAD"})
    assert v3.terms("de", "en").glossary == {"Lade": "ark"}
    named = b"<martif><text><body><termEntry><langSet xml:lang='en'><tig><term>alpha</term></tig></langSet>" \
            b"<langSet xml:lang='es'><tig><term>OMEGA</term></tig></langSet></termEntry></body></text></martif>"
    assert read_glossary(named, "terms.txt").terms("en", "es").glossary == {"alpha": "OMEGA"}  # a TBX named .txt
    dct = b"<tbx style='dct' xmlns='urn:iso:std:iso:30042:ed-2' xmlns:basic='http://www.tbxinfo.net/ns/basic'>" \
          b"<text><body><conceptEntry><langSec xml:lang='en'><termSec><term>alpha</term></termSec></langSec>" \
          b"<langSec xml:lang='es'><termSec><term>ALFA</term><basic:administrativeStatus>deprecatedTerm-admn-sts" \
          b"</basic:administrativeStatus></termSec><termSec><term>OMEGA</term></termSec></langSec></conceptEntry>" \
          b"</body></text></tbx>"
    assert read_glossary(dct, "dct.tbx").terms("en", "es").glossary == {"alpha": "OMEGA"}


def test_a_sheet_whose_header_names_languages_picks_their_columns():
    """A header row names the columns (a language's code or name, notes beside them) and is never a term pair:
    before, `English;Spanish` put "Spanish" wherever a sentence said "English", and en,es,notes was refused."""
    sheet = glossary_file(GLOSSARIES / "sheet.csv")
    assert sheet.terms("en", "es") == Terms((), {"LORD": "Yahvé", "Moses": "Moisés", "Pharaoh": "Faraón"})
    assert sheet.terms("es", "en").glossary == {"Yahvé": "LORD", "Moisés": "Moses", "Faraón": "Pharaoh"}
    assert glossary_file(GLOSSARIES / "sheet.tsv").terms("en", "es").glossary == {"LORD": "Yahvé",
                                                                                  "temple": "TEMPLO-SANTO"}
    assert read_glossary(b"English;Spanish\nalpha;OMEGA\n", "t.csv").terms("en", "es").glossary == {"alpha": "OMEGA"}
    for pair in (b"sun\tsol\n", b"English\tingl\xc3\xa9s\n"):  # a first row naming no two languages: a term pair
        assert len(read_glossary(pair, "t.tsv").terms("en", "es").glossary) == 1
    crowdin = b"Term [en],Description [en],Term [fr],Term [es-ES]\nalpha,a letter,,OMEGA\nbeta,,BETA-FR,\n"
    assert read_glossary(crowdin, "t.csv").terms("en", "es").glossary == {"alpha": "OMEGA"}


@pytest.mark.parametrize("name, content, message", [
    ("broken.tbx", b"<martif><text><body><termEntry>", "broken.tbx: not well-formed XML"),
    ("memory.xml", b"<?xml version='1.0'?><tmx><body/></tmx>", "memory.xml: its root is <tmx>: not a TBX termbase"),
    ("other.tbx", b"<tbx><text><body><conceptEntry><langSec xml:lang='de'><termSec><term>Lade</term></termSec>"
                  b"</langSec></conceptEntry></body></text></tbx>",
     "other.tbx: no entry has terms in both en and es (its languages: de)"),
    ("entities.tbx", b'<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]><martif>'
                     b'<text><body><termEntry><langSet xml:lang="en"><tig><term>&x;</term></tig></langSet>'
                     b'</termEntry></body></text></martif>', "entities.tbx: no entry has terms in both en and es"),
    ("homonym.tbx", b"<tbx><text><body>\n<conceptEntry><langSec xml:lang='en'><termSec><term>bank</term></termSec>"
                    b"</langSec><langSec xml:lang='es'><termSec><term>banco</term></termSec></langSec></conceptEntry>\n"
                    b"<conceptEntry><langSec xml:lang='en'><termSec><term>bank</term></termSec></langSec>"
                    b"<langSec xml:lang='es'><termSec><term>orilla</term></termSec></langSec></conceptEntry>"
                    b"</body></text></tbx>", "homonym.tbx:3: 'bank' again (line 2): give each term once"),
    ("sheet.csv", b"de,fr,notes\nLade,arche,\n", "sheet.csv:1: its header names de, fr: no column of both en and es"),
    ("terms.xlsx", b"PK\x03\x04\x14\x00", "terms.xlsx: not an Excel or OpenDocument spreadsheet (File is not a zip "
                                            "file); save the sheet as CSV (UTF-8)"),
])
def test_a_file_that_is_no_glossary_for_the_pair_is_one_line(tmp_path, capsys, placeholder_model, name, content,
                                                              message):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "in.txt").write_text("alpha\n")
    assert main(["translate", "--model", str(placeholder_model), "--glossary", str(tmp_path / name),
                 str(tmp_path / "in.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


VERSES = "And the LORD spake unto Moses, saying,\nAnd the king of Egypt called Moses.\n"  # (a synonym: Faraón)


def test_nmt_translate_applies_a_termbase_with_the_shipped_model(tmp_path, capsys):
    (tmp_path / "in.txt").write_text(VERSES, encoding="utf-8")
    assert main(["translate", "--beam", "1", "--glossary", str(GLOSSARIES / "termbase.tbx"),
                 str(tmp_path / "in.txt")]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.count("Yahvé") == 1 and first.count("Moshé") == 1 and "Jehová" not in first, first
    assert second.count("Faraón") == 1 and second.count("Moshé") == 1, second


@pytest.fixture(scope="module")
def shipped_client():
    with client_for(Translator.load(device="cpu")) as c:
        yield c


@pytest.mark.parametrize("name, expected", [("termbase-v3.tbx", ["TEMPLO-SANTO", "JERUSALÉN-CIUDAD"]),
                                            ("sheet.csv", ["Yahvé", "Moisés"]),
                                            ("sheet.ods", ["Yahvé", "Moisés"])])  # sheet.csv saved by LibreOffice
def test_translate_file_applies_an_uploaded_termbase_or_sheet(shipped_client, name, expected):
    notes = "And the LORD spake unto Moses.\nAnd he went into the temple at Jerusalem.\n"
    answer = shipped_client.post("/translate_file", files={"file": ("notes.txt", notes),
                                                           "glossary": (name, (GLOSSARIES / name).read_bytes())},
                                 data={"source": "en", "target": "es"})
    assert answer.status_code == 200, answer.text
    out = shipped_client.get(answer.json()["translatedFileUrl"]).text
    assert all(out.count(term) == 1 for term in expected), out


def test_an_uploaded_termbase_is_held_to_the_glossary_limits(client):
    answer = upload_with(client, ("termbase.tbx", (GLOSSARIES / "termbase.tbx").read_bytes()))
    assert answer.status_code == 413 and answer.json()["error"] == "glossary too long: 4 entries; the limit is 3"
    answer = upload_with(client, ("broken.tbx", b"<martif>"))
    assert answer.status_code == 400 and answer.json()["error"].startswith("Invalid request: broken.tbx: not well-")


def test_the_demo_pages_glossary_field_takes_what_the_service_reads():
    page = (Path(__file__).parents[1] / "app" / "static" / "index.html").read_text(encoding="utf-8")
    accept = re.search(r'id="glossary" type="file" accept="([^"]*)"', page)
    assert accept and tuple(accept[1].split(",")) == SUFFIXES


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet><table:table table:name="terms">
<table:table-row><table:table-cell><text:p>English</text:p></table:table-cell><table:table-cell/>
 <table:table-cell><text:p>Español</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/>
 </table:table-row>
<table:table-row><table:table-cell><text:p>alpha<text:s text:c="2"/><text:span>beta</text:span></text:p>
 <office:annotation><text:p>a note</text:p></office:annotation></table:table-cell><table:table-cell/>
 <table:table-cell><text:p>OMEGA</text:p></table:table-cell>
 <table:table-cell table:number-columns-repeated="16381"/></table:table-row>
<table:table-row><table:table-cell table:number-columns-repeated="2"><text:p>gamma</text:p></table:table-cell>
 <table:table-cell><text:p>gamma</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""


def ods(content: str, mimetype: str = "application/vnd.oasis.opendocument.spreadsheet") -> bytes:
    saved = io.BytesIO()
    with zipfile.ZipFile(saved, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", content)
    return saved.getvalue()


def test_an_opendocument_spreadsheet_is_read_as_its_cells_show_with_their_row_numbers():
    """Repeated rows and cells count as often as they repeat (a sheet's empty tail is one cell repeated to its width),
    spaces written as text:s are spaces, a cell's comment is no part of its term (before: "not an Excel workbook")."""
    glossary = read_glossary(ods(ODS_CONTENT), "terms.ods")
    assert glossary.terms("en", "es").glossary == {"alpha  beta": "OMEGA", "gamma": "gamma"}
    assert [number for number, _ in first_sheet_rows(ods(ODS_CONTENT))] == [1, 1_048_002, 1_048_003]
    with pytest.raises(GlossaryError, match="^terms.odt: not an Excel or OpenDocument spreadsheet .*; save the sheet"):
        read_glossary(ods(ODS_CONTENT, "application/vnd.oasis.opendocument.text"), "terms.odt")


def test_translate_file_applies_an_uploaded_workbook(client):
    """An Excel glossary, its first sheet's header naming the languages (before: "byte 10: not UTF-8")."""
    workbook = openpyxl.Workbook()
    for row in (["Español", "Notes", "English"], ["OMEGA", "a letter", "alpha"], [None], ["PSI", 7, None]):
        workbook.active.append(row)
    saved = io.BytesIO()
    workbook.save(saved)
    answer = upload_with(client, ("terms.xlsx", saved.getvalue()))
    assert answer.status_code == 200, answer.text
    assert client.get(answer.json()["translatedFileUrl"]).text.count("OMEGA") == 1
