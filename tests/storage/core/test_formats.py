"""The version and migration mechanism (storage/formats.py), exercised with steps registered by the
tests on a folder and bundles the release before wrote (tests/fixtures/releases/0.1.0)."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from storage.backup import list_backups
from storage.backup.upgrade import open_folder
from storage.core import formats
from storage.core.db import Database, PilarStorage
from storage.core.errors import DamagedError, PilarError
from storage.core.formats import FolderNeedsUpgrade, NewerFormatError
from storage.sync import bundle, engine
from tui.cli import main

BUNDLE_NEXT = formats.BUNDLE.current + 1  # a bundle format no release writes yet

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "releases" / "0.1.0"


@pytest.fixture
def old(tmp_path) -> Path:
    """A copy of the province and UPT folders and the bundles release 0.1.0 wrote."""
    dest = tmp_path / "old"
    shutil.copytree(FIXTURE, dest)
    return dest


# The folder format of this Pilar (2 since issue 25: collections in parts); the tests below add a step
# after it, so they exercise the mechanism on top of the real chain.
NOW = formats.FOLDER.current
NEXT = NOW + 1


@pytest.fixture
def folder_v2(monkeypatch):
    """This Pilar with one more folder format (NEXT), whose step rewrites every collection file and counts
    its runs; the real steps before it run as they do."""
    runs: list[str] = []

    def to_next(ctx: formats.FolderContext) -> None:
        runs.append("run")
        ctx.rewrite_collections(NEXT, lambda name, docs: docs)
        (ctx.path / "v2.json").write_bytes(orjson.dumps({"runs": len(runs)}))

    monkeypatch.setattr(formats.FOLDER, "current", NEXT)
    monkeypatch.setattr(formats.FOLDER, "steps", {**formats.FOLDER.steps,
                                                  NEXT: formats.Step(NEXT, "to_next", to_next)})
    return runs


def _manifest(path: Path) -> dict:
    return orjson.loads((path / "db" / "manifest.json").read_bytes())


def _migrations(db: Database) -> list[dict]:
    return [e for e in db.audit.lines() if e.get("action") == "folder.migrate"]


def test_version_line(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Pilar {formats.PILAR_VERSION} ") and f"folder {NOW}," in out and "bundle 2" in out
    from importlib.metadata import version

    assert version("pilar") == formats.PILAR_VERSION  # the package says the same


def test_an_older_folder_is_migrated_on_open_after_a_backup_and_audited(old, folder_v2):
    upt = old / "UPT-A"
    before = PilarStorage(upt / "db" / "members.json", "members").read()
    db = open_folder(upt)
    try:
        assert db.count("members") == 4
        assert _manifest(upt)["schema"] == NEXT and _manifest(upt)["pilar"] == formats.PILAR_VERSION
        for file in (upt / "db").glob("*.json"):
            if file.name != "manifest.json":
                assert orjson.loads(file.read_bytes().split(b"\n", 1)[0][:-1] + b"}")["_meta"]["schema"] == NEXT
        backups = [b for b in list_backups(upt) if "before-update" in b.name]
        assert len(backups) == 1
        # The backup holds the folder as the old release left it.
        assert _manifest(backups[0].path)["schema"] == 1
        (entry,) = _migrations(db)
        assert f"folder 1->{NEXT}" in entry["note"] and backups[0].name in entry["note"] and "0.1.0" in entry["note"]
        assert not (upt / formats.MARKER).exists()
        assert before["members"].keys() == {r["id"] for r in db.values("members")}
        # The change the old release left in the journal came through the migration.
        assert "+6281333444555" in {m.get("phone") for m in db.values("members")}
    finally:
        db.close()
    # Idempotent: opened again, nothing more is done.
    db = open_folder(upt)
    try:
        assert folder_v2 == ["run"] and len(_migrations(db)) == 1
        assert len([b for b in list_backups(upt) if "before-update" in b.name]) == 1
    finally:
        db.close()
    assert main(["--data", str(upt), "check"]) == 0


def test_a_migration_killed_halfway_finishes_at_the_next_open(old, monkeypatch):
    upt = old / "UPT-A"
    calls = {"n": 0}

    def to_next(ctx):
        calls["n"] += 1

        def change(name, docs):
            if calls["n"] == 1 and name.startswith("members"):  # one file rewritten, then the power goes
                raise KeyboardInterrupt
            return docs

        ctx.rewrite_collections(NEXT, change)

    monkeypatch.setattr(formats.FOLDER, "current", NEXT)
    monkeypatch.setattr(formats.FOLDER, "steps", {**formats.FOLDER.steps,
                                                  NEXT: formats.Step(NEXT, "to_next", to_next)})
    with pytest.raises(KeyboardInterrupt):
        open_folder(upt)
    # The real steps are done and recorded; the last is not; the marker says a migration is under way.
    assert _manifest(upt)["schema"] == NOW
    assert (upt / formats.MARKER).exists()
    db = open_folder(upt)
    try:
        assert _manifest(upt)["schema"] == NEXT and db.count("members") == 4
        assert len(_migrations(db)) == 1 and f"folder 1->{NEXT}" in _migrations(db)[0]["note"]
        assert len([b for b in list_backups(upt) if "before-update" in b.name]) == 1
    finally:
        db.close()


def test_read_only_never_migrates_and_says_how_to_update(old, folder_v2, capsys):
    """A read-only open and `pilar check` never migrate; they say how to update. A command that only
    reads (`pilar roster list` after an update) updates the folder first, as a writing command does."""
    upt = old / "UPT-A"
    with pytest.raises(FolderNeedsUpgrade) as err:
        Database.open(upt, read_only=True)
    assert "format 1" in str(err.value) and "0.1.0" in str(err.value)
    assert main(["--data", str(upt), "check"]) == 1
    assert "Buka Pilar sekali" in capsys.readouterr().err
    assert _manifest(upt)["schema"] == 1 and folder_v2 == []
    assert main(["--data", str(upt), "roster", "list"]) == 0
    assert "format 1" in capsys.readouterr().err
    assert _manifest(upt)["schema"] == NEXT and len(folder_v2) == 1


@pytest.mark.parametrize("where", ["manifest", "office", "collection"])
def test_a_folder_a_newer_pilar_wrote_is_refused_with_the_update_sentence(old, where, capsys):
    upt = old / "UPT-A"
    if where == "manifest":
        m = _manifest(upt)
        m.update(schema=NEXT, pilar="0.3.0")
        (upt / "db" / "manifest.json").write_bytes(orjson.dumps(m))
    elif where == "office":
        office = orjson.loads((upt / "office.json").read_bytes())
        office.update(format=2, pilar="0.3.0")
        (upt / "office.json").write_bytes(orjson.dumps(office))
    else:
        open_folder(upt).close()  # brought up to this Pilar's format first: then one file says newer
        file = next((upt / "db").glob("members.*.json"))
        head, rest = file.read_bytes().split(b"\n", 1)
        file.write_bytes(head.replace(b'"schema":%d' % NOW, b'"schema":%d' % NEXT) + b"\n" + rest)
    snapshot = {p: p.read_bytes() for p in upt.rglob("*") if p.is_file() and p.name != ".lock"}
    with pytest.raises(NewerFormatError) as err:
        open_folder(upt)
    assert not isinstance(err.value, DamagedError)
    text = str(err.value)
    assert "Perbarui Pilar" in text and formats.PILAR_VERSION in text
    if where != "collection":
        assert "0.3.0" in text
    for command in (["check"], []):
        assert main(["--data", str(upt), *command]) == 1
        out = capsys.readouterr()
        assert "Perbarui Pilar" in out.out + out.err
        assert "rusak:" not in out.out + out.err and "restore" not in out.out + out.err
    # Nothing changed, no backup taken.
    assert {p: p.read_bytes() for p in upt.rglob("*") if p.is_file() and p.name != ".lock"} == snapshot


def test_an_older_bundle_is_read_through_the_steps(old, monkeypatch):
    seen = []

    def up(bundle):
        seen.append(bundle["manifest"]["format_version"])
        bundle["manifest"]["v2"] = True
        return bundle

    monkeypatch.setattr(formats.BUNDLE, "current", BUNDLE_NEXT)
    monkeypatch.setattr(formats.BUNDLE, "steps", {**formats.BUNDLE.steps, BUNDLE_NEXT: formats.Step(BUNDLE_NEXT, "up", up)})
    db = open_folder(old / "UPT-A")
    try:
        got = engine.import_bundle(db, old / "bundles" / "to-UPT-A.pilar")
        assert not got.refused and seen == [1]
    finally:
        db.close()


def test_a_bundle_for_an_office_a_release_behind_is_written_as_it_reads_them(old, monkeypatch, tmp_path):
    downs = []

    def down(bundle):
        downs.append(bundle["manifest"]["format_version"])
        return bundle

    step = formats.Step(BUNDLE_NEXT, "up", lambda b: b, down)
    with monkeypatch.context() as patch:
        patch.setattr(formats.BUNDLE, "current", BUNDLE_NEXT)
        patch.setattr(formats.BUNDLE, "steps", {**formats.BUNDLE.steps, BUNDLE_NEXT: step})
        prov = open_folder(old / "JATIM")
        try:
            out = engine.export_bundle(prov, "UPT-A", tmp_path / "out")  # UPT-A never said it reads 2
        finally:
            prov.close()
        assert downs == [BUNDLE_NEXT]
        assert bundle.peek_manifest(out.path)["format_version"] == 1
    # Read by a Pilar that knows format 1 only.
    upt = open_folder(old / "UPT-A")
    try:
        assert not engine.import_bundle(upt, out.path).refused
    finally:
        upt.close()


def test_without_a_way_down_the_export_says_which_office_must_update(old, monkeypatch, tmp_path):
    monkeypatch.setattr(formats.BUNDLE, "current", BUNDLE_NEXT)
    monkeypatch.setattr(formats.BUNDLE, "steps", {**formats.BUNDLE.steps, BUNDLE_NEXT: formats.Step(BUNDLE_NEXT, "up", lambda b: b)})
    prov = open_folder(old / "JATIM")
    try:
        with pytest.raises(PilarError) as err:
            engine.export_bundle(prov, "UPT-A", tmp_path / "out")
    finally:
        prov.close()
    assert err.value.key == "formats.peer_too_old"
    assert "UPT-A" in str(err.value) and "0.1.0" in str(err.value)
    assert not list((tmp_path / "out").glob("*.pilar")) if (tmp_path / "out").exists() else True


def test_a_bundle_a_newer_pilar_wrote_is_refused_with_the_update_sentence(old, monkeypatch, tmp_path):
    upt = open_folder(old / "UPT-A")
    try:
        # The UPT says it reads format BUNDLE_NEXT (as a newer Pilar would), so the province writes BUNDLE_NEXT.
        with monkeypatch.context() as patch:
            patch.setattr(formats.BUNDLE, "current", BUNDLE_NEXT)
            patch.setattr(formats.BUNDLE, "steps", {**formats.BUNDLE.steps,
                                                    BUNDLE_NEXT: formats.Step(BUNDLE_NEXT, "up", lambda b: b, lambda b: b)})
            patch.setattr(formats, "PILAR_VERSION", "9.0.0")
            engine.import_bundle(upt, old / "bundles" / "to-UPT-A.pilar")
            out = engine.export_bundle(upt, "JATIM", tmp_path / "up")
            prov = open_folder(old / "JATIM")
            try:
                assert not engine.import_bundle(prov, out.path).refused
                back = engine.export_bundle(prov, "UPT-A", tmp_path / "down")
            finally:
                prov.close()
        assert bundle.peek_manifest(back.path)["format_version"] == BUNDLE_NEXT
        with pytest.raises(bundle.BundleError) as err:
            engine.import_bundle(upt, back.path)
        assert err.value.reason == "newer"
        assert "9.0.0" in str(err.value) and "Perbarui Pilar" in str(err.value)
        refused = [e for e in engine.import_log(upt.path) if e.get("status") == "refused"]
        assert refused[-1]["reason"] == "newer"
    finally:
        upt.close()


def test_a_command_on_an_older_folder_says_it_was_brought_up_to_date(old, folder_v2, capsys):
    upt = old / "UPT-A"
    assert main(["--data", str(upt), "event", "create", "--name", "Rapat", "--date", "2025-01-10"]) == 0
    err = capsys.readouterr().err
    assert f"diperbarui dari format 1 ke {NEXT}" in err and "before-update" in err
    assert main(["--data", str(upt), "event", "create", "--name", "Rapat 2", "--date", "2025-01-11"]) == 0
    assert "diperbarui" not in capsys.readouterr().err  # once
