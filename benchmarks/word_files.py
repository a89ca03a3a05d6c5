"""Word documents through the running service: test verses written with python-docx as paragraphs people write,
sent to POST /translate_file, read back with python-docx.

    nmt serve --port 8765 &   python benchmarks/word_files.py --url http://127.0.0.1:8765 [--test T] [--pair en-es]
                                  [--per-file 40] [--kept picture|footnote|text-box|equation|shape]
                                  [--held bold|link-field|insertion|content-control] [--alt]
    python benchmarks/word_files.py --url http://127.0.0.1:8765 --toc

Each paragraph is two verses: the first with its second word bold and a small picture after its fourth word, then
a line break (Shift+Enter), then the next verse. Files of --per-file paragraphs. Prints how many paragraphs come
back with their two lines, their picture and a bold run that holds a word; the BLEU of the lines, each against its
own verse's reference (beside the verses translated as plain text); and the paragraphs per second.

With --held, what holds the first verse's second word instead of a bold run: a HYPERLINK field (begin,
instruction, separator, the word, end, each a run, as Word writes a field), a tracked insertion (<w:ins>), or an
inline content control (<w:sdt>); the count is then of those that hold a word. With --kept
footnote, a footnote's reference mark follows the fourth word instead of the picture; with --kept text-box, a text
box that holds the second verse (a drawing that holds a paragraph, with its VML copy, as LibreOffice and Word write
one), and no line break: the lines are the paragraph's own text and its text box's; with --kept equation, an
inline equation (Office Math: x+1); with --kept shape, a rectangle (a drawing and its VML copy, in
mc:AlternateContent, as Word writes a shape).

With --alt, each picture has the next verse (the paragraph's second) as its alt text, its description for screen
readers (<wp:docPr descr> and <pic:cNvPr descr>, as Word writes it); prints also how many come back translated, how
many the same in both places, and their BLEU, each against its verse's reference.

With --toc, a table of contents instead, a line per verse as Word writes one: a hyperlink to the verse's heading
holding the verse, a tab and a PAGEREF field of its page number. Prints how many lines keep their link and their
field (with its number, inside the link), the BLEU of the lines' text without the number, and the lines per second.
"""
from __future__ import annotations

import argparse
import html
import io
import struct
import time
import zlib

import docx
import httpx
import sacrebleu
from common import add_service, plain_translations, translated_file, verse_pairs
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt
from docx.text.paragraph import Paragraph


def png() -> bytes:
    """A red 8×8 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


BOX_NAMESPACES = nsdecls("w", "wp", "a") + (' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
                                             ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
                                             ' xmlns:v="urn:schemas-microsoft-com:vml"')


def text_box(text: str | None) -> BaseOxmlElement:
    """A run of an inline text box that holds the text, in DrawingML and in VML for older readers; a rectangle if
    text is None."""
    content = f"<w:txbxContent><w:p><w:r><w:t>{html.escape(text)}</w:t></w:r></w:p></w:txbxContent>" if text else ""
    box, vml_box = (f"<wps:txbx>{content}</wps:txbx>", f"<v:textbox>{content}</v:textbox>") if text else ("", "")
    return parse_xml(
        f'<w:r {BOX_NAMESPACES}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:inline><wp:extent cx="1440180" cy="360045"/><wp:docPr id="1" name="box"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f'<wps:cNvSpPr txBox="{int(bool(text))}"/>'
        f'<wps:spPr><a:prstGeom prst="rect"/></wps:spPr>{box}<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>'
        f'</wp:inline></w:drawing></mc:Choice><mc:Fallback><w:pict><v:rect style="width:113.4pt;height:28.35pt">'
        f'{vml_box}</v:rect></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def equation() -> BaseOxmlElement:
    """An inline equation, x+1, as Word writes one (Office Math)."""
    return parse_xml(f'<m:oMath {nsdecls("m", "w")}><m:r><w:rPr><w:rFonts w:ascii="Cambria Math" w:hAnsi="Cambria Math"/>'
                     '</w:rPr><m:t>x+1</m:t></m:r></m:oMath>')


def link_field(word: str) -> list[BaseOxmlElement]:
    """The runs of a HYPERLINK field that shows the word, as Word writes one: begin, instruction, separator, the
    word, end."""
    runs = ['<w:fldChar w:fldCharType="begin"/>', '<w:instrText xml:space="preserve"> HYPERLINK "https://x.org" '
            '</w:instrText>', '<w:fldChar w:fldCharType="separate"/>', f"<w:t>{html.escape(word)}</w:t>",
            '<w:fldChar w:fldCharType="end"/>']
    return [parse_xml(f"<w:r {nsdecls('w')}>{run}</w:r>") for run in runs]


HELD = {"bold": "a bold run", "link-field": "a HYPERLINK field", "insertion": "an insertion",
        "content-control": "a content control"}
KEPT = {"picture": ".//w:drawing", "footnote": ".//w:footnoteReference", "text-box": ".//w:drawing",  # where it is
        "equation": ".//m:oMath", "shape": ".//*[local-name()='AlternateContent']"}


def footnote_reference() -> BaseOxmlElement:
    """A run of a footnote's reference mark, as Word writes one where the note is cited (the notes part left out:
    the service edits the paragraph, not the note)."""
    return parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                     '<w:footnoteReference w:id="1"/></w:r>')


def wrapped(word: str, held: str) -> BaseOxmlElement:
    """The word in a run inside a tracked insertion or an inline content control."""
    run = f"<w:r><w:t>{html.escape(word)}</w:t></w:r>"
    if held == "insertion":
        return parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">{run}</w:ins>')
    return parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="Word"/></w:sdtPr><w:sdtContent>{run}'
                     '</w:sdtContent></w:sdt>')


def document(pairs: list[tuple[str, str]], kept: str, held: str, alt: bool = False) -> bytes:
    """A .docx of one paragraph per pair of verses (alt: the picture's alt text the second)."""
    written, picture = docx.Document(), png()
    for first, second in pairs:
        words, paragraph = first.split(" "), written.add_paragraph()
        paragraph.add_run(words[0] + " ")
        if held == "bold":
            paragraph.add_run(words[1]).bold = True
        elif held == "link-field":
            paragraph._p.extend(link_field(words[1]))
        else:
            paragraph._p.append(wrapped(words[1], held))
        paragraph.add_run(" " + " ".join(words[2:4]) + " ")
        if kept == "text-box":
            paragraph._p.append(text_box(second))
            paragraph.add_run(" " + " ".join(words[4:]))
            continue
        if kept in ("footnote", "equation", "shape"):
            objects = {"footnote": footnote_reference, "equation": equation, "shape": lambda: text_box(None)}
            paragraph._p.append(objects[kept]())
        else:
            shape = paragraph.add_run().add_picture(io.BytesIO(picture), width=Pt(8))
            if alt:  # on both copies of the picture's properties, as Word writes it
                for described in (shape._inline.docPr, shape._inline.graphic.graphicData.pic.nvPicPr.cNvPr):
                    described.set("descr", second)
        paragraph.add_run(" " + " ".join(words[4:])).add_break(WD_BREAK.LINE)
        paragraph.add_run(second)
    out = io.BytesIO()
    written.save(out)
    return out.getvalue()


def toc(verses: list[str], first: int) -> bytes:
    """A .docx of a table of contents' lines, one per verse, as Word writes them: a hyperlink to heading K (K from
    first on) around the verse, in two runs (its halves, as editing leaves a line), a tab and the PAGEREF field of
    page K + 1."""
    written = docx.Document()
    for k, verse in enumerate(verses, start=first):
        words = verse.split(" ")
        halves = [" ".join(words[:len(words) // 2]) + " ", " ".join(words[len(words) // 2:])]
        runs = [*(f'<w:t xml:space="preserve">{html.escape(half)}</w:t>' for half in halves if half.strip()),
                "<w:tab/>", '<w:fldChar w:fldCharType="begin"/>',
                f'<w:instrText xml:space="preserve"> PAGEREF _Toc{k} \\h </w:instrText>',
                '<w:fldChar w:fldCharType="separate"/>', f"<w:t>{k + 1}</w:t>", '<w:fldChar w:fldCharType="end"/>']
        link = "".join(f"<w:r>{run}</w:r>" for run in runs)
        written.add_paragraph()._p.append(parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="_Toc{k}" w:history="1">'
                                                    f"{link}</w:hyperlink>"))
    out = io.BytesIO()
    written.save(out)
    return out.getvalue()


def toc_main(args: argparse.Namespace) -> None:
    verses, references, _ = verse_pairs(args.test)
    lines, kept, seconds = [], 0, 0.0
    with httpx.Client(timeout=600) as client:
        for at in range(0, len(verses), args.per_file):
            start = time.perf_counter()
            source = toc(verses[at:at + args.per_file], at)
            written = translated_file(client, args.url, "contents.docx", source, args.pair)
            seconds += time.perf_counter() - start
            for k, paragraph in enumerate(docx.Document(io.BytesIO(written)).paragraphs, start=at):
                kept += toc_line_kept(paragraph, k)
                lines.append("".join(t.text or "" for r in paragraph._p.iter(qn("w:r")) if _text(r) != str(k + 1)
                                     for t in r.iter(qn("w:t"))).strip())
    n = len(verses)
    print(f"{args.test}: a table of contents of {n} lines, {args.pair}, {args.url}")
    print(f"lines keeping their link and their page field inside it: {kept}/{n}")
    print(f"BLEU of the lines {sacrebleu.corpus_bleu(lines, [references]).score:.2f}; lines/s {n / seconds:.1f}")


def toc_line_kept(paragraph: Paragraph, k: int) -> bool:
    """Whether line k still has its one link to heading k, the field of page k + 1 and the number inside it."""
    links = paragraph._p.findall(qn("w:hyperlink"))
    field = "".join(t.text or "" for t in paragraph._p.iter(qn("w:instrText")))
    page = [r for r in paragraph._p.iter(qn("w:r")) if _text(r) == str(k + 1)]
    return (len(links) == 1 and links[0].get(qn("w:anchor")) == f"_Toc{k}" and field == f" PAGEREF _Toc{k} \\h "
            and len(page) == 1 and page[0].getparent() is links[0])


def _text(run: BaseOxmlElement) -> str:
    return "".join(t.text or "" for t in run.iter(qn("w:t")))


def text_of(paragraph: Paragraph) -> str:
    """The paragraph's own text, a line break as a newline: what is in its insertions and content controls too
    (python-docx's Paragraph.text leaves those out), not what is in its text boxes."""
    pieces = paragraph._p.iter(qn("w:t"), qn("w:br"))
    return "".join("\n" if p.tag == qn("w:br") else p.text or "" for p in pieces
                   if not p.xpath("ancestor::w:txbxContent"))


def holds(paragraph: Paragraph, held: str) -> bool:
    """Whether what held the second word holds a word in the translation."""
    if held == "bold":
        return any(bool(r.bold and r.text.strip()) for r in paragraph.runs)
    if held == "link-field":
        return linked(paragraph)
    wrappers = paragraph._p.iter(qn("w:ins") if held == "insertion" else qn("w:sdtContent"))
    return any((t.text or "").strip() for w in wrappers for t in w.iter(qn("w:t")))


def linked(paragraph: Paragraph) -> bool:
    """Whether a HYPERLINK field of the paragraph shows a word (text between its separator and its end)."""
    shown, value = False, False
    for run in paragraph._p.iter(qn("w:r")):
        kind = next((f.get(qn("w:fldCharType")) for f in run.iter(qn("w:fldChar"))), None)
        value = kind == "separate" or value and kind != "end"
        shown |= value and any((t.text or "").strip() for t in run.iter(qn("w:t")))
    return shown


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service(p)
    p.add_argument("--per-file", type=int, default=40, help="paragraphs a file (default: 40)")
    p.add_argument("--kept", choices=KEPT, default="picture",
                   help="what follows the fourth word: a picture (default), a footnote's reference mark, a text box "
                        "that holds the second verse (then not on a line of its own), an equation or a shape")
    p.add_argument("--held", choices=HELD, default="bold",
                   help="what holds the second word: a bold run (default), a HYPERLINK field, a tracked insertion or "
                        "an inline content control")
    p.add_argument("--alt", action="store_true", help="each picture has the next verse as its alt text (see above)")
    p.add_argument("--toc", action="store_true", help="a table of contents' lines instead (see above)")
    args = p.parse_args()
    if args.alt and args.kept != "picture":
        p.error("--alt gives the picture an alt text: not with --kept " + args.kept)
    if args.toc:
        return toc_main(args)
    verses, references, refs = verse_pairs(args.test, min_words=6)
    n = len(verses)
    pairs = [(verses[i], verses[(i + 1) % n]) for i in range(n)]
    lines, alts, whole, pictured, bold, copied, seconds = [], [], 0, 0, 0, 0, 0.0
    with httpx.Client(timeout=600) as client:
        for at in range(0, n, args.per_file):
            start = time.perf_counter()
            written = document(pairs[at:at + args.per_file], args.kept, args.held, args.alt)
            result = docx.Document(io.BytesIO(translated_file(client, args.url, "verses.docx", written, args.pair)))
            seconds += time.perf_counter() - start
            for paragraph in result.paragraphs:
                boxed = [" ".join(t.text or "" for t in box.iter(qn("w:t"))) for box in paragraph._p.iter(qn("w:txbxContent"))]
                own = text_of(paragraph)
                parted = [own, boxed[0]] if args.kept == "text-box" and boxed else own.split("\n")
                whole += len(parted) == 2
                lines += parted if len(parted) == 2 else [own.replace("\n", " "), ""]
                pictured += len(paragraph._p.xpath(KEPT[args.kept])) == 1 and len(boxed) == 2 * (args.kept == "text-box")
                bold += holds(paragraph, args.held)
                picture, copy = (paragraph._p.find(".//" + qn(name)) for name in ("wp:docPr", "pic:cNvPr"))
                alts.append("" if picture is None else picture.get("descr", ""))
                copied += picture is not None and copy is not None and copy.get("descr") == alts[-1]
        plain = plain_translations(client, args.url, verses, args.pair)
    print(f"{args.test}: {n} paragraphs of two verses, {args.pair}, {args.url}")
    kept = {"picture": "the picture", "footnote": "the footnote's mark", "text-box": "the text box in both copies",
            "equation": "the equation", "shape": "the shape"}
    print(f"two lines: {whole}/{n}; {kept[args.kept]}: {pictured}/{n}; {HELD[args.held]} holding a word: {bold}/{n}")
    print(f"BLEU of the lines {sacrebleu.corpus_bleu(lines, [refs]).score:.2f}; of the verses as plain text "
          f"{sacrebleu.corpus_bleu(plain, [references]).score:.2f}")
    if args.alt:
        translated = sum(alt != second for alt, (_, second) in zip(alts, pairs, strict=True))
        print(f"alt texts translated: {translated}/{n}, the same in the picture's copy: {copied}/{n}; their BLEU "
              f"{sacrebleu.corpus_bleu(alts, [refs[1::2]]).score:.2f}")
    print(f"paragraphs/s {n / seconds:.1f} (files of {args.per_file})")


if __name__ == "__main__":
    main()
