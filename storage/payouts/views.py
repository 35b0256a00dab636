"""How a payout item or a rate reads on a line: one wording for the command line and the screen."""

from __future__ import annotations

from storage.core.i18n import t
from storage.domain.fmt import short_date
from storage.domain.model import pillar_label, position_label
from storage.payouts.documents.figures import idr


def item_note(item: dict) -> str:
    """The note of an item's line: its transfer reference, the event it was paid at in cash, why it was
    voided or held (sync conflict); money that came back, and why a draft was flagged for review."""
    back = t("payout.note.returned", date=item.get("returned_on", ""), reason=item.get("returned_reason", ""))
    if item.get("status") == "returned":
        return back
    note = (item.get("transfer_ref") or (item.get("event_id") or "")[:8] or item.get("void_reason", "")
            or (t("payout.reason.conflict") if item.get("_conflict") else ""))
    if item.get("returned_from"):
        note = (note + " · " if note else "") + back
    if item.get("review_reason"):
        note = (note + " · " if note else "") + item["review_reason"]
    return note


RATE_HEADERS = ("pillar", "position", "amount", "tax", "start", "end", "funding", "kind", "note")


def rate_headers() -> list[str]:
    return [t(f"payout.h.{k}") for k in RATE_HEADERS]


def rate_row(rate: dict) -> list[str]:
    """A rate as a table row: pillar, position (or all positions), amount, tax, start, end, funding,
    kind, note (demo rates say so); dates as every form writes them (HH-BB-TTTT)."""
    return [pillar_label(rate["pillar"]),
            position_label(rate["position"]) if rate.get("position") else t("payout.all_positions"),
            idr(rate["amount"]), idr(rate.get("tax", 0)), short_date(rate["start"]),
            short_date(rate["end"]) if rate.get("end") else "…",
            t(f"payout.funding.{rate['funding']}"), t(f"payout.kind.{rate.get('kind', 'OPERASIONAL')}"),
            (t("payout.demo") + ": " if rate.get("demo") else "") + rate.get("note", "")]
