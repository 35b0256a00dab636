"""Payouts: rates, eligibility, runs that never duplicate, approval, payment, void, arrears, audit."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from storage import events, payouts
from storage.core.db import Database
from storage.core.errors import PilarError
from tests.support.payouts import Q2_CODE as Q2
from tests.support.payouts import add_members, make_db, member


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path / "d", [
        member(1, "TAGANA"), member(2, "TAGANA"), member(3, "TKSK"),
        member(4, "PKH_PLUS", "KORKAB"), member(5, "PKH_PLUS", "KORWIL"), member(6, "PKH_PLUS", "PENDAMPING"),
    ])
    yield db
    db.close()


def ids_of(db):
    return {m["name"]: m["id"] for m in db.values("members")}


# ---------------------------------------------------------------- money

@pytest.mark.parametrize("value,expected", [(1_500_000, 1_500_000), ("1500000", 1_500_000),
                                            ("1.500.000", 1_500_000), ("Rp750.000", 750_000), (0, 0)])
def test_money_accepts_whole_rupiah(value, expected):
    assert payouts.money(value) == expected


@pytest.mark.parametrize("value", [1500000.0, 1.5, True, "1500000,50", "1.500.000,00", "satu juta", "15e5", None])
def test_money_refuses_floats_and_text_with_a_sentence(value):
    with pytest.raises(PilarError) as err:
        payouts.money(value)
    assert "rupiah bulat" in str(err.value)


@pytest.mark.parametrize("value", [-1, "-750000", "-750.000"])
def test_money_refuses_negative(value):
    with pytest.raises(PilarError) as err:
        payouts.money(value)
    assert "negatif" in str(err.value)


# ---------------------------------------------------------------- rates

def test_sample_rates_are_the_2024_figures(db):
    by_key = {(r["pillar"], r["position"]): r for r in payouts.rates(db)}
    assert by_key[("PKH_PLUS", "KORKAB")]["amount"] == 1_500_000
    assert by_key[("PKH_PLUS", "KORWIL")]["amount"] == 1_500_000
    assert by_key[("TAGANA", "")]["amount"] == 750_000
    assert by_key[("TKSK", "")]["amount"] == 1_500_000
    for key in (("PKH_PLUS", "KORKAB"), ("TAGANA", ""), ("TKSK", "")):
        r = by_key[key]
        assert (r["start"], r["funding"], r["tax"], r["demo"]) == ("2024-01-01", "APBD_PROVINSI", 0, False)
    assert by_key[("JSC", "")]["demo"] is True and by_key[("PSM", "")]["demo"] is True
    assert all(db.doc("rates", r["id"])["owner"] == "JATIM" for r in payouts.rates(db))
    assert payouts.load_sample(db) == 0


def test_bad_rate_changes_nothing(db):
    before = db.seq
    for kwargs, word in [({"amount": 750000.0}, "rupiah bulat"), ({"amount": -5}, "negatif"),
                         ({"amount": 100, "tax": 200}, "lebih besar"), ({"amount": 100, "start": "1/1/2024"}, "2024-01-01"),
                         ({"amount": 100, "pillar": "SATPAM"}, "SATPAM"), ({"amount": 0}, "lebih dari Rp0")]:
        args = {"pillar": "TAGANA", "start": "2025-01-01", "funding": "APBD_PROVINSI"} | kwargs
        with pytest.raises(PilarError) as err:
            payouts.set_rate(db, **args)
        assert word in str(err.value)
    assert db.seq == before


def test_new_rate_ends_the_open_one_and_overlaps_are_refused(db):
    new = payouts.set_rate(db, pillar="TAGANA", amount="1.000.000", start="2024-07-01", funding="APBD_PROVINSI")
    old = next(r for r in payouts.rates(db) if r["pillar"] == "TAGANA" and r["id"] != new["id"])
    assert old["end"] == "2024-06-30" and new["amount"] == 1_000_000 and new["tax"] == 0
    with pytest.raises(PilarError, match="tumpang tindih"):
        payouts.set_rate(db, pillar="TAGANA", amount=1, start="2024-05-01", end="2024-05-31", funding="APBN")
    first, last = payouts.Quarter.parse("2024-Q3").bounds
    assert payouts.rate_for(payouts.rates(db), "TAGANA", "ANGGOTA", first, last)["amount"] == 1_000_000
    first, last = payouts.Quarter.parse(Q2).bounds
    assert payouts.rate_for(payouts.rates(db), "TAGANA", "ANGGOTA", first, last)["amount"] == 750_000


def test_exact_position_rate_beats_the_pillar_rate(db):
    first, last = payouts.Quarter.parse(Q2).bounds
    assert payouts.rate_for(payouts.rates(db), "PKH_PLUS", "KORKAB", first, last)["amount"] == 1_500_000
    assert payouts.rate_for(payouts.rates(db), "PKH_PLUS", "PENDAMPING", first, last)["amount"] == 1_000_000


def test_only_the_province_manages_rates(tmp_path):
    upt = Database.init(tmp_path / "upt", "UPT-PSTW-JEMBER", "UPT", operator="Ani")
    with pytest.raises(PilarError, match="JATIM"):
        payouts.set_rate(upt, pillar="TAGANA", amount=1, start="2024-01-01", funding="APBN")
    with pytest.raises(PilarError):
        payouts.run_quarter(upt, Q2)
    upt.close()


# ---------------------------------------------------------------- runs

def test_run_makes_one_item_per_member_and_pillar_at_the_rate(db):
    plan, created = payouts.run_quarter(db, Q2)
    assert len(created) == 6 and not plan.excluded
    t = plan.totals.as_dict()
    assert t["by_pillar"]["TAGANA"] == {"count": 2, "gross": 1_500_000, "tax": 0, "net": 1_500_000}
    assert t["by_pillar"]["TKSK"]["gross"] == 1_500_000
    assert t["by_pillar"]["PKH_PLUS"]["gross"] == 1_500_000 * 2 + 1_000_000
    assert t["total"]["net"] == payouts.summary(db, Q2)["total"]["net"]
    for item in created:
        assert item["id"] == str(uuid.uuid5(payouts.NAMESPACE, f"{item['member_id']}:{item['pillar']}:2024:2:quarterly"))
        assert db.doc("payouts_2024", item["id"])["owner"] == "JATIM"
        assert all(isinstance(item[k], int) for k in ("gross", "tax", "net"))
        assert item["status"] == "draft"
    assert db.get("runs", payouts.run_id(payouts.Quarter(2024, 2)))["status"] == "draft"


def test_rerun_changes_nothing(db):
    payouts.run_quarter(db, Q2)
    seq, audit_n = db.seq, db.audit.n
    plan, created = payouts.run_quarter(db, Q2)
    assert created == [] and plan.changes == 0 and plan.unchanged == 6
    assert (db.seq, db.audit.n) == (seq, audit_n)
    payouts.approve(db, Q2)
    seq = db.seq
    plan, created = payouts.run_quarter(db, Q2)
    assert created == [] and db.seq == seq and len(payouts.items(db, Q2)) == 6


def test_rerun_adds_only_the_missing_member(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    [new_id] = add_members(db, [member(7, "TKSK")])
    plan, created = payouts.run_quarter(db, Q2)
    assert [c["member_id"] for c in created] == [new_id]
    assert created[0]["status"] == "draft" and len(payouts.items(db, Q2)) == 7
    assert plan.totals.grand[0] == 7


@pytest.mark.parametrize("kwargs,eligible", [
    ({"status": "INACTIVE", "inactive_date": "2024-05-10"}, True),   # stopped during the quarter
    ({"status": "INACTIVE", "inactive_date": "2024-03-31"}, "inactive"),  # stopped before it
    ({"status": "INACTIVE", "inactive_date": ""}, "inactive"),
    ({"start": "2024-06-30"}, True),                                 # started on its last day
    ({"start": "2024-07-01"}, "not_started"),                        # the SK starts after the quarter
    ({"end": "2024-04-01"}, True),
    ({"end": "2024-03-31"}, "sk_ended"),                             # the SK ended before it
])
def test_eligible_when_active_at_some_point_in_the_quarter(tmp_path, kwargs, eligible):
    db = make_db(tmp_path / "d", [member(1, "TAGANA", **kwargs)])
    plan = payouts.plan_run(db, Q2)
    assert len(plan.new) == (1 if eligible is True else 0)
    if eligible is not True:
        assert [e["reason"] for e in plan.excluded] == [eligible]
    db.close()


def test_exclusions_say_why(tmp_path):
    db = make_db(tmp_path / "d", [member(1, account=""), member(2, nik="3578000000009999"),
                                  member(3, nik="3578000000009999"), member(4, "TAGANA"),
                                  member(5, status="INACTIVE")])
    with db.transaction("t") as tx:
        for r in payouts.rates(db):
            if r["pillar"] == "TAGANA":
                tx.delete("rates", r["id"])
    add_members(db, [member(6, "TKSK")])
    reasons = {e["name"]: e["reason"] for e in payouts.plan_run(db, Q2).excluded}
    assert reasons == {"Anggota 001": "no_rate", "Anggota 002": "no_rate", "Anggota 003": "no_rate",
                       "Anggota 004": "no_rate", "Anggota 005": "inactive"}
    payouts.set_rate(db, pillar="TAGANA", amount=750000, start="2024-01-01", funding="APBD_PROVINSI")
    plan = payouts.plan_run(db, Q2)
    reasons = {e["name"]: e["reason"] for e in plan.excluded}
    assert reasons == {"Anggota 001": "no_bank", "Anggota 002": "duplicate_nik", "Anggota 003": "duplicate_nik",
                       "Anggota 005": "inactive"}
    assert {v["member_id"] for v in plan.new} == {ids_of(db)["Anggota 004"], ids_of(db)["Anggota 006"]}
    cash = payouts.plan_run(db, Q2, allow_cash=True)
    [no_account] = [v for v in cash.new if v["member_id"] == ids_of(db)["Anggota 001"]]
    assert no_account["method"] == "CASH"
    db.close()


def test_member_in_two_pillars_is_flagged_for_review(tmp_path):
    two = member(1, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78",
                                      "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE",
                                      "id": "a2"}])
    db = make_db(tmp_path / "d", [two, member(2)])
    plan, created = payouts.run_quarter(db, Q2)
    assert len(created) == 3 and list(plan.review.values()) == [["TAGANA", "TKSK"]]
    db.close()


def test_rate_change_never_touches_approved_items_but_refreshes_drafts(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    approved = {v["id"]: v["gross"] for v in payouts.items(db, Q2)}
    rid = next(r["id"] for r in payouts.rates(db) if r["pillar"] == "TAGANA")
    old = db.get("rates", rid)
    payouts.set_rate(db, pillar="TAGANA", amount=900_000, start=old["start"], funding="APBD_PROVINSI", rate_id=rid)
    payouts.run_quarter(db, Q2)
    assert {v["id"]: v["gross"] for v in payouts.items(db, Q2)} == approved
    _plan, created = payouts.run_quarter(db, "2024-Q3")
    assert {v["gross"] for v in created if v["pillar"] == "TAGANA"} == {900_000}
    payouts.set_rate(db, pillar="TAGANA", amount=800_000, start=old["start"], funding="APBD_PROVINSI", rate_id=rid)
    plan, _ = payouts.run_quarter(db, "2024-Q3")
    assert len(plan.updated) == 2
    assert {v["gross"] for v in payouts.items(db, "2024-Q3") if v["pillar"] == "TAGANA"} == {800_000}


def test_draft_of_a_member_no_longer_eligible_is_removed(db):
    payouts.run_quarter(db, Q2)
    m = db.get("members", ids_of(db)["Anggota 001"])
    m["assignments"][0].update(status="INACTIVE", inactive_date="2024-01-15")
    with db.transaction("t") as tx:
        tx.put("members", m)
    plan, _ = payouts.run_quarter(db, Q2)
    assert len(plan.removed) == 1 and len(payouts.items(db, Q2)) == 5


# ---------------------------------------------------------------- approve, pay, void

def test_approve_is_one_transaction_and_records_who_and_when(db):
    payouts.run_quarter(db, Q2)
    seq = db.seq
    result = payouts.approve(db, Q2)
    assert db.seq == seq + 1 and result["count"] == 6 and result["net"] == 7_000_000
    for v in payouts.items(db, Q2):
        assert v["status"] == "approved" and v["approved_by"] == "Siti" and v["approved_at"]
    run = payouts.get_run(db, Q2)
    assert run["status"] == "approved" and run["approvals"][0]["net"] == 7_000_000
    notes = [line for line in db.audit.lines() if line["action"] == "payout.approve" and line["kind"] == "run"]
    assert notes and "7000000" in notes[-1]["note"] and notes[-1]["changes"]["net"] == 7_000_000
    with pytest.raises(PilarError, match="Tidak ada item draf"):
        payouts.approve(db, Q2)


def test_audit_records_amounts_and_masks_accounts(db):
    _plan, created = payouts.run_quarter(db, Q2)
    [entry] = db.audit.for_record(created[0]["id"])
    assert entry["changes"]["gross"] == [None, created[0]["gross"]]
    account = created[0]["bank"]["account"]
    assert account not in str(entry) and entry["changes"]["bank.account"][1].endswith(account[-4:])


def test_pay_transfer_then_nothing_left(db):
    payouts.run_quarter(db, Q2)
    with pytest.raises(PilarError, match="disetujui"):
        payouts.pay_transfer(db, Q2, "REF-1")
    payouts.approve(db, Q2)
    with pytest.raises(PilarError, match="referensi"):
        payouts.pay_transfer(db, Q2, "  ")
    one = ids_of(db)["Anggota 001"]
    assert payouts.pay_transfer(db, Q2, "REF-1", [one])["count"] == 1
    result = payouts.pay_transfer(db, Q2, "REF-2")
    assert result["count"] == 5
    items = payouts.items(db, Q2)
    assert all(v["status"] == "paid" and v["method"] == "TRANSFER" for v in items)
    assert {v["transfer_ref"] for v in items if v["member_id"] == one} == {"REF-1"}
    with pytest.raises(PilarError):
        payouts.pay_transfer(db, Q2, "REF-3", [one])
    assert payouts.get_run(db, Q2)["status"] == "paid"


def _event(db):
    eid = events.create_event(db, {"name": "Sinergitas", "date": "2024-04-04", "venue": "Aula BPSDM", "city": "Surabaya"})
    events.invite(db, eid, [m["id"] for m in db.values("members")], override=True)
    return eid


def test_cash_at_event_needs_check_in_and_links_the_invitation(db):
    eid = _event(db)
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    one, two = ids_of(db)["Anggota 001"], ids_of(db)["Anggota 002"]
    with pytest.raises(PilarError, match="belum tercatat hadir"):
        payouts.pay_cash(db, Q2, eid, [one])
    with pytest.raises(PilarError, match="hadir"):
        payouts.pay_cash(db, Q2, eid)
    events.checkin(db, eid, one)
    events.checkin(db, eid, two)
    result = payouts.pay_cash(db, Q2, eid)
    assert result["count"] == 2
    for v in payouts.items(db, Q2):
        if v["member_id"] in (one, two):
            assert (v["status"], v["method"], v["event_id"]) == ("paid", "CASH", eid)
            assert v["invitation_id"] == events.invitation_id(eid, v["member_id"])
        else:
            assert v["status"] == "approved"
    with pytest.raises(PilarError, match="tidak ditemukan"):
        payouts.pay_cash(db, Q2, "no-such-event")


def test_void_and_reissue_makes_a_new_id_and_never_a_second_payment(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    item = next(v for v in payouts.items(db, Q2) if v["pillar"] == "TKSK")
    with pytest.raises(PilarError, match="alasan"):
        payouts.void(db, item["id"], "")
    payouts.void(db, item["id"], "salah jabatan")
    assert payouts.find_item(db, item["id"])[0]["void_reason"] == "salah jabatan"
    plan, created = payouts.run_quarter(db, Q2)
    assert created == [] and "voided" in plan.excluded_by_reason()
    new = payouts.reissue(db, item["id"])
    assert new["id"] != item["id"] and new["rev"] == 1 and new["status"] == "draft"
    assert new["id"] == payouts.item_id(item["member_id"], "TKSK", 2024, 2, rev=1)
    with pytest.raises(PilarError, match="dua kali"):
        payouts.reissue(db, item["id"])
    payouts.approve(db, Q2)
    payouts.pay_transfer(db, Q2, "REF")
    with pytest.raises(PilarError, match="sudah dibayar"):
        payouts.void(db, new["id"], "x")
    paid = [v for v in payouts.items(db, Q2, ("paid",)) if v["member_id"] == item["member_id"]]
    assert len(paid) == 1


def test_void_with_reissue_in_one_step(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    item = payouts.items(db, Q2)[0]
    seq = db.seq
    new = payouts.void(db, item["id"], "rekening salah", reissue=True)
    assert db.seq == seq + 1 and new["replaces"] == item["id"] and new["status"] == "draft"
    assert payouts.find_item(db, item["id"])[0]["replaced_by"] == new["id"]


def _make_conflict(db, rid):
    """Give a stored item a second, concurrent version (as a sync import of a parallel edit would)."""
    collection = "payouts_2024"
    doc = db.doc(collection, rid)
    other = dict(doc["v"][0], dot=["other-replica", 1], vv={"other-replica": 1}, office="UPT-X",
                 data=dict(doc["v"][0]["data"], net=1))
    with db.transaction("sync.import") as tx:
        tx.put_doc(collection, dict(doc, v=[doc["v"][0], other]))
    assert db.get(collection, rid)["_conflict"] is True


def test_conflicted_items_cannot_be_approved_paid_or_exported(db):
    from storage.payouts import documents

    payouts.run_quarter(db, Q2)
    first = payouts.items(db, Q2)[0]["id"]
    _make_conflict(db, first)
    with pytest.raises(PilarError, match="konflik"):
        payouts.approve(db, Q2)
    assert not payouts.items(db, Q2, ("approved",))
    with db.transaction("resolve") as tx:
        tx.put("payouts_2024", db.get("payouts_2024", first))
    payouts.approve(db, Q2)
    second = payouts.items(db, Q2)[1]["id"]
    _make_conflict(db, second)
    with pytest.raises(PilarError, match="konflik"):
        payouts.pay_transfer(db, Q2, "REF")
    with pytest.raises(PilarError, match="konflik"):
        documents.bank_csv(db, Q2)
    with pytest.raises(PilarError, match="konflik"):
        payouts.void(db, second, "x")
    assert not payouts.items(db, Q2, ("paid",))


def test_outstanding_and_arrears(db):
    payouts.run_quarter(db, "2024-Q1")
    payouts.approve(db, "2024-Q1")
    payouts.run_quarter(db, Q2)
    one = ids_of(db)["Anggota 001"]
    payouts.pay_transfer(db, "2024-Q1", "REF", [one])
    rows = payouts.outstanding(db, today=dt.date(2024, 5, 1))
    assert len(rows) == 5 + 6
    assert all(r["arrears"] for r in rows if r["quarter"] == "2024-Q1")
    assert not any(r["arrears"] for r in rows if r["quarter"] == Q2)
    per_q = {r["quarter"]: r for r in payouts.outstanding_by_quarter(rows)}
    assert per_q["2024-Q1"]["approved"] == 5 and per_q[Q2]["draft"] == 6
    # The screen's summary (no row per item) says the same.
    assert payouts.outstanding_quarters(db, today=dt.date(2024, 5, 1)) == payouts.outstanding_by_quarter(rows)
    per_m = {r["member_id"]: r for r in payouts.outstanding_by_member(rows)}
    assert per_m[one]["net"] == 750_000 and per_m[one]["arrears"] == 0
    two = ids_of(db)["Anggota 002"]
    assert per_m[two]["net"] == 1_500_000 and per_m[two]["arrears"] == 750_000


def test_everything_survives_reopen(db, tmp_path):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    before = payouts.summary(db, Q2)
    db.close()
    again = Database.open(tmp_path / "d", operator="Siti")
    assert payouts.summary(again, Q2) == before
    plan, created = payouts.run_quarter(again, Q2)
    assert created == [] and plan.changes == 0
    again.close()


def test_quarter_parsing_is_a_sentence():
    with pytest.raises(PilarError, match="2024-Q2"):
        payouts.Quarter.parse("Q2-2024")
    assert payouts.Quarter.parse("2024-q3").bounds == ("2024-07-01", "2024-09-30")


def test_pilar_check_finds_a_double_item_and_float_money(db):
    payouts.run_quarter(db, Q2)
    assert payouts.check_payouts(db) == []
    item = payouts.items(db, Q2)[0]
    twin = dict({k: v for k, v in item.items() if not k.startswith("_")}, id=payouts.item_id(item["member_id"],
                item["pillar"], 2024, 2, rev=5), gross=750000.0)
    with db.transaction("t") as tx:
        tx.put("payouts_2024", twin)
    problems = payouts.check_payouts(db)
    assert len(problems) == 2 and "dua kali" in problems[1] and "rupiah bulat" in problems[0]


def test_cash_drafts_survive_a_rerun_without_allow_cash(tmp_path):
    db = make_db(tmp_path / "d", [member(1, account=""), member(2)])
    _plan, created = payouts.run_quarter(db, Q2, allow_cash=True)
    assert len(created) == 2
    plan, created = payouts.run_quarter(db, Q2)
    assert created == [] and plan.changes == 0 and len(payouts.items(db, Q2)) == 2
    db.close()


def test_a_draft_removed_when_ineligible_comes_back_when_eligible_again(tmp_path):
    """Its id is derived from member, pillar and quarter: the tombstone must not block it forever."""
    db = make_db(tmp_path / "d", [member(0, "TAGANA")])
    try:
        payouts.run_quarter(db, "2024-Q2")
        m = db.get("members", next(iter(db.values("members")))["id"])
        account = m["bank"]["account"]
        m["bank"]["account"] = ""
        with db.transaction("test.edit") as tx:
            tx.put("members", m)
        plan, _ = payouts.run_quarter(db, "2024-Q2")
        assert len(plan.removed) == 1 and payouts.items(db, "2024-Q2") == []
        m["bank"]["account"] = account
        with db.transaction("test.edit") as tx:
            tx.put("members", m)
        plan, created = payouts.run_quarter(db, "2024-Q2")
        assert len(created) == 1 and [v["status"] for v in payouts.items(db, "2024-Q2")] == ["draft"]
        seq = db.seq
        plan, created = payouts.run_quarter(db, "2024-Q2")
        assert plan.changes == 0 and created == [] and db.seq == seq
    finally:
        db.close()


def test_match_items_by_name_nik_number_and_reference(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    everyone = payouts.members_by_id(db)
    items = payouts.items(db, Q2)
    one = ids_of(db)["Anggota 001"]
    payouts.pay_transfer(db, Q2, "TRF-0042", [one])
    items = payouts.items(db, Q2)
    nik = everyone[one]["nik"]
    by = {k: {v["member_id"] for v in payouts.match_items(items, everyone, k)} for k in
          ("  anggota   001 ", nik[-4:], nik, "trf-0042", "")}
    assert by["  anggota   001 "] == {one}
    assert one in by[nik[-4:]] and all(everyone[m]["nik"].endswith(nik[-4:]) for m in by[nik[-4:]])
    assert by[nik] == {one} and by["trf-0042"] == {one}
    assert len(by[""]) == len({v["member_id"] for v in items})
    assert payouts.match_items(items, everyone, "tidak ada orang ini") == []
    assert payouts.match_items(items, everyone, "001")  # three digits: a name part, not a NIK tail
    # A membership number as a clerk types it (dots, spaces, case), read as the door's check-in reads it.
    two = ids_of(db)["Anggota 002"]
    numbered = {m: dict(v, assignments=[dict(a, number="TGN.35.78/0042") for a in v["assignments"]])
                if m == two else v for m, v in everyone.items()}
    assert {v["member_id"] for v in payouts.match_items(items, numbered, "tgn 35 78 0042")} == {two}


def test_cash_at_a_multi_day_event_for_a_member_present_on_a_later_day(db):
    eid = events.create_event(db, {"name": "Diklat", "date": "2024-05-06", "end_date": "2024-05-07", "venue": "UPT"})
    events.invite(db, eid, [m["id"] for m in db.values("members")], override=True)
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    one = ids_of(db)["Anggota 001"]
    with pytest.raises(PilarError, match="hadir"):
        payouts.pay_cash(db, Q2, eid, [one])
    events.checkin(db, eid, one, day="2024-05-07")  # came on the second day only
    assert payouts.pay_cash(db, Q2, eid, [one])["count"] == 1


def test_settings_ids_are_derived_from_the_payout_namespace():
    # The ids stored since the first release: office.settings keeps them as constants.
    import uuid

    from storage.office import settings

    assert settings.SIGNERS_ID == str(uuid.uuid5(payouts.NAMESPACE, "settings:payout-signers"))
    assert settings.DUTIES_ID == str(uuid.uuid5(payouts.NAMESPACE, "settings:payout-duties"))
