"""Roster screen at 100,000 members, measured through the real app with Textual's Pilot.

Each step is timed in PilarApp (line-API MemberTable) and, beside it, in a plain app holding every
row in a Textual ``DataTable``. ``python benchmarks/run.py roster`` runs it; ``PILAR_BENCH_MEMBERS``
changes the size, ``PILAR_BENCH_DIR`` keeps the generated office between runs.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tabulate import tabulate  # noqa: E402

SIZE = (120, 35)
QUERIES = ("siti", "3578", "budi s", "wati")
PAGES = 20
IMPORT_ROWS = 10_000


def office(n: int) -> Path:
    from storage.core.db import Database
    from storage.sample.generate import build_office

    base = Path(os.environ.get("PILAR_BENCH_DIR") or Path(tempfile.gettempdir()) / "pilar-bench-roster")
    path = base / f"office-{n}"
    if not Database.exists(path):
        base.mkdir(parents=True, exist_ok=True)
        print(f"building a {n:,}-member office in {path} …", flush=True)
        build_office(path, n)
    return path


def import_file(path: Path, rows: int) -> Path:
    """An .xlsx roster like an office keeps, with Indonesian headers and ``rows`` new people."""
    from openpyxl import Workbook

    from storage.domain import regions
    from storage.sample.generate import synthetic_members

    out = path.parent / f"import-{rows}.xlsx"
    if out.exists():
        return out
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Anggota")
    ws.append(["NO", "NAMA", "NIK", "JENIS KELAMIN", "TEMPAT LAHIR", "TANGGAL LAHIR", "ALAMAT", "KAB/KOTA",
               "KECAMATAN", "NO HP", "PILAR", "JABATAN", "TMT"])
    for i, m in enumerate(synthetic_members(rows, seed=777), 1):
        a = m["assignments"][0]
        ws.append([i, m["name"], m["nik"], m["sex"], m["birth_place"], m["birth_date"], m["address"],
                   regions.kab_name(m["kab"]), regions.kec_name(m["kec"]), m["phone"], a["pillar"], a["position"],
                   a["start"]])
    wb.save(out)
    return out


class PaintClock:
    """Times from a key press to the first screen update the app hands to its driver after it.

    Pilot's own waiting (for the process to be idle, for animations) comes after that update and is
    left out, so a busy machine does not inflate the figure with time the app spends doing nothing.
    """

    def __init__(self, app) -> None:
        self.paints: list[tuple[float, float]] = []
        original = app._display

        def spy(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.paints.append((time.perf_counter(), time.process_time()))
        app._display = spy

    async def press(self, pilot, key: str) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process) from the key to the next screen update."""
        seen = len(self.paints)
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await pilot.pause()
        after = [p for p in self.paints[seen:] if p[0] >= t0]
        wall, cpu = after[0] if after else (time.perf_counter(), time.process_time())
        return wall - t0, cpu - c0


def _median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def _worst(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


async def _until(pilot, check, timeout: float = 600.0) -> None:
    end = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > end:
            raise TimeoutError
        # not pilot.pause(): it waits for an idle CPU, which holds back the first paint while the
        # roster is built in its thread
        await asyncio.sleep(0.01)


async def bench_app(path: Path, xlsx: Path) -> dict[str, float]:
    import storage.roster.importing.plan as backup  # the name the import calls the backup by
    from tui.app import PilarApp
    from tui.screens.roster.importing import ImportScreen
    from tui.widgets.member_table import MemberTable

    real_backup = backup.backup_now

    def timed_backup(*args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return real_backup(*args, **kwargs)
        finally:
            out["backup"] = (time.perf_counter() - t0, time.process_time() - c0)
    backup.backup_now = timed_backup
    gc.collect()
    started, cpu0 = time.perf_counter(), time.process_time()
    app = PilarApp(path, operator="Bench")
    out: dict[str, float] = {}
    clock = PaintClock(app)  # before run_test, which returns only once the app has settled
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.screen.query(MemberTable) and app.screen.query_one(MemberTable).rows)
        first = next((p for p in clock.paints if p[0] > started), None)
        await pilot.pause()
        out["start"] = ((first or (time.perf_counter(), time.process_time()))[0] - started,
                        (first or (time.perf_counter(), time.process_time()))[1] - cpu0)
        await _until(pilot, lambda: getattr(app.screen, "ready", True))
        out["loaded"] = (time.perf_counter() - started, time.process_time() - cpu0)
        screen = app.screen
        table = screen.query_one(MemberTable)
        await pilot.press("slash")
        times = []
        for query in QUERIES:
            for ch in query:
                times.append(await clock.press(pilot, "space" if ch == " " else ch))
            await pilot.press("escape")
            await pilot.press("slash")
        out["keystroke"] = _median(times)
        out["keystroke_max"] = _worst(times)
        await pilot.press("escape")
        table.focus()
        times = []
        for _ in range(PAGES):
            times.append(await clock.press(pilot, "pagedown"))
        out["page"] = _median(times)
        # import through the wizard: path, preview, confirm, commit with the progress bar
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press("i")
        await _until(pilot, lambda: isinstance(app.screen, ImportScreen))
        wizard = app.screen
        wizard.query_one("#import-path").value = str(xlsx)
        await pilot.press("enter")
        await _until(pilot, lambda: wizard.plan is not None or "field-error" in wizard.query_one("#import-status").classes)
        out["import_preview"] = (time.perf_counter() - t0, time.process_time() - c0)
        plan = wizard.plan
        rows_in = plan.counts["add"] + plan.counts["update"] if plan else 0
        wizard._commit()
        await pilot.pause()
        await pilot.click("#yes")
        # the clock stops when the clerk sees the result: the wizard closed (every row landed), or, since
        # issue 23, the refused and held rows shown in it with the closing sentence
        await _until(pilot, lambda: not wizard.busy and (not isinstance(app.screen, ImportScreen)
                                                          or wizard.finished is not None), timeout=600)
        out["import"] = (time.perf_counter() - t0, time.process_time() - c0)
        out["import_rows"] = (rows_in, rows_in)
        await pilot.press("ctrl+q")
    return out


async def bench_datatable(path: Path, limit: int) -> dict[str, float]:
    """The same steps with a DataTable holding every row (what the issue says not to do)."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Input

    from storage.core.db import Database
    from storage.domain import fmt, regions
    from storage.domain.model import pillar_label, position_label, status_label
    from storage.roster import Query, Roster

    gc.collect()
    started, cpu0 = time.perf_counter(), time.process_time()
    db = Database.open(path, read_only=True)
    roster = Roster(db)

    def cells(r):
        return (fmt.mask_nik(r.nik), r.name, pillar_label(r.pillar), position_label(r.position),
                regions.kab_name(r.kab), regions.kec_name(r.kec), r.office, status_label(r.status))

    class Plain(App):
        def compose(self) -> ComposeResult:
            yield Input(id="q")
            yield DataTable(id="t")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("NIK", "Nama", "Pilar", "Jabatan", "Kab/Kota", "Kecamatan", "UPT", "Status")
            table.add_rows([cells(r) for r in roster.search(Query())[:limit]])

        def on_input_changed(self, event: Input.Changed) -> None:
            table = self.query_one(DataTable)
            table.clear()
            table.add_rows([cells(r) for r in roster.search(Query(text=event.value))[:limit]])

    app = Plain()
    out: dict[str, float] = {}
    clock = PaintClock(app)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        await _until(pilot, lambda: table.row_count > 0)
        first = next((p for p in clock.paints if p[0] > started), None)
        await pilot.pause()
        out["start"] = ((first or (time.perf_counter(), 0))[0] - started,
                        (first or (0, time.process_time()))[1] - cpu0)
        app.query_one(Input).focus()
        times = []
        for query in QUERIES[:1]:
            for ch in query:
                times.append(await clock.press(pilot, ch))
            app.query_one(Input).value = ""
            await pilot.pause()
        out["keystroke"] = _median(times)
        out["keystroke_max"] = _worst(times)
        table.focus()
        times = []
        for _ in range(PAGES):
            times.append(await clock.press(pilot, "pagedown"))
        out["page"] = _median(times)
    db.close()
    return out


def main() -> None:
    n = int(os.environ.get("PILAR_BENCH_MEMBERS", "100000"))
    limit = int(os.environ.get("PILAR_BENCH_DATATABLE_ROWS", str(n)))
    path = office(n)
    work = Path(tempfile.mkdtemp(prefix="pilar-bench-"))
    import shutil

    # the app imports into a copy, so every run starts from the same office
    copy = work / "office"
    shutil.copytree(path, copy, ignore=shutil.ignore_patterns(".lock", "lock.json"))
    xlsx = import_file(path, IMPORT_ROWS)
    ours = asyncio.run(bench_app(copy, xlsx))
    print("PilarApp:", ours, flush=True)
    plain = asyncio.run(bench_datatable(path, limit))
    print("DataTable:", plain, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    def ms(pair) -> str:
        return f"{pair[0] * 1000:.0f} ms ({pair[1] * 1000:.0f} ms CPU)"

    def sec(pair) -> str:
        return f"{pair[0]:.2f} s ({pair[1]:.2f} s CPU)"

    dt_note = "" if limit >= n else f" [{limit:,} rows]"
    rows = [
        ["start to first rows painted", "≤ 1.5 s", sec(ours["start"]), sec(plain["start"]) + dt_note],
        ["start to roster loaded (search ready)", "", sec(ours["loaded"]), sec(plain["start"]) + dt_note],
        ["filter keystroke to repaint (median)", "≤ 50 ms", ms(ours["keystroke"]), ms(plain["keystroke"]) + dt_note],
        ["filter keystroke (worst)", "", ms(ours["keystroke_max"]), ms(plain["keystroke_max"]) + dt_note],
        ["scroll one page (median)", "≤ 16 ms", ms(ours["page"]), ms(plain["page"]) + dt_note],
        [f"import {IMPORT_ROWS:,}-row XLSX: preview", "", sec(ours["import_preview"]), "-"],
        [f"import {IMPORT_ROWS:,}-row XLSX: preview + commit ({int(ours['import_rows'][0]):,} rows)", "≤ 10 s",
         sec(ours["import"]), "-"],
        ["  of which the backup taken before the import (issue 7)", "", sec(ours.get("backup", (0, 0))), "-"],
    ]
    print(f"{n:,} members, terminal {SIZE[0]}x{SIZE[1]}, {os.cpu_count()} CPUs, "
          f"load average at the end {os.getloadavg()[0]:.1f}; wall time (CPU time of the app's process)")
    print(tabulate(rows, headers=["step", "target", "PilarApp (MemberTable)", "plain DataTable"],
                   tablefmt="github"))

if __name__ == "__main__":
    main()
