"""The payout documents of a quarter, named once: what the command line offers, what Cetak prints and
what the SPJ package holds are all read from here."""

from __future__ import annotations

# Every document ``pilar report payouts --doc`` and the screen's Cetak know.
DOCS = ("nominatif", "receipts", "kwitansi", "rekap", "pajak", "bank")
# The documents that exist only as PDF (asked for in another format, they are still PDF).
PDF_ONLY = ("kwitansi", "rekap", "pajak")
# The documents the PDF renderer makes.
PDF_DOCS = ("nominatif", "receipts", *PDF_ONLY)
# ``--doc`` choices: the bank file is asked for with ``--format bank``.
PRINTED_DOCS = PDF_DOCS
FORMATS = ("text", "html", "csv", "xlsx", "bank", "pdf")
# What Cetak writes for a quarter, in this order: (document, format); the nominatif PDF is opened.
PRINT_SET = (("nominatif", "pdf"), ("nominatif", "text"), ("nominatif", "html"), ("nominatif", "csv"),
             ("nominatif", "xlsx"), ("receipts", "pdf"), ("receipts", "html"), ("kwitansi", "pdf"),
             ("rekap", "pdf"), ("bank", "bank"))
