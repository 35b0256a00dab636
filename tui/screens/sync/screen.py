"""The sync section: USB drives and the bundles on them, import with progress, export to a drive,
offices with their keys (trust after comparing the fingerprint), history, and the conflicts screen."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    DirectoryTree,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from storage.core import formats
from storage.core.db import PROVINCE_CODE
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.office import keys as office_keys
from storage.reconcile import conflicts
from storage.sync import bundle, engine, usb
from tui.dialogs import ConfirmDialog, Dialog, ErrorDialog, Field, ProgressDialog, PromptDialog
from tui.widgets.keys import localize_bindings


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


class ExportDialog(Dialog):
    """Choose the recipient office, the drive (or the data folder's outbox) and full or delta."""

    def __init__(self, offices: list[str], drives: list[Path], outbox: Path) -> None:
        super().__init__()
        self.offices, self.drives, self.outbox = offices, drives, outbox

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("ui.sync.export_title"), classes="dialog-title", markup=False)
            yield Label(t("ui.sync.to"), classes="field-label")
            yield Select([(o, o) for o in self.offices], id="to", allow_blank=False)
            yield Label(t("ui.sync.where"), classes="field-label")
            places = [(str(d), str(d)) for d in self.drives] + [(str(self.outbox), str(self.outbox))]
            yield Select(places, id="where", allow_blank=False)
            yield Checkbox(t("ui.sync.full"), value=False, id="full")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(t("ui.sync.export_go"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#to", Select).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss({"to": self.query_one("#to", Select).value, "where": self.query_one("#where", Select).value,
                      "full": self.query_one("#full", Checkbox).value})

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class BundleTree(DirectoryTree):
    """Folders and bundle files (.pilar) only, hidden folders left out."""

    def filter_paths(self, paths):
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == bundle.SUFFIX)]


class BundleFileDialog(PromptDialog):
    """Pick a bundle file: type its path, or walk the folders below and press Enter on the file."""

    DEFAULT_CSS = """
    BundleFileDialog .dialog { height: 90%; }
    BundleFileDialog BundleTree { height: 1fr; min-height: 6; }
    """

    def __init__(self, start: Path) -> None:
        super().__init__(t("ui.sync.file_title"), [Field("path", t("ui.sync.file_path"), str(start) + "/")],
                         body=t("ui.sync.file_body"), check=self._check, ok=t("ui.sync.file_go"))
        self.start = start

    def on_mount(self) -> None:
        self.query_one(".dialog").mount(BundleTree(self.start, id="tree"), before=self.query_one("#problem"))

    @staticmethod
    def _check(values: dict) -> str | None:
        path = Path(values["path"].strip()).expanduser()
        return None if path.is_file() else t("ui.sync.no_file", path=str(path))

    @on(DirectoryTree.FileSelected, "#tree")
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#f-path", Input).value = str(event.path)
        self._ok()


class SyncScreen(Screen):
    """Bundles on USB drives, import/export, offices and keys, history."""

    BINDINGS = [
        Binding("r", "refresh", "-", id="sync.refresh", show=False),
        Binding("i", "import_selected", "-", id="sync.import"),
        Binding("f", "import_file", "-", id="sync.import_file"),
        Binding("e", "export", "-", id="sync.export"),
        Binding("n", "enrol", "-", id="sync.enrol", show=False),
        Binding("t", "trust", "-", id="sync.trust", show=False),
        Binding("x", "revoke", "-", id="sync.revoke", show=False),
        Binding("c", "conflicts", "-", id="sync.conflicts", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.drives: list[Path] = []
        self.rows: dict[str, dict] = {}

    @property
    def db(self):
        return self.app.db

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="drives", markup=False)
            yield Label(t("ui.sync.bundles_title"), classes="section-title")
            yield DataTable(id="bundles", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflicts", markup=False)
            yield Label(t("ui.sync.offices_title"), classes="section-title")
            yield DataTable(id="offices", cursor_type="row", zebra_stripes=True)
            yield Label(t("ui.sync.history_title"), classes="section-title")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bundles", DataTable).add_columns(*t("ui.sync.bundle_columns").split("|"))
        self.query_one("#offices", DataTable).add_columns(*t("ui.sync.office_columns").split("|"))
        self.query_one("#history", DataTable).add_columns(*t("ui.sync.history_columns").split("|"))
        self.action_refresh()
        self.query_one("#bundles", DataTable).focus()
        self.set_interval(3, self._poll_drives)

    def _poll_drives(self) -> None:
        """A stick plugged in or pulled out shows up by itself."""
        if self.app.screen is self and usb.find_drives() != self.drives:
            self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # ------------------------------------------------------------------ showing

    def action_refresh(self) -> None:
        self.drives = usb.find_drives()
        drives = self.query_one("#drives", Static)
        if self.drives:
            drives.update(t("ui.sync.drives", drives=", ".join(str(d) for d in self.drives)))
        else:
            drives.update(t("ui.sync.no_drives"))
        table = self.query_one("#bundles", DataTable)
        table.clear()
        self.rows = {}
        for drive in self.drives:
            for b in usb.list_bundles(self.db, drive):
                self.rows[b["path"]] = b
                table.add_row(b["file"], b["sender"], b["created"], human_size(b["size"]),
                              t(f"ui.sync.status.{b['status'].replace(' ', '_')}"), key=b["path"])
        offices = self.query_one("#offices", DataTable)
        offices.clear()
        overview = engine.offices_overview(self.db)
        for r in overview:
            version = (f"{r['pilar']} !" if r["behind"] else r["pilar"]) if r["pilar"] else "-"
            offices.add_row(r["code"], r["name"], t(f"ui.sync.trust.{r['status']}") if r["status"] else "",
                            version, r["fp"], r["last_bundle"][:16].replace("T", " "), key=r["code"])
        behind = [r["code"] for r in overview if r["behind"]]
        history = self.query_one("#history", DataTable)
        history.clear()
        for r in engine.history_rows(self.db):
            result = Text(r["result"], style="bold red") if r["warning"] else r["result"]
            history.add_row(r["when"], r["direction"], r["office"], result, r["details"])
        n = conflicts.count(self.db)
        self.app.conflict_count = n
        from storage.reconcile import duplicates

        dups = duplicates.count(self.db)
        lines = [t("ui.sync.conflicts_line", count=n)] if n else []
        if dups:
            lines.append(t("ui.dup.sync_line", count=dups))
        if behind:  # offices on an older Pilar than this one (issue 21): send them the update kit
            lines.append(t("formats.offices_behind", count=len(behind), offices=", ".join(behind),
                           ours=formats.PILAR_VERSION))
        self.query_one("#conflicts", Static).update("\n".join(lines))

    # ------------------------------------------------------------------ import

    def action_import_selected(self) -> None:
        table = self.query_one("#bundles", DataTable)
        if not self.rows or table.cursor_row is None:
            self.notify(t("ui.sync.no_drives"), severity="warning")
            return
        path = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        row = self.rows.get(path)
        if row and row["status"] in ("not for this office", "sent"):
            self.app.show_error(t("sync.refused_not_for_us", office=row["recipient"]))
            return
        self.start_import(Path(path))

    def action_import_file(self) -> None:
        """``f``: a bundle from any file (a folder on the disk, a stick the drive search does not see)."""
        def done(values: dict | None) -> None:
            if values:
                self.start_import(Path(values["path"].strip()).expanduser())

        self.app.push_screen(BundleFileDialog(self.drives[0] if self.drives else Path.home()), done)

    def start_import(self, path: Path) -> None:
        dialog = ProgressDialog(t("ui.sync.importing", file=path.name), total=None)
        self.app.push_screen(dialog)
        self._import(path, dialog)

    @work(thread=True, exclusive=True, group="sync-import", exit_on_error=False)
    def _import(self, path: Path, dialog: ProgressDialog) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(dialog.set_progress, done, total,
                                      t("ui.sync.progress", done=done, total=total))
        try:
            res = engine.import_bundle(self.db, path, progress=progress)
        except PilarError as exc:
            self.app.call_from_thread(self._import_failed, dialog, path, exc)
            return
        except Exception:
            # anything else reaches the app's error dialog (on_worker_state_changed), not a crash
            self.app.call_from_thread(dialog.dismiss, None)
            raise
        self.app.call_from_thread(self._import_done, dialog, res)

    def _import_done(self, dialog: ProgressDialog, res: engine.ImportResult) -> None:
        dialog.dismiss(None)
        text, lines, warning = engine.outcome_lines(res)
        self.notify(text, timeout=10, severity="warning" if warning else "information")
        self.action_refresh()
        if warning:
            # records not taken (the rest landed), this office's changes the province refused or kept
            # back: said in full
            self.app.show_error("\n".join([text, "", *lines]))
        elif lines:
            self.notify("\n".join(lines), timeout=15)  # what came back, or refusals now healed

    def _import_failed(self, dialog: ProgressDialog, path: Path, exc: PilarError) -> None:
        dialog.dismiss(None)
        self.action_refresh()
        if getattr(exc, "reason", "") in ("untrusted", "new_key") and self.db.is_province:
            office = exc.params.get("office")
            self.confirm_trust(office, lambda: self.start_import(path))
            return
        self.app.show_error(str(exc))

    # ------------------------------------------------------------------ trust and export

    def confirm_trust(self, office: str, then=None) -> None:
        pending = engine.pending_key(self.db, office)
        if not pending:
            self.app.show_error(t("sync.trust_no_key", office=office))
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                engine.trust_office(self.db, office)
            except PilarError as exc:
                self.app.show_error(str(exc))
                return
            self.notify(t("sync.trusted", office=office, fp=pending["fp"]))
            self.action_refresh()
            if then:
                then()

        self.app.push_screen(ConfirmDialog(t("ui.sync.trust_title", office=office),
                                           t("sync.trust_confirm", office=office, fp=pending["fp"]),
                                           yes=t("ui.sync.trust_yes")), done)

    def _office(self) -> str | None:
        """The office selected in the offices table (province only; None with the reason said)."""
        if not self.db.is_province:
            self.app.show_error(t("sync.province_only"))
            return None
        table = self.query_one("#offices", DataTable)
        if table.row_count == 0:
            self.notify(t("ui.sync.no_office_selected"), severity="warning")
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    def action_trust(self) -> None:
        code = self._office()
        if code:
            self.confirm_trust(code)

    def action_revoke(self) -> None:
        """``x``: revoke the selected office's key (a lost laptop, a leaked key)."""
        code = self._office()
        if not code:
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                engine.revoke_office(self.db, code)
            except PilarError as exc:
                self.app.show_error(str(exc))
                return
            self.notify(t("sync.revoked", office=code), timeout=10)
            self.action_refresh()

        self.app.push_screen(ConfirmDialog(t("ui.sync.revoke_title", office=code), t("ui.sync.revoke_body", office=code),
                                           yes=t("ui.sync.revoke_yes"), danger=True), done)

    def action_enrol(self) -> None:
        """``n``: enrol a new office and write its enrolment file (onto the stick that goes to it)."""
        if not self.db.is_province:
            self.app.show_error(t("sync.province_only"))
            return
        written: list[tuple[Path, str]] = []

        def check(values: dict) -> str | None:
            if not values["name"].strip():
                return t("ui.sync.enrol_need_name")
            try:
                written.append(engine.write_enrolment(self.db, values["code"], values["name"].strip(),
                                                 Path(values["folder"].strip() or self.db.path / "outbox"),
                                                 kab=values["kab"]))
            except PilarError as exc:
                return str(exc)
            return None

        def done(values: dict | None) -> None:
            if not values or not written:
                return
            path, fp = written[0]
            self.action_refresh()
            code = path.stem.removeprefix("pilar_enrol_")
            self.app.push_screen(ErrorDialog(t("sync.enrol_written", code=code, path=str(path), fp=fp),
                                             title=t("ui.sync.enrol_done_title", office=code)))

        folder = str(self.drives[0]) if self.drives else str(self.db.path / "outbox")
        self.app.push_screen(PromptDialog(t("ui.sync.enrol_title"), [
            Field("code", t("ui.sync.enrol_code"), placeholder="UPT-PSTW-JEMBER"),
            Field("name", t("ui.sync.enrol_name"), placeholder="UPT Pelayanan Sosial Tresna Werdha Jember"),
            Field("kab", t("ui.sync.enrol_kab"), placeholder="Jember"),
            Field("folder", t("ui.sync.enrol_folder"), folder)], body=t("ui.sync.enrol_body"), check=check,
            ok=t("ui.sync.enrol_go")), done)

    def action_export(self) -> None:
        if self.db.is_province:
            store = office_keys.TrustStore.load(self.db.path)
            offices = sorted(c for c, e in store.offices.items() if e.get("status") == office_keys.TRUSTED)
        else:
            offices = [PROVINCE_CODE]
        if not offices:
            self.app.show_error(t("ui.sync.no_recipients_how"))
            return

        def done(choice: dict | None) -> None:
            if not choice:
                return
            try:
                res = engine.export_bundle(self.db, choice["to"], Path(choice["where"]),
                                      mode="full" if choice["full"] else "auto")
            except PilarError as exc:
                self.app.show_error(str(exc))
                return
            self.notify(t("sync.exported", mode=t(f"sync.mode.{res.mode}"), office=res.recipient, path=str(res.path),
                          size=human_size(res.size), records=sum(res.counts.values())), timeout=10)
            self.action_refresh()

        self.app.push_screen(ExportDialog(offices, self.drives, self.db.path / "outbox"), done)

    def action_conflicts(self) -> None:
        from tui.screens.sync.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen())
