"""Issue 14 item 18: every option and argument of every ``pilar`` subcommand has its help in Indonesian
(the default) and English, from the catalogue (tui/cli/lang.py, storage/messages/cli_*.py)."""

from __future__ import annotations

import argparse

import pytest

from storage.core import i18n
from storage.core.i18n import keys as catalogue
from tui.cli import build_parser
from tui.cli import lang as cli_lang


def untranslated(parser: argparse.ArgumentParser, path: str = "") -> list[str]:
    """Help texts of ``parser`` (and its subcommands) the catalogue has no entry for."""
    known, out = catalogue(), []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help and f"cli.help.{path + '.' if path else ''}{choice.dest}" not in known:
                    out.append(f"{path} {choice.dest}".strip())
            for name, sub in action.choices.items():
                out += untranslated(sub, f"{path}.{name}" if path else name)
        elif action.help not in (None, argparse.SUPPRESS) and action.dest != "help":
            if f"cli.help.{path}.{action.dest}" not in known and f"cli.opt.{action.dest}" not in known:
                out.append(f"{path} {action.dest}")
    return out


def test_every_option_and_argument_has_catalogue_help():
    assert untranslated(build_parser()) == []


def test_options_written_without_help_get_it_from_the_catalogue():
    parser = build_parser()
    cli_lang.translate_help(parser)
    missing = []

    def walk(p: argparse.ArgumentParser, path: str = "") -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path}.{name}" if path else name)
            elif action.help is None:
                missing.append(f"{path} {action.dest}")

    walk(parser)
    assert missing == []
    export = parser._subparsers._group_actions[0].choices["export"]
    assert next(a for a in export._actions if a.dest == "to").help == i18n.t("cli.help.export.to") \
        == "kode kantor penerima (UPT: JATIM)"


@pytest.mark.parametrize("lang, words", [
    ("id", ["satu referensi transfer bank untuk semua item", "format keluaran", "kegiatan tempat uang tunai"]),
    ("en", ["one bank transfer reference for every item", "output format", "the event where cash was handed"]),
])
def test_option_help_in_the_chosen_language(lang, words, capsys):
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["--lang", lang, "payout", "pay", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert all(w in out for w in words), out
    other = "en" if lang == "id" else "id"
    assert i18n.t("cli.help.payout.pay.transfer_ref", lang=other) not in out


def test_a_positional_argument_is_translated_and_a_percent_sign_survives(capsys):
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["conflicts", "merge", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "anggota yang tetap" in out and "the member that stays" not in out
    with pytest.raises(SystemExit):
        main(["payout", "rate", "set", "--help"])
    assert "dari 50% bruto" in " ".join(capsys.readouterr().out.split())


def test_translate_help_leaves_help_without_an_entry_as_written():
    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--zzz-unknown", help="as written")
    parser.add_argument("thing", help="also as written")
    cli_lang.translate_help(parser, "nothing")
    helps = {a.dest: a.help for a in parser._actions}
    assert helps["zzz_unknown"] == "as written" and helps["thing"] == "also as written"
