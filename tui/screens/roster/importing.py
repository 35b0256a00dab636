"""The import wizard: pick a file, see the preview (sheets read, column mapping, each row's fate, updates
before/after), change the mapping if a column was read wrongly, confirm, watch progress."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt
from storage.roster import Roster
from storage.roster.importing.plan import ImportPlan, commit, grouped, parse_overrides, preview
from tui.dialogs import ConfirmDialog
from tui.widgets.keys import localize_bindings

PREVIEW_ROWS = 1000  # refused and held rows come first, then updates; the table stops after this many
_ORDER = {"refuse": 0, "hold": 1, "conflict": 2, "update": 3, "add": 4, "same": 5}


class ImportScreen(ModalScreen[dict | None]):
    """Import members from an .xlsx/.xlsb/.xls/.ods/.csv file in three steps; dismisses with the counts or None."""

    BINDINGS = [Binding("escape", "cancel", "-", id="dialog.cancel"),
                Binding("t", "accept_held", "-", id="import.accept_held"),
                Binding("f", "filter", "-", id="import.filter"),
                Binding("s", "save_refused", "-", id="import.save_refused"),
                Binding("f1", "app.help", "-", id="app.help_f1")]

    def __init__(self, roster: Roster, path: str = "") -> None:
        super().__init__()
        localize_bindings(self)
        self.roster = roster
        self.start_path = path
        self.plan: ImportPlan | None = None
        self.busy = False
        self.accepted: set[str] = set()  # held rows the operator decided are the same person
        self.previewed = ""
        self.shown = "all"  # which rows the table shows: all | add | update | refuse (refused, held, in conflict)
        self.finished: dict | None = None  # the counts once imported (the refused rows stay on screen)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog import"):
            yield Label(t("roster.import.title"), classes="dialog-title")
            yield Label(t("roster.import.path"), classes="field-label")
            with Horizontal(id="import-pick"):
                yield Input(value=self.start_path, id="import-path")
                yield Button(t("roster.import.preview"), id="import-preview")
            yield Label(t("roster.import.map_label"), classes="field-label")
            yield Input(id="import-map", placeholder=t("roster.import.map_placeholder"))
            yield Static("", id="import-status", markup=False)
            yield ProgressBar(id="import-bar", show_eta=False)
            yield Static("", id="import-summary", markup=False)
            yield Static("", id="import-filter", markup=False)
            yield DataTable(id="import-rows", cursor_type="row", zebra_stripes=True)
            yield Static("", id="import-reason", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="import-cancel")
                yield Button(t("roster.import.commit", count=0), id="import-commit", variant="primary",
                             disabled=True)

    def on_mount(self) -> None:
        self.query_one("#import-bar").display = False
        self.query_one("#import-rows").display = False
        self.query_one("#import-filter").display = False
        self.query_one("#import-status").display = False
        self.query_one("#import-path", Input).focus()

    # ------------------------------------------------------------------ progress from workers

    def _progress(self, done: int, total: int, text: str) -> None:
        self.app.call_from_thread(self._show_progress, done, total, text)

    def _show_progress(self, done: int, total: int, text: str) -> None:
        bar = self.query_one("#import-bar", ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        self._status(text)

    def _status(self, text: str) -> None:
        """The status line, hidden while it has nothing to say (a line more for the rows at 80x24)."""
        status = self.query_one("#import-status", Static)
        status.update(text)
        status.display = bool(text)

    # ------------------------------------------------------------------ step 1 and 2: preview

    @on(Input.Submitted, "#import-path")
    @on(Input.Submitted, "#import-map")
    @on(Button.Pressed, "#import-preview")
    def _preview(self) -> None:
        if self.busy or self.finished is not None:
            return
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            return
        if path != self.previewed:  # decisions about another file's rows do not carry over
            self.accepted.clear()
        self.previewed = path
        self.plan = None  # the old preview no longer answers what was asked
        self.query_one("#import-commit", Button).disabled = True
        items = [x.strip() for x in self.query_one("#import-map", Input).value.split(",") if x.strip()]
        try:
            overrides = parse_overrides(items)
        except PilarError as exc:
            self._failed(str(exc))
            return
        self.busy = True
        self.make_preview(Path(path).expanduser(), overrides, set(self.accepted))

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def make_preview(self, path: Path, overrides: dict[str, str] | None = None,
                     accepted: set[str] | None = None) -> None:
        try:
            plan = preview(self.roster, path, progress=self._progress, overrides=overrides, accept_held=accepted)
        except PilarError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show_plan, plan)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#import-bar").display = False
        self._status(message)
        self.query_one("#import-status").add_class("field-error")

    def _show_plan(self, plan: ImportPlan) -> None:
        self.busy = False
        self.plan = plan
        self.query_one("#import-status").remove_class("field-error")
        self.query_one("#import-bar").display = False
        counts = plan.counts
        lines = [line for line in plan.summary_lines() if line != t("roster.import.map_hint")]
        self.query_one("#import-summary", Static).update("\n".join(lines))
        self._status("")
        for label in self.query(".field-label"):  # at 80x24 the rows need those lines once a preview is shown
            label.display = False
        self._fill_table()
        accepted = counts["add"] + counts["update"]
        button = self.query_one("#import-commit", Button)
        button.label = t("roster.import.commit", count=fmt.number(accepted))
        button.disabled = accepted == 0
        table = self.query_one("#import-rows", DataTable)
        if accepted:
            button.focus()
        else:
            table.focus()

    _SHOWN = {"all": None, "add": ("add", "join"), "update": ("update",), "refuse": ("refuse", "hold", "conflict")}
    _NEXT = {"all": "refuse", "refuse": "add", "add": "update", "update": "all"}

    def _fill_table(self) -> None:
        """The rows of the preview the filter shows (refused and held first), and the line saying which."""
        plan = self.plan
        if plan is None:
            return
        table = self.query_one("#import-rows", DataTable)
        table.clear(columns=True)
        table.add_columns(t("roster.import.col.line"), t("roster.import.col.fate"), t("roster.col.name"),
                          t("roster.col.nik"), t("roster.import.col.reason"))
        fates = self._SHOWN[self.shown]
        ordered = sorted((r for r in plan.rows if fates is None or r.fate in fates),
                         key=lambda r: _ORDER.get(r.fate, 9))
        self.notes: dict[str, str] = {}
        for row in ordered[:PREVIEW_ROWS]:
            notes = row.note()
            self.notes[row.where] = notes
            table.add_row(row.where, t(f"roster.import.fate.{row.fate}"), row.name, fmt.mask_nik(row.nik), notes,
                          key=row.where)
        table.display = True
        line = self.query_one("#import-filter", Static)
        line.update(t("roster.import.filter_line", shown=t(f"roster.import.filter.{self.shown}"),
                      count=fmt.number(len(ordered))))
        line.display = True
        self.query_one("#import-reason", Static).update(self.notes.get(ordered[0].where, "") if ordered else "")

    def action_filter(self) -> None:
        """f: all rows → refused/held → new → updated → all."""
        if self.plan is None or self.busy:
            return
        self.shown = self._NEXT[self.shown]
        self._fill_table()

    def action_save_refused(self) -> None:
        """s: the refused and held rows to a spreadsheet beside the file, to correct and import again."""
        if self.plan is None or self.busy:
            return
        from storage.roster.importing.refused import write_refused

        source = self.plan.path
        target = source.with_name(f"{source.stem}-{t('roster.import.refused_suffix')}.xlsx")
        try:
            written = write_refused(self.plan, target)
        except OSError as exc:
            from storage.core.fsutil import os_error

            self._failed(str(os_error(exc, target)))
            return
        self._status(t("roster.import.refused_written", count=fmt.number(written), path=str(target)))

    def action_accept_held(self) -> None:
        """The highlighted held row is the same person (a name changed at marriage): preview it as an update."""
        table = self.query_one("#import-rows", DataTable)
        if self.plan is None or self.busy or self.focused is not table or not table.row_count:
            return
        where = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if any(r.where == where and r.fate == "hold" for r in self.plan.rows):
            self.accepted.add(where)
            self._preview()

    @on(DataTable.RowHighlighted, "#import-rows")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole reason of the highlighted row (the column is cut at the table's width)."""
        key = event.row_key.value if event.row_key is not None else None
        self.query_one("#import-reason", Static).update(getattr(self, "notes", {}).get(key or "", ""))

    # ------------------------------------------------------------------ step 3: commit

    @on(Button.Pressed, "#import-commit")
    def _commit(self) -> None:
        if self.plan is None or self.busy:
            return
        counts = self.plan.counts

        def confirmed(yes: bool | None) -> None:
            if yes and self.plan is not None:
                self.busy = True
                self.query_one("#import-commit", Button).disabled = True
                self.run_commit(self.plan)

        self.app.push_screen(ConfirmDialog(t("roster.import.commit", count=fmt.number(counts["add"] + counts["update"])),
                                           t("roster.import.summary", file=self.plan.path.name, **grouped(counts))),
                             confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def run_commit(self, plan: ImportPlan) -> None:
        try:
            counts = commit(self.roster, plan, progress=self._progress)
        except PilarError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, counts)

    def _done(self, counts: dict) -> None:
        self.busy = False
        self.app.notify(t("roster.import.done", **grouped(counts)))
        left = counts["refuse"] + counts["hold"] + counts["conflict"]
        if not left:
            self.dismiss(counts)
            return
        # what was not imported stays on screen after the closing message, with the way to fix it
        self.finished = counts
        self.query_one("#import-bar").display = False
        self._status(t("roster.import.done_left", count=fmt.number(left), **grouped(counts)))
        self.shown = "refuse"
        self._fill_table()
        self.query_one("#import-commit").display = False
        self.query_one("#import-cancel", Button).label = t("roster.import.close")
        self.query_one("#import-rows", DataTable).focus()

    @on(Button.Pressed, "#import-cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(self.finished)
