"""The payouts section driven with Pilot on the sample data: the coordinator's whole quarter, checked on disk."""

from __future__ import annotations

from storage import events, payouts
from storage.core.db import Database
from storage.payouts import documents
from tests.support.payouts import Q2, approve_all
from tests.support.pdf import pages
from tests.support.pilot import run_async, settle
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, PromptDialog
from tui.screens.payouts.dialogs import ApproveDialog, PayDialog, VoidDialog
from tui.screens.payouts.screen import PayoutsScreen

EID = events.sample_event_id()




def expected_by_pillar(db) -> dict[str, list[int]]:
    """Rate x eligible members per pillar, computed independently of storage.payouts."""
    first, last = Q2.bounds
    rates = {(r["pillar"], r["position"]): r["amount"] for r in db.values("rates")}
    out: dict[str, list[int]] = {}
    for m in db.values("members"):
        for pillar in {a["pillar"] for a in m["assignments"]}:
            active = [a for a in m["assignments"] if a["pillar"] == pillar
                      and (a["status"] == "ACTIVE" or (a.get("inactive_date") or "") >= first)
                      and (a.get("start") or "") <= last and (a.get("end") or "9999") >= first]
            if not active:
                continue
            position = active[-1]["position"]
            amount = rates.get((pillar, position), rates.get((pillar, "")))
            acc = out.setdefault(pillar, [0, 0])
            acc[0] += 1
            acc[1] += amount
    return out


async def items_tab_of_q2(app, pilot) -> PayoutsScreen:
    """The payouts section on 2024-Q2, its Items tab shown."""
    await pilot.press("3")
    await settle(app, pilot)
    screen = app.screen
    screen.quarter = Q2
    screen.refresh_all()
    await settle(app, pilot)
    screen.query_one("#pay-tabs").active = "tab-items"
    await pilot.pause()
    return screen


def row_cells(table, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


@run_async
async def test_coordinator_quarter_end_to_end(folder):
    app = PilarApp(folder, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PayoutsScreen)
        steps = (payouts.Quarter.current().year * 4 + payouts.Quarter.current().q) - (2024 * 4 + 2)
        for _ in range(steps):
            await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.quarter == Q2 and screen.plan is not None

        # The preview: totals match rate x eligible members for each pillar.
        expected = expected_by_pillar(app.db)
        totals = screen.query_one("#pay-totals")
        pillar_title = "Pilar"
        for pillar, (count, gross) in expected.items():
            cells = row_cells(totals, f"{pillar_title}:{pillar}")
            assert cells[1] == str(count) and cells[2] == documents.idr(gross)
        grand = sum(g for _c, g in expected.values())
        assert row_cells(totals, "grand")[4] == documents.idr(grand)
        assert payouts.items(app.db, Q2) == []

        # Save, with a confirmation.
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(app, pilot)
        on_disk = Database.open(folder, read_only=True)
        assert payouts.summary(on_disk, Q2)["total"]["net"] == grand
        assert row_cells(totals, "grand")[4] == documents.idr(grand)

        # Approve, with a confirmation: one transaction, who and when recorded. The sample has members
        # under two pillars: the dialog lists them, and each is approved anyway with a reason.
        seq = app.db.seq
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ApproveDialog)
        for i, _b in enumerate(dialog.blockers):
            dialog.query_one(f"#decide-{i}").value = "approve"
            dialog.query_one(f"#reason-{i}").value = "SK dua pilar diperiksa"
        await pilot.click("#yes")
        await settle(app, pilot)
        assert app.db.seq == seq + 1
        assert {v["status"] for v in payouts.items(app.db, Q2)} == {"approved"}
        assert payouts.get_run(app.db, Q2)["approved_by"] == "Siti"

        # Some members are paid in cash at the sample event's check-in, the rest by transfer.
        invited = sorted(events.invitations(app.db, EID), key=lambda i: i["id"])[:5]
        for inv in invited:
            events.checkin(app.db, EID, inv["member_id"])
        await pilot.press("b")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PayDialog)
        dialog.query_one("#method").value = "CASH"
        dialog.query_one("#event").value = EID
        await pilot.click("#ok")
        await settle(app, pilot)
        cash = [v for v in payouts.items(app.db, Q2) if v["status"] == "paid"]
        assert {v["member_id"] for v in cash} == {i["member_id"] for i in invited}
        assert all(v["method"] == "CASH" and v["invitation_id"] == events.invitation_id(EID, v["member_id"]) for v in cash)

        await pilot.press("b")
        await pilot.pause()
        await pilot.press(*"BJTM-0001")
        await pilot.press("enter")
        await settle(app, pilot)
        items = payouts.items(app.db, Q2)
        assert {v["status"] for v in items} == {"paid"}
        assert {v["transfer_ref"] for v in items if v["method"] == "TRANSFER"} == {"BJTM-0001"}
        assert payouts.get_run(app.db, Q2)["status"] == "paid"

        # Print the documents (nominatif, receipts; no bank file: nothing is left to transfer).
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")
        await settle(app, pilot)
        out = folder / "cetak"
        names = sorted(p.name for p in out.iterdir())
        assert names == ["kwitansi_2024-Q2.pdf", "nominatif_2024-Q2.csv", "nominatif_2024-Q2.html",
                         "nominatif_2024-Q2.pdf", "nominatif_2024-Q2.txt", "nominatif_2024-Q2.xlsx",
                         "receipts_2024-Q2.html", "receipts_2024-Q2.pdf", "rekap_2024-Q2.pdf"]
        assert documents.idr(grand)[2:] in "\n".join(pages((out / "nominatif_2024-Q2.pdf").read_bytes()))
        assert documents.idr(grand) in (out / "nominatif_2024-Q2.txt").read_text(encoding="utf-8")
        assert "Rupiah)" in (out / "receipts_2024-Q2.html").read_text(encoding="utf-8")

        # Running the quarter again changes nothing.
        seq = app.db.seq
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.plan.changes == 0
        await pilot.press("s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog) and app.db.seq == seq


@run_async
async def test_void_from_the_items_tab_needs_a_reason(folder):
    db = Database.open(folder, operator="Siti")
    payouts.run_quarter(db, Q2)
    approve_all(db, Q2)
    db.close()
    app = PilarApp(folder, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await items_tab_of_q2(app, pilot)
        table = screen.query_one("#pay-items")
        item_id = table.current_id
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, VoidDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert "alasan" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"salah", "enter")
        await settle(app, pilot)
        voided = payouts.find_item(app.db, item_id)[0]
        assert voided["status"] == "void" and voided["void_reason"] == "salah" and voided["voided_by"] == "Siti"


@run_async
async def test_items_tab_finds_any_item_by_name_or_nik_and_voids_it(folder):
    """Every item is listed (a virtual table, no cap); the search narrows it, and the found one can be voided."""
    import tui.screens.payouts.screen as screens

    db = Database.open(folder, operator="Siti")
    payouts.run_quarter(db, Q2)
    approve_all(db, Q2)
    everyone = payouts.members_by_id(db)
    # A member whose item is not among the first rows listed.
    target = screens.item_rows(db, Q2)[-1]
    member = everyone[target["member_id"]]
    db.close()
    app = PilarApp(folder, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await items_tab_of_q2(app, pilot)
        table = screen.query_one("#pay-items")
        listed = [r.id for r in table.rows]
        assert len(listed) == len(screens.item_rows(app.db, Q2)) > 1000 and target["id"] in listed
        assert "1.552 dari 1.552 item" in str(screen.query_one("#pay-items-note").render())
        screen.query_one("#pay-tabs").active = "tab-preview"
        await pilot.press("slash")  # from anywhere on the screen: to the search field
        await pilot.pause()
        assert screen.query_one("#pay-tabs").active == "tab-items" and screen.focused.id == "pay-items-filter"
        await pilot.press(*member["nik"])  # typed or scanned whole
        await pilot.pause(0.3)
        keys = [r.id for r in table.rows]
        assert target["id"] in keys
        assert all(payouts.find_item(app.db, k)[0]["member_id"] == member["id"] for k in keys)
        await pilot.press("enter")  # to the table, the found item selected
        await pilot.pause()
        assert table.move_to_id(target["id"])
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, VoidDialog)
        await pilot.press(*"rekening salah", "enter")
        await settle(app, pilot)
        assert payouts.find_item(app.db, target["id"])[0]["status"] == "void"


@run_async
async def test_receipt_of_the_selected_item_for_one_member(folder):
    db = Database.open(folder, operator="Siti")
    payouts.run_quarter(db, Q2)
    db.close()
    app = PilarApp(folder, operator="Siti")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await items_tab_of_q2(app, pilot)
        table = screen.query_one("#pay-items")
        table.focus()
        item = payouts.find_item(app.db, table.current_id)[0]
        member = app.db.get("members", item["member_id"])
        await pilot.press("t")
        await pilot.pause()
        [page] = list((folder / "cetak").glob("tanda-terima_2024-Q2_*.pdf"))
        [text] = pages(page.read_bytes())  # this member only
        assert member["name"] in text and documents.idr(item["net"]) in text
        assert "DRAF - BELUM DISETUJUI" in text  # not approved yet: marked so on its face
