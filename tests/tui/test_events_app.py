"""The events section driven from the keyboard with Pilot; every step is checked on the data written."""

from __future__ import annotations

import re

import pytest

from storage import events, sample
from storage.core.db import Database
from storage.events import reports
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.screens.events.screen import CheckinScreen, EventFormScreen, EventsScreen, InviteScreen, WalkInScreen

EID = events.sample_event_id()




@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "data"
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Ani")
    sample.load(db)
    db.close()
    return path


def on_disk(path) -> Database:
    """What a second reader sees: the collection files plus the journal (proves the write is durable)."""
    return Database.open(path, read_only=True)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def select_event(app, pilot, event_id: str) -> None:
    """The events section with ``event_id``'s row selected."""
    await pilot.press("2")
    await pilot.pause()
    table = app.screen.query_one("#events-table")
    table.move_cursor(row=table.get_row_index(event_id))


def invited(path, n):
    db = on_disk(path)
    invs = sorted(events.invitations(db, EID), key=lambda i: i["id"])[:n]
    return [db.get("members", i["member_id"]) for i in invs]


@run_async
async def test_door_check_in_end_to_end(folder, tmp_path):
    first, second, third = invited(folder, 3)
    db = on_disk(folder)
    invited_ids = {i["member_id"] for i in events.invitations(db, EID)}
    outsider = next(m for m in db.values("members") if m["id"] not in invited_ids)
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckinScreen) and app.focused.id == "scan"

        # By NIK, as a barcode scanner types it.
        await type_text(pilot, first["nik"])
        await pilot.press("enter")
        await pilot.pause()
        assert first["name"] in text_of(screen, "#card")
        saved = on_disk(folder).get("invitations", events.invitation_id(EID, first["id"]))
        assert saved["status"] == "HADIR" and saved["checkin_by"] == "Ani" and saved["checkin_at"]
        assert app.focused.id == "scan" and screen.query_one("#scan").value == ""

        # The same card again: said plainly, nothing new written.
        seq = on_disk(folder).seq
        await type_text(pilot, first["nik"])
        await pilot.press("enter")
        await pilot.pause()
        assert f"sudah hadir pukul {events.clock(saved['checkin_at'])}" in text_of(screen, "#checkin-message")
        assert on_disk(folder).seq == seq

        # By part of a name: pick from the list.
        words = second["name"].split()[0]
        await type_text(pilot, words)
        await pilot.press("enter")
        await pilot.pause()
        picks = screen.query_one("#picks")
        matches = events.find(on_disk(folder), EID, words)
        assert len(matches) > 1 and picks.display and app.focused.id == "scan"
        index = [c["member_id"] for c in matches].index(second["id"])
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert on_disk(folder).get("invitations", events.invitation_id(EID, second["id"]))["status"] == "HADIR"
        assert app.focused.id == "scan" and not picks.display

        # A scan while a name list is open is a new scan, never a pick of the highlighted name.
        await type_text(pilot, words)
        await pilot.press("enter")
        await pilot.pause()
        assert picks.display
        await type_text(pilot, first["nik"])
        await pilot.press("enter")
        await pilot.pause()
        assert not picks.display and "sudah hadir" in text_of(screen, "#checkin-message")

        # Izin for the third member (card first, then F2).
        await type_text(pilot, third["assignments"][0]["number"] or third["nik"])
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert on_disk(folder).get("invitations", events.invitation_id(EID, third["id"]))["status"] == "IZIN"

        # A walk-in: not invited, F4, a reason.
        await type_text(pilot, outsider["nik"])
        await pilot.press("enter")
        await pilot.pause()
        assert "TIDAK DIUNDANG" in text_of(screen, "#card")
        assert on_disk(folder).get("invitations", events.invitation_id(EID, outsider["id"])) is None
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, WalkInScreen)
        await type_text(pilot, "Pengganti Korkab")
        await pilot.press("enter")
        await pilot.pause()
        walk_in = on_disk(folder).get("invitations", events.invitation_id(EID, outsider["id"]))
        assert walk_in["walk_in"] and walk_in["walk_in_reason"] == "Pengganti Korkab" and walk_in["status"] == "HADIR"

        counts = events.counts(on_disk(folder), EID)["total"]
        assert (counts["HADIR"], counts["IZIN"], counts["walk_in"], counts["invited"]) == (3, 1, 1, 200)
        shown = text_of(screen, "#checkin-counts")
        assert "Hadir: 3 / 200" in shown and "Izin: 1" in shown and "Walk-in: 1" in shown

        # Print the daftar hadir: its counts match the screen.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("p")
        await pilot.pause()
        path = tmp_path / "hadir.txt"
        app.screen.query_one("#report-format").value = "text"
        await pilot.pause()
        app.screen.query_one("#report-path").value = str(path)
        app.screen.query_one("#report-go").focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = path.read_text()
        assert "DAFTAR HADIR" in text and "Surabaya, 4 April 2024" in text
        assert "Diundang 200, hadir 3 (termasuk walk-in 1), izin 1, alpa 0, belum hadir 197." in text
        assert any(str(path) in n.message for n in app._notifications)
        detail = text_of(app.screen, "#events-detail")
        assert "Diundang 200 · Hadir 3 · Walk-in 1 · Izin 1" in detail

    # After the app has closed, the folder holds the same.
    after = on_disk(folder)
    assert reports.render(after, EID, "attendance", "text").count("Walk-in: Pengganti Korkab") == 1


@run_async
async def test_unknown_code_changes_nothing(folder):
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "c")
        await pilot.pause()
        seq = on_disk(folder).seq
        await type_text(pilot, "9999999999999999")
        await pilot.press("enter")
        await pilot.pause()
        assert "Tidak ditemukan" in text_of(app.screen, "#checkin-message")
        await pilot.press("f2")  # no member shown: nothing to mark
        await pilot.pause()
        assert on_disk(folder).seq == seq


@run_async
async def test_create_event_from_the_form(folder):
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EventFormScreen)
        await type_text(pilot, "Rakor TKSK")
        await pilot.press("tab")
        await type_text(pilot, "31-02-2024")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "tidak dikenali" in text_of(form, "#err-date") and on_disk(folder).count("events") == 1
        form.query_one("#f-date").value = ""
        form.query_one("#f-date").focus()
        await type_text(pilot, "02-05-2024")
        form.query_one("#q0-key").value = "TKSK"
        form.query_one("#q0-limit").value = "3"
        form.query_one("#q0-pillars").value = "TKSK"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
    events = {e["name"]: e for e in on_disk(folder).values("events")}
    assert events["Rakor TKSK"]["date"] == "2024-05-02" and events["Rakor TKSK"]["quotas"][0]["limit"] == 3


@run_async
async def test_invite_screen_respects_quota(folder):
    db = Database.open(folder, operator="Ani")
    eid = events.create_event(db, {"name": "Rakor TKSK", "date": "2024-05-02",
                               "quotas": [events.parse_quota("TKSK:3:TKSK")]})
    app = PilarApp(folder, operator="Ani", db=db)
    async with app.run_test(size=(120, 40)) as pilot:
        await select_event(app, pilot, eid)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InviteScreen)
        screen.query_one("#crit-pillar").value = "TKSK"
        await pilot.pause()
        assert re.search(r"Cocok: \d+ aktif", text_of(screen, "#invite-match"))
        await pilot.press("f2")
        await pilot.pause()
        assert len(events.invitations(on_disk(folder), eid)) == 3
        assert "tidak diundang karena kuota penuh" in text_of(screen, "#invite-result")
        assert "3/3" in text_of(screen, "#invite-quotas")
        screen.query_one("#invite-override").value = True
        outsider = next(m for m in on_disk(folder).values("members")
                        if m["assignments"][0]["pillar"] == "TKSK" and m["assignments"][0]["status"] == "ACTIVE"
                        and events.invitation_id(eid, m["id"]) not in {i["id"] for i in events.invitations(db, eid)})
        screen.query_one("#invite-one").focus()
        await type_text(pilot, outsider["nik"])
        await pilot.press("enter")
        await pilot.pause()
    saved = on_disk(folder).get("invitations", events.invitation_id(eid, outsider["id"]))
    assert saved["override"] is True and len(events.invitations(on_disk(folder), eid)) == 4


@run_async
async def test_delete_an_event_entered_by_mistake_but_not_a_held_one(folder):
    from tui.dialogs import ConfirmDialog, ErrorDialog, PromptDialog

    db = Database.open(folder, operator="Ani")
    wrong = events.create_event(db, {"name": "Rapat salah tanggal", "date": "2030-01-02", "venue": "Aula"})
    events.invite(db, wrong, [invited(folder, 1)[0]["id"]])
    events.checkin(db, EID, invited(folder, 1)[0]["id"])  # the sample event has attendance
    db.close()
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#events-table")
        table.move_cursor(row=table.get_row_index(wrong))
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("tab", "enter")  # past "Batal" to "Hapus kegiatan"
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")  # no reason: the dialog stays and says why
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog) and "alasan" in text_of(app.screen, "#problem")
        await type_text(pilot, "salah tanggal")
        await pilot.press("enter")
        await pilot.pause()
        assert app.db.get("events", wrong) is None and events.invitations(app.db, wrong) == []
        assert wrong not in [r.value for r in table.rows]
        # The held event is refused, and stays.
        table.move_cursor(row=table.get_row_index(EID))
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()
        await type_text(pilot, "coba")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog) and "tidak dapat dihapus" in app.screen.message
    assert on_disk(folder).get("events", EID) is not None
    assert on_disk(folder).get("events", wrong) is None


@run_async
async def test_check_in_on_each_day_of_a_two_day_training(folder):
    db = Database.open(folder, operator="Ani")
    eid = events.create_event(db, {"name": "Diklat Tagana", "date": "2024-05-06", "end_date": "2024-05-07",
                               "venue": "UPT Sidoarjo"})
    member = db.get("members", events.invitations(db, EID)[0]["member_id"])
    events.invite(db, eid, [member["id"]])
    db.close()
    app = PilarApp(folder, operator="Ani")
    async with app.run_test(size=(120, 40)) as pilot:
        await select_event(app, pilot, eid)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckinScreen) and "hari ke-1 dari 2" in text_of(screen, "#checkin-title")
        await type_text(pilot, member["nik"])
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f7")  # the next morning
        await pilot.pause()
        assert "hari ke-2 dari 2" in text_of(screen, "#checkin-title")
        assert "Hadir: 0" in text_of(screen, "#checkin-counts")
        await type_text(pilot, member["nik"])
        await pilot.press("enter")
        await pilot.pause()
        assert "sudah" not in text_of(screen, "#checkin-message").lower()  # a new day, not "already"
        assert "Hadir: 1" in text_of(screen, "#checkin-counts")
    saved = on_disk(folder).get("invitations", events.invitation_id(eid, member["id"]))
    assert saved["status"] == "HADIR" and saved["days"]["2024-05-07"]["status"] == "HADIR"
