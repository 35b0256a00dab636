"""A record created by a transaction staged as the bytes of its document (``Transaction.put_new``: a
quarterly run's 300,000 new items, issue 25), and the duplicate keys of the NIK index found from the
members' bytes (``Database.duplicate_keys``): the same journal line, files and audit log as ``put``, the
same NIKs as the built index."""

from __future__ import annotations

import itertools
import shutil
import time
import uuid

import orjson
import pytest

import storage.core.db as dbm
from storage.core.db import Database


def _items(n: int) -> list[dict]:
    return [{"id": f"it-{i:04d}", "member_id": f"m-{i:04d}", "pillar": "TAGANA", "gross": 750_000 + i,
             "tax": i % 3, "net": 750_000 + i - i % 3, "bank": {"name": "Bank Jatim", "account": f"00{i:08d}"},
             "note": "kutip \"dua\" \\ garis", "status": "draft"} for i in range(n)]


def _fixed(monkeypatch) -> None:
    numbers = itertools.count(1)
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.0)
    monkeypatch.setattr(dbm, "now_iso", lambda: "2026-12-08T03:00:00+00:00")
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(numbers), version=4))


def _write(folder, monkeypatch, staged: bool, n: int) -> dict[str, bytes]:
    _fixed(monkeypatch)
    db = Database.open(folder, operator="op")
    db.hlc._clock = time.time
    with db.transaction("test.first") as tx:
        tx.put("payouts_2024", {"id": "it-0002", "member_id": "m-0002", "status": "draft"})
    with db.transaction("test.gone") as tx:
        tx.delete("payouts_2024", "it-0002")  # a tombstone: made again under its id (as ``put`` does)
    with db.transaction("test.run") as tx:
        for item in _items(n):
            if staged:
                tx.put_new("payouts_2024", item, owner="JATIM")
            else:
                tx.put("payouts_2024", item, owner="JATIM", given=True)
        tx.note("test.run", "run", "r1", note=f"{n} created")
        if staged:
            assert sum(type(d) is bytes for d in tx.docs.values()) == n - 1  # (the tombstone's put as ever)
    journal = db.journal_path.read_bytes()
    values = {rid: db.get("payouts_2024", rid) for rid in (f"it-{i:04d}" for i in range(n))}
    db.close()
    out = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
           if p.is_file() and p.name != ".lock" and "backups" not in p.parts}
    out["journal before the fold"] = journal
    out["values"] = orjson.dumps(values)
    return out


@pytest.mark.parametrize("n", [40, 300])  # a line written whole; in pieces (PIECED_JOURNAL_RECORDS below)
def test_records_staged_as_bytes_write_what_put_writes(tmp_path, monkeypatch, n):
    monkeypatch.setattr(dbm, "PIECED_JOURNAL_RECORDS", 100)
    monkeypatch.setattr(dbm, "RAW_BATCH", 7)
    monkeypatch.setattr(dbm, "AUDIT_INLINE_ENTRIES", 10)  # the entries appended at the fold, as a run's are
    with monkeypatch.context() as m:
        _fixed(m)
        Database.init(tmp_path / "made", "JATIM", "Dinas Sosial", province=True, operator="op").close()
    out = {}
    for staged in (False, True):  # each on a copy of the same folder at the same path
        shutil.rmtree(tmp_path / "w", ignore_errors=True)
        shutil.copytree(tmp_path / "made", tmp_path / "w")
        with monkeypatch.context() as m:
            out[staged] = _write(tmp_path / "w", m, staged=staged, n=n)
    given, staged = out[False], out[True]
    assert given.keys() == staged.keys() and any(k.startswith("db/payouts_2024.") for k in given)
    for name in given:
        assert staged[name] == given[name], name
    values = orjson.loads(staged["values"])
    assert values["it-0005"]["note"] == "kutip \"dua\" \\ garis" and values["it-0005"]["gross"] == 750_005
    audit_lines = [orjson.loads(line) for line in staged["audit.jsonl"].splitlines()]
    created = [e for e in audit_lines if e.get("action") == "test.run" and e.get("kind") != "run"]
    assert len(created) == n and all("of" not in e and e["changes"] for e in created)


def test_a_failed_commit_leaves_nothing_of_the_staged_records(tmp_path, monkeypatch):
    Database.init(tmp_path / "d", "JATIM", "Dinas Sosial", province=True, operator="op").close()
    db = Database.open(tmp_path / "d", operator="op")

    def full(path, data):
        raise dbm.PilarError("db.io_error", path=str(path), error="No space left on device")

    monkeypatch.setattr(dbm, "append_durable", full)
    with pytest.raises(dbm.PilarError), db.transaction("test.run") as tx:
        for item in _items(5):
            tx.put_new("payouts_2024", item, owner="JATIM")
        assert tx.get("payouts_2024", "it-0003")["gross"] == 750_003  # read back as put's are
    monkeypatch.undo()
    assert db.get("payouts_2024", "it-0003") is None
    db.close()
    db = Database.open(tmp_path / "d", read_only=True)
    assert db.get("payouts_2024", "it-0003") is None
    db.close()


def test_duplicate_keys_from_the_bytes_are_the_index_s(tmp_path):
    Database.init(tmp_path / "d", "JATIM", "Dinas Sosial", province=True, operator="op").close()
    db = Database.open(tmp_path / "d", operator="op")
    members = [{"id": f"m-{i:03d}", "name": f"Anggota {i}", "nik": f"3578{i % 150:012d}"} for i in range(200)]
    members += [
        {"id": "x-nested", "name": "no NIK of its own", "guardian": {"nik": "3578000000000199"}},
        {"id": "x-nested2", "name": "its own and a nested one", "nik": "3578000000000198",
         "guardian": {"nik": "3578000000000001"}},
        {"id": "x-own", "name": "one of the nested", "nik": "3578000000000199"},
        {"id": "x-empty", "nik": ""}, {"id": "x-empty2", "nik": ""},
        {"id": "x-escaped", "nik": "35\"78"}, {"id": "x-escaped2", "nik": "35\"78"},
        {"id": "x-gone", "nik": "3578000000000197"}, {"id": "x-alive", "nik": "3578000000000197"},
        {"id": "x-null", "nik": None},
    ]
    with db.transaction("test.members") as tx:
        for m in members:
            tx.put("members", m)
    with db.transaction("test.gone") as tx:
        tx.delete("members", "x-gone")
    db.close()
    db = Database.open(tmp_path / "d", read_only=True)
    assert db.parts("members") > 1
    found = db.duplicate_keys("members", "nik")
    assert "nik" not in db._idx.get("members", {})  # (no index built for it)
    expected = {k for k, ids in db.index("members", "nik").items() if len(ids) > 1}
    assert found == expected
    assert {"3578000000000001", "35\"78"} <= found and "3578000000000199" not in found
    assert "3578000000000197" not in found and "3578000000000198" not in found
    assert db.duplicate_keys("members", "nik") == expected  # (from the index, once built)
    db.close()
