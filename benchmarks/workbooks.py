"""Excel workbooks through the running service: test verses written with openpyxl as a sheet people keep, sent to
POST /translate_file, read back with openpyxl.

    nmt serve --port 8765 &   python benchmarks/workbooks.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 100]

One row a verse: its number (a number cell), the verse (a string cell), and the verse and the next one in one cell,
a line break between (Alt+Enter). Prints how many number cells come back unchanged and how many two-line cells
keep their two lines; the BLEU of the verse cells and of the two-line cells' lines, each line against its own
verse's reference, beside the verses translated as plain text; and the rows per second.
"""
from __future__ import annotations

import argparse
import io
import time

import httpx
import openpyxl
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs


def workbook(verses: list[str], first: int) -> bytes:
    """A sheet of a row for each verse but the last (the next verse of the one before), numbered from first + 1."""
    book = openpyxl.Workbook()
    sheet = book.active
    for i, (verse, after) in enumerate(zip(verses[:-1], verses[1:], strict=True)):
        sheet.append([first + i + 1, verse, f"{verse}\n{after}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=100, help="rows a file (default: 100)")
    args = p.parse_args()
    sources, references, refs = verse_pairs(args.test)
    n = len(sources)
    verses = [*sources, sources[0]]  # the last row's next verse is the first
    rows: list[tuple] = []
    seconds = 0.0
    with httpx.Client(timeout=600) as client:
        for at in range(0, n, args.per_file):
            start = time.perf_counter()
            sheet = workbook(verses[at:at + args.per_file + 1], at)
            content = translated_file(client, args.url, "verses.xlsx", sheet, args.pair)
            seconds += time.perf_counter() - start
            rows += list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        plain = plain_translations(client, args.url, sources, args.pair)
    numbered = sum(row[0] == i + 1 for i, row in enumerate(rows))
    lines = [str(row[2]).split("\n") for row in rows]
    kept = sum(len(parted) == 2 for parted in lines)
    two = [line for parted in lines for line in (parted if len(parted) == 2 else [" ".join(parted), ""])]
    print(f"{args.test}: {n} rows, {args.pair}, {args.url}")
    print(f"number cells unchanged: {numbered}/{n}; two-line cells with two lines: {kept}/{n}")
    print(f"BLEU of the verse cells {sacrebleu.corpus_bleu([str(r[1]) for r in rows], [references]).score:.2f}; "
          f"of the two-line cells' lines {sacrebleu.corpus_bleu(two, [refs]).score:.2f}; "
          f"of the verses as plain text {sacrebleu.corpus_bleu(plain, [references]).score:.2f}")
    print(f"rows/s {n / seconds:.1f} (files of {args.per_file})")


if __name__ == "__main__":
    main()
