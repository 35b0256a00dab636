"""The payouts section: rates, the quarter's run preview and totals, approval, payment, void, printing.

Every rule lives in ``storage.payouts`` and ``storage.payouts.documents.text``; this screen shows their results.
Slow work (a run preview or save for tens of thousands of members, printing) runs in a thread worker
while the screen refuses other payout actions, so nothing reads the data while it is being written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Input,
    Static,
    TabbedContent,
    TabPane,
)

from storage import payouts
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import regions
from storage.domain.fmt import number, quarter_label, short_date
from storage.domain.model import PILLARS, POSITIONS, pillar_label, position_label
from storage.payouts import documents, views
from storage.payouts.rates import parse_pph21, pph21_text
from tui.dialogs import ConfirmDialog, Field, ProgressDialog, PromptDialog
from tui.screens.payouts import treasury
from tui.screens.payouts.dialogs import ApproveDialog, PayDialog, ReturnDialog, VoidDialog
from tui.widgets.keys import localize_bindings
from tui.widgets.member_table import Column, MemberTable

ITEM_ROWS = 1000  # the excluded tab lists this many (the items tab lists every item: a virtual table)


@dataclass(frozen=True)
class ItemRow:
    """One payout item as the items tab's virtual table holds it (``status`` other than ACTIVE is dimmed)."""

    id: str
    status: str
    item: dict


# The items tab's columns: (header key, width, dropped first when narrow: higher sooner); 0 = flexible.
# Gross, tax and net are never dropped (what every document shows); at 80 columns the table keeps name,
# gross, tax, net and status; at 120 also pillar/position and the note (transfer reference, void reason,
# retur, conflict); kab/kota from about 125 columns, the method from 135. Amounts right-aligned: Rp99.999.999 fits 12.
ITEM_COLUMNS = (("name", 0, 0), ("pillar_position", 22, 2), ("gross", 12, 0), ("tax", 10, 0), ("net", 12, 0),
                ("status", 11, 0), ("method", 10, 4), ("kab", 16, 3), ("note", 14, 1))
AMOUNT_COLUMNS = ("gross", "tax", "net")
_WIDTH = {name: width for name, width, _drop in ITEM_COLUMNS}


def _money(row: list[int]) -> list[Text]:
    """Count and amounts right-aligned, so rupiah line up digit under digit."""
    return [Text(number(row[0]), justify="right")] + \
        [Text(documents.idr(v), justify="right") for v in row[1:]]


# The totals' label column (long UPT names) takes what the amounts leave: they are never cut off.
LABEL_WIDTH = 34


def _label(text: str, width: int = LABEL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _preview_line(plan: payouts.RunPlan) -> str:
    return t("payout.ui.preview_line", new=number(len(plan.new)), updated=number(len(plan.updated)),
             removed=number(len(plan.removed)), unchanged=number(plan.unchanged),
             excluded=number(len(plan.excluded)), review=number(len(plan.review)))


def _short_kab(name: str) -> str:
    """'Kabupaten Tulungagung' -> 'Kab. Tulungagung' (as Indonesian tables write it; 'Kota' stays)."""
    return "Kab. " + name[10:] if name.startswith("Kabupaten ") else name


def item_rows(db, quarter: payouts.Quarter) -> list[dict]:
    """The quarter's items in the order the items tab lists them: by status, then kab/kota."""
    order = {"draft": 0, "approved": 1, "paid": 2, "returned": 3, "void": 4}
    return sorted(payouts.items(db, quarter), key=lambda v: (order.get(v["status"], 9), v.get("kab", "")))


@contextmanager
def io_errors(path: Path) -> Iterator[None]:
    """A file system error while writing to ``path`` as the sentence the user reads."""
    try:
        yield
    except OSError as exc:
        raise PilarError("fs.io_error", path=str(path), detail=str(exc)) from exc


class PayoutsScreen(Screen):
    """Quarterly payouts of the province: rates, run preview, approve, pay, void, print, arrears."""

    BINDINGS = [
        Binding("left_square_bracket", "quarter(-1)", "-", id="payouts.prev", key_display="[", show=False),
        Binding("right_square_bracket", "quarter(1)", "-", id="payouts.next", key_display="]", show=False),
        Binding("r", "recompute", "-", id="payouts.recompute", show=False),
        Binding("s", "save_run", "-", id="payouts.save"),
        Binding("a", "approve", "-", id="payouts.approve"),
        Binding("b", "pay", "-", id="payouts.pay"),
        Binding("v", "void", "-", id="payouts.void", show=False),
        Binding("p", "print", "-", id="payouts.print", show=False),
        Binding("n", "new_rate", "-", id="payouts.new_rate", show=False),
        Binding("e", "edit_rate", "-", id="payouts.edit_rate", show=False),
        Binding("c", "toggle_cash", "-", id="payouts.cash", show=False),
        Binding("slash", "search", "-", id="payouts.search", key_display="/"),
        Binding("t", "receipt", "-", id="payouts.receipt", show=False),
        Binding("k", "return_item", "-", id="payouts.return", show=False),
        Binding("d", "duties", "-", id="payouts.duties", show=False),
        Binding("j", "spj", "-", id="payouts.spj", show=False),
        Binding("g", "pagu", "-", id="payouts.pagu", show=False),
        Binding("u", "treasury_files", "-", id="payouts.treasury_files", show=False),
        Binding("greater_than_sign", "tab(1)", "-", id="payouts.tab_next", key_display=">", show=False),
        Binding("less_than_sign", "tab(-1)", "-", id="payouts.tab_previous", key_display="<", show=False),
    ]
    DEFAULT_CSS = """
    #pay-quarter { text-style: bold; padding: 0 1; color: $accent; height: 1; }
    #pay-status, #pay-preview { padding: 0 1; height: 1; color: $text-muted; }
    #pay-tabs { height: 1fr; }
    #pay-tabs DataTable { height: 1fr; }
    #pay-items-note { height: auto; padding: 0 1; color: $text-muted; }
    #pay-excluded-note { height: auto; padding: 0 1; color: $warning; }
    """

    def __init__(self, *args, quarter: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)
        self.quarter = payouts.Quarter.parse(quarter) if quarter else payouts.Quarter.current()
        self._shown_seq = -1  # the data's seq when the screen was last filled
        self._filter_timer = None
        self.plan: payouts.RunPlan | None = None
        self.busy = False
        self.allow_cash = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="pay-quarter", markup=False)
        yield Static("", id="pay-status", markup=False)
        yield Static("", id="pay-preview", markup=False)
        with TabbedContent(id="pay-tabs", initial="tab-preview"):
            with TabPane(t("payout.ui.preview"), id="tab-preview"):
                yield DataTable(id="pay-totals", cursor_type="row", zebra_stripes=True)
            with TabPane(t("payout.ui.excluded"), id="tab-excluded"):
                yield Static("", id="pay-excluded-note", markup=False)
                yield DataTable(id="pay-excluded", cursor_type="row", zebra_stripes=True)
            with TabPane(t("payout.ui.items"), id="tab-items"):
                yield Input(placeholder=t("payout.ui.items_filter"), id="pay-items-filter")
                yield Static("", id="pay-items-note", markup=False)
                yield MemberTable([Column(name, t(f"payout.h.{name}").rjust(width) if name in AMOUNT_COLUMNS else
                                          t(f"payout.h.{name}"), width, drop)
                                   for name, width, drop in ITEM_COLUMNS], self._item_cells, id="pay-items")
            with TabPane(t("treasury.ui.pagu_tab"), id="tab-pagu"):
                with VerticalScroll():
                    yield Static("", id="pay-pagu", markup=False)
            with TabPane(t("payout.ui.rates"), id="tab-rates"):
                yield DataTable(id="pay-rates", cursor_type="row", zebra_stripes=True)
            with TabPane(t("payout.ui.outstanding"), id="tab-outstanding"):
                yield DataTable(id="pay-outstanding", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        heads = [t("payout.h.count"), t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net")]
        totals = self.query_one("#pay-totals", DataTable)
        totals.add_column("", width=LABEL_WIDTH)
        totals.add_columns(*(Text(h, justify="right") for h in heads))
        self.query_one("#pay-excluded", DataTable).add_columns(t("payout.h.name"), t("payout.h.pillar"),
                                                               t("payout.h.reason"))
        self.query_one("#pay-rates", DataTable).add_columns(
            t("payout.h.pillar"), t("payout.h.position"), t("payout.h.amount"), t("payout.h.tax"), t("payout.h.start"),
            t("payout.h.end"), t("payout.h.funding"), t("payout.h.kind"), t("payout.h.note"))
        self.query_one("#pay-outstanding", DataTable).add_columns(
            t("payout.h.quarter"), t("payout.h.count"), t("payout.status.draft"), t("payout.status.approved"),
            t("payout.h.net"), t("payout.h.arrears"))
        self.refresh_all()

    def on_screen_resume(self) -> None:
        # Back from another section (or a dialog of this one): shown again only if data changed
        # meanwhile. A dialog closing must not start a second plan beside the save it asked for.
        if not self.busy and self.db.seq != self._shown_seq:
            self.refresh_all()

    @property
    def db(self):
        return self.app.db

    # What only the province does: at a UPT these keys are not offered at all (footer, help, palette),
    # rather than offered and each answered "only the province can".
    PROVINCE_ACTIONS = frozenset({"save_run", "approve", "pay", "void", "return_item", "duties", "new_rate",
                                  "edit_rate"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.db.is_province or action not in self.PROVINCE_ACTIONS

    # ------------------------------------------------------------------ showing

    def refresh_all(self) -> None:
        """Everything for the current quarter: the preview in a worker, the rest at once."""
        self._shown_seq = self.db.seq
        self.show_quarter_line()
        self.show_rates()
        self.show_items()
        self.show_outstanding()
        self.compute_plan()

    def show_quarter_line(self) -> None:
        state = t("payout.duties.on" if payouts.separate_duties(self.db) else "payout.duties.off")
        self.query_one("#pay-quarter", Static).update(
            f"{quarter_label(self.quarter.code)} ({self.quarter.code}) · {t('payout.ui.duties_line', state=state)}")

    def show_status(self, summary: dict | None = None) -> dict:
        s = summary if summary is not None else payouts.summary(self.db, self.quarter)
        per = s["by_status"]
        self.query_one("#pay-status", Static).update(t(
            "payout.ui.status_line", quarter=self.quarter.code, status=t(f"payout.status.{s['status']}"),
            count=number(s["total"]["count"]), net=documents.idr(s["total"]["net"]),
            **{k: number(per.get(k, {}).get("count", 0)) for k in payouts.STATUSES}))
        return s

    @work(thread=True, exclusive=True, exit_on_error=False, group="payout-plan")
    def compute_plan(self) -> None:
        with self._working():
            try:
                plan = payouts.plan_run(self.db, self.quarter, allow_cash=self.allow_cash)
            except RuntimeError:
                # Another section saved a record while this thread was reading the roster: read again.
                plan = payouts.plan_run(self.db, self.quarter, allow_cash=self.allow_cash)
        self._ui(self.show_plan, plan)

    def _ui(self, func, *args, **kwargs):
        """From a worker thread: run ``func`` on the app's thread and return its result."""
        return self.app.call_from_thread(func, *args, **kwargs)

    @contextmanager
    def _working(self, dialog: ProgressDialog | None = None) -> Iterator[None]:
        """A worker's job: the screen busy while it runs, free again (and ``dialog`` closed) however it ends."""
        self._ui(self._set_busy, True)
        try:
            yield
        finally:
            self._ui(self._set_busy, False)
            if dialog is not None:
                self._ui(dialog.dismiss)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        if busy:
            self.query_one("#pay-preview", Static).update(t("ui.working"))

    def show_plan(self, plan: payouts.RunPlan, summary: dict | None = None) -> None:
        if plan.quarter != self.quarter:
            return
        self.plan = plan
        self.show_status(summary)
        line = _preview_line(plan)
        if plan.held:
            line += " · " + t("payout.ui.held_line", count=number(len(plan.held)))
        if self.allow_cash:
            line += " · " + t("payout.ui.cash_on")
        self.query_one("#pay-preview", Static).update(line)
        self.show_totals(plan.totals)
        self.show_excluded(plan)
        treasury.show_pagu(self, plan)

    def show_totals(self, totals: payouts.Totals) -> None:
        """Per pillar, per kab/kota and per UPT of the quarter as it stands once the run is saved."""
        table = self.query_one("#pay-totals", DataTable)
        table.clear()
        self._totals = totals
        offices = {o.get("code"): o.get("name", "") for o in self.db.values("offices")}
        sections = [(t("payout.h.pillar"), totals.by_pillar, pillar_label),
                    (t("payout.h.kab"), totals.by_kab, lambda k: _short_kab(regions.kab_name(k)) or k or "-"),
                    (t("payout.h.office"), totals.by_office, lambda k: offices.get(k) or k or "-")]
        # The amounts' columns are as wide as their widest cell (the grand total's); the label
        # column gets the rest of the screen (2 cells of padding per column, and the scrollbar).
        grand = [str(c) for c in _money(totals.grand)]
        widths = [max(len(str(col.label)), len(cell)) for col, cell in zip(list(table.columns.values())[1:], grand,
                                                                             strict=True)]
        width = max(14, min(LABEL_WIDTH, self.app.size.width - sum(widths) - 2 * len(table.columns) - 3))
        first = next(iter(table.columns.values()))
        if first.width != width:
            first.width = width
            table.refresh()
        for title, rows, label in sections:
            table.add_row(_label(f"— {title} —", width), "", "", "", "")
            for key in sorted(rows):
                table.add_row(_label(f"  {label(key)}", width), *_money(rows[key]), key=f"{title}:{key}")
        table.add_row(_label(t("payout.doc.grand_total"), width), *_money(totals.grand), key="grand")

    def on_resize(self) -> None:
        if getattr(self, "_totals", None) is not None:
            self.show_totals(self._totals)

    def show_excluded(self, plan: payouts.RunPlan) -> None:
        table = self.query_one("#pay-excluded", DataTable)
        table.clear()
        for row in plan.excluded[:ITEM_ROWS]:
            reason = t(f"payout.reason.{row['reason']}")
            if row["reason"] == "conflict" and row.get("fields"):
                reason += f" ({payouts.contested_label(row['fields'])})"
            table.add_row(row["name"], pillar_label(row["pillar"]), reason)
        self.query_one("#pay-excluded-note", Static).update(t("payout.hold.todo") if plan.held else "")
        everyone = payouts.members_by_id(self.db)
        names = {m: everyone.get(m, {}).get("name", "") for m in list(plan.review)[:ITEM_ROWS]}
        for member_id, pillars in list(plan.review.items())[:ITEM_ROWS]:
            table.add_row(names[member_id], ", ".join(pillar_label(p) for p in pillars), t("payout.reason.multi_pillar"))

    def _item_rows(self) -> list[dict]:
        return item_rows(self.db, self.quarter)

    @on(Input.Changed, "#pay-items-filter")
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.15, self.show_items)  # a scanner types a whole NIK at once

    @on(Input.Submitted, "#pay-items-filter")
    def _filter_done(self) -> None:
        self.show_items()
        self.query_one("#pay-items", MemberTable).focus()

    def action_receipt(self) -> None:
        """``t``: the tanda terima of the member of the selected item, as an A4 PDF in cetak/ (opened)."""
        item_id = self._selected("#pay-items")
        item = payouts.find_item(self.db, item_id)[0] if item_id else None
        if item is None:
            self.notify(t("payout.ui.no_selection"), severity="warning")
            return
        folder = Path(self.app.data_dir) / "cetak"
        out = folder / f"tanda-terima_{self.quarter.code}_{item['member_id'][:8]}.pdf"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            documents.write(self.db, self.quarter, out, "receipts", "pdf", member_ids=[item["member_id"]],
                       draft=item.get("status") == "draft")
        except PilarError as exc:
            self._error(exc)
            return
        except OSError as exc:
            self._error(PilarError("fs.io_error", path=str(folder), detail=str(exc)))
            return
        self.notify(t("payout.ui.receipt_written", path=str(out)))
        self._open(out)

    def _open(self, path: Path) -> None:
        """Cetak opens what it wrote with the system viewer (unless turned off); the path stays shown."""
        from storage.printing import viewer

        if note := viewer.after_print(self.db.office, path):
            self.notify(note)

    def action_search(self) -> None:
        """``/``: the Items tab's search field, from anywhere on this screen."""
        self.query_one("#pay-tabs", TabbedContent).active = "tab-items"
        self.query_one("#pay-items-filter", Input).focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#pay-items-filter", Input):
            event.stop()
            self.query_one("#pay-items", MemberTable).focus()

    def show_items(self, rows: list[dict] | None = None) -> None:
        """Every item of the quarter (or those the search finds) in the virtual table: only the rows on
        screen are formatted, so 50,000 items list as fast as 50."""
        table = self.query_one("#pay-items", MemberTable)
        rows = rows if rows is not None else self._item_rows()
        everyone = payouts.members_by_id(self.db)
        total = len(rows)
        query = self.query_one("#pay-items-filter", Input).value
        if query.strip():
            rows = payouts.match_items(rows, everyone, query)
        self._item_names = {v["member_id"]: everyone.get(v["member_id"], {}).get("name", "") for v in rows}
        table.set_rows([ItemRow(v["id"], "ACTIVE" if v.get("status") not in ("void", "returned") else "VOID", v)
                        for v in rows], keep=table.current_id)
        self.query_one("#pay-items-note", Static).update(
            t("payout.ui.items_shown", shown=number(len(rows)), total=number(total)))

    def _item_cells(self, row: ItemRow) -> tuple[str, ...]:
        v = row.item
        method = t(f"payout.method.{v['method']}") if v.get("method") in payouts.METHODS else ""
        return (self._item_names.get(v["member_id"], ""),
                f"{pillar_label(v['pillar'])} / {position_label(v.get('position', ''))}",
                *(documents.idr(v.get(name, 0)).rjust(_WIDTH[name]) for name in AMOUNT_COLUMNS),
                t(f"payout.status.{v['status']}"), method,
                _short_kab(regions.kab_name(v.get("kab", ""))) or "-", views.item_note(v))

    def show_rates(self) -> None:
        table = self.query_one("#pay-rates", DataTable)
        table.clear()
        for r in payouts.rates(self.db):
            table.add_row(*views.rate_row(r), key=r["id"])

    def show_outstanding(self) -> None:
        table = self.query_one("#pay-outstanding", DataTable)
        table.clear()
        for r in payouts.outstanding_quarters(self.db):
            table.add_row(quarter_label(r["quarter"]), str(r["items"]), str(r["draft"]), str(r["approved"]),
                          documents.idr(r["net"]), t("payout.yes") if r["arrears"] else t("payout.no"))

    # ------------------------------------------------------------------ guards

    def _can_write(self) -> bool:
        if self.busy:
            self.notify(t("ui.working"), severity="warning")
            return False
        if not self.db.is_province:
            self.notify(t("payout.ui.view_only"), severity="warning")
            return False
        return True

    def _selected(self, table_id: str) -> str | None:
        if table_id == "#pay-items":
            return self.query_one(table_id, MemberTable).current_id
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _error(self, exc: PilarError) -> None:
        self.app.show_error(str(exc))

    def on_worker_state_changed(self, event) -> None:
        # A worker's state message does not bubble: this screen's workers (save, approve, print) are
        # started here, so their refusals (separation of duties, undecided items) reach the app's
        # error dialog only through this.
        self.app.on_worker_state_changed(event)

    # ------------------------------------------------------------------ actions

    def action_quarter(self, step: int) -> None:
        if self.busy:
            return
        self.quarter = self.quarter.shift(step)
        self.plan = None
        self.refresh_all()

    def action_tab(self, step: int) -> None:
        """``<`` / ``>``: the previous or next tab (Pratinjau, Tidak diikutkan, Item, Tarif, Tunggakan)."""
        tabs = self.query_one("#pay-tabs", TabbedContent)
        panes = [p.id for p in tabs.query(TabPane) if p.id]
        tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    def action_toggle_cash(self) -> None:
        """Members without a bank account: excluded (default) or paid in cash."""
        if self.busy:
            return
        self.allow_cash = not self.allow_cash
        self.refresh_all()

    def action_recompute(self) -> None:
        if not self.busy:
            self.refresh_all()

    def action_save_run(self) -> None:
        if not self._can_write() or self.plan is None:
            return
        plan = self.plan
        if not plan.changes:
            self.notify(t("payout.cli.run_nothing", quarter=plan.quarter.code))
            return
        body = _preview_line(plan)
        self.app.push_screen(ConfirmDialog(t("payout.ui.confirm_save", new=number(len(plan.new)), quarter=plan.quarter.code),
                                           body, yes=t("payout.ui.save_run")),
                             lambda yes: yes and self.save_run(plan))

    @work(thread=True, exclusive=True, exit_on_error=False, group="payout-write")
    def save_run(self, plan: payouts.RunPlan) -> None:
        with self._working():
            created = payouts.save_run(self.db, plan)
        # The quarter as saved is the plan with nothing left to do: shown without planning again.
        saved = payouts.RunPlan(plan.quarter, unchanged=plan.unchanged + len(created) + len(plan.updated),
                          excluded=plan.excluded, review=plan.review, totals=plan.totals)
        # What the screen shows next is worked out here, off the event loop (50,000 items).
        shown = (saved, self._item_rows(), payouts.summary(self.db, plan.quarter)) if plan.quarter == self.quarter else None
        self._ui(self._after_write, t("payout.cli.run_saved", quarter=plan.quarter.code,
                                                       new=len(created), updated=len(plan.updated),
                                                       removed=len(plan.removed), unchanged=plan.unchanged),
                                  shown)

    def _after_write(self, message: str, shown: tuple | None = None) -> None:
        self.notify(message)
        if shown is None or shown[0].quarter != self.quarter:
            self.refresh_all()
            return
        plan, rows, summary = shown
        self._shown_seq = self.db.seq
        self.show_items(rows)
        self.show_outstanding()
        self.show_plan(plan, summary)

    def action_approve(self) -> None:
        if not self._can_write():
            return
        drafts = payouts.items(self.db, self.quarter, ("draft",))
        if not drafts:
            self._error(PilarError("payout.nothing_to_approve", quarter=self.quarter.code))
            return
        # Said before any decision is asked for: whoever saved these drafts cannot approve them.
        refusal = payouts.duties_refusal(self.db, self.quarter, drafts)
        if refusal is not None:
            self._error(refusal)
            return
        total = payouts.totals_of(drafts).grand
        body = t("payout.ui.confirm_approve", count=number(total[0]), quarter=quarter_label(self.quarter.code),
                 net=documents.idr(total[3]))
        blockers = payouts.approval_blockers(self.db, self.quarter)
        quarter = self.quarter
        if not blockers:
            self.app.push_screen(ConfirmDialog(t("payout.ui.approve"), body, yes=t("payout.ui.approve")),
                                 lambda yes: yes and self.approve(quarter))
            return
        self.app.push_screen(ApproveDialog(quarter, body, blockers),
                             lambda decisions: decisions is not None and self.approve(quarter, decisions))

    @work(thread=True, exclusive=True, exit_on_error=False, group="payout-write")
    def approve(self, quarter: payouts.Quarter, decisions: dict | None = None) -> None:
        with self._working():
            result = payouts.approve(self.db, quarter, decisions)
        self._ui(self._after_write, t("payout.cli.approved", quarter=result["quarter"],
                                                       by=result["by"], count=number(result["count"]),
                                                       net=documents.idr(result["net"])))

    def action_pay(self) -> None:
        if not self._can_write():
            return
        item_id = self._selected("#pay-items")
        item = payouts.find_item(self.db, item_id)[0] if item_id else None
        events = sorted(self.db.values("events"), key=lambda e: e.get("date", ""), reverse=True)
        self.app.push_screen(PayDialog(events, item), self._pay_chosen)

    def _pay_chosen(self, choice: dict | None) -> None:
        if not choice:
            return
        if choice["method"] == "BANK_FILE":
            self._bank_file(choice["path"])
            return
        members = [choice["member_id"]] if choice.get("member_id") else None
        try:
            if choice["method"] == "CASH":
                result = payouts.pay_cash(self.db, self.quarter, choice["event_id"], members)
            else:
                result = payouts.pay_transfer(self.db, self.quarter, choice["ref"], members)
        except PilarError as exc:
            self._error(exc)
            return
        message = t("payout.cli.paid", quarter=result["quarter"], count=number(result["count"]),
                    method=t(f"payout.method.{choice['method']}"), net=documents.idr(result["net"]))
        if result.get("held"):
            message += " " + t("payout.cli.held", count=len(result["held"]), names="…")
        self._after_write(message)

    def _bank_file(self, path: str) -> None:
        """Show what the bank's result file would do (rows paid, returned, not applied), then apply it."""
        from storage.payouts import bank_result as payout_bank

        quarter = self.quarter
        try:
            plan = payout_bank.import_bank_result(self.db, quarter, path, dry_run=True)
        except PilarError as exc:
            self._error(exc)
            return
        counts = plan.counts()
        lines = [t("payout.cli.bank_result", quarter=plan.quarter.code, **counts)]
        for p in plan.problems[:8]:
            lines.append(t("payout.ui.bank_problem", line=p["line"], account=p["account"],
                           problem=t(f"payout.bank.problem.{p['problem']}", **p["detail"])))
        if len(plan.problems) > 8:
            lines.append(t("payout.ui.bank_more", count=len(plan.problems) - 8))
        if not (counts["paid"] or counts["returned"]):
            self._error(PilarError("payout.bank_nothing", quarter=plan.quarter.code, detail="\n".join(lines)))
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                done = payout_bank.import_bank_result(self.db, quarter, path)
            except PilarError as exc:
                self._error(exc)
                return
            self._after_write(t("payout.cli.bank_result", quarter=done.quarter.code, **done.counts()))

        self.app.push_screen(ConfirmDialog(t("payout.ui.bank_title", quarter=plan.quarter.code), "\n".join(lines),
                                           yes=t("payout.ui.bank_apply")), answered)

    def action_void(self) -> None:
        if not self._can_write():
            return
        item_id = self._selected("#pay-items")
        if not item_id:
            self.notify(t("payout.ui.no_selection"), severity="warning")
            return
        item = payouts.find_item(self.db, item_id)[0]
        name = (self.db.get("members", item["member_id"]) or {}).get("name", "") if item else ""
        refusal = payouts.void_refusal(self.db, item_id)  # said before a reason is typed, not after
        if refusal is not None:
            self.app.show_error(t("payout.ui.void_paid", name=name, net=documents.idr(item["net"]))
                                if refusal.key == "payout.void_paid" else str(refusal))
            return
        self.app.push_screen(VoidDialog(item, name), self._void_chosen)

    def _void_chosen(self, choice: dict | None) -> None:
        if not choice:
            return
        try:
            result = payouts.void(self.db, choice["id"], choice["reason"], reissue=choice["reissue"])
        except PilarError as exc:
            self._error(exc)
            return
        message = (t("payout.cli.reissued", old=choice["id"][:8], id=result["id"][:8]) if choice["reissue"]
                   else t("payout.cli.voided", id=choice["id"][:8]))
        self._after_write(message)

    def action_return_item(self) -> None:
        """``k``: the selected paid item's money came back (retur, cash handed back): reopen or close it."""
        if not self._can_write():
            return
        item_id = self._selected("#pay-items")
        item = payouts.find_item(self.db, item_id)[0] if item_id else None
        if item is None:
            self.notify(t("payout.ui.no_selection"), severity="warning")
            return
        if item["status"] != "paid":
            self._error(PilarError("payout.return_not_paid", id=item_id[:8], status=t(f"payout.status.{item['status']}")))
            return
        self.app.push_screen(ReturnDialog(item), self._return_chosen)

    def _return_chosen(self, choice: dict | None) -> None:
        if not choice:
            return
        try:
            result = payouts.return_item(self.db, choice["id"], choice["reason"], choice["date"], reopen=choice["reopen"])
        except PilarError as exc:
            self._error(exc)
            return
        message = (t("payout.cli.reopened", old=choice["id"][:8], id=result["id"][:8]) if choice["reopen"]
                   else t("payout.cli.returned", id=choice["id"][:8], date=choice["date"]))
        self._after_write(message)

    def action_duties(self) -> None:
        """``d``: separation of duties on or off (a province setting)."""
        if not self._can_write():
            return
        on = payouts.separate_duties(self.db)
        state, new = (t("payout.duties.on"), t("payout.duties.off")) if on else (t("payout.duties.off"),
                                                                                 t("payout.duties.on"))
        self.app.push_screen(ConfirmDialog(t("ui.key.payouts.duties"), t("payout.ui.duties_confirm", state=state, new=new)),
                             lambda yes: yes and self._set_duties(not on))

    def _set_duties(self, on: bool) -> None:
        try:
            payouts.set_separate_duties(self.db, on)
        except PilarError as exc:
            self._error(exc)
            return
        self.show_quarter_line()
        self.notify(t("payout.cli.duties", state=t("payout.duties.on" if on else "payout.duties.off")))

    def action_new_rate(self) -> None:
        self._rate_form(None)

    def action_edit_rate(self) -> None:
        rate_id = self._selected("#pay-rates")
        if not rate_id:
            self.notify(t("payout.ui.no_rate_selected"), severity="warning")
            return
        self._rate_form(self.db.get("rates", rate_id))

    def _rate_form(self, rate: dict | None) -> None:
        if not self._can_write():
            return
        r = rate or {}
        # Pick lists for the codes and dates as every form writes them (HH-BB-TTTT); stored as before.
        fields = [
            Field("pillar", t("payout.h.pillar"), r.get("pillar", ""), choices=[(pillar_label(p), p) for p in PILLARS]),
            Field("position", t("payout.h.position"), r.get("position", ""),
                  choices=[(t("payout.all_positions"), "")] + [(position_label(p), p) for p in POSITIONS]),
            Field("amount", t("payout.h.amount"), str(r.get("amount", "")), "1.500.000"),
            Field("tax", t("payout.ui.tax_fixed"), str(r.get("tax", 0))),
            Field("pph21", t("payout.ui.pph21"), pph21_text(r), "5"),
            Field("start", f"{t('payout.h.start')} ({t('events.ui.date_hint')})",
                  short_date(r["start"]) if r.get("start") else "", "01-01-2024"),
            Field("end", f"{t('payout.h.end')} ({t('events.ui.date_hint')})",
                  short_date(r["end"]) if r.get("end") else "", t("payout.ui.rate_end_blank")),
            Field("funding", t("payout.h.funding"), r.get("funding", "APBD_PROVINSI"),
                  choices=[(t(f"payout.funding.{f}"), f) for f in payouts.FUNDING]),
            Field("kind", t("payout.h.kind"), r.get("kind", "OPERASIONAL"),
                  choices=[(t(f"payout.kind.{k}"), k) for k in payouts.RATE_KINDS]),
            Field("note", t("payout.h.note"), r.get("note", "")),
        ]

        def save(values: dict) -> str | None:
            try:
                rule, bp = parse_pph21(values["pph21"])  # the same reading as pilar payout rate set --pph21
                payouts.set_rate(self.db, pillar=values["pillar"], position=values["position"],
                                 amount=values["amount"], tax=values["tax"] or 0, start=values["start"].strip(),
                                 end=values["end"].strip(), funding=values["funding"], kind=values["kind"],
                                 note=values["note"].strip(), rate_id=r.get("id"), demo=bool(r.get("demo")),
                                 tax_rule=rule, tax_bp=bp)
            except PilarError as exc:
                return str(exc)
            return None

        title = t("payout.ui.edit_rate") if rate else t("payout.ui.add_rate")
        self.app.push_screen(PromptDialog(title, fields, check=save, ok=t("payout.ui.ok")),
                             lambda values: values and self._after_write(t("payout.ui.saved")))

    def action_print(self) -> None:
        if self.busy:
            return
        default = str(Path(self.app.data_dir) / "cetak")
        self.app.push_screen(PromptDialog(t("payout.ui.print_title"),
                                          [Field("folder", t("payout.ui.print_folder"), default)]),
                             lambda values: values and self._start_print(Path(values["folder"].strip() or default)))

    def _start_print(self, folder: Path) -> None:
        dialog = ProgressDialog(t("payout.ui.printing"), total=100)
        self.app.push_screen(dialog)
        self.print_documents(folder, dialog)

    @work(thread=True, exclusive=True, exit_on_error=False, group="payout-print")
    def print_documents(self, folder: Path, dialog: ProgressDialog) -> None:
        """Daftar nominatif (pdf, txt, html, csv, xlsx), receipts (pdf, html), kwitansi and rekap (pdf) and
        the bank file (when any is due); the nominatif PDF is opened."""
        jobs = documents.PRINT_SET
        written, warning = [], ""
        with self._working(dialog), io_errors(folder):
            folder.mkdir(parents=True, exist_ok=True)
            for n, (doc, fmt_name) in enumerate(jobs):
                def progress(done, total, n=n, label=f"{doc} {fmt_name}"):
                    share = 100 * (n + (done / total if total else 1)) / len(jobs)
                    self._ui(dialog.set_progress, int(share), 100, label)

                out = folder / documents.default_name(self.quarter, doc, fmt_name)
                opts = {"progress": progress} if doc in ("nominatif", "receipts") and fmt_name != "csv" \
                    and fmt_name != "xlsx" else {}
                try:
                    if doc == "bank":  # in the office's bank template; bad accounts are left out and listed
                        made = documents.bank.write(self.db, self.quarter, folder)
                        written.append(made.path)
                        if made.left_out:
                            warning = t("bankfile.ui.left_out", count=len(made.left_out),
                                        path=str(made.left_out_path))
                        continue
                    documents.write(self.db, self.quarter, out, doc, fmt_name, **opts)
                    written.append(out)
                except PilarError as exc:
                    if doc == "bank" and exc.key in ("payout.nothing_to_pay", "bankfile.nothing_valid"):
                        warning = str(exc) if exc.key == "bankfile.nothing_valid" else warning
                        continue
                    raise
        self._ui(self.notify, t("payout.ui.printed", path=str(folder)))
        if warning:
            self._ui(self.notify, warning, severity="warning", timeout=20, markup=False)
        if written:
            self._ui(self._open, written[0])

    def action_pagu(self) -> None:
        """``g``: the pagu of the quarter's year: set, cut (with the reason) or raise (with the decision)."""
        if self._can_write():
            treasury.ask_pagu(self)

    def action_treasury_files(self) -> None:
        """``u``: realisasi, meterai list, BP21 file and the notices of the quarter into the print folder."""
        if not self.busy:
            treasury.write_files(self)

    def action_spj(self) -> None:
        """``j``: the quarter's SPJ package (every document, manifest with SHA-256) into a folder or zip."""
        if self.busy:
            return
        default = str(Path(self.app.data_dir) / "cetak" / f"spj_{self.quarter.code}.zip")
        fields = [Field("path", t("spj.ui.path"), default), Field("event", t("spj.ui.event"), "")]
        self.app.push_screen(PromptDialog(t("spj.ui.title", quarter=quarter_label(self.quarter.code)), fields),
                             lambda values: values and self._start_spj(values))

    def _start_spj(self, values: dict) -> None:
        dialog = ProgressDialog(t("spj.ui.making"), total=100)
        self.app.push_screen(dialog)
        self.make_spj(Path(values["path"].strip()).expanduser(), values["event"].strip() or None, dialog)

    @work(thread=True, exclusive=True, exit_on_error=False, group="payout-print")
    def make_spj(self, out: Path, event_id: str | None, dialog: ProgressDialog) -> None:
        from storage.payouts.documents import spj

        def progress(done, total, label):
            self._ui(dialog.set_progress, int(100 * done / total) if total else 100, 100, label)

        with self._working(dialog), io_errors(out):
            out.parent.mkdir(parents=True, exist_ok=True)
            spj.make(self.db, self.quarter, out, event_id=event_id, progress=progress)
        self._ui(self.notify, t("payout.ui.spj_written", quarter=self.quarter.code, path=str(out)))


