"""Paper: the daftar nominatif as PDF for ~50,000 items and 1,000 member cards, plus the other PDFs.

Builds a province folder with ``storage.sample.generate.build_office`` (synthetic members, sample rates),
runs and approves a quarter, then times each document. Targets (issue 15): nominatif PDF of 50,000
items <= 10 s; 1,000 cards <= 10 s. ``python benchmarks/run.py docs``; ``PILAR_BENCH_DOCS_N`` changes the
roster size.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tabulate import tabulate  # noqa: E402

from storage import payouts  # noqa: E402
from storage.core.db import Database  # noqa: E402
from storage.payouts.documents import pdf as payout_pdf  # noqa: E402
from storage.roster import Query, Roster, cards  # noqa: E402
from storage.sample.generate import build_office  # noqa: E402

QUARTER = payouts.Quarter.parse("2024-Q2")
CPU: dict[str, float] = {}


def _time(fn):
    """Wall seconds (returned) and CPU seconds of this process (kept in CPU["last"])."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    took = time.perf_counter() - start
    CPU["last"] = time.process_time() - cpu
    print(f"  … {took:.2f} s wall, {CPU['last']:.2f} s CPU", file=sys.stderr, flush=True)
    return took, result


def _row(step: str, size: str, took: float, target: float | None = None) -> list:
    note = "" if target is None else f"<= {target:g} s" + (" OK" if took <= target else " MISSED")
    return [step, size, f"{took:.2f}", f"{CPU['last']:.2f}", note]


def _pages(data: bytes) -> int:
    return data.count(b"/Type /Page\n") or data.count(b"/Type /Page")


def main() -> None:
    n = int(os.environ.get("PILAR_BENCH_DOCS_N", "52000"))
    tmp = Path(tempfile.mkdtemp(prefix="pilar-bench-docs-"))
    rows = []
    try:
        took, _ = _time(lambda: build_office(tmp / "office", n))
        rows.append(_row("build_office (setup)", f"{n} members", took))
        db = Database.open(tmp / "office", operator="Bench")
        payouts.load_sample(db)
        payouts.set_separate_duties(db, False)
        took, _ = _time(lambda: payouts.run_quarter(db, QUARTER))
        decisions = {b["id"]: ("approve" if b["can_approve"] else "void", "bench")
                     for b in payouts.approval_blockers(db, QUARTER)}
        result = payouts.approve(db, QUARTER, decisions)
        rows.append(_row("run + approve (setup)", f"{result['count']} items", took))
        took, data = _time(lambda: payout_pdf.nominatif(db, QUARTER))
        rows.append(_row("daftar nominatif PDF", f"{result['count']} items, {_pages(data)} pages, "
                         f"{len(data) / 1e6:.1f} MB", took, 10))
        some = sorted({v["member_id"] for v in payouts.items(db, QUARTER)})[:1000]
        took, data = _time(lambda: payout_pdf.receipts(db, QUARTER, member_ids=some))
        rows.append(_row("tanda terima PDF (1,000 members)", f"{_pages(data)} pages, {len(data) / 1e6:.1f} MB", took))
        took, data = _time(lambda: payout_pdf.kwitansi(db, QUARTER))
        rows.append(_row("kwitansi PDF (per pillar)", f"{_pages(data)} pages", took))
        took, data = _time(lambda: payout_pdf.rekap(db, QUARTER))
        rows.append(_row("rekap PDF (kab/kota, pillar)", f"{_pages(data)} pages", took))
        roster = Roster(db)
        took, members = _time(lambda: cards.select(roster, Query())[:1000])
        rows.append(_row("card selection (whole roster)", f"{len(members)} of {n}", took))
        took, data = _time(lambda: cards.render(db, members, 10))
        rows.append(_row("member cards PDF (10 per A4)", f"{len(members)} cards, {len(data) / 1e6:.1f} MB", took, 10))
        took, _ = _time(db.close)
        rows.append(_row("close", "", took))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, load {load:.1f}")
    print(tabulate(rows, headers=["step", "size", "wall s", "CPU s", "target"], tablefmt="github"))


if __name__ == "__main__":
    main()
