"""The app side of issue 15's bank work: the approve dialog lists an account the bank template would
refuse as a blocker with its sentence; the bank's result file in the Bank Jatim layout applied from
b → "Berkas hasil bank"; the items tab shows gross / tax / net, also at 80 columns; the viewer setting
in Settings (F10), audited."""

from __future__ import annotations

import json

from storage import payouts
from storage.core.db import Database
from storage.payouts import bankfile as bank_file
from storage.payouts import documents
from tests.support.payouts import Q2, make_db, member
from tests.support.pilot import run_async, settle
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog
from tui.screens.payouts.dialogs import ApproveDialog, PayDialog


async def payouts_on_q2(app, pilot):
    await pilot.press("3")
    await settle(app, pilot)
    screen = app.screen
    screen.quarter = Q2
    screen.refresh_all()
    await settle(app, pilot)
    return screen


def _with_pph21(db) -> dict:
    """TKSK paid with PPH 21 (5% of 50% of gross) withheld."""
    rate = next(r for r in payouts.rates(db) if r["pillar"] == "TKSK" and not r.get("position"))
    payouts.set_rate(db, pillar="TKSK", position="", amount=rate["amount"], start=rate["start"], end=rate.get("end", ""),
               funding=rate["funding"], kind=rate.get("kind", "OPERASIONAL"), rate_id=rate["id"],
               tax_rule="PPH21_BP", tax_bp=500)
    return rate


@run_async
async def test_approve_dialog_lists_the_account_bank_jatim_would_refuse(tmp_path):
    db = make_db(tmp_path / "data", [member(1), member(2, account="123456789")])
    bank_file.set_chosen(db, "jatim")
    payouts.run_quarter(db, Q2)
    db.close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(120, 35)) as pilot:
        await payouts_on_q2(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ApproveDialog)
        [label] = [str(dialog.query_one(f"#what-{i}").render()) for i in range(len(dialog.blockers))]
        assert "Anggota 002" in label
        assert "*****6789 terdiri dari 9 digit, Bank Jatim perlu 10: perbaiki di data anggota, lalu hitung ulang" in label
        options = [v for _label, v in dialog.query_one("#decide-0")._options if isinstance(v, str)]
        assert options == ["approve", "void"]
        dialog.query_one("#decide-0").value = "void"
        dialog.query_one("#reason-0").value = "rekening salah, diperbaiki triwulan depan"
        await pilot.pause(0.3)
        await pilot.click("#yes")
        await settle(app, pilot)
        by_name = {app.db.value("members", v["member_id"])["name"]: v for v in payouts.items(app.db, Q2)}
    assert by_name["Anggota 001"]["status"] == "approved"
    assert by_name["Anggota 002"]["status"] == "void"
    assert by_name["Anggota 002"]["void_reason"] == "rekening salah, diperbaiki triwulan depan"


@run_async
async def test_items_tab_shows_gross_tax_net_at_80_columns(tmp_path):
    db = make_db(tmp_path / "data", [member(1, "TKSK"), member(2, "TAGANA")])
    rate = _with_pph21(db)
    payouts.run_quarter(db, Q2)
    db.close()
    tax = rate["amount"] * 5 // 100 // 2
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await payouts_on_q2(app, pilot)
        screen.query_one("#pay-tabs").active = "tab-items"
        await settle(app, pilot)
        table = screen.query_one("#pay-items")
        width = table.scrollable_content_region.width
        assert 70 <= width <= 80
        shown = [c.name for c, _w in table.visible_columns(width)]
        assert shown[:1] == ["name"] and {"gross", "tax", "net", "status"} <= set(shown)
        assert sum(w for _c, w in table.visible_columns(width)) + len(shown) - 1 <= width
        header = "".join(s.text for s in table.render_line(0))
        assert all(h in header for h in ("Bruto", "PPh 21", "Neto", "Status"))
        lines = ["".join(s.text for s in table.render_line(y)) for y in (1, 2)]
        tksk = next(line for line in lines if "Anggota 001" in line)
        gross, cut, net = documents.idr(rate["amount"]), documents.idr(tax), documents.idr(rate["amount"] - tax)
        assert tksk.index(gross) < tksk.index(cut, tksk.index(gross) + len(gross)) < tksk.rindex(net)
        assert all(len(line.rstrip()) <= width for line in lines)
        await pilot.resize_terminal(120, 35)
        await settle(app, pilot)
        shown = [c.name for c, _w in table.visible_columns(table.scrollable_content_region.width)]
        assert {"pillar_position", "gross", "tax", "net", "status", "note"} <= set(shown)


@run_async
async def test_settings_turns_the_viewer_off_audited(tmp_path):
    make_db(tmp_path / "data", [member(1)]).close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        box = app.screen.query_one("#viewer")
        assert box.value is True
        box.value = False
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("f10")
        await pilot.pause()
        assert app.screen.query_one("#viewer").value is False   # shown as kept
        await pilot.press("escape")
    again = Database.open(tmp_path / "data", read_only=True)
    assert again.office["open_after_print"] is False
    again.close()
    [entry] = [json.loads(line) for line in (tmp_path / "data" / "audit.jsonl").read_text().splitlines()
               if "settings.viewer" in line]
    assert entry["operator"] == "Siti" and "off" in json.dumps(entry)


@run_async
async def test_bank_result_in_the_jatim_layout_from_the_pay_dialog(tmp_path):
    db = make_db(tmp_path / "data", [member(1), member(2), member(3)])
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    made = documents.bank.build(db, Q2, "jatim")
    db.close()
    lines = made.data.decode("ascii").split("\r\n")[:-1]
    back = made.rows[0]["item_id"]
    body = [line + ("RETUR" if n == 1 else "OK").ljust(6) + f"BJ{n:018d}" for n, line in enumerate(lines[1:-1], 1)]
    path = tmp_path / "hasil.txt"
    path.write_bytes(("\r\n".join([lines[0], *body, lines[-1]]) + "\r\n").encode("ascii"))
    app = PilarApp(tmp_path / "data", operator="Budi")
    async with app.run_test(size=(120, 35)) as pilot:
        await payouts_on_q2(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PayDialog)
        dialog.query_one("#method").value = "BANK_FILE"
        field = dialog.query_one("#bankfile")
        field.value = str(path)
        field.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        assert "2 item dibayar, 1 item retur" in str(confirm.query_one(".dialog-body").render())
        await pilot.press("y")
        await settle(app, pilot)
        after = {v["id"]: v for v in payouts.items(app.db, Q2)}
    assert after[back]["status"] == "returned"
    assert sorted(after[r["item_id"]]["transfer_ref"] for r in made.rows[1:]) == [f"BJ{n:018d}" for n in (2, 3)]
