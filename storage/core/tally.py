"""The Ringkasan's figures kept with the data folder, file by file (issue 25): ``db/summary.idx``.

Every figure the Ringkasan counts from the records is a sum of what each record adds: an active member
adds one to the total, one to each pillar and kab/kota it serves in and one to each (kab/kota, pillar)
pair, and marks the kecamatan it serves as TKSK; a payout item adds its amounts to its (quarter, status,
kab/kota) row; a record with two standing versions adds one open conflict. So the figures of the folder
are the sum of the figures of its files (the 32 parts of the members, the 8 of each year's payouts, the
collections not cut), and a fold recounts only the files it rewrites. Duplicate NIKs are not a sum: the
file keeps the NIKs held by two members or more, with their count (``dups``), as of the fold.

The file: a JSON header line (``v``, the folder ``schema`` and ``office`` it was counted for, the ``seq``
it reflects, the sha256 of the rest), then ``{"files": {name: tally}, "dups": {nik: count}}``. It is
written with each fold, before the manifest, which records its seq under ``indexes`` ("summary"), like
``members.nik.idx``. Only a shortcut: missing, stale (another seq, an older Pilar's fold dropped the entry),
damaged or of another schema, it is not used, and the next fold counts every file again. The app reads it
with the journal's records since (``storage.summary.figures.current_at_start``) to show the current
figures before the folder is loaded.

This module counts; it never reads a whole folder. ``storage.summary.figures`` turns the tallies into the
Ringkasan's figures and checks them against a full count in the tests.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

FILE = "summary.idx"
KEY = "summary"  # the manifest's ``indexes`` entry
VERSION = 1
TKSK_KEC_POSITIONS = ("ANGGOTA", "PENDAMPING", "KOORDINATOR_KEC")  # as storage.domain.validate binds them
_PAYOUT_KEY = itemgetter("quarter", "status", "kab", "gross", "net")


def is_open(doc: dict) -> bool:
    """An open conflict (as storage.reconcile.conflicts.is_open): two standing versions, not all deletions."""
    versions = doc["v"]
    return len(versions) > 1 and not all(v["deleted"] for v in versions)


def members_tally(values: Iterable[dict], office: str | None) -> dict:
    """What these members add to the figures: ``office`` None at the province (every assignment counts),
    else the UPT's code (only its own assignments)."""
    singles: list[tuple[str, str]] = []  # (kab, pillar) of members with one active assignment: most
    pillars: Counter = Counter()
    kabs: Counter = Counter()
    pairs_n: Counter = Counter()
    kec: Counter = Counter()
    active = 0
    for m in values:
        assignments = m.get("assignments") or ()
        if len(assignments) == 1:
            a = assignments[0]
            if a.get("status") != "ACTIVE" or (office is not None and a.get("office") != office):
                continue
            pillar = a.get("pillar") or ""
            singles.append((a.get("area_kab") or m.get("kab") or "", pillar))
            if pillar == "TKSK" and a.get("position") in TKSK_KEC_POSITIONS and a.get("area_kec"):
                kec[a["area_kec"]] += 1
            continue
        pairs = set()
        for a in assignments:
            if a.get("status") != "ACTIVE" or (office is not None and a.get("office") != office):
                continue
            pillar = a.get("pillar") or ""
            pairs.add((a.get("area_kab") or m.get("kab") or "", pillar))
            if pillar == "TKSK" and a.get("position") in TKSK_KEC_POSITIONS and a.get("area_kec"):
                kec[a["area_kec"]] += 1
        if pairs:
            active += 1
            pairs_n.update(pairs)
            pillars.update({p for _, p in pairs})
            kabs.update({k for k, _ in pairs})
    active += len(singles)
    for (kab, pillar), n in Counter(singles).items():  # in C: thousands of pairs fall into a few hundred
        pairs_n[(kab, pillar)] += n
        pillars[pillar] += n
        kabs[kab] += n
    nested: dict[str, dict[str, int]] = {}
    for (kab, pillar), n in pairs_n.items():
        nested.setdefault(kab, {})[pillar] = n
    return {"active": active, "pillars": dict(pillars), "kabs": dict(kabs), "pairs": nested, "kec": dict(kec)}


def payouts_tally(values: Iterable[dict], office: str | None) -> dict:
    """What these payout items add: their count per (quarter, status, kab/kota, gross, net)."""
    items = values if office is None else (v for v in values if v.get("office") == office)
    items = list(items)
    try:
        rows = Counter(map(_PAYOUT_KEY, items))  # in C: a quarter's 50,000 items fall into a few hundred rows
    except KeyError:  # an item without one of the fields (never written so here): the slow way
        rows = Counter((v.get("quarter", ""), v.get("status", ""), v.get("kab", ""), v.get("gross", 0),
                        v.get("net", 0)) for v in items)
    return {"rows": sorted([*key, n] for key, n in rows.items())}


def file_tally(collection: str, docs: dict[str, dict], values: dict[str, dict], office: str | None) -> dict:
    """The tally of one file (a part or a collection not cut): ``docs`` its documents, ``values`` the live
    values of the collection by id (``Database.value_of``; a deleted record has none)."""
    out: dict[str, Any] = {}
    conflicts = sum(1 for d in docs.values() if len(d["v"]) > 1 and is_open(d))
    if conflicts:
        out["conflicts"] = conflicts
    if collection == "members":
        out["members"] = members_tally((v for v in map(values.get, docs) if v is not None), office)
    elif collection.startswith("payouts_"):
        out["payouts"] = payouts_tally((v for v in map(values.get, docs) if v is not None), office)
    return out


def dups(nik_index: dict[Any, set[str]]) -> dict[str, int]:
    """The NIKs held by two members or more (the members' NIK index), with how many."""
    return {nik: len(ids) for nik, ids in nik_index.items() if nik and len(ids) > 1}


def encode(seq: int, schema: int, office: str, files: dict[str, dict], dup: dict[str, int]) -> bytes:
    payload = orjson.dumps({"files": files, "dups": dup})
    head = orjson.dumps({"v": VERSION, "seq": seq, "schema": schema, "office": office,
                         "sha256": hashlib.sha256(payload).hexdigest()})
    return head + b"\n" + payload + b"\n"


def read(db_dir: Path, recorded: object, schema: object, office: str) -> dict | None:
    """The tallies in ``db_dir/summary.idx`` ({"seq", "files", "dups"}) when the file is the one the manifest
    records (``recorded``: its seq there), whole, and counted for this schema and office; else None."""
    if type(recorded) is not int:
        return None
    try:
        raw = (Path(db_dir) / FILE).read_bytes()
        newline = raw.find(b"\n")
        head = orjson.loads(raw[:newline])
        payload = memoryview(raw)[newline + 1:len(raw) - 1]
        if not isinstance(head, dict) or head.get("v") != VERSION or head.get("seq") != recorded \
                or head.get("schema") != schema or head.get("office") != office \
                or hashlib.sha256(payload).hexdigest() != head.get("sha256"):
            return None
        body = orjson.loads(payload)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict) or not isinstance(body.get("dups"), dict):
        return None
    return {"seq": recorded, "files": body["files"], "dups": body["dups"]}


def merge(files: Iterable[dict]) -> dict:
    """The tallies of every file summed: {"active", "pillars", "kabs", "pairs" {(kab, pillar): n}, "kec",
    "rows" Counter of (quarter, status, kab, gross, net), "conflicts"}."""
    active = 0
    pillars: Counter = Counter()
    kabs: Counter = Counter()
    pairs: Counter = Counter()
    kec: Counter = Counter()
    rows: Counter = Counter()
    conflicts = 0
    for f in files:
        conflicts += f.get("conflicts", 0)
        m = f.get("members")
        if m:
            active += m["active"]
            pillars.update(m["pillars"])
            kabs.update(m["kabs"])
            kec.update(m["kec"])
            for kab, per in m["pairs"].items():
                for pillar, n in per.items():
                    pairs[(kab, pillar)] += n
        p = f.get("payouts")
        if p:
            for *key, n in p["rows"]:
                rows[tuple(key)] += n
    return {"active": active, "pillars": pillars, "kabs": kabs, "pairs": pairs, "kec": kec, "rows": rows,
            "conflicts": conflicts}
