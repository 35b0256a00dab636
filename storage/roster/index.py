"""The roster's indexes kept in step with each commit instead of rebuilt (issue 25).

A saved form changes one member: its row is taken out of every sorted list, the first-letter index and
the last search result by binary search and put back where it now belongs, so a save at 100,000 members
costs what it costs at 1,000 (sorting everything again took 0.25 s). The sorted lists and the index are
changed in place (the roster hands out copies of them only); the last search result, which the table
shows, is copied first (a copy of 100,000 references is ~0.5 ms).

The first-letter index maps each letter and digit to the rows (in name order) whose search key holds it,
or one of whose place words starts with it: what ``storage.roster.service.matcher`` finds for one character. The
first letter typed is then a dictionary hit instead of a pass over every row; each further letter narrows
the previous result (``scan``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.core.db import Database

# a storage.roster.service.Row (this module is below the service: it is handed the service's sort keys,
# matcher and row maker rather than importing them)
Row = Any

# More changed members than this in one commit (an import): the lists are sorted again on next use.
INCREMENTAL_LIMIT = 500
INDEXED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_WORD = "\x1e"  # storage.roster.service._WORD: starts each place word (in capitals) in the search key

Change = tuple["Row | None", "Row | None"]  # (the row before, the row after); None: absent


def _locate(rows: Sequence[Row], key: object, keyf: Callable[[Row], object], desc: bool) -> int:
    """The first index whose row does not sort before ``key`` (ascending, or descending when ``desc``)."""
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        k = keyf(rows[mid])
        if (k > key) if desc else (k < key):  # type: ignore[operator]
            lo = mid + 1
        else:
            hi = mid
    return lo


def _remove(rows: list[Row], row: Row, keyf: Callable[[Row], object], desc: bool) -> None:
    key = keyf(row)
    i = _locate(rows, key, keyf, desc)
    n = len(rows)
    while i < n and keyf(rows[i]) == key:
        if rows[i] is row:
            del rows[i]
            return
        i += 1
    for i, r in enumerate(rows):  # not where its key says (cannot happen): found by identity
        if r is row:
            del rows[i]
            return


def _insert(rows: list[Row], row: Row, keyf: Callable[[Row], object], desc: bool) -> None:
    key = keyf(row)
    i = _locate(rows, key, keyf, desc)
    n = len(rows)
    while i < n and keyf(rows[i]) == key:  # after its equals, as a stable sort of the new list would
        i += 1
    rows.insert(i, row)


def move(rows: list[Row], changes: Iterable[Change], keyf: Callable[[Row], object], reverse: bool) -> None:
    """In ``rows`` (sorted by ``keyf``), take each change's old row out and put its new row in."""
    for old, new in changes:
        if old is not None:
            _remove(rows, old, keyf, reverse)
        if new is not None:
            _insert(rows, new, keyf, reverse)


def updated(rows: list[Row], changes: Iterable[Change], keyf: Callable[[Row], object], reverse: bool) -> list[Row]:
    """A copy of ``rows`` with the changes moved (for a list a screen may be reading)."""
    out = list(rows)
    move(out, changes, keyf, reverse)
    return out


# ---------------------------------------------------------------------- first letter

_PLACES: dict[str, frozenset[str]] = {}  # the place words at the end of a key -> their first letters


def chars_of(key: str) -> frozenset[str]:
    """The letters and digits one typed character finds this key by (see ``storage.roster.service.matcher``):
    those in the name, NIK, numbers and phone, and the first letter of each place word."""
    at = key.find(_WORD)
    if at == -1:
        return INDEXED.intersection(key)
    places = key[at:]
    initials = _PLACES.get(places)
    if initials is None:
        initials = frozenset(w[:1].lower() for w in places.split(_WORD)) & INDEXED
        if len(_PLACES) < 100_000:
            _PLACES[places] = initials
    return INDEXED.intersection(key[:at]) | initials


def build_chars(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Character -> the rows holding it, in the order of ``rows`` (the name order)."""
    index: dict[str, list[Row]] = {c: [] for c in sorted(INDEXED)}
    appends = {c: v.append for c, v in index.items()}
    for row in rows:
        for c in chars_of(row.key):
            appends[c](row)
    return index


def move_chars(index: dict[str, list[Row]], changes: list[Change], keyf: Callable[[Row], object]) -> None:
    """Move the changed rows in the index's lists of the characters they hold (in place, ``keyf``: the
    name order)."""
    for old, new in changes:
        if old is not None:
            for c in chars_of(old.key):
                _remove(index[c], old, keyf, False)
        if new is not None:
            for c in chars_of(new.key):
                _insert(index[c], new, keyf, False)


def scan(rows: Sequence[Row], needle: str, matcher: Callable[[str], Callable[[str], bool]]) -> list[Row]:
    """The rows whose key matches ``needle`` (one tight loop for the common one-word case; else the
    service's ``matcher``)."""
    words = needle.split()
    if len(words) == 1 and words[0].isalnum():
        word = words[0]
        if word.isdigit():
            return [r for r in rows if word in r.key]
        if word.isalpha():
            place = _WORD + word.upper()
            return [r for r in rows if word in r.key or place in r.key]
    match = matcher(needle)
    return [r for r in rows if match(r.key)]


# ---------------------------------------------------------------------- active assignments (validation)

ActiveIndex = dict[tuple[str, str, str], list[tuple[str, tuple]]]


def _add_active(index: ActiveIndex, rid: str, active: Iterable[tuple]) -> None:
    for asg in active:
        index.setdefault((asg[0], "", ""), []).append((rid, asg))
        index.setdefault((asg[0], "kab", asg[2]), []).append((rid, asg))
        if asg[3]:
            index.setdefault((asg[0], "kec", asg[3]), []).append((rid, asg))


def build_active(rows: Iterable[Row]) -> ActiveIndex:
    index: ActiveIndex = {}
    for row in rows:
        if row.active:
            _add_active(index, row.id, row.active)
    return index


def build_active_from_values(db: Database, row_of: Callable[[Database, dict], Row]) -> ActiveIndex:
    """The same from the stored values, without building rows (a command about one member); ``row_of``
    makes the row of a member in conflict (the version shown)."""
    index: ActiveIndex = {}
    for value in db.values("members"):
        if "_conflict" in value:
            row = row_of(db, value)
            if row.active:
                _add_active(index, row.id, row.active)
            continue
        active = [(a.get("pillar") or "", a.get("position") or "", a.get("area_kab") or "",
                   a.get("area_kec") or "", a.get("id") or "")
                  for a in value.get("assignments") or () if a.get("status") == "ACTIVE"]
        if active:
            _add_active(index, value["id"], active)
    return index


def updated_active(index: ActiveIndex, changes: list[Change]) -> ActiveIndex:
    """A new index with the changed members' active assignments replaced (only touched lists copied)."""
    out = dict(index)

    def keys(asg: tuple) -> list[tuple[str, str, str]]:
        found = [(asg[0], "", ""), (asg[0], "kab", asg[2])]
        if asg[3]:
            found.append((asg[0], "kec", asg[3]))
        return found

    for old, new in changes:
        rid = (old or new).id  # type: ignore[union-attr]
        touched = {k for row in (old, new) if row is not None for asg in row.active for k in keys(asg)}
        for k in touched:
            out[k] = [e for e in out.get(k, ()) if e[0] != rid]
        if new is not None:
            for asg in new.active:
                for k in keys(asg):
                    out[k].append((rid, asg))
    return out
