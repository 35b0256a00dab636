"""The import corpus (tests/fixtures/make_import_corpus.py): one test per quirk of the spreadsheets offices
keep, asserting what lands on disk and what the preview says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.roster import Roster
from storage.roster.importing.plan import commit, parse_overrides, preview
from storage.sample.generate import offices
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


def by_name(plan) -> dict:
    return {r.name: r for r in plan.rows}


def stored(db, nik: str) -> dict | None:
    ids = db.lookup("members", "nik", nik)
    return db.get("members", ids[0]) if ids else None


def land(db, plan) -> None:
    commit(Roster(db), plan)


# ---------------------------------------------------------------------- numbers Excel damaged


def test_nik_in_a_number_cell_is_refused_with_how_to_fix_unless_exact(db):
    plan = plan_of(db, "nik_angka.xlsx")
    rows = by_name(plan)
    assert rows["Ani Lestari"].fate == "add"  # 16th digit 1: a number cell could not have made it up
    for name in ("Bayu Pratama", "Candra Wijaya"):
        assert rows[name].fate == "refuse"
        assert len(rows[name].reasons) == 1 and "Format Cells → Text" in rows[name].reasons[0]
        assert "3578030101800100" not in rows[name].reasons[0]  # the NIK is masked in the sentence
    land(db, plan)
    assert stored(db, "3578024302900101") is not None
    assert stored(db, "3578030101800100") is None and stored(db, "3578040101800000") is None


def test_csv_nik_in_scientific_notation_and_a_zeroed_column_are_refused(db):
    plan = plan_of(db, "nik_ilmiah.csv")
    assert plan.counts["refuse"] == 5 and plan.counts["add"] == 0
    assert all("angka ke-16 menjadi 0" in r.reasons[0] for r in plan.rows)
    assert by_name(plan)["Dedi Kurniawan"].reasons[0].startswith('NIK "3,57805E+15"')


def test_account_stored_as_a_number_is_refused_unless_its_format_shows_the_zeros(db):
    plan = plan_of(db, "rekening_angka.xlsx")
    rows = by_name(plan)
    assert rows["Indah Permata"].fate == "refuse" and "nol di depan hilang" in rows["Indah Permata"].reasons[0]
    assert rows["Joko Susilo"].fate == "add" and rows["Kartika Sari"].fate == "add"
    land(db, plan)
    accounts = {m["name"]: m["bank"]["account"] for m in db.values("members") if m["bank"].get("account")}
    assert accounts["Joko Susilo"] == "0023456789"  # as the 0000000000 format shows it
    assert accounts["Kartika Sari"] == "0034567890"
    assert "Indah Permata" not in accounts


# ---------------------------------------------------------------------- status and known NIKs


def test_keterangan_inactive_words_land_inactive_with_reason_and_date_never_active(db):
    plan = plan_of(db, "keterangan.xlsx")
    land(db, plan)
    members = {m["name"]: m for m in db.values("members")}

    def only(name):
        [a] = members[name]["assignments"]
        return a["status"], a["inactive_reason"], a["inactive_date"]
    assert only("Lukman Hakim") == ("INACTIVE", "Meninggal dunia", "")
    assert only("Mega Wati") == ("INACTIVE", "Mengundurkan diri", "2024-02-01")
    assert only("Nanda Putra")[:2] == ("INACTIVE", "Diberhentikan")
    assert only("Oki Setiawan")[:2] == ("INACTIVE", "Tidak aktif")
    assert only("Putri Ayu")[0] == "ACTIVE" and only("Rudi Hermawan")[0] == "ACTIVE"
    # the existing member whose row says he died: his assignment ends, before/after in the preview
    budi = by_name(plan)["Budi Santoso"]
    assert budi.fate == "update" and ("Tanggal nonaktif", "", "2024-03-15") in budi.changes
    assert only("Budi Santoso") == ("INACTIVE", "Meninggal dunia", "2024-03-15")
    assert "TIDAK AKTIF" in by_name(plan)["Lukman Hakim"].note()
    assert "catatan" in by_name(plan)["Rudi Hermawan"].note()


def test_aktif_column_ya_tidak_and_an_unknown_status_is_refused(db):
    plan = plan_of(db, "status_aktif.csv")
    rows = by_name(plan)
    assert rows["Umar Faruq"].fate == "refuse" and "Entahlah" in rows["Umar Faruq"].reasons[0]
    land(db, plan)
    members = {m["name"]: m for m in db.values("members")}
    assert members["Sari Dewi"]["assignments"][0]["status"] == "ACTIVE"
    assert members["Teguh Santoso"]["assignments"][0]["status"] == "INACTIVE"
    assert "Umar Faruq" not in members


def test_an_aktif_column_blank_on_every_row_is_asked_about_never_read_as_active(db, capsys):
    plan = plan_of(db, "aktif_kosong.xlsx")
    assert plan.counts["add"] == 0 and plan.counts["refuse"] == 3
    question = next(line for line in plan.summary_lines() if line.startswith("Kolom AKTIF kosong di semua 3"))
    assert "AKTIF=semua-aktif" in question and "AKTIF=semua-nonaktif" in question and plan.questions == [question]
    assert all(r.reasons == [r.reasons[0]] and "aktif atau tidak?" in r.reasons[0]
               and "AKTIF=semua-aktif" in r.reasons[0] for r in plan.rows)
    with pytest.raises(PilarError):
        land(db, plan)  # nothing lands unasked
    assert not any(m["name"] == "Vina Aulia" for m in db.values("members"))
    # answered "all inactive": they land inactive, and the preview says how the column was read
    plan = plan_of(db, "aktif_kosong.xlsx", overrides=parse_overrides(["AKTIF=semua-nonaktif"]))
    assert plan.counts["add"] == 3 and plan.questions == ["Kolom AKTIF kosong di 3 baris: dibaca tidak aktif, "
                                                          "sesuai jawaban di pemetaan."]
    land(db, plan)
    vina = next(m for m in db.values("members") if m["name"] == "Vina Aulia")
    assert vina["assignments"][0]["status"] == "INACTIVE"
    # the SK's date is not its number; with no TMT column it is the start
    assert vina["assignments"][0]["sk"] == "188/12/436.7/2023" and vina["assignments"][0]["start"] == "2023-01-02"
    # on the command line, "all active" in a new folder
    from tui.cli import main

    data = str(db.path)
    db.close()
    assert main(["--data", data, "roster", "import", str(CORPUS / "aktif_kosong.xlsx"), "--dry-run"]) == 0
    assert "AKTIF=semua-aktif" in capsys.readouterr().out


def test_aktif_column_marking_only_the_inactive_asks_what_a_blank_means(db):
    plan = plan_of(db, "aktif_tidak_saja.csv")
    rows = by_name(plan)
    assert rows["Zainal Arifin"].fate == "refuse" and "AKTIF=kosong-aktif" in plan.questions[0]
    assert rows["Ayu Lestari"].fate == "add" and rows["Ayu Lestari"].value["assignments"][0]["status"] == "INACTIVE"
    plan = plan_of(db, "aktif_tidak_saja.csv", overrides=parse_overrides(["AKTIF=kosong-aktif"]))
    land(db, plan)
    zainal = next(m for m in db.values("members") if m["name"] == "Zainal Arifin")
    a = zainal["assignments"][0]
    assert a["status"] == "ACTIVE" and a["sk"] == "188/20/2022"
    assert a["start"] == "2022-01-01"  # TMT, not TANGGAL SK (01-12-2021), which is left unread
    assert "TANGGAL SK" in plan.unmapped()


def test_sk_date_headers_are_never_the_sk_number():
    from storage.roster.importing.words import header_field

    assert header_field("TGL. SK") == "start" and header_field("TANGGAL SK") == "start"
    assert header_field("Tanggal Surat Keputusan") == "start"
    assert header_field("NO. SK") == "sk" and header_field("NOMOR DAN TANGGAL SK") == "sk"


def test_known_nik_under_another_name_or_birth_date_is_held_and_updates_show_before_after(db):
    siti_before = stored(db, "3578014107850001")
    plan = plan_of(db, "nama_lain.csv")
    assert plan.counts["hold"] == 2 and plan.counts["update"] == 1
    held = [r for r in plan.rows if r.fate == "hold"]
    assert {r.name for r in held} == {"Hartono Wibisono", "Budi Santoso"}
    assert '"Siti Aminah"' in held[0].reasons[0] and "Periksa NIK" in held[0].reasons[0]
    update = next(r for r in plan.rows if r.fate == "update")
    assert ("Nama", "Siti Aminah", "SITI AMINAH, S.Pd") in update.changes
    assert any(label == "No. HP" and after.endswith("333") for label, _b, after in update.changes)
    land(db, plan)
    siti = stored(db, "3578014107850001")
    assert siti["name"] == "SITI AMINAH, S.Pd" and siti["phone"] == "+628112222333"
    assert siti["name"] != "Hartono Wibisono" and siti_before["birth_date"] == siti["birth_date"]
    assert stored(db, "3578020203800002")["birth_date"] == "1980-03-02"  # the held row changed nothing


# ---------------------------------------------------------------------- the workbook as the clerk sees it


def test_every_visible_sheet_is_read_pillar_from_sheet_name_or_title_hidden_rows_cols_sheets_skipped(db):
    plan = plan_of(db, "banyak_sheet.xlsx")
    text = "\n".join(plan.summary_lines())
    assert 'Sheet "REKAP" dilewati' in text and 'Sheet "LAMA" dilewati: sheet tersembunyi' in text
    assert 'Sheet "TKSK" dibaca' in text and "Pilar: TKSK" in text and "Pilar: TAGANA" in text
    assert "I (NIK LAMA)" in text and "1 baris tersembunyi" in text
    assert [r.where for r in plan.rows] == ["TKSK!2", "TKSK!3", "Sheet3!4", "Sheet3!5"]
    land(db, plan)
    names = {m["name"]: m["assignments"][0] for m in db.values("members")}
    assert "Yanto Dicoret" not in names and "Orang Lama" not in names
    assert names["Vina Oktaviani"]["pillar"] == "TKSK" and names["Vina Oktaviani"]["area_kec"] == "35.78.19"
    assert (names["Zaki Maulana"]["pillar"], names["Ayu Lestari"]["position"]) == ("TAGANA", "KORKAB")


def test_two_row_header_ticks_merged_cells_formula_values_and_non_member_rows(db):
    plan = plan_of(db, "dua_baris.xlsx")
    text = "\n".join(plan.summary_lines())
    assert "TEMPAT / TGL LAHIR / TGL LAHIR → Tanggal lahir" in text and "JENIS KELAMIN / P → Centang P" in text
    assert plan.skipped == {"numbering": 1, "total": 1, "signature": 5}
    assert "7 baris bukan anggota dilewati" in text and plan.counts["rows"] == 3
    rows = {r.line: r for r in plan.rows}
    assert rows[6].fate == "add" and rows[7].fate == "add"
    # the KECAMATAN cell merged over rows 7-8 is Mulyorejo for Dimas too: the second TKSK there
    assert rows[8].fate == "refuse" and "Citra Maharani" in rows[8].reasons[0]
    land(db, plan)
    bagus = next(m for m in db.values("members") if m["name"] == "Bagus Prakoso")
    assert (bagus["sex"], bagus["birth_place"], bagus["birth_date"]) == ("L", "Jember", "1968-09-16")
    assert bagus["phone"] == "+6281234500001" and bagus["assignments"][0]["pillar"] == "TKSK"
    citra = next(m for m in db.values("members") if m["name"] == "Citra Maharani")  # the cached formula value
    assert (citra["sex"], citra["birth_date"]) == ("P", "1985-03-12")
    assert not any("Fauzi" in m["name"] or "JUMLAH" in m["name"] for m in db.values("members"))


def test_two_row_header_in_a_csv_without_merges(db, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("NAMA;NIK;TEMPAT / TGL LAHIR;;JENIS KELAMIN;;KAB/KOTA;KECAMATAN;PILAR\r\n"
                    ";;TEMPAT;TGL LAHIR;L;P;;;\r\n"
                    "Ani;3578024302900101;Surabaya;03-02-1990;;v;Kota Surabaya;Wonocolo;PSM\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add"], plan.rows[0].reasons
    value = plan.rows[0].value
    assert (value["sex"], value["birth_place"], value["birth_date"]) == ("P", "Surabaya", "1990-02-03")


# ---------------------------------------------------------------------- words and mapping


def test_jabatan_vocabulary_without_a_pillar_column_and_unknown_words_named(db):
    plan = plan_of(db, "jabatan.csv")
    land(db, plan)
    got = {m["name"]: (m["assignments"][0]["pillar"], m["assignments"][0]["position"]) for m in db.values("members")}
    assert got["Eka Putri"] == ("TKSK", "ANGGOTA") and got["Feri Irawan"] == ("TAGANA", "ANGGOTA")
    assert got["Gita Savitri"] == ("PKH_PLUS", "PENDAMPING") and got["Hendra Gunawan"] == ("TKSK", "KORKAB")
    assert got["Irma Suryani"] == ("TAGANA", "KORWIL")
    rows = by_name(plan)
    assert rows["Jaka Tingkir"].fate == "refuse" and "kolom PILAR" in rows["Jaka Tingkir"].reasons[0]
    assert "Korkab/Korkot" in rows["Kiki Amalia"].reasons[0] and "Sekretaris" in rows["Kiki Amalia"].reasons[0]
    assert "Jaka Tingkir" not in got


def test_mapping_can_be_changed_by_hand(db):
    plan = plan_of(db, "keterangan.xlsx", overrides=parse_overrides(["KETERANGAN=-"]))
    assert "KETERANGAN" in plan.unmapped()
    assert all(r.value["assignments"][0]["status"] == "ACTIVE" for r in plan.rows if r.fate == "add")
    plan = plan_of(db, "jabatan.csv", overrides=parse_overrides(["H=pillar"]))  # JABATAN read as the pillar
    assert plan.mapping[7] == "pillar"
    plan = plan_of(db, "jabatan.csv", overrides=parse_overrides(["JK=-"]))  # a header, not column JK
    assert 3 not in plan.mapping and "JK" in plan.unmapped()
    with pytest.raises(PilarError) as err:
        parse_overrides(["NAMA=nama_ibu"])
    assert err.value.key == "roster.import.bad_map" and "bank.account" in str(err.value)


def test_upt_column_at_a_upt_refuses_other_offices_and_at_the_province_assigns_them(tmp_path):
    path = CORPUS / "upt.csv"
    upt = make_folder(tmp_path / "upt")
    with upt.transaction("test.offices", system=True) as tx:
        for office in offices():
            tx.put("offices", office, owner="JATIM")
    plan = preview(Roster(upt), path, today=TODAY)
    rows = by_name(plan)
    assert rows["Lina Marlina"].fate == "add"
    assert rows["Made Wirawan"].fate == "refuse" and "UPT-PSTW-BANYUWANGI" in rows["Made Wirawan"].reasons[0]
    assert rows["Nina Zatulini"].fate == "refuse" and "tidak ada di daftar kantor" in rows["Nina Zatulini"].reasons[0]
    upt.close()
    province = Database.init(tmp_path / "prov", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True,
                             operator="Ani")
    with province.transaction("test.offices", system=True) as tx:
        for office in offices():
            tx.put("offices", office, owner="JATIM")
    plan = preview(Roster(province), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add", "add", "refuse"]
    land(province, plan)
    made = next(m for m in province.values("members") if m["name"] == "Made Wirawan")
    assert made["assignments"][0]["office"] == "UPT-PSTW-BANYUWANGI"
    assert province.doc("members", made["id"])["owner"] == "UPT-PSTW-BANYUWANGI"
    province.close()


def test_messages_one_sentence_per_problem_dates_dashes_phones_and_kecamatan(db):
    plan = plan_of(db, "pesan.csv")
    rows = by_name(plan)
    for name in ("Oscar Pratama", "Puspa Indah", "Qori Amelia"):
        assert rows[name].fate == "add", rows[name].reasons
    assert rows["Rama Aditya"].reasons == [
        'TEMPAT/TGL LAHIR "Jember" hanya berisi tempat; tambahkan tanggalnya, mis. Jember, 16-09-1968.']
    assert len(rows["Sinta Nuria"].reasons) == 1 and "31-02-1985" in rows["Sinta Nuria"].reasons[0]
    assert rows["Tono Sugiarto"].reasons == [
        'Kecamatan "Kauman" ada di beberapa kab/kota (Kabupaten Ponorogo, Kabupaten Tulungagung); isi kolom KAB/KOTA.']
    assert rows["Umi Kalsum"].reasons == [
        'Kecamatan "Kaliwates" ada di Kabupaten Jember, bukan di Kota Surabaya; perbaiki kecamatan atau kab/kota-nya.']
    land(db, plan)
    members = {m["name"]: m for m in db.values("members")}
    oscar = members["Oscar Pratama"]  # the zero-width space pasted from WhatsApp is gone
    assert oscar["phone"] == "+628123450001" and oscar["address"] == "" and oscar["birth_date"] == "1968-09-16"
    assert oscar["assignments"][0]["start"] == "2024-01-01"
    assert members["Puspa Indah"]["birth_date"] == "1985-03-12" and members["Puspa Indah"]["phone"] == ""
    assert members["Qori Amelia"]["birth_date"] == "1986-11-07"


def test_ods_is_read_through_calamine(db):
    plan = plan_of(db, "lama.ods")
    assert [r.fate for r in plan.rows] == ["add", "add"]
    assert any(".ods" in line for line in plan.summary_lines())
    land(db, plan)
    assert {"Vera Anggraini", "Wahyu Nugraha"} <= {m["name"] for m in db.values("members")}


def test_a_damaged_xls_is_refused_in_a_sentence(db, tmp_path):
    path = tmp_path / "lama.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path)
    assert err.value.key == "roster.import.damaged" and str(path) in str(err.value)


# ---------------------------------------------------------------------- the command line


def test_cli_preview_lists_sheets_skipped_rows_held_rows_and_updates_before_after(db, capsys):
    from tui.cli import main

    data = str(db.path)
    db.close()
    code = main(["--data", data, "roster", "import", str(CORPUS / "nama_lain.csv"), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ditahan" in out and "Hartono Wibisono" in out and "Periksa NIK" in out
    assert "Sebelum" in out and "Sesudah" in out and "SITI AMINAH, S.Pd" in out and "Siti Aminah" in out
    assert "3578014107850001" not in out  # NIKs masked
    code = main(["--data", data, "roster", "import", str(CORPUS / "keterangan.xlsx"), "--map", "KETERANGAN=-"])
    out = capsys.readouterr().out
    assert code == 0 and "Kolom diabaikan: NO, KETERANGAN" in out
    reopened = Database.open(data, read_only=True)
    lukman = next(m for m in reopened.values("members") if m["name"] == "Lukman Hakim")
    assert lukman["assignments"][0]["status"] == "ACTIVE"  # the column was ignored on purpose, as asked
    reopened.close()
    code = main(["--data", data, "roster", "import", str(CORPUS / "keterangan.xlsx"), "--map", "KET"])
    assert code == 1 and "KOLOM=bidang" in capsys.readouterr().err
    code = main(["--data", data, "roster", "import", str(CORPUS / "nama_lain.csv"), "--accept-held", "4"])
    out = capsys.readouterr().out
    assert code == 0 and "--accept-held" in out  # row 2 is still held, and the hint says how to decide
    reopened = Database.open(data, read_only=True)
    budi = next(m for m in reopened.values("members") if m["nik"] == "3578020203800002")
    reopened.close()
    assert budi["birth_date"] == "1980-03-02"  # accepted, but the NIK says 2 March: refused, nothing changed


def test_merged_title_naming_nama_and_nik_is_not_the_header_and_marital_status_is_not_a_status(db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR NAMA DAN NIK ANGGOTA PSM"])
    ws.merge_cells("A1:H1")
    ws.append(["NAMA", "NIK", "L/P", "TGL LAHIR", "KECAMATAN", "KAB/KOTA", "STATUS PERKAWINAN", "AKTIF"])
    ws.append(["Ani Lestari", "3578024302900101", "P", "03-02-1990", "Wonocolo", "Surabaya", "Kawin", "√"])
    ws.append(["Bayu Pratama", "3578030101800102", "L", "01-01-1980", "Rungkut", "Surabaya", "Belum kawin", "-"])
    wb.save(tmp_path / "a.xlsx")
    plan = preview(Roster(db), tmp_path / "a.xlsx", today=TODAY)
    assert plan.read_sheets[0].header_line == 2 and plan.read_sheets[0].pillar == "PSM"  # from the title
    assert "STATUS PERKAWINAN" in plan.unmapped() and plan.mapping[7] == "status"
    ani, bayu = plan.rows
    assert ani.fate == "add" and ani.value["assignments"][0]["status"] == "ACTIVE"
    # a blank in a column of ticks is not "active"
    assert bayu.fate == "refuse" and bayu.reasons == [
        "Kolom AKTIF kosong di baris ini, padahal baris lain dicentang; centang bila aktif, atau tulis alasannya"
        " tidak aktif."]


def test_a_title_naming_two_pillars_supplies_none(db, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("REKAP DATA TKSK DAN TAGANA\r\nNAMA;NIK;L/P;TGL LAHIR;KECAMATAN;KAB/KOTA;JABATAN\r\n"
                    "Ani;3578024302900101;P;03-02-1990;Wonocolo;Surabaya;Anggota\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert plan.read_sheets[0].pillar == "" and plan.rows[0].fate == "refuse"
    assert "kolom PILAR" in plan.rows[0].reasons[0]


def test_csv_nik_written_from_a_float_column_is_read_as_a_number(db, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("NAMA;NIK;L/P;TGL LAHIR;KECAMATAN;KAB/KOTA;PILAR\r\n"
                    "Ani;3578024302900101.0;P;03-02-1990;Wonocolo;Surabaya;PSM\r\n"
                    "Bayu;3578030101800100.0;L;01-01-1980;Rungkut;Surabaya;PSM\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["add", "refuse"] and plan.rows[0].nik == "3578024302900101"
    assert "angka ke-16 menjadi 0" in plan.rows[1].reasons[0]


def test_legacy_xls_is_read_through_calamine_hidden_sheet_skipped_number_nik_checked(db):
    plan = plan_of(db, "lama.xls")
    text = "\n".join(plan.summary_lines())
    assert 'Sheet "LAMA" dilewati: sheet tersembunyi' in text and "Berkas .xls" in text
    rows = by_name(plan)
    assert rows["Xena Puspita"].fate == "add" and rows["Yusuf Maulana"].fate == "add"
    assert rows["Zainal Arifin"].fate == "refuse" and "'3507131209680001" in rows["Zainal Arifin"].reasons[0]
    land(db, plan)
    assert stored(db, "3578110101800102")["name"] == "Yusuf Maulana"
    assert not any(m["name"] in ("Orang Lama", "Zainal Arifin") for m in db.values("members"))


def test_the_committed_corpus_is_what_the_script_builds(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_import_corpus", CORPUS.parent / "make_import_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.main(tmp_path / "corpus")
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted(p.name for p in CORPUS.iterdir()) and len(names) == 35
    def content(path: Path) -> object:
        # entries, not bytes: another zlib may compress the same entries differently
        if path.suffix in (".xlsx", ".ods", ".xlsb"):
            import zipfile

            with zipfile.ZipFile(path) as z:
                return {i.filename: z.read(i.filename) for i in z.infolist()}
        return path.read_bytes()
    for name in names:
        assert content(built / name) == content(CORPUS / name), name


def test_at_a_upt_a_row_about_another_offices_member_is_refused_alone(db, tmp_path):
    from storage.domain.model import new_member

    other = new_member(nik="3510160101800102", name="Made Wirawan", sex="L", birth_place="Banyuwangi",
                       birth_date="1980-01-01", kab="35.10", kec="35.10.16",
                       assignments=[{"pillar": "PSM", "position": "ANGGOTA", "area_kab": "35.10",
                                     "office": "UPT-PSTW-BANYUWANGI", "start": "2023-01-01"}])
    with db.transaction("test.other", system=True) as tx:
        tx.put("members", other, owner="UPT-PSTW-BANYUWANGI")
    path = tmp_path / "a.csv"
    path.write_text("NAMA;NIK;NO HP\r\nMade Wirawan;3510160101800102;081299990000\r\n"
                    "SITI AMINAH;3578014107850001;081299990001\r\n", encoding="utf-8")
    plan = preview(Roster(db), path, today=TODAY)
    made, siti = plan.rows
    assert made.fate == "refuse" and "UPT-PSTW-BANYUWANGI" in made.reasons[0]
    assert siti.fate == "update"
    land(db, plan)  # the other rows still land; the other office's member is untouched
    assert stored(db, "3578014107850001")["phone"] == "+6281299990001"
    assert stored(db, "3510160101800102")["phone"] == ""


def test_one_sheet_per_kecamatan_supplies_the_kecamatan(db):
    plan = plan_of(db, "per_kecamatan.xlsx")
    assert 'Sheet "BUBUTAN" dibaca (judul kolom di baris 1 · Kecamatan: Bubutan).' in plan.summary_lines()
    land(db, plan)
    rini, sugeng = stored(db, "3578134303910601"), stored(db, "3578140404790602")
    assert (rini["kab"], rini["kec"]) == ("35.78", "35.78.13") and sugeng["kec"] == "35.78.14"


def test_a_held_row_the_operator_accepts_is_updated_with_a_note(db):
    plan = plan_of(db, "nama_lain.csv", accept_held={"2"})  # Hartono: the operator says it is Siti, renamed
    rows = {r.line: r for r in plan.rows}
    assert rows[2].fate == "update" and "keputusan petugas" in rows[2].warnings[0]
    assert ("Nama", "Siti Aminah", "Hartono Wibisono") in rows[2].changes
    assert rows[4].fate == "hold"  # only the row named
    assert rows[3].fate == "refuse" and "baris 2" in rows[3].reasons[0]  # the same NIK again below it


def test_an_account_column_that_names_its_bank_gives_the_bank(db, tmp_path):
    """'NO. REKENING BANK JATIM' and no NAMA BANK column: the accounts are Bank Jatim's (the header says
    so); a plain 'NO REKENING' with no bank named is still refused with the sentence that asks for it."""
    import openpyxl

    for header, bank, nik in (("NO. REKENING BANK JATIM", "Bank Jatim", "3578014107850009"),
                              ("NO REKENING", None, "3578014107850010")):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "PSM"
        sheet.append(["NO", "NAMA", "NIK", "TEMPAT LAHIR", "TGL LAHIR", "L/P", "KECAMATAN", header])
        sheet.append([1, "Sri Wulandari", nik, "Surabaya", "01-07-1985", "P", "Tegalsari", "0011223344"])
        path = tmp_path / f"rek-{bank}.xlsx"
        book.save(path)
        plan = preview(Roster(db), path, today=TODAY)
        [row] = plan.rows
        if bank:
            assert row.fate == "add", row.reasons
            land(db, plan)
            assert stored(db, "3578014107850009")["bank"] == {"name": "Bank Jatim", "account": "0011223344",
                                                               "holder": "SRI WULANDARI"}
        else:
            assert row.fate == "refuse" and any("Nama bank" in r for r in row.reasons)
