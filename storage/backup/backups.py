"""Backups of a data folder: taken before every import, daily while Pilar is used, and on demand.

A backup is a folder ``<data>/backups/<YYYYmmdd-HHMMSS>-<reason>/`` holding a copy of ``db/``,
``office.json``, ``audit.jsonl`` and the sealed ``audit/`` segments, ``imports.jsonl`` and ``keys/``
plus ``backup.json`` (when, why,
which office, the size and sha256 of every file with the live file's mtime and inode, and whether
the copy passed the file checks).

Incremental: collection files are only ever replaced (a new inode), never changed in place (and a
sealed audit segment never changes at all), so a
live file with the size, mtime and inode the newest good backup recorded is hard-linked from that
backup (its sha256 reused) instead of copied. Links are only made between backups, never to the live
folder (a live file edited in place must not change a backup); where linking fails, a copy.

Writing one is atomic: everything goes into ``backups/.tmp-<name>/``, every file is fsynced, every
copied file re-read and its checksums checked (collection header sha256, journal lines), then the
folder is renamed to its final name. A backup cut short by a crash, a full disk or a pulled stick is
therefore never listed as complete; its leftover ``.tmp-`` folder is removed by the next backup.

Restoring (``restore``) copies the backup into a stage, hashing each file once, then backs up the
current state (even a damaged one), swaps the staged files in, and gives the folder a new replica
id so sync never reuses old counters. It works on a folder too damaged to open: it needs only the
lock and the files.

Backups are owner-only (folders 0700, ``keys/`` files 0600: ``secure_keys``). They never leave the
office as they are: ``pilar backup --to`` writes one encrypted archive without ``keys/``
(``storage.backup.archive``).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from storage.core import formats
from storage.core.db import (
    Database,
    PilarStorage,
    now_iso,
    read_journal,
    read_office,
    replica_history,
    take_lock,
    write_office,
)
from storage.core.erasure_log import erase_again
from storage.core.errors import PilarError, damaged
from storage.core.fsutil import atomic_write, fsync_dir, os_error, replace_file, write_all
from storage.core.i18n import t

BACKUP_FORMAT = 1
DEFAULT_KEEP = 10
DAILY = timedelta(hours=24)
# What a backup holds (relative to the data folder); everything else (backups/, the lock) is not copied.
ITEMS = ("db", "office.json", "audit.jsonl", "audit", "imports.jsonl", "keys")
META = "backup.json"
TMP_PREFIX = ".tmp-"
RESTORE_STAGE = ".restore-new"
RESTORE_OLD = ".restore-old"
RESTORE_MARKER = "restore.json"
CHUNK = 1024 * 1024
RACY_NS = 2_000_000_000  # a file changed this close to a backup is re-hashed before the next reuses it


@dataclass
class Backup:
    """One backup folder as listed by ``list_backups``."""

    name: str
    path: Path
    created: str = ""
    reason: str = ""
    office: str = ""
    seq: int = 0
    size: int = 0
    verified: bool = False
    problems: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def good(self) -> bool:
        """The backup passed the file checks when written and its files are unchanged since."""
        return self.verified and not self.problems

    def as_dict(self) -> dict:
        return {"name": self.name, "created": self.created, "reason": self.reason, "office": self.office,
                "seq": self.seq, "size": self.size, "good": self.good, "problems": self.problems}


def backups_dir(path: Path | str) -> Path:
    return Path(path) / "backups"


def keep_count(office: dict) -> int:
    """How many backups to keep: office.json ``backups_keep`` (default 10, at least 1)."""
    try:
        return max(1, int(office.get("backups_keep", DEFAULT_KEEP)))
    except (TypeError, ValueError):
        return DEFAULT_KEEP


# ---------------------------------------------------------------------- copying files durably

def _files(root: Path) -> Iterator[Path]:
    """The files of the data folder a backup holds (relative paths), temporary files left out."""
    for item in ITEMS:
        src = root / item
        if src.is_file():
            yield Path(item)
        elif src.is_dir():
            for p in sorted(src.rglob("*")):
                if p.is_file() and not p.name.endswith(".tmp"):
                    yield p.relative_to(root)


class _Unreadable(OSError):
    """The source file could not be read (as opposed to the copy not being written)."""

    def __init__(self, exc: OSError, path: Path) -> None:
        super().__init__(exc.errno, exc.strerror or str(exc), str(path))
        self.exc, self.path = exc, path


def _read_chunk(fin, src: Path) -> bytes:
    try:
        return fin.read(CHUNK)
    except OSError as exc:
        raise _Unreadable(exc, src) from exc


def _copy_file(src: Path, dst: Path) -> tuple[int, str]:
    """Copy one file and fsync it; returns (size, sha256) of what was written."""
    digest = hashlib.sha256()
    size = 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        fin = open(src, "rb")
    except OSError as exc:
        raise _Unreadable(exc, src) from exc
    with fin:
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        try:
            while True:
                chunk = _read_chunk(fin, src)
                if not chunk:
                    break
                digest.update(chunk)
                size += len(chunk)
                write_all(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
    return size, digest.hexdigest()


def _sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def fsync_tree(root: Path) -> None:
    for d in sorted({p.parent for p in root.rglob("*")} | {root}, key=lambda p: len(p.parts), reverse=True):
        if d.is_dir():
            fsync_dir(d)


def remove_path(path: Path) -> None:
    """Remove a file or folder we made ourselves; never raises (a leftover is cleaned up later)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()
    except OSError:
        pass


def secure_keys(root: Path) -> None:
    """``<root>/keys/`` readable by its owner only: folders 0700, files 0600 (the private key is in
    it). Applied to the live folder and to every backup, restore stage and copy; a file system that
    has no such modes (FAT, Windows) is left as it is."""
    kdir = Path(root) / "keys"
    if not kdir.is_dir() or kdir.is_symlink():
        return
    try:
        os.chmod(kdir, 0o700)
        for p in kdir.rglob("*"):
            if p.is_symlink():
                continue
            os.chmod(p, 0o700 if p.is_dir() else 0o600)
    except OSError:
        pass


def _check_written(root: Path, files: dict[str, dict], memo: dict | None = None) -> list[str]:
    """Re-read every copied file: what is on the disk must be what was read from the source.

    ``memo`` (shared across the backups of one listing) hashes a file linked into several backups
    once: keyed by device, inode, size and mtime, so a changed file is hashed again."""

    problems = []
    for rel, info in files.items():
        p = root / rel
        try:
            if memo is None:
                size, sha = _sha256(p)
            else:
                st = p.stat()
                key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                if not st.st_ino or key not in memo:
                    memo[key] = _sha256(p)
                size, sha = memo[key]
        except OSError:
            problems.append(t("backup.problem.missing", file=rel))
            continue
        if size != info["size"] or sha != info["sha256"]:
            problems.append(t("backup.problem.changed", file=rel))
    return problems


# ---------------------------------------------------------------------- the lock without opening

@contextmanager
def hold_lock(path: Path, operator: str = "") -> Iterator[None]:
    """Take the data folder's lock without opening (or even being able to open) the data."""
    lock = take_lock(path)
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "operator": operator, "since": now_iso()}
        atomic_write(path / "lock.json", orjson.dumps(info, option=orjson.OPT_SORT_KEYS))
        yield
    finally:
        try:
            (path / "lock.json").unlink(missing_ok=True)
        except OSError:
            pass
        lock.release()


# ---------------------------------------------------------------------- writing a backup

def _name_for(bdir: Path, reason: str, when: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")[:40] or "manual"
    base = f"{when.strftime('%Y%m%d-%H%M%S')}-{slug}"
    name, n = base, 1
    while (bdir / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def cleanup_leftovers(bdir: Path) -> None:
    """Remove half-written backups left by a crash (only called while holding the folder's lock)."""
    if not bdir.is_dir():
        return
    for p in bdir.iterdir():
        if p.name.startswith(TMP_PREFIX):
            remove_path(p)


def _source_size(root: Path, prev_files: dict[str, dict] | None = None) -> int:
    """The bytes a backup will copy (files it can reuse from the previous backup left out)."""
    total = 0
    for rel in _files(root):
        try:
            st = (root / rel).stat()
        except OSError:
            continue
        if not _reusable((prev_files or {}).get(rel.as_posix()), st):
            total += st.st_size
    return total


def _previous(path: Path, code: str) -> tuple[Path, dict[str, dict]] | None:
    """The newest backup that verified when written (of this office): the one files are reused from."""
    for b in list_backups(path, deep=False):
        if b.verified and not b.problems and (not code or not b.office or b.office == code):
            return b.path, b.meta["files"]
    return None


def _reusable(old: dict | None, st: os.stat_result | None) -> bool:
    """The live file is the one the previous backup copied: same size, mtime (ns) and inode."""
    return bool(old and st is not None and st.st_ino and isinstance(old.get("sha256"), str)
                and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns
                and old.get("ino") == st.st_ino)


def _stamp(st: os.stat_result | None, now_ns: int) -> dict:
    """What the next backup compares (size, mtime, inode of the live file when this one was made).

    A file changed less than RACY_NS before the backup is marked ``racy``: a change in the same
    clock tick (FAT keeps 2 s) could keep its mtime, so the next backup re-hashes it before reusing."""
    if st is None:
        return {}
    stamp = {"mtime_ns": st.st_mtime_ns, "ino": st.st_ino}
    if now_ns - st.st_mtime_ns < RACY_NS:
        stamp["racy"] = True
    return stamp


def _link(src: Path, dst: Path, old: dict) -> bool:
    """Hard-link a previous backup's copy into the new backup; False when that cannot be done, or
    when that copy no longer looks as it did when written (size, its own mtime): a backup file
    edited since is never carried into a new backup, the live file is copied instead."""
    try:
        st = src.stat()
        if st.st_size != old["size"] or ("copy_mtime_ns" in old and st.st_mtime_ns != old["copy_mtime_ns"]):
            return False
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.link(src, dst)
    except OSError:  # FAT32, no NTFS, another device, the old copy gone: a real copy instead
        remove_path(dst)
        return False
    return True


def _take_files(path: Path, tmp: Path, prev: tuple[Path, dict[str, dict]] | None,
                unreadable: list[str] | None) -> tuple[dict[str, dict], list[str]]:
    """Fill ``tmp`` with the backed-up files: an unchanged one is hard-linked from the previous
    backup (its recorded sha256 reused), the others copied. Returns (files, relative paths copied)."""
    prev_dir, prev_files = prev if prev else (None, {})
    files: dict[str, dict] = {}
    copied: list[str] = []
    for rel in list(_files(path)):
        key = rel.as_posix()
        try:
            st = (path / rel).stat()
        except OSError:
            st = None
        now_ns = time.time_ns()
        old = prev_files.get(key)
        if prev_dir is not None and _reusable(old, st):
            same = True
            if old.get("racy"):
                try:
                    same = _sha256(path / rel) == (old["size"], old["sha256"])
                except OSError:
                    same = False
            if same and _link(prev_dir / rel, tmp / rel, old):
                files[key] = {"size": old["size"], "sha256": old["sha256"], **_stamp(st, now_ns)}
                if "copy_mtime_ns" in old:
                    files[key]["copy_mtime_ns"] = old["copy_mtime_ns"]
                continue
        try:
            size, sha = _copy_file(path / rel, tmp / rel)
        except _Unreadable as err:
            if unreadable is None:
                raise
            remove_path(tmp / rel)
            unreadable.append(str(os_error(err.exc, err.path)))
            continue
        files[key] = {"size": size, "sha256": sha, **_stamp(st, now_ns)}
        try:
            files[key]["copy_mtime_ns"] = (tmp / rel).stat().st_mtime_ns
        except OSError:
            pass
        copied.append(key)
    return files, copied


def _check_fresh(root: Path, files: dict[str, dict], copied: list[str], code: str) -> list[str]:
    """Check a fresh backup without parsing it: every copied file re-read once (what is on the disk
    is what was read), a copied collection file's header and payload sha256, the journal's line
    checksums, office.json and the manifest; a reused (linked) file is only checked to be there
    with its size, its content was verified when it was first copied."""

    problems: list[str] = []
    fresh = set(copied)
    for rel, info in files.items():
        p = root / rel
        if rel not in fresh:
            try:
                ok = p.stat().st_size == info["size"]
            except OSError:
                problems.append(t("backup.problem.missing", file=rel))
                continue
            if not ok:
                problems.append(t("backup.problem.changed", file=rel))
            continue
        collection = rel.startswith("db/") and rel.endswith(".json") and rel.count("/") == 1 \
            and rel != "db/manifest.json"
        try:
            if collection:
                raw = p.read_bytes()
                size, sha = len(raw), hashlib.sha256(raw).hexdigest()
            else:
                size, sha = _sha256(p)
        except OSError:
            problems.append(t("backup.problem.missing", file=rel))
            continue
        if size != info["size"] or sha != info["sha256"]:
            problems.append(t("backup.problem.changed", file=rel))
            continue
        if collection:
            try:
                PilarStorage(p, p.stem, code or None).checked_payload(raw)
            except PilarError as exc:
                problems.append(str(exc))
            del raw
    try:
        office = read_office(root)
        code = code or office.get("code", "")
    except PilarError as exc:
        problems.append(str(exc))
    manifest_path = root / "db" / "manifest.json"
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
        if isinstance(manifest, dict) and formats.FOLDER.is_newer(manifest.get("schema")):
            problems.append(str(formats.newer_error(formats.FOLDER, manifest["schema"], formats.writer_of(manifest),
                                                    manifest_path)))
            return problems
        if not isinstance(manifest, dict) or not formats.FOLDER.readable(manifest.get("schema")):
            raise ValueError
        if code and manifest.get("office") != code:
            problems.append(str(damaged(manifest_path, "other_office", found=manifest.get("office"), expected=code)))
        for name in manifest.get("files") or {}:
            if f"db/{name}.json" not in files:
                problems.append(str(damaged(root / "db" / f"{name}.json", "missing")))
    except FileNotFoundError:
        problems.append(str(damaged(manifest_path, "missing")))
    except (OSError, ValueError, TypeError, AttributeError, orjson.JSONDecodeError):
        problems.append(str(damaged(manifest_path, "parse")))
    if "db/journal.jsonl" in fresh:
        try:
            read_journal(root / "db" / "journal.jsonl", strict=True)
        except PilarError as exc:
            problems.append(str(exc))
    return problems


def snapshot(path: Path, reason: str, office: dict | None = None, require_good: bool = True,
             protect: set[str] | frozenset[str] = frozenset()) -> Backup:
    """Copy the data folder at ``path`` into a new backup (the caller holds the folder's lock).

    Files unchanged since the newest good backup (same size, mtime and inode) are hard-linked from
    it instead of copied; links are only ever made between backups, never to the live folder.

    ``require_good``: refuse (and keep nothing) when the copy does not pass the file checks; the
    backup taken before a restore sets it False, because a damaged state is still worth keeping.
    """
    path = Path(path)
    bdir = backups_dir(path)
    try:
        bdir.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, bdir) from exc
    cleanup_leftovers(bdir)
    secure_keys(path)  # a folder made before keys/ was kept private gets its modes now
    if office is None:
        try:
            office = read_office(path)
        except PilarError:
            office = {}
    code = str(office.get("code") or "")
    prev = _previous(path, code)
    need = _source_size(path, prev[1] if prev else {})
    try:
        free = shutil.disk_usage(bdir).free
    except OSError:
        free = None
    if free is not None and free < need + SPACE_MARGIN:
        # rounded up what is needed and down what is free, so the figures said always show the lack
        raise PilarError("backup.no_space", path=str(bdir), need=_mb_exact(need, up=True),
                         margin=_mb_exact(SPACE_MARGIN, up=True), total=_mb_exact(need + SPACE_MARGIN, up=True),
                         free=_mb_exact(free, up=False))
    when = datetime.now().astimezone()
    name = _name_for(bdir, reason, when)
    tmp = bdir / f"{TMP_PREFIX}{name}"
    final = bdir / name
    renamed = False
    try:
        tmp.mkdir(mode=0o700)  # a backup holds NIKs and bank accounts in clear: its owner only
        unreadable: list[str] = []
        files, copied = _take_files(path, tmp, prev, None if require_good else unreadable)
        secure_keys(tmp)
        problems = unreadable + _check_fresh(tmp, files, copied, code)
        meta = {"format": BACKUP_FORMAT, "name": name, "created": when.isoformat(timespec="seconds"),
                "created_ns": time.time_ns(), "reason": reason, "office": office.get("code", ""), "office_name": office.get("name", ""),
                "seq": _seq_of(tmp), "size": sum(f["size"] for f in files.values()),
                "copied": sum(files[r]["size"] for r in copied),
                "verified": not problems, "problems": [p.replace(tmp.name, name) for p in problems],
                "files": files}
        if problems and require_good:
            raise PilarError("backup.copy_failed", name=name, problem=problems[0])
        fd = os.open(tmp / META, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        try:
            write_all(fd, orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_tree(tmp)
        replace_file(tmp, final)
        renamed = True
        fsync_dir(bdir)
    except BaseException as exc:
        remove_path(tmp)
        if renamed:
            # Its rename may not be on the disk: it is not reported as made, so it is not kept either.
            _discard(final)
        if isinstance(exc, _Unreadable):  # name the file that could not be read, not the backups folder
            raise PilarError("backup.failed", path=str(bdir), problem=os_error(exc, exc.path)) from exc
        if isinstance(exc, OSError):
            raise backup_os_error(exc, bdir) from exc
        raise
    backup = read_backup(final, deep=False)  # just checked: not hashed a second time
    prune(path, keep_count(office), protect=set(protect) | {name})
    return backup


def backup_os_error(exc: OSError, bdir: Path) -> PilarError:
    # The inner error is rendered when the message is, so it follows the user's language.
    return PilarError("backup.failed", path=str(bdir), problem=os_error(exc, bdir))


# Room left on the disk after a backup (the sentence says it: "needs 1.0 MB plus a 1.0 MB margin").
SPACE_MARGIN = 1024 * 1024


def _mb_exact(n: int, up: bool) -> str:
    """``n`` bytes in MB to two decimals, rounded up (``up``) or down."""
    hundredths = -(-n * 100 // (1024 * 1024)) if up else n * 100 // (1024 * 1024)
    return f"{hundredths // 100}.{hundredths % 100:02d} MB"


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _seq_of(root: Path) -> int:
    try:
        manifest = orjson.loads((root / "db" / "manifest.json").read_bytes())
        seq = int(manifest.get("seq", 0))
    except (OSError, orjson.JSONDecodeError, TypeError, ValueError, AttributeError):
        return 0
    try:

        entries, _ = read_journal(root / "db" / "journal.jsonl", strict=False)
        return max([seq] + [e.get("seq", 0) for e in entries])
    except PilarError:
        return seq


def backup_now(db: Database, reason: str = "manual") -> Backup:
    """Back up an open data folder now (before an import, on demand). Raises PilarError on failure.

    The caller holds the folder (a writable ``Database``), so nothing changes while it is copied.
    """
    return snapshot(db.path, reason, office=db.office, require_good=True)


def daily_due(db: Database) -> bool:
    """True when the daily backup is to be taken: no good backup from the last 24 hours."""
    if db.read_only or db.office.get("backups_daily", True) is False:
        return False
    now = datetime.now().astimezone()
    for b in list_backups(db.path, deep=False):
        created = _parse_time(b.created)
        if b.verified and created is not None and now - created < DAILY and created <= now + DAILY:
            return False
    return True


def maybe_daily(db: Database) -> Backup | None:
    """Take the daily backup if the newest good backup is more than a day old (or there is none)."""
    return backup_now(db, "daily") if daily_due(db) else None


def _parse_time(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.astimezone()


# ---------------------------------------------------------------------- listing and verifying

def read_backup(folder: Path, deep: bool = True, memo: dict | None = None) -> Backup:

    b = Backup(name=folder.name, path=folder)
    try:
        meta = orjson.loads((folder / META).read_bytes())
        if not isinstance(meta, dict) or not isinstance(meta.get("files"), dict):
            raise ValueError
    except FileNotFoundError:
        b.problems = [t("backup.problem.no_meta", file=str(folder / META))]
        return b
    except (OSError, ValueError, orjson.JSONDecodeError):
        b.problems = [t("backup.problem.bad_meta", file=str(folder / META))]
        return b
    b.meta = meta
    b.created = str(meta.get("created", ""))
    b.reason = str(meta.get("reason", ""))
    b.office = str(meta.get("office", ""))
    b.seq = int(meta.get("seq", 0) or 0)
    b.size = int(meta.get("size", 0) or 0)
    b.verified = bool(meta.get("verified"))
    if not b.verified:
        b.problems = [t("backup.problem.unverified", count=len(meta.get("problems", [])))]
    if deep:
        b.problems += _check_written(folder, meta["files"], memo)
        b.problems += _extra_files(folder, meta["files"])
    return b


def _extra_files(folder: Path, files: dict) -> list[str]:
    """Files in a backup folder that backup.json does not list (cheap: names only)."""

    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {META}
    return [t("backup.problem.extra", file=extra) for extra in sorted(present - set(files))]


def list_backups(path: Path | str, deep: bool = True) -> list[Backup]:
    """Every complete backup of the folder, newest first; ``deep`` re-hashes every file."""
    bdir = backups_dir(Path(path))
    if not bdir.is_dir():
        return []
    out = []
    memo: dict = {}  # backups share unchanged files (hard links): each is hashed once
    for folder in bdir.iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            out.append(read_backup(folder, deep=deep, memo=memo))
    # created_ns orders two backups made in the same second (older backups have none: 0)
    out.sort(key=lambda b: (b.created, int(b.meta.get("created_ns", 0) or 0), b.name), reverse=True)
    return out


def find_backup(path: Path | str, name: str, deep: bool = True) -> Backup:
    folder = backups_dir(Path(path)) / name
    if not name or name.startswith(".") or "/" in name or "\\" in name or not folder.is_dir():
        raise PilarError("backup.unknown", name=name, path=str(backups_dir(Path(path))))
    return read_backup(folder, deep=deep)


def live_codes(path: Path) -> set[str]:
    """The office codes the live folder claims (office.json and the manifest; a damaged one may differ)."""
    codes = set()
    try:
        codes.add(read_office(path).get("code"))
    except PilarError:
        pass
    try:
        codes.add(orjson.loads((path / "db" / "manifest.json").read_bytes()).get("office"))
    except (OSError, orjson.JSONDecodeError, AttributeError):
        pass
    return {c for c in codes if isinstance(c, str) and c}


def newest_good_backup(path: Path | str) -> Backup | None:
    """The newest backup that verifies (for the message shown when a folder is damaged)."""
    codes = live_codes(Path(path))
    for b in list_backups(path, deep=False):
        if not b.verified or (codes and b.office not in codes):
            continue
        full = read_backup(b.path)
        if full.good:
            return full
    return None


def prune(path: Path, keep: int, protect: set[str] = frozenset()) -> list[str]:
    """Delete the oldest backups beyond ``keep``; the newest good one is always kept."""
    backups = list_backups(path, deep=False)
    newest_good = next((b.name for b in backups if b.verified), None)
    removed = []
    kept = 0
    for b in backups:
        if kept < keep or b.name in protect or b.name == newest_good:
            kept += 1
            continue
        if _discard(b.path):
            removed.append(b.name)
    return removed


def _discard(folder: Path) -> bool:
    """Delete a backup folder; renamed first so a deletion cut short never leaves a backup with files
    missing (the leftover starts with a dot and is removed by the next backup)."""
    doomed = folder.with_name(f"{TMP_PREFIX}del-{folder.name}")
    try:
        replace_file(folder, doomed)
    except OSError:
        return False
    remove_path(doomed)
    return True


# ---------------------------------------------------------------------- copies outside the folder

def copy_backup(b: Backup, dest: Path) -> Path:
    """Copy a good backup to ``dest`` (a new folder): temp folder, fsync, verify, rename."""
    tmp = dest.with_name(f"{TMP_PREFIX}{dest.name}")
    renamed = False
    try:
        remove_path(tmp)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir(mode=0o700)
        for rel, info in b.meta["files"].items():
            size, sha = _copy_file(b.path / rel, tmp / rel)
            if size != info["size"] or sha != info["sha256"]:
                raise PilarError("backup.not_good", name=b.name, problem=rel)
        _copy_file(b.path / META, tmp / META)
        secure_keys(tmp)
        problems = read_backup(tmp).problems
        if problems:
            raise PilarError("backup.not_good", name=b.name, problem=problems[0])
        fsync_tree(tmp)
        replace_file(tmp, dest)
        renamed = True
        fsync_dir(dest.parent)
    except BaseException as exc:
        remove_path(tmp)
        if renamed:
            _discard(dest)
        if isinstance(exc, OSError):
            raise PilarError("backup.copy_out_failed", path=str(dest.parent), problem=os_error(exc, dest)) from exc
        raise
    return dest


def is_backup_folder(folder: Path | str) -> bool:
    return (Path(folder) / META).is_file()


def bring_in(path: Path | str, folder: Path | str) -> Backup:
    """Put a backup folder copied elsewhere into this data folder's backups, verified.

    Such folders were written to sticks by ``pilar backup --to`` before it wrote encrypted archives
    (``storage.backup.archive``); they still restore."""
    outside = read_backup(Path(folder).expanduser().resolve())
    if not outside.good:
        raise PilarError("backup.not_good", name=outside.name, problem=(outside.problems or ["?"])[0])
    name = str(outside.meta.get("name") or outside.name)
    bdir = backups_dir(Path(path))
    try:
        bdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, bdir) from exc
    inside = bdir / name
    if inside.exists():
        existing = read_backup(inside)
        if existing.good and existing.meta.get("files") == outside.meta.get("files"):
            return existing
        raise PilarError("backup.copy_exists", path=str(inside))
    copy_backup(outside, inside)
    return read_backup(inside)


# ---------------------------------------------------------------------- restoring

@dataclass
class RestoreResult:
    restored: Backup
    safety: Backup | None
    replica_id: str
    erased_again: int = 0  # personal-data erasures newer than the backup, carried out again (issue 27)


def restore(path: Path | str, name: str, operator: str = "") -> RestoreResult:
    """Put backup ``name`` back as the live data; the current state is backed up first.

    Works on a folder that cannot be opened (damaged or missing files); refuses while another
    Pilar holds the folder, and refuses a backup that does not verify or belongs to another office.
    """

    path = Path(path).expanduser().resolve()
    if is_backup_folder(name) and Path(name).expanduser().resolve().parent != backups_dir(path):
        # A folder copy on a stick or another disk (older Pilar): brought into the folder's backups first.
        # The data folder may not even exist yet (a new computer after the old disk died).
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, path) from exc
        name = bring_in(path, name).name
    # Not hashed here: every file is hashed once, below, while it is copied into the stage.
    backup = find_backup(path, name, deep=False)
    if backup.good:
        backup.problems += _extra_files(backup.path, backup.meta["files"])
    if not backup.good:
        raise PilarError("backup.not_good", name=name, problem=(backup.problems or ["?"])[0])
    live_office = None
    try:
        live_office = read_office(path)
    except PilarError:
        pass
    codes = live_codes(path)
    if codes and backup.office not in codes:
        raise PilarError("backup.other_office", name=name, found=backup.office, expected=", ".join(sorted(codes)))
    if live_office and live_office.get("code") != backup.office:
        live_office = None  # office.json itself is the damage (another office's file)
    with hold_lock(path, operator):
        remove_path(path / RESTORE_STAGE)
        remove_path(path / RESTORE_OLD)
        stage = path / RESTORE_STAGE
        try:
            # Copied (never linked: the live folder shares no file with a backup) and verified in
            # one pass: a file whose hash differs from backup.json stops the restore before any
            # change to the live folder.
            stage.mkdir(mode=0o700)
            for rel, info in backup.meta["files"].items():
                try:
                    size, sha = _copy_file(backup.path / rel, stage / rel)
                except _Unreadable as err:
                    problem = (t("backup.problem.missing", file=rel) if isinstance(err.exc, FileNotFoundError)
                               else str(os_error(err.exc, err.path)))
                    raise PilarError("backup.not_good", name=name, problem=problem) from err
                if size != info["size"] or sha != info["sha256"]:
                    raise PilarError("backup.not_good", name=name, problem=t("backup.problem.changed", file=rel))
            secure_keys(stage)
            fsync_tree(stage)
        except OSError as exc:
            remove_path(stage)
            raise PilarError("backup.restore_failed", name=name, problem=os_error(exc, path)) from exc
        except BaseException:
            remove_path(stage)
            raise
        safety = None
        try:
            if any(True for _ in _files(path)):
                safety = snapshot(path, "before-restore", office=live_office or {"code": backup.office},
                                  require_good=False, protect={name})
        except BaseException:
            remove_path(stage)
            raise
        try:
            marker = {"from": name, "started": now_iso(), "operator": operator}
            atomic_write(path / RESTORE_MARKER, orjson.dumps(marker))
            _swap_in(path, stage)
            secure_keys(path)
            office = read_office(path)
            db = Database(path, office, operator, read_only=False)
            # The ids the live folder used since this backup stay known as this office's (issue 19).
            db.rotate_replica("restored", history=replica_history(live_office) if live_office else None)
            write_office(path, dict(db.office, restored={"from": name, "at": now_iso(), "operator": operator}))
            (path / RESTORE_MARKER).unlink()
            fsync_dir(path)
        except OSError as exc:
            raise PilarError("backup.restore_failed", name=name, problem=os_error(exc, path)) from exc
        finally:
            remove_path(stage)
            remove_path(path / RESTORE_OLD)
    # The restored folder must open; Database.open also settles the journal and the audit log.
    # Erasures made after the backup was taken (erasures.jsonl lives outside the backups) are made again.
    opened = Database.open(path, operator=operator or None, upgrade=lambda p: name)
    try:
        again = erase_again(opened)
    finally:
        opened.close()
    return RestoreResult(restored=backup, safety=safety, replica_id=db.office["replica_id"], erased_again=again)


def _swap_in(path: Path, stage: Path) -> None:
    """Move the live items aside and the staged ones in. keys/ stay when the backup has none."""
    old = path / RESTORE_OLD
    old.mkdir(exist_ok=True)
    for item in ITEMS:
        live, new = path / item, stage / item
        if item == "keys" and not new.exists():
            continue
        if live.exists():
            replace_file(live, old / item)
        if new.exists():
            replace_file(new, live)
    fsync_dir(path)


def interrupted_restore(path: Path | str) -> str | None:
    """The backup name of a restore that was cut short (the folder may hold a mix), or None."""
    marker = Path(path) / RESTORE_MARKER
    if not marker.exists():
        return None
    try:
        return str(orjson.loads(marker.read_bytes()).get("from") or "?")
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return "?"


def damaged_hint(path: Path | str) -> str:
    """One sentence naming the newest good backup (or saying there is none), for a damaged folder."""

    try:
        b = newest_good_backup(path)
    except (OSError, PilarError):
        b = None
    if b is None:
        return t("backup.hint_none", path=str(backups_dir(Path(path))))
    return t("backup.hint", name=b.name, created=b.created[:16].replace("T", " "), reason=b.reason)


__all__ = [
    "Backup", "RestoreResult", "backup_now", "damaged_hint", "find_backup", "hold_lock",
    "bring_in", "daily_due", "interrupted_restore", "is_backup_folder", "keep_count", "list_backups", "maybe_daily", "newest_good_backup", "prune",
    "restore", "secure_keys", "snapshot",
]

