"""The account checked by the member's own bank (issue 24): a 9-digit Bank Jatim account is refused
on import and in the form, held at approval and left out of the bank file, whatever the office's
transfer template (the generic one takes 6-20 digits); an account typed with dots is read as the bank
file reads it."""

from __future__ import annotations

import csv
import datetime as dt
import io

from storage import payouts as P
from storage.domain import banks as bank_rules
from storage.domain.validate import check_bank_account
from storage.payouts import bankfile as bank_file
from storage.roster import Roster
from storage.roster.importing.plan import preview
from tests.support.payouts import make_db, member
from tests.support.roster import make_folder, nik

Q2 = P.Quarter(2024, 2)


def _errors(result) -> list[str]:
    return [str(i.message) for i in result.errors]


def test_rule_by_the_members_bank():
    assert bank_rules.rule_for("Bank Jatim")["id"] == "jatim"
    assert bank_rules.rule_for("  bpd  JATIM ")["id"] == "jatim"
    assert bank_rules.rule_for("BRI") is None
    assert _errors(check_bank_account("001234567", bank_name="Bank Jatim")) == [
        "Nomor rekening Bank Jatim harus 10 angka; yang diketik 9 angka. Periksa lagi di buku tabungan."]
    assert not _errors(check_bank_account("001234567", bank_name="BRI"))  # no rule for BRI: 6-20
    assert not _errors(check_bank_account("001.234.5678", bank_name="Bank Jatim"))  # dots, as the bank file
    assert _errors(check_bank_account("12345", bank_name="BRI")) == [
        "Nomor rekening harus 6 sampai 20 angka; yang diketik 5 angka."]


def test_import_refuses_a_nine_digit_bank_jatim_account(tmp_path):
    db = make_folder(tmp_path / "data")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["NAMA", "NIK", "JENIS KELAMIN", "TANGGAL LAHIR", "KAB/KOTA", "KECAMATAN", "PILAR", "JABATAN",
                "NAMA BANK", "NO REKENING"])
    w.writerow(["Ani", nik("35.78.04", "P", "1980-01-01", 901), "P", "01-01-1980", "Kota Surabaya", "Wonocolo",
                "PSM", "Anggota", "Bank Jatim", "001234567"])
    w.writerow(["Budi", nik("35.78.04", "L", "1981-02-02", 902), "L", "02-02-1981", "Kota Surabaya", "Wonocolo",
                "PSM", "Anggota", "Bank Jatim", "0012.3456.78"])
    path = tmp_path / "a.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    plan = preview(Roster(db), path, today=dt.date(2024, 4, 4))
    fates = {r.name: r for r in plan.rows}
    assert fates["Ani"].fate == "refuse" and any("Bank Jatim harus 10 angka" in x for x in fates["Ani"].reasons)
    assert fates["Budi"].fate == "add"
    db.close()


def test_approval_holds_it_under_the_generic_template(tmp_path):
    db = make_db(tmp_path / "d", [member(1, account="0012345678"), member(2, account="001234567")])
    assert bank_file.chosen(db.office) == "generic"
    P.run_quarter(db, Q2)
    [row] = P.approval_blockers(db, Q2)
    assert row["name"] == "Anggota 002" and row["reasons"] == ["account"]
    assert "9 digit, Bank Jatim perlu 10" in P.blocker_label(row)
    db.close()
