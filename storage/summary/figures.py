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
from pathlib import Path

import orjson

from storage.core import tally
from storage.core.db import NIK_INDEX, Database, PilarStorage, gc_paused, read_journal, write_office
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.domain import regions
from storage.domain.model import PILLARS
from storage.reconcile import conflicts, duplicates
from storage.sync import freshness

TKSK_KEC_POSITIONS = tally.TKSK_KEC_POSITIONS  # as storage.domain.validate binds them
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


# ---------------------------------------------------------------------- members and TKSK

def members(db: Database) -> dict:
    """Active members per pillar and per kab/kota, and the kecamatan served by an active TKSK."""
    return _members_figures(tally.merge([{"members": tally.members_tally(db.values("members"), _office(db))}]))


def _office(db: Database) -> str | None:
    """Whose assignments and items count: None at the province (all), the UPT's code at a UPT."""
    return None if db.is_province else db.code


def _members_figures(merged: dict) -> dict:
    """The members' figures from summed tallies (storage.core.tally.merge)."""
    by_pillar = merged["pillars"]
    return {"active": merged["active"],
            "by_pillar": {p: by_pillar[p] for p in PILLARS if by_pillar.get(p)}
            | {p: by_pillar[p] for p in sorted(by_pillar) if p not in PILLARS and by_pillar[p]},
            "by_kab": {k: n for k, n in sorted(merged["kabs"].items()) if n},
            "by_kab_pillar": _nested(Counter({k: n for k, n in merged["pairs"].items() if n})),
            "_tksk_kec": {k for k, n in merged["kec"].items() if n > 0}}


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
    office = _office(db)
    return _payout_figures(tally.merge([{"payouts": tally.payouts_tally(db.values(c), office)}
                                        for c in db.collections() if c.startswith("payouts_")])["rows"])


def _payout_figures(rows: Counter) -> tuple[list[dict], dict[str, dict[str, dict]]]:
    quarters: dict[str, dict] = {}
    by_kab: dict[str, dict[str, dict]] = {}
    for (quarter, status, kab, gross, net), n in rows.items():
        if not n:
            continue
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
    m = members(db)
    timings["members"] = time.perf_counter() - started
    at = time.perf_counter()
    quarters, by_kab = payouts(db)
    timings["payouts"] = time.perf_counter() - at
    at = time.perf_counter()
    cases = {"conflicts": open_conflicts(db) if conflicts is None else conflicts, "duplicates": duplicates.count(db)}
    timings["cases"] = time.perf_counter() - at
    return _assemble(db, today, days, waiting, state, m, quarters, by_kab, cases, timings, started)


def _assemble(db: Database, today: dt.date, days: int, waiting: bool, state: list, m: dict, quarters: list,
              by_kab: dict, cases: dict, timings: dict, started: float) -> dict:
    """The summary from the counted figures: the area, the kecamatan without TKSK, the offices."""
    kabs = area_kabs(db)
    served = m.pop("_tksk_kec")
    if not kabs and not db.is_province:
        # an office record without its area (enrolled with `pilar office add`): where its members serve
        kabs = sorted(k for k in m["by_kab"] if regions.kab(k))
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


# ---------------------------------------------------------------------- current figures before the folder is loaded

def current_at_start(path, today: dt.date | None = None, count: bool = False, days: int | None = None,
                     processes: int | None = 0) -> dict | None:
    """The current summary (records waiting not counted) from the tallies the folder keeps
    (``db/summary.idx``, storage/core/tally.py) and the journal's records since, without loading the parts
    of the members or the payouts: office.json, the manifest, the collections not cut into parts, the
    tallies, the journal, and the few parts the journal's records since the last fold belong to. What the
    app shows at start while the folder loads (issue 25). When the tallies cannot say (none yet: a folder
    an older Pilar wrote last, or just restored; stale; damaged): None, or with ``count`` the tallies
    counted from the files part by part (storage/summary/count.py, ``processes`` child processes besides,
    None: as many as the folder's size is worth;
    ``out["counted"]``: the files' tallies as on disk, for ``Database.adopt_tallies``). None too when the
    folder cannot be read this way (of an older format, being restored): then it is opened."""
    started = time.perf_counter()
    try:
        db = Database.open_parts(path, set())
    except (PilarError, OSError):
        if count:
            raise  # a damaged file: said as an open says it
        return None
    if db is None:
        return None
    return from_tallies(db, today, count, days, processes, started)


def from_tallies(db: Database, today: dt.date | None = None, count: bool = False, days: int | None = None,
                 processes: int | None = 0, started: float | None = None) -> dict | None:
    """``current_at_start`` on a folder opened with ``Database.open_parts`` (``processes``: how many child
    processes count; None: as many as the folder's size is worth, ``count.processes_for``)."""
    started = time.perf_counter() if started is None else started
    today = today or dt.date.today()
    days = days or silent_days(db)
    state = state_key(db, today, days)
    counted_disk = None
    try:
        with gc_paused():
            counted = _tallies_now(db)
    except (PilarError, OSError, ValueError, KeyError, TypeError):
        if not count:
            return None
        counted = None
    if counted is None:
        if not count:
            return None
        counted, counted_disk = _counted_now(db, processes)
    files, dup_count = counted
    merged = tally.merge(files.values())
    timings = {"tallies": time.perf_counter() - started}
    quarters, by_kab = _payout_figures(merged["rows"])
    cases = {"conflicts": merged["conflicts"], "duplicates": dup_count}
    out = _assemble(db, today, days, False, state, _members_figures(merged), quarters, by_kab, cases, timings,
                    started)
    out["source"] = "tallies" if counted_disk is None else "counted"
    if counted_disk is not None:
        out["counted"] = counted_disk
    return out


def for_report(path, days: int | None = None, today: dt.date | None = None) -> tuple[dict, Database] | None:
    """The whole summary (``compute``, records waiting counted) without opening the folder whole: from the
    tallies the folder keeps and its journal, else counted part by part from its files
    (storage/summary/count.py), and the records waiting per office counted part by part
    (storage/summary/waiting.py); with the folder opened for it (``Database.open_parts``: office.json, the
    manifest, the collections not cut into parts), for what else a report reads. None when the folder
    cannot be read this way (missing, of an older format, a restore cut short): it is opened then."""
    from storage.summary import waiting

    started = time.perf_counter()
    db = Database.open_parts(path, set())
    if db is None:
        return None
    # counted (no tallies kept): on the other core too, a part at a time in each process
    out = from_tallies(db, today, True, days, None, started)
    at = time.perf_counter()
    with gc_paused():
        waiting.add_waiting(db, out["offices"])
    out["timings"]["waiting"] = time.perf_counter() - at
    out["timings"]["total"] = time.perf_counter() - started
    out.pop("counted", None)
    out.pop("source", None)
    return out, db


def _counted_now(db: Database, processes: int | None = 0) -> tuple[tuple[dict[str, dict], int], dict]:
    """Every file's tally counted from the files (storage/summary/count.py) with the journal's records laid
    over, the number of duplicate NIKs; and the tallies of the files as on disk (with their seqs and the
    NIKs held by two members or more), what a fold may keep of them."""
    from storage.summary import count as counting

    office = _office(db)
    if processes is None:
        processes = counting.processes_for(db.db_dir, counting.parts_of(db))
    got = counting.count(db, office, processes)
    files = dict(got["now"])
    for collection in db.collections():  # not cut into parts: loaded, with the journal's records
        if db.parts(collection) > 1:
            continue
        vals = {v["id"]: v for v in db.values(collection)}
        files[collection] = tally.file_tally(collection, db.raw(collection), vals, office)
    dup_count = sum(1 for n in got["niks"].values() if n > 1)
    disk = {"seq": db.manifest.get("seq", 0), "seqs": got["seqs"], "files": got["disk"],
            "dups": {nik: n for nik, n in got["disk_niks"].items() if n > 1}}
    return (files, dup_count), disk


def _tallies_now(db: Database) -> tuple[dict[str, dict], int] | None:
    """Every file's tally as of now (the kept ones, the parts the journal changed since recounted, the
    collections not cut counted from the partial open) and the number of duplicate NIKs."""
    kept = tally.read(db.db_dir, (db.manifest.get("indexes") or {}).get(tally.KEY), db.manifest.get("schema"),
                      db.code)
    if kept is None:
        return None
    files = dict(kept["files"])
    office = _office(db)
    for collection in db.collections():  # not cut into parts: loaded, with the journal's records
        if db.parts(collection) > 1:
            continue  # (a cut collection's parts are counted in the kept tallies, and below: never whole)
        vals = {v["id"]: v for v in db.values(collection)}
        files[collection] = tally.file_tally(collection, db.raw(collection), vals, office)
    # the records of the cut collections the journal changed since the tallies' fold, last version each
    entries, _good = read_journal(db.journal_path, strict=True)
    changed: dict[str, dict[str, dict]] = {}
    for entry in entries:
        if entry["seq"] <= kept["seq"]:
            continue
        for collection, docs in entry["ops"].items():
            if db.parts(collection) <= 1:
                continue
            for doc in docs:
                changed.setdefault(db.part_of(collection, doc["id"]), {})[doc["id"]] = doc
    nik_delta: Counter = Counter()
    for part, docs in changed.items():
        collection = part.partition(".")[0]
        storage = PilarStorage(db.db_dir / f"{part}.json", part, db.code)
        on_disk = ((storage.read() or {}).get(part) or {}) if storage.path.exists() else {}
        if storage.meta.get("seq", 0) > kept["seq"]:
            return None  # folded since without the tallies: not theirs to say
        now = dict(on_disk)
        now.update(docs)
        values = {}
        for rid, doc in now.items():
            value = Database.value_of(doc)
            if value is not None:
                values[rid] = value
        files[part] = tally.file_tally(collection, now, values, office)
        if collection == "members":
            for rid in docs:
                before = on_disk.get(rid)
                old = Database.value_of(before) if before is not None else None
                if old is not None and old.get("nik"):
                    nik_delta[old["nik"]] -= 1
                if values.get(rid) is not None and values[rid].get("nik"):
                    nik_delta[values[rid]["nik"]] += 1
    dups = kept["dups"]
    count = sum(1 for n in dups.values() if n > 1)
    moved = {nik: d for nik, d in nik_delta.items() if d}
    if moved:
        held = _niks_at_fold(db)
        if held is None:
            return None
        for nik, d in moved.items():
            before = dups.get(nik) or (1 if nik in held else 0)
            count += (before + d > 1) - (before > 1)
    return files, count


def _niks_at_fold(db: Database) -> set[str] | None:
    """The NIKs the members held at the last fold, from the persisted NIK index (``members.nik.idx``)."""
    recorded = (db.manifest.get("indexes") or {}).get("members.nik")
    if type(recorded) is not int:
        return None
    try:
        raw = (db.db_dir / NIK_INDEX).read_bytes()
        newline = raw.find(b"\n")
        head = orjson.loads(raw[:newline])
        if head.get("seq") != recorded:
            return None
        return set(orjson.loads(raw[newline + 1:]))
    except (OSError, ValueError, AttributeError):
        return None


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
