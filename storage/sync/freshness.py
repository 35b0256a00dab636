"""Freshness of sync per office: the last bundle from it and to it, records waiting, missing bundles.

- *Last received*: the latest bundle imported from the office (``peers.json``: when it was made there
  and when it was imported here). An office with nothing for more than ``days`` days (before its first
  bundle: since it was enrolled or trusted) is *silent*.
- *Last sent*: the latest bundle written for it (``sequence.json``, else ``exports.jsonl``).
- *Waiting*: the records the next delta to it would carry: in its scope (as ``engine.scope_of``) and
  not covered by the version vector it last acknowledged. One pass over every record for all
  offices at once (each record names the few offices whose scope holds it), not one per office.
  ``None`` with ``full`` when nothing was ever received from it (the next bundle is full).
- *Missing bundles*: :func:`storage.sync.sequence.gaps`, in sentences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from storage.core.db import PROVINCE_CODE, Database, gc_paused
from storage.core.i18n import t
from storage.core.versions import erased
from storage.office import keys as office_keys
from storage.sync import engine, sequence


def _date(text: object) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(text)).date()
    except ValueError:
        return None


def _silent(heard: dt.date | None, today: dt.date, days: int) -> bool:
    """Nothing for more than ``days`` since the last bundle, or, before any, since the office was enrolled
    (or trusted): an office enrolled this morning is not silent. Never heard and never enrolled: silent."""
    return heard is None or (today - heard).days > days


def office_names(db: Database) -> dict[str, str]:
    names = {v.get("code"): v.get("name") or "" for v in db.values("offices") if v.get("code")}
    return names


def known_offices(db: Database) -> dict[str, dict]:
    """The offices this one exchanges bundles with: code -> {name, status}."""
    store = office_keys.TrustStore.load(db.path)
    names = office_names(db)
    out: dict[str, dict] = {}
    if db.is_province:
        for code, e in store.offices.items():
            out[code] = {"name": e.get("name") or names.get(code, ""), "status": e.get("status", ""),
                         "since": e.get("since", "")}
        for code, name in names.items():
            if code != db.code and code not in out:
                out[code] = {"name": name, "status": ""}
    else:
        out[PROVINCE_CODE] = {"name": names.get(PROVINCE_CODE) or (store.province or {}).get("name", ""),
                              "status": office_keys.TRUSTED if store.province else ""}
    out.pop(db.code, None)
    return dict(sorted(out.items()))


def offices(db: Database, today: dt.date, days: int, waiting: bool = True) -> list[dict]:
    """One row per office (see the module docstring); ``waiting=False`` leaves ``waiting`` unset (None)."""
    peers = engine.read_peers(db.path)
    state = sequence.read(db.path)
    exported: dict[str, str] = {}
    if any(code not in state["sent"] for code in known_offices(db)):
        for e in engine.export_log(db.path):
            if e.get("to"):
                exported[e["to"]] = max(exported.get(e["to"], ""), str(e.get("ts", "")))
    gaps = {g["office"]: g for g in sequence.gaps(db)}
    rows = []
    for code, info in known_offices(db).items():
        p = peers.get(code) or {}
        # When it was made there, by its own word, but never later than when it arrived here (a
        # sender's clock, or a made-up date, cannot hide an office's silence).
        made = min((d for d in (_date(p.get("created")), _date(p.get("imported"))) if d), default=None)
        sent = state["sent"].get(code) or {}
        sent_at = _date(sent.get("created")) or _date(exported.get(code))
        got = (state["received"].get(code) or {}).get("seqs") or []
        revoked = info["status"] == office_keys.REVOKED
        rows.append({"code": code, "name": info["name"], "status": info["status"],
                     "last_received": made.isoformat() if made else "",
                     "received_days": (today - made).days if made else None,
                     "imported": str(p.get("imported") or "")[:19],
                     "last_sent": sent_at.isoformat() if sent_at else "",
                     "sent_days": (today - sent_at).days if sent_at else None,
                     "silent": not revoked and _silent(made or _date(info.get("since")), today, days),
                     "waiting": None, "full": not isinstance(p.get("vv"), dict),
                     "seq_received": got[-1][1] if got else 0, "seq_sent": int(sent.get("last", 0)),
                     "seq_acked": int(sent.get("acked", 0)), "not_arrived": list(sent.get("missing") or []),
                     "missing": (gaps.get(code) or {}).get("missing", [])})
    if waiting:
        add_waiting(db, rows)
    return rows


# ---------------------------------------------------------------------- records waiting

def named_offices(data: object) -> set[str]:
    """The office codes a record's fields name: ``engine.mentions`` turned round (codes out, not a test)."""
    out: set[str] = set()
    if not isinstance(data, dict):
        return out
    for key in ("office", "upt"):
        value = data.get(key)
        if isinstance(value, str):
            out.add(value)
    offices = data.get("offices")
    if isinstance(offices, list):
        out.update(x for x in offices if isinstance(x, str))
    assignments = data.get("assignments")
    if isinstance(assignments, list):
        out.update(a["office"] for a in assignments if isinstance(a, dict) and isinstance(a.get("office"), str))
    return out


def scope_codes(db: Database) -> Callable[[str, dict], set[str] | None]:
    """``codes(collection, doc)``: the offices whose scope holds ``doc`` (None: every office), by the
    rules of ``engine.scope_of`` (tests/storage/summary/test_summary.py holds the two to the same answers) but in one
    pass for all offices: a record names its offices, a payout or invitation those of its member."""
    members = db.raw("members")
    cache: dict[str, set[str]] = {}

    def direct(doc: dict) -> set[str]:
        versions = doc["v"]
        if len(versions) == 1:
            return named_offices(versions[0]["data"]) | {doc["owner"]}
        return set().union(*(named_offices(v["data"]) for v in versions)) | {doc["owner"]}

    # A duplicate case (one NIK, records at several offices) goes to every office holding one of them.
    for ids in db.index("members", "nik").values():
        if len(ids) > 1:
            together = set().union(*(direct(members[i]) for i in ids if i in members))
            cache.update(dict.fromkeys(ids, together))

    def of_member(mid: object) -> set[str]:
        if not isinstance(mid, str):
            return set()
        hit = cache.get(mid)
        if hit is None:
            doc = members.get(mid)
            hit = cache[mid] = direct(doc) if doc is not None else set()
        return hit

    def codes(collection: str, doc: dict) -> set[str] | None:
        versions = doc["v"]
        if all(v["deleted"] for v in versions):
            return None  # tombstones go everywhere
        if erased(versions[0]):
            return None  # so do erased records (UU PDP: no personal data left in them)
        if doc["owner"] == PROVINCE_CODE and collection in engine.SHARED_PROVINCE:
            return None
        out = of_member(doc["id"]) if collection == "members" else direct(doc)
        for v in versions:
            data = v["data"]
            for link in engine.MEMBER_LINKS:
                if link in data:
                    out = out | of_member(data[link])
        return out

    return codes


def waiting_counts(db: Database, codes: list[str]) -> dict[str, int | None]:
    """Per office: the records the next bundle to it would carry; None when nothing was ever received
    from it (the next bundle is full). One pass over every record for all offices, by the rules of
    ``engine.export_bundle``: in scope and not covered by what it acknowledged, or refused and sent
    back, or hanging off a member the bundle carries (her payout items and invitations go with her)."""
    peers = engine.read_peers(db.path)
    since = {c: engine.known_vv(peers[c]) for c in codes if engine.known_vv(peers.get(c) or {}) is not None}
    forced = {c: {(e.get("collection"), e.get("id")) for e in (peers[c].get("refused") or [])} if db.is_province
              else set() for c in since}
    carried: dict[str, set[str]] = {c: set() for c in since}
    counts: dict[str, int | None] = {c: (0 if c in since else None) for c in codes}
    if not since:
        return counts
    everyone = tuple(since)
    codes_of = (lambda collection, doc: None) if not db.is_province else scope_codes(db)
    links = engine.MEMBER_LINKS
    # What every office has seen: a record under it (most are old) is passed over at once, unless it
    # is refused somewhere or hangs off a carried member.
    floor = {r: min(v.get(r, 0) for v in since.values()) for r in set().union(*since.values())}
    any_forced = set().union(*forced.values())
    any_carried: set[str] = set()
    for name in sorted(db.collections(), key=lambda n: n != "members"):
        members = name == "members"
        for rid, doc in db.raw(name).items():
            if (all(floor.get(v["dot"][0], 0) >= v["dot"][1] for v in doc["v"]) and (name, rid) not in any_forced
                    and (members or not any_carried
                         or not any(v["data"].get(link) in any_carried for v in doc["v"] for link in links))):
                continue
            found = codes_of(name, doc)
            targets = everyone if found is None else [c for c in found if c in since]
            for c in targets:
                seen = since[c]
                sent = any(seen.get(v["dot"][0], 0) < v["dot"][1] for v in doc["v"]) or (name, rid) in forced[c]
                if not sent and carried[c] and not members:
                    with_her = carried[c]
                    sent = any(v["data"].get(link) in with_her for v in doc["v"] for link in links)
                if sent:
                    counts[c] += 1
                    if members and c != PROVINCE_CODE:
                        carried[c].add(rid)
                        any_carried.add(rid)
    return counts


def add_waiting(db: Database, rows: list[dict], counts_of: Callable[[Database, list[str]], dict] | None = None) -> None:
    """Fill ``waiting`` in rows made by :func:`offices` (counted by ``counts_of``: :func:`waiting_counts`
    unless given, e.g. ``storage.summary.waiting``'s, part by part)."""
    with gc_paused():
        counts = (counts_of or waiting_counts)(db, [r["code"] for r in rows])
    for row in rows:
        row["waiting"] = counts.get(row["code"])


# ---------------------------------------------------------------------- missing bundles

def gaps(db: Database) -> list[dict]:
    """``sequence.gaps`` with the office's name and one sentence per missing bundle."""
    names = {code: info["name"] for code, info in known_offices(db).items()}
    out = []
    for g in sequence.gaps(db):
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
