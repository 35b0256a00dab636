"""Fault injection: os.write / os.fsync / os.replace fail (ENOSPC, EACCES, EIO) at each step of a
commit, a compaction, a backup and a restore. Afterwards the folder holds the old or the new state,
never a mix, ``pilar check`` is clean, and the user got one clear sentence in Indonesian and English.
Also: a read-only folder and permission denied for real (a non-root subprocess), a USB stick pulled
out during an export, two processes on one folder, a stale lock, formula neutralisation."""

from __future__ import annotations

import csv
import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest

from storage import backup as backups
from storage.check import run_checks
from storage.core import i18n
from storage.core.db import Database, read_lock_info
from storage.core.errors import LockedError, PilarError
from storage.printing import tables as export

ROOT = Path(__file__).resolve().parents[2]

# What the user reads for each error, in both languages (one sentence naming what to do).
EXPECTED = {
    errno.ENOSPC: ("fs.disk_full", "Disk penuh", "The disk is full"),
    errno.EACCES: ("fs.permission", "Tidak ada izin menulis", "No permission to write"),
    errno.EIO: ("fs.io_error", "Gagal membaca/menulis", "Could not read or write"),
}


class Fault:
    """Make the ``at``-th call of ``os.<func>`` on a file under ``root`` fail with ``err``.

    A failing write first writes half of its bytes, as a disk that fills up mid-write does.
    """

    def __init__(self, func: str, err: int, at: int, root: Path) -> None:
        self.func, self.err, self.at, self.root = func, err, at, str(root)
        self.calls = 0
        self.fired = False
        self.real = getattr(os, func)

    def _ours(self, args) -> bool:
        if self.func == "replace":
            return str(args[1]).startswith(self.root)
        try:
            return os.readlink(f"/proc/self/fd/{args[0]}").startswith(self.root)
        except OSError:
            return False

    def __call__(self, *args, **kwargs):
        if not self._ours(args):
            return self.real(*args, **kwargs)
        self.calls += 1
        if self.calls == self.at:
            self.fired = True
            if self.func == "write":
                data = bytes(args[1])
                if len(data) > 1:
                    self.real(args[0], data[: len(data) // 2])
            raise OSError(self.err, os.strerror(self.err))
        return self.real(*args, **kwargs)

    @contextmanager
    def installed(self):
        setattr(os, self.func, self)
        try:
            yield self
        finally:
            setattr(os, self.func, self.real)


def make_folder(path: Path) -> None:
    db = Database.init(path, "UPT-F", "UPT F", operator="Siti")
    with db.transaction("seed") as tx:
        for i in range(5):
            tx.put("members", {"name": f"Anggota {i}", "nik": f"35780141{i:08d}"})
        tx.put("events", {"name": "Rapat"})
    db.compact()
    ids = sorted(db.raw("members"))
    with db.transaction("edit") as tx:
        tx.put("members", dict(db.get("members", ids[0]), name="Ubah"))
    db.close()
    db = Database.open(path, operator="Siti")
    with db.transaction("edit2") as tx:  # left in the journal
        tx.put("members", dict(db.get("members", ids[1]), name="Ubah 2"))
    db._release_lock()


def state(path: Path) -> dict:
    db = Database.open(path, read_only=True)
    try:
        return {c: {v["id"]: {k: x for k, x in v.items()} for v in db.values(c)} for c in db.collections()}
    finally:
        db.close()


def do_commit(db: Database) -> None:
    ids = sorted(db.raw("members"))
    with db.transaction("roster.import") as tx:
        tx.put("members", {"id": "00000000-0000-4000-8000-000000000001", "name": "Baru 1", "nik": "3578019999000001"})
        tx.put("members", {"id": "00000000-0000-4000-8000-000000000002", "name": "Baru 2", "nik": "3578019999000002"})
        tx.put("members", dict(db.get("members", ids[2]), name="Ubah 3"))
        tx.delete("members", ids[3])


def do_compact(db: Database) -> None:
    db.compact()


def do_backup(db: Database) -> None:
    backups.backup_now(db, "import")


OPERATIONS = {"commit": do_commit, "compaction": do_compact, "backup": do_backup}


def _check_message(err: PilarError, code: int) -> None:
    key, ind, eng = EXPECTED[code]
    text_id = str(err)
    i18n.set_lang("en")
    try:
        text_en = str(err)
    finally:
        i18n.set_lang("id")
    if err.key.startswith("backup."):
        assert err.key == "backup.failed"
        assert "Cadangan tidak dapat dibuat" in text_id and "The backup could not be made" in text_en
    else:
        assert err.key == key
    assert ind in text_id and eng in text_en, (text_id, text_en)
    assert "\n" not in text_id and "Traceback" not in text_id


@pytest.mark.parametrize("func", ["write", "fsync", "replace"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EIO])
@pytest.mark.parametrize("op", list(OPERATIONS))
def test_fault_leaves_old_or_new_state(tmp_path, op, code, func):
    if op == "commit" and func == "replace":
        pytest.skip("a commit appends to the journal and renames nothing")
    template = tmp_path / "template"
    make_folder(template)
    old = state(template)
    done = tmp_path / "done"
    shutil.copytree(template, done)
    db = Database.open(done, operator="Siti")
    OPERATIONS[op](db)
    db.close()
    new = state(done)
    if op == "commit":
        assert new != old
    fired = 0
    for at in range(1, 60):
        run = tmp_path / f"run{at}"
        shutil.copytree(template, run)
        before_backups = {b.name for b in backups.list_backups(run)}
        db = Database.open(run, operator="Siti")
        fault = Fault(func, code, at, run)
        error = None
        with fault.installed():
            try:
                OPERATIONS[op](db)
            except PilarError as exc:
                error = exc
        if not fault.fired:
            db.close()
            break
        fired += 1
        if error is not None:
            _check_message(error, code)
        # the app carries on and is closed normally (a later compaction may now succeed)
        db.close()
        after = state(run)
        assert after in (old, new), f"{op}: a mix after {func} #{at} failed"
        if op == "commit" and error is not None:
            assert after == old, f"commit reported failure after {func} #{at} but was saved"
        problems = run_checks(run)
        assert problems == [], f"{op}: {func} #{at} left damage: {problems}"
        if op == "backup":
            now = {b.name for b in backups.list_backups(run)}
            assert error is not None
            assert now == before_backups, "a failed backup must not look complete"
            assert not any(p.name.startswith(".tmp-") for p in (run / "backups").iterdir())
        shutil.rmtree(run)
    else:
        pytest.fail("the operation never finished")
    assert fired >= 1


@pytest.mark.parametrize("func", ["write", "fsync", "replace"])
def test_fault_during_restore(tmp_path, func):
    data = tmp_path / "template"
    make_folder(data)
    db = Database.open(data, operator="Siti")
    good = backups.backup_now(db, "manual")
    with db.transaction("later") as tx:
        tx.put("members", {"name": "Sesudah"})
    db.close()
    old = state(data)
    restored = state(good.path)
    for at in range(1, 400):
        run = tmp_path / f"run{at}"
        shutil.copytree(data, run)
        fault = Fault(func, errno.EIO, at, run)
        error = None
        with fault.installed():
            try:
                backups.restore(run, good.name)
            except PilarError as exc:
                error = exc
        if not fault.fired:
            assert error is None
            break
        if error is None:
            assert state(run) == restored
        else:
            assert "\n" not in str(error)
            problems = run_checks(run)
            if problems:  # cut short mid-swap: check says so and naming the backup; rerunning finishes it
                assert any(good.name in p for p in problems), problems
                backups.restore(run, good.name)
                assert state(run) == restored and run_checks(run) == []
            else:
                assert state(run) in (old, restored)
        shutil.rmtree(run)
    else:
        pytest.fail("restore never finished")


# ---------------------------------------------------------------------- export to a pulled stick

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("func", ["write", "fsync", "replace"])
def test_usb_stick_pulled_out_during_export(tmp_path, kind, func):
    stick = tmp_path / "stick"
    stick.mkdir()
    dest = stick / f"daftar.{kind}"
    dest.write_bytes(b"ekspor lama")
    rows = [[f"Anggota {i}", "=HYPERLINK(\"x\")", i] for i in range(2000)]
    fault = Fault(func, errno.EIO, 1, stick)
    with fault.installed(), pytest.raises(PilarError) as err:
        if kind == "csv":
            export.write_csv(dest, ["Nama", "Catatan", "No"], rows)
        else:
            export.write_xlsx(dest, [("Anggota", ["Nama", "Catatan", "No"], rows)])
    assert err.value.key == "fs.io_error" and str(dest) in str(err.value)
    assert dest.read_bytes() == b"ekspor lama"  # the previous export is intact
    assert sorted(p.name for p in stick.iterdir()) == [dest.name]  # no half-written file left


def test_export_to_full_stick_leaves_no_new_file(tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    dest = stick / "daftar.csv"
    with Fault("write", errno.ENOSPC, 1, stick).installed(), pytest.raises(PilarError) as err:
        export.write_csv(dest, ["Nama"], [["A"]] * 100)
    assert err.value.key == "fs.disk_full"
    assert list(stick.iterdir()) == []


# ---------------------------------------------------------------------- real permissions

def _as_nobody(func) -> str:
    """Run ``func`` in a forked child as the unprivileged user 65534 (CI runs as root, and root
    ignores permissions); returns what it returned or the exception it raised, as text."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.close(r)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            out = func()
        except PilarError as exc:
            out = f"PilarError {exc.key}: {exc}"
        except BaseException as exc:
            out = f"CRASH {type(exc).__name__}: {exc}"
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX permissions")
@pytest.mark.parametrize("mode", ["permission_denied", "read_only_folder"])
def test_read_only_folder_and_permission_denied_for_real(tmp_path, mode):
    # pytest's tmp_path sits in a folder only root may enter: use a world-searchable one.
    base = Path(tempfile.mkdtemp(prefix="pilar-perm-"))
    try:
        _permissions_for_real(base, mode)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _permissions_for_real(base: Path, mode: str) -> None:
    base.chmod(0o755)
    data = base / "data"
    make_folder(data)
    Database.open(data).close()
    b = backups.snapshot(data, "manual")
    old = state(data)
    if mode == "read_only_folder":
        for p in [data, *data.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
    else:  # owned by root, not writable by others (the default umask)
        for p in [data, *data.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)

    def write():
        db = Database.open(data, operator="Nobody")
        with db.transaction("x") as tx:
            tx.put("members", {"name": "Tidak boleh"})
        db.close()
        return "WROTE"

    def restore():
        backups.restore(data, b.name, operator="Nobody")
        return "RESTORED"

    def read():
        db = Database.open(data, read_only=True)
        n = db.count("members")
        db.close()
        return f"READ {n}"

    try:
        for func in (write, restore):
            out = _as_nobody(func)
            assert out.startswith("PilarError fs.permission:"), out
            assert "Tidak ada izin menulis" in out and "data lama tidak berubah" in out
        assert _as_nobody(read) == f"READ {len(old['members'])}"  # reading still works
    finally:
        for p in [data, *data.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    assert state(data) == old and run_checks(data) == []


def test_read_only_media_message(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    db = Database.open(data, operator="Siti")
    with Fault("write", errno.EROFS, 1, data).installed(), pytest.raises(PilarError) as err:
        do_commit(db)
    db.close()
    assert err.value.key == "fs.read_only"
    assert "hanya-baca" in str(err.value) and "read-only" in i18n.t(err.value.key, lang="en", **err.value.params)


# ---------------------------------------------------------------------- two processes, stale lock

HOLDER = """
import sys, time
from storage.core.db import Database
db = Database.open(sys.argv[1], operator=sys.argv[2])
with db.transaction("holder") as tx:
    tx.put("members", {"name": "Dari " + sys.argv[2]})
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
db.close()
print("done", flush=True)
"""


def _start_holder(data: Path, who: str, hold: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOLDER, str(data), who, str(hold)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_second_process_is_refused_with_the_holders_name(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    Database.open(data).close()
    holder = _start_holder(data, "Budi", 30)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(LockedError) as err:
            Database.open(data, operator="Siti")
        text = str(err.value)
        assert "Budi" in text and str(holder.pid) in text and "Tutup Pilar yang itu dulu" in text
        # reading is still allowed, writing through a read-only open is refused
        ro = Database.open(data, read_only=True)
        with pytest.raises(PilarError):
            ro.transaction("x")
        ro.close()
    finally:
        holder.kill()
        holder.wait()


def test_exactly_one_of_two_writers_writes(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    Database.open(data).close()
    before = len(state(data)["members"])
    procs = [_start_holder(data, who, 2) for who in ("Ani", "Budi")]
    results = [p.communicate(timeout=60) for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 1], (codes, results)
    loser = results[codes.index(1)][1]
    winner = ("Ani", "Budi")[codes.index(0)]
    assert "LockedError" in loser and winner in loser
    members = state(data)["members"]
    assert len(members) == before + 1
    assert [v["name"] for v in members.values() if v["name"].startswith("Dari ")] == [f"Dari {winner}"]


def test_stale_lock_of_a_killed_process_is_cleared(tmp_path):
    data = tmp_path / "data"
    make_folder(data)
    Database.open(data).close()
    holder = _start_holder(data, "Budi", 60)
    assert holder.stdout.readline().strip() == "ready"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert read_lock_info(data)["pid"] == holder.pid  # lock.json still names the dead process
    db = Database.open(data, operator="Siti")
    try:
        assert read_lock_info(data)["pid"] == os.getpid()
        assert any(v["name"] == "Dari Budi" for v in db.values("members"))  # its confirmed write survived
    finally:
        db.close()
    assert not (data / "lock.json").exists()
    assert run_checks(data) == []


# ---------------------------------------------------------------------- formula neutralisation

DANGEROUS = ["=1+1", "+6281234", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","klik")']


def test_csv_export_neutralises_formulas():
    raw = export.csv_bytes(["Nama", "=Kepala"], [[d, 5, -7, "Siti"] for d in DANGEROUS])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    assert rows[0] == ["Nama", "'=Kepala"]
    for row, d in zip(rows[1:], DANGEROUS, strict=True):
        assert row[0] == "'" + d
        assert row[1:] == ["5", "-7", "Siti"]  # numbers stay numbers
    for row in rows:
        for cell in row[:1]:
            assert not cell.startswith(export.FORMULA_START)


def test_xlsx_export_neutralises_formulas(tmp_path):
    path = tmp_path / "daftar.xlsx"
    export.write_xlsx(path, [("Anggota", ["Nama", "=Kepala"], [[d, 5, -7] for d in DANGEROUS])])
    wb = openpyxl.load_workbook(path)
    ws = wb["Anggota"]
    assert ws["B1"].value == "'=Kepala"
    for i, d in enumerate(DANGEROUS, start=2):
        cell = ws.cell(row=i, column=1)
        # (XML turns a carriage return into a line feed; what matters is the leading apostrophe)
        assert cell.value == "'" + d.replace("\r", "\n") and cell.data_type == "s"
        assert ws.cell(row=i, column=2).value == 5 and ws.cell(row=i, column=3).value == -7
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"

