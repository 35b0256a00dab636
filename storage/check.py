"""``pilar check``: verify a data folder and say exactly what is wrong.

Opening the folder already verifies every collection file (parse, schema version, checksum,
office, count) and the journal; this adds the audit chain and the references between records.
Other areas add their own checks with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storage.db import Database
from storage.errors import PilarError
from storage.i18n import t

Checker = Callable[[Database], list[str]]
_CHECKERS: list[Checker] = []


def register(func: Checker) -> Checker:
    _CHECKERS.append(func)
    return func


@register
def _audit_chain(db: Database) -> list[str]:
    return [t("check.audit_broken", file=str(db.audit.path), where=p)
            for p in db.audit.verify(db.manifest.get("audit"))]


@register
def _indexes(db: Database) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for value in db.values("members"):
        nik = value.get("nik")
        if nik and nik in seen:
            problems.append(t("check.duplicate_nik", a=seen[nik], b=value["id"]))
        elif nik:
            seen[nik] = value["id"]
    for nik, ids in db.index("members", "nik").items():
        if seen.get(nik) not in ids:
            problems.append(t("check.index_stale", index="nik", key="…" + str(nik)[-4:]))
    return problems


@register
def _references(db: Database) -> list[str]:
    problems = []
    offices = {v.get("code") for v in db.values("offices")} | {db.code}
    for value in db.values("members"):
        for a in value.get("assignments", []):
            if a.get("office") and a["office"] not in offices:
                problems.append(t("check.unknown_office", member=value["id"], office=a["office"]))
    return problems


def run_checks(path: Path) -> list[str]:
    """Every problem found in the folder, as sentences; empty when the folder is sound."""
    try:
        db = Database.open(path, read_only=True)
    except PilarError as exc:
        return [str(exc)]
    problems: list[str] = []
    for checker in _CHECKERS:
        problems.extend(checker(db))
    return problems
