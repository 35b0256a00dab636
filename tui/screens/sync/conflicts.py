"""Conflicts: the list, the versions of each field one under the other, keep A / keep B / merge field by field."""

from __future__ import annotations

import threading

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, Select, Static

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.reconcile import conflicts, duplicates
from storage.reconcile import view as conflict_view
from tui.dialogs import SAVE_BINDING, ConfirmDialog, Dialog
from tui.widgets.keys import localize_bindings


class ConflictTracker:
    """Keeps ``app.conflict_count`` right: counted once, then updated from each commit's changed ids."""

    def __init__(self, app) -> None:
        self.app = app
        self.db = app.db
        self.open = {(c, d["id"]) for c, d in conflicts.open_conflicts(self.db)}
        self.db.listeners.append(self._changed)

    def _changed(self, collection: str, ids: set[str]) -> None:
        was = len(self.open)
        doc_of = self.db.doc
        for rid in ids:  # a quarterly run: 50,000 ids, almost never a conflict among them
            doc = doc_of(collection, rid)
            if doc is not None and len(doc["v"]) > 1 and conflicts.is_open(doc):
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
    """Merge a conflict field by field: for each field the versions disagree on, a pick list of the
    versions' values in the clerk's words (no JSON). Dismisses with {field: version number}, or None."""

    BINDINGS = [SAVE_BINDING]

    def __init__(self, view: dict) -> None:
        super().__init__()
        self.view = view
        self.fields = [f for f in view["fields"] if f["differs"]]

    def compose(self) -> ComposeResult:
        versions = self.view["versions"]
        with VerticalScroll(classes="dialog", can_focus=False):
            yield Label(t("ui.conflicts.merge_title", label=self.view["label"]), classes="dialog-title", markup=False)
            base = next(s["letter"] for s in versions if not s["deleted"])
            yield Static(t("ui.conflicts.merge_body", base=base), classes="dialog-body", markup=False)
            for i, f in enumerate(self.fields):
                yield Label(f["label"], classes="field-label", markup=False)
                yield Select([(f"{s['letter']} · {s['office']}: {f['values'][s['n'] - 1] or t('ui.conflicts.empty')}",
                               s["n"]) for s in versions if not s["deleted"]],
                             value=next(s["n"] for s in versions if not s["deleted"]), allow_blank=False,
                             id=f"pick-{i}")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(t("ui.sync.save_merged"), id="ok", variant="primary")

    def on_mount(self) -> None:
        first = self.query(Select)
        (first.first() if first else self.query_one("#ok", Button)).focus()

    def picks(self) -> dict[str, int]:
        return {f["field"]: int(self.query_one(f"#pick-{i}", Select).value) for i, f in enumerate(self.fields)}

    def action_save_form(self) -> None:
        self._ok()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self.picks())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class MergeDuplicateDialog(Dialog):
    """Merge two members sharing a NIK: which record stays, and for each differing field whose value.
    Dismisses with ``{"survivor": id, "other": id, "take": {field: "b"}}`` or None."""

    def __init__(self, case: dict) -> None:
        super().__init__()
        self.case = case
        self.records = case["records"][:2]
        self.fields = [f for f in case["fields"] if f["differs"] and f["field"] in duplicates.PERSON_FIELDS]

    def compose(self) -> ComposeResult:
        a, b = self.records
        with Vertical(classes="dialog wide"):
            yield Label(t("ui.dup.merge_title", name=a["name"]), classes="dialog-title", markup=False)
            yield Static(t("ui.dup.merge_body", a=f"{a['id'][:8]} {a['owner']}", b=f"{b['id'][:8]} {b['owner']}"),
                         classes="dialog-body", markup=False)
            yield Label(t("ui.dup.record"), markup=False)
            yield Select([(f"A {a['id'][:8]} ({a['owner']})", "a"), (f"B {b['id'][:8]} ({b['owner']})", "b")],
                         value="a", allow_blank=False, id="survivor")
            for f in self.fields:
                yield Label(f["field"], markup=False)
                yield Select([(f"A: {f['values'][0] or '-'}", "a"), (f"B: {f['values'][1] or '-'}", "b")],
                             value="a", allow_blank=False, id="take-" + f["field"].replace(".", "-"),
                             classes="take")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(t("ui.dup.merge_go"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def choice(self) -> dict:
        side = self.query_one("#survivor", Select).value
        ids = [r["id"] for r in self.records]
        survivor, other = (ids[0], ids[1]) if side == "a" else (ids[1], ids[0])
        take = {}
        for f in self.fields:
            picked = self.query_one("#take-" + f["field"].replace(".", "-"), Select).value
            if picked != side:
                take[f["field"]] = "b"
        return {"survivor": survivor, "other": other, "take": take}

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self.choice())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConflictsScreen(Screen):
    """Open conflicts and duplicate-NIK cases; the selected one compared field by field (differing
    fields marked with *)."""

    BINDINGS = [
        Binding("escape", "back", "-", id="conflicts.back"),
        Binding("a", "keep(1)", "-", id="conflicts.keep_a"),
        Binding("b", "keep(2)", "-", id="conflicts.keep_b"),
        Binding("m", "merge", "-", id="conflicts.merge"),
        Binding("r", "reveal", "-", id="conflicts.reveal", show=False),
        Binding("g", "merge_duplicate", "-", id="conflicts.merge_dup"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.current: str | None = None
        self.cases: dict[str, dict] = {}
        self.revealed = False  # the numbers of the conflict shown, after r (audited); hidden again on the next

    @property
    def db(self):
        return self.app.db

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers what applies to the selected line: keep/merge/reveal for a conflict, merge
        for a duplicate NIK (at 80 columns the other's keys pushed these off the footer)."""
        if action == "merge_duplicate":
            return self.current in self.cases
        if action in ("keep", "merge", "reveal"):
            return self.current is not None and self.current not in self.cases
        return True

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Label(t("ui.sync.conflicts_title"), classes="section-title")
            yield DataTable(id="list", cursor_type="row", zebra_stripes=True)
            yield Static("", id="siblings", markup=False)
            yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#list", DataTable).add_columns(*t("ui.conflicts.columns").split("|"))
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#list", DataTable)
        table.clear()
        rows = conflicts.list_conflicts(self.db)
        deleted = t("ui.conflicts.deleted_first")
        for r in rows:
            label = r["label"] + (f" {deleted}" if r["deleted_first"] else "")
            table.add_row(r["id"][:8], _kind(r["collection"]), label, r["nik"], str(r["siblings"]), r["latest_shown"],
                          ", ".join(r["offices"]), key=r["id"])
        self.cases = {}
        for case in duplicates.cases(self.db):
            key = "dup:" + ",".join(case["ids"])
            self.cases[key] = case
            table.add_row(case["ids"][0][:8], t("dup.kind"), " / ".join(r["name"] for r in case["records"]),
                          case["nik"], str(len(case["ids"])), "",
                          ", ".join(sorted({r["owner"] for r in case["records"]})), key=key)
        keys = [r["id"] for r in rows] + list(self.cases)
        if not keys:
            self.current = None
            self.refresh_bindings()
            self.query_one("#siblings", Static).update(t("sync.no_conflicts") + "\n" + t("dup.none"))
            self.query_one("#compare", DataTable).clear(columns=True)
        else:
            table.focus()
            self.show(keys[0])

    @on(DataTable.RowHighlighted, "#list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value:
            self.show(event.row_key.value)

    def show(self, rid: str) -> None:
        if rid != self.current:
            self.revealed = False
        self.current = rid
        self.refresh_bindings()
        if rid in self.cases:
            self.show_case(self.cases[rid])
            return
        self.show_view(conflict_view.view(self.db, rid, reveal=self.revealed))

    def show_view(self, info: dict) -> None:
        """The versions one under the other (80 columns hold them), what differs first, in the clerk's words."""
        lines = [f"{info['label']}  ({_kind(info['collection'])} {info['id'][:8]})"]
        for s in info["versions"]:
            state = t("ui.sync.deleted") if s["deleted"] else ""
            lines.append(f"  [{s['letter']}] {s['office']}  {s['operator']}  {s['time_shown']}  {state}".rstrip())
        self.query_one("#siblings", Static).update("\n".join(lines))
        compare = self.query_one("#compare", DataTable)
        compare.clear(columns=True)
        compare.add_columns(t("ui.sync.field"), t("ui.conflicts.version"), t("ui.conflicts.value"))
        for f in info["fields"]:
            if not f["differs"]:
                if any(f["values"]):
                    compare.add_row("  " + f["label"], t("ui.conflicts.same"), f["values"][0])
                continue
            for i, s in enumerate(info["versions"]):
                compare.add_row(("* " + f["label"]) if i == 0 else "", f"{s['letter']} · {s['office']}",
                                f["values"][i] or t("ui.conflicts.empty"))

    def action_reveal(self) -> None:
        """r: the NIK, account and phone of this conflict in full, to decide it (audited)."""
        if not self.current or self.current in self.cases:
            return
        try:
            info = conflict_view.reveal(self.db, self.current)
        except PilarError as exc:
            self.app.show_error(str(exc))
            return
        self.revealed = True
        self.show_view(info)
        self.notify(t("ui.conflicts.revealed"))

    def show_case(self, case: dict) -> None:
        """A duplicate-NIK case: the records side by side, and who merges it."""
        lines = [t("dup.title", nik=case["nik"], count=len(case["ids"]))]
        for letter, r in zip("ABCDEFGH", case["records"], strict=False):
            lines.append(f"  [{letter}] {r['id'][:8]}  {r['owner']}  {r['name']}")
        lines.append(t("dup.merge_hint", command=case["command"]) if case["province"] else t("dup.province_merges"))
        self.query_one("#siblings", Static).update("\n".join(lines))
        compare = self.query_one("#compare", DataTable)
        compare.clear(columns=True)
        compare.add_columns(t("ui.sync.field"), *[f"{letter} {r['id'][:8]} ({r['owner']})"
                                                 for letter, r in zip("ABCDEFGH", case["records"], strict=False)])
        for f in conflicts.differing_first(case["fields"]):
            compare.add_row(("* " if f["differs"] else "  ") + conflicts.field_label(f["field"]), *f["values"])

    def action_merge_duplicate(self) -> None:
        case = self.cases.get(self.current or "")
        if case is None:
            self.notify(t("ui.dup.not_dup"), severity="warning")
            return
        if not self.db.is_province:
            self.notify(t("dup.province_merges"), severity="warning")
            return

        def done(choice: dict | None) -> None:
            if not choice:
                return
            try:
                survivor = duplicates.merge(self.db, choice["survivor"], choice["other"], take=choice["take"])
            except PilarError as exc:
                self.app.show_error(str(exc))
                return
            name = (self.db.get("members", survivor) or {}).get("name", "")
            self.notify(t("dup.merged", other=choice["other"][:8], survivor=survivor[:8], name=name))
            self.reload()

        self.app.push_screen(MergeDuplicateDialog(case), done)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_keep(self, n: int) -> None:
        if self.current in self.cases:
            self.notify(t("ui.dup.keep_is_merge"), severity="warning")
            return
        if not self.current:
            return
        info = conflicts.show(self.db, self.current)
        if n > len(info["siblings"]):
            return
        s = info["siblings"][n - 1]
        body = t("ui.sync.keep_body", n=n, office=s["office"], operator=s["operator"], time=s["time_shown"])

        def done(yes: bool | None) -> None:
            if yes:
                self._resolve(keep=n)

        self.app.push_screen(ConfirmDialog(t("ui.sync.keep_title", label=info["label"]), body), done)

    def action_merge(self) -> None:
        """m: a merged value, field by field (each differing field from the version chosen)."""
        if self.current in self.cases:
            self.notify(t("ui.dup.keep_is_merge"), severity="warning")
            return
        if not self.current:
            return
        info = conflict_view.view(self.db, self.current, reveal=self.revealed)
        if not any(f["differs"] for f in info["fields"]) or all(s["deleted"] for s in info["versions"][1:]):
            self.notify(t("ui.conflicts.nothing_to_merge"), severity="warning")
            return
        rid = self.current

        def done(picks: dict | None) -> None:
            if picks is None:
                return
            try:
                value = conflict_view.merged_value(self.db, rid, picks)
            except PilarError as exc:
                self.app.show_error(str(exc))
                return
            self._resolve(value=value)

        self.app.push_screen(MergeDialog(info), done)

    def _resolve(self, keep: int | None = None, value: dict | None = None) -> None:
        try:
            conflicts.resolve(self.db, self.current, keep=keep, value=value)
        except PilarError as exc:
            self.app.show_error(str(exc))
            return
        self.notify(t("sync.conflict_resolved", id=self.current[:8]))
        self.reload()


def _kind(collection: str) -> str:
    """'members' -> 'Anggota' (see storage.conflicts.kind_label)."""
    return conflicts.kind_label(collection)
