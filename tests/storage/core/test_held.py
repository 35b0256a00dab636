"""Records at rest as bytes (issue 25, "records at rest" in storage/core/db.py): the collections cut into
parts are held as each record's canonical bytes, parsed when read. What is read, written and sent is the
same document as before, byte for byte; only memory changes."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest

from storage import sample
from storage.core import db as dbm
from storage.core.db import Database, HeldDocs, PilarStorage, _dumps, _slices

OFFICE = "UPT-PSTW-JEMBER"
MEMBERS = [dict(m, assignments=[dict(a, office=OFFICE) for a in m["assignments"]])
           for m in sample.members()[:40]]


def _files(path: Path, prefix: str = "members") -> dict[str, dict]:
    """Every part's documents, read straight from the disk (no Database)."""
    out = {}
    for file in sorted((path / "db").glob(f"{prefix}.*.json")):
        out[file.stem] = PilarStorage(file, file.stem, OFFICE).read()[file.stem]
    return out


def _payloads(path: Path) -> dict[str, bytes]:
    """Each part's payload (the header, which says when it was written, left out)."""
    return {p.name: p.read_bytes().split(b"\n", 1)[1] for p in (path / "db").glob("members.*.json")}


@pytest.fixture
def folder(tmp_path):
    """40 members, one edited, one deleted, one holding two versions (a conflict), one whose document has
    a key Pilar does not write; folded."""
    path = tmp_path / "data"
    db = Database.init(path, OFFICE, "UPT Jember", operator="Siti")
    with db.transaction("test.load") as tx:
        for m in MEMBERS:
            tx.put("members", m)
    with db.transaction("test.edit") as tx:
        value = db.get("members", MEMBERS[1]["id"])
        value["address"] = "Jl. Baru 2"
        tx.put("members", value)
        tx.delete("members", MEMBERS[2]["id"], reason="test")
    doc = db.doc("members", MEMBERS[3]["id"])
    other = copy.deepcopy(doc["v"][0])
    other.update(dot=["replica-b", 1], vv={"replica-b": 1}, office="UPT-B", hlc=other["hlc"] + 1)
    other["data"] = dict(other["data"], phone="+628111")
    odd = dict(db.doc("members", MEMBERS[4]["id"]), note_of_a_later_release=True)
    with db.transaction("test.sync") as tx:
        tx.put_doc("members", dict(doc, v=[doc["v"][0], other]))
        tx.put_doc("members", odd)
    db.close()
    return path


def test_records_read_back_equal_to_the_files_and_a_fold_rewrites_the_same_bytes(folder):
    on_disk = _files(folder)
    before = _payloads(folder)
    db = Database.open(folder, operator="Siti")
    db.load_all()
    held = db._docs["members"]
    assert all(type(b) is bytes for b in held.values())
    assert all(type(b) is bytes for n, t in db._pdocs.items() if n.startswith("members.") for b in t.values())
    flat = {rid: doc for docs in on_disk.values() for rid, doc in docs.items()}
    raw = db.raw("members")
    assert isinstance(raw, HeldDocs)
    assert len(raw) == len(flat) == 40 and set(raw) == set(flat)
    for rid, doc in raw.items():
        # equal, key for key in the same order, and held as exactly its bytes in its part's file
        assert doc == flat[rid] and orjson.dumps(doc) == orjson.dumps(flat[rid]), rid
        assert held[rid] == _dumps(flat[rid]) and held[rid] in before[db.part_of("members", rid) + ".json"]
        assert raw[rid] == raw.get(rid) == db.doc("members", rid) == doc
    assert list(raw.values()) == [raw[rid] for rid in raw] and len(raw.values()) == 40
    assert raw.get("nobody") is None and "nobody" not in raw and MEMBERS[0]["id"] in raw
    # values, count, indexes and conflicts as the documents say
    assert db.count("members") == 39 and db.value("members", MEMBERS[2]["id"]) is None
    values = {v["id"]: v for v in db.values("members")}
    assert set(values) == set(flat) - {MEMBERS[2]["id"]}
    for rid, value in values.items():
        assert value == Database.value_of(flat[rid]) == db.value("members", rid) == db.get("members", rid)
    assert values[MEMBERS[3]["id"]]["_conflict"] is True
    assert [d["id"] for _c, d in db.conflicts()] == [MEMBERS[3]["id"]]
    assert db.index("members", "nik") == {v["nik"]: {rid} for rid, v in values.items()}
    assert "nik" in db._idx["members"] and "number" in db._idx["members"]  # built in the same pass
    # every part rewritten by a fold: the same bytes as before, and what 0.3.1 writes (``_dumps`` of the
    # documents it parsed)
    db._dirty.update(n for n in db._pdocs if n.startswith("members."))
    db.compact()
    db.close()
    after = _payloads(folder)
    assert after == before
    for name, docs in _files(folder).items():
        assert after[name + ".json"] == b'"' + name.encode() + b'":' + _dumps(docs) + b"\n}\n"


def test_commits_and_a_replayed_journal_hold_bytes_and_read_back_the_same(folder):
    db = Database.open(folder, operator="Siti")
    with db.transaction("test.edit") as tx:
        value = db.get("members", MEMBERS[5]["id"])
        value["address"] = "Jl. Lain 5"
        tx.put("members", value)
        new = {k: v for k, v in MEMBERS[6].items() if k != "id"}
        new_id = tx.put("members", dict(new, nik="3509999999990001", name="Anggota Baru"))
        tx.delete("members", MEMBERS[7]["id"], reason="test")
    assert type(db._docs["members"][MEMBERS[5]["id"]]) is bytes and type(db._docs["members"][new_id]) is bytes
    assert db.value("members", MEMBERS[5]["id"])["address"] == "Jl. Lain 5"
    assert db.count("members") == 39  # one more, one less
    assert db.index("members", "nik")["3509999999990001"] == {new_id}
    # a value or document handed out is parsed for its caller: changing it changes nothing held
    got = db.value("members", new_id)
    got["name"] = "Diubah di luar"
    db.doc("members", new_id)["v"][0]["data"]["name"] = "Diubah juga"
    assert db.get("members", new_id)["name"] == "Anggota Baru"
    with db.transaction("test.edit2") as tx:  # an edit after the index is built moves its key
        value = db.get("members", new_id)
        value["nik"] = "3509999999990002"
        tx.put("members", value)
    nik = db.index("members", "nik")
    assert "3509999999990001" not in nik and nik["3509999999990002"] == {new_id}
    expected = {rid: db.doc("members", rid) for rid in db.raw("members")}
    db.close(fold=False)  # the journal left for the next open to replay
    assert (folder / "db" / "journal.jsonl").stat().st_size > 0
    again = Database.open(folder, read_only=True)
    assert type(again._pdocs[again.part_of("members", new_id)][new_id]) is bytes
    assert {rid: again.doc("members", rid) for rid in again.raw("members")} == expected
    assert again.count("members") == 39 and again.value("members", MEMBERS[7]["id"]) is None
    assert again.index("members", "nik")["3509999999990002"] == {new_id}
    # the clock and the replicas seen came from the held records too
    assert again.hlc.last >= max(v["hlc"] for d in expected.values() for v in d["v"])
    assert set(again.replicas) >= {v["dot"][0] for d in expected.values() for v in d["v"]}
    again.close()
    # folded by the next writable open: each part's payload what 0.3.1 writes for those documents
    db = Database.open(folder, operator="Siti")
    db.close()
    assert not (folder / "db" / "journal.jsonl").stat().st_size
    for name, docs in _files(folder).items():
        assert _payloads(folder)[name + ".json"] == b'"' + name.encode() + b'":' + _dumps(docs) + b"\n}\n"
        assert docs == {rid: expected[rid] for rid in docs}


def test_a_part_not_laid_out_as_pilar_writes_it_is_read_and_folded_as_0_3_1_folds_it(folder):
    """A part whose payload has whitespace (written by another tool) or an escaped id: each record dumped
    again, and a fold writes the canonical bytes, as 0.3.1's fold does."""
    on_disk = _files(folder)
    name = next(n for n, docs in on_disk.items() if len(docs) >= 2)
    docs = on_disk[name]
    storage = PilarStorage(folder / "db" / f"{name}.json", name, OFFICE)
    storage.read()
    storage.write({name: docs}, payload=orjson.dumps(docs, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    db = Database.open(folder, operator="Siti")
    db.load_all()
    assert {rid: db.doc("members", rid) for rid in docs} == docs
    assert all(db._pdocs[name][rid] == _dumps(doc) for rid, doc in docs.items())
    db._dirty.add(name)
    db.compact()
    db.close()
    assert _payloads(folder)[name + ".json"] == b'"' + name.encode() + b'":' + _dumps(docs) + b"\n}\n"


def test_slices_cut_only_where_records_start():
    docs = {f"id-{i}": {"id": f"id-{i}", "kind": "member", "v": [{"data": {"note": f'say ":{{"id":"x" {i}'}}]}
            for i in range(5)}
    payload = _dumps(docs)
    raw = b"xx" + payload + b"yy"
    cut = _slices(raw, 2, 2 + len(payload), docs)  # a string holding the pattern: escaped, never matched
    assert cut == {rid: _dumps(doc) for rid, doc in docs.items()}
    # a nested object starting with an "id" key: more starts than records, dumped instead
    docs["id-1"]["v"][0]["data"]["family"] = {"id-2": {"id": "id-2", "kind": "member"}}
    payload = _dumps(docs)
    assert _slices(payload, 0, len(payload), docs) is None
    # whitespace between records, an id written with an escape: not cut
    spaced = payload.replace(b'},"id-3"', b'}, "id-3"')
    assert _slices(spaced, 0, len(spaced), orjson.loads(spaced)) is None
    escaped = _dumps({"a": {"id": "a", "n": 1}, "b": {"id": "b", "n": 2}}).replace(b'"b":', b'"\\u0062":')
    assert _slices(escaped, 0, len(escaped), orjson.loads(escaped)) is None
    assert _slices(b"{}", 0, 2, {}) == {}


def test_a_bulk_commit_holds_the_lines_it_came_in(folder, monkeypatch):
    """Records taken as they came (a bundle's lines): held as those bytes, folded as they came."""
    monkeypatch.setattr(dbm, "BULK_RAW_BYTES", 10)
    monkeypatch.setattr(dbm, "BULK_INSTALL_RECORDS", 5)
    on_disk = {rid: doc for docs in _files(folder).values() for rid, doc in docs.items()}
    db = Database.open(folder, operator="Siti")
    with db.transaction("test.bulk") as tx:
        for _rid, doc in sorted(on_disk.items())[:12]:
            new = copy.deepcopy(doc)
            new["v"][0]["hlc"] += 1
            line = memoryview(b"  " + _dumps(new) + b"\n")[2:-1]  # a view into a bigger buffer, as a bundle's
            tx.put_doc("members", new, raw=line)
    assert db._journal_bytes == 0  # folded at once
    for rid, _doc in sorted(on_disk.items())[:12]:
        assert type(db._docs["members"][rid]) is bytes and db.doc("members", rid)["v"][0]["hlc"] == \
            on_disk[rid]["v"][0]["hlc"] + 1
    db.close()
    for name, docs in _files(folder).items():
        assert _payloads(folder)[name + ".json"] == b'"' + name.encode() + b'":' + _dumps(docs) + b"\n}\n"


def test_a_pass_over_the_values_builds_the_indexes_unless_a_record_changes_meanwhile(folder):
    db = Database.open(folder, read_only=True)
    assert "nik" not in db._idx.get("members", {})
    values = list(db.values("members"))
    assert db._idx["members"]["nik"] == {v["nik"]: {v["id"]} for v in values}
    assert set(db._idx["members"]) == {"nik", "number"}
    db.close()
    db = Database.open(folder, operator="Siti")
    passing = db.values("members")
    first = next(passing)
    with db.transaction("test.edit") as tx:  # a commit while the pass goes on
        tx.put("members", dict(db.get("members", first["id"]), nik="3509999999990003"))
    rest = list(passing)
    assert len(rest) == 38 and "nik" not in db._idx["members"]  # not kept: it may miss the edit
    assert db.index("members", "nik")["3509999999990003"] == {first["id"]}  # built whole when asked
    db.close()


def test_the_records_that_may_be_deleted_are_known_without_parsing(folder):
    db = Database.open(folder, operator="Siti")
    # the tombstone and the record holding two versions (its winner may be a deletion)
    assert db.maybe_deleted("members") == sorted([MEMBERS[2]["id"], MEMBERS[3]["id"]])
    with db.transaction("test.delete") as tx:
        tx.delete("members", MEMBERS[8]["id"], reason="test")
    assert MEMBERS[8]["id"] in db.maybe_deleted("members")
    everyone = [rid for rid, doc in db.raw("members").items()
                if doc["v"][0]["deleted"] or len(doc["v"]) > 1]
    assert db.maybe_deleted("members") == sorted(everyone)
    assert db.maybe_deleted("offices") == sorted(db.raw("offices"))
    db.close()


def test_a_nik_looked_up_without_its_index_is_what_the_index_answers(folder):
    """``lookup`` of one NIK before the NIK index is built parses only the records whose bytes hold it, and
    answers what the built index answers: a member, a deleted one, the two versions of a conflict, a NIK
    held twice, one held by nobody."""
    db = Database.open(folder, operator="Siti")
    with db.transaction("test.twin") as tx:
        tx.put("members", dict(db.get("members", MEMBERS[5]["id"]), nik=MEMBERS[6]["nik"]))
    asked = [m["nik"] for m in MEMBERS[:8]] + ["3500000000000000", MEMBERS[6]["nik"][:15]]
    quick = {}
    for nik in asked:
        quick[nik] = db.lookup("members", "nik", nik)
        assert "nik" not in db._idx.get("members", {})  # answered without building the index
    db.index("members", "nik")
    assert {nik: db.lookup("members", "nik", nik) for nik in asked} == quick
    assert quick[MEMBERS[2]["nik"]] == []  # deleted
    assert quick[MEMBERS[0]["nik"]] == [MEMBERS[0]["id"]]
    assert quick[MEMBERS[6]["nik"]] == sorted([MEMBERS[5]["id"], MEMBERS[6]["id"]])
    assert quick[MEMBERS[3]["nik"]] == [MEMBERS[3]["id"]]  # in conflict: the winning version's NIK
    assert quick["3500000000000000"] == [] and quick[MEMBERS[6]["nik"][:15]] == []
    db.close()


@pytest.mark.parametrize("fragments", [True, False])
def test_a_part_payload_from_held_bytes_is_the_documents_dumped(monkeypatch, fragments):
    """``_held_payload``: what ``_dumps`` makes of the part's documents, byte for byte, ids that need escaping
    too; with orjson's fragments or without them (storage/core/jsonio has none)."""
    docs = {rid: {"id": rid, "v": [{"data": {"name": f"N{i}", "z": i, "a": "é"}}]}
            for i, rid in enumerate(["b", "a", 'q"u\\o\u2028', "\x01ctl", "é"])}
    table = {rid: _dumps(doc) if i % 2 else doc for i, (rid, doc) in enumerate(docs.items())}
    if not fragments:
        monkeypatch.delattr(orjson, "Fragment")
    assert dbm._held_payload(table) == _dumps(docs)
