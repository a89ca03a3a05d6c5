"""Build the default English→Spanish corpus from two public-domain Bibles.

Source: World English Bible (SWORD module ``engWEB2015eb``) aligned verse by
verse with the Reina-Valera 1909 (``spaRV1909eb``).  The modules are exported
with ``mod2imp`` (Debian package ``libsword-utils``), their OSIS markup is
cleaned to plain text, and the pairs are split by book into train/dev/test.

Run ``nmt build-bible --out data/bible``.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nmt.training.corpus import write_lines, write_tsv

SOURCE_MODULE = "engWEB2015eb"  # English source side
TARGET_MODULE = "spaRV1909eb"  # Spanish target side
DEB_PACKAGES = ("sword-text-web", "sword-text-sparv")
INSTALL_HINT = "sudo apt-get install libsword-utils sword-text-web sword-text-sparv"
DESCRIPTION = (
    "Build the default English→Spanish corpus (World English Bible ↔ Reina-Valera 1909, verse by verse) from the "
    "installed SWORD modules: train/dev/test .tsv and .refs files and a data card README.md. Needs mod2imp and "
    f"the two modules (Debian/Ubuntu: {INSTALL_HINT})."
)

# Book names exactly as mod2imp prints them.
TEST_BOOKS = frozenset({"Ruth", "Jonah", "Ecclesiastes", "Philippians", "James", "Jude"})
DEV_BOOKS = frozenset({"Esther", "Lamentations", "Colossians", "I Peter", "Joel"})
SPLITS = ("train", "dev", "test")

# Verse ranges whose texts do not correspond although the references match,
# found by comparing length ratios and word co-occurrence of neighbouring verses.
# The RV module keeps Spanish (Hebrew-style) verse numbers in these places, so
# its verses are shifted against the WEB (usually with one verse left empty at
# one end and two verses merged at the other), or a clause sits in the next
# verse; the last few are textual differences.
MISALIGNED_RANGES: tuple[tuple[str, int, int], ...] = (
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
    ("Romans 14", 23, 23),  # WEB appends the doxology (Romans 16:25-27 in RV)
    ("Matthew 27", 35, 35),  # RV adds "that it might be fulfilled ..." (TR reading)
    ("Acts 9", 5, 6),  # RV adds "it is hard for thee to kick ..." (TR reading)
    ("I John 5", 7, 8),  # RV has the Comma Johanneum, WEB does not
)
MISALIGNED = frozenset(
    f"{chapter}:{verse}"
    for chapter, first, last in MISALIGNED_RANGES
    for verse in range(first, last + 1)
)

REF_RE = re.compile(r"^(?P<book>.+) (?P<chapter>\d+):(?P<verse>\d+)$")
BOOK_END_RE = re.compile(r'<div\b(?=[^>]*\beID=)(?=[^>]*\btype="book")[^>]*/>')
NOTE_RE = re.compile(r"<note\b[^>]*/>|<note\b[^>]*>.*?</note>", re.S)
TITLE_RE = re.compile(r"<title\b([^>]*)>(.*?)</title>", re.S)
SPEAKER_RE = re.compile(r"<speaker\b[^>]*>.*?</speaker>", re.S)
CLITIC_RE = re.compile(
    r"([^\s<>]+)</w>(<transChange\b[^>]*>)(l[aeo]s?|me|te|se|nos|os)(?=</transChange>)"
)
ACCENTED = set("áéíóúÁÉÍÓÚ")
SHORT_VERBS = frozenset({"da", "di", "haz", "vi"})  # dalo, diles, hazla, vilo
NOT_VERBS = frozenset({"cuánto", "qué"})  # accented, but "cuánto nos" stays apart
CLOSE_THEN_OPEN_RE = re.compile(r"(</[^>]+>)(?=<[A-Za-z])")
SELF_CLOSING_RE = re.compile(r"<[^>]*/>")
TAG_RE = re.compile(r"<[^>]*>")
SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+(?=[,;:.!?)])")
# A run of all-caps words with at least one of 2+ letters ("EN", "Y ACONTECIÓ",
# "DE DOCE"); "ALEPH" in Psalm 119:1 is a heading, not a drop cap.
DROP_CAP_RE = re.compile(
    r"\b(?:[A-ZÁÉÍÓÚÑÜ]+ )*(?!ALEPH\b)[A-ZÁÉÍÓÚÑÜ]{2,}(?: [A-ZÁÉÍÓÚÑÜ]+)*\b"
)
WORD_RE = re.compile(r"\w+")
SUBSCRIPTION_RE = re.compile(r"(?<=Amén\.)\s+.*?\b(?:[Ee]scrita|[Ee]nviada)\b.*$")


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


def parse_ref(ref: str) -> tuple[str, int, int] | None:
    """Split ``"I Peter 1:3"`` into ``("I Peter", 1, 3)``; None if not a reference."""
    match = REF_RE.match(ref)
    if match is None:
        return None
    return match["book"], int(match["chapter"]), int(match["verse"])


def parse_imp(text: str) -> dict[str, str]:
    """Map each verse reference in IMP text to its raw OSIS markup.

    Headings (``[ Module Heading ]``), book/chapter introductions (``:0``
    entries, ``Genesis 0:0``) and anything else that is not a verse are skipped.
    """
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        if line.startswith("$$$"):
            parsed = parse_ref(line[3:].strip())
            current = None
            if parsed is not None and parsed[1] > 0 and parsed[2] > 0:
                current = entries.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return {ref: " ".join(lines).strip() for ref, lines in entries.items()}


def _is_enclitic(word: str) -> bool:
    """Guess whether a pronoun tagged right after ``word`` is attached to it (sácalo)."""
    word = word.strip("¡¿(")
    if not word:
        return False
    if word.lower().endswith(("r", "d", "ndo")) or word in SHORT_VERBS:
        return True
    return word[0].islower() and not ACCENTED.isdisjoint(word) and word not in NOT_VERBS


def _join_clitic(match: re.Match[str]) -> str:
    """Drop the tag boundary between a verb and its enclitic pronoun."""
    word, open_tag, clitic = match.groups()
    sep = "" if _is_enclitic(word) else "</w>"
    return f"{word}{sep}{open_tag}{clitic}"


def _title(match: re.Match[str]) -> str:
    """Keep canonical (psalm) titles as text, drop editorial headings."""
    attrs, text = match.groups()
    return f" {text} " if 'canonical="true"' in attrs else " "


def clean_osis(markup: str) -> str:
    """Turn one verse of OSIS markup into plain text.

    Anything after the end-of-book marker is cut (the WEB's glossary).  Notes
    and speaker labels are removed with their contents, editorial titles too
    (canonical psalm titles keep their text: the Spanish has them inside
    verse 1).  Other tags are dropped keeping their text; a space is put where
    a note, milestone or element boundary would otherwise fuse two words,
    except between a verb and an enclitic pronoun (``sáca`` + ``lo``).
    Entities are unescaped, pilcrows removed, whitespace collapsed and
    dropped before closing punctuation (where a note stood).
    """
    text = BOOK_END_RE.split(markup, maxsplit=1)[0]  # WEB puts its glossary after Revelation
    text = NOTE_RE.sub(" ", text)
    text = TITLE_RE.sub(_title, text)
    text = SPEAKER_RE.sub(" ", text)
    text = CLITIC_RE.sub(_join_clitic, text)
    text = CLOSE_THEN_OPEN_RE.sub(r"\1 ", text)
    text = SELF_CLOSING_RE.sub(" ", text)
    text = TAG_RE.sub("", text)
    text = html.unescape(text).replace("¶", " ")
    return SPACE_BEFORE_PUNCT_RE.sub("", " ".join(text.split()))


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """Count each word form (case-sensitive) in ``texts``."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(WORD_RE.findall(text))
    return counts


def _recase(word: str, first: bool, counts: Counter[str] | None) -> str:
    """Case one all-caps word: capitalised at a sentence start, else as usually written."""
    if first or counts is None or counts[word.capitalize()] >= counts[word.lower()]:
        return word.capitalize()
    return word.lower()


def fix_drop_cap(text: str, counts: Counter[str] | None = None) -> str:
    """Put the all-caps opening of a chapter in normal case.

    A word at the start of a sentence is capitalised (``EN el`` → ``En el``);
    other words take whichever of ``Word``/``word`` is more frequent in
    ``counts`` (``Y ACONTECIÓ`` → ``Y aconteció``, ``Y JEHOVÁ`` → ``Y Jehová``).
    """
    match = DROP_CAP_RE.search(text)
    if match is None:
        return text
    before = text[: match.start()].rstrip(" ¡¿(")
    at_start = not before or before[-1] in ".!?"
    words = [_recase(w, i == 0 and at_start, counts) for i, w in enumerate(match[0].split(" "))]
    return text[: match.start()] + " ".join(words) + text[match.end():]


def strip_subscription(text: str) -> str:
    """Remove the RV's note after an epistle's last "Amén." ("Fué escrita de Roma ...")."""
    return SUBSCRIPTION_RE.sub("", text)


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


def align(source: dict[str, str], target: dict[str, str]) -> Alignment:
    """Pair cleaned verses with the same reference, in source order.

    Target verses get :func:`strip_subscription`, and those that open a
    chapter :func:`fix_drop_cap`.  Pairs with an empty side and references in
    :data:`MISALIGNED` are dropped and counted.
    """
    result = Alignment()
    target_text = {ref: clean_osis(markup) for ref, markup in target.items()}
    counts = word_counts(target_text.values())
    target_books = {ref.rsplit(" ", 1)[0] for ref in target}
    for ref, src_markup in source.items():
        if ref.rsplit(" ", 1)[0] not in target_books:
            result.drop(f"book not in {TARGET_MODULE} (deuterocanon)")
            continue
        if ref not in target:
            result.drop(f"verse not in {TARGET_MODULE}")
            continue
        if ref in MISALIGNED:
            result.drop("known misalignment")
            continue
        src, tgt = clean_osis(src_markup), target_text[ref]
        tgt = strip_subscription(fix_drop_cap(tgt, counts) if ref.endswith(":1") else tgt)
        if not src or not tgt:
            result.drop(f"empty in {SOURCE_MODULE if not src else TARGET_MODULE}")
            continue
        result.rows.append((ref, src, tgt))
    missing = sum(1 for ref in target if ref not in source)
    if missing:
        result.dropped[f"verse not in {SOURCE_MODULE}"] = missing
    return result


def split_rows(rows: Sequence[tuple[str, str, str]]) -> dict[str, list[tuple[str, str, str]]]:
    """Group aligned rows into train/dev/test by book."""
    splits: dict[str, list[tuple[str, str, str]]] = {name: [] for name in SPLITS}
    for row in rows:
        parsed = parse_ref(row[0])
        assert parsed is not None, row[0]
        splits[split_for_book(parsed[0])].append(row)
    return splits


def package_versions() -> dict[str, str]:
    """Installed Debian versions of the module packages ("unknown" if not found)."""
    versions = {name: "unknown" for name in DEB_PACKAGES}
    try:
        proc = subprocess.run(
            ["dpkg-query", "-W", *DEB_PACKAGES], capture_output=True, text=True, check=False
        )
    except OSError:
        return versions
    for line in proc.stdout.splitlines():
        name, _, version = line.partition("\t")
        if name in versions and version:
            versions[name] = version
    return versions


EXAMPLE_REFS = ("Genesis 1:1", "Psalms 23:1", "Ruth 1:16", "John 3:16", "I Peter 5:7")

DATA_CARD = """\
# Bible English→Spanish parallel corpus

Verse-aligned pairs: World English Bible (English, source) and Reina-Valera 1909
(Spanish, target). Built by `training/bible.py`; do not edit by hand.

## Sources

| side | SWORD module | Debian package | version | license |
|---|---|---|---|---|
| English | `{source}` (World English Bible) | `{source_pkg}` | {source_version} | public domain |
| Spanish | `{target}` (Reina-Valera 1909) | `{target_pkg}` | {target_version} | public domain |

Both texts are in the public domain, so this corpus may be redistributed freely.

## Files

`{{train,dev,test}}.tsv`: `english<TAB>spanish`, one verse per line, UTF-8, no header.
`{{train,dev,test}}.refs`: the verse reference of each line (e.g. `I Peter 1:3`).

| split | books | pairs |
|---|---|---|
| train | all other books | {train} |
| dev | {dev_books} | {dev} |
| test | {test_books} | {test} |
| total | | {total} |

## How it was built

```
{install}
nmt build-bible --out data/bible
```

`mod2imp {source}` and `mod2imp {target}` export the modules; verses are paired
by identical reference. The English module declares NRSVA versification and the
Spanish one KJV; for the 66 books they share these number verses alike (NRSVA only
adds the empty slots 3 John 1:15 and Revelation 12:18), but the Spanish text keeps
Spanish verse numbers in a few chapters (see the last cleaning rule).

## Cleaning rules

- Only verse entries are used (no module/testament headings, no `:0` book or
  chapter introductions).
- Everything after the end-of-book marker is cut (the WEB module stores its
  glossary inside Revelation 22:21).
- `<note>` elements (footnotes, cross references) are removed with everything
  inside them, leaving a space so neighbouring words do not fuse.
- `<title>` headings and `<speaker>` labels (Song of Solomon) are removed. Canonical
  psalm titles (`canonical="true"`) keep their text, because the Spanish has the
  superscription inside verse 1.
- All other tags are dropped keeping their text (`<w>` lemma/morph attributes go
  with them). A space is inserted where one element ends and the next begins and
  for self-closing milestones, except a Spanish enclitic pronoun marked as added
  (`<transChange>`) right after a verb (`sáca` + `lo` → `sácalo`).
- Entities are unescaped, `¶` removed, whitespace collapsed and trimmed, and a
  space left before closing punctuation by a removed note is dropped.
- The Spanish prints the opening of each chapter in capitals (`EN el principio`,
  `Y ACONTECIÓ`); verse 1 gets normal case (`En el principio`, `Y aconteció`).
- The Spanish subscriptions after the last `Amén.` of 14 epistles (`Fué escrita
  de Corinto ...`, not in the English) are removed.
- Pairs with an empty side are dropped (the English leaves e.g. Luke 17:36 and
  Acts 8:37 to footnotes; the Spanish leaves slots empty where it renumbers).
- Verses whose texts do not match although the references do are dropped. In
  these places the Spanish module keeps Spanish (Hebrew-style) verse numbers, so
  its verses are shifted, split or merged; the last four are textual differences:
  {misaligned}.

Dropped while aligning:

{dropped}

## Examples

| reference | English | Spanish |
|---|---|---|
{examples}
"""


def _ranges_text() -> str:
    """``Numbers 13:1–33; ...`` for the data card."""
    return "; ".join(
        f"{chapter}:{first}" + (f"–{last}" if last != first else "")
        for chapter, first, last in MISALIGNED_RANGES
    )


def data_card(counts: dict[str, int], alignment: Alignment) -> str:
    """Markdown README describing the built corpus."""
    versions = package_versions()
    by_ref = {row[0]: row for row in alignment.rows}
    examples = [f"| {ref} | {by_ref[ref][1]} | {by_ref[ref][2]} |" for ref in EXAMPLE_REFS
                if ref in by_ref]
    dropped = [f"- {reason}: {count}" for reason, count in sorted(alignment.dropped.items())]
    return DATA_CARD.format(
        source=SOURCE_MODULE, source_pkg=DEB_PACKAGES[0], source_version=versions[DEB_PACKAGES[0]],
        target=TARGET_MODULE, target_pkg=DEB_PACKAGES[1], target_version=versions[DEB_PACKAGES[1]],
        dev_books=", ".join(sorted(DEV_BOOKS)), test_books=", ".join(sorted(TEST_BOOKS)),
        total=sum(counts.values()), install=INSTALL_HINT, misaligned=_ranges_text(),
        dropped="\n".join(dropped), examples="\n".join(examples), **counts,
    )


def build_bible(out_dir: Path) -> dict[str, int]:
    """Export, clean, align and split the corpus into ``out_dir``; return counts per split."""
    source = parse_imp(run_mod2imp(SOURCE_MODULE))
    target = parse_imp(run_mod2imp(TARGET_MODULE))
    alignment = align(source, target)
    if not alignment.rows:
        raise BibleError("no verse pairs could be aligned; is the mod2imp output as expected?")
    out_dir = Path(out_dir)
    counts: dict[str, int] = {}
    for name, rows in split_rows(alignment.rows).items():
        write_tsv(((src, tgt) for _, src, tgt in rows), out_dir / f"{name}.tsv")
        write_lines((ref for ref, _, _ in rows), out_dir / f"{name}.refs")
        counts[name] = len(rows)
    write_lines([data_card(counts, alignment).rstrip("\n")], out_dir / "README.md")
    return counts


def main(argv: list[str] | None = None) -> int:
    """``python -m nmt.training.bible``: the same as ``nmt build-bible`` (one parser, one set of messages)."""
    from nmt.cli import main as cli_main

    return cli_main(["build-bible", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
