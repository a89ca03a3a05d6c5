"""int8 CPU inference: the quantized translator loads, translates, and mostly agrees with fp32."""
from __future__ import annotations

import pytest
import torch
from torch.ao.nn.quantized import dynamic as qdynamic

from nmt import cli
from nmt.model import quantize
from nmt.model.seq2seq import Seq2Seq
from nmt.model.translator import DecodeOptions, InferenceModel, Translator
from nmt.scripts.harness import reversal_pairs, tiny_config


def test_int8_translator_agrees_with_fp32_on_most_sentences(toy_model, translator):
    quantized = Translator.load(toy_model, "cpu", int8=True)
    layers = [type(m) for m in quantized.model.modules()]
    assert qdynamic.Linear in layers and qdynamic.LSTM in layers and torch.nn.Linear not in layers
    sources = [s for s, _ in reversal_pairs(40, 7)]
    for options in (DecodeOptions(), DecodeOptions(beam_size=3)):
        fp32 = [t.text for t in translator.translate(sources, options)]
        int8 = [t.text for t in quantized.translate(sources, options)]
        assert sum(a == b for a, b in zip(fp32, int8, strict=True)) >= 0.9 * len(sources)
    assert quantized.translate(["alpha beta"])[0].text == "BETA ALPHA"


def test_without_a_quantized_engine_int8_is_refused_not_run_in_fp32(monkeypatch, toy_model, capsys):
    model = InferenceModel(Seq2Seq(tiny_config("luong"))).eval()
    monkeypatch.setattr(quantize, "cpu_engine", lambda: None)
    with pytest.raises(ValueError, match="int8 needs a quantized CPU engine"):
        quantize.quantize_for_cpu(model)
    assert cli.main(["translate", "--model", str(toy_model), "--int8"]) == 2
    assert "nmt translate: error: int8 needs a quantized CPU engine" in capsys.readouterr().err


def test_int8_and_exact_are_cpu_paths(toy_model, fake_cuda):
    fake_cuda(1)  # a GPU that is there: refused for int8, not for being absent
    with pytest.raises(ValueError, match="int8 search runs on the CPU"):
        Translator.load(toy_model, "cuda", int8=True)
    with pytest.raises(ValueError, match="exact search runs on the CPU"):
        Translator.load(toy_model, "cuda", exact=True)
    assert Translator.load(toy_model, "auto", exact=True).device.type == "cpu"


def test_cli_translate_int8(toy_model, tmp_path, capsys):
    (tmp_path / "in.txt").write_text("alpha beta\ntau mu sigma\n")
    assert cli.main(["translate", "--model", str(toy_model), "--device", "cpu", "--beam", "1", "--int8",
                     str(tmp_path / "in.txt")]) == 0
    assert capsys.readouterr().out.splitlines() == ["BETA ALPHA", "SIGMA MU TAU"]


def test_bahdanau_energy_vector_stays_fp32():
    model = quantize.quantize_for_cpu(InferenceModel(Seq2Seq(tiny_config("bahdanau"))).eval())
    attention = model.decoder.attention
    assert type(attention.v) is torch.nn.Linear  # its input is the whole energy tensor
    assert isinstance(attention.query, qdynamic.Linear) and isinstance(attention.key, qdynamic.Linear)
