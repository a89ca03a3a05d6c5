"""Markdown files through the running service: test verses as list items of a Markdown file, sent to POST
/translate_file, and read back with markdown-it.

    nmt serve --port 8765 &   python benchmarks/markdown_files.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 100]

Each verse is a list item, its second word in emphasis (*…*) and its fourth a link ([…](http://example.org/K)),
after a heading and a code block. Prints how many items come back, with the emphasis holding a word and with their
link (its address kept), whether every file's blocks are the source's, the BLEU of the items' text against the
verses' references beside the verses sent as plain text, and the items per second.
"""
from __future__ import annotations

import argparse
import time

import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs
from markdown_it import MarkdownIt

from nmt.app.markdown import ESCAPED

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def document(verses: list[str], first: int) -> str:
    items = []
    for k, verse in enumerate(verses, start=first):
        words = [ESCAPED.sub(r"\\\1", word) for word in verse.split(" ")]
        words[1], words[3] = f"*{words[1]}*", f"[{words[3]}](http://example.org/{k})"
        items.append("- " + " ".join(words))
    return "# The verses\n\n```\nkept = True\n```\n\n" + "\n".join(items) + "\n"


def blocks(text: str) -> list[str]:
    return [t.type + (t.content if t.type == "fence" else "") for t in PARSER.parse(text) if t.type != "inline"]


def items(text: str) -> list[tuple[str, bool, str | None]]:
    """Each list item's text, whether its emphasis holds a word, and its link's address."""
    found = []
    for token in PARSER.parse(text):
        if token.type != "inline" or not token.map or token.map[0] < 5:  # (the heading and the code block)
            continue
        children = token.children or []
        emphasis = any(a.type == "em_open" and b.type == "text" and b.content.strip()
                       for a, b in zip(children, children[1:], strict=False))
        link = next((str(c.attrs.get("href")) for c in children if c.type == "link_open"), None)
        found.append(("".join(c.content for c in children if c.type == "text"), emphasis, link))
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="verses a file (default: 100)")
    args = p.parse_args()
    verses, references, _ = verse_pairs(args.test, min_words=4)
    n = len(verses)
    back: list[tuple[str, bool, str | None]] = []
    same = True
    with httpx.Client(timeout=600) as client:
        start = time.perf_counter()
        for at in range(0, n, args.per_file):
            source = document(verses[at:at + args.per_file], at)
            result = translated_file(client, args.url, "verses.md", source.encode(), args.pair).decode()
            same &= blocks(result) == blocks(source)
            back += items(result)
        seconds = time.perf_counter() - start
        plain = plain_translations(client, args.url, verses, args.pair)
    print(f"{args.test}: {n} verses as Markdown list items, {args.pair}, {args.url}")
    links = sum(link == f"http://example.org/{k}" for k, (_, _, link) in enumerate(back))
    print(f"items {len(back)}/{n}; the emphasis holding a word {sum(e for _, e, _ in back)}/{n}; the link, its "
          f"address kept {links}/{n}; every file's blocks as the source's: {same}")
    texts = [text for text, _, _ in back]
    print(f"BLEU of the items {sacrebleu.corpus_bleu(texts, [references[:len(texts)]]).score:.2f}; of the verses "
          f"as plain text {sacrebleu.corpus_bleu(plain, [references]).score:.2f}; items/s {n / seconds:.1f}")


if __name__ == "__main__":
    main()
