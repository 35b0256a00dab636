"""Events: the event record, invitations with quotas, check-in at the door, attendance and live counts.

An event (collection ``events``) has quotas by group, e.g. 160 pillar members and 40 JSC with at
most 2 per UPT. Each invited member has one invitation record (collection ``invitations``) whose id is
``uuid5(NAMESPACE, "<event id>:<member id>")``, so two offices inviting the same member write versions
of one record instead of two records. The invitation carries the group, who invited, the attendance
status (HADIR, IZIN, ALPA or "" for not yet), the check-in time, a walk-in reason and the operator.
Every invitation and every check-in is a transaction: one journal append + fsync, sync metadata,
an audit entry.
"""

from __future__ import annotations

import re
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import get_lang, t
from storage.core.text import fold, norm_number, parse_typed_date
from storage.domain import regions
from storage.domain.fmt import long_date
from storage.domain.model import PILLARS, member_status, pillar_label, primary_assignment
from storage.office.settings import office_names

NAMESPACE = uuid.UUID("6f1c2a4e-4b7d-5e59-9a5c-0d3f1e2b7c80")
STATUSES = ("HADIR", "IZIN", "ALPA")
COORDINATOR_POSITIONS = ("KORREG", "KORWIL", "KORKAB")
SEARCH_LIMIT = 30

SAMPLE_EVENT_NAME = "Sinergitas Pilar Sosial Jatim 2024"
SAMPLE_PILLARS = ("TAGANA", "TKSK", "PKH_PLUS")




def invitation_id(event_id: str, member_id: str) -> str:
    """The one id of a member's invitation to an event, the same at every office."""
    return str(uuid.uuid5(NAMESPACE, f"{event_id}:{member_id}"))


# ---------------------------------------------------------------------- events

def _parse_date(text: str, field: str) -> str:
    iso = parse_typed_date(text)
    if iso is None:
        raise PilarError("events.bad_date", field=field, value=str(text or "").strip())
    return iso


def _parse_time(text: str, field: str) -> str:
    text = str(text or "").strip()
    if not text:
        return ""
    m = re.fullmatch(r"(\d{1,2})[.:](\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise PilarError("events.bad_time", field=field, value=text)
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_quota(text: str) -> dict:
    """'PILAR:160:TAGANA,TKSK,PKH_PLUS' or 'JSC:40:JSC:2' -> a quota (key, limit, pillars, per office)."""

    parts = str(text or "").strip().split(":")
    if len(parts) < 2 or not parts[0] or not parts[1].strip().isdigit():
        raise PilarError("events.bad_quota", value=text)
    pillars = [p.strip().upper() for p in parts[2].split(",") if p.strip()] if len(parts) > 2 else []
    unknown = [p for p in pillars if p not in PILLARS]
    if unknown:
        raise PilarError("events.bad_pillar", value=", ".join(unknown), known=", ".join(PILLARS))
    per_office = parts[3].strip() if len(parts) > 3 else "0"
    if not per_office.isdigit():
        raise PilarError("events.bad_quota", value=text)
    return {"key": parts[0].strip().upper(), "label": "", "limit": int(parts[1]), "pillars": pillars,
            "per_office": int(per_office)}


def make_quota(key: str, limit: str, pillars: str = "", per_office: str = "") -> dict:
    """A quota from the event form's four fields ('JSC', '40', 'JSC', '2'); pillars by code or name,
    separated by commas or spaces. A PilarError saying what to write otherwise."""

    key, limit, per_office = str(key or "").strip().upper(), str(limit or "").strip(), str(per_office or "").strip()
    if not key:
        raise PilarError("events.quota_need_key")
    if not limit.isdigit():
        raise PilarError("events.quota_bad_number", group=key, value=limit)
    if per_office and not per_office.isdigit():
        raise PilarError("events.quota_bad_number", group=key, value=per_office)
    by_name = {pillar_label(p).casefold(): p for p in PILLARS} | {p.casefold(): p for p in PILLARS}
    chosen, unknown = [], []
    for word in re.split(r"[,;\s]+", str(pillars or "").strip()):
        if word:
            found = by_name.get(word.casefold())
            (chosen if found else unknown).append(found or word)
    if unknown:
        raise PilarError("events.bad_pillar", value=", ".join(unknown), known=", ".join(PILLARS))
    return {"key": key, "label": "", "limit": int(limit), "pillars": list(dict.fromkeys(chosen)),
            "per_office": int(per_office or 0)}


def _clean_quotas(quotas: Iterable[dict]) -> list[dict]:
    out, seen = [], set()
    for q in quotas or []:
        key = str(q.get("key", "")).strip().upper()
        limit = q.get("limit", 0)
        per_office = q.get("per_office", 0) or 0
        if not key or key in seen or isinstance(limit, bool) or not isinstance(limit, int) or limit < 0 \
                or not isinstance(per_office, int) or per_office < 0:
            raise PilarError("events.bad_quota", value=key or "?")
        seen.add(key)
        out.append({"key": key, "label": str(q.get("label", "")).strip(), "limit": limit,
                    "pillars": [str(p).upper() for p in q.get("pillars") or []], "per_office": per_office})
    return out


def validate_event(fields: dict, office: str) -> dict:
    """The event fields cleaned up, or a PilarError naming the first field to fix."""
    name = str(fields.get("name", "")).strip()
    if not name:
        raise PilarError("events.need_name")
    start = _parse_date(fields.get("date", ""), "date")
    end = _parse_date(fields.get("end_date") or start, "end_date")
    if end < start:
        raise PilarError("events.end_before_start", start=start, end=end)
    start_time = _parse_time(fields.get("start_time", ""), "start_time")
    end_time = _parse_time(fields.get("end_time", ""), "end_time")
    if start_time and end_time and start == end and end_time < start_time:
        raise PilarError("events.end_before_start", start=start_time, end=end_time)
    return {
        "name": name, "date": start, "end_date": end, "start_time": start_time, "end_time": end_time,
        "venue": str(fields.get("venue", "")).strip(), "city": str(fields.get("city", "")).strip(),
        "office": str(fields.get("office") or office).strip(),
        "description": str(fields.get("description", "")).strip(),
        "quotas": _clean_quotas(fields.get("quotas") or []),
    }


def event_problems(fields: dict, office: str) -> dict[str, str]:
    """Every problem of an event's fields at once, by field name ('name', 'date', 'end_date',
    'start_time', 'end_time', 'quotas'), so a form can show each under its field; empty when it saves."""
    problems: dict[str, str] = {}
    checks = (("name", lambda: str(fields.get("name", "")).strip() or _raise("events.need_name")),
              ("date", lambda: _parse_date(fields.get("date", ""), "date")),
              ("end_date", lambda: fields.get("end_date") and _parse_date(fields["end_date"], "end_date")),
              ("start_time", lambda: _parse_time(fields.get("start_time", ""), "start_time")),
              ("end_time", lambda: _parse_time(fields.get("end_time", ""), "end_time")),
              ("quotas", lambda: _clean_quotas(fields.get("quotas") or [])))
    for name, check in checks:
        try:
            check()
        except PilarError as exc:
            problems[name] = str(exc)
    if not problems:
        try:
            validate_event(fields, office)
        except PilarError as exc:  # the order of the dates or times
            problems["end_time" if exc.params.get("start", "").count(":") else "end_date"] = str(exc)
    return problems


def _raise(key: str) -> None:
    raise PilarError(key)


def create_event(db: Database, fields: dict, event_id: str | None = None) -> str:
    """Save a new event; the organising office owns it. Returns its id."""
    value = validate_event(fields, db.code)
    value["id"] = event_id or str(uuid.uuid4())
    value["created_by"] = db.operator
    with db.transaction("events.create") as tx:
        return tx.put("events", value, owner=value["office"])


def update_event(db: Database, event_id: str, fields: dict) -> None:
    old = get_event(db, event_id)
    value = validate_event({**old, **fields}, db.code)
    value.update(id=event_id, created_by=old.get("created_by", ""))
    with db.transaction("events.edit") as tx:
        tx.put("events", value)


def delete_event(db: Database, event_id: str, reason: str = "") -> int:
    """Remove an event entered by mistake, with its invitations (tombstones, so sync carries the
    removal). Returns how many invitations went with it.

    Refused once the event has a history an auditor relies on: any attendance recorded (hadir, izin,
    alpa, walk-ins) or any payout paid in cash at it. ``reason`` is required and kept in the audit log.
    """
    event = get_event(db, event_id)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise PilarError("events.delete_reason")
    ids = db.lookup("invitations", "event", event_id)
    marked = sum(1 for rid in ids for v in [db.value("invitations", rid) or {}]
                 if v.get("status") or any(d.get("status") for d in (v.get("days") or {}).values()))
    if marked:
        raise PilarError("events.delete_has_attendance", name=event["name"], count=marked)
    paid = sum(1 for collection in db.collections() if collection.startswith("payouts_")
               for v in db.values(collection) if v.get("event_id") == event_id)
    if paid:
        raise PilarError("events.delete_has_payouts", name=event["name"], count=paid)
    with db.transaction("events.delete") as tx:
        for rid in ids:
            tx.delete("invitations", rid, reason=reason)
        tx.delete("events", event_id, reason=reason)
    return len(ids)


def get_event(db: Database, event_id: str) -> dict:
    value = db.get("events", event_id)
    if value is None:
        raise PilarError("events.unknown_event", id=event_id)
    return value


MAX_DAYS = 31  # an event of more days than this is taken for a typing mistake


def event_days(event: dict) -> list[str]:
    """The event's days, first to last ('2024-04-04', …): attendance is taken once per day."""
    first = date.fromisoformat(event["date"])
    last = date.fromisoformat(event.get("end_date") or event["date"])
    n = min((last - first).days, MAX_DAYS - 1)
    return [(first + timedelta(days=i)).isoformat() for i in range(n + 1)]


def event_day(event: dict, day: str | None = None) -> str:
    """The day attendance is taken for: ``day`` if it is one of the event's days (a PilarError naming
    the days if not), else today when the event is on, else its first day."""
    days = event_days(event)
    if day:
        day = str(day).strip()
        if day not in days:
            raise PilarError("events.bad_day", day=day, first=days[0], last=days[-1])
        return day
    today = date.today().isoformat()
    return today if today in days else days[0]


def on_day(inv: dict, event: dict, day: str) -> dict:
    """The invitation as it stands on ``day``: its attendance fields are that day's. The first day's
    attendance is the invitation's own status/checkin_at/checkin_by (as for a one-day event); the
    other days' are kept in ``days`` {day: {status, checkin_at, checkin_by}}."""
    if day == event["date"]:
        return inv
    got = (inv.get("days") or {}).get(day) or {}
    return dict(inv, status=got.get("status", ""), checkin_at=got.get("checkin_at", ""),
                checkin_by=got.get("checkin_by", ""))


def _set_day(inv: dict, event: dict, day: str, status: str, stamp: str, by: str) -> None:
    if day == event["date"]:
        inv.update(status=status, checkin_at=stamp, checkin_by=by)
        return
    days = dict(inv.get("days") or {})
    if status:
        days[day] = {"status": status, "checkin_at": stamp, "checkin_by": by}
    else:
        days.pop(day, None)
    inv["days"] = days


def list_events(db: Database) -> list[dict]:
    """Every event, newest first."""
    return sorted(db.values("events"), key=lambda e: (e.get("date", ""), e.get("name", "")), reverse=True)


def resolve_event(db: Database, text: str) -> dict:
    """An event by id, unique id prefix (4+ characters) or exact name."""
    text = str(text or "").strip()
    value = db.get("events", text)
    if value:
        return value
    found = [e for e in db.values("events") if (len(text) >= 4 and e["id"].startswith(text))
             or e.get("name", "").casefold() == text.casefold()]
    if len(found) == 1:
        return db.get("events", found[0]["id"])
    if len(found) > 1:
        raise PilarError("events.ambiguous_event", id=text, count=len(found))
    raise PilarError("events.unknown_event", id=text)


# ---------------------------------------------------------------------- members and groups

def _assignment_for(member: dict, pillars: Iterable[str] = (), include_inactive: bool = False) -> dict | None:
    """The assignment an invitation is about: the first active one in the wanted pillars."""
    wanted = set(pillars)
    assignments = member.get("assignments") or []
    for a in assignments:
        if a.get("status") == "ACTIVE" and (not wanted or a.get("pillar") in wanted):
            return a
    if include_inactive:
        for a in assignments:
            if not wanted or a.get("pillar") in wanted:
                return a
    return None if wanted else primary_assignment(member)


def group_of(event: dict, pillar: str) -> dict | None:
    """The quota a member of ``pillar`` counts against (first matching; a quota without pillars takes any)."""
    for q in event.get("quotas") or []:
        if not q.get("pillars") or pillar in q["pillars"]:
            return q
    return None


def _snapshot(member: dict, assignment: dict | None) -> dict:
    a = assignment or {}
    return {"name": member.get("name", ""), "pillar": a.get("pillar", ""), "position": a.get("position", ""),
            "kab": a.get("area_kab") or member.get("kab", ""), "upt": a.get("office", ""),
            "number": a.get("number", "")}


def select_members(db: Database, pillars: Iterable[str] = (), positions: Iterable[str] = (),
                   kabs: Iterable[str] = (), offices: Iterable[str] = (), include_inactive: bool = False,
                   ) -> tuple[list[dict], list[dict]]:
    """Members with an assignment matching every given criterion: (active ones, inactive ones).

    Inactive members are returned apart so that the caller reports them instead of inviting them.
    """
    pillars, positions, kabs, offices = set(pillars), set(positions), set(kabs), set(offices)

    def fits(a: dict, member: dict) -> bool:
        return ((not pillars or a.get("pillar") in pillars)
                and (not positions or a.get("position") in positions)
                and (not kabs or (a.get("area_kab") or member.get("kab")) in kabs)
                and (not offices or a.get("office") in offices))

    active, inactive = [], []
    for member in db.values("members"):
        matching = [a for a in member.get("assignments") or [] if fits(a, member)]
        if not matching:
            continue
        if any(a.get("status") == "ACTIVE" for a in matching):
            active.append(member)
        else:
            inactive.append(member)
    key = lambda m: (m.get("name", "").casefold(), m["id"])  # noqa: E731
    return sorted(active, key=key), sorted(inactive, key=key)


# ---------------------------------------------------------------------- invitations

def invitations(db: Database, event_id: str, day: str | None = None) -> list[dict]:
    """The live invitations (walk-ins included) of one event, through the event index.

    With ``day`` (a later day of a multi-day event): each as it stands that day (:func:`on_day`); a
    walk-in is listed only on the days they came."""
    found = (db.value("invitations", rid) for rid in db.index("invitations", "event").get(event_id, ()))
    live = [v for v in found if v is not None]
    if day is None:
        return live
    event = get_event(db, event_id)
    if day == event["date"]:
        return [v for v in live if not v.get("walk_in") or v.get("status")]
    views = (on_day(v, event, day) for v in live)
    return [v for v in views if not v.get("walk_in") or v.get("status")]


def quota_usage(db: Database, event: dict) -> dict:
    """How many invitations count against each quota, in total and per UPT office."""
    usage: dict[str, dict] = {q["key"]: {"quota": q, "used": 0, "per_office": {}} for q in event.get("quotas") or []}
    for inv in invitations(db, event["id"]):
        if inv.get("walk_in") or inv.get("group") not in usage:
            continue
        u = usage[inv["group"]]
        u["used"] += 1
        u["per_office"][inv.get("upt", "")] = u["per_office"].get(inv.get("upt", ""), 0) + 1
    return usage


def invite(db: Database, event_id: str, member_ids: Iterable[str], override: bool = False,
           include_inactive: bool = False, invited_by: str | None = None) -> dict:
    """Invite members (one transaction). Nothing goes over a quota unless ``override``.

    Returns lists of member ids: ``invited``, ``already`` (had an invitation), ``inactive`` (not
    invited: no active assignment; pass include_inactive to invite them anyway), ``over_quota``
    (not invited: the quota or the per-UPT cap is full), ``unknown`` (no such member), and
    ``overridden`` (invited past a quota because the operator said so).
    """
    event = get_event(db, event_id)
    usage = quota_usage(db, event)
    result: dict[str, list[str]] = {k: [] for k in ("invited", "already", "inactive", "over_quota",
                                                     "unknown", "overridden", "restricted")}
    seen = set()
    with db.transaction("events.invite") as tx:
        for member_id in member_ids:
            if member_id in seen:
                continue
            seen.add(member_id)
            member = db.get("members", member_id)
            if member is None:
                result["unknown"].append(member_id)
                continue
            rid = invitation_id(event_id, member_id)
            if tx.get("invitations", rid) is not None:
                result["already"].append(member_id)
                continue
            if member.get("restricted"):
                # UU PDP: a person whose processing is restricted is not invited (storage/privacy)
                result["restricted"].append(member_id)
                continue
            if member_status(member) != "ACTIVE" and not include_inactive:
                result["inactive"].append(member_id)
                continue
            quota_pillars = [p for q in event.get("quotas") or [] for p in q.get("pillars") or []]
            assignment = _assignment_for(member, quota_pillars, include_inactive) \
                or _assignment_for(member, (), include_inactive)
            snap = _snapshot(member, assignment)
            quota = group_of(event, snap["pillar"])
            over = False
            if quota:
                u = usage[quota["key"]]
                in_office = u["per_office"].get(snap["upt"], 0)
                over = u["used"] >= quota["limit"] or (quota["per_office"] and in_office >= quota["per_office"])
                if over and not override:
                    result["over_quota"].append(member_id)
                    continue
                u["used"] += 1
                u["per_office"][snap["upt"]] = in_office + 1
            value = {"id": rid, "event_id": event_id, "member_id": member_id,
                     "group": quota["key"] if quota else "", **snap,
                     "invited_by": invited_by or db.code, "operator": db.operator,
                     "override": bool(over), "walk_in": False, "walk_in_reason": "",
                     "status": "", "checkin_at": "", "checkin_by": ""}
            tx.put("invitations", value, owner=event.get("office") or db.code)
            result["invited"].append(member_id)
            if over:
                result["overridden"].append(member_id)
                tx.note("events.quota_override", "invitation", rid, note=quota["key"])
    return result


def uninvite(db: Database, event_id: str, member_id: str) -> bool:
    """Take back an invitation; refused once the member's attendance (any day) is recorded."""
    inv = db.get("invitations", invitation_id(event_id, member_id))
    if inv is not None and (inv.get("status") or any((d or {}).get("status") for d in (inv.get("days") or {}).values())):
        raise PilarError("events.uninvite_attended", name=inv.get("name", ""))
    with db.transaction("events.uninvite") as tx:
        return tx.delete("invitations", invitation_id(event_id, member_id))


# ---------------------------------------------------------------------- check-in

def card(db: Database, event_id: str, member_id: str, day: str | None = None) -> dict:
    """What the door screen shows for one member: who they are and where they stand for this event
    (on ``day``, for a multi-day event; its first day by default)."""
    member = db.get("members", member_id)
    inv = db.get("invitations", invitation_id(event_id, member_id))
    if inv is not None and day is not None:
        inv = on_day(inv, get_event(db, event_id), day)
    if member is None and inv is None:
        raise PilarError("events.unknown_member", code=member_id)
    snap = {k: inv.get(k, "") for k in ("name", "pillar", "position", "kab", "upt", "number")} if inv \
        else _snapshot(member, _assignment_for(member, (), True))
    if member:
        snap["name"] = member.get("name") or snap["name"]
    names = office_names(db)
    return {
        "member_id": member_id, **snap,
        "kab_name": regions.kab_name(snap["kab"]) if snap["kab"] else "",
        "upt_name": names.get(snap["upt"], snap["upt"]),
        "active": member_status(member) == "ACTIVE" if member else False,
        "invited": bool(inv) and not inv.get("walk_in"),
        "walk_in": bool(inv and inv.get("walk_in")),
        "walk_in_reason": inv.get("walk_in_reason", "") if inv else "",
        "group": inv.get("group", "") if inv else "",
        "status": inv.get("status", "") if inv else "",
        "checkin_at": inv.get("checkin_at", "") if inv else "",
        "invitation_id": inv["id"] if inv else "",
    }


def find(db: Database, event_id: str, text: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Members for a typed or scanned code: NIK, membership number, member id, invitation id, or part of a name.

    A code gives at most one card. A name gives the matching invited members first, then (for a
    walk-in) other members of the roster, at most ``limit`` cards.
    """
    text = str(text or "").strip()
    if not text:
        return []
    digits = re.sub(r"[\s.\-]", "", text)
    member_ids: list[str] = []
    if digits.isdigit() and len(digits) == 16:
        member_ids = db.lookup("members", "nik", digits)
    if not member_ids and db.get("members", text) is not None:
        member_ids = [text]
    if not member_ids:
        inv = db.get("invitations", text)
        if inv and inv.get("event_id") == event_id:
            member_ids = [inv["member_id"]]
    if not member_ids:
        member_ids = db.lookup("members", "number", norm_number(text))
    if member_ids:
        return [card(db, event_id, mid) for mid in member_ids[:limit]]
    words = fold(text).split()
    if not words or all(w.isdigit() for w in words):
        return []
    first, rest = words[0], words[1:]
    matches = [(name, mid) for name, mid in _roster_names(db)
               if first in name and all(w in name for w in rest)]
    # Invited members first (their current roster name; the name kept on the invitation when the
    # member is not in this folder's roster), then the others, who could come in as walk-ins.
    invited = {v["member_id"]: v.get("name", "") for v in invitations(db, event_id)}
    for mid, name in invited.items():
        if db.value("members", mid) is None:
            folded = fold(name)
            if first in folded and all(w in folded for w in rest):
                matches.append((folded, mid))
    matches.sort(key=lambda m: (m[1] not in invited, m[0], m[1]))
    found = [mid for _, mid in matches[:limit]]
    return [card(db, event_id, mid) for mid in found[:limit]]


class _RosterNames:
    """Every member's folded name, built once and dropped when a member changes: a name
    search at the door then costs one pass over short strings instead of folding 100,000 names."""

    def __init__(self, db: Database) -> None:
        self._db = weakref.ref(db)
        self.names: list[tuple[str, str]] | None = None
        db.listeners.append(self._changed)

    def _changed(self, collection: str, ids: set[str]) -> None:
        if collection == "members":
            self.names = None

    def get(self) -> list[tuple[str, str]]:
        db = self._db()
        if self.names is None and db is not None:
            self.names = [(fold(m.get("name")), m["id"]) for m in db.values("members")]
        return self.names or []


_ROSTER_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _roster_names(db: Database) -> list[tuple[str, str]]:
    names = _ROSTER_NAMES.get(db)
    if names is None:
        names = _ROSTER_NAMES[db] = _RosterNames(db)
    return names.get()


def _now(now: datetime | None) -> datetime:
    """The check-in moment in the office's local time (a given aware time keeps its zone)."""
    if now is not None and now.tzinfo is not None:
        return now
    return (now or datetime.now()).astimezone()


def _refuse_future(day: str, now: datetime | None) -> None:
    """Attendance is recorded on the day or after it, never for a day still to come."""
    today = _now(now).date().isoformat()
    if day > today:

        raise PilarError("events.future_day", day=long_date(day), today=long_date(today))


def checkin(db: Database, event_id: str, member_id: str, walk_in_reason: str = "",
            now: datetime | None = None, day: str | None = None) -> dict:
    """Record that a member is present (on ``day`` of a multi-day event: see :func:`event_day`; the
    first day by default). One transaction (one journal append + fsync).

    Returns ``{"result": "checked_in" | "already" | "walk_in", "card": {...}}``. A member already
    present that day is not an error: the result says so with the time of the first check-in. A
    member who was not invited needs a walk-in reason.
    """
    event = get_event(db, event_id)
    day = event_day(event, day) if day else event["date"]
    _refuse_future(day, now)
    rid = invitation_id(event_id, member_id)
    inv = db.get("invitations", rid)
    if inv is not None and on_day(inv, event, day).get("status") == "HADIR":
        return {"result": "already", "card": card(db, event_id, member_id, day)}
    stamp = _now(now).isoformat(timespec="seconds")
    if inv is None:
        reason = str(walk_in_reason or "").strip()
        member = db.get("members", member_id)
        if member is None:
            raise PilarError("events.unknown_member", code=member_id)
        if not reason:
            raise PilarError("events.not_invited", name=member.get("name", ""))
        snap = _snapshot(member, _assignment_for(member, (), True))
        quota = group_of(event, snap["pillar"])
        inv = {"id": rid, "event_id": event_id, "member_id": member_id, "group": quota["key"] if quota else "",
               **snap, "invited_by": db.code, "operator": db.operator, "override": False, "walk_in": True,
               "walk_in_reason": reason, "status": "", "checkin_at": "", "checkin_by": ""}
        result = "walk_in"
    else:
        result = "checked_in"
    _set_day(inv, event, day, "HADIR", stamp, db.operator)
    with db.transaction("events.checkin") as tx:
        tx.put("invitations", inv, owner=event.get("office") or db.code)
    return {"result": result, "card": card(db, event_id, member_id, day)}


def set_status(db: Database, event_id: str, member_id: str, status: str, now: datetime | None = None,
               day: str | None = None) -> dict:
    """Mark an invited member HADIR, IZIN (excused) or ALPA (absent), or "" to undo, on ``day`` (the
    first day by default). Returns the card."""
    status = str(status or "").upper()
    if status and status not in STATUSES:
        raise PilarError("events.bad_status", value=status, known=", ".join(STATUSES))
    event = get_event(db, event_id)
    day = event_day(event, day) if day else event["date"]
    if status in ("HADIR", "ALPA"):  # an excuse (IZIN) may come before the day; presence and absence cannot
        _refuse_future(day, now)
    inv = db.get("invitations", invitation_id(event_id, member_id))
    if inv is None:
        member = db.get("members", member_id)
        raise PilarError("events.not_invited_status", name=(member or {}).get("name", member_id))
    if on_day(inv, event, day).get("status") == status:
        return card(db, event_id, member_id, day)
    stamp = _now(now).isoformat(timespec="seconds") if status == "HADIR" else ""
    _set_day(inv, event, day, status, stamp, db.operator if status else "")
    with db.transaction(f"events.mark_{status.lower() or 'reset'}") as tx:
        tx.put("invitations", inv, owner=event.get("office") or db.code)
    return card(db, event_id, member_id, day)


def clock(iso: str, lang: str | None = None) -> str:
    """'2024-04-04T08:12:00+07:00' -> '08.12' (Indonesian) or '08:12' (English); '' when empty."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    sep = ":" if (lang or get_lang()) == "en" else "."
    return f"{moment.hour:02d}{sep}{moment.minute:02d}"


def time_label(hhmm: str, lang: str | None = None) -> str:
    """'08:00' -> '08.00' (Indonesian) or '08:00' (English)."""
    if not hhmm:
        return ""
    return hhmm.replace(":", ":" if (lang or get_lang()) == "en" else ".")


# ---------------------------------------------------------------------- counts

_ROW = ("invited", "walk_in", "hadir", "izin", "alpa")


def _tally_key(inv: dict) -> tuple:
    return (inv.get("group", ""), inv.get("pillar", ""), inv.get("kab", ""), inv.get("status") or "BELUM",
            bool(inv.get("walk_in")))


def _empty_summary(event: dict) -> dict:
    return {"total": {"invited": 0, "walk_in": 0, "HADIR": 0, "IZIN": 0, "ALPA": 0, "BELUM": 0},
            "groups": {q["key"]: {"label": q.get("label") or q["key"], "limit": q["limit"], "invited": 0,
                                  "hadir": 0} for q in event.get("quotas") or []},
            "pillars": {}, "kabs": {}}


def _add(summary: dict, key: tuple, n: int) -> None:
    """Count ``n`` invitations (negative to take them away) of one (group, pillar, kab, status, walk-in)."""
    group, pillar, kab, status, walk_in = key
    kind = "walk_in" if walk_in else "invited"
    total = summary["total"]
    total[kind] += n
    total[status] += n
    present = n if status == "HADIR" else 0
    groups = summary["groups"]
    if group in groups:
        if not walk_in:
            groups[group]["invited"] += n
        groups[group]["hadir"] += present
    for table, name in ((summary["pillars"], pillar), (summary["kabs"], kab)):
        row = table.get(name)
        if row is None:
            row = table[name] = dict.fromkeys(_ROW, 0)
        row[kind] += n
        row["hadir"] += present
        if status == "IZIN":
            row["izin"] += n
        elif status == "ALPA":
            row["alpa"] += n


def _finish(summary: dict) -> dict:
    """A copy with rows sorted by code and emptied rows left out."""
    def rows(table: dict) -> dict:
        return {k: dict(v) for k, v in sorted(table.items()) if any(v.values())}

    return {"total": dict(summary["total"]), "groups": {k: dict(v) for k, v in summary["groups"].items()},
            "pillars": rows(summary["pillars"]), "kabs": rows(summary["kabs"])}


def counts(db: Database, event_id: str, day: str | None = None) -> dict:
    """Live counts: invited, present, excused, absent, not yet, walk-ins; per group, pillar and kab/kota
    (on ``day`` of a multi-day event; the first day by default)."""
    event = get_event(db, event_id)
    summary = _empty_summary(event)
    for key, n in Counter(_tally_key(v) for v in invitations(db, event_id, day or event["date"])).items():
        _add(summary, key, n)
    return _finish(summary)


class LiveCounts:
    """The counts of one event kept up to date from each commit, for a screen that shows them after
    every check-in: one pass over the invitations when opened, then only the records that changed."""

    def __init__(self, db: Database, event_id: str, day: str | None = None) -> None:
        self.db = db
        self.event_id = event_id
        self.day = day
        self._rebuild()
        db.listeners.append(self._on_commit)

    def _rebuild(self) -> None:
        self.event = get_event(self.db, self.event_id)
        self.day = self.day or self.event["date"]
        self.keys = {v["id"]: _tally_key(v) for v in invitations(self.db, self.event_id, self.day)}
        self.summary = _empty_summary(self.event)
        for key, n in Counter(self.keys.values()).items():
            _add(self.summary, key, n)

    def _on_commit(self, collection: str, ids: set[str]) -> None:
        if collection == "events" and self.event_id in ids and self.db.get("events", self.event_id):
            self._rebuild()  # the quotas may have changed
        elif collection == "invitations":
            for rid in ids:
                old = self.keys.pop(rid, None)
                if old is not None:
                    _add(self.summary, old, -1)
                new = self.db.value("invitations", rid)
                if new is not None and new.get("event_id") == self.event_id:
                    new = on_day(new, self.event, self.day)
                    if new.get("walk_in") and not new.get("status"):
                        continue  # a walk-in of another day
                    key = self.keys[rid] = _tally_key(new)
                    _add(self.summary, key, 1)

    def counts(self) -> dict:
        return _finish(self.summary)

    def close(self) -> None:
        if self._on_commit in self.db.listeners:
            self.db.listeners.remove(self._on_commit)


# ---------------------------------------------------------------------- pilar check

def check_invitations(db: Database) -> list[str]:
    """Invitations that name no live event, or whose id is not the one for their event and member."""
    problems = []
    for inv in db.values("invitations"):
        if not inv.get("event_id") or db.get("events", inv["event_id"]) is None:
            problems.append(t("events.check.orphan", id=inv["id"], event=inv.get("event_id") or "?"))
        elif inv["id"] != invitation_id(inv["event_id"], inv.get("member_id", "")):
            problems.append(t("events.check.bad_id", id=inv["id"]))
    return problems


# ---------------------------------------------------------------------- the sample event

def sample_event_id() -> str:
    return str(uuid.uuid5(NAMESPACE, f"event:{SAMPLE_EVENT_NAME}"))


SAMPLE_EVENT = {
    "name": SAMPLE_EVENT_NAME, "date": "2024-04-04", "end_date": "2024-04-04",
    "start_time": "08:00", "end_time": "15:00", "venue": "Aula BPSDM Jatim", "city": "Surabaya",
    "office": "JATIM",
    "description": "Sinergitas pilar sosial Jawa Timur: Tagana, TKSK dan pendamping PKH Plus beserta "
                   "Korwil dan Korkab/Korkot, serta tim JSC dari UPT; penyerahan bantuan operasional dan "
                   "tali asih triwulan.",
    "quotas": [
        {"key": "PILAR", "label": "Pilar sosial (Tagana, TKSK, PKH Plus)", "limit": 160,
         "pillars": list(SAMPLE_PILLARS), "per_office": 0},
        {"key": "JSC", "label": "Jatim Social Care (JSC)", "limit": 40, "pillars": ["JSC"], "per_office": 2},
    ],
}


def _across_kab(people: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Members taken in turn from each kab/kota (NIK digits 1-4), so the invitations span the province."""
    by_kab: dict[str, list[tuple[str, str]]] = {}
    for nik, mid in sorted(people):
        by_kab.setdefault(nik[:4], []).append((nik, mid))
    lists = [by_kab[k] for k in sorted(by_kab)]
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def sample_invitees(db: Database) -> list[str]:
    """The sample event's 200 members, drawn deterministically (sorted by NIK) from the roster.

    Pillar group: every active Korreg/Korwil/Korkab of Tagana, TKSK and PKH Plus first, then members
    taken in turn from each pillar, up to 160. JSC: one per UPT in turn, at most 2 per UPT, up to 40.
    """
    by_pillar: dict[str, list[tuple[str, dict]]] = {p: [] for p in SAMPLE_PILLARS}
    coordinators: list[tuple[int, str, str, str]] = []
    jsc_by_office: dict[str, list[tuple[str, str]]] = {}
    for member in db.values("members"):
        if member_status(member) != "ACTIVE":
            continue
        a = _assignment_for(member, SAMPLE_PILLARS + ("JSC",))
        if a is None:
            continue
        nik = member.get("nik", "") or member["id"]
        if a["pillar"] == "JSC":
            jsc_by_office.setdefault(a.get("office", ""), []).append((nik, member["id"]))
        elif a.get("position") in COORDINATOR_POSITIONS:
            coordinators.append((COORDINATOR_POSITIONS.index(a["position"]), a["pillar"], nik, member["id"]))
        else:
            by_pillar[a["pillar"]].append((nik, member["id"]))
    chosen = [mid for *_, mid in sorted(coordinators)][:160]
    queues = [_across_kab(by_pillar[p]) for p in SAMPLE_PILLARS]
    i = 0
    while len(chosen) < 160 and any(queues):
        queue = queues[i % len(queues)]
        if queue:
            chosen.append(queue.pop(0)[1])
        i += 1
    jsc: list[str] = []
    offices = sorted(jsc_by_office)
    for round_ in range(2):
        for office in offices:
            people = sorted(jsc_by_office[office])
            if round_ < len(people) and len(jsc) < 40:
                jsc.append(people[round_][1])
    return chosen + jsc


def load_sample(db: Database) -> dict:
    """Create the sample event "Sinergitas Pilar Sosial Jatim 2024" with its invitations (idempotent).

    Only in the province's folder: the event is the province's and reaches a UPT through sync (writing
    it at a UPT too would make conflicting versions of the same records).
    """
    event_id = sample_event_id()
    if not db.is_province:
        return {"event_id": event_id, "invited": 0}
    if db.get("events", event_id) is None:
        create_event(db, SAMPLE_EVENT, event_id=event_id)
    result = invite(db, event_id, sample_invitees(db), invited_by=SAMPLE_EVENT["office"])
    return {"event_id": event_id, "invited": len(result["invited"]) + len(result["already"])}
