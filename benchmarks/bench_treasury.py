"""The treasurer's year at the province's size: the pagu what-if and the approval's pagu check over a
~50,000-item quarter, the Coretax BP21 file of 50,000 withholdings (XLSX and XML), the yearly tax
summary, the member's statement (text and PDF: the clock stops when the file is written) and the notices.

``python benchmarks/run.py treasury``; ``PILAR_BENCH_TREASURY_N`` changes the roster size.
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

from storage import payouts as P  # noqa: E402
from storage.core.db import Database  # noqa: E402
from storage.payouts import budget, statement, withholding  # noqa: E402
from storage.sample.generate import build_office  # noqa: E402

QUARTER = P.Quarter(2024, 2)
CPU: dict[str, float] = {}


def _time(fn):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    took = time.perf_counter() - start
    CPU["last"] = time.process_time() - cpu
    print(f"  … {took:.2f} s wall, {CPU['last']:.2f} s CPU", file=sys.stderr, flush=True)
    return took, result


def _row(step: str, size: str, took: float) -> list:
    return [step, size, f"{took:.2f}", f"{CPU['last']:.2f}"]


def main() -> None:
    n = int(os.environ.get("PILAR_BENCH_TREASURY_N", "52000"))
    tmp = Path(tempfile.mkdtemp(prefix="pilar-bench-treasury-"))
    rows = []
    try:
        build_office(tmp / "office", n)
        db = Database.open(tmp / "office", operator="Bench")
        P.load_sample(db)
        P.set_separate_duties(db, False)
        for rate in P.rates(db):  # every rate withholds PPh 21 bukan pegawai 5%: every item is a bukti potong
            P.set_rate(db, pillar=rate["pillar"], position=rate["position"], amount=rate["amount"],
                       start=rate["start"], funding=rate["funding"], kind=rate["kind"], rate_id=rate["id"],
                       tax_rule="PPH21_BP", tax_bp=500)
        withholding.set_settings(db, tin="0012345678901000", id_tku="0012345678901000000000")
        budget.set_pagu(db, 2024, "APBD_PROVINSI", 500_000_000_000)
        plan = P.plan_run(db, QUARTER)
        took, w = _time(lambda: budget.what_if(db, plan))
        rows.append(_row("pagu what-if of the preview", f"{len(plan.new)} items", took))
        P.save_run(db, plan)
        blockers = P.approval_blockers(db, QUARTER)
        decisions = {b["id"]: ("approve" if b["can_approve"] else "void", "bench") for b in blockers}
        chosen = P.items(db, QUARTER, ("draft",))
        took, _ = _time(lambda: budget.check_approval(db, QUARTER, chosen))
        rows.append(_row("pagu check at approval", f"{len(chosen)} items", took))
        P.approve(db, QUARTER, decisions)
        P.pay_transfer(db, QUARTER, "BENCH-REF")
        for suffix in ("xlsx", "xml"):
            took, result = _time(lambda s=suffix: withholding.write_bp21(db, QUARTER, tmp / f"bp21.{s}"))
            size = (tmp / f"bp21.{suffix}").stat().st_size / 1e6
            rows.append(_row(f"BP21 bulk file ({suffix})", f"{result['count']} rows, {size:.1f} MB", took))
        took, summary = _time(lambda: withholding.annual_summary(db, 2024))
        rows.append(_row("yearly tax summary", f"{len(summary)} members", took))
        one = next(v["member_id"] for v in P.items(db, QUARTER, ("paid",)))
        took, _ = _time(lambda: statement.statement_text(db, one))
        rows.append(_row("member statement (text)", "1 member", took))
        took, _ = _time(lambda: statement.write_statement(db, one, tmp / "riwayat.pdf"))
        rows.append(_row("member statement (PDF written)", "1 member", took))
        took, result = _time(lambda: statement.write_notices(db, QUARTER, tmp / "surat"))
        rows.append(_row("notices (PDF per office + list)", f"{result['count']} letters", took))
        db.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, load {load:.1f}")
    print(tabulate(rows, headers=["step", "size", "wall s", "CPU s"], tablefmt="github"))


if __name__ == "__main__":
    main()
