"""Build the offline install/update kit: ``make kit`` → ``dist/pilar-kit-VERSION/``.

The kit is a folder to copy onto a USB stick for an office with no internet:

    pilar-kit-0.2.0/
      BACA-SAYA.txt          how to install or update (Bahasa Indonesia), which Python installer to add
      install.bat update.bat install.sh update.sh
      requirements.txt       Pilar and every dependency, pinned (from pyproject.toml)
      wheels/                Pilar's wheel and a wheel of every dependency for each target below

Targets: Windows 64-bit (win_amd64) and 32-bit (win32) for Python 3.10-3.13, and the machine that
builds the kit (so the kit is tested by installing it here with the network cut). docopt (needed by
num2words) publishes no wheel: it is built here once (pure Python) and carried. orjson and msgspec have no
32-bit Windows wheel: there Pilar runs on storage/core/jsonio.py and counts tallies from whole parses
(install.bat installs ``pilar[fast]``, with orjson and msgspec, on a 64-bit Python only).

Downloads come from the package index with pip's own platform options; nothing is installed here.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOWS_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
WINDOWS_PLATFORMS = ("win_amd64", "win32")
# Packages published only as a source archive: built into a wheel here (they must be pure Python).
# docopt: num2words needs it (any version from 0.6.2; 0.6.2 is the last).
BUILD_HERE = ("docopt==0.6.2",)
# What a platform has no wheel of: left out there (Pilar runs without it: storage/core/jsonio.py).
# msgspec neither: there a folder without tallies has its parts parsed whole (storage/core/tally.py).
NO_WHEEL = {"win32": ("orjson", "msgspec")}
FAST = "fast"  # the extra that brings orjson and msgspec where they have a wheel (Windows 64-bit)


def version() -> str:
    text = (ROOT / "storage" / "core" / "formats.py").read_text(encoding="utf-8")
    return re.search(r'^PILAR_VERSION = "([^"]+)"', text, re.M).group(1)


def pins() -> list[str]:
    """The ``dependencies`` of pyproject.toml, as requirement lines (markers kept)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.M | re.S).group(1)
    return re.findall(r'^\s*"([^"]+)"', block, re.M)


def requirement_name(line: str) -> str:
    return re.split(r"[=<>;\s\[]", line, maxsplit=1)[0]


def extras() -> dict[str, list[str]]:
    """The optional dependencies of pyproject.toml that the kit carries (the ``fast`` extra)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(rf'^{FAST} = \[(.*?)\]', text, re.M | re.S)
    return {FAST: re.findall(r'"([^"]+)"', found.group(1)) if found else []}


def requirements_for(target: tuple[str, str] | None, lines: list[str] | None = None) -> list[str]:
    """The pinned requirements of one target, markers decided for it (pip on Linux would decide a
    ``sys_platform`` marker for Linux even when downloading for Windows)."""
    lines = pins() if lines is None else lines
    windows = target is not None
    out = []
    for line in lines + extras()[FAST]:
        requirement, _, marker = (part.strip() for part in line.partition(";"))
        if marker:
            on_windows = bool(re.search(r"""sys_platform\s*==\s*['"]win32['"]""", marker))
            off_windows = bool(re.search(r"""sys_platform\s*!=\s*['"]win32['"]""", marker))
            if (on_windows and not windows) or (off_windows and windows):
                continue
        if target and requirement_name(requirement) in NO_WHEEL.get(target[0], ()):
            continue
        if requirement not in out:
            out.append(requirement)
    return out


def run(cmd: list[str], **kw) -> None:
    print("  $", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", *args]


def download_commands(wheels: Path, here_only: bool = False) -> list[list[str]]:
    """The pip downloads of every target (each a full, pinned set of wheels)."""
    common = ["download", "--dest", str(wheels), "--find-links", str(wheels), "--only-binary=:all:",
              "--progress-bar=off"]
    cmds = []
    for target in targets(here_only):
        spec = [] if target is None else ["--platform", target[0], "--python-version", target[1],
                                          "--implementation", "cp"]
        cmds.append(pip(*common, *spec, *requirements_for(target)))
    return cmds


def targets(here_only: bool) -> list[tuple[str, str] | None]:
    """(platform, python) of each Windows target; None stands for this machine."""
    out: list[tuple[str, str] | None] = [None]
    if not here_only:
        out += [(platform, py) for platform in WINDOWS_PLATFORMS for py in WINDOWS_PYTHONS]
    return out


def verify(kit: Path, here_only: bool = False) -> None:
    """The kit alone (no index, no network) resolves every target, and installs and runs here."""
    wheels = kit / "wheels"
    v = version()
    offline = ["--no-index", "--find-links", str(wheels), "--disable-pip-version-check"]
    for target in targets(here_only)[1:]:
        platform, py = target
        # pip here decides pilar's own ``sys_platform`` markers for this machine, so the target's set is
        # asked for as such (with everything it needs), and pilar's wheel on its own.
        spec = ["install", "--dry-run", "--quiet", "--ignore-installed", *offline, "--only-binary=:all:",
                "--platform", platform, "--python-version", py, "--implementation", "cp",
                "--target", str(kit / ".verify")]
        run(pip(*spec, *requirements_for(target)))
        run(pip(*spec, "--no-deps", f"pilar=={v}"))
        print(f"  resolves offline: {platform} Python {py}")
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        bindir = venv / ("Scripts" if os.name == "nt" else "bin")
        cut = ["unshare", "-n"] if shutil.which("unshare") and hasattr(os, "geteuid") and os.geteuid() == 0 else []
        env = dict(os.environ, PIP_CONFIG_FILE=os.devnull)
        env.pop("PIP_FIND_LINKS", None)
        env.pop("PIP_EXTRA_INDEX_URL", None)
        started = time.monotonic()
        run([*cut, str(bindir / "python"), "-m", "pip", "install", "--quiet", *offline, f"pilar[{FAST}]=={v}"],
            env=env)
        took = time.monotonic() - started
        out = subprocess.run([str(bindir / "pilar"), "--version"], capture_output=True, text=True, check=True).stdout
        assert out.startswith(f"Pilar {v} "), out
        data = Path(tmp) / "data"
        run([str(bindir / "pilar"), "--data", str(data), "init", "--office", "UPT-UJI", "--name", "Uji",
             "--operator", "Kit"])
        run([str(bindir / "pilar"), "--data", str(data), "check"])
        print(f"  installed from the kit alone{' (network cut)' if cut else ''} in {took:.0f} s: {out.strip()}")


def build(out_root: Path, dry_run: bool = False, here_only: bool = False) -> Path:
    v = version()
    kit = out_root / f"pilar-kit-{v}"
    wheels = kit / "wheels"
    lines = pins()
    if dry_run:
        for cmd in download_commands(Path("wheels"), here_only):
            print(" ".join(cmd[2:]))
        return kit
    started = time.monotonic()
    if kit.exists():
        shutil.rmtree(kit)
    wheels.mkdir(parents=True)
    print(f"Pilar {v}: building the kit in {kit}")
    run(pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)))
    for requirement in BUILD_HERE:
        run(pip("wheel", "--no-deps", "--wheel-dir", str(wheels), requirement))
    (kit / "requirements.txt").write_text(f"pilar[{FAST}]=={v}\n" + "".join(f"{line}\n" for line in lines),
                                          encoding="utf-8")
    for cmd in download_commands(wheels, here_only):
        run(cmd)
    write_scripts(kit, v)
    size = sum(p.stat().st_size for p in kit.rglob("*") if p.is_file())
    count = len(list(wheels.glob("*.whl")))
    print(f"kit ready: {kit} ({count} wheels, {size / 1024 / 1024:.1f} MB, {time.monotonic() - started:.0f} s)")
    return kit


# ---------------------------------------------------------------------- what goes beside the wheels

INSTALL_BAT = r"""@echo off
rem Pilar {version}: install from this kit, without internet. The data folder is never touched.
setlocal
set "KIT=%~dp0"
set "APP=%LOCALAPPDATA%\Pilar\app"
where py >nul 2>nul
if errorlevel 1 (
  echo Python belum terpasang. Jalankan dulu python-3.x.x-amd64.exe dari flashdisk ini
  echo ^(centang "Add python.exe to PATH"^), lalu jalankan install.bat lagi.
  exit /b 1
)
py -3 -c "import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)"
if errorlevel 1 (
  echo Python di komputer ini terlalu lama. Pilar perlu Python 3.10 atau lebih baru.
  exit /b 1
)
if not exist "%APP%\Scripts\python.exe" (
  py -3 -m venv "%APP%"
  if errorlevel 1 exit /b 1
)
rem Python 64-bit: with orjson (fast); 32-bit: without it (no 32-bit wheel exists), slower but the same.
set "WANT=pilar[fast]=={version}"
"%APP%\Scripts\python.exe" -c "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 else 1)"
if errorlevel 1 set "WANT=pilar=={version}"
"%APP%\Scripts\python.exe" -m pip install --no-index --find-links "%KIT%wheels" --upgrade --disable-pip-version-check "%WANT%"
if errorlevel 1 (
  echo Pemasangan gagal. Pilar yang lama ^(bila ada^) tetap terpasang; data tidak berubah.
  exit /b 1
)
> "%LOCALAPPDATA%\Pilar\pilar.bat" echo @"%APP%\Scripts\pilar.exe" %%*
copy /y "%LOCALAPPDATA%\Pilar\pilar.bat" "%USERPROFILE%\Desktop\Pilar.bat" >nul 2>nul
"%APP%\Scripts\pilar.exe" --version
echo Selesai. Buka Pilar dengan Pilar.bat di Desktop.
"""

UPDATE_BAT = r"""@echo off
rem Pilar {version}: update from this kit, without internet. The data folder is never touched here:
rem the next start of Pilar brings it up to date (a backup is made first).
setlocal
set "KIT=%~dp0"
set "APP=%LOCALAPPDATA%\Pilar\app"
if not exist "%APP%\Scripts\python.exe" (
  echo Pilar belum terpasang di komputer ini. Jalankan install.bat.
  exit /b 1
)
echo Versi sekarang:
"%APP%\Scripts\pilar.exe" --version 2>nul || echo Pilar 0.1.0 (versi sebelum --version ada)
set "WANT=pilar[fast]=={version}"
"%APP%\Scripts\python.exe" -c "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 else 1)"
if errorlevel 1 set "WANT=pilar=={version}"
"%APP%\Scripts\python.exe" -m pip install --no-index --find-links "%KIT%wheels" --upgrade --disable-pip-version-check "%WANT%"
if errorlevel 1 (
  echo Pembaruan gagal. Pilar yang lama tetap terpasang; data tidak berubah.
  exit /b 1
)
echo Versi baru:
"%APP%\Scripts\pilar.exe" --version
echo Selesai. Tutup Pilar yang masih terbuka, lalu buka lagi.
"""

INSTALL_SH = """#!/bin/sh
# Pilar {version}: install from this kit, without internet. The data folder is never touched.
set -e
KIT=$(cd "$(dirname "$0")" && pwd)
APP="${{PILAR_APP:-$HOME/.local/share/Pilar/app}}"
PY="${{PYTHON:-python3}}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {{
  echo "Pilar perlu Python 3.10 atau lebih baru."; exit 1; }}
[ -x "$APP/bin/python" ] || "$PY" -m venv "$APP"
"$APP/bin/python" -m pip install --no-index --find-links "$KIT/wheels" --upgrade --disable-pip-version-check "pilar[fast]=={version}"
"$APP/bin/pilar" --version
echo "Selesai: $APP/bin/pilar"
"""

UPDATE_SH = """#!/bin/sh
# Pilar {version}: update from this kit, without internet. The data folder is never touched here:
# the next start of Pilar brings it up to date (a backup is made first).
set -e
KIT=$(cd "$(dirname "$0")" && pwd)
APP="${{PILAR_APP:-$HOME/.local/share/Pilar/app}}"
[ -x "$APP/bin/python" ] || {{ echo "Pilar belum terpasang di sini: jalankan install.sh."; exit 1; }}
"$APP/bin/pilar" --version 2>/dev/null || echo "Pilar 0.1.0 (versi sebelum --version ada)"
"$APP/bin/python" -m pip install --no-index --find-links "$KIT/wheels" --upgrade --disable-pip-version-check "pilar[fast]=={version}"
"$APP/bin/pilar" --version
"""

README = """PILAR {version} - KIT PASANG DAN PERBARUI TANPA INTERNET
=========================================================

Isi flashdisk ini:
  install.bat   memasang Pilar di komputer yang belum punya Pilar
  update.bat    memperbarui Pilar yang sudah terpasang
  wheels\\       paket Pilar dan semua yang diperlukannya (jangan diubah)

Yang perlu ditambahkan sendiri ke flashdisk (bukan bagian kit):
  Pemasang Python untuk Windows, versi 3.10, 3.11, 3.12 atau 3.13, dari
  https://www.python.org/downloads/windows/ :
  - Windows 64-bit: "Windows installer (64-bit)", mis. python-3.12.x-amd64.exe
  - Windows 32-bit: "Windows installer (32-bit)", mis. python-3.12.x.exe
    (Pilar berjalan sama, sedikit lebih lambat membuka data besar)
  Cek: Settings > System > About > System type.

MEMASANG (komputer baru)
  1. Jalankan pemasang Python. Centang "Add python.exe to PATH", lalu Install Now.
  2. Klik dua kali install.bat. Tunggu sampai tertulis "Selesai".
  3. Buka Pilar dengan Pilar.bat di Desktop. Kantor baru: ikuti petunjuk provinsi
     (pilar init --from pilar_enrol_KODE.json).

MEMPERBARUI (Pilar sudah terpasang)
  1. Tutup Pilar.
  2. Klik dua kali update.bat. Versi lama dan baru ditampilkan.
  3. Buka Pilar lagi. Bila format data berubah, Pilar membuat cadangan dulu lalu
     memperbarui folder data sekali; data tidak hilang. Folder data TIDAK disentuh
     oleh update.bat.

Kantor yang belum diperbarui tetap bisa bertukar bundel dengan provinsi. Provinsi
melihat versi Pilar tiap kantor (pilar office list) dan kantor mana yang perlu diperbarui.

Bila gagal: pesan di layar menyebut sebabnya; Pilar yang lama tetap terpasang dan
data tidak berubah. Hubungi admin provinsi dengan isi pesan itu.
"""


def write_scripts(kit: Path, v: str) -> None:
    for name, text, crlf in (("install.bat", INSTALL_BAT, True), ("update.bat", UPDATE_BAT, True),
                             ("install.sh", INSTALL_SH, False), ("update.sh", UPDATE_SH, False),
                             ("BACA-SAYA.txt", README, True)):
        body = text.format(version=v)
        (kit / name).write_bytes(body.replace("\n", "\r\n").encode("ascii") if crlf else body.encode("ascii"))
        if name.endswith(".sh"):
            (kit / name).chmod(0o755)


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the offline kit (dist/pilar-kit-VERSION/).")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the kit folder goes (default: dist/)")
    parser.add_argument("--dry-run", action="store_true", help="print the pip downloads, build nothing")
    parser.add_argument("--here-only", action="store_true",
                        help="only this machine's wheels (CI: a quick kit to install with the network cut)")
    parser.add_argument("--verify", action="store_true",
                        help="then check that every target resolves from the kit alone and install it here offline")
    args = parser.parse_args()
    kit = build(args.out, dry_run=args.dry_run, here_only=args.here_only)
    if args.verify and not args.dry_run:
        verify(kit, here_only=args.here_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
