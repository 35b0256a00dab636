"""Conflicts: records with more than one standing version (siblings), and their resolution.

Resolving writes a new version whose version vector dominates every sibling (``tx.put`` on a document
in conflict always does), so the decision syncs like any edit and every office ends with one value.
"""

from __future__ import annotations

from datetime import datetime

from storage.audit import mask
from storage.db import Database
from storage.errors import PilarError
from storage.versions import Hlc, in_conflict

SENSITIVE = {"nik", "account", "phone", "bpjs_tk"}


def _label(value: dict | None, rid: str) -> str:
    value = value or {}
    return str(value.get("name") or value.get("title") or value.get("code") or rid[:8])


def when(hlc: int) -> str:
    return datetime.fromtimestamp(Hlc.millis(hlc) / 1000).astimezone().strftime("%Y-%m-%d %H:%M")


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
        value = Database.value_of(doc)
        rows.append({"id": doc["id"], "collection": collection, "kind": doc["kind"], "owner": doc["owner"],
                     "label": _label(value, doc["id"]), "siblings": len(doc["v"]),
                     "offices": sorted({v["office"] for v in doc["v"]}),
                     "latest": when(max(v["hlc"] for v in doc["v"]))})
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


def _flatten(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for i, item in enumerate(value, 1):  # assignments: one row per sub-field, numbered from 1
                out.update(_flatten(item, f"{name}[{i}]."))
        else:
            out[name] = value
    return out


def _show(name: str, value: object, reveal: bool) -> str:
    if value is None:
        return ""
    if not reveal and name.rsplit(".", 1)[-1] in SENSITIVE:
        return str(mask(value))
    if isinstance(value, list):
        import orjson

        return orjson.dumps(value).decode()
    return str(value)


def show(db: Database, ident: str, reveal: bool = False) -> dict:
    """Siblings (winner first) with office, operator and time, and a field-by-field comparison."""
    collection, doc = find(db, ident)
    siblings = []
    flats = []
    for n, v in enumerate(doc["v"], 1):
        siblings.append({"n": n, "office": v["office"], "operator": v["operator"], "time": when(v["hlc"]),
                         "deleted": v["deleted"], "dot": v["dot"]})
        flats.append({} if v["deleted"] else _flatten(v["data"]))
    names = sorted(set().union(*flats)) if flats else []
    fields = []
    for name in names:
        vals = [f.get(name) for f in flats]
        fields.append({"field": name, "values": [_show(name, x, reveal) for x in vals],
                       "differs": any(x != vals[0] for x in vals)})
    return {"id": doc["id"], "collection": collection, "kind": doc["kind"], "owner": doc["owner"],
            "label": _label(Database.value_of(doc), doc["id"]), "siblings": siblings, "fields": fields}


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
            else:
                tx.put(collection, dict(chosen["data"], id=doc["id"]), audit_action="conflict.resolve")
        else:
            if not isinstance(value, dict):
                raise PilarError("sync.conflict_bad_value", detail="not an object")
            data = {k: v for k, v in value.items() if k not in ("id", "owner") and not k.startswith("_")}
            tx.put(collection, dict(data, id=doc["id"]), audit_action="conflict.resolve")
    return doc["id"]
