"""Freshness of sync per office: the last bundle from it and to it, records waiting, missing bundles.

- *Last received*: the latest bundle imported from the office (``peers.json``: when it was made there
  and when it was imported here). An office with nothing for more than ``days`` days (or never) is
  *silent*.
- *Last sent*: the latest bundle written for it (``sequence.json``, else ``exports.jsonl``).
- *Waiting*: the records the next delta to it would carry: in its scope (as ``engine.scope_of``) and
  not covered by the version vector it last acknowledged. Counted through an index of the standing
  versions by replica and counter, so an office that is up to date costs a few bisections, not a
  pass over every record. ``None`` with ``full`` when nothing was ever received from it (the next
  bundle is full).
- *Missing bundles*: :func:`storage.sync.sequence.gaps`, in sentences.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable

from storage.db import PROVINCE_CODE, Database
from storage.i18n import t
from storage.sync import engine as E
from storage.sync import keys as K
from storage.sync import sequence as S


def _date(text: object) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(text)).date()
    except ValueError:
        return None


def office_names(db: Database) -> dict[str, str]:
    names = {v.get("code"): v.get("name") or "" for v in db.values("offices") if v.get("code")}
    return names


def known_offices(db: Database) -> dict[str, dict]:
    """The offices this one exchanges bundles with: code -> {name, status}."""
    store = K.TrustStore.load(db.path)
    names = office_names(db)
    out: dict[str, dict] = {}
    if db.is_province:
        for code, e in store.offices.items():
            out[code] = {"name": e.get("name") or names.get(code, ""), "status": e.get("status", "")}
        for code, name in names.items():
            if code != db.code and code not in out:
                out[code] = {"name": name, "status": ""}
    else:
        out[PROVINCE_CODE] = {"name": names.get(PROVINCE_CODE) or (store.province or {}).get("name", ""),
                              "status": K.TRUSTED if store.province else ""}
    out.pop(db.code, None)
    return dict(sorted(out.items()))


def offices(db: Database, today: dt.date, days: int, waiting: bool = True) -> list[dict]:
    """One row per office (see the module docstring); ``waiting=False`` leaves ``waiting`` unset (None)."""
    peers = E.read_peers(db.path)
    state = S.read(db.path)
    exported: dict[str, str] = {}
    if any(code not in state["sent"] for code in known_offices(db)):
        for e in E.export_log(db.path):
            if e.get("to"):
                exported[e["to"]] = max(exported.get(e["to"], ""), str(e.get("ts", "")))
    gaps = {g["office"]: g for g in S.gaps(db)}
    rows = []
    for code, info in known_offices(db).items():
        p = peers.get(code) or {}
        made = _date(p.get("created")) or _date(p.get("imported"))
        sent = state["sent"].get(code) or {}
        sent_at = _date(sent.get("created")) or _date(exported.get(code))
        got = (state["received"].get(code) or {}).get("seqs") or []
        revoked = info["status"] == K.REVOKED
        rows.append({"code": code, "name": info["name"], "status": info["status"],
                     "last_received": made.isoformat() if made else "",
                     "received_days": (today - made).days if made else None,
                     "imported": str(p.get("imported") or "")[:19],
                     "last_sent": sent_at.isoformat() if sent_at else "",
                     "sent_days": (today - sent_at).days if sent_at else None,
                     "silent": not revoked and (made is None or (today - made).days > days),
                     "waiting": None, "full": not isinstance(p.get("vv"), dict),
                     "seq_received": got[-1][1] if got else 0, "seq_sent": int(sent.get("last", 0)),
                     "seq_acked": int(sent.get("acked", 0)), "not_arrived": list(sent.get("missing") or []),
                     "missing": (gaps.get(code) or {}).get("missing", [])})
    if waiting:
        add_waiting(db, rows)
    return rows


# ---------------------------------------------------------------------- records waiting

class _Standing:
    """Every standing version by replica, sorted by counter: which records a vector has not seen."""

    def __init__(self, db: Database) -> None:
        by_replica: dict[str, list[tuple[int, str, str]]] = {}
        for name in db.collections():
            for rid, doc in db.raw(name).items():
                for v in doc["v"]:
                    r, c = v["dot"]
                    by_replica.setdefault(r, []).append((c, name, rid))
        self.lists = {r: sorted(x) for r, x in by_replica.items()}
        self.counters = {r: [c for c, _, _ in x] for r, x in self.lists.items()}

    def unseen(self, since: dict[str, int]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for r, items in self.lists.items():
            start = bisect_right(self.counters[r], since.get(r, 0))
            out.update((name, rid) for _, name, rid in items[start:])
        return out


def lazy_scope(db: Database, code: str) -> Callable[[str, dict], bool]:
    """``engine.scope_of(db, code)`` without its pass over every member: a member is looked at only
    when a record names it (tests/test_summary.py holds the two to the same answers)."""
    if code == PROVINCE_CODE:
        return lambda collection, doc: True
    mentions = E.mentions

    def direct(doc: dict) -> bool:
        return doc["owner"] == code or any(mentions(v["data"], code) for v in doc["v"])

    cache: dict[str, bool] = {}
    members = db.raw("members")

    def member_in(mid: object) -> bool:
        if not isinstance(mid, str):
            return False
        hit = cache.get(mid)
        if hit is None:
            doc = members.get(mid)
            hit = cache[mid] = doc is not None and direct(doc)
        return hit

    def in_scope(collection: str, doc: dict) -> bool:
        if direct(doc):
            return True
        if all(v["deleted"] for v in doc["v"]):
            return True
        if doc["owner"] == PROVINCE_CODE and collection in E.SHARED_PROVINCE:
            return True
        return any(member_in(v["data"].get(link)) for v in doc["v"] for link in E.MEMBER_LINKS)

    return in_scope


def waiting_for(db: Database, code: str, standing: _Standing | None = None) -> int | None:
    """How many records the next bundle to ``code`` would carry (None: never heard from: full)."""
    peer = E.read_peers(db.path).get(code) or {}
    since = peer.get("vv")
    if not isinstance(since, dict):
        return None
    standing = standing or _Standing(db)
    keys = standing.unseen(since)
    if db.is_province:
        keys |= {(e.get("collection"), e.get("id")) for e in peer.get("refused") or []}
    in_scope = lazy_scope(db, code)
    n = 0
    for name, rid in keys:
        doc = db.doc(name, rid)
        if doc is not None and in_scope(name, doc):
            n += 1
    return n


def add_waiting(db: Database, rows: list[dict]) -> None:
    """Fill ``waiting`` in rows made by :func:`offices` (one index for all offices)."""
    standing = None
    for row in rows:
        if row["full"]:
            continue
        standing = standing or _Standing(db)
        row["waiting"] = waiting_for(db, row["code"], standing)


# ---------------------------------------------------------------------- missing bundles

def gaps(db: Database) -> list[dict]:
    """``sequence.gaps`` with the office's name and one sentence per missing bundle."""
    names = {code: info["name"] for code, info in known_offices(db).items()}
    out = []
    for g in S.gaps(db):
        name = names.get(g["office"]) or g["office"]
        lines = []
        for row in g["gaps"]:
            if row["closed_by"] is not None:
                lines.append(t("summary.gap.closed", n=row["seq"], office=name, later=row["closed_by"]))
            else:
                lines.append(t("summary.gap.open", n=row["seq"], office=name, highest=g["highest"],
                               code=g["office"], me=db.code))
        out.append(dict(g, name=name, lines=lines))
    return out
