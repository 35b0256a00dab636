"""Issue 25: the Ringkasan's figures counted straight from the files, part by part, when the folder keeps no
tallies (an older Pilar folded last, an older backup restored): the same figures as a full count of the
opened folder, with the journal's records laid over, on this thread or in child processes."""

from __future__ import annotations

import random

import orjson
import pytest

from storage import summary
from storage.core import tally
from storage.core.db import PROVINCE_CODE, Database
from storage.summary import count as counting
from tests.storage.summary.test_summary import net  # noqa: F401
from tests.storage.summary.test_tallies import edit_at_random, figures, full, item, prov  # noqa: F401


def no_tallies(path) -> None:
    (path / "db" / tally.FILE).unlink(missing_ok=True)


@pytest.mark.parametrize("processes", [0, 2])
def test_counted_from_the_files_gives_the_full_counts_figures(prov, processes):  # noqa: F811
    rng = random.Random(7)
    for round_ in range(4):
        db = Database.open(prov, operator="Siti")
        edit_at_random(db, rng, 12)
        db.close(fold=round_ % 2 == 1)  # journal left on even rounds
        no_tallies(prov)
        assert summary.current_at_start(prov) is None  # nothing kept to say it
        shown = summary.current_at_start(prov, count=True, processes=processes)
        assert shown["source"] == "counted"
        assert figures({k: v for k, v in shown.items() if k != "counted"}) == figures(full(prov)), round_


def test_the_files_tallies_as_on_disk_are_those_a_fold_counts(prov):  # noqa: F811
    db = Database.open(prov, operator="Siti")
    edit_at_random(db, random.Random(3), 10)
    db.close(fold=False)  # the journal holds the edits
    no_tallies(prov)
    journal_parts = counting.journal_changes_of(prov)
    assert journal_parts
    on_disk = summary.current_at_start(prov, count=True)["counted"]
    Database.open(prov, operator="Siti").close()  # the fold counts every file (nothing kept) and writes them
    kept = tally.read(prov / "db", _recorded(prov), 2, PROVINCE_CODE)
    untouched = set(on_disk["files"]) - journal_parts
    assert untouched and {n: kept["files"][n] for n in untouched} == {n: on_disk["files"][n] for n in untouched}


def _recorded(path):
    import orjson

    return (orjson.loads((path / "db" / "manifest.json").read_bytes()).get("indexes") or {}).get(tally.KEY)


def test_a_year_of_payouts_only_in_the_journal_is_counted(prov):  # noqa: F811
    db = Database.open(prov, operator="Siti")
    with db.transaction("test") as tx:
        for i in range(5):
            tx.put("payouts_2027", item(900 + i, "2027-Q2", "paid", "35.09", 800_000), owner=PROVINCE_CODE)
    db.close(fold=False)
    no_tallies(prov)
    shown = summary.current_at_start(prov, count=True, processes=2)
    assert shown["payouts"][-1]["quarter"] == "2027-Q2" and shown["payouts"][-1]["paid_items"] == 5
    assert figures({k: v for k, v in shown.items() if k != "counted"}) == figures(full(prov))


def test_a_damaged_part_is_said_as_an_open_says_it(prov):  # noqa: F811
    from storage.core.errors import PilarError

    no_tallies(prov)
    part = sorted((prov / "db").glob("members.*.json"))[0]
    raw = part.read_bytes()
    part.write_bytes(raw.replace(b'"nik":"', b'"nik":"9', 1))
    with pytest.raises(PilarError) as opened:
        Database.open(prov, read_only=True)
    for processes in (0, 2):
        with pytest.raises(PilarError) as counted:
            summary.current_at_start(prov, count=True, processes=processes)
        assert str(counted.value) == str(opened.value)


# ---------------------------------------------------------------------- the records waiting, part by part

def _waiting_both(prov_db) -> tuple[dict, dict]:
    from storage.summary import waiting
    from storage.sync import freshness

    codes = [r["code"] for r in freshness.offices(prov_db, __import__("datetime").date.today(), 14, waiting=False)]
    whole = freshness.waiting_counts(prov_db, codes)
    parts = waiting.waiting_counts(Database.open_parts(prov_db.path, set()), codes)
    return whole, parts


def test_the_records_waiting_counted_part_by_part_are_the_open_folders(net):  # noqa: F811
    from storage.sync import engine as sync_engine
    from tests.storage.summary.test_summary import asg, person, put_member

    dbs, tmp = net
    province, a, b = dbs[PROVINCE_CODE], dbs["UPT-A"], dbs["UPT-B"]
    a_id = put_member(a, 1, "UPT-A")
    put_member(b, 7, "UPT-B")
    sync_engine.import_bundle(province, sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb").path)
    sync_engine.import_bundle(province, sync_engine.export_bundle(b, PROVINCE_CODE, tmp / "usb").path)
    whole, parts = _waiting_both(province)
    assert whole == parts and whole["UPT-A"] is not None
    put_member(province, 2, "UPT-B")
    shared = person(3, [asg("TAGANA", office="UPT-A"), asg("PSM", office="UPT-B")])
    with province.transaction("test") as tx:
        sid = tx.put("members", shared, owner=PROVINCE_CODE)
        tx.put("members", person(4, [asg("PSM", office="UPT-B")]), owner="UPT-B")
        tx.put("settings", {"key": "x", "value": 1}, owner=PROVINCE_CODE)
    with province.transaction("test") as tx:
        tx.delete("members", sid)
    with province.transaction("test") as tx:
        tx.put("invitations", {"member_id": a_id, "name": "x"}, owner=PROVINCE_CODE)
        tx.put("payouts_2026", {"member_id": a_id, "quarter": "2026-Q1", "status": "draft"}, owner=PROVINCE_CODE)
    # a duplicate case: A's member registered again at UPT-C (same NIK), with a payout item of her own
    twin = dict(person(5, [asg("PSM", office="UPT-C")]), nik=province.get("members", a_id)["nik"])
    with province.transaction("test") as tx:
        twin_id = tx.put("members", twin, owner="UPT-C")
        tx.put("payouts_2026", {"member_id": twin_id, "quarter": "2026-Q1", "status": "draft"}, owner=PROVINCE_CODE)
    whole, parts = _waiting_both(province)  # in the journal
    assert whole == parts and whole["UPT-A"] > 0 and whole["UPT-B"] > 0
    province.compact()
    assert _waiting_both(province)[0] == _waiting_both(province)[1] == whole  # folded into the parts
    # UPT-A acknowledges, then the province moves a member of UPT-B to it: she and her item wait
    res = sync_engine.export_bundle(province, "UPT-A", tmp / "usb")
    sync_engine.import_bundle(a, res.path)
    sync_engine.import_bundle(province, sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb").path)
    b_member = put_member(province, 52, "UPT-B")
    with province.transaction("test") as tx:
        tx.put("payouts_2026", {"member_id": b_member, "quarter": "2026-Q1", "status": "paid"}, owner=PROVINCE_CODE)
    res = sync_engine.export_bundle(province, "UPT-A", tmp / "usb")
    sync_engine.import_bundle(a, res.path)
    sync_engine.import_bundle(province, sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb").path)
    moved = province.get("members", b_member)
    moved["assignments"][0]["office"] = "UPT-A"
    with province.transaction("test") as tx:
        tx.put("members", moved)
    whole, parts = _waiting_both(province)
    assert whole == parts and whole["UPT-A"] == 2


# ---------------------------------------------------------------------- pilar report summary

def _report(path, capsys, *more) -> str:
    from tui.cli import main as cli

    assert cli(["--data", str(path), "report", *more]) == 0
    return capsys.readouterr().out


def test_report_summary_prints_the_same_from_the_tallies_from_a_count_and_from_the_open_folder(prov, capsys,  # noqa: F811
                                                                                              monkeypatch):
    from storage.summary import report

    db = Database.open(prov, operator="Siti")
    edit_at_random(db, random.Random(11), 25)  # statuses, pillars, NIKs given away, deletions, additions
    rid = sorted(v["id"] for v in db.values("members"))[0]
    doc = db.doc("members", rid)
    other = dict(doc["v"][0], dot=["other-replica", 1], office="UPT-PSTW-JEMBER", vv={"other-replica": 1},
                 data=dict(doc["v"][0]["data"], address="Jl. Lain 2"))
    with db.transaction("sync.import", system=True) as tx:
        tx.put_doc("members", dict(doc, v=[*doc["v"], other]))  # a conflict
    db.close()
    db = Database.open(prov, operator="Siti")
    edit_at_random(db, random.Random(12), 10)
    with db.transaction("test") as tx:
        for i in range(4):
            tx.put("payouts_2027", item(700 + i, "2027-Q1", "approved", "35.78", 900_000), owner=PROVINCE_CODE)
    db.close(fold=False)  # these in the journal only
    assert not list((prov / "db").glob("payouts_2027*.json"))
    # the reference: the whole folder opened and counted, as before
    whole = Database.open(prov, read_only=True)
    expected = {fmt: report.render(summary.compute(whole), fmt) for fmt in ("text", "json")}
    expected["rekap"] = report.render(summary.compute(whole), "text", rekap=True)
    whole.close()
    assert "2027-Q1" in expected["text"] and summary.compute(Database.open(prov, read_only=True))["cases"]["conflicts"]

    def opened_whole(*args, **kwargs):
        raise AssertionError("the folder opened whole")
    monkeypatch.setattr(Database, "open", opened_whole)
    tallied = {"text": _report(prov, capsys, "summary"), "json": _report(prov, capsys, "summary", "--format", "json"),
               "rekap": _report(prov, capsys, "rekap")}
    assert tallied == expected
    no_tallies(prov)
    counted = {"text": _report(prov, capsys, "summary"), "json": _report(prov, capsys, "summary", "--format", "json"),
               "rekap": _report(prov, capsys, "rekap")}
    assert counted == expected
    assert not (prov / "db" / tally.FILE).exists()  # a report writes nothing


# ---------------------------------------------------------------------- the counted tallies kept by the fold

def test_a_fold_keeps_the_counted_tallies_of_the_files_it_did_not_change(prov, monkeypatch):  # noqa: F811
    db = Database.open(prov, operator="Siti")
    edit_at_random(db, random.Random(5), 12)
    db.close(fold=False)
    no_tallies(prov)
    journal_parts = counting.journal_changes_of(prov)
    counted = summary.current_at_start(prov, count=True)["counted"]
    assert not Database.open(prov, read_only=True).adopt_tallies(counted)  # a read-only open writes nothing
    db = Database.open(prov, operator="Siti")
    assert db.adopt_tallies(counted)
    recounted: list[str] = []
    real = tally.file_tally

    def spy(collection, docs, values, office):
        recounted.append(collection)
        return real(collection, docs, values, office)
    monkeypatch.setattr(tally, "file_tally", spy)
    db.close()
    monkeypatch.setattr(tally, "file_tally", real)
    cut = {n.partition(".")[0] for n in journal_parts}
    assert sum(1 for c in recounted if c in cut) == len(journal_parts)
    written = tally.read(prov / "db", _recorded(prov), 2, PROVINCE_CODE)
    no_tallies(prov)
    Database.open(prov, operator="Siti").close()  # every file counted by the fold
    again = tally.read(prov / "db", _recorded(prov), 2, PROVINCE_CODE)
    assert written["files"] == again["files"] and written["dups"] == again["dups"]


def test_counted_tallies_of_other_files_are_not_kept(prov):  # noqa: F811
    no_tallies(prov)
    counted = summary.current_at_start(prov, count=True)["counted"]
    db = Database.open(prov, operator="Siti")  # another Pilar folded a change in the meantime
    edit_at_random(db, random.Random(9), 5)
    db.close()
    no_tallies(prov)
    db = Database.open(prov, operator="Siti")
    assert not db.adopt_tallies(counted)
    db.close()


@pytest.mark.parametrize("processes", [0, 2])
def test_a_upt_counts_its_own_assignments_from_the_files(tmp_path, processes):
    from storage.sample.generate import build_office

    path = build_office(tmp_path / "u", 300, seed=4, office="UPT-PSTW-JEMBER")
    db = Database.open(path, operator="Ani")
    edit_at_random_upt = list(db.values("members"))[:5]
    with db.transaction("test") as tx:
        for v in edit_at_random_upt:
            if v["assignments"]:
                v["assignments"][0]["status"] = "INACTIVE"
                tx.put("members", v)
    db.close(fold=False)
    no_tallies(path)
    shown = summary.current_at_start(path, count=True, processes=processes)
    assert figures({k: v for k, v in shown.items() if k != "counted"}) == figures(full(path))
    assert shown["members"]["active"] > 0


def test_children_that_cannot_start_leave_the_count_to_this_process(prov, monkeypatch):  # noqa: F811
    no_tallies(prov)
    monkeypatch.setattr(counting.sys, "executable", str(prov / "no-such-python"))
    shown = summary.current_at_start(prov, count=True, processes=2)
    assert figures({k: v for k, v in shown.items() if k != "counted"}) == figures(full(prov))


# ---------------------------------------------------------------------- a part parsed for its tallies' fields

def _conflict_and_deletions(path) -> None:
    """Edits folded into the parts: a conflict whose winner differs from the first version, a deleted
    member whose other version stands, members deleted, NIKs given to two."""
    db = Database.open(path, operator="Siti")
    edit_at_random(db, random.Random(11), 40)
    ids = sorted(v["id"] for v in db.values("members"))
    for n, rid in enumerate(ids[:2]):
        doc = db.doc("members", rid)
        data = dict(doc["v"][0]["data"])
        data["assignments"] = [dict(a, pillar="TAGANA", status="ACTIVE") for a in data["assignments"]]
        other = dict(doc["v"][0], dot=["other-replica", n + 1], office="UPT-PSTW-JEMBER",
                     vv={"other-replica": n + 1}, hlc=doc["v"][0]["hlc"] + 10**9 * (1 - 2 * n), data=data,
                     deleted=False)
        first = dict(doc["v"][0], deleted=n == 1, data={} if n == 1 else doc["v"][0]["data"])
        with db.transaction("sync.import", system=True) as tx:
            tx.put_doc("members", dict(doc, v=[first, other]))
    db.close()


def _every_part(path) -> list[str]:
    return sorted(p.stem for p in (path / "db").glob("*.*.json"))


def test_a_part_parsed_for_its_tallies_fields_tallies_as_the_whole_parse(prov, monkeypatch):  # noqa: F811
    pytest.importorskip("msgspec")
    _conflict_and_deletions(prov)
    names = _every_part(prov)
    assert any(n.startswith("payouts_") for n in names) and any(n.startswith("members.") for n in names)
    read = tally.read_lean(prov / "db", PROVINCE_CODE, 2)
    lean = tally.count_parts(read, names, None)
    member = next(iter(read(names[-1] if names[-1].startswith("members") else "members.00")[1].values()))
    assert "name" not in member["v"][0]["data"] and "vv" not in member["v"][0]  # only what a tally reads
    monkeypatch.setattr(tally, "msgspec", None)  # 32-bit Windows: no msgspec, each part parsed whole
    whole = tally.count_parts(tally.read_lean(prov / "db", PROVINCE_CODE, 2), names, None)
    assert "name" in next(iter(tally.read_lean(prov / "db", PROVINCE_CODE, 2)("members.00")[1].values()))["v"][0]["data"]
    assert lean == whole
    assert sum(f.get("conflicts", 0) for f in lean["disk"].values()) == 2  # a deletion against a value is one too
    assert figures({k: v for k, v in summary.current_at_start(prov, count=True).items() if k != "counted"}) \
        == figures(full(prov))


def test_without_msgspec_the_count_gives_the_full_counts_figures(prov, monkeypatch):  # noqa: F811
    _conflict_and_deletions(prov)
    no_tallies(prov)
    monkeypatch.setattr(tally, "msgspec", None)
    shown = summary.current_at_start(prov, count=True, processes=0)
    assert figures({k: v for k, v in shown.items() if k != "counted"}) == figures(full(prov))


def test_a_part_whose_fields_are_of_other_types_is_parsed_whole():
    pytest.importorskip("msgspec")
    raw = b'{"a":{"v":[{"data":{"nik":3515,"kab":"35.15","name":"X"},"deleted":false}]}}'
    assert tally.lean_parse("members")(raw) == orjson.loads(raw)  # nik a number: not what a tally expects
    raw = b'{"a":{"v":[{"data":{"nik":"3515","kab":"35.15","name":"X"},"deleted":false,"hlc":1}]}}'
    assert tally.lean_parse("members")(raw) == {"a": {"v": [{"data": {"nik": "3515", "kab": "35.15"},
                                                              "deleted": False, "hlc": 1}]}}
    with pytest.raises(ValueError):  # not JSON at all: as orjson says it (the open then says what is wrong)
        tally.lean_parse("members")(b'{"a":')


def test_the_files_duplicate_niks_are_those_on_disk_whatever_the_journal_gave(prov):  # noqa: F811
    from collections import Counter

    db = Database.open(prov, operator="Siti")
    ids = sorted(v["id"] for v in db.values("members"))
    a, b, c = (db.get("members", i) for i in ids[:3])
    with db.transaction("test") as tx:
        tx.put("members", dict(b, nik=a["nik"]))  # the journal gives a NIK to a second member
    db.close()  # folded: on disk
    db = Database.open(prov, operator="Siti")
    with db.transaction("test") as tx:
        tx.put("members", dict(db.get("members", ids[1]), nik=c["nik"]))  # and the journal moves it on
    db.close(fold=False)
    no_tallies(prov)
    read = tally.read_lean(prov / "db", PROVINCE_CODE, 2)
    on_disk = Counter(d["nik"] for n in _every_part(prov) if n.startswith("members.")
                      for d in map(tally.live_data, read(n)[1].values()) if d is not None and d.get("nik"))
    assert on_disk[a["nik"]] == 2
    for processes in (0, 2):
        shown = summary.current_at_start(prov, count=True, processes=processes)
        assert shown["counted"]["dups"] == {nik: n for nik, n in on_disk.items() if n > 1}, processes
        assert shown["cases"]["duplicates"] == full(prov)["cases"]["duplicates"], processes
