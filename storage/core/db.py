"""The data folder: TinyDB collection files, the transaction journal, the lock, in-memory indexes.

The only module that imports TinyDB. Layout of a data folder (see docs/data-model.md):

- ``db/<collection>.json``: one TinyDB file per collection, written by :class:`PilarStorage`
  (orjson, schema version and checksum in a header, atomic replace). Payouts: one collection per year.
- ``db/<collection>.<NN>.json`` (folder format 2, issue 25): the big collections (members, invitations,
  each year's payouts) are cut into a fixed number of parts (``PARTS``, kept in the manifest). A record
  lives in the part its id hashes to (CRC-32 of the id, modulo the count): the id never changes, so a
  record never moves between parts and never lives in two, whatever is edited (a member moving kab,
  a deletion whose tombstone has no fields). A fold rewrites only the parts that changed, and a backup
  links the others. Each part is a complete collection file (header, count, sha256) named by its stem.
- ``db/journal.jsonl``: every committed transaction, one checksummed line, fsynced. A single edit
  costs one small append instead of rewriting a 60 MB file; the journal is folded into the
  collection files (compaction) when it grows or when the folder is closed.
- ``db/manifest.json``: which collection files exist, at which sequence, and the audit log's head,
  so a missing or truncated file is noticed instead of being replaced by an empty one.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import itertools
import os
import re
import socket
import sys
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from storage.core import audit, authority, erasure, formats, tally
from storage.core.errors import LockedError, PilarError, after_commit, damaged
from storage.core.fsutil import WriteBehind, append_durable, atomic_write, fsync_dir, loads_hashed, os_error
from storage.core.indexes import INDEXES as _INDEXES  # the one table of indexes
from storage.core.indexes import IndexFunc, active_key_matches, active_keys
from storage.core.versions import Hlc, doc_vv, erasure_of, in_conflict, winner

SCHEMA_VERSION = formats.FOLDER.current   # the data folder's format (storage/core/formats.py)
OFFICE_FORMAT = formats.OFFICE.current
PROVINCE_CODE = "JATIM"

# Collections and the kind of record each holds. Payouts are split per year: payouts_2024, …
KINDS = {
    "offices": "office",
    "members": "member",
    "events": "event",
    "invitations": "invitation",
    "rates": "rate",
    "runs": "run",
    "settings": "setting",
    "privacy": "privacy",  # issue 27: requests of data subjects, incidents, destruction records
}

# Compaction: fold the journal into the collection files once it passes this size, when the office
# is idle (``upkeep``: the app calls it after a few quiet seconds, ``close`` always does). A commit
# compacts at once only past JOURNAL_FORCE_BYTES, so a long batch without idle time stays bounded.
JOURNAL_COMPACT_BYTES = 8 * 1024 * 1024
JOURNAL_FORCE_BYTES = 64 * 1024 * 1024
# Database.close(fold=False) leaves a journal up to this size for the next open to replay (issue 25).
CLOSE_FOLD_BYTES = 1024 * 1024
# A transaction with more audit entries than this (a quarterly run: 50,000) has them appended to
# audit.jsonl by ``upkeep`` rather than before the user sees the result: they are durable in the
# journal already, the next open writes them should the program die first, and every reader of
# the log (``Database.audit``) has them written before it reads.
AUDIT_INLINE_ENTRIES = 2000
PARALLEL_HASH_BYTES = 4 * 1024 * 1024
# A bulk commit (a bundle's records taken as they came, ``Transaction.put_doc``'s ``raw``): past this many
# bytes of such records, its journal line and then the collection files are written from the bytes the
# records came in (nothing serialised again), and it is folded at once (its line would pass
# JOURNAL_COMPACT_BYTES: a command's close or the app's next quiet moment would fold it anyway).
BULK_RAW_BYTES = JOURNAL_COMPACT_BYTES
# A collection that many records of one commit land in (and at least half as many as it held) has its
# values rebuilt in one pass instead of installed record by record (``_install``).
BULK_INSTALL_RECORDS = 5000

# Folder format 2 (issue 25): how many parts a collection is cut into ("payouts" stands for every
# payouts_<year>); one file for the others. Written into the manifest (``parts``) for each collection
# the folder holds, and read from there, so a later release may cut new folders differently.
PARTS = {"members": 32, "invitations": 8, "payouts": 8}


def default_parts(collection: str) -> int:
    return PARTS.get("payouts" if collection.startswith("payouts_") else collection, 1)


def part_name(collection: str, rid: str, parts: int) -> str:
    """The file (stem) holding record ``rid``: ``members.07``; the collection itself when not cut."""
    if parts <= 1:
        return collection
    return f"{collection}.{zlib.crc32(rid.encode()) % parts:02d}"


def collection_of(name: str) -> str:
    """The collection a file (stem) belongs to: ``members.07`` -> ``members``."""
    return name.partition(".")[0]


# A small persisted index for commands about one member (issue 25): NIK -> the part(s) of the members
# holding it, as of the last fold (``db/members.nik.idx``: a JSON header line with its sequence and
# sha256, then {nik: part number or [numbers]}). Written with each fold that changed a member (before
# the manifest, which records its sequence under ``indexes``); the journal's lines since are read
# besides it. Only a shortcut: when it is missing, stale or does not find the NIK, the folder is opened
# whole as before, so a wrong index costs time, never a wrong answer.
NIK_INDEX = "members.nik.idx"
# Its companion for validation's roster rules (one active TKSK per kecamatan, one Korkab per pillar and
# kab/kota): the key of each active assignment (``storage.core.indexes.active_keys``) -> the parts of
# the members holding one (of any of their versions), so that ``pilar roster edit`` loads the edited
# member's part and the parts of the members its checks name, not 100,000 members (issue 25). Kept
# like the NIK index (``members.active`` under the manifest's ``indexes``), updated at a fold from the
# parts that changed only, rebuilt whole when missing, stale or damaged.
ACTIVE_INDEX = "members.active.idx"

# What an open needs to know of the parts it does not read (issue 25): for each collection file, the
# highest clock, the overall version vector and the replica -> office map of the versions it holds, as
# of the file's sequence (``db/versions.idx``: a JSON header line with its sequence and sha256, then
# {file: {"seq", "hlc", "vv", "replicas"}}). Written with each fold (before the manifest, which records
# its sequence under ``indexes``); an entry whose sequence is not the file's, or a file missing from it,
# is read from the file itself. Only a shortcut: a folder without it (written by 0.3.0, which drops
# the entry from the manifest) opens whole, as before.
VERSIONS_INDEX = "versions.idx"

# ---------------------------------------------------------------------- records at rest (issue 25)
#
# The documents of the collections cut into parts (members, invitations, each year's payouts: PARTS) are
# held in memory as their canonical bytes, ``_dumps(doc)``: exactly the bytes the record has inside its
# part file (a part's payload is ``_dumps(docs)``), about 1 KB a member instead of some 5 KB for the
# parsed document and the copy of its data the live values held. Their values are not kept: ``value``,
# ``values``, ``get``, ``doc``, ``raw`` and ``docs_for`` parse a record when it is read, and a fold writes
# a part's payload from the held bytes. What an open computes per record while it has a part parsed
# (the highest clock, the replicas, the records holding more than one version, those with no live value)
# is kept beside them (``_multi``, ``_dead``). The small collections (offices, rates, settings, runs,
# events…), read in hot loops, are held parsed with their values as before.

_RECORD_START = b'":{"id":"'  # a record's key and the start of its document in a part's payload


def _held_bytes(doc: dict) -> bytes:
    """``_dumps(doc)`` in a bytes object of its own size (orjson's buffer is allocated larger and shrunk
    in place: 100,000 of them held kept about 8 KB each)."""
    return bytes(memoryview(_dumps(doc)))


def _slices(raw: bytes, start: int, end: int, docs: dict[str, dict]) -> dict[str, bytes] | None:
    """Each record's bytes cut out of a part's payload (``raw[start:end]``: ``{"<id>":{"id":"<id>",…},…}``,
    parsed into ``docs``) without serialising it again, or None when the payload is not laid out so (then
    each record is dumped). Sound because ``":{"id":"`` cannot occur inside a JSON string (its quotes
    would be escaped): when the payload holds it once per record, each occurrence is a record's start, in
    the order of ``docs``; and every record but the last must end with ``},"`` right before the next one's
    key (no whitespace, no escaped id), so that the pieces put back together are the payload."""
    n = len(docs)
    if not n:
        return {}
    if raw[start:start + 2] != b'{"' or raw[end - 2:end] != b"}}":
        return None
    find = raw.find
    marks = []
    at = find(_RECORD_START, start, end)
    while at >= 0:
        marks.append(at)
        at = find(_RECORD_START, at + len(_RECORD_START), end)
    ids = list(docs)
    if len(marks) != n or marks[0] - len(ids[0]) - 1 != start + 1:
        return None
    ends = [m - len(r) - 2 for m, r in zip(marks[1:], ids[1:], strict=True)]
    if any(raw[e - 1:e + 2] != b'},"' for e in ends):
        return None
    ends.append(end - 1)
    return {r: raw[m + 2:e] for r, m, e in zip(ids, marks, ends, strict=True)}


def _fresh_value(doc: dict) -> dict | None:
    """``Database.value_of`` of a document parsed for this call alone: its data dict becomes the value (no
    copy)."""
    versions = doc["v"]
    if len(versions) == 1:
        top = versions[0]
        if top["deleted"]:
            return None
        value = top["data"]
        value["id"] = doc["id"]
        value["owner"] = doc["owner"]
        return value
    return Database.value_of(doc)


def _parsed(held: Any) -> Any:
    return orjson.loads(held) if type(held) is bytes else held


class Line:
    """A record staged by its bytes (``Transaction.put_line``): one JSON object that parses to exactly the
    record (a bundle's line, or ``_dumps(doc)``), and what installing it notes of it (``_note``). The parsed
    document is not held: a full bundle's 300,000 records cost ~1.1 KB each staged instead of ~5 KB, and the
    import lets each go as it is screened (issue 25). Made while the document is parsed; ``doc()`` parses
    it again when it is read (rare: a record twice in one bundle, a small commit)."""

    __slots__ = ("id", "line", "hlcs", "replicas", "multi", "live", "note")

    def __init__(self, doc: dict, line: bytes) -> None:
        versions = doc["v"]
        intern = sys.intern
        self.id: str = doc["id"]
        self.line = line
        self.note: MemberNote | None = None
        if len(versions) == 1:  # (the common case inlined)
            v = versions[0]
            self.hlcs = (v["hlc"],)
            self.replicas = ((intern(v["dot"][0]), intern(v["office"])),)
            self.multi = False
            self.live = not v["deleted"]
            return
        self.hlcs = tuple(v["hlc"] for v in versions)
        # (the replica and office strings of a bundle's records are few: one object each, not one a record)
        self.replicas = tuple((intern(v["dot"][0]), intern(v["office"])) for v in versions)
        self.multi = len(versions) > 1
        self.live = Database.value_of(doc) is not None if self.multi else not versions[0]["deleted"]

    @classmethod
    def noted(cls, rid: str, line: bytes, hlc: int, replicas: tuple[tuple[str, str]], live: bool,
              note: MemberNote) -> Line:
        """A member record of one version, from what storage/sync/lean.py read of its line (not parsed whole):
        ``replicas`` ((its dot's replica, the office that wrote it),)."""
        held = cls.__new__(cls)
        held.id = rid
        held.line = line
        held.hlcs = (hlc,)
        held.replicas = replicas
        held.multi = False
        held.live = live
        held.note = note
        return held

    def doc(self) -> dict:
        return orjson.loads(self.line)

    def lean_doc(self) -> dict:
        """What a fold's derived files read of a noted member record (``_parsed_part``), as a document: its
        one version's clocks, office and live fields, the NIK, kab/kota and assignments' places."""
        note = self.note
        ((replica, office),) = self.replicas
        data: dict[str, Any] = {"nik": note.nik, "kab": note.kab,
                                "assignments": _noted_assignments(note.assignments)}
        vv = dict(note.vv or ((replica, note.counter),))
        return {"id": self.id, "owner": note.owner,
                "v": [{"hlc": self.hlcs[0], "dot": [replica, note.counter], "vv": vv, "office": office,
                       "deleted": not self.live, "data": data}]}


class MemberNote(NamedTuple):
    """What storage/sync/lean.py kept of a member record's one version (``Line.noted``)."""
    nik: str | None
    kab: str | None
    assignments: tuple[tuple[str | None, ...], ...]  # (status, office, pillar, area_kab, area_kec, position)
    vv: tuple[tuple[str, int], ...] | None  # None: {replica: counter} (the version's own write only)
    counter: int
    owner: str
    plain: bool  # live, its own write only, nothing erased, every assignment at its owner (``Screen.fresh_note``)


_NOTED_ASSIGNMENT = ("status", "office", "pillar", "area_kab", "area_kec", "position")


def _noted_assignments(assigns: tuple[tuple[str | None, ...], ...]) -> list[dict]:
    """A ``MemberNote``'s assignments as the fields a tally and the active index read of them."""
    return [dict(zip(_NOTED_ASSIGNMENT, a, strict=True)) for a in assigns]


def _spot_keys(spots: Iterable[tuple]) -> set[str]:
    """The ``active_keys`` of (pillar, position, kab, kec) places of active assignments, as indexes.active_keys
    writes them."""
    keys: set[str] = set()
    for pillar, position, kab, kec in spots:
        head = f"{pillar or ''}|{position or ''}|"
        keys.add(head + "kab|" + (kab or ""))
        if kec:
            keys.add(head + "kec|" + kec)
    return keys


def staged_doc(doc: Any) -> Any:
    """A transaction's staged record as a document (a ``Line`` or the bytes ``put_new`` stages parsed)."""
    return doc.doc() if type(doc) is Line else _parsed(doc)


def _held_payload(table: dict[str, Any]) -> bytes:
    """A part's payload (``_dumps(docs)``) from its records' held bytes: nothing serialised again."""
    fragment = getattr(orjson, "Fragment", None)  # (not in storage/core/jsonio: 32-bit Windows without orjson)
    if fragment is not None:  # the held bytes as they are, in one dumps (each id escaped as dumps escapes it)
        return orjson.dumps({rid: fragment(held if type(held) is bytes else _dumps(held))
                             for rid, held in sorted(table.items())})
    return b"{" + b",".join(orjson.dumps(rid) + b":" + (held if type(held) is bytes else _dumps(held))
                            for rid, held in sorted(table.items())) + b"}"


class _HeldValues(ValuesView):
    def __iter__(self) -> Iterator[dict]:
        table = self._mapping._table
        for rid in tuple(table):
            held = table.get(rid)
            if held is not None:
                yield _parsed(held)


class _HeldItems(ItemsView):
    def __iter__(self) -> Iterator[tuple[str, dict]]:
        table = self._mapping._table
        for rid in tuple(table):
            held = table.get(rid)
            if held is not None:
                yield rid, _parsed(held)


class HeldDocs(Mapping):
    """The documents of a collection cut into parts as ``Database.raw`` and ``docs_for`` hand them out:
    read-only, each parsed when read (a fresh dict each time: changing it changes nothing held); ``len``,
    ``in`` and iteration over the ids parse nothing."""

    __slots__ = ("_table",)

    def __init__(self, table: dict[str, Any]) -> None:
        self._table = table

    def __getitem__(self, rid: str) -> dict:
        return _parsed(self._table[rid])

    def get(self, rid: str, default: Any = None) -> Any:
        held = self._table.get(rid)
        return default if held is None else _parsed(held)

    def __contains__(self, rid: object) -> bool:
        return rid in self._table

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def keys(self):  # type: ignore[override]
        return self._table.keys()

    def values(self) -> ValuesView:  # type: ignore[override]
        return _HeldValues(self)

    def items(self) -> ItemsView:  # type: ignore[override]
        return _HeldItems(self)


@contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while many small dicts are built.

    Loading or saving a big roster creates millions of dicts and no garbage; with the collector
    running it rescans them again and again (measured: open of 100k members 4.2 s with it, 1.3 s
    without; a 50,000-item transaction 2.3 s of puts with it, 0.9 s without).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            # Before the collector is back: its first pass would otherwise scan everything just
            # built (measured 0.46 s after opening 100k members).
            gc.freeze()
        if enabled:
            gc.enable()


def _serialised(method: Callable) -> Callable:
    """Run a method that writes the folder under the database's lock: the app folds the journal
    (``upkeep``) in a worker thread while other workers may commit."""
    def locked(self: Database, *args: Any, **kwargs: Any) -> Any:
        with self._write_lock:
            return method(self, *args, **kwargs)

    locked.__name__, locked.__doc__ = method.__name__, method.__doc__
    return locked


def register_index(collection: str, name: str, func: IndexFunc) -> None:
    """Declare an in-memory index (key -> set of ids) maintained on every write of ``collection``."""
    _INDEXES.setdefault(collection, {})[name] = func


def kind_of(collection: str) -> str:
    if collection.startswith("payouts_"):
        return "payout"
    kind = KINDS.get(collection)
    if kind is None:
        raise ValueError(f"unknown collection {collection!r}")
    return kind


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


class StrTable(Table):
    """A TinyDB table whose document ids are Pilar's record ids (uuid strings), never ints."""

    document_id_class = str


class PilarTinyDB(TinyDB):
    """TinyDB over a Pilar collection file (a subclass, so plain TinyDB elsewhere keeps int ids)."""

    table_class = StrTable


class PilarStorage(Storage):
    """TinyDB storage for one collection file: orjson, checksummed header, atomic durable writes.

    File layout (still plain JSON, one line of header first)::

        {"_meta": {"schema": 1, "collection": "members", "office": "…", "seq": 12, "sha256": "…"},
        "members": {"<id>": {…document…}, …}
        }

    Missing files are an error (TinyDB's JSONStorage would silently create an empty one).
    """

    def __init__(self, path: str | Path, collection: str | None = None, office: str | None = None,
                 create: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.collection = collection or self.path.stem
        self.office = office
        self.create = create
        self.meta: dict[str, Any] = {}
        self.size: int | None = None  # of the file as last read
        self.span = (0, 0)

    def read(self) -> dict[str, dict[str, Any]] | None:
        raw = self.read_bytes()
        return None if raw is None else self.parse(raw)

    def read_bytes(self) -> bytes | None:
        """The file's bytes, not checked yet (``parse`` checks them); None when missing and ``create``."""
        if not self.path.exists():
            if self.create:
                return None
            raise damaged(self.path, "missing")
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise os_error(exc, self.path) from exc
        self.size = len(raw)
        return raw

    def parse(self, raw: bytes) -> dict[str, dict[str, Any]]:
        meta, payload = self.split(raw)
        if len(payload) < PARALLEL_HASH_BYTES:
            self._check_sha(meta, payload)
            docs = self._loads(payload)
        else:
            # hashed on the other core while orjson parses (0.1 s at 100k)
            try:
                docs, digest = loads_hashed(payload)
            except orjson.JSONDecodeError:
                raise damaged(self.path, "parse") from None
            if digest != meta.get("sha256"):
                raise damaged(self.path, "checksum")
        if not isinstance(docs, dict) or len(docs) != meta.get("count", len(docs)):
            raise damaged(self.path, "count", found=len(docs) if isinstance(docs, dict) else "?",
                           expected=meta.get("count"))
        self.meta = meta
        return {self.collection: docs}

    def _loads(self, payload: memoryview) -> Any:
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise damaged(self.path, "parse") from None

    def _check_sha(self, meta: dict, payload: memoryview) -> None:
        if hashlib.sha256(payload).hexdigest() != meta.get("sha256"):
            raise damaged(self.path, "checksum")

    def checked_payload(self, raw: bytes) -> tuple[dict[str, Any], memoryview]:
        """The header and the payload of a file, after checking the header and the payload's sha256
        (no JSON parse of the payload: what a backup checks on a fresh copy)."""
        meta, payload = self.split(raw)
        self._check_sha(meta, payload)
        return meta, payload

    def split(self, raw: bytes) -> tuple[dict[str, Any], memoryview]:
        """The checked header of a file and its payload (not yet hashed)."""
        # Slices of a memoryview: a 100 MB file is hashed and parsed without being copied.
        end = _rstrip_end(raw, len(raw))
        if end == 0:
            raise damaged(self.path, "empty")
        newline = raw.find(b"\n")
        head = raw[:newline] if newline >= 0 else b""
        if newline < 0 or not head.endswith(b",") or end <= newline or raw[end - 1:end] != b"}":
            raise damaged(self.path, "parse")
        try:
            meta = orjson.loads(head[:-1] + b"}")["_meta"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise damaged(self.path, "parse") from None
        schema = meta.get("schema")
        if formats.check_version(formats.FOLDER, schema, meta, self.path) is None:
            raise damaged(self.path, "schema", found=schema, expected=formats.FOLDER.current)
        if meta.get("collection") != self.collection:
            raise damaged(self.path, "wrong_collection", found=meta.get("collection"), expected=self.collection)
        if self.office and meta.get("office") != self.office:
            raise damaged(self.path, "other_office", found=meta.get("office"), expected=self.office)
        key = b'"' + self.collection.encode() + b'":'
        start = newline + 1
        if raw[start:start + len(key)] != key:
            raise damaged(self.path, "parse")
        self.span = (start + len(key), _rstrip_end(raw, end - 1))  # the payload's place in ``raw``
        return meta, memoryview(raw)[self.span[0]:self.span[1]]

    def write(self, data: dict[str, dict[str, Any]], seq: int | None = None, schema: int | None = None,
              payload: bytes | None = None) -> None:
        """Write the collection's documents (``payload``: their JSON object already made, e.g. by
        ``_payload_of``)."""
        docs = data.get(self.collection, {})
        if payload is None:
            payload = _dumps(docs)
        meta = {
            "schema": formats.FOLDER.current if schema is None else schema,
            "collection": self.collection,
            "office": self.office,
            "seq": self.meta.get("seq", 0) if seq is None else seq,
            "count": len(docs),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "written": now_iso(),
        }
        head = b'{"_meta":' + _dumps(meta) + b',\n"' + self.collection.encode() + b'":'
        atomic_write(self.path, (head, payload, b"\n}\n"))  # (the payload not copied into one buffer)
        self.meta = meta


def _rstrip_end(raw: bytes, end: int) -> int:
    """The end of ``raw[:end]`` without trailing whitespace."""
    while end > 0 and raw[end - 1] in b" \t\r\n":
        end -= 1
    return end


def _fragment(obj: Any) -> Any:
    """A record staged as the bytes of its document (``Transaction.put_new``) in a journal line: as they are."""
    if type(obj) is bytes:
        return orjson.Fragment(obj)
    raise TypeError(type(obj).__name__)


def _journal_line(entry: dict) -> bytes:
    # unsorted: only its checksum matters, and a run's line is tens of MB
    body = orjson.dumps(entry, default=_fragment)
    return hashlib.sha256(body).hexdigest()[:16].encode() + b" " + body + b"\n"


# Threads writing a fold's parts (``_compact``): two, so that one part's fsync overlaps the next part's write.
FOLD_WRITERS = 2
RAW_BATCH = 1024  # records (or audit entries) joined into one piece of a journal line written in pieces
# A transaction with this many records and audit entries (a quarterly run: 100,000 of each) has its journal
# line written in pieces (``_pieced_journal_line``), never held whole: at 100,000 members the line is
# about 80 MB, and joined with its checksum it was held twice (issue 25).
PIECED_JOURNAL_RECORDS = 4096
# Pieces of serialised records kept from the checksum's pass for the append's, up to this many bytes (the
# rest serialised again: the same bytes, nothing changes them meanwhile under the write lock).
KEPT_PIECE_BYTES = 8 * 1024 * 1024


def _journal_pieces(entry: dict, raw: dict[tuple[str, str], Any], kept: dict[int, bytes],
                    keep: bool) -> Iterator[bytes]:
    """The body of ``entry``'s journal line in pieces: the same JSON object as ``orjson.dumps(entry)``
    with "audit" and then "ops" last, each record taken as it came written from the bytes of its line
    (``raw``), the others serialised, RAW_BATCH records or audit entries to a piece. Made twice (checksum,
    then append) so that it is never held whole (80-100 MB at 100,000 members): the first time
    (``keep``) pieces with serialised records are kept in ``kept`` (up to KEPT_PIECE_BYTES), the second
    time they are taken from there, the others serialised again."""
    head = {k: v for k, v in entry.items() if k not in ("ops", "audit")}
    number = 0
    budget = [KEPT_PIECE_BYTES - sum(len(p) for p in kept.values())]

    def batches(start: bytes, docs: list, line_of: Callable[[dict], Any] | None) -> Iterator[bytes]:
        nonlocal number
        yield start
        for first in range(0, len(docs), RAW_BATCH):
            number += 1
            if not keep and number in kept:
                yield kept.pop(number)
                continue
            batch = []
            dumped = False
            for doc in docs[first:first + RAW_BATCH]:
                if type(doc) is bytes:  # staged as its bytes (``Transaction.put_new``)
                    batch.append(doc)
                    continue
                if type(doc) is Line:  # staged as the line it came in (``Transaction.put_line``)
                    batch.append(doc.line)
                    continue
                line = line_of(doc) if line_of is not None else None
                if line is None:
                    line = orjson.dumps(doc)
                    dumped = True
                batch.append(line)
            piece = (b"," if first else b"") + b",".join(batch)
            if keep and dumped and len(piece) <= budget[0]:
                kept[number] = piece
                budget[0] -= len(piece)
            yield piece
        yield b"]"

    yield orjson.dumps(head)[:-1]
    if "audit" in entry:
        yield from batches(b',"audit":[' if head else b'"audit":[', entry["audit"], None)
    yield b',"ops":{' if head or "audit" in entry else b'"ops":{'
    for n, (collection, docs) in enumerate(entry["ops"].items()):
        yield from batches((b"," if n else b"") + orjson.dumps(collection) + b":[", docs,
                           (lambda doc, c=collection: raw.get((c, doc["id"]))) if raw else None)
    yield b"}}"


def _pieced_journal_line(entry: dict, raw: dict[tuple[str, str], Any]) -> tuple[Iterator[bytes], int]:
    """A journal line (checksum, body, newline) as pieces to append one after the other, and its length:
    the body made twice, for its checksum and then for the append, never joined."""
    digest = hashlib.sha256()
    size = 0
    kept: dict[int, bytes] = {}
    for piece in _journal_pieces(entry, raw, kept, keep=True):
        digest.update(piece)
        size += len(piece)
    head = digest.hexdigest()[:16].encode() + b" "
    pieces = itertools.chain((head,), _journal_pieces(entry, raw, kept, keep=False), (b"\n",))
    return pieces, len(head) + size + 1


def _bulk_journal_line(entry: dict, raw: dict[tuple[str, str], Any]) -> tuple[Iterator[bytes], int]:
    """The journal line of a bulk commit (records taken from the bytes they came in): see
    ``_pieced_journal_line``."""
    return _pieced_journal_line(entry, raw)


def _payload_of(docs: dict[str, dict], raw: dict[str, Any]) -> bytes:
    """A collection file's payload (``_dumps(docs)``, keys sorted) with the records in ``raw`` written from
    the bytes they came in (a bundle's lines are sorted the same way: the same bytes)."""
    pieces = []
    for rid in sorted(docs):
        line = raw.get(rid)
        pieces.append(orjson.dumps(rid) + b":" + (_dumps(docs[rid]) if line is None else line))
    return b"{" + b",".join(pieces) + b"}"


def read_journal(path: Path, strict: bool = True) -> tuple[list[dict], int]:
    """The committed transactions of a journal and the byte length of its intact part.

    A torn last line (a crash during the append, never confirmed to the user) is ignored.
    A damaged line followed by good ones is damage and raises (when ``strict``).
    """
    if not path.exists():
        return [], 0
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise os_error(exc, path) from exc
    entries: list[dict] = []
    good = 0
    pos = 0
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, 1):
        end = pos + len(line) + 1
        if not line:
            pos = end
            continue
        checksum, _, body = line.partition(b" ")
        ok = end <= len(raw) and hashlib.sha256(body).hexdigest()[:16].encode() == checksum
        if ok:
            try:
                entries.append(orjson.loads(body))
                good = end
            except orjson.JSONDecodeError:
                ok = False
        if not ok:
            tail = b"".join(lines[number:]).strip()
            if tail and strict:
                raise damaged(path, "journal_line", line=number)
            break
        pos = end
    return entries, good


# Indexes whose key is one field's string as stored (``storage.core.indexes``: the NIK's is
# ``v.get("nik") or None``): a record can have the key only if its bytes hold the string, so ``lookup``
# answers one key from the records held as bytes without building the index (``_lookup_verbatim``).
_VERBATIM = {("members", "nik"): "nik"}  # (collection, index): the field whose string is the key


def _index_keys(tables: dict[str, dict[Any, set[str]]], funcs: list[tuple[str, IndexFunc]], rid: str,
                value: dict) -> None:
    """Add record ``rid`` under its key in each index being built (``funcs``: name, key function)."""
    for n, f in funcs:
        key = f(value)
        if key is not None:
            found = tables[n].get(key)
            if found is None:
                tables[n][key] = {rid}
            else:
                found.add(rid)


class Database:
    """One office's data folder, opened by one writer (or any number of read-only readers)."""

    def __init__(self, path: Path, office: dict, operator: str | None, read_only: bool) -> None:
        self.path = path
        self.office = office
        # Who makes the changes (the audit log's operator): given, kept in office.json, or PILAR_OPERATOR.
        self.operator = operator or office.get("operator") or os.environ.get("PILAR_OPERATOR", "").strip()
        self.read_only = read_only
        # The marker of a migration this open made (storage/core/formats.py), for telling the user; else None.
        self.migrated: dict | None = None
        self._lock: FileLock | None = None
        self._docs: dict[str, dict[str, dict]] = {}
        # The same documents by file (``members.07`` -> id -> document; a collection not cut into
        # parts shares its dict with ``_docs``) and the number of parts of each collection.
        self._pdocs: dict[str, dict[str, dict]] = {}
        self._nparts: dict[str, int] = {}
        # A partial open (``open_parts``): the parts loaded of the collections cut into parts; the
        # others are not in memory and the folder is read-only.
        self._only: set[str] | None = None
        self._nik_index_seq: int | None = None
        # The Ringkasan's figures file by file (``db/summary.idx``, storage/core/tally.py): the seq the
        # manifest records for it, and its tallies once this session has read or written them.
        self._summary_index_seq: int | None = None
        self._summary_files: dict | None = None
        self._active_index_seq: int | None = None
        # Lazy parts (issue 25): the parts of the collections cut into parts that a writable open did not
        # read (name -> the sequence the manifest records for it), read when a record of theirs is asked
        # for (``doc``, ``get``, ``value``, a transaction's write) or all at once when the whole collection
        # is (``raw``, ``values``, ``count``, ``index``, ``conflicts``). The collections with parts still
        # unread have no live values or indexes yet: they are built once every part is in.
        self._lazy: dict[str, int] = {}
        self._incomplete: set[str] = set()
        # Per collection file: its highest clock, version vector and replicas (see VERSIONS_INDEX), as
        # persisted or computed from memory; dropped when the file's records change.
        self._psum: dict[str, dict] = {}
        self._versions_seq: int | None = None
        self._whole = True
        self._vals: dict[str, dict[str, dict]] = {}
        self._idx: dict[str, dict[str, dict[Any, set[str]]]] = {}
        # ids of the documents holding more than one version (conflicts), per collection: ``conflicts``
        # reads these instead of passing over every document (300,000 at the province: 0.07 s at start)
        self._multi: dict[str, set[str]] = {}
        # ids of the records with no live value (deleted), per collection cut into parts: their records are
        # held as bytes (see "records at rest") and ``count``/``values`` read this instead of parsing them
        self._dead: dict[str, set[str]] = {}
        self._fold_tallies: dict[str, dict] | None = None
        self._changes = 0  # records stored or collections rebuilt since the open (``_values_indexing``)
        self._file_seq: dict[str, int] = {}
        self._dirty: set[str] = set()
        # The records of a bulk commit taken as they came (file -> id -> the bytes of its bundle line), for
        # the fold that follows it at once (``_install``, ``_compact``).
        self._fold_raw: dict[str, dict[str, Any]] | None = None
        # ... and that commit's documents ((collection, id) -> document, as parsed by the import): the fold's
        # derived files take them instead of parsing their bytes again (``_parsed_part``; read-only)
        self._fold_docs: dict[tuple[str, str], dict] | None = None
        self._fold_given: dict[tuple[str, str], dict] | None = None  # (during a fold)
        self.seq = 0
        self.counter = 0
        self.hlc = Hlc()
        # replica id -> the office of the first version held under it (sync's provenance check reads
        # it: storage/sync/engine.replica_offices); kept in step by loading and by every commit.
        self.replicas: dict[str, str] = {}
        self.manifest: dict[str, Any] = {}
        self._journal_bytes = 0
        self._audit = audit.AuditLog(path / "audit.jsonl")
        self.listeners: list[Callable[[str, set[str]], None]] = []
        self._pending_audit: list[dict] = []
        # Audit entries of committed transactions not yet in audit.jsonl, oldest first: those of a big
        # transaction (left for ``upkeep``) and those whose append failed (disk full…), retried first.
        # (seq, audit entries, the transaction's documents: a creation's entry is filled in from its own)
        self._audit_behind: list[tuple[int, list[dict], dict[tuple[str, str], Any]]] = []
        self._audit_owed = 0
        self._audit_indexed = False  # the upkeep has seen to every sealed segment's index (audit.write_missing_indexes)
        # Transactions (and their records) made durable since this folder was opened: a failure after
        # them says they are saved (storage.core.errors.SavedButError), never "unchanged".
        self.session_commits = 0
        self.session_records = 0
        self._write_lock = threading.RLock()

    @property
    def audit(self) -> audit.AuditLog:
        """The audit log, with every committed transaction's entries in it (owed ones written first)."""
        if self._audit_behind:
            self._flush_audit(strict=False)
        return self._audit

    # ------------------------------------------------------------------ opening

    @property
    def db_dir(self) -> Path:
        return self.path / "db"

    @property
    def journal_path(self) -> Path:
        return self.db_dir / "journal.jsonl"

    @property
    def code(self) -> str:
        return self.office["code"]

    @property
    def replica_id(self) -> str:
        return self.office["replica_id"]

    @property
    def is_province(self) -> bool:
        return self.office.get("type") == "PROVINCE"

    @staticmethod
    def exists(path: str | Path) -> bool:
        return (Path(path) / "office.json").exists()

    @classmethod
    def init(cls, path: str | Path, code: str, name: str, province: bool = False,
             operator: str | None = None, extra: dict | None = None) -> Database:
        """Create a new, empty data folder for an office and open it."""
        path = Path(path).expanduser().resolve()
        if cls.exists(path):
            existing = read_office(path)
            raise PilarError("db.already_initialised", path=str(path), office=existing.get("code", "?"))
        if (path / "db" / "manifest.json").exists():
            raise damaged(path / "office.json", "missing")
        try:
            (path / "db").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, path) from exc
        private_folders(path)
        replica, created = str(uuid.uuid4()), now_iso()
        office = {
            "format": OFFICE_FORMAT,
            "code": code,
            "name": name,
            "type": "PROVINCE" if province else "UPT",
            "replica_id": replica,
            "replica_home": _replica_home(path),
            "replicas": [{"id": replica, "why": "created", "at": created}],
            "created": created,
            "operator": operator or "",
            "lang": "id",
        }
        office.update(extra or {})
        db = cls(path, office, operator, read_only=False)
        db._acquire_lock()
        try:
            db._write_summary_index()  # the Ringkasan's figures of an empty folder: nothing yet
            atomic_write(db.db_dir / "manifest.json", formats.manifest_bytes(db._manifest_data()))
            write_office(path, office)
        except BaseException:
            db._release_lock()
            raise
        return db

    @classmethod
    def open(cls, path: str | Path, operator: str | None = None, read_only: bool = False,
             upgrade: Callable[[Path], str] | None = None, whole: bool = True) -> Database:
        """Open a data folder: take the lock, verify and load every file, replay the journal.

        ``whole=False`` (a writable open for a command, issue 25): the parts of the big collections are
        read when first needed instead (see ``_lazy``), each checked cheaply at open (size and header)
        and fully when read.

        A folder of an older format is migrated first (storage/core/formats.py) when ``upgrade`` is given:
        it takes the backup the migration starts with and returns its name. Without it (and always
        read-only) an older folder is refused with a sentence saying how to update it; a newer one
        with the sentence that says to update Pilar.
        """
        path = Path(path).expanduser().resolve()
        if not read_only and (path / "restore.json").exists():
            # A restore was cut short (storage/backup/backups.py): the folder may hold a mix of two states.
            raise damaged(path / "restore.json", "restore_interrupted")
        if not cls.exists(path):
            if (path / "db" / "manifest.json").exists():
                # Data without its office.json is a damaged folder, not an empty one.
                raise damaged(path / "office.json", "missing")
            raise PilarError("db.not_initialised", path=str(path))
        office = read_office(path)
        db = cls(path, office, operator, read_only)
        db._whole = whole or read_only
        if not read_only:
            db._acquire_lock()
        try:
            migrated = formats.prepare_folder(path, read_only, upgrade, FolderFiles)
            if migrated is not None:
                db.office = read_office(path)
            # The loaded records live as long as the folder is open and hold no reference cycles:
            # frozen, they are out of the collector's sight, so a keystroke's garbage never
            # triggers a rescan of them.
            with gc_paused(freeze=True):
                db._load()
                if not read_only:
                    db._after_open()
            if not read_only:
                db.migrated = formats.finish_folder(db)
                if db.office.get("pilar") != formats.PILAR_VERSION:
                    write_office(path, db.office)  # which Pilar opened the folder last
        except BaseException:
            db._release_lock()
            raise
        return db

    def _acquire_lock(self) -> None:
        lock = self._lock = take_lock(self.path)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "operator": self.operator,
                "since": now_iso()}
        try:
            atomic_write(self.path / "lock.json", _dumps(info))
        except PilarError:
            lock.release()
            self._lock = None
            raise

    def _release_lock(self) -> None:
        if self._lock is not None:
            try:
                (self.path / "lock.json").unlink(missing_ok=True)
            except OSError:
                pass
            self._lock.release()
            self._lock = None

    def _manifest_data(self) -> dict:
        return {
            "schema": formats.FOLDER.current,
            "pilar": formats.PILAR_VERSION,
            "office": self.code,
            "seq": self.seq,
            "counter": self.counter,
            "hlc": self.hlc.last,
            "files": {c: {"seq": s} for c, s in sorted(self._file_seq.items())},
            "parts": {c: n for c, n in sorted(self._nparts.items()) if n > 1},
            "indexes": {k: s for k, s in (("members.active", self._active_index_seq),
                                          ("members.nik", self._nik_index_seq),
                                          (tally.KEY, self._summary_index_seq),
                                          ("versions", self._versions_seq)) if s is not None},
            "audit": self._audit.head(),
        }

    def _load(self) -> None:
        manifest_path = self.db_dir / "manifest.json"
        if not manifest_path.exists():
            raise damaged(manifest_path, "missing")
        try:
            manifest = orjson.loads(manifest_path.read_bytes())
        except orjson.JSONDecodeError:
            raise damaged(manifest_path, "parse") from None
        except OSError as exc:
            raise os_error(exc, manifest_path) from exc
        if not isinstance(manifest, dict) or formats.check_version(
                formats.FOLDER, manifest.get("schema"), manifest, manifest_path) is None:
            raise damaged(manifest_path, "schema", found=manifest.get("schema") if isinstance(manifest, dict) else "?",
                          expected=formats.FOLDER.current)
        if manifest["schema"] < formats.FOLDER.current:
            raise formats.older_folder_error(self.path, manifest)
        if formats.manifest_altered(manifest):
            raise damaged(manifest_path, "checksum")
        if manifest.get("office") != self.code:
            raise damaged(manifest_path, "other_office", found=manifest.get("office"), expected=self.code)
        self.manifest = manifest
        self.seq = manifest.get("seq", 0)
        self.counter = manifest.get("counter", 0)
        self.hlc.observe(manifest.get("hlc", 0))
        parts = manifest.get("parts")
        if isinstance(parts, dict):
            self._nparts.update({c: n for c, n in parts.items() if type(n) is int and 1 <= n <= 4096})
        present = {p.stem for p in self.db_dir.glob("*.json") if p.name != "manifest.json"}
        recorded_files = manifest.get("files", {})
        expected = set(recorded_files)
        indexes = manifest.get("indexes")
        if isinstance(indexes, dict) and type(indexes.get("members.nik")) is int:
            self._nik_index_seq = indexes["members.nik"]
        if isinstance(indexes, dict) and type(indexes.get(tally.KEY)) is int:
            self._summary_index_seq = indexes[tally.KEY]
        if isinstance(indexes, dict) and type(indexes.get("members.active")) is int:
            self._active_index_seq = indexes["members.active"]
        if not self.read_only and self._only is None:
            # a persisted index the manifest names but whose file does not match it (a kill between the
            # two writes, a damaged or replaced file) is written again at the next fold
            n = self.parts("members")
            if self._nik_index_seq is not None and _index_bytes(self.db_dir, NIK_INDEX, self._nik_index_seq, n) is None:
                self._nik_index_seq = None
            if self._active_index_seq is not None and \
                    _index_bytes(self.db_dir, ACTIVE_INDEX, self._active_index_seq, n) is None:
                self._active_index_seq = None
        entries, good = read_journal(self.journal_path, strict=True)
        self._journal_bytes = good
        # A writable open reads the parts of the big collections when asked for (issue 25): not those
        # the journal changes since their file (replayed now), nor those the versions index cannot
        # describe. A read-only open (``pilar check``, reports, the app's reading commands) and a
        # partial one read what they read before, at once (another Pilar may fold meanwhile).
        summaries = self._read_versions_index(manifest)
        # (read whole, the summaries of the files the journal leaves as they are still spare the first
        # ``overall_vv`` a pass over every version: ``_read_file`` and ``_replay`` drop the others)
        self._psum.update(summaries)
        lazy = not (self._whole or self.read_only or self._only is not None) and bool(summaries)
        touched: set[str] = set()
        if lazy:
            for entry in entries:
                for cname, docs in entry["ops"].items():
                    if self.parts(cname) > 1:
                        for doc in docs:
                            part = self.part_of(cname, doc["id"])
                            if entry["seq"] > recorded_files.get(part, {}).get("seq", 0):
                                touched.add(part)
        for name in sorted(expected | present):
            collection = collection_of(name)
            if self._only is not None and name != collection and name not in self._only:
                continue  # a partial open: a part not asked for
            self._check_part_name(self.db_dir / f"{name}.json", name)
            recorded = recorded_files.get(name, {}).get("seq", 0)
            summary = summaries.get(name)
            if lazy and name != collection and name in expected and name not in touched and summary is not None \
                    and summary.get("seq") == recorded and self._looks_intact(name, summary):
                self._lazy[name] = recorded
                self._file_seq[name] = recorded
                self._incomplete.add(collection)
                self._docs.setdefault(collection, {})
                continue
            if lazy and name != collection and name not in touched:
                self._versions_seq = None  # a part the index could not describe: written again at the close
            self._read_file(name, recorded)
        for summary in (self._psum[name] for name in self._lazy):
            # what the parts not read hold: the clock never goes back, and the replicas they write under
            self.hlc.observe(summary["hlc"])
            for r, office in summary["replicas"].items():
                self.replicas.setdefault(r, office)
        for entry in entries:
            self._replay(entry)
        self._audit.load(expected_head=manifest.get("audit"))
        for name in self._docs:
            if name not in self._incomplete:
                self._rebuild(name)
        for name in [n for n in self._pdocs if collection_of(n) in self._incomplete]:
            # the parts read now of a collection whose values wait (``_rebuild`` learns this of the others)
            summary = self._summary(name)
            self.hlc.observe(summary["hlc"])
            for r, office in summary["replicas"].items():
                self.replicas.setdefault(r, office)

    def _read_file(self, name: str, recorded: int) -> None:
        """Read and check one collection file (or part), as recorded at ``recorded`` by the manifest."""
        storage = PilarStorage(self.db_dir / f"{name}.json", name, self.code)
        docs = self._read_records(storage, name)
        seq = storage.meta.get("seq", 0)
        if seq < recorded:
            raise damaged(storage.path, "stale", found=seq, expected=recorded)
        self._add_file(storage.path, name, docs)
        self._file_seq[name] = seq

    def _read_records(self, storage: PilarStorage, name: str) -> dict[str, Any]:
        """One file read and checked: its documents by id, a part's held as bytes (``_hold``)."""
        raw = storage.read_bytes()
        data = storage.parse(raw) if raw is not None else None
        docs = data[name] if data else {}
        seq = storage.meta.get("seq", 0)
        known = self._psum.get(name)
        if known is not None and (known.get("seq") != seq or known.get("size") != storage.size):
            self._psum.pop(name, None)
        if docs and name != collection_of(name):
            docs = self._hold(name, docs, raw, storage.span, seq)
        return docs

    def _hold(self, name: str, docs: dict[str, dict], raw: bytes, span: tuple[int, int], seq: int) -> dict[str, bytes]:
        """A part just parsed as it is held (see "records at rest"): each record's bytes, cut out of the file
        (``_slices``) or dumped again, and what the open needs of its documents noted while they are parsed:
        the highest clock, the replicas, the records with more than one version (``_multi``) or no live
        value (``_dead``), and the part's summary (VERSIONS_INDEX) when none is known. The parsed documents
        are let go by the caller: an open's peak is one part's."""
        collection = collection_of(name)
        dead = self._dead.setdefault(collection, set())
        multi = self._multi.setdefault(collection, set())
        # (a writable open writes every file's summary at its fold: computed now, while parsed)
        summary = name not in self._psum and not self.read_only
        hlc = 0
        vv: dict[str, int] = {}
        replicas: dict[str, str] = {}
        for rid, doc in docs.items():
            versions = doc["v"]
            if len(versions) == 1 and not summary:  # the common case inlined
                top = versions[0]
                if top["deleted"]:
                    dead.add(rid)
                if top["hlc"] > hlc:
                    hlc = top["hlc"]
                r = top["dot"][0]
                if r not in replicas:
                    replicas[r] = top["office"]
                continue
            for v in versions:
                if v["hlc"] > hlc:
                    hlc = v["hlc"]
                r = v["dot"][0]
                if r not in replicas:
                    replicas[r] = v["office"]
                if summary:
                    for q, n in v["vv"].items():
                        if n > vv.get(q, 0):
                            vv[q] = n
            if len(versions) > 1:
                multi.add(rid)
                if self.value_of(doc) is None:
                    dead.add(rid)
            elif versions[0]["deleted"]:
                dead.add(rid)
        held = _slices(raw, span[0], span[1], docs)
        if held is None:  # (not laid out as Pilar writes a part: each record dumped)
            held = {rid: _held_bytes(doc) for rid, doc in docs.items()}
        self.hlc.observe(hlc)
        for r, office in replicas.items():
            self.replicas.setdefault(r, office)
        if summary:
            self._psum[name] = {"seq": seq, "hlc": hlc, "vv": vv, "replicas": replicas}
        return held

    def _note(self, collection: str, rid: str, doc: dict) -> None:
        """What ``_hold`` notes of a record, for one stored after its part was read (journal, commit)."""
        versions = doc["v"]
        multi = self._multi.setdefault(collection, set())
        dead = self._dead.setdefault(collection, set())
        if len(versions) > 1:
            multi.add(rid)
            live = self.value_of(doc) is not None
        else:
            multi.discard(rid)
            live = not versions[0]["deleted"]
        if live:
            dead.discard(rid)
        else:
            dead.add(rid)
        replicas = self.replicas
        for v in versions:
            if v["dot"][0] not in replicas:
                replicas[v["dot"][0]] = v["office"]
            self.hlc.observe(v["hlc"])

    def _store(self, collection: str, part: str, doc: dict, line: Any = None) -> None:
        """Put one document in its collection and file, as bytes in a part (``line``: the bytes it came in,
        ``_dumps(doc)`` exactly, when known)."""
        rid = doc["id"]
        self._changes += 1
        flat, table = self._tables(collection, part)
        if part == collection:
            flat[rid] = table[rid] = doc
            return
        flat[rid] = table[rid] = bytes(line) if line is not None else _held_bytes(doc)
        self._note(collection, rid, doc)

    def _store_lines(self, collection: str, part: str, lines: list[Line]) -> None:
        """``_store`` of records staged by their bytes, into one part: noted from what each noted of its
        document (a bulk commit's, ``_install``)."""
        self._changes += len(lines)
        flat, table = self._tables(collection, part)
        multi = self._multi.setdefault(collection, set())
        dead = self._dead.setdefault(collection, set())
        replicas = self.replicas
        for held in lines:
            rid = held.id
            flat[rid] = table[rid] = bytes(held.line)
            if held.multi:
                multi.add(rid)
            elif multi:
                multi.discard(rid)
            if held.live:
                if dead:
                    dead.discard(rid)
            else:
                dead.add(rid)
            for r, office in held.replicas:
                if r not in replicas:
                    replicas[r] = office
        # (their clocks: observed as they were staged, ``put_line``)

    def _part_docs(self, name: str) -> Iterator[dict]:
        """The documents of one file, parsed (a part's are held as bytes: each is a fresh dict)."""
        for held in tuple(self._pdocs.get(name, {}).values()):
            yield _parsed(held)

    def _held_items(self, collection: str) -> Iterator[tuple[str, dict]]:
        """(id, live value) of a collection held as bytes, each parsed now (the id the one held)."""
        docs = self._docs.get(collection)
        if not docs:
            return
        dead = self._dead.get(collection, ())
        loads = orjson.loads
        for rid in tuple(docs):  # (a commit may add records meanwhile)
            if rid in dead:
                continue
            held = docs.get(rid)
            if held is None:
                continue
            doc = loads(held)
            versions = doc["v"]
            if len(versions) == 1:
                top = versions[0]
                if top["deleted"]:
                    continue
                value = top["data"]
                value["id"] = rid
                value["owner"] = doc["owner"]
            else:
                value = self.value_of(doc)
                if value is None:
                    continue
                value["id"] = rid
            yield rid, value

    def _cut(self, collection: str) -> bool:
        """Cut into parts, so held as bytes (see "records at rest")."""
        n = self._nparts.get(collection)
        return (n if n is not None else self.parts(collection)) > 1

    def _looks_intact(self, name: str, summary: dict) -> bool:
        """A part left unread at open is checked cheaply: there, of the size it was written at, its
        header this office's, of this format and of the sequence recorded. Otherwise it is read at once
        (and its damage named as before); a changed byte inside is found when it is read (``pilar check``
        reads every part)."""
        path = self.db_dir / f"{name}.json"
        try:
            with open(path, "rb") as fh:
                if os.fstat(fh.fileno()).st_size != summary.get("size"):
                    return False
                head = fh.read(4096)
            newline = head.find(b"\n")
            if newline < 0 or not head[:newline].endswith(b","):
                return False
            meta = orjson.loads(head[:newline - 1] + b"}")["_meta"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return (isinstance(meta, dict) and meta.get("schema") == formats.FOLDER.current
                and meta.get("collection") == name and meta.get("office") == self.code
                and meta.get("seq") == summary["seq"]
                and head[newline + 1:newline + 4 + len(name)] == b'"' + name.encode() + b'":')

    def _read_versions_index(self, manifest: dict) -> dict[str, dict]:
        """The persisted summaries of the collection files (VERSIONS_INDEX) when the manifest records the
        sequence the file was written at; {} when missing, stale or damaged (then every file is read)."""
        recorded = (manifest.get("indexes") or {}).get("versions")
        if type(recorded) is not int:
            return {}
        try:
            raw = (self.db_dir / VERSIONS_INDEX).read_bytes()
            newline = raw.find(b"\n")
            head = orjson.loads(raw[:newline])
            payload = memoryview(raw)[newline + 1:_rstrip_end(raw, len(raw))]
            if head.get("seq") != recorded or hashlib.sha256(payload).hexdigest() != head.get("sha256"):
                return {}
            body = orjson.loads(payload)
        except (OSError, ValueError, TypeError, AttributeError):
            return {}
        out: dict[str, dict] = {}
        for name, s in (body.items() if isinstance(body, dict) else ()):
            if isinstance(s, dict) and type(s.get("seq")) is int and type(s.get("hlc")) is int \
                    and isinstance(s.get("vv"), dict) and isinstance(s.get("replicas"), dict):
                out[name] = s
        self._versions_seq = recorded
        return out

    def _load_part(self, name: str) -> None:
        """Read a part left unread at open (see ``_lazy``), with the journal's changes to it already in
        memory kept (they are newer than the file)."""
        with self._write_lock:
            recorded = self._lazy.get(name)
            if recorded is None:
                return
            storage = PilarStorage(self.db_dir / f"{name}.json", name, self.code)
            with gc_paused(freeze=True):  # as at open: the records out of the collector's sight
                docs = self._read_records(storage, name)
            seq = storage.meta.get("seq", 0)
            if seq != recorded:
                # Only this Pilar writes the folder while it holds it: a part that is not what the
                # manifest said at open was changed by someone else.
                raise damaged(storage.path, "stale", found=seq, expected=recorded)
            held = self._pdocs.get(name)
            if held:
                # Never the case (a part the journal changes is read at open, a write reads its part
                # first); were it, what memory holds is newer than the file.
                docs = dict(docs)
                docs.update(held)
                self._docs[collection_of(name)].update(docs)
                self._pdocs[name] = docs
                for rid, kept in held.items():
                    self._note(collection_of(name), rid, _parsed(kept))
            else:
                self._add_file(storage.path, name, docs)
            del self._lazy[name]

    def _load_collection(self, collection: str) -> None:
        """Every part of ``collection`` in memory, then its live values and indexes (once)."""
        if collection not in self._incomplete:
            return
        with self._write_lock:
            if collection not in self._incomplete:
                return
            for name in [n for n in self._lazy if collection_of(n) == collection]:
                self._load_part(name)
            with gc_paused(freeze=True):
                self._rebuild(collection)
            self._incomplete.discard(collection)

    def load_all(self) -> None:
        """Every part of every collection in memory (what ``pilar check`` and a full export read)."""
        for collection in sorted(self._incomplete):
            self._load_collection(collection)

    def docs_for(self, collection: str, ids: Iterable[str]) -> dict[str, dict]:
        """The raw documents of ``collection`` by id, with at least the records ``ids`` in it (the parts
        holding them are read): for a bundle's merge, which looks up only the records it carries."""
        if collection in self._incomplete:
            n = self.parts(collection)
            wanted: set[str] = set()
            for rid in ids:
                wanted.add(part_name(collection, rid, n))
                if len(wanted) == n:
                    break  # (a full bundle: every part, known after a few hundred records)
            for name in sorted(wanted & self._lazy.keys()):
                self._load_part(name)
            if not any(collection_of(n) == collection for n in self._lazy):
                self._load_collection(collection)
        docs = self._docs.get(collection, {})
        return HeldDocs(docs) if self._cut(collection) else docs

    @property
    def loaded_parts(self) -> list[str]:
        """The collection files (parts) read so far: for tests and benchmarks."""
        return sorted(n for n in self._file_seq if n not in self._lazy)

    def parts(self, collection: str) -> int:
        """How many parts ``collection`` is cut into in this folder (1: one file)."""
        n = self._nparts.get(collection)
        if n is None:
            n = self._nparts[collection] = default_parts(collection)
        return n

    def part_of(self, collection: str, rid: str) -> str:
        """The file (stem) that holds record ``rid`` of ``collection``."""
        return part_name(collection, rid, self.parts(collection))

    def _tables(self, collection: str, part: str) -> tuple[dict[str, dict], dict[str, dict]]:
        """The collection's documents and those of one of its files, created when missing."""
        docs = self._docs.get(collection)
        if docs is None:
            docs = self._docs[collection] = self._pdocs.get(collection, {}) if part == collection else {}
        table = self._pdocs.get(part)
        if table is None:
            table = self._pdocs[part] = docs if part == collection else {}
        return docs, table

    def _check_part_name(self, path: Path, name: str) -> None:
        """A file whose name does not fit the collection's parts (a part of another cut, the single file
        of a collection now cut, a part of one that is not): never loaded beside the others."""
        collection, _, suffix = name.partition(".")
        n = self.parts(collection)
        fits = (not suffix) if n <= 1 else (len(suffix) >= 2 and suffix.isdigit() and int(suffix) < n
                                            and suffix == f"{int(suffix):02d}")
        if not fits:
            raise damaged(path, "part", parts=n)

    def _add_file(self, path: Path, name: str, docs: dict[str, dict]) -> None:
        collection = collection_of(name)
        if name == collection:
            self._docs[collection] = self._pdocs[name] = docs
            return
        self._pdocs[name] = docs
        flat = self._docs.setdefault(collection, {})
        before = len(flat)
        flat.update(docs)
        if len(flat) != before + len(docs):
            # the same id in two parts: one of them was not written by Pilar
            raise damaged(path, "two_parts")

    def misplaced(self) -> list[tuple[str, str]]:
        """(file, id) of every record held by a part its id does not hash to (``pilar check``)."""
        self.load_all()
        out = []
        for name, docs in self._pdocs.items():
            collection = collection_of(name)
            if name == collection:
                continue
            n = self.parts(collection)
            out += [(name, rid) for rid in docs if part_name(collection, rid, n) != name]
        return out

    def _replay(self, entry: dict) -> None:
        seq = entry["seq"]
        for name, docs in entry["ops"].items():
            for doc in docs:
                rid = doc["id"]
                part = self.part_of(name, rid)
                if seq <= self._file_seq.get(part, 0):
                    continue
                if self._only is not None and part != name and part not in self._only:
                    continue
                if part in self._lazy:
                    self._load_part(part)  # (not the case: a part the journal changes is read at open)
                self._store(name, part, doc)
                self._dirty.add(part)
                self._psum.pop(part, None)
        self.seq = max(self.seq, seq)
        self.counter = max(self.counter, entry.get("ctr", 0))
        self.hlc.observe(entry.get("hlc", 0))
        self._pending_audit.append(entry)

    def _after_open(self) -> None:
        private_folders(self.path)
        # Bring the audit log up to the journal (a crash may have come between the two appends, or
        # during the audit append itself: its torn line is cut and rewritten from the journal).
        self._audit.repair_tail()
        for entry in self._pending_audit:
            self._audit.catch_up(entry["seq"], audit.Expanded(entry.get("audit", []), entry.get("ops", {})))
        self._pending_audit = []
        home = _replica_home(self.path)
        was = self.office.get("replica_home") or {}
        if was != home:
            # A copied or moved folder must not reuse this replica's counters (sync.md).
            self.rotate_replica("host" if was.get("host") != home["host"] else "moved", home)
        # Cut a torn last line (a crash during an append that was never confirmed) before appending.
        if self.journal_path.exists() and self.journal_path.stat().st_size != self._journal_bytes:
            os.truncate(self.journal_path, self._journal_bytes)
        # Temporary files of a writer killed during an atomic write (we hold the lock: none is live).
        for tmp in self.db_dir.glob(".*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass

    @property
    def replica_ids(self) -> list[str]:
        """Every replica id this office's folder has written under, oldest first, the current one last.

        The office's sync identity is its key, not one replica id: a moved, renamed, restored or copied
        folder takes a new id (below), and every bundle names all of them in its signed manifest so the
        other side binds them all to this office (docs/sync.md, "Memindah, memulihkan…")."""
        return [e["id"] for e in replica_history(self.office)]

    def rotate_replica(self, why: str = "restored", home: dict | None = None,
                       history: list[dict] | None = None) -> None:
        """Take a new replica id (after a restore, a move or a copy) so sync never sees two writes with
        one dot. The ids used before stay in ``office.json`` (``replicas``: id, why, when), with those of
        ``history`` (the live folder's, when a restore brings back an older office file)."""
        new = str(uuid.uuid4())
        kept = merge_replica_history(replica_history(self.office), history or [])
        kept.append({"id": new, "why": why, "at": now_iso()})
        self.office = dict(self.office, replica_id=new, replica_home=home or _replica_home(self.path),
                           replicas=kept)
        self.counter = 0
        write_office(self.path, self.office)

    def adopt_replicas(self, ids: list[str], why: str = "recovered") -> list[str]:
        """Record ``ids`` as this office's own earlier replica ids (learnt back from a bundle signed by
        this office's key after its folder went back to an older state). Returns the ids added."""
        history = replica_history(self.office)
        known = {e["id"] for e in history}
        added = [r for r in dict.fromkeys(ids) if r not in known]
        if added:
            at = now_iso()
            current = history.pop()  # the current id stays last
            history += [{"id": r, "why": why, "at": at} for r in added] + [current]
            self.office = dict(self.office, replicas=history)
            write_office(self.path, self.office)
        return added

    # ------------------------------------------------------------------ reading

    def collections(self) -> list[str]:
        return sorted(self._docs)

    def raw(self, collection: str) -> Mapping[str, dict]:
        """The raw documents (with all versions) of a collection: for sync and checks only. Read-only: a
        collection cut into parts is held as bytes, each document parsed when read (``HeldDocs``)."""
        if collection in self._incomplete:
            self._load_collection(collection)
        docs = self._docs.get(collection, {})
        return HeldDocs(docs) if self._cut(collection) else docs

    def doc(self, collection: str, record_id: str) -> dict | None:
        """The raw document of one record (read-only; a record of a collection cut into parts is parsed
        for this call)."""
        if self._lazy and collection in self._incomplete:
            part = self.part_of(collection, record_id)
            if part in self._lazy:
                self._load_part(part)
        return _parsed(self._docs.get(collection, {}).get(record_id))

    def get(self, collection: str, record_id: str) -> dict | None:
        """A copy of the live value of one record, or None (unknown or deleted)."""
        value = self.value(collection, record_id)
        if value is None or collection not in self._vals:
            return value  # (parsed for this call: a copy already)
        return copy.deepcopy(value)

    def values(self, collection: str, indexes: bool = True) -> Iterator[dict]:
        """The live values of a collection. Read-only: copy (or ``get``) before changing one. Those of a
        collection cut into parts are parsed as they are reached (hold on to as few as you need); a whole
        pass over them builds the indexes not built yet on the way, unless ``indexes`` is False (a pass
        that looks nothing up: a quarterly run's over 300,000 members, whose NIK and number indexes were
        then held to the end of the command, about 110 MB)."""
        if collection in self._incomplete:
            self._load_collection(collection)
        vals = self._vals.get(collection)
        if vals is not None:
            return iter(vals.values())
        if self._cut(collection):
            if not indexes:
                return (value for _rid, value in self._held_items(collection))
            return self._values_indexing(collection)
        return iter(())

    def _values_indexing(self, collection: str) -> Iterator[dict]:
        """The values of a collection held as bytes, each parsed as it is reached; a whole pass builds the
        registered indexes not built yet on the way (``index`` then has nothing to parse), kept only when no
        record was stored meanwhile."""
        funcs = [(n, f) for n, f in _INDEXES.get(collection, {}).items() if n not in self._idx.get(collection, {})]
        if not funcs:
            for _rid, value in self._held_items(collection):
                yield value
            return
        with self._write_lock:  # (no commit half installed)
            changes = self._changes
        tables: dict[str, dict[Any, set[str]]] = {n: {} for n, _f in funcs}
        for rid, value in self._held_items(collection):
            _index_keys(tables, funcs, rid, value)
            yield value
        with self._write_lock:
            if self._changes == changes and collection not in self._incomplete:
                built = self._idx.setdefault(collection, {})
                for n, table in tables.items():
                    built.setdefault(n, table)

    def maybe_deleted(self, collection: str) -> list[str]:
        """The ids of the records whose winning version may be a deletion (deleted, or holding more than one
        version), sorted: of a collection cut into parts, from what its open noted (nothing parsed); of
        another, every id."""
        if collection in self._incomplete:
            self._load_collection(collection)
        if not self._cut(collection):
            return sorted(self._docs.get(collection, {}))
        return sorted(self._dead.get(collection, set()) | self._multi.get(collection, set()))

    def count(self, collection: str) -> int:
        if collection in self._incomplete:
            self._load_collection(collection)
        vals = self._vals.get(collection)
        if vals is not None:
            return len(vals)
        return len(self._docs.get(collection, ())) - len(self._dead.get(collection, ()))

    def value(self, collection: str, record_id: str) -> dict | None:
        """The live value, for code that only reads (``get`` copies): held, of a small collection; parsed
        for this call, of one cut into parts (still read-only by contract)."""
        if collection in self._incomplete:
            # Its values are built once every part is read: this one from its document (its part read).
            doc = self.doc(collection, record_id)
            return _fresh_value(doc) if doc is not None else None
        vals = self._vals.get(collection)
        if vals is not None:
            return vals.get(record_id)
        held = self._docs.get(collection, {}).get(record_id)
        if held is None:
            return None
        return _fresh_value(orjson.loads(held)) if type(held) is bytes else self.value_of(held)

    def lookup(self, collection: str, index: str, key: Any) -> list[str]:
        if (collection, index) in _VERBATIM and isinstance(key, str) and collection not in self._incomplete \
                and index not in self._idx.get(collection, {}) and self._cut(collection):
            return self._lookup_verbatim(collection, index, key)
        return sorted(self.index(collection, index).get(key, ()))

    def _lookup_verbatim(self, collection: str, index: str, key: str) -> list[str]:
        """``lookup`` in an index not built yet whose key is a field's own string: only the records whose
        bytes hold that string are parsed (a NIK asked for in one part of 300,000 members: 10,000 records
        parsed to build the index, about 0.2 s, for one answer)."""
        needle = orjson.dumps(key)
        func = _INDEXES[collection][index]
        found = []
        for rid, held in tuple(self._docs.get(collection, {}).items()):  # (a commit may add records)
            if type(held) is bytes and needle not in held:
                continue  # its value cannot hold the key: the key is the field's string as stored
            value = self.value(collection, rid)
            if value is not None and func(value) == key:
                found.append(rid)
        return sorted(found)

    def duplicate_keys(self, collection: str, index: str) -> set[Any]:
        """The keys of a registered index that two live records or more have (the NIKs of two members), as
        ``{k for k, ids in index(collection, index).items() if len(ids) > 1}``, without building the index
        when it is not built yet and its key is a field's own string (``_VERBATIM``): each record's bytes
        give its key (one ``"field":"…"`` in them, no escape), the others and those that may share a key
        with another are parsed (a quarterly run at 300,000 members: a byte search instead of a parse of
        each and 110 MB of index held to the end)."""
        if collection in self._incomplete:
            self._load_collection(collection)
        field = _VERBATIM.get((collection, index))
        if field is None or index in self._idx.get(collection, {}) or not self._cut(collection):
            return {key for key, ids in self.index(collection, index).items() if len(ids) > 1}
        func = _INDEXES[collection][index]
        name = orjson.dumps(field) + b":"
        pattern = re.compile(re.escape(name) + rb'"([^"\\]*)"')
        multi = self._multi.get(collection, ())
        dead = self._dead.get(collection, ())
        seen: dict[bytes, int] = {}
        parse: list[str] = []  # records whose key is not read from their bytes
        held_items = tuple(self._docs.get(collection, {}).items())  # (a commit may add records meanwhile)
        for rid, held in held_items:
            if rid in dead:
                continue
            if type(held) is not bytes or rid in multi:
                parse.append(rid)
                continue
            n = held.count(name)
            if n == 0:
                continue  # no such field: no key
            found = pattern.search(held) if n == 1 else None
            if found is None:
                parse.append(rid)
                continue
            key = found.group(1)
            if key:  # (an empty string is no key)
                seen[key] = seen.get(key, 0) + 1
        counts: dict[Any, int] = {}
        for rid in parse:
            value = self.value(collection, rid)
            key = func(value) if value is not None else None
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
        # The keys seen in two records or more, or in one and in a parsed record: each record holding one
        # parsed (its one "field":"…" may be a nested field's, the record having no key of its own).
        maybe = {key for key, n in seen.items() if n > 1 or (counts and key.decode() in counts)}
        del seen
        if maybe:
            for rid, held in held_items:
                if rid in dead or type(held) is not bytes or rid in multi or held.count(name) != 1:
                    continue
                found = pattern.search(held)
                if found is not None and found.group(1) in maybe:
                    value = self.value(collection, rid)
                    key = func(value) if value is not None else None
                    if key is not None:
                        counts[key] = counts.get(key, 0) + 1
        return {key for key, n in counts.items() if n > 1}

    def index(self, collection: str, index: str) -> dict[Any, set[str]]:
        """A registered index, built on first use (under the write lock, so no commit slips between
        the values read and the index installed)."""
        if collection in self._incomplete:
            self._load_collection(collection)
        built = self._idx.get(collection, {}).get(index)
        if built is not None:
            return built
        if index not in _INDEXES.get(collection, {}):
            return {}
        with self._write_lock:
            built = self._idx.get(collection, {}).get(index)
            return built if built is not None else self._build_index(collection, index)

    def conflicts(self) -> Iterator[tuple[str, dict]]:
        self.load_all()
        for name, docs in self._docs.items():
            for rid in tuple(self._multi.get(name, ())):  # a copy: a commit may change it meanwhile
                doc = _parsed(docs.get(rid))
                if doc is not None and in_conflict(doc):
                    yield name, doc

    @property
    def file_count(self) -> int:
        """The collection files (parts counted one by one) of the folder: what ``pilar check`` counts."""
        return len(self._file_seq)

    def files(self, collection: str) -> list[str]:
        """The files (stems) holding ``collection`` now: itself, or its parts that hold records."""
        if collection in self._incomplete:
            self._load_collection(collection)
        return sorted(n for n in self._pdocs if collection_of(n) == collection and (n == collection or self._pdocs[n]))

    def tinydb(self, name: str) -> PilarTinyDB:
        """A collection file (or one part: ``members.07``) opened through TinyDB's own API (read access
        for tools and tests); its table has the file's name."""
        return PilarTinyDB(self.db_dir / f"{name}.json", storage=PilarStorage, collection=name,
                           office=self.code)

    # ------------------------------------------------------------------ values and indexes

    @staticmethod
    def value_of(doc: dict) -> dict | None:
        """The value a screen sees: the winning version's fields plus id, owner and conflict flag."""
        top = winner(doc)
        if top["deleted"]:
            if len(doc["v"]) == 1 or all(v["deleted"] for v in doc["v"]):
                return None  # deleted at two offices at once is still deleted, not a conflict to show
        value = dict(top["data"])
        value["id"] = doc["id"]
        value["owner"] = doc["owner"]
        if len(doc["v"]) > 1:
            value["_conflict"] = True
        return value

    def _rebuild(self, collection: str) -> None:
        self._changes += 1
        if self._cut(collection):
            # Held as bytes, without values: what the open needs of each record was noted as it was stored
            # (``_hold``, ``_note``); the indexes are built when first asked for.
            self._multi.setdefault(collection, set())
            self._dead.setdefault(collection, set())
            self._idx[collection] = {}
            return
        vals = {}
        multi = set()
        last = self.hlc.last
        replicas = self.replicas
        for rid, doc in self._docs.get(collection, {}).items():
            versions = doc["v"]
            if len(versions) == 1:
                # The common case inlined (value_of for one version): 100k records load in half the time.
                top = versions[0]
                if top["hlc"] > last:
                    last = top["hlc"]
                r = top["dot"][0]
                if r not in replicas:
                    replicas[r] = top["office"]
                if not top["deleted"]:
                    value = dict(top["data"])
                    value["id"] = rid
                    value["owner"] = doc["owner"]
                    vals[rid] = value
                continue
            multi.add(rid)
            value = self.value_of(doc)
            if value is not None:
                vals[rid] = value
            last = max(last, *(v["hlc"] for v in versions))
            for v in versions:
                replicas.setdefault(v["dot"][0], v["office"])
        self.hlc.observe(last)
        self._vals[collection] = vals
        self._multi[collection] = multi
        # The indexes are built when first asked for (``index``), not here: a command about one member
        # or one bundle seldom needs them all (the members' number index: 0.4 s of an open at 100k).
        self._idx[collection] = {}

    def _build_index(self, collection: str, name: str) -> dict[Any, set[str]]:
        """Build one registered index from the live values; kept in step by ``_apply`` from then on. Of a
        collection cut into parts: every registered index not built yet, in one pass (each record parsed
        once)."""
        if self._cut(collection):
            built = self._idx.setdefault(collection, {})
            funcs = [(n, f) for n, f in _INDEXES[collection].items() if n not in built]
            tables: dict[str, dict[Any, set[str]]] = {n: {} for n, _f in funcs}
            with gc_paused(freeze=True):
                for rid, value in self._held_items(collection):
                    _index_keys(tables, funcs, rid, value)
            built.update(tables)
            return built[name]
        func = _INDEXES[collection][name]
        idx: dict[Any, set[str]] = {}
        with gc_paused(freeze=True):  # as at open: the index's sets out of the collector's sight
            for rid, value in self._vals.get(collection, {}).items():
                key = func(value)
                if key is not None:
                    idx.setdefault(key, set()).add(rid)
        self._idx.setdefault(collection, {})[name] = idx
        return idx

    def _apply(self, collection: str, doc: dict, line: Any = None) -> None:
        """Install one document in memory and keep values and indexes in step (``line``: the bytes it came
        in, see ``_store``)."""
        rid = doc["id"]
        part = self.part_of(collection, rid)
        indexes = _INDEXES.get(collection)
        idx = self._idx.get(collection) if indexes else None
        if indexes and idx is None:
            idx = self._idx[collection] = {n: {} for n in indexes}
        if part != collection:
            # held as bytes, without values: the old value parsed only for the indexes built
            old = None
            if idx:
                held = self._docs.get(collection, {}).get(rid)
                if held is not None:
                    old = _fresh_value(orjson.loads(held))
            self._store(collection, part, doc, line)
            if idx:
                self._reindex(collection, idx, rid, old, self.value_of(doc))
            return
        docs, table = self._tables(collection, part)
        table[rid] = doc
        vals = self._vals.get(collection)
        if vals is None:
            vals = self._vals[collection] = {}
        old = vals.get(rid)
        docs[rid] = doc
        if len(doc["v"]) > 1:
            self._multi.setdefault(collection, set()).add(rid)
        elif rid in self._multi.get(collection, ()):
            self._multi[collection].discard(rid)
        for v in doc["v"]:
            if v["dot"][0] not in self.replicas:
                self.replicas[v["dot"][0]] = v["office"]
        new = self.value_of(doc)
        if idx is not None:
            self._reindex(collection, idx, rid, old, new)
        if new is None:
            vals.pop(rid, None)
        else:
            vals[rid] = new

    def _reindex(self, collection: str, idx: dict[str, dict[Any, set[str]]], rid: str, old: dict | None,
                 new: dict | None) -> None:
        """The built indexes of ``collection`` moved from a record's old value to its new one."""
        for name, func in _INDEXES[collection].items():
            table = idx.get(name)
            if table is None:
                continue  # registered after opening and not built yet: ``index`` builds it whole
            if old is not None:
                key = func(old)
                if key is not None and key in table:
                    table[key].discard(rid)
                    if not table[key]:
                        del table[key]
            if new is not None:
                key = func(new)
                if key is not None:
                    table.setdefault(key, set()).add(rid)

    def _apply_unbuilt(self, collection: str, part: str, doc: dict, line: Any = None) -> None:
        """Install one document of a collection whose values are not built yet (parts still unread):
        the documents and the replicas only; its values and indexes are built from them later."""
        self._store(collection, part, doc, line)
        for v in doc["v"]:
            if v["dot"][0] not in self.replicas:
                self.replicas[v["dot"][0]] = v["office"]

    # ------------------------------------------------------------------ versions held (sync)

    def overall_vv(self) -> dict[str, int]:
        """The highest counter of each replica among every version held (sync's vector of this folder),
        from each file's summary: persisted for the parts not read (VERSIONS_INDEX), computed once from
        memory for the others and again only for a file whose records changed."""
        out: dict[str, int] = {}
        with self._write_lock:
            for name in self._file_names():
                for r, n in self._summary(name)["vv"].items():
                    if n > out.get(r, 0):
                        out[r] = n
        return out

    def _file_names(self) -> list[str]:
        return sorted(set(self._file_seq) | set(self._pdocs))

    def _summary(self, name: str) -> dict:
        """The summary of one collection file's records (see VERSIONS_INDEX), as they are now."""
        known = self._psum.get(name)
        if known is not None:
            return known
        if name in self._lazy:
            self._load_part(name)  # (not the case: a part not read has a summary)
        return self._summary_of(name, self._part_docs(name))

    def _summary_of(self, name: str, docs: Iterable[dict]) -> dict:
        """``_summary`` of a file from its documents (parsed), kept."""
        hlc = 0
        vv: dict[str, int] = {}
        replicas: dict[str, str] = {}
        for doc in docs:
            for v in doc["v"]:
                if v["hlc"] > hlc:
                    hlc = v["hlc"]
                r = v["dot"][0]
                if r not in replicas:
                    replicas[r] = v["office"]
                for q, n in v["vv"].items():
                    if n > vv.get(q, 0):
                        vv[q] = n
        return self._keep_summary(name, hlc, vv, replicas)

    def _keep_summary(self, name: str, hlc: int, vv: dict[str, int], replicas: dict[str, str]) -> dict:
        summary = {"seq": self._file_seq.get(name, 0) if name not in self._dirty else self.seq,
                   "hlc": hlc, "vv": vv, "replicas": replicas}
        self._psum[name] = summary
        return summary

    def _write_versions_index(self) -> None:
        """db/versions.idx as of this fold: every file's summary (its sequence the file's)."""
        out = {}
        for name in self._file_names():
            summary = self._summary(name)
            summary["seq"] = self._file_seq.get(name, 0)
            if name not in self._lazy:  # (a part not read keeps the size it was written at)
                try:
                    summary["size"] = (self.db_dir / f"{name}.json").stat().st_size
                except OSError:
                    summary.pop("size", None)  # (not written yet: a file without records)
            out[name] = summary
        payload = orjson.dumps(out, option=orjson.OPT_SORT_KEYS)
        head = orjson.dumps({"seq": self.seq, "count": len(out), "sha256": hashlib.sha256(payload).hexdigest()})
        atomic_write(self.db_dir / VERSIONS_INDEX, head + b"\n" + payload + b"\n")
        self._versions_seq = self.seq

    # ------------------------------------------------------------------ writing

    def transaction(self, action: str, system: bool = False) -> Transaction:
        """One user action: every change inside is committed with one journal append, or none is.

        At a UPT every ``put``/``delete`` is checked against the authority table (storage/core/authority.py)
        first, so the office never makes a change the province would refuse. ``system``: demo and
        benchmark data that is never sent (``init --sample`` at a UPT) skip that check.
        """
        if self.read_only:
            raise PilarError("db.read_only")
        if not system and not str(self.operator or "").strip():
            # Every change is someone's (issue 12): the audit log never records an empty operator.
            raise PilarError("db.no_operator")
        return Transaction(self, action, system=system)

    def authorise(self, collection: str, value: dict | None, rid: str | None = None, deleted: bool = False,
                  owner: str | None = None):
        """The :class:`storage.core.authority.Refusal` of writing ``value`` (or deleting ``rid``) here, or None."""
        if self.is_province:
            return None
        rid = rid or (value or {}).get("id")
        doc = self.doc(collection, rid) if rid else None
        return authority.check(collection, self.code, doc, _stored_data(value) if value else None, deleted,
                               doc["owner"] if doc else (owner or self.code), self._event_owner)

    def _event_owner(self, event_id: str) -> str | None:
        doc = self.doc("events", event_id)
        return doc["owner"] if doc else None

    def record_note(self, action: str, kind: str, rid: str, note: str = "") -> None:
        """An audit entry for an act that changes no record (an export showing full NIKs): journalled and
        audited like a change."""
        with self.transaction(action) as tx:
            tx.note(action, kind, rid, note=note)
            tx.notes_only = True

    def _commit(self, tx: Transaction) -> int:
        if not tx.docs and not getattr(tx, "notes_only", False):
            return 0
        with self._write_lock:
            changed = self._commit_locked(tx)
            count = tx.let_go()
            if tx.fold:
                # Folded once the transaction has let its records go (a quarterly run's 100,000: what is
                # installed is all that is held of them), under the same lock: nothing changes them
                # between (a bulk commit's files are written from the bytes its records came in).
                self.compact()
        # Listeners run outside the lock: one may wait for the app's event loop (call_from_thread),
        # which may itself be waiting for the lock.
        for listener in list(self.listeners):
            for collection, ids in changed.items():
                listener(collection, ids)
        return count

    @_serialised
    def _commit_locked(self, tx: Transaction) -> dict[str, set[str]]:
        taken = tx.line_bytes + (sum(len(line) for line in tx.raw.values()) if tx.raw else 0)
        bulk = tx.raw if taken > BULK_RAW_BYTES else None
        if bulk is None and tx.line_bytes:
            tx.parse_lines()  # (a small commit: journalled and stored as put_doc's documents are)
        ops: dict[str, list[Any]] = {}
        for (collection, _rid), doc in tx.docs.items():
            ops.setdefault(collection, []).append(doc)
        seq = self.seq + 1
        entry = {"seq": seq, "action": tx.action, "ts": now_iso(), "operator": self.operator,
                 "ctr": tx.counter, "hlc": self.hlc.last, "ops": ops, "audit": tx.audit_entries}
        if bulk is not None:
            pieces, size = _bulk_journal_line(entry, bulk)
            append_durable(self.journal_path, pieces)
        elif len(tx.docs) + len(tx.audit_entries) >= PIECED_JOURNAL_RECORDS:
            pieces, size = _pieced_journal_line(entry, {})  # (a quarterly run: never held whole)
            append_durable(self.journal_path, pieces)
        else:
            line = _journal_line(entry)
            size = len(line)
            append_durable(self.journal_path, line)
        # Durable from here on: install in memory, then the audit log (rebuilt from the journal on
        # the next open should this append fail). The line's lists let go: a record staged as its bytes is
        # replaced by the bytes it is held as while it is installed (``_install``).
        entry = ops = line = pieces = None
        self.session_commits += 1
        self.session_records += len(tx.docs)
        try:
            return self._install(tx, seq, size, bulk)
        except PilarError as exc:
            raise self.saved_but(exc) from exc

    def saved_but(self, exc: PilarError) -> PilarError:
        """``exc`` told as it must be once this session's changes are durable (see SavedButError)."""
        return after_commit(exc, self.session_commits, self.session_records)

    def _install(self, tx: Transaction, seq: int, size: int,
                 bulk: dict[tuple[str, str], Any] | None = None) -> dict[str, set[str]]:
        self.seq = seq
        self.counter = tx.counter
        self._journal_bytes += size
        counts: dict[str, int] = {}
        for collection, _rid in tx.docs:
            counts[collection] = counts.get(collection, 0) + 1
        # Many records into a collection (a first bundle): installed in its files, then its values rebuilt
        # in one pass as an open builds them (the indexes when next asked for), not one record at a time.
        for c, n in counts.items():
            if n >= BULK_INSTALL_RECORDS and c in self._incomplete:
                self._load_collection(c)  # (a command's lazy open: most parts read by the look-ups already)
        rebuild = {c for c, n in counts.items()
                   if n >= BULK_INSTALL_RECORDS and 2 * n >= len(self._docs.get(c, ()))}
        tables: dict[str, tuple[dict, dict]] = {}
        # Folded now, from the bytes the records came in (``_compact``): nothing changes them meanwhile
        # (this commit holds the write lock).
        raw: dict[str, dict[str, Any]] = {}
        names: dict[str, list[str]] = {}  # each collection's files by part number (part_name, made once)
        lines_of: dict[str, tuple[str, list[Line]]] = {}  # a part's records staged by their bytes (``_store_lines``)
        # (the collections cut into parts whose records staged by their bytes are stored part by part, after this
        # loop: the bulk of a full bundle, one step each here)
        by_line = {c: [f"{c}.{i:02d}" for i in range(self.parts(c))] for c in rebuild if self.parts(c) > 1}
        crc32 = zlib.crc32
        for key, doc in tx.docs.items():
            collection, rid = key
            if type(doc) is Line and collection in by_line:
                files = by_line[collection]
                part = files[crc32(rid.encode()) % len(files)]
                held = lines_of.get(part)
                if held is None:
                    held = lines_of[part] = (collection, [])
                held[1].append(doc)
                continue
            staged = None
            if type(doc) is bytes:
                # Staged as the bytes of its journal line (``Transaction.put_new``): held as its canonical
                # bytes from now on, in the transaction too (the audit entry reads it), the line's let go.
                doc = orjson.loads(doc)
                staged = tx.docs[key] = _held_bytes(doc)
            files = names.get(collection)
            if files is None:
                n = self.parts(collection)
                files = names[collection] = [f"{collection}.{i:02d}" for i in range(n)] if n > 1 else [collection]
            part = files[crc32(rid.encode()) % len(files)] if len(files) > 1 else files[0]
            if part in self._lazy:
                self._load_part(part)  # (read already by the transaction's own look-up) never written half
            self._dirty.add(part)
            self._psum.pop(part, None)
            line = staged
            if type(doc) is Line:  # (only in a bulk commit: ``_commit_locked``)
                line = doc.line
                doc = doc.doc()
            elif bulk is not None and staged is None:
                line = bulk.get(key)
            if line is not None and bulk is not None and part == collection:  # (a part's payload: from what it holds)
                lines = raw.get(part)
                if lines is None:
                    lines = raw[part] = {}
                lines[rid] = line
            if collection not in rebuild:
                if collection in self._incomplete:
                    self._apply_unbuilt(collection, part, doc, line)
                else:
                    self._apply(collection, doc, line)
                continue
            if part != collection:  # held as bytes (the line's own when it came in one)
                self._store(collection, part, doc, line)
                continue
            found = tables.get(part)
            if found is None:
                found = tables[part] = self._tables(collection, part)
            found[0][rid] = doc
            found[1][rid] = doc
        for part, (collection, held) in lines_of.items():
            if part in self._lazy:
                self._load_part(part)  # (as above)
            self._dirty.add(part)
            self._psum.pop(part, None)
            self._store_lines(collection, part, held)
        for collection in sorted(rebuild):
            self._rebuild(collection)
        if bulk is not None:
            self._fold_raw = raw
            self._fold_docs = tx.docs if self._only is None else None
        self._audit_behind.append((seq, tx.audit_entries, tx.docs))
        self._audit_owed += len(tx.audit_entries)
        if self._audit_owed <= AUDIT_INLINE_ENTRIES:
            self._flush_audit(strict=False)
        changed: dict[str, set[str]] = {}
        for collection, rid in tx.docs:
            changed.setdefault(collection, set()).add(rid)
        tx.fold = self._journal_bytes > JOURNAL_FORCE_BYTES or bulk is not None  # (by ``_commit``)
        return changed

    @property
    def owes_upkeep(self) -> bool:
        """Audit entries to append, a journal big enough to fold, or the Ringkasan's tallies to write (a folder
        an older Pilar folded last): work for the next quiet moment."""
        return not self.read_only and (bool(self._audit_behind) or self._journal_bytes > JOURNAL_COMPACT_BYTES
                                       or self._summary_owed)

    @_serialised
    def upkeep(self) -> None:
        """The work a big action left for later: its audit entries, then compaction once the journal
        has passed JOURNAL_COMPACT_BYTES. Cheap when nothing is owed; raises like ``compact``."""
        if self.read_only:
            return
        try:
            self._flush_audit(strict=True)
            if self._journal_bytes > JOURNAL_COMPACT_BYTES or self._summary_owed:
                self.compact()
        except PilarError as exc:
            raise self.saved_but(exc) from exc
        if not self._audit_indexed:  # each sealed segment's index (a segment sealed before they were written)
            audit.write_missing_indexes(self._audit.path)
            self._audit_indexed = True

    @_serialised
    def _flush_audit(self, strict: bool) -> None:
        """Append the audit entries still owed, in order (a failed append is retried, never skipped)."""
        while self._audit_behind:
            seq, entries, docs = self._audit_behind[0]
            try:
                self._audit.catch_up(seq, audit.Expanded(entries, docs=docs))
            except PilarError:
                if strict:
                    raise
                return
            self._audit_behind.pop(0)
            self._audit_owed -= len(entries)

    @_serialised
    def compact(self) -> None:
        """Fold the journal into the collection files (each written atomically), then empty it."""
        if self.read_only or self._only is not None:
            return  # (a partial open never folds: the parts it did not load are not in memory)
        try:
            self._compact()
        except PilarError as exc:
            raise self.saved_but(exc) from exc

    @property
    def _nik_index_owed(self) -> bool:
        """The persisted member indexes (NIK, active assignments) are missing: the next fold writes them."""
        return ((self._nik_index_seq is None or self._active_index_seq is None) and self.parts("members") > 1
                and bool(self._docs.get("members")) and self._only is None)

    @property
    def _versions_owed(self) -> bool:
        return self._versions_seq is None and self._only is None and not self.read_only

    def _compact(self) -> None:
        given, self._fold_docs = self._fold_docs, None  # (used by this fold only, as ``_fold_raw``)
        # The journal is the only other copy of owed audit entries: they go first.
        self._flush_audit(strict=True)
        if not self._dirty and not self._nik_index_owed and not self._summary_owed and not self._versions_owed:
            return
        members_changed = self._nik_index_owed
        changed_parts = {name for name in self._dirty if collection_of(name) == "members"}
        raw, self._fold_raw = self._fold_raw, None  # (used once: a failed fold writes them serialised later)
        dirty_members = sorted(n for n in self._dirty if collection_of(n) == "members")
        names = sorted(self._dirty)  # only the parts that changed
        # Parts written on another thread while this one makes the derived files (a bulk fold: 32 parts, 290 MB
        # at 300,000 members); waited for before the manifest says they are written. Should a part's write fail,
        # the derived files made meanwhile carry this fold's seq, which the manifest (not written) does not
        # record: the next open takes them for stale and the next fold makes them again, as it writes the parts.
        behind = WriteBehind(FOLD_WRITERS) if sum(1 for name in names if name != collection_of(name)) > 1 else None
        with behind or nullcontext():
            for name in names:
                if name in self._lazy:  # never: a part is read before it changes
                    raise damaged(self.db_dir / f"{name}.json", "stale", found="?", expected=self._lazy[name])
                storage = PilarStorage(self.db_dir / f"{name}.json", name, self.code, create=True)
                docs = self._pdocs.get(name, {})
                if name != collection_of(name):  # a part: its payload from the bytes it is held as
                    if behind is not None:
                        behind.add(partial(self._write_part, storage, docs, self.seq))
                    else:
                        self._write_part(storage, docs, self.seq)
                else:
                    lines = raw.get(name) if raw else None
                    storage.write({name: docs}, seq=self.seq, payload=_payload_of(docs, lines) if lines else None)
                    self._file_seq[name] = self.seq
                members_changed |= collection_of(name) == "members"
            facts: dict[str, tuple[list, set[str]]] = {}  # the member parts' NIKs and active keys, one pass each
            # the parts' tallies, counted as a derived file first parses a part (``_parsed_part``)
            self._fold_tallies = {} if self._only is None else None
            self._fold_given = given
            try:
                if members_changed and self.parts("members") > 1:
                    self._write_nik_index(dirty_members, facts)
                    self._write_active_index(changed_parts, facts)
                if self._only is None:
                    self._write_summary_index(facts)
                    if behind is not None:
                        behind.wait()  # (the versions index records each part's size as written)
                    self._write_versions_index()
            finally:
                self._fold_tallies = None
                self._fold_given = None
        self._audit.sync()
        atomic_write(self.db_dir / "manifest.json", formats.manifest_bytes(self._manifest_data()))
        atomic_write(self.journal_path, b"")
        self._journal_bytes = 0
        self._dirty.clear()

    def _write_part(self, storage: PilarStorage, docs: dict[str, Any], seq: int) -> None:
        """A part written from the bytes its records are held as (by a fold, maybe on its ``WriteBehind``)."""
        storage.write({storage.collection: docs}, seq=seq, payload=_held_payload(docs))
        self._file_seq[storage.collection] = seq

    def _parsed_part(self, name: str, tallies: dict[str, dict] | None) -> dict[str, dict]:
        """A part's documents parsed for a fold's derived files, which take from them at once what else the
        fold needs of the part: its tally (into ``tallies``, this fold's: ``_fold_tallies``) and its summary
        (VERSIONS_INDEX): each part held as bytes is parsed once a fold, not once a derived file."""
        if name in self._lazy:
            self._load_part(name)
        given = self._fold_given
        if given:
            # a bulk commit's records as the import parsed them (their bytes say exactly these documents)
            collection = collection_of(name)
            docs = {}
            for rid, held in tuple(self._pdocs.get(name, {}).items()):
                doc = given.get((collection, rid))
                if type(doc) is dict:
                    docs[rid] = doc
                elif type(doc) is Line and doc.note is not None:  # what the import read of its line
                    docs[rid] = doc.lean_doc()
                else:
                    docs[rid] = _parsed(held)  # (a Line without notes: not held parsed)
        else:
            docs = {rid: _parsed(held) for rid, held in tuple(self._pdocs.get(name, {}).items())}
        if tallies is not None and name not in tallies:
            values = {}
            for rid, d in docs.items():
                versions = d["v"]
                if len(versions) == 1:  # the value's fields are the version's data: what a tally reads (no copy)
                    if not versions[0]["deleted"]:
                        values[rid] = versions[0]["data"]
                else:
                    value = self.value_of(d)
                    if value is not None:
                        values[rid] = value
            tallies[name] = tally.file_tally(collection_of(name), docs, values,
                                             None if self.is_province else self.code)
        if name not in self._psum:
            self._summary_of(name, docs.values())
        return docs

    def _member_facts(self, name: str, facts: dict[str, tuple[list, set[str]]]) -> tuple[list, set[str]]:
        """What the fold's derived files need of one member part, from one pass over its records (kept in
        ``facts`` for the fold): the NIK of each live record as the ``nik`` index keys it (one entry a
        record: a NIK twice in the part is listed twice) and the ``active_keys`` of every standing version."""
        known = facts.get(name)
        if known is not None:
            return known
        if name in self._lazy:
            self._load_part(name)
        noted = self._noted_lines(name)
        if noted is not None:
            facts[name] = self._noted_facts(name, noted)
            return facts[name]
        niks: list = []
        spots: set[tuple] = set()  # (pillar, position, kab, kec) of the active assignments: a few hundred
        add_nik, add = niks.append, spots.add
        for doc in self._parsed_part(name, self._fold_tallies).values():
            versions = doc["v"]
            if len(versions) == 1:  # the common case inlined: the value's fields are the version's data
                v = versions[0]
                if v["deleted"]:
                    continue
                data = v["data"]
                nik = data.get("nik")
                if nik:
                    add_nik(nik)
                for a in data.get("assignments") or ():
                    if a.get("status") == "ACTIVE":
                        add((a.get("pillar"), a.get("position"), a.get("area_kab"), a.get("area_kec")))
                continue
            value = self.value_of(doc)
            nik = _INDEXES["members"]["nik"](value) if value is not None else None
            if nik is not None:
                add_nik(nik)
            for v in versions:
                if not v["deleted"]:
                    for a in v["data"].get("assignments") or ():
                        if a.get("status") == "ACTIVE":
                            add((a.get("pillar"), a.get("position"), a.get("area_kab"), a.get("area_kec")))
        facts[name] = (niks, _spot_keys(spots))
        return facts[name]

    def _noted_lines(self, name: str) -> list[Line] | None:
        """The records of a member part as this fold's bulk commit staged them with notes (storage/sync/lean.py:
        a full bundle's new members), when every record of the part was; else None (the part is parsed)."""
        given = self._fold_given
        if not given or collection_of(name) != "members":
            return None
        out = []
        for rid in self._pdocs.get(name, ()):
            held = given.get(("members", rid))
            if type(held) is not Line or held.note is None:
                return None
            out.append(held)
        return out

    def _noted_facts(self, name: str, lines: list[Line]) -> tuple[list, set[str]]:
        """``_member_facts`` of a part whose every record has notes (``_noted_lines``): the NIKs and active keys,
        and the part's tally and summary as ``_parsed_part`` takes them, from the notes (nothing parsed)."""
        niks: list = []
        add_nik = niks.append
        values: list[dict] = []
        add_value = values.append
        listed: dict[tuple, list[dict]] = {}  # each set of assignments as the tally reads it, made once
        hlc = 0
        vv: dict[str, int] = {}
        replicas: dict[str, str] = {}
        for held in lines:
            note = held.note
            if held.hlcs[0] > hlc:
                hlc = held.hlcs[0]
            ((r, office),) = held.replicas
            if r not in replicas:
                replicas[r] = office
            for q, n in note.vv or ((r, note.counter),):
                if n > vv.get(q, 0):
                    vv[q] = n
            if not held.live:
                continue
            if note.nik:
                add_nik(note.nik)
            assigns = listed.get(note.assignments)
            if assigns is None:
                assigns = listed[note.assignments] = _noted_assignments(note.assignments)
            add_value({"assignments": assigns, "kab": note.kab})
        keys = set().union(*(active_keys({"assignments": assigns}) for assigns in listed.values()))
        tallies = self._fold_tallies
        if tallies is not None and name not in tallies:
            office = None if self.is_province else self.code
            tallies[name] = tally.file_tally_of_values("members", values, office)
        if name not in self._psum:
            self._keep_summary(name, hlc, vv, replicas)
        return niks, keys

    def _write_nik_index(self, changed: list[str] | None = None,
                         facts: dict[str, tuple[list, set[str]]] | None = None) -> None:
        n = self.parts("members")
        facts = {} if facts is None else facts
        out: dict[str, Any] = {}
        held = self._read_nik_index() if changed is not None else None
        if held is not None:
            # The index as of the last fold, the parts changed since taken out of it and put back from their
            # records in memory (issue 25: members not all read, or held as bytes: the others not parsed).
            gone = {int(name.rpartition(".")[2]) for name in changed}
            for nik, at in held.items():
                keep = [p for p in (at if isinstance(at, list) else [at]) if p not in gone]
                if keep:
                    out[nik] = keep
            for name in changed:
                p = int(name.rpartition(".")[2])
                for nik in self._member_facts(name, facts)[0]:
                    at = out.setdefault(nik, [])
                    if p not in at:
                        at.append(p)
            out = {nik: (at[0] if len(at) == 1 else sorted(at)) for nik, at in out.items()}
        else:
            # Every part in turn (in C but for the NIKs found in two parts or more): each NIK with its part,
            # or its parts in order.
            if "members" in self._incomplete:
                self._load_collection("members")
            more: dict[str, list[int]] = {}
            for p in range(n):
                found = dict.fromkeys(self._member_facts(f"members.{p:02d}", facts)[0], p)
                for nik in found.keys() & out.keys():
                    at = more.get(nik)
                    if at is None:
                        at = more[nik] = [out[nik]]
                    at.append(p)
                    del found[nik]
                out.update(found)
            out.update(more)
        payload = orjson.dumps(out)
        head = orjson.dumps({"seq": self.seq, "parts": n, "count": len(out),
                             "sha256": hashlib.sha256(payload).hexdigest()})
        atomic_write(self.db_dir / NIK_INDEX, head + b"\n" + payload + b"\n")
        self._nik_index_seq = self.seq

    def adopt_tallies(self, counted: dict) -> bool:
        """The Ringkasan's tallies of the files as they were on disk, counted from them before this open
        (``storage.summary.count``: the folder kept none), kept for the fold that writes ``db/summary.idx``,
        which then recounts only the files changed since. Taken only when this open read the same files (the
        seq each had then) and has no tallies it can use (none recorded, or their file missing, stale or
        damaged); else the fold counts every file, as without them."""
        if self.read_only or self._summary_files is not None or tally.read(
                self.db_dir, self._summary_index_seq, formats.FOLDER.current, self.code) is not None:
            return False
        seqs = counted.get("seqs") or {}
        if counted.get("seq") != self.manifest.get("seq") or any(self._file_seq.get(n) != s for n, s in seqs.items()):
            return False
        self._summary_files = {"files": {n: f for n, f in counted["files"].items() if n in seqs},
                               "dups": dict(counted["dups"])}
        self._summary_index_seq = None  # what the manifest recorded is of no use: written at the next fold
        return True

    @property
    def _summary_owed(self) -> bool:
        """No tallies recorded (an older Pilar folded last), or their file gone: the next close writes them."""
        if self._only is not None or self.read_only:
            return False
        return self._summary_index_seq is None or (self._summary_files is None and not (self.db_dir / tally.FILE).exists())

    def _write_summary_index(self, facts: dict[str, tuple[list, set[str]]] | None = None) -> None:
        """The Ringkasan's figures file by file (storage/core/tally.py), recounted for the files this fold
        rewrites (every file when the kept tallies are missing or stale), then written with this seq."""
        schema = formats.FOLDER.current
        kept = self._summary_files
        if kept is None:
            kept = tally.read(self.db_dir, self._summary_index_seq, schema, self.code)
        office = None if self.is_province else self.code
        # Every file when none is kept (a full count: this needs the whole folder loaded), else the files
        # changed since and any the kept tallies lack; the others' tallies (the parts not read too) stand.
        names = set(self._pdocs) | set(self._lazy)
        files = {} if kept is None else dict(kept["files"])
        redo = names if kept is None else (self._dirty & names) | (names - set(files))
        for name in sorted(redo):
            collection = collection_of(name)
            if name in self._lazy:
                self._load_part(name)  # a part without a kept tally
            if name != collection:  # a part, held as bytes: counted as it is parsed once this fold
                tallies = self._fold_tallies if self._fold_tallies is not None else {}
                if name not in tallies:
                    self._parsed_part(name, tallies)
                files[name] = tallies[name]
                continue
            files[name] = tally.file_tally(collection, self._pdocs[name], self._vals.get(collection, {}), office)
        if kept is None or any(collection_of(n) == "members" for n in self._dirty):
            built = self._idx.get("members", {}).get("nik")
            n = self.parts("members")
            if built is None and n > 1 and facts is not None and "members" not in self._incomplete \
                    and all(f"members.{p:02d}" in facts for p in range(n)):  # (else parsed once for the index)
                # The NIKs the fold's pass over the member parts found (the index is not built: a bulk
                # import's values were rebuilt whole): counted in C, not one set of ids a NIK.
                counts: Counter = Counter()
                for p in range(n):
                    counts.update(self._member_facts(f"members.{p:02d}", facts)[0])
                dup = {nik: k for nik, k in counts.items() if k > 1}
            else:
                dup = tally.dups(self.index("members", "nik"))
        else:
            dup = kept["dups"]
        self._summary_index_seq = None  # until written: a failed write leaves the manifest without it
        self._summary_files = None
        atomic_write(self.db_dir / tally.FILE, tally.encode(self.seq, schema, self.code, files, dup))
        self._summary_files = {"files": files, "dups": dup}
        self._summary_index_seq = self.seq

    def _write_active_index(self, changed: set[str], facts: dict[str, tuple[list, set[str]]] | None = None) -> None:
        """Write ``ACTIVE_INDEX``: from the index the last fold wrote with the entries of the ``changed``
        parts replaced, or from every member when that index is not at hand (missing, stale, damaged)."""
        n = self.parts("members")
        old = found = None
        if self._active_index_seq is not None:
            found = _index_bytes(self.db_dir, ACTIVE_INDEX, self._active_index_seq, n)
            if found is not None:
                old = orjson.loads(memoryview(found[0])[found[1] + 1:])
        if not isinstance(old, dict):
            self._load_collection("members")  # (a command's open: every part read to count them all)
            old, changed = {}, {f"members.{i:02d}" for i in range(n)}
        drop = {int(name.rpartition(".")[2]) for name in changed}
        keyed: dict[str, set[int]] = {k: {p for p in v if p not in drop} for k, v in old.items()}
        facts = {} if facts is None else facts
        for name in changed:
            i = int(name.rpartition(".")[2])
            for key in self._member_facts(name, facts)[1]:
                keyed.setdefault(key, set()).add(i)
        payload = orjson.dumps({k: sorted(v) for k, v in sorted(keyed.items()) if v})
        if found is not None and memoryview(found[0])[found[1] + 1:len(found[0]) - 1] == payload:
            return  # the same keys in the same parts: the file and its sequence stand (a backup links it)
        head = orjson.dumps({"seq": self.seq, "parts": n, "count": sum(1 for v in keyed.values() if v),
                             "sha256": hashlib.sha256(payload).hexdigest()})
        atomic_write(self.db_dir / ACTIVE_INDEX, head + b"\n" + payload + b"\n")
        self._active_index_seq = self.seq

    def _read_nik_index(self) -> dict[str, Any] | None:
        """The persisted NIK index (NIK_INDEX) when it is the one the manifest records; else None."""
        if self._nik_index_seq is None:
            return None
        try:
            raw = (self.db_dir / NIK_INDEX).read_bytes()
            newline = raw.find(b"\n")
            head = orjson.loads(raw[:newline])
            payload = memoryview(raw)[newline + 1:_rstrip_end(raw, len(raw))]
            if head.get("seq") != self._nik_index_seq or head.get("parts") != self.parts("members") \
                    or hashlib.sha256(payload).hexdigest() != head.get("sha256"):
                return None
            held = orjson.loads(payload)
        except (OSError, ValueError, TypeError, AttributeError):
            return None
        return held if isinstance(held, dict) else None

    @classmethod
    def open_member_by_nik(cls, path: str | Path, nik: str, operator: str | None = None,
                           read_only: bool = True) -> Database | None:
        """The folder opened with only the part(s) of the members that hold ``nik`` (found in the
        persisted NIK index and the journal), every collection not cut into parts, and no other part:
        what ``pilar roster show NIK`` needs (issue 25); ``load_parts`` adds more. None when the index
        cannot say (missing, stale, damaged, the NIK not in it): the caller opens the folder whole.

        Writable (``pilar roster edit NIK``): locked like a whole open; a commit goes to the journal as
        ever, but such an open never folds (the parts not loaded are not in memory): the next whole open
        does, so it is refused (None) once the journal has passed CLOSE_FOLD_BYTES, a folder that needs
        updating or a migration not finished too."""
        path = Path(path).expanduser().resolve()
        if not cls.exists(path) or (path / "restore.json").exists() or (path / formats.MARKER).exists():
            return None
        if not read_only and (formats.read_office_raw(path) or {}).get("format", 1) != OFFICE_FORMAT:
            return None  # an office file to bring up to date: the whole open does it (backup, audit)
        office = read_office(path)
        db = cls(path, office, operator, read_only=read_only)
        if not read_only:
            db._acquire_lock()
        try:
            parts = nik_parts(path, nik)  # (read under the lock when writing)
            if not parts or formats.prepare_folder(path, True, None, FolderFiles) is not None or (
                    not read_only and db.journal_path.exists() and db.journal_path.stat().st_size > CLOSE_FOLD_BYTES):
                db._release_lock()
                return None
            db._only = parts
            with gc_paused(freeze=True):
                db._load()
                if not read_only:
                    db._after_open()
            if not read_only and db.office.get("pilar") != formats.PILAR_VERSION:
                write_office(path, db.office)
        except BaseException:
            db._release_lock()
            raise
        return db

    @classmethod
    def open_parts(cls, path: str | Path, parts: set[str]) -> Database | None:
        """The folder opened read-only with only ``parts`` of the collections cut into parts (none: an
        empty set) and every collection not cut; None when it is not a folder of this format."""
        path = Path(path).expanduser().resolve()
        if not cls.exists(path) or (path / "restore.json").exists():
            return None
        office = read_office(path)
        db = cls(path, office, None, read_only=True)
        db._only = set(parts)
        if formats.prepare_folder(path, True, None, FolderFiles) is not None:
            return None
        with gc_paused():
            db._load()
        return db

    def _load_rest(self) -> None:
        """A partial open made whole: every part not loaded yet."""
        if self._only is None:
            return
        names = {p.stem for p in self.db_dir.glob("*.json") if p.name != "manifest.json"} | set(self.manifest.get("files", {}))
        self.load_parts({n for n in names if n != collection_of(n)})
        self._only = None

    @_serialised
    def load_parts(self, names: set[str]) -> None:
        """A partial open (``open_member_by_nik``): load these parts too, with their journal lines."""
        if self._only is None:
            return
        new = {n for n in names if n not in self._only}
        if not new:
            return
        files = self.manifest.get("files", {})
        with gc_paused(freeze=True):
            for name in sorted(new):
                path = self.db_dir / f"{name}.json"
                self._check_part_name(path, name)
                if name not in files and not path.exists():
                    continue  # a part that never held a record
                storage = PilarStorage(path, name, self.code)
                docs = self._read_records(storage, name)
                recorded = files.get(name, {}).get("seq", 0)
                if storage.meta.get("seq", 0) < recorded:
                    raise damaged(storage.path, "stale", found=storage.meta.get("seq", 0), expected=recorded)
                self._add_file(storage.path, name, docs)
                self._file_seq[name] = storage.meta.get("seq", 0)
            self._only |= new
            entries, _good = read_journal(self.journal_path, strict=True)
            for entry in entries:
                for collection, docs in entry["ops"].items():
                    for doc in docs:
                        part = self.part_of(collection, doc["id"])
                        if part in new and entry["seq"] > self._file_seq.get(part, 0):
                            self._store(collection, part, doc)
                            self._dirty.add(part)
                            self._psum.pop(part, None)
            for collection in sorted({collection_of(n) for n in new}):
                self._rebuild(collection)

    @property
    def partial(self) -> bool:
        """Opened with only some parts (``open_member_by_nik``): counts and searches see only those."""
        return self._only is not None

    @_serialised
    def close(self, fold: bool = True) -> None:
        """Release the folder, folding the journal into the collection files first. ``fold=False`` (a
        command line command) leaves a journal under CLOSE_FOLD_BYTES for the next open to replay, as
        after a crash: one member changed no longer rewrites the collection files it touched, and the
        next backup links the unchanged files instead of copying them (issue 25)."""
        try:
            if not self.read_only and self._lock is not None:
                if self._only is not None and self._journal_bytes > CLOSE_FOLD_BYTES:
                    self._load_rest()  # a partial open folds too once the journal has grown past the bound
                if (fold or self._journal_bytes > CLOSE_FOLD_BYTES or self._nik_index_owed
                        or self._summary_owed or self._versions_owed) and self._only is None:
                    self.compact()
                else:
                    try:
                        self._flush_audit(strict=True)
                        self._audit.sync()
                    except PilarError as exc:
                        raise self.saved_but(exc) from exc
        finally:
            self._release_lock()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transaction:
    """Changes staged for one user action; committed on leaving the ``with`` block without error."""

    def __init__(self, db: Database, action: str, system: bool = False) -> None:
        self.db = db
        self.action = action
        self.checked = not system and not db.is_province
        self.docs: dict[tuple[str, str], dict] = {}
        # The bytes a record of ``docs`` came in (put_doc's ``raw``): its files are written from them.
        self.raw: dict[tuple[str, str], Any] = {}
        self.line_bytes = 0  # the bytes of the records staged as ``Line`` (``put_line``)
        self.audit_entries: list[dict] = []
        # Creations whose audit entry still points at the staged document (see ``put``).
        self._created_at: dict[tuple[str, str], int] = {}
        self.counter = db.counter
        self.committed = 0
        self.fold = False  # the commit folds the journal at once (a big or bulk one: ``_install``)

    def __enter__(self) -> Transaction:
        self._gc = gc_paused()
        self._gc.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.committed = self.db._commit(self)
        finally:
            if self.committed > 1000:
                gc.freeze()
            self._gc.__exit__(None, None, None)

    def let_go(self) -> int:
        """Once committed: the staged records let go (the database holds what it installed), their number."""
        count = len(self.docs)
        self.docs = {}
        self.raw = {}
        self.line_bytes = 0
        self.audit_entries = []  # (the database holds them until they are appended to the audit log)
        self._created_at = {}
        return count

    def _current(self, collection: str, rid: str) -> dict | None:
        only = self.db._only
        part = self.db.part_of(collection, rid) if only is not None else collection
        if part != collection and part not in only:
            # a partial open knows nothing of that part: writing there would lose the record's versions
            raise ValueError(f"{collection} {rid}: its part is not loaded")
        return staged_doc(self.docs.get((collection, rid))) or self.db.doc(collection, rid)

    def _settle(self, collection: str, rid: str) -> None:
        """Before a record created in this transaction changes again: its creation entry gets its
        fields now (the staged document is about to be replaced)."""
        at = self._created_at.pop((collection, rid), None)
        if at is not None:
            entry = dict(self.audit_entries[at])
            del entry["of"]
            entry["changes"] = audit.diff(None, _parsed(self.docs[(collection, rid)])["v"][0]["data"])
            self.audit_entries[at] = entry

    def get(self, collection: str, rid: str) -> dict | None:
        """The value as this transaction sees it (its own staged writes included)."""
        doc = self._current(collection, rid)
        return copy.deepcopy(self.db.value_of(doc)) if doc else None

    def _new_version(self, doc: dict | None, data: dict, deleted: bool) -> dict:
        self.counter += 1
        replica = self.db.replica_id
        seen = doc_vv(doc) if doc else {}
        seen[replica] = self.counter
        return {"dot": [replica, self.counter], "vv": seen, "hlc": self.db.hlc.tick(),
                "office": self.db.code, "operator": self.db.operator, "deleted": deleted, "data": data}

    def put(self, collection: str, value: dict, owner: str | None = None, audit_action: str | None = None,
            given: bool = False) -> str:
        """Save a record's value; a new version only when its content changed. Returns the id.

        ``given``: ``value`` is a dict the caller hands over and no longer uses as a value: its id, owner
        and display-only fields are taken out of it and it becomes the version's data as it is, not
        copied (a quarterly run's 100,000 new items: 45 MB at 100,000 members)."""
        rid = value.get("id") or str(uuid.uuid4())
        data = _stored_data(value, given)
        key = (collection, rid)
        if key in self._created_at:
            self._settle(collection, rid)
        doc = self._current(collection, rid)
        old_data = None
        if doc is not None:
            marker = erasure_of(doc)
            if marker is not None and not data.get("erased"):
                # Written after an erasure: the personal fields stay gone (storage/core/erasure.py); an
                # erased member is never brought back under its id.
                if collection == "members":
                    raise PilarError("privacy.erased_member", on=marker.get("on", "?"))
                data = erasure.redact(collection, data, marker)
            top = winner(doc)
            old_data = None if top["deleted"] else top["data"]
            if not in_conflict(doc) and not top["deleted"] and top["data"] == data:
                return rid
        if self.checked:
            self._authorise(collection, doc, data, False, doc["owner"] if doc else (owner or self.db.code))
        version = self._new_version(doc, data, deleted=False)
        new_doc = {"id": rid, "kind": kind_of(collection),
                   "owner": doc["owner"] if doc else (owner or self.db.code), "v": [version]}
        self._unline(key)
        self.docs[key] = new_doc
        if self.raw:
            self.raw.pop(key, None)
        if old_data is None:
            # A creation's entry lists every field of the new record: written out when the entry is
            # appended to the log (``audit_lines``), the journal keeps it as a pointer to the document
            # it already holds (a quarterly run: 50,000 of them, half the journal and its time).
            self._created_at[key] = len(self.audit_entries)
            self.audit_entries.append(audit.entry(
                audit_action or self.action, kind_of(collection), rid, None, None, self.db.operator,
                self.db.code, changes=None, of=collection))
        else:
            self.audit_entries.append(audit.entry(
                audit_action or self.action, kind_of(collection), rid, old_data, data, self.db.operator,
                self.db.code))
        return rid

    def put_new(self, collection: str, value: dict, owner: str | None = None) -> str:
        """``put(collection, value, owner, given=True)`` of a record created here, staged as the bytes of its
        document (as its journal line holds it) and not as objects: a quarterly run's 300,000 new items
        were held as about 2 KB of dicts each until installed, and their bytes made beside them (issue 25).
        ``value`` is handed over as with ``given`` and may be let go once staged. A record this folder or
        transaction already holds (a tombstone under its id) is put as ``put`` does."""
        rid = value.get("id") or str(uuid.uuid4())
        key = (collection, rid)
        if key in self.docs or self._current(collection, rid) is not None:
            return self.put(collection, value, owner=owner, given=True)
        data = _stored_data(value, given=True)
        owner = owner or self.db.code
        if self.checked:
            self._authorise(collection, None, data, False, owner)
        doc = {"id": rid, "kind": kind_of(collection), "owner": owner, "v": [self._new_version(None, data, False)]}
        self.docs[key] = bytes(memoryview(orjson.dumps(doc)))  # (of its own size: see ``_held_bytes``)
        if self.raw:
            self.raw.pop(key, None)
        self._created_at[key] = len(self.audit_entries)
        self.audit_entries.append(audit.entry(self.action, kind_of(collection), rid, None, None, self.db.operator,
                                              self.db.code, changes=None, of=collection))
        return rid

    def delete(self, collection: str, rid: str, reason: str = "") -> bool:
        """Replace a record by a tombstone (kept for sync); False when it is unknown or already deleted."""
        if (collection, rid) in self._created_at:
            self._settle(collection, rid)
        doc = self._current(collection, rid)
        if doc is None or (winner(doc)["deleted"] and not in_conflict(doc)):
            return False
        if self.checked:
            self._authorise(collection, doc, None, True, doc["owner"])
        old = winner(doc)["data"]
        version = self._new_version(doc, {}, deleted=True)
        self._unline((collection, rid))
        self.docs[(collection, rid)] = {"id": rid, "kind": doc["kind"], "owner": doc["owner"], "v": [version]}
        if self.raw:
            self.raw.pop((collection, rid), None)
        self.audit_entries.append(audit.entry(
            "delete", doc["kind"], rid, old, None, self.db.operator, self.db.code, note=reason))
        return True

    def _authorise(self, collection: str, doc: dict | None, data: dict | None, deleted: bool, owner: str) -> None:
        def event_owner(event_id: str) -> str | None:
            held = self._current("events", event_id)
            return held["owner"] if held else None

        refusal = authority.check(collection, self.db.code, doc, data, deleted, owner, event_owner)
        if refusal is not None:
            raise refusal.error()

    def put_doc(self, collection: str, doc: dict, raw: Any = None) -> bool:
        """Install a merged raw document (sync import); False when it equals what is stored. ``raw``: the
        bytes of one JSON object that parses to exactly ``doc`` (a bundle's line for a record taken as it
        came; never changed afterwards): the journal and the collection file are written from them."""
        key = (collection, doc["id"])
        current = staged_doc(self.docs.get(key)) or self.db.doc(collection, doc["id"])
        if current is not None and current == doc:
            return False
        if self._created_at and key in self._created_at:
            self._settle(collection, doc["id"])
        observe = self.db.hlc.observe
        for v in doc["v"]:
            observe(v["hlc"])
        self._unline(key)
        self.docs[key] = doc
        if raw is not None:
            self.raw[key] = raw
        elif self.raw:
            self.raw.pop(key, None)
        return True

    def put_line(self, collection: str, held: Line, new: bool = False) -> bool:
        """``put_doc`` of a record by its bytes (``Line``: one JSON object that parses to exactly the document,
        never changed afterwards; made while the caller had the document parsed): the transaction holds the
        bytes and what installing them notes, not the document. A commit whose lines pass BULK_RAW_BYTES
        writes its journal line and files from them (a full bundle's import); a smaller one parses them and
        commits the documents, as ``put_doc`` would. False when the record equals what is stored. ``new``: the
        caller knows that neither the folder nor this transaction holds the record (a bundle's new member,
        ``storage.sync.engine``): not looked up."""
        key = (collection, held.id)
        if new:
            observe = self.db.hlc.observe
            for hlc in held.hlcs:
                observe(hlc)
            self.docs[key] = held
            self.line_bytes += len(held.line)
            return True
        current = staged_doc(self.docs.get(key)) or self.db.doc(collection, held.id)
        if current is not None and current == held.doc():
            return False
        if self._created_at and key in self._created_at:
            self._settle(collection, held.id)
        observe = self.db.hlc.observe
        for hlc in held.hlcs:
            observe(hlc)
        self._unline(key)
        self.docs[key] = held
        self.line_bytes += len(held.line)
        if self.raw:
            self.raw.pop(key, None)
        return True

    def _unline(self, key: tuple[str, str]) -> None:
        """A record staged by its bytes is about to be replaced: its bytes no longer count."""
        if self.line_bytes:
            old = self.docs.get(key)
            if type(old) is Line:
                self.line_bytes -= len(old.line)

    def parse_lines(self) -> None:
        """The records staged by their bytes as documents (a commit too small to write from them)."""
        for key, doc in self.docs.items():
            if type(doc) is Line:
                self.docs[key] = doc.doc()
        self.line_bytes = 0

    def note(self, action: str, kind: str, rid: str, note: str = "", changes: dict | None = None) -> None:
        """Add an audit entry that is not a field change (an import summary, an approval)."""
        self.audit_entries.append(audit.entry(action, kind, rid, None, None, self.db.operator, self.db.code,
                                              note=note, changes=changes))


def _stored_data(value: dict, given: bool = False) -> dict:
    """The fields of a value as a version stores them: id and owner live on the document, display-only
    fields (_conflict, …) are never stored. ``given``: taken out of ``value`` itself (see ``put``)."""
    data = value if given else dict(value)  # (a copy sized at once: a comprehension regrows the dict)
    data.pop("id", None)
    data.pop("owner", None)
    for key in [k for k in data if k[:1] == "_"]:
        del data[key]
    return data


def _current_manifest(db_dir: Path) -> dict | None:
    """The manifest when the persisted member indexes may be read beside it (current format, intact,
    the members cut into parts); else None."""
    manifest = orjson.loads((db_dir / "manifest.json").read_bytes())
    if not isinstance(manifest, dict) or manifest.get("schema") != formats.FOLDER.current \
            or formats.manifest_altered(manifest):
        return None
    n = (manifest.get("parts") or {}).get("members")
    return manifest if type(n) is int and n > 1 else None


def _index_bytes(db_dir: Path, file: str, recorded: object, parts: int,
                 remember: bool = False) -> tuple[bytes, int] | None:
    """A persisted index file (``NIK_INDEX``, ``ACTIVE_INDEX``) and the end of its header line, when it
    is the one the manifest records (``recorded``: its sequence), for ``parts`` parts, and intact."""
    if type(recorded) is not int:
        return None
    path = db_dir / file
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            stamp = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, recorded, parts)
            known = _checked_index.get(file) if remember else None
            if known is not None and known[0] == stamp:
                return known[1]  # read and checked a moment ago (a command asks twice), not replaced since
            raw = fh.read()
        newline = raw.find(b"\n")
        head = orjson.loads(raw[:newline])
        if not isinstance(head, dict) or head.get("seq") != recorded or head.get("parts") != parts \
                or hashlib.sha256(memoryview(raw)[newline + 1:len(raw) - 1]).hexdigest() != head.get("sha256"):
            return None
    except (OSError, ValueError):
        return None
    if remember:
        _checked_index[file] = (stamp, (raw, newline))
    return raw, newline


# The last index file of each name ``member_parts`` checked (a one-member command asks twice: for the
# member, then for what validation reads), by its path, inode, size and mtime: such a file is only ever
# replaced whole (atomic_write: a new inode), so the same stamp is the same bytes.
_checked_index: dict[str, tuple[tuple, tuple[bytes, int]]] = {}


def _nik_found(raw: bytes, newline: int, nik: str) -> set[int]:
    """The part numbers the NIK index gives for ``nik`` (a byte search: the index is not parsed)."""
    key = b'"' + nik.encode() + b'":'
    at = raw.find(key, newline)
    if at == -1:
        return set()
    start = at + len(key)
    end = raw.find(b"]", start) + 1 if raw[start:start + 1] == b"[" else \
        min(i for i in (raw.find(b",", start), raw.find(b"}", start)) if i != -1)
    value = orjson.loads(raw[start:end])
    return set(value if isinstance(value, list) else [value])


ActiveQuery = tuple[str, "str | None", str, str]  # (pillar, position or None: any, "kab"|"kec", code)


def member_parts(path: Path, niks: list[str] | set[str], queries: list[ActiveQuery]) -> set[str] | None:
    """The parts of the members that may hold a member with one of ``niks`` or an active assignment
    answering one of ``queries`` (as ``RosterView.active_assignments`` is asked), by the persisted
    indexes and the journal's lines since; None when an index cannot be used (see ``NIK_INDEX``,
    ``ACTIVE_INDEX``). A part named needlessly costs time; a part left out would be a wrong answer,
    so every version of a record counts."""
    db_dir = Path(path) / "db"
    niks = {nik for nik in niks if nik.isdigit()}
    found: set[int] = set()
    try:
        manifest = _current_manifest(db_dir)
        if manifest is None:
            return None
        n = manifest["parts"]["members"]
        recorded = manifest.get("indexes") or {}
        if niks:
            index = _index_bytes(db_dir, NIK_INDEX, recorded.get("members.nik"), n, remember=True)
            if index is None:
                return None
            for nik in niks:
                found |= _nik_found(*index, nik)
        if queries:
            index = _index_bytes(db_dir, ACTIVE_INDEX, recorded.get("members.active"), n, remember=True)
            if index is None:
                return None
            for key, parts in orjson.loads(memoryview(index[0])[index[1] + 1:]).items():
                if any(active_key_matches(key, *q) for q in queries):
                    found.update(parts)
        entries, _good = read_journal(db_dir / "journal.jsonl", strict=True)
    except (OSError, ValueError, TypeError, AttributeError, KeyError, PilarError):
        return None
    for entry in entries:  # changes since the indexes were written
        for doc in entry.get("ops", {}).get("members", ()):
            for v in doc.get("v", ()):
                data = v.get("data") or {}
                if data.get("nik") in niks or (queries and any(
                        active_key_matches(key, *q) for key in active_keys(data) for q in queries)):
                    found.add(zlib.crc32(doc["id"].encode()) % n)
    return {f"members.{i:02d}" for i in found if 0 <= i < n}


def nik_parts(path: Path, nik: str) -> set[str] | None:
    """The parts of the members that hold ``nik`` by the persisted index and the journal; None when the
    index cannot be used (see ``NIK_INDEX``) or does not find it."""
    return member_parts(path, [nik], []) or None if nik.isdigit() else None


# ---------------------------------------------------------------------- migrations' file helpers

class FolderFiles(formats.FolderContext):
    """What a folder migration step works on (storage/core/formats.py), with this module's file formats."""

    def rewrite_collections(self, to: int, change: Callable[[str, dict], dict] | None = None) -> int:
        office = (formats.read_office_raw(self.path) or {}).get("code")
        done = 0
        for file in self.collection_files():
            storage = PilarStorage(file, file.stem, office)
            data = storage.read() or {}
            if storage.meta.get("schema") == to:
                continue
            docs = data.get(file.stem, {})
            if change is not None:
                docs = change(file.stem, docs)
            storage.write({file.stem: docs}, seq=storage.meta.get("seq", 0), schema=to)
            done += 1
        return done

    def split_collections(self, to: int) -> int:
        office = (formats.read_office_raw(self.path) or {}).get("code")
        manifest_path = self.db_dir / "manifest.json"
        manifest = orjson.loads(manifest_path.read_bytes())
        files = manifest.setdefault("files", {})
        parts = manifest.setdefault("parts", {})
        done = 0
        for file in self.collection_files():
            name = file.stem
            if "." in name:
                continue  # a part already (written before a kill)
            storage = PilarStorage(file, name, office)
            docs = (storage.read() or {}).get(name, {})
            seq = storage.meta.get("seq", 0)
            n = parts.get(name) or default_parts(name)
            if n <= 1:
                if storage.meta.get("schema") != to:
                    storage.write({name: docs}, seq=seq, schema=to)
                    done += 1
                continue
            cut: dict[str, dict[str, dict]] = {}
            for rid, doc in docs.items():
                cut.setdefault(part_name(name, rid, n), {})[rid] = doc
            for part, held in sorted(cut.items()):
                PilarStorage(self.db_dir / f"{part}.json", part, office, create=True).write(
                    {part: held}, seq=seq, schema=to)
                files[part] = {"seq": seq}
            files.pop(name, None)
            parts[name] = n
            # the manifest names the parts before the single file goes: a kill in between leaves both,
            # and the next run cuts the single file again (same parts, same contents)
            atomic_write(manifest_path, formats.manifest_bytes(manifest))
            try:
                file.unlink()
            except OSError as exc:
                raise os_error(exc, file) from exc
            done += 1
        fsync_dir(self.db_dir)
        return done

    def rewrite_journal(self, change: Callable[[dict], dict]) -> None:
        journal = self.db_dir / "journal.jsonl"
        entries, _good = read_journal(journal, strict=True)
        if entries:
            atomic_write(journal, b"".join(_journal_line(change(e)) for e in entries))


# ---------------------------------------------------------------------- office.json and lock.json

def read_office(path: Path) -> dict:
    file = Path(path) / "office.json"
    try:
        office = orjson.loads(file.read_bytes())
    except orjson.JSONDecodeError:
        raise damaged(file, "parse") from None
    except OSError as exc:
        raise os_error(exc, file) from exc
    if not isinstance(office, dict) or "code" not in office or "replica_id" not in office:
        raise damaged(file, "parse")
    found = office.get("format", 1)  # the first release wrote 1 (a hand-made file may say nothing)
    if formats.check_version(formats.OFFICE, found, office, file) is None:
        raise damaged(file, "schema", found=found, expected=OFFICE_FORMAT)
    return formats.OFFICE.upgrade(office, found)


def write_office(path: Path, office: dict) -> None:
    """Write office.json in the current format, saying which Pilar wrote it."""
    office["format"] = OFFICE_FORMAT
    office["pilar"] = formats.PILAR_VERSION
    atomic_write(Path(path) / "office.json", orjson.dumps(office, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))


def take_lock(path: Path) -> FileLock:
    """The data folder's lock, taken at once (the caller releases it), or LockedError saying who holds it
    (``locked_error``); a folder whose lock file cannot be made: the OS error said as a PilarError."""
    lock = FileLock(str(path / ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise locked_error(path) from None
    except OSError as exc:
        raise os_error(exc, path / ".lock") from exc
    return lock


def locked_error(path: Path) -> LockedError:
    """The sentence for a data folder another Pilar holds: who, which process on which computer, since
    when (from the lock's info file)."""
    holder = read_lock_info(path, wait=True)
    return LockedError("db.locked", path=str(path), operator=holder.get("operator") or "?",
                       pid=holder.get("pid", "?"), host=holder.get("host", "?"),
                       since=_clock_time(holder.get("since")))


def _clock_time(stamp: object) -> str:
    """An ISO time as the clerk reads it on this PC's clock ("07-12-2026 21:52"); "?" when unreadable."""
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        return "?"
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%d-%m-%Y %H:%M")


def read_lock_info(path: Path, wait: bool = False) -> dict:
    """Who holds the folder (lock.json). ``wait``: the holder may have taken the lock a moment ago and
    not written lock.json yet, so look again for up to half a second before saying "?"."""
    for attempt in range(11 if wait else 1):
        try:
            info = orjson.loads((Path(path) / "lock.json").read_bytes())
            if info:
                return info
        except (OSError, orjson.JSONDecodeError):
            pass
        if attempt < 10 and wait:
            time.sleep(0.05)
    return {}


MAX_REPLICAS = 1000  # replica ids named in a bundle's manifest (an office moves or restores a few times a year)


def private_folders(path: Path) -> None:
    """The data folder, ``db/`` and ``audit/`` readable by this user only (0700, as docs/reliability.md
    says): they hold NIKs and bank accounts. Where the system has no such modes (Windows) nothing
    changes; a folder this user does not own is left as it is."""
    for folder in (path, path / "db", path / "audit"):
        try:
            if folder.is_dir() and folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
        except OSError:
            pass


def replica_history(office: dict) -> list[dict]:
    """The replica ids of an office file, oldest first, the current one last.

    An office file written before the history was kept (Pilar before issue 19) has only
    ``replica_id``: its history is that one id."""
    current = office["replica_id"]
    listed = office.get("replicas")
    out = [dict(e) for e in listed if isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"] != current] \
        if isinstance(listed, list) else []
    mine = next((e for e in listed if isinstance(e, dict) and e.get("id") == current), None) \
        if isinstance(listed, list) else None
    out.append(dict(mine) if mine else {"id": current, "why": "created", "at": office.get("created", "")})
    return out


def merge_replica_history(first: list[dict], more: list[dict]) -> list[dict]:
    """``first`` followed by the entries of ``more`` it lacks (by id), in order."""
    seen = {e["id"] for e in first}
    return list(first) + [dict(e) for e in more if isinstance(e, dict) and e.get("id") not in seen
                          and isinstance(e.get("id"), str) and not seen.add(e["id"])]


def _replica_home(path: Path) -> dict:
    return {"host": socket.gethostname(), "path": str(Path(path).resolve())}
