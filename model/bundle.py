"""A model directory that holds everything needed to translate, and nothing that executes:

    model.safetensors   weights (fp32 or fp16)
    member-1.safetensors, ...   an ensemble's other members' weights (model/ensemble.py), if it is one
    config.json         BundleConfig: languages and the ModelConfig (an ensemble's: each member's)
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
from pydantic import BaseModel, Field, ValidationError
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from nmt.model.bundle_error import BundleError  # the one class; here too, where its callers look for it
from nmt.model.config import ModelConfig
from nmt.model.ensemble import mismatch
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import Tokenizer

FORMAT = "nmt-bundle/1"
FILES = ("model.safetensors", "config.json", "src.spm", "tgt.spm", "summary.json")
MODELS = Path(str(resources.files("nmt.models")))  # the shipped bundles: package data, so they travel with the wheel
DEFAULT_BUNDLE = MODELS / "en-es"


class BundleConfig(BaseModel):
    src_lang: str
    tgt_lang: str
    model: ModelConfig
    others: list[ModelConfig] = Field(default_factory=list, description="an ensemble's other members")

    def files(self) -> tuple[str, ...]:
        """The files of a bundle with this config, as its manifest lists them."""
        return FILES + tuple(member_file(i) for i in range(1, len(self.others) + 1))


@dataclass
class Bundle:
    config: BundleConfig
    model: Seq2Seq  # the network; an ensemble's first member
    src_tokenizer: Tokenizer
    tgt_tokenizer: Tokenizer
    summary: dict = field(default_factory=dict)
    others: list[Seq2Seq] = field(default_factory=list)  # an ensemble's other members, config.others' networks

    @property
    def subwords(self) -> tuple[bytes, bytes]:
        """The source and target SentencePiece models: bundles with equal ones number subwords alike."""
        return self.src_tokenizer.model_bytes, self.tgt_tokenizer.model_bytes

    @property
    def members(self) -> list[Seq2Seq]:
        """The networks whose mean distribution the bundle translates with (one, unless it is an ensemble)."""
        return [self.model, *self.others]


def member_file(i: int) -> str:
    """The weights file of an ensemble's member i (0: the first, model.safetensors)."""
    return "model.safetensors" if i == 0 else f"member-{i}.safetensors"


def save_bundle(bundle: Bundle, path: Path, fp16: bool = False) -> None:
    """Write the bundle to a temporary sibling directory, then swap it in: never half-written."""
    path = Path(path)
    _check_replaceable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as e:  # a file where a folder above it must be, no permission, a full disk, ...
        raise BundleError(f"{path}: cannot write a bundle there ({e.strerror or e})") from None
    try:
        _write_files(bundle, tmp, fp16)
        _swap_in(tmp, path)
    except (OSError, SafetensorError) as e:  # a full disk, mostly; what was at path stays as it was
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise BundleError(f"{path}: cannot write the bundle ({reason}); nothing half-written is kept") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_files(bundle: Bundle, tmp: Path, fp16: bool) -> None:
    """Every file of the bundle, into the directory tmp."""
    for i, network in enumerate(bundle.members):
        state = {k: v.detach().to("cpu", torch.float16 if fp16 else torch.float32).contiguous()
                 for k, v in network.state_dict().items() if k not in _tied(network.cfg)}
        save_file(state, str(tmp / member_file(i)), metadata={"format": FORMAT})
    (tmp / "config.json").write_text(bundle.config.model_dump_json(indent=2))
    (tmp / "src.spm").write_bytes(bundle.src_tokenizer.model_bytes)
    (tmp / "tgt.spm").write_bytes(bundle.tgt_tokenizer.model_bytes)
    (tmp / "summary.json").write_text(json.dumps(bundle.summary, indent=2))
    manifest = {"format": FORMAT, "files": {name: _describe(tmp / name) for name in bundle.config.files()}}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))


def load_bundle(path: Path | str | None = None, device: str | torch.device = "cpu") -> Bundle:
    """Load and verify a bundle; any problem is a BundleError that names the file."""
    path = Path(path) if path is not None else DEFAULT_BUNDLE
    files = verify_bundle(path)
    config = read_config(path)
    if files != set(config.files()):
        raise BundleError(f"{path / 'config.json'}: {len(config.others) + 1} networks, but manifest.json lists "
                          f"{len(files) - len(FILES) + 1} weights files")
    for other in config.others:
        if problem := mismatch(config.model, other):
            raise BundleError(f"{path / 'config.json'}: ensemble members that do not fit together: {problem}")
    networks = [_load_network(path / member_file(i), cfg) for i, cfg in enumerate([config.model, *config.others])]
    try:
        src, tgt = Tokenizer((path / "src.spm").read_bytes()), Tokenizer((path / "tgt.spm").read_bytes())
    except (RuntimeError, ValueError) as e:
        raise BundleError(f"{path}: bad SentencePiece model: {e}") from None
    summary = json.loads((path / "summary.json").read_text())
    first, *others = [network.to(device).eval() for network in networks]
    return Bundle(config, first, src, tgt, summary, others)


def digest(path: Path | str | None = None) -> str:
    """The sha256 of the bundle's manifest, which holds every file's: two bundles with one digest translate alike."""
    path = Path(path) if path is not None else DEFAULT_BUNDLE
    verify_bundle(path)
    return hashlib.sha256((path / "manifest.json").read_bytes()).hexdigest()


def read_config(path: Path) -> BundleConfig:
    """A bundle's config (its languages, its networks' sizes), its weights not read; BundleError if it has none."""
    try:
        return BundleConfig.model_validate_json((path / "config.json").read_text())
    except (OSError, ValidationError) as e:
        raise BundleError(f"{path / 'config.json'}: not a valid bundle config: {e}") from None


def _load_network(file: Path, cfg: ModelConfig) -> Seq2Seq:
    model = Seq2Seq(cfg)
    try:
        state = {k: v.float() for k, v in load_file(str(file)).items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
    except (SafetensorError, RuntimeError) as e:
        raise BundleError(f"{file}: weights do not fit the config: {e}") from None
    if set(missing) - _tied(cfg) or unexpected:
        raise BundleError(f"{file}: missing {missing[:3]} / unexpected {unexpected[:3]} weights")
    return model


def find_bundles(root: Path) -> list[Path]:
    """The bundles directly under root (each directory holding a manifest.json), by name; BundleError if none."""
    if not root.is_dir():
        raise BundleError(f"{root}: no models directory here")
    found = sorted(path for path in root.iterdir() if (path / "manifest.json").is_file())
    if not found:
        raise BundleError(f"{root}: no model bundle in this directory (expected subdirectories with manifest.json)")
    return found


def verify_bundle(path: Path) -> set[str]:
    """Check the manifest: every listed file present, with its size and sha256. Returns their names."""
    if not path.is_dir():
        raise BundleError(f"{path}: no model bundle here (expected a directory with manifest.json)")
    _check_not_a_run(path)
    try:
        manifest = json.loads((path / "manifest.json").read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BundleError(f"{path / 'manifest.json'}: missing or unreadable manifest") from None
    members = {member_file(i) for i in range(1, len(files))}  # an ensemble's: member-1.safetensors, ...
    if manifest.get("format") != FORMAT or not set(FILES) <= set(files) or not set(files) - set(FILES) <= members:
        raise BundleError(f"{path / 'manifest.json'}: not a {FORMAT} manifest")
    for name, expected in files.items():
        if not (path / name).is_file():
            raise BundleError(f"{path / name}: missing")
        if _describe(path / name) != expected:
            raise BundleError(f"{path / name}: size or checksum differs from manifest.json (truncated or altered)")
    return set(files)


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


def _check_replaceable(path: Path) -> None:
    """Saving replaces what is at path whole, so it may only be nothing, an empty directory or a bundle: `nmt export
    best ~/work` must not delete ~/work's files (or a file named like the bundle)."""
    blocker = next((p for p in (path, *path.parents) if os.path.lexists(p) and not p.is_dir()), None)
    if blocker is not None:
        raise BundleError(f"{path}: cannot write a bundle there: {blocker} is a file, not a model bundle")
    if path.is_dir() and not (path / "manifest.json").is_file() and any(path.iterdir()):
        raise BundleError(f"{path}: a directory that is not a model bundle and is not empty; saving would replace it "
                          "with everything in it: choose another output directory")


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
