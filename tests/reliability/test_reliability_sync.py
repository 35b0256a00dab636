"""Sync under bad conditions: a stick pulled out during export, a bundle cut short by the copy, the
disk full during an import; the backup taken before an import undoes it with one restore."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from storage import backup as backups
from storage.check import run_checks
from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.sync import engine
from tests.support.network import make_network


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path / "net", upts=("UPT-A",))
    db = Database.open(paths["UPT-A"], operator="Siti")
    with db.transaction("seed") as tx:
        for i in range(30):
            tx.put("members", {"name": f"Anggota A{i}", "nik": f"3578014107{i:06d}"})
    db.close()
    return paths


def values(path: Path) -> dict:
    db = Database.open(path, read_only=True)
    try:
        return {c: {v["id"]: v for v in db.values(c)} for c in db.collections()}
    finally:
        db.close()


def export(paths, out: Path) -> Path:
    db = Database.open(paths["UPT-A"], operator="Siti")
    try:
        return engine.export_bundle(db, PROVINCE_CODE, out).path
    finally:
        db.close()


def failing(func: str, code: int, root: Path):
    real = getattr(os, func)

    def wrapped(*args, **kwargs):
        target = str(args[1]) if func == "replace" else os.readlink(f"/proc/self/fd/{args[0]}")
        if target.startswith(str(root)):
            if func == "write":
                real(args[0], bytes(args[1])[: len(args[1]) // 2])
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    return real, wrapped


@pytest.mark.parametrize("func", ["write", "fsync", "replace"])
def test_stick_pulled_out_during_bundle_export(net, tmp_path, func):
    stick = tmp_path / "stick"
    stick.mkdir()
    before = values(net["UPT-A"])
    real, wrapped = failing(func, errno.EIO, stick)
    setattr(os, func, wrapped)
    try:
        with pytest.raises(PilarError) as err:
            export(net, stick)
    finally:
        setattr(os, func, real)
    assert "\n" not in str(err.value) and str(stick) in str(err.value)
    assert list(stick.iterdir()) == []  # no half-written bundle, not even a temporary one
    assert values(net["UPT-A"]) == before and run_checks(net["UPT-A"]) == []


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.999])
def test_bundle_cut_short_by_the_copy_is_refused(net, tmp_path, cut):
    bundle = export(net, tmp_path / "out")
    stick = tmp_path / "stick"
    stick.mkdir()
    raw = bundle.read_bytes()
    copy = stick / bundle.name
    copy.write_bytes(raw[: int(len(raw) * cut)])
    before = values(net[PROVINCE_CODE])
    db = Database.open(net[PROVINCE_CODE], operator="Admin")
    try:
        with pytest.raises(PilarError) as err:
            engine.import_bundle(db, copy)
    finally:
        db.close()
    assert "\n" not in str(err.value)
    assert values(net[PROVINCE_CODE]) == before and run_checks(net[PROVINCE_CODE]) == []
    # the whole bundle still imports afterwards
    db = Database.open(net[PROVINCE_CODE], operator="Admin")
    try:
        result = engine.import_bundle(db, bundle)
    finally:
        db.close()
    assert result.added >= 30


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_disk_full_during_import_changes_nothing_and_can_be_retried(net, tmp_path, code):
    bundle = export(net, tmp_path / "out")
    prov = net[PROVINCE_CODE]
    before = values(prov)
    db = Database.open(prov, operator="Admin")
    real, wrapped = failing("write", code, prov / "db" / "journal.jsonl")
    os.write = wrapped
    try:
        with pytest.raises(PilarError) as err:
            engine.import_bundle(db, bundle)
    finally:
        os.write = real
    assert err.value.key in ("fs.disk_full", "fs.io_error")
    db.close()
    assert values(prov) == before and run_checks(prov) == []
    db = Database.open(prov, operator="Admin")
    try:
        result = engine.import_bundle(db, bundle)
    finally:
        db.close()
    assert not result.already and result.added >= 30
    assert len(values(prov)["members"]) == len(before.get("members", {})) + 30


def test_backup_before_import_undoes_it_with_one_restore(net, tmp_path):
    bundle = export(net, tmp_path / "out")
    prov = net[PROVINCE_CODE]
    before = values(prov)
    replica = Database.open(prov, read_only=True).office["replica_id"]
    db = Database.open(prov, operator="Admin")
    try:
        result = engine.import_bundle(db, bundle)
    finally:
        db.close()
    assert result.added >= 30
    made = [b for b in backups.list_backups(prov) if b.reason == "before-import"]
    assert len(made) == 1 and made[0].good
    restored = backups.restore(prov, made[0].name, operator="Admin")
    assert values(prov) == before
    assert restored.replica_id != replica
    assert run_checks(prov) == []
    # keys survive the restore: the province can still read the bundle again
    db = Database.open(prov, operator="Admin")
    try:
        again = engine.import_bundle(db, bundle)
    finally:
        db.close()
    assert again.added >= 30


def test_restore_keeps_keys_when_the_backup_has_none(net, tmp_path):
    prov = net[PROVINCE_CODE]
    db = Database.open(prov, operator="Admin")
    b = backups.backup_now(db, "manual")
    db.close()
    # a backup made before the keys existed: drop keys/ from it (and from its record)
    shutil.rmtree(b.path / "keys", ignore_errors=True)
    import orjson

    meta = orjson.loads((b.path / "backup.json").read_bytes())
    meta["files"] = {k: v for k, v in meta["files"].items() if not k.startswith("keys/")}
    (b.path / "backup.json").write_bytes(orjson.dumps(meta))
    keys_before = sorted(p.name for p in (prov / "keys").rglob("*"))
    assert keys_before
    backups.restore(prov, b.name)
    assert sorted(p.name for p in (prov / "keys").rglob("*")) == keys_before
