"""Apple's localization files through POST /translate_file and `nmt translate-file`: strings files (.strings,
app/apple_strings.py), each value with a letter translated and every other byte kept, in UTF-8 or UTF-16 as read; and
String Catalogs (.xcstrings, app/string_catalog.py), each source translated into the target's localization, a plural's
variations made the target's categories. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import codecs
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_fixtures import client_for, downloaded, upload

from nmt.app import apple_strings
from nmt.app.documents import read_document
from nmt.app.labels import Languages
from nmt.app.string_catalog import xcode_order
from nmt.cli import main
from nmt.model.spans import mask
from nmt.model.translator import Translator

STRINGS = ('/* The main window\'s title */\n"window.title" = "alpha beta";\n\n// a comment to the line\'s end\n'
           'greeting = "gamma \\"delta\\"\\n\\tmu\\\\ \\U00f1";\n"count" = "42";\n  "same";\n'
           '"menu.open"="tau";/* after */\n')
ENCODINGS = {"utf-8": b"", "utf-8-sig": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def encoded(text: str, encoding: str) -> bytes:
    """The text as a file in that encoding, a UTF-16 one with its byte-order mark (as Xcode writes them)."""
    return ENCODINGS[encoding] + text.encode(encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_strings_file_from_disk_is_written_in_its_encoding_with_only_its_values_changed(encoding, tmp_path):
    path = tmp_path / "Localizable.strings"
    path.write_bytes(encoded(STRINGS, encoding))
    document = read_document(path.name, path.read_bytes())
    assert document.texts == ["alpha beta", 'gamma "delta"\n\tmu\\ ñ', "same", "tau"], "unescaped, letterless kept"
    assert document.render(document.texts, Languages("en", "es")) == path.read_bytes(), "as written where unchanged"
    out = document.render(["BETA ALPHA", 'DELTA "GAMMA"\n\\ Ñ', "SAME", "TAU"], Languages("en", "es"))
    assert out == encoded(STRINGS.replace('"alpha beta"', '"BETA ALPHA"').replace(
        '"gamma \\"delta\\"\\n\\tmu\\\\ \\U00f1"', '"DELTA \\"GAMMA\\"\\n\\\\ Ñ"').replace(
        '"same";', '"same" = "SAME";').replace('"tau"', '"TAU"'), encoding), "comments, keys, layout: byte for byte"
    assert document.translated_name("es") == "Localizable.es.strings"


def test_a_utf16_file_without_its_byte_order_mark_and_crlf_line_ends_are_kept():
    source = STRINGS.replace("\n", "\r\n").encode("utf-16-le")
    document = read_document("InfoPlist.strings", source)
    assert document.texts[0] == "alpha beta"
    assert document.render(document.texts, Languages("en", "es")) == source


def test_a_strings_file_through_the_service_in_utf16(client):
    download = downloaded(client, "Localizable.strings", encoded(STRINGS, "utf-16-le"))
    assert download.content.startswith(codecs.BOM_UTF16_LE), "UTF-16, as it came"
    assert '"window.title" = "BETA ALPHA";' in download.content.decode("utf-16")
    assert {entry.key: entry.value for entry in apple_strings.entries(download.content.decode("utf-16"))}["count"] == "42"


@pytest.mark.parametrize("content, reason", [
    ('"a" = "alpha";\n"b" = "beta"\n', "line 2: an entry without its ; after its value"),
    ('"a" = "alpha";\n"b" "beta";\n', "line 2: an entry without its = after its key"),
    ('"a" = "alpha;\n"b" = "beta";\n', "line 2: an entry without its ; after its value"),
    ('"a" = "alpha";\n\n"b = beta;\n', "line 3: a string whose closing quote is missing"),
    ('"a" = ;\n', "line 1: a value should be here, a string in double quotes, found ';'"),
    ('{"a" = "alpha";}', "line 1: a key should be here, a string in double quotes, found '{'"),
    ('"a" = "alpha"; /* never closed\n', "line 1: a comment that is never closed (no */)"),
    ('"a" = "\\UD83D alpha";', "line 1: a \\U escape of half a surrogate pair"),
])
def test_a_file_that_is_not_a_strings_file_is_refused_in_one_line_naming_its_line(client, content, reason):
    answer = upload(client, "Localizable.strings", content.encode())
    assert answer.status_code == 400 and answer.json()["error"] == (
        f"Invalid request: Localizable.strings is not an Apple strings file that can be read: {reason}")


def test_a_strings_file_in_no_encoding_it_may_be_in_is_refused(client):
    answer = upload(client, "Localizable.strings", codecs.BOM_UTF16_LE + b'"\x00a')
    assert answer.json()["error"].endswith("that can be read: it is not UTF-16 text (byte 4)")
    answer = upload(client, "Localizable.strings", '"a" = "señor";'.encode("latin-1"))
    assert answer.status_code == 400 and answer.json()["error"] == (
        "Invalid request: Localizable.strings is not UTF-8 text (byte 9)")


def test_an_escaped_surrogate_pair_is_one_character_and_other_escapes_are_read_as_foundation_does():
    assert apple_strings.unescaped(r"\UD83D\UDE00 \101\x \a\U41") == "\U0001F600 Ax \aA"


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20), st.text("ab\"\\\n/*;= ", max_size=12))
def test_any_value_round_trips_through_a_strings_file(value, key):
    """Whatever a translation holds (quotes, backslashes, line breaks, comment marks), written it reads back the
    same, and a value with a letter is what the model sees, unescaped."""
    assert apple_strings.unescaped(apple_strings.escaped(value)) == value
    source = f'/* a "comment" // ; = */\n"{apple_strings.escaped(key)}" = "x"; // "\n'
    texts, render = apple_strings.cut(source)
    [entry] = apple_strings.entries(render([value]))
    assert (texts, entry.key, entry.value) == (["x"], key, value)


def test_apples_placeholders_are_spans_the_pipeline_keeps():
    [text] = read_document("a.strings", b'"k" = "%1$@ sent %lld files, %ld, %lu and %.2f%% of %@";').texts
    assert mask(text, 8).spans == ("%1$@", "%lld", "%ld", "%lu", "%.2f", "%%", "%@")


def test_placeholders_come_back_once_each_from_a_placeholder_model(placeholder_model):
    source = '"a" = "alpha %@ beta %lld";\n"b" = "gamma %1$@ delta %2$@";\n'
    with client_for(Translator.load(placeholder_model, "cpu")) as client:
        answer = upload(client, "Localizable.strings", source.encode())
        out = client.get(answer.json()["translatedFileUrl"]).content.decode()
    values = [entry.value for entry in apple_strings.entries(out)]
    assert [[value.count(p) for p in ("%@", "%lld", "%1$@", "%2$@")] for value in values] == [[1, 1, 0, 0], [0, 0, 1, 1]]


def entry(localizations: dict | None = None, **fields) -> dict:
    return fields | ({"localizations": localizations} if localizations is not None else {})


def unit(value: str, state: str = "translated") -> dict:
    return {"stringUnit": {"state": state, "value": value}}


def plural(**cases: str) -> dict:
    return {"variations": {"plural": {category: unit(value) for category, value in cases.items()}}}


CATALOG = {
    "sourceLanguage": "en",
    "strings": {
        "": {},
        "%lld files": entry({"en": plural(one="alpha file", other="%lld beta files")}, comment="a count"),
        "Calculator": {},
        "Done": entry({"en": unit("gamma delta"), "fr": unit("Fini")}, extractionState="manual"),
        "kept": entry({"es": unit("ya traducido")}),
        "empty": entry({"en": unit("mu nu"), "es": unit("", "new")}),
        "never": entry({"en": unit("tau")}, shouldTranslate=False),
        "device": entry({"en": {"variations": {"device": {"iphone": unit("tap rho"), "mac": plural(
            one="click rho", other="click rhos"), "other": unit("use rho")}}}}),
        "%#@apples@ in %#@baskets@": entry({"en": {"stringUnit": {"state": "translated", "value": "%#@apples@ in "
                                                                  "%#@baskets@"},
                                                   "substitutions": {"apples": {"argNum": 1, "formatSpecifier": "lld",
                                                                                **plural(zero="no apple",
                                                                                         one="an apple",
                                                                                         other="%arg apples")}}}}),
    },
    "version": "1.0",
}


def xcode_json(value) -> str:
    """The value as Xcode writes it: json.dumps's, but an empty object over an empty line, its brace under its key."""
    return re.sub(r"^( *)(.*) : \{\}", lambda m: f"{m[1]}{m[2]} : {{\n\n{m[1]}}}",
                  json.dumps(value, indent=2, separators=(",", " : "), ensure_ascii=False), flags=re.MULTILINE)


def translated(target: str, catalog: dict = CATALOG) -> dict:
    document = read_document("Localizable.xcstrings", xcode_json(catalog).encode())
    return json.loads(document.render([text.upper() for text in document.texts], Languages("en", target)))


def test_a_catalog_gets_the_targets_localization_to_be_reviewed_and_a_translators_is_left_alone():
    document = read_document("Localizable.xcstrings", xcode_json(CATALOG).encode())
    assert document.texts == ["alpha file", "%lld beta files", "Calculator", "gamma delta", "kept", "mu nu",
                              "tap rho",
                              "click rho", "click rhos", "use rho", "%#@apples@ in %#@baskets@", "no apple",
                              "an apple", "%arg apples"], "each source once, a key its own where it has none"
    found = translated("es")["strings"]
    assert found["Done"]["localizations"] == {"en": unit("gamma delta"), "es": unit("GAMMA DELTA", "needs_review"),
                                              "fr": unit("Fini")}, "the target's in Xcode's order"
    assert list(found["Done"]) == ["extractionState", "localizations"]
    assert found["Calculator"] == {"localizations": {"es": unit("CALCULATOR", "needs_review")}}
    assert found[""] == {"localizations": {"es": unit("", "needs_review")}}, "a key without a letter as it is"
    assert found["kept"] == CATALOG["strings"]["kept"] and found["never"] == CATALOG["strings"]["never"]
    assert found["empty"]["localizations"]["es"] == unit("MU NU", "needs_review"), "an empty one filled"
    assert found["device"]["localizations"]["es"]["variations"]["device"]["iphone"] == unit("TAP RHO", "needs_review")


AGAIN = {"again": entry({"en": unit("kept"), "fr": unit("Fini")})}  # (a text that "kept" holds too)


@pytest.mark.parametrize("target, more, done", [
    ("es", {}, {"kept"}), ("es", AGAIN, set()),  # (a text another string still needs is translated)
    ("fr", {}, {"gamma delta"}), ("fr", AGAIN, {"gamma delta"}), ("de", AGAIN, set()),
])
def test_what_the_target_already_has_is_not_translated_again(target, more, done):
    catalog = CATALOG | {"strings": CATALOG["strings"] | more}
    document = read_document("Localizable.xcstrings", xcode_json(catalog).encode())
    into = document.into(Languages("en", target))
    assert into.texts == [text for text in document.texts if text not in done]
    languages = Languages("en", target)
    assert into.render([t.upper() for t in into.texts], languages) == document.render(
        [t.upper() for t in document.texts], languages), "the same file, for fewer texts translated"


@pytest.mark.parametrize("target, categories", [
    ("es", ["many", "one", "other"]), ("ja", ["other"]), ("ru", ["few", "many", "one", "other"]),
    ("xx", ["one", "other"]),  # (a language app/plurals.py does not know: the source's)
])
def test_a_plural_gets_the_targets_categories_one_the_source_lacks_its_other(target, categories):
    found = translated(target)["strings"]
    cases = found["%lld files"]["localizations"][target]["variations"]["plural"]
    assert list(cases) == categories, "CLDR's categories of the target, in Xcode's (alphabetical) order"
    assert {c: cases[c]["stringUnit"]["value"] for c in cases} == {
        c: "ALPHA FILE" if c == "one" else "%LLD BETA FILES" for c in categories}
    mac = found["device"]["localizations"][target]["variations"]["device"]["mac"]["variations"]["plural"]
    assert list(mac) == categories, "a device's plurals too"
    substitution = found["%#@apples@ in %#@baskets@"]["localizations"][target]["substitutions"]["apples"]
    assert (substitution["argNum"], substitution["formatSpecifier"]) == (1, "lld")
    assert list(substitution["variations"]["plural"]) == sorted({*categories, "zero"}), "zero kept, as Apple's for 0"


def test_a_catalog_is_written_as_xcode_writes_it():
    nothing_to_do = {**CATALOG, "strings": {"kept": CATALOG["strings"]["kept"],
                                            "never": entry({}, comment="ñ / é", shouldTranslate=False)}}
    source = xcode_json(nothing_to_do)
    assert '"localizations" : {\n\n      }\n    }' in source and source.endswith('"1.0"\n}')
    document = read_document("a.xcstrings", source.encode())
    assert document.texts == ["kept"] and document.render(["KEPT"], Languages("en", "es")).decode() == source
    document = read_document("a.xcstrings", xcode_json(CATALOG).encode())
    out = document.render(document.texts, Languages("en", "es")).decode()
    assert out == xcode_json(json.loads(out)), "what is added as Xcode writes it too"


def test_xcodes_order_ignores_case_and_reads_numbers_by_value():
    assert sorted(["es", "en", "zh-Hans", "de", "es-419", "pt-BR", "Pt-AO", "item10", "item9", "Item9"],
                  key=xcode_order) == ["de", "en", "es", "es-419", "item9", "Item9", "item10", "Pt-AO", "pt-BR",
                                       "zh-Hans"]


@pytest.mark.parametrize("content, reason", [
    ('{"sourceLanguage": "en", "strings": {}', "it is not JSON (line 1, column 39: Expecting ',' delimiter)"),
    ('{"strings": {}}', 'it is not a String Catalog: it has no "sourceLanguage" and "strings"'),
    ('{"sourceLanguage": "en", "strings": {"a": []}}', 'its string "a" is not an object of localizations'),
    ('{"sourceLanguage": "en", "strings": {"a": {"localizations": {"en": {"stringUnit": {"value": 3}}}}}}',
     'a stringUnit without a string value: {"value": 3}'),
    ('{"sourceLanguage": "fr", "strings": {"a": {}}}', "its sourceLanguage is fr, and this translation is en -> es"),
])
def test_a_file_that_is_not_a_catalog_or_not_for_this_pair_is_refused_in_one_line(client, content, reason):
    answer = upload(client, "Localizable.xcstrings", content.encode())
    assert answer.status_code == 400 and answer.json()["error"] == (
        f"Invalid request: Localizable.xcstrings is not a String Catalog that can be read: {reason}")


def test_a_catalog_through_the_service(client):
    download = downloaded(client, "Localizable.xcstrings", xcode_json(CATALOG).encode())
    assert download.headers["content-type"] == "application/json"
    assert json.loads(download.content)["strings"]["Done"]["localizations"]["es"] == unit("DELTA GAMMA", "needs_review")


def test_nmt_translate_file_writes_both_beside_them(toy_model, tmp_path, capsys):
    strings, catalog = tmp_path / "Localizable.strings", tmp_path / "Localizable.xcstrings"
    strings.write_bytes(encoded(STRINGS, "utf-16-le"))
    catalog.write_text(xcode_json(CATALOG))
    assert main(["translate-file", "--beam", "1", "--model", str(toy_model), str(strings), str(catalog)]) == 0
    out = (tmp_path / "Localizable.es.strings").read_bytes()
    assert out.startswith(codecs.BOM_UTF16_LE) and '"window.title" = "BETA ALPHA";' in out.decode("utf-16")
    written = json.loads((tmp_path / "Localizable.es.xcstrings").read_text())
    assert written["strings"]["Done"]["localizations"]["es"] == unit("DELTA GAMMA", "needs_review")
    assert strings.read_bytes() == encoded(STRINGS, "utf-16-le"), "the source untouched"
    assert capsys.readouterr().out.count("(en -> es)") == 2
