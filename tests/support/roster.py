"""A small UPT data folder with valid members for the roster tests (built through Database)."""

from __future__ import annotations

from pathlib import Path

from storage.core.db import Database
from storage.domain.model import new_member
from tests.support.pilot import run_async  # noqa: F401  (re-exported for the roster tests)

OFFICE = "UPT-PSTW-JEMBER"
TODAY = "2024-04-04"
# (kecamatan of Kota Surabaya, name, sex, birth date, pillar, position, phone)
PEOPLE = [
    ("35.78.01", "Siti Aminah", "P", "1985-07-01", "TKSK", "ANGGOTA", "+6281234567890"),
    ("35.78.02", "Budi Santoso", "L", "1980-03-02", "TAGANA", "ANGGOTA", "+6281234567891"),
    ("35.78.03", "Dewi Kurniasih", "P", "1990-07-05", "PKH_PLUS", "PENDAMPING", ""),
    ("35.78.04", "Agus Salim", "L", "1975-12-24", "PSM", "ANGGOTA", "+6285733221100"),
    ("35.78.05", "Wahyu Hidayat", "L", "1988-01-15", "TKSK", "ANGGOTA", ""),
    ("35.78.06", "Rina Wati", "P", "1992-09-09", "JSC", "ANGGOTA", "+6281398765432"),
]


def nik(kec: str, sex: str, birth: str, serial: int) -> str:
    """A structurally valid NIK for a kecamatan code, sex and birth date."""
    y, m, d = birth.split("-")
    day = int(d) + (40 if sex == "P" else 0)
    return kec.replace(".", "") + f"{day:02d}{m}{y[2:]}{serial:04d}"


def person(i: int, kec: str, name: str, sex: str, birth: str, pillar: str, position: str, phone: str) -> dict:
    level = "MUDA" if pillar == "TAGANA" else ""
    return new_member(
        nik=nik(kec, sex, birth, i + 1), name=name, sex=sex, birth_place="Surabaya", birth_date=birth,
        address=f"Jl. Mawar {i + 1}", kab="35.78", kec=kec, phone=phone,
        assignments=[{"pillar": pillar, "position": position, "area_kab": "35.78",
                      "area_kec": kec if pillar == "TKSK" else "", "office": OFFICE, "number": f"NA-{i + 1:04d}",
                      "level": level, "start": "2023-01-01"}])


def make_folder(path: Path, extra: int = 0) -> Database:
    """A UPT data folder with the six PEOPLE (and ``extra`` more PSM members); open and locked."""
    db = Database.init(path, OFFICE, "UPT PSTW Jember", operator="Siti")
    with db.transaction("test.seed") as tx:
        for i, p in enumerate(PEOPLE):
            tx.put("members", person(i, *p))
        for j in range(extra):
            kec = f"35.78.{j % 31 + 1:02d}"
            tx.put("members", person(100 + j, kec, f"Anggota Uji {j:05d}", "L", "1980-01-01", "PSM", "ANGGOTA", ""))
    return db


