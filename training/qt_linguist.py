"""Qt Linguist files (.ts) as parallel corpora (what a Qt program's translators have written, which
app/qt_linguist.py fills): each finished message is a pair, its source and its translation, streamed one message at
a time (training/xml_stream.py). An unfinished translation is a guess to be reviewed, and a vanished or obsolete one
is of text gone from the program: both are left out, as gettext's fuzzy and obsolete messages are; a message without
a translation (lupdate marks it unfinished) is a pair without a target (counted). A plural message is left out: its
one source ("%n file(s)") stands for several forms, none of them its translation alone."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from nmt.app.qt_linguist import GONE
from nmt.app.xmltree import child
from nmt.training.xml_stream import check_languages, elements

TsPair = tuple[int, str, str | None]  # (line, source, translation); None: the message has none


def read_ts(path: Path, src_lang: str, tgt_lang: str) -> Iterator[TsPair]:
    """Each finished message's line, source and translation; CorpusError if the file names other languages than
    src_lang and tgt_lang (a code without region, "es", matches "es_ES")."""
    for event, line, element in elements(path, ("TS", "message"), events=("start", "end")):
        if event == "start" and element.tag == "TS":
            check_languages(path, line, element, ("sourcelanguage", "language"), (src_lang, tgt_lang))
        elif event == "end" and element.tag == "message":
            yield from _pair(line, element)


def _pair(line: int, message: etree._Element) -> Iterator[TsPair]:
    source, translation = child(message, "source"), child(message, "translation")
    if source is None or message.get("numerus") == "yes":
        return
    text = (translation.text or None) if translation is not None else None
    kind = translation.get("type") if translation is not None else None
    if kind in GONE or kind == "unfinished" and text:
        return
    yield line, source.text or "", text
