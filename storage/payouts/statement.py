""""Was I paid, and why not?": the member's statement (riwayat penerimaan) and the notice letters for
the members left out of a quarter, from the items and the exclusions kept with each run
(:mod:`storage.payouts.exclusions`). Both work at a UPT from the province's bundles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write, os_error
from storage.core.i18n import t
from storage.domain import fmt
from storage.domain.model import pillar_label, position_label
from storage.office.settings import letterhead_city, office_names, signers
from storage.payouts.documents.figures import idr, signature_blocks
from storage.payouts.documents.text import grid
from storage.payouts.exclusions import EXCLUDED, exclusions, office_of, reason_text
from storage.payouts.items import LIVE, Quarter, run_id
from storage.payouts.run import active_in
from storage.printing import tables

# ---------------------------------------------------------------------------- the member's statement

def find_member(db: Database, text: str) -> dict:
    """A member by id, 8+ character id prefix or NIK (digits); a PilarError that says what to type."""
    text = str(text or "").strip()
    member = db.get("members", text)
    if member is None:
        digits = "".join(ch for ch in text if ch.isdigit())
        ids = db.index("members", "nik").get(digits) if len(digits) == 16 else None
        if ids:
            member = db.get("members", sorted(ids)[0])
    if member is None and len(text) >= 8:
        hits = [rid for rid in db.raw("members") if rid.startswith(text.lower()) and db.value("members", rid)]
        if len(hits) == 1:
            member = db.get("members", hits[0])
    if member is None:
        raise PilarError("treasury.member_unknown", value=text)
    return member


def _active_in(assigns: Iterable[dict], first: str, last: str) -> bool:
    return any(active_in(a, first, last) for a in assigns)


def statement(db: Database, member_id: str) -> dict:
    """The member's payout history: per quarter and pillar, each item (paid when, how much, the
    reference; approved; draft; void and why; money returned) and each exclusion with its reason;
    quarters of a saved run where the member served and left no trace say so. Oldest first."""
    member = db.get("members", member_id)
    if member is None:
        raise PilarError("treasury.member_unknown", value=member_id)
    rows: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for collection in sorted(c for c in db.collections() if c.startswith("payouts_")):
        for v in db.values(collection):
            if v.get("member_id") != member_id:
                continue
            seen.add((v["quarter"], v["pillar"]))
            rows.append(_item_row(v))
    offices = {a.get("office") for a in member.get("assignments") or []} | {member.get("owner")}
    runs = list(db.values("runs"))
    for rec in runs:
        if rec.get("type") != EXCLUDED or rec.get("office") not in offices:
            continue
        for r in rec.get("rows", []):
            if r.get("member_id") == member_id and (rec["quarter"], r["pillar"]) not in seen:
                seen.add((rec["quarter"], r["pillar"]))
                rows.append({"quarter": rec["quarter"], "pillar": r["pillar"], "state": "excluded",
                             "reason": r["reason"], "text": reason_text(r["reason"]), "gross": 0, "tax": 0, "net": 0,
                             "date": "", "reference": ""})
    for rec in runs:
        if rec.get("type") == EXCLUDED or not rec.get("quarter"):
            continue
        quarter = Quarter.parse(rec["quarter"])
        first, last = quarter.bounds
        for pillar in sorted({a.get("pillar", "") for a in member.get("assignments") or []}):
            if (quarter.code, pillar) in seen:
                continue
            assigns = [a for a in member.get("assignments") or [] if a.get("pillar") == pillar]
            if not _active_in(assigns, first, last):
                continue
            state = "quarter_cancelled" if rec.get("cancelled") else "unrecorded"
            text = t("payout.reason.quarter_cancelled") + f": {rec['cancelled'].get('reason', '')}" \
                if rec.get("cancelled") else t("treasury.statement.unrecorded")
            rows.append({"quarter": quarter.code, "pillar": pillar, "state": state, "reason": state, "text": text,
                         "gross": 0, "tax": 0, "net": 0, "date": "", "reference": ""})
    rows.sort(key=lambda r: (r["quarter"], r["pillar"], r.get("rev", 0)))
    paid = [r for r in rows if r["state"] == "paid"]
    return {"member": member, "rows": rows, "paid_net": sum(r["net"] for r in paid),
            "paid_gross": sum(r["gross"] for r in paid), "paid_tax": sum(r["tax"] for r in paid),
            "owed_net": sum(r["net"] for r in rows if r["state"] in ("draft", "approved"))}


def _item_row(v: dict) -> dict:
    status = v.get("status", "")
    row = {"quarter": v["quarter"], "pillar": v["pillar"], "state": status, "rev": v.get("rev", 0),
           "gross": v["gross"], "tax": v["tax"], "net": v["net"], "reason": "", "date": "", "reference": "",
           "item_id": v["id"]}
    if status == "paid":
        row["date"] = (v.get("paid_at") or "")[:10]
        row["reference"] = v.get("transfer_ref") or (t("payout.method.CASH") if v.get("method") == "CASH" else "")
        row["text"] = t("treasury.statement.paid", date=fmt.short_date(row["date"]) if row["date"] else "-")
    elif status == "approved":
        row["date"] = (v.get("approved_at") or "")[:10]
        row["text"] = t("treasury.statement.approved")
    elif status == "draft":
        row["text"] = t("treasury.statement.draft")
    elif status == "returned":
        row["date"] = v.get("returned_on", "")
        row["reference"] = v.get("transfer_ref", "")
        row["reason"] = "returned"
        row["text"] = t("treasury.statement.returned", date=row["date"], reason=v.get("returned_reason", ""))
    else:
        row["date"] = (v.get("voided_at") or "")[:10]
        row["reason"] = "quarter_cancelled" if v.get("cancelled_quarter") else "voided"
        row["text"] = t("treasury.statement.void", reason=v.get("void_reason", ""))
    return row


def statement_text(db: Database, member_id: str, mask: bool = True) -> str:
    data = statement(db, member_id)
    m = data["member"]
    nik = fmt.mask_nik(m.get("nik", "")) if mask else m.get("nik", "")
    head = [t("treasury.statement.title"), db.office.get("name", ""), "",
            f"{t('payout.h.name')}: {m.get('name', '')}", f"{t('payout.h.nik')}: {nik}",
            f"{t('payout.h.pillar')}: " + ", ".join(_assignment_label(a) for a in m.get("assignments") or []),
            f"{t('treasury.statement.as_of')}: {fmt.long_date(dt.date.today())}", ""]
    body = [[fmt.quarter_label(r["quarter"]), pillar_label(r["pillar"]), r["text"], r["reference"],
             idr(r["net"]) if r["net"] else "-"] for r in data["rows"]]
    heads = [t("payout.h.quarter"), t("payout.h.pillar"), t("payout.h.status"), t("payout.h.reference"),
             t("payout.h.net")]
    table = grid(body, heads, ("left", "left", "left", "left", "right")) if body else t("treasury.statement.none")
    tail = ["", t("treasury.statement.totals", paid=idr(data["paid_net"]), tax=idr(data["paid_tax"]),
                  owed=idr(data["owed_net"]))]
    return "\n".join(head) + "\n" + table + "\n" + "\n".join(tail) + "\n"


def _assignment_label(a: dict) -> str:
    label = pillar_label(a.get("pillar", ""))
    if a.get("position"):
        label += f" / {position_label(a['position'])}"
    return label + (f" ({a['number']})" if a.get("number") else "")


def statement_pdf(db: Database, member_id: str, mask: bool = True) -> bytes:
    from storage.payouts.documents.pdf import letterhead  # fpdf: imported when a PDF is made
    from storage.printing.pdf import Col, Document

    data = statement(db, member_id)
    m = data["member"]
    nik = fmt.mask_nik(m.get("nik", "")) if mask else m.get("nik", "")
    doc = Document(letterhead(db), t("treasury.statement.title"))
    doc.add_page()
    doc.title_block([t("treasury.statement.title"), fmt.long_date(dt.date.today())])
    doc.fields([(t("payout.h.name"), m.get("name", "")), (t("payout.h.nik"), nik),
                (t("payout.h.pillar"), "; ".join(_assignment_label(a) for a in m.get("assignments") or []))])
    doc.ln(2)
    cols = [Col(t("payout.h.quarter"), 30), Col(t("payout.h.pillar"), 26), Col(t("payout.h.status"), 70),
            Col(t("payout.h.reference"), 30), Col(t("payout.h.net"), 30, "R", True)]
    doc.table(cols, ([fmt.quarter_label(r["quarter"]), pillar_label(r["pillar"]), r["text"], r["reference"],
                      r["net"] if r["state"] == "paid" else 0] for r in data["rows"]),
              total_label=t("treasury.statement.paid_total"), row_h=6, size=8)
    doc.paragraph(t("treasury.statement.totals", paid=fmt.rupiah(data["paid_net"]), tax=fmt.rupiah(data["paid_tax"]),
                    owed=fmt.rupiah(data["owed_net"])))
    doc.signatures(_signer(db), fmt.letter_date(letterhead_city(db), dt.date.today()))
    return doc.bytes()


def _signer(db: Database) -> list[tuple[str, str, str, str]]:
    """The approving officer's signature place (the letter is the office's, not a receipt)."""
    return signature_blocks(signers(db), False)[:1]


def write_statement(db: Database, member_text: str, out: Path, fmt_name: str = "pdf", mask: bool = True) -> Path:
    member = find_member(db, member_text)
    data = statement_pdf(db, member["id"], mask) if fmt_name == "pdf" else \
        statement_text(db, member["id"], mask).encode("utf-8")
    atomic_write(Path(out), data)
    return Path(out)


# ---------------------------------------------------------------------------- notices

def left_out(db: Database, quarter: Quarter | str) -> list[dict]:
    """The members left out of a quarter, with the reason: the kept exclusions, and items voided
    (at approval, or the quarter cancelled) with no standing item after them. Sorted by office, name."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    rows = {(r["member_id"], r["pillar"]): dict(r, text=reason_text(r["reason"])) for r in exclusions(db, quarter)}
    if quarter.collection in db.collections():
        standing = {(v["member_id"], v["pillar"]) for v in db.values(quarter.collection)
                    if v.get("quarter") == quarter.code and v.get("status") in LIVE}
        for v in db.values(quarter.collection):
            key = (v["member_id"], v["pillar"])
            if v.get("quarter") != quarter.code or v.get("status") != "void" or key in standing:
                continue
            member = db.value("members", v["member_id"]) or {}
            reason = "quarter_cancelled" if v.get("cancelled_quarter") else "voided"
            rows[key] = {"member_id": v["member_id"], "pillar": v["pillar"], "reason": reason,
                         "office": v.get("office") or office_of(member, v["pillar"]),
                         "text": f"{reason_text(reason)}: {v.get('void_reason', '')}"}
    run = db.get("runs", run_id(quarter)) or {}
    out = []
    for r in rows.values():
        member = db.value("members", r["member_id"]) or {}
        if r["reason"] == "quarter_cancelled" and run.get("cancelled"):
            r["text"] = f"{reason_text('quarter_cancelled')}: {run['cancelled'].get('reason', '')}"
        out.append(dict(r, name=member.get("name", ""), nik=member.get("nik", ""),
                        number=next((a.get("number", "") for a in member.get("assignments") or []
                                     if a.get("pillar") == r["pillar"]), "")))
    out.sort(key=lambda r: (r.get("office", ""), r["name"].casefold(), r["pillar"]))
    return out


def write_notices(db: Database, quarter: Quarter | str, out_dir: Path) -> dict:
    """One PDF per office (a letter per member left out, the reason in words and what to do) and a
    list of them all (CSV, formula-safe); returns {"files": [...], "count": n, "offices": {...}}."""
    from storage.payouts.documents.pdf import letterhead  # fpdf: imported when a PDF is made
    from storage.printing.pdf import Document

    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    rows = left_out(db, quarter)
    if not rows:
        raise PilarError("treasury.no_notices", quarter=quarter.code)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, out_dir) from exc
    offices = office_names(db)
    by_office: dict[str, list[dict]] = {}
    for r in rows:
        by_office.setdefault(r.get("office") or "-", []).append(r)
    files = []
    place = fmt.letter_date(letterhead_city(db), dt.date.today())
    for office, its in sorted(by_office.items()):
        doc = Document(letterhead(db), t("treasury.notice.title"))
        for r in its:
            doc.add_page()
            doc.title_block([t("treasury.notice.title"), fmt.quarter_label(quarter.code)])
            doc.fields([(t("treasury.notice.to"), r["name"]), (t("payout.h.nik"), fmt.mask_nik(r["nik"])),
                        (t("payout.h.pillar"), pillar_label(r["pillar"]) + (f" ({r['number']})" if r["number"] else "")),
                        (t("payout.h.office"), offices.get(office) or office)])
            doc.ln(3)
            doc.paragraph(t("treasury.notice.body", pillar=pillar_label(r["pillar"]),
                            quarter=fmt.quarter_label(quarter.code), reason=r["text"]), size=10)
            doc.ln(2)
            doc.paragraph(t(f"treasury.todo.{r['reason']}"), size=10)
            doc.ln(2)
            doc.paragraph(t("treasury.notice.ask"), size=10)
            doc.signatures(_signer(db), place)
        name = out_dir / f"pemberitahuan_{quarter.code}_{office}.pdf"
        atomic_write(name, doc.bytes())
        files.append(name)
    index = out_dir / f"pemberitahuan_{quarter.code}.csv"
    tables.write_csv(index, [t("payout.h.office"), t("payout.h.name"), t("payout.h.nik"), t("payout.h.pillar"),
                             t("payout.h.reason")],
                     [[r.get("office", ""), r["name"], fmt.mask_nik(r["nik"]), pillar_label(r["pillar"]), r["text"]]
                      for r in rows])
    files.append(index)
    return {"files": [str(f) for f in files], "count": len(rows),
            "offices": {o: len(v) for o, v in by_office.items()}}
