"""A legacy .xls (Excel 97-2003, BIFF in an OLE2 compound file) measured before calamine reads it (issue 22).

calamine keeps each sheet as one dense range from its first cell to its last: a 5 KB file with one cell at
A1 and one at IV65536 made it build 16.8 million cells (1.1 GB, 3.6 s) before Pilar could look at the
range. Here the workbook stream is walked record by record (olefile reads the compound file; each BIFF
record is a type, a length and its bytes), every cell record's row and column noted, and a file whose
sheets span more cells than the reader keeps (``MAX_CELLS``) is refused with one sentence before
calamine sees it. The walk costs one pass over a stream no bigger than the file (at most 50 MB).
"""

from __future__ import annotations

import struct
from pathlib import Path

from storage.core.errors import PilarError
from storage.core.spreadsheet import MAX_CELLS

# BIFF records that hold one cell (row, column first) and those that hold a run of them in one row.
CELL_RECORDS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0207, 0x00D6}
RUN_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column
BOF, EOF = 0x0809, 0x000A


def sheet_extents(stream: bytes) -> list[tuple[int, int]]:
    """(rows, columns) each sheet's cells span, from its first to its last, in stream order."""
    extents = []
    pos, depth = 0, 0
    low_row = low_col = high_row = high_col = None
    size = len(stream)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if kind == BOF:
            depth += 1
            low_row = low_col = high_row = high_col = None
            continue
        if kind == EOF:
            if low_row is not None:
                extents.append((high_row - low_row + 1, high_col - low_col + 1))
            low_row = None
            depth = max(depth - 1, 0)
            continue
        if kind in CELL_RECORDS and length >= 4:
            row, first = struct.unpack_from("<HH", stream, body)
            last = first
        elif kind in RUN_RECORDS and length >= 6:
            row, first = struct.unpack_from("<HH", stream, body)
            (last,) = struct.unpack_from("<H", stream, body + length - 2)
            last = max(first, last)
        else:
            continue
        if low_row is None:
            low_row, high_row, low_col, high_col = row, row, first, last
        else:
            low_row, high_row = min(low_row, row), max(high_row, row)
            low_col, high_col = min(low_col, first), max(high_col, last)
    return extents


def check_extent(path: Path) -> None:
    """Refuse an .xls whose sheets span more than ``MAX_CELLS`` cells in all (one sentence), before calamine
    reads it. A file olefile cannot read is left to calamine, which says it is damaged."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - an install without the pinned olefile: calamine alone, as before
        return
    path = Path(path)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                return
            stream = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - olefile raises several kinds on a damaged file: calamine names it
        return
    total = 0
    for rows, columns in sheet_extents(stream):
        total += rows * columns
        if total > MAX_CELLS:
            raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS)
