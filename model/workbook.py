"""A glossary kept in a spreadsheet, Excel's (.xlsx, as Excel, LibreOffice, Google Sheets and CAT tools export it) or
OpenDocument's (.ods, LibreOffice's own): its first sheet's rows of text, each with its row number, for
model/glossary.py to read as it reads a CSV file's. An .xlsx's cells are the workbook's shared strings, inline strings
or values as stored (a number's digits); an .ods's are their paragraphs as shown; formatting is not read. The parts
are parsed with lxml as model/termbase.py parses a termbase (no entities, DTDs or network), and their sizes, which the
zip declares, are checked before anything is inflated."""
from __future__ import annotations

import io
import re
import zipfile
from posixpath import dirname, join, normpath

from lxml import etree

MAX_PART_BYTES = 16 << 20  # a worksheet, uncompressed: a glossary's is far smaller
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
COLUMN = re.compile(r"[A-Z]+")
ODS = b"application/vnd.oasis.opendocument.spreadsheet"  # an OpenDocument spreadsheet's mimetype part
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAX_ROWS = 1 << 20  # an .ods row repeated (as LibreOffice writes runs of equal rows), as many as a sheet can have
MAX_COLUMNS = 1 << 10  # a glossary's: a sheet's last empty cells are one cell repeated to its width, never counted


class WorkbookError(ValueError):
    """Not a workbook that can be read: why, in a few words (the caller names the file)."""


def first_sheet_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """The first worksheet's rows that hold a cell, each with its number, its cells in their columns."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if encrypted := [e.filename for e in archive.infolist() if e.flag_bits & 0x1]:
                raise WorkbookError(f"{encrypted[0]} is encrypted (save the sheet without a password)")
            if "mimetype" in archive.namelist() and archive.read("mimetype").strip() == ODS:
                return _ods_rows(_part(archive, "content.xml"))
            shared = [_text(si) for si in _part(archive, "xl/sharedStrings.xml", optional=True).iter(f"{MAIN}si")]
            sheet = _part(archive, _first_sheet(archive))
    except (zipfile.BadZipFile, KeyError) as e:
        raise WorkbookError(f"not an Excel or OpenDocument spreadsheet ({e})") from None
    rows: list[tuple[int, list[str]]] = []
    for row in sheet.iter(f"{MAIN}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{MAIN}c"):
            column = COLUMN.match(cell.get("r", ""))
            position = _column(column[0]) if column else len(cells)
            cells[position] = _value(cell, shared)
        if cells:
            rows.append((int(row.get("r") or len(rows) + 1), [cells.get(i, "") for i in range(max(cells) + 1)]))
    return rows


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet, as the workbook's relationships name it."""
    sheet = next(_part(archive, "xl/workbook.xml").iter(f"{MAIN}sheet"), None)
    if sheet is None:
        raise WorkbookError("the workbook has no sheet")
    targets = {r.get("Id"): r.get("Target", "") for r in
               _part(archive, "xl/_rels/workbook.xml.rels").iter(f"{RELATIONSHIPS}Relationship")}
    target = targets.get(sheet.get(RELATIONSHIP_ID), "")
    return target.lstrip("/") if target.startswith("/") else normpath(join(dirname("xl/workbook.xml"), target))


def _part(archive: zipfile.ZipFile, name: str, optional: bool = False) -> etree._Element:
    if optional and name not in archive.namelist():
        return etree.Element("none")
    if archive.getinfo(name).file_size > MAX_PART_BYTES:
        raise WorkbookError(f"{name} is over {MAX_PART_BYTES >> 20} MiB uncompressed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(archive.read(name), parser)
    except etree.XMLSyntaxError as e:
        raise WorkbookError(f"{name}: not well-formed XML ({e})") from None


def _value(cell: etree._Element, shared: list[str]) -> str:
    """A cell's text: a shared string's, an inline string's, else its value as stored."""
    kind, value = cell.get("t"), cell.find(f"{MAIN}v")
    if kind == "inlineStr":
        inline = cell.find(f"{MAIN}is")
        return _text(inline) if inline is not None else ""
    text = value.text or "" if value is not None else ""
    if kind == "s":
        return shared[int(text)] if text.isdigit() and int(text) < len(shared) else ""
    return text


def _text(element: etree._Element) -> str:
    """A string item's text: its runs' <t>, not the phonetic guides (<rPh>) some hold."""
    runs = (child for child in element if child.tag in (f"{MAIN}t", f"{MAIN}r"))
    return "".join(t.text or "" for run in runs for t in ([run] if run.tag == f"{MAIN}t" else run.iterfind(f"{MAIN}t")))


def _column(letters: str) -> int:
    """A column's letters as its position: A 0, Z 25, AA 26."""
    position = 0
    for letter in letters:
        position = position * 26 + ord(letter) - ord("A") + 1
    return position - 1


def _ods_rows(content: etree._Element) -> list[tuple[int, list[str]]]:
    """An OpenDocument spreadsheet's first table's rows that hold text, each with its number; a row or a cell
    repeated (table:number-rows-repeated, -columns-repeated) counts as many times."""
    table = next(content.iter(f"{TABLE}table"), None)
    if table is None:
        raise WorkbookError("the spreadsheet has no sheet")
    rows: list[tuple[int, list[str]]] = []
    number = 0
    for row in table.iter(f"{TABLE}table-row"):
        repeated = _count(row, f"{TABLE}number-rows-repeated")
        cells = _ods_cells(row)
        if any(cells):
            if len(rows) + repeated > MAX_ROWS:
                raise WorkbookError(f"over {MAX_ROWS:,} rows")
            rows.extend((number + i + 1, cells) for i in range(repeated))
        number += repeated
    return rows


def _ods_cells(row: etree._Element) -> list[str]:
    """A row's cells' text (a cell's paragraphs, one per line), in their columns, to its last cell of text."""
    cells: dict[int, str] = {}  # as an .xlsx row's: by position, the empty ones counted, not kept
    position = 0
    for cell in row:
        if cell.tag in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
            text = "\n".join(_shown(p) for p in cell.iterchildren(f"{TEXT}p"))  # not an annotation's paragraphs
            repeated = _count(cell, f"{TABLE}number-columns-repeated")
            if text and position + repeated > MAX_COLUMNS:
                raise WorkbookError(f"a row of over {MAX_COLUMNS:,} columns")
            if text:
                cells.update(dict.fromkeys(range(position, position + repeated), text))
            position += repeated
    return [cells.get(i, "") for i in range(max(cells) + 1)] if cells else []


def _count(element: etree._Element, attribute: str) -> int:
    """How many times an element counts: its repeat attribute's positive number, else once."""
    value = element.get(attribute, "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _shown(paragraph: etree._Element) -> str:
    """A paragraph's text as shown: its spans' text, text:s as its count of spaces, a tab, a line break."""
    parts = [paragraph.text or ""]
    for child in paragraph:
        if child.tag == f"{TEXT}s":
            parts.append(" " * min(_count(child, f"{TEXT}c"), MAX_COLUMNS))
        elif child.tag == f"{TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{TEXT}line-break":
            parts.append("\n")
        elif child.tag != "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation":
            parts.append(_shown(child))
        parts.append(child.tail or "")
    return "".join(parts)

