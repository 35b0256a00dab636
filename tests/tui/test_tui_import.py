"""The import wizard on screen: sheets and skipped rows in the summary, held and refused rows first,
updates with before/after, the mapping changed in the wizard, and what is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from storage.core.db import Database
from tests.support.roster import make_folder, run_async
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog
from tui.screens.roster.importing import ImportScreen
from tui.screens.roster.screen import RosterScreen

SIZE = (120, 40)
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "import_corpus"


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data").close()
    return tmp_path / "data"


async def wait_for(pilot, check, tries: int = 400):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row(k)] for k in table.rows]


async def open_preview(pilot, app, path: Path, mapping: str = "") -> ImportScreen:
    await pilot.press("i")
    wizard = app.screen
    assert isinstance(wizard, ImportScreen)
    wizard.query_one("#import-path", Input).value = str(path)
    wizard.query_one("#import-map", Input).value = mapping
    wizard.query_one("#import-path", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: wizard.plan is not None)
    return wizard


@run_async
async def test_wizard_shows_held_rows_first_and_updates_before_after(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_preview(pilot, app, CORPUS / "nama_lain.csv")
        summary = str(wizard.query_one("#import-summary", Static).render())
        assert "1 diperbarui" in summary and "2 ditahan" in summary
        rows = cells(wizard.query_one("#import-rows", DataTable))
        assert [r[1] for r in rows] == ["ditahan", "ditahan", "diperbarui"]
        assert "Siti Aminah → SITI AMINAH, S.Pd" in rows[2][4] and "→ +6281…333" in rows[2][4]
        wizard.query_one("#import-commit").focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        # the two held rows stay on screen after the closing message, until the clerk closes the wizard
        await wait_for(pilot, lambda: wizard.finished is not None)
        assert [r[1] for r in cells(wizard.query_one("#import-rows", DataTable))] == ["ditahan", "ditahan"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    db = Database.open(data, read_only=True)
    names = {m["name"] for m in db.values("members")}
    assert "SITI AMINAH, S.Pd" in names and "Hartono Wibisono" not in names
    db.close()


@run_async
async def test_wizard_reads_every_sheet_and_the_mapping_can_be_changed_there(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_preview(pilot, app, CORPUS / "banyak_sheet.xlsx")
        summary = str(wizard.query_one("#import-summary", Static).render())
        assert 'Sheet "REKAP" dilewati' in summary and 'Sheet "LAMA" dilewati' in summary
        assert "1 baris tersembunyi" in summary
        assert [r[0] for r in cells(wizard.query_one("#import-rows", DataTable))][:2] == ["TKSK!2", "TKSK!3"]
        wizard.query_one("#import-map", Input).value = "JABATAN=nama"
        wizard.query_one("#import-map", Input).focus()
        await pilot.press("enter")
        status = wizard.query_one("#import-status", Static)
        await wait_for(pilot, lambda: "KOLOM=bidang" in str(status.render()))
        assert wizard.query_one("#import-commit").disabled
        wizard.query_one("#import-map", Input).value = "JABATAN=-"
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None)
        assert "JABATAN" in str(wizard.query_one("#import-summary", Static).render()).split("Kolom diabaikan")[1]


@run_async
async def test_wizard_accepts_a_held_row_with_t(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_preview(pilot, app, CORPUS / "nama_lain.csv")
        table = wizard.query_one("#import-rows", DataTable)
        table.focus()
        await pilot.pause()
        assert cells(table)[0][:3] == ["2", "ditahan", "Hartono Wibisono"]
        await pilot.press("t")
        await wait_for(pilot, lambda: wizard.plan is not None and wizard.plan.counts["hold"] == 1)
        rows = {r[0]: r for r in cells(wizard.query_one("#import-rows", DataTable))}
        assert rows["2"][1] == "diperbarui" and "Siti Aminah → Hartono Wibisono" in rows["2"][4]


@run_async
async def test_wizard_asks_about_an_empty_aktif_column_and_takes_the_answer_at_80x24(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_preview(pilot, app, CORPUS / "aktif_kosong.xlsx")
        summary = wizard.query_one("#import-summary", Static)
        # the question comes right after the counts: on screen without scrolling
        assert str(summary.render()).splitlines()[1].startswith("Kolom AKTIF kosong di semua 3 baris")
        assert wizard.query_one("#import-commit").disabled
        wizard.query_one("#import-map", Input).value = "AKTIF=semua-aktif"
        wizard.query_one("#import-map", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None and wizard.plan.counts["add"] == 3)
        assert "dibaca aktif" in str(summary.render())
        wizard.query_one("#import-commit").focus()
        await pilot.press("enter")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    db = Database.open(data, read_only=True)
    vina = next(m for m in db.values("members") if m["name"] == "Vina Aulia")
    assert vina["assignments"][0]["status"] == "ACTIVE" and vina["assignments"][0]["sk"] == "188/12/436.7/2023"
    db.close()


@run_async
async def test_wizard_at_80x24_shows_rows_filters_them_and_keeps_the_refused_after_import(data, tmp_path):
    import shutil

    from openpyxl import load_workbook

    source = tmp_path / "pesan.csv"
    shutil.copy(CORPUS / "pesan.csv", source)
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_preview(pilot, app, source)
        table = wizard.query_one("#import-rows", DataTable)
        assert table.row_count == 7
        # every row of this preview is on the screen at 80x24, above the buttons
        assert table.region.height >= 8 and table.region.bottom <= wizard.query_one("#import-commit").region.y
        assert app.screen.query_one("#import-commit").region.bottom <= 24
        await pilot.press("f")  # refused and held only
        assert [r[1] for r in cells(table)] == ["ditolak"] * 4
        assert "ditolak/ditahan: 4" in str(wizard.query_one("#import-filter", Static).render())
        await pilot.press("f")  # new only
        assert [r[1] for r in cells(table)] == ["baru"] * 3
        wizard.query_one("#import-commit").focus()
        await pilot.press("enter")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: wizard.finished is not None)
        assert isinstance(app.screen, ImportScreen)
        assert [r[2] for r in cells(table)] == ["Rama Aditya", "Sinta Nuria", "Tono Sugiarto", "Umi Kalsum"]
        assert "4 baris tidak diimpor" in str(wizard.query_one("#import-status", Static).render())
        await pilot.press("s")
        written = tmp_path / "pesan-perbaiki.xlsx"
        assert written.exists() and "perbaiki lalu impor lagi" in str(wizard.query_one("#import-status").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    rows = list(load_workbook(written).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("BARIS ASAL", "ALASAN DITOLAK") and [r[1] for r in rows[1:]] == [
        "Rama Aditya", "Sinta Nuria", "Tono Sugiarto", "Umi Kalsum"]


@run_async
async def test_wizard_holds_the_same_person_twice_side_by_side_and_t_decides(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_preview(pilot, app, CORPUS / "nik_salah_ketik.csv")
        table = wizard.query_one("#import-rows", DataTable)
        assert [r[:2] for r in cells(table)][:3] == [["2", "ditahan"], ["4", "ditahan"], ["5", "ditahan"]]
        table.focus()
        await pilot.pause()
        assert "baris 4" in str(wizard.query_one("#import-reason", Static).render())
        await pilot.press("t")  # row 2's NIK is the right one: it is imported, row 4 still waits
        await wait_for(pilot, lambda: wizard.plan is not None and wizard.plan.counts["hold"] == 2)
        rows = {r[0]: r[1] for r in cells(wizard.query_one("#import-rows", DataTable))}
        assert rows["2"] == "baru" and rows["4"] == "ditahan"
