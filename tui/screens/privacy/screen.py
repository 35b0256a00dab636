"""Section 6, Privasi: personal data under UU PDP (storage/privacy.py): requests of data subjects and
incidents with their 3x24-hour clocks, the DPO, and the acts (record, close, report, restrict, erase,
notice); storage/privacy/service.py does the work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from storage.backup.backups import keep_count
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.privacy import service as P
from tui.dialogs import ConfirmDialog, Field, PromptDialog
from tui.widgets.keys import localize_bindings


class PrivacyScreen(Screen):
    """Requests (time left), incidents (time left for the notice), DPO line; keys for every act."""

    BINDINGS = [
        Binding("a", "add_request", "-", id="privacy.add"),
        Binding("d", "close_request", "-", id="privacy.close"),
        Binding("r", "report", "-", id="privacy.report"),
        Binding("s", "restrict", "-", id="privacy.restrict", show=False),
        Binding("u", "unrestrict", "-", id="privacy.unrestrict", show=False),
        Binding("x", "erase", "-", id="privacy.erase", show=False),
        Binding("i", "add_incident", "-", id="privacy.incident"),
        Binding("n", "notice", "-", id="privacy.notice"),
        Binding("g", "register", "-", id="privacy.register", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @property
    def db(self):
        return self.app.db

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="privacy-head", markup=False)
            yield Label(t("ui.privacy.requests"), classes="section-title")
            yield DataTable(id="privacy-requests", cursor_type="row", zebra_stripes=True)
            yield Label(t("ui.privacy.incidents"), classes="section-title")
            yield DataTable(id="privacy-incidents", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#privacy-requests", DataTable).add_columns(
            t("privacy.col.id"), t("privacy.col.who"), t("privacy.col.kind"), t("privacy.col.office"),
            t("privacy.col.left"))
        self.query_one("#privacy-incidents", DataTable).add_columns(
            t("privacy.col.id"), t("privacy.col.office"), t("privacy.col.what"), "N", t("privacy.col.left"))
        self.refresh_all()
        self.query_one("#privacy-requests", DataTable).focus()
        self.set_interval(60, self.refresh_all)  # the clocks move

    def on_screen_resume(self) -> None:
        self.refresh_all()

    def refresh_all(self) -> None:
        db = self.db
        reg = P.register(db)
        due = P.due(db)
        dpo = reg["dpo"].get("name") or t("ui.privacy.no_dpo")
        self.query_one("#privacy-head", Static).update(
            t("ui.privacy.head", dpo=dpo) + "\n" + t("privacy.summary", **due))
        table = self.query_one("#privacy-requests", DataTable)
        table.clear()
        for r in P.requests(db, open_only=False)[:300]:
            table.add_row(r["id"][:8], P.label(r["member_id"], db.value("members", r["member_id"])),
                          t(f"privacy.kind.{r['kind']}"), r.get("office", ""), P.left_text(r), key=r["id"])
        inc = self.query_one("#privacy-incidents", DataTable)
        inc.clear()
        for i in P.incidents(db):
            inc.add_row(i["id"][:8], i.get("office", ""), t(f"privacy.device.{i.get('device', 'other')}"),
                        str(i.get("people", "")), P.left_text(i), key=i["id"])

    def _selected(self, table_id: str) -> str | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count or table.cursor_row is None:
            return None
        return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def _fail(self, exc: PilarError) -> None:
        self.app.show_error(str(exc))

    # ------------------------------------------------------------------ requests

    def action_add_request(self) -> None:
        kinds = "|".join(P.REQUEST_KINDS)

        def check(values: dict) -> str | None:
            if values["kind"].strip().lower() not in P.REQUEST_KINDS:
                return t("privacy.bad_kind", kind=values["kind"], kinds=", ".join(P.REQUEST_KINDS))
            try:
                P.find_member(self.db, values["who"])
            except PilarError as exc:
                return str(exc)
            return None

        def done(values: dict | None) -> None:
            if not values:
                return
            try:
                req = P.add_request(self.db, values["who"], values["kind"].strip().lower(), note=values["note"])
            except PilarError as exc:
                self._fail(exc)
                return
            self.notify(t("privacy.request_added", kind=t(f"privacy.kind.{req['kind']}"), id=req["id"][:8],
                          due=req["due"].replace("T", " ")), timeout=10)
            self.refresh_all()

        self.app.push_screen(PromptDialog(
            t("ui.privacy.add_title"),
            [Field("who", t("ui.privacy.who")), Field("kind", t("ui.privacy.kind"), placeholder=kinds),
             Field("note", t("ui.privacy.note"))],
            body=t("ui.privacy.add_body"), check=check), done)

    def action_close_request(self) -> None:
        rid = self._selected("#privacy-requests")
        if rid is None:
            return

        def done(values: dict | None) -> None:
            if values is None:
                return
            refused = bool(values.get("_checkbox"))
            try:
                req = P.close_request(self.db, rid, "REFUSED" if refused else "DONE", note=values["note"])
            except PilarError as exc:
                self._fail(exc)
                return
            self.notify(t("privacy.request_closed", id=req["id"][:8], status=req["status"]))
            self.refresh_all()

        self.app.push_screen(PromptDialog(t("ui.privacy.close_title"), [Field("note", t("ui.privacy.outcome"))],
                                          checkbox=t("ui.privacy.refused"), checkbox_value=False), done)

    def action_report(self) -> None:
        rid = self._selected("#privacy-requests")
        if rid is None:
            return
        req = self.db.get("privacy", rid)
        default = str(Path(self.app.data_dir) / "cetak" / f"data-pribadi-{req['member_id'][:8]}-"
                                                         f"{dt.date.today().isoformat()}.pdf")
        self.app.push_screen(PromptDialog(t("ui.privacy.report_title"), [Field("path", t("cards.ui.path"), default)],
                                          body=t("ui.privacy.report_body")),
                             lambda values: values and self.write_report(req, Path(values["path"].strip())))

    @work(thread=True, exclusive=True, exit_on_error=False, group="privacy-report")
    def write_report(self, req: dict, path: Path) -> None:
        try:
            report = P.access_report(self.db, req["member_id"], request_id=req["id"])
            path = path.expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() == ".pdf":
                atomic_write(path, P.report_pdf(self.db, report))
            else:
                atomic_write(path, P.report_text(report).encode("utf-8"))
        except PilarError as exc:
            self.app.show_error(str(exc))
            return
        except OSError as exc:
            self.app.show_error(str(PilarError("fs.io_error", path=str(path), detail=str(exc))))
            return
        self.app.call_from_thread(self.notify, escape(t("privacy.rep.written", path=str(path))), timeout=10)

    def action_unrestrict(self) -> None:
        rid = self._selected("#privacy-requests")
        if rid is None:
            return
        req = self.db.get("privacy", rid)

        def done(ok: bool | None) -> None:
            if not ok:
                return
            try:
                member = P.unrestrict(self.db, req["member_id"])
            except PilarError as exc:
                self._fail(exc)
                return
            self.notify(t("privacy.unrestricted", who=P.label(member["id"], member)))
            self.refresh_all()

        self.app.push_screen(ConfirmDialog(t("ui.privacy.unrestrict_q")), done)

    def action_restrict(self) -> None:
        rid = self._selected("#privacy-requests")
        if rid is None:
            return
        req = self.db.get("privacy", rid)
        try:
            member = P.restrict(self.db, req["member_id"], request_id=rid)
        except PilarError as exc:
            self._fail(exc)
            return
        self.notify(t("privacy.restricted_now", who=P.label(member["id"], member), since=member["restricted"]["since"]))
        self.refresh_all()

    def action_erase(self) -> None:
        """The province erases the person of the selected request (asked with the reason first)."""
        rid = self._selected("#privacy-requests")
        if rid is None:
            return
        if not self.db.is_province:
            self._fail(PilarError("privacy.erase_province"))
            return
        req = self.db.get("privacy", rid)

        def done(values: dict | None) -> None:
            if not values:
                return
            try:
                result = P.erase(self.db, req["member_id"], values["reason"], request_id=rid)
            except PilarError as exc:
                self._fail(exc)
                return
            who = req["member_id"][:8]
            if result.already:
                self.notify(t("privacy.erased_nothing", who=who))
            else:
                counts = ", ".join(f"{k} {n}" for k, n in sorted(result.records.items()))
                self.notify(t("privacy.erased", who=who, counts=counts, keep=keep_count(self.db.office)), timeout=15)
            self.refresh_all()

        def check(values: dict) -> str | None:
            return None if values["reason"].strip() else t("privacy.erase_reason")

        self.app.push_screen(PromptDialog(t("ui.privacy.erase_title"), [Field("reason", t("ui.privacy.reason"))],
                                          body=t("ui.privacy.erase_body"), check=check), done)

    # ------------------------------------------------------------------ incidents

    def action_add_incident(self) -> None:
        def check(values: dict) -> str | None:
            if values["device"].strip().lower() not in P.DEVICES:
                return t("privacy.bad_device", device=values["device"], devices=", ".join(P.DEVICES))
            if not values["what"].strip():
                return t("privacy.incident_what")
            return None

        def done(values: dict | None) -> None:
            if not values:
                return
            try:
                inc = P.add_incident(self.db, values["what"], values["device"].strip().lower(),
                                     bool(values.get("_checkbox")), office=values["office"].strip() or None)
            except PilarError as exc:
                self._fail(exc)
                return
            self.notify(t("privacy.incident_added", id=inc["id"][:8], people=inc["people"],
                          due=inc["due"].replace("T", " ")), timeout=12)
            self.refresh_all()

        self.app.push_screen(PromptDialog(
            t("ui.privacy.incident_title"),
            [Field("what", t("ui.privacy.what")), Field("device", t("ui.privacy.device"),
                                                        placeholder="|".join(P.DEVICES)),
             Field("office", t("ui.privacy.office"), self.db.code)],
            check=check, checkbox=t("ui.privacy.encrypted"), checkbox_value=True), done)

    def action_notice(self) -> None:
        iid = self._selected("#privacy-incidents")
        if iid is None:
            return
        inc = self.db.get("privacy", iid)
        default = str(Path(self.app.data_dir) / "cetak" / f"pemberitahuan-insiden-{iid[:8]}.pdf")

        def done(values: dict | None) -> None:
            if not values:
                return
            path = Path(values["path"].strip()).expanduser()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(path, P.notice_pdf(self.db, inc))
            except PilarError as exc:
                self._fail(exc)
                return
            except OSError as exc:
                self._fail(PilarError("fs.io_error", path=str(path), detail=str(exc)))
                return
            self.notify(escape(t("privacy.written", path=str(path))), timeout=10)

        self.app.push_screen(PromptDialog(t("ui.privacy.notice_title"), [Field("path", t("cards.ui.path"), default)]),
                             done)

    def action_register(self) -> None:
        path = Path(self.app.data_dir) / "cetak" / f"register-pemrosesan-{dt.date.today().isoformat()}.pdf"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, P.lines_pdf(self.db, P.register_lines(self.db)))
        except (PilarError, OSError) as exc:
            self._fail(exc if isinstance(exc, PilarError) else PilarError("fs.io_error", path=str(path), detail=str(exc)))
            return
        self.notify(escape(t("privacy.written", path=str(path))), timeout=10)
