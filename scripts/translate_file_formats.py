"""Translates one small file of every format a running service translates, through its LibreTranslate file API:
POST /translate_file (multipart: file, source, target), then GET the answer's translatedFileUrl.

    python3 scripts/translate_file_formats.py http://127.0.0.1:18000 [--source en] [--target es] [--text SENTENCE]
    python3 scripts/translate_file_formats.py --write DIR [--text SENTENCE]    # only writes the samples

The extensions are the service's own (GET /frontend/settings: supportedFilesFormat, app/documents.py FORMATS), so an
image is checked for what it says it translates, and a format without a sample here is a failure, not a gap. Each
sample holds SENTENCE where its format keeps text to translate (a paragraph, a subtitle, a message, a cell; a zipped
format's parts written by hand as its applications write them, a PDF with one line in Helvetica). A format passes
when the upload is answered 200, the download 200, and the file is not empty and differs from the sample (a zipped
file: in the content of its entries, not only in its zip headers). Prints one line per format (extension, statuses,
bytes sent and received, seconds) and a total; exits 1 if any failed.

Standard library only: scripts/container-smoke.sh runs it with the host's python3 against the container.
"""
from __future__ import annotations

import argparse
import html
import io
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

TEXT = "In the beginning God created the heavens and the earth."

# ---- text formats ----------------------------------------------------------------------------------------------------


def x(text: str) -> str:
    """Text in XML."""
    return html.escape(text, quote=False)


def subrip(s: str) -> str:
    return f"1\n00:00:01,000 --> 00:00:04,000\n{s}\n\n2\n00:00:05,000 --> 00:00:08,000\n<i>{s}</i>\n"


def web_vtt(s: str) -> str:
    return f"WEBVTT\n\nNOTE a note kept\n\n00:00:01.000 --> 00:00:04.000 line:90%\n<v Narrator>{s}\n"


def substation(s: str, version: str) -> str:
    styles = "V4+ Styles" if version == "v4.00+" else "V4 Styles"
    return (f"[Script Info]\nTitle: sample\nScriptType: {version}\n\n[{styles}]\n"
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
            "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
            "MarginR, MarginV, Encoding\n"
            "Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1"
            "\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
            f"Dialogue: 0,0:00:01.00,0:00:04.00,Default,,0,0,0,,{{\\i1}}{s}{{\\i0}}\n")


def html_page(s: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{x(s)}</title></head>\n'
            f"<body>\n<h1>{x(s)}</h1>\n<p>{x(s)} <b>{x(s)}</b></p>\n</body>\n</html>\n")


def gettext(s: str) -> str:
    quoted = json.dumps(s, ensure_ascii=False)
    return (f'msgid ""\nmsgstr ""\n"Language: \\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n#: main.c:10\nmsgid {quoted}\nmsgstr ""\n')


def xliff_12(s: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
            '  <file original="app.properties" source-language="en" datatype="plaintext">\n    <body>\n'
            f'      <trans-unit id="1">\n        <source>{x(s)}</source>\n      </trans-unit>\n'
            '    </body>\n  </file>\n</xliff>\n')


def xliff_20(s: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en">\n  <file id="f">\n'
            f'    <unit id="u1">\n      <segment><source>{x(s)}</source></segment>\n    </unit>\n'
            '  </file>\n</xliff>\n')


def qt_linguist(s: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1">\n<context>\n'
            f'    <name>MainWindow</name>\n    <message>\n        <source>{x(s)}</source>\n'
            '        <translation type="unfinished"></translation>\n    </message>\n</context>\n</TS>\n')


def android(s: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<resources>\n'
            f'    <string name="greeting">{x(s)}</string>\n    <plurals name="songs">\n'
            f'        <item quantity="one">{x(s)}</item>\n        <item quantity="other">{x(s)}</item>\n'
            '    </plurals>\n</resources>\n')


def ttml(s: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="en">\n'
            f'  <body>\n    <div>\n      <p begin="00:00:01.000" end="00:00:04.000">{x(s)}</p>\n    </div>\n'
            '  </body>\n</tt>\n')


def resx(s: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<root>\n  <resheader name="resmimetype">\n'
            '    <value>text/microsoft-resx</value>\n  </resheader>\n'
            f'  <data name="Greeting" xml:space="preserve">\n    <value>{x(s)}</value>\n  </data>\n</root>\n')


def properties(s: str) -> str:  # ISO-8859-1 with \uXXXX for anything else, as Java writes it
    escaped = "".join(c if ord(c) < 128 else f"\\u{ord(c):04x}" for c in s)
    return f"# the start page\nwelcome = {escaped}\n"


def string_catalog(s: str, source: str) -> str:
    return json.dumps({"sourceLanguage": source, "strings": {s: {}}, "version": "1.0"}, indent=2, separators=(",", " : "))


def stringsdict(s: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
            '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
            "\t<key>%d files selected</key>\n\t<dict>\n\t\t<key>NSStringLocalizedFormatKey</key>\n"
            "\t\t<string>%#@files@</string>\n\t\t<key>files</key>\n\t\t<dict>\n"
            "\t\t\t<key>NSStringFormatSpecTypeKey</key>\n\t\t\t<string>NSStringPluralRuleType</string>\n"
            "\t\t\t<key>NSStringFormatValueTypeKey</key>\n\t\t\t<string>d</string>\n"
            f"\t\t\t<key>one</key>\n\t\t\t<string>{x(s)}</string>\n"
            f"\t\t\t<key>other</key>\n\t\t\t<string>{x(s)}</string>\n\t\t</dict>\n\t</dict>\n</dict>\n</plist>\n")


def php(s: str) -> str:
    quoted = "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return f"<?php\n\n// the app's messages\nreturn [\n    'welcome' => {quoted},\n    'count' => 42,\n];\n"


# ---- zipped formats --------------------------------------------------------------------------------------------------


def zipped(*entries: tuple[str, str | bytes]) -> bytes:
    """A zip of the entries, in order; a first entry named mimetype stored uncompressed (as EPUB and OpenDocument
    require)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data,
                             zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return out.getvalue()


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OPENXML, VENDOR = "application/vnd.openxmlformats-officedocument.", "application/vnd.ms-"
# each Office extension: its family and its main part's content type (what [Content_Types].xml says)
OFFICE = {
    ".docx": ("word", OPENXML + "wordprocessingml.document.main+xml"),
    ".docm": ("word", VENDOR + "word.document.macroEnabled.main+xml"),
    ".dotx": ("word", OPENXML + "wordprocessingml.template.main+xml"),
    ".dotm": ("word", VENDOR + "word.template.macroEnabledTemplate.main+xml"),
    ".pptx": ("ppt", OPENXML + "presentationml.presentation.main+xml"),
    ".pptm": ("ppt", VENDOR + "powerpoint.presentation.macroEnabled.main+xml"),
    ".ppsx": ("ppt", OPENXML + "presentationml.slideshow.main+xml"),
    ".ppsm": ("ppt", VENDOR + "powerpoint.slideshow.macroEnabled.main+xml"),
    ".potx": ("ppt", OPENXML + "presentationml.template.main+xml"),
    ".potm": ("ppt", VENDOR + "powerpoint.template.macroEnabled.main+xml"),
    ".xlsx": ("xl", OPENXML + "spreadsheetml.sheet.main+xml"),
    ".xlsm": ("xl", VENDOR + "excel.sheet.macroEnabled.main+xml"),
    ".xltx": ("xl", OPENXML + "spreadsheetml.template.main+xml"),
    ".xltm": ("xl", VENDOR + "excel.template.macroEnabled.main+xml"),
}


def office(extension: str, s: str) -> bytes:
    family, main_type = OFFICE[extension]
    main, parts = {"word": ("word/document.xml", word), "ppt": ("ppt/presentation.xml", powerpoint),
                   "xl": ("xl/workbook.xml", excel)}[family]
    rest = parts(s)
    types = (f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             f'<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{main}" ContentType="{main_type}"/>'
             + "".join(f'<Override PartName="/{name}" ContentType="{OPENXML}{kind}"/>' for name, kind, _ in rest)
             + "</Types>")
    package_rels = (f'{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" '
                    f'Target="{main}"/></Relationships>')
    return zipped(("[Content_Types].xml", types), ("_rels/.rels", package_rels),
                  *((name, content) for name, _, content in rest))


def word(s: str) -> list[tuple[str, str, str]]:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = (f'{XML}<w:document {w}><w:body>'
                f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:rPr><w:lang w:val="en-US"/></w:rPr>'
                f'<w:t>{x(s)}</w:t></w:r></w:p>'
                f'<w:p><w:r><w:t xml:space="preserve">{x(s)} </w:t></w:r><w:r><w:rPr><w:b/></w:rPr>'
                f'<w:t>{x(s)}</w:t></w:r></w:p><w:sectPr/></w:body></w:document>')
    return [("word/document.xml", "", document)]


def powerpoint(s: str) -> list[tuple[str, str, str]]:
    ns = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          f'xmlns:r="{REL}" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')
    presentation = (f'{XML}<p:presentation {ns}><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
                    '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>')
    rels = (f'{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId2" Type="{REL}/slide" '
            'Target="slides/slide1.xml"/></Relationships>')
    slide = (f'{XML}<p:sld {ns}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
             '</p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id="2" name="Title 1"/><p:cNvSpPr/><p:nvPr/>'
             f'</p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="en-US"/><a:t>{x(s)}</a:t></a:r>'
             '</a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>')
    return [("ppt/presentation.xml", "", presentation), ("ppt/_rels/presentation.xml.rels", "", rels),
            ("ppt/slides/slide1.xml", "presentationml.slide+xml", slide)]


def excel(s: str) -> list[tuple[str, str, str]]:
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    workbook = (f'{XML}<workbook {main} xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
                "</sheets></workbook>")
    rels = (f'{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>')
    sheet = (f'{XML}<worksheet {main}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c></row>'
             f'<row r="2"><c r="A2" t="inlineStr"><is><t>{x(s)}</t></is></c></row></sheetData></worksheet>')
    strings = f'{XML}<sst {main} count="1" uniqueCount="1"><si><t>{x(s)}</t></si></sst>'
    return [("xl/workbook.xml", "", workbook), ("xl/_rels/workbook.xml.rels", "", rels),
            ("xl/worksheets/sheet1.xml", "spreadsheetml.worksheet+xml", sheet),
            ("xl/sharedStrings.xml", "spreadsheetml.sharedStrings+xml", strings)]


OPENDOCUMENT = "application/vnd.oasis.opendocument."
ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')
ODF = {".odt": "text", ".ott": "text-template", ".odp": "presentation", ".otp": "presentation-template",
       ".ods": "spreadsheet", ".ots": "spreadsheet-template"}


def opendocument(extension: str, s: str) -> bytes:
    kind = ODF[extension]
    media_type = OPENDOCUMENT + kind
    body = {
        "text": f'<office:text><text:h text:outline-level="1">{x(s)}</text:h><text:p>{x(s)}</text:p></office:text>',
        "presentation": ('<office:presentation><draw:page draw:name="page1"><draw:frame svg:width="20cm" '
                         f'svg:height="3cm"><draw:text-box><text:p>{x(s)}</text:p></draw:text-box></draw:frame>'
                         "</draw:page></office:presentation>"),
        "spreadsheet": ('<office:spreadsheet><table:table table:name="Sheet1"><table:table-row>'
                        f'<table:table-cell office:value-type="string"><text:p>{x(s)}</text:p></table:table-cell>'
                        '<table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p>'
                        "</table:table-cell></table:table-row></table:table></office:spreadsheet>"),
    }[kind.removesuffix("-template")]
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODF_NS} office:version="1.3">'
               f"<office:body>{body}</office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    return zipped(("mimetype", media_type), ("content.xml", content), ("META-INF/manifest.xml", manifest))


def epub(s: str, source: str) -> bytes:
    container = ('<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" '
                 'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
                 'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
    opf = ('<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
           f'<dc:identifier id="id">sample-book</dc:identifier><dc:title>{x(s)}</dc:title>'
           f'<dc:language>{source}</dc:language><meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>'
           '</metadata><manifest><item id="one" href="one.xhtml" media-type="application/xhtml+xml"/>'
           '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/></manifest>'
           '<spine><itemref idref="one"/></spine></package>')

    def page(body: str) -> str:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
                f'xmlns:epub="http://www.idpf.org/2007/ops" lang="{source}" xml:lang="{source}"><head>'
                f"<title>{x(s)}</title></head><body>{body}</body></html>")

    one = page(f"<h1>{x(s)}</h1><p>{x(s)} <b>{x(s)}</b></p>")
    nav = page(f'<nav epub:type="toc"><ol><li><a href="one.xhtml">{x(s)}</a></li></ol></nav>')
    return zipped(("mimetype", "application/epub+zip"), ("META-INF/container.xml", container),
                  ("OEBPS/content.opf", opf), ("OEBPS/one.xhtml", one), ("OEBPS/nav.xhtml", nav))


def pdf(s: str) -> bytes:
    """One page, the sentence on one line in Helvetica (one of PDF's standard fonts: nothing embedded)."""
    text = s.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET\n"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---- every format ----------------------------------------------------------------------------------------------------


def samples(s: str = TEXT, source: str = "en") -> dict[str, tuple[str, bytes]]:
    """A sample file of each extension: its name and content, each holding the sentence s (in language source)."""
    text: dict[str, Callable[[], str]] = {
        ".txt": lambda: f"{s}\n\n{s}\n",
        ".srt": lambda: subrip(s),
        ".vtt": lambda: web_vtt(s),
        ".ass": lambda: substation(s, "v4.00+"),
        ".ssa": lambda: substation(s, "v4.00"),
        ".html": lambda: html_page(s),
        ".htm": lambda: html_page(s),
        ".md": lambda: f"# {s}\n\n{s} *{s}*\n\n- {s}\n",
        ".markdown": lambda: f"{s}\n=====\n\n{s}\n",
        ".json": lambda: json.dumps({"title": s, "count": 42}, ensure_ascii=False, indent=2) + "\n",
        ".arb": lambda: json.dumps({"@@locale": source, "title": s, "@title": {"description": "the title"}},
                                   ensure_ascii=False, indent=2) + "\n",
        ".po": lambda: gettext(s),
        ".pot": lambda: gettext(s),
        ".xlf": lambda: xliff_12(s),
        ".xliff": lambda: xliff_20(s),
        ".ts": lambda: qt_linguist(s),
        ".xml": lambda: android(s),
        ".ttml": lambda: ttml(s),
        ".dfxp": lambda: ttml(s),
        ".resx": lambda: resx(s),
        ".yml": lambda: f"# the app's messages\n{source}:\n  hello: {json.dumps(s, ensure_ascii=False)}\n  count: 42\n",
        ".yaml": lambda: f"{source}:\n  hello: {json.dumps(s, ensure_ascii=False)}\n",
        ".properties": lambda: properties(s),
        ".strings": lambda: f'/* the title */\n"window.title" = {json.dumps(s, ensure_ascii=False)};\n',
        ".xcstrings": lambda: string_catalog(s, source),
        ".stringsdict": lambda: stringsdict(s),
        ".ftl": lambda: f"# a greeting\nhello = {s}\n    .title = {s}\n",
        ".php": lambda: php(s),
    }
    files = {extension: ("sample" + extension, make().encode(
        "latin-1" if extension == ".properties" else "utf-8")) for extension, make in text.items()}
    files |= {extension: ("sample" + extension, office(extension, s)) for extension in OFFICE}
    files |= {extension: ("sample" + extension, opendocument(extension, s)) for extension in ODF}
    files[".epub"] = ("sample.epub", epub(s, source))
    files[".pdf"] = ("sample.pdf", pdf(s))
    return files


# ---- the service -----------------------------------------------------------------------------------------------------


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 120) -> tuple[int, bytes]:
    """The status and body of a GET (or a POST of data); an HTTP error's too, a connection's failure as status 0."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers or {}), timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        return 0, str(error).encode()


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                    for key, value in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def entries(content: bytes) -> dict[str, bytes] | None:
    """A zip's entries by name; None if it is not a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except zipfile.BadZipFile:
        return None


def check(base: str, extension: str, name: str, content: bytes, source: str, target: str) -> tuple[bool, str]:
    """Uploads the file and downloads its translation: whether it passed, and its line."""
    start = time.monotonic()
    body, content_type = multipart({"source": source, "target": target}, name, content)
    status, answer = request(f"{base}/translate_file", body, {"Content-Type": content_type})
    line = f"{extension:<12} POST {status}"
    if status != 200:
        return False, f"{line}  sent {len(content)} B  FAILED: {answer[:300].decode('utf-8', 'replace')}"
    try:
        url = json.loads(answer)["translatedFileUrl"]
    except (ValueError, KeyError, TypeError):
        return False, f"{line}  FAILED: no translatedFileUrl in {answer[:300]!r}"
    status, translated = request(url)
    seconds = time.monotonic() - start
    line = f"{line}  GET {status}  {len(content):>6} B -> {len(translated):>6} B  {seconds:5.1f} s"
    if status != 200:
        return False, f"{line}  FAILED: {translated[:300].decode('utf-8', 'replace')}"
    if not translated:
        return False, f"{line}  FAILED: the file is empty"
    before, after = entries(content), entries(translated)
    if translated == content or (before is not None and before == after):
        return False, f"{line}  FAILED: the file is the sample, untranslated"
    return True, line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("base_url", nargs="?", help="the service, e.g. http://127.0.0.1:18000")
    parser.add_argument("--source", default="en")
    parser.add_argument("--target", default="es")
    parser.add_argument("--text", default=TEXT, help="the sentence each sample holds")
    parser.add_argument("--write", type=Path, metavar="DIR", help="write the samples into DIR, and translate none")
    args = parser.parse_args(argv)
    made = samples(args.text, args.source)
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, content in made.values():
            (args.write / name).write_bytes(content)
        print(f"wrote {len(made)} samples into {args.write}")
        return 0
    if not args.base_url:
        parser.error("give the service's base URL (or --write DIR)")
    base = args.base_url.rstrip("/")
    status, answer = request(f"{base}/frontend/settings")
    if status != 200:
        print(f"GET {base}/frontend/settings: {status} {answer[:300]!r}", file=sys.stderr)
        return 1
    extensions = json.loads(answer)["supportedFilesFormat"]
    print(f"{base}: {len(extensions)} extensions ({args.source} -> {args.target})")
    failed = []
    for extension in extensions:
        if extension not in made:
            ok, line = False, f"{extension:<12} FAILED: no sample of this format in {Path(__file__).name}"
        else:
            ok, line = check(base, extension, *made[extension], args.source, args.target)
        print(line, flush=True)
        if not ok:
            failed.append(extension)
    passed = len(extensions) - len(failed)
    print(f"formats translated: {passed}/{len(extensions)}" + (f"; failed: {' '.join(failed)}" if failed else ""))
    return 1 if failed or not extensions else 0


if __name__ == "__main__":
    sys.exit(main())
