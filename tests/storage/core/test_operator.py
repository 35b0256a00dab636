"""Every write names its operator (issue 12): without one it is refused, with the sentence approve
uses, and nothing changes; with one, the audit log records it."""

from __future__ import annotations

import csv
import json

import pytest

from storage.core.db import Database
from storage.core.errors import PilarError
from tests.support.roster import make_folder
from tui.cli import main


def unnamed(tmp_path, monkeypatch) -> str:
    db = make_folder(tmp_path / "data")
    from storage.core.db import write_office

    write_office(db.path, dict(db.office, operator=""))
    db.close()
    monkeypatch.delenv("PILAR_OPERATOR")
    return str(tmp_path / "data")


def test_a_write_without_an_operator_is_refused_and_changes_nothing(tmp_path, monkeypatch):
    data = unnamed(tmp_path, monkeypatch)
    db = Database.open(data)
    assert db.operator == ""
    rid = next(iter(db.raw("members")))
    before = db.get("members", rid)
    with pytest.raises(PilarError) as err:
        with db.transaction("roster.edit") as tx:
            tx.put("members", dict(before, phone="+6281299990000"))
    assert err.value.key == "db.no_operator" and "PILAR_OPERATOR" in str(err.value)
    assert db.get("members", rid) == before
    db.close()


def test_cli_roster_import_without_an_operator_is_refused_then_recorded_with_one(tmp_path, monkeypatch, capsys):
    data = unnamed(tmp_path, monkeypatch)
    path = tmp_path / "roster.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["NIK", "NAMA", "JENIS KELAMIN", "TANGGAL LAHIR", "KABUPATEN", "KECAMATAN", "PILAR", "JABATAN"])
        w.writerow(["3509014107850009", "SRI WAHYUNI", "P", "01-07-1985", "Jember", "Kencong", "PSM", "ANGGOTA"])
    audit_before = (tmp_path / "data" / "audit.jsonl").read_bytes()
    code = main(["--data", data, "roster", "import", str(path)])
    out = capsys.readouterr()
    assert code != 0 and "Nama operator belum diisi" in out.out + out.err
    db = Database.open(data, read_only=True)
    assert not any(v.get("nik") == "3509014107850009" for v in db.values("members"))
    assert (tmp_path / "data" / "audit.jsonl").read_bytes() == audit_before
    code = main(["--data", data, "--operator", "Rina", "roster", "import", str(path)])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    db = Database.open(data, read_only=True)
    assert any(v.get("nik") == "3509014107850009" for v in db.values("members"))
    lines = [json.loads(x) for x in (db.path / "audit.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert lines and all(e.get("operator") for e in lines)
    assert {e["operator"] for e in lines if e.get("action") == "roster.import"} == {"Rina"}
