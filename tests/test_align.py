"""Word alignment from attention (model/align.py): subwords grouped into words, each source word sent to the target
word that attends to it most, across a text's sentences."""
from __future__ import annotations

from nmt.model.align import source_to_target, text_alignment, word_of_pieces, words
from nmt.model.translator import DecodeOptions, Translator


def test_a_word_is_a_subword_with_its_space_and_the_subwords_after_it():
    assert word_of_pieces(["▁the", "▁Ps", "alm", "s", "▁", "⦅0⦆", ",", "</s>"]) == [0, 1, 1, 1, 2, 2, 2, -1]
    assert word_of_pieces(["alm", "▁x"]) == [0, 1], "a first subword without its space starts the first word"
    assert words(" a\xa0b \n c ") == ["a\xa0b", "c"], "a no-break space is text"


def test_each_source_word_goes_to_the_target_word_that_attends_to_it_most():
    src, tgt = ["▁alpha", "▁be", "ta", "</s>"], ["▁BETA", "▁AL", "PHA", "</s>"]
    attention = [[0.1, 0.5, 0.3, 0.1],  # BETA: beta (0.8)
                 [0.6, 0.2, 0.1, 0.1],  # AL:   alpha
                 [0.3, 0.0, 0.0, 0.7],  # PHA: with AL, alpha 0.9 in all
                 [0.0, 0.0, 0.0, 1.0]]
    assert source_to_target(src, tgt, attention) == [1, 0]
    assert source_to_target(src, ["</s>"], [[0, 0, 0, 1.0]]) == [-1, -1], "nothing written"
    assert source_to_target(src, tgt, attention[:3]) == [1, 0], "cut at its maximum length: no row for </s>"
    assert source_to_target(src, tgt, []) == [-1, -1]


def test_a_texts_words_are_aligned_across_its_sentences(toy_model):
    translator = Translator.load(toy_model, "cpu")
    [translated] = translator.translate(["alpha beta gamma\ndelta eps tau mu"], DecodeOptions(with_attention=True))
    assert [s.text for s in translated.sentences] == ["GAMMA BETA ALPHA", "MU TAU EPS DELTA"], "lines are sentences"
    assert text_alignment(translated) == [2, 1, 0, 6, 5, 4, 3], "the toy model reverses each line"
    [plain] = translator.translate(["alpha beta"])
    assert text_alignment(plain) is None, "no attention asked for"


def test_a_sentence_kept_as_written_keeps_each_word_where_it_was(toy_model):
    translator = Translator.load(toy_model, "cpu")
    [translated] = translator.translate(["alpha beta\n3 : 16\ngamma delta"], DecodeOptions(with_attention=True))
    assert translated.text == "BETA ALPHA\n3 : 16\nDELTA GAMMA", "a line without a letter is not the model's"
    assert text_alignment(translated) == [1, 0, 2, 3, 4, 6, 5]
