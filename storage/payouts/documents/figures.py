"""What every payout document shows, whatever its format: the items printed, the nominatif groups and totals, receipts, returned money, titles, place and date, signatures. The text and PDF renderers both build on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from storage.core.db import Database
from storage.core.i18n import t
from storage.domain import fmt, regions
from storage.domain.model import pillar_label, position_label
from storage.payouts import Quarter, items, members_by_id, returned_items, signers

Progress = Callable[[int, int], None] | None


def idr(amount: int) -> str:
    """1500000 -> 'Rp1.500.000' (same text as storage.domain.fmt.rupiah, fast enough for 50,000 rows)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money must be int rupiah, not {type(amount).__name__}")
    text = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp{text}" if amount < 0 else f"Rp{text}"


def printable(db: Database, quarter: Quarter | str, draft: bool = False) -> tuple[list[dict], int]:
    """The items a document lists (approved and paid; drafts too when ``draft``) and how many
    were left out for being in sync conflict."""
    wanted = ("draft", "approved", "paid") if draft else ("approved", "paid")
    chosen = items(db, Quarter.of(quarter), wanted)
    clean = [v for v in chosen if not v.get("_conflict")]
    return clean, len(chosen) - len(clean)


def area_name(item: dict) -> str:
    kec = item.get("kec") or ""
    return regions.kec_name(kec) if kec else regions.kab_name(item.get("kab", "")) if item.get("kab") else ""


def account_text(item: dict, mask: bool) -> str:
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
                                   area_name(v), account_text(v, mask), v["gross"], v["tax"], v["net"]])
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
    for n, r in enumerate(returned_items(db, Quarter.of(quarter)), 1):
        nik = (everyone.get(r["member_id"]) or {}).get("nik", "")
        account = r["account"]
        shown = t("payout.method.CASH") if r["method"] == "CASH" or not account else \
            f"{r['bank']} {fmt.mask_account(account) if mask else account}".strip()
        fate = t("payout.doc.reopened_as", status=t(f"payout.status.{r['reopened_status']}")) \
            if r["reopened"] and r["reopened_status"] else t("payout.doc.closed")
        out.append([n, r["name"], fmt.mask_nik(nik) if mask else nik, pillar_label(r["pillar"]), shown, r["net"],
                    r["returned_on"], r["reason"], fate])
    return out


def returned_headers() -> list[str]:
    return [t(f"payout.h.{k}") for k in ("no", "name", "nik", "pillar", "account", "net", "returned_on", "reason",
                                          "status")]


def title_lines(quarter: Quarter, draft: bool) -> list[str]:
    lines = [t("payout.doc.agency"), t("payout.doc.nominatif_title"), fmt.quarter_label(quarter.code).upper()]
    if draft:
        lines.append(t("payout.doc.draft"))
    return lines


def place_date(db: Database, place: str | None, date: dt.date | str | None) -> str:
    if not place:  # the signers' place, else this office's letterhead city (F10 / pilar settings --city)
        from storage.office.settings import letterhead_city

        place = signers(db).get("place") or letterhead_city(db)
    return fmt.letter_date(place, date or dt.date.today())


def signature_blocks(s: dict, with_recipient: bool, recipient: str = "") -> list[tuple[str, str, str, str]]:
    """(line, role, name, nip) per signature place: approving officer, treasurer, recipient."""
    blocks = [(t("payout.doc.approve_line"), s.get("officer_title") or t("payout.doc.officer"), s.get("officer", ""),
               fmt.nip(s.get("officer_nip", ""))),
              (t("payout.doc.paid_line"), t("payout.doc.treasurer"), s.get("treasurer", ""),
               fmt.nip(s.get("treasurer_nip", "")))]
    if with_recipient:
        blocks.append(("", t("payout.doc.recipient"), recipient, ""))
    return blocks


def known_block(s: dict) -> tuple[str, str, str, str]:
    """The "Mengetahui, Kepala Dinas / KPA" place under the signatures of the documents the Dinas files
    (daftar nominatif, kwitansi, rekap): its name and NIP from the settings, dots to sign by hand when unset."""
    return (t("payout.doc.known_line"), s.get("head_title") or t("payout.doc.head"), s.get("head", ""),
            fmt.nip(s.get("head_nip", "")))


def receipt_data(db: Database, quarter: Quarter | str, draft: bool = False,
                 member_ids: Iterable[str] | None = None) -> list[dict]:
    """One receipt per member: their items of the quarter, the total net, in figures and in words."""
    quarter = Quarter.of(quarter)
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
                    "figures": idr(net), "words": fmt.rupiah_words_title(net)})
    out.sort(key=lambda r: (r["kab"], r["name"].casefold()))
    return out


def purpose(item: dict, quarter: Quarter) -> str:
    return t("payout.doc.for_text", kind=t(f"payout.kind.{item.get('rate_kind', 'OPERASIONAL')}"),
             pillar=pillar_label(item["pillar"]), position=position_label(item.get("position", "")),
             quarter=fmt.quarter_label(quarter.code), funding=t(f"payout.funding.{item.get('funding', 'LAINNYA')}"))
