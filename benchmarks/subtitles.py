"""Subtitle files through the running service: test verses as cues, sent to POST /translate_file as WebVTT (.vtt,
each cue's text translated as HTML), as SubRip (.srt, as text), as Advanced SubStation Alpha (.ass, Aegisub's:
each Dialogue event's text as HTML, its override blocks as tags or kept) and as Timed Text (.ttml, broadcasters': each
paragraph as HTML), read back cue by cue (an .ass with pysubs2, a .ttml with ttconv, as SubRip).

    nmt serve --port 8765 &   python benchmarks/subtitles.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 100] [--karaoke]

Each cue is two lines: a verse with its second word in italics (<i>…</i>; in an .ass {\\i1}…{\\i0}, every other cue
placed at the top, {\\an8}; in a .ttml a span of tts:fontStyle="italic"), then the next verse. Prints, for each
format, how many cues come back with their two lines and with an italic word, the BLEU of the lines (tags taken
out) against their own verses' references, beside the verses sent as plain text, and the cues per second. With
--karaoke, WebVTT only: each line has a timestamp after its second word (<00:00:07.300>, <00:00:07.600>), and it
prints how many cues come back with both, each once and in rising order.
"""
from __future__ import annotations

import argparse
import html
import re
import time
import xml.etree.ElementTree as ElementTree

import httpx
import pysubs2
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs
from ttconv.imsc import reader as imsc_reader
from ttconv.srt import writer as srt_writer

ITALIC = re.compile(r"<i>\s*\S.*?</i>")
TIMESTAMP = re.compile(r"<(\d{2}:\d{2}:\d{2}\.\d{3})>")
TAG = re.compile(r"<[^>]*>")
PLACED = "{\\an8}"  # an .ass event's override block that places it at the top
ASS_ITALIC, ASS_BLOCK = re.compile(r"\{\\i([01])\}"), re.compile(r"\{[^{}]*\}")
ASS_STYLE_FORMAT = ("Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
                    "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
                    "Alignment, MarginL, MarginR, MarginV, Encoding")
ASS_STYLE = "Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1"


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


def script(pairs: list[tuple[str, str]]) -> str:
    """An Advanced SubStation Alpha script (as Aegisub writes one) of a Dialogue event for each pair of verses, the
    first's second word in italics, every other event placed at the top."""
    lines = ["[Script Info]", "ScriptType: v4.00+", "", "[V4+ Styles]", ASS_STYLE_FORMAT, ASS_STYLE, "", "[Events]",
             "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"]
    for k, (first, second) in enumerate(pairs):
        words = first.split(" ")
        line = " ".join([words[0], f"{{\\i1}}{words[1]}{{\\i0}}", *words[2:]])
        at = f"0:{k // 60:02d}:{k % 60:02d}"
        lines.append(f"Dialogue: 0,{at}.00,{at}.90,Default,,0,0,0,,{PLACED * (k % 2)}{line}\\N{second}")
    return "\n".join(lines) + "\n"


def timed_text(pairs: list[tuple[str, str]]) -> str:
    """A TTML document of a paragraph for each pair of verses, the first's second word in an italic span, a <br/>
    between them."""
    paragraphs = []
    for k, (first, second) in enumerate(pairs):
        words = [html.escape(word, quote=False) for word in first.split(" ")]
        line = " ".join([words[0], f'<span tts:fontStyle="italic">{words[1]}</span>', *words[2:]])
        paragraphs.append(f'      <p begin="{k}.0s" end="{k}.9s">{line}<br/>{html.escape(second, quote=False)}</p>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<tt xmlns="http://www.w3.org/ns/ttml" '
            'xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="en">\n  <body>\n    <div>\n'
            + "\n".join(paragraphs) + "\n    </div>\n  </body>\n</tt>\n")


def translated(client: httpx.Client, url: str, name: str, content: str, pair: str) -> tuple[list[list[str]], int]:
    """Each cue's lines, translated (an .ass event's as a SubRip cue's: italics as <i>, its other blocks gone), and
    how many .ass events are placed as sent (every other at the top: {\\an8} first)."""
    text = translated_file(client, url, name, content.encode(), pair).decode()
    if name.endswith(".ttml"):  # (as SubRip, ttconv's italics <i>)
        text = srt_writer.from_model(imsc_reader.to_model(ElementTree.ElementTree(ElementTree.fromstring(text))))
    if not name.endswith(".ass"):
        return [block.split("\n")[2:] for block in text.strip().split("\n\n") if "-->" in block], 0
    events = [e.text for e in pysubs2.SSAFile.from_string(text).events]
    placed = sum(e.startswith(PLACED) if k % 2 else PLACED not in e for k, e in enumerate(events))
    events = [ASS_ITALIC.sub(lambda m: "<i>" if m[1] == "1" else "</i>", e) for e in events]
    return [ASS_BLOCK.sub("", e).split("\\N") for e in events], placed


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
        for name in ("film.vtt",) if args.karaoke else ("film.vtt", "film.srt", "film.ass", "film.ttml"):
            got: list[list[str]] = []
            placed = 0
            start = time.perf_counter()
            try:
                for at in range(0, n, args.per_file):
                    chunk = pairs[at:at + args.per_file]
                    written = (script(chunk) if name.endswith(".ass") else timed_text(chunk) if name.endswith(".ttml")
                               else cues(chunk, name.endswith(".vtt"), args.karaoke))
                    found, placed_here = translated(client, args.url, name, written, args.pair)
                    got, placed = got + found, placed + placed_here
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
                  + (f"placed as sent {placed}/{n}; " if name.endswith(".ass") else "")
                  + f"BLEU of the lines {sacrebleu.corpus_bleu(lines, [refs]).score:.2f}; cues/s {n / seconds:.1f}")
        plain = plain_translations(client, args.url, verses, args.pair)
    print(f"the verses as plain text: BLEU {sacrebleu.corpus_bleu(plain, [references]).score:.2f}")


if __name__ == "__main__":
    main()
