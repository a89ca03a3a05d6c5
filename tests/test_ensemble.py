"""Ensembles (model/ensemble.py, `nmt ensemble`): the mean of the members' next-token distributions, searched,
saved as one bundle, evaluated and served like any other."""
from __future__ import annotations

import hashlib
import json

import pytest
import torch
from service_fixtures import client_for

from nmt.cli import main
from nmt.model.bundle import Bundle, BundleConfig, BundleError, load_bundle, save_bundle
from nmt.model.decoder import State
from nmt.model.ensemble import Ensemble
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import BOS
from nmt.model.translator import DecodeOptions, Translator, searched
from nmt.training.config import Config
from nmt.training.train import load_init

SENTENCES = ["alpha beta gamma", "delta", "beta beta alpha delta gamma"]


def network(bundle: Bundle, seed: int, **overrides) -> Seq2Seq:
    torch.manual_seed(seed)
    return Seq2Seq(bundle.model.cfg.model_copy(update=overrides)).eval()


def bundle_of(base: Bundle, *networks: Seq2Seq) -> Bundle:
    """base's languages and subword models with these networks (two or more: an ensemble)."""
    first, *others = networks
    config = base.config.model_copy(update={"model": first.cfg, "others": [n.cfg for n in others]})
    return Bundle(config, first, base.src_tokenizer, base.tgt_tokenizer, {}, others)


def first_step(translator: Translator) -> tuple[torch.Tensor, State]:
    """The logits and decoder state of the translator's network after BOS, for each of SENTENCES."""
    sentences = searched(translator.prepare(SENTENCES))
    memory = translator.encode(sentences, DecodeOptions(), list(range(len(sentences)))).memory
    decoder = translator.model.decoder
    with torch.inference_mode():
        prev = torch.full((len(sentences),), BOS, dtype=torch.long)
        logits, state, _ = decoder.step(prev, decoder.initial_state(memory), memory)
    return logits, state


@pytest.mark.parametrize("dec_cell", ["gru", "lstm"])
@pytest.mark.parametrize("beam", [1, 3])
def test_an_ensemble_of_a_network_with_itself_searches_as_the_network(tiny_bundle, dec_cell, beam):
    """The mean of two equal distributions is that distribution: same tokens, same scores, for both state forms."""
    net = network(tiny_bundle, 0, dec_cell=dec_cell)
    alone, twice = (Translator(bundle_of(tiny_bundle, *nets), "cpu") for nets in ([net], [net, net]))
    assert isinstance(twice.model, Ensemble)
    sentences, options = searched(alone.prepare(SENTENCES)), DecodeOptions(beam_size=beam)
    expected, got = alone.search(sentences, options), twice.search(sentences, options)
    assert [[h.tokens for h in hyps] for hyps in got] == [[h.tokens for h in hyps] for hyps in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[0].score == pytest.approx(e[0].score, abs=1e-4)


def test_each_step_is_the_members_mean_distribution(tiny_bundle):
    a, b = (network(tiny_bundle, seed) for seed in (1, 2))
    (logits_a, _), (logits_b, _), (logits, state) = (first_step(Translator(bundle_of(tiny_bundle, *nets), "cpu"))
                                                     for nets in ([a], [b], [a, b]))
    p_a, p_b = logits_a.softmax(-1), logits_b.softmax(-1)
    torch.testing.assert_close(logits.softmax(-1), (p_a + p_b) / 2)  # what search's log_softmax reads
    assert not torch.allclose(p_a, p_b), "two seeds, two networks"
    assert isinstance(state, torch.Tensor) and state.size(-1) == 2 * tiny_bundle.model.cfg.dec_hidden


def test_nmt_ensemble_writes_one_bundle_that_translates_as_the_members_together(tiny_bundle, tmp_path, capsys):
    other = bundle_of(tiny_bundle, network(tiny_bundle, 7, enc_cell="gru", reverse_source=True))  # other cells, order
    save_bundle(tiny_bundle, tmp_path / "a")
    save_bundle(other, tmp_path / "b")
    assert main(["ensemble", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "ab")]) == 0
    assert "an ensemble of 2 networks" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "ab" / "manifest.json").read_text())
    assert set(manifest["files"]) >= {"model.safetensors", "member-1.safetensors"}
    loaded = load_bundle(tmp_path / "ab")
    assert [m.cfg for m in loaded.members] == [tiny_bundle.model.cfg, other.model.cfg]
    assert loaded.summary["ensemble"] == [str(tmp_path / "a"), str(tmp_path / "b")]
    options = DecodeOptions(beam_size=3)
    from_disk = Translator(loaded, "cpu").translate(SENTENCES, options)
    in_memory = Translator(bundle_of(tiny_bundle, tiny_bundle.model, other.model), "cpu").translate(SENTENCES, options)
    assert [t.text for t in from_disk] == [t.text for t in in_memory]
    alone = [t.text for t in Translator(tiny_bundle, "cpu").translate(SENTENCES, options)]
    assert [t.text for t in from_disk] != alone, "the second member changes what the untrained first one says"
    assert main(["ensemble", str(tmp_path / "ab"), str(tmp_path / "a"), str(tmp_path / "aba")]) == 0  # members count
    assert len(load_bundle(tmp_path / "aba").members) == 3
    assert main(["export", str(tmp_path / "ab"), str(tmp_path / "ab16"), "--fp16"]) == 0
    assert len(load_bundle(tmp_path / "ab16").members) == 2
    halved = [(tmp_path / d / "member-1.safetensors").stat().st_size for d in ("ab16", "ab")]
    assert halved[0] < 0.6 * halved[1]


def test_networks_that_cannot_be_ensembled_are_refused_in_one_line(tiny_bundle, toy_tokenizers, tmp_path, capsys):
    save_bundle(tiny_bundle, tmp_path / "a")
    save_bundle(bundle_of(tiny_bundle, network(tiny_bundle, 1, dec_hidden=48)), tmp_path / "wider")
    save_bundle(bundle_of(tiny_bundle, network(tiny_bundle, 1, names=True)), tmp_path / "names")
    swapped = Bundle(BundleConfig(src_lang="xx", tgt_lang="yy", model=tiny_bundle.model.cfg), tiny_bundle.model,
                     toy_tokenizers[1], toy_tokenizers[0])
    save_bundle(swapped, tmp_path / "subwords")
    save_bundle(Bundle(tiny_bundle.config.model_copy(update={"tgt_lang": "zz"}), tiny_bundle.model, *toy_tokenizers),
                tmp_path / "zz")
    for other, message in (("wider", "dec_hidden 48 against 32"), ("names", "names True against False"),
                           ("subwords", "other subword models"), ("zz", "translates xx -> zz")):
        assert main(["ensemble", str(tmp_path / "a"), str(tmp_path / other), str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert main(["ensemble", str(tmp_path / "a"), str(tmp_path / "out")]) == 2
    assert "at least two" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_ensemble_bundle_whose_files_disagree_with_its_config_is_refused(tiny_bundle, tmp_path):
    save_bundle(bundle_of(tiny_bundle, tiny_bundle.model, network(tiny_bundle, 3)), tmp_path / "ab")
    config = json.loads((tmp_path / "ab" / "config.json").read_text())
    config["others"].append(config["others"][0])  # says three networks; the manifest has two weights files
    (tmp_path / "ab" / "config.json").write_text(json.dumps(config))
    manifest = json.loads((tmp_path / "ab" / "manifest.json").read_text())
    data = (tmp_path / "ab" / "config.json").read_bytes()
    manifest["files"]["config.json"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (tmp_path / "ab" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="3 networks, but manifest.json lists 2 weights files"):
        load_bundle(tmp_path / "ab")


def test_an_ensemble_is_neither_averaged_nor_fine_tuned(tiny_bundle, tmp_path, capsys):
    save_bundle(tiny_bundle, tmp_path / "a")
    save_bundle(bundle_of(tiny_bundle, tiny_bundle.model, network(tiny_bundle, 3)), tmp_path / "ab")
    assert main(["average", str(tmp_path / "ab"), str(tmp_path / "a"), str(tmp_path / "out")]) == 2
    assert "an ensemble of 2 networks" in capsys.readouterr().err
    (tmp_path / "train.tsv").write_text("alpha\tALPHA\n")
    cfg = Config.model_validate({"out_dir": str(tmp_path / "run"), "data": {"train": str(tmp_path / "train.tsv"),
                                          "dev": str(tmp_path / "train.tsv")},
                                 "model": tiny_bundle.model.cfg.model_dump(),
                                 "train": {"init_from": str(tmp_path / "ab")}})
    with pytest.raises(ValueError, match="is an ensemble of 2 networks; start from one member's bundle"):
        load_init(cfg)


def test_the_service_serves_an_ensemble_bundle(toy_model, tmp_path):
    """The trained toy model ensembled with itself reverses as it does; /v1/models counts both networks."""
    assert main(["ensemble", str(toy_model), str(toy_model), str(tmp_path / "twice")]) == 0
    alone, twice = Translator.load(toy_model, "cpu"), Translator.load(tmp_path / "twice", "cpu")
    with client_for(twice) as client:
        answer = client.post("/v1/translate", json={"text": ["alpha beta gamma", "delta alpha"], "beam_size": 3})
        models = client.get("/v1/models").json()["models"]
        body = {"text": "alpha beta gamma", "beam_size": 3, "nbest": 2, "return_attention": True}
        detailed = client.post("/v1/translate", json=body).json()["translations"][0]
    assert answer.status_code == 200, answer.text
    [sentence] = detailed["sentences"]  # the members' mean attention: still a distribution over the source
    assert len(detailed["nbest"]) == 2 and len(sentence["attention"]) == len(sentence["tgt_tokens"])
    for row in sentence["attention"]:
        assert len(row) == len(sentence["src_tokens"]) and sum(row) == pytest.approx(1, abs=1e-4)
    expected = [t.text for t in alone.translate(["alpha beta gamma", "delta alpha"], DecodeOptions(beam_size=3))]
    assert [t["text"] for t in answer.json()["translations"]] == expected
    assert models[0]["parameters"] == 2 * alone.bundle.model.num_parameters()
    assert "nmt ensemble" in models[0]["measured"]["ensemble"]
