"""What a spreadsheet program allows and runs, for every reader and writer of spreadsheet files (issue 22).

The readers (storage.roster.importing.read, storage.payouts.bank_result) hold to Excel's own limits, so a
tiny hostile file cannot take the clerk's PC down; the writers (storage.printing.tables) and the form's
checks (storage.domain.validate) share one test of what Excel would run as a formula.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from storage.core.errors import PilarError

EXCEL_COLS = 16_384  # XFD
EXCEL_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767  # the most an Excel cell holds
MAX_CELLS = 12_000_000  # cells kept in all, padding included (~100 MB of row lists): 200,000 rows x 60 columns
MAX_ROWS = 200_000
MAX_UNPACKED_MB = 200

# = + - @ and their full-width forms; any control character (tab, CR, LF) too: see formula_like
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (or a DDE call): it starts with = + - @
    (or their full-width forms) or with a control character (tab, CR, LF)."""
    return bool(text) and (text.startswith(FORMULA_START) or text[0] < " ")


def check_workbook_zip(path: Path, looks_right: Callable[[set[str]], bool] | None = None,
                       limit_mb: int = MAX_UNPACKED_MB) -> None:
    """Refuse, in a sentence, a file that is not a zip with the parts ``looks_right`` wants, or that would
    unpack past ``limit_mb`` (a zip bomb), before any parser sees it."""
    path = Path(path)
    with path.open("rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04" or not zipfile.is_zipfile(path):
        raise PilarError("roster.import.not_xlsx", path=str(path))
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise PilarError("roster.import.damaged", path=str(path), detail=str(exc)) from None
    if looks_right is None:
        looks_right = lambda n: "[Content_Types].xml" in n and any(x.startswith("xl/") for x in n)  # noqa: E731
    if not looks_right(names):
        raise PilarError("roster.import.not_xlsx", path=str(path))
    if unpacked > limit_mb * 1024 * 1024:
        raise PilarError("roster.import.unpacked_too_big", path=str(path), size=unpacked // (1024 * 1024),
                         limit=limit_mb)
