"""Truecasing all-lowercase input from the source vocabulary: names and "I" get their usual form; the first letter,
cased text and typed spans are left alone."""
from __future__ import annotations

import pytest

from nmt.model.translator import Translator
from nmt.model.truecase import Truecaser

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
