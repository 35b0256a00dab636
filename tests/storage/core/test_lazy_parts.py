"""Opening what a command needs (issue 25): a writable open with ``whole=False`` reads a part of the members
when a record of it is asked for, knows the clock, replicas and version vector of the parts it did not read
from db/versions.idx, and writes the same files as a whole open would."""

from __future__ import annotations

import orjson
import pytest

from storage import sample
from storage.core import formats
from storage.core.db import ACTIVE_INDEX, NIK_INDEX, VERSIONS_INDEX, Database, PilarStorage, nik_parts
from tests.support.parts import part_file

CODE = "UPT-PSTW-JEMBER"
MEMBERS = [dict(m, assignments=[dict(a, office=CODE) for a in m["assignments"]]) for m in sample.members()[:120]]


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "data"
    db = Database.init(path, CODE, "UPT Pelayanan Sosial Tresna Werdha Jember", operator="Siti")
    with db.transaction("test.load") as tx:
        for m in MEMBERS:
            tx.put("members", m)
    db.close()
    return path


def whole_vv(db: Database) -> dict[str, int]:
    out: dict[str, int] = {}
    for name in db.collections():
        for doc in db.raw(name).values():
            for v in doc["v"]:
                for r, n in v["vv"].items():
                    out[r] = max(out.get(r, 0), n)
    return out


def records(path) -> dict[str, dict]:
    db = Database.open(path, read_only=True)
    try:
        return {f"{name}/{rid}": doc for name in db.collections() for rid, doc in db.raw(name).items()}
    finally:
        db.close()


def drop_manifest_index(path, key: str) -> None:
    """What 0.3.0 does when it rewrites the manifest: index entries it does not know are gone."""
    file = path / "db" / "manifest.json"
    manifest = orjson.loads(file.read_bytes())
    manifest["indexes"].pop(key)
    manifest.pop("sha256", None)
    file.write_bytes(formats.manifest_bytes(manifest))


def test_a_command_reads_only_the_part_of_the_record_it_asks_for(folder):
    rid = MEMBERS[7]["id"]
    db = Database.open(folder, operator="Siti", whole=False)
    try:
        assert not [n for n in db.loaded_parts if n.startswith("members.")]
        assert db.collections() == ["members"] or "members" in db.collections()
        assert db.value("members", rid)["name"] == MEMBERS[7]["name"]
        assert db.get("members", rid)["nik"] == MEMBERS[7]["nik"]
        assert [n for n in db.loaded_parts if n.startswith("members.")] == [part_file(folder, "members", rid).stem]
        assert db.file_count == len(list((folder / "db").glob("*.json"))) - 1  # (the manifest is not one)
        # the whole collection when asked for: the same records as a whole open
        assert db.count("members") == len(MEMBERS)
        assert {v["id"] for v in db.values("members")} == {m["id"] for m in MEMBERS}
    finally:
        db.close()


def test_the_versions_summaries_are_those_of_every_version_held(folder):
    db = Database.open(folder, operator="Siti", whole=False)
    said, replicas, clock = db.overall_vv(), dict(db.replicas), db.hlc.last
    assert said == whole_vv(db)
    assert db.replicas == replicas and clock == db.hlc.last  # nothing learnt by reading every part
    db.close()


def test_an_edit_through_a_lazy_open_writes_what_a_whole_open_writes(folder, tmp_path):
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(folder, twin)
    rid, other = MEMBERS[3]["id"], MEMBERS[50]["id"]
    for path, whole in ((folder, False), (twin, True)):
        db = Database.open(path, operator="Siti", whole=whole)
        with db.transaction("test.edit") as tx:
            value = tx.get("members", rid)
            value["nik"] = "3509019999990001"  # a NIK changed: the NIK index follows
            tx.put("members", value)
            tx.delete("members", other)
            tx.put("members", {"nik": "3509019999990002", "name": "BARU", "id": "new-member-1"})
        if not whole:
            read = {n for n in db.loaded_parts if n.startswith("members.")}
            assert read == {part_file(path, "members", r).stem for r in (rid, other, "new-member-1")}
        db.close(fold=True)
    # (the twin, a copy, took a replica id of its own: the same values, other dots)
    assert {k: Database.value_of(d) for k, d in records(folder).items()} == \
        {k: Database.value_of(d) for k, d in records(twin).items()}
    for name in (NIK_INDEX, ACTIVE_INDEX):
        lazy, whole_ = ((p / "db" / name).read_bytes().split(b"\n", 1) for p in (folder, twin))
        assert orjson.loads(lazy[1]) == orjson.loads(whole_[1]), name  # kept in step from the parts changed
    kept = orjson.loads((folder / "db" / VERSIONS_INDEX).read_bytes().split(b"\n", 1)[1])
    db = Database.open(folder, read_only=True)
    db._psum.clear()
    assert {n: {k: s[k] for k in ("seq", "hlc", "vv", "replicas")} for n, s in kept.items()} == \
        {n: db._summary(n) for n in kept}
    db.close()
    assert nik_parts(folder, "3509019999990001") == {part_file(folder, "members", rid).stem}
    assert nik_parts(folder, MEMBERS[3]["nik"]) is None  # (the old NIK is no member's now)
    db = Database.open(folder, operator="Siti", whole=False)
    assert db.overall_vv() == whole_vv(db)
    db.close()


def test_a_journal_left_by_a_command_is_replayed_into_the_parts_it_changed(folder):
    rid = MEMBERS[9]["id"]
    db = Database.open(folder, operator="Siti", whole=False)
    with db.transaction("test.edit") as tx:
        tx.put("members", dict(tx.get("members", rid), name="DIGANTI"))
    db.close(fold=False)  # a command's close: the journal stays
    db = Database.open(folder, operator="Siti", whole=False)
    try:
        assert [n for n in db.loaded_parts if n.startswith("members.")] == [part_file(folder, "members", rid).stem]
        assert db.value("members", rid)["name"] == "DIGANTI"
        assert db.overall_vv() == whole_vv(db)
    finally:
        db.close()


@pytest.mark.parametrize("how", ["manifest", "file", "entry"])
def test_without_a_usable_versions_index_the_parts_are_read_and_the_index_written_again(folder, how):
    if how == "manifest":
        drop_manifest_index(folder, "versions")  # an older Pilar rewrote the manifest
    elif how == "file":
        (folder / "db" / VERSIONS_INDEX).unlink()
    else:  # one part's entry no longer its file's: that part is read
        raw = (folder / "db" / VERSIONS_INDEX).read_bytes()
        head, body = raw.split(b"\n", 1)
        entries = orjson.loads(body)
        target = part_file(folder, "members", MEMBERS[0]["id"]).stem
        entries[target]["seq"] -= 1
        payload = orjson.dumps(entries, option=orjson.OPT_SORT_KEYS)
        import hashlib

        head = orjson.loads(head)
        head["sha256"] = hashlib.sha256(payload).hexdigest()
        (folder / "db" / VERSIONS_INDEX).write_bytes(orjson.dumps(head) + b"\n" + payload + b"\n")
    db = Database.open(folder, operator="Siti", whole=False)
    read = {n for n in db.loaded_parts if n.startswith("members.")}
    everything = {p.stem for p in (folder / "db").glob("members.*.json")}
    assert read == ({target} if how == "entry" else everything)
    assert db.overall_vv() == whole_vv(db)
    db.close(fold=False)
    manifest = orjson.loads((folder / "db" / "manifest.json").read_bytes())
    assert type(manifest["indexes"].get("versions")) is int  # written again at the close
    db = Database.open(folder, operator="Siti", whole=False)
    assert not [n for n in db.loaded_parts if n.startswith("members.")]
    assert db.overall_vv() == whole_vv(db)
    db.close()


def test_a_fold_cut_short_before_the_manifest_opens_lazily_with_nothing_lost(folder, monkeypatch):
    import storage.core.db as dbm

    rid = MEMBERS[11]["id"]
    db = Database.open(folder, operator="Siti", whole=False)
    with db.transaction("test.edit") as tx:
        tx.put("members", dict(tx.get("members", rid), name="SEBELUM MATI"))
    real = dbm.atomic_write

    def dies_at_the_manifest(path, data):
        if path.name == "manifest.json":
            raise KeyboardInterrupt  # the process killed between the parts (and indexes) and the manifest
        real(path, data)

    monkeypatch.setattr(dbm, "atomic_write", dies_at_the_manifest)
    with pytest.raises(KeyboardInterrupt):
        db.compact()
    monkeypatch.setattr(dbm, "atomic_write", real)
    db._release_lock()
    db = Database.open(folder, operator="Siti", whole=False)
    try:
        assert db.value("members", rid)["name"] == "SEBELUM MATI"
        assert db.overall_vv() == whole_vv(db)
        assert db.count("members") == len(MEMBERS)
    finally:
        db.close()
    assert records(folder)[f"members/{rid}"]["v"][0]["data"]["name"] == "SEBELUM MATI"


def test_a_part_changed_behind_the_folders_back_is_read_at_open(folder):
    target = part_file(folder, "members", MEMBERS[0]["id"])
    raw = target.read_bytes()
    target.write_bytes(raw[:-2] + b" \n}\n")  # one byte longer, still whole: not the file the index describes
    db = Database.open(folder, operator="Siti", whole=False)
    try:
        assert target.stem in db.loaded_parts
    finally:
        db.close()


def test_the_replicas_of_the_parts_read_at_open_are_known(folder, tmp_path):
    import shutil

    moved = tmp_path / "moved"
    shutil.move(str(folder), str(moved))  # a moved folder writes under a new replica id
    db = Database.open(moved, operator="Siti", whole=False)
    new_replica = db.replica_id
    with db.transaction("test.edit") as tx:
        tx.put("members", dict(tx.get("members", MEMBERS[5]["id"]), name="DIPINDAH"))
    db.close(fold=False)  # only the journal holds a version of the new replica
    db = Database.open(moved, operator="Siti", whole=False)
    try:
        assert db.replicas.get(new_replica) == CODE
        known, clock = dict(db.replicas), db.hlc.last
        db.load_all()
        assert db.replicas == known and db.hlc.last == clock
    finally:
        db.close()


def test_the_ringkasans_tallies_stay_right_through_commands_that_read_a_few_parts(tmp_path):
    import random

    from storage import summary
    from storage.core.db import PROVINCE_CODE
    from storage.sample.generate import build_office

    path = build_office(tmp_path / "p", 300, seed=5)
    db = Database.open(path, read_only=True)
    ids = sorted(v["id"] for v in db.values("members"))
    db.close()

    def shown(s):
        return {k: v for k, v in s.items() if k not in ("timings", "source")}

    def counted():
        db = Database.open(path, read_only=True)
        try:
            return shown(summary.compute(db, waiting=False))
        finally:
            db.close()

    Database.open(path, operator="Siti").close()  # the tallies and the versions index written
    rng = random.Random(7)
    for round_ in range(4):
        db = Database.open(path, operator="Siti", whole=False)
        with db.transaction("test") as tx:
            for rid in rng.sample(ids, 3):
                value = tx.get("members", rid)
                if value and value["assignments"]:
                    a = value["assignments"][0]
                    a["status"] = "INACTIVE" if a["status"] == "ACTIVE" else "ACTIVE"
                    tx.put("members", value)
            a, b = tx.get("members", ids[round_]), tx.get("members", ids[-1 - round_])
            tx.put("members", dict(b, nik=a["nik"]))  # a duplicate NIK made
        assert len([n for n in db.loaded_parts if n.startswith("members.")]) < 32
        db.close(fold=round_ % 2 == 0)
        assert shown(summary.current_at_start(path)) == counted(), round_
    assert counted()["cases"]["duplicates"] > 0
    assert PROVINCE_CODE == orjson.loads((path / "office.json").read_bytes())["code"]


def test_a_members_index_missing_is_written_whole_by_a_commands_fold(folder, tmp_path):
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(folder, twin)
    for path in (folder, twin):
        drop_manifest_index(path, "members.active")  # written by a Pilar before it (0.3.0)
        drop_manifest_index(path, "members.nik")
    rid = MEMBERS[21]["id"]
    for path, whole in ((folder, False), (twin, True)):
        db = Database.open(path, operator="Siti", whole=whole)
        with db.transaction("test.edit") as tx:
            tx.put("members", dict(tx.get("members", rid), name="DIUBAH"))
        db.close(fold=True)
    for name in (NIK_INDEX, ACTIVE_INDEX):
        lazy, whole_ = ((p / "db" / name).read_bytes().split(b"\n", 1) for p in (folder, twin))
        assert orjson.loads(lazy[1]) == orjson.loads(whole_[1]), name
    assert nik_parts(folder, MEMBERS[30]["nik"]) == {part_file(folder, "members", MEMBERS[30]["id"]).stem}


def test_pilar_backup_copies_the_folder_without_reading_its_records(folder, monkeypatch, capsys):
    """``pilar backup`` holds the folder to copy its files: it reads no part of the members (949 MB at
    100,000 members when it opened the folder whole), and the backup it writes holds every record."""
    from storage.backup.backups import list_backups
    from tui.cli import main

    read: list[str] = []
    parse = PilarStorage.parse

    def spy(self, raw):
        if self.path.parent == folder / "db":  # (the backup's own check reads its copies, not these)
            read.append(self.path.stem)
        return parse(self, raw)

    monkeypatch.setattr(PilarStorage, "parse", spy)
    assert main(["--data", str(folder), "--operator", "Siti", "backup"]) == 0
    assert not [n for n in read if n.startswith("members.")]
    (made,) = [b for b in list_backups(folder, deep=True) if b.reason == "manual"]
    assert made.verified and not made.problems
    monkeypatch.setattr(PilarStorage, "parse", parse)
    assert set(records(made.path)) == set(records(folder))
    assert len([k for k in records(made.path) if k.startswith("members/")]) == len(MEMBERS)
