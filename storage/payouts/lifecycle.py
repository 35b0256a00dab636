"""A payout item's life after the run: approve, pay (transfer or cash at an event), void, reissue;
and the views over it: summary, outstanding and arrears, the consistency check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.db import gc_paused as bulk
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain.fmt import mask_account
from storage.domain.validate import clean_account
from storage.events.records import invitation_id
from storage.office.settings import require_operator, require_province, separate_duties
from storage.payouts import bankfile as bank_file
from storage.payouts.budget import check_approval
from storage.payouts.items import (
    LIVE,
    Quarter,
    bank_contested,
    check_date,
    contested,
    contested_label,
    find_item,
    item_id,
    items,
    members_by_id,
    run_id,
)
from storage.payouts.rates import rate_for
from storage.payouts.run import (
    active_in,
    get_run,
    has_account,
    new_item,
    run_status,
    totals_of,
    update_run_header,
)

# ---------------------------------------------------------------------------- lifecycle

def _conflicted(item_list: Iterable[dict]) -> list[dict]:
    return [v for v in item_list if v.get("_conflict")]


def duties_refusal(db: Database, quarter: Quarter | str, chosen: list[dict] | None = None) -> PilarError | None:
    """Separation of duties at approval: the refusal when this operator saved any of ``chosen`` (default:
    the quarter's drafts), None when the rule is off or nothing is theirs. :func:`approve` enforces it;
    the screen asks it first, before any decision is asked for."""
    if not separate_duties(db):
        return None
    quarter = Quarter.of(quarter)
    if chosen is None:
        chosen = items(db, quarter, ("draft",))
    creator = (get_run(db, quarter) or {}).get("created_by", "")
    mine = [v for v in chosen if (v.get("saved_by") or creator) == db.operator]
    return PilarError("payout.duties.approve", operator=db.operator, count=len(mine)) if mine else None


def approval_blockers(db: Database, quarter: Quarter | str) -> list[dict]:
    """Draft items of a quarter that are not approved with the rest until each is decided (approved
    anyway with a reason, or voided): ``conflict`` when two offices changed the member's payout fields
    (bank account, holder, NIK, assignments), ``multi_pillar`` when the member stands to be paid under
    two or more pillars (perlu diperiksa), ``account`` when the item's account (paid by transfer) would
    be refused by the office's bank template (digits, length, holder: :func:`storage.payouts.bankfile.check_account`)
    and so left out of the bank file. A row: id, member_id, name, pillar, net, reasons, fields,
    ``account_problem`` ({"problem", "detail", "account" masked, "bank"} or None) and ``can_approve``
    (False while the account or its holder is contested: that item can only be voided)."""
    quarter = Quarter.of(quarter)
    all_items = items(db, quarter)
    tpl = bank_file.template(bank_file.chosen(db.office))
    live_count: dict[str, int] = {}
    for v in all_items:
        if v.get("status") in LIVE:
            live_count[v["member_id"]] = live_count.get(v["member_id"], 0) + 1
    rows = []
    for v in all_items:
        if v.get("status") != "draft":
            continue
        mid = v["member_id"]
        member = db.value("members", mid)
        fields = contested(db, member) if member is not None and member.get("_conflict") else []
        reasons = (["conflict"] if fields else []) + (["multi_pillar"] if live_count.get(mid, 0) > 1 else [])
        account = None
        if v.get("method") != "CASH":
            b = v.get("bank") or {}
            why = bank_file.check_account(tpl, b.get("account"), b.get("holder"), b.get("name"))
            if why:
                reasons.append("account")
                detail = dict(why[1])
                account = {"problem": why[0], "bank": detail.pop("bank", bank_file.label(tpl)), "detail": detail,
                           "account": mask_account(clean_account(b.get("account")))}
        if reasons:
            rows.append({"id": v["id"], "member_id": mid, "name": (member or {}).get("name", ""),
                         "pillar": v["pillar"], "net": v["net"], "reasons": reasons, "fields": fields,
                         "account_problem": account, "can_approve": not bank_contested(fields)})
    rows.sort(key=lambda r: (r["name"].casefold(), r["pillar"], r["id"]))
    return rows


def blocker_label(row: dict) -> str:
    """'konflik sinkronisasi (rekening)' / 'dibayar di dua pilar atau lebih: perlu diperiksa' /
    'rekening *****6789: 9 digit, Bank Jatim perlu 10: perbaiki di data anggota, lalu hitung ulang' (the
    account masked: this text also goes into the audit log and error messages)."""
    parts = []
    for reason in row["reasons"]:
        if reason == "account" and row.get("account_problem"):
            p = row["account_problem"]
            parts.append(t(f"payout.reason.account.{p['problem']}", account=p["account"], bank=p["bank"],
                           **p["detail"]))
            continue
        text = t(f"payout.reason.{reason}")
        if reason == "conflict" and row.get("fields"):
            text += f" ({contested_label(row['fields'])})"
        parts.append(text)
    return "; ".join(parts)


def _decisions(drafts: list[dict], decisions: Mapping[str, object] | None) -> dict[str, tuple[str, str]]:
    """{item id: (action, reason)} from ids or unique id prefixes (8 characters or more)."""
    out: dict[str, tuple[str, str]] = {}
    ids = [v["id"] for v in drafts]
    for key, decision in (decisions or {}).items():
        key = str(key).strip().lower()
        hits = [i for i in ids if i == key] or ([i for i in ids if i.startswith(key)] if len(key) >= 8 else [])
        if len(hits) != 1:
            raise PilarError("payout.decision_unknown", id=key)
        if isinstance(decision, Mapping):
            action, reason = decision.get("action"), decision.get("reason")
        else:
            action, reason = decision
        action = str(action or "").strip().lower()
        if action not in ("approve", "void"):
            raise PilarError("payout.decision_bad_action", id=key, value=action)
        reason = str(reason or "").strip()
        if not reason:
            raise PilarError("payout.decision_need_reason", id=key)
        out[hits[0]] = (action, reason)
    return out


def approve(db: Database, quarter: Quarter | str, decisions: Mapping[str, object] | None = None) -> dict:
    """Approve every draft item of a quarter in one transaction; returns count and totals.

    Items held for a member in conflict or flagged for review (:func:`approval_blockers`) need a
    decision each in ``decisions`` ({item id or 8+ character prefix: {"action": "approve"|"void",
    "reason": "…"}}, or an (action, reason) pair): approval is refused while one is undecided. With
    separation of duties on, the operator who saved a draft cannot approve it."""
    require_province(db)
    require_operator(db)
    quarter = Quarter.of(quarter)
    drafts = items(db, quarter, ("draft",))
    if not drafts:
        raise PilarError("payout.nothing_to_approve", quarter=quarter.code)
    bad = _conflicted(drafts)
    run = get_run(db, quarter)
    if bad or (run and run.get("_conflict")):
        raise PilarError("payout.conflict.approve", count=len(bad) or 1)
    decided = _decisions(drafts, decisions)
    voids = {rid for rid, (action, _r) in decided.items() if action == "void"}
    chosen = [v for v in drafts if v["id"] not in voids]
    refusal = duties_refusal(db, quarter, chosen)
    if refusal is not None:
        raise refusal
    blockers = approval_blockers(db, quarter)
    undecided = [b for b in blockers if b["id"] not in decided]
    if undecided:
        listing = "; ".join(f"{b['name'] or b['member_id'][:8]} {b['pillar']} {b['id'][:8]}: {blocker_label(b)}"
                            for b in undecided[:5])
        more = f" (+{len(undecided) - 5})" if len(undecided) > 5 else ""
        raise PilarError("payout.approve.undecided", count=len(undecided), items=listing + more,
                         quarter=quarter.code)
    by_id = {b["id"]: b for b in blockers}
    for rid, (action, _reason) in decided.items():
        b = by_id.get(rid)
        if action == "approve" and b is not None and not b["can_approve"]:
            raise PilarError("payout.conflict.bank_contested", name=b["name"] or b["member_id"][:8],
                             fields=contested_label(b["fields"]))
    check_approval(db, quarter, chosen)  # the pagu: refused beyond it unless a recorded decision raised it
    at = now_iso()
    sums = totals_of(chosen).sums
    with bulk(), db.transaction("payout.approve") as tx:
        for v in drafts:
            decision = decided.get(v["id"])
            if decision and decision[0] == "void":
                tx.put(quarter.collection, dict(plain_value(v), status="void", void_reason=decision[1],
                                                voided_by=db.operator, voided_at=at), owner=PROVINCE_CODE)
                tx.note("payout.void", "payout", v["id"], note=f"{quarter.code} {v['pillar']}: void net {v['net']} "
                        f"at approval ({blocker_label(by_id[v['id']]) if v['id'] in by_id else '-'}): {decision[1]}",
                        changes={"net": v["net"]})
                continue
            extra = {}
            if decision:
                extra = {"review_reason": decision[1], "review_by": db.operator,
                         "review_of": by_id[v["id"]]["reasons"] if v["id"] in by_id else []}
            tx.put(quarter.collection, dict(plain_value(v), status="approved", approved_by=db.operator, approved_at=at,
                                            **extra), owner=PROVINCE_CODE)
            if decision:
                tx.note("payout.approve_anyway", "payout", v["id"],
                        note=f"{quarter.code} {v['pillar']}: approved anyway net {v['net']} "
                             f"({blocker_label(by_id[v['id']]) if v['id'] in by_id else '-'}): {decision[1]}",
                        changes={"net": v["net"]})
        approval = {"by": db.operator, "at": at, "count": sums.count, "gross": sums.gross, "tax": sums.tax, "net": sums.net,
                    "decided": len(decided), "voided": len(voids)}
        update_run_header(tx, db, quarter, approval)
        tx.note("payout.approve", "run", run_id(quarter),
                note=f"{quarter.code}: approved {sums.count} items, gross {sums.gross}, tax {sums.tax}, net {sums.net}"
                     + (f"; {len(decided)} decided ({len(voids)} voided)" if decided else ""),
                changes={"count": sums.count, "gross": sums.gross, "tax": sums.tax, "net": sums.net})
    return {"quarter": quarter.code, "count": sums.count, "gross": sums.gross, "tax": sums.tax, "net": sums.net, "by": db.operator,
            "at": at, "voided": len(voids), "decided": len(decided)}


def plain_value(value: dict) -> dict:
    return {k: v for k, v in value.items() if not k.startswith("_")}


def held_for_pay(db: Database, item_list: Iterable[dict]) -> list[dict]:
    """Items whose member's bank account or holder is contested between conflict siblings now."""
    out = []
    for v in item_list:
        member = db.value("members", v["member_id"])
        if member is not None and member.get("_conflict") and bank_contested(contested(db, member)):
            out.append(v)
    return out


def _payable(db: Database, quarter: Quarter, member_ids: Iterable[str] | None) -> tuple[list[dict], list[dict]]:
    """The approved items to pay and those held back (account in conflict; only when not chosen by name)."""
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
    held = held_for_pay(db, approved)
    if held:
        if member_ids:
            raise PilarError("payout.conflict.member_pay", count=len(held), names=_names(db, held))
        approved = [v for v in approved if v not in held]
    return approved, held


def _names(db: Database, item_list: Iterable[dict], limit: int = 5) -> str:
    names = []
    for v in item_list:
        name = (db.value("members", v["member_id"]) or {}).get("name") or v["member_id"][:8]
        if name not in names:
            names.append(name)
    return ", ".join(names[:limit]) + (f" (+{len(names) - limit})" if len(names) > limit else "")


def check_payer(db: Database, chosen: Iterable[dict]) -> None:
    """Separation of duties: whoever approved an item does not also mark it paid."""
    if not separate_duties(db):
        return
    mine = [v for v in chosen if v.get("approved_by") == db.operator]
    if mine:
        raise PilarError("payout.duties.pay", operator=db.operator, count=len(mine))


def _mark_paid(db: Database, quarter: Quarter, chosen: list[dict], paid: dict, summary: str,
               held: list[dict] | None = None) -> dict:
    check_payer(db, chosen)
    at = now_iso()
    sums = totals_of(chosen).sums
    with bulk(), db.transaction("payout.pay") as tx:
        for v in chosen:
            extra = paid(v) if callable(paid) else paid
            tx.put(quarter.collection, dict(plain_value(v), status="paid", paid_at=at, paid_by=db.operator, **extra),
                   owner=PROVINCE_CODE)
        update_run_header(tx, db, quarter)
        tx.note("payout.pay", "run", run_id(quarter),
                note=f"{quarter.code}: {summary}; paid {sums.count} items, gross {sums.gross}, tax {sums.tax}, net {sums.net}",
                changes={"count": sums.count, "gross": sums.gross, "tax": sums.tax, "net": sums.net})
    return {"quarter": quarter.code, "count": sums.count, "gross": sums.gross, "tax": sums.tax, "net": sums.net,
            "ids": [v["id"] for v in chosen], "held": [v["id"] for v in held or ()]}


def pay_transfer(db: Database, quarter: Quarter | str, ref: str, member_ids: Iterable[str] | None = None) -> dict:
    """Mark approved items paid by bank transfer with the bank's reference (all, or these members').

    Items whose member's account is in sync conflict are held back (listed in ``held``) when paying
    the whole quarter, and refused when chosen by member."""
    require_province(db)
    require_operator(db)
    quarter = Quarter.of(quarter)
    ref = str(ref or "").strip()
    if not ref:
        raise PilarError("payout.need_ref")
    chosen, held = _payable(db, quarter, member_ids)
    cash_only = [v for v in chosen if v.get("method") == "CASH" or not has_account(v.get("bank"))]
    if member_ids and cash_only:
        raise PilarError("payout.no_account_for_transfer", count=len(cash_only))
    chosen = [v for v in chosen if v not in cash_only]
    if not chosen:
        if held:
            raise PilarError("payout.conflict.member_pay", count=len(held), names=_names(db, held))
        raise PilarError("payout.nothing_to_pay", quarter=quarter.code)
    return _mark_paid(db, quarter, chosen, {"method": "TRANSFER", "transfer_ref": ref}, f"transfer ref {ref}", held)


def pay_transfers(db: Database, quarter: Quarter | str, refs: Mapping[str, str]) -> dict:
    """Mark approved transfer items paid, each member's with its own bank reference ({member id: ref})."""
    require_province(db)
    require_operator(db)
    quarter = Quarter.of(quarter)
    refs = {str(m): str(r or "").strip() for m, r in refs.items()}
    if not refs or any(not r for r in refs.values()):
        raise PilarError("payout.need_ref")
    chosen, _held = _payable(db, quarter, refs)
    cash_only = [v for v in chosen if v.get("method") == "CASH" or not has_account(v.get("bank"))]
    if cash_only:
        raise PilarError("payout.no_account_for_transfer", count=len(cash_only))
    return _mark_paid(db, quarter, chosen, lambda v: {"method": "TRANSFER", "transfer_ref": refs[v["member_id"]]},
                      f"{len(set(refs.values()))} transfer refs for {len(refs)} members")


def checked_in_invitation(db: Database, event_id: str, member_id: str) -> dict | None:
    """The member's invitation to the event when they were checked in (hadir) on any of its days, else None."""

    inv = db.get("invitations", invitation_id(event_id, member_id))
    if not inv or inv.get("event_id") != event_id:
        return None
    if inv.get("status") == "HADIR" or any(d.get("status") == "HADIR" for d in (inv.get("days") or {}).values()):
        return inv
    return None


def pay_cash(db: Database, quarter: Quarter | str, event_id: str, member_ids: Iterable[str] | None = None) -> dict:
    """Mark approved items paid in cash at an event, each linked to the member's check-in there.

    Without ``member_ids``: every approved item whose member is checked in at the event."""
    require_province(db)
    require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    event = db.get("events", event_id)
    if event is None:
        raise PilarError("payout.event_unknown", id=event_id)
    chosen, held = _payable(db, quarter, member_ids)
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
                      f"cash at event {event_id}", held)


def void_refusal(db: Database, rid: str) -> PilarError | None:
    """Why item ``rid`` cannot be voided whatever the reason (paid, returned, already void, in conflict,
    unknown), or None: the app asks this before the clerk types a reason."""
    item, _ = find_item(db, rid)
    if item is None:
        return PilarError("payout.item_unknown", id=rid)
    if item.get("_conflict"):
        return PilarError("payout.conflict.void", count=1)
    if item["status"] == "paid":
        return PilarError("payout.void_paid", id=rid)
    if item["status"] == "returned":
        return PilarError("payout.void_returned", id=rid)
    if item["status"] == "void":
        return PilarError("payout.already_void", id=rid)
    return None


def void(db: Database, rid: str, reason: str, reissue: bool = False) -> dict:
    """Void a draft or approved item with a reason; ``reissue`` adds its replacement (a new id, a new
    draft from today's roster and rates) in the same transaction. Returns the replacement or the item."""
    require_province(db)
    require_operator(db)
    reason = str(reason or "").strip()
    if not reason:
        raise PilarError("payout.need_reason")
    refusal = void_refusal(db, rid)
    if refusal is not None:
        raise refusal
    item, collection = find_item(db, rid)
    quarter = Quarter.parse(item["quarter"])
    replacement = replacement_draft(db, item, quarter) if reissue else None
    with db.transaction("payout.void") as tx:
        tx.put(collection, dict(plain_value(item), status="void", void_reason=reason, voided_by=db.operator,
                                voided_at=now_iso(), **({"replaced_by": replacement["id"]} if replacement else {})),
               owner=PROVINCE_CODE)
        if replacement:
            tx.put(collection, dict(replacement, replaces=rid), owner=PROVINCE_CODE)
        update_run_header(tx, db, quarter)
        tx.note("payout.void", "payout", rid, note=f"{item['quarter']} {item['pillar']}: void net {item['net']}: {reason}",
                changes={"net": item["net"]})
    return db.get(collection, replacement["id"]) if replacement else db.get(collection, rid)


def reissue(db: Database, rid: str) -> dict:
    """A new draft item replacing a voided one that was not replaced yet."""
    require_province(db)
    require_operator(db)
    item, collection = find_item(db, rid)
    if item is None:
        raise PilarError("payout.item_unknown", id=rid)
    if item["status"] not in ("void", "returned"):
        raise PilarError("payout.reissue_not_void", id=rid)
    quarter = Quarter.parse(item["quarter"])
    replacement = reopen_draft(db, item, quarter) if item["status"] == "returned" else replacement_draft(db, item, quarter)
    with db.transaction("payout.reissue") as tx:
        tx.put(collection, dict(replacement, replaces=rid), owner=PROVINCE_CODE)
        tx.put(collection, dict(plain_value(item), replaced_by=replacement["id"]), owner=PROVINCE_CODE)
        update_run_header(tx, db, quarter)
        tx.note("payout.reissue", "payout", replacement["id"], note=f"{item['quarter']} {item['pillar']}: "
                f"replaces {item['status']} item {rid}, net {replacement['net']}", changes={"net": replacement["net"]})
    return db.get(collection, replacement["id"])


def replacement_draft(db: Database, item: dict, quarter: Quarter) -> dict:
    siblings = [v for v in items(db, quarter) if v["member_id"] == item["member_id"] and v["pillar"] == item["pillar"]]
    if any(v.get("status") in LIVE and v["id"] != item["id"] for v in siblings):
        raise PilarError("payout.already_has_item", quarter=quarter.code)
    member = db.get("members", item["member_id"])
    _refuse_contested(db, member)
    first, last = quarter.bounds
    active = [a for a in (member or {}).get("assignments", []) if a.get("pillar") == item["pillar"]
              and active_in(a, first, last)]
    if not member or not active:
        raise PilarError("payout.not_eligible", quarter=quarter.code)
    a = max(active, key=lambda x: (x.get("start") or "", x.get("status") == "ACTIVE"))
    rate = rate_for(db.values("rates"), item["pillar"], a.get("position", ""), first, last)
    if rate is None:
        raise PilarError("payout.no_rate_for", pillar=item["pillar"], quarter=quarter.code)
    rev = max(v.get("rev", 0) for v in siblings) + 1
    return dict(new_item(member, a, rate, quarter, rev, not has_account(member.get("bank"))), saved_by=db.operator)


def _refuse_contested(db: Database, member: dict | None) -> None:
    fields = contested(db, member)
    if fields:
        raise PilarError("payout.conflict.member", name=member.get("name", ""), fields=contested_label(fields))


_KEPT = ("member_id", "pillar", "position", "kab", "kec", "office", "quarter", "rate_id", "rate_kind", "funding",
         "gross", "tax", "net")


def reopen_draft(db: Database, item: dict, quarter: Quarter) -> dict:
    """The new draft that reopens a returned item: the same entitlement (amounts, rate, pillar and
    position of that quarter), paid to the account the member has now (the bank returned the old one)."""
    siblings = [v for v in items(db, quarter) if v["member_id"] == item["member_id"] and v["pillar"] == item["pillar"]]
    if any(v.get("status") in LIVE and v["id"] != item["id"] for v in siblings):
        raise PilarError("payout.already_has_item", quarter=quarter.code)
    member = db.value("members", item["member_id"])
    if member is None:
        raise PilarError("payout.not_eligible", quarter=quarter.code)
    _refuse_contested(db, member)
    rev = max(v.get("rev", 0) for v in siblings) + 1
    bank = member.get("bank") or {}
    new = {k: item[k] for k in _KEPT if k in item}
    new.update(id=item_id(item["member_id"], item["pillar"], quarter.year, quarter.q, rev), rev=rev,
               bank={"name": bank.get("name", ""), "account": bank.get("account", ""), "holder": bank.get("holder", "")},
               method="" if has_account(bank) else "CASH", status="draft", saved_by=db.operator,
               returned_from=item["id"], returned_reason=item.get("returned_reason", ""),
               returned_on=item.get("returned_on", ""))
    return new


def return_item(db: Database, rid: str, reason: str, date: str | None = None, reopen: bool = True) -> dict:
    """Record that a paid item's money came back (a transfer returned by the bank, cash handed back),
    with the reason and the date it came back. ``reopen`` (the default) adds a new draft revision in
    the same transaction, so the member is owed the quarter again; otherwise the item is closed.
    Returns the new draft, or the returned item."""
    require_province(db)
    require_operator(db)
    reason = str(reason or "").strip()
    if not reason:
        raise PilarError("payout.need_return_reason")
    date = check_date(date or dt.date.today().isoformat(), "return_date")
    item, collection = find_item(db, rid)
    if item is None:
        raise PilarError("payout.item_unknown", id=rid)
    if item.get("_conflict"):
        raise PilarError("payout.conflict.void", count=1)
    if item["status"] != "paid":
        raise PilarError("payout.return_not_paid", id=rid, status=t(f"payout.status.{item['status']}"))
    quarter = Quarter.parse(item["quarter"])
    replacement = reopen_draft(db, item, quarter) if reopen else None
    with db.transaction("payout.return") as tx:
        record_return(tx, db, collection, item, reason, date, replacement)
        update_run_header(tx, db, quarter)
    return db.get(collection, replacement["id"]) if replacement else db.get(collection, rid)


def record_return(tx, db: Database, collection: str, item: dict, reason: str, date: str,
               replacement: dict | None, extra: dict | None = None) -> None:
    """Stage a return (and its reopening draft) in ``tx``, with the audit note."""
    rid = item["id"]
    tx.put(collection, dict(plain_value(item), status="returned", returned_reason=reason, returned_on=date,
                            returned_by=db.operator, returned_at=now_iso(), **(extra or {}),
                            **({"replaced_by": replacement["id"]} if replacement else {})), owner=PROVINCE_CODE)
    if replacement:
        tx.put(collection, dict(replacement, replaces=rid, returned_reason=reason, returned_on=date),
               owner=PROVINCE_CODE)
    tx.note("payout.return", "payout", rid,
            note=f"{item['quarter']} {item['pillar']}: returned net {item['net']} on {date} ({item.get('method') or '-'}"
                 f" {item.get('transfer_ref') or item.get('event_id') or ''}): {reason}; "
                 + (f"reopened as {replacement['id']}" if replacement else "closed"),
            changes={"net": item["net"]})


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


def returned_items(db: Database, quarter: Quarter | str | None = None) -> list[dict]:
    """Items whose money came back (retur, cash handed back), oldest quarter first, with the member's
    name and what became of them: ``reopened`` as a new draft (its id and status) or ``closed``."""
    wanted = Quarter.of(quarter).code if quarter is not None else None
    rows = []
    for collection in db.collections():
        if not collection.startswith("payouts_"):
            continue
        for v in db.values(collection):
            if v.get("status") != "returned" or (wanted and v.get("quarter") != wanted):
                continue
            member = db.value("members", v["member_id"]) or {}
            new = db.value(collection, v["replaced_by"]) if v.get("replaced_by") else None
            rows.append({"id": v["id"], "member_id": v["member_id"], "name": member.get("name", ""),
                         "quarter": v["quarter"], "pillar": v["pillar"], "net": v["net"],
                         "method": v.get("method", ""), "transfer_ref": v.get("transfer_ref", ""),
                         "account": (v.get("bank") or {}).get("account", ""), "bank": (v.get("bank") or {}).get("name", ""),
                         "returned_on": v.get("returned_on", ""), "reason": v.get("returned_reason", ""),
                         "returned_by": v.get("returned_by", ""), "reopened": v.get("replaced_by", ""),
                         "reopened_status": (new or {}).get("status", "")})
    rows.sort(key=lambda r: (r["quarter"], r["name"], r["pillar"], r["id"]))
    return rows


def outstanding(db: Database, today: dt.date | None = None) -> list[dict]:
    """Items due and not paid (draft or approved), oldest quarter first; ``arrears`` when the quarter is over;
    ``returned`` (and a ``note``) when the item reopens one whose money came back."""
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
             "arrears": arrears, "returned": bool(v.get("returned_from")),
             "note": (f"retur {v.get('returned_on', '')}: {v.get('returned_reason', '')}" if v.get("returned_from")
                      else "")}
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
                                           "approved": 0, "returned": 0, "arrears": arrears}
            acc["items"] += 1
            acc["net"] += v["net"]
            acc[v["status"]] += 1
            if v.get("returned_from"):
                acc["returned"] += 1
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
                                            "returned": 0, "arrears": r["arrears"]})
        acc["items"] += 1
        acc["net"] += r["net"]
        acc[r["status"]] += 1
        if r.get("returned"):
            acc["returned"] += 1
    return [out[k] for k in sorted(out)]


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


def payable_by_transfer(db: Database, quarter: Quarter | str) -> list[dict]:
    """Approved, unpaid items paid by transfer, in file order (kab/kota, holder); an account in sync
    conflict is not sent until resolved. Raises when none is due, or when an approved item is in conflict."""
    quarter = Quarter.of(quarter)
    approved = items(db, quarter, ("approved",))
    bad = [v for v in approved if v.get("_conflict")]
    if bad:
        raise PilarError("payout.conflict.export", count=len(bad))
    held = {v["id"] for v in held_for_pay(db, approved)}
    due = [v for v in approved if v.get("method") != "CASH" and v["id"] not in held
           and str((v.get("bank") or {}).get("account") or "").strip()]
    if not due:
        raise PilarError("payout.nothing_to_pay", quarter=quarter.code)
    return sorted(due, key=lambda v: (v.get("kab", ""), (v.get("bank") or {}).get("holder", ""), v["id"]))
