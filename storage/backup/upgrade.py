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
from storage.core.formats import FolderNeedsUpgrade


def backup_before(path: Path) -> str:
    """The backup a migration starts with (kept even when a check of the old files finds a problem):
    its name goes into the audit entry of the migration."""
    return snapshot(Path(path), "before-update", require_good=False).name


def open_folder(path: Path | str, operator: str | None = None, read_only: bool = False,
                whole: bool = True) -> Database:
    """``Database.open`` that brings an older folder up to date (``whole``: see ``Database.open``).

    A command that only reads (``pilar roster show`` after an update from the stick) finds an older
    folder too: it is brought up to date first, under the folder's lock and after a backup, as a
    writing command would, then opened to read. Should another Pilar hold the folder, that Pilar's
    "in use" sentence is what the user reads; nothing is changed."""
    if not read_only:
        return Database.open(path, operator=operator, upgrade=backup_before, whole=whole)
    try:
        return Database.open(path, operator=operator, read_only=True)
    except FolderNeedsUpgrade:
        writer = Database.open(path, operator=operator, upgrade=backup_before)
        migrated = writer.migrated
        writer.close()
    db = Database.open(path, operator=operator, read_only=True)
    db.migrated = migrated
    return db
