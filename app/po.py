"""gettext files (.po, and .pot templates), what software is translated in: each untranslated message's msgid
translated into its msgstr (a plural message's msgid into msgstr[0], its msgid_plural into the others it has).

A message is a block of lines: comments (#), a context (msgctxt), msgid, msgid_plural and msgstr, each a string
in double quotes (C escapes: \\n, \\t, \\", \\\\) that may go on over the next lines ("..." alone on a line). A
message whose msgstr has text (a translator's) is left alone, and so are the header (msgid ""), obsolete messages
(#~) and comments; a message translated here is flagged fuzzy, to be reviewed, as gettext's own tools flag a guess.
Its placeholders (%s, %(name)s, {0}) are spans the pipeline keeps verbatim. Every other line is kept as written; the
header's Language becomes the target's (relabel).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nmt.app import labels
from nmt.app.packages import Damaged

KEYWORD = re.compile(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*)$')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
UNESCAPES = {value: f"\\{key}" for key, value in ESCAPES.items()}
# the header's Language (empty in a template) as the target's
relabel = labels.matched(re.compile(rb'^("Language:[ \t]*)([\w-]*)(\\n")', re.MULTILINE), count=1, blank=True)


@dataclass
class Message:
    """One message: its fields' strings, where its keywords start, and the lines of its msgstr fields."""

    fields: dict[str, str]
    keywords: int  # its first keyword's line (msgctxt or msgid): where a flags line goes before
    flags: int | None = None  # its "#," line, if it has one
    fuzzy: bool = False  # flagged so: a guess, to be reviewed
    msgstr: tuple[int, int] = (0, 0)  # the lines of its msgstr fields, [first, end)
    plurals: int = 0  # how many msgstr[n] it has (0: one msgstr, without an index)

    @property
    def untranslated(self) -> bool:
        return bool(self.fields.get("msgid")) and not any(
            text for name, text in self.fields.items() if name.startswith("msgstr"))

    @property
    def sources(self) -> list[str]:
        """What is translated: its msgid, and its msgid_plural if it has plural forms."""
        return [self.fields["msgid"]] + [self.fields.get("msgid_plural", self.fields["msgid"])] * (self.plurals > 0)

    def written(self, lines: list[str], translations: list[str]) -> None:
        """Its msgstr lines in lines written with the translations of its sources (msgstr[0] the singular's, the
        others the plural's), flagged fuzzy."""
        edged = [_edged(source, t) for source, t in zip(self.sources, translations, strict=True)]
        singular, plural = edged[0], edged[-1]
        fields = [("msgstr", singular)] if not self.plurals else [
            (f"msgstr[{n}]", singular if n == 0 else plural) for n in range(self.plurals)]
        lines[self.msgstr[0]:self.msgstr[1]] = [line for keyword, text in fields for line in _field(keyword, text)]
        if self.flags is None:
            lines.insert(self.keywords, "#, fuzzy")
        elif "fuzzy" not in lines[self.flags]:
            lines[self.flags] += ", fuzzy"


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's untranslated msgids (and msgid_plurals), and what writes it with their translations; Damaged where
    a line is not what a .po file holds."""
    lines = text.split("\n")
    todo = [m for m in messages(lines) if m.untranslated]

    def render(translations: list[str]) -> str:
        found, written = iter(translations), list(lines)
        each = [[next(found) for _ in message.sources] for message in todo]
        for message, translated in reversed(list(zip(todo, each, strict=True))):  # from the end: lines stay put
            message.written(written, translated)
        return "\n".join(written)

    return [text for message in todo for text in message.sources], render


def messages(lines: list[str]) -> list[Message]:
    """The file's messages, but obsolete ones (#~); Damaged for a line that is neither a comment, a keyword's, a
    string going on, nor blank, and for a message without a msgstr."""
    messages: list[Message] = []
    flags: int | None = None  # the last "#," line before the message being read
    current: Message | None = None
    field = ""
    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):  # a comment or a blank line ends a message
            messages += [current] if current is not None else []
            current, field = None, ""
            flags = k if stripped.startswith("#,") else flags if stripped.startswith("#") else None
            continue
        if (keyword := KEYWORD.match(stripped)) is not None:
            if current is None or keyword[1] in ("msgctxt", "msgid") and "msgid" in current.fields:
                messages += [current] if current is not None else []
                current, flags = Message({}, k, flags, flags is not None and "fuzzy" in lines[flags]), None
            field = keyword[1]
            current.fields[field] = _string(keyword[3], k)
            if field.startswith("msgstr"):
                current.msgstr = (current.msgstr[0] or k, k + 1)
                current.plurals += keyword[2] is not None
        elif stripped.startswith('"') and current is not None and field:
            current.fields[field] += _string(stripped, k)
            if field.startswith("msgstr"):
                current.msgstr = (current.msgstr[0], k + 1)
        else:
            raise Damaged(f"line {k + 1} is not a comment, a keyword (msgid, msgstr, ...) or a string")
    messages += [current] if current is not None else []
    for message in messages:
        if not message.msgstr[1]:
            raise Damaged(f"line {message.keywords + 1}: a message without a msgstr")
    return messages


def _string(quoted: str, k: int) -> str:
    found = STRING.fullmatch(quoted)
    if found is None:
        raise Damaged(f"line {k + 1}: a string not in double quotes")
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m[1], m[0]), found[1])


def _edged(source: str, translation: str) -> str:
    """The translation starting and ending with a line break where its source does (msgfmt checks it)."""
    core = translation.strip("\n")
    return "\n" * source.startswith("\n") + core + "\n" * source.endswith("\n")


def _field(keyword: str, text: str) -> list[str]:
    """A field as gettext writes it: one line, or an empty string then a line for each line of the text."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    if len(lines) <= 1:
        return [f'{keyword} "{_escaped(text)}"']
    return [f'{keyword} ""', *(f'"{_escaped(line)}"' for line in lines)]


def _escaped(text: str) -> str:
    return "".join(UNESCAPES.get(char, char) for char in text)
