"""A quarter's run: who is eligible, the preview (counts, totals, exclusions), saving it, the run header."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from sys import intern
from typing import NamedTuple

import orjson

from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.db import gc_paused as bulk
from storage.office.settings import require_province
from storage.payouts.exclusions import finish_plan, save_exclusions
from storage.payouts.items import LIVE, Quarter, contested, item_id, items, run_id
from storage.payouts.rates import periods_overlap, rate_for
from storage.payouts.withholding import Taxer
from storage.reconcile.duplicates import aliases

# ---------------------------------------------------------------------------- eligibility

def active_in(a: dict, first: str, last: str) -> bool:
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


def has_account(bank: dict | None) -> bool:
    account = str((bank or {}).get("account") or "")
    if not account.isdigit():  # stored accounts are digits only; anything else is counted the slow way
        account = "".join(ch for ch in account if ch.isdigit())
    return len(account) >= 6


class Sums(NamedTuple):
    """Count and money of a set of items (what an approval or a payment records)."""

    count: int
    gross: int
    tax: int
    net: int


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

    @property
    def sums(self) -> Sums:
        """The grand total by name."""
        return Sums(*self.grand)

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
    # {office: [{member_id, pillar, reason}]}: what the save keeps with the run (storage.payouts.exclusions)
    exclusions: dict[str, list[dict]] = field(default_factory=dict)
    exclusions_changed: int = 0
    saved: bool = False  # by ``save_run``: ``new`` is then what it created (SavedItems)

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.updated) + len(self.removed) + self.exclusions_changed

    @property
    def held(self) -> list[dict]:
        """Members held out for a sync conflict in their payout fields (rows of ``excluded``)."""
        return [row for row in self.excluded if row["reason"] == "conflict"]

    def excluded_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.excluded:
            out[row["reason"]] = out.get(row["reason"], 0) + 1
        return out


def _by_key(item_list: Iterable[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for v in item_list:
        out.setdefault((v["member_id"], v["pillar"]), []).append(v)
    return out


def new_item(member: dict, a: dict, rate: dict, quarter: Quarter, rev: int, cash_only: bool) -> dict:
    return _item_from(member, a, _rate_fields(rate), quarter.code,
                      item_id(member["id"], a["pillar"], quarter.year, quarter.q, rev), rev, cash_only)


def _rate_fields(rate: dict) -> dict:
    """The fields an item copies from its rate (worked out once per rate, not once per item)."""
    tax = rate.get("tax", 0)
    return {"rate_id": rate["id"], "rate_kind": rate.get("kind", "OPERASIONAL"), "funding": rate["funding"],
            "gross": rate["amount"], "tax": tax, "net": rate["amount"] - tax}


def _shared(value):
    return intern(value) if type(value) is str else value


def _item_from(member: dict, a: dict, fields: dict, code: str, rid: str, rev: int, cash_only: bool) -> dict:
    # The fields of a few hundred values (pillar, position, kab/kota, kecamatan, UPT, bank) as one string
    # each: a member's value is parsed for the run alone, and its 100,000 items would keep each its own
    # copy (about 400 bytes an item).
    bank = member.get("bank") or {}
    item = {
        "id": rid, "member_id": member["id"], "pillar": _shared(a["pillar"]), "position": _shared(a.get("position", "")),
        "kab": _shared(a.get("area_kab") or member.get("kab", "")),
        "kec": _shared(a.get("area_kec") or member.get("kec", "")), "office": _shared(a.get("office", "")),
        "quarter": code, "rev": rev,
    }
    item.update(fields)
    item["bank"] = {"name": _shared(bank.get("name", "")), "account": bank.get("account", ""),
                    "holder": bank.get("holder", "")}
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
        plan = _plan(db, quarter, allow_cash)
        if finish_plan(db, plan):  # the quarter is cancelled: what stands is what was approved or paid
            plan.totals = totals_of(v for v in items(db, quarter) if v.get("status") in ("approved", "paid"))
    return plan


def _follow_merges(db: Database, existing: dict[tuple[str, str], list[dict]], plan: RunPlan) -> None:
    """Items of a member merged into another (one person, two records: storage/reconcile/duplicates.py) count
    as the survivor's: what was approved, paid or returned for either record is the person's, so the
    survivor is never paid the same quarter and pillar again. A draft of the merged record is removed;
    the survivor's own draft (with the survivor's account) replaces it."""

    alias = aliases(db)
    if not alias:
        return
    for key in [k for k in existing if k[0] in alias]:
        have = existing.pop(key)
        target = existing.setdefault((alias[key[0]], key[1]), [])
        for v in have:
            if v.get("status") == "draft":
                plan.removed.append(v["id"])
            else:
                target.append(v)


def _plan(db: Database, quarter: Quarter, allow_cash: bool) -> RunPlan:
    taxer = Taxer(db, quarter)
    first, last = quarter.bounds
    plan = RunPlan(quarter)
    rate_list = [r for r in db.values("rates") if periods_overlap(r["start"], r.get("end", ""), first, last)]
    existing = _by_key(items(db, quarter))
    _follow_merges(db, existing, plan)
    # (no NIK index built for this: the run looks no member up, and the index would be held to the end)
    dup_niks = db.duplicate_keys("members", "nik")
    wanted: set[tuple[str, str]] = set()  # the (member, pillar) of stored items the run keeps or refreshes
    after: list[dict] = []
    rate_cache: dict[tuple[str, str], tuple[dict, dict] | None] = {}
    code, year, q = quarter.code, quarter.year, quarter.q
    excluded = plan.excluded
    for member in db.values("members", indexes=False):
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
        with_account = has_account(member.get("bank"))
        held = None  # the contested payout fields, worked out (only for a member in conflict) when needed
        for pillar, assigns in by_pillar.items():
            key = (mid, pillar)
            have = existing.get(key, ())
            live = [v for v in have if v.get("status") in LIVE] if have else []
            if any(v.get("status") != "draft" for v in live):
                plan.unchanged += 1  # approved or paid: never touched again
                continue
            if held is None:
                held = contested(db, member) if member.get("_conflict") else []
            if held:
                # Two offices changed what this payment depends on: neither version is paid until the
                # conflict is resolved. A draft made before the conflict stays, untouched, and blocks
                # approval until it is decided (approved anyway or voided).
                current = live[0] if live else None
                excluded.append({"member_id": mid, "name": member.get("name", ""), "pillar": pillar,
                                 "reason": "conflict", "fields": list(held),
                                 "item_id": current["id"] if current else ""})
                if current is not None:
                    wanted.add(key)  # (only stored items are looked up in it)
                    after.append(current)
                continue
            active = [a for a in assigns if active_in(a, first, last)]
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
                elif member.get("restricted"):
                    reason = "restricted"  # UU PDP: processing restricted (storage/privacy)
                elif member.get("nik") in dup_niks:
                    reason = "duplicate_nik"
                elif not with_account and not allow_cash \
                        and not any(v.get("method") == "CASH" for v in live):  # kept from a run that allowed cash
                    reason = "no_bank"
                elif not live and have:
                    last_one = max(have, key=lambda v: v.get("rev", 0))
                    reason = "returned" if last_one.get("status") == "returned" else "voided"
            if reason:
                excluded.append({"member_id": mid, "name": member.get("name", ""), "pillar": pillar,
                                 "reason": reason})
                continue
            if have:
                wanted.add(key)
            rev = live[0].get("rev", 0) if live else max((v.get("rev", 0) for v in have), default=-1) + 1 if have else 0
            item = _item_from(member, a, rate[1], code, item_id(mid, pillar, year, q, rev), rev, not with_account)
            taxer.apply(item, member, rate[0])  # PPh 21 as the setting and the member's tax id say
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
    # members with items in two pillars or more (a few: no list of pillars made for each of 100,000)
    counted = Counter(v["member_id"] for v in after)
    pillars_of: dict[str, list[str]] = {}
    for v in after:
        if counted[v["member_id"]] > 1:
            pillars_of.setdefault(v["member_id"], []).append(v["pillar"])
    del counted
    plan.review = {m: sorted(p) for m, p in pillars_of.items()}
    plan.totals = totals_of(after)
    return plan


class SavedItems(Sequence):
    """The items a run created, as a list of their values read back from the folder when asked for
    (copies): a quarterly run holds only their ids once they are saved, not 100,000 dicts to the end of
    the command (issue 25)."""

    def __init__(self, db: Database, collection: str, ids: list[str]) -> None:
        self.db = db
        self.collection = collection
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.db.get(self.collection, rid) for rid in self.ids[i]]
        return self.db.get(self.collection, self.ids[i])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, SavedItems)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"SavedItems({self.collection}, {len(self.ids)} items)"


def save_run(db: Database, plan: RunPlan) -> SavedItems:
    """Save a previewed run in one transaction; returns the items it created (not the refreshed ones).

    The plan's new items are handed to the transaction, which holds each as the bytes of its record
    (``Transaction.put_new``: the item's dict let go as it is staged); once saved, ``plan.new`` is the list
    of what was created, read back from the folder when asked for. A save that fails before its change is
    durable leaves the plan as it was."""
    require_province(db)
    quarter = plan.quarter
    collection = quarter.collection
    ids: list[str] = []
    # the plan's new items in their order: the id of one handed to the transaction, else the item itself
    order: list[str | dict] = []
    new = plan.new  # (each item handed over is let go: None in its place)
    staged = [0, 0, 0, 0]  # count, gross, tax, net of the items staged as bytes (for the run header)
    durable = db.session_commits
    tx = None
    try:
        with bulk(), db.transaction("payout.run") as tx:
            for i, item in enumerate(new):
                rid = item["id"]
                if db.value(collection, rid) is not None:
                    order.append(item)
                    continue  # someone saved it since the preview
                # A tombstone under this id (a draft removed when the member stopped being eligible) is
                # superseded: the member is eligible again, and the item comes back with the same id.
                item["saved_by"] = db.operator  # who made the draft (separation of duties: not its approver)
                order.append(rid)
                ids.append(rid)
                money = (item["gross"], item["tax"], item["net"])
                # who and when: in the version and the audit log
                tx.put_new(collection, item, owner=PROVINCE_CODE)
                new[i] = None
                if type(tx.docs[(collection, rid)]) is bytes:
                    staged[0] += 1
                    staged[1] += money[0]
                    staged[2] += money[1]
                    staged[3] += money[2]
            item = None
            for item in plan.updated:
                current = db.value(collection, item["id"])
                if current is not None and current.get("status") == "draft":
                    tx.put(collection, {k: v for k, v in item.items() if not k.startswith("_")} | {"saved_by": db.operator},
                           owner=PROVINCE_CODE, given=True)
            for rid in plan.removed:
                current = db.value(collection, rid)
                if current is not None and current.get("status") == "draft":
                    tx.delete(collection, rid, reason="payout.no_longer_eligible")
            save_exclusions(tx, db, plan)  # every exclusion kept with the run, with its reason
            if tx.docs:
                update_run_header(tx, db, quarter, staged=staged)
                t = plan.totals.grand
                tx.note("payout.run", "run", run_id(quarter),
                        note=f"{quarter.code}: +{len(ids)} items, {len(plan.updated)} refreshed, "
                             f"{len(plan.removed)} removed; total {t[0]} items gross {t[1]} tax {t[2]} net {t[3]}",
                        changes={"created": len(ids), "gross": t[1], "net": t[3]})
            plan.new = []  # (the transaction holds them: the list would keep them to the end of the command)
    except BaseException:
        if db.session_commits == durable:  # not saved: the plan's items as they were
            plan.new = _given_back(tx, collection, new, order)
        else:  # saved, and something after it failed (SavedButError): as saved
            plan.new = SavedItems(db, collection, ids)
            plan.saved = True
        raise
    created = SavedItems(db, collection, ids)
    plan.new = created
    plan.saved = True
    return created


def _given_back(tx, collection: str, new: list, order: list) -> list[dict]:
    """The plan's new items as they were before a save that failed: each one handed to the transaction (its
    id taken out, ``saved_by`` added; let go, None in ``new``, once staged) made again from the staged
    record, its id first, in its place in the list. ``order``: for each item gone through, its id when
    it was handed over, else the item itself."""
    out = []
    for i, entry in enumerate(order):
        if isinstance(entry, dict):
            out.append(entry)  # (saved by someone else since the preview: not handed over)
            continue
        rid = entry
        item = new[i]
        if item is None:  # staged: the data of the transaction's record
            doc = tx.docs[(collection, rid)]
            item = (orjson.loads(doc) if type(doc) is bytes else doc)["v"][0]["data"]
        fields = {k: v for k, v in item.items() if k not in ("id", "saved_by")}
        item = new[i] if new[i] is not None else {}
        item.clear()
        item["id"] = rid
        item.update(fields)
        out.append(item)
    out.extend(new[len(order):])
    return out


def run_quarter(db: Database, quarter: Quarter | str, dry_run: bool = False,
                allow_cash: bool = False) -> tuple[RunPlan, list[dict]]:
    """Plan and (unless ``dry_run``) save a quarter's run."""
    if not dry_run:
        require_province(db)
    plan = plan_run(db, quarter, allow_cash=allow_cash)
    return plan, ([] if dry_run else save_run(db, plan))


# ---------------------------------------------------------------------------- the run header

def get_run(db: Database, quarter: Quarter | str) -> dict | None:
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    return db.get("runs", run_id(quarter))


def run_status(item_list: Iterable[dict]) -> str:
    """draft while any item awaits approval; paid when every live item is paid; else approved."""
    statuses = {v.get("status") for v in item_list} - {"void", "returned"}
    if not statuses:
        return "empty"
    if "draft" in statuses:
        return "draft"
    return "paid" if statuses == {"paid"} else "approved"


def update_run_header(tx, db: Database, quarter: Quarter, approval: dict | None = None,
                      staged: list[int] | None = None) -> None:
    """The run's header (status, count and money of its live items) as the transaction leaves them.
    ``staged``: count, gross, tax and net of the new drafts ``tx`` holds as bytes (``save_run``, which
    counted them as it handed them over), not parsed again here."""
    rid = run_id(quarter)
    current = tx.get("runs", rid) or {"id": rid, "quarter": quarter.code, "year": quarter.year,
                                       "created_at": now_iso(), "created_by": db.operator, "approvals": []}
    # Status and totals from the stored items overlaid with this transaction's staged versions.
    state = {v["id"]: (v.get("status"), v["gross"], v["tax"], v["net"]) for v in items(db, quarter)}
    for (collection, rid), doc in tx.docs.items():
        if collection != quarter.collection:
            continue
        if type(doc) is bytes:  # a new draft staged as its bytes (``Transaction.put_new``)
            if staged is not None:
                continue  # (counted by the caller)
            doc = orjson.loads(doc)
        top = doc["v"][0]
        d = top["data"] if len(doc["v"]) == 1 and not top["deleted"] else db.value_of(doc)  # no copy: read only
        if d is None:
            state.pop(rid, None)
        elif d.get("quarter") == quarter.code:
            state[rid] = (d.get("status"), d["gross"], d["tax"], d["net"])
    value = {k: v for k, v in current.items() if not k.startswith("_")}
    drafts = [{"status": "draft"}] if staged and staged[0] else []
    value["status"] = run_status(itertools.chain(({"status": s[0]} for s in state.values()), drafts))
    t = list(staged) if staged else [0, 0, 0, 0]
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


