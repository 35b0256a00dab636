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
import io
import re
import unicodedata

from storage.core.db import Database, write_office
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import banks
from storage.domain.model import pillar_label
from storage.domain.validate import clean_account

TEMPLATE_DIR = banks.TEMPLATE_DIR
SETTING = "bank_template"   # in office.json: the template Cetak and the SPJ package use
DEFAULT = "generic"
_HOLDER_DROP = re.compile(r"[^A-Z0-9 .,'\-]")


def templates() -> dict[str, dict]:
    """Every shipped template by id (``jatim``, ``generic``)."""
    return banks.templates()


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


def clean_holder(holder: object) -> str:
    """The holder as a bank file carries it: upper case, accents dropped, only letters, digits and . , ' -."""
    text = unicodedata.normalize("NFKD", str(holder or "")).encode("ascii", "ignore").decode("ascii").upper()
    return " ".join(_HOLDER_DROP.sub(" ", text).split()).lstrip(".,'-").strip()


def check_account(tpl: dict, account: object, holder: object, bank_name: object = "") -> tuple[str, dict] | None:
    """Why this account cannot go into ``tpl``'s file, as (problem key, detail), or None when it can.

    The member's own bank (``bank_name``), when a template names it, sets the length whatever the
    transfer template (a 9-digit Bank Jatim account in the generic CSV file is still wrong); then the
    file's own layout must hold it. ``detail["bank"]``, when there, is the bank whose rule refused it."""
    digits = clean_account(account)
    low, high = tpl["account_length"]
    if not digits:
        return "no_account", {}
    if not digits.isdigit():
        return "not_digits", {"chars": " ".join(dict.fromkeys(c for c in digits if not c.isdigit()))}
    own = banks.rule_for(bank_name)
    if own is not None and own is not tpl:
        own_low, own_high = own["account_length"]
        if not own_low <= len(digits) <= own_high:
            return "length", {"count": len(digits), "need": banks.need_text(own_low, own_high),
                              "bank": label(own)}
    if not low <= len(digits) <= high:
        return "length", {"count": len(digits), "need": banks.need_text(low, high)}
    if not clean_holder(holder):
        return "no_holder", {}
    return None


def problem_text(p: dict) -> str:
    """The sentence for one left-out item: what is wrong, and what to fix in the roster."""
    return t(f"bankfile.problem.{p['problem']}", name=p["name"], pillar=pillar_label(p["pillar"]),
             account=p["account"], bank=p["bank"], **p["detail"]) + " " + t("bankfile.fix", item=p["item_id"])


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
