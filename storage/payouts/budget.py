"""The budget ceiling (pagu) of the payouts: per year, funding source and programme, checked before
approval and simulated before a run is saved; cuts and cancelled quarters kept with their reasons.

A pagu line is the DPA line a quarter's payouts are charged to: ``year`` (calendar year of the
quarters), ``funding`` (as on the rates: APBD_PROVINSI, APBD_KABKOTA, APBN, LAINNYA) and
``programme`` ("" for every pillar paid from that funding, or a pillar code for a line of its own;
an item is charged to its pillar's line when there is one, else to the funding's general line).

Rules that keep the budget right:

- Amounts are int rupiah; the budget is charged the **gross** of an item (net to the member and the
  tax withheld for the state are both spent from the line).
- ``paid`` are paid items; ``committed`` approved items not yet paid; ``drafts`` items of saved runs
  awaiting approval. Void and returned items charge nothing (the money did not leave, or came back).
- Approval is refused when committed + paid + what it approves would pass a line's pagu, or when
  pagu lines exist for the year and none covers an item's funding. Only a recorded decision (a raise
  with its reason and decision number, audited) lets more through. A year with no pagu line at all is
  not checked: the preview says the pagu is not set.
- A cut (refocusing) lowers a line with its reason; a cancelled quarter voids its unpaid items with
  the reason and no run can be saved for it until reopened (:mod:`storage.payouts.cancellation`).
  Both are kept on the records and audited.
- Pagu lines are the province's records (``settings``, owner JATIM) and reach every office in its
  bundles; no new collection, so older readers keep them as records they hold unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain.fmt import rupiah
from storage.domain.model import PILLARS, pillar_label
from storage.office.settings import require_operator, require_province
from storage.payouts.items import FUNDING, LIVE, NAMESPACE, Quarter, money

PAGU_KEY = "payout.pagu"


def pagu_id(year: int, funding: str, programme: str = "") -> str:
    return str(uuid.uuid5(NAMESPACE, f"pagu:{int(year)}:{funding}:{programme}"))


def parse_year(value: object) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise PilarError("treasury.bad_year", value=value) from None
    if not 2000 <= year <= 2100:
        raise PilarError("treasury.bad_year", value=value)
    return year


def parse_funding(value: object) -> str:
    funding = str(value or "").strip().upper()
    if funding not in FUNDING:
        raise PilarError("payout.unknown_funding", value=value, choices=", ".join(FUNDING))
    return funding


def parse_programme(value: object) -> str:
    programme = str(value or "").strip().upper()
    if programme and programme not in PILLARS:
        raise PilarError("treasury.bad_programme", value=value, choices=", ".join(PILLARS))
    return programme


def lines(db: Database, year: int | None = None) -> list[dict]:
    """Every pagu line (of one year), by year, funding and programme."""
    out = [v for v in db.values("settings") if v.get("key") == PAGU_KEY and (year is None or v.get("year") == year)]
    return sorted(out, key=lambda v: (v["year"], v["funding"], v.get("programme", "")))


def get_line(db: Database, year: int, funding: str, programme: str = "") -> dict | None:
    return db.get("settings", pagu_id(year, funding, programme))


def set_pagu(db: Database, year: object, funding: object, amount: object, programme: object = "",
             reason: str = "", decision: str = "", note: str = "") -> dict:
    """Set a new pagu line, or change one: lowering it is a cut, raising it needs the decision that
    raised it (its number or letter) and a reason. Every change is kept on the line and audited."""
    require_province(db)
    require_operator(db)
    year, funding, programme = parse_year(year), parse_funding(funding), parse_programme(programme)
    amount = money(amount, "amount")
    reason, decision = str(reason or "").strip(), str(decision or "").strip()
    current = get_line(db, year, funding, programme)
    before = current["amount"] if current else None
    if current is not None and amount == before:
        raise PilarError("treasury.pagu_same", amount=rupiah(amount))
    if before is not None:
        if not reason:
            raise PilarError("treasury.need_reason")
        if amount > before and not decision:
            raise PilarError("treasury.need_decision")
    kind = "set" if before is None else ("raise" if amount > before else "cut")
    if kind == "cut":
        used = usage(db, year).get(pagu_id(year, funding, programme))
        spent = (used.paid + used.committed) if used else 0
        if amount < spent:
            raise PilarError("treasury.cut_below_spent", amount=rupiah(amount), spent=rupiah(spent))
    at = now_iso()
    value = dict(current or {"id": pagu_id(year, funding, programme), "key": PAGU_KEY, "year": year,
                             "funding": funding, "programme": programme, "history": []})
    value = {k: v for k, v in value.items() if not k.startswith("_")}
    value["amount"] = amount
    if note:
        value["note"] = note
    value["history"] = list(value.get("history") or []) + [
        {"at": at, "by": db.operator, "kind": kind, "from": before, "to": amount, "reason": reason,
         "decision": decision}]
    with db.transaction("payout.pagu") as tx:
        tx.put("settings", value, owner=PROVINCE_CODE)
        tx.note(f"payout.pagu.{kind}", "setting", value["id"],
                note=f"pagu {year} {funding} {programme or '*'}: {before if before is not None else '-'} -> {amount}"
                     + (f"; {reason}" if reason else "") + (f"; decision {decision}" if decision else ""),
                changes={"from": before, "to": amount})
    return db.get("settings", value["id"])


# ---------------------------------------------------------------------------- usage

@dataclass
class Use:
    """What a pagu line is charged (gross, int rupiah), per quarter too."""

    line: dict
    paid: int = 0
    committed: int = 0
    drafts: int = 0
    adds: int = 0  # what a previewed run would leave as drafts (what-if)
    by_quarter: dict[str, list[int]] = field(default_factory=dict)  # code: [paid, committed, drafts]

    @property
    def pagu(self) -> int:
        return int(self.line.get("amount", 0))

    @property
    def remaining(self) -> int:
        return self.pagu - self.paid - self.committed

    @property
    def remaining_after(self) -> int:
        """What is left once every draft (or the previewed run's) is approved too."""
        return self.remaining - (self.adds if self.adds else self.drafts)


def line_for(by_key: dict[tuple[str, str], dict], funding: str, pillar: str) -> dict | None:
    return by_key.get((funding, pillar)) or by_key.get((funding, ""))


def _keyed(year_lines: Iterable[dict]) -> dict[tuple[str, str], dict]:
    return {(v["funding"], v.get("programme", "")): v for v in year_lines}


def usage(db: Database, year: int, extra: Iterable[dict] = (),
          also: Callable[[dict], bool] | None = None) -> dict[str, Use]:
    """{line id: Use} of one year from its items; ``extra`` items (a plan's drafts) count as ``adds``, and so
    do the stored items ``also`` says (in the same pass over the year's items).
    Items no line covers are under the id ``""`` (its line: {"funding": …} of the first such item)."""
    if not db.is_province:
        # A UPT holds only its own members' items: its sums would look like the line's and be wrong.
        raise PilarError("treasury.province_figures", office=db.code)
    year_lines = lines(db, year)
    keyed = _keyed(year_lines)
    out = {v["id"]: Use(v) for v in year_lines}

    def use_of(v: dict) -> Use:
        line = line_for(keyed, v.get("funding", ""), v.get("pillar", ""))
        return out.get(line["id"]) if line else out.setdefault("", Use({"funding": v.get("funding", ""), "amount": 0}))

    collection = f"payouts_{year}"
    for v in db.values(collection) if collection in db.collections() else ():
        status = v.get("status")
        if status not in LIVE:
            continue
        use = use_of(v)
        q = use.by_quarter.setdefault(v.get("quarter", ""), [0, 0, 0])
        if status == "paid":
            use.paid += v["gross"]
            q[0] += v["gross"]
        elif status == "approved":
            use.committed += v["gross"]
            q[1] += v["gross"]
        else:
            use.drafts += v["gross"]
            q[2] += v["gross"]
        if also is not None and also(v):
            use.adds += v["gross"]
    for v in extra:
        use_of(v).adds += v["gross"]
    return out


def what_if(db: Database, plan) -> dict:
    """The pagu of the plan's year as it would stand once the previewed run is saved and approved:
    {"year", "set": bool, "lines": [Use…], "over": [Use…]} (over: a line the run's drafts would pass).
    The year's items are read once (a quarterly run's 100,000 drafts: none held)."""
    quarter = plan.quarter
    code = quarter.code
    if getattr(plan, "saved", False):  # the folder holds the run's drafts: new, refreshed, removed
        planned: dict[str, dict] = {}
        removed: set[str] = set()
    else:  # the stored drafts the run keeps, and its own (a refreshed draft counted once)
        planned = {v["id"]: v for v in (*plan.updated, *plan.new)}
        removed = set(plan.removed)

    def kept(v: dict) -> bool:
        return v.get("status") == "draft" and v.get("quarter") == code and v["id"] not in removed \
            and v["id"] not in planned

    uses = usage(db, quarter.year, planned.values(), also=kept)
    ordered = sorted(uses.values(), key=lambda u: (u.line.get("funding", ""), u.line.get("programme", "")))
    is_set = any(u.line.get("id") for u in ordered)
    over = [u for u in ordered if is_set and u.adds and (not u.line.get("id") or u.remaining - u.adds < 0)]
    return {"year": quarter.year, "set": is_set, "lines": ordered, "over": over}


def check_approval(db: Database, quarter: Quarter, chosen: Iterable[dict]) -> None:
    """Refuse an approval that would pass a pagu line (or charge a funding no line covers, once the
    year has lines): the sentence names the line, its pagu, what is committed and paid, what this
    approval adds, and how a recorded decision raises it."""
    year_lines = lines(db, quarter.year)
    if not year_lines:
        return
    uses = usage(db, quarter.year, chosen)
    uncovered = uses.get("")
    if uncovered is not None and uncovered.adds:
        raise PilarError("treasury.no_line", year=quarter.year, funding=uncovered.line.get("funding", ""))
    for use in uses.values():
        if use.adds and use.paid + use.committed + use.adds > use.pagu:
            line = use.line
            raise PilarError("treasury.over_pagu", year=line["year"], funding=line["funding"],
                             programme=line.get("programme") or "*", pagu=rupiah(use.pagu), paid=rupiah(use.paid),
                             committed=rupiah(use.committed), adds=rupiah(use.adds),
                             over=rupiah(use.paid + use.committed + use.adds - use.pagu))


def line_label(line: dict) -> str:
    """'APBD Provinsi', 'APBD Provinsi / TKSK', or the funding with "no pagu line" for items no line covers."""
    funding = t(f"payout.funding.{line.get('funding', 'LAINNYA')}") if line.get("funding") else "-"
    if not line.get("id"):
        return f"{funding} ({t('treasury.no_line_label')})"
    return f"{funding} / {pillar_label(line['programme'])}" if line.get("programme") else funding
