"""The third round of the import corpus (issue 23, tests/fixtures/import_corpus_round3.py): UMUR against the
birth date the NIK gives, and the Excel Binary Workbook (.xlsb), each asserting what lands on disk and what
the preview says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage.core.errors import PilarError
from storage.roster import Roster
from storage.roster.importing.plan import commit, preview
from storage.roster.importing.rows import read_age
from tests.support.roster import make_folder

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "import_corpus"
TODAY = dt.date(2024, 4, 4)


@pytest.fixture
def db(tmp_path):
    db = make_folder(tmp_path / "data")
    yield db
    db.close()


def members(db) -> dict[str, dict]:
    return {m["name"]: m for m in db.values("members")}


def rows_of(plan) -> dict:
    return {r.name: r for r in plan.rows}


def test_umur_checks_the_nik_birth_date_settles_the_century_and_holds_a_clash(db):
    plan = preview(Roster(db), CORPUS / "umur_beda.csv", today=TODAY)
    text = "\n".join(plan.summary_lines())
    assert "UMUR dicocokkan dengan tanggal lahir dari NIK di 4 baris" in text
    rows = rows_of(plan)
    assert [rows[n].fate for n in ("Wiryo Sentono", "Sri Lestari", "Mbah Kasmo")] == ["add"] * 3
    # born 1923, the NIK writes "23": UMUR 101 says which century (not a two-year-old)
    assert rows["Mbah Kasmo"].value["birth_date"] == "1923-01-05"
    assert "Tahun lahir 1923 (bukan 2023) menurut UMUR 101" in rows["Mbah Kasmo"].note()
    dwi = rows["Dwi Handayani"]
    assert dwi.fate == "hold" and dwi.value is None
    assert dwi.reasons == ["UMUR 52 tidak cocok dengan NIK (lahir 17 Agustus 1995, umur 28). Cek NIK di KTP dan "
                           "perbaiki berkasnya; bila NIK benar: t di layar impor atau --accept-held 5."]
    commit(Roster(db), plan)
    got = members(db)
    assert "Dwi Handayani" not in got and got["Mbah Kasmo"]["birth_date"] == "1923-01-05"
    assert got["Wiryo Sentono"]["birth_date"] == "1978-03-23"


def test_a_held_umur_row_lands_when_the_clerk_decides_the_nik_is_right(db):
    plan = preview(Roster(db), CORPUS / "umur_beda.csv", today=TODAY, accept_held={"5"})
    dwi = rows_of(plan)["Dwi Handayani"]
    assert dwi.fate == "add" and dwi.warnings[0].startswith("UMUR 52 diabaikan atas keputusan petugas")
    commit(Roster(db), plan)
    assert members(db)["Dwi Handayani"]["birth_date"] == "1995-08-17"


def test_umur_beside_a_birth_date_column_changes_nothing(db, tmp_path):
    path = tmp_path / "tgl.csv"
    path.write_text("NAMA;NIK;TGL LAHIR;UMUR;KECAMATAN;KAB/KOTA;PILAR\r\n"
                    "Ani;3578024302900101;03-02-1990;70;Wonocolo;Surabaya;PSM\r\n", encoding="utf-8")
    [row] = preview(Roster(db), path, today=TODAY).rows
    assert row.fate == "add" and row.value["birth_date"] == "1990-02-03"


def test_ages_as_offices_write_them():
    assert [read_age(x) for x in (46, 46.0, "46", "46 th", "46 Tahun", "46,5", "46 thn.", "", None, "tua", 400)] == \
        [46, 46, 46, 46, 46, 46, 46, None, None, None, None]


def test_an_xlsb_reads_like_an_xlsx_hidden_rows_columns_and_sheets_included(db):
    plan = preview(Roster(db), CORPUS / "biner.xlsb", today=TODAY)
    text = "\n".join(plan.summary_lines())
    assert plan.kind == "xlsb"
    assert 'Sheet "PSM" dibaca (judul kolom di baris 2 · Pilar: PSM).' in text
    assert 'Sheet "Catatan" dilewati: sheet tersembunyi.' in text
    assert "Kolom tersembunyi tidak dibaca: I (NO HP LAMA)." in text
    assert "1 baris tersembunyi" in text
    assert [r.fate for r in plan.rows] == ["add"] * 4 and "Orang Pindah" not in rows_of(plan)
    commit(Roster(db), plan)
    got = members(db)
    eko = got["Eko Prasetyo"]
    assert (eko["birth_date"], eko["sex"], eko["kec"], eko["phone"]) == ("1979-04-12", "L", "35.78.10",
                                                                         "+6281330002301")
    assert eko["note"] == "No. HP lain: 085730002301"  # the second phone of the cell, kept
    assert got["Gunawan Santoso"]["note"] == "No. HP lain: 087830002303"
    assert got["Hartini"]["assignments"][0]["pillar"] == "PSM"


def test_an_xlsb_in_the_short_cell_form_is_refused_with_the_save_as_xlsx_sentence(db):
    before = db.count("members")
    with pytest.raises(PilarError) as caught:
        preview(Roster(db), CORPUS / "biner_pendek.xlsb", today=TODAY)
    assert 'simpan ulang sebagai "Excel Workbook (*.xlsx)"' in str(caught.value)
    assert db.count("members") == before


def test_an_xlsb_that_is_not_one_is_a_sentence(db, tmp_path):
    fake = tmp_path / "palsu.xlsb"
    fake.write_bytes(b"not a workbook at all")
    with pytest.raises(PilarError) as caught:
        preview(Roster(db), fake, today=TODAY)
    assert "palsu.xlsb" in str(caught.value) and "rusak" in str(caught.value)


def test_a_list_made_years_ago_is_checked_against_the_year_its_ages_were_counted(db):
    """The same file two and a half years later: every UMUR is now 2-3 years short of the NIK's age. The
    preview says when the ages were counted and holds only the row that disagrees with that year."""
    later = dt.date(2026, 12, 7)
    plan = preview(Roster(db), CORPUS / "umur_beda.csv", today=later)
    assert "UMUR di berkas ini tampak dihitung 3 tahun lalu (sekitar 2023)" in "\n".join(plan.summary_lines())
    assert {r.name: r.fate for r in plan.rows} == {"Wiryo Sentono": "add", "Sri Lestari": "add",
                                                   "Mbah Kasmo": "add", "Dwi Handayani": "hold"}
    assert rows_of(plan)["Mbah Kasmo"].value["birth_date"] == "1923-01-05"


def test_one_row_a_decade_off_is_not_taken_for_an_old_list(db, tmp_path):
    path = tmp_path / "satu.csv"
    path.write_text("NAMA;NIK;UMUR;KECAMATAN;KAB/KOTA;PILAR\r\n"
                    "Ani;3578024302900101;24;Wonocolo;Surabaya;PSM\r\n", encoding="utf-8")
    [row] = preview(Roster(db), path, today=TODAY).rows
    assert row.fate == "hold" and "UMUR 24 tidak cocok dengan NIK" in row.reasons[0]
