"""Markdown files (.md): the text of each paragraph, heading, list item and table cell translated, everything else
(code blocks, front matter, link definitions, the lines' markers and indents) kept as written; a reference link
([text][label], [text][], [label]) comes back an inline one to the same address, its definition kept.

markdown-it (CommonMark, with GitHub's tables and strikethrough) finds the blocks and the lines each one's text is
on. The text goes to the pipeline as HTML, as markdown-it renders it (emphasis <em>, strong <strong>, a link <a>, code
<code>, which the pipeline keeps verbatim, a picture <img>), so that emphasis and links go back around the words they
held (model/html_passes.py), and comes back as Markdown: `*…*`, `**…**`, `[…](…)`, `` `…` ``, `![…](…)`, any other
HTML as written. A block's text is written on its first line, after that line's markers ("# ", "> ", "- ", a table's
"|"), its other lines (the source's wrapping) gone: it reads the same. Characters that Markdown would read as
markup are escaped.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from nmt.app.packages import Damaged

FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)  # YAML between --- lines, at the very start
ESCAPED = re.compile(r"([\\`*_\[\]<>|~])")  # what Markdown would read as markup in a text
ENTITY = re.compile(r"&(?=#?\w+;)")  # an & that Markdown would read as starting an entity ("&copy;")
BULLET, NUMBERED = re.compile(r"^([#>+-])(?=\s)"), re.compile(r"^(\d+)([.)])(?=\s)")
EDGE_OPEN, EDGE_CLOSE = re.compile(r"(<(?:em|strong|s|a)\b[^>]*>)(\s+)"), re.compile(r"(\s+)(</(?:em|strong|s|a)>)")
EMPTY = re.compile(r"<(em|strong|s)>(\s*)</\1>")
MARKS = {"em": "*", "strong": "**", "s": "~~"}  # markdown-it's emphasis, strong emphasis and strikethrough


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's texts (HTML, one per block of text), and what writes it again around their translations; Damaged
    if markdown-it places a block's text where it is not (the file is read as text files are: app/documents.py). A
    lone carriage return ends a line to markdown-it, as CommonMark says, and is written back a line feed."""
    text = text.replace("\r", "\n")  # (a CRLF is a line feed already: app/documents.py's text_file)
    lines = text.split("\n")
    front = FRONT_MATTER.match(text)
    kept = front.group().count("\n") if front else 0  # front matter: not Markdown, its lines left alone
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    env: dict = {}  # the link definitions parse finds, which render a reference link ([text][label]) as a link
    tokens = parser.parse("\n".join(lines[kept:]), env)
    # each block's first line, its text, and whether it is a table's cell
    blocks = [(token.map[0] + kept, token.content, k > 0 and tokens[k - 1].type in ("th_open", "td_open"))
              for k, token in enumerate(tokens)
              if token.type == "inline" and token.map is not None and token.content.strip()]

    places = _places(lines, blocks)

    def render(translations: list[str]) -> str:
        written, gone = list(lines), set[int]()  # gone: a block's lines after its first (the source's wrapping)
        for k in reversed(range(len(blocks))):  # from the end: a table row's cells from the right
            (first, source, cell), (start, end) = blocks[k], places[k]
            written[first] = written[first][:start] + _markdown(translations[k], cell) + written[first][end:]
            gone.update(range(first + 1, first + source.count("\n") + 1))
        return "\n".join(line for k, line in enumerate(written) if k not in gone)

    return [parser.renderInline(source, env) for _, source, _ in blocks], render


def _places(lines: list[str], blocks: list[tuple[int, str, bool]]) -> list[tuple[int, int]]:
    """Where on its first line each block's text starts and ends (a row's cells found from the right); Damaged if
    the line does not hold it."""
    places = [(0, 0)] * len(blocks)
    ends: dict[int, int] = {}  # where each line's text found last starts
    for k in reversed(range(len(blocks))):
        first, source, _ = blocks[k]
        head, line = source.split("\n")[0], lines[first]
        shown = head if head in line else head.replace("|", "\\|")  # (a table's cell reads "a \\| b" as "a | b")
        start = line.rfind(shown, 0, ends.get(first, len(line)))
        if start < 0:
            raise Damaged(f"line {first + 1}: its text is not where markdown-it says")
        places[k], ends[first] = (start, start + len(shown)), start
    return places


class _Markdown(HTMLParser):
    """Inline HTML (markdown-it's, translated) written as Markdown."""

    def __init__(self, cell: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.cell = cell  # a table's: a | in its code is escaped too, or it would end the cell
        self.out: list[str] = []
        self.links: list[str] = []  # each open link's end: ](href "title")
        self.code: list[str] | None = None  # the text of a <code> being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in MARKS:
            self.out.append(MARKS[tag])
        elif tag == "a":
            self.out.append("[")
            self.links.append(f"]({_destination(attributes.get('href', ''), attributes.get('title'))})")
        elif tag == "code":
            self.code = []
        elif tag == "img":
            alt = _escaped(attributes.get("alt", ""))
            self.out.append(f"![{alt}]({_destination(attributes.get('src', ''), attributes.get('title'))})")
        elif tag == "br":
            self.out.append("<br>")
        else:  # HTML the source wrote as HTML
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in MARKS:
            self.out.append(MARKS[tag])
        elif tag == "a":
            self.out.append(self.links.pop() if self.links else "")
        elif tag == "code" and self.code is not None:
            code, self.code = "".join(self.code), None
            code = code.replace("|", "\\|") if self.cell else code
            fence = "`" * (max((len(run) for run in re.findall("`+", code)), default=0) + 1)
            padding = " " if code.startswith("`") or code.endswith("`") else ""
            self.out.append(f"{fence}{padding}{code}{padding}{fence}")
        elif tag not in ("img", "br"):
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.code is not None:
            self.code.append(data)
        else:  # (one space between words, as the HTML showed them)
            text = re.sub(r"\s+", " ", _escaped(data))
            self.out.append(text[1:] if text.startswith(" ") and self.out and self.out[-1].endswith(" ") else text)


def _escaped(text: str) -> str:
    """Text that Markdown reads as written."""
    return ENTITY.sub("&amp;", ESCAPED.sub(r"\\\1", text))


def _destination(href: str, title: str | None) -> str:
    """A link's or a picture's destination (in <> if it has a space or a parenthesis), and its title."""
    target = f"<{href}>" if re.search(r"[\s()]", href) else href
    return target + (f' "{html.escape(title)}"' if title else "")


def _markdown(translation: str, cell: bool = False) -> str:
    # "* word*" is not emphasis: a span's edge spaces go outside it, and an empty one goes
    translation = EMPTY.sub(r"\2", EDGE_CLOSE.sub(r"\2\1", EDGE_OPEN.sub(r"\2\1", translation)))
    parser = _Markdown(cell)
    parser.feed(translation)
    parser.close()
    text = "".join(parser.out).strip()
    # (a text that starts as a heading, a quotation or a list item would start one)
    return NUMBERED.sub(r"\1\\\2", BULLET.sub(r"\\\1", text))
