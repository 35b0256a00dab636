"""The roster service: search, filter, sort, save with validation, deactivate, delete, history, export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import orjson
import pytest
from openpyxl import load_workbook

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.roster import Query, Roster, export_rows, make_row
from tests.support.roster import OFFICE, PEOPLE, make_folder, nik, person

TODAY = dt.date(2024, 4, 4)


@pytest.fixture
def folder(tmp_path):
    db = make_folder(tmp_path / "data", extra=20)
    yield db
    db.close()


def names(rows):
    return [r.name for r in rows]


def test_search_matches_name_nik_number_and_phone_in_any_case(folder):
    roster = Roster(folder)
    assert names(roster.search(Query(text="SITI"))) == ["Siti Aminah"]
    siti = folder.get("members", roster.search(Query(text="siti"))[0].id)
    assert names(roster.search(Query(text=siti["nik"][-6:]))) == ["Siti Aminah"]
    assert names(roster.search(Query(text="na-0002"))) == ["Budi Santoso"]
    # typed the local way (0812…) or the stored way (+62812…)
    assert names(roster.search(Query(text="081398765432"))) == ["Rina Wati"]
    assert names(roster.search(Query(text="+6281398765432"))) == ["Rina Wati"]
    assert roster.search(Query(text="zzz")) == []


def test_query_does_not_match_across_two_fields(folder):
    roster = Roster(folder)
    # the end of the name and the start of the NIK must not join into a match
    siti = roster.search(Query(text="siti"))[0]
    assert roster.search(Query(text="aminah" + siti.nik[:3])) == []


def test_narrowing_a_search_gives_the_same_result_as_a_fresh_one(folder):
    roster = Roster(folder)
    for text in ("a", "an", "ang", "angg"):
        narrowed = roster.search(Query(text=text))
        fresh = Roster(folder).search(Query(text=text))
        assert [r.id for r in narrowed] == [r.id for r in fresh]
    assert len(roster.search(Query(text="a"))) > len(roster.search(Query(text="angg"))) > 0


def test_quick_filters_combine_with_text(folder):
    roster = Roster(folder)
    assert {r.name for r in roster.search(Query(pillar="TKSK"))} == {"Siti Aminah", "Wahyu Hidayat"}
    assert len(roster.search(Query(pillar="PSM"))) == 21
    assert names(roster.search(Query(pillar="PSM", text="salim"))) == ["Agus Salim"]
    assert roster.search(Query(kab="35.09")) == []
    assert len(roster.search(Query(kab="35.78"))) == len(roster)
    assert roster.search(Query(status="INACTIVE")) == []


def test_sort_by_each_column_and_reverse(folder):
    roster = Roster(folder)
    by_name = names(roster.search(Query(sort="name")))
    assert by_name == sorted(by_name, key=str.casefold)
    assert names(roster.search(Query(sort="name", reverse=True))) == by_name[::-1]
    by_nik = [r.nik for r in roster.search(Query(sort="nik"))]
    assert by_nik == sorted(by_nik)
    for column in ("pillar", "position", "kab", "kec", "office", "status"):
        assert len(roster.search(Query(sort=column))) == len(roster)


def test_rows_follow_commits_through_listeners(folder):
    roster = Roster(folder)
    seen = []
    roster.listeners.append(seen.append)
    value = person(50, "35.78.07", "Yuli Astutik", "P", "1991-02-03", "JSC", "ANGGOTA", "")
    with folder.transaction("test.add") as tx:
        rid = tx.put("members", value)
    assert names(roster.search(Query(text="yuli"))) == ["Yuli Astutik"]
    assert seen == [{rid}]
    with folder.transaction("test.delete") as tx:
        tx.delete("members", rid)
    assert roster.search(Query(text="yuli")) == []


def test_save_refuses_an_invalid_member_and_writes_nothing(folder):
    roster = Roster(folder)
    value = person(60, "35.78.08", "Salah Ketik", "L", "1980-01-01", "PSM", "ANGGOTA", "")
    value["nik"] = value["nik"][:-1]  # 15 digits
    before = folder.seq
    rid, result = roster.save(value, today=TODAY)
    assert rid is None
    assert [i.field for i in result.errors] == ["nik"]
    assert "16" in result.errors[0].message
    assert folder.seq == before and roster.search(Query(text="salah ketik")) == []


def test_save_needs_warnings_accepted(folder):
    roster = Roster(folder)
    value = person(61, "35.78.09", "Tagana Baru", "L", "1980-01-01", "TAGANA", "ANGGOTA", "")
    value["assignments"][0]["level"] = ""  # a warning, not an error
    rid, result = roster.save(value, today=TODAY)
    assert rid is None and result.warnings and not result.errors
    rid, _ = roster.save(value, accept_warnings=True, today=TODAY)
    assert rid and folder.get("members", rid)["name"] == "Tagana Baru"


def test_save_normalises_nik_phone_and_records_the_operator(tmp_path):
    db = make_folder(tmp_path / "data")
    db.operator = "Rudi"
    roster = Roster(db)
    value = person(62, "35.78.10", "Nur Hasanah", "P", "1987-05-06", "JSC", "ANGGOTA", "0812-1111-2222")
    value["nik"] = value["nik"][:6] + " " + value["nik"][6:]
    rid, result = roster.save(value, today=TODAY)
    assert rid, result.errors
    db.close()
    db = Database.open(tmp_path / "data", read_only=True)
    stored = db.get("members", rid)
    assert stored["phone"] == "+6281211112222"
    assert stored["nik"].isdigit() and len(stored["nik"]) == 16
    history = db.audit.for_record(rid)
    assert history[-1]["operator"] == "Rudi" and history[-1]["action"] == "roster.add"
    assert stored["nik"] not in (tmp_path / "data" / "audit.jsonl").read_text()


def test_duplicate_nik_is_an_error_naming_the_other_member(folder):
    roster = Roster(folder)
    kec, name, sex, birth, pillar, position, phone = PEOPLE[0]
    copy = person(70, kec, "Orang Lain", sex, birth, "JSC", "ANGGOTA", "")
    copy["nik"] = nik(kec, sex, birth, 1)
    rid, result = roster.save(copy, today=TODAY)
    assert rid is None
    assert any(i.field == "nik" and "Siti Aminah" in i.message for i in result.errors)


def test_deactivate_keeps_the_member_with_reason_and_date(tmp_path):
    db = make_folder(tmp_path / "data")
    roster = Roster(db)
    rid = roster.search(Query(text="budi"))[0].id
    assert roster.deactivate(rid, "pindah domisili", "2024-03-31") == 1
    db.close()
    db = Database.open(tmp_path / "data", read_only=True)
    member = db.get("members", rid)
    a = member["assignments"][0]
    assert (a["status"], a["inactive_reason"], a["inactive_date"], a["end"]) == \
        ("INACTIVE", "pindah domisili", "2024-03-31", "2024-03-31")
    assert Roster(db).row(rid).status == "INACTIVE"


@pytest.mark.parametrize("reason,date,key", [("", "2024-03-31", "roster.deactivate.need_reason"),
                                              ("pindah", "31/02/2024", "roster.deactivate.bad_date")])
def test_deactivate_refuses_missing_reason_or_bad_date(folder, reason, date, key):
    roster = Roster(folder)
    rid = roster.search(Query(text="budi"))[0].id
    before = folder.seq
    with pytest.raises(PilarError) as err:
        roster.deactivate(rid, reason, date)
    assert err.value.key == key and folder.seq == before


def test_delete_leaves_a_tombstone_and_history(tmp_path):
    db = make_folder(tmp_path / "data")
    roster = Roster(db)
    rid = roster.search(Query(text="rina"))[0].id
    roster.delete(rid, "data ganda")
    db.close()
    db = Database.open(tmp_path / "data", read_only=True)
    assert db.get("members", rid) is None
    doc = db.doc("members", rid)
    assert doc["v"][0]["deleted"] is True
    assert db.audit.for_record(rid)[-1]["note"] == "data ganda"
    assert Roster(db).row(rid) is None


def test_active_assignments_index_answers_the_validation_rules(folder):
    roster = Roster(folder)
    found = roster.active_assignments("TKSK", kec="35.78.01")
    assert [m["name"] for m, _ in found] == ["Siti Aminah"]
    assert roster.active_assignments("TKSK", kec="35.78.31") == []
    assert len(roster.active_assignments("PSM", "ANGGOTA", kab="35.78")) == 21


def test_export_neutralises_formulas_and_masks_nik(tmp_path):
    db = make_folder(tmp_path / "data")
    roster = Roster(db)
    evil = person(80, "35.78.11", "=HYPERLINK(\"http://x\",\"klik\")", "L", "1980-01-01", "PSM", "ANGGOTA", "")
    with db.transaction("test") as tx:
        tx.put("members", evil)
    rows = roster.search(Query(pillar="PSM"))
    count = export_rows(roster, rows, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert count == 2 and len(table) == 3
    cells = [c for row in table for c in row]
    assert "'=HYPERLINK(\"http://x\",\"klik\")" in cells
    assert all(not c.startswith("=") for c in cells)
    assert not any(len(c) == 16 and c.isdigit() for c in cells)  # NIK masked
    export_rows(roster, rows, tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx").active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\",\"klik\")" in values
    db.close()


def test_make_row_of_a_member_without_active_assignment():
    value = person(1, "35.78.01", "X", "L", "1980-01-01", "PSM", "ANGGOTA", "")
    value["assignments"][0]["status"] = "INACTIVE"
    row = make_row(value)
    assert (row.status, row.pillar, row.office, row.active) == ("INACTIVE", "PSM", OFFICE, ())


def test_rows_share_the_values_of_fields_with_few_values():
    """Two members parsed apart (records are held as bytes: each read makes its own strings) share one
    object for each field of few values in their rows, and the rows still say what each member holds."""
    def member(i: int, office: str) -> dict:
        return orjson.loads(orjson.dumps({
            "id": f"m{i}", "name": f"Anggota {i}", "nik": f"35780141078500{i:02d}", "kab": "35.78", "kec": "35.78.01",
            "assignments": [{"id": f"a{i}", "pillar": "TKSK", "position": "ANGGOTA", "status": "ACTIVE",
                             "area_kab": "35.78", "area_kec": "35.78.01", "office": office}]}))
    a, b, c = make_row(member(1, "UPT-A")), make_row(member(2, "UPT-A")), make_row(member(3, "UPT-B"))
    assert a.pillar == b.pillar == "TKSK" and a.pillar is b.pillar
    assert a.kab is b.kab and a.kec is b.kec and a.position is b.position and a.office is b.office
    assert a.pillars is b.pillars and a.serving is b.serving
    assert a.active[0][2] is b.active[0][2]
    assert a.active[0][4] == "a1" and b.active[0][4] == "a2"  # an assignment's own id is its own
    assert c.office == "UPT-B" and c.serving != a.serving and c.serving == (("TKSK", "35.78", "UPT-B"),)
    assert a.id == "m1" and b.name == "Anggota 2"
