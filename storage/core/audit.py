"""The append-only, hash-chained audit log: who changed what, when, with personal numbers masked.

Each line carries the hash of the line before it, so an edited line breaks the chain; the manifest
keeps the log's head (line count and hash) so a truncated log is noticed too.

The log is ``audit.jsonl`` (the active file, appended to) plus sealed segments ``audit/000001.jsonl``,
``audit/000002.jsonl``, … : once the active file passes ``SEAL_BYTES`` at the end of a transaction's
batch, it is renamed into ``audit/`` and never written again, and the chain goes on in a new active
file. A backup then copies only the active file and links the sealed segments from the previous
backup (a 100,000-member office's log is ~100 MB; the active file stays under ~8 MB).
"""

from __future__ import annotations

import array
import bisect
import hashlib
import mmap
import os
import re
import struct
import sys
import time
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from storage.core.errors import PilarError, damaged
from storage.core.fsutil import atomic_write, fsync_dir, fsync_file, os_error, replace_file, write_all
from storage.core.sensitive import is_free_text, is_sensitive, mask, mask_numbers

GENESIS = "0" * 64
SEAL_BYTES = 8 * 1024 * 1024
AUDIT_WRITE_BYTES = 4 * 1024 * 1024  # a batch of lines is written in pieces of about this size
SEGMENT_DIR = "audit"


def segment_dir(path: Path) -> Path:
    """The folder of sealed segments beside the active file ``path``."""
    return path.parent / SEGMENT_DIR


def segments(path: Path) -> list[Path]:
    """The sealed segments of the log whose active file is ``path``, oldest first."""
    folder = segment_dir(path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.jsonl") if p.stem.isdigit())


def files(path: Path) -> list[Path]:
    """Every file of the log, oldest first: the sealed segments, then the active file if present."""
    return segments(path) + ([path] if path.exists() else [])
def _flatten(data: dict | None, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (data or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


_MASKED_NAMES: dict[str, Any] = {}


def _masker(name: str):
    """How a field's value is written to the log: a personal number masked, free text (a member's note)
    with its numbers masked, else None (as it is). Cached by field name: bulk actions log thousands."""
    try:
        return _MASKED_NAMES[name]
    except KeyError:
        how = _MASKED_NAMES[name] = mask if is_sensitive(name) else mask_numbers if is_free_text(name) else None
        return how


def _clean(name: str, value: Any) -> Any:
    how = _masker(name)
    if how is not None:
        return how(value)
    if isinstance(value, list):
        return [_mask_nested(v) for v in value]
    return value


def _mask_nested(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (how(v) if (how := _masker(k)) is not None else _mask_nested(v)) for k, v in value.items()}
    return value


def diff(old: dict | None, new: dict | None) -> dict[str, list]:
    """Field-by-field changes ``{field: [old, new]}`` with personal numbers masked."""
    if not old:
        return _created(new) if new else {}
    after = _flatten(new)
    before = _flatten(old)
    changes = {}
    for name in before.keys() | after.keys():
        a, b = before.get(name), after.get(name)
        if a != b:
            changes[name] = [_clean(name, a), _clean(name, b)]
    return changes


def _created(new: dict, prefix: str = "") -> dict[str, list]:
    """The diff of a new record: every field it has (keys are sorted when the line is written).

    The hot path of a bulk action (a quarterly run creates 50,000 items): one pass, no intermediate
    flattened dict, plain fields copied without the masking check once their name is known."""
    out: dict[str, list] = {}
    names = _MASKED_NAMES
    for key, value in new.items():
        if value is None:
            continue
        name = prefix + key if prefix else key
        if value.__class__ is dict:
            out.update(_created(value, name + "."))
            continue
        how = names[name] if name in names else _masker(name)
        if how is not None:
            out[name] = [None, how(value)]
        elif value.__class__ is list:
            out[name] = [None, [_mask_nested(v) for v in value]]
        else:
            out[name] = [None, value]
    return out


_clock = {"second": -1, "text": ""}


def timestamp() -> str:
    """Local time with offset, to the second (formatted once per second: bulk actions log thousands)."""
    now = time.time()
    second = int(now)
    if second != _clock["second"]:
        _clock["second"] = second
        _clock["text"] = datetime.fromtimestamp(second, timezone.utc).astimezone().isoformat(timespec="seconds")
    return _clock["text"]


def entry(action: str, kind: str, rid: str, old: dict | None, new: dict | None, operator: str,
          office: str, note: str = "", changes: dict | None = None, of: str | None = None) -> dict:
    """One audit entry (without its place in the chain, added when it is appended).

    ``of``: the entry of a record created in collection ``of`` by the same transaction, whose fields
    are filled in from the transaction's document when the entry is appended (:func:`expand`)."""
    item = {"ts": timestamp(), "operator": operator, "office": office, "action": action, "kind": kind,
            "id": rid}
    if of is not None:
        item["of"] = of
    else:
        item["changes"] = changes if changes is not None else diff(old, new)
    if note:
        item["note"] = note
    return item


class Expanded:
    """A transaction's entries as the log holds them (:func:`expand`), each filled in when it is read:
    a quarterly run's 100,000 creations are never all expanded at once (issue 25: 250 MB at 100k)."""

    def __init__(self, entries: list[dict], ops: dict[str, list[dict]] | None = None,
                 docs: Mapping[tuple[str, str], Any] | None = None) -> None:
        """``ops``: collection -> documents, as journalled; or ``docs``: (collection, id) -> document, or its
        JSON bytes (a transaction's own, ``Transaction.docs``), each parsed when its entry is read."""
        self.entries = entries
        self.ops = ops or {}
        self.docs = docs

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[dict]:
        entries = self.entries
        if not any("of" in e for e in entries):
            yield from entries
            return
        docs = self.docs
        if docs is None:
            docs = {(collection, doc["id"]): doc for collection, docs in self.ops.items() for doc in docs}
        for e in entries:
            collection = e.get("of")
            if collection is None:
                yield e
                continue
            e = dict(e)
            del e["of"]
            doc = docs.get((collection, e["id"]))
            if type(doc) is bytes:
                doc = orjson.loads(doc)
            elif doc is not None and type(doc) is not dict:  # (a record staged by its line: db.Line)
                doc = doc.doc()
            # The version this transaction wrote is the document's only one (a put replaces the list).
            e["changes"] = _created(doc["v"][0]["data"]) if doc and not doc["v"][0].get("deleted") else {}
            yield e


def expand(entries: list[dict], ops: dict[str, list[dict]]) -> list[dict]:
    """A transaction's entries as the log holds them: a creation's ``of`` pointer replaced by every
    field of the document the transaction wrote (``ops``: collection -> documents, as journalled)."""
    return list(Expanded(entries, ops))


def _hash(prev: str, line: dict) -> str:
    body = orjson.dumps({k: v for k, v in line.items() if k != "h"}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev.encode() + body).hexdigest()


_H_TAIL = len(b',"h":"') + 64 + len(b'"}')


def chains(prev: str, line: dict, raw: bytes) -> bool:
    """Whether ``line`` (parsed from the bytes ``raw``, newline included or not) carries the hash of
    ``prev`` and its other fields. A line as ``append`` writes it ends with ``,"h":"<hash>"}`` after the
    very bytes that were hashed, so the hash is checked on those bytes (no second serialisation: a
    third of ``pilar check`` at 100,000 audit lines); any other layout (a line written another way, a
    damaged one) is checked the long way, so a wrong answer is never faster."""
    h = line.get("h")
    if not isinstance(h, str):
        return False
    end = len(raw)
    while end and raw[end - 1] in b"\r\n":
        end -= 1
    tail = end - _H_TAIL
    if tail > 0 and raw[tail:end] == b',"h":"' + h.encode() + b'"}':
        body = raw[:tail] + b"}"
        if hashlib.sha256(prev.encode() + body).hexdigest() == h:
            return True
    return _hash(prev, line) == h


def _tail_of(path: Path) -> tuple[int, dict | None]:
    """(end of the last whole batch, that batch's last line) in one file of the log; (0, None) if none."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0, None
    with open(path, "rb") as fh:
        step = 65536
        while True:
            start = max(0, size - step)
            fh.seek(start)
            chunk = fh.read(size - start)
            pos = len(chunk)
            while pos > 0:
                nl = chunk.rfind(b"\n", 0, pos)
                if nl < 0:
                    break
                begin = chunk.rfind(b"\n", 0, nl) + 1
                if begin == 0 and start > 0:
                    break  # this line may start before the chunk: read further back
                try:
                    line = orjson.loads(chunk[begin:nl])
                except orjson.JSONDecodeError:
                    line = None
                # Lines written before batches were marked carry no "end": each stands alone.
                if isinstance(line, dict) and line.get("end", True):
                    return start + nl + 1, line
                pos = begin
            if start == 0:
                return 0, None
            step *= 4


class AuditLog:
    """The audit file of one data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.n = 0
        self.last_hash = GENESIS
        self.last_seq = 0
        self.good_end = 0
        self._cut_to: int | None = None  # where a failed append's half line starts, if it is still there
        # (id, line start) of every line of the active file when this log wrote them all: the index it
        # gets when sealed, without reading it again (None: unknown, the segment is read)
        self._lines: list[tuple[Any, int]] | None = None

    def head(self) -> dict:
        return {"n": self.n, "h": self.last_hash, "seq": self.last_seq}

    def files(self) -> list[Path]:
        return files(self.path)

    def _scan_tail(self) -> tuple[int, dict | None]:
        """The end of the last whole transaction in the active file, and the log's last line.

        The last line of each transaction's batch carries ``"end": true``. A kill during an append
        leaves a torn line or only part of a batch after it: those bytes are not counted, so the
        batch is cut and written again whole from the journal. An active file with no whole batch
        (just sealed, or new) continues the chain of the last sealed segment (always whole).
        """
        end, last = _tail_of(self.path)
        if last is None:
            for segment in reversed(segments(self.path)):
                last = _tail_of(segment)[1]
                if last is not None:
                    break
        return end, last

    def _seal(self) -> None:
        """Rename the active file into ``audit/`` as the next sealed segment (it ends on a whole batch)."""
        folder = segment_dir(self.path)
        try:
            fsync_file(self.path)
            if not folder.is_dir():
                folder.mkdir()
                fsync_dir(self.path.parent)
            existing = segments(self.path)
            number = int(existing[-1].stem) + 1 if existing else 1
            sealed = folder / f"{number:06d}.jsonl"
            replace_file(self.path, sealed)
            fsync_dir(folder)
            fsync_dir(self.path.parent)
        except OSError:
            return  # not sealed now: the active file grows a little longer, the next batch tries again
        known, self._lines, end, self.good_end = self._lines, None, self.good_end, 0
        try:
            size = sealed.stat().st_size
            if known is not None and size == end:  # every line written by this log: their ids are known
                with sealed.open("rb") as f:
                    f.seek(max(0, size - _INDEX_TAIL))
                    stamp = hashlib.sha256(f.read()).digest()
                atomic_write(index_path(sealed), _index_bytes(
                    size, stamp, {(_id_hash(rid.encode()), at) for rid, at in known if type(rid) is str}))
            elif size <= INDEX_AT_SEAL_BYTES:
                # (a bigger one, a bulk batch's segment sealed by another process, would cost this
                # command ~0.1 s per 10 MB: the upkeep or ``pilar check`` writes that one)
                write_index(sealed)
        except (PilarError, OSError, UnicodeEncodeError):
            pass  # derived: the byte search answers meanwhile, the upkeep or ``pilar check`` writes it

    def repair_tail(self) -> None:
        """Cut a torn last line so the next append continues the chain (its entry is still in the journal)."""
        try:
            if self.path.exists() and self.path.stat().st_size > self.good_end:
                os.truncate(self.path, self.good_end)
        except OSError as exc:
            raise os_error(exc, self.path) from exc

    def load(self, expected_head: dict | None = None) -> None:
        """Find the chain's head from the end of the file (the full check is ``verify``)."""
        self.good_end, last = self._scan_tail()
        if last is not None:
            self.n, self.last_hash, self.last_seq = last["n"], last["h"], last.get("seq", 0)
        if expected_head and self.n < expected_head.get("n", 0):
            raise damaged(self.path, "count", found=self.n, expected=expected_head.get("n"))

    def catch_up(self, seq: int, entries: list[dict] | Expanded) -> None:
        """Append the entries of transaction ``seq`` unless the log already has them. The lines are
        written as they are made, a few MB at a time (a batch cut short is cut off the file, as a
        failed write is)."""
        if seq <= self.last_seq:
            return
        if not entries:
            self.last_seq = seq
            return
        n, prev = self.n, self.last_hash
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o600)
            try:
                start = os.fstat(fd).st_size
                if self._cut_to is not None and start > self._cut_to:
                    # A failed append whose cut-back failed too left a half line: cut it now, or this
                    # batch would follow it and the chain would break for good (and be sealed so).
                    os.ftruncate(fd, self._cut_to)
                    start = self._cut_to
                self._cut_to = None
                try:
                    buf = bytearray()
                    written = 0
                    lines: list[tuple[Any, int]] = []  # (id, where its line starts): the segment's index
                    count = len(entries)
                    for k, item in enumerate(entries, 1):
                        n += 1
                        item = dict(item, end=k == count)
                        # One serialisation per line: the hash covers the sorted line without "h" (as
                        # verify recomputes it), and "h" is appended as the last key.
                        body = orjson.dumps(dict(item, n=n, seq=seq, prev=prev), option=orjson.OPT_SORT_KEYS)
                        prev = hashlib.sha256(prev.encode() + body).hexdigest()
                        lines.append((item.get("id"), start + written + len(buf)))
                        buf += body[:-1] + b',"h":"' + prev.encode() + b'"}\n'
                        if len(buf) >= AUDIT_WRITE_BYTES:
                            write_all(fd, buf)
                            written += len(buf)
                            buf.clear()
                    write_all(fd, buf)
                    written += len(buf)
                except BaseException:
                    # A half-written line would break the chain for every later line: cut it off.
                    try:
                        os.ftruncate(fd, start)
                    except OSError:
                        self._cut_to = start  # cut before the retry writes
                    raise
            finally:
                os.close(fd)
        except OSError as exc:
            raise os_error(exc, self.path) from exc
        self.n, self.last_hash, self.last_seq = n, prev, seq
        # The lines of the active file this log wrote, from its first byte on without a gap, or None.
        if start == 0:
            self._lines = lines
        elif self._lines is not None and start == self.good_end:
            self._lines += lines
        else:
            self._lines = None
        self.good_end = start + written
        if self.good_end > SEAL_BYTES:
            self._seal()

    def sync(self) -> None:
        if not self.path.exists():
            return
        try:
            fsync_file(self.path)
        except OSError as exc:
            raise os_error(exc, self.path) from exc

    def lines(self, upto: int | None = None) -> Iterator[dict]:
        """The log's entries, oldest first (of the active file, only those in its first ``upto`` bytes)."""
        for file in self.files():
            with open(file, "rb") as fh:
                done = 0
                for raw in fh:
                    done += len(raw)
                    if upto is not None and file == self.path and done > upto:
                        return
                    if raw.strip():
                        yield orjson.loads(raw)

    def verify(self, expected_head: dict | None = None) -> list[str]:
        """Problems in the chain: an edited, removed or reordered line, or a truncated log.

        A transaction's batch cut short by a crash (after the last whole batch) is not damage: the
        journal still holds it, and the next writable open writes it again whole.
        """
        problems = []
        prev, n = GENESIS, 0
        try:
            for line in self.lines(upto=self._scan_tail()[0]):
                n += 1
                if line.get("n") != n or line.get("prev") != prev or _hash(prev, line) != line.get("h"):
                    problems.append(f"line {n}")
                    break
                prev = line["h"]
        except orjson.JSONDecodeError:
            problems.append(f"line {n + 1}")
        if expected_head and not problems and n < expected_head.get("n", 0):
            problems.append(f"truncated at {n} < {expected_head.get('n')}")
        return problems

    def for_record(self, rid: str) -> list[dict]:
        """History of one record, oldest first."""
        return [line for line in self.lines() if line.get("id") == rid]




# ------------------------------------------------------------------ index of a sealed segment
# ``audit/000001.idx`` beside ``audit/000001.jsonl``: where the lines naming each record id start, so a
# member's history reads a few lines instead of searching the whole log (324 MB at 300,000 members). It
# is derived: written when the segment is sealed (or by ``Database.upkeep`` / ``pilar check`` for a
# segment sealed before indexes were written), never read unless its header matches its segment (size
# and a hash of the segment's last bytes), its version and its checksum; else the segment is searched
# byte by byte as before. A hash collision is harmless: each line found is parsed and its id compared.
INDEX_MAGIC = b"PILARAIX"
INDEX_VERSION = 1
INDEX_SUFFIX = ".idx"
INDEX_AT_SEAL_BYTES = 2 * SEAL_BYTES  # a segment sealed bigger than this is indexed by the upkeep
_INDEX_TAIL = 4096  # bytes of the segment hashed into the header
INDEX_READ_BYTES = 8 << 20  # a segment is read this much at a time to be indexed
# magic, version, segment size, sha256 of the segment's last bytes, entries, crc32 of the entries
_INDEX_HEADER = struct.Struct("<8sIQ32sQI")
_ID_KEY = re.compile(rb'"id":"((?:[^"\\\n]|\\.)*)"')
_ID_KEY_PLAIN = re.compile(rb'"id":"([^"\\\n]*)(["\\\n])')


def index_path(segment: Path) -> Path:
    return segment.with_suffix(INDEX_SUFFIX)


def _id_hash(rid: bytes) -> int:
    """64 bits naming an id (two checksums: cheap, and a collision only costs a line parsed)."""
    return zlib.crc32(rid) << 32 | zlib.adler32(rid)


def _segment_stamp(data) -> bytes:
    return hashlib.sha256(data[max(0, len(data) - _INDEX_TAIL):]).digest()


def build_index(segment: Path) -> bytes:
    """The index of one sealed segment: its header, then (hash of id, line start) pairs sorted, as two
    arrays of little-endian 64-bit numbers (every ``"id":"…"`` key of a line counts: more is harmless).
    Read a piece at a time, not mapped: a quarterly run's segment at 300,000 members is ~270 MB, and the
    pages of a map count in the memory of the command that builds it (``pilar check``: +230 MB)."""
    pairs: set[tuple[int, int]] = set()
    with segment.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        f.seek(max(0, size - _INDEX_TAIL))
        stamp = hashlib.sha256(f.read()).digest()
        f.seek(0)
        base, carry = 0, b""  # the file's offset of ``carry``: the start of a line not ended yet
        while True:
            piece = f.read(INDEX_READ_BYTES)
            data = carry + piece if carry else piece
            end = len(data) if not piece else data.rfind(b"\n") + 1
            if end:
                _index_lines(data, end, base, pairs)
            if not piece:
                break
            carry, base = data[end:], base + end
    return _index_bytes(size, stamp, pairs)


def _index_lines(data: bytes, end: int, base: int, pairs: set[tuple[int, int]]) -> None:
    """The (hash of id, line start) pairs of the lines in ``data[:end]``, ``data`` starting at ``base``."""
    named, find = _id_hash, data.rfind
    for m in _ID_KEY_PLAIN.finditer(data, 0, end):
        raw = m.group(1)
        if m.group(2) != b'"':  # an escape in the id (never in Pilar's own): the long way
            m = _ID_KEY.match(data, m.start(), end)
            try:
                raw = orjson.loads(b'"' + m.group(1) + b'"').encode()
            except (AttributeError, orjson.JSONDecodeError, UnicodeEncodeError):
                continue
        pairs.add((named(raw), base + find(b"\n", 0, m.start()) + 1))


def _index_bytes(size: int, stamp: bytes, pairs: set[tuple[int, int]]) -> bytes:
    ordered = sorted(pairs)
    hashes = array.array("Q", [h for h, _ in ordered])
    offsets = array.array("Q", [o for _, o in ordered])
    if sys.byteorder != "little":
        hashes.byteswap()
        offsets.byteswap()
    body = hashes.tobytes() + offsets.tobytes()
    return _INDEX_HEADER.pack(INDEX_MAGIC, INDEX_VERSION, size, stamp, len(ordered), zlib.crc32(body)) + body


def write_index(segment: Path) -> None:
    """Write (atomically) the index of a sealed segment; raises PilarError on a disk error."""
    atomic_write(index_path(segment), build_index(segment))


def index_valid(segment: Path, data=None) -> bool:
    return _index_lookup(segment, None, data) is not None


def _index_lookup(segment: Path, rid: str | None, data=None) -> list[int] | None:
    """The line starts the index of ``segment`` gives for ``rid`` (``[]`` for rid None), or None when
    there is no index fit to use (missing, stale, damaged, of another version): search the segment."""
    if sys.byteorder != "little":
        return None
    try:
        raw = index_path(segment).read_bytes()
        if data is None:
            with segment.open("rb") as f:
                size = os.fstat(f.fileno()).st_size
                f.seek(max(0, size - _INDEX_TAIL))
                stamp = hashlib.sha256(f.read()).digest()
        else:
            size, stamp = len(data), _segment_stamp(data)
    except OSError:
        return None
    if len(raw) < _INDEX_HEADER.size:
        return None
    magic, version, want_size, want_stamp, count, crc = _INDEX_HEADER.unpack_from(raw)
    body = memoryview(raw)[_INDEX_HEADER.size:]
    if (magic != INDEX_MAGIC or version != INDEX_VERSION or want_size != size or want_stamp != stamp
            or len(body) != 16 * count or zlib.crc32(body) != crc):
        return None
    if rid is None:
        return []
    hashes = body[:8 * count].cast("Q")
    offsets = body[8 * count:].cast("Q")
    h = _id_hash(rid.encode())
    at = bisect.bisect_left(hashes, h)
    found = []
    while at < count and hashes[at] == h:
        found.append(offsets[at])
        at += 1
    return found


def write_missing_indexes(path: Path) -> int:
    """Write the index of each sealed segment of the log ``path`` that has none fit to use (``pilar
    check``, ``Database.upkeep``). Returns how many were written; a disk error stops quietly (the next
    upkeep tries again: the byte search answers meanwhile)."""
    written = 0
    for segment in segments(path):
        if index_valid(segment):
            continue
        try:
            write_index(segment)
        except PilarError:
            break
        written += 1
    return written


def lines_naming(path: Path, rid: str) -> list[dict]:
    """The entries of one file of the log whose id is ``rid``, oldest first: from its index when it has
    one fit to use, else by a byte search over a memory map (only the lines naming the id are parsed)."""
    found: list[dict] = []
    try:
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            starts = _index_lookup(path, rid, data) if path.parent.name == SEGMENT_DIR else None
            if starts is None:
                needle = b'"id":"' + rid.encode() + b'"'
                starts = []
                at = data.find(needle)
                while at != -1:
                    starts.append(data.rfind(b"\n", 0, at) + 1)
                    end = data.find(b"\n", at)
                    at = -1 if end == -1 else data.find(needle, end)
            for start in starts:
                end = data.find(b"\n", start)
                end = len(data) if end == -1 else end
                try:
                    line = orjson.loads(data[start:end])
                except orjson.JSONDecodeError:
                    line = None
                if isinstance(line, dict) and line.get("id") == rid:
                    found.append(line)
    except (FileNotFoundError, ValueError):  # gone meanwhile, or an empty file (mmap of 0 bytes)
        pass
    return found
