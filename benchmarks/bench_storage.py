"""Storage benchmark: Pilar's data core against TinyDB's default JSONStorage and SQLite, side by side.

For synthetic offices of 1k, 10k and 100k members (``storage.sample.generate``, the same people in all three
stores) it measures, in the same run: opening the data folder, looking a member up by NIK, saving one
edited member durably, and inserting 1,000 members in one action. Each figure is the median of
several repetitions. ``PILAR_BENCH_SIZES=1000,10000`` picks other sizes.

- Pilar: ``Database.open`` (lock, checksums, indexes), ``lookup`` + ``get``, one transaction
  (journal append + fsync), one transaction of 1,000 ``put``.
- TinyDB 4 default ``JSONStorage`` (stdlib json, whole file re-read on every query and rewritten on
  every write, no fsync: its "durable" is weaker than the other two).
- SQLite (stdlib sqlite3): ``members(id TEXT PRIMARY KEY, nik TEXT, data TEXT)`` with an index on nik,
  ``journal_mode=DELETE`` (WAL off), ``synchronous=FULL``.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tabulate import tabulate  # noqa: E402
from tinydb import Query, TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from storage.core.db import Database  # noqa: E402
from storage.sample import generate  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
BULK = 1_000
TARGETS = {"open": 1.5, "edit": 0.050, "lookup": 0.001, "edit_speedup": 20}


CPU_TIMES: dict[int, float] = {}


def _median(func: Callable[[], object], reps: int, setup: Callable[[], object] | None = None) -> float:
    """Median wall time of ``reps`` runs (the median CPU time of the last call is kept in CPU_TIMES)."""
    times, cpu = [], []
    for _ in range(reps):
        if setup:
            setup()
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        func()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    CPU_TIMES[id(func)] = statistics.median(cpu)
    return statistics.median(times)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _ratio(slow: float | None, fast: float | None) -> str:
    if not slow or not fast:
        return "—"
    ratio = slow / fast
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:,.0f}x"


def _values(n: int, seed: int) -> list[dict]:
    return list(generate.synthetic_members(n, seed=seed))


class TinyDefault:
    """The same roster in a TinyDB file with the default JSONStorage (member values, int doc ids)."""

    def __init__(self, path: Path, members: list[dict]) -> None:
        self.path = path
        path.write_text(json.dumps({"_default": {str(i): m for i, m in enumerate(members, 1)}}))

    def open(self) -> TinyDB:
        db = TinyDB(self.path, storage=JSONStorage)
        len(db)  # TinyDB reads lazily: the first access loads the file
        return db


class Sqlite:
    """The same roster in SQLite: a JSON column and an index on nik, durable commits."""

    def __init__(self, path: Path, members: list[dict]) -> None:
        self.path = path
        con = self.open()
        con.execute("CREATE TABLE members (id TEXT PRIMARY KEY, nik TEXT, data TEXT NOT NULL)")
        con.execute("CREATE INDEX members_nik ON members (nik)")
        with con:
            con.executemany("INSERT INTO members VALUES (?, ?, ?)",
                            [(m["id"], m["nik"], json.dumps(m)) for m in members])
        con.close()

    def open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path)
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con


def bench_size(work: Path, n: int) -> list[dict]:
    reps = 3 if n >= 100_000 else 5
    started = time.perf_counter()
    pilar_path = generate.build_office(work / f"pilar-{n}", n, seed=n)
    built = time.perf_counter() - started
    members = _values(n, seed=n)
    tiny = TinyDefault(work / f"tinydb-{n}.json", members)
    lite = Sqlite(work / f"sqlite-{n}.db", members)
    niks = [m["nik"] for m in members[:: max(1, n // 50)]][:50]
    extra = [m for m in _values(BULK + 200, seed=n + 7) if m["nik"] not in {x["nik"] for x in members}][:BULK]
    assert len(extra) == BULK
    del members
    rows: list[dict] = []

    def row(op: str, pilar: float | None, tinydb: float | None, sqlite: float | None) -> None:
        rows.append({"members": n, "operation": op, "pilar": pilar, "tinydb": tinydb, "sqlite": sqlite})

    # --- open
    holder: list = []

    def pilar_open() -> None:
        holder.append(Database.open(pilar_path, operator="bench"))

    def pilar_close() -> None:
        while holder:
            holder.pop().close()
        gc.collect()

    t_pilar = _median(pilar_open, reps, setup=pilar_close)
    cpu_pilar = CPU_TIMES[id(pilar_open)]
    pilar_close()
    tiny_open = tiny.open
    t_tiny = _median(tiny_open, reps)
    cpu_tiny = CPU_TIMES[id(tiny_open)]
    lite_open = lambda: lite.open().close()  # noqa: E731
    t_lite = _median(lite_open, reps)
    row("open the data folder", t_pilar, t_tiny, t_lite)
    row("open the data folder (CPU time of this process)", cpu_pilar, cpu_tiny, CPU_TIMES[id(lite_open)])

    db = Database.open(pilar_path, operator="bench")
    tdb = tiny.open()
    table = tdb.table("_default")
    con = lite.open()

    # --- lookup by NIK (a different NIK each time: TinyDB caches repeated queries)
    it = iter(niks * 10)
    t_pilar = _median(lambda: db.get("members", db.lookup("members", "nik", next(it))[0]), 30)
    it = iter(niks * 10)
    t_tiny = _median(lambda: table.search(Query().nik == next(it))[0], min(reps, 5))
    it = iter(niks * 10)
    t_lite = _median(lambda: json.loads(con.execute("SELECT data FROM members WHERE nik = ?",
                                                    (next(it),)).fetchone()[0]), 30)
    row("look up a member by NIK", t_pilar, t_tiny, t_lite)

    # --- save one edited member durably
    counter = iter(range(10**6))

    def pilar_edit() -> None:
        rid = db.lookup("members", "nik", niks[3])[0]
        value = db.get("members", rid)
        value["address"] = f"Jl. Mawar No. {next(counter)}"
        with db.transaction("bench.edit") as tx:
            tx.put("members", value)

    doc_id = table.search(Query().nik == niks[3])[0].doc_id

    def tiny_edit() -> None:
        table.update({"address": f"Jl. Mawar No. {next(counter)}"}, doc_ids=[doc_id])

    def lite_edit() -> None:
        data = json.loads(con.execute("SELECT data FROM members WHERE nik = ?", (niks[3],)).fetchone()[0])
        data["address"] = f"Jl. Mawar No. {next(counter)}"
        with con:
            con.execute("UPDATE members SET data = ? WHERE id = ?", (json.dumps(data), data["id"]))

    t_pilar = _median(pilar_edit, 20)
    t_tiny = _median(tiny_edit, reps)
    t_lite = _median(lite_edit, 20)
    row("save one edited member (durable)", t_pilar, t_tiny, t_lite)

    # --- insert 1,000 members in one action (once per store: a repeat would insert duplicates)
    def pilar_bulk() -> None:
        with db.transaction("bench.import") as tx:
            for m in extra:
                tx.put("members", m)

    t_pilar = _median(pilar_bulk, 1)
    t_tiny = _median(lambda: table.insert_multiple([dict(m) for m in extra]), 1)

    def lite_bulk() -> None:
        with con:
            con.executemany("INSERT INTO members VALUES (?, ?, ?)",
                            [(m["id"], m["nik"], json.dumps(m)) for m in extra])

    t_lite = _median(lite_bulk, 1)
    row(f"insert {BULK:,} members in one action", t_pilar, t_tiny, t_lite)

    # --- Pilar only: folding the journal into the collection file (on close, or past 8 MB of journal)
    t_compact = _median(db.compact, 1)
    row("fold journal into members.json (Pilar only, on close)", t_compact, None, None)
    row("build the folder (generator, Pilar only)", built, None, None)
    db.close()
    con.close()
    tdb.close()
    return rows


def machine() -> list[tuple[str, str]]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    ram = "?"
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    disk = "?"
    try:
        out = subprocess.run(["df", "-hT", tempfile.gettempdir()], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[-1].split()
        disk = f"{out[0]} ({out[1]}, {out[2]}) at {tempfile.gettempdir()}"
    except (OSError, IndexError, subprocess.SubprocessError):
        pass
    try:
        one, five, fifteen = os.getloadavg()
        load = f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) when the table was printed"
    except OSError:
        load = "?"
    return [("CPUs (nproc)", str(os.cpu_count())), ("CPU", cpu), ("RAM", ram),
            ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("OS", platform.platform()), ("Disk", disk), ("Load", load)]


def verdicts(rows: list[dict]) -> list[str]:
    top = max(r["members"] for r in rows)
    at = {r["operation"]: r for r in rows if r["members"] == top}
    opened = at["open the data folder"]["pilar"]
    lookup = at["look up a member by NIK"]["pilar"]
    edit = at["save one edited member (durable)"]
    speedup = edit["tinydb"] / edit["pilar"]

    def say(name: str, ok: bool, detail: str) -> str:
        return f"{'MET   ' if ok else 'MISSED'} {name}: {detail}"

    return [
        f"Targets at {top:,} members:",
        say("open <= 1.5 s", opened <= TARGETS["open"],
            f"{_fmt(opened)}" + ("" if opened <= TARGETS["open"] else f" ({opened / TARGETS['open']:.2f}x the target)")),
        say("one edit saved durably <= 50 ms", edit["pilar"] <= TARGETS["edit"], _fmt(edit["pilar"])),
        say(">= 20x faster than default TinyDB", speedup >= TARGETS["edit_speedup"],
            f"{speedup:,.0f}x ({_fmt(edit['tinydb'])} vs {_fmt(edit['pilar'])})"),
        say("NIK lookup <= 1 ms", lookup <= TARGETS["lookup"], _fmt(lookup)),
    ]


def main() -> None:
    sizes = tuple(int(s) for s in os.environ.get("PILAR_BENCH_SIZES", "").split(",") if s) or SIZES
    work = Path(tempfile.mkdtemp(prefix="pilar-bench-"))
    rows: list[dict] = []
    try:
        for n in sizes:
            print(f"... {n:,} members", file=sys.stderr, flush=True)
            rows.extend(bench_size(work, n))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = [[f"{r['members']:,}", r["operation"], _fmt(r["pilar"]), _fmt(r["tinydb"]), _fmt(r["sqlite"]),
              _ratio(r["tinydb"], r["pilar"])] for r in rows]
    print(tabulate(machine(), tablefmt="plain"))
    print()
    print(tabulate(table, headers=["members", "operation", "Pilar", "TinyDB default", "SQLite",
                                   "TinyDB / Pilar"], tablefmt="github"))
    print()
    print("\n".join(verdicts(rows)))


if __name__ == "__main__":
    main()
