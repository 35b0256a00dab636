"""The ``pilar`` command: every operation that does not need a screen, plus starting the app.

Each area registers its subcommands from its own module (``register(subparsers)``); a handler
takes the parsed arguments and returns the exit code. Errors the user can fix are one sentence on
stderr with exit code 1; wrong usage exits 2 (argparse); 3 when the change was saved and something after
it failed (the audit append, the fold into the data files: storage.core.errors.SavedButError): the sentence
says it is saved and what is left to do; 4 when ``pilar check`` found no quiet moment to read a folder another
Pilar kept writing (nothing is said to be damaged).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from storage.core import formats, i18n
from storage.core.errors import DamagedError, PilarError, SavedButError

# The command areas in the order they register, each with the top-level commands it adds and their help
# (as its register() writes it; tests/cli/test_cli_lazy.py checks the two agree). ``pilar --help`` lists
# these without importing any area, and a command imports only the areas that add to it: the areas
# import most of storage (PDF, spreadsheets, sync), about a second of the command's start.
AREAS = ("core", "sample", "roster", "events", "payouts", "sync", "backup", "summary", "privacy")
COMMANDS: dict[str, dict[str, str]] = {
    "core": {
        "init": "create a data folder for an office",
        "demo": "open the app on the demo data folder",
        "settings": "this office's name and letterhead (city, address, telephone, logo): show, or set the ones given (as F10 in the app)",
        "check": "verify a data folder",
    },
    "sample": {"sample": "demo and synthetic data"},
    "roster": {"roster": "members: list, show, import, add, deactivate"},
    "events": {"event": "events: invitations, check-in, attendance",
               "report": "printable reports (attendance, payouts, …)"},
    "payouts": {"payout": "quarterly payouts: rates, runs, approval, payment"},
    "sync": {
        "office": "offices and their keys (province)",
        "keys": "this office's key",
        "export": "write a sync bundle for another office",
        "import": "import a sync bundle",
        "conflicts": "records edited at two offices at once",
        "sync": "USB drives and bundles on them",
    },
    "backup": {"backup": "back up the data folder now (into <data>/backups/)",
               "restore": "list the backups, or put one back (the current state is backed up first)"},
    "summary": {},  # adds its kinds to ``report``
    "privacy": {"privacy": "personal data (UU PDP): register, requests, erasure, retention, incidents"},
}
# ``pilar report KIND``: every area that adds a kind
REPORT_AREAS = ("events", "payouts", "summary")
# the global options that take a value (argparse also takes any unambiguous prefix of them)
_VALUED = ("--data", "--lang", "--operator")


def _global_options(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument("--data", metavar="DIR", default=default,
                        help="data folder (default: PILAR_DATA or the user data folder)")
    parser.add_argument("--lang", choices=i18n.LANGS, default=default, help="language: id (default) or en")
    parser.add_argument("--operator", metavar="NAME", default=default,
                        help="operator name recorded in the audit log")


class _Parser(argparse.ArgumentParser):
    """argparse's parser; one made for a command whose area was not imported (``later``) takes the rest of
    the command line without reading it and marks the result, so that main() parses again with every area
    (only reached if the command named before parsing was not the one argparse found)."""

    later = False

    def parse_known_args(self, args=None, namespace=None):
        if not self.later:
            return super().parse_known_args(args, namespace)
        namespace = namespace if namespace is not None else argparse.Namespace()
        namespace._later = True
        return namespace, []


def command_of(argv: list[str]) -> str | None:
    """The command a command line names (its first word that is not a global option or an option's value),
    as argparse will find it; None when there is none (the app starts)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":  # argparse's versions differ here: every area
            return arg
        if arg.startswith("-") and arg != "-":
            if arg.startswith("--") and "=" not in arg and len(arg) > 2 \
                    and any(option.startswith(arg) for option in _VALUED):
                i += 2  # --data DIR (or --dat DIR: argparse takes a prefix)
            else:
                i += 1
            continue
        return arg
    return None


def areas_for(command: str | None) -> tuple[str, ...]:
    """The areas a command needs: the one that adds it (every area that adds a kind, for ``report``);
    every area when the command is unknown (argparse then names the choices)."""
    if command == "report":
        return REPORT_AREAS
    for area, commands in COMMANDS.items():
        if command in commands:
            return (area,)
    return AREAS


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``pilar`` parser: with ``argv``, only the areas its command needs are imported (the other
    commands are listed, with their help, and parsed again with every area should argparse pick one); without
    it, every area."""
    # The global options work before or after the subcommand; SUPPRESS keeps a subcommand's
    # absent option from overwriting one given before it.
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)
    parser = _Parser(prog="pilar", description="Pilar: pilar sosial Dinsos Jawa Timur, offline.")
    _global_options(parser, None)
    parser.add_argument("--version", action="version", version=formats.version_line(),
                        help="show the version of Pilar and of its file formats, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if argv is None:
        wanted = AREAS
    else:
        command = command_of(argv)
        wanted = areas_for(command) if command is not None else ()
    for area in AREAS:
        if area in wanted:
            importlib.import_module(f"tui.cli.{area}").register(sub, common)
            continue
        for name, text in COMMANDS[area].items():
            if name not in sub.choices:
                sub.add_parser(name, parents=[common], help=text).later = True
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from tui.cli import console
    from tui.cli import lang as cli_lang

    console.prepare()  # a file or pipe on Windows (cp1252): plain characters, never a traceback

    cli_lang.use(argv)  # --help and usage errors in the chosen language
    parser = build_parser(argv)
    cli_lang.translate_help(parser)
    args = parser.parse_args(argv)
    if getattr(args, "_later", False):  # argparse found another command than command_of(): every area
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
