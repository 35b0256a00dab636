"""Documents an office files (issue 24): the NIP printed as 19700505 199503 1 004, a wrong NIP refused in
F10 and on the command line with nothing saved, the amount in words capitalised, the daftar hadir with
a NIP line under its signature and the office's own city."""

from __future__ import annotations

import pytest

from storage import events as ev
from storage import payouts as P
from storage.core.errors import PilarError
from storage.domain import fmt
from storage.events import reports
from storage.payouts import documents as D
from tests.support.payouts import make_db, member
from tests.support.pdf import pages
from tests.support.pilot import run_async
from tui.app import PilarApp

Q2 = P.Quarter(2024, 2)


def test_nip_format_and_check():
    assert fmt.nip("197005051995031004") == "19700505 199503 1 004"
    assert fmt.nip("19700505 199503 1 004") == "19700505 199503 1 004"
    assert fmt.nip("") == ""
    assert fmt.nip_problem("19700505 199503 1 004") is None and fmt.nip_problem("") is None
    assert fmt.nip_problem("1970050519950310") == "validate.nip.shape"
    assert fmt.nip_problem("197013051995031004") == "validate.nip.birth"
    assert fmt.nip_problem("197005051995033004") == "validate.nip.tmt_sex"
    assert fmt.rupiah_words_title(1_500_000) == "Satu Juta Lima Ratus Ribu Rupiah"


def test_receipt_pdf_prints_the_nip_spaced_and_words_capitalised(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK")])
    P.set_signers(db, place="Sidoarjo", treasurer="Sri Wahyuni", treasurer_nip="197001011990032001",
                  officer="Drs. Bambang", officer_nip="19700505 199503 1 004")
    assert P.signers(db)["officer_nip"] == "197005051995031004"  # kept as digits, printed spaced
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    item = P.items(db, Q2)[0]
    page = pages(D.render(db, Q2, "receipts", "pdf", member_ids=[item["member_id"]], date="2024-05-02"))[0]
    assert "NIP 19700101 199003 2 001" in page and "NIP 19700505 199503 1 004" in page
    assert "Terbilang : Satu Juta Lima Ratus Ribu Rupiah" in page
    db.close()


def test_a_wrong_nip_is_refused_and_nothing_is_saved(tmp_path, capsys):
    db = make_db(tmp_path / "d")
    before = P.signers(db)
    with pytest.raises(PilarError) as err:
        P.set_signers(db, treasurer="Sri", treasurer_nip="19700101199003")
    assert "18 angka" in str(err.value) and "NIP Bendahara" in str(err.value)
    assert P.signers(db) == before
    db.close()


@run_async
async def test_f10_refuses_a_wrong_nip_before_saving_anything(tmp_path):
    from textual.widgets import Checkbox, Input, Static

    make_db(tmp_path / "d").close()
    app = PilarApp(tmp_path / "d", operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        screen = app.screen
        viewer_before = screen.query_one("#viewer", Checkbox).value
        screen.query_one("#viewer", Checkbox).value = not viewer_before
        screen.query_one("#s-officer_nip", Input).value = "19701305 199503 1 004"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "tanggal lahir" in str(screen.query_one("#problem", Static).render())
        assert app.db.office.get("viewer", True) is not False or viewer_before is False
        assert P.signers(app.db)["officer_nip"] == ""


def test_daftar_hadir_has_a_nip_line_under_its_signature(tmp_path):
    db = make_db(tmp_path / "d", [member(1)])
    eid = ev.create_event(db, {"name": "Rakor", "date": "02-05-2024", "city": "Jember", "office": db.code})
    text = reports.render_text(db, ev.get_event(db, eid), "attendance")
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    assert lines[-2].startswith("(") and lines[-1].startswith("NIP.")
    assert "Jember, 2 Mei 2024" in text
    db.close()


def test_the_kop_has_the_address_and_telephone(tmp_path, capsys):
    from tui.cli import main

    db = make_db(tmp_path / "d", [member(1, "TKSK")])
    db.close()
    assert main(["--data", str(tmp_path / "d"), "settings", "--address", "Jl. Gayung Kebonsari No.56b, Surabaya",
                 "--phone", "(031) 8290794"]) == 0
    assert "Telepon kantor: (031) 8290794" in capsys.readouterr().out
    from storage.core.db import Database

    db = Database.open(tmp_path / "d")
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    first = pages(D.render(db, Q2, "nominatif", "pdf"))[0]
    head = first.splitlines()[:3]
    assert head[:2] == ["PEMERINTAH PROVINSI JAWA TIMUR", "DINAS SOSIAL PROVINSI JAWA TIMUR"]
    assert head[2] == "Jl. Gayung Kebonsari No.56b, Surabaya · Telp. (031) 8290794"
    db.close()
