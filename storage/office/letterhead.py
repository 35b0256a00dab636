"""The kop (letterhead) of this office's documents: the province, the office's name, and its address and
telephone (set in F10 or ``pilar settings``, else from the office's record that the province keeps), with
the office's logo at its left when one is set (:mod:`storage.office.logo`)."""

from __future__ import annotations

from pathlib import Path

from storage.core.db import Database
from storage.core.i18n import t
from storage.office import logo as kop_logo


class Kop(list):
    """The letterhead lines, and the logo file printed at their left (None: no logo)."""

    def __init__(self, lines, logo: Path | None = None) -> None:
        super().__init__(lines)
        self.logo = logo


def _record(db: Database) -> dict:
    return next((o for o in db.values("offices") if o.get("code") == db.code), None) or {}


def contact(db: Database) -> dict:
    """{"address", "phone"} of this office: office.json first (F10), else its record."""
    record = None
    out = {}
    for key in ("address", "phone"):
        value = str(db.office.get(key) or "").strip()
        if not value:
            record = _record(db) if record is None else record
            value = str(record.get(key) or "").strip()
        out[key] = value
    return out


def contact_line(db: Database) -> str:
    """'Jl. Gayung Kebonsari No.56b, Surabaya · Telp. +62318290794'; '' when neither is known."""
    c = contact(db)
    if c["address"] and c["phone"]:
        return t("pdf.kop_contact", address=c["address"], phone=c["phone"])
    if c["phone"]:
        return t("pdf.kop_phone", phone=c["phone"])
    return c["address"]


def kop(db: Database, name: str | None = None) -> Kop:
    """The letterhead lines: the province, the office's name in capitals, its address and telephone; and
    the logo (``.logo``) that :class:`storage.printing.pdf.Document` prints at their left."""
    name = name or db.office.get("name") or t("payout.doc.agency")
    return Kop([t("events.report.province"), name.upper(), contact_line(db)], kop_logo.path(db))
