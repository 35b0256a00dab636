"""The province bench's three roster steps in the app, repeated in one process (issue 25).

``python benchmarks/province_roster_steps.py N [REPS]`` (not part of ``make bench``): a fresh copy of the
bench's ``office-N`` folder (``bench_province.office``, generated when missing), the real ``PilarApp``
under Pilot at 80x24 started as ``bench_province.app_steps`` starts it, the same clock (the first screen
update made once the result is in the widget), and each step ``REPS`` times (default 5): key 1 (the
first as the bench presses it, the app idle; then 5 and 1 again), the first letter of a search (Esc, /,
then ``s``), one edit saved (e, a new address, ctrl+s, until the table is repainted). Prints the median
wall and CPU time of each step and every run's. On a shared machine the CPU times are the fairer figure;
``PILAR_BENCH_TREE`` runs another checkout's code, as for bench_province.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_province as bench  # noqa: E402


async def steps(path: Path, reps: int) -> dict[str, list[tuple[float, float]]]:
    from textual.widgets import Checkbox

    from tui.app import PilarApp
    from tui.screens.roster.form import MemberForm
    from tui.screens.roster.screen import RosterScreen
    from tui.screens.summary.screen import SummaryScreen
    from tui.widgets.member_table import MemberTable

    app = PilarApp(path, operator="Bench", start="auto", daily_backup=True, background_open=True)
    clock = bench.Clock(app)
    out: dict[str, list[tuple[float, float]]] = {"key 1": [], "first letter": [], "one edit saved": []}
    async with app.run_test(size=bench.SIZE) as pilot:
        clock.expect(lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None
                     and getattr(app.screen, "live", True))
        await clock.wait(time.perf_counter(), time.process_time())
        while any(w.group in ("summary", "roster-load", "daily-backup") and w.is_running for w in app.workers):
            await asyncio.sleep(0.05)
        for i in range(reps):
            if i:
                await pilot.press("5")
                await pilot.pause()
                await asyncio.sleep(0.3)
            clock.expect(lambda: isinstance(app.screen, RosterScreen) and app.screen.ready
                         and bool(app.screen.query_one(MemberTable).rows))
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press("1")
            out["key 1"].append(await clock.wait(t0, c0))
            await pilot.pause()
            await asyncio.sleep(0.2)
        screen = app.screen
        table = screen.query_one(MemberTable)
        for _ in range(reps):
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("slash")
            await pilot.pause()
            await asyncio.sleep(0.2)
            generation = table._generation
            clock.expect(lambda g=generation: table._generation != g)
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press("s")
            out["first letter"].append(await clock.wait(t0, c0))
            await pilot.pause()
            await asyncio.sleep(0.2)
        await pilot.press(*"iti")
        await pilot.pause()
        table.focus()
        await pilot.pause()
        for i in range(reps):
            await pilot.press("e")
            while not isinstance(app.screen, MemberForm):
                await asyncio.sleep(0.005)
            form = app.screen
            await pilot.pause()
            form.query_one("#address").value = f"Jl. Bench Baru {i}"
            await pilot.pause()
            if form.result is not None and form.result.warnings:
                form.query_one("#accept", Checkbox).value = True
                await pilot.pause()
            await asyncio.sleep(0.3)
            generation = table._generation
            clock.expect(lambda g=generation: table._generation != g and app.screen is screen)
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press("ctrl+s")
            out["one edit saved"].append(await clock.wait(t0, c0))
            await pilot.pause()
            await asyncio.sleep(0.3)
            saved = app.db.get("members", table.current_id)
            assert saved["address"] == f"Jl. Bench Baru {i}", saved["address"]
        await pilot.press("ctrl+q")
    return out


def main(argv: list[str]) -> None:
    n = int(argv[0])
    reps = int(argv[1]) if len(argv) > 1 else 5
    with tempfile.TemporaryDirectory(prefix="pilar-roster-steps-") as work:
        copy = bench.fresh_copy(bench.office(n), Path(work))
        print(f"{n} members, code {bench.TREE}, load {bench.load()}")
        out = asyncio.run(steps(copy, reps))
        print(f"load after {bench.load()}")
    for step, runs in out.items():
        print(f"{step:15s} median {1000 * statistics.median(w for w, _ in runs):6.1f} ms wall, "
              f"{1000 * statistics.median(c for _, c in runs):5.1f} ms CPU;  each (wall/CPU ms): "
              + " ".join(f"{1000 * w:.0f}/{1000 * c:.0f}" for w, c in runs))


if __name__ == "__main__":
    main(sys.argv[1:])
