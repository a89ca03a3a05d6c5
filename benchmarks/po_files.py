"""gettext files through the running service: test verses as the messages of a .pot template, sent to POST
/translate_file, and read back with app/po.py.

    nmt serve --port 8765 &   python benchmarks/po_files.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 100]

Each verse is a message's msgid, its fourth word followed by a printf placeholder (%s) and its next-to-last by a
named one (%(name)s), as programs' messages hold them; every fifth message is a plural one, the next verse its
msgid_plural. Prints how many messages come back translated and flagged fuzzy, how many keep both placeholders once
each, the BLEU of the msgstrs (placeholders taken out) against the verses' references beside the verses sent as
plain text, and the messages per second.
"""
from __future__ import annotations

import argparse
import re
import time

import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs

from nmt.app import po

PLACEHOLDERS = ("%s", "%(name)s")


def template(verses: list[str]) -> str:
    """A .pot of the verses as messages, with their placeholders."""
    lines = ['msgid ""', 'msgstr ""', '"Language: \\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', ""]
    for k, verse in enumerate(verses):
        msgid = _escaped(held(verse))
        if k % 5 == 4:
            lines += [f'msgid "{msgid}"', f'msgid_plural "{_escaped(held(verses[k - 1]))}"', 'msgstr[0] ""',
                      'msgstr[1] ""', ""]
        else:
            lines += [f'msgid "{msgid}"', 'msgstr ""', ""]
    return "\n".join(lines)


def held(verse: str) -> str:
    """The verse with its placeholders."""
    words = verse.split(" ")
    if len(words) >= 6:
        words[3] += " " + PLACEHOLDERS[0]
        words[-2] += " " + PLACEHOLDERS[1]
    return " ".join(words)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="messages a file (default: 100)")
    args = p.parse_args()
    verses, references, _ = verse_pairs(args.test, min_words=6)
    n = len(verses)
    translated, fuzzy, kept, seconds = [], 0, 0, 0.0
    with httpx.Client(timeout=600) as client:
        for at in range(0, n, args.per_file):
            start = time.perf_counter()
            out = translated_file(client, args.url, "messages.pot", template(verses[at:at + args.per_file]).encode(),
                                  args.pair).decode()
            seconds += time.perf_counter() - start
            lines = out.split("\n")
            messages = [m for m in po.messages(lines) if m.fields.get("msgid")]
            fuzzy += sum(m.fuzzy for m in messages)
            texts = [m.fields.get("msgstr", m.fields.get("msgstr[0]", "")) for m in messages]
            kept += sum(all(text.count(p) == 1 for p in PLACEHOLDERS) for text in texts)
            translated += [" ".join(re.sub(r"%\(name\)s|%s", " ", text).split()) for text in texts]
        plain = plain_translations(client, args.url, verses, args.pair)
    print(f"{args.test}: {n} messages, {args.pair}, {args.url}")
    print(f"translated: {sum(bool(t) for t in translated)}/{n}; flagged fuzzy: {fuzzy}/{n}; "
          f"both placeholders once: {kept}/{n}")
    print(f"BLEU of the msgstrs {sacrebleu.corpus_bleu(translated, [references]).score:.2f}; of the verses as plain "
          f"text {sacrebleu.corpus_bleu(plain, [references]).score:.2f}")
    print(f"messages/s {n / seconds:.1f} (files of {args.per_file})")


if __name__ == "__main__":
    main()
