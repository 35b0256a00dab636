"""The Ringkasan's tallies counted straight from a folder's files, part by part (issue 25).

When the folder keeps no tallies (``db/summary.idx`` missing or stale: an older Pilar folded last, an older
backup was restored), the figures are counted from the files themselves: each part of the collections cut
into parts (members, invitations, each year's payouts) is read, checked (sha256 and count, as an open
checks it), tallied (``storage.core.tally.count_parts``) and dropped; no value, no index, no whole open.
The journal's records since each part's fold are laid over that part before it is tallied, so the
figures are the current ones. What is kept of a part is its tally and, for the members, how many members
hold each NIK (the duplicate cases), never its records.

``count_parts`` is the loop, for one process; ``count`` runs it over a folder's parts, on this thread or
spread over child processes (``python -m storage.core.tally``), each given a share of the parts: the
parse of a part holds the GIL, so the other core is only used by another process. The tallies of the
files as they are on disk (before the journal) are returned too, with each file's seq: the app hands them
to the open folder (``Database.adopt_tallies``) so that the fold that writes ``db/summary.idx`` recounts
only the files the journal changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import orjson

from storage.core import tally
from storage.core.db import Database, PilarStorage, collection_of, gc_paused, read_journal

# Below this many bytes of parts a child process costs more than it saves (its start: ~0.1 s).
PROCESS_BYTES = 24 * 1024 * 1024


def _read(db_dir: Path, code: str, schema: object):
    """The parts read for their tallies (``tally.read_lean``: the fields a tally reads, checked as an open
    checks them); a part it doubts read again as an open reads it (``PilarStorage``: a damaged part is said
    as the open says it)."""
    lean = tally.read_lean(db_dir, code, schema)

    def read(name: str) -> tuple[int, dict] | None:
        try:
            return lean(name)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        path = Path(db_dir) / f"{name}.json"
        if not path.exists():
            return None
        storage = PilarStorage(path, name, code)
        docs = (storage.read() or {}).get(name) or {}
        return storage.meta.get("seq", 0), docs
    return read


def count_parts(db_dir: Path, names: Iterable[str], code: str, schema: object, office: str | None,
                changes: dict[str, dict[int, dict[str, dict]]] | None = None) -> dict:
    """``tally.count_parts`` with the parts read and checked as an open checks them (``_read``)."""
    with gc_paused():
        return tally.count_parts(_read(db_dir, code, schema), names, office, changes)


def parts_of(db: Database) -> list[str]:
    """The parts of the collections cut into parts that the folder holds: those the manifest records,
    those on disk, those the journal has written records to."""
    names = {p.stem for p in db.db_dir.glob("*.json") if p.name != "manifest.json"}
    names |= set(db.manifest.get("files") or {})
    return sorted(n for n in names if n != collection_of(n))


def journal_changes(db: Database) -> tuple[dict[str, dict[int, dict[str, dict]]], set[str]]:
    """The journal's records of the collections cut into parts, by part and journal seq; and the parts
    they write to."""
    entries, _good = read_journal(db.journal_path, strict=True)
    out: dict[str, dict[int, dict[str, dict]]] = {}
    for entry in entries:
        for collection, docs in entry["ops"].items():
            if db.parts(collection) <= 1:
                continue
            for doc in docs:
                part = db.part_of(collection, doc["id"])
                out.setdefault(part, {}).setdefault(entry["seq"], {})[doc["id"]] = doc
    return out, set(out)


def journal_changes_of(path: Path) -> set[str]:
    """The parts the journal of the folder at ``path`` has written records to since its last fold."""
    db = Database.open_parts(path, set())
    return set() if db is None else journal_changes(db)[1]


def _shares(db_dir: Path, names: list[str], n: int) -> list[list[str]]:
    """``names`` in ``n`` shares of about the same bytes (the biggest first, each to the lightest share)."""
    sizes = {}
    for name in names:
        try:
            sizes[name] = (Path(db_dir) / f"{name}.json").stat().st_size
        except OSError:
            sizes[name] = 0
    shares: list[list[str]] = [[] for _ in range(n)]
    weight = [0] * n
    for name in sorted(names, key=lambda x: -sizes[x]):
        i = weight.index(min(weight))
        shares[i].append(name)
        weight[i] += sizes[name]
    return [sorted(s) for s in shares if s]


def processes_for(db_dir: Path, names: list[str]) -> int:
    """How many child processes to count ``names`` with: none for a small folder or a single core, else
    one per core up to two (the app's own thread is starting Textual meanwhile)."""
    total = 0
    for name in names:
        try:
            total += (Path(db_dir) / f"{name}.json").stat().st_size
        except OSError:
            pass
    if total < PROCESS_BYTES:
        return 0
    return min(2, max(0, (os.cpu_count() or 1)))


def count(db: Database, office: str | None, processes: int = 0) -> dict:
    """``count_parts`` over every part of ``db``'s folder (a partial open: ``Database.open_parts``), on this
    thread or spread over ``processes`` child processes; with the journal's records since laid over; the
    NIKs counted (Counters)."""
    names = parts_of(db)
    changes, _written = journal_changes(db)
    names = sorted(set(names) | set(changes))
    shares = _shares(db.db_dir, names, processes) if processes > 1 else []
    if len(shares) < 2:
        return _counted(count_parts(db.db_dir, names, db.code, db.manifest.get("schema"), office, changes))
    results = _in_children(db, office, shares, changes)
    if results is None:
        # a child that could not start or count (a damaged part: said here, as an open says it)
        return _counted(count_parts(db.db_dir, names, db.code, db.manifest.get("schema"), office, changes))
    same = all(r["disk_niks"] is None for r in results)  # the journal changed no NIK: one list, one Counter
    merged: dict = {"seqs": {}, "disk": {}, "now": {}, "niks": [], "disk_niks": None if same else []}
    for r in results:
        for key in ("seqs", "disk", "now"):
            merged[key].update(r[key])
        merged["niks"] += r["niks"]
        if not same:
            merged["disk_niks"] += r["niks"] if r["disk_niks"] is None else r["disk_niks"]
    return _counted(merged)


def _in_children(db: Database, office: str | None, shares: list[list[str]],
                 changes: dict[str, dict[int, dict[str, dict]]]) -> list[dict] | None:
    """Each share counted by a child process (``python -m storage.core.tally``: its job on stdin, its counts
    on stdout), all at once; None when one could not start or count."""
    children = []
    try:
        for share in shares:
            job = orjson.dumps({"db_dir": str(db.db_dir), "code": db.code, "schema": db.manifest.get("schema"),
                                "office": office, "names": share,
                                "changes": {p: {str(s): d for s, d in c.items()} for p, c in changes.items()
                                            if p in share}})
            child = subprocess.Popen([sys.executable, "-m", "storage.core.tally"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            children.append((child, job))
    except (OSError, ValueError):
        for child, _job in children:
            child.kill()
            child.wait()
        return None
    answers: list[bytes | None] = [None] * len(children)

    def talk(i: int) -> None:
        child, job = children[i]
        try:
            out, _err = child.communicate(job)
        except (OSError, ValueError):
            child.kill()
            child.wait()
            return
        answers[i] = out if child.returncode == 0 else None

    talkers = [threading.Thread(target=talk, args=(i,), daemon=True) for i in range(len(children))]
    for talker in talkers:
        talker.start()
    for talker in talkers:
        talker.join()
    if any(answer is None for answer in answers):
        return None
    try:
        return [orjson.loads(answer) for answer in answers]
    except orjson.JSONDecodeError:
        return None


def _counted(got: dict) -> dict:
    """The NIKs counted (in C: a Counter made from one list, not updated part by part)."""
    got["niks"] = Counter(got["niks"])
    got["disk_niks"] = got["niks"] if got["disk_niks"] is None else Counter(got["disk_niks"])
    return got
