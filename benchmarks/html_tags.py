"""HTML through the running service: test verses wrapped as documents with inline tags and a protected block.

    nmt serve --port 8765 &   python benchmarks/html_tags.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                [--clients 1] [--per-request 32] [--numbered | --spans | --breaks | --images] [--titles]

Each verse becomes `<p>` + the verse with its second word in `<b>…</b>` and its next-to-last word in `<a
href="https://example.org/N">…</a>` + `</p><p translate="no">` + the verse again + `</p>`. With --numbered the first
block starts with a verse number, `<sup>N</sup>&#160;`, as e-books and web pages print them; with --spans it is
written as word processors export HTML, every stretch a span: `<span class="c1">` first word `</span><span
class="c2">` second word `</span><span class="c1">` the rest `</span>`; with --breaks the first block is two lines,
the tagged verse, `<br>` and the next verse, as poems and addresses are written. With --images an `<img>` follows
the fourth word (of verses of six words or more). With --titles the <a> has a title, the next verse. Sent with
format html to /v1/translate (beam 5), --per-request documents a request, from --clients clients at once (each sends
its next request when its answer is back). Prints how many answers keep every tag (the same tags, attributes
included, as a multiset), keep the protected block byte for byte, and are well-formed (every element closed in
order); how many of the <b> and <a> elements (--spans: the c2 spans) still hold a word (--numbered: also how many
verse numbers are still alone in their <sup>, and followed by their no-break space); the BLEU of the first block's
text (tags and numbers taken out; --breaks: each line against its own verse's reference) and of the verses
translated without tags; the documents per second of each; and the service's HTML counters (blocks not aligned,
blocks translated piece by piece). With --titles, a title's translation counts as kept, and the titles are scored
against the next verses' references.
"""
from __future__ import annotations

import argparse
import html
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import httpx
import sacrebleu
from common import add_service

from nmt.training.corpus import load_corpus


def document(i: int, verse: str, args: argparse.Namespace, after: str) -> str:
    """The document of verse i; `after` is the next verse, the second line with --breaks."""
    words, numbered, spans = verse.split(" "), args.numbered, args.spans
    if spans and len(words) >= 4:
        return (f'<p><span class="c1">{words[0]} </span><span class="c2">{words[1]}</span><span class="c1"> '
                f'{" ".join(words[2:])}</span></p><p translate="no">{verse}</p>')
    if len(words) >= 4:
        words[1] = f"<b>{words[1]}</b>"
        title = f' title="{html.escape(after)}"' if args.titles else ""
        words[-2] = f'<a href="https://example.org/{i}"{title}>{words[-2]}</a>'
    number = f"<sup>{number_of(i)}</sup>&#160;" if numbered else ""
    if args.images and len(words) >= 6:  # an inline image after the fourth word
        words[3] += f' <img src="{i}.png" alt="">'
    second = f"<br>{after}" if args.breaks else ""
    return f'<p>{number}{" ".join(words)}{second}</p><p translate="no">{verse}</p>'


def number_of(i: int) -> int:
    return i % 40 + 1


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.stack: list[str] = []
        self.well_formed = True
        self.titles: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[TITLE.sub("", self.get_starttag_text() or "")] += 1  # (a title translated is kept)
        self.titles += [value or "" for name, value in attrs if name == "title"]
        if tag not in ("br", "img"):  # void elements: they have no end tag
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


failures: Counter = Counter()  # HTTP status -> requests that failed with it
NUMBER = re.compile(r"<sup>\d+</sup>")
HELD = re.compile(r'<(b|a)\b[^>]*>(.*?)</\1>|<span class="c2">(.*?)</span>', re.DOTALL)
TAG = re.compile(r"<[^>]*>")
TITLE = re.compile(r' title="[^"]*"')


def held(answer: str) -> tuple[int, int]:
    """Of the first block's <b>, <a> and c2 span elements, how many hold a word, and how many there are."""
    found = [m.group(2) or m.group(3) or "" for m in HELD.finditer(answer.split("</p>")[0])]
    return sum(bool(TAG.sub("", inner).strip()) for inner in found), len(found)


def text_of(answer: str) -> str:
    """The first block's text, without its tags."""
    return " ".join(html.unescape(TAG.sub("", NUMBER.sub("", answer.split("</p>")[0]))).split())


def lines_of(answer: str) -> list[str]:
    """The first block's two lines (--breaks), its text all in the first unless one <br> parts them."""
    lines = answer.split("</p>")[0].split("<br>")
    return [text_of(line) for line in lines] if len(lines) == 2 else [text_of(answer), ""]


def translated(client: httpx.Client, url: str, texts: list[str], args: argparse.Namespace, **fields) -> list[str]:
    """The translations; a request that fails is counted (failures) and its texts come back empty."""
    def request(chunk: list[str]) -> list[str]:
        r = client.post(f"{url}/v1/translate", json={"text": chunk, "beam_size": 5} | fields)
        if r.status_code != 200:
            failures[r.status_code] += 1
            return [""] * len(chunk)
        return [t["text"] for t in r.json()["translations"]]

    n = args.per_request
    with ThreadPoolExecutor(args.clients) as clients:
        return [t for out in clients.map(request, [texts[i:i + n] for i in range(0, len(texts), n)]) for t in out]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--clients", type=int, default=1, help="requests sent at once (default: 1)")
    p.add_argument("--per-request", type=int, default=32, help="documents (or verses) a request (default: 32)")
    p.add_argument("--numbered", action="store_true", help="each document's verse number first, in a <sup>")
    p.add_argument("--spans", action="store_true", help="each first block written as spans only")
    p.add_argument("--breaks", action="store_true", help="each first block two lines, the next verse after a <br>")
    p.add_argument("--images", action="store_true", help="an <img> after each first block's fourth word")
    p.add_argument("--titles", action="store_true", help="each <a> titled with the next verse")
    args = p.parse_args()
    source, target = args.pair.split("-")
    pairs = load_corpus(args.test).pairs
    verses, references = [s for s, _ in pairs], [t for _, t in pairs]
    docs = [document(i, v, args, verses[(i + 1) % len(verses)]) for i, v in enumerate(verses)]
    with httpx.Client(timeout=600) as client:
        start = time.perf_counter()
        answers = translated(client, args.url, docs, args, format="html", source=source, target=target)
        tagged_s = time.perf_counter() - start
        plain = translated(client, args.url, verses, args, source=source, target=target)
        plain_s = time.perf_counter() - start - tagged_s
        metrics = client.get(f"{args.url}/metrics").text
    same_tags = sum(tags_of(a).tags == tags_of(d).tags for a, d in zip(answers, docs, strict=True))
    protected = sum(f'<p translate="no">{v}</p>' in a for a, v in zip(answers, verses, strict=True))
    well_formed = sum(tags_of(a).well_formed for a in answers)
    print(f"{args.test}: {len(docs)} documents, {args.pair}, beam 5, {args.url}")
    print(f"every tag kept: {same_tags}/{len(docs)}; protected block verbatim: {protected}/{len(docs)}; "
          f"well-formed: {well_formed}/{len(docs)}")
    holding = [held(a) for a in answers]
    if args.numbered:
        kept = sum(f"<sup>{number_of(i)}</sup>" in a for i, a in enumerate(answers))
        joined = sum(f"<sup>{number_of(i)}</sup>&nbsp;" in a for i, a in enumerate(answers))
        print(f"verse numbers still alone in their <sup>: {kept}/{len(docs)}; followed by their no-break space: "
              f"{joined}/{len(docs)}")
    print(f"<b>, <a>, c2 elements holding a word: {sum(h for h, _ in holding)}/{sum(n for _, n in holding)}")
    untagged = sacrebleu.corpus_bleu(plain, [references]).score
    if args.breaks:  # each line against its own verse's reference
        n = len(references)
        hyps = [line for a in answers for line in lines_of(a)]
        refs = [ref for i in range(n) for ref in (references[i], references[(i + 1) % n])]
    else:
        hyps, refs = [text_of(a) for a in answers], references
    tagged = sacrebleu.corpus_bleu(hyps, [refs]).score
    print(f"BLEU of the tagged blocks' text {tagged:.2f}; of the verses without tags {untagged:.2f}")
    if args.titles:
        titled = [(tags_of(a).titles, references[(i + 1) % len(references)]) for i, a in enumerate(answers)]
        titled = [(titles[0], ref) for titles, ref in titled if titles]
        print(f"titles: {len(titled)}; their BLEU against the next verses' references "
              f"{sacrebleu.corpus_bleu([t for t, _ in titled], [[r for _, r in titled]]).score:.2f}")
    print(f"documents/s {len(docs) / tagged_s:.1f} tagged, {len(verses) / plain_s:.1f} without tags (requests of "
          f"{args.per_request}, {args.clients} at a time); failed requests: {dict(failures) or 0}")
    print("\n".join(line for line in metrics.splitlines()
                    if line.startswith(("nmt_html_fallbacks_total", "nmt_html_unaligned_total"))))


if __name__ == "__main__":
    main()
