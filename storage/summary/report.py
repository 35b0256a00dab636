"""The summary as a document: text, JSON, A4 HTML and XLSX, and the printable rekap per kab/kota.

Built from :func:`storage.summary.figures.compute`, so the command line, the files and the Ringkasan screen
show the same numbers. No personal data: counts, money totals, office codes and region names only.
"""

from __future__ import annotations

import html
from pathlib import Path

import orjson

from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain.fmt import long_date, number, rupiah
from storage.domain.model import PILLARS, pillar_label
from storage.printing import tables
from storage.summary.figures import rekap_rows

FORMATS = ("text", "json", "html", "xlsx", "pdf")


def _cols(key: str, **params: object) -> list[str]:
    return t(key, **params).split("|")


def _days(n: int | None) -> str:
    return "" if n is None else str(n)


# ---------------------------------------------------------------------- tables (headers, rows, align)

def pillar_table(s: dict) -> tuple[list[str], list[list], tuple[str, ...]]:
    rows = [[pillar_label(p), number(n)] for p, n in s["members"]["by_pillar"].items()]
    return _cols("summary.pillar_cols"), rows, ("left", "right")


def kab_table(s: dict) -> tuple[list[str], list[list], tuple[str, ...]]:

    rows = [[r["kab"], r["name"], number(r["active"]), str(r["kecamatan"]), str(r["without_tksk"])]
            for r in rekap_rows(s)]
    return _cols("summary.kab_cols"), rows, ("left", "left", "right", "right", "right")


def tksk_table(s: dict) -> tuple[list[str], list[list], tuple[str, ...]]:
    rows = [[r["kab_name"], r["kec_name"]] for r in s["tksk"]["without"]]
    return _cols("summary.tksk_cols"), rows, ("left", "left")


def payout_table(s: dict) -> tuple[list[str], list[list], tuple[str, ...]]:
    rows = [[q["quarter"], number(q["items"]), rupiah(q["gross"]), rupiah(q["paid"]), rupiah(q["outstanding"]),
             rupiah(q["returned"])] for q in s["payouts"]]
    return _cols("summary.pay_cols"), rows, ("left", "right", "right", "right", "right", "right")


def _waiting(o: dict) -> str:
    if o["full"]:
        return t("summary.full")
    return "" if o["waiting"] is None else number(o["waiting"])


def office_table(s: dict) -> tuple[list[str], list[list], tuple[str, ...]]:
    rows = []
    for o in s["offices"]:
        rows.append([("! " if o["silent"] else "") + o["code"], o["name"], o["last_received"] or t("summary.never"),
                     _days(o["received_days"]), o["last_sent"] or t("summary.never"), _days(o["sent_days"]),
                     _waiting(o), t("summary.seq_cell", got=o["seq_received"], sent=o["seq_sent"],
                                                  acked=o["seq_acked"])])
    return _cols("summary.office_cols"), rows, ("left", "left", "left", "right", "left", "right", "right", "left")


def gap_lines(s: dict) -> list[str]:
    lines = [line for g in s["gaps"] for line in g["lines"]]
    for o in s["offices"]:
        if o["not_arrived"]:
            lines.append(t("summary.not_arrived", office=o["name"] or o["code"],
                           seqs=", ".join(str(n) for n in o["not_arrived"])))
    return lines


def rekap_table(s: dict) -> tuple[list[str], list[list], tuple[str, ...]]:

    rows_in = rekap_rows(s)
    pillars = [p for p in PILLARS if any(r["pillars"].get(p) for r in rows_in)]
    quarter = rows_in[0]["quarter"] if rows_in else ""
    head = _cols("summary.rekap_cols", pillars="|".join(pillar_label(p) for p in pillars), quarter=quarter)
    rows = []
    total = [0] * (len(pillars) + 6)
    for r in rows_in:
        nums = [r["active"], *(r["pillars"].get(p, 0) for p in pillars), r["kecamatan"], r["without_tksk"],
                r["gross"], r["paid"], r["outstanding"]]
        total = [a + b for a, b in zip(total, nums, strict=True)]
        rows.append([r["kab"], r["name"], *_fmt_nums(nums, len(pillars))])
    rows.append(["", t("summary.total"), *_fmt_nums(total, len(pillars))])
    return head, rows, ("left", "left", *(["right"] * (len(pillars) + 6)))


def _fmt_nums(nums: list[int], n_pillars: int) -> list[str]:
    counts = nums[: n_pillars + 3]
    money = nums[n_pillars + 3:]
    return [number(x) for x in counts] + [rupiah(x) for x in money]


# ---------------------------------------------------------------------- documents

def sections(s: dict) -> list[tuple[str, tuple[list[str], list[list], tuple[str, ...]] | None, list[str]]]:
    """(heading, table or None, lines) in reading order: the same for text and HTML."""
    m = s["members"]
    tksk = s["tksk"]
    return [
        (t("summary.members_head", count=number(m["active"])), pillar_table(s), []),
        ("", kab_table(s), []),
        (t("summary.tksk_head", count=len(tksk["without"]), total=tksk["kecamatan"]), tksk_table(s), []),
        (t("summary.pay_head"), payout_table(s), []),
        (t("summary.cases_head", **s["cases"]), None, []),
        (t("summary.offices_head", days=s["silent_days"]), office_table(s), []),
        (t("summary.gaps_head"), None, gap_lines(s) or [t("summary.no_gaps")]),
    ]


def _title(s: dict, rekap: bool) -> str:
    office = s["office"]["name"] or s["office"]["code"]
    return t("summary.rekap_title" if rekap else "summary.title", office=office)


def render_text(s: dict, rekap: bool = False) -> str:
    out = [_title(s, rekap), t("summary.as_of", date=long_date(s["today"])), ""]
    if rekap:
        head, rows, align = rekap_table(s)
        return "\n".join([*out, tables.table(rows, head, "text", colalign=align), ""])
    for heading, table, lines in sections(s):
        if heading:
            out.append(heading)
        if table is not None and table[1]:
            head, rows, align = table
            out.append(tables.table(rows, head, "text", colalign=align))
        out.extend(lines)
        out.append("")
    return "\n".join(out)


def render_html(s: dict, rekap: bool = False) -> str:
    title = _title(s, rekap)
    body = [f"<h1>{html.escape(title)}</h1>",
            f'<p class="meta">{html.escape(t("summary.as_of", date=long_date(s["today"])))}</p>']
    if rekap:
        head, rows, align = rekap_table(s)
        # fourteen columns: landscape, a smaller type
        body.insert(0, "<style>@page { size: A4 landscape; } body { font-size: 9pt; }</style>")
        body.append(tables.table(rows, head, "html", colalign=align))
        body.append('<table class="signatures"><tr><td>'
                    f'{html.escape(t("summary.sign"))}<br><br><br><br>(................................)</td></tr></table>')
    else:
        for heading, table, lines in sections(s):
            if heading:
                body.append(f"<h2>{html.escape(heading)}</h2>")
            if table is not None and table[1]:
                head, rows, align = table
                body.append(tables.table(rows, head, "html", colalign=align))
            body.extend(f"<p>{html.escape(line)}</p>" for line in lines)
    return tables.html_page(title, "\n".join(body))


def json_data(s: dict) -> dict:
    return {k: v for k, v in s.items() if k not in ("timings", "state")}


def render_json(s: dict) -> str:
    return orjson.dumps(json_data(s), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def xlsx_sheets(s: dict) -> list[tuple[str, list[str], list[list]]]:
    """Numbers stay numbers in the workbook (money in whole rupiah), so the sheets add up in Excel."""

    rows_in = rekap_rows(s)
    rekap_head = ["kode", "kab_kota", "aktif", *PILLARS, "kecamatan", "tanpa_tksk", "triwulan", "bruto", "dibayar",
                  "belum_dibayar", "retur"]
    rekap = [[r["kab"], r["name"], r["active"], *(r["pillars"].get(p, 0) for p in PILLARS), r["kecamatan"],
              r["without_tksk"], r["quarter"], r["gross"], r["paid"], r["outstanding"], r["returned"]] for r in rows_in]
    pay_head = ["triwulan", "item", "bruto", "neto", "dibayar", "item_dibayar", "belum_dibayar", "item_belum",
                "retur", "item_retur", "item_batal"]
    pay = [[q["quarter"], q["items"], q["gross"], q["net"], q["paid"], q["paid_items"], q["outstanding"],
            q["outstanding_items"], q["returned"], q["returned_items"], q["void_items"]] for q in s["payouts"]]
    off_head = ["kode", "kantor", "terakhir_diterima", "hari", "terakhir_dikirim", "hari_kirim", "menunggu",
                "diam", "bundel_diterima", "bundel_dikirim", "bundel_hilang"]
    off = [[o["code"], o["name"], o["last_received"], o["received_days"], o["last_sent"], o["sent_days"],
            o["waiting"], o["silent"], o["seq_received"], o["seq_sent"], ", ".join(map(str, o["missing"]))]
           for o in s["offices"]]
    return [
        (t("summary.sheet.pillars"), ["pilar", "aktif"], [[p, n] for p, n in s["members"]["by_pillar"].items()]),
        (t("summary.sheet.rekap"), rekap_head, rekap),
        (t("summary.sheet.tksk"), ["kode_kab", "kab_kota", "kode_kec", "kecamatan"],
         [[r["kab"], r["kab_name"], r["kec"], r["kec_name"]] for r in s["tksk"]["without"]]),
        (t("summary.sheet.payouts"), pay_head, pay),
        (t("summary.sheet.offices"), off_head, off),
    ]


def _pdf_cols(head: list[str], align: tuple[str, ...], width: float, first: float) -> list:
    """The first column (a name) ``first`` mm wide, the others sharing the rest of ``width``."""
    from storage.printing.pdf import Col

    rest = (width - first) / max(len(head) - 1, 1)
    return [Col(h, first if i == 0 else rest, "R" if a == "right" else "L")
            for i, (h, a) in enumerate(zip(head, align, strict=True))]


def render_pdf(s: dict, rekap: bool = False, letterhead: list[str] | None = None) -> bytes:
    """An A4 PDF with the office's letterhead (storage/printing/pdf.py): the summary's sections, or the rekap
    per kab/kota in landscape with the Kepala Dinas' signature place."""
    from storage.printing.pdf import Document

    name = s["office"]["name"] or s["office"]["code"]
    # ``letterhead``: the office's kop with its address, telephone and logo (storage.office.letterhead.kop)
    doc = Document(letterhead or [t("events.report.province"), name.upper()], _title(s, rekap), landscape=rekap)
    doc.add_page()
    doc.title_block([_title(s, rekap), t("summary.as_of", date=long_date(s["today"]))])
    if rekap:
        head, rows, align = rekap_table(s)
        # code and name in one column: the rekap has up to fourteen columns
        head = [f"{head[0]} / {head[1]}", *head[2:]]
        rows = [[f"{r[0]} {r[1]}".strip(), *r[2:]] for r in rows]
        doc.table(_pdf_cols(head, align[1:], doc.inner_width, 48), rows, sums=False, size=7)
        doc.signatures([("", t("summary.sign"), "", "")], long_date(s["today"]))
        return doc.bytes()
    for heading, table, lines in sections(s):
        if heading:
            doc.room(16)
            doc.paragraph(heading, bold=True)
        if table is not None and table[1]:
            head, rows, align = table
            doc.table(_pdf_cols(head, align, doc.inner_width, 52 if len(head) > 2 else 90), rows, sums=False,
                      size=7.5)
        for line in lines:
            doc.paragraph(line)
        doc.ln(2)
    return doc.bytes()


def render(s: dict, fmt: str = "text", rekap: bool = False, letterhead: list[str] | None = None) -> str | bytes:
    if fmt == "pdf":
        return render_pdf(s, rekap, letterhead)
    if fmt == "json":
        return render_json(s)
    if fmt == "html":
        return render_html(s, rekap)
    if fmt == "xlsx":
        return tables.xlsx_bytes(xlsx_sheets(s))
    return render_text(s, rekap)


def write(s: dict, path: Path, fmt: str = "text", rekap: bool = False, letterhead: list[str] | None = None) -> Path:

    data = render(s, fmt, rekap, letterhead)
    atomic_write(Path(path), data if isinstance(data, bytes) else data.encode("utf-8"))
    return Path(path)
