"""What the model accepts as input text: valid Unicode, with control characters turned into spaces.

The Translator checks every text (check_text) before cutting it into sentences at its line breaks, and cleans
each sentence (clean_input) before tokenizing it, so the service and the evaluation job refuse the same texts
with the same message.
"""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0 and C1 control characters, tab and line breaks included

# The scripts written without spaces between words (Chinese, Japanese; Korean between a word and its particle): CJK
# ideographs, kana, Hangul, CJK punctuation and compatibility forms
CJK = ("\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f"
       "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\U00020000-\U0003fffd")
# Thai, Lao, Khmer and Myanmar: written without spaces between words too, but with a space between phrases and
# sentences, and not wide. Their letters, marks and punctuation, not their digits (๓๔๕ is a number, as the span rules
# read it)
SOUTHEAST_ASIAN = ("\u0e01-\u0e4f\u0e5a-\u0ecf\u0eda-\u0eff\u1000-\u103f\u104a-\u108f\u109a-\u109f"
                   "\u1780-\u17df\u17ea-\u17ff\u19e0-\u19ff\ua9e0-\ua9ef\ua9fa-\ua9ff\uaa60-\uaa7f")
UNSPACED = CJK + SOUTHEAST_ASIAN  # every script written without spaces between words
# East Asian wide and full-width characters (those, and full-width forms): each says about as much as two or three
# Latin letters, and a terminal gives it two columns
WIDE = re.compile(f"[{CJK}\uff00-\uff60\uffe0-\uffe6]")


class InvalidText(ValueError):
    """A text that cannot be translated as given."""


class LongSentence(ValueError):
    """A text with a sentence longer than the caller's limit (the service's max_sentence_chars: 413)."""


def clean_input(text: str) -> str:
    """The text with every control character replaced by a space; InvalidText if it is not a valid string."""
    check_text(text)
    return _CONTROL.sub(" ", text)


def check_text(text: str) -> None:
    """InvalidText if text is not a valid string.

    A lone surrogate (half of a UTF-16 pair, e.g. from JSON "\\ud800") is not a character: it cannot be
    encoded, so it is refused rather than guessed at.
    """
    if not isinstance(text, str):
        raise InvalidText(f"expected a string, got {type(text).__name__}")
    if surrogate := _SURROGATE.search(text):
        raise InvalidText(f"not valid Unicode: a lone surrogate (U+{ord(surrogate.group()):04X}) "
                          f"at character {surrogate.start()}")
