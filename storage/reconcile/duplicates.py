"""One person, one NIK across the province: duplicate-NIK cases and their merge.

Two offices that register the same person before either has seen the other's record give two
members with one NIK (each office's check only knows its own roster). That is not damage: it is a
*case* to decide, listed with the conflicts. The province merges the two records into one member:

- the survivor keeps its id and owner, its personal fields (or, field by field, the other record's
  where the province chose them) and the assignments of **both** records;
- the other record becomes a tombstone whose data is ``{"merged_into": survivor id}``, so sync
  deletes it everywhere and anything still naming it (invitations, payout items, which are never
  rewritten) finds the person through :func:`member` / :func:`aliases`.

Both writes are one transaction at the province and travel in the next bundles like any edit. A UPT
sees the case (when it holds both records) with "the province merges it": it may not write another
office's member.
"""

from __future__ import annotations

import copy

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.sensitive import is_free_text, is_sensitive, mask_numbers
from storage.core.versions import winner
from storage.domain.fmt import mask_account, mask_nik
from storage.domain.model import pillar_label, position_label, status_label
from storage.reconcile import conflicts

MERGED_INTO = "merged_into"
# Personal fields compared and chosen one by one (bank sub-fields separately); assignments are joined.
PERSON_FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "address", "kab", "kec", "phone",
                 "bank.name", "bank.account", "bank.holder", "bpjs_tk", "note")
_HOPS = 16


# ---------------------------------------------------------------------- following merges

def merged_into(db: Database, rid: str) -> str | None:
    """The survivor a merged (deleted) member points at, or None."""
    doc = db.doc("members", rid) if rid else None
    if doc is None:
        return None
    top = winner(doc)
    if not top["deleted"]:
        return None
    target = (top.get("data") or {}).get(MERGED_INTO)
    return target if isinstance(target, str) and target else None


def survivor_id(db: Database, rid: str) -> str:
    """``rid`` itself, or the member it was merged into (following a chain of merges)."""
    seen = {rid}
    current = rid
    for _ in range(_HOPS):
        nxt = merged_into(db, current)
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        current = nxt
    return current


def member(db: Database, rid: str) -> dict | None:
    """The member value for an id that may name a merged record (a copy; None when gone)."""
    value = db.get("members", rid)
    if value is not None:
        return value
    target = survivor_id(db, rid)
    return db.get("members", target) if target != rid else None


def aliases(db: Database) -> dict[str, str]:
    """Every merged member id -> the live survivor id (for lookups over many items at once)."""
    out = {}
    for rid in db.maybe_deleted("members"):  # (not every member parsed: they are held as bytes)
        doc = db.doc("members", rid)
        if doc is None:
            continue
        top = winner(doc)
        if top["deleted"] and (top.get("data") or {}).get(MERGED_INTO):
            target = survivor_id(db, rid)
            if db.value("members", target) is not None:
                out[rid] = target
    return out


# ---------------------------------------------------------------------- cases

def _get(value: dict, name: str) -> object:
    if name.startswith("bank."):
        return (value.get("bank") or {}).get(name[5:], "")
    return value.get(name, "")


def _shown(name: str, value: object, reveal: bool) -> str:
    text = "" if value is None else str(value)
    if not reveal and is_free_text(name):
        return mask_numbers(text)
    if reveal or not is_sensitive(name):
        return text
    return mask_nik(text) if name == "nik" else mask_account(text)


def _assignment_text(a: dict) -> str:

    return " ".join(x for x in (pillar_label(a.get("pillar", "")), position_label(a.get("position", "")),
                                f"@{a.get('office') or '?'}", status_label(a.get("status", ""))) if x)


def _record(value: dict, reveal: bool = False) -> dict:
    offices = sorted({a.get("office") for a in value.get("assignments") or [] if a.get("office")})
    return {"id": value["id"], "owner": value.get("owner", ""), "name": value.get("name", ""),
            "nik": _shown("nik", value.get("nik", ""), reveal), "offices": offices,
            "conflict": bool(value.get("_conflict")),
            "assignments": [_assignment_text(a) for a in value.get("assignments") or []]}


def _order(db: Database, ids) -> list[str]:
    return sorted(ids, key=lambda i: ((db.value("members", i) or {}).get("owner", ""), i))


def cases(db: Database, reveal: bool = False) -> list[dict]:
    """Every NIK held by more than one live member: the records side by side (NIK masked unless
    ``reveal``), the command that merges them, and whether this office may do it."""
    out = []
    for nik, ids in db.index("members", "nik").items():
        if not nik or len(ids) < 2:
            continue
        order = _order(db, ids)
        values = [db.value("members", i) for i in order]
        if any(v is None for v in values):
            continue
        out.append({"kind": "duplicate_nik", "nik": _shown("nik", nik, reveal), "ids": order,
                    "records": [_record(v, reveal) for v in values],
                    "fields": _compare(values, reveal),
                    "province": db.is_province,
                    "command": f"pilar conflicts merge {order[0][:8]} {order[1][:8]}"})
    out.sort(key=lambda c: (c["records"][0]["name"].casefold(), c["ids"][0]))
    return out


def _compare(values: list[dict], reveal: bool) -> list[dict]:
    rows = []
    for name in PERSON_FIELDS:
        raw = [_get(v, name) for v in values]
        rows.append({"field": name, "values": [_shown(name, x, reveal) for x in raw],
                     "differs": any(x != raw[0] for x in raw)})
    rows.append({"field": "assignments", "values": ["; ".join(_assignment_text(a) for a in v.get("assignments") or [])
                                                     for v in values], "differs": True})
    return rows


def count(db: Database) -> int:
    return sum(1 for nik, ids in db.index("members", "nik").items() if nik and len(ids) > 1)


def _find_member(db: Database, ident: str) -> str:
    """A member id of a duplicate case from the id or its first characters (4 or more)."""
    ident = (ident or "").strip().lower()
    in_cases = [i for c in cases(db) for i in c["ids"]]
    hits = [i for i in in_cases if i.lower() == ident]
    if not hits and len(ident) >= 4:
        hits = [i for i in in_cases if i.lower().startswith(ident)]
    if not hits:
        raise PilarError("dup.unknown", id=ident)
    if len(hits) > 1:
        raise PilarError("dup.ambiguous", id=ident)
    return hits[0]


def case_of(db: Database, ident: str, reveal: bool = False) -> dict:
    """The duplicate case one of whose members is ``ident`` (an id or its first characters)."""
    rid = _find_member(db, ident)
    return next(c for c in cases(db, reveal=reveal) if rid in c["ids"])


# ---------------------------------------------------------------------- merging

def merged_value(a: dict, b: dict, take: dict[str, str] | None = None) -> dict:
    """Survivor ``a`` with the fields named in ``take`` ({field: "b"}) from ``b`` and both records'
    assignments (``b``'s after ``a``'s, an assignment both hold kept once)."""
    take = dict(take or {})
    unknown = [f for f in take if f not in PERSON_FIELDS]
    if unknown:
        raise PilarError("dup.bad_field", field=", ".join(unknown), fields=", ".join(PERSON_FIELDS))
    value = {k: copy.deepcopy(v) for k, v in a.items() if not k.startswith("_")}
    for name, side in take.items():
        if side not in ("a", "b"):
            raise PilarError("dup.bad_field", field=f"{name}={side}", fields=", ".join(PERSON_FIELDS))
        if side == "a":
            continue
        source = _get(b, name)
        if name.startswith("bank."):
            value["bank"] = dict(value.get("bank") or {}, **{name[5:]: source})
        else:
            value[name] = copy.deepcopy(source)
    assignments = [copy.deepcopy(x) for x in a.get("assignments") or []]
    have = {x.get("id") for x in assignments if x.get("id")}
    for x in b.get("assignments") or []:
        if x.get("id") and x["id"] in have:
            continue
        assignments.append(copy.deepcopy(x))
    value["assignments"] = assignments
    return value


def merge(db: Database, survivor: str, other: str, take: dict[str, str] | None = None) -> str:
    """At the province: merge duplicate member ``other`` into ``survivor``; returns the survivor's id.

    Refused at a UPT, for two records that do not share a NIK, and while either is in conflict (the
    merge would otherwise drop a version silently: resolve the conflict first).
    """
    if not db.is_province:
        raise PilarError("dup.province_only")
    a_id, b_id = _find_member(db, survivor), _find_member(db, other)
    if a_id == b_id:
        raise PilarError("dup.same_record", id=a_id[:8])
    a, b = db.get("members", a_id), db.get("members", b_id)
    if a is None or b is None or not a.get("nik") or a.get("nik") != b.get("nik"):
        raise PilarError("dup.not_same_nik", a=a_id[:8], b=b_id[:8])
    for rid in (a_id, b_id):
        if conflicts.member_in_conflict(db, rid):
            raise conflicts.edit_refusal(db, "members", rid)
    value = merged_value(a, b, take)
    with db.transaction("member.merge") as tx:
        tx.put("members", value, audit_action="member.merge")
        tx.delete("members", b_id, reason=f"merged into {a_id}")
        staged = tx.docs.get(("members", b_id))
        if staged is not None:  # the tombstone points at the survivor
            staged["v"][0]["data"] = {MERGED_INTO: a_id}
        tx.note("member.merge", "member", a_id, note=f"{b_id} merged into {a_id}",
                changes={"merged": [None, b_id]})
    return a_id
