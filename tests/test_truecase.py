"""Truecasing all-lowercase input from the source vocabulary: names and "I" get their usual form; the first letter,
cased text and typed spans are left alone. Text in capitals is read as lowercase, its first letter capitalized, and
its translation given back in capitals."""
from __future__ import annotations

import pytest

from nmt.model.translator import Translator
from nmt.model.truecase import Truecaser, shouted

VOCABULARY = [("<unk>", 0.0), ("▁Israel", -9.0), ("▁the", -3.0), ("▁The", -6.0), ("▁I", -5.0), ("▁may", -8.0),
              ("▁May", -11.0), ("▁LORD", -7.0), ("▁Lord", -9.5), ("rael", -10.0), ("⦅0⦆", 0.0)]


def test_a_word_only_capitalized_in_the_vocabulary_takes_its_most_probable_form():
    truecase = Truecaser(VOCABULARY)
    assert truecase.forms == {"israel": "Israel", "i": "I", "lord": "LORD"}  # "the", "may": also lowercase pieces
    assert truecase("the lord may bless israel and i know it") == "the LORD may bless Israel and I know it"
    assert truecase("rael ⦅0⦆ israelite 42") == "rael ⦅0⦆ israelite 42"  # no whole piece: kept as typed


def test_text_with_a_capital_and_lowercase_vocabularies_are_left_alone():
    assert Truecaser(VOCABULARY)("the lord bless Israel") == "the lord bless Israel"
    lowercase_model = Truecaser([("▁the", -3.0), ("▁israel", -9.0)])
    assert lowercase_model("the lord bless israel") == "the lord bless israel"


def test_text_in_capitals_is_read_as_lowercase_with_a_capital_first():
    truecase = Truecaser(VOCABULARY)
    assert truecase("THE LORD MAY BLESS ISRAEL!") == "The LORD may bless Israel!"
    assert truecase("\u201c⦅0⦆ THE LORD\u201d") == "\u201c⦅0⦆ The LORD\u201d"  # the first letter, not character
    assert [shouted(text) for text in ("NASA", "I AM", "OK.", "⦅0⦆ 42", "THE END", "THE END.", "The END")] == [
        False, False, False, False, True, True, False]


def test_text_of_a_script_without_case_is_not_shouted():
    caseless = ("我喜欢吃苹果，你呢？", "私は 学生です", "مرحبا بك في المدينة", "नमस्ते दुनिया आप", "我爱 NASA 和 ESA")
    assert [shouted(text) for text in caseless] == [False] * 5
    assert [shouted(text) for text in ("ЭТО ОЧЕНЬ ВАЖНО", "ΓΕΙΑ ΣΟΥ ΚΟΣΜΕ", "THE LORD 42 IS")] == [True, True, True]
    truecase = Truecaser(VOCABULARY)
    assert [truecase(text) for text in caseless] == list(caseless)


@pytest.fixture(scope="module")
def shipped() -> Translator:
    return Translator.load(device="cpu")  # the shipped en-es bundle


def test_the_pipeline_tokenizes_lowercase_input_as_its_usual_casing(shipped: Translator):
    casual, = shipped.prepare(["then i saw jesus in jerusalem"])
    cased, = shipped.prepare(["then I saw Jesus in Jerusalem"])
    assert casual.sentences[0].ids == cased.sentences[0].ids
    assert casual.sentences[0].text == "then i saw jesus in jerusalem"  # the writer's text is what is kept


def test_spans_are_masked_before_truecasing_and_come_back_as_typed(shipped: Translator):
    url = "http://www.israel.example.com/jesus"
    translated, = shipped.translate([f"visit {url} today with david"])
    assert url in translated.text


def test_a_sentence_in_capitals_is_translated_as_its_usual_casing_and_given_back_in_capitals(shipped: Translator):
    """"THE LORD IS MY SHEPHERD." was a string of subwords the model seldom saw: "LADADADIDADADIN."."""
    loud = "THEN I SAW JESUS IN JERUSALEM. SEE https://Example.com/a_B NOW."
    quiet = "Then I saw Jesus in Jerusalem. See https://Example.com/a_B now."
    shouting, calm = shipped.prepare([loud, quiet])
    assert [s.ids for s in shouting.sentences] == [s.ids for s in calm.sentences]
    assert [s.shouted for s in shouting.sentences] == [True, True]
    assert not any(s.shouted for s in calm.sentences)
    shouted_back, calm_back = shipped.translate([loud, quiet])
    assert "https://Example.com/a_B" in shouted_back.text  # as typed
    assert shouted_back.text == calm_back.text.upper().replace("HTTPS://EXAMPLE.COM/A_B", "https://Example.com/a_B")
