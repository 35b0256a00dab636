"""Events storage: invitations and quotas, check-in lookup, attendance, counts, the sample event, reports."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest

from storage import events, sample
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.events import reports
from tests.support.events import make_folder, member, nik

WIB = timezone(timedelta(hours=7))
AT_0812 = datetime(2024, 4, 4, 8, 12, 30, tzinfo=WIB)


@pytest.fixture
def db(tmp_path):
    db = make_folder(tmp_path / "data", 120, inactive_every=10)
    yield db
    db.close()


@pytest.fixture
def event_id(db):
    return events.create_event(db, {"name": "Rakor", "date": "2024-04-04", "start_time": "08.00", "end_time": "15.00",
                                "venue": "Aula BPSDM Jatim", "city": "Surabaya",
                                "quotas": [events.parse_quota("PILAR:10:TAGANA,TKSK,PKH_PLUS"),
                                           events.parse_quota("JSC:4:JSC:1")]})


@pytest.fixture
def sample_db(tmp_path):
    db = Database.init(tmp_path / "sample", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True,
                       operator="Siti")
    sample.load(db)
    yield db
    db.close()


def member_id(db, i):
    return db.lookup("members", "nik", nik(i))[0]


# ---------------------------------------------------------------------- events

def test_create_event_cleans_fields(db, event_id):
    event = events.get_event(db, event_id)
    assert event["start_time"] == "08:00" and event["end_date"] == "2024-04-04"
    assert event["office"] == "JATIM" and event["quotas"][1] == {
        "key": "JSC", "label": "", "limit": 4, "pillars": ["JSC"], "per_office": 1}
    assert db.doc("events", event_id)["owner"] == "JATIM"


@pytest.mark.parametrize("fields, key", [
    ({"name": "", "date": "2024-04-04"}, "events.need_name"),
    ({"name": "X", "date": "4 April"}, "events.bad_date"),
    ({"name": "X", "date": "2024-04-04", "end_date": "2024-04-03"}, "events.end_before_start"),
    ({"name": "X", "date": "2024-04-04", "start_time": "25.00"}, "events.bad_time"),
    ({"name": "X", "date": "2024-04-04", "quotas": [{"key": "A", "limit": -1}]}, "events.bad_quota"),
])
def test_bad_event_changes_nothing(db, fields, key):
    seq = db.seq
    with pytest.raises(PilarError) as err:
        events.create_event(db, fields)
    assert err.value.key == key and str(err.value)
    assert db.seq == seq and db.count("events") == 0


def test_parse_quota_refuses_unknown_pillar():
    with pytest.raises(PilarError, match="TAGANAX"):
        events.parse_quota("A:3:TAGANAX")


def test_update_and_delete_event(db, event_id):
    events.update_event(db, event_id, {"venue": "Gedung Negara Grahadi"})
    assert events.get_event(db, event_id)["venue"] == "Gedung Negara Grahadi"
    events.invite(db, event_id, [member_id(db, 1)])
    with pytest.raises(PilarError, match="alasan"):
        events.delete_event(db, event_id, "  ")
    assert events.delete_event(db, event_id, "salah input tanggal") == 1
    assert db.get("events", event_id) is None and events.invitations(db, event_id) == []
    [entry] = [e for e in db.audit.for_record(event_id) if e["action"] == "delete"]
    assert entry["note"] == "salah input tanggal" and entry["operator"] == db.operator


def test_an_event_with_attendance_or_payouts_cannot_be_deleted(db, event_id):
    mid = member_id(db, 1)
    events.invite(db, event_id, [mid, member_id(db, 2)])
    events.checkin(db, event_id, mid)
    seq = db.seq
    with pytest.raises(PilarError, match="1 kehadiran"):
        events.delete_event(db, event_id, "batal")
    assert db.seq == seq and db.get("events", event_id) is not None and len(events.invitations(db, event_id)) == 2
    # A cash payout made at the event keeps it too, even with the check-in reset.
    events.set_status(db, event_id, mid, "")
    with db.transaction("test.payout") as tx:
        tx.put("payouts_2024", {"id": "p1", "member_id": mid, "quarter": "2024-Q2", "status": "paid",
                                "method": "CASH", "event_id": event_id, "gross": 1, "tax": 0, "net": 1,
                                "pillar": "TAGANA"})
    with pytest.raises(PilarError, match="pembayaran tunai"):
        events.delete_event(db, event_id, "batal")
    assert db.get("events", event_id) is not None


# ---------------------------------------------------------------------- invitations

def test_invitation_id_is_deterministic_and_one_record(db, event_id):
    mid = member_id(db, 1)
    first = events.invite(db, event_id, [mid])
    again = events.invite(db, event_id, [mid, mid])
    assert first["invited"] == [mid] and again["already"] == [mid] and again["invited"] == []
    rid = events.invitation_id(event_id, mid)
    assert rid == events.invitation_id(event_id, mid) and db.get("invitations", rid)["member_id"] == mid
    assert len(events.invitations(db, event_id)) == 1


def test_invitation_carries_group_snapshot_and_sync_metadata(db, event_id):
    mid = member_id(db, 2)  # PKH_PLUS
    events.invite(db, event_id, [mid])
    inv = db.get("invitations", events.invitation_id(event_id, mid))
    assert inv["group"] == "PILAR" and inv["pillar"] == "PKH_PLUS" and inv["invited_by"] == "JATIM"
    assert inv["operator"] == "Siti" and inv["status"] == "" and "nik" not in inv
    version = db.doc("invitations", inv["id"])["v"][0]
    assert version["dot"][0] == db.replica_id and version["hlc"] > 0 and version["office"] == "JATIM"
    assert [e["action"] for e in db.audit.for_record(inv["id"])] == ["events.invite"]


def test_quota_refuses_then_override_is_recorded(db, event_id):
    pillar_members = [m["id"] for m in events.select_members(db, ["TAGANA", "TKSK", "PKH_PLUS"])[0]]
    result = events.invite(db, event_id, pillar_members[:12])
    assert len(result["invited"]) == 10 and result["over_quota"] == pillar_members[10:12]
    forced = events.invite(db, event_id, pillar_members[10:11], override=True)
    assert forced["invited"] == forced["overridden"] == pillar_members[10:11]
    inv = db.get("invitations", events.invitation_id(event_id, pillar_members[10]))
    assert inv["override"] is True
    assert "events.quota_override" in [e["action"] for e in db.audit.for_record(inv["id"])]
    assert events.counts(db, event_id)["groups"]["PILAR"]["invited"] == 11


def test_per_upt_cap(db, event_id):
    jsc = [m for m in events.select_members(db, ["JSC"])[0]]
    by_office = Counter()
    result = events.invite(db, event_id, [m["id"] for m in jsc])
    for mid in result["invited"]:
        by_office[db.get("invitations", events.invitation_id(event_id, mid))["upt"]] += 1
    assert len(result["invited"]) == 4 and max(by_office.values()) == 1
    assert result["over_quota"]


def test_inactive_members_are_reported_not_invited(db, event_id):
    inactive = member_id(db, 9)  # every tenth member is inactive
    result = events.invite(db, event_id, [inactive])
    assert result["inactive"] == [inactive] and result["invited"] == []
    assert events.invitations(db, event_id) == []
    active, inactive_list = events.select_members(db, ["TKSK"])
    assert inactive_list and all(m["assignments"][0]["status"] == "INACTIVE" for m in inactive_list)
    assert events.invite(db, event_id, [inactive], include_inactive=True)["invited"] == [inactive]


def test_select_members_by_kab_and_upt(db):
    active, _ = events.select_members(db, kabs=["35.09"], offices=["UPT-TEST-01"])
    assert active and all(m["assignments"][0]["area_kab"] == "35.09" and
                          m["assignments"][0]["office"] == "UPT-TEST-01" for m in active)


# ---------------------------------------------------------------------- check-in

def test_find_by_nik_number_id_and_name(db, event_id):
    mid = member_id(db, 5)
    events.invite(db, event_id, [mid])
    assert [c["member_id"] for c in events.find(db, event_id, nik(5))] == [mid]
    assert [c["member_id"] for c in events.find(db, event_id, " na 000005 ")] == [mid]
    assert [c["member_id"] for c in events.find(db, event_id, mid)] == [mid]
    assert [c["member_id"] for c in events.find(db, event_id, events.invitation_id(event_id, mid))] == [mid]
    by_name = events.find(db, event_id, "test 0000")
    assert len(by_name) == 10 and by_name[0]["member_id"] == mid and by_name[0]["invited"]
    assert not by_name[1]["invited"]
    assert events.find(db, event_id, "  ") == [] and events.find(db, event_id, "zzz") == []
    card = events.find(db, event_id, nik(5))[0]
    assert card["upt_name"] == "UPT Test 05" and card["kab_name"] == "Kota Surabaya"


def test_checkin_saves_time_and_second_scan_says_already(db, event_id):
    mid = member_id(db, 1)
    events.invite(db, event_id, [mid])
    out = events.checkin(db, event_id, mid, now=AT_0812)
    assert out["result"] == "checked_in" and events.clock(out["card"]["checkin_at"]) == "08.12"
    seq = db.seq
    again = events.checkin(db, event_id, mid, now=AT_0812 + timedelta(minutes=30))
    assert again["result"] == "already" and events.clock(again["card"]["checkin_at"]) == "08.12"
    assert db.seq == seq  # nothing written for the second scan
    inv = db.get("invitations", events.invitation_id(event_id, mid))
    assert inv["status"] == "HADIR" and inv["checkin_by"] == "Siti"


def test_checkin_is_durable_and_reopens(tmp_path):
    db = make_folder(tmp_path / "d", 20)
    eid = events.create_event(db, {"name": "X", "date": "2024-04-04"})
    mid = member_id(db, 3)
    events.invite(db, eid, [mid])
    events.checkin(db, eid, mid, now=AT_0812)
    reader = Database.open(tmp_path / "d", read_only=True)  # from the journal, before any compaction
    assert reader.get("invitations", events.invitation_id(eid, mid))["status"] == "HADIR"
    assert len(events.invitations(reader, eid)) == 1
    db.close()
    reopened = Database.open(tmp_path / "d", read_only=True)
    assert events.counts(reopened, eid)["total"]["HADIR"] == 1


def test_walk_in_needs_reason(db, event_id):
    mid = member_id(db, 7)
    with pytest.raises(PilarError) as err:
        events.checkin(db, event_id, mid)
    assert err.value.key == "events.not_invited" and events.invitations(db, event_id) == []
    out = events.checkin(db, event_id, mid, walk_in_reason="Pengganti Korkab", now=AT_0812)
    assert out["result"] == "walk_in" and out["card"]["walk_in"] and not out["card"]["invited"]
    total = events.counts(db, event_id)["total"]
    assert total["walk_in"] == 1 and total["invited"] == 0 and total["HADIR"] == 1


def test_set_status_izin_alpa_reset(db, event_id):
    a, b = member_id(db, 1), member_id(db, 2)
    events.invite(db, event_id, [a, b])
    assert events.set_status(db, event_id, a, "IZIN")["status"] == "IZIN"
    assert events.set_status(db, event_id, b, "ALPA")["status"] == "ALPA"
    total = events.counts(db, event_id)["total"]
    assert (total["IZIN"], total["ALPA"], total["BELUM"]) == (1, 1, 0)
    assert events.set_status(db, event_id, a, "")["status"] == ""
    with pytest.raises(PilarError):
        events.set_status(db, event_id, a, "PULANG")
    with pytest.raises(PilarError) as err:
        events.set_status(db, event_id, member_id(db, 3), "IZIN")
    assert err.value.key == "events.not_invited_status"


def test_counts_per_group_pillar_kab(db, event_id):
    ids = [member_id(db, i) for i in (1, 2, 3, 5)]
    events.invite(db, event_id, ids)
    events.checkin(db, event_id, ids[0])
    c = events.counts(db, event_id)
    assert c["groups"]["PILAR"]["invited"] == 3 and c["groups"]["JSC"]["invited"] == 1
    assert c["groups"]["PILAR"]["hadir"] == 1
    assert sum(r["invited"] for r in c["kabs"].values()) == 4
    assert c["pillars"]["TKSK"]["hadir"] == 1


def test_no_nik_in_audit_log(db, event_id):
    mid = member_id(db, 1)
    events.invite(db, event_id, [mid])
    events.checkin(db, event_id, mid)
    assert nik(1) not in (db.path / "audit.jsonl").read_text()


# ---------------------------------------------------------------------- the sample event

def test_sample_event(sample_db):
    db = sample_db
    eid = events.sample_event_id()
    event = events.get_event(db, eid)
    assert (event["name"], event["date"], event["venue"], event["office"]) == (
        "Sinergitas Pilar Sosial Jatim 2024", "2024-04-04", "Aula BPSDM Jatim", "JATIM")
    invs = events.invitations(db, eid)
    groups = Counter(i["group"] for i in invs)
    assert len(invs) == 200 and groups == {"PILAR": 160, "JSC": 40}
    jsc_upts = Counter(i["upt"] for i in invs if i["group"] == "JSC")
    assert max(jsc_upts.values()) <= 2 and len(jsc_upts) >= 20
    for pillar in ("TAGANA", "TKSK", "PKH_PLUS"):
        positions = {i["position"] for i in invs if i["pillar"] == pillar}
        assert "KORKAB" in positions
    assert {i["position"] for i in invs} >= {"KORWIL", "KORKAB"}
    assert all(db.doc("invitations", i["id"])["owner"] == "JATIM" for i in invs)
    assert events.load_sample(db)["invited"] == 200 and len(events.invitations(db, eid)) == 200


def test_sample_event_is_deterministic(sample_db, tmp_path):
    other = Database.init(tmp_path / "other", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True)
    sample.load(other)
    eid = events.sample_event_id()

    def niks(d):
        return sorted(d.get("members", i["member_id"])["nik"] for i in events.invitations(d, eid))

    assert niks(sample_db) == niks(other)
    other.close()


def test_sample_event_not_written_at_a_upt(tmp_path):
    db = Database.init(tmp_path / "upt", "UPT-PSTW-JEMBER", "UPT PSTW Jember")
    sample.load(db)
    assert db.count("events") == 0 and db.count("invitations") == 0
    db.close()


# ---------------------------------------------------------------------- reports

@pytest.fixture
def held(db, event_id):
    ids = [member_id(db, i) for i in (1, 2, 3, 5, 6)]
    events.invite(db, event_id, ids)
    events.checkin(db, event_id, ids[0], now=AT_0812)
    events.checkin(db, event_id, member_id(db, 11), walk_in_reason="Pengganti", now=AT_0812)
    events.set_status(db, event_id, ids[1], "IZIN")
    return event_id


def test_attendance_text_report(db, held):
    text = reports.render(db, held, "attendance", "text")
    assert "DAFTAR HADIR" in text and "DINAS SOSIAL PROVINSI JAWA TIMUR" in text
    assert "Kamis, 4 April 2024, pukul 08.00 - 15.00" in text and "Surabaya, 4 April 2024" in text
    assert "Tanda Tangan" in text and "08.12" in text and "Walk-in: Pengganti" in text
    assert "Diundang 5, hadir 2 (termasuk walk-in 1), izin 1, alpa 0, belum hadir 3." in text
    headers, rows = reports.attendance_table(db, events.get_event(db, held))
    assert len(rows) == 6 and rows[-1][-2] == "Walk-in: Pengganti"


def test_report_formats(db, held):
    html = reports.render(db, held, "attendance", "html")
    assert html.startswith("<!DOCTYPE html>") and "@page { size: A4" in html and "<table>" in html
    md = reports.render(db, held, "invitations", "md")
    assert "| No" in md and "DAFTAR UNDANGAN" in md and "Pengganti" not in md
    csv = reports.render(db, held, "attendance", "csv").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("No,Nama,Pilar") and len(csv.splitlines()) == 7
    book = openpyxl.load_workbook(io.BytesIO(reports.render(db, held, "attendance", "xlsx")))
    assert book.sheetnames[0] == "Daftar hadir" and book.worksheets[0].max_row == 7
    assert "Rekap per kab-kota" in book.sheetnames


def test_summary_matches_counts(db, held):
    tables = reports.summary_tables(db, events.get_event(db, held))
    by_pillar = next(rows for title, _, rows in tables if title == "Rekap per pilar")
    total = by_pillar[-1]
    c = events.counts(db, held)["total"]
    assert total[1:] == [c["invited"], c["walk_in"], c["HADIR"], c["IZIN"], c["ALPA"]]


def test_report_write_by_extension(db, held, tmp_path):
    path = reports.write(db, held, tmp_path / "hadir.html")
    assert path.read_text().startswith("<!DOCTYPE html>")
    with pytest.raises(PilarError):
        reports.render(db, held, "attendance", "docx")
    assert reports.write(db, held, tmp_path / "hadir.pdf").read_bytes().startswith(b"%PDF-")


def test_cell_injection_is_neutralised(db, event_id):
    mid = member_id(db, 1)
    member = db.get("members", mid)
    member["name"] = "=HYPERLINK(1)"
    with db.transaction("test") as tx:
        tx.put("members", member)
    events.invite(db, event_id, [mid])
    assert "'=HYPERLINK(1)" in reports.render(db, event_id, "attendance", "csv").decode("utf-8-sig")


def test_live_counts_follow_every_commit(db, event_id):
    ids = [member_id(db, i) for i in (1, 2, 3)]
    live = events.LiveCounts(db, event_id)
    events.invite(db, event_id, ids)
    events.checkin(db, event_id, ids[0])
    events.set_status(db, event_id, ids[1], "IZIN")
    events.checkin(db, event_id, member_id(db, 7), walk_in_reason="Pengganti")
    other = events.create_event(db, {"name": "Lain", "date": "2024-05-01"})
    events.invite(db, other, ids)
    assert live.counts() == events.counts(db, event_id)
    assert live.counts()["total"]["HADIR"] == 2
    events.uninvite(db, event_id, ids[2])
    assert live.counts() == events.counts(db, event_id)
    events.update_event(db, event_id, {"quotas": [events.parse_quota("SEMUA:50")]})
    assert live.counts() == events.counts(db, event_id) and live.counts()["groups"]["SEMUA"]["limit"] == 50
    live.close()
    assert live._on_commit not in db.listeners


def test_check_reports_orphan_invitations(db, event_id):
    mid = member_id(db, 1)
    events.invite(db, event_id, [mid])
    assert events.check_invitations(db) == []
    with db.transaction("test.break") as tx:  # an event removed without its invitations
        tx.delete("events", event_id)
    problems = events.check_invitations(db)
    assert len(problems) == 1 and events.invitation_id(event_id, mid) in problems[0]


def test_event_held_at_a_upt_belongs_to_it(tmp_path):
    db = Database.init(tmp_path / "upt", "UPT-TEST-01", "UPT Test 01", operator="Rina")
    with db.transaction("test.seed") as tx:
        for i in (1, 31, 61):
            tx.put("members", member(i), owner="UPT-TEST-01")
    eid = events.create_event(db, {"name": "Apel Tagana UPT", "date": "2024-06-01"})
    ids = [m["id"] for m in db.values("members")]
    assert events.invite(db, eid, ids)["invited"] == sorted(ids, key=ids.index)
    events.checkin(db, eid, ids[0])
    assert db.doc("events", eid)["owner"] == "UPT-TEST-01"
    assert {db.doc("invitations", i["id"])["owner"] for i in events.invitations(db, eid)} == {"UPT-TEST-01"}
    assert {i["invited_by"] for i in events.invitations(db, eid)} == {"UPT-TEST-01"}
    db.close()


def test_name_search_sees_roster_changes(db, event_id):
    assert events.find(db, event_id, "Kartini") == []
    with db.transaction("test") as tx:
        tx.put("members", member(5000) | {"name": "Raden Ajeng Kartini"})
    assert [c["name"] for c in events.find(db, event_id, "ajeng kartini")] == ["Raden Ajeng Kartini"]


# ---------------------------------------------------------------------- multi-day events

@pytest.fixture
def training(db):
    """A three-day Tagana training with four invited members."""
    eid = events.create_event(db, {"name": "Diklat Tagana", "date": "2024-05-06", "end_date": "2024-05-08",
                               "venue": "UPT Sidoarjo", "city": "Sidoarjo"})
    events.invite(db, eid, [member_id(db, i) for i in (1, 2, 3, 4)])
    return eid


def test_attendance_is_taken_once_per_day(db, training):
    one, two, three = (member_id(db, i) for i in (1, 2, 3))
    assert events.event_days(events.get_event(db, training)) == ["2024-05-06", "2024-05-07", "2024-05-08"]
    assert events.checkin(db, training, one, day="2024-05-06")["result"] == "checked_in"
    assert events.checkin(db, training, one, day="2024-05-06")["result"] == "already"
    # The next morning the same member is checked in again: a new day, not "already".
    second = events.checkin(db, training, one, day="2024-05-07",
                        now=datetime(2024, 5, 7, 7, 55, tzinfo=WIB))
    assert second["result"] == "checked_in" and second["card"]["status"] == "HADIR"
    assert events.clock(second["card"]["checkin_at"]) == "07.55"
    events.checkin(db, training, two, day="2024-05-07")
    events.set_status(db, training, three, "IZIN", day="2024-05-08")
    by_day = {d: events.counts(db, training, d)["total"] for d in events.event_days(events.get_event(db, training))}
    assert {d: (c["HADIR"], c["IZIN"], c["BELUM"]) for d, c in by_day.items()} == {
        "2024-05-06": (1, 0, 3), "2024-05-07": (2, 0, 2), "2024-05-08": (0, 1, 3)}
    assert events.counts(db, training)["total"] == by_day["2024-05-06"]  # no day given: the first
    # Undoing one day's mark leaves the other days alone.
    events.set_status(db, training, one, "", day="2024-05-06")
    assert events.card(db, training, one, "2024-05-06")["status"] == ""
    assert events.card(db, training, one, "2024-05-07")["status"] == "HADIR"


def test_a_training_with_attendance_on_a_later_day_only_cannot_be_deleted(db, training):
    events.set_status(db, training, member_id(db, 2), "IZIN", day="2024-05-08")
    with pytest.raises(PilarError, match="1 kehadiran"):
        events.delete_event(db, training, "salah")
    assert db.get("events", training) is not None


def test_a_day_outside_the_event_is_refused_and_changes_nothing(db, training):
    seq = db.seq
    with pytest.raises(PilarError, match="2024-05-06 sampai 2024-05-08"):
        events.checkin(db, training, member_id(db, 1), day="2024-05-09")
    with pytest.raises(PilarError, match="bukan hari"):
        events.set_status(db, training, member_id(db, 1), "IZIN", day="kemarin")
    assert db.seq == seq


def test_a_walk_in_counts_only_on_the_day_they_came(db, training):
    outsider = member_id(db, 30)
    assert events.checkin(db, training, outsider, walk_in_reason="pengganti", day="2024-05-07")["result"] == "walk_in"
    assert events.counts(db, training, "2024-05-07")["total"]["walk_in"] == 1
    assert events.counts(db, training, "2024-05-06")["total"]["walk_in"] == 0
    assert outsider not in {v["member_id"] for v in events.invitations(db, training, "2024-05-08")}


def test_live_counts_follow_one_day(db, training):
    live = events.LiveCounts(db, training, "2024-05-07")
    try:
        events.checkin(db, training, member_id(db, 1), day="2024-05-06")  # another day: no change
        events.checkin(db, training, member_id(db, 2), day="2024-05-07")
        events.set_status(db, training, member_id(db, 3), "ALPA", day="2024-05-07")
        events.checkin(db, training, member_id(db, 40), walk_in_reason="ganti", day="2024-05-08")
        assert live.counts() == events.counts(db, training, "2024-05-07")
        assert live.counts()["total"]["HADIR"] == 1 and live.counts()["total"]["ALPA"] == 1
    finally:
        live.close()


def test_a_one_day_event_keeps_its_attendance_where_it_was(db, event_id):
    """Records of one-day events (all events before multi-day attendance) are unchanged."""
    mid = member_id(db, 1)
    events.invite(db, event_id, [mid])
    events.checkin(db, event_id, mid)
    inv = db.get("invitations", events.invitation_id(event_id, mid))
    assert inv["status"] == "HADIR" and not inv.get("days")


def test_daftar_hadir_of_each_day_of_a_training(db, training):
    events.checkin(db, training, member_id(db, 1), day="2024-05-06")
    events.checkin(db, training, member_id(db, 1), day="2024-05-07")
    events.checkin(db, training, member_id(db, 2), day="2024-05-07")
    day2 = reports.render(db, training, "attendance", "text", day="2024-05-07")
    assert "hari ke-2: Selasa, 7 Mei 2024" in day2 and "Sidoarjo, 7 Mei 2024" in day2
    day1 = reports.render(db, training, "attendance", "text", day="2024-05-06")
    assert "hari ke-1: Senin, 6 Mei 2024" in day1 and "Sidoarjo, 6 Mei 2024" in day1
    assert day1.count("Hadir") < day2.count("Hadir")  # one present on day 1, two on day 2
    data = json.loads(reports.render(db, training, "summary", "json", day="2024-05-07"))
    assert data["day"] == "2024-05-07" and data["counts"]["total"]["HADIR"] == 2
    with pytest.raises(PilarError, match="bukan hari"):
        reports.render(db, training, "attendance", "text", day="2024-06-01")
