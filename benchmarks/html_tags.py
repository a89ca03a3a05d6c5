"""HTML through the running service: test verses wrapped as documents with inline tags and a protected block.

    nmt serve --port 8765 &   python benchmarks/html_tags.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]

Each verse becomes `<p>` + the verse with its second word in `<b>…</b>` and its next-to-last word in
`<a href="https://example.org/N">…</a>` + `</p><p translate="no">` + the verse again + `</p>`, sent with
format html to /v1/translate (beam 5). Prints how many answers keep every tag (the same tags, attributes
included, as a multiset), keep the protected block byte for byte, and are well-formed (every element closed in
order), and the service's HTML fallback counter.
"""
from __future__ import annotations

import argparse
from collections import Counter
from html.parser import HTMLParser

import httpx
from common import TEST_SPLIT

from nmt.training.corpus import load_corpus


def document(i: int, verse: str) -> str:
    words = verse.split(" ")
    if len(words) >= 4:
        words[1] = f"<b>{words[1]}</b>"
        words[-2] = f'<a href="https://example.org/{i}">{words[-2]}</a>'
    return f'<p>{" ".join(words)}</p><p translate="no">{verse}</p>'


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.stack: list[str] = []
        self.well_formed = True

    def handle_starttag(self, tag, attrs):
        self.tags[self.get_starttag_text()] += 1
        self.stack.append(tag)

    def handle_endtag(self, tag):
        self.tags[f"</{tag}>"] += 1
        if not self.stack or self.stack.pop() != tag:
            self.well_formed = False


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    parser.well_formed &= not parser.stack
    return parser


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--test", default=str(TEST_SPLIT))
    p.add_argument("--pair", default="en-es")
    args = p.parse_args()
    source, target = args.pair.split("-")
    verses = [s for s, _ in load_corpus(args.test).pairs]
    docs = [document(i, v) for i, v in enumerate(verses)]
    answers: list[str] = []
    with httpx.Client(timeout=600) as client:
        for i in range(0, len(docs), 32):
            r = client.post(f"{args.url}/v1/translate", json={"text": docs[i:i + 32], "format": "html",
                                                             "source": source, "target": target, "beam_size": 5})
            r.raise_for_status()
            answers += [t["text"] for t in r.json()["translations"]]
        metrics = client.get(f"{args.url}/metrics").text
    same_tags = sum(tags_of(a).tags == tags_of(d).tags for a, d in zip(answers, docs, strict=True))
    protected = sum(f'<p translate="no">{v}</p>' in a for a, v in zip(answers, verses, strict=True))
    well_formed = sum(tags_of(a).well_formed for a in answers)
    print(f"{args.test}: {len(docs)} documents, {args.pair}, beam 5, {args.url}")
    print(f"every tag kept: {same_tags}/{len(docs)}; protected block verbatim: {protected}/{len(docs)}; "
          f"well-formed: {well_formed}/{len(docs)}")
    print("\n".join(line for line in metrics.splitlines() if line.startswith("nmt_html_fallbacks_total")))


if __name__ == "__main__":
    main()
