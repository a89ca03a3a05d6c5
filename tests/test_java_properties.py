"""Java's properties files (.properties) through POST /translate_file, read_document and `nmt translate-file`
(app/properties.py): values read as java.util.Properties reads them, written so that it reads the translation back,
everything else kept. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from service_fixtures import downloaded, translated_offline

from nmt.app import properties
from nmt.app.documents import read_document
from nmt.app.labels import Languages

JAVA = shutil.which("java")
CHECK = Path(__file__).resolve().parent.parent / "benchmarks" / "PropertiesCheck.java"
BUNDLE = """# the start page
welcome = alpha beta
title:gamma delta
long.text = eps \\
            zeta
! a comment = not an entry
count\\ key = mu nu
empty=
digits = 42
"""


def test_values_are_translated_and_keys_comments_and_the_rest_kept(client):
    out = downloaded(client, "messages.properties", BUNDLE.replace("\n", "\r\n")).content.decode()
    assert out == ("# the start page\r\nwelcome = BETA ALPHA\r\ntitle:DELTA GAMMA\r\nlong.text = ZETA EPS\r\n"
                   "! a comment = not an entry\r\ncount\\ key = NU MU\r\nempty=\r\ndigits = 42\r\n"), \
        "a value over two lines written on one; CRLF kept"


@pytest.mark.parametrize(("line", "key", "value"), [
    ("a=b", "a", "b"), ("a:b", "a", "b"), ("a b", "a", "b"), ("  a  =  b  ", "a", "b  "), ("a\t:\tb", "a", "b"),
    ("a\\=b = c", "a=b", "c"), ("a\\ b c", "a b", "c"), ("a = b \\\n   c \\\n d", "a", "b c d"),
    ("a = one\\ttwo\\nthree\\\\ \\u00e9\\ud83d\\ude00 \\q", "a", "one\ttwo\nthree\\ é😀 q"), ("a =", "a", ""),
    ("a = ends in \\\\", "a", "ends in \\"), ("a", "a", ""),
])
def test_an_entry_is_read_as_java_reads_it(line, key, value):
    [entry] = properties.entries(f"# comment \\\n{line}\n! other")
    assert (entry.key, entry.value) == (key, value)


@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1), st.booleans())
def test_what_is_written_reads_back_as_the_value(value, ascii_only):
    written = properties.escaped(value, ascii_only)
    assert "\n" not in written and (written.isascii() or not ascii_only)
    [entry] = properties.entries(f"key = {written}\nnext = x")[:1]
    assert entry.value == value


def translated(content: bytes, translations: list[str]) -> bytes:
    document = read_document("messages.properties", content)
    return document.render(translations, Languages("en", "es"))


def test_an_ascii_file_gets_escapes_a_utf8_one_characters_a_latin1_one_latin1():
    assert translated(b"a = alpha\n", ["caf\u00e9 \u20ac"]) == b"a = caf\\u00e9 \\u20ac\n", "as Java 8 reads it"
    assert translated("a = alpha\n# ñ\n".encode(), ["café €"]) == "a = café €\n# ñ\n".encode()
    assert translated("a = alpha\n# ñ\n".encode("latin-1"), ["café €"]) == "a = café \\u20ac\n# ñ\n".encode("latin-1")


def test_a_messageformat_patterns_apostrophes_are_doubled_and_read_as_one():
    document = read_document("messages.properties", b"a = Don''t delete {0}\nb = Don't {\n")
    assert document.texts == ["Don't delete {0}", "Don't {"], "(b is no pattern: it has no argument)"
    out = document.render(["N'effacez pas {0}", "l'{"], Languages("en", "fr"))
    assert out == b"a = N''effacez pas {0}\nb = l'{\n"


def test_the_translation_is_named_as_java_names_a_bundle():
    document = read_document("messages.properties", b"a = alpha beta\n")
    assert document.translated_name("es") == "messages_es.properties"
    assert document.translated_name("pt-BR") == "messages_pt_BR.properties"


def test_translate_file_writes_the_bundle_beside_it(toy_model, tmp_path, capsys):
    source = tmp_path / "messages.properties"
    source.write_text(BUNDLE)
    written, printed = translated_offline(toy_model, source, "messages_es.properties", capsys)
    assert printed.startswith(f"wrote {tmp_path / 'messages_es.properties'} ")
    assert "welcome = BETA ALPHA\n" in written.decode()


@pytest.mark.skipif(JAVA is None, reason="java is not installed (Debian: openjdk-17-jdk-headless)")
def test_java_reads_the_translation_and_formats_its_patterns(tmp_path):
    out = tmp_path / "messages_es.properties"
    out.write_bytes(translated(BUNDLE.encode(), ["Ce n'est pas", "«gamma»", "l'été \\ \n {1}", "{0} d'él"]))
    assert JAVA is not None
    checked = subprocess.run([JAVA, str(CHECK), str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
