"""Payout documents: the daftar nominatif, the tanda terima (receipts) and the bank transfer file.

Built with tabulate through :mod:`storage.printing.tables`: printable text, HTML laid out for A4, CSV and XLSX.
Totals come from the same items as :func:`storage.payouts.summary`, so the command line, the screen
and the paper always agree. Items in sync conflict are never printed as payable.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain import fmt, regions
from storage.domain.model import pillar_label, position_label
from storage.payouts import Quarter, bulk, items, members_by_id, returned_items, signers
from storage.payouts.lifecycle import _held_for_pay
from storage.printing import tables as export

FORMATS = ("text", "html", "csv", "xlsx", "bank", "pdf")
DOCS = ("nominatif", "receipts", "kwitansi", "rekap", "pajak", "bank")
Progress = Callable[[int, int], None] | None


def idr(amount: int) -> str:
    """1500000 -> 'Rp1.500.000' (same text as storage.domain.fmt.rupiah, fast enough for 50,000 rows)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money must be int rupiah, not {type(amount).__name__}")
    text = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp{text}" if amount < 0 else f"Rp{text}"


def _num(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _cell(value: object) -> str:
    return str(value).replace("\r", " ").replace("\n", " ").strip()


def grid(rows: list[list], headers: list[str], colalign: tuple[str, ...]) -> str:
    """The same text as ``storage.printing.tables.table(rows, headers, "text", colalign)`` (tabulate's simple_grid
    with string cells, left/right alignment), laid out directly: tabulate spends ~80 us a row, which
    made the 50,000-row daftar nominatif miss its 5 s budget. A test checks the two agree."""
    cells = [[_cell(c) for c in r] for r in rows]
    heads = [str(h).replace("\r", " ").replace("\n", " ") for h in headers]
    widths = [max([len(h) + 2] + [len(r[i]) for r in cells]) for i, h in enumerate(heads)]
    just = [str.rjust if a == "right" else str.ljust for a in colalign]

    def rule(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + right

    def line(values: list[str]) -> str:
        return "│" + "│".join(f" {j(v, w)} " for v, w, j in zip(values, widths, just, strict=True)) + "│"

    sep = rule("├", "┼", "┤")
    out = [rule("┌", "┬", "┐"), line(heads), sep]
    for i, r in enumerate(cells):
        if i:
            out.append(sep)
        out.append(line(r))
    out.append(rule("└", "┴", "┘"))
    return "\n".join(out)


def html_table(rows: list[list], headers: list[str], colalign: tuple[str, ...]) -> str:
    """An HTML table of escaped cells (as ``storage.printing.tables.table(..., "html")``, without its padding)."""
    style = [f' style="text-align: {a};"' for a in colalign]
    head = "".join(f"<th{s}>{html.escape(_cell(h))}</th>" for h, s in zip(headers, style, strict=True))
    body = "\n".join("<tr>" + "".join(f"<td{s}>{html.escape(_cell(c))}</td>" for c, s in zip(r, style, strict=True))
                      + "</tr>" for r in rows)
    return f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _quarter(quarter: Quarter | str) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


def printable(db: Database, quarter: Quarter | str, draft: bool = False) -> tuple[list[dict], int]:
    """The items a document lists (approved and paid; drafts too when ``draft``) and how many
    were left out for being in sync conflict."""
    wanted = ("draft", "approved", "paid") if draft else ("approved", "paid")
    chosen = items(db, _quarter(quarter), wanted)
    clean = [v for v in chosen if not v.get("_conflict")]
    return clean, len(chosen) - len(clean)


def _area(item: dict) -> str:
    kec = item.get("kec") or ""
    return regions.kec_name(kec) if kec else regions.kab_name(item.get("kab", "")) if item.get("kab") else ""


def _account(item: dict, mask: bool) -> str:
    bank = item.get("bank") or {}
    account = bank.get("account") or ""
    if not account:
        return t("payout.method.CASH")
    return f"{bank.get('name', '')} {fmt.mask_account(account) if mask else account}".strip()


def nominatif_groups(db: Database, quarter: Quarter | str, draft: bool = False, mask: bool = False,
                     progress: Progress = None) -> tuple[list[dict], list[int], int]:
    """Rows grouped by kab/kota: ``[{kab, name, rows, total}]``, the grand total [count, gross, tax, net]
    and the number of items left out for conflicts. A row: no, name, NIK, pillar/position, area,
    account, gross, tax, net (ints)."""
    chosen, left_out = printable(db, quarter, draft)
    everyone = members_by_id(db)
    members = {v["member_id"]: everyone.get(v["member_id"], {}) for v in chosen}
    chosen.sort(key=lambda v: (v.get("kab", ""), members[v["member_id"]].get("name", "").casefold(), v["pillar"]))
    groups: list[dict] = []
    grand = [0, 0, 0, 0]
    labels: dict[tuple[str, str], str] = {}
    total = len(chosen)
    for n, v in enumerate(chosen, 1):
        if not groups or groups[-1]["kab"] != v.get("kab", ""):
            kab = v.get("kab", "")
            groups.append({"kab": kab, "name": regions.kab_name(kab) if kab else "-", "rows": [],
                           "total": [0, 0, 0, 0]})
        member = members[v["member_id"]]
        key = (v["pillar"], v.get("position", ""))
        if key not in labels:
            labels[key] = f"{pillar_label(key[0])} / {position_label(key[1])}" if key[1] else pillar_label(key[0])
        nik = member.get("nik", "")
        groups[-1]["rows"].append([n, member.get("name", ""), fmt.mask_nik(nik) if mask else nik, labels[key],
                                   _area(v), _account(v, mask), v["gross"], v["tax"], v["net"]])
        for acc in (groups[-1]["total"], grand):
            acc[0] += 1
            acc[1] += v["gross"]
            acc[2] += v["tax"]
            acc[3] += v["net"]
        if progress and n % 5000 == 0:
            progress(n, total)
    if progress:
        progress(total, total)
    return groups, grand, left_out


def returned_rows(db: Database, quarter: Quarter | str, mask: bool = False) -> list[list]:
    """The quarter's items whose money came back (retur, cash handed back): no, name, NIK, pillar,
    account, net (int), returned on, reason, what became of it. Never in a document's totals."""
    everyone = members_by_id(db)
    out = []
    for n, r in enumerate(returned_items(db, _quarter(quarter)), 1):
        nik = (everyone.get(r["member_id"]) or {}).get("nik", "")
        account = r["account"]
        shown = t("payout.method.CASH") if r["method"] == "CASH" or not account else \
            f"{r['bank']} {fmt.mask_account(account) if mask else account}".strip()
        fate = t("payout.doc.reopened_as", status=t(f"payout.status.{r['reopened_status']}")) \
            if r["reopened"] and r["reopened_status"] else t("payout.doc.closed")
        out.append([n, r["name"], fmt.mask_nik(nik) if mask else nik, pillar_label(r["pillar"]), shown, r["net"],
                    r["returned_on"], r["reason"], fate])
    return out


def _returned_headers() -> list[str]:
    return [t(f"payout.h.{k}") for k in ("no", "name", "nik", "pillar", "account", "net", "returned_on", "reason",
                                          "status")]


_RET_ALIGN = ("right", "left", "left", "left", "left", "right", "left", "left", "left")


def _headers() -> list[str]:
    return [t(f"payout.h.{k}") for k in ("no", "name", "nik", "pillar_position", "area", "account", "gross", "tax",
                                          "net", "signature")]


def _title_lines(quarter: Quarter, draft: bool) -> list[str]:
    lines = [t("payout.doc.agency"), t("payout.doc.nominatif_title"), fmt.quarter_label(quarter.code).upper()]
    if draft:
        lines.append(t("payout.doc.draft"))
    return lines


def _place_date(db: Database, place: str | None, date: dt.date | str | None) -> str:
    place = place or signers(db).get("place") or "Surabaya"
    return fmt.letter_date(place, date or dt.date.today())


_ALIGN = ("right", "left", "left", "left", "left", "left", "right", "right", "right", "left")


def nominatif(db: Database, quarter: Quarter | str, fmt_name: str = "text", draft: bool = False,
              mask: bool = False, place: str | None = None, date: dt.date | str | None = None,
              progress: Progress = None) -> str | bytes:
    """The daftar nominatif in one format: text, html (str) or csv, xlsx (bytes)."""
    quarter = _quarter(quarter)
    groups, grand, left_out = nominatif_groups(db, quarter, draft, mask, progress)
    if not grand[0] and not draft:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    headers = _headers()
    if fmt_name in ("csv", "xlsx"):
        rows = []
        for g in groups:
            rows.extend(r + [""] for r in g["rows"])
            rows.append(["", t("payout.doc.subtotal", kab=g["name"]), "", "", "", "", g["total"][1], g["total"][2],
                         g["total"][3], ""])
        rows.append(["", t("payout.doc.grand_total"), "", "", "", "", grand[1], grand[2], grand[3], ""])
        for r in returned_rows(db, quarter, mask):  # after the total, marked, with no amount in its columns
            rows.append(["", f"{t('payout.doc.returned_row')}: {r[1]}", r[2], r[3], r[6], r[4], "", "",
                         "", f"{r[7]}; {r[8]}; {r[5]}"])
        if fmt_name == "csv":
            return export.csv_bytes(headers, rows)
        return export.xlsx_bytes([(quarter.code, headers, rows)])
    if fmt_name not in ("text", "html"):
        raise PilarError("payout.bad_format", value=fmt_name, choices="text, html, csv, xlsx")
    tfmt = "html" if fmt_name == "html" else "text"
    parts = []
    for g in groups:
        body = [r[:6] + [_num(r[6]), _num(r[7]), _num(r[8]), ""] for r in g["rows"]]
        body.append(["", t("payout.doc.subtotal", kab=g["name"]), "", "", "", "", _num(g["total"][1]),
                     _num(g["total"][2]), _num(g["total"][3]), ""])
        layout = html_table if tfmt == "html" else grid
        parts.append((f"{g['kab']} {g['name']}", layout(body, headers, _ALIGN)))
    total_table = export.table([[t("payout.doc.grand_total"), str(grand[0]), idr(grand[1]), idr(grand[2]),
                                 idr(grand[3])]],
                               ["", t("payout.h.count"), t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net")],
                               tfmt, colalign=("left", "right", "right", "right", "right"))
    note = t("payout.doc.conflicts_left_out", count=left_out) if left_out else ""
    returned = returned_rows(db, quarter, mask)
    returned_table = ""
    if returned:
        layout = html_table if tfmt == "html" else grid
        returned_table = layout([r[:5] + [_num(r[5])] + r[6:] for r in returned], _returned_headers(), _RET_ALIGN)
    s = signers(db)
    place_date = _place_date(db, place, date)
    if fmt_name == "text":
        out = ["\n".join(_title_lines(quarter, draft)), ""]
        for title, tab in parts:
            out += [title, tab, ""]
        out += [total_table, ""]
        if returned_table:
            out += [t("payout.doc.returned_title"), returned_table, ""]
        if note:
            out += [note, ""]
        out += [place_date, _sign_text(s, with_recipient=False)]
        return "\n".join(out) + "\n"
    body = "".join(f"<h1>{html.escape(line)}</h1>\n" if i < 2 else f'<p class="meta">{html.escape(line)}</p>\n'
                   for i, line in enumerate(_title_lines(quarter, draft)))
    for title, tab in parts:
        body += f"<h2>{html.escape(title)}</h2>\n{tab}\n"
    body += f"<h2>{html.escape(t('payout.doc.grand_total'))}</h2>\n{total_table}\n"
    if returned_table:
        body += f"<h2>{html.escape(t('payout.doc.returned_title'))}</h2>\n{returned_table}\n"
    if note:
        body += f"<p>{html.escape(note)}</p>\n"
    body += f'<p style="text-align:right">{html.escape(place_date)}</p>\n' + _sign_html(s, with_recipient=False)
    return export.html_page(f"{t('payout.doc.nominatif_title')} {quarter.code}", body)


def _signature_blocks(s: dict, with_recipient: bool, recipient: str = "") -> list[tuple[str, str, str, str]]:
    """(line, role, name, nip) per signature place: approving officer, treasurer, recipient."""
    blocks = [(t("payout.doc.approve_line"), s.get("officer_title") or t("payout.doc.officer"), s.get("officer", ""),
               s.get("officer_nip", "")),
              (t("payout.doc.paid_line"), t("payout.doc.treasurer"), s.get("treasurer", ""), s.get("treasurer_nip", ""))]
    if with_recipient:
        blocks.append(("", t("payout.doc.recipient"), recipient, ""))
    return blocks


def _sign_text(s: dict, with_recipient: bool, recipient: str = "") -> str:
    blocks = _signature_blocks(s, with_recipient, recipient)
    rows = [[b[0] for b in blocks], [b[1] for b in blocks], [""] * len(blocks), [""] * len(blocks),
            [f"( {b[2] or '.' * 24} )" for b in blocks],
            [f"{t('payout.doc.nip')} {b[3]}" if b[3] else "" for b in blocks]]
    width = max(34, *(len(cell) + 3 for row in rows for cell in row))
    return "\n".join("".join(cell.center(width) for cell in row).rstrip() for row in rows)


def _sign_html(s: dict, with_recipient: bool, recipient: str = "") -> str:
    cells = []
    for line, role, name, nip in _signature_blocks(s, with_recipient, recipient):
        nip_line = f"<br>{html.escape(t('payout.doc.nip'))} {html.escape(nip)}" if nip else ""
        cells.append(f"<td>{html.escape(line)}<br>{html.escape(role)}<br><br><br><br>"
                     f"( {html.escape(name) if name else '.' * 30} ){nip_line}</td>")
    return f'<table class="signatures"><tr>{"".join(cells)}</tr></table>\n'


def receipt_data(db: Database, quarter: Quarter | str, draft: bool = False,
                 member_ids: Iterable[str] | None = None) -> list[dict]:
    """One receipt per member: their items of the quarter, the total net, in figures and in words."""
    quarter = _quarter(quarter)
    chosen, _left = printable(db, quarter, draft)
    wanted = set(member_ids) if member_ids else None
    by_member: dict[str, list[dict]] = {}
    for v in chosen:
        if wanted is None or v["member_id"] in wanted:
            by_member.setdefault(v["member_id"], []).append(v)
    out = []
    everyone = members_by_id(db)
    for member_id, its in by_member.items():
        member = everyone.get(member_id, {})
        net = sum(v["net"] for v in its)
        out.append({"member_id": member_id, "name": member.get("name", ""), "nik": member.get("nik", ""),
                    "kab": its[0].get("kab", ""), "items": sorted(its, key=lambda v: v["pillar"]),
                    "gross": sum(v["gross"] for v in its), "tax": sum(v["tax"] for v in its), "net": net,
                    "figures": idr(net), "words": fmt.rupiah_words(net)})
    out.sort(key=lambda r: (r["kab"], r["name"].casefold()))
    return out


def _purpose(item: dict, quarter: Quarter) -> str:
    return t("payout.doc.for_text", kind=t(f"payout.kind.{item.get('rate_kind', 'OPERASIONAL')}"),
             pillar=pillar_label(item["pillar"]), position=position_label(item.get("position", "")),
             quarter=fmt.quarter_label(quarter.code), funding=t(f"payout.funding.{item.get('funding', 'LAINNYA')}"))


def receipts(db: Database, quarter: Quarter | str, fmt_name: str = "text", draft: bool = False,
             member_ids: Iterable[str] | None = None, place: str | None = None, date: dt.date | str | None = None,
             mask: bool = False, progress: Progress = None) -> str:
    """The tanda terima, one per member (text pages separated by form feeds, or A4 HTML pages)."""
    quarter = _quarter(quarter)
    data = receipt_data(db, quarter, draft, member_ids)
    if not data:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    s = signers(db)
    place_date = _place_date(db, place, date)
    pages = []
    for n, r in enumerate(data, 1):
        nik = fmt.mask_nik(r["nik"]) if mask else r["nik"]
        fields = [(t("payout.doc.received_from"), t("payout.doc.payer")),
                  (t("payout.doc.amount_figures"), f"{r['figures']} ({r['words']})"),
                  (t("payout.doc.for"), "; ".join(_purpose(v, quarter) for v in r["items"])),
                  (t("payout.h.name"), r["name"]), (t("payout.h.nik"), nik),
                  (t("payout.h.account"), _account(r["items"][0], mask))]
        lines = [[pillar_label(v["pillar"]), position_label(v.get("position", "")), _num(v["gross"]), _num(v["tax"]),
                  _num(v["net"])] for v in r["items"]]
        heads = [t("payout.h.pillar"), t("payout.h.position"), t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net")]
        align = ("left", "left", "right", "right", "right")
        # A receipt of an item not yet approved says so on its face: it is not a proof of payment.
        unapproved = any(v.get("status") == "draft" for v in r["items"])
        if fmt_name == "html":
            rows = "".join(f"<tr><td style=\"width:30%\">{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                           for k, v in fields)
            mark = f'<p class="meta"><b>{html.escape(t("payout.doc.draft"))}</b></p>' if unapproved else ""
            pages.append(f'<div class="{"page-break" if n < len(data) else ""}">'
                         f"<h1>{html.escape(t('payout.doc.receipt_title'))}</h1>{mark}"
                         f'<p class="meta">{html.escape(fmt.quarter_label(quarter.code))}</p>'
                         f"<table>{rows}</table><br>{html_table(lines, heads, align)}"
                         f'<p style="text-align:right">{html.escape(place_date)}</p>'
                         f"{_sign_html(s, True, r['name'])}</div>\n")
        else:
            width = max(len(k) for k, _ in fields)
            text = [t("payout.doc.receipt_title").center(100)]
            if unapproved:
                text.append(t("payout.doc.draft").center(100))
            text += [fmt.quarter_label(quarter.code).center(100), ""]
            text += [f"{k.ljust(width)} : {v}" for k, v in fields]
            text += ["", grid(lines, heads, align), "", place_date.rjust(100), "",
                     _sign_text(s, True, r["name"])]
            pages.append("\n".join(text) + "\n")
        if progress and n % 500 == 0:
            progress(n, len(data))
    if progress:
        progress(len(data), len(data))
    if fmt_name == "html":
        return export.html_page(f"{t('payout.doc.receipt_title')} {quarter.code}", "".join(pages))
    if fmt_name != "text":
        raise PilarError("payout.bad_format", value=fmt_name, choices="text, html")
    return "\f\n".join(pages)


def bank_items(db: Database, quarter: Quarter | str) -> list[dict]:
    """Approved, unpaid items paid by transfer, in file order (kab/kota, holder); an account in sync
    conflict is not sent until resolved. Raises when none is due, or when an approved item is in conflict."""
    quarter = _quarter(quarter)
    approved = items(db, quarter, ("approved",))
    bad = [v for v in approved if v.get("_conflict")]
    if bad:
        raise PilarError("payout.conflict.export", count=len(bad))
    held = {v["id"] for v in _held_for_pay(db, approved)}
    due = [v for v in approved if v.get("method") != "CASH" and v["id"] not in held
           and str((v.get("bank") or {}).get("account") or "").strip()]
    if not due:
        raise PilarError("payout.nothing_to_pay", quarter=quarter.code)
    return sorted(due, key=lambda v: (v.get("kab", ""), (v.get("bank") or {}).get("holder", ""), v["id"]))


def bank_rows(db: Database, quarter: Quarter | str) -> list[list]:
    """The transfer lines as the generic template writes them: no, bank, account, holder, amount (net),
    reference, description, item id (items failing the account checks left out)."""
    from storage.payouts import bankfile as bank_file

    return [[r["no"], r["bank"], r["account"], r["holder"], r["amount"], r["reference"], r["description"],
             r["item_id"]] for r in bank_file.build(db, quarter, "generic").rows]


def bank_csv(db: Database, quarter: Quarter | str, bank: str | None = None) -> bytes:
    """The bank transfer file in ``bank``'s template (default: the office's choice; see storage.payouts.bankfile)."""
    from storage.payouts import bankfile as bank_file

    return bank_file.build(db, quarter, bank).data


def render(db: Database, quarter: Quarter | str, doc: str = "nominatif", fmt_name: str = "text",
           **opts) -> str | bytes:
    """One document as text (str) or file content (bytes for csv, xlsx, bank)."""
    with bulk():
        return _render(db, quarter, doc, fmt_name, **opts)


def _render(db: Database, quarter: Quarter | str, doc: str, fmt_name: str, **opts) -> str | bytes:
    if fmt_name == "bank" or doc == "bank":
        return bank_csv(db, quarter, opts.get("bank"))
    if fmt_name == "pdf" or doc in ("kwitansi", "rekap", "pajak"):  # these exist only as PDF
        from storage.payouts.documents import pdf as payout_pdf

        return payout_pdf.render(db, _quarter(quarter), doc, **opts)
    if doc == "receipts":
        return receipts(db, quarter, fmt_name, **opts)
    if doc != "nominatif":
        raise PilarError("payout.bad_format", value=doc, choices=", ".join(DOCS))
    return nominatif(db, quarter, fmt_name, **opts)


def write(db: Database, quarter: Quarter | str, out: Path, doc: str = "nominatif", fmt_name: str = "text",
          **opts) -> Path:
    """Render and write a document atomically."""
    data = render(db, quarter, doc, fmt_name, **opts)
    atomic_write(Path(out), data.encode("utf-8") if isinstance(data, str) else data)
    return Path(out)


def default_name(quarter: Quarter | str, doc: str, fmt_name: str) -> str:
    """A FAT32-safe file name, e.g. 'nominatif_2024-Q2.html', 'bank_2024-Q2.csv'."""
    quarter = _quarter(quarter)
    ext = {"text": "txt", "bank": "csv"}.get(fmt_name, fmt_name)
    ext = "pdf" if doc in ("kwitansi", "rekap", "pajak") else ext
    name = "bank" if fmt_name == "bank" else doc
    return f"{name}_{quarter.code}.{ext}"
