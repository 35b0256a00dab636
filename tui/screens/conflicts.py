"""Conflicts: the list, a field-by-field comparison of the versions, keep A / keep B / edit a merged value."""

from __future__ import annotations

import threading

import orjson
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, Static, TextArea

from storage import conflicts as C
from storage.errors import PilarError
from storage.i18n import t
from tui.screens.common import ConfirmDialog, Dialog
from tui.widgets.keys import localize_bindings


class ConflictTracker:
    """Keeps ``app.conflict_count`` right: counted once, then updated from each commit's changed ids."""

    def __init__(self, app) -> None:
        self.app = app
        self.db = app.db
        self.open = {(c, d["id"]) for c, d in C.open_conflicts(self.db)}
        self.db.listeners.append(self._changed)

    def _changed(self, collection: str, ids: set[str]) -> None:
        was = len(self.open)
        doc_of = self.db.doc
        for rid in ids:  # a quarterly run: 50,000 ids, almost never a conflict among them
            doc = doc_of(collection, rid)
            if doc is not None and len(doc["v"]) > 1 and C.is_open(doc):
                self.open.add((collection, rid))
            elif self.open:
                self.open.discard((collection, rid))
        if len(self.open) != was or self.open:
            self.publish()

    def publish(self) -> None:
        n = len(self.open)
        app = self.app
        if getattr(app, "_thread_id", None) not in (None, threading.get_ident()) and app.is_running:
            app.call_from_thread(setattr, app, "conflict_count", n)
        else:
            app.conflict_count = n


def install_conflict_count(app) -> ConflictTracker:
    """The header's conflict count (hook called by the app once its data folder is open)."""
    tracker = ConflictTracker(app)
    app.set_reactive(type(app).conflict_count, len(tracker.open))
    return tracker


class MergeDialog(Dialog):
    """Edit the merged value as JSON; dismisses with the dict, or None."""

    def __init__(self, label: str, value: dict) -> None:
        super().__init__()
        self.label = label
        self.text = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(t("ui.sync.merge_title", label=self.label), classes="dialog-title", markup=False)
            yield TextArea(self.text, id="json", language=None)
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(t("ui.sync.save_merged"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#json", TextArea).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        try:
            value = orjson.loads(self.query_one("#json", TextArea).text)
        except orjson.JSONDecodeError as exc:
            self.query_one("#problem", Static).update(t("sync.conflict_bad_value", detail=str(exc)[:80]))
            return
        if not isinstance(value, dict):
            self.query_one("#problem", Static).update(t("sync.conflict_bad_value", detail="not an object"))
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConflictsScreen(Screen):
    """Open conflicts; the selected one compared field by field (differing fields marked with *)."""

    BINDINGS = [
        Binding("escape", "back", "-", id="conflicts.back"),
        Binding("a", "keep(1)", "-", id="conflicts.keep_a"),
        Binding("b", "keep(2)", "-", id="conflicts.keep_b"),
        Binding("m", "merge", "-", id="conflicts.merge"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.current: str | None = None

    @property
    def db(self):
        return self.app.db

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Label(t("ui.sync.conflicts_title"), classes="section-title")
            yield DataTable(id="list", cursor_type="row", zebra_stripes=True)
            yield Static("", id="siblings", markup=False)
            yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#list", DataTable).add_columns(*t("ui.sync.conflict_columns").split("|"))
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#list", DataTable)
        table.clear()
        rows = C.list_conflicts(self.db)
        for r in rows:
            table.add_row(r["id"][:8], r["collection"], r["label"], str(r["siblings"]), ", ".join(r["offices"]),
                          r["latest"], key=r["id"])
        if not rows:
            self.current = None
            self.query_one("#siblings", Static).update(t("sync.no_conflicts"))
            self.query_one("#compare", DataTable).clear(columns=True)
        else:
            table.focus()
            self.show(rows[0]["id"])

    @on(DataTable.RowHighlighted, "#list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value:
            self.show(event.row_key.value)

    def show(self, rid: str) -> None:
        self.current = rid
        info = C.show(self.db, rid)
        lines = [f"{info['label']}  ({info['collection']} {info['id']})"]
        for s in info["siblings"]:
            letter = "AB"[s["n"] - 1] if s["n"] <= 2 else str(s["n"])
            state = t("ui.sync.deleted") if s["deleted"] else ""
            lines.append(f"  [{letter}] #{s['n']}  {s['office']}  {s['operator']}  {s['time']}  {state}")
        self.query_one("#siblings", Static).update("\n".join(lines))
        compare = self.query_one("#compare", DataTable)
        compare.clear(columns=True)
        compare.add_columns(t("ui.sync.field"), *[f"#{s['n']} {s['office']}" for s in info["siblings"]])
        for f in info["fields"]:
            compare.add_row(("* " if f["differs"] else "  ") + f["field"], *f["values"])

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_keep(self, n: int) -> None:
        if not self.current:
            return
        info = C.show(self.db, self.current)
        if n > len(info["siblings"]):
            return
        s = info["siblings"][n - 1]
        body = t("ui.sync.keep_body", n=n, office=s["office"], operator=s["operator"], time=s["time"])

        def done(yes: bool | None) -> None:
            if yes:
                self._resolve(keep=n)

        self.app.push_screen(ConfirmDialog(t("ui.sync.keep_title", label=info["label"]), body), done)

    def action_merge(self) -> None:
        if not self.current:
            return
        collection, _doc = C.find(self.db, self.current)
        value = self.db.get(collection, self.current) or {}
        value = {k: v for k, v in value.items() if k not in ("id", "owner") and not k.startswith("_")}
        info = C.show(self.db, self.current)

        def done(merged: dict | None) -> None:
            if merged is not None:
                self._resolve(value=merged)

        self.app.push_screen(MergeDialog(info["label"], value), done)

    def _resolve(self, keep: int | None = None, value: dict | None = None) -> None:
        try:
            C.resolve(self.db, self.current, keep=keep, value=value)
        except PilarError as exc:
            self.app.show_error(str(exc))
            return
        self.notify(t("sync.conflict_resolved", id=self.current[:8]))
        self.reload()
