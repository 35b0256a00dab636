"""Issue 25: the Ringkasan's figures kept with the folder file by file (db/summary.idx, storage/core/tally.py),
recounted by each fold for the files it rewrites, and brought up to date at start from the journal's records
since: the same figures as a full count of the opened folder, whatever was changed, left in the journal,
folded, or folded by an older Pilar that drops the tallies from the manifest."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest

from storage import summary
from storage.core import formats, tally
from storage.core.db import PROVINCE_CODE, Database
from storage.sample.generate import build_office
from tests.support.payouts import member

ROOT = Path(__file__).resolve().parents[3]
# main before the tallies (issue 25, 7 December 2026): a 0.3.0 that knows the NIK index and not them
BEFORE_TALLIES = "2cf2276"


def figures(s: dict | None) -> dict | None:
    """What the screen shows: everything but the timings and where it was counted from."""
    if s is None:
        return None
    return {k: v for k, v in s.items() if k not in ("timings", "source")}


def full(path: Path) -> dict:
    db = Database.open(path, read_only=True)
    try:
        return summary.compute(db, waiting=False)
    finally:
        db.close()


def recorded(path: Path) -> int | None:
    return (orjson.loads((path / "db" / "manifest.json").read_bytes()).get("indexes") or {}).get(tally.KEY)


def item(i: int, quarter: str, status: str, kab: str, gross: int, office: str = "UPT-PSTW-JEMBER") -> dict:
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tally-item-{i}")), "quarter": quarter, "status": status,
            "kab": kab, "gross": gross, "net": gross - gross // 20, "office": office, "member_id": f"m{i}"}


@pytest.fixture
def prov(tmp_path):
    path = build_office(tmp_path / "p", 400, seed=3)
    db = Database.open(path, operator="Siti")
    with db.transaction("test") as tx:
        for i in range(120):
            tx.put("payouts_2026", item(i, f"2026-Q{1 + i % 3}", ("draft", "approved", "paid", "returned", "void")[i % 5],
                                        ("35.09", "35.78", "35.07")[i % 3], 600_000 + 100_000 * (i % 4)),
                   owner=PROVINCE_CODE)
    db.close()
    return path


def edit_at_random(db: Database, rng: random.Random, n: int) -> None:
    """Members changed (status, pillar, kab, NIK taken from another, deleted, added) and payout items moved."""
    ids = sorted(v["id"] for v in db.values("members"))
    items = sorted(v["id"] for v in db.values("payouts_2026"))
    with db.transaction("test") as tx:
        for _ in range(n):
            what = rng.randrange(6)
            if what == 0:
                value = db.get("members", rng.choice(ids))
                if value and value["assignments"]:
                    a = value["assignments"][0]
                    a["status"] = "INACTIVE" if a["status"] == "ACTIVE" else "ACTIVE"
                    tx.put("members", value)
            elif what == 1:
                value = db.get("members", rng.choice(ids))
                if value and value["assignments"]:
                    value["assignments"][0]["pillar"] = rng.choice(["TKSK", "TAGANA", "PSM", "PKH_PLUS"])
                    value["assignments"][0]["area_kab"] = rng.choice(["35.09", "35.78", "35.07", ""])
                    tx.put("members", value)
            elif what == 2:  # a NIK given to a second member (a duplicate case), or back to its own
                a, b = db.get("members", rng.choice(ids)), db.get("members", rng.choice(ids))
                if a and b and a["id"] != b["id"]:
                    tx.put("members", dict(b, nik=a["nik"]))
            elif what == 3:
                rid = rng.choice(ids)
                if db.get("members", rid):
                    tx.delete("members", rid, reason="test")
            elif what == 4:
                value = member(10_000 + rng.randrange(10**6), pillar=rng.choice(["TKSK", "TAGANA"]),
                               kab=rng.choice(["35.09", "35.78"]))
                tx.put("members", value, owner="UPT-PSTW-JEMBER")
                ids.append(value["id"])
            else:
                value = db.get("payouts_2026", rng.choice(items))
                value["status"] = rng.choice(["draft", "approved", "paid", "returned", "void"])
                tx.put("payouts_2026", value)


def test_the_tallies_give_the_full_counts_figures_with_the_journal_and_after_each_fold(prov):
    assert figures(summary.current_at_start(prov)) == figures(full(prov))
    rng = random.Random(25)
    for round_ in range(6):
        db = Database.open(prov, operator="Siti")
        edit_at_random(db, rng, 15)
        if round_ % 3 == 2:
            edit_at_random(db, rng, 5)  # two transactions, the same records changed twice
        db.close(fold=round_ % 2 == 0)  # a command leaves its journal; the app folds
        journal = (prov / "db" / "journal.jsonl").stat().st_size
        assert (journal == 0) == (round_ % 2 == 0)
        now = full(prov)
        assert figures(summary.current_at_start(prov)) == figures(now), round_
    assert now["cases"]["duplicates"] > 0  # the NIKs given away made duplicate cases
    # the tallies a fold kept file by file are those a count of every file gives
    Database.open(prov, operator="Siti").close()  # the last round's journal folded
    kept = tally.read(prov / "db", recorded(prov), formats.FOLDER.current, PROVINCE_CODE)
    (prov / "db" / tally.FILE).unlink()
    db = Database.open(prov, operator="Siti")
    db.close()  # nothing to fold but the tallies owed: every file counted
    again = tally.read(prov / "db", recorded(prov), formats.FOLDER.current, PROVINCE_CODE)
    assert again["files"] == kept["files"] and again["dups"] == kept["dups"]


def test_a_conflict_is_counted_and_a_fold_rewrites_only_what_changed(prov):
    db = Database.open(prov, operator="Siti")
    rid = next(iter(sorted(v["id"] for v in db.values("members"))))
    doc = db.doc("members", rid)
    other = dict(doc["v"][0], dot=["other-replica", 1], office="UPT-PSTW-JEMBER", vv={"other-replica": 1},
                 data=dict(doc["v"][0]["data"], address="Jl. Lain 2"))
    with db.transaction("sync.import", system=True) as tx:
        tx.put_doc("members", dict(doc, v=[*doc["v"], other]))
    db.close(fold=False)
    shown = summary.current_at_start(prov)
    assert shown["cases"]["conflicts"] == 1 == full(prov)["cases"]["conflicts"]
    before = (prov / "db" / tally.FILE).read_bytes()
    db = Database.open(prov, operator="Siti")
    db.close()
    after = orjson.loads((prov / "db" / tally.FILE).read_bytes().split(b"\n")[1])
    was = orjson.loads(before.split(b"\n")[1])
    changed = {n for n in after["files"] if after["files"][n] != was["files"].get(n)}
    assert changed == {db.part_of("members", rid)}


def test_missing_stale_or_damaged_tallies_are_not_used_and_the_next_fold_writes_them(prov):
    path = prov / "db" / tally.FILE
    good = path.read_bytes()
    path.write_bytes(good.replace(b'"active":', b'"active":1', 1))  # damaged: its checksum says so
    assert summary.current_at_start(prov) is None
    path.unlink()
    assert summary.current_at_start(prov) is None
    # a command (which leaves its journal) writes the tallies owed when it closes
    db = Database.open(prov, operator="Siti")
    with db.transaction("test") as tx:
        tx.put("members", dict(next(iter(db.values("members"))), address="Jl. Baru 1"))
    db.close(fold=False)
    assert recorded(prov) is not None
    assert figures(summary.current_at_start(prov)) == figures(full(prov))
    # stale: the file of another fold than the one the manifest records
    head, _, rest = path.read_bytes().partition(b"\n")
    path.write_bytes(orjson.dumps(dict(orjson.loads(head), seq=recorded(prov) - 1)) + b"\n" + rest)
    assert summary.current_at_start(prov) is None


def _tree_before_tallies(dest: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", BEFORE_TALLIES, "storage"],
                         capture_output=True)
    if tar.returncode != 0:
        return None
    dest.mkdir()
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)
    return dest


OLD_EDIT = """
import sys
from storage.core.db import Database
db = Database.open(sys.argv[1], operator="Lama")
value = sorted(db.values("members"), key=lambda v: v["id"])[0]
a = dict(value["assignments"][0], status="INACTIVE")
with db.transaction("old.edit") as tx:
    tx.put("members", dict(value, assignments=[a, *value["assignments"][1:]]))
db.close()
"""


def test_a_fold_by_a_pilar_without_tallies_drops_them_and_the_figures_stay_right(prov, tmp_path):
    """0.3.0 before the tallies rewrites the manifest with the indexes it knows: the tallies it did not
    keep up to date are then missing, not wrong; this Pilar counts from the folder and writes them again."""
    tree = _tree_before_tallies(tmp_path / "old")
    if tree is None:
        pytest.skip(f"the source of {BEFORE_TALLIES} is not in this clone's history")
    assert recorded(prov) is not None
    env = dict(os.environ, PYTHONPATH=str(tree))
    run = subprocess.run([sys.executable, "-c", OLD_EDIT, str(prov)], env=env, capture_output=True, text=True,
                         cwd=str(tree))
    assert run.returncode == 0, run.stderr
    assert recorded(prov) is None and (prov / "db" / tally.FILE).exists()  # the file is left, not recorded
    assert summary.current_at_start(prov) is None
    db = Database.open(prov, operator="Siti")
    db.close()
    assert recorded(prov) is not None
    assert figures(summary.current_at_start(prov)) == figures(full(prov))


def test_a_folder_of_the_first_release_is_counted_once_migrated_then_from_its_tallies(tmp_path):
    """0.1.0's folder (format 1, no tallies): nothing from the tallies before the migration (the app counts
    from the opened folder); the migrating open's close writes them, and from then on they give the figures."""
    from storage.backup.upgrade import open_folder

    folder = tmp_path / "JATIM"
    shutil.copytree(ROOT / "tests" / "fixtures" / "releases" / "0.1.0" / "JATIM", folder)
    assert summary.current_at_start(folder) is None
    db = open_folder(folder)
    counted = summary.compute(db, waiting=False)
    db.close()
    assert recorded(folder) is not None
    assert figures(summary.current_at_start(folder)) == figures(counted) == figures(full(folder))


def test_a_year_of_payouts_first_written_since_the_fold_is_counted_from_the_journal(prov):
    db = Database.open(prov, operator="Siti")
    with db.transaction("test") as tx:
        for i in range(7):
            tx.put("payouts_2027", item(500 + i, "2027-Q1", "paid", "35.09", 700_000), owner=PROVINCE_CODE)
    db.close(fold=False)
    assert not list((prov / "db").glob("payouts_2027*.json"))  # in the journal only
    shown = summary.current_at_start(prov)
    assert shown["payouts"][-1]["quarter"] == "2027-Q1" and shown["payouts"][-1]["paid_items"] == 7
    assert figures(shown) == figures(full(prov))
