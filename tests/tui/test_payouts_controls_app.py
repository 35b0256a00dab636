"""The payouts screen driven with Pilot (issue 12): held members on the Excluded tab, the approve
dialog that decides held and flagged items, separation of duties (refusal and the d key), and money
that came back (the k key on the Items tab)."""

from __future__ import annotations

import copy

from storage import payouts
from storage.core.i18n import set_lang
from tests.support.payouts import Q2, make_db, member
from tests.support.pilot import run_async, settle
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, ErrorDialog
from tui.screens.payouts.dialogs import ApproveDialog, ReturnDialog
from tui.screens.payouts.screen import PayoutsScreen

TWO_PILLARS = member(1, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78",
                                          "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])


def _folder(tmp_path, members, duties=False):
    set_lang("id")
    db = make_db(tmp_path / "data", members, separate_duties=duties)
    return db


def _sibling_account(db, member_id):
    doc = db.doc("members", member_id)
    top = doc["v"][0]
    data = copy.deepcopy(top["data"])
    data["bank"]["account"] = "9988776655"
    other = dict(top, dot=["replica-of-upt-b", 1], vv={"replica-of-upt-b": 1}, office="UPT-B", hlc=top["hlc"] - 1,
                 data=data)
    with db.transaction("sync.import") as tx:
        tx.put_doc("members", dict(doc, v=[top, other]))


def _id(db, n):
    return next(m["id"] for m in db.values("members") if m["name"] == f"Anggota {n:03d}")


async def payouts_on_q2(app, pilot) -> PayoutsScreen:
    await pilot.press("3")
    await settle(app, pilot)
    screen = app.screen
    screen.quarter = Q2
    screen.refresh_all()
    await settle(app, pilot)
    return screen


@run_async
async def test_excluded_tab_shows_a_held_member_and_what_to_do(tmp_path):
    db = _folder(tmp_path, [member(1), member(2)])
    _sibling_account(db, _id(db, 1))
    db.close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await payouts_on_q2(app, pilot)
        assert "1 ditahan (konflik)" in str(screen.query_one("#pay-preview").render())
        screen.query_one("#pay-tabs").active = "tab-excluded"
        await pilot.pause()
        table = screen.query_one("#pay-excluded")
        [row] = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert row[0] == "Anggota 001" and row[2] == "konflik sinkronisasi (nomor rekening)"
        assert "4 Sinkron → c" in str(screen.query_one("#pay-excluded-note").render())


@run_async
async def test_approve_dialog_lists_held_and_flagged_items_and_needs_each_decided(tmp_path):
    db = _folder(tmp_path, [TWO_PILLARS, member(2), member(3)])
    payouts.run_quarter(db, Q2)
    _sibling_account(db, _id(db, 2))  # after the run: the draft stands, held
    held = next(v for v in payouts.items(db, Q2) if v["member_id"] == _id(db, 2))
    db.close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        await payouts_on_q2(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ApproveDialog)
        labels = [str(dialog.query_one(f"#what-{i}").render()) for i in range(len(dialog.blockers))]
        assert len(labels) == 3
        assert sum("perlu diperiksa" in x for x in labels) == 2
        assert any("Anggota 002" in x and "konflik sinkronisasi (nomor rekening)" in x for x in labels)
        i_held = next(i for i, b in enumerate(dialog.blockers) if b["id"] == held["id"])
        # The contested account can only be voided: "approve anyway" is not offered.
        assert [v for _label, v in dialog.query_one(f"#decide-{i_held}")._options if isinstance(v, str)] == ["void"]
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(app.screen, ApproveDialog)
        assert "3 item tanpa keputusan" in str(dialog.query_one("#problem").render())
        for i, _b in enumerate(dialog.blockers):
            dialog.query_one(f"#decide-{i}").value = "void" if i == i_held else "approve"
            dialog.query_one(f"#reason-{i}").value = "rekening ganda" if i == i_held else "SK dua pilar sah"
        await pilot.pause(0.3)  # past the button's pressed look: a click during it is not a second press
        await pilot.click("#yes")
        await settle(app, pilot)
        by_id = {v["id"]: v for v in payouts.items(app.db, Q2)}
        assert by_id[held["id"]]["status"] == "void" and by_id[held["id"]]["void_reason"] == "rekening ganda"
        others = [v for v in by_id.values() if v["id"] != held["id"]]
        assert {v["status"] for v in others} == {"approved"}
        assert {v.get("review_reason") for v in others if v["member_id"] == _id(app.db, 1)} == {"SK dua pilar sah"}


@run_async
async def test_separation_of_duties_refusal_and_the_d_key(tmp_path):
    db = _folder(tmp_path, [member(1), member(2)], duties=True)
    payouts.run_quarter(db, Q2)  # saved by Siti
    db.close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await payouts_on_q2(app, pilot)
        assert "pemisahan tugas: aktif" in str(screen.query_one("#pay-quarter").render())
        await pilot.press("a")
        await pilot.pause()
        # said at once, before any confirmation or decision is asked for
        assert isinstance(app.screen, ErrorDialog)
        message = str(app.screen.query_one("#message").render())
        assert "Siti menyimpan 2 item" in message and "operator lain" in message and "tombol d" in message
        assert not payouts.items(app.db, Q2, ("approved",))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(app, pilot)
        assert payouts.separate_duties(app.db) is False
        assert "pemisahan tugas: mati" in str(screen.query_one("#pay-quarter").render())
        await pilot.press("a")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(app, pilot)
        assert {v["status"] for v in payouts.items(app.db, Q2)} == {"approved"}


@run_async
async def test_k_records_money_back_and_reopens_the_item(tmp_path):
    db = _folder(tmp_path, [member(1), member(2)])
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2)
    payouts.pay_transfer(db, Q2, "BJTM-0001")
    db.close()
    app = PilarApp(tmp_path / "data", operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await payouts_on_q2(app, pilot)
        screen.query_one("#pay-tabs").active = "tab-items"
        await pilot.pause()
        table = screen.query_one("#pay-items")
        table.focus()
        item_id = table.current_id
        await pilot.press("k")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReturnDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert "alasan pengembalian" in str(dialog.query_one("#problem").render())
        dialog.query_one("#date").value = "2024-07-03"
        dialog.query_one("#reason").focus()
        await pilot.press(*"rekening tutup", "enter")
        await settle(app, pilot)
        old = payouts.find_item(app.db, item_id)[0]
        assert old["status"] == "returned" and old["returned_on"] == "2024-07-03"
        new = payouts.find_item(app.db, old["replaced_by"])[0]
        assert new["status"] == "draft" and new["returned_reason"] == "rekening tutup"
        rows = {r.id: r for r in table.rows}
        at = [c.name for c in table.columns].index("note")
        notes = [screen._item_cells(rows[k])[at] for k in (item_id, new["id"])]
        assert all("retur 2024-07-03: rekening tutup" in n for n in notes)
        # A draft item is not paid: k refuses it with a sentence.
        assert table.move_to_id(new["id"])
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "hanya item yang sudah dibayar" in str(app.screen.query_one("#message").render())


@run_async
async def test_bank_result_file_from_the_pay_dialog_shows_then_applies_references_per_account(tmp_path):
    """Issue 12: the bank's result file (a reference per account, OK or RETUR) from the app, not only
    the command line: the dialog shows what it will do and what it will not, then applies it."""
    from tui.screens.payouts.dialogs import PayDialog

    db = _folder(tmp_path, [member(1), member(2), member(3)])
    payouts.run_quarter(db, Q2)
    payouts.approve(db, Q2, {b["id"]: ("approve", "diperiksa") for b in payouts.approval_blockers(db, Q2)})
    by = {v["member_id"]: v for v in payouts.items(db, Q2)}
    one, two, three = (by[_id(db, n)] for n in (1, 2, 3))
    path = tmp_path / "hasil bank.csv"
    path.write_text("\n".join(";".join(r) for r in [
        ["No. Rekening", "Jumlah", "Referensi", "Status"],
        [one["bank"]["account"], str(one["net"]), "BJTM-0001", "OK"],
        [two["bank"]["account"], str(two["net"]), "BJTM-0002", "RETUR"],
        ["1234567890", "750000", "BJTM-0009", "OK"],                   # nobody's account: not applied
    ]), encoding="utf-8")
    db.close()
    app = PilarApp(tmp_path / "data", operator="Budi")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await payouts_on_q2(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PayDialog)
        dialog.query_one("#method").value = "BANK_FILE"
        field = dialog.query_one("#bankfile")
        field.value = str(tmp_path / "missing.csv")
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PayDialog) and "tidak ditemukan" in str(dialog.query_one("#problem").render())
        field.value = str(path)
        await pilot.press("enter")
        await settle(app, pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog), str(dialog.query_one("#problem").render())
        body = str(confirm.query_one(".dialog-body").render())
        assert "1 item dibayar, 1 item retur" in body and "1234567890" in body and "tidak dikenal" in body
        assert {v["status"] for v in payouts.items(app.db, Q2)} == {"approved"}  # nothing yet
        await pilot.press("y")
        await settle(app, pilot)
        after = {v["id"]: v for v in payouts.items(app.db, Q2)}
        assert after[one["id"]]["status"] == "paid" and after[one["id"]]["transfer_ref"] == "BJTM-0001"
        assert after[two["id"]]["status"] == "returned"
        assert after[three["id"]]["status"] == "approved"
        assert screen is app.screen
