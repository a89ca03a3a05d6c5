"""app/icu.py: an ICU message's plural and select branches translated apart, its argument, keywords and selectors
kept as written, so that the translation still formats."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nmt.app import icu

PLURAL = "You have {count, plural, =0{no file} one{# file} other{# files named {name}}} here."


def test_each_branch_and_each_text_outside_the_choice_is_a_text_of_its_own():
    texts, render = icu.cut(PLURAL)
    assert texts == ["You have ", "no file", "# file", "# files named {name}", " here."]
    assert render(["Tienes", "ningún archivo", "# archivo", "# archivos llamados {name}", "aquí."]) == (
        "Tienes {count, plural, =0{ningún archivo} one{# archivo} other{# archivos llamados {name}}} aquí.")


def test_a_select_inside_a_plural_and_an_offset():
    message = "{n, plural, offset:1 =0{{sex, select, male{He is alone} other{They are alone}}} other{With # others}}"
    texts, render = icu.cut(message)
    assert texts == ["He is alone", "They are alone", "With # others"]
    assert render([t.upper() for t in texts]) == message.replace("He is alone", "HE IS ALONE").replace(
        "They are alone", "THEY ARE ALONE").replace("With # others", "WITH # OTHERS")


@pytest.mark.parametrize("message", ["Hello {name}, welcome", "{count, plural, one{# file}", "a {b, plural, x}",
                                     "{a, select, male{x}} }", "plain text"])
def test_a_message_without_a_whole_choice_is_one_text(message):
    texts, render = icu.cut(message)
    assert (texts, render(["X"])) == ([message], "X")


def test_a_choice_without_letters_has_nothing_to_translate():
    texts, render = icu.cut("{n, plural, one{#} other{# {unit}}}")
    assert (texts, render([])) == ([], "{n, plural, one{#} other{# {unit}}}")


words = st.sampled_from(["alpha", "beta gamma", "#", "{name}", " ", ", "])
text = st.lists(words, max_size=4).map("".join)


@st.composite
def messages(draw, depth: int = 2) -> str:
    pieces = draw(st.lists(text if depth == 0 else st.one_of(text, messages(depth - 1)), min_size=1, max_size=3))
    if depth and draw(st.booleans()):
        kind = draw(st.sampled_from(["plural", "select", "selectordinal"]))
        branches = draw(st.lists(st.sampled_from(["=0", "one", "few", "other", "male"]), min_size=1, max_size=3,
                                 unique=True))
        pieces.append(f"{{arg, {kind},{''.join(f' {b}{{{draw(messages(depth - 1))}}}' for b in branches)}}}")
    return "".join(pieces)


@given(messages())
def test_any_message_is_written_back_as_it_was_and_keeps_its_choices_translated(message):
    texts, render = icu.cut(message)
    assert render(texts) == message
    upper = render([t.upper() for t in texts])
    assert icu.cut(upper)[0] == [t.upper() for t in texts], "the same choices, each branch translated"
