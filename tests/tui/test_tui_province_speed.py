"""Issue 25 in the app: the day's backup after the first frame, the roster built while the Ringkasan is
read, the member form validating once as it opens (not once per field filled)."""

from __future__ import annotations

import gc
import time

import pytest

import tui.screens.roster.screen as roster_screen
from storage import backup as backups
from storage.core import i18n
from storage.roster import Query, Roster
from tests.support.pilot import busy
from tests.support.roster import make_folder, run_async
from tui.app import PilarApp
from tui.screens.roster.form import MemberForm
from tui.screens.roster.screen import RosterScreen
from tui.screens.summary.screen import SummaryScreen
from tui.widgets.member_table import MemberTable

SIZE = (80, 24)


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data", extra=30).close()
    yield tmp_path / "data"
    i18n.set_lang("id")


async def wait_for(pilot, check, tries: int = 500):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


@run_async
async def test_the_daily_backup_is_taken_after_the_first_frame(data, monkeypatch):
    seen: list[str] = []
    real = backups.backup_now

    def spy(db, reason="manual"):
        seen.append(f"backup {reason}")
        return real(db, reason)
    monkeypatch.setattr(backups, "backup_now", spy)
    app = PilarApp(data, operator="Siti", daily_backup=True)
    original = app._display

    def display(screen, renderable):
        original(screen, renderable)
        if renderable is not None and "frame" not in seen:
            seen.append("frame")
    app._display = display
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "backup daily" in seen)
        await wait_for(pilot, lambda: not busy(app, "daily-backup"))
        # a save right after it is written (the backup held the folder's lock, then let go)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, MemberForm))
        app.screen.query_one("#address").value = "Jl. Sesudah Cadangan 1"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        rid = app.screen.query_one(MemberTable).current_id
        assert app.db.get("members", rid)["address"] == "Jl. Sesudah Cadangan 1"
    assert seen[:2] == ["frame", "backup daily"]
    daily = [b for b in backups.list_backups(data) if b.reason == "daily"]
    assert len(daily) == 1 and daily[0].good
    # the next start the same day takes none
    seen.clear()
    app = PilarApp(data, operator="Siti", daily_backup=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await wait_for(pilot, lambda: not busy(app, "daily-backup"))
    assert "backup daily" not in seen
    assert len([b for b in backups.list_backups(data) if b.reason == "daily"]) == 1


@run_async
async def test_the_roster_is_built_while_the_ringkasan_is_read(data):
    app = PilarApp(data, operator="Siti", start="summary")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None)
        # nobody pressed 1: the roster is there all the same, with its search index
        await wait_for(pilot, lambda: app._roster is not None and app._roster.indexed)
        built = app._roster
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
        assert app.roster is built
        assert len(app.screen.query_one(MemberTable).rows) == len(built) == 36


@run_async
async def test_a_big_roster_screen_is_mounted_unseen_and_key_1_only_switches_to_it(data, monkeypatch):
    monkeypatch.setattr(roster_screen, "PREMOUNT_ROSTER", 10)  # the folder's 36 members count as big
    app = PilarApp(data, operator="Siti", start="summary")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "roster" in app._screen_stacks)
        assert isinstance(app.screen, SummaryScreen)  # still the Ringkasan on screen
        premounted = app._screen_stacks["roster"][0]
        await wait_for(pilot, lambda: premounted.is_mounted and premounted.ready)
        table = premounted.query_one(MemberTable)
        assert len(table.rows) == 36 and table.rows[0].name <= table.rows[1].name
        await pilot.press("1")
        assert app.screen is premounted
        # it works as one mounted by the key: the letters typed after / reach the search
        await pilot.press("slash", "s", "i")
        assert premounted.query_one("#search").value == "si"
        found = [r.id for r in app.roster.search(Query(text="si"))]
        assert 0 < len(found) < 36
        await wait_for(pilot, lambda: [r.id for r in table.rows] == found)


@run_async
async def test_quitting_while_the_roster_screen_is_mounted_unseen_is_clean(data, monkeypatch):
    monkeypatch.setattr(roster_screen, "PREMOUNT_ROSTER", 10)
    for _ in range(3):  # the quit lands at a different point of the mount each time
        app = PilarApp(data, operator="Siti", start="summary")
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda app=app: "roster" in app._screen_stacks, tries=2000)
        assert app.return_code in (None, 0)


@run_async
async def test_the_member_form_validates_once_as_it_opens(data, monkeypatch):
    calls = []
    real = Roster.validate

    def counted(self, value, today=None):
        calls.append(value.get("name"))
        return real(self, value, today)
    monkeypatch.setattr(Roster, "validate", counted)
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, MemberForm))
        for _ in range(5):
            await pilot.pause(0.02)
        assert 1 <= len(calls) <= 3, len(calls)  # was 23-26: one per field filled
        opened = len(calls)
        form = app.screen
        form.query_one("#nik").focus()
        started = time.perf_counter()
        await pilot.press("backspace")  # still validated as the clerk types
        await wait_for(pilot, lambda: len(calls) > opened)
        assert time.perf_counter() - started < 10
        await wait_for(pilot, lambda: form.query_one("#err-nik").display)


@run_async
async def test_the_scrollbar_follows_the_rows_a_search_shows(data):
    """The table's row count changes without a layout of the screen (issue 25): its scrollbar still
    comes, goes and sizes its thumb with the rows shown."""
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
        table = app.screen.query_one(MemberTable)
        await pilot.pause()
        assert len(table.rows) == 36 and table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 37
        await pilot.press("end")
        assert table.scroll_offset.y > 0
        await pilot.press("slash", *"agus")
        await wait_for(pilot, lambda: 0 < len(table.rows) < 5)
        await pilot.pause()
        assert not table.show_vertical_scrollbar and table.scroll_offset.y == 0
        await pilot.press(*["backspace"] * 4)
        await wait_for(pilot, lambda: len(table.rows) == 36)
        await pilot.pause()
        assert table.show_vertical_scrollbar and table.vertical_scrollbar.window_virtual_size == 37
        assert table.max_scroll_y == 37 - table.scrollable_content_region.height


@run_async
async def test_the_collector_is_back_once_the_rows_found_are_painted(data):
    """The collector waits while the table takes a search's rows (issue 25), never longer."""
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
        await pilot.press("slash", "a")
        await pilot.pause()
        await wait_for(pilot, gc.isenabled)
        app.screen.query_one("#search").value = "ag"  # and left there as the app closes
    assert gc.isenabled()
