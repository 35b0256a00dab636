"""Account-number rules by the member's own bank, read from the bank templates
(``storage/payouts/bank_templates/*.json``, read as data: the domain does not import payouts). A
template's ``banks`` lists the names a member's bank field may carry ("Bank Jatim", "BPD Jatim", ...)
and its ``account_length`` is that bank's rule. A bank no template names keeps 6 to 20 digits."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import orjson

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "payouts" / "bank_templates"
GENERAL_LENGTH = (6, 20)
_SEPARATORS = re.compile(r"[\s.\-]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@functools.cache
def templates() -> dict[str, dict]:
    """Every shipped template by id (``jatim``, ``generic``)."""
    found = {}
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        tpl = orjson.loads(path.read_bytes())
        found[tpl["id"]] = tpl
    return found


def clean_account(account: object) -> str:
    """The account as the bank reads it: spaces, dots and dashes removed (anything else is kept, and refused)."""
    return _SEPARATORS.sub("", str(account or ""))


def _key(name: object) -> str:
    return " ".join(_NOT_WORD.sub(" ", str(name or "").casefold()).split())


@functools.cache
def _by_name() -> dict[str, dict]:
    return {_key(name): tpl for tpl in templates().values() for name in tpl.get("banks", ())}


def rule_for(bank_name: object) -> dict | None:
    """The template whose bank the member's bank field names ("bank jatim", "BPD Jatim"), or None."""
    return _by_name().get(_key(bank_name))


def need_text(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def length_problem(account: object, bank_name: object) -> dict | None:
    """{"count", "need", "bank"} when the account's digits are not as long as the member's bank (or the
    general rule) requires; None when they are, or when the account is not all digits (said elsewhere)."""
    digits = clean_account(account)
    if not digits.isdigit():
        return None
    rule = rule_for(bank_name)
    low, high = rule["account_length"] if rule else GENERAL_LENGTH
    if low <= len(digits) <= high:
        return None
    return {"count": len(digits), "need": need_text(low, high), "bank": rule["name"] if rule else ""}
