"""The office's private key at rest, beyond file modes.

On Linux and macOS ``keys/office.key`` is readable by its owner only (0600): that is the protection.
On Windows file modes do nothing, so the key file holds the keys encrypted with DPAPI for the Windows
user who made them (``CryptProtectData`` through pywin32's ``win32crypt``): another user of the PC, or
a copy of the folder taken to another PC (a stolen stick, a backup), cannot use the key to sign bundles
or open the ones sent to this office. The limit: whoever can log in as that Windows user can (as with
any key on that account); a new Windows profile or PC cannot open it either, so the office asks the
province to enrol it again (the message says so), exactly as after a restore without keys.
"""

from __future__ import annotations

import base64
import sys
from typing import Any

PROTECTION = "dpapi-user"
_DESCRIPTION = "Pilar office key"


def wanted() -> bool:
    """True where the key must be wrapped (Windows)."""
    return sys.platform == "win32"


def _api() -> Any:
    import win32crypt  # pywin32: a dependency on Windows only (pyproject.toml)

    return win32crypt


def wrap(plain: bytes) -> dict:
    """The key file's content for ``plain`` (the keys' JSON) on this PC's current Windows user."""
    blob = _api().CryptProtectData(plain, _DESCRIPTION, None, None, None, 0)
    return {"format": "pilar-key", "protect": PROTECTION, "blob": base64.b64encode(blob).decode("ascii")}


def unwrap(stored: dict) -> bytes | None:
    """The keys' JSON from a wrapped key file; None when this Windows user on this PC cannot open it."""
    try:
        blob = base64.b64decode(stored["blob"])
        _description, plain = _api().CryptUnprotectData(blob, None, None, None, 0)
    except Exception:  # noqa: BLE001 - pywintypes.error (another user or PC), a bad blob, no pywin32
        return None
    return bytes(plain)


def is_wrapped(stored: dict) -> bool:
    return stored.get("protect") == PROTECTION
