"""The bank transfer file of a quarter, laid out by a template per bank (``storage/payouts/bank_templates/*.json``).

A template says the layout (``fixed``: columns of set widths; ``csv``: delimited), the account length
the bank accepts, and three sections: ``header`` (one line), ``detail`` (one line per transfer) and
``trailer`` (the totals line). Each section is a list of cells, ``{"value": "H"}`` (a constant) or
``{"field": "amount"}``; fixed layouts give ``width`` and may give ``align: right`` and ``pad: "0"``.

Fields: header and trailer ``office``, ``date`` (YYYYMMDD), ``batch``, ``count``, ``total``; detail
``no``, ``bank``, ``account`` (digits only), ``holder`` (upper-case ASCII letters), ``amount`` (the net,
integer rupiah), ``reference`` (16 characters of the item id, unique per transfer) and ``description``.

Before a line is written its account is checked: digits only once spaces, dots and dashes are removed,
the bank's length, and a holder. Items that fail are left out of the file and listed with the reason
(:attr:`BankFile.left_out`), never written. A number that does not fit its column stops the export:
an amount is never cut.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from storage.core.db import Database, write_office
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain.model import pillar_label

TEMPLATE_DIR = Path(__file__).with_name("bank_templates")
SETTING = "bank_template"   # in office.json: the template Cetak and the SPJ package use
DEFAULT = "generic"
_SEPARATORS = re.compile(r"[\s.\-]")
_HOLDER_DROP = re.compile(r"[^A-Z0-9 .,'\-]")


@functools.cache
def templates() -> dict[str, dict]:
    """Every shipped template by id (``jatim``, ``generic``)."""
    found = {}
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        tpl = orjson.loads(path.read_bytes())
        found[tpl["id"]] = tpl
    return found


def template(bank: str | dict) -> dict:
    """The template ``bank`` (an id such as "jatim"); a clear error naming the choices otherwise."""
    if isinstance(bank, dict):
        return bank
    tpl = templates().get(str(bank or "").strip().lower())
    if tpl is None:
        raise PilarError("bankfile.unknown_template", value=bank, choices=", ".join(templates()))
    return tpl


def label(bank: str | dict) -> str:
    """The template's name for people, in the current language (``bankfile.name.<id>``), e.g. "Bank Jatim"."""
    tpl = template(bank)
    key = f"bankfile.name.{tpl['id']}"
    text = t(key)
    return tpl["name"] if text == key else text


def chosen(office: dict) -> str:
    """The office's template (the setting), ``generic`` unless set."""
    bank = office.get(SETTING) or DEFAULT
    return bank if bank in templates() else DEFAULT


def set_chosen(db: Database, bank: str) -> str:
    """Keep the office's template in this folder's office.json (as the viewer setting is kept); a change
    is audited (``settings.bank_template``) and needs an operator, as every change does."""
    tpl = template(bank)
    before = chosen(db.office)
    if before == tpl["id"]:  # as it is already: nothing to write or audit
        return tpl["id"]
    if not str(db.operator or "").strip():
        raise PilarError("db.no_operator")
    db.office = dict(db.office, **{SETTING: tpl["id"]})
    write_office(db.path, db.office)
    db.record_note("settings.bank_template", "office", db.code, note=f"bank file template {before} -> {tpl['id']}")
    return tpl["id"]


def clean_account(account: object) -> str:
    """The account as the bank reads it: spaces, dots and dashes removed (anything else is kept, and refused)."""
    return _SEPARATORS.sub("", str(account or ""))


def clean_holder(holder: object) -> str:
    """The holder as a bank file carries it: upper case, accents dropped, only letters, digits and . , ' -."""
    text = unicodedata.normalize("NFKD", str(holder or "")).encode("ascii", "ignore").decode("ascii").upper()
    return " ".join(_HOLDER_DROP.sub(" ", text).split()).lstrip(".,'-").strip()


def check_account(tpl: dict, account: object, holder: object) -> tuple[str, dict] | None:
    """Why this account cannot go into ``tpl``'s file, as (problem key, detail), or None when it can."""
    digits = clean_account(account)
    low, high = tpl["account_length"]
    if not digits:
        return "no_account", {}
    if not digits.isdigit():
        return "not_digits", {"chars": " ".join(dict.fromkeys(c for c in digits if not c.isdigit()))}
    if not low <= len(digits) <= high:
        need = str(low) if low == high else f"{low}–{high}"
        return "length", {"count": len(digits), "need": need}
    if not clean_holder(holder):
        return "no_holder", {}
    return None


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


def problem_text(p: dict) -> str:
    """The sentence for one left-out item: what is wrong, and what to fix in the roster."""
    return t(f"bankfile.problem.{p['problem']}", name=p["name"], pillar=pillar_label(p["pillar"]),
             account=p["account"], bank=p["bank"], **p["detail"]) + " " + t("bankfile.fix", item=p["item_id"])


def build(db: Database, quarter, bank: str | dict | None = None, date: str | None = None) -> BankFile:
    """The quarter's transfer file in ``bank``'s template (default: the office's setting).

    The items are those of :func:`storage.payouts.documents.text.bank_items` (approved, unpaid, by transfer, not
    held by a sync conflict). Raises ``payout.nothing_to_pay`` when no transfer is due, and
    ``bankfile.nothing_valid`` when every one fails the account checks (the reasons in the message)."""
    from storage.payouts.documents import text as payout_docs

    tpl = template(bank if bank is not None else chosen(db.office))
    approved = payout_docs.bank_items(db, quarter)
    quarter = payout_docs._quarter(quarter)
    result = BankFile(tpl, quarter.code)
    described: dict[str, str] = {}
    names: dict[str, str] = {}
    for v in approved:
        b = v.get("bank") or {}
        why = check_account(tpl, b.get("account"), b.get("holder"))
        if why:
            mid = v["member_id"]
            if mid not in names:
                names[mid] = (db.value("members", mid) or {}).get("name") or b.get("holder") or mid[:8]
            result.left_out.append({"item_id": v["id"], "member_id": mid, "name": names[mid], "pillar": v["pillar"],
                                    "account": str(b.get("account") or ""), "bank": label(tpl),
                                    "problem": why[0], "detail": why[1]})
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
    if tpl["layout"] == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=tpl.get("delimiter", ","), lineterminator=tpl["line_end"])
        writer.writerows(lines)
        result.data = buf.getvalue().encode("utf-8")
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


def parse(tpl: str | dict, data: bytes) -> dict:
    """Read a file written with ``tpl`` back: {"header": {...}, "rows": [{...}], "trailer": {...}}; the
    numeric fields (no, count, total, amount) as int. Used to check a file before it is sent."""
    tpl = template(tpl)
    if tpl["layout"] == "csv":
        text = data.decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text), delimiter=tpl.get("delimiter", ",")))
    else:
        lines = [_cut(tpl, line) for line in data.decode("ascii").split(tpl["line_end"]) if line]
    if len(lines) < 2:
        raise PilarError("bankfile.unreadable", detail=f"{len(lines)} lines")
    head, *body, tail = lines

    def named(section: str, cells: list[str]) -> dict:
        spec = tpl[section]
        if len(cells) != len(spec):
            raise PilarError("bankfile.unreadable", detail=f"{section}: {len(cells)} cells, not {len(spec)}")
        out = {}
        for c, text in zip(spec, cells, strict=True):
            if "field" in c:
                out[c["field"]] = int(text) if c["field"] in ("no", "count", "total", "amount") else text.strip()
        return out

    return {"header": named("header", head), "rows": [named("detail", r) for r in body],
            "trailer": named("trailer", tail)}


def result_template(data: bytes) -> dict | None:
    """The fixed-width template whose layout ``data`` (a bank's result file) is in, or None.

    Recognised by content, not by name: every line starts with one of the template's record types
    (H, D, T for Bank Jatim), the first is its header or a detail line (a bank may drop the header),
    there is a detail line and each is at least as long as the template's detail line (the ``result``
    cells, status and bank reference, may follow or be trimmed)."""
    head = data[:1 << 16].decode("latin-1")
    lines = [line for line in head.splitlines() if line.strip()]
    if len(data) > len(head):  # the last line of the sample may be cut short
        lines = lines[:-1]
    for tpl in templates().values():
        if tpl["layout"] != "fixed" or "result" not in tpl or not lines:
            continue
        header, detail, trailer = (tpl[s][0]["value"] for s in ("header", "detail", "trailer"))
        widths = {header: sum(c["width"] for c in tpl["header"]), detail: sum(c["width"] for c in tpl["detail"])}
        body = lines[1:] if lines[0][:1] == header and len(lines[0].rstrip()) <= widths[header] else lines
        if any(line[:1] == detail for line in body) and \
                all(line[:1] == trailer or (line[:1] == detail and len(line) >= widths[detail]) for line in body):
            return tpl
    return None


def parse_result(tpl: str | dict, data: bytes) -> list[dict]:
    """The detail lines of a bank's result file in ``tpl``'s fixed layout, each as the detail fields
    (account, amount as text, reference, …) plus the ``result`` cells (status, bank_reference) and
    ``line`` (1-based). Header and trailer lines are skipped; a line may end early (trailing blanks trimmed)."""
    tpl = template(tpl)
    cells = tpl["detail"] + tpl.get("result", [])
    detail = tpl["detail"][0]["value"]
    out = []
    for n, line in enumerate(data.decode("latin-1").splitlines(), 1):
        if line[:1] != detail:
            continue
        row, at = {"line": n}, 0
        for c in cells:
            if "field" in c:
                row[c["field"]] = line[at:at + c["width"]].strip()
            at += c["width"]
        out.append(row)
    return out


def _cut(tpl: dict, line: str) -> list[str]:
    kind = {s[0]["value"]: s for s in (tpl["header"], tpl["detail"], tpl["trailer"])}.get(line[:1])
    if kind is None:
        raise PilarError("bankfile.unreadable", detail=f"record type {line[:1]!r}")
    cells, at = [], 0
    for c in kind:
        cells.append(line[at:at + c["width"]])
        at += c["width"]
    return cells
