"""Issue 25: a command about one member pays for that member. `pilar roster edit` leaves its journal line
for the next open instead of rewriting the member's file (the next backup links the unchanged files),
builds no row per member, and `pilar check` opens the folder once; a fold rewrites only the part of the
members that holds the changed member (folder format 2)."""

from __future__ import annotations

import json

import pytest

from storage import backup as backups
from storage.check import run_checks
from storage.core import db as db_module
from storage.core import i18n
from storage.core.db import Database
from storage.roster import service as roster_module
from tests.support.parts import part_file
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


def test_an_edit_leaves_members_json_alone_and_the_next_open_sees_it(tmp_path, data, monkeypatch, capsys):
    rid, nik = first_nik(data)
    files = sorted((data / "db").glob("members*.json"))
    assert part_file(data, "members", rid) in files and len(files) > 1

    def state():
        return [(f.read_bytes(), f.stat().st_mtime_ns, f.stat().st_ino) for f in files]
    before = state()
    built = []
    monkeypatch.setattr(roster_module, "make_row", lambda v: built.append(v["id"]) or None)
    assert edit(tmp_path, data, nik, address="Jl. Sekali Ubah 1") == 0
    assert built == []  # no row was built for any member
    monkeypatch.undo()
    assert state() == before
    assert b"Sekali Ubah" in (data / "db" / "journal.jsonl").read_bytes()
    db = Database.open(data, read_only=True)
    assert db.get("members", rid)["address"] == "Jl. Sekali Ubah 1"
    db.close()
    assert run_checks(data) == []
    assert main(["--data", str(data), "check"]) == 0
    # the audit log has the change, once
    entries = [json.loads(line) for line in (data / "audit.jsonl").read_text().splitlines() if "Sekali Ubah" in line]
    assert len(entries) == 1 and entries[0]["id"] == rid
    # a second edit replays the first and adds its own; still one journal, both kept
    assert edit(tmp_path, data, nik, phone="081234500099") == 0
    db = Database.open(data, read_only=True)
    value = db.get("members", rid)
    assert value["address"] == "Jl. Sekali Ubah 1" and value["phone"] == "+6281234500099"
    db.close()
    capsys.readouterr()


def test_the_backup_after_an_edit_links_members_json(tmp_path, data):
    _rid, nik = first_nik(data)
    assert main(["--data", str(data), "--operator", "Siti", "backup"]) == 0
    assert edit(tmp_path, data, nik, address="Jl. Cadangan 2") == 0
    assert main(["--data", str(data), "--operator", "Siti", "backup"]) == 0
    newest, older = backups.list_backups(data)[:2]
    for file in (data / "db").glob("members.*.json"):
        assert (newest.path / "db" / file.name).stat().st_ino == (older.path / "db" / file.name).stat().st_ino
    assert b"Cadangan 2" in (newest.path / "db" / "journal.jsonl").read_bytes()
    assert newest.good and run_checks(newest.path) == []


def test_a_big_journal_is_still_folded_on_close(tmp_path, data, monkeypatch):
    monkeypatch.setattr(db_module, "CLOSE_FOLD_BYTES", 0)
    rid, nik = first_nik(data)
    mine = part_file(data, "members", rid)
    others = {f: f.stat().st_ino for f in (data / "db").glob("members.*.json") if f != mine}
    assert others
    assert edit(tmp_path, data, nik, address="Jl. Dilipat 3") == 0
    assert (data / "db" / "journal.jsonl").stat().st_size == 0
    assert b"Dilipat 3" in mine.read_bytes()
    # only the member's part was rewritten (a new file each time: os.replace gives a new inode)
    assert {f: f.stat().st_ino for f in others} == others


def test_check_opens_the_folder_once(data, monkeypatch, capsys):
    opened = []
    real = Database.open.__func__

    def counted(cls, *args, **kwargs):
        opened.append(1)
        return real(cls, *args, **kwargs)
    monkeypatch.setattr(Database, "open", classmethod(counted))
    assert main(["--data", str(data), "check"]) == 0
    assert len(opened) == 1
    out = capsys.readouterr().out
    assert "16 rekaman" in out  # the six people and ten more, counted on the one open
    # the files counted are the files on the disk (each part of the members is one)
    files = [f for f in (data / "db").glob("*.json") if f.name != "manifest.json"]
    assert len(files) > 3 and f"{len(files)} berkas" in out


KILLED_EDIT = """
import os, sys
from storage.core.db import Database
db = Database.open(sys.argv[1], operator="Siti")
value = db.get("members", sys.argv[2])
with db.transaction("roster.save") as tx:
    tx.put("members", dict(value, address="Jl. Mati Lampu 4"))
os._exit(0)  # killed right after the commit: no close, no fold, the lock left to the system
"""


def test_a_kill_after_a_command_loses_nothing_check_and_backup_see_both(tmp_path, data, capsys):
    """The journal a command leaves and the line of a process killed after it are both replayed: by a
    read-only open, by `pilar check` and by the backup (which copies the journal, not a fold)."""
    import subprocess
    import sys
    from pathlib import Path

    rid, nik = first_nik(data)
    assert edit(tmp_path, data, nik, phone="081234500077") == 0
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-c", KILLED_EDIT, str(data), rid], cwd=root, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    members = part_file(data, "members", rid)
    assert b"Mati Lampu" not in members.read_bytes() and b"Mati Lampu" in (data / "db" / "journal.jsonl").read_bytes()
    db = Database.open(data, read_only=True)
    value = db.get("members", rid)
    db.close()
    assert value["address"] == "Jl. Mati Lampu 4" and value["phone"] == "+6281234500077"
    assert main(["--data", str(data), "check"]) == 0
    assert main(["--data", str(data), "--operator", "Siti", "backup"]) == 0
    newest = backups.list_backups(data)[0]
    assert newest.good and run_checks(newest.path) == []
    copy = Database.open(newest.path, read_only=True)
    try:
        assert copy.get("members", rid)["address"] == "Jl. Mati Lampu 4"
    finally:
        copy.close()
    capsys.readouterr()


# ---------------------------------------------------------------------- roster show NIK from one part

def show(data, nik: str, capsys, *more: str) -> str:
    assert main(["--data", str(data), "--lang", "en", "roster", "show", nik, *more]) == 0
    return capsys.readouterr().out


def test_show_by_nik_reads_one_part_and_says_what_the_whole_folder_says(tmp_path, data, monkeypatch, capsys):
    db = Database.open(data, operator="Siti")
    db.close()  # the first fold writes the NIK index
    assert (data / "db" / db_module.NIK_INDEX).exists()
    values = {}
    db = Database.open(data, read_only=True)
    for v in db.values("members"):
        values[v["nik"]] = v["id"]
    db.close()
    opened = []
    real = Database.open_member_by_nik.__func__

    def spy(cls, path, nik):
        got = real(cls, path, nik)
        opened.append(got)
        return got
    monkeypatch.setattr(Database, "open_member_by_nik", classmethod(spy))
    for nik, rid in list(values.items())[:4]:
        partial = show(data, nik, capsys)
        got = opened[-1]
        assert got is not None and got.partial and got.collections()  # answered from the index
        assert set(got.files("members")) == {got.part_of("members", rid)}  # one part of the members
        assert got.count("members") < len(values)
        for fmt in ((), ("--format", "json")):
            monkeypatch.setattr(db_module, "nik_parts", lambda path, nik: None)  # the whole folder
            whole = show(data, nik, capsys, *fmt)
            monkeypatch.undo()
            monkeypatch.setattr(Database, "open_member_by_nik", classmethod(spy))
            assert show(data, nik, capsys, *fmt) == whole
        assert partial.splitlines()[0] and "****" in partial


def test_show_by_nik_sees_the_journal_and_falls_back_when_the_index_cannot_say(tmp_path, data, monkeypatch, capsys):
    Database.open(data, operator="Siti").close()
    rid, nik = first_nik(data)
    new_nik = nik[:12] + "9999"  # (the same region, birth date and sex: only the serial differs)
    # the member's NIK changed in the journal only (the index still has the old one)
    change = tmp_path / "nik.json"
    change.write_text(json.dumps({"nik": new_nik}))
    assert main(["--data", str(data), "--operator", "Siti", "roster", "edit", nik, str(change),
                 "--accept-warnings"]) == 0
    assert new_nik.encode() not in (data / "db" / db_module.NIK_INDEX).read_bytes()
    assert db_module.nik_parts(data, new_nik) == {part_file(data, "members", rid).stem}
    assert "****9999" in show(data, new_nik, capsys)
    # the old NIK: the index names her part, where she has another NIK now: the whole folder says not found
    assert main(["--data", str(data), "--lang", "en", "roster", "show", nik]) == 1
    assert "no member with NIK" in capsys.readouterr().err
    # a stale or damaged index is not used
    index = data / "db" / db_module.NIK_INDEX
    raw = index.read_bytes()
    index.write_bytes(raw[:-20] + b"0" * 19 + b"\n")
    assert db_module.nik_parts(data, new_nik) is None
    assert "****9999" in show(data, new_nik, capsys)  # the whole folder answers
    index.write_bytes(raw)
    manifest = json.loads((data / "db" / "manifest.json").read_bytes())
    assert manifest["indexes"]["members.nik"] >= 1
    index.unlink()
    assert db_module.nik_parts(data, new_nik) is None
    assert "****9999" in show(data, new_nik, capsys)
    # the next fold writes it again, with the new NIK
    Database.open(data, operator="Siti").close()
    assert db_module.nik_parts(data, new_nik) == {part_file(data, "members", rid).stem}
    assert db_module.nik_parts(data, nik) is None
