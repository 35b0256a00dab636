"""Conflicts: records with more than one standing version (siblings), and their resolution.

Resolving writes a new version whose version vector dominates every sibling (``tx.put`` on a document
in conflict always does), so the decision syncs like any edit and every office ends with one value.
"""

from __future__ import annotations

import copy
from datetime import datetime

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.sensitive import is_free_text, is_sensitive, mask, mask_numbers
from storage.core.versions import Hlc, in_conflict, sort_key, winner
from storage.domain.fmt import date_time, mask_nik
from storage.domain.model import field_label as label_of


def _label(value: dict | None, rid: str) -> str:
    value = value or {}
    return str(value.get("name") or value.get("title") or value.get("code") or rid[:8])


def display_value(doc: dict | None) -> dict | None:
    """The value to *show* for a record: ``Database.value_of``, except that a conflict whose first
    version is a deletion shows the last data it had (the newest live sibling) with ``_deleted`` set,
    never an empty row. None when the record is simply deleted (or unknown)."""
    if doc is None:
        return None
    value = Database.value_of(doc)
    if value is None or len(doc["v"]) < 2 or not winner(doc)["deleted"]:
        return value
    live = [v for v in doc["v"] if not v["deleted"]]
    if not live:
        return value
    last = max(live, key=sort_key)
    return dict(last["data"], id=doc["id"], owner=doc["owner"], _conflict=True, _deleted=True)


def siblings(db: Database, collection: str, rid: str) -> list[dict]:
    """The standing versions of one record, numbered from 1 as ``show`` numbers them: office,
    operator, time, deleted, and the value (fields plus id and owner; None for a deletion)."""
    doc = db.doc(collection, rid)
    if doc is None:
        return []
    out = []
    for n, v in enumerate(doc["v"], 1):
        out.append({"n": n, "office": v["office"], "operator": v["operator"], "time": when(v["hlc"]),
                    "time_shown": when_shown(v["hlc"]), "deleted": v["deleted"],
                    "value": None if v["deleted"] else dict(copy.deepcopy(v["data"]), id=rid, owner=doc["owner"])})
    return out


def member_in_conflict(db: Database, rid: str | None) -> bool:
    doc = db.doc("members", rid) if rid else None
    return doc is not None and is_open(doc)


def edit_refusal(db: Database, collection: str, rid: str, name: str = "") -> PilarError:
    """The sentence for a plain save over a record in conflict: names it and the command resolving it."""
    doc = db.doc(collection, rid)
    shown = display_value(doc) or {}
    offices = ", ".join(sorted({v["office"] for v in doc["v"]})) if doc else ""
    return PilarError("conflict.edit_refused", name=name or _label(shown, rid), short=rid[:8],
                      count=len(doc["v"]) if doc else 0, offices=offices)


def when(hlc: int) -> str:
    """The moment of a version, local time, as the JSON output gives it: '2026-12-07 14:05'."""
    return datetime.fromtimestamp(Hlc.millis(hlc) / 1000).astimezone().strftime("%Y-%m-%d %H:%M")


def when_shown(hlc: int) -> str:
    """The same moment as the clerk reads it on a screen or in a list: '7 Des 2026 14.05' (issue 24)."""
    return date_time(datetime.fromtimestamp(Hlc.millis(hlc) / 1000).astimezone())


def is_open(doc: dict) -> bool:
    """More than one standing version, not all of them deletions (deleted twice is simply deleted)."""
    return len(doc["v"]) > 1 and not all(v["deleted"] for v in doc["v"])


def open_conflicts(db: Database):
    return ((c, d) for c, d in db.conflicts() if is_open(d))


def count(db: Database) -> int:
    return sum(1 for _ in open_conflicts(db))


def list_conflicts(db: Database) -> list[dict]:
    rows = []

    for collection, doc in open_conflicts(db):
        value = display_value(doc) or {}
        rows.append({"id": doc["id"], "collection": collection, "kind": doc["kind"], "owner": doc["owner"],
                     "label": _label(value, doc["id"]), "siblings": len(doc["v"]),
                     "nik": mask_nik(value.get("nik") or "") if collection == "members" else "",
                     "deleted_first": bool(value.get("_deleted")),
                     "offices": sorted({v["office"] for v in doc["v"]}),
                     "latest": when(max(v["hlc"] for v in doc["v"])),
                     "latest_shown": when_shown(max(v["hlc"] for v in doc["v"]))})
    rows.sort(key=lambda r: (r["collection"], r["label"], r["id"]))
    return rows


def find(db: Database, ident: str) -> tuple[str, dict]:
    """The conflict whose record id is ``ident`` or starts with it."""
    ident = ident.strip().lower()
    hits = [(c, d) for c, d in open_conflicts(db) if d["id"].lower() == ident]
    if not hits and len(ident) >= 4:
        hits = [(c, d) for c, d in open_conflicts(db) if d["id"].lower().startswith(ident)]
    if not hits:
        raise PilarError("sync.conflict_unknown", id=ident)
    if len(hits) > 1:
        raise PilarError("sync.conflict_ambiguous", id=ident)
    return hits[0]


def flatten(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for i, item in enumerate(value, 1):  # assignments: one row per sub-field, numbered from 1
                out.update(flatten(item, f"{name}[{i}]."))
        else:
            out[name] = value
    return out


def _show(name: str, value: object, reveal: bool) -> str:
    if value is None:
        return ""
    if not reveal and is_sensitive(name):
        return str(mask(value))
    if not reveal and is_free_text(name):
        return str(mask_numbers(value))
    if isinstance(value, list):
        import orjson

        return orjson.dumps(value).decode()
    return str(value)


def show(db: Database, ident: str, reveal: bool = False) -> dict:
    """Siblings (winner first) with office, operator and time, and a field-by-field comparison."""
    collection, doc = find(db, ident)
    versions = []
    flats = []
    for n, v in enumerate(doc["v"], 1):
        versions.append({"n": n, "office": v["office"], "operator": v["operator"], "time": when(v["hlc"]),
                         "time_shown": when_shown(v["hlc"]), "deleted": v["deleted"], "dot": v["dot"]})
        flats.append({} if v["deleted"] else flatten(v["data"]))
    names = sorted(set().union(*flats)) if flats else []
    fields = []
    for name in names:
        vals = [f.get(name) for f in flats]
        fields.append({"field": name, "values": [_show(name, x, reveal) for x in vals],
                       "differs": any(x != vals[0] for x in vals)})
    shown = display_value(doc) or {}
    nik = shown.get("nik") or ""
    if nik and not reveal:
        nik = str(mask(nik))
    return {"id": doc["id"], "collection": collection, "kind": doc["kind"], "owner": doc["owner"],
            "label": _label(shown, doc["id"]), "nik": nik if collection == "members" else "",
            "siblings": versions, "fields": fields}


def kind_label(collection: str) -> str:
    """'members' -> 'Anggota' (the kind of record in the user's language; the name itself if unknown)."""
    key = "ui.conflicts.kind." + ("payouts" if collection.startswith("payouts_") else collection)
    text = t(key)
    return text if text != key else collection


def field_label(name: str) -> str:
    """'assignments[1].office' -> 'Penugasan 1 · Kantor' (the field's label in the user's language)."""
    import re


    m = re.fullmatch(r"assignments\[(\d+)\]\.(.+)", name)
    if m:
        return f"{t('sync.h.assignment')} {m.group(1)} · {label_of(m.group(2))}"
    if name.startswith("bank."):
        label = label_of(name)
        return label if label != name else f"{t('sync.h.bank')} · {label_of(name[5:])}"
    return label_of(name)


def differing_first(fields: list[dict]) -> list[dict]:
    """The compared fields, what differs first (the clerk sees it without scrolling), then what is shared."""
    return sorted(fields, key=lambda f: not f["differs"])


def resolve(db: Database, ident: str, keep: int | None = None, value: dict | None = None) -> str:
    """Keep sibling ``keep`` (1 = shown first) or write the merged ``value``; returns the record id."""
    collection, doc = find(db, ident)
    if not in_conflict(doc):
        raise PilarError("sync.conflict_unknown", id=ident)
    if (keep is None) == (value is None):
        raise PilarError("sync.conflict_need_choice")
    with db.transaction("conflict.resolve") as tx:
        if keep is not None:
            if not 1 <= keep <= len(doc["v"]):
                raise PilarError("sync.conflict_bad_keep", n=keep, count=len(doc["v"]))
            chosen = doc["v"][keep - 1]
            if chosen["deleted"]:
                tx.delete(collection, doc["id"], reason="conflict resolved: keep deletion")
                _keep_tombstone_note(tx, collection, doc["id"], chosen)
            else:
                tx.put(collection, dict(chosen["data"], id=doc["id"]), audit_action="conflict.resolve")
        else:
            if not isinstance(value, dict):
                raise PilarError("sync.conflict_bad_value", detail="not an object")
            data = {k: v for k, v in value.items() if k not in ("id", "owner") and not k.startswith("_")}
            tx.put(collection, dict(data, id=doc["id"]), audit_action="conflict.resolve")
    return doc["id"]


def _keep_tombstone_note(tx, collection: str, rid: str, chosen: dict) -> None:
    """A kept deletion that was a merge keeps pointing at the survivor (``merged_into``)."""
    note = {k: v for k, v in (chosen.get("data") or {}).items() if k == "merged_into"}
    staged = tx.docs.get((collection, rid))
    if note and staged is not None:
        staged["v"][0]["data"] = note
