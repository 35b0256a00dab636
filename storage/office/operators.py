"""Who is on duty: the operator named in the audit log, changed inside one app session (Ganti petugas).

A data folder remembers at most one name (office.json ``operator``) and the names used on it so far
(``operators_used``, a short list), so that "remember this name" is not ticked by default on a PC that
several clerks share.
"""

from __future__ import annotations

from storage.core.db import Database, write_office
from storage.core.errors import PilarError

MAX_NAMES = 30  # the names kept in office.json: enough for an office's clerks, never a growing log


def clean_name(text: object) -> str:
    """'  Siti   Aminah ' -> 'Siti Aminah'."""
    return " ".join(str(text or "").split())


def names_used(office: dict) -> list[str]:
    """The names used on this folder, the remembered one included, oldest first."""
    names = [clean_name(n) for n in office.get("operators_used") or [] if clean_name(n)]
    remembered = clean_name(office.get("operator"))
    if remembered and remembered.casefold() not in {n.casefold() for n in names}:
        names.insert(0, remembered)
    return names


def remember_by_default(office: dict, changing: bool) -> bool:
    """Whether "remember this name" starts ticked: only for the first name ever given on this folder.
    A change of clerk means the PC is shared, and so does a second name."""
    return not changing and not names_used(office)


def set_operator(db: Database, name: str, remember: bool) -> str:
    """Make ``name`` the operator of ``db`` from now on; returns the cleaned name.

    A change from one name to another is audited (``operator.change``, under the new name). The name
    joins the folder's ``operators_used``; ``remember`` keeps it for the next start, and unticked no name
    is remembered, so that the next start asks who is on duty.
    """
    name = clean_name(name)
    if not name:
        raise PilarError("ui.operator.empty")
    before = clean_name(db.operator)
    db.operator = name
    if before and before != name and not db.read_only:
        db.record_note("operator.change", "office", db.code, note=f"{before} -> {name}")
    if db.read_only:
        return name
    office = dict(db.office)
    used = names_used(office)
    if name.casefold() not in {n.casefold() for n in used}:
        used.append(name)
    office["operators_used"] = used[-MAX_NAMES:]
    office["operator"] = name if remember else ""
    if office != db.office:
        write_office(db.path, office)
        db.office = office
    return name
