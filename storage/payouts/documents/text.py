"""Payout documents: the daftar nominatif, the tanda terima (receipts) and the bank transfer file.

Built with tabulate through :mod:`storage.printing.tables`: printable text, HTML laid out for A4, CSV and XLSX.
Totals come from the same items as :func:`storage.payouts.summary`, so the command line, the screen
and the paper always agree. Items in sync conflict are never printed as payable.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt
from storage.domain.model import pillar_label, position_label
from storage.payouts import Quarter, signers
from storage.payouts.documents import figures
from storage.payouts.documents.figures import (
    Progress,
    account_text,
    idr,
    known_block,
    nominatif_groups,
    purpose,
    receipt_data,
    returned_headers,
    returned_rows,
    signature_blocks,
    title_lines,
)
from storage.printing import tables as export


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


_RET_ALIGN = ("right", "left", "left", "left", "left", "right", "left", "left", "left")


def _headers() -> list[str]:
    return [t(f"payout.h.{k}") for k in ("no", "name", "nik", "pillar_position", "area", "account", "gross", "tax",
                                          "net", "signature")]


_ALIGN = ("right", "left", "left", "left", "left", "left", "right", "right", "right", "left")


def nominatif(db: Database, quarter: Quarter | str, fmt_name: str = "text", draft: bool = False,
              mask: bool = False, place: str | None = None, date: dt.date | str | None = None,
              progress: Progress = None) -> str | bytes:
    """The daftar nominatif in one format: text, html (str) or csv, xlsx (bytes)."""
    quarter = Quarter.of(quarter)
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
        returned_table = layout([r[:5] + [_num(r[5])] + r[6:] for r in returned], returned_headers(), _RET_ALIGN)
    s = signers(db)
    place_date = figures.place_date(db, place, date)
    if fmt_name == "text":
        out = ["\n".join(title_lines(quarter, draft)), ""]
        for title, tab in parts:
            out += [title, tab, ""]
        out += [total_table, ""]
        if returned_table:
            out += [t("payout.doc.returned_title"), returned_table, ""]
        if note:
            out += [note, ""]
        signatures = _sign_text(s, with_recipient=False)
        out += [place_date, signatures, "", _known_text(s, max(len(x) for x in signatures.splitlines()))]
        return "\n".join(out) + "\n"
    body = "".join(f"<h1>{html.escape(line)}</h1>\n" if i < 2 else f'<p class="meta">{html.escape(line)}</p>\n'
                   for i, line in enumerate(title_lines(quarter, draft)))
    for title, tab in parts:
        body += f"<h2>{html.escape(title)}</h2>\n{tab}\n"
    body += f"<h2>{html.escape(t('payout.doc.grand_total'))}</h2>\n{total_table}\n"
    if returned_table:
        body += f"<h2>{html.escape(t('payout.doc.returned_title'))}</h2>\n{returned_table}\n"
    if note:
        body += f"<p>{html.escape(note)}</p>\n"
    body += f'<p style="text-align:right">{html.escape(place_date)}</p>\n' + _sign_html(s, with_recipient=False)
    body += _known_html(s)
    return export.html_page(f"{t('payout.doc.nominatif_title')} {quarter.code}", body)


def _sign_text(s: dict, with_recipient: bool, recipient: str = "") -> str:
    blocks = signature_blocks(s, with_recipient, recipient)
    rows = [[b[0] for b in blocks], [b[1] for b in blocks], [""] * len(blocks), [""] * len(blocks),
            [f"( {b[2] or '.' * 24} )" for b in blocks],
            [f"{t('payout.doc.nip')} {b[3]}" if b[3] else "" for b in blocks]]
    width = max(34, *(len(cell) + 3 for row in rows for cell in row))
    return "\n".join("".join(cell.center(width) for cell in row).rstrip() for row in rows)


def _known_text(s: dict, width: int) -> str:
    """"Mengetahui, Kepala Dinas / KPA" centred under the signatures (``width``: theirs)."""
    line, role, name, nip = known_block(s)
    rows = [line, role, "", "", f"( {name or '.' * 24} )", f"{t('payout.doc.nip')} {nip}" if nip else ""]
    return "\n".join(row.center(width).rstrip() for row in rows)


def _known_html(s: dict) -> str:
    line, role, name, nip = known_block(s)
    nip_line = f"<br>{html.escape(t('payout.doc.nip'))} {html.escape(nip)}" if nip else ""
    return (f'<p style="text-align:center">{html.escape(line)}<br>{html.escape(role)}<br><br><br><br>'
            f"( {html.escape(name) if name else '.' * 30} ){nip_line}</p>\n")


def _sign_html(s: dict, with_recipient: bool, recipient: str = "") -> str:
    cells = []
    for line, role, name, nip in signature_blocks(s, with_recipient, recipient):
        nip_line = f"<br>{html.escape(t('payout.doc.nip'))} {html.escape(nip)}" if nip else ""
        cells.append(f"<td>{html.escape(line)}<br>{html.escape(role)}<br><br><br><br>"
                     f"( {html.escape(name) if name else '.' * 30} ){nip_line}</td>")
    return f'<table class="signatures"><tr>{"".join(cells)}</tr></table>\n'


def receipts(db: Database, quarter: Quarter | str, fmt_name: str = "text", draft: bool = False,
             member_ids: Iterable[str] | None = None, place: str | None = None, date: dt.date | str | None = None,
             mask: bool = False, progress: Progress = None) -> str:
    """The tanda terima, one per member (text pages separated by form feeds, or A4 HTML pages)."""
    quarter = Quarter.of(quarter)
    data = receipt_data(db, quarter, draft, member_ids)
    if not data:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    s = signers(db)
    place_date = figures.place_date(db, place, date)
    pages = []
    for n, r in enumerate(data, 1):
        nik = fmt.mask_nik(r["nik"]) if mask else r["nik"]
        fields = [(t("payout.doc.received_from"), t("payout.doc.payer")),
                  (t("payout.doc.amount_figures"), f"{r['figures']} ({r['words']})"),
                  (t("payout.doc.for"), "; ".join(purpose(v, quarter) for v in r["items"])),
                  (t("payout.h.name"), r["name"]), (t("payout.h.nik"), nik),
                  (t("payout.h.account"), account_text(r["items"][0], mask))]
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


