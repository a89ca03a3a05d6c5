"""ICU MessageFormat's choices in a program's message, as Flutter's .arb files, i18next's ICU format and Angular's
XLIFF write them:

    {count, plural, =0{No items} one{# item} other{{count} items}}
    {sex, select, male{He replied} female{She replied} other{They replied}}

The text of each branch is translated apart, and the choice's argument, keywords and selectors are kept as written,
so that the translation is still a message the program can format (sent whole, the model makes prose of it: "0 y no 1
en la casa de {count}", which no formatter reads). Text outside a choice, before or after it, is translated apart
too. A message without a choice stays one text, its {name} arguments spans the pipeline keeps (model/spans.py, as it
keeps a plural branch's #); so does one whose braces do not pair (not MessageFormat: left as the model makes it).

Apostrophes are read as ICU4J and FormatJS read them (ApostropheMode.DOUBLE_OPTIONAL): '' is one apostrophe, and one
before { or } (or # in a plural's branch) starts a quoted stretch, to the next lone one: '{name}' is the text {name},
no argument. A quoted stretch is text (the model sees it as written), never a choice's brace. In a message with a
choice, an apostrophe of a translation that ICU would read as quoting (before { } # | or another apostrophe, or at a
text's end, before the branch's }) is doubled, so that ICU reads the apostrophe the translation meant; a quoted
stretch copied from the source is kept as written.
"""
from __future__ import annotations

import re
from collections.abc import Callable

CHOICE = re.compile(r"\{\s*\w+\s*,\s*(plural|select|selectordinal)\s*,")
SELECTOR = re.compile(r"\s*(?:offset:\d+\s+)?(=?[\w-]+)\s*\{")  # a branch's selector (=0, one, other, male) and its {
ARGUMENT = re.compile(r"\{[^{}]*\}")  # a simple one: {name}, {price, number}
QUOTED = re.compile(r"''|'([{}#])(?:[^']|'')*'?")  # '' (one apostrophe), or a quoted stretch: '{', 'it''s {x}'
QUOTING = re.compile(r"'(?=[{}#|']|\Z)")  # an apostrophe that ICU would read as quoting, or as half of ''
Piece = str | int  # text kept as written, or the number of a text translated


class _Unpaired(ValueError):
    """The message's braces do not pair as MessageFormat's do."""


def cut(message: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The message's texts (one, the message, where it holds no choice), and what writes it with their
    translations."""
    if not CHOICE.search(message):
        return [message], lambda translations: translations[0]
    texts: list[str] = []
    try:
        pieces, end = _pieces(message, 0, texts, plural=False)
        if end != len(message):
            raise _Unpaired
    except _Unpaired:
        return [message], lambda translations: translations[0]

    def render(translations: list[str]) -> str:
        return "".join(p if isinstance(p, str) else _edged(texts[p], translations[p]) for p in pieces)

    return texts, render


def _pieces(message: str, at: int, texts: list[str], plural: bool) -> tuple[list[Piece], int]:
    """The pieces of the (sub)message from at to its closing brace (or its end), and where that is; its texts (of a
    letter, with the arguments and quoted stretches in them) added to texts. plural: it is a plural's branch (where
    an apostrophe before # quotes too)."""
    pieces: list[Piece] = []
    text_start = at
    while at < len(message) and message[at] != "}":
        if (quoted := _quoted(message, at, plural)) > at:
            at = quoted  # (text, whatever braces it holds)
            continue
        if message[at] != "{":
            at += 1
            continue
        if (choice := CHOICE.match(message, at)) is None:
            at = _argument_end(message, at)  # ({name}, {price, number}: in the text, a span)
            continue
        pieces += _text(message[text_start:at], texts)
        inner, at = _choice(message, choice, texts)
        pieces += inner
        text_start = at
    return pieces + _text(message[text_start:at], texts), at


def _choice(message: str, choice: re.Match[str], texts: list[str]) -> tuple[list[Piece], int]:
    """A choice's pieces: its head, then each branch's selector kept and its submessage's pieces; and where it ends."""
    pieces: list[Piece] = [choice[0]]
    at = choice.end()
    while (branch := SELECTOR.match(message, at)) is not None:
        inner, at = _pieces(message, branch.end(), texts, plural=choice[1] != "select")
        if at >= len(message):
            raise _Unpaired
        pieces += [branch[0], *inner, "}"]
        at += 1
    closing = re.compile(r"\s*\}").match(message, at)
    if closing is None:
        raise _Unpaired
    return [*pieces, closing[0]], closing.end()


def _quoted(message: str, at: int, plural: bool) -> int:
    """Where the quoted stretch (or '') that starts at `at` ends: past its closing apostrophe, or the message's end
    where it has none; `at` where none starts there (an apostrophe before # quotes in a plural's branch only)."""
    quoted = QUOTED.match(message, at)
    return at if quoted is None or quoted[1] == "#" and not plural else quoted.end()


def _argument_end(message: str, at: int) -> int:
    """Where a simple argument that starts at the brace at `at` ends (past its closing brace)."""
    depth = 0
    for k in range(at, len(message)):
        depth += {"{": 1, "}": -1}.get(message[k], 0)
        if depth == 0:
            return k + 1
    raise _Unpaired


def _text(text: str, texts: list[str]) -> list[Piece]:
    """A text between a choice's parts: one to translate if it has a letter outside its arguments (a quoted stretch's
    are text: '{name}'), else kept."""
    outside = re.sub(f"({QUOTED.pattern})|{ARGUMENT.pattern}", lambda found: found[1] or "", text)
    if not any(char.isalpha() for char in outside):
        return [text] if text else []
    texts.append(text)
    return [len(texts) - 1]


def _edged(source: str, translation: str) -> str:
    """The translation with the white space its source had at either end (" items" after an argument), its
    apostrophes written as ICU reads them as meant (a source translated into itself as written)."""
    lead, trail = source[:len(source) - len(source.lstrip())], source[len(source.rstrip()):]
    text = translation.strip()
    return lead + (text if text == source.strip() else _requoted(source, text)) + trail


def _requoted(source: str, translation: str) -> str:
    """The translation with each apostrophe that ICU would read as quoting doubled ('' is one apostrophe, to ICU),
    but in a quoted stretch copied from the source ('{name}'), which is kept as the source wrote it."""
    copied = sorted({quoted[0] for quoted in QUOTED.finditer(source)}, key=len, reverse=True)
    found = re.compile("|".join([*map(re.escape, copied), QUOTING.pattern]))
    return found.sub(lambda apostrophe: "''" if apostrophe[0] == "'" else apostrophe[0], translation)
