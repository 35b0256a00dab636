"""A payout item's life after the run: approve, pay (transfer or cash at an event), void, reissue;
and the views over it: summary, outstanding and arrears, the consistency check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from storage import check
from storage.db import PROVINCE_CODE, Database, now_iso
from storage.db import gc_paused as bulk
from storage.errors import PilarError
from storage.i18n import t
from storage.payout_base import (
    LIVE,
    Quarter,
    _require_operator,
    _require_province,
    find_item,
    items,
    members_by_id,
    run_id,
)
from storage.payout_rates import rate_for
from storage.payout_run import _active_in, _has_account, _new_item, _touch_run, get_run, run_status, totals_of

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
    """The member's invitation to the event when they were checked in (hadir) on any of its days, else None."""
    from storage.events import invitation_id

    inv = db.get("invitations", invitation_id(event_id, member_id))
    if not inv or inv.get("event_id") != event_id:
        return None
    if inv.get("status") == "HADIR" or any(d.get("status") == "HADIR" for d in (inv.get("days") or {}).values()):
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


