"""Payouts: a quarterly run for ~50,000 eligible members (preview, save, re-run, approve) and its documents.

Builds a province folder with ``storage.generate.build_office`` (synthetic members, sample rates), then
times each step in a fresh process state. Targets (issue 5): preview + save <= 2 s; the daftar
nominatif <= 5 s. ``python benchmarks/run.py payouts``; ``PILAR_BENCH_PAYOUT_N`` changes the roster size.
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

from storage import payout_docs as docs  # noqa: E402
from storage import payouts as P  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.generate import build_office  # noqa: E402

QUARTER = "2024-Q2"


def _time(fn):
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    print(f"  … {took:.2f} s", file=sys.stderr, flush=True)
    return took, result


def main() -> None:
    n = int(os.environ.get("PILAR_BENCH_PAYOUT_N", "52000"))
    tmp = Path(tempfile.mkdtemp(prefix="pilar-bench-payouts-"))
    rows = []
    try:
        took, _ = _time(lambda: build_office(tmp / "office", n))
        rows.append(["build_office (setup)", f"{n} members", f"{took:.2f}", ""])
        db = Database.open(tmp / "office", operator="Bench")
        P.load_sample(db)
        took_plan, plan = _time(lambda: P.plan_run(db, QUARTER))
        eligible = len(plan.new)
        rows.append(["run preview (plan_run)", f"{eligible} items", f"{took_plan:.2f}", ""])
        took_save, created = _time(lambda: P.save_run(db, plan))
        rows.append(["run save (one transaction)", f"{len(created)} items", f"{took_save:.2f}", ""])
        rows.append(["preview + save", f"{eligible} items", f"{took_plan + took_save:.2f}",
                     "<= 2 s" + (" OK" if took_plan + took_save <= 2 else " MISSED")])
        took, (again, made) = _time(lambda: P.run_quarter(db, QUARTER))
        rows.append(["re-run (nothing to add)", f"{len(made)} new, {again.changes} changes", f"{took:.2f}", ""])
        took, result = _time(lambda: P.approve(db, QUARTER))
        rows.append(["approve (one transaction)", f"{result['count']} items", f"{took:.2f}", ""])
        for fmt_name in ("text", "html", "csv", "xlsx"):
            took, data = _time(lambda f=fmt_name: docs.nominatif(db, QUARTER, f))
            note = "<= 5 s" + (" OK" if took <= 5 else " MISSED") if fmt_name in ("text", "html") else ""
            rows.append([f"daftar nominatif {fmt_name}", f"{len(data) / 1e6:.1f} MB", f"{took:.2f}", note])
        took, data = _time(lambda: docs.bank_csv(db, QUARTER))
        rows.append(["bank transfer CSV", f"{len(data) / 1e6:.1f} MB", f"{took:.2f}", ""])
        some = sorted({v["member_id"] for v in P.items(db, QUARTER)})[:1000]
        took, data = _time(lambda: docs.receipts(db, QUARTER, "html", member_ids=some))
        rows.append(["receipts html (1,000 members)", f"{len(data) / 1e6:.1f} MB", f"{took:.2f}", ""])
        took, result = _time(lambda: P.pay_transfer(db, QUARTER, "BENCH-REF"))
        rows.append(["pay by transfer (one transaction)", f"{result['count']} items", f"{took:.2f}", ""])
        took, _ = _time(db.close)
        rows.append(["close (compaction)", "", f"{took:.2f}", ""])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(tabulate(rows, headers=["step", "size", "seconds", "target"], tablefmt="github"))


if __name__ == "__main__":
    main()
