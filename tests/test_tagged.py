"""Paired tags in a sentence of plain text (model/tagged.py): which sentences are translated without them, and
where the tags go back."""
from __future__ import annotations

import pytest

from nmt.model.spans import Terms, mask
from nmt.model.tagged import Tagged, paired, placed


def tagged(text: str) -> Tagged:
    run = paired(text)
    assert run is not None
    return Tagged.of(run, mask(run.plain_text(), 8))


def test_a_sentence_whose_tags_all_pair_is_a_run_of_its_text_and_tags():
    run = paired('Read the <a href="/help?a=1&b=2">help page</a> and <b><i>this</i></b> first.')
    assert run is not None and run.plain_text() == "Read the help page and this first."
    assert run.word_ranges() == {1: (2, 4), 5: (5, 6), 6: (5, 6)}


@pytest.mark.parametrize("text", [
    "God is love.", "if a < b then stop", "x <b>bold", "bold</b> y", "<b>one</i> two", "a line<br/>break <b>x</b>",
    "<br> then <b>x</b>", "Type `<b>x</b>` here.", "\U000f0000 <b>x</b>",  # (a marker character: model/html.py's)
])
def test_a_sentence_with_a_tag_unpaired_or_self_closing_or_none_is_not(text):
    assert paired(text) is None


def test_a_tag_that_a_term_holds_stays_the_terms():
    assert paired("the <b>bold</b> word", Terms(keep=("<b>bold</b>",))) is None


def test_pairs_go_around_the_words_their_words_went_to_and_the_text_is_not_escaped():
    run = tagged("God is <b>love</b> & peace.")
    assert placed(run, "Dios es amor & paz.", [0, 1, 2, 3, 4]) == ("Dios es <b>amor</b> & paz.", 0)
    assert placed(run, "Dios & paz.", [0, 0, -1, 1, 2]) == ("Dios & paz <b></b>.", 2), \
        "a pair whose words went nowhere: before the final punctuation, as restore() repairs a dropped span"


def test_the_attention_reads_a_span_with_spaces_as_one_word_and_the_tags_are_placed_by_the_texts_words():
    """The masked text "Call my friend at ⦅0⦆ today." has 6 words, the plain text 9: targets come per masked word
    and were read per plain word, so the pair came back empty at the end."""
    run = tagged("Call <b>my friend</b> at +1 555 123 4567 today.")
    assert run.words == (0, 1, 2, 3, 4, 4, 4, 4, 5)
    translation = "Llama á mi amigo ⦅0⦆ hoy."  # (its spans still placeholders, as the pipeline places the tags)
    assert placed(run, translation, [0, 2, 3, 1, 4, 5]) == ("Llama á <b>mi amigo</b> ⦅0⦆ hoy.", 0)
