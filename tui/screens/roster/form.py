"""Add or edit one member: a modal form that validates as you type and on save.

Errors appear under the field they concern, in plain words from ``storage.domain.validate``; the form
refuses to close with Save while any error stands, and warnings must be accepted with a tick.
It dismisses with ``{"member": value, "new": bool}`` (the value already validated) or None.
"""

from __future__ import annotations

import copy
import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from storage.core.i18n import t
from storage.core.text import from_iso, parse_typed_date
from storage.domain import regions
from storage.domain.model import (
    PILLARS,
    POSITIONS,
    STATUSES,
    TAGANA_LEVELS,
    field_label,
    level_label,
    pillar_label,
    position_label,
    sex_label,
    status_label,
)
from storage.domain.validate import Result, clean_nik, nik_birth_date, nik_sex
from storage.roster import Roster, blank_member, empty_assignment
from tui.dialogs import GuardedForm
from tui.widgets.footer import Footer
from tui.widgets.keys import localize_bindings

PERSON_INPUTS = ("nik", "name", "birth_place", "birth_date", "address", "phone")
BANK_INPUTS = ("name", "account", "holder")
ASSIGNMENT_INPUTS = ("number", "sk", "start", "end")
ASSIGNMENT_SELECTS = ("pillar", "position", "office", "area_kab", "area_kec", "level", "status")
DATE_FIELDS = ("birth_date", "start", "end")


def widget_id(field: str) -> str:
    """'assignments[0].area_kec' -> 'a0-area_kec'; 'bank.account' -> 'bank-account'."""
    if field.startswith("assignments["):
        index, _, name = field[len("assignments["):].partition("].")
        return f"a{index}-{name}"
    return field.replace(".", "-")


def to_iso(text: str) -> str:
    """A typed date ('01-07-1985', '1/7/1985', '1985-07-01') as 'YYYY-MM-DD'; unreadable text stays as typed."""
    text = text.strip()
    return (parse_typed_date(text) or text) if text else ""


def _label(name: str) -> str:
    """The label of a form field: 'assignments[0].area_kab' -> 'Kabupaten/kota tugas'."""
    if name.startswith("assignments["):
        name = name.split("].", 1)[1]
    return field_label(name)


def _kab_options() -> list[tuple[str, str]]:
    """Every kab/kota by its place name (Bangkalan, Kota Batu, Blitar, Kota Blitar, …), not by code."""
    return [(k["name"], k["code"]) for k in sorted(regions.kab_list(), key=lambda k: (k["short"], k["type"]))]


def _kec_options(kab_code: str) -> list[tuple[str, str]]:
    return [(k["name"], k["code"]) for k in regions.kec_of_kab(kab_code)] if kab_code else []


def field_input(field: str, value: str, placeholder: str = "") -> ComposeResult:
    """Label, input and the line for its error."""
    with Horizontal(classes="field-row"):
        yield Label(_label(field), classes="field-label", markup=False)
        yield Input(value=value or "", placeholder=placeholder, id=widget_id(field), classes="form-input")
    yield Static("", id="err-" + widget_id(field), classes="field-error", markup=False)


def field_select(field: str, options: list[tuple[str, str]], value: str) -> ComposeResult:
    """Label, pick list and the line for its error."""
    known = {v for _, v in options}
    with Horizontal(classes="field-row"):
        yield Label(_label(field), classes="field-label", markup=False)
        yield Select(options, value=value if value in known else Select.NULL, prompt=t("roster.form.choose"),
                     id=widget_id(field), classes="form-select")
    yield Static("", id="err-" + widget_id(field), classes="field-error", markup=False)


class AssignmentFields(Vertical):
    """The fields of one assignment (pillar, position, area, number, level, SK, dates, status)."""

    def __init__(self, index: int, assignment: dict, offices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.index, self.assignment, self.offices = index, assignment, offices

    def compose(self) -> ComposeResult:
        a, p = self.assignment, f"assignments[{self.index}]."
        yield Label(t("roster.form.assignment", n=self.index + 1), classes="assignment-title", markup=False)
        options = {
            "pillar": [(pillar_label(x), x) for x in PILLARS],
            "position": [(position_label(x), x) for x in POSITIONS],
            "office": self.offices,
            "area_kab": _kab_options(),
            "area_kec": _kec_options(a.get("area_kab", "")),
            "level": [(t("roster.form.none"), "")] + [(level_label(x), x) for x in TAGANA_LEVELS],
            "status": [(status_label(x), x) for x in STATUSES],
        }
        for name in ("pillar", "position", "office", "area_kab", "area_kec", "number", "level", "sk", "start",
                     "end", "status"):
            if name in options:
                yield from field_select(p + name, options[name], a.get(name, ""))
            else:
                value = from_iso(a.get(name, "")) if name in DATE_FIELDS else a.get(name, "")
                hint = t("roster.form.date_hint") if name in DATE_FIELDS else ""
                yield from field_input(p + name, value, hint)


class MemberForm(GuardedForm, ModalScreen[dict | None]):
    """The member form (new member when ``member`` is None); Esc with unsaved typing asks first."""

    BINDINGS = [
        Binding("ctrl+s", "save", "-", id="form.save"),
        Binding("escape", "cancel", "-", id="form.cancel"),
        Binding("ctrl+n", "add_assignment", "-", id="form.add_assignment"),
        Binding("ctrl+r", "remove_assignment", "-", id="form.remove_assignment"),
        Binding("f1", "app.help", "-", id="app.help_f1"),
    ]

    def __init__(self, roster: Roster, member: dict | None, today: dt.date | None = None,
                 resolution: int | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self.roster = roster
        self.today = today
        # a member in conflict: the version (numbered as the conflicts screen does) this edit starts from
        self.resolution = resolution
        self.is_new = member is None
        self.original = copy.deepcopy(member) if member else blank_member(roster.db.code, today)
        self.touched: set[str] = set()
        self._nik_filled: dict[str, str] = {}  # what the NIK filled in (sex, birth date, kab, kec), by field
        self.tried = False
        self.result = Result()
        self._ready = False
        self._revalidate_queued = False
        self._validated: dict | None = None  # the value self.result is about

    # ------------------------------------------------------------------ compose

    def compose(self) -> ComposeResult:
        m = self.original
        title = t("roster.form.add_title") if self.is_new else t("roster.form.edit_title", name=m.get("name", ""))
        if self.resolution is not None:
            title += f"  (#{self.resolution})"
        with Vertical(classes="dialog member-form"):
            yield Label(title, classes="dialog-title", markup=False)
            with VerticalScroll(id="form-body"):
                yield from field_input("nik", m.get("nik", ""))
                yield from field_input("name", m.get("name", ""))
                yield from field_select("sex", [(sex_label(s), s) for s in ("L", "P")], m.get("sex", ""))
                yield from field_input("birth_place", m.get("birth_place", ""))
                yield from field_input("birth_date", from_iso(m.get("birth_date", "")), t("roster.form.date_hint"))
                yield from field_input("address", m.get("address", ""))
                yield from field_select("kab", _kab_options(), m.get("kab", ""))
                yield from field_select("kec", _kec_options(m.get("kab", "")), m.get("kec", ""))
                yield from field_input("phone", m.get("phone", ""))
                bank = m.get("bank") or {}
                for name in BANK_INPUTS:
                    yield from field_input(f"bank.{name}", bank.get(name, ""))
                yield from field_input("note", m.get("note", ""))
                yield Static("", id="err-assignments", classes="field-error", markup=False)
                with Vertical(id="assignments"):
                    for i, a in enumerate(m.get("assignments") or []):
                        yield self._assignment(i, a)
                yield Static("", id="warnings", classes="field-warning", markup=False)
                yield Checkbox(t("roster.form.accept_warnings"), id="accept")
            yield Static("", id="form-problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.key.form.add_assignment"), id="add-assignment")
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(t("ui.save"), id="save", variant="primary")
        yield Footer()

    def _assignment(self, i: int, a: dict) -> Widget:
        return AssignmentFields(i, a, self.office_options(a.get("office", "")), classes="assignment",
                                id=f"assignment-{i}")

    def office_options(self, current: str) -> list[tuple[str, str]]:
        """The offices of this folder's office list (a UPT has itself), plus the assignment's own."""
        db = self.roster.db
        # the code first: cut short in a narrow pick list, thirty "UPT Pelayanan Sosial …" would look alike
        options = {o["code"]: f"{o['code']} · {o.get('name') or o['code']}" for o in db.values("offices")
                   if o.get("code") and (db.is_province or o["code"] == db.code)}
        options.setdefault(db.code, f"{db.code} · {db.office.get('name') or db.code}")
        if current:
            options.setdefault(current, current)
        return sorted(((label, code) for code, label in options.items()), key=lambda x: x[0])

    def on_mount(self) -> None:
        nik = self.query_one("#nik", Input)
        # No select-all on the field the form opens in: a second e pressed while the form opened replaced
        # the whole NIK (issue 24).
        nik.select_on_focus = False
        # nor on the note: a clerk tabbing into it adds a line to what is there, not over it
        self.query_one("#note", Input).select_on_focus = False
        nik.focus()
        self.query_one("#accept", Checkbox).display = False
        self._ready = True
        if not self.is_new:
            self.revalidate()

    # ------------------------------------------------------------------ value and validation

    def _assignment_count(self) -> int:
        return len(self.query(".assignment"))

    def _get(self, wid: str) -> str:
        widget = self.query_one(f"#{wid}")
        if isinstance(widget, Select):
            return "" if widget.value in (Select.NULL, None) else str(widget.value)
        return widget.value  # type: ignore[attr-defined]

    def value(self) -> dict:
        """The member as the form holds it now (dates as ISO when readable)."""
        m = copy.deepcopy(self.original)
        for name in PERSON_INPUTS:
            text = self._get(widget_id(name))
            m[name] = to_iso(text) if name in DATE_FIELDS else text
        for name in ("sex", "kab", "kec"):
            m[name] = self._get(name)
        m["bank"] = {**(m.get("bank") or {}), **{n: self._get(f"bank-{n}") for n in BANK_INPUTS}}
        note = self._get("note")
        if note or "note" in m:  # a member saved before notes existed keeps no empty one
            m["note"] = note
        old = m.get("assignments") or []
        assignments = []
        for i in range(self._assignment_count()):
            a = copy.deepcopy(old[i]) if i < len(old) else empty_assignment(self.roster.db.code, self.today)
            for name in ASSIGNMENT_INPUTS:
                text = self._get(f"a{i}-{name}")
                a[name] = to_iso(text) if name in DATE_FIELDS else text.strip()
            for name in ASSIGNMENT_SELECTS:
                a[name] = self._get(f"a{i}-{name}")
            a["office"] = a.get("office") or self.roster.db.code
            assignments.append(a)
        m["assignments"] = assignments
        return m

    def revalidate(self, value: dict | None = None) -> Result:
        value = self.value() if value is None else value
        self.result = self.roster.validate(value, today=self.today)
        self._validated = value
        shown: dict[str, list[str]] = {}
        for issue in self.result.errors:
            shown.setdefault(widget_id(issue.field), []).append(issue.message)
        for static in self.query(".field-error"):
            wid = (static.id or "")[len("err-"):]
            if not static.id or not static.id.startswith("err-"):
                continue
            visible = self.tried or wid in self.touched or (not self.is_new and wid in shown)
            static.update("\n".join(shown.get(wid, [])) if visible else "")
            static.display = bool(visible and shown.get(wid))
        for wid in shown:
            for widget in self.query(f"#{wid}"):
                widget.set_class(self.tried or wid in self.touched or not self.is_new, "invalid")
        for widget in self.query(".form-input, .form-select"):
            if widget.id not in shown:
                widget.remove_class("invalid")
        warnings = [t("roster.form.warning", text=i.message) for i in self.result.warnings]
        self.query_one("#warnings", Static).update("\n".join(warnings))
        self.query_one("#warnings").display = bool(warnings)
        self.query_one("#accept", Checkbox).display = bool(warnings)
        self.query_one("#form-problem", Static).update("")
        return self.result

    def revalidate_soon(self) -> None:
        """Validate once the messages already waiting are handled: the twenty-odd Changed messages of
        the fields filling as the form opens (or a pasted value) give one validation, not one each
        (issue 25: 23–26 validations as the form opened)."""
        if not self._revalidate_queued:
            self._revalidate_queued = True
            self.call_later(self._revalidate_queued_now)

    def _revalidate_queued_now(self) -> None:
        self._revalidate_queued = False
        self.revalidate()

    @on(Input.Changed, ".form-input")
    def _input_changed(self, event: Input.Changed) -> None:
        if self._ready and event.input.id:
            self.touched.add(event.input.id)
            if event.input.id == "nik":
                self._fill_from_nik(event.value)
            self.revalidate_soon()

    def _from_nik(self, wid: str) -> bool:
        """Whether field ``wid`` may take what the NIK codes: it is empty, or still holds what an earlier
        NIK filled in (the clerk has not changed it): the fields follow the NIK until the clerk edits them."""
        current = self._get(wid).strip()
        return current == "" or current == self._nik_filled.get(wid)

    def _fill(self, wid: str, value: str) -> None:
        self._nik_filled[wid] = value
        self.query_one(f"#{wid}").value = value  # type: ignore[attr-defined]

    def _fill_from_nik(self, text: str) -> None:
        """A whole NIK typed: sex, date of birth, kab/kota and kecamatan it codes fill the fields still empty
        or still as an earlier NIK filled them (a NIK corrected after a typo brings its own birth date)."""
        nik = clean_nik(text)
        if len(nik) != 16 or not nik.isdigit():
            return
        sex, born = nik_sex(nik), nik_birth_date(nik, self.today)
        if sex and self._from_nik("sex"):
            self._fill("sex", sex)
        if born and self._from_nik("birth_date"):
            self._fill("birth_date", born.strftime("%d-%m-%Y"))
        kab, kec = f"{nik[:2]}.{nik[2:4]}", f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"
        if regions.kab(kab) and self._from_nik("kab"):
            follow_kec = self._from_nik("kec")
            self._fill("kab", kab)
            options = _kec_options(kab)
            target = self.query_one("#kec", Select)
            target.set_options(options)
            if follow_kec and kec in {v for _, v in options}:
                self._fill("kec", kec)

    @on(Select.Changed, ".form-select")
    def _select_changed(self, event: Select.Changed) -> None:
        if not self._ready or not event.select.id:
            return
        wid = event.select.id
        self.touched.add(wid)
        if wid in ("kab",) or wid.endswith("-area_kab"):
            target = self.query_one("#kec" if wid == "kab" else f"#{wid[:-len('area_kab')]}area_kec", Select)
            kab = "" if event.value in (Select.NULL, None) else str(event.value)
            current = target.value
            options = _kec_options(kab)
            target.set_options(options)
            if current in {v for _, v in options}:
                target.value = current
        self.revalidate_soon()

    # ------------------------------------------------------------------ actions

    async def action_add_assignment(self) -> None:
        i = self._assignment_count()
        group = self._assignment(i, empty_assignment(self.roster.db.code, self.today))
        await self.query_one("#assignments").mount(group)
        first = self.query_one(f"#a{i}-pillar", Select)
        first.focus()
        self.revalidate()
        # once laid out, bring the new fields into sight
        self.call_after_refresh(lambda: self.query_one("#form-body").scroll_to_widget(group, animate=False))

    async def action_remove_assignment(self) -> None:
        """Take back the last assignment added in this form (saved ones are deactivated, not removed)."""
        saved = len(self.original.get("assignments") or [])
        count = self._assignment_count()
        if count <= max(saved, 1):
            self.notify(t("roster.form.cannot_remove"), severity="warning")
            return
        await self.query_one(f"#assignment-{count - 1}").remove()
        self.revalidate()

    @on(Button.Pressed, "#add-assignment")
    async def _add_pressed(self) -> None:
        await self.action_add_assignment()

    def action_save(self) -> None:
        self.tried = True
        value = self.value()
        # Validated already as it was typed (revalidate_soon): with no error then and nothing changed
        # since, validating again would show the same and cost the save 10-30 ms (issue 25). The
        # roster validates once more as it saves (a commit meanwhile, a sync, is seen there).
        result = self.result if value == self._validated and not self.result.errors else self.revalidate(value)
        problem = self.query_one("#form-problem", Static)
        if result.errors:
            problem.update(t("roster.form.has_errors", count=len({i.field for i in result.errors})))
            first = widget_id(result.errors[0].field)
            for widget in self.query(f"#{first}"):
                widget.focus()
            return
        if result.warnings and not self.query_one("#accept", Checkbox).value:
            problem.update(t("roster.form.need_accept"))
            self.query_one("#accept", Checkbox).focus()
            return
        self.dismiss({"member": value, "new": self.is_new, "resolution": self.resolution})

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.close_guarded()

    def guard_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


class ConflictChoiceDialog(ModalScreen[int | None]):
    """Before editing a member in conflict: the versions side by side (fields that differ marked *),
    one button per version; dismisses with the version number chosen, or None."""

    BINDINGS = [Binding("escape", "cancel", "-", id="dialog.cancel")]
    # At 80x24 the buttons stay in sight and the comparison scrolls between them and the versions.
    DEFAULT_CSS = """
    ConflictChoiceDialog #compare { height: 1fr; }
    """

    def __init__(self, roster: Roster, rid: str) -> None:
        super().__init__()
        localize_bindings(self)
        from storage.reconcile import view

        self.rid = rid
        # In the clerk's words (field labels, kab/kecamatan names, dates), as the Sinkron conflict screen shows it.
        self.info = view.view(roster.db, rid)

    def compose(self) -> ComposeResult:
        info = self.info
        with Vertical(classes="dialog wide"):
            yield Label(t("ui.conflict.choose_title", name=info["label"]), classes="dialog-title", markup=False)
            yield Static(t("ui.conflict.choose_body"), classes="dialog-body", markup=False)
            lines = []
            for s in info["siblings"]:
                state = t("ui.sync.deleted") if s["deleted"] else ""
                lines.append(f"#{s['n']}  {s['office']}  {s['operator']}  {s['time_shown']}  {state}".rstrip())
            yield Static("\n".join(lines), id="versions", markup=False)
            yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                for s in info["siblings"]:
                    yield Button(t("ui.conflict.use", n=s["n"], office=s["office"]), id=f"use-{s['n']}",
                                 classes="use-version")

    def on_mount(self) -> None:
        box = self.query_one(".dialog").styles  # wider than a form: three columns (inline: over app.tcss)
        box.width, box.max_width, box.height = "98%", 110, "90%"
        table = self.query_one("#compare", DataTable)
        # The versions one under the other (80 columns hold them), as the Sinkron conflict screen shows them:
        # what differs first, a row per version; what they share once; ids and stamps left out.
        table.add_columns(t("ui.sync.field"), t("ui.conflicts.version"), t("ui.conflicts.value"))
        versions = self.info["siblings"]
        for f in self.info["fields"]:
            if not f["differs"]:
                if any(f["values"]):
                    table.add_row("  " + f["label"], t("ui.conflicts.same"), f["values"][0])
                continue
            for i, s in enumerate(versions):
                table.add_row(("* " + f["label"]) if i == 0 else "", f"#{s['n']} {s['office']}",
                              f["values"][i] or t("ui.conflicts.empty"))
        self.query_one(".use-version", Button).focus()

    @on(Button.Pressed, ".use-version")
    def _use(self, event: Button.Pressed) -> None:
        self.dismiss(int((event.button.id or "use-0").split("-")[1]))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
