"""Section 6 Privasi at 80x24 with Textual's Pilot: a request recorded from the keyboard gets its clock,
the access report is written, an incident is recorded, the person is erased from the request (which
closes it), and the Ringkasan shows what is still open."""

from __future__ import annotations

import asyncio

from storage.core.db import PROVINCE_CODE, Database
from storage.core.versions import erasure_of
from storage.privacy import service as P
from tui.app import PilarApp

NIK = "3509015507850003"


def _setup(tmp_path):
    db = Database.init(tmp_path / "j", PROVINCE_CODE, "Dinas Sosial", province=True, operator="op")
    with db.transaction("add") as tx:
        rid = tx.put("members", {"nik": NIK, "name": "SITI PRIVASI", "address": "Jl. Rahasia 7",
                                 "assignments": [{"id": "a1", "office": "UPT-A", "pillar": "TKSK",
                                                  "status": "ACTIVE"}]}, owner="UPT-A")
    db.close()
    return tmp_path / "j", rid


async def _until(pilot, check, tries=300):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def test_request_report_and_incident_from_the_keyboard(tmp_path):
    path, rid = _setup(tmp_path)

    async def run():
        app = PilarApp(path, operator="Ani")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("6")
            await _until(pilot, lambda: app.screen.__class__.__name__ == "PrivacyScreen")
            screen = app.screen
            await pilot.press("a")
            await _until(pilot, lambda: app.screen is not screen)
            await pilot.press(*NIK, "tab", *"restriction", "tab", *"lisan", "enter")
            await _until(pilot, lambda: app.screen is screen)
            table = screen.query_one("#privacy-requests")
            assert table.row_count == 1
            row = [str(c) for c in table.get_row_at(0)]
            assert "pembatasan" in row and any(c.startswith("sisa 71 jam") for c in row)
            assert NIK not in " ".join(row) and "SITI" not in " ".join(row)
            assert app.db.get("members", rid)["restricted"]
            await pilot.press("r")
            await _until(pilot, lambda: app.screen is not screen)
            await pilot.press("enter")
            await _until(pilot, lambda: list((path / "cetak").glob("data-pribadi-*.pdf")))
            await pilot.press("i")
            await _until(pilot, lambda: app.screen is not screen)
            await pilot.press(*"flashdisk hilang", "tab", *"stick", "enter")
            await _until(pilot, lambda: app.screen is screen and screen.query_one("#privacy-incidents").row_count == 1)
            [inc] = P.incidents(app.db)
            assert inc["encrypted"] is True and inc["people"] == 1
            # the province erases the person from the selected request (x, reason, Enter)
            await pilot.press("x")
            await _until(pilot, lambda: app.screen is not screen)
            await pilot.press(*"permintaan", "enter")
            await _until(pilot, lambda: app.screen is screen and app.db.get("members", rid) is None)
            assert erasure_of(app.db.doc("members", rid))["request"] == P.requests(app.db)[0]["id"]
            await pilot.press("5")
            await _until(pilot, lambda: app.screen.__class__.__name__ == "SummaryScreen")
            figures = app.screen.query_one("#figures")
            await _until(pilot, lambda: figures.row_count > 0)
            first = [str(c) for c in figures.get_row_at(0)]
            assert first[0].startswith("Data pribadi") and "0 permintaan" in first[1] and "1 insiden" in first[1]

    asyncio.run(run())
