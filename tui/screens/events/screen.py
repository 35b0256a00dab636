"""The events section: the list of events, the event form, inviting, the door check-in, printing.

The check-in screen is built for a door: one input that always has the focus; a barcode scanner
types the code and Enter; the member's card appears at once and the attendance is already saved
(one transaction per check-in) when it does.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from storage import events as event_service
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.text import fold, from_iso
from storage.domain import fmt, regions
from storage.domain.model import PILLARS, POSITIONS, pillar_label, position_label
from storage.events import reports
from storage.office import settings
from tui.dialogs import SAVE_BINDING, ConfirmDialog, ErrorDialog, Field, GuardedForm, PromptDialog
from tui.widgets.keys import localize_bindings


def _counts_line(counts: dict) -> str:
    total = counts["total"]
    return t("events.ui.counts", invited=total["invited"], hadir=total["HADIR"], walk_in=total["walk_in"],
             izin=total["IZIN"], alpa=total["ALPA"], belum=total["BELUM"])


def _groups_lines(counts: dict) -> list[str]:
    return [t("events.ui.group_count", label=g["label"], invited=g["invited"], limit=g["limit"], hadir=g["hadir"])
            for g in counts["groups"].values()]


def _kab_lines(counts: dict, limit: int = 12) -> list[str]:
    rows = sorted(counts["kabs"].items(), key=lambda kv: (-kv[1]["hadir"], kv[0]))[:limit]
    return [f"{regions.kab_name(k) or k or '-'}: {r['hadir']}/{r['invited'] + r['walk_in']}" for k, r in rows]


# ---------------------------------------------------------------------- the list of events

class EventsScreen(Screen):
    """Events of this office: pick one, then invite, check in at the door or print."""

    CSS_PATH = "events.tcss"
    BINDINGS = [
        Binding("n", "new_event", "-", id="events.new"),
        Binding("e", "edit_event", "-", id="events.edit", show=False),
        Binding("i", "invite", "-", id="events.invite"),
        Binding("c", "checkin", "-", id="events.checkin"),
        Binding("p", "report", "-", id="events.report"),
        Binding("delete", "delete_event", "-", id="events.delete", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="events-body"):
            yield Static(t("events.ui.title"), id="events-title", classes="section-title")
            yield DataTable(id="events-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="events-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#events-table", DataTable)
        # the counts before venue and organiser: on an 80-column screen they are what must show
        table.add_columns(t("events.col.date"), t("events.col.event"), t("events.col.invited"),
                          t("events.col.present"), t("events.col.venue"), t("events.col.organiser"))
        self.refresh_events()

    def on_screen_resume(self) -> None:
        self.refresh_events()

    @property
    def db(self):
        return self.app.db

    def refresh_events(self, select: str | None = None) -> None:
        table = self.query_one("#events-table", DataTable)
        current = select or self.current_event_id()
        table.clear()
        events = event_service.list_events(self.db)
        for e in events:
            total = event_service.counts(self.db, e["id"], event_service.event_day(e))["total"]  # today's day of a training
            table.add_row(fmt.day_month_year(e["date"]), e["name"], str(total["invited"]), str(total["HADIR"]),
                          e.get("venue", ""), e.get("office", ""), key=e["id"])
        if current and current in {e["id"] for e in events}:
            table.move_cursor(row=table.get_row_index(current))
        self.show_detail()
        if not events:
            self.query_one("#events-detail", Static).update(t("events.ui.empty"))

    def current_event_id(self) -> str | None:
        table = self.query_one("#events-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def show_detail(self) -> None:
        event_id = self.current_event_id()
        if not event_id:
            return
        event = event_service.get_event(self.db, event_id)
        day, days = event_service.event_day(event), event_service.event_days(event)
        counts = event_service.counts(self.db, event_id, day)
        when = f"{fmt.long_date(event['date'])} {event_service.time_label(event.get('start_time', ''))}-{event_service.time_label(event.get('end_time', ''))}"
        if len(days) > 1:
            when += " · " + t("events.ui.day_of", n=days.index(day) + 1, total=len(days), date=fmt.long_date(day))
        lines = [f"[b]{escape(event['name'])}[/b]", escape(f"{when} · {event.get('venue', '')}"),
                 escape(event.get("description", "")), "", escape(_counts_line(counts)),
                 *[escape(line) for line in _groups_lines(counts)]]
        self.query_one("#events-detail", Static).update("\n".join(lines))

    @on(DataTable.RowHighlighted, "#events-table")
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#events-table")
    def _selected(self) -> None:
        self.action_checkin()

    def action_new_event(self) -> None:
        self.app.push_screen(EventFormScreen(None), self._form_done)

    def action_edit_event(self) -> None:
        event_id = self.current_event_id()
        if event_id:
            self.app.push_screen(EventFormScreen(event_service.get_event(self.db, event_id)), self._form_done)

    def _form_done(self, event_id: str | None) -> None:
        if event_id:
            self.refresh_events(select=event_id)

    def action_invite(self) -> None:
        if event_id := self.current_event_id():
            self.app.push_screen(InviteScreen(event_id))

    def action_checkin(self) -> None:
        if event_id := self.current_event_id():
            self.app.push_screen(CheckinScreen(event_id))  # today's day of a multi-day event, else its first

    def action_report(self) -> None:
        if event_id := self.current_event_id():
            self.app.push_screen(ReportScreen(event_id))

    def action_delete_event(self) -> None:
        """Delete (Del): an event entered by mistake; refused once it has attendance or payouts."""
        event_id = self.current_event_id()
        if not event_id:
            return
        event = event_service.get_event(self.db, event_id)
        count = len(self.db.lookup("invitations", "event", event_id))

        def check(values: dict) -> str | None:
            return None if values["reason"].strip() else t("events.delete_reason")

        def reason_given(values: dict | None) -> None:
            if values is None:
                return
            try:
                deleted = event_service.delete_event(self.db, event_id, values["reason"])
            except PilarError as exc:
                self.app.push_screen(ErrorDialog(str(exc)))
                return
            self.notify(t("events.deleted", name=event["name"], count=deleted))
            self.refresh_events()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(PromptDialog(t("events.ui.delete_title", name=event["name"]),
                                                  [Field("reason", t("events.ui.delete_reason"))], check=check),
                                     reason_given)

        self.app.push_screen(ConfirmDialog(t("events.ui.delete_title", name=event["name"]),
                                           t("events.ui.delete_body", count=count),
                                           yes=t("ui.key.events.delete"), danger=True), confirmed)


# ---------------------------------------------------------------------- create / edit

class EventFormScreen(GuardedForm, ModalScreen[str | None]):
    """Create or edit an event; validated by storage before saving (every problem shown under its field
    at once); returns the event id. Quotas are rows of four fields. Esc with unsaved typing asks first."""

    CSS_PATH = "events.tcss"
    AUTO_FOCUS = "#f-name"
    BINDINGS = [
        Binding("escape", "cancel", "-", id="events.form.cancel"),
        Binding("ctrl+s", "save", "-", id="events.form.save"),
        Binding("ctrl+n", "add_quota", "-", id="events.form.add_quota"),
        Binding("f1", "app.help", "-", id="app.help_f1"),
    ]
    FIELDS = ("name", "date", "end_date", "start_time", "end_time", "venue", "city", "office", "description")
    QUOTA_FIELDS = ("key", "limit", "pillars", "per")

    def __init__(self, event: dict | None) -> None:
        super().__init__()
        self.event = event
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        e = self.event or {"city": settings.letterhead_city(self.app.db), "office": self.app.db.code}
        title = t("events.ui.form_title_edit" if self.event else "events.ui.form_title_new")
        day = t("events.ui.date_hint")
        # Time hints that read as hints ("contoh 08.00"): a bare "15.00" looked like a value already there.
        hints = {"date": day, "end_date": day, "start_time": t("events.ui.time_example", time=event_service.time_label("08:00")),
                 "end_time": t("events.ui.time_example", time=event_service.time_label("15:00"))}
        with VerticalScroll(id="event-form", classes="dialog"):
            yield Label(f"[b]{escape(title)}[/b]")
            for name in self.FIELDS:
                yield Label(t(f"events.ui.field.{name}"))
                value = e.get(name, "")
                if name in ("start_time", "end_time"):
                    value = event_service.time_label(value)
                elif name in ("date", "end_date"):
                    value = from_iso(value)
                yield Input(value, placeholder=hints.get(name, ""), id=f"f-{name}")
                yield Static("", id=f"err-{name}", classes="error")
            yield Label(t("events.ui.quota.title"))
            with Horizontal(classes="quota-row quota-head"):
                for name in self.QUOTA_FIELDS:
                    yield Label(t(f"events.ui.quota.{name}"), classes=f"quota-{name}")
            with Vertical(id="quotas"):
                for i, q in enumerate(e.get("quotas") or [{}]):
                    yield self._quota_row(i, q)
            yield Static("", id="err-quotas", classes="error")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(t("events.ui.save"), id="form-save", variant="primary")
                yield Button(t("events.ui.quota.add"), id="form-add-quota")
                yield Button(t("events.ui.cancel"), id="form-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._start_shown = fmt.read_date(self.query_one("#f-date", Input).value)

    @on(Input.Changed, "#f-date")
    def _start_moved(self, event: Input.Changed) -> None:
        """A new start date moves the end date with it (the event keeps its length): the old end date stayed
        and made a one-day training an 8-day one by accident."""
        new = fmt.read_date(event.value)
        if new is None:
            return
        old, self._start_shown = self._start_shown, new
        end_input = self.query_one("#f-end_date", Input)
        end = fmt.read_date(end_input.value)
        if old is None or end is None or old == new:
            return
        moved = dt.date.fromisoformat(end) + (dt.date.fromisoformat(new) - dt.date.fromisoformat(old))
        end_input.value = fmt.short_date(moved)

    @staticmethod
    def _quota_row(i: int, q: dict) -> Horizontal:
        values = {"key": q.get("key", ""), "limit": str(q.get("limit", "")) if q else "",
                  "pillars": ", ".join(q.get("pillars") or []), "per": str(q.get("per_office") or "") if q else ""}
        hints = {"key": "JSC", "limit": "40", "pillars": "TAGANA, TKSK", "per": "0"}
        return Horizontal(*[Input(values[name], placeholder=hints[name], id=f"q{i}-{name}", classes=f"quota-{name}")
                            for name in EventFormScreen.QUOTA_FIELDS], classes="quota-row", id=f"quota-{i}")

    async def action_add_quota(self) -> None:
        i = len(self.query(".quota-row")) - 1  # less the heading row
        row = self._quota_row(i, {})
        await self.query_one("#quotas").mount(row)
        self.query_one(f"#q{i}-key", Input).focus()
        row.scroll_visible(animate=False)

    @on(Button.Pressed, "#form-add-quota")
    async def _add_quota_pressed(self) -> None:
        await self.action_add_quota()

    def guard_title(self) -> str:
        return t("events.ui.form_title_edit" if self.event else "events.ui.form_title_new")

    def fields(self) -> tuple[dict, dict[str, str]]:
        """The fields as typed, and the quota rows' problem (if any) under 'quotas'."""
        fields: dict = {name: self.query_one(f"#f-{name}", Input).value for name in self.FIELDS}
        quotas, problems = [], {}
        labels = {q["key"]: q.get("label", "") for q in (self.event or {}).get("quotas") or []}
        for i in range(len(self.query(".quota-row")) - 1):
            key, limit, pillars, per = (self.query_one(f"#q{i}-{n}", Input).value for n in self.QUOTA_FIELDS)
            if not any(x.strip() for x in (key, limit, pillars, per)):
                continue
            try:
                quota = event_service.make_quota(key, limit, pillars, per)
            except PilarError as exc:
                problems.setdefault("quotas", str(exc))
                continue
            quota["label"] = labels.get(quota["key"], "")
            quotas.append(quota)
        fields["quotas"] = quotas
        return fields, problems

    @on(Button.Pressed, "#form-save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        db = self.app.db
        fields, problems = self.fields()
        problems = {**event_service.event_problems(fields, db.code), **problems}
        for name in (*self.FIELDS, "quotas"):
            self.query_one(f"#err-{name}", Static).update(escape(problems.get(name, "")))
        if problems:
            self.query_one("#form-error", Static).update(escape(t("events.ui.form_problems", count=len(problems))))
            first = next(n for n in (*self.FIELDS, "quotas") if n in problems)
            target = self.query_one("#q0-key" if first == "quotas" else f"#f-{first}", Input)
            target.focus()
            self.query_one(f"#err-{first}").scroll_visible(animate=False)
            return
        try:
            if self.event:
                event_service.update_event(db, self.event["id"], fields)
                event_id = self.event["id"]
            else:
                event_id = event_service.create_event(db, fields)
        except PilarError as exc:
            self.query_one("#form-error", Static).update(escape(str(exc)))
            return
        self.app.notify(t("events.ui.saved"))
        self.dismiss(event_id)

    def action_cancel(self) -> None:
        self.close_guarded()

    def guard_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------- invite

class InviteScreen(Screen):
    """Invite by criteria (pillar, position, kab/kota, UPT) or one by one, against the quotas."""

    CSS_PATH = "events.tcss"
    AUTO_FOCUS = "#crit-pillar"
    BINDINGS = [
        Binding("escape", "back", "-", id="events.invite.back"),
        Binding("f2", "invite_matching", "-", id="events.invite.all"),
        Binding("delete", "uninvite", "-", id="events.invite.remove", show=False),  # said in the list title
    ]

    def __init__(self, event_id: str) -> None:
        super().__init__()
        self.event_id = event_id
        self.matching: list[str] = []
        localize_bindings(self)

    @property
    def db(self):
        return self.app.db

    def compose(self) -> ComposeResult:
        event = event_service.get_event(self.db, self.event_id)
        any_ = t("events.ui.crit.any")
        yield Header()
        with VerticalScroll(id="invite-body"):
            yield Static(f"[b]{escape(t('events.ui.invite_title', name=event['name']))}[/b]")
            yield Static("", id="invite-quotas")
            with Horizontal(classes="criteria"):
                with Vertical():
                    yield Label(t("events.ui.crit.pillar"))
                    yield Select([(pillar_label(p), p) for p in PILLARS], prompt=any_, id="crit-pillar")
                with Vertical():
                    yield Label(t("events.ui.crit.position"))
                    yield Select([(position_label(p), p) for p in POSITIONS], prompt=any_, id="crit-position")
            yield Label(t("events.ui.crit.kab"))
            yield Input(id="crit-kab")
            yield Label(t("events.ui.crit.office"))
            yield Input(id="crit-office")
            yield Static("", id="invite-match")
            yield Checkbox(t("events.ui.override"), id="invite-override")
            yield Button(t("events.ui.invite_all"), id="invite-all", variant="primary")
            yield Label(t("events.ui.invite_one"))
            yield Input(id="invite-one")
            yield OptionList(id="invite-picks")
            yield Static("", id="invite-result")
            yield Label("", id="invitees-title")
            yield DataTable(id="invitees", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#invite-picks", OptionList).display = False
        self.query_one("#invitees", DataTable).add_columns(
            t("events.ui.invitee.name"), t("events.ui.invitee.pillar"), t("events.ui.invitee.kab"),
            t("events.ui.invitee.office"), t("events.ui.invitee.status"))
        self.refresh_quotas()
        self.update_match()
        self.refresh_invitees()

    def refresh_invitees(self) -> None:
        """Who is invited (walk-ins too), by name; Del takes the selected one back."""
        table = self.query_one("#invitees", DataTable)
        current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        table.clear()
        names = settings.office_names(self.db)
        rows = sorted(event_service.invitations(self.db, self.event_id), key=lambda v: (fold(v.get("name", "")), v["id"]))
        for v in rows:
            status = t(f"events.status.{v.get('status') or 'BELUM'}") + (" · walk-in" if v.get("walk_in") else "")
            table.add_row(v.get("name", ""), pillar_label(v.get("pillar", "")), regions.kab_name(v.get("kab", "")) or "-",
                          names.get(v.get("upt", ""), v.get("upt", "")), status, key=v["member_id"])
        if current and current in {v["member_id"] for v in rows}:
            table.move_cursor(row=table.get_row_index(current))
        self.query_one("#invitees-title", Label).update(t("events.ui.invitees", count=len(rows)))

    def action_uninvite(self) -> None:
        table = self.query_one("#invitees", DataTable)
        if not table.row_count:
            return
        member_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        name = str(table.get_row(member_id)[0])

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                event_service.uninvite(self.db, self.event_id, member_id)
            except PilarError as exc:
                self.app.show_error(str(exc))
                return
            self.notify(t("events.ui.uninvited", name=name))
            self.refresh_quotas()
            self.update_match()
            self.refresh_invitees()

        self.app.push_screen(ConfirmDialog(t("events.ui.uninvite_title", name=name), t("events.ui.uninvite_body"),
                                           yes=t("ui.key.events.invite.remove")), done)

    def refresh_quotas(self) -> None:
        event = event_service.get_event(self.db, self.event_id)
        usage = event_service.quota_usage(self.db, event)
        lines = []
        for u in usage.values():
            q = u["quota"]
            per = t("events.ui.per_office", n=q["per_office"]) if q["per_office"] else ""
            lines.append(t("events.ui.quota_line", label=q.get("label") or q["key"], used=u["used"],
                           limit=q["limit"], per_office=per))
        lines.append(_counts_line(event_service.counts(self.db, self.event_id)))
        self.query_one("#invite-quotas", Static).update(escape("\n".join(lines)))

    def criteria(self) -> tuple[list, list, list, list]:
        def chosen(widget_id: str) -> list[str]:
            value = self.query_one(widget_id, Select).value
            return [value] if isinstance(value, str) and value else []

        kabs = []
        for text in self.query_one("#crit-kab", Input).value.split(","):
            if text.strip():
                found = regions.find_kab(text.strip())
                if not found:
                    raise PilarError("events.kab_unknown", value=text.strip())
                kabs.append(found["code"])
        offices = [o.strip().upper() for o in self.query_one("#crit-office", Input).value.split(",") if o.strip()]
        return chosen("#crit-pillar"), chosen("#crit-position"), kabs, offices

    @on(Select.Changed)
    @on(Input.Changed, "#crit-kab, #crit-office")
    def update_match(self) -> None:
        match = self.query_one("#invite-match", Static)
        try:
            pillars, positions, kabs, offices = self.criteria()
        except PilarError as exc:
            match.update(escape(str(exc)))
            self.matching = []
            return
        if not (pillars or positions or kabs or offices):
            match.update(t("events.need_criteria"))
            self.matching = []
            return
        active, inactive = event_service.select_members(self.db, pillars, positions, kabs, offices)
        self.matching = [m["id"] for m in active]
        invited = {v["member_id"] for v in event_service.invitations(self.db, self.event_id)}
        new = sum(1 for m in self.matching if m not in invited)
        match.update(escape(t("events.ui.crit.match", active=len(active), new=new, inactive=len(inactive))))

    @on(Button.Pressed, "#invite-all")
    def action_invite_matching(self) -> None:
        self.update_match()
        if not self.matching:
            self.query_one("#invite-result", Static).update(t("events.need_criteria"))
            return
        self.do_invite(self.matching)

    def do_invite(self, member_ids: list[str]) -> None:
        override = self.query_one("#invite-override", Checkbox).value
        result = event_service.invite(self.db, self.event_id, member_ids, override=override)
        lines = [t("events.invite_result", invited=len(result["invited"]), already=len(result["already"]),
                   over=len(result["over_quota"]), inactive=len(result["inactive"]))]
        if result["overridden"]:
            lines.append(t("events.invite_overridden", count=len(result["overridden"])))
        if result["inactive"]:
            names = [(self.db.get("members", m) or {}).get("name", m) for m in result["inactive"]]
            lines.append(t("events.inactive_list", names=", ".join(names)))
        self.query_one("#invite-result", Static).update(escape("\n".join(lines)))
        self.refresh_quotas()
        self.update_match()
        self.refresh_invitees()

    @on(Input.Submitted, "#invite-one")
    def invite_one(self, message: Input.Submitted) -> None:
        found = event_service.find(self.db, self.event_id, message.value)
        picks = self.query_one("#invite-picks", OptionList)
        if not found:
            self.query_one("#invite-result", Static).update(escape(t("events.ui.no_match", code=message.value)))
            return
        if len(found) == 1:
            message.input.value = ""
            self.do_invite([found[0]["member_id"]])
            return
        picks.clear_options()
        picks.add_options([Option(escape(_pick_label(c)), id=c["member_id"]) for c in found])
        picks.display = True
        picks.focus()

    @on(OptionList.OptionSelected, "#invite-picks")
    def invite_picked(self, message: OptionList.OptionSelected) -> None:
        picks = self.query_one("#invite-picks", OptionList)
        picks.display = False
        self.query_one("#invite-one", Input).value = ""
        self.query_one("#invite-one", Input).focus()
        self.do_invite([message.option.id])

    def action_back(self) -> None:
        self.app.pop_screen()


def _pick_label(card: dict) -> str:
    status = t(f"events.status.{card['status'] or 'BELUM'}") if (card["invited"] or card["walk_in"]) \
        else t("events.ui.not_invited_short")
    return " · ".join(p for p in (card["name"], pillar_label(card["pillar"]), position_label(card["position"]),
                                  card["kab_name"], card["upt_name"], status) if p)


# ---------------------------------------------------------------------- check-in at the door

class ScanInput(Input):
    """The door's code input. Enter hands the code over and empties the input the moment the key arrives:
    an Enter binding runs only after the key has gone round the app, by which time a scanner has typed
    the next codes into the same input and they would all be looked up as one."""

    async def _on_key(self, event: Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()

    async def action_submit(self) -> None:
        value = self.value
        self.value = ""
        self.post_message(self.Submitted(self, value))

class CheckinScreen(Screen):
    """One input always focused: scan or type, Enter; the card shows and the attendance is saved."""

    CSS_PATH = "events.tcss"
    AUTO_FOCUS = "#scan"
    BINDINGS = [
        Binding("escape", "back", "-", id="events.checkin.back"),
        Binding("f2", "mark('IZIN')", "-", id="events.checkin.izin"),
        Binding("f3", "mark('ALPA')", "-", id="events.checkin.alpa"),
        Binding("f4", "walk_in", "-", id="events.checkin.walk_in"),
        Binding("f5", "mark('')", "-", id="events.checkin.reset"),
        Binding("f6", "day(-1)", "-", id="events.checkin.day_previous"),
        Binding("f7", "day(1)", "-", id="events.checkin.day_next"),
        Binding("down", "pick(1)", "-", id="events.checkin.pick_next", show=False),
        Binding("up", "pick(-1)", "-", id="events.checkin.pick_previous", show=False),
    ]

    def __init__(self, event_id: str, day: str | None = None) -> None:
        super().__init__()
        self.event_id = event_id
        self.day = day  # which day of a multi-day event attendance is taken for (set on compose)
        self.days: list[str] = []
        self.current: dict | None = None
        self.pending_mark: str | None = None  # F2/F3 pressed on a name that matched several people
        localize_bindings(self)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "day":  # F6/F7 only for an event of more than one day
            return len(self.days) > 1
        return True

    @property
    def db(self):
        return self.app.db

    def compose(self) -> ComposeResult:
        event = event_service.get_event(self.db, self.event_id)
        self.days = event_service.event_days(event)
        self.day = event_service.event_day(event, self.day)
        yield Header()
        with Vertical(id="checkin-body"):
            yield Static(self._title(event), id="checkin-title")
            yield ScanInput(placeholder=t("events.ui.scan_placeholder"), id="scan")
            yield Static(t("events.ui.checkin_help") + (t("events.ui.checkin_help_days") if len(self.days) > 1 else ""),
                         id="checkin-help")
            with Horizontal(id="checkin-main"):
                with Vertical(id="checkin-left"):
                    yield Static("", id="checkin-message")
                    yield Static("", id="card")
                    yield OptionList(id="picks")
                with Vertical(id="checkin-right"):
                    yield Static("", id="checkin-counts")
                    yield Static("", id="checkin-kabs")
        yield Footer()

    def on_mount(self) -> None:
        picks = self.query_one("#picks", OptionList)
        self.show_picks(False)
        # The scan input keeps the focus even while a name list is shown, so that a scanner's
        # code + Enter always lands in it; arrows move the list, Enter on an empty input picks.
        picks.can_focus = False
        self.live = event_service.LiveCounts(self.db, self.event_id, self.day)
        self.refresh_counts()
        self.query_one("#scan", Input).focus()

    def _title(self, event: dict) -> str:
        title = f"[b]{escape(event['name'])}[/b] · {escape(event.get('venue', ''))}"
        if len(self.days) > 1:
            title += " · " + escape(t("events.ui.day_of", n=self.days.index(self.day) + 1, total=len(self.days),
                                      date=fmt.long_date(self.day)))
        return title

    def action_day(self, step: int) -> None:
        """F6/F7: the previous or next day of a multi-day event (its counts and check-ins)."""
        at = self.days.index(self.day) + step
        if not 0 <= at < len(self.days):
            return
        self.day = self.days[at]
        self.live.close()
        self.live = event_service.LiveCounts(self.db, self.event_id, self.day)
        self.current = None
        self.query_one("#card", Static).update("")
        self.query_one("#checkin-title", Static).update(self._title(event_service.get_event(self.db, self.event_id)))
        self.say(t("events.ui.day_changed", date=fmt.long_date(self.day)), "info")
        self.refresh_counts()
        self.query_one("#scan", Input).focus()

    def on_unmount(self) -> None:
        self.live.close()

    def refresh_counts(self) -> None:
        counts = self.live.counts()
        self.counts = counts
        total = counts["total"]
        lines = [f"[b]{escape(t('events.col.present'))}: {total['HADIR']}[/b] / {total['invited']}"]
        lines += [escape(f"{t(f'events.status.{k}')}: {total[k]}") for k in ("IZIN", "ALPA", "BELUM")]
        lines += [escape(f"{t('events.col.walk_in')}: {total['walk_in']}"), ""]
        lines += [escape(line) for line in _groups_lines(counts)]
        self.query_one("#checkin-counts", Static).update("\n".join(lines))
        self.query_one("#checkin-kabs", Static).update(
            escape("\n".join([t("events.ui.by_kab"), *_kab_lines(counts)])))

    def say(self, text: str, kind: str = "ok") -> None:
        message = self.query_one("#checkin-message", Static)
        message.set_classes(f"msg-{kind}")
        message.update(escape(text))

    def show_card(self, card: dict) -> None:
        self.current = card
        lines = [f"[b]{escape(card['name'])}[/b]",
                 escape(" · ".join(p for p in (pillar_label(card["pillar"]), position_label(card["position"])) if p)),
                 escape(card["kab_name"] or card["kab"]), escape(card["upt_name"])]
        if card["number"]:
            lines.append(escape(f"{t('events.col.number')}: {card['number']}"))
        if not card["active"]:
            lines.append(escape(t("events.ui.inactive_card")))
        if card["walk_in"]:
            lines.append(escape(t("events.walk_in_note", reason=card["walk_in_reason"])))
        if card["status"] == "HADIR":
            lines.append(escape(t("events.ui.card_status_hadir", time=event_service.clock(card["checkin_at"]))))
        elif card["status"]:
            lines.append(escape(t(f"events.status.{card['status']}")))
        elif card["invited"]:
            lines.append(escape(t("events.ui.card_status_none")))
        else:
            lines.append(escape(t("events.ui.not_invited_card")))
        self.query_one("#card", Static).update("\n".join(lines))

    @on(Input.Submitted, "#scan")
    def scanned(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        picks = self.query_one("#picks", OptionList)
        if not text:
            if picks.display and picks.highlighted is not None:
                self.show_picks(False)
                self._act_on(picks.get_option_at_index(picks.highlighted).id)
            return
        self.pending_mark = None
        found = self.lookup(text)
        if found is not None:
            self.check_in(found)

    def lookup(self, text: str) -> str | None:
        """The member a typed or scanned code names; None (and the name list shown) when several match."""
        picks = self.query_one("#picks", OptionList)
        self.show_picks(False)
        found = event_service.find(self.db, self.event_id, text)
        if not found:
            self.current = None
            self.query_one("#card", Static).update("")
            self.say(t("events.ui.no_match", code=text), "error")
            return None
        if len(found) == 1:
            return found[0]["member_id"]
        picks.clear_options()
        picks.add_options([Option(escape(_pick_label(c)), id=c["member_id"]) for c in found])
        self.show_picks(True)
        picks.highlighted = 0
        self.say(t("events.ui.pick", count=len(found)), "info")
        return None

    def _act_on(self, member_id: str) -> None:
        """A name picked from the list: checked in, or marked as F2/F3/F5 asked."""
        status, self.pending_mark = self.pending_mark, None
        if status is None:
            self.check_in(member_id)
        else:
            self.mark(member_id, status)

    def show_picks(self, shown: bool) -> None:
        """The name list takes the card's place while it is shown."""
        self.query_one("#picks", OptionList).display = shown
        self.query_one("#card", Static).display = not shown

    def action_pick(self, step: int) -> None:
        picks = self.query_one("#picks", OptionList)
        if picks.display and picks.option_count:
            picks.highlighted = ((picks.highlighted or 0) + step) % picks.option_count

    @on(OptionList.OptionSelected, "#picks")
    def picked(self, message: OptionList.OptionSelected) -> None:
        self.show_picks(False)
        self.query_one("#scan", Input).focus()
        self._act_on(message.option.id)

    def check_in(self, member_id: str) -> None:
        card = event_service.card(self.db, self.event_id, member_id, self.day)
        if not card["invited"] and not card["walk_in"]:
            self.show_card(card)
            self.say(f"{card['name']}: {t('events.ui.not_invited_card')}", "warning")
            return
        try:
            outcome = event_service.checkin(self.db, self.event_id, member_id, day=self.day)
        except PilarError as exc:
            self.say(str(exc), "error")
            return
        card = outcome["card"]
        self.show_card(card)
        time = event_service.clock(card["checkin_at"])
        if outcome["result"] == "already":
            self.say(t("events.already", name=card["name"], time=time), "warning")
        else:
            self.say(t("events.checked_in", name=card["name"], time=time), "ok")
            self.refresh_counts()

    def action_mark(self, status: str) -> None:
        """F2/F3/F5: izin, alpa or undo for the NIK or name typed in the input (the person shown when it is
        empty, or the one highlighted in the name list); nobody is checked in on the way."""
        scan = self.query_one("#scan", Input)
        text = scan.value.strip()
        picks = self.query_one("#picks", OptionList)
        if text:
            scan.value = ""
            member_id = self.lookup(text)
            if member_id is None:
                if picks.display:
                    self.pending_mark = status  # Enter on a name marks that one
                return
        elif picks.display and picks.highlighted is not None:
            self.show_picks(False)
            member_id = picks.get_option_at_index(picks.highlighted).id
        elif self.current:
            member_id = self.current["member_id"]
        else:
            self.say(t("events.ui.mark_needs_code"), "warning")
            return
        self.mark(member_id, status)

    def mark(self, member_id: str, status: str) -> None:
        try:
            card = event_service.set_status(self.db, self.event_id, member_id, status, day=self.day)
        except PilarError as exc:
            self.say(str(exc), "error")
            return
        self.show_card(card)
        self.say(t("events.marked", name=card["name"], status=t(f"events.status.{status or 'BELUM'}")), "ok")
        self.refresh_counts()
        self.query_one("#scan", Input).focus()

    def action_walk_in(self) -> None:
        if not self.current or self.current["invited"] or self.current["walk_in"]:
            return
        self.app.push_screen(WalkInScreen(self.current["name"]), self._walk_in_reason)

    def _walk_in_reason(self, reason: str | None) -> None:
        self.query_one("#scan", Input).focus()
        if not reason or not self.current:
            return
        try:
            outcome = event_service.checkin(self.db, self.event_id, self.current["member_id"], walk_in_reason=reason,
                                 day=self.day)
        except PilarError as exc:
            self.say(str(exc), "error")
            return
        card = outcome["card"]
        self.show_card(card)
        self.say(t("events.walked_in", name=card["name"], time=event_service.clock(card["checkin_at"]),
                   reason=card["walk_in_reason"]), "ok")
        self.refresh_counts()

    def action_back(self) -> None:
        picks = self.query_one("#picks", OptionList)
        if picks.display:
            self.show_picks(False)
            self.query_one("#scan", Input).focus()
            return
        self.app.pop_screen()


class WalkInScreen(GuardedForm, ModalScreen[str | None]):
    """The reason a member who was not invited is let in."""

    CSS_PATH = "events.tcss"
    BINDINGS = [Binding("escape", "cancel", "-", id="events.walkin.cancel"), SAVE_BINDING]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.member_name = name
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="walk-in-dialog"):
            yield Label(f"[b]{escape(t('events.ui.walk_in_title', name=self.member_name))}[/b]")
            yield Label(t("events.ui.walk_in_reason"))
            yield Input(id="walk-in-reason")
            yield Static("", id="walk-in-error", classes="error")

    @on(Input.Submitted, "#walk-in-reason")
    def submitted(self) -> None:
        reason = self.query_one("#walk-in-reason", Input).value.strip()
        if not reason:
            self.query_one("#walk-in-error", Static).update(escape(t("events.need_reason")))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.close_guarded()

    def guard_save(self) -> None:
        self.submitted()


# ---------------------------------------------------------------------- printing

class ReportScreen(ModalScreen[None]):
    """Choose a report and a format; the file is written in a worker and a notification says where."""

    CSS_PATH = "events.tcss"
    AUTO_FOCUS = "#report-go"
    BINDINGS = [Binding("escape", "cancel", "-", id="events.report.cancel")]
    EXTENSIONS = {"pdf": "pdf", "text": "txt", "md": "md", "html": "html", "csv": "csv", "xlsx": "xlsx"}

    def __init__(self, event_id: str) -> None:
        super().__init__()
        self.event_id = event_id
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        event = event_service.get_event(self.app.db, self.event_id)
        # Scrolls when the screen is short (at 80x24 the buttons were below it); the focused button is in view.
        with VerticalScroll(classes="dialog", id="report-dialog", can_focus=False):
            yield Label(f"[b]{escape(t('events.ui.report_title', name=event['name']))}[/b]")
            yield Label(t("events.ui.report_kind"))
            yield Select([(t("events.ui.report_attendance"), "attendance"),
                          (t("events.ui.report_invitations"), "invitations"),
                          (t("events.ui.report_summary"), "summary")], value="attendance", allow_blank=False,
                         id="report-kind")
            days = event_service.event_days(event)
            yield Label(t("events.ui.report_day"))
            yield Select([(t("events.ui.day_of", n=i, total=len(days), date=fmt.long_date(d)), d)
                          for i, d in enumerate(days, 1)], value=event_service.event_day(event), allow_blank=False,
                         id="report-day", disabled=len(days) == 1)
            yield Label(t("events.ui.report_format"))
            yield Select([(t(f"events.ui.fmt.{f}"), f) for f in ("pdf", "html", "text", "md", "csv", "xlsx")],
                         value="pdf", allow_blank=False, id="report-format")
            yield Label(t("events.ui.report_path"))
            yield Input(self.default_path("attendance", "pdf"), id="report-path")
            yield Static("", id="report-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(t("events.ui.report"), id="report-go", variant="primary")
                yield Button(t("events.ui.cancel"), id="report-cancel")

    def default_path(self, kind: str, fmt_: str, day: str | None = None) -> str:
        event = event_service.get_event(self.app.db, self.event_id)
        slug = "".join(c if c.isalnum() else "-" for c in event["name"].lower()).strip("-")
        slug = "-".join(p for p in slug.split("-") if p)
        name = {"attendance": "daftar-hadir", "invitations": "daftar-undangan", "summary": "rekap-kehadiran"}[kind]
        if day and kind != "invitations" and len(event_service.event_days(event)) > 1:
            name += f"-{day}"
        return str(Path(self.app.db.path) / "reports" / f"{slug}-{name}.{self.EXTENSIONS[fmt_]}")

    @on(Select.Changed)
    def _changed(self) -> None:
        kind = self.query_one("#report-kind", Select).value
        fmt_ = self.query_one("#report-format", Select).value
        day = self.query_one("#report-day", Select).value
        self.query_one("#report-path", Input).value = self.default_path(kind, fmt_, day)

    @on(Button.Pressed, "#report-go")
    @on(Input.Submitted, "#report-path")
    def go(self) -> None:
        kind = self.query_one("#report-kind", Select).value
        fmt_ = self.query_one("#report-format", Select).value
        day = self.query_one("#report-day", Select).value
        path = Path(self.query_one("#report-path", Input).value.strip()).expanduser()
        app = self.app
        app.notify(t("events.ui.report_working"))
        # The worker belongs to the app: this dialog closes at once and must not cancel it.
        app.run_worker(partial(_write_report, app, self.event_id, kind, fmt_, path, day), thread=True,
                       exit_on_error=False, group="events-report", name="events-report")
        self.dismiss(None)

    @on(Button.Pressed, "#report-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _write_report(app, event_id: str, kind: str, fmt_: str, path: Path, day: str | None = None) -> None:
    """Build and write a report off the main thread, then say where it went (or what went wrong)."""
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from storage.core.fsutil import os_error

            raise os_error(exc, path.parent) from exc
        reports.write(app.db, event_id, path, kind, fmt_, day=day)
    except PilarError as exc:
        app.call_from_thread(app.notify, escape(str(exc)), severity="error", timeout=10)
        return
    app.call_from_thread(app.notify, escape(t("events.report_written", path=str(path))), timeout=10)
    from storage.printing import viewer

    if note := viewer.after_print(app.db.office, path):  # the path above stays shown
        app.call_from_thread(app.notify, escape(note), timeout=10)
