"""The service's configuration: one typed object, read from NMT_* environment variables (or built by
`nmt serve`), passed to create_app and from there to whatever needs it."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from nmt.model.bundle import MODELS


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NMT_", extra="ignore")

    model: Path | None = Field(None, description="one model bundle directory to serve (default: every bundle of "
                               "models_dir)")
    models_dir: Path = Field(MODELS, description="serve every bundle in this directory, one per language pair "
                             "(default: the bundles shipped in the package)")
    device: str = Field("auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$", description="auto | cpu | cuda | cuda:N")
    torch_threads: int | None = Field(None, gt=0, description="torch CPU threads (default: torch's choice)")
    int8: bool = Field(False, description="int8 dynamic quantization of the model (CPU only; model/quantize.py)")

    # batching
    batching: Literal["continuous", "request", "off"] = Field(
        "continuous", description="continuous: greedy sentences join and leave a running batch between decoder steps "
        "(beam search and attention requests: per batch); request: whole batches per model call; off: one sentence "
        "per model call")
    max_batch_tokens: int = Field(4000, gt=0, description="source subwords per model batch, padding included")
    max_wait_ms: float = Field(5.0, ge=0, description="how long a batch waits for more sentences to join it")
    join_wait_ms: float = Field(50.0, ge=0, description="continuous batching: how long sentences may wait to join "
                                "a running batch together (one encoder call), unless they are 1/4 of it")
    queue_size: int = Field(2048, gt=0, description="sentences waiting for the model; beyond this: 503")

    # decoding and per-request limits
    beam_size: int = Field(5, gt=0, description="beam size of requests that do not choose one (1 = greedy)")
    max_chars: int = Field(20_000, gt=0, description="characters in one request, all items together")
    max_items: int = Field(128, gt=0, description="texts in one request")
    max_sentence_chars: int = Field(1_000, gt=0, description="characters in one sentence after splitting")
    max_beam_size: int = Field(8, gt=0, description="largest beam_size (and nbest) a request may ask for")
    request_timeout_s: float = Field(30.0, gt=0, description="a translation not done by then: 504")
    max_body_bytes: int = Field(1_000_000, gt=0, description="larger request bodies: 413")

    # access
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list,
                                                     description="accepted keys, comma-separated; empty: open")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list,
                                                         description="allowed origins, comma-separated; empty: no CORS")
    log_texts: bool = Field(False, description="log request texts (never otherwise)")

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value
