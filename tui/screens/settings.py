"""Settings of this office (F10 or the command palette): its name and the kop (city, address, telephone,
logo file), and at the province who signs the payout documents (daftar nominatif, tanda terima, and
"Mengetahui, Kepala Dinas / KPA"), whether separation of duties is on and the template of the bank
transfer file; at every office whether Cetak opens what it wrote."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from storage import payouts
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt
from storage.office import logo, settings
from storage.office.letterhead import contact
from storage.payouts import bankfile as bank_file
from storage.printing import viewer
from tui.dialogs import GuardedForm
from tui.widgets.keys import localize_bindings

SIGNER_FIELDS = ("treasurer", "treasurer_nip", "officer", "officer_nip", "officer_title", "head", "head_nip",
                 "head_title")


class SettingsScreen(GuardedForm, ModalScreen[bool | None]):
    """One form for the office's settings; ctrl+s saves (each change audited), Esc with changes asks."""

    BINDINGS = [
        Binding("ctrl+s", "save", "-", id="settings.save"),
        Binding("escape", "cancel", "-", id="settings.cancel"),
    ]
    DEFAULT_CSS = """
    SettingsScreen .settings { max-width: 90; height: 90%; }
    SettingsScreen #settings-body { height: 1fr; }
    SettingsScreen .section { text-style: bold; color: $text-primary; margin: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        db = self.app.db
        with Vertical(classes="dialog settings"):
            yield Label(t("ui.settings.title"), classes="dialog-title", markup=False)
            with VerticalScroll(id="settings-body"):
                yield Label(t("ui.settings.office_name"), classes="field-label", markup=False)
                yield Input(db.office.get("name", ""), id="office-name")
                yield Label(t("ui.settings.city"), classes="field-label", markup=False)
                yield Input(settings.letterhead_city(db), id="city")
                kop = contact(db)
                for key in ("address", "phone"):
                    yield Label(t(f"ui.settings.{key}"), classes="field-label", markup=False)
                    yield Input(kop[key], id=f"kop-{key}")
                yield Label(t("ui.settings.logo"), classes="field-label", markup=False)
                yield Input(self._logo_shown(), placeholder=t("ui.settings.logo_example"), id="kop-logo")
                yield Static(self._logo_state(), id="logo-state", classes="dialog-hint", markup=False)
                yield Checkbox(t("viewer.ui.setting"), value=self._viewer_on(), id="viewer")
                if db.is_province:
                    signers = payouts.signers(db)
                    yield Label(t("ui.settings.signers"), classes="section", markup=False)
                    for name in SIGNER_FIELDS:
                        yield Label(t(f"ui.settings.{name}"), classes="field-label", markup=False)
                        yield Input(signers.get(name, ""), id=f"s-{name}")
                    yield Label(t("ui.settings.money"), classes="section", markup=False)
                    yield Checkbox(t("ui.settings.duties"), value=payouts.separate_duties(db), id="duties")
                    yield Label(t("bankfile.ui.template"), classes="field-label", markup=False)
                    yield Select([(bank_file.label(bank), bank) for bank in bank_file.templates()],
                                 value=bank_file.chosen(db.office), allow_blank=False, id="bank-template")
                else:
                    yield Static(t("ui.settings.upt_note"), classes="dialog-hint", markup=False)
            yield Static("", id="problem", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ui.cancel"), id="cancel")
                yield Button(t("ui.save"), id="save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#office-name", Input).focus()

    def _logo_shown(self) -> str:
        """The logo as the field shows it: the copy kept in the data folder (its full path), or empty."""
        kept = logo.path(self.app.db)
        return str(kept) if kept else ""

    def _logo_state(self) -> str:
        name = str(self.app.db.office.get(logo.SETTING) or "")
        if not name:
            return ""
        return t("ui.settings.logo_kept", name=name) if logo.path(self.app.db) else t("ui.settings.logo_missing",
                                                                                       name=name)

    def _viewer_on(self) -> bool:
        """The setting as kept (not :func:`viewer.enabled`, which is also off under a test)."""
        return self.app.db.office.get(viewer.SETTING, True) is not False

    def action_save(self) -> None:
        app, db = self.app, self.app.db
        name = " ".join(self.query_one("#office-name", Input).value.split())
        city = " ".join(self.query_one("#city", Input).value.split())
        if not name:
            self.query_one("#problem", Static).update(t("ui.settings.need_name"))
            return
        if db.is_province:  # a wrong NIP is said before anything is saved (the viewer setting included)
            for key in settings.SIGNER_NIPS:
                value = self.query_one(f"#s-{key}", Input).value
                if problem := fmt.nip_problem(value):
                    self.query_one("#problem", Static).update(t(problem, what=t(f"ui.settings.{key}"), value=value))
                    self.query_one(f"#s-{key}", Input).focus()
                    return
        try:
            typed = self.query_one("#kop-logo", Input).value.strip()
            if typed != self._logo_shown():  # checked and copied before anything else is saved
                if typed:
                    logo.set_logo(db, typed)
                else:
                    logo.clear_logo(db)
            opens = self.query_one("#viewer", Checkbox).value
            if opens != self._viewer_on():
                viewer.set_enabled(db, opens)
            if db.is_province:
                signers = {n: " ".join(self.query_one(f"#s-{n}", Input).value.split()) for n in SIGNER_FIELDS}
                if signers != {n: payouts.signers(db).get(n, "") for n in SIGNER_FIELDS} or city != payouts.signers(db)["place"]:
                    payouts.set_signers(db, place=city, **signers)
                duties = self.query_one("#duties", Checkbox).value
                if duties != payouts.separate_duties(db):
                    payouts.set_separate_duties(db, duties)
                bank = self.query_one("#bank-template", Select).value
                if bank != bank_file.chosen(db.office):
                    bank_file.set_chosen(db, bank)
        except PilarError as exc:
            self.query_one("#problem", Static).update(str(exc))
            if exc.key.startswith("logo."):
                self.query_one("#kop-logo", Input).focus()
            return
        kop = {key: " ".join(self.query_one(f"#kop-{key}", Input).value.split()) for key in ("address", "phone")}
        app.remember(name=name, city=city, **kop)
        app.title = name
        app.notify(t("ui.settings.saved"))
        self.dismiss(True)

    def guard_save(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.close_guarded()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()
