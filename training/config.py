"""The training configuration: one typed object loaded once from YAML and passed down."""
from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nmt.model.config import ModelConfig
from nmt.training.config_errors import one_line
from nmt.training.transforms import TransformConfig

# a path as a shell reads it: ~ is the home directory (YAML leaves it as it is)
UserPath = Annotated[Path, AfterValidator(Path.expanduser)]
CorpusFiles = UserPath | tuple[UserPath, UserPath]  # a TSV or TMX file, or [source file, target file] aligned by line
MAX_WEIGHT = 1000  # a corpus's weight (CorpusSpec.weight says why)


class Section(BaseModel):
    """A part of the config: an unknown key is refused (a typo would be a default silently), and so is a float key's
    .inf or .nan, which no key means and which passed gt=0 (lr: .inf was accepted; weight: .inf failed in the epoch's
    draw). The sections of model/ and transforms/ bound their floats on both sides, which refuses both already."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class CorpusSpec(Section):
    """One training corpus of several: a file (TSV, TMX, ...) or two aligned files (by line, or an app's messages by
    key), and its weight."""

    path: UserPath | None = Field(None, description="a TSV, TMX, XLIFF, gettext .po, Qt .ts, String Catalog, JSON Lines "
                              "or CSV file, plain or compressed (gzip, xz, zstd, bzip2)")
    source: UserPath | None = Field(None, description="with target: two line-aligned plain-text files, or two files of an "
                                "app's messages paired by key (strings.xml, .resx, .properties, .strings, .yml, .ftl, "
                                ".php)")
    target: UserPath | None = None
    # At most MAX_WEIGHT: weight: 1e9 was accepted, and the epoch's plan (~50 bytes a row at its peak: rows, sort
    # key, lengths) of 1e9 copies of every pair needs ~50 GB for each pair of the corpus. Weights are relative, and a fraction
    # is a random part each epoch, so no mix needs a larger one: lower the others' (a 1,000,000-pair corpus at 0.01
    # beside a 1,000-pair one at 10). 1000 copies of a corpus in one epoch is already past any use.
    weight: float = Field(1.0, gt=0, le=MAX_WEIGHT,
                          description="times each pair is seen per epoch (0.5: a random half of them)")

    @model_validator(mode="after")
    def one_layout(self) -> CorpusSpec:
        if (self.path is None) == (self.source is None and self.target is None) or (self.source is None) != (
                self.target is None):
            raise ValueError("give either path, or source and target")
        return self

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.path,) if self.path is not None else (self.source, self.target)  # type: ignore[return-value]

    @property
    def name(self) -> str:
        return " + ".join(map(str, self.files))


class FilterConfig(Section):
    """What preparation drops from the training corpora, each counted, and listed in out_dir/skipped.tsv."""

    max_ratio: float | None = Field(3.0, ge=1, description="drop pairs whose longer side has more than this many "
                                    "times the characters of the shorter (a wide one, CJK, counts as two; null: keep all)")
    min_ratio_chars: int = Field(10, ge=0, description="the ratio filter applies once the longer side has this "
                                 "many characters (short pairs vary a lot)")
    identical: bool = Field(True, description="drop pairs whose source and target are the same text")
    control_chars: bool = Field(True, description="drop pairs holding control characters (U+0000-001F, 007F-009F)")
    duplicates: bool = Field(True, description="drop exact duplicate pairs (all but the first)")
    dedup_memory_mb: int = Field(128, gt=0, description="memory of the duplicate check: 8 bytes per distinct "
                                 "pair, up to 3/4 full (128 MB: 12M pairs; beyond, later pairs are not checked)")


class DataConfig(Section):
    train: CorpusFiles | list[CorpusSpec] = Field(
        description="training pairs: a TSV or TMX file, [source, target] files, or a list of {path | source+target, "
        "weight}")
    dev: CorpusFiles = Field(description="development pairs, for BLEU during training and early stopping")
    src_lang: str = Field("en", description="source language code; picks a TMX's source <tuv xml:lang>")
    tgt_lang: str = Field("es", description="target language code; picks a TMX's target <tuv>")
    max_len: int = Field(200, gt=0, description="drop training pairs with more subwords than this on either side")
    filters: FilterConfig = FilterConfig()
    spm_sample: int = Field(100_000, gt=0, description="SentencePiece learns from at most this many sentences of "
                            "each side, a uniform random sample of the training pairs")
    spm_seed: int | None = Field(None, description="seed of that sample (default: train.seed); runs of other "
                                 "train.seed but one spm_seed learn the same subword models (an ensemble's members)")
    spm_character_coverage: float = Field(1.0, gt=0, le=1, description="the share of the sample's characters that "
                                          "the subword models cover (SentencePiece's character_coverage), the "
                                          "rarest others unknown: 0.9995 for Chinese or Japanese, whose thousands "
                                          "of rare characters would each take a subword")
    spm_normalization: Literal["nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", "identity"] = Field(
        "nmt_nfkc", description="how SentencePiece normalizes text: nmt_nfkc (NFKC, zero-width characters as spaces); "
        "nfkc keeps the zero-width non-joiner that Persian writes inside words (nmt_nfkc split them there); _cf: "
        "case-folded too; identity: none")
    subwords_from: UserPath | None = Field(None, description="a bundle whose subword models this run takes instead of "
                                       "learning its own: a network trained apart that can be ensembled with it")
    cache_dir: UserPath | None = Field(None, description="where prepared corpora are kept (default: .prepared beside "
                                   "out_dir)")
    transforms: list[TransformConfig] = Field(default_factory=list, description="on-the-fly transforms of training "
                                              "pairs, in order (training/transforms/)")

    @field_validator("train", mode="before")
    @classmethod
    def some_corpus(cls, value: object) -> object:
        # Before the union's members try it: each would refuse [] its own way, none saying what is wrong.
        if value == []:
            raise ValueError("an empty list: give at least one corpus")
        return value

    @property
    def corpora(self) -> list[CorpusSpec]:
        """data.train in its general form: a list of weighted corpora."""
        if isinstance(self.train, list):
            return self.train
        if isinstance(self.train, tuple):
            return [CorpusSpec(source=self.train[0], target=self.train[1])]
        return [CorpusSpec(path=self.train)]


class TrainConfig(Section):
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
    init_from: UserPath | None = Field(None, description="a bundle whose weights and subword models a new run starts "
                                   "from, with a fresh optimizer and schedule (fine-tuning, or a second cycle)")
    keep_checkpoints: int = Field(0, ge=0, description="also keep the weights of the last N evaluations "
                                  "(checkpoints/step-N.pt), for `nmt average`")
    seed: int = 1
    device: str = Field("auto", description="auto | cpu | cuda | cuda:N")
    amp: Literal["auto", "bf16", "fp32"] = Field(
        "auto", description="bfloat16 autocast: auto = on for CUDA and for CPUs with native bf16 (AVX512-BF16/AMX)")
    threads: int | None = Field(None, gt=0, description="torch CPU threads (default: all cores)")


class Config(Section):
    """The whole run: what to read, what to build, how to train it, where to write it."""

    out_dir: UserPath = Field(description="run directory: checkpoints, logs, plot and the best bundle")
    data: DataConfig
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()

    @property
    def cache_dir(self) -> Path:
        return self.data.cache_dir or self.out_dir.parent / ".prepared"

    @model_validator(mode="after")
    def placeholders_reserved(self) -> Config:
        if any(t.kind == "placeholders" for t in self.data.transforms) and not self.model.placeholders:
            raise ValueError("data.transforms has placeholders, but model.placeholders is 0: reserve some (e.g. 8)")
        masks_names = any(t.kind == "placeholders" and t.names for t in self.data.transforms)
        if masks_names != self.model.names:
            raise ValueError("model.names needs the placeholders transform with names > 0, and that transform needs "
                             "model.names: true (the model is trained to carry names, and translation masks them)")
        return self

    @model_validator(mode="after")
    def one_source_of_subwords(self) -> Config:
        if self.data.subwords_from and self.train.init_from:
            raise ValueError("data.subwords_from and train.init_from both given: init_from brings its subword models")
        return self


def flatten(values: dict, prefix: str = "") -> dict[str, object]:
    """A config's nested sections as one level of dotted keys: {"data": {"filters": {"identical": True}}} is
    {"data.filters.identical": True}."""
    flat: dict[str, object] = {}
    for key, value in values.items():
        flat |= flatten(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key: value}
    return flat


class ConfigError(Exception):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a key given twice in one mapping: PyYAML keeps the last silently, so a second
    `train:` section pasted below the reference's would drop every key of the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base`, whose keys the mapping may override
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # the base constructor refuses it
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _yaml_error(error: yaml.YAMLError) -> str:
    """A YAML error in one line: where, and what is wrong there (PyYAML's own message draws the line and a caret)."""
    mark, problem = getattr(error, "problem_mark", None), getattr(error, "problem", None)
    if mark is None or problem is None:
        return " ".join(str(error).split())
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


def load_config(path: Path | str) -> Config:
    """Read YAML into a Config; relative paths are taken from the working directory, and ~ is the home directory."""
    try:
        raw = yaml.load(Path(path).read_bytes().decode("utf-8"), Loader=_UniqueKeyLoader)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 (byte {e.object[e.start]:#04x} at offset {e.start})") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {_yaml_error(e)}") from None
    try:
        return Config.model_validate(raw or {})
    except ValidationError as e:
        raise ConfigError(f"{path}: {one_line(e, raw, Config)}") from None
