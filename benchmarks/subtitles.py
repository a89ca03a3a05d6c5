"""Subtitle files through the running service: test verses as cues, sent to POST /translate_file as WebVTT (.vtt,
each cue's text translated as HTML) and as SubRip (.srt, as text), read back cue by cue.

    nmt serve --port 8765 &   python benchmarks/subtitles.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 100] [--karaoke]

Each cue is two lines: a verse with its second word in italics (<i>…</i>), then the next verse. Prints, for each
format, how many cues come back with their two lines and with an italic word, the BLEU of the lines (tags taken
out) against their own verses' references, beside the verses sent as plain text, and the cues per second. With
--karaoke, WebVTT only: each line has a timestamp after its second word (<00:00:07.300>, <00:00:07.600>), and it
prints how many cues come back with both, each once and in rising order.
"""
from __future__ import annotations

import argparse
import re
import time

import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs

ITALIC = re.compile(r"<i>\s*\S.*?</i>")
TIMESTAMP = re.compile(r"<(\d{2}:\d{2}:\d{2}\.\d{3})>")
TAG = re.compile(r"<[^>]*>")


def cues(pairs: list[tuple[str, str]], vtt: bool, karaoke: bool = False) -> str:
    """A subtitle file of a cue for each pair of verses, the first's second word in italics; where karaoke, a
    timestamp after each line's second word."""
    blocks = ["WEBVTT"] if vtt else []
    for k, (first, second) in enumerate(pairs):
        at = f"00:{k // 60:02d}:{k % 60:02d}"
        words, next_words = first.split(" "), second.split(" ")
        marks = [f" <{at}.300>", f" <{at}.600>"] if karaoke else ["", ""]
        line = " ".join([words[0], f"<i>{words[1]}</i>{marks[0]}", *words[2:]])
        second = " ".join([next_words[0], next_words[1] + marks[1], *next_words[2:]])
        timing = f"{at}.000 --> {at}.900"
        blocks.append(f"{k + 1}\n{timing if vtt else timing.replace('.', ',')}\n{line}\n{second}")
    return "\n\n".join(blocks) + "\n"


def translated(client: httpx.Client, url: str, name: str, content: str, pair: str) -> list[list[str]]:
    """Each cue's lines, translated."""
    text = translated_file(client, url, name, content.encode(), pair).decode()
    return [block.split("\n")[2:] for block in text.strip().split("\n\n") if "-->" in block]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="cues a file (default: 100)")
    p.add_argument("--karaoke", action="store_true", help="WebVTT only, a timestamp after each line's second word")
    args = p.parse_args()
    verses, references, refs = verse_pairs(args.test, min_words=3)
    n = len(verses)
    pairs = [(verses[i], verses[(i + 1) % n]) for i in range(n)]
    print(f"{args.test}: {n} cues of two verses, {args.pair}, {args.url}")
    with httpx.Client(timeout=600) as client:
        for name in ("film.vtt",) if args.karaoke else ("film.vtt", "film.srt"):
            got: list[list[str]] = []
            start = time.perf_counter()
            try:
                for at in range(0, n, args.per_file):
                    written = cues(pairs[at:at + args.per_file], name.endswith(".vtt"), args.karaoke)
                    got += translated(client, args.url, name, written, args.pair)
            except httpx.HTTPStatusError as e:
                print(f"{name}: refused ({e.response.json().get('error')})")
                continue
            seconds = time.perf_counter() - start
            two = sum(len(lines) == 2 for lines in got)
            italic = sum(bool(ITALIC.search(lines[0])) for lines in got if lines)
            lines = [TAG.sub("", line) for cue in got for line in (cue if len(cue) == 2 else [" ".join(cue), ""])]
            if args.karaoke:
                times = [TIMESTAMP.findall(" ".join(lines)) for lines in got]
                rising = sum(len(t) == 2 and t == sorted(t) and t[0].endswith(".300") for t in times)
                print(f"{name}: both timestamps, each once, rising {rising}/{n}")
            print(f"{name}: two lines {two}/{n}; an italic word {italic}/{n}; "
                  f"BLEU of the lines {sacrebleu.corpus_bleu(lines, [refs]).score:.2f}; cues/s {n / seconds:.1f}")
        plain = plain_translations(client, args.url, verses, args.pair)
    print(f"the verses as plain text: BLEU {sacrebleu.corpus_bleu(plain, [references]).score:.2f}")


if __name__ == "__main__":
    main()
