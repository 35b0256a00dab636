"""Text as people type it: digits of a number, folded search text, membership numbers, typed dates.

The date readers live here: :func:`iso_date` (a stored 'YYYY-MM-DD' date: records, the command line's
payout dates) and :func:`parse_typed_date` (what a clerk types: the roster form, the events form read
'01-07-1985', '1/7/1985', '1.7.1985' and '1985-07-01' alike). The roster import reads what spreadsheets
hold (Excel serials, month names) with its own reader, ``storage.roster.importing.words.parse_sheet_date``.
"""

from __future__ import annotations

import datetime as dt
import re

_SEPARATORS = str.maketrans("", "", " \t\r\n\u00a0.-/")


def digits(text: object) -> str:
    """Only the digits of ``text`` ('0812-3456 789' -> '08123456789')."""
    return "".join(ch for ch in str(text or "") if ch.isdigit())


def fold(text: str) -> str:
    """Text as a search compares it: case and runs of spaces ignored."""
    return " ".join(str(text or "").casefold().split())


def norm_number(text: str) -> str:
    """A membership number as typed or scanned: case, spaces, dots, dashes and slashes ignored."""
    return str(text or "").translate(_SEPARATORS).upper()


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: object) -> dt.date | None:
    """A real 'YYYY-MM-DD' date (or a date object), else None: how dates are stored."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_typed_date(text: str) -> str | None:
    """'01-07-1985', '1/7/1985', '1.7.1985' or '1985-07-01' -> '1985-07-01'; None when not a date."""
    text = str(text or "").strip().replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        if len(parts[0]) == 4:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
        if len(parts[2]) == 4:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    except ValueError:
        return None
    return None


def from_iso(value: str) -> str:
    """'1985-07-01' -> '01-07-1985' (how clerks write dates); anything else as it is."""
    try:
        return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
    except (TypeError, ValueError):
        return value or ""
