"""Any Unicode string, however odd, gives a translation or a clear ValueError (InvalidText), never another
exception: control characters, lone surrogates, right-to-left text, emoji, 10,000-character words, only whitespace."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nmt.model.text import InvalidText, clean_input
from nmt.model.translator import DecodeOptions, Translated
from nmt.training.config import FilterConfig
from nmt.training.corpus import normalise_space
from nmt.training.filters import CONTROL, CONTROL_CHARS, why_dropped

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
ODD = st.sampled_from("\x00\x07\t\n\r\x1b\x7f\x85\x9f\u200b\u200d\u200e\u200f\u202e\u2066\ufeff\ufffd\uffff"
                      "שלום مرحبا 😀👩‍👩‍👧🏳️‍🌈 \u00a0\u2003\u3000alpha beta")
WHITESPACE = st.text(st.sampled_from(" \t\n\r\x0b\x0c\u00a0\u1680\u2003\u2028\u2029\u3000"), max_size=50)
LONG_WORDS = st.builds(lambda char, n: char * n, st.characters(), st.integers(1000, 10_000))
ANY_TEXT = st.one_of(st.text(), st.text(st.one_of(ODD, SURROGATES, st.characters())), WHITESPACE)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@QUICK
@given(st.one_of(ANY_TEXT, LONG_WORDS))
def test_clean_input_refuses_only_surrogates_and_leaves_no_control_characters(text):
    if has_surrogate(text):
        with pytest.raises(InvalidText, match="lone surrogate"):
            clean_input(text)
        return
    cleaned = clean_input(text)
    assert len(cleaned) == len(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert [c for c in cleaned if c != " "] == [c for c, d in zip(text, cleaned, strict=True) if d != " "]  # the rest is kept


@QUICK
@given(st.one_of(ANY_TEXT, LONG_WORDS))
def test_tokenizer_round_trips_any_clean_text(translator, text):
    tokenizer = translator.bundle.src_tokenizer
    try:
        cleaned = clean_input(text)
    except InvalidText:
        assert has_surrogate(text)
        with pytest.raises(InvalidText):  # the tokenizer refuses it too, with the same clear error
            tokenizer.encode(["alpha", text])
        return
    [ids] = tokenizer.encode([cleaned])
    assert all(0 <= i < tokenizer.vocab_size for i in ids)
    assert isinstance(tokenizer.decode([ids])[0], str) and len(tokenizer.pieces(ids)) == len(ids)


GREEDY, BEAM = DecodeOptions(), DecodeOptions(beam_size=3, nbest=2, with_attention=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ANY_TEXT, st.sampled_from([GREEDY, BEAM]))
@example("alpha beta " + "x" * 10_000, GREEDY)
@example("😀" * 10_000, BEAM)
@example("\ud83d alpha", GREEDY)
@example(" \t\n\u3000 ", BEAM)
@example("\x00\x01\x02", BEAM)
@example("\u202eateb ahpla\u202c", GREEDY)
def test_translator_translates_any_text_or_raises_a_clear_error(translator, text, options):
    try:
        [result] = translator.translate([text], options)
    except InvalidText as e:
        assert has_surrogate(text) and "lone surrogate" in str(e)
        return
    assert not has_surrogate(text)
    assert isinstance(result, Translated) and isinstance(result.text, str)
    if not clean_input(text).strip():
        assert not result.text.strip()  # nothing to translate: at most the text's own whitespace comes back


def test_a_bad_text_fails_alone_with_invalid_text(translator):
    with pytest.raises(ValueError, match="at character 6"):
        translator.translate(["alpha beta", "alpha \udfff"], DecodeOptions())
    with_control, plain = translator.translate(["alpha\x00beta", "alpha beta"], DecodeOptions())
    assert with_control.text == plain.text == "BETA ALPHA"


# --- corpus preparation's fast paths give what the plain rules give -------------------------------------------------
CORPUS_TEXT = st.one_of(ANY_TEXT, st.text(st.sampled_from("ab .\t\x1c\x85\x00\x9f\u00a0\u2003\u200b\u2028"), max_size=30))


@QUICK
@given(CORPUS_TEXT)
def test_normalise_space_is_split_and_join(text):
    assert normalise_space(text) == " ".join(text.split())


@QUICK
@given(CORPUS_TEXT, CORPUS_TEXT)
def test_the_control_character_filter_drops_what_its_pattern_finds(src, tgt):
    cfg = FilterConfig(identical=False, max_ratio=None)
    assert (why_dropped(src, tgt, cfg) == CONTROL_CHARS) == bool(CONTROL.search(src) or CONTROL.search(tgt))
