"""Roster import: reading odd files safely, guessing headers, the preview, and the one-transaction commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from storage.core.db import Database, read_journal
from storage.core.errors import PilarError
from storage.roster import Query, Roster
from storage.roster.importing import read as import_read
from storage.roster.importing.plan import commit, header_field, preview
from storage.roster.importing.words import clean, parse_sheet_date
from tests.support.import_files import HEADERS, row, write_xlsx
from tests.support.roster import make_folder, nik

read_table = import_read.read_book

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TODAY = dt.date(2024, 4, 4)


def write_csv(path: Path, rows: list[list], sep: str = ";", encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows([HEADERS, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def db(tmp_path):
    db = make_folder(tmp_path / "data")
    yield db
    db.close()


@pytest.mark.parametrize("header,field", [("NAMA", "name"), ("NIK", "nik"), ("NO. HP", "phone"),
                                          ("No Rekening", "bank.account"), ("KECAMATAN", "kec"),
                                          ("JENIS KELAMIN", "sex"), ("TEMPAT/TGL LAHIR", "birth"),
                                          ("KAB/KOTA", "kab"), ("Pilar", "pillar"), ("JABATAN", "position"),
                                          ("ALAMAT", "address"), ("Keterangan", "status"),
                                          ("NAMA LENGKAP (SESUAI KTP)", "name"),
                                          ("NOMOR INDUK KEPENDUDUKAN (NIK)", "nik"), ("NAMA IBU KANDUNG", None),
                                          ("NO. REK. BANK", "bank.account"), ("NAMA BANK", "bank.name"),
                                          ("NO", None), ("UPT", "office")])
def test_header_guessing(header, field):
    assert header_field(header) == field


@pytest.mark.parametrize("value,iso", [("01-07-1985", "1985-07-01"), ("1/7/1985", "1985-07-01"),
                                       ("1985-07-01", "1985-07-01"), ("1 Juli 1985", "1985-07-01"),
                                       (dt.datetime(1985, 7, 1), "1985-07-01"), (31229, "1985-07-01"),
                                       ("31-02-1985", None), ("kemarin", None)])
def test_dates_as_offices_write_them(value, iso):
    assert parse_sheet_date(value) == iso


def test_windows_1252_csv_with_semicolons_from_excel(db):
    plan = preview(Roster(db), FIXTURES / "roster_excel_cp1252.csv", today=TODAY)
    fates = {r.line: r.fate for r in plan.rows}
    # Siti and Budi are already in the roster (same NIK): updates
    # row 5's name =HYPERLINK(...) is refused: Excel would run it (issue 22)
    assert fates == {2: "update", 3: "update", 4: "refuse", 5: "refuse", 6: "refuse", 7: "add"}
    by_line = {r.line: r for r in plan.rows}
    assert "rumus" in " ".join(by_line[5].reasons)
    assert by_line[7].name == "Ratna Sari Dewi Pérez"  # é survived Windows-1252
    assert "16" in by_line[4].reasons[0]
    assert "2" in by_line[6].reasons[0]  # same NIK as row 2 of the file
    assert plan.unmapped() == ["NO"]


def test_utf8_bom_csv_with_commas(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, "Ani Müller", "Wonocolo", "35.78.04")], sep=",")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    plan = preview(Roster(db), path, today=TODAY)
    assert [(r.fate, r.name) for r in plan.rows] == [("add", "Ani Müller")]


def test_xlsx_with_title_rows_above_the_header(db, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [row(1, "Ani", "Wonocolo", "35.78.04"),
                                             row(2, "Bayu", "Gayungan", "35.78.05")], title_rows=2)
    plan = preview(Roster(db), path, today=TODAY)
    assert [(r.line, r.fate) for r in plan.rows] == [(4, "add"), (5, "add")]


def test_same_nik_in_roster_is_an_update_and_unchanged_rows_are_left(db, tmp_path):
    roster = Roster(db)
    siti = roster.search(Query(text="siti"))[0]
    member = db.get("members", siti.id)
    new_phone = "0811 2222 333"
    line = [1, member["name"], member["nik"], "P", "Surabaya, 01-07-1985", "Kota Surabaya", "Karang Pilang",
            new_phone, "TKSK", "Anggota", "01-01-2023"]
    path = write_csv(tmp_path / "a.csv", [line])
    plan = preview(roster, path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["update"]
    commit(roster, plan)
    stored = db.get("members", siti.id)
    assert stored["phone"] == "+628112222333"
    assert len(stored["assignments"]) == 1 and stored["name"] == "Siti Aminah"
    plan = preview(roster, path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["same"]


def test_rules_between_rows_of_the_same_file(db, tmp_path):
    # two TKSK for one kecamatan in the file: the second is refused, naming the first
    path = write_csv(tmp_path / "a.csv", [row(1, "Ani", "Wonocolo", "35.78.04", "TKSK"),
                                          row(2, "Bayu", "Wonocolo", "35.78.04", "TKSK")])
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add", "refuse"]
    assert "Ani" in plan.rows[1].reasons[0]


def test_unknown_kecamatan_is_refused_with_the_value(db, tmp_path):
    bad = row(1, "Ani", "Kecamatan Entah", "35.78.04")
    path = write_csv(tmp_path / "a.csv", [bad])
    plan = preview(Roster(db), path, today=TODAY)
    assert plan.rows[0].fate == "refuse"
    assert any("Kecamatan Entah" in r for r in plan.rows[0].reasons)


def test_commit_writes_every_accepted_row_in_one_transaction(tmp_path):
    db = make_folder(tmp_path / "data")
    roster = Roster(db)
    rows = [row(i, f"Anggota Impor {i}", "Wonocolo", "35.78.04") for i in range(1, 31)]
    rows.append(row(99, "Tanpa NIK", "Wonocolo", "35.78.04"))
    rows[-1][2] = ""
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    plan = preview(roster, path, today=TODAY)
    assert plan.counts == {"rows": 31, "add": 30, "update": 0, "same": 0, "refuse": 1, "conflict": 0, "hold": 0,
                           "join": 0, "skipped": 0, "hidden": 0}
    before, _ = read_journal(db.journal_path)
    commit(roster, plan)
    after, _ = read_journal(db.journal_path)
    assert len(after) == len(before) + 1 and after[-1]["action"] == "roster.import"
    db.close()
    db = Database.open(tmp_path / "data", read_only=True)
    assert len(Roster(db).search(Query(text="anggota impor"))) == 30
    notes = [e for e in db.audit.lines() if e.get("action") == "roster.import" and e.get("note")]
    assert notes and "30" in notes[-1]["note"]


def test_commit_refuses_a_stale_preview(db, tmp_path):
    roster = Roster(db)
    path = write_csv(tmp_path / "a.csv", [row(1, "Ani", "Wonocolo", "35.78.04")])
    plan = preview(roster, path, today=TODAY)
    roster.deactivate(roster.search(Query(text="budi"))[0].id, "pindah", "2024-01-01")
    with pytest.raises(PilarError) as err:
        commit(roster, plan)
    assert err.value.key == "roster.import.changed_since"


@pytest.mark.parametrize("name,content,key", [
    ("a.xlsx", b"MZ\x90\x00 this is a program", "roster.import.not_xlsx"),
    ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "roster.import.damaged"),
    ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "roster.import.damaged"),
    ("a.csv", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00binary", "roster.import.binary"),
    ("a.pdf", b"%PDF-1.4", "roster.import.bad_type"),
    ("a.csv", b"", "roster.import.empty"),
    ("a.csv", b"satu;dua\r\n1;2\r\n", "roster.import.no_header"),
])
def test_files_that_are_not_what_they_claim_are_refused(tmp_path, db, name, content, key):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path)
    assert err.value.key == key
    assert str(path) in str(err.value)


def test_zip_bomb_is_refused_before_openpyxl(tmp_path, monkeypatch):
    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    monkeypatch.setattr(import_read, "MAX_UNPACKED_MB", 2)

    def boom(*a, **k):
        raise AssertionError("openpyxl must not be reached")
    monkeypatch.setattr("openpyxl.load_workbook", boom)
    with pytest.raises(PilarError) as err:
        read_table(path)
    assert err.value.key == "roster.import.unpacked_too_big"


def test_csv_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(import_read, "MAX_FILE_MB", 1)
    path = tmp_path / "big.csv"
    path.write_bytes(b"NAMA;NIK\r\n" + b"x;1\r\n" * 300_000)
    with pytest.raises(PilarError) as err:
        read_table(path)
    assert err.value.key == "roster.import.too_big"


def test_missing_nik_column_is_named(db, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("NAMA;ALAMAT\r\nAni;Jl. X\r\n")
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path)
    assert err.value.key == "roster.import.need_columns" and "NIK" in str(err.value)


def test_plan_as_json_masks_nik(db):
    plan = preview(Roster(db), FIXTURES / "roster_excel_cp1252.csv", today=TODAY)
    text = json.dumps(plan.as_json())
    assert "3578014107850001" not in text and "************0001" in text


def test_xlsx_with_real_date_cells_and_numbers_where_text_was_meant(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["NAMA", "NIK", "JENIS KELAMIN", "TEMPAT LAHIR", "TANGGAL LAHIR", "KECAMATAN", "KAB/KOTA", "NO HP",
               "PILAR", "JABATAN", "TMT"])
    number = int(nik("35.78.04", "P", "1990-02-03", 321))
    ws.append(["Nia Ramadhani", number, "Perempuan", "SURABAYA", dt.datetime(1990, 2, 3), "Wonocolo", "Surabaya",
               81234500011, "Karang Taruna", "Anggota", dt.date(2022, 1, 10)])
    wb.save(tmp_path / "a.xlsx")
    plan = preview(Roster(db), tmp_path / "a.xlsx", today=TODAY)
    assert [r.fate for r in plan.rows] == ["add"], plan.rows[0].reasons
    value = plan.rows[0].value
    assert value["nik"] == str(number) and value["birth_date"] == "1990-02-03" and value["sex"] == "P"
    assert value["phone"] == "+6281234500011" and value["birth_place"] == "Surabaya"
    a = value["assignments"][0]
    assert (a["pillar"], a["position"], a["start"]) == ("KARANG_TARUNA", "ANGGOTA", "2022-01-10")


def test_the_fast_reader_and_openpyxl_agree(tmp_path):
    import openpyxl

    rows = [row(i, f"Nama {i}", "Wonocolo", "35.78.04") for i in range(1, 20)]
    path = write_xlsx(tmp_path / "a.xlsx", rows, title_rows=1)
    fast = read_table(path).sheets
    book = openpyxl.load_workbook(path, data_only=True)  # the oracle, in the test only (never a fallback)
    slow = [(r[0].row, list(c.value for c in r)) for r in book.active.iter_rows()]
    assert [s.name for s in fast] == book.sheetnames

    def shown(rows):
        return [(line, " | ".join(clean(c) for c in r).rstrip(" |")) for line, r in rows]
    assert shown(fast[0].rows) == shown(slow) and len(shown(slow)) == 21


def test_account_without_holder_column_takes_the_members_name_with_a_warning(db, tmp_path):
    headers = HEADERS + ["NO REKENING", "NAMA BANK"]
    path = tmp_path / "rekening.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(
        [headers, row(1, "Siti  Aminah", "Wonocolo", "35.78.04", sex="P") + ["0011223344", "Bank Jatim"],
         row(2, "Budi Santoso", "Wonocolo", "35.78.04") + ["", ""]])
    path.write_bytes(buf.getvalue().encode())
    plan = preview(Roster(db), path, today=TODAY)
    siti, budi = plan.rows
    assert siti.fate == "add" and siti.value["bank"]["holder"] == "SITI AMINAH"
    assert any("SITI AMINAH" in w and "buku tabungan" in w for w in siti.warnings)
    assert budi.fate == "add" and not budi.value.get("bank", {}).get("holder")
    assert not any("buku tabungan" in w for w in budi.warnings)
