"""PDF documents read back with pypdf: names, amounts, page headers and numbers, page totals carried
over, signatures; member cards decoded back from the drawn bars and modules; the SPJ package's
manifest verifies and fails on a changed byte; the system viewer is never started under a test."""

from __future__ import annotations

import re
import zipfile

import pytest
import segno

from storage import events, payouts
from storage.core.errors import PilarError
from storage.domain import fmt
from storage.events import reports
from storage.payouts import documents
from storage.payouts.documents import spj
from storage.printing import viewer
from storage.roster import Query, Roster, cards
from tests.support.payouts import Q2_CODE as Q2
from tests.support.payouts import make_db, member
from tests.support.pdf import barcode_bits, decode_code128, filled_rects, page_count, pages, qr_modules
from tui.cli import main

KABS = ("35.78", "35.07", "35.09")
PILLARS = (("TAGANA", "ANGGOTA"), ("TKSK", "ANGGOTA"), ("PKH_PLUS", "KORKAB"))


def _member(i: int) -> dict:
    pillar, position = PILLARS[i % 3]
    m = member(i, pillar, position, kab=KABS[i % 3])
    if i % 2:
        m["assignments"][0]["number"] = f"NIAT-35{i:06d}"
    return m


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path / "d", [_member(i) for i in range(1, 91)])
    payouts.set_signers(db, place="Sidoarjo", treasurer="Sri Wahyuni", treasurer_nip="197001011990032001",
                  officer="Drs. Bambang", officer_title="Kuasa Pengguna Anggaran")
    payouts.run_quarter(db, Q2, allow_cash=True)
    payouts.approve(db, Q2)
    yield db
    db.close()


def _amount(text: str) -> int:
    return int(text.replace(".", ""))


def _totals(line: str) -> list[int]:
    """The three amounts (gross, tax, net) at the end of a totals line."""
    return [_amount(x) for x in line.split()[-3:]]


def test_nominatif_pdf_pages_headers_totals_and_carry_over(db):
    text = pages(documents.render(db, Q2, "nominatif", "pdf", date="2024-04-04"))
    n = len(text)
    assert n >= 3
    net_total = payouts.summary(db, Q2)["total"]["net"]
    carried = seen = 0
    for i, page in enumerate(text, 1):
        lines = page.splitlines()
        assert lines[0] == "PEMERINTAH PROVINSI JAWA TIMUR" and lines[1] == "DINAS SOSIAL PROVINSI JAWA TIMUR"
        assert f"Halaman {i} dari {n}" in page
        if i < n:  # the table runs onto every page but the last (signatures)
            assert any(line.startswith("No Nama NIK Pilar/Jabatan") for line in lines), f"no header on page {i}"
        rows = [line for line in lines if re.match(r"^\d+ Anggota \d{3} ", line)]
        seen += len(rows)
        # a row ends with gross, tax, net and the numbered signature place
        page_net = sum(_amount(re.search(r"(\d[\d.]*) (\d[\d.]*) (\d[\d.]*) +\d+\. \.+$", r).group(3))
                       for r in rows)
        if i > 1 and rows:
            carried_in = next(line for line in lines if line.startswith("Pindahan dari halaman sebelumnya"))
            assert _totals(carried_in)[2] == carried
        if rows:
            page_line = next(line for line in lines if line.startswith("Jumlah halaman ini"))
            assert _totals(page_line)[2] == page_net
            carried += page_net
            closing = [line for line in lines if line.startswith(("Jumlah s.d. halaman ini", "JUMLAH SELURUHNYA"))]
            assert _totals(closing[-1])[2] == carried
    assert carried == net_total and seen == payouts.summary(db, Q2)["total"]["count"] == 90
    whole = "\n".join(text)
    assert f"JUMLAH SELURUHNYA {fmt.rupiah(net_total)[2:]} 0 {fmt.rupiah(net_total)[2:]}" in whole
    assert "Jumlah Kabupaten Malang" in whole and "Jumlah Kota Surabaya" in whole
    assert fmt.rupiah_words_title(net_total) in whole
    assert "Sidoarjo, 4 April 2024" in whole and "( Sri Wahyuni )" in whole and "NIP 19700101 199003 2 001" in whole
    assert "Kuasa Pengguna Anggaran" in whole and "Anggota 090" in whole and "3578000000000090" in whole


def test_nominatif_pdf_masked_hides_nik(db):
    whole = "\n".join(pages(documents.render(db, Q2, "nominatif", "pdf", mask=True)))
    assert "3578000000000001" not in whole and "************0001" in whole


def test_receipt_pdf_amount_in_figures_and_words(db):
    item = next(v for v in payouts.items(db, Q2) if v["pillar"] == "TKSK")
    text = pages(documents.render(db, Q2, "receipts", "pdf", member_ids=[item["member_id"]], date="2024-05-02"))
    assert len(text) == 1
    name = db.get("members", item["member_id"])["name"]
    page = text[0]
    assert "TANDA TERIMA" in page and f"Nama : {name}" in page and f"( {name} )" in page
    assert "Uang sejumlah : Rp1.500.000" in page and "Terbilang : Satu Juta Lima Ratus Ribu Rupiah" in page
    assert "Jumlah 1.500.000 0 1.500.000" in page and "Halaman 1 dari 1" in page
    assert "Sidoarjo, 2 Mei 2024" in page


def test_kwitansi_and_rekap_add_up(db):
    per_pillar = {}
    per_kab = {}
    for v in payouts.items(db, Q2, ("approved",)):
        per_pillar[v["pillar"]] = per_pillar.get(v["pillar"], 0) + v["net"]
        per_kab[v["kab"]] = per_kab.get(v["kab"], 0) + v["net"]
    kw = pages(documents.render(db, Q2, "kwitansi", "pdf"))
    assert len(kw) == 3
    tksk = next(p for p in kw if "TKSK" in p)
    assert f"Uang sejumlah : {fmt.rupiah(per_pillar['TKSK'])}" in tksk
    assert f"Terbilang : {fmt.rupiah_words_title(per_pillar['TKSK'])}" in tksk and "KWITANSI" in tksk
    rekap = pages(documents.render(db, Q2, "rekap", "pdf"))[0]
    lines = rekap.splitlines()
    malang = next(line for line in lines if "35.07 Kabupaten Malang" in line)
    assert _totals(malang)[2] == per_kab["35.07"]
    grand = [line for line in lines if line.startswith("JUMLAH SELURUHNYA")]
    assert len(grand) == 2 and all(_totals(g)[2] == sum(per_kab.values()) for g in grand)
    assert "Per kabupaten/kota" in rekap and "Per pilar" in rekap


def test_pdf_refuses_an_empty_quarter(db):
    with pytest.raises(PilarError) as err:
        documents.render(db, "2023-Q1", "nominatif", "pdf")
    assert err.value.key == "payout.nothing_to_print"


def test_attendance_pdf_per_day_with_signature_column(db):
    eid = events.create_event(db, {"name": "Penyerahan Tali Asih", "date": "2024-05-06", "end_date": "2024-05-07",
                               "venue": "Pendopo", "city": "Sidoarjo"})
    ids = [v["member_id"] for v in payouts.items(db, Q2)[:5]]
    events.invite(db, eid, ids, override=True)
    events.checkin(db, eid, ids[0], day="2024-05-07")
    day2 = pages(reports.render(db, eid, "attendance", "pdf", day="2024-05-07"))[0]
    day1 = pages(reports.render(db, eid, "attendance", "pdf", day="2024-05-06"))[0]
    name = db.get("members", ids[0])["name"]
    assert "DAFTAR HADIR" in day2 and "Tanda Tangan" in day2 and "daftar hari ke-2: Selasa, 7 Mei 2024" in day2
    row2 = next(line for line in day2.splitlines() if f" {name} " in line)
    row1 = next(line for line in day1.splitlines() if f" {name} " in line)
    assert "Hadir" in row2 and "Hadir" not in row1.replace("Belum hadir", "")
    assert "1. ...." in day1 and "Sidoarjo, 6 Mei 2024" in day1 and "Sidoarjo, 7 Mei 2024" in day2


# ---------------------------------------------------------------------- member cards

def _card_rects(data: bytes):
    return filled_rects(data, 0)


def test_card_carries_the_membership_number_and_no_nik(db):
    roster = Roster(db)
    chosen = cards.select(roster, Query(pillar="TAGANA"))
    with_number = next(m for m in chosen if m["assignments"][0].get("number"))
    data = cards.render(db, [with_number])
    rects = _card_rects(data)
    number = with_number["assignments"][0]["number"]
    assert decode_code128(barcode_bits(rects)) == number
    assert qr_modules(rects) == [list(row) for row in segno.make_qr(number, error="m").matrix]
    assert qr_modules(rects) != [list(row) for row in segno.make_qr(number + "1", error="m").matrix]
    text = pages(data)[0]
    assert with_number["name"] in text and "Tagana - Anggota" in text and number in text
    assert with_number["nik"] not in text and "Kota Surabaya" in text
    assert "DINAS SOSIAL PROVINSI JAWA TIMUR" in text


def test_card_without_number_carries_the_member_id(db):
    plain = next(m for m in cards.select(Roster(db), Query()) if not m["assignments"][0].get("number"))
    rects = _card_rects(cards.render(db, [plain]))
    assert decode_code128(barcode_bits(rects)) == plain["id"]
    assert events.find(db, "none", plain["id"])[0]["member_id"] == plain["id"]


def test_card_sheets_filters_and_layout(db):
    roster = Roster(db)
    everyone = cards.select(roster, Query())
    assert len(everyone) == 90
    assert {m["assignments"][0]["pillar"] for m in cards.select(roster, Query(pillar="TKSK"))} == {"TKSK"}
    assert {m["kab"] for m in cards.select(roster, Query(kab="35.07"))} == {"35.07"}
    assert cards.select(roster, Query(), since="2023-01-02") == []
    assert len(cards.select(roster, Query(), since="2023-01-01")) == 90
    assert page_count(cards.render(db, everyone[:21], 10)) == 3
    assert page_count(cards.render(db, everyone[:17], 8)) == 3
    with pytest.raises(PilarError):
        cards.render(db, everyone, 9)
    with pytest.raises(PilarError):
        cards.render(db, [])
    with pytest.raises(PilarError):
        cards.select(roster, Query(), since="kemarin")


# ---------------------------------------------------------------------- SPJ package

def test_spj_package_verifies_and_fails_on_a_changed_byte(db, tmp_path):
    eid = events.create_event(db, {"name": "Penyerahan", "date": "2024-05-06", "end_date": "2024-05-07"})
    out = tmp_path / "spj"
    seen = []
    manifest = spj.make(db, Q2, out, event_id=eid, progress=lambda done, total, what: seen.append(done / total))
    assert seen == sorted(seen) and seen[-1] == 1 and len(seen) > 12  # within documents too
    names = [f["name"] for f in manifest["files"]]
    assert names == ["01-dasar-tarif_2024-Q2.pdf", "02-nominatif_2024-Q2.pdf", "02-nominatif_2024-Q2.xlsx",
                     "03-tanda-terima_2024-Q2.pdf", "04-kwitansi_2024-Q2.pdf", "05-rekap_2024-Q2.pdf", "05-meterai_2024-Q2.pdf",
                     "06-bank_2024-Q2.csv", "07-daftar-hadir_2024-05-06.pdf", "07-daftar-hadir_2024-05-07.pdf"]
    assert manifest["audit_head"] == db.audit.head() and manifest["office"] == "JATIM"
    assert spj.verify(out)["ok"] and spj.audit_holds(db, manifest)
    forged = dict(manifest, audit_head=dict(manifest["audit_head"], h="0" * 64))
    assert not spj.audit_holds(db, forged)
    target = out / "04-kwitansi_2024-Q2.pdf"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 1
    target.write_bytes(bytes(data))
    result = spj.verify(out)
    assert not result["ok"] and result["problems"] == ["BERUBAH: 04-kwitansi_2024-Q2.pdf (SHA-256 tidak sama)"]
    (out / "06-bank_2024-Q2.csv").unlink()
    (out / "catatan.txt").write_text("x")
    problems = spj.verify(out)["problems"]
    assert "HILANG: 06-bank_2024-Q2.csv" in problems and "TAMBAHAN (tidak ada di manifest): catatan.txt" in problems
    with pytest.raises(PilarError) as err:
        spj.make(db, Q2, out)
    assert err.value.key == "spj.out_exists"


def test_spj_signed_manifest_refuses_a_changed_manifest(db, tmp_path):
    from storage.office import keys

    own = keys.create_office_keys(db)
    out = tmp_path / "signed"
    spj.make(db, Q2, out)
    result = spj.verify(out)
    assert result["ok"] and result["signed"] == own.fp
    manifest = (out / "manifest.json").read_bytes()
    (out / "manifest.json").write_bytes(manifest.replace(b'"made_by": "Siti"', b'"made_by": "Budi"'))
    assert spj.verify(out)["problems"] == ["BERUBAH: manifest.json (SHA-256 tidak sama)"]


def test_spj_zip_and_a_changed_manifest(db, tmp_path):
    payouts.pay_transfer(db, Q2, "TRF-1")  # nothing left to transfer: the bank file is skipped, said why
    out = tmp_path / "spj.zip"
    manifest = spj.make(db, Q2, out)
    assert [s["name"] for s in manifest["skipped"]] == ["05-rekap-pajak_2024-Q2.pdf", "06-bank_2024-Q2.csv"]
    assert manifest["skipped"][0]["reason"] == "Tidak ada pajak yang dipotong pada 2024-Q2."
    assert spj.verify(out)["ok"]
    with zipfile.ZipFile(out) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    body = files["manifest.json"].replace(b'"made_by"', b'"made_by" ', 1)
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(changed, "w") as z:
        for name, data in files.items():
            z.writestr(name, body if name == "manifest.json" else data)
    assert spj.verify(changed)["ok"]  # no office key here: the manifest is not signed
    assert "manifest.sig.json" not in files
    with pytest.raises(PilarError):
        spj.verify(tmp_path / "nothing.zip")


def test_cli_pdf_cards_spj(db, tmp_path, capsys):
    data = str(db.path)
    db.close()
    assert main(["--data", data, "report", "payouts", "--quarter", Q2, "--format", "pdf",
                 "--out", str(tmp_path / "n.pdf")]) == 0
    assert "Halaman 1 dari" in pages((tmp_path / "n.pdf").read_bytes())[0]
    assert main(["--data", data, "report", "payouts", "--quarter", Q2, "--doc", "kwitansi",
                 "--out", str(tmp_path / "k.pdf")]) == 0
    assert main(["--data", data, "roster", "cards", "--pillar", "TKSK", "--per-page", "8",
                 "--out", str(tmp_path / "c.pdf")]) == 0
    assert "30 kartu ditulis" in capsys.readouterr().out
    assert main(["--data", data, "payout", "spj", Q2, "--out", str(tmp_path / "p")]) == 0
    assert main(["--data", data, "payout", "spj-verify", str(tmp_path / "p"), "--audit"]) == 0
    out = capsys.readouterr().out
    assert "Paket SPJ utuh" in out and "masih memuat kepala" in out
    (tmp_path / "p" / "05-rekap_2024-Q2.pdf").write_bytes(b"%PDF-1.3 diganti")
    assert main(["--data", data, "payout", "spj-verify", str(tmp_path / "p")]) == 1
    assert "TIDAK utuh" in capsys.readouterr().out
    assert main(["--data", data, "report", "viewer", "off"]) == 0
    assert "mati" in capsys.readouterr().out


# ---------------------------------------------------------------------- the system viewer

def test_viewer_never_opens_under_a_test(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(viewer.subprocess, "Popen", lambda *a, **k: calls.append(a))
    assert not viewer.enabled({}) and viewer.after_print({}, tmp_path / "x.pdf") is None and not calls
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert viewer.enabled({}) and not viewer.enabled({"open_after_print": False})
    assert viewer.after_print({}, tmp_path / "x.pdf") == f"Dibuka dengan penampil sistem: {tmp_path / 'x.pdf'}"
    assert calls == [(["open" if viewer.sys.platform == "darwin" else "xdg-open", str(tmp_path / "x.pdf")],)]
    monkeypatch.setenv("PILAR_NO_VIEWER", "1")
    assert not viewer.enabled({})
    assert viewer.command(tmp_path / "a.pdf", "linux")[0] == "xdg-open"
    assert viewer.command(tmp_path / "a.pdf", "darwin")[0] == "open"
    assert viewer.command(tmp_path / "a.pdf", "win32") is None


def test_names_print_as_written(db):
    item = payouts.items(db, Q2)[0]
    m = db.get("members", item["member_id"])
    m["name"] = "Siti Nur'aini (Iné) Ñoman \\ Łukasz"
    with db.transaction("t") as tx:
        tx.put("members", m)
    whole = "\n".join(pages(documents.render(db, Q2, "nominatif", "pdf")))
    assert "Siti Nur'aini (Iné) Ñoman \\ Łukasz" in whole
    card = pages(cards.render(db, [db.get("members", item["member_id"])]))[0]
    assert "Siti Nur'aini (Iné) Ñoman \\ Łukasz" in card
