"""Issue 25: `pilar roster edit NIK` loads the edited member's part and the parts of the members its checks
name (the persisted NIK and active-assignment indexes), not the whole roster; and its answers are those of
the whole folder: one active TKSK per kecamatan, one Korkab per pillar and kab/kota, whether the index is
current, stale, missing, damaged or left behind by a kill during the fold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from storage.core import db as db_module
from storage.core import formats, i18n
from storage.core.db import Database
from storage.roster import service as roster_module
from tests.support.parts import part_file
from tests.support.roster import make_folder
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data", extra=40).close()  # the close folds: both indexes written
    yield tmp_path / "data"
    i18n.set_lang("id")


@pytest.fixture
def opened(monkeypatch):
    """The partial opens with which `roster edit` answered (None: the indexes could not say, and the folder
    was opened whole)."""
    got: list = []
    real = Database.open_member_by_nik.__func__
    real_load = roster_module.Roster.load_for

    def spy(cls, *args, **kwargs):
        db = real(cls, *args, **kwargs)
        got.append(db)
        return db

    def load_for(self, value):
        answered = real_load(self, value)
        if not answered:
            got[-1] = None
        return answered
    monkeypatch.setattr(Database, "open_member_by_nik", classmethod(spy))
    monkeypatch.setattr(roster_module.Roster, "load_for", load_for)
    return got


def member(path, name: str) -> dict:
    db = Database.open(path, read_only=True)
    try:
        return next(v for v in db.values("members") if v["name"] == name)
    finally:
        db.close()


def edit(tmp_path, path, who: dict, capsys, **changes) -> tuple[int, str]:
    change = tmp_path / "change.json"
    change.write_text(json.dumps(changes))
    code = main(["--data", str(path), "--operator", "Siti", "--lang", "en", "roster", "edit", who["nik"],
                 str(change), "--accept-warnings"])
    out = capsys.readouterr()
    return code, out.out + out.err


def moved(who: dict, **fields) -> list[dict]:
    """The member's assignments with the first one changed."""
    assignments = [dict(a) for a in who["assignments"]]
    assignments[0].update(fields)
    return assignments


def index_entries(path) -> dict:
    raw = (Path(path) / "db" / db_module.ACTIVE_INDEX).read_bytes()
    return orjson.loads(raw[raw.find(b"\n") + 1:])


def test_a_second_tksk_is_refused_from_two_parts_and_an_allowed_edit_saves(tmp_path, data, opened, capsys):
    siti, wahyu = member(data, "Siti Aminah"), member(data, "Wahyu Hidayat")
    mine, hers = part_file(data, "members", wahyu["id"]).stem, part_file(data, "members", siti["id"]).stem
    assert index_entries(data)["TKSK|ANGGOTA|kec|35.78.01"] == [int(hers[-2:])]
    code, said = edit(tmp_path, data, wahyu, capsys, assignments=moved(wahyu, area_kec="35.78.01"))
    assert code == 1 and "already has an active TKSK: Siti Aminah" in said
    db = opened[-1]
    assert db is not None and db.partial
    assert set(db.files("members")) <= {mine, hers} and db.count("members") < 46  # not the whole roster
    assert member(data, "Wahyu Hidayat")["assignments"] == wahyu["assignments"]  # nothing written
    # another kecamatan, free: saved, from the parts only
    code, said = edit(tmp_path, data, wahyu, capsys, assignments=moved(wahyu, area_kec="35.78.07"))
    assert code == 0 and "saved" in said and opened[-1] is not None
    assert member(data, "Wahyu Hidayat")["assignments"][0]["area_kec"] == "35.78.07"
    # the next edit sees that change in the journal (not in the index yet): 35.78.07 is taken now
    budi = member(data, "Siti Aminah")
    code, said = edit(tmp_path, data, budi, capsys, assignments=moved(budi, area_kec="35.78.07"))
    assert code == 1 and "already has an active TKSK: Wahyu Hidayat" in said and opened[-1] is not None
    # and 35.78.05, which Wahyu left, is free: the index still names his part for it, his value says no
    code, said = edit(tmp_path, data, budi, capsys, assignments=moved(budi, area_kec="35.78.05"))
    assert code == 0, said


def korkab(who: dict) -> list[dict]:
    return moved(who, position="KORKAB", area_kab="35.78", area_kec="")


def test_a_second_korkab_is_refused_from_the_journal_and_after_the_fold(tmp_path, data, opened, capsys):
    agus = member(data, "Agus Salim")
    others = [member(data, f"Anggota Uji {j:05d}") for j in (3, 17)]
    code, said = edit(tmp_path, data, agus, capsys, assignments=korkab(agus))
    assert code == 0, said
    assert "PSM|KORKAB|kab|35.78" not in index_entries(data)  # in the journal only
    code, said = edit(tmp_path, data, others[0], capsys, assignments=korkab(others[0]))
    assert code == 1 and "Korkab/Korkot" in said and "Agus Salim" in said
    assert opened[-1] is not None and opened[-1].partial
    # folded (a whole open closing): the index names Agus's part, and the refusal stands
    Database.open(data, operator="Siti").close()
    assert index_entries(data)["PSM|KORKAB|kab|35.78"] == [int(part_file(data, "members", agus["id"]).stem[-2:])]
    code, said = edit(tmp_path, data, others[1], capsys, assignments=korkab(others[1]))
    assert code == 1 and "Agus Salim" in said and opened[-1] is not None
    # another pillar's Korkab in the same kab/kota is allowed
    code, said = edit(tmp_path, data, others[1], capsys, assignments=moved(others[1], pillar="KARANG_TARUNA",
                                                                          position="KORKAB", area_kab="35.78"))
    assert code == 0, said


def fold_index_of_scratch(path) -> dict:
    """The active index as a rebuild from every member writes it."""
    manifest = orjson.loads((Path(path) / "db" / "manifest.json").read_bytes())
    manifest["indexes"].pop("members.active")
    (Path(path) / "db" / "manifest.json").write_bytes(formats.manifest_bytes(manifest))
    Database.open(path, operator="Siti").close()
    return index_entries(path)


def test_the_fold_updates_the_index_from_the_changed_parts_as_a_rebuild_would(tmp_path, data, capsys):
    agus, uji = member(data, "Agus Salim"), member(data, "Anggota Uji 00004")
    assert edit(tmp_path, data, agus, capsys, assignments=korkab(agus))[0] == 0
    assert edit(tmp_path, data, uji, capsys, assignments=moved(uji, status="INACTIVE", end="2024-01-01",
                                                                inactive_date="2024-01-01",
                                                                inactive_reason="pindah"))[0] == 0
    wahyu = member(data, "Wahyu Hidayat")
    assert edit(tmp_path, data, wahyu, capsys, assignments=moved(wahyu, area_kec="35.78.07"))[0] == 0
    Database.open(data, operator="Siti").close()
    updated = index_entries(data)
    assert "PSM|KORKAB|kab|35.78" in updated and "TKSK|ANGGOTA|kec|35.78.07" in updated
    assert "TKSK|ANGGOTA|kec|35.78.05" not in updated  # the key Wahyu left went with his part's entries
    assert updated == fold_index_of_scratch(data)


def spoil(path, how: str) -> None:
    index = Path(path) / "db" / db_module.ACTIVE_INDEX
    manifest_path = Path(path) / "db" / "manifest.json"
    if how == "damaged":
        raw = index.read_bytes()
        index.write_bytes(raw.replace(b"35.78", b"35.79", 1))
    elif how == "missing":
        index.unlink()
    elif how == "stale":  # the file of another fold (a kill between the index and the manifest)
        raw = index.read_bytes()
        newline = raw.find(b"\n")
        head = orjson.loads(raw[:newline])
        head["seq"] += 1
        index.write_bytes(orjson.dumps(head) + raw[newline:])
    elif how == "dropped":  # an older Pilar (0.3.0) folded: it keeps no entry it does not know
        manifest = orjson.loads(manifest_path.read_bytes())
        manifest["indexes"].pop("members.active")
        manifest_path.write_bytes(formats.manifest_bytes(manifest))


@pytest.mark.parametrize("how", ["damaged", "missing", "stale", "dropped"])
def test_an_index_that_cannot_be_used_is_not_and_the_rules_hold(tmp_path, data, opened, capsys, how):
    agus, uji = member(data, "Agus Salim"), member(data, "Anggota Uji 00008")
    wahyu = member(data, "Wahyu Hidayat")
    assert edit(tmp_path, data, agus, capsys, assignments=korkab(agus))[0] == 0
    Database.open(data, operator="Siti").close()
    spoil(data, how)
    assert db_module.member_parts(data, [], [("PSM", "KORKAB", "kab", "35.78")]) is None
    code, said = edit(tmp_path, data, uji, capsys, assignments=korkab(uji))
    assert code == 1 and "Agus Salim" in said
    assert opened[-1] is None  # the whole folder answered
    code, said = edit(tmp_path, data, wahyu, capsys, assignments=moved(wahyu, area_kec="35.78.01"))
    assert code == 1 and "Siti Aminah" in said
    # the whole open that answered (and nothing to fold besides) wrote the index again on closing
    parts = db_module.member_parts(data, [], [("PSM", "KORKAB", "kab", "35.78")])
    assert parts == {part_file(data, "members", agus["id"]).stem}
    code, said = edit(tmp_path, data, uji, capsys, assignments=korkab(uji))
    assert code == 1 and "Agus Salim" in said and opened[-1] is not None


KILLED_FOLD = """
import os, sys
from storage.core import db as db_module
from storage.core.db import Database
from storage.roster import service as roster_module
real = db_module.atomic_write
def killed(path, data):
    if path.name == "manifest.json":
        os._exit(9)  # killed after the parts and the indexes were written, before the manifest
    real(path, data)
db_module.atomic_write = killed
db = Database.open(sys.argv[1], operator="Siti")
value = db.get("members", sys.argv[2])
a = dict(value["assignments"][0], position="KORKAB", area_kab="35.78", area_kec="")
with db.transaction("roster.edit") as tx:
    tx.put("members", dict(value, assignments=[a]))
db.close()
"""


def test_a_kill_during_the_fold_loses_nothing_and_the_rule_still_holds(tmp_path, data, opened, capsys):
    agus, uji = member(data, "Agus Salim"), member(data, "Anggota Uji 00011")
    run = subprocess.run([sys.executable, "-c", KILLED_FOLD, str(data), agus["id"]], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    # the part and the index are the new ones, the manifest and the journal the old ones
    assert b"KORKAB" in part_file(data, "members", agus["id"]).read_bytes()
    assert b"KORKAB" in (data / "db" / "journal.jsonl").read_bytes()
    assert member(data, "Agus Salim")["assignments"][0]["position"] == "KORKAB"
    code, said = edit(tmp_path, data, uji, capsys, assignments=korkab(uji))
    assert code == 1 and "Agus Salim" in said
    assert main(["--data", str(data), "check"]) == 0
    capsys.readouterr()
    # once folded again, the index is used and agrees
    Database.open(data, operator="Siti").close()
    code, said = edit(tmp_path, data, uji, capsys, assignments=korkab(uji))
    assert code == 1 and "Agus Salim" in said and opened[-1] is not None


def test_an_edit_changing_the_nik_to_one_held_elsewhere_is_refused(tmp_path, data, opened, capsys):
    siti, wahyu = member(data, "Siti Aminah"), member(data, "Wahyu Hidayat")
    code, said = edit(tmp_path, data, wahyu, capsys, nik=siti["nik"])
    assert code == 1 and "Siti Aminah" in said and opened[-1] is not None
    assert {part_file(data, "members", siti["id"]).stem} <= set(opened[-1].files("members"))


def test_a_partial_open_never_writes_a_part_it_did_not_load(data):
    siti, wahyu = member(data, "Siti Aminah"), member(data, "Wahyu Hidayat")
    if part_file(data, "members", siti["id"]) == part_file(data, "members", wahyu["id"]):
        pytest.skip("the two share a part")
    db = Database.open_member_by_nik(data, wahyu["nik"], operator="Siti", read_only=False)
    try:
        assert db is not None and db.get("members", siti["id"]) is None
        with pytest.raises(ValueError), db.transaction("test") as tx:
            tx.put("members", dict(siti, address="Jl. Salah"))
        db.load_parts({part_file(data, "members", siti["id"]).stem})
        assert db.get("members", siti["id"])["name"] == "Siti Aminah"
    finally:
        db.close()
