"""Office keys and trust: Ed25519 to sign bundles, Curve25519 to encrypt them to the recipient.

Files in ``<data>/keys/`` (mode 0600, readable only by their owner):

- ``office.key``: this office's private keys (signing seed and encryption key), hex in JSON.
- ``trust.json``: the province's pinned public keys and the list of offices with their public keys
  and status (``enrolled`` = no key yet, ``trusted``, ``revoked``). At the province the list is
  written here and signed with the province key; at a UPT it is the last list the province signed
  (it travels in every bundle from the province and in the enrolment file).

The province is the root of trust: a UPT pins the province key when it is set up from the enrolment
file (the operator compares the fingerprint with the one the province gives by letter or phone), and
trusts other offices' keys only through the list the province signed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import orjson
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

from storage.core.db import PROVINCE_CODE, now_iso
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write, os_error
from storage.office import keyguard

KEY_FILE = "office.key"
TRUST_FILE = "trust.json"
ENROL_FORMAT = "pilar-enrolment"
TRUST_LIST_FORMAT = "pilar-trust-list"

TRUSTED = "trusted"
ENROLLED = "enrolled"
REVOKED = "revoked"


def _dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def fingerprint(sign_pk_hex: str, box_pk_hex: str) -> str:
    """A short, readable fingerprint of an office's two public keys: 8 groups of 4 hex digits."""
    digest = hashlib.sha256(bytes.fromhex(sign_pk_hex) + bytes.fromhex(box_pk_hex)).hexdigest()[:32].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def keys_dir(data: Path) -> Path:
    return Path(data) / "keys"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    atomic_write(path, data)  # atomic_write creates files with mode 0600
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def _read_json(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        raise PilarError("sync.keys_damaged", path=str(path)) from None
    except OSError as exc:
        raise os_error(exc, path) from exc
    if not isinstance(data, dict):
        raise PilarError("sync.keys_damaged", path=str(path))
    return data


class OfficeKeys:
    """This office's own key pair (signing + encryption)."""

    def __init__(self, code: str, signing: SigningKey, box: PrivateKey) -> None:
        self.code = code
        self.signing = signing
        self.box = box

    @property
    def sign_pk(self) -> str:
        return self.signing.verify_key.encode().hex()

    @property
    def box_pk(self) -> str:
        return self.box.public_key.encode().hex()

    @property
    def fp(self) -> str:
        return fingerprint(self.sign_pk, self.box_pk)

    def public(self, name: str = "") -> dict:
        return {"code": self.code, "name": name, "sign": self.sign_pk, "box": self.box_pk, "fp": self.fp}

    def sign(self, data: bytes) -> bytes:
        return self.signing.sign(data).signature

    def decrypt(self, data: bytes) -> bytes:
        return SealedBox(self.box).decrypt(data)


def _write_key(path: Path, keys: dict) -> None:
    """The private key file: wrapped for the Windows user on Windows (keyguard.py), else 0600."""
    plain = orjson.dumps(keys, option=orjson.OPT_INDENT_2)
    _write_private(path, orjson.dumps(keyguard.wrap(plain), option=orjson.OPT_INDENT_2) if keyguard.wanted() else plain)


def load_own(data: Path, code: str | None = None) -> OfficeKeys | None:
    path = keys_dir(data) / KEY_FILE
    raw = _read_json(path)
    if raw is None:
        return None
    if keyguard.is_wrapped(raw):
        plain = keyguard.unwrap(raw)
        if plain is None:
            raise PilarError("sync.keys_other_user", path=str(path))
        try:
            raw = orjson.loads(plain)
        except orjson.JSONDecodeError:
            raise PilarError("sync.keys_damaged", path=str(path)) from None
    elif keyguard.wanted():
        # A key written before it was wrapped (Pilar 0.1.0 on Windows): wrapped now, for this user.
        try:
            _write_key(path, raw)
        except (PilarError, OSError):
            pass  # still usable as it is; wrapped at the next chance
    try:
        return OfficeKeys(raw["code"], SigningKey(bytes.fromhex(raw["sign_seed"])),
                          PrivateKey(bytes.fromhex(raw["box_sk"])))
    except (KeyError, ValueError, TypeError):
        raise PilarError("sync.keys_damaged", path=str(keys_dir(data) / KEY_FILE)) from None


def create_office_keys(db) -> OfficeKeys:
    """Make this office's keys (once) and, at the province, its own entry as the root of trust."""
    existing = load_own(db.path)
    if existing is not None:
        return existing
    signing = SigningKey.generate()
    box = PrivateKey.generate()
    _write_key(keys_dir(db.path) / KEY_FILE, {"format": "pilar-key", "code": db.code, "sign_seed": signing.encode().hex(),
                                              "box_sk": box.encode().hex(), "created": now_iso()})
    keys = OfficeKeys(db.code, signing, box)
    store = TrustStore.load(db.path)
    if db.is_province:
        store.data["province"] = keys.public(db.office.get("name", ""))
        store.resign(keys)
    store.save()
    return keys


def own_keys(db) -> OfficeKeys:
    """This office's keys, made on first use."""
    return load_own(db.path) or create_office_keys(db)


def verify(sign_pk_hex: str, data: bytes, signature: bytes) -> bool:
    try:
        VerifyKey(bytes.fromhex(sign_pk_hex)).verify(data, signature)
        return True
    except (BadSignatureError, ValueError, TypeError, CryptoError):
        return False


def encrypt_to(box_pk_hex: str, data: bytes) -> bytes:
    return SealedBox(PublicKey(bytes.fromhex(box_pk_hex))).encrypt(data)


class TrustStore:
    """``keys/trust.json``: the province's pinned key and the offices' keys with their status."""

    def __init__(self, path: Path, data: dict) -> None:
        self.path = path
        self.data = data

    @classmethod
    def load(cls, data_dir: Path) -> TrustStore:
        path = keys_dir(data_dir) / TRUST_FILE
        data = _read_json(path) or {"format": "pilar-trust-store", "province": None, "offices": {},
                                    "list_version": 0, "list_sig": None}
        data.setdefault("offices", {})
        return cls(path, data)

    def save(self) -> None:
        _write_private(self.path, orjson.dumps(self.data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))

    @property
    def province(self) -> dict | None:
        return self.data.get("province")

    @property
    def offices(self) -> dict[str, dict]:
        return self.data["offices"]

    def office(self, code: str) -> dict | None:
        if self.province and code == self.province.get("code"):
            return dict(self.province, status=TRUSTED)
        return self.offices.get(code)

    # ------------------------------------------------------------ the signed list (province)

    def signed_list(self) -> dict:
        """The list of offices as the province signed it: ``{"list": {...}, "sig": hex}``."""
        body = {"format": TRUST_LIST_FORMAT, "province": self.province, "version": self.data.get("list_version", 0),
                "offices": self.offices}
        return {"list": body, "sig": self.data.get("list_sig")}

    def resign(self, keys: OfficeKeys) -> None:
        self.data["list_version"] = int(self.data.get("list_version", 0)) + 1
        body = self.signed_list()["list"]
        self.data["list_sig"] = keys.sign(_dumps(body)).hex()

    def set_office(self, keys: OfficeKeys, code: str, **fields: Any) -> dict:
        entry = dict(self.offices.get(code) or {"code": code, "name": "", "sign": None, "box": None, "fp": None,
                                               "status": ENROLLED})
        entry.update(fields)
        entry["since"] = now_iso()
        self.offices[code] = entry
        self.resign(keys)
        return entry

    def accept_list(self, signed: dict | None) -> bool:
        """Take a newer office list signed by the pinned province key (at a UPT). True when taken."""
        if not signed or not self.province:
            return False
        body, sig = signed.get("list"), signed.get("sig")
        if not isinstance(body, dict) or not isinstance(sig, str):
            return False
        try:
            sig_bytes = bytes.fromhex(sig)
        except ValueError:
            return False
        if not verify(self.province["sign"], _dumps(body), sig_bytes):
            return False
        version = body.get("version")
        if not isinstance(version, int) or version <= int(self.data.get("list_version", 0)):
            return False
        offices = body.get("offices")
        if not isinstance(offices, dict):
            return False
        self.data["offices"] = offices
        self.data["list_version"] = version
        self.data["list_sig"] = sig
        return True

    def list_is_newer(self, signed: dict | None) -> bool:
        body = (signed or {}).get("list") or {}
        version = body.get("version") if isinstance(body, dict) else None
        return isinstance(version, int) and version > int(self.data.get("list_version", 0))


# ---------------------------------------------------------------------- enrolment files

def enrolment(db, code: str, name: str, kab: str = "", city: str = "", reads: dict | None = None) -> dict:
    """The enrolment file the province gives a new office (public keys only, signed). The office's
    ``kab`` and letterhead ``city`` are optional keys added in issue 24: version 1 still, since the
    previous release reads the file and ignores them (and a file without them is read as before)."""
    keys = own_keys(db)
    store = TrustStore.load(db.path)
    office = {"code": code, "name": name, **{k: v for k, v in (("kab", kab), ("city", city)) if v}}
    body = {"format": ENROL_FORMAT, "version": 1, "office": office,
            "province": keys.public(db.office.get("name", "")), "trust": store.signed_list(),
            "created": now_iso()}
    if reads:
        body["reads"] = reads  # the bundle formats the province reads (issue 22: the office's first bundle sealed)
    return {"body": body, "sig": keys.sign(_dumps(body)).hex()}


def read_enrolment(path: Path) -> dict:
    """Read and check an enrolment file; returns its body."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise os_error(exc, path) from exc
    if len(raw) > 4 * 1024 * 1024:
        raise PilarError("sync.enrol_bad", path=str(path))
    try:
        data = orjson.loads(raw)
        body, sig = data["body"], bytes.fromhex(data["sig"])
        prov = body["province"]
        ok = (body.get("format") == ENROL_FORMAT and verify(prov["sign"], _dumps(body), sig)
              and prov["fp"] == fingerprint(prov["sign"], prov["box"]) and body["office"]["code"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise PilarError("sync.enrol_bad", path=str(path))
    if body.get("version", 1) > 1:
        raise PilarError("sync.enrol_newer", path=str(path))
    return body


def setup_from_enrolment(db, body: dict) -> OfficeKeys:
    """At the new office: make its keys and pin the province key and list from the enrolment file."""
    keys = own_keys(db)
    store = TrustStore.load(db.path)
    prov = dict(body["province"])
    store.data["province"] = {k: prov.get(k) for k in ("code", "name", "sign", "box", "fp")}
    store.accept_list(body.get("trust"))
    store.save()
    return keys


def is_province_code(code: str) -> bool:
    return code == PROVINCE_CODE
