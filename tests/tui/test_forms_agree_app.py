"""Forms that agree (issue 24), driven at 80x24: the rate form takes dates as HH-BB-TTTT and codes from
pick lists (stored as before), refuses a bad date with the sentence in view and changes nothing; ctrl+s
and Enter save in the deactivate and print dialogs."""

from __future__ import annotations

from storage import payouts as P
from tests.support.payouts import make_db, member
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.dialogs import PromptDialog

SIZE = (80, 24)


async def _settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@run_async
async def test_rate_form_with_pick_lists_and_clerk_dates(tmp_path):
    make_db(tmp_path / "data", [member(1)]).close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await _settle(app, pilot)
        before = {r["id"] for r in P.rates(app.db)}
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        assert app.focused.id == "f-pillar"  # a pick list, not a code to type
        dialog.query_one("#f-pillar").value = "TKSK"
        dialog.query_one("#f-position").value = "KOORDINATOR_KEC"
        dialog.query_one("#f-funding").value = "APBD_KABKOTA"
        dialog.query_one("#f-kind").value = "TALI_ASIH"
        await pilot.press("tab", "tab", *"2000000", "tab", "tab", "tab", *"31-02-2027")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        problem = dialog.query_one("#problem")
        assert "31-02-2027" in str(problem.render()) and "HH-BB-TTTT" in str(problem.render())
        assert problem.region.y < SIZE[1] and problem.region.height  # in view at 80x24
        assert {r["id"] for r in P.rates(app.db)} == before
        dialog.query_one("#f-start").value = "01-01-2027"
        dialog.query_one("#f-end").value = "31-12-2027"
        await pilot.press("enter")
        await _settle(app, pilot)
        assert not isinstance(app.screen, PromptDialog)
        [new] = [r for r in P.rates(app.db) if r["id"] not in before]
        assert (new["pillar"], new["position"], new["amount"], new["start"], new["end"], new["funding"],
                new["kind"]) == ("TKSK", "KOORDINATOR_KEC", 2000000, "2027-01-01", "2027-12-31", "APBD_KABKOTA",
                                 "TALI_ASIH")
        # editing shows the dates as the clerk wrote them
        table = app.screen.query_one("#pay-rates")
        app.screen.query_one("#pay-tabs").active = "tab-rates"
        await pilot.pause()
        table.move_cursor(row=table.get_row_index(new["id"]))
        table.focus()
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#f-start").value == "01-01-2027"
        assert app.screen.query_one("#f-pillar").value == "TKSK"


@run_async
async def test_ctrl_s_and_enter_save_the_deactivate_dialog(tmp_path):
    make_db(tmp_path / "data", [member(1), member(2)]).close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        await pilot.press(*"pindah domisili", "ctrl+s")
        await _settle(app, pilot)
        assert not isinstance(app.screen, PromptDialog)
        inactive = [m for m in app.db.values("members")
                    if any(a.get("status") == "INACTIVE" for a in m["assignments"])]
        assert len(inactive) == 1
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press(*"meninggal", "enter")  # Enter in the first field submits: the date is filled
        await _settle(app, pilot)
        assert not isinstance(app.screen, PromptDialog)
        assert sum(any(a.get("status") == "INACTIVE" for a in m["assignments"]) for m in app.db.values("members")) == 2


@run_async
async def test_nik_derived_fields_follow_the_nik_until_the_clerk_edits_them(tmp_path):
    from textual.widgets import Input, Select

    from tests.support.roster import make_folder

    make_folder(tmp_path / "data").close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await pilot.press(*"3509015207900003")  # a typo: born 12-07-1990
        await pilot.pause()
        assert form.query_one("#birth_date", Input).value == "12-07-1990"
        nik = form.query_one("#nik", Input)
        nik.value = "3509015307910003"  # corrected: born 13-07-1991
        await pilot.pause()
        assert form.query_one("#birth_date", Input).value == "13-07-1991"
        assert form.query_one("#sex", Select).value == "P"
        form.query_one("#birth_date", Input).value = "14-07-1991"  # the clerk's own word now
        await pilot.pause()
        nik.value = "3509011307910003"
        await pilot.pause()
        assert form.query_one("#birth_date", Input).value == "14-07-1991"
        assert form.query_one("#sex", Select).value == "L"  # still as the NIK filled it: it follows


@run_async
async def test_a_second_e_while_the_edit_form_opens_does_not_replace_the_nik(tmp_path):
    from textual.widgets import Input

    from tests.support.roster import make_folder

    make_folder(tmp_path / "data").close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        before = form.query_one("#nik", Input).value
        assert len(before) == 16
        await pilot.press("e")
        await pilot.pause()
        assert form.query_one("#nik", Input).value.startswith(before)  # never replaced by "e"


@run_async
async def test_event_form_moves_the_end_date_with_the_start_and_hints_read_as_hints(tmp_path):
    from textual.widgets import Input

    from storage import events as ev
    from tests.support.roster import make_folder
    from tui.screens.events.screen import EventFormScreen

    make_folder(tmp_path / "data").close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("2", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EventFormScreen)
        assert form.query_one("#f-end_time", Input).placeholder == "contoh 15.00"
        form.query_one("#f-name", Input).value = "Bimtek TKSK"
        date = form.query_one("#f-date", Input)
        date.value = "07-12-2026"
        await pilot.pause()
        form.query_one("#f-end_date", Input).value = "08-12-2026"  # two days
        date.value = "14-12-2026"  # moved a week later
        await pilot.pause()
        assert form.query_one("#f-end_date", Input).value == "15-12-2026"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert not isinstance(app.screen, EventFormScreen)
        [event] = [e for e in ev.list_events(app.db) if e["name"] == "Bimtek TKSK"]
        assert (event["date"], event["end_date"]) == ("2026-12-14", "2026-12-15")


@run_async
async def test_check_in_before_the_event_day_says_what_to_do_at_80x24(tmp_path):
    import datetime as dt

    from storage import events as ev
    from tests.support.roster import make_folder
    from tui.screens.events.screen import CheckinScreen

    db = make_folder(tmp_path / "data")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    eid = ev.create_event(db, {"name": "Bimtek", "date": tomorrow.strftime("%d-%m-%Y"), "office": db.code})
    someone = next(iter(db.values("members")))
    ev.invite(db, eid, [someone["id"]])
    db.close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("2")
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CheckinScreen)
        await pilot.press(*someone["nik"], "enter")
        await pilot.pause()
        message = screen.query_one("#checkin-message")
        text = str(message.render())
        assert "belum berlangsung" in text and "(F2)" in text
        # the whole sentence shows, to what to do at its end
        assert message.region.height >= -(-len(text) // message.content_region.width) > 2  # was cut at 2 lines
        assert message.region.bottom <= SIZE[1]
