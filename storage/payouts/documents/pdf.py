"""Payout documents as A4 PDF: daftar nominatif, tanda terima, kwitansi and the rekap per kab/kota and
per pillar.

The figures come from the same functions as the text/HTML documents (:mod:`storage.payouts.documents.text`), so
every format adds up to the same totals; items in sync conflict are never printed as payable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt, regions
from storage.domain.model import pillar_label, position_label
from storage.office.letterhead import kop
from storage.payouts import Quarter, meterai, signers
from storage.payouts.documents import figures
from storage.payouts.documents.catalogue import PDF_DOCS
from storage.payouts.items import members_by_id
from storage.printing.pdf import Col, Document, Sub, num


def tax_label(rate: dict) -> str:
    """How a rate's tax is worked out, as the rate basis prints it: 'PPh 21 bukan pegawai 5% x 50% bruto'."""
    if rate.get("tax_rule") == "PPH21_BP":
        bp = rate.get("tax_bp", 0)
        percent = f"{bp // 100}" if bp % 100 == 0 else f"{bp // 100},{bp % 100:02d}".rstrip("0")
        return t("payout.tax_rule.PPH21_BP", percent=percent)
    return t("payout.tax_rule.fixed") if rate.get("tax") else t("payout.tax_rule.none")


def letterhead(db: Database) -> list[str]:
    """The letterhead lines of this office: the province, the office's name, its address and telephone."""
    return kop(db)


def _signature_blocks(db: Database, recipient: str | None = None) -> list[tuple[str, str, str, str]]:
    return figures.signature_blocks(signers(db), recipient is not None, recipient or "")


def _sign(doc: Document, db: Database, place_date: str, recipient: str | None = None) -> None:
    """The signatures of a document the Dinas files, then "Mengetahui, Kepala Dinas / KPA" centred under them."""
    doc.signatures(_signature_blocks(db, recipient), place_date)
    doc.ln(4)
    doc.signatures([figures.known_block(signers(db))])


def nominatif(db: Database, quarter: Quarter, draft: bool = False, mask: bool = False, place: str | None = None,
              date: dt.date | str | None = None, progress=None) -> bytes:
    """The daftar nominatif, landscape: subtotal per kab/kota, page totals carried over, signatures."""
    groups, grand, left_out = figures.nominatif_groups(db, quarter, draft, mask)
    if not grand[0] and not draft:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    doc = Document(letterhead(db), f"{t('payout.doc.nominatif_title')} {quarter.code}", landscape=True)
    doc.add_page()
    doc.title_block(figures.title_lines(quarter, draft)[1:])
    h = {k: t(f"payout.h.{k}") for k in ("no", "name", "nik", "pillar_position", "area", "account", "gross", "tax",
                                         "net", "signature")}
    cols = [Col(h["no"], 11, "R"), Col(h["name"], 47), Col(h["nik"], 29), Col(h["pillar_position"], 38),
            Col(h["area"], 30), Col(h["account"], 40), Col(h["gross"], 20, "R", True), Col(h["tax"], 17, "R", True),
            Col(h["net"], 20, "R", True), Col(h["signature"], 21)]
    total = grand[0]

    def rows():
        for g in groups:
            for r in g["rows"]:
                n = r[0]
                yield r[:9] + [f"{n}. ....." if n % 2 else f"      {n}. ....."]
            yield Sub(["", t("payout.doc.subtotal", kab=g["name"]), "", "", "", "", num(g["total"][1]),
                       num(g["total"][2]), num(g["total"][3]), ""])

    def step(n):
        if progress:
            progress(min(n, total), total)

    sums = doc.table(cols, rows(), row_h=6.5, progress=step)
    assert sums[6:9] == grand[1:4], "page totals must add up to the grand total"
    doc.paragraph(t("pdf.nominatif_total", count=grand[0], gross=figures.idr(grand[1]), tax=figures.idr(grand[2]),
                    net=figures.idr(grand[3])), bold=True)
    doc.paragraph(t("pdf.in_words", words=fmt.rupiah_words_title(grand[3])))
    returned = figures.returned_rows(db, quarter, mask)
    if returned:
        doc.ln(2)
        doc.paragraph(t("payout.doc.returned_title"), bold=True)
        heads = figures.returned_headers()
        rcols = [Col(heads[0], 11, "R"), Col(heads[1], 47), Col(heads[2], 29), Col(heads[3], 30), Col(heads[4], 40),
                 Col(heads[5], 22, "R"), Col(heads[6], 22), Col(heads[7], 45), Col(heads[8], 27)]
        doc.table(rcols, ([r[0], r[1], r[2], r[3], r[4], num(r[5]), r[6], r[7], r[8]] for r in returned),
                  sums=False)
    if left_out:
        doc.paragraph(t("payout.doc.conflicts_left_out", count=left_out))
    _sign(doc, db, figures.place_date(db, place, date))
    if progress:
        progress(total, total)
    return doc.bytes()


def receipts(db: Database, quarter: Quarter, draft: bool = False, member_ids: Iterable[str] | None = None,
             place: str | None = None, date: dt.date | str | None = None, mask: bool = False,
             progress=None) -> bytes:
    """One tanda terima per member and page: the amount in figures and in words, gross/tax/net per
    pillar, signatures of the officer, the treasurer and the recipient."""
    data = figures.receipt_data(db, quarter, draft, member_ids)
    if not data:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    doc = Document(letterhead(db), f"{t('payout.doc.receipt_title')} {quarter.code}")
    place_date = figures.place_date(db, place, date)
    blocks = _signature_blocks(db, "")
    heads = [t("payout.h.pillar"), t("payout.h.position"), t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net")]
    cols = [Col(heads[0], 50), Col(heads[1], 50), Col(heads[2], 28, "R", True), Col(heads[3], 28, "R", True),
            Col(heads[4], 30, "R", True)]
    stamps = meterai.overrides(db, quarter)  # read once: a run prints tens of thousands of receipts
    for n, r in enumerate(data, 1):
        doc.add_page()
        lines = [t("payout.doc.receipt_title"), fmt.quarter_label(quarter.code)]
        if any(v.get("status") == "draft" for v in r["items"]):
            lines.insert(1, t("payout.doc.draft"))
        doc.title_block(lines, size=13)
        nik = fmt.mask_nik(r["nik"]) if mask else r["nik"]
        doc.fields([(t("payout.doc.received_from"), t("payout.doc.payer")),
                    (t("payout.doc.amount_figures"), r["figures"]),
                    (t("pdf.words"), r["words"]),
                    (t("payout.doc.for"), "; ".join(figures.purpose(v, quarter) for v in r["items"])),
                    (t("payout.h.name"), r["name"]), (t("payout.h.nik"), nik),
                    (t("payout.h.account"), figures.account_text(r["items"][0], mask))])
        doc.ln(3)
        doc.table(cols, ([pillar_label(v["pillar"]), position_label(v.get("position", "")), v["gross"], v["tax"],
                          v["net"]] for v in r["items"]), size=9, row_h=6.5, total_label=t("pdf.total"))
        doc.ln(2)
        stamp = stamps.get(f"receipt:{r['member_id']}")
        if (stamp["due"] if stamp else r["net"] > meterai.THRESHOLD):  # a rapel above Rp5.000.000
            doc.paragraph(t("treasury.meterai.stamp"), bold=True, align="R")
        doc.signatures(blocks[:2] + [(blocks[2][0], blocks[2][1], r["name"], "")], place_date)
        if progress and n % 500 == 0:
            progress(n, len(data))
    if progress:
        progress(len(data), len(data))
    return doc.bytes()


def pillar_totals(db: Database, quarter: Quarter, draft: bool = False) -> list[dict]:
    """The quarter's printable items per pillar: count, gross, tax, net, kind and funding of the rate."""
    chosen, _left = figures.printable(db, quarter, draft)
    out: dict[str, dict] = {}
    for v in chosen:
        row = out.setdefault(v["pillar"], {"pillar": v["pillar"], "count": 0, "gross": 0, "tax": 0, "net": 0,
                                           "kinds": set(), "funding": set(), "draft": False})
        row["count"] += 1
        row["gross"] += v["gross"]
        row["tax"] += v["tax"]
        row["net"] += v["net"]
        row["kinds"].add(v.get("rate_kind", "OPERASIONAL"))
        row["funding"].add(v.get("funding", "LAINNYA"))
        row["draft"] = row["draft"] or v.get("status") == "draft"
    return [out[k] for k in sorted(out)]


def kwitansi(db: Database, quarter: Quarter, draft: bool = False, place: str | None = None,
             date: dt.date | str | None = None) -> bytes:
    """One kwitansi per pillar for the quarter: the net paid to the recipients of the attached daftar
    nominatif, in figures and in words, gross and tax beside it."""
    totals = pillar_totals(db, quarter, draft)
    if not totals:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    doc = Document(letterhead(db), f"{t('pdf.kwitansi_title')} {quarter.code}")
    place_date = figures.place_date(db, place, date)
    for row in totals:
        doc.add_page()
        lines = [t("pdf.kwitansi_title"), fmt.quarter_label(quarter.code)]
        if row["draft"]:
            lines.insert(1, t("payout.doc.draft"))
        doc.title_block(lines, size=14)
        kinds = ", ".join(t(f"payout.kind.{k}") for k in sorted(row["kinds"]))
        funding = ", ".join(t(f"payout.funding.{f}") for f in sorted(row["funding"]))
        doc.fields([(t("payout.doc.received_from"), t("payout.doc.payer")),
                    (t("payout.doc.amount_figures"), figures.idr(row["net"])),
                    (t("pdf.words"), fmt.rupiah_words_title(row["net"])),
                    (t("payout.doc.for"), t("pdf.kwitansi_for", kind=kinds, pillar=pillar_label(row["pillar"]),
                                            count=row["count"], quarter=fmt.quarter_label(quarter.code),
                                            funding=funding)),
                    (t("payout.h.gross"), figures.idr(row["gross"])), (t("payout.h.tax"), figures.idr(row["tax"])),
                    (t("payout.h.net"), figures.idr(row["net"]))])
        doc.ln(4)
        doc.set_font("DejaVu", "B", 14)
        doc.cell(70, 11, figures.idr(row["net"]), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        if meterai.due(db, quarter, f"kwitansi:{row['pillar']}", row["net"]):  # UU 10/2020: above Rp5.000.000
            doc.set_font("DejaVu", "", 8)
            doc.set_xy(doc.w - 12 - 30, doc.get_y() + 2)
            doc.cell(30, 18, t("treasury.meterai.stamp"), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
        _sign(doc, db, place_date, t("pdf.recipients_attached"))
    return doc.bytes()


def rekap_rows(db: Database, quarter: Quarter, draft: bool = False) -> tuple[list[list], list[list]]:
    """[name, count, gross, tax, net] per kab/kota and per pillar, each sorted, without the total row."""
    chosen, _left = figures.printable(db, quarter, draft)
    by_kab: dict[str, list[int]] = {}
    by_pillar: dict[str, list[int]] = {}
    for v in chosen:
        for table, key in ((by_kab, v.get("kab", "")), (by_pillar, v["pillar"])):
            acc = table.setdefault(key, [0, 0, 0, 0])
            acc[0] += 1
            acc[1] += v["gross"]
            acc[2] += v["tax"]
            acc[3] += v["net"]
    kabs = [[f"{k} {regions.kab_name(k)}" if k else "-", *by_kab[k]] for k in sorted(by_kab)]
    pillars = [[pillar_label(k), *by_pillar[k]] for k in sorted(by_pillar)]
    return kabs, pillars


def rekap(db: Database, quarter: Quarter, draft: bool = False, place: str | None = None,
          date: dt.date | str | None = None) -> bytes:
    """The rekap: count, gross, tax and net per kab/kota and per pillar, each with its total."""
    kabs, pillars = rekap_rows(db, quarter, draft)
    if not kabs:
        raise PilarError("payout.nothing_to_print", quarter=quarter.code)
    doc = Document(letterhead(db), f"{t('pdf.rekap_title')} {quarter.code}")
    doc.add_page()
    lines = [t("pdf.rekap_title"), fmt.quarter_label(quarter.code)]
    if draft:
        lines.append(t("payout.doc.draft"))
    doc.title_block(lines)
    for title, first, rows in ((t("pdf.rekap_by_kab"), t("payout.h.kab"), kabs),
                               (t("pdf.rekap_by_pillar"), t("payout.h.pillar"), pillars)):
        doc.room(20)
        doc.paragraph(title, bold=True)
        cols = [Col(t("payout.h.no"), 10, "R"), Col(first, 62), Col(t("payout.h.count"), 20, "R", True),
                Col(t("payout.h.gross"), 32, "R", True), Col(t("payout.h.tax"), 30, "R", True),
                Col(t("payout.h.net"), 32, "R", True)]
        doc.table(cols, ([n, *r] for n, r in enumerate(rows, 1)), size=8.5, row_h=6)
    _sign(doc, db, figures.place_date(db, place, date))
    return doc.bytes()


def tax_recap(db: Database, quarter: Quarter, draft: bool = False, place: str | None = None,
              date: dt.date | str | None = None) -> bytes:
    """The withholding recap (rekap potongan pajak): every printable item with tax withheld, with the
    basis of the tax (50% of the gross for PPh 21 bukan pegawai), page totals carried over."""
    chosen, _left = figures.printable(db, quarter, draft)
    taxed = [v for v in chosen if v["tax"]]
    if not taxed:
        raise PilarError("payout.no_tax", quarter=quarter.code)
    everyone = members_by_id(db)
    rates = {r["id"]: r for r in db.values("rates")}
    taxed.sort(key=lambda v: (v.get("kab", ""), everyone.get(v["member_id"], {}).get("name", "").casefold()))
    doc = Document(letterhead(db), f"{t('pdf.tax_title')} {quarter.code}", landscape=True)
    doc.add_page()
    doc.title_block([t("pdf.tax_title"), fmt.quarter_label(quarter.code)] + ([t("payout.doc.draft")] if draft else []))
    h = [t("payout.h.no"), t("payout.h.name"), t("payout.h.nik"), t("payout.h.pillar"), t("payout.h.kab"),
         t("payout.h.gross"), t("pdf.h.tax_base"), t("spj.h.tax_rule"), t("payout.h.tax"), t("payout.h.net")]
    cols = [Col(h[0], 11, "R"), Col(h[1], 40), Col(h[2], 30), Col(h[3], 24), Col(h[4], 28), Col(h[5], 22, "R", True),
            Col(h[6], 22, "R"), Col(h[7], 52), Col(h[8], 22, "R", True), Col(h[9], 22, "R", True)]

    def rows():
        for n, v in enumerate(taxed, 1):
            rate = rates.get(v.get("rate_id"), {})
            member = everyone.get(v["member_id"], {})
            base = num(v["gross"] // 2) if rate.get("tax_rule") == "PPH21_BP" else "-"
            yield [n, member.get("name", ""), member.get("nik", ""), pillar_label(v["pillar"]),
                   regions.kab_name(v.get("kab", "")) or v.get("kab", ""), v["gross"], base,
                   tax_label(rate) if rate else "", v["tax"], v["net"]]

    doc.table(cols, rows(), row_h=6)
    doc.signatures(_signature_blocks(db), figures.place_date(db, place, date))
    return doc.bytes()


def render(db: Database, quarter: Quarter, doc: str, draft: bool = False, mask: bool = False,
           member_ids: Iterable[str] | None = None, place: str | None = None, date: dt.date | str | None = None,
           progress=None) -> bytes:
    """One payout document as PDF bytes."""
    if doc == "nominatif":
        return nominatif(db, quarter, draft, mask, place, date, progress)
    if doc == "receipts":
        return receipts(db, quarter, draft, member_ids, place, date, mask, progress)
    if doc == "kwitansi":
        return kwitansi(db, quarter, draft, place, date)
    if doc == "rekap":
        return rekap(db, quarter, draft, place, date)
    if doc == "pajak":
        return tax_recap(db, quarter, draft, place, date)
    raise PilarError("payout.bad_format", value=doc, choices=", ".join(PDF_DOCS))


def meterai_list(db: Database, quarter: Quarter, draft: bool = False) -> bytes:
    """The SPJ's list of the documents that carry a meterai (and those overridden, with the reason),
    with the total duty (:mod:`storage.payouts.meterai`)."""
    rows = [r for r in meterai.documents(db, quarter, draft) if r["due"] or r["overridden"]]
    doc = Document(letterhead(db), t("treasury.meterai.title"))
    doc.add_page()
    doc.title_block([t("treasury.meterai.title"), fmt.quarter_label(quarter.code)])
    doc.paragraph(t("treasury.meterai.rule", threshold=fmt.rupiah(meterai.THRESHOLD), duty=fmt.rupiah(meterai.DUTY)))
    doc.ln(2)
    cols = [Col(t("payout.h.no"), 10, "R"), Col(t("treasury.h.document"), 70), Col(t("payout.h.net"), 30, "R"),
            Col(t("treasury.h.meterai"), 25, "R", True), Col(t("payout.h.note"), 51)]
    doc.table(cols, ([n, r["doc"], fmt.rupiah(r["amount"]), meterai.DUTY if r["due"] else 0, r["reason"]]
                     for n, r in enumerate(rows, 1)), row_h=6, size=8)
    if not rows:
        doc.paragraph(t("treasury.meterai.none"))
    return doc.bytes()
