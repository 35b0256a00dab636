"""What an erasure of a person's data (UU PDP 27/2022 Pasal 43-44, issue 27) leaves in each record.

Kept apart from ``storage.privacy`` because the data core (``storage.core.db``) needs it too: a write made
on a record that was erased carries the erasure on (see ``Transaction.put``), so a later change at
the province (a payout marked paid, a check-in corrected) never puts personal data back.

- the member: a tombstone whose data is only the marker ``{"erased": {...}}``;
- a payout item (``payouts_<year>``): keeps what audit needs (amount, tax, net, quarter, pillar, status,
  dates, the transfer reference, the member's random id as a pseudonymous reference), loses the bank
  account and holder;
- an invitation: keeps the event, pillar, position, area and attendance, loses the name, the
  membership number and a walk-in's free-text reason;
- a privacy request about the person: keeps kind, dates and status, loses its free-text note.

The marker ``{"on": "YYYY-MM-DD", "by": office, "request": request id or "", "why": "request"|"retention"}``
holds no personal data.
"""

from __future__ import annotations

from typing import Any

# Fields removed from a linked record's data (dotted for nested ones).
PERSONAL: dict[str, tuple[str, ...]] = {
    "payouts": ("bank.account", "bank.holder", "name", "nik", "phone", "review_reason"),
    "invitations": ("name", "number", "walk_in_reason", "nik", "phone"),
    "privacy": ("note", "name", "nik", "phone"),
}


def family(collection: str) -> str:
    return "payouts" if collection.startswith("payouts_") else collection


def redact(collection: str, data: dict[str, Any], marker: dict[str, Any]) -> dict[str, Any]:
    """``data`` as an erasure leaves it in ``collection`` (a new dict; ``marker`` set as ``erased``)."""
    if collection == "members":
        return {"erased": dict(marker)}
    out = dict(data)
    for name in PERSONAL.get(family(collection), ("name", "nik", "phone", "address", "bank")):
        head, _, tail = name.partition(".")
        if tail:
            inner = out.get(head)
            if isinstance(inner, dict) and tail in inner:
                inner = dict(inner)
                del inner[tail]
                out[head] = inner
        else:
            out.pop(head, None)
    out["erased"] = dict(marker)
    return out
