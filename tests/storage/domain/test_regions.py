"""Region reference data: counts, lookups and the generator."""

from pathlib import Path

import orjson
import pytest

from storage.domain import regions
from storage.domain.reference import build_regions

SRC = Path("/work/shared/reference/jatim-domain-facts.md")


def test_counts():
    kabs = regions.kab_list()
    assert len(kabs) == 38
    assert sum(k["type"] == "KABUPATEN" for k in kabs) == 29
    assert sum(k["type"] == "KOTA" for k in kabs) == 9
    assert sum(len(regions.kec_of_kab(k["code"])) for k in kabs) == 666
    assert all(len(regions.kec_of_kab(k["code"])) == k["kec_count"] for k in kabs)


def test_kab_fields():
    assert regions.PROVINCE_CODE == "35"
    pacitan = regions.kab("35.01")
    assert pacitan == {"code": "35.01", "name": "Kabupaten Pacitan", "type": "KABUPATEN", "short": "Pacitan",
                       "area_km2": 1434.818, "kec_count": 12}
    assert regions.kab("3578")["short"] == "Surabaya"
    assert regions.kab("35.45") is None
    assert regions.kab_name("35.78") == "Kota Surabaya"
    assert regions.kab_name("35.99") == ""


def test_kec_fields():
    assert regions.kec("35.78.01") == {"code": "35.78.01", "name": "Karang Pilang", "kab": "35.78"}
    assert regions.kec_name("35.29.22") == "Ra'as"
    assert regions.kec("35.78.99") is None
    assert regions.kec_of_kab("35.79") == [
        {"code": "35.79.01", "name": "Batu", "kab": "35.79"},
        {"code": "35.79.02", "name": "Bumiaji", "kab": "35.79"},
        {"code": "35.79.03", "name": "Junrejo", "kab": "35.79"},
    ]
    assert regions.kec_of_kab("35.45") == []


def test_returns_copies():
    regions.kab("35.78")["name"] = "changed"
    assert regions.kab_name("35.78") == "Kota Surabaya"


@pytest.mark.parametrize("text", ["Surabaya", "Kota Surabaya", "KOTA SURABAYA", "  kota   surabaya ", "35.78", "3578"])
def test_find_kab_surabaya(text):
    assert regions.find_kab(text)["code"] == "35.78"


@pytest.mark.parametrize("text,code", [
    ("Kab. Malang", "35.07"), ("Kabupaten Malang", "35.07"), ("kab malang", "35.07"), ("Kab.Malang", "35.07"),
    ("Malang", "35.07"),  # bare name = kabupaten, as BPS tables write it
    ("Kota Malang", "35.73"), ("KOTA BATU", "35.79"), ("Batu", "35.79"), ("Kabupaten Sumenep", "35.29"),
])
def test_find_kab_names(text, code):
    assert regions.find_kab(text)["code"] == code


@pytest.mark.parametrize("text", ["", "Jakarta", "Kabupaten Surabaya", "Kota Pacitan", "35.45", "12"])
def test_find_kab_none(text):
    assert regions.find_kab(text) is None


def test_find_kec():
    assert regions.find_kec("Karang Pilang")["code"] == "35.78.01"
    assert regions.find_kec("karangpilang")["code"] == "35.78.01"
    assert regions.find_kec("35.78.01")["code"] == "35.78.01"
    assert regions.find_kec("357801")["code"] == "35.78.01"
    assert regions.find_kec("Kec. Sukolilo")["code"] == "35.78.09"
    assert regions.find_kec("RA'AS")["code"] == "35.29.22"
    assert regions.find_kec("Kauman") is None  # in Ponorogo and Tulungagung
    assert regions.find_kec("Kauman", "35.04")["code"] == "35.04.05"
    assert regions.find_kec("Kauman", "3502")["code"] == "35.02.12"
    assert regions.find_kec("35.78.01", kab_code="35.07") is None
    assert regions.find_kec("Nowhere") is None


def test_nik_region():
    assert regions.nik_region("3578014107850001") == ("35.78", "35.78.01")
    assert regions.nik_region("3578994107850001") == ("35.78", "")
    assert regions.nik_region("3271014107850001") == ("", "")
    assert regions.nik_region("35") == ("", "")


def test_provinces():
    assert len(regions.PROVINCES) == 38
    assert regions.PROVINCES["35"] == "Jawa Timur"


@pytest.mark.skipif(not SRC.exists(), reason="reference markdown not available")
def test_generator_matches_committed_json(tmp_path):
    out = tmp_path / "regions.json"
    assert build_regions.main([str(SRC), str(out)]) == 0
    committed = Path(build_regions.__file__).with_name("regions.json")
    assert orjson.loads(out.read_bytes()) == orjson.loads(committed.read_bytes())


def test_generator_refuses_bad_counts():
    with pytest.raises(ValueError):
        build_regions.parse("| 35.01 | Kabupaten Pacitan | 1434.818 | 12 | 167 | 5 |\n")
