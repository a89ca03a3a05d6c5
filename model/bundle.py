"""A model directory that holds everything needed to translate, and nothing that executes:

    model.safetensors   weights (fp32 or fp16)
    config.json         BundleConfig: languages and the ModelConfig
    src.spm, tgt.spm    SentencePiece models
    summary.json        what training and evaluation measured
    manifest.json       size and sha256 of every file above
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import torch
from pydantic import BaseModel, ValidationError
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from nmt.model.config import ModelConfig
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import Tokenizer

FORMAT = "nmt-bundle/1"
FILES = ("model.safetensors", "config.json", "src.spm", "tgt.spm", "summary.json")
MODELS = Path(str(resources.files("nmt.models")))  # the shipped bundles: package data, so they travel with the wheel
DEFAULT_BUNDLE = MODELS / "en-es"


class BundleError(Exception):
    """A bundle that is missing, incomplete, altered or not ours."""


class BundleConfig(BaseModel):
    src_lang: str
    tgt_lang: str
    model: ModelConfig


@dataclass
class Bundle:
    config: BundleConfig
    model: Seq2Seq
    src_tokenizer: Tokenizer
    tgt_tokenizer: Tokenizer
    summary: dict = field(default_factory=dict)


def save_bundle(bundle: Bundle, path: Path, fp16: bool = False) -> None:
    """Write the bundle to a temporary sibling directory, then swap it in: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        state = {k: v.detach().to("cpu", torch.float16 if fp16 else torch.float32).contiguous()
                 for k, v in bundle.model.state_dict().items() if k not in _tied(bundle.config.model)}
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": FORMAT})
        (tmp / "config.json").write_text(bundle.config.model_dump_json(indent=2))
        (tmp / "src.spm").write_bytes(bundle.src_tokenizer.model_bytes)
        (tmp / "tgt.spm").write_bytes(bundle.tgt_tokenizer.model_bytes)
        (tmp / "summary.json").write_text(json.dumps(bundle.summary, indent=2))
        manifest = {"format": FORMAT, "files": {name: _describe(tmp / name) for name in FILES}}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        _swap_in(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_bundle(path: Path | str | None = None, device: str | torch.device = "cpu") -> Bundle:
    """Load and verify a bundle; any problem is a BundleError that names the file."""
    path = Path(path) if path is not None else DEFAULT_BUNDLE
    verify_bundle(path)
    try:
        config = BundleConfig.model_validate_json((path / "config.json").read_text())
    except ValidationError as e:
        raise BundleError(f"{path / 'config.json'}: not a valid bundle config: {e}") from None
    model = Seq2Seq(config.model)
    try:
        state = {k: v.float() for k, v in load_file(str(path / "model.safetensors")).items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
    except (SafetensorError, RuntimeError) as e:
        raise BundleError(f"{path / 'model.safetensors'}: weights do not fit the config: {e}") from None
    if set(missing) - _tied(config.model) or unexpected:
        raise BundleError(f"{path / 'model.safetensors'}: missing {missing[:3]} / unexpected {unexpected[:3]} weights")
    try:
        src, tgt = Tokenizer((path / "src.spm").read_bytes()), Tokenizer((path / "tgt.spm").read_bytes())
    except (RuntimeError, ValueError) as e:
        raise BundleError(f"{path}: bad SentencePiece model: {e}") from None
    summary = json.loads((path / "summary.json").read_text())
    return Bundle(config, model.to(device).eval(), src, tgt, summary)


def find_bundles(root: Path) -> list[Path]:
    """The bundles directly under root (each directory holding a manifest.json), by name; BundleError if none."""
    if not root.is_dir():
        raise BundleError(f"{root}: no models directory here")
    found = sorted(path for path in root.iterdir() if (path / "manifest.json").is_file())
    if not found:
        raise BundleError(f"{root}: no model bundle in this directory (expected subdirectories with manifest.json)")
    return found


def verify_bundle(path: Path) -> None:
    """Check the manifest: every listed file present, with its size and sha256."""
    if not path.is_dir():
        raise BundleError(f"{path}: no model bundle here (expected a directory with manifest.json)")
    _check_not_a_run(path)
    try:
        manifest = json.loads((path / "manifest.json").read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BundleError(f"{path / 'manifest.json'}: missing or unreadable manifest") from None
    if manifest.get("format") != FORMAT or set(files) != set(FILES):
        raise BundleError(f"{path / 'manifest.json'}: not a {FORMAT} manifest")
    for name, expected in files.items():
        if not (path / name).is_file():
            raise BundleError(f"{path / name}: missing")
        if _describe(path / name) != expected:
            raise BundleError(f"{path / name}: size or checksum differs from manifest.json (truncated or altered)")


def _check_not_a_run(path: Path) -> None:
    """A training run's out_dir is an easy mistake for a bundle: name the bundle inside it, best/."""
    if (path / "manifest.json").exists() or not ((path / "best").is_dir() or (path / "checkpoints").is_dir()):
        return
    pending = "" if (path / "best").is_dir() else " (not written yet: the run's first evaluation writes it)"
    raise BundleError(f"{path}: a training run directory, not a model bundle; did you mean {path / 'best'}?{pending}")


def _tied(cfg: ModelConfig) -> set[str]:
    """Weights shared with another (saved once, under the other's name)."""
    return {"decoder.out.weight"} if cfg.tie_embeddings else set()


def _describe(file: Path) -> dict:
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    return {"bytes": file.stat().st_size, "sha256": digest}


def _swap_in(tmp: Path, path: Path) -> None:
    for f in tmp.iterdir():
        f.chmod(0o644)
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    tmp.chmod(0o755)  # mkdtemp made it private; a bundle is for others to read (a container's user, say)
    old = path.with_name(f".{path.name}.old")
    if path.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
