"""Snapshots of the roster screen and the member form with fixed data, dates and data-folder path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import Input

from storage.core import i18n
from storage.roster import Query
from tests.support.roster import make_folder
from tui.app import PilarApp
from tui.screens.roster.form import MemberForm

TODAY = dt.date(2024, 4, 4)


def make_app(tmp_path: Path) -> PilarApp:
    i18n.set_lang("id")
    make_folder(tmp_path / "data", extra=30).close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    return app


async def steady(app: PilarApp, pilot) -> None:
    """Same header on every machine; no blinking cursors."""
    app.data_dir = Path("/data/pilar")
    app._update_subtitle()
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_roster_screen(snap_compare, tmp_path):
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await steady(app, pilot)
        await pilot.press("down", "down")

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_roster_screen_filtered_80x24(snap_compare, tmp_path):
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await steady(app, pilot)
        await pilot.press("slash", *"uji 0001", "enter")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_member_form_with_an_error(snap_compare, tmp_path):
    app = make_app(tmp_path)

    async def run_before(pilot) -> None:
        await steady(app, pilot)
        row = app.roster.search(Query(text="budi"))[0]
        await app.push_screen(MemberForm(app.roster, app.roster.get(row.id), today=TODAY))
        await pilot.pause()
        await steady(app, pilot)
        app.screen.query_one("#nik", Input).value = "35780202038"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_ringkasan_counting_from_the_files_80x24(snap_compare, tmp_path, monkeypatch):
    """A folder without tallies (an older Pilar folded last): the first frame says the figures are being
    counted from the data files (the count and the open held until the app stops)."""
    import threading

    import storage.summary as summary_module
    import tui.app as app_module
    from storage.core import tally

    i18n.set_lang("id")
    make_folder(tmp_path / "data", extra=30).close()
    (tmp_path / "data" / "db" / tally.FILE).unlink()
    (tmp_path / "data" / summary_module.CACHE_FILE).unlink(missing_ok=True)
    release = threading.Event()
    count, open_folder, unmount = summary_module.current_at_start, app_module.open_folder, PilarApp.on_unmount

    def held_count(*args, **kwargs):
        if kwargs.get("count"):
            release.wait(30)
        return count(*args, **kwargs)

    def held_open(*args, **kwargs):
        release.wait(30)
        return open_folder(*args, **kwargs)

    def released(self):
        release.set()
        unmount(self)
    monkeypatch.setattr(summary_module, "current_at_start", held_count)
    monkeypatch.setattr(app_module, "open_folder", held_open)
    monkeypatch.setattr(PilarApp, "on_unmount", released)
    app = PilarApp(tmp_path / "data", operator="Siti", start="summary", background_open=True)

    async def run_before(pilot) -> None:
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
