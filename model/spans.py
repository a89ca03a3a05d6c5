"""Spans that a translation must carry verbatim: numbers, URLs, e-mails, placeholders of code and templates, and
whatever the caller marks. One module holds the rules, for training (training/transforms/placeholders.py) and
for translation (model/translator.py) alike.

A placeholder-aware model has N reserved subwords ⦅0⦆ … ⦅N-1⦆ (model/tokenizer.py). Before translation each span
of a sentence is replaced by the next placeholder, in reading order (mask); the model carries the placeholders to
their place in the translation, and restore() puts the spans back. Restoration is total: a placeholder the model
dropped is put back before the final punctuation, a repeated one is kept once, an unknown one removed; each such
repair is counted, so that the service can report how often the model needed one.

Names are spans too, for a model trained with them (ModelConfig.names): a capitalized word that its source
vocabulary does not hold as a whole word ("Haman", "Google") is carried verbatim instead of becoming a name the
model knows ("Tom went to Paris" -> "Y fué á Beth-el" before). The first word of a sentence is left alone: there a
capital says nothing.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from nmt.model.text import UNSPACED

OPEN, CLOSE = "⦅", "⦆"  # NFKC-stable: SentencePiece's normalizer leaves them as they are


def placeholder(slot: int) -> str:
    return f"{OPEN}{slot}{CLOSE}"


PLACEHOLDER = re.compile(rf"{OPEN}(\d+){CLOSE}")

MARKUP = r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>"  # a tag, <b>, </b>, <a href="x">, <br/>
VERBATIM_INLINE = ("code", "kbd", "samp")  # elements whose text is kept as written (model/html.py's VERBATIM)
CODE_HYPHEN = r"-(?=[^\W_]*\d|[A-Z\d]+\b)"  # a hyphen inside a code (below)
CODE_LOOKAHEAD = 64  # characters of a code read for its first digit and its first letter (below)

# (kind, pattern), first match wins at a position, so the more specific kinds come first.
RULES: tuple[tuple[str, str], ...] = (
    ("placeholder", PLACEHOLDER.pattern),  # text that already looks like ours passes through untouched
    # <code>npm install</code>, <kbd>Ctrl</kbd>: the element whole, its text kept as written, as HTML keeps it; as
    # a pair of tags around words to translate (model/tagged.py) it became "<kbd>Adrdddletentad</kbd>"
    ("verbatim", rf"<(?P<verbatim_tag>(?i:{'|'.join(VERBATIM_INLINE)}))\b[^<>]*>[^<]*</(?P=verbatim_tag)\s*>"),
    ("markup", MARKUP),
    ("url", r"\b(?:https?|ftp)://[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]|\bwww\.[\w-]+(?:\.[\w-]+)+(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]}])?"),
    # (a local part of 64 characters at most, as RFC 5321 has it: unbounded, each position of a long run without
    # an "@" was scanned to the run's end, and 20,000 characters of "1." took seconds)
    ("email", r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b"),
    ("code", r"`[^`\n]+`"),
    # %s %d %1$s %.2f, Python's %(name)s; C's lengths (%ld %lld %lu %zu) and Apple's objects (%@ %1$@), its
    # plural variables (%#@files@, .stringsdict's and String Catalogs'); %% (a percent sign, in a format string);
    # Ruby's %{name} and %<count>d (Rails' messages); Symfony's %name%
    ("printf", r"%%|%(?:\d+\$)?#@\w+@|%(?:\d+\$|\(\w+\)|<\w+>)?[-+0#]*\d*(?:\.\d+)?(?:hh|h|ll|l|q|z|j|t|L)?"
               r"(?:[sdifuxXeEgGc]\b|@)|%\{\w+\}|(?<![\w%])%[A-Za-z_]\w*%(?![\w%])"),
    ("positional", r"(?<![\w%])%(?:L?\d{1,2}|n)(?![\w$])"),  # Qt's and LibreOffice's %1 … %99, Qt's %L1 and %n
    # a WebExtension message's $USER$ ($1 is a number's rule's); Laravel's :name
    ("named", r"(?<![\w$])\$[A-Za-z_]\w*\$(?![\w$])|(?<![\w:/]):[A-Za-z_]\w*"),
    # {{name}} {name} {0} {} {count, number}, and ICU's # (a plural branch's count)
    ("format", r"\{\{[^{}\n]*\}\}|\{\w*(?:[:,!][^{}\n]*)?\}|(?<![\w#&])#(?![\w#])"),
    # a comparison, "3 < 5", "a < b", "x<=10", or a bound, "< 100", whole: its sign is a symbol that the model does not
    # read, and it dropped the letters around it ("if a < b then stop" -> "Y si < si alguno se levantare,"); an
    # operand is a number or a single letter (a variable), so that "File > Save" stays words; a sign that opens a tag
    # is the tag's ("a <a href=…>")
    ("comparison", rf"(?<![\w<>=-])(?:(?:\d+(?:\.\d+)?|[A-Za-z])\s*)?(?!{MARKUP})[<>]=?\s*(?:\d+(?:\.\d+)?|[A-Za-z])"
                   r"(?![\w<>=])"),
    # a phone number written the international way, "+1 555 123 4567", "+44 (0)20 7946 0958", "+34912345678", or
    # with its area code in brackets, "(555) 123-4567": as numbers, its groups came back split ("555 123 delante de
    # 4567"); a local one, "555-1234", is numbers joined by hyphens (below)
    ("phone", r"(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{1,4}){1,4}(?![\w+])|(?<![\w+])\+\d{7,15}\b"
              r"|(?<![\w)])\(\d{2,4}\)[ .-]?\d{2,4}[ .-]\d{2,5}\b"),
    ("path", r"(?<![\w/.])(?:~|\.{1,2})?/(?:[\w.-]+/)+[\w.-]*|\b[A-Za-z]:\\(?:[\w .-]+\\)*[\w.-]+"),
    ("version", r"\bv?\d+(?:\.\d+){2,}(?:-[\w.]+)?\b|\bv\d+(?:\.\d+)+\b"),
    ("date", r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    ("handle", r"(?<![\w@])@\w+"),
    ("hashtag", r"(?<![\w#&])#\w+"),
    # a token that mixes letters and digits: a product, error or model code, a unit written against its number
    # ("E404", "MP3", "B2B", "H2O", "x86", "5kg", "16GB", "COVID-19", "SKU-88213", "F-150", in any script: "5кг",
    # "Ту-154"; "5 kg" and "5 кг" are a number and a word to translate): the model reads no digit
    # (its vocabulary has none), and dropped them or the whole code ("error E404" -> "á Jesús"). An English ordinal
    # too ("1st", "22nd"): given its number alone ("⦅0⦆st"), the model dropped the suffix and wrote no ordinal
    # A hyphen joins a part with a digit or in capitals ("COVID-19", "x86-64"), not a word: "3-day" is a number
    # and a word to translate
    # Its first digit and its first letter within its first CODE_LOOKAHEAD characters: unbounded, the look for them
    # from each word of a long run without one ("1-1-1-…") scanned to the run's end (quadratic: 20,000 characters
    # took minutes)
    ("alphanumeric", rf"\b(?=(?:[^\W_]|{CODE_HYPHEN}){{0,{CODE_LOOKAHEAD}}}\d)"
                     rf"(?=(?:[^\W_]|{CODE_HYPHEN}){{0,{CODE_LOOKAHEAD}}}[^\W\d_])"
                     rf"[^\W_]+(?:{CODE_HYPHEN}[^\W_]+)*\b"),
    # numbers joined by hyphens or a slash, whole: a range, a score, a fraction, a local phone number ("10-20",
    # "3-1", "3/4", "555-1234"): as numbers apart, the model dropped what joined them ("10 20", "3 4")
    ("joined", r"(?<![\w.,/-])\d+(?:[-\u2013/]\d+)+(?![\w/-])"),
    ("number", r"(?<![\w.,])[$€£¥]?\d+(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d+)?%?(?![\w])"),
)
SPAN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in RULES))
# Every rule needs a digit, "www." or one of these characters (a URL's "://" has its "/"). One scan for them is
# far cheaper than SPAN's twenty tries at each position, and most sentences of ordinary prose have none.
MAY_SPAN = re.compile(r"[\d⦅<>@`%{/\\#$:]|www\.")


# Letters and punctuation of the scripts written without spaces between words (Chinese, Japanese; Korean between a
# word and its particle; Thai, Lao, Khmer, Myanmar): CJK ideographs, kana, Hangul, CJK and full-width punctuation, not
# full-width letters and digits; Thai's letters and marks, not its digits, and so on. To \w and \b they are word
# characters, so a number or a URL against them was no span of its own: "我有345个苹果" was one alphanumeric span (the
# whole sentence carried untranslated), as "ฉันมี345บาท" was, "请访问https://example.com了解更多" had no URL, and a
# glossary's "苹果" or "แมว" matched nowhere in Chinese or Thai (and Thai's vowel marks, not \w, put a \b inside its
# words). The rules read such a character as a space.
GLUED_SCRIPT = f"{UNSPACED}\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # and full-width punctuation
GLUED = re.compile(f"[{GLUED_SCRIPT}]")
WORD_CHAR = rf"[^\W{GLUED_SCRIPT}]"  # \w but for those
IS_WORD_CHAR = re.compile(WORD_CHAR)

WORD = re.compile(r"[^\W\d_]+")
# What may stand before a sentence's first word: the start or the end of a sentence or clause (not the period of
# "Mr.", "Dr.", "Mrs." or "U.S."), or an opening quote or bracket (a quotation starts a sentence: 'He said, “Go”'),
# then spaces, quotes and brackets.
SENTENCE_GAP = "\"'“‘«¿¡([-"  # and white space: what may stand between that start and the word
SENTENCE_START = re.compile(r"(?:^|[!?:;。！？：；]|(?<!\b[A-Z])(?<!\b[A-Z][a-z])(?<!\b[A-Z][a-z]{2})\.|[\"'“‘«¿¡(\[])"
                            rf"[\s{re.escape(SENTENCE_GAP)}]*$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    kind: str


@dataclass(frozen=True)
class Terms:
    """What the caller asks to be carried through: strings kept verbatim (`keep`, e.g. a do-not-translate list
    or HTML marked translate="no"), and glossary terms, each source term replaced by its target term. Matched as
    whole words, the longest first; ignore_case matches the glossary's source terms in any case."""

    keep: tuple[str, ...] = ()
    glossary: Mapping[str, str] = field(default_factory=dict)
    ignore_case: bool = False

    @cached_property
    def pattern(self) -> re.Pattern | None:
        """Built once per Terms: a request's glossary of a thousand terms is matched in each of its sentences."""
        terms = sorted({t for t in (*self.keep, *self.glossary) if t}, key=len, reverse=True)
        if not terms:
            return None
        return re.compile("|".join(rf"(?<!{WORD_CHAR}){re.escape(t)}(?!{WORD_CHAR})" if t[0].isalnum() or t[-1].isalnum() else
                                   re.escape(t) for t in terms), re.IGNORECASE if self.ignore_case else 0)

    @cached_property
    def _folded_glossary(self) -> dict[str, str]:
        """Source terms in any case -> target; of two terms equal but for case, the first given."""
        folded: dict[str, str] = {}
        for source, target in self.glossary.items():
            folded.setdefault(source.casefold(), target)
        return folded

    def output(self, found: str) -> str:
        """What a found term becomes in the translation."""
        if found in self.glossary:
            return self.glossary[found]
        if self.ignore_case:
            return self._folded_glossary.get(found.casefold(), found)
        return found


NO_TERMS = Terms()


def find_spans(text: str, terms: Terms = NO_TERMS, known: frozenset[str] | None = None,
               reads: Callable[[str], bool] | None = None) -> list[Span]:
    """The spans of text, none overlapping: the caller's terms first (in reading order), then the rules', then,
    given the words a model knows (lowercase), the names it does not, then, given which characters it reads, the
    symbols and the words it cannot (symbols, unread)."""
    pattern = terms.pattern
    found = [Span(m.start(), m.end(), m.group(), "term") for m in pattern.finditer(text)] if pattern else []
    spaced = _spaced(text)
    if MAY_SPAN.search(spaced):
        found += _free([Span(m.start(), m.end(), text[m.start():m.end()], m.lastgroup or "span")
                        for m in SPAN.finditer(spaced)], found)
    if known is not None:
        found += _free([s for s in names(text) if s.text.lower() not in known], found)
    if reads is not None:
        unreadable = _free(sorted(symbols(text, reads) + unread(text, reads), key=lambda s: s.start), found)
        found += _spaced_runs(text, unreadable)
    return found


JOINERS = "\u200d\ufe0e\ufe0f\u20e3"  # what joins an emoji's parts: the zero-width joiner, variation selectors, keycap


def symbols(text: str, reads: Callable[[str], bool]) -> list[Span]:
    """The runs of symbols (emoji, ©, ™, →, and &, which stands for a word) that the model cannot read (reads(char)
    is False): each is one unknown subword to it, which it dropped ("God 👍 is love" -> "Dios es amor"). Letters,
    digits and punctuation (quotes, apostrophes) are left to the model, which reads a word around them."""
    found: list[Span] = []
    start = None
    for i, char in enumerate(text):
        inside = (_symbol(char) and not reads(char)) or (start is not None and char in JOINERS)
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            found.append(Span(start, i, text[start:i], "symbol"))
            start = None
    if start is not None:
        found.append(Span(start, len(text), text[start:], "symbol"))
    return _spaced_runs(text, found)


UNREAD_UNIT = re.compile(rf"{WORD_CHAR}+|[{GLUED_SCRIPT}]")  # a word, or a character of a script without spaces


def unread(text: str, reads: Callable[[str], bool]) -> list[Span]:
    """The words with a letter or digit that the model cannot read (reads(char) is False), whole: such a character is
    one unknown subword to it, which it dropped ("I met 李 today." -> "Yo os he enviado hoy hoy.", "naïve" -> "nave"),
    as it did a name's, which is carried verbatim. Of a script written without spaces (GLUED) only the characters
    themselves: the model reads the others around them."""
    return [Span(m.start(), m.end(), m.group(), "unread") for m in UNREAD_UNIT.finditer(text)
            if any(c.isalnum() and not reads(c) for c in m.group())]


def _spaced_runs(text: str, spans: list[Span]) -> list[Span]:
    """Spans with only white space between them as one ("😀 😀 😀"): each would take a placeholder of its own."""
    joined: list[Span] = []
    for span in spans:
        if joined and not text[joined[-1].end:span.start].strip():
            joined[-1] = Span(joined[-1].start, span.end, text[joined[-1].start:span.end], span.kind)
        else:
            joined.append(span)
    return joined


def _symbol(char: str) -> bool:
    return char == "&" or unicodedata.category(char).startswith("S")


def names(text: str) -> list[Span]:
    """The capitalized words of text that do not start a sentence."""
    return [s for s in capitalized(text) if not _starts_sentence(text, s.start)]


def _starts_sentence(text: str, at: int) -> bool:
    """Whether a word at `at` starts a sentence (SENTENCE_START ends there). Searched from the character before the
    spaces, quotes and brackets in front of the word, not from the text's start: that made names() quadratic
    (a sentence of 20,000 characters of "A. A. …" took 13 s)."""
    before = at
    while before > 0 and (text[before - 1] in SENTENCE_GAP or text[before - 1].isspace()):
        before -= 1
    return SENTENCE_START.search(text, max(before - 1, 0), at) is not None


def capitalized(text: str) -> list[Span]:
    """Every capitalized word of text, as a name (a word against Chinese, "我喜欢Python", too)."""
    return [Span(m.start(), m.end(), m.group(), "name") for m in WORD.finditer(_spaced(text)) if m.group()[0].isupper()]


def _spaced(text: str) -> str:
    """text with the characters of the scripts written without spaces (GLUED) as spaces, for the rules to read: as
    long as text, so a span's place in it is its place in text."""
    return GLUED.sub(" ", text) if GLUED.search(text) else text


def _free(spans: list[Span], taken: list[Span]) -> list[Span]:
    """The spans that overlap none of taken (which overlap none of each other: find_spans'). Only the last of taken
    to start before a span ends can overlap it: looked up, not each compared (quadratic: a sentence of thousands
    of numbers and names took seconds)."""
    ordered = sorted(taken, key=lambda t: t.start)
    starts = [t.start for t in ordered]

    def free(span: Span) -> bool:
        before = bisect.bisect_left(starts, span.end) - 1
        return before < 0 or ordered[before].end <= span.start

    return [s for s in spans if free(s)]


Glue = tuple[bool, bool]  # whether a span was written against a word or another span, before it and after it


@dataclass(frozen=True)
class Masked:
    """A sentence with spans replaced by placeholders; spans[i] is what ⦅i⦆ becomes in the translation, glued[i]
    (if given) on which sides it was written against a word or another span, places[i] (if given) where it was in the
    sentence (start, end)."""

    text: str
    spans: tuple[str, ...]
    glued: tuple[Glue, ...] = ()
    places: tuple[tuple[int, int], ...] = ()


def mask(text: str, slots: int, terms: Terms = NO_TERMS, known: frozenset[str] | None = None,
         reads: Callable[[str], bool] | None = None) -> Masked:
    """Replace spans of text by ⦅0⦆, ⦅1⦆, … in reading order: the caller's terms, then the rules' spans, then
    unknown names (given known), then symbols the model cannot read (given reads), as long as slots last (the others
    stay as text). A placeholder written against a word or another placeholder is spaced from it: the model reads
    "⦅3⦆save⦅4⦆" as placeholders and pieces of a word, and dropped the word ("Press <b>save</b> now." came back
    "<b> ahora </b>"); restore() takes such spaces out again."""
    spans = sorted(find_spans(text, terms, known, reads)[:slots], key=lambda s: s.start)
    glued = _glued(text, spans)
    out, last = [], 0
    for slot, (span, (before, after)) in enumerate(zip(spans, glued, strict=True)):
        out += [text[last:span.start], " " if before and span.start != last else "", placeholder(slot),
                " " if after else ""]
        last = span.end
    return Masked("".join(out) + text[last:], tuple(terms.output(s.text) for s in spans), tuple(glued),
                  tuple((s.start, s.end) for s in spans))


def word_map(text: str, masked: Masked) -> tuple[int, ...]:
    """For each word of text (parted by white space, as the model's subwords are), the word of masked.text (mask's
    of text) it became: the words of a span with spaces in it ("+1 555 123 4567") are its placeholder's one word, a
    word a span was written against (and spaced from) is its first piece's."""
    at = _masked_offsets(text, masked)
    word = _word_index(masked.text)
    return tuple(word[at[i]] for i, ch in enumerate(text) if not ch.isspace() and (i == 0 or text[i - 1].isspace()))


def _masked_offsets(text: str, masked: Masked) -> list[int]:
    """For each character of text, where it is in masked.text (a span's characters: its placeholder's start)."""
    out: list[int] = []
    shift = last = 0  # shift: how much further on masked.text is than text, at text[last]
    for slot, ((start, end), (before, after)) in enumerate(zip(masked.places, masked.glued, strict=True)):
        out += range(last + shift, start + shift)
        shift += before and start != last  # the space mask() put before a glued placeholder
        out += [start + shift] * (end - start)
        shift += len(placeholder(slot)) + after - (end - start)
        last = end
    return out + list(range(last + shift, len(text) + shift))


def _word_index(text: str) -> list[int]:
    """For each character of text, how many words start at or before it, less one."""
    out, word = [], -1
    for i, ch in enumerate(text):
        word += not ch.isspace() and (i == 0 or text[i - 1].isspace())
        out.append(word)
    return out


def _glued(text: str, spans: list[Span]) -> list[Glue]:
    """For each span (in reading order), whether a word or another span touches it before it and after it."""
    starts, ends = {s.start for s in spans}, {s.end for s in spans}
    return [(s.start in ends or _word_char(text, s.start - 1), s.end in starts or _word_char(text, s.end))
            for s in spans]


def _word_char(text: str, i: int) -> bool:
    """(A Chinese or Thai character is none: a number against it, "有345个", is not glued to a word in its
    translation.)"""
    return 0 <= i < len(text) and IS_WORD_CHAR.match(text[i]) is not None


@dataclass(frozen=True)
class Restored:
    text: str
    missing: int = 0  # spans the model dropped, put back by the fallback
    extra: int = 0  # placeholders removed: repeats and slots the sentence does not have


FINAL_PUNCTUATION = re.compile(r"[.!?…:;»”\"')\]]*$")


def restore(translation: str, spans: Sequence[str], glued: Sequence[Glue] = ()) -> Restored:
    """The translation with each placeholder replaced by its span: every span exactly once, never altered (spans
    are inserted as they are, not through a regular-expression replacement); a span glued (Masked.glued) on a side
    goes back against what the translation has on that side, without the space that mask() put there ("<b>guardar"
    and "guardar</b>", as "<b>save</b>" was written)."""
    parts = PLACEHOLDER.split(translation)  # text, slot, text, slot, ..., text
    out, seen, extra = [parts[0]], set(), 0
    for digits, after in zip(parts[1::2], parts[2::2], strict=True):
        slot = int(digits)
        if slot < len(spans) and slot not in seen:
            seen.add(slot)
            before_glued, after_glued = glued[slot] if slot < len(glued) else (False, False)
            if before_glued:
                out[-1] = out[-1].rstrip(" ")
            out += [spans[slot], after.lstrip(" ") if after_glued else after]
        else:  # a repeat, or a slot this sentence lacks: dropped with a space beside it
            extra += 1
            out[-1], after = _dropped(out[-1], after)
            out.append(after)
    text = "".join(out)
    missing = [spans[i] for i in range(len(spans)) if i not in seen]
    if missing:
        text = insert_before_end(text, " ".join(missing))
    return Restored(text.strip(" "), len(missing), extra)


CLOSES_LEFT = re.compile(r"$|[ .,;:!?…)\]}»”]|</")  # what follows a word without a space
OPENS_RIGHT = re.compile(r"(?:[(\[{¿¡«“]|<[A-Za-z][^<>]*>)$")  # what precedes a word without a space


def _dropped(before: str, after: str) -> tuple[str, str]:
    """The text before and after a placeholder taken out, without a space that would now stand where none goes:
    "ahora ⦅1⦆." and "ahora ⦅1⦆</b>" lose the space before, "<b>⦅1⦆ ahora" the one after, "amigo⦅1⦆ ahora" neither."""
    if before.endswith(" ") and CLOSES_LEFT.match(after):
        return before.rstrip(" "), after
    if after.startswith(" ") and OPENS_RIGHT.search(before):
        return before, after.lstrip(" ")
    return before, after


def insert_before_end(text: str, addition: str) -> str:
    """addition put before the sentence's closing punctuation ("Ve a casa." -> "Ve a casa 25.")."""
    stem = text.rstrip()
    cut = FINAL_PUNCTUATION.search(stem).start()  # type: ignore[union-attr]  # the pattern matches "" at the end
    return f"{stem[:cut].rstrip()} {addition}{stem[cut:]}".strip()
