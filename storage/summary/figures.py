"""The Ringkasan (summary): where an office stands, computed from the data core's in-memory values.

At the province it covers all of Jawa Timur; at a UPT, its own area (assignments at the UPT, the
kab/kota it serves, its payout items). Figures:

- active members per pillar and per kab/kota (where they serve: an assignment's ``area_kab``, else the
  member's home kab); a member active in two pillars counts once in each and once in the total;
- kecamatan without an active TKSK (ANGGOTA, PENDAMPING or KOORDINATOR_KEC bound to that kecamatan);
- payouts per quarter as the payout reports count them: gross of the standing items (draft, approved,
  paid), paid (net of paid items), outstanding (net of draft and approved) and returned (net of items
  whose money came back);
- open conflicts and duplicate-NIK cases;
- per office, the freshness of sync and the missing bundles (:mod:`storage.sync.freshness`).

One pass over members and one over payout items, counted in C (``Counter`` of small tuples) where
the rows repeat: 100,000 members and 200,000 items take well under a second (benchmarks/bench_summary.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path

import orjson

from storage.core.db import Database, gc_paused, write_office
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.domain import regions
from storage.domain.model import PILLARS
from storage.reconcile import conflicts, duplicates
from storage.sync import freshness

TKSK_KEC_POSITIONS = ("ANGGOTA", "PENDAMPING", "KOORDINATOR_KEC")  # as storage.domain.validate binds them
STANDING = ("draft", "approved", "paid")
DEFAULT_SILENT_DAYS = 14
CACHE_FILE = "summary-cache.json"
# Besides the data (its commit number): the files the offices' freshness is read from.
_STATE_FILES = ("peers.json", "sequence.json", "imports.jsonl", "exports.jsonl", "keys/trust.json")


def silent_days(db: Database) -> int:
    """Days without a bundle after which an office is flagged: office.json ``summary_silent_days``."""
    try:
        return max(1, int(db.office.get("summary_silent_days", DEFAULT_SILENT_DAYS)))
    except (TypeError, ValueError):
        return DEFAULT_SILENT_DAYS


def set_silent_days(db: Database, days: int) -> int:
    """Keep the silent-days setting in this folder's office.json (a local setting: it does not sync)."""

    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise PilarError("summary.bad_days", value=days)
    db.office = dict(db.office, summary_silent_days=days)
    write_office(db.path, db.office)
    return days


def area_kabs(db: Database) -> list[str]:
    """The kab/kota this office answers for: all 38 at the province, its office record's area at a UPT
    (``compute`` falls back on the kab/kota where the UPT's members serve when the record has none)."""
    if db.is_province:
        return [k["code"] for k in regions.kab_list()]
    for v in db.values("offices"):
        if v.get("code") == db.code and isinstance(v.get("area"), list):
            return sorted(k for k in v["area"] if regions.kab(k))
    return []


def _mine(db: Database) -> Callable[[dict], bool]:
    """Which assignments count here: every one at the province, the UPT's own at a UPT."""
    if db.is_province:
        return lambda a: True
    code = db.code
    return lambda a: a.get("office") == code


# ---------------------------------------------------------------------- members and TKSK

def members(db: Database) -> dict:
    """Active members per pillar and per kab/kota, and the kecamatan served by an active TKSK."""
    mine = None if db.is_province else _mine(db)
    singles: list[tuple[str, str]] = []  # (kab, pillar) of members with one active assignment: most
    by_pillar: Counter = Counter()
    by_kab: Counter = Counter()
    by_kab_pillar: Counter = Counter()
    tksk_kec: set[str] = set()
    total = 0
    for m in db.values("members"):
        assignments = m.get("assignments") or ()
        if len(assignments) == 1:
            a = assignments[0]
            if a.get("status") != "ACTIVE" or (mine is not None and not mine(a)):
                continue
            pillar = a.get("pillar") or ""
            singles.append((a.get("area_kab") or m.get("kab") or "", pillar))
            if pillar == "TKSK" and a.get("position") in TKSK_KEC_POSITIONS and a.get("area_kec"):
                tksk_kec.add(a["area_kec"])
            continue
        pairs = set()
        for a in assignments:
            if a.get("status") != "ACTIVE" or (mine is not None and not mine(a)):
                continue
            pillar = a.get("pillar") or ""
            pairs.add((a.get("area_kab") or m.get("kab") or "", pillar))
            if pillar == "TKSK" and a.get("position") in TKSK_KEC_POSITIONS and a.get("area_kec"):
                tksk_kec.add(a["area_kec"])
        if pairs:
            total += 1
            by_kab_pillar.update(pairs)
            by_pillar.update({p for _, p in pairs})
            by_kab.update({k for k, _ in pairs})
    total += len(singles)
    counted = Counter(singles)  # in C: 100,000 pairs fall into a few hundred
    for (kab, pillar), n in counted.items():
        by_kab_pillar[(kab, pillar)] += n
        by_pillar[pillar] += n
        by_kab[kab] += n
    return {"active": total, "by_pillar": {p: by_pillar.get(p, 0) for p in PILLARS if by_pillar.get(p)}
            | {p: n for p, n in by_pillar.items() if p not in PILLARS},
            "by_kab": dict(sorted(by_kab.items())),
            "by_kab_pillar": _nested(by_kab_pillar),
            "_tksk_kec": tksk_kec}


def open_conflicts(db: Database) -> int:
    """The open conflicts: from the folder's index of documents with two versions (no pass over every record)."""
    return conflicts.count(db)


def _nested(pairs: Counter) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (kab, pillar), n in sorted(pairs.items()):
        out.setdefault(kab, {})[pillar] = n
    return out


def tksk_gaps(kabs: list[str], served: set[str]) -> dict:
    """The kecamatan of ``kabs`` that no active TKSK serves, named, in code order."""
    without = []
    total = 0
    for kab in kabs:
        for k in regions.kec_of_kab(kab):
            total += 1
            if k["code"] not in served:
                without.append({"kab": kab, "kab_name": regions.kab_name(kab), "kec": k["code"], "kec_name": k["name"]})
    return {"kecamatan": total, "served": total - len(without), "without": without}


# ---------------------------------------------------------------------- payouts

def _empty_quarter(code: str) -> dict:
    return {"quarter": code, "items": 0, "gross": 0, "net": 0, "paid": 0, "paid_items": 0, "outstanding": 0,
            "outstanding_items": 0, "returned": 0, "returned_items": 0, "void_items": 0}


def _add(acc: dict, status: str, gross: int, net: int, n: int) -> None:
    if status in STANDING:
        acc["items"] += n
        acc["gross"] += gross * n
        acc["net"] += net * n
    if status == "paid":
        acc["paid"] += net * n
        acc["paid_items"] += n
    elif status in ("draft", "approved"):
        acc["outstanding"] += net * n
        acc["outstanding_items"] += n
    elif status == "returned":
        acc["returned"] += net * n
        acc["returned_items"] += n
    elif status == "void":
        acc["void_items"] += n


def payouts(db: Database) -> tuple[list[dict], dict[str, dict[str, dict]]]:
    """Per quarter (oldest first) and per quarter and kab/kota: items, gross, paid, outstanding, returned."""
    code = None if db.is_province else db.code
    key = itemgetter("quarter", "status", "kab", "gross", "net")
    rows: Counter = Counter()
    for collection in db.collections():
        if not collection.startswith("payouts_"):
            continue
        def values(collection: str = collection):
            items = db.values(collection)
            return items if code is None else (v for v in items if v.get("office") == code)

        try:
            part = Counter(map(key, values()))  # in C: a quarter's 50,000 items fall into a few hundred rows
        except KeyError:  # an item without one of the fields (never written so here): the slow way
            part = Counter((v.get("quarter", ""), v.get("status", ""), v.get("kab", ""), v.get("gross", 0),
                            v.get("net", 0)) for v in values())
        rows.update(part)
    quarters: dict[str, dict] = {}
    by_kab: dict[str, dict[str, dict]] = {}
    for (quarter, status, kab, gross, net), n in rows.items():
        acc = quarters.get(quarter) or quarters.setdefault(quarter, _empty_quarter(quarter))
        _add(acc, status, gross, net, n)
        per = by_kab.setdefault(quarter, {})
        _add(per.get(kab) or per.setdefault(kab, _empty_quarter(quarter)), status, gross, net, n)
    return [quarters[q] for q in sorted(quarters)], {q: dict(sorted(by_kab[q].items())) for q in sorted(by_kab)}


# ---------------------------------------------------------------------- everything

def compute(db: Database, today: dt.date | None = None, days: int | None = None, waiting: bool = True,
            conflicts: int | None = None) -> dict:
    """The whole summary as plain data (JSON-ready); ``waiting=False`` leaves the per-office count of
    records waiting to be sent for later (the screen's first paint), see ``freshness.add_waiting``;
    ``conflicts``: the open conflicts when the caller keeps count already (the app's header does)."""
    with gc_paused():  # hundreds of thousands of small tuples, no garbage
        return _compute(db, today, days, waiting, conflicts)


def _compute(db: Database, today: dt.date | None, days: int | None, waiting: bool, conflicts: int | None) -> dict:

    today = today or dt.date.today()
    days = days or silent_days(db)
    state = state_key(db, today, days)  # before counting: a commit meanwhile makes it stale, never wrong
    timings = {}
    started = time.perf_counter()
    kabs = area_kabs(db)
    m = members(db)
    served = m.pop("_tksk_kec")
    if not kabs and not db.is_province:
        # an office record without its area (enrolled with `pilar office add`): where its members serve
        kabs = sorted(k for k in m["by_kab"] if regions.kab(k))
    timings["members"] = time.perf_counter() - started
    at = time.perf_counter()
    quarters, by_kab = payouts(db)
    timings["payouts"] = time.perf_counter() - at
    at = time.perf_counter()
    cases = {"conflicts": open_conflicts(db) if conflicts is None else conflicts, "duplicates": duplicates.count(db)}
    timings["cases"] = time.perf_counter() - at
    at = time.perf_counter()
    offices = freshness.offices(db, today, days, waiting=waiting)
    gaps = freshness.gaps(db)
    timings["offices"] = time.perf_counter() - at
    timings["total"] = time.perf_counter() - started
    return {"office": {"code": db.code, "name": db.office.get("name", ""), "province": db.is_province},
            "today": today.isoformat(), "silent_days": days, "kabs": kabs,
            "members": m, "tksk": tksk_gaps(kabs, served), "payouts": quarters, "payouts_by_kab": by_kab,
            "cases": cases, "offices": offices, "gaps": gaps,
            "silent": [o["code"] for o in offices if o["silent"]], "timings": timings, "state": state}


def rekap_rows(s: dict) -> list[dict]:
    """One row per kab/kota of the office's area for the printable rekap: active members (and per
    pillar), kecamatan, kecamatan without an active TKSK, and the latest quarter's payouts."""
    latest = s["payouts"][-1]["quarter"] if s["payouts"] else None
    pay = s["payouts_by_kab"].get(latest, {}) if latest else {}
    missing = Counter(r["kab"] for r in s["tksk"]["without"])
    out = []
    for kab in s["kabs"]:
        p = pay.get(kab) or _empty_quarter(latest or "")
        out.append({"kab": kab, "name": regions.kab_name(kab), "active": s["members"]["by_kab"].get(kab, 0),
                    "pillars": s["members"]["by_kab_pillar"].get(kab, {}),
                    "kecamatan": len(regions.kec_of_kab(kab)), "without_tksk": missing.get(kab, 0),
                    "quarter": latest or "", "gross": p["gross"], "paid": p["paid"],
                    "outstanding": p["outstanding"], "returned": p["returned"]})
    return out


# ---------------------------------------------------------------------- the last summary, kept

def state_key(db: Database, today: dt.date, days: int) -> list:
    """What the summary depends on: the data (the folder's replica and commit number: every commit
    raises it, compaction and upkeep do not, a restore gives a new replica id), the size and time of
    the sync state files, the day and the silent-days setting. Equal keys: equal summaries."""
    stamps = []
    for name in _STATE_FILES:
        try:
            st = (db.path / name).stat()
        except OSError:
            stamps.append([name, None])
            continue
        stamps.append([name, st.st_size, st.st_mtime_ns])
    return [db.code, db.replica_id, db.seq, today.isoformat(), days, stamps]


def cached(db: Database, today: dt.date | None = None) -> dict | None:
    """The summary kept by :func:`keep` when nothing it depends on has changed since, else None."""
    today = today or dt.date.today()
    try:
        kept = orjson.loads((db.path / CACHE_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(kept, dict) or kept.get("key") != state_key(db, today, silent_days(db)):
        return None
    return kept.get("summary")


def last_kept(path) -> tuple[dict, float] | None:
    """The summary :func:`keep` wrote last and when (seconds since the epoch), whatever changed since:
    what the app shows, said to be kept, while the data folder is still being opened (issue 25). None when
    there is none or it cannot be read."""
    file = Path(path) / CACHE_FILE
    try:
        when = file.stat().st_mtime
        kept = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    summary = kept.get("summary") if isinstance(kept, dict) else None
    if not isinstance(summary, dict) or not all(k in summary for k in ("members", "tksk", "payouts", "offices")):
        return None
    return summary, when


def keep(db: Database, summary: dict) -> None:
    """Keep a complete summary (records waiting counted) for the next start's first paint."""
    if db.read_only or any(o["waiting"] is None and not o["full"] for o in summary["offices"]):
        return
    try:
        atomic_write(db.path / CACHE_FILE, orjson.dumps({"key": summary["state"], "summary": summary}))
    except (OSError, PilarError):
        pass  # a hint only: the next start computes
