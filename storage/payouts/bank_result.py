"""The bank's result file of a transfer batch: which transfers went through (OK) and which came back (RETUR).

The file is a CSV or XLSX, or the Bank Jatim fixed-width layout; which one is told by its content, not
its name (an XLSX is a zip; the fixed layout is recognised by :func:`storage.payouts.bankfile.result_template`).

**Bank Jatim (fixed width).** Assumed to be the transfer file Pilar wrote (storage/payouts/bank_templates/
jatim.json), sent back with two cells added to each D line, as the template's ``result`` section
says: ``status`` (6 characters: OK or RETUR) and ``bank_reference`` (20 characters, the bank's reference
of that transfer; when blank, the line's own reference is kept). The H and T lines are skipped. This
layout has not been confirmed with a branch: if the bank's columns differ, change the template's
``result`` cells (or have the answer saved as CSV/XLSX below).

**CSV or XLSX** (one row per transfer; a header row is optional): four columns, in this
order unless a header names them:

====================  =======================================================================
column                meaning
====================  =======================================================================
``rekening``          the account number credited (spaces, dots and dashes are ignored)
(account)
``jumlah`` (amount)   whole rupiah transferred: 1500000, 1.500.000 or Rp1.500.000 (no cents)
``referensi``         the bank's reference of that transfer (kept on the item as ``transfer_ref``)
(reference)
``status``            ``OK`` (credited) or ``RETUR`` (returned by the bank)
====================  =======================================================================

A row that starts with ``TOTAL`` or ``JUMLAH`` (the totals line of the transfer file written by
:mod:`storage.payouts.bankfile`) is skipped, so the bank's answer may be that file with a status column added.
A CSV may be separated by commas, semicolons (as Excel writes in Indonesian settings) or tabs.

Rows are matched against the quarter's approved transfer items by account: the item whose net equals
the amount, or all of the account's items when the amount is their sum (a member under two pillars
paid in one transfer). An OK row marks its items paid with the row's reference; a RETUR row marks
them returned (a paid item's return, or an approved one the bank could not credit) and reopens them as
new drafts unless told to close them. Rows with an unknown account, a mismatched amount, an account in
sync conflict or another status are listed and not applied; the others are applied in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.db import gc_paused as bulk
from storage.core.errors import PilarError
from storage.core.spreadsheet import MAX_CELL_CHARS, MAX_CELLS, MAX_ROWS, check_workbook_zip
from storage.core.text import digits
from storage.office.settings import require_operator, require_province
from storage.payouts import bankfile as bank_file
from storage.payouts.items import (
    Quarter,
    bank_contested,
    check_date,
    contested,
    items,
    parse_money,
    run_id,
)
from storage.payouts.lifecycle import check_payer, plain_value, record_return, reopen_draft
from storage.payouts.run import update_run_header

COLUMNS = ("account", "amount", "reference", "status")
_HEADERS = {
    "account": {"rekening", "no rekening", "nomor rekening", "no. rekening", "norek", "account", "account number",
                "account_no", "rek"},
    "amount": {"jumlah", "nominal", "amount", "nilai", "jumlah transfer"},
    "reference": {"referensi", "reference", "ref", "no referensi", "nomor referensi", "no. referensi"},
    "status": {"status", "keterangan status", "hasil"},
}
_TOTAL_ROWS = {"TOTAL", "JUMLAH"}
OK, RETUR = "OK", "RETUR"
_STATUS = {"OK": OK, "SUKSES": OK, "BERHASIL": OK, "RETUR": RETUR, "RETURN": RETUR, "RETURNED": RETUR}


@dataclass
class BankResult:
    """What an import does: rows to apply, and rows listed but not applied (with why)."""

    quarter: Quarter
    paid: list[dict] = field(default_factory=list)       # {"line", "ref", "items": [...]}
    returned: list[dict] = field(default_factory=list)   # {"line", "ref", "items": [...]}
    already: list[dict] = field(default_factory=list)    # rows already recorded (the same file again)
    problems: list[dict] = field(default_factory=list)   # {"line", "account", "amount", "problem", "detail"}

    def counts(self) -> dict[str, int]:
        return {"paid": sum(len(r["items"]) for r in self.paid),
                "returned": sum(len(r["items"]) for r in self.returned),
                "already": len(self.already), "problems": len(self.problems)}


def read_rows(path: Path | str) -> list[dict]:
    """The file's rows as {"line", "account", "amount" (int or None), "amount_text", "reference", "status"}."""

    path = Path(path)
    try:
        data = path.read_bytes()
        if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):  # a zip: XLSX, whatever its name
            return _rows(_xlsx_cells(path))
    except OSError as exc:
        raise PilarError("fs.io_error", path=str(path), detail=str(exc)) from exc
    tpl = bank_file.result_template(data)
    if tpl is not None:
        return _fixed_rows(bank_file.parse_result(tpl, data))
    return _rows(_csv_cells(data))


def _fixed_rows(parsed: list[dict]) -> list[dict]:
    """Rows of a fixed-width result file in the shape :func:`_rows` gives."""
    out = []
    for r in parsed:
        text = r.get("amount", "")
        out.append({"line": r["line"], "account": digits(r.get("account")), "account_text": r.get("account", ""),
                    "amount": int(text) if text.isdigit() and text.isascii() else None, "amount_text": text,
                    "reference": r.get("bank_reference") or r.get("reference", ""),
                    "status": r.get("status", "").upper()})
    return out


def _csv_cells(data: bytes) -> list[list[object]]:
    """Rows of a CSV result file, bounded like a roster's (storage.core.spreadsheet, storage.roster.importing.read): a cell over Excel's
    32,767 characters or a file over the cell budget is one sentence, never a traceback."""
    text = data.decode("utf-8-sig", errors="replace")
    sample = text[:4096]
    delimiter = max((";", ",", "\t"), key=sample.count) if sample else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, budget = [], MAX_CELLS
    try:
        for row in reader:
            budget -= len(row)
            if budget < 0 or len(rows) > MAX_ROWS:
                raise PilarError("payout.bank_file_unreadable", path="CSV", detail=f"> {MAX_CELLS} cells")
            if any(len(c) > MAX_CELL_CHARS for c in row):
                raise csv.Error(f"line {reader.line_num}: a cell over {MAX_CELL_CHARS} characters")
            rows.append(row)
    except csv.Error as exc:
        raise PilarError("payout.bank_file_unreadable", path="CSV", detail=str(exc)) from None
    return rows


def _xlsx_cells(path: Path) -> list[list[object]]:
    """The first sheet's rows, streamed by openpyxl (read-only; defusedxml refuses entity declarations);
    the sheet's own dimension is ignored (a forged A1:XFD1048576 would pad every row) and the rows are
    held to the reader's limits (storage.core.spreadsheet, storage.roster.importing.read)."""
    import openpyxl

    check_workbook_zip(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or non-XLSX file: openpyxl raises several kinds
        raise PilarError("payout.bank_file_unreadable", path=str(path), detail=str(exc)[:200]) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        rows, budget = [], MAX_CELLS
        for row in sheet.iter_rows(values_only=True):
            budget -= len(row)
            if budget < 0 or len(rows) > MAX_ROWS:
                raise PilarError("sheet.too_many_cells", path=str(path), limit=MAX_CELLS)
            if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in row):
                raise PilarError("sheet.cell_too_long", path=str(path), sheet=sheet.title, line=len(rows) + 1,
                                 limit=MAX_CELL_CHARS)
            rows.append(list(row))
        return rows
    except PilarError:
        raise
    except Exception as exc:  # noqa: BLE001 - raised while streaming (a forbidden entity, a bad cell)
        raise PilarError("payout.bank_file_unreadable", path=str(path), detail=f"{type(exc).__name__}") from None
    finally:
        book.close()


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _rows(raw: list[list[object]]) -> list[dict]:
    order = list(range(4))
    out = []
    for n, cells in enumerate(raw, 1):
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue
        if next(x for x in texts if x).upper() in _TOTAL_ROWS:  # the totals line of the file we sent
            continue
        if not out and n == _first_line(raw):
            names = [" ".join(x.lower().replace("_", " ").split()) for x in texts]
            found = {}
            for col, known in _HEADERS.items():
                for i, name in enumerate(names):
                    if name in known or name.replace(" ", "_") in known:
                        found[col] = i
                        break
            if len(found) == 4:
                order = [found[c] for c in COLUMNS]
                continue
            if found:  # a header that names only some columns: read by position, but skip it
                continue
        get = [texts[i] if i < len(texts) else "" for i in order]
        cell = cells[order[1]] if order[1] < len(cells) else None
        amount = None
        if isinstance(cell, int) and not isinstance(cell, bool):
            amount = cell
        elif isinstance(cell, float):
            amount = int(cell) if cell.is_integer() and cell >= 0 else None
        else:
            try:
                amount = parse_money(get[1])
            except PilarError:
                amount = None
        out.append({"line": n, "account": digits(get[0]), "account_text": get[0], "amount": amount,
                    "amount_text": get[1], "reference": get[2], "status": get[3].upper()})
    return out


def _first_line(raw: list[list[object]]) -> int:
    for n, cells in enumerate(raw, 1):
        if any(_text(c) for c in cells):
            return n
    return 0


def plan_bank_result(db: Database, quarter: Quarter | str, rows: list[dict]) -> BankResult:
    """Match the file's rows to the quarter's transfer items; nothing is written."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    result = BankResult(quarter)
    by_account: dict[str, list[dict]] = {}
    for v in items(db, quarter, ("approved", "paid")):
        account = digits((v.get("bank") or {}).get("account"))
        if account and v.get("method") != "CASH":
            by_account.setdefault(account, []).append(v)
    used: set[str] = set()
    held_cache: dict[str, bool] = {}

    def problem(row: dict, key: str, **detail: object) -> None:
        result.problems.append({"line": row["line"], "account": row["account_text"], "amount": row["amount_text"],
                                "reference": row["reference"], "problem": key, "detail": detail})

    for row in rows:
        status = _STATUS.get(row["status"])
        if status is None:
            problem(row, "bad_status" if row["status"] else "no_status", value=row["status"])
            continue
        if row["amount"] is None:
            problem(row, "bad_amount")
            continue
        if not row["reference"]:
            problem(row, "no_reference")
            continue
        mine = by_account.get(row["account"])
        if not row["account"] or not mine:
            problem(row, "unknown_account")
            continue
        if status == OK and any(v["status"] == "paid" and v.get("transfer_ref") == row["reference"]
                                and v["net"] == row["amount"] for v in mine):
            result.already.append({"line": row["line"], "ref": row["reference"]})
            continue
        want = "approved" if status == OK else None
        open_items = [v for v in mine if v["id"] not in used and (want is None or v["status"] == want)]
        if status == RETUR:
            # The transfer this row returns: paid with this reference first, then any paid or approved one.
            open_items.sort(key=lambda v: (v.get("transfer_ref") != row["reference"], v["status"] != "paid"))
        match = next(([v] for v in open_items if v["net"] == row["amount"]), None)
        if match is None and open_items and sum(v["net"] for v in open_items) == row["amount"]:
            match = open_items
        if match is None:
            problem(row, "amount_mismatch", expected=", ".join(str(v["net"]) for v in open_items) or "-")
            continue
        mid = match[0]["member_id"]
        if mid not in held_cache:
            member = db.value("members", mid)
            held_cache[mid] = bool(member is not None and member.get("_conflict")
                                   and bank_contested(contested(db, member)))
        if held_cache[mid]:
            problem(row, "account_in_conflict")
            continue
        used.update(v["id"] for v in match)
        (result.paid if status == OK else result.returned).append({"line": row["line"], "ref": row["reference"],
                                                                   "items": match})
    return result


def import_bank_result(db: Database, quarter: Quarter | str, path: Path | str, dry_run: bool = False,
                       reopen: bool = True, date: str | None = None) -> BankResult:
    """Apply the bank's result file to a quarter (see the module's text for the columns).

    OK rows: items paid with their own reference. RETUR rows: items returned (reason "retur bank" with
    the reference, on ``date``, default today) and reopened as new drafts unless ``reopen`` is False.
    Rows that do not match are in ``problems`` and change nothing. One transaction, audited."""
    require_province(db)
    require_operator(db)
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    date = check_date(date or dt.date.today().isoformat(), "return_date")
    with bulk():
        result = plan_bank_result(db, quarter, read_rows(path))
    if dry_run or not (result.paid or result.returned):
        return result
    check_payer(db, [v for r in result.paid for v in r["items"]])
    replacements = {}
    if reopen:
        for r in result.returned:
            for v in r["items"]:
                replacements[v["id"]] = reopen_draft(db, v, quarter)
    at = now_iso()
    collection = quarter.collection
    with bulk(), db.transaction("payout.bank_result") as tx:
        for r in result.paid:
            for v in r["items"]:
                tx.put(collection, dict(plain_value(v), status="paid", paid_at=at, paid_by=db.operator, method="TRANSFER",
                                        transfer_ref=r["ref"]), owner=PROVINCE_CODE)
        for r in result.returned:
            for v in r["items"]:
                extra = {"transfer_ref": r["ref"], "method": "TRANSFER"} if v["status"] == "approved" else {}
                record_return(tx, db, collection, v, f"retur bank {r['ref']}", date, replacements.get(v["id"]), extra)
        update_run_header(tx, db, quarter)
        c = result.counts()
        net_paid = sum(v["net"] for r in result.paid for v in r["items"])
        net_back = sum(v["net"] for r in result.returned for v in r["items"])
        tx.note("payout.bank_result", "run", run_id(quarter),
                note=f"{quarter.code}: bank result {Path(path).name}: paid {c['paid']} items net {net_paid}, "
                     f"returned {c['returned']} items net {net_back}, {c['already']} already recorded, "
                     f"{c['problems']} rows not applied",
                changes={"paid": c["paid"], "paid_net": net_paid, "returned": c["returned"], "returned_net": net_back})
    return result
