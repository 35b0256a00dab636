"""Deterministic generator of fictitious offices and members: the demo data and big synthetic rosters.

Everything comes from a seeded ``random.Random``, so ``python -m storage.sample.generate`` rebuilds
``sample_data/*.json`` byte for byte, and ``build_office(path, n, seed)`` builds the same benchmark
folder every time. People are invented (names drawn from East Javanese and Madurese name pools,
random NIK serials, bank accounts and phone numbers); regions and office names are real.

NIKs are structurally valid for the member's kecamatan: PPKKCC + DDMMYY (day + 40 for women)
+ a serial from 0001, unique across everything one generator hands out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson

from storage.core.db import Database
from storage.domain import regions
from storage.domain.model import new_assignment, new_member
from storage.sample.demo import owner_of

PROVINCE_CODE = "JATIM"
# Ages and start dates are taken relative to the event of the demo data (Kamis, 4 April 2024).
REFERENCE_DATE = dt.date(2024, 4, 4)
SAMPLE_SEED = 2024
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
BANK = "Bank Jatim"

PROVINCE = {
    "code": PROVINCE_CODE,
    "name": "Dinas Sosial Provinsi Jawa Timur",
    "type": "PROVINCE",
    "kab": "35.78",
    "area": [],
    "address": "Jl. Gayung Kebonsari No.56b, Gayungan, Surabaya 60235",
    "phone": "+62318290794",
}

# The 30 UPTs: (code, name, seat kab/kota, kab/kota served, named in a published source).
# The 21 named ones come from press and government reports (see ../shared/reference); the 9 others
# follow the older (2012) typology of Dinsos Jatim UPTs and their names and seats are not verified.
# Every one of the 38 kab/kota is served by exactly one UPT: the one in it or the nearest.
UPTS: list[tuple[str, str, str, list[str], bool]] = [
    ("UPT-PSTW-JEMBER", "UPT Pelayanan Sosial Tresna Werdha Jember", "35.09", ["35.09", "35.08"], True),
    ("UPT-PSTW-PASURUAN", "UPT Pelayanan Sosial Tresna Werdha Pasuruan", "35.14", ["35.14"], True),
    ("UPT-PSTW-BLITAR", "UPT Pelayanan Sosial Tresna Werdha Blitar", "35.05", ["35.05"], True),
    ("UPT-PSTW-JOMBANG", "UPT Pelayanan Sosial Tresna Werdha Jombang", "35.17", ["35.17"], True),
    ("UPT-PSTW-MAGETAN", "UPT Pelayanan Sosial Tresna Werdha Magetan", "35.20", ["35.20"], True),
    ("UPT-PSTW-BANYUWANGI", "UPT Pelayanan Sosial Tresna Werdha Banyuwangi", "35.10", ["35.10"], True),
    ("UPT-PSTW-BONDOWOSO", "UPT Pelayanan Sosial Tresna Werdha Bondowoso", "35.11", ["35.11"], True),
    ("UPT-PPSAA-NGANJUK", "UPT Perlindungan dan Pelayanan Sosial Asuhan Anak Nganjuk", "35.18", ["35.18"], True),
    ("UPT-PPSAA-SITUBONDO", "UPT Perlindungan dan Pelayanan Sosial Asuhan Anak Situbondo", "35.12", ["35.12"],
     True),
    ("UPT-PPSAA-TRENGGALEK", "UPT Perlindungan dan Pelayanan Sosial Asuhan Anak Trenggalek", "35.03",
     ["35.03", "35.01"], True),
    ("UPT-PPSAA-SUMENEP", "UPT Perlindungan dan Pelayanan Sosial Asuhan Anak Sumenep", "35.29", ["35.29"], True),
    ("UPT-PSBR-JOMBANG", "UPT Pelayanan Sosial Bina Remaja Jombang", "35.17", ["35.16", "35.76"], True),
    ("UPT-PSBR-BLITAR", "UPT Pelayanan Sosial Bina Remaja Blitar", "35.72", ["35.72"], True),
    ("UPT-PSBR-BOJONEGORO", "UPT Pelayanan Sosial Bina Remaja Bojonegoro", "35.22", ["35.22"], True),
    ("UPT-PSBR-PAMEKASAN", "UPT Pelayanan Sosial Bina Remaja Pamekasan", "35.28", ["35.28", "35.27"], True),
    ("UPT-PRSMP-SURABAYA", "UPT Perlindungan dan Rehabilitasi Sosial Marsudi Putra Surabaya", "35.78",
     ["35.78"], True),
    ("UPT-RSBL-PASURUAN", "UPT Rehabilitasi Sosial Bina Laras Pasuruan", "35.14", ["35.75"], True),
    ("UPT-RSBL-KEDIRI", "UPT Rehabilitasi Sosial Bina Laras Kediri", "35.06", ["35.06", "35.71"], True),
    ("UPT-RSBN-MALANG", "UPT Rehabilitasi Sosial Bina Netra Malang", "35.73", ["35.73"], True),
    ("UPT-PPSPA-BATU", "UPT Perlindungan dan Pelayanan Sosial Petirahan Anak Batu", "35.79", ["35.79"], True),
    ("UPT-PSAB-SIDOARJO", "UPT Pelayanan Sosial Asuhan Balita Sidoarjo", "35.15", ["35.15"], True),
    ("UPT-RSBD-TULUNGAGUNG", "UPT Rehabilitasi Sosial Bina Daksa Tulungagung", "35.04", ["35.04"], False),
    ("UPT-RSBD-PROBOLINGGO", "UPT Rehabilitasi Sosial Bina Daksa Probolinggo", "35.13", ["35.13", "35.74"],
     False),
    ("UPT-RSBG-PONOROGO", "UPT Rehabilitasi Sosial Bina Grahita Ponorogo", "35.02", ["35.02"], False),
    ("UPT-RSBG-LAMONGAN", "UPT Rehabilitasi Sosial Bina Grahita Lamongan", "35.24", ["35.24"], False),
    ("UPT-RSEK-TUBAN", "UPT Rehabilitasi Sosial Eks Penderita Kusta Tuban", "35.23", ["35.23"], False),
    ("UPT-RSGP-SIDOARJO", "UPT Rehabilitasi Sosial Gelandangan dan Pengemis Sidoarjo", "35.15", ["35.25"],
     False),
    ("UPT-RSTS-MADIUN", "UPT Rehabilitasi Sosial Tuna Susila Madiun", "35.77", ["35.77", "35.19", "35.21"],
     False),
    ("UPT-RSTS-MALANG", "UPT Rehabilitasi Sosial Tuna Susila Malang", "35.07", ["35.07"], False),
    ("UPT-PTKS-BANGKALAN", "UPT Pengembangan Tenaga Kesejahteraan Sosial Bangkalan", "35.26", ["35.26"], False),
]
UNVERIFIED_NOTE = "Nama dan lokasi menurut tipologi UPT lama (2012), belum diverifikasi; data contoh."

# Bakorwil seats for Korwil coordinators (I Madiun, II Bojonegoro, III Malang, IV Pamekasan, V Jember).
KORWIL_SEATS = ("35.77", "35.22", "35.73", "35.28", "35.09")

# ---------------------------------------------------------------------- name pools (fictitious people)

MALE_JAVA = ("Agus", "Bambang", "Budi", "Dwi", "Eko", "Hadi", "Joko", "Slamet", "Sugeng", "Wahyu", "Heru",
             "Imam", "Rudi", "Teguh", "Wawan", "Yudi", "Ahmad", "Mochammad", "Sutrisno", "Suparman",
             "Bagus", "Dedy", "Fajar", "Gatot", "Hendro", "Irfan", "Kukuh", "Lukman", "Mujiono", "Nanang",
             "Puguh", "Rahmat", "Sigit", "Tri", "Untung", "Yoyok", "Andik", "Arif", "Catur", "Didik",
             "Edi", "Feri", "Hari", "Joni", "Koko", "Prasetyo", "Supriyadi", "Wahyudi", "Yanto", "Zainal")
FEMALE_JAVA = ("Siti", "Sri", "Dewi", "Endang", "Lestari", "Rina", "Tutik", "Wahyuni", "Yuliani", "Ani",
               "Fitri", "Kartini", "Murni", "Ninik", "Rahayu", "Suharti", "Umi", "Anik", "Binti", "Dian",
               "Erna", "Hartini", "Indah", "Kusmiati", "Lilik", "Mamik", "Nurul", "Puji", "Ratna", "Setyowati",
               "Titin", "Wulan", "Yayuk", "Eka", "Sulastri", "Sumiati", "Retno", "Wiwik", "Yeni", "Ayu")
MALE_MADURA = ("Moh.", "Abd.", "Holis", "Fathor", "Subairi", "Hosnan", "Ach.", "Mat", "Sahrul", "Rasyid",
               "Marsuki", "Busiri", "Jamaluddin", "Syaiful", "Hafid", "Mukhlis", "Zainuri", "Faruk",
               "Sutikno", "Hairul")
FEMALE_MADURA = ("Hosniyah", "Maimunah", "Sitti", "Fatimah", "Halimah", "Maryam", "Jamilah", "Zainab",
                 "Holifah", "Musyarrofah", "Rohmah", "Sunaiyah", "Hasanah", "Sumarni", "Nurhayati")
MIDDLE_MALE = ("Nur", "Dwi", "Tri", "Eko", "Budi", "Setyo", "Adi", "Catur", "Agung", "Joko")
MIDDLE_FEMALE = ("Nur", "Dwi", "Tri", "Sri", "Puji", "Rahma", "Eka", "Catur", "Dyah", "Ayu")
SURNAMES_JAVA_MALE = ("Santoso", "Susanto", "Wibowo", "Prasetyo", "Setiawan", "Hidayat", "Purnomo", "Wijaya",
                      "Nugroho", "Kurniawan", "Hariyanto", "Suprapto", "Kusuma", "Saputra", "Pratama", "Utomo",
                      "Wicaksono", "Yulianto", "Firmansyah", "Hakim", "Maulana", "Ramadhan", "Sulistyo",
                      "Widodo", "Zulkarnain")
SURNAMES_JAVA_FEMALE = ("Rahmawati", "Handayani", "Lestari", "Anggraini", "Safitri", "Wulandari", "Puspitasari",
                        "Kusumawati", "Setyaningsih", "Wahyuningsih", "Susanti", "Maharani", "Kurniasih",
                        "Rahayu", "Fitriani")
SURNAMES_MADURA_MALE = ("Hasan", "Hamzah", "Fauzi", "Syafi'i", "Mahmud", "Rofiq", "Ansori", "Bahri", "Hariri",
                        "Mansur", "Qomar", "Rahman", "Sholeh", "Ubaidillah", "Zubair")
SURNAMES_MADURA_FEMALE = ("Hasanah", "Rohmah", "Aini", "Fauziyah", "Khotimah", "Mufidah", "Nafisah",
                          "Qomariyah", "Sholihah", "Zahroh")
STREETS = ("Jl. Mawar", "Jl. Melati", "Jl. Kenanga", "Jl. Diponegoro", "Jl. Sudirman", "Jl. Ahmad Yani",
           "Jl. Gajah Mada", "Jl. Hayam Wuruk", "Jl. Brawijaya", "Jl. Pahlawan", "Jl. Merdeka", "Jl. Veteran",
           "Jl. Kartini", "Jl. Imam Bonjol", "Jl. Panglima Sudirman", "Jl. Nangka", "Jl. Flamboyan",
           "Dusun Krajan", "Dusun Karanganyar", "Dusun Sumberrejo", "Perum Griya Asri", "Jl. Raya")
DEGREES = ("S.Sos.", "S.Pd.", "S.E.", "S.Kom.", "S.H.", "S.Tr.Sos.")
PHONE_PREFIXES = ("0812", "0813", "0821", "0822", "0823", "0852", "0853", "0856", "0857", "0858", "0817",
                  "0818", "0819", "0877", "0878", "0895", "0896", "0897", "0881", "0882")
# Madura and the Tapal Kuda (eastern "horseshoe") have mostly Madurese names.
MADURESE_KABS = {"35.26": 0.9, "35.27": 0.95, "35.28": 0.95, "35.29": 0.95, "35.11": 0.7, "35.12": 0.7,
                 "35.13": 0.5, "35.74": 0.4, "35.09": 0.4, "35.08": 0.35, "35.14": 0.3, "35.75": 0.3,
                 "35.10": 0.2, "35.78": 0.2}


def upt_for_kab() -> dict[str, str]:
    """kab/kota code -> the code of the UPT that serves it."""
    return {kab: code for code, _name, _seat, area, _ok in UPTS for kab in area}


def offices() -> list[dict]:
    """The province office and the 30 UPTs as office values (ids are deterministic)."""
    out = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "pilar:office:" + PROVINCE_CODE)), **PROVINCE,
            "area": [k["code"] for k in regions.kab_list()]}]
    for code, name, seat, area, verified in UPTS:
        kab = regions.kab(seat)
        office = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "pilar:office:" + code)), "code": code,
                  "name": name, "type": "UPT", "kab": seat, "area": sorted(area),
                  "address": f"{kab['name']}, Jawa Timur", "phone": ""}
        if not verified:
            office["note"] = UNVERIFIED_NOTE
        out.append(office)
    return out


class People:
    """Hands out fictitious people with unique, structurally valid NIKs and unique bank accounts."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._serial: dict[str, int] = {}
        self._accounts: set[str] = set()
        self._niats: set[str] = set()
        self._kabs = {k["code"]: k for k in regions.kab_list()}
        self._kecs = {k["code"]: regions.kec_of_kab(k["code"]) for k in self._kabs.values()}

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def kec_in(self, kab: str) -> dict:
        return self.rng.choice(self._kecs[kab])

    def name(self, sex: str, kab: str, degree: float = 0.0) -> str:
        rng = self.rng
        madura = rng.random() < MADURESE_KABS.get(kab, 0.08)
        female = sex == "P"
        first = rng.choice((FEMALE_MADURA if madura else FEMALE_JAVA) if female
                           else (MALE_MADURA if madura else MALE_JAVA))
        parts = [first]
        roll = rng.random()
        if roll < 0.25:
            parts.append(rng.choice([m for m in (MIDDLE_FEMALE if female else MIDDLE_MALE) if m != first]))
        # Many Javanese have a single name; a short or abbreviated first name never stands alone.
        if roll < 0.85 or first.endswith(".") or len(first) < 5:
            if madura:
                surnames = SURNAMES_MADURA_FEMALE if female else SURNAMES_MADURA_MALE
            else:
                surnames = SURNAMES_JAVA_FEMALE if female else SURNAMES_JAVA_MALE
            parts.append(rng.choice([s for s in surnames if s != first]))
        name = " ".join(parts)
        if rng.random() < degree:
            name += ", " + rng.choice(DEGREES)
        return name

    def nik(self, kec: str, born: dt.date, sex: str) -> str:
        day = born.day + (40 if sex == "P" else 0)
        prefix = kec.replace(".", "") + f"{day:02d}{born.month:02d}{born.year % 100:02d}"
        serial = self._serial.get(prefix) or self.rng.randint(0, 20)
        serial += 1
        self._serial[prefix] = serial
        return f"{prefix}{serial:04d}"

    def phone(self) -> str:
        rng = self.rng
        digits = rng.choice((7, 8, 8, 8, 9))
        national = rng.choice(PHONE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(digits))
        return "+62" + national[1:]

    def account(self) -> str:
        while True:
            acct = f"{self.rng.randint(0, 99):02d}{self.rng.randint(0, 99_999_999):08d}"
            if acct not in self._accounts:
                self._accounts.add(acct)
                return acct

    def birth_date(self, min_age: int, max_age: int) -> dt.date:
        oldest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - max_age - 1) + dt.timedelta(days=1)
        youngest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - min_age)
        return oldest + dt.timedelta(days=self.rng.randint(0, (youngest - oldest).days))

    def person(self, kab: str, kec: str | None = None, *, sex: str | None = None, ages: tuple[int, int] = (20, 60),
               degree: float = 0.0, bpjs: float = 0.0) -> dict:
        """A member value without assignments, living in ``kec`` (or a random kecamatan of ``kab``)."""
        rng = self.rng
        kec_row = regions.kec(kec) if kec else self.kec_in(kab)
        sex = sex or rng.choice("LLP")
        born = self.birth_date(*ages)
        name = self.name(sex, kab, degree)
        kab_row = self._kabs[kab]
        place = kab_row["short"] if rng.random() < 0.8 else rng.choice(list(self._kabs.values()))["short"]
        street = rng.choice(STREETS)
        if street == "Jl. Raya":
            street = f"Jl. Raya {kec_row['name']}"
        address = (f"{street} No. {rng.randint(1, 120)}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 8):03d},"
                   f" Kec. {kec_row['name']}, {kab_row['name']}")
        return new_member(
            nik=self.nik(kec_row["code"], born, sex), name=name, sex=sex, birth_place=place,
            birth_date=born.isoformat(), address=address, kab=kab, kec=kec_row["code"],
            phone=self.phone() if rng.random() < 0.95 else "",
            bank={"name": BANK, "account": self.account(), "holder": name.upper()},
            bpjs_tk=f"{rng.randint(10, 24):02d}{rng.randint(0, 999_999_999):09d}" if rng.random() < bpjs else "",
        ) | {"id": self.uuid()}

    def start(self, first_year: int = 2012) -> dt.date:
        year = self.rng.randint(first_year, REFERENCE_DATE.year - 1)
        return dt.date(year, self.rng.choice((1, 1, 1, 3, 7)), self.rng.choice((1, 1, 2, 15)))

    def sk(self, start: dt.date) -> str:
        return f"188/{self.rng.randint(1, 999)}/KPTS/013/{start.year}"

    def assignment(self, pillar: str, position: str, office: str, area_kab: str, area_kec: str = "", *,
                   number: str = "", level: str = "", first_year: int = 2012) -> dict:
        start = self.start(first_year)
        return new_assignment(pillar=pillar, position=position, office=office, area_kab=area_kab,
                              area_kec=area_kec, number=number, level=level, sk=self.sk(start),
                              start=start.isoformat(), end="", status="ACTIVE") | {"id": self.uuid()}

    def niat(self, kab: str, year: int) -> str:
        """Nomor Induk Anggota Tagana (format of the demo data: kab code, year joined, serial)."""
        while True:
            niat = f"{kab.replace('.', '')}{year}{self.rng.randint(1, 9999):04d}"
            if niat not in self._niats:
                self._niats.add(niat)
                return niat

    def tagana_level(self, coordinator: bool = False) -> str:
        roll = self.rng.random()
        if coordinator:
            return "UTAMA" if roll < 0.3 else "MADYA"
        return "UTAMA" if roll < 0.01 else "MADYA" if roll < 0.07 else "MUDA"


def _weighted_kabs(kabs: list[str]) -> list[tuple[str, int]]:
    """Kab/kota with a weight (number of kecamatan): where more people live, more members."""
    return [(k, len(regions.kec_of_kab(k))) for k in kabs]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _retire(people: People, assignment: dict, reason: str) -> None:
    """Make an assignment inactive (some of the demo roster has left)."""
    end = dt.date(people.rng.randint(2022, 2023), people.rng.randint(1, 12), 1)
    if end.isoformat() <= assignment["start"]:
        end = dt.date.fromisoformat(assignment["start"]) + dt.timedelta(days=365)
    assignment.update(status="INACTIVE", end=end.isoformat(), inactive_reason=reason,
                      inactive_date=end.isoformat())


def sample_members(seed: int = SAMPLE_SEED) -> list[dict]:
    """The demo roster (about 1,550 members), deterministic for a seed."""
    people = People(seed)
    rng = people.rng
    serving = upt_for_kab()
    kabs = [k["code"] for k in regions.kab_list()]
    weighted = _weighted_kabs(kabs)
    members: list[dict] = []

    def add(member: dict, *assignments: dict) -> dict:
        member["assignments"] = list(assignments)
        members.append(member)
        return member

    # TKSK: one per kecamatan, living there; one Koordinator TKSK (Korkab) per kab/kota.
    for kab in kabs:
        for kec in regions.kec_of_kab(kab):
            add(people.person(kab, kec["code"], bpjs=0.3),
                people.assignment("TKSK", "ANGGOTA", serving[kab], kab, kec["code"], first_year=2015,
                                  number=f"TKSK-{kec['code'].replace('.', '')}"))
        add(people.person(kab, degree=0.4, ages=(30, 58), bpjs=0.5),
            people.assignment("TKSK", "KORKAB", serving[kab], kab, first_year=2014))

    # Tagana: about 500 with NIAT and levels; Korkab in 24 kab/kota and 5 Korwil (province office).
    korkab_kabs = sorted(rng.sample(kabs, 24))
    for kab in korkab_kabs:
        start_year = rng.randint(2010, 2018)
        add(people.person(kab, ages=(28, 55), bpjs=0.6),
            people.assignment("TAGANA", "KORKAB", serving[kab], kab, number=people.niat(kab, start_year),
                              level=people.tagana_level(True), first_year=start_year))
    for seat in KORWIL_SEATS:
        add(people.person(seat, ages=(35, 58), bpjs=0.6),
            people.assignment("TAGANA", "KORWIL", PROVINCE_CODE, seat, number=people.niat(seat, 2012),
                              level="UTAMA", first_year=2012))
    for _ in range(500 - len(korkab_kabs) - len(KORWIL_SEATS)):
        kab = _pick(rng, weighted)
        a = people.assignment("TAGANA", "ANGGOTA", serving[kab], kab, level=people.tagana_level(),
                              first_year=2012)
        a["number"] = people.niat(kab, int(a["start"][:4]))
        if rng.random() < 0.03:
            _retire(people, a, rng.choice(("Mengundurkan diri", "Pindah domisili", "Usia melewati batas")))
        add(people.person(kab, ages=(20, 45), bpjs=0.25), a)

    # PKH Plus: Korwil (province), a Korkab/Korkot for every kab/kota, about 200 pendamping.
    for seat in KORWIL_SEATS:
        add(people.person(seat, degree=0.9, ages=(30, 55)),
            people.assignment("PKH_PLUS", "KORWIL", PROVINCE_CODE, seat, first_year=2019))
    for kab in kabs:
        add(people.person(kab, degree=0.9, ages=(27, 55)),
            people.assignment("PKH_PLUS", "KORKAB", serving[kab], kab, first_year=2019))
    for _ in range(200):
        kab = _pick(rng, weighted)
        kec = people.kec_in(kab)["code"]
        add(people.person(kab, kec, degree=0.8, ages=(23, 50)),
            people.assignment("PKH_PLUS", "PENDAMPING", serving[kab], kab, kec, first_year=2019))

    # JSC: 40 over the 30 UPTs (one each, ten UPTs have two), posted at the UPT's seat.
    jsc_upts = [u[0] for u in UPTS] + sorted(rng.sample([u[0] for u in UPTS], 10))
    seats = {u[0]: u[2] for u in UPTS}
    for code in jsc_upts:
        seat = seats[code]
        add(people.person(seat, degree=0.5, ages=(22, 40)),
            people.assignment("JSC", "ANGGOTA", code, seat, first_year=2021))

    # PSM and Karang Taruna: a few per kab/kota; some Tagana are also PSM.
    for pillar, count in (("PSM", 45), ("KARANG_TARUNA", 30)):
        for _ in range(count):
            kab = _pick(rng, weighted)
            kec = people.kec_in(kab)["code"]
            ages = (20, 35) if pillar == "KARANG_TARUNA" else (25, 60)
            a = people.assignment(pillar, "ANGGOTA", serving[kab], kab, kec, first_year=2016)
            if rng.random() < 0.05:
                _retire(people, a, "Tidak aktif lagi")
            add(people.person(kab, kec, ages=ages), a)
    tagana = [m for m in members if m["assignments"][0]["pillar"] == "TAGANA"
              and m["assignments"][0]["position"] == "ANGGOTA" and m["assignments"][0]["status"] == "ACTIVE"]
    for m in rng.sample(tagana, 12):
        kab = m["kab"]
        m["assignments"].append(people.assignment("PSM", "ANGGOTA", serving[kab], kab, m["kec"], first_year=2018))
    return members


# ---------------------------------------------------------------------- big synthetic offices

# Share of each pillar in a synthetic roster (beyond the one TKSK per kecamatan).
SPREAD = (("TAGANA", 0.40), ("PKH_PLUS", 0.22), ("PSM", 0.18), ("KARANG_TARUNA", 0.15),
          ("PORDAM", 0.02), ("SAKTI_PEKSOS", 0.015), ("PENDAMPING_DISABILITAS", 0.015))


def office_kabs(office: str) -> list[str]:
    """The kab/kota an office serves (every one for the province)."""
    if office == PROVINCE_CODE:
        return [k["code"] for k in regions.kab_list()]
    for code, _name, _seat, area, _ok in UPTS:
        if code == office:
            return sorted(area)
    raise KeyError(office)


def office_name(code: str) -> str | None:
    if code == PROVINCE_CODE:
        return PROVINCE["name"]
    return next((u[1] for u in UPTS if u[0] == code), None)


def synthetic_members(n: int, seed: int = 1, office: str = PROVINCE_CODE) -> Iterator[dict]:
    """``n`` fictitious members of one office: a TKSK per kecamatan first, then the pillars of SPREAD."""
    people = People(seed)
    rng = people.rng
    serving = upt_for_kab()
    kabs = office_kabs(office)
    weighted = _weighted_kabs(kabs)
    made = 0
    for kab in kabs:
        for kec in regions.kec_of_kab(kab):
            if made >= n:
                return
            made += 1
            yield people.person(kab, kec["code"], bpjs=0.3) | {"assignments": [
                people.assignment("TKSK", "ANGGOTA", serving[kab], kab, kec["code"], first_year=2015)]}
    pillars = [p for p, _ in SPREAD]
    weights = [w for _, w in SPREAD]
    while made < n:
        made += 1
        kab = _pick(rng, weighted)
        kec = people.kec_in(kab)["code"]
        pillar = rng.choices(pillars, weights)[0]
        position = "PENDAMPING" if pillar in ("PKH_PLUS", "PENDAMPING_DISABILITAS") else "ANGGOTA"
        a = people.assignment(pillar, position, serving[kab], kab, kec if pillar != "TAGANA" else "",
                              level=people.tagana_level() if pillar == "TAGANA" else "")
        if pillar == "TAGANA":
            a["number"] = people.niat(kab, int(a["start"][:4]))
        if rng.random() < 0.04:
            _retire(people, a, "Mengundurkan diri")
        yield people.person(kab, kec, ages=(20, 45) if pillar == "TAGANA" else (20, 60),
                            degree=0.5 if position == "PENDAMPING" else 0.05) | {"assignments": [a]}


def build_office(path: str | Path, n: int, seed: int = 1, office: str = PROVINCE_CODE,
                 operator: str = "Generator", batch: int = 50_000) -> Path:
    """Create a data folder at ``path`` for ``office`` holding the sample offices and ``n`` members."""

    name = office_name(office)
    if name is None:
        raise KeyError(office)
    db = Database.init(path, office, name, province=office == PROVINCE_CODE, operator=operator)
    try:
        with db.transaction("sample.generate", system=True) as tx:
            for value in offices():
                tx.put("offices", value, owner=PROVINCE_CODE)
        # A few big transactions rather than one: each is one journal line held in memory.
        members = synthetic_members(n, seed, office)
        while chunk := list(itertools.islice(members, batch)):
            with db.transaction("sample.generate", system=True) as tx:
                for member in chunk:
                    if office != PROVINCE_CODE:
                        # a UPT's own roster: its members serve at it (what it may send to the province)
                        for a in member["assignments"]:
                            a["office"] = office
                    tx.put("members", member, owner=owner_of(member))
    finally:
        db.close()
    return db.path


# ---------------------------------------------------------------------- rebuilding sample_data/

def _dump(data: object) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def write_sample(out: Path = SAMPLE_DIR, seed: int = SAMPLE_SEED) -> dict[str, int]:
    """Rebuild ``sample_data/offices.json`` and ``members.json``."""
    out.mkdir(parents=True, exist_ok=True)
    office_list, members = offices(), sample_members(seed)
    (out / "offices.json").write_bytes(_dump(office_list))
    (out / "members.json").write_bytes(_dump(members))
    return {"offices": len(office_list), "members": len(members)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.sample.generate", description="rebuild sample_data/*.json")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_sample(args.out, args.seed)
    print(f"{counts['offices']} offices, {counts['members']} members -> {args.out} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
