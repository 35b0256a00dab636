"""The payout dialogs: pay, void, approve with decisions, record returned money. Each is a FormDialog: it dismisses with what was asked (a dict) or None."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    Static,
)

from storage import payouts
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain.fmt import number, quarter_label
from storage.domain.model import pillar_label
from storage.payouts import documents
from tui.dialogs import SAVE_BINDING, FormDialog


class PayoutDialog(FormDialog):
    """A payout dialog: Esc (its key label ``payouts.dialog.cancel``) closes, asking first when something
    was typed."""

    BINDINGS = [Binding("escape", "cancel", "-", id="payouts.dialog.cancel"), SAVE_BINDING]


class PayDialog(PayoutDialog):
    """Mark paid: by bank transfer (a reference) or in cash at an event (checked-in members only)."""


    def __init__(self, events: list[dict], item: dict | None) -> None:
        super().__init__()
        self.events, self.item = events, item

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with VerticalScroll(classes="dialog", can_focus=False):  # at 80x24 the buttons were below the screen
            yield Label(t("payout.ui.pay_title"), classes="dialog-title")
            yield Select([(t("payout.method.TRANSFER"), "TRANSFER"), (t("payout.method.CASH"), "CASH"),
                          (t("payout.method.BANK_FILE"), "BANK_FILE")],
                         value="TRANSFER", allow_blank=False, id="method")
            yield Label(t("payout.ui.pay_transfer"), classes="field-label")
            yield Input(id="ref", placeholder="BJTM-2024-04-0001")
            yield Label(t("payout.ui.pay_bank_file"), classes="field-label")
            yield Input(id="bankfile", placeholder="E:\\hasil-bank-2024-Q2.xlsx")
            yield Label(t("payout.ui.pay_cash"), classes="field-label")
            yield Select([(f"{e.get('date', '')} {e.get('name', '')}", e["id"]) for e in self.events], id="event",
                         prompt="—")
            yield Checkbox(t("payout.ui.pay_scope"), value=False, id="only", disabled=self.item is None)
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("payout.ui.cancel"), id="cancel")
                yield Button(t("payout.ui.pay"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ref", Input).focus()

    @on(Input.Submitted, "#ref")
    @on(Input.Submitted, "#bankfile")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        method = self.query_one("#method", Select).value
        choice = {"method": method, "ref": self.query_one("#ref", Input).value.strip()}
        if self.item is not None and self.query_one("#only", Checkbox).value:
            choice["member_id"] = self.item["member_id"]
        if method == "BANK_FILE":
            # The bank's result file: a reference per account, paid or returned (storage/payouts/bank_result.py).
            raw = self.query_one("#bankfile", Input).value.strip().strip('"')
            path = Path(raw).expanduser() if raw else None
            if path is None or not path.is_file():
                self.query_one("#problem", Static).update(t("payout.need_bank_file", path=raw or "—"))
                return
            self.dismiss({"method": method, "path": str(path)})
            return
        if method == "CASH":
            event = self.query_one("#event", Select).value
            if event is Select.BLANK or not event:
                self.query_one("#problem", Static).update(t("payout.need_event"))
                return
            choice["event_id"] = event
        elif not choice["ref"]:
            self.query_one("#problem", Static).update(t("payout.need_ref"))
            return
        self.dismiss(choice)


class VoidDialog(PayoutDialog):
    """Void one item (shown by the member's name, pillar and amount) with a reason; optionally make its
    replacement at once. Esc with a reason typed asks first."""


    def __init__(self, item: dict, name: str) -> None:
        super().__init__()
        self.item, self.member_name = item, name
        self.item_id = item["id"]

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(classes="dialog"):
            yield Label(t("payout.ui.void_title"), classes="dialog-title")
            yield Label(f"{self.member_name} · {pillar_label(item['pillar'])} · {documents.idr(item['net'])} · "
                        f"{t('payout.status.' + item['status'])} · {item['quarter']}", markup=False, id="void-what")
            yield Label(t("payout.ui.void_reason"), classes="field-label")
            yield Input(id="reason")
            yield Checkbox(t("payout.ui.void_reissue"), value=False, id="reissue")
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("payout.ui.void_back"), id="cancel")
                yield Button(t("payout.ui.void_go"), id="ok", variant="error")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#problem", Static).update(t("payout.ui.need_reason"))
            return
        self.dismiss({"id": self.item_id, "reason": reason, "reissue": self.query_one("#reissue", Checkbox).value})


class ApproveDialog(PayoutDialog):
    """Approve a quarter whose held or flagged items each need a decision: approve anyway or void, with a
    reason. An item whose bank account is contested offers voiding only. Dismisses with the decisions."""

    MAX_ROWS = 40
    DEFAULT_CSS = """
    ApproveDialog #blockers { height: auto; max-height: 18; }
    ApproveDialog #blockers Label { width: 100%; }
    ApproveDialog .blocker { height: auto; }
    ApproveDialog .blocker Select { width: 24; }
    ApproveDialog .blocker Input { width: 1fr; }
    """

    def __init__(self, quarter: payouts.Quarter, body: str, blockers: list[dict]) -> None:
        super().__init__()
        self.quarter, self.body, self.blockers = quarter, body, blockers

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with VerticalScroll(classes="dialog", can_focus=False):  # at 80x24 the buttons were below the screen
            yield Label(t("payout.ui.approve_title", quarter=quarter_label(self.quarter.code)), classes="dialog-title")
            yield Static(self.body, classes="dialog-body", markup=False)
            yield Static(t("payout.ui.blockers_intro", count=number(len(self.blockers))), markup=False)
            with VerticalScroll(id="blockers"):
                for i, b in enumerate(self.blockers[: self.MAX_ROWS]):
                    yield Label(f"{b['name']} · {pillar_label(b['pillar'])} · {documents.idr(b['net'])} — "
                                f"{payouts.blocker_label(b)}", markup=False, id=f"what-{i}")
                    options = ([(t("payout.ui.decide_approve"), "approve")] if b["can_approve"] else []) + \
                        [(t("payout.ui.decide_void"), "void")]
                    with Horizontal(classes="blocker"):
                        yield Select(options, prompt="—", id=f"decide-{i}")
                        yield Input(placeholder=t("payout.ui.decide_reason"), id=f"reason-{i}")
            if len(self.blockers) > self.MAX_ROWS:
                yield Static(t("payout.ui.blockers_more", count=number(len(self.blockers)), quarter=self.quarter.code),
                             markup=False)
            if any("conflict" in b["reasons"] for b in self.blockers):
                yield Static(t("payout.hold.todo"), markup=False)
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("payout.ui.cancel"), id="no")
                yield Button(t("payout.ui.approve"), id="yes", variant="primary")

    @on(Button.Pressed, "#no")
    def _decline(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#yes")
    def _ok(self) -> None:
        problem = self.query_one("#problem", Static)
        if len(self.blockers) > self.MAX_ROWS:
            problem.update(t("payout.ui.blockers_more", count=number(len(self.blockers)), quarter=self.quarter.code))
            return
        decisions, missing = {}, 0
        for i, b in enumerate(self.blockers):
            action = self.query_one(f"#decide-{i}", Select).value
            reason = self.query_one(f"#reason-{i}", Input).value.strip()
            if action is Select.BLANK or not action or not reason:
                missing += 1
                continue
            decisions[b["id"]] = {"action": action, "reason": reason}
        if missing:
            problem.update(t("payout.ui.undecided", count=missing))
            return
        self.dismiss(decisions)


class ReturnDialog(PayoutDialog):
    """A paid item's money came back: reason, the date, and whether it is owed again (a new draft)."""


    def __init__(self, item: dict) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(classes="dialog"):
            yield Label(t("payout.ui.return_title"), classes="dialog-title")
            yield Label(f"{item['id'][:8]} · {pillar_label(item['pillar'])} · {documents.idr(item['net'])} · "
                        f"{item.get('transfer_ref') or t('payout.method.' + (item.get('method') or 'TRANSFER'))}",
                        markup=False)
            yield Label(t("payout.ui.return_reason"), classes="field-label")
            yield Input(id="reason")
            yield Label(t("payout.ui.return_date"), classes="field-label")
            yield Input(dt.date.today().isoformat(), id="date")
            yield Checkbox(t("payout.ui.return_reopen"), value=True, id="reopen")
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("payout.ui.cancel"), id="cancel")
                yield Button(t("payout.ui.return_ok"), id="ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        date = self.query_one("#date", Input).value.strip()
        problem = self.query_one("#problem", Static)
        if not reason:
            problem.update(t("payout.need_return_reason"))
            return
        try:
            date = payouts.check_date(date, "return_date")
        except PilarError as exc:
            problem.update(str(exc))
            return
        self.dismiss({"id": self.item["id"], "reason": reason, "date": date,
                      "reopen": self.query_one("#reopen", Checkbox).value})
