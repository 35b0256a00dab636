"""A quarter cancelled (refocusing, a cut) and reopened: its unpaid items voided with the reason, no run
saved for it meanwhile, the voided items drafted again when it is reopened. Kept on the run header
(``cancelled`` {reason, by, at}; ``reopened`` [...]) and audited; every member's statement and notice
says why (:mod:`storage.payouts.statement`)."""

from __future__ import annotations

from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.errors import PilarError
from storage.office.settings import require_operator, require_province
from storage.payouts.items import Quarter, items, run_id
from storage.payouts.lifecycle import plain_value, replacement_draft
from storage.payouts.run import get_run, update_run_header


def cancel_quarter(db: Database, quarter: Quarter | str, reason: str) -> dict:
    """Cancel a quarter's payouts with the reason (a refocusing, a cut): its drafts and approved,
    unpaid items are voided with that reason in one transaction, and no run is saved for it until it
    is reopened. Refused when anything of the quarter is paid (record the money back first)."""
    require_province(db)
    require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    reason = str(reason or "").strip()
    if not reason:
        raise PilarError("treasury.need_reason")
    if (get_run(db, quarter) or {}).get("cancelled"):
        raise PilarError("treasury.already_cancelled", quarter=quarter.code)
    all_items = items(db, quarter)
    paid = [v for v in all_items if v.get("status") == "paid"]
    if paid:
        raise PilarError("treasury.cancel_paid", quarter=quarter.code, count=len(paid))
    at = now_iso()
    voided = [v for v in all_items if v.get("status") in ("draft", "approved")]
    with db.transaction("payout.cancel_quarter") as tx:
        for v in voided:
            tx.put(quarter.collection, dict(plain_value(v), status="void", void_reason=reason, voided_by=db.operator,
                                            voided_at=at, cancelled_quarter=True), owner=PROVINCE_CODE)
        update_run_header(tx, db, quarter)
        run = {k: v for k, v in tx.get("runs", run_id(quarter)).items() if not k.startswith("_")}
        run["cancelled"] = {"reason": reason, "by": db.operator, "at": at}
        tx.put("runs", run, owner=PROVINCE_CODE)
        tx.note("payout.cancel_quarter", "run", run["id"],
                note=f"{quarter.code}: cancelled, {len(voided)} items voided, gross "
                     f"{sum(v['gross'] for v in voided)}: {reason}",
                changes={"voided": len(voided), "gross": sum(v["gross"] for v in voided)})
    return {"quarter": quarter.code, "voided": len(voided), "gross": sum(v["gross"] for v in voided),
            "net": sum(v["net"] for v in voided)}


def reopen_quarter(db: Database, quarter: Quarter | str, reason: str) -> int:
    """Undo a cancellation (the money came back to the line): the items it voided are drafted again
    and runs can be saved. Returns how many drafts came back."""
    require_province(db)
    require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    reason = str(reason or "").strip()
    if not reason:
        raise PilarError("treasury.need_reason")
    run = get_run(db, quarter)
    if not run or not run.get("cancelled"):
        raise PilarError("treasury.not_cancelled", quarter=quarter.code)
    value = {k: v for k, v in run.items() if not k.startswith("_") and k != "cancelled"}
    value["reopened"] = list(value.get("reopened") or []) + [dict(run["cancelled"], reopened_by=db.operator,
                                                                   reopened_at=now_iso(), reopen_reason=reason)]
    # The items the cancellation voided come back as new drafts (from today's roster and rates), as a
    # reissue would make them; a member no longer eligible is left out by the next run with its reason.
    pairs = []
    for v in items(db, quarter, ("void",)):
        if v.get("cancelled_quarter") and not v.get("replaced_by"):
            try:
                pairs.append((v, replacement_draft(db, v, quarter)))
            except PilarError:
                continue
    with db.transaction("payout.reopen_quarter") as tx:
        tx.put("runs", value, owner=PROVINCE_CODE)
        for old, new in pairs:
            tx.put(quarter.collection, dict(new, replaces=old["id"]), owner=PROVINCE_CODE)
            tx.put(quarter.collection, dict(plain_value(old), replaced_by=new["id"]), owner=PROVINCE_CODE)
        if pairs:
            update_run_header(tx, db, quarter)
        tx.note("payout.reopen_quarter", "run", value["id"],
                note=f"{quarter.code}: reopened, {len(pairs)} items drafted again: {reason}",
                changes={"drafted": len(pairs), "gross": sum(n["gross"] for _o, n in pairs)})
    return len(pairs)
