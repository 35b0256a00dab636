"""Bea meterai (UU 10/2020) on the payout documents: each document knows its total and says when a
Rp10.000 meterai is due.

Pasal 3(2)(g): a document stating an amount of money **above Rp5.000.000** received is subject to
one meterai of Rp10.000 (Pasal 4, once per document). So a collective kwitansi (one signature for a
pillar's whole quarter) or a receipt covering several quarters (rapel) needs one; a single quarterly
tanda terima of Rp1.500.000 does not. Whether an exemption (Pasal 7 c/d: receipts of state money
from the treasury) covers volunteer honoraria is a local reading (verify with BPKAD/Inspektorat), so
the SPJ officer can override the rule per document with a reason (kept per quarter in ``settings``,
``payout.meterai``, audited). The threshold and the duty are data (``THRESHOLD``, ``DUTY``). The
kwitansi and tanda terima PDFs carry the stamp box where due; the SPJ package lists them
(``storage.payouts.documents.pdf.meterai_list``).
"""

from __future__ import annotations

import uuid

from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain.model import pillar_label
from storage.office.settings import require_operator, require_province
from storage.payouts.documents.figures import printable
from storage.payouts.items import NAMESPACE, Quarter

THRESHOLD = 5_000_000  # "lebih dari Rp5.000.000": strictly above
DUTY = 10_000


def _id(quarter: Quarter) -> str:
    return str(uuid.uuid5(NAMESPACE, f"settings:meterai:{quarter.code}"))


def overrides(db: Database, quarter: Quarter) -> dict[str, dict]:
    return dict((db.get("settings", _id(quarter)) or {}).get("overrides") or {})


def documents(db: Database, quarter: Quarter | str, draft: bool = False) -> list[dict]:
    """The quarter's documents that state an amount received, each with its total and whether a meterai
    is due: {key, doc, amount, rule (bool), due (bool), reason}. Kwitansi: one per pillar (the net of its
    recipients); tanda terima: one per member (the net on it)."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    chosen, _left = printable(db, quarter, draft)
    kinds: dict[str, int] = {}
    people: dict[str, int] = {}
    for v in chosen:
        kinds[v["pillar"]] = kinds.get(v["pillar"], 0) + v["net"]
        people[v["member_id"]] = people.get(v["member_id"], 0) + v["net"]
    over = overrides(db, quarter)
    rows = []
    for pillar, amount in sorted(kinds.items()):
        rows.append(_row(f"kwitansi:{pillar}", t("treasury.meterai.kwitansi", pillar=pillar_label(pillar)), amount, over))
    for mid, amount in people.items():
        name = (db.value("members", mid) or {}).get("name", "")
        rows.append(_row(f"receipt:{mid}", t("treasury.meterai.receipt", name=name), amount, over))
    rows.sort(key=lambda r: (not r["due"], r["key"]))
    return rows


def _row(key: str, doc: str, amount: int, over: dict) -> dict:
    rule = amount > THRESHOLD
    o = over.get(key)
    return {"key": key, "doc": doc, "amount": amount, "rule": rule, "due": o["due"] if o else rule,
            "reason": o.get("reason", "") if o else "", "overridden": bool(o)}


def due(db: Database, quarter: Quarter, key: str, amount: int) -> bool:
    """Whether the document ``key`` stating ``amount`` carries a meterai (the rule, or its override)."""
    o = overrides(db, quarter).get(key)
    return o["due"] if o else amount > THRESHOLD


def set_override(db: Database, quarter: Quarter | str, key: str, due_: bool | None, reason: str) -> dict:
    """Override the rule for one document (``due_`` True/False), or go back to the rule (None); a
    reason is required either way. Audited."""
    require_province(db)
    require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    reason = str(reason or "").strip()
    if not reason:
        raise PilarError("treasury.need_reason")
    keys = {r["key"] for r in documents(db, quarter, draft=True)}
    if key not in keys:
        raise PilarError("treasury.meterai_unknown", key=key, quarter=quarter.code)
    over = overrides(db, quarter)
    if due_ is None:
        over.pop(key, None)
    else:
        over[key] = {"due": bool(due_), "reason": reason, "by": db.operator, "at": now_iso()}
    with db.transaction("payout.meterai") as tx:
        tx.put("settings", {"id": _id(quarter), "key": "payout.meterai", "quarter": quarter.code, "overrides": over},
               owner=PROVINCE_CODE)
        tx.note("payout.meterai", "setting", _id(quarter),
                note=f"{quarter.code} {key}: meterai {'rule' if due_ is None else ('due' if due_ else 'not due')}: {reason}")
    return over
