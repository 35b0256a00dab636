"""A conflict the coordinator decides at 80x24 (issue 24): the versions one under the other in the
clerk's words, the numbers shown on r (audited), a merge field by field without JSON: the account from
one office, the phone from the other."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Select

from storage.core.db import Database
from storage.reconcile import conflicts as C
from storage.reconcile import view as V
from tests.support.conflicts import make_conflict
from tests.support.network import make_network
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.screens.sync.conflicts import ConflictsScreen, MergeDialog

A = "UPT-A"


@pytest.fixture
def conflicted(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    rid = make_conflict(dbs, tmp_path)  # account changed at UPT-A, phone at the province
    for db in dbs.values():
        db.close()
    return paths[A], rid


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_clerk_values():
    assert V.clerk_value("kab", "35.09") == "Kabupaten Jember"
    assert V.clerk_value("assignments[1].area_kec", "35.09.01") != "35.09.01"
    assert V.clerk_value("assignments[1].pillar", "PKH_PLUS") == "PKH Plus"
    assert V.clerk_value("assignments[1].position", "KOORDINATOR_KEC") not in ("", "KOORDINATOR_KEC")
    assert V.clerk_value("assignments[1].start", "2024-01-31") == "31-01-2024"
    assert V.clerk_value("bank.account", "0011223344") == "******3344"
    assert V.clerk_value("bank.account", "0011223344", reveal=True) == "0011223344"
    assert not V.shown_field("assignments[1].id") and V.shown_field("assignments[1].office")


@run_async
async def test_a_conflict_decided_field_by_field_at_80x24(conflicted):
    path, rid = conflicted
    app = PilarApp(path, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        compare = screen.query_one("#compare", DataTable)
        rows = _rows(compare)
        account = [r for r in rows[:2]]
        assert account[0][0] == "* Nomor rekening" and account[1][0] == ""
        assert {r[1].split(" · ")[0] for r in account} == {"A", "B"}  # both versions, one under the other
        assert all(r[2].startswith("******") for r in account)  # masked until asked
        assert not any("assignments[" in r[0] or r[0].strip().endswith(" · id") for r in rows)
        assert compare.region.right <= 80 and compare.virtual_size.width <= 80  # nothing off-screen
        await pilot.press("r")
        await pilot.pause()
        shown = {r[2] for r in _rows(compare)[:2]}
        assert shown == {"0011223344", "9999888877"}
        versions = V.view(app.db, rid)["versions"]
        at_upt = next(s["n"] for s in versions if s["office"] == A)
        other = next(s["n"] for s in versions if s["office"] != A)
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MergeDialog)
        labels = [f["label"] for f in dialog.fields]
        assert labels == ["Nomor rekening", "No. HP"]
        dialog.query_one("#pick-0", Select).value = at_upt  # the account from the UPT
        dialog.query_one("#pick-1", Select).value = other  # the phone from the province
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert C.count(app.db) == 0
        value = app.db.get("members", rid)
        assert value["bank"]["account"] == "9999888877" and value["phone"] == "+6281111111111"
    actions = [json.loads(x) for x in (path / "audit.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    reveal = [e for e in actions if e["action"] == "conflict.reveal"]
    assert len(reveal) == 1 and reveal[0]["operator"] == "Ani" and reveal[0]["id"] == rid
    assert "9999888877" not in json.dumps(reveal)  # the audit says who saw, never the numbers
