"""The audit log in sealed segments: one chain across audit/NNNNNN.jsonl and audit.jsonl.

With a tiny ``SEAL_BYTES`` the log seals every few transactions: every reader sees one log, damage
in a sealed segment is found and named, a folder opens and continues the chain right after a seal,
and a backup copies only the active file while linking the sealed segments from the one before.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage import backup, check
from storage.core import audit
from storage.core.db import Database
from storage.roster import Roster


@pytest.fixture(autouse=True)
def small_segments(monkeypatch):
    monkeypatch.setattr(audit, "SEAL_BYTES", 2_000)


def member(i: int, name: str | None = None) -> dict:
    return {"id": f"m{i:04d}", "name": name or f"Anggota {i}", "nik": f"3578{i:012d}"}


def fill(db: Database, n: int, start: int = 0) -> None:
    """``n`` transactions of one member each."""
    for i in range(start, start + n):
        with db.transaction("roster.add") as tx:
            tx.put("members", member(i))


def test_one_chain_across_sealed_segments(tmp_path):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    fill(db, 30)
    with db.transaction("roster.edit") as tx:
        tx.put("members", member(0, "Nama Baru"))
    segments = audit.segments(db.audit.path)
    assert len(segments) >= 3 and all(p.stat().st_size > 2_000 for p in segments)
    assert db.audit.path.stat().st_size <= 2_000 + 1_000  # the active file stays small
    lines = list(db.audit.lines())
    assert [e["n"] for e in lines] == list(range(1, 32))
    assert db.audit.verify(db.manifest.get("audit")) == []
    # Every reader sees the whole history of a record whose lines sit in two files.
    assert [e["action"] for e in db.audit.for_record("m0000")] == ["roster.add", "roster.edit"]
    assert [e["changes"].get("name") for e in Roster(db).history("m0000")] == [[None, "Anggota 0"],
                                                                               ["Anggota 0", "Nama Baru"]]
    db.close()
    assert check.file_problems(folder) == []
    again = Database.open(folder)
    fill(again, 5, start=100)  # the chain goes on after reopening
    assert again.audit.verify(again.manifest.get("audit")) == []
    assert [e["n"] for e in again.audit.lines()] == list(range(1, 37))
    again.close()


def test_an_edited_or_missing_sealed_segment_is_named(tmp_path):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    fill(db, 30)
    db.close()
    first, second = audit.segments(folder / "audit.jsonl")[:2]
    raw = first.read_bytes()
    first.write_bytes(raw.replace(b"Anggota 1", b"Anggota 9", 1))
    problems = check.file_problems(folder)
    assert problems and str(first) in problems[0]
    first.write_bytes(raw)
    assert check.file_problems(folder) == []
    second.unlink()  # a segment lost: the next file's first line no longer follows the chain
    problems = check.file_problems(folder)
    assert problems and "audit" in problems[0]


def test_open_right_after_a_seal_continues_the_chain(tmp_path):
    """A kill between sealing and the next append leaves no active file: nothing is lost or broken."""
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    n = 0
    while (folder / "audit.jsonl").exists():  # until a batch ends exactly at a seal
        fill(db, 1, start=n)
        n += 1
    db._release_lock()  # killed here
    assert check.file_problems(folder) == []
    db = Database.open(folder)
    fill(db, 1, start=500)
    assert [e["n"] for e in db.audit.lines()] == list(range(1, n + 2))
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_a_torn_batch_after_a_seal_is_cut_and_rewritten(tmp_path):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    n = 0
    while (folder / "audit.jsonl").exists():
        fill(db, 1, start=n)
        n += 1
    with db.transaction("roster.import") as tx:
        for i in range(3):
            tx.put("members", member(600 + i))
    active = folder / "audit.jsonl"
    raw = active.read_bytes()
    db._release_lock()
    active.write_bytes(raw[: len(raw) // 2])  # killed during the append of the first batch after a seal
    db = Database.open(folder)
    assert [e["id"] for e in db.audit.lines()][-3:] == ["m0600", "m0601", "m0602"]
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_backups_link_sealed_segments_and_restore_them(tmp_path):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    fill(db, 30)
    first = backup.backup_now(db, "manual")
    fill(db, 2, start=200)
    second = backup.backup_now(db, "manual")
    sealed = [p.relative_to(folder) for p in audit.segments(folder / "audit.jsonl")]
    linked = 0
    for rel in sealed:
        old, new = first.path / rel, second.path / rel
        if old.exists():  # sealed before the first backup: the second links it, never copies it
            assert os.stat(old).st_ino == os.stat(new).st_ino
            linked += 1
        assert os.stat(new).st_ino != os.stat(folder / rel).st_ino  # never linked to the live folder
    assert linked >= 2
    assert second.meta["files"]["audit.jsonl"]["size"] < 3_000  # the active file is all it copied of the log
    before = [e["h"] for e in db.audit.lines()]
    db.close()
    backup.restore(folder, second.name, operator="Siti")
    db = Database.open(folder)
    assert [e["h"] for e in db.audit.lines()][: len(before)] == before
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_a_full_disk_while_sealing_leaves_a_longer_active_file(tmp_path, monkeypatch):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    real_replace = os.replace

    def no_space(src, dst, *args, **kwargs):
        if Path(dst).parent.name == audit.SEGMENT_DIR:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", no_space)
    fill(db, 10)
    assert audit.segments(folder / "audit.jsonl") == [] and (folder / "audit.jsonl").stat().st_size > 2_000
    monkeypatch.setattr(os, "replace", real_replace)
    fill(db, 1, start=50)
    assert len(audit.segments(folder / "audit.jsonl")) == 1
    assert [e["n"] for e in db.audit.lines()] == list(range(1, 12))
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_no_fsync_through_a_read_only_handle(tmp_path, monkeypatch):
    """Windows flushes only handles opened for writing (FlushFileBuffers): every fsync of a file must
    go through one, or closing a folder there fails. Simulated here: fsync of a read-only fd fails."""
    import errno

    read_only: set[int] = set()
    real_open, real_fsync, real_close = os.open, os.fsync, os.close

    def tracking_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if flags & (os.O_WRONLY | os.O_RDWR) == 0 and not os.path.isdir(path):
            read_only.add(fd)
        return fd

    def windows_fsync(fd):
        if fd in read_only:
            raise OSError(errno.EBADF, "Bad file descriptor")
        return real_fsync(fd)

    def tracking_close(fd):
        read_only.discard(fd)
        return real_close(fd)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "fsync", windows_fsync)
    monkeypatch.setattr(os, "close", tracking_close)
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    fill(db, 30)  # seals several segments
    db.compact()
    backup.backup_now(db, "manual")
    db.close()
    assert len(audit.segments(folder / "audit.jsonl")) >= 3
    assert check.file_problems(folder) == []
