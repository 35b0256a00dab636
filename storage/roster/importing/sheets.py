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
    table: int = 0  # 1, 2 … when the sheet holds several tables (a header row further down); 0 for one
    also: dict[int, list[str]] = field(default_factory=dict)  # column -> other fields its header could be
    repeated_headers: int = 0  # the header row copied again further down (above each printed page)

    @property
    def label(self) -> str:
        """'DATA PILAR' or, for the second table of that sheet, 'DATA PILAR (tabel 2)'."""
        return t("roster.import.table_label", sheet=self.name, table=self.table) if self.table else self.name

    def mapping_text(self) -> str:
        def why(i: int) -> str:
            other = self.also.get(i)
            return t("roster.import.also_matches", fields=", ".join(field_label(f) for f in other)) if other else ""
        return ", ".join(f"{self.headers[i] or column_letter(i)} → {field_label(f)}{why(i)}"
                         for i, f in sorted(self.mapping.items()))

    def unmapped(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.mapping and h
                and column_letter(i) not in {c.split(" ", 1)[0] for c in self.hidden_cols}]


def _cells_text(cells: list[object]) -> list[str]:
    return [header_words.clean(c) for c in cells]


def _score_row(cells: list[object], hidden: set[int] | frozenset[int] = frozenset()) -> list[list[tuple[float, str]]]:
    """Scores of each header cell; a cell repeating its visible left neighbour (a merged header spread
    over several columns) is scored once, in its first column. A column repeating a hidden one is its
    replacement (the clerk hid NO HP and added a new NO HP): it competes on its own."""
    return [header_words.header_scores(c) if isinstance(c, str) and not (i and cells[i - 1] == c and i - 1 not in hidden)
            else [] for i, c in enumerate(cells)]


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
    """Find the header of a sheet and map its columns; the data rows after it (the first table only:
    :func:`plan_tables` finds the others)."""
    return plan_tables(sheet, overrides)[0]


def plan_tables(sheet: Sheet, overrides: dict[str, str]) -> list[tuple[SheetPlan, list[tuple[int, list[object]]]]]:
    """Every table of a sheet with its own header, mapping and pillar, and the rows under it. A table
    starts at a header row naming NAMA and NIK; another such row further down (a second list below the
    first, often under a heading such as "DAFTAR ANGGOTA TAGANA", its columns in another order) starts
    the next table."""
    plan = SheetPlan(sheet.name, False, hidden_rows=sheet.hidden_rows)
    if sheet.state != "visible":
        plan.reason = t("roster.import.sheet_hidden")
        return [(plan, [])]
    rows = [(line, cells) for line, cells in sheet.rows if any(header_words.clean(c) for c in cells)]
    if not rows:
        plan.reason = t("roster.import.sheet_empty")
        return [(plan, [])]
    for n, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = _assign(_score_row(cells, sheet.hidden_cols), sheet.hidden_cols)
        known = set(mapping.values())
        if len(known) < 2 or not known & {"nik", "name"}:
            continue
        title = " ".join(header_words.clean(c) for _l, r in rows[:n] for c in r if isinstance(c, str))
        pillar = header_words.only_pillar(sheet.name) or header_words.only_pillar(title) or ""
        found = [m for m in range(n + 2, len(rows)) if _is_table_header(rows[m][1], sheet.hidden_cols)]
        # the same header again (copied above each printed page) is not a new table: its row is left out
        same = {m for m in found if _cells_text(rows[m][1]) == _cells_text(cells)}
        starts = [n, *(m for m in found if m not in same)]
        if same:
            rows = [r for m, r in enumerate(rows) if m not in same]
            starts = [s - sum(1 for m in same if m < s) for s in starts]
        out = []
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(rows)
            if k:
                # the headings between the tables (rows of one text cell) name the new table's pillar
                heading = " ".join(header_words.clean(c) for _l, r in _headings_above(rows, starts[k - 1], start)
                                   for c in r if isinstance(c, str))
                pillar = header_words.only_pillar(heading) or header_words.only_pillar(sheet.name) or ""
            table, body = _table(sheet, rows, start, end, overrides, pillar)
            table.table = k + 1 if len(starts) > 1 else 0
            table.repeated_headers = len(same) if k == 0 else 0
            out.append((table, body))
        return out
    plan.reason = t("roster.import.sheet_no_header")
    return [(plan, [])]


def _headings_above(rows: list[tuple[int, list[object]]], previous: int, start: int) -> list[tuple[int, list]]:
    """The rows of one text cell just above a header row (after the last member row of the table before)."""
    out = []
    for m in range(start - 1, previous, -1):
        filled = [header_words.clean(c) for c in rows[m][1] if header_words.clean(c)]
        if len(filled) != 1 or not isinstance(next(c for c in rows[m][1] if header_words.clean(c)), str):
            break
        out.insert(0, rows[m])
    return out


def _is_table_header(cells: list[object], hidden: set[int]) -> bool:
    """A row inside a sheet that is a new table's header row: only words, naming NAMA and NIK."""
    if not any(isinstance(c, str) and ("nik" in c or "NIK" in c or "Nik" in c or "KTP" in c or "ktp" in c
                                       or "ependuduk" in c.lower()) for c in cells):
        return False  # quick test first: ten thousand member rows are never scored
    texts = [header_words.clean(c) for c in cells]
    filled = [x for x in texts if x]
    if len(filled) < 3 or any(not isinstance(c, str) for c, x in zip(cells, texts, strict=False) if x):
        return False
    if any(sum(ch.isdigit() for ch in x) >= 6 for x in filled):
        return False
    keys = [header_words.words(x) for x in filled]
    if not any({"nik", "ktp", "kependudukan"} & set(k.split()) for k in keys):
        return False
    known = set(_assign(_score_row(cells, hidden), hidden).values())
    return {"nik", "name"} <= known and len(known) >= 3


def _table(sheet: Sheet, rows: list[tuple[int, list[object]]], n: int, end: int, overrides: dict[str, str],
           pillar: str) -> tuple[SheetPlan, list[tuple[int, list[object]]]]:
    """The table whose header row is rows[n]: its (one- or two-row) header, mapping and rows up to ``end``."""
    plan = SheetPlan(sheet.name, False, hidden_rows=sheet.hidden_rows)
    line, cells = rows[n]
    scores = _score_row(cells, sheet.hidden_cols)
    mapping = _assign(scores, sheet.hidden_cols)
    headers = [header_words.clean(c) for c in cells]
    start = n + 1
    if start < end and _is_sub_header(cells, rows[start][1]):
        headers, fields = _two_row_headers(cells, rows[start][1])
        sub_scores = [[(1.0, fields[i])] if i in fields else [] for i in range(len(headers))]
        mapping = _assign(sub_scores, sheet.hidden_cols)
        for i, name in fields.items():  # both halves of "JENIS KELAMIN | L | P"
            if name in ("sex_l", "sex_p") and i not in sheet.hidden_cols:
                mapping[i] = name
        start += 1
        scores = [[]] * len(headers)
    plan.headers, plan.header_line = headers, line
    plan.mapping = _apply_overrides(headers, mapping, overrides)
    plan.also = {i: [f for _s, f in scores[i] if f != plan.mapping[i]]
                 for i in plan.mapping if i < len(scores)}
    plan.also = {i: f for i, f in plan.also.items() if f}
    plan.hidden_cols = [f"{column_letter(i)} ({headers[i]})" if i < len(headers) and headers[i]
                        else column_letter(i) for i in sorted(sheet.hidden_cols) if i < len(headers)]
    plan.pillar = pillar
    names = set(plan.mapping.values())
    missing = [field_label(f) for f in ("nik", "name") if f not in names]
    if missing:
        plan.reason = t("roster.import.sheet_missing", columns=", ".join(missing))
        return plan, []
    plan.read = True
    return plan, rows[start:end]


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
_EXAMPLE = re.compile(r"^(contoh|misal|misalnya|example)\b|\b(contoh|example)$")
_PLACEHOLDER = re.compile(r"[x*]{4,}|^(dd|tgl)[-/ ](mm|bln)[-/ ](yyyy|yy|thn)$", re.I)


def _is_example(cells: list[object], nik: str) -> bool:
    """A template's example row left above the real ones: "CONTOH" in a cell, a name "BUDI SANTOSO
    (contoh)", a NIK of x's ("35xxxxxxxxxxxxxx")."""
    if _PLACEHOLDER.search(nik):
        return True
    return any(isinstance(c, str) and ("ontoh" in c or "ONTOH" in c or "xample" in c) and _EXAMPLE.search(header_words.words(c))
               for c in cells)


_PLACE_DATE = re.compile(r"^[a-z ]+ \d{1,2} [a-z]+ \d{4}$")


def non_member(cells: list[object], mapping: dict[int, str], nik_col: int | None,
                in_signature: bool) -> str | None:
    """'numbering', 'total', 'signature', 'heading', 'example' or 'blank' for a row that is not a member;
    None for a member row (even a broken one)."""
    nik = header_words.clean(cells[nik_col]) if nik_col is not None and nik_col < len(cells) else ""
    if _is_example(cells, nik):
        return "example"
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

