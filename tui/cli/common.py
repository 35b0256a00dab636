"""Opening the data folder for a command."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from storage.backup.upgrade import open_folder
from storage.core.config import resolve_data_dir
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.formats import migrated_sentence


def operator_of(args) -> str | None:
    return getattr(args, "operator", None) or os.environ.get("PILAR_OPERATOR")


@contextmanager
def open_db(args, read_only: bool = False) -> Iterator[Database]:
    """The data folder named by --data / PILAR_DATA, locked for writing unless ``read_only``."""
    # A writing command reads the parts of the big collections it needs, when it needs them (issue 25):
    # a 1-record import reads the part of that record, not 100,000 members.
    db = open_folder(resolve_data_dir(args.data), operator=operator_of(args), read_only=read_only, whole=False)
    if db.migrated:
        print(migrated_sentence(db.migrated), file=sys.stderr)
    if not read_only:
        daily_backup(db)
    try:
        yield db
    except PilarError as exc:  # after a commit: the change is saved, and the sentence says so (exit 3)
        raise db.saved_but(exc) from exc
    finally:
        # a small journal stays for the next open (storage.core.db.Database.close): a one-member command
        # does not rewrite the collection files it touched
        db.close(fold=False)


def report_subparsers(sub, common):
    """The subcommands of the shared ``pilar report KIND`` (events and payouts each add their kinds)."""
    parser = sub.choices.get("report")
    if parser is None or getattr(parser, "later", False):  # absent, or only listed (tui.cli.build_parser)
        if parser is None:
            parser = sub.add_parser("report", parents=[common], help="printable reports (attendance, payouts, …)")
        parser.later = False
        parser.set_defaults(_report_sub=parser.add_subparsers(dest="report", metavar="REPORT", required=True))
    return parser.get_default("_report_sub")


def daily_backup(db: Database) -> None:
    """The daily backup, taken when a folder is opened for writing; a failure is a warning only."""
    from storage.backup import daily_due, maybe_daily
    from storage.core.errors import PilarError
    from storage.core.i18n import t

    try:
        if daily_due(db):
            print(t("backup.daily_running"), file=sys.stderr, flush=True)
            maybe_daily(db)
    except PilarError as exc:
        print(t("backup.daily_failed", problem=str(exc)), file=sys.stderr)
