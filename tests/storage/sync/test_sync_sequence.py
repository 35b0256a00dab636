"""Bundle sequence numbers through real bundles: numbered per sender and recipient inside the signed
manifest, gaps reported by the receiver, closed by the next delta, acknowledged back to the sender."""

from __future__ import annotations

import orjson
import pytest

from storage.core.db import PROVINCE_CODE, Database
from storage.sync import engine, sequence
from tests.support.network import make_network

A, J = "UPT-A", PROVINCE_CODE


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    yield dbs, tmp_path
    for db in dbs.values():
        db.close()


def add_member(db, name):
    with db.transaction("test.edit") as tx:
        return tx.put("members", {"nik": "", "name": name, "kab": "35.09", "assignments": [
            {"pillar": "TAGANA", "position": "ANGGOTA", "office": A, "status": "ACTIVE"}]}, owner=A)



def test_numbers_gap_closes_by_itself_and_ack_reaches_the_sender(net):
    dbs, tmp = net
    upt, prov = dbs[A], dbs[J]
    paths = []
    for i in range(4):
        add_member(upt, f"ANGGOTA {i}")
        paths.append(engine.export_bundle(upt, J, tmp / "usb").path)
    assert [engine.manifest_of(prov, p)["seq"] for p in paths] == [1, 2, 3, 4]
    # bundle 2 is lost on the way; 1, 3 and 4 arrive (4 before 3)
    for p in (paths[0], paths[3], paths[2]):
        engine.import_bundle(prov, p)
    gaps = sequence.gaps(prov)
    assert [(g["office"], g["missing"], g["highest"]) for g in gaps] == [(A, [2], 4)]
    # every later bundle was made since what the province had acknowledged (nothing yet: full), so it
    # carried member 1 of the lost bundle
    assert gaps[0]["gaps"][0]["closed_by"] == 3 and gaps[0]["closed"]
    names = {v["name"] for v in prov.values("members")}
    assert {"ANGGOTA 0", "ANGGOTA 1", "ANGGOTA 2", "ANGGOTA 3"} <= names
    # the province's next bundle says what it got; the UPT learns bundle 2 never arrived
    back = engine.export_bundle(prov, A, tmp / "usb").path
    m = engine.manifest_of(upt, back)  # sealed to the UPT (bundle format 2)
    assert m["seq"] == 1 and m["seq_ack"] == {"max": 4, "missing": [2]}
    engine.import_bundle(upt, back)
    (row,) = sequence.unacknowledged(upt)
    assert (row["office"], row["last"], row["acked"], row["missing"]) == (J, 4, 4, [2])
    # a UPT's received numbers from the province: 1, no gap
    assert sequence.gaps(upt) == []


def test_gap_not_closed_when_the_later_bundle_claims_more_than_was_sent(net):
    dbs, tmp = net
    upt, prov = dbs[A], dbs[J]
    add_member(upt, "SATU")
    engine.import_bundle(prov, engine.export_bundle(upt, J, tmp / "usb").path)
    engine.import_bundle(upt, engine.export_bundle(prov, A, tmp / "usb").path)          # province's 1
    lost = engine.export_bundle(prov, A, tmp / "usb").path                          # province's 2: lost
    state = sequence.read(upt.path)
    # the province's next delta is made since a vector this UPT never sent (as if it went back in time)
    peers = engine.read_peers(prov.path)
    peers[A]["vv"] = dict(peers[A]["vv"], **{upt.replica_id: 10**6})
    (prov.path / engine.PEERS_FILE).write_bytes(orjson.dumps(peers))
    third = engine.export_bundle(prov, A, tmp / "usb").path
    assert engine.manifest_of(upt, third)["seq"] == 3 and lost.exists()
    engine.import_bundle(upt, third)
    (gap,) = sequence.gaps(upt)
    assert gap["missing"] == [2] and gap["gaps"][0]["closed_by"] is None and not gap["closed"]
    assert state["sent"][J]["last"] == 1


def test_malformed_numbers_in_a_signed_manifest_are_ignored(net):
    dbs, _ = net
    prov = dbs[J]
    for m in ({"seq": "7", "seq_ack": {"max": "x"}}, {"seq": -1, "seq_ack": [1]},
              {"seq": 2**40, "since_vv": {"r": "a"}}, {"seq": 3, "since_vv": {"r": "a"},
                                                      "seq_ack": {"max": 5, "missing": ["a", 2, 9]}}):
        sequence.received(prov, {"sender": {"code": A}, "bundle_id": "b", **m})
    state = sequence.read(prov.path)
    assert state["received"][A]["seqs"] == [[3, 3]] and not state["received"][A]["bundles"]["3"]["closes"]
    assert state["sent"][A]["acked"] == 5 and state["sent"][A]["missing"] == [2]


def test_a_made_up_number_far_ahead_is_not_believed(net):
    """A UPT signs its own manifest: a number of 2^31 - 1 must not make the province report two
    billion missing bundles (or build them in memory) on its dashboard and in its next bundle."""
    dbs, _ = net
    prov = dbs[J]
    sequence.received(prov, {"sender": {"code": A}, "bundle_id": "b1", "seq": 1})
    sequence.received(prov, {"sender": {"code": A}, "bundle_id": "bx", "seq": sequence.MAX_SEQ - 1})
    sequence.received(prov, {"sender": {"code": A}, "bundle_id": "b3", "seq": 3})
    assert sequence.read(prov.path)["received"][A]["seqs"] == [[1, 1], [3, 3]]
    assert [(g["office"], g["missing"]) for g in sequence.gaps(prov)] == [(A, [2])]
    assert sequence.stamp(prov, A)["seq_ack"] == {"max": 3, "missing": [2]}
