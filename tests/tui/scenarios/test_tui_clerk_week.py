"""Issue 14, "done when": a clerk's whole week at 80×24, from the keyboard only, checked on disk after each step.

At the UPT: a CSV roster through the import wizard, a member edited, one deactivated, an event made,
members invited, one checked in at the door, the daftar hadir printed, a bundle exported to a folder. At the
province: that bundle imported with ``f``, a quarter from preview to paid with separation of duties on (saved
by one clerk, approved by a second, paid by a third: ``app.db.operator`` changed between the steps, as another
clerk's login would), and the quarter's documents printed. Before each Enter the focused field is asserted to
be on the 80×24 screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from storage import events as event_service
from storage import payouts
from storage.core.db import Database
from tests.support.network import make_network
from tests.support.payouts import add_members, member
from tests.support.pilot import run_async, settle
from tests.support.roster import PEOPLE, person
from tui.app import PilarApp
from tui.dialogs import ConfirmDialog, PromptDialog
from tui.screens.events.screen import CheckinScreen, EventFormScreen, InviteScreen
from tui.screens.roster.form import MemberForm
from tui.screens.roster.importing import ImportScreen
from tui.screens.roster.screen import RosterScreen

SIZE = (80, 24)
UPT = "UPT-PSTW-JEMBER"
CSV = ("NO;NAMA;NIK;L/P;TEMPAT LAHIR;TANGGAL LAHIR;KAB/KOTA;KECAMATAN;PILAR;JABATAN\n"
       "1;Lina Marlina;3578015606860101;P;Surabaya;16-06-1986;Kota Surabaya;Genteng;PSM;Anggota\n"
       "2;Made Wirawan;3578020101800102;L;Surabaya;01-01-1980;Kota Surabaya;Tegalsari;PSM;Anggota\n"
       "3;Nina Zatulini;3578036101910103;P;Surabaya;21-01-1991;Kota Surabaya;Bubutan;PSM;Anggota\n")


def on_disk(path) -> Database:
    return Database.open(path, read_only=True)


async def wait_for(pilot, check, tries: int = 400):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def type_text(pilot, text: str) -> None:
    """Type ``text`` as a quick typist (or a barcode scanner) does: every key sent without waiting for the
    screen between them (``pilot.press`` waits for idle after each key, some 50 ms a key)."""
    app = pilot.app
    for char in text:
        event = events.Key(_character_to_key(char) if not char.isalnum() else char, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


def focus_in_view(app) -> str:
    """The focused widget is on the 80×24 screen (not scrolled away or cut off); its id."""
    widget = app.focused
    assert widget is not None
    region = widget.region
    assert region.area and app.screen.region.contains_region(region), (widget, region)
    return widget.id or ""


def members_named(path, name: str) -> list[dict]:
    return [m for m in on_disk(path).values("members") if m["name"] == name]


def folders(tmp_path):
    """A UPT enrolled at the province and trusted there; the UPT's six members; the province's rates and
    five members with bank accounts (separation of duties on, as in a real folder)."""
    paths = make_network(tmp_path, upts=(UPT,), operator="Siti")
    db = Database.open(paths[UPT], operator="Siti")
    with db.transaction("test.seed") as tx:
        for i, p in enumerate(PEOPLE):
            tx.put("members", person(i, *p))
    db.close()
    prov = Database.open(paths["JATIM"], operator="Ani")
    payouts.load_sample(prov)
    add_members(prov, [member(i) for i in range(5)])
    assert payouts.separate_duties(prov)
    prov.close()
    return paths[UPT], paths["JATIM"]


@run_async
async def test_a_clerks_week_at_80x24_from_the_keyboard(tmp_path, monkeypatch):
    upt, prov = folders(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setenv("PILAR_USB", str(stick))
    roster_file = tmp_path / "anggota-baru.csv"
    roster_file.write_text(CSV, encoding="utf-8")
    today = dt.date.today()

    app = PilarApp(upt, operator="Siti")
    async with app.run_test(size=SIZE) as pilot:
        # ---- Monday: the roster from a spreadsheet (i on the roster, path, Enter, the commit button)
        await pilot.press("i")
        wizard = app.screen
        assert isinstance(wizard, ImportScreen)
        await type_text(pilot, str(roster_file))
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None)
        assert wizard.plan.counts["add"] == 3
        assert focus_in_view(app) == "import-commit"
        await pilot.press("enter")  # the focused commit button
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        await settle(app, pilot)
        assert len(members_named(upt, "Lina Marlina")) == 1 and len(members_named(upt, "Nina Zatulini")) == 1

        # ---- an address corrected: find, e, to the address, type, ctrl+s
        await pilot.press("slash", *"made", "enter", "e")
        assert isinstance(app.screen, MemberForm)
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # nik, name, sex, birth place, birth date → address
        assert focus_in_view(app) == "address"
        await pilot.press("end")
        await type_text(pilot, "Jl. Kenanga 7")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        [made] = members_named(upt, "Made Wirawan")
        assert made["address"].endswith("Jl. Kenanga 7")

        # ---- one leaves: d, a reason, a date, Enter
        await pilot.press("escape", "slash", *"wahyu", "enter", "d")
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "pindah domisili")
        assert focus_in_view(app) == "f-reason"
        await pilot.press("tab", "home", "ctrl+k")  # the date field: today, cleared
        await type_text(pilot, "15-03-2024")
        assert focus_in_view(app) == "f-date"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RosterScreen))
        [wahyu] = members_named(upt, "Wahyu Hidayat")
        assert wahyu["assignments"][0]["inactive_date"] == "2024-03-15"
        assert wahyu["assignments"][0]["status"] != "ACTIVE"

        # ---- an event today: 2, n, the fields, ctrl+s
        await pilot.press("escape", "2")
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, EventFormScreen)
        await type_text(pilot, "Rakor PSM")
        await pilot.press("tab")
        await type_text(pilot, today.strftime("%d-%m-%Y"))
        await pilot.press("tab", "tab", "tab", "tab")  # end date, start time, end time → venue
        await type_text(pilot, "Aula UPT")
        assert focus_in_view(app) == "f-venue"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventFormScreen))
        [event] = [e for e in on_disk(upt).values("events") if e["name"] == "Rakor PSM"]
        assert event["date"] == today.isoformat() and event["venue"] == "Aula UPT"

        # ---- invite the PSM members: i, the pillar picked, F2
        await pilot.press("i")
        assert isinstance(app.screen, InviteScreen)
        await pilot.press("enter")  # the pillar pick list opens
        await type_text(pilot, "PSM")
        await pilot.press("enter")
        assert focus_in_view(app) == "crit-pillar"
        await pilot.press("f2")
        await settle(app, pilot)
        invited = {v["member_id"] for v in event_service.invitations(on_disk(upt), event["id"])}
        psm = {m["id"] for m in on_disk(upt).values("members") if m["assignments"][0]["pillar"] == "PSM"}
        assert invited == psm and len(invited) == 4

        # ---- the door: c, a NIK typed, Enter
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, CheckinScreen)
        [lina] = members_named(upt, "Lina Marlina")
        await type_text(pilot, lina["nik"])
        assert focus_in_view(app) == "scan"
        await pilot.press("enter")
        await pilot.pause()
        inv = on_disk(upt).get("invitations", event_service.invitation_id(event["id"], lina["id"]))
        assert inv["status"] == "HADIR" and inv["checkin_at"]

        # ---- the daftar hadir for the file: escape to the events list, p, Enter (PDF, the path offered)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert focus_in_view(app)
        hadir = Path(app.screen.query_one("#report-path", Input).value)
        await pilot.press("enter")
        await settle(app, pilot)
        assert hadir.suffix == ".pdf" and hadir.read_bytes().startswith(b"%PDF")

        # ---- Friday: the week's bundle to the province on the stick: 4, e, Enter
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "tab")  # to, where (the stick), full, cancel → export
        assert focus_in_view(app) == "ok"
        await pilot.press("enter")
        await settle(app, pilot)
        bundles = list(stick.glob("*.pilar"))
        assert len(bundles) == 1

    # ---- at the province: the stick's bundle by f (the path typed after the stick's folder), Enter
    app = PilarApp(prov, operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("f")
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("end")
        await type_text(pilot, bundles[0].name)
        assert focus_in_view(app) == "f-path"
        await pilot.press("enter")
        await wait_for(pilot, lambda: members_named(prov, "Lina Marlina"))
        await settle(app, pilot)
        [lina_there] = members_named(prov, "Lina Marlina")
        assert lina_there["id"] == lina["id"]
        [made_there] = members_named(prov, "Made Wirawan")
        assert made_there["address"].endswith("Jl. Kenanga 7")

        # ---- the quarter: 3, the preview, s (saved by Ani), a (approved by Budi), b (paid by Citra)
        await pilot.press("escape", "3")
        await settle(app, pilot)
        quarter = app.screen.quarter
        assert app.screen.plan is not None and len(app.screen.plan.new) == 5
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        drafts = payouts.items(on_disk(prov), quarter, ("draft",))
        assert len(drafts) == 5

        app.db.operator = "Budi"  # another clerk's login: whoever saved the drafts cannot approve them
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        approved = payouts.items(on_disk(prov), quarter, ("approved",))
        assert len(approved) == 5

        app.db.operator = "Citra"  # and whoever approved them does not mark them paid
        await pilot.press("b")
        await pilot.pause()
        await type_text(pilot, "BJTM-2024-0001")
        assert focus_in_view(app) == "ref"
        await pilot.press("enter")
        await settle(app, pilot)

        # ---- the quarter's documents: p, a folder typed, Enter
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, str(tmp_path / "cetak"))
        assert focus_in_view(app) == "f-folder"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any((tmp_path / "cetak").glob("*nominatif*.pdf")))
        await settle(app, pilot)
        [nominatif] = (tmp_path / "cetak").glob("*nominatif*.pdf")
        assert nominatif.read_bytes().startswith(b"%PDF") and any((tmp_path / "cetak").glob("*kwitansi*.pdf"))
    paid = payouts.items(on_disk(prov), quarter, ("paid",))
    assert len(paid) == 5 and {i["transfer_ref"] for i in paid} == {"BJTM-2024-0001"}
    assert {(i["saved_by"], i["approved_by"], i["paid_by"]) for i in paid} == {("Ani", "Budi", "Citra")}
    operators = {e["operator"] for e in on_disk(prov).audit.lines() if e.get("action", "").startswith("payout.")}
    assert {"Ani", "Budi", "Citra"} <= operators


@run_async
async def test_payout_dialogs_at_80x24_keep_the_focused_field_on_screen(tmp_path):
    """Approve with held items, pay, a new rate (nine fields): Tab through each, whatever is focused is in
    view (their buttons were below the 24th line)."""
    from tests.support.payouts import make_db
    from tui.screens.payouts.dialogs import ApproveDialog, PayDialog

    second = {"pillar": "PSM", "position": "ANGGOTA", "area_kab": "35.78", "area_kec": "35.78.01",
              "office": UPT, "start": "2023-01-01", "status": "ACTIVE", "end": "", "inactive_date": ""}
    db = make_db(tmp_path / "prov", [member(i, extra=[dict(second, id=f"a2-{i}")]) for i in range(6)])
    payouts.run_quarter(db, payouts.Quarter.current())  # six members paid under two pillars: six items for review
    db.close()
    app = PilarApp(tmp_path / "prov", operator="Ani")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        assert len(payouts.approval_blockers(app.db, payouts.Quarter.current())) >= 6
        back = ["shift+tab"] * 2  # from the first field round to the buttons at the end
        for key, dialog, keys in (("a", ApproveDialog, back), ("b", PayDialog, ["tab"] * 5), ("n", PromptDialog, back)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, dialog)
            seen = set()
            for move in keys:
                seen.add(focus_in_view(app))
                await pilot.press(move)
            seen.add(focus_in_view(app))
            assert {"ok", "yes"} & seen, seen  # the button that saves was reached and seen
            app.pop_screen()
            await pilot.pause()
