"""Placeholder-aware models: reserved subwords (model/tokenizer.py), the training transform
(training/transforms/placeholders.py), vocabulary growth for init_from (training/train.py), and the pipeline that
masks and restores spans (model/translator.py)."""
from __future__ import annotations

import random

import pytest
import torch

from nmt.model.bundle import load_bundle
from nmt.model.spans import PLACEHOLDER, Terms
from nmt.model.tokenizer import Tokenizer
from nmt.model.translator import Translator
from nmt.scripts.harness import toy_config
from nmt.training.config import Config
from nmt.training.train import grown_weights
from nmt.training.transforms.placeholders import PlaceholderConfig, add_placeholders


def test_placeholders_are_appended_as_single_pieces_and_keep_every_other_id(toy_tokenizers):
    tok = toy_tokenizers[0]
    grown = tok.with_placeholders(4)
    assert (tok.placeholders, grown.placeholders, grown.vocab_size) == (0, 4, tok.vocab_size + 4)
    assert [grown.sp.id_to_piece(i) for i in range(tok.vocab_size)] == [tok.sp.id_to_piece(i) for i in range(tok.vocab_size)]
    ids = grown.encode(["a ⦅3⦆ b ⦅0⦆"])[0]
    assert grown.vocab_size - 1 in ids and grown.vocab_size - 4 in ids
    assert grown.decode([ids]) == ["a ⦅3⦆ b ⦅0⦆"]
    assert grown.with_placeholders(4) is grown and Tokenizer(grown.model_bytes).placeholders == 4


def test_the_transform_masks_shared_spans_alike_on_both_sides():
    cfg = PlaceholderConfig(inject=0)
    src, tgt = add_placeholders(("I have 2 dogs and 3 cats at www.a.org.", "Tengo 3 gatos y 2 perros en www.a.org."),
                                cfg, 8, random.Random(0))
    assert src == "I have ⦅0⦆ dogs and ⦅1⦆ cats at ⦅2⦆."
    assert tgt == "Tengo ⦅1⦆ gatos y ⦅0⦆ perros en ⦅2⦆."
    unshared = ("I have 2 dogs.", "Tengo dos perros.")
    assert add_placeholders(unshared, cfg, 8, random.Random(0)) == unshared


def test_with_names_the_transform_masks_the_names_a_pair_shares_too():
    pair = ("And David said to Saul in Hebron, “Esther is here”.", "Esther y David dijeron á Saúl en Hebrón: aquí.")
    assert add_placeholders(pair, PlaceholderConfig(inject=0), 8, random.Random(0)) == pair  # names: 0, the default
    src, tgt = add_placeholders(pair, PlaceholderConfig(inject=0, names=1), 8, random.Random(0))
    # Saul and Hebron differ in Spanish; Esther starts a quotation in the source, as mask() leaves it at translation
    assert (src, tgt) == ("And ⦅0⦆ said to Saul in Hebron, “Esther is here”.", "Esther y ⦅0⦆ dijeron á Saúl en Hebrón: aquí.")
    masked = [add_placeholders(pair, PlaceholderConfig(inject=0, names=0.3), 8, random.Random(seed))[0] != pair[0]
              for seed in range(200)]
    assert 40 < sum(masked) < 80, "about 30 % of pairs"


def test_names_in_the_transform_and_in_the_model_go_together(tmp_path):
    raw = toy_config(tmp_path / "run", {"train": tmp_path / "t.tsv", "dev": tmp_path / "d.tsv"})
    raw["model"] = raw["model"] | {"placeholders": 4}
    for transform, names in (({"kind": "placeholders", "names": 0.3}, False), ({"kind": "placeholders"}, True)):
        raw["data"]["transforms"], raw["model"]["names"] = [transform], names
        with pytest.raises(ValueError, match="model.names"):
            Config.model_validate(raw)


def test_injected_placeholders_match_across_sides_and_are_numbered_in_source_order():
    cfg = PlaceholderConfig(inject=1, max_inject=4)
    for seed in range(50):
        src, tgt = add_placeholders(("one two three four five", "uno dos tres cuatro cinco"), cfg, 6,
                                    random.Random(seed))
        in_src = PLACEHOLDER.findall(src)
        assert in_src == [str(i) for i in range(len(in_src))] and 1 <= len(in_src) <= 4
        assert sorted(PLACEHOLDER.findall(tgt)) == sorted(in_src)
        assert add_placeholders(("one two three four five", "uno dos tres cuatro cinco"), cfg, 6,
                                random.Random(seed)) == (src, tgt), "seeded"


def test_the_transform_needs_reserved_placeholders(tmp_path):
    raw = toy_config(tmp_path / "run", {"train": tmp_path / "t.tsv", "dev": tmp_path / "d.tsv"})
    raw["data"]["transforms"] = [{"kind": "placeholders"}]
    with pytest.raises(ValueError, match="model.placeholders is 0"):
        Config.model_validate(raw)


def test_grown_weights_keep_every_trained_row():
    small, big = torch.nn.Embedding(10, 4), torch.nn.Embedding(13, 4)
    grown = grown_weights(small.state_dict(), big)
    assert torch.equal(grown["weight"][:10], small.weight) and torch.equal(grown["weight"][10:], big.weight[10:])


def test_the_pipeline_masks_spans_and_brings_each_back(placeholder_model):
    translator = Translator.load(placeholder_model, "cpu")
    assert translator.bundle.src_tokenizer.placeholders == 4
    [prepared] = translator.prepare(["a b 12 c https://x.org/p d"], Terms(keep=("c",)))
    [sentence] = prepared.sentences
    assert sentence.spans == ("12", "c", "https://x.org/p") and sentence.text == "a b 12 c https://x.org/p d"
    [done] = translator.translate(["a b 12 c https://x.org/p d"])
    for span in ("12", "https://x.org/p"):
        assert done.text.count(span) == 1


def test_a_model_trained_with_names_masks_the_names_its_vocabulary_lacks(placeholder_model, tmp_path):
    bundle = load_bundle(placeholder_model)
    assert Translator(bundle, "cpu").known_words is None  # trained without names: names stay text
    bundle.config.model.names = True
    translator = Translator(bundle, "cpu")
    known = translator.known_words
    assert known and all(w == w.lower() for w in known)
    unknown = "Zqxvbn"
    assert unknown.lower() not in known
    [prepared] = translator.prepare([f"a b {unknown} c"])
    assert prepared.sentences[0].spans == (unknown, "c")  # and "c", a letter its toy vocabulary lacks (unread)
    [done] = translator.translate([f"a b {unknown} c"])
    assert done.text.count(unknown) == 1


def test_a_text_of_spans_alone_is_kept_without_the_model(placeholder_model):
    """A JSON value, a table cell or a subtitle that is only a link, an address or a placeholder has nothing to
    translate: sent to the model it came back with a full stop or words after it ("https://example.com/help.")."""
    translator = Translator.load(placeholder_model, "cpu")
    texts = ["https://example.com/help", "support@example.com", "{name}", "%1$s: %2$d", "alpha", "alpha beta"]
    prepared = translator.prepare(texts, Terms(glossary={"alpha": "ALFA"}))
    assert [bool(text.sentences[0].ids) for text in prepared] == [False] * 5 + [True]
    done = translator.translate(texts, terms=Terms(glossary={"alpha": "ALFA"}))
    assert [t.text for t in done][:5] == texts[:4] + ["ALFA"]  # a glossary term alone: its target, as the model's
