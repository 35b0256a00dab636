"""Hostile spreadsheets (issue 22): each tiny file built by tests/fixtures/hostile_sheets.py goes through the
real CLI (``pilar roster import FILE --dry-run``) in a child process held to 1 GB of address space and 30 s
of CPU; each must end in a preview or one sentence, never a traceback, a MemoryError or the limit."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
import hostile_sheets as H  # noqa: E402

MEMORY = 1024 * 1024 * 1024
CPU_SECONDS = 30
PILAR = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    data = d / "data"
    run = subprocess.run([*PILAR, "--data", str(data), "init", "--office", "UPT-PSTW-JEMBER",
                          "--name", "UPT PSTW Jember", "--operator", "Siti"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return d


def pilar(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PILAR, "--data", str(folder / "data"), "--lang", "en", *args],
                          capture_output=True, text=True, preexec_fn=_limits, timeout=300)


def one_sentence(run: subprocess.CompletedProcess) -> str:
    assert run.returncode in (0, 1), (run.returncode, run.stderr[-500:])  # not killed by a limit
    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr, run.stderr[-500:]
    return run.stderr.strip()


def test_a_merge_down_to_row_10_12_is_clipped_to_the_rows_there_are(folder):
    run = pilar(folder, "roster", "import", str(H.merge_to_row_10_12(folder)), "--dry-run")
    assert one_sentence(run) == "" and run.returncode == 0
    assert "Siti Aminah" in run.stdout or "1 rows" in run.stdout


def test_a_cell_at_column_zzzzzz_is_refused_naming_the_cell(folder):
    run = pilar(folder, "roster", "import", str(H.cell_at_column_zzzzzz(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "ZZZZZZ3" in err and "XFD" in err


def test_a_row_past_row_1048576_is_refused(folder):
    run = pilar(folder, "roster", "import", str(H.row_beyond_excel(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "1,048,576" in err


def test_twenty_thousand_sheets_naming_one_part_read_it_once(folder):
    run = pilar(folder, "roster", "import", str(H.many_sheets_one_part(folder)), "--dry-run")
    assert one_sentence(run) == "" and run.returncode == 0
    assert "7 rows" in run.stdout.splitlines()[0], run.stdout[:300]


def test_a_cell_the_fast_reader_once_missed_never_falls_back_to_full_openpyxl(folder):
    run = pilar(folder, "roster", "import", str(H.fallback_bait(folder)), "--dry-run")
    one_sentence(run)
    assert run.returncode == 0


def test_an_entity_declaration_is_refused_before_it_expands(folder):
    run = pilar(folder, "roster", "import", str(H.entity_expansion(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "DOCTYPE" in err


def test_a_cell_longer_than_excel_allows_is_refused_as_read(folder):
    run = pilar(folder, "roster", "import", str(H.long_cell_xlsx(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "32767" in err and "row 2" in err
    assert len(run.stdout) < 10_000


def test_a_csv_cell_over_the_csv_modules_limit_is_one_sentence(folder):
    run = pilar(folder, "roster", "import", str(H.long_cell_csv(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "32767" in err and "row 2" in err


def test_a_long_name_within_the_cell_limit_is_refused_without_printing_it_whole(folder):
    run = pilar(folder, "roster", "import", str(H.long_cell_xlsx(folder, size=30_000)), "--dry-run")
    one_sentence(run)
    assert "30000" in run.stdout and len(run.stdout) < 5_000, len(run.stdout)


def test_an_ods_cell_far_from_the_list_is_refused_before_calamine_builds_its_range(folder):
    run = pilar(folder, "roster", "import", str(H.ods_far_cell(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "12000000" in err


def test_an_xlsb_cell_far_from_the_list_is_refused_before_calamine_builds_its_range(folder):
    run = pilar(folder, "roster", "import", str(H.xlsb_far_cell(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "12000000" in err


def test_a_legacy_xls_cell_far_from_the_list_is_refused_before_calamine_builds_its_range(folder):
    """5.6 KB: A1 and IV65536 (16.8 million cells); before the scan calamine took 1.1 GB and 3.6 s."""
    run = pilar(folder, "roster", "import", str(H.xls_far_cell(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "12000000" in err and "far-cell.xls" in err


def test_a_legacy_xls_whose_dimensions_record_declares_the_whole_sheet_is_read_as_its_cells(folder):
    run = pilar(folder, "roster", "import", str(H.xls_declared_huge(folder)), "--dry-run")
    assert one_sentence(run) == "" and run.returncode == 0 and "Siti Aminah" in run.stdout


def test_an_xlsb_cell_past_column_xfd_is_refused_naming_it(folder):
    run = pilar(folder, "roster", "import", str(H.xlsb_beyond_excel(folder)), "--dry-run")
    err = one_sentence(run)
    assert run.returncode == 1 and "XFD" in err and "6" in err


def test_a_bank_result_xlsx_with_an_entity_or_a_forged_dimension_is_bounded(folder):
    from storage.core.errors import PilarError
    from storage.payouts.bank_result import _xlsx_cells, read_rows

    with pytest.raises(PilarError):  # openpyxl streams it with defusedxml: the entity is refused
        read_rows(H.entity_expansion(folder))
    # a dimension of A1:XFD1048576 once padded each row to 16,384 cells (2,000 rows: 300 MB)
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>0011{n:06d}</t></is></c>'
                   f'<c r="B{n}"><v>150000</v></c></row>' for n in range(1, 2001))
    H.xlsx(folder / "bank.xlsx", H._sheet_xml(rows).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>'))
    cells = _xlsx_cells(folder / "bank.xlsx")
    assert len(cells) == 2000 and max(len(r) for r in cells) == 2
    assert read_rows(folder / "bank.xlsx")[0]["amount"] == 150000


def test_a_bank_result_csv_with_a_huge_cell_is_one_sentence(folder):
    from storage.core.errors import PilarError
    from storage.payouts.bank_result import read_rows

    with pytest.raises(PilarError):
        read_rows(H.long_cell_csv(folder))


def test_a_decisions_sheet_with_a_huge_cell_or_from_windows_excel_is_read_or_one_sentence(folder):
    from tests.support.payouts import make_db, member

    data = folder / "prov"
    make_db(data, [member(1)]).close()
    huge = folder / "keputusan-besar.csv"
    huge.write_text("item;keputusan;alasan\nabc;approve;" + "x" * 200_000 + "\n", encoding="utf-8")
    run = subprocess.run([*PILAR, "--data", str(data), "--lang", "en", "--operator", "Siti", "payout", "approve",
                          "--quarter", "2024-Q2", "--decisions", str(huge)], capture_output=True, text=True,
                         preexec_fn=_limits, timeout=300)
    err = one_sentence(run)
    assert run.returncode == 1 and "cannot be read as CSV" in err and "line 2" in err
    from tui.cli.payouts import _read_decisions

    cp1252 = folder / "keputusan-excel.csv"
    cp1252.write_bytes(b"item;keputusan;alasan\nabc;approve;sudah dicek caf\xe9\n")  # as Excel on Windows saves it
    assert _read_decisions(str(cp1252)) == {"abc": ("approve", "sudah dicek café")}
