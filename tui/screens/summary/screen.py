"""Ringkasan (section 5, the landing screen at the province): where the office stands, who is behind.

The figures come from :func:`storage.summary.compute` (the same numbers as ``pilar report summary``),
computed in a thread worker: first everything but the records waiting per office (the first paint),
then those. Recomputed, again in a worker, after every commit (an import, an edit) and whenever the
import log changes (an import that brought nothing new still moves the freshness). When nothing has
changed since the last complete summary (``storage.summary.cached``) it is shown at once, before the
worker confirms it. As the first screen, the first figures are counted from the moment the app has its
data folder (``EarlySummary``), while Textual starts. Enter on a figure opens its screen: the roster,
the payouts, the conflicts, or this screen's tab with the detail; p k t b o open the tabs (pillars,
kab/kota, no TKSK, payouts, offices).
Enter on a pillar bar or a kab/kota row opens the roster filtered to exactly the members counted there
(active, serving in that pillar or area); on a kecamatan without TKSK, who lives or serves there.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from storage import summary
from storage.core.i18n import get_lang, t, tn
from storage.domain.fmt import number
from storage.domain.model import pillar_label
from storage.summary.report import gap_lines, kab_table, office_table, payout_table, tksk_table
from storage.sync import freshness
from tui.widgets.bars import Bar, Bars
from tui.widgets.keys import localize_bindings

FIGURES = ("members", "tksk", "payouts", "offices", "gaps", "cases")
TABS = ("pillars", "kabs", "tksk", "payouts", "offices")
VALUE_WIDTH = 52  # the figures table fits 80 columns without a horizontal scrollbar


def _listed(codes: list[str]) -> str:
    return f"{len(codes)}: {', '.join(codes)}" if codes else "0"


def short_money(amount: int) -> str:
    """Rp in juta or miliar for a narrow cell: 1.234.567.890 -> 'Rp1,2 M', 4.000.000 -> 'Rp4,0 jt'
    (English: 'Rp1.2 bn', 'Rp4.0 m')."""
    if amount == 0:
        return "Rp0"
    key, value = ("ui.summary.money_billion", amount / 1e9) if abs(amount) >= 1_000_000_000 \
        else ("ui.summary.money_million", amount / 1e6)
    text = f"{value:,.1f}"
    if get_lang() != "en":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return t(key, value=text)


class EarlySummary:
    """The first summary, started by the app as soon as its data folder is open (before Textual has
    started and composed this screen, which then only waits for it): the kept summary when nothing has
    changed since (shown at once), else the figures counted in a plain thread."""

    def __init__(self, db, conflicts: int) -> None:
        self.started = time.perf_counter()
        self.kept = summary.cached(db)
        self.data: dict | None = None
        self.thread: threading.Thread | None = None
        if self.kept is None:
            self.thread = threading.Thread(target=self._count, args=(db, conflicts), daemon=True,
                                           name="pilar-summary-early")
            self.thread.start()

    def _count(self, db, conflicts: int) -> None:
        try:
            self.data = summary.compute(db, waiting=False, conflicts=conflicts)
        except Exception:  # noqa: BLE001 - a commit meanwhile, a closed folder: the screen's worker counts
            self.data = None

    @classmethod
    def counted_here(cls, db, started: float) -> EarlySummary:
        """The first summary counted on the calling thread (the one that opened the folder in the
        background: it has nothing else to do, and the app's thread keeps drawing)."""
        early = cls.__new__(cls)
        early.started = started
        early.kept = summary.cached(db)
        early.thread = None
        early.data = None
        if early.kept is None:
            early._count(db, None)
            early.thread = threading.current_thread()  # take() returns the data (join: done already)
        return early

    def take(self) -> dict | None:
        """The counted figures (waiting for them), or None: the screen's worker counts then."""
        if self.thread is None:
            return None
        if self.thread is not threading.current_thread() and self.thread.is_alive():
            self.thread.join()
        return self.data


class SummaryScreen(Screen):
    """Figures on top (Enter opens each), the detail in tabs below."""

    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("enter", "open", "-", id="summary.open"),
        Binding("r", "refresh", "-", id="summary.refresh"),
        *(Binding(key, f"tab('{tab}')", "-", id=f"summary.tab.{tab}", show=False)
          for key, tab in zip("pktbo", TABS, strict=True)),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.data: dict | None = None
        # the figures shown come from the open folder (not the last session's, shown while it opens)
        self.live = False
        self._current_at = ""  # when the current figures were counted from the folder's tallies
        self._pillars: list[str] = []
        self._early: EarlySummary | None = None
        self._dirty = True
        self._log_stamp: tuple[float, int] | None = None

    @property
    def db(self):
        return self.app.db

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("ui.summary.loading"), id="summary-status", markup=False)
        yield DataTable(id="figures", cursor_type="row", zebra_stripes=True)
        with TabbedContent(id="summary-tabs", initial="tab-pillars"):
            with TabPane(t("ui.summary.tab.pillars"), id="tab-pillars"):
                yield Bars(t("ui.summary.chart_pillars"), selectable=True, id="pillar-chart")
            with TabPane(t("ui.summary.tab.kabs"), id="tab-kabs"):
                yield DataTable(id="kabs", cursor_type="row", zebra_stripes=True)
            with TabPane(t("ui.summary.tab.tksk"), id="tab-tksk"):
                yield DataTable(id="tksk", cursor_type="row", zebra_stripes=True)
            with TabPane(t("ui.summary.tab.payouts"), id="tab-payouts"):
                yield DataTable(id="payouts", cursor_type="row", zebra_stripes=True)
                yield Bars(t("ui.summary.chart_payouts"),
                           [t(f"ui.summary.legend_{k}") for k in ("paid", "outstanding", "returned")],
                           id="payout-chart")
            with TabPane(t("ui.summary.tab.offices"), id="tab-offices"):
                yield DataTable(id="offices", cursor_type="row", zebra_stripes=True)
                yield Static("", id="gaps", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#figures", DataTable).add_columns(*t("ui.summary.figure_cols").split("|"))
        self.query_one("#figures", DataTable).focus()
        self.set_interval(1.0, self._poll)
        if self.db is None:
            # The folder is being opened (PilarApp, background_open): its current figures from the tallies
            # it keeps (storage.summary.current_at_start), else the last session's, said to be kept, until
            # folder_opened() counts the current ones.
            current = getattr(self.app, "current_summary", None)
            kept = getattr(self.app, "kept_summary", None)
            # no tallies in the folder: its figures are being counted from its files (PilarApp._count_figures)
            counting = getattr(self.app, "counting_figures", False)
            if current is not None:
                self._show_current(current)
            elif kept is not None:
                data, when = kept
                self._show(data, 0.0, cached=True)
                self.query_one("#summary-status", Static).update(
                    t("ui.summary.kept_counting" if counting else "ui.summary.kept_opening",
                      when=datetime.fromtimestamp(when).strftime("%d-%m-%Y %H:%M")))
            else:
                self.query_one("#summary-status", Static).update(
                    t("ui.summary.counting" if counting else "ui.summary.opening"))
            return
        self.folder_opened()

    def _show_current(self, current: dict) -> None:
        """The current figures, from the folder's tallies or counted from its files, while it opens."""
        self._show(current, current["timings"]["total"])
        self.live = True
        self._current_at = datetime.now().strftime("%H:%M:%S")
        self.query_one("#summary-status", Static).update(t("ui.summary.current_opening", time=self._current_at))

    def figures_counted(self) -> None:
        """The figures counted from the files are in (PilarApp._count_figures): shown, unless the open
        folder's are already; if they could not be counted, the open folder counts them."""
        if self.db is not None or self.live:
            return
        current = getattr(self.app, "current_summary", None)
        if current is not None:
            self._show_current(current)
        elif self.data is not None:
            self.query_one("#summary-status", Static).update(t("ui.summary.cached"))
        else:
            self.query_one("#summary-status", Static).update(t("ui.summary.opening"))

    def folder_opened(self) -> None:
        """The data folder is open (at mount, or later when the app opened it in the background)."""
        if self._changed in self.db.listeners:
            return
        self.db.listeners.append(self._changed)
        self._early, self.app.early_summary = getattr(self.app, "early_summary", None), None
        kept = self._early.kept if self._early is not None else summary.cached(self.db)
        if self.live and self.data is not None and self.data.get("state") == summary.state_key(
                self.db, date.fromisoformat(self.data["today"]), self.data["silent_days"]):
            # the current figures are on screen already (from the folder's tallies): only the records
            # waiting per office are left to count
            self._dirty = False
            self._log_stamp = self._import_log_stamp()
            self._early = None
            self.query_one("#summary-status", Static).update(t(
                "ui.summary.updated", time=self._current_at, seconds=f"{self.data['timings']['total']:.2f}"))
            self._waiting(self.data)
            return
        if kept is not None:
            # nothing changed since the last complete summary: shown at once, confirmed by the worker
            self._show(kept, 0.0, cached=True)
        self.action_refresh()

    def on_unmount(self) -> None:
        if self.db is not None and self._changed in self.db.listeners:
            self.db.listeners.remove(self._changed)

    def on_screen_resume(self) -> None:
        if self._dirty and self.db is not None:
            self.action_refresh()

    # ------------------------------------------------------------------ staying current

    def _changed(self, collection: str, ids: set[str]) -> None:
        """A commit (from any thread): recompute at the next poll, never inside the commit."""
        self._dirty = True

    def _import_log_stamp(self) -> tuple[float, int] | None:
        try:
            st = (self.db.path / "imports.jsonl").stat()
        except OSError:
            return None
        return (st.st_mtime, st.st_size)

    def _poll(self) -> None:
        if self.db is None:
            return
        stamp = self._import_log_stamp()
        if stamp != self._log_stamp:
            self._dirty = True
        if self._dirty and self.app.screen is self:
            self.action_refresh()

    def action_refresh(self) -> None:
        if not self.app.needs_folder():
            return
        self._dirty = False
        self._log_stamp = self._import_log_stamp()
        self._compute()

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def _compute(self) -> None:
        started = time.perf_counter()
        early, self._early = self._early, None
        data = early.take() if early is not None else None
        if data is not None and data["state"][2] != self.db.seq:
            data = None  # a commit since the early count (before this screen listened for commits)
        if data is not None:
            started = early.started
        else:
            # the header's conflict count is kept current from every commit: no pass over every record
            data = self._retry(lambda: summary.compute(self.db, waiting=False, conflicts=self.app.conflict_count))
        self.app.call_from_thread(self._show, data, time.perf_counter() - started)
        # the figures are up: the roster is built meanwhile, so that key 1 finds it ready (issue 25)
        self.app.call_from_thread(getattr(self.app, "figures_shown", self.app.preload_roster))
        self._retry(lambda: freshness.add_waiting(self.db, data["offices"]))
        self.app.call_from_thread(self._show_offices, data)
        summary.keep(self.db, data)

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def _waiting(self, data: dict) -> None:
        """The second phase alone, for figures already shown: the roster's build, the records waiting."""
        self.app.call_from_thread(getattr(self.app, "figures_shown", self.app.preload_roster))
        self._retry(lambda: freshness.add_waiting(self.db, data["offices"]))
        self.app.call_from_thread(self._show_offices, data)
        summary.keep(self.db, data)

    @staticmethod
    def _retry(fn):
        # A commit on the UI thread can change a collection while this thread counts it.
        for _ in range(3):
            try:
                return fn()
            except RuntimeError:
                time.sleep(0.05)
        return fn()

    # ------------------------------------------------------------------ showing

    def _show(self, data: dict, seconds: float, cached: bool = False) -> None:
        self.data = data
        self.live = self.db is not None
        self.query_one("#summary-status", Static).update(
            t("ui.summary.cached") if cached else
            t("ui.summary.updated", time=datetime.now().strftime("%H:%M:%S"), seconds=f"{seconds:.2f}"))
        self._figures(data)
        self._pillar_chart(data)
        self._fill("#kabs", kab_table(data), keys=data["kabs"])
        self._fill("#tksk", tksk_table(data), keys=[r["kec"] for r in data["tksk"]["without"]])
        self._fill("#payouts", payout_table(data))
        self._payout_chart(data)
        self._show_offices(data)

    def _figures(self, s: dict) -> None:
        table = self.query_one("#figures", DataTable)
        row = table.cursor_row
        table.clear()
        m, tk, cases = s["members"], s["tksk"], s["cases"]
        last = s["payouts"][-1] if s["payouts"] else None
        gaps = s["gaps"]
        open_gaps = sum(1 for g in gaps for r in g["gaps"] if r["closed_by"] is None)
        n_gaps = sum(len(g["missing"]) for g in gaps) + sum(len(o["not_arrived"]) for o in s["offices"])
        values = {
            "members": (t("ui.summary.fig.members"),
                        t("ui.summary.fig.members_value", count=number(m["active"]),
                          pillars=tn("ui.summary.pillars", len(m["by_pillar"])), kabs=len(m["by_kab"]))),
            "tksk": (t("ui.summary.fig.tksk"),
                     t("ui.summary.fig.tksk_value", count=number(len(tk["without"])), total=number(tk["kecamatan"]))),
            "payouts": (t("ui.summary.fig.payouts", quarter=last["quarter"] if last else ""),
                        t("ui.summary.fig.payouts_value", paid=short_money(last["paid"]),
                          outstanding=short_money(last["outstanding"]), returned=short_money(last["returned"]))
                        if last else t("ui.summary.fig.no_payouts")),
            "offices": (t("ui.summary.fig.offices", days=s["silent_days"]), _listed(s["silent"])),
            "gaps": (t("ui.summary.fig.gaps"), t("ui.summary.fig.gaps_value", count=n_gaps, open=open_gaps)),
            "cases": (t("ui.summary.fig.cases"), f"{cases['conflicts']} · {cases['duplicates']}"),
        }
        keys = list(FIGURES)
        # UU PDP clocks (issue 27): shown only when something is open (once the folder is)
        due = {"requests": 0, "incidents": 0}
        if self.db is not None:
            from storage.privacy import service as privacy

            due = privacy.due(self.db)
        if due["requests"] or due["incidents"]:
            values["privacy"] = (t("ui.summary.fig.privacy"), t("ui.summary.fig.privacy_value", **due))
            keys.insert(0, "privacy")
        for key in keys:
            label, value = values[key]
            table.add_row(label, value if len(value) <= VALUE_WIDTH else value[:VALUE_WIDTH - 1] + "…", key=key)
        if row:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _fill(self, selector: str, table_data, keys: list[str] | None = None) -> None:
        head, rows, _align = table_data
        table = self.query_one(selector, DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(*head)
        for i, r in enumerate(rows):
            table.add_row(*r, key=keys[i] if keys else None)
        if row and table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _pillar_chart(self, s: dict) -> None:
        self._pillars = list(s["members"]["by_pillar"])
        self.query_one("#pillar-chart", Bars).set_bars(
            [Bar(pillar_label(p), (n,), number(n)) for p, n in s["members"]["by_pillar"].items()])

    def _payout_chart(self, s: dict) -> None:
        self.query_one("#payout-chart", Bars).set_bars(
            [Bar(q["quarter"], (q["paid"], q["outstanding"], q["returned"]), short_money(q["gross"]))
             for q in s["payouts"][-4:]])

    def _show_offices(self, s: dict) -> None:
        if self.data is not s:
            return  # a newer computation is already shown
        head, rows, align = office_table(s)
        # the office's long name last: code, dates, days and waiting fit 80 columns
        order = [0, *range(2, len(head)), 1]
        self._fill("#offices", ([head[i] for i in order], [[r[i] for i in order] for r in rows], align))
        self.query_one("#gaps", Static).update("\n".join(gap_lines(s)) or t("summary.no_gaps"))
        if s["offices"] and all(o["waiting"] is not None or o["full"] for o in s["offices"]):
            self._figures(s)

    # ------------------------------------------------------------------ actions

    @on(DataTable.RowSelected, "#figures")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open_figure(event.row_key.value)

    @on(DataTable.RowSelected, "#kabs")
    def _kab_selected(self, event: DataTable.RowSelected) -> None:
        """The members counted in that kab/kota's row: active, serving there."""
        from storage.roster import Query

        self.open_roster(Query(area_kab=event.row_key.value))

    @on(DataTable.RowSelected, "#tksk")
    def _kec_selected(self, event: DataTable.RowSelected) -> None:
        """Who lives or serves in a kecamatan without an active TKSK (candidates, former TKSK there)."""
        from storage.roster import Query

        self.open_roster(Query(kec=event.row_key.value))

    @on(Bars.Selected, "#pillar-chart")
    def _pillar_selected(self, event: Bars.Selected) -> None:
        """The members counted in that pillar's bar: active in that pillar."""
        from storage.roster import ANY_AREA, Query

        self.open_roster(Query(pillar=self._pillars[event.index], area_kab=ANY_AREA))

    def open_roster(self, query) -> None:
        """The roster section showing exactly the members a figure counts (storage.roster.Query.area_kab)."""
        from tui.screens.roster.screen import RosterScreen

        self.app.switch_mode("roster")
        screen = self.app.screen
        if isinstance(screen, RosterScreen):
            screen.show_query(query)

    @on(DataTable.RowSelected, "#offices")
    def _office_selected(self) -> None:
        self.app.switch_mode("sync")

    def action_open(self) -> None:
        table = self.query_one("#figures", DataTable)
        if table.row_count:
            self.open_figure(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def action_tab(self, tab: str) -> None:
        """Open a tab and put the cursor in it (Enter on a pillar or a kab/kota opens the roster)."""
        self.query_one("#summary-tabs", TabbedContent).active = f"tab-{tab}"
        self.query_one("#pillar-chart" if tab == "pillars" else f"#{tab}").focus()

    def open_figure(self, key: str | None) -> None:
        """Each figure's own screen: the roster, payouts, conflicts, or the tab with its detail."""
        if key == "members":
            from storage.roster import ANY_AREA, Query

            self.open_roster(Query(area_kab=ANY_AREA))
        elif key == "payouts":
            self.app.switch_mode("payouts")
        elif key == "privacy":
            self.app.switch_mode("privacy")
        elif key == "cases":
            from tui.screens.sync.conflicts import ConflictsScreen

            if not self.app.needs_folder():
                return
            self.app.push_screen(ConflictsScreen())
        elif key in ("tksk", "offices", "gaps"):
            tab = "tksk" if key == "tksk" else "offices"
            self.query_one("#summary-tabs", TabbedContent).active = f"tab-{tab}"
            self.query_one(f"#{tab}", DataTable).focus()
