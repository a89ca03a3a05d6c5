"""The model bundle round-trips from disk, and refuses anything altered or foreign."""
from __future__ import annotations

import json

import pytest
import torch
from safetensors import SafetensorError

import nmt.model.bundle
from nmt.model.bundle import BundleError, load_bundle, save_bundle
from nmt.model.translator import DecodeOptions, Translator

SENTENCES = ["alpha beta gamma", "tau ups", "", "mu nu xi omi pi rho"]


def test_round_trip_gives_identical_translations(tiny_bundle, tmp_path):
    save_bundle(tiny_bundle, tmp_path / "m")
    loaded = load_bundle(tmp_path / "m")
    for name, tensor in tiny_bundle.model.state_dict().items():
        assert torch.equal(tensor, loaded.model.state_dict()[name]), name
    assert loaded.config == tiny_bundle.config and loaded.summary == tiny_bundle.summary
    before = Translator(tiny_bundle, "cpu").translate(SENTENCES, DecodeOptions(beam_size=3))
    after = Translator(loaded, "cpu").translate(SENTENCES, DecodeOptions(beam_size=3))
    assert [t.text for t in before] == [t.text for t in after]
    assert after[2].text == ""


def test_fp16_bundle_is_half_the_size(tiny_bundle, tmp_path):
    save_bundle(tiny_bundle, tmp_path / "full")
    save_bundle(tiny_bundle, tmp_path / "half", fp16=True)
    full, half = (tmp_path / n / "model.safetensors" for n in ("full", "half"))
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded = load_bundle(tmp_path / "half")
    assert next(loaded.model.parameters()).dtype == torch.float32


def test_tied_weights_stay_tied(tiny_bundle, tmp_path):
    save_bundle(tiny_bundle, tmp_path / "m")
    model = load_bundle(tmp_path / "m").model
    assert model.decoder.out.weight.data_ptr() == model.decoder.embed.weight.data_ptr()


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "foreign_manifest", "extra_pickle"])
def test_damaged_bundle_is_refused_naming_the_file(tiny_bundle, tmp_path, damage):
    path = tmp_path / "m"
    save_bundle(tiny_bundle, path)
    weights = path / "model.safetensors"
    if damage == "truncate":
        weights.write_bytes(weights.read_bytes()[:-100])
    elif damage == "flip":
        data = bytearray(weights.read_bytes())
        data[-5] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif damage == "delete":
        weights.unlink()
    elif damage == "foreign_manifest":
        (path / "manifest.json").write_text(json.dumps({"format": "other/9", "files": {}}))
    elif damage == "extra_pickle":
        (path / "manifest.json").write_text(json.dumps({"format": "nmt-bundle/1", "files": {"evil.pkl": {}}}))
    with pytest.raises(BundleError) as err:
        load_bundle(path)
    assert str(path) in str(err.value)


def test_missing_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(BundleError, match="no model bundle"):
        load_bundle(tmp_path / "nothing")


def test_save_over_existing_bundle_replaces_it_whole(tiny_bundle, tmp_path):
    save_bundle(tiny_bundle, tmp_path / "m")
    (tmp_path / "m" / "stray.txt").write_text("left over")
    save_bundle(tiny_bundle, tmp_path / "m")
    assert not (tmp_path / "m" / "stray.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    load_bundle(tmp_path / "m")


@pytest.mark.parametrize("other", ["file", "directory"])
def test_save_refuses_to_replace_what_is_not_a_bundle(tiny_bundle, tmp_path, other):
    """`nmt export best DIR` (and average, ensemble) replace DIR whole: never a user's file or folder of files."""
    path = tmp_path / "out"
    if other == "file":
        path.write_text("precious")
    else:
        path.mkdir()
        (path / "thesis.txt").write_text("precious")
    with pytest.raises(BundleError, match="not a model bundle"):
        save_bundle(tiny_bundle, path)
    assert (path.read_text() if other == "file" else (path / "thesis.txt").read_text()) == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_full_disk_leaves_the_bundle_there_as_it_was(tiny_bundle, tmp_path, monkeypatch):
    """safetensors reports a full disk as its own error, not an OSError: it was a traceback out of `nmt train`'s
    best/, `nmt export` and `nmt average`."""
    save_bundle(tiny_bundle, tmp_path / "m")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}

    def disk_full(*args, **kwargs):
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    monkeypatch.setattr(nmt.model.bundle, "save_file", disk_full)
    with pytest.raises(BundleError, match=r"m: cannot write the bundle \(.*No space left on device"):
        save_bundle(tiny_bundle, tmp_path / "m")
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_save_into_an_empty_directory(tiny_bundle, tmp_path):
    (tmp_path / "m").mkdir()
    save_bundle(tiny_bundle, tmp_path / "m")
    load_bundle(tmp_path / "m")


def test_tokenizer_round_trip(toy_tokenizers):
    src, _ = toy_tokenizers
    text = "alpha beta gamma delta"
    ids = src.encode([text])[0]
    assert src.decode([ids]) == [text]
    unseen = "ñandú ☃"
    assert isinstance(src.decode(src.encode([unseen]))[0], str)


def test_bundle_is_readable_by_others(tiny_bundle, tmp_path):
    save_bundle(tiny_bundle, tmp_path / "m")
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755
    assert all(f.stat().st_mode & 0o777 == 0o644 for f in (tmp_path / "m").iterdir())
