"""Read an office's spreadsheet as the clerk sees it: every sheet with its state, visible rows and columns,
merged cells spread over their range, and the values shown (cached formula results, zero-padded numbers).

Reading is bounded: a file that is not what its name says (a renamed binary, a zip that would unpack to
hundreds of megabytes) is refused with a sentence before any parser sees it. ``.xlsx`` is read with expat
straight from the zip (several times quicker than openpyxl); ``.xls`` and ``.ods`` with python-calamine;
``.csv`` with the csv module after guessing encoding and separator.

A tiny hostile file must not take the PC down either (issue 22; figures in docs/reliability.md): every
reader holds to what Excel itself allows (columns up to XFD = 16,384, rows up to 1,048,576, 32,767
characters in a cell, checked as the file is read), at most ``MAX_CELLS`` cells in all, merged ranges
clipped to the rows and columns that exist, each sheet part parsed once however many sheets name it, no
DOCTYPE or entity declarations (defusedxml for the small parts, a refusing handler in the streaming
parser), and no fall back to a reader that loads the whole workbook: a workbook the streaming reader
cannot read is refused with one sentence.
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
from storage.core.spreadsheet import EXCEL_COLS, EXCEL_ROWS, MAX_CELL_CHARS, MAX_CELLS
from storage.roster.importing import xls, xlsb

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
    kind: str  # xlsx | csv | xls | ods | xlsb
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
            xls.check_extent(path)  # the cells' span measured before calamine builds it (issue 22)
            return Book(path, "xls", _read_calamine(path))
        return Book(path, "xlsx", _read_xlsx(path, head))
    if suffix in (".csv", ".txt"):
        return Book(path, "csv", [_read_csv(path)])
    if suffix == ".xls":
        if not head.startswith(b"\xd0\xcf\x11\xe0") and not head.startswith(b"PK\x03\x04"):
            raise PilarError("roster.import.damaged", path=str(path), detail="bukan .xls")
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            xls.check_extent(path)  # the cells' span measured before calamine builds it (issue 22)
        return Book(path, "xls", _read_calamine(path))
    if suffix == ".xlsb":
        if not head.startswith(b"PK\x03\x04"):
            raise PilarError("roster.import.damaged", path=str(path), detail="bukan .xlsb")
        _check_zip(path, lambda names: "xl/workbook.bin" in names)
        found = xlsb.scan(path)  # bounds, short-form cells, hidden rows and columns, merges: before calamine
        return Book(path, "xlsb", _read_calamine(path, found))
    if suffix == ".ods":
        if not head.startswith(b"PK\x03\x04"):
            raise PilarError("roster.import.damaged", path=str(path), detail="bukan .ods")
        _check_zip(path, lambda names: "content.xml" in names)
        _ods_extent(path)
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
    except MemoryError:
        raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS) from None
    except Exception as exc:  # noqa: BLE001 - never handed to a reader that loads the whole workbook
        raise PilarError("roster.import.damaged", path=str(path), detail=_detail(exc)) from None


def _detail(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Beyond(Exception):
    """A cell reference past Excel's last column or row (never written by Excel)."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref[:20] + ("…" if len(ref) > 20 else "")


class _TooLong(Exception):
    """A cell longer than Excel allows, noticed while it is read."""


class _Doctype(Exception):
    """A DOCTYPE (and so possibly entity declarations) in a part of the workbook."""


def _refuse_doctype(*_args) -> None:
    raise _Doctype()


def _parser():
    """An expat parser that refuses any DOCTYPE before its entities could be declared or expanded."""
    from xml.parsers import expat

    p = expat.ParserCreate()
    p.StartDoctypeDeclHandler = _refuse_doctype
    p.EntityDeclHandler = _refuse_doctype
    p.buffer_text = True
    return p


def _xml(z: zipfile.ZipFile, name: str):
    """A small part of the workbook (workbook.xml, its rels, styles) as an ElementTree root; no DTD."""
    import defusedxml.ElementTree as DET

    return DET.fromstring(z.read(name), forbid_dtd=True)


def _too_many(path: Path) -> PilarError:
    return PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)


def _column(ref: str) -> int:
    """'C12' -> 2; _Beyond past column XFD."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z" or "a" <= ch <= "z":
            n = n * 26 + ord(ch.upper()) - 64
            if n > EXCEL_COLS:
                raise _Beyond(ref)
        else:
            break
    return n - 1


def _line_number(text: str, ref: str) -> int:
    """A row number as written in the file; _Beyond past row 1,048,576."""
    if len(text) > 7 or not text.isdigit() or int(text) > EXCEL_ROWS:
        raise _Beyond(ref)
    return int(text)


def _cell_ref(ref: str) -> tuple[int, int]:
    """'C12' -> (12, 2); _Beyond past column XFD or row 1,048,576."""
    col = _column(ref)
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$").replace("$", "")
    return (_line_number(digits, ref) if digits else 0), col


def _padding_width(code: str) -> int:
    """A number format of zeros only ('0000000000') pads to that width; 0 for any other format."""
    code = code.strip().strip('"')
    return len(code) if len(code) > 1 and set(code) == {"0"} else 0


def _styles(z: zipfile.ZipFile) -> dict[int, int]:
    """Cell style index -> padding width, for the styles whose number format pads with zeros."""
    if "xl/styles.xml" not in z.namelist():
        return {}
    root = _xml(z, "xl/styles.xml")
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
    shared: list[str] = []
    if "xl/sharedStrings.xml" not in z.namelist():
        return shared
    parts: list[str] = []
    depth = {"t": False, "rph": 0, "len": 0}

    def s_start(tag, attrs):
        if tag == "si":
            parts.clear()
            depth["len"] = 0
        elif tag == "t" and not depth["rph"]:
            depth["t"] = True
        elif tag == "rPh":
            depth["rph"] += 1

    def s_end(tag):
        if tag == "si":
            shared.append(_LONG if depth["len"] > MAX_CELL_CHARS else "".join(parts))
        elif tag == "t":
            depth["t"] = False
        elif tag == "rPh":
            depth["rph"] -= 1

    def s_text(data):
        if depth["t"]:
            depth["len"] += len(data)
            if depth["len"] <= MAX_CELL_CHARS:
                parts.append(data)

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = s_start, s_end, s_text
    with z.open("xl/sharedStrings.xml") as f:
        p.ParseFile(f)
    return shared


_LONG = object()  # a shared string longer than an Excel cell holds (refused where a cell uses it)


def _workbook_part(z: zipfile.ZipFile) -> str:
    """The workbook part the package's root relationships name (xl/workbook.xml nearly always)."""
    if "_rels/.rels" in z.namelist():
        for r in _xml(z, "_rels/.rels"):
            if (r.get("Type") or "").endswith("/officeDocument") and r.get("Target"):
                return r.get("Target").lstrip("/")
    return "xl/workbook.xml"


def _fast_xlsx(path: Path) -> list[Sheet]:
    """Every sheet, read with expat from the zip: values (cached results for formulas), hidden rows and
    columns, merged ranges. Dates come as Excel serial numbers; the date parser reads them."""
    sheets: list[Sheet] = []
    part = "xl/workbook.xml"
    sheet = Sheet("")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            part = _workbook_part(z)
            book = _xml(z, part)
            folder = posixpath.dirname(part)
            rels_part = posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels")
            rels = _xml(z, rels_part) if rels_part in names else []
            targets = {r.get("Id"): r.get("Target") for r in rels}
            part = "xl/sharedStrings.xml"
            shared = _shared_strings(z)
            part = "xl/styles.xml"
            padded = _styles(z)
            total = 0
            budget = {"cells": MAX_CELLS}
            seen: set[str] = set()
            listed = book.find(f"{{{_NS_MAIN}}}sheets")
            for node in listed if listed is not None else []:
                target = targets.get(node.get(f"{{{_NS_REL}}}id"))
                if not target:
                    continue
                name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                if name in seen:  # several sheets naming one part: read once (Excel never writes this)
                    continue
                seen.add(name)
                sheet = Sheet(node.get("name") or name, node.get("state") or "visible")
                if name in names:
                    part = name
                    _parse_sheet(z, name, sheet, shared, padded, budget)
                total += len(sheet.rows)
                if total > MAX_ROWS + 20:
                    raise _too_many(path)
                sheets.append(sheet)
    except _Beyond as exc:
        raise PilarError("sheet.beyond_excel", path=str(path), cell=exc.ref, sheet=sheet.name or "?") from None
    except _TooLong as exc:
        raise PilarError("sheet.cell_too_long", path=str(path), sheet=sheet.name or "?", line=exc.args[0],
                         limit=MAX_CELL_CHARS) from None
    except _Doctype:
        raise PilarError("sheet.doctype", path=str(path), part=part) from None
    except Exception as exc:
        if type(exc).__name__ in ("DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"):
            raise PilarError("sheet.doctype", path=str(path), part=part) from None
        raise
    for sheet in sheets:
        _fill_merges(sheet)
    return sheets


def _clipped_ref(ref: str) -> tuple[int, int]:
    """A merge corner as (line, col), clipped to Excel's last row and column (a range is cut, not refused)."""
    letters = ref.lstrip("$")
    head = len(letters) - len(letters.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    digits = letters[head:].replace("$", "")
    col = _column(letters[:head]) if head <= 3 and _fits(letters[:head]) else EXCEL_COLS - 1
    line = int(digits) if digits.isdigit() and len(digits) <= 7 else (EXCEL_ROWS if digits.isdigit() else 0)
    return min(line, EXCEL_ROWS), col


def _fits(letters: str) -> bool:
    try:
        _column(letters)
        return True
    except _Beyond:
        return False


def _parse_sheet(z: zipfile.ZipFile, name: str, sheet: Sheet, shared: list, padded: dict[int, int],
                 budget: dict | None = None) -> None:
    rows = sheet.rows
    budget = budget if budget is not None else {"cells": MAX_CELLS}
    state: dict = {"row": None, "line": 0, "hidden": False, "col": 0, "type": "n", "style": None,
                   "text": None, "in": False, "next": 1, "len": 0}

    def c_start(tag, attrs):
        if tag == "row":
            state["row"] = []
            number = attrs.get("r")
            state["line"] = _line_number(number, f"A{number}") if number else state["next"]
            if state["line"] > EXCEL_ROWS:
                raise _Beyond(f"A{state['line']}")
            state["hidden"] = attrs.get("hidden") in ("1", "true")
        elif tag == "c":
            ref = attrs.get("r")
            state["col"] = _column(ref) if ref else len(state["row"])
            if state["col"] >= EXCEL_COLS:
                raise _Beyond(ref or f"#{state['col']}")
            state["type"] = attrs.get("t", "n")
            state["style"] = attrs.get("s")
            state["text"] = []
            state["len"] = 0
        elif tag in ("v", "t") and state["text"] is not None:
            state["in"] = True
        elif tag == "col" and attrs.get("hidden") in ("1", "true"):
            for c in range(int(attrs.get("min", "1")) - 1, min(int(attrs.get("max", "1")), EXCEL_COLS)):
                sheet.hidden_cols.add(c)
        elif tag == "mergeCell" and attrs.get("ref") and ":" in attrs["ref"]:
            a, b = attrs["ref"].split(":", 1)
            (l1, c1), (l2, c2) = _clipped_ref(a), _clipped_ref(b)
            sheet.merges.append((l1, c1, l2, c2))

    def c_end(tag):
        if tag in ("v", "t"):
            state["in"] = False
        elif tag == "c":
            raw = "".join(state["text"] or ())
            kind = state["type"]
            if kind == "s":
                value: object = shared[int(raw)] if raw else None
                if value is _LONG:
                    raise _TooLong(state["line"])
            elif kind in ("inlineStr", "str"):
                value = raw
            elif kind == "b":
                value = raw == "1"
            elif kind == "e" or raw == "":
                value = None
            elif kind == "d":  # an ISO date cell (some programs write these): the date as text
                value = raw[:10] if raw[10:11] in ("", "T") else raw
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
            grow = max(state["col"] - len(row), 0) + 1
            budget["cells"] -= grow
            if budget["cells"] < 0:
                raise PilarError("sheet.too_many_cells", path=sheet.name, limit=MAX_CELLS)
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
            state["len"] += len(data)
            if state["len"] > MAX_CELL_CHARS:
                raise _TooLong(state["line"])
            state["text"].append(data)

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = c_start, c_end, c_text
    with z.open(name) as f:
        p.ParseFile(f)


def _fill_merges(sheet: Sheet) -> None:
    """Spread each merged range's value over the cells it covers (what the clerk sees in each of them).

    A range is clipped to the rows the sheet has and to its widest row: a merge down to row 10^12 or
    across to XFD costs what the rows in it cost, never a loop over empty line numbers."""
    if not sheet.merges or not sheet.rows:
        return
    import bisect

    by_line = {line: cells for line, cells in sheet.rows}
    lines = sorted(by_line)
    widest = max(len(cells) for cells in by_line.values())
    budget = MAX_MERGE_CELLS
    for l1, c1, l2, c2 in sheet.merges:
        top = by_line.get(l1)
        value = top[c1] if top is not None and c1 < len(top) else None
        if value is None:
            continue
        c2 = min(c2, widest - 1)
        for line in lines[bisect.bisect_left(lines, l1):bisect.bisect_right(lines, l2)]:
            cells = by_line[line]
            for c in range(c1, c2 + 1):
                if budget <= 0:
                    return
                budget -= 1
                while len(cells) <= c:
                    cells.append(None)
                if cells[c] is None:
                    cells[c] = value


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _ods_extent(path: Path) -> None:
    """Stream an .ods's content.xml before calamine sees it: calamine keeps each sheet as one dense
    range (a cell 90,000 rows and 1,000 columns away from the first costs 2 GB inside calamine, beyond
    Python's reach), so a sheet whose used range passes Excel's limits or the cell budget, or any
    DOCTYPE, is refused here in a sentence."""
    rep_rows, rep_cols = f"{_ODS_TABLE} number-rows-repeated", f"{_ODS_TABLE} number-columns-repeated"
    state = {"sheet": "", "row": 0, "col": 0, "rows": 1, "cols": 1, "end_row": 0, "end_col": 0, "cell": False,
             "filled": False}

    def check() -> None:
        if state["end_row"] > EXCEL_ROWS or state["end_col"] > EXCEL_COLS:
            raise PilarError("sheet.beyond_excel", path=str(path), sheet=state["sheet"],
                             cell=f"{column_letter(min(state['end_col'], 10 ** 6) - 1)}{state['end_row']}")
        if state["end_row"] * state["end_col"] > MAX_CELLS:
            raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS)

    def start(tag, attrs):
        local = tag.rsplit(" ", 1)[-1]
        if local == "table" and tag.startswith(_ODS_TABLE):
            state.update(sheet=attrs.get(f"{_ODS_TABLE} name", "?"), row=0, end_row=0, end_col=0)
        elif local == "table-row" and tag.startswith(_ODS_TABLE):
            state["rows"] = int(attrs.get(rep_rows, "1") or 1)
            state["col"] = 0
        elif local in ("table-cell", "covered-table-cell") and tag.startswith(_ODS_TABLE):
            state["cols"] = int(attrs.get(rep_cols, "1") or 1)
            state["cell"] = True
            state["filled"] = len(attrs) > (1 if rep_cols in attrs else 0) and any(
                k.endswith(("value-type", "formula")) for k in attrs)
        elif state["cell"]:  # a paragraph or any content inside the cell
            state["filled"] = True

    def end(tag):
        local = tag.rsplit(" ", 1)[-1]
        if local in ("table-cell", "covered-table-cell") and tag.startswith(_ODS_TABLE):
            if state["filled"]:
                state["end_row"] = max(state["end_row"], state["row"] + 1)
                state["end_col"] = max(state["end_col"], state["col"] + state["cols"])
                check()
            state["col"] += state["cols"]
            state["cell"] = state["filled"] = False
        elif local == "table-row" and tag.startswith(_ODS_TABLE):
            if state["end_row"] == state["row"] + 1 and state["rows"] > 1:
                state["end_row"] = state["row"] + state["rows"]  # a filled row repeated
                check()
            state["row"] += state["rows"]

    p = _ns_parser()
    p.StartElementHandler, p.EndElementHandler = start, end
    try:
        with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
            p.ParseFile(f)
    except _Doctype:
        raise PilarError("sheet.doctype", path=str(path), part="content.xml") from None
    except PilarError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine would refuse it too: one sentence
        raise PilarError("roster.import.damaged", path=str(path), detail=_detail(exc)) from None


def _ns_parser():
    from xml.parsers import expat

    p = expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = _refuse_doctype
    p.EntityDeclHandler = _refuse_doctype
    p.buffer_text = True
    return p


def _read_calamine(path: Path, scanned: dict | None = None) -> list[Sheet]:
    """Legacy .xls, OpenDocument .ods and .xlsb through python-calamine (values as shown; merged ranges
    where the format keeps them). Hidden rows and columns are not visible to this reader: for an .xlsb
    ``scanned`` (storage.roster.importing.xlsb) names them, and merges calamine does not give."""
    try:
        import python_calamine as pc
    except ImportError:  # pragma: no cover - a broken install
        raise PilarError("roster.import.old_xls", path=str(path)) from None
    sheets: list[Sheet] = []
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        try:
            total = 0
            budget = MAX_CELLS
            for meta in wb.sheets_metadata:
                visible = str(getattr(meta, "visible", "Visible")).rsplit(".", 1)[-1].lower()
                state = "visible" if visible == "visible" else "veryHidden" if "very" in visible else "hidden"
                sheet = Sheet(meta.name, state, knows_hidden=False)
                ws = wb.get_sheet_by_name(meta.name)
                first_line = 1
                # calamine keeps a sheet as one dense range: refuse a range past Excel's limits or the
                # cell budget before a Python list is made of it
                end = ws.end or (-1, -1)
                height, width = end[0] + 1, end[1] + 1
                if width > EXCEL_COLS or height > EXCEL_ROWS:
                    raise PilarError("sheet.beyond_excel", path=str(path), sheet=meta.name,
                                     cell=f"{column_letter(max(width - 1, 0))}{height}")
                budget -= height * width
                if budget < 0:
                    raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS)
                for n, cells in enumerate(ws.to_python(skip_empty_area=False)):
                    if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
                        raise PilarError("sheet.cell_too_long", path=str(path), sheet=meta.name, line=first_line + n,
                                         limit=MAX_CELL_CHARS)
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
                if scanned is not None:
                    _apply_scan(sheet, scanned.get(meta.name))
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


def _apply_scan(sheet: Sheet, found) -> None:
    """What the .xlsb scan saw that calamine does not give: hidden rows left out (and counted), hidden
    columns, the sheet's state and merged ranges."""
    if found is None:
        return
    sheet.knows_hidden = True
    sheet.state = found.state if sheet.state == "visible" else sheet.state
    if found.hidden_rows:
        kept = [(line, cells) for line, cells in sheet.rows if line - 1 not in found.hidden_rows]
        sheet.hidden_rows += len(sheet.rows) - len(kept)
        sheet.rows = kept
    sheet.hidden_cols = set(found.hidden_cols)
    if not sheet.merges:
        sheet.merges = list(found.merges)


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells = MAX_CELLS
    n = 0
    try:
        for n, row in enumerate(reader, 1):
            if any(len(c) > MAX_CELL_CHARS for c in row):
                raise _TooLong(reader.line_num)
            cells -= len(row)
            if cells < 0 or len(row) > EXCEL_COLS:
                raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS)
            sheet.rows.append((n, list(row)))
            if n > MAX_ROWS + 20:
                raise _too_many(path)
    except _TooLong as exc:
        raise PilarError("sheet.cell_too_long", path=str(path), sheet=sheet.name, line=exc.args[0],
                         limit=MAX_CELL_CHARS) from None
    except csv.Error as exc:  # the csv module's own field limit (128 KB) or a stray NUL: one sentence
        if "field limit" in str(exc):
            raise PilarError("sheet.cell_too_long", path=str(path), sheet=sheet.name, line=reader.line_num,
                             limit=MAX_CELL_CHARS) from None
        raise PilarError("sheet.csv_damaged", path=str(path), line=reader.line_num, detail=str(exc)) from None
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
