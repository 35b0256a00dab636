"""Excel Binary Workbook (.xlsb, issue 23): read by python-calamine, after a scan of its records here.

calamine keeps each sheet as one dense range built from the cells it finds, and it silently skips cells
written in the "short" record form (no column: the cell after the one before), which Excel never writes
but other programs do (SheetJS, some exporters). So before calamine sees the file, every sheet part is
streamed once, record by record ([MS-XLSB] 2.1.4: a record type and a size, each a 7-bit varint):

- a cell or row past Excel's limits (column XFD, row 1,048,576), a string longer than a cell holds, or a
  used range past the cell budget is one sentence, as for the other readers (docs/reliability.md);
- a short-form cell is the sentence "save it again as Excel Workbook (.xlsx)": nothing read half;
- hidden rows (BrtRowHdr fDyZero) and hidden columns (BrtColInfo fHidden) are noted, so the preview
  reads only what the clerk sees, as for an .xlsx.

Nothing here decodes a value: the values, and dates shown as dates, come from calamine.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from storage.core.errors import PilarError
from storage.core.spreadsheet import EXCEL_COLS, EXCEL_ROWS, MAX_CELL_CHARS, MAX_CELLS

# Record types ([MS-XLSB] 2.3.2)
ROW_HDR = 0x0000
CELLS = frozenset(range(0x0001, 0x000C))  # BrtCellBlank .. BrtFmlaError: 4-byte column first
SHORT_CELLS = frozenset(range(0x000C, 0x0013))  # BrtShortBlank .. BrtShortIsst: no column
CELL_ST, FMLA_STRING, SST_ITEM = 0x0006, 0x0008, 0x0013
COL_INFO = 0x003C
MERGE_CELL = 0x00B0
BUNDLE_SH = 0x009C
MAX_RECORD = 4 * 1024 * 1024  # no record Excel writes comes near (a 32,767-character cell is 64 KB)
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetScan:
    """What the scan found in one sheet part."""

    name: str
    part: str
    state: str = "visible"
    hidden_rows: set[int] = field(default_factory=set)  # 0-based row indexes
    hidden_cols: set[int] = field(default_factory=set)  # 0-based column indexes
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # line1, col1, line2, col2
    cells: int = 0


class _Short(Exception):
    pass


def _records(data: bytes):
    """(type, body) of each record of a part, bounded by the part's length."""
    pos, end = 0, len(data)
    while pos < end:
        kind = 0
        for shift in (0, 7):
            byte = data[pos]
            pos += 1
            kind |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
        size = 0
        for shift in (0, 7, 14, 21):
            if pos >= end:
                raise ValueError("record cut short")
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
        if size > MAX_RECORD or pos + size > end:
            raise ValueError("record size")
        yield kind, data[pos:pos + size]
        pos += size


def _wide(body: bytes, at: int) -> tuple[str | None, int]:
    """An XLWideString / XLNullableWideString at ``at``: (text or None, offset after it)."""
    (count,) = struct.unpack_from("<I", body, at)
    if count == 0xFFFFFFFF:
        return None, at + 4
    if count > MAX_CELL_CHARS * 2:
        raise ValueError("string length")
    return body[at + 4:at + 4 + 2 * count].decode("utf-16-le", errors="replace"), at + 4 + 2 * count


def _sheets(path: Path, z: zipfile.ZipFile) -> list[SheetScan]:
    """The sheets the workbook names, with their parts (through xl/_rels/workbook.bin.rels)."""
    try:
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.bin.rels"))
    except KeyError:
        raise PilarError("roster.import.damaged", path=str(path), detail="xl/_rels/workbook.bin.rels") from None
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.iter(f"{_REL_NS}Relationship")}
    out: list[SheetScan] = []
    for kind, body in _records(z.read("xl/workbook.bin")):
        if kind != BUNDLE_SH or len(body) < 12:
            continue
        (state,) = struct.unpack_from("<I", body, 0)
        rel, at = _wide(body, 8)
        name, _ = _wide(body, at)
        target = targets.get(rel or "", "")
        part = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
        out.append(SheetScan(name or "?", part, ("visible", "hidden", "veryHidden")[state] if state < 3 else "hidden"))
    return out


def scan(path: Path) -> dict[str, SheetScan]:
    """Every sheet of an .xlsb by name, scanned; a PilarError with one sentence when it is refused."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            sheets = _sheets(path, z)
            parts = [s.part for s in sheets]
            if len(set(parts)) != len(parts):  # Excel gives each sheet its own part
                raise PilarError("roster.import.damaged", path=str(path), detail="sheets share a part")
            budget = MAX_CELLS
            for sheet in sheets:
                if sheet.part not in z.namelist():
                    continue  # a chart sheet or a missing part: calamine says what it says
                budget -= _scan_part(path, z.read(sheet.part), sheet)
                if budget < 0:
                    raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS)
    except PilarError:
        raise
    except _Short:
        raise PilarError("roster.import.xlsb_short", path=str(path)) from None
    except (zipfile.BadZipFile, KeyError, ValueError, struct.error, IndexError, ElementTree.ParseError) as exc:
        raise PilarError("roster.import.damaged", path=str(path), detail=type(exc).__name__) from None
    return {s.name: s for s in sheets}


def _letters(index: int) -> str:
    """2 -> 'C' (as storage.roster.importing.read.column_letter, which imports this module)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _scan_part(path: Path, data: bytes, sheet: SheetScan) -> int:
    """Check one sheet part; returns the cells of its used range (as calamine will hold them)."""
    row = -1
    first_row = first_col = None
    last_row = last_col = -1
    cells = 0

    def beyond(r: int, c: int) -> PilarError:
        return PilarError("sheet.beyond_excel", path=str(path), sheet=sheet.name,
                          cell=f"{_letters(min(c, 10 ** 6))}{r + 1}")

    for kind, body in _records(data):
        if kind == ROW_HDR:
            (row,) = struct.unpack_from("<I", body, 0)
            if row >= EXCEL_ROWS:
                raise beyond(row, 0)
            if len(body) > 11 and body[11] & 0x10:  # fDyZero: the row is hidden
                sheet.hidden_rows.add(row)
        elif kind in CELLS:
            (col,) = struct.unpack_from("<I", body, 0)
            if col >= EXCEL_COLS or row < 0:
                raise beyond(max(row, 0), col)
            if kind in (CELL_ST, FMLA_STRING) and struct.unpack_from("<I", body, 8)[0] > MAX_CELL_CHARS:
                raise PilarError("sheet.cell_too_long", path=str(path), sheet=sheet.name, line=row + 1,
                                 limit=MAX_CELL_CHARS)
            cells += 1
            first_row = row if first_row is None else min(first_row, row)
            first_col = col if first_col is None else min(first_col, col)
            last_row, last_col = max(last_row, row), max(last_col, col)
        elif kind in SHORT_CELLS:
            raise _Short
        elif kind == MERGE_CELL and len(body) >= 16:
            r1, r2, c1, c2 = struct.unpack_from("<IIII", body, 0)
            if r1 <= r2 < EXCEL_ROWS and c1 <= c2 < EXCEL_COLS:
                sheet.merges.append((r1 + 1, c1, r2 + 1, c2))  # clipped to the rows there are when spread
        elif kind == COL_INFO and len(body) >= 18:
            lo, hi = struct.unpack_from("<II", body, 0)
            if body[16] & 0x01 and lo <= hi < EXCEL_COLS:  # fHidden
                sheet.hidden_cols.update(range(lo, hi + 1))
    sheet.cells = cells
    if first_row is None:
        return 0
    return (last_row + 1) * (last_col + 1)  # the rows are read from A1 (padding included)
