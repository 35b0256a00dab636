"""Opening a data folder that an older Pilar wrote: a backup first, then the migrations
(storage/core/formats.py).

The data core runs the migration steps; taking the backup belongs to this package, so whoever opens a
folder for a user (the app, the commands, a restore) passes :func:`backup_before` as
``Database.open(upgrade=...)``, or calls :func:`open_folder`.
"""

from __future__ import annotations

from pathlib import Path

from storage.backup.backups import snapshot
from storage.core.db import Database


def backup_before(path: Path) -> str:
    """The backup a migration starts with (kept even when a check of the old files finds a problem):
    its name goes into the audit entry of the migration."""
    return snapshot(Path(path), "before-update", require_good=False).name


def open_folder(path: Path | str, operator: str | None = None, read_only: bool = False) -> Database:
    """``Database.open`` that brings an older folder up to date (read-only opens never migrate)."""
    return Database.open(path, operator=operator, read_only=read_only,
                         upgrade=None if read_only else backup_before)
