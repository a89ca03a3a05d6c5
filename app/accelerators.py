"""Keyboard accelerators in programs' messages: "&Open" shows "Open" with its O underlined, Alt+O its shortcut (Qt's
marker is &, GTK's _, LibreOffice's ~; the marker written twice is the character itself: "Save && Quit").

The model never sees a marker: inside a word it cuts the word in two for the subwords, and it comes back nowhere
(message_files.py --accelerators). A message is sent without its accelerator, its doubled markers single; its
translation gets the accelerator back before its first letter (the shortcut's letter is the translated word's, as
translators choose it), and a marker character of its own doubled. A message without either is left as it is: its
marker character is text ("Tom & Jerry").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

LETTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Marked:
    """A message as the model is to see it, and what it had of the marker's syntax."""

    text: str
    accelerator: bool  # it had one (the first marker before a letter or digit)
    escaped: bool  # it had the marker character, written twice


@dataclass(frozen=True)
class Accelerator:
    """The marker of a file's accelerators."""

    marker: str  # "": none (a file that names none)

    @cached_property
    def _syntax(self) -> re.Pattern[str]:
        m = re.escape(self.marker)
        entity = r"(?![A-Za-z]\w*;|#\w+;)" if self.marker == "&" else ""  # (rich text: &amp; is an entity, not &a)
        return re.compile(f"{m}{m}|{m}{entity}(?=[^\\W_])")

    def cut(self, message: str) -> Marked:
        """The message without its accelerator, its doubled markers single."""
        if not self.marker:
            return Marked(message, accelerator=False, escaped=False)
        accelerator = escaped = False

        def unmarked(found: re.Match[str]) -> str:
            nonlocal accelerator, escaped
            if len(found[0]) == 2:
                escaped = True
                return self.marker
            if accelerator:  # (a second one is not Qt's nor GTK's: text as written)
                return found[0]
            accelerator = True
            return ""

        return Marked(self._syntax.sub(unmarked, message), accelerator, escaped)

    def put(self, translation: str, marked: Marked) -> str:
        """The translation of a cut message, with the marker's syntax back."""
        if not (marked.accelerator or marked.escaped):
            return translation
        translation = translation.replace(self.marker, self.marker * 2)
        first = LETTER.search(translation)
        at = first.start() if first and marked.accelerator else 0
        return translation[:at] + self.marker * marked.accelerator + translation[at:]
