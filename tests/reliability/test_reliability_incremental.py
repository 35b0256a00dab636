"""Incremental backups: unchanged files are hard-linked from the previous good backup (links only
ever between backups), fresh copies are checked by checksum, restore hashes every file once."""

from __future__ import annotations

import errno
import os
import time

import pytest

from storage.backup import backups
from storage.check import run_checks
from storage.core import i18n
from storage.core.db import Database, PilarStorage
from storage.core.errors import DamagedError, PilarError


@pytest.fixture(autouse=True)
def _lang():
    i18n.set_lang("en")
    yield
    i18n.set_lang("id")


def make_folder(path, code: str = "UPT-A", members: int = 6) -> dict[str, str]:
    """A folder with compacted members and events and an audit log (as in test_reliability)."""
    db = Database.init(path, code, f"Kantor {code}", operator="Siti")
    names = {}
    with db.transaction("seed") as tx:
        for i in range(members):
            rid = tx.put("members", {"name": f"Anggota {i}", "nik": f"35780141{i:08d}"})
            names[rid] = f"Anggota {i}"
    with db.transaction("seed.event") as tx:
        tx.put("events", {"name": "Rapat"})
    db.close()
    return names


def member_names(path) -> dict[str, str]:
    db = Database.open(path, read_only=True)
    try:
        return {v["id"]: v["name"] for v in db.values("members")}
    finally:
        db.close()


def _age(path, seconds: int = 3600) -> None:
    """Make the live files look written an hour ago (as they are in a real office)."""
    past = time.time_ns() - seconds * 1_000_000_000
    for p in [*path.glob("db/*"), path / "audit.jsonl", path / "office.json"]:
        if p.is_file():
            os.utime(p, ns=(past, past))


def _edit_and_backup(path, name: str = "Diubah"):
    """One edit, then a backup in the same session: only the journal and the audit log changed
    (closing compacts the journal into the collection files: a new part of the members)."""
    db = Database.open(path, operator="Siti")
    try:
        rid = next(iter(db.raw("members")))
        with db.transaction("edit") as tx:
            tx.put("members", dict(db.get("members", rid), name=name))
        return rid, backups.backup_now(db, "before-import")
    finally:
        db.close()


def _backup(path, reason: str = "manual"):
    db = Database.open(path, operator="Siti")
    try:
        return backups.backup_now(db, reason)
    finally:
        db.close()


def _m(path) -> str:
    """``db/members.NN.json``: the first part of the members (folder format 2), the one holding the
    member ``_edit_and_backup`` edits (the first id of ``db.raw``: parts load in order)."""
    return "db/" + sorted((path / "db").glob("members.*.json"))[0].name


def _ino(b, rel):
    return (b.path / rel).stat().st_ino


@pytest.mark.parametrize("aged", [True, False], ids=["files-an-hour-old", "files-just-written"])
def test_backup_after_one_edit_links_collections_and_copies_journal(tmp_path, aged):
    data = tmp_path / "data"
    make_folder(data)
    if aged:
        _age(data)
    first = _backup(data)
    members_before = (data / _m(data)).stat()
    rid, second = _edit_and_backup(data, "Sesudah")
    for rel in (_m(data), "db/events.json", "office.json"):
        assert _ino(second, rel) == _ino(first, rel), rel
        assert (second.path / rel).stat().st_nlink >= 2
        assert second.meta["files"][rel]["sha256"] == first.meta["files"][rel]["sha256"]
        # never linked to the live folder
        assert _ino(second, rel) != (data / rel).stat().st_ino
    for rel in ("db/journal.jsonl", "audit.jsonl"):
        assert _ino(second, rel) != _ino(first, rel)
        assert (second.path / rel).stat().st_nlink == 1
    assert b"Sesudah" in (second.path / "db" / "journal.jsonl").read_bytes()
    assert b"Sesudah" not in (first.path / "db" / "journal.jsonl").read_bytes()
    assert second.meta["copied"] < second.meta["size"]
    entry = second.meta["files"][_m(data)]
    assert entry["ino"] == members_before.st_ino and entry["mtime_ns"] == members_before.st_mtime_ns
    assert [b.good for b in backups.list_backups(data)] == [True, True]
    assert run_checks(second.path) == []  # the backup is still a folder that opens and checks clean
    assert run_checks(data) == []
    # the second backup holds the edit, the first does not
    backups.restore(data, second.name)
    assert member_names(data)[rid] == "Sesudah"
    backups.restore(data, first.name)
    assert member_names(data)[rid] != "Sesudah"


def test_a_compacted_file_is_copied_again(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    first = _backup(data)
    db = Database.open(data, operator="Siti")
    rid = next(iter(db.raw("members")))
    with db.transaction("edit") as tx:
        tx.put("members", dict(db.get("members", rid), name="Dipadatkan"))
    db.compact()  # a new part of the members (a new inode, via os.replace)
    db.close()
    second = _backup(data)
    assert _ino(second, _m(data)) != _ino(first, _m(data))
    assert (second.path / _m(data)).read_bytes() == (data / _m(data)).read_bytes()
    assert backups.find_backup(data, second.name).good


def test_pruning_the_older_backup_leaves_the_newer_one_verifying(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    _age(data)
    first = _backup(data)
    rid, second = _edit_and_backup(data, "Baru")
    assert _ino(second, _m(data)) == _ino(first, _m(data))
    assert backups.prune(data, keep=1) == [first.name]
    assert not first.path.exists()
    [left] = backups.list_backups(data)  # deep: every file re-hashed
    assert left.name == second.name and left.good
    assert (second.path / _m(data)).stat().st_nlink == 1
    backups.restore(data, second.name)
    assert member_names(data)[rid] == "Baru"
    assert run_checks(data) == []


def test_notepad_edit_of_a_live_file_never_reaches_the_backups(tmp_path):
    data = tmp_path / "data"
    names = make_folder(data)
    _age(data)
    first = _backup(data)
    second = _backup(data)
    assert _ino(second, _m(data)) == _ino(first, _m(data))
    live = data / _m(data)
    with open(live, "r+b") as fh:  # Notepad: the same file (same inode) changed in place
        fh.seek(-10, os.SEEK_END)
        byte = fh.read(1)
        fh.seek(-10, os.SEEK_END)
        fh.write(bytes([byte[0] ^ 0x01]))
    assert any(_m(data)[3:] in p for p in run_checks(data))
    listed = backups.list_backups(data)
    assert [b.good for b in listed] == [True, True]
    # the next backup notices the change (mtime) and copies the file: the damage is refused
    with pytest.raises(PilarError) as err:
        with backups.hold_lock(data):
            backups.snapshot(data, "manual")
    assert err.value.key == "backup.copy_failed" and _m(data)[3:] in str(err.value)
    backups.restore(data, second.name)
    assert member_names(data) == names
    assert run_checks(data) == []


def test_same_size_edit_keeping_mtime_of_a_just_written_file_is_still_noticed(tmp_path):
    """A change in the same clock tick as the file's last write keeps its mtime: such a file is
    marked racy in backup.json and re-hashed before the next backup reuses it."""
    data = tmp_path / "data"
    make_folder(data)
    first = _backup(data)
    assert first.meta["files"][_m(data)].get("racy") is True
    live = data / _m(data)
    st = live.stat()
    with open(live, "r+b") as fh:
        fh.seek(-10, os.SEEK_END)
        byte = fh.read(1)
        fh.seek(-10, os.SEEK_END)
        fh.write(bytes([byte[0] ^ 0x01]))
    os.utime(live, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert live.stat().st_mtime_ns == st.st_mtime_ns and live.stat().st_size == st.st_size
    with pytest.raises(PilarError) as err:
        with backups.hold_lock(data):
            backups.snapshot(data, "manual")
    assert err.value.key == "backup.copy_failed" and _m(data)[3:] in str(err.value)
    assert backups.find_backup(data, first.name).good


@pytest.mark.parametrize("code", [errno.EPERM, errno.EXDEV, errno.EMLINK])
def test_link_failure_falls_back_to_a_copy(tmp_path, monkeypatch, code):
    data = tmp_path / "data"
    make_folder(data)
    _age(data)
    first = _backup(data)
    calls = []

    def no_link(src, dst, *a, **kw):
        calls.append(src)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(backups.os, "link", no_link)
    rid, second = _edit_and_backup(data, "Salin")
    assert calls  # a link was tried
    assert _ino(second, _m(data)) != _ino(first, _m(data))
    assert (second.path / _m(data)).stat().st_nlink == 1
    assert second.meta["copied"] == second.meta["size"]
    monkeypatch.undo()
    assert backups.find_backup(data, second.name).good
    backups.restore(data, second.name)
    assert member_names(data)[rid] == "Salin"
    assert run_checks(data) == []


def test_restore_copies_never_links_and_refuses_a_damaged_shared_file(tmp_path):
    data = tmp_path / "data"
    names = make_folder(data)
    _age(data)
    first = _backup(data)
    second = _backup(data)
    backups.restore(data, second.name)
    live = data / _m(data)
    assert live.stat().st_nlink == 1 and live.stat().st_ino != _ino(second, _m(data))
    assert member_names(data) == names
    # damage the file both backups share: both are now bad, and a restore changes nothing
    shared = second.path / _m(data)
    with open(shared, "r+b") as fh:
        fh.seek(-10, os.SEEK_END)
        byte = fh.read(1)
        fh.seek(-10, os.SEEK_END)
        fh.write(bytes([byte[0] ^ 0x01]))
    listed = {b.name: b for b in backups.list_backups(data)}
    assert not listed[first.name].good and not listed[second.name].good
    before = {b.name for b in backups.list_backups(data, deep=False)}
    live_raw = live.read_bytes()
    with pytest.raises(PilarError) as err:
        backups.restore(data, second.name)
    assert err.value.key == "backup.not_good" and _m(data) in str(err.value)
    assert live.read_bytes() == live_raw
    assert {b.name for b in backups.list_backups(data, deep=False)} == before  # no before-restore copy
    assert not (data / backups.RESTORE_STAGE).exists()


def test_checked_payload_checks_the_checksum_without_parsing(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    path = data / _m(data)
    meta, payload = PilarStorage(path, path.stem, "UPT-A").checked_payload(path.read_bytes())
    assert meta["collection"] == path.stem and bytes(payload).startswith(b"{")
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0x01
    with pytest.raises(DamagedError) as err:
        PilarStorage(path, path.stem, "UPT-A").checked_payload(bytes(raw))
    assert _m(data)[3:] in str(err.value)
    with pytest.raises(DamagedError):
        PilarStorage(path, path.stem, "UPT-B").checked_payload(path.read_bytes())


class _Fault:
    """The ``at``-th call of ``os.<func>`` on a file under ``root`` fails with EIO (a write first
    writes half its bytes, as a disk that fills up does)."""

    def __init__(self, func: str, at: int, root) -> None:
        self.func, self.at, self.root = func, at, str(root)
        self.calls, self.fired, self.real = 0, False, getattr(os, func)

    def _ours(self, args) -> bool:
        if self.func in ("replace", "link"):
            return str(args[1]).startswith(self.root)
        try:
            return os.readlink(f"/proc/self/fd/{args[0]}").startswith(self.root)
        except OSError:
            return False

    def __call__(self, *args, **kwargs):
        if self._ours(args):
            self.calls += 1
            if self.calls == self.at:
                self.fired = True
                if self.func == "write" and len(args[1]) > 1:
                    self.real(args[0], bytes(args[1])[: len(args[1]) // 2])
                raise OSError(errno.EIO, os.strerror(errno.EIO))
        return self.real(*args, **kwargs)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="finds the file of a descriptor in /proc")
@pytest.mark.parametrize("func", ["write", "fsync", "replace", "link"])
def test_fault_during_an_incremental_backup(tmp_path, monkeypatch, func):
    fired = 0
    for at in range(1, 40):
        data = tmp_path / f"run{at}"
        names = make_folder(data)
        _age(data)
        first = _backup(data)
        db = Database.open(data, operator="Siti")
        rid = next(iter(db.raw("members")))
        with db.transaction("edit") as tx:
            tx.put("members", dict(db.get("members", rid), name="Gangguan"))
        fault = _Fault(func, at, data)
        error = None
        monkeypatch.setattr(os, func, fault)
        try:
            made = backups.backup_now(db, "before-import")
        except PilarError as exc:
            error = exc
        finally:
            monkeypatch.setattr(os, func, fault.real)
        db.close()
        if not fault.fired:
            break
        fired += 1
        listed = {b.name: b for b in backups.list_backups(data)}
        if func == "link":  # a link that fails is a copy instead: the backup is still made
            assert error is None and set(listed) == {first.name, made.name}
            assert listed[made.name].good
        else:
            assert error is not None and error.key == "backup.failed"
            assert set(listed) == {first.name}
        assert listed[first.name].good
        assert not any(p.name.startswith(".tmp-") for p in (data / "backups").iterdir())
        assert run_checks(data) == []
        backups.restore(data, first.name)
        assert member_names(data) == names
    assert fired >= (1 if func == "replace" else 2)


def test_a_backup_file_edited_since_is_not_carried_into_the_next_backup(tmp_path):
    data = tmp_path / "data"
    names = make_folder(data)
    _age(data)
    first = _backup(data)
    inside = first.path / _m(data)
    st = inside.stat()
    with open(inside, "r+b") as fh:  # someone "fixes" a file inside the backup
        fh.seek(-10, os.SEEK_END)
        byte = fh.read(1)
        fh.seek(-10, os.SEEK_END)
        fh.write(bytes([byte[0] ^ 0x01]))
    os.utime(inside, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    second = _backup(data)
    assert _ino(second, _m(data)) != _ino(first, _m(data))  # copied from the live file
    assert _ino(second, "db/events.json") == _ino(first, "db/events.json")  # the others still linked
    listed = {b.name: b for b in backups.list_backups(data)}
    assert not listed[first.name].good and listed[second.name].good
    backups.restore(data, second.name)
    assert member_names(data) == names
