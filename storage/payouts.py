"""Quarterly payouts (bantuan operasional, tali asih): rates, runs, approval, payment, void, arrears.

Rules that keep money right:

- Money is int rupiah everywhere (:func:`money` refuses floats, bools and negatives).
- A payout item's id is ``uuid5(NAMESPACE, "member:pillar:year:quarter:kind")`` (``:rN`` appended for
  the replacement of a voided item), so two offices generating the same quarter make the same record
  and a re-run never duplicates one (sync.md, "Money").
- At most one item that is not void stands per (member, pillar, quarter); only an approved item can
  be paid, only once; an approved item is never edited: it is voided and, if needed, reissued.
- Items store their own amounts and bank snapshot, so changing a rate or an account later never
  changes what was approved.
- An item in sync conflict (``_conflict``) cannot be approved, paid or exported to the bank.
- Rates, runs and items are the province's records (owner ``JATIM``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage import check
from storage.db import PROVINCE_CODE, Database, now_iso
from storage.db import gc_paused as bulk
from storage.errors import PilarError
from storage.fmt import parse_quarter, quarter_bounds
from storage.i18n import t
from storage.model import PILLARS, POSITIONS

NAMESPACE = uuid.UUID("6f1c2a4e-5d0b-4c8e-9a73-2b1f0c9e7d51")
ITEM_KIND = "quarterly"
FUNDING = ("APBD_PROVINSI", "APBD_KABKOTA", "APBN", "LAINNYA")
RATE_KINDS = ("OPERASIONAL", "TALI_ASIH")
STATUSES = ("draft", "approved", "paid", "void")
LIVE = ("draft", "approved", "paid")
REASONS = ("inactive", "no_rate", "no_bank", "duplicate_nik", "voided", "conflict")
METHODS = ("TRANSFER", "CASH")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")




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
    """A 'YYYY-MM-DD' date, or a PilarError saying how to write it."""
    text = str(value or "").strip()
    if not _DATE.match(text):
        raise PilarError("payout.bad_date", what=t(f"payout.field.{what}"), value=value)
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise PilarError("payout.bad_date", what=t(f"payout.field.{what}"), value=value) from None
    return text


@dataclass(frozen=True)
class Quarter:
    """One triwulan: '2024-Q2' is April to June 2024."""

    year: int
    q: int

    @classmethod
    def parse(cls, text: object) -> Quarter:
        try:
            year, q = parse_quarter(str(text))
        except ValueError:
            raise PilarError("payout.bad_quarter", value=text) from None
        return cls(year, q)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def bounds(self) -> tuple[str, str]:
        first, last = quarter_bounds(self.year, self.q)
        return first.isoformat(), last.isoformat()

    @property
    def collection(self) -> str:
        return f"payouts_{self.year}"

    def __str__(self) -> str:
        return self.code


def item_id(member_id: str, pillar: str, year: int, quarter: int, rev: int = 0, kind: str = ITEM_KIND) -> str:
    """The deterministic id of a payout item; revision N>0 is the replacement of a voided one."""
    name = f"{member_id}:{pillar}:{year}:{quarter}:{kind}"
    if rev:
        name += f":r{rev}"
    return _uuid5(name)


_NAMESPACE_BYTES = NAMESPACE.bytes


def _uuid5(name: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, name))`` without building a UUID object (a 50,000-member run makes
    50,000 of them: 0.17 s through :mod:`uuid`, 0.06 s here; equality is tested)."""
    h = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50  # version 5
    h[8] = (h[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def run_id(quarter: Quarter) -> str:
    return str(uuid.uuid5(NAMESPACE, f"run:{quarter.year}:{quarter.q}"))


def _require_province(db: Database) -> None:
    if not db.is_province:
        raise PilarError("payout.province_only", office=db.code)


def _require_operator(db: Database) -> None:
    if not db.operator:
        raise PilarError("db.no_operator")


# ---------------------------------------------------------------------------- rates

def rates(db: Database) -> list[dict]:
    """Every rate, by pillar, position and start date."""
    return sorted(db.values("rates"), key=lambda r: (r.get("pillar", ""), r.get("position", ""), r.get("start", "")))


def _overlaps(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    return a_start <= (b_end or "9999-12-31") and b_start <= (a_end or "9999-12-31")


def set_rate(db: Database, *, pillar: str, amount: object, start: str, funding: str, position: str = "",
             tax: object = 0, end: str = "", kind: str = "OPERASIONAL", note: str = "", demo: bool = False,
             rate_id: str | None = None) -> dict:
    """Add or change a rate (amount per quarter). An open rate that the new one follows is ended the
    day before; any other overlap is refused. Approved items keep their own amounts."""
    _require_province(db)
    if pillar not in PILLARS:
        raise PilarError("payout.unknown_pillar", value=pillar, choices=", ".join(PILLARS))
    position = position or ""
    if position and position not in POSITIONS:
        raise PilarError("payout.unknown_position", value=position, choices=", ".join(POSITIONS))
    if funding not in FUNDING:
        raise PilarError("payout.unknown_funding", value=funding, choices=", ".join(FUNDING))
    if kind not in RATE_KINDS:
        raise PilarError("payout.unknown_kind", value=kind, choices=", ".join(RATE_KINDS))
    amount = money(amount, "amount")
    tax = money(tax if tax not in (None, "") else 0, "tax")
    if amount <= 0:
        raise PilarError("payout.amount_zero")
    if tax > amount:
        raise PilarError("payout.tax_too_big", tax=tax, amount=amount)
    start = check_date(start, "start")
    end = check_date(end, "end") if end else ""
    if end and end < start:
        raise PilarError("payout.end_before_start", start=start, end=end)
    if rate_id and db.get("rates", rate_id) is None:
        raise PilarError("payout.rate_unknown", id=rate_id)
    value = {"id": rate_id or str(uuid.uuid4()), "pillar": pillar, "position": position, "amount": amount,
             "tax": tax, "start": start, "end": end, "funding": funding, "kind": kind, "note": note,
             "demo": bool(demo)}
    closing = []
    for other in db.values("rates"):
        if other["id"] == value["id"] or other.get("pillar") != pillar or other.get("position", "") != position:
            continue
        if not _overlaps(start, end, other["start"], other.get("end", "")):
            continue
        if not other.get("end") and other["start"] < start:
            day_before = (dt.date.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
            closing.append(dict(other, end=day_before))
        else:
            raise PilarError("payout.rate_overlap", start=other["start"], end=other.get("end") or "…")
    with db.transaction("payout.rate") as tx:
        for other in closing:
            tx.put("rates", {k: v for k, v in other.items() if not k.startswith("_")}, owner=PROVINCE_CODE)
        tx.put("rates", value, owner=PROVINCE_CODE)
    return db.get("rates", value["id"])


def rate_for(rate_list: Iterable[dict], pillar: str, position: str, first: str, last: str) -> dict | None:
    """The rate that pays ``pillar``/``position`` in the quarter [first, last]: a rate for the exact
    position beats the pillar's general rate; among those, the one in force at the quarter's end."""
    best, best_key = None, None
    for r in rate_list:
        if r.get("pillar") != pillar or r.get("position", "") not in ("", position):
            continue
        if not _overlaps(r["start"], r.get("end", ""), first, last):
            continue
        key = (r.get("position", "") == position, r["start"])
        if best_key is None or key > best_key:
            best, best_key = r, key
    return best


# ---------------------------------------------------------------------------- eligibility

def _active_in(a: dict, first: str, last: str) -> bool:
    """The assignment was ACTIVE at some point between ``first`` and ``last``."""
    start = a.get("start") or "0000-01-01"
    if start > last:
        return False
    end = a.get("end") or ""
    if end and end < first:
        return False
    if a.get("status") != "ACTIVE":
        stopped = a.get("inactive_date") or ""
        if not stopped or stopped < first or stopped < start:
            return False
    return True


def _has_account(bank: dict | None) -> bool:
    account = str((bank or {}).get("account") or "")
    if not account.isdigit():  # stored accounts are digits only; anything else is counted the slow way
        account = "".join(ch for ch in account if ch.isdigit())
    return len(account) >= 6


@dataclass
class Totals:
    """Count and money per group: {key: [count, gross, tax, net]}."""

    by_pillar: dict[str, list[int]] = field(default_factory=dict)
    by_kab: dict[str, list[int]] = field(default_factory=dict)
    by_office: dict[str, list[int]] = field(default_factory=dict)
    grand: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def add(self, item: dict) -> None:
        gross, tax, net = item["gross"], item["tax"], item["net"]
        for table, key in ((self.by_pillar, item["pillar"]), (self.by_kab, item.get("kab", "")),
                           (self.by_office, item.get("office", "")), (None, None)):
            acc = self.grand if table is None else table.get(key)
            if acc is None:
                acc = table[key] = [0, 0, 0, 0]
            acc[0] += 1
            acc[1] += gross
            acc[2] += tax
            acc[3] += net

    def as_dict(self) -> dict:
        def rows(table: dict) -> dict:
            return {k: dict(zip(("count", "gross", "tax", "net"), v, strict=True)) for k, v in sorted(table.items())}

        return {"by_pillar": rows(self.by_pillar), "by_kab": rows(self.by_kab), "by_office": rows(self.by_office),
                "total": dict(zip(("count", "gross", "tax", "net"), self.grand, strict=True))}


def totals_of(items: Iterable[dict]) -> Totals:
    """Count and money per pillar, kab/kota and UPT. A run's 50,000 items fall into a few hundred
    distinct (pillar, kab, office, amounts) rows: those are counted in C first, then added up."""
    rows = Counter((item["pillar"], item.get("kab", ""), item.get("office", ""), item["gross"], item["tax"],
                    item["net"]) for item in items)
    t = Totals()
    for (pillar, kab, office, gross, tax, net), n in rows.items():
        for table, key in ((t.by_pillar, pillar), (t.by_kab, kab), (t.by_office, office), (None, None)):
            acc = t.grand if table is None else table.get(key)
            if acc is None:
                acc = table[key] = [0, 0, 0, 0]
            acc[0] += n
            acc[1] += gross * n
            acc[2] += tax * n
            acc[3] += net * n
    return t


@dataclass
class RunPlan:
    """What a run would do, shown before anything is saved."""

    quarter: Quarter
    new: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    excluded: list[dict] = field(default_factory=list)
    review: dict[str, list[str]] = field(default_factory=dict)
    totals: Totals = field(default_factory=Totals)

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.updated) + len(self.removed)

    def excluded_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.excluded:
            out[row["reason"]] = out.get(row["reason"], 0) + 1
        return out


def items(db: Database, quarter: Quarter | str, statuses: Iterable[str] | None = None) -> list[dict]:
    """The items of one quarter (all revisions), optionally only some statuses."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    wanted = set(statuses) if statuses else None
    code = quarter.code
    return [v for v in db.values(quarter.collection)
            if v.get("quarter") == code and (wanted is None or v.get("status") in wanted)]


def _by_key(item_list: Iterable[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for v in item_list:
        out.setdefault((v["member_id"], v["pillar"]), []).append(v)
    return out


def _new_item(member: dict, a: dict, rate: dict, quarter: Quarter, rev: int, cash_only: bool) -> dict:
    return _item_from(member, a, _rate_fields(rate), quarter.code,
                      item_id(member["id"], a["pillar"], quarter.year, quarter.q, rev), rev, cash_only)


def _rate_fields(rate: dict) -> dict:
    """The fields an item copies from its rate (worked out once per rate, not once per item)."""
    tax = rate.get("tax", 0)
    return {"rate_id": rate["id"], "rate_kind": rate.get("kind", "OPERASIONAL"), "funding": rate["funding"],
            "gross": rate["amount"], "tax": tax, "net": rate["amount"] - tax}


def _item_from(member: dict, a: dict, fields: dict, code: str, rid: str, rev: int, cash_only: bool) -> dict:
    bank = member.get("bank") or {}
    item = {
        "id": rid, "member_id": member["id"], "pillar": a["pillar"], "position": a.get("position", ""),
        "kab": a.get("area_kab") or member.get("kab", ""), "kec": a.get("area_kec") or member.get("kec", ""),
        "office": a.get("office", ""), "quarter": code, "rev": rev,
    }
    item.update(fields)
    item["bank"] = {"name": bank.get("name", ""), "account": bank.get("account", ""), "holder": bank.get("holder", "")}
    item["method"] = "CASH" if cash_only else ""
    item["status"] = "draft"
    return item


_DRAFT_FIELDS = ("position", "kab", "kec", "office", "rate_id", "rate_kind", "funding", "gross",
                 "tax", "net", "bank", "method")


def plan_run(db: Database, quarter: Quarter | str, allow_cash: bool = False) -> RunPlan:
    """Compute a quarter's run without saving: new items, drafts to refresh, exclusions and totals.

    ``allow_cash``: members without a bank account get an item to be paid in cash instead of being
    excluded."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    with bulk():
        return _plan(db, quarter, allow_cash)


def _plan(db: Database, quarter: Quarter, allow_cash: bool) -> RunPlan:
    first, last = quarter.bounds
    plan = RunPlan(quarter)
    rate_list = [r for r in db.values("rates") if _overlaps(r["start"], r.get("end", ""), first, last)]
    existing = _by_key(items(db, quarter))
    dup_niks = {nik for nik, ids in db.index("members", "nik").items() if len(ids) > 1}
    wanted: set[tuple[str, str]] = set()
    after: list[dict] = []
    rate_cache: dict[tuple[str, str], tuple[dict, dict] | None] = {}
    code, year, q = quarter.code, quarter.year, quarter.q
    excluded = plan.excluded
    for member in db.values("members"):
        assignments = member.get("assignments")
        if not assignments:
            continue
        if len(assignments) == 1:  # the common case: one pillar, one assignment
            by_pillar = {assignments[0].get("pillar", ""): assignments}
        else:
            by_pillar = {}
            for a in assignments:
                by_pillar.setdefault(a.get("pillar", ""), []).append(a)
        mid = member["id"]
        has_account = _has_account(member.get("bank"))
        for pillar, assigns in by_pillar.items():
            key = (mid, pillar)
            have = existing.get(key, ())
            live = [v for v in have if v.get("status") in LIVE] if have else []
            if any(v.get("status") != "draft" for v in live):
                plan.unchanged += 1  # approved or paid: never touched again
                continue
            active = [a for a in assigns if _active_in(a, first, last)]
            reason = None
            if not active:
                reason = "inactive"  # a draft of theirs, if any, is removed on saving
            else:
                a = active[0] if len(active) == 1 else \
                    max(active, key=lambda x: (x.get("start") or "", x.get("status") == "ACTIVE"))
                rate_key = (pillar, a.get("position", ""))
                rate = rate_cache.get(rate_key, False)
                if rate is False:  # a handful of (pillar, position) pairs: each is looked up once
                    found = rate_for(rate_list, pillar, rate_key[1], first, last)
                    rate = rate_cache[rate_key] = (found, _rate_fields(found)) if found else None
                if rate is None:
                    reason = "no_rate"
                elif member.get("nik") in dup_niks:
                    reason = "duplicate_nik"
                elif not has_account and not allow_cash \
                        and not any(v.get("method") == "CASH" for v in live):  # kept from a run that allowed cash
                    reason = "no_bank"
                elif not live and have:
                    reason = "voided"
            if reason:
                excluded.append({"member_id": mid, "name": member.get("name", ""), "pillar": pillar,
                                 "reason": reason})
                continue
            wanted.add(key)
            rev = live[0].get("rev", 0) if live else max((v.get("rev", 0) for v in have), default=-1) + 1 if have else 0
            item = _item_from(member, a, rate[1], code, item_id(mid, pillar, year, q, rev), rev, not has_account)
            if not live:
                plan.new.append(item)
                after.append(item)
                continue
            current = live[0]
            if any(current.get(f) != item[f] for f in _DRAFT_FIELDS):
                fresh = dict(current, **{f: item[f] for f in _DRAFT_FIELDS})
                plan.updated.append(fresh)
                after.append(fresh)
            else:
                plan.unchanged += 1
                after.append(current)
    for key, have in existing.items():
        for v in have:
            if v.get("status") == "draft" and key not in wanted:
                plan.removed.append(v["id"])
            elif v.get("status") in ("approved", "paid"):
                after.append(v)
    pillars_of: dict[str, list[str]] = {}
    for v in after:
        pillars_of.setdefault(v["member_id"], []).append(v["pillar"])
    plan.review = {m: sorted(p) for m, p in pillars_of.items() if len(p) > 1}
    plan.totals = totals_of(after)
    return plan


def save_run(db: Database, plan: RunPlan) -> list[dict]:
    """Save a previewed run in one transaction; returns the items it created (not the refreshed ones)."""
    _require_province(db)
    quarter = plan.quarter
    collection = quarter.collection
    created = []
    with bulk(), db.transaction("payout.run") as tx:
        for item in plan.new:
            if db.get(collection, item["id"]) is not None:
                continue  # someone saved it since the preview
            # A tombstone under this id (a draft removed when the member stopped being eligible) is
            # superseded: the member is eligible again, and the item comes back with the same id.
            tx.put(collection, item, owner=PROVINCE_CODE)  # who and when: in the version and the audit log
            created.append(item)
        for item in plan.updated:
            current = db.get(collection, item["id"])
            if current is not None and current.get("status") == "draft":
                tx.put(collection, {k: v for k, v in item.items() if not k.startswith("_")}, owner=PROVINCE_CODE)
        for rid in plan.removed:
            current = db.get(collection, rid)
            if current is not None and current.get("status") == "draft":
                tx.delete(collection, rid, reason="payout.no_longer_eligible")
        if tx.docs:
            _touch_run(tx, db, quarter)
            t = plan.totals.grand
            tx.note("payout.run", "run", run_id(quarter),
                    note=f"{quarter.code}: +{len(created)} items, {len(plan.updated)} refreshed, "
                         f"{len(plan.removed)} removed; total {t[0]} items gross {t[1]} tax {t[2]} net {t[3]}",
                    changes={"created": len(created), "gross": t[1], "net": t[3]})
    return created


def run_quarter(db: Database, quarter: Quarter | str, dry_run: bool = False,
                allow_cash: bool = False) -> tuple[RunPlan, list[dict]]:
    """Plan and (unless ``dry_run``) save a quarter's run."""
    if not dry_run:
        _require_province(db)
    plan = plan_run(db, quarter, allow_cash=allow_cash)
    return plan, ([] if dry_run else save_run(db, plan))


# ---------------------------------------------------------------------------- the run header

def get_run(db: Database, quarter: Quarter | str) -> dict | None:
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    return db.get("runs", run_id(quarter))


def run_status(item_list: Iterable[dict]) -> str:
    """draft while any item awaits approval; paid when every live item is paid; else approved."""
    statuses = {v.get("status") for v in item_list} - {"void"}
    if not statuses:
        return "empty"
    if "draft" in statuses:
        return "draft"
    return "paid" if statuses == {"paid"} else "approved"


def _touch_run(tx, db: Database, quarter: Quarter, approval: dict | None = None) -> None:
    rid = run_id(quarter)
    current = tx.get("runs", rid) or {"id": rid, "quarter": quarter.code, "year": quarter.year,
                                       "created_at": now_iso(), "created_by": db.operator, "approvals": []}
    # Status and totals from the stored items overlaid with this transaction's staged versions.
    state = {v["id"]: (v.get("status"), v["gross"], v["tax"], v["net"]) for v in items(db, quarter)}
    for (collection, rid), doc in tx.docs.items():
        if collection != quarter.collection:
            continue
        top = doc["v"][0]
        d = top["data"] if len(doc["v"]) == 1 and not top["deleted"] else db.value_of(doc)  # no copy: read only
        if d is None:
            state.pop(rid, None)
        elif d.get("quarter") == quarter.code:
            state[rid] = (d.get("status"), d["gross"], d["tax"], d["net"])
    value = {k: v for k, v in current.items() if not k.startswith("_")}
    value["status"] = run_status({"status": s[0]} for s in state.values())
    t = [0, 0, 0, 0]
    for status, gross, tax, net in state.values():
        if status in LIVE:
            t[0] += 1
            t[1] += gross
            t[2] += tax
            t[3] += net
    value.update(count=t[0], gross=t[1], tax=t[2], net=t[3])
    if approval:
        value["approvals"] = list(value.get("approvals", [])) + [approval]
        value["approved_by"], value["approved_at"] = approval["by"], approval["at"]
    tx.put("runs", value, owner=PROVINCE_CODE)


# ---------------------------------------------------------------------------- lifecycle

def _conflicted(item_list: Iterable[dict]) -> list[dict]:
    return [v for v in item_list if v.get("_conflict")]


def approve(db: Database, quarter: Quarter | str) -> dict:
    """Approve every draft item of a quarter in one transaction; returns count and totals."""
    _require_province(db)
    _require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    drafts = items(db, quarter, ("draft",))
    if not drafts:
        raise PilarError("payout.nothing_to_approve", quarter=quarter.code)
    bad = _conflicted(drafts)
    run = get_run(db, quarter)
    if bad or (run and run.get("_conflict")):
        raise PilarError("payout.conflict.approve", count=len(bad) or 1)
    at = now_iso()
    t = totals_of(drafts).grand
    with bulk(), db.transaction("payout.approve") as tx:
        for v in drafts:
            tx.put(quarter.collection, dict(_plain(v), status="approved", approved_by=db.operator, approved_at=at),
                   owner=PROVINCE_CODE)
        approval = {"by": db.operator, "at": at, "count": t[0], "gross": t[1], "tax": t[2], "net": t[3]}
        _touch_run(tx, db, quarter, approval)
        tx.note("payout.approve", "run", run_id(quarter),
                note=f"{quarter.code}: approved {t[0]} items, gross {t[1]}, tax {t[2]}, net {t[3]}",
                changes={"count": t[0], "gross": t[1], "tax": t[2], "net": t[3]})
    return {"quarter": quarter.code, "count": t[0], "gross": t[1], "tax": t[2], "net": t[3], "by": db.operator,
            "at": at}


def _plain(value: dict) -> dict:
    return {k: v for k, v in value.items() if not k.startswith("_")}


def _payable(db: Database, quarter: Quarter, member_ids: Iterable[str] | None) -> list[dict]:
    approved = items(db, quarter, ("approved",))
    if member_ids:
        wanted = set(member_ids)
        unknown = wanted - {v["member_id"] for v in approved}
        if unknown:
            raise PilarError("payout.not_payable", count=len(unknown), quarter=quarter.code,
                             ids=", ".join(sorted(unknown)[:5]))
        approved = [v for v in approved if v["member_id"] in wanted]
    if not approved:
        raise PilarError("payout.nothing_to_pay", quarter=quarter.code)
    bad = _conflicted(approved)
    if bad:
        raise PilarError("payout.conflict.pay", count=len(bad))
    return approved


def _mark_paid(db: Database, quarter: Quarter, chosen: list[dict], paid: dict, summary: str) -> dict:
    at = now_iso()
    t = totals_of(chosen).grand
    with bulk(), db.transaction("payout.pay") as tx:
        for v in chosen:
            extra = paid(v) if callable(paid) else paid
            tx.put(quarter.collection, dict(_plain(v), status="paid", paid_at=at, paid_by=db.operator, **extra),
                   owner=PROVINCE_CODE)
        _touch_run(tx, db, quarter)
        tx.note("payout.pay", "run", run_id(quarter),
                note=f"{quarter.code}: {summary}; paid {t[0]} items, gross {t[1]}, tax {t[2]}, net {t[3]}",
                changes={"count": t[0], "gross": t[1], "tax": t[2], "net": t[3]})
    return {"quarter": quarter.code, "count": t[0], "gross": t[1], "tax": t[2], "net": t[3],
            "ids": [v["id"] for v in chosen]}


def pay_transfer(db: Database, quarter: Quarter | str, ref: str, member_ids: Iterable[str] | None = None) -> dict:
    """Mark approved items paid by bank transfer with the bank's reference (all, or these members')."""
    _require_province(db)
    _require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    ref = str(ref or "").strip()
    if not ref:
        raise PilarError("payout.need_ref")
    chosen = _payable(db, quarter, member_ids)
    cash_only = [v for v in chosen if v.get("method") == "CASH" or not _has_account(v.get("bank"))]
    if member_ids and cash_only:
        raise PilarError("payout.no_account_for_transfer", count=len(cash_only))
    chosen = [v for v in chosen if v not in cash_only]
    if not chosen:
        raise PilarError("payout.nothing_to_pay", quarter=quarter.code)
    return _mark_paid(db, quarter, chosen, {"method": "TRANSFER", "transfer_ref": ref}, f"transfer ref {ref}")


def checked_in_invitation(db: Database, event_id: str, member_id: str) -> dict | None:
    """The member's invitation to the event when they were checked in (hadir), else None."""
    from storage.events import invitation_id

    inv = db.get("invitations", invitation_id(event_id, member_id))
    if inv and inv.get("event_id") == event_id and inv.get("status") == "HADIR":
        return inv
    return None


def pay_cash(db: Database, quarter: Quarter | str, event_id: str, member_ids: Iterable[str] | None = None) -> dict:
    """Mark approved items paid in cash at an event, each linked to the member's check-in there.

    Without ``member_ids``: every approved item whose member is checked in at the event."""
    _require_province(db)
    _require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    event = db.get("events", event_id)
    if event is None:
        raise PilarError("payout.event_unknown", id=event_id)
    chosen = _payable(db, quarter, member_ids)
    links: dict[str, str] = {}
    absent = []
    for v in chosen:
        inv = checked_in_invitation(db, event_id, v["member_id"])
        if inv is None:
            absent.append(v)
        else:
            links[v["id"]] = inv["id"]
    if member_ids and absent:
        raise PilarError("payout.not_checked_in", count=len(absent), event=event.get("name", event_id))
    chosen = [v for v in chosen if v["id"] in links]
    if not chosen:
        raise PilarError("payout.nobody_checked_in", event=event.get("name", event_id))
    return _mark_paid(db, quarter, chosen,
                      lambda v: {"method": "CASH", "event_id": event_id, "invitation_id": links[v["id"]]},
                      f"cash at event {event_id}")


def void(db: Database, rid: str, reason: str, reissue: bool = False) -> dict:
    """Void a draft or approved item with a reason; ``reissue`` adds its replacement (a new id, a new
    draft from today's roster and rates) in the same transaction. Returns the replacement or the item."""
    _require_province(db)
    _require_operator(db)
    reason = str(reason or "").strip()
    if not reason:
        raise PilarError("payout.need_reason")
    item, collection = find_item(db, rid)
    if item is None:
        raise PilarError("payout.item_unknown", id=rid)
    if item.get("_conflict"):
        raise PilarError("payout.conflict.void", count=1)
    if item["status"] == "paid":
        raise PilarError("payout.void_paid", id=rid)
    if item["status"] == "void":
        raise PilarError("payout.already_void", id=rid)
    quarter = Quarter.parse(item["quarter"])
    replacement = _replacement(db, item, quarter) if reissue else None
    with db.transaction("payout.void") as tx:
        tx.put(collection, dict(_plain(item), status="void", void_reason=reason, voided_by=db.operator,
                                voided_at=now_iso(), **({"replaced_by": replacement["id"]} if replacement else {})),
               owner=PROVINCE_CODE)
        if replacement:
            tx.put(collection, dict(replacement, replaces=rid), owner=PROVINCE_CODE)
        _touch_run(tx, db, quarter)
        tx.note("payout.void", "payout", rid, note=f"{item['quarter']} {item['pillar']}: void net {item['net']}: {reason}",
                changes={"net": item["net"]})
    return db.get(collection, replacement["id"]) if replacement else db.get(collection, rid)


def reissue(db: Database, rid: str) -> dict:
    """A new draft item replacing a voided one that was not replaced yet."""
    _require_province(db)
    _require_operator(db)
    item, collection = find_item(db, rid)
    if item is None:
        raise PilarError("payout.item_unknown", id=rid)
    if item["status"] != "void":
        raise PilarError("payout.reissue_not_void", id=rid)
    quarter = Quarter.parse(item["quarter"])
    replacement = _replacement(db, item, quarter)
    with db.transaction("payout.reissue") as tx:
        tx.put(collection, dict(replacement, replaces=rid), owner=PROVINCE_CODE)
        tx.put(collection, dict(_plain(item), replaced_by=replacement["id"]), owner=PROVINCE_CODE)
        _touch_run(tx, db, quarter)
    return db.get(collection, replacement["id"])


def _replacement(db: Database, item: dict, quarter: Quarter) -> dict:
    siblings = [v for v in items(db, quarter) if v["member_id"] == item["member_id"] and v["pillar"] == item["pillar"]]
    if any(v.get("status") in LIVE and v["id"] != item["id"] for v in siblings):
        raise PilarError("payout.already_has_item", quarter=quarter.code)
    member = db.get("members", item["member_id"])
    first, last = quarter.bounds
    active = [a for a in (member or {}).get("assignments", []) if a.get("pillar") == item["pillar"]
              and _active_in(a, first, last)]
    if not member or not active:
        raise PilarError("payout.not_eligible", quarter=quarter.code)
    a = max(active, key=lambda x: (x.get("start") or "", x.get("status") == "ACTIVE"))
    rate = rate_for(db.values("rates"), item["pillar"], a.get("position", ""), first, last)
    if rate is None:
        raise PilarError("payout.no_rate_for", pillar=item["pillar"], quarter=quarter.code)
    rev = max(v.get("rev", 0) for v in siblings) + 1
    return _new_item(member, a, rate, quarter, rev, not _has_account(member.get("bank")))


def members_by_id(db: Database) -> dict[str, dict]:
    """Every live member value by id, without copies (read-only): for documents over thousands of items."""
    return {m["id"]: m for m in db.values("members")}


def match_items(item_list: Iterable[dict], members: dict[str, dict], text: str) -> list[dict]:
    """The items a clerk means by ``text``: part of the member's name (case and spacing ignored), the
    NIK or its last digits (4 or more), a membership number, a transfer reference, or an item id."""
    query = " ".join(str(text or "").casefold().split())
    if not query:
        return list(item_list)
    digits = query.isdigit() and len(query) >= 4
    number = "".join(ch for ch in query.upper() if ch.isalnum())
    out = []
    for v in item_list:
        m = members.get(v["member_id"]) or {}
        if (query in " ".join(str(m.get("name") or "").casefold().split())
                or (digits and str(m.get("nik") or "").endswith(query))
                or (number and any("".join(ch for ch in str(a.get("number") or "").upper() if ch.isalnum()) == number
                                   for a in m.get("assignments") or []))
                or query == str(v.get("transfer_ref") or "").casefold() or v["id"].startswith(query)):
            out.append(v)
    return out


def find_item(db: Database, rid: str) -> tuple[dict | None, str]:
    for collection in db.collections():
        if collection.startswith("payouts_"):
            value = db.get(collection, rid)
            if value is not None:
                return value, collection
    return None, ""


# ---------------------------------------------------------------------------- views

def summary(db: Database, quarter: Quarter | str) -> dict:
    """Totals of a quarter's live items (as the documents and the screen show them) and per status."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    with bulk():
        all_items = items(db, quarter)
        live = [v for v in all_items if v.get("status") in LIVE]
        out = totals_of(live).as_dict()
    per_status: dict[str, dict] = {}
    for v in all_items:
        row = per_status.setdefault(v["status"], {"count": 0, "net": 0})
        row["count"] += 1
        row["net"] += v["net"]
    out.update(quarter=quarter.code, status=run_status(all_items), by_status=per_status,
               conflicts=len(_conflicted(all_items)))
    return out


def outstanding(db: Database, today: dt.date | None = None) -> list[dict]:
    """Items due and not paid (draft or approved), oldest quarter first; ``arrears`` when the quarter is over."""
    with bulk():
        return _outstanding(db, (today or dt.date.today()).isoformat())


def _unpaid(db: Database, today: str) -> Iterable[tuple[dict, bool]]:
    """Every draft or approved item with whether its quarter is over (arrears)."""
    over: dict[str, bool] = {}  # per quarter code: a run has tens of thousands of items, one quarter
    for collection in db.collections():
        if not collection.startswith("payouts_"):
            continue
        for v in db.values(collection):
            if v.get("status") not in ("draft", "approved"):
                continue
            code = v["quarter"]
            arrears = over.get(code)
            if arrears is None:
                arrears = over[code] = Quarter.parse(code).bounds[1] < today
            yield v, arrears


def _outstanding(db: Database, today: str) -> list[dict]:
    members = members_by_id(db)
    rows = [{"id": v["id"], "member_id": v["member_id"], "name": members.get(v["member_id"], {}).get("name", ""),
             "quarter": v["quarter"], "pillar": v["pillar"], "status": v["status"], "net": v["net"],
             "arrears": arrears}
            for v, arrears in _unpaid(db, today)]
    rows.sort(key=lambda r: (r["quarter"], r["name"], r["pillar"]))
    return rows


def outstanding_quarters(db: Database, today: dt.date | None = None) -> list[dict]:
    """``outstanding_by_quarter(outstanding(db))`` without a row per item (the screen's summary)."""
    out: dict[str, dict] = {}
    with bulk():
        for v, arrears in _unpaid(db, (today or dt.date.today()).isoformat()):
            acc = out.get(v["quarter"])
            if acc is None:
                acc = out[v["quarter"]] = {"quarter": v["quarter"], "items": 0, "net": 0, "draft": 0,
                                           "approved": 0, "arrears": arrears}
            acc["items"] += 1
            acc["net"] += v["net"]
            acc[v["status"]] += 1
    return [out[k] for k in sorted(out)]


def outstanding_by_member(rows: list[dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for r in rows:
        acc = out.setdefault(r["member_id"], {"member_id": r["member_id"], "name": r["name"], "items": 0, "net": 0,
                                              "arrears": 0, "quarters": []})
        acc["items"] += 1
        acc["net"] += r["net"]
        if r["arrears"]:
            acc["arrears"] += r["net"]
        if r["quarter"] not in acc["quarters"]:
            acc["quarters"].append(r["quarter"])
    return sorted(out.values(), key=lambda r: (-r["net"], r["name"]))


def outstanding_by_quarter(rows: list[dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for r in rows:
        acc = out.setdefault(r["quarter"], {"quarter": r["quarter"], "items": 0, "net": 0, "draft": 0, "approved": 0,
                                            "arrears": r["arrears"]})
        acc["items"] += 1
        acc["net"] += r["net"]
        acc[r["status"]] += 1
    return [out[k] for k in sorted(out)]


@check.register
def check_payouts(db: Database) -> list[str]:
    """For ``pilar check``: money is int and adds up; no member has two standing items for one pillar
    and quarter (which would be a double payment)."""
    problems = []
    for collection in db.collections():
        if not collection.startswith("payouts_"):
            continue
        seen: dict[tuple[str, str, str], str] = {}
        for v in db.values(collection):
            amounts = [v.get(k) for k in ("gross", "tax", "net")]
            if any(type(a) is not int for a in amounts) or amounts[2] != amounts[0] - amounts[1]:
                problems.append(t("payout.check.money", id=v["id"]))
            if v.get("status") in LIVE:
                key = (v.get("member_id", ""), v.get("pillar", ""), v.get("quarter", ""))
                if key in seen:
                    problems.append(t("payout.check.twice", a=seen[key], b=v["id"], quarter=key[2]))
                seen[key] = v["id"]
    return problems


# ---------------------------------------------------------------------------- signatures and sample

SIGNERS_ID = str(uuid.uuid5(NAMESPACE, "settings:payout-signers"))


def signers(db: Database) -> dict:
    """Who signs the payout documents (treasurer and approving officer); blank lines when unset."""
    value = db.get("settings", SIGNERS_ID) or {}
    return {k: value.get(k, "") for k in ("place", "treasurer", "treasurer_nip", "officer", "officer_nip",
                                           "officer_title")}


def set_signers(db: Database, **fields: str) -> dict:
    _require_province(db)
    value = dict(signers(db), **{k: str(v) for k, v in fields.items() if v is not None})
    with db.transaction("payout.signers") as tx:
        tx.put("settings", dict(value, id=SIGNERS_ID, key="payout.signers"), owner=PROVINCE_CODE)
    return signers(db)


SAMPLE_RATES = (
    # (pillar, position, amount per quarter, demo) - the first four from Dinsos Jatim, 4 April 2024.
    ("PKH_PLUS", "KORKAB", 1_500_000, False),
    ("PKH_PLUS", "KORWIL", 1_500_000, False),
    ("TAGANA", "", 750_000, False),
    ("TKSK", "", 1_500_000, False),
    ("PKH_PLUS", "KORREG", 1_500_000, True),
    ("PKH_PLUS", "", 1_000_000, True),
    ("JSC", "", 1_000_000, True),
    ("PSM", "", 500_000, True),
    ("KARANG_TARUNA", "", 500_000, True),
    ("PORDAM", "", 500_000, True),
    ("SAKTI_PEKSOS", "", 500_000, True),
    ("PENDAMPING_DISABILITAS", "", 500_000, True),
)


def load_sample(db: Database) -> int:
    """The 2024 rates (from 2024-01-01, APBD Provinsi) and demo signers; returns how many rates were added."""
    if not db.is_province:
        return 0
    first = "2024-01-01"
    existing = {(r["pillar"], r.get("position", ""), r["start"]) for r in db.values("rates")}
    added = 0
    with db.transaction("payout.sample") as tx:
        for pillar, position, amount, demo in SAMPLE_RATES:
            if (pillar, position, first) in existing:
                continue
            rid = str(uuid.uuid5(NAMESPACE, f"sample-rate:{pillar}:{position}:{first}"))
            note = "bukan tarif resmi" if demo else "Dinsos Jatim 2024 (Sinergitas Pilar Sosial, 4 April 2024)"
            tx.put("rates", {"id": rid, "pillar": pillar, "position": position, "amount": amount, "tax": 0,
                             "start": first, "end": "", "funding": "APBD_PROVINSI",
                             "kind": "OPERASIONAL" if pillar != "TAGANA" else "TALI_ASIH", "note": note,
                             "demo": demo}, owner=PROVINCE_CODE)
            added += 1
        if db.get("settings", SIGNERS_ID) is None:
            tx.put("settings", {"id": SIGNERS_ID, "key": "payout.signers", "place": "Surabaya",
                                "treasurer": "Bendahara Pengeluaran (contoh)", "treasurer_nip": "",
                                "officer": "Pejabat Pembuat Komitmen (contoh)", "officer_nip": "",
                                "officer_title": "Pejabat Pembuat Komitmen"}, owner=PROVINCE_CODE)
    return added
