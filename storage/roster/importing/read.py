"""Read an office's spreadsheet as the clerk sees it: every sheet with its state, visible rows and columns,
merged cells spread over their range, and the values shown (cached formula results, zero-padded numbers).

Reading is bounded: a file that is not what its name says (a renamed binary, a zip that would unpack to
hundreds of megabytes) is refused with a sentence before any parser sees it. ``.xlsx`` is read with expat
straight from the zip (several times quicker than openpyxl, which stays as the fallback); ``.xls`` and
``.ods`` with python-calamine; ``.csv`` with the csv module after guessing encoding and separator.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from storage.core.errors import PilarError
from storage.core.fsutil import os_error

MAX_FILE_MB = 50
MAX_UNPACKED_MB = 200
MAX_ROWS = 200_000
MAX_MERGE_CELLS = 2_000_000  # cells filled from merged ranges in one file (a whole-column merge is cut)

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class PaddedNumber(int):
    """A number cell shown with leading zeros by its format ("0000000000"): the digits the clerk sees."""

    width: int

    def __new__(cls, value: int, width: int) -> PaddedNumber:
        self = super().__new__(cls, value)
        self.width = width
        return self

    def __str__(self) -> str:
        return str(int(self)).zfill(self.width)


@dataclass
class Sheet:
    """One sheet as read: visible rows only, with the 1-based line number each row has in the file."""

    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    hidden_rows: int = 0
    hidden_cols: set[int] = field(default_factory=set)  # 0-based column indexes
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # line1, col1, line2, col2
    knows_hidden: bool = True  # False for .xls/.ods (the reader cannot see hidden rows)


@dataclass
class Book:
    path: Path
    kind: str  # xlsx | csv | xls | ods
    sheets: list[Sheet]


def read_book(path: Path) -> Book:
    """Every sheet of an .xlsx/.xls/.ods/.csv file, or a PilarError saying what is wrong."""
    path = Path(path)
    try:
        return _read_book(path)
    except OSError as exc:  # a stick pulled out, a file locked by Excel: a sentence, not a traceback

        raise os_error(exc, path) from exc


def _read_book(path: Path) -> Book:
    if not path.is_file():
        raise PilarError("roster.import.not_found", path=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1024 * 1024:
        raise PilarError("roster.import.too_big", path=str(path), size=size // (1024 * 1024), limit=MAX_FILE_MB)
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(8)
    if suffix in (".xlsx", ".xlsm"):
        if head.startswith(b"\xd0\xcf\x11\xe0"):  # an old .xls renamed: calamine reads it
            return Book(path, "xls", _read_calamine(path))
        return Book(path, "xlsx", _read_xlsx(path, head))
    if suffix in (".csv", ".txt"):
        return Book(path, "csv", [_read_csv(path)])
    if suffix == ".xls":
        if not head.startswith(b"\xd0\xcf\x11\xe0") and not head.startswith(b"PK\x03\x04"):
            raise PilarError("roster.import.damaged", path=str(path), detail="bukan .xls")
        return Book(path, "xls", _read_calamine(path))
    if suffix == ".ods":
        if not head.startswith(b"PK\x03\x04"):
            raise PilarError("roster.import.damaged", path=str(path), detail="bukan .ods")
        _check_zip(path, lambda names: "content.xml" in names)
        return Book(path, "ods", _read_calamine(path))
    raise PilarError("roster.import.bad_type", path=str(path))


def _check_zip(path: Path, looks_right) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise PilarError("roster.import.damaged", path=str(path), detail=str(exc)) from None
    if not looks_right(names):
        raise PilarError("roster.import.not_xlsx", path=str(path))
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise PilarError("roster.import.unpacked_too_big", path=str(path), size=unpacked // (1024 * 1024),
                         limit=MAX_UNPACKED_MB)


def _read_xlsx(path: Path, head: bytes) -> list[Sheet]:
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        raise PilarError("roster.import.not_xlsx", path=str(path))
    _check_zip(path, lambda names: "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names))
    try:
        return _fast_xlsx(path)
    except PilarError:
        raise
    except Exception:  # noqa: BLE001 - an unusual workbook: let openpyxl have a go
        pass
    return _openpyxl_xlsx(path)


def _too_many(path: Path) -> PilarError:
    return PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)


def _column(ref: str) -> int:
    """'C12' -> 2."""
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + ord(ch.upper()) - 64
        else:
            break
    return n - 1


def _cell_ref(ref: str) -> tuple[int, int]:
    """'C12' -> (12, 2)."""
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits or 0), _column(ref)


def _padding_width(code: str) -> int:
    """A number format of zeros only ('0000000000') pads to that width; 0 for any other format."""
    code = code.strip().strip('"')
    return len(code) if len(code) > 1 and set(code) == {"0"} else 0


def _styles(z: zipfile.ZipFile) -> dict[int, int]:
    """Cell style index -> padding width, for the styles whose number format pads with zeros."""
    import xml.etree.ElementTree as ET

    if "xl/styles.xml" not in z.namelist():
        return {}
    root = ET.fromstring(z.read("xl/styles.xml"))
    formats = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
               for f in root.iter(f"{{{_NS_MAIN}}}numFmt")}
    xfs = root.find(f"{{{_NS_MAIN}}}cellXfs")
    out: dict[int, int] = {}
    for i, xf in enumerate(xfs if xfs is not None else []):
        width = _padding_width(formats.get(int(xf.get("numFmtId", "0")), ""))
        if width:
            out[i] = width
    return out


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    from xml.parsers import expat

    shared: list[str] = []
    if "xl/sharedStrings.xml" not in z.namelist():
        return shared
    parts: list[str] = []
    depth = {"t": False, "rph": 0}

    def s_start(tag, attrs):
        if tag == "si":
            parts.clear()
        elif tag == "t" and not depth["rph"]:
            depth["t"] = True
        elif tag == "rPh":
            depth["rph"] += 1

    def s_end(tag):
        if tag == "si":
            shared.append("".join(parts))
        elif tag == "t":
            depth["t"] = False
        elif tag == "rPh":
            depth["rph"] -= 1

    def s_text(data):
        if depth["t"]:
            parts.append(data)

    p = expat.ParserCreate()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = s_start, s_end, s_text
    p.buffer_text = True
    with z.open("xl/sharedStrings.xml") as f:
        p.ParseFile(f)
    return shared


def _fast_xlsx(path: Path) -> list[Sheet]:
    """Every sheet, read with expat from the zip: values (cached results for formulas), hidden rows and
    columns, merged ranges. Dates come as Excel serial numbers; the date parser reads them."""
    import xml.etree.ElementTree as ET

    sheets: list[Sheet] = []
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        shared = _shared_strings(z)
        padded = _styles(z)
        total = 0
        for node in book.find(f"{{{_NS_MAIN}}}sheets"):
            target = targets.get(node.get(f"{{{_NS_REL}}}id"))
            if not target:
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            sheet = Sheet(node.get("name") or name, node.get("state") or "visible")
            if name in z.namelist():
                _parse_sheet(z, name, sheet, shared, padded)
            total += len(sheet.rows)
            if total > MAX_ROWS + 20:
                raise _too_many(path)
            sheets.append(sheet)
    for sheet in sheets:
        _fill_merges(sheet)
    return sheets


def _parse_sheet(z: zipfile.ZipFile, name: str, sheet: Sheet, shared: list[str], padded: dict[int, int]) -> None:
    from xml.parsers import expat

    rows = sheet.rows
    state: dict = {"row": None, "line": 0, "hidden": False, "col": 0, "type": "n", "style": None,
                   "text": None, "in": False, "next": 1}

    def c_start(tag, attrs):
        if tag == "row":
            state["row"] = []
            number = attrs.get("r")
            state["line"] = int(number) if number else state["next"]
            state["hidden"] = attrs.get("hidden") in ("1", "true")
        elif tag == "c":
            ref = attrs.get("r")
            state["col"] = _column(ref) if ref else len(state["row"])
            state["type"] = attrs.get("t", "n")
            state["style"] = attrs.get("s")
            state["text"] = []
        elif tag in ("v", "t") and state["text"] is not None:
            state["in"] = True
        elif tag == "col" and attrs.get("hidden") in ("1", "true"):
            for c in range(int(attrs.get("min", "1")) - 1, min(int(attrs.get("max", "1")), 16384)):
                sheet.hidden_cols.add(c)
        elif tag == "mergeCell" and attrs.get("ref") and ":" in attrs["ref"]:
            a, b = attrs["ref"].split(":", 1)
            (l1, c1), (l2, c2) = _cell_ref(a), _cell_ref(b)
            sheet.merges.append((l1, c1, l2, c2))

    def c_end(tag):
        if tag in ("v", "t"):
            state["in"] = False
        elif tag == "c":
            raw = "".join(state["text"] or ())
            kind = state["type"]
            if kind == "s":
                value: object = shared[int(raw)] if raw else None
            elif kind in ("inlineStr", "str"):
                value = raw
            elif kind == "b":
                value = raw == "1"
            elif kind == "e" or raw == "":
                value = None
            else:
                number = float(raw)
                if number.is_integer() and abs(number) < 2 ** 53:
                    value = int(number)
                    width = padded.get(int(state["style"])) if state["style"] else None
                    if width and value >= 0:
                        value = PaddedNumber(value, width)
                else:
                    value = number
            row = state["row"]
            while len(row) < state["col"]:
                row.append(None)
            row.append(value)
            state["text"] = None
        elif tag == "row":
            state["next"] = state["line"] + 1
            if state["hidden"]:
                sheet.hidden_rows += 1
            else:
                rows.append((state["line"], state["row"]))
                if len(rows) > MAX_ROWS + 20:
                    raise PilarError("roster.import.too_many_rows", path=sheet.name, limit=MAX_ROWS)

    def c_text(data):
        if state["in"]:
            state["text"].append(data)

    p = expat.ParserCreate()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = c_start, c_end, c_text
    p.buffer_text = True
    with z.open(name) as f:
        p.ParseFile(f)


def _fill_merges(sheet: Sheet) -> None:
    """Spread each merged range's value over the cells it covers (what the clerk sees in each of them)."""
    if not sheet.merges:
        return
    by_line = {line: cells for line, cells in sheet.rows}
    budget = MAX_MERGE_CELLS
    for l1, c1, l2, c2 in sheet.merges:
        top = by_line.get(l1)
        value = top[c1] if top is not None and c1 < len(top) else None
        if value is None:
            continue
        for line in range(l1, l2 + 1):
            cells = by_line.get(line)
            if cells is None:
                continue
            for c in range(c1, c2 + 1):
                if budget <= 0:
                    return
                budget -= 1
                while len(cells) <= c:
                    cells.append(None)
                if cells[c] is None:
                    cells[c] = value


def _openpyxl_xlsx(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook

    sheets: list[Sheet] = []
    try:
        wb = load_workbook(path, data_only=True)
        try:
            total = 0
            for ws in wb.worksheets:
                sheet = Sheet(ws.title, ws.sheet_state or "visible")
                for dim in ws.column_dimensions.values():
                    if dim.hidden:
                        for c in range((dim.min or 1) - 1, dim.max or 1):
                            sheet.hidden_cols.add(c)
                for row in ws.iter_rows():
                    if not row:
                        continue
                    line = row[0].row
                    if ws.row_dimensions[line].hidden:
                        sheet.hidden_rows += 1
                        continue
                    cells: list[object] = []
                    for cell in row:
                        value = cell.value
                        width = _padding_width(cell.number_format or "")
                        if width and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                            value = PaddedNumber(value, width)
                        cells.append(value)
                    sheet.rows.append((line, cells))
                total += len(sheet.rows)
                if total > MAX_ROWS + 20:
                    raise _too_many(path)
                sheet.merges = [(r.min_row, r.min_col - 1, r.max_row, r.max_col - 1) for r in ws.merged_cells.ranges]
                sheets.append(sheet)
        finally:
            wb.close()
    except PilarError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise PilarError("roster.import.damaged", path=str(path), detail=type(exc).__name__) from None
    for sheet in sheets:
        _fill_merges(sheet)
    return sheets


def _read_calamine(path: Path) -> list[Sheet]:
    """Legacy .xls and OpenDocument .ods through python-calamine (values as shown; merged ranges where
    the format keeps them; hidden rows and columns are not visible to this reader)."""
    try:
        import python_calamine as pc
    except ImportError:  # pragma: no cover - a broken install
        raise PilarError("roster.import.old_xls", path=str(path)) from None
    sheets: list[Sheet] = []
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        try:
            total = 0
            for meta in wb.sheets_metadata:
                visible = str(getattr(meta, "visible", "Visible")).rsplit(".", 1)[-1].lower()
                state = "visible" if visible == "visible" else "veryHidden" if "very" in visible else "hidden"
                sheet = Sheet(meta.name, state, knows_hidden=False)
                ws = wb.get_sheet_by_name(meta.name)
                first_line = 1
                for n, cells in enumerate(ws.to_python(skip_empty_area=False)):
                    row = [None if c == "" else (int(c) if isinstance(c, float) and c.is_integer()
                                                  and abs(c) < 2 ** 53 else c) for c in cells]
                    sheet.rows.append((first_line + n, row))
                total += len(sheet.rows)
                if total > MAX_ROWS + 20:
                    raise _too_many(path)
                try:
                    ranges = ws.merged_cell_ranges or []
                except Exception:  # noqa: BLE001 - not kept by every format
                    ranges = []
                sheet.merges = [(a[0] + 1, a[1], b[0] + 1, b[1]) for a, b in ranges]
                sheets.append(sheet)
        finally:
            wb.close()
    except PilarError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds on a damaged file
        raise PilarError("roster.import.damaged", path=str(path), detail=type(exc).__name__) from None
    for sheet in sheets:
        _fill_merges(sheet)
    return sheets


def decode(raw: bytes) -> str:
    """Text of a CSV from Excel: UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    sample = raw[:8192]
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PilarError("roster.import.binary", path=str(path))
    text = decode(raw)
    first = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=";,\t|").delimiter
    except csv.Error:
        line = first.splitlines()[0] if first else ""
        delimiter = max(";,\t", key=line.count)
    sheet = Sheet(path.stem)
    for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        sheet.rows.append((n, list(row)))
        if n > MAX_ROWS + 20:
            raise _too_many(path)
    return sheet


def column_letter(index: int) -> str:
    """2 -> 'C'."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(text: str) -> int | None:
    """'C' -> 2; None when the text is not a column letter."""
    text = text.strip().upper()
    return _column(text) if re.fullmatch(r"[A-Z]{1,3}", text) else None


# What the other readers of an office's file use (storage.roster.importing.formats and .ods, issue 23):
# the same zip checks, the same spreading of merged cells, the same .xlsx sheet reader.
check_zip = _check_zip
fill_merges = _fill_merges
read_xlsx_sheets = _fast_xlsx
