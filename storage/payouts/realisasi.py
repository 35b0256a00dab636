"""The realisation report (laporan realisasi): per pagu line, what was paid each quarter of a year
against its pagu, what is committed and what remains, with the cuts and cancelled quarters and their
reasons, for the SPJ. Text, XLSX (formula-safe) and PDF from the same figures."""

from __future__ import annotations

from pathlib import Path

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain import fmt
from storage.office.settings import signers
from storage.payouts import budget
from storage.payouts.documents.figures import signature_blocks
from storage.payouts.documents.text import grid
from storage.payouts.exclusions import cancelled
from storage.payouts.items import Quarter
from storage.printing import tables

FORMATS = ("text", "xlsx", "pdf")


def figures(db: Database, year: object) -> dict:
    """{"year", "rows": [...], "total": {...}, "cuts": [...], "cancelled": [...]}: a row per pagu line (and one
    for items no line covers): pagu, first pagu, paid per quarter (Q1..Q4), paid, committed, remaining,
    percent realised (paid / pagu, to one decimal, as text)."""
    year = budget.parse_year(year)
    uses = budget.usage(db, year)
    rows = []
    for use in sorted(uses.values(), key=lambda u: (u.line.get("funding", ""), u.line.get("programme", ""))):
        line = use.line
        quarters = [use.by_quarter.get(f"{year}-Q{q}", [0, 0, 0])[0] for q in (1, 2, 3, 4)]
        history = line.get("history") or []
        first = history[0]["to"] if history else use.pagu
        rows.append({"funding": line.get("funding", ""), "programme": line.get("programme", ""),
                     "covered": bool(line.get("id")), "pagu": use.pagu, "first": first, "quarters": quarters,
                     "paid": use.paid, "committed": use.committed, "drafts": use.drafts,
                     "remaining": use.remaining if line.get("id") else 0,
                     "percent": _percent(use.paid, use.pagu)})
    total = {k: sum(r[k] for r in rows) for k in ("pagu", "first", "paid", "committed", "drafts", "remaining")}
    total["quarters"] = [sum(r["quarters"][i] for r in rows) for i in range(4)]
    total["percent"] = _percent(total["paid"], total["pagu"])
    cuts = [dict(h, funding=v["funding"], programme=v.get("programme", ""))
            for v in budget.lines(db, year) for h in (v.get("history") or []) if h.get("kind") in ("cut", "raise")]
    stopped = []
    for q in (1, 2, 3, 4):
        c = cancelled(db, Quarter(year, q))
        if c:
            stopped.append(dict(c, quarter=f"{year}-Q{q}"))
    if not rows:
        raise PilarError("treasury.nothing_realised", year=year)
    return {"year": year, "rows": rows, "total": total, "cuts": cuts, "cancelled": stopped}


def _percent(paid: int, pagu: int) -> str:
    if not pagu:
        return "-"
    tenths = paid * 1000 // pagu
    return f"{tenths // 10},{tenths % 10}%"


def _label(row: dict) -> str:
    covered = row.get("covered", True)
    return budget.line_label({"funding": row["funding"], "programme": row["programme"], "id": "line" if covered else ""})


def _heads() -> list[str]:
    return [t("treasury.h.line"), t("treasury.h.pagu"), "TW I", "TW II", "TW III", "TW IV", t("treasury.h.paid"),
            t("treasury.h.committed"), t("treasury.h.remaining"), "%"]


def _table_rows(data: dict, money) -> list[list]:
    out = [[_label(r), money(r["pagu"]), *(money(x) for x in r["quarters"]), money(r["paid"]),
            money(r["committed"]), money(r["remaining"]), r["percent"]] for r in data["rows"]]
    tot = data["total"]
    out.append([t("payout.doc.grand_total"), money(tot["pagu"]), *(money(x) for x in tot["quarters"]),
                money(tot["paid"]), money(tot["committed"]), money(tot["remaining"]), tot["percent"]])
    return out


def _notes(data: dict) -> list[str]:
    notes = []
    for c in data["cuts"]:
        notes.append(t(f"treasury.history.{c['kind']}", at=c.get("at", "")[:10],
                       line=_label({"funding": c["funding"], "programme": c["programme"]}),
                       before=fmt.rupiah(c["from"] or 0), after=fmt.rupiah(c["to"]), reason=c.get("reason", ""),
                       decision=c.get("decision", "")))
    for c in data["cancelled"]:
        notes.append(t("treasury.history.cancelled", quarter=fmt.quarter_label(c["quarter"]), reason=c.get("reason", ""),
                       at=c.get("at", "")[:10]))
    return notes


def render(db: Database, year: object, fmt_name: str = "text") -> str | bytes:
    if fmt_name not in FORMATS:
        raise PilarError("payout.bad_format", value=fmt_name, choices=", ".join(FORMATS))
    data = figures(db, year)
    title = t("treasury.realisasi.title", year=data["year"])
    if fmt_name == "xlsx":
        sheets = [(str(data["year"]), _heads(), _table_rows(data, lambda x: x))]
        notes = _notes(data)
        if notes:
            sheets.append((t("payout.h.note"), [t("payout.h.note")], [[n] for n in notes]))
        return tables.xlsx_bytes(sheets)
    if fmt_name == "text":
        table = grid(_table_rows(data, lambda x: fmt.rupiah(x).replace("Rp", "")), _heads(),
                     ("left",) + ("right",) * 9)
        notes = _notes(data)
        return "\n".join([title, db.office.get("name", ""), "", table, ""] + notes) + "\n"
    from storage.payouts.documents.pdf import letterhead  # fpdf: imported when a PDF is made
    from storage.printing.pdf import Col, Document

    doc = Document(letterhead(db), title, landscape=True)
    doc.add_page()
    doc.title_block([title])
    heads = _heads()
    cols = [Col(heads[0], 55)] + [Col(h, 24, "R", True) for h in heads[1:9]] + [Col("%", 14, "R")]
    body = [[_label(r), r["pagu"], *r["quarters"], r["paid"], r["committed"], r["remaining"], r["percent"]]
            for r in data["rows"]]
    doc.table(cols, body, row_h=6, size=8)
    for note in _notes(data):
        doc.paragraph(note)
    doc.signatures(signature_blocks(signers(db), False))
    return doc.bytes()


def write(db: Database, year: object, out: Path, fmt_name: str = "text") -> Path:
    data = render(db, year, fmt_name)
    atomic_write(Path(out), data.encode("utf-8") if isinstance(data, str) else data)
    return Path(out)
