"""Apple's stringsdict files (.stringsdict, app/stringsdict.py) through POST /translate_file, read_document and
`nmt translate-file`: each format string and plural case translated, a plural's cases made the target's categories,
the rest (keys, value types, comments, indents, the DOCTYPE) kept. The toy model reverses its input ("alpha beta" ->
"BETA ALPHA")."""
from __future__ import annotations

import plistlib
import shutil
import subprocess

import pytest
from service_fixtures import downloaded, refusal, translated_offline

from nmt.app.documents import read_document
from nmt.app.labels import Languages

PLPARSE = shutil.which("plparse")  # GNUstep's: parses property lists as Foundation does
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
        '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n')
PLURAL = """
\t<key>%d files selected</key>
\t<dict>
\t\t<key>NSStringLocalizedFormatKey</key>
\t\t<string>%#@files@ alpha beta</string>
\t\t<key>files</key>
\t\t<dict>
\t\t\t<key>NSStringFormatSpecTypeKey</key>
\t\t\t<string>NSStringPluralRuleType</string>
\t\t\t<key>NSStringFormatValueTypeKey</key>
\t\t\t<string>d</string>
\t\t\t<key>one</key>
\t\t\t<string>gamma delta</string>
\t\t\t<key>other</key>
\t\t\t<string>eps zeta</string>
\t\t</dict>
\t</dict>"""
ZERO = """
\t<!-- the inbox -->
\t<key>%d new messages</key>
\t<dict>
\t\t<key>NSStringLocalizedFormatKey</key>
\t\t<string>%#@messages@</string>
\t\t<key>messages</key>
\t\t<dict>
\t\t\t<key>NSStringFormatSpecTypeKey</key>
\t\t\t<string>NSStringPluralRuleType</string>
\t\t\t<key>NSStringFormatValueTypeKey</key>
\t\t\t<string>d</string>
\t\t\t<key>zero</key>
\t\t\t<string>eta theta</string>
\t\t\t<key>one</key>
\t\t\t<string>iota</string>
\t\t\t<key>other</key>
\t\t\t<string>kappa &amp; lam</string>
\t\t</dict>
\t</dict>"""
VARIANTS = """
\t<key>welcome</key>
\t<dict>
\t\t<key>NSStringVariableWidthRuleType</key>
\t\t<dict>
\t\t\t<key>20</key>
\t\t\t<string>mu</string>
\t\t\t<key>50</key>
\t\t\t<string>nu xi</string>
\t\t</dict>
\t</dict>
\t<key>tap</key>
\t<dict>
\t\t<key>NSStringDeviceSpecificRuleType</key>
\t\t<dict>
\t\t\t<key>iphone</key>
\t\t\t<string>omi pi</string>
\t\t\t<key>mac</key>
\t\t\t<string>42</string>
\t\t</dict>
\t</dict>"""


def stringsdict(*entries: str, head: str = HEAD) -> str:
    """A stringsdict file of the entries, as Xcode writes one (tabs its indents)."""
    return f"{head}<dict>{''.join(entries)}\n</dict>\n</plist>\n"


def translated(target: str, source: str = stringsdict(PLURAL, ZERO)) -> bytes:
    """The file translated into the target as the toy model translates (its words reversed, upper-cased)."""
    document = read_document("Localizable.stringsdict", source.encode())
    return document.render([" ".join(reversed(text.split())).upper() for text in document.texts],
                           Languages("en", target))


def test_a_stringsdict_file_through_the_service(client):
    download = downloaded(client, "Localizable.stringsdict", stringsdict(PLURAL, ZERO))
    assert download.headers["content-type"] == "application/x-plist"
    assert download.content.startswith(HEAD.encode()), "the declaration and the DOCTYPE as written"
    found = plistlib.loads(download.content)
    assert found["%d files selected"]["NSStringLocalizedFormatKey"].startswith("BETA ALPHA")
    assert found["%d files selected"]["files"] == {
        "NSStringFormatSpecTypeKey": "NSStringPluralRuleType", "NSStringFormatValueTypeKey": "d",
        "one": "DELTA GAMMA", "many": "ZETA EPS", "other": "ZETA EPS"}, "Spanish's categories"
    assert found["%d new messages"]["NSStringLocalizedFormatKey"] == "%#@messages@", "no letter: kept"
    assert found["%d new messages"]["messages"]["zero"] == "THETA ETA"


def test_what_is_read_and_a_file_translated_into_itself_is_written_as_it_was():
    source = stringsdict(PLURAL, ZERO, VARIANTS)
    document = read_document("Localizable.stringsdict", source.encode())
    assert document.texts == ["%#@files@ alpha beta", "gamma delta", "eps zeta", "eta theta", "iota", "kappa & lam",
                              "mu", "nu xi", "omi pi"], "format strings with a letter, cases, variants"
    assert document.render(document.texts, Languages("en", "xx")).decode() == source
    assert document.translated_name("es") == "Localizable.es.stringsdict"


@pytest.mark.parametrize("target, categories", [
    ("es", ["one", "many", "other"]), ("ja", ["other"]), ("ru", ["one", "few", "many", "other"]),
    ("xx", ["one", "other"]),  # (a language app/plurals.py does not know: the source's)
])
def test_a_plural_gets_the_targets_categories_one_the_source_lacks_its_other(target, categories):
    found = plistlib.loads(translated(target))
    cases = {k: v for k, v in found["%d files selected"]["files"].items() if not k.startswith("NSString")}
    assert list(cases) == categories, "CLDR's categories, in CLDR's order"
    assert cases == {category: "DELTA GAMMA" if category == "one" else "ZETA EPS" for category in categories}
    zero = [k for k in found["%d new messages"]["messages"] if not k.startswith("NSString")]
    assert zero == ["zero", *categories], "zero kept, as Apple's for 0 in any language"


def test_a_case_added_or_removed_keeps_the_files_lines_and_indents():
    lines = lambda *pairs: "".join(f"\t\t\t<key>{key}</key>\n\t\t\t<string>{value}</string>\n" for key, value in pairs)
    out = translated("ru").decode()
    assert lines(("one", "DELTA GAMMA"), ("few", "ZETA EPS"), ("many", "ZETA EPS"), ("other", "ZETA EPS")) + (
        "\t\t</dict>\n\t</dict>\n\t<!-- the inbox -->\n") in out, "added before the next case, a line each"
    out = translated("ja").decode()
    assert "<string>d</string>\n" + lines(("zero", "THETA ETA"), ("other", "LAM &amp; KAPPA")) + (
        "\t\t</dict>\n\t</dict>\n</dict>\n</plist>\n") in out, "removed with its key and its line"
    assert out.startswith(HEAD) and out.count("<key>") == 13
    spaced = translated("ja", stringsdict(PLURAL.replace("\t", "    "))).decode()
    assert "<string>d</string>\n            <key>other</key>\n            <string>ZETA EPS</string>\n        </dict>" in spaced


def test_width_and_device_variants_are_translated():
    found = plistlib.loads(translated("es", stringsdict(VARIANTS)))
    assert found == {"welcome": {"NSStringVariableWidthRuleType": {"20": "MU", "50": "XI NU"}},
                     "tap": {"NSStringDeviceSpecificRuleType": {"iphone": "PI OMI", "mac": "42"}}}


@pytest.mark.skipif(PLPARSE is None, reason="plparse is not installed (Debian: apt-get install gnustep-base-runtime)")
def test_gnusteps_plparse_reads_the_translation(tmp_path):
    path = tmp_path / "Localizable.es.stringsdict"
    path.write_bytes(translated("ru", stringsdict(PLURAL, ZERO, VARIANTS)))
    assert PLPARSE is not None
    checked = subprocess.run([PLPARSE, str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("content, reason", [
    ("<plist><dict>", "it is not well-formed XML"),
    ('<resources><string name="a">alpha</string></resources>', "it is not a property list of a dict (a <plist> of "
                                                                 "one <dict>)"),
    ("<plist><array/></plist>", "it is not a property list of a dict"),
    ("<plist><dict>\n<key>a</key>\n<string>alpha</string></dict></plist>",
     "line 3: the message 'a' is not a format dict (one with an NSStringLocalizedFormatKey)"),
    ("<plist><dict><key>a</key><dict><key>files</key></dict></dict></plist>",
     "line 1: the <key>files</key> has no value after it"),
    ("<plist><dict><key>a</key><dict><string>x</string><string>y</string></dict></dict></plist>",
     "line 1: a <string> in a <dict> where a <key> should be"),
    ("<plist><dict><key>a</key><dict><key>NSStringLocalizedFormatKey</key><dict/></dict></dict></plist>",
     "line 1: the NSStringLocalizedFormatKey of 'a' is not a <string>"),
])
def test_a_file_that_is_not_a_stringsdict_is_refused_in_one_line(client, content, reason):
    assert refusal(client, "Localizable.stringsdict", content, "a stringsdict file").startswith(reason)


def test_nmt_translate_file_writes_it_beside_the_source(toy_model, tmp_path, capsys):
    source = tmp_path / "Localizable.stringsdict"
    source.write_text(stringsdict(PLURAL))
    written, printed = translated_offline(toy_model, source, "Localizable.es.stringsdict", capsys)
    assert plistlib.loads(written)["%d files selected"]["files"]["many"] == "ZETA EPS"
    assert "(en -> es)" in printed
