"""What earlier releases wrote still works: folders and bundles of each release under
tests/fixtures/releases/VERSION/ (written by make_release.py with that release's code) are opened,
checked and synced both ways with the current code; and the release before reads what this one sends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from storage.backup.upgrade import open_folder
from storage.core import formats
from storage.sync import engine
from tui.cli import main

RELEASES = Path(__file__).resolve().parents[1] / "fixtures" / "releases"
VERSIONS = sorted((p.name for p in RELEASES.iterdir() if (p / "release.json").exists()), key=formats.version_key)
ROOT = Path(__file__).resolve().parents[2]
# The commit of each release, for the side-by-side test (docs/CHANGELOG.md names them).
RELEASE_COMMITS = {"0.1.0": "8ea8ff6db0cb4b633d220db6431b321d8c1d22b1", "0.3.0": "2cf2276f03899eea90f5d6e833fb2004ccd81c25",
                   "0.3.1": "c569b45516d5d72cecbb99f08dbfc149ee76731a"}


def _copy(version: str, tmp: Path) -> Path:
    dest = tmp / version
    shutil.copytree(RELEASES / version, dest)
    return dest


def _expected(version: str) -> dict:
    return json.loads((RELEASES / version / "release.json").read_text())


def test_there_is_a_fixture_of_the_release_before_this_one():
    assert VERSIONS, "tests/fixtures/releases holds no release"
    assert formats.version_key(VERSIONS[-1]) < formats.version_key(formats.PILAR_VERSION)
    assert "0.1.0" in VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_folders_check_and_open_with_their_records(version, tmp_path, capsys):
    root = _copy(version, tmp_path)
    expected = _expected(version)
    for office in ("JATIM", "UPT-A"):
        schema = orjson.loads((root / office / "db" / "manifest.json").read_bytes())["schema"]
        if schema < formats.FOLDER.current:
            # a read-only check never migrates: it says to open Pilar once (the open below migrates)
            assert main(["--data", str(root / office), "check"]) == 1
            assert f"format {schema}" in capsys.readouterr().err
        else:
            assert main(["--data", str(root / office), "check"]) == 0, capsys.readouterr()
        db = open_folder(root / office)
        try:
            assert db.count("members") == expected["members"][office]
            if office == "UPT-A":  # its last change was still in the journal (the PC switched off)
                assert "+6281333444555" in {m.get("phone") for m in db.values("members")}
        finally:
            db.close()
        assert main(["--data", str(root / office), "check"]) == 0, capsys.readouterr()
        # Opened for writing by this release: the office file says which Pilar opened it last.
        assert orjson.loads((root / office / "office.json").read_bytes())["pilar"] == formats.PILAR_VERSION


@pytest.mark.parametrize("version", VERSIONS)
def test_bundles_of_the_release_import_and_sync_goes_on_both_ways(version, tmp_path):
    root = _copy(version, tmp_path)
    prov, upt = open_folder(root / "JATIM"), open_folder(root / "UPT-A")
    try:
        members, rates = prov.count("members"), upt.count("rates")
        got = engine.import_bundle(prov, root / "bundles" / "to-JATIM.pilar")
        assert not got.refused and got.added >= 1 and prov.count("members") == members + 1
        got = engine.import_bundle(upt, root / "bundles" / "to-UPT-A.pilar")
        assert not got.refused and upt.count("rates") == rates + 1
        # The province now knows the UPT runs the older release and should update.
        row = next(r for r in engine.offices_overview(prov) if r["code"] == "UPT-A")
        assert row["pilar"] == version and row["behind"]
        # This release to the old folders and back.
        with prov.transaction("test") as tx:
            rate = dict(next(iter(prov.values("rates"))))
            rate.pop("id"), rate.pop("owner", None)
            tx.put("rates", dict(rate, amount=rate["amount"] + 1000, start="2025-01-01"))
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "out1")
        got = engine.import_bundle(upt, out.path)
        assert not got.refused and got.added == 1
        out = engine.export_bundle(upt, "JATIM", tmp_path / "out2")
        got = engine.import_bundle(prov, out.path)
        assert not got.refused
        row = next(r for r in engine.offices_overview(prov) if r["code"] == "UPT-A")
        assert row["pilar"] == formats.PILAR_VERSION and not row["behind"]
    finally:
        prov.close()
        upt.close()


def _release_tree(version: str, dest: Path) -> Path | None:
    """The source of an earlier release, from this repository's history (None when not there)."""
    commit = RELEASE_COMMITS.get(version)
    if commit is None or shutil.which("git") is None:
        return None
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit, "storage", "tui",
                          "sample_data"], capture_output=True)
    if tar.returncode != 0:
        return None
    dest.mkdir()
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)
    return dest


def _old_pilar(tree: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(tree), PILAR_LANG="en", PILAR_NO_VIEWER="1")
    # run from the old tree: ``python -c`` puts the working folder first on sys.path, so from the
    # repository it would import today's code instead of the release's
    return subprocess.run([sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", *argv],
                          env=env, capture_output=True, text=True, cwd=str(tree))


@pytest.mark.parametrize("version", VERSIONS)
def test_the_release_before_reads_what_this_one_sends(version, tmp_path):
    """Two versions side by side: the older release's own code imports this release's bundle, and
    this release imports one the older release makes now."""
    tree = _release_tree(version, tmp_path / "old")
    if tree is None:
        pytest.skip(f"the source of {version} is not in this clone's history")
    root = _copy(version, tmp_path)
    prov = open_folder(root / "JATIM")
    try:
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "new-to-old")
    finally:
        prov.close()
    run = _old_pilar(tree, "--data", str(root / "UPT-A"), "import", str(out.path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "accepted" in run.stdout
    run = _old_pilar(tree, "--data", str(root / "UPT-A"), "export", "--to", "JATIM", "--out",
                     str(tmp_path / "old-to-new"))
    assert run.returncode == 0, run.stdout + run.stderr
    prov = open_folder(root / "JATIM")
    try:
        got = engine.import_bundle(prov, next((tmp_path / "old-to-new").glob("*.pilar")))
        assert not got.refused
    finally:
        prov.close()


def test_the_sync_screen_at_the_province_shows_each_offices_pilar_and_who_should_update(tmp_path, monkeypatch):
    import asyncio

    from tui.app import PilarApp

    root = _copy(VERSIONS[0], tmp_path)
    prov = open_folder(root / "JATIM")
    try:
        engine.import_bundle(prov, root / "bundles" / "to-JATIM.pilar")
    finally:
        prov.close()
    monkeypatch.setenv("PILAR_USB", str(tmp_path / "no-usb"))

    async def run():
        app = PilarApp(root / "JATIM", operator="Ani", lang="id")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("4")
            for _ in range(200):
                if app.screen.query("#offices"):
                    break
                await pilot.pause(0.02)
            await pilot.pause()
            table = app.screen.query_one("#offices")
            row = table.get_row("UPT-A")
            assert f"{VERSIONS[0]} !" in [str(c) for c in row]
            text = str(app.screen.query_one("#conflicts").render())
            assert "UPT-A" in text and "Kirim kit pembaruan" in text

    asyncio.run(run())
