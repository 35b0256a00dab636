"""A quarterly run killed while its journal line is written in pieces (issue 25: the line of a big
transaction is never held whole, so it goes to the disk piece by piece, after its checksum): the folder
is as before the run or as after it, never half, passes ``pilar check``, and the run made again (or
not needed again) leaves every item once, each in the audit log."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from storage.sync.engine import add_office
from tests.support.payouts import Q2_CODE, make_db, member

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 300

RUNNER = """
import os, sys, time
import storage.core.db as dbm
from storage import payouts
from storage.core.db import Database

dbm.PIECED_JOURNAL_RECORDS = 64  # this run's 300 items: its line in pieces of 8 records or entries,
dbm.RAW_BATCH = 8                # some kept from the checksum's pass, the others serialised again
dbm.KEPT_PIECE_BYTES = 16 * 1024
real = dbm.append_durable

def append_durable(path, data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        return real(path, data)

    def pieces():
        for piece in data:
            os.write(1, b"J\\n")  # the parent kills after the n-th: the line is then cut between pieces
            time.sleep(0.02)
            yield piece
    real(path, pieces())
    os.write(1, b"A\\n")  # durable: the parent may kill before the records are installed or audited
    time.sleep(0.3)

dbm.append_durable = append_durable
db = Database.open(sys.argv[1], operator="Siti")
plan, created = payouts.run_quarter(db, sys.argv[2])
os.write(1, b"saved %d\\n" % len(created))
db.close()
"""


def _state(path: Path) -> tuple[dict[str, dict], set[str], dict | None]:
    """The quarter's items, the ids the audit log names, and the run header, as a fresh open sees them."""
    from storage import payouts
    from storage.core.db import Database

    db = Database.open(path, operator="Siti")
    try:
        items = {v["id"]: v for v in payouts.items(db, Q2_CODE)}
        audited = {e["id"] for e in db.audit.lines() if e.get("action") == "payout.run" and e.get("kind") == "payout"}
        return items, audited, payouts.get_run(db, Q2_CODE)
    finally:
        db.close()


def test_a_run_killed_inside_its_journal_line_is_as_before_or_after(tmp_path):
    from storage.check import run_checks

    base = tmp_path / "base"
    db = make_db(base, [member(i, ("TAGANA", "TKSK", "PSM")[i % 3]) for i in range(MEMBERS)])
    add_office(db, "UPT-PSTW-JEMBER", "UPT PSTW Jember", kab="35.09")  # the members' office: a clean check
    db.close()
    assert run_checks(base) == []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rng = random.Random(25)
    seen = {"before": 0, "after": 0}
    pieces = None
    for round_ in range(6):
        path = tmp_path / f"r{round_}"
        shutil.copytree(base, path)
        proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(path), Q2_CODE], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=ROOT, bufsize=0)
        if pieces is None:  # the first round runs to the end: how many pieces the line is written in
            out, err = proc.communicate()
            assert proc.returncode == 0, err.decode()[-2000:]
            pieces = out.count(b"J\n")
            assert pieces > 50 and out.endswith(b"saved %d\n" % MEMBERS)
            items, audited, header = _state(path)
            after = items
            assert len(items) == MEMBERS and set(items) == audited and header["count"] == MEMBERS
            continue
        # inside the line (the last of these: before its newline's piece), or once it is durable
        stop = (rng.randint(1, pieces - 1), rng.randint(1, pieces - 1), pieces, pieces + 1, pieces + 1)[round_ - 1]
        for n in range(stop):
            expected = b"J\n" if n < pieces else b"A\n"
            assert proc.stdout.readline() == expected, proc.communicate()[1].decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        journal = (path / "db" / "journal.jsonl").read_bytes()
        assert journal.endswith(b"\n") == (stop > pieces)  # cut inside the line, or whole
        assert run_checks(path) == [], f"round {round_}: pilar check after the kill"
        items, audited, header = _state(path)
        if stop <= pieces:
            assert items == {} and audited == set() and header is None, f"round {round_}: not as before the run"
            seen["before"] += 1
        else:  # as after it: every item, each in the audit log (written by the open that replayed the line)
            assert items == after and audited == set(after) and header["count"] == MEMBERS, f"round {round_}"
            seen["after"] += 1
        # made again: the whole run, once (nothing new when it was saved)
        proc = subprocess.run([sys.executable, "-c", RUNNER, str(path), Q2_CODE], capture_output=True, env=env,
                              cwd=ROOT)
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        assert proc.stdout.endswith(b"saved %d\n" % (0 if stop > pieces else MEMBERS))
        items, audited, header = _state(path)
        assert set(items) == set(after) and set(items) == audited and header["count"] == MEMBERS
        assert {k: (v["gross"], v["net"], v["status"]) for k, v in items.items()} == \
            {k: (v["gross"], v["net"], v["status"]) for k, v in after.items()}
        assert run_checks(path) == []
    assert seen == {"before": 3, "after": 2}
