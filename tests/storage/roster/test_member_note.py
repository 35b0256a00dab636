"""The member's note (issue 23): kept from an office's file (the other phones of a cell, a CATATAN column, a
KETERANGAN that says nothing about status), shown and edited, masked where numbers must not leak, carried
by bundles, and carried untouched by the release before (side by side with its own code)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest

from storage.backup.upgrade import open_folder
from storage.core import audit
from storage.core.sensitive import mask_numbers
from storage.domain.validate import validate_member
from storage.roster import Roster
from storage.roster.importing.plan import commit, preview
from storage.roster.service import detail_text
from storage.sync import engine
from tests.reliability.test_releases import VERSIONS, _copy, _release_tree
from tests.storage.privacy.test_privacy_releases import _old_pilar
from tests.support.roster import make_folder

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "import_corpus"
TODAY = dt.date(2024, 4, 4)
NIK_IN_NOTE = "NIK lama 3578014107850009, rek BRI 0012-3456-7890"


def _shared_member(prov, code: str) -> str:
    """A member the province and office ``code`` both hold that ``code`` has not changed since its last
    bundle (the release fixture's UPT-A has Dewi Kurniasih's new phone still unsent: a province edit of
    her is a true conflict, tested elsewhere)."""
    for rid in sorted(prov.raw("members")):
        value = prov.value("members", rid)
        if value is not None and value.get("name") != "Dewi Kurniasih" and engine.mentions(
                prov.raw("members")[rid]["v"][0]["data"], code):
            return rid
    pytest.skip("the fixture has no member shared with the UPT")


@pytest.fixture
def db(tmp_path):
    db = make_folder(tmp_path / "data")
    yield db
    db.close()


def members(db) -> dict[str, dict]:
    return {m["name"]: m for m in db.values("members")}


def test_the_other_phones_of_a_cell_are_kept_in_the_note(db):
    plan = preview(Roster(db), CORPUS / "tulisan_kantor.csv", today=TODAY)
    agung = next(r for r in plan.rows if r.name == "Agung Wicaksono")
    assert "disimpan di Catatan anggota: 0857 3456 1801" in agung.note()
    commit(Roster(db), plan)
    got = members(db)
    assert got["Agung Wicaksono"]["phone"] == "+6281234561801"
    assert got["Agung Wicaksono"]["note"] == "No. HP lain: 0857 3456 1801"
    assert got["Bunga Citra"]["note"] == "No. HP lain: 085734561802"
    assert got["Catur Wibowo"]["note"] == ""  # one phone: nothing to keep


def test_a_second_import_adds_nothing_twice_and_never_drops_what_the_clerk_wrote(db):
    commit(Roster(db), preview(Roster(db), CORPUS / "tulisan_kantor.csv", today=TODAY))
    roster = Roster(db)
    agung = members(db)["Agung Wicaksono"]
    rid, result = roster.save(dict(agung, note=agung["note"] + "; rumah dekat balai desa"), accept_warnings=True,
                              today=TODAY)
    assert rid, result.errors
    plan = preview(Roster(db), CORPUS / "tulisan_kantor.csv", today=TODAY)
    assert {r.name: r.fate for r in plan.rows}["Agung Wicaksono"] == "same"
    assert members(db)["Agung Wicaksono"]["note"] == "No. HP lain: 0857 3456 1801; rumah dekat balai desa"


def test_a_catatan_column_and_a_free_keterangan_are_kept(db, tmp_path):
    path = tmp_path / "catatan.csv"
    path.write_text("NAMA;NIK;L/P;TGL LAHIR;KECAMATAN;KAB/KOTA;PILAR;KETERANGAN;CATATAN\r\n"
                    "Ani Rahayu;3578024302900101;P;03-02-1990;Wonocolo;Surabaya;PSM;Pengganti Bpk. Sutrisno;"
                    "ikut pelatihan 2023\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert plan.rows[0].fate == "add", plan.rows[0].reasons
    assert "Catatan" in plan.mapping_text()
    commit(Roster(db), plan)
    assert members(db)["Ani Rahayu"]["note"] == "ikut pelatihan 2023; Pengganti Bpk. Sutrisno"


def test_an_update_shows_the_note_before_and_after_with_its_numbers_masked(db, tmp_path):
    commit(Roster(db), preview(Roster(db), CORPUS / "tulisan_kantor.csv", today=TODAY))
    path = tmp_path / "lagi.csv"
    path.write_text("NAMA;NIK;NO HP\r\nCatur Wibowo;3579020909790001;081234561803 / 0813 9999 1803\r\n",
                    encoding="utf-8")
    nik = members(db)["Catur Wibowo"]["nik"]
    path.write_text(path.read_text().replace("3579020909790001", nik), encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    [row] = plan.rows
    assert row.fate == "update", row.reasons
    assert ("Catatan", "", "No. HP lain: ********1803") in row.changes


def test_the_note_is_validated(db):
    roster = Roster(db)
    siti = next(iter(members(db).values()))
    for bad, key in (("x" * 501, "validate.note.length"), ("baris\nbaru", None), ("tab\there", "validate.text.control"),
                     (12, "validate.note.text")):
        result = validate_member(dict(siti, note=bad), roster, today=TODAY)
        if key is None:  # a line break typed into a note is folded into a space when it is saved
            rid, result = roster.save(dict(siti, note=bad), accept_warnings=True, today=TODAY)
            assert rid and db.get("members", rid)["note"] == "baris baru"
            continue
        assert key in [i.key for i in result.errors], (bad, result.errors)


def test_numbers_in_a_note_never_reach_the_audit_log_or_the_shown_member(db):
    roster = Roster(db)
    siti = next(iter(members(db).values()))
    rid, result = roster.save(dict(siti, note=NIK_IN_NOTE), accept_warnings=True, today=TODAY)
    assert rid, result.errors
    log = b"".join(p.read_bytes() for p in audit.files(db.path / "audit.jsonl"))
    assert b"3578014107850009" not in log and b"0012-3456-7890" not in log and b"001234567890" not in log
    assert b"NIK lama ************0009, rek BRI ********7890" in log
    shown = detail_text(roster, rid)
    assert "Catatan: NIK lama ************0009, rek BRI ********7890" in shown
    assert NIK_IN_NOTE in detail_text(roster, rid, reveal=True)
    assert mask_numbers("HP 0857-1234-5678 sejak 2019") == "HP ********5678 sejak 2019"


def test_the_note_travels_in_a_bundle(tmp_path):

    root = _copy(VERSIONS[-1], tmp_path)
    prov = open_folder(root / "JATIM")
    try:
        rid = _shared_member(prov, "UPT-A")
        rid_saved, result = Roster(prov).save(dict(prov.value("members", rid), note="No. HP lain: 085700001111"),
                                              accept_warnings=True)
        assert rid_saved == rid, result.errors
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "usb")
    finally:
        prov.close()
    upt = open_folder(root / "UPT-A")
    try:
        got = engine.import_bundle(upt, out.path)
        assert not got.refused and upt.value("members", rid)["note"] == "No. HP lain: 085700001111"
    finally:
        upt.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_release_before_carries_the_note_untouched_through_its_import_edit_and_export(version, tmp_path):
    """No format version, no ``requires`` entry: the previous release's own code (side by side) takes a
    member with a note, shows and edits her with its own command line, and sends her back with the note."""
    tree = _release_tree(version, tmp_path / "old")
    if tree is None:
        pytest.skip(f"the source of {version} is not in this clone's history")
    root = _copy(version, tmp_path)
    prov = open_folder(root / "JATIM")
    try:
        rid = _shared_member(prov, "UPT-A")
        member = prov.value("members", rid)
        saved, result = Roster(prov).save(dict(member, note="No. HP lain: 085700001111; ikut pelatihan 2023"),
                                          accept_warnings=True)
        assert saved == rid, result.errors
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "usb")
    finally:
        prov.close()
    upt = root / "UPT-A"
    run = _old_pilar(tree, "--data", str(upt), "import", str(out.path))
    assert run.returncode == 0 and "accepted" in run.stdout, run.stdout + run.stderr
    for argv in (["check"], ["roster", "show", member["nik"]]):
        run = _old_pilar(tree, "--data", str(upt), *argv)
        assert run.returncode == 0, (argv, run.stdout + run.stderr)
    change = tmp_path / "phone.json"
    change.write_bytes(orjson.dumps({"address": "Jl. Baru 7"}))
    run = _old_pilar(tree, "--data", str(upt), "roster", "edit", member["nik"], str(change), "--accept-warnings")
    assert run.returncode == 0, run.stdout + run.stderr
    run = _old_pilar(tree, "--data", str(upt), "export", "--to", "JATIM", "--out", str(tmp_path / "back"))
    assert run.returncode == 0, run.stdout + run.stderr
    prov = open_folder(root / "JATIM")
    try:
        got = engine.import_bundle(prov, next((tmp_path / "back").glob("*.pilar")))
        assert not got.refused
        back = prov.value("members", rid)
        # the older office's edit arrived, and the note it never knew about came back with it
        assert back["address"] == "Jl. Baru 7"
        assert back["note"] == "No. HP lain: 085700001111; ikut pelatihan 2023"
    finally:
        prov.close()


def test_a_second_pillar_row_adds_its_phones_to_the_note_of_the_member_above(db, tmp_path):
    path = tmp_path / "dua.csv"
    path.write_text("NAMA;NIK;L/P;TGL LAHIR;KECAMATAN;KAB/KOTA;PILAR;NO HP\r\n"
                    "Ani Rahayu;3578024302900101;P;03-02-1990;Wonocolo;Surabaya;PSM;081234500001 / 085700000001\r\n"
                    "Ani Rahayu;3578024302900101;P;03-02-1990;Wonocolo;Surabaya;Tagana;081234500001 / 087800000001\r\n",
                    encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add", "join"], [r.reasons for r in plan.rows]
    commit(Roster(db), plan)
    ani = members(db)["Ani Rahayu"]
    assert ani["note"] == "No. HP lain: 085700000001; No. HP lain: 087800000001"
    assert {a["pillar"] for a in ani["assignments"]} == {"PSM", "TAGANA"}
