"""Read ``mod2imp``'s IMP export of a SWORD Bible module and turn each verse's OSIS markup into plain text.

Nothing here knows which module a text comes from: the rules are written for the markup the
World English Bible, the King James Version (Strong's-tagged) and the Reina-Valera 1909 modules use
(training/bible.py; its data card lists the rules).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable

REF_RE = re.compile(r"^(?P<book>.+) (?P<chapter>\d+):(?P<verse>\d+)$")
BOOK_END_RE = re.compile(r'<div\b(?=[^>]*\beID=)(?=[^>]*\btype="book")[^>]*/>')
NOTE_RE = re.compile(r"<note\b[^>]*/>|<note\b[^>]*>.*?</note>", re.S)
TITLE_RE = re.compile(r"<title\b([^>]*)>(.*?)</title>", re.S)
# The KJV's Psalm 119 stanza headings: <title><foreign>ב BETH.</foreign></title>. The letter's name is text the
# WEB and the RV have in the verse too (as a canonical title, or plain); the Hebrew letter itself they do not.
ACROSTIC_RE = re.compile(r"^<foreign>[\u05d0-\u05ea]?\s*(?P<name>[A-Z]+\.?)</foreign>$")
SPEAKER_RE = re.compile(r"<speaker\b[^>]*>.*?</speaker>", re.S)
# A USFM character marker left in the OSIS by the module's converter: the KJV has "\nd " where a
# <divineName> start tag belongs (its end tag is there).
USFM_MARKER_RE = re.compile(r"\\\+?[a-z]+\d*\*?")
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


def parse_ref(ref: str) -> tuple[str, int, int] | None:
    """Split ``"I Peter 1:3"`` into ``("I Peter", 1, 3)``; None if not a reference."""
    match = REF_RE.match(ref)
    if match is None:
        return None
    return match["book"], int(match["chapter"]), int(match["verse"])


def book_of(ref: str) -> str:
    """``"I Peter"`` for ``"I Peter 1:3"``."""
    parsed = parse_ref(ref)
    if parsed is None:
        raise ValueError(f"not a verse reference: {ref!r}")
    return parsed[0]


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
    """Keep canonical (psalm) titles and Psalm 119's stanza names as text, drop editorial headings."""
    attrs, text = match.groups()
    if 'canonical="true"' in attrs:
        return f" {text} "
    acrostic = ACROSTIC_RE.match(text.strip())
    return f" {acrostic['name']} " if acrostic else " "


def clean_osis(markup: str) -> str:
    """Turn one verse of OSIS markup into plain text.

    Anything after the end-of-book marker is cut (the WEB's glossary).  Notes
    and speaker labels are removed with their contents, editorial titles too
    (canonical psalm titles keep their text: the Spanish has them inside
    verse 1; so do the names of Psalm 119's stanzas).  Stray USFM markers
    (the KJV's ``\\nd``) are removed.  Other tags are dropped keeping their text
    (the KJV's Strong's ``<w>``, ``<transChange>`` italics, ``<divineName>``);
    a space is put where a note, milestone or element boundary would otherwise
    fuse two words, except between a verb and an enclitic pronoun
    (``sáca`` + ``lo``).  Entities are unescaped, pilcrows removed, whitespace
    collapsed and dropped before closing punctuation (where a note stood).
    """
    text = BOOK_END_RE.split(markup, maxsplit=1)[0]  # WEB puts its glossary after Revelation
    text = NOTE_RE.sub(" ", text)
    text = TITLE_RE.sub(_title, text)
    text = SPEAKER_RE.sub(" ", text)
    text = USFM_MARKER_RE.sub("", text)
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
