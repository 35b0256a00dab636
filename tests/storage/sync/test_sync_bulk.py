"""A bundle's records written from the bytes they came in (issue 25, the full bundle at 300,000 members):
the bulk path of an import writes the same files and holds the same records as the record-by-record path,
a kill after its journal line or in the middle of its fold loses nothing, and a record that does not come
exactly as it will be held (an extra field, a merge with a held one) is written serialised as before."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
import zlib
from pathlib import Path

import orjson
import pytest

import storage.core.db as dbm
from storage.core.db import PROVINCE_CODE, Database, read_journal
from storage.core.errors import PilarError
from storage.office import keys as office_keys
from storage.sync import bundle as sync_bundle
from storage.sync import engine
from tests.support.network import make_network

A, J = "UPT-A", PROVINCE_CODE
MEMBERS = 240


def _members(db: Database, n: int, start: int = 0) -> None:
    with db.transaction("test.add") as tx:
        for i in range(start, start + n):
            tx.put("members", {"nik": f"3509{i:012d}", "name": f"ANGGOTA {i}", "sex": "P", "kab": "35.09",
                               "assignments": [{"pillar": "TKSK", "position": "ANGGOTA", "office": A}]})


@pytest.fixture
def sent(tmp_path):
    """The province's folder before the import (kept clean to copy) and the UPT's full bundle (format 1:
    the UPT does not know yet what the province reads)."""
    return _sent(tmp_path)


def _sent(tmp_path, sealed: bool = False):
    paths = make_network(tmp_path, upts=(A,))
    if sealed:  # as after ``pilar init --from`` an enrolment file that says what the province reads
        (paths[A] / engine.PEERS_FILE).write_bytes(orjson.dumps({J: {"reads": sync_bundle.reads()}}))
    upt = Database.open(paths[A], operator="op-a")
    _members(upt, MEMBERS)
    path = engine.export_bundle(upt, J, tmp_path / "usb", mode="full").path
    upt.close()
    assert sync_bundle.is_sealed(sync_bundle.peek_manifest(path)) is sealed
    return paths[J], path, upt


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock", "lock.json"))
    return dst


def _bulk(monkeypatch, on: bool) -> None:
    monkeypatch.setattr(dbm, "BULK_RAW_BYTES", 0 if on else 1 << 62)
    monkeypatch.setattr(dbm, "BULK_INSTALL_RECORDS", 1 if on else 1 << 62)


def _import(folder: Path, bundle: Path):
    db = Database.open(folder, operator="op-j")
    try:
        return engine.import_bundle(db, bundle)
    finally:
        db.close()


def _state(folder: Path) -> dict:
    db = Database.open(folder, operator="op-j", read_only=True)
    try:
        return {name: ({rid: doc for rid, doc in db.raw(name).items()},
                       {v["id"]: v for v in db.values(name)}) for name in db.collections()}
    finally:
        db.close()


def _payloads(folder: Path) -> dict[str, bytes]:
    """Each collection file without its header (the header says when it was written)."""
    return {p.name: p.read_bytes().split(b"\n", 1)[1] for p in sorted((folder / "db").glob("*.json"))
            if p.name != "manifest.json"}


def _nik_index(folder: Path) -> dict:
    return orjson.loads((folder / "db" / dbm.NIK_INDEX).read_bytes().split(b"\n")[1])


@pytest.mark.parametrize("sealed", [False, True], ids=["format1", "format2"])
def test_bulk_import_writes_and_holds_what_the_record_by_record_path_does(tmp_path, monkeypatch, sealed):
    province, path, _ = _sent(tmp_path, sealed)
    _bulk(monkeypatch, False)
    one = _copy(province, tmp_path / "one")
    first = _import(one, path)
    _bulk(monkeypatch, True)
    bulk = _copy(province, tmp_path / "bulk")
    calls = []
    real = dbm._bulk_journal_line
    monkeypatch.setattr(dbm, "_bulk_journal_line", lambda *a: calls.append(1) or real(*a))
    second = _import(bulk, path)
    assert calls == [1]  # the bulk path was taken (and the other one not: its thresholds were out of reach)
    assert (first.added, first.updated, first.unchanged) == (second.added, second.updated, second.unchanged)
    assert second.added == MEMBERS
    assert _state(one) == _state(bulk)
    # byte for byte: the bundle's lines are the records serialised as a collection file serialises them
    assert _payloads(one) == _payloads(bulk)
    assert _nik_index(one) == _nik_index(bulk)
    assert len(_nik_index(bulk)) == MEMBERS
    assert (bulk / "db" / "journal.jsonl").read_bytes() == b""  # folded at once


def test_the_bulk_journal_line_says_what_the_import_holds(sent, tmp_path, monkeypatch):
    """Killed right after the journal line (its fold never ran): the next open replays it to the same
    records as an import that ran to its end."""
    province, path, _ = sent
    _bulk(monkeypatch, True)
    done = _copy(province, tmp_path / "done")
    _import(done, path)
    cut = _copy(province, tmp_path / "cut")

    def killed(self):
        raise PilarError("db.io_error", path="(killed)", error="killed")

    monkeypatch.setattr(Database, "_compact", killed)
    db = Database.open(cut, operator="op-j")
    with pytest.raises(PilarError):
        engine.import_bundle(db, path)
    db._release_lock()  # as a killed process leaves it
    monkeypatch.undo()
    entries, _ = read_journal(cut / "db" / "journal.jsonl")
    assert len(entries) == 1 and len(entries[0]["ops"]["members"]) == MEMBERS
    assert entries[0]["audit"][0]["action"] == "sync.import"
    held = _state(done)
    assert {d["id"]: d for d in entries[0]["ops"]["members"]} == held["members"][0]
    assert _state(cut)["members"] == held["members"]


@pytest.mark.parametrize("after", [0, 1, 5])
def test_a_kill_in_the_middle_of_the_bulk_fold_loses_nothing(sent, tmp_path, monkeypatch, after):
    province, path, _ = sent
    _bulk(monkeypatch, True)
    done = _copy(province, tmp_path / "done")
    _import(done, path)
    cut = _copy(province, tmp_path / "cut")
    real = dbm.PilarStorage.write
    written = []

    def write(self, *args, **kwargs):
        if len(written) >= after:
            raise PilarError("db.io_error", path=str(self.path), error="killed")
        written.append(self.path.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(dbm.PilarStorage, "write", write)
    db = Database.open(cut, operator="op-j")
    with pytest.raises(PilarError):
        engine.import_bundle(db, path)
    db._release_lock()
    monkeypatch.undo()
    assert len(written) == after
    assert _state(cut)["members"] == _state(done)["members"]
    # and once opened for writing and closed, its files are the finished import's
    Database.open(cut, operator="op-j").close()
    assert _payloads(cut) == _payloads(done)


def test_a_record_with_a_field_more_is_written_as_it_is_held(sent, tmp_path, monkeypatch):
    """A line whose record carries a field the import does not keep is not written from its bytes: the
    folder holds (and its files say) the record without that field."""
    province, path, upt = sent
    _bulk(monkeypatch, True)
    keys = office_keys.load_own(upt.path)
    j_keys = office_keys.load_own(province)
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    m = orjson.loads(entries["manifest.json"])
    assert not sync_bundle.is_sealed(m)
    docs = sync_bundle.decode_partition(entries["payload/members.bin"], j_keys.decrypt, "members")
    odd = docs[7]["id"]
    docs[7] = dict(docs[7], extra="not kept")
    blob = sync_bundle.encode_partition(docs, lambda b: office_keys.encrypt_to(j_keys.box_pk, b))
    entries["payload/members.bin"] = blob
    m["files"]["payload/members.bin"].update(sha256=hashlib.sha256(blob).hexdigest(), size=len(blob))
    mb = orjson.dumps(m, option=orjson.OPT_SORT_KEYS)
    items = [("manifest.json", mb), ("manifest.sig", keys.sign(mb))]
    items += [(n, b) for n, b in entries.items() if n.startswith("payload/")]
    forged = tmp_path / "forged.pilar"
    forged.write_bytes(sync_bundle.zip_bytes(items))
    folder = _copy(province, tmp_path / "odd")
    result = _import(folder, forged)
    assert result.added == MEMBERS and not result.refused
    state = _state(folder)
    assert state["members"][0][odd] == {k: v for k, v in docs[7].items() if k != "extra"}
    assert "extra" not in state["members"][1][odd]
    part = f"members.{zlib.crc32(odd.encode()) % 32:02d}.json"
    assert b"not kept" not in (folder / "db" / part).read_bytes()
    _bulk(monkeypatch, False)
    plain = _copy(province, tmp_path / "plain")
    _import(plain, forged)
    assert _payloads(folder) == _payloads(plain)


def test_lines_are_parsed_where_they_lie_and_a_stray_newline_refuses_the_entry():
    plain = [b'{"a":1}', b'{"b":[2,3]}']
    blob = zlib.compress(b"\n".join(plain))
    docs, lines = sync_bundle.decode_partition_lines(blob, lambda b: b, "members")
    assert docs == [{"a": 1}, {"b": [2, 3]}] and [bytes(v) for v in lines] == plain
    for bad in (b'{"a":1}\n', b'{"a":1}\n\n{"b":2}', b'{"a":1} {"b":2}', b'{"a":1}\n{"b"'):
        with pytest.raises(sync_bundle.BundleError) as err:
            sync_bundle.decode_partition_lines(zlib.compress(bad), lambda b: b, "members")
        assert err.value.reason == "schema"


@pytest.mark.parametrize("threaded", [False, True], ids=["inline", "thread"])
def test_lines_across_inflated_pieces_are_whole_and_damage_says_why(monkeypatch, threaded):
    """The payload is inflated a few bytes at a time (on another thread when big): every line, those that
    two pieces share included, is parsed whole and kept as bytes of its own; the refusals are those of a
    payload inflated at once (a damaged or truncated stream says so even when a line before it is bad)."""
    monkeypatch.setattr(sync_bundle, "INFLATE_INPUT", 7)
    monkeypatch.setattr(sync_bundle, "INFLATE_THREAD_BYTES", 0 if threaded else 1 << 40)
    docs = [{"id": f"r{i}", "name": "N" * (i % 37), "n": i} for i in range(400)]
    plain = b"\n".join(orjson.dumps(d) for d in docs)
    got, lines = sync_bundle.decode_partition_lines(zlib.compress(plain), lambda b: b, "members")
    assert got == docs
    assert all(type(line) is bytes for line in lines) and b"\n".join(lines) == plain
    assert sync_bundle.decode_partition_lines(zlib.compress(b""), lambda b: b, "members") == ([], [])
    for bad in (plain + b"\n", plain + b"\n\n" + plain, b'{"a":1} {"b":2}\n' + plain):
        with pytest.raises(sync_bundle.BundleError) as err:
            sync_bundle.decode_partition_lines(zlib.compress(bad), lambda b: b, "members")
        assert err.value.reason == "schema"
    whole = zlib.compress(plain)
    for blob, reason in ((whole[:-9], "oversize"), (b"not a zlib stream at all", "damaged"),
                         (zlib.compress(b"{bad\n" + plain)[:-9], "oversize")):
        with pytest.raises(sync_bundle.BundleError) as err:
            sync_bundle.decode_partition_lines(blob, lambda b: b, "members")
        assert err.value.reason == reason
    # a bomb stops at the limit (64 times the compressed size, at least 1 MB)
    bomb = zlib.compress(b"{}\n" * (4 << 20))
    with pytest.raises(sync_bundle.BundleError) as err:
        sync_bundle.decode_partition_lines(bomb, lambda b: b, "members")
    assert err.value.reason == "oversize"


def test_a_malformed_record_found_as_its_line_is_parsed_refuses_the_bundle_and_changes_nothing(
        sent, tmp_path, monkeypatch):
    """Each record is checked as its line is parsed (the pieces inflated on another thread here): the last one
    malformed refuses the whole bundle with the reason, before anything is merged or written."""
    monkeypatch.setattr(sync_bundle, "INFLATE_INPUT", 512)
    monkeypatch.setattr(sync_bundle, "INFLATE_THREAD_BYTES", 0)
    province, path, upt = sent

    def late(docs):
        docs[-1]["v"][0]["hlc"] = "tomorrow"
        return [sync_bundle.canonical(d) for d in docs]
    err = refused_unchanged(province, tmp_path, forge(tmp_path, upt, province, path, late))
    assert err.reason == "schema" and err.params["detail"] == "members: hlc/office"


def forge(tmp_path, upt, province: Path, path: Path, change) -> Path:
    """The UPT's bundle ``path`` with its members' lines as ``change(documents)`` makes them, signed again with
    the UPT's key (what the province takes): ``tmp_path/forged.pilar``."""
    keys = office_keys.load_own(upt.path)
    j_keys = office_keys.load_own(province)
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    m = orjson.loads(entries["manifest.json"])
    lines = change(sync_bundle.decode_partition(entries["payload/members.bin"], j_keys.decrypt, "members"))
    blob = office_keys.encrypt_to(j_keys.box_pk, zlib.compress(b"\n".join(lines), 1))  # (as encode_partition)
    entries["payload/members.bin"] = blob
    m["files"]["payload/members.bin"].update(sha256=hashlib.sha256(blob).hexdigest(), size=len(blob),
                                              records=len(lines))
    mb = orjson.dumps(m, option=orjson.OPT_SORT_KEYS)
    items = [("manifest.json", mb), ("manifest.sig", keys.sign(mb))]
    items += [(n, b) for n, b in entries.items() if n.startswith("payload/")]
    forged = tmp_path / "forged.pilar"
    forged.write_bytes(sync_bundle.zip_bytes(items))
    return forged


def refused_unchanged(province: Path, tmp_path: Path, bundle: Path) -> sync_bundle.BundleError:
    """``bundle`` imported into a copy of the province: refused, the folder's files as they were, the refusal
    in the import log. The refusal."""
    folder = _copy(province, tmp_path / "bad")
    before = {p.name: p.read_bytes() for p in (folder / "db").iterdir() if p.is_file()}
    db = Database.open(folder, operator="op-j")
    try:
        with pytest.raises(sync_bundle.BundleError) as err:
            engine.import_bundle(db, bundle)
    finally:
        db.close()
    assert {p.name: p.read_bytes() for p in (folder / "db").iterdir() if p.is_file()} == before
    assert engine.import_log(folder)[-1]["status"] == "refused"
    return err.value


def test_the_bulk_fold_parses_each_record_once_and_writes_the_same_derived_files(sent, tmp_path, monkeypatch):
    """The fold right after a bulk import (its records staged as their lines, ``db.Line``: the import holds
    no parsed document) parses each record's bytes at most once for all its derived files (NIK and active
    indexes, tallies, versions): not at all a record taken with the notes storage/sync/lean.py made of its line
    (all but the first, which binds the sender's replica id on the general path). It writes the same files as
    the record-by-record path."""
    province, path, _ = sent
    _bulk(monkeypatch, False)
    one = _copy(province, tmp_path / "one")
    _import(one, path)
    _bulk(monkeypatch, True)
    bulk = _copy(province, tmp_path / "bulk")
    parsed = []
    real = dbm._parsed
    monkeypatch.setattr(dbm, "_parsed", lambda held: parsed.append(held) or real(held))
    noted = []  # the records taken from their notes
    fresh_note = engine.Screen.fresh_note

    def taken(self, held):
        took = fresh_note(self, held)
        if took:
            noted.append(held)
        return took
    monkeypatch.setattr(engine.Screen, "fresh_note", taken)
    _import(bulk, path)
    members = [held for held in parsed if type(held) is bytes]
    with Database.open(bulk, read_only=True) as db:
        assert len(noted) == len(db.raw("members")) - 1 == MEMBERS - 1
        assert len(members) == len(set(members)) == 1
        assert members[0] not in {held.line for held in noted}
    for name in (dbm.NIK_INDEX, dbm.ACTIVE_INDEX, "summary.idx", dbm.VERSIONS_INDEX):
        assert (bulk / "db" / name).read_bytes() == (one / "db" / name).read_bytes(), name
    monkeypatch.undo()
    assert _state(one) == _state(bulk)
