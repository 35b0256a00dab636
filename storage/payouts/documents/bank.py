"""The bank transfer file of a quarter (a payout document): the due transfers in the office's bank template, each account checked first (storage.payouts.bankfile)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain.quarter import Quarter
from storage.domain.validate import clean_account
from storage.payouts.bankfile import (
    check_account,
    chosen,
    clean_holder,
    label,
    problem_text,
    template,
)
from storage.payouts.lifecycle import payable_by_transfer
from storage.printing.tables import csv_rows_bytes


@dataclass
class BankFile:
    """A written transfer file: its bytes, the lines in it, and the items left out (with the sentence why)."""

    template: dict
    quarter: str
    data: bytes = b""
    rows: list[dict] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)
    path: Path | None = None
    left_out_path: Path | None = None

    @property
    def total(self) -> int:
        return sum(r["amount"] for r in self.rows)

    @property
    def name(self) -> str:
        """A FAT32-safe file name, e.g. 'bank-jatim_2024-Q2.txt'."""
        return f"bank-{self.template['id']}_{self.quarter}.{self.template['extension']}"


def build(db: Database, quarter, bank: str | dict | None = None, date: str | None = None) -> BankFile:
    """The quarter's transfer file in ``bank``'s template (default: the office's setting).

    The items are those of :func:`storage.payouts.lifecycle.payable_by_transfer` (approved, unpaid, by transfer, not
    held by a sync conflict). Raises ``payout.nothing_to_pay`` when no transfer is due, and
    ``bankfile.nothing_valid`` when every one fails the account checks (the reasons in the message)."""
    tpl = template(bank if bank is not None else chosen(db.office))
    approved = payable_by_transfer(db, quarter)
    quarter = Quarter.of(quarter)
    result = BankFile(tpl, quarter.code)
    described: dict[str, str] = {}
    names: dict[str, str] = {}
    for v in approved:
        b = v.get("bank") or {}
        why = check_account(tpl, b.get("account"), b.get("holder"), b.get("name"))
        if why:
            mid = v["member_id"]
            if mid not in names:
                names[mid] = (db.value("members", mid) or {}).get("name") or b.get("holder") or mid[:8]
            detail = dict(why[1])
            result.left_out.append({"item_id": v["id"], "member_id": mid, "name": names[mid], "pillar": v["pillar"],
                                    "account": str(b.get("account") or ""), "bank": detail.pop("bank", label(tpl)),
                                    "problem": why[0], "detail": detail})
            continue
        if v["pillar"] not in described:
            described[v["pillar"]] = t("payout.doc.bank_ref", lang="id", quarter=quarter.code, pillar=v["pillar"])
        result.rows.append({"no": len(result.rows) + 1, "bank": str(b.get("name") or ""),
                            "account": clean_account(b["account"]), "holder": clean_holder(b.get("holder")),
                            "amount": v["net"], "reference": v["id"].replace("-", "")[:16].upper(),
                            "description": described[v["pillar"]], "item_id": v["id"]})
    for p in result.left_out:
        p["text"] = problem_text(p)
    if not result.rows:
        raise PilarError("bankfile.nothing_valid", quarter=quarter.code, count=len(result.left_out),
                         detail="\n".join(p["text"] for p in result.left_out[:5]))
    day = (date or dt.date.today().isoformat()).replace("-", "")
    totals = {"office": db.code, "date": day, "batch": f"PILAR {quarter.code}", "count": len(result.rows),
              "total": result.total}
    lines = [_line(tpl, "header", totals)]
    lines.extend(_line(tpl, "detail", r) for r in result.rows)
    lines.append(_line(tpl, "trailer", totals))
    if tpl["layout"] == "csv":  # opened in Excel by the treasurer first: every cell neutralised
        result.data = csv_rows_bytes(lines, delimiter=tpl.get("delimiter", ","), line_end=tpl["line_end"])
    else:
        result.data = "".join(line + tpl["line_end"] for line in lines).encode("ascii")
    return result


def write(db: Database, quarter, out: Path, bank: str | dict | None = None, date: str | None = None) -> BankFile:
    """Build and write the file to ``out`` (a folder: the file's own name inside it). When items are
    left out, their sentences go beside it in ``<name>.tidak-masuk.txt`` (``left_out_path``)."""
    made = build(db, quarter, bank, date)
    out = Path(out)
    path = out / made.name if out.is_dir() else out
    atomic_write(path, made.data)
    made.path = path
    if made.left_out:
        made.left_out_path = path.with_name(path.name + ".tidak-masuk.txt")
        lines = [t("bankfile.left_out", count=len(made.left_out))] + [p["text"] for p in made.left_out]
        atomic_write(made.left_out_path, ("\n".join(lines) + "\n").encode("utf-8"))
    return made


def _line(tpl: dict, section: str, values: dict) -> str | list[str]:
    cells = [str(values[c["field"]]) if "field" in c else c["value"] for c in tpl[section]]
    if tpl["layout"] == "csv":
        return cells
    out = []
    for cell, text in zip(tpl[section], cells, strict=True):
        width = cell["width"]
        if len(text) > width:
            if cell.get("pad") == "0" or cell.get("field") == "account":
                raise PilarError("bankfile.too_wide", field=cell.get("field", "?"), width=width, value=text)
            text = text[:width]
        pad = cell.get("pad", " ")
        out.append(text.rjust(width, pad) if cell.get("align") == "right" else text.ljust(width, pad))
    return "".join(out)


def bank_rows(db: Database, quarter: Quarter | str) -> list[list]:
    """The transfer lines as the generic template writes them: no, bank, account, holder, amount (net),
    reference, description, item id (items failing the account checks left out)."""
    return [[r["no"], r["bank"], r["account"], r["holder"], r["amount"], r["reference"], r["description"],
             r["item_id"]] for r in build(db, quarter, "generic").rows]


def bank_csv(db: Database, quarter: Quarter | str, bank: str | None = None) -> bytes:
    """The bank transfer file in ``bank``'s template (default: the office's choice; see storage.payouts.bankfile)."""
    return build(db, quarter, bank).data
