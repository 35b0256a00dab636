"""Personal numbers: which fields hold them and how they are shown masked. One list, one masker, for
the audit log, the conflict and duplicate views and every printed or shown number."""

from __future__ import annotations

from typing import Any

# The fields that never appear in clear in a log or a shared view (a nested field by its dotted path).
SENSITIVE_FIELDS = ("nik", "bank.account", "phone", "bpjs_tk", "npwp")
# A field is sensitive when its last name is one of these ('bank.account', 'account', 'assignments[0].nik').
_LAST_NAMES = frozenset(name.rpartition(".")[2] for name in SENSITIVE_FIELDS)


def is_sensitive(name: str) -> bool:
    """Whether the field ``name`` (plain or dotted) holds a personal number."""
    return name.rpartition(".")[2] in _LAST_NAMES


def mask(value: Any, keep: int = 4) -> Any:
    """All but the last ``keep`` characters hidden ('3578014107850001' -> '************0001'); a value
    that short is hidden whole. None and '' stay as they are."""
    if value is None or value == "":
        return value
    text = str(value)
    if len(text) <= keep:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[-keep:]
