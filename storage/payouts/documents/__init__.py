"""Payout documents: the daftar nominatif, the tanda terima (receipts), the kwitansi, the recaps, the bank
transfer file and the SPJ package.

:mod:`.catalogue` names them; :mod:`.figures` holds what every format shows; :mod:`.text` renders text,
HTML, CSV and XLSX, :mod:`.pdf` the A4 PDFs, :mod:`.bank` the bank's transfer file, :mod:`.spj` the
signed package for the auditors. :func:`render` and :func:`write` pick the renderer.
"""

from __future__ import annotations

from pathlib import Path

from storage.core.db import Database, gc_paused
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.domain.quarter import Quarter
from storage.payouts.documents import bank, text
from storage.payouts.documents.bank import bank_csv, bank_rows
from storage.payouts.documents.catalogue import DOCS, FORMATS, PDF_DOCS, PDF_ONLY, PRINT_SET, PRINTED_DOCS
from storage.payouts.documents.figures import (
    idr,
    nominatif_groups,
    printable,
    receipt_data,
    returned_rows,
)
from storage.payouts.documents.text import grid, html_table, nominatif, receipts

__all__ = [
    "DOCS", "FORMATS", "PDF_DOCS", "PDF_ONLY", "PRINT_SET", "PRINTED_DOCS",
    "bank_csv", "bank_rows", "default_name", "grid", "html_table", "idr", "nominatif", "nominatif_groups",
    "printable", "receipt_data", "receipts", "render", "returned_rows", "write",
]


def render(db: Database, quarter: Quarter | str, doc: str = "nominatif", fmt_name: str = "text",
           **opts) -> str | bytes:
    """One document as text (str) or file content (bytes for csv, xlsx, bank)."""
    with gc_paused():
        return _render(db, quarter, doc, fmt_name, **opts)


def _render(db: Database, quarter: Quarter | str, doc: str, fmt_name: str, **opts) -> str | bytes:
    if fmt_name == "bank" or doc == "bank":
        return bank.bank_csv(db, quarter, opts.get("bank"))
    if fmt_name == "pdf" or doc in PDF_ONLY:
        # Imported when a PDF is asked for: fpdf costs start-up time the other formats do not need.
        from storage.payouts.documents import pdf

        return pdf.render(db, Quarter.of(quarter), doc, **opts)
    if doc == "receipts":
        return text.receipts(db, quarter, fmt_name, **opts)
    if doc != "nominatif":
        raise PilarError("payout.bad_format", value=doc, choices=", ".join(DOCS))
    return text.nominatif(db, quarter, fmt_name, **opts)


def write(db: Database, quarter: Quarter | str, out: Path, doc: str = "nominatif", fmt_name: str = "text",
          **opts) -> Path:
    """Render and write a document atomically."""
    data = render(db, quarter, doc, fmt_name, **opts)
    atomic_write(Path(out), data.encode("utf-8") if isinstance(data, str) else data)
    return Path(out)


def default_name(quarter: Quarter | str, doc: str, fmt_name: str) -> str:
    """A FAT32-safe file name, e.g. 'nominatif_2024-Q2.html', 'bank_2024-Q2.csv'."""
    quarter = Quarter.of(quarter)
    ext = {"text": "txt", "bank": "csv"}.get(fmt_name, fmt_name)
    ext = "pdf" if doc in PDF_ONLY else ext
    name = "bank" if fmt_name == "bank" else doc
    return f"{name}_{quarter.code}.{ext}"
