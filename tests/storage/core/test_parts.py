"""Folder format 2 (issue 25): big collections cut into parts by a hash of the record id.

A change rewrites only its part and a backup links the others; `pilar check` names a damaged part; a
folder of format 1 (written by release 0.1.0, by Pilar before this change, or killed halfway through
its migration) opens, migrates once, checks clean and syncs."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from storage.backup import backups
from storage.backup.upgrade import open_folder
from storage.check import run_checks
from storage.core import db as db_module
from storage.core import formats
from storage.core.db import Database, PilarStorage, part_name
from storage.core.errors import DamagedError
from storage.sync import engine
from tests.support.parts import part_file
from tests.support.roster import make_folder
from tui.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# Written by the command line of main at 6ba8c64 (folder format 1, the evening before this change) with
# tests/fixtures/releases/make_release.py; JATIM then opened and closed by that code (its collections
# folded into members.json etc.), UPT-A left with everything in its journal (commands no longer fold).
MAIN_V1 = FIXTURES / "folders" / "v1-main"
RELEASE_0_1_0 = FIXTURES / "releases" / "0.1.0"


def _values(path: Path) -> dict[str, dict]:
    db = Database.open(path, read_only=True)
    try:
        return {c: {v["id"]: v for v in db.values(c)} for c in db.collections()}
    finally:
        db.close()


def _migrations(db: Database) -> list[dict]:
    return [e for e in db.audit.lines() if e.get("action") == "folder.migrate"]


def _manifest(path: Path) -> dict:
    return orjson.loads((path / "db" / "manifest.json").read_bytes())


def _no_single_files(path: Path) -> None:
    names = {p.name for p in (path / "db").glob("*.json")}
    assert "members.json" not in names and "invitations.json" not in names
    assert not any(n.startswith("payouts_") and n.count(".") == 1 for n in names)


# ---------------------------------------------------------------------- what older Pilar wrote

@pytest.mark.parametrize("source", [RELEASE_0_1_0, MAIN_V1], ids=["release-0.1.0", "main-before-parts"])
def test_a_format_1_folder_migrates_checks_and_syncs(source, tmp_path, capsys):
    root = tmp_path / "root"
    shutil.copytree(source, root)
    expected = orjson.loads((root / "release.json").read_bytes())
    for office in ("JATIM", "UPT-A"):
        folder = root / office
        assert _manifest(folder)["schema"] == 1
        db = open_folder(folder, operator="Uji")
        try:
            assert db.count("members") == expected["members"][office]
            assert len(_migrations(db)) == 1 and "folder 1->2" in _migrations(db)[0]["note"]
        finally:
            db.close()
        manifest = _manifest(folder)
        assert manifest["schema"] == 2 and manifest["parts"]["members"] == db_module.PARTS["members"]
        assert not formats.manifest_altered(manifest)
        _no_single_files(folder)
        # every file is named in the manifest and every member is in the part its id hashes to
        for file in (folder / "db").glob("members.*.json"):
            assert file.stem in manifest["files"]
            docs = PilarStorage(file, file.stem, office).read()[file.stem]
            assert docs and all(part_name("members", rid, 32) == file.stem for rid in docs)
        assert main(["--data", str(folder), "check"]) == 0, capsys.readouterr()
        assert run_checks(folder) == []
    # UPT-A's last change (in its journal when the old Pilar stopped) came through
    assert "+6281333444555" in {m.get("phone") for m in _values(root / "UPT-A")["members"].values()}
    # the bundles the old Pilar made import, and sync goes on both ways
    prov, upt = open_folder(root / "JATIM"), open_folder(root / "UPT-A")
    try:
        members = prov.count("members")
        got = engine.import_bundle(prov, root / "bundles" / "to-JATIM.pilar")
        assert not got.refused and prov.count("members") == members + 1
        got = engine.import_bundle(upt, root / "bundles" / "to-UPT-A.pilar")
        assert not got.refused
        out = engine.export_bundle(upt, "JATIM", tmp_path / "up")
        assert not engine.import_bundle(prov, out.path).refused
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "down")
        assert not engine.import_bundle(upt, out.path).refused
        assert {v["id"] for v in upt.values("members")} <= {v["id"] for v in prov.values("members")}
    finally:
        prov.close()
        upt.close()
    for office in ("JATIM", "UPT-A"):
        assert run_checks(root / office) == []


# ---------------------------------------------------------------------- a bigger format 1 folder

def _as_format_1(path: Path) -> None:
    """Put a folder of this Pilar back the way format 1 wrote it: one file per collection (schema 1 in
    its header, the highest sequence of its parts), a manifest without parts or checksum."""
    manifest = _manifest(path)
    office = manifest["office"]
    merged: dict[str, dict] = {}
    seqs: dict[str, int] = {}
    for file in sorted((path / "db").glob("*.json")):
        if file.name == "manifest.json":
            continue
        storage = PilarStorage(file, file.stem, office)
        docs = storage.read()[file.stem]
        name = file.stem.partition(".")[0]
        merged.setdefault(name, {}).update(docs)
        seqs[name] = max(seqs.get(name, 0), storage.meta["seq"])
        file.unlink()
    for name, docs in merged.items():
        PilarStorage(path / "db" / f"{name}.json", name, office, create=True).write(
            {name: docs}, seq=seqs[name], schema=1)
    manifest.pop("parts", None)
    manifest.pop("sha256", None)
    manifest.update(schema=1, files={n: {"seq": s} for n, s in seqs.items()})
    (path / "db" / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS))


@pytest.fixture
def v1(tmp_path) -> tuple[Path, dict]:
    """A UPT folder of format 1 with 126 members folded into members.json and one edit in its journal."""
    path = tmp_path / "v1"
    db = make_folder(path, extra=120)
    with db.transaction("seed", system=True) as tx:  # a collection that stays one file
        tx.put("events", {"name": "Rapat koordinasi", "date": "2024-05-02"})
    db.close()
    _as_format_1(path)
    assert _manifest(path)["schema"] == 1 and (path / "db" / "members.json").exists()
    with pytest.MonkeyPatch.context() as patch:
        # this Pilar made to read and write format 1 (nothing cut, no manifest checksum) for a moment:
        # one more change, left in the journal as a PC switched off would leave it (the journal's
        # lines did not change with the format)
        patch.setattr(formats.FOLDER, "current", 1)
        patch.setattr(db_module, "PARTS", {})
        db = Database.open(path, operator="Siti")
        rid = next(iter(db.raw("members")))
        with db.transaction("roster.save") as tx:
            tx.put("members", dict(db.get("members", rid), address="Jl. Jurnal Lama 9"))
        db._release_lock()
        values = _values(path)
    assert b"Jurnal Lama" in (path / "db" / "journal.jsonl").read_bytes()
    assert b"Jurnal Lama" not in (path / "db" / "members.json").read_bytes()
    assert _manifest(path)["schema"] == 1 and "sha256" not in _manifest(path)
    return path, values


def test_a_format_1_folder_is_cut_into_parts_with_nothing_lost(v1):
    path, values = v1
    db = open_folder(path, operator="Siti")
    try:
        assert {c: {v["id"]: v for v in db.values(c)} for c in db.collections()} == values
        assert "Jl. Jurnal Lama 9" in {v["address"] for v in db.values("members")}
    finally:
        db.close()
    _no_single_files(path)
    assert len(list((path / "db").glob("members.*.json"))) > 20  # 126 members over 32 parts
    assert run_checks(path) == []
    [backup] = [b for b in backups.list_backups(path) if "before-update" in b.name]
    assert (backup.path / "db" / "members.json").exists()  # the backup holds format 1 as it was


class _Killed(BaseException):
    pass


def _kill_after(monkeypatch, path: Path, at: int) -> list[str]:
    """The ``at``-th atomic write into db/ happens, then the process "dies" (before the next step)."""
    real = db_module.atomic_write
    done: list[str] = []

    def write(target, data, *a, **k):
        result = real(target, data, *a, **k)
        if Path(target).parent == path / "db":
            done.append(Path(target).name)
            if len(done) == at:
                raise _Killed(Path(target).name)
        return result

    monkeypatch.setattr(db_module, "atomic_write", write)
    return done


def test_a_migration_killed_at_any_write_finishes_at_the_next_open(v1, tmp_path, monkeypatch):
    path, values = v1
    # how many writes into db/ the migration makes
    probe = tmp_path / "probe"
    shutil.copytree(path, probe)
    with monkeypatch.context() as patch:
        writes = _kill_after(patch, probe, 10 ** 6)
        opened = open_folder(probe, operator="Siti")
        migration = len(writes)  # (closing folds the journal: more writes, not the migration's)
        opened.close()
    # events.json rewritten as format 2, the parts of the members, the manifest naming them (members.json
    # goes after it: a kill after the last write leaves both)
    assert migration > 20 and writes[0] == "events.json" and writes[migration - 1] == "manifest.json"
    for at in sorted({1, 2, 3, migration // 2, migration - 1, migration}):
        folder = tmp_path / f"killed-{at}"
        shutil.copytree(path, folder)
        with monkeypatch.context() as patch:
            _kill_after(patch, folder, at)
            with pytest.raises(_Killed):
                open_folder(folder, operator="Siti")
        (folder / ".lock").unlink(missing_ok=True)
        (folder / "lock.json").unlink(missing_ok=True)
        db = open_folder(folder, operator="Siti")  # the next start: the migration carries on
        try:
            assert {c: {v["id"]: v for v in db.values(c)} for c in db.collections()} == values, at
            assert len(_migrations(db)) == 1
        finally:
            db.close()
        _no_single_files(folder)
        assert run_checks(folder) == [], at
        assert len([b for b in backups.list_backups(folder) if "before-update" in b.name]) == 1


# ---------------------------------------------------------------------- one change, one part

def test_a_fold_rewrites_only_the_part_of_the_changed_record_and_a_backup_links_the_rest(tmp_path):
    path = tmp_path / "d"
    make_folder(path, extra=200).close()
    db = Database.open(path, operator="Siti")
    try:
        backups.backup_now(db, "manual")
        before = {p.name: p.stat().st_ino for p in (path / "db").glob("members.*.json")}
        rid = next(iter(db.raw("members")))
        with db.transaction("roster.save") as tx:
            tx.put("members", dict(db.get("members", rid), address="Jl. Satu Bagian 1"))
        db.compact()
        mine = db.part_of("members", rid) + ".json"
        after = {p.name: p.stat().st_ino for p in (path / "db").glob("members.*.json")}
        assert after.keys() == before.keys()
        assert [n for n in after if after[n] != before[n]] == [mine]
        second = backups.backup_now(db, "manual")
    finally:
        db.close()
    first = backups.list_backups(path)[1]
    copied = [rel for rel, f in second.meta["files"].items()
              if (second.path / rel).stat().st_ino != (first.path / rel).stat().st_ino]
    # the changed part and the NIK index (rewritten with each fold that changed a member) are copied
    assert f"db/{mine}" in copied and {c for c in copied if c.startswith("db/members.")} == {
        f"db/{mine}", f"db/{db_module.NIK_INDEX}"}
    members_bytes = sum(second.meta["files"][f"db/{n}"]["size"] for n in after)
    assert second.meta["files"][f"db/{mine}"]["size"] < members_bytes / 10  # a 32nd of them, give or take
    assert run_checks(second.path) == []


def test_check_names_the_damaged_part(tmp_path, capsys):
    path = tmp_path / "d"
    make_folder(path, extra=60).close()
    target = part_file(path)
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    target.write_bytes(bytes(raw))
    problems = run_checks(path)
    assert len(problems) == 1 and str(target) in problems[0] and "checksum" in problems[0]
    assert main(["--data", str(path), "--lang", "en", "check"]) == 1
    assert str(target) in capsys.readouterr().out


def test_a_record_in_the_wrong_part_or_in_two_parts_is_named(tmp_path):
    path = tmp_path / "d"
    make_folder(path, extra=60).close()
    files = sorted((path / "db").glob("members.*.json"))
    a, b = files[0], files[1]
    docs_a = PilarStorage(a, a.stem).read()[a.stem]
    docs_b = PilarStorage(b, b.stem).read()[b.stem]
    rid, doc = next(iter(docs_a.items()))
    seq = orjson.loads(a.read_bytes().split(b"\n", 1)[0][:-1] + b"}")["_meta"]["seq"]
    # the same record in two parts: refused, the second file named
    PilarStorage(b, b.stem, "UPT-PSTW-JEMBER").write({b.stem: dict(docs_b, **{rid: doc})}, seq=seq)
    with pytest.raises(DamagedError) as err:
        Database.open(path, read_only=True)
    assert str(b) in str(err.value)
    # moved to a part its id does not hash to: pilar check names it and the part it belongs in
    del docs_a[rid]
    PilarStorage(a, a.stem, "UPT-PSTW-JEMBER").write({a.stem: docs_a}, seq=seq)
    problems = run_checks(path)
    assert len(problems) == 1 and str(b) in problems[0] and rid in problems[0] and a.name in problems[0]


def test_the_manifest_is_checksummed(tmp_path):
    path = tmp_path / "d"
    make_folder(path, extra=10).close()
    manifest = _manifest(path)
    name = next(n for n in manifest["files"] if n.startswith("members."))
    manifest["files"][name]["seq"] -= 1  # a changed digit that would otherwise pass unseen
    (path / "db" / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS))
    with pytest.raises(DamagedError) as err:
        Database.open(path, read_only=True)
    assert "manifest.json" in str(err.value)
    assert any("manifest.json" in p for p in run_checks(path))


def test_a_reading_command_brings_an_older_folder_up_to_date_first(tmp_path, capsys):
    """After an update from the stick a clerk's first command may only read (`pilar roster list`):
    it is brought up to date first (backup, lock, migration) and then answers; `pilar check` says how to
    update it and changes nothing."""
    root = tmp_path / "root"
    shutil.copytree(MAIN_V1, root)
    folder = root / "UPT-A"
    expected = orjson.loads((root / "release.json").read_bytes())["members"]["UPT-A"]

    before = sorted(p.name for p in (folder / "db").iterdir())
    assert main(["--data", str(folder), "check"]) == 1
    out = capsys.readouterr()
    assert "pilar backup" in out.out + out.err and sorted(p.name for p in (folder / "db").iterdir()) == before

    assert main(["--data", str(folder), "roster", "list", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert len(orjson.loads(out.out)) == expected
    assert "format 1" in out.err and "2" in out.err  # the migration is said, once
    assert _manifest(folder)["schema"] == 2 and run_checks(folder) == []
    assert main(["--data", str(folder), "roster", "list", "--format", "json"]) == 0
    assert "format 1" not in capsys.readouterr().err
