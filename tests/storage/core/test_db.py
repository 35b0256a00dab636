"""The data core: record ids, transactions and the journal, the lock, damaged files, crashes, audit, versions."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from storage import sample
from storage.core.audit import AuditLog
from storage.core.db import Database, PilarStorage
from storage.core.errors import DamagedError, LockedError, PilarError
from storage.core.formats import FOLDER, NewerFormatError
from storage.core.i18n import set_lang
from storage.core.versions import Hlc, dominates, merge_docs, merge_versions, winner
from tests.support.parts import part_file

ROOT = Path(__file__).resolve().parents[3]
# 40 demo members, all serving at the office whose folder holds them (a UPT writes only its own).
MEMBERS = [dict(m, assignments=[dict(a, office="UPT-PSTW-JEMBER") for a in m["assignments"]])
           for m in sample.members()[:40]]


@pytest.fixture
def folder(tmp_path):
    """A closed data folder of office UPT-PSTW-JEMBER holding 40 demo members."""
    path = tmp_path / "data"
    db = Database.init(path, "UPT-PSTW-JEMBER", "UPT Pelayanan Sosial Tresna Werdha Jember", operator="Siti")
    with db.transaction("test.load") as tx:
        for m in MEMBERS:
            tx.put("members", m)
    db.close()
    return path


def journal_lines(db: Database) -> int:
    return len([ln for ln in db.journal_path.read_bytes().split(b"\n") if ln])


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


HOLDER = """
import sys, time
from storage.core.db import Database
db = Database.open(sys.argv[1], operator=sys.argv[2])
print("ready", flush=True)
time.sleep(60)
"""


def _hold(path: Path, operator: str) -> subprocess.Popen:
    proc = _python(HOLDER, str(path), operator)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


# ---------------------------------------------------------------------- ids, transactions, journal

def test_record_ids_are_uuid_strings_never_tinydb_int_ids(folder):
    db = Database.open(folder)
    # each part of the collection is a TinyDB file of its own (folder format 2)
    docs = [d for name in db.files("members") for d in db.tinydb(name).table(name).all()]
    assert len(docs) == len(MEMBERS)
    for doc in docs:
        assert isinstance(doc.doc_id, str)
        assert str(uuid.UUID(doc.doc_id)) == doc.doc_id == doc["id"]
    assert {d.doc_id for d in docs} == {m["id"] for m in MEMBERS}
    new_id = None
    with db.transaction("test.new") as tx:
        new_id = tx.put("members", {k: v for k, v in MEMBERS[0].items() if k != "id"} | {"nik": "3509014101900001"})
    assert str(uuid.UUID(new_id)) == new_id and new_id not in {m["id"] for m in MEMBERS}
    db.close()


def test_save_that_changes_nothing_writes_nothing(folder):
    db = Database.open(folder)
    value = db.get("members", MEMBERS[0]["id"])
    journal, audit = db.journal_path.stat().st_size, db.audit.path.stat().st_size
    with db.transaction("test.same") as tx:
        tx.put("members", value)
    assert tx.committed == 0
    assert db.journal_path.stat().st_size == journal
    assert db.audit.path.stat().st_size == audit
    value["address"] = "Jl. Mawar No. 1"
    with db.transaction("test.edit") as tx:
        tx.put("members", value)
    assert tx.committed == 1 and db.journal_path.stat().st_size > journal
    db.close()


def test_one_transaction_is_one_journal_line(folder):
    db = Database.open(folder)
    before = journal_lines(db)
    with db.transaction("test.batch") as tx:
        for m in MEMBERS[:5]:
            tx.put("members", dict(m, address=m["address"] + " (baru)"))
        tx.delete("members", MEMBERS[5]["id"])
    assert journal_lines(db) == before + 1
    entry = orjson.loads(db.journal_path.read_bytes().split(b"\n")[before].partition(b" ")[2])
    assert entry["action"] == "test.batch" and len(entry["ops"]["members"]) == 6
    assert db.get("members", MEMBERS[5]["id"]) is None
    db.close()


def test_reopen_replays_the_journal(folder, tmp_path):
    db = Database.open(folder)
    value = db.get("members", MEMBERS[1]["id"])
    value["name"] = "Nama Baru Sekali"
    with db.transaction("test.edit") as tx:
        tx.put("members", value)
    # The collection file still has the old value: the change lives in the journal only.
    file = part_file(folder, "members", value["id"])
    assert PilarStorage(file, file.stem).read()[file.stem][value["id"]]["v"][0][
        "data"]["name"] == MEMBERS[1]["name"]
    # A copy taken now is what a power cut leaves on disk: the journal is replayed on open.
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    db.close()
    again = Database.open(copy)
    assert again.get("members", value["id"])["name"] == "Nama Baru Sekali"
    assert again.lookup("members", "nik", value["nik"]) == [value["id"]]
    again.close()


def test_compaction_folds_the_journal_into_the_collection_file(folder):
    db = Database.open(folder)
    value = db.get("members", MEMBERS[2]["id"])
    value["phone"] = "+6281234500001"
    with db.transaction("test.edit") as tx:
        tx.put("members", value)
    assert db.journal_path.stat().st_size > 0
    db.compact()
    assert db.journal_path.stat().st_size == 0
    file = part_file(folder, "members", value["id"])
    stored = PilarStorage(file, file.stem).read()[file.stem][value["id"]]
    assert stored["v"][0]["data"]["phone"] == "+6281234500001"
    manifest = orjson.loads((folder / "db" / "manifest.json").read_bytes())
    assert manifest["files"][file.stem]["seq"] == db.seq
    db.close()
    assert Database.open(folder, read_only=True).get("members", value["id"])["phone"] == "+6281234500001"


# ---------------------------------------------------------------------- the lock

def test_second_writer_is_told_who_holds_the_folder(folder):
    holder = _hold(folder, "Bu Siti")
    try:
        probe = _python("""
import sys
from storage.core.db import Database
from storage.core.errors import LockedError
try:
    Database.open(sys.argv[1], operator="Pak Budi")
except LockedError as exc:
    print(exc)
    sys.exit(3)
""", str(folder))
        out, err = probe.communicate(timeout=60)
        assert probe.returncode == 3, err
        assert "sedang dipakai oleh Bu Siti" in out
        assert f"PID {holder.pid}" in out
        # In this process too, with the catalogue's sentence.
        with pytest.raises(LockedError) as caught:
            Database.open(folder, operator="Pak Budi")
        assert "Bu Siti" in str(caught.value) and str(holder.pid) in str(caught.value)
        # Since when, on this PC's clock as the clerk reads it, not an ISO stamp with its offset.
        since = datetime.fromisoformat(orjson.loads((folder / "lock.json").read_bytes())["since"]).astimezone()
        assert f"sejak {since:%d-%m-%Y %H:%M}." in str(caught.value)
        assert "T" not in str(caught.value).split("sejak ")[1].split(".")[0]
        # Reading while another Pilar writes is allowed.
        reader = Database.open(folder, read_only=True)
        assert reader.count("members") == len(MEMBERS)
        with pytest.raises(PilarError):
            reader.transaction("test.nope")
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_killed_process_is_cleared(folder):
    holder = _hold(folder, "Bu Siti")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (folder / "lock.json").exists()  # the dead holder never cleaned up
    db = Database.open(folder, operator="Pak Budi")
    info = orjson.loads((folder / "lock.json").read_bytes())
    assert info["pid"] == os.getpid() and info["operator"] == "Pak Budi"
    db.close()
    assert not (folder / "lock.json").exists()


# ---------------------------------------------------------------------- damaged files are refused

def _header(path: Path) -> tuple[dict, bytes]:
    head, _, rest = path.read_bytes().partition(b"\n")
    return orjson.loads(head[:-1] + b"}"), rest


def _rewrite_header(path: Path, **meta) -> None:
    header, rest = _header(path)
    header["_meta"].update(meta)
    path.write_bytes(orjson.dumps(header)[:-1] + b",\n" + rest)


def _flip_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    pos = len(raw) // 2
    raw[pos] = ord("7") if raw[pos] != ord("7") else ord("8")
    path.write_bytes(bytes(raw))


DAMAGE = {
    "missing": lambda p: p.unlink(),
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size * 2 // 3]),
    "flipped_byte": _flip_byte,
    "other_office": lambda p: _rewrite_header(p, office="UPT-PSTW-BLITAR"),
    "schema_newer": lambda p: _rewrite_header(p, schema=FOLDER.current + 1),
    "schema_unknown": lambda p: _rewrite_header(p, schema="x"),
    "wrong_collection": lambda p: _rewrite_header(p, collection="offices"),
}
EXPECT = {
    "missing": "berkas hilang",
    "empty": "berkas kosong",
    "truncated": "bukan JSON yang utuh",
    "flipped_byte": "checksum tidak cocok",
    "other_office": "milik kantor UPT-PSTW-BLITAR",
    "schema_newer": "ditulis oleh Pilar yang lebih baru",
    "schema_unknown": "versi skema x tidak dikenal",
    "wrong_collection": "berisi koleksi offices",
}


@pytest.mark.parametrize("parallel_hash", [False, True])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_collection_file_is_refused_with_the_file_named(folder, damage, parallel_hash, monkeypatch):
    # Big files are hashed on a second thread while they are parsed: both paths must refuse damage.
    monkeypatch.setattr("storage.core.db.PARALLEL_HASH_BYTES", 0 if parallel_hash else 1 << 40)
    target = part_file(folder)
    before = {p.name: p.read_bytes() for p in (folder / "db").iterdir() if p.name != target.name}
    DAMAGE[damage](target)
    for read_only in (False, True):
        # A file a newer Pilar wrote is not damage: the sentence says to update Pilar (issue 21).
        with pytest.raises(NewerFormatError if damage == "schema_newer" else DamagedError) as caught:
            Database.open(folder, read_only=read_only)
        message = str(caught.value)
        assert str(target) in message and EXPECT[damage] in message
    # Refusing changed nothing else, and released the lock.
    assert {p.name: p.read_bytes() for p in (folder / "db").iterdir() if p.name != target.name} == before
    assert not (folder / "lock.json").exists()


def test_other_office_file_copied_in_is_refused(folder, tmp_path):
    other = tmp_path / "blitar"
    db = Database.init(other, "UPT-PSTW-BLITAR", "UPT Pelayanan Sosial Tresna Werdha Blitar")
    with db.transaction("test.load") as tx:
        tx.put("members", dict(MEMBERS[0], assignments=[dict(a, office="UPT-PSTW-BLITAR")
                                                        for a in MEMBERS[0]["assignments"]]))
    db.close()
    theirs = part_file(other, "members", MEMBERS[0]["id"])
    shutil.copy(theirs, folder / "db" / theirs.name)
    with pytest.raises(DamagedError) as caught:
        Database.open(folder)
    assert str(folder / "db" / theirs.name) in str(caught.value)
    assert "milik kantor UPT-PSTW-BLITAR, bukan UPT-PSTW-JEMBER" in str(caught.value)


def test_damage_message_in_english(folder):
    set_lang("en")
    part_file(folder).write_bytes(b"")
    with pytest.raises(DamagedError) as caught:
        Database.open(folder)
    assert "is damaged: the file is empty" in str(caught.value)


# ---------------------------------------------------------------------- crash in the middle of a write

WRITER = """
import random, sys
import storage.core.db as dbm
from storage.core.db import Database
dbm.JOURNAL_COMPACT_BYTES = dbm.JOURNAL_FORCE_BYTES = 16 * 1024   # fold often, so kills also land inside compactions
import storage.core.audit as auditm
auditm.SEAL_BYTES = 24 * 1024   # and seal the audit log often: kills land around seals too
path, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
db = Database.open(path, operator="crash")
rev = max((v.get("rev", 0) for v in db.values("members")), default=0)
print("ready", flush=True)
while True:
    ids = [v["id"] for v in db.values("members")]
    n = 1 if rng.random() < 0.8 else rng.randint(2, 40)
    confirmed = []
    with db.transaction("crash.write") as tx:
        for _ in range(n):
            rev += 1
            rid = rng.choice(ids) if ids and rng.random() < 0.5 else None
            value = db.get("members", rid) if rid else {"nik": f"35{rev:014d}", "kab": "35.09"}
            value.update(name=f"Anggota {rev}", rev=rev)
            confirmed.append((tx.put("members", value), rev))
    print(db.seq, " ".join(f"{rid}:{r}" for rid, r in confirmed), flush=True)
"""


def test_killed_writer_never_leaves_an_unreadable_file_nor_loses_a_confirmed_write(tmp_path):
    _kill_writer_repeatedly(tmp_path, kills=20, seed=20240404)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PILAR_SOAK") != "1", reason="soak test: make soak (PILAR_SOAK=1)")
def test_killed_writer_soak(tmp_path):
    _kill_writer_repeatedly(tmp_path, kills=200, seed=int(time.time()))


def _kill_writer_repeatedly(tmp_path: Path, kills: int, seed: int) -> None:
    path = tmp_path / "data"
    Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True).close()
    rng = random.Random(seed)
    confirmed: dict[str, int] = {}
    last_seq = 0
    for round_ in range(kills):
        proc = _python(WRITER, str(path), str(seed + round_))
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(rng.uniform(0.02, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        for line in out.split("\n")[:-1]:  # only whole lines: a line cut by the kill was not confirmed
            parts = line.split()
            if len(parts) < 2:
                continue
            seq = int(parts[0])
            last_seq = max(last_seq, seq)
            for item in parts[1:]:
                rid, rev = item.split(":")
                confirmed[rid] = max(confirmed.get(rid, 0), int(rev))
        # Every collection file on disk parses as it is (before any repair on open).
        for file in (path / "db").glob("*.json"):
            if file.name != "manifest.json":
                PilarStorage(file, file.stem, "JATIM").read()
        orjson.loads((path / "db" / "manifest.json").read_bytes())
        db = Database.open(path, read_only=True)
        assert db.seq >= last_seq
        for rid, rev in confirmed.items():
            value = db.get("members", rid)
            assert value is not None and value["rev"] >= rev, (seed, round_, rid, rev)
        assert not db.audit.verify()
    assert len(confirmed) > kills, "the writer hardly confirmed a write"
    db = Database.open(path)
    assert db.count("members") >= len(confirmed)
    db.close()


# ---------------------------------------------------------------------- audit log

def test_audit_log_masks_nik_bank_account_and_phone(folder):
    db = Database.open(folder, operator="Siti")
    value = db.get("members", MEMBERS[3]["id"])
    old = (value["nik"], value["bank"]["account"], value["phone"])
    value["bank"]["account"] = "9988776655"
    value["phone"] = "+6285212345678"
    with db.transaction("roster.edit") as tx:
        tx.put("members", value)
    db.close()
    text = (folder / "audit.jsonl").read_text()
    for secret in (*old, "9988776655", "+6285212345678", "85212345678"):
        assert not secret or secret not in text
    for m in MEMBERS:
        assert m["nik"] not in text and m["bank"]["account"] not in text
    history = AuditLog(folder / "audit.jsonl").for_record(value["id"])
    assert [h["action"] for h in history] == ["test.load", "roster.edit"]
    changes = history[-1]["changes"]
    assert changes["bank.account"] == ["******" + old[1][-4:], "******6655"]
    assert changes["phone"][1].endswith("5678") and changes["phone"][1].startswith("*")
    assert history[-1]["operator"] == "Siti"


def test_audit_chain_detects_an_edited_line(folder):
    db = Database.open(folder, read_only=True)
    assert db.audit.verify(db.manifest.get("audit")) == []
    lines = (folder / "audit.jsonl").read_bytes().splitlines()
    line = orjson.loads(lines[5])
    line["operator"] = "Orang Lain"
    lines[5] = orjson.dumps(line, option=orjson.OPT_SORT_KEYS)
    (folder / "audit.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert AuditLog(folder / "audit.jsonl").verify() == ["line 6"]
    del lines[7]
    (folder / "audit.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert AuditLog(folder / "audit.jsonl").verify()


# ---------------------------------------------------------------------- versions and merge

def _v(replica: str, counter: int, vv: dict, hlc: int, name: str = "x") -> dict:
    return {"dot": [replica, counter], "vv": dict(vv, **{replica: counter}), "hlc": hlc, "office": replica,
            "operator": "", "deleted": False, "data": {"name": name}}


def test_dominates():
    assert dominates({"a": 2, "b": 1}, {"a": 1})
    assert dominates({"a": 1}, {"a": 1})
    assert not dominates({"a": 1}, {"a": 1, "b": 1})
    assert not dominates({"a": 2}, {"b": 1}) and not dominates({"b": 1}, {"a": 2})


def test_merge_versions_drops_dominated_and_keeps_concurrent_siblings():
    base = _v("a", 1, {}, 100)
    edit = _v("a", 2, {"a": 1}, 200)               # has seen base
    other = _v("b", 1, {"a": 1}, 150)              # also has seen base, concurrent with edit
    assert merge_versions([base], [edit]) == [edit]
    merged = merge_versions([base, edit], [base, other])
    assert merged == [edit, other]                 # siblings, highest hlc first
    resolved = _v("b", 2, {"a": 2, "b": 1}, 120)   # a person resolved the conflict on b
    assert merge_versions(merged, [resolved]) == [resolved]
    # Idempotent, commutative, associative.
    assert merge_versions(merged, merged) == merged
    assert merge_versions([other], [edit, base]) == merged
    assert merge_versions(merge_versions([base], [edit]), [other]) == merge_versions([base], merge_versions(
        [edit], [other]))


def test_winner_order_is_deterministic_whatever_the_input_order():
    x = _v("aaaa", 1, {}, 500, "X")
    y = _v("bbbb", 1, {}, 500, "Y")   # same hlc: replica id breaks the tie
    z = _v("cccc", 1, {}, 400, "Z")
    orders = {tuple(v["dot"][0] for v in merge_versions(*perm)) for perm in
              ([[x], [y], [z]], [[z], [y], [x]], [[y, z], [x]], [[x, z, y]])}
    assert orders == {("bbbb", "aaaa", "cccc")}
    doc1 = merge_docs(None, {"id": "r", "kind": "member", "owner": "JATIM", "v": [x, z]})
    doc2 = merge_docs({"id": "r", "kind": "member", "owner": "JATIM", "v": [z]},
                      {"id": "r", "kind": "member", "owner": "JATIM", "v": [y, x]})
    assert winner(merge_docs(doc1, doc2))["data"]["name"] == "Y"


def test_two_offices_editing_the_same_record_become_a_visible_conflict(tmp_path):
    a = Database.init(tmp_path / "a", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True)
    with a.transaction("test.load") as tx:
        tx.put("members", MEMBERS[0])
    b = Database.init(tmp_path / "b", "UPT-PSTW-JEMBER", "UPT Pelayanan Sosial Tresna Werdha Jember")
    with b.transaction("sync.import") as tx:
        tx.put_doc("members", a.doc("members", MEMBERS[0]["id"]))
    for db, name in ((a, "Nama dari Provinsi"), (b, "Nama dari UPT")):
        # (the UPT's write is made past the authority check: this test is about the merge)
        with db.transaction("roster.edit", system=True) as tx:
            tx.put("members", dict(MEMBERS[0], name=name))
    merged = merge_docs(a.doc("members", MEMBERS[0]["id"]), b.doc("members", MEMBERS[0]["id"]))
    assert len(merged["v"]) == 2
    with a.transaction("sync.import") as tx:
        assert tx.put_doc("members", merged)
    value = a.get("members", MEMBERS[0]["id"])
    assert value["_conflict"] is True
    assert value["name"] == winner(merged)["data"]["name"]
    # Resolving writes a version that has seen both: the conflict is gone.
    with a.transaction("roster.resolve") as tx:
        tx.put("members", dict(value, name="Nama Disepakati"))
    resolved = a.doc("members", MEMBERS[0]["id"])
    assert len(resolved["v"]) == 1 and "_conflict" not in a.get("members", MEMBERS[0]["id"])
    assert merge_versions(resolved["v"], merged["v"]) == resolved["v"]
    a.close()
    b.close()


def test_hlc_is_monotonic_even_when_the_clock_goes_back():
    now = [1_712_211_240.0]
    clock = Hlc(clock=lambda: now[0])
    seen = [clock.tick()]
    for step in (0.0, 0.0, -3600.0, 0.001, -0.5, 5.0):
        now[0] += step
        seen.append(clock.tick())
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    clock.observe(seen[-1] + 1000)
    assert clock.tick() > seen[-1] + 1000
    assert Hlc.millis(seen[0]) == 1_712_211_240_000


def test_hlc_survives_reopen(folder):
    db = Database.open(folder)
    with db.transaction("test.edit") as tx:
        tx.put("members", dict(MEMBERS[0], name="Sekali Lagi"))
    last = db.hlc.last
    db.close()
    again = Database.open(folder)
    assert again.hlc.last >= last
    with again.transaction("test.edit") as tx:
        tx.put("members", dict(MEMBERS[0], name="Dua Kali"))
    assert again.doc("members", MEMBERS[0]["id"])["v"][0]["hlc"] > last
    again.close()


def test_plain_tinydb_elsewhere_keeps_its_own_int_ids(folder, tmp_path):
    from tinydb import TinyDB

    plain = TinyDB(tmp_path / "plain.json")
    assert plain.insert({"a": 1}) == 1 and plain.insert({"a": 2}) == 2
    db = Database.open(folder, read_only=True)
    name = db.files("members")[0]
    assert db.tinydb(name).table(name).all()[0].doc_id != 1


def test_a_torn_audit_batch_is_cut_and_rewritten_whole_from_the_journal(tmp_path):
    """A kill during the audit append leaves part of a transaction's entries: none may go missing."""
    folder = tmp_path / "office"
    code = f"""
import os
from storage.core.db import Database
db = Database.init({str(folder)!r}, "UPT-X", "UPT X", operator="Siti")
with db.transaction("roster.add") as tx:
    tx.put("members", {{"id": "a", "name": "A"}})
with db.transaction("roster.import") as tx:
    for rid in ("b", "c", "d"):
        tx.put("members", {{"id": rid, "name": rid.upper()}})
os._exit(0)  # killed: no compaction, the journal still holds both transactions
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])
    audit_path = folder / "audit.jsonl"
    lines = audit_path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 4
    # Keep the first transaction, the first entry of the second and half of its second entry.
    audit_path.write_bytes(b"".join(lines[:2]) + lines[2][: len(lines[2]) // 2])
    db = Database.open(folder)
    try:
        entries = list(db.audit.lines())
        assert [e["id"] for e in entries] == ["a", "b", "c", "d"]
        assert [e["end"] for e in entries] == [True, False, False, True]
        assert db.audit.verify(db.manifest.get("audit")) == []
    finally:
        db.close()


def test_a_torn_audit_batch_is_not_reported_as_damage_before_the_repair(tmp_path):
    """pilar check right after a crash (read-only, nothing repaired yet) must be clean."""
    folder = tmp_path / "office"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    with db.transaction("roster.add") as tx:
        tx.put("members", {"id": "a", "name": "A"})
    with db.transaction("roster.import") as tx:
        for rid in ("b", "c"):
            tx.put("members", {"id": rid, "name": rid.upper()})
    raw = (folder / "audit.jsonl").read_bytes()
    db._release_lock()  # crashed: no compaction, the journal keeps both transactions
    (folder / "audit.jsonl").write_bytes(raw[: len(raw) - 40])
    reader = Database.open(folder, read_only=True)
    assert reader.audit.verify(reader.manifest.get("audit")) == []
    # An edited whole line is still found.
    lines = raw.splitlines(keepends=True)
    (folder / "audit.jsonl").write_bytes(lines[0].replace(b'"A"', b'"Z"') + b"".join(lines[1:]))
    reader = Database.open(folder, read_only=True)
    assert reader.audit.verify(reader.manifest.get("audit")) == ["line 1"]
