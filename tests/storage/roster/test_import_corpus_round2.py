"""The second round of the import corpus (issue 23, tests/fixtures/import_corpus_round2.py): office files of
kinds the importer had not met, each asserting what lands on disk and what the preview says."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from storage.core.errors import PilarError
from storage.roster import Query, Roster
from storage.roster.importing.plan import commit, preview
from tests.support.roster import make_folder

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "import_corpus"
TODAY = dt.date(2024, 4, 4)


@pytest.fixture
def db(tmp_path):
    db = make_folder(tmp_path / "data")
    yield db
    db.close()


def plan_of(db, name: str, **kw):
    return preview(Roster(db), CORPUS / name, today=TODAY, **kw)


def land(db, plan) -> None:
    commit(Roster(db), plan)


def members(db) -> dict[str, dict]:
    return {m["name"]: m for m in db.values("members")}


def text_of(plan) -> str:
    return "\n".join(plan.summary_lines())


# ---------------------------------------------------------------------- wrong data, silently


def test_two_tables_on_a_sheet_each_with_its_header_mapping_and_pillar(db):
    plan = plan_of(db, "dua_tabel.xlsx")
    text = text_of(plan)
    assert 'Sheet "DATA PILAR (tabel 1)" dibaca (judul kolom di baris 2 · Pilar: TKSK).' in text
    assert 'Sheet "DATA PILAR (tabel 2)" dibaca (judul kolom di baris 8 · Pilar: TAGANA).' in text
    assert [r.fate for r in plan.rows] == ["add"] * 5  # the second header row is not a member
    land(db, plan)
    got = members(db)
    assert got["Arif Budiman"]["assignments"][0]["pillar"] == "TKSK"
    for name in ("Bambang Irawan", "Cahyo Nugroho", "Dian Pertiwi"):
        [a] = got[name]["assignments"]
        assert (a["pillar"], a["position"], a["area_kec"]) == ("TAGANA", "ANGGOTA", "")
    # the second table's own column order: place and address where they belong
    assert (got["Bambang Irawan"]["birth_place"], got["Bambang Irawan"]["address"]) == ("Gresik", "Jl. Kenjeran 45")
    assert got["Cahyo Nugroho"]["kec"] == "35.78.10"  # lives in Tambaksari, whose TKSK is Arif: not blocked


def test_the_same_person_twice_under_nik_typos_is_held_side_by_side_never_two_members(db):
    plan = plan_of(db, "nik_salah_ketik.csv")
    rows = {r.line: r for r in plan.rows}
    assert [rows[n].fate for n in (2, 3, 4, 5)] == ["hold", "add", "hold", "hold"]
    assert "baris 4" in rows[2].reasons[0] and "baris 2" in rows[4].reasons[0]
    assert "angka ke-14" in rows[2].reasons[0] and "--accept-held 2" in rows[2].reasons[0]
    # the NIKs are masked except around the digit that differs
    assert "3578121705840801" not in rows[2].reasons[0] and "4080" in rows[2].reasons[0]
    assert "Siti Aminah" in rows[5].reasons[0] and "angka ke-16" in rows[5].reasons[0]
    land(db, plan)
    assert sum(1 for m in db.values("members") if m["name"].casefold() == "rahmat hidayat") == 0
    assert sum(1 for m in db.values("members") if m["name"] == "Siti Aminah") == 1
    # the clerk checked the card: row 2's NIK is right; row 4 (the typo) still waits, naming row 2
    plan = plan_of(db, "nik_salah_ketik.csv", accept_held={"2"})
    rows = {r.line: r for r in plan.rows}
    assert rows[2].fate == "add" and rows[4].fate == "hold" and "baris 2" in rows[4].reasons[0]
    land(db, plan)
    assert sum(1 for m in db.values("members") if m["name"].casefold() == "rahmat hidayat") == 1
    # twins after all (two people): the operator's decision is said on the row
    plan = plan_of(db, "nik_salah_ketik.csv", accept_held={"4"})
    rows = {r.line: r for r in plan.rows}
    assert rows[2].fate == "same" and rows[4].fate == "add" and "keputusan petugas" in rows[4].warnings[0]


def test_a_templates_example_rows_are_not_members(db):
    plan = plan_of(db, "contoh.xlsx")
    assert [r.name for r in plan.rows] == ["Eko Prasetyo", "Fitri Handayani"]
    assert plan.skipped == {"example": 2} and "contoh pengisian 2" in text_of(plan)
    land(db, plan)
    assert not any("contoh" in m["name"].lower() for m in db.values("members"))


def test_one_nik_in_two_pillars_is_one_member_with_both_assignments(db):
    plan = plan_of(db, "dua_pilar.csv")
    assert [r.fate for r in plan.rows] == ["add", "add", "join"]
    assert "Karang Taruna" in plan.rows[2].note() and "baris 2" in plan.rows[2].note()
    assert "1 baris menambah pilar kedua" in text_of(plan)
    land(db, plan)
    nur = [m for m in db.values("members") if m["name"] == "Nur Aini"]
    assert len(nur) == 1
    assert sorted(a["pillar"] for a in nur[0]["assignments"]) == ["KARANG_TARUNA", "PSM"]


# ---------------------------------------------------------------------- a field lost through the wrong column


def test_a_phone_column_saying_aktif_is_the_phone_and_the_mapping_says_why(db):
    plan = plan_of(db, "hp_aktif.csv")
    assert "NO HP AKTIF → No. HP (juga cocok: Status tugas)" in text_of(plan)
    assert all(not r.warnings for r in plan.rows)
    land(db, plan)
    assert members(db)["Hari Purnomo"]["phone"] == "+6285711000001"


def test_tagana_register_number_and_qualification_are_read(db):
    plan = plan_of(db, "tagana_register.xlsx")
    assert "NO. REGISTRASI TAGANA → No. anggota" in text_of(plan) and "KUALIFIKASI → Jenjang" in text_of(plan)
    land(db, plan)
    got = {n: (m["assignments"][0]["number"], m["assignments"][0]["level"], m["assignments"][0]["start"])
           for n, m in members(db).items()}
    assert got["Kurniawan Adi"] == ("TGN.3578.2011.0001", "MADYA", "2016-01-01")
    assert got["Laras Ati"][1] == "MUDA" and got["Mulyono"][1] == "UTAMA"


def test_a_hidden_phone_column_replaced_by_a_visible_one_reads_the_visible_one(db):
    plan = plan_of(db, "hp_diganti.xlsx")
    assert "I (NO HP)" in text_of(plan) and "NO HP → No. HP" in text_of(plan)
    land(db, plan)
    assert members(db)["Nanang Kosim"]["phone"] == "+6282222221301"


# ---------------------------------------------------------------------- refused for what the file does say


def test_no_sex_column_the_nik_gives_it_said_once(db):
    plan = plan_of(db, "tanpa_jk.xlsx")
    assert plan.counts["add"] == 8
    assert text_of(plan).count("Jenis kelamin diambil dari NIK di 8 baris") == 1
    land(db, plan)
    got = members(db)
    assert (got["Pardi"]["sex"], got["Qomariyah"]["sex"]) == ("L", "P")


def test_a_column_that_disagrees_with_the_nik_is_still_refused(db, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("NAMA;NIK;L/P;KECAMATAN;KAB/KOTA;PILAR\r\n"
                    "Ani;3578024302900101;L;Wonocolo;Surabaya;PSM\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert plan.rows[0].fate == "refuse" and "sex" not in plan.rows[0].from_nik
    assert plan.rows[0].from_nik == ("birth_date",)


def test_no_birth_date_column_only_umur_the_nik_gives_the_date(db):
    plan = plan_of(db, "umur.csv")
    assert plan.counts["add"] == 2 and "Tanggal lahir diambil dari NIK di 2 baris" in text_of(plan)
    land(db, plan)
    assert members(db)["Zulkifli"]["birth_date"] == "1978-03-23"
    assert members(db)["Yanti Kusuma"]["birth_date"] == "1987-12-05"


def test_a_duty_kecamatan_only_is_the_home_kecamatan_said_in_the_preview(db):
    plan = plan_of(db, "kec_tugas.csv")
    assert plan.counts["add"] == 2
    assert "kecamatan tempat tinggal diambil dari KECAMATAN TUGAS di 2 baris" in text_of(plan)
    land(db, plan)
    x = members(db)["Xaverius Lukas"]
    assert (x["kab"], x["kec"], x["assignments"][0]["area_kec"]) == ("35.78", "35.78.28", "35.78.28")


def test_kecamatan_merged_down_in_an_ods_reaches_every_row(db):
    plan = plan_of(db, "gabung.ods")
    assert plan.counts["add"] == 6
    land(db, plan)
    got = members(db)
    assert [got[f"Anggota Gabung {n}"]["kec"] for n in range(1, 7)] == ["35.78.31"] * 3 + ["35.78.04"] * 3


def test_what_offices_write_phones_serial_and_spaced_dates_abbreviated_regions(db):
    plan = plan_of(db, "tulisan_kantor.csv")
    assert [r.fate for r in plan.rows] == ["add"] * 3, [r.reasons for r in plan.rows]
    notes = {r.name: r.note() for r in plan.rows}
    assert '"KAB. MLG" dibaca Kabupaten Malang' in notes["Agung Wicaksono"]
    assert "0857 3456 1801" in notes["Agung Wicaksono"]  # the second phone is said, not lost silently
    assert '"MALANG" dibaca Kota Malang' in notes["Bunga Citra"]
    assert '"Kab. Batu" dibaca Kota Batu' in notes["Catur Wibowo"]
    land(db, plan)
    got = members(db)
    assert (got["Agung Wicaksono"]["birth_date"], got["Agung Wicaksono"]["kab"]) == ("1985-06-15", "35.07")
    assert got["Agung Wicaksono"]["phone"] == "+6281234561801"
    assert (got["Bunga Citra"]["birth_date"], got["Bunga Citra"]["kab"]) == ("1987-03-12", "35.73")
    assert (got["Catur Wibowo"]["birth_date"], got["Catur Wibowo"]["kab"]) == ("1979-09-09", "35.79")


def test_text_is_normalised_on_the_way_in_and_search_finds_what_the_clerk_types(db):
    plan = plan_of(db, "huruf.csv")
    land(db, plan)
    names = {m["name"] for m in db.values("members")}
    assert "Muḥammad Ḥasan" in names and unicodedata.is_normalized("NFC", "".join(names))
    assert "Nur 'Aini" in names
    roster = Roster(db)
    assert [r.name for r in roster.search(Query(text="nur 'aini"))] == ["Nur 'Aini"]
    assert [r.name for r in roster.search(Query(text="Nur \u2019Aini"))] == ["Nur 'Aini"]
    assert [r.name for r in roster.search(Query(text="muḥammad"))] == ["Muḥammad Ḥasan"]
    assert [r.name for r in roster.search(Query(text=unicodedata.normalize("NFD", "Ḥasan")))] == ["Muḥammad Ḥasan"]


# ---------------------------------------------------------------------- whole files refused


def test_the_xls_a_web_application_exports_is_an_html_table_and_is_read(db):
    plan = plan_of(db, "web.xls")
    assert [r.fate for r in plan.rows] == ["add", "add"] and "halaman web (HTML)" in text_of(plan)
    land(db, plan)
    assert members(db)["Erna Wijayanti"]["sex"] == "P"


def test_the_xls_that_is_an_xml_spreadsheet_2003_is_read_with_hidden_rows_sheets_and_merges(db):
    plan = plan_of(db, "xml2003.xls")
    text = text_of(plan)
    assert "XML Spreadsheet 2003" in text and 'Sheet "LAMA" dilewati: sheet tersembunyi' in text
    assert "1 baris tersembunyi" in text
    assert [(r.name, r.fate) for r in plan.rows] == [("Hasan Basri", "add"), ("Indri Yani", "add")]
    land(db, plan)
    indri = members(db)["Indri Yani"]
    assert (indri["kec"], indri["birth_date"]) == ("35.78.11", "1985-06-16")  # the merged KECAMATAN


def test_a_strict_open_xml_workbook_is_read(db):
    plan = plan_of(db, "strict.xlsx")
    assert [r.fate for r in plan.rows] == ["add", "add"]
    land(db, plan)
    assert members(db)["Gina Marlina"]["kec"] == "35.78.10"


def test_an_html_file_with_no_table_is_refused_in_a_sentence(db, tmp_path):
    path = tmp_path / "kosong.xls"
    path.write_text("<html><body>Sesi habis, silakan login kembali</body></html>", encoding="utf-8")
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path, today=TODAY)
    assert err.value.key == "roster.import.damaged"


def test_refused_rows_written_to_a_spreadsheet_import_cleanly_once_corrected(db, tmp_path):
    from openpyxl import load_workbook

    from storage.roster.importing.refused import write_refused

    plan = plan_of(db, "pesan.csv")
    land(db, plan)
    path = tmp_path / "pesan-perbaiki.xlsx"
    assert write_refused(plan, path) == 4
    book = load_workbook(path)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[-2:] == ["BARIS ASAL", "ALASAN DITOLAK"] and sheet.cell(2, len(headers)).value.startswith("TEMPAT")
    ttl, kab = headers.index("TEMPAT/TGL LAHIR") + 1, headers.index("KAB/KOTA") + 1
    fixes = {"Rama Aditya": ("Jember, 01-01-1980", None), "Sinta Nuria": ("Surabaya, 01-02-1985", None),
             "Tono Sugiarto": (None, "Kab. Ponorogo"), "Umi Kalsum": (None, "Kab. Jember")}
    for row in range(2, sheet.max_row + 1):
        born, where = fixes[sheet.cell(row, 2).value]
        if born:
            sheet.cell(row, ttl).value = born
        if where:
            sheet.cell(row, kab).value = where
    book.save(path)
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add"] * 4, [r.reasons for r in plan.rows]
    assert "BARIS ASAL" in plan.unmapped() and "ALASAN DITOLAK" in plan.unmapped()
    land(db, plan)
    assert members(db)["Umi Kalsum"]["kab"] == "35.09"


def test_cli_writes_the_refused_rows_with_refused(db, tmp_path, capsys):
    from tui.cli import main

    data = str(db.path)
    db.close()
    out_path = tmp_path / "tolak.xlsx"
    assert main(["--data", data, "roster", "import", str(CORPUS / "nik_salah_ketik.csv"), "--dry-run",
                 "--refused", str(out_path)]) == 0
    out = capsys.readouterr().out
    assert "3 baris ditolak/ditahan ditulis ke" in out and out_path.exists()
    assert "3578121705840801" not in out  # NIKs masked on the screen


def test_a_roster_member_listed_in_two_pillars_gets_the_second_and_a_pillar_twice_is_refused(db, tmp_path):
    agus = "3578042412750004"  # Agus Salim of tests/support/roster.py: PSM
    path = tmp_path / "gabungan.csv"
    path.write_text("NAMA;NIK;PILAR;NO HP\r\n"
                    f"Agus Salim;{agus};PSM;081211112222\r\n"
                    f"Agus Salim;{agus};Tagana;\r\n"
                    f"Agus Salim;{agus};Tagana;\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["update", "join", "refuse"]
    assert "baris 2" in plan.rows[2].reasons[0] and "pilar yang sama" in plan.rows[2].reasons[0]
    assert ("Pilar", "", "Tagana") in plan.rows[0].changes  # the joined pillar is in the update's before/after
    land(db, plan)
    [stored] = [m for m in db.values("members") if m["nik"] == agus]
    assert sorted(a["pillar"] for a in stored["assignments"]) == ["PSM", "TAGANA"]
    assert stored["phone"] == "+6281211112222"


def test_a_header_repeated_above_each_printed_page_is_not_a_new_table(db, tmp_path):
    head = "NAMA;NIK;L/P;TGL LAHIR;KECAMATAN;KAB/KOTA;PILAR\r\n"
    path = tmp_path / "halaman.csv"
    path.write_text(head + "Ani;3578024302900101;P;03-02-1990;Wonocolo;Surabaya;PSM\r\n"
                    + head + "Bayu;3578030101800102;L;01-01-1980;Rungkut;Surabaya;PSM\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add", "add"] and len(plan.read_sheets) == 1
    assert plan.read_sheets[0].table == 0 and plan.skipped == {"heading": 1}


def test_an_xml_spreadsheet_with_a_dtd_is_refused_before_any_entity_is_expanded(db, tmp_path):
    path = tmp_path / "bom.xls"
    path.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row>'
                    '<Cell><Data>&b;</Data></Cell></Row></Table></Worksheet></Workbook>', encoding="utf-8")
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path, today=TODAY)
    assert err.value.key == "roster.import.damaged"
