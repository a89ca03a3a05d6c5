"""The data card (README.md) that ``nmt build-bible`` writes next to the corpora it builds (training/bible.py)."""

from __future__ import annotations

import subprocess

from nmt.training.bible import (
    DEV_BOOKS,
    INSTALL_HINT,
    KJV,
    MISALIGNED_RANGES,
    MODULES,
    RENUMBERED_RANGES,
    RV,
    SPLITS,
    TEST_BOOKS,
    WEB,
    WEB_READINGS,
    Alignment,
)

EXAMPLE_REFS = ("Genesis 1:1", "Psalms 23:1", "Ruth 1:16", "John 3:16", "I Peter 5:7")

# (files, what their columns are); the names are those of bible.corpus_files.
FILE_SETS = (
    ("", "WEB `<TAB>` RV: English source, Spanish target (the default corpus)"),
    ("kjv/", "KJV `<TAB>` RV: the KJV as a second English source for the same Spanish targets"),
    ("es-en/", "RV `<TAB>` WEB: Spanish source, English target (the WEB files with the columns swapped)"),
)

DATA_CARD = """\
# Bible English↔Spanish parallel corpora

Verse-aligned World English Bible (WEB) and King James Version (KJV), each paired with the
Reina-Valera 1909 (RV), in both directions. Built by `training/bible.py`; do not edit by hand.

## Sources

| language | SWORD module | Debian package | version | license |
|---|---|---|---|---|
{sources}

All three texts are in the public domain, so these corpora may be redistributed freely.

## Files

Every `.tsv` file has one verse per line, UTF-8, no header; its `.refs` file gives the verse
reference of each line (e.g. `I Peter 1:3`).

{file_sets}
- `es-en/test-2refs.tsv`: RV `<TAB>` WEB `<TAB>` KJV, the test verses that both English texts
  have (after the cleaning below): one Spanish source, two English references
  (`nmt evaluate --test` scores against both).

Every file is split by book, the same books for all, so that near-duplicate verses cannot
leak between splits and no dev or test book is in any training file:

| split | books |
|---|---|
| train | all other books |
| dev | {dev_books} |
| test | {test_books} |

Lines per file:

| file | train | dev | test |
|---|---|---|---|
{counts}

## How it was built

```
{install}
nmt build-bible --out data/bible
```

`mod2imp` exports each module; verses are paired by identical reference. The WEB module
declares NRSVA versification, the KJV and RV modules KJV versification; for the 66 books
they share these number verses alike (NRSVA only adds the empty slots 3 John 1:15 and
Revelation 12:18), but the RV text keeps Spanish verse numbers in a few chapters (see the
last cleaning rule).

## Cleaning rules

- Only verse entries are used (no module/testament headings, no `:0` book or
  chapter introductions).
- Everything after the end-of-book marker is cut (the WEB module stores its
  glossary inside Revelation 22:21).
- `<note>` elements (footnotes, cross references, the KJV's marginal readings) are
  removed with everything inside them, leaving a space so neighbouring words do not fuse.
- `<title>` headings and `<speaker>` labels (Song of Solomon) are removed, and so are the
  KJV's subscriptions after the epistles (`Written to the Romans from Corinthus, ...`, an
  untyped `<title>`). Canonical psalm titles (`canonical="true"`) keep their text, because
  the Spanish has the superscription inside verse 1. The KJV's Psalm 119 stanza headings
  (`<title><foreign>ב BETH.</foreign></title>`) keep the letter's name (`BETH.`), which the
  WEB and the RV have in the verse too; the Hebrew letter is dropped. (The KJV puts `ALEPH`
  in the chapter introduction 119:0, so its 119:1 has no heading.)
- The KJV module has stray USFM markers `\\nd` where a `<divineName>` start tag belongs;
  they are removed.
- All other tags are dropped keeping their text: the KJV's Strong's numbers (`<w lemma=...>`)
  go with their attributes; its words in italics, supplied by the translators
  (`<transChange type="added">`), stay as words of the verse, as printed; `<divineName>`
  keeps `LORD`, `<q who="Jesus">` (red letters) its words. A space is inserted where one
  element ends and the next begins and for self-closing milestones, except a Spanish
  enclitic pronoun marked as added (`<transChange>`) right after a verb (`sáca` + `lo`
  → `sácalo`).
- Entities are unescaped, `¶` removed, whitespace collapsed and trimmed, and a
  space left before closing punctuation by a removed note is dropped.
- The Spanish prints the opening of each chapter in capitals (`EN el principio`,
  `Y ACONTECIÓ`); verse 1 gets normal case (`En el principio`, `Y aconteció`).
- The Spanish subscriptions after the last `Amén.` of 14 epistles (`Fué escrita
  de Corinto ...`, not in the English) are removed.
- Pairs with an empty side are dropped (the WEB leaves e.g. Luke 17:36 and
  Acts 8:37 to footnotes; the RV leaves slots empty where it renumbers).
- Verses whose texts do not match although the references do are dropped. In
  these places the RV module keeps Spanish (Hebrew-style) verse numbers, so
  its verses are shifted, split or merged against both English texts:
  {renumbered}.
- For the WEB also these verses are dropped, where its critical Greek text differs from
  the Textus Receptus that the RV and the KJV follow: {readings}.

Dropped while aligning:

{dropped}

## Examples

| reference | WEB | KJV | RV |
|---|---|---|---|
{examples}
"""


def package_versions() -> dict[str, str]:
    """Installed Debian versions of the module packages ("unknown" if not found)."""
    names = [m.package for m in MODULES]
    versions = {name: "unknown" for name in names}
    try:
        proc = subprocess.run(["dpkg-query", "-W", *names], capture_output=True, text=True, check=False)
    except OSError:
        return versions
    for line in proc.stdout.splitlines():
        name, _, version = line.partition("\t")
        if name in versions and version:
            versions[name] = version
    return versions


def ranges_text(ranges: tuple[tuple[str, int, int], ...]) -> str:
    """``Numbers 13:1–33; ...`` for the data card."""
    return "; ".join(f"{chapter}:{first}" + (f"–{last}" if last != first else "") for chapter, first, last in ranges)


def _counts_table(counts: dict[str, int]) -> list[str]:
    rows = [f"| `{prefix}{{train,dev,test}}.tsv` | " + " | ".join(str(counts[prefix + s]) for s in SPLITS) + " |"
            for prefix, _ in FILE_SETS]
    return [*rows, f"| `es-en/test-2refs.tsv` | | | {counts['es-en/test-2refs']} |"]


def _examples(alignments: dict[str, Alignment]) -> list[str]:
    web = {ref: (en, es) for ref, en, es in alignments[WEB.name].rows}
    kjv = {ref: en for ref, en, _ in alignments[KJV.name].rows}
    return [f"| {ref} | {web[ref][0]} | {kjv[ref]} | {web[ref][1]} |" for ref in EXAMPLE_REFS
            if ref in web and ref in kjv]


def data_card(counts: dict[str, int], alignments: dict[str, Alignment]) -> str:
    """Markdown README describing the built corpora: ``counts`` lines per file, ``alignments`` per English module."""
    assert set(MISALIGNED_RANGES) == set(alignments)  # the card words the rules for these two modules
    versions = package_versions()
    sources = [f"| {'Spanish' if m is RV else 'English'} | `{m.name}` ({m.title}) | `{m.package}` | "
               f"{versions[m.package]} | public domain |" for m in MODULES]
    dropped = [f"- {name} ↔ {RV.name}: " + ", ".join(f"{reason}: {count}" for reason, count in
                                                      sorted(alignment.dropped.items()))
               for name, alignment in alignments.items()]
    return DATA_CARD.format(
        sources="\n".join(sources),
        file_sets="\n".join(f"- `{prefix}{{train,dev,test}}.tsv`: {text}." for prefix, text in FILE_SETS),
        dev_books=", ".join(sorted(DEV_BOOKS)), test_books=", ".join(sorted(TEST_BOOKS)),
        counts="\n".join(_counts_table(counts)), install=INSTALL_HINT,
        renumbered=ranges_text(RENUMBERED_RANGES), readings=ranges_text(WEB_READINGS),
        dropped="\n".join(dropped), examples="\n".join(_examples(alignments)),
    )
