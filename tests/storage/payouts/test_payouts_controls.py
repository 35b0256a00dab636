"""Issue 12, every rupiah once to the right person: members in sync conflict held out of runs,
decisions at approval, separation of duties, transfer references per member and from the bank's result
file, returns (retur). Storage and command line."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest

from storage import payouts
from storage.core.errors import PilarError
from storage.core.i18n import set_lang
from storage.payouts import bank_result, documents
from storage.reconcile import conflicts
from tests.support.payouts import Q2_CODE as Q2
from tests.support.payouts import approve_all, make_db, member
from tui.cli import main


@pytest.fixture(autouse=True)
def _indonesian():
    set_lang("id")


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TAGANA"), member(2, "TAGANA"), member(3, "TKSK")])
    yield db
    db.close()


def mid(db, n: int) -> str:
    return next(m["id"] for m in db.values("members") if m["name"] == f"Anggota {n:03d}")


def sibling(db, member_id: str, change) -> None:
    """Give a member a second, concurrent version (another office's edit, as a sync import brings it):
    ``change(data)`` edits a copy of the stored data. The stored version stays the one shown first."""
    doc = db.doc("members", member_id)
    top = doc["v"][0]
    data = copy.deepcopy(top["data"])
    change(data)
    other = dict(top, dot=["replica-of-upt-b", 1], vv={"replica-of-upt-b": 1}, office="UPT-B", hlc=top["hlc"] - 1,
                 data=data)
    with db.transaction("sync.import") as tx:
        tx.put_doc("members", dict(doc, v=[top, other]))
    assert db.get("members", member_id)["_conflict"] is True


def other_account(data):
    data["bank"]["account"] = "9988776655"


def other_phone(data):
    data["phone"] = "+6281299990000"


def other_position(data):
    data["assignments"][0]["position"] = "KOORDINATOR_KEC"


def run_cli(capsys, data, *args, operator="Siti"):
    code = main(["--data", str(data), "--operator", operator, *args])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- members in conflict

def test_contested_account_holds_the_member_out_of_the_run_and_says_what_to_do(db, tmp_path, capsys):
    one = mid(db, 1)
    sibling(db, one, other_account)
    assert payouts.contested(db, db.get("members", one)) == ["bank.account"]
    plan = payouts.plan_run(db, Q2)
    assert [(r["member_id"], r["reason"], r["fields"]) for r in plan.held] == [(one, "conflict", ["bank.account"])]
    assert one not in {v["member_id"] for v in plan.new} and len(plan.new) == 2
    db.close()
    code, out, _ = run_cli(capsys, tmp_path / "d", "payout", "run", "--quarter", Q2, "--dry-run")
    assert code == 0 and "konflik sinkronisasi (nomor rekening)" in out and "4 Sinkron → c" in out
    code, out, _ = run_cli(capsys, tmp_path / "d", "payout", "run", "--quarter", Q2, "--dry-run", "--format", "json")
    assert [e["reason"] for e in json.loads(out)["excluded"]] == ["conflict"]


@pytest.mark.parametrize("change,fields", [(other_phone, []), (other_position, ["assignments"]),
                                           (lambda d: d.update(nik="3578000000000999"), ["nik"]),
                                           (lambda d: d["bank"].update(holder="ORANG LAIN"), ["bank.holder"])])
def test_only_payout_fields_hold(db, change, fields):
    one = mid(db, 1)
    sibling(db, one, change)
    assert payouts.contested(db, db.get("members", one)) == fields
    held = [r["member_id"] for r in payouts.plan_run(db, Q2).held]
    assert held == ([one] if fields else [])


def test_a_deleted_sibling_holds_too(db):
    one = mid(db, 1)
    doc = db.doc("members", one)
    top = doc["v"][0]
    gone = dict(top, dot=["replica-of-upt-b", 1], vv={"replica-of-upt-b": 1}, office="UPT-B", hlc=top["hlc"] - 1,
                deleted=True, data={})
    with db.transaction("sync.import") as tx:
        tx.put_doc("members", dict(doc, v=[top, gone]))
    assert set(payouts.contested(db, db.get("members", one))) == set(payouts.CONTESTED_FIELDS)


def test_conflict_after_the_run_keeps_the_draft_and_blocks_approval_until_decided(db):
    payouts.run_quarter(db, Q2)
    one = mid(db, 1)
    draft = next(v for v in payouts.items(db, Q2) if v["member_id"] == one)
    sibling(db, one, other_account)
    plan, created = payouts.run_quarter(db, Q2)
    assert created == [] and plan.changes == 0 and plan.held[0]["item_id"] == draft["id"]
    assert payouts.summary(db, Q2)["total"]["count"] == 3 == plan.totals.grand[0]  # the draft still stands
    [blocker] = payouts.approval_blockers(db, Q2)
    assert blocker["id"] == draft["id"] and blocker["reasons"] == ["conflict"] and not blocker["can_approve"]
    seq = db.seq
    with pytest.raises(PilarError, match="belum diputuskan") as err:
        payouts.approve(db, Q2)
    assert "Anggota 001" in str(err.value) and "4 Sinkron" in str(err.value)
    with pytest.raises(PilarError, match="tidak bisa disetujui tetap"):
        payouts.approve(db, Q2, {draft["id"]: ("approve", "saya yakin")})
    with pytest.raises(PilarError, match="alasan"):
        payouts.approve(db, Q2, {draft["id"]: ("void", " ")})
    assert db.seq == seq
    result = payouts.approve(db, Q2, {draft["id"][:8]: ("void", "rekening diubah dua kantor")})
    assert (result["count"], result["voided"]) == (2, 1)
    voided = payouts.find_item(db, draft["id"])[0]
    assert voided["status"] == "void" and voided["void_reason"] == "rekening diubah dua kantor"
    notes = [e for e in db.audit.for_record(draft["id"]) if e["action"] == "payout.void"]
    assert notes and "rekening diubah dua kantor" in notes[-1].get("note", "")


def test_assignment_conflict_can_be_approved_anyway_with_a_reason_audited(db):
    payouts.run_quarter(db, Q2)
    one = mid(db, 1)
    sibling(db, one, other_position)
    [b] = payouts.approval_blockers(db, Q2)
    assert b["can_approve"] and "penugasan" in payouts.blocker_label(b)
    payouts.approve(db, Q2, {b["id"]: {"action": "approve", "reason": "SK terbaru ANGGOTA"}})
    item = payouts.find_item(db, b["id"])[0]
    assert item["status"] == "approved" and item["review_reason"] == "SK terbaru ANGGOTA"
    assert any(e["action"] == "payout.approve_anyway" and "SK terbaru" in e.get("note", "")
               for e in db.audit.for_record(b["id"]))


def test_resolving_the_conflict_releases_the_member(db):
    one = mid(db, 1)
    sibling(db, one, other_account)
    assert payouts.run_quarter(db, Q2)[0].held
    conflicts.resolve(db, one, keep=2)  # the other office's account was right
    plan, created = payouts.run_quarter(db, Q2)
    assert not plan.held
    [item] = [v for v in created if v["member_id"] == one]
    assert item["bank"]["account"] == "9988776655"


def test_nothing_is_paid_or_sent_to_a_contested_account(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    one = mid(db, 1)
    sibling(db, one, other_account)
    with pytest.raises(PilarError, match="konflik"):
        payouts.pay_transfer(db, Q2, "REF", [one])
    assert all(r[7] != next(v["id"] for v in payouts.items(db, Q2) if v["member_id"] == one) for r in documents.bank_rows(db, Q2))
    result = payouts.pay_transfer(db, Q2, "REF")
    assert result["count"] == 2 and len(result["held"]) == 1
    assert {v["member_id"] for v in payouts.items(db, Q2, ("approved",))} == {one}
    with pytest.raises(PilarError, match="konflik"):
        payouts.pay_transfer(db, Q2, "REF")


def test_multi_pillar_items_need_a_decision_each(tmp_path, capsys):
    two = member(1, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78",
                                      "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])
    db = make_db(tmp_path / "d", [two, member(2)])
    payouts.run_quarter(db, Q2)
    blockers = payouts.approval_blockers(db, Q2)
    assert [b["pillar"] for b in blockers] == ["TAGANA", "TKSK"] and all(b["reasons"] == ["multi_pillar"]
                                                                          for b in blockers)
    db.close()
    data = tmp_path / "d"
    code, out, _ = run_cli(capsys, data, "payout", "blockers", "--quarter", Q2)
    assert code == 0 and "perlu diperiksa" in out and blockers[0]["id"] in out
    code, _out, err = run_cli(capsys, data, "payout", "approve", "--quarter", Q2,
                              "--approve-anyway", blockers[0]["id"], "SK TAGANA dan TKSK sah")
    assert code != 0 and "belum diputuskan" in err and blockers[1]["id"][:8] in err
    decisions = tmp_path / "keputusan.csv"
    decisions.write_text(f"item,keputusan,alasan\n{blockers[1]['id']},void,rangkap, tidak boleh\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, data, "payout", "approve", "--quarter", Q2, "--approve-anyway",
                           blockers[0]["id"][:8], "SK TAGANA dan TKSK sah", "--decisions", str(decisions))
    assert code == 0 and "Diputuskan: 2 item (1 dibatalkan)" in out
    code, out, _ = run_cli(capsys, data, "payout", "items", "--quarter", Q2, "--format", "json")
    by_id = {r["id"]: r for r in json.loads(out)}
    assert by_id[blockers[0]["id"]]["status"] == "approved"
    assert by_id[blockers[1]["id"]]["void_reason"] == "rangkap, tidak boleh"


# ---------------------------------------------------------------- separation of duties

def test_separation_of_duties_on_by_default(tmp_path):
    db = make_db(tmp_path / "d", [member(1), member(2)], separate_duties=True)
    assert payouts.separate_duties(db) is True
    payouts.run_quarter(db, Q2)  # saved by Siti
    with pytest.raises(PilarError, match="Siti menyimpan 2 item") as err:
        payouts.approve(db, Q2)
    assert "operator lain" in str(err.value)
    db.operator = "Budi"
    payouts.approve(db, Q2)
    with pytest.raises(PilarError, match="Budi menyetujui 2 item") as err:
        payouts.pay_transfer(db, Q2, "REF")
    assert "operator lain" in str(err.value) and not payouts.items(db, Q2, ("paid",))
    db.operator = "Siti"  # the saver may pay: she did not approve
    assert payouts.pay_transfer(db, Q2, "REF")["count"] == 2
    # A draft made when the money came back is the recorder's: someone else approves it.
    item = payouts.items(db, Q2)[0]
    payouts.return_item(db, item["id"], "rekening tutup", "2024-07-10")
    with pytest.raises(PilarError, match="Siti menyimpan 1 item"):
        payouts.approve(db, Q2)
    db.operator = "Budi"
    payouts.approve(db, Q2)
    db.close()


def test_separation_of_duties_off_lets_one_operator_do_the_quarter(tmp_path, capsys):
    db = make_db(tmp_path / "d", [member(1), member(2)], separate_duties=True)
    db.close()
    data = tmp_path / "d"
    code, out, _ = run_cli(capsys, data, "payout", "duties")
    assert code == 0 and "Pemisahan tugas: aktif" in out
    code, out, _ = run_cli(capsys, data, "payout", "duties", "off")
    assert code == 0 and "Pemisahan tugas: mati" in out
    for args in (("run", "--quarter", Q2), ("approve", "--quarter", Q2), ("pay", "--quarter", Q2, "--transfer-ref", "R")):
        code, _out, err = run_cli(capsys, data, "payout", *args)
        assert code == 0, err
    code, out, _ = run_cli(capsys, data, "payout", "duties", "on", "--format", "json")
    assert json.loads(out) == {"separate_duties": True}
    from storage.core.db import Database
    from storage.office.settings import DUTIES_ID

    again = Database.open(data, read_only=True)
    setting = again.doc("settings", DUTIES_ID)
    assert setting["owner"] == "JATIM"
    assert [e["changes"] for e in again.audit.for_record(DUTIES_ID)][-1]["separate_duties"] == [False, True]
    again.close()


# ---------------------------------------------------------------- references per member, the bank's file

def test_pay_takes_a_reference_per_member(db, tmp_path, capsys):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    one, two = mid(db, 1), mid(db, 2)
    nik = db.get("members", one)["nik"]
    db.close()
    code, out, err = run_cli(capsys, tmp_path / "d", "payout", "pay", "--quarter", Q2, "--ref", f"{nik}=BJTM-0001",
                             "--ref", f"{two[:8]}=BJTM-0002")
    assert code == 0, err
    code, _out, err = run_cli(capsys, tmp_path / "d", "payout", "pay", "--quarter", Q2, "--ref", "BJTM-0003")
    assert code != 0 and "ANGGOTA=REFERENSI" in err
    from storage.core.db import Database

    again = Database.open(tmp_path / "d", read_only=True)
    refs = {v["member_id"]: v.get("transfer_ref") for v in payouts.items(again, Q2)}
    assert refs[one] == "BJTM-0001" and refs[two] == "BJTM-0002" and refs[mid(again, 3)] is None
    again.close()


def _bank_rows(db):
    by = {v["member_id"]: v for v in payouts.items(db, Q2)}
    one, two, three = (by[mid(db, n)] for n in (1, 2, 3))
    return one, two, three, [
        ["No. Rekening", "Jumlah", "Referensi", "Status"],
        [one["bank"]["account"], "750.000", "BJTM-0001", "OK"],
        [two["bank"]["account"], "Rp750.000", "BJTM-0002", "RETUR"],
        [three["bank"]["account"], "1.400.000", "BJTM-0003", "OK"],   # amount does not match the item
        ["1234567890", "750000", "BJTM-0004", "OK"],                     # nobody's account
        [one["bank"]["account"], "750000", "BJTM-0005", "GAGAL"],        # not OK or RETUR
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bank_result_file_pays_returns_and_lists_what_does_not_match(db, tmp_path, capsys, kind):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    one, two, three, rows = _bank_rows(db)
    path = tmp_path / f"hasil.{kind}"
    if kind == "csv":
        path.write_text("\n".join(";".join(r) for r in rows), encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        for r in rows:
            book.active.append([int(c) if c.isdigit() and len(c) < 10 else c for c in r])
        book.save(path)
    preview = bank_result.import_bank_result(db, Q2, path, dry_run=True)
    assert preview.counts() == {"paid": 1, "returned": 1, "already": 0, "problems": 3}
    assert not payouts.items(db, Q2, ("paid",))
    db.close()
    data = tmp_path / "d"
    code, out, err = run_cli(capsys, data, "payout", "pay", "--quarter", Q2, "--bank-result", str(path))
    assert code == 0, err
    assert "1 item dibayar, 1 item retur, 0 baris sudah tercatat, 3 baris tidak diterapkan" in out
    assert "jumlah tidak sama dengan item (neto: 1500000)" in out and "rekening tidak dikenal" in out
    assert "bukan OK atau RETUR" in out
    from storage.core.db import Database

    again = Database.open(data, operator="Ani")
    by_id = {v["id"]: v for v in payouts.items(again, Q2)}
    assert (by_id[one["id"]]["status"], by_id[one["id"]]["transfer_ref"]) == ("paid", "BJTM-0001")
    assert by_id[two["id"]]["status"] == "returned" and by_id[two["id"]]["returned_reason"] == "retur bank BJTM-0002"
    reopened = by_id[by_id[two["id"]]["replaced_by"]]
    assert reopened["status"] == "draft" and reopened["rev"] == 1 and reopened["returned_from"] == two["id"]
    assert by_id[three["id"]]["status"] == "approved"  # the mismatched row changed nothing
    # The same file again: the paid row is already recorded, nothing is paid twice.
    result = bank_result.import_bank_result(again, Q2, path)
    assert result.counts()["already"] == 1 and result.counts()["paid"] == 0
    assert sum(1 for v in payouts.items(again, Q2, ("paid",)) if v["member_id"] == one["member_id"]) == 1
    assert [e for e in again.audit.lines() if e["action"] == "payout.bank_result"]
    assert payouts.check_payouts(again) == []
    again.close()


def test_bank_result_pays_a_two_pillar_member_in_one_transfer(tmp_path):
    two = member(1, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78",
                                      "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])
    db = make_db(tmp_path / "d", [two])
    payouts.run_quarter(db, Q2)
    approve_all(db, Q2)
    path = tmp_path / "hasil.csv"
    path.write_text("0000000001,2250000,TRF-9,ok\n", encoding="utf-8")  # no header, lower case status
    result = bank_result.import_bank_result(db, Q2, path)
    assert result.counts()["paid"] == 2 and {v["transfer_ref"] for v in payouts.items(db, Q2)} == {"TRF-9"}
    db.close()


def test_bank_result_refuses_the_approver_and_skips_contested_accounts(tmp_path):
    db = make_db(tmp_path / "d", [member(1), member(2)], separate_duties=True)
    payouts.run_quarter(db, Q2)
    db.operator = "Budi"
    payouts.approve(db, Q2)
    path = tmp_path / "hasil.csv"
    path.write_text("rekening,jumlah,referensi,status\n0000000001,750000,R1,OK\n0000000002,750000,R2,OK\n",
                    encoding="utf-8")
    with pytest.raises(PilarError, match="Budi menyetujui"):
        bank_result.import_bank_result(db, Q2, path)
    db.operator = "Ani"
    sibling(db, mid(db, 2), other_account)
    result = bank_result.import_bank_result(db, Q2, path)
    assert result.counts()["paid"] == 1 and [p["problem"] for p in result.problems] == ["account_in_conflict"]
    db.close()


# ---------------------------------------------------------------- returns

def test_return_reopens_a_new_draft_and_keeps_one_payment(db, tmp_path, capsys):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    payouts.pay_transfer(db, Q2, "REF-1")
    one = mid(db, 1)
    item = next(v for v in payouts.items(db, Q2) if v["member_id"] == one)
    with pytest.raises(PilarError, match="retur"):
        payouts.void(db, item["id"], "uang kembali")  # the message points to the return, not outside Pilar
    with pytest.raises(PilarError, match="alasan"):
        payouts.return_item(db, item["id"], "")
    with pytest.raises(PilarError, match="HH-BB-TTTT"):  # 10/07/2024 is read as the clerk wrote it (issue 24)
        payouts.return_item(db, item["id"], "rekening tutup", "31/02/2024")
    # The clerk fixes the account in the roster; the reopened draft is paid to the new one.
    m = db.get("members", one)
    m["bank"]["account"] = "1122334455"
    with db.transaction("roster.edit") as tx:
        tx.put("members", m)
    new = payouts.return_item(db, item["id"], "rekening tutup", "2024-07-10")
    assert (new["status"], new["rev"], new["net"], new["bank"]["account"]) == ("draft", 1, item["net"], "1122334455")
    old = payouts.find_item(db, item["id"])[0]
    assert (old["status"], old["returned_on"], old["returned_by"], old["replaced_by"]) == \
        ("returned", "2024-07-10", "Siti", new["id"])
    assert any(e["action"] == "payout.return" and "rekening tutup" in e.get("note", "") for e in db.audit.for_record(item["id"]))
    assert payouts.summary(db, Q2)["by_status"]["returned"] == {"count": 1, "net": item["net"]}
    assert payouts.get_run(db, Q2)["status"] == "draft"
    rows = [r for r in payouts.outstanding(db) if r["member_id"] == one]
    assert rows and rows[0]["returned"] and "rekening tutup" in rows[0]["note"]
    assert payouts.outstanding_quarters(db)[0]["returned"] == 1
    with pytest.raises(PilarError):
        payouts.return_item(db, item["id"], "lagi")  # returned once
    payouts.approve(db, Q2)
    payouts.pay_transfer(db, Q2, "REF-2")
    paid = [v for v in payouts.items(db, Q2, ("paid",)) if v["member_id"] == one]
    assert [v["transfer_ref"] for v in paid] == ["REF-2"] and payouts.check_payouts(db) == []
    text = documents.nominatif(db, Q2, "text")
    assert "DANA KEMBALI (RETUR)" in text and "rekening tutup" in text and "dibuka lagi: Dibayar" in text
    summary = payouts.summary(db, Q2)
    assert documents.nominatif_groups(db, Q2)[1] == [summary["total"][k] for k in ("count", "gross", "tax", "net")]
    csv_text = documents.nominatif(db, Q2, "csv").decode("utf-8-sig")
    assert "RETUR (tidak dijumlahkan)" in csv_text
    db.close()
    code, out, _ = run_cli(capsys, tmp_path / "d", "payout", "items", "--quarter", Q2, "--status", "returned")
    assert code == 0 and "retur 2024-07-10: rekening tutup" in out


def test_return_closed_when_told_and_cli(db, tmp_path, capsys):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    payouts.pay_transfer(db, Q2, "REF-1")
    one = mid(db, 1)
    item = next(v for v in payouts.items(db, Q2) if v["member_id"] == one)
    db.close()
    data = tmp_path / "d"
    code, out, err = run_cli(capsys, data, "payout", "return", item["id"], "--reason", "meninggal dunia",
                             "--date", "2024-07-01", "--close")
    assert code == 0 and "ditutup" in out, err
    from storage.core.db import Database

    again = Database.open(data, operator="Siti")
    assert payouts.find_item(again, item["id"])[0]["status"] == "returned"
    plan = payouts.plan_run(again, Q2)
    assert {r["member_id"]: r["reason"] for r in plan.excluded} == {one: "returned"}
    assert [r["reopened"] for r in payouts.returned_items(again, Q2)] == [""]
    new = payouts.reissue(again, item["id"])  # changed their mind: owed after all
    assert new["status"] == "draft" and new["returned_from"] == item["id"]
    again.close()
    code, out, err = run_cli(capsys, data, "payout", "outstanding", "--by", "item")
    assert code == 0 and "retur 2024-07-01: meninggal dunia" in out


def test_only_a_paid_item_can_be_returned(db):
    payouts.run_quarter(db, Q2)
    item = payouts.items(db, Q2)[0]
    with pytest.raises(PilarError, match="hanya item yang sudah dibayar"):
        payouts.return_item(db, item["id"], "x")


def test_reopening_a_member_in_conflict_is_refused(db):
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    payouts.pay_transfer(db, Q2, "REF")
    one = mid(db, 1)
    item = next(v for v in payouts.items(db, Q2) if v["member_id"] == one)
    sibling(db, one, other_account)
    with pytest.raises(PilarError, match="4 Sinkron"):
        payouts.return_item(db, item["id"], "retur", "2024-07-01")
    assert payouts.find_item(db, item["id"])[0]["status"] == "paid"
    closed = payouts.return_item(db, item["id"], "retur", "2024-07-01", reopen=False)
    assert closed["status"] == "returned"


def test_messages_have_both_languages():
    from storage.messages.payouts import MESSAGES

    assert all(set(v) == {"id", "en"} and v["id"] and v["en"] for v in MESSAGES.values())


def test_blockers_decisions_sheet_round_trip(tmp_path, capsys):
    """payout blockers --out writes a sheet the bendahara fills in (decision pre-set, reason empty);
    approve --decisions reads it back by its column names: an empty reason is refused, filled it approves."""
    two = member(1, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78",
                                      "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])
    db = make_db(tmp_path / "d", [two, member(2)])
    payouts.run_quarter(db, Q2)
    flagged = {b["id"] for b in payouts.approval_blockers(db, Q2)}
    db.close()
    assert len(flagged) == 2
    sheet = tmp_path / "keputusan.csv"
    code, out, err = run_cli(capsys, tmp_path / "d", "payout", "blockers", "--quarter", Q2, "--out", str(sheet))
    assert code == 0 and "--decisions" in out
    rows = [line.split(";") for line in sheet.read_text(encoding="utf-8-sig").splitlines()]
    assert rows[0][:3] == ["item", "keputusan", "alasan"] and {r[0] for r in rows[1:]} == flagged
    assert all(r[1] == "approve" and r[2] == "" and r[3] == "Anggota 001" for r in rows[1:])
    code, out, err = run_cli(capsys, tmp_path / "d", "payout", "approve", "--quarter", Q2, "--decisions", str(sheet),
                             operator="Budi")
    assert code != 0 and "alasan" in (out + err).lower()
    sheet.write_text("\n".join(";".join(r[:2] + ["SK dua pilar sah"] + r[3:]) if i else ";".join(r)
                               for i, r in enumerate(rows)), encoding="utf-8")
    code, out, err = run_cli(capsys, tmp_path / "d", "payout", "approve", "--quarter", Q2, "--decisions", str(sheet),
                             operator="Budi")
    assert code == 0, err
    from storage.core.db import Database

    again = Database.open(tmp_path / "d", read_only=True)
    assert {v["status"] for v in payouts.items(again, Q2)} == {"approved"}
    assert {v.get("review_reason") for v in payouts.items(again, Q2) if v["id"] in flagged} == {"SK dua pilar sah"}
    again.close()
