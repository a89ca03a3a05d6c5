"""JSON message files through POST /translate_file (app/json_messages.py): each string value with a letter
translated, keys, numbers and every byte between kept. The toy model reverses its input ("alpha beta" -> "BETA
ALPHA")."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_fixtures import downloaded, upload

from nmt.app import json_messages
from nmt.app.documents import read_document
from nmt.app.labels import Languages

SOURCE = ('{\n  "title": "alpha beta",\n  "menu": {"open": "gamma \\"delta\\"", "count": 3, "empty": "", "id": "42"},\n'
          '  "list": ["tau", "mu \\u00f1"],\n  "gamma": true\n}\n')


def test_string_values_are_translated_and_keys_numbers_and_layout_kept():
    texts, render = json_messages.cut(SOURCE)
    assert texts == ["alpha beta", 'gamma "delta"', "tau", "mu ñ"], "keys, numbers, empty and letterless strings kept"
    out = render(["A", 'G "D"\n\\', "T", "é"])
    assert out == SOURCE.replace('"alpha beta"', '"A"').replace('"gamma \\"delta\\""', '"G \\"D\\"\\n\\\\"').replace(
        '"tau"', '"T"').replace('"mu \\u00f1"', '"é"')
    assert json.loads(out)["menu"] == {"open": 'G "D"\n\\', "count": 3, "empty": "", "id": "42"}


def test_a_flutter_files_metadata_is_kept_and_its_locale_says_the_target():
    source = ('{"@@locale": "en", "title": "alpha beta", "@title": {"description": "gamma", "placeholders": '
              '{"name": {"type": "String"}}}, "list": ["tau", {"@x": "mu"}]}')
    document = read_document("app_en.arb", source.encode())
    assert document.texts == ["alpha beta", "tau"]
    assert document.render(["A", "T"], Languages("en", "es")).decode() == source.replace('"en"', '"es"').replace(
        '"alpha beta"', '"A"').replace('"tau"', '"T"')


def _upper_cased(source: str, target: str) -> str:
    """An en.json translated into the target, each text upper-cased."""
    document = read_document("en.json", source.encode())
    return document.render([t.upper() for t in document.texts], Languages("en", target)).decode()


@pytest.mark.parametrize("target, added", [("es", ["many"]), ("ru", ["few", "many"]), ("ja", []), ("xx", [])])
def test_i18nexts_plurals_get_the_targets_categories(target, added):
    source = ('{\n  "title": "alpha",\n  "files_one": "beta",\n  "files_other": "{{count}} gamma",\n'
              '  "deep": {"x_one": "mu", "x_other": "nu", "y": ["xi"]}\n}\n')
    out = _upper_cased(source, target)
    loaded = json.loads(out)
    assert list(loaded) == ["title", "files_one", "files_other", *(f"files_{c}" for c in added), "deep"]
    assert list(loaded["deep"]) == ["x_one", "x_other", *(f"x_{c}" for c in added), "y"]
    assert all(loaded[f"files_{c}"] == "{{COUNT}} GAMMA" and loaded["deep"][f"x_{c}"] == "NU" for c in added)
    if added:  # (written as the file writes its members)
        assert f'"files_other": "{{{{COUNT}}}} GAMMA",\n  "files_{added[0]}": "{{{{COUNT}}}} GAMMA",' in out


NODE = shutil.which("node")
I18NEXT = NODE is not None and subprocess.run([NODE, "-e", "require('i18next')"], capture_output=True).returncode == 0
I18NEXT_V3 = NODE is not None and subprocess.run([NODE, "-e", "require('i18next-v3')"], capture_output=True).returncode == 0


def _i18next_shown(source: str, target: str, tmp_path: Path, *version: str) -> list[str]:
    """What i18next shows for "files" at each count of benchmarks/i18next_plurals.js in an en.json of its singular and
    its plural, translated ALPHA and {{count}} BETA into the target."""
    document = read_document("en.json", source.encode())
    (tmp_path / f"{target}.json").write_bytes(document.render(["ALPHA", "{{count}} BETA"], Languages("en", target)))
    assert NODE is not None
    return json.loads(subprocess.run([NODE, str(Path(__file__).parents[1] / "benchmarks" / "i18next_plurals.js"),
                                      str(tmp_path / f"{target}.json"), target, "files", *version],
                                     capture_output=True, text=True, check=True).stdout)


@pytest.mark.skipif(not I18NEXT, reason="i18next is not installed (see benchmarks/i18next_plurals.js)")
@pytest.mark.parametrize("target", ["es", "ru", "ar"])
def test_i18next_shows_a_translated_plural_for_every_count(target, tmp_path):
    shown = _i18next_shown('{"files_one": "alpha", "files_other": "{{count}} beta"}', target, tmp_path)
    assert "files" not in shown and all(text in ("ALPHA", f"{n} BETA") for text, n in zip(
        shown, [0, 1, 2, 5, 21, 1000000], strict=True)), shown  # (no count falls back to the key)


@pytest.mark.skipif(not I18NEXT_V3, reason="i18next 23 is not installed as i18next-v3 (see benchmarks/i18next_plurals.js)")
@pytest.mark.parametrize("target, ones", [("es", {1}), ("ru", {1, 21}), ("ar", {1})])
def test_i18next_v3_shows_the_translated_form_for_every_count(target, ones, tmp_path):
    shown = _i18next_shown('{"files": "alpha", "files_plural": "{{count}} beta"}', target, tmp_path, "v3")
    assert shown == ["ALPHA" if n in ones else f"{n} BETA" for n in [0, 1, 2, 5, 21, 1000000]], shown
    # (where the target's key is missing, i18next v3 shows the key's own: the singular)


@pytest.mark.parametrize("target, added", [("ru", ["BETA", "GAMMA", "GAMMA"]), ("ja", ["GAMMA"]), ("es", []),
                                           ("ar", ["GAMMA", "BETA", *["GAMMA"] * 4]), ("xx", [])])
def test_i18nexts_v3_plurals_get_the_targets_numbered_keys(target, added):
    source = ('{\n  "step_0": "alpha",\n  "files": "beta",\n  "files_plural": "gamma",\n  "step_1": "delta",\n'
              '  "deep": {"x": "mu", "x_plural": "nu", "y_0": "xi"}\n}\n')
    out = _upper_cased(source, target)
    loaded = json.loads(out)
    keys = [f"files_{k}" for k in range(len(added))]
    assert list(loaded) == ["step_0", "files", "files_plural", *keys, "step_1", "deep"], "ordinary _0 keys kept"
    assert [loaded[key] for key in keys] == added and list(loaded["deep"]) == ["x", "x_plural", *(
        f"x_{k}" for k in range(len(added))), "y_0"]
    if added:  # (written as the file writes its members)
        assert f'"files_plural": "GAMMA",\n  "files_0": "{added[0]}",' in out


def test_a_webextensions_messages_have_their_message_alone_translated():
    source = ('{"name": {"message": "alpha beta", "description": "gamma"}, "hello": {"message": "Hello, $USER$", '
              '"placeholders": {"user": {"content": "$1", "example": "Mu Nu"}}}}')
    assert json_messages.cut(source)[0] == ["alpha beta", "Hello, $USER$"], "descriptions and examples are notes"
    like = '{"error": {"message": "alpha", "title": "beta"}}'  # (another key: i18next's nested messages, all shown)
    assert json_messages.cut(like)[0] == ["alpha", "beta"]


def test_an_icu_plural_keeps_its_choice_and_has_each_branch_translated(client):
    source = '{"files": "{count, plural, =0{alpha beta} other{gamma delta}}", "@files": {"description": "mu"}}'
    assert json.loads(downloaded(client, "app_en.arb", source.encode()).content)["files"] == (
        "{count, plural, =0{BETA ALPHA} other{DELTA GAMMA}}")


def test_a_json_file_through_the_service(client, translator):
    download = downloaded(client, "en.json", SOURCE.encode())
    assert download.headers["content-type"] == "application/json"
    [title] = translator.translate(["alpha beta"])
    assert json.loads(download.content)["title"] == title.text


def test_a_file_that_is_not_json_is_refused_in_one_line(client):
    answer = upload(client, "en.json", b'{"a": "b",}')
    assert answer.status_code == 400 and answer.json()["error"] == (
        "Invalid request: en.json is not a JSON file that can be read: it is not JSON (line 1, column 11: Expecting "
        "property name enclosed in double quotes)")


keys = st.text(max_size=4) | st.text(max_size=3).map("@".__add__)
values = st.recursive(st.text(max_size=6) | st.integers() | st.booleans() | st.none(),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=8)


@given(values, st.sampled_from([None, 2]), st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_json_keeps_its_keys_and_layout_and_gets_its_strings_back(value, indent, ascii_only):
    source = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    texts, render = json_messages.cut(source)
    assert json.loads(render(texts)) == value, "each string written back as JSON writes it"
    assert json.loads(render(["x"] * len(texts))) == _replaced(value), "only strings with a letter, never a key"


def _replaced(value):
    if isinstance(value, dict):  # (under a key starting with "@": metadata, kept)
        return {key: inner if key.startswith("@") else _replaced(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_replaced(inner) for inner in value]
    return "x" if isinstance(value, str) and any(c.isalpha() for c in value) else value
