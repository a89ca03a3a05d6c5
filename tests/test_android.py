"""Android's string resources (.xml) through POST /translate_file and read_document (app/android.py): each string,
array item and plural item read as aapt2 reads it and written so that aapt2 reads the translation back; the rest
kept. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from service_fixtures import downloaded, refusal

from nmt.app.documents import read_document
from nmt.app.labels import Languages

AAPT2 = shutil.which("aapt2")  # Debian's aapt: what builds an app's resources
STRINGS = """<?xml version="1.0" encoding="utf-8"?>
<resources xmlns:xliff="urn:oasis:names:tc:xliff:document:1.2" xmlns:tools="http://schemas.android.com/tools">
    <!-- the app's name -->
    <string name="app_name" translatable="false">Psalter</string>
    <string name="plain">alpha beta</string>
    <string name="marked">gamma <b>delta</b> <xliff:g id="count" example="3">%1$d</xliff:g> eps</string>
    <plurals name="songs">
        <item quantity="one">zeta mu</item>
        <item quantity="other">eta nu</item>
    </plurals>
    <string-array name="days">
        <item>theta kappa</item>
        <item>@string/plain</item>
    </string-array>
    <string name="shown"><![CDATA[<b>iota</b> kappa]]></string>
    <string name="reference">@string/plain</string>
    <string name="digits">42</string>
    <dimen name="padding">16dp</dimen>
</resources>
"""


def resources(content: bytes) -> dict[str, etree._Element]:
    return {e.get("name"): e for e in etree.fromstring(content)}


def test_strings_items_and_plurals_are_translated_and_the_rest_kept(client):
    download = downloaded(client, "strings.xml", STRINGS)
    content, found = download.content, resources(download.content)
    assert download.headers["content-type"].startswith("application/xml")
    assert found["plain"].text == "BETA ALPHA"
    marked = etree.tostring(found["marked"], with_tail=False).decode().split('name="marked">')[1]
    placeholder = '<xliff:g id="count" example="3">%1$d</xliff:g>'
    assert marked.count(placeholder) == 1, "the placeholder kept whole, after the word it followed"
    assert " ".join(marked.replace(placeholder, "").split()) == "EPS <b>DELTA</b> GAMMA</string>", "bold back around its word"
    quantities = [(i.get("quantity"), i.text) for i in found["songs"]]
    assert quantities == [("one", "MU ZETA"), ("many", "NU ETA"), ("other", "NU ETA")], "Spanish's CLDR categories"
    assert [i.text for i in found["days"]] == ["KAPPA THETA", "@string/plain"]
    assert b"<![CDATA[KAPPA <b>IOTA</b>]]>" in content, "HTML for Html.fromHtml: its tags kept, in its CDATA"
    for kept in ("app_name", "reference", "digits", "padding"):
        [line] = [line for line in STRINGS.splitlines() if f'name="{kept}"' in line]
        assert line.encode() in content, "left as written"
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<resources') and b"<!-- the app's name -->" in content
    assert b'        <item quantity="many">NU ETA</item>\n        <item quantity="other">' in content, "a line each"


@pytest.mark.parametrize(("target", "quantities"), [
    ("ja", ["other"]), ("ru", ["one", "few", "many", "other"]), ("xx", ["one", "other"])])
def test_a_plural_gets_the_target_languages_categories(target, quantities):
    document = read_document("strings.xml", STRINGS.encode())
    out = document.render([text.upper() for text in document.texts], Languages("en", target))
    plural = resources(out)["songs"]
    assert [i.get("quantity") for i in plural] == quantities, "(xx: unknown, the file's own)"
    assert etree.tostring(plural, with_tail=False).endswith(b'</item>\n    </plurals>'), "its closing line kept"


@pytest.mark.parametrize(("written", "read"), [
    (r"Don\'t   stop\nnow", "Don't stop<br>now"),  # escapes; a run of spaces one; \n a line break
    ("  padded \n  text  ", "padded text"),  # whitespace collapsed, none at the ends
    ("""say "  two  'x'  " done""", "say   two  'x'   done"),  # quotes keep what they hold, and are dropped
    (r"\@home \?why \u00e9t\u00E9 a\\b", "@home ?why été a\\b"),
    ("&lt;i&gt;x&lt;/i&gt; &amp; y", "<i>x</i> & y"),  # escaped HTML, for Html.fromHtml: sent as HTML
])
def test_a_string_is_read_as_aapt2_reads_it(written, read):
    document = read_document("strings.xml", f'<resources><string name="s">{written}</string></resources>'.encode())
    assert document.texts == [read]


def write_and_read(translation: str) -> tuple[bytes, list[str]]:
    document = read_document("strings.xml", b'<resources><string name="s">alpha</string></resources>')
    out = document.render([translation], Languages("en", "es"))
    return out, read_document("strings.xml", out).texts


@pytest.mark.parametrize(("translation", "written"), [
    ("No l'oublie pas", r"No l\'oublie pas"),  # an apostrophe unescaped is an error to aapt2
    ('dice "sí"', r'dice \"sí\"'),
    ("@usuario", r"\@usuario"),  # a reference otherwise
    ("una<br>dos", r"una\ndos"),
    (" hola  ", r'" hola  "'),  # spaces at the ends, or two, kept in quotes
])
def test_a_translation_is_escaped_as_aapt2_reads_it(translation, written):
    out, _ = write_and_read(translation)
    assert out == f'<resources><string name="s">{written}</string></resources>'.encode(), "(no XML declaration added)"


@given(st.text(alphabet="ab é@?'\"\\\n\t<&%", min_size=1).filter(lambda t: "a" in t or "b" in t))
def test_what_is_written_reads_back_as_the_translation(text):
    translation = html.escape(text, quote=False).replace("\n", "<br>")
    _, read = write_and_read(translation)
    assert read == [translation]


@pytest.mark.skipif(AAPT2 is None, reason="aapt2 is not installed (Debian: apt-get install aapt)")
def test_aapt2_compiles_the_translation_and_reads_each_string_as_translated(tmp_path):
    document = read_document("strings.xml", STRINGS.encode())
    translations = ["No l'oublie \"pas\" @ 50 %", "una<br>dos <span id=\"0\">tres</span>", "%d uno", "%d más",
                    "@día", "<b>él</b> dijo"]
    values = tmp_path / "res" / "values"
    values.mkdir(parents=True)
    (values / "strings.xml").write_bytes(document.render(translations, Languages("en", "es")))
    (tmp_path / "AndroidManifest.xml").write_text('<manifest package="org.example.t"/>')
    assert AAPT2 is not None
    run = lambda *args: subprocess.run([AAPT2, *args], cwd=tmp_path, capture_output=True, text=True, check=True)
    run("compile", "res/values/strings.xml", "-o", ".")
    run("link", "-o", "t.apk", "--manifest", "AndroidManifest.xml", "--static-lib", "values_strings.arsc.flat")
    dump = run("dump", "resources", "t.apk").stdout
    assert '"No l\'oublie "pas" @ 50 %"' in dump
    assert re.search(r'\(styled string\) "una\n\s*dos tres" b:\d+,\d+', dump), dump
    assert 'one="%d uno"' in dump and 'many="%d más"' in dump and 'other="%d más"' in dump
    assert '["@día", @string/plain]' in dump, "a string, not a reference"
    assert '"<b>él</b> dijo"' in dump


@pytest.mark.parametrize("content, reason", [
    ("<resources><string>", "it is not well-formed XML"),
    ('<manifest package="org.example"/>', "its root element is not <resources>"),
    (STRINGS.replace("<resources ", '<resources tools:locale="de" '), "its tools:locale is de, and this translation "
                                                                       "is en -> es"),
])
def test_a_file_that_is_not_string_resources_or_not_in_the_source_language_is_refused_in_one_line(client, content,
                                                                                                  reason):
    assert refusal(client, "strings.xml", content, "an Android resources or TTML file").startswith(reason)


def test_the_files_locale_becomes_the_targets():
    document = read_document("strings.xml", STRINGS.replace("<resources ", '<resources tools:locale="en" ').encode())
    out = document.render(document.texts, Languages("en", "es"))
    assert etree.fromstring(out).get("{http://schemas.android.com/tools}locale") == "es"
