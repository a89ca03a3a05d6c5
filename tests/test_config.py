"""configs/reference.yaml documents every key, with the defaults the code uses."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel

from nmt.training.config import Config, flatten, load_config

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


def test_a_validation_error_is_one_line_naming_the_key(tmp_path, capsys):
    from nmt.cli import main

    cases = {"out_dir: x\ndata: {train: a, dev: b}\ntrain: {batch_token: 3000}\n":
             "train.batch_token: unknown key (did you mean batch_tokens?)",
             "out_dir: x\ndata: {train: a, dev: b}\ntrain: {lr: 0}\n": "train.lr: Input should be greater than 0",
             "out_dir: x\ndata: {train: [{path: a, wieght: 2}], dev: b}\n":
             "data.train.0.wieght: unknown key (did you mean weight?)",
             "out_dir: x\ndata: {train: [{path: a, weight: .inf}], dev: b}\n":
             "data.train.0.weight: Input should be a finite number",
             "out_dir: x\ndata: {train: [{path: a, weight: 1e9}], dev: b}\n":  # an epoch of 1e9 copies of each pair
             "data.train.0.weight: Input should be less than or equal to 1000",
             "out_dir: x\ndata: {train: a, dev: b}\ntrain: {lr: .inf, max_minutes: .inf}\n":
             "train.lr: Input should be a finite number; train.max_minutes: Input should be a finite number",
             "out_dir: x\ndata: {train: a, dev: b, filters: {max_ratio: .inf}}\ntrain: {weight_decay: .nan}\n":
             "data.filters.max_ratio: Input should be a finite number; train.weight_decay: Input should be a finite number",
             "out_dir: x\ndata: {train: a, dev: b, filters: {max_ratio: 0.5}}\n":
             "data.filters.max_ratio: Input should be greater than or equal to 1",
             "out_dir: x\ndata: {train: [], dev: b}\n": "data.train: Value error, an empty list: give at least one corpus",
             "out_dir: x\ndata: {train: [{path: a, source: c}], dev: b}\n":
             "data.train.0: Value error, give either path, or source and target",
             "out_dir: x\ndata: {train: a, dev: [b.en]}\n": "data.dev.1: item missing"}  # [source, target]
    for text, message in cases.items():
        (tmp_path / "my.yaml").write_text(text)
        assert main(["train", str(tmp_path / "my.yaml")]) == 2
        err = capsys.readouterr().err
        assert err == f"nmt train: error: {tmp_path / 'my.yaml'}: {message}\n", err


def test_data_train_takes_a_path_a_pair_or_weighted_corpora():
    from nmt.training.config import DataConfig

    one = DataConfig(train="a.tsv", dev="d.tsv").corpora
    pair = DataConfig(train=["a.en", "a.es"], dev="d.tsv").corpora
    many = DataConfig(train=[{"path": "a.tmx", "weight": 3}, {"source": "b.en", "target": "b.es"}], dev="d.tsv").corpora
    assert [(c.files, c.weight) for c in one + pair + many] == [
        ((Path("a.tsv"),), 1.0), ((Path("a.en"), Path("a.es")), 1.0), ((Path("a.tmx"),), 3.0),
        ((Path("b.en"), Path("b.es")), 1.0)]

def test_a_config_that_is_not_yaml_or_not_utf8_or_repeats_a_key_is_one_line(tmp_path, capsys):
    from nmt.cli import main

    cases = {b"out_dir: x\ndata: {train: a, dev: b\n": "not valid YAML: line 3, column 1: expected ',' or '}', "
             "but got '<stream end>'",
             b"out_dir: x\n\t train: a\n": "not valid YAML: line 2, column 1: found character '\\t' that cannot "
             "start any token",
             "out_dir: runs/café\n".encode("latin-1"): "not UTF-8 (byte 0xe9 at offset 17)",
             # PyYAML keeps the last of two equal keys: the first section's keys would be dropped unseen
             b"out_dir: x\ndata: {train: a, dev: b}\ntrain: {lr: 0.1}\ntrain: {seed: 3}\n":
             "not valid YAML: line 4, column 1: key 'train' given twice"}
    for text, message in cases.items():
        (tmp_path / "my.yaml").write_bytes(text)
        assert main(["train", str(tmp_path / "my.yaml")]) == 2
        err = capsys.readouterr().err
        assert err == f"nmt train: error: {tmp_path / 'my.yaml'}: {message}\n", err


def test_a_merge_key_may_be_overridden(tmp_path):
    (tmp_path / "my.yaml").write_text("out_dir: x\ndata: {train: a, dev: b}\n"
                                      "model: {<<: {emb_dim: 8, enc_hidden: 8}, emb_dim: 16}\n")
    cfg = load_config(tmp_path / "my.yaml")
    assert (cfg.model.emb_dim, cfg.model.enc_hidden) == (16, 8)


def test_a_path_may_start_at_the_home_directory():
    home = Path.home()
    cfg = Config.model_validate({"data": {"train": [{"path": "~/c.tsv"}, {"source": "~/a.en", "target": "~/a.es"}],
                                          "dev": ["~/d.en", "d.es"], "cache_dir": "~/cache"},
                                 "train": {"init_from": "~/bundle"}, "out_dir": "~/runs/x"})
    assert [c.files for c in cfg.data.corpora] == [(home / "c.tsv",), (home / "a.en", home / "a.es")]
    assert cfg.data.dev == (home / "d.en", Path("d.es"))
    assert (cfg.cache_dir, cfg.train.init_from, cfg.out_dir) == (home / "cache", home / "bundle", home / "runs/x")
