"""PHP language files (.php: Laravel's lang/en/messages.php, any file that returns an array of messages): each string
value translated in place, every key, comment and byte between kept.

    <?php

    return [
        'welcome' => 'Welcome, :name!',
        'apples' => '{0} No apples|{1} One apple|[2,*] :count apples',
        'auth' => ['failed' => "These credentials do not match."],
    ];

The file is cut into PHP's tokens that matter here (comments, strings, =>), not run: a string followed by => is a key,
any other string a value. A value is read as PHP reads it (single quotes: \\' and \\\\; double quotes: PHP's escapes)
and its translation written back in the same quotes, escaped so that PHP reads it as it is. Laravel's :name
placeholders are spans the pipeline keeps (model/spans.py). A value with a | is a choice of Laravel's (trans_choice):
each part is translated apart, its {0} or [2,*] range kept. A choice without ranges has its parts picked by
Laravel's own rule for the locale (MessageSelector::getPluralIndex: Russian's three, Arabic's six), so that it gets as
many parts as the target's rule picks from, each taking the translation of the source's part of its kind
(plural_parts; app/plurals.py's forms: else its plural's). A file that does more than return an array (a class, a
function), a heredoc, or a double-quoted string with a $variable in it, is refused: the first is no language file,
the others are not read.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from nmt.app import plurals
from nmt.app.labels import Languages
from nmt.app.packages import Damaged, line_at
from nmt.model.languages import primary

TOKEN = re.compile(r"""(?P<comment>//[^\n]*|\#[^\n]*|/\*.*?\*/)|(?P<single>'(?:[^'\\]|\\.)*')|(?P<double>"(?:[^"\\]|\\.)*")"""
                   r"|(?P<arrow>=>)|(?P<heredoc><<<)|(?P<space>\s+)|(?P<other>.)", re.DOTALL)
LANGUAGE_FILE = re.compile(r"<\?php\s+(?:declare\s*\(\s*strict_types\s*=\s*1\s*\)\s*;\s*)?return\s*(?:\[|array\s*\()",
                           re.IGNORECASE)
MAX_DEPTH = 500  # as YAML's (app/yaml_messages.py): a language file's arrays nest a few deep
DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "e": "\x1b", "f": "\f", "\\": "\\", "$": "$", '"': '"'}
DOUBLE_ESCAPE = re.compile(r"\\(?:([ntrvef\\$\"])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u\{([0-9A-Fa-f]+)\})")
VARIABLE = re.compile(r"(?<!\\)(?:\\\\)*\$[A-Za-z_{]|\{\$")  # interpolation in a double-quoted string
# A | with a space on each side separates ('Home | My Site', a title), where a choice's parts meet it: that value is
# shown as it is (__), and parts added for the target's rule would be shown with it.
SEPARATOR = re.compile(r"\s\|\s")
CHOICE_RANGE = re.compile(r"^\s*(?:\{\d+\}|[\[\]]-?(?:\d+|\*)\s*,\s*-?(?:\d+|\*)[\[\]])\s*")  # {0}, [2,*], ]1,Inf[

# The parts of a choice without ranges, as Laravel's MessageSelector::getPluralIndex (Laravel 8's, as Debian's
# php-illuminate-translation ships it) picks them for a locale, each named by CLDR's category of the smallest positive
# number it picks that part for (0 where none): Russian's [1, 2, 5]: one, few, many. A locale it lacks takes the first.
LARAVEL_PARTS = {
    **dict.fromkeys("az bo dz id ja jv ka km kn ko ms th tr vi zh".split(), ("other",)),
    **dict.fromkeys("af am bg bh bn ca da de el en eo es et eu fa fi fil fo fr fur fy gl gu gun ha he hi hu hy is it "
                    "ku lb ln mg mk ml mn mr nah nb ne nl nn no nso om or pa pap ps pt so sq sv sw ta te ti tk ur wa "
                    "xbr zu".split(), ("one", "other")),
    **dict.fromkeys("be pl ru uk".split(), ("one", "few", "many")),
    **dict.fromkeys("bs cs hr lt ro sk sr".split(), ("one", "few", "other")),
    "ga": ("one", "two", "other"),
    "lv": ("zero", "one", "other"),
    "sl": ("one", "two", "few", "other"),
    "mt": ("one", "two", "many", "other"),
    "cy": ("one", "two", "other", "few"),
    "ar": plurals.ORDER,
}


@dataclass(frozen=True)
class Value:
    start: int
    end: int
    quote: str  # ' or "
    text: str  # as PHP reads it


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The file's string values with a letter (a choice's parts apart), and what writes it with their translations;
    Damaged if it is not a language file PHP would read as we do."""
    values = [v for v in _values(text) if any(char.isalpha() for char in v.text)]
    parts = [_choice(value.text) for value in values]

    def render(translations: list[str]) -> str:
        pieces, at, given = [], 0, iter(translations)
        for value, (texts, rebuild) in zip(values, parts, strict=True):
            translated = rebuild([next(given) for _ in texts])
            pieces += [text[at:value.start], _quoted(translated, value.quote)]
            at = value.end
        return "".join(pieces) + text[at:]

    return [t for texts, _ in parts for t in texts], render


def plural_parts(data: bytes, languages: Languages) -> bytes:
    """The translated file with each choice without ranges that has the source's parts (Laravel's rule for it) given
    the target's, each the part that plurals.forms picks for it, in its own quotes; the others kept (a choice with
    ranges is read by them in any locale)."""
    source, target = (LARAVEL_PARTS.get(primary(language)) for language in (languages.source, languages.target))
    if source is None or target is None or len(source) < 2 or source == target:
        return data
    text = data.decode("utf-8")
    pieces, at = [], 0
    for value in _values(text):
        parts = value.text.split("|")
        if len(parts) == len(source) and not SEPARATOR.search(value.text) and not any(
                CHOICE_RANGE.match(part) for part in parts):
            chosen = "|".join(parts[k] for k in plurals.forms(source, target))
            pieces += [text[at:value.start], _quoted(chosen, value.quote)]
            at = value.end
    return ("".join(pieces) + text[at:]).encode("utf-8")


def messages(text: str) -> dict[str, str]:
    """The file's texts by their keys, as Laravel names them (auth.failed; a list's item auth.list.0; a choice's
    parts apples|0, apples|1), read as PHP reads them, as cut gives them (training/keyed.py); Damaged as for cut."""
    values = {value.start: value for value in _values(text)}
    found: dict[str, str] = {}
    levels: list[_Level] = []
    for m in _tokens(text):
        if m.start() in values and levels:
            texts = _choice(values[m.start()].text)[0]  # (a choice's parts apart, as cut gives them: key|0, key|1)
            found.update({levels[-1].path(): texts[0]} if len(texts) == 1 else
                         {f"{levels[-1].path()}|{k}": part for k, part in enumerate(texts)})
        elif m.lastgroup in ("single", "double") and levels:  # a key
            levels[-1].key = _read(m.group(), text, m.start())
        elif m.group() in "[(" and m.lastgroup == "other":
            levels.append(_Level(levels[-1].path() if levels else ""))
        elif m.group() in "])" and m.lastgroup == "other" and levels:
            levels.pop()
        elif m.group() == "," and levels:
            levels[-1].next()
    return found


@dataclass
class _Level:
    """An array being read: its path, and its member's key (None: the next index)."""

    prefix: str
    key: str | None = None
    index: int = 0

    def path(self) -> str:
        name = self.key if self.key is not None else str(self.index)
        return f"{self.prefix}.{name}" if self.prefix else name

    def next(self) -> None:
        if self.key is None:
            self.index += 1
        self.key = None


def is_language_file(text: str) -> bool:
    """Whether a PHP file does nothing but return an array (after its comments): a language file, not code."""
    return LANGUAGE_FILE.match(_code(text)) is not None


def _values(text: str) -> list[Value]:
    if not is_language_file(text):
        raise Damaged("it is not a language file: it should only return an array (<?php return [ ... ];)")
    tokens: list[re.Match[str]] = []
    opened: list[int] = []  # where each array still open starts
    for m in _tokens(text):
        tokens.append(m)
        if m.lastgroup == "heredoc":
            raise Damaged(f"line {line_at(text, m.start())}: a heredoc string is not read; write it in quotes")
        if m.lastgroup == "other" and m.group() in "[(":
            opened.append(m.start())
            if len(opened) > MAX_DEPTH:
                raise Damaged(f"line {line_at(text, m.start())}: arrays nested over {MAX_DEPTH} deep")
        elif m.lastgroup == "other" and m.group() in "])":
            if not opened:
                raise Damaged(f"line {line_at(text, m.start())}: a {m.group()} that closes nothing")
            opened.pop()
    if opened:  # (PHP would not load it; its translation was written as unclosed)
        raise Damaged(f"line {line_at(text, opened[-1])}: an array opened here is not closed")
    values = []
    for m, after in zip(tokens, tokens[1:] + [None], strict=True):
        if m.lastgroup in ("single", "double") and (after is None or after.lastgroup != "arrow"):
            values.append(Value(m.start(), m.end(), m.group()[0], _read(m.group(), text, m.start())))
    return values


def _tokens(text: str) -> Iterator[re.Match[str]]:
    """The file's tokens that matter: not its spaces and comments."""
    return (m for m in TOKEN.finditer(text) if m.lastgroup not in ("space", "comment"))


def _code(text: str, enough: int = 1000) -> str:
    """The text's start without its comments, at least enough characters of it (for telling what the file does)."""
    pieces: list[str] = []
    for m in TOKEN.finditer(text):
        if m.lastgroup != "comment":
            pieces.append(m.group())
            enough -= len(m.group())
            if enough <= 0:
                break
    return "".join(pieces).lstrip("\ufeff \n")


def _read(literal: str, text: str, at: int) -> str:
    """A string literal as PHP reads it."""
    body = literal[1:-1]
    if literal[0] == "'":
        return re.sub(r"\\([\\'])", r"\1", body)
    if VARIABLE.search(body):
        raise Damaged(f"line {line_at(text, at)}: a double-quoted string with a variable in it is not read")
    return DOUBLE_ESCAPE.sub(_unescaped, body)


def _unescaped(m: re.Match[str]) -> str:
    simple, octal, hexadecimal, code = m.groups()
    if simple:
        return DOUBLE_ESCAPES[simple]
    if octal:
        return chr(int(octal, 8) & 0xFF)
    return chr(int(hexadecimal or code, 16))


def _quoted(text: str, quote: str) -> str:
    """A text as a PHP string literal in these quotes, which PHP reads as the text."""
    if quote == "'":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n")
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m[0]):02x}", escaped) + '"'


def _choice(value: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """A value's texts: a choice's parts with a letter (value|value), each without its range ({0}, [2,*]), else the
    value."""
    if "|" not in value:
        return [value], lambda translations: translations[0]
    cuts = [(found.end() if (found := CHOICE_RANGE.match(part)) else 0, part) for part in value.split("|")]
    texts = [part[at:] for at, part in cuts if any(char.isalpha() for char in part[at:])]

    def rebuild(translations: list[str]) -> str:
        given = iter(translations)
        return "|".join(part[:at] + (next(given) if any(c.isalpha() for c in part[at:]) else part[at:])
                        for at, part in cuts)

    return texts, rebuild
