"""Import a roster from an office's own spreadsheet (.xlsx, .xls, .ods, .csv): map columns, preview, commit.

The file is read as the clerk sees it (``storage.import_read``); each visible sheet with a NAMA and a NIK
column is read, the others are named with the reason they were skipped. Headers are matched by score
(``storage.import_words``) and the mapping can be changed (``overrides``). The preview validates every
row with ``storage.validate`` against the roster *and* the rows above it in the same file, and never lets
a doubtful value through: a NIK or account Excel turned into a number, a row saying the member died or
resigned (it lands inactive), a known NIK under another person's name (held). Nothing is written until
:func:`commit`, which saves every accepted row in one transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage import fmt, regions
from storage import import_words as W
from storage.errors import PilarError
from storage.i18n import t
from storage.import_read import Book, PaddedNumber, Sheet, column_index, column_letter, read_book
from storage.model import ASSIGNMENT_FIELDS, TAGANA_LEVELS, new_assignment, new_member
from storage.roster import Roster, normalise
from storage.validate import clean_nik, validate_member

Progress = Callable[[int, int, str], None]
HEADER_SEARCH_ROWS = 20
FATES = ("add", "update", "same", "refuse", "conflict", "hold")
SKIP_KINDS = ("numbering", "total", "signature", "heading", "blank")
# fields a column may be mapped to by hand (--map KOLOM=field); sex_l / sex_p are L | P tick columns
MAP_FIELDS = (*W.FIELDS, "sex_l", "sex_p")
_EXPLICIT_STATUS = {"status", "aktif", "keaktifan", "status keaktifan", "status anggota", "aktif tidak aktif"}


def header_field(text: object) -> str | None:
    """'NO. HP' -> 'phone', 'NOMOR INDUK KEPENDUDUKAN (NIK)' -> 'nik'; None when unknown."""
    return W.header_field(text)


def field_label(name: str) -> str:
    """The label of a mapped field in the user's language."""
    for key in (f"validate.field.{name}", f"roster.form.field.{name}", f"roster.import.field.{name}"):
        text = t(key)
        if text != key:
            return text
    return name


# ---------------------------------------------------------------------- sheets and headers


@dataclass
class SheetPlan:
    """How one sheet was read: skipped (and why), or its header row and column mapping."""

    name: str
    read: bool
    reason: str = ""
    headers: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    header_line: int = 0
    pillar: str = ""  # from the sheet name or its title ("DAFTAR TKSK")
    hidden_cols: list[str] = field(default_factory=list)
    hidden_rows: int = 0

    def mapping_text(self) -> str:
        return ", ".join(f"{self.headers[i] or column_letter(i)} → {field_label(f)}"
                         for i, f in sorted(self.mapping.items()))

    def unmapped(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.mapping and h
                and column_letter(i) not in {c.split(" ", 1)[0] for c in self.hidden_cols}]


def _cells_text(cells: list[object]) -> list[str]:
    return [W.clean(c) for c in cells]


def _score_row(cells: list[object]) -> list[list[tuple[float, str]]]:
    """Scores of each header cell; a cell repeating its left neighbour (a merged header spread over
    several columns) is scored once, in its first column."""
    return [W.header_scores(c) if isinstance(c, str) and not (i and cells[i - 1] == c) else []
            for i, c in enumerate(cells)]


def _assign(scores: list[list[tuple[float, str]]], hidden: set[int]) -> dict[int, str]:
    """Each field to its best column and each column to one field, best scores first; 'status' may
    take several columns (KETERANGAN and STATUS)."""
    ranked = sorted(((s, -i, f) for i, options in enumerate(scores) if i not in hidden for s, f in options),
                    reverse=True)
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for _s, neg, name in ranked:
        col = -neg
        if col in mapping or (name in taken and name != "status"):
            continue
        mapping[col] = name
        taken.add(name)
    return mapping


def _is_sub_header(top: list[object], sub: list[object]) -> bool:
    """The row under a header is a second header row ('TEMPAT | TGL LAHIR', 'L | P') when it holds only
    short words and sits under a merged or empty header cell."""
    texts = _cells_text(sub)
    if not any(texts) or all(x.isdigit() for x in texts if x):  # the column-number row is not a header
        return False
    for c, text in zip(sub, texts, strict=False):
        if not text:
            continue
        if not isinstance(c, str) or len(text) > 40 or re.search(r"\d{3,}", text):
            return False
    tops = _cells_text(top) + [""] * max(0, len(sub) - len(top))
    for i, text in enumerate(texts):
        if not text:
            continue
        if not tops[i]:
            return True
        if (i > 0 and tops[i] == tops[i - 1]) or (i + 1 < len(tops) and tops[i] == tops[i + 1]):
            if text != tops[i]:
                return True
    return False


def _two_row_headers(top: list[object], sub: list[object]) -> tuple[list[str], dict[int, str]]:
    """Headers and fields of a two-row header: the upper cell spread over its empty neighbours, the lower
    cell saying which part it is."""
    width = max(len(top), len(sub))
    tops = _cells_text(top) + [""] * (width - len(top))
    subs = _cells_text(sub) + [""] * (width - len(sub))
    for i in range(1, width):  # an unmerged "TEMPAT / TGL LAHIR" over two cells, the second left empty
        if not tops[i] and subs[i] and tops[i - 1] and subs[i - 1]:
            tops[i] = tops[i - 1]
    headers: list[str] = []
    fields: dict[int, str] = {}
    for i in range(width):
        top_text, sub_text = tops[i], subs[i]
        parent = W.header_field(top_text) if top_text else None
        if sub_text and sub_text != top_text:
            name = W.sub_header_field(parent, sub_text)
            headers.append(f"{top_text} / {sub_text}" if top_text else sub_text)
        else:
            name = parent
            headers.append(top_text)
        if name:
            fields[i] = name
    return headers, fields


def _plan_sheet(sheet: Sheet, overrides: dict[str, str]) -> tuple[SheetPlan, list[tuple[int, list[object]]]]:
    """Find the header of a sheet and map its columns; the data rows after it."""
    plan = SheetPlan(sheet.name, False, hidden_rows=sheet.hidden_rows)
    if sheet.state != "visible":
        plan.reason = t("roster.import.sheet_hidden")
        return plan, []
    rows = [(line, cells) for line, cells in sheet.rows if any(W.clean(c) for c in cells)]
    if not rows:
        plan.reason = t("roster.import.sheet_empty")
        return plan, []
    for n, (line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        scores = _score_row(cells)
        mapping = _assign(scores, sheet.hidden_cols)
        known = set(mapping.values())
        if len(known) < 2 or not known & {"nik", "name"}:
            continue
        headers = [W.clean(c) for c in cells]
        start = n + 1
        if start < len(rows) and _is_sub_header(cells, rows[start][1]):
            headers, fields = _two_row_headers(cells, rows[start][1])
            sub_scores = [[(1.0, fields[i])] if i in fields else [] for i in range(len(headers))]
            mapping = _assign(sub_scores, sheet.hidden_cols)
            for i, name in fields.items():  # both halves of "JENIS KELAMIN | L | P"
                if name in ("sex_l", "sex_p") and i not in sheet.hidden_cols:
                    mapping[i] = name
            start += 1
        plan.headers, plan.header_line = headers, line
        plan.mapping = _apply_overrides(headers, mapping, overrides)
        plan.hidden_cols = [f"{column_letter(i)} ({headers[i]})" if i < len(headers) and headers[i]
                            else column_letter(i) for i in sorted(sheet.hidden_cols) if i < len(headers)]
        title = " ".join(W.clean(c) for _l, r in rows[:n] for c in r if isinstance(c, str))
        plan.pillar = W.only_pillar(sheet.name) or W.only_pillar(title) or ""
        names = set(plan.mapping.values())
        missing = [field_label(f) for f in ("nik", "name") if f not in names]
        if missing:
            plan.reason = t("roster.import.sheet_missing", columns=", ".join(missing))
            return plan, []
        plan.read = True
        return plan, rows[start:]
    plan.reason = t("roster.import.sheet_no_header")
    return plan, []


def parse_overrides(items: list[str] | None) -> dict[str, str]:
    """['KET=status', 'F=-'] -> {'KET': 'status', 'F': '-'}; a PilarError for an unknown field."""
    out: dict[str, str] = {}
    for item in items or []:
        column, sep, name = item.rpartition("=")
        name = name.strip().lower()
        if not sep or not column.strip() or (name not in MAP_FIELDS and name not in ("-", "")):
            raise PilarError("roster.import.bad_map", item=item, fields=", ".join(MAP_FIELDS))
        out[column.strip()] = name if name else "-"
    return out


def _apply_overrides(headers: list[str], mapping: dict[int, str], overrides: dict[str, str]) -> dict[int, str]:
    if not overrides:
        return mapping
    mapping = dict(mapping)
    for key, name in overrides.items():
        # a header's own text first ("NIK", "KET" are also column letters), else a column letter
        cols = [i for i, h in enumerate(headers) if W.words(h) == W.words(key)]
        if not cols and column_index(key) is not None:
            cols = [column_index(key)]
        for c in cols:
            if name == "-":
                mapping.pop(c, None)
                continue
            if name not in ("status", "sex_l", "sex_p"):
                for other in [i for i, f in mapping.items() if f == name]:
                    del mapping[other]
            mapping[c] = name
    return mapping


# ---------------------------------------------------------------------- rows that are not members

_TOTAL = re.compile(r"^(jumlah|total|sub ?total|jml|grand total)\b")
_SIGNATURE = re.compile(r"^(mengetahui|diketahui|ttd|tanda tangan|kepala|nip|a n|an kepala|plt|plh|"
                        r"sekretaris dinas|pembina|dibuat oleh|disusun oleh|yang membuat|pejabat|camat)\b")
_HEADING = re.compile(r"^(kecamatan|kec|desa|kelurahan|kabupaten|kab|kota|wilayah|pilar|sheet|daftar|data)\b")
_PLACE_DATE = re.compile(r"^[a-z ]+ \d{1,2} [a-z]+ \d{4}$")


def _non_member(cells: list[object], mapping: dict[int, str], nik_col: int | None,
                in_signature: bool) -> str | None:
    """'numbering', 'total', 'signature', 'heading' or 'blank' for a row that is not a member; None for
    a member row (even a broken one)."""
    nik = W.clean(cells[nik_col]) if nik_col is not None and nik_col < len(cells) else ""
    if not in_signature and sum(ch.isdigit() for ch in nik) >= 6:
        return None  # the common case, decided before looking at the other cells
    texts = [W.clean(c) for c in cells]
    filled = [x for x in texts if x]
    if not filled:
        return "blank"
    if len(filled) >= 3 and all(re.fullmatch(r"\(?\d{1,2}\)?\.?", x) for x in filled):
        return "numbering"
    first = [W.words(x) for x in filled[:3]]
    if any(_TOTAL.match(w) for w in first):
        return "total"
    if any(_SIGNATURE.match(w) or _PLACE_DATE.match(w) for w in first):
        return "signature"
    if in_signature and not nik:
        return "signature"
    if len(filled) == 1 and not nik and (_HEADING.match(W.words(filled[0])) or W.read_pillar(filled[0])
                                         or filled[0].endswith(":")):
        return "heading"
    return None


# ---------------------------------------------------------------------- the plan


@dataclass
class RowPlan:
    """What will happen to one row of the file."""

    line: int
    fate: str  # add | update | same | refuse | conflict (in conflict / duplicate-NIK case) | hold (another person?)
    name: str = ""
    nik: str = ""
    value: dict | None = None
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, before, after)
    owner: str = ""

    @property
    def where(self) -> str:
        """'TKSK!12' for a row of sheet TKSK, '12' in a one-sheet file."""
        return f"{self.sheet}!{self.line}" if self.sheet else str(self.line)

    def changes_text(self) -> str:
        return "; ".join(f"{label}: {before or '∅'} → {after or '∅'}" for label, before, after in self.changes)

    def note(self) -> str:
        """The one text a preview shows for this row: reasons, else changes and warnings."""
        if self.reasons:
            return " ".join(self.reasons)
        return "; ".join(x for x in (self.changes_text(), " ".join(self.warnings)) if x)

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "line": self.line, "fate": self.fate, "name": self.name,
                "nik": fmt.mask_nik(self.nik), "reasons": self.reasons, "warnings": self.warnings,
                "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.changes]}


@dataclass
class ImportPlan:
    """The preview of an import: how each sheet was read, each row's fate, rows skipped. Nothing is written."""

    path: Path
    sheets: list[SheetPlan]
    rows: list[RowPlan]
    version: int
    skipped: dict[str, int] = field(default_factory=dict)
    kind: str = "xlsx"

    @property
    def read_sheets(self) -> list[SheetPlan]:
        return [s for s in self.sheets if s.read]

    @property
    def headers(self) -> list[str]:
        return self.read_sheets[0].headers if self.read_sheets else []

    @property
    def mapping(self) -> dict[int, str]:
        return self.read_sheets[0].mapping if self.read_sheets else {}

    @property
    def counts(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), **dict.fromkeys(FATES, 0)}
        for r in self.rows:
            counts[r.fate] += 1
        counts["skipped"] = sum(self.skipped.values())
        counts["hidden"] = sum(s.hidden_rows for s in self.sheets if s.read)
        return counts

    @property
    def accepted(self) -> list[RowPlan]:
        return [r for r in self.rows if r.fate in ("add", "update")]

    def mapping_text(self) -> str:
        texts = {s.mapping_text() for s in self.read_sheets}
        if len(texts) == 1:  # one sheet, or sheets laid out alike: said once
            return texts.pop()
        return " | ".join(f"{s.name}: {s.mapping_text()}" for s in self.read_sheets)

    def unmapped(self) -> list[str]:
        out: list[str] = []
        for s in self.read_sheets:
            out += [h for h in s.unmapped() if h not in out]
        return out

    def summary_lines(self) -> list[str]:
        """What the preview says above the rows: counts, sheets read and skipped, mapping, skipped rows."""
        counts = self.counts
        lines = [t("roster.import.summary", file=self.path.name, **counts)]
        for s in self.sheets:
            if s.read:
                lines.append(t("roster.import.sheet_read", sheet=s.name, line=s.header_line,
                               pillar=f" · {field_label('pillar')}: {s.pillar}" if s.pillar else ""))
            else:
                lines.append(t("roster.import.sheet_skipped", sheet=s.name, reason=s.reason))
        lines.append(t("roster.import.mapping", mapping=self.mapping_text()))
        if self.unmapped():
            lines.append(t("roster.import.unmapped", columns=", ".join(self.unmapped())))
        hidden_cols = [c for s in self.read_sheets for c in s.hidden_cols]
        if hidden_cols:
            lines.append(t("roster.import.hidden_cols", columns=", ".join(hidden_cols)))
        if counts["hidden"]:
            lines.append(t("roster.import.hidden_rows", count=counts["hidden"]))
        if counts["skipped"]:
            parts = ", ".join(f"{t('roster.import.skip.' + k)} {n}" for k, n in self.skipped.items() if n)
            lines.append(t("roster.import.skipped", count=counts["skipped"], parts=parts))
        if self.kind in ("xls", "ods"):
            lines.append(t("roster.import.legacy_note", kind=self.kind))
        lines.append(t("roster.import.map_hint"))
        return lines

    def as_json(self) -> dict:
        return {"file": str(self.path), "counts": self.counts,
                "sheets": [{"name": s.name, "read": s.read, "reason": s.reason, "header_line": s.header_line,
                            "pillar": s.pillar, "hidden_columns": s.hidden_cols, "hidden_rows": s.hidden_rows,
                            "mapping": {(s.headers[i] or column_letter(i)): f for i, f in sorted(s.mapping.items())}}
                           for s in self.sheets],
                "mapping": {self.headers[i]: f for i, f in sorted(self.mapping.items())},
                "ignored": self.unmapped(), "skipped": self.skipped, "rows": [r.as_json() for r in self.rows]}


class _ImportView:
    """RosterView over the roster plus the rows accepted above in the same file."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.by_file_nik: dict[str, dict] = {}

    def by_nik(self, nik: str) -> dict | None:
        return self.by_file_nik.get(nik) or self.roster.by_nik(nik)

    def active_assignments(self, pillar, position=None, kab=None, kec=None):
        found = [(m, a) for m, a in self.roster.active_assignments(pillar, position, kab, kec)
                 if m.get("nik") not in self.by_file_nik]
        for m in self.by_file_nik.values():
            for a in m.get("assignments") or []:
                if (a.get("status") == "ACTIVE" and a.get("pillar") == pillar
                        and (position is None or a.get("position") == position)
                        and (kab is None or a.get("area_kab") == kab) and (kec is None or a.get("area_kec") == kec)):
                    found.append((m, a))
        return found


# ---------------------------------------------------------------------- regions and offices


@functools.lru_cache(maxsize=4096)
def _find_kab(text: str) -> dict | None:
    return regions.find_kab(text)


@functools.lru_cache(maxsize=1)
def _kec_names() -> dict[str, list[dict]]:
    """Matching key of a kecamatan name -> every kecamatan of that name in Jatim."""
    out: dict[str, list[dict]] = {}
    for k in regions.kab_list():
        for kec in regions.kec_of_kab(k["code"]):
            out.setdefault(re.sub(r"[^0-9a-z]", "", kec["name"].lower()), []).append(kec)
    return out


@functools.lru_cache(maxsize=16384)
def _find_kec(text: str, kab_code: str, hints: tuple[str, ...]) -> tuple[dict | None, str, tuple[str, ...]]:
    """(kecamatan, problem, kab codes named by the problem): problem is '' (found), 'unknown',
    'elsewhere' (exists, not in the kab given) or 'ambiguous' (in several kab/kota, none given)."""
    found = regions.find_kec(text, kab_code or None)
    if found is not None:
        return found, "", ()
    key = re.sub(r"^(kecamatan|kec)\b\.?\s*", "", text.strip().lower())
    pool = _kec_names().get(re.sub(r"[^0-9a-z]", "", key), [])
    if not pool:
        return None, "unknown", ()
    kabs = tuple(sorted({k["kab"] for k in pool}))
    if kab_code:
        return None, "elsewhere", kabs
    narrowed = [k for k in pool if k["kab"] in hints]
    if len(narrowed) == 1:
        return dict(narrowed[0]), "", ()
    return None, "ambiguous", kabs


def _office_index(roster: Roster) -> dict[str, str]:
    """Matching words of each office's code and name -> its code."""
    index: dict[str, str] = {}
    offices = [v for v in roster.db.values("offices") if v.get("code")]
    codes = {o["code"] for o in offices} | {roster.db.code}
    for o in offices:
        for text in (o["code"], o.get("name", "")):
            key = " ".join(w for w in W.words(text).split() if w != "upt")
            if key:
                index.setdefault(key, o["code"])
    for code in codes:
        index.setdefault(" ".join(w for w in W.words(code).split() if w != "upt"), code)
    return index


def _office_area(roster: Roster) -> tuple[str, ...]:
    me = next((v for v in roster.db.values("offices") if v.get("code") == roster.db.code), None)
    return tuple((me or {}).get("area") or ())


# ---------------------------------------------------------------------- one row


@dataclass
class _Context:
    office: str
    is_province: bool
    offices: dict[str, str]
    area: tuple[str, ...]
    sheet_pillar: str
    headers: list[str]
    today: dt.date
    nik_damage: bool = False  # the sheet's NIK column shows it was a number column
    tick_status: frozenset[str] = frozenset()  # AKTIF columns of ticks: a blank there is not "active"


_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")


def _number_damaged(raw: object, length: int) -> bool:
    """A number Excel cannot have kept: past 15 digits it writes zeros (3507131209680000), or a CSV shows
    it in scientific notation (3,50713E+15)."""
    if isinstance(raw, float) and not raw.is_integer():
        return True
    if isinstance(raw, int) and not isinstance(raw, bool):
        digits = str(int(raw))
        return len(digits) >= length and digits[15:].strip("0") == "" and digits.endswith("0")
    return isinstance(raw, str) and bool(_SCIENTIFIC.match(W.clean(raw).replace(" ", "")))


def _row_member(cells: dict[str, list[object]], ctx: _Context) -> tuple[dict, dict, dict, list[str], set[str]]:
    """Member fields, assignment fields and extras (status, office) a row gives; problems (one sentence
    each) and the fields they concern (so validation does not say the same again)."""
    problems: list[str] = []
    concerned: set[str] = set()

    def one(name: str) -> object:
        values = cells.get(name)
        return values[0] if values else None

    def text(name: str) -> str:
        return W.clean(one(name))

    def bad(name: str, key: str, **params: object) -> None:
        problems.append(t(key, what=field_label(name), **params))
        concerned.add(name)

    m: dict = {}
    a: dict = {}
    extra: dict = {}
    raw_nik = one("nik")
    if isinstance(raw_nik, str) and re.fullmatch(r"\s*\d{10,}\.0+\s*", raw_nik):
        raw_nik = int(raw_nik.strip().split(".")[0])  # a float column written out by a program: a number
        cells = dict(cells, nik=[raw_nik])
    if "nik" in cells:
        m["nik"] = clean_nik(text("nik"))
        if _number_damaged(raw_nik, 16) or (ctx.nik_damage and isinstance(raw_nik, str)
                                            and len(m["nik"]) == 16 and m["nik"].endswith("0")):
            shown = text("nik")
            bad("nik", "roster.import.nik_number", value=fmt.mask_nik(shown) if shown.isdigit() else shown)
    if "name" in cells:
        m["name"] = " ".join(text("name").split())
    sex = text("sex")
    if sex:
        m["sex"] = _SEX.get(W.words(sex)) or sex
    elif "sex_l" in cells or "sex_p" in cells:
        ticks = {s for s, col in (("L", "sex_l"), ("P", "sex_p"))
                 for v in cells.get(col, []) if W.clean(v) and W.is_tick(v)}
        if len(ticks) == 1:
            m["sex"] = ticks.pop()
        elif ticks:
            bad("sex", "roster.import.sex_both")
    birth_place, birth_date = one("birth_place"), one("birth_date")
    if text("birth"):
        raw_birth = one("birth")
        if isinstance(raw_birth, (dt.date, int, float)) and not isinstance(raw_birth, bool):
            place, when = "", raw_birth
        else:
            place, when = W.split_birth(text("birth"))
            if place and not when and not W.clean(birth_date):
                bad("birth_date", "roster.import.birth_no_date", value=text("birth"))
        birth_place = birth_place if W.clean(birth_place) else place
        birth_date = birth_date if W.clean(birth_date) else when
    if W.clean(birth_place):
        place = W.clean(birth_place)
        m["birth_place"] = place.title() if place.isupper() else place
    if W.clean(birth_date) or isinstance(birth_date, (dt.date, int, float)) and birth_date:
        iso = W.parse_date(birth_date, "birth", ctx.today)
        if iso is None:
            bad("birth_date", "roster.import.bad_date", value=W.clean(birth_date))
        m["birth_date"] = iso or W.clean(birth_date)
    if "address" in cells:
        m["address"] = " ".join(text("address").split())
    kab_code = ""
    if text("kab"):
        found = _find_kab(text("kab"))
        if found is None:
            bad("kab", "roster.import.bad_kab", value=text("kab"))
        else:
            kab_code = m["kab"] = found["code"]
    hints = ctx.area or ((regions.nik_region(m.get("nik", ""))[0],) if m.get("nik") else ())
    if text("kec"):
        found, problem, kabs = _find_kec(text("kec"), kab_code, hints)
        if found is None:
            _kec_problem(bad, "kec", text("kec"), problem, kabs, kab_code)
        else:
            m["kec"] = found["code"]
            if not kab_code:
                kab_code = m["kab"] = found["kab"]
    if "kec" in concerned:
        concerned.add("kab")  # "ambiguous: fill in KAB/KOTA" says it; not "kab/kota is required" as well
    if text("phone"):
        m["phone"] = _phone(one("phone"))
    bank = {k.split(".")[1]: text(k) for k in ("bank.name", "bank.account", "bank.holder") if k in cells}
    raw_account = one("bank.account")
    if bank.get("account"):
        if _number_damaged(raw_account, 16) or (isinstance(raw_account, int) and not isinstance(raw_account, bool)
                                                and not isinstance(raw_account, PaddedNumber)):
            bad("bank.account", "roster.import.account_number", value=fmt.mask_account(bank["account"]))
    if any(bank.values()):
        m["bank"] = bank
    if "bpjs_tk" in cells:
        m["bpjs_tk"] = text("bpjs_tk")
    _assignment_fields(cells, text, ctx, a, bad, kab_code)
    _status_fields(cells, ctx, extra, bad, problems)
    if text("office"):
        code = ctx.offices.get(" ".join(w for w in W.words(text("office")).split() if w != "upt"))
        if code is None:
            bad("office", "roster.import.office_unknown", value=text("office"))
        elif code != ctx.office and not ctx.is_province:
            bad("office", "roster.import.office_other", value=text("office"), other=code, office=ctx.office)
        else:
            a["office"] = code
            extra["owner"] = code
    return m, a, extra, problems, concerned


_SEX = {"l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "male": "L", "m": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P", "w": "P"}


def _phone(raw: object) -> str:
    """'6281…' -> '+6281…'; a number cell 81234… (its 0 dropped by Excel) -> '081234…'."""
    phone = str(raw) if isinstance(raw, PaddedNumber) else W.clean(raw)
    digits = re.sub(r"[\s\-.()]", "", phone)
    if digits.isdigit():
        if digits.startswith("62") and len(digits) >= 10:
            return "+" + digits
        if digits.startswith("8"):
            return "0" + digits
    return phone


def _kec_problem(bad, name: str, value: str, problem: str, kabs: tuple[str, ...], kab_code: str) -> None:
    names = ", ".join(regions.kab_name(k) for k in kabs)
    if problem == "elsewhere":
        bad(name, "roster.import.kec_elsewhere", value=value, kabs=names, kab=regions.kab_name(kab_code))
    elif problem == "ambiguous":
        bad(name, "roster.import.kec_ambiguous", value=value, kabs=names)
    else:
        bad(name, "roster.import.bad_kec", value=value)


def _assignment_fields(cells, text, ctx: _Context, a: dict, bad, kab_code: str) -> None:
    """Pillar, position, level, number, SK, TMT and area of the assignment a row gives."""
    pillar_text, position_text = text("pillar"), text("position")
    pillar = W.read_pillar(pillar_text) if pillar_text else None
    if pillar_text and pillar is None:
        bad("pillar", "roster.import.bad_pillar", value=pillar_text, known=W.KNOWN_PILLARS)
    position = level = None
    if position_text:
        position, from_position, level, unknown = W.read_position(position_text)
        if position is None or unknown and not from_position:
            bad("position", "roster.import.bad_position", value=position_text, known=W.KNOWN_POSITIONS)
        if from_position and pillar and from_position != pillar:
            bad("pillar", "roster.import.pillar_clash", pillar=pillar_text, position=position_text)
        pillar = pillar or from_position
    if not pillar_text and not pillar and ctx.sheet_pillar:
        pillar = ctx.sheet_pillar
    if pillar:
        a["pillar"] = pillar
    elif not pillar_text:
        a["_no_pillar"] = True
    if position:
        a["position"] = position
    level_text = text("level")
    if level_text:
        key = W.words(level_text).replace("tagana ", "")
        level = W.LEVEL_WORDS.get(key) or (key.upper() if key.upper() in TAGANA_LEVELS else None)
        if level is None:
            bad("level", "roster.import.bad_level", value=level_text)
    if level:
        a["level"] = level
    for name in ("number", "sk"):
        if text(name):
            a[name] = text(name)
    raw_start = cells.get("start", [None])[0]
    if W.clean(raw_start) or isinstance(raw_start, (dt.date, int, float)) and raw_start:
        iso = W.parse_date(raw_start, "start", ctx.today)
        if iso is None:
            bad("start", "roster.import.bad_date", value=W.clean(raw_start))
        else:
            a["start"] = iso
    if text("area_kec"):
        found, problem, kabs = _find_kec(text("area_kec"), kab_code, ctx.area)
        if found is None:
            _kec_problem(bad, "area_kec", text("area_kec"), problem, kabs, kab_code)
        else:
            a["area_kec"], a["area_kab"] = found["code"], found["kab"]


def _status_fields(cells, ctx: _Context, extra: dict, bad, problems: list[str]) -> None:
    """ACTIVE/INACTIVE with reason and date from KETERANGAN / STATUS / AKTIF columns: an inactive word
    in any of them wins; an unknown word in a status column is refused, in KETERANGAN it is a note."""
    statuses = cells.get("status") or []
    columns = cells.get("_status_headers") or []
    found: list[tuple[str, str, str]] = []
    for value, header in zip(statuses, columns, strict=False):
        raw = W.clean(value)
        if not raw:
            if header in ctx.tick_status:
                bad("status", "roster.import.aktif_blank", column=header.upper())
            continue
        read = W.read_status(raw, header)
        if read is not None:
            found.append(read)
        elif header in _EXPLICIT_STATUS and W.words(raw) not in W.MARITAL:
            bad("status", "roster.import.bad_status", value=raw)
        else:
            extra.setdefault("notes", []).append(raw)
    inactive = [f for f in found if f[0] == "INACTIVE"]
    if inactive:
        _, reason, when = inactive[0]
        raw_date = cells.get("inactive_date", [None])[0]
        if not when and (W.clean(raw_date) or isinstance(raw_date, (dt.date, int, float)) and raw_date):
            when = raw_date
        iso = ""
        if when:
            iso = W.parse_date(when, "start", ctx.today) or ""
            if not iso:
                bad("inactive_date", "roster.import.bad_date", value=W.clean(when))
        extra["status"] = ("INACTIVE", reason, iso)
    elif found:
        extra["status"] = ("ACTIVE", "", "")


def _merge(existing: dict | None, m: dict, a: dict, extra: dict, office: str, today: dt.date) -> dict:
    """The member after this row: a new member, or the existing one with the file's non-empty values."""
    if existing is None:
        value = new_member(**{k: v for k, v in m.items() if k != "bank"}, bank=m.get("bank") or {})
    else:
        value = existing
        for key, v in m.items():
            if key == "bank":
                value["bank"] = {**(value.get("bank") or {}), **{k: x for k, x in v.items() if x}}
            elif v not in ("", None):
                value[key] = v
    status = extra.get("status")
    if not a.get("pillar") and existing is not None:
        if status and status[0] == "INACTIVE":
            for target in value.get("assignments") or []:
                _deactivate(target, status)
        return value
    assignments = value.setdefault("assignments", [])
    target = next((x for x in assignments if x.get("pillar") == a.get("pillar") and x.get("status") == "ACTIVE"),
                  None) or next((x for x in assignments if x.get("pillar") == a.get("pillar")), None)
    if target is None:
        target = new_assignment(office=a.get("office") or office, start=today.isoformat(), position="ANGGOTA")
        assignments.append(target)
    for key, v in a.items():
        if key in ASSIGNMENT_FIELDS and v not in ("", None):
            target[key] = v
    if not target.get("area_kab"):
        target["area_kab"] = value.get("kab", "")
    if not target.get("area_kec") and target.get("pillar") == "TKSK":
        target["area_kec"] = value.get("kec", "") if value.get("kab") == target["area_kab"] else ""
    target["office"] = target.get("office") or office
    if status and status[0] == "INACTIVE":
        _deactivate(target, status)
    return value


def _deactivate(target: dict, status: tuple[str, str, str]) -> None:
    if target.get("status") != "ACTIVE":
        return
    _, reason, when = status
    target.update(status="INACTIVE", inactive_reason=reason, inactive_date=when)
    if when and not target.get("end") and when >= (target.get("start") or ""):
        target["end"] = when


# ---------------------------------------------------------------------- before / after


def _shown(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    if name in ("nik", "bank.account"):
        return fmt.mask_account(text) if text else ""
    if name == "phone" and len(text) > 6:
        return text[:5] + "…" + text[-3:]
    return text


def _changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) of every field the row changes, personal numbers masked."""
    out: list[tuple[str, str, str]] = []
    for key in ("nik", "name", "sex", "birth_place", "birth_date", "address", "kab", "kec", "phone", "bpjs_tk"):
        if (before.get(key) or "") != (after.get(key) or ""):
            out.append((field_label(key), _shown(key, before.get(key)), _shown(key, after.get(key))))
    b_bank, a_bank = before.get("bank") or {}, after.get("bank") or {}
    for key in ("name", "account", "holder"):
        if (b_bank.get(key) or "") != (a_bank.get(key) or ""):
            name = f"bank.{key}"
            out.append((field_label(name), _shown(name, b_bank.get(key)), _shown(name, a_bank.get(key))))
    old = {x.get("id"): x for x in before.get("assignments") or []}
    for x in after.get("assignments") or []:
        y = old.get(x.get("id")) or {}
        for key in ("pillar", "position", "area_kab", "area_kec", "office", "number", "level", "sk", "start",
                    "end", "status", "inactive_reason", "inactive_date"):
            if (y.get(key) or "") != (x.get(key) or ""):
                out.append((field_label(key), str(y.get(key) or ""), str(x.get(key) or "")))
    return out


# ---------------------------------------------------------------------- preview and commit


def preview(roster: Roster, path: Path, progress: Progress | None = None, today: dt.date | None = None,
            overrides: dict[str, str] | None = None) -> ImportPlan:
    """Read ``path`` and decide each row's fate without writing; ``overrides`` changes the column mapping
    ({header words or column letter: field or '-'}, see :func:`parse_overrides`)."""
    today = today or dt.date.today()
    path = Path(path)
    if progress:
        progress(0, 1, t("roster.import.reading", file=path.name))
    book = read_book(path)
    sheets: list[SheetPlan] = []
    bodies: list[tuple[SheetPlan, list[tuple[int, list[object]]]]] = []
    for sheet in book.sheets:
        plan, body = _plan_sheet(sheet, overrides or {})
        sheets.append(plan)
        if plan.read:
            bodies.append((plan, body))
    if not bodies:
        _refuse_whole(book, sheets)
    several = len(book.sheets) > 1
    ctx_base = dict(office=roster.db.code, is_province=roster.db.is_province, offices=_office_index(roster),
                    area=_office_area(roster), today=today)
    result = ImportPlan(path, sheets, [], roster.version, dict.fromkeys(SKIP_KINDS, 0), kind=book.kind)
    work = _Work(roster, result, today)
    total = sum(len(b) for _p, b in bodies)
    done = 0
    for plan, body in bodies:
        ctx = _Context(sheet_pillar=plan.pillar, headers=plan.headers, **ctx_base)
        nik_col = next((i for i, f in plan.mapping.items() if f == "nik"), None)
        status_cols = [i for i, f in sorted(plan.mapping.items()) if f == "status"]
        ctx.nik_damage = _column_damaged([c[nik_col] if nik_col is not None and nik_col < len(c) else None
                                          for _l, c in body])
        ctx.tick_status = frozenset(
            W.words(plan.headers[i]) for i in status_cols if i < len(plan.headers)
            and W.words(plan.headers[i]).startswith("aktif")
            and any(i < len(c) and W.clean(c[i]) and W.is_tick(c[i]) for _l, c in body))
        in_signature = False
        pending_blank = 0
        for line, cells in body:
            done += 1
            if progress and (done % 250 == 0 or done == total):
                progress(done, total, t("roster.import.checking", done=done, total=total))
            kind = _non_member(cells, plan.mapping, nik_col, in_signature)
            if kind == "blank":
                pending_blank += 1
                continue
            if kind is not None:
                result.skipped[kind] += 1
                result.skipped["blank"] += pending_blank
                pending_blank = 0
                in_signature = in_signature or kind == "signature"
                continue
            result.skipped["blank"] += pending_blank
            pending_blank = 0
            values: dict[str, list[object]] = {}
            for i, name in plan.mapping.items():
                if i < len(cells):
                    values.setdefault(name, []).append(cells[i])
                elif name in ("status", "sex_l", "sex_p"):
                    values.setdefault(name, []).append(None)
            values["_status_headers"] = [W.words(plan.headers[i]) if i < len(plan.headers) else ""
                                         for i in status_cols]
            work.row(line, plan.name if several else "", values, ctx)
    result.skipped = {k: n for k, n in result.skipped.items() if n}
    return result


def _column_damaged(values: list[object]) -> bool:
    """The NIK column was a number column: some NIK shows in scientific notation, or most end in 0."""
    texts = [W.clean(v) for v in values if W.clean(v)]
    if any(_SCIENTIFIC.match(x.replace(" ", "")) for x in texts):
        return True
    sixteen = [x for x in texts if len(x) == 16 and x.isdigit()]
    return len(sixteen) >= 4 and sum(1 for x in sixteen if x.endswith("0")) * 2 > len(sixteen)


def _refuse_whole(book: Book, sheets: list[SheetPlan]) -> None:
    """No sheet could be read: the most useful of the sheets' reasons, as the file's refusal."""
    path = str(book.path)
    if not any(any(W.clean(c) for c in cells) for s in book.sheets for _l, cells in s.rows):
        raise PilarError("roster.import.empty", path=path)
    half = [s for s in sheets if s.headers]
    if half:
        names = {f for s in half for f in s.mapping.values()}
        missing = [field_label(f) for f in ("nik", "name") if f not in names]
        raise PilarError("roster.import.need_columns", path=path, columns=", ".join(missing))
    if len(sheets) > 1:
        raise PilarError("roster.import.no_sheet", path=path,
                         sheets="; ".join(f"{s.name}: {s.reason}" for s in sheets))
    raise PilarError("roster.import.no_header", path=path)


class _Work:
    """The rows of one preview, in file order, with what the rows above them decided."""

    def __init__(self, roster: Roster, plan: ImportPlan, today: dt.date) -> None:
        self.roster, self.plan, self.today = roster, plan, today
        self.view = _ImportView(roster)
        # members deleted at one office and edited at another: not in the NIK index (the deletion shows
        # first) but a row with their NIK is about them, not a new member
        self.deleted_first = {r.nik: r.id for r in roster.flagged("deleted") if r.nik}
        self.seen: dict[str, str] = {}

    def row(self, line: int, sheet: str, values: dict[str, list[object]], ctx: _Context) -> None:
        roster = self.roster
        m, a, extra, problems, concerned = _row_member(values, ctx)
        nik = m.get("nik", "")
        plan = RowPlan(line, "refuse", name=m.get("name", ""), nik=nik, sheet=sheet)
        self.plan.rows.append(plan)
        if nik and nik in self.seen:
            plan.reasons.append(t("roster.import.duplicate_in_file", line=self.seen[nik]))
            return
        held = roster.db.lookup("members", "nik", nik) if nik else []
        if len(held) > 1:
            # two members with this NIK (registered at two offices): the province merges them first
            self.seen[nik] = plan.where
            plan.fate = "conflict"
            plan.reasons.append(t("roster.import.duplicate_case", count=len(held),
                                  command=f"pilar conflicts show {held[0][:8]}"))
            return
        if not held and nik in self.deleted_first:
            held = [self.deleted_first[nik]]
        if held and roster.in_conflict(held[0]):
            # a plain update would close the conflict and drop the other office's version unseen
            from storage.conflicts import edit_refusal

            self.seen[nik] = plan.where
            plan.fate = "conflict"
            plan.reasons.append(str(edit_refusal(roster.db, "members", held[0])))
            return
        existing = roster.by_nik(nik) if nik else None
        existing = normalise(existing) if existing else None
        if existing is not None and not problems and self._held(plan, existing, m):
            return
        if a.pop("_no_pillar", False) and existing is None:
            problems.append(t("roster.import.no_pillar", known=W.KNOWN_PILLARS))
            concerned.add("pillar")
        value = _merge(copy.deepcopy(existing) if existing else None, m, a, extra, ctx.office, self.today)
        value = normalise(value, copy=False)
        # Office spreadsheets rarely have an "atas nama" column: the account is taken to be in the
        # member's own name, and the preview says so for the clerk to check against the passbook.
        bank = value.get("bank") or {}
        holder_assumed = bool(W.clean(bank.get("account")) and not W.clean(bank.get("holder")) and value.get("name"))
        if holder_assumed:
            value["bank"] = dict(bank, holder=" ".join(value["name"].split()).upper())
        result = validate_member(value, self.view, today=self.today)
        plan.reasons = problems + [i.message for i in result.errors
                                   if re.sub(r"^assignments\[\d+\]\.", "", i.field) not in concerned]
        plan.warnings = [i.message for i in result.warnings]
        if holder_assumed:
            plan.warnings.append(t("roster.import.holder_assumed", holder=value["bank"]["holder"]))
        self._status_notes(plan, extra, existing, value)
        if plan.reasons:
            return
        if nik:
            self.seen[nik] = plan.where
            self.view.by_file_nik[nik] = value
        plan.value = value
        if existing is None:
            plan.fate = "add"
            plan.owner = extra.get("owner") or ""
        else:
            plan.changes = _changes(existing, value)
            plan.fate = "same" if existing == value else "update"

    def _held(self, plan: RowPlan, existing: dict, m: dict) -> bool:
        """A known NIK under a clearly different name or birth date: another person, or a mistyped NIK."""
        name, born = m.get("name") or "", m.get("birth_date") or ""
        other_name = W.names_differ(existing.get("name") or "", name) if name else False
        other_birth = bool(born and existing.get("birth_date") and born != existing["birth_date"]
                           and re.fullmatch(r"\d{4}-\d{2}-\d{2}", born))
        if not (other_name or other_birth):
            return False
        plan.fate = "hold"
        plan.reasons.append(t("roster.import.held", name=name or existing.get("name", ""),
                              known=existing.get("name", ""), born=existing.get("birth_date") or "-",
                              row_born=born or "-"))
        return True

    def _status_notes(self, plan: RowPlan, extra: dict, existing: dict | None, value: dict) -> None:
        status = extra.get("status")
        if status and status[0] == "INACTIVE":
            when = fmt.day_month_year(status[2]) if status[2] else t("roster.import.no_date")
            plan.warnings.insert(0, t("roster.import.lands_inactive", reason=status[1], date=when))
        elif status and existing is not None and all(x.get("status") != "ACTIVE"
                                                     for x in existing.get("assignments") or []):
            plan.warnings.append(t("roster.import.not_reactivated"))
        for note in extra.get("notes") or []:
            plan.warnings.append(t("roster.import.note_kept", value=note))


def commit(roster: Roster, plan: ImportPlan, progress: Progress | None = None) -> dict[str, int]:
    """Save every accepted row of ``plan`` in one transaction; refused and held rows are left out."""
    if plan.version != roster.version:
        raise PilarError("roster.import.changed_since")
    rows = plan.accepted
    if not rows:
        raise PilarError("roster.import.nothing")
    if progress:
        progress(0, len(rows), t("roster.import.writing", count=len(rows)))
    counts = plan.counts
    # Every import is preceded by a backup (issue 7): one `pilar restore` undoes it.
    from storage.backup import backup_now

    for row in rows:  # storage's own guard: never a plain save over a record in conflict
        rid = (row.value or {}).get("id")
        if rid and roster.in_conflict(rid):
            from storage.conflicts import edit_refusal

            raise edit_refusal(roster.db, "members", rid)
    backup_now(roster.db, "before-roster-import")
    with roster.db.transaction("roster.import") as tx:
        for n, row in enumerate(rows, 1):
            tx.put("members", row.value, owner=row.owner or roster.db.code)
            if progress and n % 500 == 0:
                progress(n, len(rows), t("roster.import.writing", count=len(rows)))
        tx.note("roster.import", "import", plan.path.name,
                note=t("roster.import.summary", file=plan.path.name, **counts, lang="id"))
    if progress:
        progress(len(rows), len(rows), t("roster.import.done", **counts))
    return counts

