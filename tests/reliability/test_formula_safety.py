"""Every file Pilar writes for a spreadsheet program is formula-safe (issue 22).

Two walks: the source (no CSV or XLSX is made anywhere but storage/printing/tables.py, the one neutraliser), and
the files themselves: members whose names, holders and bank names are formulas arrive as from an older
UPT's bundle (stored without the form's checks), then every writer runs through the real CLI (roster
export, daftar nominatif CSV/XLSX, the decisions sheet, both bank files, the SPJ package, the summary)
and every cell of every file is read back."""

from __future__ import annotations

import ast
import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from storage.core.spreadsheet import formula_like
from storage.printing.tables import neutralise
from tests.support.payouts import make_db, member
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
Q2 = "2024-Q2"
HOSTILE_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_BANK = "=cmd|' /C calc'!A0"
HOSTILE_HOLDER = "-2+3+cmd|' /C calc'!A0"
# the neutraliser's module, and the DJP BP21 sheet (cells at fixed places the template names; every cell
# passed through storage.printing.tables.neutralise: storage/payouts/withholding.py bp21_xlsx)
ONE_NEUTRALISER = ("storage/printing/tables.py", "storage/payouts/withholding.py")
NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def test_no_csv_or_xlsx_is_made_outside_the_one_neutraliser():
    makers = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook"), ("", "Workbook"),
              ("", "WriteOnlyCell")}
    found = []
    for path in sorted([*ROOT.joinpath("storage").rglob("*.py"), *ROOT.joinpath("tui").rglob("*.py")]):
        if path.relative_to(ROOT).as_posix() in ONE_NEUTRALISER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = (f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else "",
                        f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
                if name in makers:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize("text", ["=1+1", "+62", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\uff1dcmd|'x'!A0"])
def test_the_neutraliser_catches_every_formula_start(text):
    assert formula_like(text) and neutralise(text) == "'" + text


def _cells_of(name: str, data: bytes) -> list[tuple[str, object, str]]:
    """(file, value, xlsx data type or '') for every cell of a CSV or XLSX file."""
    out = []
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        for ws in book.worksheets:
            for row in ws.iter_rows():
                out.extend((name, c.value, c.data_type) for c in row if c.value is not None)
    elif name.endswith(".csv"):
        text = data.decode("utf-8-sig")
        delimiter = ";" if text.count(";") > text.count(",") else ","
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            out.extend((name, c, "") for c in row)
    return out


def _unsafe(cells) -> list:
    return [(f, v) for f, v, kind in cells
            if kind == "f" or (isinstance(v, str) and formula_like(v) and not NUMBER.fullmatch(v))]


@pytest.fixture
def folder(tmp_path):
    people = [member(1, account="0011223344"), member(2, "TKSK"),
              member(3, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78",
                                          "area_kec": "35.78.01", "office": "UPT-PSTW-JEMBER",
                                          "start": "2023-01-01", "status": "ACTIVE", "end": "",
                                          "inactive_date": ""}])]
    for m in people:  # as an older UPT's bundle brings them: never through the form
        m["name"] = HOSTILE_NAME
        m["birth_place"] = "+628123"
        m["bank"] = {"name": HOSTILE_BANK, "account": m["bank"]["account"], "holder": HOSTILE_HOLDER}
    data = tmp_path / "d"
    make_db(data, people).close()
    return data


def run(data: Path, *args: str) -> int:
    return main(["--data", str(data), "--operator", "Siti", *args])


def test_every_file_for_a_spreadsheet_is_formula_safe(folder, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert run(folder, "payout", "run", "--quarter", Q2) == 0
    assert run(folder, "payout", "blockers", "--quarter", Q2, "--out", str(out / "keputusan.csv")) == 0
    sheet = (out / "keputusan.csv").read_text(encoding="utf-8-sig").splitlines()
    filled = [sheet[0]] + [line.replace(";;", ";sudah diperiksa;", 1) for line in sheet[1:]]
    (tmp_path / "isi.csv").write_text("\n".join(filled), encoding="utf-8")  # the bendahara's answers
    assert run(folder, "payout", "approve", "--quarter", Q2, "--decisions", str(tmp_path / "isi.csv")) == 0
    for fmt in ("csv", "xlsx"):
        assert run(folder, "report", "payouts", "--quarter", Q2, "--format", fmt, "--out", str(out / f"nom.{fmt}")) == 0
        assert run(folder, "roster", "list", "--format", fmt, "--out", str(out / f"roster.{fmt}")) == 0
    assert run(folder, "report", "summary", "--format", "xlsx", "--out", str(out / "summary.xlsx")) == 0
    assert run(folder, "payout", "bankfile", Q2, "--bank", "generic", "--out", str(out / "bank.csv")) == 0
    assert run(folder, "payout", "bankfile", Q2, "--bank", "jatim", "--out", str(out / "bank.txt")) == 0
    assert run(folder, "payout", "bank-template", "generic") == 0
    assert run(folder, "payout", "spj", Q2, "--out", str(out / "spj.zip")) == 0
    capsys.readouterr()

    cells = []
    for path in sorted(out.iterdir()):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    cells.extend(_cells_of(f"spj/{name}", z.read(name)))
        else:
            cells.extend(_cells_of(path.name, path.read_bytes()))
    files = {f for f, _v, _k in cells}
    # every writer was reached, and the hostile texts are in them (as text, not run)
    assert {"keputusan.csv", "nom.csv", "nom.xlsx", "roster.csv", "roster.xlsx", "summary.xlsx", "bank.csv"} <= files
    assert any(f.startswith("spj/") and f.endswith(".csv") for f in files)
    assert any(f.startswith("spj/") and f.endswith(".xlsx") for f in files)
    shown = {v for _f, v, _k in cells}
    assert "'" + HOSTILE_NAME in shown and "'" + HOSTILE_BANK in shown
    assert _unsafe(cells) == []
    # the fixed-width bank file is not a spreadsheet: every line starts with its record type
    assert all(line[:1] in "HDT" for line in (out / "bank.txt").read_text(encoding="ascii").splitlines())


def test_the_form_refuses_a_formula_in_a_name_or_bank_name_with_a_sentence(tmp_path):
    from storage.domain.validate import validate_member
    from storage.roster import Roster

    db = make_db(tmp_path / "d")
    try:
        value = member(9)
        value["name"] = "=HYPERLINK(\"http://x\")"
        value["bank"]["name"] = "@Bank"
        result = validate_member(value, Roster(db))
        fields = {e.field: e.message for e in result.errors}
        assert "Excel" in fields["name"] and "Excel" in fields["bank.name"]
    finally:
        db.close()
