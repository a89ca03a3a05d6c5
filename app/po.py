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

from nmt.app import labels, plurals
from nmt.app.accelerators import Accelerator
from nmt.app.labels import Languages
from nmt.app.packages import Damaged

KEYWORD = re.compile(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*)$')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
UNESCAPES = {value: f"\\{key}" for key, value in ESCAPES.items()}
LANGUAGE = re.compile(r"^(Language:[ \t]*)([\w-]*)$", re.MULTILINE)  # a header's, as its msgstr reads
CHARSET = re.compile(r"^(Content-Type:.*?charset=)([\w-]+)", re.MULTILINE)
PLURAL_FORMS = re.compile(r"^Plural-Forms:.*$", re.MULTILINE)
CHARSET_NAMED = re.compile(rb"charset=([\w-]+)")  # in the header, where an older file names its 8-bit encoding
ACCELERATOR = re.compile(r"^X-Accelerator-Marker:[ \t]*(\S)[ \t]*$", re.MULTILINE)


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
    def header(self) -> bool:
        """It is the file's header (msgid "" without a context): its msgstr holds the file's "Field: value" lines."""
        return self.fields.get("msgid") == "" and "msgctxt" not in self.fields and not self.plurals

    @property
    def sources(self) -> list[str]:
        """What is translated: its msgid, and its msgid_plural if it has plural forms."""
        return [self.fields["msgid"]] + [self.fields.get("msgid_plural", self.fields["msgid"])] * (self.plurals > 0)

    def written(self, lines: list[str], translations: list[str]) -> None:
        """Its msgstr lines in lines written with the translations of its sources (msgstr[0] the singular's, the
        others the plural's), flagged fuzzy."""
        edged = [_edged(source, t) for source, t in zip(self.sources, translations, strict=True)]
        singular, plural = edged[0], edged[-1]
        self.rewritten(lines, [singular] if not self.plurals else [singular] + [plural] * (self.plurals - 1))
        if self.flags is None:
            lines.insert(self.keywords, "#, fuzzy")
        elif "fuzzy" not in lines[self.flags]:  # first, as gettext's tools write it
            lines[self.flags] = "#, fuzzy, " + lines[self.flags].removeprefix("#,").lstrip()

    def rewritten(self, lines: list[str], forms: list[str]) -> None:
        """Its msgstr lines in lines written with forms: one msgstr, or a msgstr[n] for each plural form."""
        fields = [("msgstr", forms[0])] if not self.plurals else [(f"msgstr[{n}]", f) for n, f in enumerate(forms)]
        lines[self.msgstr[0]:self.msgstr[1]] = [line for keyword, text in fields for line in field(keyword, text)]

    def forms(self, count: int) -> list[str]:
        """Its plural forms made count: the last repeated, or those past count dropped (a language with one form
        takes the plural's: "%d files" reads right for any n, "%d file" does not)."""
        have = [self.fields.get(f"msgstr[{n}]", "") for n in range(self.plurals)]
        return have[:min(count, self.plurals) - 1] + [have[-1]] * (count - min(count, self.plurals) + 1)


def decoded(content: bytes) -> str:
    """The file's text: UTF-8, or the charset its header names (an older file's ISO-8859-1), which says UTF-8 once
    written (relabel); UnicodeDecodeError where it is neither, Damaged for a charset unknown."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        named = CHARSET_NAMED.search(content)
        if named is None or named[1].lower() == b"utf-8":
            raise
    charset = named[1].decode()
    try:
        return content.decode(charset)
    except LookupError:
        raise Damaged(f"its header names charset {charset}, which is not one known") from None
    except UnicodeDecodeError as e:
        raise Damaged(f"it is neither UTF-8 nor {charset}, as its header says (byte {e.start})") from None


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's untranslated msgids (and msgid_plurals), and what writes it with their translations; Damaged where
    a line is not what a .po file holds. Where the header names its accelerators' marker (X-Accelerator-Marker, as
    KDE's and LibreOffice's files do), the model sees the messages without it (app/accelerators.py)."""
    lines = text.split("\n")
    found = messages(lines)
    todo = [m for m in found if m.untranslated]
    accelerator = _accelerator(next((m for m in found if m.header), None))
    sources = [accelerator.cut(source) for message in todo for source in message.sources]

    def render(translations: list[str]) -> str:
        given, written = iter(zip(translations, sources, strict=True)), list(lines)
        each = [[accelerator.put(*next(given)) for _ in message.sources] for message in todo]
        for message, translated in reversed(list(zip(todo, each, strict=True))):  # from the end: lines stay put
            message.written(written, translated)
        return "\n".join(written)

    return [source.text for source in sources], render


def _accelerator(header: Message | None) -> Accelerator:
    """The accelerators' marker that the header names (without one, none)."""
    named = ACCELERATOR.search(header.fields["msgstr"]) if header is not None else None
    return Accelerator(named[1] if named else "")


def relabel(data: bytes, languages: Languages) -> bytes:
    """The file as the target's .po: its header's Language the target's (a template's empty one too), its charset
    UTF-8 (what it is written in); and where the header named no language or the source's, the target's plural forms
    (app/plurals.py), with each plural message's msgstr[n] made as many."""
    lines = data.decode("utf-8").split("\n")
    found = messages(lines)
    header = next((m for m in found if m.header), None)
    if header is None:
        return data
    before = header.fields["msgstr"]
    labelled = LANGUAGE.sub(lambda m: m[1] + languages.label(m[2].encode(), blank=True).decode(), before, count=1)
    after = CHARSET.sub(r"\1UTF-8", labelled, count=1)
    named = LANGUAGE.search(before)
    rule = plurals.rule(languages.target)
    if rule is not None and labels.primary(named[2] if named else "") in ("", labels.primary(languages.source)):
        after = PLURAL_FORMS.sub(f"Plural-Forms: {rule}", after, count=1) if PLURAL_FORMS.search(after) else (
            after + "\n" * (after != "" and not after.endswith("\n")) + f"Plural-Forms: {rule}\n")
        for message in reversed(found):  # from the end: lines stay put
            if message.plurals and message.plurals != plurals.count(rule):
                message.rewritten(lines, message.forms(plurals.count(rule)))
    if after != before:
        header.rewritten(lines, [after])
    return "\n".join(lines).encode("utf-8")


def messages(lines: list[str]) -> list[Message]:
    """The file's messages, but obsolete ones (#~); Damaged for a line that is neither a comment, a keyword's, a
    string going on, nor blank, and for a message without a msgid or a msgstr."""
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
            if current is None or keyword[1] in ("msgctxt", "msgid") and ("msgid" in current.fields or current.msgstr[1]):
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
        if "msgid" not in message.fields:  # (msgfmt refuses one too)
            raise Damaged(f"line {message.keywords + 1}: a message without a msgid")
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


def field(keyword: str, text: str) -> list[str]:
    """A field as gettext writes it: one line, or an empty string then a line for each line of the text."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    if len(lines) <= 1:
        return [f'{keyword} "{_escaped(text)}"']
    return [f'{keyword} ""', *(f'"{_escaped(line)}"' for line in lines)]


def _escaped(text: str) -> str:
    return "".join(UNESCAPES.get(char, char) for char in text)
