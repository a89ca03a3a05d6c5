"""JSON files (.json), as web and mobile apps keep their messages (i18next, Chrome's messages.json, Flutter's .arb,
any nested object of strings): each string value with a letter translated, every key, number and byte between kept
as written.

The file is checked to be JSON (the standard library's parser), then its strings are found where they are written
(a JSON string holds no unescaped quote, so a scan finds each whole), a key being a string that a colon follows. A
translation is written back as JSON writes a string, its non-ASCII characters as they are. Placeholders such as
{{name}}, {name} and %s are spans the pipeline keeps verbatim (model/spans.py).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable

from nmt.app.packages import Damaged

STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
KEY = re.compile(r"\s*:")


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's string values with a letter, and what writes it with their translations; Damaged if it is not
    JSON."""
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise Damaged(f"it is not JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    values = [(m.start(), m.end(), json.loads(m.group())) for m in STRING.finditer(text)
              if not KEY.match(text, m.end())]
    values = [(start, end, value) for start, end, value in values if any(c.isalpha() for c in value)]

    def render(translations: list[str]) -> str:
        pieces, at = [], 0
        for (start, end, _), translation in zip(values, translations, strict=True):
            pieces += [text[at:start], json.dumps(translation, ensure_ascii=False)]
            at = end
        return "".join(pieces) + text[at:]

    return [value for _, _, value in values], render
