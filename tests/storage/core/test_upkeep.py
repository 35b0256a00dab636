"""Work a big action leaves for a quiet moment: its audit entries and the journal's compaction.

A quarterly run commits 50,000 items at once. Its audit entries are journalled as pointers to the
documents (filled in when appended to audit.jsonl) and, past ``AUDIT_INLINE_ENTRIES``, appended by
``Database.upkeep`` (the app's idle timer, or ``close``) rather than before the user sees the result.
These tests prove nothing is lost or changed by that: every reader sees the entries, a kill before
the upkeep leaves them to the next open, and the chain stays whole.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import storage.core.db as dbm
from storage.core import audit
from storage.core.db import Database
from storage.payouts import NAMESPACE, uuid5_str
from tests.support.pilot import run_async

ROOT = Path(__file__).resolve().parents[3]


def raw_audit(folder: Path) -> list[dict]:
    """audit.jsonl as it is on disk (not through ``Database.audit``, which writes owed entries first)."""
    path = folder / "audit.jsonl"
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line] if path.exists() else []


def members(n: int, start: int = 0) -> list[dict]:
    return [{"id": f"m{i:05d}", "name": f"Anggota {i}", "nik": f"3578{i:012d}",
             "bank": {"name": "Bank Jatim", "account": f"00{i:08d}"}} for i in range(start, start + n)]


@pytest.fixture
def small_batches(monkeypatch):
    """Transactions of more than 5 entries count as big."""
    monkeypatch.setattr(dbm, "AUDIT_INLINE_ENTRIES", 5)


def test_a_creation_is_logged_with_every_field_masked(tmp_path):
    db = Database.init(tmp_path / "o", "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.add") as tx:
        tx.put("members", members(1)[0])
    journal = orjson.loads(db.journal_path.read_bytes().splitlines()[-1].partition(b" ")[2])
    # The journal keeps a pointer, not a second copy of the record's fields.
    assert journal["audit"][0]["of"] == "members" and "changes" not in journal["audit"][0]
    [line] = raw_audit(tmp_path / "o")
    assert "of" not in line
    assert line["changes"]["name"] == [None, "Anggota 0"]
    assert line["changes"]["nik"] == [None, "************0000"]
    assert line["changes"]["bank.account"] == [None, "******0000"]
    assert line["changes"] == audit.diff(None, {k: v for k, v in members(1)[0].items() if k != "id"})
    db.close()


def test_created_then_changed_in_one_transaction_keeps_both_steps(tmp_path):
    """The creation line shows the first values, the next line the change (not the final state twice)."""
    db = Database.init(tmp_path / "o", "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.import") as tx:
        tx.put("members", {"id": "a", "name": "Awal", "kab": "35.09"})
        tx.put("members", {"id": "a", "name": "Akhir", "kab": "35.09"})
        tx.put("members", {"id": "b", "name": "Hapus"})
        tx.delete("members", "b", reason="salah input")
    lines = raw_audit(tmp_path / "o")
    assert [(e["id"], e["action"]) for e in lines] == [("a", "roster.import"), ("a", "roster.import"),
                                                       ("b", "roster.import"), ("b", "delete")]
    assert lines[0]["changes"] == {"name": [None, "Awal"], "kab": [None, "35.09"]}
    assert lines[1]["changes"] == {"name": ["Awal", "Akhir"]}
    assert lines[2]["changes"] == {"name": [None, "Hapus"]}
    assert lines[3]["changes"] == {"name": ["Hapus", None]} and lines[3]["note"] == "salah input"
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_a_big_transaction_is_audited_by_upkeep_and_every_reader_sees_it(tmp_path, small_batches):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.add") as tx:
        tx.put("members", members(1)[0])
    assert len(raw_audit(folder)) == 1 and not db.owes_upkeep  # small: written at once
    with db.transaction("roster.import") as tx:
        for m in members(8, start=1):
            tx.put("members", m)
    assert len(raw_audit(folder)) == 1 and db.owes_upkeep  # left for later
    with db.transaction("roster.edit") as tx:  # a small one behind a big one waits its turn
        tx.put("members", dict(members(1)[0], name="Ganti"))
    assert len(raw_audit(folder)) == 1
    # A reader of the log gets every entry, in commit order.
    history = db.audit.for_record("m00000")
    assert [e["changes"].get("name") for e in history] == [[None, "Anggota 0"], ["Anggota 0", "Ganti"]]
    assert len(raw_audit(folder)) == 10 and not db.owes_upkeep
    assert [e["seq"] for e in raw_audit(folder)] == [1] + [2] * 8 + [3]
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_upkeep_and_close_write_what_is_owed(tmp_path, small_batches):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.import") as tx:
        for m in members(8):
            tx.put("members", m)
    db.upkeep()
    assert len(raw_audit(folder)) == 8 and not db.owes_upkeep
    with db.transaction("roster.import") as tx:
        for m in members(8, start=8):
            tx.put("members", m)
    db.close()
    assert len(raw_audit(folder)) == 16
    again = Database.open(folder, read_only=True)
    assert again.audit.verify(again.manifest.get("audit")) == []


def test_a_kill_before_upkeep_loses_no_audit_entry(tmp_path):
    folder = tmp_path / "o"
    code = f"""
import os
import storage.core.db as dbm
from storage.core.db import Database
dbm.AUDIT_INLINE_ENTRIES = 5
db = Database.init({str(folder)!r}, "UPT-X", "UPT X", operator="Siti")
with db.transaction("roster.import") as tx:
    for i in range(40):
        tx.put("members", {{"id": f"m{{i:03d}}", "name": f"Anggota {{i}}", "nik": f"3578{{i:012d}}"}})
os._exit(0)  # killed before any upkeep: the entries are only in the journal
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert raw_audit(folder) == []
    db = Database.open(folder)
    lines = raw_audit(folder)
    assert [e["id"] for e in lines] == [f"m{i:03d}" for i in range(40)]
    assert all(e["changes"]["nik"][1].startswith("*") and e["changes"]["name"][1] for e in lines)
    assert db.audit.verify(db.manifest.get("audit")) == []
    db.close()


def test_compaction_waits_for_upkeep_until_the_journal_is_far_too_big(tmp_path, monkeypatch):
    monkeypatch.setattr(dbm, "JOURNAL_COMPACT_BYTES", 2_000)
    monkeypatch.setattr(dbm, "JOURNAL_FORCE_BYTES", 20_000)
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.import") as tx:
        for m in members(20):
            tx.put("members", m)
    size = db.journal_path.stat().st_size
    assert 2_000 < size < 20_000 and db.owes_upkeep
    db.upkeep()
    assert db.journal_path.stat().st_size == 0 and not db.owes_upkeep
    with db.transaction("roster.import") as tx:  # past the hard limit: folded by the commit itself
        for m in members(200, start=20):
            tx.put("members", m)
    assert db.journal_path.stat().st_size == 0
    db.close()
    assert Database.open(folder, read_only=True).count("members") == 220


@given(st.text(min_size=0, max_size=80))
def test_item_ids_are_exactly_uuid5(name):
    assert uuid5_str(name) == str(uuid.uuid5(NAMESPACE, name))


@run_async
async def test_the_app_does_the_upkeep_when_the_clerk_is_idle(tmp_path, monkeypatch):
    from tui.app import PilarApp

    monkeypatch.setattr(dbm, "AUDIT_INLINE_ENTRIES", 5)
    monkeypatch.setattr(PilarApp, "UPKEEP_IDLE_SECONDS", 0.2)
    folder = tmp_path / "o"
    Database.init(folder, "UPT-X", "UPT X", operator="Siti").close()
    app = PilarApp(folder, operator="Siti")
    async with app.run_test() as pilot:
        with app.db.transaction("roster.import") as tx:
            for m in members(8):
                tx.put("members", m)
        assert raw_audit(folder) == [] and app.db.owes_upkeep
        for _ in range(40):
            await pilot.pause(0.1)
            if not app.db.owes_upkeep:
                break
        assert [e["id"] for e in raw_audit(folder)] == [m["id"] for m in members(8)]


def test_commit_listeners_run_outside_the_write_lock(tmp_path):
    """A listener may wait for another thread (the app's event loop) that needs the lock: no deadlock."""
    import threading

    db = Database.init(tmp_path / "o", "UPT-X", "UPT X", operator="Siti")
    finished = []

    def listener(collection, ids):
        other = threading.Thread(target=db.upkeep)
        other.start()
        other.join(timeout=5)
        finished.append(not other.is_alive())

    db.listeners.append(listener)
    with db.transaction("roster.add") as tx:
        tx.put("members", members(1)[0])
    assert finished == [True]
    db.close()


def test_an_index_registered_after_opening_is_whole_even_after_a_write(tmp_path):
    """A write before the first lookup must not leave the late index holding only that record."""
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.import") as tx:
        for m in members(3):
            tx.put("members", m)
    db.close()
    db = Database.open(folder)
    dbm.register_index("members", "test_bank", lambda v: (v.get("bank") or {}).get("name") or None)
    try:
        with db.transaction("roster.add") as tx:
            tx.put("members", members(1, start=3)[0])
        assert db.lookup("members", "test_bank", "Bank Jatim") == ["m00000", "m00001", "m00002", "m00003"]
        with db.transaction("roster.edit") as tx:
            tx.put("members", dict(members(1)[0], bank={"name": "BRI", "account": "0011223344"}))
        assert db.lookup("members", "test_bank", "BRI") == ["m00000"]
        assert "m00000" not in db.lookup("members", "test_bank", "Bank Jatim")
    finally:
        dbm._INDEXES["members"].pop("test_bank", None)
        db.close()
