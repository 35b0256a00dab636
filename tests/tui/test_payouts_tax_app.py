"""The rate dialog's PPh 21 field (Pilot): a bad percent is refused with a sentence and changes nothing;
5% is stored on the rate (through the same storage reading as ``pilar payout rate set --pph21``),
audited, and the quarter's run then shows and keeps gross / tax / net."""

from __future__ import annotations

from storage import payouts
from storage.core.db import Database
from storage.payouts import documents
from tests.support.payouts import Q2
from tests.support.pilot import run_async, settle
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, PromptDialog


async def submit(pilot, dialog) -> None:
    """Enter in the dialog's last field, as a user ends the form."""
    dialog.query_one(f"#f-{dialog.fields[-1].name}").focus()
    await pilot.press("enter")
    await pilot.pause()


@run_async
async def test_rate_dialog_sets_pph21_and_the_run_withholds_it(folder):
    app = PilarApp(folder, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        screen.quarter = Q2
        screen.refresh_all()
        await settle(app, pilot)
        screen.query_one("#pay-tabs").active = "tab-rates"
        await pilot.pause()
        first, last = Q2.bounds
        rate = payouts.rate_for(payouts.rates(app.db), "TKSK", "ANGGOTA", first, last)
        assert rate is not None and not rate.get("tax_rule")
        table = screen.query_one("#pay-rates")
        table.focus()
        table.move_cursor(row=table.get_row_index(rate["id"]))
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromptDialog) and dialog.query_one("#f-pph21").value == ""

        seq = app.db.seq
        dialog.query_one("#f-pph21").value = "lima"
        await submit(pilot, dialog)
        assert app.screen is dialog and "persen 0 sampai 100" in str(dialog.query_one("#problem").render())
        assert app.db.seq == seq and not app.db.get("rates", rate["id"]).get("tax_rule")

        dialog.query_one("#f-pph21").value = "5"
        await submit(pilot, dialog)
        await settle(app, pilot)
        assert not isinstance(app.screen, PromptDialog)
        stored = app.db.get("rates", rate["id"])
        tax = rate["amount"] * 5 // 100 // 2
        assert (stored["tax_rule"], stored["tax_bp"], stored["tax"]) == ("PPH21_BP", 500, tax)
        on_disk = Database.open(folder, read_only=True)
        try:
            assert on_disk.get("rates", rate["id"])["tax_bp"] == 500
            entry = on_disk.audit.for_record(rate["id"])[-1]
            assert entry["operator"] == "Siti" and str(tax) in str(entry)
        finally:
            on_disk.close()

        # The dialog shows the rule back; the quarter's run withholds it and the totals show it.
        table.focus()
        table.move_cursor(row=table.get_row_index(rate["id"]))
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#f-pph21").value == "5"
        await pilot.press("escape")
        await pilot.pause()
        screen.refresh_all()
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(app, pilot)
        tksk = [v for v in payouts.items(app.db, Q2) if v["pillar"] == "TKSK" and v["gross"] == rate["amount"]]
        assert tksk and {(v["gross"], v["tax"], v["net"]) for v in tksk} == {(rate["amount"], tax, rate["amount"] - tax)}
        pillar = payouts.summary(app.db, Q2)["by_pillar"]["TKSK"]
        cells = [str(c) for c in screen.query_one("#pay-totals").get_row("Pilar:TKSK")]
        assert cells[2:5] == [documents.idr(pillar["gross"]), documents.idr(pillar["tax"]), documents.idr(pillar["net"])]
        assert pillar["tax"] >= len(tksk) * tax > 0


@run_async
async def test_settings_choose_bank_jatim_and_cetak_writes_its_file(tmp_path):
    from storage.payouts import bankfile as bank_file
    from tests.support.payouts import approve_all, make_db, member

    data = tmp_path / "small"
    db = make_db(data, [member(1, "TKSK", account="0012345678"), member(2, "TKSK", account="12345678"),
                        member(3, "TKSK", account="")])
    payouts.run_quarter(db, Q2, allow_cash=True)
    approve_all(db, Q2)
    db.close()
    out = tmp_path / "cetak"
    app = PilarApp(data, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        assert app.screen.query_one("#bank-template").value == "generic"
        app.screen.query_one("#bank-template").value = "jatim"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("3")
        await settle(app, pilot)
        app.screen.quarter = Q2
        app.screen.refresh_all()
        await settle(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("Input").value = str(out)
        await pilot.press("enter")
        await settle(app, pilot)
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
    again = Database.open(data, read_only=True)
    assert again.office["bank_template"] == "jatim"
    again.close()
    back = bank_file.parse("jatim", (out / "bank-jatim_2024-Q2.txt").read_bytes())
    assert [r["account"] for r in back["rows"]] == ["0012345678"] and back["trailer"]["total"] == 1_500_000
    listed = (out / "bank-jatim_2024-Q2.txt.tidak-masuk.txt").read_text(encoding="utf-8")
    assert "Anggota 002" in listed and "Anggota 003" not in listed   # 003 is paid in cash, not by transfer
    assert any("1 item tidak masuk berkas bank" in w for w in warnings)
