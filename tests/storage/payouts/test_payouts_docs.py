"""Payout documents and commands: nominatif, receipts, bank file; CLI output; totals that agree everywhere."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import payouts
from storage.core.errors import PilarError
from storage.domain import fmt
from storage.payouts import documents
from tests.support.payouts import Q2_CODE as Q2
from tests.support.payouts import approve_all, make_db, member
from tui.cli import main


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TAGANA", kab="35.78"), member(2, "TKSK", kab="35.78"),
                                  member(3, "PKH_PLUS", "KORKAB", kab="35.07"), member(4, "TAGANA", kab="35.07"),
                                  member(5, "TKSK", kab="35.09", account="")])
    payouts.set_signers(db, place="Surabaya", treasurer="Sri Wahyuni", treasurer_nip="197001011990032001",
                  officer="Drs. Bambang", officer_title="Pejabat Pembuat Komitmen")
    payouts.run_quarter(db, Q2, allow_cash=True)
    payouts.approve(db, Q2)
    yield db
    db.close()


@given(st.integers(min_value=-10**13, max_value=10**13))
def test_idr_is_fmt_rupiah(amount):
    assert documents.idr(amount) == fmt.rupiah(amount)


def test_idr_refuses_floats():
    with pytest.raises(TypeError):
        documents.idr(1.5)


def test_nominatif_groups_by_kab_with_subtotals_and_grand_total(db):
    groups, grand, left_out = documents.nominatif_groups(db, Q2)
    assert [g["kab"] for g in groups] == ["35.07", "35.09", "35.78"]
    assert [g["total"][1] for g in groups] == [1_500_000 + 750_000, 1_500_000, 750_000 + 1_500_000]
    assert grand == [5, 6_000_000, 0, 6_000_000] and left_out == 0
    assert grand[3] == payouts.summary(db, Q2)["total"]["net"]
    assert [r[0] for g in groups for r in g["rows"]] == [1, 2, 3, 4, 5]
    text = documents.nominatif(db, Q2, "text", date="2024-04-04")
    assert "Kabupaten Malang" in text and "Jumlah Kota Surabaya" in text and "JUMLAH SELURUHNYA" in text
    assert "Rp6.000.000" in text and "Surabaya, 4 April 2024" in text and "TRIWULAN II 2024" in text
    assert "3578000000000001" in text and "Sri Wahyuni" in text and "Tunai" in text


def test_nominatif_mask_hides_nik_and_account(db):
    text = documents.nominatif(db, Q2, "text", mask=True)
    assert "3578000000000001" not in text and "************0001" in text and "0000000001" not in text


def test_nominatif_html_escapes_and_is_a4(db, tmp_path):
    m = db.get("members", payouts.items(db, Q2)[0]["member_id"])
    m["name"] = "<script>x</script>"
    with db.transaction("t") as tx:
        tx.put("members", m)
    page = documents.nominatif(db, Q2, "html")
    assert "size: A4" in page and "<script>x" not in page and "&lt;script&gt;" in page
    assert "Pejabat Pembuat Komitmen" in page and "Bendahara Pengeluaran" in page


def test_nominatif_csv_and_xlsx_totals_are_ints(db):
    raw = documents.nominatif(db, Q2, "csv").decode("utf-8-sig").splitlines()
    assert raw[0].startswith("No,Nama,NIK") and raw[-1].startswith(",JUMLAH SELURUHNYA") and "6000000" in raw[-1]
    assert sum(1 for line in raw if line.startswith(",Jumlah ")) == 3
    wb = openpyxl.load_workbook(io.BytesIO(documents.nominatif(db, Q2, "xlsx")))
    ws = wb[Q2]
    last = [c.value for c in ws[ws.max_row]]
    assert last[1] == "JUMLAH SELURUHNYA" and last[6] == 6_000_000 and last[8] == 6_000_000
    assert isinstance(last[8], int)


def test_nominatif_leaves_out_drafts_unless_asked(tmp_path):
    db = make_db(tmp_path / "d", [member(1)])
    payouts.run_quarter(db, Q2)
    with pytest.raises(PilarError, match="--draft"):
        documents.nominatif(db, Q2, "text")
    assert "DRAF - BELUM DISETUJUI" in documents.nominatif(db, Q2, "text", draft=True)
    # A receipt of an unapproved item is marked on its face, in every format; once approved, not.
    assert "DRAF - BELUM DISETUJUI" in documents.receipts(db, Q2, "text", draft=True)
    assert "DRAF - BELUM DISETUJUI" in documents.receipts(db, Q2, "html", draft=True)
    payouts.approve(db, Q2)
    assert "DRAF" not in documents.receipts(db, Q2, "text") and "DRAF" not in documents.receipts(db, Q2, "html")
    db.close()


def test_receipt_has_figures_words_place_date_and_three_signatures(db):
    text = documents.receipts(db, Q2, "text", date="2024-04-04")
    pages = text.split("\f\n")
    assert len(pages) == 5
    tksk = next(p for p in pages if "TKSK" in p and "Anggota 002" in p)
    assert "Rp1.500.000 (Satu Juta Lima Ratus Ribu Rupiah)" in tksk
    assert "Surabaya, 4 April 2024" in tksk
    for role in ("Penerima", "Bendahara Pengeluaran", "Pejabat Pembuat Komitmen"):
        assert role in tksk
    assert "( Anggota 002 )" in tksk and "NIP 19700101 199003 2 001" in tksk
    tagana = next(p for p in pages if "Anggota 001" in p)
    assert "Rp750.000 (Tujuh Ratus Lima Puluh Ribu Rupiah)" in tagana and "Tali asih" in tagana
    html_pages = documents.receipts(db, Q2, "html", date="2024-04-04")
    assert html_pages.count('class="page-break"') == 4 and "Satu Juta Lima Ratus Ribu Rupiah" in html_pages


def test_receipt_sums_a_member_with_two_pillars(tmp_path):
    two = member(1, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78", "id": "b",
                                      "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])
    db = make_db(tmp_path / "d", [two])
    payouts.run_quarter(db, Q2)
    approve_all(db, Q2)
    [receipt] = documents.receipt_data(db, Q2)
    assert receipt["net"] == 2_250_000 and receipt["figures"] == "Rp2.250.000"
    assert receipt["words"] == "Dua Juta Dua Ratus Lima Puluh Ribu Rupiah"
    db.close()


def test_bank_file_lists_only_approved_transfer_items(db):
    rows = documents.bank_rows(db, Q2)
    assert len(rows) == 4 and all(isinstance(r[4], int) for r in rows)
    assert sum(r[4] for r in rows) == 6_000_000 - 1_500_000  # member 5 has no account: cash
    one = payouts.items(db, Q2)[0]["member_id"]
    payouts.pay_transfer(db, Q2, "REF", [one] if payouts.items(db, Q2)[0]["method"] != "CASH" else None)
    assert len(documents.bank_rows(db, Q2)) == 3
    csv_text = documents.bank_csv(db, Q2).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "no,bank,rekening,nama_pemilik,jumlah,referensi,keterangan"
    assert csv_text.splitlines()[-1] == f"TOTAL,3,,,{sum(r[4] for r in documents.bank_rows(db, Q2))},,"


# ---------------------------------------------------------------- command line

def run_cli(capsys, data, *args):
    code = main(["--data", str(data), "--operator", "Siti", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_end_to_end_totals_agree(tmp_path, capsys):
    data = tmp_path / "d"
    make_db(data, [member(1, "TAGANA"), member(2, "TKSK"), member(3, "PKH_PLUS", "KORWIL")]).close()
    code, out, _ = run_cli(capsys, data, "payout", "run", "--quarter", Q2, "--dry-run", "--format", "json")
    assert code == 0 and json.loads(out)["dry_run"] is True
    code, out, _ = run_cli(capsys, data, "payout", "items", "--quarter", Q2, "--format", "json")
    assert json.loads(out) == []
    code, out, _ = run_cli(capsys, data, "payout", "run", "--quarter", Q2, "--format", "json")
    result = json.loads(out)
    assert code == 0 and len(result["created"]) == 3
    assert set(result["created"][0]) == {"id", "member_id", "pillar", "position", "quarter", "gross", "tax", "net",
                                         "status"}
    assert result["totals"]["total"] == {"count": 3, "gross": 3_750_000, "tax": 0, "net": 3_750_000}
    assert result["totals"]["by_pillar"]["TAGANA"]["net"] == 750_000
    code, out, _ = run_cli(capsys, data, "payout", "run", "--quarter", Q2, "--format", "json")
    assert json.loads(out)["created"] == [] and json.loads(out)["totals"] == result["totals"]
    code, out, _ = run_cli(capsys, data, "payout", "run", "--quarter", Q2)
    assert "tidak ada perubahan" in out
    code, out, _ = run_cli(capsys, data, "payout", "approve", "--quarter", Q2)
    assert code == 0 and "Rp3.750.000" in out
    code, out, _ = run_cli(capsys, data, "report", "payouts", "--quarter", Q2, "--format", "text")
    assert code == 0 and "Rp3.750.000" in out
    out_file = tmp_path / "bank.csv"
    code, out, _ = run_cli(capsys, data, "report", "payouts", "--quarter", Q2, "--format", "bank", "--out",
                           str(out_file))
    assert code == 0 and out_file.read_bytes().count(b"\n") == 5  # header, 3 transfers, totals
    code, out, _ = run_cli(capsys, data, "payout", "pay", "--quarter", Q2, "--transfer-ref", "BJ-1", "--format", "json")
    assert json.loads(out)["net"] == 3_750_000
    # One member's items, found as the screen finds them; the list names members.
    code, out, _ = run_cli(capsys, data, "payout", "items", "--quarter", Q2, "--search", "anggota 002")
    assert code == 0 and "Anggota 002" in out and "Anggota 001" not in out and "BJ-1" in out
    code, out, _ = run_cli(capsys, data, "payout", "items", "--quarter", Q2, "--search", "3578000000000003",
                           "--format", "json")
    [found] = json.loads(out)
    assert found["pillar"] == "PKH_PLUS" and found["status"] == "paid"
    code, out, _ = run_cli(capsys, data, "payout", "items", "--quarter", Q2, "--search", "tidak ada orang ini")
    assert code == 0 and "Tidak ada item 2024-Q2" in out
    code, out, _ = run_cli(capsys, data, "payout", "outstanding")
    assert "Tidak ada" in out


def test_cli_errors_are_sentences_and_change_nothing(tmp_path, capsys):
    data = tmp_path / "d"
    make_db(data, [member(1)]).close()
    before = (data / "db" / "journal.jsonl").read_bytes() if (data / "db" / "journal.jsonl").exists() else b""
    code, _, err = run_cli(capsys, data, "payout", "rate", "set", "--pillar", "TAGANA", "--amount", "750000.50",
                           "--start", "2025-01-01")
    assert code == 1 and "rupiah bulat" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, data, "payout", "approve", "--quarter", "Q2")
    assert code == 1 and "2024-Q2" in err
    code, _, err = run_cli(capsys, data, "payout", "pay", "--quarter", Q2, "--cash")
    assert code == 1 and "--event" in err
    code, _, err = run_cli(capsys, data, "payout", "void", "nope", "--reason", "x")
    assert code == 1 and "tidak ditemukan" in err
    after = (data / "db" / "journal.jsonl").read_bytes() if (data / "db" / "journal.jsonl").exists() else b""
    assert before == after


def test_cli_rates_and_rate_set(tmp_path, capsys):
    data = tmp_path / "d"
    make_db(data, []).close()
    code, out, _ = run_cli(capsys, data, "payout", "rate", "set", "--pillar", "tksk", "--amount", "Rp1.750.000",
                           "--tax", "87.500", "--start", "2025-01-01", "--format", "json")
    rate = json.loads(out)
    assert code == 0 and (rate["amount"], rate["tax"]) == (1_750_000, 87_500)
    code, out, _ = run_cli(capsys, data, "payout", "rates", "--format", "json")
    tksk = [r for r in json.loads(out) if r["pillar"] == "TKSK"]
    assert [(r["amount"], r["end"]) for r in tksk] == [(1_500_000, "2024-12-31"), (1_750_000, "")]
    code, out, _ = run_cli(capsys, data, "payout", "rates")
    assert "Rp1.750.000" in out and "Rp87.500" in out and "Rp0" in out and "APBD Provinsi" in out


_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x1b",
                              max_codepoint=0x2FF), max_size=12)


@given(st.lists(st.lists(_text, min_size=3, max_size=3), max_size=6), st.lists(_text, min_size=3, max_size=3),
       st.lists(st.sampled_from(("left", "right")), min_size=3, max_size=3))
def test_grid_is_tabulates_simple_grid(rows, headers, align):
    from storage.printing import tables as export

    if not rows:
        return
    assert documents.grid(rows, headers, tuple(align)) == export.table(rows, headers, "text", colalign=align)
