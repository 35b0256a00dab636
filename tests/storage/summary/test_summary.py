"""The Ringkasan's figures against data built here (members, TKSK, payouts, cases, offices), the lazy
scope held to engine.scope_of, the reports and the command line."""

from __future__ import annotations

import datetime as dt
import uuid

import orjson
import pytest

from storage import payouts, summary
from storage.core.db import PROVINCE_CODE, Database
from storage.domain import regions
from storage.domain.fmt import rupiah
from storage.domain.model import new_member
from storage.office import keys as office_keys
from storage.reconcile import conflicts
from storage.summary import report
from storage.sync import engine as sync_engine
from storage.sync import freshness
from tests.support.network import make_network
from tests.support.payouts import approve_all, make_db
from tests.support.payouts import member as pay_member
from tui.cli import main as cli

Q1, Q2 = "2026-Q1", "2026-Q2"
UPT = "UPT-PSTW-JEMBER"


def person(i, assignments, kab="35.09"):
    value = new_member(nik=f"3509{i:012d}", name=f"ORANG {i}", kab=kab, kec=f"{kab}.01", assignments=assignments)
    value["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"summary-test-{i}"))
    return value


def asg(pillar, kab="35.09", kec="", status="ACTIVE", position="ANGGOTA", office=UPT):
    return {"pillar": pillar, "position": position, "area_kab": kab, "area_kec": kec, "office": office,
            "status": status}


def roster(n_kec_served=5):
    """TKSK in the first kecamatan of Jember, Tagana and PKH Plus spread over three kab, some inactive."""
    out = []
    kecs = regions.kec_of_kab("35.09")
    for i, k in enumerate(kecs[:n_kec_served]):
        out.append(person(i, [asg("TKSK", kec=k["code"])]))
    out.append(person(100, [asg("TKSK", kec=kecs[-1]["code"], status="INACTIVE")]))          # not serving
    out.append(person(101, [asg("TKSK", kec=kecs[-2]["code"], position="KORKAB")]))          # not bound to it
    for i in range(200, 230):
        kab = ("35.09", "35.78", "35.07")[i % 3]
        pillar = ("TAGANA", "PKH_PLUS")[i % 2]
        status = "INACTIVE" if i % 7 == 0 else "ACTIVE"
        out.append(person(i, [asg(pillar, kab=kab, status=status)], kab=kab))
    out.append(person(300, [asg("TAGANA", kab="35.78"), asg("PSM", kab="35.07")]))           # two pillars
    return out


def expected_members(values):
    """The figures counted the plain way: one member, its active assignments."""
    by_pillar, by_kab, active = {}, {}, 0
    for m in values:
        act = [a for a in m["assignments"] if a["status"] == "ACTIVE"]
        if not act:
            continue
        active += 1
        for p in {a["pillar"] for a in act}:
            by_pillar[p] = by_pillar.get(p, 0) + 1
        for k in {a["area_kab"] or m["kab"] for a in act}:
            by_kab[k] = by_kab.get(k, 0) + 1
    return active, by_pillar, by_kab


@pytest.fixture
def prov(tmp_path):
    db = Database.init(tmp_path / "p", PROVINCE_CODE, "Dinas Sosial Provinsi Jawa Timur", province=True,
                       operator="Siti")
    with db.transaction("test") as tx:
        for m in roster():
            tx.put("members", m, owner=UPT)
    yield db
    db.close()


def test_members_per_pillar_and_kab_and_tksk_gaps(prov):
    s = summary.compute(prov, today=dt.date(2026, 12, 1))
    active, by_pillar, by_kab = expected_members(list(prov.values("members")))
    assert s["members"]["active"] == active
    assert s["members"]["by_pillar"] == by_pillar
    assert s["members"]["by_kab"] == by_kab
    assert sum(s["members"]["by_kab_pillar"]["35.07"].values()) >= by_kab["35.07"]
    assert s["members"]["by_kab_pillar"]["35.07"]["PSM"] == 1
    # every kecamatan of Jawa Timur but the five served (the inactive one and the Korkab do not serve)
    served = {k["code"] for k in regions.kec_of_kab("35.09")[:5]}
    assert s["tksk"]["kecamatan"] == 666
    assert s["tksk"]["served"] == 5
    assert {r["kec"] for r in s["tksk"]["without"]} == {k["code"] for k in _all_kec()} - served
    jember = regions.kec_of_kab("35.09")
    assert {"kab": "35.09", "kab_name": "Kabupaten Jember", "kec": jember[-1]["code"],
            "kec_name": jember[-1]["name"]} in s["tksk"]["without"]
    rekap = {r["kab"]: r for r in summary.rekap_rows(s)}
    assert len(rekap) == 38
    assert rekap["35.09"]["without_tksk"] == len(jember) - 5
    assert rekap["35.78"]["active"] == by_kab["35.78"]


def _all_kec():
    return [k for kab in regions.kab_list() for k in regions.kec_of_kab(kab["code"])]


def test_a_deactivation_moves_the_figures(prov):
    before = summary.compute(prov)
    tksk = next(m for m in prov.values("members") if m["assignments"][0]["pillar"] == "TKSK"
                and m["assignments"][0]["status"] == "ACTIVE")
    value = prov.get("members", tksk["id"])
    value["assignments"][0]["status"] = "INACTIVE"
    with prov.transaction("test") as tx:
        tx.put("members", value)
    after = summary.compute(prov)
    assert after["members"]["by_pillar"]["TKSK"] == before["members"]["by_pillar"]["TKSK"] - 1
    assert len(after["tksk"]["without"]) == len(before["tksk"]["without"]) + 1


def test_payouts_per_quarter_match_the_payout_reports(tmp_path):
    members = [pay_member(i, kab=("35.78", "35.07")[i % 2]) for i in range(12)]
    db = make_db(tmp_path / "pay", members)
    try:
        for q in (Q1, Q2):
            payouts.run_quarter(db, q)
        approve_all(db, Q1)
        payouts.pay_transfer(db, Q1, "TRF-1", member_ids=[m["id"] for m in members[:8]])
        paid = [v for v in payouts.items(db, Q1, ["paid"])]
        payouts.return_item(db, paid[0]["id"], "rekening ditutup", "2026-03-20")
        s = summary.compute(db)
        by_q = {q["quarter"]: q for q in s["payouts"]}
        assert sorted(by_q) == [Q1, Q2]
        for q in (Q1, Q2):
            items = payouts.items(db, q)
            standing = [v for v in items if v["status"] in ("draft", "approved", "paid")]
            assert by_q[q]["gross"] == sum(v["gross"] for v in standing)
            assert by_q[q]["gross"] == payouts.summary(db, q)["total"]["gross"]
            assert by_q[q]["paid"] == sum(v["net"] for v in items if v["status"] == "paid")
            assert by_q[q]["outstanding"] == sum(v["net"] for v in items if v["status"] in ("draft", "approved"))
            assert by_q[q]["returned"] == sum(v["net"] for v in items if v["status"] == "returned")
        assert by_q[Q1]["returned_items"] == 1 and by_q[Q1]["paid_items"] == 7
        assert by_q[Q2]["paid"] == 0 and by_q[Q2]["outstanding_items"] == 12
        # per kab/kota, adding up to the quarter
        per_kab = s["payouts_by_kab"][Q1]
        assert sum(r["paid"] for r in per_kab.values()) == by_q[Q1]["paid"]
        assert set(per_kab) == {"35.78", "35.07"}
        # the reports show the same numbers
        text = report.render_text(s)
        assert rupiah(by_q[Q1]["paid"]) in text and rupiah(by_q[Q2]["outstanding"]) in text
        assert orjson.loads(report.render_json(s))["payouts"] == s["payouts"]
        # an item without a kab (not as a run writes it) is still counted, once
        with db.transaction("test", system=True) as tx:
            tx.put("payouts_2026", {"member_id": members[0]["id"], "pillar": "TAGANA", "quarter": Q2,
                                    "status": "draft", "gross": 7, "tax": 0, "net": 7}, owner=PROVINCE_CODE)
        again = {q["quarter"]: q for q in summary.compute(db)["payouts"]}
        assert again[Q2]["outstanding"] == by_q[Q2]["outstanding"] + 7 and again[Q1] == by_q[Q1]
    finally:
        db.close()


def test_cases_are_counted(prov):
    a, b = person(900, [asg("TAGANA")]), person(901, [asg("TAGANA")])
    b["nik"] = a["nik"]
    with prov.transaction("test") as tx:
        tx.put("members", a, owner=UPT)
        tx.put("members", b, owner="UPT-OTHER")
    s = summary.compute(prov)
    assert s["cases"] == {"conflicts": 0, "duplicates": 1}
    # two versions of one member standing (written as two offices would): an open conflict
    doc = prov.doc("members", a["id"])
    sibling = dict(doc["v"][0], dot=["other-replica", 1], vv={"other-replica": 1}, office="UPT-OTHER",
                   data=dict(doc["v"][0]["data"], phone="+6281234567890"))
    with prov.transaction("test", system=True) as tx:
        tx.put_doc("members", dict(doc, v=[doc["v"][0], sibling]))
    assert summary.compute(prov)["cases"]["conflicts"] == 1 == conflicts.count(prov)


def test_upt_counts_its_own_area_only(tmp_path):
    db = Database.init(tmp_path / "u", UPT, "UPT PSTW Jember", operator="Ani")
    try:
        with db.transaction("test", system=True) as tx:
            tx.put("offices", {"code": UPT, "name": "UPT PSTW Jember", "type": "UPT", "kab": "35.09",
                               "area": ["35.09", "35.11"], "address": ""}, owner=PROVINCE_CODE)
            tx.put("members", person(1, [asg("TKSK", kec=regions.kec_of_kab("35.09")[0]["code"])]), owner=UPT)
            tx.put("members", person(2, [asg("TAGANA", office="UPT-OTHER"), asg("PSM")]), owner=UPT)
        s = summary.compute(db)
        assert s["kabs"] == ["35.09", "35.11"]
        assert s["members"]["active"] == 2 and s["members"]["by_pillar"] == {"TKSK": 1, "PSM": 1}
        total = len(regions.kec_of_kab("35.09")) + len(regions.kec_of_kab("35.11"))
        assert (s["tksk"]["kecamatan"], s["tksk"]["served"]) == (total, 1)
        assert [o["code"] for o in s["offices"]] == [PROVINCE_CODE]
        # an office record without its area: the kab/kota where its members serve
        with db.transaction("test", system=True) as tx:
            office = next(v for v in db.values("offices") if v["code"] == UPT)
            tx.put("offices", dict(office, area=[]), owner=PROVINCE_CODE)
        assert summary.compute(db)["kabs"] == ["35.09"]
    finally:
        db.close()


# ---------------------------------------------------------------------- offices

@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path)
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    yield dbs, tmp_path
    for db in dbs.values():
        db.close()


def put_member(db, i, office):
    with db.transaction("test") as tx:
        return tx.put("members", person(i, [asg("TAGANA", office=office)]), owner=office)


def test_freshness_waiting_and_silent_offices(net):
    dbs, tmp = net
    prov, a = dbs[PROVINCE_CODE], dbs["UPT-A"]
    for i in range(3):
        put_member(a, i, "UPT-A")
    when = dt.datetime(2026, 11, 1, 9, 0).astimezone()
    sync_engine.import_bundle(prov, sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb", now=when).path)
    today = dt.date(2026, 11, 20)
    # UPT-B was enrolled in October and has sent nothing since: silent (an office is silent only after the
    # silent days since its enrolment, issue 24; the network above was enrolled on the real clock)
    store = office_keys.TrustStore.load(prov.path)
    store.offices["UPT-B"]["since"] = "2026-10-01T09:00:00+07:00"
    store.resign(office_keys.own_keys(prov))
    store.save()
    rows = {o["code"]: o for o in summary.compute(prov, today=today, days=14)["offices"]}
    assert rows["UPT-A"]["last_received"] == "2026-11-01" and rows["UPT-A"]["received_days"] == 19
    assert rows["UPT-A"]["silent"] and rows["UPT-B"]["silent"] and rows["UPT-B"]["last_received"] == ""
    assert not {o["code"]: o for o in summary.compute(prov, today=today, days=30)["offices"]}["UPT-A"]["silent"]
    # UPT-B was never heard from: its next bundle is full
    assert rows["UPT-B"]["waiting"] is None and rows["UPT-B"]["full"]
    # UPT-A's own three members are not waiting (it has them); the province's records for it are
    before = rows["UPT-A"]["waiting"]
    assert before is not None
    # a UPT-B member with an old payout item, both out of UPT-A's scope (written before
    # what UPT-A will acknowledge, so its vector covers them)
    b_member = put_member(prov, 52, "UPT-B")
    with prov.transaction("test") as tx:
        tx.put("payouts_2026", {"member_id": b_member, "pillar": "TAGANA", "quarter": "2026-Q1", "status": "paid",
                                "gross": 5, "tax": 0, "net": 5}, owner=PROVINCE_CODE)
    put_member(prov, 50, "UPT-A")
    put_member(prov, 51, "UPT-B")
    rows = {o["code"]: o for o in summary.compute(prov, today=today)["offices"]}
    assert rows["UPT-A"]["waiting"] == before + 1 and rows["UPT-A"]["last_sent"] == ""
    # exactly what the next delta carries
    res = sync_engine.export_bundle(prov, "UPT-A", tmp / "usb")
    assert res.mode == "delta" and sum(res.counts.values()) == rows["UPT-A"]["waiting"]
    rows = {o["code"]: o for o in summary.compute(prov, today=dt.date.today())["offices"]}
    assert rows["UPT-A"]["last_sent"] == dt.date.today().isoformat() and rows["UPT-A"]["seq_sent"] == 1
    # once UPT-A has imported it and said so in its next bundle, nothing waits
    sync_engine.import_bundle(a, res.path)
    sync_engine.import_bundle(prov, sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb").path)
    rows = {o["code"]: o for o in summary.compute(prov, today=dt.date.today())["offices"]}
    assert rows["UPT-A"]["waiting"] == 0 and not rows["UPT-A"]["silent"]
    # the province moves her to UPT-A: she waits, and her old item (covered, newly in scope) with her
    moved = prov.get("members", b_member)
    moved["assignments"][0]["office"] = "UPT-A"
    with prov.transaction("test") as tx:
        tx.put("members", moved)
    rows = {o["code"]: o for o in summary.compute(prov, today=dt.date.today())["offices"]}
    res = sync_engine.export_bundle(prov, "UPT-A", tmp / "usb")
    assert rows["UPT-A"]["waiting"] == 2 == sum(res.counts.values())


def test_lazy_scope_agrees_with_the_engine(net):
    dbs, tmp = net
    prov, a = dbs[PROVINCE_CODE], dbs["UPT-A"]
    a_id = put_member(a, 1, "UPT-A")
    sync_engine.import_bundle(prov, sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb").path)
    put_member(prov, 2, "UPT-B")
    shared = person(3, [asg("TAGANA", office="UPT-A"), asg("PSM", office="UPT-B")])
    with prov.transaction("test") as tx:
        sid = tx.put("members", shared, owner=PROVINCE_CODE)
        tx.put("members", person(4, [asg("PSM", office="UPT-B")]), owner="UPT-B")
        tx.put("settings", {"key": "x", "value": 1}, owner=PROVINCE_CODE)
    with prov.transaction("test") as tx:
        tx.delete("members", sid)
    with prov.transaction("test") as tx:
        tx.put("invitations", {"member_id": a_id, "name": "x"}, owner=PROVINCE_CODE)
        tx.put("payouts_2026", {"member_id": a_id, "quarter": "2026-Q1", "status": "draft"}, owner=PROVINCE_CODE)
    # a duplicate case: A's member registered again at UPT-C (same NIK), with a payout item of her own
    twin = dict(person(5, [asg("PSM", office="UPT-C")]), nik=prov.get("members", a_id)["nik"])
    with prov.transaction("test") as tx:
        twin_id = tx.put("members", twin, owner="UPT-C")
        tx.put("payouts_2026", {"member_id": twin_id, "quarter": "2026-Q1", "status": "draft"}, owner=PROVINCE_CODE)
    assert sync_engine.scope_of(prov, "UPT-A")("members", prov.doc("members", twin_id))
    codes = freshness.scope_codes(prov)
    for code in ("UPT-A", "UPT-B", "UPT-C"):
        engine = sync_engine.scope_of(prov, code)
        for name in prov.collections():
            for doc in prov.raw(name).values():
                found = codes(name, doc)
                assert engine(name, doc) == (found is None or code in found), (code, name, doc["id"])


def test_gap_lines_name_the_office(net):
    dbs, tmp = net
    prov, a = dbs[PROVINCE_CODE], dbs["UPT-A"]
    paths = []
    for i in range(3):
        put_member(a, i, "UPT-A")
        paths.append(sync_engine.export_bundle(a, PROVINCE_CODE, tmp / "usb").path)
    sync_engine.import_bundle(prov, paths[0])
    sync_engine.import_bundle(prov, paths[2])
    s = summary.compute(prov)
    (gap,) = s["gaps"]
    assert gap["missing"] == [2] and gap["name"] == "Kantor UPT-A"
    assert gap["lines"][0].startswith("Bundel ke-2 dari Kantor UPT-A belum diterima; yang ke-3 sudah")
    assert {o["code"]: o for o in s["offices"]}["UPT-A"]["missing"] == [2]
    assert "Bundel ke-2 dari Kantor UPT-A" in report.render_text(s)


# ---------------------------------------------------------------------- reports and command line

def test_cli_formats(prov, tmp_path, capsys):
    path = str(prov.path)
    prov.close()
    assert cli(["--data", path, "report", "summary", "--format", "json"]) == 0
    data = orjson.loads(capsys.readouterr().out)
    assert data["members"]["active"] == expected_members(roster())[0]
    assert cli(["--data", path, "report", "rekap", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "Kabupaten Jember" in page and "<table" in page and "Kepala Dinas" in page
    out = tmp_path / "s.xlsx"
    assert cli(["--data", path, "report", "summary", "--format", "xlsx", "--out", str(out)]) == 0
    from openpyxl import load_workbook

    wb = load_workbook(out)
    rekap = wb[wb.sheetnames[1]]
    rows = list(rekap.iter_rows(values_only=True))
    assert len(rows) == 39 and sum(r[2] for r in rows[1:]) == sum(expected_members(roster())[2].values())
    capsys.readouterr()
    assert cli(["--data", path, "report", "summary", "--format", "xlsx"]) == 1
    assert "--out" in capsys.readouterr().err
    assert cli(["--data", path, "report", "summary", "--silent-days", "0"]) == 1
    assert "14" in capsys.readouterr().err
    assert cli(["--data", path, "report", "summary", "--silent-days", "30", "--remember", "--format", "json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["silent_days"] == 30
    assert cli(["--data", path, "report", "summary", "--format", "json"]) == 0       # kept for the next time
    assert orjson.loads(capsys.readouterr().out)["silent_days"] == 30
    assert cli(["--data", path, "report", "summary", "--remember"]) == 1
    assert "--silent-days N" in capsys.readouterr().err
    assert cli(["--data", path, "report", "summary", "--format", "pdf"]) == 1
    assert "--out" in capsys.readouterr().err
    for kind in ("summary", "rekap"):
        pdf = tmp_path / f"{kind}.pdf"
        assert cli(["--data", path, "report", kind, "--format", "pdf", "--out", str(pdf)]) == 0
        blob = pdf.read_bytes()
        assert blob.startswith(b"%PDF") and len(blob) > 2000


def test_kept_summary_is_used_only_while_nothing_changed(prov):
    today = dt.date(2026, 12, 1)
    s = summary.compute(prov, today=today)
    summary.keep(prov, s)
    assert summary.cached(prov, today) == orjson.loads(orjson.dumps(s))
    assert summary.cached(prov, today + dt.timedelta(days=1)) is None          # days ago move
    (prov.path / "imports.jsonl").write_bytes(b"{}\n")                 # a bundle seen
    assert summary.cached(prov, today) is None
    summary.keep(prov, summary.compute(prov, today=today))
    assert summary.cached(prov, today) is not None
    with prov.transaction("test") as tx:                                # any commit
        tx.put("members", person(999, [asg("PSM")]), owner=UPT)
    assert summary.cached(prov, today) is None
    # a summary whose folder changed while it was counted is never kept as current
    stale = summary.compute(prov, today=today)
    with prov.transaction("test") as tx:
        tx.put("members", person(998, [asg("PSM")]), owner=UPT)
    summary.keep(prov, stale)
    assert summary.cached(prov, today) is None


def test_kept_summary_survives_closing_and_opening_the_folder(tmp_path):
    db = Database.init(tmp_path / "k", PROVINCE_CODE, "Dinas Sosial", province=True, operator="Siti")
    with db.transaction("test") as tx:
        for m in roster():
            tx.put("members", m, owner=UPT)
    today = dt.date(2026, 12, 1)
    summary.keep(db, summary.compute(db, today=today))
    db.close()  # compaction rewrites the files, the data stay the same
    again = Database.open(tmp_path / "k", operator="Siti")
    try:
        assert summary.cached(again, today)["members"]["active"] == expected_members(roster())[0]
    finally:
        again.close()


# ---------------------------------------------------------------------- the roster shows what is counted

def test_roster_area_filter_finds_exactly_the_members_counted(prov, tmp_path, capsys):
    from storage.roster import ANY_AREA, Query, Roster

    with prov.transaction("test") as tx:
        # no area_kab: counted (and found) where the member lives; a member whose home is elsewhere
        tx.put("members", person(400, [asg("PSM", kab="")], kab="35.07"), owner=UPT)
        tx.put("members", person(401, [asg("TAGANA", kab="35.09"), asg("TAGANA", kab="35.78", status="INACTIVE")],
                                 kab="35.78"), owner=UPT)
    s = summary.compute(prov)
    r = Roster(prov)
    try:
        for kab in s["kabs"]:
            found = r.search(Query(area_kab=kab))
            assert len(found) == s["members"]["by_kab"].get(kab, 0), kab
            for pillar, n in s["members"]["by_kab_pillar"].get(kab, {}).items():
                assert len(r.search(Query(area_kab=kab, pillar=pillar))) == n
        for pillar, n in s["members"]["by_pillar"].items():
            assert len(r.search(Query(pillar=pillar, area_kab=ANY_AREA))) == n
        assert len(r.search(Query(area_kab=ANY_AREA))) == s["members"]["active"]
        # the home-kab filter differs: member 401 lives in Surabaya but serves (actively) in Jember only
        jember = {x.name for x in r.search(Query(area_kab="35.09"))}
        assert "ORANG 401" in jember and "ORANG 401" not in {x.name for x in r.search(Query(kab="35.09"))}
        assert "ORANG 401" not in {x.name for x in r.search(Query(area_kab="35.78"))}
        # a kecamatan: who lives there or actively serves there
        kec = regions.kec_of_kab("35.09")[0]["code"]
        assert {x.name for x in r.search(Query(kec=kec))} >= {"ORANG 0"}
        assert all(x.kec == kec or any(a[3] == kec for a in x.active) for x in r.search(Query(kec=kec)))
        # typing narrows within the area (the cached narrowing keeps the area filter)
        assert [x.name for x in r.search(Query(area_kab="35.09", text="orang 40"))] == ["ORANG 401"]
    finally:
        r.close()
    path = str(prov.path)
    expected = s["members"]["by_kab"]["35.78"]
    prov.close()
    assert cli(["--data", path, "roster", "list", "--area-kab", "Surabaya", "--format", "json"]) == 0
    assert len(orjson.loads(capsys.readouterr().out)) == expected
    assert cli(["--data", path, "roster", "list", "--area-kab", "Atlantis"]) != 0
    assert "Atlantis" in capsys.readouterr().err


def test_upt_roster_area_filter_counts_its_own_assignments(tmp_path):
    from storage.roster import ANY_AREA, Query, Roster

    db = Database.init(tmp_path / "u", UPT, "UPT PSTW Jember", operator="Ani")
    try:
        with db.transaction("test", system=True) as tx:
            tx.put("offices", {"code": UPT, "name": "UPT PSTW Jember", "type": "UPT", "kab": "35.09",
                               "area": ["35.09"], "address": ""}, owner=PROVINCE_CODE)
            tx.put("members", person(1, [asg("TAGANA", office="UPT-OTHER")]), owner=UPT)
            tx.put("members", person(2, [asg("TAGANA", office="UPT-OTHER"), asg("PSM")]), owner=UPT)
        s = summary.compute(db)
        r = Roster(db)
        assert [x.name for x in r.search(Query(area_kab="35.09"))] == ["ORANG 2"] and s["members"]["by_kab"] == {
            "35.09": 1}
        assert r.search(Query(pillar="TAGANA", area_kab=ANY_AREA)) == [] and "TAGANA" not in s["members"]["by_pillar"]
        r.close()
    finally:
        db.close()


def test_open_conflicts_are_found_after_reopening_and_gone_once_resolved(prov):
    # the folder keeps the ids of documents with two versions (Database.conflicts reads only those)
    a = person(910, [asg("TAGANA")])
    with prov.transaction("test") as tx:
        tx.put("members", a, owner=UPT)
    doc = prov.doc("members", a["id"])
    sibling = dict(doc["v"][0], dot=["other-replica", 1], vv={"other-replica": 1}, office="UPT-OTHER",
                   data=dict(doc["v"][0]["data"], phone="+6281234567890"))
    with prov.transaction("test", system=True) as tx:
        tx.put_doc("members", dict(doc, v=[doc["v"][0], sibling]))
    brute = sum(1 for n in prov.collections() for d in prov.raw(n).values() if conflicts.is_open(d))
    assert brute == 1 == conflicts.count(prov) == summary.compute(prov)["cases"]["conflicts"]
    path = prov.path
    prov.close()
    again = Database.open(path, operator="Siti")
    try:
        assert [d["id"] for _, d in again.conflicts()] == [a["id"]]
        doc = again.doc("members", a["id"])
        with again.transaction("test", system=True) as tx:   # resolved: one version stands
            tx.put_doc("members", dict(doc, v=[doc["v"][1]]))
        assert conflicts.count(again) == 0 == sum(1 for n in again.collections() for d in again.raw(n).values()
                                          if conflicts.is_open(d))
    finally:
        again.close()
