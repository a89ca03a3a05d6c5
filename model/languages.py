"""Language codes as clients, files and models write them (BCP 47 tags, or with "_": en, en-GB, pt_BR, zh-Hant-TW),
compared where one is not the other exactly: by their primary subtag, never across two scripts."""
from __future__ import annotations

import re

# The script that a Chinese code's region implies (CLDR's likely subtags): zh-TW is Traditional Chinese, zh-CN Simplified
IMPLIED_SCRIPT = {"zh-cn": "hans", "zh-sg": "hans", "zh-my": "hans", "zh-tw": "hant", "zh-hk": "hant", "zh-mo": "hant"}

# a language by its name, in English and in itself, as sheets' headers write it (else by its code)
NAMES = {"english": "en", "inglés": "en", "ingles": "en", "spanish": "es", "español": "es", "espanol": "es",
         "castellano": "es", "french": "fr", "français": "fr", "francais": "fr", "german": "de", "deutsch": "de",
         "italian": "it", "italiano": "it", "portuguese": "pt", "português": "pt", "portugues": "pt", "dutch": "nl",
         "nederlands": "nl", "chinese": "zh", "中文": "zh", "japanese": "ja", "日本語": "ja", "korean": "ko",
         "한국어": "ko", "russian": "ru", "русский": "ru", "arabic": "ar", "العربية": "ar", "polish": "pl",
         "polski": "pl", "catalan": "ca", "català": "ca"}
CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")  # as codes are written: en, en-US, pt_BR, zh-Hant (not EN)
BRACKETED = re.compile(r"(?:(term|translation)\s*)?[\[(]\s*([^\])]+?)\s*[\])]", re.IGNORECASE)  # "Term [en]"


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


def header_language(cell: str) -> str:
    """The language a sheet's or a corpus's header cell names ("" for none): a code (en-US), a name (English,
    Español, "English (UK)") or a CAT tool's "Term [en]"."""
    bracketed = BRACKETED.fullmatch(cell)
    cell = bracketed[2] if bracketed else cell
    word = re.sub(r"\s*\(.*\)$", "", cell).strip()  # English (United States)
    if word.lower() in NAMES:
        return NAMES[word.lower()]
    return cell.replace("_", "-") if CODE.fullmatch(cell) else ""
