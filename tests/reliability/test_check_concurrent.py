"""``pilar check`` while another Pilar writes (issue 22): never a false "damaged", never a false restore.

The check is documented to work while the app is open. A writer process (this file run as a script)
holds the folder open as the app does and commits in a loop: single roster edits, bulk imports whose
audit entries are left for ``upkeep`` (as a payout run's are), deletions, folds of the journal (limit
lowered so they happen often), seals of the audit log (size lowered), backups, and reopenings (a close
folds, as every CLI command does). Meanwhile the real command line runs ``pilar check`` again and again
in its own process; every run must say the folder is sound.

Before the fix, 9 of 40 runs called the healthy folder damaged and advised a restore: the check read
the journal, the data files and the audit log at different moments, so a fold or an audit append between
two reads looked like lines cut from the journal or a log behind its manifest.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PILAR = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]
RUNS = int(os.environ.get("PILAR_CHECK_RUNS", "16"))


# ---------------------------------------------------------------------- the writer (subprocess)

def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def writer(path: str, seed: int, stop: str) -> None:
    import storage.core.audit as auditm
    import storage.core.db as dbm
    from storage.backup import backup_now
    from storage.core.db import Database

    dbm.JOURNAL_COMPACT_BYTES = dbm.JOURNAL_FORCE_BYTES = 32 * 1024  # folds often
    dbm.AUDIT_INLINE_ENTRIES = 40  # bigger transactions leave their audit entries to upkeep
    auditm.SEAL_BYTES = 96 * 1024  # the audit log sealed often
    rng = random.Random(seed)
    db = Database.open(path, operator="penulis")
    commits = 0
    _say("ready")
    while not os.path.exists(stop):
        op = rng.random()
        ids = [v["id"] for v in db.values("members")]
        if op < 0.45 or not ids:
            rid = rng.choice(ids) if ids and rng.random() < 0.7 else None
            value = db.get("members", rid) if rid else {"nik": f"35{rng.randrange(10 ** 14):014d}"}
            value.update(name=f"Anggota {commits}")
            with db.transaction("roster.edit") as tx:
                tx.put("members", value)
        elif op < 0.65:
            with db.transaction("roster.import") as tx:
                for _ in range(rng.randint(20, 90)):
                    if len(ids) > 600 or (ids and rng.random() < 0.4):
                        value = db.get("members", rng.choice(ids))
                        if value is None:
                            continue
                    else:
                        value = {"nik": f"35{rng.randrange(10 ** 14):014d}"}
                    value.update(name=f"Impor {commits}")
                    tx.put("members", value)
            if rng.random() < 0.6:
                db.upkeep()  # the app's idle moment: owed audit entries, then a fold when due
        elif op < 0.72 and len(ids) > 50:
            with db.transaction("roster.delete") as tx:
                tx.delete("members", rng.choice(ids), reason="pindah")
        elif op < 0.84:
            db.compact()
        elif op < 0.88:
            backup_now(db, "manual")
        else:
            db.close(fold=rng.random() < 0.5)  # the app closes (folds) or a command ends (leaves its journal)
            db = Database.open(path, operator="penulis")
        commits += 1
        _say(f"op {commits}")
        time.sleep(rng.uniform(0, 0.01))
    db.close()
    _say("stopped")


# ---------------------------------------------------------------------- the test

def _init(path: Path) -> None:
    from storage.core.db import Database

    db = Database.init(path, "UPT-PSTW-JEMBER", "UPT PSTW Jember", operator="Siti", extra={"backups_keep": 2})
    try:
        with db.transaction("roster.import") as tx:
            for i in range(150):
                tx.put("members", {"nik": f"3509{i:012d}", "name": f"Anggota awal {i}"})
    finally:
        db.close()


def check_while_writing(tmp_path: Path, runs: int, seed: int) -> tuple[list[str], int, int]:
    """(the output of every run that called the folder damaged or failed, the runs that found no quiet
    moment (exit 4, nothing said to be damaged), the writer's operations meanwhile)."""
    path = tmp_path / "data"
    _init(path)
    stop = tmp_path / "stop"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, __file__, "writer", str(path), str(seed), str(stop)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, bufsize=0)
    alarms: list[str] = []
    busy = 0
    readings: list[int] = []
    try:
        assert proc.stdout.readline() == b"ready\n", proc.communicate()[1].decode()[-2000:]
        for i in range(runs):
            # the sentence a clerk reads, and every other run the JSON a script reads (how many readings)
            as_json = i % 2 == 1
            run = subprocess.run([*PILAR, "--data", str(path), "--lang", "en", "check",
                                  *(["--format", "json"] if as_json else [])],
                                 capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
            said = run.stdout + run.stderr
            if "Traceback" in said or run.returncode not in (0, 4) or "restore it" in said.lower():
                alarms.append(f"run {i}: exit {run.returncode}\n{said}")
            elif run.returncode == 4:
                busy += 1
                assert "do NOT restore" in said, said
            if as_json and run.returncode == 0:
                readings.append(json.loads(run.stdout).get("readings", 1))
            assert proc.poll() is None, f"the writer stopped: {proc.communicate()[1].decode()[-2000:]}"
    finally:
        stop.touch()
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and out.endswith(b"stopped\n"), err.decode()[-2000:]
    ops = out.count(b"op ")
    # Quiet again: the folder is sound, and the check says so.
    run = subprocess.run([*PILAR, "--data", str(path), "--lang", "en", "check"], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    if readings:
        print(f"readings per check (JSON runs): {sorted(readings)}")
    return alarms, busy, ops


def test_check_while_another_pilar_writes_never_calls_the_folder_damaged(tmp_path):
    alarms, busy, ops = check_while_writing(tmp_path, RUNS, seed=22)
    print(f"{RUNS} checks while the writer made {ops} operations: {len(alarms)} false alarms, {busy} busy")
    assert ops > RUNS * 3, f"the writer made only {ops} operations: it did not write during the checks"
    assert alarms == [], f"{len(alarms)} of {RUNS} checks gave a false alarm:\n" + "\n".join(alarms[:3])
    assert busy <= RUNS // 4, f"{busy} of {RUNS} checks found no quiet moment to read the folder"


def test_damage_is_still_named_when_quiet_and_a_folder_that_never_stops_moving_is_not_called_damaged(
        tmp_path, monkeypatch, capsys):
    """A check whose every reading found problems while the folder moved says so (exit 4, no restore
    advice); once the folder is still, the same damage is named (exit 1) as before."""
    from storage import check
    from tui.cli import main

    path = tmp_path / "data"
    _init(path)
    # the part of the members (folder format 2) that holds her
    members = next(p for p in (path / "db").glob("members.*.json") if b"Anggota awal 7" in p.read_bytes())
    members.write_bytes(members.read_bytes().replace(b"Anggota awal 7", b"Anggota awal X"))  # checksum broken
    monkeypatch.setattr(check, "STEADY_SECONDS", 2.0)
    real = check._check_once
    readings = []

    def moving(folder):  # another Pilar writes a file of the folder during every reading
        with open(folder / "exports.jsonl", "ab") as fh:
            fh.write(b"\n")
        readings.append(1)
        return real(folder)

    monkeypatch.setattr(check, "_check_once", moving)
    assert main(["--data", str(path), "--lang", "en", "check"]) == 4
    out = capsys.readouterr().out
    assert len(readings) > 3 and f"through {len(readings)} readings" in out, out
    assert "do NOT restore" in out and "Newest good backup" not in out and members.name not in out, out
    monkeypatch.setattr(check, "_check_once", real)
    assert main(["--data", str(path), "--lang", "en", "check"]) == 1
    out = capsys.readouterr().out
    assert members.name in out and "no intact backup" in out, out


if __name__ == "__main__":
    if sys.argv[1] == "writer":
        writer(sys.argv[2], int(sys.argv[3]), sys.argv[4])
