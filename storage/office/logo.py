"""The logo at the left of this office's kop (letterhead), set in F10 or ``pilar settings --logo FILE``.

The clerk names a PNG or JPG file anywhere (a stick, Downloads); it is checked (really a PNG or JPEG, at
most :data:`MAX_BYTES`, at most :data:`MAX_SIDE` pixels a side, and one fpdf2 can place on a page) and
copied into the data folder as ``kop-logo.png`` / ``kop-logo.jpg``. office.json keeps only that name
(``logo``), so the logo moves with the folder and prints even when the original file is gone.

Like the address and telephone of the kop, it is this office's own setting (office.json): it does not
travel in bundles, and backups (which copy ``db/``, ``office.json`` and the logs) leave the file out; a
logo missing from the folder is simply not printed. Each change is audited (``settings.logo``), without
the file's contents.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from storage.core.db import Database, write_office
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write, os_error

SETTING = "logo"
STEM = "kop-logo"
MAX_BYTES = 2 * 1024 * 1024  # a scanned coat of arms is well under; this keeps every PDF small
MAX_SIDE = 4000  # pixels: larger is a photo, not a logo (and a decompression bomb is refused unread)
_KINDS = {b"\x89PNG\r\n\x1a\n": ("PNG", ".png"), b"\xff\xd8\xff": ("JPEG", ".jpg")}


def path(db: Database) -> Path | None:
    """The logo file to print, or None: none set, or the file is no longer in the folder."""
    name = str(db.office.get(SETTING) or "")
    if not name or Path(name).name != name or not name.startswith(STEM):
        return None  # only a file of our own naming, directly in the data folder
    found = Path(db.path) / name
    return found if found.is_file() else None


def check(data: bytes, source: str) -> tuple[str, tuple[int, int]]:
    """The extension ('.png', '.jpg') and pixel size of a logo, or a PilarError saying what to do."""
    kind = next((v for magic, v in _KINDS.items() if data.startswith(magic)), None)
    if kind is None:
        raise PilarError("logo.not_image", path=source)
    if len(data) > MAX_BYTES:
        raise PilarError("logo.too_big", path=source, size=f"{len(data) / 1024 / 1024:.1f}".replace(".", ","),
                         limit=MAX_BYTES // (1024 * 1024))
    from PIL import Image  # fpdf2's own dependency: it reads the images it places

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != kind[0]:
                raise PilarError("logo.not_image", path=source)
            size = img.size
            if max(size) > MAX_SIDE:
                raise PilarError("logo.too_large", path=source, width=size[0], height=size[1], limit=MAX_SIDE)
            img.load()  # the whole file decodes (not cut short, not damaged)
    except PilarError:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        raise PilarError("logo.damaged", path=source) from None
    _placeable(data, source)
    return kind[1], size


def _placeable(data: bytes, source: str) -> None:
    """fpdf2 places it on a page (some PNG variants Pillow reads fpdf2 does not)."""
    from fpdf import FPDF

    try:
        pdf = FPDF()
        pdf.add_page()
        pdf.image(io.BytesIO(data), x=10, y=10, h=16)
        pdf.output()
    except Exception:  # noqa: BLE001 - whatever fpdf2 stumbles on, the clerk gets one sentence
        raise PilarError("logo.damaged", path=source) from None


def set_logo(db: Database, source: Path | str) -> Path:
    """Check ``source`` and copy it into the data folder as this office's logo; returns the copy's path.
    Nothing changes when the file is refused."""
    if not str(db.operator or "").strip():
        raise PilarError("db.no_operator")
    source = Path(source).expanduser()
    if not source.is_file():
        raise PilarError("logo.no_file", path=str(source))
    try:
        data = source.read_bytes() if source.stat().st_size <= MAX_BYTES else b""
    except OSError as exc:
        raise os_error(exc, source) from exc
    if not data:  # larger than the limit (or empty): said without reading it all
        size = source.stat().st_size
        if size == 0:
            raise PilarError("logo.not_image", path=str(source))
        raise PilarError("logo.too_big", path=str(source), size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
                         limit=MAX_BYTES // (1024 * 1024))
    ext, (width, height) = check(data, str(source))
    name = STEM + ext
    target = Path(db.path) / name
    atomic_write(target, data)
    old = str(db.office.get(SETTING) or "")
    db.office = dict(db.office, **{SETTING: name})
    write_office(db.path, db.office)
    if old and old != name and old.startswith(STEM) and Path(old).name == old:
        (Path(db.path) / old).unlink(missing_ok=True)  # a .jpg replaced by a .png
    db.record_note("settings.logo", "office", db.code,
                   note=f"kop logo set from {source.name}: {width}x{height} px, sha256 "
                        f"{hashlib.sha256(data).hexdigest()[:16]}")
    return target


def clear_logo(db: Database) -> bool:
    """Print no logo any more (the copy in the folder is removed); False when there was none."""
    old = str(db.office.get(SETTING) or "")
    if not old:
        return False
    if not str(db.operator or "").strip():
        raise PilarError("db.no_operator")
    db.office = {k: v for k, v in db.office.items() if k != SETTING}
    write_office(db.path, db.office)
    if old.startswith(STEM) and Path(old).name == old:
        (Path(db.path) / old).unlink(missing_ok=True)
    db.record_note("settings.logo", "office", db.code, note="kop logo removed")
    return True
