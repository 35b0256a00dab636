"""Pilot tests of the app shell and the roster screen; each flow checks what reached the disk."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from textual.widgets import Input, Select, Static

from storage.core import i18n
from storage.core.db import Database
from tests.support.roster import make_folder, run_async
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, OperatorDialog, PromptDialog
from tui.screens.help import HelpScreen
from tui.screens.roster.form import MemberForm
from tui.screens.roster.importing import ImportScreen
from tui.screens.roster.screen import MemberDetail, RosterScreen
from tui.widgets.member_table import MemberTable

SIZE = (120, 35)


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data", extra=30).close()
    yield tmp_path / "data"
    i18n.set_lang("id")


def reopen(path):
    return Database.open(path, read_only=True)


async def wait_for(pilot, check, tries: int = 400):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def table(app) -> MemberTable:
    return app.screen.query_one(MemberTable)


def count_text(app) -> str:
    return str(app.screen.query_one("#roster-count", Static).render())


async def find(pilot, app, text: str) -> None:
    await pilot.press("slash", *text, "enter")


@run_async
async def test_filter_as_you_type_shows_the_count_and_escape_clears(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        assert len(table(app).rows) == 36
        assert count_text(app).startswith("36 dari 36 anggota")
        await pilot.press("slash", "s", "i", "t")
        assert count_text(app).startswith("1 dari 36")
        assert [r.name for r in table(app).rows] == ["Siti Aminah"]
        await pilot.press("escape")
        assert len(table(app).rows) == 36 and app.screen.query_one("#search", Input).value == ""
        # quick filter: pillar TKSK
        app.screen.query_one("#pillar", Select).value = "TKSK"
        await pilot.pause()
        assert {r.name for r in table(app).rows} == {"Siti Aminah", "Wahyu Hidayat"}
        # sort by another column with o, reverse with O
        await pilot.press("escape", "o")
        assert app.screen.query_state.sort == "pillar"
        await pilot.press("O")
        assert app.screen.query_state.reverse


@run_async
async def test_nik_is_masked_until_revealed(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "siti")
        row = table(app).rows[0]
        assert app.screen.cells(row)[0] == "************" + row.nik[-4:]
        await pilot.press("r")
        assert app.screen.cells(row)[0] == row.nik


@run_async
async def test_add_with_a_mistyped_nik_is_refused_then_saved_after_the_fix(data):
    app = PilarApp(data, operator="Rudi")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, MemberForm)
        await pilot.press(*"357812010180001")  # 15 digits
        error = form.query_one("#err-nik", Static)
        assert str(error.render()) == "NIK harus 16 angka; yang diketik 15 angka."
        await pilot.press("tab", *"Joko Susilo")
        form.query_one("#sex", Select).value = "L"
        form.query_one("#birth_date", Input).value = "01-01-1980"
        form.query_one("#kab", Select).value = "35.78"
        await pilot.pause()
        form.query_one("#kec", Select).value = "35.78.12"
        form.query_one("#a0-pillar", Select).value = "PSM"
        form.query_one("#a0-position", Select).value = "ANGGOTA"
        form.query_one("#a0-area_kab", Select).value = "35.78"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.screen is form  # refused while the NIK is wrong
        assert "1 isian masih salah" in str(form.query_one("#form-problem", Static).render())
        assert form.query_one("#nik", Input).has_focus
        await pilot.press("end", "1")
        assert str(form.query_one("#err-nik", Static).render()) == ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert len(app.roster) == 37
    db = reopen(data)
    joko = [m for m in db.values("members") if m["name"] == "Joko Susilo"]
    assert len(joko) == 1 and joko[0]["nik"] == "3578120101800011" and joko[0]["kec"] == "35.78.12"
    assert db.audit.for_record(joko[0]["id"])[-1]["operator"] == "Rudi"


@run_async
async def test_warnings_must_be_ticked_before_saving(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "budi")
        await pilot.press("e")
        form = app.screen
        form.query_one("#a0-level", Select).value = ""  # Tagana without a level: a warning
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.screen is form and "centang" in str(form.query_one("#form-problem", Static).render())
        form.query_one("#accept").value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    db = reopen(data)
    budi = next(m for m in db.values("members") if m["name"] == "Budi Santoso")
    assert budi["assignments"][0]["level"] == ""


@run_async
async def test_edit_changes_reach_the_disk_and_the_table(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "rina")
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, MemberForm) and form.query_one("#name", Input).value == "Rina Wati"
        form.query_one("#name", Input).value = "Rina Wati Ningsih"
        form.query_one("#phone", Input).value = "0813 9876 5432"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert [r.name for r in table(app).rows] == ["Rina Wati Ningsih"]  # the filter "rina" still stands
    db = reopen(data)
    rina = next(m for m in db.values("members") if m["name"].startswith("Rina"))
    assert rina["name"] == "Rina Wati Ningsih" and rina["phone"] == "+6281398765432"


@run_async
async def test_deactivate_asks_reason_and_date(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "agus")
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        await pilot.press("enter")  # Enter submits from any field (issue 24): no reason yet
        assert app.screen is dialog and "alasan" in str(dialog.query_one("#problem", Static).render())
        dialog.query_one("#f-date", Input).value = "15-03-2024"
        dialog.query_one("#f-reason", Input).focus()
        await pilot.press(*"meninggal dunia", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert table(app).rows[0].status == "INACTIVE"
    db = reopen(data)
    agus = next(m for m in db.values("members") if m["name"] == "Agus Salim")
    a = agus["assignments"][0]
    assert (a["status"], a["inactive_reason"], a["inactive_date"]) == ("INACTIVE", "meninggal dunia", "2024-03-15")


@run_async
async def test_delete_needs_confirmation_and_leaves_a_tombstone(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "dewi")
        rid = table(app).current_id
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # cancelled: nothing happens
        assert app.roster.get(rid) is not None
        await pilot.press("delete")
        await pilot.click("#yes")
        await pilot.press(*"data ganda", "enter")
        await wait_for(pilot, lambda: app.roster.get(rid) is None)
    db = reopen(data)
    assert db.get("members", rid) is None and db.doc("members", rid)["v"][0]["deleted"]
    assert db.audit.for_record(rid)[-1]["note"] == "data ganda"


@run_async
async def test_detail_shows_assignments_and_history(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "siti")
        await pilot.press("enter")
        assert isinstance(app.screen, MemberDetail)
        text = str(app.screen.query_one("#detail-text", Static).render())
        assert "TKSK · Anggota · Karang Pilang" in text and "Riwayat perubahan" in text
        assert "Siti" in text.split("Riwayat perubahan")[1]  # the operator who created the record
        await pilot.press("e")
        assert isinstance(app.screen, MemberForm)


@run_async
async def test_import_wizard_previews_then_writes_in_one_go(data, tmp_path):
    from tests.support.import_files import row, write_xlsx

    path = write_xlsx(tmp_path / "tahun-lalu.xlsx", [row(1, "Ani Impor", "Wonocolo", "35.78.04"),
                                                      row(2, "Bayu Impor", "Gayungan", "35.78.05"),
                                                      ["3", "Tanpa NIK", "", "L", "", "", "", "", "PSM", "", ""]])
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        wizard = app.screen
        assert isinstance(wizard, ImportScreen)
        wizard.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None)
        summary = str(wizard.query_one("#import-summary", Static).render())
        assert "3 baris · 2 baru · 0 diperbarui (NIK sama) · 1 ditolak" in summary
        assert len(reopen(data).index("members", "nik")) == 36  # nothing written yet
        wizard.query_one("#import-rows").focus()
        await pilot.pause()
        reason = str(wizard.query_one("#import-reason", Static).render())
        assert "NIK" in reason  # the refused row comes first; its whole reason is shown
        wizard.query_one("#import-commit").focus()
        await pilot.press("enter")  # the commit button has the focus
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await wait_for(pilot, lambda: wizard.finished is not None)  # the refused row stays on screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert len(app.roster) == 38
    db = reopen(data)
    assert {"Ani Impor", "Bayu Impor"} <= {m["name"] for m in db.values("members")}


@run_async
async def test_import_wizard_reports_a_bad_file_in_words(data, tmp_path):
    bad = tmp_path / "roster.xlsx"
    bad.write_bytes(b"MZ not a workbook")
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        wizard = app.screen
        wizard.query_one("#import-path", Input).value = str(bad)
        await pilot.press("enter")
        status = wizard.query_one("#import-status", Static)
        await wait_for(pilot, lambda: "bukan berkas Excel" in str(status.render()))


@run_async
async def test_export_writes_the_filtered_view(data, tmp_path):
    out = tmp_path / "tksk.xlsx"
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#pillar", Select).value = "TKSK"
        await pilot.pause()
        await pilot.press("x")
        dialog = app.screen
        dialog.query_one("#f-path", Input).value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, lambda: out.exists())
    ws = load_workbook(out).active
    assert ws.max_row == 3 and {ws.cell(2, 2).value, ws.cell(3, 2).value} == {"Siti Aminah", "Wahyu Hidayat"}


@run_async
async def test_help_lists_the_keys_of_the_current_screen(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = dict((d, k) for k, d in app.screen.rows)
        assert rows["Tambah"] == "n" and rows["Nonaktifkan"] == "d" and rows["Bantuan"] in ("?", "f1")
        assert "Kegiatan" in rows  # section keys too
        await pilot.press("escape")
        await pilot.press("n")
        await pilot.press("f1")
        rows = dict((d, k) for k, d in app.screen.rows)
        assert "Simpan" in rows and "Tambah" not in rows  # the form's keys, not the roster's


@run_async
async def test_sections_by_number_keys(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        table(app).focus()
        for key, mode in (("2", "events"), ("3", "payouts"), ("4", "sync"), ("1", "roster")):
            await pilot.press(key)
            assert app.current_mode == mode


@run_async
async def test_operator_is_asked_and_remembered(tmp_path, monkeypatch):
    db = make_folder(tmp_path / "data")
    monkeypatch.delenv("PILAR_OPERATOR")
    db.office = dict(db.office, operator="")
    from storage.core.db import write_office

    write_office(db.path, db.office)
    db.close()
    app = PilarApp(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, OperatorDialog)
        await pilot.press("escape")  # the name cannot be skipped
        assert isinstance(app.screen, OperatorDialog)
        await pilot.press("enter")
        assert isinstance(app.screen, OperatorDialog)  # empty name refused
        await pilot.press(*"Lestari", "enter")
        assert app.db.operator == "Lestari" and "Lestari" in app.sub_title
        await find(pilot, app, "budi")
        await pilot.press("d", *"pensiun", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    assert json.loads((tmp_path / "data" / "office.json").read_text())["operator"] == "Lestari"
    db = reopen(tmp_path / "data")
    budi = next(m for m in db.values("members") if m["name"] == "Budi Santoso")
    assert db.audit.for_record(budi["id"])[-1]["operator"] == "Lestari"


@run_async
async def test_english_with_lang_en(data):
    app = PilarApp(data, operator="Siti", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        assert count_text(app).startswith("36 of 36 members")
        await pilot.press("question_mark")
        assert "Add" in [d for _, d in app.screen.rows]


@run_async
async def test_conflict_count_shows_in_the_header(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE):
        app.conflict_count = 3
        assert "3 konflik" in app.sub_title


@run_async
async def test_works_in_80x24_and_light_theme(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "textual-light"
        await pilot.press("slash", *"wahyu", "enter")
        assert [r.name for r in table(app).rows] == ["Wahyu Hidayat"]
        assert table(app).region.height >= 10
        columns = [c.name for c, _ in table(app).visible_columns(table(app).scrollable_content_region.width)]
        assert columns[:2] == ["nik", "name"] and "status" in columns



@run_async
async def test_command_palette_opens_sections_in_the_users_language(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"kegiatan")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.current_mode == "events")


@run_async
async def test_big_roster_paints_a_first_page_then_loads_in_a_thread(data, monkeypatch):
    import tui.screens.roster.screen as roster_screen

    monkeypatch.setattr(roster_screen, "BACKGROUND_LOAD", 10)
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.ready)
        assert app._roster is not None and len(table(app).rows) == 36
        names = [r.name for r in table(app).rows]
        assert names == sorted(names, key=str.casefold)
        await pilot.press("slash", *"wahyu")
        assert [r.name for r in table(app).rows] == ["Wahyu Hidayat"]


@run_async
async def test_a_second_assignment_is_added_and_saved(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, app, "agus")
        await pilot.press("e")
        form = app.screen
        await pilot.press("ctrl+r")  # the saved assignment cannot be removed
        assert len(form.query(".assignment")) == 1
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(form.query(".assignment")) == 2
        # the new assignment's first field has the focus and is scrolled into sight
        pillar = form.query_one("#a1-pillar", Select)
        for _ in range(100):  # focus, then the scroll into sight, a few frames later
            if pillar.has_focus and pillar.region.height > 0 \
                    and form.query_one("#form-body").region.contains_region(pillar.region):
                break
            await pilot.pause(0.02)
        assert pillar.has_focus and pillar.region.height > 0
        assert form.query_one("#form-body").region.contains_region(pillar.region)
        form.query_one("#a1-pillar", Select).value = "JSC"
        form.query_one("#a1-position", Select).value = "ANGGOTA"
        form.query_one("#a1-area_kab", Select).value = "35.78"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    db = reopen(data)
    agus = next(m for m in db.values("members") if m["name"] == "Agus Salim")
    assert [a["pillar"] for a in agus["assignments"]] == ["PSM", "JSC"]
    assert agus["assignments"][1]["office"] == "UPT-PSTW-JEMBER" and agus["assignments"][1]["status"] == "ACTIVE"


@run_async
async def test_language_setting_of_the_data_folder(data):
    from storage.core.db import read_office, write_office

    office = read_office(data)
    write_office(data, dict(office, lang="en"))
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE):
        assert count_text(app).startswith("36 of 36 members")
        assert str(app.screen.query_one("#search", Input).placeholder).startswith("Search name")


@run_async
async def test_letters_typed_right_after_slash_reach_the_search(data):
    """Keys already queued when "/" is handled go to the search box, not to the table's keys (``w``
    would open a member's statement): on a busy PC the terminal hands over "/wahyu" in one read."""
    from textual import events

    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
        for ch in "/wahyu":
            key = events.Key("slash" if ch == "/" else ch, ch)
            key.set_sender(app)
            app._driver.send_message(key)  # all queued at once, as a busy terminal delivers them
        await wait_for(pilot, lambda: app.screen.query_one("#search", Input).value == "wahyu")
        assert isinstance(app.screen, RosterScreen)
        await wait_for(pilot, lambda: count_text(app).startswith("1 "))
        assert table(app).rows[0].name == "Wahyu Hidayat"
