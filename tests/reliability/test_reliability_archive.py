"""Encrypted backup archives on a stick (``pilar backup --to``) and restoring from them.

What leaves the office is one encrypted file without the private key; a changed byte, a wrong
passphrase or a truncated file is refused and changes nothing; a round trip gives the same data.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import orjson
import pytest

from storage import backup as backups
from storage.backup import archive as archives
from storage.check import run_checks
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import set_lang
from storage.office import keys as office_keys
from storage.sync import engine
from tests.support.network import make_network
from tests.support.parts import part_file
from tests.support.parts import rel as rel_of
from tui.cli import main

PASSPHRASE = "kopi tubruk di pendopo"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch):
    # The real parameters (moderate: ~1 s, 256 MiB) are recorded in each header; tests use the minimum.
    monkeypatch.setattr(archives, "OPSLIMIT", argon2id.OPSLIMIT_MIN)
    monkeypatch.setattr(archives, "MEMLIMIT", argon2id.MEMLIMIT_MIN)
    monkeypatch.delenv(archives.ENV_PASSPHRASE, raising=False)


@pytest.fixture(scope="module")
def _sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "data"
    assert main(["--data", str(path), "init", "--sample"]) == 0
    return path


@pytest.fixture
def sample(_sample, tmp_path) -> Path:
    """The demo folder (1,562 members with NIK, bank account, address; the province's keys)."""
    path = tmp_path / "data"
    shutil.copytree(_sample, path)
    return path


def pass_file(tmp_path: Path, text: str = PASSPHRASE) -> Path:
    f = tmp_path / "sandi.txt"
    f.write_text(text + "\n", encoding="utf-8")
    return f


def make_archive(data: Path, stick: Path, tmp_path: Path, capsys=None, *extra: str) -> Path:
    assert main(["--data", str(data), "backup", "--to", str(stick), "--passphrase-file", str(pass_file(tmp_path)),
                 *extra]) == 0
    if capsys is not None:
        capsys.readouterr()
    [archive] = list(stick.iterdir())
    return archive


def all_values(path: Path) -> dict[str, list[dict]]:
    db = Database.open(path, read_only=True)
    try:
        cols = db.collections()
        return {c: sorted(db.values(c), key=lambda v: v["id"]) for c in cols}
    finally:
        db.close()


def folder_state(path: Path) -> dict[str, bytes]:
    """Every file under the folder with its bytes (to prove that nothing changed)."""
    if not path.exists():
        return {}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def personal_values(path: Path) -> list[str]:
    """NIKs, names, bank accounts and holders, phones and addresses of the folder (8+ characters, so a
    match by chance in random bytes is out of the question)."""
    out = set()
    for m in all_values(path)["members"]:
        bank = m.get("bank") or {}
        for v in (m.get("nik"), m.get("name"), bank.get("account"), bank.get("holder"), m.get("phone"),
                  m.get("address")):
            if isinstance(v, str) and len(v) >= 8:
                out.add(v)
    return sorted(out)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------- what leaves the office

def test_archive_holds_no_personal_data_and_no_private_key(sample, tmp_path, capsys):
    stick = tmp_path / "stick"
    archive = make_archive(sample, stick, tmp_path)
    out = capsys.readouterr().out
    assert str(archive) in out and "kata sandi" in out
    # one file, with a FAT32-safe name, nothing half-written left beside it
    assert re.fullmatch(r"pilar-JATIM-\d{8}-\d{6}-manual\.pilarbak", archive.name)
    raw = archive.read_bytes()
    values = personal_values(sample)
    assert len(values) > 4000  # 1,562 members: NIK, name, account, holder, phone, address
    members_json = b"".join(f.read_bytes() for f in (sample / "db").glob("members.*.json")) + \
        (sample / "audit.jsonl").read_bytes()
    assert sum(v.encode() in members_json for v in values[:200]) > 150  # the grep would find them in clear
    leaked = [v for v in values if v.encode() in raw or v.upper().encode() in raw]
    assert leaked == []
    key = orjson.loads((sample / "keys" / "office.key").read_bytes())
    for secret in (key["sign_seed"], key["box_sk"]):
        assert secret.encode() not in raw and bytes.fromhex(secret) not in raw
        assert secret.upper().encode() not in raw
    assert PASSPHRASE.encode() not in raw and b"office.key" not in raw
    # the clear header says only what it is
    header, hbytes, _ = archives.read_header(archive)
    assert header["office"] == "JATIM" and set(header) >= {"keys", "cipher", "name", "created"}
    assert not any(v.encode() in hbytes for v in values)
    # what is inside: everything but keys/
    manifest = archives.verify_archive(archives.open_archive(archive, PASSPHRASE))
    paths = {f["path"] for f in manifest["files"]}
    assert {"office.json", "audit.jsonl", rel_of(part_file(sample)), "db/manifest.json"} <= paths
    assert not any(p.startswith("keys") for p in paths)
    # the local backup still has the keys (it stays in the office)
    [local] = backups.list_backups(sample)
    assert "keys/office.key" in local.meta["files"]


def test_round_trip_on_a_new_computer_restores_identical_data(sample, tmp_path, capsys):
    before = all_values(sample)
    audit = (sample / "audit.jsonl").read_bytes()
    old_replica = orjson.loads((sample / "office.json").read_bytes())["replica_id"]
    archive = make_archive(sample, tmp_path / "stick", tmp_path, capsys)
    new = tmp_path / "new-pc" / "data"
    assert main(["--data", str(new), "restore", str(archive), "--passphrase-file", str(pass_file(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert all_values(new) == before
    assert (new / "audit.jsonl").read_bytes() == audit
    assert run_checks(new) == []
    assert orjson.loads((new / "office.json").read_bytes())["replica_id"] != old_replica
    # no keys came with it, and the office is told how to get new ones
    assert not (new / "keys").exists()
    assert "tidak punya kunci" in out and "pilar office add" in out
    # the archive on the stick is untouched and opens again
    assert archives.verify_archive(archives.open_archive(archive, PASSPHRASE))


def test_restore_over_the_folder_keeps_its_keys(sample, tmp_path, capsys):
    archive = make_archive(sample, tmp_path / "stick", tmp_path, capsys)
    before = all_values(sample)
    # keys/ changed since the backup (the local backup of that name holds the old trust.json)
    trust = orjson.loads((sample / "keys" / "trust.json").read_bytes())
    (sample / "keys" / "trust.json").write_bytes(orjson.dumps(dict(trust, note="sesudah cadangan")))
    key_bytes = (sample / "keys" / "office.key").read_bytes()
    trust_bytes = (sample / "keys" / "trust.json").read_bytes()
    db = Database.open(sample, operator="Siti")
    victim = next(iter(db.values("members")))
    with db.transaction("edit") as tx:
        tx.delete("members", victim["id"])
    db.close()
    os.environ[archives.ENV_PASSPHRASE] = PASSPHRASE
    try:
        assert main(["--data", str(sample), "restore", str(archive)]) == 0
    finally:
        del os.environ[archives.ENV_PASSPHRASE]
    out = capsys.readouterr().out
    assert all_values(sample) == before  # the deleted member is back
    assert (sample / "keys" / "office.key").read_bytes() == key_bytes
    assert (sample / "keys" / "trust.json").read_bytes() == trust_bytes  # the folder's keys, not the backup's
    assert "tidak punya kunci" not in out
    assert mode(sample / "keys") == 0o700 and mode(sample / "keys" / "office.key") == 0o600
    assert run_checks(sample) == []


# ---------------------------------------------------------------------- refused, nothing changed

def _damaged_copies(archive: Path, tmp_path: Path) -> dict[str, Path]:
    raw = archive.read_bytes()
    _, _, body = archives.read_header(archive)
    out = {}

    def put(label: str, data: bytes) -> None:
        p = tmp_path / f"{label}.pilarbak"
        p.write_bytes(data)
        out[label] = p

    for label, at in (("flip-header", 30), ("flip-header-check", body - 5), ("flip-first-record", body + 40),
                      ("flip-middle", len(raw) // 2), ("flip-last-byte", len(raw) - 1),
                      ("flip-record-flag", body)):
        b = bytearray(raw)
        b[at] ^= 0x01
        put(label, bytes(b))
    for frac in (0.001, 0.1, 0.5, 0.9, 0.9999):
        put(f"cut-{frac}", raw[:max(1, int(len(raw) * frac))])
    put("cut-last-byte", raw[:-1])
    put("extra-bytes", raw + b"\x00")
    put("not-an-archive", b"PK\x03\x04" + raw[4:])
    return out


def test_changed_byte_truncation_and_wrong_passphrase_are_refused_and_change_nothing(sample, tmp_path, capsys):
    archive = make_archive(sample, tmp_path / "stick", tmp_path, capsys)
    # the target folder has moved on since: a refused restore must leave it exactly as it is
    db = Database.open(sample, operator="Siti")
    with db.transaction("edit") as tx:
        tx.put("events", {"name": "Rapat sesudah cadangan"})
    db.close()
    state = folder_state(sample)
    pw = pass_file(tmp_path)
    expect = {"flip-header": "archive.damaged", "flip-header-check": "archive.damaged",
              "flip-first-record": "archive.damaged", "flip-middle": "archive.damaged",
              "flip-last-byte": "archive.damaged", "flip-record-flag": "archive.damaged",
              "cut-0.001": "archive.truncated", "cut-0.1": "archive.truncated", "cut-0.5": "archive.truncated",
              "cut-0.9": "archive.truncated", "cut-0.9999": "archive.truncated",
              "cut-last-byte": "archive.truncated", "extra-bytes": "archive.damaged",
              "not-an-archive": "archive.not_archive"}
    copies = _damaged_copies(archive, tmp_path)
    assert set(copies) == set(expect)
    for label, bad in copies.items():
        with pytest.raises(PilarError) as err:
            archives.restore_archive(sample, bad, passphrase=PASSPHRASE)
        assert err.value.key == expect[label], label
        assert folder_state(sample) == state, label
        # and on a new computer nothing is made either
        with pytest.raises(PilarError):
            archives.restore_archive(tmp_path / f"new-{label}", bad, passphrase=PASSPHRASE)
        assert folder_state(tmp_path / f"new-{label}") == {}, label
    with pytest.raises(PilarError) as err:
        archives.restore_archive(sample, archive, passphrase="bukan kata sandinya")
    assert err.value.key == "archive.wrong_passphrase" and folder_state(sample) == state
    # the command line: one sentence, Indonesian first, English with --lang en
    not_archive_cli = copies["cut-0.5"]
    assert main(["--data", str(sample), "restore", str(not_archive_cli), "--passphrase-file", str(pw)]) == 1
    assert "terpotong" in capsys.readouterr().err
    assert main(["--data", str(sample), "--lang", "en", "restore", str(copies["flip-middle"]),
                 "--passphrase-file", str(pw)]) == 1
    err_text = capsys.readouterr().err
    assert "damaged or was altered" in err_text and "unchanged" in err_text and "\n" not in err_text.strip()
    set_lang("id")
    (tmp_path / "w").mkdir()
    wrong = pass_file(tmp_path / "w", "salah salah salah")
    assert main(["--data", str(sample), "restore", str(archive), "--passphrase-file", str(wrong)]) == 1
    assert "Kata sandi salah" in capsys.readouterr().err
    assert folder_state(sample) == state
    # the good archive still restores
    assert main(["--data", str(sample), "restore", str(archive), "--passphrase-file", str(pw)]) == 0


def test_archive_of_another_office_is_refused_before_anything_is_written(tmp_path, capsys):
    paths = make_network(tmp_path / "net")
    a, b = paths["UPT-A"], paths["UPT-B"]
    archive = make_archive(a, tmp_path / "stick", tmp_path, capsys)
    state = folder_state(b)
    with pytest.raises(PilarError) as err:
        archives.restore_archive(b, archive, passphrase=PASSPHRASE)
    assert err.value.key == "backup.other_office" and folder_state(b) == state


# ---------------------------------------------------------------------- writing: passphrase, province

def test_backup_to_stick_needs_a_secret_and_writes_nothing_without_one(sample, tmp_path, capsys, monkeypatch):
    stick = tmp_path / "stick"
    n_backups = len(backups.list_backups(sample))
    assert main(["--data", str(sample), "backup", "--to", str(stick)]) == 1  # not at a terminal
    assert "harus dienkripsi" in capsys.readouterr().err
    short = pass_file(tmp_path, "pendek")
    assert main(["--data", str(sample), "backup", "--to", str(stick), "--passphrase-file", str(short)]) == 1
    assert "terlalu pendek" in capsys.readouterr().err
    assert not stick.exists() or list(stick.iterdir()) == []
    assert len(backups.list_backups(sample)) == n_backups  # refused before the backup was taken
    # at a terminal it is asked twice; two different answers write nothing
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["sandi yang pertama", "sandi yang kedua"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["--data", str(sample), "backup", "--to", str(stick)]) == 1
    assert "tidak sama" in capsys.readouterr().err
    answers = iter([PASSPHRASE, PASSPHRASE])
    assert main(["--data", str(sample), "backup", "--to", str(stick)]) == 0
    [archive] = list(stick.iterdir())
    assert archives.verify_archive(archives.open_archive(archive, PASSPHRASE))
    # restoring at a terminal asks once
    answers = iter([PASSPHRASE])
    assert main(["--data", str(tmp_path / "new"), "restore", str(archive)]) == 0
    capsys.readouterr()


def test_sealed_to_the_province_restores_at_the_province(tmp_path, capsys):
    paths = make_network(tmp_path / "net")
    upt, prov = paths["UPT-A"], paths["JATIM"]
    db = Database.open(upt, operator="Siti")
    with db.transaction("seed") as tx:
        for i in range(20):
            tx.put("members", {"name": f"Warga Nomor {i:03d}", "nik": f"35780141{i:08d}",
                               "bank": {"name": "Bank Jatim", "account": f"00{i:08d}", "holder": f"WARGA {i:03d}"}})
    db.close()
    before = all_values(upt)
    stick = tmp_path / "stick"
    assert main(["--data", str(upt), "backup", "--to", str(stick), "--to-province"]) == 0  # no passphrase
    out = capsys.readouterr().out
    assert "provinsi JATIM" in out
    [archive] = list(stick.iterdir())
    header, _, _ = archives.read_header(archive)
    assert archives.kinds(header) == {"sealed"}
    raw = archive.read_bytes()
    assert not any(v.encode() in raw for v in personal_values(upt))
    new = tmp_path / "restored-upt"
    assert main(["--data", str(new), "restore", str(archive)]) == 1
    assert "kunci provinsi" in capsys.readouterr().err
    assert folder_state(new) == {}
    assert main(["--data", str(new), "restore", str(archive), "--province-data", str(paths["UPT-B"])]) == 1
    assert "tidak dapat membuka" in capsys.readouterr().err
    assert main(["--data", str(new), "restore", str(archive), "--province-data", str(prov)]) == 0
    assert "tidak punya kunci" in capsys.readouterr().out
    assert all_values(new) == before and run_checks(new) == []
    # re-enrolment through the province: a new enrolment file, new keys, the province pinned again
    pdb = Database.open(prov, operator="Budi")
    try:
        enrol = engine.add_office(pdb, "UPT-A", "Kantor UPT-A")
    finally:
        pdb.close()
    file = tmp_path / "pilar_enrol_UPT-A.json"
    file.write_bytes(orjson.dumps(enrol))
    assert main(["--data", str(new), "restore", "--enrol", str(file), "--yes"]) == 0
    out = capsys.readouterr().out
    keys = office_keys.load_own(new)
    assert keys is not None and keys.fp in out and "pilar office trust UPT-A" in out
    assert office_keys.TrustStore.load(new).province["code"] == "JATIM"
    assert keys.fp != office_keys.load_own(upt).fp
    assert mode(new / "keys") == 0o700 and mode(new / "keys" / "office.key") == 0o600
    assert main(["--data", str(new), "restore", "--enrol", str(file), "--yes"]) == 1  # has keys now
    capsys.readouterr()


def test_passphrase_and_province_both_open_one_archive(tmp_path, capsys):
    paths = make_network(tmp_path / "net", upts=("UPT-A",))
    upt, prov = paths["UPT-A"], paths["JATIM"]
    archive = make_archive(upt, tmp_path / "stick", tmp_path, capsys, "--to-province")
    assert archives.kinds(archives.read_header(archive)[0]) == {"passphrase", "sealed"}
    a = archives.open_archive(archive, PASSPHRASE)
    b = archives.open_archive(archive, keys=office_keys.load_own(prov))
    assert a.key == b.key and archives.verify_archive(b)


def test_to_province_without_a_pinned_province_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    Database.init(data, "UPT-X", "Kantor X", operator="Siti").close()
    assert main(["--data", str(data), "backup", "--to", str(tmp_path / "stick"), "--to-province"]) == 1
    assert "Kunci provinsi belum tercatat" in capsys.readouterr().err
    assert not (tmp_path / "stick").exists()


def test_stick_pulled_out_while_the_archive_is_written(sample, tmp_path, monkeypatch):
    db = Database.open(sample, operator="Siti")
    try:
        b = backups.backup_now(db, "manual")
    finally:
        db.close()
    stick = tmp_path / "stick"
    stick.mkdir()

    def on_stick(fd_or_path) -> bool:
        target = os.readlink(f"/proc/self/fd/{fd_or_path}") if isinstance(fd_or_path, int) else str(fd_or_path)
        return target.startswith(str(stick))

    # every write (the header, then each record), the fsync and the rename, one at a time
    for name, at in (("write", 1), ("write", 2), ("fsync", 1), ("replace", 1)):
        real = getattr(os, name)
        calls = {"n": 0}

        def pulled(*a, real=real, calls=calls, at=at, **kw):
            if on_stick(a[0]):
                calls["n"] += 1
                if calls["n"] == at:
                    raise OSError(5, "Input/output error")
            return real(*a, **kw)

        monkeypatch.setattr(os, name, pulled)
        with pytest.raises(PilarError) as err:
            archives.write_archive(b, stick, passphrase=PASSPHRASE)
        monkeypatch.setattr(os, name, real)
        assert calls["n"] >= at, name
        assert err.value.key == "backup.copy_out_failed" and "\n" not in str(err.value)
        assert "Gagal membaca/menulis" in str(err.value) or "Input/output" in str(err.value)
        assert list(stick.iterdir()) == [], name  # nothing left, nothing that looks like an archive
    assert backups.list_backups(sample)[0].good


def test_a_backup_changed_before_it_is_archived_is_refused(sample, tmp_path):
    db = Database.open(sample, operator="Siti")
    try:
        b = backups.backup_now(db, "manual")
    finally:
        db.close()
    p = part_file(b.path)
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2] ^= 1
    p.write_bytes(bytes(raw))
    with pytest.raises(PilarError) as err:
        archives.write_archive(b, tmp_path / "stick", passphrase=PASSPHRASE)
    assert err.value.key == "backup.not_good" and rel_of(p) in str(err.value)
    assert list((tmp_path / "stick").iterdir()) == []


# ---------------------------------------------------------------------- keys/ stays private on the disk

def test_keys_folders_are_private_in_the_folder_and_every_backup(sample, tmp_path, capsys):
    os.chmod(sample / "keys", 0o755)  # a folder made by an older Pilar
    os.chmod(sample / "keys" / "office.key", 0o644)
    db = Database.open(sample, operator="Siti")
    try:
        first = backups.backup_now(db, "manual")
        with db.transaction("edit") as tx:
            tx.put("events", {"name": "Rapat"})
        second = backups.backup_now(db, "manual")  # keys/ linked from the first
    finally:
        db.close()
    assert mode(sample / "keys") == 0o700 and mode(sample / "keys" / "office.key") == 0o600
    for b in (first, second):
        assert mode(b.path) == 0o700
        assert mode(b.path / "keys") == 0o700
        for f in (b.path / "keys").iterdir():
            assert mode(f) == 0o600, f
    assert mode(backups.backups_dir(sample)) == 0o700
    # a restore puts keys/ back private too (the staged copy's folders are made anew)
    assert main(["--data", str(sample), "restore", first.name]) == 0
    capsys.readouterr()
    assert mode(sample / "keys") == 0o700 and mode(sample / "keys" / "office.key") == 0o600
    for b in backups.list_backups(sample):
        assert mode(b.path / "keys") == 0o700 and b.good


def test_header_parameters_are_recorded_and_used(sample, tmp_path, capsys):
    archive = make_archive(sample, tmp_path / "stick", tmp_path, capsys)
    header, _, _ = archives.read_header(archive)
    [entry] = [e for e in header["keys"] if e["type"] == "passphrase"]
    assert entry["kdf"] == "argon2id13" and entry["opslimit"] == argon2id.OPSLIMIT_MIN
    assert entry["memlimit"] == argon2id.MEMLIMIT_MIN and len(bytes.fromhex(entry["salt"])) == argon2id.SALTBYTES
    # archives made with other parameters still open (the header's are used, not the module's)
    archives.OPSLIMIT, archives.MEMLIMIT = argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE
    assert archives.open_archive(archive, PASSPHRASE).key
