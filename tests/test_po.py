"""gettext files through POST /translate_file (app/po.py): each untranslated message's msgid into its msgstr, flagged
fuzzy, everything else kept. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_fixtures import downloaded, upload

from nmt.app import po
from nmt.app.documents import read_document
from nmt.app.labels import Languages
from nmt.app.packages import Damaged

SOURCE = r'''# The app's messages.
msgid ""
msgstr ""
"Language: \n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: main.c:10
#, c-format
msgid "alpha beta\n"
msgstr ""

#. a button
msgctxt "button"
msgid "gamma \"delta\""
msgstr ""

msgid "tau"
msgid_plural "mu"
msgstr[0] ""
msgstr[1] ""

msgid "eps"
msgstr "EPS as translated"

msgid ""
"alpha "
"gamma"
msgstr ""

#~ msgid "xi"
#~ msgstr ""
'''


def test_untranslated_messages_are_translated_fuzzy_and_the_rest_kept():
    texts, render = po.cut(SOURCE)
    assert texts == ["alpha beta\n", 'gamma "delta"', "tau", "mu", "alpha gamma"], "the header, a translation, an "
    "obsolete message left out; strings joined and read with their escapes"
    out = render(["A B", 'G "D\\', "T", "M", "one\ntwo"])
    assert out == SOURCE.replace('#, c-format\nmsgid "alpha beta\\n"\nmsgstr ""', (
        '#, fuzzy, c-format\nmsgid "alpha beta\\n"\nmsgstr "A B\\n"')).replace(
        'msgctxt "button"\nmsgid "gamma \\"delta\\""\nmsgstr ""', (
            '#, fuzzy\nmsgctxt "button"\nmsgid "gamma \\"delta\\""\nmsgstr "G \\"D\\\\"')).replace(
        'msgid "tau"\nmsgid_plural "mu"\nmsgstr[0] ""\nmsgstr[1] ""', (
            '#, fuzzy\nmsgid "tau"\nmsgid_plural "mu"\nmsgstr[0] "T"\nmsgstr[1] "M"')).replace(
        'msgid ""\n"alpha "\n"gamma"\nmsgstr ""', '#, fuzzy\nmsgid ""\n"alpha "\n"gamma"\nmsgstr ""\n"one\\n"\n"two"')
    assert po.cut(out)[0] == [], "nothing left to translate"


def test_a_gettext_file_through_the_service_says_its_language(client, translator):
    download = downloaded(client, "app.pot", SOURCE.encode())
    assert download.headers["content-disposition"] == 'attachment; filename="app.po"', "a template translated"
    out = download.content.decode()
    assert '"Language: es\\n"' in out, "a template's empty Language set"
    [tau] = translator.translate(["tau"])
    assert f'msgstr[0] "{tau.text}"' in out and 'msgstr "EPS as translated"' in out
    document = read_document("app.po", out.replace('"Language: es', '"Language: en_US').encode())
    assert document.texts == [] and b'"Language: es\\n"' in document.render([], Languages("en", "es"))


TEMPLATE = r'''#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: demo 1.0\n"
"Language: \n"
"Content-Type: text/plain; charset=CHARSET\n"
"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\n"

#, c-format
msgid "%d file"
msgid_plural "%d files"
msgstr[0] ""
msgstr[1] ""
'''


@pytest.mark.parametrize(("target", "rule", "forms"), [
    ("es", "nplurals=2; plural=(n != 1);", ["SINGULAR", "PLURAL"]),
    ("ru", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
     ["SINGULAR", "PLURAL", "PLURAL"]),
    ("ja", "nplurals=1; plural=0;", ["PLURAL"])])
def test_a_template_takes_its_targets_plural_forms_and_as_many_msgstr(target, rule, forms):
    out = read_document("app.pot", TEMPLATE.encode()).render(["SINGULAR", "PLURAL"], Languages("en", target)).decode()
    assert out == TEMPLATE.replace('"Language: \\n"', f'"Language: {target}\\n"').replace(
        "charset=CHARSET", "charset=UTF-8").replace("nplurals=INTEGER; plural=EXPRESSION;", rule).replace(
        '#, c-format', '#, fuzzy, c-format').replace('msgstr[0] ""\nmsgstr[1] ""\n', "".join(
            f'msgstr[{n}] "{form}"\n' for n, form in enumerate(forms))), "as msgfmt -c accepts it"


def test_the_accelerators_that_the_header_names_go_back_before_the_first_letter():
    menu = TEMPLATE.replace('"Language: \\n"', '"Language: \\n"\n"X-Accelerator-Marker: _\\n"').replace(
        '"%d file"', '"_Open %d file"')
    texts, render = po.cut(menu)
    assert texts == ["Open %d file", "%d files"]
    assert 'msgstr[0] "_Abrir %d archivo"' in render(["Abrir %d archivo", "%d archivos"])
    assert po.cut(TEMPLATE.replace('"%d file"', '"_Open %d file"'))[0][0] == "_Open %d file", "no marker named"


def test_a_file_for_another_language_keeps_its_plural_forms():
    german = TEMPLATE.replace('"Language: \\n"', '"Language: de\\n"').replace(
        "nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);")
    out = read_document("app.po", german.encode()).render(["S", "P"], Languages("en", "ru")).decode()
    assert '"Language: de\\n"' in out and "nplurals=2; plural=(n != 1);" in out and 'msgstr[1] "P"\n' in out
    assert "msgstr[2]" not in out, "a German file's forms are German's"


def test_a_file_in_the_charset_its_header_names_is_read_so_and_written_as_utf_8(client):
    latin = TEMPLATE.replace("charset=CHARSET", "charset=ISO-8859-1") + 'msgid "alpha beta"\nmsgstr "caf\xe9"\n'
    document = read_document("old.po", latin.encode("latin-1"))
    out = document.render([text.upper() for text in document.texts], Languages("en", "es")).decode("utf-8")
    assert 'msgstr "café"' in out and "charset=UTF-8" in out, "its é read as Latin-1, the file now UTF-8"
    for charset, reason in [("ascii", "it is neither UTF-8 nor ascii, as its header says (byte"),
                            ("x-nonsense", "its header names charset x-nonsense, which is not one known")]:
        answer = upload(client, "old.po", latin.replace("ISO-8859-1", charset).encode("latin-1"))
        assert answer.status_code == 400 and answer.json()["error"].startswith(
            f"Invalid request: old.po is not a gettext file that can be read: {reason}"), answer.json()


def test_a_line_a_gettext_file_does_not_hold_is_refused_in_one_line(client):
    answer = upload(client, "app.po", b'msgid "a"\nmsgstr ""\nnot po\n')
    assert answer.status_code == 400 and answer.json()["error"] == (
        "Invalid request: app.po is not a gettext file that can be read: line 3 is not a comment, a keyword (msgid, "
        "msgstr, ...) or a string")
    with pytest.raises(Damaged, match="^line 3: a message without a msgstr$"):
        po.cut('msgid "a"\nmsgstr "b"\nmsgid "c"\n')
    with pytest.raises(Damaged, match="^line 1: a message without a msgid$"):
        po.cut('msgstr[0] ""\nmsgstr ""\n\nmsgid ""\nmsgstr ""')


@given(st.lists(st.sampled_from(['msgid "a b"', 'msgstr ""', 'msgstr "x"', 'msgid_plural "c"', 'msgstr[0] ""',
                                 'msgstr[1] ""', 'msgctxt "k"', '"more \\" text"', "#, c-format", "#~ old", "",
                                 '"Language: en\\n"', 'msgid ""', "junk", '"unclosed', "msgid 'a'"]), max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_lines_are_read_or_refused_as_damaged_and_what_is_written_reads_again(lines):
    try:
        texts, render = po.cut("\n".join(lines))
    except Damaged:
        return
    out = render([f"{text} \"x\\ y\"" for text in texts])
    assert po.cut(out)[0] == [], "every message it translated has its translation"
    relabelled = po.relabel(out.encode(), Languages("en", "ru")).decode()
    assert po.cut(relabelled)[0] == [], "what is relabelled reads again"
    if "Plural-Forms: nplurals=3;" in relabelled:
        assert all(m.plurals in (0, 3) for m in po.messages(relabelled.split("\n"))), "as many forms as it says"
