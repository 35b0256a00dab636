"""Issue 26: the pagu checked before approval and simulated before a run, cuts and cancelled quarters,
PPh 21 filed (BP21, yearly summary, tax id status), meterai, and "was I paid, and why not?"."""

from __future__ import annotations

import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from storage import payouts as P
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.payouts import budget, cancellation, exclusions, meterai, realisasi, statement, withholding
from storage.payouts.documents import pdf as payout_pdf
from tests.support.payouts import approve_all, make_db, member

Q2 = P.Quarter(2024, 2)
Q3 = P.Quarter(2024, 3)


def pay_all(db, quarter, ref="TRF-1"):
    return P.pay_transfer(db, quarter, ref)


def rate_of(db, pillar):
    return next(r["id"] for r in P.rates(db) if r["pillar"] == pillar and not r["position"])


# ---------------------------------------------------------------------------- pagu

def test_approval_beyond_the_pagu_is_refused_until_a_recorded_decision_raises_it(tmp_path):
    db = make_db(tmp_path / "d", [member(i, "TKSK") for i in range(4)])  # 4 x 1.500.000
    budget.set_pagu(db, 2024, "APBD_PROVINSI", 5_000_000)
    plan, _ = P.run_quarter(db, Q2)
    w = budget.what_if(db, plan)
    [use] = w["lines"]
    assert (use.pagu, use.adds, [u.line["id"] for u in w["over"]]) == (5_000_000, 6_000_000, [use.line["id"]])
    seq = db.seq
    with pytest.raises(PilarError) as exc:
        P.approve(db, Q2)
    assert exc.value.key == "treasury.over_pagu" and db.seq == seq
    assert "Rp1.000.000" in str(exc.value) and "--decision" in str(exc.value)
    with pytest.raises(PilarError, match="--decision"):
        budget.set_pagu(db, 2024, "APBD_PROVINSI", 6_000_000, reason="tambahan")  # no decision: refused
    line = budget.set_pagu(db, 2024, "APBD_PROVINSI", 6_000_000, reason="P-APBD", decision="SK 900/1/2024")
    assert [h["kind"] for h in line["history"]] == ["set", "raise"] and line["history"][1]["decision"] == "SK 900/1/2024"
    assert P.approve(db, Q2)["gross"] == 6_000_000
    notes = [e for e in db.audit.lines() if e.get("action", "").startswith("payout.pagu.")]
    assert [e["action"] for e in notes] == ["payout.pagu.set", "payout.pagu.raise"]
    assert notes[1]["changes"] == {"from": 5_000_000, "to": 6_000_000}
    db.close()


def test_a_pillar_line_takes_its_items_and_an_uncovered_funding_is_refused(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK"), member(2, "TAGANA")])
    budget.set_pagu(db, 2024, "APBD_PROVINSI", 2_000_000, programme="TKSK")
    P.run_quarter(db, Q2)
    with pytest.raises(PilarError) as exc:  # Tagana's APBD_PROVINSI has no line of its own and no general one
        P.approve(db, Q2)
    assert exc.value.key == "treasury.no_line"
    budget.set_pagu(db, 2024, "APBD_PROVINSI", 750_000)
    P.approve(db, Q2)
    uses = budget.usage(db, 2024)
    assert sorted((u.line["programme"], u.committed) for u in uses.values()) == [("", 750_000), ("TKSK", 1_500_000)]
    db.close()


def test_a_cut_is_kept_with_its_reason_and_cannot_go_below_what_is_spent(tmp_path):
    db = make_db(tmp_path / "d", [member(i, "TKSK") for i in range(2)])
    budget.set_pagu(db, 2024, "APBD_PROVINSI", 12_000_000)
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    with pytest.raises(PilarError) as exc:
        budget.set_pagu(db, 2024, "APBD_PROVINSI", 2_000_000, reason="refocusing")
    assert exc.value.key == "treasury.cut_below_spent"
    with pytest.raises(PilarError, match="--reason"):
        budget.set_pagu(db, 2024, "APBD_PROVINSI", 9_000_000)
    line = budget.set_pagu(db, 2024, "APBD_PROVINSI", 9_000_000, reason="refocusing Covid")
    assert line["amount"] == 9_000_000 and line["history"][-1]["kind"] == "cut"
    text = realisasi.render(db, 2024, "text")
    assert "refocusing Covid" in text and "9.000.000" in text
    db.close()


def test_a_cancelled_quarter_voids_unpaid_items_and_no_run_is_saved_for_it(tmp_path):
    db = make_db(tmp_path / "d", [member(i, "TKSK") for i in range(3)])
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    result = cancellation.cancel_quarter(db, Q2, "refocusing anggaran")
    assert (result["voided"], result["gross"]) == (3, 4_500_000)
    assert {v["status"] for v in P.items(db, Q2)} == {"void"}
    plan, created = P.run_quarter(db, Q2)
    assert created == [] and {r["reason"] for r in plan.excluded} == {"quarter_cancelled"}
    assert len(plan.excluded) == 3
    rows = statement.left_out(db, Q2)
    assert len(rows) == 3 and all("refocusing anggaran" in r["text"] for r in rows)
    with pytest.raises(PilarError):
        cancellation.cancel_quarter(db, Q2, "lagi")
    assert cancellation.reopen_quarter(db, Q2, "dana tersedia lagi") == 3
    assert len(P.items(db, Q2, ("draft",))) == 3
    plan, created = P.run_quarter(db, Q2)
    assert created == [] and plan.excluded == []
    db.close()


def test_cancelling_a_quarter_with_payments_is_refused(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK")])
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    pay_all(db, Q2)
    seq = db.seq
    with pytest.raises(PilarError) as exc:
        cancellation.cancel_quarter(db, Q2, "refocusing")
    assert exc.value.key == "treasury.cancel_paid" and db.seq == seq
    db.close()


class PaguMachine(RuleBasedStateMachine):
    """Whatever the order of runs, approvals, payments, voids, cuts and raises: paid + committed never
    pass a line's pagu, and every raise of a pagu carries its decision."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="pilar-pagu-"))
        self.db = make_db(self.dir / "d", [member(i, ("TKSK", "TAGANA", "PKH_PLUS")[i % 3], "KORKAB")
                                           for i in range(5)])
        budget.set_pagu(self.db, 2024, "APBD_PROVINSI", 6_000_000)

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(q=st.sampled_from(("2024-Q1", "2024-Q2", "2024-Q3")))
    def run(self, q):
        P.run_quarter(self.db, q)

    @rule(q=st.sampled_from(("2024-Q1", "2024-Q2", "2024-Q3")))
    def approve(self, q):
        before = budget.usage(self.db, 2024)
        try:
            approve_all(self.db, q)
        except PilarError as exc:
            assert exc.key in ("payout.nothing_to_approve", "treasury.over_pagu")
            if exc.key == "treasury.over_pagu":  # refused: nothing changed
                after = budget.usage(self.db, 2024)
                assert [(u.paid, u.committed) for u in after.values()] == \
                       [(u.paid, u.committed) for u in before.values()]

    @rule(q=st.sampled_from(("2024-Q1", "2024-Q2", "2024-Q3")))
    def pay(self, q):
        try:
            P.pay_transfer(self.db, q, "REF")
        except PilarError:
            pass

    @rule(pick=st.integers(0, 30))
    def void(self, pick):
        items = sorted((v for q in ("2024-Q1", "2024-Q2", "2024-Q3") for v in P.items(self.db, q)),
                       key=lambda v: v["id"])
        if items:
            try:
                P.void(self.db, items[pick % len(items)]["id"], "uji")
            except PilarError:
                pass

    @rule(amount=st.integers(0, 15_000_000), decision=st.booleans())
    def change_pagu(self, amount, decision):
        try:
            budget.set_pagu(self.db, 2024, "APBD_PROVINSI", amount, reason="uji",
                            decision="SK 1" if decision else "")
        except PilarError as exc:
            assert exc.key in ("treasury.need_decision", "treasury.cut_below_spent", "treasury.pagu_same")

    @invariant()
    def never_beyond_the_pagu_without_a_decision(self):
        [use] = budget.usage(self.db, 2024).values()
        assert use.paid + use.committed <= use.pagu
        history = use.line["history"]
        assert all(h["decision"] for h in history if h["kind"] == "raise")


PaguMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=10, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
TestPagu = PaguMachine.TestCase


# ---------------------------------------------------------------------------- every member explained

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(st.sampled_from(("TKSK", "TAGANA", "PKH_PLUS", "PORDAM")),
                                 st.sampled_from(("ACTIVE", "INACTIVE")), st.booleans(),
                                 st.sampled_from(("2023-01-01", "2024-08-01")), st.sampled_from(("", "2024-03-31")),
                                 st.booleans()), min_size=1, max_size=8))
def test_every_member_in_a_preview_is_an_item_or_has_a_coded_reason(tmp_path_factory, people):
    members = []
    for i, (pillar, status, account, start, end, dup) in enumerate(people):
        members.append(member(i, pillar, account=None if account else "", status=status, start=start, end=end,
                              inactive_date="2024-01-15" if status == "INACTIVE" else "",
                              nik="3578000000000099" if dup else None))
    db = make_db(tmp_path_factory.mktemp("p") / "d", members)
    plan, _ = P.run_quarter(db, Q2)
    items = {(v["member_id"], v["pillar"]) for v in P.items(db, Q2) if v["status"] in P.LIVE}
    reasons = {(r["member_id"], r["pillar"]): r["reason"] for rows in plan.exclusions.values() for r in rows}
    for m in db.values("members"):
        for pillar in {a["pillar"] for a in m["assignments"]}:
            key = (m["id"], pillar)
            assert (key in items) != (key in reasons), key
            if key in reasons:
                assert reasons[key] in exclusions.REASONS
                assert not t(f"payout.reason.{reasons[key]}").startswith("payout.")
    kept = {(r["member_id"], r["pillar"]) for r in exclusions.exclusions(db, Q2)}
    assert kept == set(reasons)  # kept with the run, as previewed
    db.close()


def test_exclusions_are_kept_per_office_and_updated_when_the_reason_goes(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK", account=""), member(2, "TKSK")])
    plan, _ = P.run_quarter(db, Q2)
    assert [(r["pillar"], r["reason"], r["office"]) for r in exclusions.exclusions(db, Q2)] == \
        [("TKSK", "no_bank", "UPT-PSTW-JEMBER")]
    m = db.get("members", member(1)["id"])
    m["bank"] = {"name": "Bank Jatim", "account": "0012345678", "holder": "ANGGOTA 001"}
    with db.transaction("test") as tx:
        tx.put("members", m)
    plan, created = P.run_quarter(db, Q2)
    assert len(created) == 1 and exclusions.exclusions(db, Q2) == []
    plan, created = P.run_quarter(db, Q2)
    assert plan.changes == 0
    db.close()


# ---------------------------------------------------------------------------- tax

def _taxed(tmp_path, members, mode="per_payment", amount=1_500_000):
    db = make_db(tmp_path / "d", members)
    P.set_rate(db, pillar="TKSK", amount=amount, start="2024-01-01", funding="APBD_PROVINSI", tax_rule="PPH21_BP",
               tax_bp=500, rate_id=rate_of(db, "TKSK"))
    if mode != "per_payment":
        withholding.set_settings(db, mode=mode)
    withholding.set_settings(db, tin="001234567890100", id_tku="0012345678901000000000")
    return db


def test_no_tax_id_withholds_120_percent_and_the_status_is_kept_on_the_member(tmp_path):
    db = _taxed(tmp_path, [member(1, "TKSK"), member(2, "TKSK")])
    withholding.set_tax_status(db, member(2)["id"], "none")
    withholding.set_tax_status(db, member(1)["id"], "npwp", "09.254.294.3-407.000")
    P.run_quarter(db, Q2)
    taxes = {v["member_id"]: v["tax"] for v in P.items(db, Q2)}
    assert taxes == {member(1)["id"]: 37_500, member(2)["id"]: 45_000}
    assert db.get("members", member(1)["id"])["npwp"] == "092542943407000"
    audit_text = " ".join(str(e) for e in db.audit.lines())
    assert "092542943407000" not in audit_text  # the NPWP is masked in the log, as the NIK is
    with pytest.raises(PilarError):
        withholding.set_tax_status(db, member(1)["id"], "npwp", "123")
    db.close()


def test_brackets_per_year_add_up_the_members_payments(tmp_path):
    # 2 x Rp70.000.000 gross: bases 35jt + 35jt; per year the second crosses Rp60jt (5% then 15%)
    db = _taxed(tmp_path, [member(1, "TKSK")], mode="per_year", amount=70_000_000)
    P.run_quarter(db, P.Quarter(2024, 1))
    P.run_quarter(db, Q2)
    taxes = [v["tax"] for q in ("2024-Q1", "2024-Q2") for v in P.items(db, q)]
    assert taxes == [35_000_000 * 5 // 100, 25_000_000 * 5 // 100 + 10_000_000 * 15 // 100]
    assert "lapisan" in withholding.mode_rule(db, "per_year", "id").lower()
    db.close()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(amount=st.integers(100_000, 9_000_000), statuses=st.lists(st.sampled_from(("", "NIK", "NONE")), min_size=1,
                                                                   max_size=6))
def test_the_bp21_file_totals_equal_the_quarters_pph21(tmp_path_factory, amount, statuses):
    root = tmp_path_factory.mktemp("bp")
    db = _taxed(root, [member(i, "TKSK") for i in range(len(statuses))] + [member(90, "TAGANA")], amount=amount)
    for i, status in enumerate(statuses):
        if status:
            withholding.set_tax_status(db, member(i)["id"], status)
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    pay_all(db, Q2)
    paid_tax = sum(v["tax"] for v in P.items(db, Q2, ("paid",)))
    result = withholding.write_bp21(db, Q2, root / "bp21.xml")
    tree = ET.parse(root / "bp21.xml").getroot()
    assert tree.tag == "Bp21Bulk" and tree.find("TIN").text == "001234567890100"
    rows = tree.find("ListOfBp21").findall("Bp21")
    assert len(rows) == len(statuses) == result["count"] and result["tax"] == paid_tax
    from decimal import Decimal

    recomputed = sum(int(Decimal(r.find("Gross").text) * Decimal(r.find("Deemed").text) / 100
                         * Decimal(r.find("Rate").text) / 100) for r in rows)
    assert recomputed == paid_tax  # what Coretax recomputes from Gross x Deemed x Rate
    withholding.write_bp21(db, Q2, root / "bp21.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(root / "bp21.xlsx").active
    assert ws["C1"].value == "001234567890100" and ws["B3"].value == "Masa Pajak" and ws["P3"].value == \
        "Tanggal Pemotongan"
    assert ws.max_row == 3 + len(statuses)
    db.close()


def test_bp21_needs_the_withholders_ids_and_a_replaced_template_wins(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK")])
    P.set_rate(db, pillar="TKSK", amount=1_500_000, start="2024-01-01", funding="APBD_PROVINSI", tax_rule="PPH21_BP",
               tax_bp=500, rate_id=rate_of(db, "TKSK"))
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    pay_all(db, Q2)
    with pytest.raises(PilarError) as exc:
        withholding.write_bp21(db, Q2, tmp_path / "x.xlsx")
    assert exc.value.key == "treasury.no_withholder"
    withholding.set_settings(db, tin="0012345678901000", id_tku="0012345678901000000000")
    tpl = withholding.bp21_template(db)
    own = dict(tpl, xml=dict(tpl["xml"], root="Bp21BulkV5"), columns=tpl["columns"][:3])
    (db.path / "templates").mkdir()
    import orjson

    (db.path / "templates" / "bp21.json").write_bytes(orjson.dumps(own))
    withholding.write_bp21(db, Q2, tmp_path / "x.xml")
    root = ET.parse(tmp_path / "x.xml").getroot()
    assert root.tag == "Bp21BulkV5" and len(list(root.find("ListOfBp21")[0])) == 3
    db.close()


def test_the_yearly_summary_and_the_tax_id_check(tmp_path):
    db = _taxed(tmp_path, [member(1, "TKSK", nik="3578010101850001"), member(2, "TKSK", nik="3578000000000000")])
    withholding.set_tax_status(db, member(1)["id"], "nik")
    for q in (P.Quarter(2024, 1), Q2):
        P.run_quarter(db, q)
        P.approve(db, q)
        pay_all(db, q)
    [one, two] = withholding.annual_summary(db, 2024)
    assert (one["gross"], one["tax"], one["net"], len(one["payments"])) == (3_000_000, 75_000, 2_925_000, 2)
    check = withholding.tax_id_check(db, 2024)
    assert [(r["member_id"], r["problems"]) for r in check] == [(member(2)["id"], ["unchecked", "nik"])]
    db.close()


# ---------------------------------------------------------------------------- meterai

def test_meterai_is_due_above_five_million_per_document_with_an_override(tmp_path):
    db = make_db(tmp_path / "d", [member(i, "TKSK") for i in range(4)] + [member(9, "PSM")])
    P.set_rate(db, pillar="PSM", amount=5_000_000, start="2024-01-01", funding="APBD_PROVINSI",
               rate_id=rate_of(db, "PSM"))
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    docs = {r["key"]: r for r in meterai.documents(db, Q2)}
    assert docs["kwitansi:TKSK"]["amount"] == 6_000_000 and docs["kwitansi:TKSK"]["due"]
    assert not docs["kwitansi:PSM"]["due"]  # exactly Rp5.000.000 is not "more than"
    assert not docs[f"receipt:{member(0)['id']}"]["due"]
    with pytest.raises(PilarError):
        meterai.set_override(db, Q2, "kwitansi:TKSK", False, "")
    meterai.set_override(db, Q2, "kwitansi:TKSK", False, "Pasal 7(d): uang negara dari kas daerah (BPKAD)")
    docs = {r["key"]: r for r in meterai.documents(db, Q2)}
    assert not docs["kwitansi:TKSK"]["due"] and docs["kwitansi:TKSK"]["overridden"]
    from tests.support.pdf import pages

    assert "BPKAD" in " ".join(pages(payout_pdf.meterai_list(db, Q2)))
    stamped = [p for p in pages(payout_pdf.kwitansi(db, Q2)) if "METERAI" in p]
    assert stamped == []  # the override took the TKSK kwitansi's stamp away; PSM's Rp5.000.000 never had one
    meterai.set_override(db, Q2, "kwitansi:TKSK", None, "kembali ke aturan")
    stamped = [p for p in pages(payout_pdf.kwitansi(db, Q2)) if "METERAI" in p]
    assert len(stamped) == 1 and "TKSK" in stamped[0]
    assert not any("METERAI" in p for p in pages(payout_pdf.receipts(db, Q2)))  # Rp1.500.000 each
    db.close()


# ---------------------------------------------------------------------------- statement and notices

def test_the_statement_says_paid_when_and_how_much_or_why_not(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK"), member(2, "TKSK", account="")])
    for q in (P.Quarter(2024, 1), Q2):
        P.run_quarter(db, q)
        approve_all(db, q)
    P.pay_transfer(db, P.Quarter(2024, 1), "TRF-Q1")
    P.void(db, P.items(db, Q2)[0]["id"], "SK dicabut")
    data = statement.statement(db, member(1)["id"])
    assert [(r["quarter"], r["state"]) for r in data["rows"]] == [("2024-Q1", "paid"), ("2024-Q2", "void")]
    assert data["rows"][0]["reference"] == "TRF-Q1" and data["paid_net"] == 1_500_000
    text = statement.statement_text(db, statement.find_member(db, member(1)["nik"])["id"])
    assert "TRF-Q1" in text and "SK dicabut" in text and member(1)["nik"] not in text
    other = statement.statement(db, member(2)["id"])
    assert [r["text"] for r in other["rows"]] == [t("payout.reason.no_bank")] * 2
    notices = statement.write_notices(db, Q2, tmp_path / "surat")
    assert notices["count"] == 2 and notices["offices"] == {"UPT-PSTW-JEMBER": 2}
    csv_text = (tmp_path / "surat" / "pemberitahuan_2024-Q2.csv").read_text("utf-8-sig")
    assert "SK dicabut" in csv_text and member(1)["nik"] not in csv_text
    db.close()


def test_cli_round_trip(tmp_path, capsys):
    from tui.cli import main

    data = tmp_path / "d"
    make_db(data, [member(1, "TKSK"), member(2, "TKSK", account="")]).close()
    base = ["--data", str(data), "--operator", "Siti"]
    assert main([*base, "payout", "pagu", "set", "--year", "2024", "--funding", "APBD_PROVINSI",
                 "--amount", "1.000.000"]) == 0
    assert main([*base, "payout", "run", "--quarter", "2024-Q2"]) == 0
    out = capsys.readouterr().out
    assert "melebihi pagu Rp500.000" in out
    assert main([*base, "payout", "approve", "--quarter", "2024-Q2"]) == 1
    assert "Persetujuan ditolak: pagu 2024" in capsys.readouterr().err
    assert main([*base, "roster", "statement", member(2)["nik"], "--format", "text"]) == 0
    assert t("payout.reason.no_bank") in capsys.readouterr().out
    assert main([*base, "report", "realisasi", "--year", "2024", "--format", "xlsx", "--out",
                 str(tmp_path / "r.xlsx")]) == 0
    assert main([*base, "payout", "notices", "--quarter", "2024-Q2", "--out", str(tmp_path / "n")]) == 0
    assert (tmp_path / "n" / "pemberitahuan_2024-Q2_UPT-PSTW-JEMBER.pdf").exists()


def test_cli_run_without_a_pagu_line_says_so_and_reads_no_items(tmp_path, capsys, monkeypatch):
    """No pagu line for the run's year: the run says the pagu is not set, as it did, without reading the
    year's items to weigh them against nothing (a quarterly run's 300,000 at the province)."""
    from tui.cli import main

    data = tmp_path / "d"
    make_db(data, [member(1, "TKSK"), member(2, "TKSK")]).close()
    base = ["--data", str(data), "--operator", "Siti"]
    monkeypatch.setattr(budget, "usage", lambda *a, **k: pytest.fail("the year's items read"))
    assert main([*base, "payout", "run", "--quarter", "2024-Q2"]) == 0
    out = capsys.readouterr().out
    assert t("treasury.pagu_not_set", year=2024) in out and "2024-Q2" in out
    monkeypatch.undo()
    assert main([*base, "payout", "pagu", "set", "--year", "2024", "--funding", "APBD_PROVINSI",
                 "--amount", "10.000.000"]) == 0
    capsys.readouterr()
    assert main([*base, "payout", "run", "--quarter", "2024-Q2", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert t("treasury.pagu_not_set", year=2024) not in out and t("treasury.what_if", year=2024) in out
