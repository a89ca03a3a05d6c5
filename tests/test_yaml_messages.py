"""YAML message files (.yml, .yaml) through POST /translate_file, read_document and `nmt translate-file`
(app/yaml_messages.py): string values translated in place, in their own style where it reads back, everything else
kept; Rails' root language key relabelled. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from service_fixtures import downloaded, refusal, translated_offline

from nmt.app.documents import Document, read_document
from nmt.app.labels import Languages
from nmt.training.corpus import load_corpus

RUBY = shutil.which("ruby")
CHECK = Path(__file__).resolve().parent.parent / "benchmarks" / "rails_i18n_check.rb"
RAILS = """# Rails' messages
en:
  hello: "alpha beta"   # a comment kept
  plain: gamma delta
  single: 'mu nu'
  body: |
    eps zeta
    eta theta
  inbox:
    one: iota kappa
    other: lam mu
  list: [sigma tau, rho pi]
  date: "%Y-%m-%d"
  count: 42
  shown: true
  shared: &shared xi omi
  again: *shared
"""


def test_values_are_translated_in_their_style_and_the_rest_kept(client):
    out = downloaded(client, "en.yml", RAILS).content.decode()
    assert out == RAILS.replace("en:", "es:").replace("alpha beta", "BETA ALPHA").replace("gamma delta", "DELTA GAMMA") \
        .replace("'mu nu'", "'NU MU'").replace("eps zeta\n", "ZETA EPS\n").replace("eta theta", "THETA ETA") \
        .replace("iota kappa", "KAPPA IOTA").replace("lam mu", "MU LAM").replace("sigma tau", "TAU SIGMA") \
        .replace("rho pi", "PI RHO").replace("xi omi", "OMI XI")
    assert yaml.safe_load(out)["es"]["again"] == "OMI XI", "the alias is its anchor's translation"


STYLES = ["key: alpha", "key: 'alpha'", 'key: "alpha"', "key: |\n  alpha\n", "key: >-\n  alpha\n  beta\nnext: 1",
          "list: [alpha, beta]", "list:\n  - alpha\n", "key: &a alpha\nother: *a", "key: !!str alpha"]


@pytest.mark.parametrize("source", STYLES)
@given(translation=st.text(st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from("\n\t"), min_size=1))
def test_any_translation_reads_back_as_itself_in_any_style(source, translation):
    document = read_document("messages.yaml", source.encode())
    written = document.render([translation] * len(document.texts), Languages("en", "es"))
    loaded, before = yaml.safe_load(written), yaml.safe_load(source)
    for key, value in before.items():
        if isinstance(value, list):
            assert loaded[key] == [translation] * len(value)
        elif isinstance(value, str):
            assert loaded[key] == translation, written
        else:
            assert loaded[key] == value


def test_a_question_mark_is_plain_in_a_block_and_quoted_in_a_flow_collection():
    document = read_document("en.yml", b"en:\n  a: alpha\n  b: [beta]\n")
    written = document.render(["¿Dónde? ?0", "¿Dónde? ?0"], Languages("en", "es")).decode()
    assert written == 'es:\n  a: ¿Dónde? ?0\n  b: ["¿Dónde? ?0"]\n', "(PyYAML reads a ? in a flow collection as a key's)"


def test_a_value_without_words_is_not_translated():
    document = read_document("en.yml", b'en:\n  time: "%H:%M"\n  greet: "%{name}"\n  title: Hello %{name}\n')
    assert document.texts == ["Hello %{name}"]


@pytest.mark.parametrize("content, reason", [
    ("en:\n  a: [b", "it is not YAML (line 2, column 8): expected ',' or ']', but got '<stream end>'"),
    ("a: 1\n---\nb: 2\n", "it is not YAML (line 2, column 1): expected a single document in the stream but found "
                          "another document"),
    ("de:\n  a: alpha beta\n", "its root key is de, and this translation is en -> es"),
])
def test_a_file_that_is_not_yaml_or_is_for_another_language_is_refused_in_one_line(client, content, reason):
    assert refusal(client, "de.yml", content, "a YAML file") == reason


@pytest.mark.parametrize("name, translated", [
    ("en.yml", "es.yml"), ("messages.en.yaml", "messages.es.yaml"), ("app_en.arb", "app_es.arb"),
    ("report.en-US.docx", "report.es.docx"), ("messages_en_US.properties", "messages_es.properties"),
    ("messages.properties", "messages_es.properties"), ("strings.xml", "strings.es.xml"), ("len.txt", "len.es.txt"),
    ("fr.yml", "fr.es.yml"), ("messages.pot", "messages.es.po"),
])
def test_a_name_that_says_the_source_language_says_the_targets(name, translated):
    assert Document(name, "", "text", [], lambda t, languages: b"").translated_name("es", "en") == translated


def test_translate_file_writes_rails_messages_under_the_targets_name(toy_model, tmp_path, capsys):
    source = tmp_path / "en.yml"
    source.write_text(RAILS)
    written, printed = translated_offline(toy_model, source, "es.yml", capsys)
    assert printed.startswith(f"wrote {tmp_path / 'es.yml'} ")
    assert yaml.safe_load(written)["es"]["hello"] == "BETA ALPHA"


@pytest.mark.skipif(RUBY is None or subprocess.run([RUBY, "-e", "require 'i18n'"]).returncode != 0,
                    reason="Ruby's I18n is not installed (Debian: ruby-i18n)")
def test_rubys_i18n_loads_the_translation_and_formats_every_message(tmp_path):
    document = read_document("en.yml", RAILS.replace("other: lam mu", 'other: "%{count} lam mu"').encode())
    translations = ["Dijo: «sí»", "l'été: # no", "'quoted'", "una\ndos\n", "%{count} mensaje", "%{count} mensajes",
                    "[a, b]", "{x: 1}", "@handle"]
    out = tmp_path / "es.yml"
    out.write_bytes(document.render(translations, Languages("en", "es")))
    assert yaml.safe_load(out.read_text())["es"]["list"] == ["[a, b]", "{x: 1}"]
    assert RUBY is not None
    checked = subprocess.run([RUBY, str(CHECK), str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def billion_laughs(levels: int) -> str:
    """Aliases nested levels deep, nine to a list: 9 ** levels values once expanded."""
    lines = ['a0: &a0 ["lol lol", "lol lol", "lol lol", "lol lol", "lol lol", "lol lol", "lol lol", "lol lol", "x y"]']
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(20)
def test_nested_aliases_are_read_once_not_expanded(tmp_path):
    """(Walked alias by alias, 12 levels are 9 ** 12 values: the service would never answer.)"""
    document = read_document("en.yml", billion_laughs(12).encode())
    assert document.texts == ["lol lol", "x y"], "each text once"
    out = document.render(["LOL LOL", "Y X"], Languages("en", "es")).decode()
    assert out.startswith('a0: &a0 ["LOL LOL", "LOL LOL",') and out.endswith("*a10, *a10, *a10]\n")
    (tmp_path / "en.yml").write_text(billion_laughs(12))
    (tmp_path / "es.yml").write_text(billion_laughs(12))
    assert len(load_corpus(tmp_path / "en.yml", tmp_path / "es.yml").pairs) == 9, "as a corpus too: the anchor's"
