"""The records waiting per office (the Ringkasan's sync column) counted part by part, without opening the
folder whole (issue 25): what ``pilar report summary`` prints from a folder opened with
``Database.open_parts``.

The same rules as ``storage.sync.freshness.waiting_counts`` (which reads an open folder's records; tests
hold the two to the same answers): a record waits for an office when it is in the office's scope and not
covered by what the office acknowledged, or was refused and sent back, or hangs off a member the bundle
carries. The members are read first, part by part; of each the offices it names are kept (a payout item or
an invitation goes where its member goes; a duplicate NIK's members go to every office holding one of
them), and of those not under every office's floor their versions' dots; then the other collections, part
by part. Nothing of a part is kept once it is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from storage.core import tally
from storage.core.db import PROVINCE_CODE, Database, PilarStorage, collection_of, gc_paused
from storage.core.versions import erased
from storage.summary import count as counting
from storage.sync import engine, freshness
from storage.sync.freshness import named_offices


def _direct(doc: dict) -> frozenset:
    versions = doc["v"]
    if len(versions) == 1:
        return frozenset(named_offices(versions[0]["data"]) | {doc["owner"]})
    return frozenset(set().union(*(named_offices(v["data"]) for v in versions)) | {doc["owner"]})


def current_docs(db: Database, collection: str) -> Iterator[dict[str, dict]]:
    """The documents of ``collection`` as they stand now, a file at a time: a collection not cut into parts
    from the partial open (its journal replayed), a part from its file with the journal's records since
    laid over."""
    if db.parts(collection) <= 1:
        yield db.raw(collection)
        return
    changes, _ = counting.journal_changes(db)
    names = sorted({n for n in counting.parts_of(db) if collection_of(n) == collection}
                   | {n for n in changes if collection_of(n) == collection})
    for name in names:
        path = Path(db.db_dir) / f"{name}.json"
        seq, docs = 0, {}
        if path.exists():
            storage = PilarStorage(path, name, db.code)
            with gc_paused():
                docs = (storage.read() or {}).get(name) or {}
            seq = storage.meta.get("seq", 0)
        later = {s: d for s, d in (changes.get(name) or {}).items() if s > seq}
        if later:
            docs = dict(docs)
            for s in sorted(later):
                docs.update(later[s])
        yield docs
        del docs


def collections_of(db: Database) -> list[str]:
    """Every collection of the folder: those loaded by the partial open, those cut into parts."""
    changes, _ = counting.journal_changes(db)
    cut = {collection_of(n) for n in counting.parts_of(db)} | {collection_of(n) for n in changes}
    return sorted(set(db.collections()) | cut)


def waiting_counts(db: Database, codes: list[str]) -> dict[str, int | None]:
    """Per office: the records the next bundle to it would carry; None when nothing was ever received from
    it (``freshness.waiting_counts``, on a folder opened with ``Database.open_parts``)."""
    peers = engine.read_peers(db.path)
    since = {c: engine.known_vv(peers[c]) for c in codes if engine.known_vv(peers.get(c) or {}) is not None}
    counts: dict[str, int | None] = {c: (0 if c in since else None) for c in codes}
    if not since:
        return counts
    forced = {c: {(e.get("collection"), e.get("id")) for e in (peers[c].get("refused") or [])} if db.is_province
              else set() for c in since}
    carried: dict[str, set[str]] = {c: set() for c in since}
    everyone = tuple(since)
    links = engine.MEMBER_LINKS
    floor = {r: min(v.get(r, 0) for v in since.values()) for r in set().union(*since.values())}
    any_forced = set().union(*forced.values())
    any_carried: set[str] = set()
    province = db.is_province

    def under_floor(doc: dict) -> bool:
        return all(floor.get(v["dot"][0], 0) >= v["dot"][1] for v in doc["v"])

    # the members: who each names, the NIKs they hold, and those not under every office's floor
    named: dict[str, frozenset] = {}
    interned: dict[frozenset, frozenset] = {}
    nik_ids: dict[str, list[str]] = {}
    pending: list[tuple[str, list[tuple[str, int]], list | None]] = []
    for docs in current_docs(db, "members"):
        for rid, doc in docs.items():
            if province:
                codes_here = _direct(doc)
                named[rid] = interned.setdefault(codes_here, codes_here)
                data = tally.live_data(doc)
                if data is not None and data.get("nik"):
                    nik_ids.setdefault(data["nik"], []).append(rid)
            if under_floor(doc) and ("members", rid) not in any_forced:
                continue
            versions = doc["v"]
            if all(v["deleted"] for v in versions) or erased(versions[0]):
                linked = None  # tombstones and erased records go everywhere
            else:
                linked = [v["data"][link] for v in versions for link in links if link in v["data"]]
            pending.append((rid, [(v["dot"][0], v["dot"][1]) for v in versions], linked))
    together: dict[str, frozenset] = {}
    for ids in nik_ids.values():
        if len(ids) > 1:
            union = frozenset().union(*(named[i] for i in ids))
            together.update(dict.fromkeys(ids, union))
    del nik_ids

    def of_member(mid: object) -> frozenset:
        if not isinstance(mid, str):
            return frozenset()
        hit = together.get(mid)
        return hit if hit is not None else named.get(mid, frozenset())

    def count(name: str, rid: str, dots: list[tuple[str, int]], found: set | frozenset | None,
              hangs: Callable[[set[str]], bool] | None) -> None:
        targets = everyone if found is None else [c for c in found if c in since]
        for c in targets:
            seen = since[c]
            sent = any(seen.get(r, 0) < n for r, n in dots) or (name, rid) in forced[c]
            if not sent and carried[c] and hangs is not None:
                sent = hangs(carried[c])
            if sent:
                counts[c] += 1
                if name == "members" and c != PROVINCE_CODE:
                    carried[c].add(rid)
                    any_carried.add(rid)

    for rid, dots, linked in pending:
        if not province or linked is None:
            found = None
        else:
            found = of_member(rid)
            for mid in linked:
                found = found | of_member(mid)
        count("members", rid, dots, found, None)
    del pending

    for name in collections_of(db):
        if name == "members":
            continue
        for docs in current_docs(db, name):
            for rid, doc in docs.items():
                versions = doc["v"]
                if (under_floor(doc) and (name, rid) not in any_forced
                        and (not any_carried
                             or not any(v["data"].get(link) in any_carried for v in versions for link in links))):
                    continue
                if not province:
                    found = None
                elif all(v["deleted"] for v in versions) or erased(versions[0]):
                    found = None
                elif doc["owner"] == PROVINCE_CODE and name in engine.SHARED_PROVINCE:
                    found = None
                else:
                    found = _direct(doc)
                    for v in versions:
                        data = v["data"]
                        for link in links:
                            if link in data:
                                found = found | of_member(data[link])

                def hangs(with_her: set[str], versions=versions) -> bool:
                    return any(v["data"].get(link) in with_her for v in versions for link in links)
                count(name, rid, [(v["dot"][0], v["dot"][1]) for v in versions], found, hangs)
    return counts


def add_waiting(db: Database, rows: list[dict]) -> None:
    """Fill ``waiting`` in rows made by ``freshness.offices`` (``freshness.add_waiting``, part by part)."""
    freshness.add_waiting(db, rows, counts_of=waiting_counts)
