"""Files that are zips of parts (.docx, .pptx, .epub): the parts that hold text read within bounds, and the file
written again entry for entry, each entry's name, order, date and compression as they were.

Sizes are the uncompressed sizes the entries declare, checked before anything is inflated (zipfile inflates no more
than an entry declares): an upload of a few hundred kB of zeros cannot fill the memory.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from nmt.app.labels import Languages
from nmt.model.languages import primary

# a file's texts, and what writes it from their translations (and the languages, for its labels: app/labels.py)
Written = tuple[list[str], Callable[[list[str], Languages], bytes]]
MAX_PART_BYTES = 64 << 20  # a text part, parsed
MAX_UNZIPPED_BYTES = 256 << 20  # the whole file, held to be written again


class Damaged(ValueError):
    """Not a file of its kind, or one that cannot be read (the message says why, in a few words)."""


def check_language(what: str, named: str, languages: Languages, allowed: tuple[str, ...] = ()) -> None:
    """Damaged unless the language that a file's `what` names is the translation's source (or one of allowed): a
    file for other languages is refused, not translated as if it were the source's."""
    if primary(named) not in {primary(language) for language in allowed or (languages.source,)}:
        raise Damaged(f"its {what} is {named}, and this translation is {languages.source} -> {languages.target}")


def line_at(text: str, at: int) -> int:
    """The number of the line that character `at` of the text is on, as editors number them (from 1): where a
    reader's Damaged says the trouble is."""
    return text.count("\n", 0, at) + 1


@dataclass
class Package:
    """A zip's entries, the bytes of its text parts (by name, in zip order) and of every other entry."""

    entries: list[zipfile.ZipInfo]
    parts: dict[str, bytes]
    kept: dict[str, bytes]

    def written(self, parts: dict[str, bytes]) -> bytes:
        """The zip again, with these parts in place of the text parts of those names."""
        data = self.kept | self.parts | parts
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as written:
            for entry in self.entries:
                written.writestr(entry, data[entry.filename])
        return out.getvalue()


def unzipped(content: bytes, main_part: str, text_parts: re.Pattern[str]) -> Package:
    """The package of a zip that holds main_part, its text parts those whose whole name text_parts matches; Damaged
    if it does not hold main_part, is not a zip, or is too big."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
        if main_part not in {e.filename for e in entries}:
            raise Damaged(f"it has no {main_part}")
        names = [e.filename for e in entries if text_parts.fullmatch(e.filename)]
        if oversized := [e.filename for e in entries if e.filename in names and e.file_size > MAX_PART_BYTES]:
            raise Damaged(f"{oversized[0]} is over {MAX_PART_BYTES >> 20} MiB uncompressed")
        if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
            raise Damaged(f"it is over {MAX_UNZIPPED_BYTES >> 20} MiB uncompressed")
        parts = {name: archive.read(name) for name in names}
        return Package(entries, parts, {e.filename: archive.read(e) for e in entries if e.filename not in parts})
    # (a damaged entry: its compressed data, zlib.error; its name flagged UTF-8 and not, UnicodeDecodeError)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, zlib.error, UnicodeDecodeError) as e:
        raise Damaged(f"it is not a readable zip file ({e})") from None
