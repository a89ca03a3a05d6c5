"""Programs' message files through the running service: test verses as the messages of a gettext template (.pot)
or of a JSON file (i18next's layout), sent to POST /translate_file, and read back.

    nmt serve --port 8765 &   python benchmarks/message_files.py --url http://127.0.0.1:8765 [--test T]
                                  [--pair en-es] [--per-file 100] [--format po|json] [--placeholders A,B]

Each verse is a message, its fourth word followed by a placeholder and its next-to-last by another, as programs'
messages hold them: printf's %s and Python's %(name)s in a .pot (or --placeholders %1,%2, Qt's), i18next's {{count}}
and {{name}} in JSON. In the .pot (its header a template's, as xgettext writes it) every fifth message is a plural
one, the previous verse its msgid_plural. Prints how many messages come back translated (and, in the .pot, flagged
fuzzy, and how many files GNU gettext's msgfmt -c accepts, as a program's build would compile them), how many keep
both placeholders once each, the BLEU of the translations (placeholders taken out) against the verses' references
beside the verses sent as plain text, and the messages per second.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import time

import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs

from nmt.app import po

PLACEHOLDERS = {"po": ("%s", "%(name)s"), "json": ("{{count}}", "{{name}}")}


def template(verses: list[str], placeholders: tuple[str, str]) -> str:
    """A .pot of the verses as messages, with their placeholders, its header as xgettext writes one."""
    lines = ['msgid ""', 'msgstr ""', '"Language: \\n"', '"Content-Type: text/plain; charset=CHARSET\\n"',
             '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', ""]
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


def held(verse: str, placeholders: tuple[str, str]) -> str:
    """The verse with its placeholders."""
    words = verse.split(" ")
    if len(words) >= 6:
        words[3] += " " + placeholders[0]
        words[-2] += " " + placeholders[1]
    return " ".join(words)


def translated(client: httpx.Client, args: argparse.Namespace, verses: list[str]) -> tuple[list[str], int, int]:
    """The verses' translations, as the file's format came back with them, how many were flagged fuzzy, and whether
    msgfmt -c accepts the file (1 or 0)."""
    if args.format == "json":
        out = translated_file(client, args.url, "en.json", messages(verses, args.placeholders).encode(), args.pair)
        return [text for section in json.loads(out).values() for text in section.values()], 0, 0
    out = translated_file(client, args.url, "messages.pot", template(verses, args.placeholders).encode(), args.pair)
    found = [m for m in po.messages(out.decode().split("\n")) if m.fields.get("msgid")]
    checked = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", "-"], input=out, capture_output=True)
    return ([m.fields.get("msgstr", m.fields.get("msgstr[0]", "")) for m in found], sum(m.fuzzy for m in found),
            int(checked.returncode == 0))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="messages a file (default: 100)")
    p.add_argument("--format", choices=("po", "json"), default="po", help="a gettext template (default) or JSON")
    p.add_argument("--placeholders", type=lambda v: tuple(v.split(",")), help="the two placeholders each message "
                   "holds, A,B (default: %%s,%%(name)s in a .pot, {{count}},{{name}} in JSON; %%1,%%2 are Qt's)")
    args = p.parse_args()
    args.placeholders = args.placeholders or PLACEHOLDERS[args.format]
    if len(args.placeholders) != 2:
        p.error("--placeholders takes two, A,B")
    verses, references, _ = verse_pairs(args.test, min_words=6)
    n = len(verses)
    if args.format == "po" and not shutil.which("msgfmt"):
        p.error("msgfmt (GNU gettext) checks the .po files: apt-get install gettext")
    texts, fuzzy, accepted, seconds = [], 0, 0, 0.0
    with httpx.Client(timeout=600) as client:
        for at in range(0, n, args.per_file):
            start = time.perf_counter()
            found, flagged, valid = translated(client, args, verses[at:at + args.per_file])
            seconds += time.perf_counter() - start
            texts, fuzzy, accepted = texts + found, fuzzy + flagged, accepted + valid
        plain = plain_translations(client, args.url, verses, args.pair)
    placeholders = args.placeholders
    kept = sum(all(text.count(p) == 1 for p in placeholders) for text in texts)
    pattern = "|".join(map(re.escape, placeholders))
    bare = [" ".join(re.sub(pattern, " ", text).split()) for text in texts]
    print(f"{args.test}: {n} messages ({args.format}), {args.pair}, {args.url}")
    files = -(-n // args.per_file)
    print(f"translated: {sum(bool(t) for t in bare)}/{n}" + (
        f"; flagged fuzzy: {fuzzy}/{n}; files msgfmt -c accepts: {accepted}/{files}" if args.format == "po" else "")
        + f"; both placeholders once: {kept}/{n}")
    print(f"BLEU of the translations {sacrebleu.corpus_bleu(bare, [references]).score:.2f}; of the verses as plain "
          f"text {sacrebleu.corpus_bleu(plain, [references]).score:.2f}")
    print(f"messages/s {n / seconds:.1f} (files of {args.per_file})")


if __name__ == "__main__":
    main()
