"""gettext files (.po) as parallel corpora (what software's translators have written, which app/po.py fills): each
translated message is a pair, its msgid and its msgstr (a plural message two: msgid and msgstr[0], msgid_plural and
msgstr[1]). A message flagged fuzzy is a guess to be reviewed, and is left out; one without a translation is a
pair without a target (counted, as an XLIFF unit without one is)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nmt.app import po
from nmt.app.packages import Damaged
from nmt.model.languages import primary
from nmt.training.compressed import read_whole
from nmt.training.errors import CorpusError

PoPair = tuple[int, str, str | None]  # (line, source, target); None: the message has no translation


def read_po(path: Path, src_lang: str, tgt_lang: str) -> Iterator[PoPair]:
    """Each message's pairs with the line of its msgid; CorpusError if the file is not one, or its header's Language
    is not tgt_lang (a code without region, "es", matches "es_MX"); the source language is not written in it."""
    text = read_whole(path, lambda content: po.decoded(content).removeprefix("\ufeff"))
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        messages = po.messages(lines)
    except Damaged as e:
        raise CorpusError(f"{path}: {e}") from None
    for message in messages:
        if not message.fields.get("msgid"):  # the header
            _check_language(path, message, tgt_lang)
        elif not message.fuzzy:
            yield from _pairs(message)


def _pairs(message: po.Message) -> Iterator[PoPair]:
    line, fields = message.keywords + 1, message.fields
    if not message.plurals:
        yield line, fields["msgid"], fields.get("msgstr") or None
        return
    yield line, fields["msgid"], fields.get("msgstr[0]") or None
    if "msgid_plural" in fields:
        yield line, fields["msgid_plural"], fields.get("msgstr[1]") or None


def _check_language(path: Path, header: po.Message, tgt_lang: str) -> None:
    for entry in header.fields.get("msgstr", "").split("\n"):
        name, _, value = entry.partition(":")
        named = value.strip()
        if name.strip() == "Language" and named and primary(named) != primary(tgt_lang):
            raise CorpusError(f"{path}: line {header.keywords + 1}: its Language is {named}, but the pairs read "
                              f"are into {tgt_lang}")
