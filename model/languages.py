"""Language codes as clients, files and models write them (BCP 47 tags, or with "_": en, en-GB, pt_BR, zh-Hant-TW),
compared where one is not the other exactly: by their primary subtag, never across two scripts."""
from __future__ import annotations

import re

# The script that a Chinese code's region implies (CLDR's likely subtags): zh-TW is Traditional Chinese, zh-CN Simplified
IMPLIED_SCRIPT = {"zh-cn": "hans", "zh-sg": "hans", "zh-my": "hans", "zh-tw": "hant", "zh-hk": "hant", "zh-mo": "hant"}


def primary(code: str) -> str:
    """A language code's primary subtag, lower case: en-GB, en_US, EN -> en."""
    return re.split(r"[-_]", code, maxsplit=1)[0].lower()


def matching(codes: list[str], language: str) -> list[int]:
    """The positions of the codes that are language written exactly so (in any case), else of those of its primary
    subtag (en-US and en for en; "" is none)."""
    exact = [i for i, code in enumerate(codes) if code and code.lower() == language.lower()]
    return exact or [i for i, code in enumerate(codes) if code and primary(code) == primary(language)]


def same_language(asked: str, served: str) -> bool:
    """Whether a request's language code may be served by a model of another code: their primary subtags alike, and
    not two scripts (zh-Hant or zh-TW, Traditional Chinese, never goes to a zh-Hans model; zh or zh-CN does)."""
    scripts = {_script(asked), _script(served)} - {None}
    return primary(asked) == primary(served) and len(scripts) <= 1


def _script(code: str) -> str | None:
    """The code's script subtag (four letters: zh-Hans-CN's Hans), or the one its region implies; None if neither."""
    tags = code.replace("_", "-").lower().split("-")
    named = next((tag for tag in tags[1:] if len(tag) == 4 and tag.isalpha()), None)
    return named or IMPLIED_SCRIPT.get("-".join(tags[:1] + tags[-1:]) if len(tags) > 1 else "")
