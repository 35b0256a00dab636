"""Tax per rate: none by default, a fixed amount, or PPh 21 bukan pegawai on 50% of the gross (integer
rupiah, rounded down); the rate change is audited, the run withholds it, and the documents show and
sum gross / tax / net."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import payouts
from storage.core.errors import PilarError
from storage.payouts import documents
from storage.payouts.documents import spj
from storage.payouts.rates import parse_percent, tax_of
from tests.support.payouts import Q2, make_db, member
from tests.support.pdf import pages
from tui.cli import main


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_pph21_is_the_rate_on_half_the_gross_rounded_down(amount, bp):
    tax = tax_of(amount, "PPH21_BP", 0, bp)
    assert isinstance(tax, int) and 0 <= tax <= amount // 2
    assert tax * 20_000 <= amount * bp < (tax + 1) * 20_000


def test_no_rule_keeps_the_fixed_amount():
    assert tax_of(1_500_000) == 0 and tax_of(1_500_000, "", 25_000) == 25_000


@pytest.mark.parametrize(("text", "bp"), [("5", 500), ("2,5", 250), ("2.55%", 255), ("0", 0), ("100", 10_000)])
def test_parse_percent(text, bp):
    assert parse_percent(text) == bp


@pytest.mark.parametrize("text", ["lima", "101", "2.555", "-1", "", "nan"])
def test_parse_percent_refuses(text):
    with pytest.raises(PilarError) as err:
        parse_percent(text)
    assert err.value.key == "payout.bad_tax_percent"


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path / "d", [member(i, "TKSK", kab="35.78") for i in range(1, 5)]
                 + [member(i, "TAGANA", kab="35.07") for i in range(5, 8)])
    yield db
    db.close()


def _tksk_rate(db):
    return next(r for r in payouts.rates(db) if r["pillar"] == "TKSK")


def test_pph21_rate_is_withheld_and_documents_add_up(db):
    old = _tksk_rate(db)
    rate = payouts.set_rate(db, pillar="TKSK", amount=old["amount"], start=old["start"], funding=old["funding"],
                      rate_id=old["id"], tax_rule="PPH21_BP", tax_bp=500)
    assert rate["tax"] == 37_500 and rate["tax_rule"] == "PPH21_BP" and rate["tax_bp"] == 500
    audited = [e for e in db.audit.for_record(rate["id"])]
    assert audited and "37500" in str(audited[-1])
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    tksk = [v for v in payouts.items(db, Q2) if v["pillar"] == "TKSK"]
    assert {(v["gross"], v["tax"], v["net"]) for v in tksk} == {(1_500_000, 37_500, 1_462_500)}
    tagana = [v for v in payouts.items(db, Q2) if v["pillar"] == "TAGANA"]
    assert {v["tax"] for v in tagana} == {0}  # none by default
    total_tax = 4 * 37_500
    nominatif = "\n".join(pages(documents.render(db, Q2, "nominatif", "pdf")))
    assert "1.500.000 37.500 1.462.500" in nominatif
    gross = 4 * 1_500_000 + 3 * 750_000
    assert f"JUMLAH SELURUHNYA {documents.idr(gross)[2:]} {documents.idr(total_tax)[2:]} {documents.idr(gross - total_tax)[2:]}" in nominatif
    rekap = pages(documents.render(db, Q2, "rekap", "pdf"))[0]
    assert f"TKSK 4 6.000.000 {documents.idr(total_tax)[2:]} {documents.idr(6_000_000 - total_tax)[2:]}" in rekap
    kwitansi = "\n".join(pages(documents.render(db, Q2, "kwitansi", "pdf")))
    assert f"PPh 21 : {documents.idr(total_tax)}" in kwitansi and f"Uang sejumlah : {documents.idr(6_000_000 - total_tax)}" in kwitansi
    receipt = pages(documents.render(db, Q2, "receipts", "pdf", member_ids=[tksk[0]["member_id"]]))[0]
    assert "Uang sejumlah : Rp1.462.500" in receipt and "Satu Juta Empat Ratus Enam Puluh Dua Ribu Lima Ratus" in receipt
    recap = pages(documents.render(db, Q2, "pajak", "pdf"))[0]
    lines = [line for line in recap.splitlines() if " PPh 21 bukan pegawai 5% x 50% bruto " in line]
    assert len(lines) == 4 and all(line.endswith("1.500.000 750.000 PPh 21 bukan pegawai 5% x 50% bruto 37.500 "
                                                  "1.462.500") for line in lines)
    assert f"JUMLAH SELURUHNYA 6.000.000 {documents.idr(total_tax)[2:]} {documents.idr(6_000_000 - total_tax)[2:]}" in recap
    assert "REKAPITULASI POTONGAN PAJAK" in recap and "Anggota 005" not in recap  # Tagana: no tax
    names = [f["name"] for f in spj.make(db, Q2, db.path.parent / "spj")["files"]]
    assert "05-rekap-pajak_2024-Q2.pdf" in names
    basis = pages(spj.rates_pdf(db, Q2))[0]
    assert "PPh 21 bukan pegawai 5% x 50% bruto" in basis and "37.500" in basis


def test_editing_a_rate_keeps_its_rule(db):
    old = _tksk_rate(db)
    payouts.set_rate(db, pillar="TKSK", amount=old["amount"], start=old["start"], funding=old["funding"],
               rate_id=old["id"], tax_rule="PPH21_BP", tax_bp=250)
    rate = payouts.set_rate(db, pillar="TKSK", amount=2_000_000, start=old["start"], funding=old["funding"],
                      rate_id=old["id"])
    assert rate["tax_rule"] == "PPH21_BP" and rate["tax"] == 25_000
    rate = payouts.set_rate(db, pillar="TKSK", amount=2_000_000, start=old["start"], funding=old["funding"],
                      rate_id=old["id"], tax_rule="", tax_bp=0)
    assert "tax_rule" not in rate and rate["tax"] == 0
    with pytest.raises(PilarError) as err:
        payouts.set_rate(db, pillar="TKSK", amount=2_000_000, start=old["start"], funding=old["funding"],
                   rate_id=old["id"], tax_rule="PPN")
    assert err.value.key == "payout.unknown_tax_rule"
    assert _tksk_rate(db)["tax"] == 0  # refused: nothing changed


def test_cli_pph21(db, capsys):
    path = str(db.path)
    rid = _tksk_rate(db)["id"]
    db.close()
    assert main(["--data", path, "payout", "rate", "set", "--id", rid, "--pillar", "TKSK", "--amount", "1500000",
                 "--start", "2024-01-01", "--pph21", "5"]) == 0
    assert "Pajak: PPh 21 bukan pegawai 5% x 50% bruto = Rp37.500 per triwulan; neto Rp1.462.500." in \
        capsys.readouterr().out
    assert main(["--data", path, "payout", "rate", "set", "--id", rid, "--pillar", "TKSK", "--amount", "1500000",
                 "--start", "2024-01-01", "--pph21", "seratus"]) == 1
    assert "Tarif pajak" in capsys.readouterr().err
