"""Finding USB drives and the bundles on them (Linux, Windows, macOS)."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from storage.office import keys as office_keys
from storage.sync import bundle, engine, windrives


def _children(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir() if p.is_dir())
    except OSError:
        return []


def find_drives(roots: list[Path] | None = None) -> list[Path]:
    """Mounted removable drives. ``PILAR_USB`` (paths separated by os.pathsep) overrides the search."""
    env = os.environ.get("PILAR_USB")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p and Path(p).is_dir()]
    if roots is not None:
        return [d for r in roots for d in _children(Path(r))]
    if sys.platform.startswith("win"):
        return _windows_drives()
    if sys.platform == "darwin":
        return [d for d in _children(Path("/Volumes")) if not d.is_symlink()]
    # /media/<label>, /media/<user>/<label> (Debian/Ubuntu) and /run/media/<user>/<label> (Fedora):
    # only mount points, never the folders on a stick.
    drives = []
    for d in _children(Path("/media")):
        if os.path.ismount(d):
            drives.append(d)
        else:
            drives += [c for c in _children(d) if os.path.ismount(c)]
    drives += [c for d in _children(Path("/run/media")) for c in _children(d) if os.path.ismount(c)]
    return drives


def _windows_drives() -> list[Path]:
    """Removable drives with a medium and USB disks that say they are fixed (windrives.py)."""
    return windrives.usb_drives()


def bundle_files(drive: Path) -> list[Path]:
    """Bundle files at the top of a drive and in a ``pilar`` folder on it."""
    found = []
    for folder in (Path(drive), Path(drive) / "pilar", Path(drive) / "PILAR"):
        try:
            found += [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == bundle.SUFFIX]
        except OSError:
            continue
    return sorted(set(found))


def list_bundles(db, drive: Path) -> list[dict]:
    """The bundles on a drive with sender, date, size and status: new / imported / refused / not for us."""
    accepted = {e.get("bundle_id") for e in engine.import_log(db.path) if e.get("status") == "accepted"}
    refused = {e.get("bundle_id") for e in engine.import_log(db.path) if e.get("status") == "refused"}
    rows = []
    own = store = None
    for path in bundle_files(drive):
        m = engine.manifest_of(db, path) or {}  # a sealed manifest is read when it is for this office
        sender = (m.get("sender") or {}).get("code", "?") if isinstance(m.get("sender"), dict) else "?"
        recipient = (m.get("recipient") or {}).get("code", "?") if isinstance(m.get("recipient"), dict) else "?"
        if m and bundle.is_sealed(m) and "sealed" in m:  # not for this office: its clear part only
            # format 2 names offices by their keys' fingerprints only: those known here are named
            if store is None:
                own, store = office_keys.load_own(db.path), office_keys.TrustStore.load(db.path)
            fps = [(m.get(k) or {}).get("fp") if isinstance(m.get(k), dict) else None for k in ("sender", "recipient")]
            sender, recipient = (db.code if own is not None and fp == own.fp else engine.code_of_fp(store, fp) or "?"
                                 for fp in fps)
        bid = m.get("bundle_id")
        if not m:
            status = "damaged"
        elif sender == db.code:
            status = "sent"
        elif recipient != db.code:
            status = "not for this office"
        elif bid in accepted:
            status = "already imported"
        elif bid in refused:
            status = "refused before"
        else:
            status = "new"
        try:
            size = path.stat().st_size
            mtime = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        except OSError:
            size, mtime = 0, ""
        rows.append({"file": path.name, "path": str(path), "sender": sender, "recipient": recipient,
                     "created": str(m.get("created") or mtime)[:16].replace("T", " "), "size": size,
                     "status": status, "mode": m.get("mode", "")})
    return rows
