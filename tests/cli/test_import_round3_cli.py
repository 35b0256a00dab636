"""Issue 23, third round, through the real command line on a fresh folder: ``pilar roster import --dry-run``
then the import, for an .xlsb with two phones in a cell (the second kept as the member's note), a list
with UMUR and no birth date (an age that disagrees with the NIK is held), and the note shown and edited
with ``pilar roster show/edit``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage.core import audit, i18n
from storage.core.db import Database
from tui.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "import_corpus"
EKO = "3578101204792301"  # Eko Prasetyo of biner.xlsb


@pytest.fixture
def fresh(tmp_path, capsys):
    data = str(tmp_path / "data")
    assert main(["--data", data, "init", "--office", "UPT-PSTW-SURABAYA", "--name", "UPT PSTW Surabaya",
                 "--operator", "Rina"]) == 0
    capsys.readouterr()
    yield data
    i18n.set_lang("id")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def members(data: str) -> dict[str, dict]:
    db = Database.open(Path(data), read_only=True)
    try:
        return {m["name"]: m for m in db.values("members")}
    finally:
        db.close()


def test_an_xlsb_dry_run_then_import_keeps_the_second_phone_as_the_note(fresh, capsys):
    code, out, err = run(capsys, "--data", fresh, "roster", "import", str(CORPUS / "biner.xlsb"), "--dry-run")
    assert code == 0, err
    assert "biner.xlsb: 4 baris · 4 baru" in out
    assert "Kolom tersembunyi tidak dibaca: I (NO HP LAMA)." in out and 'Sheet "Catatan" dilewati' in out
    assert "nomor lain di sel ini disimpan di Catatan anggota: 085730002301" in out
    assert members(fresh) == {}
    code, out, err = run(capsys, "--data", fresh, "roster", "import", str(CORPUS / "biner.xlsb"))
    assert code == 0, err
    assert "Impor selesai: 4 baru" in out
    got = members(fresh)
    assert got["Eko Prasetyo"]["phone"] == "+6281330002301"
    assert got["Eko Prasetyo"]["note"] == "No. HP lain: 085730002301"
    code, out, _ = run(capsys, "--data", fresh, "roster", "show", EKO)
    assert code == 0 and "Catatan: No. HP lain: ********2301" in out
    code, out, _ = run(capsys, "--data", fresh, "roster", "show", EKO, "--reveal")
    assert code == 0 and "Catatan: No. HP lain: 085730002301" in out


def test_roster_edit_note_and_the_audit_log_never_holds_its_numbers(fresh, capsys):
    assert run(capsys, "--data", fresh, "roster", "import", str(CORPUS / "biner.xlsb"))[0] == 0
    note = "No. HP lain: 085730002301; NIK lama 3578101204790009"
    code, out, err = run(capsys, "--data", fresh, "roster", "edit", EKO, "--note", note)
    assert code == 0, err
    assert members(fresh)["Eko Prasetyo"]["note"] == note
    code, out, _ = run(capsys, "--data", fresh, "roster", "show", EKO)
    assert "Catatan: No. HP lain: ********2301; NIK lama ************0009" in out
    log = b"".join(p.read_bytes() for p in audit.files(Path(fresh) / "audit.jsonl"))
    assert b"085730002301" not in log and b"3578101204790009" not in log and b"NIK lama ************0009" in log
    code, _, err = run(capsys, "--data", fresh, "roster", "edit", EKO, "--note", "x" * 501)
    assert code == 1 and "Catatan paling panjang 500 huruf" in err
    assert members(fresh)["Eko Prasetyo"]["note"] == note
    code, _, err = run(capsys, "--data", fresh, "roster", "edit", EKO)
    assert code == 1 and "--note" in err


def _nik(kec: str, sex: str, born: dt.date, serial: int) -> str:
    return kec.replace(".", "") + f"{born.day + (40 if sex == 'P' else 0):02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def test_umur_that_disagrees_with_the_nik_is_held_then_lands_when_the_clerk_decides(fresh, capsys, tmp_path):
    today = dt.date.today()
    agree = today.replace(year=today.year - 40, day=1) - dt.timedelta(days=40)   # 40 today
    clash = today.replace(year=today.year - 30, day=1) - dt.timedelta(days=40)   # 30 today, UMUR says 45
    path = tmp_path / "umur.csv"
    path.write_text("NO;NAMA;NIK;UMUR;KECAMATAN;KAB/KOTA;PILAR\r\n"
                    f"1;Slamet Riyadi;{_nik('35.78.26', 'L', agree, 3101)};40;Mulyorejo;Kota Surabaya;PSM\r\n"
                    f"2;Ratna Sari;{_nik('35.78.27', 'P', clash, 3102)};45 th;Sukomanunggal;Kota Surabaya;PSM\r\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "--data", fresh, "roster", "import", str(path), "--dry-run")
    assert code == 0, err
    assert "1 baru" in out and "1 ditahan" in out
    assert "UMUR 45 tidak cocok dengan NIK" in out and "--accept-held 3" in out
    code, out, err = run(capsys, "--data", fresh, "roster", "import", str(path))
    assert code == 0, err
    assert set(members(fresh)) == {"Slamet Riyadi"}
    assert members(fresh)["Slamet Riyadi"]["birth_date"] == agree.isoformat()
    code, out, err = run(capsys, "--data", fresh, "roster", "import", str(path), "--accept-held", "3")
    assert code == 0, err
    assert "UMUR 45 diabaikan atas keputusan petugas" in out
    assert members(fresh)["Ratna Sari"]["birth_date"] == clash.isoformat()


def test_an_xlsb_with_short_cells_is_one_sentence_and_nothing_is_written(fresh, capsys):
    code, out, err = run(capsys, "--data", fresh, "roster", "import", str(CORPUS / "biner_pendek.xlsb"))
    assert code == 1
    assert 'simpan ulang sebagai "Excel Workbook (*.xlsx)"' in err and "Traceback" not in err
    assert members(fresh) == {}
