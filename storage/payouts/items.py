"""Payouts, the ground every part stands on: money as int rupiah, dates, quarters, item ids, items.

The rules that keep money right are listed in :mod:`storage.payouts`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.text import digits, fold, norm_number
from storage.domain import fmt
from storage.domain.quarter import Quarter
from storage.office.settings import require_operator, require_province  # noqa: F401  (the payout services' guards)

NAMESPACE = uuid.UUID("6f1c2a4e-5d0b-4c8e-9a73-2b1f0c9e7d51")
ITEM_KIND = "quarterly"
FUNDING = ("APBD_PROVINSI", "APBD_KABKOTA", "APBN", "LAINNYA")
RATE_KINDS = ("OPERASIONAL", "TALI_ASIH")
STATUSES = ("draft", "approved", "paid", "void", "returned")
LIVE = ("draft", "approved", "paid")  # "returned": paid, then the money came back (retur): not standing
REASONS = ("inactive", "no_rate", "no_bank", "duplicate_nik", "voided", "returned", "conflict")
# The member fields a payment depends on: siblings of a member in sync conflict that differ in one of
# these hold the member out of runs (and their items out of approval and payment) until resolved.
CONTESTED_FIELDS = ("nik", "bank.account", "bank.holder", "assignments")
BANK_FIELDS = ("bank.account", "bank.holder")
METHODS = ("TRANSFER", "CASH")


# ---------------------------------------------------------------------------- money and dates

def money(value: object, what: str = "amount") -> int:
    """An amount in whole rupiah, or a PilarError that says what to type instead."""
    what = t(f"payout.field.{what}")
    if isinstance(value, bool) or isinstance(value, float):
        raise PilarError("payout.money_not_int", what=what, value=value)
    if isinstance(value, str):
        return _parse(value, what)
    if not isinstance(value, int):
        raise PilarError("payout.money_not_int", what=what, value=value)
    if value < 0:
        raise PilarError("payout.money_negative", what=what, value=value)
    return value


def parse_money(text: str, what: str = "amount") -> int:
    """'1500000', '1.500.000', 'Rp1.500.000' -> 1500000; decimals or other text is refused."""
    if what in ("amount", "tax"):
        what = t(f"payout.field.{what}")
    return _parse(text, what)


def _parse(text: str, what: str) -> int:
    raw = str(text).strip().replace(" ", "")
    body = raw[2:] if raw[:2].lower() == "rp" else raw
    if body.startswith("-") and body[1:].replace(".", "").isdigit():
        raise PilarError("payout.money_negative", what=what, value=text)
    if re.fullmatch(r"\d+", body):
        return int(body)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", body):
        return int(body.replace(".", ""))
    raise PilarError("payout.money_not_int", what=what, value=text)


def check_date(value: object, what: str = "date") -> str:
    """The date typed ('01-04-2024' as every form shows dates, or '2024-04-01') as the stored
    'YYYY-MM-DD', or a PilarError saying how to write it."""
    found = fmt.read_date(value)
    if found is None:
        raise PilarError("payout.bad_date", what=t(f"payout.field.{what}"), value=value)
    return found


def item_id(member_id: str, pillar: str, year: int, quarter: int, rev: int = 0, kind: str = ITEM_KIND) -> str:
    """The deterministic id of a payout item; revision N>0 is the replacement of a voided one."""
    name = f"{member_id}:{pillar}:{year}:{quarter}:{kind}"
    if rev:
        name += f":r{rev}"
    return uuid5_str(name)


_NAMESPACE_BYTES = NAMESPACE.bytes


def uuid5_str(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` without building a UUID object (a 50,000-member run makes
    50,000 of them: 0.17 s through :mod:`uuid`, 0.06 s here; equality is tested)."""
    h = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50  # version 5
    h[8] = (h[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def run_id(quarter: Quarter) -> str:
    return str(uuid.uuid5(NAMESPACE, f"run:{quarter.year}:{quarter.q}"))


# ---------------------------------------------------------------------------- members in conflict

def _payout_view(version: dict) -> tuple:
    """What a payment depends on in one sibling version of a member (a deletion differs from any value)."""
    if version.get("deleted"):
        return ("<deleted>",) * len(CONTESTED_FIELDS)
    data = version.get("data") or {}
    bank = data.get("bank") or {}
    assigns = tuple(sorted((str(a.get("pillar") or ""), str(a.get("position") or ""), str(a.get("status") or ""),
                            str(a.get("start") or ""), str(a.get("end") or ""), str(a.get("inactive_date") or ""))
                           for a in data.get("assignments") or []))
    return (str(data.get("nik") or ""), digits(bank.get("account")),
            " ".join(str(bank.get("holder") or "").upper().split()), assigns)


def contested(db: Database, member: dict | None) -> list[str]:
    """The payout fields (of :data:`CONTESTED_FIELDS`) that differ between the sibling versions of a
    member in sync conflict; [] when the member is not in conflict or the siblings differ only in
    other fields (a phone number). Reads the raw document only of a member whose value says
    ``_conflict``: a run over 50,000 members opens none of the others."""
    if not member or not member.get("_conflict"):
        return []
    doc = db.doc("members", member["id"])
    if doc is None or len(doc.get("v") or ()) < 2:
        return []
    views = [_payout_view(v) for v in doc["v"]]
    return [name for i, name in enumerate(CONTESTED_FIELDS) if any(view[i] != views[0][i] for view in views[1:])]


def bank_contested(fields: Iterable[str]) -> bool:
    """An account or its holder is in dispute: nothing may be approved or paid to it."""
    return any(f in BANK_FIELDS for f in fields)


def contested_label(fields: Iterable[str]) -> str:
    return ", ".join(t(f"payout.contested.{f}") for f in fields)



def items(db: Database, quarter: Quarter | str, statuses: Iterable[str] | None = None) -> list[dict]:
    """The items of one quarter (all revisions), optionally only some statuses."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    wanted = set(statuses) if statuses else None
    code = quarter.code
    return [v for v in db.values(quarter.collection)
            if v.get("quarter") == code and (wanted is None or v.get("status") in wanted)]




def members_by_id(db: Database) -> dict[str, dict]:
    """Every live member value by id, without copies (read-only): for documents over thousands of items."""
    return {m["id"]: m for m in db.values("members")}


def match_items(item_list: Iterable[dict], members: dict[str, dict], text: str) -> list[dict]:
    """The items a clerk means by ``text``: part of the member's name (case and spacing ignored), the
    NIK or its last digits (4 or more), a membership number (as the door's check-in reads one), a
    transfer reference, or an item id."""
    query = fold(text)
    if not query:
        return list(item_list)
    by_digits = query.isdigit() and len(query) >= 4
    number = norm_number(text)
    matches: dict[str, bool] = {}  # per member, not per item: a member has an item per pillar
    out = []
    for v in item_list:
        mid = v["member_id"]
        hit = matches.get(mid)
        if hit is None:
            m = members.get(mid) or {}
            hit = matches[mid] = (
                query in fold(m.get("name")) or (by_digits and str(m.get("nik") or "").endswith(query))
                or (bool(number) and any(norm_number(a.get("number")) == number for a in m.get("assignments") or [])))
        if hit or query == fold(v.get("transfer_ref")) or v["id"].startswith(query):
            out.append(v)
    return out


def find_item(db: Database, rid: str) -> tuple[dict | None, str]:
    """An item by its id, or by the first 8 or more characters of it (as lists show them) when only
    one item starts so; (None, "") otherwise."""
    payouts = [c for c in db.collections() if c.startswith("payouts_")]
    for collection in payouts:
        value = db.get(collection, rid)
        if value is not None:
            return value, collection
    rid = str(rid or "").strip().lower()
    if len(rid) < 8:
        return None, ""
    hits = [(c, i) for c in payouts for i in db.raw(c) if i.startswith(rid) and db.value(c, i) is not None]
    if len(hits) == 1:
        return db.get(hits[0][0], hits[0][1]), hits[0][0]
    return None, ""


