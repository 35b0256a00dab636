"""Backups, restore and the corruption corpus: every damage is named by ``pilar check`` and undone
by one ``pilar restore``."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from storage.backup import backups
from storage.check import run_checks
from storage.core.db import Database
from storage.core.errors import DamagedError, LockedError, PilarError
from tests.support.parts import part_file
from tests.support.parts import rel as rel_of
from tui.cli import main


def make_folder(path: Path, code: str = "UPT-A", members: int = 6, keep: int | None = None) -> dict[str, str]:
    """A folder with compacted members, three more journal transactions and an audit log."""
    extra = {"backups_keep": keep} if keep else None
    db = Database.init(path, code, f"Kantor {code}", operator="Siti", extra=extra)
    names = {}
    with db.transaction("seed") as tx:
        for i in range(members):
            rid = tx.put("members", {"name": f"Anggota {i}", "nik": f"35780141{i:08d}"})
            names[rid] = f"Anggota {i}"
    with db.transaction("seed.event") as tx:
        tx.put("events", {"name": "Rapat"})
    db.compact()
    for i, rid in enumerate(list(names)[:3]):
        with db.transaction("edit") as tx:
            tx.put("members", dict(db.get("members", rid), name=f"Ubah {i}"))
            names[rid] = f"Ubah {i}"
    db.close()
    return names


def member_names(path: Path) -> dict[str, str]:
    db = Database.open(path, read_only=True)
    try:
        return {v["id"]: v["name"] for v in db.values("members")}
    finally:
        db.close()


def take_backup(path: Path, reason: str = "manual") -> backups.Backup:
    db = Database.open(path, operator="Siti")
    try:
        return backups.backup_now(db, reason)
    finally:
        db.close()


# ---------------------------------------------------------------------- backups

def test_backup_holds_every_item_and_verifies(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    (data / "imports.jsonl").write_text('{"bundle": "x"}\n')
    (data / "keys").mkdir()
    (data / "keys" / "office.pub").write_text("PUBLIC")
    b = take_backup(data)
    assert b.good and b.reason == "manual" and b.office == "UPT-A"
    files = set(b.meta["files"])
    assert {"office.json", "audit.jsonl", "imports.jsonl", "keys/office.pub", "db/manifest.json",
            rel_of(part_file(data)), "db/journal.jsonl"} <= files
    assert not any(".lock" in f or "lock.json" in f for f in files)
    assert b.meta["seq"] == 5
    assert run_checks(b.path) == []  # the copy passes the same checks as a live folder
    [listed] = backups.list_backups(data)
    assert listed.name == b.name and listed.good


def test_rotation_keeps_the_configured_number(tmp_path):
    data = tmp_path / "data"
    make_folder(data, keep=3)
    made = [take_backup(data, f"r{i}").name for i in range(5)]
    left = [b.name for b in backups.list_backups(data)]
    assert sorted(left) == sorted(made[-3:])


def test_rotation_never_drops_the_last_good_backup(tmp_path):
    data = tmp_path / "data"
    make_folder(data, keep=1)
    good = take_backup(data).name
    part_file(data).write_bytes(b"rusak")
    with backups.hold_lock(data):
        bad = backups.snapshot(data, "before-restore", require_good=False)
    assert not bad.good
    names = {b.name for b in backups.list_backups(data)}
    assert names == {good, bad.name}


def test_half_written_backup_is_never_listed_and_is_cleaned_up(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    leftover = data / "backups" / ".tmp-20240101-000000-import"
    (leftover / "db").mkdir(parents=True)
    (leftover / "db" / "members.json").write_text("{")
    assert backups.list_backups(data) == []
    assert run_checks(data) == []
    take_backup(data)
    assert not leftover.exists()


def test_backup_without_meta_or_with_changed_file_is_not_good(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    b = take_backup(data)
    target = part_file(b.path)
    raw = bytearray(target.read_bytes())
    raw[-5] ^= 0x20
    target.write_bytes(bytes(raw))
    [listed] = backups.list_backups(data)
    assert not listed.good and rel_of(target) in listed.problems[0]
    assert backups.newest_good_backup(data) is None
    problems = run_checks(data)
    assert len(problems) == 1 and b.name in problems[0]
    with pytest.raises(PilarError) as err:
        backups.restore(data, b.name)
    assert err.value.key == "backup.not_good"


def test_daily_backup_once_a_day(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    db = Database.open(data, operator="Siti")
    try:
        first = backups.maybe_daily(db)
        assert first is not None and first.reason == "daily"
        assert backups.maybe_daily(db) is None
        meta_path = first.path / "backup.json"
        meta = orjson.loads(meta_path.read_bytes())
        meta["created"] = (datetime.now().astimezone() - timedelta(hours=25)).isoformat(timespec="seconds")
        meta_path.write_bytes(orjson.dumps(meta))
        second = backups.maybe_daily(db)
        assert second is not None and second.name != first.name
    finally:
        db.close()


def test_daily_backup_can_be_switched_off(tmp_path):
    data = tmp_path / "data"
    Database.init(data, "UPT-A", "A", operator="Siti", extra={"backups_daily": False}).close()
    db = Database.open(data)
    try:
        assert backups.maybe_daily(db) is None
    finally:
        db.close()
    assert backups.list_backups(data) == []


# ---------------------------------------------------------------------- restore

def test_restore_brings_back_the_backup_and_keeps_the_current_state(tmp_path):
    data = tmp_path / "data"
    before = make_folder(data)
    b = take_backup(data)
    old_office = json.loads((data / "office.json").read_text())
    db = Database.open(data, operator="Siti")
    with db.transaction("later") as tx:
        for rid in list(before)[:2]:
            tx.put("members", dict(db.get("members", rid), name="Sesudah"))
    after = {v["id"]: v["name"] for v in db.values("members")}
    db.close()
    result = backups.restore(data, b.name, operator="Admin")
    assert member_names(data) == before
    assert result.safety is not None and result.safety.good
    assert member_names(result.safety.path) == after
    office = json.loads((data / "office.json").read_text())
    assert office["code"] == old_office["code"]
    assert office["replica_id"] == result.replica_id != old_office["replica_id"]
    assert office["restored"]["from"] == b.name
    assert run_checks(data) == []
    assert not (data / "restore.json").exists() and not (data / ".restore-new").exists()
    # the restored folder writes under its new replica id
    db = Database.open(data, operator="Siti")
    with db.transaction("after") as tx:
        rid = tx.put("members", {"name": "Baru"})
    dot = db.doc("members", rid)["v"][0]["dot"]
    db.close()
    assert dot[0] == result.replica_id


def test_restore_refused_while_another_pilar_holds_the_folder(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    b = take_backup(data)
    db = Database.open(data, operator="Budi")
    try:
        with pytest.raises(LockedError) as err:
            backups.restore(data, b.name)
        assert "Budi" in str(err.value)
    finally:
        db.close()
    assert [x.name for x in backups.list_backups(data)] == [b.name]


def test_restore_refuses_another_offices_backup(tmp_path):
    a, other = tmp_path / "a", tmp_path / "b"
    make_folder(a, "UPT-A")
    make_folder(other, "UPT-B")
    b = take_backup(other)
    shutil.copytree(b.path, a / "backups" / b.name)
    with pytest.raises(PilarError) as err:
        backups.restore(a, b.name)
    assert err.value.key == "backup.other_office"
    assert backups.newest_good_backup(a) is None


def test_restore_unknown_name(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    for name in ("nope", "../data", ".tmp-x", ""):
        with pytest.raises(PilarError) as err:
            backups.restore(data, name)
        assert err.value.key == "backup.unknown"


def test_cli_backup_list_restore(tmp_path, capsys):
    data = tmp_path / "data"
    before = make_folder(data)
    assert main(["--data", str(data), "backup", "--format", "json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["good"] is True
    emptied = part_file(data)
    emptied.write_bytes(b"")
    assert main(["--data", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert str(emptied) in out and "berkas kosong" in out
    assert made["name"] in out  # pilar check names the newest good backup
    assert main(["--data", str(data), "restore", "--list"]) == 0
    out = capsys.readouterr().out
    assert made["name"] in out and "manual" in out and "ya" in out
    assert main(["--data", str(data), "--lang", "en", "restore", "--list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert [x["name"] for x in listed] == [made["name"]] and listed[0]["good"]
    assert main(["--data", str(data), "--lang", "id", "restore", made["name"]]) == 0
    out = capsys.readouterr().out
    assert "dipulihkan" in out and "before-restore" in out
    assert member_names(data) == before
    assert main(["--data", str(data), "check"]) == 0


def test_cli_restore_needs_a_name(tmp_path, capsys):
    data = tmp_path / "data"
    make_folder(data)
    assert main(["--data", str(data), "restore"]) == 1
    assert "pilar restore --list" in capsys.readouterr().err
    assert main(["--data", str(data), "restore", "--latest"]) == 1
    assert "Tidak ada cadangan" in capsys.readouterr().err


def test_damaged_folder_names_newest_good_backup(tmp_path, capsys):
    data = tmp_path / "data"
    make_folder(data)
    b = take_backup(data)
    (data / "db" / "manifest.json").unlink()
    with pytest.raises(DamagedError):
        Database.open(data)
    assert backups.newest_good_backup(data).name == b.name
    assert main(["--data", str(data), "backup"]) == 1
    err = capsys.readouterr().err
    assert "manifest.json" in err and f"pilar restore {b.name}" in err


# ---------------------------------------------------------------------- corruption corpus

def _other_office_copy(tmp_path: Path, rel: str) -> bytes:
    other = tmp_path / "other"
    if not other.exists():
        make_folder(other, "UPT-LAIN")
    if rel.startswith("db/members."):  # a part of the other office's members (its ids, its parts)
        return part_file(other).read_bytes()
    return (other / rel).read_bytes()


def _flip(raw: bytes, at: int) -> bytes:
    b = bytearray(raw)
    b[at % len(b)] ^= 0x01
    return bytes(b)


def _set_schema(raw: bytes, rel: str) -> bytes:
    # A version that is no version: damage. (A higher number is a newer Pilar's file, not damage: the
    # sentence says to update Pilar, tests/test_formats.py.)
    if rel == "office.json":
        obj = orjson.loads(raw)
        obj["format"] = "9x"
        return orjson.dumps(obj)
    if rel == "db/manifest.json":
        obj = orjson.loads(raw)
        obj["schema"] = "7x"
        return orjson.dumps(obj)
    return re.sub(rb'"schema":\d+', b'"schema":"7x"', raw, count=1)


def _middle_journal_line(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    assert len([x for x in lines if x]) >= 3
    mid = lines[1]
    lines[1] = mid[:40] + (b"X" if mid[40:41] != b"X" else b"Y") + mid[41:]
    return b"\n".join(lines)


def _truncate(raw: bytes, rel: str) -> bytes:
    if rel == "db/journal.jsonl":
        # whole last transaction gone: the audit log still has it
        return b"\n".join(raw.split(b"\n")[:-2]) + b"\n"
    if rel == "audit.jsonl":
        return b"\n".join(raw.split(b"\n")[:3]) + b"\n"
    return raw[: len(raw) // 2]


DAMAGES = {
    "truncated": _truncate,
    "flipped": lambda raw, rel: _flip(raw, 0 if rel == "office.json" else len(raw) // 2),
    "schema": _set_schema,
    "empty": lambda raw, rel: b"",
}
CORPUS = [
    (rel, damage)
    for rel in ("db/members.json", "db/manifest.json", "office.json", "audit.jsonl", "db/journal.jsonl")
    for damage in ("truncated", "flipped", "schema", "other_office", "empty", "missing")
    if not (rel in ("audit.jsonl", "db/journal.jsonl") and damage == "schema")
] + [("db/journal.jsonl", "middle_line"), ("db/events.json", "missing"), ("db/events.json", "flipped")]


@pytest.mark.parametrize("rel,damage", CORPUS, ids=[f"{r}-{d}" for r, d in CORPUS])
def test_corruption_detected_named_and_restored(tmp_path, rel, damage, capsys):
    data = tmp_path / "data"
    before = make_folder(data)
    take_backup(data)
    db = Database.open(data, operator="Siti")  # three transactions left in the journal
    for i in range(3):
        with db.transaction("later") as tx:
            tx.put("members", {"name": f"Sesudah {i}", "nik": f"35780142{i:08d}"})
    db._release_lock()
    target = part_file(data) if rel == "db/members.json" else data / rel  # one part of the members
    rel = rel_of(target) if rel == "db/members.json" else rel
    raw = target.read_bytes()
    if damage == "missing":
        target.unlink()
    elif damage == "other_office":
        target.write_bytes(_other_office_copy(tmp_path, rel))
    elif damage == "middle_line":
        target.write_bytes(_middle_journal_line(raw))
    else:
        target.write_bytes(DAMAGES[damage](raw, rel))
    problems = run_checks(data)
    assert problems, f"{rel} {damage} not detected"
    assert any(str(target) in p for p in problems), problems
    # one command puts the office back
    assert main(["--data", str(data), "restore", "--latest"]) == 0
    capsys.readouterr()
    assert run_checks(data) == []
    assert member_names(data) == before
    assert main(["--data", str(data), "check"]) == 0


def test_missing_office_json_is_damage_not_a_new_folder(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    (data / "office.json").unlink()
    with pytest.raises(DamagedError) as err:
        Database.open(data)
    assert "office.json" in str(err.value)
    with pytest.raises(PilarError):
        Database.init(data, "UPT-A", "A")
    assert part_file(data).exists()


def test_audit_line_edited_in_the_middle(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    path = data / "audit.jsonl"
    lines = path.read_bytes().split(b"\n")
    obj = orjson.loads(lines[2])
    obj["operator"] = "Penyusup"
    lines[2] = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    path.write_bytes(b"\n".join(lines))
    problems = run_checks(data)
    assert len(problems) == 1 and str(path) in problems[0] and "baris 3" in problems[0]


def test_interrupted_restore_is_reported_and_rerun(tmp_path, monkeypatch):
    data = tmp_path / "data"
    before = make_folder(data)
    b = take_backup(data)
    db = Database.open(data, operator="Siti")
    with db.transaction("later") as tx:
        tx.put("members", {"name": "Sesudah"})
    db.close()
    real = os.replace
    calls = {"n": 0}

    def cut(src, dst):
        if str(dst).endswith("/audit.jsonl") and ".restore" not in str(dst):
            calls["n"] += 1
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", cut)
    with pytest.raises(PilarError) as err:
        backups.restore(data, b.name)
    assert err.value.key == "backup.restore_failed"
    monkeypatch.setattr(os, "replace", real)
    problems = run_checks(data)
    assert problems and b.name in problems[0]
    with pytest.raises(DamagedError) as err:  # never opened for writing while it may be a mix
        Database.open(data, operator="Siti")
    assert "restore.json" in str(err.value) and "pilar restore" in str(err.value)
    assert main(["--data", str(data), "restore", b.name]) == 0
    assert member_names(data) == before and run_checks(data) == []


# ---------------------------------------------------------------------- copies on a stick

def old_folder_copy(b: backups.Backup, stick: Path) -> Path:
    """A backup folder copied to a stick the way Pilar did before ``backup --to`` wrote encrypted
    archives (tests/test_reliability_archive.py): such copies still restore."""
    stick.mkdir(parents=True, exist_ok=True)
    return backups.copy_backup(b, stick / f"pilar-{b.office}-{b.name}")


def test_backup_copied_to_a_stick_restores_on_a_new_computer(tmp_path, capsys):
    data = tmp_path / "data"
    before = make_folder(data)
    old_replica = json.loads((data / "office.json").read_text())["replica_id"]
    stick = tmp_path / "stick"
    copy = old_folder_copy(take_backup(data), stick)
    assert copy.name.startswith("pilar-UPT-A-")
    shutil.rmtree(data)  # the disk died
    new = tmp_path / "new-pc" / "data"
    assert main(["--data", str(new), "restore", str(copy)]) == 0
    capsys.readouterr()
    assert member_names(new) == before and run_checks(new) == []
    assert json.loads((new / "office.json").read_text())["replica_id"] != old_replica
    # the stick's copy is untouched and can be used again
    assert backups.read_backup(copy).good


def test_copy_on_a_stick_that_was_changed_is_refused(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    b = take_backup(data)
    copy = old_folder_copy(b, tmp_path / "stick")
    changed = part_file(copy)
    changed.write_bytes(b"{}")
    with pytest.raises(PilarError) as err:
        backups.restore(tmp_path / "other", str(copy))
    assert err.value.key == "backup.not_good" and rel_of(changed) in str(err.value)
    assert not (tmp_path / "other" / "db").exists()


def test_stick_pulled_out_while_copying_a_backup(tmp_path, monkeypatch):
    data = tmp_path / "data"
    make_folder(data)
    b = take_backup(data)
    stick = tmp_path / "stick"
    stick.mkdir()
    real = os.write
    calls = {"n": 0}

    def pulled(fd, buf):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(stick)):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(5, "Input/output error")
        return real(fd, buf)

    monkeypatch.setattr(os, "write", pulled)
    with pytest.raises(PilarError) as err:
        old_folder_copy(b, stick)
    monkeypatch.setattr(os, "write", real)
    assert err.value.key == "backup.copy_out_failed" and "\n" not in str(err.value)
    assert list(stick.iterdir()) == []  # nothing left that looks like a backup
    assert backups.list_backups(data)[0].good


def test_app_refuses_a_damaged_folder_and_offers_the_newest_good_backup(tmp_path, capsys):
    data = tmp_path / "data"
    make_folder(data)
    b = take_backup(data)
    flipped = part_file(data)
    raw = bytearray(flipped.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    flipped.write_bytes(bytes(raw))
    assert main(["--data", str(data)]) == 1  # `pilar` alone starts the app
    err = capsys.readouterr().err
    assert str(flipped) in err and "checksum" in err
    assert f"pilar restore {b.name}" in err
    assert main(["--data", str(data), "restore", b.name]) == 0
    assert run_checks(data) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer", ["y\n", "\n"])
def test_app_at_a_terminal_offers_to_restore_right_away(tmp_path, capsys, monkeypatch, answer):
    import tui.cli.core as core

    data = tmp_path / "data"
    before = make_folder(data)
    b = take_backup(data)
    (data / "db" / "manifest.json").write_bytes(b"")
    started = []

    def app(args):  # stands in for the Textual app: it opens the folder as the app does
        Database.open(data, operator="Siti").close()
        started.append(True)
        return 0

    monkeypatch.setattr(core, "run_app", app)
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    code = main(["--data", str(data)])
    err = capsys.readouterr().err
    assert "manifest.json" in err and f"Pulihkan cadangan {b.name} sekarang?" in err
    if answer.strip():
        assert code == 0 and started == [True]
        assert member_names(data) == before and run_checks(data) == []
        assert "before-restore" in err
    else:
        assert code == 1 and started == []
        assert run_checks(data)  # nothing was changed


def test_restore_works_when_a_damaged_file_cannot_even_be_read(tmp_path, monkeypatch):
    data = tmp_path / "data"
    before = make_folder(data)
    b = take_backup(data)
    bad = part_file(data)
    import builtins

    real_open = builtins.open

    def bad_sector(file, *args, **kwargs):
        if str(file) == str(bad):
            raise OSError(5, "Input/output error")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", bad_sector)
    result = backups.restore(data, b.name)
    monkeypatch.setattr(builtins, "open", real_open)
    assert member_names(data) == before and run_checks(data) == []
    safety = result.safety
    assert safety is not None and not safety.good
    assert rel_of(bad) not in safety.meta["files"]  # left out, and said so
    assert any(bad.name in p for p in safety.meta["problems"])
    # a normal backup of an unreadable folder is refused, not made incomplete
    monkeypatch.setattr(builtins, "open", bad_sector)
    db = Database.open(data, operator="Siti")
    try:
        with pytest.raises(PilarError) as err:
            backups.backup_now(db, "manual")
    finally:
        monkeypatch.setattr(builtins, "open", real_open)
        db.close()
    assert err.value.key == "backup.failed" and bad.name in str(err.value)
