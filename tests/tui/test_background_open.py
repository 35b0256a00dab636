"""Issue 25: at the province the app opens its data folder on a thread after the first frame. The Ringkasan
shows the current figures from the tallies the folder keeps (db/summary.idx) and its journal; without them
(a folder an older Pilar wrote last) the last session's figures, said to be kept, until the current ones are
counted; a section asked for
meanwhile opens when the folder is; nothing is written before the folder is open and locked; a second Pilar
is still told the folder is in use; an error opening it stops the app and is said as before."""

from __future__ import annotations

import asyncio
import threading

import orjson
import pytest
from textual.widgets import DataTable, Static

import tui.app as app_module
from storage import backup as backups
from storage import summary
from storage.core import i18n, tally
from storage.core.db import Database
from storage.core.errors import DamagedError, LockedError
from tests.support.pilot import busy
from tests.support.roster import make_folder
from tui.app import PilarApp
from tui.screens.roster.screen import RosterScreen
from tui.screens.summary.screen import SummaryScreen

SIZE = (80, 24)


@pytest.fixture
def data(tmp_path):
    db = make_folder(tmp_path / "data", extra=20)
    summary.keep(db, summary.compute(db))  # what the last session kept
    db.close()
    yield tmp_path / "data"
    i18n.set_lang("id")


@pytest.fixture
def gate(monkeypatch):
    """The open waits for ``gate.set()``: what the app does meanwhile is seen deterministically."""
    event = threading.Event()
    real = app_module.open_folder

    def held(*args, **kwargs):
        assert event.wait(30)
        return real(*args, **kwargs)
    monkeypatch.setattr(app_module, "open_folder", held)
    yield event
    event.set()


@pytest.fixture
def count_gate(monkeypatch):
    """The count of the figures from the files (a folder without tallies) waits for ``count_gate.set()``."""
    import storage.summary as summary_module

    event = threading.Event()
    real = summary_module.current_at_start

    def held(*args, **kwargs):
        if kwargs.get("count"):
            assert event.wait(30)
        return real(*args, **kwargs)
    monkeypatch.setattr(summary_module, "current_at_start", held)
    yield event
    event.set()


async def until(pilot, check, tries: int = 500):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def status(screen) -> str:
    return str(screen.query_one("#summary-status", Static).render())


async def counted_then_current(app, pilot, count_gate, expected: dict):
    """The Ringkasan says the figures are being counted (the count held by ``count_gate``), then shows the
    current ones, ``expected``'s, before the folder is open. The screen."""
    screen = app.screen
    await until(pilot, lambda: "sedang dihitung" in status(screen))
    assert screen.data is None
    count_gate.set()
    await until(pilot, lambda: screen.live)
    assert app.db is None and "Angka terkini" in status(screen)
    assert screen.data["members"] == expected["members"] and screen.data["cases"] == expected["cases"]
    return screen


def without_tallies(data):
    """The folder as an older Pilar left it: no tallies of the Ringkasan's figures."""
    (data / "db" / tally.FILE).unlink()


def test_current_figures_from_the_folders_tallies_before_it_opens(data, gate):
    # the last session kept 12,345 active members: not shown, the folder's own figures are
    kept = orjson.loads((data / summary.CACHE_FILE).read_bytes())
    kept["summary"]["members"]["active"] = 12345
    (data / summary.CACHE_FILE).write_bytes(orjson.dumps(kept))
    # a command's change left in the journal (not folded): one more member, counted at start
    db = Database.open(data, operator="Ani")
    value = dict(next(v for v in db.values("members") if v["assignments"]), nik="3509019999990001")
    del value["id"]
    with db.transaction("test") as tx:
        tx.put("members", value, owner=db.code)
    expected = summary.compute(db, waiting=False)
    db.close(fold=False)
    assert (data / "db" / "journal.jsonl").stat().st_size > 0

    async def run():
        app = PilarApp(data, operator="Siti", start="summary", background_open=True)
        assert app.db is None
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await until(pilot, lambda: screen.data is not None)
            assert app.db is None and screen.live
            assert "Angka terkini" in status(screen)
            figures = screen.query_one("#figures", DataTable)
            active = expected["members"]["active"]
            assert str(figures.get_row("members")[1]).startswith(f"{active} ")
            assert screen.data["members"] == expected["members"] and screen.data["cases"] == expected["cases"]
            shown = screen.data
            gate.set()
            await until(pilot, lambda: app.db is not None and "Diperbarui" in status(screen))
            await until(pilot, lambda: not busy(app, "summary"))
            assert screen.data is shown  # not counted again: only the records waiting
            assert all(o["waiting"] is not None or o["full"] for o in shown["offices"])

    asyncio.run(run())


def test_kept_figures_first_then_the_open_folder(data, gate, count_gate):
    without_tallies(data)
    # the last session kept 12,345 active members (the folder holds 26): which figures are shown tells
    kept = orjson.loads((data / summary.CACHE_FILE).read_bytes())
    kept["summary"]["members"]["active"] = 12345
    (data / summary.CACHE_FILE).write_bytes(orjson.dumps(kept))
    office_before = (data / "office.json").read_bytes()

    async def run():
        app = PilarApp(data, operator="Siti", start="summary", background_open=True, daily_backup=True)
        assert app.db is None
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, SummaryScreen)
            await until(pilot, lambda: screen.data is not None)
            assert app.db is None and not screen.live
            # the kept figures, said to be kept, while the current ones are counted from the files
            assert "Angka tersimpan" in status(screen) and "sedang dihitung" in status(screen)
            figures = screen.query_one("#figures", DataTable)
            assert str(figures.get_row("members")[1]).startswith("12.345 ")
            assert not (data / "lock.json").exists()  # the lock is the open's: not taken yet
            # keys pressed while the folder opens: nothing crashes, nothing is written
            await pilot.press("1")
            await pilot.press("f10")
            await pilot.press("r")
            await pilot.press("k")  # a Ringkasan tab works on the kept figures
            app.action_toggle_theme()
            await pilot.pause(0.05)
            assert isinstance(app.screen, SummaryScreen)
            assert (data / "office.json").read_bytes() == office_before
            count_gate.set()
            # the current figures, counted from the files, before the folder is open
            await until(pilot, lambda: screen.live)
            assert app.db is None and "Angka terkini" in status(screen)
            assert str(figures.get_row("members")[1]).startswith("26 ")
            assert (data / "office.json").read_bytes() == office_before
            gate.set()
            # the section asked for opens once the folder is open; the theme is kept then
            await until(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
            assert app.db is not None and (data / "lock.json").exists()
            assert app.db.office.get("theme") == app.theme
            await pilot.press("5")
            await until(pilot, lambda: app.screen.live and "Diperbarui" in status(app.screen))
            assert str(app.screen.query_one("#figures", DataTable).get_row("members")[1]).startswith("26 ")
            # the day's backup, taken once the open folder's figures were shown
            await until(pilot, lambda: any(b.reason == "daily" for b in backups.list_backups(data)))
            await until(pilot, lambda: not busy(app, "daily-backup"))
        assert not (data / "lock.json").exists()

    asyncio.run(run())
    assert Database.open(data, read_only=True).office["theme"]


def test_quit_while_the_folder_opens_closes_it(data, gate):
    async def run():
        app = PilarApp(data, operator="Siti", start="summary", background_open=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app._opening is not None)
            threading.Timer(0.3, gate.set).start()
            await pilot.press("ctrl+q")
        return app

    app = asyncio.run(run())
    assert app.db is None and app.open_error is None
    Database.open(data, operator="Ani").close()  # let go: another Pilar can take it


def test_a_second_pilar_is_told_at_once(data):
    first = Database.open(data, operator="Ani")
    try:
        with pytest.raises(LockedError) as caught:
            PilarApp(data, operator="Siti", start="summary", background_open=True)
        assert "Ani" in str(caught.value)
    finally:
        first.close()


def test_an_error_opening_stops_the_app_and_is_kept_for_the_command_line(data):
    (data / "db" / "manifest.json").write_bytes(b"{broken")

    async def run():
        app = PilarApp(data, operator="Siti", start="summary", background_open=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.open_error is not None)
            await pilot.pause(0.1)
        return app

    app = asyncio.run(run())
    assert isinstance(app.open_error, DamagedError) and app.return_code == 1
    assert app.db is None


def test_without_a_kept_summary_the_screen_says_it_counts(data, gate, count_gate, monkeypatch):
    (data / summary.CACHE_FILE).unlink()
    # a command's change left in the journal: counted with the files
    db = Database.open(data, operator="Ani")
    value = dict(next(v for v in db.values("members") if v["assignments"]), nik="3509019999990002")
    del value["id"]
    with db.transaction("test") as tx:
        tx.put("members", value, owner=db.code)
    expected = summary.compute(db, waiting=False)
    db.close(fold=False)
    assert (data / "db" / "journal.jsonl").stat().st_size > 0
    without_tallies(data)
    counted: list[str] = []
    real = tally.file_tally

    def spy(collection, docs, values, office):
        counted.append(collection)
        return real(collection, docs, values, office)

    async def run():
        app = PilarApp(data, operator="Siti", start="summary", background_open=True)
        async with app.run_test(size=SIZE) as pilot:
            screen = await counted_then_current(app, pilot, count_gate, expected)
            monkeypatch.setattr(tally, "file_tally", spy)
            gate.set()
            await until(pilot, lambda: app.db is not None and "Diperbarui" in status(screen))
            # the tallies an older Pilar left out are written at the first quiet moment, not only at quit: the
            # fold keeps those counted from the files it did not change, and recounts the member's part
            app.UPKEEP_IDLE_SECONDS = 0.0
            # (the upkeep owed at start runs on the daily backup's worker, or on its own at a quiet moment:
            # the fold is done when neither is pending or running, not when it no longer owes it)
            await until(pilot, lambda: not app.db.owes_upkeep and not busy(app, "upkeep", "daily-backup"),
                    tries=1500)
            assert (data / "db" / tally.FILE).exists()
            assert counted.count("members") == 1, counted
            assert summary.current_at_start(data)["members"] == screen.data["members"]

    asyncio.run(run())


def test_quit_while_the_figures_are_counted_from_the_files(data, gate, count_gate):
    without_tallies(data)

    async def run():
        app = PilarApp(data, operator="Siti", start="summary", background_open=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.counting_figures and app._opening is not None)
            gate.set()
            threading.Timer(0.3, count_gate.set).start()  # the count ends while the app quits
            await pilot.press("ctrl+q")
        return app

    app = asyncio.run(run())
    assert app.open_error is None
    Database.open(data, operator="Ani").close()  # let go: another Pilar can take it


def test_the_figures_are_begun_before_the_app_is_made_and_shown_by_it(tmp_path, gate, count_gate):
    """``pilar`` at the province (tui.cli.core.make_app): the count from the files begins before the app's
    modules are imported, and the app shows what it counted; the open waits for their paint."""
    from storage.sample.generate import build_office
    from tui.cli.core import make_app

    data = build_office(tmp_path / "p", 60, seed=3)  # the province: the Ringkasan first
    without_tallies(data)
    db = Database.open(data, read_only=True)
    expected = summary.compute(db, waiting=False)
    db.close()

    async def run():
        app = make_app(data, operator="Siti")
        assert app.db is None and app._figures is not None and app._figures.counting
        async with app.run_test(size=SIZE) as pilot:
            screen = await counted_then_current(app, pilot, count_gate, expected)
            await until(pilot, lambda: app._figures_painted.is_set())
            gate.set()
            await until(pilot, lambda: app.db is not None and "Diperbarui" in status(screen))

    asyncio.run(run())


def test_a_second_pilar_is_told_before_the_apps_modules_are_imported(tmp_path):
    from storage.sample.generate import build_office
    from storage.summary.start import begin

    data = build_office(tmp_path / "p", 30, seed=3)
    first = Database.open(data, operator="Ani")
    try:
        with pytest.raises(LockedError) as caught:
            begin(data)
        assert "Ani" in str(caught.value)
    finally:
        first.close()


def test_a_upt_begins_no_figures(tmp_path):
    from storage.sample.generate import build_office
    from storage.summary.start import begin

    path = build_office(tmp_path / "u", 30, seed=4, office="UPT-PSTW-JEMBER")
    assert begin(path) is None  # the roster first at a UPT
