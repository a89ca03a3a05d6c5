"""Project Fluent's message files (.ftl: Firefox's, Thunderbird's, any app localized with Fluent): each message's
value and attributes translated, every other byte of the file kept.

    # The main window
    welcome = Welcome, { $user }!
        .title = Your account
    emails =
        { $count ->
            [one] You have one new email.
           *[other] You have { $count } new emails.
        }
    -brand-name = Firefox

A pattern (a value, an attribute) is one text, its placeables ({ $user }, { -brand-name }, { NUMBER($n) }) each a
{0}, {1}... that the pipeline keeps verbatim (model/spans.py) and that is written back as it was. A select
expression's variants are patterns of their own, each translated apart; a pattern with no letter outside its
placeables (`emails` above) is kept, but for its variants. Terms (-brand-name) are kept: Fluent's guides keep brand
names as terms, not to be translated. The file is parsed by Fluent's own parser (fluent.syntax, with its
positions), so a file it finds junk in is refused, its line named.

A translation is written as Fluent reads it back as itself: a brace as { "{" }, a line that would start with [, * or .
(a variant, a default, an attribute) with that character as such a literal, each line after the first at the
pattern's indent (a value that started on the line after its key keeps starting there).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from fluent.syntax import FluentParser, ast

from nmt.app.packages import Damaged, line_at

TOKEN = re.compile(r"\{(\d+)\}")  # a placeable, in the text the model translates
BRACES = re.compile(r"[{}]")
LINE_START = "[*."  # what a line of a pattern may not start with (Fluent's special characters there)
INDENT = "    "
Write = Callable[[list[str]], str]  # the translations -> the new source of a span of the file
Spliced = list[tuple[int, int, Write]]  # spans of a source, each with what writes its replacement, in order


def cut(text: str) -> tuple[list[str], Write]:
    """The file's patterns to translate, and what writes it with their translations; Damaged if Fluent's parser
    finds junk in it."""
    resource = _parsed(text)
    texts: list[str] = []
    patterns = [(*_span(p), _pattern(text, p, texts)) for p in _translated(resource)]
    return texts, _spliced(text, 0, len(text), patterns)


def messages(text: str) -> dict[str, str]:
    """The file's texts by their names (welcome, welcome.title; a variant's welcome[one]), as the model reads them
    (training/keyed.py): each placeable a {k}, numbered by its source among the pattern's, so that one placeable has
    one number in two languages' files; Damaged if Fluent's parser finds junk in it."""
    found: dict[str, str] = {}

    def add(name: str, pattern: ast.Pattern) -> None:
        placeables = [e for e in pattern.elements if isinstance(e, ast.Placeable)]
        sources = sorted({_source(text, e) for e in placeables})
        parts = []
        for element in pattern.elements:
            expression = element.expression if isinstance(element, ast.Placeable) else None
            for variant in expression.variants if isinstance(expression, ast.SelectExpression) else []:
                add(f"{name}[{_source(text, variant.key)}]", variant.value)
            parts.append(element.value if isinstance(element, ast.TextElement)
                         else f"{{{sources.index(_source(text, element))}}}")
        if any(char.isalpha() for char in TOKEN.sub("", "".join(parts))):
            found[name] = "".join(parts)

    for entry in _parsed(text).body:
        if isinstance(entry, ast.Message):
            if entry.value is not None:
                add(entry.id.name, entry.value)
            for attribute in entry.attributes:
                add(f"{entry.id.name}.{attribute.id.name}", attribute.value)
    return found


def _source(text: str, node: ast.SyntaxNode) -> str:
    start, end = _span(node)
    return text[start:end]


def _parsed(text: str) -> ast.Resource:
    """The file as Fluent's parser reads it, with positions; Damaged if it finds junk in it."""
    resource = FluentParser(with_spans=True).parse(text)
    for entry in resource.body:
        if isinstance(entry, ast.Junk):
            line = line_at(text, _span(entry)[0])  # (the entry's: the parser's own points past it)
            raise Damaged(f"it is not Fluent: line {line}: {entry.annotations[0].message}")
    return resource


def _translated(resource: ast.Resource) -> Iterator[ast.Pattern]:
    """The patterns translated: each message's value and attributes, in the file's order."""
    for entry in resource.body:
        if isinstance(entry, ast.Message):
            yield from [entry.value] if entry.value is not None else []
            yield from (attribute.value for attribute in entry.attributes)


def _pattern(text: str, pattern: ast.Pattern, texts: list[str]) -> Write:
    """What writes a pattern's source with its translation (added to texts), or as it is where it has no letter
    outside its placeables; a select expression among them written with its variants translated."""
    placeables = [element for element in pattern.elements if isinstance(element, ast.Placeable)]
    writes = [_placeable(text, element, texts) for element in placeables]
    numbers = iter(range(len(placeables)))
    message = "".join(e.value if isinstance(e, ast.TextElement) else f"{{{next(numbers)}}}" for e in pattern.elements)
    if not any(char.isalpha() for char in TOKEN.sub("", message)):
        return _spliced(text, *_span(pattern), [(*_span(e), write) for e, write in zip(placeables, writes, strict=True)])
    texts.append(message)
    start, end = _span(pattern)
    k, source = len(texts) - 1, text[start:end]
    indent = source[:len(source) - len(source.lstrip(" "))]  # (a value that starts on the line after its key)
    return lambda translations: written(translations[k].strip() or message, [w(translations) for w in writes], indent)


def _placeable(text: str, element: ast.Placeable, texts: list[str]) -> Write:
    """What writes a placeable's source: as it is, or a select expression's with each variant's pattern translated."""
    expression = element.expression
    variants = expression.variants if isinstance(expression, ast.SelectExpression) else []
    return _spliced(text, *_span(element), [(*_span(v.value), _pattern(text, v.value, texts)) for v in variants])


def _span(node: ast.SyntaxNode) -> tuple[int, int]:
    """Where a node is in the file (the parser gives every node its span, with_spans)."""
    if node.span is None:
        raise ValueError("a Fluent node without its span: parse with_spans")
    return node.span.start, node.span.end


def _spliced(text: str, start: int, end: int, parts: Spliced) -> Write:
    """What writes text[start:end] with each of its parts' spans replaced."""
    def write(translations: list[str]) -> str:
        pieces, at = [], start
        for part_start, part_end, part in parts:
            pieces += [text[at:part_start], part(translations)]
            at = part_end
        return "".join(pieces) + text[at:end]

    return write


def written(translation: str, placeables: list[str], indent: str) -> str:
    """A translation as a pattern's source that Fluent reads back as it: each line but an inline first at the indent
    (four spaces where there is none), its special first character a literal."""
    lines = []
    for n, line in enumerate(translation.strip().split("\n")):
        line = _line(line.strip(), placeables)
        block = bool(n or indent)  # (a line of its own, not after "key =")
        if block and line[:1] and line[0] in LINE_START:
            line = _literal(line[0]) + line[1:]
        lines.append((indent or INDENT) + line if block and line else line)
    return "\n".join(lines)


def _line(line: str, placeables: list[str]) -> str:
    """A line of a translation with its {k} the k-th placeable's source, any other brace a literal."""
    parts = TOKEN.split(line)  # text, a number, text, ...
    return "".join(placeables[int(part)] if k % 2 and int(part) < len(placeables)
                   else BRACES.sub(lambda m: _literal(m[0]), f"{{{part}}}" if k % 2 else part)
                   for k, part in enumerate(parts))


def _literal(char: str) -> str:
    return f'{{ "{char}" }}'
