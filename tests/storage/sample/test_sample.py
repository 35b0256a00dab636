"""The demo data (sample_data/) and the synthetic roster generator."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import orjson
import pytest

from storage import sample
from storage.check import run_checks
from storage.core.db import Database
from storage.domain import regions
from storage.domain.validate import nik_birth_date, nik_sex, normalize_phone, validate_member
from storage.sample import generate
from tui.cli import main

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "sample_data"
ALL_KABS = [k["code"] for k in regions.kab_list()]


class Roster:
    """A RosterView over a list of member values (what validate_member asks about the others)."""

    def __init__(self, members: list[dict]) -> None:
        self.by_nik_map = {m["nik"]: m for m in members}
        self.active = [(m, a) for m in members for a in m["assignments"] if a["status"] == "ACTIVE"]

    def by_nik(self, nik: str) -> dict | None:
        return self.by_nik_map.get(nik)

    def active_assignments(self, pillar, position=None, kab=None, kec=None):
        return [(m, a) for m, a in self.active if a["pillar"] == pillar
                and position in (None, a["position"]) and kab in (None, a["area_kab"])
                and kec in (None, a["area_kec"])]


@pytest.fixture(scope="module")
def members() -> list[dict]:
    return sample.members()


@pytest.fixture(scope="module")
def offices() -> dict[str, dict]:
    return {o["code"]: o for o in sample.offices()}


def _assignments(members, pillar, position=None):
    return [(m, a) for m in members for a in m["assignments"]
            if a["pillar"] == pillar and position in (None, a["position"])]


# ---------------------------------------------------------------------- offices

def test_province_and_thirty_upts(offices):
    assert len(offices) == 31
    province = offices["JATIM"]
    assert province["type"] == "PROVINCE" and province["name"] == "Dinas Sosial Provinsi Jawa Timur"
    assert "Jl. Gayung Kebonsari No.56b" in province["address"] and "Surabaya" in province["address"]
    upts = [o for o in offices.values() if o["type"] == "UPT"]
    assert len(upts) == 30
    assert offices["UPT-PSTW-JEMBER"]["name"] == "UPT Pelayanan Sosial Tresna Werdha Jember"
    # 21 named in published sources, 9 from the older typology, marked as such.
    assert len([o for o in upts if "note" not in o]) == 21
    assert all("tipologi UPT lama" in o["note"] for o in upts if "note" in o)
    assert len({o["id"] for o in offices.values()}) == 31


def test_every_kab_kota_is_served_by_exactly_one_upt(offices):
    served = collections.Counter(k for o in offices.values() if o["type"] == "UPT" for k in o["area"])
    assert sorted(served) == sorted(ALL_KABS)
    assert set(served.values()) == {1}
    for o in offices.values():
        assert regions.kab(o["kab"]) is not None
        if o["type"] == "UPT":
            assert o["area"], o["code"]
    # Geography: a UPT serves the kab/kota it stands in, unless two UPTs share a seat.
    seats = collections.Counter(o["kab"] for o in offices.values() if o["type"] == "UPT")
    for o in offices.values():
        if o["type"] == "UPT" and seats[o["kab"]] == 1:
            assert o["kab"] in o["area"], o["code"]


def test_office_name():
    assert sample.office_name("JATIM") == "Dinas Sosial Provinsi Jawa Timur"
    assert sample.office_name("UPT-RSBN-MALANG") == "UPT Rehabilitasi Sosial Bina Netra Malang"
    assert sample.office_name("UPT-NOPE") is None


# ---------------------------------------------------------------------- members

def test_every_sample_member_passes_validation(members):
    roster = Roster(members)
    today = dt.date(2026, 6, 1)
    failures = {m["id"]: [e.message for e in validate_member(m, roster, today=today).errors] for m in members}
    assert {k: v for k, v in failures.items() if v} == {}
    warned = [m["name"] for m in members if validate_member(m, roster, today=today).warnings]
    assert warned == []


def test_niks_are_unique_and_agree_with_region_sex_and_birth_date(members):
    assert len({m["nik"] for m in members}) == len(members)
    for m in members:
        nik = m["nik"]
        assert len(nik) == 16 and nik.isdigit() and nik[12:] != "0000"
        assert nik[:6] == m["kec"].replace(".", "") and m["kec"].startswith(m["kab"] + ".")
        assert nik_sex(nik) == m["sex"]
        assert nik_birth_date(nik, dt.date(2024, 4, 4)).isoformat() == m["birth_date"]
        age = (generate.REFERENCE_DATE - dt.date.fromisoformat(m["birth_date"])).days // 365.25
        assert 20 <= age <= 60


def test_contact_bank_and_ownership(members, offices):
    serving = {k: o["code"] for o in offices.values() if o["type"] == "UPT" for k in o["area"]}
    accounts = [m["bank"]["account"] for m in members]
    assert len(set(accounts)) == len(accounts)
    for m in members:
        assert m["bank"]["name"] == "Bank Jatim" and len(m["bank"]["account"]) == 10
        assert m["bank"]["holder"] == m["name"].upper()
        if m["phone"]:
            assert m["phone"].startswith("+628") and normalize_phone("0" + m["phone"][3:])[0] == m["phone"]
        for a in m["assignments"]:
            if a["position"] == "KORWIL":
                assert a["office"] == "JATIM"
            elif a["pillar"] == "JSC":
                assert a["area_kab"] == offices[a["office"]]["kab"] == m["kab"]
            else:
                assert a["office"] == serving[m["kab"]], (m["name"], a)
    assert sum(1 for m in members if m["bpjs_tk"]) > 100
    assert sum(1 for m in members if not m["phone"]) < len(members) * 0.1


def test_tksk_one_per_kecamatan_living_there_and_a_koordinator_per_kab(members):
    tksk = _assignments(members, "TKSK", "ANGGOTA")
    assert len(tksk) == 666
    assert sorted(a["area_kec"] for _, a in tksk) == sorted(k["code"] for kab in ALL_KABS
                                                             for k in regions.kec_of_kab(kab))
    assert all(m["kec"] == a["area_kec"] for m, a in tksk)
    korkab = _assignments(members, "TKSK", "KORKAB")
    assert sorted(a["area_kab"] for _, a in korkab) == sorted(ALL_KABS)


def test_tagana_niat_and_levels(members):
    tagana = _assignments(members, "TAGANA")
    assert 450 <= len(tagana) <= 550
    assert all(a["number"] for _, a in tagana)
    assert len({a["number"] for _, a in tagana}) == len(tagana)
    levels = collections.Counter(a["level"] for _, a in tagana)
    assert set(levels) == {"MUDA", "MADYA", "UTAMA"}
    assert levels["MUDA"] > 0.8 * len(tagana) and levels["MADYA"] > levels["UTAMA"]
    positions = collections.Counter(a["position"] for _, a in tagana)
    assert positions["KORKAB"] >= 10 and positions["KORWIL"] >= 3
    assert any(a["status"] == "INACTIVE" and a["inactive_reason"] for _, a in tagana)


def test_pkh_plus_jsc_psm_karang_taruna(members, offices):
    pkh = collections.Counter(a["position"] for _, a in _assignments(members, "PKH_PLUS"))
    assert 180 <= pkh["PENDAMPING"] <= 220 and pkh["KORKAB"] == 38 and pkh["KORWIL"] >= 3
    jsc = _assignments(members, "JSC")
    assert len(jsc) == 40
    assert {a["office"] for _, a in jsc} == {c for c, o in offices.items() if o["type"] == "UPT"}
    assert _assignments(members, "PSM") and _assignments(members, "KARANG_TARUNA")
    assert any(len(m["assignments"]) > 1 for m in members)


def test_committed_json_is_what_the_generator_builds(tmp_path):
    counts = generate.write_sample(tmp_path)
    assert counts == {"offices": 31, "members": len(sample.members())}
    for name in ("offices.json", "members.json"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


# ---------------------------------------------------------------------- loading into a folder

def test_load_into_the_province_folder(tmp_path, members):
    db = Database.init(tmp_path / "jatim", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True)
    counts = sample.load(db)
    assert counts["members"] == len(members) and counts["offices"] == 31
    assert counts["events"] == db.count("events")
    journal = [ln for ln in db.journal_path.read_bytes().split(b"\n") if ln]
    first_two = [orjson.loads(ln.partition(b" ")[2]) for ln in journal[:2]]
    assert [list(e["ops"]) for e in first_two] == [["offices"], ["members"]]
    for m in members[:50]:
        value = db.get("members", m["id"])
        assert value["owner"] == m["assignments"][0]["office"]
        assert {k: value[k] for k in m} == m
    assert db.lookup("members", "nik", members[0]["nik"]) == [members[0]["id"]]
    db.close()
    assert run_checks(tmp_path / "jatim") == []


def test_load_into_a_upt_folder_takes_its_own_members(tmp_path, members):
    db = Database.init(tmp_path / "jember", "UPT-PSTW-JEMBER", sample.office_name("UPT-PSTW-JEMBER"))
    counts = sample.load(db)
    mine = [m for m in members if any(a["office"] == "UPT-PSTW-JEMBER" for a in m["assignments"])]
    assert counts["members"] == len(mine) > 50
    assert {v["kab"] for v in db.values("members")} <= {"35.09", "35.08"}
    db.close()


# ---------------------------------------------------------------------- synthetic rosters

def test_synthetic_members_are_valid_unique_and_deterministic():
    made = list(generate.synthetic_members(3000, seed=7))
    assert len(made) == 3000
    assert made == list(generate.synthetic_members(3000, seed=7))
    assert [m["nik"] for m in generate.synthetic_members(3000, seed=8)] != [m["nik"] for m in made]
    assert len({m["nik"] for m in made}) == 3000 and len({m["id"] for m in made}) == 3000
    roster = Roster(made)
    bad = [(m["name"], [e.message for e in r.errors]) for m in made
           if (r := validate_member(m, roster, today=dt.date(2026, 6, 1))).errors]
    assert bad == []
    pillars = collections.Counter(m["assignments"][0]["pillar"] for m in made)
    assert pillars["TKSK"] == 666 and pillars["TAGANA"] > pillars["PKH_PLUS"] > pillars["PORDAM"]
    assert len({m["kab"] for m in made}) == 38


def test_synthetic_upt_roster_stays_in_its_area():
    made = list(generate.synthetic_members(500, seed=3, office="UPT-RSTS-MADIUN"))
    assert {m["kab"] for m in made} == {"35.19", "35.21", "35.77"}
    assert {a["office"] for m in made for a in m["assignments"]} == {"UPT-RSTS-MADIUN"}


def test_build_office(tmp_path):
    path = generate.build_office(tmp_path / "big", 1200, seed=5)
    db = Database.open(path, read_only=True)
    assert db.count("members") == 1200 and db.count("offices") == 31
    assert db.code == "JATIM" and db.is_province
    assert run_checks(path) == []


def test_cli_sample_generate(tmp_path, capsys):
    out = tmp_path / "gen"
    assert main(["sample", "generate", "--members", "800", "--out", str(out), "--office", "upt-pstw-jember",
                 "--seed", "9", "--format", "json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["members"] == 800 and report["office"] == "UPT-PSTW-JEMBER"
    db = Database.open(out, read_only=True)
    assert db.count("members") == 800 and db.code == "UPT-PSTW-JEMBER"
    # The same folder again, a bad count, an unknown office: one sentence, exit 1.
    assert main(["sample", "generate", "--members", "10", "--out", str(out)]) == 1
    assert "sudah ada" in capsys.readouterr().err
    assert main(["sample", "generate", "--members", "nol", "--out", str(tmp_path / "x")]) == 1
    assert "bilangan bulat" in capsys.readouterr().err
    assert main(["--lang", "en", "sample", "generate", "--members", "5", "--out", str(tmp_path / "y"),
                 "--office", "UPT-NOPE"]) == 1
    assert "Office UPT-NOPE is not in the demo data" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["sample", "generate", "--out", str(tmp_path / "z")])
    assert usage.value.code == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
