"""A UPT's letters carry its own city from the first day (issue 24): the enrolment file gives the
office's kab/kota and city, ``init --from`` keeps them, the daftar hadir is dated from there; an
enrolment file written by the previous release (no city) is still read."""

from __future__ import annotations

import orjson
import pytest

from storage import events as ev
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.events import reports as event_reports
from storage.office import keys as K
from storage.office.settings import letterhead_city
from storage.sync import engine as E
from tui.cli import main as cli


@pytest.fixture
def province(tmp_path):
    db = Database.init(tmp_path / "prov", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Admin")
    K.create_office_keys(db)
    yield db
    db.close()


def _init_from(tmp_path, path, capsys) -> Database:
    code = cli(["--data", str(tmp_path / "upt"), "--operator", "Siti", "init", "--from", str(path), "--yes"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    return Database.open(tmp_path / "upt")


def test_enrolment_carries_the_city_and_the_daftar_hadir_is_dated_there(province, tmp_path, capsys):
    path, _fp = E.write_enrolment(province, "UPT-PSTW-JEMBER", "UPT PSTW Jember", tmp_path / "stick", kab="Jember")
    body = orjson.loads(path.read_bytes())["body"]
    assert body["office"]["kab"] == "35.09" and body["office"]["city"] == "Jember" and body["version"] == 1
    upt = _init_from(tmp_path, path, capsys)
    assert upt.office["city"] == "Jember" and letterhead_city(upt) == "Jember"
    event_id = ev.create_event(upt, {"name": "Bimtek TKSK", "date": "07-12-2026", "start_time": "08.00",
                                     "venue": "Aula UPT", "office": upt.code})
    text = event_reports.render_text(upt, ev.get_event(upt, event_id), "attendance")
    assert "Jember, 7 Desember 2026" in text and "Surabaya" not in text
    upt.close()
    assert cli(["--data", str(tmp_path / "upt"), "settings"]) == 0
    assert "Kota kop surat: Jember" in capsys.readouterr().out


def test_the_office_record_gives_the_city_when_none_is_typed(province, tmp_path):
    with province.transaction("test.office") as tx:
        tx.put("offices", {"id": "o-bwi", "code": "UPT-BWI", "name": "UPT Banyuwangi", "type": "UPT", "kab": "35.10",
                           "area": [], "address": ""}, owner="JATIM")
    body = E.add_office(province, "UPT-BWI", "UPT Banyuwangi")["body"]
    assert body["office"]["city"] == "Banyuwangi"


def test_an_unknown_kab_is_refused_and_nothing_is_enrolled(province, tmp_path):
    with pytest.raises(PilarError) as err:
        E.write_enrolment(province, "UPT-X", "UPT X", tmp_path / "stick", kab="Atlantis")
    assert "Atlantis" in str(err.value) and "35.09" in str(err.value)
    assert "UPT-X" not in K.TrustStore.load(province.path).offices
    assert not any(v.get("code") == "UPT-X" for v in province.values("offices"))


def test_an_enrolment_file_of_the_previous_release_still_opens(province, tmp_path, capsys):
    E.add_office(province, "UPT-LAMA", "UPT Lama")
    old = K.enrolment(province, "UPT-LAMA", "UPT Lama")  # what the previous release wrote: no kab, no city
    assert set(old["body"]["office"]) == {"code", "name"}
    path = tmp_path / "pilar_enrol_UPT-LAMA.json"
    atomic_write(path, orjson.dumps(old))
    upt = _init_from(tmp_path, path, capsys)
    assert upt.code == "UPT-LAMA" and "city" not in upt.office
    upt.close()
