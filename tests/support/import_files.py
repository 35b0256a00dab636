"""Roster import files written for the tests: rows, CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from tests.support.roster import nik


def row(i: int, name: str, kec_name: str, kec: str, pillar: str = "PSM", sex: str = "L",
        birth: str = "1980-01-01") -> list:
    y, m, d = birth.split("-")
    return [i, name, nik(kec, sex, birth, 500 + i), sex, f"Surabaya, {d}-{m}-{y}", "Kota Surabaya", kec_name,
            "", pillar, "Anggota", "01-01-2023"]


def write_xlsx(path: Path, rows: list[list], title_rows: int = 0) -> Path:
    wb = Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["DAFTAR ANGGOTA PILAR SOSIAL TAHUN 2023"])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


HEADERS = ["NO", "NAMA", "NIK", "JENIS KELAMIN", "TEMPAT/TGL LAHIR", "KAB/KOTA", "KECAMATAN", "NO HP", "PILAR",
           "JABATAN", "TMT"]
