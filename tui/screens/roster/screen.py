"""The roster section: find, add, edit, deactivate, delete, import and export members."""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import threading
from dataclasses import replace
from pathlib import Path

from babel.numbers import format_decimal
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Input, Label, Select, Static

from storage.core.errors import PilarError
from storage.core.i18n import get_lang, t
from storage.core.text import parse_typed_date
from storage.domain import fmt, regions
from storage.domain.model import PILLARS, STATUSES, pillar_label, position_label, status_label
from storage.roster import ANY_AREA, COLUMNS, Query, Roster, Row, detail_text, make_row
from tui.dialogs import ConfirmDialog, ErrorDialog, Field, PromptDialog
from tui.screens.roster.form import ConflictChoiceDialog, MemberForm
from tui.screens.roster.statement import ask_statement
from tui.widgets.footer import Footer
from tui.widgets.keys import localize_bindings
from tui.widgets.member_table import Column, MemberTable

# Above this many members the roster is built in a thread after the first page is painted.
BACKGROUND_LOAD = 20_000
# From this many members the app mounts this screen unseen once the roster is built (the Ringkasan shown
# meanwhile), so that key 1 only switches to it (tui.app.PilarApp._install_roster_screen, issue 25).
PREMOUNT_ROSTER = 5_000
SERVING = "@"  # kab/kota list values for where members serve: "@" anywhere, "@35.09" in Jember
# Column widths for the table; 0 = the flexible one; ``drop`` = dropped first when narrow.
_LAYOUT = {"nik": (16, 0), "name": (0, 0), "pillar": (9, 0), "position": (12, 3), "kab": (14, 0),
           "kec": (13, 2), "office": (15, 4), "status": (11, 1)}


def count_text(n: int) -> str:
    return format_decimal(n, locale="id_ID" if get_lang() == "id" else "en_GB")


class SearchInput(Input):
    """The roster's search box. The table follows its text from the value's watcher, so that the rows
    found are painted in the frame that shows the letter typed: ``Input.Changed`` arrives after that
    frame, which made every keystroke two frames (issue 25)."""

    def watch_value(self, value: str) -> None:
        screen = self.screen if self.is_attached else None
        if isinstance(screen, RosterScreen):
            screen.search_typed(value)


class RosterScreen(Screen):
    """The member table with search, quick filters and the count of matching members."""

    BINDINGS = [
        Binding("slash", "focus_search", "-", id="roster.search", key_display="/"),
        Binding("escape", "clear", "-", id="roster.clear", show=False),
        Binding("n", "add", "-", id="roster.add"),
        Binding("e", "edit", "-", id="roster.edit"),
        Binding("v", "detail", "-", id="roster.detail", show=False),
        Binding("d", "deactivate", "-", id="roster.deactivate"),
        Binding("delete", "delete", "-", id="roster.delete", show=False),
        Binding("r", "reveal", "-", id="roster.reveal", show=False),
        Binding("o", "sort", "-", id="roster.sort", show=False),
        Binding("O", "reverse", "-", id="roster.reverse", show=False, key_display="shift+o"),
        Binding("p", "focus_filter('pillar')", "-", id="roster.pillar", show=False),
        Binding("k", "focus_filter('kab')", "-", id="roster.kab", show=False),
        Binding("s", "focus_filter('status')", "-", id="roster.status", show=False),
        Binding("i", "import", "-", id="roster.import", show=False),
        Binding("x", "export", "-", id="roster.export", show=False),
        Binding("c", "cards", "-", id="roster.cards", show=False),  # listed in F1 help; footer kept as is
        Binding("w", "statement", "-", id="roster.statement", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)
        self.query_state = Query()
        self.ready = False
        self.reveal = False
        self._gc_paused = False  # _collect_after_frame
        self._labels: dict[tuple[str, str], str] = {}

    @property
    def roster(self) -> Roster:
        return self.app.roster

    # ------------------------------------------------------------------ compose

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="roster-bar"):
            yield SearchInput(placeholder=t("roster.search.placeholder"), id="search")
            q = self.query_state
            yield Select([(t("roster.filter.all_pillars"), "")] + [(pillar_label(p), p) for p in PILLARS],
                         value=q.pillar, allow_blank=False, id="pillar")
            # "Jember", "Kota Kediri" (as the table writes them), by place name: where members live; then
            # "Tugas: Jember": where they serve, as the Ringkasan counts them (Query.area_kab)
            kabs = sorted(regions.kab_list(), key=lambda k: (k["short"], k["type"]))
            yield Select([(t("roster.filter.all_kab"), "")]
                         + [(self._label("kab", k["code"]), k["code"]) for k in kabs]
                         + [(t("roster.filter.serving_any"), SERVING)]
                         + [(t("roster.filter.serving_kab", kab=self._label("kab", k["code"])), SERVING + k["code"])
                            for k in kabs],
                         value=self._kab_choice(q), allow_blank=False, id="kab")
            yield Select([(t("roster.filter.all_status"), "")] + [(status_label(s), s) for s in STATUSES],
                         value=q.status, allow_blank=False, id="status")
        yield Static("", id="roster-count", markup=False)
        columns = [Column(c, t(f"roster.col.{c}"), *_LAYOUT[c]) for c in COLUMNS]
        yield MemberTable(columns, self.cells, id="members")
        yield Static(t("roster.empty"), id="roster-empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(MemberTable).focus()
        if self.app._roster is None and (self.app._roster_loading or self.app.db.count("members") > BACKGROUND_LOAD):
            self._first_page()
            # after the first page is on screen: the build would otherwise compete with painting it
            # (the app may have started it already, after the Ringkasan's figures)
            self.call_after_refresh(self.app.preload_roster, self._roster_ready)
        else:
            self._roster_ready()

    def _first_page(self) -> None:
        """The first screenful in name order straight from the data, while the full roster is built. Not
        while the build runs: the members are held as bytes (storage/core/db.py, "records at rest"), so the
        first page would parse every one of them on this thread, as the build does on its own (100,000
        members: over a second with the screen frozen); the count says the roster is loading meanwhile."""
        table = self.query_one(MemberTable)
        table.sort_column, table.sort_reverse = "name", False
        if not self.app._roster_loading:
            height = max(self.app.size.height, 24)
            first = heapq.nsmallest(height, self.app.db.values("members"),
                                    key=lambda v: ((v.get("name") or "").casefold(), v.get("nik") or ""))
            table.set_rows([make_row(v) for v in first])
        self.query_one("#roster-empty").display = False
        self.query_one("#roster-count", Static).update(
            t("roster.loading", total=count_text(self.app.db.count("members"))))

    def _roster_ready(self) -> None:
        self.ready = True
        self.roster.listeners.append(self._roster_changed)
        self.refresh_rows()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing but moving about until the roster is loaded."""
        if not self.ready and action not in ("focus_search", "clear"):
            return False
        return True

    def on_unmount(self) -> None:
        self._collect_again()
        if self.ready and self._roster_changed in self.roster.listeners:
            self.roster.listeners.remove(self._roster_changed)

    # ------------------------------------------------------------------ rows

    def _label(self, kind: str, code: str) -> str:
        key = (kind, code)
        label = self._labels.get(key)
        if label is None:
            if kind == "pillar":
                label = pillar_label(code)
            elif kind == "position":
                label = position_label(code)
            elif kind == "kab":
                # "Ponorogo" for Kabupaten Ponorogo, "Kota Kediri" for the city: short, still unambiguous
                found = regions.kab(code) if code else None
                label = (found["short"] if found["type"] == "KABUPATEN" else found["name"]) if found else code
            elif kind == "kec":
                label = regions.kec_name(code) or code
            else:
                label = status_label(code)
            self._labels[key] = label
        return label

    def cells(self, row: Row) -> tuple[str, ...]:
        label = self._label
        status = label("status", row.status)
        if row.flag:  # a member in conflict (or deleted at one office, edited at another): said in the row
            status = t("roster.status.deleted_conflict" if row.flag == "deleted" else "roster.status.conflict")
        return (row.nik if self.reveal else fmt.mask_nik(row.nik), row.name, label("pillar", row.pillar),
                label("position", row.position), label("kab", row.kab), label("kec", row.kec), row.office,
                status)

    def refresh_rows(self, keep: str | None = None) -> None:
        """Apply the current query to the roster and show the result."""
        if not self.ready:
            return
        self._collect_after_frame()
        table = self.query_one(MemberTable)
        rows = self.roster.search(self.query_state)
        table.sort_column, table.sort_reverse = self.query_state.sort, self.query_state.reverse
        table.set_rows(rows, keep=keep)
        empty = self.query_one("#roster-empty", Static)
        empty.display = not rows
        if not rows:  # nothing matches the filters, or nothing at all yet
            empty.update(t("roster.empty_office") if not len(self.roster) else t("roster.empty"))
        q = self.query_state
        order = t("roster.count.desc") if q.reverse else ""
        area = ""
        if q.kec:
            area = " · " + t("roster.count.kec", kec=regions.kec_name(q.kec), kab=self._label("kab", q.kec[:5]))
        elif q.area_kab:
            area = " · " + (t("roster.count.serving_any") if q.area_kab == ANY_AREA
                            else t("roster.count.serving", area=regions.kab_name(q.area_kab)))
        # one line, as wide as the screen whatever it says: no layout of the screen for it
        self.query_one("#roster-count", Static).update(
            t("roster.count", shown=count_text(len(rows)), total=count_text(len(self.roster))) + area
            + " · " + t("roster.count.sorted", column=t(f"roster.col.{q.sort}"), order=order), layout=False)

    def _collect_after_frame(self) -> None:
        """A search or a commit makes new lists of rows (one letter: 200,000 references at 300,000
        members) that the collector's next passes walk, 10-25 ms each: the collector waits until the
        table shows the rows, so that those passes run after the frame rather than before it (the
        clerk's next key comes later still). Not when a thread paused it (it starts it again)."""
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True
            self.call_after_refresh(self._collect_again)
            self.set_timer(1.0, self._collect_again)  # should no frame come

    def _collect_again(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def _roster_changed(self, ids: set[str]) -> None:
        if threading.get_ident() != self.app._thread_id:
            self.app.call_from_thread(self._roster_changed, ids)
            return
        self.refresh_rows(keep=self.query_one(MemberTable).current_id)
        if not self.roster.indexed:  # a big change (an import) dropped the search index: built again
            self.index_roster()

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-index")
    def index_roster(self) -> None:
        self.roster.build_index()

    def _set_query(self, **changes: object) -> None:
        self.query_state = Query(**{**self.query_state.__dict__, **changes})
        self.refresh_rows(keep=self.query_one(MemberTable).current_id if "text" not in changes else None)

    def search_typed(self, text: str) -> None:
        """The search box holds ``text`` (from its watcher; its Changed message comes after, the same)."""
        if text != self.query_state.text:
            self._set_query(text=text)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search_typed(event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(MemberTable).focus()

    @staticmethod
    def _kab_choice(q: Query) -> str:
        """The kab/kota list's value for a query: a home kab, or SERVING (+ code) for where they serve."""
        if q.area_kab:
            return SERVING if q.area_kab == ANY_AREA else SERVING + q.area_kab
        return q.kab

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        value = event.value or ""
        if event.select.id == "kab":
            if value == self._kab_choice(self.query_state):
                return  # the list set to what the query already says (show_query)
            area = (value[len(SERVING):] or ANY_AREA) if value.startswith(SERVING) else ""
            self._set_query(kab="" if area else value, area_kab=area, kec="")
        elif event.select.id in ("pillar", "status"):
            self._set_query(**{event.select.id: value})

    def show_query(self, query: Query) -> None:
        """Show the members a query finds, its filters in the pick lists (the Ringkasan's rows open this)."""
        self.query_state = replace(query, sort=self.query_state.sort, reverse=self.query_state.reverse)
        if not self.is_mounted:
            return  # compose shows it
        self.query_one("#search", Input).value = query.text
        self.query_one("#pillar", Select).value = query.pillar
        self.query_one("#kab", Select).value = self._kab_choice(query)
        self.query_one("#status", Select).value = query.status
        self.refresh_rows()
        self.query_one(MemberTable).focus()

    @on(MemberTable.HeaderClicked)
    def _header_clicked(self, event: MemberTable.HeaderClicked) -> None:
        if event.column == self.query_state.sort:
            self._set_query(reverse=not self.query_state.reverse)
        else:
            self._set_query(sort=event.column, reverse=False)

    @on(MemberTable.Opened)
    def _opened(self, event: MemberTable.Opened) -> None:
        self.open_detail(event.member_id)

    # ------------------------------------------------------------------ actions

    def action_focus_search(self) -> None:
        self.set_focus(self.query_one("#search", Input))

    def on_key(self, event: events.Key) -> None:
        """"/" then letters, typed fast or by a scanner on a busy PC, arrive here together: the letters
        are already on their way up from the table when the "/" binding would move the focus (after
        they passed), and they would be lost. So "/" from the table moves the focus here, at once, and
        the letters that follow it up are put into the search box (which stops the keys it takes)."""
        search = self.query_one("#search", Input)
        if event.key == "slash" and isinstance(self.focused, MemberTable):
            self.set_focus(search)
        elif self.focused is search and event.is_printable and event.character:
            search.insert_text_at_cursor(event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def action_focus_filter(self, name: str) -> None:
        select = self.query_one(f"#{name}", Select)
        select.focus()
        select.action_show_overlay()

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""
        for name in ("pillar", "kab", "status"):
            self.query_one(f"#{name}", Select).value = ""
        self.query_state = Query(sort=self.query_state.sort, reverse=self.query_state.reverse)
        self.refresh_rows()
        self.query_one(MemberTable).focus()

    def action_sort(self) -> None:
        index = (COLUMNS.index(self.query_state.sort) + 1) % len(COLUMNS)
        self._set_query(sort=COLUMNS[index], reverse=False)

    def action_reverse(self) -> None:
        self._set_query(reverse=not self.query_state.reverse)

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.query_one(MemberTable).invalidate()
        if self.reveal:
            self.notify(t("roster.nik.shown"))

    def _selected(self) -> str | None:
        rid = self.query_one(MemberTable).current_id
        if rid is None:
            self.notify(t("roster.nothing_selected"), severity="warning")
        return rid

    def action_detail(self) -> None:
        rid = self._selected()
        if rid:
            self.open_detail(rid)

    def open_detail(self, rid: str) -> None:
        def after(choice: str | None) -> None:
            if choice == "edit":
                self.edit_member(rid)
            elif choice == "deactivate":
                self.deactivate_member(rid)
        self.app.push_screen(MemberDetail(self.roster, rid, self.reveal), after)

    def action_add(self) -> None:
        self.app.push_screen(MemberForm(self.roster, None), self._form_done)

    def action_edit(self) -> None:
        rid = self._selected()
        if rid:
            self.edit_member(rid)

    def edit_member(self, rid: str) -> None:
        member = self.roster.get(rid)
        if member is None:
            return
        if not self.roster.in_conflict(rid):
            self.app.push_screen(MemberForm(self.roster, member), self._form_done)
            return

        # In conflict: which version to keep is asked first; the form then edits that version and the
        # save closes the conflict on purpose (a plain save would drop the other version unseen).
        def chosen(n: int | None) -> None:
            if n is None:
                return
            from storage.reconcile import conflicts

            versions = conflicts.siblings(self.roster.db, "members", rid)
            if not 1 <= n <= len(versions):
                return
            if versions[n - 1]["value"] is None:  # the deletion is kept
                try:
                    conflicts.resolve(self.roster.db, rid, keep=n)
                except PilarError as exc:
                    self.app.push_screen(ErrorDialog(str(exc)))
                    return
                self.notify(t("ui.conflict.kept_deletion", name=member.get("name", "")))
                return
            self.app.push_screen(MemberForm(self.roster, versions[n - 1]["value"], resolution=n), self._form_done)

        self.app.push_screen(ConflictChoiceDialog(self.roster, rid), chosen)

    def _form_done(self, result: dict | None) -> None:
        """The form returns a value it has validated; save it (warnings were accepted there)."""
        if not result:
            return
        value, is_new = result["member"], result["new"]
        try:
            rid, res = self.roster.save(value, accept_warnings=True, resolution=result.get("resolution"))
        except PilarError as exc:
            self.app.push_screen(ErrorDialog(str(exc)))
            return
        if rid is None:
            self.app.push_screen(ErrorDialog("\n".join(i.message for i in res.errors)))
            return
        self.refresh_rows(keep=rid)
        self.notify(t("roster.saved.add" if is_new else "roster.saved.edit", name=value.get("name", "")))

    def action_deactivate(self) -> None:
        rid = self._selected()
        if rid:
            self.deactivate_member(rid)

    def deactivate_member(self, rid: str) -> None:
        member = self.roster.get(rid)
        if member is None:
            return
        if self.roster.in_conflict(rid):
            from storage.reconcile.conflicts import edit_refusal

            self.app.push_screen(ErrorDialog(str(edit_refusal(self.roster.db, "members", rid))))
            return
        today = dt.date.today().strftime("%d-%m-%Y")

        done_count: list[int] = []

        def check(values: dict) -> str | None:
            """Deactivate here, so a refusal (no reason, a date before the assignment began) stays in the dialog."""
            if not values["reason"].strip():
                return t("roster.deactivate.need_reason")
            if parse_typed_date(values["date"]) is None:
                return t("roster.deactivate.bad_date", value=values["date"])
            try:
                done_count.append(self.roster.deactivate(rid, values["reason"], parse_typed_date(values["date"]) or ""))
            except PilarError as exc:
                return str(exc)
            return None

        def done(values: dict | None) -> None:
            if values and done_count:
                self.notify(t("roster.saved.deactivate", name=member["name"], count=done_count[0]))

        self.app.push_screen(PromptDialog(
            t("roster.deactivate.title", name=member["name"]),
            [Field("reason", t("roster.deactivate.reason")), Field("date", t("roster.deactivate.date"), today)],
            check=check), done)

    def action_delete(self) -> None:
        rid = self._selected()
        if not rid:
            return
        member = self.roster.get(rid)
        if member is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(PromptDialog(t("roster.delete.title", name=member["name"]),
                                                  [Field("reason", t("roster.delete.reason"))]), reason_given)

        def reason_given(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.roster.delete(rid, values["reason"].strip())
            except PilarError as exc:
                self.app.push_screen(ErrorDialog(str(exc)))
                return
            self.notify(t("roster.saved.delete", name=member["name"]))

        self.app.push_screen(ConfirmDialog(t("roster.delete.title", name=member["name"]), t("roster.delete.body"),
                                           yes=t("ui.key.roster.delete"), danger=True), confirmed)

    def action_import(self) -> None:
        from tui.screens.roster.importing import ImportScreen

        self.app.push_screen(ImportScreen(self.roster))

    def action_export(self) -> None:
        default = str(Path.home() / f"anggota-{dt.date.today().isoformat()}.xlsx")

        def check(values: dict) -> str | None:
            if Path(values["path"].strip()).suffix.lower() not in (".csv", ".xlsx"):
                return t("roster.export.bad_type")
            return None

        def done(values: dict | None) -> None:
            if values:
                self.export_rows(Path(values["path"].strip()).expanduser(), bool(values.get("_checkbox")))

        # Full NIK and phone only when asked for (ticked already after r); such an export is audited.
        self.app.push_screen(PromptDialog(t("roster.export.title"), [Field("path", t("roster.export.path"), default)],
                                          check=check, checkbox=t("roster.export.reveal"),
                                          checkbox_value=self.reveal), done)

    def action_statement(self) -> None:
        """``w``: the selected member's statement (riwayat penerimaan: paid when, how much, or why not)."""
        rid = self._selected()
        if rid:
            ask_statement(self, rid)

    def action_cards(self) -> None:
        """``c``: member cards (PDF, 10 per A4) for the active members the table shows now."""
        default = str(Path(self.app.data_dir) / "cetak" / f"kartu-anggota-{dt.date.today().isoformat()}.pdf")

        def check(values: dict) -> str | None:
            return None if values["path"].strip().lower().endswith(".pdf") else t("cards.ui.bad_type")

        self.app.push_screen(PromptDialog(t("cards.ui.title"), [Field("path", t("cards.ui.path"), default)],
                                          check=check),
                             lambda values: values and self.print_cards(Path(values["path"].strip()).expanduser()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="cards")
    def print_cards(self, path: Path) -> None:
        from storage.core.fsutil import atomic_write
        from storage.printing import viewer
        from storage.roster import cards

        try:  # this screen's worker states do not reach the app: say a refusal here
            members = cards.select(self.roster, self.query_state)
            data = cards.render(self.app.db, members, pillar=self.query_state.pillar)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except PilarError as exc:
            self.app.show_error(str(exc))
            return
        except OSError as exc:
            self.app.show_error(str(PilarError("fs.io_error", path=str(path), detail=str(exc))))
            return
        self.app.call_from_thread(self.notify, t("cards.written", count=len(members), path=str(path)))
        if note := viewer.after_print(self.app.db.office, path):
            self.app.call_from_thread(self.notify, note)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_rows(self, path: Path, reveal: bool = False) -> None:
        from storage.roster import export_rows

        rows = self.roster.search(self.query_state)
        count = export_rows(self.roster, rows, path, reveal=reveal)
        self.app.call_from_thread(self.notify, t("roster.export.done", count=count_text(count), path=str(path)))


class MemberDetail(ModalScreen[str | None]):
    """All of one member: personal data, every assignment, and the history from the audit log."""

    BINDINGS = [
        Binding("escape", "close", "-", id="dialog.close"),
        Binding("e", "choose('edit')", "-", id="roster.edit"),
        Binding("d", "choose('deactivate')", "-", id="roster.deactivate"),
        Binding("r", "reveal", "-", id="roster.reveal"),
        Binding("f1", "app.help", "-", id="app.help_f1"),
    ]

    def __init__(self, roster: Roster, rid: str, reveal: bool = False) -> None:
        super().__init__()
        localize_bindings(self)
        self.roster, self.rid, self.reveal = roster, rid, reveal

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail"):
            yield Label(t("roster.detail.title"), classes="dialog-title")
            with VerticalScroll(id="detail-body"):
                yield Static("", id="detail-text", markup=False)
            yield Static(t("roster.detail.keys"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        self.query_one("#detail-text", Static).update(detail_text(self.roster, self.rid, self.reveal))

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.show()

    def action_choose(self, what: str) -> None:
        self.dismiss(what)

    def action_close(self) -> None:
        self.dismiss(None)
