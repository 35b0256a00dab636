"""Durable file primitives: atomic replace, durable append, directory fsync (POSIX and Windows)."""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from storage.core.errors import PilarError

_FS_ERRORS = {
    errno.ENOSPC: "fs.disk_full",
    errno.EDQUOT: "fs.disk_full",
    errno.EACCES: "fs.permission",
    errno.EPERM: "fs.permission",
    errno.EROFS: "fs.read_only",
    errno.EIO: "fs.io_error",
    errno.ENOENT: "fs.missing",
    errno.ENODEV: "fs.io_error",
    errno.ENXIO: "fs.io_error",
}


def os_error(exc: OSError, path: Path | str) -> PilarError:
    """Turn an OSError into one sentence for the user naming the file."""
    key = _FS_ERRORS.get(exc.errno or 0, "fs.io_error")
    return PilarError(key, path=str(path), detail=exc.strerror or str(exc))


def fsync_dir(path: Path, optional: bool = False) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened, e.g. Windows).

    ``optional``: some USB file systems cannot sync a folder; the renamed file itself is synced, so
    there a failure is no reason to report the write as failed.
    """
    if os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if not optional:
            raise


def fsync_file(path: Path) -> None:
    """Flush a file already written to the disk. Opened for writing (appending nothing): Windows
    flushes only a handle with write access (``FlushFileBuffers``), POSIX any descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Bytes handed to one os.write. A whole part (9 MB at 300,000 members) in one call made the kernel here take
# about 100 ms a part instead of 3 (the 32 parts of a fold: 3.0 s against 0.85 s of writing; 4 MB calls as
# slow); the journal, always written in pieces of about 1 MB, never was.
WRITE_CHUNK = 1024 * 1024


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written, WRITE_CHUNK at a time (a short write is not an error on its own)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:WRITE_CHUNK])
        view = view[n:]


# A rename over a file that another program holds open fails on Windows with a sharing violation
# (WinError 32) or "access denied" (5): the antivirus scanning the new file, the search indexer, a
# read-only `pilar` command reading it. They let go within moments: retried with a short backoff
# (about 3 s in all) before the error is reported.
RENAME_DELAYS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0)
_SHARING = (5, 32, 33)  # ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION


def _held_open(exc: OSError) -> bool:
    """A rename refused because another program has the file open (Windows), not a real denial."""
    if not isinstance(exc, PermissionError):
        return False
    return getattr(exc, "winerror", None) in _SHARING or os.name == "nt"


def replace_file(src: Path | str, dst: Path | str, delays: tuple[float, ...] | None = None) -> None:
    """``os.replace`` retried while another program holds the file open (see RENAME_DELAYS)."""
    for delay in (RENAME_DELAYS if delays is None else delays) + (None,):
        try:
            os.replace(src, dst)
            return
        except OSError as exc:
            if delay is None or not _held_open(exc):
                raise
            time.sleep(delay)


def atomic_write(path: Path, data, removable: bool = False) -> None:
    """Replace ``path`` with ``data``: temporary file, fsync, rename, fsync of the folder.

    ``data``: bytes, or a sequence of bytes-like pieces written one after the other (a collection file's
    header and its payload, never joined: a copy of each part of 300,000 members, 290 MB, cost more than
    the write). The old file is never half-written; on any error the temporary file is removed and the
    old file stays as it was. ``removable``: the target is a USB drive (see ``fsync_dir``).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        try:
            if isinstance(data, (bytes, bytearray, memoryview)):
                write_all(fd, data)
            else:
                for piece in data:
                    write_all(fd, piece)
            os.fsync(fd)
        finally:
            os.close(fd)
        replace_file(tmp, path)
        fsync_dir(path.parent, optional=removable)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise os_error(exc, path) from exc


def append_durable(path: Path, data) -> None:
    """Append ``data`` to ``path`` and fsync; on error cut the file back to its old length. ``data``: bytes,
    or an iterable of bytes-like pieces written one after the other (a line too big to join first)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise os_error(exc, path) from exc
    try:
        start = os.fstat(fd).st_size
        try:
            if isinstance(data, (bytes, bytearray, memoryview)):
                write_all(fd, data)
            else:
                for piece in data:
                    write_all(fd, piece)
            os.fsync(fd)
        except BaseException as exc:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise os_error(exc, path) from exc
            raise
    finally:
        os.close(fd)


def loads_hashed(payload: bytes | memoryview, parse: Callable[[Any], Any] | None = None) -> tuple[Any, str]:
    """``orjson.loads(payload)`` (or ``parse(payload)``) and the payload's sha256 (hex), hashed on another
    thread meanwhile: sha256 lets go of the GIL, so a big part file is hashed on the other core while it is
    parsed. A parse error is raised (``orjson.JSONDecodeError``) once the hash is done."""
    digest: list[str] = []
    hasher = threading.Thread(target=lambda: digest.append(hashlib.sha256(payload).hexdigest()))
    hasher.start()
    try:
        docs = (parse or orjson.loads)(payload)
    finally:
        hasher.join()
    return docs, digest[0]


class WriteBehind:
    """Writes done on other threads while the caller goes on (a fold's parts: the disk's time spent while this
    thread computes the derived files). ``add(job)`` queues a write; with one thread the writes are made in
    order, with more (``threads``) several at once (a disk waits for each fsync: two overlap). ``wait()`` lets
    every queued write finish, then raises the first error one raised (once a write failed, the writes not
    begun are not made). Used as a context manager, it always waits, so nothing is still being written when
    the caller returns or raises."""

    def __init__(self, threads: int = 1) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._threads = [threading.Thread(target=self._run, name="pilar-write-behind", daemon=True)
                         for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is None:
                try:
                    job()
                except BaseException as exc:  # noqa: BLE001 - raised again by ``wait`` in the caller's thread
                    if self._error is None:
                        self._error = exc

    def add(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def wait(self) -> None:
        running = [thread for thread in self._threads if thread.is_alive()]
        for _thread in running:
            self._jobs.put(None)
        for thread in running:
            thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.wait()
            return
        try:  # the caller's error is the one told; the writes still end before it is
            self.wait()
        except BaseException:  # noqa: BLE001
            pass

