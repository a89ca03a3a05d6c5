"""Files to translate (POST /translate_file): each format cut into the texts the pipeline translates, and put back
together around their translations with everything else kept.

    .txt         the whole file is one text: the pipeline keeps its lines and paragraphs (model/segment.py)
    .srt         cue numbers and timings kept; each cue's text is one HTML text (its tags, <i>, <b>, <font>, kept
                 around their words), its lines kept
    .vtt         the same for WebVTT (<v Speaker>, <c.class> too), the header, identifiers, settings, notes and
                 styles kept
    .ass .ssa    each Dialogue event's text is one HTML text, its override blocks as tags or kept (app/ass.py)
    .html .htm   the whole document is one HTML text, translated as `format: html` (model/html.py)
    .docx .pptx  each paragraph is one HTML text, its runs' formatting as spans (app/office.py)
    .xlsx        each string cell's text is one HTML text, its runs' formatting as spans (app/office.py)
                 (their templates and macro-enabled files too, .dotx .docm .potx .pptm ...: office.KINDS)
    .epub        each XHTML document of the book is one HTML text (app/epub.py)
    .odt .odp    each paragraph's content, as written, is one HTML text (app/opendocument.py)
    .ods         the same, for the paragraphs of each cell of text (app/opendocument.py)
                 (their templates too, .ott .otp .ots)
    .pdf         each paragraph (lines of text found close under one another) is one text, written where it was
                 over the page without its text (app/pdf.py)
    .md          each paragraph's, heading's, list item's and table cell's text is one HTML text, as markdown-it renders
                 it, written back as Markdown (app/markdown.py)
    .xlf .xliff  each unit's source is one HTML text, its inline codes as spans, translated into its target
                 (app/xliff.py)
    .po .pot     each untranslated message's msgid (and msgid_plural) is one text, translated into its msgstr
                 (app/po.py)
    .json .arb   each string value with a letter is one text, every key and number kept (app/json_messages.py)
    .ts          each unfinished message's source (Qt Linguist) is one text, translated into its translation
                 (app/qt_linguist.py)
    .xml         Android's string resources: each string's, array item's and plural item's text is one HTML text,
                 its markup as spans (app/android.py); or, where its root is <tt>, TTML subtitles
    .ttml .dfxp  each paragraph's text (Timed Text subtitles) is one HTML text, its spans kept around their words
                 (app/ttml.py)
    .resx        each string resource's value (.NET's resources) is one text (app/resx.py)
    .properties  each value with a letter (Java's resource bundles) is one text, keys and comments kept
                 (app/properties.py)
    .php         each string value with a letter of a file that returns an array (Laravel's lang files) is one text,
                 a choice's parts apart (without ranges: as many as Laravel's rule for the target picks from),
                 keys and comments kept (app/php_arrays.py)
    .ftl         each message's value and attribute (Project Fluent's) is one text, its placeables kept
                 (app/fluent.py)
    .yml .yaml   each string value with words (Rails', Symfony's messages) is one text, keys and comments kept
                 (app/yaml_messages.py)
    .strings     each value with a letter (Apple's strings files, UTF-8 or UTF-16) is one text, every key and
                 comment kept (app/apple_strings.py)
    .xcstrings   each string's source (Xcode's String Catalogs), each plural variation's apart, is one text, translated
                 into the target's localization (app/string_catalog.py)
    .stringsdict each format string and plural case with a letter (Apple's plural rules, an XML property list) is one
                 text, a plural's cases made the target's (app/stringsdict.py)

A file that says what language it is in (HTML's lang, Word's w:lang, ...) says the target's once translated
(app/labels.py).

A text file must be UTF-8 (a gettext file may be in the charset its header names, an Apple strings file UTF-16, a
Java properties file ISO-8859-1; a byte-order mark and CRLF line ends are kept), a zipped one (.docx, .pptx, .xlsx,
.epub, .odt, .odp, .ods, ...) a readable file of its kind; anything else is a FileRejected with a one-line reason.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal, TypeVar

from nmt.app import (
    android,
    apple_strings,
    ass,
    epub,
    fluent,
    json_messages,
    labels,
    markdown,
    office,
    opendocument,
    packages,
    pdf,
    php_arrays,
    po,
    properties,
    qt_linguist,
    resx,
    string_catalog,
    stringsdict,
    ttml,
    xliff,
    yaml_messages,
)
from nmt.app.detect import LanguageDetector
from nmt.app.labels import Languages, Relabel
from nmt.app.packages import Written
from nmt.app.xmltree import root_name
from nmt.model.html import BR, text_only
from nmt.model.languages import primary

BOM = "\ufeff"
BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls but tab, line feed, form feed, carriage return
CUE_NUMBER = re.compile(r"\s*\d+\s*")
TIMING = re.compile(r"\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}(\s.*)?")
SRT_TAG = re.compile(r"(</?(?:i|b|u|font)(?:\s[^<>]*)?>)", re.IGNORECASE)  # SubRip's: italics, bold, ..., colour
# override blocks that start a SubRip cue, as Advanced SubStation's ({\an8}: at the top of the picture), which players
# (VLC, mpv, ffmpeg's) honour: kept in front of the translation, never sent (the model dropped them)
SRT_OVERRIDES = re.compile(r"(?:\{\\[^{}\n]*\})+")
VTT_HEADER, VTT_KEPT = re.compile(r"WEBVTT(?:[ \t]|$)"), re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
VTT_TIMING = re.compile(rf"{VTT_TIME}[ \t]+-->[ \t]+{VTT_TIME}(?:[ \t].*)?")
# a timestamp in a cue (karaoke: what follows it shows from then on) goes to the pipeline as an element without
# content, which follows the word it followed (model/html.py); the model never sees its digits
VTT_TIMESTAMP, TIMESTAMP_ELEMENT = re.compile(rf"<({VTT_TIME})>"), re.compile(rf'<nmt-time t="({VTT_TIME})"/>')

TRANSLATED_SUFFIXES = {".pot": ".po"}  # a template's, translated
EVERY_LANGUAGE = {".xcstrings"}  # a file of every language's strings: translated, it is itself with one more
LANGUAGE_SEPARATORS = {".properties": "_"}  # Java's bundles are named so: messages_es.properties, messages_pt_BR...
NAMED_LANGUAGE = re.compile(r"(?:^|[._-])([a-z]{2,3}(?:[-_](?:[A-Z]{2}|[A-Z][a-z]{3}))?)$")  # en, app_en, x.pt-BR
Cut = tuple[list[str], Callable[[list[str]], str]]  # a text's texts, and what puts their translations back
Read = Callable[[str, bytes], Written]  # (name, content) -> Written
K = TypeVar("K", office.Kind, opendocument.Kind)


class FileRejected(ValueError):
    """A file that cannot be translated as given (answered 400 with this message)."""


@dataclass(frozen=True)
class Document:
    """A file cut into the texts to translate; render(translations, languages) is the translated file."""

    name: str
    media_type: str
    format: Literal["text", "html"]
    texts: list[str]
    render: Callable[[list[str], Languages], bytes]
    done: Callable[[str], set[str]] = lambda target: set()  # the texts that a target already has (render keeps them)

    def into(self, languages: Languages) -> Document:
        """The document as translated into languages: without the texts that the target already has, whose
        translations render would not write (a String Catalog's strings that the target has)."""
        done = self.done(languages.target)
        if not done:
            return self
        texts = [text for text in self.texts if text not in done]

        def render(translations: list[str], languages: Languages) -> bytes:
            translated = dict(zip(texts, translations, strict=True))
            return self.render([translated.get(text, text) for text in self.texts], languages)

        return replace(self, texts=texts, render=render)

    def translated_name(self, language: str = "", source: str = "") -> str:
        """What its translation is called: its name with the target language (if given) where the name has the
        source's at its end (en.yml is es.yml, app_en.arb app_es.arb, report.en.docx report.es.docx), else before its
        extension (after a dot, or as Java names bundles: messages_es.properties); a template's extension the
        catalog's (a gettext .pot translated is a .po, as msginit writes it)."""
        path = PurePosixPath(self.name)
        suffix = TRANSLATED_SUFFIXES.get(path.suffix.lower(), path.suffix)
        separator = LANGUAGE_SEPARATORS.get(path.suffix.lower(), ".")
        if not language:
            return f"{path.stem}{suffix}"
        named = NAMED_LANGUAGE.search(path.stem) if source else None
        if named is not None and primary(named[1]) == primary(source):  # (the source's, at the name's end)
            tag = language.replace("-", "_") if separator == "_" or "_" in named[1] else language
            return f"{path.stem[:named.start(1)]}{tag}{suffix}"
        tag = language.replace("-", "_") if separator == "_" else language
        return f"{path.stem}{separator}{tag}{suffix}"

    def sample(self, chars: int = 10_000) -> str:
        """Its first characters of text, without markup: what its language is told from."""
        texts = [text_only(t) for t in self.texts] if self.format == "html" else self.texts
        return "\n".join(texts)[:chars]

    def language(self, detector: LanguageDetector) -> str:
        """The language its text is in, of the detector's (its first 10,000 characters of text); FileRejected if it
        has none."""
        text = self.sample()
        if not text.strip():
            raise FileRejected(f"{self.name} has no text to tell its language from")
        return detector.detect(text)[0].language


def plain_text(text: str) -> Cut:
    return [text], lambda translations: translations[0]


def subtitles(text: str) -> Cut:
    """SubRip: blocks of a cue number, a timing line (00:00:01,000 --> 00:00:04,000) and text lines, separated by
    blank lines."""
    lines = text.split("\n")
    cues: list[tuple[int, int]] = []  # each cue's text lines: [start, end) in lines
    for start, end in blocks(lines):
        if not CUE_NUMBER.fullmatch(lines[start]):
            raise FileRejected(f"not a SubRip file: line {start + 1} should be a cue number")
        if start + 1 >= end or not TIMING.fullmatch(lines[start + 1]):
            raise FileRejected(f"not a SubRip file: line {start + 2} should be a timing (00:00:01,000 --> "
                               "00:00:04,000)")
        cues.append((start + 2, end))
    if not cues:
        raise FileRejected("not a SubRip file: it has no cues")
    return cue_texts(lines, cues, markup=False)


def web_vtt(text: str) -> Cut:
    """WebVTT: a WEBVTT line, then blocks separated by blank lines: a cue is an optional identifier line, a timing
    line (00:01.000 --> 00:04.000, maybe with settings after it) and text lines; a NOTE, STYLE or REGION block, and
    the header, are kept as written. A cue's text is HTML-like (<i>, <b>, <v Speaker>, &amp;): it is translated as
    HTML, its lines parted by <br>, which the HTML pipeline translates apart (model/html.py); a timestamp in it
    (<00:02.000>) goes after the word it followed, the times in order."""
    lines = text.split("\n")
    if not VTT_HEADER.match(lines[0]):
        raise FileRejected("not a WebVTT file: its first line should be WEBVTT")
    cues: list[tuple[int, int]] = []  # each cue's text lines: [start, end) in lines
    for start, end in blocks(lines)[1:]:  # (the first is the header)
        if VTT_KEPT.match(lines[start]):
            continue
        timing = start if "-->" in lines[start] else start + 1
        if timing >= end or not VTT_TIMING.fullmatch(lines[timing]):
            raise FileRejected(f"not a WebVTT file: line {timing + 1} should be a cue timing (00:01.000 --> "
                               "00:04.000)")
        cues.append((timing + 1, end))
    return cue_texts(lines, cues, markup=True)


def blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Subtitles' blocks: the runs of lines that are not blank, each [start, end) in lines."""
    found: list[tuple[int, int]] = []
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if found and found[-1][1] == k:  # the line after the last block's: the same block
            found[-1] = found[-1][0], k + 1
        else:
            found.append((k, k + 1))
    return found


def cue_texts(lines: list[str], cues: list[tuple[int, int]], markup: bool) -> Cut:
    """Subtitles' cues, each the text of its lines [start, end) as HTML, the lines parted by <br> (which the HTML
    pipeline translates apart: model/html.py), and what writes the lines again around their translations. A line is
    HTML already where markup (WebVTT's escapes its & and <); else (SubRip's) its tags are HTML's and the rest is
    escaped on the way there and back, and the override blocks the cue starts with (SRT_OVERRIDES) are kept out."""
    found = [SRT_OVERRIDES.match(lines[start]) if not markup and start < end else None for start, end in cues]
    leading = [match.group() if match else "" for match in found]

    def text_lines(start: int, end: int, overrides: str) -> list[str]:
        return [line[len(overrides):] if k == start else line for k, line in enumerate(lines[start:end], start)]

    def html_of(line: str) -> str:
        if markup:
            return VTT_TIMESTAMP.sub(r'<nmt-time t="\1"/>', line)
        return "".join(piece if SRT_TAG.fullmatch(piece) else html.escape(piece, quote=False)
                       for piece in SRT_TAG.split(line))

    def rebuild(translations: list[str]) -> str:
        out, last = [], 0
        for (start, end), translation, overrides in zip(cues, translations, leading, strict=True):
            translated = BR.sub("\n", translation)
            translated = overrides + (timestamps_in_order(translated) if markup else html.unescape(translated))
            # a blank line would end the cue early: the translation's lines are never blank
            out += lines[last:start] + [line for line in translated.split("\n") if line.strip()]
            last = end
        return "\n".join(out + lines[last:])

    return ["<br>".join(html_of(line) for line in text_lines(start, end, overrides))
            for (start, end), overrides in zip(cues, leading, strict=True)], rebuild


def timestamps_in_order(cue: str) -> str:
    """A translated cue's timestamps written as WebVTT's again, their times in the order of the places the translation
    put them (a cue's timestamps must rise: where the words moved, the times stay in order and the words move)."""
    times = iter(sorted(TIMESTAMP_ELEMENT.findall(cue), key=lambda t: sum(
        float(unit) * 60 ** k for k, unit in enumerate(reversed(t.split(":"))))))
    return TIMESTAMP_ELEMENT.sub(lambda _: f"<{next(times)}>", cue)


def text_file(cut: Callable[[str], Cut], relabel: Relabel | None = None, kind: str = "text",
              decode: Callable[[bytes], str] = lambda content: content.decode("utf-8"),
              encode: Callable[[str, bytes], bytes] = lambda text, content: text.encode("utf-8")) -> Read:
    """A reader of text files (UTF-8, or as decode reads them) that cut(text) cuts, written as UTF-8 (or as
    encode(text, content) writes it, given the file's content: in the encoding it was read in): the file's
    byte-order mark and CRLF line ends kept; the language labels that relabel finds relabelled (app/labels.py) in the
    text as cut writes it; kind names one where decode or cut finds it Damaged."""
    def read(name: str, content: bytes) -> Written:
        try:
            text = decode(content)
        except UnicodeDecodeError as e:
            raise FileRejected(f"{name} is not UTF-8 text (byte {e.start})") from None
        except packages.Damaged as e:
            raise unreadable(name, kind, e) from None
        if binary := BINARY.search(text):
            raise FileRejected(f"{name} is not text: it holds control character U+{ord(binary.group()):04X} "
                               f"at character {binary.start()}")
        bom, crlf = text.startswith(BOM), "\r\n" in text
        try:
            texts, rebuild = cut(text.removeprefix(BOM).replace("\r\n", "\n"))
        except packages.Damaged as e:
            raise unreadable(name, kind, e) from None

        def render(translations: list[str], languages: Languages) -> bytes:
            text = rebuild(translations)
            try:
                text = relabel(text.encode("utf-8"), languages).decode("utf-8") if relabel else text
            except packages.Damaged as e:  # (a file for other languages)
                raise unreadable(name, kind, e) from None
            text = text.replace("\n", "\r\n") if crlf else text
            return encode((BOM if bom else "") + text, content)

        return texts, render

    return read


def unreadable(name: str, kind: str, damage: packages.Damaged) -> FileRejected:
    """The refusal of a file that its reader found damaged (kind: what it is said to be, "a PDF")."""
    return FileRejected(f"{name} is not {kind} that can be read: {damage}")


def package(kind: str, read_package: Callable[[bytes], Written]) -> Read:
    """A reader of files (zip packages: app/packages.py; PDF; XLIFF and Qt Linguist XML) that read_package reads; kind
    names one in its errors, which reading or writing it again may raise."""
    def read(name: str, content: bytes) -> Written:
        try:
            texts, render = read_package(content)
        except packages.Damaged as e:
            raise unreadable(name, kind, e) from None

        def written(translations: list[str], languages: Languages) -> bytes:
            try:
                return render(translations, languages)
            except packages.Damaged as e:
                raise unreadable(name, kind, e) from None

        return texts, written

    return read


XML_READERS = {"tt": ttml.read, "resources": android.read}  # an .xml file's, by its root element


def xml_file(content: bytes) -> Written:
    """An .xml file read as TTML subtitles where its root is <tt>, else as Android's string resources."""
    return XML_READERS.get(root_name(content), android.read)(content)


def other_kind(name: str, content: bytes) -> str | None:
    """What a file of an extension translated is, where it is of a kind that is not: XML but an Android layout or a
    manifest, PHP but code (a damaged file of ours is no other kind: reading it says what is wrong); else None."""
    extension = PurePosixPath(name.lower()).suffix
    if extension == ".xml" and (root := root_name(content)) not in ("", *XML_READERS):
        return f"XML whose root is <{root}>, not Android's string resources or TTML subtitles"
    if extension == ".php" and not php_arrays.is_language_file(content.decode("utf-8", "replace")):
        return "PHP code, not a language file that only returns an array"
    return None


def document_kind(kind: K, read: Callable[[bytes, K], Written]) -> tuple[str, Literal["html"], Read]:
    """The format of a kind of office document that read(content, kind) reads."""
    return kind.media_type, "html", package(kind.name, lambda content: read(content, kind))


FORMATS: dict[str, tuple[str, Literal["text", "html"], Read]] = {  # (an extension's spellings share one reader)
    ".txt": ("text/plain; charset=utf-8", "text", text_file(plain_text)),
    ".srt": ("application/x-subrip; charset=utf-8", "html", text_file(subtitles)),
    ".vtt": ("text/vtt; charset=utf-8", "html", text_file(web_vtt, labels.VTT)),
    **dict.fromkeys((".ass", ".ssa"), ("text/x-ssa; charset=utf-8", "html",
                                      text_file(ass.cut, kind="a SubStation Alpha file"))),
    **dict.fromkeys((".html", ".htm"), ("text/html; charset=utf-8", "html", text_file(plain_text, labels.HTML))),
    **{extension: document_kind(kind, office.read) for extension, kind in office.KINDS.items()},
    **{extension: document_kind(kind, opendocument.read) for extension, kind in opendocument.KINDS.items()},
    ".epub": (epub.MEDIA_TYPE, "html", package("an EPUB book", epub.read)),
    ".pdf": ("application/pdf", "html", package("a PDF", pdf.read)),
    **dict.fromkeys((".md", ".markdown"), ("text/markdown; charset=utf-8", "html",
                                           text_file(markdown.cut, kind="a Markdown file"))),
    **dict.fromkeys((".json", ".arb"), ("application/json", "text",
                                        text_file(json_messages.cut, json_messages.relabel, "a JSON file"))),
    **dict.fromkeys((".po", ".pot"), ("text/x-gettext-translation; charset=utf-8", "text",
                                      text_file(po.cut, po.relabel, "a gettext file", po.decoded))),
    **dict.fromkeys((".xlf", ".xliff"), ("application/xliff+xml", "html", package("an XLIFF file", xliff.read))),
    ".ts": ("text/vnd.trolltech.linguist", "text", package("a Qt Linguist file", qt_linguist.read)),
    ".xml": ("application/xml", "html", package("an Android resources or TTML file", xml_file)),
    **dict.fromkeys((".ttml", ".dfxp"), ("application/ttml+xml", "html", package("a TTML file", ttml.read))),
    ".resx": ("application/xml", "text", package("a .resx file", resx.read)),
    **dict.fromkeys((".yml", ".yaml"), ("application/yaml", "text",
                                        text_file(yaml_messages.cut, yaml_messages.relabel, "a YAML file"))),
    ".properties": ("text/x-java-properties", "text", text_file(properties.cut, kind="a properties file",
                                                                decode=properties.decoded, encode=properties.encoded)),
    ".strings": ("text/plain", "text", text_file(apple_strings.cut, kind="an Apple strings file",
                                                  decode=apple_strings.decoded, encode=apple_strings.encoded)),
    ".xcstrings": ("application/json", "text", package("a String Catalog", string_catalog.read)),
    ".stringsdict": ("application/x-plist", "text", package("a stringsdict file", stringsdict.read)),
    ".ftl": ("text/plain; charset=utf-8", "text", text_file(fluent.cut, kind="a Fluent file")),
    ".php": ("application/x-php", "text", text_file(php_arrays.cut, php_arrays.plural_parts, "a PHP language file")),
}


DONE: dict[str, Callable[[bytes, str], set[str]]] = {".xcstrings": string_catalog.done}  # Document.done, of content


def base_name(name: str) -> str:
    """The file's name without any folders a client put in it (either kind of slash)."""
    return PureWindowsPath(PurePosixPath(name).name).name


def read_document(name: str, content: bytes) -> Document:
    """The document of an uploaded file, each text it holds once (a text box's two copies, a table's repeated
    cells: a text translates the same wherever it is, tests/test_batch_invariance.py); FileRejected for an unknown
    extension, or content that is not what it says (not UTF-8, binary, an unparseable SubRip file, a damaged zipped
    file)."""
    name = base_name(name)
    extension = PurePosixPath(name.lower()).suffix
    if extension not in FORMATS:
        kind = f"{extension} files" if extension else "files without an extension"
        raise FileRejected(f"cannot translate {kind}: the formats translated are {', '.join(FORMATS)}")
    if not content:
        raise FileRejected(f"{name} is empty")
    media_type, text_format, read = FORMATS[extension]
    try:  # (the parsers of JSON, YAML and ICU messages recurse: a file nested thousands deep goes past Python's limit)
        texts, render = read(name, content)
    except RecursionError:
        raise FileRejected(f"{name} is nested too deeply to be read") from None
    unique = list(dict.fromkeys(texts))

    def rendered(translations: list[str], languages: Languages) -> bytes:
        translated = dict(zip(unique, translations, strict=True))
        try:
            return render([translated[text] for text in texts], languages)
        except RecursionError:
            raise FileRejected(f"{name} is nested too deeply to be written") from None

    done = partial(DONE[extension], content) if extension in DONE else Document.done
    return Document(name, media_type, text_format, unique, rendered, done)
