"""Sync and conflicts screens driven with Textual's Pilot: a bundle on a (fake) USB drive is imported
with the keyboard, the conflict count shows in the header, and the conflict is resolved with keep B."""

from __future__ import annotations

import asyncio

from storage.core.db import Database
from storage.reconcile import conflicts
from storage.sync import engine
from tests.support.network import make_network
from tui.app import PilarApp

A, B, J = "UPT-A", "UPT-B", "JATIM"


def _setup(tmp_path):
    paths = make_network(tmp_path)
    dbs = {c: Database.open(p, operator=f"op-{c}") for c, p in paths.items()}

    def put(db, value, owner=None):
        with db.transaction("t") as tx:
            return tx.put("members", value, owner=owner)

    # A's member who also serves at B (the province made the shared record and sent it out)
    rid = put(dbs[J], {"nik": "3509014107850001", "name": "SITI AMINAH", "phone": "",
                       "assignments": [{"office": A}, {"office": B}]}, owner=A)
    usb = tmp_path / "usb"
    engine.import_bundle(dbs[A], engine.export_bundle(dbs[J], A, usb).path)
    engine.import_bundle(dbs[B], engine.export_bundle(dbs[J], B, usb).path)
    # her phone changed at the province and at A, her owner, the same week
    put(dbs[J], dict(dbs[J].get("members", rid), phone="+6281111111111"))
    put(dbs[A], dict(dbs[A].get("members", rid), phone="+6282222222222"))
    pending = engine.export_bundle(dbs[A], J, usb).path
    for db in dbs.values():
        db.close()
    return paths, usb, pending, rid


async def _until(pilot, check, tries=300):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def test_import_from_drive_shows_conflict_in_header_and_keep_b_resolves(tmp_path, monkeypatch):
    paths, usb, pending, rid = _setup(tmp_path)
    monkeypatch.setenv("PILAR_USB", str(usb))

    async def run():
        app = PilarApp(paths[J], operator="Ani", lang="en")
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.conflict_count == 0
            await pilot.press("4")
            await pilot.pause()
            screen = app.screen
            table = screen.query_one("#bundles")
            keys = [r.value for r in table.rows]
            assert str(pending) in keys
            table.move_cursor(row=keys.index(str(pending)))
            await pilot.press("i")
            await _until(pilot, lambda: app.conflict_count == 1)
            assert "1 conflict" in app.sub_title
            await _until(pilot, lambda: any(e.get("bundle_id") and e["status"] == "accepted"
                                            and e["file"] == pending.name for e in engine.import_log(paths[J])))
            await pilot.press("c")
            await _until(pilot, lambda: bool(app.screen.query("#compare")))
            compare = app.screen.query_one("#compare")
            cells = [str(c) for row in compare.rows for c in compare.get_row(row)]
            assert "* " + conflicts.field_label("phone") in cells  # in the clerk's words (English here), what differs first
            info = conflicts.show(app.db, rid)
            b_office = info["siblings"][1]["office"]
            await pilot.press("b")
            await pilot.pause()
            await pilot.press("tab", "enter")
            await _until(pilot, lambda: app.conflict_count == 0)
            value = app.db.get("members", rid)
            assert "_conflict" not in value
            assert value["phone"] == ("+6282222222222" if b_office == A else "+6281111111111")

    asyncio.run(run())
