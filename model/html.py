"""HTML documents: what of them the model translates, and each document put back around the translations.

A document is read by the standard library's tolerant HTML parser (html.parser, which never gives up on malformed
input) into tokens, each with its exact source text, and cut into runs at block elements (p, div, li, td, h1, …).
A run is the content of one block: its text and inline elements (b, i, a, span, …) together, so that the model
sees whole sentences; a line break (<br>) outside the inline elements ends a line, and each line is a run, as the
pipeline translates a text's lines apart. Everything else (block tags, the whitespace around and between blocks,
comments, the doctype) is kept as written, byte for byte, and so is every tag inside a run, attributes and all: only
text is rewritten, and of the tags only what a reader sees or hears of them, the values of alt, title, placeholder,
aria-label and aria-description, a button's value (<input type="submit">), an option's or a track's label and the
page's description (<meta name="description" content="…">, og:title, og:description, …), each translated as a
text of its own (`Document.labels`, `Document.relabel`) and written back in its quotes.

A run whose tags all come in pairs or have no content is translated as plain text, and its tags placed by the
attention (`Run.fill_aligned`, model/html_passes.py). Otherwise, or where that fails, a run goes to the pipeline as
its text with each inline tag (or kept element) replaced by one marker character, a private-use character reserved
here. The caller passes the markers as verbatim terms (spans.Terms.keep): a model with placeholders carries them
like any span, and restore() puts each back exactly once. `Run.fill` accepts the translation only if every marker
came back once and the tags paired in the source (<b> … </b>) are still paired and nested; otherwise, and for a
model without placeholders, the run is translated text piece by text piece (`Run.pieces`, `Run.fill_pieces`), each
tag staying where it was: the deterministic fallback. An inline tag the source leaves unpaired (an unclosed <b>, a
stray </b>) may land anywhere: the output is never less well-formed than the input, whose mistakes it keeps rather
than guesses at.

Never sent to the model: <script>, <style>, <pre>, <textarea>, <code>, <kbd>, <samp>, and any element marked
translate="no" or class="notranslate" (an inline one travels inside its run as one marker), their tags' attributes
included. Such an element ends at its matching end tag; an inline one also at the next block tag (an unclosed <code>
does not swallow the rest of the page), a block one otherwise at the end of the document.

Translated text is escaped for HTML (& < > and the no-break space as &amp; &lt; &gt; &nbsp;): the source's entities
come back as the characters they stand for, or as these four entities, so the output is valid wherever the input was.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from html import escape, unescape
from html.parser import HTMLParser
from itertools import combinations
from typing import Literal

from nmt.model.align import HTML_SPACE, model_words, words
from nmt.model.spans import VERBATIM_INLINE
from nmt.model.text import check_text

BLOCK = frozenset("""address article aside audio base blockquote body canvas caption col colgroup dd details dialog div
    dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe
    legend li link main menu meta nav noscript ol optgroup option p picture section select summary table tbody td
    template tfoot th thead title tr ul video""".split())
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
VERBATIM = frozenset(("script", "style", "pre", "textarea", *VERBATIM_INLINE))
RAW_BLOCKS = frozenset("script style pre textarea".split())  # verbatim elements that end a run, as blocks do

LEADING, TRAILING = "¿¡([{«\"'“‘", ".,;:!?)]}»\"'”’"
PUNCTUATED = re.compile(f"([{re.escape(LEADING)}]*)(.*?)([{re.escape(TRAILING)}]*)", re.DOTALL)
NO_BREAK_SPACE = "\xa0"
TAG = re.compile(r"<[^>]*>")
BR = re.compile(r"<br\s*/?>", re.IGNORECASE)  # a line break as a text's lines are sent parted, and come back
MARKER_BASE, MARKER_END = 0xF0000, 0xFFFFE  # Supplementary Private Use Area-A: one character per inline item
MARKERS = f"{chr(MARKER_BASE)}-{chr(MARKER_END - 1)}"
TOUCHING = re.compile(rf"(?<=[{MARKERS}])(?=\w)|(?<=\w)(?=[{MARKERS}])")  # a marker and a word, nothing between
LABELS = frozenset({"alt", "title", "placeholder", "aria-label", "aria-description"})  # text that a reader reads
LABELLED = {"label": frozenset({"option", "optgroup", "track"}), "value": frozenset({"input"}),  # these, on these
            "content": frozenset({"meta"})}
BUTTONS = frozenset({"button", "submit", "reset"})  # the <input> types whose value is their text
DESCRIBED = frozenset({"description", "og:title", "og:description", "twitter:title", "twitter:description"})
ATTRIBUTE = re.compile(r"""[\s/]*([^\s/>][^\s/=>]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")  # one, in a tag
Value = tuple[int, int, str]  # an attribute value's start and end in its tag's source text, and its text
# a picture's file name, which tools write as its alt text when no one wrote one (image.png, IMG_0042.JPG)
FILE_NAME = re.compile(r"[\w.-]+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?|ico|avif|heic|emf|wmf)", re.IGNORECASE)


def marker(index: int) -> str:
    return chr(MARKER_BASE + index)


def _marker_index(char: str) -> int | None:
    return ord(char) - MARKER_BASE if MARKER_BASE <= ord(char) < MARKER_END else None


def text_only(source: str) -> str:
    """An HTML text's words without its tags, its entities read: what its language is told from."""
    return unescape(TAG.sub(" ", source))


def escape_text(text: str) -> str:
    return escape(text, quote=False).replace(NO_BREAK_SPACE, "&nbsp;")


@dataclass(frozen=True)
class Token:
    kind: Literal["start", "end", "text", "other"]  # other: comments, doctype, processing instructions, CDATA
    raw: str  # exactly as written in the document
    name: str = ""  # tags: the tag name, lower case
    text: str = ""  # text: as the parser reads it, entities decoded
    verbatim: bool = False  # start tags: marked translate="no" or class="notranslate"
    closed: bool = False  # start tags: written self-closing (<br/>), or a void element (<br>)
    labels: tuple[Value, ...] = ()  # start tags: the values of their attributes that are translated (_labels)


UNENDED = re.compile("<(?!!)")  # a "<" after the last ">" (_Tokenizer.tokens)


def _stand_in(source: str) -> str:
    """A character that source does not hold, to stand for its "<" after its last ">" ("" if it holds them all)."""
    held = set(source)
    return next((c for c in map(chr, range(0xF0000, 0x110000)) if c not in held), "")


class _Tokenizer(HTMLParser):
    """Notes where in the source each parser event starts; a token's raw text runs to the next one's start."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.stand_in = _stand_in(source)
        self.line_starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
        self.events: list[tuple[int, Token]] = []
        self.labels: dict[int, dict[str, str]] = {}  # a start tag's event -> its attributes to translate

    def _add(self, token: Token) -> None:
        line, column = self.getpos()
        self.events.append((self.line_starts[line - 1] + column, token))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, tag in VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        verbatim = _marked_verbatim(attrs)
        if not verbatim and (labels := _labels(tag, attrs)):
            self.labels[len(self.events)] = labels
        self._add(Token("start", "", tag, verbatim=verbatim, closed=closed))

    def handle_endtag(self, tag: str) -> None:
        self._add(Token("end", "", tag))

    def handle_data(self, data: str) -> None:
        self._add(Token("text", "", text=data.replace(self.stand_in, "<") if self.stand_in else data))

    def handle_comment(self, data: str) -> None:
        self._add(Token("other", ""))

    def handle_decl(self, decl: str) -> None:
        self._add(Token("other", ""))

    def handle_pi(self, data: str) -> None:
        self._add(Token("other", ""))

    def unknown_decl(self, data: str) -> None:
        self._add(Token("other", ""))

    def tokens(self) -> list[Token]:
        # html.parser looks for the end of a tag from each "<" on, and where no ">" follows, every "<" of the rest
        # cost a scan to the text's end, then was read as text: quadratic ("<a <a <a …", 20,000 characters: 7 s;
        # CPython 3.12.11 and 3.13.4 fix it, gh-135462). After the last ">" the parser reads a stand-in instead
        # of each "<" (but that of "<!", which it may refuse: InvalidHtml), as text at once, and handle_data puts
        # the "<" back.
        after = self.source.rfind(">") + 1
        rest = UNENDED.sub(self.stand_in, self.source[after:]) if self.stand_in else self.source[after:]
        self.feed(self.source[:after] + rest)
        self.close()
        starts = [at for at, _ in self.events] + [len(self.source)]
        out = [Token("other", self.source[: starts[0]])] if starts[0] > 0 else []  # never lose a byte
        for k, ((at, token), end) in enumerate(zip(self.events, starts[1:], strict=True)):
            raw = self.source[at:end]  # what the parser skipped (a "</>") stays with the token before it
            if token.kind == "text" and out and out[-1].kind == "text":  # the parser cuts text at a stray "<"
                before = out.pop()
                raw, token = before.raw + raw, Token("text", "", text=before.text + token.text)
            labels = _values(raw, self.labels[k]) if k in self.labels else ()
            out.append(Token(token.kind, raw, token.name, token.text, token.verbatim, token.closed, labels))
        return out


def _labels(tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
    """A start tag's attributes whose text is translated, as the parser reads them: what a reader sees or hears of
    it (a picture's alt, a title's tooltip, a field's placeholder, a button's value; LABELS, LABELLED), and the
    page's description that search engines and shared links show (<meta name="description" content>, its Open
    Graph and Twitter cousins), if it has a letter."""
    values, names = {name: value or "" for name, value in attrs}, Counter(name for name, _ in attrs)
    shown = (tag != "input" or values.get("type", "").strip().lower() in BUTTONS) and (
        tag != "meta" or (values.get("name") or values.get("property", "")).strip().lower() in DESCRIBED)
    return {name: value for name, value in values.items() if names[name] == 1  # (written twice: left as it is)
            and (name in LABELS or tag in LABELLED.get(name, ()) and shown) and readable(value)}


def readable(label: str) -> bool:
    """Whether a label (an alt text, a title, ...) is words to translate: it has a letter, and is not a file's name."""
    return any(c.isalpha() for c in label) and not FILE_NAME.fullmatch(label.strip())


def _values(raw: str, labels: dict[str, str]) -> tuple[Value, ...]:
    """Where in the tag's source text each of labels is; one the scan reads otherwise than the parser is left out,
    and kept as written."""
    found, at = [], 1 + len(re.split(r"[\s/>]", raw[1:], maxsplit=1)[0])  # after "<" and the tag's name
    while (attribute := ATTRIBUTE.match(raw, at)) and attribute.end() > at:
        at = attribute.end()
        name, value = attribute.group(1).lower(), attribute.group(2)
        if value is None or name not in labels:
            continue
        quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'"
        text = unescape(value[1:-1] if quoted else value)
        if text == labels[name]:
            found.append((*attribute.span(2), text))
    return tuple(found)


def _relabelled(raw: str, labels: Sequence[Value], translations: Iterator[str]) -> str:
    """A tag's source text with each of its labels' values translated (the next of translations, in order)."""
    pieces, at = [], 0
    for start, end, text in labels:
        translation = next(translations)
        if translation == text:  # kept as written: escaped anew, a malformed tag before it might be read otherwise
            continue             # (<p alt=''a='>: text, or one tag with the next, as a later " is &quot; or not)
        quote = raw[start] if raw[start] in "\"'" else '"'  # (a value written without quotes gets them)
        pieces += [raw[at:start], quote, escape(translation, quote=True), quote]
        at = end
    return "".join(pieces) + raw[at:]


def _tags(html: str) -> Counter[str] | None:
    """The tags that html.parser reads in html, None if it cannot read it. A tag or kept element moved by the model
    can change what the parser reads: a kept element that ended the source with an unfinished "<![foo" is
    unreadable anywhere else."""
    try:
        tokens = _Tokenizer(html).tokens()
    except AssertionError:
        return None
    return Counter(token.raw for token in tokens if token.kind in ("start", "end"))


def wrapped(html: str, start: str, end: str) -> str:
    """html (or XML) with each stretch of text outside its elements (not white space alone) between start and end
    tags, its edge spaces outside them; its elements are paired or self-closing."""
    pieces, depth = re.split(r"(<[^>]*>)", html), 0  # text, tag, text, …, text
    for k, piece in enumerate(pieces):
        if k % 2:
            void = piece.endswith("/>") or _name(piece) in VOID
            depth += 0 if void else -1 if piece.startswith("</") else 1
        elif depth == 0 and piece.strip(HTML_SPACE):
            lead, core, trail = edges(piece)  # spaces outside: no underlined space
            pieces[k] = f"{lead}{start}{core}{end}{trail}"
    return "".join(pieces)


def _name(tag: str) -> str:
    """A tag's element name, lower case."""
    found = re.match(r"</?([^\s/>]+)", tag)
    return found.group(1).lower() if found else ""


def _marked_verbatim(attrs: list[tuple[str, str | None]]) -> bool:
    values = {name: (value or "") for name, value in attrs}
    return values.get("translate", "").strip().lower() == "no" or "notranslate" in values.get("class", "").split()


def edges(text: str, space: str | None = HTML_SPACE) -> tuple[str, str, str]:
    """text as its leading white space, what is between, and its trailing white space (all of it, if blank); white
    space is HTML's by default, any (the no-break space too) with space=None."""
    core = text.strip(space)
    start = text.index(core)
    return text[:start], core, text[start + len(core):]


def flowing(text: str) -> str:
    """Text as HTML renders it: inside it, any run of whitespace (line breaks too) is one space, so the pipeline,
    which cuts text at line breaks, sees whole sentences; the whitespace around it is kept as written."""
    lead, core, trail = edges(text)
    return lead + " ".join(words(core)) + trail


@dataclass(frozen=True)
class Item:
    """A piece of a run: text (`text` set), or an inline tag or kept element (one marker)."""

    raw: str
    text: str | None = None
    tag: Literal["open", "close", ""] = ""  # "": not a tag that can be paired (void, self-closing, kept element)
    name: str = ""
    labels: tuple[Value, ...] = ()  # a start tag's attribute values that are translated

    @property
    def translatable(self) -> bool:
        return self.text is not None and bool(self.text.strip())


@dataclass
class Run:
    """The content of one block: items in source order. html: its text is HTML's, written escaped, and a run filled
    by the attention is checked to read as the same tags; False for a sentence of plain text with paired tags
    (model/tagged.py), written as it is (its spans, "a < b", may be placeholders in the translation it fills)."""

    items: list[Item]
    html: bool = True
    marked: list[int] = field(init=False)  # the items that become markers: marker(k) stands for items[marked[k]]
    pairs: dict[int, int] = field(init=False)  # an opening tag's item -> its closing tag's item, as in the source

    def __post_init__(self) -> None:
        self.marked = [i for i, item in enumerate(self.items) if item.text is None]
        self.pairs, open_tags = {}, []
        for i, item in enumerate(self.items):
            if item.tag == "open":
                open_tags.append(i)
            elif item.tag == "close" and open_tags and self.items[open_tags[-1]].name == item.name:
                self.pairs[open_tags.pop()] = i  # a close that does not end the innermost open tag stays unpaired

    @property
    def raw(self) -> str:
        return "".join(item.raw for item in self.items)

    def _escape(self, text: str) -> str:
        return escape_text(text) if self.html else text

    @property
    def plain(self) -> bool:
        """No tags: the run's text is all there is."""
        return not self.marked

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(marker(k) for k in range(len(self.marked)))

    def text(self) -> str | None:
        """The run's text with a marker per tag; None if it cannot be marked (its text holds marker characters)."""
        if len(self.marked) > MARKER_END - MARKER_BASE or any(
                _marker_index(c) is not None for item in self.items if item.text for c in item.text):
            return None
        markers = iter(self.markers)
        return flowing("".join(next(markers) if item.text is None else item.text for item in self.items))

    def spaced_text(self) -> str | None:
        """text() with a space between a marker and a word that it touches, for the model: it reads "⦅0⦆love" as a
        placeholder and a piece of a word, and dropped the word ("God is <b>love" came back "Dios es <b>."). fill()
        takes such spaces out again."""
        text = self.text()
        return None if text is None else TOUCHING.sub(" ", text)

    def _unspaced(self, translation: str) -> str:
        """The translation without the white space beside a marker on each side where the source has none: a tag
        goes back against its words ("<b>amor", "amor</b>"), as it was written."""
        text = self.text() or ""
        for j, char in enumerate(text):
            if _marker_index(char) is None:
                continue
            if j > 0 and text[j - 1] not in HTML_SPACE:
                translation = re.sub(f"[{HTML_SPACE}]+(?={char})", "", translation)
            if j + 1 < len(text) and text[j + 1] not in HTML_SPACE:
                translation = re.sub(f"(?<={char})[{HTML_SPACE}]+", "", translation)
        return translation

    def fill(self, translation: str) -> str | None:
        """The run's HTML from the translation of text() or spaced_text(); None unless every tag is back once, paired
        tags nested, and html.parser reads the same tags in it as in the source."""
        translation = self._unspaced(translation)
        order = [k for k in map(_marker_index, translation) if k is not None]
        if sorted(order) != list(range(len(self.marked))) or not self._nested(order):
            return None
        out, text = [], []
        for char in translation:
            k = _marker_index(char)
            if k is None:
                text.append(char)
            else:
                out += [self._escape("".join(text)), self.items[self.marked[k]].raw]
                text = []
        html = "".join(out) + self._escape("".join(text))
        source = _tags(self.raw)
        return html if source is not None and _tags(html) == source else None

    def _nested(self, order: list[int]) -> bool:
        closing = {close: open_ for open_, close in self.pairs.items()}
        open_tags: list[int] = []
        for i in (self.marked[k] for k in order):
            if i in self.pairs:
                open_tags.append(i)
            elif i in closing:
                if not open_tags or open_tags.pop() != closing[i]:
                    return False
        return True

    def void(self, i: int) -> bool:
        """Whether item i is an element without content (<img>, <wbr>, a <br> inside a pair)."""
        return not self.items[i].tag and bool(self.items[i].name)

    @property
    def alignable(self) -> bool:
        """Every tag is one of a pair or an element without content (no kept element, no tag the source leaves
        unpaired): the run can be translated as plain text, each pair put back around the words it held and each
        element without content after the word it followed (fill_aligned)."""
        paired = set(self.pairs) | set(self.pairs.values())
        return bool(self.marked) and all(i in paired or self.void(i) for i in self.marked) and self.text() is not None

    def plain_text(self) -> str:
        """The run's text without its tags."""
        marked = self.text()
        assert marked is not None, "an alignable run"
        return flowing(self._unmarked(marked))

    def _unmarked(self, marked: str) -> str:
        """Marked text (text()) without its markers; a <br>'s is a space (the words on either side are two)."""
        return "".join(map(self._unmarked_char, marked))

    def _unmarked_char(self, char: str) -> str:
        k = _marker_index(char)
        return char if k is None else " " if self.items[self.marked[k]].name == "br" else ""

    def _marks(self) -> Iterator[tuple[int, int, str]]:
        """Each marker of text(), in order: where it is in text(), its item, and the text before it unmarked."""
        text, prefix = self.text() or "", ""
        for j, char in enumerate(text):
            if (k := _marker_index(char)) is not None:
                yield j, self.marked[k], prefix
            prefix += self._unmarked_char(char)

    def word_ranges(self) -> dict[int, tuple[int, int]]:
        """Each pair's opening item -> the words of plain_text() it holds (model_words), [first, end): a word the tag
        cuts (un<b>like</b>ly) counts as held whole."""
        ranges, starts = {}, {}
        for _, item, prefix in self._marks():
            if self.void(item):
                continue
            count = len(model_words(prefix))
            if item in self.pairs:
                starts[item] = count - 1 if prefix and not prefix[-1].isspace() else count
            else:
                opening = next(o for o, c in self.pairs.items() if c == item)
                ranges[opening] = (starts[opening], count)
        return ranges

    def anchors(self) -> dict[int, tuple[int, bool]]:
        """Each element without content (void) -> the word of plain_text() it follows (-1 if none) and whether a
        space parts it from that word (from the first word, for -1), in source order."""
        text, found = self.text() or "", {}
        for j, item, prefix in self._marks():
            if self.void(item):
                word = len(model_words(prefix)) - 1
                beside = text[j - 1:j] if word >= 0 else text[j + 1:j + 2]
                found[item] = word, beside.isspace()
        return found

    def enclosed(self) -> dict[int, str]:
        """Each pair's opening item -> the text between its two tags."""
        texts: dict[int, str] = {}
        opened: list[int] = []
        for char in self.text() or "":
            k = _marker_index(char)
            if k is None:
                for opening in opened:
                    texts[opening] += char
            elif (item := self.marked[k]) in self.pairs:
                texts[item] = ""
                opened.append(item)
            else:
                opened = [o for o in opened if self.pairs[o] != item]
        return texts

    def fill_aligned(self, translation: str, targets: Sequence[int] | None) -> str | None:
        """The run's HTML from plain_text()'s translation, each pair of tags around the words its source words went
        to (targets: per source word, the translation's word it went to, -1 for none; model/align.py; None if the
        attention could not tell), a pair that holds every word around the whole translation; None if a pair's
        words went nowhere, or pairs apart in the source would overlap or cross. The common pairs of a run written
        as spans (common_pairs) go around the text outside the others instead, unless that changes the tags (two
        of them side by side would be one)."""
        source = model_words(self.plain_text())
        if self._held_whole(len(source)):  # (a table of contents' line, a link): the attention has nothing to place
            targets = [0] * len(source)
        if targets is None or len(targets) != len(source):
            return None
        common = self.common_pairs()
        return (common and self._aligned(source, translation, targets, common)) or self._aligned(
            source, translation, targets, set())

    def _held_whole(self, words: int) -> bool:
        """Every tag is one of a pair that holds all the run's words."""
        ranges = self.word_ranges()
        return len(ranges) * 2 == len(self.marked) and all(r == (0, words) for r in ranges.values())

    def _aligned(self, source: list[str], translation: str, targets: Sequence[int], common: set[int]) -> str | None:
        written = model_words(translation)
        ranges, spans = {o: r for o, r in self.word_ranges().items() if o not in common}, {}
        for opening, (first, end) in ranges.items():
            hit = [targets[s] for s in range(first, end) if 0 <= targets[s] < len(written)]
            if not hit:
                return None
            spans[opening] = (0, len(written) - 1) if end - first == len(source) else (min(hit), max(hit))
        for a, b in combinations(sorted(spans), 2):  # a opens before b: b is inside a in the source, or after it
            if b > self.pairs[a] and not (spans[a][1] < spans[b][0] or spans[b][1] < spans[a][0]):
                return None
        inside = self.enclosed()  # its own text decides its punctuation: "<b>Peter</b>," holds "Peter", not "Peter,"
        held = {o: inside[o].strip() or " ".join(source[first:end]) for o, (first, end) in ranges.items()}
        # whether a pair goes outside its first and its last word's punctuation: if it held the source's, or the
        # whole run (a pair that holds a word, so held[o] has a first and a last character)
        outside = {o: (held[o][0] in LEADING or end - first == len(source), held[o][-1] in TRAILING
                       or end - first == len(source)) for o, (first, end) in ranges.items()}
        placed: dict[int, list[str]] = {}  # a translation's word -> the elements without content after it (-1: first)
        for item, (s, spaced) in self.anchors().items():
            if s >= 0 and not 0 <= targets[s] < len(written):
                return None
            space = " " if spaced else ""
            placed.setdefault(targets[s] if s >= 0 else -1, []).append(
                space + self.items[item].raw if s >= 0 else self.items[item].raw + space)

        def voids(t: int) -> str:
            return "".join(placed.get(t, []))

        joined, last = self._no_break_after(spans), len(written) - 1
        html = voids(-1) + "".join(self._tagged(t, word, spans, outside) + voids(t) +
                                   ("" if t == last else self._escape(NO_BREAK_SPACE) if t in joined else " ")
                                   for t, word in enumerate(written))
        if common:
            html = wrapped(html, self.items[min(common)].raw, self.items[self.pairs[min(common)]].raw)
        lead, _, trail = edges(translation)
        html = lead + html + trail
        return html if not self.html or _tags(html) == _tags(self.raw) else None

    def _no_break_after(self, spans: dict[int, tuple[int, int]]) -> set[int]:
        """The translation's words after which a no-break space goes where a space would: where the source has one
        right outside a pair's tags (<sup>1</sup>&nbsp;In the beginning), on the same side of the pair's words."""
        after = set()
        for opening, (first, last) in spans.items():
            before, closing = self.items[opening - 1] if opening else None, self.pairs[opening]
            behind = self.items[closing + 1] if closing + 1 < len(self.items) else None
            if before is not None and (before.text or "").endswith(NO_BREAK_SPACE):
                after.add(first - 1)
            if behind is not None and (behind.text or "").startswith(NO_BREAK_SPACE):
                after.add(last)
        return after

    def common_pairs(self) -> set[int]:
        """A run of several outermost pairs and no text outside them, as word processors write HTML (each stretch
        of text a <span> of its formatting): those of them that hold no pair and whose start tag, as written,
        holds most of its text, if there are two or more. They are not placed by the attention (the same
        formatting on either side of another pair would cross it); the text outside the other pairs gets their
        tags back (wrapped). Otherwise none."""
        closing, depth, outermost = set(self.pairs.values()), 0, []
        for i, item in enumerate(self.items):
            if i in self.pairs:
                outermost += [i] if depth == 0 else []
                depth += 1
            elif i in closing:
                depth -= 1
            elif depth == 0 and item.translatable:
                return set()
        leaves = [o for o in outermost if not any(o < i < self.pairs[o] for i in self.pairs)]
        if len(outermost) < 2 or not leaves:
            return set()
        inside, weight = self.enclosed(), Counter[str]()
        for opening in leaves:
            weight[self.items[opening].raw] += len(inside[opening])
        common = {o for o in leaves if self.items[o].raw == weight.most_common(1)[0][0]}
        return common if len(common) >= 2 else set()  # one formatting on either side of another

    def _tagged(self, t: int, word: str, spans: dict[int, tuple[int, int]],
                outside: dict[int, tuple[bool, bool]]) -> str:
        """Word t of the translation with the tags of the pairs that start or end at it: outer pairs outside, and
        inside the word's punctuation ("<b>Jesús</b>.") unless outside says they go outside it."""
        punctuated = PUNCTUATED.fullmatch(word)
        assert punctuated is not None, "every word matches"
        lead, core, trail = punctuated.groups()
        opens = sorted((o for o, (lo, _) in spans.items() if lo == t), key=lambda o: (-spans[o][1], o))
        closes = sorted((o for o, (_, hi) in spans.items() if hi == t), key=lambda o: (-spans[o][0], -o))
        # tags outside the punctuation: the pairs that go outside it, and every pair around those
        before = max((i + 1 for i, o in enumerate(opens) if outside[o][0]), default=0)
        after = min((i for i, o in enumerate(closes) if outside[o][1]), default=len(closes))
        return "".join([*(self.items[o].raw for o in opens[:before]), self._escape(lead),
                        *(self.items[o].raw for o in opens[before:]), self._escape(core),
                        *(self.items[self.pairs[o]].raw for o in closes[:after]), self._escape(trail),
                        *(self.items[self.pairs[o]].raw for o in closes[after:])])

    @property
    def pieces(self) -> list[str]:
        """The fallback's texts: each text item with something to translate."""
        return [flowing(item.text) for item in self.items if item.translatable and item.text is not None]

    def fill_pieces(self, translations: Sequence[str]) -> str:
        """The run's HTML from the translations of pieces, every tag where it was."""
        found = iter(translations)
        return "".join(self._escape(next(found)) if item.translatable else item.raw for item in self.items)


@dataclass
class Document:
    """Kept source text and runs to translate, in order; and the attribute values to translate (alt, title, …) in
    the tags of both: those of the kept tags by part."""

    parts: list[str | Run]
    labelled: dict[int, tuple[Value, ...]] = field(default_factory=dict)  # a part that is a tag -> its labels

    @property
    def runs(self) -> list[Run]:
        return [part for part in self.parts if isinstance(part, Run)]

    @property
    def labels(self) -> list[str]:
        """The texts of the tags' attribute values to translate, in order."""
        return [text for _, values in self._labelled() for _, _, text in values]

    def relabel(self, translations: Sequence[str]) -> None:
        """Each tag written with its labels' translations (one per label, in order), before the runs are filled:
        a tag the model moves is moved translated."""
        found = iter(translations)
        for where, values in self._labelled():
            if isinstance(where, int):
                part = self.parts[where]
                assert isinstance(part, str), "a kept tag"
                self.parts[where] = _relabelled(part, values, found)
            else:
                run, i = where
                run.items[i] = replace(run.items[i], raw=_relabelled(run.items[i].raw, values, found), labels=())
        self.labelled.clear()

    def _labelled(self) -> Iterator[tuple[int | tuple[Run, int], tuple[Value, ...]]]:
        """Each tag with labels, in order: its part, or its run and item; and its labels."""
        for k, part in enumerate(self.parts):
            if k in self.labelled:
                yield k, self.labelled[k]
            elif isinstance(part, Run):
                yield from (((part, i), item.labels) for i, item in enumerate(part.items) if item.labels)

    def render(self, runs: Sequence[str]) -> str:
        """The document with each run replaced by its translated HTML (runs: one per run, in order)."""
        found = iter(runs)
        return "".join(part if isinstance(part, str) else next(found) for part in self.parts)


class InvalidHtml(ValueError):
    """A document the parser cannot read."""


def parse(source: str) -> Document:
    """The document's runs and kept parts; joining the parts and the runs' raw text gives the source back.
    InvalidText for a text that is not valid Unicode (model/text.py); InvalidHtml for the rare input that
    html.parser refuses (an unknown marked section, "<![foo")."""
    check_text(source)
    try:
        tokens = _Tokenizer(source).tokens()
    except AssertionError as e:  # how _markupbase refuses
        raise InvalidHtml(f"not HTML that can be read: {e}") from None
    document = Document([])
    parts, items = document.parts, list[Item]()

    def keep(raw: str, labels: tuple[Value, ...] = ()) -> None:
        if labels:
            document.labelled[len(parts)] = labels
        parts.append(raw)

    def end_run() -> None:
        for line in _lines(items):
            if any(item.translatable for item in line):
                parts.append(Run(line))
            elif any(item.labels for item in line):
                for item in line:
                    keep(item.raw, item.labels)
            elif line:
                keep("".join(item.raw for item in line))
        items.clear()

    for kind, raw, token in _chunks(tokens):
        kept = raw != token.raw  # a kept element, whole: its tags' attributes are kept too
        if kind == "block":
            end_run()
            keep(raw, () if kept else token.labels)
        elif kind == "kept" or token.kind == "other":
            items.append(Item(raw))
        elif token.kind == "text":
            items.append(Item(raw, token.text))
        else:
            items.append(Item(raw, tag="close" if token.kind == "end" else "" if token.closed else "open",
                              name=token.name, labels=token.labels))
    end_run()
    return document


def _lines(items: list[Item]) -> list[list[Item]]:
    """A block's items cut at each <br> outside every pair of inline tags, each <br> a line of its own: the lines
    are translated apart, as the pipeline translates a text's lines (a <br> between two sentences, carried as a
    marker, would land inside one of them). A <br> inside a pair (<b>one<br>two</b>) stays in its run."""
    pairs = Run(items).pairs.items() if items else ()
    cuts = [i for i, item in enumerate(items)
            if item.name == "br" and not item.tag and not any(o < i < c for o, c in pairs)]
    lines, start = [], 0
    for i in cuts:
        lines += [items[start:i], [items[i]]]
        start = i + 1
    return lines + [items[start:]]


def _chunks(tokens: list[Token]) -> Iterator[tuple[Literal["block", "token", "kept"], str, Token]]:
    """The tokens, a kept element as one chunk: "block" (a block tag, or a kept element that acts as a block),
    "kept" (a kept inline element), or "token" (inline content)."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "start" and not token.closed and (token.verbatim or token.name in VERBATIM):
            end = _kept_end(tokens, i)
            block = token.name in BLOCK or token.name in RAW_BLOCKS
            yield "block" if block else "kept", "".join(t.raw for t in tokens[i:end]), token
            i = end
            continue
        is_block = token.kind in ("start", "end") and token.name in BLOCK
        yield "block" if is_block else "token", token.raw, token
        i += 1


def _kept_end(tokens: list[Token], start: int) -> int:
    """Where the kept element opened at tokens[start] ends (the index after it)."""
    name = tokens[start].name
    inline = name not in BLOCK and name not in RAW_BLOCKS
    depth = 0
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.kind == "start" and token.name == name and not token.closed:
            depth += 1
        elif token.kind == "end" and token.name == name:
            depth -= 1
            if depth == 0:
                return i + 1
        elif inline and token.kind in ("start", "end") and token.name in BLOCK:
            return i
    return len(tokens)
