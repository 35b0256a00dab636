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
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any, TypedDict

import orjson

try:  # the 'fast' extra (Windows 64-bit; every other platform): a part parsed for the fields a tally reads
    import msgspec
except ImportError:  # 32-bit Windows has no wheel: the parts are parsed whole (orjson, or storage/core/jsonio)
    msgspec = None

from storage.core.fsutil import loads_hashed
from storage.core.versions import winner

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
    conflicts = sum(1 for d in docs.values() if len(d["v"]) > 1 and is_open(d))
    return file_tally_of_values(collection, (v for v in map(values.get, docs) if v is not None), office, conflicts)


def file_tally_of_values(collection: str, values: Iterable[dict], office: str | None, conflicts: int = 0) -> dict:
    """``file_tally`` of a file's live values (what a tally reads of them) and its number of open conflicts."""
    out: dict[str, Any] = {}
    if conflicts:
        out["conflicts"] = conflicts
    if collection == "members":
        out["members"] = members_tally(values, office)
    elif collection.startswith("payouts_"):
        out["payouts"] = payouts_tally(values, office)
    return out


def live_data(doc: dict) -> dict | None:
    """The fields of a document's winning version when it has a value (``Database.value_of`` without
    the copy: what a tally reads of it), else None (deleted)."""
    versions = doc["v"]
    if len(versions) == 1:
        top = versions[0]
        return None if top["deleted"] else top["data"]
    top = winner(doc)
    if top["deleted"] and all(v["deleted"] for v in versions):
        return None
    return top["data"]


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


# ---------------------------------------------------------------------- counted straight from the files

def _values_and_niks(collection: str, docs: dict[str, dict], office: str | None) -> tuple[dict, list | None]:
    """The tally of one file's documents and, for the members, the NIKs its live members hold (the
    members' NIK index, to be counted): one pass over the documents for both."""
    values = {}
    for rid, doc in docs.items():
        versions = doc["v"]
        if len(versions) == 1:  # most documents (``live_data`` inlined: ~300,000 calls at the province)
            top = versions[0]
            if not top["deleted"]:
                values[rid] = top["data"]
            continue
        data = live_data(doc)
        if data is not None:
            values[rid] = data
    niks = None
    if collection == "members":
        niks = [n for v in values.values() if (n := v.get("nik"))]
    return file_tally(collection, docs, values, office), niks


def count_parts(read: Callable[[str], tuple[int, dict] | None], names: Iterable[str], office: str | None,
                changes: dict[str, dict[int, dict[str, dict]]] | None = None) -> dict:
    """Each part named read (``read(name)``: its file's seq and documents, None when it has no file yet),
    tallied and dropped (storage/summary/count.py): {"seqs": {part: its file's seq}, "disk": {part: tally
    of the file}, "now": {part: tally with the journal's records laid over}, "niks": the NIKs the live
    members hold now, one per member, "disk_niks": the same of the files, None when they are the same list
    (no journal record changed them: not sent twice)}. ``changes``: part -> {journal
    seq -> {id: document}} (the records the journal wrote since the folder's last fold)."""
    changes = changes or {}
    seqs: dict[str, int] = {}
    disk: dict[str, dict] = {}
    now: dict[str, dict] = {}
    niks: list = []
    disk_niks: list = []
    for name in names:
        collection = name.partition(".")[0]
        got = read(name)
        if got is not None:
            seq, docs = got
            seqs[name] = seq
            disk[name], here = _values_and_niks(collection, docs, office)
            if here:
                disk_niks.extend(here)
        else:  # a part first written by the journal's records
            docs, seq, here = {}, 0, None
        later = {s: d for s, d in (changes.get(name) or {}).items() if s > seq}
        if later:
            docs = dict(docs)
            for s in sorted(later):
                docs.update(later[s])
            now[name], here = _values_and_niks(collection, docs, office)
        elif name in disk:
            now[name] = disk[name]
        if here:
            niks.extend(here)
        del docs, got
    return {"seqs": seqs, "disk": disk, "now": now, "niks": niks,
            "disk_niks": None if disk_niks == niks else disk_niks}


# What a tally reads of a part's documents (``live_data``, ``is_open``, ``winner``, ``members_tally``,
# ``payouts_tally``, ``_nik``): msgspec parses a part into plain dicts of these fields only, skipping the rest
# (names, addresses, banks, version vectors) without building them: 2.5 times faster than a whole parse, the
# same dicts where a tally looks. A part whose fields are not of these types is parsed whole instead.
class _Assignment(TypedDict, total=False):
    status: str | None
    office: str | None
    pillar: str | None
    area_kab: str | None
    area_kec: str | None
    position: str | None


class _Member(TypedDict, total=False):
    assignments: list[_Assignment] | None
    kab: str | None
    nik: str | None


class _Payout(TypedDict, total=False):
    quarter: str
    status: str
    kab: str
    gross: int
    net: int
    office: str | None


class _Other(TypedDict, total=False):
    pass


def _versioned(data: type) -> type:
    """A document whose versions' data is ``data`` (made per collection: a generic TypedDict needs 3.11)."""
    version = TypedDict("version", {"data": data, "deleted": bool, "hlc": int, "dot": list},  # noqa: UP013
                        total=False)
    return TypedDict("doc", {"v": list[version]}, total=False)  # noqa: UP013


_decoders: dict[str, Any] = {}


def lean_parse(collection: str) -> Callable[[Any], Any]:
    """How a part of ``collection`` is parsed for its tally: the fields a tally reads (msgspec), each part
    whose fields are of other types parsed whole; without msgspec, whole (orjson)."""
    if msgspec is None:
        return orjson.loads
    kind = "members" if collection == "members" else "payouts" if collection.startswith("payouts_") else ""
    decoder = _decoders.get(kind)
    if decoder is None:
        data = {"members": _Member, "payouts": _Payout}.get(kind, _Other)
        decoder = _decoders[kind] = msgspec.json.Decoder(dict[str, _versioned(data)])

    def parse(payload: Any) -> Any:
        try:
            return decoder.decode(payload)
        except msgspec.ValidationError:  # a field of another type (well-formed JSON): parsed whole
            return orjson.loads(payload)
    return parse


def read_lean(db_dir: Path, code: str, schema: object) -> Callable[[str], tuple[int, dict] | None]:
    """A part read in a child process of the count (``python -m storage.core.tally``), without importing the
    data core: its header (this office's, this format, this part), its sha256 and its count checked. Any
    doubt is an error: the parent then counts that share itself, reading as an open reads (and says what
    is wrong as an open says it)."""
    def read(name: str) -> tuple[int, dict] | None:
        path = Path(db_dir) / f"{name}.json"
        if not path.exists():
            return None
        raw = path.read_bytes()
        newline = raw.find(b"\n")
        meta = orjson.loads(raw[:newline - 1] + b"}")["_meta"]
        key = b'"' + name.encode() + b'":'
        end = len(raw)
        while end and raw[end - 1] in b" \t\r\n":
            end -= 1
        stop = end - 1
        while stop > newline and raw[stop - 1] in b" \t\r\n":
            stop -= 1
        payload = memoryview(raw)[newline + 1 + len(key):stop]
        if (meta.get("collection") != name or meta.get("office") != code or meta.get("schema") != schema
                or raw[newline + 1:newline + 1 + len(key)] != key or raw[end - 1:end] != b"}"):
            raise ValueError(f"{name}: not as written")
        # hashed on the other core while parsed, as an open does; parsed for the fields a tally reads
        docs, digest = loads_hashed(payload, lean_parse(name.partition(".")[0]))
        if digest != meta.get("sha256"):
            raise ValueError(f"{name}: checksum")
        if not isinstance(docs, dict) or len(docs) != meta.get("count", len(docs)):
            raise ValueError(f"{name}: count")
        return meta.get("seq", 0), docs
    return read


def _child() -> None:
    """A share of a folder's parts counted for storage/summary/count.py: the job on stdin (JSON), the counts
    on stdout."""
    import gc

    gc.disable()  # many small dicts built and dropped, no cycles
    job = orjson.loads(sys.stdin.buffer.read())
    changes = {p: {int(s): d for s, d in c.items()} for p, c in job["changes"].items()}
    out = count_parts(read_lean(Path(job["db_dir"]), job["code"], job["schema"]), job["names"], job["office"],
                      changes)
    sys.stdout.buffer.write(orjson.dumps(out))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child()
