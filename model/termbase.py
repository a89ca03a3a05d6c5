"""Termbases as terminologists and CAT tools export them (Trados MultiTerm, memoQ, Phrase, Smartcat, Crowdin, ...):
TBX, ISO 30042, in either edition. TBX v2 (TBX-Basic) is
    <martif><text><body><termEntry><langSet xml:lang="en"><tig><term>...</term>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>   (or <ntig><termGrp>...)
and TBX v3 is <tbx> (in its namespace) with <conceptEntry><langSec xml:lang="en"><termSec><term> (its DCT style
writes <basic:administrativeStatus> for the termNote). An entry is one
concept: in each language its terms, synonyms in the order given, each with its status, if it has one. Elements are
found by local name, so a namespace (v3's, or a tool's own) changes nothing; definitions, notes and the rest are not
terms and are passed over. Read with lxml, whole (a glossary is small: the caller holds it to a size), resolving no
entity and loading no DTD or anything else from the network: the DOCTYPE that TBX v2 files carry is not fetched."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROOTS = ("martif", "tbx")  # TBX v2, v3
ENTRIES = ("termEntry", "conceptEntry")
LANGUAGES = ("langSet", "langSec")
TERMS = ("tig", "ntig", "termSec")  # a term with its notes: v2's (tig, or ntig's termGrp), v3's
STATUS_TYPES = ("administrativeStatus", "normativeAuthorization")  # (the second: older TBX, MultiTerm)


class TermbaseError(ValueError):
    """Not a termbase: why, in a few words (the caller names the file)."""


@dataclass(frozen=True)
class Term:
    text: str
    status: str = ""  # preferred | admitted | deprecated | superseded | "" (none given)


@dataclass(frozen=True)
class Concept:
    line: int  # where its entry starts in the file
    terms: dict[str, list[Term]]  # by the language code as written, in the order given


def read_termbase(data: bytes) -> list[Concept]:
    """The file's entries; TermbaseError for a file that is not well-formed XML or not TBX."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise TermbaseError(f"not well-formed XML ({e})") from None
    if _local(root) not in ROOTS:
        raise TermbaseError(f"its root is <{_local(root)}>: not a TBX termbase (<martif> or <tbx>)")
    return [_concept(entry) for entry in root.iter() if _local(entry) in ENTRIES]


def _concept(entry: etree._Element) -> Concept:
    terms: dict[str, list[Term]] = {}
    for language in (e for e in entry.iter() if _local(e) in LANGUAGES):
        code = (language.get(XML_LANG) or language.get("lang") or "").strip()
        terms.setdefault(code, []).extend(_term(group) for group in language.iter() if _local(group) in TERMS)
    line = entry.sourceline
    return Concept(line if isinstance(line, int) else 0, {code: [t for t in found if t.text] for code, found in terms.items()})


def _term(group: etree._Element) -> Term:
    """A tig/ntig/termSec's term (its text, inline markup's too, whitespace as one space) and status."""
    term = next((e for e in group.iter() if _local(e) == "term"), None)
    status = next((_text(e) for e in group.iter() if _local(e) in STATUS_TYPES  # (v3's DCT style: an element)
                   or _local(e) in ("termNote", "descrip") and e.get("type") in STATUS_TYPES), "")
    return Term(_text(term) if term is not None else "", _status(status))


def _text(element: etree._Element) -> str:
    """An element's text, its children's too (a term's inline markup: <hi>), each run of whitespace one space."""
    return " ".join("".join(str(text) for text in element.itertext()).split())


def _status(value: str) -> str:
    """preferredTerm-admn-sts (TBX-Basic), preferredTerm (older TBX): preferred; likewise the others."""
    return next((s for s in ("preferred", "admitted", "deprecated", "superseded") if value.strip().startswith(s)), "")


def _local(element: etree._Element) -> str:
    """An element's name without its namespace; "" for a comment or processing instruction (whose tag is no str)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
