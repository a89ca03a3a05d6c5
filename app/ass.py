"""Advanced SubStation Alpha subtitles (.ass, and SubStation Alpha's .ssa: what Aegisub writes, and fansubs and
video players use): each Dialogue event's text translated; the script's info, styles, timings, comments and every
other line kept as written.

    [Events]
    Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
    Dialogue: 0,0:00:01.00,0:00:04.00,Default,,0,0,0,,{\\an8}In the {\\i1}beginning{\\i0}\\Nthere was light.

An event's text is one HTML text, as a SubRip cue's is: its lines (\\N) parted by <br>, which the pipeline translates
apart; an override block that turns italics, bold, underline or strike-through on or off ({\\i1}, {\\i0}) the HTML tag
that does, which goes back around the words it held ({\\i1} left on to the line's end stays so); any other block
({\\pos(320,50)}, {\\c&H0000FF&}, karaoke's {\\k20}) kept whole after the word it followed, or in front where the text
starts with it; a hard space (\\h) a no-break space.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from nmt.app.packages import Damaged
from nmt.model.html import NO_BREAK_SPACE

SECTION = re.compile(r"\s*\[([^\]]+)\]\s*")
PIECE = re.compile(r"(\{[^{}]*\}|\\[Nnh])")  # an override block, a line break (hard or soft), a hard space
TOGGLE = re.compile(r"\{\\([ibus])([01])\}")  # a block that only turns a style on or off
TOKEN = re.compile(r'<(/?)([ibus])>|<br\s*/?>|<nmt-kept id="(\d+)"/>')  # what an event's HTML holds
LEADING_BLOCKS = re.compile(r"(?:\{[^{}]*\})*")


@dataclass(frozen=True)
class _Event:
    """A Dialogue event's text: where it is in its line, what stays in front of it, its HTML, its other blocks, and
    the styles it leaves on at its end (their HTML closed there, and not written back)."""

    line: int
    start: int
    lead: str
    html: str
    kept: list[str]
    left_on: frozenset[str]


def cut(text: str) -> tuple[list[str], Callable[[list[str]], str]]:
    """The text's Dialogue events' texts as HTML, and what writes it with their translations; Damaged if it is not
    a SubStation Alpha script (no [Events] section with a Format line naming Text last)."""
    lines = text.split("\n")
    events = [_event(k, lines[k], start) for k, start in _dialogue_texts(lines)]
    events = [event for event in events if event.html.strip()]

    def render(translations: list[str]) -> str:
        written = list(lines)
        for event, translation in zip(events, translations, strict=True):
            written[event.line] = written[event.line][:event.start] + event.lead + _written(event, translation)
        return "\n".join(written)

    return [event.html for event in events], render


def _dialogue_texts(lines: list[str]) -> list[tuple[int, int]]:
    """Each Dialogue line of the [Events] section, and where its Text field starts in it."""
    found: list[tuple[int, int]] = []
    section, fields = "", 0
    for k, line in enumerate(lines):
        if header := SECTION.fullmatch(line):
            section = header[1].lower()
        elif section == "events" and line.startswith("Format:"):
            names = [name.strip().lower() for name in line.removeprefix("Format:").split(",")]
            if names[-1] != "text":
                raise Damaged(f"line {k + 1}: its events' Format does not end with Text")
            fields = len(names)
        elif section == "events" and line.startswith("Dialogue:"):
            if not fields:
                raise Damaged(f"line {k + 1}: a Dialogue event before the events' Format line")
            values = line.split(",", fields - 1)
            if len(values) < fields:
                raise Damaged(f"line {k + 1}: a Dialogue event with fewer than the Format's {fields} fields")
            found.append((k, len(line) - len(values[-1])))
    if not fields:
        raise Damaged("it has no [Events] section with a Format line: not a SubStation Alpha script")
    return found


def _event(k: int, line: str, start: int) -> _Event:
    """The event whose text starts at start in line k."""
    text = line[start:]
    lead = LEADING_BLOCKS.match(text)[0]  # type: ignore[index]  # (it matches "" anywhere)
    out: list[str] = []
    kept: list[str] = []  # the blocks kept whole, by their number in the HTML
    on: set[str] = set()  # the styles turned on and not yet off
    for piece in PIECE.split(text[len(lead):]):
        toggle = TOGGLE.fullmatch(piece)
        if toggle is not None:
            out.append(f"<{'/' * (toggle[2] == '0')}{toggle[1]}>")
            if toggle[2] == "1":
                on.add(toggle[1])
            else:
                on.discard(toggle[1])
        elif piece == "\\N":
            out.append("<br>")
        elif piece == "\\h":
            out.append(NO_BREAK_SPACE)
        elif piece.startswith("{") or piece == "\\n":
            out.append(f'<nmt-kept id="{len(kept)}"/>')
            kept.append(piece)
        else:
            out.append(html.escape(piece, quote=False))
    closing = "".join(f"</{style}>" for style in sorted(on))
    return _Event(k, start, lead, "".join(out) + closing, kept, frozenset(on))


def _written(event: _Event, translation: str) -> str:
    """The translation (HTML) as an event's text: its tags as override blocks, <br> as \\N, a no-break space as \\h;
    a style the source left on at its end is not turned off there."""
    out, at = [], 0
    for token in TOKEN.finditer(translation):
        out.append(_text(translation[at:token.start()]))
        at = token.end()
        if token[2] is not None:
            out.append(f"{{\\{token[2]}{'0' if token[1] else '1'}}}")
        elif token[3] is not None:
            out.append(event.kept[int(token[3])])
        else:
            out.append("\\N")
    written = "".join(out) + _text(translation[at:])
    if event.left_on:  # (its closing tags, which _event added, at the end)
        closers = "|".join(re.escape(f"{{\\{style}0}}") for style in event.left_on)
        written = re.sub(rf"(?:{closers})+(?=\s*$)", "", written)
    return written


def _text(chars: str) -> str:
    """HTML text as an event's: its entities read, a no-break space \\h, a line break a space."""
    return html.unescape(chars).replace(NO_BREAK_SPACE, "\\h").replace("\n", " ")
