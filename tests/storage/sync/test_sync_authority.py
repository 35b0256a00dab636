"""Sync authority (docs/sync.md, storage/core/authority.py): an office writes only what is its own.

Each case of issue 11, tried as the adversary did: one UPT's own valid key, a few lines of the storage
API on that UPT's own folder (past the local check: ``system=True`` or raw documents), then an
ordinary export to the province. The province takes the rest of the bundle, refuses the forged
records one by one, relays nothing of them, never crashes, and the honest offices keep syncing.
"""

from __future__ import annotations

import copy

import pytest

from storage import payouts
from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.reconcile import conflicts
from storage.roster import Roster
from storage.sync import engine
from tests.support.network import make_network
from tui.cli import main as cli

J, A, Bc = PROVINCE_CODE, "UPT-A", "UPT-B"


def member(name, nik, offices, account="0011223344", **extra):
    return {"nik": nik, "name": name, "sex": "P", "kab": "35.09",
            "bank": {"name": "Bank Jatim", "account": account, "holder": name},
            "assignments": [{"id": f"as-{name}-{o}", "pillar": "TKSK", "position": "ANGGOTA", "office": o,
                             "status": "ACTIVE", "start": "2023-01-01"} for o in offices], **extra}


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path, (A, Bc))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    yield dbs, tmp_path
    for db in dbs.values():
        db.close()


def send(dbs, frm, to, tmp, mode="auto"):
    return engine.export_bundle(dbs[frm], to, tmp / "usb", mode=mode).path


def sync(dbs, frm, to, tmp, mode="auto"):
    return engine.import_bundle(dbs[to], send(dbs, frm, to, tmp, mode))


def put(db, collection, value, owner=None):
    with db.transaction("test.edit") as tx:
        return tx.put(collection, value, owner=owner)


def forge(db, collection, value, owner=None):
    """The adversary's write: past the local authority check."""
    with db.transaction("forge", system=True) as tx:
        return tx.put(collection, value, owner=owner)


def forge_doc(db, collection, doc):
    with db.transaction("forge") as tx:
        tx.put_doc(collection, doc)


def reasons(res):
    return sorted((e["collection"], e["reason"]) for e in res.refused)


def demo_member(i, office):
    """A valid demo member (NIK, birth date, kab and kecamatan agree), serving at ``office``."""
    from storage import sample

    m = sample.members()[i]
    m.pop("id")
    m["assignments"] = [dict(m["assignments"][0], id=f"as-{i}", office=office, status="ACTIVE", end="",
                             pillar="TKSK", position="ANGGOTA")]
    return m


@pytest.fixture
def world(net):
    """Province with rates and a quarter's run; A and B with a member each, all synced both ways."""
    dbs, tmp = net
    prov = dbs[J]
    payouts.load_sample(prov)  # rates and signers
    ma = put(dbs[A], "members", dict(demo_member(0, A), name="SITI",
                                      bank={"name": "Bank Jatim", "account": "0011223344", "holder": "SITI"}),
             owner=A)
    mb = put(dbs[Bc], "members", dict(demo_member(1, Bc), name="BUDI",
                                       bank={"name": "Bank Jatim", "account": "0011223344", "holder": "BUDI"}),
             owner=Bc)
    for upt in (A, Bc):
        sync(dbs, upt, J, tmp)
    payouts.run_quarter(prov, "2024-Q2")
    for upt in (A, Bc):
        sync(dbs, J, upt, tmp)
    return dbs, tmp, ma, mb


def item_of(db, member_id):
    return next(v for v in payouts.items(db, "2024-Q2") if v["member_id"] == member_id)


# ---------------------------------------------------------------------- money

def test_upt_cannot_approve_pay_or_redirect_its_own_payout_items(world):
    dbs, tmp, ma, _mb = world
    item = item_of(dbs[A], ma)
    assert item["status"] == "draft"
    # At A's desk: the form / command says who may do it.
    with pytest.raises(PilarError) as err:
        put(dbs[A], item["_collection"] if "_collection" in item else "payouts_2024",
            dict(item, status="approved"))
    assert err.value.key == "authority.province_only" and "provinsi" in str(err.value)
    # The adversary writes it anyway: approved, paid with a made-up reference, another account.
    collection = "payouts_2024"
    forged = dict(item, status="paid", transfer_ref="FAKE-001", paid_by="x",
                  bank={"name": "Bank X", "account": "9999999999", "holder": "MALLORY"})
    forge(dbs[A], collection, forged)
    res = sync(dbs, A, J, tmp)
    assert reasons(res) == [(collection, "province_only")]
    held = dbs[J].get(collection, item["id"])
    assert held["status"] == "draft" and held.get("bank", {}).get("account") != "9999999999"
    # The province's own approve and pay (two other operators) go to the real account only.
    dbs[J].operator = "Approver"
    payouts.approve(dbs[J], "2024-Q2")
    dbs[J].operator = "Bendahara"
    payouts.pay_transfer(dbs[J], "2024-Q2", "REF-REAL")
    paid = dbs[J].get(collection, item["id"])
    assert paid["status"] == "paid" and paid["transfer_ref"] == "REF-REAL"
    assert "9999999999" not in str(paid)
    # The refusal comes back to A with the province's copy: A drops its forged version.
    back = sync(dbs, J, A, tmp)
    assert [(d["collection"], d["id"]) for d in back.dropped] == [(collection, item["id"])]
    assert any("hanya provinsi yang boleh mengubahnya" in line for line in engine.refusal_lines(back))
    assert dbs[A].get(collection, item["id"])["transfer_ref"] == "REF-REAL"
    assert dbs[A].doc(collection, item["id"]) == dbs[J].doc(collection, item["id"])
    # ...and says so, so the province stops sending it.
    again = sync(dbs, A, J, tmp)
    assert not again.refused
    assert not engine.read_peers(dbs[J].path)[A]["refused"]


def test_rates_signers_offices_are_the_provinces_alone(world):
    dbs, tmp, _ma, _mb = world
    rate = next(r for r in payouts.rates(dbs[A]) if r["pillar"] == "TKSK")
    assert rate["amount"] == 1500000
    with pytest.raises(PilarError):
        payouts.set_rate(dbs[A], pillar="TKSK", amount=9000000, start="2024-01-01", funding="APBD_PROVINSI")
    forge(dbs[A], "rates", dict(rate, amount=9000000))
    signers = dbs[A].get("settings", payouts.SIGNERS_ID)
    forge(dbs[A], "settings", dict(signers, officer="MALLORY"))
    office_b = next(o for o in dbs[A].values("offices") if o["code"] == Bc)
    forge(dbs[A], "offices", dict(office_b, name="Kantor Palsu"))
    forge(dbs[A], "offices", {"code": "UPT-EVIL", "name": "Evil", "type": "UPT"}, owner=A)
    res = sync(dbs, A, J, tmp)
    assert reasons(res) == [("offices", "province_only"), ("offices", "province_only"),
                            ("rates", "province_only"), ("settings", "province_only")]
    assert next(r for r in payouts.rates(dbs[J]) if r["id"] == rate["id"])["amount"] == 1500000
    assert dbs[J].get("settings", payouts.SIGNERS_ID)["officer"] != "MALLORY"
    assert not any(o["code"] == "UPT-EVIL" for o in dbs[J].values("offices"))
    # The next run still uses 1.500.000, and nothing of it reaches B.
    plan = payouts.plan_run(dbs[J], "2024-Q3")
    assert {i["gross"] for i in plan.new if i["pillar"] == "TKSK"} == {1500000}
    sync(dbs, J, Bc, tmp)
    assert next(r for r in payouts.rates(dbs[Bc]) if r["id"] == rate["id"])["amount"] == 1500000
    assert next(o for o in dbs[Bc].values("offices") if o["code"] == Bc)["name"] != "Kantor Palsu"


# ---------------------------------------------------------------------- other offices' records

def test_naming_itself_in_the_new_version_grants_nothing(world):
    dbs, tmp, _ma, mb = world
    # A learns of B's member only if the province relays it; the adversary writes the doc by hand.
    doc = copy.deepcopy(dbs[J].doc("members", mb))
    forge_doc(dbs[A], "members", doc)
    value = dbs[A].get("members", mb)
    value["bank"] = {"name": "Bank X", "account": "9999999999", "holder": "MALLORY"}
    value["assignments"].append({"id": "x", "pillar": "TKSK", "position": "ANGGOTA", "office": A,
                                 "status": "INACTIVE"})
    forge(dbs[A], "members", value)
    # and the province's event, renamed
    ev = put(dbs[J], "events", {"name": "Sinergitas", "date": "2024-04-04", "office": J}, owner=J)
    sync(dbs, J, A, tmp)
    forge(dbs[A], "events", dict(dbs[A].get("events", ev), name="Dibatalkan", office=A))
    res = sync(dbs, A, J, tmp)
    assert sorted(e["reason"] for e in res.refused) == ["not_owner", "not_owner"]
    assert dbs[J].get("members", mb)["bank"]["account"] == "0011223344"
    assert dbs[J].get("events", ev)["name"] == "Sinergitas"
    sync(dbs, J, Bc, tmp)
    assert dbs[Bc].get("members", mb)["bank"]["account"] == "0011223344"


def test_versions_under_the_provinces_replica_id_are_refused(world):
    dbs, tmp, ma, _mb = world
    prov_replica = dbs[J].replica_id  # readable in every province manifest
    doc = copy.deepcopy(dbs[A].doc("members", ma))
    v = doc["v"][0]
    # an unseen counter of the province, office JATIM
    forged = dict(v, dot=[prov_replica, dbs[J].counter + 50], office=J,
                  vv=dict(v["vv"], **{prov_replica: dbs[J].counter + 50}),
                  data=dict(v["data"], bank={"name": "B", "account": "9999999999", "holder": "M"}))
    forge_doc(dbs[A], "members", dict(doc, v=[forged]))
    # and A's own office name on the province's replica id
    rate = next(iter(dbs[A].raw("rates").values()))
    rv = rate["v"][0]
    forge_doc(dbs[A], "rates", dict(rate, v=[dict(rv, dot=[prov_replica, dbs[J].counter + 60], office=A,
                                                  vv={prov_replica: dbs[J].counter + 60},
                                                  data=dict(rv["data"], amount=9000000))]))
    res = sync(dbs, A, J, tmp, mode="full")
    assert sorted(e["reason"] for e in res.refused) == ["not_sender", "replica"]
    assert dbs[J].get("members", ma)["bank"]["account"] == "0011223344"
    assert dbs[J].replica_id == prov_replica  # never rotated by a UPT's claim


def test_reused_dot_with_other_content_is_a_forgery(world):
    dbs, tmp, ma, _mb = world
    doc = copy.deepcopy(dbs[A].doc("members", ma))
    doc["v"][0]["data"]["name"] = "NAMA LAIN"  # same dot, other content
    forge_doc(dbs[A], "members", doc)
    res = sync(dbs, A, J, tmp, mode="full")
    assert [e["reason"] for e in res.refused] == ["forged_dot"]
    assert dbs[J].get("members", ma)["name"] == "SITI"


def test_out_of_range_clock_and_forged_vector_do_not_crash_or_wedge(world):
    dbs, tmp, ma, _mb = world
    value = dbs[A].get("members", ma)
    rid = put(dbs[A], "members", dict(value, phone="+6281111111111"))
    doc = copy.deepcopy(dbs[A].doc("members", rid))
    doc["v"][0]["hlc"] = 2 ** 64 - 1
    forge_doc(dbs[A], "members", doc)
    # a forged vector claiming writes of B nobody has seen, on a new record
    other = forge(dbs[A], "members", member("CLARA", "3509014107850009", (A,)), owner=A)
    odoc = copy.deepcopy(dbs[A].doc("members", other))
    odoc["v"][0]["vv"]["ffffffff-0000-4000-8000-000000000000"] = 10 ** 6
    forge_doc(dbs[A], "members", odoc)
    res = sync(dbs, A, J, tmp, mode="full")
    assert sorted(e["reason"] for e in res.refused) == ["clock", "vv"]
    # the province's clock is untouched: it still writes and exports
    payouts.set_rate(dbs[J], pillar="TKSK", amount=1600000, start="2025-01-01", funding="APBD_PROVINSI")
    assert dbs[J].hlc.last < 2 ** 62
    sync(dbs, J, A, tmp)
    sync(dbs, J, Bc, tmp)
    assert sync(dbs, Bc, J, tmp).refused == []


def test_padded_tombstone_does_not_wedge_the_upts(world):
    dbs, tmp, ma, mb = world
    # A pads a tombstone of B's member with a stale version nobody wrote this way
    doc = copy.deepcopy(dbs[J].doc("members", mb))
    stale = dict(doc["v"][0], dot=[doc["v"][0]["dot"][0], doc["v"][0]["dot"][1] + 1000],
                 vv={doc["v"][0]["dot"][0]: doc["v"][0]["dot"][1] + 1000})
    tomb = {"dot": [dbs[A].replica_id, dbs[A].counter + 1], "vv": {dbs[A].replica_id: dbs[A].counter + 1},
            "hlc": dbs[A].hlc.tick(), "office": A, "operator": "x", "deleted": True, "data": {}}
    forge_doc(dbs[A], "members", dict(doc, v=[tomb, stale]))
    res = sync(dbs, A, J, tmp, mode="full")
    assert res.refused and dbs[J].get("members", mb) is not None
    # every later province bundle is still taken at the UPTs, even a full one
    for upt in (A, Bc):
        assert engine.import_bundle(dbs[upt], send(dbs, J, upt, tmp, mode="full")).bundle_id
    assert dbs[Bc].get("members", mb)["name"] == "BUDI"


def test_a_bundle_straight_from_one_upt_to_another_is_refused(net, tmp_path):
    dbs, tmp = net
    from storage.office import keys as office_keys
    from storage.sync import bundle

    put(dbs[A], "members", member("SITI", "3509014107850001", (A,)), owner=A)
    # B knows A's key from the province's signed list; A makes a bundle for B by hand
    sync(dbs, A, J, tmp)
    sync(dbs, J, Bc, tmp)
    store = office_keys.TrustStore.load(dbs[A].path)
    b_entry = store.office(Bc) or {}
    if not b_entry.get("box"):
        b_entry = office_keys.TrustStore.load(dbs[J].path).office(Bc)
        store.offices[Bc] = b_entry
        store.save()
    before = dbs[Bc].count("members")
    orig = engine.recipient_keys
    engine.recipient_keys = lambda db, st, to: b_entry  # the adversary's patched Pilar
    try:
        path = engine.export_bundle(dbs[A], Bc, tmp / "usb").path
    finally:
        engine.recipient_keys = orig
    with pytest.raises(bundle.BundleError) as err:
        engine.import_bundle(dbs[Bc], path)
    assert err.value.reason in ("not_province", "unknown_office", "wrong_key")
    assert dbs[Bc].count("members") == before


# ---------------------------------------------------------------------- ordinary work never wedges

def test_removing_or_moving_an_assignment_of_another_upts_member(world):
    dbs, tmp, ma, _mb = world
    # the province adds an assignment at B to A's member
    value = dbs[J].get("members", ma)
    value["assignments"].append({"id": "as-b", "pillar": "TAGANA", "position": "ANGGOTA", "office": Bc,
                                 "status": "ACTIVE", "start": "2024-01-01"})
    put(dbs[J], "members", value)
    for upt in (A, Bc):
        sync(dbs, J, upt, tmp)
    roster = Roster(dbs[Bc])
    try:
        mine = dbs[Bc].get("members", ma)
        # B may not touch her personal data, nor move its assignment to a third office
        with pytest.raises(PilarError) as err:
            roster.save(dict(mine, address="Jl. Lain 1"), accept_warnings=True)
        assert err.value.key == "authority.person_field" and "UPT-A" in str(err.value)
        moved = copy.deepcopy(mine)
        next(a for a in moved["assignments"] if a["id"] == "as-b")["office"] = "UPT-C"
        with pytest.raises(PilarError) as err:
            roster.save(moved, accept_warnings=True)
        assert err.value.key == "authority.assignment_other" and "provinsi" in str(err.value)
        # B removes its own assignment: allowed, sent, taken.
        kept = dict(mine, assignments=[a for a in mine["assignments"] if a["office"] != Bc])
        rid, result = roster.save(kept, accept_warnings=True)
        assert rid == ma, result.errors
    finally:
        roster.close()
    res = sync(dbs, Bc, J, tmp)
    assert not res.refused and res.updated == 1
    assert [a["office"] for a in dbs[J].get("members", ma)["assignments"]] == [A]
    # and B sends again, even --full
    assert not sync(dbs, Bc, J, tmp, mode="full").refused


def test_concurrent_change_refused_comes_back_and_converges(world):
    dbs, tmp, ma, _mb = world
    value = dbs[J].get("members", ma)
    value["assignments"].append({"id": "as-b", "pillar": "TAGANA", "position": "ANGGOTA", "office": Bc,
                                 "status": "ACTIVE", "start": "2024-01-01"})
    put(dbs[J], "members", value)
    for upt in (A, Bc):
        sync(dbs, J, upt, tmp)
    # A changes her phone; at the same time B deactivates its own assignment
    put(dbs[A], "members", dict(dbs[A].get("members", ma), phone="+6281111111111"))
    mine = dbs[Bc].get("members", ma)
    for a in mine["assignments"]:
        if a["office"] == Bc:
            a["status"] = "INACTIVE"
    put(dbs[Bc], "members", mine)
    sync(dbs, A, J, tmp)
    res = sync(dbs, Bc, J, tmp)
    # B's version cannot be told from a change of A's phone back: refused, and B is told
    assert [e["reason"] for e in res.refused] == ["person_field"]
    back = sync(dbs, J, Bc, tmp)
    assert [d["id"] for d in back.dropped] == [ma]
    assert dbs[Bc].doc("members", ma) == dbs[J].doc("members", ma)
    # B makes the change again on the province's copy: taken
    mine = dbs[Bc].get("members", ma)
    for a in mine["assignments"]:
        if a["office"] == Bc:
            a["status"] = "INACTIVE"
    put(dbs[Bc], "members", mine)
    assert not sync(dbs, Bc, J, tmp).refused
    assert {a["office"]: a["status"] for a in dbs[J].get("members", ma)["assignments"]}[Bc] == "INACTIVE"
    assert dbs[J].get("members", ma)["phone"] == "+6281111111111"


def test_invitations_and_attendance_are_the_organisers(world):
    from storage import events

    dbs, tmp, ma, _mb = world
    ev = events.create_event(dbs[J], {"name": "Sinergitas", "date": "2024-04-04", "office": J})
    events.invite(dbs[J], ev, [ma])
    sync(dbs, J, A, tmp)
    with pytest.raises(PilarError) as err:
        events.checkin(dbs[A], ev, ma)
    assert err.value.key == "authority.event_owner"
    # A's own event: A invites and checks in
    own = events.create_event(dbs[A], {"name": "Rapat UPT", "date": "2024-05-01"})
    events.invite(dbs[A], own, [ma])
    events.checkin(dbs[A], own, ma)
    res = sync(dbs, A, J, tmp)
    assert not res.refused
    assert dbs[J].get("invitations", events.invitation_id(own, ma))["status"] == "HADIR"


def test_cli_import_lists_refused_records(world, capsys):
    dbs, tmp, ma, _mb = world
    rate = next(r for r in payouts.rates(dbs[A]) if r["pillar"] == "TKSK")
    forge(dbs[A], "rates", dict(rate, amount=9000000))
    path = send(dbs, A, J, tmp)
    dbs[J].close()
    try:
        # a bundle that gave nothing because its one record was refused is not a success (issue 19)
        assert cli(["--data", str(dbs[J].path), "--operator", "Prov", "import", str(path)]) == 1
        out = capsys.readouterr().out
        assert "tidak ada yang diambil: 1 catatan ditolak" in out and "Hanya provinsi" in out
        assert "sisanya sudah masuk" not in out
    finally:
        dbs[J] = Database.open(dbs[J].path, operator="op-J")
    log = engine.import_log(dbs[J].path)[-1]
    assert log["status"] == "accepted" and log["refused"][0]["reason"] == "province_only"
    assert "9000000" not in str(log)


def test_conflict_resolution_at_a_upt_over_a_shared_member_is_allowed(world):
    dbs, tmp, ma, _mb = world
    put(dbs[A], "members", dict(dbs[A].get("members", ma), phone="+6281111111111"))
    put(dbs[J], "members", dict(dbs[J].get("members", ma), phone="+6282222222222"))
    sync(dbs, A, J, tmp)
    sync(dbs, J, A, tmp)
    assert conflicts.count(dbs[A]) == 1
    conflicts.resolve(dbs[A], ma[:8], keep=1)
    assert not sync(dbs, A, J, tmp).refused
    assert conflicts.count(dbs[J]) == 0


def test_repair_drops_what_older_pilar_accepted_and_the_repair_travels(world, capsys):
    dbs, tmp, ma, _mb = world
    # What an older province took in: A's forged rate, and a version with a 2^64-1 clock.
    rate = next(iter(dbs[J].raw("rates").values()))
    bad = dict(rate["v"][0], dot=[dbs[A].replica_id, 999], vv=dict(rate["v"][0]["vv"], **{dbs[A].replica_id: 999}),
               office=A, data=dict(rate["v"][0]["data"], amount=9000000))
    forge_doc(dbs[J], "rates", dict(rate, v=[bad]))
    mdoc = copy.deepcopy(dbs[J].doc("members", ma))
    mdoc["v"][0]["hlc"] = 2 ** 64 - 1
    forge_doc(dbs[J], "members", mdoc)
    path = dbs[J].path
    dbs[J].close()
    try:
        assert cli(["--data", str(path), "sync", "repair", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "2 versi akan dibuang" in out and "hanya provinsi" in out and "jam di luar batas" in out
        assert cli(["--data", str(path), "--operator", "Prov", "sync", "repair"]) == 0
        assert "2 versi dibuang" in capsys.readouterr().out
        assert cli(["--data", str(path), "sync", "repair", "--dry-run"]) == 0
        assert "Tidak ada versi" in capsys.readouterr().out
    finally:
        dbs[J] = Database.open(path, operator="op-J")
    assert dbs[J].get("rates", rate["id"]) is None          # the forged rate is gone (re-enter it)
    assert dbs[J].get("members", ma)["name"] == "SITI"       # the member's data kept, its clock sane
    assert max(v["hlc"] for v in dbs[J].doc("members", ma)["v"]) < 2 ** 62
    payouts.set_rate(dbs[J], pillar="TKSK", amount=1500000, start="2026-01-01", funding="APBD_PROVINSI")
    sync(dbs, J, A, tmp)
    assert dbs[A].get("rates", rate["id"]) is None


def test_a_member_moved_by_the_province_brings_her_payout_history_in_the_delta(world):
    """Issue 12: after the province moves a member from A to B, B's next (delta) bundle carries her
    earlier payout items and invitations, not only her record."""
    dbs, tmp, ma, _mb = world
    item = item_of(dbs[J], ma)
    assert not [v for v in payouts.items(dbs[Bc], "2024-Q2") if v["member_id"] == ma]  # not B's, so far
    sync(dbs, Bc, J, tmp)  # B says what it has: the province's counter past the run's items
    value = dbs[J].get("members", ma)
    value["assignments"] = [dict(a, office=Bc) for a in value["assignments"]]
    put(dbs[J], "members", value)
    path = send(dbs, J, Bc, tmp)
    res = engine.import_bundle(dbs[Bc], path)
    assert res.mode == "delta" and not res.refused
    held = [v for v in payouts.items(dbs[Bc], "2024-Q2") if v["member_id"] == ma]
    assert [v["id"] for v in held] == [item["id"]] and held[0]["net"] == item["net"] > 0
    assert dbs[Bc].get("members", ma)["assignments"][0]["office"] == Bc
    again = engine.import_bundle(dbs[Bc], send(dbs, J, Bc, tmp))
    assert again.added == 0 and again.updated == 0
