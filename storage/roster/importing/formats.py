"""Files Excel opens that the file reader (storage.roster.importing.read) does not know (issue 23): the ".xls" web
applications export (an HTML page holding a table, which Excel opens as a workbook, or an "XML Spreadsheet
2003"), and an .xlsx saved as "Strict Open XML Spreadsheet".

An HTML ".xls" is read as one sheet per table, cells as text (the page's own text: a NIK stays its 16 digits),
``rowspan``/``colspan`` spread like merged cells. Anything else named .xls goes to the binary reader."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.parsers import expat

from storage.core.errors import PilarError
from storage.core.fsutil import os_error
from storage.roster.importing.read import (
    MAX_FILE_MB,
    MAX_ROWS,
    Book,
    Sheet,
    check_zip,
    decode,
    fill_merges,
    read_book,
    read_xlsx_sheets,
)


def looks_like_html(path: Path) -> bool:
    """True for a file named .xls that is a web page (starts with '<' once BOM and blanks are skipped)."""
    with Path(path).open("rb") as f:
        head = f.read(2048)
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom):].decode("utf-16" if bom != codecs.BOM_UTF8 else "utf-8", "ignore").encode()
            break
    text = head.lstrip().lower()
    return text.startswith(b"<") and any(m in text for m in (b"<html", b"<table", b"<!doctype", b"<meta", b"<head"))


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self.stack: list[list[list[tuple[str, int, int]]]] = []
        self.cell: list[str] | None = None
        self.span = (1, 1)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.stack.append([])
        elif tag == "tr" and self.stack:
            self.stack[-1].append([])
        elif tag in ("td", "th") and self.stack:
            if not self.stack[-1]:
                self.stack[-1].append([])
            self.cell = []

            def num(key: str) -> int:
                try:
                    return max(1, min(int(a.get(key) or 1), 1000))
                except ValueError:
                    return 1
            self.span = (num("rowspan"), num("colspan"))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.stack:
            text = " ".join("".join(self.cell).split())
            self.stack[-1][-1].append((text, *self.span))
            self.cell = None
        elif tag == "table" and self.stack:
            self.tables.append(self.stack.pop())

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def read_html_book(path: Path):
    """A Book of the page's tables (the largest first is not assumed: every table is a sheet)."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_MB * 1024 * 1024:
        raise PilarError("roster.import.too_big", path=str(path), size=path.stat().st_size // (1024 * 1024),
                         limit=MAX_FILE_MB)
    raw = path.read_bytes()
    m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
    text = None
    if m and not raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            text = None
    parser = _Tables()
    parser.feed(text if text is not None else decode(raw))
    parser.close()
    sheets = []
    total = 0
    for n, table in enumerate(parser.tables, 1):
        sheet = Sheet(f"Tabel {n}" if len(parser.tables) > 1 else path.stem)
        taken: dict[tuple[int, int], str] = {}  # cells covered by a rowspan/colspan above or to the left
        for r, cells in enumerate(table):
            row: list[object] = []
            c = 0
            for value, down, across in cells:
                while (r, c) in taken:
                    row.append(taken.pop((r, c)))
                    c += 1
                for dr in range(down):
                    for dc in range(across):
                        if dr or dc:
                            taken[(r + dr, c + dc)] = value
                row.append(value or None)
                c += 1
            while (r, c) in taken:
                row.append(taken.pop((r, c)))
                c += 1
            sheet.rows.append((r + 1, row))
        total += len(sheet.rows)
        if total > MAX_ROWS + 20:
            raise PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)
        sheets.append(sheet)
    if not sheets:
        raise PilarError("roster.import.damaged", path=str(path), detail="HTML tanpa tabel")
    return Book(path, "html", sheets)


_STRICT = ((b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
           (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"))


def _is_strict(path: Path) -> bool:

    try:
        with zipfile.ZipFile(path) as z:
            with z.open("xl/workbook.xml") as f:
                head = f.read(4096)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError):
        return False
    return _STRICT[0][0] in head


def read_strict(path: Path):
    """An .xlsx saved as "Strict Open XML Spreadsheet": the same parts as an Excel Workbook under other
    namespace names; translated in memory (never written to disk) and read by the .xlsx reader."""
    size = path.stat().st_size  # the reader's own checks first (size, what unpacks): its refusal if any
    if size > MAX_FILE_MB * 1024 * 1024:
        raise PilarError("roster.import.too_big", path=str(path), size=size // (1024 * 1024), limit=MAX_FILE_MB)
    check_zip(path, lambda names: "xl/workbook.xml" in names)
    buf = io.BytesIO()
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename.endswith((".xml", ".rels")):
                    for old, new in _STRICT:
                        data = data.replace(old, new)
                dst.writestr(item.filename, data)
        buf.seek(0)
        return Book(path, "xlsx", read_xlsx_sheets(buf))
    except PilarError:
        raise
    except Exception:  # noqa: BLE001 - a Strict part this reader does not know: the clerk can re-save
        raise PilarError("roster.import.strict_resave", path=str(path)) from None


_SS = "urn:schemas-microsoft-com:office:spreadsheet"
_X = "urn:schemas-microsoft-com:office:excel"


def _no_doctype(*_args) -> None:
    """An office's spreadsheet has no DTD; one is refused before any entity of it could be expanded."""
    raise ValueError("DOCTYPE")


def looks_like_xml_spreadsheet(path: Path) -> bool:
    """An "XML Spreadsheet 2003" (what Excel 2003 saved as .xml, and what some applications export as .xls)."""
    with Path(path).open("rb") as f:
        head = f.read(4096)
    return head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").startswith(b"<?xml") and _SS.encode() in head


def read_xml_spreadsheet(path: Path):
    """The sheets of an XML Spreadsheet 2003: values by type (numbers, dates, text), hidden rows, columns
    and sheets, merged cells (ss:MergeDown / ss:MergeAcross) spread like the .xlsx ones."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_MB * 1024 * 1024:
        raise PilarError("roster.import.too_big", path=str(path), size=path.stat().st_size // (1024 * 1024),
                         limit=MAX_FILE_MB)
    sheets: list = []
    st: dict = {"sheet": None, "line": 0, "col": 0, "row": None, "hidden": False, "cell": None, "type": "",
                "text": None, "colpos": 0, "visible": None, "total": 0}
    ss, x = _SS + " ", _X + " "

    def start(tag, attrs):
        if tag == ss + "Worksheet":
            st["sheet"] = Sheet(attrs.get(ss + "Name", f"Sheet{len(sheets) + 1}"))
            st["line"], st["colpos"] = 0, 0
        elif tag == ss + "Column" and st["sheet"] is not None:
            index = int(attrs.get(ss + "Index", st["colpos"] + 1)) - 1
            span = int(attrs.get(ss + "Span", "0") or 0)
            if attrs.get(ss + "Hidden") == "1":
                st["sheet"].hidden_cols.update(range(index, index + span + 1))
            st["colpos"] = index + span + 1
        elif tag == ss + "Row" and st["sheet"] is not None:
            st["line"] = int(attrs.get(ss + "Index", st["line"] + 1))
            st["row"], st["col"] = [], 0
            st["hidden"] = attrs.get(ss + "Hidden") == "1"
        elif tag == ss + "Cell" and st["row"] is not None:
            st["col"] = int(attrs.get(ss + "Index", st["col"] + 1)) - 1
            down, across = int(attrs.get(ss + "MergeDown", "0") or 0), int(attrs.get(ss + "MergeAcross", "0") or 0)
            if down or across:
                st["sheet"].merges.append((st["line"], st["col"], st["line"] + down, st["col"] + across))
            st["cell"], st["span"] = None, across
        elif tag == ss + "Data" and st["row"] is not None:
            st["type"], st["text"] = attrs.get(ss + "Type", "String"), []
        elif tag == x + "Visible" and st["sheet"] is not None:
            st["visible"] = []

    def text(data):
        if st["text"] is not None:
            st["text"].append(data)
        elif st["visible"] is not None:
            st["visible"].append(data)

    def end(tag):
        if tag == ss + "Data" and st["text"] is not None:
            raw, kind = "".join(st["text"]), st["type"]
            value: object = raw
            if kind == "Number":
                try:
                    number = float(raw)
                    value = int(number) if number.is_integer() and abs(number) < 2 ** 53 else number
                except ValueError:
                    value = raw
            elif kind == "DateTime":
                try:
                    value = dt.datetime.fromisoformat(raw[:19])
                except ValueError:
                    value = raw
            elif kind == "Boolean":
                value = raw == "1"
            st["cell"], st["text"] = value, None
        elif tag == ss + "Cell" and st["row"] is not None:
            row = st["row"]
            while len(row) < st["col"]:
                row.append(None)
            row.append(st["cell"])
            st["col"] += 1 + st["span"]
        elif tag == ss + "Row" and st["row"] is not None:
            if st["hidden"]:
                st["sheet"].hidden_rows += 1
            else:
                st["sheet"].rows.append((st["line"], st["row"]))
                st["total"] += 1
                if st["total"] > MAX_ROWS + 20:
                    raise PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)
            st["row"] = None
        elif tag == x + "Visible" and st["visible"] is not None:
            shown = "".join(st["visible"]).strip()
            st["sheet"].state = "veryHidden" if shown == "SheetVeryHidden" else "hidden" if shown else "visible"
            st["visible"] = None
        elif tag == ss + "Worksheet" and st["sheet"] is not None:
            sheets.append(st["sheet"])
            st["sheet"] = None

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = _no_doctype  # no entity of a DTD is ever expanded
    parser.buffer_text = True
    try:
        with path.open("rb") as f:
            parser.ParseFile(f)
    except (expat.ExpatError, ValueError) as exc:
        raise PilarError("roster.import.damaged", path=str(path), detail=type(exc).__name__) from None
    for sheet in sheets:
        fill_merges(sheet)
    return Book(path, "xml", sheets)


def read_any(path: Path):
    """The file as the importer reads it: an HTML ".xls" or a Strict .xlsx here, everything else by
    storage.roster.importing.read."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xls", ".xml") and path.is_file() and looks_like_xml_spreadsheet(path):
            return read_xml_spreadsheet(path)
        if suffix in (".xls", ".htm", ".html") and path.is_file() and looks_like_html(path):
            return read_html_book(path)
        if suffix in (".xlsx", ".xlsm") and path.is_file() and _is_strict(path):
            return read_strict(path)

    except OSError as exc:

        raise os_error(exc, path) from exc
    return read_book(path)
