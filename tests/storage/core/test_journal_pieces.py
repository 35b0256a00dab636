"""A big transaction's journal line written in pieces (issue 25: a quarterly run's line is 80 MB at
100,000 members; joined and copied once more for its checksum it was held twice): the line on disk is
one line whose checksum covers it, it reads back as the transaction, and the next open replays it."""

from __future__ import annotations

import hashlib
import shutil

import orjson

import storage.core.db as dbm
from storage.core.db import Database, read_journal


def _members(n: int, tag: str) -> list[dict]:
    return [{"id": f"m-{tag}-{i:04d}", "name": f"Anggota {tag} {i}", "nik": f"3578{i:012d}",
             "bank": {"name": "Bank Jatim", "account": f"00{i:08d}"}, "rev": i} for i in range(n)]


def _appends(monkeypatch) -> list[str]:
    kinds = []
    real = dbm.append_durable

    def spy(path, data):
        kinds.append("whole" if isinstance(data, (bytes, bytearray, memoryview)) else "pieces")
        return real(path, data)

    monkeypatch.setattr(dbm, "append_durable", spy)
    return kinds


def test_a_big_transaction_s_line_is_written_in_pieces_and_replayed(tmp_path, monkeypatch):
    folder = tmp_path / "d"
    Database.init(folder, "UPT-X", "UPT X", operator="op").close()
    monkeypatch.setattr(dbm, "PIECED_JOURNAL_RECORDS", 100)
    monkeypatch.setattr(dbm, "RAW_BATCH", 7)
    monkeypatch.setattr(dbm, "KEPT_PIECE_BYTES", 2000)  # a few pieces kept, the others serialised again
    kinds = _appends(monkeypatch)
    db = Database.open(folder, operator="op")
    with db.transaction("test.small") as tx:
        for m in _members(10, "a"):
            tx.put("members", m)
    with db.transaction("test.big") as tx:
        for m in _members(80, "b"):  # 80 records and 80 audit entries
            tx.put("members", m, given=True)
        tx.delete("members", "m-a-0003")
        tx.note("test.big", "run", "r1", note="80 created")
    assert kinds == ["whole", "pieces"]
    raw = db.journal_path.read_bytes()
    lines = raw.split(b"\n")
    assert len(lines) == 3 and lines[2] == b""
    checksum, _, body = lines[1].partition(b" ")
    assert hashlib.sha256(body).hexdigest()[:16].encode() == checksum
    entries, good = read_journal(db.journal_path)
    assert good == len(raw) and [e["action"] for e in entries] == ["test.small", "test.big"]
    big = entries[1]
    assert len(big["ops"]["members"]) == 81 and len(big["audit"]) == 82
    assert big["audit"][-1]["note"] == "80 created" and big["audit"][-2]["action"] == "delete"
    # the same object as the line written whole (only the order of its keys differs)
    assert orjson.loads(body) == big and set(big) == {"seq", "action", "ts", "operator", "ctr", "hlc", "ops", "audit"}
    held = {v["id"]: v for v in db.values("members")}
    # a power cut now: the next open replays both lines to the same records
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".lock"))
    db.close()
    again = Database.open(copy, operator="op")
    assert {v["id"]: v for v in again.values("members")} == held
    assert len(held) == 89 and held["m-b-0079"]["bank"] == {"name": "Bank Jatim", "account": "0000000079"}
    assert "id" not in again.doc("members", "m-b-0005")["v"][0]["data"]  # given: its id taken out, as ever
    assert {e["id"] for e in again.audit.lines() if e["action"] == "test.big"} >= {f"m-b-{i:04d}" for i in range(80)}
    again.close()


def test_a_given_value_is_stored_as_it_is_and_a_copy_is_not_touched(tmp_path):
    folder = tmp_path / "d"
    Database.init(folder, "UPT-X", "UPT X", operator="op").close()
    db = Database.open(folder, operator="op")
    mine, given = _members(2, "c")
    with db.transaction("test") as tx:
        tx.put("members", mine)
        tx.put("members", given, given=True)
        staged = tx.docs[("members", "m-c-0001")]
    assert mine["id"] == "m-c-0000"  # copied: the caller's value as it was
    assert staged["v"][0]["data"] is given and "id" not in given  # handed over: stored as it is
    assert db.get("members", "m-c-0001")["name"] == "Anggota c 1"
    db.close()
