"""Payout rates (amount per quarter by pillar and position, with funding and tax), the signers of
the documents, and the sample rates of 2024."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.domain.model import PILLARS, POSITIONS
from storage.office.settings import SIGNERS_ID, require_province
from storage.payouts.items import FUNDING, NAMESPACE, RATE_KINDS, check_date, money

# ---------------------------------------------------------------------------- rates

TAX_RULES = ("", "PPH21_BP")  # "": the rate's fixed tax amount (0: none); PPH21_BP: PPh 21 bukan pegawai


def tax_of(amount: int, rule: str = "", tax: int = 0, tax_bp: int = 0) -> int:
    """The tax withheld from ``amount`` (integer rupiah). ``PPH21_BP``: PPh 21 of a bukan pegawai, the
    rate (``tax_bp``, in basis points: 500 = 5%) on 50% of the gross, rounded down to whole rupiah."""
    if rule == "PPH21_BP":
        return amount * tax_bp // 20_000
    return tax


def parse_percent(text: object) -> int:
    """'5' or '2,5' or '2.5%' -> basis points (500, 250); refused unless 0 to 100 with at most 2 decimals."""
    from decimal import Decimal, InvalidOperation

    raw = str(text or "").strip().rstrip("%").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise PilarError("payout.bad_tax_percent", value=text) from None
    bp = value * 100
    if not value.is_finite() or bp != bp.to_integral_value() or not 0 <= bp <= 10_000:
        raise PilarError("payout.bad_tax_percent", value=text)
    return int(bp)

NO_RULE_WORDS = ("", "none", "tidak", "tidak ada", "-")


def parse_pph21(text: object) -> tuple[str, int]:
    """What a user types for the PPh 21 rule -> (tax_rule, tax_bp): "none", "tidak" or empty -> no rule
    ("", 0); a percent such as "5" or "2,5" -> PPh 21 bukan pegawai at that rate on 50% of the gross.
    The command line (--pph21) and the rate dialog both read it here."""
    raw = str(text or "").strip()
    if raw.lower() in NO_RULE_WORDS:
        return "", 0
    return "PPH21_BP", parse_percent(raw)


def pph21_text(rate: dict) -> str:
    """The rate's PPh 21 rule as it is typed back: "5" or "2,5" ("" when the rate has no rule)."""
    if rate.get("tax_rule") != "PPH21_BP":
        return ""
    whole, part = divmod(int(rate.get("tax_bp", 0)), 100)
    return f"{whole},{part:02d}".rstrip("0").rstrip(",") if part else str(whole)


def rates(db: Database) -> list[dict]:
    """Every rate, by pillar, position and start date."""
    return sorted(db.values("rates"), key=lambda r: (r.get("pillar", ""), r.get("position", ""), r.get("start", "")))


def periods_overlap(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    return a_start <= (b_end or "9999-12-31") and b_start <= (a_end or "9999-12-31")


def set_rate(db: Database, *, pillar: str, amount: object, start: str, funding: str, position: str = "",
             tax: object = 0, end: str = "", kind: str = "OPERASIONAL", note: str = "", demo: bool = False,
             rate_id: str | None = None, tax_rule: str | None = None, tax_bp: int | None = None) -> dict:
    """Add or change a rate (amount per quarter). An open rate that the new one follows is ended the
    day before; any other overlap is refused. Approved items keep their own amounts.

    Tax: none by default; a fixed ``tax`` per quarter, or ``tax_rule="PPH21_BP"`` with ``tax_bp`` (basis
    points) for PPh 21 bukan pegawai on 50% of the gross. The tax in rupiah is kept on the rate. A change
    (``rate_id``) without ``tax_rule`` keeps the rate's rule."""
    require_province(db)
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
    old = db.get("rates", rate_id) or {} if rate_id else {}
    tax_rule = old.get("tax_rule", "") if tax_rule is None else tax_rule
    tax_bp = old.get("tax_bp", 0) if tax_bp is None else tax_bp
    if tax_rule not in TAX_RULES:
        raise PilarError("payout.unknown_tax_rule", value=tax_rule, choices=", ".join(r for r in TAX_RULES if r))
    if tax_rule:
        if not isinstance(tax_bp, int) or isinstance(tax_bp, bool) or not 0 <= tax_bp <= 10_000:
            raise PilarError("payout.bad_tax_percent", value=tax_bp)
        tax = tax_of(amount, tax_rule, tax, tax_bp)
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
    if tax_rule:
        value.update(tax_rule=tax_rule, tax_bp=tax_bp)
    closing = []
    for other in db.values("rates"):
        if other["id"] == value["id"] or other.get("pillar") != pillar or other.get("position", "") != position:
            continue
        if not periods_overlap(start, end, other["start"], other.get("end", "")):
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
        if not periods_overlap(r["start"], r.get("end", ""), first, last):
            continue
        key = (r.get("position", "") == position, r["start"])
        if best_key is None or key > best_key:
            best, best_key = r, key
    return best




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
