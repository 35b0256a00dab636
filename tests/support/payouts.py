"""Helpers shared by the payouts tests: a small province folder with rates and members."""

from __future__ import annotations

import uuid
from pathlib import Path

from storage import payouts
from storage.core.db import Database
from storage.domain.model import new_member

KAB = ("35.78", "35.07", "35.09")


def member(i: int, pillar: str = "TAGANA", position: str = "ANGGOTA", kab: str = "35.78", account: str | None = None,
           start: str = "2023-01-01", status: str = "ACTIVE", inactive_date: str = "", end: str = "",
           nik: str | None = None, extra: list[dict] | None = None) -> dict:
    """A member with one assignment (plus ``extra`` ones) and a bank account unless ``account=""``."""
    acc = f"00{i:08d}" if account is None else account
    assignments = [{"pillar": pillar, "position": position, "area_kab": kab, "area_kec": f"{kab}.01",
                    "office": "UPT-PSTW-JEMBER", "start": start, "status": status, "end": end,
                    "inactive_date": inactive_date}] + list(extra or [])
    value = new_member(nik=nik or f"3578{i:012d}", name=f"Anggota {i:03d}", kab=kab, kec=f"{kab}.01",
                      bank={"name": "Bank Jatim", "account": acc, "holder": f"ANGGOTA {i:03d}"} if acc else {},
                      assignments=assignments)
    value["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"pilar-test-member-{i}"))  # reproducible for Hypothesis
    return value


def make_db(path: Path, members: list[dict] | None = None, sample_rates: bool = True,
            separate_duties: bool = False) -> Database:
    """A province folder with operator Siti. Separation of duties (on in a real folder) is off unless
    ``separate_duties``: most tests play one operator through a whole quarter."""
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Siti")
    if sample_rates:
        payouts.load_sample(db)
    if not separate_duties:
        payouts.set_separate_duties(db, False)
    if members:
        add_members(db, members)
    return db


def add_members(db: Database, members: list[dict]) -> list[str]:
    with db.transaction("test.members") as tx:
        return [tx.put("members", m, owner="UPT-PSTW-JEMBER") for m in members]


def approve_all(db: Database, quarter, reason: str = "sudah diperiksa") -> dict:
    """Approve a quarter, every held or flagged item approved anyway (voided when it cannot be)."""
    decisions = {b["id"]: ("approve" if b["can_approve"] else "void", reason)
                 for b in payouts.approval_blockers(db, quarter)}
    return payouts.approve(db, quarter, decisions)


# The quarter most payout tests play (April to June 2024), as a Quarter and as its code.
Q2 = payouts.Quarter(2024, 2)
Q2_CODE = Q2.code
