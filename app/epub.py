"""EPUB books (.epub): each XHTML document in the book translated as one HTML text (model/html.py keeps every tag
as written, so the markup stays well-formed XML), every other entry kept byte for byte, the mimetype entry first
and stored as the format requires.

The one change XML needs: a no-break space, which the HTML pipeline writes as &nbsp;, is written &#160; (XML knows
no &nbsp; without a DTD). Not translated: the book's metadata (its title in the package document) and an EPUB 2
table of contents (toc.ncx); an EPUB 3 table of contents is an XHTML document, translated as the others.
"""
from __future__ import annotations

import re

from nmt.app.packages import Damaged, Written, unzipped

MEDIA_TYPE = "application/epub+zip"
DOCUMENTS = re.compile(r"(?i).+\.(xhtml|html?)")


def read(content: bytes) -> Written:
    """The book's XHTML documents, each one text, and what writes the book around their translations; Damaged if it
    is not an EPUB book."""
    package = unzipped(content, "mimetype", DOCUMENTS)
    if package.kept["mimetype"].strip() != MEDIA_TYPE.encode():
        raise Damaged(f"its mimetype entry does not say {MEDIA_TYPE}")
    texts = []
    for name, part in package.parts.items():
        try:
            texts.append(part.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise Damaged(f"{name} is not UTF-8 (byte {e.start})") from None

    def render(translations: list[str]) -> bytes:
        return package.written({name: translation.replace("&nbsp;", "&#160;").encode("utf-8")
                                for name, translation in zip(package.parts, translations, strict=True)})

    return texts, render
