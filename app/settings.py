"""The service's configuration: one typed object, read from NMT_* environment variables (or built by
`nmt serve`), passed to create_app and from there to whatever needs it."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from nmt.app.filestore import writable_directory
from nmt.model.bundle import MODELS
from nmt.model.translator import DecodeOptions


class KeyLimits(BaseModel):
    """One API key's own limits, in place of the server's (NMT_REQUESTS_PER_MINUTE, NMT_MAX_CHARS)."""

    model_config = ConfigDict(extra="forbid")
    requests_per_minute: int | None = Field(None, ge=0, description="0: no limit")
    max_chars: int | None = Field(None, gt=0, description="characters in one request, all texts together")


MAX_WAIT_MS = 60_000.0  # a batch's wait: longer outlasts any request, and past ~1e11 ms overflows the thread's wait


class Settings(BaseSettings):
    # no inf or nan: an infinite penalty, weight or wait is no setting (NMT_MAX_WAIT_MS=inf stopped the model threads)
    model_config = SettingsConfigDict(env_prefix="NMT_", extra="ignore", allow_inf_nan=False)

    model: Path | None = Field(None, description="one model bundle directory to serve (default: every bundle of "
                               "models_dir)")
    models_dir: Path = Field(MODELS, description="serve every bundle in this directory, one per language pair "
                             "(default: the bundles shipped in the package)")
    device: str = Field("auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$", description="auto | cpu | cuda | cuda:N")
    torch_threads: int | None = Field(None, gt=0, description="torch CPU threads (default: torch's choice)")
    int8: bool = Field(False, description="int8 dynamic quantization of the model (CPU only; model/quantize.py)")
    exact: bool = Field(False, description="batch-invariant search: a sentence's translation does not depend on the "
                        "requests batched with it, exactly what `nmt evaluate --exact` scores (slower; model/invariant.py)")

    # batching
    batching: Literal["continuous", "request", "off"] = Field(
        "continuous", description="continuous: sentences of every beam size join and leave running batches (one per "
        "decoder lane) between decoder steps (attention requests: per batch); request: whole batches per model call; "
        "off: one sentence per model call")
    max_batch_tokens: int = Field(4000, gt=0, description="source subwords per model batch, padding included "
                                  "(continuous batching: per lane, padding not counted)")
    decoder_lanes: int | None = Field(None, gt=0, description="continuous batching: live batches decoded side by "
                                      "side, each on its own thread (default: one per torch thread on the CPU, at "
                                      "most 4; one on a GPU)")
    max_wait_ms: float = Field(5.0, ge=0, le=MAX_WAIT_MS, description="how long a batch waits for more sentences to join it")
    join_wait_ms: float = Field(50.0, ge=0, le=MAX_WAIT_MS, description="continuous batching: how long sentences "
                                "may wait to join a running batch together (one encoder call), unless their rows are "
                                "1/4 of the emptiest lane's")
    small_requests: float = Field(4.0, ge=0, description="continuous batching: a request whose source subwords are "
                                  "at most 1/N of the mean of the other requests in flight decodes in its lane's "
                                  "small batch, which steps before the lane's other sentences (0: none is small)")
    small_share: float = Field(4.0, gt=0, description="continuous batching: a lane's small batch steps for up to N "
                               "times the lane's other step time between two of its other steps")
    queue_size: int = Field(2048, gt=0, description="sentences waiting for the model; beyond this: 503")
    cache_sentences: int = Field(0, ge=0, description="recently searched sentences whose hypotheses each model keeps, "
                                 "to answer them again without the model (app/cache.py); 0: none")

    # decoding and per-request limits
    beam_size: int = Field(5, gt=0, description="beam size of requests that do not choose one (1 = greedy)")
    length_penalty: float = Field(1.0, ge=0, description="GNMT length penalty alpha of the beam search")
    rerank: float = Field(0.0, ge=0, description="rerank each sentence's beam with the served model of the other "
                          "direction, this weight of its score (model/rerank.py); 0: off. Every served model then "
                          "needs its reverse")
    segment_chars: int = Field(0, ge=0, description="the sentences of a line are translated together "
                               "while they fit in this many characters (model/segment.py); 0: each sentence alone")
    max_chars: int = Field(20_000, gt=0, description="characters in one request, all items together")
    max_items: int = Field(128, gt=0, description="texts in one request")
    max_sentence_chars: int = Field(1_000, gt=0, description="characters in one sentence after splitting")
    max_sentence_subwords: int = Field(400, gt=0, description="subwords (the model's units) in one sentence: what "
                                       "decoding costs, with the square of it; 1,000 characters of English are "
                                       "about 250, of '1 A 1 A ...' 750")
    max_beam_size: int = Field(8, gt=0, description="largest beam_size (and nbest) a request may ask for")
    request_timeout_s: float = Field(30.0, gt=0, description="a translation not done by then: 504")
    max_body_bytes: int = Field(1_000_000, gt=0, description="larger request bodies: 413")
    max_glossary_terms: int = Field(1_000, gt=0, description="entries of one request's glossary; beyond: 413")
    max_term_chars: int = Field(200, gt=0, description="characters of one glossary term, source or target")

    # files (POST /translate_file, GET /download_file/ID)
    max_file_bytes: int = Field(10_000_000, gt=0, description="largest file to translate, pictures and all (413); "
                                "its upload may be this large whatever max_body_bytes says")
    max_file_chars: int = Field(100_000, gt=0, description="characters of a file's text (413), in place of max_chars "
                                "(a key's own limit holds for its files too); its translation is held to "
                                "request_timeout_s")
    stored_files: int = Field(100, gt=0, description="translated files kept for download; the oldest go first")
    stored_file_ttl_s: float = Field(3600.0, gt=0, description="seconds a translated file is kept for download")
    files_dir: Path | None = Field(None, description="a directory every replica mounts: translated files are kept "
                                   "there, any replica serves their downloads, and stored_files and "
                                   "stored_file_ttl_s hold over all (default: a private temporary directory)")

    # access
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list,
                                                     description="accepted keys, comma-separated; empty: open")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list,
                                                         description="allowed origins, comma-separated; empty: no CORS")
    requests_per_minute: int = Field(0, ge=0, description="requests per minute of each API key (of each client "
                                     "address on a server without keys); beyond: 429 with Retry-After; 0: no limit")
    key_limits: dict[str, KeyLimits] = Field(default_factory=dict, description="limits of some keys in place of the "
                                             'server\'s, JSON: {"KEY": {"requests_per_minute": 30, "max_chars": 5000}}')
    log_texts: bool = Field(False, description="log request texts (never otherwise)")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="the service's log lines at this level and above (info: each model loaded, ready, one "
        "line per request; warning: problems only); `nmt serve` sets uvicorn's own lines to it too")

    @classmethod
    def load(cls, **given: Any) -> Settings:
        """The settings of the NMT_* variables, and the values given in their place; ValueError, in one line naming
        each setting refused, for a bad one (how `nmt serve` and app_from_env stop at start)."""
        try:
            return cls(**given)
        except ValidationError as e:
            raise ValueError("; ".join(_refusal(error) for error in e.errors())) from None
        except SettingsError as e:  # NMT_KEY_LIMITS that is not JSON: pydantic-settings names the field, not why
            raise ValueError(f"{e} ({e.__cause__})") from None

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            items = [item.strip() for item in value.split(",") if item.strip()]
            if value.strip() and not items:  # NMT_API_KEYS="," meant keys, and served an open server
                raise ValueError("only commas and spaces: name at least one, or leave it empty for none")
            return items
        return value

    @field_validator("files_dir")
    @classmethod
    def _files_dir_is_writable(cls, value: Path | None) -> Path | None:
        return value if value is None else writable_directory(value)  # else every file translation would be a 500

    @model_validator(mode="after")
    def _segments_fit_the_sentence_limit(self) -> Settings:
        if self.segment_chars > self.max_sentence_chars:  # else sentences let in alone would be refused packed
            raise ValueError(f"segment_chars ({self.segment_chars}) exceeds max_sentence_chars "
                             f"({self.max_sentence_chars})")
        return self

    @model_validator(mode="after")
    def _default_beam_is_allowed(self) -> Settings:
        if self.beam_size > self.max_beam_size:  # else every request that leaves the beam to the server is refused
            raise ValueError(f"beam_size ({self.beam_size}) exceeds max_beam_size ({self.max_beam_size})")
        return self

    @model_validator(mode="after")
    def _limited_keys_are_accepted(self) -> Settings:
        unknown = sorted(set(self.key_limits) - set(self.api_keys))
        if unknown:
            raise ValueError(f"key_limits names {len(unknown)} key(s) that are not in api_keys")  # never echo a key
        return self

    def decode_options(self, beam_size: int | None = None, nbest: int = 1, with_attention: bool = False,
                       rerank: float | None = None) -> DecodeOptions:
        """A request's decoding: what it chose (None: the server's choice), the server's for the rest."""
        return DecodeOptions(beam_size=beam_size or self.beam_size, nbest=nbest, length_penalty=self.length_penalty,
                             with_attention=with_attention, rerank=self.rerank if rerank is None else rerank)

    def rate_of(self, key: str | None) -> int:
        """Requests per minute allowed to an API key (None: no key, on an open server); 0: no limit."""
        own = self.key_limits.get(key) if key is not None else None
        return own.requests_per_minute if own and own.requests_per_minute is not None else self.requests_per_minute

    def chars_of(self, key: str | None) -> int:
        """Characters per request allowed to an API key (None: no key, on an open server)."""
        own = self.own_chars(key)
        return own if own is not None else self.max_chars

    def file_chars_of(self, key: str | None) -> int:
        """Characters of a file's text allowed to an API key: a key's own limit holds for its files too, the
        server's text limit (max_chars) does not."""
        own = self.own_chars(key)
        return min(self.max_file_chars, own) if own else self.max_file_chars

    def own_chars(self, key: str | None) -> int | None:
        """The API key's own characters per request, if NMT_KEY_LIMITS gives it one."""
        own = self.key_limits.get(key) if key is not None else None
        return own.max_chars if own else None


def _refusal(error: ErrorDetails) -> str:
    """One validation error of the settings. An error of two settings together (key_limits naming a key that api_keys
    lacks) has no field to name: it names the settings."""
    return f"setting {error['loc'][0]}: {error['msg']}" if error["loc"] else f"settings: {error['msg']}"
