"""Every exclusion from a run kept with a coded reason: one record per quarter and office in ``runs``
(id ``uuid5("run-excluded:YEAR:Q:OFFICE")``, ``type`` "excluded", ``rows`` of member id, pillar and
reason code: no name, no NIK), written when a run is saved; it reaches the office it names in its
bundles (storage.sync.engine sends it to that office only), so the UPT's clerk can answer the member
at the desk (:mod:`storage.payouts.statement`).

Reason codes (``REASONS``): the run's own (inactive, no_rate, no_bank, duplicate_nik, voided,
returned, conflict) made finer where the roster says more: ``sk_ended`` (the assignment ended before
the quarter), ``not_started`` (it starts after it), ``quarter_cancelled`` (the quarter was cancelled
with a reason, :mod:`storage.payouts.cancellation`).
"""

from __future__ import annotations

import uuid

from storage.core.db import PROVINCE_CODE, Database
from storage.core.i18n import t
from storage.payouts.items import NAMESPACE, Quarter, run_id

REASONS = ("inactive", "sk_ended", "not_started", "no_rate", "no_bank", "duplicate_nik", "voided", "returned",
           "conflict", "quarter_cancelled")
EXCLUDED = "excluded"


def excluded_id(quarter: Quarter, office: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"run-excluded:{quarter.year}:{quarter.q}:{office}"))


def cancelled(db: Database, quarter: Quarter) -> dict | None:
    """{reason, by, at} when the quarter was cancelled (refocusing), else None."""
    return (db.get("runs", run_id(quarter)) or {}).get("cancelled") or None


# ---------------------------------------------------------------------------- the plan's exclusions

def office_of(member: dict, pillar: str) -> str:
    for a in member.get("assignments") or []:
        if a.get("pillar") == pillar and a.get("office"):
            return a["office"]
    return member.get("owner") or ""


def _finer(member: dict, pillar: str, first: str, last: str) -> str:
    """Why an assignment of ``pillar`` was not active in [first, last], in the roster's words."""
    assigns = [a for a in member.get("assignments") or [] if a.get("pillar") == pillar]
    if assigns and all((a.get("start") or "0000") > last for a in assigns):
        return "not_started"
    if any(a.get("end") and a["end"] < first for a in assigns) and \
            not any(a.get("status") == "ACTIVE" and not (a.get("end") and a["end"] < first) for a in assigns):
        return "sk_ended"
    return "inactive"


def finish_plan(db: Database, plan) -> bool:
    """Complete a run's preview: each exclusion gets the office it belongs to and its finer reason; a
    cancelled quarter turns every would-be item into an exclusion (True is returned: the caller works
    the totals out again); and the exclusion records the save would write are worked out
    (``plan.exclusions``, and whether they differ from what is stored)."""
    quarter = plan.quarter
    first, last = quarter.bounds
    stopped = cancelled(db, quarter)
    if stopped:
        for v in plan.new + plan.updated:
            plan.excluded.append({"member_id": v["member_id"], "name": "", "pillar": v["pillar"],
                                  "reason": "quarter_cancelled"})
        for row in plan.excluded:
            if row["reason"] == "voided":  # voided by the cancellation (or before it): the quarter is off
                row["reason"] = "quarter_cancelled"
        plan.removed.extend(v["id"] for v in plan.updated)
        plan.new, plan.updated = [], []
    by_office: dict[str, list[dict]] = {}
    for row in plan.excluded:
        member = db.value("members", row["member_id"]) or {}
        if not row.get("name"):
            row["name"] = member.get("name", "")
        if row["reason"] == "inactive":
            row["reason"] = _finer(member, row["pillar"], first, last)
        row["office"] = office_of(member, row["pillar"])
        if row.get("item_id"):
            continue  # held for a conflict, but its draft stands: the member has an item
        kept = {"member_id": row["member_id"], "pillar": row["pillar"], "reason": row["reason"]}
        if row.get("fields"):
            kept["fields"] = list(row["fields"])
        by_office.setdefault(row["office"], []).append(kept)
    for rows in by_office.values():
        rows.sort(key=lambda r: (r["member_id"], r["pillar"]))
    stored = {v["office"]: v.get("rows", []) for v in records(db, quarter)}
    for office in stored:
        by_office.setdefault(office, [])
    plan.exclusions = by_office
    plan.exclusions_changed = int(any(stored.get(o) != rows for o, rows in by_office.items()
                                      if rows or o in stored))
    return bool(stopped)


def save_exclusions(tx, db: Database, plan) -> None:
    """Stage the plan's exclusion records (one per office that has or had any) in ``tx``."""
    quarter = plan.quarter
    stored = {v["office"]: v for v in records(db, quarter)}
    for office, rows in getattr(plan, "exclusions", {}).items():
        old = stored.get(office)
        if old is not None and old.get("rows", []) == rows:
            continue
        if old is None and not rows:
            continue
        tx.put("runs", {"id": excluded_id(quarter, office), "type": EXCLUDED, "quarter": quarter.code,
                        "year": quarter.year, "office": office, "rows": rows}, owner=PROVINCE_CODE)


def records(db: Database, quarter: Quarter | None = None) -> list[dict]:
    return [v for v in db.values("runs") if v.get("type") == EXCLUDED
            and (quarter is None or v.get("quarter") == quarter.code)]


def exclusions(db: Database, quarter: Quarter, office: str | None = None) -> list[dict]:
    """The kept exclusion rows of a quarter (of one office), each with its office."""
    out = []
    for v in records(db, quarter):
        if office is None or v.get("office") == office:
            out.extend(dict(r, office=v.get("office", "")) for r in v.get("rows", []))
    return out


def reason_text(reason: str) -> str:
    return t(f"payout.reason.{reason}")
