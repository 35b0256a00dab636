"""The documents as Dinsos files them (issue 24), read back from the PDFs: the kop with city, address,
telephone and the office's logo at its left; NIPs printed 19700505 199503 1 004; the amount in words
capitalised; the tax column "PPh 21"; "Mengetahui, Kepala Dinas / KPA" with name and NIP under the
signatures. The logo is set from a file (checked, copied into the data folder, refused with a sentence and
nothing changed), survives moving the folder, and is removed with an empty value."""

from __future__ import annotations

import io
import re
import shutil

import pypdf
import pytest
from PIL import Image

from storage import events as ev
from storage import payouts as P
from storage.core.db import Database, write_office
from storage.events import reports
from storage.office import logo
from storage.payouts import documents as D
from storage.printing.pdf import LOGO_H, MARGIN
from tests.support.payouts import make_db, member
from tests.support.pdf import pages
from tui.cli import main

Q2 = P.Quarter(2024, 2)
MM = 72 / 25.4  # PDF points per mm
_PLACED = re.compile(rb"q ([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /(I\d+) Do Q")


def _png(path, size=(240, 300), color=(20, 90, 170, 255)):
    Image.new("RGBA", size, color).save(path)
    return path


def _cli(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def _placed_images(data: bytes, page: int = 0) -> list[tuple[float, float, float, float, int, int]]:
    """(x, top, width, height) in mm and the pixel size of every image drawn on a page."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    pg = reader.pages[page]
    xobjects = pg["/Resources"].get("/XObject", {})
    height = float(pg.mediabox.height)
    out = []
    for m in _PLACED.finditer(pg.get_contents().get_data()):
        w, h, x, y = (float(v) for v in m.groups()[:4])
        obj = xobjects[f"/{m.group(5).decode()}"].get_object()
        out.append((x / MM, (height - y - h) / MM, w / MM, h / MM, int(obj["/Width"]), int(obj["/Height"])))
    return out


@pytest.fixture
def folder(tmp_path, capsys):
    """A province folder with kop, logo and signers set through the command line, one quarter approved."""
    db = make_db(tmp_path / "d", [member(1, "TKSK"), member(2, "TAGANA")])
    db.close()
    data = str(tmp_path / "d")
    source = _png(tmp_path / "logo-jatim.png")
    code, out = _cli(capsys, "--data", data, "--operator", "Siti", "settings", "--city", "Sidoarjo",
                     "--address", "Jl. Gayung Kebonsari No.56b, Surabaya", "--phone", "(031) 8290794",
                     "--logo", str(source))
    assert code == 0, out
    assert f"Logo kop: {tmp_path / 'd' / 'kop-logo.png'}" in out
    code, out = _cli(capsys, "--data", data, "--operator", "Siti", "payout", "signers", "--treasurer", "Sri Wahyuni",
                     "--treasurer-nip", "197001011990032001", "--officer", "Drs. Bambang", "--officer-nip",
                     "19700505 199503 1 004", "--head", "Dr. Restu Novi Widiani, MM", "--head-nip",
                     "197011121997032001")
    assert code == 0, out
    assert "19701112 199703 2 001" in out  # shown spaced
    db = Database.open(tmp_path / "d", operator="Siti")
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    yield db, tmp_path
    db.close()


def test_the_documents_as_dinsos_files_them(folder):
    db, _tmp = folder
    for doc in ("nominatif", "kwitansi", "rekap", "receipts"):
        data = D.render(db, Q2, doc, "pdf", date="2024-05-02")
        text = pages(data)
        for i, page in enumerate(text):
            head = page.splitlines()[:3]
            assert head == ["PEMERINTAH PROVINSI JAWA TIMUR", "DINAS SOSIAL PROVINSI JAWA TIMUR",
                            "Jl. Gayung Kebonsari No.56b, Surabaya · Telp. (031) 8290794"], (doc, i, head)
            # the logo at the kop's left on every page: inside the margin, as high as the kop, its pixels kept
            [(x, top, w, h, px_w, px_h)] = _placed_images(data, i)
            assert (px_w, px_h) == (240, 300)
            assert x == pytest.approx(MARGIN, abs=0.1) and top == pytest.approx(MARGIN, abs=0.1)
            assert h == pytest.approx(LOGO_H, abs=0.1) and w == pytest.approx(LOGO_H * 240 / 300, abs=0.1)
        whole = "\n".join(text)
        assert "Sidoarjo, 2 Mei 2024" in whole  # the city set with `pilar settings --city`
        assert "NIP 19700505 199503 1 004" in whole and "NIP 19700101 199003 2 001" in whole
        if doc == "receipts":
            assert "Mengetahui" not in whole  # one page per member: the recipient, officer and treasurer sign
        else:
            lines = whole.splitlines()
            at = lines.index("Mengetahui,")
            assert lines[at + 1:at + 4] == ["Kepala Dinas / KPA", "( Dr. Restu Novi Widiani, MM )",
                                            "NIP 19701112 199703 2 001"], doc
    nominatif = "\n".join(pages(D.render(db, Q2, "nominatif", "pdf")))
    assert re.search(r"^No Nama NIK Pilar/Jabatan Wilayah Rekening Bruto PPh 21 Neto Tanda tangan$", nominatif, re.M)
    assert "Pajak" not in nominatif
    net = P.summary(db, Q2)["total"]["net"]
    assert net == 2_250_000
    assert "Terbilang (neto): Dua Juta Dua Ratus Lima Puluh Ribu Rupiah" in nominatif
    assert "Jumlah 2 penerima: bruto Rp2.250.000, PPh 21 Rp0, neto Rp2.250.000" in nominatif
    kwitansi = "\n".join(pages(D.render(db, Q2, "kwitansi", "pdf")))
    assert "PPh 21 : Rp0" in kwitansi and "Terbilang : Satu Juta Lima Ratus Ribu Rupiah" in kwitansi
    rekap = pages(D.render(db, Q2, "rekap", "pdf"))[0]
    assert "No Kab/Kota Jumlah item Bruto PPh 21 Neto" in rekap
    # the text nominatif carries the same block
    text = D.render(db, Q2, "nominatif", "text")
    assert "Mengetahui," in text and "( Dr. Restu Novi Widiani, MM )" in text and "NIP 19701112 199703 2 001" in text


def test_the_daftar_hadir_pdf_has_the_kop_logo_and_a_nip_line(folder):
    db, _tmp = folder
    eid = ev.create_event(db, {"name": "Rakor", "date": "02-05-2024", "city": "Jember", "office": db.code})
    data = reports.render(db, eid, "attendance", "pdf")
    assert len(_placed_images(data)) == 1
    lines = pages(data)[-1].splitlines()
    signer = lines.index("Penanggung jawab kegiatan,")
    assert lines[signer + 1].startswith("( ....") and lines[signer + 2].startswith("NIP ....")


def test_the_logo_moves_with_the_folder_and_is_removed_with_an_empty_value(folder, capsys):
    db, tmp = folder
    db.close()
    (tmp / "logo-jatim.png").unlink()  # the file the clerk chose is gone: the copy in the folder prints
    shutil.copytree(tmp / "d", tmp / "moved")
    shutil.rmtree(tmp / "d")
    moved = Database.open(tmp / "moved", operator="Siti")
    assert logo.path(moved) == tmp / "moved" / "kop-logo.png"
    assert len(_placed_images(D.render(moved, Q2, "rekap", "pdf"))) == 1
    moved.close()
    code, out = _cli(capsys, "--data", str(tmp / "moved"), "--operator", "Siti", "settings", "--logo", "")
    assert code == 0 and "Logo kop: (tanpa logo)" in out
    assert not (tmp / "moved" / "kop-logo.png").exists()
    moved = Database.open(tmp / "moved", operator="Siti")
    assert _placed_images(D.render(moved, Q2, "rekap", "pdf")) == []
    assert [e["action"] for e in moved.audit.for_record(moved.code) if e["action"] == "settings.logo"] == \
        ["settings.logo", "settings.logo"]  # set, removed: both audited
    moved.close()


def _bad_files(tmp):
    text = tmp / "notes.png"
    text.write_text("not a picture")
    big = tmp / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * logo.MAX_BYTES)
    wide = _png(tmp / "wide.png", size=(logo.MAX_SIDE + 1, 8))
    cut = tmp / "cut.png"
    cut.write_bytes(_png(tmp / "whole.png").read_bytes()[:60])
    gif = tmp / "logo.gif"
    Image.new("RGB", (20, 20)).save(gif)
    return [(text, "bukan gambar PNG atau JPG"), (big, "paling besar 2 MB"), (wide, "paling besar 4000 piksel"),
            (cut, "rusak"), (gif, "bukan gambar PNG atau JPG"), (tmp / "nowhere.png", "tidak ditemukan")]


def test_a_bad_logo_is_refused_with_a_sentence_and_nothing_changes(folder, capsys):
    db, tmp = folder
    db.close()
    before = (tmp / "d" / "office.json").read_bytes()
    kept = (tmp / "d" / "kop-logo.png").read_bytes()
    for path, words in _bad_files(tmp):
        code, out = _cli(capsys, "--data", str(tmp / "d"), "--operator", "Siti", "settings", "--logo", str(path),
                         "--address", "Jl. Lain")
        assert code == 1 and words in out, out
        assert (tmp / "d" / "office.json").read_bytes() == before  # the address given with it is not saved either
        assert (tmp / "d" / "kop-logo.png").read_bytes() == kept
        assert sorted(p.name for p in (tmp / "d").glob("kop-logo*")) == ["kop-logo.png"]


def test_a_jpg_replaces_the_png(folder, capsys):
    db, tmp = folder
    db.close()
    jpg = tmp / "logo.jpg"
    Image.new("RGB", (400, 200), (200, 30, 30)).save(jpg, quality=90)
    code, out = _cli(capsys, "--data", str(tmp / "d"), "--operator", "Siti", "settings", "--logo", str(jpg))
    assert code == 0, out
    assert sorted(p.name for p in (tmp / "d").glob("kop-logo*")) == ["kop-logo.jpg"]
    db = Database.open(tmp / "d", operator="Siti")
    [(_x, _top, w, h, px_w, px_h)] = _placed_images(D.render(db, Q2, "rekap", "pdf"))
    assert (px_w, px_h) == (400, 200) and h == pytest.approx(LOGO_H, abs=0.1) and w == pytest.approx(2 * LOGO_H, abs=0.1)
    db.close()


def test_the_logo_needs_an_operator(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PILAR_OPERATOR")
    db = make_db(tmp_path / "d")
    db.office = {k: v for k, v in db.office.items() if k != "operator"}  # no name remembered on the folder
    write_office(db.path, db.office)
    db.close()
    code, out = _cli(capsys, "--data", str(tmp_path / "d"), "settings", "--logo", str(_png(tmp_path / "l.png")))
    assert code == 1 and "Nama operator belum diisi" in out
    assert not (tmp_path / "d" / "kop-logo.png").exists()


def test_the_summary_pdf_has_the_same_kop(folder, capsys):
    db, tmp = folder
    db.close()
    code, out = _cli(capsys, "--data", str(tmp / "d"), "report", "summary", "--format", "pdf", "--out",
                     str(tmp / "ringkasan.pdf"))
    assert code == 0, out
    data = (tmp / "ringkasan.pdf").read_bytes()
    assert pages(data)[0].splitlines()[2] == "Jl. Gayung Kebonsari No.56b, Surabaya · Telp. (031) 8290794"
    [(x, top, _w, h, px_w, px_h)] = _placed_images(data)
    assert (px_w, px_h) == (240, 300) and x == pytest.approx(MARGIN, abs=0.1) and h == pytest.approx(LOGO_H, abs=0.1)
