"""`pilar roster …` on the command line: list/export, show, import, add, deactivate."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from storage.core import i18n
from storage.core.db import Database
from tests.support.roster import make_folder
from tui.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def data(tmp_path):
    make_folder(tmp_path / "data", extra=5).close()
    yield str(tmp_path / "data")
    i18n.set_lang("id")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_text_and_filters(data, capsys):
    code, out, _ = run(capsys, "--data", data, "roster", "list", "--pillar", "tksk")
    assert code == 0
    assert "Siti Aminah" in out and "Wahyu Hidayat" in out and "Budi" not in out
    assert "2 anggota." in out
    code, out, _ = run(capsys, "--data", data, "roster", "list", "--search", "budi", "--format", "json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["Budi Santoso"] and rows[0]["nik"].startswith("****")


def test_list_refuses_unknown_pillar_and_kab(data, capsys):
    code, _, err = run(capsys, "--data", data, "roster", "list", "--pillar", "Pramuka")
    assert code == 1 and "Pramuka" in err
    code, _, err = run(capsys, "--data", data, "roster", "list", "--kab", "Atlantis")
    assert code == 1 and "Atlantis" in err


def test_list_exports_csv_and_xlsx(data, capsys, tmp_path):
    code, out, _ = run(capsys, "--data", data, "roster", "list", "--kab", "Surabaya", "--status", "active",
                       "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert code == 0 and "11" in out
    table = list(csv.reader(io.StringIO((tmp_path / "x.csv").read_bytes().decode("utf-8-sig"))))
    assert table[0][:2] == ["NIK", "Nama"] and len(table) == 12
    code, _, _ = run(capsys, "--data", data, "roster", "list", "--format", "xlsx", "--out", str(tmp_path / "x.xlsx"))
    assert code == 0
    assert load_workbook(tmp_path / "x.xlsx").active.max_row == 12
    code, _, err = run(capsys, "--data", data, "roster", "list", "--format", "xlsx")
    assert code == 1 and "--out" in err


def test_show_one_member_and_a_clear_sentence_when_missing(data, capsys):
    code, out, _ = run(capsys, "--data", data, "roster", "show", "3578014107850001")
    assert code == 0 and "Siti Aminah" in out and "************0001" in out and "Riwayat" in out
    code, out, err = run(capsys, "--data", data, "roster", "show", "9999999999999999")
    assert code == 1 and out == ""
    assert "Tidak ada anggota dengan NIK atau id \"9999999999999999\"" in err
    code, _, err = run(capsys, "--data", data, "--lang", "en", "roster", "show", "nobody")
    assert code == 1 and "There is no member" in err


def test_import_dry_run_writes_nothing_then_import_writes(data, capsys):
    before = Database.open(data, read_only=True).seq
    code, out, _ = run(capsys, "--data", data, "roster", "import", str(FIXTURES / "roster_excel_cp1252.csv"),
                       "--dry-run", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["dry_run"] and report["written"] == 0
    # the =HYPERLINK(...) name is refused (Excel would run it: issue 22)
    assert report["counts"] == {"rows": 6, "add": 1, "update": 2, "same": 0, "refuse": 3, "conflict": 0, "hold": 0,
                                "join": 0, "skipped": 0, "hidden": 0}
    assert all(c["before"] != c["after"] for r in report["rows"] if r["fate"] == "update" for c in r["changes"])
    assert Database.open(data, read_only=True).seq == before
    code, out, _ = run(capsys, "--data", data, "roster", "import", str(FIXTURES / "roster_excel_cp1252.csv"))
    assert code == 0 and "Impor selesai: 1 baru, 2 diperbarui, 3 ditolak, 0 ditahan." in out
    db = Database.open(data, read_only=True)
    assert db.seq == before + 1
    assert any(m["name"] == "Ratna Sari Dewi Pérez" for m in db.values("members"))


def test_import_missing_file_is_a_sentence(data, capsys):
    code, _, err = run(capsys, "--data", data, "roster", "import", "/nowhere/roster.xlsx")
    assert code == 1 and "/nowhere/roster.xlsx" in err


def test_add_refuses_a_bad_nik_then_deactivate(data, capsys, tmp_path):
    member = {"nik": "35780112", "name": "Joko", "sex": "L", "birth_date": "1980-01-01", "kab": "35.78",
              "kec": "35.78.12", "assignments": [{"pillar": "PSM", "position": "ANGGOTA", "office": "UPT-PSTW-JEMBER",
                                                  "start": "2024-01-01", "area_kab": "35.78"}]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(member))
    code, _, err = run(capsys, "--data", data, "roster", "add", str(path))
    assert code == 1 and "16" in err
    member["nik"] = "3578120101800001"
    path.write_text(json.dumps(member))
    code, out, _ = run(capsys, "--data", data, "--operator", "Rudi", "roster", "add", str(path))
    assert code == 0 and "Joko" in out
    code, out, _ = run(capsys, "--data", data, "roster", "deactivate", "3578120101800001", "--reason", "pindah",
                       "--date", "2024-05-01")
    assert code == 0
    db = Database.open(data, read_only=True)
    joko = next(m for m in db.values("members") if m["name"] == "Joko")
    assert joko["assignments"][0]["status"] == "INACTIVE"
    assert db.audit.for_record(joko["id"])[0]["operator"] == "Rudi"
