"""Records staged by their bytes (``Transaction.put_line``, ``db.Line``; issue 25): a full bundle's import holds
each record as the line it came in, not as a parsed document. What is journalled, written and held is what
``put_doc`` with the same document and line gives, byte for byte, in a bulk commit and in a small one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import storage.core.db as dbm
from storage.core import audit
from storage.core.db import PROVINCE_CODE, Database, Line, read_journal


def _source(tmp_path: Path, n: int = 30) -> list[dict]:
    """Documents as another office holds them (several versions for one, a deleted one)."""
    folder = tmp_path / "src"
    Database.init(folder, "UPT-A", "UPT A", operator="op-a").close()
    with Database.open(folder, operator="op-a") as db:
        with db.transaction("test.add") as tx:
            for i in range(n):
                tx.put("members", {"id": f"m-{i:03d}", "name": f"ANGGOTA {i}", "nik": f"3509{i:012d}",
                                   "assignments": [{"pillar": "TKSK", "status": "ACTIVE", "office": "UPT-A"}]})
        with db.transaction("test.edit") as tx:
            tx.put("members", dict(tx.get("members", "m-001"), name="ANGGOTA SATU"))
            tx.delete("members", "m-002")
        return [db.doc("members", f"m-{i:03d}") for i in range(n)]


def _province(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    if not (tmp_path / "empty").exists():
        Database.init(tmp_path / "empty", PROVINCE_CODE, "Jawa Timur", province=True, operator="op-j").close()
    shutil.copytree(tmp_path / "empty", folder, ignore=shutil.ignore_patterns(".lock", "lock.json"))
    return folder


def _commit(folder: Path, docs: list[dict], monkeypatch, as_lines: bool) -> tuple[bytes, dict]:
    """The journal line the commit appends and what the folder holds after it (files, records)."""
    appended: list[bytes] = []
    real = dbm.append_durable

    def spy(path, data):
        if path.name == "journal.jsonl":
            appended.append(data if isinstance(data, bytes) else b"".join(data))
        return real(path, data)

    monkeypatch.setattr(dbm, "append_durable", spy)
    monkeypatch.setattr(dbm, "now_iso", lambda: "2026-12-08T03:00:00+00:00")  # (the line's and its note's time)
    monkeypatch.setattr(audit, "timestamp", lambda: "2026-12-08T03:00:00+00:00")
    with Database.open(folder, operator="op-j") as db:
        with db.transaction("sync.import") as tx:
            for doc in docs:
                line = dbm._dumps(doc)
                if as_lines:
                    assert tx.put_line("members", Line(doc, line))
                else:
                    assert tx.put_doc("members", doc, raw=line)
            if as_lines:
                assert all(type(staged) is Line for staged in tx.docs.values())
                assert tx.line_bytes == sum(len(dbm._dumps(d)) for d in docs)
            tx.note("sync.import", "bundle", "b-1")
        held = {rid: doc for rid, doc in db.raw("members").items()}
        values = {v["id"]: v for v in db.values("members")}
        dead = set(db._dead.get("members", ())), set(db._multi.get("members", ()))
        replicas = dict(db.replicas)
    monkeypatch.undo()
    files = {p.name: p.read_bytes().split(b"\n", 1)[1] for p in sorted((folder / "db").iterdir())
             if p.is_file() and p.suffix == ".json" and p.name != "manifest.json"}
    assert len(appended) == 1
    return appended[0], {"files": files, "held": held, "values": values, "noted": dead, "replicas": replicas}


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "small"])
def test_put_line_journals_writes_and_holds_what_put_doc_does(tmp_path, monkeypatch, bulk):
    docs = _source(tmp_path)
    if bulk:  # (the thresholds of a full bundle brought within reach: written from the lines, folded at once)
        monkeypatch.setattr(dbm, "BULK_RAW_BYTES", 0)
        monkeypatch.setattr(dbm, "BULK_INSTALL_RECORDS", 1)
    line_a, after_a = _commit(_province(tmp_path, "a"), docs, monkeypatch, as_lines=False)
    if bulk:
        monkeypatch.setattr(dbm, "BULK_RAW_BYTES", 0)
        monkeypatch.setattr(dbm, "BULK_INSTALL_RECORDS", 1)
    line_b, after_b = _commit(_province(tmp_path, "b"), docs, monkeypatch, as_lines=True)
    assert line_b == line_a
    assert after_b == after_a
    assert after_b["noted"] == ({"m-002"}, set())
    assert len(after_b["held"]) == len(docs)
    # folded (at once in bulk, else at the close): the journal emptied
    assert read_journal(tmp_path / "b" / "journal.jsonl")[0] == []


def test_a_line_replaced_in_its_transaction_no_longer_counts(tmp_path, monkeypatch):
    docs = _source(tmp_path, 3)
    folder = _province(tmp_path, "p")
    with Database.open(folder, operator="op-j") as db:
        with db.transaction("sync.import", system=True) as tx:
            assert tx.put_line("members", Line(docs[0], dbm._dumps(docs[0])))
            assert not tx.put_line("members", Line(docs[0], dbm._dumps(docs[0])))  # the same record again
            assert tx.get("members", "m-000")["name"] == "ANGGOTA 0"
            tx.put("members", dict(tx.get("members", "m-000"), name="LAIN"))
            assert tx.line_bytes == 0 and type(tx.docs[("members", "m-000")]) is dict
        assert db.value("members", "m-000")["name"] == "LAIN"
        assert len(db.doc("members", "m-000")["v"]) == 1
