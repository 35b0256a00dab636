"""Merged cells of an OpenDocument spreadsheet (issue 23): python-calamine gives an .ods's values but not
its merged ranges, so a KECAMATAN merged down over a group of members reached only the group's first
row. The ranges are read here from content.xml (``table:number-rows-spanned`` /
``table:number-columns-spanned``), with the repeated rows and cells counted as LibreOffice writes them,
and spread like the .xlsx ones (``storage.roster.importing.read``)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.parsers import expat

from storage.roster.importing.read import fill_merges

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _no_doctype(*_args) -> None:
    raise ValueError("DOCTYPE")


def ods_merges(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name -> merged ranges (first line, first column, last line, last column; lines 1-based as
    the reader numbers them, columns 0-based). Empty when the file holds none or cannot be read."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    state = {"sheet": None, "line": 0, "col": 0, "rows_rep": 1}
    t = _TABLE + " "

    def start(tag: str, attrs: dict) -> None:
        if tag == t + "table":
            state["sheet"] = attrs.get(t + "name", "")
            state["line"] = 0
        elif tag == t + "table-row":
            state["line"] += 1
            state["col"] = 0
            state["rows_rep"] = int(attrs.get(t + "number-rows-repeated", "1") or 1)
        elif tag in (t + "table-cell", t + "covered-table-cell"):
            rows = int(attrs.get(t + "number-rows-spanned", "1") or 1)
            cols = int(attrs.get(t + "number-columns-spanned", "1") or 1)
            if (rows > 1 or cols > 1) and state["sheet"] is not None:
                line, col = state["line"], state["col"]
                out.setdefault(state["sheet"], []).append((line, col, line + rows - 1, col + cols - 1))
            state["col"] += int(attrs.get(t + "number-columns-repeated", "1") or 1)

    def end(tag: str) -> None:
        if tag == t + "table-row":
            state["line"] += state["rows_rep"] - 1

    try:
        with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
            p = expat.ParserCreate(namespace_separator=" ")
            p.StartElementHandler, p.EndElementHandler = start, end
            p.StartDoctypeDeclHandler = _no_doctype  # no entity of a DTD is ever expanded
            p.ParseFile(f)
    except (OSError, KeyError, zipfile.BadZipFile, expat.ExpatError, ValueError):
        return {}
    return out


def spread_ods_merges(book) -> None:
    """Give each merged range's value to every cell it covers, in every sheet of an .ods ``book`` whose
    reader kept no ranges."""
    if book.kind != "ods" or any(s.merges for s in book.sheets):
        return
    found = ods_merges(book.path)
    for sheet in book.sheets:
        if found.get(sheet.name):
            sheet.merges = found[sheet.name]
            fill_merges(sheet)
