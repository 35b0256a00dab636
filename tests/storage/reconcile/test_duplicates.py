"""One person, one NIK across the province: the same NIK registered at two UPTs is a visible case,
the province merges it into one member (both assignments), and the merge reaches every office."""

from __future__ import annotations

import json

import pytest

from storage.check import run_checks, work
from storage.core import i18n
from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.reconcile import conflicts, duplicates
from storage.roster import Roster
from storage.sync import engine
from tests.support.network import make_network
from tui.cli import main as cli

A, B, J = "UPT-A", "UPT-B", PROVINCE_CODE
NIK = "3509014107850001"


def member(office, account, phone="", name="SITI AMINAH"):
    return {"nik": NIK, "name": name, "sex": "P", "birth_place": "Jember", "birth_date": "1985-07-01",
            "address": "Jl. Mawar 1", "kab": "35.09", "kec": "35.09.01", "phone": phone,
            "bank": {"name": "Bank Jatim", "account": account, "holder": name},
            "assignments": [{"id": f"asg-{office}", "pillar": "PSM", "position": "ANGGOTA", "area_kab": "35.09",
                             "area_kec": "", "office": office, "number": "", "level": "", "sk": "",
                             "start": "2023-01-01", "end": "", "status": "ACTIVE", "inactive_reason": "",
                             "inactive_date": ""}]}


def put(db, value, owner=None):
    with db.transaction("test.edit") as tx:
        return tx.put("members", value, owner=owner)


def send(dbs, frm, to, tmp):
    return engine.export_bundle(dbs[frm], to, tmp / "usb").path


def run(capsys, *argv):
    code = cli(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path)
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    state = {"dbs": dbs, "tmp": tmp_path, "paths": paths}
    yield state
    for db in state["dbs"].values():
        db.close()
    i18n.set_lang("id")


def close(state):
    for db in state["dbs"].values():
        db.close()
    state["dbs"] = {}


def reopen(state):
    close(state)
    state["dbs"] = {code: Database.open(p, operator=f"op-{code}") for code, p in state["paths"].items()}
    return state["dbs"]


def registered_twice(state):
    """Both UPTs register the same person (different accounts), both send to the province."""
    dbs, tmp = state["dbs"], state["tmp"]
    a = put(dbs[A], member(A, "1111222233334"), owner=A)
    b = put(dbs[B], member(B, "5555666677778", phone="+6281234567890"), owner=B)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    res = engine.import_bundle(dbs[J], send(dbs, B, J, tmp))
    assert res.added == 1
    return a, b


def test_same_nik_from_two_upts_is_a_case_merged_once_and_every_office_shows_one_member(net, capsys):
    a, b = registered_twice(net)
    dbs = net["dbs"]
    cases = duplicates.cases(dbs[J])
    assert len(cases) == 1 and sorted(cases[0]["ids"]) == sorted([a, b])
    case = cases[0]
    assert {r["owner"] for r in case["records"]} == {A, B} and case["nik"] == "************0001"
    fields = {f["field"]: f for f in case["fields"]}
    assert fields["bank.account"]["differs"] and not fields["name"]["differs"]
    assert sorted(fields["bank.account"]["values"]) == ["*********3334", "*********7778"]
    # pilar check: work to do, not damage (exit 0, no restore advice)
    assert run_checks(net["paths"][J]) == []
    assert len(work(dbs[J])) == 1
    close(net)
    code, out = run(capsys, "--data", str(net["paths"][J]), "check")
    assert code == 0 and "pilar conflicts merge" in out and "bukan kerusakan" in out
    assert "pilar restore" not in out and "Tidak ada cadangan yang utuh" not in out
    code, out = run(capsys, "--data", str(net["paths"][J]), "check", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and len(report["work"]) == 1
    # the conflicts list shows both records side by side and the command
    code, out = run(capsys, "--data", str(net["paths"][J]), "conflicts", "list")
    assert code == 0 and "NIK ganda" in out and a[:8] in out and b[:8] in out and "*********7778" in out
    assert "pilar conflicts merge" in out
    code, out = run(capsys, "--data", str(net["paths"][J]), "conflicts", "list", "--format", "json")
    assert [sorted(c["ids"]) for c in json.loads(out)["duplicates"]] == [sorted([a, b])]
    # the province merges: A stays, B's account and phone chosen
    code, out = run(capsys, "--data", str(net["paths"][J]), "conflicts", "merge", a[:8], b[:8],
                    "--take", "bank.account,phone")
    assert code == 0, out
    dbs = reopen(net)
    merged = dbs[J].get("members", a)
    assert merged["bank"]["account"] == "5555666677778" and merged["phone"] == "+6281234567890"
    assert [x["office"] for x in merged["assignments"]] == [A, B]
    assert dbs[J].get("members", b) is None and duplicates.merged_into(dbs[J], b) == a
    assert duplicates.member(dbs[J], b)["id"] == a and duplicates.aliases(dbs[J]) == {b: a}
    assert duplicates.cases(dbs[J]) == [] and work(dbs[J]) == []
    # bundles back: both UPTs show one member with both assignments
    for code in (A, B):
        engine.import_bundle(dbs[code], send(dbs, J, code, net["tmp"]))
        roster = Roster(dbs[code])
        rows = [r for r in roster.sorted_rows() if r.nik == NIK]
        assert [r.id for r in rows] == [a], code
        assert {x["office"] for x in dbs[code].get("members", a)["assignments"]} == {A, B}
        assert duplicates.member(dbs[code], b)["id"] == a and duplicates.cases(dbs[code]) == []
        assert run_checks(net["paths"][code]) == [] and conflicts.count(dbs[code]) == 0
    # and back to the province: nothing new, still one member
    for code in (A, B):
        engine.import_bundle(dbs[J], send(dbs, code, J, net["tmp"]))
    assert [m["id"] for m in dbs[J].values("members") if m.get("nik") == NIK] == [a]


def test_a_upt_sees_the_case_with_the_province_merges_it_and_may_not_merge(net, capsys):
    a, b = registered_twice(net)
    dbs = net["dbs"]
    # the province notes that the person registered at UPT-B also serves at UPT-A: both records reach UPT-A
    value = dbs[J].get("members", b)
    value["assignments"].append(dict(member(A, "")["assignments"][0], id="asg-extra"))
    put(dbs[J], value)
    engine.import_bundle(dbs[A], send(dbs, J, A, net["tmp"]))
    cases = duplicates.cases(dbs[A])
    assert len(cases) == 1 and not cases[0]["province"]
    with pytest.raises(PilarError) as err:
        duplicates.merge(dbs[A], a, b)
    assert err.value.key == "dup.province_only"
    assert "Provinsi yang menggabungkannya" in work(dbs[A])[0]
    close(net)
    data = str(net["paths"][A])
    code, out = run(capsys, "--data", data, "conflicts", "list")
    assert code == 0 and "NIK ganda" in out and "Provinsi yang menggabungkannya" in out
    assert "pilar conflicts merge" not in out
    code, out = run(capsys, "--data", data, "conflicts", "show", b[:8])
    assert code == 0 and "Provinsi yang menggabungkannya" in out and "*********7778" in out
    code, out = run(capsys, "--data", data, "conflicts", "merge", a[:8], b[:8])
    assert code == 1 and "Hanya provinsi" in out
    code, out = run(capsys, "--data", data, "check")
    assert code == 0 and "Provinsi yang menggabungkannya" in out


def test_merge_refusals(net):
    a, b = registered_twice(net)
    dbs = net["dbs"]
    with pytest.raises(PilarError) as err:
        duplicates.merge(dbs[J], a, b, take={"hobby": "b"})
    assert err.value.key == "dup.bad_field"
    with pytest.raises(PilarError) as err:
        duplicates.merge(dbs[J], a, a)
    assert err.value.key == "dup.same_record"
    with pytest.raises(PilarError) as err:
        duplicates.merge(dbs[J], "zzzzzzzz", b)
    assert err.value.key == "dup.unknown"
    # while one record is in conflict the merge would drop a version: refused, resolve first
    engine.import_bundle(dbs[A], send(dbs, J, A, net["tmp"]))
    put(dbs[J], dict(dbs[J].get("members", a), phone="+6281111111111"))
    put(dbs[A], dict(dbs[A].get("members", a), address="Jl. Kenanga 5"))
    engine.import_bundle(dbs[J], send(dbs, A, J, net["tmp"]))
    assert conflicts.count(dbs[J]) == 1
    with pytest.raises(PilarError) as err:
        duplicates.merge(dbs[J], b, a)
    assert err.value.key == "conflict.edit_refused" and "pilar conflicts resolve" in str(err.value)
    assert len(duplicates.cases(dbs[J])) == 1
    # the duplicate's import rows are held as well
    roster = Roster(dbs[J])
    from storage.roster.importing.plan import preview

    path = net["tmp"] / "r.csv"
    path.write_text(f"NIK,Nama,Alamat\n{NIK},SITI AMINAH,Jl. Baru 1\n", encoding="utf-8")
    plan = preview(roster, path)
    assert [r.fate for r in plan.rows] == ["conflict"] and "provinsi" in plan.rows[0].reasons[0]


def test_an_edit_concurrent_with_the_merge_is_a_conflict_and_keeping_the_deletion_keeps_the_pointer(net):
    a, b = registered_twice(net)
    dbs = net["dbs"]
    duplicates.merge(dbs[J], a, b)
    put(dbs[B], dict(dbs[B].get("members", b), address="Jl. Baru 7"))  # not yet seen the merge
    engine.import_bundle(dbs[J], send(dbs, B, J, net["tmp"]))
    rows = conflicts.list_conflicts(dbs[J])
    assert [r["id"] for r in rows] == [b] and rows[0]["label"] == "SITI AMINAH"
    info = conflicts.show(dbs[J], b)
    keep = next(s["n"] for s in info["siblings"] if s["deleted"])
    conflicts.resolve(dbs[J], b, keep=keep)
    assert dbs[J].get("members", b) is None and duplicates.merged_into(dbs[J], b) == a
    assert duplicates.member(dbs[J], b)["id"] == a


def test_after_a_merge_the_person_is_not_paid_again_for_a_quarter_already_paid(tmp_path):
    """Paid in Q2 under one record; the same person arrives from another UPT and the province merges
    the paid record into the new one: the run does not pay the survivor Q2 again, and the merged
    record's draft of Q3 gives way to the survivor's (with the survivor's account)."""
    from storage import payouts
    from tests.support.payouts import make_db
    from tests.support.payouts import member as pmember

    db = make_db(tmp_path / "p", [pmember(1, "TKSK")])
    first = next(iter(db.values("members")))["id"]
    payouts.run_quarter(db, "2024-Q2")
    payouts.approve(db, "2024-Q2")
    payouts.pay_transfer(db, "2024-Q2", "BJTM-1")
    payouts.run_quarter(db, "2024-Q3")
    dup = {k: v for k, v in db.get("members", first).items() if k not in ("id", "owner") and not k.startswith("_")}
    dup["assignments"] = [dict(a, id="as-malang", office="UPT-PSTW-MALANG") for a in dup["assignments"]]
    dup["bank"] = dict(dup["bank"], account="5500000001")
    with db.transaction("sync.import") as tx:
        second = tx.put("members", dup, owner="UPT-PSTW-MALANG")
    plan = payouts.plan_run(db, "2024-Q3")
    assert {r["reason"] for r in plan.excluded if r["member_id"] in (first, second)} == {"duplicate_nik"}
    duplicates.merge(db, second, first)
    plan, created = payouts.run_quarter(db, "2024-Q2")
    assert created == [] and plan.new == []
    q2 = [v for v in payouts.items(db, "2024-Q2") if v["status"] in payouts.LIVE]
    assert [(v["member_id"], v["status"]) for v in q2] == [(first, "paid")]
    plan, created = payouts.run_quarter(db, "2024-Q3")
    q3 = [v for v in payouts.items(db, "2024-Q3") if v["status"] in payouts.LIVE]
    assert [(v["member_id"], v["bank"]["account"]) for v in q3] == [(second, "5500000001")]
    db.close()


def test_each_upt_is_sent_the_other_record_of_its_duplicate_case(net, capsys):
    """Issue 12: the same NIK registered at A and at B. Each UPT is told, in the province's next
    bundle: the other office's record reaches it, the case is listed side by side, the province merges."""
    a, b = registered_twice(net)
    dbs = net["dbs"]
    for upt, mine, other in ((A, a, b), (B, b, a)):
        assert dbs[upt].get("members", other) is None
        engine.import_bundle(dbs[upt], send(dbs, J, upt, net["tmp"]))
        cases = duplicates.cases(dbs[upt])
        assert [sorted(c["ids"]) for c in cases] == [sorted([a, b])] and not cases[0]["province"]
        assert dbs[upt].get("members", mine)["owner"] == upt and dbs[upt].get("members", other)["owner"] != upt
    duplicates.merge(dbs[J], a, b)
    for upt in (A, B):
        engine.import_bundle(dbs[upt], send(dbs, J, upt, net["tmp"]))
        assert duplicates.cases(dbs[upt]) == [] and duplicates.survivor_id(dbs[upt], b) == a
