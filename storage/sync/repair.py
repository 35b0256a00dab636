"""``pilar sync repair``: take out of a folder the versions no office had the right to write.

Older Pilar accepted some (issue 11): a UPT's version of a rate, a payout item, a setting or an
office; a version of another office's event or invitation; a member version written by an office
that neither owns the member nor is named by any of its assignments; a version whose clock is years
ahead (2^64-1 made later writes fail). Such versions wedge syncing or carry forged values.

Each affected record gets one new version, written by this office, that has seen every standing
version: its value is the winner of the versions that stay (the same data again for a version with
a wrong clock), or a deletion when none stays. That version travels in the next bundles like any
edit, so the repair reaches every office. What was dropped is listed (and in the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.core import authority
from storage.core.db import PROVINCE_CODE, Database
from storage.core.versions import doc_vv, winner
from storage.sync.engine import label_of


@dataclass
class Drop:
    collection: str
    id: str
    office: str
    reason: str
    label: str


def _named(data: dict, office: str) -> bool:
    return any(isinstance(a, dict) and a.get("office") == office for a in data.get("assignments") or [])


def _why(db: Database, collection: str, doc: dict, v: dict, ceiling: int) -> str | None:
    if not 0 <= v["hlc"] <= ceiling:
        return "clock"
    office = v["office"]
    if office == PROVINCE_CODE:
        return None
    if authority.province_only(collection):
        return "province_only"
    if collection == "events" and office != doc["owner"]:
        return "not_owner"
    if collection == "invitations":
        event = db.doc("events", v["data"].get("event_id", "")) if not v["deleted"] else None
        if event is not None and event["owner"] != office:
            return "event_owner"
    if collection == "members" and office != doc["owner"] and not any(_named(o["data"], office) for o in doc["v"]):
        # neither the owner nor named by any assignment (not even in its own version)
        return "not_owner"
    return None


def find(db: Database) -> list[tuple[str, dict, list[tuple[dict, str]]]]:
    """Every record holding a version to drop: (collection, doc, [(version, reason)])."""
    ceiling = db.hlc.ceiling()
    out = []
    for collection in db.collections():
        for doc in db.raw(collection).values():
            bad = [(v, why) for v in doc["v"] if (why := _why(db, collection, doc, v, ceiling))]
            if bad:
                out.append((collection, doc, bad))
    return out


def repair(db: Database, dry_run: bool = False) -> list[Drop]:
    found = find(db)
    drops = [Drop(c, doc["id"], v["office"], why, label_of(doc)) for c, doc, bad in found for v, why in bad]
    if dry_run or not found:
        return drops
    with db.transaction("sync.repair", system=True) as tx:
        for collection, doc, bad in found:
            dropped = {id(v) for v, why in bad if why != "clock"}
            kept = [v for v in doc["v"] if id(v) not in dropped]
            seen = doc_vv(doc)
            tx.counter += 1
            seen[db.replica_id] = tx.counter
            top = winner({"v": kept}) if kept else None
            version = {"dot": [db.replica_id, tx.counter], "vv": seen, "hlc": db.hlc.tick(), "office": db.code,
                       "operator": db.operator, "deleted": top is None or top["deleted"],
                       "data": {} if top is None or top["deleted"] else dict(top["data"])}
            tx.put_doc(collection, {"id": doc["id"], "kind": doc["kind"], "owner": doc["owner"], "v": [version]})
            reasons = ", ".join(sorted({why for _v, why in bad}))
            tx.note("sync.repair", doc["kind"], doc["id"], note=f"dropped {len(bad)} version(s): {reasons}")
    return drops
