"""Pathological input through the pipeline's scanners: seconds per size for each adversarial pattern, repeated to
SIZES characters, so that growth faster than linear shows (the time of each size about double the one before it).

    python benchmarks/hostile_input.py [--sizes 5000 10000 20000] [--only spans html]

Scanners: the span rules (model/spans.py, find_spans, with names as a served model finds them), the sentence
splitter (model/segment.py), the HTML reader (model/html.py) and ICU messages (app/icu.py). Prints one line per
scanner and pattern whose largest size took 0.05 s or more.

    python benchmarks/hostile_input.py --zips [--picture-mb 200]

Zipped documents (.docx, .odt, .epub) of a few hundred kB holding a picture of --picture-mb MB of zeros: the peak
RSS and seconds of `nmt translate-file` (a subprocess) and of POST /translate_file (a server's peak, VmHWM).

    python benchmarks/hostile_input.py --nested

Message files nested 100,000 deep (or as deep as their size allows) in each format that nests: seconds to read
(app/documents.py read_document) and what it answers.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from nmt.app import icu
from nmt.app.documents import FileRejected, read_document
from nmt.model import html, segment, spans
from nmt.scripts.harness import Server
from nmt.scripts.translate_file_formats import epub, multipart, office, opendocument, request

SCANNERS: dict[str, Callable[[str], object]] = {
    "spans": lambda s: spans.find_spans(s, known=frozenset()),
    "segment": lambda s: segment.split(s, "en"),
    "html": html.parse,
    "icu": icu.cut,
}
PATTERNS = ("1-", "1.", "1,", "1/", "1 < ", "+1 ", "(1) ", "A1-", "a1", "a-", "1 A ", "A. ", "A b ", "(", "<",
            "<a ", "<a<", "</a ", "<!a", "<?a", "%", "{",
            "{a,plural,", "'{", "#", ":a", "$a", "a@", "www.a", "http://x/./", "/a", "a\\")


PLIST = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>k</key>'
NESTED = {  # 100,000 characters of nesting (a YAML block's: a line each, indented one more)
    "deep.yml": "[" * 100_000,
    "block.yml": "".join(" " * i + "k:\n" for i in range(450)),
    "deep.json": '{"a":' * 20_000,
    "icu.json": '{"a": "' + "{n, select, other {" * 5_000 + '"}',
    "deep.ftl": "key = " + "{ " * 50_000 + "\n",
    "deep.stringsdict": PLIST + "<dict><key>k</key>" * 5_000 + "<string>x</string>" + "</dict>" * 5_001 + "</plist>",
    "deep.php": "<?php return " + "['a' => " * 12_500 + "'x'" + "]" * 12_500 + ";",
}


def nested() -> None:
    for name, text in NESTED.items():
        start = time.perf_counter()
        try:
            answer = f"read: {len(read_document(name, text.encode()).texts)} texts"
        except FileRejected as e:
            answer = str(e)[:100]
        print(f"{name:18} {time.perf_counter() - start:6.2f} s  {answer}", flush=True)


def with_picture(content: bytes, name: str, megabytes: int) -> bytes:
    """The zip with one more entry, a picture of that many MB of zeros, written a MB at a time."""
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as picture:
        for _ in range(megabytes):
            picture.write(bytes(1 << 20))
    return out.getvalue()


def zips(megabytes: int) -> None:
    text = "The picture below shows the garden."
    files = {"letter.docx": with_picture(office(".docx", text), "word/media/image1.png", megabytes),
             "letter.odt": with_picture(opendocument(".odt", text), "Pictures/image1.png", megabytes),
             "book.epub": with_picture(epub(text, "en"), "OEBPS/image1.png", megabytes)}
    print(f"{'file':12} {'kB':>6} {'cli MB':>7} {'cli s':>6} {'POST MB':>8} {'POST s':>7}")
    with tempfile.TemporaryDirectory() as folder, Server(None, threads=None) as server:
        for name, content in files.items():
            path = Path(folder) / name
            path.write_bytes(content)
            start = time.perf_counter()
            cli = subprocess.Popen([sys.executable, "-m", "nmt", "translate-file", str(path), "-o", f"{path}.out"],
                                   stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(cli.pid, 0)
            assert status == 0, status
            cli_s, cli_mb = time.perf_counter() - start, usage.ru_maxrss >> 10
            body, kind = multipart({"source": "en", "target": "es"}, name, content)
            start = time.perf_counter()
            status, answer = request(f"{server.url}/translate_file", body, {"Content-Type": kind})
            assert status == 200, answer
            status, _ = request(json.loads(answer)["translatedFileUrl"])
            post_s = time.perf_counter() - start
            peak = next(line for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines()
                        if line.startswith("VmHWM"))
            print(f"{name:12} {len(content) >> 10:6} {cli_mb:7} {cli_s:6.1f} {int(peak.split()[1]) >> 10:8} "
                  f"{post_s:7.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--only", nargs="+", choices=sorted(SCANNERS), default=sorted(SCANNERS))
    parser.add_argument("--zips", action="store_true", help="zipped documents with a big picture instead")
    parser.add_argument("--picture-mb", type=int, default=200)
    parser.add_argument("--nested", action="store_true", help="message files nested deep instead")
    args = parser.parse_args()
    if args.nested:
        return nested()
    if args.zips:
        return zips(args.picture_mb)
    print(f"{'scanner':8} {'pattern':14} " + " ".join(f"{n:>8}" for n in args.sizes))
    for name in args.only:
        for unit in PATTERNS:
            seconds = []
            for size in args.sizes:
                text = unit * (size // len(unit))
                start = time.perf_counter()
                try:
                    SCANNERS[name](text)
                except ValueError:  # refused (html.InvalidHtml): as quick as it is
                    pass
                seconds.append(time.perf_counter() - start)
            if seconds[-1] >= 0.05:
                print(f"{name:8} {unit!r:14} " + " ".join(f"{s:8.3f}" for s in seconds), flush=True)


if __name__ == "__main__":
    main()
