"""Sync bundles at scale: full export, import into an empty office, delta of 1,000 changed records.

A UPT folder with N synthetic members (storage.sample.generate.build_office) is enrolled at an empty
province; the UPT exports everything, the province imports it; the province sends its state back;
the UPT changes 1,000 members and sends a delta, which the province imports.
``python benchmarks/bench_sync.py [N]`` (default 100,000).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.core.db import PROVINCE_CODE, Database  # noqa: E402
from storage.office import keys as office_keys  # noqa: E402
from storage.sync import engine  # noqa: E402

UPT = "UPT-PSTW-JEMBER"
TARGETS = {"full export": 5.0, "import into empty office": 8.0, "delta export (1,000)": 1.0,
           "delta import (1,000)": 1.0}


CPU: dict[float, float] = {}


def timed(fn):
    """Run ``fn``: (result, wall seconds); the CPU seconds of this process are kept in CPU[wall]."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    wall = time.perf_counter() - t
    CPU[wall] = time.process_time() - c
    return out, wall


def phases(res) -> str:
    tm = res.timings
    return " ".join(f"{k} {tm[k]:.2f}" for k in ("verify", "merge", "backup", "write") if k in tm)


def pair(prov: Database, upt: Database, enrol: dict) -> None:
    """The province and the UPT made partners: the office list written by the province and taken by the
    UPT, the UPT set up from its enrolment, its keys trusted at the province."""
    with prov.transaction("bench.setup") as tx:
        for value in upt.values("offices"):
            tx.put("offices", dict(value), owner=PROVINCE_CODE)
    with upt.transaction("bench.setup") as tx:
        for doc in prov.raw("offices").values():
            tx.put_doc("offices", doc)
    keys = office_keys.setup_from_enrolment(upt, enrol["body"])
    store = office_keys.TrustStore.load(prov.path)
    store.set_office(office_keys.own_keys(prov), UPT, sign=keys.sign_pk, box=keys.box_pk, fp=keys.fp,
                     status=office_keys.TRUSTED)
    store.save()


def run(n: int, root: Path) -> list[list]:
    from storage.sample.generate import build_office

    prov = Database.init(root / "J", PROVINCE_CODE, "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Bench")
    office_keys.create_office_keys(prov)
    enrol = engine.add_office(prov, UPT, "UPT Jember")
    _, t_build = timed(lambda: build_office(root / "upt", n, office=UPT, operator="Bench"))
    upt = Database.open(root / "upt", operator="Bench")
    # build_office writes the office list at the UPT itself; in a real UPT it comes from the province
    # (a UPT may not write province records, and an import would rightly refuse them).
    # (written by the province itself: the UPT's replica id is bound to the UPT, and a version of it
    # naming another office is refused as a forgery)
    pair(prov, upt, enrol)
    usb = root / "usb"
    rows = []

    full, t = timed(lambda: engine.export_bundle(upt, PROVINCE_CODE, usb, mode="full"))
    rows.append(["full export", f"{sum(full.counts.values()):,} records", t, full.size])
    res, t = timed(lambda: engine.import_bundle(prov, full.path))
    rows.append(["import into empty office", f"{res.added:,} added; {phases(res)}", t, None])
    back, t = timed(lambda: engine.export_bundle(prov, UPT, usb))
    rows.append(["province full export to the UPT", f"{sum(back.counts.values()):,} records", t, back.size])
    res, t = timed(lambda: engine.import_bundle(upt, back.path))
    rows.append(["UPT import of it (nothing new)", f"{res.unchanged:,} unchanged", t, None])

    ids = list(upt.raw("members"))[: 1000]
    with upt.transaction("bench.edit") as tx:
        for rid in ids:
            value = upt.get("members", rid)
            value["phone"] = "+6281234500000"
            value["address"] = (value.get("address") or "") + " (pindah)"
            tx.put("members", value)
    delta, t = timed(lambda: engine.export_bundle(upt, PROVINCE_CODE, usb))
    rows.append(["delta export (1,000)", f"{sum(delta.counts.values()):,} records ({delta.mode})", t, delta.size])
    res, t = timed(lambda: engine.import_bundle(prov, delta.path))
    rows.append(["delta import (1,000)", f"{res.updated:,} updated; {phases(res)}", t, None])
    rows.append(["delta import without the backup", "", t - res.timings.get("backup", 0), None])
    rows.append(["delta size / full size", f"{100 * delta.size / full.size:.2f} % (target <= 5 %)", None, None])
    rows.insert(0, ["(setup) build UPT folder", f"{n:,} members", t_build, None])
    upt.close()
    prov.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv and argv[0].isdigit() else 100_000
    root = Path(tempfile.mkdtemp(prefix="pilar-bench-sync-"))
    try:
        rows = run(n, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    from tabulate import tabulate

    table = []
    for name, what, secs, size in rows:
        target = TARGETS.get(name)
        verdict = "" if target is None or secs is None else ("ok" if secs <= target else "SLOW")
        cpu = CPU.get(secs) if secs is not None else None
        table.append([name, what, "" if secs is None else f"{secs:.2f} s", "" if cpu is None else f"{cpu:.2f} s",
                      "" if target is None else f"<= {target:.0f} s", verdict,
                      "" if size is None else f"{size / 1024 / 1024:.2f} MB"])
    print(tabulate(table, headers=["step", "records", "wall", "cpu", "target", "", "bundle"]))
    try:
        load = os.getloadavg()[0]
        print(f"load average while running: {load:.1f} on {os.cpu_count()} CPUs (wall time grows with it)")
    except OSError:
        pass


if __name__ == "__main__":
    main()
