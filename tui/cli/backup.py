"""Command line: ``pilar backup [--to DIR]`` and ``pilar restore --list | BACKUP | ARCHIVE | --latest``.

``--to`` writes one encrypted archive (``storage.backup.archive``): the passphrase comes from
``--passphrase-file``, ``PILAR_BACKUP_PASSPHRASE`` or is typed twice at the terminal (never on the
command line), and/or the archive is sealed to the province's key (``--to-province``).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from storage import backup as backups
from storage.backup import archive as archives
from storage.backup.upgrade import open_folder
from storage.core.config import resolve_data_dir
from storage.core.db import PROVINCE_CODE
from storage.core.errors import PilarError
from storage.core.i18n import t
from tui.cli.common import operator_of
from tui.cli.output import add_format, print_json, print_table, say


def register(sub, common) -> None:
    p = sub.add_parser("backup", parents=[common], help="back up the data folder now (into <data>/backups/)")
    p.add_argument("--reason", default="manual", help="word recorded in the backup's name (default: manual)")
    p.add_argument("--to", metavar="DIR",
                   help="also write the backup, encrypted, as one archive file in DIR (a USB stick or another "
                        "disk); the office's private key is left out")
    p.add_argument("--passphrase-file", metavar="FILE",
                   help="the archive's passphrase is the first line of FILE (or set PILAR_BACKUP_PASSPHRASE; "
                        "at a terminal it is asked twice)")
    p.add_argument("--to-province", action="store_true",
                   help="seal the archive to the province's key too (or only), so the province can restore it")
    add_format(p)
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", parents=[common],
                       help="list the backups, or put one back (the current state is backed up first)")
    p.add_argument("name", nargs="?", metavar="BACKUP",
                   help="the backup to restore: a name from --list, an archive file written by backup --to, "
                        "or a folder copy made by an older Pilar")
    p.add_argument("--list", action="store_true", help="list the backups: name, date, reason, size, verifies")
    p.add_argument("--latest", action="store_true", help="restore the newest backup that verifies")
    p.add_argument("--passphrase-file", metavar="FILE",
                   help="an archive's passphrase is the first line of FILE (or PILAR_BACKUP_PASSPHRASE, or typed)")
    p.add_argument("--province-data", metavar="DIR",
                   help="at the province: open an archive sealed to the province with the key of this data folder")
    p.add_argument("--enrol", metavar="FILE",
                   help="after the restore (or alone), give a folder without keys new ones from the province's "
                        "enrolment file")
    p.add_argument("--yes", action="store_true", help="the province key fingerprint was compared; do not ask")
    add_format(p)
    p.set_defaults(handler=cmd_restore)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _given_passphrase(args) -> str | None:
    """The passphrase from --passphrase-file or PILAR_BACKUP_PASSPHRASE (never a plain option)."""
    if getattr(args, "passphrase_file", None):
        return archives.read_passphrase_file(args.passphrase_file)
    env = os.environ.get(archives.ENV_PASSPHRASE)
    return env if env else None


def _ask(prompt_key: str) -> str:
    return getpass.getpass(t(prompt_key))


def _new_passphrase(args) -> str | None:
    """The passphrase for a new archive (checked), asked twice at a terminal; None: none wanted."""
    given = _given_passphrase(args)
    if given is None and not args.to_province:
        if not sys.stdin.isatty():
            raise PilarError("archive.need_secret", path=str(args.to))
        given = _ask("archive.passphrase_prompt")
        if _ask("archive.passphrase_again") != given:
            raise PilarError("archive.passphrase_mismatch")
    if given is not None:
        archives.check_new_passphrase(given)
    return given


def cmd_backup(args) -> int:
    path = resolve_data_dir(args.data)
    passphrase = province = None
    if args.to:
        # Every question is asked before anything is written.
        if args.to_province:
            province = archives.province_recipient(path)
        passphrase = _new_passphrase(args)
    elif args.to_province or args.passphrase_file:
        raise PilarError("archive.need_to")
    # The backup copies the files: the folder is opened to hold it still (the lock), not to read every
    # record, so the big collections' parts stay on disk (issue 25: 949 MB at 100,000 members before).
    db = open_folder(path, operator=operator_of(args), whole=False)
    try:
        b = backups.backup_now(db, args.reason)
    finally:
        db.close()
    result = archives.write_archive(b, args.to, passphrase=passphrase, province=province) if args.to else None
    if args.format == "json":
        archive = None
        if result is not None:
            archive = {"path": str(result.path), "size": result.size, "seconds": round(result.seconds, 3),
                       "files": result.files, "passphrase": result.passphrase,
                       "province": (result.province or {}).get("code")}
        print_json(b.as_dict() | {"path": str(b.path), "archive": archive})
        return 0
    say(t("backup.done", name=b.name, size=human_size(b.size), files=len(b.meta.get("files", {})),
          path=str(b.path.parent)))
    if result is not None:
        say(t("archive.written", path=str(result.path), size=human_size(result.size), seconds=f"{result.seconds:.1f}"))
        if result.passphrase:
            say(t("archive.opens_with_passphrase"))
        if result.province:
            say(t("archive.opens_at_province", code=result.province.get("code", ""), fp=result.province.get("fp", "")))
    return 0


def _province_keys(args):
    if not getattr(args, "province_data", None):
        return None
    from storage.office.keys import load_own

    folder = Path(args.province_data).expanduser()
    keys = load_own(folder)
    if keys is None:
        raise PilarError("archive.province_keys_missing", path=str(folder))
    return keys


def _restore_archive(path: Path, file: str, args) -> backups.RestoreResult:
    keys = _province_keys(args)
    passphrase = _given_passphrase(args)
    if passphrase is None and keys is None:
        header, _, _ = archives.read_header(file)
        if "passphrase" in archives.kinds(header) and sys.stdin.isatty():
            passphrase = _ask("archive.passphrase_prompt")
    return archives.restore_archive(path, file, passphrase=passphrase, keys=keys, operator=operator_of(args) or "")


def _enrol(path: Path, file: str, args) -> None:
    """A folder without keys (restored from an archive) set up again from the province's enrolment file."""
    from storage.office import keys as office_keys
    from storage.sync import engine
    from tui.cli.sync import confirm

    body = office_keys.read_enrolment(Path(file).expanduser())
    db = open_folder(path, operator=operator_of(args))
    try:
        found = body["office"]["code"]
        if found != db.code:
            raise PilarError("archive.enrol_other_office", path=str(file), found=found, expected=db.code)
        own = office_keys.load_own(db.path)
        if own is not None:
            raise PilarError("archive.enrol_has_keys", fp=own.fp)
        say(t("sync.enrol_confirm", code=found, name=body["office"].get("name", ""), fp=body["province"]["fp"]))
        confirm(args.yes)
        keys = engine.setup_from_enrolment(db, body)
    finally:
        db.close()
    say(t("archive.enrolled", code=db.code, fp=keys.fp, province=body["province"].get("code", PROVINCE_CODE)))


def cmd_restore(args) -> int:
    path = resolve_data_dir(args.data).expanduser().resolve()
    if args.list or (not args.name and not args.latest):
        if args.enrol and not args.list:
            _enrol(path, args.enrol, args)
            return 0
        if not args.list:
            raise PilarError("backup.need_name")
        return _list(path, args.format)
    name = args.name
    if args.latest:
        newest = backups.newest_good_backup(path)
        if newest is None:
            raise PilarError("backup.hint_none", path=str(backups.backups_dir(path)))
        name = newest.name
    from_archive = not args.latest and archives.is_archive(name)
    if from_archive:
        result = _restore_archive(path, name, args)
    else:
        result = backups.restore(path, name, operator=operator_of(args) or "")
    keyless = from_archive and not archives.has_office_key(path)
    if args.format == "json":
        print_json({"restored": result.restored.as_dict(),
                    "safety": result.safety.as_dict() if result.safety else None,
                    "replica_id": result.replica_id, "office_key": archives.has_office_key(path)})
    else:
        say(t("backup.restored", name=result.restored.name, created=_date(result.restored.created)))
        if result.safety is not None:
            say(t("backup.safety", name=result.safety.name))
        if result.erased_again:
            say(t("privacy.erase_again", n=result.erased_again))
        say(t("backup.new_replica", replica=result.replica_id))
    if args.enrol:
        _enrol(path, args.enrol, args)
    elif keyless and args.format != "json":
        province = result.restored.office == PROVINCE_CODE
        say(t("archive.no_keys_province" if province else "archive.no_keys", code=result.restored.office))
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
