"""Inline markup inside an XML file's texts (XLIFF's codes: app/xliff.py; Android's <b> and <xliff:g>:
app/android.py) as the HTML the pipeline translates, and back.

An element around text goes to the pipeline as <span id="K">, which the pipeline puts back around the words it held
(model/html_passes.py); any other (a placeholder, a code's start or end, an element whose text is not to be
translated) as <nmt-kept id="K"/>, kept whole after the word it followed. Each is written back as it was, its
attributes and all. K is the element's place in the text's list of codes.
"""
from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable

from lxml import etree

from nmt.app.xmltree import local_name

TOKEN = re.compile(r'<span id="(\d+)">|</span>|<nmt-kept id="(\d+)"/>|(<br\s*/?>)')  # what a text's HTML holds
Codes = list[etree._Element]  # a text's inline elements, by their number in its HTML


def as_html(element: etree._Element, codes: Codes, paired: Callable[[etree._Element], bool],
            read: Callable[[str], str] = lambda text: text, breaks: str = "") -> str:
    """The element's content as HTML, its inline elements added to codes (paired: those around text to translate;
    breaks: the local name of a line break, <br> in the HTML, whose lines the pipeline translates apart); read makes
    each text node's characters what they stand for (Android's escapes)."""
    out = [html.escape(read(element.text or ""), quote=False)]
    for code in element:
        k = len(codes)
        codes.append(code)
        if breaks and local_name(code) == breaks:
            out.append("<br>")
        elif paired(code):
            out.append(f'<span id="{k}">{as_html(code, codes, paired, read, breaks)}</span>')
        else:  # a code without text to translate, a comment
            out.append(f'<nmt-kept id="{k}"/>')
        out.append(html.escape(read(code.tail or ""), quote=False))
    return "".join(out)


def fill(target: etree._Element, translation: str, codes: Codes,
         write: Callable[[str], str] = lambda text: text, breaks: str = "") -> None:
    """The translation (HTML: text, spans of the codes around text, the other codes, line breaks) as the target's
    content, after what it holds: a <br> an element of the local name breaks in the target's namespace, or a line
    feed in its text; write makes each piece of text what the file writes for it (Android's escapes)."""
    open_ = [target]

    def text(chars: str) -> None:
        node, written = open_[-1], write(html.unescape(chars))
        if len(node):
            node[-1].tail = (node[-1].tail or "") + written
        else:
            node.text = (node.text or "") + written

    at = 0
    for token in TOKEN.finditer(translation):
        text(translation[at:token.start()])
        at = token.end()
        if token[1] is not None:  # a code around text opens
            code = codes[int(token[1])]
            open_.append(etree.SubElement(open_[-1], code.tag, attributes(code)))
        elif token[3] is not None:  # a line break
            if breaks:
                etree.SubElement(open_[-1], etree.QName(etree.QName(target).namespace, breaks))
            else:
                text("\n")
        elif token[2] is None:  # and closes
            if len(open_) > 1:
                open_.pop()
        else:
            kept = copy.deepcopy(codes[int(token[2])])
            kept.tail = None
            open_[-1].append(kept)
    text(translation[at:])


def attributes(element: etree._Element) -> dict[str, str]:
    """The element's attributes, by their (namespaced) names."""
    return {str(name): str(value) for name, value in element.attrib.items()}
