"""Timed Text subtitles (TTML: .ttml, .dfxp, and an .xml whose root is <tt>): what broadcasters and streaming
services exchange (IMSC, EBU-TT-D, Netflix's and Amazon's deliverables): each paragraph's text translated, its timing,
styles, regions and every other element kept as written.

    <tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="en">
      <body><div>
        <p begin="00:00:01.000" end="00:00:04.000">In the <span tts:fontStyle="italic">beginning</span><br/>God
        created the heavens.</p>

A paragraph (<p>) is one HTML text, as a SubRip cue is: its lines (<br/>) parted by <br>, which the pipeline
translates apart; a <span> around words goes back around theirs (app/inline.py), any other element (<set>, metadata)
is kept after the word it followed. The document's xml:lang (and a paragraph's or a division's) becomes the
target's where it names the source's; a document in another language is refused.
"""
from __future__ import annotations

import re

from lxml import etree

from nmt.app import inline
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written, check_language
from nmt.app.xmltree import local_name, parsed, serialized, text_of
from nmt.model.languages import primary

LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WHITE_SPACE = re.compile(r"\s+")


def read(content: bytes) -> Written:
    """The document's paragraphs as HTML, and what writes it with their translations; Damaged if it is not TTML."""
    tree = parsed(content)
    root = tree.getroot()
    if local_name(root) != "tt":
        raise Damaged("its root element is not <tt>")
    paragraphs = [p for p in root.iter() if local_name(p) == "p" and text_of(p)]
    codes: list[inline.Codes] = [[] for _ in paragraphs]
    # (white space collapsed, as TTML's xml:space="default" shows it: a pretty-printed paragraph's line ends and
    # indents are spaces)
    texts = [WHITE_SPACE.sub(" ", inline.as_html(p, held, _paired, breaks="br")).strip()
             for p, held in zip(paragraphs, codes, strict=True)]

    def render(translations: list[str], languages: Languages) -> bytes:
        _relabel(root, languages)
        for paragraph, held, translation in zip(paragraphs, codes, translations, strict=True):
            paragraph.text = None
            del paragraph[:]
            inline.fill(paragraph, translation, held, breaks="br")
        return serialized(tree, content)

    return texts, render


def _paired(code: etree._Element) -> bool:
    """An element around words that the translation puts back around theirs: a span."""
    return local_name(code) == "span"


def _relabel(root: etree._Element, languages: Languages) -> None:
    """Damaged if the document says it is in another language than the source; each xml:lang that names the source
    the target's."""
    if named := root.get(LANG):
        check_language("xml:lang", named, languages)
    for element in root.iter():
        label = element.get(LANG) if isinstance(element.tag, str) else None
        if label is not None and primary(label) == primary(languages.source):
            element.set(LANG, languages.target)
