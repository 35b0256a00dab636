"""Every in-memory index of a data folder, declared in one place (key -> set of record ids, kept on
every write of the collection, built when first asked for): the members' NIK and membership number,
the invitations of an event. :class:`storage.core.db.Database` reads this table; nothing registers
an index by being imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.core.text import norm_number

IndexFunc = Callable[[dict], Any]


def member_number(value: dict) -> str | None:
    """The member's membership number as the door's check-in reads it (of the active assignment, else the first)."""
    # Called for every member when a folder opens (100k at the province): kept to plain lookups.
    assignments = value.get("assignments")
    if not assignments:
        return None
    a = next((x for x in assignments if x.get("status") == "ACTIVE"), assignments[0])
    number = a.get("number")
    return norm_number(number) or None if number else None


INDEXES: dict[str, dict[str, IndexFunc]] = {
    "members": {"nik": lambda v: v.get("nik") or None, "number": member_number},
    "invitations": {"event": lambda v: v.get("event_id") or None},
}


def active_keys(value: dict) -> set[str]:
    """The keys of a member's active assignments in the persisted index validation's roster rules read
    (storage/core/db.py: ``ACTIVE_INDEX``): ``PILLAR|POSITION|kab|CODE`` and, for an assignment bound to a
    kecamatan, ``PILLAR|POSITION|kec|CODE``. "Active" as the roster reads it: status ACTIVE exactly."""
    keys: set[str] = set()
    for a in value.get("assignments") or ():
        if a.get("status") != "ACTIVE":
            continue
        head = f"{a.get('pillar') or ''}|{a.get('position') or ''}|"
        keys.add(head + "kab|" + (a.get("area_kab") or ""))
        if a.get("area_kec"):
            keys.add(head + "kec|" + a["area_kec"])
    return keys


def active_key_matches(key: str, pillar: str, position: str | None, level: str, code: str) -> bool:
    """Whether a persisted key answers ``RosterView.active_assignments(pillar, position, kab|kec=code)``
    (``position`` None: any position)."""
    k_pillar, k_position, k_level, k_code = key.split("|", 3)
    return k_pillar == pillar and k_level == level and k_code == code and position in (None, k_position)
