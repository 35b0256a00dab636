"""The bundle file: a zip (stored, not compressed) holding a signed manifest and encrypted payloads.

Entries (no others are allowed, no folders, no ``..``)::

    manifest.json            format, requires, schema, ids, sender/recipient, vv, counts, sha256 of payloads
    manifest.sig             64-byte detached Ed25519 signature of manifest.json by the sender's office key
    payload/<partition>.bin  canonical JSON lines (one raw document each), zlib-compressed, then
                             encrypted to the recipient's public key (libsodium sealed box)

Format 2 (issue 22) seals the manifest too: a stick found in a bus names no office and no count.
``manifest.json`` keeps only what a reader needs before it decrypts anything (format, version,
requires, which Pilar wrote it, the bundle id, the sender's public keys and fingerprint, the
recipient's fingerprint, the payloads' sha256 and sizes, and the sha256 of the sealed manifest);
everything else (offices, dates, counts, vectors, trust list, anchors) is in ``payload/manifest.bin``,
encrypted to the recipient like the payloads, with a random salt so its hash gives nothing away. The
reader verifies the signature of the clear part first, then decrypts the sealed one and checks it
against that hash. The file name of a format-2 bundle names no office either.

A reader refuses a bundle whose ``requires`` names something it does not know (as git bundle v3 does),
a wrong format version, an entry that is too big, a name outside the list above, or a damaged zip.
Reading is bounded: nothing is ever extracted to disk, and decompression stops at a size limit.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import re
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from storage.core import formats
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write, os_error

FORMAT = "pilar-bundle"
FORMAT_VERSION = formats.BUNDLE.current  # what this Pilar writes to an office that reads it (formats.py)
# The manifest's ``schema``: 1 always (0.1.0 refuses any other); a change to the records' shape is a
# bundle format step, which converts them both ways.
RECORD_SCHEMA = 1
# What a reader must understand to use this bundle; an unknown entry makes the reader refuse it.
REQUIRES = ("mvreg-versions-1", "payload-zlib-sealedbox-1", "sig-ed25519-1")
# Named only by a bundle that carries personal-data records (collection ``privacy``) or erasures
# (issue 27): a Pilar that does not know the absorbing erasure merge refuses it and says to update,
# rather than keep a sibling with the erased data.
PRIVACY = "privacy-erasure-1"
KNOWN_REQUIRES = frozenset(REQUIRES) | {PRIVACY}
SUFFIX = ".pilar"

MAX_BUNDLE_BYTES = 3 * 1024 ** 3          # below FAT32's 4 GiB file limit
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_ENTRY_BYTES = 2 * 1024 ** 3
MAX_ENTRIES = 64
MAX_EXPANSION = 64                        # decompressed payload at most 64x its compressed size
MAX_PLAIN_BYTES = 8 * 1024 ** 3

_PART_RE = re.compile(r"^payload/([a-z][a-z0-9_]{0,40})\.bin$")
_SAFE_RE = re.compile(r"[^A-Za-z0-9-]+")


class BundleError(PilarError):
    """A bundle refused: ``reason`` is a short machine word for the import log."""

    def __init__(self, key: str, reason: str, **params: object) -> None:
        super().__init__(key, **params)
        self.reason = reason


def reads() -> dict[str, list[int]]:
    """What this Pilar reads, said in every bundle so the recipient writes back what it can read."""
    return {"bundle": [1, formats.BUNDLE.current]}


def format_for(peer: dict) -> int:
    """The bundle format to write to an office: the newest both read (1 when it has not said)."""
    said = peer.get("reads") if isinstance(peer, dict) else None
    theirs = said.get("bundle") if isinstance(said, dict) else None
    top = theirs[1] if isinstance(theirs, list) and len(theirs) == 2 and type(theirs[1]) is int else 1
    return max(1, min(formats.BUNDLE.current, top))


# Format 2: the sealed part of the manifest (a payload entry name every earlier reader accepts, so it
# reaches the version check and says "update Pilar") and what stays readable without the key.
SEALED = "manifest"
SEALED_FROM = 2
CLEAR_KEYS = ("format", "format_version", "requires", "pilar", "bundle_id")
CLEAR_SENDER = ("fp", "sign", "box")


def canonical(obj) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def safe_part(code: str) -> str:
    """An office code made safe for a FAT32 file name (letters, digits, dashes)."""
    return _SAFE_RE.sub("-", code).strip("-")[:40] or "X"


def file_name(sender: str, recipient: str, when: datetime, bundle_id: str, version: int = 1) -> str:
    if version >= SEALED_FROM:
        return f"pilar_{when.strftime('%Y%m%d-%H%M')}_{bundle_id[:8]}{SUFFIX}"  # no office names on the stick
    return (f"pilar_{safe_part(sender)}_to_{safe_part(recipient)}_{when.strftime('%Y%m%d-%H%M')}"
            f"_{bundle_id[:6]}{SUFFIX}")


def encode_partition(docs: list[dict], encrypt) -> bytes:
    """Canonical JSON lines of raw documents, compressed, then encrypted with ``encrypt``."""
    plain = b"\n".join(canonical(d) for d in docs)
    return encrypt(zlib.compress(plain, 1))


def decode_partition(blob: bytes, decrypt, name: str) -> list[dict]:
    """The raw documents of one payload entry (decrypted, decompressed within limits, parsed)."""
    return decode_partition_lines(blob, decrypt, name)[0]


class _Malformed(Exception):
    pass


class LineDocs(Sequence):
    """The documents of a partition parsed from their lines when read (``decode_partition_lines`` with
    ``hold=False``): an import screens each as it goes and keeps what it takes as its line, so the parsed
    documents of a whole bundle (1.6 GB at 300,000 members) are never all held at once (issue 25).
    ``ids``: each document's id, noted at the first parse; ``notes``: for each, what ``lean`` kept of it when
    it read the line instead of a whole parse (storage/sync/lean.py), else None (None: no ``lean`` asked)."""

    def __init__(self, lines: list[bytes], ids: list[str], notes: list | None = None) -> None:
        self.lines = lines
        self.ids = ids
        self.notes = notes

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [orjson.loads(line) for line in self.lines[i]]
        return orjson.loads(self.lines[i])

    def __iter__(self) -> Iterator[dict]:
        return map(orjson.loads, self.lines)


def decode_partition_lines(blob: bytes, decrypt, name: str, check: Callable[[Any], str | None] | None = None,
                           hold: bool = True, lean: Callable[[bytes], tuple[str, Any] | None] | None = None,
                           ) -> tuple[Sequence[dict], list[bytes]]:
    """The raw documents of one payload entry and, for each, the bytes of its line: an import writes a
    document taken as it came from those bytes instead of serialising it again (``Transaction.put_doc``'s
    ``raw``). The payload is inflated piece by piece on another thread (zlib lets go of the GIL: the other
    core) while this one parses the lines of the pieces already inflated; each line is a bytes object of its
    own and each piece is let go once its lines are parsed (not the whole payload held to the end of the
    import by views into it, one 184-byte view a line). ``check(document)``: why a document is malformed, or
    None; the first one malformed refuses the entry (its reason in the refusal's detail). ``hold=False``: each
    document let go once checked, the documents parsed again when read (``LineDocs``). ``lean(line)`` (with
    ``hold=False``): (the document's id, what to keep of it) when it checked the line itself, without a whole
    parse (storage/sync/lean.py), else None: then parsed whole and checked by ``check``."""
    try:
        compressed = decrypt(blob)
    except Exception:  # noqa: BLE001 - nacl raises CryptoError and friends
        raise BundleError("sync.refused_decrypt", "decrypt") from None
    limit = min(MAX_PLAIN_BYTES, max(1024 * 1024, len(compressed) * MAX_EXPANSION))
    pieces = _inflated(compressed, limit, name)
    if len(compressed) > INFLATE_THREAD_BYTES:
        pieces = _on_a_thread(pieces)
    del compressed
    # One JSON value a line (a raw newline never occurs inside one). Every line must be exactly one value:
    # an empty line, a second value or a trailing newline refuses the entry, as one array parse did. (An
    # inflate that fails says so first, as when the whole payload was inflated before the first parse.)
    docs: list[dict] = []
    ids: list[str] = []
    lines: list[bytes] = []
    notes: list | None = [] if lean is not None and not hold else None
    loads = orjson.loads
    carry = b""  # the start of the line the last piece ended in
    size = 0

    def parse(line: bytes) -> None:
        doc = loads(line)
        if check is not None and check(doc) is not None:
            raise _Malformed(check(doc))
        if hold:
            docs.append(doc)
        else:
            ids.append(doc.get("id") if type(doc) is dict else None)

    def take(batch: list[bytes]) -> None:
        """The whole lines of one inflated piece: each read by ``lean`` where it can, else parsed and checked."""
        if notes is None:
            for line in batch:
                parse(line)
        else:
            for line in batch:
                got = lean(line)
                if got is None:
                    notes.append(None)
                    parse(line)
                else:
                    ids.append(got[0])
                    notes.append(got[1])
        lines.extend(batch)

    try:
        for piece in pieces:
            size += len(piece)
            batch = piece.split(b"\n")  # (in C: each line a bytes object of its own)
            del piece
            if carry:
                batch[0] = carry + batch[0]
            carry = batch.pop()  # (the start of the next piece's first line, or all of this one's)
            take(batch)
            del batch
        if not size:
            return ([] if hold else LineDocs([], [], notes)), []
        take([carry])
    except (orjson.JSONDecodeError, _Malformed) as exc:
        for _rest in pieces:  # (an inflate error further on is the reason given)
            pass
        detail = f"{name}: {exc.args[0]}" if isinstance(exc, _Malformed) else name
        raise BundleError("sync.refused_schema", "schema", detail=detail) from None
    return (docs if hold else LineDocs(lines, ids, notes)), lines


# Compressed bytes inflated at a time: about 30 MB of lines. Few, big pieces: on another thread each waits
# for the GIL once (up to the interpreter's switch interval, 5 ms, while this one parses). And big enough
# that, once parsed and let go, glibc serves the fold's part payloads (9 MB at 300,000 members) from memory
# it keeps instead of mapping fresh pages for each (its mmap threshold follows the largest block freed, up
# to 32 MB): with pieces of 5 MB, the fold of 300,000 members took 150,000 page faults more (0.6 s and more
# of system time); the whole payload inflated at once had the same effect by chance.
INFLATE_INPUT = 6 * 1024 * 1024
INFLATE_AHEAD = 3
INFLATE_THREAD_BYTES = 1024 * 1024  # a payload bigger than this is inflated on another thread


def _inflated(compressed: bytes, limit: int, name: str) -> Iterator[bytes]:
    """The decompressed payload piece by piece, within ``limit`` bytes in all (a bomb stops there)."""
    inflater = zlib.decompressobj()
    view = memoryview(compressed)
    total = 0
    try:
        for start in range(0, len(view), INFLATE_INPUT):
            piece = inflater.decompress(view[start:start + INFLATE_INPUT], limit - total + 1)
            total += len(piece)
            if total > limit or inflater.unconsumed_tail:
                raise BundleError("sync.refused_oversize", "oversize", entry=name)
            if piece:
                yield piece
            if inflater.eof:
                break
    except zlib.error:
        raise BundleError("sync.refused_damaged", "damaged") from None
    if not inflater.eof:
        raise BundleError("sync.refused_oversize", "oversize", entry=name)


def _on_a_thread(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces`` made on another thread as they are used here (what it raises is raised here)."""
    out: queue.Queue = queue.Queue(maxsize=INFLATE_AHEAD)
    stop = threading.Event()
    done = object()

    def run() -> None:
        try:
            for piece in pieces:
                if stop.is_set():
                    return
                out.put(piece)
        except BaseException as exc:  # noqa: BLE001 - handed over to the reader
            out.put(exc)
        else:
            out.put(done)

    worker = threading.Thread(target=run, name="pilar-inflate", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # (the reader gave up early: the worker stops at its next piece)
        while worker.is_alive():
            try:
                out.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


def seal(manifest: dict, payloads: dict[str, bytes], encrypt) -> tuple[bytes, dict[str, bytes]]:
    """Format 2: (the clear manifest's bytes, the payloads with the sealed manifest added). ``manifest`` is
    the whole manifest, ``files`` (with each partition's record count) included."""
    sealed = dict(manifest, salt=os.urandom(16).hex())
    plain = canonical(sealed)
    payloads = dict(payloads)
    payloads[SEALED] = encrypt(zlib.compress(plain, 1))
    clear = {k: manifest[k] for k in CLEAR_KEYS if k in manifest}
    clear["sender"] = {k: manifest["sender"][k] for k in CLEAR_SENDER}
    clear["recipient"] = {"fp": manifest["recipient"]["fp"]}
    clear["sealed"] = hashlib.sha256(plain).hexdigest()
    clear["files"] = {f"payload/{name}.bin": {"sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob)}
                      for name, blob in payloads.items()}
    return orjson.dumps(clear, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2), payloads


def is_sealed(manifest: dict) -> bool:
    """A format-2 manifest (its offices, counts and vectors are in the sealed part)."""
    version = manifest.get("format_version")
    return type(version) is int and version >= SEALED_FROM


def unseal(clear: dict, blob: bytes, decrypt) -> tuple[dict, bytes]:
    """The whole manifest of a format-2 bundle from its sealed part (whose sha256 the signed clear part
    gives, checked by the caller's ``check_hashes`` already): (manifest, the sealed part's plain bytes)."""
    try:
        compressed = decrypt(blob)
    except Exception:  # noqa: BLE001 - nacl raises CryptoError and friends
        raise BundleError("sync.refused_decrypt", "decrypt") from None
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(compressed, MAX_MANIFEST_BYTES)
    except zlib.error:
        raise BundleError("sync.refused_damaged", "damaged") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise BundleError("sync.refused_oversize", "oversize", entry=f"payload/{SEALED}.bin")
    if hashlib.sha256(plain).hexdigest() != clear.get("sealed"):
        raise BundleError("sync.refused_hash", "hash", entry=f"payload/{SEALED}.bin")
    try:
        manifest = orjson.loads(plain)
    except orjson.JSONDecodeError:
        raise BundleError("sync.refused_damaged", "damaged") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sender"), dict) \
            or not isinstance(manifest.get("recipient"), dict):
        raise BundleError("sync.refused_damaged", "damaged")
    # The sealed part says what the clear one says (both the sender's, bound by the hash).
    if any(manifest.get(k) != clear.get(k) for k in CLEAR_KEYS) \
            or any(manifest["sender"].get(k) != clear["sender"].get(k) for k in CLEAR_SENDER) \
            or manifest["recipient"].get("fp") != clear["recipient"].get("fp"):
        raise BundleError("sync.refused_damaged", "damaged")
    manifest.pop("salt", None)
    return manifest, plain


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """The one canonical zip encoding of ``entries`` (stored, fixed dates): a reader re-encodes what it
    read and refuses the file unless the bytes are identical, so no byte of the file escapes checking."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, blob in entries:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o600 << 16
            zf.writestr(info, blob)
    return buf.getvalue()


def write_bundle(out_dir: Path, name: str, manifest_bytes: bytes, signature: bytes,
                 payloads: dict[str, bytes]) -> Path:
    """Write the zip to a temporary file, fsync it, then rename it to ``name`` in ``out_dir``."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, out_dir) from exc
    remove_stale_temps(out_dir)
    final = out_dir / name
    entries = [("manifest.json", manifest_bytes), ("manifest.sig", signature)]
    entries += [(f"payload/{part}.bin", blob) for part, blob in payloads.items()]
    atomic_write(final, zip_bytes(entries), removable=True)
    return final


# The temporary file of a bundle being written (storage.core.fsutil.atomic_write: ``.<name>.<pid>.tmp``).
_TEMP_RE = re.compile(r"^\.(pilar_[A-Za-z0-9_.-]+\.pilar)\.(\d+)\.tmp$")
STALE_TEMP_SECONDS = 60  # a live export writes its temporary file all the time; one older is a leftover


def _alive(pid: int) -> bool:
    if os.name != "posix" or pid == os.getpid():
        return True  # (on Windows os.kill would end the process: there the age alone decides)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_temps(out_dir: Path) -> list[str]:
    """Remove the temporary files of bundles whose export was killed (issue 22: they stayed on the stick for
    good): a ``.pilar_….pilar.<pid>.tmp`` not written for a minute, or whose process is gone. Returns their
    names."""
    removed = []
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _TEMP_RE.match(entry.name)
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat().st_mtime < STALE_TEMP_SECONDS and _alive(int(match.group(2))):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(entry.name)
    return removed


class RawBundle:
    """A bundle file read into memory with its entries checked, nothing verified yet."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.size = len(data)
        self.sha256 = hashlib.sha256(data).hexdigest()
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except Exception:  # noqa: BLE001 - any damage in a zip header surfaces as some exception
            raise BundleError("sync.refused_damaged", "damaged") from None
        if len(infos) > MAX_ENTRIES:
            raise BundleError("sync.refused_entries", "entries", entry=str(len(infos)))
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if name in self.entries:
                raise BundleError("sync.refused_entries", "entries", entry=name)
            if name not in ("manifest.json", "manifest.sig") and not _PART_RE.match(name):
                raise BundleError("sync.refused_entries", "entries", entry=name[:80])
            limit = MAX_MANIFEST_BYTES if name.startswith("manifest") else MAX_ENTRY_BYTES
            if info.file_size > limit or info.compress_size > limit or info.file_size > len(data):
                raise BundleError("sync.refused_oversize", "oversize", entry=name)
            self.entries[name] = info
        if "manifest.json" not in self.entries or "manifest.sig" not in self.entries:
            raise BundleError("sync.refused_damaged", "damaged")
        self.blobs = {name: self.read(name) for name in self.entries}
        if zip_bytes(list(self.blobs.items())) != data:
            raise BundleError("sync.refused_damaged", "damaged")
        self.manifest_bytes = self.blobs["manifest.json"]
        self.signature = self.blobs["manifest.sig"]
        self.sealed_plain: bytes | None = None  # format 2: the sealed manifest, once decrypted
        try:
            self.manifest = orjson.loads(self.manifest_bytes)
        except orjson.JSONDecodeError:
            raise BundleError("sync.refused_damaged", "damaged") from None
        if not isinstance(self.manifest, dict):
            raise BundleError("sync.refused_damaged", "damaged")

    def release(self) -> None:
        """Let go of the file's bytes and its payload entries once they are decoded (the manifest, its
        signature and the sealed manifest stay)."""
        self.data = b""
        self.zip = None
        self.blobs = {k: v for k, v in self.blobs.items() if not k.startswith("payload/")}

    def read(self, name: str) -> bytes:
        info = self.entries[name]
        try:
            with self.zip.open(info) as fh:
                blob = fh.read(info.file_size + 1)
        except Exception:  # noqa: BLE001 - CRC errors, "encrypted" flags, bad names from flipped bits
            raise BundleError("sync.refused_damaged", "damaged") from None
        if len(blob) != info.file_size:
            raise BundleError("sync.refused_damaged", "damaged")
        return blob

    def check_format(self) -> None:
        m = self.manifest
        if m.get("format") != FORMAT:
            raise BundleError("sync.refused_format", "format")
        version = m.get("format_version")
        if formats.BUNDLE.is_newer(version):
            raise BundleError("formats.newer_bundle", "newer", found=version, expected=formats.BUNDLE.current,
                              writer=f"Pilar {formats.writer_of(m)}" if formats.writer_of(m) else formats.t_newer(), ours=formats.PILAR_VERSION)
        if not formats.BUNDLE.readable(version):
            raise BundleError("sync.refused_version", "version", found=version, expected=FORMAT_VERSION)
        requires = m.get("requires")
        if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
            raise BundleError("sync.refused_format", "format")
        unknown = [r for r in requires if r not in KNOWN_REQUIRES]
        if unknown:
            raise BundleError("sync.refused_requires", "requires", what=", ".join(unknown)[:200])

    def check_hashes(self) -> dict[str, bytes]:
        """The payload entries, each checked against the sha256 the signed manifest gives."""
        files = self.manifest.get("files")
        if not isinstance(files, dict):
            raise BundleError("sync.refused_damaged", "damaged")
        present = {n for n in self.entries if n.startswith("payload/")}
        if present != set(files):
            raise BundleError("sync.refused_hash", "hash", entry=", ".join(sorted(present ^ set(files)))[:200])
        out = {}
        for name in sorted(files):
            blob = self.blobs[name]
            meta = files[name]
            if not isinstance(meta, dict) or hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
                raise BundleError("sync.refused_hash", "hash", entry=name)
            out[_PART_RE.match(name).group(1)] = blob
        return out


def open_bundle(path: Path) -> RawBundle:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise BundleError("sync.refused_oversize", "oversize", entry=path.name)
        with open(path, "rb") as fh:
            data = fh.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise os_error(exc, path) from exc
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("sync.refused_oversize", "oversize", entry=path.name)
    return RawBundle(path, data)


def peek_manifest(path: Path) -> dict | None:
    """The manifest of a bundle file without verifying anything (for listing a USB drive)."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("manifest.json")
            if info.file_size > MAX_MANIFEST_BYTES:
                return None
            data = orjson.loads(zf.read(info))
            return data if isinstance(data, dict) else None
    except (OSError, KeyError, zipfile.BadZipFile, orjson.JSONDecodeError, ValueError, EOFError):
        return None
