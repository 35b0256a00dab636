"""Import a roster from an office's own spreadsheet (.xlsx, .xlsb, .xls, .ods, .csv): map columns, preview, commit.

The file is read as the clerk sees it (``storage.roster.importing.read``); each visible sheet with a NAMA and a NIK
column is read, the others are named with the reason they were skipped (``storage.roster.importing.sheets``).
Headers are matched by score (``storage.roster.importing.words``) and the mapping can be changed (``overrides``);
each row is read by ``storage.roster.importing.rows``. The preview validates every
row with ``storage.domain.validate`` against the roster *and* the rows above it in the same file, and never lets
a doubtful value through: a NIK or account Excel turned into a number, a row saying the member died or
resigned (it lands inactive), a known NIK under another person's name (held). Nothing is written until
:func:`commit`, which saves every accepted row in one transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage.backup.backups import backup_now
from storage.core import authority
from storage.core.db import gc_paused
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt, regions
from storage.domain.model import field_label, pillar_label
from storage.domain.validate import validate_member
from storage.reconcile.conflicts import edit_refusal
from storage.roster.importing import words as header_words
from storage.roster.importing.formats import read_any
from storage.roster.importing.ods import spread_ods_merges
from storage.roster.importing.read import Book, column_letter
from storage.roster.importing.rows import (
    Context,
    ages_made_years_ago,
    bank_of_header,
    changes,
    column_damaged,
    find_kec,
    merge,
    office_area,
    office_index,
    row_member,
)
from storage.roster.importing.sheets import (
    SheetPlan,
    blank_answers,
    non_member,
    parse_overrides,
    plan_tables,
)
from storage.roster.importing.twins import Twins, mask_near
from storage.roster.service import Roster, normalise

__all__ = ["ImportPlan", "RowPlan", "SheetPlan", "commit", "field_label", "grouped", "header_field",
           "parse_overrides", "preview"]

Progress = Callable[[int, int, str], None]
FATES = ("add", "update", "same", "refuse", "conflict", "hold", "join")
SKIP_KINDS = ("numbering", "total", "signature", "heading", "example", "blank")


def grouped(counts: dict) -> dict:
    """The counts as the messages show them: 1565 -> '1.565' (id) / '1,565' (en); other values as given."""
    return {k: fmt.number(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in counts.items()}


def header_field(text: object) -> str | None:
    """'NO. HP' -> 'phone', 'NOMOR INDUK KEPENDUDUKAN (NIK)' -> 'nik'; None when unknown."""
    return header_words.header_field(text)


# ---------------------------------------------------------------------- the plan


@dataclass
class RowPlan:
    """What will happen to one row of the file."""

    line: int
    # add | update | same | refuse | conflict (in conflict / duplicate-NIK case) | hold (another person? the
    # same person under a NIK a typo apart?) | join (another pillar of the member of a row above)
    fate: str
    name: str = ""
    nik: str = ""
    value: dict | None = None
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, before, after)
    owner: str = ""
    from_nik: tuple[str, ...] = ()  # fields the NIK gave (the file has no column, or the cell is blank)
    duty_home: bool = False  # the home kecamatan taken from KECAMATAN TUGAS
    age_checked: bool = False  # the birth date the NIK gave was checked against the row's UMUR
    existing: dict | None = None  # the member before this row (an update), for the changes of a joined row
    decided: str = ""  # the operator's decision about a NIK close to another, said on the row
    pillars: set[str] = field(default_factory=set)  # pillars the file's rows gave this member (rows joined)
    cells: list | None = field(default=None, repr=False)  # the row as the file has it (refused rows written back)
    table: SheetPlan | None = field(default=None, repr=False)

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
    questions: list[str] = field(default_factory=list)  # what the clerk must answer (a blank AKTIF column)
    age_notes: list[str] = field(default_factory=list)  # when a file's UMUR was counted (a list made years ago)

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
        return " | ".join(f"{s.label}: {s.mapping_text()}" for s in self.read_sheets)

    def unmapped(self) -> list[str]:
        out: list[str] = []
        for s in self.read_sheets:
            out += [h for h in s.unmapped() if h not in out]
        return out

    def summary_lines(self) -> list[str]:
        """What the preview says above the rows: counts, sheets read and skipped, mapping, skipped rows."""
        counts = self.counts
        # what the clerk must answer first: the wizard shows the first lines at 80x24
        lines = [t("roster.import.summary", file=self.path.name, **grouped(counts)), *self.questions,
                 *self.age_notes]
        for s in self.sheets:
            if s.read:
                extra = "".join(f" · {field_label(name)}: {shown}" for name, shown in
                                (("pillar", s.pillar), ("kec", regions.kec_name(s.kec) if s.kec else "")) if shown)
                lines.append(t("roster.import.sheet_read", sheet=s.label, line=s.header_line, pillar=extra))
            else:
                lines.append(t("roster.import.sheet_skipped", sheet=s.name, reason=s.reason))
        lines.append(t("roster.import.mapping", mapping=self.mapping_text()))
        lines += self.said_once()
        if self.unmapped():
            lines.append(t("roster.import.unmapped", columns=", ".join(self.unmapped())))
        hidden_cols = [c for s in self.read_sheets for c in s.hidden_cols]
        if hidden_cols:
            lines.append(t("roster.import.hidden_cols", columns=", ".join(hidden_cols)))
        if counts["hidden"]:
            lines.append(t("roster.import.hidden_rows", count=fmt.number(counts["hidden"])))
        if counts["skipped"]:
            parts = ", ".join(f"{t('roster.import.skip.' + k)} {n}" for k, n in self.skipped.items() if n)
            lines.append(t("roster.import.skipped", count=fmt.number(counts["skipped"]), parts=parts))
        if self.kind in ("xls", "ods"):
            lines.append(t("roster.import.legacy_note", kind=self.kind))
        elif self.kind == "html":
            lines.append(t("roster.import.html_note"))
        elif self.kind == "xml":
            lines.append(t("roster.import.xml_note"))
        lines.append(t("roster.import.map_hint"))
        return lines

    def said_once(self) -> list[str]:
        """What the importer read from elsewhere than the cell, said once for the file: sex and birth date
        from the NIK, the home kecamatan from KECAMATAN TUGAS, rows that joined a member above."""
        lines = []
        for name in ("sex", "birth_date"):
            count = sum(1 for r in self.rows if name in r.from_nik)
            if count:
                lines.append(t("roster.import.from_nik", what=field_label(name), count=fmt.number(count)))
        checked = sum(1 for r in self.rows if r.age_checked)
        if checked:
            column = next((s.headers[i] for s in self.read_sheets for i, f in s.mapping.items() if f == "age"), "UMUR")
            lines.append(t("roster.import.age_checked", column=column, count=fmt.number(checked)))
        duty = sum(1 for r in self.rows if r.duty_home)
        if duty:
            column = next((s.headers[i] for s in self.read_sheets for i, f in s.mapping.items() if f == "area_kec"), "")
            lines.append(t("roster.import.duty_as_home", column=column, count=fmt.number(duty)))
        joined = sum(1 for r in self.rows if r.fate == "join")
        if joined:
            lines.append(t("roster.import.joined_count", count=fmt.number(joined)))
        return lines

    def as_json(self) -> dict:
        return {"file": str(self.path), "counts": self.counts,
                "sheets": [{"name": s.name, "table": s.table, "read": s.read, "reason": s.reason,
                            "header_line": s.header_line,
                            "also_matches": {(s.headers[i] or column_letter(i)): f for i, f in sorted(s.also.items())},
                            "pillar": s.pillar, "hidden_columns": s.hidden_cols, "hidden_rows": s.hidden_rows,
                            "mapping": {(s.headers[i] or column_letter(i)): f for i, f in sorted(s.mapping.items())}}
                           for s in self.sheets],
                "mapping": {self.headers[i]: f for i, f in sorted(self.mapping.items())},
                "ignored": self.unmapped(), "skipped": self.skipped, "questions": self.questions,
                "rows": [r.as_json() for r in self.rows]}


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


# ---------------------------------------------------------------------- preview and commit


def preview(roster: Roster, path: Path, progress: Progress | None = None, today: dt.date | None = None,
            overrides: dict[str, str] | None = None, accept_held: set[str] | None = None) -> ImportPlan:
    """Read ``path`` and decide each row's fate without writing; ``overrides`` changes the column mapping
    ({header words or column letter: field or '-'}, see :func:`parse_overrides`); ``accept_held`` names
    held rows ('12', 'TKSK!12') the operator decided are the same person: they are updated."""
    # tens of thousands of small lists and dicts and no garbage: the collector would rescan the whole
    # roster heap again and again (measured in the app at 100,000 members: about 1 s of the preview)
    with gc_paused():
        return _preview(roster, path, progress, today, overrides, accept_held or set())


def _preview(roster: Roster, path: Path, progress: Progress | None, today: dt.date | None,
             overrides: dict[str, str] | None, accept_held: set[str]) -> ImportPlan:
    today = today or dt.date.today()
    path = Path(path)
    if progress:
        progress(0, 1, t("roster.import.reading", file=path.name))
    book = read_any(path)  # an HTML ".xls" exported by a web application, else storage.roster.importing.read
    spread_ods_merges(book)  # merged cells of an .ods (the .xlsx reader spreads its own)
    sheets: list[SheetPlan] = []
    bodies: list[tuple[SheetPlan, list[tuple[int, list[object]]]]] = []
    area = office_area(roster)
    for sheet in book.sheets:
        for plan, body in plan_tables(sheet, overrides or {}):
            sheets.append(plan)
            if plan.read:
                if not plan.pillar and "kec" not in plan.mapping.values():
                    found, _problem, _kabs = find_kec(re.sub(r"^(kec|kecamatan)\b\.?\s*", "", sheet.name.strip(),
                                                             flags=re.I), "", area)
                    plan.kec = found["code"] if found else ""
                bodies.append((plan, body))
    if not bodies:
        _refuse_whole(book, sheets)
    several = len(book.sheets) > 1
    ctx_base = dict(office=roster.db.code, is_province=roster.db.is_province, offices=office_index(roster),
                    area=area, today=today)
    result = ImportPlan(path, sheets, [], roster.version, dict.fromkeys(SKIP_KINDS, 0), kind=book.kind)
    work = _Work(roster, result, today, accept_held)
    total = sum(len(b) for _p, b in bodies)
    done = 0
    for plan, body in bodies:
        ctx = Context(sheet_pillar=plan.pillar, sheet_kec=plan.kec, headers=plan.headers, **ctx_base)
        nik_col = next((i for i, f in plan.mapping.items() if f == "nik"), None)
        account_col = next((i for i, f in plan.mapping.items() if f == "bank.account"), None)
        if account_col is not None and account_col < len(plan.headers):
            ctx.account_bank = bank_of_header(plan.headers[account_col])
        status_cols = [i for i, f in sorted(plan.mapping.items()) if f == "status"]
        ctx.nik_damage = column_damaged([c[nik_col] if nik_col is not None and nik_col < len(c) else None
                                          for _l, c in body])
        ctx.tick_status = frozenset(
            header_words.words(plan.headers[i]) for i in status_cols if i < len(plan.headers)
            and header_words.words(plan.headers[i]).startswith("aktif")
            and any(i < len(c) and header_words.clean(c[i]) and header_words.is_tick(c[i]) for _l, c in body))
        ctx.blank_aktif = _blank_aktif(plan, body, status_cols, ctx.tick_status, nik_col,
                                       blank_answers(plan.headers, overrides or {}), result.questions,
                                       t("roster.import.in_sheet", sheet=plan.name) if several else "")
        age_col = next((i for i, f in plan.mapping.items() if f == "age"), None)
        if age_col is not None and nik_col is not None:
            back = ages_made_years_ago([(c[nik_col] if nik_col < len(c) else None,
                                         c[age_col] if age_col < len(c) else None) for _l, c in body], today)
            if back:
                ctx.age_on = _years_before(today, back)
                result.age_notes.append(t("roster.import.age_years_back", column=plan.headers[age_col] or "UMUR",
                                          years=back, year=ctx.age_on.year))
        result.skipped["heading"] += plan.repeated_headers
        in_signature = False
        pending_blank = 0
        for line, cells in body:
            done += 1
            if progress and (done % 250 == 0 or done == total):
                progress(done, total, t("roster.import.checking", done=fmt.number(done), total=fmt.number(total)))
            kind = non_member(cells, plan.mapping, nik_col, in_signature)
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
            values["_status_headers"] = [header_words.words(plan.headers[i]) if i < len(plan.headers) else ""
                                         for i in status_cols]
            work.row(line, plan.name if several else "", values, ctx, cells, plan)
    result.skipped = {k: n for k, n in result.skipped.items() if n}
    return result




def _blank_aktif(plan: SheetPlan, body: list, status_cols: list[int], ticked: frozenset[str], nik_col: int | None,
                 answers: dict[int, str], questions: list[str], where: str) -> dict[str, str]:
    """AKTIF columns in which no member row is ticked but some are blank: a blank there may mean active
    or not, so it is asked (``questions``), or read as the clerk answered ('AKTIF=semua-aktif')."""
    out: dict[str, str] = {}
    for i in status_cols:
        header = header_words.words(plan.headers[i]) if i < len(plan.headers) else ""
        if not header.startswith("aktif") or header in ticked:
            continue
        cells = [header_words.clean(c[i]) if i < len(c) else "" for _l, c in body
                 if nik_col is not None and nik_col < len(c) and sum(ch.isdigit() for ch in header_words.clean(c[nik_col])) >= 6]
        blank = sum(1 for x in cells if not x)
        if not blank:
            continue
        out[header] = answer = answers.get(i, "")
        column, every = plan.headers[i], blank == len(cells)
        if answer:
            questions.append(t("roster.import.aktif_answered", column=column, sheet=where, count=fmt.number(blank),
                               read=t("roster.import.aktif_read_" + ("active" if answer == "ACTIVE" else "inactive"))))
        else:
            questions.append(t("roster.import.aktif_all_blank" if every else "roster.import.aktif_some_blank",
                               column=column, sheet=where, count=fmt.number(blank),
                               yes=f"{column}={'semua' if every else 'kosong'}-aktif",
                               no=f"{column}={'semua' if every else 'kosong'}-nonaktif"))
    return out


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _refuse_whole(book: Book, sheets: list[SheetPlan]) -> None:
    """No sheet could be read: the most useful of the sheets' reasons, as the file's refusal."""
    path = str(book.path)
    if not any(any(header_words.clean(c) for c in cells) for s in book.sheets for _l, cells in s.rows):
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

    def __init__(self, roster: Roster, plan: ImportPlan, today: dt.date, accept_held: set[str]) -> None:
        self.roster, self.plan, self.today = roster, plan, today
        self.accept_held = accept_held
        self.view = _ImportView(roster)
        # members deleted at one office and edited at another: not in the NIK index (the deletion shows
        # first) but a row with their NIK is about them, not a new member
        self.deleted_first = {r.nik: r.id for r in roster.flagged("deleted") if r.nik}
        self.seen: dict[str, str] = {}
        self.first: dict[str, RowPlan] = {}  # NIK -> the accepted row that has it (a second pillar joins it)
        self.twins = Twins(roster)

    def row(self, line: int, sheet: str, values: dict[str, list[object]], ctx: Context, cells: list | None = None,
            table: SheetPlan | None = None) -> None:
        roster = self.roster
        m, a, extra, problems, concerned = row_member(values, ctx)
        nik = m.get("nik", "")
        plan = RowPlan(line, "refuse", name=m.get("name", ""), nik=nik, sheet=sheet, cells=cells, table=table)
        self.plan.rows.append(plan)
        plan.from_nik = tuple(extra.get("from_nik") or ())
        plan.duty_home = bool(extra.get("duty_home"))
        plan.age_checked = "age" in extra and "birth_date" in plan.from_nik
        if nik and nik in self.seen:
            first = self.first.get(nik)
            if first is not None and not problems and self._join(plan, first, m, a, extra, ctx):
                return
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

            self.seen[nik] = plan.where
            plan.fate = "conflict"
            plan.reasons.append(str(edit_refusal(roster.db, "members", held[0])))
            return
        existing = roster.by_nik(nik) if nik else None
        existing = normalise(existing) if existing else None
        if existing is not None and not problems and self._held(plan, existing, m):
            if plan.where not in self.accept_held:
                return
            # the operator decided: the same person (a name changed at marriage, a birth date corrected)
            plan.fate = "refuse"
            plan.reasons.clear()
            held_accepted = True
        else:
            held_accepted = False
        if a.pop("_no_pillar", False) and existing is None:
            problems.append(t("roster.import.no_pillar", known=header_words.KNOWN_PILLARS))
            concerned.add("pillar")
        value = merge(copy.deepcopy(existing) if existing else None, m, a, extra, ctx.office, self.today)
        value = normalise(value, copy=False)
        if existing is None and not problems and self._twin(plan, value):
            return
        # Office spreadsheets rarely have an "atas nama" column: the account is taken to be in the
        # member's own name, and the preview says so for the clerk to check against the passbook.
        bank = value.get("bank") or {}
        holder_assumed = bool(header_words.clean(bank.get("account")) and not header_words.clean(bank.get("holder")) and value.get("name"))
        if holder_assumed:
            value["bank"] = dict(bank, holder=" ".join(value["name"].split()).upper())
        result = validate_member(value, self.view, today=self.today)
        plan.reasons = problems + [i.message for i in result.errors
                                   if re.sub(r"^assignments\[\d+\]\.", "", i.field) not in concerned]
        plan.warnings = [i.message for i in result.warnings]
        if holder_assumed:
            plan.warnings.append(t("roster.import.holder_assumed", holder=value["bank"]["holder"]))
        if held_accepted:
            plan.warnings.insert(0, t("roster.import.held_accepted"))
        if plan.decided:
            plan.warnings.insert(0, plan.decided)
        self._status_notes(plan, extra, existing, value)
        if not plan.reasons and not roster.db.is_province:
            plan.reasons = self._not_ours(value, extra.get("owner") or ctx.office)
        plan.warnings += extra.get("said") or []
        if plan.reasons:
            return
        if extra.get("age_clash") and not held_accepted:
            age, born, nik_age = extra["age_clash"]
            if plan.where not in self.accept_held:
                # the NIK's birth date and the row's UMUR disagree: a NIK mistyped in its date digits, or
                # another person's NIK; the clerk checks the ID card first
                plan.fate = "hold"
                plan.reasons.append(t("roster.import.age_clash", age=age, born=fmt.day_month_year(born.isoformat()),
                                      nik_age=nik_age, where=plan.where))
                if nik:
                    self.seen[nik] = plan.where
                return
            plan.warnings.insert(0, t("roster.import.age_accepted", age=age, born=fmt.day_month_year(born.isoformat())))
        if nik:
            self.seen[nik] = plan.where
            self.view.by_file_nik[nik] = value
            self.first[nik] = plan
        plan.pillars = {a["pillar"]} if a.get("pillar") else set()
        plan.value = value
        plan.existing = existing
        if existing is None:
            plan.fate = "add"
            plan.owner = extra.get("owner") or ""
        else:
            plan.changes = changes(existing, value)
            plan.fate = "same" if existing == value else "update"

    def _twin(self, plan: RowPlan, value: dict) -> bool:
        """Held when this new member is a row above, or a member of the roster, under a NIK a typo apart
        (same name and birth date); both rows of the file wait side by side for the clerk's decision."""
        born = value.get("birth_date") or ""
        if not (plan.name and born and len(plan.nik) == 16):
            return False
        found_file = self.twins.in_file(plan.name, born, plan.nik)
        found_roster = self.twins.in_roster(plan.name, born, plan.nik)
        self.twins.remember(plan, born)
        if not (found_file or found_roster):
            return False
        day = fmt.day_month_year(born)
        if plan.where in self.accept_held:
            other = found_file[0][0].where if found_file else found_roster[0][0].get("name", "")
            plan.decided = t("roster.import.twin_accepted", other=other)
            return False
        plan.fate = "hold"
        for other, how in found_file:
            plan.reasons.append(t("roster.import.twin_in_file", other=other.where, name=other.name, born=day,
                                  diff=how, nik=mask_near(plan.nik, other.nik), other_nik=mask_near(other.nik, plan.nik),
                                  where=plan.where))
            if other.fate in ("add", "update") and other.where not in self.accept_held:
                # the row above was about to be added: it waits too, naming this one
                other.fate = "hold"
                other.reasons.append(t("roster.import.twin_in_file", other=plan.where, name=plan.name, born=day,
                                       diff=how, nik=mask_near(other.nik, plan.nik),
                                       other_nik=mask_near(plan.nik, other.nik), where=other.where))
                self.view.by_file_nik.pop(other.nik, None)
                self.first.pop(other.nik, None)
        for member, how in found_roster:
            theirs = member.get("nik", "")
            plan.reasons.append(t("roster.import.twin_member", name=member.get("name", ""), born=day, diff=how,
                                  nik=mask_near(plan.nik, theirs), other_nik=mask_near(theirs, plan.nik),
                                  where=plan.where))
        if plan.nik:
            self.seen[plan.nik] = plan.where
        return True

    def _join(self, plan: RowPlan, first: RowPlan, m: dict, a: dict, extra: dict, ctx: Context) -> bool:
        """A second row with the NIK of an accepted row above and another pillar (a kecamatan's combined list,
        one person in two pillars): the assignment joins that member. False when it is not that case."""
        base = first.value or {}
        pillar = a.get("pillar") or ""
        if not pillar or header_words.names_differ(base.get("name") or "", m.get("name") or ""):
            return False
        if pillar in first.pillars:
            plan.reasons.append(t("roster.import.same_pillar_twice", line=first.where))
            return True
        # the member of the row above; what this row keeps in the note (its other phones) is added to hers
        value = merge(copy.deepcopy(base), {"note": m["note"]} if m.get("note") else {}, a, extra, ctx.office,
                      self.today)
        value = normalise(value, copy=False)
        result = validate_member(value, self.view, today=self.today)
        plan.reasons = [i.message for i in result.errors]
        if not plan.reasons and not self.roster.db.is_province:
            plan.reasons = self._not_ours(value, extra.get("owner") or first.owner or ctx.office)
        if plan.reasons:
            return True
        first.value = value
        first.pillars.add(pillar)
        self.view.by_file_nik[plan.nik] = value
        if first.existing is not None:
            first.changes = changes(first.existing, value)
            first.fate = "update" if first.existing != value else first.fate
        plan.fate = "join"
        plan.value = None
        plan.warnings.append(t("roster.import.second_pillar", pillar=pillar_label(pillar), name=base.get("name", ""),
                               line=first.where))
        self._status_notes(plan, extra, None, value)
        return True

    def _not_ours(self, value: dict, owner: str) -> list[str]:
        """At a UPT: the sentence the commit would refuse the row with (another office's member or
        assignment), so that one row does not stop the whole import."""

        doc = self.roster.db.doc("members", value["id"]) if value.get("id") else None
        data = {k: v for k, v in value.items() if k not in ("id", "owner") and k[:1] != "_"}
        refusal = authority.check("members", self.roster.db.code, doc, data, False,
                                  doc["owner"] if doc else owner)
        return [refusal.message()] if refusal is not None else []

    def _held(self, plan: RowPlan, existing: dict, m: dict) -> bool:
        """A known NIK under a clearly different name or birth date: another person, or a mistyped NIK."""
        name, born = m.get("name") or "", m.get("birth_date") or ""
        other_name = header_words.names_differ(existing.get("name") or "", name) if name else False
        other_birth = bool(born and existing.get("birth_date") and born != existing["birth_date"]
                           and re.fullmatch(r"\d{4}-\d{2}-\d{2}", born))
        if not (other_name or other_birth):
            return False
        plan.fate = "hold"
        def day(iso: str) -> str:
            return fmt.day_month_year(iso) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso or "") else (iso or "-")

        plan.reasons.append(t("roster.import.held", name=name or existing.get("name", ""),
                              known=existing.get("name", ""), born=day(existing.get("birth_date") or ""),
                              row_born=day(born)))
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
        progress(0, len(rows), t("roster.import.writing", count=fmt.number(len(rows))))
    counts = plan.counts
    # Every import is preceded by a backup (issue 7): one `pilar restore` undoes it.

    for row in rows:  # storage's own guard: never a plain save over a record in conflict
        rid = (row.value or {}).get("id")
        if rid and roster.in_conflict(rid):

            raise edit_refusal(roster.db, "members", rid)
    backup_now(roster.db, "before-roster-import")
    with roster.db.transaction("roster.import") as tx:
        for n, row in enumerate(rows, 1):
            tx.put("members", row.value, owner=row.owner or roster.db.code)
            if progress and n % 500 == 0:
                progress(n, len(rows), t("roster.import.writing", count=fmt.number(len(rows))))
        tx.note("roster.import", "import", plan.path.name,
                note=t("roster.import.summary", file=plan.path.name, **counts, lang="id"))
    if progress:
        progress(len(rows), len(rows), t("roster.import.done", **grouped(counts)))
    return counts

