"""Qt Linguist files (.ts) through POST /translate_file (app/qt_linguist.py): each unfinished message's source into
its translation, a plural message's into as many numerusforms as the target has, everything else kept. The toy
model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import pytest
from lxml import etree
from service_fixtures import downloaded, upload

from nmt.app.documents import read_document
from nmt.app.labels import Languages

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>MainWindow</name>
    <message>
        <location filename="main.cpp" line="5"/>
        <source>alpha beta</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>gamma delta</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>tau</source>
        <translation>a translator's</translation>
    </message>
    <message>
        <source>rho</source>
        <translation type="vanished"></translation>
    </message>
    <message>
        <source>mu nu</source>
        <comment>a button</comment>
    </message>
    <message>
        <source>&lt;b&gt;sigma&lt;/b&gt; &amp; &apos;tau&apos;</source>
        <translation type="obsolete"></translation>
    </message>
</context>
</TS>
"""


def messages(content: bytes) -> dict[str, etree._Element]:
    return {m.findtext("source"): m for m in etree.fromstring(content).iter("message")}


def test_unfinished_messages_are_translated_and_the_rest_kept(client):
    download = downloaded(client, "app.ts", TS)
    content, found = download.content, messages(download.content)
    assert download.headers["content-type"].startswith("text/vnd.trolltech.linguist")
    assert found["alpha beta"].find("translation").text == "BETA ALPHA"
    assert found["alpha beta"].find("translation").get("type") == "unfinished", "to be reviewed"
    assert [f.text for f in found["gamma delta"].iter("numerusform")] == ["DELTA GAMMA"] * 2, "Spanish has two forms"
    assert found["tau"].find("translation").text == "a translator's" and found["rho"].find("translation").text is None
    made = found["mu nu"]
    assert [c.tag for c in made] == ["source", "comment", "translation"] and made[-1].text == "NU MU"
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="es">')
    assert content.endswith(b"</TS>\n") and b'        <comment>a button</comment>\n        <translation' in content


@pytest.mark.parametrize(("target", "forms"), [("ru", 3), ("ja", 1), ("tr", 1), ("xx", 1)])
def test_a_plural_message_gets_as_many_forms_as_the_target_has_in_qt(target, forms):
    document = read_document("app.ts", TS.replace('type="obsolete"', "").encode())
    assert document.texts == ["alpha beta", "gamma delta", "mu nu", "<b>sigma</b> & 'tau'"], "as Qt reads them"
    out = document.render([text.upper() for text in document.texts], Languages("en", target))
    plural = messages(out)["gamma delta"]
    assert [f.text for f in plural.iter("numerusform")] == ["GAMMA DELTA"] * forms, "(xx: unknown, the file's one)"
    assert b"<translation type=\"unfinished\">&lt;B&gt;SIGMA&lt;/B&gt; &amp; 'TAU'</translation>" in out
    assert etree.tostring(plural.find("translation")).count(b"\n            <numerusform>") == forms, "a line each"


@pytest.mark.parametrize("name, content, reason", [
    ("a.ts", "<TS><context>", "it is not well-formed XML"),
    ("a.ts", "const a: string = 'typescript';", "it is not well-formed XML"),
    ("a.ts", "<xliff/>", "its root element is not <TS>"),
    ("de.ts", TS.replace('<TS version="2.1">', '<TS version="2.1" language="de_DE">'),
     "its language is de_DE, and this translation is en -> es"),
    ("fr.ts", TS.replace('<TS version="2.1">', '<TS version="2.1" sourcelanguage="fr">'),
     "its sourcelanguage is fr, and this translation is en -> es"),
])
def test_a_file_that_is_not_a_ts_file_or_not_for_this_pair_is_refused_in_one_line(client, name, content, reason):
    answer = upload(client, name, content)
    assert answer.status_code == 400 and answer.json()["error"].startswith(
        f"Invalid request: {name} is not a Qt Linguist file that can be read: {reason}"), answer.json()


def test_an_accelerator_goes_back_before_the_translations_first_letter():
    menu = TS.replace("<source>alpha beta</source>", "<source>&amp;alpha &amp;&amp; beta</source>")
    document = read_document("app.ts", menu.encode())
    assert document.texts[0] == "alpha & beta", "the model sees no marker"
    out = document.render(["¿beta & alpha?", "", ""], Languages("en", "es"))
    assert b"<translation type=\"unfinished\">\xc2\xbf&amp;beta &amp;&amp; alpha?</translation>" in out
