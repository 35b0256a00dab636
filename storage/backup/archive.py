"""Encrypted backup archives: ``pilar backup --to STICK`` writes one file that leaves the office safely.

A backup folder (``storage.backup.backups``) holds the roster, the payouts and the office's private key in
clear: it stays on the office's own disk. What goes onto a stick or another disk is one archive file
``pilar-<OFFICE>-<backup name>.pilarbak`` (a FAT32-safe name) that holds everything a restore needs
*except* ``keys/`` (the private key never leaves the office; a restored office without keys is
enrolled again by the province), encrypted so a lost stick reveals no NIK, name or bank account.

Layout (every integer big-endian)::

    MAGIC (14 bytes) · header length (4) · header (canonical JSON) · sha256(MAGIC + length + header)
    then records: flag (1 byte: 1 = the last record) · length (4) · SecretBox ciphertext

The header (in clear, nothing personal in it: office code, backup name, date, the cipher and KDF
parameters) holds the random 32-byte *file key* wrapped once per way of opening it:

* ``passphrase``: ``nacl.pwhash.argon2id`` (opslimit, memlimit and salt recorded) derives a key that
  wraps the file key in a ``SecretBox``;
* ``sealed``: a ``SealedBox`` to the province's Curve25519 key from the trust store, so the province
  can restore it with its own private key.

The records are the payload cut into 1 MiB pieces, each encrypted with ``SecretBox(file key)`` under
the nonce ``sha256(header)[:15] · flag · counter (8)``: a record moved, dropped, repeated or marked
last when it was not, a changed header, or a changed byte anywhere fails authentication; a file that
ends before a record flagged *last* is truncated. The header's own checksum only tells accidental
damage of the header apart from a wrong passphrase (the wrapped keys sit in it).

The payload (zlib-compressed) is ``length (8) · manifest JSON · the files' bytes one after the
other``; the manifest names the office and the backup and gives every file's path, size and sha256,
and every file is checked against it while it is read. Writing goes to ``<name>.tmp`` on the stick,
fsynced, read back and verified completely, then renamed: a stick pulled out half-way never leaves a
file with the archive's name. Restoring verifies the whole archive into a staging backup before the
live folder is touched, then hands over to ``storage.backup.backups.restore`` (safety backup, swap, new
replica id; the folder's current ``keys/`` are kept).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import nacl.utils
import orjson
from nacl.exceptions import CryptoError
from nacl.public import PublicKey, SealedBox
from nacl.secret import SecretBox

from storage.backup import backups
from storage.core.errors import PilarError
from storage.core.fsutil import fsync_dir, os_error, replace_file, write_all
from storage.core.i18n import t

MAGIC = b"PILAR-ARCHIVE\n"
FORMAT = "pilar-backup-archive"
VERSION = 1
SUFFIX = ".pilarbak"
CHUNK = 1024 * 1024
MAX_HEADER = 64 * 1024
MAX_MANIFEST = 64 * 1024 * 1024
MIN_PASSPHRASE = 10
# Argon2id "moderate": ~1 s and 256 MiB on the office PCs; recorded in every archive's header, so
# archives written with other values (tests lower them) still open.
OPSLIMIT = argon2id.OPSLIMIT_MODERATE
MEMLIMIT = argon2id.MEMLIMIT_MODERATE
# Never opened, whatever a header asks for (a crafted header must not exhaust the memory).
MAX_MEMLIMIT = 1024 * 1024 * 1024
ENV_PASSPHRASE = "PILAR_BACKUP_PASSPHRASE"
LEFT_OUT = ("keys",)  # never in an archive: the private key stays in the office


def _dumps(obj) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def archive_name(office: str, backup_name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", office or "x").strip("-")[:40] or "x"
    return f"pilar-{safe}-{backup_name}{SUFFIX}"


def is_archive(path: Path | str) -> bool:
    """True when ``path`` is a file starting like an archive (the rest is checked when it is read)."""
    p = Path(path).expanduser()
    try:
        if not p.is_file():
            return False
        with open(p, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def normalise_passphrase(text: str) -> bytes:
    """The bytes a passphrase stands for (NFC, so the same typed text always gives the same key)."""
    return unicodedata.normalize("NFC", text).encode("utf-8")


def read_passphrase_file(path: Path | str) -> str:
    """The first line of a passphrase file (its line ending left out)."""
    p = Path(path).expanduser()
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise os_error(exc, p) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PilarError("archive.passphrase_file_bad", path=str(p)) from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise PilarError("archive.passphrase_file_empty", path=str(p))
    return line


def check_new_passphrase(text: str) -> None:
    if len(text) < MIN_PASSPHRASE:
        raise PilarError("archive.passphrase_short", min=MIN_PASSPHRASE)


def province_recipient(data: Path | str) -> dict:
    """The province's public keys pinned in this folder's trust store (for ``--to-province``)."""
    from storage.office.keys import TrustStore

    prov = TrustStore.load(Path(data)).province
    if not prov or not prov.get("box"):
        raise PilarError("archive.no_province", path=str(Path(data) / "keys" / "trust.json"))
    return {"code": prov.get("code", ""), "box": prov["box"], "fp": prov.get("fp", "")}


# ---------------------------------------------------------------------- the encrypted stream

def _nonce(prefix: bytes, final: bool, counter: int) -> bytes:
    return prefix + (b"\x01" if final else b"\x00") + counter.to_bytes(8, "big")


class _Sealer:
    """Compress, cut into records and encrypt what is written; ``close`` writes the last record."""

    def __init__(self, fd: int, box: SecretBox, prefix: bytes) -> None:
        self.fd, self.box, self.prefix = fd, box, prefix
        self.zip = zlib.compressobj(6)
        self.buf = bytearray()
        self.counter = 0
        self.written = 0

    def write(self, data: bytes) -> None:
        self.buf += self.zip.compress(data)
        while len(self.buf) >= CHUNK:
            self._record(bytes(self.buf[:CHUNK]), False)
            del self.buf[:CHUNK]

    def close(self) -> None:
        self.buf += self.zip.flush()
        while len(self.buf) > CHUNK:
            self._record(bytes(self.buf[:CHUNK]), False)
            del self.buf[:CHUNK]
        self._record(bytes(self.buf), True)
        self.buf.clear()

    def _record(self, plain: bytes, final: bool) -> None:
        ct = self.box.encrypt(plain, _nonce(self.prefix, final, self.counter)).ciphertext
        rec = (b"\x01" if final else b"\x00") + len(ct).to_bytes(4, "big") + ct
        write_all(self.fd, rec)
        self.written += len(rec)
        self.counter += 1


class _Opener:
    """Read, authenticate and decompress the records of an archive; raises ``archive.*`` errors."""

    def __init__(self, fh, path: Path, box: SecretBox, prefix: bytes) -> None:
        self.fh, self.path, self.box, self.prefix = fh, path, box, prefix
        self.unzip = zlib.decompressobj()
        self.pending = bytearray()
        self.counter = 0
        self.done = False

    def _damaged(self, where: str) -> PilarError:
        return PilarError("archive.damaged", path=str(self.path), where=where)

    def _truncated(self) -> PilarError:
        return PilarError("archive.truncated", path=str(self.path))

    def _exact(self, n: int) -> bytes:
        try:
            data = self.fh.read(n)
        except OSError as exc:
            raise os_error(exc, self.path) from exc
        if len(data) < n:
            raise self._truncated()
        return data

    def _exact_or_less(self, n: int) -> bytes:
        try:
            return self.fh.read(n)
        except OSError as exc:
            raise os_error(exc, self.path) from exc

    def _next_record(self) -> bool:
        if self.done:
            return False
        try:
            head = self.fh.read(5)
        except OSError as exc:
            raise os_error(exc, self.path) from exc
        if not head:
            raise self._truncated()  # the file ends before the record marked last
        if len(head) < 5:
            raise self._truncated()
        flag, length = head[0], int.from_bytes(head[1:], "big")
        if flag not in (0, 1) or length < SecretBox.MACBYTES or length > CHUNK + SecretBox.MACBYTES:
            raise self._damaged(f"#{self.counter + 1}")
        ct = self._exact(length)
        try:
            plain = self.box.decrypt(ct, _nonce(self.prefix, flag == 1, self.counter))
        except CryptoError:
            raise self._damaged(f"#{self.counter + 1}") from None
        self.counter += 1
        if flag == 1:
            self.done = True
            if self._exact_or_less(1):
                raise self._damaged("+")  # bytes after the last record
        try:
            self.pending += self.unzip.decompress(plain)
            if self.done:
                self.pending += self.unzip.flush()
        except zlib.error:
            raise self._damaged(f"#{self.counter}") from None
        return True

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes of the payload (fewer only at its end)."""
        while len(self.pending) < n and self._next_record():
            pass
        out = bytes(self.pending[:n])
        del self.pending[:n]
        return out

    def finish(self) -> None:
        """The payload must end here: nothing left over, the last record read."""
        while self._next_record():
            pass
        if self.pending or not self.unzip.eof:
            raise self._damaged("+")


# ---------------------------------------------------------------------- header and keys

@dataclass
class Archive:
    """An archive whose header was read and whose file key was unwrapped."""

    path: Path
    header: dict
    header_bytes: bytes
    body_offset: int
    key: bytes

    @property
    def office(self) -> str:
        return str(self.header.get("office", ""))

    @property
    def name(self) -> str:
        return str(self.header.get("name", ""))

    @property
    def prefix(self) -> bytes:
        return hashlib.sha256(self.header_bytes).digest()[:15]


def read_header(path: Path | str) -> tuple[dict, bytes, int]:
    """(header, its bytes, where the records start); refuses what is not an intact archive header."""
    p = Path(path).expanduser()
    try:
        with open(p, "rb") as fh:
            start = fh.read(len(MAGIC) + 4)
            if len(start) < len(MAGIC) or start[:len(MAGIC)] != MAGIC:
                raise PilarError("archive.not_archive", path=str(p))
            if len(start) < len(MAGIC) + 4:
                raise PilarError("archive.truncated", path=str(p))
            length = int.from_bytes(start[len(MAGIC):], "big")
            if length > MAX_HEADER:
                raise PilarError("archive.damaged", path=str(p), where="header")
            raw = fh.read(length)
            check = fh.read(32)
    except OSError as exc:
        raise os_error(exc, p) from exc
    if len(raw) < length or len(check) < 32:
        raise PilarError("archive.truncated", path=str(p))
    if hashlib.sha256(start + raw).digest() != check:
        raise PilarError("archive.damaged", path=str(p), where="header")
    try:
        header = orjson.loads(raw)
        if not isinstance(header, dict) or header.get("format") != FORMAT or not isinstance(header.get("keys"), list):
            raise ValueError
    except (orjson.JSONDecodeError, ValueError):
        raise PilarError("archive.damaged", path=str(p), where="header") from None
    if not isinstance(header.get("version"), int) or header["version"] > VERSION:
        raise PilarError("archive.newer", path=str(p))
    return header, raw, len(start) + length + 32


def _kdf(passphrase: str, entry: dict) -> bytes:
    ops, mem, salt = int(entry["opslimit"]), int(entry["memlimit"]), bytes.fromhex(entry["salt"])
    if entry.get("kdf") != "argon2id13" or mem > MAX_MEMLIMIT or ops > 64 or len(salt) != argon2id.SALTBYTES:
        raise ValueError
    return argon2id.kdf(SecretBox.KEY_SIZE, normalise_passphrase(passphrase), salt, opslimit=ops, memlimit=mem)


def kinds(header: dict) -> set[str]:
    """How the archive can be opened: {"passphrase", "sealed"}."""
    return {str(e.get("type")) for e in header.get("keys", []) if isinstance(e, dict)}


def sealed_to(header: dict) -> dict | None:
    return next((e for e in header.get("keys", []) if isinstance(e, dict) and e.get("type") == "sealed"), None)


def open_archive(path: Path | str, passphrase: str | None = None, keys=None) -> Archive:
    """Read the header and unwrap the file key with the passphrase or an office's keys.

    ``keys``: an ``OfficeKeys`` (the province's) for an archive sealed to it. Nothing is written."""
    p = Path(path).expanduser()
    header, raw, offset = read_header(p)
    entries = [e for e in header["keys"] if isinstance(e, dict)]
    if keys is not None:
        for e in entries:
            if e.get("type") == "sealed":
                try:
                    return Archive(p, header, raw, offset, keys.decrypt(bytes.fromhex(e["box"])))
                except (CryptoError, KeyError, ValueError, TypeError):
                    pass
        seal = sealed_to(header)
        if seal is not None and passphrase is None:
            raise PilarError("archive.wrong_key", path=str(p), code=getattr(keys, "code", "?"), to=seal.get("to", "?"))
    if passphrase is not None:
        for e in entries:
            if e.get("type") == "passphrase":
                try:
                    kek = _kdf(passphrase, e)
                except (KeyError, ValueError, TypeError):
                    raise PilarError("archive.damaged", path=str(p), where="header") from None
                try:
                    return Archive(p, header, raw, offset, SecretBox(kek).decrypt(bytes.fromhex(e["box"])))
                except (CryptoError, KeyError, ValueError, TypeError):
                    raise PilarError("archive.wrong_passphrase", path=str(p)) from None
    if "passphrase" in kinds(header) and passphrase is None:
        raise PilarError("archive.need_passphrase", path=str(p))
    seal = sealed_to(header)
    if seal is not None:
        raise PilarError("archive.need_province_key", path=str(p), province=seal.get("to", "?"))
    raise PilarError("archive.damaged", path=str(p), where="header")


# ---------------------------------------------------------------------- reading the payload

def _safe_rel(rel: object) -> bool:
    if not isinstance(rel, str) or not rel or "\\" in rel or rel.startswith("/") or ":" in rel:
        return False
    parts = rel.split("/")
    return (all(part not in ("", ".", "..") for part in parts) and parts[0] in backups.ITEMS
            and parts[0] not in LEFT_OUT and (len(parts) == 1) == (parts[0] in ("office.json", "audit.jsonl",
                                                                                 "imports.jsonl")))


def _walk(archive: Archive, on_manifest: Callable[[dict], None] | None = None,
          sink: Callable[[str, bytes | None], None] | None = None) -> dict:
    """Authenticate and read the whole payload; every file checked against the manifest.

    ``on_manifest`` sees the manifest before any file is read (to refuse early); ``sink(rel, data)``
    receives each file's bytes, then ``sink(rel, None)`` at its end. Returns the manifest."""
    p = archive.path
    try:
        fh = open(p, "rb")
    except OSError as exc:
        raise os_error(exc, p) from exc
    with fh:
        try:
            fh.seek(archive.body_offset)
        except OSError as exc:
            raise os_error(exc, p) from exc
        r = _Opener(fh, p, SecretBox(archive.key), archive.prefix)
        head = r.read(8)
        if len(head) < 8:
            raise PilarError("archive.damaged", path=str(p), where="manifest")
        mlen = int.from_bytes(head, "big")
        if mlen > MAX_MANIFEST:
            raise PilarError("archive.damaged", path=str(p), where="manifest")
        raw = r.read(mlen)
        try:
            manifest = orjson.loads(raw)
            files = manifest["files"]
            if (len(raw) < mlen or manifest.get("format") != FORMAT + "-manifest" or not isinstance(files, list)
                    or manifest.get("header_sha256") != hashlib.sha256(archive.header_bytes).hexdigest()
                    or manifest.get("office") != archive.office or manifest.get("name") != archive.name):
                raise ValueError
            for f in files:
                if not (isinstance(f, dict) and _safe_rel(f.get("path")) and isinstance(f.get("size"), int)
                        and f["size"] >= 0 and isinstance(f.get("sha256"), str)):
                    raise ValueError
            if len({f["path"] for f in files}) != len(files):
                raise ValueError
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise PilarError("archive.damaged", path=str(p), where="manifest") from None
        if on_manifest is not None:
            on_manifest(manifest)
        for f in files:
            rel, left, digest = f["path"], f["size"], hashlib.sha256()
            while left:
                piece = r.read(min(left, CHUNK))
                if not piece:
                    raise PilarError("archive.damaged", path=str(p), where=rel)
                digest.update(piece)
                left -= len(piece)
                if sink is not None:
                    sink(rel, piece)
            if digest.hexdigest() != f["sha256"]:
                raise PilarError("archive.damaged", path=str(p), where=rel)
            if sink is not None:
                sink(rel, None)
        r.finish()
    return manifest


def verify_archive(archive: Archive) -> dict:
    """Check every byte of the archive (nothing is written); returns its manifest."""
    return _walk(archive)


# ---------------------------------------------------------------------- writing one

@dataclass
class ArchiveResult:
    path: Path
    size: int
    seconds: float
    files: int
    data_bytes: int
    passphrase: bool
    province: dict | None


def _wrap_keys(file_key: bytes, passphrase: str | None, province: dict | None) -> list[dict]:
    entries = []
    if passphrase is not None:
        salt = nacl.utils.random(argon2id.SALTBYTES)
        entry = {"type": "passphrase", "kdf": "argon2id13", "opslimit": OPSLIMIT, "memlimit": MEMLIMIT,
                 "salt": salt.hex()}
        kek = _kdf(passphrase, entry)
        entry["box"] = bytes(SecretBox(kek).encrypt(file_key)).hex()
        entries.append(entry)
    if province is not None:
        entries.append({"type": "sealed", "to": province.get("code", ""), "fp": province.get("fp", ""),
                        "box": SealedBox(PublicKey(bytes.fromhex(province["box"]))).encrypt(file_key).hex()})
    return entries


def write_archive(b: backups.Backup, folder: Path | str, passphrase: str | None = None,
                  province: dict | None = None) -> ArchiveResult:
    """Write backup ``b`` (a good one) as one encrypted archive in ``folder``; ``keys/`` left out.

    ``passphrase`` and/or ``province`` (``province_recipient``) say who can open it; at least one.
    Temp name, fsync, read back and verified, renamed: a failure leaves nothing with the final name.
    """

    if passphrase is None and province is None:
        raise PilarError("archive.need_secret", path=str(folder))
    if not b.good:
        raise PilarError("backup.not_good", name=b.name, problem=(b.problems or ["?"])[0])
    started = time.perf_counter()
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PilarError("backup.copy_out_failed", path=str(folder), problem=os_error(exc, folder)) from exc
    files = sorted((rel, info) for rel, info in b.meta["files"].items() if rel.split("/")[0] not in LEFT_OUT)
    base = archive_name(b.office, b.name)
    dest, n = folder / base, 1
    while dest.exists() or dest.with_name(dest.name + ".tmp").exists():
        n += 1
        dest = folder / base.replace(SUFFIX, f"-{n}{SUFFIX}")
    tmp = dest.with_name(dest.name + ".tmp")
    file_key = nacl.utils.random(SecretBox.KEY_SIZE)
    header = {"format": FORMAT, "version": VERSION, "office": b.office, "name": b.name, "created": b.created,
              "written": datetime.now().astimezone().isoformat(timespec="seconds"),
              "cipher": "xsalsa20poly1305", "compression": "zlib", "chunk": CHUNK,
              "keys": _wrap_keys(file_key, passphrase, province)}
    hbytes = _dumps(header)
    start = MAGIC + len(hbytes).to_bytes(4, "big")
    lead = start + hbytes + hashlib.sha256(start + hbytes).digest()
    meta = b.meta
    manifest = {"format": FORMAT + "-manifest", "office": b.office, "name": b.name,
                "header_sha256": hashlib.sha256(hbytes).hexdigest(),
                "backup": {k: meta.get(k) for k in ("created", "created_ns", "reason", "office", "office_name", "seq")},
                "left_out": list(LEFT_OUT),
                "files": [{"path": rel, "size": info["size"], "sha256": info["sha256"]} for rel, info in files]}
    mbytes = _dumps(manifest)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            write_all(fd, lead)
            sealer = _Sealer(fd, SecretBox(file_key), hashlib.sha256(hbytes).digest()[:15])
            sealer.write(len(mbytes).to_bytes(8, "big") + mbytes)
            for rel, info in files:
                digest, size = hashlib.sha256(), 0
                with open(b.path / rel, "rb") as fin:
                    while True:
                        piece = fin.read(CHUNK)
                        if not piece:
                            break
                        digest.update(piece)
                        size += len(piece)
                        sealer.write(piece)
                if size != info["size"] or digest.hexdigest() != info["sha256"]:
                    raise PilarError("backup.not_good", name=b.name, problem=t("backup.problem.changed", file=rel))
            sealer.close()
            os.fsync(fd)
        finally:
            os.close(fd)
        # Read back what is on the stick and check all of it with the file key (no passphrase needed).
        back, _, offset = read_header(tmp)
        if offset != len(lead) or _dumps(back) != hbytes:
            raise PilarError("archive.damaged", path=str(tmp), where="header")
        verify_archive(Archive(tmp, back, hbytes, offset, file_key))
        replace_file(tmp, dest)
        fsync_dir(folder, optional=True)
        size = dest.stat().st_size
    except BaseException as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise PilarError("backup.copy_out_failed", path=str(folder), problem=os_error(exc, tmp)) from exc
        if isinstance(exc, PilarError) and exc.key.startswith("archive."):
            raise PilarError("backup.copy_out_failed", path=str(folder), problem=str(exc)) from exc
        raise
    return ArchiveResult(path=dest, size=size, seconds=time.perf_counter() - started, files=len(files),
                         data_bytes=sum(info["size"] for _, info in files), passphrase=passphrase is not None,
                         province=province)


# ---------------------------------------------------------------------- restoring one

def _extract(path: Path, archive: Archive) -> backups.Backup:
    """Verify the whole archive into ``backups/.tmp-<name>`` and make it a backup (the caller holds
    the lock). A failure of any kind removes the staging folder: the data folder is unchanged."""
    bdir = backups.backups_dir(path)
    try:
        bdir.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, bdir) from exc
    backups.cleanup_leftovers(bdir)
    name = archive.name
    if not name or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z-]*", name):
        raise PilarError("archive.damaged", path=str(archive.path), where="header")
    tmp = bdir / f"{backups.TMP_PREFIX}{name}"
    backups.remove_path(tmp)
    codes = backups.live_codes(path)

    def early(manifest: dict) -> None:
        if codes and manifest["office"] not in codes:
            raise PilarError("backup.other_office", name=archive.path.name, found=manifest["office"],
                             expected=", ".join(sorted(codes)))

    state: dict = {"fd": None}

    def sink(rel: str, data: bytes | None) -> None:
        if state["fd"] is None:
            target = tmp / rel
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            state["fd"] = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            state["size"] = 0
        if data is None:
            os.fsync(state["fd"])
            os.close(state["fd"])
            state["fd"] = None
            return
        write_all(state["fd"], data)
        state["size"] += len(data)

    try:
        tmp.mkdir(mode=0o700)
        manifest = _walk(archive, early, sink)
        # A backup of that name may be here already (made before the archive, so holding keys/): the
        # archive's copy gets its own name, so a restore from it always keeps the folder's keys.
        final, n = bdir / name, 1
        while final.exists():
            n += 1
            final = bdir / f"{name}-archive-{n}"
        info = manifest.get("backup") or {}
        files = {}
        for f in manifest["files"]:
            entry = {"size": f["size"], "sha256": f["sha256"]}
            try:
                entry["copy_mtime_ns"] = (tmp / f["path"]).stat().st_mtime_ns
            except OSError:
                pass
            files[f["path"]] = entry
        meta = {"format": backups.BACKUP_FORMAT, "name": final.name, "created": str(info.get("created") or ""),
                "created_ns": int(info.get("created_ns") or 0), "reason": str(info.get("reason") or ""),
                "office": manifest["office"], "office_name": str(info.get("office_name") or ""),
                "seq": int(info.get("seq") or 0), "size": sum(f["size"] for f in manifest["files"]),
                "copied": sum(f["size"] for f in manifest["files"]), "verified": True, "problems": [],
                "from_archive": archive.path.name, "files": files}
        fd = os.open(tmp / backups.META, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        try:
            write_all(fd, orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
            os.fsync(fd)
        finally:
            os.close(fd)
        backups.fsync_tree(tmp)
        replace_file(tmp, final)
        fsync_dir(bdir)
    except BaseException as exc:
        if state.get("fd") is not None:
            try:
                os.close(state["fd"])
            except OSError:
                pass
        backups.remove_path(tmp)
        if isinstance(exc, OSError):
            raise backups.backup_os_error(exc, bdir) from exc
        raise
    return backups.read_backup(final, deep=False)


def restore_archive(path: Path | str, file: Path | str, passphrase: str | None = None, keys=None,
                    operator: str = "") -> backups.RestoreResult:
    """Restore the data folder ``path`` from an archive: the whole archive is verified (into a
    staging backup) before the folder is touched; then ``storage.backup.backups.restore`` puts it back
    (the current state backed up first, keys/ kept, a new replica id)."""
    path = Path(path).expanduser().resolve()
    archive = open_archive(file, passphrase=passphrase, keys=keys)
    new_folder = not path.exists()  # a new computer: the folder is made here, and removed if refused
    new_bdir = not backups.backups_dir(path).exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, path) from exc
    try:
        with backups.hold_lock(path, operator):
            backup = _extract(path, archive)
    except BaseException:
        if new_folder:
            shutil.rmtree(path, ignore_errors=True)
        elif new_bdir:
            try:
                backups.backups_dir(path).rmdir()
            except OSError:
                pass
        raise
    return backups.restore(path, backup.name, operator=operator)


def has_office_key(path: Path | str) -> bool:
    from storage.office.keys import KEY_FILE, keys_dir

    return (keys_dir(Path(path)) / KEY_FILE).is_file()


__all__ = [
    "Archive", "ArchiveResult", "archive_name", "check_new_passphrase", "has_office_key", "is_archive",
    "open_archive", "province_recipient", "read_header", "read_passphrase_file", "restore_archive",
    "verify_archive", "write_archive",
]
