"""Personal-data features on what the release before wrote (tests/fixtures/releases/, docs/formats.md).

No format version is raised (docs/privacy.md): the folder gains a collection file, bundles that carry
``privacy`` records or an erasure name ``privacy-erasure-1`` in ``requires``. So: the previous release's
folders take requests and erasures after opening with this code, the erasure reaches the previous
release's UPT folder through a bundle, and the previous release's own code, side by side, refuses such
a bundle with its "update Pilar" sentence and changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.backup.upgrade import open_folder
from storage.core.versions import erasure_of
from storage.privacy import service as privacy
from storage.sync import engine
from tests.reliability.test_releases import VERSIONS, _copy, _release_tree


def _old_pilar(tree: Path, *argv: str) -> subprocess.CompletedProcess:
    """The older release's own command line: run from its tree (``python -c`` puts the working folder
    first on the path, so run from the repository it would be this release's code)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PILAR_LANG="en", PILAR_NO_VIEWER="1")
    return subprocess.run([sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", *argv],
                          env=env, capture_output=True, text=True, cwd=str(tree))


def _shared_member(prov, code: str) -> str:
    """A member of the province's folder that office ``code`` holds too (it names the office)."""
    for rid, doc in prov.raw("members").items():
        if prov.value("members", rid) is not None and engine.mentions(doc["v"][0]["data"], code):
            return rid
    pytest.skip("the fixture has no member shared with the UPT")


def _records(folder: Path) -> dict[str, dict]:
    """Every record of a folder, raw (the files themselves may be folded differently by an older Pilar).
    Read from a copy brought up to this Pilar's folder format (the records are the same), so the folder
    itself stays as the older release needs it."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".lock", "lock.json", "backups"))
        db = open_folder(copy)
        try:
            return {name: dict(db.raw(name)) for name in db.collections()}
        finally:
            db.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_an_erasure_on_the_release_folders_reaches_its_upt(version, tmp_path):
    root = _copy(version, tmp_path)
    prov = open_folder(root / "JATIM")
    try:
        rid = _shared_member(prov, "UPT-A")
        nik = prov.value("members", rid).get("nik")
        req = privacy.add_request(prov, rid, "erasure", note="uji rilis")
        assert req["status"] == "OPEN" and prov.value("members", rid)["restricted"]["request"] == req["id"]
        privacy.erase(prov, rid, "permintaan", request_id=req["id"])
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "usb")
    finally:
        prov.close()
    upt = open_folder(root / "UPT-A")
    try:
        got = engine.import_bundle(upt, out.path)
        assert not got.refused
        assert upt.value("members", rid) is None
        assert erasure_of(upt.doc("members", rid))["why"] == "request"
        blob = b"".join(p.read_bytes() for p in (root / "UPT-A" / "db").glob("*") if p.is_file())
        assert nik and nik.encode() not in blob
        # the request travelled with it, closed by the erasure
        assert [r["status"] for r in privacy.requests(upt)] == ["DONE"]
    finally:
        upt.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_release_before_refuses_a_bundle_with_an_erasure_and_changes_nothing(version, tmp_path):
    """Releases before the privacy features refuse it, changing nothing; later ones take it."""
    tree = _release_tree(version, tmp_path / "old")
    if tree is None:
        pytest.skip(f"the source of {version} is not in this clone's history")
    root = _copy(version, tmp_path)
    prov = open_folder(root / "JATIM")
    try:
        rid = _shared_member(prov, "UPT-A")
        privacy.erase(prov, rid, "permintaan")
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "usb")
    finally:
        prov.close()
    before = _records(root / "UPT-A")
    run = _old_pilar(tree, "--data", str(root / "UPT-A"), "import", str(out.path))
    if _knows_erasures(tree):
        # a release that has erasures itself (0.3.0 on) takes it: the member is gone at its UPT too
        assert run.returncode == 0, run.stdout + run.stderr
        after = _records(root / "UPT-A")
        assert rid in before["members"] and erasure_of(after["members"][rid])
        return
    assert run.returncode == 1, run.stdout + run.stderr
    assert "privacy-erasure-1" in run.stdout + run.stderr, run.stdout + run.stderr
    assert _records(root / "UPT-A") == before


def _knows_erasures(tree: Path) -> bool:
    """The older release's code names the erasure requirement (it came with the privacy features)."""
    return any("privacy-erasure-1" in f.read_text(encoding="utf-8", errors="replace")
               for f in (tree / "storage").rglob("*.py"))
