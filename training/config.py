"""The training configuration: one typed object loaded once from YAML and passed down."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nmt.model.config import ModelConfig

CorpusFiles = Path | tuple[Path, Path]  # a TSV file, or [source file, target file] aligned by line


class DataConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    train: CorpusFiles = Field(description="training pairs: a TSV file (source<TAB>target) or [source, target] files")
    dev: CorpusFiles = Field(description="development pairs, for BLEU during training and early stopping")
    src_lang: str = "en"
    tgt_lang: str = "es"
    max_len: int = Field(200, gt=0, description="drop training pairs with more subwords than this on either side")


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batch_tokens: int = Field(4000, gt=0, description="target tokens per batch (padding included)")
    optimizer: Literal["adam", "rmsprop"] = "adam"
    lr: float = Field(2e-3, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warmup_steps: int = Field(500, ge=0, description="linear warm-up, then the plateau schedule takes over")
    lr_decay: float = Field(0.5, gt=0, le=1, description="factor applied when dev BLEU stops improving")
    lr_patience: int = Field(1, gt=0, description="lr_decay applies once every this many evaluations in a row "
                             "without a better dev BLEU")
    min_lr: float = Field(1e-5, gt=0)
    clip_norm: float = Field(1.0, gt=0)
    label_smoothing: float = Field(0.1, ge=0, lt=1)
    max_epochs: int = Field(100, gt=0)
    max_steps: int | None = Field(None, gt=0, description="stop after this many updates")
    max_minutes: float | None = Field(None, gt=0, description="stop after this much training time (wall clock)")
    eval_every: int = Field(1000, gt=0, description="steps between dev evaluations and checkpoints")
    patience: int = Field(8, gt=0, description="stop after this many evaluations without a better dev BLEU")
    eval_beam_size: int = Field(1, ge=1, description="beam used for dev BLEU (1 = greedy, fastest)")
    init_from: Path | None = Field(None, description="a bundle whose weights and subword models a new run starts "
                                   "from, with a fresh optimizer and schedule (fine-tuning, or a second cycle)")
    keep_checkpoints: int = Field(0, ge=0, description="also keep the weights of the last N evaluations "
                                  "(checkpoints/step-N.pt), for `nmt average`")
    seed: int = 1
    device: str = Field("auto", description="auto | cpu | cuda | cuda:N")
    amp: Literal["auto", "bf16", "fp32"] = Field(
        "auto", description="bfloat16 autocast: auto = on for CUDA and for CPUs with native bf16 (AVX512-BF16/AMX)")
    threads: int | None = Field(None, gt=0, description="torch CPU threads (default: all cores)")


class Config(BaseModel):
    """The whole run: what to read, what to build, how to train it, where to write it."""

    model_config = ConfigDict(extra="forbid")
    out_dir: Path = Field(description="run directory: checkpoints, logs, plot and the best bundle")
    data: DataConfig
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()


class ConfigError(Exception):
    pass


def load_config(path: Path | str) -> Config:
    """Read YAML into a Config; relative paths are taken from the working directory."""
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    try:
        return Config.model_validate(raw or {})
    except ValidationError as e:
        raise ConfigError(f"{path}: {e}") from None
