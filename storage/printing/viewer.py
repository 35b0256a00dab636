"""Opening a printed file with the system's viewer ("Cetak opens"): Windows ``os.startfile``, macOS
``open``, elsewhere ``xdg-open``. On by default per data folder (``open_after_print`` in office.json);
never while tests run (``PYTEST_CURRENT_TEST``) or when ``PILAR_NO_VIEWER`` is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage.core.db import Database, write_office
from storage.core.errors import PilarError
from storage.core.i18n import t

SETTING = "open_after_print"
ENV_OFF = "PILAR_NO_VIEWER"


def enabled(office: dict) -> bool:
    """Whether Cetak should open what it wrote (the setting, and not under a test or PILAR_NO_VIEWER)."""
    if os.environ.get(ENV_OFF) or os.environ.get("PYTEST_CURRENT_TEST"):
        return False
    return office.get(SETTING, True) is not False


def set_enabled(db: Database, on: bool) -> bool:
    """Keep the setting in this folder's office.json (a preference of this computer, not synced); a
    change is audited (``settings.viewer``) and needs an operator, as every change does."""
    on = bool(on)
    if (db.office.get(SETTING, True) is not False) == on:  # as it is already: nothing to write or audit
        return on
    if not str(db.operator or "").strip():
        raise PilarError("db.no_operator")
    db.office = dict(db.office, **{SETTING: on})
    write_office(db.path, db.office)
    db.record_note("settings.viewer", "office", db.code, note=f"open printed files with the system viewer: "
                   f"{'on' if on else 'off'}")
    return on


def command(path: Path, platform: str | None = None) -> list[str] | None:
    """The command that opens ``path`` on ``platform`` (None on Windows: ``os.startfile`` does it)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return None
    return ["open" if platform == "darwin" else "xdg-open", str(path)]


def open_file(path: Path) -> None:
    """Hand ``path`` to the system viewer and return at once; OSError when there is none."""
    cmd = command(path)
    if cmd is None:
        os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
        return
    subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def after_print(office: dict, path: Path) -> str | None:
    """Open ``path`` when the setting says so; the sentence to show beside the path, or None."""
    if not enabled(office):
        return None
    try:
        open_file(Path(path))
    except OSError as exc:
        return t("viewer.failed", path=str(path), detail=exc.strerror or str(exc))
    return t("viewer.opened", path=str(path))
