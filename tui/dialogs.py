"""Modal dialogs shared by every section: confirm, error, text prompt(s), progress, operator name."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static, TextArea

from storage.core.i18n import t
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


class UnsavedDialog(Dialog):
    """Asked when a form with unsaved typing is closed (Esc) or the app quit (ctrl+q): dismisses with
    "save", "discard" or None (keep editing)."""

    BINDINGS = [
        Binding("s", "answer('save')", "-", id="unsaved.save"),
        Binding("b,d", "answer('discard')", "-", id="unsaved.discard"),
        Binding("escape", "cancel", "-", id="unsaved.keep"),
    ]

    def __init__(self, form: str = "") -> None:
        super().__init__()
        self.form = form

    def compose(self) -> ComposeResult:
        body = t("ui.unsaved.body_quit", form=self.form) if self.form else t("ui.unsaved.body")
        with Vertical(classes="dialog"):
            yield Label(t("ui.unsaved.title"), classes="dialog-title", markup=False)
            yield Static(body, classes="dialog-body", id="unsaved-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.unsaved.keep"), id="keep")
                yield Button(t("ui.unsaved.discard"), id="discard", variant="error")
                yield Button(t("ui.unsaved.save"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "keep" else event.button.id)


# ctrl+s saves in every form and dialog that has something to save (each class lists it in its BINDINGS:
# Textual takes bindings only from widget classes, not from this mixin).
SAVE_BINDING = Binding("ctrl+s", "save_form", "-", id="dialog.save")


class GuardedForm:
    """Mixed into a form screen: closing it with Esc (``close_guarded``) or quitting the app with ctrl+q
    while something typed is not saved asks first (save / discard / keep editing).

    What the form holds (every input, pick list, tick box) is taken when it is mounted; the form is
    "dirty" when that differs now. ``guard_save`` is the form's own save (it dismisses on success).
    """

    def _on_mount(self, event: object) -> None:
        self._guard_start = self._form_state()
        self._guard_closed = False

    def _form_state(self) -> dict:
        state = {}
        for i, widget in enumerate(self.query("Input, Select, Checkbox, TextArea")):  # type: ignore[attr-defined]
            if isinstance(widget, TextArea):
                value: object = widget.text
            elif isinstance(widget, (Input, Select, Checkbox)):
                value = widget.value
            else:
                continue
            state[widget.id or f"#{i}"] = value
        return state

    def is_dirty(self) -> bool:
        start = getattr(self, "_guard_start", None)
        return start is not None and not self._guard_closed and self._form_state() != start

    def guard_title(self) -> str:
        """How the quit question names this form."""
        for label in self.query(".dialog-title"):  # type: ignore[attr-defined]
            return str(label.render())
        return ""

    def guard_save(self) -> None:
        raise NotImplementedError

    def action_save_form(self) -> None:
        """ctrl+s: the form's own save, in every dialog (``SAVE_BINDING``)."""
        self.guard_save()

    def dismiss(self, result=None):  # type: ignore[no-untyped-def]
        self._guard_closed = True
        return super().dismiss(result)  # type: ignore[misc]

    def close_guarded(self) -> None:
        """Esc: close at once when nothing was typed, else ask."""
        if not self.is_dirty():
            self.dismiss(None)
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self.guard_save()
            elif answer == "discard":
                self.dismiss(None)

        self.app.push_screen(UnsavedDialog(), answered)  # type: ignore[attr-defined]


class ConfirmDialog(Dialog):
    """Yes/No question; dismisses with True or False. Enter does not answer by itself: Tab to a button,
    or press y or n."""

    CANCEL_VALUE = False
    BINDINGS = [
        Binding("y", "answer(True)", "-", id="dialog.yes"),
        Binding("n", "answer(False)", "-", id="dialog.no"),
    ]

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
            yield Static(t("ui.confirm.keys"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

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
    # A pick list instead of typing a code: (words shown, value kept); the value must be one of them.
    choices: list[tuple[str, str]] | None = None


class PromptDialog(GuardedForm, Dialog):
    """A few labelled text fields; dismisses with {name: text} or None. Enter in any field or ctrl+s
    submits (Tab moves between the fields).

    ``check`` may return an error sentence to keep the dialog open. Esc with something typed asks first.
    """

    BINDINGS = [SAVE_BINDING]

    def __init__(self, title: str, fields: list[Field], body: str = "", ok: str | None = None,
                 check=None, checkbox: str | None = None, checkbox_value: bool = True,
                 cancel: bool = True) -> None:
        super().__init__()
        self.title_text, self.fields, self.body, self.ok_label = title, fields, body, ok
        self.check = check
        self.checkbox, self.checkbox_value = checkbox, checkbox_value
        self.can_cancel = cancel

    def compose(self) -> ComposeResult:
        # Scrolls on a short screen (a rate's nine fields at 80x24): the focused field is always in view.
        with VerticalScroll(classes="dialog", can_focus=False):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.body:
                yield Static(self.body, classes="dialog-body", markup=False)
            for f in self.fields:
                yield Label(f.label, classes="field-label", markup=False)
                if f.choices is not None:
                    known = {v for _, v in f.choices}
                    yield Select(f.choices, value=f.value if f.value in known else f.choices[0][1],
                                 allow_blank=False, id=f"f-{f.name}")
                else:
                    yield Input(value=f.value, placeholder=f.placeholder, password=f.password, id=f"f-{f.name}")
            if self.checkbox:
                yield Checkbox(self.checkbox, value=self.checkbox_value, id="checkbox")
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                if self.can_cancel:
                    yield Button(t("ui.cancel"), id="cancel")
                yield Button(self.ok_label or t("ui.ok"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(f"#f-{self.fields[0].name}").focus()

    def values(self) -> dict[str, str]:
        out = {f.name: str(self.query_one(f"#f-{f.name}", Input | Select).value) for f in self.fields}
        if self.checkbox:
            out["_checkbox"] = self.query_one("#checkbox", Checkbox).value
        return out

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._ok()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        values = self.values()
        problem = self.check(values) if self.check else None
        if problem:
            shown = self.query_one("#problem", Static)
            shown.update(problem)
            shown.scroll_visible()  # on a short screen the sentence would be below the fold
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.close_guarded()

    def guard_save(self) -> None:
        self._ok()


class OperatorDialog(PromptDialog):
    """Who is on duty (recorded in the audit log with every change): asked at the start when no name is
    remembered, and on F9 (Ganti petugas) to hand the PC to another clerk without closing Pilar.

    At the start the name cannot be skipped (no Batal, Esc does nothing; ctrl+q still quits): without a
    name nothing could be saved. On a change, Batal or Esc keeps the clerk on duty."""

    def __init__(self, current: str = "", changing: bool = False, remember: bool = True) -> None:
        self.changing = changing
        title = t("ui.operator.change_title") if changing else t("ui.operator.title")
        body = t("ui.operator.change_body", operator=current) if changing and current else t("ui.operator.body")
        super().__init__(title, [Field("name", t("validate.field.name"), "" if changing else current)],
                         body=body, check=self._check, checkbox=t("ui.operator.remember"),
                         checkbox_value=remember, cancel=changing)

    @staticmethod
    def _check(values: dict) -> str | None:
        return None if values["name"].strip() else t("ui.operator.empty")

    def is_dirty(self) -> bool:
        return False  # a name typed and not confirmed is not work to lose

    def action_cancel(self) -> None:
        if self.changing:
            self.dismiss(None)


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


class FormDialog(GuardedForm, ModalScreen[dict | None]):
    """A modal form that dismisses with what was asked (a dict) or None. Esc closes it, asking first when
    something was typed (:class:`GuardedForm`); saving from that question runs ``_ok``, as Enter and the
    OK button do; the Cancel button (``#cancel``) closes at once. Subclasses write ``compose`` and ``_ok``."""

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def action_cancel(self) -> None:
        self.close_guarded()

    def guard_save(self) -> None:
        self._ok()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _ok(self) -> None:
        raise NotImplementedError
