"""`nmt translate-file`: a document translated offline is the file that POST /translate_file returns for it, format
by format, with the shipped model; bad input is one line on stderr and exit code 2, and no file is harmed."""
from __future__ import annotations

import io
import json
import os
import zipfile

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader
from service_fixtures import client_for

from nmt.cli import main
from nmt.model.bundle import DEFAULT_BUNDLE
from nmt.model.translator import Translator
from nmt.training.translate_file import FileTranslator

VERSES = ["In the beginning God created the heavens and the earth.",
          "And God said, Let there be light: and there was light.",
          "And God saw the light, that it was good."]


def word_file() -> bytes:
    document = docx.Document()
    document.add_heading("The creation of the world", 1)
    paragraph = document.add_paragraph("In the beginning God created the ")
    paragraph.add_run("heavens").bold = True
    paragraph.add_run(" and the earth.")
    for verse in VERSES[1:]:
        document.add_paragraph(verse)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_file() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for verse in VERSES:
        pdf.multi_cell(0, 8, verse, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    return bytes(pdf.output())


def deep_word_file() -> bytes:
    """A Word document whose one paragraph's words are inside 3,000 hyperlinks, nested."""
    part = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
            + "<w:hyperlink>" * 3000 + "<w:r><w:t>alpha</w:t></w:r>" + "</w:hyperlink>" * 3000 + "</w:p></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", part)
    return out.getvalue()


FILES = {
    "notes.txt": ("\n\n".join(VERSES) + "\n").encode(),
    "film.srt": ("1\n00:00:01,000 --> 00:00:04,000\n<i>In the beginning</i> God created\nthe heavens and the earth.\n\n"
                 f"2\n00:00:05,000 --> 00:00:07,000\n{VERSES[1]}\n").encode(),
    "page.html": (f'<html lang="en"><body><h1>The creation</h1><p>{VERSES[0].replace("God", "<b>God</b>")}</p>'
                  f'<p><a href="/light">{VERSES[1]}</a> {VERSES[2]}</p></body></html>').encode(),
    "genesis.docx": word_file(),
    "genesis.pdf": pdf_file(),
}


def contents(data: bytes) -> object:
    """What a file says: a zipped file's parts (not the zip's own dates), a PDF's pages' text (not its dates)."""
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return {name: package.read(name) for name in package.namelist()}
    if data.startswith(b"%PDF"):
        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return data


@pytest.fixture(scope="module")
def served() -> dict[str, bytes]:
    """Each file as the service translates it (the shipped model, batch-invariant so that batching cannot differ)."""
    found = {}
    with client_for(Translator.load(device="cpu", exact=True), beam_size=5) as client:  # `nmt serve`'s default
        for name, content in FILES.items():
            answer = client.post("/translate_file", files={"file": (name, content)},
                                 data={"source": "en", "target": "es"})
            assert answer.status_code == 200, answer.text
            found[name] = client.get(answer.json()["translatedFileUrl"]).content
    return found


@pytest.mark.parametrize("name", FILES)
def test_a_file_translated_offline_is_the_file_the_service_returns(name, served, tmp_path, capsys):
    source = tmp_path / name
    source.write_bytes(FILES[name])
    assert main(["translate-file", "--exact", str(source)]) == 0  # (the shipped model of the file's language)
    out = source.with_name(f"{source.stem}.es{source.suffix}")
    assert capsys.readouterr().out.startswith(f"wrote {out} (en -> es): ")
    assert contents(out.read_bytes()) == contents(served[name])
    assert contents(out.read_bytes()) != contents(FILES[name]), "translated"
    assert source.read_bytes() == FILES[name], "the source untouched"


def test_word_formatting_comes_back_around_its_words(tmp_path):
    source, out = tmp_path / "genesis.docx", tmp_path / "génesis.docx"
    source.write_bytes(FILES["genesis.docx"])
    assert main(["translate-file", str(source), "--out", str(out)]) == 0
    paragraphs = docx.Document(str(out)).paragraphs
    assert "principio" in paragraphs[1].text and "tierra" in paragraphs[1].text, paragraphs[1].text
    assert [run.text for run in paragraphs[1].runs if run.bold] == ["cielos"]
    assert paragraphs[0].style.name == "Heading 1"


@pytest.mark.parametrize("name, content, message", [
    ("notes.rtf", b"{\\rtf1 hello}", "cannot translate .rtf files: the formats translated are .txt, .srt, "),
    ("notes.docx", b"PK\x03\x04 not a zip", "notes.docx is not a Word document that can be read: "),
    ("latin1.txt", "señor".encode("latin-1"), "latin1.txt is not UTF-8 text (byte 2)"),
    ("deep.docx", deep_word_file(), "deep.docx is not a Word document that can be read: word/document.xml: its runs "
                                    "are wrapped more than 64 deep"),
])
def test_a_file_that_cannot_be_translated_is_one_line_and_harms_no_file(name, content, message, tmp_path, capsys):
    source, out = tmp_path / name, tmp_path / "kept.txt"
    source.write_bytes(content)
    out.write_bytes(b"an earlier translation")
    assert main(["translate-file", str(source), "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"nmt translate-file: error: {message}") and error.count("\n") == 1, error
    assert source.read_bytes() == content and out.read_bytes() == b"an earlier translation"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "kept.txt"]), "no stand-in left behind"


def test_a_damaged_pdf_is_one_line_without_pypdfs_warnings(tmp_path, capsys, caplog):
    source = tmp_path / "fake.pdf"
    source.write_bytes(b"This is text, not a PDF.")
    assert main(["translate-file", str(source)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("nmt translate-file: error: fake.pdf is not a PDF that can be read: pypdf cannot read it")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")] == [], (
        "logging's last resort printed these as lines of their own")


def test_a_translation_never_overwrites_its_source_or_reads_what_is_not_there(tmp_path, capsys):
    source = tmp_path / "notes.txt"
    source.write_bytes(FILES["notes.txt"])
    assert main(["translate-file", str(source), "-o", str(tmp_path / "." / "notes.txt")]) == 2
    assert "the translation would overwrite its source" in capsys.readouterr().err
    assert source.read_bytes() == FILES["notes.txt"]
    assert main(["translate-file", str(tmp_path / "missing.pdf")]) == 2
    assert capsys.readouterr().err == f"nmt translate-file: error: {tmp_path / 'missing.pdf'}: cannot read (No such " \
                                      "file or directory)\n"


def test_several_files_each_translated_beside_it_or_in_a_folder_and_one_bad_file_stops_none(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    for name in ("notes.txt", "film.srt"):
        (tmp_path / "in" / name).write_bytes(FILES[name])
    (tmp_path / "in" / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    names = ["notes.txt", "broken.docx", "film.srt"]
    assert main(["translate-file", "--beam", "1", *(str(tmp_path / "in" / n) for n in names),
                 "--out-dir", str(tmp_path / "out")]) == 2
    printed = capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["film.es.srt", "notes.es.txt"]
    assert [line.split(" (")[0] for line in printed.out.splitlines()] == [f"wrote {tmp_path / 'out' / n}"
                                                                         for n in ("notes.es.txt", "film.es.srt")]
    assert [line for line in printed.err.splitlines() if line.startswith("nmt")] == [
        "nmt translate-file: error: broken.docx is not a Word document that can be read: it is not a readable zip "
        "file (File is not a zip file)", "nmt translate-file: 1 of 3 files not translated"]
    assert main(["translate-file", str(tmp_path / "in" / "notes.txt"), str(tmp_path / "in" / "film.srt"),
                 "-o", str(tmp_path / "x.txt")]) == 2
    assert "--out names one file's translation; for several files, or a folder, give --out-dir" in capsys.readouterr().err
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_bytes(b"The Lord is my shepherd.")
    assert main(["translate-file", "--beam", "1", str(tmp_path / "in" / "notes.txt"), str(tmp_path / "other" / "notes.txt"),
                 "--out-dir", str(tmp_path / "both")]) == 2
    assert f"{tmp_path / 'both' / 'notes.es.txt'} already holds the translation of {tmp_path / 'in' / 'notes.txt'}; " \
           f"translate {tmp_path / 'other' / 'notes.txt'} apart" in capsys.readouterr().err
    assert "principio" in (tmp_path / "both" / "notes.es.txt").read_text(), "the first file's translation kept"


def test_a_file_is_translated_by_the_shipped_model_of_its_language_unless_one_is_named(tmp_path, capsys):
    source = tmp_path / "salmo.txt"
    source.write_text("Jehová es mi pastor; nada me faltará.\n", encoding="utf-8")
    assert main(["translate-file", "--beam", "1", str(source)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'salmo.en.txt'} (es -> en): ")
    assert "shepherd" in (tmp_path / "salmo.en.txt").read_text()
    assert main(["translate-file", "--beam", "1", "--model", str(DEFAULT_BUNDLE), str(source)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'salmo.es.txt'} (en -> es): "), "as named"
    (tmp_path / "blank.txt").write_text("  \n")
    assert main(["translate-file", str(tmp_path / "blank.txt")]) == 2
    assert "blank.txt has no text to tell its language from" in capsys.readouterr().err


def test_a_translated_gettext_template_is_written_as_a_catalog(tmp_path, capsys):
    template = tmp_path / "messages.pot"
    template.write_text('msgid ""\nmsgstr ""\n"Language: \\n"\n\nmsgid "In the beginning"\nmsgstr ""\n')
    assert main(["translate-file", "--beam", "1", str(template)]) == 0
    assert (tmp_path / "messages.es.po").exists() and not (tmp_path / "messages.es.pot").exists()
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'messages.es.po'} (en -> es)")


def test_a_file_in_a_languages_folder_is_translated_from_that_language(tmp_path, capsys):
    """An app's strings are short: "Hello, friend." in locales/en/ read as Spanish, was translated es -> en and written
    as locales/en/common.en.json; the folder says its language (the shipped models)."""
    (tmp_path / "app/locales/en").mkdir(parents=True)
    (tmp_path / "app/locales/en/common.json").write_text('{"greeting": "Hello, friend."}')
    out = tmp_path / "app-es"
    assert main(["translate-file", "--beam", "1", str(tmp_path / "app"), "--out-dir", str(out)]) == 0
    assert "(en -> es)" in capsys.readouterr().out
    assert [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()] == ["locales/es/common.json"]


def test_a_folders_files_are_translated_into_the_same_places_under_out_dir(toy_model, tmp_path, capsys):
    tree = {"app/res/values/strings.xml": '<resources><string name="a">alpha beta</string></resources>',
            "app/res/values/colors.xml": '<resources><color name="red">#f00</color></resources>',  # (no text)
            "app/res/layout/main.xml": '<LinearLayout android:id="@+id/main"/>',  # (not a kind translated)
            "app/ios/en.lproj/Localizable.strings": '"a" = "alpha beta";\n',
            "app/ios/Catalog.xcstrings": '{"sourceLanguage": "en", "strings": {"alpha beta": {}}, "version": "1.0"}',
            "app/config/locales/en.yml": "en:\n  a: gamma delta\n", "app/docs/guide.md": "mu nu\n",
            "app/docs/logo.png": "not a format translated"}
    for name, text in tree.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    out = tmp_path / "app" / "es"  # (inside the folder: its files are not translated again)
    for _ in range(2):
        assert main(["translate-file", "--model", str(toy_model), str(tmp_path / "app"), "--out-dir", str(out)]) == 0
        written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
        assert written == ["config/locales/es.yml", "docs/guide.es.md", "ios/Catalog.xcstrings",  # (es added to it)
                           "ios/es.lproj/Localizable.strings", "res/values-es/strings.xml"]
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 7 and f"skipped {tmp_path / 'app/res/values/colors.xml'}: nothing to translate" in lines
        assert f"skipped {tmp_path / 'app/res/layout/main.xml'}: XML whose root is <LinearLayout>, not Android's " \
               "string resources or TTML subtitles" in lines
    assert (out / "config/locales/es.yml").read_text() == "es:\n  a: DELTA GAMMA\n"
    catalog = json.loads((out / "ios/Catalog.xcstrings").read_text())
    assert catalog["strings"]["alpha beta"]["localizations"]["es"]["stringUnit"]["value"] == "BETA ALPHA"
    capsys.readouterr()
    for args, why in [([], "is a folder: name where its translations go with --out-dir"),
                      (["--out-dir", str(tmp_path / "app")], "is a folder: its translations go in another, not in itself "
                                                            "(--out-dir)")]:
        assert main(["translate-file", "--model", str(toy_model), str(tmp_path / "app"), *args]) == 2
        assert capsys.readouterr().err == f"nmt translate-file: error: {tmp_path / 'app'} {why}\n"
    # without --model, a file with no text is skipped before its language would be told (and found to have none)
    (tmp_path / "res" / "values").mkdir(parents=True)
    (tmp_path / "res" / "values" / "colors.xml").write_text('<resources><color name="r">#f00</color></resources>')
    assert main(["translate-file", str(tmp_path / "res"), "--out-dir", str(out)]) == 0
    assert capsys.readouterr().out == f"skipped {tmp_path / 'res/values/colors.xml'}: nothing to translate\n"
    (tmp_path / "pictures").mkdir()
    assert main(["translate-file", str(tmp_path / "pictures"), "--out-dir", str(out)]) == 2
    assert capsys.readouterr().err.endswith("pictures holds no file of the formats translated\n")


def test_a_file_in_a_languages_folder_is_translated_into_the_targets_beside_it(toy_model, tmp_path, capsys):
    source = tmp_path / "res" / "values-en" / "strings.xml"
    source.parent.mkdir(parents=True)
    source.write_text('<resources><string name="a">alpha beta</string></resources>')
    assert main(["translate-file", "--model", str(toy_model), str(source)]) == 0
    out = tmp_path / "res" / "values-es" / "strings.xml"
    assert capsys.readouterr().out.startswith(f"wrote {out} ")
    assert '<string name="a">BETA ALPHA</string>' in out.read_text()
    assert sorted(p.name for p in source.parent.iterdir()) == ["strings.xml"], "nothing beside the source"


def test_an_out_dir_under_a_file_is_a_line_for_each_file(tmp_path, capsys):
    """The folder that cannot be made is each file's error, as any other: the others are still tried, and counted."""
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(FILES["notes.txt"])
    (tmp_path / "blocker").write_text("a file")
    out_dir = tmp_path / "blocker" / "es"
    assert main(["translate-file", "--beam", "1", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                 "--out-dir", str(out_dir)]) == 2
    error = f"nmt translate-file: error: {out_dir}: cannot make this directory: {tmp_path / 'blocker'} is a file"
    assert [line for line in capsys.readouterr().err.splitlines() if line.startswith("nmt")] == [
        error, error, "nmt translate-file: 2 of 2 files not translated"]
    assert (tmp_path / "blocker").read_text() == "a file"


def test_skip_existing_continues_a_stopped_folder_and_redoes_a_changed_file(toy_model, tmp_path, capsys, monkeypatch):
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / "in" / name).write_text("alpha beta\n")
    args = ["translate-file", "--beam", "1", "--model", str(toy_model), str(tmp_path / "in"), "--out-dir",
            str(tmp_path / "out"), "--skip-existing"]
    real = FileTranslator.translate

    def stop_at_b(self, source, *rest, **kwargs):  # Ctrl-C as the second file is begun
        if source.name == "b.txt":
            raise KeyboardInterrupt
        return real(self, source, *rest, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(FileTranslator, "translate", stop_at_b)
        assert main(args) == 130
    assert "1 of 3 files done; --skip-existing continues after them" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.es.txt"]
    (tmp_path / "in" / "a.txt").touch()
    os.utime(tmp_path / "out" / "a.es.txt", (0, 0))  # older than its source now: translated again
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in out] == [f"wrote {tmp_path / 'out' / n}.es.txt" for n in "abc"]
    assert main(args) == 0
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == [
        f"skipped {tmp_path / 'in' / n}.txt" for n in "abc"]
