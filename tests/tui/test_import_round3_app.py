"""Issue 23, third round, in the app at 80x24: the import wizard shows the sentence about a second phone kept
as the note and the one holding a row whose UMUR disagrees with the NIK (with what to press), t decides it;
the member form shows the note and adds to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from storage.core.db import Database
from tests.support.roster import make_folder, run_async
from tests.tui.test_tui_import import cells, open_preview, wait_for
from tui.app import PilarApp
from tui.screens.roster.form import MemberForm
from tui.screens.roster.screen import RosterScreen

SIZE = (80, 24)
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "import_corpus"


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data").close()
    return tmp_path / "data"


def _nik(kec: str, sex: str, born: dt.date, serial: int) -> str:
    return kec.replace(".", "") + f"{born.day + (40 if sex == 'P' else 0):02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def _members(data: Path) -> dict[str, dict]:
    db = Database.open(data, read_only=True)
    try:
        return {m["name"]: m for m in db.values("members")}
    finally:
        db.close()


@run_async
async def test_the_wizard_at_80x24_shows_the_umur_hold_and_t_takes_it(data, tmp_path):
    today = dt.date.today()
    born = today.replace(year=today.year - 30, day=1) - dt.timedelta(days=40)
    path = tmp_path / "umur.csv"
    path.write_text("NO;NAMA;NIK;UMUR;KECAMATAN;KAB/KOTA;PILAR\r\n"
                    f"1;Ratna Sari;{_nik('35.78.27', 'P', born, 3102)};45;Sukomanunggal;Kota Surabaya;PSM\r\n",
                    encoding="utf-8")
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        wizard = await open_preview(pilot, app, path)
        table = wizard.query_one("#import-rows", DataTable)
        assert cells(table)[0][:3] == ["2", "ditahan", "Ratna Sari"]
        table.focus()
        await pilot.pause()
        reason = wizard.query_one("#import-reason", Static)
        shown = str(reason.render())
        assert shown.startswith("UMUR 45 tidak cocok dengan NIK") and "t di layar impor" in shown
        # the sentence, up to what to press, is on the screen above the buttons
        assert reason.region.bottom <= wizard.query_one("#import-commit").region.y and reason.region.height == 2
        await pilot.press("t")
        await wait_for(pilot, lambda: wizard.plan is not None and wizard.plan.counts["add"] == 1)
        assert cells(wizard.query_one("#import-rows", DataTable))[0][1] == "baru"
        wizard.query_one("#import-commit").focus()
        await pilot.press("enter")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    assert _members(data)["Ratna Sari"]["birth_date"] == born.isoformat()


@run_async
async def test_the_wizard_at_80x24_says_the_second_phone_is_kept_and_the_form_adds_to_the_note(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        wizard = await open_preview(pilot, app, CORPUS / "biner.xlsb")
        table = wizard.query_one("#import-rows", DataTable)
        assert [r[2] for r in cells(table)] == ["Eko Prasetyo", "Fitri Handayani", "Gunawan Santoso", "Hartini"]
        table.focus()
        await pilot.pause()
        assert "disimpan di Catatan anggota: 085730002301" in str(wizard.query_one("#import-reason", Static).render())
        wizard.query_one("#import-commit").focus()
        await pilot.press("enter")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        eko = next(m for m in app.db.values("members") if m["name"] == "Eko Prasetyo")
        app.screen.edit_member(eko["id"])  # what e does on the highlighted row
        await wait_for(pilot, lambda: isinstance(app.screen, MemberForm) and app.screen.query("#note"))
        form = app.screen
        await pilot.pause()
        note = form.query_one("#note", Input)
        assert note.value == "No. HP lain: 085730002301"
        note.focus()
        await pilot.pause()
        await pilot.press(*"; rumah dekat balai RW 3")  # tabbing in does not select the note: it is added to
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, MemberForm))
    assert _members(data)["Eko Prasetyo"]["note"] == "No. HP lain: 085730002301; rumah dekat balai RW 3"
