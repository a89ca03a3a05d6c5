"""Qt Linguist files (.ts), what Qt programs keep their messages in (lupdate writes them, lrelease compiles them):
each unfinished message's source translated into its translation.

A message is translated where its translation is empty, and stays marked type="unfinished", to be reviewed in Qt
Linguist (lrelease compiles unfinished translations unless told not to). A message whose translation has text, or is
vanished or obsolete (gone from the program), is left alone. A plural message (numerus="yes": one source, its count
%n) has the translation in each of its numerusforms: Qt picks one by the count, and the model gives one translation.
Qt's placeholders (%1, %n, %L1) are spans the pipeline keeps verbatim; its accelerators ("&Open") are taken out and
put back (app/accelerators.py). The file's language becomes the target's where it names none or the source's; one for
other languages is refused, as an XLIFF file is.
"""
from __future__ import annotations

from lxml import etree

from nmt.app import plurals
from nmt.app.accelerators import Accelerator
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written, check_language
from nmt.app.xmltree import child, local_name, parsed, serialized, text_of
from nmt.model.languages import primary

GONE = frozenset({"vanished", "obsolete"})
# what comes before a message's translation, in the order Qt's DTD gives: a new translation goes after the last
BEFORE_TRANSLATION = ("location", "source", "oldsource", "comment", "oldcomment", "extracomment", "translatorcomment")
QT = Accelerator("&")  # its accelerators' marker: "&Open" (app/accelerators.py)
QT_FORMS = {"tr": 1}  # where Qt's count of plural forms is not gettext's (lupdate -target-language tr: one)


def read(content: bytes) -> Written:
    """The file's unfinished sources, and what writes the file with their translations; Damaged if it is not a TS
    file."""
    tree = parsed(content)
    root = tree.getroot()
    if local_name(root) != "TS":
        raise Damaged("its root element is not <TS>")
    todo = [(message, QT.cut(source.text or "")) for message in root.iter("message")
            if (source := child(message, "source")) is not None and text_of(source) and _unfinished(message)]

    def render(translations: list[str], languages: Languages) -> bytes:
        _check_languages(root, languages)
        rule = plurals.rule(languages.target)
        forms = QT_FORMS.get(primary(languages.target), plurals.count(rule) if rule else None)
        for (message, marked), translation in zip(todo, translations, strict=True):
            _write(message, QT.put(translation, marked), forms)
        return serialized(tree, content)

    return [marked.text for _, marked in todo], render


def _unfinished(message: etree._Element) -> bool:
    """Its translation is missing or empty, and not of a message gone from the program."""
    translation = child(message, "translation")
    return translation is None or translation.get("type") not in GONE and not text_of(translation)


def _write(message: etree._Element, text: str, forms: int | None) -> None:
    """The translation in the message's translation, marked unfinished; a plural message's in each of its
    numerusforms, made as many as the target language has (forms; None: as many as it has, one at least)."""
    translation = child(message, "translation")
    if translation is None:
        translation = etree.Element("translation")
        last = [c for c in message if local_name(c) in BEFORE_TRANSLATION][-1]
        translation.tail, last.tail = last.tail, message.text
        last.addnext(translation)
    translation.set("type", "unfinished")
    if message.get("numerus") != "yes":
        translation.text = text
        return
    for form in _numerus_forms(translation, forms):
        form.text = text


def _numerus_forms(translation: etree._Element, count: int | None) -> list[etree._Element]:
    """The translation's numerusforms, made count (None: as many as it has, one at least), each on its own line as
    the file has them."""
    have = [c for c in translation if local_name(c) == "numerusform"]
    want = count or len(have) or 1
    closing = have[-1].tail if have else None  # (the line break before </translation>)
    for extra in have[want:]:
        translation.remove(extra)
    del have[want:]
    while len(have) < want:
        have.append(etree.SubElement(translation, "numerusform"))
    for form in have[:-1]:
        form.tail = translation.text  # (the line break and indent before the first)
    have[-1].tail = closing
    return have


def _check_languages(root: etree._Element, languages: Languages) -> None:
    """Damaged if the file is for other languages than the translation's; its language the target's where it names
    none or the source's."""
    for attribute, allowed in (("sourcelanguage", (languages.source,)), ("language", tuple(vars(languages).values()))):
        if named := root.get(attribute):
            check_language(attribute, named, languages, allowed)
    root.set("language", languages.label(root.get("language", "").encode(), blank=True).decode())
