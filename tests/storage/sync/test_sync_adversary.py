"""A province and three UPTs, one of them malicious, through the real export/import code (issue 11).

UPT-M holds a valid key and writes anything into its own folder past the local check: any record it
has or can name (another UPT's member, the province's rates, settings, offices, payout items, a new
office), any field, under any dot (its own, the province's replica id, another UPT's, a reused one),
any clock (up to 2^64-1) and any version vector; then it sends ordinary bundles. The honest offices
(the province, UPT-A, UPT-B) edit within their rights and exchange bundles in any order.

After any sequence: no honest import crashes or refuses a bundle; the honest offices agree (each UPT
holds exactly the province's copy of its scope); no honest office holds a value the malicious office
had no right to write (every forged value carries the marker 666); and honest work still lands.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from storage.core.db import PROVINCE_CODE, Database
from storage.sync import engine
from tests.support.network import make_network

J, A, B, M = PROVINCE_CODE, "UPT-A", "UPT-B", "UPT-M"
HONEST = (J, A, B)
MARK = 666
# record -> (collection, owner, offices named by its assignments)
RECORDS = {
    "a0": ("members", A, (A,)),
    "ab": ("members", A, (A, B)),
    "am": ("members", A, (A, M)),      # A's member who also serves at M: M may change only its assignment
    "b0": ("members", B, (B,)),
    "m0": ("members", M, (M,)),        # M's own
    "j0": ("members", J, (A,)),
    "o0": ("offices", J, ()),
    "r0": ("rates", J, ()),
    "s0": ("settings", J, ()),
    "p0": ("payouts_2024", J, ()),
    "e0": ("events", J, ()),
}
IDS = {k: f"00000000-0000-4000-8000-{i:012d}" for i, k in enumerate(sorted(RECORDS))}
NEW_ID = "00000000-0000-4000-8000-999999999999"


class AdversaryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="pilar-adv-"))
        paths = make_network(self.root, (A, B, M))
        self.dbs = {c: Database.open(p, operator=f"op-{c}") for c, p in paths.items()}
        self.usb = self.root / "usb"
        self.bundles: list[tuple[str, str, Path]] = []
        self.n = 0
        with self.dbs[J].transaction("test.setup") as tx:
            for rec, (collection, owner, _named) in RECORDS.items():
                tx.put(collection, self._value(rec, "init", 0), owner=owner)
        for upt in (A, B, M):
            engine.import_bundle(self.dbs[upt], engine.export_bundle(self.dbs[J], upt, self.usb).path)

    def _value(self, rec, who, n):
        collection, owner, named = RECORDS[rec]
        return {"id": IDS[rec], "name": f"{rec}-{who}", "n": n, "office": owner, "code": rec,
                "assignments": [{"id": f"{rec}-{o}", "office": o, "pillar": "TKSK", "n": 0} for o in named]}

    def teardown(self) -> None:
        try:
            self.final_check()
        finally:
            for db in self.dbs.values():
                db.close()
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ honest work

    @rule(office=st.sampled_from(HONEST), rec=st.sampled_from(sorted(RECORDS)), n=st.integers(0, 5))
    def honest_edit(self, office, rec, n):
        collection, owner, named = RECORDS[rec]
        db = self.dbs[office]
        current = db.get(collection, IDS[rec])
        if current is None:
            return
        if office in (J, owner):
            value = dict(current, n=n, name=f"{rec}-{office}-{n}")
        elif office in named and collection == "members":
            value = dict(current, assignments=[dict(a, n=n) if a["office"] == office else a
                                               for a in current["assignments"]])
        else:
            return
        from storage.core.errors import PilarError
        try:
            with db.transaction("test.edit") as tx:
                tx.put(collection, value)
        except PilarError as err:
            assert err.key.startswith("authority."), err.key

    @rule(upt=st.sampled_from((A, B)), up=st.booleans(), mode=st.sampled_from(("auto", "full")))
    def honest_exchange(self, upt, up, mode):
        frm, to = (upt, J) if up else (J, upt)
        path = engine.export_bundle(self.dbs[frm], to, self.usb, mode=mode).path
        self.bundles.append((frm, to, path))
        engine.import_bundle(self.dbs[to], path)  # never raises

    @precondition(lambda self: self.bundles)
    @rule(data=st.data())
    def replay(self, data):
        frm, to, path = data.draw(st.sampled_from(self.bundles))
        engine.import_bundle(self.dbs[to], path)  # stale or repeated: still never raises

    # ------------------------------------------------------------------ the adversary

    @rule(rec=st.sampled_from(sorted(RECORDS) + ["new"]),
          how=st.sampled_from(("field", "bank", "assign_self", "move", "delete", "pad")),
          dot=st.sampled_from(("own", "province", "upt_a", "reuse", "unseen")),
          clock=st.sampled_from(("ok", "max64", "future")),
          vv=st.sampled_from(("ok", "inflate_province", "inflate_a", "cycle")),
          office_field=st.sampled_from((M, J, A)))
    def forge(self, rec, how, dot, clock, vv, office_field):
        mdb = self.dbs[M]
        if rec == "new":
            collection, rid, owner = ("offices", NEW_ID, M) if how != "bank" else ("members", NEW_ID, A)
            held = None
        else:
            collection, owner, _named = RECORDS[rec]
            rid = IDS[rec]
            held = mdb.doc(collection, rid) or self.dbs[J].doc(collection, rid)  # M may read it anyway
        base = copy.deepcopy(held["v"][0]) if held else {
            "dot": [mdb.replica_id, 1], "vv": {}, "hlc": mdb.hlc.tick(), "office": M, "operator": "m",
            "deleted": False, "data": {"name": "x", "code": "UPT-EVIL", "assignments": []}}
        data = copy.deepcopy(base["data"]) or {"name": "x"}
        if rec == "m0" and how == "field":
            data["n"] = 1  # a right M has: its own member, no marker
            marked = False
        else:
            marked = True
            if how in ("field", "pad"):
                data["n"] = MARK
                data["amount"] = MARK
            elif how == "bank":
                data["bank"] = {"account": str(MARK) * 3, "holder": "M"}
            elif how == "assign_self":
                data.setdefault("assignments", []).append({"id": "evil", "office": M, "pillar": "TKSK", "n": MARK})
                data["n"] = MARK
            elif how == "move":
                data["assignments"] = [dict(a, office=M, n=MARK) for a in data.get("assignments", [])] or \
                    [{"id": "evil", "office": M, "n": MARK}]
                data["n"] = MARK
        self.n += 1
        counter = mdb.counter + 1 + self.n
        r = {"own": mdb.replica_id, "province": self.dbs[J].replica_id, "upt_a": self.dbs[A].replica_id,
             "reuse": base["dot"][0], "unseen": self.dbs[J].replica_id}[dot]
        c = base["dot"][1] if dot == "reuse" else (counter + 10 ** 6 if dot == "unseen" else counter)
        version_vv = dict(base["vv"])
        if vv == "inflate_province":
            version_vv[self.dbs[J].replica_id] = 10 ** 9
        elif vv == "inflate_a":
            version_vv[self.dbs[A].replica_id] = 10 ** 9
        version_vv[r] = c
        hlc = {"ok": mdb.hlc.tick(), "max64": 2 ** 64 - 1, "future": (4102444800000 << 16)}[clock]
        v = {"dot": [r, c], "vv": version_vv, "hlc": hlc, "office": office_field, "operator": "m",
             "deleted": how == "delete", "data": {} if how == "delete" else data}
        if how == "delete":
            marked = True
            v["data"] = {"n": MARK}
        versions = [v]
        if how == "pad" and held:
            stale = copy.deepcopy(held["v"][0])
            stale["dot"] = [stale["dot"][0], stale["dot"][1] + 5000]
            stale["vv"] = dict(stale["vv"], **{stale["dot"][0]: stale["dot"][1]})
            stale["data"] = dict(stale["data"], n=MARK)
            versions.append(stale)
        if vv == "cycle" and held:
            other = copy.deepcopy(held["v"][0])
            other["vv"] = dict(other["vv"], **{r: c})
            v["vv"] = dict(v["vv"], **{other["dot"][0]: other["dot"][1]})
            other["data"] = dict(other["data"], n=MARK)
            versions.append(other)
        doc = {"id": rid, "kind": mdb.raw(collection) and next(iter(mdb.raw(collection).values()))["kind"]
               or {"members": "member", "offices": "office"}.get(collection, "payout"),
               "owner": owner if rec != "new" else M, "v": versions}
        if not marked:
            # M's lawful edit: its own member through its own folder
            value = dict(mdb.get("members", rid) or {}, n=1)
            if value.get("id"):
                with mdb.transaction("m.edit") as tx:
                    tx.put("members", value)
        else:
            with mdb.transaction("forge") as tx:
                tx.put_doc(collection, doc)
        from storage.sync.bundle import BundleError

        try:
            engine.import_bundle(self.dbs[J], engine.export_bundle(mdb, J, self.usb, mode="full").path)
        except BundleError as err:
            # a malformed record (a dot missing from its own vector) makes M's bundle unsound: refused
            # whole, which costs only M; every other forgery is refused record by record
            assert err.reason == "schema", err.reason
        engine.import_bundle(mdb, engine.export_bundle(self.dbs[J], M, self.usb).path)

    # ------------------------------------------------------------------ checks

    @invariant()
    def no_forged_value_at_honest_offices(self):
        for code in HONEST:
            db = self.dbs[code]
            for c in db.collections():
                for doc in db.raw(c).values():
                    for v in doc["v"]:
                        assert v["hlc"] < 2 ** 62, (code, doc["id"])
                        assert MARK not in (v["data"].get("n"), v["data"].get("amount")), (code, c, doc["id"])
                        if not (c == "members" and doc["id"] == NEW_ID and doc["owner"] == M):
                            # (M's own new member may carry any account: that is its right)
                            assert str(MARK) * 3 not in str(v["data"].get("bank")), (code, doc["id"])
                        for a in v["data"].get("assignments", []) or []:
                            assert a.get("n") != MARK, (code, doc["id"])
                    assert doc["v"], (code, doc["id"])
            assert db.hlc.last < 2 ** 62
            assert db.replica_id  # never rotated to nothing

    def final_check(self):
        dbs = self.dbs
        for _ in range(2):
            for upt in (A, B):
                engine.import_bundle(dbs[J], engine.export_bundle(dbs[upt], J, self.usb).path)
            for upt in (A, B):
                engine.import_bundle(dbs[upt], engine.export_bundle(dbs[J], upt, self.usb).path)
        prov = dbs[J]
        for upt in (A, B):
            in_scope = engine.scope_of(prov, upt)
            db = dbs[upt]
            for c in prov.collections():
                for rid, doc in prov.raw(c).items():
                    if in_scope(c, doc):
                        assert db.raw(c).get(rid) == doc, (upt, c, rid)
        # honest work still lands: A changes its member and the province sees it, B sees the province's
        with dbs[A].transaction("test.last") as tx:
            tx.put("members", dict(dbs[A].get("members", IDS["a0"]) or self._value("a0", "x", 0), n=4242))
        res = engine.import_bundle(dbs[J], engine.export_bundle(dbs[A], J, self.usb).path)
        assert not res.refused
        assert prov.get("members", IDS["a0"])["n"] == 4242
        self.no_forged_value_at_honest_offices()


SOAK = os.environ.get("PILAR_SOAK") == "1"

TestAdversary = AdversaryMachine.TestCase
TestAdversary.settings = settings(max_examples=30, stateful_step_count=25, deadline=None,
                                  suppress_health_check=list(HealthCheck))


class AdversaryMachineSoak(AdversaryMachine):
    pass


TestAdversarySoak = pytest.mark.skipif(not SOAK, reason="soak test: make soak (PILAR_SOAK=1)")(
    pytest.mark.slow(AdversaryMachineSoak.TestCase))
TestAdversarySoak.settings = settings(max_examples=200, stateful_step_count=40, deadline=None,
                                      suppress_health_check=list(HealthCheck))
