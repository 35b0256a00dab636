"""Backups, restore and checks on offices of 1,500, 20,000 and 100,000 members.

For each size: the first ``backup_now`` (copy + fsync + re-read + checksum check of the copy +
rename), a second one after one edit (only the journal and the audit log changed: the collection
files are hard-linked from the first), one after a compaction (new collection files: copied again),
``list_backups`` (re-hashes every file of every backup: what ``pilar restore --list`` does),
``newest_good_backup``, ``restore`` (backup of the current state first, swap, new replica id, reopen),
``run_checks`` (``pilar check``) and the cost of ``maybe_daily`` when today's backup exists (paid at
every open). ``python benchmarks/run.py reliability``; ``PILAR_BENCH_DIR`` keeps the generated folders.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tabulate import tabulate  # noqa: E402

SIZES = (1_500, 20_000, 100_000)


def _base() -> Path:
    return Path(os.environ.get("PILAR_BENCH_DIR") or Path(tempfile.gettempdir()) / "pilar-bench-reliability")


def folder(n: int) -> Path:
    from storage.core.db import Database
    from storage.sample.generate import build_office

    path = _base() / f"m{n}"
    if not Database.exists(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        build_office(path, n, seed=7, office="UPT-PSTW-JEMBER" if n < 100_000 else "JATIM")
    return path


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def _edit_one(db, phone: str = "+6281234500001") -> None:
    rid = next(iter(db.raw("members")))
    value = db.get("members", rid)
    value["phone"] = phone
    with db.transaction("bench.edit") as tx:
        tx.put("members", value)


def measure(n: int) -> list:
    from storage import backup as backups
    from storage.check import run_checks
    from storage.core.db import Database

    src = folder(n)
    work = _base() / f"work{n}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("backups"))
    size = sum(p.stat().st_size for p in (work / "db").glob("*") if p.is_file())
    audit = (work / "audit.jsonl").stat().st_size
    db = Database.open(work, operator="Bench")
    # A first edit seals the generator's one-piece audit.jsonl into audit/000001.jsonl (what an office
    # from before segments goes through once): the backups below measure the steady state.
    _edit_one(db)
    t_first, b = timed(lambda: backups.backup_now(db, "bench"))
    t_daily, skipped = timed(lambda: backups.maybe_daily(db))
    assert skipped is None
    _edit_one(db, "+6281234500002")
    t_edit, b2 = timed(lambda: backups.backup_now(db, "bench-edit"))
    assert b2.meta["copied"] < b2.size
    copied_mb = b2.meta["copied"] / 1024 / 1024
    db.compact()
    t_compact, _ = timed(lambda: backups.backup_now(db, "bench-compact"))
    db.close()
    t_list, listed = timed(lambda: backups.list_backups(work))
    assert listed and all(b.good for b in listed)
    t_newest, _ = timed(lambda: backups.newest_good_backup(work))
    t_check, problems = timed(lambda: run_checks(work))
    assert problems == [], problems
    t_restore, _ = timed(lambda: backups.restore(work, b2.name, operator="Bench"))
    shutil.rmtree(work, ignore_errors=True)
    return [f"{n:,}", f"{size / 1024 / 1024:.1f} MB", f"{audit / 1024 / 1024:.1f} MB", f"{t_first:.2f}",
            f"{t_edit:.2f} ({copied_mb:.1f} MB copied)", f"{t_compact:.2f}", f"{t_daily * 1000:.1f} ms", f"{t_list:.2f}", f"{t_newest:.2f}",
            f"{t_check:.2f}", f"{t_restore:.2f}"]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    sizes = [int(a) for a in argv if a.isdigit()] or SIZES
    rows = [measure(n) for n in sizes]
    print(tabulate(rows, headers=["members", "db/", "audit", "1st backup s", "after 1 edit s", "after compaction s",
                                  "daily (exists)", "list s", "newest good s", "check s", "restore s"],
                   tablefmt="simple"))


if __name__ == "__main__":
    main()
