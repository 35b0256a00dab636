"""The events command line, run in-process on a sample folder: the door scenario end to end."""

from __future__ import annotations

import json

import openpyxl
import pytest

from storage import events
from storage.core import i18n
from storage.core.db import Database
from tui.cli import main

EID = events.sample_event_id()


@pytest.fixture
def data(tmp_path, capsys):
    path = tmp_path / "data"
    assert main(["--data", str(path), "init", "--sample"]) == 0
    capsys.readouterr()
    yield path
    i18n.set_lang("id")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def invited_niks(path, count):
    db = Database.open(path, read_only=True)
    invs = sorted(events.invitations(db, EID), key=lambda i: i["id"])[:count]
    return [(i["member_id"], db.get("members", i["member_id"])["nik"], i["name"]) for i in invs]


def test_event_list_and_show_json(data, capsys):
    code, out, _ = run(capsys, "--data", str(data), "event", "list", "--format", "json")
    assert code == 0
    events = json.loads(out)
    assert events == [{"id": EID, "name": "Sinergitas Pilar Sosial Jatim 2024", "date": "2024-04-04",
                       "venue": "Aula BPSDM Jatim", "office": "JATIM", "invited": 200, "present": 0}]
    code, out, _ = run(capsys, "--data", str(data), "event", "show", EID[:8], "--format", "json")
    shown = json.loads(out)
    assert code == 0 and len(shown["invitations"]) == 200
    assert {"member_id", "group", "status"} <= set(shown["invitations"][0])
    assert shown["counts"]["groups"]["JSC"]["invited"] == 40


def test_door_scenario_through_the_command_line(data, capsys):
    d = ["--data", str(data)]
    (m1, nik1, _), (m2, _, name2), (m3, nik3, _) = invited_niks(data, 3)
    code, out, _ = run(capsys, *d, "event", "checkin", EID[:8], nik1)
    assert code == 0 and out.startswith("HADIR pukul ")
    code, out, _ = run(capsys, *d, "event", "checkin", EID[:8], nik1)
    assert code == 0 and "sudah hadir pukul" in out
    code, out, _ = run(capsys, *d, "event", "checkin", EID[:8], name2, "--format", "json")
    assert code == 0 and json.loads(out)["result"] == "checked_in" and json.loads(out)["card"]["member_id"] == m2
    code, out, _ = run(capsys, *d, "event", "mark", EID[:8], nik3, "izin")
    assert code == 0 and out.strip().endswith(": Izin.")
    # A member who was not invited: refused without a reason, recorded as a walk-in with one.
    db = Database.open(data, read_only=True)
    invited = {i["member_id"] for i in events.invitations(db, EID)}
    outsider = next(m for m in db.values("members") if m["id"] not in invited)
    code, _, err = run(capsys, *d, "event", "checkin", EID[:8], outsider["nik"])
    assert code == 1 and "--walk-in" in err
    code, out, _ = run(capsys, *d, "event", "checkin", EID[:8], outsider["nik"], "--walk-in", "Pengganti Korkab")
    assert code == 0 and out.startswith("Walk-in dicatat HADIR")

    db = Database.open(data, read_only=True)
    statuses = {i["member_id"]: i for i in events.invitations(db, EID)}
    assert statuses[m1]["status"] == "HADIR" and statuses[m2]["status"] == "HADIR"
    assert statuses[m3]["status"] == "IZIN" and statuses[outsider["id"]]["walk_in_reason"] == "Pengganti Korkab"
    total = events.counts(db, EID)["total"]
    assert (total["invited"], total["HADIR"], total["walk_in"], total["IZIN"]) == (200, 3, 1, 1)

    code, out, _ = run(capsys, *d, "report", "attendance", EID[:8])
    assert code == 0 and "DAFTAR HADIR" in out and "Surabaya, 4 April 2024" in out
    assert "Diundang 200, hadir 3 (termasuk walk-in 1), izin 1, alpa 0, belum hadir 197." in out
    code, out, _ = run(capsys, *d, "report", "attendance", EID[:8], "--format", "json")
    assert json.loads(out)["counts"]["total"]["HADIR"] == 3


@pytest.mark.parametrize("fmt, check", [
    ("html", lambda p: p.read_text().startswith("<!DOCTYPE html>")),
    ("md", lambda p: "| No" in p.read_text()),
    ("csv", lambda p: p.read_bytes().startswith(b"\xef\xbb\xbfNo,")),
    ("xlsx", lambda p: openpyxl.load_workbook(p).worksheets[0].max_row == 201),
])
def test_report_files(data, capsys, tmp_path, fmt, check):
    out_file = tmp_path / f"hadir.{fmt}"
    code, out, _ = run(capsys, "--data", str(data), "report", "attendance", EID, "--out", str(out_file))
    assert code == 0 and str(out_file) in out and check(out_file)


def test_errors_are_sentences(data, capsys):
    d = ["--data", str(data)]
    code, _, err = run(capsys, *d, "event", "show", "nope")
    assert code == 1 and "pilar event list" in err
    code, _, err = run(capsys, *d, "event", "checkin", EID, "9999999999999999")
    assert code == 1 and "Tidak ada anggota" in err
    code, _, err = run(capsys, *d, "report", "attendance", EID, "--format", "xlsx")
    assert code == 1 and "--out" in err
    code, _, err = run(capsys, *d, "--lang", "en", "event", "create", "--name", "X", "--date", "31-02-2024")
    assert code == 1 and "not recognised" in err
    assert Database.open(data, read_only=True).count("events") == 1


def test_create_and_invite(data, capsys):
    d = ["--data", str(data)]
    code, out, _ = run(capsys, *d, "event", "create", "--name", "Rakor TKSK", "--date", "2024-05-02",
                       "--start", "09.00", "--venue", "UPT PSTW Jember", "--quota", "TKSK:5:TKSK",
                       "--format", "json")
    event = json.loads(out)
    assert code == 0 and event["quotas"][0]["limit"] == 5
    code, out, _ = run(capsys, *d, "event", "invite", event["id"], "--pillar", "TKSK", "--format", "json")
    result = json.loads(out)
    assert code == 0 and len(result["invited"]) == 5 and result["over_quota"]
    code, out, _ = run(capsys, *d, "event", "invite", event["id"], "--pillar", "TKSK", "--position", "KORKAB",
                       "--kab", "Surabaya", "--override")
    assert code == 0 and "diundang" in out
    db = Database.open(data, read_only=True)
    assert len(events.invitations(db, event["id"])) >= 5


def test_event_delete_needs_a_reason_and_refuses_a_held_event(data, capsys):
    with pytest.raises(SystemExit) as usage:
        run(capsys, "--data", str(data), "event", "delete", EID[:8])
    assert usage.value.code == 2 and "--reason" in capsys.readouterr().err
    [(mid, nik, _name)] = invited_niks(data, 1)
    assert run(capsys, "--data", str(data), "--operator", "Siti", "event", "checkin", EID, nik)[0] == 0
    code, _out, err = run(capsys, "--data", str(data), "--operator", "Siti", "event", "delete", EID, "--reason", "x")
    assert code == 1 and "tidak dapat dihapus" in err
    code, out, _ = run(capsys, "--data", str(data), "--operator", "Siti", "event", "create", "--name", "Rapat salah",
                       "--date", "2024-05-02", "--format", "json")
    new_id = json.loads(out)["id"]
    code, out, _ = run(capsys, "--data", str(data), "--operator", "Siti", "event", "delete", new_id,
                       "--reason", "salah input", "--format", "json")
    assert code == 0 and json.loads(out) == {"id": new_id, "name": "Rapat salah", "invitations_deleted": 0}
    db = Database.open(data, read_only=True)
    assert db.get("events", new_id) is None and db.get("events", EID) is not None


def test_multi_day_event_checkin_mark_and_daftar_hadir_per_day(data, capsys):
    code, out, _ = run(capsys, "--data", str(data), "--operator", "Siti", "event", "create", "--name", "Diklat Tagana",
                       "--date", "2024-05-06", "--end-date", "2024-05-08", "--city", "Sidoarjo", "--format", "json")
    eid = json.loads(out)["id"]
    [(mid, nik, _name)] = invited_niks(data, 1)
    assert run(capsys, "--data", str(data), "--operator", "Siti", "event", "invite", eid, "--member", mid)[0] == 0
    code, out, _ = run(capsys, "--data", str(data), "--operator", "Siti", "event", "checkin", eid, nik,
                       "--day", "2024-05-06")
    assert code == 0 and "hadir" in out.lower()
    code, out, _ = run(capsys, "--data", str(data), "--operator", "Siti", "event", "checkin", eid, nik,
                       "--day", "2024-05-07", "--format", "json")
    assert json.loads(out)["result"] == "checked_in"  # a new day, not "already"
    code, out, _ = run(capsys, "--data", str(data), "--operator", "Siti", "event", "mark", eid, nik, "izin",
                       "--day", "2024-05-08")
    assert code == 0
    code, _out, err = run(capsys, "--data", str(data), "--operator", "Siti", "event", "checkin", eid, nik,
                          "--day", "2024-05-09")
    assert code == 1 and "bukan hari" in err
    code, out, _ = run(capsys, "--data", str(data), "report", "attendance-summary", eid, "--format", "json",
                       "--day", "2024-05-08")
    assert json.loads(out)["counts"]["total"]["IZIN"] == 1 and json.loads(out)["counts"]["total"]["HADIR"] == 0
    code, out, _ = run(capsys, "--data", str(data), "report", "attendance", eid, "--day", "2024-05-07")
    assert "hari ke-2" in out and "Sidoarjo, 7 Mei 2024" in out
