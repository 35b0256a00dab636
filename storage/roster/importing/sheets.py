"""How a sheet of an office's spreadsheet is understood: its header row (one or two rows, found by score),
the column mapping and the clerk's changes to it, and the rows that are not members (column numbers,
totals, signatures, section headings, blanks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain.model import field_label
from storage.roster.importing import words as header_words
from storage.roster.importing.read import Sheet, column_index, column_letter

HEADER_SEARCH_ROWS = 20
# fields a column may be mapped to by hand (--map KOLOM=field); sex_l / sex_p are L | P tick columns
MAP_FIELDS = (*header_words.FIELDS, "sex_l", "sex_p")
# The clerk's answer for an AKTIF column left blank on every row ("AKTIF=semua-aktif"): the column is
# the status, and a blank in it means this (never assumed without the answer: storage.roster.importing.rows).
BLANK_ANSWERS = {"semua-aktif": "ACTIVE", "kosong-aktif": "ACTIVE", "all-active": "ACTIVE",
                 "blank-active": "ACTIVE", "semua-nonaktif": "INACTIVE", "kosong-nonaktif": "INACTIVE",
                 "semua-tidak-aktif": "INACTIVE", "all-inactive": "INACTIVE", "blank-inactive": "INACTIVE"}


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
    kec: str = ""  # from the sheet name when the file keeps one sheet per kecamatan ("KALIWATES")
    hidden_cols: list[str] = field(default_factory=list)
    hidden_rows: int = 0

    def mapping_text(self) -> str:
        return ", ".join(f"{self.headers[i] or column_letter(i)} → {field_label(f)}"
                         for i, f in sorted(self.mapping.items()))

    def unmapped(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.mapping and h
                and column_letter(i) not in {c.split(" ", 1)[0] for c in self.hidden_cols}]


def _cells_text(cells: list[object]) -> list[str]:
    return [header_words.clean(c) for c in cells]


def _score_row(cells: list[object]) -> list[list[tuple[float, str]]]:
    """Scores of each header cell; a cell repeating its left neighbour (a merged header spread over
    several columns) is scored once, in its first column."""
    return [header_words.header_scores(c) if isinstance(c, str) and not (i and cells[i - 1] == c) else []
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
        parent = header_words.header_field(top_text) if top_text else None
        if sub_text and sub_text != top_text:
            name = header_words.sub_header_field(parent, sub_text)
            headers.append(f"{top_text} / {sub_text}" if top_text else sub_text)
        else:
            name = parent
            headers.append(top_text)
        if name:
            fields[i] = name
    return headers, fields


def plan_sheet(sheet: Sheet, overrides: dict[str, str]) -> tuple[SheetPlan, list[tuple[int, list[object]]]]:
    """Find the header of a sheet and map its columns; the data rows after it."""
    plan = SheetPlan(sheet.name, False, hidden_rows=sheet.hidden_rows)
    if sheet.state != "visible":
        plan.reason = t("roster.import.sheet_hidden")
        return plan, []
    rows = [(line, cells) for line, cells in sheet.rows if any(header_words.clean(c) for c in cells)]
    if not rows:
        plan.reason = t("roster.import.sheet_empty")
        return plan, []
    for n, (line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        scores = _score_row(cells)
        mapping = _assign(scores, sheet.hidden_cols)
        known = set(mapping.values())
        if len(known) < 2 or not known & {"nik", "name"}:
            continue
        headers = [header_words.clean(c) for c in cells]
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
        title = " ".join(header_words.clean(c) for _l, r in rows[:n] for c in r if isinstance(c, str))
        plan.pillar = header_words.only_pillar(sheet.name) or header_words.only_pillar(title) or ""
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
        name = name.replace(" ", "-")
        if not sep or not column.strip() or (name not in MAP_FIELDS and name not in BLANK_ANSWERS
                                             and name not in ("-", "")):
            raise PilarError("roster.import.bad_map", item=item, fields=", ".join(MAP_FIELDS))
        out[column.strip()] = name if name else "-"
    return out


def override_columns(headers: list[str], key: str) -> list[int]:
    """The columns an override names: a header's own text first ("NIK", "KET" are also column
    letters), else a column letter."""
    cols = [i for i, h in enumerate(headers) if header_words.words(h) == header_words.words(key)]
    if not cols and column_index(key) is not None:
        cols = [column_index(key)]
    return cols


def blank_answers(headers: list[str], overrides: dict[str, str]) -> dict[int, str]:
    """Column -> 'ACTIVE'|'INACTIVE' for the AKTIF columns the clerk answered for ('AKTIF=semua-aktif')."""
    return {c: BLANK_ANSWERS[name] for key, name in overrides.items() if name in BLANK_ANSWERS
            for c in override_columns(headers, key)}


def _apply_overrides(headers: list[str], mapping: dict[int, str], overrides: dict[str, str]) -> dict[int, str]:
    if not overrides:
        return mapping
    mapping = dict(mapping)
    for key, name in overrides.items():
        if name in BLANK_ANSWERS:
            name = "status"
        for c in override_columns(headers, key):
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


def non_member(cells: list[object], mapping: dict[int, str], nik_col: int | None,
                in_signature: bool) -> str | None:
    """'numbering', 'total', 'signature', 'heading' or 'blank' for a row that is not a member; None for
    a member row (even a broken one)."""
    nik = header_words.clean(cells[nik_col]) if nik_col is not None and nik_col < len(cells) else ""
    if not in_signature and sum(ch.isdigit() for ch in nik) >= 6:
        return None  # the common case, decided before looking at the other cells
    texts = [header_words.clean(c) for c in cells]
    filled = [x for x in texts if x]
    if not filled:
        return "blank"
    if len(filled) >= 3 and all(re.fullmatch(r"\(?\d{1,2}\)?\.?", x) for x in filled):
        return "numbering"
    first = [header_words.words(x) for x in filled[:3]]
    if any(_TOTAL.match(w) for w in first):
        return "total"
    if any(_SIGNATURE.match(w) or _PLACE_DATE.match(w) for w in first):
        return "signature"
    if in_signature and not nik:
        return "signature"
    if len(filled) == 1 and not nik and (_HEADING.match(header_words.words(filled[0])) or header_words.read_pillar(filled[0])
                                         or filled[0].endswith(":")):
        return "heading"
    return None

