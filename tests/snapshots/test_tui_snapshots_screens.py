"""Snapshots of every screen issue 14 names (roster, member form, events list, check-in, invite, payouts
preview and items, sync, conflicts, help) at the sizes and themes not already taken in
test_tui_snapshots.py / test_tui_snapshots_week.py: together every screen at 80×24 and 120×35, light and
dark. Fixed data, quarter and data-folder path; one app start per snapshot; the folders are built once
per module and copied."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from storage import events as event_service
from storage import payouts, sample
from storage.core import i18n
from storage.core.db import Database
from storage.core.versions import Hlc
from storage.reconcile import conflicts
from storage.roster import Query
from storage.sync import engine
from tests.support.conflicts import member, put, send
from tests.support.roster import make_folder
from tui.app import PilarApp
from tui.screens.roster.form import MemberForm

EID = event_service.sample_event_id()
Q2, Q3 = payouts.Quarter(2024, 2), payouts.Quarter(2024, 3)
TODAY = dt.date(2024, 4, 4)
SMALL, LARGE = (80, 24), (120, 35)
DARK, LIGHT = "textual-dark", "textual-light"

# (screen, size, theme): the ones the other two snapshot files do not take already
CASES = [
    ("roster", SMALL, LIGHT), ("roster", LARGE, LIGHT),
    ("member_form", SMALL, DARK), ("member_form", SMALL, LIGHT), ("member_form", LARGE, LIGHT),
    ("events", SMALL, LIGHT), ("events", LARGE, DARK), ("events", LARGE, LIGHT),
    ("checkin", SMALL, LIGHT), ("checkin", LARGE, DARK),
    ("invite", SMALL, LIGHT), ("invite", LARGE, DARK), ("invite", LARGE, LIGHT),
    ("payout_preview", SMALL, DARK), ("payout_preview", SMALL, LIGHT),
    ("payout_preview", LARGE, DARK), ("payout_preview", LARGE, LIGHT),
    ("payout_items", SMALL, LIGHT), ("payout_items", LARGE, DARK),
    ("sync", SMALL, LIGHT), ("sync", LARGE, DARK),
    ("conflicts", SMALL, DARK), ("conflicts", SMALL, LIGHT), ("conflicts", LARGE, DARK), ("conflicts", LARGE, LIGHT),
    ("help", SMALL, DARK), ("help", SMALL, LIGHT), ("help", LARGE, DARK), ("help", LARGE, LIGHT),
]
UPT_SCREENS = {"roster", "member_form", "help"}


CONFLICT_ID = "5e1f0c2a-0000-4000-8000-000000000001"


class FixedHlc(Hlc):
    """Versions stamped 1 June 2024 08:00 UTC whatever the day the snapshots are taken."""

    def __init__(self, last: int = 0) -> None:
        super().__init__(last, clock=lambda: 1717228800.0)


def make_conflict(dbs, tmp) -> str:
    """As tests.support.conflicts.make_conflict, with a fixed record id (it is on screen)."""
    A, J = "UPT-A", "JATIM"
    rid = put(dbs[A], member(id=CONFLICT_ID), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    put(dbs[J], dict(dbs[J].get("members", rid), phone="+6281111111111"))
    put(dbs[A], dict(dbs[A].get("members", rid), bank=dict(member()["bank"], account="9999888877776")))
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
    assert conflicts.count(dbs[A]) == 1
    return rid


@pytest.fixture
def utc(monkeypatch):
    """Times shown in UTC (conflict versions), the machine's zone back afterwards."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """The folders every snapshot starts from, built once: a UPT roster, the demo's province with Q2
    saved, and a UPT holding one member in conflict."""
    from tests.support.network import make_network

    root = tmp_path_factory.mktemp("templates")
    i18n.set_lang("id")
    make_folder(root / "upt", extra=30).close()
    db = Database.init(root / "prov", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Ani")
    sample.load(db)
    payouts.set_separate_duties(db, False)
    payouts.run_quarter(db, Q2)
    db.close()
    with pytest.MonkeyPatch.context() as mp:  # the versions' times are on screen: one fixed clock
        mp.setattr("storage.core.db.Hlc", FixedHlc)
        paths = make_network(root / "net", upts=("UPT-A",))
        dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
        make_conflict(dbs, root / "net")
        for d in dbs.values():
            d.close()
    return {"upt": root / "upt", "prov": root / "prov", "conflicts": paths["UPT-A"]}


async def steady(app: PilarApp, pilot) -> None:
    """Same header on every machine; no blinking cursors."""
    app.data_dir = Path("/data/pilar")
    app._update_subtitle()
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


async def settle(app: PilarApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _first_invited(path) -> dict:
    db = Database.open(path, read_only=True)
    inv = sorted(event_service.invitations(db, EID), key=lambda i: i["id"])[0]
    return db.get("members", inv["member_id"])


def _id(case) -> str:
    screen, (w, h), theme = case
    return f"{screen}-{w}x{h}-{theme.split('-')[1]}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_screen(snap_compare, templates, tmp_path, monkeypatch, utc, case):
    screen, size, theme = case
    monkeypatch.setenv("PILAR_USB", str(tmp_path / "no-stick"))
    kind = "upt" if screen in UPT_SCREENS else "conflicts" if screen == "conflicts" else "prov"
    folder = tmp_path / kind
    shutil.copytree(templates[kind], folder)
    app = PilarApp(folder, operator="Ani")
    app.theme = theme
    member = _first_invited(folder) if kind == "prov" else None
    assert snap_compare(app, terminal_size=size, run_before=_steps(screen, member))


def _steps(screen: str, member: dict | None):
    """What the clerk does to reach ``screen``."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await steady(app, pilot)
        if screen == "member_form":
            row = app.roster.search(Query(text="budi"))[0]
            await app.push_screen(MemberForm(app.roster, app.roster.get(row.id), today=TODAY))
        elif screen == "help":
            await pilot.press("f1")
        elif screen in ("events", "checkin", "invite"):
            await pilot.press("2")
            await pilot.pause()
            table = app.screen.query_one("#events-table")
            table.move_cursor(row=table.get_row_index(EID))
            if screen == "checkin":
                await pilot.press("c")
                await pilot.pause()
                await steady(app, pilot)
                for digit in member["nik"]:  # typed at once, as a scanner does (press waits after each key)
                    key = events.Key(digit, digit)
                    key.set_sender(app)
                    app._driver.send_message(key)
                await pilot.pause()
                await pilot.press("f2")  # izin: no clock time on the card
            elif screen == "invite":
                await pilot.press("i")
        elif screen in ("payout_preview", "payout_items"):
            await pilot.press("3")
            await settle(app, pilot)
            app.screen.quarter = Q2 if screen == "payout_items" else Q3  # Q3 not saved yet: its preview
            app.screen.refresh_all()
            await settle(app, pilot)
            if screen == "payout_items":
                app.screen.query_one("#pay-tabs").active = "tab-items"
        elif screen == "sync":
            await pilot.press("4")
        elif screen == "conflicts":
            await pilot.press("4")
            await pilot.pause()
            await pilot.press("c")
        await pilot.pause()
        await steady(app, pilot)

    return run_before
