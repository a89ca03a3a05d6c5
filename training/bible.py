"""Build the default English↔Spanish corpora from three public-domain Bibles.

Sources: the World English Bible (SWORD module ``engWEB2015eb``) and the King
James Version (``engKJV2006eb``), each aligned verse by verse with the
Reina-Valera 1909 (``spaRV1909eb``).  The modules are exported with
``mod2imp`` (Debian package ``libsword-utils``), their OSIS markup is cleaned
to plain text (training/osis.py), and the pairs are split by book into
train/dev/test, the same books for every file.

Run ``nmt build-bible --out data/bible``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nmt.training.corpus import write_lines, write_tsv
from nmt.training.osis import book_of, clean_osis, fix_drop_cap, parse_imp, strip_subscription, word_counts


@dataclass(frozen=True)
class Module:
    """A SWORD Bible module and the Debian package that ships it."""

    name: str
    title: str
    package: str


WEB = Module("engWEB2015eb", "World English Bible", "sword-text-web")
KJV = Module("engKJV2006eb", "King James Version", "sword-text-kjv")
RV = Module("spaRV1909eb", "Reina-Valera 1909", "sword-text-sparv")  # the Spanish side of every file
ENGLISH = (WEB, KJV)
MODULES = (WEB, KJV, RV)
INSTALL_HINT = f"sudo apt-get install libsword-utils {' '.join(m.package for m in MODULES)}"
DESCRIPTION = (
    "Build the default English↔Spanish corpora (World English Bible and King James Version ↔ Reina-Valera 1909, "
    "verse by verse) from the installed SWORD modules: train/dev/test .tsv and .refs files for WEB→RV, KJV→RV "
    "(kjv/) and RV→WEB (es-en/, with a two-reference test file), and a data card README.md. Needs mod2imp and "
    f"the three modules (Debian/Ubuntu: {INSTALL_HINT})."
)

# Book names exactly as mod2imp prints them. Every file, whatever its translations, splits by these books.
TEST_BOOKS = frozenset({"Ruth", "Jonah", "Ecclesiastes", "Philippians", "James", "Jude"})
DEV_BOOKS = frozenset({"Esther", "Lamentations", "Colossians", "I Peter", "Joel"})
SPLITS = ("train", "dev", "test")

# Verse ranges whose texts do not correspond although the references match,
# found by comparing length ratios and word co-occurrence of neighbouring verses.
# The RV module keeps Spanish (Hebrew-style) verse numbers in these places, so
# its verses are shifted against the English (usually with one verse left empty
# at one end and two verses merged at the other), or a clause sits in the next
# verse. The WEB and the KJV number these verses alike, so both lose them.
RENUMBERED_RANGES: tuple[tuple[str, int, int], ...] = (
    ("Numbers 13", 1, 33),  # RV 13:1 = WEB 12:16
    ("Numbers 30", 1, 16),  # RV 30:1 = WEB 29:40
    ("Judges 14", 18, 20),  # RV 14:19 = second half of WEB 14:18
    ("I Samuel 17", 55, 56),  # end of WEB 17:55 is in RV 17:56
    ("I Samuel 24", 1, 22),  # RV 24:1 = WEB 23:29
    ("II Samuel 2", 31, 32),  # start of WEB 2:32 is in RV 2:31
    ("II Samuel 20", 25, 25),  # RV 20:25 = WEB 20:25-26
    ("I Kings 18", 33, 34),  # RV 18:34 = end of WEB 18:33 + 18:34
    ("I Kings 22", 43, 53),  # RV 22:44 = second half of WEB 22:43
    ("I Chronicles 1", 30, 32),  # RV 1:30 = WEB 1:30-31
    ("I Chronicles 2", 34, 35),  # RV 2:35 = end of WEB 2:34 + 2:35
    ("I Chronicles 21", 15, 30),  # RV 21:16 = end of WEB 21:15
    ("II Chronicles 33", 10, 24),  # RV 33:10 = WEB 33:10-11
    ("Job 35", 15, 15),  # RV 35:15 = WEB 35:15-16
    ("Job 39", 1, 30),  # RV 39:1 = WEB 38:39
    ("Job 40", 1, 19),  # RV 40:1 = WEB 40:6
    ("Psalms 137", 3, 4),  # end of WEB 137:3 is in RV 137:4
    ("Jeremiah 51", 21, 22),  # start of WEB 51:22 is in RV 51:21
    ("Hosea 12", 1, 14),  # RV 12:1 = WEB 11:12
    ("Jonah 2", 1, 10),  # RV 2:1 = WEB 1:17
    ("Luke 7", 18, 19),  # start of WEB 7:19 is in RV 7:18
    ("Acts 19", 40, 40),  # RV 19:40 = WEB 19:40-41
    ("II Corinthians 13", 12, 13),  # RV 13:12 = WEB 13:12-13
)
# Textual differences: the WEB follows a critical Greek text where the RV (like the KJV, which reads as the RV
# in all four) follows the Textus Receptus.
WEB_READINGS: tuple[tuple[str, int, int], ...] = (
    ("Romans 14", 23, 23),  # WEB appends the doxology (Romans 16:25-27 in RV and KJV)
    ("Matthew 27", 35, 35),  # RV adds "that it might be fulfilled ..." (TR reading)
    ("Acts 9", 5, 6),  # RV adds "it is hard for thee to kick ..." (TR reading)
    ("I John 5", 7, 8),  # RV has the Comma Johanneum, WEB does not
)
MISALIGNED_RANGES = {WEB.name: RENUMBERED_RANGES + WEB_READINGS, KJV.name: RENUMBERED_RANGES}


def verses(ranges: Iterable[tuple[str, int, int]]) -> frozenset[str]:
    """Every reference in ``(chapter, first verse, last verse)`` ranges."""
    return frozenset(f"{chapter}:{verse}" for chapter, first, last in ranges for verse in range(first, last + 1))


MISALIGNED = {name: verses(ranges) for name, ranges in MISALIGNED_RANGES.items()}

Row = tuple[str, ...]  # a verse reference, then one text per column of the file


class BibleError(RuntimeError):
    """The Bible corpus cannot be built (tool or module missing, bad output)."""


def run_mod2imp(module: str) -> str:
    """Export one SWORD module as IMP text with ``mod2imp``."""
    exe = shutil.which("mod2imp")
    if exe is None:
        raise BibleError(f"mod2imp not found on PATH (Debian/Ubuntu: {INSTALL_HINT})")
    proc = subprocess.run([exe, module], capture_output=True, check=False)
    stdout = proc.stdout.decode("utf-8", errors="replace")
    if proc.returncode != 0 or not stdout.startswith("$$$"):
        detail = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = detail[0] if detail else f"exit status {proc.returncode}"
        raise BibleError(f"mod2imp could not export SWORD module {module} ({reason}); "
                         f"install the modules (Debian/Ubuntu: {INSTALL_HINT})")
    return stdout


def split_for_book(book: str) -> str:
    """Return ``"test"``, ``"dev"`` or ``"train"`` for a book name."""
    if book in TEST_BOOKS:
        return "test"
    if book in DEV_BOOKS:
        return "dev"
    return "train"


@dataclass
class Alignment:
    """Aligned verses (reference, English, Spanish) and why others were dropped."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def align(source: dict[str, str], target: dict[str, str], english: Module) -> Alignment:
    """Pair cleaned verses of an English module with the Spanish ones of the same reference, in source order.

    Target verses get :func:`strip_subscription`, and those that open a
    chapter :func:`fix_drop_cap`.  Pairs with an empty side and the module's
    references in :data:`MISALIGNED` are dropped and counted.
    """
    result = Alignment()
    target_text = {ref: clean_osis(markup) for ref, markup in target.items()}
    counts = word_counts(target_text.values())
    target_books = {book_of(ref) for ref in target}
    misaligned = MISALIGNED[english.name]
    for ref, src_markup in source.items():
        if book_of(ref) not in target_books:
            result.drop(f"book not in {RV.name} (deuterocanon)")
            continue
        if ref not in target:
            result.drop(f"verse not in {RV.name}")
            continue
        if ref in misaligned:
            result.drop("known misalignment")
            continue
        src, tgt = clean_osis(src_markup), target_text[ref]
        tgt = strip_subscription(fix_drop_cap(tgt, counts) if ref.endswith(":1") else tgt)
        if not src or not tgt:
            result.drop(f"empty in {english.name if not src else RV.name}")
            continue
        result.rows.append((ref, src, tgt))
    missing = sum(1 for ref in target if ref not in source)
    if missing:
        result.dropped[f"verse not in {english.name}"] = missing
    return result


def split_rows(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Group rows into train/dev/test by the book of their reference, keeping their order."""
    splits: dict[str, list[Row]] = {name: [] for name in SPLITS}
    for row in rows:
        splits[split_for_book(book_of(row[0]))].append(row)
    return splits


def corpus_files(web: Sequence[Row], kjv: Sequence[Row]) -> dict[str, list[Row]]:
    """Every file to write, named by its path under the output directory without ``.tsv``/``.refs``.

    ``web`` and ``kjv`` are the aligned ``(reference, English, Spanish)`` rows.
    WEB→RV files at the top, KJV→RV in ``kjv/``, RV→WEB in ``es-en/`` plus
    ``es-en/test-2refs``: RV, WEB, KJV for the test verses both alignments kept.
    """
    web_splits, kjv_splits = split_rows(web), split_rows(kjv)
    files: dict[str, list[Row]] = dict(web_splits)
    files |= {f"kjv/{split}": rows for split, rows in kjv_splits.items()}
    files |= {f"es-en/{split}": [(ref, es, en) for ref, en, es in rows] for split, rows in web_splits.items()}
    kjv_test = {ref: en for ref, en, _ in kjv_splits["test"]}
    files["es-en/test-2refs"] = [(ref, es, en, kjv_test[ref]) for ref, en, es in web_splits["test"]
                                 if ref in kjv_test]
    return files


def build_bible(out_dir: Path) -> dict[str, int]:
    """Export, clean, align and split the corpora into ``out_dir``; return the lines written per file."""
    from nmt.training.bible_card import data_card  # here: the card module imports this one's constants

    spanish = parse_imp(run_mod2imp(RV.name))
    alignments = {m.name: align(parse_imp(run_mod2imp(m.name)), spanish, m) for m in ENGLISH}
    for name, alignment in alignments.items():
        if not alignment.rows:
            raise BibleError(f"no {name} verse could be paired with {RV.name}; is the mod2imp output as expected?")
    files = corpus_files(alignments[WEB.name].rows, alignments[KJV.name].rows)
    out_dir = Path(out_dir)
    for name, rows in files.items():
        write_tsv((row[1:] for row in rows), out_dir / f"{name}.tsv")
        write_lines((row[0] for row in rows), out_dir / f"{name}.refs")
    counts = {name: len(rows) for name, rows in files.items()}
    write_lines([data_card(counts, alignments).rstrip("\n")], out_dir / "README.md")
    return counts


def main(argv: list[str] | None = None) -> int:
    """``python -m nmt.training.bible``: the same as ``nmt build-bible`` (one parser, one set of messages)."""
    from nmt.cli import main as cli_main

    return cli_main(["build-bible", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
