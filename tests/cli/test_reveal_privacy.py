"""Issue 22, privacy: full NIKs shown or written by the command line are audited, revealed files are
written whole and readable by this user only, and the data folder is 0700 as docs/reliability.md says."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from storage.core.db import Database
from tui.cli import main as cli

NIK = "3509014107850001"


def audit_text(data) -> str:
    return "".join(p.read_text(errors="replace") for p in data.rglob("*") if p.is_file() and "audit" in str(p.relative_to(data)))


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data"
    db = Database.init(path, "UPT-X", "Kantor X", operator="Siti")
    with db.transaction("test.add") as tx:
        tx.put("members", {"name": "Siti Aminah", "nik": NIK, "sex": "P", "kab": "35.09",
                           "assignments": [{"id": "a1", "pillar": "TKSK", "position": "ANGGOTA", "office": "UPT-X",
                                            "status": "ACTIVE", "start": "2023-01-01"}]})
    db.close()
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_data_folder_is_private(data):
    os.chmod(data, 0o755)
    Database.open(data, operator="Siti").close()
    for folder in (data, data / "db"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_revealed_json_file_is_private_whole_and_audited(data, tmp_path, capsys):
    out = tmp_path / "anggota.json"
    assert cli(["--data", str(data), "--operator", "Siti", "roster", "list", "--reveal", "--format", "json",
                "--out", str(out)]) == 0
    assert NIK in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".anggota.json.*"))  # no temporary file left behind
    assert "roster.export_revealed" in audit_text(data) and NIK not in audit_text(data)


def test_revealed_on_the_terminal_and_in_show_are_audited(data, capsys):
    assert cli(["--data", str(data), "--operator", "Siti", "roster", "list", "--reveal"]) == 0
    assert "roster.export_revealed" in audit_text(data)
    db = Database.open(data, read_only=True)
    member = next(db.values("members"))
    db.close()
    assert cli(["--data", str(data), "--operator", "Budi", "roster", "show", member["id"], "--reveal"]) == 0
    assert NIK in capsys.readouterr().out
    text = audit_text(data)
    assert "roster.shown_revealed" in text and NIK not in text
    # without --reveal nothing is recorded
    before = audit_text(data)
    assert cli(["--data", str(data), "--operator", "Budi", "roster", "list"]) == 0
    assert audit_text(data).count("revealed") == before.count("revealed")
