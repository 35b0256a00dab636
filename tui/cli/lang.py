"""The command line in the user's language: argparse's own words ("usage:", "the following arguments are
required") and the commands' help, from the message catalogue (``cli.argparse.*``, ``cli.help.*``).

argparse takes its words through a module-level ``_`` (gettext) when a parser is built and when it
reports an error, so the language is chosen from the command line (``--lang``) or ``PILAR_LANG``
before the parser is built. Help that the catalogue has no entry for stays as written.
"""

from __future__ import annotations

import argparse
import os

from storage.core import i18n
from storage.core.i18n import keys as catalogue
from storage.core.i18n import t

# argparse's own words -> catalogue keys
ARGPARSE = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positional",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.choice",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "expected one argument": "cli.argparse.one",
    "not allowed with argument %s": "cli.argparse.not_with",
    "one of the arguments %s is required": "cli.argparse.one_of",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
}


def _translate(text: str) -> str:
    key = ARGPARSE.get(text)
    return t(key) if key else text


def early_lang(argv: list[str]) -> str | None:
    """The language asked for on the command line (``--lang en`` / ``--lang=en``) or in PILAR_LANG."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in i18n.LANGS else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in i18n.LANGS else None
    env = os.environ.get("PILAR_LANG")
    return env if env in i18n.LANGS else None


def use(argv: list[str]) -> None:
    """Choose the language before the parser is built, and route argparse's words through the catalogue."""
    lang = early_lang(argv)
    if lang:
        i18n.set_lang(lang)
    argparse._ = _translate  # type: ignore[attr-defined]


def translate_help(parser: argparse.ArgumentParser, path: str = "") -> None:
    """Replace the help of ``parser``'s options and subcommands (recursively) by the catalogue's, where it
    has one: ``cli.help.<command path>`` for a command, ``cli.help.<path>.<dest>`` or ``cli.opt.<dest>``
    for an option or a positional argument."""
    known = catalogue()
    if parser.description and f"cli.desc.{path or 'pilar'}" in known:
        parser.description = t(f"cli.desc.{path or 'pilar'}")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                key = f"cli.help.{path + '.' if path else ''}{choice.dest}"
                if key in known:
                    choice.help = t(key)
            for name, sub in action.choices.items():
                translate_help(sub, f"{path}.{name}" if path else name)
        elif action.help != argparse.SUPPRESS:  # an option or a positional argument, with help or without
            for key in (f"cli.help.{path}.{action.dest}", f"cli.opt.{action.dest}"):
                if key in known:
                    action.help = t(key)
                    break
