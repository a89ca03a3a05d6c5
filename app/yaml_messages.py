"""YAML message files (.yml, .yaml: Rails' config/locales/en.yml, Symfony's translations/messages.en.yaml,
i18next's and Hugo's YAML): each string value with words translated, keys, comments, anchors and every byte between
kept as written.

    en:
      greeting: "Hello, %{name}!"    # Rails' placeholders: %{name}
      title: Good morning
      body: |
        Two lines
        of text.

The file is composed by PyYAML's safe loader, which gives each scalar's place in the text; a value is written back in
its place, in its own style where that reads back as the translation (plain, single- or double-quoted; a block
scalar as a literal block at its indent), else double-quoted, and its anchor or tag (&name, !!str) kept. A value
aliased elsewhere (*name) is its anchor's, translated once. A value with no letter outside its placeholders and
format codes (a date format, "%Y-%m-%d") is not text and stays. A file whose one root key is a language code holding
a mapping (Rails' en:) is in that language: the source's key becomes the target's; another language's is refused.
Rails' plural keys (one, other) stay the source's.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import yaml

from nmt.app.labels import Languages
from nmt.app.packages import Damaged, check_language

# strftime's %Y and %-d, Ruby's %{name} and %<count>d, {name}: what a value may hold that is no text
FORMAT_CODES = re.compile(r"%[-_0^#]?[A-Za-z]|%\{\w+\}|%<\w+>\w|\{[^{}]*\}")
PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")  # an anchor (&name) or a tag (!!str) before a scalar
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")
STRING = "tag:yaml.org,2002:str"
MAX_DEPTH = 500  # flow collections in one another: past where Python's recursion limit refuses them anyway


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's string values with words, and what writes it with their translations; Damaged if it is not
    YAML."""
    values = sorted(_values(_composed(text)), key=lambda value: value[0].start_mark.index)

    def render(translations: list[str]) -> str:
        pieces, at = [], 0
        for (node, flow), translation in zip(values, translations, strict=True):
            start = PROPERTIES.match(text, node.start_mark.index).end()  # type: ignore[union-attr]  # (matches "")
            pieces += [text[at:start], _written(node, translation, text, flow)]
            at = node.end_mark.index
        return "".join(pieces) + text[at:]

    return [node.value for node, _ in values], render


def relabel(data: bytes, languages: Languages) -> bytes:
    """The file with its root language key (Rails' en:) the target's; Damaged if it is another language's."""
    text = data.decode("utf-8")
    root = _composed(text)
    if not isinstance(root, yaml.MappingNode) or len(root.value) != 1:
        return data
    key, value = root.value[0]
    if not (isinstance(value, yaml.MappingNode) and LANGUAGE_CODE.fullmatch(str(key.value))):
        return data
    check_language("root key", str(key.value), languages)
    return (text[:key.start_mark.index] + languages.target + text[key.end_mark.index:]).encode("utf-8")


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing flow collections ([…], {…}) open more than MAX_DEPTH deep as its scanner reaches
    them: the scanner slows with each one open (seconds for 100,000 "[" to reach Python's recursion limit, which
    refuses them in the end, app/documents.py read_document; benchmarks/README.md, guards) and they are refused the
    same way at once. (Nesting block collections takes a line each, indented more each time: a file's size bounds
    it.)"""

    def fetch_flow_collection_start(self, TokenClass: type[yaml.Token]) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise RecursionError(f"nested over {MAX_DEPTH} deep")
        super().fetch_flow_collection_start(TokenClass)


def _composed(text: str) -> yaml.Node | None:
    """The text's node tree (None for an empty file); Damaged if it is not YAML, or holds more than one document;
    RecursionError if it is nested more than MAX_DEPTH deep."""
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as e:
        where, problem = getattr(e, "problem_mark", None), getattr(e, "problem", None) or str(e)
        line = f" (line {where.line + 1}, column {where.column + 1})" if where is not None else ""
        if problem.startswith("but "):  # ("expected a single document in the stream but found another document")
            problem = f"{getattr(e, 'context', '')} {problem}"
        raise Damaged(f"it is not YAML{line}: {problem}") from None


def _values(root: yaml.Node | None) -> Iterator[tuple[yaml.ScalarNode, bool]]:
    """The string values (not keys) under the node that hold text, each with whether it is in a flow collection
    ([a, b], {k: v}: where plain text reads otherwise), each node visited once: an alias is its anchor's node, and
    nested aliases ("a billion laughs") would otherwise take time exponential in the file's size."""
    seen: set[int] = set()
    todo: list[tuple[yaml.Node | None, bool]] = [(root, False)]
    while todo:
        node, flow = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        inner = flow or bool(getattr(node, "flow_style", False))
        if isinstance(node, yaml.MappingNode):
            todo += [(value, inner) for _, value in reversed(node.value)]
        elif isinstance(node, yaml.SequenceNode):
            todo += [(value, inner) for value in reversed(node.value)]
        elif isinstance(node, yaml.ScalarNode) and node.tag == STRING and any(
                c.isalpha() for c in FORMAT_CODES.sub("", node.value)):
            yield node, flow


def _written(node: yaml.ScalarNode, translation: str, text: str, flow: bool) -> str:
    """The translation as the value's YAML, in the value's style where that reads back as it there (flow: in a flow
    collection; a block's keeping the line break after it), else double-quoted."""
    ends_line = text[node.end_mark.index - 1:node.end_mark.index] == "\n"  # (a block scalar's span ends so)
    if node.style in ("|", ">") and translation and translation[0] not in " \n":
        indent = " " * _block_indent(text, node)
        body = "\n".join(indent + line if line else "" for line in translation.removesuffix("\n").split("\n"))
        chomping = "+" if translation.endswith("\n\n") else "" if translation.endswith("\n") else "-"
        return f"|{chomping}\n{body}" + "\n" * ends_line
    if node.style == "'" and "\n" not in translation:
        return "'" + translation.replace("'", "''") + "'"
    if node.style is None and _plain(translation, flow):
        return translation
    return json.dumps(translation, ensure_ascii=False) + "\n" * ends_line  # (JSON's strings are YAML's too)


def _block_indent(text: str, node: yaml.ScalarNode) -> int:
    """The indent of a block scalar's lines: its first line's."""
    body = text[text.index("\n", node.start_mark.index) + 1:node.end_mark.index]
    first = next((line for line in body.split("\n") if line.strip()), "")
    return len(first) - len(first.lstrip(" "))


def _plain(translation: str, flow: bool) -> bool:
    """Whether the translation, written plain, reads back as itself, in a flow collection or out of one (in one,
    PyYAML reads a ? anywhere as a key's)."""
    if not translation or translation != translation.strip() or any(c in translation for c in "\n,[]{}#"):
        return False
    try:
        written = f"k: [{translation}]" if flow else f"k: {translation}"
        return yaml.safe_load(written) == {"k": [translation] if flow else translation}
    except yaml.YAMLError:
        return False
