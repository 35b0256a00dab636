"""Sync: keys and trust, bundle verification (every refusal leaves the data folder unchanged),
scope, relay, conflicts, privacy, FAT32 round trip, and the command line end to end."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import orjson
import pytest

from storage.core import formats
from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.office import keys as office_keys
from storage.reconcile import conflicts
from storage.sync import bundle as sync_bundle
from storage.sync import engine
from tests.support.network import make_network
from tui.cli import main as cli

A, Bc, J = "UPT-A", "UPT-B", PROVINCE_CODE
NIK = "3509014107850001"
ACCOUNT = "0011223344556"
NAME = "SITI AMINAH RAHAYU"


def member(name=NAME, nik=NIK, offices=(A,), account=ACCOUNT, **extra):
    return {"nik": nik, "name": name, "sex": "P", "kab": "35.09",
            "bank": {"name": "Bank Jatim", "account": account, "holder": name},
            "assignments": [{"pillar": "TKSK", "position": "ANGGOTA", "office": o} for o in offices], **extra}


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path)
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    yield dbs, tmp_path
    for db in dbs.values():
        db.close()


def send(dbs, frm, to, tmp, mode="auto"):
    return engine.export_bundle(dbs[frm], to, tmp / "usb", mode=mode).path


def folder_hashes(path: Path) -> dict[str, str]:
    out = {}
    for p in sorted(Path(path).rglob("*")):
        if p.is_file() and p.name not in ("imports.jsonl", "lock.json", ".lock"):
            out[str(p.relative_to(path))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def put(db, collection, value, owner=None):
    with db.transaction("test.edit") as tx:
        return tx.put(collection, value, owner=owner)


# ---------------------------------------------------------------------- keys

def test_keys_are_private_files_with_fingerprint(net):
    dbs, _ = net
    for db in dbs.values():
        for f in ("office.key", "trust.json"):
            mode = (db.path / "keys" / f).stat().st_mode & 0o777
            assert mode == 0o600, (db.code, f, oct(mode))
        keys = office_keys.load_own(db.path)
        assert len(keys.fp.split()) == 8 and keys.fp == office_keys.fingerprint(keys.sign_pk, keys.box_pk)
    # the UPT pinned the province key it was enrolled with
    assert office_keys.TrustStore.load(dbs[A].path).province["fp"] == office_keys.load_own(dbs[J].path).fp


def test_enrolment_file_tampered_is_refused(net, tmp_path):
    dbs, _ = net
    enrol = engine.add_office(dbs[J], "UPT-C", "Kantor C")
    enrol["body"]["office"]["code"] = "UPT-EVIL"
    f = tmp_path / "e.json"
    f.write_bytes(orjson.dumps(enrol))
    with pytest.raises(PilarError) as err:
        office_keys.read_enrolment(f)
    assert err.value.key == "sync.enrol_bad"


# ---------------------------------------------------------------------- exchange and relay

def test_full_exchange_relay_and_idempotent_reimport(net):
    dbs, tmp = net
    m1 = put(dbs[A], "members", member(), owner=A)
    put(dbs[Bc], "members", member(name="BUDI", nik="3509010101900002", offices=(Bc,)), owner=Bc)
    shared = put(dbs[A], "members", member(name="SHARED", nik="3509010101900003", offices=(A,)), owner=A)
    rate = put(dbs[J], "rates", {"pillar": "TKSK", "amount": 500000, "from": "2024-01-01"}, owner=J)

    first = send(dbs, A, J, tmp)
    before = folder_hashes(dbs[J].path)
    dry = engine.import_bundle(dbs[J], first, dry_run=True)
    assert dry.dry_run and dry.added == 2 and folder_hashes(dbs[J].path) == before
    assert dbs[J].doc("members", m1) is None and not engine.import_log(dbs[J].path)
    res = engine.import_bundle(dbs[J], first)
    assert (res.added, res.updated, res.unchanged) == (2, 0, 0)
    engine.import_bundle(dbs[J], send(dbs, Bc, J, tmp))
    # The member also serves at B: an assignment at another office is the province's to add.
    value = dbs[J].get("members", shared)
    value["assignments"].append({"pillar": "TKSK", "position": "ANGGOTA", "office": Bc})
    put(dbs[J], "members", value)
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
    bundle = send(dbs, J, Bc, tmp)
    res = engine.import_bundle(dbs[Bc], bundle)
    # B gets its own (nothing new), the shared member written at A (relayed with A's version), the rate
    # and the office records; never A's own member.
    assert dbs[Bc].get("members", shared)["name"] == "SHARED"
    assert dbs[Bc].doc("members", shared) == dbs[A].doc("members", shared)
    assert dbs[Bc].get("rates", rate)["amount"] == 500000
    assert dbs[Bc].get("members", m1) is None and dbs[Bc].doc("members", m1) is None
    before = folder_hashes(dbs[Bc].path)
    again = engine.import_bundle(dbs[Bc], bundle)
    assert again.changed == 0 and again.already
    assert folder_hashes(dbs[Bc].path) == before
    log = engine.import_log(dbs[Bc].path)
    assert [e["status"] for e in log] == ["accepted", "accepted"]


def test_delta_carries_only_changes(net):
    dbs, tmp = net
    ids = [put(dbs[A], "members", member(name=f"M{i}", nik=f"35090101019{i:05d}"), owner=A) for i in range(30)]
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))  # A learns what J has
    put(dbs[J], "members", dict(dbs[J].get("members", ids[0]), name="CHANGED AT JATIM"))
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))  # J learns that A has everything
    res = engine.export_bundle(dbs[J], A, tmp / "usb")
    assert res.mode == "delta" and res.counts == {"member": 1}
    full = engine.export_bundle(dbs[J], A, tmp / "usb", mode="full")
    assert full.mode == "full" and full.counts["member"] == 30
    out = engine.import_bundle(dbs[A], res.path)
    assert out.updated == 1 and dbs[A].get("members", ids[0])["name"] == "CHANGED AT JATIM"


def test_concurrent_edit_is_a_conflict_everywhere_and_resolved_once(net):
    dbs, tmp = net
    # A member of A's who also serves at B (the province added B's assignment).
    rid = put(dbs[J], "members", member(offices=(A, Bc)), owner=A)
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
    engine.import_bundle(dbs[Bc], send(dbs, J, Bc, tmp))
    # Her phone changed at A (her owner) and at the province the same week.
    put(dbs[A], "members", dict(dbs[A].get("members", rid), phone="+6281111111111"))
    put(dbs[J], "members", dict(dbs[J].get("members", rid), phone="+6282222222222"))
    res = engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    assert len(res.new_conflicts) == 1 and not res.refused
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
    engine.import_bundle(dbs[Bc], send(dbs, J, Bc, tmp))
    shown = {code: dbs[code].get("members", rid) for code in (A, Bc, J)}
    for code, value in shown.items():
        assert value["_conflict"], code
        assert [r["id"] for r in conflicts.list_conflicts(dbs[code])] == [rid]
    # every office shows the same sibling first
    assert len({v["phone"] for v in shown.values()}) == 1
    info = conflicts.show(dbs[J], rid[:8])
    phone = next(f for f in info["fields"] if f["field"] == "phone")
    assert phone["differs"] and {s["office"] for s in info["siblings"]} == {A, J}
    assert all("1111" in v or "2222" in v for v in phone["values"])
    conflicts.resolve(dbs[J], rid[:8], value=dict(shown[J], phone="+6283333333333"))
    for code in (A, Bc):
        engine.import_bundle(dbs[code], send(dbs, J, code, tmp))
        assert dbs[code].get("members", rid)["phone"] == "+6283333333333"
        assert not conflicts.list_conflicts(dbs[code])
    assert conflicts.count(dbs[J]) == 0


def test_delete_concurrent_with_edit_is_a_conflict_and_old_bundle_does_not_resurrect(net):
    dbs, tmp = net
    rid = put(dbs[A], "members", member(), owner=A)
    old = send(dbs, A, J, tmp)
    engine.import_bundle(dbs[J], old)
    with dbs[A].transaction("t") as tx:
        tx.delete("members", rid)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    assert dbs[J].get("members", rid) is None
    # the stale bundle is imported again (e.g. found later on another stick): still deleted
    engine.import_bundle(dbs[J], old)
    assert dbs[J].get("members", rid) is None
    # an edit at the province concurrent with a new delete at A: a visible conflict
    rid2 = put(dbs[A], "members", member(name="X", nik="3509010101900009"), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    put(dbs[J], "members", dict(dbs[J].get("members", rid2), name="Y"))
    with dbs[A].transaction("t") as tx:
        tx.delete("members", rid2)
    res = engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    assert [c["id"] for c in res.new_conflicts] == [rid2]
    info = conflicts.show(dbs[J], rid2)
    assert sorted(s["deleted"] for s in info["siblings"]) == [False, True]
    keep = next(s["n"] for s in info["siblings"] if s["deleted"])
    conflicts.resolve(dbs[J], rid2, keep=keep)
    assert dbs[J].get("members", rid2) is None and conflicts.count(dbs[J]) == 0


# ---------------------------------------------------------------------- refusals

def _bundle_a_to_j(dbs, tmp):
    put(dbs[A], "members", member(), owner=A)
    return send(dbs, A, J, tmp, mode="full")


def _expect_refused(db, path, reason=None):
    with pytest.raises(sync_bundle.BundleError) as err:
        engine.import_bundle(db, path)
    if reason:
        assert err.value.reason == reason, (err.value.reason, str(err.value))
    msg = str(err.value)
    assert msg.count(".") >= 1 and "\n" not in msg
    return err.value


def test_every_flipped_byte_and_truncation_is_refused_and_data_unchanged(net):
    dbs, tmp = net
    path = _bundle_a_to_j(dbs, tmp)
    data = path.read_bytes()
    jdb = dbs[J]
    jdb.close()
    before = folder_hashes(jdb.path)
    db = Database.open(jdb.path)
    try:
        bad = tmp / "bad.pilar"
        assert len(data) < 6000
        positions = range(len(data))  # every single byte of the file
        for pos in positions:
            mutated = bytearray(data)
            mutated[pos] ^= 0x01
            bad.write_bytes(bytes(mutated))
            _expect_refused(db, bad)
        for cut in (0, 1, 30, len(data) // 2, len(data) - 1):
            bad.write_bytes(data[:cut])
            _expect_refused(db, bad)
        assert db.count("members") == 0
    finally:
        db.close()
    assert folder_hashes(jdb.path) == before
    log = engine.import_log(jdb.path)
    assert log and all(e["status"] == "refused" and e["reason"] for e in log)
    dbs[J] = Database.open(jdb.path)


def _resign(path: Path, out: Path, keys: office_keys.OfficeKeys, edit_manifest=None, extra_entries=(),
            payload_edit=None) -> Path:
    """Rewrite a bundle with a changed manifest/payload, signed with ``keys``."""
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    m = orjson.loads(entries["manifest.json"])
    if payload_edit:
        for name in list(entries):
            if name.startswith("payload/"):
                entries[name] = payload_edit(name, entries[name])
                m["files"][name]["sha256"] = hashlib.sha256(entries[name]).hexdigest()
    if edit_manifest:
        edit_manifest(m)
    mb = orjson.dumps(m, option=orjson.OPT_SORT_KEYS)
    items = [("manifest.json", mb), ("manifest.sig", keys.sign(mb))]
    items += [(n, b) for n, b in entries.items() if n.startswith("payload/")] + list(extra_entries)
    out.write_bytes(sync_bundle.zip_bytes(items))
    return out


def test_wrong_signer_unknown_revoked_other_office_requires_scope_zipslip_oversize(net):
    dbs, tmp = net
    path = _bundle_a_to_j(dbs, tmp)
    a_keys = office_keys.load_own(dbs[A].path)
    b_keys = office_keys.load_own(dbs[Bc].path)
    jpath = dbs[J].path
    dbs[J].close()
    before = folder_hashes(jpath)
    db = Database.open(jpath)
    try:
        # signed by B's key while claiming to be A
        _expect_refused(db, _resign(path, tmp / "w1.pilar", b_keys), "signature")
        # A's claimed key replaced by B's (a key J does not trust for A)
        def swap(m):
            m["sender"].update(sign=b_keys.sign_pk, box=b_keys.box_pk, fp=b_keys.fp)
        _expect_refused(db, _resign(path, tmp / "w2.pilar", b_keys, swap), "wrong_key")
        # unknown office
        stranger = office_keys.OfficeKeys("UPT-X", office_keys.SigningKey.generate(), office_keys.PrivateKey.generate())
        def unknown(m):
            m["sender"].update(code="UPT-X", sign=stranger.sign_pk, box=stranger.box_pk, fp=stranger.fp)
        _expect_refused(db, _resign(path, tmp / "w3.pilar", stranger, unknown), "unknown_office")
        # a bundle addressed to another office
        _expect_refused(db, _resign(path, tmp / "w4.pilar", a_keys, lambda m: m["recipient"].update(code=Bc)),
                        "not_for_us")
        # an unknown `requires` entry
        _expect_refused(db, _resign(path, tmp / "w5.pilar", a_keys,
                                    lambda m: m["requires"].append("delta-chains-v9")), "requires")
        # a newer format version: refused with the update sentence (issue 21); a version that is no version
        _expect_refused(db, _resign(path, tmp / "w6.pilar", a_keys, lambda m: m.update(format_version=formats.BUNDLE.current + 1)),
                        "newer")
        _expect_refused(db, _resign(path, tmp / "w6b.pilar", a_keys, lambda m: m.update(format_version=str(formats.BUNDLE.current + 1))),
                        "version")
        # zip-slip entry name and an oversize entry
        _expect_refused(db, _resign(path, tmp / "w7.pilar", a_keys, extra_entries=[("../../evil.txt", b"x")]),
                        "entries")
        _expect_refused(db, _resign(path, tmp / "w8.pilar", a_keys,
                                    extra_entries=[("payload/../../x.bin", b"x")]), "entries")
        orig_max = sync_bundle.MAX_ENTRY_BYTES
        sync_bundle.MAX_ENTRY_BYTES = 100
        try:
            _expect_refused(db, path, "oversize")
        finally:
            sync_bundle.MAX_ENTRY_BYTES = orig_max
        # (records A may not write are refused one by one: tests/test_sync_authority.py)
        j_keys_box = office_keys.TrustStore.load(jpath).province["box"]
        j_own = office_keys.load_own(jpath)
        # malformed record
        def malformed(name, blob):
            docs = sync_bundle.decode_partition(blob, j_own.decrypt, name)
            docs[0]["v"][0]["vv"] = {"x": "1"}
            return sync_bundle.encode_partition(docs, lambda b: office_keys.encrypt_to(j_keys_box, b))
        _expect_refused(db, _resign(path, tmp / "s3.pilar", a_keys, payload_edit=malformed), "schema")
        # revoked key
        engine.revoke_office(db, A)
        before = folder_hashes(jpath)  # the revocation itself changed keys/trust.json
        _expect_refused(db, path, "revoked")
        assert db.count("members") == 0
    finally:
        db.close()
    assert folder_hashes(jpath) == before
    dbs[J] = Database.open(jpath)


def test_rates_only_from_province_and_untrusted_key_flow(tmp_path):
    prov = Database.init(tmp_path / "J", J, "Prov", province=True)
    office_keys.create_office_keys(prov)
    enrol = engine.add_office(prov, A, "A")
    f = tmp_path / "e.json"
    f.write_bytes(orjson.dumps(enrol))
    adb = Database.init(tmp_path / "A", A, "A")
    office_keys.setup_from_enrolment(adb, office_keys.read_enrolment(f))
    put(adb, "members", member(), owner=A)
    with pytest.raises(PilarError) as refused:
        put(adb, "rates", {"amount": 1}, owner=J)  # a UPT may not write rates: said at once
    assert refused.value.key == "authority.province_only" and "provinsi" in str(refused.value)
    with adb.transaction("forge", system=True) as tx:  # written anyway, past the check, by hand
        rate = tx.put("rates", {"amount": 1}, owner=J)
    path = engine.export_bundle(adb, J, tmp_path / "usb").path
    before = folder_hashes(prov.path)
    err = _expect_refused(prov, path, "untrusted")
    assert office_keys.load_own(adb.path).fp in str(err)
    assert folder_hashes(prov.path) == before
    with pytest.raises(PilarError):
        engine.export_bundle(prov, A, tmp_path / "usb")  # no trusted key yet
    engine.trust_office(prov, A)
    res = engine.import_bundle(prov, path)
    # the member lands, the rate does not
    assert res.added == 1 and prov.count("members") == 1
    assert [(e["collection"], e["id"], e["reason"]) for e in res.refused] == [("rates", rate, "province_only")]
    assert prov.doc("rates", rate) is None
    prov.close()
    adb.close()


# ---------------------------------------------------------------------- privacy, FAT32, names

def test_bundle_bytes_hold_no_personal_data_in_clear(net):
    dbs, tmp = net
    put(dbs[A], "members", member(), owner=A)
    path = send(dbs, A, J, tmp)
    raw = path.read_bytes()
    for secret in (NIK, ACCOUNT, NAME, "SITI", "Bank Jatim"):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw
    import zlib
    for start in range(len(raw)):  # no zlib stream of clear text anywhere either
        if raw[start:start + 1] == b"\x78":
            try:
                assert NIK.encode() not in zlib.decompressobj().decompress(raw[start:], 10 ** 6)
            except zlib.error:
                pass
    name = path.name
    assert ":" not in name and name.startswith(f"pilar_{A}_to_{J}_") and name.endswith(".pilar")
    assert len(name) < 255 and all(c.isalnum() or c in "-_." for c in name)


def test_bundle_through_a_fat32_image_imports_identically(net):
    if not (shutil.which("mkfs.fat") and shutil.which("mcopy")):
        pytest.skip("mtools/dosfstools not installed (apt-get install -y mtools dosfstools)")
    dbs, tmp = net
    for i in range(20):
        put(dbs[A], "members", member(name=f"M{i}", nik=f"35090101019{i:05d}"), owner=A)
    path = send(dbs, A, J, tmp)
    img = tmp / "usb.img"
    subprocess.run(["mkfs.fat", "-C", "-F", "32", str(img), "65536"], check=True, capture_output=True)
    subprocess.run(["mcopy", "-i", str(img), str(path), f"::/{path.name}"], check=True, capture_output=True)
    listing = subprocess.run(["mdir", "-i", str(img), "-b", "::/"], check=True, capture_output=True, text=True)
    assert path.name.lower() in listing.stdout.lower()
    back = tmp / "back"
    back.mkdir()
    subprocess.run(["mcopy", "-i", str(img), f"::/{path.name}", str(back / path.name)], check=True,
                   capture_output=True)
    assert (back / path.name).read_bytes() == path.read_bytes()
    res = engine.import_bundle(dbs[J], back / path.name)
    assert res.added == 20
    assert {d["id"]: d for d in dbs[J].raw("members").values()} == dbs[A].raw("members")


def test_usb_listing_marks_new_imported_and_foreign(net, monkeypatch):
    from storage.sync import usb

    dbs, tmp = net
    drive = tmp / "stick"
    p1 = engine.export_bundle(dbs[A], J, drive).path
    p2 = engine.export_bundle(dbs[Bc], J, drive).path
    p3 = engine.export_bundle(dbs[J], A, drive).path
    engine.import_bundle(dbs[J], p1)
    monkeypatch.setenv("PILAR_USB", str(drive))
    assert usb.find_drives() == [drive]
    rows = {r["file"]: r for r in usb.list_bundles(dbs[J], drive)}
    assert rows[p1.name]["status"] == "already imported"
    assert rows[p2.name]["status"] == "new" and rows[p2.name]["sender"] == Bc
    assert rows[p3.name]["status"] == "sent"
    rows_a = {r["file"]: r for r in usb.list_bundles(dbs[A], drive)}
    assert rows_a[p2.name]["status"] == "not for this office"


def test_replica_restored_from_backup_takes_new_replica_id(net):
    dbs, tmp = net
    rid = put(dbs[A], "members", member(), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    # simulate a folder that lost its last writes: counter rolled back
    adb = dbs[A]
    old_replica = adb.replica_id
    adb.counter = 0
    engine.import_bundle(adb, send(dbs, J, A, tmp))
    assert adb.replica_id != old_replica
    put(adb, "members", dict(adb.get("members", rid), name="NEW"))
    assert adb.doc("members", rid)["v"][0]["dot"][0] != old_replica


# ---------------------------------------------------------------------- command line, end to end

def run(capsys, *argv):
    code = cli(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_cli_end_to_end_three_offices(tmp_path, capsys):
    d = {c: str(tmp_path / c) for c in (J, A, Bc)}
    usb = str(tmp_path / "usb")
    assert run(capsys, "--data", d[J], "init", "--office", J, "--name", "Dinsos", "--province")[0] == 0
    for code in (A, Bc):
        assert run(capsys, "--data", d[J], "office", "add", code, "--name", code, "--out", str(tmp_path))[0] == 0
        code_, out = run(capsys, "--data", d[code], "init", "--from", str(tmp_path / f"pilar_enrol_{code}.json"),
                         "--yes")
        assert code_ == 0, out
        assert office_keys.load_own(Path(d[J])).fp in out
    code_, out = run(capsys, "--data", d[A], "keys", "show")
    assert office_keys.load_own(Path(d[A])).fp in out
    # A's first bundle: refused until the province trusts A's key
    run(capsys, "--data", d[A], "export", "--to", J, "--out", usb)
    (first,) = Path(usb).glob("pilar_*.pilar")  # (format 2 from the first bundle: no office in the name)
    code_, out = run(capsys, "--data", d[J], "import", str(first))
    assert code_ == 1 and "office trust" in out
    assert run(capsys, "--data", d[J], "office", "trust", A, "--yes")[0] == 0
    code_, out = run(capsys, "--data", d[J], "import", str(first), "--format", "json")
    assert code_ == 0 and orjson.loads(out)["status"] == "accepted"
    code_, out = run(capsys, "--data", d[A], "export", "--to", Bc, "--out", usb)
    assert code_ == 1 and "JATIM" in out
    code_, out = run(capsys, "--data", d[J], "office", "list", "--format", "json")
    assert {r["code"]: r["status"] for r in orjson.loads(out)} == {A: "trusted", Bc: "enrolled"}
    code_, out = run(capsys, "--data", d[J], "export", "--to", A, "--out", usb)
    assert code_ == 0
    # (format 2: the file name names no office; the one that is not A's)
    bundle = next(p for p in Path(usb).glob("pilar_*.pilar") if p != first)
    code_, out = run(capsys, "--data", d[A], "import", str(bundle), "--dry-run")
    assert code_ == 0
    code_, out = run(capsys, "--data", d[A], "import", str(bundle))
    assert code_ == 0
    code_, out = run(capsys, "--data", d[A], "import", str(bundle))
    assert code_ == 0 and ("sudah diimpor" in out or "already" in out)
    code_, out = run(capsys, "--data", d[A], "conflicts", "list")
    assert code_ == 0
    # a tampered bundle: one clear sentence, exit 1
    raw = bytearray(bundle.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad = tmp_path / "bad.pilar"
    bad.write_bytes(bytes(raw))
    code_, out = run(capsys, "--data", d[A], "import", str(bad))
    assert code_ == 1 and "ditolak" in out and "tidak berubah" in out


def test_revocation_reaches_upts_through_the_signed_list(net):
    dbs, tmp = net
    engine.revoke_office(dbs[J], Bc)
    assert office_keys.TrustStore.load(dbs[A].path).offices.get(Bc, {}).get("status") != office_keys.REVOKED
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
    assert office_keys.TrustStore.load(dbs[A].path).offices[Bc]["status"] == office_keys.REVOKED
    with pytest.raises(PilarError) as err:
        engine.export_bundle(dbs[J], Bc, tmp / "usb")
    assert err.value.key == "sync.export_revoked"
    # a list not signed by the pinned province key is ignored
    store = office_keys.TrustStore.load(dbs[A].path)
    forged = store.signed_list()
    forged["list"] = dict(forged["list"], version=forged["list"]["version"] + 5)
    assert not store.accept_list(forged)


def test_office_without_keys_refuses_and_changes_nothing(net, tmp_path):
    dbs, tmp = net
    path = send(dbs, J, A, tmp)
    bare = Database.init(tmp_path / "bare", A, "no keys")
    bare.close()
    before = folder_hashes(bare.path)
    db = Database.open(bare.path)
    try:
        with pytest.raises(sync_bundle.BundleError):
            engine.import_bundle(db, path)
    finally:
        db.close()
    assert folder_hashes(bare.path) == before and not (bare.path / "keys").exists()


def test_unknown_fields_survive_a_round_trip(net):
    dbs, tmp = net
    rid = put(dbs[A], "members", member(future_field={"x": [1, 2]}), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    assert dbs[J].get("members", rid)["future_field"] == {"x": [1, 2]}
    assert dbs[J].doc("members", rid) == dbs[A].doc("members", rid)


def test_scope_of_a_upt(net):
    dbs, _ = net
    jdb = dbs[J]
    ma = put(jdb, "members", member(), owner=A)
    mb = put(jdb, "members", member(name="B", nik="3509010101900002", offices=(Bc,)), owner=Bc)
    rate = put(jdb, "rates", {"pillar": "TKSK", "amount": 1}, owner=J)
    event = put(jdb, "events", {"title": "Apel Tagana", "office": J}, owner=J)
    inv_a = put(jdb, "invitations", {"event_id": event, "member_id": ma}, owner=J)
    inv_b = put(jdb, "invitations", {"event_id": event, "member_id": mb}, owner=J)
    pay_a = put(jdb, "payouts_2024", {"member_id": ma, "office": A, "amount": 500000}, owner=J)
    pay_b = put(jdb, "payouts_2024", {"member_id": mb, "office": Bc, "amount": 500000}, owner=J)
    gone = put(jdb, "members", member(name="GONE", nik="3509010101900005", offices=(Bc,)), owner=Bc)
    with jdb.transaction("t") as tx:
        tx.delete("members", gone)
    in_a = engine.scope_of(jdb, A)
    got = {rid for c in jdb.collections() for rid, d in jdb.raw(c).items() if in_a(c, d)}
    assert {ma, rate, event, inv_a, pay_a, gone} <= got
    assert not {mb, inv_b, pay_b} & got
