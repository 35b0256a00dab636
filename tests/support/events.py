"""Test members and offices for the events tests, built through Database directly."""

from __future__ import annotations

from pathlib import Path

from storage.core.db import Database
from storage.domain.model import new_member

PILLARS = ("TAGANA", "TKSK", "PKH_PLUS", "JSC")
UPTS = [f"UPT-TEST-{i:02d}" for i in range(30)]
KABS = ("35.78", "35.09", "35.07", "35.15", "35.73")


def nik(i: int) -> str:
    """A structurally plausible NIK: Surabaya kecamatan, birth 01-01-90, serial i."""
    return f"3578{i % 31 + 1:02d}010190{i % 10000:04d}" if i < 10000 else f"3578{i % 31 + 1:02d}0101{90 + i // 10000 % 10:02d}{i % 10000:04d}"


def member(i: int, pillar: str | None = None, position: str | None = None, active: bool = True) -> dict:
    pillar = pillar or PILLARS[i % len(PILLARS)]
    position = position or ("KORKAB" if i % 25 == 0 else "ANGGOTA")
    return new_member(
        nik=nik(i), name=f"{['Siti', 'Budi', 'Wahyu', 'Dewi', 'Agus'][i % 5]} Test {i:05d}", sex="LP"[i % 2],
        kab=KABS[i % len(KABS)],
        assignments=[{"pillar": pillar, "position": position, "area_kab": KABS[i % len(KABS)],
                      "office": UPTS[i % len(UPTS)], "number": f"NA-{i:06d}",
                      "status": "ACTIVE" if active else "INACTIVE"}])


def make_folder(path: Path, members: int = 300, inactive_every: int = 0) -> Database:
    """A province data folder with the 30 test UPT offices and ``members`` members (open, locked)."""
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Siti")
    with db.transaction("test.seed") as tx:
        for code in UPTS:
            tx.put("offices", {"code": code, "name": f"UPT Test {code[-2:]}", "type": "UPT", "kab": "35.78"})
        for i in range(members):
            active = not (inactive_every and i % inactive_every == inactive_every - 1)
            tx.put("members", member(i, active=active))
    return db
