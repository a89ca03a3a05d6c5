"""The cleaning filters of preparation (data.filters), past what the readers refuse (not UTF-8, wrong columns,
empty sides): each returns why a normalised pair is dropped, or None. Duplicates are dropped by dedup.py."""
from __future__ import annotations

import re

from nmt.model.text import WIDE
from nmt.training.config import FilterConfig

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
TOO_LONG = "too long"  # subwords over data.max_len, applied to the prepared arrays (training/batching.py)
DUPLICATE = "duplicate pair"
IDENTICAL = "source identical to target"
CONTROL_CHARS = "control characters"


def ratio_reason(cfg: FilterConfig) -> str:
    return f"length ratio over {cfg.max_ratio:g}"


def why_dropped(src: str, tgt: str, cfg: FilterConfig) -> str | None:
    if cfg.control_chars and _has_control(src, tgt):
        return CONTROL_CHARS
    return why_dropped_printable(src, tgt, cfg)


def why_dropped_printable(src: str, tgt: str, cfg: FilterConfig) -> str | None:
    """why_dropped of a pair known to be printable (so without control characters)."""
    if cfg.identical and src == tgt:
        return IDENTICAL
    if cfg.max_ratio is not None:
        short, long = sorted((columns(src), columns(tgt)))
        if long >= cfg.min_ratio_chars and long > cfg.max_ratio * short:
            return ratio_reason(cfg)
    return None


def columns(text: str) -> int:
    """The text's length as the ratio filter measures it: a wide character counts twice. By characters, a Chinese
    sentence has a third of its English translation's ("我不喜欢米饭。", "I do not like rice."), and max_ratio 3
    dropped 397 of 650 Chinese-English pairs of a template corpus; counted so, none."""
    return len(text) + len(WIDE.findall(text)) if not text.isascii() else len(text)


def _has_control(*texts: str) -> bool:
    # isprintable() is a first look at C speed: every control character is unprintable (so are a few others)
    return not all(text.isprintable() for text in texts) and any(CONTROL.search(text) for text in texts)
