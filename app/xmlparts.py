"""XML parts of zipped documents (app/office.py, app/opendocument.py, app/epub.py) read for where each element
starts and ends, and edited as bytes, never re-serialized: whatever is not edited stays byte for byte as written
(prefixes, attribute order, declarations), which is what the programs that wrote the file expect to read again.
"""
from __future__ import annotations

import html
import re
import xml.parsers.expat
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field

from nmt.app.labels import Labels, Languages
from nmt.app.packages import Damaged, Package, Written

START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
ATTRIBUTE = re.compile(rb"""\s([^\s=>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # one, in a start tag
WHITE_SPACE = re.compile("[\t\n\r]")  # what XML reads as a space in an attribute's value, written as it is


def text_of(part: bytes) -> str:
    """The part as text; Damaged unless it is UTF-8, as every part read here must be (edits are written in UTF-8)."""
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Damaged(f"it is not UTF-8 (byte {e.start})") from None


def prefix_of(part: bytes, namespace: str) -> str | None:
    """The prefix the part binds to the namespace (on its root, in the files Office and LibreOffice write), "" if
    it is the default namespace (as in Excel's parts); Damaged if the part is not UTF-8."""
    text_of(part)
    found = re.search(rb'xmlns(?::([\w.-]+))?\s*=\s*["\']' + re.escape(namespace.encode()) + rb'["\']', part)
    return (found.group(1) or b"").decode() if found else None


def qualified(prefix: str, name: str) -> str:
    """An element's name as the part writes it, with the prefix of its namespace ("" for the default one)."""
    return f"{prefix}:{name}" if prefix else name


@dataclass
class Element:
    """One XML element of a part: its local name, its bytes [start, end), its content's bytes (None for an
    empty-element tag, <text:p/>), its children, and the text it holds."""

    name: str
    start: int
    end: int = -1
    content: tuple[int, int] | None = None
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def child(self, name: str) -> Element | None:
        return next((c for c in self.children if c.name == name), None)


def elements(part: bytes, prefix: str) -> Element:
    """The part's elements under a root that spans it all, each with its byte span; the prefix's (the paragraphs'
    namespace's) elements named without it; Damaged unless the part is well-formed XML."""
    parser = xml.parsers.expat.ParserCreate()
    root, stack = Element("", 0, len(part)), []
    stack.append(root)

    def start(name: str, _attributes: dict[str, str]) -> None:
        element = Element(_local(name, prefix), parser.CurrentByteIndex)
        stack[-1].children.append(element)
        stack.append(element)

    def end(name: str) -> None:
        element = stack.pop()
        tag = START_TAG.match(part, element.start)
        assert tag is not None, "expat read a start tag that START_TAG does not"
        if tag.group().endswith(b"/>"):  # an empty-element tag (<w:t/>), its start and its end
            element.end = tag.end()
        else:  # expat is at the end tag, which holds no ">" before its own
            element.content = tag.end(), parser.CurrentByteIndex
            element.end = part.index(b">", parser.CurrentByteIndex) + 1

    def text(data: str) -> None:
        stack[-1].text += data

    def doctype(*_: object) -> None:
        raise Damaged("it declares a DTD, which no Office or OpenDocument file does")  # and no entity can expand

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(part, True)
    except xml.parsers.expat.ExpatError as e:
        raise Damaged(f"its XML is not well-formed ({e})") from None
    return root


def _local(name: str, prefix: str) -> str:
    """The local name of an element of the paragraphs' namespace; other namespaces' elements keep their prefix."""
    return name[len(prefix) + 1:] if name.startswith(prefix + ":") else name


Value = tuple[int, int, str]  # an attribute's value: its start and end in the part (inside its quotes), and its text


def attribute_values(part: bytes, element: Element, names: Collection[str]) -> list[Value]:
    """The values of the element's attributes of these names (as written, with a prefix if they have one), in the
    order written, each read as XML reads it: its references replaced, a tab or a line end written as such a space."""
    tag = START_TAG.match(part, element.start)
    assert tag is not None, "an element read by elements() starts with a start tag"
    values = []
    for found in ATTRIBUTE.finditer(part, element.start, tag.end()):
        quoted = 2 if found[2] is not None else 3  # "..." or '...'
        if found[1].decode() in names:
            values.append((*found.span(quoted), html.unescape(WHITE_SPACE.sub(" ", found[quoted].decode()))))
    return values


def as_attribute(text: str) -> bytes:
    """Text as an attribute's value in either quote: & < and both quotes escaped, and its tabs and line ends as
    character references, which XML reads as they are (written as they are, they would be read as spaces)."""
    return WHITE_SPACE.sub(lambda m: f"&#{ord(m[0])};", html.escape(text, quote=True)).encode()


Edit = tuple[int, int, bytes]  # replace part[start:end] with these bytes


@dataclass
class Cut:
    """A part's texts to translate, and what makes its edits from their translations."""

    texts: list[str]
    edits: Callable[[list[str]], list[Edit]]


def joined(cuts: list[Cut]) -> Cut:
    """Several cuts of one part as one: their texts one after another."""
    def edits(translations: list[str]) -> list[Edit]:
        return [edit for cut, share in shares(cuts, translations) for edit in cut.edits(share)]

    return Cut([text for cut in cuts for text in cut.texts], edits)


def code_styles(space: str) -> re.Pattern[str]:
    """The paragraph styles of code, whose paragraphs are kept as written (the model translated a command as words):
    Word's HTML Preformatted, LibreOffice's Preformatted Text (both what a web page's <pre> becomes), and the Code,
    Code Block, Source Code and Source Text of technical documents' templates; space: how the format writes a
    space in a style's name (Word's style ids drop it, OpenDocument writes _20_)."""
    return re.compile(rf"(?:HTML{space})?Preformatted(?:{space}Text)?|(?:Source{space})?Code(?:{space}Block)?"
                      rf"|Source{space}Text", re.IGNORECASE)


MAX_NESTING = 32  # paragraphs in text boxes, notes or comments in paragraphs: no file people write nests so deep


def nested(depth: int) -> int:
    """The depth of the paragraphs inside a paragraph at this depth; Damaged past MAX_NESTING (each level is a few
    frames of the cut's recursion and of its edits')."""
    if depth >= MAX_NESTING:
        raise Damaged(f"its paragraphs are nested more than {MAX_NESTING} deep (in text boxes, notes or comments)")
    return depth + 1


def outermost(elements: list[Element], wanted: Callable[[Element], bool]) -> list[Element]:
    """The wanted elements among these and their descendants, in document order, none inside another."""
    found, todo = [], list(reversed(elements))
    while todo:  # iterative: nesting depth is the file's to choose
        element = todo.pop()
        if wanted(element):
            found.append(element)
        else:
            todo += reversed(element.children)
    return found


def shares(cuts: Iterable[Cut], translations: list[str]) -> Iterator[tuple[Cut, list[str]]]:
    """Each cut with the translations of its texts, the cuts' texts having been translated one after another."""
    at = 0
    for cut in cuts:
        yield cut, translations[at:at + len(cut.texts)]
        at += len(cut.texts)


def xml_of(translation: str) -> bytes:
    """An HTML text the pipeline translated, as XML: the no-break space it writes as &nbsp; written &#160; (XML
    knows no &nbsp; without a DTD); its other entities (&amp; &lt; &gt;) are XML's too."""
    return translation.replace("&nbsp;", "&#160;").encode("utf-8")


def edited(part: bytes, edits: list[Edit]) -> bytes:
    """The part with its edits (none overlapping) made, in one pass: each edit's bytes between the kept spans."""
    out, at = [], 0
    for start, end, replacement in sorted(edits):
        out += [part[at:start], replacement]
        at = end
    return b"".join([*out, part[at:]])


def edited_within(part: bytes, element: Element, edits: list[Edit]) -> bytes:
    """The element's bytes with those of the part's edits that fall inside it made."""
    return edited(part[element.start:element.end], [(start - element.start, end - element.start, new)
                                                    for start, end, new in edits
                                                    if element.start <= start and end <= element.end])


def translated_parts(package: Package, cut_part: Callable[[str, bytes], Cut], labels: Labels) -> Written:
    """The texts of the package's text parts, each part cut by cut_part(name, part), and what writes the package
    with each part edited around their translations and its labels relabelled; Damaged (naming the part) if a part
    cannot be read."""
    cuts = {}
    for name, part in package.parts.items():
        try:
            cuts[name] = cut_part(name, part)
        except Damaged as e:
            raise Damaged(f"{name}: {e}") from None

    def render(translations: list[str], languages: Languages) -> bytes:
        parts = {name: edited(package.parts[name], cut.edits(share))
                 for name, (cut, share) in zip(cuts, shares(cuts.values(), translations), strict=True)}
        return package.written(parts | labels.relabelled(package.labelled(labels.parts, parts), languages))

    return [text for cut in cuts.values() for text in cut.texts], render
