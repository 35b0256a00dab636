"""Command line: ``pilar backup`` and ``pilar restore --list | BACKUP | --latest``."""

from __future__ import annotations

from storage import backup as backups
from storage.config import resolve_data_dir
from storage.db import Database
from storage.errors import PilarError
from storage.i18n import t
from tui.cli.common import operator_of
from tui.cli.output import add_format, print_json, print_table, say


def register(sub, common) -> None:
    p = sub.add_parser("backup", parents=[common], help="back up the data folder now (into <data>/backups/)")
    p.add_argument("--reason", default="manual", help="word recorded in the backup's name (default: manual)")
    p.add_argument("--to", metavar="DIR", help="also copy the backup to DIR (a USB stick or another disk)")
    add_format(p)
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", parents=[common],
                       help="list the backups, or put one back (the current state is backed up first)")
    p.add_argument("name", nargs="?", metavar="BACKUP",
                   help="the backup to restore (a name from --list, or a copy's folder made by backup --to)")
    p.add_argument("--list", action="store_true", help="list the backups: name, date, reason, size, verifies")
    p.add_argument("--latest", action="store_true", help="restore the newest backup that verifies")
    add_format(p)
    p.set_defaults(handler=cmd_restore)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def cmd_backup(args) -> int:
    path = resolve_data_dir(args.data)
    db = Database.open(path, operator=operator_of(args))
    try:
        b = backups.backup_now(db, args.reason)
    finally:
        db.close()
    copy = backups.copy_out(b, args.to) if args.to else None
    if args.format == "json":
        print_json(b.as_dict() | {"path": str(b.path), "copy": str(copy) if copy else None})
        return 0
    say(t("backup.done", name=b.name, size=human_size(b.size), files=len(b.meta.get("files", {})),
          path=str(b.path.parent)))
    if copy is not None:
        say(t("backup.copied", path=str(copy)))
    return 0


def cmd_restore(args) -> int:
    path = resolve_data_dir(args.data).expanduser().resolve()
    if args.list or (not args.name and not args.latest):
        if not args.list:
            raise PilarError("backup.need_name")
        return _list(path, args.format)
    name = args.name
    if args.latest:
        newest = backups.newest_good_backup(path)
        if newest is None:
            raise PilarError("backup.hint_none", path=str(backups.backups_dir(path)))
        name = newest.name
    result = backups.restore(path, name, operator=operator_of(args) or "")
    if args.format == "json":
        print_json({"restored": result.restored.as_dict(),
                    "safety": result.safety.as_dict() if result.safety else None,
                    "replica_id": result.replica_id})
        return 0
    say(t("backup.restored", name=result.restored.name, created=_date(result.restored.created)))
    if result.safety is not None:
        say(t("backup.safety", name=result.safety.name))
    say(t("backup.new_replica", replica=result.replica_id))
    return 0


def _date(created: str) -> str:
    return created[:19].replace("T", " ") if created else "?"


def _list(path, fmt: str) -> int:
    items = backups.list_backups(path)
    if fmt == "json":
        print_json({"path": str(backups.backups_dir(path)), "backups": [b.as_dict() for b in items]})
        return 0
    if not items:
        say(t("backup.none", path=str(backups.backups_dir(path))))
        return 0
    rows = [[b.name, _date(b.created), b.reason, human_size(b.size),
             t("backup.yes") if b.good else f"{t('backup.no')}: {b.problems[0] if b.problems else '?'}"]
            for b in items]
    print_table(rows, [t("backup.col.name"), t("backup.col.date"), t("backup.col.reason"),
                       t("backup.col.size"), t("backup.col.good")])
    return 0
