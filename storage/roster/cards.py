"""Member cards: an A4 sheet of 8 or 10 cards (ID-1 size, 85.6 x 54 mm) with cut marks.

A card shows the office, the member's name, pillar and position, kab/kota and kecamatan, and the
membership number as a Code128 barcode and a QR code, both drawn as vectors (python-barcode and segno
give the modules; nothing is rasterised). The NIK is never on a card.

The code on a card is what the door's check-in input reads (:func:`storage.events.records.find`): the
membership number when it finds this member, else the member id (members without a number still get
a card that checks them in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import barcode
import segno

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.text import norm_number
from storage.domain import regions
from storage.domain.model import pillar_label, position_label
from storage.office.settings import office_names
from storage.printing.pdf import FONT, Document
from storage.roster.service import Query, Roster

CARD_W, CARD_H = 85.6, 54.0
LAYOUTS = {10: (2, 5, 0.0), 8: (2, 4, 8.0)}  # columns, rows, gap between cards (mm)
MARK = 4.0  # length of a cut mark


def _assignment(member: dict, pillar: str = "") -> dict:
    """The assignment a card is about: the first active one (of ``pillar`` when given)."""
    assignments = member.get("assignments") or [{}]
    active = [a for a in assignments if a.get("status") == "ACTIVE"] or assignments
    if pillar:
        active = [a for a in active if a.get("pillar") == pillar] or active
    return active[0]


def card_code(db: Database, member: dict, assignment: dict) -> str:
    """What the card's barcode and QR code carry: the membership number if the check-in finds this
    member by it, else the member id."""
    number = assignment.get("number") or ""
    if number and member["id"] in db.lookup("members", "number", norm_number(number)):
        return number
    return member["id"]


def card_data(db: Database, member: dict, pillar: str = "", offices: dict[str, str] | None = None) -> dict:
    """What one card prints (no NIK): the office is the member's UPT (this office when unknown)."""
    a = _assignment(member, pillar)
    offices = office_names(db) if offices is None else offices
    office = offices.get(a.get("office", "")) or db.office.get("name", "")
    kab = a.get("area_kab") or member.get("kab", "")
    kec = a.get("area_kec") or member.get("kec", "")
    where = ", ".join(x for x in (regions.kec_name(kec) if kec else "", regions.kab_name(kab) if kab else "") if x)
    role = pillar_label(a.get("pillar", ""))
    if a.get("position"):
        role = f"{role} - {position_label(a['position'])}"
    return {"member_id": member["id"], "name": member.get("name", ""), "role": role, "where": where, "office": office,
            "number": a.get("number") or "", "code": card_code(db, member, a)}


def select(roster: Roster, query: Query, since: str | None = None) -> list[dict]:
    """Active members matching ``query`` (text, pillar, kab), with an assignment started on or after
    ``since`` (YYYY-MM-DD) when given; as member dicts in the query's order."""
    if since:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise PilarError("cards.bad_since", value=since) from None
    out = []
    for row in roster.search(query):
        if not row.active:
            continue
        member = roster.get(row.id)
        if member is None or member.get("_deleted") or member.get("restricted"):
            continue  # (restricted under UU PDP: no card printed while it lasts)
        if since:
            starts = [a.get("start") or "" for a in member.get("assignments") or []
                      if a.get("status") == "ACTIVE" and (not query.pillar or a.get("pillar") == query.pillar)]
            if not any(s >= since for s in starts):
                continue
        out.append(member)
    return out


def _runs(bits) -> Iterable[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    start = None
    for i, bit in enumerate([*bits, 0]):
        if bit and start is None:
            start = i
        elif not bit and start is not None:
            yield start, i - start
            start = None


def _code128(doc: Document, code: str, x: float, y: float, width: float, height: float) -> None:
    modules = barcode.Code128(code).build()[0]
    quiet = 10
    unit = width / (len(modules) + 2 * quiet)
    doc.fill_rects((x + (quiet + start) * unit, y, length * unit, height)
                   for start, length in _runs([m == "1" for m in modules]))


def qr_matrix(code: str) -> tuple[bytearray, ...]:
    """The QR code's modules (a full QR, never a Micro QR: not every scanner reads those)."""
    return segno.make_qr(code, error="m").matrix


def _qr(doc: Document, code: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(code)
    unit = size / len(matrix)
    doc.fill_rects((x + start * unit, y + r * unit, length * unit, unit)
                   for r, row in enumerate(matrix) for start, length in _runs(row))


def _card(doc: Document, card: dict, x: float, y: float) -> None:
    pad = 3.5
    doc.set_draw_color(170, 170, 170)
    doc.rect(x, y, CARD_W, CARD_H)  # a hairline frame: where to cut if the marks are lost
    doc.set_draw_color(0, 0, 0)
    doc.set_fill_color(0, 0, 0)
    doc.set_font(FONT, "B", 6.5)
    doc.text(x + pad, y + pad + 2, doc.fit(t("cards.title"), CARD_W - 2 * pad))
    doc.set_font(FONT, "", 6.5)
    doc.text(x + pad, y + pad + 5, doc.fit(card["office"].upper(), CARD_W - 2 * pad))
    doc.line(x + pad, y + pad + 6.5, x + CARD_W - pad, y + pad + 6.5)
    qr = 21.0
    text_w = CARD_W - 2 * pad - qr - 2
    size = 9.5
    doc.set_font(FONT, "B", size)
    while doc.width_of(card["name"]) > text_w and size > 7:  # a long name: smaller before it is cut
        size -= 0.5
        doc.set_font(FONT, "B", size)
    doc.text(x + pad, y + 16, doc.fit(card["name"], text_w))
    doc.set_font(FONT, "", 7.5)
    doc.text(x + pad, y + 20.5, doc.fit(card["role"], text_w))
    doc.text(x + pad, y + 24.5, doc.fit(card["where"], text_w))
    if card["number"]:
        doc.text(x + pad, y + 28.5, doc.fit(f"{t('cards.number')}: {card['number']}", text_w))
    _qr(doc, card["code"], x + CARD_W - pad - qr, y + 11.5, qr)
    _code128(doc, card["code"], x + pad - 1, y + 34.5, CARD_W - 2 * pad + 2, 11)
    doc.set_font(FONT, "", 6)
    label = card["code"]
    doc.text(x + (CARD_W - doc.width_of(label)) / 2, y + CARD_H - 3.3, label)


def _cut_marks(doc: Document, left: float, top: float, cols: int, rows: int, gap: float) -> None:
    xs = sorted({left + i * (CARD_W + gap) for i in range(cols)} | {left + i * (CARD_W + gap) + CARD_W
                                                                    for i in range(cols)})
    ys = sorted({top + i * (CARD_H + gap) for i in range(rows)} | {top + i * (CARD_H + gap) + CARD_H
                                                                   for i in range(rows)})
    right, bottom = xs[-1], ys[-1]
    doc.set_line_width(0.15)
    for x in xs:
        doc.line(x, top - 1 - MARK, x, top - 1)
        doc.line(x, bottom + 1, x, bottom + 1 + MARK)
    for y in ys:
        doc.line(left - 1 - MARK, y, left - 1, y)
        doc.line(right + 1, y, right + 1 + MARK, y)
    doc.set_line_width(0.2)


def render(db: Database, members: Sequence[dict] | Iterable[dict], per_page: int = 10, pillar: str = "",
           progress=None) -> bytes:
    """The card sheets as PDF bytes: ``per_page`` (8 or 10) cards per A4 page, cut marks on each."""
    if per_page not in LAYOUTS:
        raise PilarError("cards.bad_per_page", value=per_page)
    offices = office_names(db)
    cards = [card_data(db, m, pillar, offices) for m in members]
    if not cards:
        raise PilarError("cards.none")
    cols, rows, gap = LAYOUTS[per_page]
    doc = Document([], t("cards.sheet_title"), page_numbers=False)
    left = (doc.w - cols * CARD_W - (cols - 1) * gap) / 2
    top = (doc.h - rows * CARD_H - (rows - 1) * gap) / 2
    for n, card in enumerate(cards):
        slot = n % per_page
        if slot == 0:
            doc.add_page()
            _cut_marks(doc, left, top, cols, rows, gap)
        _card(doc, card, left + (slot % cols) * (CARD_W + gap), top + (slot // cols) * (CARD_H + gap))
        if progress and (n + 1) % 100 == 0:
            progress(n + 1, len(cards))
    return doc.bytes()
