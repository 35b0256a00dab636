"""The Ringkasan's figures for the app about to start at the province, begun before the app's modules are
imported (issue 25).

``pilar`` at the province opens on the Ringkasan. Its current figures come from the tallies the folder keeps
(``current_at_start``: ~15 ms), or, when it keeps none (an older Pilar folded last, an older backup was
restored), are counted from the files part by part, on a thread that waits for child processes
(storage/summary/count.py). Importing the app (Textual, its screens: ~0.5 s of CPU) needs none of that, so
``begin`` starts it first (``tui.cli.core.make_app``): the count runs on the other core while the app's
modules are imported and Textual starts, and the app (``PilarApp(figures=...)``) takes what it finds.
"""

from __future__ import annotations

import threading
from pathlib import Path

from storage.core.db import read_office, take_lock
from storage.core.errors import LockedError, PilarError


def probe_lock(path: Path) -> None:
    """Say at once, before any screen, that another Pilar holds the folder (``db.locked``, the sentence
    ``Database.open`` says): the app opening its folder in the background would only find out after its
    first frame. The lock is let go at once; the open takes it again (a Pilar that takes it in between is
    reported by the open, and the app stops)."""
    try:
        take_lock(path).release()
    except LockedError:
        raise
    except PilarError:
        return  # the open says what is wrong with the folder


class StartFigures:
    """The current figures from the folder's tallies (``current``), else the last session's (``kept``) and
    a count from the files begun on a thread (``counted()`` waits for it; None when it could not count:
    then the opened folder counts, and says what is damaged)."""

    def __init__(self, path: Path) -> None:
        import storage.summary as summary  # looked up at each call (tests hold the count back)

        self.path = Path(path)
        self.current: dict | None = summary.current_at_start(self.path)
        self.kept: tuple[dict, float] | None = None
        self._counted: dict | None = None
        self._thread: threading.Thread | None = None
        if self.current is None:
            self.kept = summary.last_kept(self.path)
            self._thread = threading.Thread(target=self._count, name="pilar-count", daemon=True)
            self._thread.start()

    @property
    def counting(self) -> bool:
        return self._thread is not None

    def _count(self) -> None:
        import storage.summary as summary

        try:
            self._counted = summary.current_at_start(self.path, count=True, processes=None)
        except Exception:  # noqa: BLE001 - a damaged file: the open says it
            self._counted = None

    def counted(self) -> dict | None:
        """The figures counted from the files (waits for the count)."""
        if self._thread is not None:
            self._thread.join()
        return self._counted


def begin(path: Path) -> StartFigures | None:
    """The start figures of the folder at ``path`` when the app opens on the Ringkasan (the province) and
    opens its folder after the first frame; None at a UPT (the roster first). Says first that another Pilar
    holds the folder (``probe_lock``)."""
    path = Path(path).expanduser().resolve()
    if read_office(path).get("type") != "PROVINCE":
        return None
    probe_lock(path)
    return StartFigures(path)
