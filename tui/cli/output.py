"""Printing data for the command line: text tables (tabulate), JSON, CSV."""

from __future__ import annotations

import sys
from typing import Any

import orjson

FORMATS = ("text", "json")


def add_format(parser, choices=FORMATS, default="text") -> None:
    parser.add_argument("--format", choices=choices, default=default, help="output format")


def print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    from tabulate import tabulate  # (38 ms to import: not for the commands that print no table)

    sys.stdout.write(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def clip(text: object, limit: int = 80) -> str:
    """Text for a preview cell: at most ``limit`` characters, a longer one cut with its length said
    (a hostile 30,000-character name must not fill the terminal)."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit - 12]}… (+{len(text) - limit + 12})"
