"""Programs' message files through the running service: test verses as the messages of a gettext template (.pot), a JSON
file (i18next's layout), a Qt Linguist file (.ts), Flutter's .arb, Android's string resources (.xml), Apple's strings
file (.strings), String Catalog (.xcstrings) or plural rules (.stringsdict), .NET's resources (.resx), Java's
properties, Rails' YAML (.yml), a WebExtension's messages.json (webext), Fluent's .ftl or a Laravel language file
(.php), sent to POST /translate_file, and read back.

    nmt serve --port 8765 &   python benchmarks/message_files.py --url http://127.0.0.1:8765 [--test T]
                                  [--pair en-es] [--per-file 100] [--placeholders A,B] [--accelerators]
                                  [--format po|json|ts|arb|xml|strings|xcstrings|stringsdict|resx|
                                  properties|yml|webext|ftl|php]

Each verse is a message, its fourth word followed by a placeholder and its next-to-last by another, as programs'
messages hold them: printf's %s and Python's %(name)s in a .pot, i18next's {{count}} and {{name}} in JSON, Qt's %1
and %2 in a .ts, Android's %1$s and %2$d, Apple's %@ and %lld (%d and %@ in a .stringsdict), .NET's and
MessageFormat's {0} and {1}, Ruby's %{count} and %{name}, a WebExtension's $COUNT$ and $NAME$ (each message with its
description and its placeholders' contents, $1 and $2), Fluent's { $count } and { $name }, Laravel's :count and :name
(or any two: --placeholders A,B, markup too: '<xliff:g id="a">%1$s</xliff:g>,...' in Android's). In the .pot (its
header a template's, as xgettext writes it) every fifth message is a plural one, the previous verse its msgid_plural;
in the .ts (as lupdate writes one without a language) every fifth is a plural message of one numerusform; in
Android's strings.xml, an .xcstrings and Rails' en.yml every fifth is a plural, the previous verse its "one" and the
verse its "other" (in an .ftl a select on $count, these its [one] and *[other] variants; in a .php a choice, these
its {1} and [2,*] parts); in a .stringsdict every message is one (its format %#@verses@, its placeholders %d and %@).
In Flutter's .arb each message is an ICU plural, the previous verse its "one" branch and the verse its "other", # and
{name} their placeholders. A .strings file is in UTF-16, as Xcode's older ones are, a comment before each message; in
an .xcstrings every fifth after the third has no English localization, its key its text (as Xcode extracts SwiftUI's
Text("...")); a .properties file is ASCII, as Java 8's tools write one. With --accelerators each message's first
letter is a menu's accelerator, "&In the beginning...", the .pot's header naming its marker.

Prints how many messages come back translated (in an .arb, still a plural of both its branches; in a .pot or a .ts,
flagged to be reviewed), how many files the format's own tool accepts, as a program's build would read them (msgfmt
-c, lrelease, FormatJS's ICU parser: benchmarks/icu_check.js, aapt2: benchmarks/aapt2_check.sh, GNUstep's plparse,
which parses old-style property lists as Foundation does, Mono's resgen, Java: benchmarks/PropertiesCheck.java,
Ruby's I18n: benchmarks/rails_i18n_check.rb, PHP: benchmarks/php_lang_check.php), how many of a messages.json's
descriptions are kept as they were, how many messages of a .strings the service's own strict reader reads back, how
many strings of an .xcstrings have the target's localization to be reviewed, a plural's of the target's categories,
how many plurals of a .stringsdict Python's plistlib reads with the target's categories, how many keep both
placeholders once each (and an accelerator), the BLEU of the translations (a plural's "other"; placeholders and
accelerators taken out) against the verses' references beside the verses sent as plain text, and the messages per
second.
"""
from __future__ import annotations

import argparse
import html
import json
import plistlib
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from xml.parsers.expat import ExpatError

import httpx
import sacrebleu
import yaml
from common import add_service, plain_translations, translated_file, verse_pairs
from fluent.syntax import FluentParser, ast
from lxml import etree

from nmt.app import apple_strings, icu, po, properties
from nmt.app.accelerators import Accelerator
from nmt.app.android import ESCAPED
from nmt.app.plurals import categories

PLACEHOLDERS = {"po": ("%s", "%(name)s"), "json": ("{{count}}", "{{name}}"), "ts": ("%1", "%2"), "arb": ("#", "{name}"),
                "strings": ("%@", "%lld"), "xcstrings": ("%@", "%lld"), "stringsdict": ("%d", "%@"),
                "xml": ("%1$s", "%2$d"), "resx": ("{0}", "{1}"), "properties": ("{0}", "{1}"),
                "yml": ("%{count}", "%{name}"), "webext": ("$COUNT$", "$NAME$"),
                "ftl": ("{ $count }", "{ $name }"), "php": (":count", ":name")}
ACCELERATOR = Accelerator("&")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
FORMS = "System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
RESX_HEADERS = {"resmimetype": "text/microsoft-resx", "version": "2.0",  # as Visual Studio writes them
                "reader": f"System.Resources.ResXResourceReader, {FORMS}",
                "writer": f"System.Resources.ResXResourceWriter, {FORMS}"}
# each format's own tool, which a program's build runs on the file, so it must accept the translation: where it may
# be (Debian's qt6-l10n-tools keeps lrelease off the PATH), its options, the Debian package that has it, and what
# runs it where it is not run alone (aapt2 by a script: it needs a project around the file)
CHECKS = {"po": (("msgfmt",), ["-c", "-o", "/dev/null"], "gettext"),
          "ts": (("lrelease", "/usr/lib/qt6/bin/lrelease"), ["-silent", "-qm", "/dev/null"], "qt6-l10n-tools"),
          "arb": (("node",), [str(Path(__file__).with_name("icu_check.js"))], "nodejs"),
          "strings": (("plparse",), [], "gnustep-base-runtime"),
          "stringsdict": (("plparse",), [], "gnustep-base-runtime"),
          "xml": (("aapt2",), [], "aapt", ["bash", str(Path(__file__).with_name("aapt2_check.sh"))]),
          "resx": (("resgen",), [], "mono-devel"),
          "yml": (("ruby",), [str(Path(__file__).with_name("rails_i18n_check.rb"))], "ruby-i18n"),
          "php": (("php",), [str(Path(__file__).with_name("php_lang_check.php"))], "php-cli"),
          "properties": (("java",), [str(Path(__file__).with_name("PropertiesCheck.java"))], "openjdk-17-jdk-headless")}


def template(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A .pot of the verses as messages, with their placeholders, its header as xgettext writes one (and naming its
    accelerators' marker, as KDE's and LibreOffice's do)."""
    lines = ['msgid ""', 'msgstr ""', '"Language: \\n"', '"Content-Type: text/plain; charset=CHARSET\\n"',
             '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"X-Accelerator-Marker: &\\n"', ""]
    for k, verse in enumerate(verses):
        plural = po.field("msgid_plural", held(verses[k - 1], placeholders)) + ['msgstr[0] ""', 'msgstr[1] ""']
        lines += po.field("msgid", held(verse, placeholders)) + (plural if k % 5 == 4 else ['msgstr ""']) + [""]
    return "\n".join(lines)


def messages(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A JSON file of the verses as messages, with their placeholders, a few to a section."""
    sections = {f"section{k // 10}": {} for k in range(len(verses))}
    for k, verse in enumerate(verses):
        sections[f"section{k // 10}"][f"message{k}"] = held(verse, placeholders)
    return json.dumps(sections, ensure_ascii=False, indent=2) + "\n"


def webextension(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A WebExtension's messages.json of the verses, each with a description and its placeholders' contents, as
    Chrome's and Firefox's i18n read them."""
    names = [p.strip("$").lower() for p in placeholders]
    return json.dumps({f"verse{k}": {"message": held(verse, placeholders), "description": "A verse of the Bible",
                                     "placeholders": {name: {"content": f"${n + 1}"} for n, name in enumerate(names)}}
                       for k, verse in enumerate(verses)}, ensure_ascii=False, indent=2) + "\n"


def laravel(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A Laravel language file of the verses as messages, in single quotes, every fifth a choice (trans_choice's): the
    previous verse its {1} part, the verse its [2,*] part."""
    def quoted(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    lines = ["<?php", "", "// The test verses, as an app's messages", "return ["]
    for k, verse in enumerate(verses):
        text = held(verse, placeholders)
        if k % 5 == 4:
            text = f"{{1}} {held(verses[k - 1], placeholders)}|[2,*] {text}"
        lines.append(f"    'verse{k}' => {quoted(text)},")
    return "\n".join(lines + ["];", ""])


def fluent_file(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A Fluent file of the verses as messages, every fifth a select on $count: the previous verse its [one] variant,
    the verse its default, *[other]."""
    lines = ["# The test verses, as an app's messages", ""]
    for k, verse in enumerate(verses):
        if k % 5 == 4:
            lines += [f"verse{k} =", "    { $count ->", f"        [one] {held(verses[k - 1], placeholders)}",
                      f"       *[other] {held(verse, placeholders)}", "    }"]
        else:
            lines.append(f"verse{k} = {held(verse, placeholders)}")
    return "\n".join(lines) + "\n"


def plurals(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A Flutter .arb file of the verses as ICU plural messages: the previous verse its "one" branch, the verse its
    "other" (the branches' placeholders a count's # and an argument)."""
    arb: dict[str, str] = {"@@locale": "en"}
    for k, verse in enumerate(verses):
        one, other = held(verses[k - 1], placeholders), held(verse, placeholders)
        arb[f"message{k}"] = f"{{count, plural, one{{{one}}} other{{{other}}}}}"
    return json.dumps(arb, ensure_ascii=False, indent=2) + "\n"


def linguist(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A Qt Linguist file of the verses as messages, with their placeholders, as lupdate writes one for a file that
    names no language (every fifth a plural message, of one numerusform)."""
    root = etree.Element("TS", version="2.1")
    context = etree.SubElement(root, "context")
    etree.SubElement(context, "name").text = "MainWindow"
    for k, verse in enumerate(verses):
        message = etree.SubElement(context, "message", numerus="yes") if k % 5 == 4 else etree.SubElement(
            context, "message")
        etree.SubElement(message, "source").text = held(verse, placeholders)
        translation = etree.SubElement(message, "translation", type="unfinished")
        if k % 5 == 4:
            etree.SubElement(translation, "numerusform")
    etree.indent(root, space="    ")
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + etree.tostring(root, encoding="unicode") + "\n"


def strings_file(verses: list[str], placeholders: tuple[str, str]) -> bytes:
    """An Apple strings file of the verses as messages, with their placeholders, each after a comment, in UTF-16 (its
    byte-order mark first), as Xcode's older files are."""
    lines = [f'/* Verse {k} */\n"message.{k}" = "{apple_strings.escaped(held(verse, placeholders))}";\n'
             for k, verse in enumerate(verses)]
    return ("\ufeff" + "\n".join(lines)).encode("utf-16-le")


def catalog(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A String Catalog of the verses as messages, with their placeholders: every fifth a plural (the previous verse
    its "one", the verse its "other"), every fifth after the third without an English localization (its key its
    text), the others keyed message.K."""
    strings: dict[str, dict] = {}
    for k, verse in enumerate(verses):
        text = held(verse, placeholders)
        if k % 5 == 3:
            strings[text] = {}
            continue
        english: dict = {"stringUnit": {"state": "translated", "value": text}}
        if k % 5 == 4:
            one = {"stringUnit": {"state": "translated", "value": held(verses[k - 1], placeholders)}}
            english = {"variations": {"plural": {"one": one, "other": english}}}
        strings[f"message.{k}"] = {"extractionState": "manual", "localizations": {"en": english}}
    return json.dumps({"sourceLanguage": "en", "strings": strings, "version": "1.0"}, ensure_ascii=False, indent=2,
                      separators=(",", " : "))


def rails(verses: list[str], placeholders: tuple[str, str]) -> str:
    """Rails' messages (config/locales/en.yml) of the verses: a section of ten to each comment, every fifth a plural
    (the previous verse its "one", the verse its "other"), each value double-quoted as YAML writes one (JSON's)."""
    lines = ["en:"]
    for k, verse in enumerate(verses):
        lines += [f"  # section {k // 10}", f"  section{k // 10}:"] * (k % 10 == 0)
        value = json.dumps(held(verse, placeholders), ensure_ascii=False)
        lines += ([f"    message{k}:", f"      one: {json.dumps(held(verses[k - 1], placeholders), ensure_ascii=False)}",
                   f"      other: {value}"] if k % 5 == 4 else [f"    message{k}: {value}"])
    return "\n".join(lines) + "\n"


def plural_rules(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A stringsdict file of the verses as plural messages, as Xcode writes one (tabs its indents): each a format of
    one variable, %#@verses@, whose plural's "one" is the previous verse and "other" the verse (their placeholders
    given)."""
    def case(category: str, verse: str) -> str:
        return f"\t\t\t<key>{category}</key>\n\t\t\t<string>{html.escape(held(verse, placeholders), False)}</string>\n"

    entries = [f"\t<key>message.{k}</key>\n\t<dict>\n\t\t<key>NSStringLocalizedFormatKey</key>\n"
               "\t\t<string>%#@verses@</string>\n\t\t<key>verses</key>\n\t\t<dict>\n"
               "\t\t\t<key>NSStringFormatSpecTypeKey</key>\n\t\t\t<string>NSStringPluralRuleType</string>\n"
               "\t\t\t<key>NSStringFormatValueTypeKey</key>\n\t\t\t<string>d</string>\n"
               f"{case('one', verses[k - 1])}{case('other', verse)}\t\t</dict>\n\t</dict>\n"
               for k, verse in enumerate(verses)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
            '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
            + "".join(entries) + "</dict>\n</plist>\n")


def android(verses: list[str], placeholders: tuple[str, str]) -> str:
    """Android's string resources of the verses as strings, every fifth a plural (the previous verse its "one" item,
    the verse its "other"); each escaped as aapt2 reads it, its placeholders written as given (<xliff:g> too)."""
    def escaped(verse: str) -> str:
        text = html.escape(held(verse, ("\x01", "\x02")).translate(ESCAPED), quote=False)
        return text.replace("\x01", placeholders[0]).replace("\x02", placeholders[1])

    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<resources xmlns:xliff="urn:oasis:names:tc:xliff:document:1.2">']
    for k, verse in enumerate(verses):
        lines += ([f'    <plurals name="message{k}">', f'        <item quantity="one">{escaped(verses[k - 1])}</item>',
                   f'        <item quantity="other">{escaped(verse)}</item>', "    </plurals>"] if k % 5 == 4 else
                  [f'    <string name="message{k}">{escaped(verse)}</string>'])
    return "\n".join([*lines, "</resources>", ""])


def android_text(element: etree._Element) -> str:
    """What a string (or an item) says, its markup as written (<xliff:g>), its escapes read (the benchmark writes
    no \\n or \\u)."""
    inner = etree.tostring(element, encoding="unicode", with_tail=False)
    inner = re.sub(r"^<[^>]*>|</[^>]*>$", "", inner.replace(' xmlns:xliff="urn:oasis:names:tc:xliff:document:1.2"', ""))
    return html.unescape(re.sub(r"\\(.)", r"\1", inner))


def resources(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A .resx of the verses as string resources, with their placeholders, its headers as Visual Studio writes them."""
    root = etree.Element("root")
    for name, value in RESX_HEADERS.items():
        etree.SubElement(etree.SubElement(root, "resheader", name=name), "value").text = value
    for k, verse in enumerate(verses):
        data = etree.SubElement(root, "data", {"name": f"Message{k}", XML_SPACE: "preserve"})
        etree.SubElement(data, "value").text = held(verse, placeholders)
    etree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(root, encoding="unicode") + "\n"


def bundle(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A Java properties file of the verses as MessageFormat patterns (with their placeholders), in ASCII as Java 8's
    tools write them, a comment before every tenth."""
    lines = []
    for k, verse in enumerate(verses):
        lines += [f"# section {k // 10}"] * (k % 10 == 0) + [
            f"message.{k} = {properties.escaped(held(verse, placeholders).replace(chr(39), chr(39) * 2), True)}"]
    return "\n".join(lines) + "\n"


def held(verse: str, placeholders: tuple[str, str]) -> str:
    """The verse with its placeholders."""
    words = verse.split(" ")
    if len(words) >= 6:
        words[3] += " " + placeholders[0]
        words[-2] += " " + placeholders[1]
    return " ".join(words)


def accelerated(verse: str) -> str:
    """The verse with an accelerator at its first letter, as a menu item has ("&In the beginning", "“&Vanity")."""
    first = re.search(r"[^\W_]", verse)
    return verse if first is None else verse[:first.start()] + "&" + verse[first.start():]


def translated(client: httpx.Client, args: argparse.Namespace, verses: list[str]) -> tuple[list[str], int, bytes]:
    """The verses' translations, as the file's format came back with them, how many were flagged to be reviewed
    (fuzzy, unfinished), and the file."""
    if args.format == "json":
        out = translated_file(client, args.url, "en.json", messages(verses, args.placeholders).encode(), args.pair)
        return [text for section in json.loads(out).values() for text in section.values()], 0, out
    if args.format == "webext":
        out = translated_file(client, args.url, "messages.json", webextension(verses, args.placeholders).encode(),
                              args.pair)
        found = json.loads(out).values()
        return [m["message"] for m in found], sum(m["description"] == "A verse of the Bible" for m in found), out
    if args.format == "php":
        out = translated_file(client, args.url, "messages.php", laravel(verses, args.placeholders).encode(), args.pair)
        with tempfile.TemporaryDirectory() as folder:  # (read by PHP itself)
            (Path(folder) / "es.php").write_bytes(out)
            read = subprocess.run(["php", CHECKS["php"][1][0], str(Path(folder) / "es.php")], capture_output=True,
                                  text=True)
        found = list(json.loads(read.stdout).values()) if read.returncode == 0 else []
        return [m.split("|")[-1].removeprefix("[2,*] ") for m in found] + [""] * (len(verses) - len(found)), 0, out
    if args.format == "ftl":
        out = translated_file(client, args.url, "main.ftl", fluent_file(verses, args.placeholders).encode(), args.pair)
        found = fluent_messages(out.decode())
        return found + [""] * (len(verses) - len(found)), len(found), out
    if args.format == "arb":
        out = translated_file(client, args.url, "app_en.arb", plurals(verses, args.placeholders).encode(), args.pair)
        found = [icu.cut(message)[0] for key, message in json.loads(out).items() if not key.startswith("@")]
        return [texts[-1] if len(texts) == 2 else "" for texts in found], 0, out  # (the "other" branch's)
    if args.format == "strings":
        out = translated_file(client, args.url, "Localizable.strings", strings_file(verses, args.placeholders),
                              args.pair)
        try:  # (the service's own reader, strict: of a file it cannot read, no message is read back)
            found = [entry.value for entry in apple_strings.entries(apple_strings.decoded(out).lstrip("\ufeff"))]
        except apple_strings.Damaged as e:
            print(f"app/apple_strings.py: {e}")
            found = []
        return found + [""] * (len(verses) - len(found)), len(found), out
    if args.format == "xcstrings":
        out = translated_file(client, args.url, "Localizable.xcstrings", catalog(verses, args.placeholders).encode(),
                              args.pair)
        texts, complete = localized(json.loads(out)["strings"], args.pair.split("-")[1])
        return texts, complete, out
    if args.format == "stringsdict":
        out = translated_file(client, args.url, "Localizable.stringsdict",
                              plural_rules(verses, args.placeholders).encode(), args.pair)
        try:  # (a real plist reader: of a file it cannot read, no message is read back)
            found = [entry["verses"] for entry in plistlib.loads(out).values()]
        except (plistlib.InvalidFileException, ExpatError, KeyError, TypeError) as e:
            print(f"plistlib: {e!r}")
            found = []
        wanted = list(categories(args.pair.split("-")[1]) or ("one", "other"))
        complete = sum([case for case in cases if not case.startswith("NSString")] == wanted for cases in found)
        return [cases.get("other", "") for cases in found] + [""] * (len(verses) - len(found)), complete, out
    if args.format == "xml":
        out = translated_file(client, args.url, "strings.xml", android(verses, args.placeholders).encode(), args.pair)
        found = [e if e.tag == "string" else e[-1] for e in etree.fromstring(out)]  # (a plural's "other" item)
        return [android_text(e) for e in found], 0, out
    if args.format == "yml":
        out = translated_file(client, args.url, "en.yml", rails(verses, args.placeholders).encode(), args.pair)
        found = [m for section in yaml.safe_load(out)[args.pair.split("-")[1]].values() for m in section.values()]
        return [m["other"] if isinstance(m, dict) else m for m in found], 0, out
    if args.format == "resx":
        out = translated_file(client, args.url, "Resources.resx", resources(verses, args.placeholders).encode(), args.pair)
        return [data.findtext("value") or "" for data in etree.fromstring(out).iter("data")], 0, out
    if args.format == "properties":
        out = translated_file(client, args.url, "messages.properties", bundle(verses, args.placeholders).encode(),
                              args.pair)
        return [e.value.replace("''", "'") for e in properties.entries(out.decode("latin-1"))], 0, out
    if args.format == "ts":
        out = translated_file(client, args.url, "app.ts", linguist(verses, args.placeholders).encode(), args.pair)
        found = [m.find("translation") for m in etree.fromstring(out).iter("message")]
        return ([t.findtext("numerusform") or "" if len(t) else t.text or "" for t in found],
                sum(t.get("type") == "unfinished" for t in found), out)
    out = translated_file(client, args.url, "messages.pot", template(verses, args.placeholders).encode(), args.pair)
    found = [m for m in po.messages(out.decode().split("\n")) if m.fields.get("msgid")]
    return [m.fields.get("msgstr", m.fields.get("msgstr[0]", "")) for m in found], sum(m.fuzzy for m in found), out


def fluent_messages(text: str) -> list[str]:
    """Each message's text as Fluent's parser reads it (a select's, its default variant's), its placeables as written;
    junk is no message."""
    return [pattern_text(text, entry.value) for entry in FluentParser(with_spans=True).parse(text).body
            if isinstance(entry, ast.Message) and entry.value is not None]


def pattern_text(text: str, pattern: ast.Pattern) -> str:
    parts = []
    for element in pattern.elements:
        expression = element.expression if isinstance(element, ast.Placeable) else None
        if isinstance(element, ast.TextElement):
            parts.append(element.value)
        elif isinstance(expression, ast.SelectExpression):
            parts.append(pattern_text(text, next(v.value for v in expression.variants if v.default)))
        elif isinstance(expression, ast.StringLiteral):
            parts.append(expression.value)
        elif element.span is not None:
            parts.append(text[element.span.start:element.span.end])
    return "".join(parts)


def localized(strings: dict[str, dict], target: str) -> tuple[list[str], int]:
    """A catalog's strings' translations (a plural's "other"), and how many have the target's localization, to be
    reviewed, a plural's of the target's categories."""
    texts, complete = [], 0
    wanted = sorted(categories(target) or ("one", "other"))
    for entry in strings.values():
        localization = entry.get("localizations", {}).get(target, {})
        cases = localization.get("variations", {}).get("plural", {})
        units = [case.get("stringUnit", {}) for case in cases.values()] or [localization.get("stringUnit", {})]
        texts.append(cases.get("other", localization).get("stringUnit", {}).get("value", ""))
        complete += all(unit.get("state") == "needs_review" for unit in units) and (not cases or list(cases) == wanted)
    return texts, complete


def accepted(check: list[str], content: bytes, suffix: str) -> int:
    """1 if the format's tool accepts the file, else 0 (what it says printed); what the tool writes beside the file
    (resgen's .resources) is removed with it."""
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"messages{suffix}"
        file.write_bytes(content)
        checked = subprocess.run([*check, str(file)], capture_output=True, text=True)
    if checked.returncode:
        print(f"{check[0]}: {checked.stderr.strip()[:300]}")
    return int(checked.returncode == 0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="messages a file (default: 100)")
    p.add_argument("--format", choices=tuple(PLACEHOLDERS), default="po",
                   help="a gettext template (default), JSON, a Qt Linguist file, Flutter's .arb of ICU plurals, "
                   "Android's string resources (xml), Apple's strings file, String Catalog or stringsdict, a .resx, a "
                   "Java properties file, Rails' YAML, a WebExtension's messages.json (webext), a Fluent file or a Laravel "
                   "language file (php)")
    p.add_argument("--accelerators", action="store_true", help="each message's first letter a menu's accelerator "
                   "(&In the beginning...), in a .pot or a .ts")
    p.add_argument("--placeholders", type=lambda v: tuple(v.split(",")), help="the two placeholders each message "
                   "holds, A,B (default: %%s,%%(name)s in a .pot, {{count}},{{name}} in JSON, %%1,%%2 in a .ts, "
                   "#,{name} in an .arb, %%@,%%lld in a .strings or an .xcstrings, %%d,%%@ in a .stringsdict, "
                   "%%1$s,%%2$d in Android's, {0},{1} in a .resx or a .properties, %%{count},%%{name} in a .yml, "
                   "$COUNT$,$NAME$ in a messages.json, '{ $count },{ $name }' in an .ftl, :count,:name in a .php)")
    args = p.parse_args()
    args.placeholders = args.placeholders or PLACEHOLDERS[args.format]
    if len(args.placeholders) != 2:
        p.error("--placeholders takes two, A,B")
    if args.accelerators and args.format not in ("po", "ts"):
        p.error("--accelerators: in a .pot or a .ts only")
    check = None
    if args.format in CHECKS:
        places, options, package, *runner = CHECKS[args.format]
        tool = next((place for place in places if shutil.which(place)), None)
        if tool is None:
            p.error(f"{places[0]} checks the files: apt-get install {package}")
        check = [*(runner[0] if runner else []), tool, *options]
        if args.format == "arb" and subprocess.run([tool, "-e", "require('@formatjs/icu-messageformat-parser')"],
                                                   capture_output=True).returncode:
            p.error("FormatJS's parser checks the messages: see benchmarks/icu_check.js for its npm install")
    verses, references, _ = verse_pairs(args.test, min_words=6)
    n = len(verses)
    texts, flagged, valid, seconds = [], 0, 0, 0.0
    with httpx.Client(timeout=600) as client:
        for at in range(0, n, args.per_file):
            start = time.perf_counter()
            sent = [accelerated(verse) if args.accelerators else verse for verse in verses[at:at + args.per_file]]
            found, reviewed, content = translated(client, args, sent)
            seconds += time.perf_counter() - start
            texts, flagged = texts + found, flagged + reviewed
            valid += accepted(check, content, "." + args.format) if check else 0
        plain = plain_translations(client, args.url, verses, args.pair)
    marked = [ACCELERATOR.cut(text) for text in texts] if args.accelerators else []
    texts = [m.text for m in marked] or texts
    placeholders = args.placeholders
    kept = sum(all(text.count(p) == 1 for p in placeholders) for text in texts)
    pattern = "|".join(map(re.escape, placeholders))
    bare = [" ".join(re.sub(pattern, " ", text).split()) for text in texts]
    print(f"{args.test}: {n} messages ({args.format}), {args.pair}, {args.url}")
    files = -(-n // args.per_file)
    print(("still a plural of its two branches" if args.format == "arb" else "translated")
          + f": {sum(bool(t) for t in bare)}/{n}"
          + (f"; flagged to be reviewed: {flagged}/{n}" if args.format in ("po", "ts") else "")
          + (f"; read back by app/apple_strings.py: {flagged}/{n}" if args.format == "strings" else "")
          + (f"; descriptions kept: {flagged}/{n}" if args.format == "webext" else "")
          + (f"; messages Fluent's parser reads (not junk): {flagged}/{n}" if args.format == "ftl" else "")
          + (f"; the target's localization to be reviewed, of its plural categories: {flagged}/{n}"
             if args.format == "xcstrings" else "")
          + (f"; read by plistlib, a plural of the target's categories: {flagged}/{n}"
             if args.format == "stringsdict" else "")
          + (f"; files {CHECKS[args.format][0][0]} accepts: {valid}/{files}" if check else "")
          + f"; both placeholders once: {kept}/{n}"
        + (f"; an accelerator: {sum(m.accelerator for m in marked)}/{n}" if args.accelerators else ""))
    print(f"BLEU of the translations {sacrebleu.corpus_bleu(bare, [references]).score:.2f}; of the verses as plain "
          f"text {sacrebleu.corpus_bleu(plain, [references]).score:.2f}")
    print(f"messages/s {n / seconds:.1f} (files of {args.per_file})")


if __name__ == "__main__":
    main()
