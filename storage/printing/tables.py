"""Writing tables out: printable text, Markdown and A4 HTML with tabulate, CSV and XLSX.

Every cell that a spreadsheet could run as a formula (starting with =, +, -, @, their full-width forms, or
a control character such as tab or CR) is neutralised with a leading apostrophe: this module is the one
neutraliser, and every CSV or XLSX Pilar writes goes through it (``csv_bytes``, ``csv_rows_bytes``,
``xlsx_bytes``; tests/reliability/test_formula_safety.py walks every writer). Files are written atomically.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from storage.core.fsutil import atomic_write
from storage.core.spreadsheet import FORMULA_START, formula_like  # noqa: F401 - FORMULA_START for callers

TABLE_FORMATS = {"text": "simple_grid", "md": "github", "html": "html"}


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet (numbers stay numbers)."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], fmt: str = "text",
          colalign: Sequence[str] | None = None) -> str:
    """One table as text (box lines), Markdown or an HTML <table>."""
    # imported when a table is written: 0.09 s of the app's start otherwise (issue 25)
    from tabulate import tabulate

    if fmt == "html":
        rows = [[html.escape(str(c)) if isinstance(c, str) else c for c in r] for r in rows]
        headers = [html.escape(h) for h in headers]
        return tabulate(rows, headers=headers, tablefmt="unsafehtml", disable_numparse=True, colalign=colalign)
    return tabulate(rows, headers=headers, tablefmt=TABLE_FORMATS[fmt], disable_numparse=True, colalign=colalign)


A4_CSS = """
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "Times New Roman", serif; font-size: 11pt; color: #000; }
h1 { font-size: 14pt; text-align: center; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 10pt 0 4pt; }
p.meta { text-align: center; margin: 0 0 8pt; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; }
th { background: #eee; }
td.num, th.num { text-align: right; }
.sign { height: 28pt; min-width: 70pt; }
.signatures { width: 100%; margin-top: 24pt; border: none; }
.signatures td { border: none; text-align: center; padding-top: 48pt; }
.page-break { page-break-after: always; }
"""


def html_page(title: str, body: str, lang: str = "id") -> str:
    """A complete HTML document laid out for A4 printing."""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{A4_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> bytes:
    """CSV with a UTF-8 BOM so Excel on Windows reads the accents right."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def csv_rows_bytes(rows: Iterable[Sequence[Any]], delimiter: str = ",", line_end: str = "\r\n",
                   bom: bool = False) -> bytes:
    """Rows (a header among them or not) as CSV in a given dialect, every cell neutralised: for files whose
    layout is fixed by someone else (a bank's CSV)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=line_end).writerows(
        [neutralise(c) for c in row] for row in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    atomic_write(Path(path), csv_bytes(headers, rows))


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx workbook: one (title, headers, rows) per sheet; strings are stored as text, never formulas.

    Written in openpyxl's write-only mode (rows streamed, no cell objects kept: 50,000 rows of the daftar
    nominatif in ~3 s instead of ~7 s). A string cell is text because ``neutralise`` has already
    prefixed anything a spreadsheet would read as a formula; the header row is bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.freeze_panes = "A2"
        head = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=neutralise(h))
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for row in rows:
            ws.append([neutralise(c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    atomic_write(Path(path), xlsx_bytes(sheets))
