"""The kop (letterhead) of this office's documents: the province, the office's name, and its address and
telephone (set in F10 or ``pilar settings``, else from the office's record that the province keeps)."""

from __future__ import annotations

from storage.core.db import Database
from storage.core.i18n import t


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


def kop(db: Database, name: str | None = None) -> list[str]:
    """The letterhead lines: the province, the office's name in capitals, its address and telephone."""
    name = name or db.office.get("name") or t("payout.doc.agency")
    return [t("events.report.province"), name.upper(), contact_line(db)]
