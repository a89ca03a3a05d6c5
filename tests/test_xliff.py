"""XLIFF files through POST /translate_file (app/xliff.py): each unit's source translated into its target, inline
codes around or beside their words, a translator's targets and units marked translate="no" left alone. The toy
model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import pytest
from lxml import etree
from service_fixtures import downloaded, upload

V12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="app.properties" source-language="en-US" datatype="plaintext">
    <body>
      <trans-unit id="1">
        <source>alpha <g id="b">beta</g> gamma</source>
      </trans-unit>
      <trans-unit id="2">
        <source>mu nu<x id="br"/> xi</source>
        <target/>
      </trans-unit>
      <trans-unit id="3">
        <source>tau rho</source>
        <target state="final">a translator's</target>
      </trans-unit>
      <group translate="no"><trans-unit id="4"><source>pi</source></trans-unit></group>
    </body>
  </file>
</xliff>
"""
V20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en">
  <file id="f">
    <unit id="u1">
      <segment><source>alpha <pc id="1" dataRefStart="d1">beta</pc> gamma</source></segment>
      <ignorable><source> </source></ignorable>
      <segment><source>mu nu<ph id="2" dataRef="d2"/> xi</source></segment>
    </unit>
    <unit id="u2" translate="no"><segment><source>pi</source></segment></unit>
  </file>
</xliff>
"""
NS12, NS20 = "{urn:oasis:names:tc:xliff:document:1.2}", "{urn:oasis:names:tc:xliff:document:2.0}"


def translated(client, name: str, content: str) -> tuple[bytes, etree._Element]:
    download = downloaded(client, name, content)
    assert download.headers["content-type"] == "application/xliff+xml"
    return download.content, etree.fromstring(download.content)


def inner(element: etree._Element) -> str:
    """An element's content as written, namespace declarations left out."""
    written = etree.tostring(element, encoding="unicode", with_tail=False)
    return written[written.index(">") + 1:written.rindex("<")].replace(' xmlns="' + element.nsmap[None] + '"', "")


def test_xliff_1_2_units_get_targets_their_codes_around_and_beside_their_words(client):
    content, root = translated(client, "app.xlf", V12)
    units = {u.get("id"): u for u in root.iter(NS12 + "trans-unit")}
    first, second = (units[k].find(NS12 + "target") for k in ("1", "2"))
    assert inner(first) == 'GAMMA <g id="b">BETA</g> ALPHA', "the code around the word it held"
    assert inner(second) == 'XI NU<x id="br"/> MU', "the placeholder after the word it followed"
    assert first.get("state") == "needs-review-translation" and first.get("state-qualifier") == "mt-suggestion"
    assert first.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    assert units["3"].find(NS12 + "target").text == "a translator's", "a translator's target is kept"
    assert units["4"].find(NS12 + "target") is None, "translate=no is kept"
    assert root.find(NS12 + "file").get("target-language") == "es"
    assert content.endswith(b"</xliff>\n") and b'        <target xml:lang="es"' in content, "indented as its source"


def test_xliff_2_segments_get_targets_and_ignorables_and_untranslatable_units_stay(client):
    _, root = translated(client, "app.xliff", V20)
    segments = list(root.iter(NS20 + "segment"))
    assert inner(segments[0].find(NS20 + "target")) == 'GAMMA <pc id="1" dataRefStart="d1">BETA</pc> ALPHA'
    assert '<ph id="2" dataRef="d2"/>' in inner(segments[1].find(NS20 + "target"))
    assert [s.get("state") for s in segments] == ["translated", "translated", None]
    assert segments[2].find(NS20 + "target") is None and root.find(NS20 + "file/" + NS20 + "unit/" + NS20 +
                                                                    "ignorable/" + NS20 + "target") is None
    assert root.get("trgLang") == "es"


@pytest.mark.parametrize("name, content, reason", [
    ("a.xlf", "<xliff><file><body>", "it is not well-formed XML"),
    ("a.xlf", "<html><body>alpha</body></html>", "its root element is not <xliff>"),
    ("fr.xlf", V12.replace('source-language="en-US"', 'source-language="en" target-language="fr"'),
     "it is for target-language fr, and this translation is en -> es"),
    ("de.xliff", V20.replace('srcLang="en"', 'srcLang="de"'), "it is for srcLang de, and this translation is en -> es"),
    ("lol.xlf", V12.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY a0 '
                            '"lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
                            ).replace("tau rho", "tau &a9;"), "it is not well-formed XML (Maximum entity amplification"),
])
def test_a_file_that_is_not_xliff_or_not_for_this_pair_is_refused_in_one_line(client, name, content, reason):
    answer = upload(client, name, content)
    assert answer.status_code == 400 and answer.json()["error"].startswith(
        f"Invalid request: {name} is not an XLIFF file that can be read: {reason}"), answer.json()


def test_an_external_entity_is_never_read(client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("omega")
    xxe = V12.replace('<?xml version="1.0" encoding="UTF-8"?>',
                      f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY e SYSTEM "file://{secret}">]>').replace(
        "tau rho", "tau &e;")
    content = downloaded(client, "xxe.xlf", xxe).content
    assert b"<source>tau &e;</source>" in content and b"omega" not in content.lower(), "the reference kept, unread"


def test_a_segmented_source_gets_a_target_of_its_segments_each_translated_alone(client):
    segmented = V12.replace("<source>tau rho</source>", "<source>tau rho. mu nu.</source><seg-source>"
                            '<mrk mtype="seg" mid="1">tau rho.</mrk> <mrk mtype="seg" mid="2">mu <g id="c">nu</g>.</mrk>'
                            "</seg-source>").replace("<target state=\"final\">a translator's</target>", "")
    _, root = translated(client, "segmented.xlf", segmented)
    unit = next(u for u in root.iter(NS12 + "trans-unit") if u.get("id") == "3")
    assert [etree.QName(c).localname for c in unit] == ["source", "seg-source", "target"]
    first, second = unit.find(NS12 + "target")
    alone = client.post("/v1/translate", json={"text": "tau rho."}).json()["translations"][0]["text"]
    assert (first.get("mid"), first.text, first.tail) == ("1", alone, " "), "each segment translated alone"
    assert second.get("mid") == "2" and second.find(NS12 + "g").get("id") == "c" and second.find(NS12 + "g").text


def test_an_icu_plural_keeps_its_choice_and_has_each_branch_translated_its_codes_in_place(client):
    plural = V12.replace("<source>tau rho</source>", '<source>{VAR_PLURAL, plural, =0 {alpha beta} other {<x id="N"/>'
                         " gamma delta} }</source>").replace("<target state=\"final\">a translator's</target>", "")
    _, root = translated(client, "ng.xlf", plural)
    unit = next(u for u in root.iter(NS12 + "trans-unit") if u.get("id") == "3")
    assert inner(unit.find(NS12 + "target")) == '{VAR_PLURAL, plural, =0 {BETA ALPHA} other {<x id="N"/> DELTA GAMMA} }'
