"""Bundle format 2 (issue 22): a stick found in a bus names no office and no count.

The manifest's offices, dates, counts and vectors are sealed to the recipient like the payloads; the
clear part keeps what a reader needs before it decrypts anything. The receiver verifies the signature
first. A bundle of format 1 (the 0.1.0 fixtures, and one written by the release before this one, run
from its own tree) is still read; that release refuses a format-2 bundle with the sentence that says to
update Pilar, and its folder is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

from storage.backup.upgrade import open_folder
from storage.core import formats
from storage.core.db import PROVINCE_CODE, Database
from storage.office import keys as office_keys
from storage.sync import bundle, engine, usb
from tests.support.network import make_network

A, J = "UPT-A", PROVINCE_CODE
ROOT = Path(__file__).resolve().parents[3]
RELEASES = ROOT / "tests" / "fixtures" / "releases"
# The releases before this one, run from their own trees (git history): 0.1.0, and 0.2.0 (main before
# bundle format 2).
BEFORE = {"0.1.0": "8ea8ff6db0cb4b633d220db6431b321d8c1d22b1", "0.2.0": "bc2868c"}


def _put_members(db: Database, n: int) -> None:
    with db.transaction("roster.import") as tx:
        for i in range(n):
            tx.put("members", {"nik": f"350901410785{i:04d}", "name": f"SITI AMINAH {i}", "sex": "P",
                               "kab": "35.09", "assignments": [{"pillar": "TKSK", "position": "ANGGOTA",
                                                                "office": A}]}, owner=A)


@pytest.fixture
def pair(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    # one exchange each way: each learns the other reads bundle format 2
    engine.import_bundle(dbs[J], engine.export_bundle(dbs[A], J, tmp_path / "first").path)
    engine.import_bundle(dbs[A], engine.export_bundle(dbs[J], A, tmp_path / "first").path)
    yield dbs, tmp_path
    for db in dbs.values():
        db.close()


def _zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_a_stick_read_without_the_key_names_no_office_and_no_count(pair):
    dbs, tmp = pair
    _put_members(dbs[A], 37)
    stick = tmp / "stick"
    out = engine.export_bundle(dbs[A], J, stick)
    assert out.counts["member"] == 37
    files = list(stick.iterdir())
    assert files == [out.path]
    raw = out.path.read_bytes()
    entries = _zip(out.path)
    clear = orjson.loads(entries["manifest.json"])
    assert clear["format_version"] == formats.BUNDLE.current == 2
    # Everything a finder can read: the file's name, the entries' names, the clear manifest, every byte.
    readable = [out.path.name, *entries, entries["manifest.json"].decode()]
    for db in dbs.values():
        for word in (db.code, db.office["name"], "UPT", "Dinas", "JATIM", "Kantor"):
            assert not any(word in text for text in readable), (word, readable)
            assert word.encode() not in raw
    # No count, no vector, no date: the clear manifest holds only what is read before decrypting.
    assert set(clear) == {"format", "format_version", "requires", "pilar", "bundle_id", "sender", "recipient",
                          "sealed", "files"}
    assert set(clear["sender"]) == {"fp", "sign", "box"} and set(clear["recipient"]) == {"fp"}
    assert all(set(meta) == {"sha256", "size"} for meta in clear["files"].values())
    for word in (b"counts", b"records", b"vv", b"created", b"replica", b"audit", b"seq"):
        assert word not in entries["manifest.json"], word

    def numbers(value):
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list):
            return [n for v in value for n in numbers(v)]
        return [value] if type(value) is int else []

    # the only numbers: the format version and the entries' sizes (which the zip shows anyway)
    assert sorted(numbers(clear)) == sorted([2] + [len(b) for n, b in entries.items() if n.startswith("payload/")])
    # The province reads it whole, and takes the members.
    assert engine.manifest_of(dbs[J], out.path)["counts"] == {"member": 37}
    assert engine.manifest_of(dbs[J], out.path)["sender"]["code"] == A
    got = engine.import_bundle(dbs[J], out.path)
    assert not got.refused and dbs[J].count("members") == 37
    # The stick listing at the province names the sender (by its key, known there); the UPT sees it as sent.
    (row,) = usb.list_bundles(dbs[J], stick)
    assert (row["sender"], row["recipient"], row["status"]) == (A, J, "already imported")
    (row,) = usb.list_bundles(dbs[A], stick)
    assert (row["sender"], row["status"]) == (A, "sent")


def test_a_new_offices_first_bundle_is_already_sealed(tmp_path, capsys):
    """The enrolment file says which bundle formats the province reads: the UPT's very first bundle (the one
    the province refuses until it trusts the key) names no office on the stick either."""
    from tui.cli import main

    prov, upt, stick = tmp_path / "J", tmp_path / "U", tmp_path / "stick"
    assert main(["--data", str(prov), "init", "--office", J, "--name", "Dinas Sosial Provinsi Jawa Timur",
                 "--province", "--operator", "Budi"]) == 0
    assert main(["--data", str(prov), "office", "add", "UPT-PSTW-JEMBER", "--name", "UPT PSTW Jember",
                 "--out", str(tmp_path)]) == 0
    assert main(["--data", str(upt), "init", "--from", str(tmp_path / "pilar_enrol_UPT-PSTW-JEMBER.json"), "--yes",
                 "--operator", "Siti"]) == 0
    assert main(["--data", str(upt), "export", "--to", J, "--out", str(stick)]) == 0
    capsys.readouterr()
    (first,) = stick.glob("*.pilar")
    assert bundle.peek_manifest(first)["format_version"] == 2
    raw = first.read_bytes()
    assert b"JEMBER" not in raw and b"JATIM" not in raw and "JEMBER" not in first.name
    # refused once (the key is new: kept to be compared), trusted, then taken
    assert main(["--data", str(prov), "--lang", "en", "import", str(first)]) == 1
    assert "office trust UPT-PSTW-JEMBER" in capsys.readouterr().err
    assert main(["--data", str(prov), "office", "trust", "UPT-PSTW-JEMBER", "--yes"]) == 0
    assert main(["--data", str(prov), "--lang", "en", "import", str(first)]) == 0


def test_the_signature_is_verified_before_the_sealed_manifest_is_decrypted(pair, monkeypatch):
    dbs, tmp = pair
    _put_members(dbs[A], 3)
    out = engine.export_bundle(dbs[A], J, tmp / "stick")
    entries = _zip(out.path)
    # the clear manifest signed by another key claiming A's fingerprint: refused, nothing decrypted
    stranger = office_keys.OfficeKeys(A, office_keys.SigningKey.generate(), office_keys.PrivateKey.generate())
    forged = tmp / "forged.pilar"
    forged.write_bytes(bundle.zip_bytes([("manifest.json", entries["manifest.json"]),
                                         ("manifest.sig", stranger.sign(entries["manifest.json"])),
                                         *[(n, b) for n, b in entries.items() if n.startswith("payload/")]]))
    opened = []
    real = bundle.unseal
    monkeypatch.setattr(bundle, "unseal", lambda *a: opened.append(1) or real(*a))
    with pytest.raises(bundle.BundleError) as err:
        engine.import_bundle(dbs[J], forged)
    assert err.value.reason == "signature" and not opened
    # the sealed part swapped for another one: its hash is in the signed clear part
    other = _zip(engine.export_bundle(dbs[A], J, tmp / "other").path)
    swapped = tmp / "swapped.pilar"
    items = [(n, other["payload/manifest.bin"] if n == "payload/manifest.bin" else b) for n, b in entries.items()]
    swapped.write_bytes(bundle.zip_bytes(items))
    with pytest.raises(bundle.BundleError) as err:
        engine.import_bundle(dbs[J], swapped)
    assert err.value.reason == "hash"
    assert dbs[J].count("members") == 0


# ---------------------------------------------------------------------- the releases before this one

def _tree(commit: str, dest: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit, "storage", "tui", "sample_data"],
                         capture_output=True)
    if tar.returncode != 0:
        return None
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)
    return dest


def _old_pilar(tree: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(tree), PILAR_LANG="en", PILAR_NO_VIEWER="1")
    return subprocess.run([sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", *argv],
                          env=env, capture_output=True, text=True, cwd=str(tree))


def _hashes(path: Path) -> dict[str, str]:
    """Every file's hash (the import log, which records the refusal, and the lock aside); office.json without
    ``pilar``, which says which Pilar opened the folder last."""
    out = {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*"))
           if p.is_file() and p.name not in ("imports.jsonl", "lock.json", ".lock", "office.json")}
    office = orjson.loads((path / "office.json").read_bytes())
    office.pop("pilar", None)
    out["office.json"] = office
    return out


@pytest.mark.parametrize("release", sorted(BEFORE))
def test_the_release_before_refuses_a_sealed_bundle_saying_to_update_and_reads_its_own_again(release, tmp_path):
    tree = _tree(BEFORE[release], tmp_path / "old")
    if tree is None:
        pytest.skip(f"the source of {release} is not in this clone's history")
    root = tmp_path / "folders"
    shutil.copytree(RELEASES / "0.1.0", root)
    # A copy of the UPT's folder stays on the release before (its data folder format too).
    shutil.copytree(root / "UPT-A", root / "UPT-A-old")
    run = _old_pilar(tree, "--data", str(root / "UPT-A-old"), "import", str(root / "bundles" / "to-UPT-A.pilar"))
    assert run.returncode == 0, run.stdout + run.stderr
    # The other copy runs this release: its bundle says it reads format 2, so the province writes 2.
    upt = open_folder(root / "UPT-A")
    prov = open_folder(root / "JATIM")
    try:
        engine.import_bundle(upt, root / "bundles" / "to-UPT-A.pilar")
        engine.import_bundle(prov, engine.export_bundle(upt, J, tmp_path / "up").path)
        sealed = engine.export_bundle(prov, A, tmp_path / "down")
    finally:
        prov.close()
        upt.close()
    assert bundle.peek_manifest(sealed.path)["format_version"] == 2
    before = _hashes(root / "UPT-A-old")
    run = _old_pilar(tree, "--data", str(root / "UPT-A-old"), "import", str(sealed.path))
    said = run.stdout + run.stderr
    assert run.returncode == 1 and "Bundle refused" in said and "Update Pilar" in said, said
    assert "Traceback" not in said
    assert _hashes(root / "UPT-A-old") == before  # nothing changed
    # What that release writes today (format 1, manifest in the clear) is read by this one.
    run = _old_pilar(tree, "--data", str(root / "UPT-A-old"), "export", "--to", J, "--out", str(tmp_path / "old-up"))
    assert run.returncode == 0, run.stdout + run.stderr
    (old_bundle,) = (tmp_path / "old-up").glob("*.pilar")
    assert bundle.peek_manifest(old_bundle)["format_version"] == 1
    prov = open_folder(root / "JATIM")
    try:
        assert not engine.import_bundle(prov, old_bundle).refused
    finally:
        prov.close()
    # Updated, the office takes the same format-2 bundle.
    upt = open_folder(root / "UPT-A-old")
    try:
        got = engine.import_bundle(upt, sealed.path)
        assert got.sender == J and not got.refused
    finally:
        upt.close()
