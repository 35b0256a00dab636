"""Personal data under UU PDP 27/2022 (issue 27, storage/privacy.py, docs/privacy.md).

An erasure at the province reaches every UPT through the bundles, also past a concurrent edit and a
stale bundle, and leaves no copy of the person's NIK, account, name or address in any office's files;
a restore of an older backup erases again; the access report lists every field held; retention never
removes a record the finance rules keep; a restricted person is not paid, invited or exported.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage import backup as backups
from storage import events, payouts
from storage.core import authority
from storage.core.db import PROVINCE_CODE, Database
from storage.core.erasure_log import ledger
from storage.core.errors import PilarError
from storage.core.versions import erasure_of
from storage.office import keys as office_keys
from storage.payouts.lifecycle import void
from storage.privacy import service as P
from storage.reconcile.conflicts import field_label
from storage.roster import Query, Roster, export_rows
from storage.sync import bundle
from storage.sync import engine as E
from tests.support.network import make_network
from tui.cli import main as cli

J, A, Bc = PROVINCE_CODE, "UPT-A", "UPT-B"
NIK = "3509015507850003"
ACCOUNT = "0099887766"
NAME = "SITI PRIVASI AMINAH"
ADDRESS = "Jl. Rahasia No. 7"


def member(name=NAME, nik=NIK, offices=(A,), account=ACCOUNT, **extra):
    return {"nik": nik, "name": name, "sex": "P", "kab": "35.09", "address": ADDRESS, "phone": "+6281234500001",
            "bank": {"name": "Bank Jatim", "account": account, "holder": name},
            "assignments": [{"id": f"as-{name}-{o}", "pillar": "TKSK", "position": "ANGGOTA", "office": o,
                             "status": "ACTIVE", "start": "2023-01-01", "area_kab": "35.09"} for o in offices],
            **extra}


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path, (A, Bc))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    yield dbs, tmp_path
    for db in dbs.values():
        db.close()


def send(dbs, frm, to, usb):
    return E.import_bundle(dbs[to], E.export_bundle(dbs[frm], to, usb).path)


def folder_bytes(db: Database) -> bytes:
    """Every file of an office's current data (collection files, journal), as they are on disk."""
    return b"".join(p.read_bytes() for p in sorted((db.path / "db").glob("*")) if p.is_file())


def leaks(db: Database) -> list[str]:
    blob = folder_bytes(db)
    return [s for s in (NIK, ACCOUNT, NAME, ADDRESS, "+6281234500001") if s.encode() in blob]


def test_erasure_travels_past_a_concurrent_edit_and_a_stale_bundle(net):
    dbs, root = net
    usb = root / "usb"
    with dbs[A].transaction("add") as tx:
        mid = tx.put("members", member(offices=(A,)), owner=A)
    send(dbs, A, J, usb)
    stale = E.export_bundle(dbs[J], A, usb).path  # the province's bundle before the erasure
    send(dbs, J, A, usb)
    # A changes the phone while the province erases (neither has seen the other)
    value = dbs[A].get("members", mid)
    value["phone"] = "+6281234500002"
    with dbs[A].transaction("edit") as tx:
        tx.put("members", value)
    res = P.erase(dbs[J], NIK, "permintaan subjek data")
    assert res.records["members"] == 1 and not leaks(dbs[J])
    # the edit reaches the province after the erasure: not taken, told back
    got = send(dbs, A, J, usb)
    assert [e["reason"] for e in got.refused] == ["erased"]
    assert dbs[J].get("members", mid) is None and not leaks(dbs[J])
    send(dbs, J, A, usb)
    assert dbs[A].get("members", mid) is None
    assert not leaks(dbs[A]) and b"+6281234500002" not in folder_bytes(dbs[A])
    # the old bundle, imported late, brings nothing back
    E.import_bundle(dbs[A], stale)
    assert dbs[A].get("members", mid) is None and not leaks(dbs[A])
    # B never held the person; it gets the tombstone, which carries no personal data
    send(dbs, J, Bc, usb)
    assert not leaks(dbs[Bc])
    assert erasure_of(dbs[Bc].doc("members", mid))["on"] == dt.date.today().isoformat()
    # the import kept the erased document in the ledger
    assert any(doc["id"] == mid for _, doc in ledger(dbs[A].path))


def test_erasure_absorbs_a_concurrent_edit_where_it_arrives_first(net):
    """The UPT gets the erasure before the province has seen (and refused) its edit: the merge itself
    drops the edit's version, no conflict with the personal data stands (storage.versions)."""
    dbs, root = net
    usb = root / "usb"
    with dbs[A].transaction("add") as tx:
        mid = tx.put("members", member(offices=(A,)), owner=A)
    send(dbs, A, J, usb)
    send(dbs, J, A, usb)
    value = dbs[A].get("members", mid)
    value["address"] = "Jl. Baru 1"
    with dbs[A].transaction("edit") as tx:
        tx.put("members", value)
    P.erase(dbs[J], mid, "permintaan")
    send(dbs, J, A, usb)
    doc = dbs[A].doc("members", mid)
    assert len(doc["v"]) == 1 and doc["v"][0]["data"].keys() == {"erased"}
    assert not leaks(dbs[A]) and b"Jl. Baru 1" not in folder_bytes(dbs[A])
    assert not list(dbs[A].conflicts())
    # and the edit, sent after all, is not taken at the province either
    send(dbs, A, J, usb)
    assert dbs[J].get("members", mid) is None and not leaks(dbs[J])


def test_erasure_keeps_what_audit_needs_on_payout_items(net):
    dbs, root = net
    with dbs[J].transaction("add") as tx:
        mid = tx.put("members", member(offices=(A,)), owner=A)
        tx.put("rates", {"pillar": "TKSK", "position": "ANGGOTA", "amount": 1_500_000, "tax": 0, "funding": "APBD",
                         "start": "2024-01-01", "end": ""}, owner=J)
    payouts.save_run(dbs[J], payouts.plan_run(dbs[J], "2024-Q2"))
    [item] = [v for v in payouts.items(dbs[J], "2024-Q2") if v["member_id"] == mid]
    P.erase(dbs[J], mid, "permintaan")
    after = dbs[J].get("payouts_2024", item["id"])
    assert after["gross"] == 1_500_000 and after["net"] == 1_500_000 and after["quarter"] == "2024-Q2"
    assert after["member_id"] == mid and "account" not in after["bank"] and "holder" not in after["bank"]
    assert after["erased"]["why"] == "request"
    assert not leaks(dbs[J])
    # a later change of the item (the province voids it) keeps the account out
    void(dbs[J], item["id"], "uji")
    assert "account" not in dbs[J].get("payouts_2024", item["id"])["bank"]
    assert not leaks(dbs[J])


def test_erasure_reaches_the_upts_copies_of_payout_items_and_invitations(net):
    dbs, root = net
    usb = root / "usb"
    with dbs[J].transaction("add") as tx:
        mid = tx.put("members", member(offices=(A,)), owner=A)
        tx.put("rates", {"pillar": "TKSK", "position": "ANGGOTA", "amount": 750_000, "tax": 0, "funding": "APBD",
                         "start": "2024-01-01", "end": ""}, owner=J)
    payouts.save_run(dbs[J], payouts.plan_run(dbs[J], "2024-Q2"))
    events.invite(dbs[J], events.create_event(dbs[J], {"name": "Rapat", "date": "2024-05-01", "office": J}), [mid])
    send(dbs, J, A, usb)
    send(dbs, J, Bc, usb)
    assert ACCOUNT.encode() in folder_bytes(dbs[A])  # A holds the item with the account
    P.erase(dbs[J], NIK, "permintaan")
    send(dbs, J, A, usb)
    send(dbs, J, Bc, usb)
    for code in (J, A, Bc):
        assert not leaks(dbs[code]), code
    [item] = [v for v in dbs[A].values("payouts_2024") if v["member_id"] == mid]
    assert item["net"] == 750_000 and item["erased"]


def test_erasure_clears_the_name_in_a_runs_exclusion_rows(net):
    dbs, _ = net
    db = dbs[J]
    inactive = member()
    inactive["assignments"] = [dict(inactive["assignments"][0], status="INACTIVE", inactive_date="2023-06-01")]
    with db.transaction("add") as tx:
        mid = tx.put("members", inactive, owner=A)
        tx.put("rates", {"pillar": "TKSK", "position": "ANGGOTA", "amount": 750_000, "tax": 0, "funding": "APBD",
                         "start": "2024-01-01", "end": ""}, owner=J)
    payouts.save_run(db, payouts.plan_run(db, "2024-Q2"))
    named = [v for v in db.values("runs") if any(r.get("member_id") == mid and r.get("name")
                                                     for r in v.get("rows") or [])]
    if not named:
        pytest.skip("this run keeps no named exclusion row for the member")
    P.erase(db, mid, "permintaan")
    assert not leaks(db)
    assert all(not r.get("name") for v in db.values("runs") for r in v.get("rows") or [] if r.get("member_id") == mid)


def test_only_the_province_erases_and_a_upt_records_the_request(net, tmp_path):
    dbs, _ = net
    with dbs[A].transaction("add") as tx:
        mid = tx.put("members", member(), owner=A)
    with pytest.raises(PilarError) as err:
        P.erase(dbs[A], NIK, "x")
    assert err.value.key == "privacy.erase_province"
    # the authority table says the same for a version a UPT would forge
    r = authority.check("members", A, dbs[A].doc("members", mid), {"erased": {"on": "x"}}, True, A)
    assert r is not None and r.key == "authority.erase_province"
    req = P.add_request(dbs[A], NIK, "erasure", note="lewat surat")
    assert req["owner"] == A and req["status"] == "OPEN"
    assert dbs[A].get("members", mid)["restricted"]["request"] == req["id"]
    # the request travels to the province, which erases and closes it; both reach the UPT
    send(dbs, A, J, tmp_path / "usb")
    P.erase(dbs[J], NIK, "permintaan", request_id=req["id"][:8])
    send(dbs, J, A, tmp_path / "usb")
    done = dbs[A].get("privacy", req["id"])
    assert done["status"] == "DONE" and done["outcome"] == "erased" and "note" not in done
    assert dbs[A].get("members", mid) is None and not leaks(dbs[A])


def test_a_upt_records_a_request_about_another_offices_member_and_the_owner_restricts(net, tmp_path):
    dbs, _ = net
    usb = tmp_path / "usb"
    with dbs[J].transaction("add") as tx:
        mid = tx.put("members", member(offices=(A, Bc)), owner=A)
    send(dbs, J, Bc, usb)
    req = P.add_request(dbs[Bc], NIK, "restriction")  # B may not write A's member's personal fields
    assert req["status"] == "OPEN" and not dbs[Bc].get("members", mid).get("restricted")
    send(dbs, Bc, J, usb)
    assert [r["id"] for r in P.requests(dbs[J], open_only=True)] == [req["id"]]
    P.restrict(dbs[J], NIK, request_id=req["id"])
    send(dbs, J, Bc, usb)
    assert dbs[Bc].get("members", mid)["restricted"]["request"] == req["id"]


def test_restore_of_an_older_backup_erases_again(net):
    dbs, root = net
    with dbs[J].transaction("add") as tx:
        mid = tx.put("members", member(), owner=A)
    old = backups.backup_now(dbs[J], "manual")
    P.erase(dbs[J], mid, "permintaan")
    path = dbs[J].path
    dbs[J].close()
    result = backups.restore(path, old.name, operator="op")
    assert result.erased_again >= 1
    dbs[J] = Database.open(path, operator="op")
    assert dbs[J].get("members", mid) is None and not leaks(dbs[J])


def test_access_report_lists_every_field_held(net, tmp_path):
    dbs, _ = net
    with dbs[A].transaction("add") as tx:
        mid = tx.put("members", member(birth_place="Jember", birth_date="1985-07-15"), owner=A)
    send(dbs, A, J, tmp_path / "usb")
    req = P.add_request(dbs[J], NIK, "access")
    report = P.access_report(dbs[J], NIK, request_id=req["id"])
    text = P.report_text(report)
    held = dbs[J].get("members", mid)
    fields = P.fields_of({k: v for k, v in held.items() if k not in ("id", "owner")})
    assert len(fields) >= 15
    for key, value in fields:
        label = field_label(key)
        assert f"  {label}: {value}" in text or (value == "" and f"  {label}\n" in text), key
    assert A in text and "kantor ini" in text  # which offices hold it
    assert any(h["action"] == "privacy.report" and h["id"] == mid for h in dbs[J].audit.lines())
    pdf = P.report_pdf(dbs[J], report)
    assert pdf[:4] == b"%PDF"


def test_retention_never_removes_what_finance_keeps(net):
    dbs, _ = net
    db = dbs[J]
    old = dict(member(name="LAMA SEKALI", nik="3509015507600001"))
    old["assignments"] = [dict(old["assignments"][0], status="INACTIVE", inactive_date="2015-01-01")]
    paid = dict(member(name="LAMA DIBAYAR", nik="3509015507600002"))
    paid["assignments"] = [dict(paid["assignments"][0], status="INACTIVE", inactive_date="2015-01-01")]
    recent = dict(member(name="BARU NONAKTIF", nik="3509015507600003"))
    recent["assignments"] = [dict(recent["assignments"][0], status="INACTIVE", inactive_date="2025-06-01")]
    with db.transaction("add") as tx:
        a = tx.put("members", old, owner=A)
        b = tx.put("members", paid, owner=A)
        c = tx.put("members", recent, owner=A)
        tx.put("payouts_2020", {"member_id": b, "quarter": "2020-Q1", "gross": 1, "tax": 0, "net": 1,
                                "status": "paid", "bank": {"account": "111"}}, owner=J)
    plan = P.retention_plan(db, today=dt.date(2026, 12, 7))
    assert [r["member_id"] for r in plan.erase] == [a]
    assert [r["member_id"] for r in plan.kept_finance] == [b]
    counts = P.apply_retention(db, plan)
    assert counts["members"] == 1
    assert db.get("members", a) is None and db.get("members", b) is not None and db.get("members", c) is not None
    [rec] = P.destructions(db)
    assert rec["members"] == [a] and rec["rule"]["finance_years"] == 10


def test_restricted_member_is_not_paid_invited_or_exported(net, tmp_path):
    dbs, _ = net
    db = dbs[J]
    with db.transaction("add") as tx:
        mid = tx.put("members", member(), owner=A)
        other = tx.put("members", member(name="ORANG LAIN", nik="3509015507850004"), owner=A)
        tx.put("rates", {"pillar": "TKSK", "position": "ANGGOTA", "amount": 1_500_000, "tax": 0, "funding": "APBD",
                         "start": "2024-01-01", "end": ""}, owner=J)
    P.add_request(db, NIK, "restriction")
    plan = payouts.plan_run(db, "2024-Q2")
    assert {i["member_id"] for i in plan.new} == {other}
    assert [e["reason"] for e in plan.excluded if e["member_id"] == mid] == ["restricted"]
    ev = events.create_event(db, {"name": "Rapat", "date": "2024-05-01", "office": J})
    res = events.invite(db, ev, [mid, other])
    assert res["restricted"] == [mid] and res["invited"] == [other]
    roster = Roster(db)
    n = export_rows(roster, roster.search(Query()),
                    tmp_path / "r.csv")
    assert n == 1 and roster.left_out == 1 and NAME not in (tmp_path / "r.csv").read_text()
    P.unrestrict(db, NIK)
    assert {i["member_id"] for i in payouts.plan_run(db, "2024-Q2").new} == {mid, other}


def test_bundle_with_an_erasure_requires_it_and_an_older_reader_refuses(net, monkeypatch):
    dbs, root = net
    with dbs[J].transaction("add") as tx:
        tx.put("members", member(), owner=A)
    monkeypatch.setattr(bundle, "KNOWN_REQUIRES", frozenset(bundle.REQUIRES))  # a Pilar from before issue 27
    E.import_bundle(dbs[A], E.export_bundle(dbs[J], A, root / "usb").path)  # that one still reads it
    P.erase(dbs[J], NIK, "permintaan")
    res = E.export_bundle(dbs[J], A, root / "usb", mode="full")
    with pytest.raises(PilarError) as err:
        E.import_bundle(dbs[A], res.path)
    assert err.value.key == "sync.refused_requires"


def test_incident_notice_and_clock(net):
    dbs, _ = net
    db = dbs[J]
    with db.transaction("add") as tx:
        tx.put("members", member(), owner=A)
    P.set_register(db, dpo_name="Budi", dpo_contact="031-1")
    inc = P.add_incident(db, "flashdisk bundel hilang", "stick", True, office=A, revoke=True)
    assert inc["people"] == 1 and inc["revoked"] == A and inc["status"] == "OPEN"
    assert office_keys.TrustStore.load(db.path).offices[A]["status"] == office_keys.REVOKED
    text = "\n".join(P.notice_lines(db, inc))
    for part in ("Pasal 46", "terenkripsi", "flashdisk", "Budi", A):
        assert part in text
    assert P.due(db)["incidents"] == 1
    P.close_incident(db, inc["id"][:8])
    assert P.due(db)["incidents"] == 0
    assert P.notice_pdf(db, inc)[:4] == b"%PDF"


def test_request_clock_and_cli(tmp_path, capsys):
    d = str(tmp_path / "j")
    assert cli(["--data", d, "--operator", "op", "init", "--office", J, "--name", "Dinsos", "--province"]) == 0
    db = Database.open(d, operator="op")
    with db.transaction("add") as tx:
        mid = tx.put("members", member(), owner=A)
    db.close()
    received = (dt.datetime.now().astimezone() - dt.timedelta(hours=70)).strftime("%Y-%m-%dT%H:%M")
    assert cli(["--data", d, "--operator", "op", "privacy", "request", "add", NIK, "--kind", "access",
                "--received", received]) == 0
    capsys.readouterr()
    assert cli(["--data", d, "privacy", "requests"]) == 0
    out = capsys.readouterr().out
    assert "sisa 1 jam" in out and NIK not in out and NAME not in out
    assert cli(["--data", d, "--operator", "op", "privacy", "request", "add", "123", "--kind", "access"]) == 1
    assert "Tidak ada anggota" in capsys.readouterr().err
    assert cli(["--data", d, "--operator", "op", "privacy", "report", mid, "--out", str(tmp_path / "r.pdf")]) == 0
    assert (tmp_path / "r.pdf").read_bytes()[:4] == b"%PDF"
    assert cli(["--data", d, "--operator", "op", "privacy", "erase", NIK, "--reason", "permintaan"]) == 0
    assert "dihapus" in capsys.readouterr().out
    assert cli(["--data", d, "--operator", "op", "privacy", "retention", "--dry-run"]) == 0
    assert cli(["--data", d, "privacy", "dpia"]) == 0
    assert "Pasal 34" in capsys.readouterr().out
    # no personal number in any log
    for log in ("audit.jsonl", "imports.jsonl"):
        p = tmp_path / "j" / log
        if p.exists():
            assert NIK.encode() not in p.read_bytes() and ACCOUNT.encode() not in p.read_bytes()
