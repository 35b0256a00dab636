"""Personal numbers: which fields hold them and how they are shown masked. One list, one masker, for
the audit log, the conflict and duplicate views and every printed or shown number."""

from __future__ import annotations

import re
from typing import Any

# The fields that never appear in clear in a log or a shared view (a nested field by its dotted path).
SENSITIVE_FIELDS = ("nik", "bank.account", "phone", "bpjs_tk", "npwp")
# A field is sensitive when its last name is one of these ('bank.account', 'account', 'assignments[0].nik').
_LAST_NAMES = frozenset(name.rpartition(".")[2] for name in SENSITIVE_FIELDS)
# Free text a clerk types about a member (issue 23: a second phone number, "NIK lama …", "rek. BRI …").
# Its words stay readable in the log and the shared views; any long number in it is masked like a NIK.
FREE_TEXT_FIELDS = ("note",)
_FREE_TEXT = frozenset(FREE_TEXT_FIELDS)
# A run of at least 6 digits, allowing the spaces, dots and dashes people type inside numbers
# ("0857 1234 5678", "3578.0141.0785.0001", "123-456-7890").
_LONG_NUMBER = re.compile(r"\+?\d(?:[ .\-]?\d){5,}")


def is_sensitive(name: str) -> bool:
    """Whether the field ``name`` (plain or dotted) holds a personal number."""
    return name.rpartition(".")[2] in _LAST_NAMES


def is_free_text(name: str) -> bool:
    """Whether the field ``name`` is free text that may hold personal numbers (masked inside)."""
    return name.rpartition(".")[2] in _FREE_TEXT


def mask(value: Any, keep: int = 4) -> Any:
    """All but the last ``keep`` characters hidden ('3578014107850001' -> '************0001'); a value
    that short is hidden whole. None and '' stay as they are."""
    if value is None or value == "":
        return value
    text = str(value)
    if len(text) <= keep:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[-keep:]


def mask_numbers(value: Any) -> Any:
    """Free text with every long number in it masked ('HP lain 0857 1234 5678' -> 'HP lain ********5678');
    the words stay. None and '' stay as they are."""
    if value is None or value == "" or not isinstance(value, str):
        return value
    return _LONG_NUMBER.sub(lambda m: mask(re.sub(r"[ .\-+]", "", m.group(0))), value)


def masked(name: str, value: Any) -> Any:
    """A field's value as a log or a shared view may hold it: a personal number masked, free text with
    its numbers masked, anything else as it is."""
    if is_sensitive(name):
        return mask(value)
    if is_free_text(name):
        return mask_numbers(value)
    return value
