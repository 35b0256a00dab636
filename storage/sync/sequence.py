"""Bundle sequence numbers: which bundles of an office arrived, which were lost on the way.

Every bundle carries, inside its signed manifest, its number in the series from its sender to its
recipient (``seq``: 1, 2, 3, … per sender → recipient) and what the sender has received from the
recipient (``seq_ack``: the highest number and the numbers missing below it). The receiver keeps
the numbers it has imported, so it can say "bundle 7 from UPT X has not arrived; 8 has".

Whether a gap matters: a bundle is a delta since the version vector the recipient last *acknowledged*
(the ``vv`` of the recipient's own latest bundle the sender imported), and the recipient never loses
what it acknowledged. So a later bundle from the same sender carries every record the lost one
carried that the recipient still lacks: the gap closes by itself with the next bundle imported. The
one exception is a bundle whose ``since_vv`` is not covered by what this office had sent (its folder
went back to an older state): then the sender must make a full bundle.

Kept in ``<data>/sequence.json`` (a hint file like ``peers.json``: outside backups, so a restored
folder never numbers two bundles alike)::

    {"sent": {"UPT-X": {"last": 8, "vv": {...}, "acked": 7, "missing": [5]}},
     "received": {"UPT-X": {"seqs": [[1, 4], [6, 8]], "bundles": {"8": {...}}}}}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from storage.core.db import now_iso
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.versions import dominates

SEQUENCE_FILE = "sequence.json"
MAX_SEQ = 2**31
MAX_GAP = 500     # bundles that may be lost in a row; a later number than that is not believed
MAX_LISTED = 50  # missing numbers said back in seq_ack, and received bundles remembered per sender


# ---------------------------------------------------------------------- the file

def read(data: Path) -> dict[str, dict]:
    path = Path(data) / SEQUENCE_FILE
    try:
        state = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {"sent": {}, "received": {}}
    except (OSError, orjson.JSONDecodeError):
        return {"sent": {}, "received": {}}  # a hint only: numbering goes on from what the peers say back
    if not isinstance(state, dict):
        return {"sent": {}, "received": {}}
    state.setdefault("sent", {})
    state.setdefault("received", {})
    return state


def _write(data: Path, state: dict) -> None:
    try:
        atomic_write(Path(data) / SEQUENCE_FILE,
                     orjson.dumps(state, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
    except PilarError:
        # Disk full or the like, after the bundle was written or imported: the numbers are a hint
        # (the other office's acknowledgement sets the count right again); the data are not at stake.
        pass


def _seqs(ranges: Any) -> set[int]:
    out: set[int] = set()
    if isinstance(ranges, list):
        for r in ranges:
            if isinstance(r, list) and len(r) == 2 and all(type(x) is int for x in r) and 0 < r[0] <= r[1] < MAX_SEQ \
                    and r[1] - r[0] < 1_000_000:  # (a hand-edited file cannot make it build a huge set)
                out.update(range(r[0], r[1] + 1))
    return out


def _ranges(seqs: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(seqs):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def missing_of(seqs: set[int]) -> list[int]:
    """The numbers below the highest one that are not in ``seqs``."""
    return [n for n in range(1, max(seqs)) if n not in seqs] if seqs else []


# ---------------------------------------------------------------------- export and import (engine hooks)

def stamp(db, to: str) -> dict:
    """The manifest fields of the next bundle to office ``to``: its number and what arrived from ``to``."""
    state = read(db.path)
    sent = state["sent"].get(to) or {}
    got = _seqs((state["received"].get(to) or {}).get("seqs"))
    ack = {"max": max(got) if got else 0, "missing": missing_of(got)[-MAX_LISTED:]}
    return {"seq": int(sent.get("last", 0)) + 1, "seq_ack": ack}


def reserve(db, to: str, seq: int) -> None:
    """Take number ``seq`` for the bundle to ``to`` before its file is renamed into place (issue 22): an
    export killed after the rename must not leave the number free for the next bundle (two bundles with
    one number). Killed before it, the number is skipped: the recipient sees a gap that the next bundle
    closes, as for a lost stick. Raises when the number cannot be kept (nothing is written yet)."""
    state = read(db.path)
    entry = dict(state["sent"].get(to) or {})
    entry["last"] = max(int(entry.get("last", 0)), seq)
    state["sent"][to] = entry
    atomic_write(Path(db.path) / SEQUENCE_FILE, orjson.dumps(state, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))


def release(db, to: str, seq: int) -> None:
    """Give number ``seq`` back: the bundle's file was not written (the export failed and said so)."""
    state = read(db.path)
    entry = dict(state["sent"].get(to) or {})
    if int(entry.get("last", 0)) == seq:
        entry["last"] = seq - 1
        state["sent"][to] = entry
        _write(db.path, state)


def sent(db, to: str, manifest: dict) -> None:
    """Record that the bundle with ``manifest`` was written for ``to`` (after the file is complete)."""
    state = read(db.path)
    entry = dict(state["sent"].get(to) or {})
    entry.update(last=max(int(entry.get("last", 0)), manifest["seq"]), vv=manifest.get("vv") or {},
                 bundle_id=manifest.get("bundle_id"), created=manifest.get("created"))
    state["sent"][to] = entry
    _write(db.path, state)


def received(db, m: dict) -> None:
    """Record the number of an imported bundle and what its sender says it received from us."""
    sender = m["sender"]["code"]
    seq = m.get("seq")
    ack = m.get("seq_ack")
    state = read(db.path)
    changed = False
    entry = dict(state["received"].get(sender) or {})
    got = _seqs(entry.get("seqs"))
    # A number far beyond the last one received is not a lost stick but a made-up count (any office
    # signs its own manifest): it is not recorded, so it cannot fill the report with a million gaps.
    if type(seq) is int and 0 < seq < MAX_SEQ and seq <= (max(got) if got else 0) + MAX_GAP:
        got.add(seq)
        entry["seqs"] = _ranges(got)
        mine = (state["sent"].get(sender) or {}).get("vv") or {}
        since = m.get("since_vv")
        # The bundle carries all we lack of the sender's earlier ones when it was made since a state
        # this office really had (its own vv, as last sent) or is full.
        if since is None:
            closes = True
        elif not isinstance(since, dict) or not all(type(n) is int for n in since.values()):
            closes = False
        elif mine:
            closes = dominates(mine, since)
        else:  # nothing numbered sent to it yet: at least our own writes must be here
            closes = since.get(db.replica_id, 0) <= db.counter
        bundles = dict(entry.get("bundles") or {})
        bundles[str(seq)] = {"bundle_id": str(m.get("bundle_id"))[:64], "created": str(m.get("created"))[:40],
                             "imported": now_iso(), "mode": str(m.get("mode"))[:10], "closes": closes}
        keep = sorted(bundles, key=int)[-MAX_LISTED:]
        entry["bundles"] = {k: bundles[k] for k in keep}
        state["received"][sender] = entry
        changed = True
    if isinstance(ack, dict) and type(ack.get("max")) is int and 0 <= ack["max"] < MAX_SEQ:
        entry = dict(state["sent"].get(sender) or {})
        missing = [n for n in ack.get("missing") or [] if type(n) is int and 0 < n < ack["max"]][:MAX_LISTED]
        # Never number two bundles alike: if this folder's count went back (a copied folder), go on
        # from what the recipient has seen.
        entry.update(last=max(int(entry.get("last", 0)), ack["max"]), acked=ack["max"], missing=missing)
        state["sent"][sender] = entry
        changed = True
    if changed:
        _write(db.path, state)


# ---------------------------------------------------------------------- reports

def gaps(db) -> list[dict]:
    """Per sender with a missing bundle: the missing numbers, the highest received, and whether the
    gap has closed by itself (which later bundle brought the content) or what must be sent."""
    state = read(db.path)
    out = []
    for sender, entry in sorted(state["received"].items()):
        got = _seqs(entry.get("seqs"))
        missing = missing_of(got)
        if not missing:
            continue
        bundles = entry.get("bundles") or {}
        rows = []
        for n in missing:
            later = sorted((int(k) for k, b in bundles.items() if int(k) > n and b.get("closes")))
            rows.append({"seq": n, "closed_by": later[0] if later else None})
        out.append({"office": sender, "missing": missing, "highest": max(got), "received": len(got),
                    "gaps": rows, "closed": all(r["closed_by"] is not None for r in rows)})
    return out


def unacknowledged(db) -> list[dict]:
    """Per recipient: our bundles it said it has not received (from its latest ``seq_ack``), and the
    ones sent after its latest acknowledgement (not known to have arrived yet)."""
    state = read(db.path)
    out = []
    for to, entry in sorted(state["sent"].items()):
        last = int(entry.get("last", 0))
        acked = int(entry.get("acked", 0))
        out.append({"office": to, "last": last, "acked": acked, "missing": list(entry.get("missing") or []),
                    "pending": list(range(acked + 1, last + 1))})
    return out
