"""Paper from the app, driven with Pilot: a member card scanned at the door checks the member in (the
code decoded back from the printed PDF, typed as a scanner types it: characters, then Enter); the
roster's card key and the payouts' SPJ key write files that read back right."""

from __future__ import annotations

from storage import events, payouts
from storage.core.db import Database
from storage.payouts.documents import spj
from storage.roster import cards
from tests.support.payouts import Q2, approve_all, make_db, member
from tests.support.pdf import barcode_bits, decode_code128, filled_rects, page_count, pages
from tests.support.pilot import run_async, settle
from tui.app import PilarApp
from tui.dialogs import PromptDialog
from tui.screens.events.screen import CheckinScreen

EID = events.sample_event_id()


def scanned_code(db: Database, member: dict) -> str:
    """What a scanner reads off this member's printed card: the Code128 decoded from the PDF's bars."""
    return decode_code128(barcode_bits(filled_rects(cards.render(db, [member]))))


@run_async
async def test_scanning_a_card_at_the_door_checks_the_member_in(folder):
    db = Database.open(folder, read_only=True)
    invited = [db.get("members", v["member_id"]) for v in sorted(events.invitations(db, EID), key=lambda v: v["id"])]
    numbered = next(m for m in invited if any(a.get("number") for a in m["assignments"]))
    plain = next(m for m in invited if not any(a.get("number") for a in m["assignments"]))
    codes = {m["id"]: scanned_code(db, m) for m in (numbered, plain)}
    db.close()
    assert codes[numbered["id"]] == next(a["number"] for a in numbered["assignments"] if a.get("number"))
    assert codes[plain["id"]] == plain["id"]  # no membership number: the card carries the member id
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen) and app.focused.id == "scan"
        for member in (numbered, plain):
            await pilot.press(*codes[member["id"]])  # a scanner types the characters, then Enter
            await pilot.press("enter")
            await pilot.pause()
            assert member["name"] in str(app.screen.query_one("#card").render())
            saved = Database.open(folder, read_only=True).get("invitations", events.invitation_id(EID, member["id"]))
            assert saved["status"] == "HADIR" and saved["checkin_by"] == "Ani"


@run_async
async def test_roster_card_key_prints_the_members_shown(folder, tmp_path):
    app = PilarApp(folder, operator="Ani")
    out = tmp_path / "kartu.pdf"
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("1")
        await settle(app, pilot)
        app.screen._set_query(pillar="TKSK", kab="35.09")
        await pilot.pause()
        shown = cards.select(app.screen.roster, app.screen.query_state)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        app.screen.query_one("Input").value = str(out)
        await pilot.press("enter")
        await settle(app, pilot)
    data = out.read_bytes()
    assert 0 < len(shown) and page_count(data) == (len(shown) + 9) // 10
    text = "\n".join(pages(data))
    assert all(m["name"] in text for m in shown) and "TKSK" in text and "Kabupaten Jember" in text


@run_async
async def test_payouts_spj_key_writes_a_package_that_verifies(tmp_path):
    folder = tmp_path / "small"
    db = make_db(folder, [member(i, "TKSK") for i in range(12)])
    payouts.run_quarter(db, Q2, allow_cash=True)
    approve_all(db, Q2)
    event_id = events.create_event(db, {"name": "Penyerahan", "date": "2024-05-06"})
    db.close()
    out = tmp_path / "spj.zip"
    app = PilarApp(folder, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        app.screen.quarter = Q2
        app.screen.refresh_all()
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        inputs = list(app.screen.query("Input"))
        inputs[0].value = str(out)
        inputs[1].value = event_id
        await pilot.press("enter")  # in the path field: to the event field
        await pilot.press("enter")
        await settle(app, pilot)
    result = spj.verify(out)
    assert result["ok"] and result["manifest"]["event"] == event_id
    names = [f["name"] for f in result["manifest"]["files"]]
    assert "02-nominatif_2024-Q2.pdf" in names and "07-daftar-hadir_2024-05-06.pdf" in names


@run_async
async def test_events_print_writes_the_daftar_hadir_as_pdf(folder):
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.query_one("#report-format").value == "pdf"
        path = app.screen.query_one("#report-path").value
        assert path.endswith("daftar-hadir.pdf")
        await pilot.press("enter")
        await settle(app, pilot)
    text = pages(open(path, "rb").read())
    assert "DAFTAR HADIR" in text[0] and "Tanda Tangan" in text[0] and f"Halaman 1 dari {len(text)}" in text[0]
