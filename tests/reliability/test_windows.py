"""Windows hazards, each simulated on any system (issue 21): output in cp1252, renames refused while
another program holds the file, the private key protected for the Windows user, drive letters, and a
PC clock that fell years behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import orjson
import pytest

from storage.backup.upgrade import open_folder
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import replace_file
from storage.office import keyguard
from storage.office import keys as office_keys
from storage.sync import bundle, engine, windrives
from tests.support.network import make_network
from tui.cli import console

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "releases" / "0.1.0"


# ---------------------------------------------------------------------- console output in cp1252

def test_plain_characters_for_what_cp1252_lacks():
    assert console.plain("┌─┬─┐ │ └─┴─┘ → ⚠ …") == "+-+-+ | +-+-+ -> ! ..."
    assert console.plain("Kota Surabaya · 1.539") == "Kota Surabaya . 1.539"
    assert "┼".encode("cp1252", errors=console.ERRORS) == b"+"
    assert "é ─".encode("cp1252", errors=console.ERRORS) == "é -".encode("cp1252")


@pytest.mark.parametrize("command", [["report", "summary"], ["report", "rekap"], ["--help"]])
def test_output_to_a_file_in_cp1252_is_written_not_a_traceback(tmp_path, command):
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONIOENCODING="cp1252", PILAR_LANG="id")
    init = subprocess.run([sys.executable, "-m", "tui.cli", "--data", str(data), "init", "--sample"], env=env,
                          cwd=ROOT, capture_output=True)
    assert init.returncode == 0, init.stderr
    out = tmp_path / "f.txt"
    with open(out, "wb") as fh:  # `pilar report summary > f.txt`
        run = subprocess.run([sys.executable, "-m", "tui.cli", "--data", str(data), *command], env=env, cwd=ROOT,
                             stdout=fh, stderr=subprocess.PIPE)
    assert run.returncode == 0 and b"Traceback" not in run.stderr, run.stderr.decode("cp1252", "replace")
    text = out.read_bytes().decode("cp1252")  # every byte is cp1252
    assert len(text) > 100
    if command[0] == "report":
        assert "+-" in text and "|" in text  # the table's lines, in plain characters


# ---------------------------------------------------------------------- renames while a file is held open

def _sharing_violation(path) -> PermissionError:
    exc = PermissionError(13, "The process cannot access the file because it is being used by another process",
                          str(path))
    exc.winerror = 32  # what Windows sets (ERROR_SHARING_VIOLATION)
    return exc


@pytest.fixture
def held(monkeypatch):
    """os.replace refuses the first ``n[name]`` renames onto a file of that name, as Windows does while
    the antivirus or a reader holds it open."""
    real = os.replace
    n: dict[str, int] = {}

    def replace(src, dst, *a, **k):
        name = Path(dst).name
        if n.get(name, 0) > 0:
            n[name] -= 1
            raise _sharing_violation(dst)
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr("storage.core.fsutil.RENAME_DELAYS", (0.001,) * 9)
    return n


def test_a_rename_is_retried_while_the_file_is_held_and_the_journal_is_folded(tmp_path, held):
    db = Database.init(tmp_path / "d", "UPT-A", "UPT A", operator="Siti")
    with db.transaction("t") as tx:
        rid = tx.put("members", {"name": "Siti Aminah", "nik": "3578014107850001"})
    part = db.part_of("members", rid) + ".json"  # the part of the members that holds her
    held[part] = 3
    held["manifest.json"] = 2
    db.compact()
    assert held == {part: 0, "manifest.json": 0}
    assert db.journal_path.read_bytes() == b""  # folded
    db.close()
    db = Database.open(tmp_path / "d", read_only=True)
    assert db.get("members", rid)["name"] == "Siti Aminah"


def test_held_past_the_retries_the_change_waits_in_the_journal_and_folds_later(tmp_path, held):
    db = Database.init(tmp_path / "d", "UPT-A", "UPT A", operator="Siti")
    with db.transaction("t") as tx:
        rid = tx.put("members", {"name": "Budi", "nik": "3578020203800002"})
    part = db.part_of("members", rid) + ".json"
    held[part] = 100
    with pytest.raises(PilarError) as err:
        db.compact()
    # the change is saved (its journal line): the sentence says so (issue 22) and names the held file
    assert err.value.key == "saved.but" and err.value.cause.key == "fs.permission"
    assert db.journal_path.stat().st_size > 0  # nothing lost
    held[part] = 0  # the other program let go
    db.compact()
    assert db.journal_path.read_bytes() == b""
    db.close()
    assert Database.open(tmp_path / "d", read_only=True).get("members", rid)["name"] == "Budi"


def test_a_real_permission_error_is_not_retried_on_posix(tmp_path, monkeypatch):
    calls = []

    def replace(src, dst):
        calls.append(dst)
        raise PermissionError(13, "denied", str(dst))

    monkeypatch.setattr(os, "replace", replace)
    if os.name != "nt":
        with pytest.raises(PermissionError):
            replace_file(tmp_path / "a", tmp_path / "b")
        assert len(calls) == 1


# ---------------------------------------------------------------------- the private key on Windows

class FakeDpapi(types.ModuleType):
    """win32crypt as far as Pilar uses it: data sealed for the Windows user logged in."""

    def __init__(self) -> None:
        super().__init__("win32crypt")
        self.user = "siti"

    def CryptProtectData(self, data, description, entropy, reserved, prompt, flags):  # noqa: N802
        return self.user.encode() + b"|" + bytes(b ^ 0x5A for b in data)

    def CryptUnprotectData(self, blob, entropy, reserved, prompt, flags):  # noqa: N802
        user, _, sealed = blob.partition(b"|")
        if user.decode() != self.user:
            raise OSError("(-2146893813, 'CryptUnprotectData', 'Key not valid for use in specified state.')")
        return "Pilar office key", bytes(b ^ 0x5A for b in sealed)


@pytest.fixture
def windows_keys(monkeypatch):
    fake = FakeDpapi()
    monkeypatch.setitem(sys.modules, "win32crypt", fake)
    monkeypatch.setattr(keyguard, "wanted", lambda: True)
    return fake


def test_on_windows_the_key_file_is_sealed_for_the_user_and_sync_works(tmp_path, windows_keys):
    paths = make_network(tmp_path, upts=("UPT-A",))
    for path in paths.values():
        stored = orjson.loads((path / "keys" / office_keys.KEY_FILE).read_bytes())
        assert stored["protect"] == keyguard.PROTECTION and "sign_seed" not in str(stored)
        assert b"sign_seed" not in (path / "keys" / office_keys.KEY_FILE).read_bytes()
    prov = Database.open(paths["JATIM"], operator="Siti")
    upt = Database.open(paths["UPT-A"], operator="Budi")
    try:
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "out")
        assert not engine.import_bundle(upt, out.path).refused
        # Another Windows user (or the folder copied to another PC) cannot use the key.
        windows_keys.user = "tamu"
        with pytest.raises(PilarError) as err:
            engine.export_bundle(upt, "JATIM", tmp_path / "out2")
        assert err.value.key == "sync.keys_other_user" and "akun Windows" in str(err.value)
    finally:
        prov.close()
        upt.close()


def test_a_key_written_before_on_windows_is_sealed_when_next_used(tmp_path, windows_keys):
    shutil.copytree(FIXTURE, tmp_path / "old")
    key = tmp_path / "old" / "UPT-A" / "keys" / office_keys.KEY_FILE
    assert b"sign_seed" in key.read_bytes()  # 0.1.0 wrote it in clear
    keys = office_keys.load_own(tmp_path / "old" / "UPT-A")
    assert keys is not None and b"sign_seed" not in key.read_bytes()
    assert office_keys.load_own(tmp_path / "old" / "UPT-A").fp == keys.fp


# ---------------------------------------------------------------------- drive letters

class FakeProbe(windrives.Probe):
    def __init__(self, infos):
        self.infos = {i.letter: i for i in infos}

    def letters(self):
        return sorted(self.infos)

    def info(self, letter):
        return self.infos[letter]


def test_only_drives_with_a_medium_and_usb_disks_that_say_fixed():
    R, F = windrives.DRIVE_REMOVABLE, windrives.DRIVE_FIXED
    probe = FakeProbe([
        windrives.DriveInfo("C", F, True, 11),       # the system disk (SATA)
        windrives.DriveInfo("D", F, True, 11),       # a second internal disk
        windrives.DriveInfo("E", R, False, None),    # card reader: SD slot, empty
        windrives.DriveInfo("F", R, False, None),    # card reader: CF slot, empty
        windrives.DriveInfo("G", R, True, None),     # the flashdisk
        windrives.DriveInfo("H", F, True, windrives.BUS_USB),  # a USB disk that reports itself as fixed
        windrives.DriveInfo("Z", 4, True, None),     # a network share
    ])
    assert windrives.usb_drives(probe) == [Path("G:\\"), Path("H:\\")]


# ---------------------------------------------------------------------- this PC's clock years behind

def test_a_clock_years_behind_is_named_as_this_pcs_not_the_senders(tmp_path):
    paths = make_network(tmp_path, upts=("UPT-A",))
    prov = Database.open(paths["JATIM"], operator="Siti")
    try:
        out = engine.export_bundle(prov, "UPT-A", tmp_path / "out")
    finally:
        prov.close()
    upt = open_folder(paths["UPT-A"], operator="Budi")
    try:
        upt.hlc._clock = lambda: 1230768000.0  # 2009-01-01: the CMOS battery went flat
        with pytest.raises(bundle.BundleError) as err:
            engine.import_bundle(upt, out.path)
        assert err.value.reason == "own_clock"
        assert "jam komputer INI mundur" in str(err.value) and "2009-01-01" in str(err.value)
        upt.hlc._clock = __import__("time").time  # the clock set right: the same bundle imports
        assert not engine.import_bundle(upt, out.path).refused
    finally:
        upt.close()


def test_the_app_folds_its_journal_again_after_a_failed_upkeep(tmp_path, monkeypatch):
    """A fold refused once (a file held past the retries) is said once and tried again later; before,
    the app stopped folding its journal for the rest of the day."""
    import asyncio

    from tui.app import PilarApp

    db = Database.init(tmp_path / "d", "UPT-A", "UPT A", operator="Siti")
    db.close()
    app = PilarApp(tmp_path / "d", operator="Siti")
    calls, shown = [], []
    real = app.db.upkeep

    def upkeep():
        calls.append(1)
        if len(calls) == 1:
            raise PilarError("fs.permission", path="members.json", detail="held")
        real()

    monkeypatch.setattr(app.db, "upkeep", upkeep)
    monkeypatch.setattr(type(app.db), "owes_upkeep", property(lambda self: len(calls) < 2))
    monkeypatch.setattr(app, "show_error", lambda message: shown.append(message))
    monkeypatch.setattr(PilarApp, "UPKEEP_IDLE_SECONDS", 0.0)
    monkeypatch.setattr(PilarApp, "UPKEEP_RETRY_SECONDS", 0.5)

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(400):
                if len(calls) >= 2:
                    break
                await pilot.pause(0.02)

    asyncio.run(run())
    assert len(calls) == 2 and len(shown) == 1 and "members.json" in shown[0]
