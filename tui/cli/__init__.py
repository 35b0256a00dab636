"""The ``pilar`` command: every operation that does not need a screen, plus starting the app.

Each area registers its subcommands from its own module (``register(subparsers)``); a handler
takes the parsed arguments and returns the exit code. Errors the user can fix are one sentence on
stderr with exit code 1; wrong usage exits 2 (argparse); 3 when the change was saved and something after
it failed (the audit append, the fold into the data files: storage.core.errors.SavedButError): the sentence
says it is saved and what is left to do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from storage.core import formats, i18n
from storage.core.errors import DamagedError, PilarError, SavedButError

AREAS = ("core", "sample", "roster", "events", "payouts", "sync", "backup", "summary", "privacy")


def _global_options(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument("--data", metavar="DIR", default=default,
                        help="data folder (default: PILAR_DATA or the user data folder)")
    parser.add_argument("--lang", choices=i18n.LANGS, default=default, help="language: id (default) or en")
    parser.add_argument("--operator", metavar="NAME", default=default,
                        help="operator name recorded in the audit log")


def build_parser() -> argparse.ArgumentParser:
    # The global options work before or after the subcommand; SUPPRESS keeps a subcommand's
    # absent option from overwriting one given before it.
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="pilar", description="Pilar: pilar sosial Dinsos Jawa Timur, offline.")
    _global_options(parser, None)
    parser.add_argument("--version", action="version", version=formats.version_line(),
                        help="show the version of Pilar and of its file formats, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in AREAS:
        module = importlib.import_module(f"tui.cli.{area}")
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from tui.cli import console
    from tui.cli import lang as cli_lang

    console.prepare()  # a file or pipe on Windows (cp1252): plain characters, never a traceback

    cli_lang.use(argv)  # --help and usage errors in the chosen language
    parser = build_parser()
    cli_lang.translate_help(parser)
    args = parser.parse_args(argv)
    lang = args.lang or os.environ.get("PILAR_LANG")
    if lang in i18n.LANGS:
        i18n.set_lang(lang)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from tui.cli.core import run_app

            return run_app(args)
        return int(handler(args) or 0)
    except PilarError as exc:
        print(str(exc), file=sys.stderr)
        if isinstance(exc, SavedButError):
            return SavedButError.EXIT_CODE
        if isinstance(exc, DamagedError) and _offer_backup(args, interactive=handler is None):
            from tui.cli.core import run_app

            try:
                return run_app(args)  # restored: the app starts on the restored data
            except PilarError as again:
                print(str(again), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _offer_backup(args, interactive: bool = False) -> bool:
    """A damaged folder is never opened: name the newest good backup (one command restores it).

    When the app was being started at a terminal, offer to restore it right away; True when restored.
    """
    from storage import backup
    from storage.core.config import resolve_data_dir
    from tui.cli.common import operator_of

    path = resolve_data_dir(getattr(args, "data", None))
    from storage.check import audit_only

    if audit_only(path):  # only the audit log: restoring would roll the data back (issue 22)
        print(i18n.t("check.audit_only_hint"), file=sys.stderr)
        return False
    print(backup.damaged_hint(path), file=sys.stderr)
    if not (interactive and sys.stdin.isatty()):
        return False
    newest = backup.newest_good_backup(path)
    if newest is None:
        return False
    print(i18n.t("backup.ask_restore", name=newest.name), end=" ", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "ya", "yes"):
        return False
    try:
        result = backup.restore(path, newest.name, operator=operator_of(args) or "")
    except PilarError as exc:
        print(str(exc), file=sys.stderr)
        return False
    print(i18n.t("backup.restored", name=newest.name, created=newest.created[:16].replace("T", " ")),
          file=sys.stderr)
    if result.safety is not None:
        print(i18n.t("backup.safety", name=result.safety.name), file=sys.stderr)
    if result.erased_again:
        print(i18n.t("privacy.erase_again", n=result.erased_again), file=sys.stderr)
    return True


if __name__ == "__main__":
    sys.exit(main())
