"""Modal dialogs shared by every section: confirm, error, text prompt(s), progress, operator name."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Static

from storage.i18n import t
from tui.widgets.keys import localize_bindings


class Dialog(ModalScreen):
    """Base of the small centred dialogs; Esc cancels (dismisses with None / False)."""

    BINDINGS = [Binding("escape", "cancel", "-", id="dialog.cancel")]
    CANCEL_VALUE: object = None

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def action_cancel(self) -> None:
        self.dismiss(self.CANCEL_VALUE)


class ConfirmDialog(Dialog):
    """Yes/No question; dismisses with True or False. Enter does not answer by itself: Tab to a button."""

    CANCEL_VALUE = False

    def __init__(self, title: str, body: str = "", yes: str | None = None, danger: bool = False) -> None:
        super().__init__()
        self.title_text, self.body, self.yes_label, self.danger = title, body, yes, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.body:
                yield Static(self.body, classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.no"), id="no")
                yield Button(self.yes_label or t("ui.yes"), id="yes", variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)


class ErrorDialog(Dialog):
    """A sentence that says what went wrong and what to do."""

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__()
        self.message, self.title_text = message, title or t("ui.error.title")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.message, classes="dialog-body", id="message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.ok"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(None)


@dataclass
class Field:
    """One text field of a :class:`PromptDialog`."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    password: bool = False


class PromptDialog(Dialog):
    """A few labelled text fields; dismisses with {name: text} or None. Enter in the last field submits.

    ``check`` may return an error sentence to keep the dialog open.
    """

    def __init__(self, title: str, fields: list[Field], body: str = "", ok: str | None = None,
                 check=None, checkbox: str | None = None) -> None:
        super().__init__()
        self.title_text, self.fields, self.body, self.ok_label = title, fields, body, ok
        self.check = check
        self.checkbox = checkbox

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.body:
                yield Static(self.body, classes="dialog-body", markup=False)
            for f in self.fields:
                yield Label(f.label, classes="field-label", markup=False)
                yield Input(value=f.value, placeholder=f.placeholder, password=f.password, id=f"f-{f.name}")
            if self.checkbox:
                yield Checkbox(self.checkbox, value=True, id="checkbox")
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(self.ok_label or t("ui.ok"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(f"#f-{self.fields[0].name}", Input).focus()

    def values(self) -> dict[str, str]:
        out = {f.name: self.query_one(f"#f-{f.name}", Input).value for f in self.fields}
        if self.checkbox:
            out["_checkbox"] = self.query_one("#checkbox", Checkbox).value
        return out

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        names = [f"f-{f.name}" for f in self.fields]
        if event.input.id == names[-1]:
            self._ok()
        else:
            self.focus_next()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        values = self.values()
        problem = self.check(values) if self.check else None
        if problem:
            self.query_one("#problem", Static).update(problem)
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class OperatorDialog(PromptDialog):
    """Asked once per start when no operator is known: who is on duty (recorded in the audit log)."""

    def __init__(self, current: str = "") -> None:
        super().__init__(t("ui.operator.title"), [Field("name", t("validate.field.name"), current)],
                         body=t("ui.operator.body"), check=self._check, checkbox=t("ui.operator.remember"))

    @staticmethod
    def _check(values: dict) -> str | None:
        return None if values["name"].strip() else t("ui.operator.empty")

    def action_cancel(self) -> None:
        """The name is needed: Esc does not skip it."""


class ProgressDialog(ModalScreen):
    """A progress bar for slow work running in a thread worker; the worker updates it with ``advance``."""

    def __init__(self, title: str, total: int | None = None) -> None:
        super().__init__()
        self.title_text, self.total = title, total

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(t("ui.working"), id="status", markup=False)
            yield ProgressBar(total=self.total, id="bar", show_eta=False)

    def set_progress(self, done: int, total: int, text: str = "") -> None:
        bar = self.query_one("#bar", ProgressBar)
        bar.update(total=total, progress=done)
        if text:
            self.query_one("#status", Static).update(text)
