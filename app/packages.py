"""Files that are zips of parts (.docx, .pptx, .epub): the parts that hold text read within bounds, and the file
written again entry for entry, each entry's name, order, date and compression as they were.

Sizes are the uncompressed sizes the entries declare, checked before anything is inflated (zipfile inflates no more
than an entry declares): an upload of a few hundred kB of zeros cannot fill the memory.
"""
from __future__ import annotations

import copy
import io
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nmt.app.labels import Languages
from nmt.model.languages import primary

# a file's texts, and what writes it from their translations (and the languages, for its labels: app/labels.py)
Written = tuple[list[str], Callable[[list[str], Languages], bytes]]
MAX_PART_BYTES = 64 << 20  # a text part, parsed
MAX_UNZIPPED_BYTES = 256 << 20  # the whole file, inflated (a chunk at a time) to be written again


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


ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, zlib.error, UnicodeDecodeError)
ENCRYPTED = 0x1  # an entry's general purpose flag: zipfile cannot read it without the password (a RuntimeError)
COPY_CHUNK = 1 << 20  # what an entry that is not read is copied by into the zip written again


@dataclass
class Package:
    """A zip and the bytes of its text parts (by name, in zip order). Any other entry is read only when asked for
    (read) and copied into the zip written again a chunk at a time: a picture that inflates to 200 MB in an upload
    of 200 kB is never held whole."""

    archive: zipfile.ZipFile
    parts: dict[str, bytes]

    def read(self, name: str) -> bytes | None:
        """The bytes of the entry of that name (None if there is none); Damaged if it is over MAX_PART_BYTES."""
        try:
            entry = self.archive.getinfo(name)
        except KeyError:
            return None
        if entry.file_size > MAX_PART_BYTES:
            raise Damaged(f"{name} is over {MAX_PART_BYTES >> 20} MiB uncompressed")
        if name in self.parts:
            return self.parts[name]
        with _readable():
            return self.archive.read(entry)

    def labelled(self, labels: re.Pattern[str], parts: dict[str, bytes]) -> dict[str, bytes]:
        """The entries whose whole name labels matches (the parts that hold language labels), those in parts as
        they are there."""
        return {e.filename: parts[e.filename] if e.filename in parts else self.read(e.filename) or b""
                for e in self.archive.infolist() if labels.fullmatch(e.filename)}

    def written(self, parts: dict[str, bytes]) -> bytes:
        """The zip again, with these parts in place of the entries of those names; Damaged if an entry copied is."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as written, _readable():
            for entry in self.archive.infolist():
                ours = copy.copy(entry)  # (writing sets its offset, which reading the archive again needs as it is)
                if (data := parts.get(entry.filename, self.parts.get(entry.filename))) is not None:
                    written.writestr(ours, data)
                else:
                    with self.archive.open(entry) as source, written.open(ours, "w") as target:
                        shutil.copyfileobj(source, target, COPY_CHUNK)
        return out.getvalue()


@contextmanager
def _readable() -> Iterator[None]:
    """Damaged where a zip's entry cannot be read (its compressed data, zlib.error; its name flagged UTF-8 and not,
    UnicodeDecodeError; its CRC, BadZipFile)."""
    try:
        yield
    except ZIP_ERRORS as e:
        raise Damaged(f"it is not a readable zip file ({e})") from None


def unzipped(content: bytes, main_part: str, text_parts: re.Pattern[str]) -> Package:
    """The package of a zip that holds main_part, its text parts those whose whole name text_parts matches; Damaged
    if it does not hold main_part, is not a zip, or is too big."""
    with _readable():
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
        if main_part not in {e.filename for e in entries}:
            raise Damaged(f"it has no {main_part}")
        if encrypted := [e.filename for e in entries if e.flag_bits & ENCRYPTED]:
            raise Damaged(f"{encrypted[0]} is encrypted (save the file without a password)")
        names = [e.filename for e in entries if text_parts.fullmatch(e.filename)]
        if oversized := [e.filename for e in entries if e.filename in names and e.file_size > MAX_PART_BYTES]:
            raise Damaged(f"{oversized[0]} is over {MAX_PART_BYTES >> 20} MiB uncompressed")
        if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
            raise Damaged(f"it is over {MAX_UNZIPPED_BYTES >> 20} MiB uncompressed")
        return Package(archive, {name: archive.read(name) for name in names})
