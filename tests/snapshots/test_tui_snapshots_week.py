"""Snapshots (80x24) of the screens issue 14 changed: events list, check-in, invite, event form, payout
items, sync, settings, the unsaved-form question; fixed data, quarter and data-folder path."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from storage import events, payouts, sample
from storage.core import i18n
from storage.core.db import Database
from tests.support.payouts import Q2
from tui.app import PilarApp

EID = events.sample_event_id()


@pytest.fixture
def province(tmp_path, monkeypatch):
    monkeypatch.setenv("PILAR_USB", str(tmp_path / "no-stick"))
    i18n.set_lang("id")
    path = tmp_path / "prov"
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Ani")
    sample.load(db)
    payouts.set_separate_duties(db, False)
    payouts.run_quarter(db, Q2)
    db.close()
    return path


async def steady(app: PilarApp, pilot) -> None:
    """Same header on every machine; no blinking cursors."""
    app.data_dir = Path("/data/pilar")
    app._update_subtitle()
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def _first_invited(path) -> dict:
    db = Database.open(path, read_only=True)
    inv = sorted(events.invitations(db, EID), key=lambda i: i["id"])[0]
    return db.get("members", inv["member_id"])


@pytest.mark.parametrize("screen", ["events", "checkin", "invite", "event_form", "payout_items", "sync",
                                    "settings", "unsaved"])
def test_screen_at_80x24(snap_compare, province, screen):
    assert snap_compare(_app_on(province, screen), terminal_size=(80, 24), run_before=_steps(screen))


@pytest.mark.parametrize("screen", ["checkin", "payout_items", "sync", "settings"])
def test_screen_at_120x35_light(snap_compare, province, screen):
    app = _app_on(province, screen)
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=(120, 35), run_before=_steps(screen))


def _app_on(province, screen: str) -> PilarApp:
    app = PilarApp(province, operator="Ani")
    app._snapshot_member = _first_invited(province)
    return app


def _steps(screen: str):
    """What the clerk does to reach ``screen``."""

    async def run_before(pilot) -> None:
        app = pilot.app
        member = app._snapshot_member
        if screen in ("events", "checkin", "invite", "event_form", "unsaved"):
            await pilot.press("2")
            await pilot.pause()
            table = app.screen.query_one("#events-table")
            table.move_cursor(row=table.get_row_index(EID))
            if screen == "checkin":
                await pilot.press("c")
                await pilot.pause()
                await steady(app, pilot)
                await pilot.press(*member["nik"], "f2")  # izin: no clock time on the card
            elif screen == "invite":
                await pilot.press("i")
            elif screen in ("event_form", "unsaved"):
                await pilot.press("n")
                await pilot.pause()
                await steady(app, pilot)
                await pilot.press(*"Rakor", "space", *"Tagana")
                if screen == "unsaved":
                    await pilot.press("escape")
        elif screen == "payout_items":
            await pilot.press("3")
            await pilot.pause()
            await app.workers.wait_for_complete()
            app.screen.quarter = Q2
            app.screen.refresh_all()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.screen.query_one("#pay-tabs").active = "tab-items"
        elif screen == "sync":
            await pilot.press("4")
        elif screen == "settings":
            await pilot.press("f10")
        await pilot.pause()
        await steady(app, pilot)

    return run_before
