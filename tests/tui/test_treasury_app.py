"""Issue 26 in the app: a UPT clerk prints a member's statement after the province's bundle (80x24),
and the province sees the run's pagu in the Honor screen's Pagu tab."""

from __future__ import annotations

import pytest

from storage import payouts as P
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.payouts import budget
from storage.sync import engine as E
from tests.support.network import make_network
from tests.support.payouts import member
from tests.support.pdf import pages
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.dialogs import PromptDialog

Q2 = P.Quarter(2024, 2)


async def wait_for(pilot, check, tries: int = 400):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def at(value: dict, office: str) -> dict:
    for a in value["assignments"]:
        a["office"] = office
    return value


def province_quarter(tmp_path):
    paths = make_network(tmp_path / "net", ("UPT-A", "UPT-B"), operator="Siti")
    db = Database.open(paths["JATIM"], operator="Siti")
    P.load_sample(db)
    P.set_separate_duties(db, False)
    with db.transaction("t") as tx:
        tx.put("members", at(member(1, "TKSK"), "UPT-A"), owner="UPT-A")
        tx.put("members", at(member(2, "TKSK", account=""), "UPT-A"), owner="UPT-A")
        tx.put("members", at(member(3, "TKSK", account=""), "UPT-B"), owner="UPT-B")
    budget.set_pagu(db, 2024, "APBD_PROVINSI", 10_000_000)
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    P.pay_transfer(db, Q2, "TRF-Q2-001")
    bundle = E.export_bundle(db, "UPT-A", tmp_path / "usb").path
    db.close()
    return paths, bundle


@run_async
async def test_a_upt_clerk_prints_a_members_statement_after_the_provinces_bundle(tmp_path):
    paths, bundle = province_quarter(tmp_path)
    upt = Database.open(paths["UPT-A"], operator="Rina")
    E.import_bundle(upt, bundle)
    offices = {v["office"] for v in upt.values("runs") if v.get("type") == "excluded"}
    assert offices == {"UPT-A"}  # another office's exclusions stay at the province
    assert budget.lines(upt, 2024)[0]["amount"] == 10_000_000  # the pagu reached the UPT
    with pytest.raises(PilarError, match="JATIM"):  # a UPT's sums of the pagu would be partial
        budget.usage(upt, 2024)
    upt.close()
    app = PilarApp(paths["UPT-A"], operator="Rina")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await wait_for(pilot, lambda: getattr(app.screen, "roster", None) is not None)
        await pilot.press("slash", *"Anggota 002", "enter")
        await pilot.pause()
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        path = tmp_path / "riwayat-002.pdf"
        app.screen.query_one("Input").value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: path.exists())
        await app.workers.wait_for_complete()
        await pilot.pause()
    text = " ".join(" ".join(pages(path.read_bytes())).split())
    assert "Anggota 002" in text and t("payout.reason.no_bank") in text
    assert "3578000000000002" not in text  # masked but the last 4 digits


@run_async
async def test_the_pagu_tab_shows_what_the_run_adds(tmp_path):
    paths, _bundle = province_quarter(tmp_path)
    db = Database.open(paths["JATIM"], operator="Siti")
    budget.set_pagu(db, 2024, "APBD_PROVINSI", 9_000_000, reason="refocusing")  # 1.5jt paid; Q3 adds 1.5jt
    db.close()
    app = PilarApp(paths["JATIM"], operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: app.screen.query("#pay-pagu"))
        screen = app.screen
        screen.quarter = P.Quarter(2024, 3)
        screen.refresh_all()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen.query_one("#pay-tabs").active = "tab-pagu"
        await pilot.pause()
        shown = str(screen.query_one("#pay-pagu").render())
        screen.quarter = Q2
        await pilot.press("u")  # the treasurer's files of the quarter into the print folder
        await app.workers.wait_for_complete()
        await pilot.pause()
    printed = sorted(p.name for p in (paths["JATIM"] / "cetak").iterdir())
    assert printed == ["meterai_2024-Q2.pdf", "pemberitahuan_2024-Q2", "realisasi_2024.pdf"]  # no BP21: no tax
    assert sorted(p.name for p in (paths["JATIM"] / "cetak" / "pemberitahuan_2024-Q2").iterdir()) == [
        "pemberitahuan_2024-Q2.csv", "pemberitahuan_2024-Q2_UPT-A.pdf", "pemberitahuan_2024-Q2_UPT-B.pdf"]
    assert "Rp9.000.000" in shown and "Rp1.500.000" in shown
    assert t("treasury.ui.pagu_use", paid="Rp1.500.000", committed="Rp0", adds="Rp1.500.000",
             left="Rp6.000.000") in " ".join(shown.split())


@run_async
async def test_the_pagu_is_raised_from_the_honor_screen_only_with_a_decision(tmp_path):
    paths, _bundle = province_quarter(tmp_path)
    app = PilarApp(paths["JATIM"], operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: app.screen.query("#pay-pagu"))
        app.screen.quarter = Q2  # the pagu of the quarter's year
        await app.workers.wait_for_complete()
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        dialog = app.screen
        dialog.query_one("#f-amount").value = "12.000.000"
        dialog.query_one("#f-reason").value = "P-APBD"
        dialog.query_one("#f-decision").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "--decision" in str(dialog.query_one("#problem").render())
        dialog.query_one("#f-decision").value = "SK 900/12/2024"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not dialog)
        await app.workers.wait_for_complete()
    db = Database.open(paths["JATIM"], read_only=True)
    line = budget.get_line(db, 2024, "APBD_PROVINSI")
    assert line["amount"] == 12_000_000 and line["history"][-1]["decision"] == "SK 900/12/2024"
    assert line["history"][-1]["by"] == "Siti"
    db.close()
