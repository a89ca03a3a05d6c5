"""configs/reference.yaml documents every key, with the defaults the code uses."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel

from nmt.training.config import Config, load_config

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    out = set()
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out |= keys(ann, f"{prefix}{name}.")
        else:
            out.add(prefix + name)
    return out


def flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        out |= flatten(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k: v}
    return out


def test_reference_config_lists_every_key_with_its_default():
    raw = flatten(yaml.safe_load((CONFIGS / "reference.yaml").read_text()))
    assert set(raw) == keys(Config)
    cfg = load_config(CONFIGS / "reference.yaml")
    for section in ("model", "train"):
        defaults = Config.model_fields[section].default.model_dump()
        assert getattr(cfg, section).model_dump() == defaults, section


def test_shipped_configs_load():
    for path in CONFIGS.glob("*.yaml"):
        load_config(path)
