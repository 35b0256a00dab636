"""The Ringkasan screen with Pilot at 80x24: the landing screen at the province, the figures the storage
computes, Enter on a figure opens its screen, and a real import refreshes it (in a worker)."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, TabbedContent

from storage import summary
from storage.core.db import PROVINCE_CODE, Database
from storage.domain.fmt import number
from storage.domain.model import pillar_label
from storage.sync import engine
from tests.support.network import make_network
from tui.app import PilarApp
from tui.screens.roster.screen import RosterScreen
from tui.screens.summary.screen import SummaryScreen
from tui.screens.sync.conflicts import ConflictsScreen
from tui.widgets.bars import Bars

A = "UPT-A"


def member(i, pillar="TAGANA", office=A, nik=None, kec=""):
    return {"nik": nik or f"3509{i:012d}", "name": f"ORANG {i}", "kab": "35.09", "assignments": [
        {"pillar": pillar, "position": "ANGGOTA", "area_kab": "35.09", "area_kec": kec, "office": office,
         "status": "ACTIVE"}]}


def setup(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    prov = Database.open(paths[PROVINCE_CODE], operator="Siti")
    with prov.transaction("t") as tx:
        for i in range(12):
            tx.put("members", member(i, pillar=("TAGANA", "PSM", "TKSK")[i % 3], kec="35.09.01" if i == 2 else ""),
                   owner=A)
        tx.put("members", member(50, nik="3509000000000099"), owner=A)
        tx.put("members", member(51, nik="3509000000000099"), owner="UPT-B")   # a duplicate-NIK case
    upt = Database.open(paths[A], operator="Ani")
    with upt.transaction("t") as tx:
        tx.put("members", member(60), owner=A)
    bundle = engine.export_bundle(upt, PROVINCE_CODE, tmp_path / "usb").path
    upt.close()
    return prov, bundle


async def until(pilot, check, tries=400):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


def cells(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


def test_landing_figures_links_and_refresh_after_import(tmp_path):
    prov, bundle = setup(tmp_path)

    async def run():
        app = PilarApp(prov.path, operator="Siti", db=prov, start="auto")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, SummaryScreen)
            await until(pilot, lambda: screen.data is not None)
            expected = summary.compute(prov)
            figures = screen.query_one("#figures", DataTable)
            assert number(expected["members"]["active"]) in cells(figures, "members")[1]
            assert cells(figures, "cases")[1] == "0 · 1"
            without = len(expected["tksk"]["without"])
            assert cells(figures, "tksk")[1].startswith(f"{number(without)} dari 666")
            bars = screen.query_one("#pillar-chart", Bars)
            assert {b.label: b.parts[0] for b in bars.bars} == {
                pillar_label(p): n for p, n in expected["members"]["by_pillar"].items()}
            assert expected["members"]["by_pillar"] == {"TAGANA": 6, "PSM": 4, "TKSK": 4}
            # everything drawn fits 80 columns: no horizontal scrolling of the figures
            assert figures.virtual_size.width <= 80
            # Enter on the conflicts figure opens the conflicts screen; Esc comes back
            figures.focus()
            figures.move_cursor(row=list(figures.rows).index("cases"))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
            app.pop_screen()
            await pilot.pause()
            # Enter on the kecamatan figure opens its tab, named kecamatan listed
            figures.move_cursor(row=list(figures.rows).index("tksk"))
            await pilot.press("enter")
            await pilot.pause()
            assert screen.query_one("#summary-tabs", TabbedContent).active == "tab-tksk"
            tksk = screen.query_one("#tksk", DataTable)
            assert tksk.row_count == without
            names = {tuple(map(str, tksk.get_row_at(i))) for i in range(tksk.row_count)}
            assert ("Kabupaten Jember", "Kencong") in names
            assert ("Kabupaten Jember", "Jombang") not in names   # 35.09.01 Jombang is served
            # a real import: the figures follow without a key pressed
            before = screen.data
            engine.import_bundle(prov, bundle)
            await until(pilot, lambda: screen.data is not before and screen.data["members"]["active"]
                        == expected["members"]["active"] + 1)
            await until(pilot, lambda: screen.query_one("#offices", DataTable).row_count == 1)
            row = [str(c) for c in screen.query_one("#offices", DataTable).get_row_at(0)]
            assert row[0] == A and row[2] == "0"          # received today, not silent
            # Enter on the members figure opens the roster section
            screen.query_one("#figures", DataTable).focus()
            figures.move_cursor(row=0)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, RosterScreen))
            await pilot.press("5")
            await until(pilot, lambda: isinstance(app.screen, SummaryScreen))

    asyncio.run(run())


def test_a_upt_lands_on_its_roster(tmp_path):
    paths = make_network(tmp_path, upts=(A,))

    async def run():
        app = PilarApp(paths[A], operator="Ani", start="auto")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, RosterScreen)

    asyncio.run(run())


def test_next_start_shows_the_kept_summary_before_counting(tmp_path, monkeypatch):
    import threading

    import tui.screens.summary.screen as screen_module

    prov, _bundle = setup(tmp_path)
    path = prov.path

    async def first():
        app = PilarApp(path, operator="Siti", db=prov, start="auto")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.data is not None)
            await app.workers.wait_for_complete()

    asyncio.run(first())
    again = Database.open(path, operator="Siti")
    assert summary.cached(again) is not None
    gate = threading.Event()
    real = summary.compute

    def held(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(screen_module.summary, "compute", held)

    async def second():
        app = PilarApp(path, operator="Siti", db=again, start="auto")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await pilot.pause()
            # the worker is still held: what shows is the kept summary
            assert screen.data is not None and screen.data["members"]["active"] == real(again)["members"]["active"]
            assert "sejak ringkasan terakhir" in str(screen.query_one("#summary-status").render())
            gate.set()
            await app.workers.wait_for_complete()

    asyncio.run(second())


def test_bars_are_exact_to_an_eighth_and_stacked_parts_add_up():
    from tui.widgets.bars import blocks

    assert blocks(3.5, 1.0) == "███▌" and blocks(0.125, 1.0) == "▏" and blocks(0, 1.0) == ""
    assert blocks(704, 704 / 50) == "█" * 50
    assert len(blocks(243, 704 / 50)) == 18   # 17.26 cells: 17 full and an eighth-block end

    async def run():
        from textual.app import App

        from tui.widgets.bars import Bar, Bars

        class One(App):
            def compose(self):
                yield Bars("t", ["a", "b", "c"], id="b")

        app = One()
        async with app.run_test(size=(60, 10)) as pilot:
            bars = app.query_one(Bars)
            bars.set_bars([Bar("Q1", (30, 10, 0), "40"), Bar("Q2", (0, 20, 0), "20")])
            await pilot.pause()
            lines = str(bars.render()).splitlines()
            q1, q2 = lines[1], lines[2]
            assert abs(q1.count("█") - 2 * q2.count("█")) <= 1 and q1.endswith(" 40") and q2.endswith(" 20")

    asyncio.run(run())


def test_rows_open_the_roster_with_exactly_the_members_counted(tmp_path):
    prov, _bundle = setup(tmp_path)
    with prov.transaction("t") as tx:
        # lives in Surabaya, serves in Jember: counted (and shown) in Jember's row, not Surabaya's
        away = member(70, pillar="PSM", nik="3578000000000070")
        away["kab"] = "35.78"
        tx.put("members", away, owner=A)
        tx.put("members", dict(member(72, nik="3578000000000072"), kab="35.78"), owner=A)
        gone = member(71, pillar="TKSK", nik="3509000000000071")   # not counted: inactive
        gone["assignments"][0]["status"] = "INACTIVE"
        tx.put("members", gone, owner=A)
    expected = summary.compute(prov)
    assert expected["members"]["by_kab"]["35.09"] != sum(1 for m in prov.values("members") if m["kab"] == "35.09")

    async def run():
        app = PilarApp(prov.path, operator="Siti", db=prov, start="auto")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await until(pilot, lambda: screen.data is not None)

            async def roster_rows():
                await until(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.ready)
                await pilot.pause()
                roster = app.screen
                count = str(roster.query_one("#roster-count").render())
                return {r.name for r in roster.query_one("#members").rows}, count

            await pilot.press("k")   # the kab/kota tab, cursor in it
            kabs = screen.query_one("#kabs", DataTable)
            assert app.focused is kabs
            kabs.move_cursor(row=expected["kabs"].index("35.09"))
            await pilot.press("enter")
            names, count = await roster_rows()
            assert len(names) == expected["members"]["by_kab"]["35.09"]
            assert "ORANG 70" in names and "ORANG 71" not in names
            assert count.startswith(f"{number(len(names))} dari") and "bertugas di Kabupaten Jember" in count
            assert app.screen.query_one("#kab").value == "@35.09"
            # Escape clears the filter: every member again
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen.query_one("#members").rows) == len(app.roster)

            await pilot.press("5")
            await until(pilot, lambda: app.screen is screen)
            await pilot.press("p")   # the pillar bars: Enter on TKSK
            pillars = list(expected["members"]["by_pillar"])
            for _ in range(pillars.index("TKSK")):
                await pilot.press("down")
            await pilot.press("enter")
            names, count = await roster_rows()
            assert len(names) == expected["members"]["by_pillar"]["TKSK"] and "ORANG 71" not in names
            assert app.screen.query_one("#pillar").value == "TKSK"

            await pilot.press("5")
            await until(pilot, lambda: app.screen is screen)
            await pilot.press("t")   # a kecamatan without TKSK: who lives or serves there
            tksk = screen.query_one("#tksk", DataTable)
            kec = expected["tksk"]["without"][0]["kec"]
            await pilot.press("enter")
            names, count = await roster_rows()
            assert app.screen.query_state.kec == kec and tksk.row_count == len(expected["tksk"]["without"])
            assert "Kec." in count

    asyncio.run(run())


def test_the_early_count_is_not_shown_after_a_commit_made_before_the_screen_listened(tmp_path):
    prov, _bundle = setup(tmp_path)
    app = PilarApp(prov.path, operator="Siti", db=prov, start="auto")
    assert app.early_summary is not None and app.early_summary.take() is not None   # counted already
    with prov.transaction("t") as tx:
        tx.put("members", member(80, nik="3509000000000080"), owner=A)
    expected = summary.compute(prov)["members"]["active"]

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await until(pilot, lambda: screen.data is not None and screen.data["members"]["active"] == expected)
            assert number(expected) in cells(screen.query_one("#figures", DataTable), "members")[1]

    asyncio.run(run())
