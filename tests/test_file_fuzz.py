"""Any bytes under any extension the service translates, and any file of a text format cut short or with bytes
changed, are read and written again or refused with FileRejected (400, one line): never another exception, which the
service would answer with 500 and the CLI with a stack trace."""
from __future__ import annotations

import io
import zipfile
from functools import cache

import docx
import openpyxl
import pytest
import yaml
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmt.app import yaml_messages
from nmt.app.documents import FORMATS, FileRejected, read_document
from nmt.app.labels import Languages
from nmt.training.corpus import CorpusError, load_corpus

SAMPLES = {  # a small valid file of each text format, to cut short and damage
    ".srt": "1\n00:00:01,000 --> 00:00:02,000\n<i>alpha</i> beta\n",
    ".vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>alpha <00:01.500>beta\n",
    ".ass": "[Events]\nFormat: Layer, Start, End, Text\nDialogue: 0,0:00:01.00,0:00:02.00,{\\an8}a {\\i1}b{\\i0}\\Nc\n",
    ".html": '<p lang="en">alpha <b>beta</b> <img alt="gamma"></p>',
    ".md": "# Title\n\n- alpha *beta* [gamma](http://x)\n\n```\ncode\n```\n",
    ".json": '{"a": "alpha {count, plural, one{# beta} other{# betas}}", "@a": {"x": "y"}, "b_one": "c", "b_other": "d"}',
    ".po": 'msgid ""\nmsgstr "Language: \\nX-Accelerator-Marker: &\\n"\n\n#, c-format\nmsgid "&alpha %s"\n'
           'msgid_plural "betas"\nmsgstr[0] ""\nmsgstr[1] ""\n',
    ".xlf": '<xliff version="1.2"><file source-language="en"><body><trans-unit id="1"><source>alpha <g id="1">beta'
            '</g><x id="2"/></source></trans-unit></body></file></xliff>',
    ".ts": '<TS version="2.1"><context><message numerus="yes"><source>&amp;alpha %n</source><translation '
           'type="unfinished"><numerusform/></translation></message></context></TS>',
    ".xml": '<resources><string name="a">Don\\\'t <b>alpha</b> "  b  "</string><plurals name="p"><item '
            'quantity="one">%d x</item><item quantity="other">%d y</item></plurals></resources>',
    ".strings": '/* c */\n"alpha" = "beta %@ \\"q\\" \\U00E9";\nkey = value;\n',
    ".xcstrings": '{"sourceLanguage": "en", "strings": {"alpha %lld": {"localizations": {"en": {"variations": '
                  '{"plural": {"one": {"stringUnit": {"state": "translated", "value": "one"}}}}}}}}}',
    ".stringsdict": '<plist><dict><key>a</key><dict><key>NSStringLocalizedFormatKey</key><string>%#@n@</string>'
                    '<key>n</key><dict><key>NSStringFormatSpecTypeKey</key><string>NSStringPluralRuleType</string>'
                    '<key>one</key><string>%d x</string><key>other</key><string>%d y</string></dict></dict></dict>'
                    '</plist>',
    ".resx": '<root><resheader name="resmimetype"><value>text/microsoft-resx</value></resheader><data name="a" '
             'xml:space="preserve"><value>alpha {0}</value></data></root>',
    ".properties": "# c\na = alpha {0} it''s \\\n  beta\nb\\=c : caf\\u00e9\n",
    ".yml": "en:\n  a: &x alpha %{n}\n  b: *x\n  c: |\n    beta\n  d: [gamma, 'del''ta']\n",
    ".ftl": "# c\na = alpha { $n } beta\n    .t = gamma\nb =\n    { $n ->\n        [one] x\n       *[other] y { $n }\n    }\n"
            "-t = Term\n",
    ".php": "<?php\n// c\nreturn ['a' => 'alpha :n', \"b\" => \"beta \\\" \\x41\", 'c' => ['{0} x|[1,*] y'], 'd' => 1];\n",
}
TRANSLATIONS = st.sampled_from(["same", "upper", "odd"])


@cache
def packaged(extension: str) -> bytes:
    """A small valid file of a zipped or binary format: a Word document, a workbook, a PDF."""
    out = io.BytesIO()
    if extension == ".docx":
        document = docx.Document()
        document.add_paragraph("alpha ").add_run("beta").bold = True
        document.save(out)
    elif extension == ".xlsx":
        book = openpyxl.Workbook()
        book.active["A1"] = "alpha beta"
        book.save(out)
    else:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, "alpha beta gamma")
        out.write(pdf.output())
    return out.getvalue()


def translated(texts: list[str], how: str) -> list[str]:
    """The texts as a model might give them back: unchanged, changed, or with stray markup and quotes."""
    if how == "same":
        return texts
    if how == "upper":
        return [text.upper() for text in texts]
    return [f'<b>"{text}\'</b> \\ {{x}} %s &amp; \n' for text in texts]


def read_and_write(name: str, content: bytes, how: str) -> None:
    """Reads the file and writes it with translations, or finds it refused: any other exception fails the test."""
    try:
        document = read_document(name, content)
        document.render(translated(document.texts, how), Languages("en", "es"))
    except FileRejected:
        pass


@pytest.mark.parametrize("extension", list(FORMATS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(min_size=1, max_size=300), how=TRANSLATIONS)
def test_any_bytes_are_read_or_refused(extension, content, how):
    read_and_write(f"file{extension}", content, how)


@pytest.mark.parametrize("extension", list(SAMPLES))
@settings(max_examples=60, deadline=None)
@given(data=st.data(), how=TRANSLATIONS)
def test_a_damaged_file_is_read_or_refused(extension, data, how):
    sample = bytearray(SAMPLES[extension].encode())
    cut = data.draw(st.integers(1, len(sample)))
    for _ in range(data.draw(st.integers(0, 3))):
        sample[data.draw(st.integers(0, len(sample) - 1))] = data.draw(st.sampled_from(b"<>{}\"'\\&;=:,\n#%@ \x00\xff"))
    read_and_write(f"file{extension}", bytes(sample[:cut]), how)


@pytest.mark.parametrize("extension", list(SAMPLES))
def test_each_sample_is_read(extension):
    assert read_document(f"file{extension}", SAMPLES[extension].encode()).texts, "a valid file, with text"


@pytest.mark.parametrize("extension", [".docx", ".xlsx", ".pdf"])
@settings(max_examples=40, deadline=None)
@given(data=st.data(), how=TRANSLATIONS)
def test_a_damaged_package_is_read_or_refused(extension, data, how):
    """(A zip whose compressed data is damaged raised zlib.error, a 500, before app/packages.py caught it.)"""
    sample = bytearray(packaged(extension))
    cut = data.draw(st.sampled_from([len(sample), data.draw(st.integers(1, len(sample)))]))
    for _ in range(data.draw(st.integers(1, 4))):
        sample[data.draw(st.integers(0, len(sample) - 1))] = data.draw(st.integers(0, 255))
    read_and_write(f"file{extension}", bytes(sample[:cut]), how)


@pytest.mark.parametrize("extension", [".docx", ".epub", ".odt", ".xlsx"])
def test_a_zip_whose_entry_name_is_not_the_utf8_it_says_is_refused(extension):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("é.xml", "<a/>")  # (a name not ASCII: zipfile flags it UTF-8)
    damaged = out.getvalue().replace("é".encode(), b"\xc3(")  # (no UTF-8: a lead byte, no continuation)
    with pytest.raises(FileRejected, match="is not a readable zip file"):
        read_document(f"file{extension}", damaged)


DEEP = {  # nested thousands deep: JSON's, YAML's and ICU's parsers recurse past Python's limit (a 500, before)
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "icu.json": '{"a": "' + "{n, plural, other{" * 5000 + "x" + "}}" * 5000 + '"}',
    "deep.yml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep.xcstrings": '{"sourceLanguage": "en", "strings": {"a": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}}",
}


@pytest.mark.parametrize("name", list(DEEP))
def test_a_file_nested_too_deeply_is_refused(name, tmp_path):
    with pytest.raises(FileRejected, match=f"^{name} is nested too deeply to be read$"):
        read_document(name, DEEP[name].encode())
    (tmp_path / name).write_text(DEEP[name])
    if name.endswith((".yml", ".xcstrings")):  # (a corpus too: a String Catalog, or two files of an app's messages)
        with pytest.raises(CorpusError, match="nested too deeply to be read$"):
            load_corpus(tmp_path / name, tmp_path / name) if name.endswith(".yml") else load_corpus(tmp_path / name)


def test_yaml_nested_too_deeply_is_refused_before_it_is_all_scanned(tmp_path, monkeypatch):
    # PyYAML's scanner slows with each "[" open: 100,000 took 4 to 7 s to reach Python's recursion limit (and be
    # refused as above); now refused as soon as the scanner opens more than yaml_messages.MAX_DEPTH
    opened = []
    start = yaml.scanner.Scanner.fetch_flow_collection_start
    monkeypatch.setattr(yaml.scanner.Scanner, "fetch_flow_collection_start",
                        lambda self, token: opened.append(self.flow_level) or start(self, token))
    (tmp_path / "deep.yml").write_text("[" * 100_000)
    for read in (lambda: read_document("deep.yml", b"[" * 100_000), lambda: load_corpus(*[tmp_path / "deep.yml"] * 2)):
        opened.clear()
        with pytest.raises((FileRejected, CorpusError), match="nested too deeply to be read$"):
            read()
        assert max(opened) <= yaml_messages.MAX_DEPTH
    nested = "a: " + "[" * 400 + '"Hello."' + "]" * 400 + "\n"  # (deep, and read as it was)
    assert read_document("deep.yml", nested.encode()).texts == ["Hello."]


def test_an_xml_root_named_as_no_element_can_be_is_refused_as_damaged():
    """lxml hands the first element's start to root_name before it finds the name is none (hypothesis: ':esources')."""
    with pytest.raises(FileRejected, match="not well-formed XML"):
        read_document("strings.xml", b'<:esources><string name="a">x</string></:esources>')
