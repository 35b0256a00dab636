"""A kill at every step of an audit append and of a seal: ``pilar check`` right after it is clean, the
next open writes every journalled entry once, in order; real damage to the log is still reported.

SIGKILL cuts a big ``os.write`` short at a page boundary: the kernel stops copying between pages once
the signal is pending (``tests/test_crash.py::test_sigkill_inside_the_audit_append`` does it for
real). The active file then ends in a line with no newline, of a transaction the journal holds: the
crash test's "audit.jsonl telah diubah atau terpotong (baris 42)" was ``pilar check`` reading that
cut line as an edit. Here each step is replaced by a simulated kill (the process stops there: what
the earlier steps wrote stays, nothing after happens), one step at a time.
"""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

from storage.check import run_checks
from storage.core import audit
from storage.core.db import Database
from storage.core.fsutil import atomic_write

PAGE = 4096


class Killed(BaseException):
    """The process stops here (not an OSError: nothing in the code under test may catch it)."""


def member(i: int) -> dict:
    return {"id": f"m{i:04d}", "name": f"Anggota {i}", "nik": f"3578{i:012d}", "address": "Jl. Mawar " * 8}


def fill(db: Database, start: int, count: int) -> list[str]:
    """One transaction of ``count`` members; their ids."""
    with db.transaction("roster.import") as tx:
        return [tx.put("members", member(i)) for i in range(start, start + count)]


class KillAt:
    """Wraps the file operations of ``storage.core.audit`` and kills the process at call number ``at``.

    ``mode``: "before" the call, "after" it, or, for ``write_all``, a cut: only the first bytes of the
    write land ("page": up to the file's next page boundary, "line": exactly the first whole line,
    "nearly": all but the final newline, "none": no byte)."""

    def __init__(self, monkeypatch, at: int, mode: str) -> None:
        self.at, self.mode, self.calls, self.armed, self.hit = at, mode, 0, False, None
        real_os = os
        names = ("open", "fstat", "close", "replace", "ftruncate", "truncate")
        proxy = types.SimpleNamespace(**{k: getattr(real_os, k) for k in dir(real_os) if not k.startswith("__")})
        for name in names:
            setattr(proxy, name, self._wrap(name, getattr(real_os, name)))
        monkeypatch.setattr(audit, "os", proxy)
        for name in ("write_all", "fsync_file", "fsync_dir", "replace_file"):
            monkeypatch.setattr(audit, name, self._wrap(name, getattr(audit, name)))

    def _wrap(self, name, func):
        def call(*args, **kwargs):
            if not self.armed:
                return func(*args, **kwargs)
            number = self.calls
            self.calls += 1
            if number != self.at:
                return func(*args, **kwargs)
            self.hit = name
            mode = self.mode if name == "write_all" else ("after" if self.mode == "after" else "before")
            if mode == "before":
                raise Killed(name)
            if mode == "after":
                func(*args, **kwargs)
                raise Killed(name)
            fd, data = args
            start = os.fstat(fd).st_size
            cut = {"none": 0, "line": data.index(b"\n") + 1, "nearly": len(data) - 1,
                   "page": PAGE - start % PAGE}[mode]
            assert 0 <= cut < len(data), "the batch must be longer than the cut"
            func(fd, data[:cut])
            raise Killed(name)
        return call


def _all_present(folder: Path, ids: list[str]) -> None:
    """After the kill: ``pilar check`` on the folder as it is, then a writable open puts every entry
    in the log exactly once, in order, and the folder checks clean after closing."""
    assert run_checks(folder) == [], "pilar check right after the kill"
    db = Database.open(folder, operator="Siti")
    lines = list(db.audit.lines())
    assert [e["n"] for e in lines] == list(range(1, len(lines) + 1))
    assert [e["id"] for e in lines] == ids
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()
    assert run_checks(folder) == []


SEALS = {"no seal": None, "first seal": "first", "later seal": "later"}


def _folder(tmp_path: Path, monkeypatch, seal: str | None) -> tuple[Database, list[str]]:
    """A folder whose next transaction's audit append is the one killed (and seals the log, if asked)."""
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    monkeypatch.setattr(audit, "SEAL_BYTES", 1 << 40)
    ids = fill(db, 0, 3)
    if seal == "later":
        monkeypatch.setattr(audit, "SEAL_BYTES", 1)
        ids += fill(db, 3, 2)
        assert len(audit.segments(db.audit.path)) == 1 and not db.audit.path.exists()
        monkeypatch.setattr(audit, "SEAL_BYTES", 1 << 40)
        ids += fill(db, 5, 2)
    if seal:
        monkeypatch.setattr(audit, "SEAL_BYTES", db.audit.path.stat().st_size + 1)
    db.compact()  # the manifest records the head: what the journal still holds is the next batch only
    return db, ids


STEPS = [(seal, mode) for seal in SEALS for mode in ("before", "after", "page", "line", "nearly", "none")]


@pytest.mark.parametrize("seal,mode", STEPS, ids=[f"{s}-{m}" for s, m in STEPS])
def test_a_kill_at_any_step_of_an_append_or_seal(tmp_path, monkeypatch, seal, mode):
    """Every call the append (and the seal after it) makes, killed before, after or half-way."""
    at = 0
    while True:
        folder = tmp_path / str(at)
        folder.mkdir()
        db, ids = _folder(folder, monkeypatch, SEALS[seal])
        kill = KillAt(monkeypatch, at, mode)
        kill.armed = True
        ids += [member(i)["id"] for i in range(100, 130)]
        try:
            fill(db, 100, 30)  # 30 entries, ~12 KB: the write spans pages
        except Killed:
            pass
        kill.armed = False
        monkeypatch.undo()
        db._release_lock()  # the process is gone: only its files remain
        if kill.hit is None:
            break  # the append (and the seal) finished before call ``at``: every step was tried
        if mode in ("page", "line", "nearly", "none") and kill.hit != "write_all":
            at += 1
            continue  # those modes only cut writes
        _all_present(folder / "o", ids)
        at += 1
    assert at >= (4 if seal == "no seal" else 8)  # open, fstat, write, close (+ fsync, replace, fsyncs)
    if SEALS[seal]:
        assert len(audit.segments(folder / "o" / "audit.jsonl")) == (2 if SEALS[seal] == "later" else 1)


def _torn(tmp_path: Path) -> tuple[Path, list[str], bytes]:
    """The exact folder a SIGKILL inside the audit append leaves: the journal has the transaction,
    the active file ends in a line cut at a page boundary, with no newline after it."""
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    ids = fill(db, 0, 3)
    db.compact()
    path = db.audit.path
    before = path.stat().st_size
    ids += fill(db, 100, 30)
    raw = path.read_bytes()
    db._release_lock()
    cut = (before // PAGE + 1) * PAGE
    assert before < cut < len(raw) and raw[cut - 1:cut] != b"\n"
    path.write_bytes(raw[:cut])
    return folder, ids, raw


def test_check_right_after_a_kill_inside_the_audit_append_is_clean(tmp_path):
    """The regression: was "audit.jsonl telah diubah atau terpotong (baris N)" before the open."""
    folder, ids, _ = _torn(tmp_path)
    assert run_checks(folder) == []
    _all_present(folder, ids)


def test_a_kill_while_the_open_rewrites_a_torn_batch(tmp_path, monkeypatch):
    """The open after the kill is killed too, at each step of its repair and rewrite."""
    at = 0
    while True:
        folder, ids, _ = _torn(tmp_path / str(at))
        kill = KillAt(monkeypatch, at, "before" if at % 2 == 0 else "after")
        kill.armed = True
        try:
            db = Database.open(folder, operator="Siti")
        except Killed:
            pass
        else:
            db._release_lock()
        kill.armed = False
        monkeypatch.undo()
        _all_present(folder, ids)
        if kill.hit is None:
            break
        at += 1
    assert at >= 5  # truncate, then open, fstat, write, close


# ---------------------------------------------------------------------- still damage

def test_a_cut_line_the_journal_cannot_rewrite_is_damage(tmp_path):
    """The same cut tail, but the journal no longer holds its transaction: entries were lost."""
    folder, _, _ = _torn(tmp_path)
    atomic_write(folder / "db" / "journal.jsonl", b"")
    cut_line = (folder / "audit.jsonl").read_bytes().count(b"\n") + 1
    problems = run_checks(folder)
    assert len(problems) == 1 and "audit.jsonl" in problems[0] and f"baris {cut_line})" in problems[0], problems


def test_a_cut_line_followed_by_more_is_damage(tmp_path):
    """A line cut in the middle of the file is an edit, not a kill (a kill leaves it last)."""
    folder, _, raw = _torn(tmp_path)
    lines = raw.splitlines(keepends=True)
    lines[1] = lines[1][:60] + b"\n"
    (folder / "audit.jsonl").write_bytes(b"".join(lines))
    problems = run_checks(folder)
    assert len(problems) == 1 and "audit.jsonl" in problems[0] and "baris 2" in problems[0], problems


def test_an_edited_last_line_is_damage(tmp_path):
    """The last line ends in its newline: cut or edited, it is not what an append cut by a kill leaves."""
    folder, _, raw = _torn(tmp_path)
    lines = raw.splitlines(keepends=True)
    (folder / "audit.jsonl").write_bytes(b"".join(lines[:-1]) + lines[-1][:50] + b"\n")
    problems = run_checks(folder)
    assert len(problems) == 1 and f"baris {len(lines)}" in problems[0], problems
    (folder / "audit.jsonl").write_bytes(b"".join(lines[:-1]) + lines[-1].replace(b"Anggota", b"Penyusup"))
    problems = run_checks(folder)
    assert len(problems) == 1 and f"baris {len(lines)}" in problems[0], problems


def test_a_cut_sealed_segment_or_a_cut_below_the_head_is_damage(tmp_path, monkeypatch):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    monkeypatch.setattr(audit, "SEAL_BYTES", 3000)
    for i in range(0, 36, 4):
        fill(db, i, 4)
    db.close()
    assert len(audit.segments(folder / "audit.jsonl")) >= 2 and (folder / "audit.jsonl").exists()
    segment = audit.segments(folder / "audit.jsonl")[-1]
    raw = segment.read_bytes()
    segment.write_bytes(raw[:-30])  # a sealed segment is never appended to: a cut one is damage
    problems = run_checks(folder)
    assert len(problems) == 1 and str(segment) in problems[0], problems
    segment.write_bytes(raw)
    assert run_checks(folder) == []
    active = folder / "audit.jsonl"
    raw = active.read_bytes()
    active.write_bytes(raw[:-30])  # below the head the manifest recorded at the close
    problems = run_checks(folder)
    assert problems and any("audit.jsonl" in p for p in problems), problems


def test_a_failed_append_whose_cut_back_failed_too_is_cut_before_the_retry(tmp_path, monkeypatch):
    """The disk fills half-way through the append and the cut-back fails as well: the retry (the next
    transaction's) must not write its batch after the half line."""
    import errno

    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    ids = fill(db, 0, 3)
    real_write, real_ftruncate = audit.write_all, os.ftruncate
    failing = {"write": True, "ftruncate": True}

    def write_all(fd, data):
        if failing.pop("write", False):
            real_write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(fd, data)

    def ftruncate(fd, length):
        if failing.pop("ftruncate", False):
            raise OSError(errno.EIO, "Input/output error")
        real_ftruncate(fd, length)

    proxy = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    proxy.ftruncate = ftruncate
    monkeypatch.setattr(audit, "write_all", write_all)
    monkeypatch.setattr(audit, "os", proxy)
    ids += fill(db, 100, 5)  # committed (journalled); its audit append failed and stays owed
    assert db._audit_behind and not failing
    ids += fill(db, 200, 2)  # the retry appends both batches, in order
    assert not db._audit_behind
    db._release_lock()
    _all_present(folder, ids)
