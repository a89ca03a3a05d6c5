"""Android's string resources (res/values/strings.xml): each string, string array's item and plural's item
translated in place, for the app's res/values-es/ (the translation of strings.xml is strings.es.xml).

A string's text is read as aapt2 reads it, and written so that aapt2 reads the translation back exactly:

    escapes     \\' \\" \\\\ \\n \\t \\@ \\? \\uXXXX  (an apostrophe or a quote unescaped is an error to aapt2 or a quote)
    quotes      "  kept  " keeps its whitespace; outside them, a run of whitespace is one space, none at the ends
    markup      <b>, <i>, <u>, <annotation>, ... go back around the words they held (app/inline.py);
                <xliff:g> (a placeholder, or a name not to translate) is kept whole after the word it followed
    HTML        a string that holds HTML as text (in CDATA or escaped: &lt;b&gt;, for Html.fromHtml) goes to the
                pipeline as that HTML, so its tags go back around their words too

Left alone: a string or array marked translatable="false", a reference to another resource (@string/app_name,
?attr/...), a string without a letter, and everything that is not a string (dimensions, colours, styles). A
plural's items are the target language's CLDR categories (app/plurals.py: Spanish one, many, other; Japanese other),
one the source lacks written as its "other" is. printf's placeholders (%1$s, %d) are spans the pipeline keeps
verbatim (model/spans.py). A file whose tools:locale is not the source language is refused; the translation's is the
target's.
"""
from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass

from lxml import etree

from nmt.app import inline, plurals
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written, check_language
from nmt.app.xmltree import local_name, parsed, serialized
from nmt.model.html import BR

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"  # <xliff:g>: what a translator must not translate
LOCALE = "{http://schemas.android.com/tools}locale"  # the language of a file of values/, for lint
READ = re.compile(r'\\u([0-9a-fA-F]{4})|\\(.?)|(")|(\s+)|([^\\"\s]+)', re.DOTALL)
COLLAPSED = "\x00"  # whitespace outside quotes, until it is known whether it is at an end (dropped) or not (a space)
MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")  # a tag in a string's text: HTML for Html.fromHtml
ESCAPED = str.maketrans({"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\t": "\\t"})
SPACES = re.compile(r"^\s|\s$|\s\s")  # what aapt2 would collapse or drop outside quotes


@dataclass(frozen=True)
class _String:
    """A string (or an item) to translate: its HTML for the pipeline, and what writes its translation back."""

    element: etree._Element
    html: str
    codes: inline.Codes
    markup: bool  # its text is HTML itself (Html.fromHtml's), written back as text
    cdata: bool  # that text was in a CDATA section


def read(content: bytes) -> Written:
    """The file's strings, and what writes it with their translations; Damaged if it is not Android's resources."""
    tree = parsed(content)
    root = tree.getroot()
    if local_name(root) != "resources":
        raise Damaged("its root element is not <resources> (an .xml file is read as Android's string resources, or "
                      "as TTML subtitles where its root is <tt>)")
    strings = [_read(element) for element in translated(root)]
    strings = [s for s in strings if any(c.isalpha() for c in s.html)]

    def render(translations: list[str], languages: Languages) -> bytes:
        _check_locale(root, languages)
        for string, translation in zip(strings, translations, strict=True):
            _write(string, translation)
        categories = plurals.categories(languages.target)
        for element in root.iter("plurals"):
            if categories and element.get("translatable") != "false":
                _quantities(element, categories)
        return serialized(tree, content)

    return [s.html for s in strings], render


def translated(root: etree._Element) -> list[etree._Element]:
    """The strings and items whose text is translated: not marked translatable="false", not references."""
    found: list[etree._Element] = []
    for resource in root:
        if not isinstance(resource.tag, str) or resource.get("translatable") == "false":
            continue
        kind = local_name(resource)
        if kind == "string":
            found.append(resource)
        elif kind in ("string-array", "plurals"):
            found += [item for item in resource if local_name(item) == "item"]
    return [e for e in found if not (e.text or "").lstrip().startswith(("@", "?"))]


def _read(element: etree._Element) -> _String:
    """A string's text as aapt2 reads it, as HTML: its markup as app/inline.py writes it, or the HTML its text is."""
    codes: inline.Codes = []
    text = _Reading()(element.text or "")
    markup = not len(element) and bool(MARKUP.search(text))
    # (a line break, \n, as <br>: the pipeline translates a text's lines apart, and HTML would read it as a space)
    found = text if markup else inline.as_html(element, codes, _paired, _Reading()).replace("\n", "<br>")
    cdata = markup and b"<![CDATA[" in etree.tostring(element)
    return _String(element, found.strip(COLLAPSED).replace(COLLAPSED, " "), codes, markup, cdata)


class _Reading:
    """aapt2's reading of one string's text, node after node: escapes, and quotes, which may span nodes."""

    def __init__(self) -> None:
        self.quoted = False

    def __call__(self, raw: str) -> str:
        out = []
        for code, escaped, quote, space, chars in READ.findall(raw):
            if code:
                out.append(chr(int(code, 16)))
            elif quote:
                self.quoted = not self.quoted
            elif space:
                out.append(space if self.quoted else COLLAPSED)
            else:
                out.append(chars or {"n": "\n", "t": "\t"}.get(escaped, escaped))
        return "".join(out)


def shown(element: etree._Element) -> str:
    """What a string (or an item) shows, as a training corpus holds it: its text as aapt2 reads it, without its
    markup, a line break a line feed."""
    found = _read(element).html
    return html.unescape(MARKUP.sub(lambda tag: "\n" if BR.fullmatch(tag[0]) else "", found))


def _paired(code: etree._Element) -> bool:
    """An element around words that the translation puts back around theirs; not a placeholder (xliff:g)."""
    return isinstance(code.tag, str) and etree.QName(code).namespace != XLIFF


def _write(string: _String, translation: str) -> None:
    """The translation as the string's content, escaped as aapt2 reads it: its markup put back, or its HTML text."""
    element = string.element
    element.text = None
    del element[:]
    if string.markup:
        text = translation.translate(ESCAPED)
        element.text = etree.CDATA(text) if string.cdata else text
    else:
        inline.fill(element, translation, string.codes, lambda text: text.translate(ESCAPED))
    if not len(element) and SPACES.search(element.text or ""):
        element.text = f'"{element.text}"'
    elif (element.text or "").startswith(("@", "?")):
        element.text = "\\" + (element.text or "")


def _quantities(element: etree._Element, categories: tuple[str, ...]) -> None:
    """A plural's items made the categories given: those it lacks written as its "other" is, those it has beyond them
    removed."""
    items = {item.get("quantity"): item for item in element if local_name(item) == "item"}
    other = items.get("other")
    if other is None:
        return
    for quantity in categories:
        if quantity not in items:
            made = copy.deepcopy(other)
            made.set("quantity", quantity)
            made.tail = element.text if not (element.text or "").strip() else None  # (the indent before an item)
            other.addprevious(made)
    for named, item in items.items():
        if named not in categories:
            previous = item.getprevious()
            if item.getnext() is None and previous is not None:
                previous.tail = item.tail  # (the line break before </plurals>)
            element.remove(item)


def _check_locale(root: etree._Element, languages: Languages) -> None:
    """Damaged if the file says it is in another language than the source; if it says, the target's once
    translated."""
    named = root.get(LOCALE)
    if named is None:
        return
    check_language("tools:locale", named, languages)
    root.set(LOCALE, languages.target)
