"""XLIFF files through the running service: test verses as translation units, sent to POST /translate_file, and read
back unit by unit, as a translation tool would.

    nmt serve --port 8765 &   python benchmarks/xliff_files.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 100] [--version 1.2|2.0]

Each unit's source is a verse with its second word inside an inline code (1.2's <g>, 2's <pc>) and a placeholder
(<x/>, <ph/>) after its fourth. Prints how many units come back with a target, with the code holding a word and
with the placeholder, the BLEU of the targets' text against the verses' references beside the verses sent as plain
text, and the units per second.
"""
from __future__ import annotations

import argparse
import html
import time

import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs
from lxml import etree

NAMESPACE = "urn:oasis:names:tc:xliff:document:"
# per version: the unit's element, the code around a word, the placeholder, and the file around the units
FORMS = {
    "1.2": ("trans-unit", '<g id="b">{}</g>', '<x id="p"/>',
            '<xliff version="1.2" xmlns="{ns}1.2"><file original="verses" source-language="en" datatype="plaintext">'
            "<body>{units}</body></file></xliff>"),
    "2.0": ("segment", '<pc id="b">{}</pc>', '<ph id="p"/>',
            '<xliff version="2.0" xmlns="{ns}2.0" srcLang="en"><file id="f">{units}</file></xliff>'),
}


def document(verses: list[str], version: str) -> bytes:
    unit, around, placeholder, file = FORMS[version]
    units = []
    for k, verse in enumerate(verses):
        words = [html.escape(word, quote=False) for word in verse.split(" ")]
        words[1] = around.format(words[1])
        words[3] += placeholder
        source = f"<source>{' '.join(words)}</source>"
        units.append(f'<trans-unit id="{k}">{source}</trans-unit>' if version == "1.2"
                     else f'<unit id="{k}"><segment>{source}</segment></unit>')
    return file.format(ns=NAMESPACE, units="".join(units)).encode()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="units a file (default: 100)")
    p.add_argument("--version", choices=FORMS, default="1.2", help="XLIFF 1.2 (default) or 2.0")
    args = p.parse_args()
    verses, references, _ = verse_pairs(args.test, min_words=4)
    n, (unit, around, placeholder, _) = len(verses), FORMS[args.version]
    ns = f"{{{NAMESPACE}{args.version}}}"
    targets, held, placed = [], 0, 0
    with httpx.Client(timeout=600) as client:
        start = time.perf_counter()
        for at in range(0, n, args.per_file):
            root = etree.fromstring(translated_file(client, args.url, "verses.xlf",
                                                    document(verses[at:at + args.per_file], args.version), args.pair))
            for element in root.iter(ns + unit):
                target = element.find(ns + "target")
                code = target.find(ns + around[1:around.index(" ")]) if target is not None else None
                held += code is not None and bool("".join(code.itertext()).strip())
                placed += target is not None and target.find(ns + placeholder[1:placeholder.index(" ")]) is not None
                targets.append(" ".join("".join(target.itertext()).split()) if target is not None else "")
        seconds = time.perf_counter() - start
        plain = plain_translations(client, args.url, verses, args.pair)
    print(f"{args.test}: {n} verses as XLIFF {args.version} units, {args.pair}, {args.url}")
    print(f"targets {sum(map(bool, targets))}/{n}; the code holding a word {held}/{n}; the placeholder {placed}/{n}")
    print(f"BLEU of the targets {sacrebleu.corpus_bleu(targets, [references]).score:.2f}; of the verses as plain "
          f"text {sacrebleu.corpus_bleu(plain, [references]).score:.2f}; units/s {n / seconds:.1f}")


if __name__ == "__main__":
    main()
