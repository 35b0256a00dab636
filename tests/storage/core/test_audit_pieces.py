"""A transaction's audit entries expanded and written a few MB at a time (issue 25: a quarterly run's
100,000 creations were expanded and joined at once, 400 MB of the run's peak at 100k)."""

from __future__ import annotations

from storage import sample
from storage.core import audit
from storage.core.db import Database

MEMBERS = [dict(m, assignments=[dict(a, office="UPT-PSTW-JEMBER") for a in m["assignments"]])
           for m in sample.members()[:40]]


def test_an_audit_batch_written_in_pieces_is_one_whole_chain(tmp_path, monkeypatch):
    monkeypatch.setattr(audit, "AUDIT_WRITE_BYTES", 2000)
    db = Database.init(tmp_path / "data", "UPT-PSTW-JEMBER", "UPT Jember", operator="Siti")
    with db.transaction("test.load") as tx:
        for m in MEMBERS:
            tx.put("members", m)
    db.close()
    log = audit.AuditLog(tmp_path / "data" / "audit.jsonl")
    log.load()
    assert log.verify() == []
    created = [e for e in log.lines() if e.get("action") == "test.load"]
    assert len(created) == len(MEMBERS) and created[-1]["end"] is True
    assert {e["id"] for e in created} == {m["id"] for m in MEMBERS}
    by_id = {e["id"]: e for e in created}
    for m in MEMBERS:  # each creation filled in with the member's fields (the NIK masked, as always)
        changes = by_id[m["id"]]["changes"]
        assert changes["name"] == [None, m["name"]] and changes["nik"] == [None, "*" * 12 + m["nik"][-4:]]
