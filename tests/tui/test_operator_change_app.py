"""Ganti petugas (issue 24): three clerks save, approve and pay one quarter in one app session at 80x24
with separation of duties on; the first question cannot be skipped; "remember" is not ticked on a PC
that more than one clerk has used."""

from __future__ import annotations

import json

from storage import payouts as P
from storage.core.db import Database, write_office
from storage.office import operators
from tests.support.payouts import make_db, member
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, OperatorDialog
from tui.screens.payouts.dialogs import PayDialog

Q2 = P.Quarter(2024, 2)
SIZE = (80, 24)


def _folder_without_operator(tmp_path, monkeypatch, members=(), duties=True):
    db = make_db(tmp_path / "data", list(members), separate_duties=duties)
    write_office(db.path, dict(db.office, operator=""))
    db.close()
    monkeypatch.delenv("PILAR_OPERATOR")
    return tmp_path / "data"


async def _settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _name(app, pilot, name: str, changing: bool) -> None:
    if changing:
        await pilot.press("f9")
        await pilot.pause()
    assert isinstance(app.screen, OperatorDialog)
    assert app.screen.query_one("#checkbox").value is False  # a shared PC: nobody's name is kept by default
    await pilot.press(*name, "enter")
    await _settle(app, pilot)


def _audit(path) -> list[dict]:
    return [json.loads(x) for x in (path / "audit.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


@run_async
async def test_three_clerks_save_approve_and_pay_in_one_session(tmp_path, monkeypatch):
    data = _folder_without_operator(tmp_path, monkeypatch, [member(1), member(2)])
    office = json.loads((data / "office.json").read_text())
    write_office(data, dict(office, operators_used=["Siti"]))  # the PC has had a clerk before
    app = PilarApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await _name(app, pilot, "Siti", changing=False)
        assert "Petugas: Siti" in app.sub_title
        await pilot.press("3")
        await _settle(app, pilot)
        screen = app.screen
        screen.quarter = Q2
        screen.refresh_all()
        await _settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await _settle(app, pilot)
        assert {v["saved_by"] for v in P.items(app.db, Q2)} == {"Siti"}

        await _name(app, pilot, "Budi", changing=True)
        assert "Petugas: Budi" in app.sub_title and app.db.operator == "Budi"
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # no duties refusal: Budi did not save these
        await pilot.press("y")
        await _settle(app, pilot)
        assert {(v["status"], v["approved_by"]) for v in P.items(app.db, Q2)} == {("approved", "Budi")}

        await _name(app, pilot, "Rina", changing=True)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, PayDialog)
        await pilot.press(*"BJTM-2024-06-0001")
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert {(v["status"], v["paid_by"]) for v in P.items(app.db, Q2)} == {("paid", "Rina")}
    changes = [e for e in _audit(data) if e["action"] == "operator.change"]
    assert [(e["operator"], e["note"]) for e in changes] == [("Budi", "Siti -> Budi"), ("Rina", "Budi -> Rina")]
    office = json.loads((data / "office.json").read_text())
    assert office["operator"] == "" and office["operators_used"] == ["Siti", "Budi", "Rina"]


@run_async
async def test_the_first_question_cannot_be_skipped(tmp_path, monkeypatch):
    data = _folder_without_operator(tmp_path, monkeypatch)
    app = PilarApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        assert isinstance(app.screen, OperatorDialog)
        assert not app.screen.query("#cancel")  # no Batal into a state where nothing saves
        assert app.screen.query_one("#checkbox").value is True  # the first name on this folder
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OperatorDialog)
        await pilot.press("enter")  # empty: said in the dialog, still asked
        await pilot.pause()
        assert isinstance(app.screen, OperatorDialog)
        assert "wajib diisi" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"  Siti   Aminah ", "enter")
        await _settle(app, pilot)
        assert not isinstance(app.screen, OperatorDialog)
        assert app.db.operator == "Siti Aminah"
    office = json.loads((data / "office.json").read_text())
    assert office["operator"] == "Siti Aminah"  # ticked: remembered for the next start


@run_async
async def test_f2_cancel_keeps_the_clerk_on_duty(tmp_path, monkeypatch):
    data = _folder_without_operator(tmp_path, monkeypatch)
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, OperatorDialog)
        await pilot.press(*"Bu", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, OperatorDialog)
        assert app.db.operator == "Siti"
    assert not [e for e in _audit(data) if e["action"] == "operator.change"]


def test_remember_by_default_only_for_the_first_name(tmp_path):
    assert operators.remember_by_default({}, changing=False) is True
    assert operators.remember_by_default({}, changing=True) is False
    assert operators.remember_by_default({"operator": "Siti"}, changing=False) is False
    assert operators.remember_by_default({"operators_used": ["Siti"]}, changing=False) is False


def test_set_operator_audits_a_change_and_keeps_the_names(tmp_path, monkeypatch):
    db = make_db(tmp_path / "data")
    assert operators.set_operator(db, " Budi ", remember=True) == "Budi"
    assert db.office["operator"] == "Budi" and db.office["operators_used"] == ["Siti", "Budi"]
    db.close()
    reopened = Database.open(tmp_path / "data")
    assert reopened.operator == "Budi"
    assert operators.set_operator(reopened, "Budi", remember=False) == "Budi"
    reopened.close()
    assert json.loads((tmp_path / "data" / "office.json").read_text())["operator"] == ""
    changes = [e for e in _audit(tmp_path / "data") if e["action"] == "operator.change"]
    assert [e["note"] for e in changes] == ["Siti -> Budi"]  # the same name again is no change
