"""The sync state machine (tests/test_sync_stateful.py) with erasures of personal data (issue 27).

The province erases members at random moments while the offices edit, delete, export and import in
any order, twice or stale. Checked after every import: a document holding an erasure holds nothing
else (no stale bundle or concurrent edit brings a sibling with the data back). Checked at the end,
after the final round: every record the province erased is, at every office that holds it, one
erased tombstone with no field but the marker; the offices converge as before. Writes on a record
that was erased are exempt from "no write lost": the erasure wins by design.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from storage.core.errors import PilarError
from storage.core.versions import erased, erasure_of
from storage.privacy import service as P
from tests.storage.sync.test_sync_stateful import IDS, RECORDS, SyncMachine

J = "JATIM"
MEMBERS = sorted(r for r, (c, _o, _n) in RECORDS.items() if c == "members")


class ErasureMachine(SyncMachine):
    def __init__(self) -> None:
        super().__init__()
        self.erased: set[str] = set()

    @rule(rec=st.sampled_from(MEMBERS))
    def erase(self, rec):
        P.erase(self.dbs[J], IDS[rec], "uji")
        self.erased.add(rec)

    @rule(office=st.sampled_from((J, "UPT-A", "UPT-B")), rec=st.sampled_from(sorted(RECORDS)), value=st.integers(0, 3))
    def edit(self, office, rec, value):
        collection = RECORDS[rec][0]
        if erasure_of(self.dbs[office].doc(collection, IDS[rec])) is not None:
            # an erased member cannot be filled in again under its id: the desk says so, nothing is written
            with pytest.raises(PilarError) as err:
                with self.dbs[office].transaction("test.edit") as tx:
                    tx.put(collection, {"id": IDS[rec], "name": f"{rec}-{office}-{value}"})
            assert err.value.key in ("privacy.erased_member", "authority.erased"), err.value.key
            return
        super().edit(office, rec, value)

    @invariant()
    def erasure_stands_alone(self):
        for db in self.dbs.values():
            for c in db.collections():
                for doc in db.raw(c).values():
                    if any(erased(v) for v in doc["v"]):
                        assert all(erased(v) for v in doc["v"]), (db.code, doc["id"])

    def final_round_and_check(self):
        gone = {IDS[r] for r in self.erased}
        # a write on a record erased later (or concurrently) is superseded by the erasure, by design
        self.writes = [(rec, dot) for rec, dot in self.writes if IDS[rec] not in gone]
        super().final_round_and_check()
        for db in self.dbs.values():
            for rid in gone:
                doc = db.raw("members").get(rid)
                if doc is None:
                    continue
                assert len(doc["v"]) == 1 and doc["v"][0]["deleted"], (db.code, rid)
                assert set(doc["v"][0]["data"]) == {"erased"}, (db.code, rid)
            blob = b"".join(p.read_bytes() for p in (db.path / "db").glob("*.json*"))
            for rec in self.erased:
                # the names the machine wrote ("a0-UPT-A-2", "a0-init") are gone from every file
                assert f'"name":"{rec}-'.encode() not in blob, (db.code, rec)
        for rid in gone:
            assert self.dbs[J].get("members", rid) is None


SOAK = os.environ.get("PILAR_SOAK") == "1"

TestErasureSync = ErasureMachine.TestCase
TestErasureSync.settings = settings(max_examples=10, stateful_step_count=20, deadline=None,
                                    suppress_health_check=list(HealthCheck))


class ErasureMachineSoak(ErasureMachine):
    pass


TestErasureSyncSoak = pytest.mark.skipif(not SOAK, reason="soak test: make soak (PILAR_SOAK=1)")(
    pytest.mark.slow(ErasureMachineSoak.TestCase))
TestErasureSyncSoak.settings = settings(max_examples=200, stateful_step_count=60, deadline=None,
                                        suppress_health_check=list(HealthCheck))
