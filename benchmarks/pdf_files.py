"""PDF files through the running service: test verses laid out by fpdf2 as a word processor lays out paragraphs
(11 pt, wrapped in a column, a blank line between, a page after another), sent to POST /translate_file, and read
back with app/pdf.py's own reading of paragraphs.

    nmt serve --port 8765 &   python benchmarks/pdf_files.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 40] [--bold] [--links]
    python benchmarks/pdf_files.py --write verses.pdf [--bold] [--links]; time nmt translate-file verses.pdf

Prints how many texts the service found (one per verse; a verse that a page break parts is one text, unless its
first part ends a sentence), how many the translated files hold, and how many of their lines had to be made
smaller to fit; the BLEU of each file's text read back against its verses' references, beside the same of the
verses sent as plain text (each file's joined: texts and verses need not be one to one); the pages per second,
and the files' sizes. With --bold, each verse's second word is bold, and it prints how many translated paragraphs
have a bold part that holds a word. With --links, each verse's third to fifth words (of a verse of six or more) are a
link (a link annotation over them, as fpdf2 writes a Markdown link), and it prints how many links the service read
over just those words, and how many of the translated files' links are over just the words that the translation of
their verse holds in the link's span (the same text translated as HTML by POST /v1/translate: where the model puts
the link's words), those words read back from the files as the service reads them (measured exactly: the files are
written in DejaVu).
"""
from __future__ import annotations

import argparse
import html
import io
import re
import time
from pathlib import Path

import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs
from fpdf import FPDF
from pypdf import PdfReader

from nmt.app import pdf, pdf_layout

MARKDOWN = re.compile(r"\*\*|__|--|~~|\\")
LINKED = slice(2, 5)  # a verse's words that --links makes a link


def document(verses: list[str], bold: bool, links: bool = False) -> bytes:
    """A PDF of the verses, each a paragraph of 11 pt text wrapped in a 450 pt column (its second word bold; its
    third to fifth a link)."""
    written = FPDF(unit="pt", format="A4")
    written.set_auto_page_break(True, margin=72)
    written.add_font("DejaVu", "", pdf.FONTS / "DejaVuSerif.ttf")
    if bold:
        written.add_font("DejaVu", "B", pdf.FONTS / "DejaVuSerif-Bold.ttf")
    written.set_font("DejaVu", "", 11)
    written.add_page()
    for verse in verses:
        assert not MARKDOWN.search(verse), verse  # (what fpdf2 would read as formatting)
        words = verse.split()
        if bold and len(words) > 1:
            words[1] = f"**{words[1]}**"
        if links and len(words) > LINKED.stop:
            assert not re.search(r"[][()]", " ".join(words[LINKED])), verse  # (what would end the link)
            words[LINKED] = [f"[{' '.join(words[LINKED])}](https://example.org/{len(verses)})"]
        written.set_x(72)
        written.multi_cell(450, 14, " ".join(words), align="J", markdown=True)
        written.ln(14)
    return bytes(written.output())


def bolded(paragraph: str) -> bool:
    """Whether a paragraph that app/pdf.py read has a part in another style than the rest (bold) holding a word."""
    return any(part.strip() for part in re.findall(r'<span class="s\d+">(.*?)</span>', paragraph))


def linked(texts: list[str]) -> dict[int, list[str]]:
    """The words that the texts (as app/pdf.py reads them, or their translations) hold in each link's span
    (<span class="lK">), by the link's number K."""
    found: dict[int, list[str]] = {}
    for word in (word for text in texts for word in pdf._words(text, [])):
        for link in {part.link for part in word if part.link is not None}:
            found.setdefault(link, []).append("".join(part.text for part in word))
    return found


def read_back(content: bytes) -> list[str]:
    """A translated file's paragraphs as app/pdf.py reads them, each word under the link whose area holds its middle,
    measured exactly (its text is in DejaVu)."""
    reader = PdfReader(io.BytesIO(content))
    paragraphs = pdf_layout.paragraphs_of(reader, pdf.Writer().measure, pdf_layout.links_of(reader))
    return [paragraph.html({}) for paragraph in paragraphs]


def text_of(paragraph: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", paragraph))


def sizes(content: bytes) -> list[float]:
    """The sizes of the text a PDF shows, piece by piece."""
    found: list[float] = []
    for page in PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append(size) if text.strip() else None)
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p, required=False)
    p.add_argument("--per-file", type=int, default=40, help="verses a file (default: 40)")
    p.add_argument("--bold", action="store_true", help="each verse's second word bold")
    p.add_argument("--links", action="store_true", help="each verse's third to fifth words a link")
    p.add_argument("--write", type=Path, metavar="FILE", help="write all the verses as one PDF to FILE instead (for "
                   "`nmt translate-file FILE`), and exit")
    args = p.parse_args()
    verses, references, _ = verse_pairs(args.test)
    if args.write:
        args.write.write_bytes(document(verses, args.bold, args.links))
        print(f"wrote {args.write}: {len(verses)} verses")
        return
    if not args.url:
        p.error("give --url, or --write")
    n = len(verses)
    found, back, bold, files, smaller, pages, seconds, sent, received = 0, 0, 0, [], 0, 0, 0.0, 0, 0
    links, read, spans, over = 0, 0, 0, 0  # links made, read over their words, their spans translated, moved over them
    with httpx.Client(timeout=600) as client:
        for at in range(0, n, args.per_file):
            written = document(verses[at:at + args.per_file], args.bold, args.links)
            sources = pdf.read(written)[0]
            found += len(sources)
            start = time.perf_counter()
            result = translated_file(client, args.url, "verses.pdf", written, args.pair)
            seconds += time.perf_counter() - start
            paragraphs = pdf.read(result)[0]
            sent, received = sent + len(written), received + len(result)
            back, smaller = back + len(paragraphs), smaller + sum(size < 11 for size in sizes(result))
            bold += sum(map(bolded, paragraphs))
            pages += len(PdfReader(io.BytesIO(result)).pages)
            files.append(" ".join(map(text_of, paragraphs)))
            if args.links:
                made = [verse.split()[LINKED] for verse in verses[at:at + args.per_file] if len(verse.split()) > LINKED.stop]
                expected = linked(plain_translations(client, args.url, sources, args.pair, "html"))
                moved = linked(read_back(result))
                links, spans = links + len(made), spans + len(expected)
                read += sum(words == made[k] for k, words in linked(sources).items())
                over += sum(moved.get(k) == words for k, words in expected.items())
        plain = plain_translations(client, args.url, verses, args.pair)

    def joined(texts: list[str]) -> list[str]:
        return [" ".join(texts[at:at + args.per_file]) for at in range(0, n, args.per_file)]

    print(f"{args.test}: {n} verses, a paragraph each, {args.pair}, {args.url}")
    print(f"texts found {found}/{n}; in the translated files {back}; lines made smaller {smaller}"
          + (f"; a bold part holding a word {bold}/{n}" if args.bold else ""))
    if args.links:
        print(f"links {links}: read over just their words {read}; their span in the translation {spans}; moved over "
              f"just its words {over}/{spans}")
    refs = [joined(references)]
    print(f"BLEU of the files read back {sacrebleu.corpus_bleu(files, refs).score:.2f}; of the verses as plain text, "
          f"joined the same {sacrebleu.corpus_bleu(joined(plain), refs).score:.2f}")
    print(f"pages/s {pages / seconds:.2f} ({pages} pages, files of {args.per_file} verses); "
          f"{sent >> 10} KB sent, {received >> 10} KB back")


if __name__ == "__main__":
    main()
