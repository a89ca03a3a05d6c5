"""The fast inference decoder computes what the trained decoder computes: same logits, same search results."""
from __future__ import annotations

import pytest
import torch
from test_model import random_batch

from nmt.model.decoder import FastDecoder, Memory
from nmt.model.search import beam_search, greedy_search, max_lengths
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import BOS, PAD
from nmt.model.translator import InferenceModel
from nmt.scripts.harness import tiny_config

FAST = ["none", "luong", "bahdanau"]


def models(attention: str, seed: int = 0, **overrides) -> tuple[Seq2Seq, InferenceModel]:
    torch.manual_seed(seed)
    model = Seq2Seq(tiny_config(attention, **overrides)).eval()
    return model, InferenceModel(model).eval()


@pytest.mark.parametrize("attention", FAST)
def test_steps_give_the_teacher_forced_logits(attention):
    model, fast = models(attention)
    assert isinstance(fast.decoder, FastDecoder)
    src, lengths = random_batch()
    tgt_in = torch.randint(4, 60, (5, 7))
    tgt_in[:, 0] = BOS
    with torch.no_grad():
        expected = model(src, lengths, tgt_in)  # (B,T,V)
        expected[:, :, [PAD, BOS]] = float("-inf")
        memory = fast.encode(src, lengths)
        state = fast.decoder.initial_state(memory)
        for t in range(tgt_in.size(1)):
            logits, state, _ = fast.decoder.step(tgt_in[:, t], state, memory)
            torch.testing.assert_close(logits, expected[:, t], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("attention", FAST)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_and_beam_outputs_are_unchanged(attention, seed):
    model, fast = models(attention, seed)
    src, lengths = random_batch(batch=8, seed=seed)
    max_len = max_lengths(lengths, 1.5)
    with torch.no_grad():
        plain, quick = model.encode(src, lengths), fast.encode(src, lengths)
        greedy = greedy_search(model, plain, max_len, with_attention=True)
        greedy_fast = greedy_search(fast, quick, max_len, with_attention=True)
        beam = beam_search(model, plain, max_len, beam_size=4, nbest=3, with_attention=True)
        beam_fast = beam_search(fast, quick, max_len, beam_size=4, nbest=3, with_attention=True)
    assert [h.tokens for h in greedy] == [h.tokens for h in greedy_fast]
    for h, f in zip(greedy, greedy_fast, strict=True):
        assert h.score == pytest.approx(f.score, abs=1e-4)
        if h.attention is not None:
            torch.testing.assert_close(h.attention, f.attention, atol=1e-5, rtol=1e-5)
    assert [[h.tokens for h in hyps] for hyps in beam] == [[h.tokens for h in hyps] for hyps in beam_fast]
    for hyps, fast_hyps in zip(beam, beam_fast, strict=True):
        assert [h.score for h in hyps] == pytest.approx([h.score for h in fast_hyps], abs=1e-4)


@pytest.mark.parametrize("overrides", [{"dec_cell": "lstm"}, {"dec_layers": 2}])
def test_other_decoders_keep_the_trained_step(overrides):
    model, fast = models(**({"attention": "luong"} | overrides))
    assert fast.decoder is model.decoder and not FastDecoder.supports(model.cfg)
    src, lengths = random_batch(batch=4)
    with torch.no_grad():
        hyps = beam_search(fast, fast.encode(src, lengths), max_lengths(lengths, 1.5), beam_size=3)
    assert len(hyps) == 4


def test_the_trained_model_is_left_as_it_was():
    """Bundles keep loading and training keeps its parameters: the fast decoder adds nothing to the model."""
    model, _ = models("luong")
    before = {name: p.clone() for name, p in model.state_dict().items()}
    InferenceModel(model)
    after = model.state_dict()
    assert set(after) == set(before) and all(torch.equal(after[name], p) for name, p in before.items())


def test_memory_place_puts_rows_in_place_pads_the_source_side_and_cuts_off_the_rest():
    _, fast = models("luong")
    src, lengths = random_batch(batch=3, length=5)
    long_src, long_lengths = random_batch(batch=2, length=9, seed=1)
    with torch.no_grad():
        a, b = fast.encode(src, lengths), fast.encode(long_src, long_lengths)
        both = Memory.place([(a, torch.tensor([4, 0, 2])), (b, torch.tensor([1, 3]))], rows=4)  # a's row 0 cut off
    assert both.states.shape[:2] == (4, 9) and both.keys.shape[:2] == (4, 9) and both.gates.size(0) == 4
    for position, (memory, row) in enumerate([(a, 1), (b, 0), (a, 2), (b, 1)]):
        width = memory.mask.size(1)
        assert torch.equal(both.states[position, :width], memory.states[row])
        assert torch.equal(both.mask[position, :width], memory.mask[row])
        assert torch.equal(both.gates[position], memory.gates[row])
        assert not both.mask[position, width:].any() and float(both.states[position, width:].abs().sum()) == 0.0
