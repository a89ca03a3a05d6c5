"""The encoder's seed variants (model/cells.py, reverse_source): equal to nn.LSTM where they should be, their own
equations where they differ, and trainable and translatable end to end."""
from __future__ import annotations

import json

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nmt.model.bundle import DEFAULT_BUNDLE, Bundle, BundleConfig, load_bundle
from nmt.model.cells import CUSTOM_CELLS, BiLSTM, LSTMCell, LSTMVariant
from nmt.model.encoder import Encoder
from nmt.model.layers import reversed_prefix
from nmt.model.quantize import quantize_for_cpu
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import EOS, PAD
from nmt.model.translator import InferenceModel, Translator
from nmt.scripts.harness import TOY_MODEL, tiny_config, toy_config
from nmt.training.batching import collate
from nmt.training.config import Config
from nmt.training.train import run_training

B, S, IN, H = 5, 9, 7, 6
LENGTHS = torch.tensor([9, 3, 1, 6, 9])


def padded_input(seed: int = 0) -> torch.Tensor:
    """(B,S,IN) random inputs, with large values on the padding: they must not reach any kept result."""
    x = torch.randn(B, S, IN, generator=torch.Generator().manual_seed(seed))
    pad = (torch.arange(S)[None] >= LENGTHS[:, None])[..., None]
    return torch.where(pad, torch.full_like(x, 100.0), x)


def copy_weights(ref: nn.LSTM, ours: BiLSTM) -> None:
    """nn.LSTM's weights into a plain BiLSTM: the same gate order (i, f, g, o); its two biases summed into one."""
    with torch.no_grad():
        for layer in range(ref.num_layers):
            for direction, suffix in enumerate(["", "_reverse"]):
                cell = ours.cells[2 * layer + direction]
                cell.ih.weight.copy_(getattr(ref, f"weight_ih_l{layer}{suffix}"))
                cell.hh.weight.copy_(getattr(ref, f"weight_hh_l{layer}{suffix}"))
                cell.ih.bias.copy_(getattr(ref, f"bias_ih_l{layer}{suffix}") + getattr(ref, f"bias_hh_l{layer}{suffix}"))


def run_packed(ref: nn.LSTM, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    out, (h_n, c_n) = ref(pack_padded_sequence(x, LENGTHS, batch_first=True, enforce_sorted=False))
    return pad_packed_sequence(out, batch_first=True, total_length=S)[0], h_n, c_n


@pytest.mark.parametrize("layers", [1, 3])
def test_plain_cells_equal_nn_lstm_on_a_packed_batch(layers):
    """Outputs (zero on padding), final states and input gradients: those of nn.LSTM on the packed sequence."""
    torch.manual_seed(0)
    ref, ours = nn.LSTM(IN, H, layers, batch_first=True, bidirectional=True), BiLSTM(IN, H, layers, 0.0)
    copy_weights(ref, ours)
    x_ref, x_ours = padded_input().requires_grad_(), padded_input().requires_grad_()
    expected, got = run_packed(ref, x_ref), ours(x_ours, LENGTHS)
    got_flat = (got[0], *got[1])
    for e, g in zip(expected, got_flat, strict=True):
        torch.testing.assert_close(g, e, atol=1e-6, rtol=1e-5)
    weights = torch.randn_like(expected[0])  # a loss that reads every output and final state
    for tensors in (expected, got_flat):
        (tensors[0] * weights).sum().add(tensors[1].sum() + tensors[2].sum()).backward()
    torch.testing.assert_close(x_ours.grad, x_ref.grad, atol=1e-6, rtol=1e-5)
    assert float(x_ours.grad[~(torch.arange(S)[None] < LENGTHS[:, None])].abs().sum()) == 0.0  # padding: no gradient


def test_a_sentence_alone_equals_it_in_a_padded_batch():
    torch.manual_seed(0)
    layer = BiLSTM(IN, H, 2, 0.0, LSTMVariant(peephole=True))
    x = padded_input()
    out, (h_n, c_n) = layer(x, LENGTHS)
    for b, n in enumerate(LENGTHS.tolist()):
        alone, (h_alone, c_alone) = layer(x[b : b + 1, :n], LENGTHS[b : b + 1])
        torch.testing.assert_close(out[b, :n], alone[0])
        torch.testing.assert_close(h_n[:, b], h_alone[:, 0])
        torch.testing.assert_close(c_n[:, b], c_alone[:, 0])


def test_peephole_with_zero_peepholes_is_the_plain_lstm():
    torch.manual_seed(0)
    plain, peephole = BiLSTM(IN, H, 2, 0.0), BiLSTM(IN, H, 2, 0.0, LSTMVariant(peephole=True))
    missing, unexpected = peephole.load_state_dict(plain.state_dict(), strict=False)
    assert unexpected == [] and all(name.endswith(".peep") for name in missing)
    x = padded_input()
    with torch.no_grad():
        for cell in peephole.cells:
            cell.peep.zero_()
        torch.testing.assert_close(peephole(x, LENGTHS)[0], plain(x, LENGTHS)[0], atol=1e-6, rtol=0)  # the fused
        # kernel may sum in another order than the loop's (on some CPUs: a few 1e-8 apart)
        peephole.cells[0].peep.fill_(0.5)
        assert not torch.allclose(peephole(x, LENGTHS)[0], plain(x, LENGTHS)[0])


def test_peephole_step_follows_its_equations():
    """i and f see c_{t-1}, o sees c_t (Gers & Schmidhuber 2000), written out here on their own."""
    torch.manual_seed(0)
    cell = LSTMCell(IN, H, LSTMVariant(peephole=True))
    x, h, c = torch.randn(3, IN), torch.randn(3, H), torch.randn(3, H)
    z_i, z_f, z_g, z_o = (cell.ih(x) + cell.hh(h)).chunk(4, dim=1)
    p_i, p_f, p_o = cell.peep
    i, f = torch.sigmoid(z_i + p_i * c), torch.sigmoid(z_f + p_f * c)
    c_t = f * c + i * torch.tanh(z_g)
    h_t = torch.sigmoid(z_o + p_o * c_t) * torch.tanh(c_t)
    got_h, got_c = cell(cell.project(x), (h, c))
    torch.testing.assert_close(got_c, c_t)
    torch.testing.assert_close(got_h, h_t)


def test_cifg_is_an_lstm_whose_forget_gate_is_one_minus_its_input_gate():
    """1 - sigmoid(z) = sigmoid(-z): CIFG equals the plain LSTM whose forget-gate weights are minus its input gate's,
    and differs from one with a forget gate of its own."""
    torch.manual_seed(0)
    cifg, plain = BiLSTM(IN, H, 2, 0.0, LSTMVariant(coupled=True)), BiLSTM(IN, H, 2, 0.0)
    with torch.no_grad():
        for ours, theirs in zip(cifg.cells, plain.cells, strict=True):
            for name in ("ih", "hh"):
                i, g, o = getattr(ours, name).weight.chunk(3)
                getattr(theirs, name).weight.copy_(torch.cat([i, -i, g, o]))
            i, g, o = ours.ih.bias.chunk(3)
            theirs.ih.bias.copy_(torch.cat([i, -i, g, o]))
        x = padded_input()
        coupled = cifg(x, LENGTHS)
        torch.testing.assert_close(plain(x, LENGTHS)[0], coupled[0])
        for cell in plain.cells:
            cell.ih.weight[H : 2 * H].normal_()  # a forget gate of its own
        assert not torch.allclose(plain(x, LENGTHS)[0], coupled[0])


def test_reversed_prefix_reverses_each_row_within_its_length_and_is_its_own_inverse():
    x = torch.arange(12).view(2, 6)
    lengths = torch.tensor([4, 2])
    assert reversed_prefix(x, lengths).tolist() == [[3, 2, 1, 0, 4, 5], [7, 6, 8, 9, 10, 11]]
    assert torch.equal(reversed_prefix(reversed_prefix(x, lengths), lengths), x)


def random_source(vocab: int = 60) -> tuple[torch.Tensor, torch.Tensor]:
    """(B,S) ids ending with EOS in each row, PAD after it."""
    src = torch.randint(4, vocab, (B, S), generator=torch.Generator().manual_seed(1))
    for b, n in enumerate(LENGTHS.tolist()):
        src[b, n - 1], src[b, n:] = EOS, PAD
    return src, LENGTHS


@pytest.mark.parametrize("cell", sorted(CUSTOM_CELLS))
def test_custom_cell_encoder_summary_is_the_top_layers_last_forward_and_first_backward_state(cell):
    torch.manual_seed(0)
    encoder = Encoder(tiny_config(enc_cell=cell, enc_layers=2, dropout=0.0)).eval()
    src, lengths = random_source()
    states, mask, summary = encoder(src, lengths)
    h = states.size(-1) // 2
    assert torch.equal(mask, src != PAD)
    for b, n in enumerate(lengths.tolist()):
        torch.testing.assert_close(summary[b], torch.cat([states[b, n - 1, :h], states[b, 0, h:]]))
        assert float(states[b, n:].detach().abs().sum()) == 0.0


def test_reverse_source_encodes_the_reversed_tokens_with_eos_last_in_source_order():
    """A reverse_source encoder equals the same weights run on sources reversed by hand (EOS kept last), its states
    put back in the source's order."""
    torch.manual_seed(0)
    forward = Encoder(tiny_config(dropout=0.0)).eval()
    backward = Encoder(tiny_config(dropout=0.0, reverse_source=True)).eval()
    backward.load_state_dict(forward.state_dict())
    src, lengths = random_source()
    by_hand = reversed_prefix(src, lengths - 1)
    assert torch.equal(by_hand[0, -1:], src[0, -1:]) and by_hand[0, 0] == src[0, -2]  # EOS last; the last word first
    states, mask, summary = backward(src, lengths)
    hand_states, _, hand_summary = forward(by_hand, lengths)
    torch.testing.assert_close(states, reversed_prefix(hand_states, lengths - 1))
    torch.testing.assert_close(summary, hand_summary)
    assert torch.equal(mask, src != PAD)


def encoder_inputs(model: Seq2Seq) -> list[list[int]]:
    """A list that receives, row by row, the ids the encoder's embedding reads (after any reversal)."""
    seen: list[list[int]] = []
    model.encoder.embed.register_forward_pre_hook(lambda _m, args: seen.extend(args[0].tolist()))
    return seen


def test_reverse_source_the_translator_feeds_the_encoder_what_training_fed_it(toy_tokenizers):
    src_tok, tgt_tok = toy_tokenizers
    torch.manual_seed(0)
    cfg = tiny_config(src_vocab_size=src_tok.vocab_size, tgt_vocab_size=tgt_tok.vocab_size, reverse_source=True)
    model = Seq2Seq(cfg).eval()
    seen = encoder_inputs(model)
    sentence = "alpha beta gamma delta"
    ids = src_tok.encode([sentence])[0]
    batch = collate([(ids, tgt_tok.encode(["DELTA GAMMA BETA ALPHA"])[0])])  # as the trainer's batches are made
    with torch.no_grad():
        model(batch.src, batch.src_len, batch.tgt_in)
    training = seen.pop()
    Translator(Bundle(BundleConfig(src_lang="xx", tgt_lang="yy", model=cfg), model, src_tok, tgt_tok, {})).translate([sentence])
    assert seen and all(row == training for row in seen)  # every encoding of the sentence (FastDecoder shares the encoder)
    assert training == ids[::-1] + [EOS]


def test_a_bundle_older_than_the_new_keys_loads_with_their_defaults():
    """A bundle saved before enc_cell's variants, reverse_source and placeholders: its config lacks those keys."""
    raw = json.loads((DEFAULT_BUNDLE / "config.json").read_text())
    for key in ("reverse_source", "placeholders"):
        raw["model"].pop(key, None)
    old = BundleConfig.model_validate(raw)
    assert (old.model.reverse_source, old.model.placeholders, old.model.enc_cell) == (False, 0, "lstm")
    assert load_bundle(DEFAULT_BUNDLE).config.model.enc_cell == "lstm"


@pytest.mark.parametrize("cell", sorted(CUSTOM_CELLS))
def test_int8_quantizes_the_custom_cells_and_stays_close(cell):
    torch.manual_seed(0)
    model = InferenceModel(Seq2Seq(tiny_config(enc_cell=cell)).eval())
    src, lengths = random_source()
    with torch.no_grad():
        fp32 = model.encode(src, lengths).states
        quantized = quantize_for_cpu(model)
        int8 = quantized.encode(src, lengths).states
    assert type(quantized.encoder.rnn.cells[0].ih) is not nn.Linear  # a dynamic quantized Linear
    torch.testing.assert_close(int8, fp32, atol=0.05, rtol=0)


@pytest.mark.parametrize("variant", [{"enc_cell": "peephole_lstm"}, {"enc_cell": "cifg_lstm"}, {"reverse_source": True}])
def test_a_variant_trains_saves_and_translates(variant, toy_corpus, tmp_path):
    raw = toy_config(tmp_path / "run", toy_corpus, max_steps=20, eval_every=20)
    raw["model"] = TOY_MODEL | variant
    run_training(Config.model_validate(raw))
    translator = Translator.load(tmp_path / "run" / "best", "cpu")
    assert translator.bundle.config.model.model_dump(include=set(variant)) == variant
    out = translator.translate(["alpha beta gamma", "delta"])
    assert len(out) == 2 and all(isinstance(t.text, str) for t in out)
