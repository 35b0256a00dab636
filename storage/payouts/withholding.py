"""Withholding filed, not only computed: PPh 21 per payment or per year, the higher rate without a
valid tax id, the per-member yearly summary and the Coretax BP21 bulk file.

The rules are data beside the code (``storage/payouts/tax_templates/pph21.json``: the 50% base, the Pasal 17
brackets, the x120% without a tax id, and the two readings of "brackets per payment or per year" in
words); the BP21 layout is a template (``storage/payouts/tax_templates/coretax_bp21.json``: DJP's Excel
columns and the XML tags Coretax reads). An office replaces either with a file of the same shape in
``<data>/templates/`` when DJP changes it, as it does the bank layouts.

The member's tax id status is kept on the member (``tax_status``): "" not checked yet, ``NIK`` (the
NIK is active as NPWP, UU HPP), ``NPWP`` (a separate NPWP in ``npwp``), ``NONE`` (no valid tax id:
PPh 21 is 120% of the usual, UU PPh Pasal 21 ayat 5a). The setting (province, ``settings``,
``payout.tax``) holds the bracket mode and the withholder's NPWP and ID TKU for the BP21 file.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import orjson

from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import get_lang
from storage.domain.validate import check_nik
from storage.office.settings import require_operator, require_province
from storage.payouts.items import LIVE, NAMESPACE, Quarter
from storage.printing.tables import neutralise

TEMPLATE_DIR = Path(__file__).with_name("tax_templates")
TAX_ID = str(uuid.uuid5(NAMESPACE, "settings:payout-tax"))
MODES = ("per_payment", "per_year")
TAX_STATUSES = ("", "NIK", "NPWP", "NONE")


# ---------------------------------------------------------------------------- rules and settings

@functools.cache
def _shipped(name: str) -> dict:
    return orjson.loads((TEMPLATE_DIR / f"{name}.json").read_bytes())


def _load(db: Database | None, name: str) -> dict:
    """The office's own template (``<data>/templates/NAME.json``) when it has one, else the shipped one."""
    if db is not None:
        own = Path(db.path) / "templates" / f"{name}.json"
        if own.exists():
            try:
                return orjson.loads(own.read_bytes())
            except (OSError, orjson.JSONDecodeError) as exc:
                raise PilarError("treasury.bad_template", path=str(own), detail=str(exc)) from None
    return _shipped(name)


def rules(db: Database | None = None) -> dict:
    return _load(db, "pph21")


def bp21_template(db: Database | None = None) -> dict:
    return _load(db, "bp21" if db is not None and (Path(db.path) / "templates" / "bp21.json").exists()
                 else "coretax_bp21")


def settings(db: Database) -> dict:
    value = db.get("settings", TAX_ID) or {}
    return {"mode": value.get("mode") or "per_payment", "tin": value.get("tin", ""),
            "id_tku": value.get("id_tku", ""), "object_code": value.get("object_code", "")}


def set_settings(db: Database, mode: str | None = None, tin: str | None = None, id_tku: str | None = None,
                 object_code: str | None = None) -> dict:
    """Change the tax settings (province); every change is audited as any record change is."""
    require_province(db)
    require_operator(db)
    value = settings(db)
    if mode is not None:
        mode = mode.strip().lower().replace("-", "_")
        if mode not in MODES:
            raise PilarError("treasury.bad_mode", value=mode, choices=", ".join(m.replace("_", "-") for m in MODES))
        value["mode"] = mode
    if tin is not None:
        digits = "".join(ch for ch in tin if ch.isdigit())
        if len(digits) not in (15, 16):
            raise PilarError("treasury.bad_tin", value=tin)
        value["tin"] = digits
    if id_tku is not None:
        digits = "".join(ch for ch in id_tku if ch.isdigit())
        if len(digits) != 22:
            raise PilarError("treasury.bad_idtku", value=id_tku)
        value["id_tku"] = digits
    if object_code is not None:
        value["object_code"] = object_code.strip()
    with db.transaction("payout.tax_settings") as tx:
        tx.put("settings", dict(value, id=TAX_ID, key="payout.tax"), owner=PROVINCE_CODE)
    return settings(db)


def mode_rule(db: Database, mode: str | None = None, lang: str | None = None) -> str:
    text = rules(db)["modes"][mode or settings(db)["mode"]]
    return text.get(lang or get_lang()) or text["id"]


def set_tax_status(db: Database, member_id: str, status: str, npwp: str = "") -> dict:
    """Keep the member's tax id status (who may change the member may change it: the owner or the
    province). ``NPWP`` needs the number (15 or 16 digits)."""
    status = str(status or "").strip().upper()
    aliases = {"NIK": "NIK", "NPWP": "NPWP", "NONE": "NONE", "TIDAK": "NONE", "TANPA": "NONE", "-": ""}
    status = aliases.get(status, status)
    if status not in TAX_STATUSES:
        raise PilarError("treasury.bad_tax_status", value=status, choices="nik, npwp, none")
    digits = "".join(ch for ch in str(npwp or "") if ch.isdigit())
    if status == "NPWP" and len(digits) not in (15, 16):
        raise PilarError("treasury.bad_npwp", value=npwp)
    member = db.get("members", member_id)
    if member is None:
        raise PilarError("treasury.member_unknown", value=member_id)
    if member.get("_conflict"):
        raise PilarError("treasury.member_conflict", name=member.get("name", ""))
    doc = db.doc("members", member_id)
    value = {k: v for k, v in member.items() if not k.startswith("_")}
    value["tax_status"] = status
    if status == "NPWP":
        value["npwp"] = digits
    else:
        value.pop("npwp", None)
    with db.transaction("roster.tax_status") as tx:
        tx.put("members", value, owner=doc["owner"])
    return db.get("members", member_id)


# ---------------------------------------------------------------------------- tax of an item

def _p17_half(doubled: int, brackets: list) -> int:
    """Pasal 17 tax x 20000 of a base given doubled (the gross: the base is half of it), no rounding."""
    total, floor = 0, 0
    for top, bp in brackets:
        upper = doubled if top is None else min(doubled, 2 * top)
        if upper > floor:
            total += (upper - floor) * bp
        if top is None or doubled <= 2 * top:
            break
        floor = 2 * top
    return total


class Taxer:
    """Works out the PPh 21 of a quarter's new drafts, member by member, as the setting says."""

    def __init__(self, db: Database, quarter: Quarter) -> None:
        self.rules = rules(db)
        self.mode = settings(db)["mode"]
        self.deemed = int(self.rules.get("deemed_percent", 50))
        self.no_tin = int(self.rules.get("no_tin_percent", 120))
        self.brackets = self.rules["brackets"]
        self.prior: dict[str, int] = {}
        if self.mode == "per_year":
            collection = quarter.collection
            for v in db.values(collection) if collection in db.collections() else ():
                if v.get("quarter", "") < quarter.code and v.get("status") in LIVE and v.get("tax"):
                    self.prior[v["member_id"]] = self.prior.get(v["member_id"], 0) + v["gross"] * self.deemed // 50

    def apply(self, item: dict, member: dict, rate: dict) -> None:
        """Set the item's tax and net from its rate, the member's status and the mode (in place)."""
        if rate.get("tax_rule") != "PPH21_BP":
            return
        gross = item["gross"]
        mult = self.no_tin if member.get("tax_status") == "NONE" else 100
        if self.mode == "per_year":
            before = self.prior.get(item["member_id"], 0)
            scaled = gross * self.deemed // 50  # the doubled base (gross when deemed is 50%)
            tax = (_p17_half(before + scaled, self.brackets) - _p17_half(before, self.brackets)) * mult // 2_000_000
            self.prior[item["member_id"]] = before + scaled
        else:
            tax = gross * self.deemed * int(rate.get("tax_bp", 0)) * mult // 100_000_000
        tax = min(tax, gross)
        item["tax"] = tax
        item["net"] = gross - tax


# ---------------------------------------------------------------------------- summaries and BP21

def paid_items(db: Database, year: int, quarter: Quarter | None = None) -> list[dict]:
    collection = f"payouts_{year}"
    if collection not in db.collections():
        return []
    return [v for v in db.values(collection) if v.get("status") == "paid"
            and (quarter is None or v.get("quarter") == quarter.code)]


def annual_summary(db: Database, year: int, member_ids: Iterable[str] | None = None) -> list[dict]:
    """Per member, the year's paid gross, PPh 21 and net, and each payment (quarter, pillar, date,
    gross, tax, net, reference); sorted by name."""
    wanted = set(member_ids) if member_ids else None
    out: dict[str, dict] = {}
    for v in paid_items(db, year):
        mid = v["member_id"]
        if wanted is not None and mid not in wanted:
            continue
        acc = out.get(mid)
        if acc is None:
            m = db.value("members", mid) or {}
            acc = out[mid] = {"member_id": mid, "name": m.get("name", ""), "nik": m.get("nik", ""),
                              "tax_status": m.get("tax_status", ""), "gross": 0, "tax": 0, "net": 0, "payments": []}
        acc["gross"] += v["gross"]
        acc["tax"] += v["tax"]
        acc["net"] += v["net"]
        acc["payments"].append({"quarter": v["quarter"], "pillar": v["pillar"], "date": (v.get("paid_at") or "")[:10],
                                "gross": v["gross"], "tax": v["tax"], "net": v["net"],
                                "reference": v.get("transfer_ref", "")})
    for acc in out.values():
        acc["payments"].sort(key=lambda p: (p["quarter"], p["pillar"]))
    return sorted(out.values(), key=lambda r: (r["name"].casefold(), r["member_id"]))


def tin_of(member: dict) -> str:
    if member.get("tax_status") == "NPWP" and member.get("npwp"):
        return member["npwp"]
    return str(member.get("nik") or "")


def _rate(tax: int, gross: int, deemed: int) -> str:
    """The rate Coretax multiplies by (Gross x Deemed% x Rate% = tax), as a decimal with up to 2 places."""
    base = Decimal(gross) * deemed / 100
    if not base:
        return "0"
    rate = (Decimal(tax) * 100 / base).quantize(Decimal("0.01"))
    return format(rate.normalize(), "f")


def bp21_rows(db: Database, quarter: Quarter | str) -> tuple[list[dict], dict]:
    """One row per paid item of the quarter with PPh 21 withheld, the fields the template names, and
    {"count", "gross", "tax", "unchecked", "no_tin", "inexact"} (members whose status is not checked, those
    at the higher rate, rows whose rate does not give back the tax exactly)."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    tpl = bp21_template(db)
    s = settings(db)
    deemed = int(rules(db).get("deemed_percent", 50))
    defaults = tpl.get("defaults", {})
    rows, summary = [], {"count": 0, "gross": 0, "tax": 0, "unchecked": 0, "no_tin": 0, "inexact": 0}
    items = [v for v in paid_items(db, quarter.year, quarter) if v["tax"] > 0]
    members = {}
    for v in items:
        if v["member_id"] not in members:
            members[v["member_id"]] = db.value("members", v["member_id"]) or {}
    items.sort(key=lambda v: (members[v["member_id"]].get("name", "").casefold(), v["pillar"], v["id"]))
    for v in items:
        m = members[v["member_id"]]
        tin = tin_of(m)
        date = (v.get("paid_at") or "")[:10]
        rate = _rate(v["tax"], v["gross"], deemed)
        if int(Decimal(v["gross"]) * deemed / 100 * Decimal(rate) / 100) != v["tax"]:
            summary["inexact"] += 1
        rows.append({"month": int(date[5:7]) if date else quarter.q * 3, "year": quarter.year, "tin": tin,
                     "recipient_idtku": (tin + "000000") if len(tin) == 16 else tin,
                     "status_ptkp": defaults.get("status_ptkp", "TK/0"), "facility": defaults.get("facility", "N/A"),
                     "object_code": s["object_code"] or defaults.get("object_code", ""), "gross": v["gross"],
                     "deemed": deemed, "rate": rate, "document": defaults.get("document", "PaymentProof"),
                     "document_number": v.get("transfer_ref") or v["id"][:16], "document_date": date,
                     "withholder_idtku": s["id_tku"], "withholding_date": date, "tax": v["tax"],
                     "name": m.get("name", ""), "item_id": v["id"]})
        summary["count"] += 1
        summary["gross"] += v["gross"]
        summary["tax"] += v["tax"]
        status = m.get("tax_status", "")
        summary["unchecked"] += status == ""
        summary["no_tin"] += status == "NONE"
    return rows, summary


def bp21_xlsx(tpl: dict, tin: str, rows: list[dict]) -> bytes:
    """The DJP Excel layout: the withholder's NPWP at the template's cell, headings on its row from its
    column, one row per bukti potong (formula-safe: every text cell neutralised)."""
    import io

    from openpyxl import Workbook
    from openpyxl.utils import column_index_from_string, coordinate_to_tuple

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("DATA")
    tin_row, tin_col = coordinate_to_tuple(tpl.get("tin_cell", "C1"))
    first = column_index_from_string(tpl.get("first_column", "B"))
    header_row = int(tpl.get("header_row", 3))
    for r in range(1, header_row):
        cells: list = [None] * max(tin_col, 1)
        if r == tin_row:
            cells[tin_col - 2] = neutralise(tpl.get("tin_label", "NPWP"))
            cells[tin_col - 1] = neutralise(tin)
        ws.append(cells)
    pad = [None] * (first - 1)
    ws.append(pad + [neutralise(c["header"]) for c in tpl["columns"]])
    for row in rows:
        ws.append(pad + [neutralise(row.get(c["field"], c.get("value", ""))) for c in tpl["columns"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bp21_xml(tpl: dict, tin: str, rows: list[dict]) -> bytes:
    x = tpl["xml"]
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           f'<{x["root"]} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
           f"\t<{x['tin']}>{escape(tin)}</{x['tin']}>", f"\t<{x['list']}>"]
    for row in rows:
        out.append(f"\t\t<{x['item']}>")
        for c in tpl["columns"]:
            value = row.get(c["field"], c.get("value", ""))
            out.append(f"\t\t\t<{c['tag']}>{escape(str(value))}</{c['tag']}>")
        out.append(f"\t\t</{x['item']}>")
    out += [f"\t</{x['list']}>", f"</{x['root']}>", ""]
    return "\n".join(out).encode("utf-8")


def write_bp21(db: Database, quarter: Quarter | str, out: Path) -> dict:
    """The BP21 bulk file of a quarter: ``.xml`` as Coretax reads it, anything else the DJP Excel
    template (.xlsx). Refused without the withholder's NPWP and ID TKU, or with nothing withheld."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    if not db.is_province:
        raise PilarError("treasury.province_figures", office=db.code)
    s = settings(db)
    if not s["tin"] or not s["id_tku"]:
        raise PilarError("treasury.no_withholder")
    rows, summary = bp21_rows(db, quarter)
    if not rows:
        raise PilarError("treasury.no_bp21", quarter=quarter.code)
    tpl = bp21_template(db)
    out = Path(out)
    data = bp21_xml(tpl, s["tin"], rows) if out.suffix.lower() == ".xml" else bp21_xlsx(tpl, s["tin"], rows)
    atomic_write(out, data)
    return dict(summary, path=str(out), quarter=quarter.code)


def tax_id_check(db: Database, year: int) -> list[dict]:
    """Members paid (or to be paid) in the year whose tax id needs a look: status not checked, no
    valid tax id (higher rate), or a NIK whose structure is wrong (it cannot serve as NPWP)."""
    collection = f"payouts_{year}"
    seen: dict[str, dict] = {}
    for v in db.values(collection) if collection in db.collections() else ():
        if v.get("status") not in LIVE or v["member_id"] in seen:
            continue
        m = db.value("members", v["member_id"]) or {}
        status = m.get("tax_status", "")
        problems = []
        if status == "":
            problems.append("unchecked")
        elif status == "NONE":
            problems.append("no_tin")
        if status != "NPWP" and not check_nik(m.get("nik", "")).ok:
            problems.append("nik")
        if problems:
            seen[v["member_id"]] = {"member_id": v["member_id"], "name": m.get("name", ""), "nik": m.get("nik", ""),
                                    "tax_status": status, "problems": problems}
    return sorted(seen.values(), key=lambda r: r["name"].casefold())
