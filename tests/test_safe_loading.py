"""Loading a model or a checkpoint never unpickles: a pickle (which could run any code) put in place of the
weights, of a tokenizer or of a checkpoint is refused and never run, even with a manifest rewritten to match."""
from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path

import pytest
import torch

from nmt.model.bundle import BundleError, load_bundle, save_bundle
from nmt.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

ROOT = Path(__file__).resolve().parent.parent


class Payload:
    """Unpickling this creates the file `marker`: proof that a pickle was run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def malicious_pickle(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps({"weights": Payload(marker)}))


def malicious_torch_file(path: Path, marker: Path) -> None:
    torch.save({"model": Payload(marker)}, path)  # torch's zip format, with a pickle inside


def rewrite_manifest(bundle: Path, extra: dict[str, Path] | None = None) -> None:
    """What an attacker who can write the directory would do: make the manifest match the altered files."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    for name in list(manifest["files"]) + list(extra or {}):
        data = (bundle / name).read_bytes()
        manifest["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (bundle / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture
def bundle(tiny_bundle, tmp_path) -> Path:
    save_bundle(tiny_bundle, tmp_path / "m")
    return tmp_path / "m"


@pytest.mark.parametrize("name", ["model.safetensors", "src.spm"])
@pytest.mark.parametrize("write", [malicious_pickle, malicious_torch_file])
def test_a_pickle_in_place_of_a_bundle_file_is_refused_unrun(bundle, tmp_path, name, write):
    marker = tmp_path / "pwned"
    write(bundle / name, marker)
    rewrite_manifest(bundle)
    with pytest.raises(BundleError, match=re.escape(str(bundle))):
        load_bundle(bundle)
    assert not marker.exists()


def test_an_extra_file_in_the_manifest_is_refused(bundle, tmp_path):
    malicious_pickle(bundle / "extra.pkl", tmp_path / "pwned")
    rewrite_manifest(bundle, extra={"extra.pkl": bundle / "extra.pkl"})
    with pytest.raises(BundleError, match="not a nmt-bundle/1 manifest"):
        load_bundle(bundle)
    assert not (tmp_path / "pwned").exists()


def test_a_stray_file_outside_the_manifest_is_never_read(bundle, tmp_path):
    malicious_pickle(bundle / "model.pkl", tmp_path / "pwned")
    malicious_torch_file(bundle / "pytorch_model.bin", tmp_path / "pwned")
    load_bundle(bundle)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("write", [malicious_pickle, malicious_torch_file])
@pytest.mark.filterwarnings("ignore:Detected pickle protocol")  # torch.load notes the raw pickle's protocol, then refuses it
def test_a_malicious_checkpoint_is_refused_unrun(tmp_path, write):
    write(tmp_path / "last.pt", tmp_path / "pwned")
    with pytest.raises(CheckpointError, match=r"last\.pt: damaged or not a checkpoint \(torch.load: UnpicklingError\)"):
        load_checkpoint(tmp_path / "last.pt")
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_checkpoint_is_one_line_naming_it(tmp_path, damage):
    """--resume and nmt average read checkpoints: a damaged one was torch's traceback (OSError, UnpicklingError...)."""
    path = tmp_path / "last.pt"
    save_checkpoint({"model": {"w": torch.zeros(1000)}, "progress": {"step": 3}}, path)
    path.write_bytes({"truncated": path.read_bytes()[:2000], "garbage": b"not a checkpoint\n", "empty": b""}[damage])
    with pytest.raises(CheckpointError, match=f"^{re.escape(str(path))}: damaged or not a checkpoint ") as err:
        load_checkpoint(path)
    assert "\n" not in str(err.value)


def test_no_code_path_unpickles():
    """Every torch.load in the project passes weights_only=True; nothing imports pickle."""
    sources = [p for d in ("nmt", "model", "training", "app") for p in (ROOT / d).rglob("*.py")]
    for source in sources:
        text = source.read_text()
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|joblib)\b", text, re.M), source
        for call in re.findall(r"torch\.load\([^)]*\)", text):
            assert "weights_only=True" in call, f"{source}: {call}"
