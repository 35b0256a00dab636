"""The roster service: members in memory for search, filter and sort; add, edit, deactivate, delete.

Screens and the command line call this module; it never imports Textual. A :class:`Roster` keeps one
small :class:`Row` per member (the table's columns plus a lower-case search key) and keeps it current
through ``db.listeners``, so a keystroke in the filter is a scan over ready strings and a sort is done
once per column. It also implements ``storage.domain.validate.RosterView`` for the validation rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Iterable
from copy import deepcopy as _deepcopy
from dataclasses import dataclass, field, replace
from operator import attrgetter

from storage.core import audit
from storage.core.db import Database, member_parts
from storage.core.db import gc_paused as no_gc
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.sensitive import mask_numbers
from storage.core.text import digits, iso_date
from storage.domain import fmt, regions
from storage.domain.fmt import day_month_year
from storage.domain.model import (
    field_label,
    new_assignment,
    new_member,
    pillar_label,
    position_label,
    primary_assignment,
    sex_label,
    status_label,
)
from storage.domain.validate import (
    Result,
    clean_account,
    clean_nik,
    normalize_phone,
    validate_member,
)
from storage.printing import tables as export
from storage.reconcile.conflicts import display_value, edit_refusal, member_in_conflict
from storage.roster import index as roster_index

# Columns of the member table, in display order; each is also a sort key.
COLUMNS = ("nik", "name", "pillar", "position", "kab", "kec", "office", "status")
STATUS_FILTERS = ("ACTIVE", "INACTIVE")
_SEP = "\x1f"  # between fields of the search key, so a query never matches across two fields


@dataclass(slots=True)
class Row:
    """One member as the table shows it (codes, not labels: labels are the screen's business)."""

    id: str
    nik: str
    name: str
    pillar: str
    position: str
    kab: str
    kec: str
    office: str
    status: str
    pillars: frozenset[str]
    active: tuple[tuple[str, str, str, str, str], ...]  # (pillar, position, area_kab, area_kec, assignment id)
    key: str = field(repr=False)
    fold: str = field(repr=False, default="")  # the name case-folded: the default sort
    # "" normally; "conflict": versions from two offices stand; "deleted": a conflict whose first
    # version is a deletion (the row shows the last data it had, see storage.reconcile.conflicts.display_value)
    flag: str = field(default="")
    # (pillar, kab/kota served, office) per active assignment, as the Ringkasan counts them: the
    # assignment's area_kab, else the member's home kab (storage.summary.figures.members)
    serving: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)


_WORD = "\x1e"  # starts each place word in the search key


@functools.lru_cache(maxsize=4096)
def _place_words(kab: str, kec: str) -> str:
    """'35.09', '35.09.01' -> '\x1eKABUPATEN\x1eJEMBER\x1eKENCONG'. Kept in capitals (the rest of the key
    is folded to small letters and so is the typed text) so that a place matches only from the start of
    one of its words: 'jem' finds Jember, 'a' does not find every Surabaya."""
    names = " ".join(x for x in (regions.kab_name(kab) if kab else "", regions.kec_name(kec) if kec else "") if x)
    return "".join(_WORD + w for w in names.upper().split())


def matcher(needle: str) -> Callable[[str], bool]:
    """Whether a row's search key matches the typed text: every word of it somewhere in the key (name
    words in any order, NIK, number, phone), or the start of a word of the kab/kota or kecamatan names
    ('hamzah jember'); a number typed with marks ('0857-3322-1100') also matches by its digits alone.
    Typing more only ever narrows."""
    tokens = []
    for word in needle.split():
        if not any(c.isalnum() for c in word):
            continue
        letters = any(c.isalpha() for c in word)
        figures = "" if letters else digits(word)
        tokens.append((word, figures if figures != word else "", _WORD + word.upper() if letters else ""))
    return lambda key: all(w in key or (d and d in key) or (p and p in key) for w, d, p in tokens)


_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u02bc\u02bb\u0060\u00b4\u2032"), "'")


def search_fold(text: str) -> str:
    """Text as search compares it: case folded, composed (a name typed with 'Ḥ' finds one stored as H +
    a combining dot, and back) and with one apostrophe ("nur 'aini" finds "Nur ‘Aini")."""
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFC", text).translate(_APOSTROPHES).casefold()


def _local_phone(e164: str) -> str:
    """'+6281234567890' -> '081234567890', the way clerks type it."""
    return "0" + e164[3:] if e164.startswith("+62") else e164


# One object for each value a field of few values takes (pillar, position, kab/kota, kecamatan, office; the
# set of a member's pillars; an assignment's serving triple), shared by every row holding it: the records
# are held as bytes (issue 25), so each parse makes its own copies, and 300,000 rows held them all (about
# 0.6 KB a row). Bounded by what a roster holds (a few thousand places and offices), never by its members.
_SHARED: dict = {}
_share = _SHARED.setdefault


def _one(value):
    """The one object shared for ``value`` (None or empty: "")."""
    value = value or ""
    return _share(value, value)


def make_row(value: dict) -> Row:
    """The table row and search key of one member (one pass over the assignments: this runs 100k times)."""
    assignments = value.get("assignments") or ()
    main = None
    active = []
    serving = []
    pillars = set()
    numbers = []
    home_kab = _one(value.get("kab"))
    for a in assignments:
        pillar = _one(a.get("pillar"))
        pillars.add(pillar)
        if a.get("number"):
            numbers.append(a["number"])
        if a.get("status") == "ACTIVE":
            if main is None:
                main = a
            area_kab = a.get("area_kab") or ""
            active.append((pillar, _one(a.get("position")), _one(area_kab), _one(a.get("area_kec")),
                           a.get("id") or ""))
            triple = (pillar, area_kab or home_kab, a.get("office") or "")
            serving.append(_share(triple, triple))
    status = "ACTIVE" if main is not None else "INACTIVE"
    if main is None:
        main = assignments[0] if assignments else {}
    phone = value.get("phone") or ""
    name = value.get("name") or ""
    nik = value.get("nik") or ""
    kec = value.get("kec") or ""
    fold = search_fold(name)
    key = _SEP.join((fold, nik, " ".join(numbers).casefold(), phone, _local_phone(phone),
                     _place_words(home_kab, kec),
                     _place_words(main.get("area_kab") or "", main.get("area_kec") or "")))
    flag = ("deleted" if value.get("_deleted") else "conflict") if value.get("_conflict") else ""
    pillar_set, serving_all = frozenset(pillars), tuple(serving)  # (empty ones too: _share, not _one)
    return Row(value["id"], nik, name, _one(main.get("pillar")), _one(main.get("position")), home_kab, _one(kec),
               _one(main.get("office")), status, _share(pillar_set, pillar_set), tuple(active), key, fold, flag,
               _share(serving_all, serving_all))


def _row_of(db: Database, value: dict) -> Row:
    """The row of a stored value; a conflict shows through ``display_value`` (never a blank row)."""
    if value.get("_conflict"):

        value = display_value(db.doc("members", value["id"])) or value
    return make_row(value)




def _sort_key(column: str) -> Callable[[Row], object]:
    """The order of one column; the name, NIK and id break ties, so that every order is exact (a row
    moved after an edit lands where sorting everything again would put it: storage.roster.index)."""
    if column == "name":
        return attrgetter("fold", "nik", "id")
    if column in ("kab", "kec"):
        names = regions.kab_name if column == "kab" else regions.kec_name
        cache: dict[str, str] = {}

        def by_place(r: Row) -> tuple[str, str, str, str]:
            code = getattr(r, column)
            label = cache.get(code)
            if label is None:
                label = cache[code] = names(code) if code else ""
            return label, r.fold, r.nik, r.id
        return by_place
    return attrgetter(column, "fold", "nik", "id")


ANY_AREA = "*"  # Query.area_kab: serving anywhere (an active assignment of the chosen pillar)


@dataclass(frozen=True)
class Query:
    """What the clerk asked the table for: text, quick filters and sort order.

    ``kab`` is where members live (their home kab/kota). ``area_kab`` is where they serve, as the
    Ringkasan counts them: members with an active assignment (of ``pillar`` when one is chosen; at a UPT,
    one of the UPT's own) whose area is that kab/kota (its area_kab, else the member's home kab);
    ``ANY_AREA`` for an active assignment anywhere. ``kec``: members who live in that kecamatan or
    actively serve there."""

    text: str = ""
    pillar: str = ""
    kab: str = ""
    status: str = ""
    sort: str = "name"
    reverse: bool = False
    area_kab: str = ""
    kec: str = ""

    def needle(self) -> str:
        return search_fold(" ".join(self.text.split()))


class Roster:
    """Members of one data folder: fast in-memory rows plus the add/edit/deactivate/delete services."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.version = 0
        # Built on first use: a command about one member (show, edit) finds it by the NIK index and
        # never builds 100,000 rows.
        self._rows_d: dict[str, Row] | None = None
        self._sorted: dict[tuple[str, bool], list[Row]] = {}
        self._last: tuple[Query, int, list[Row]] | None = None
        self._active: dict | None = None
        self._chars: dict[str, list[Row]] | None = None  # storage.roster.index: first letter -> rows
        self.listeners: list[Callable[[set[str]], None]] = []
        db.listeners.append(self._on_commit)

    @property
    def _rows(self) -> dict[str, Row]:
        rows = self._rows_d
        if rows is None:
            db = self.db
            with no_gc(freeze=True):
                rows = {r.id: r for r in (_row_of(db, v) if "_conflict" in v else make_row(v)
                                          for v in db.values("members"))}
            self._rows_d = rows
        return rows

    @property
    def loaded(self) -> bool:
        """Whether the rows are built (the roster screen builds them in a thread)."""
        return self._rows_d is not None

    def close(self) -> None:
        if self._on_commit in self.db.listeners:
            self.db.listeners.remove(self._on_commit)

    # ------------------------------------------------------------------ keeping rows current

    def _on_commit(self, collection: str, ids: set[str]) -> None:
        if collection != "members":
            return
        if self._rows_d is None:  # nothing built yet: the next use reads the data as it is
            self._active = None
            self.version += 1
            for listener in list(self.listeners):
                listener(ids)
            return
        # A few changed members (a saved form) are taken out of and put into the sorted lists, the
        # search index and the last result where they belong (storage.roster.index) instead of sorting
        # 100,000 rows again; a big import sorts again on next use. The sorted lists and the index are
        # changed in place (``search`` hands out copies only); the last result, which a screen may be
        # reading, is swapped in whole; the rows dict takes edits in place (``_updated_rows``).
        with no_gc():
            before = self._rows_d
            old = {rid: before.get(rid) for rid in ids}
            rows = self._updated_rows(ids)
            changes = [(old[rid], rows.get(rid)) for rid in ids]
            small = len(ids) <= roster_index.INCREMENTAL_LIMIT
            if small:
                for (column, reverse), rows_sorted in self._sorted.items():
                    roster_index.move(rows_sorted, changes, _sort_key(column), reverse)
                if self._chars is not None:
                    roster_index.move_chars(self._chars, changes, _sort_key("name"))
                self._active = roster_index.updated_active(self._active, changes) if self._active is not None else None
                last = self._last
                if last is not None and last[1] == self.version:
                    query = last[0]
                    keep = self._predicate(query)
                    self._last = (query, self.version + 1,
                                  roster_index.updated(last[2], [(o, n if n is not None and keep(n) else None)
                                                          for o, n in changes], _sort_key(query.sort), query.reverse))
                else:
                    self._last = None
            else:
                self._sorted = {}
                self._chars = None
                self._active = None
                self._last = None
        self._rows_d = rows
        self.version += 1
        for listener in list(self.listeners):
            listener(ids)

    def _updated_rows(self, ids: set[str]) -> dict[str, Row]:
        """The rows with the changed members' rows made again. Edits of members already there (a saved
        form) are put in place: copying the dict of 100,000 rows cost more than the rest of the commit
        (and its collector passes after); a thread iterating it meanwhile sees the same keys, some
        rows before the edit and some after, as it would reading the swapped dict at another moment.
        Members added or removed change its size, which an iteration in a thread cannot take: a new
        dict then."""
        current = self._rows_d or {}
        new: dict[str, Row | None] = {}
        for rid in ids:
            doc = self.db.doc("members", rid)
            # read-only use: the value without the deep copy ``db.get`` makes (10k imported rows)
            value = Database.value_of(doc) if doc else None
            new[rid] = None if value is None else _row_of(self.db, value) if "_conflict" in value else make_row(value)
        if self._rows_d is not None and all(rid in current and row is not None for rid, row in new.items()):
            current.update(new)  # type: ignore[arg-type]
            return current
        rows = dict(current)
        for rid, row in new.items():
            if row is None:
                rows.pop(rid, None)
            else:
                rows[rid] = row
        return rows

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, rid: str) -> Row | None:
        return self._rows.get(rid)

    def flagged(self, flag: str) -> list[Row]:
        """Rows with ``Row.flag`` == ``flag`` ("conflict", or "deleted": deleted at one office, edited at another)."""
        return [r for r in self._rows.values() if r.flag == flag]

    def get(self, rid: str) -> dict | None:
        """A copy of the member's value; a conflict whose first version is a deletion gives the last
        data it had, with ``_deleted`` (see ``storage.reconcile.conflicts.display_value``)."""
        value = self.db.get("members", rid)
        if value is not None and value.get("_conflict"):

            shown = display_value(self.db.doc("members", rid))
            value = _deepcopy(shown) if shown is not None else value
        return value

    def in_conflict(self, rid: str | None) -> bool:
        """Versions from two offices stand for this member: an edit must first say which to keep."""

        return member_in_conflict(self.db, rid)

    def _refuse_if_conflict(self, rid: str | None, name: str = "") -> None:
        if self.in_conflict(rid):

            raise edit_refusal(self.db, "members", rid, name)

    def sorted_rows(self, column: str = "name", reverse: bool = False) -> list[Row]:
        if column not in COLUMNS:
            raise ValueError(column)
        rows = self._sorted.get((column, reverse))
        if rows is None:
            with no_gc():
                rows = sorted(self._rows.values(), key=_sort_key(column), reverse=reverse)
            self._sorted[(column, reverse)] = rows
        return rows

    @property
    def indexed(self) -> bool:
        """Whether the first-letter index is built (a big commit drops it; ``build_index`` again)."""
        return self._chars is not None

    def build_index(self) -> None:
        """The first-letter search index over the name order (the roster screen builds it in its
        thread after the rows): the first letter typed then costs no more than the tenth."""
        if self._chars is None:
            version = self.version
            # the index's lists (a million references at 100,000 members) live as long as the roster:
            # frozen, so that no collector pass after a keystroke or a save scans them again
            with no_gc(freeze=True):
                chars = roster_index.build_chars(self.sorted_rows("name"))
            if version == self.version:  # a commit meanwhile: built again on the next call
                self._chars = chars

    def _predicate(self, query: Query) -> Callable[[Row], bool]:
        """Whether one row belongs in the result of ``query`` (what ``search`` filters by)."""
        tests: list[Callable[[Row], bool]] = []
        if query.area_kab:
            serves = self._serves(query.pillar, query.area_kab)
            tests.append(lambda r: serves(r.serving))
        elif query.pillar:
            tests.append(lambda r: query.pillar in r.pillars)
        if query.kec:
            kec = query.kec
            tests.append(lambda r: r.kec == kec or any(a[3] == kec for a in r.active))
        if query.kab:
            tests.append(lambda r: r.kab == query.kab)
        if query.status:
            tests.append(lambda r: r.status == query.status)
        needle = query.needle()
        if needle:
            match = matcher(needle)
            tests.append(lambda r: match(r.key))
        return lambda r: all(test(r) for test in tests)

    def search(self, query: Query) -> list[Row]:
        """The rows matching ``query`` in its sort order.

        Typing one more letter narrows the previous result instead of scanning everything again; the
        first letter is read from the index (``build_index``) when there is one for the order.
        """
        needle = query.needle()
        base = self.sorted_rows(query.sort, query.reverse)
        last = self._last
        chars = self._chars if query.sort == "name" else None
        if chars is not None and needle in chars:  # one letter or digit: the index has the rows
            last = None
        if (last is not None and last[1] == self.version
                and replace(last[0], text="") == replace(query, text="")
                and needle.startswith(last[0].needle())):
            base = last[2]
            if needle == last[0].needle():
                return base
            rows = roster_index.scan(base, needle, matcher)
        else:
            rows = base
            if chars is not None and needle in chars:
                # one letter or digit: the rows holding it, from the index (name order)
                rows = chars[needle][::-1] if query.reverse else list(chars[needle])
                needle = ""
            if query.area_kab:
                serves = self._serves(query.pillar, query.area_kab)
                rows = [r for r in rows if serves(r.serving)]
            elif query.pillar:
                rows = [r for r in rows if query.pillar in r.pillars]
            if query.kec:
                kec = query.kec
                rows = [r for r in rows if r.kec == kec or any(a[3] == kec for a in r.active)]
            if query.kab:
                rows = [r for r in rows if r.kab == query.kab]
            if query.status:
                rows = [r for r in rows if r.status == query.status]
            if needle:
                rows = roster_index.scan(rows, needle, matcher)
            elif rows is base:
                rows = list(base)
        self._last = (query, self.version, rows)
        return rows

    def _serves(self, pillar: str, kab: str) -> Callable[[tuple], bool]:
        """Whether a row's active assignments count for ``pillar`` in ``kab`` the way
        ``storage.summary.figures.members`` counts them (at a UPT, only the UPT's own assignments)."""
        office = None if self.db.is_province else self.db.code
        anywhere = kab == ANY_AREA
        return lambda serving: any((not pillar or p == pillar) and (anywhere or k == kab)
                                   and (office is None or o == office) for p, k, o in serving)

    def find(self, text: str) -> list[dict]:
        """Members by id, exact NIK, or search text (for ``pilar roster show``)."""
        text = text.strip()
        if self.db.value("members", text) is not None:
            return [self.get(text)]
        nik = clean_nik(text)
        if nik:
            ids = self.db.lookup("members", "nik", nik)
            if ids:
                return [self.get(i) for i in ids]
        return [self.get(r.id) for r in self.search(Query(text=text))] if text else []

    # ------------------------------------------------------------------ RosterView (storage.domain.validate)

    def by_nik(self, nik: str) -> dict | None:
        ids = self.db.lookup("members", "nik", nik)
        return self.db.get("members", ids[0]) if ids else None

    def _active_index(self) -> dict[tuple[str, str, str], list[tuple[str, tuple]]]:
        """Active assignments by (pillar, "kab"|"kec"|"", code) as (member id, assignment), kept in step
        with each commit; built from the stored values when the rows are not (a command about one member)."""
        if self._active is None:
            if self._rows_d is not None:
                self._active = roster_index.build_active(self._rows_d.values())
            else:
                self._active = roster_index.build_active_from_values(self.db, _row_of)
        return self._active

    def active_assignments(self, pillar: str, position: str | None = None, kab: str | None = None,
                           kec: str | None = None) -> list[tuple[dict, dict]]:
        key = (pillar, "kec", kec) if kec is not None else (pillar, "kab", kab) if kab is not None else (pillar, "", "")
        found = []
        for rid, (_p, a_position, a_kab, a_kec, a_id) in self._active_index().get(key, ()):
            if ((position is None or a_position == position) and (kab is None or a_kab == kab)
                    and (kec is None or a_kec == kec)):
                member = self.db.get("members", rid)
                asg = next((a for a in (member or {}).get("assignments", []) if a.get("id") == a_id), None)
                if member and asg:
                    found.append((member, asg))
        return found

    def load_for(self, value: dict) -> bool:
        """On a partial open (``Database.open_member_by_nik``, writable): load the parts of the members
        that validating ``value`` reads (the holders of its NIK, of the active assignments its roster
        rules look at), found in the persisted indexes (storage/core/db.py: ``member_parts``), so that
        ``validate``/``save`` answer as on the whole folder. False when the indexes cannot say (missing,
        stale, damaged): the caller opens the folder whole. True on a whole open (nothing to load)."""
        if not self.db.partial:
            return True
        asked = _Asked()
        validate_member(normalise(value), asked)
        if any(level not in ("kab", "kec") for _p, _pos, level, _code in asked.queries):
            return False
        parts = member_parts(self.db.path, asked.niks, asked.queries)
        if parts is None:
            return False
        self.db.load_parts(parts)
        self._active = None
        return True

    # ------------------------------------------------------------------ writing

    def history(self, rid: str) -> list[dict]:
        """Audit entries of one member, oldest first (personal numbers are masked there).

        The log of a big office runs to hundreds of megabytes: the lines naming the id are found by each
        sealed segment's index (a byte search over a memory map where it has none) and only those are parsed.
        """
        found: list[dict] = []
        for path in self.db.audit.files():  # sealed segments (each by its index if it has one), then the active file
            found += audit.lines_naming(path, rid)
        return found

    def validate(self, value: dict, today: dt.date | None = None) -> Result:
        return validate_member(normalise(value), self, today=today)

    def save(self, value: dict, accept_warnings: bool = False, today: dt.date | None = None,
             action: str | None = None, resolution: int | None = None) -> tuple[str | None, Result]:
        """Validate and save one member (new when its id is unknown).

        Returns ``(id, result)``; the id is None when nothing was saved: errors stand, or warnings
        were not accepted. A member in conflict is refused (PilarError naming the conflict and the
        command resolving it) unless ``resolution`` says which version (1 = shown first, as
        ``storage.reconcile.conflicts.show`` numbers them) the value was edited from: the save then closes the
        conflict, on purpose.
        """
        rid = value.get("id")
        if resolution is None:
            self._refuse_if_conflict(rid, value.get("name") or "")
        elif not self.in_conflict(rid):
            raise PilarError("conflict.edit_not_in_conflict", name=value.get("name") or "")
        else:
            count = len(self.db.doc("members", rid)["v"])
            if not 1 <= resolution <= count:
                raise PilarError("sync.conflict_bad_keep", n=resolution, count=count)
        value = normalise(value)
        for key in [k for k in value if k.startswith("_")]:
            del value[key]
        result = validate_member(value, self, today=today)
        if result.errors or (result.warnings and not accept_warnings):
            return None, result
        is_new = value.get("id") is None or self.db.get("members", value["id"]) is None
        with self.db.transaction(action or ("roster.add" if is_new else "roster.edit")) as tx:
            rid = tx.put("members", value, owner=self.db.code)
            if resolution is not None:
                tx.note("conflict.resolve", "member", rid, note=f"edited from version {resolution}")
        return rid, result

    def deactivate(self, rid: str, reason: str, date: str, assignment_id: str | None = None) -> int:
        """Make a member's active assignments (or one of them) INACTIVE with a reason and a date."""
        reason = " ".join((reason or "").split())
        if not reason:
            raise PilarError("roster.deactivate.need_reason")
        day = iso_date(date)
        if day is None:
            raise PilarError("roster.deactivate.bad_date", value=date)
        member = self._require(rid)
        self._refuse_if_conflict(rid, member.get("name") or "")
        starts = [a.get("start") or "" for a in member["assignments"]
                  if a.get("status") == "ACTIVE" and assignment_id in (None, a.get("id"))]
        latest = max(starts, default="")
        if latest and day.isoformat() < latest:
            # the assignment would end before it began (and the member could no longer be saved)

            raise PilarError("roster.deactivate.before_start", date=day_month_year(day.isoformat()),
                             start=day_month_year(latest))
        changed = 0
        for a in member["assignments"]:
            if a.get("status") == "ACTIVE" and assignment_id in (None, a.get("id")):
                a.update(status="INACTIVE", inactive_reason=reason, inactive_date=day.isoformat())
                if not a.get("end"):
                    a["end"] = day.isoformat()
                changed += 1
        if not changed:
            raise PilarError("roster.deactivate.none_active", name=member.get("name", ""))
        with self.db.transaction("roster.deactivate") as tx:
            tx.put("members", member)
        return changed

    def delete(self, rid: str, reason: str = "") -> None:
        """Delete a member for good; a tombstone stays so that sync deletes it everywhere."""
        member = self._require(rid)
        self._refuse_if_conflict(rid, member.get("name") or "")
        with self.db.transaction("roster.delete") as tx:
            tx.delete("members", member["id"], reason=reason)

    def _require(self, rid: str) -> dict:
        member = self.db.get("members", rid)
        if member is None:
            raise PilarError("roster.not_found", what=rid)
        return member


class _Asked:
    """A roster that holds nobody and writes down what validation asks it (``Roster.load_for``): the
    questions do not depend on the answers (validate.py asks by the value's own NIK and assignments)."""

    def __init__(self) -> None:
        self.niks: set[str] = set()
        self.queries: list[tuple[str, str | None, str, str]] = []

    def by_nik(self, nik: str) -> dict | None:
        self.niks.add(nik)
        return None

    def active_assignments(self, pillar: str, position: str | None = None, kab: str | None = None,
                           kec: str | None = None) -> list[tuple[dict, dict]]:
        self.queries.append((pillar, position, "kec", kec) if kec is not None else
                            (pillar, position, "kab", kab) if kab is not None else (pillar, position, "", ""))
        return []


def normalise(value: dict, copy: bool = True) -> dict:
    """A member value as it is stored (a copy unless ``copy=False``): NIK digits, phone E.164, account digits."""
    if copy:
        value = _deepcopy(value)
    if isinstance(value.get("nik"), str):
        value["nik"] = clean_nik(value["nik"])
    for key in ("name", "birth_place", "address", "note"):
        if isinstance(value.get(key), str):
            value[key] = " ".join(value[key].split())
    phone = value.get("phone")
    if isinstance(phone, str) and phone.strip():
        e164, res = normalize_phone(phone)
        if e164 and res.ok:
            value["phone"] = e164
    bank = value.get("bank")
    if isinstance(bank, dict) and isinstance(bank.get("account"), str):
        bank["account"] = clean_account(bank["account"])
    return value


def blank_member(office: str, today: dt.date | None = None) -> dict:
    """A new member value with one empty ACTIVE assignment in ``office``."""

    value = new_member(assignments=[{"office": office, "start": (today or dt.date.today()).isoformat()}])
    return value


def empty_assignment(office: str, today: dt.date | None = None) -> dict:
    return new_assignment(office=office, start=(today or dt.date.today()).isoformat())


def rows_for_export(roster: Roster, rows: Iterable[Row], reveal: bool = False) -> tuple[list[str], list[list]]:
    """Headers and cells of the filtered view for CSV/XLSX (labels in the current language)."""

    headers = [t(f"roster.col.{c}") for c in COLUMNS] + [t("roster.col.number"), t("roster.col.phone")]
    out = []
    for r in rows:
        member = roster.db.get("members", r.id) or {}
        main = primary_assignment(member) or {}
        out.append([
            r.nik if reveal else fmt.mask_nik(r.nik), r.name, pillar_label(r.pillar), position_label(r.position),
            regions.kab_name(r.kab), regions.kec_name(r.kec), r.office, status_label(r.status),
            main.get("number") or "", (member.get("phone") or "") if reveal else fmt.mask_account(member.get("phone") or ""),
        ])
    return headers, out


def without_restricted(roster: Roster, rows: Iterable[Row]) -> list[Row]:
    """The rows whose member's processing is not restricted (UU PDP, storage/privacy): files written
    for others (roster files, cards) leave those members out; ``roster.left_out`` counts them."""
    kept = []
    roster.left_out = 0
    for r in rows:
        member = roster.db.value("members", r.id)
        if member is not None and member.get("restricted"):
            roster.left_out += 1
            continue
        kept.append(r)
    return kept


def export_rows(roster: Roster, rows: Iterable[Row], path, reveal: bool = False) -> int:
    """Write the filtered view to ``path`` (.csv or .xlsx, by its suffix); formulas are neutralised. With
    ``reveal`` the NIK and phone are written in full and the export is recorded in the audit log."""
    from pathlib import Path


    path = Path(path)
    headers, cells = rows_for_export(roster, without_restricted(roster, rows), reveal=reveal)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        export.write_csv(path, headers, cells)
    elif suffix == ".xlsx":
        export.write_xlsx(path, [(t("roster.export.sheet"), headers, cells)])
    else:
        raise PilarError("roster.export.bad_type")
    if reveal:
        # full NIKs and phone numbers left the app: who, when, how many and where is in the audit log
        # (the numbers themselves never are)
        roster.db.record_note("roster.export_revealed", "export", path.name, note=f"{len(cells)} rows, full NIK: {path}")
    return len(cells)


def _date(value: str) -> str:

    try:
        return fmt.day_month_year(value)
    except (ValueError, TypeError):
        return value or "-"


def detail_text(roster: Roster, rid: str, reveal: bool = False) -> str:
    """The detail view as plain text lines (labels from the catalogue)."""

    m = roster.get(rid)
    if m is None:
        return t("roster.not_found", what=rid)
    def f(name: str) -> str:
        return t(f"validate.field.{name}")

    bank = m.get("bank") or {}
    nik = m.get("nik", "") if reveal else fmt.mask_nik(m.get("nik", ""))
    account = bank.get("account", "") if reveal else fmt.mask_account(bank.get("account", ""))
    lines = [m.get("name", "")]
    if m.get("_conflict"):
        lines.append(t("roster.detail.deleted_conflict" if m.get("_deleted") else "roster.detail.in_conflict"))
    lines += ["", t("roster.detail.person"),
             f"  {f('nik')}: {nik}",
             f"  {f('sex')}: {sex_label(m.get('sex', ''))}",
             f"  {f('birth_place')}, {f('birth_date')}: "
             + t("roster.detail.born", place=m.get("birth_place", "") or "-", date=_date(m.get("birth_date", ""))),
             f"  {t('roster.form.field.address')}: {m.get('address', '')}",
             f"  {f('kec')}, {f('kab')}: {regions.kec_name(m.get('kec', ''))}, {regions.kab_name(m.get('kab', ''))}",
             f"  {t('roster.form.field.phone')}: {m.get('phone', '') if reveal else fmt.mask_account(m.get('phone', ''))}",
             f"  {f('bank.name')}: {bank.get('name', '')} · {f('bank.account')}: {account} · "
             f"{f('bank.holder')}: {bank.get('holder', '')}"]
    if m.get("note"):
        # free text: a number typed into it (a second phone, an old NIK) is masked like the fields above
        lines.append(f"  {f('note')}: {m['note'] if reveal else mask_numbers(m['note'])}")
    lines += ["", t("roster.detail.assignments")]
    for a in m.get("assignments") or []:
        area = regions.kec_name(a.get("area_kec", "")) or regions.kab_name(a.get("area_kab", "")) or "-"
        end = t("roster.detail.assignment_end", end=_date(a["end"])) if a.get("end") else ""
        lines.append("  " + t("roster.detail.assignment", pillar=pillar_label(a.get("pillar", "")),
                                position=position_label(a.get("position", "")), area=area,
                                office=a.get("office", ""), start=_date(a.get("start", "")), end=end,
                                status=status_label(a.get("status", ""))))
        if a.get("number") or a.get("sk"):
            lines.append("  " + t("roster.detail.number", number=a.get("number") or "-", sk=a.get("sk") or "-"))
        if a.get("status") == "INACTIVE" and a.get("inactive_reason"):
            lines.append("  " + t("roster.detail.inactive", date=_date(a.get("inactive_date", "")),
                                    reason=a["inactive_reason"]))
    lines += ["", t("roster.detail.history")]
    history = roster.history(rid)
    if not history:
        lines.append("  " + t("roster.detail.no_history"))
    for entry in history:
        when = entry.get("ts", "")
        try:
            stamp = dt.datetime.fromisoformat(when)
            when = f"{fmt.long_date(stamp.date())} {stamp:%H:%M}"
        except ValueError:
            pass
        action = entry.get("action", "")
        label = t(f"roster.action.{action}")
        fields = ", ".join(sorted({field_label(k.split(".")[0].split("[")[0])
                                   for k in (entry.get("changes") or {})}))
        if entry.get("note"):
            fields = (fields + " · " if fields else "") + entry["note"]
        lines.append("  " + t("roster.detail.history_line", when=when, operator=entry.get("operator") or "-",
                                action=label if label != f"roster.action.{action}" else action, fields=fields))
    return "\n".join(lines)
