"""Spans of real-world text kept verbatim: our own sentences (benchmarks/data/real_spans.tsv, none from the test
books) with phone numbers, product and error codes, units, comparisons, tags in plain text, prices, dates, links.

    python benchmarks/real_spans.py [--model BUNDLE] [--beam 5] [--sentences FILE] [--show]

Prints how many of the listed spans come back verbatim in the translations (plain text, as `format: text` and
`nmt translate` send it), and in how many sentences all; --show prints each sentence's translation and the spans it
lost.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from common import default_model, print_table

from nmt.model.translator import DecodeOptions, Translator

SENTENCES = Path(__file__).resolve().parent / "data" / "real_spans.tsv"


def read(path: Path) -> list[tuple[str, list[str]]]:
    """(sentence, spans) per line; # starts a comment line."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sentence, spans = line.split("\t")
            rows.append((sentence, spans.split(" | ")))
    return rows


def kept(span: str, translation: str) -> bool:
    """Whether the span is in the translation: verbatim, or for "re:PATTERN" as the pattern finds it."""
    return bool(re.search(span[3:], translation)) if span.startswith("re:") else span in translation


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None)
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--sentences", type=Path, default=SENTENCES)
    p.add_argument("--show", action="store_true", help="print each translation and the spans it lost")
    args = p.parse_args()
    rows = read(args.sentences)
    translator = Translator.load(args.model or default_model(), "cpu")
    done = translator.translate([s for s, _ in rows], DecodeOptions(beam_size=args.beam))
    found = total = whole = 0
    for (sentence, spans), translated in zip(rows, done, strict=True):
        lost = [span for span in spans if not kept(span, translated.text)]
        found, total, whole = found + len(spans) - len(lost), total + len(spans), whole + (not lost)
        if args.show:
            print(f"{sentence}\n  -> {translated.text}" + (f"\n  lost: {lost}" if lost else ""))
    print(f"{args.sentences}: {len(rows)} sentences, beam {args.beam}")
    print_table([{"spans kept": f"{found}/{total} ({100 * found / total:.1f}%)", "sentences whole": f"{whole}/{len(rows)}"}],
                ["spans kept", "sentences whole"])


if __name__ == "__main__":
    main()
