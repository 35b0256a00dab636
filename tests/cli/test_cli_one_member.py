"""Issue 25: a command about one member pays for that member: `pilar roster edit` builds no row per
member, and `pilar check` opens the folder once."""

from __future__ import annotations

import json

import pytest

from storage.check import run_checks
from storage.core import i18n
from storage.core.db import Database
from storage.roster import service as roster_module
from tests.support.roster import make_folder
from tui.cli import main


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data", extra=10).close()
    yield tmp_path / "data"
    i18n.set_lang("id")


def first_nik(path) -> tuple[str, str]:
    db = Database.open(path, read_only=True)
    try:
        value = sorted(db.values("members"), key=lambda v: v["name"])[0]
        return value["id"], value["nik"]
    finally:
        db.close()


def edit(tmp_path, path, nik: str, **changes) -> int:
    change = tmp_path / "change.json"
    change.write_text(json.dumps(changes))
    return main(["--data", str(path), "--operator", "Siti", "roster", "edit", nik, str(change)])


def test_an_edit_builds_no_row_per_member(tmp_path, data, monkeypatch, capsys):
    rid, nik = first_nik(data)
    built = []
    monkeypatch.setattr(roster_module, "make_row", lambda v: built.append(v["id"]) or None)
    assert edit(tmp_path, data, nik, address="Jl. Sekali Ubah 1") == 0
    assert built == []  # found by the NIK index, validated without rows
    monkeypatch.undo()
    db = Database.open(data, read_only=True)
    assert db.get("members", rid)["address"] == "Jl. Sekali Ubah 1"
    db.close()
    assert run_checks(data) == []
    capsys.readouterr()


def test_check_opens_the_folder_once(data, monkeypatch, capsys):
    opened = []
    real = Database.open.__func__

    def counted(cls, *args, **kwargs):
        opened.append(1)
        return real(cls, *args, **kwargs)
    monkeypatch.setattr(Database, "open", classmethod(counted))
    assert main(["--data", str(data), "check"]) == 0
    assert len(opened) == 1
    assert "16 rekaman" in capsys.readouterr().out  # the six people and ten more, counted on the one open
