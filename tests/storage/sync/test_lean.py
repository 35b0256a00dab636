"""storage/sync/lean.py: a member line it reads without a whole parse is one the whole parse takes, and says
the same of it; any other line is left to the whole parse (issue 25)."""

from __future__ import annotations

import random

import orjson
import pytest

import storage.core.db as dbm
from storage.sync import bundle as sync_bundle
from storage.sync import engine, lean
from tests.storage.sync.test_sync_bulk import (
    A,
    _bulk,
    _copy,
    _import,
    _payloads,
    _sent,
    _state,
    forge,
    refused_unchanged,
)

pytestmark = pytest.mark.skipif(not lean.available(), reason="msgspec is not installed (32-bit Windows)")

REPLICA = "1fb6fef0-d5ac-4825-9791-5790810906a4"
LINE = orjson.dumps({
    "id": "000af3ca-ea26-470e-8412-9208c9a01c4e", "kind": "member", "owner": "UPT-PSTW-JEMBER",
    "v": [{"data": {"address": "Jl. Kenanga No. 93, RT 004/RW 006, Kec. Arjasa, Kabupaten Jember",
                    "assignments": [{"area_kab": "35.09", "area_kec": "35.09.22", "end": "", "id": "90d85162",
                                     "inactive_date": "", "inactive_reason": "", "level": "", "number": "",
                                     "office": "UPT-PSTW-JEMBER", "pillar": "PSM", "position": "ANGGOTA",
                                     "sk": "188/618/KPTS/013/2022", "start": "2022-07-15", "status": "ACTIVE"}],
                    "bank": {"account": "9473734112", "holder": "EDI HARIYANTO", "name": "Bank Jatim"},
                    "birth_date": "1964-08-28", "birth_place": "Jember", "bpjs_tk": "", "kab": "35.09",
                    "kec": "35.09.22", "name": "Edi Hariyanto", "nik": "3509222808640002", "note": "",
                    "phone": "+628819742205", "sex": "L"},
           "deleted": False, "dot": [REPLICA, 228537], "hlc": 117747065599033357, "office": "UPT-PSTW-JEMBER",
           "operator": "Bench", "vv": {REPLICA: 228537}}]})


def agrees(line: bytes, read=None) -> bool:
    """Whether ``lean`` read ``line`` (else it left it to the whole parse); when it did, the whole parse takes the
    line too, finds nothing wrong with it, and every note says what the parsed document says."""
    got = (read or lean.member_reader())(line)
    if got is None:
        return False
    doc = orjson.loads(line)  # (raises if lean took a line orjson refuses)
    assert engine.doc_problem(doc, "member", True) is None
    rid, held = got
    assert rid == doc["id"]
    if len(doc["v"]) != 1:
        assert held is None
        return True
    v = doc["v"][0]
    data = v["data"]
    assigns = tuple(tuple(a.get(k, "") for k in ("status", "office", "pillar", "area_kab", "area_kec", "position"))
                    for a in data.get("assignments", []))
    assert held.line is line and held.doc() == doc
    assert (held.id, held.hlcs, held.replicas, held.multi, held.live) == (
        doc["id"], (v["hlc"],), ((v["dot"][0], v["office"]),), False, not v["deleted"])
    note = held.note
    assert (note.nik, note.kab or None, note.assignments, note.vv, note.counter, note.owner) == (
        data.get("nik") or None, data.get("kab") or None, assigns,
        None if v["vv"] == {v["dot"][0]: v["dot"][1]} else tuple(v["vv"].items()), v["dot"][1], doc["owner"])
    assert note.plain == (not v["deleted"] and len(v["vv"]) == 1
                          and all(a.get("office") == doc["owner"] for a in data.get("assignments", [])))
    return True


def edited(change) -> bytes:
    doc = orjson.loads(LINE)
    change(doc)
    return orjson.dumps(doc)


def test_a_member_line_is_read_with_what_the_whole_parse_says():
    assert agrees(LINE)
    assert agrees(edited(lambda d: d["v"][0].update(deleted=True, data={})))
    assert agrees(edited(lambda d: d["v"][0]["data"]["assignments"].append({"office": "UPT-X", "status": "INACTIVE"})))
    assert agrees(edited(lambda d: d["v"][0]["vv"].update({"other": 3})))
    assert agrees(edited(lambda d: d["v"].append(dict(d["v"][0], dot=["b", 1], vv={"b": 1}))))  # (noted: none)
    assert agrees(edited(lambda d: d["v"][0]["data"].pop("assignments")))
    assert agrees(LINE.replace(b"Edi Hariyanto", "Édi Hariyantø \\u00e9".encode()))


@pytest.mark.parametrize("line", [
    LINE.replace(b"Edi Hariyanto", b"Edi \xff Hariyanto"),  # invalid UTF-8 (msgspec skips do not check it)
    LINE.replace(b"Edi Hariyanto", b"Edi \xed\xa0\x80"),  # a surrogate written as UTF-8
    LINE.replace(b"Edi Hariyanto", b"Edi \\ud800"),  # a lone surrogate escape
    LINE.replace(b'"hlc":117747065599033357', b'"hlc":1e999'),
    LINE.replace(b'"hlc":117747065599033357', b'"hlc":' + b"9" * 400),
    LINE.replace(b'"hlc":117747065599033357', b'"hlc":1.0'),
    LINE.replace(b'"hlc":117747065599033357', b'"hlc":true'),
    LINE.replace(b'"hlc":117747065599033357', b'"hlc":-1'),
    LINE.replace(b'"sex":"L"', b'"sex":"L","weight":1e999'),  # a field the model does not have
    LINE.replace(b'"sex":"L"', b'"sex":"L","erased":{"by":"J"}'),  # an erasure: parsed whole
    LINE.replace(b'"kind":"member"', b'"kind":"member","extra":1'),
    LINE.replace(b'"kind":"member"', b'"kind":"event"'),
    LINE.replace(b'"vv":{"1fb6fef0', b'"vv":{"2fb6fef0'),  # the version vector does not hold its own dot
    LINE.replace(b"228537]", b"0]"),
    LINE.replace(b'"nik":"3509222808640002"', b'"nik":3509222808640002'),
    LINE.replace(b'"nik":"3509222808640002"', b'"nik":"x","nik":5'),  # the last of two keys is what counts
    LINE.replace(b'"assignments":[', b'"assignments":[5,'),
    LINE + b" {}", LINE[:-1], b"", b"[]", b"null",
])
def test_a_line_lean_cannot_vouch_for_is_left_to_the_whole_parse(line):
    assert not agrees(line)


def test_no_damaged_line_gets_through_that_the_whole_parse_refuses_or_reads_otherwise():
    """Random damage to real lines (bytes changed, cut, put in): lean reads a line only when the whole parse
    takes it and says the same of it."""
    rng = random.Random(25)
    read = lean.member_reader()
    lines = [LINE, edited(lambda d: d["v"][0].update(deleted=True)),
             edited(lambda d: d["v"][0]["data"]["assignments"].append({"office": "UPT-X", "status": "INACTIVE"}))]
    taken = 0
    for _ in range(6000):
        line = bytearray(rng.choice(lines))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(line))
            op = rng.random()
            if op < 0.4:
                line[at] = rng.randrange(256)
            elif op < 0.7:
                del line[at]
            else:
                line.insert(at, rng.choice(b'{}[]",:\\0123456789.eE-+tfn \xff\x80'))
        taken += agrees(bytes(line), read)
    assert 500 < taken < 6000  # (many damaged lines are still well-formed members: lean reads those)


def test_a_bundle_with_a_line_orjson_refuses_is_refused_and_changes_nothing(tmp_path):
    """A member line lean would once have skipped over (invalid UTF-8 in a name) refuses the bundle with the
    reason, and the folder is as it was."""
    province, path, upt = _sent(tmp_path)

    def damaged(docs):
        lines = [sync_bundle.canonical(d) for d in docs]
        lines[-1] = lines[-1].replace(b'"name":"', b'"name":"\xff', 1)
        return lines
    assert refused_unchanged(province, tmp_path, forge(tmp_path, upt, province, path, damaged)).reason == "schema"


# A signed bundle (``forge``) with members of every shape
def _vary(seed, shape):
    rng = random.Random(seed)

    def change(docs):
        out = []
        niks = [f"35{i:014d}" for i in range(30)]
        for d in docs:
            v = d["v"][0]
            data = v["data"]
            r = rng.random()
            if r < 0.15:
                data.pop("nik", None)
            elif r < 0.25:
                data["nik"] = ""
            elif r < 0.6:
                data["nik"] = rng.choice(niks)  # duplicates across and within parts
            r = rng.random()
            if r < 0.2:
                data.pop("kab", None)
            elif r < 0.3:
                data["kab"] = ""
            elif r < 0.4:
                data["kab"] = "35.10"
            asg = []
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                a = {"office": A}
                for k, choices in (("status", ["ACTIVE", "ACTIVE", "INACTIVE", "", None]),
                                   ("pillar", ["TKSK", "PSM", "", None]),
                                   ("position", ["ANGGOTA", "PENDAMPING", "KETUA", "", None]),
                                   ("area_kab", ["35.09", "35.10", "", None]),
                                   ("area_kec", ["35.09.01", "35.09.02", "", None])):
                    c = rng.choice(choices)
                    if c is not None:
                        a[k] = c
                asg.append(a)
            if rng.random() < 0.1:
                data.pop("assignments", None)
            else:
                data["assignments"] = asg
            if shape == "mixed":
                r = rng.random()
                if r < 0.03:
                    v["deleted"] = True
                elif r < 0.05:
                    data["assignments"] = [{"office": "UPT-Z", "status": "ACTIVE"}]  # refused
                elif r < 0.07:
                    d["extra"] = 1  # taken, re-serialised
                elif r < 0.09:
                    data["erased"] = {"by": "x"}  # refused
            line = sync_bundle.canonical(d)
            if rng.random() < 0.1:  # a duplicate key, last wins
                line = line.replace(b'"kind":"member"', b'"kind":"member","owner":"nobody"', 1).replace(
                    b'"owner":"nobody","owner":', b'"owner":"nobody","owner":', 1)
            out.append(line)
        if shape == "mixed":
            out.append(out[3])  # a record twice
        return out
    return change


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("shape", ["plain", "mixed"])
def test_a_bundle_of_varied_members_imports_the_same_with_and_without_lean(tmp_path, monkeypatch, seed, shape):
    """A signed full bundle whose members vary in every way the notes carry (no NIK, an empty one, NIKs twice
    within and across parts, kab/kota and assignment fields missing or empty, several assignments, no
    assignments; ``mixed``: deleted, refused, erased, with a field more, twice in the bundle, duplicate keys),
    imported three ways: record by record, in bulk with every line parsed whole, in bulk read by lean. The
    counts and the state are the same; the two bulk imports write the same derived files and parts, byte
    for byte."""
    province, path, upt = _sent(tmp_path)
    forged = forge(tmp_path, upt, province, path, _vary(seed, shape))
    _bulk(monkeypatch, False)
    one = _copy(province, tmp_path / "one")
    r1 = _import(one, forged)
    _bulk(monkeypatch, True)
    monkeypatch.setattr(lean, "available", lambda: False)
    plain = _copy(province, tmp_path / "plain")
    r2 = _import(plain, forged)
    monkeypatch.setattr(lean, "available", lambda: True)
    noted = []
    fn = engine.Screen.fresh_note
    monkeypatch.setattr(engine.Screen, "fresh_note", lambda self, h: fn(self, h) and (noted.append(h) or True))
    lean_f = _copy(province, tmp_path / "lean")
    r3 = _import(lean_f, forged)
    assert len(noted) > 100
    for r in (r2, r3):
        assert (r1.added, r1.updated, r1.unchanged, len(r1.refused)) == (r.added, r.updated, r.unchanged, len(r.refused))
    for name in (dbm.NIK_INDEX, dbm.ACTIVE_INDEX, "summary.idx", dbm.VERSIONS_INDEX):
        assert (plain / "db" / name).read_bytes() == (lean_f / "db" / name).read_bytes(), name
    assert _payloads(plain) == _payloads(lean_f)
    monkeypatch.undo()
    assert _state(one) == _state(lean_f) == _state(plain)
