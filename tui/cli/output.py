"""Printing data for the command line: text tables (tabulate), JSON, CSV."""

from __future__ import annotations

import sys
from typing import Any

import orjson
from tabulate import tabulate

FORMATS = ("text", "json")


def add_format(parser, choices=FORMATS, default="text") -> None:
    parser.add_argument("--format", choices=choices, default=default, help="output format")


def print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    sys.stdout.write(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
