"""Issue 14, a clerk's week in the app: Pilot tests, each checking what reached the disk or the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from textual import events
from textual.widgets import Input, Select, Static

from storage import events as event_service
from storage import payouts, sample
from storage.core import i18n
from storage.core.db import Database
from storage.office.settings import letterhead_city
from storage.payouts import documents
from tests.support.payouts import Q2, approve_all
from tests.support.pilot import run_async, settle
from tests.support.roster import make_folder
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, ErrorDialog, PromptDialog, UnsavedDialog
from tui.screens.events.screen import CheckinScreen, EventFormScreen
from tui.screens.payouts.dialogs import VoidDialog
from tui.screens.roster.form import MemberForm
from tui.screens.roster.screen import RosterScreen
from tui.widgets.member_table import MemberTable

SIZE = (120, 35)
EID = event_service.sample_event_id()


@pytest.fixture
def data(tmp_path):
    """A small UPT roster (36 members)."""
    make_folder(tmp_path / "data", extra=30).close()
    yield tmp_path / "data"
    i18n.set_lang("id")


@pytest.fixture
def province(tmp_path):
    """The province with the demo's sample data (members, the sample event and its invitations)."""
    path = tmp_path / "prov"
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Ani")
    sample.load(db)
    db.close()
    yield path
    i18n.set_lang("id")


def on_disk(path) -> Database:
    return Database.open(path, read_only=True)


async def wait_for(pilot, check, tries: int = 300):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


# ---------------------------------------------------------------------- 1. nothing typed is lost

@run_async
async def test_escape_in_a_half_filled_member_form_asks_and_keeps_the_typing(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, MemberForm)
        await pilot.press("tab", *"Joko")
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedDialog)
        assert "belum disimpan" in text_of(app.screen, "#unsaved-body")
        await pilot.press("escape")  # keep editing: back in the form, the name still there
        assert app.screen is form and form.query_one("#name", Input).value == "Joko"
        await pilot.press("escape", "b")  # discard
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert len(app.roster) == 36
    # an untouched form closes at once
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "escape")
        assert isinstance(app.screen, RosterScreen)


@run_async
async def test_escape_then_save_keeps_the_member(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"agus", "enter", "e")
        form = app.screen
        assert isinstance(form, MemberForm)
        form.query_one("#address", Input).value = "Jl. Kenanga 9"
        await pilot.pause()
        await pilot.press("escape", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    agus = next(m for m in on_disk(data).values("members") if m["name"] == "Agus Salim")
    assert agus["address"] == "Jl. Kenanga 9"


@run_async
async def test_ctrl_q_with_a_half_filled_event_form_asks_first(province):
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EventFormScreen)
        await type_text(pilot, "Rakor Tagana")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog) and not app._exit
        assert "Kegiatan baru" in text_of(app.screen, "#unsaved-body") or "kegiatan" in text_of(
            app.screen, "#unsaved-body").lower()
        await pilot.press("escape")  # keep editing
        assert app.screen is form and not app._exit
        form.query_one("#f-date", Input).value = "02-05-2024"
        await pilot.press("ctrl+q", "s")  # save, then quit
        await wait_for(pilot, lambda: app._exit)
    assert [e["date"] for e in on_disk(province).values("events") if e["name"] == "Rakor Tagana"] == ["2024-05-02"]


@run_async
async def test_ctrl_q_discard_quits_without_saving_and_an_empty_app_quits_at_once(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "tab", *"Joko")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("b")
        await wait_for(pilot, lambda: app._exit)
    assert not [m for m in on_disk(data).values("members") if m["name"] == "Joko"]
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app._exit)


@run_async
async def test_escape_in_a_prompt_with_a_typed_reason_asks(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"agus", "enter", "d")
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"pindah", "escape")
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, PromptDialog) and app.screen.values()["reason"] == "pindah"


# ---------------------------------------------------------------------- 2. deactivation dates

@run_async
async def test_deactivation_before_the_start_is_refused_in_the_dialog(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"agus", "enter", "d")
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        await pilot.press(*"pindah")
        dialog.query_one("#f-date", Input).value = "15-03-2022"  # the assignment began 01-01-2023
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.screen is dialog
        problem = dialog.query_one("#problem", Static)
        assert "lebih awal dari mulai tugas 1 Januari 2023" in str(problem.render())
        assert problem.region.height >= 1 and dialog.screen.region.contains_region(problem.region)
        dialog.query_one("#f-date", Input).value = "15-03-2024"
        dialog.query_one("#f-date", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
    agus = next(m for m in on_disk(data).values("members") if m["name"] == "Agus Salim")
    assert agus["assignments"][0]["inactive_date"] == "2024-03-15"


# ---------------------------------------------------------------------- 3-5. the door

def _future_event(path) -> tuple[str, dict]:
    db = Database.open(path, operator="Ani")
    day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    eid = event_service.create_event(db, {"name": "Apel Siaga", "date": day, "venue": "Alun-alun"})
    member = next(iter(db.values("members")))
    event_service.invite(db, eid, [member["id"]])
    db.close()
    return eid, member


@run_async
async def test_check_in_for_a_day_still_to_come_is_refused_with_a_reason(province):
    eid, member = _future_event(province)
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CheckinScreen(eid))
        await pilot.pause()
        screen = app.screen
        await type_text(pilot, member["nik"])
        await pilot.press("enter")
        await pilot.pause()
        assert "belum berlangsung" in text_of(screen, "#checkin-message")
        await type_text(pilot, member["nik"])
        await pilot.press("f3")  # absent before the day: refused too
        await pilot.pause()
        assert "belum berlangsung" in text_of(screen, "#checkin-message")
        await type_text(pilot, member["nik"])
        await pilot.press("f2")  # an excuse may come in advance
        await pilot.pause()
    inv = on_disk(province).get("invitations", event_service.invitation_id(eid, member["id"]))
    assert inv["status"] == "IZIN" and not inv["checkin_at"]


def _invited(path, n):
    db = on_disk(path)
    invs = sorted(event_service.invitations(db, EID), key=lambda i: i["id"])[:n]
    return [db.get("members", i["member_id"]) for i in invs]


@run_async
async def test_f2_and_f3_act_on_the_typed_nik_without_a_false_hadir(province):
    first, second, third = _invited(province, 3)
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CheckinScreen(EID))
        await pilot.pause()
        screen = app.screen
        await type_text(pilot, first["nik"])
        await pilot.press("enter")  # the first is shown (and present)
        await type_text(pilot, second["nik"])
        await pilot.press("f2")  # izin for the second, typed: not the first
        await pilot.pause()
        assert second["name"] in text_of(screen, "#card")
        await type_text(pilot, third["nik"])
        await pilot.press("f3")
        await pilot.pause()
        assert screen.query_one("#scan", Input).value == ""
    db = on_disk(province)
    status = {m["id"]: db.get("invitations", event_service.invitation_id(EID, m["id"])) for m in (first, second, third)}
    assert status[first["id"]]["status"] == "HADIR"
    assert status[second["id"]]["status"] == "IZIN" and not status[second["id"]]["checkin_at"]
    assert status[third["id"]]["status"] == "ALPA" and not status[third["id"]]["checkin_at"]


@run_async
async def test_five_codes_sent_back_to_back_are_five_check_ins(province):
    people = _invited(province, 5)
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CheckinScreen(EID))
        await pilot.pause()
        assert app.focused.id == "scan"
        # as a scanner does: every key of the five codes queued at once, no wait for the screen between them
        for person in people:
            for key in [*person["nik"], "enter"]:
                event = events.Key(key, key if len(key) == 1 else "\r")
                event.set_sender(app)
                app._driver.send_message(event)
        await wait_for(pilot, lambda: event_service.counts(app.db, EID)["total"]["HADIR"] == 5)
        await pilot.pause()
        assert app.screen.query_one("#scan", Input).value == ""
    db = on_disk(province)
    assert all(db.get("invitations", event_service.invitation_id(EID, p["id"]))["status"] == "HADIR" for p in people)


# ---------------------------------------------------------------------- confirm dialogs answer y / n

@run_async
async def test_confirm_dialog_answers_y_and_n(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"dewi", "enter")
        rid = app.screen.query_one("#members").current_id
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, RosterScreen) and app.roster.get(rid) is not None
        await pilot.press("delete", "y")
        assert isinstance(app.screen, PromptDialog)


# ---------------------------------------------------------------------- 6, 15. payout items



async def _items_of_q2(app, pilot):
    await pilot.press("3")
    await settle(app, pilot)
    screen = app.screen
    screen.quarter = Q2
    screen.refresh_all()
    await settle(app, pilot)
    screen.query_one("#pay-tabs").active = "tab-items"
    await pilot.pause()
    return screen


@run_async
async def test_every_payout_item_is_listed_and_the_void_dialog_names_the_member(province):
    db = Database.open(province, operator="Ani")
    payouts.set_separate_duties(db, False)
    payouts.run_quarter(db, Q2)
    approve_all(db, Q2)
    [paid_item, *_] = payouts.items(db, Q2)
    payouts.pay_transfer(db, Q2, "BJTM-01", [paid_item["member_id"]])
    total = len(payouts.items(db, Q2))
    db.close()
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _items_of_q2(app, pilot)
        table = screen.query_one("#pay-items", MemberTable)
        assert len(table.rows) == total > 1000  # no cap, and no "see the CLI" note
        note = text_of(screen, "#pay-items-note")
        assert "pilar payout" not in note
        # the paid one: refused at once, in the app's words (no CLI flag), before any reason is typed
        assert table.move_to_id(paid_item["id"])
        table.focus()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "tekan k" in app.screen.message and "--" not in app.screen.message
        await pilot.press("enter")
        other = next(r for r in table.rows if r.item["status"] == "approved")
        assert table.move_to_id(other.id)
        await pilot.press("v")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, VoidDialog)
        name = app.db.get("members", other.item["member_id"])["name"]
        what = text_of(dialog, "#void-what")
        assert name in what and documents.idr(other.item["net"]) in what and other.id not in what
        await pilot.press("enter")  # no reason: said without a CLI flag
        assert "--reason" not in text_of(dialog, "#problem") and "alasan" in text_of(dialog, "#problem")
        await pilot.press(*"salah", "enter")
        await settle(app, pilot)
    assert payouts.find_item(on_disk(province), other.id)[0]["void_reason"] == "salah"


# ---------------------------------------------------------------------- 7. export with full NIK, audited

@run_async
async def test_export_masks_unless_asked_and_a_full_export_is_audited(data, tmp_path):
    masked, full = tmp_path / "masked.csv", tmp_path / "full.csv"
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"siti", "enter")
        nik = app.roster.get(app.screen.query_one(MemberTable).current_id)["nik"]
        await pilot.press("x")
        app.screen.query_one("#f-path", Input).value = str(masked)
        assert app.screen.query_one("#checkbox").value is False  # masked unless asked
        await pilot.press("enter")
        await wait_for(pilot, lambda: masked.exists())
        await pilot.press("r", "x")  # after r the full export is offered, ticked
        app.screen.query_one("#f-path", Input).value = str(full)
        assert app.screen.query_one("#checkbox").value is True
        await pilot.press("enter")
        await wait_for(pilot, lambda: full.exists())
        await app.workers.wait_for_complete()
    assert nik not in masked.read_text(encoding="utf-8-sig") and nik[-4:] in masked.read_text(encoding="utf-8-sig")
    assert nik in full.read_text(encoding="utf-8-sig")
    db = on_disk(data)
    [entry] = db.audit.for_record("full.csv")
    assert entry["action"] == "roster.export_revealed" and entry["operator"] == "Siti" and nik not in str(entry)
    assert db.audit.for_record("masked.csv") == []


# ---------------------------------------------------------------------- 8. bundles from any file, offices

@run_async
async def test_sync_screen_imports_any_file_enrols_and_revokes(tmp_path, monkeypatch):
    from storage.office import keys as office_keys
    from storage.sync import engine
    from tests.support.network import make_network

    paths = make_network(tmp_path)
    upt = Database.open(paths["UPT-A"], operator="op-A")
    with upt.transaction("t") as tx:
        rid = tx.put("members", {"nik": "3509014107850001", "name": "SITI AMINAH", "phone": "",
                                 "assignments": [{"office": "UPT-A"}]}, owner="UPT-A")
    downloads = tmp_path / "Unduhan"
    bundle = engine.export_bundle(upt, "JATIM", downloads).path
    upt.close()
    monkeypatch.setenv("PILAR_USB", str(tmp_path / "no-stick"))  # no stick plugged in
    app = PilarApp(paths["JATIM"], operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        assert "tekan f" in text_of(app.screen, "#drives")
        # a bundle from a folder no drive search sees
        await pilot.press("f")
        assert isinstance(app.screen, PromptDialog)
        (downloads / "notes.txt").write_text("x")
        assert app.screen.query_one("#tree").filter_paths(list(downloads.iterdir())) == [bundle]  # bundles only
        app.screen.query_one("#f-path", Input).value = str(tmp_path / "nothing.pilar")
        await pilot.press("enter")
        assert "tidak ada" in text_of(app.screen, "#problem")
        app.screen.query_one("#f-path", Input).value = str(bundle)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.db.get("members", rid) is not None)
        await app.workers.wait_for_complete()
        # enrol an office: its file written, the office listed
        await pilot.press("n")
        dialog = app.screen
        dialog.query_one("#f-code", Input).value = "UPT-C"
        dialog.query_one("#f-name", Input).value = "UPT Uji C"
        dialog.query_one("#f-folder", Input).value = str(tmp_path / "stick-c")
        dialog.query_one("#f-folder", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog) and "pilar_enrol_UPT-C.json" in app.screen.message
        await pilot.press("enter")
        assert (tmp_path / "stick-c" / "pilar_enrol_UPT-C.json").exists()
        offices = app.screen.query_one("#offices")
        assert "UPT-C" in [r.value for r in offices.rows]
        # revoke UPT-A's key
        offices.move_cursor(row=offices.get_row_index("UPT-A"))
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
    store = office_keys.TrustStore.load(paths["JATIM"])
    assert store.offices["UPT-A"]["status"] == office_keys.REVOKED and store.offices["UPT-C"]["status"] == office_keys.ENROLLED


# ---------------------------------------------------------------------- 10. the palette has the screen's actions

@run_async
async def test_palette_runs_the_current_screens_actions(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"tambah")
        await pilot.pause(0.3)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("CommandList").options)
        assert "Tambah (n)" in shown and "Tidak ada" not in shown
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MemberForm))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        await pilot.press("ctrl+p", *"ekspor")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))


# ---------------------------------------------------------------------- 9. settings, 16. the event form's city

@run_async
async def test_settings_set_signers_city_name_and_duties(province):
    db = Database.open(province, operator="Ani")
    payouts.run_quarter(db, Q2)
    assert "(contoh)" in documents.nominatif(db, Q2, "text", draft=True)
    db.close()
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#city", Input).value == "Surabaya"
        screen.query_one("#office-name", Input).value = "Dinas Sosial Jatim"
        screen.query_one("#city", Input).value = "Sidoarjo"
        screen.query_one("#s-treasurer", Input).value = "Sri Wahyuni, S.E."
        screen.query_one("#s-treasurer_nip", Input).value = "197001011990032001"
        screen.query_one("#s-officer", Input).value = "Drs. Bambang Irawan"
        screen.query_one("#duties").value = False
        await pilot.press("escape")  # changes typed: asks
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape", "ctrl+s")
        await pilot.pause()
        assert app.title == "Dinas Sosial Jatim"
        await pilot.press("2", "n")  # the event form's letterhead city is the office's
        await pilot.pause()
        assert app.screen.query_one("#f-city", Input).value == "Sidoarjo"
    db = on_disk(province)
    text = documents.nominatif(db, Q2, "text", draft=True)
    assert "Sri Wahyuni, S.E." in text and "Drs. Bambang Irawan" in text and "(contoh)" not in text
    assert "Sidoarjo, " in text and not payouts.separate_duties(db) and db.office["name"] == "Dinas Sosial Jatim"


def test_signers_on_the_command_line(province, capsys):
    from tui.cli import main

    assert main(["--data", str(province), "--operator", "Ani", "payout", "signers", "--treasurer", "Sri W",
                 "--officer-nip", "1970"]) == 1  # not an NIP (issue 24): refused, nothing saved
    assert payouts.signers(on_disk(province))["treasurer"] != "Sri W"
    assert main(["--data", str(province), "--operator", "Ani", "payout", "signers", "--treasurer", "Sri W",
                 "--officer-nip", "19700505 199503 1 004"]) == 0
    signers = payouts.signers(on_disk(province))
    assert signers["treasurer"] == "Sri W" and signers["officer_nip"] == "197005051995031004"
    assert signers["place"] == "Surabaya"
    assert main(["--data", str(province), "payout", "signers"]) == 0
    assert "Sri W" in capsys.readouterr().out


# ---------------------------------------------------------------------- 11. the invite screen lists invitees

@run_async
async def test_invite_screen_lists_invitees_and_takes_one_back(province):
    first, second = _invited(province, 2)
    db = Database.open(province, operator="Ani")
    event_service.checkin(db, EID, first["id"])
    db.close()
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        table = app.screen.query_one("#events-table")
        table.move_cursor(row=table.get_row_index(EID))
        await pilot.press("i")
        await pilot.pause()
        invitees = app.screen.query_one("#invitees")
        assert invitees.row_count == 200 and "200" in text_of(app.screen, "#invitees-title")
        invitees.focus()
        invitees.move_cursor(row=invitees.get_row_index(second["id"]))
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert invitees.row_count == 199 and "199" in text_of(app.screen, "#invitees-title")
        invitees.move_cursor(row=invitees.get_row_index(first["id"]))
        await pilot.press("delete", "y")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog) and "sudah tercatat" in app.screen.message
    db = on_disk(province)
    assert db.get("invitations", event_service.invitation_id(EID, second["id"])) is None
    assert db.get("invitations", event_service.invitation_id(EID, first["id"]))["status"] == "HADIR"


# ---------------------------------------------------------------------- 12. token search

def test_search_words_places_and_digits(province):
    from storage.roster import Query, Roster

    db = Database.open(province, read_only=True)
    roster = Roster(db)
    names = [r.name for r in roster.search(Query(text="abd hamz"))]
    assert "Abd. Hamzah" in names and all("abd" in n.casefold() and "hamz" in n.casefold() for n in names)
    found = roster.search(Query(text="hamzah jember"))
    assert found and all("hamzah" in r.name.casefold() for r in found)
    assert all(r.kab == "35.09" or "35.09" in [a[2] for a in r.active] for r in found)
    # narrowing letter by letter gives what a fresh search gives
    for text in ("h", "ha", "hamzah", "hamzah j", "hamzah jember"):
        step = roster.search(Query(text=text))
    assert [r.id for r in step] == [r.id for r in Roster(db).search(Query(text="hamzah jember"))]
    roster.close()


@run_async
async def test_roster_finds_a_phone_typed_with_dashes(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"0857-3322-1100")
        await pilot.pause()
        assert [r.name for r in app.screen.query_one(MemberTable).rows] == ["Agus Salim"]
        await pilot.press("escape")
        await pilot.press("slash", *"salim surabaya")
        await pilot.pause()
        assert [r.name for r in app.screen.query_one(MemberTable).rows] == ["Agus Salim"]


# ---------------------------------------------------------------------- 14, 17. the member form

@run_async
async def test_member_form_fills_sex_birth_date_and_place_from_the_nik(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        await pilot.press(*"3509015207900003")  # Jember, Kencong; a woman born 12-07-1990
        await pilot.pause()
        assert form.query_one("#sex", Select).value == "P"
        assert form.query_one("#birth_date", Input).value == "12-07-1990"
        assert form.query_one("#kab", Select).value == "35.09"
        assert form.query_one("#kec", Select).value == "35.09.01"
        # a value already chosen is never overwritten
        form.query_one("#sex", Select).value = "L"
        form.query_one("#nik", Input).value = "3509015207900004"
        await pilot.pause()
        assert form.query_one("#sex", Select).value == "L"
        labels = [str(label) for label, _ in form.query_one("#kab", Select)._options if _ != Select.BLANK]
        places = [x.removeprefix("Kabupaten ").removeprefix("Kota ") for x in labels]
        assert places == sorted(places) and labels.index("Kabupaten Bangkalan") < labels.index("Kota Batu")


# ---------------------------------------------------------------------- 20. the events section's CSS stays in it

@run_async
async def test_a_roster_dialog_looks_the_same_after_the_events_section(province):
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.ready)

        async def confirm_box():
            await pilot.press("delete")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            box = app.screen.query_one(".dialog")
            shape = (box.outer_size.width, box.styles.padding, str(app.screen.query_one("#yes").styles.margin))
            await pilot.press("n")
            return shape

        before = await confirm_box()
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert await confirm_box() == before


# ---------------------------------------------------------------------- 19. a new office

def test_office_code_with_spaces_is_refused(tmp_path, capsys):
    from tui.cli import main

    assert main(["--data", str(tmp_path / "a"), "init", "--office", "jember kantor", "--name", "UPT Jember"]) == 1
    assert "tanpa spasi" in capsys.readouterr().err and not (tmp_path / "a" / "office.json").exists()
    assert main(["--data", str(tmp_path / "b"), "init", "--office", "upt-pstw-jember", "--name", "UPT Jember"]) == 0
    assert Database.open(tmp_path / "b", read_only=True).code == "UPT-PSTW-JEMBER"


@run_async
async def test_an_empty_office_says_how_to_start(tmp_path):
    Database.init(tmp_path / "new", "UPT-BARU", "UPT Baru", operator="Siti").close()
    app = PilarApp(tmp_path / "new", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.ready)
        text = text_of(app.screen, "#roster-empty")
        assert "Belum ada anggota" in text and "saringan" not in text


# ---------------------------------------------------------------------- 16. the event form

@run_async
async def test_event_form_shows_every_problem_and_takes_quota_rows(province):
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "n")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-date", Input).placeholder == "HH-BB-TTTT"
        await pilot.press("f1")  # F1 is help here too
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        form.query_one("#f-date", Input).value = "31-02-2024"
        form.query_one("#f-start_time", Input).value = "25.00"
        form.query_one("#q0-key", Input).value = "JSC"
        form.query_one("#q0-limit", Input).value = "empat puluh"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        for name in ("name", "date", "start_time", "quotas"):
            assert text_of(form, f"#err-{name}"), name
        assert "4 isian" in text_of(form, "#form-error")
        assert form.query_one("#err-name").region.height >= 1  # scrolled into sight, with the focus
        assert form.focused is form.query_one("#f-name")
        form.query_one("#f-name", Input).value = "Rakor JSC"
        form.query_one("#f-date", Input).value = "02-05-2024"
        form.query_one("#f-start_time", Input).value = "08.00"
        form.query_one("#q0-limit", Input).value = "40"
        form.query_one("#q0-per", Input).value = "2"
        await pilot.press("ctrl+n")  # a second quota row
        await pilot.press(*"pilar", "tab", "1", "0", "tab", *"tagana,tksk")
        form.query_one("#q0-pillars", Input).value = "JSC"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventFormScreen))
    [event] = [e for e in on_disk(province).values("events") if e["name"] == "Rakor JSC"]
    assert event["date"] == "2024-05-02" and event["start_time"] == "08:00"
    assert [(q["key"], q["limit"], q["pillars"], q["per_office"]) for q in event["quotas"]] == [
        ("JSC", 40, ["JSC"], 2), ("PILAR", 10, ["TAGANA", "TKSK"], 0)]


# ---------------------------------------------------------------------- 18. the command line's language

@pytest.mark.parametrize("lang, usage, required", [("id", "cara pakai: pilar", "wajib diisi"),
                                                    ("en", "usage: pilar", "are required")])
def test_help_and_usage_errors_in_the_chosen_language(lang, usage, required, capsys):
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["--lang", lang, "--help"])
    out = capsys.readouterr().out
    assert out.startswith(usage) and ("kunci kantor ini" in out) == (lang == "id")
    with pytest.raises(SystemExit) as caught:
        main(["--lang", lang, "import"])  # the bundle file is missing
    assert caught.value.code == 2 and required in capsys.readouterr().err


@run_async
async def test_textual_words_are_indonesian_too(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")  # the kab/kota pick list opens: its footer key
        await pilot.pause()
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "Tutup pilihan" in footer and "Dismiss" not in footer
        await pilot.press("escape", "escape")
        await pilot.press("ctrl+p", *"zzzqqq")
        await pilot.pause(1.2)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("CommandList").options)
        assert "Tidak ada yang cocok" in shown and "No matches" not in shown


# ---------------------------------------------------------------------- 13. footers fit 80 columns

@run_async
async def test_every_sections_footer_fits_80_columns_and_the_rest_is_in_help(province):
    from textual.widgets import Footer

    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await pilot.pause(0.3)
            for _ in range(50):  # on a loaded machine the footer is laid out a moment after the screen
                keys = list(app.screen.query_one(Footer).query("FooterKey"))
                if keys and all(k.region.width for k in keys):
                    break
                await pilot.pause(0.05)
            footer = app.screen.query_one(Footer)
            keys = [k for k in footer.query("FooterKey")]
            assert keys and all(k.region.right <= 80 and k.region.width > 0 for k in keys), key
            shown = " ".join(str(k.render()) for k in footer.query("FooterKey, FooterLabel"))
            assert "Bagian" in shown and "Bantuan" in shown, key
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        listed = " ".join(str(r.render()) for r in app.screen.query(".help-row"))
        assert "Ekspor" in listed and "Impor" in listed and "Keluar" in listed  # not in the footer, in help


@run_async
async def test_money_and_door_dialogs_ask_before_dropping_typing(province):
    from tui.screens.events.screen import WalkInScreen
    from tui.screens.payouts.dialogs import PayDialog

    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        for dialog, field in ((PayDialog([], None), "#ref"), (WalkInScreen("Siti"), "#walk-in-reason")):
            app.push_screen(dialog)
            await pilot.pause()
            await pilot.press("escape")  # nothing typed: closes
            assert app.screen is not dialog
            app.push_screen(dialog := type(dialog)([], None) if isinstance(dialog, PayDialog) else WalkInScreen("Siti"))
            await pilot.pause()
            dialog.query_one(field, Input).value = "BJTM-0001"
            await pilot.press("escape")
            assert isinstance(app.screen, UnsavedDialog)
            await pilot.press("escape")
            assert app.screen is dialog and dialog.query_one(field, Input).value == "BJTM-0001"
            await pilot.press("escape", "b")
            assert app.screen is not dialog


@run_async
async def test_payout_tabs_change_with_keys(province):
    app = PilarApp(province, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        tabs = app.screen.query_one("#pay-tabs")
        app.screen.query_one("#pay-totals").focus()
        await pilot.press(">", ">")
        assert tabs.active == "tab-items"
        await pilot.press("<", "<", "<")
        assert tabs.active == "tab-outstanding"


def test_office_settings_on_the_command_line(data, capsys):
    from tui.cli import main

    assert main(["--data", str(data), "--operator", "Siti", "settings", "--city", "Jember"]) == 0
    assert main(["--data", str(data), "settings"]) == 0
    out = capsys.readouterr().out
    assert "Kota kop surat: Jember" in out and "UPT-PSTW-JEMBER" in out
    assert letterhead_city(on_disk(data)) == "Jember"


@run_async
async def test_ctrl_q_finds_a_half_filled_form_left_in_another_section(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "tab", *"Joko")
        form = app.screen
        await app.switch_mode("events")  # the form stays open in the roster section
        await pilot.pause()
        assert app.current_mode == "events"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.current_mode == "roster" and isinstance(app.screen, UnsavedDialog) and not app._exit
        await pilot.press("escape")
        assert app.screen is form and form.query_one("#name", Input).value == "Joko"


@run_async
async def test_ctrl_q_over_help_on_a_half_filled_form_saves_the_form(data):
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"agus", "enter", "e")
        form = app.screen
        form.query_one("#address", Input).value = "Jl. Melati 3"
        await pilot.press("f1")  # help over the form
        await pilot.pause()
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("s")
        await wait_for(pilot, lambda: app._exit)
    agus = next(m for m in on_disk(data).values("members") if m["name"] == "Agus Salim")
    assert agus["address"] == "Jl. Melati 3"
