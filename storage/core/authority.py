"""Who may write what: the one authority table of Pilar, used by every write and every import.

The same function decides at both ends, so a UPT never makes a change the province would refuse:

- ``Transaction.put`` / ``delete`` at a UPT ask :func:`check` before staging a version (the form or
  the command says who can make the change instead);
- ``storage.sync.engine`` asks it for every version a UPT's bundle brings to the province, with the
  **signed sender** of the bundle as the writer and the record **as the province already holds it**
  as the base; nothing inside the incoming version (its ``office`` field, an assignment naming the
  sender) grants a right.

The province writes everything (it is the root of trust and relays what it accepted). A UPT writes:

========================  ============================  =====================================================
record (collection)       may create                    may change / delete
========================  ============================  =====================================================
office (offices)          province                      province
office key, trust list    province (signed list)        province
rate (rates)              province                      province
signer, setting           province                      province
run (runs)                province                      province
payout item (payouts_*)   province                      province: approval, paid, void, return, reissue
event (events)            its organiser (owner)         the organiser: every field; ``office`` stays the owner
invitation, attendance    the event's organiser         the event's organiser (invite, check-in, izin/alpa)
privacy (privacy)         any office, owned by itself   the owner (a request's status, an incident's notice)
erasure (any record)      province                      province only; an erased record takes no UPT write
member (members)          a UPT, owned by itself, with  the owner: personal fields (name, NIK, bank, phone…)
                          assignments at itself only    and assignments at the owner; another UPT named by an
                                                        assignment the record already holds: only its own
                                                        assignments (change, deactivate, remove); delete: the
                                                        owner, when no other office's assignment is on it
========================  ============================  =====================================================

Moving an assignment to another office, adding one at another office, or anything on another
office's assignment is the province's (``authority.assignment_other``).

The *base* of a change is the set of standing versions held here: a field a writer may not change
must keep the value of one of them (resolving a conflict picks among siblings). A concurrent change
that differs from every held version in such a field is refused: the receiver cannot tell it from a
forgery; the writer's office is told and gets the province's copy back.
"""

from __future__ import annotations

from collections.abc import Callable

PROVINCE = "JATIM"
PROVINCE_ONLY = frozenset({"offices", "rates", "runs", "settings"})


def province_only(collection: str) -> bool:
    return collection in PROVINCE_ONLY or collection.startswith("payouts_")


class Refusal:
    """Why a writer may not make a change: a message key and its parameters (storage/messages/sync.py)."""

    __slots__ = ("key", "params", "reason")

    def __init__(self, key: str, reason: str, **params: object) -> None:
        self.key = key
        self.reason = reason
        self.params = params

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Refusal({self.key}, {self.params})"

    def params_for_message(self) -> dict:
        params = dict(self.params)
        if "what" in params:
            from storage.messages.authority import what

            params["what_id"], params["what_en"] = what(str(params["what"]))
        return params

    def error(self):
        """The refusal as the PilarError a form or a command shows."""
        from storage.core.errors import PilarError

        return PilarError(self.key, **self.params_for_message())

    def message(self) -> str:
        return str(self.error())


def _bases(doc: dict | None) -> list[dict]:
    """The data of the standing, live versions of a held document."""
    if doc is None:
        return []
    return [v["data"] for v in doc["v"] if not v["deleted"]]


def check(collection: str, writer: str, doc: dict | None, data: dict | None, deleted: bool,
          owner: str, event_owner: Callable[[str], str | None] | None = None) -> Refusal | None:
    """None when office ``writer`` may write this version of a record, else the :class:`Refusal`.

    ``doc``: the record as this office holds it (None when new here); ``owner``: the record's owner
    (the held one when held); ``data``/``deleted``: the new version; ``event_owner(event_id)``: the
    organiser of an event this office holds (for invitations).
    """
    if writer == PROVINCE:
        return None
    # Who may purge (issue 27): an erasure of personal data is the province's alone, and a record it
    # erased takes no other office's write (such a write would only be dropped by the merge).
    if isinstance(data, dict) and data.get("erased"):
        return Refusal("authority.erase_province", "erase_province", office=writer)
    if doc is not None and any(isinstance(v.get("data"), dict) and v["data"].get("erased") for v in doc["v"]):
        return Refusal("authority.erased", "erased", office=writer)
    if collection == "privacy":
        # A person's request or an incident is recorded by the office it came to, which owns it.
        if owner != writer:
            return Refusal("authority.not_owner", "not_owner", office=writer, owner=owner)
        return None
    if doc is None and collection == "members" and not deleted:
        # A new member (the bulk of a first bundle): its owner is its creator, and every assignment
        # is at the creator. (The same rule as in ``_member``, without building its bases.)
        if owner != writer:
            return Refusal("authority.not_owner", "not_owner", office=writer, owner=owner)
        raw = (data or {}).get("assignments")
        for a in raw if isinstance(raw, list) else ():
            if isinstance(a, dict) and a.get("office") != writer:
                return Refusal("authority.assignment_other", "assignment_other", office=writer,
                               other=a.get("office") or "?")
        return None
    if province_only(collection):
        return Refusal("authority.province_only", "province_only", office=writer, what=collection)
    if collection == "members":
        return _member(writer, owner, _bases(doc), doc, data or {}, deleted)
    if collection == "events":
        if owner != writer:
            return Refusal("authority.not_owner", "not_owner", office=writer, owner=owner)
        if not deleted and (data or {}).get("office", owner) != owner:
            return Refusal("authority.event_office", "event_office", office=writer, owner=owner)
        return None
    if collection == "invitations":
        event_id = (data or {}).get("event_id") or next((b.get("event_id") for b in _bases(doc)), None)
        organiser = event_owner(event_id) if (event_owner and event_id) else None
        if organiser is None:
            return Refusal("authority.event_unknown", "event_unknown", office=writer)
        if organiser != writer or owner != organiser:
            return Refusal("authority.event_owner", "event_owner", office=writer, owner=organiser)
        return None
    return Refusal("authority.province_only", "province_only", office=writer, what=collection)


def _akey(a: dict, i: int) -> str:
    return a.get("id") or f"#{i}"


def _assignments(data: dict) -> dict[str, dict]:
    raw = data.get("assignments")
    if not isinstance(raw, list):
        return {}
    return {_akey(a, i): a for i, a in enumerate(raw) if isinstance(a, dict)}


def _member(writer: str, owner: str, bases: list[dict], doc: dict | None, data: dict,
            deleted: bool) -> Refusal | None:
    held = doc is not None
    if not held or not bases:
        # A new member (or one held only as a tombstone, brought back): its owner is its creator, and
        # every assignment is at the creator.
        if owner != writer:
            return Refusal("authority.not_owner", "not_owner", office=writer, owner=owner)
        if deleted:
            return None
        raw = data.get("assignments")
        for a in raw if isinstance(raw, list) else ():
            if isinstance(a, dict) and a.get("office") != writer:
                return Refusal("authority.assignment_other", "assignment_other", office=writer,
                               other=a.get("office") or "?")
        return None
    base_assignments: dict[str, list[dict]] = {}
    for b in bases:
        for k, a in _assignments(b).items():
            base_assignments.setdefault(k, []).append(a)
    named = writer == owner or any(a.get("office") == writer for lst in base_assignments.values() for a in lst)
    if not named:
        return Refusal("authority.not_owner", "not_owner", office=writer, owner=owner)
    if deleted:
        if writer != owner:
            return Refusal("authority.delete_not_owner", "not_owner", office=writer, owner=owner)
        others = sorted({a.get("office") or "?" for lst in base_assignments.values() for a in lst
                         if a.get("office") != writer})
        if others:
            return Refusal("authority.delete_shared", "assignment_other", office=writer, other=", ".join(others))
        return None
    if writer != owner:
        for key in set(data) | {k for b in bases for k in b}:
            if key == "assignments":
                continue
            value = data.get(key)
            if not any(b.get(key) == value for b in bases):
                return Refusal("authority.person_field", "person_field", office=writer, owner=owner, field=key)
    new_assignments = _assignments(data)
    for k, a in new_assignments.items():
        before = base_assignments.get(k, [])
        if any(a == x for x in before):
            continue  # unchanged
        if a.get("office") != writer or any(x.get("office") != writer for x in before):
            other = a.get("office") if a.get("office") != writer else next(
                (x.get("office") for x in before if x.get("office") != writer), "?")
            return Refusal("authority.assignment_other", "assignment_other", office=writer, other=other or "?")
    for k, before in base_assignments.items():
        if k not in new_assignments and any(x.get("office") != writer for x in before):
            other = next((x.get("office") for x in before if x.get("office") != writer), "?")
            return Refusal("authority.assignment_other", "assignment_other", office=writer, other=other or "?")
    return None
