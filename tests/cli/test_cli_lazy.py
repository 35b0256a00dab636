"""Issue 25: `pilar` imports a command area only when its command is used (`pilar --help` and `pilar roster
show` no longer import payouts, sync, PDF and spreadsheet writers), and parses every command line exactly as
the parser with every area does."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

import tui.cli as cli
from storage.core import i18n
from tests.support.roster import make_folder
from tui.cli import AREAS, COMMANDS, build_parser, command_of, main


def top_commands(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    sub = parser._subparsers._group_actions[0]
    return [(choice.dest, choice.help) for choice in sub._choices_actions]


def test_the_listed_commands_are_those_the_areas_register():
    listed = [(name, text) for area in AREAS for name, text in COMMANDS[area].items()]
    assert top_commands(build_parser()) == listed
    assert top_commands(build_parser(["--help"])) == listed
    # each area adds the commands listed for it (report: events first, the others add kinds)
    for area in AREAS:
        parser = build_parser([next(iter(COMMANDS[area]), "report")])
        sub = parser._subparsers._group_actions[0]
        for name in COMMANDS[area]:
            assert not getattr(sub.choices[name], "later", False), (area, name)


@pytest.mark.parametrize("argv, command", [
    (["roster", "show", "1"], "roster"),
    (["--data", "/tmp/x", "roster", "show", "1"], "roster"),
    (["--data=/tmp/x", "--lang", "en", "report", "summary"], "report"),
    (["--dat", "/tmp/x", "backup"], "backup"),  # argparse takes an unambiguous prefix
    (["--oper", "roster", "backup", "--reason", "x"], "backup"),  # an operator called "roster"
    (["--version"], None),
    (["--data", "/tmp/x"], None),
    (["--", "check"], "--"),  # argparse 3.11 takes "--" for the command, later ones "check": every area
    ([], None),
])
def test_the_command_is_found_as_argparse_finds_it(argv, command):
    assert command_of(argv) == command
    if command not in (None, "--"):
        args = build_parser().parse_args(argv)
        assert args.command == command


ARGVS = [
    ["--data", "/tmp/x", "roster", "show", "3511", "--reveal"],
    ["roster", "list", "--format", "json", "--operator", "Siti"],
    ["--lang", "en", "report", "payouts", "--quarter", "2025-Q1", "--doc", "nominatif"],
    ["report", "summary"],
    ["report", "realisasi", "--year", "2025"],
    ["payout", "pagu", "set", "--year", "2025", "--funding", "APBN", "--amount", "1000"],
    ["import", "bundle.pilar"],
    ["backup", "--reason", "before"],
    ["restore"],
    ["check", "--format", "json"],
    ["--oper", "roster", "backup"],
    ["privacy", "register"],
    ["sample", "generate", "--members", "10"],
    ["--", "check"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) for a in ARGVS])
def test_a_command_parses_as_with_every_area(argv):
    def parsed(parser) -> dict:  # the report subparsers object is the parser's own
        return {k: v for k, v in vars(parser.parse_args(argv)).items() if k != "_report_sub"}

    try:
        full = parsed(build_parser())
    except SystemExit:  # not a valid command line for this version: both must refuse it alike
        with pytest.raises(SystemExit):
            build_parser(argv).parse_args(argv)
        return
    lazy = parsed(build_parser(argv))
    assert lazy == full
    assert "_later" not in lazy


def test_a_command_argparse_finds_elsewhere_is_parsed_again_with_every_area(tmp_path, monkeypatch, capsys):
    make_folder(tmp_path / "data").close()
    # the command named before parsing is wrong: "backup" is only listed, and main() parses again
    args = build_parser(["roster"]).parse_args(["backup", "--reason", "x"])
    assert args._later is True
    monkeypatch.setattr(cli, "command_of", lambda argv: "roster")
    assert main(["--data", str(tmp_path / "data"), "check"]) == 0
    assert "check" not in capsys.readouterr().err
    i18n.set_lang("id")


def imported_after(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter has imported once ``pilar ARGV`` has run."""
    code = ("import sys\nfrom tui.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120)
    return set(run.stderr.strip().splitlines()[-1].split())


def test_help_imports_no_command_area():
    loaded = imported_after(["--help"])
    assert not {f"tui.cli.{area}" for area in AREAS} & loaded
    assert not {"fpdf", "openpyxl", "storage.payouts", "storage.sync.engine", "textual"} & loaded


def test_a_roster_command_imports_the_roster_area_only(tmp_path):
    data = tmp_path / "data"
    make_folder(data).close()
    loaded = imported_after(["--data", str(data), "roster", "show", "3500000000000000"])
    assert "tui.cli.roster" in loaded and "storage.roster" in loaded
    others = {f"tui.cli.{area}" for area in AREAS if area != "roster"}
    assert not others & loaded
    assert not {"fpdf", "openpyxl", "storage.sync.engine", "textual"} & loaded
