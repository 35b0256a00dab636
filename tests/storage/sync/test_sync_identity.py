"""Issue 19: an office's life never cuts it off from the province.

Each path of an office's life, through the real command line on fresh folders, before and after the
first bundle: folder moved; PC renamed; restored from a local backup; restored from a ``backup --to``
archive on a new PC; the same disk cloned onto a second PC and both copies used; PC lost, key revoked,
office set up again from a new enrolment; the province's own folder moved and restored. Each ends with
the same data at the office and the province, and no import that took nothing reads as success.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from storage import backup as backups
from storage.core.db import PROVINCE_CODE, Database, read_office
from storage.sync import engine
from tests.support.network import make_network
from tui.cli import main as cli

J, X = PROVINCE_CODE, "UPT-X"
PASSPHRASE = "kopi tubruk di pendopo"


@pytest.fixture
def host(monkeypatch):
    """The PC's name as Pilar reads it (``socket.gethostname``); set ``host["name"]`` to rename it."""
    state = {"name": "PC-UPT"}
    monkeypatch.setattr("storage.core.db.socket.gethostname", lambda: state["name"])
    return state


@pytest.fixture
def net(tmp_path, host):
    return make_network(tmp_path / "net", (X, "UPT-Y"))


def pilar(data: Path, *args: str, code: int = 0) -> None:
    rc = cli(["--data", str(data), "--operator", "Siti", *args])
    assert rc == code, (args, rc)


def send(frm: Path, to: str, usb: Path, capsys, *extra: str) -> Path:
    before = set(usb.glob("*.pilar")) if usb.exists() else set()
    pilar(frm, "export", "--to", to, "--out", str(usb), *extra)
    capsys.readouterr()
    [path] = set(usb.glob("*.pilar")) - before
    return path


def take(at: Path, bundle: Path, capsys, code: int = 0) -> str:
    pilar(at, "import", str(bundle), code=code)
    out = capsys.readouterr()
    return out.out + out.err


def up(office: Path, prov: Path, usb: Path, capsys, code: int = 0) -> str:
    """The office's stick to the province and imported there; the province's sentences."""
    return take(prov, send(office, J, usb, capsys), capsys, code)


def down(prov: Path, office: Path, usb: Path, capsys, code: int = 0) -> str:
    return take(office, send(prov, X, usb, capsys), capsys, code)


def add(data: Path, rid: str, name: str, owner: str = X, office: str = X) -> None:
    db = Database.open(data, operator="Siti")
    try:
        with db.transaction("test.add") as tx:
            tx.put("members", {"id": rid, "name": name, "assignments": [
                {"id": f"as-{rid}", "office": office, "pillar": "TKSK", "position": "ANGGOTA"}]}, owner=owner)
    finally:
        db.close()


def edit(data: Path, rid: str, name: str) -> None:
    db = Database.open(data, operator="Siti")
    try:
        value = db.get("members", rid)
        with db.transaction("test.edit") as tx:
            tx.put("members", dict(value, name=name), owner=value["owner"])
    finally:
        db.close()


def names(data: Path) -> dict[str, str]:
    db = Database.open(data, read_only=True)
    try:
        return {v["id"]: v["name"] for v in db.values("members")}
    finally:
        db.close()


def docs(data: Path) -> dict[str, dict]:
    db = Database.open(data, read_only=True)
    try:
        return {rid: doc for rid, doc in db.raw("members").items()}
    finally:
        db.close()


def same(office: Path, prov: Path) -> None:
    """The office and the province hold the same member records (every version) of the office's scope."""
    theirs = {rid: d for rid, d in docs(prov).items()
              if d["owner"] == X or any(a.get("office") == X for v in d["v"] for a in v["data"].get("assignments", []))}
    assert docs(office) == theirs


def history(data: Path) -> list[dict]:
    return read_office(data)["replicas"]


def refused_total(prov: Path) -> int:
    return sum(int(e.get("refused_count") or 0) for e in engine.import_log(prov))


# ---------------------------------------------------------------------- the office's folder moves

@pytest.mark.parametrize("sent_first", [False, True], ids=["before-first-bundle", "after-first-bundle"])
def test_folder_moved(net, tmp_path, capsys, sent_first):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    if sent_first:
        up(office, prov, usb, capsys)
        down(prov, office, usb, capsys)
    moved = tmp_path / "D" / "data-pilar"
    shutil.move(str(office), str(moved))
    add(moved, "m2", "Budi Santoso")
    edit(moved, "m1", "Siti Aminah S.Sos")
    out = up(moved, prov, usb, capsys)
    assert "0 ditolak" in out and refused_total(prov) == 0
    assert names(prov)["m1"] == "Siti Aminah S.Sos" and names(prov)["m2"] == "Budi Santoso"
    down(prov, moved, usb, capsys)
    same(moved, prov)
    assert [e["why"] for e in history(moved)] == ["created", "moved"]
    # and the next bundles keep landing
    add(moved, "m3", "Ani")
    assert "0 ditolak" in up(moved, prov, usb, capsys)
    assert names(prov)["m3"] == "Ani"


@pytest.mark.parametrize("sent_first", [False, True], ids=["before-first-bundle", "after-first-bundle"])
def test_pc_renamed(net, tmp_path, capsys, host, sent_first):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    if sent_first:
        up(office, prov, usb, capsys)
        down(prov, office, usb, capsys)
    host["name"] = "DINSOS-JEMBER-01"  # joined to the office domain
    add(office, "m2", "Budi Santoso")
    edit(office, "m1", "Siti Aminah S.Sos")
    out = up(office, prov, usb, capsys)
    assert "0 ditolak" in out and refused_total(prov) == 0
    down(prov, office, usb, capsys)
    same(office, prov)
    assert names(prov) == {"m1": "Siti Aminah S.Sos", "m2": "Budi Santoso"}
    assert [e["why"] for e in history(office)] == ["created", "host"]


# ---------------------------------------------------------------------- restores

def _backup_named(data: Path, reason: str) -> str:
    [b] = [b for b in backups.list_backups(data) if b.meta.get("reason") == reason]
    return b.name


@pytest.mark.parametrize("sent_first", [False, True], ids=["before-first-bundle", "after-first-bundle"])
def test_restored_from_a_local_backup(net, tmp_path, capsys, sent_first):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    if sent_first:
        up(office, prov, usb, capsys)
        down(prov, office, usb, capsys)
    pilar(office, "backup", "--reason", "sebelum")
    add(office, "m2", "Budi Santoso")
    edit(office, "m1", "Siti Aminah S.Sos")
    if sent_first:
        up(office, prov, usb, capsys)  # the province holds m2 and the edit: the office will get them back
    before = read_office(office)["replica_id"]
    pilar(office, "restore", _backup_named(office, "sebelum"))
    capsys.readouterr()
    assert read_office(office)["replica_id"] != before
    add(office, "m3", "Ani")
    if sent_first:
        # The province's next bundle was reckoned from the folder before the restore: what it carries
        # is taken, the office is told, and its next bundle asks for a full one.
        out = down(prov, office, usb, capsys)
        assert "dihitung dari data yang tidak ada di folder ini" in out
    out = up(office, prov, usb, capsys)
    assert "0 ditolak" in out and refused_total(prov) == 0
    down(prov, office, usb, capsys)
    same(office, prov)
    expected = {"m1": "Siti Aminah S.Sos", "m2": "Budi Santoso", "m3": "Ani"} if sent_first else \
        {"m1": "Siti Aminah", "m3": "Ani"}  # never sent, so gone with the restore: what a restore is
    assert names(office) == expected == names(prov)
    assert [e["why"] for e in history(office)][-1] == "restored"


def test_restored_from_an_archive_on_a_new_pc(net, tmp_path, capsys, host):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    up(office, prov, usb, capsys)
    down(prov, office, usb, capsys)
    add(office, "m2", "Budi Santoso")
    up(office, prov, usb, capsys)
    add(office, "m3", "Ani")  # on the old PC only: in the archive, never sent
    pass_file = tmp_path / "sandi.txt"
    pass_file.write_text(PASSPHRASE)
    pilar(office, "backup", "--to", str(tmp_path / "stick"), "--passphrase-file", str(pass_file))
    [archive] = list((tmp_path / "stick").iterdir())
    # the old PC dies; a new PC, another name, another drive
    host["name"] = "PC-BARU"
    new = tmp_path / "new-pc" / "pilar"
    pilar(new, "restore", str(archive), "--passphrase-file", str(pass_file))
    file = tmp_path / "pilar_enrol_UPT-X.json"
    db = Database.open(prov, operator="Budi")
    try:
        file.write_bytes(orjson.dumps(engine.add_office(db, X, "Kantor UPT-X")))
    finally:
        db.close()
    pilar(new, "restore", "--enrol", str(file), "--yes")
    capsys.readouterr()
    edit(new, "m2", "Budi Santoso S.Pd")
    first = send(new, J, usb, capsys)
    take(prov, first, capsys, code=1)  # a new key: the province compares its fingerprint first
    pilar(prov, "office", "trust", X, "--yes")
    out = take(prov, first, capsys)
    assert "0 ditolak" in out and refused_total(prov) == 0
    down(prov, new, usb, capsys)
    same(new, prov)
    assert names(prov) == {"m1": "Siti Aminah", "m2": "Budi Santoso S.Pd", "m3": "Ani"}


def test_cloned_disk_used_on_two_pcs(net, tmp_path, capsys, host):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    up(office, prov, usb, capsys)
    down(prov, office, usb, capsys)
    clone = tmp_path / "clone"
    shutil.copytree(office, clone)

    def on(pc: str, path: Path) -> Path:
        host["name"] = pc
        return path

    edit(on("PC-UPT", office), "m1", "Siti Aminah (PC 1)")
    add(on("PC-UPT", office), "m2", "Budi Santoso")
    edit(on("PC-KEDUA", clone), "m1", "Siti Aminah (PC 2)")
    add(on("PC-KEDUA", clone), "m3", "Ani")
    ids = {read_office(office)["replica_id"], read_office(clone)["replica_id"]}
    assert len(ids) == 2  # no dot is ever made twice: the copy took its own id
    out1 = up(on("PC-UPT", office), prov, usb, capsys)
    out2 = up(on("PC-KEDUA", clone), prov, usb, capsys)
    assert "0 ditolak" in out1 and "0 ditolak" in out2 and refused_total(prov) == 0
    assert "1 konflik baru" in out2  # what the two copies changed differently shows as a conflict
    for _round in range(3):  # both copies keep syncing
        for pc, path in (("PC-UPT", office), ("PC-KEDUA", clone)):
            down(prov, on(pc, path), usb, capsys)
            up(on(pc, path), prov, usb, capsys)
    same(on("PC-UPT", office), prov)
    same(on("PC-KEDUA", clone), prov)
    doc = docs(prov)["m1"]
    assert sorted(v["data"]["name"] for v in doc["v"]) == ["Siti Aminah (PC 1)", "Siti Aminah (PC 2)"]
    assert set(names(prov)) == {"m1", "m2", "m3"} and refused_total(prov) == 0


def test_pc_lost_key_revoked_office_enrolled_again(net, tmp_path, capsys, host):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    add(office, "m2", "Budi Santoso")
    up(office, prov, usb, capsys)
    down(prov, office, usb, capsys)
    add(office, "m9", "Dibuat di PC yang hilang")
    stolen = send(office, J, usb, capsys)  # a stick from the lost PC, never imported
    pilar(prov, "office", "revoke", X)
    pilar(prov, "office", "add", X, "--name", "Kantor UPT-X", "--out", str(tmp_path))
    capsys.readouterr()
    host["name"] = "PC-PENGGANTI"
    new = tmp_path / "pengganti"
    pilar(new, "init", "--from", str(tmp_path / f"pilar_enrol_{X}.json"), "--yes")
    first = send(new, J, usb, capsys)
    take(prov, first, capsys, code=1)
    pilar(prov, "office", "trust", X, "--yes")
    take(prov, first, capsys)
    assert "dicabut" in take(prov, stolen, capsys, code=1)  # the lost PC's key is refused
    down(prov, new, usb, capsys)
    assert names(new) == {"m1": "Siti Aminah", "m2": "Budi Santoso"}  # recovered from the province
    edit(new, "m1", "Siti Aminah S.Sos")
    out = up(new, prov, usb, capsys)
    assert "0 ditolak" in out and refused_total(prov) == 0
    same(new, prov)
    assert names(prov) == {"m1": "Siti Aminah S.Sos", "m2": "Budi Santoso"}


# ---------------------------------------------------------------------- the province's own folder

def test_province_folder_moved(net, tmp_path, capsys):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    up(office, prov, usb, capsys)
    moved = tmp_path / "E" / "pilar-provinsi"
    shutil.move(str(prov), str(moved))
    add(moved, "p1", "Koordinator Kab", owner=J)
    edit(moved, "m1", "Siti Aminah (provinsi)")
    down(moved, office, usb, capsys)
    edit(office, "m1", "Siti Aminah (provinsi, lalu UPT)")
    out = up(office, moved, usb, capsys)
    assert "0 ditolak" in out and refused_total(moved) == 0
    down(moved, office, usb, capsys)
    same(office, moved)
    assert names(moved) == {"m1": "Siti Aminah (provinsi, lalu UPT)", "p1": "Koordinator Kab"}


def test_province_restored_gets_its_own_lost_work_back(net, tmp_path, capsys):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    up(office, prov, usb, capsys)
    down(prov, office, usb, capsys)
    pilar(prov, "backup", "--reason", "sebelum")
    # after the backup: the province's own changes, which reach the UPT
    add(prov, "p1", "Koordinator Kab", owner=J)
    edit(prov, "m1", "Siti Aminah (provinsi)")
    down(prov, office, usb, capsys)
    edit(office, "m1", "Siti Aminah (provinsi, lalu UPT)")  # built on the province's change
    # the province's disk fails; it restores the older backup, losing p1 and its edit of m1
    pilar(prov, "restore", _backup_named(prov, "sebelum"))
    capsys.readouterr()
    assert "p1" not in names(prov)
    out = up(office, prov, usb, capsys)
    assert "0 ditolak" in out and refused_total(prov) == 0  # the UPT's edit on the lost change is taken
    assert names(prov)["m1"] == "Siti Aminah (provinsi, lalu UPT)"
    # its next bundle asked the UPT for everything; the UPT dropped nothing
    out = down(prov, office, usb, capsys)
    assert "ditolak provinsi" not in out
    assert names(office) == {"m1": "Siti Aminah (provinsi, lalu UPT)", "p1": "Koordinator Kab"}
    out = up(office, prov, usb, capsys)
    assert "diambil kembali" in out  # the province's own lost version, handed back by the UPT
    assert names(prov) == {"m1": "Siti Aminah (provinsi, lalu UPT)", "p1": "Koordinator Kab"}
    down(prov, office, usb, capsys)
    same(office, prov)
    assert refused_total(prov) == 0


def test_a_forged_echo_recovers_nothing(net, tmp_path, capsys):
    """The province takes back only versions its own key's manifest proves: a UPT cannot pass off a
    version as the province's by naming the province's replica id."""
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    up(office, prov, usb, capsys)
    down(prov, office, usb, capsys)
    pdb = Database.open(prov, read_only=True)
    prov_replica = pdb.replica_id
    pdb.close()
    db = Database.open(office, operator="Siti")
    try:
        forged = {"id": "rate-x", "kind": "rate", "owner": J, "v": [{
            "dot": [prov_replica, 99], "vv": {prov_replica: 99}, "hlc": db.hlc.tick(), "office": J,
            "operator": "palsu", "deleted": False, "data": {"pillar": "TKSK", "amount": 9000000}}]}
        with db.transaction("forge") as tx:
            tx.put_doc("rates", forged)
    finally:
        db.close()
    out = up(office, prov, usb, capsys, code=1)
    assert "tidak ada yang diambil: 1 catatan ditolak" in out
    pdb = Database.open(prov, read_only=True)
    try:
        assert pdb.doc("rates", "rate-x") is None
    finally:
        pdb.close()


# ---------------------------------------------------------------------- offices already cut off

def test_an_office_cut_off_by_an_older_pilar_heals_after_the_update(net, tmp_path, capsys, monkeypatch):
    """Before the update, bundles named only the current replica id: after a move, the province refused
    every earlier record. The office keeps them (never dropped), and the first bundle after the update
    brings them all; both sides say so."""
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    add(office, "m1", "Siti Aminah")
    add(office, "m2", "Budi Santoso")
    moved = tmp_path / "D" / "pilar"
    shutil.move(str(office), str(moved))
    add(moved, "m3", "Ani")
    with monkeypatch.context() as old:  # the older Pilar: one replica id in the manifest
        old.setattr(Database, "replica_ids", property(lambda self: [self.replica_id]))
        out = up(moved, prov, usb, capsys)
    assert "2 ditolak" in out and "1 baru" in out
    assert [r["result"] for r in engine.history_rows(Database.open(prov, read_only=True))][:1] == ["sebagian ditolak"]
    out = down(prov, moved, usb, capsys)
    assert "tetap disimpan di sini" in out and "Siti Aminah" in out
    assert set(names(moved)) == {"m1", "m2", "m3"}  # nothing dropped at the office
    out = up(moved, prov, usb, capsys)  # after the update: a delta, yet it carries them again
    assert "2 catatan UPT-X yang dulu ditolak" in out and "0 ditolak" in out
    assert set(names(prov)) == {"m1", "m2", "m3"}
    out = down(prov, moved, usb, capsys)
    assert "kini sudah diterima provinsi" in out
    same(moved, prov)


def test_an_import_that_took_nothing_is_not_success(net, tmp_path, capsys):
    office, prov, usb = net[X], net[J], tmp_path / "usb"
    pdb = Database.open(prov, read_only=True)
    prov_replica = pdb.replica_id
    pdb.close()
    db = Database.open(office, operator="Siti")
    try:
        with db.transaction("forge") as tx:  # a version under the province's own id: never the UPT's
            tx.put_doc("members", {"id": "mx", "kind": "member", "owner": X, "v": [{
                "dot": [prov_replica, 1], "vv": {prov_replica: 1}, "hlc": db.hlc.tick(), "office": X,
                "operator": "x", "deleted": False, "data": {"name": "X"}}]})
    finally:
        db.close()
    bundle = send(office, J, usb, capsys)
    out = take(prov, bundle, capsys, code=1)
    assert "tidak ada yang diambil: 1 catatan ditolak" in out
    [entry] = engine.import_log(prov)
    assert entry["status"] == "accepted" and entry["refused_count"] == 1
    pdb = Database.open(prov, read_only=True)
    try:
        [row] = engine.history_rows(pdb)
    finally:
        pdb.close()
    assert row["warning"] and row["result"] == "semua ditolak" and "1 ditolak" in row["details"]
    pilar(prov, "sync", "history")
    assert "semua ditolak" in capsys.readouterr().out


def test_an_office_file_of_the_previous_release_opens_and_keeps_its_id(tmp_path, host):
    """Office files written before issue 19 have no ``replicas`` list: their one id is the history, and
    the first rotation keeps it."""
    data = tmp_path / "lama"
    Database.init(data, X, "Kantor X", operator="Siti").close()
    office = orjson.loads((data / "office.json").read_bytes())
    del office["replicas"]  # as the previous release wrote it
    (data / "office.json").write_bytes(orjson.dumps(office))
    db = Database.open(data, operator="Siti")
    try:
        assert db.replica_ids == [office["replica_id"]]
    finally:
        db.close()
    host["name"] = "PC-BARU"
    db = Database.open(data, operator="Siti")
    try:
        assert db.replica_ids[0] == office["replica_id"] and len(db.replica_ids) == 2
        assert [e["why"] for e in read_office(data)["replicas"]] == ["created", "host"]
    finally:
        db.close()
