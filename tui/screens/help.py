"""Help: every key that works on the screen underneath, read from its active bindings."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from storage.core.i18n import keys as catalogue
from storage.core.i18n import t
from tui.widgets.keys import localize_bindings


def _system_action(action: str) -> str:
    """Textual's own keys (scrolling, focus, copy) described from the catalogue; '' when unknown."""
    key = "ui.action." + action.split("(")[0]
    return t(key) if key in catalogue() else ""


def _rank(active, screen: Screen) -> int:
    """The screen's own keys first, then its widgets' named keys, then Textual's (table moves), then
    the app's: at 80x24 the ten table-navigation keys had pushed Impor and Cetak kartu below the fold."""
    node, binding = active.node, active.binding
    if node is screen:
        return 0
    if node is screen.app:
        return 3
    return 1 if binding.id and not binding.id.startswith("table.") else 2


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key as shown, what it does) for each enabled binding of ``screen`` with a description."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    app = screen.app
    for active in sorted(screen.active_bindings.values(), key=lambda a: _rank(a, screen)):
        binding = active.binding
        if not active.enabled:
            continue
        text = binding.description if binding.id else _system_action(binding.action)
        if not text:
            continue
        shown = binding.key_display or app.get_key_display(binding)
        item = (shown, text)
        if item not in seen:
            seen.add(item)
            rows.append(item)
    return rows


def _pad(text: str, width: int) -> str:
    """``text`` followed by spaces to ``width`` terminal cells (a key such as ⏎ may take two)."""
    return text + " " * max(1, width - cell_len(text))


class HelpScreen(ModalScreen):
    """The keys of the screen it was opened over; Esc, q, ? or F1 close it."""

    BINDINGS = [
        Binding("escape", "dismiss", "-", id="dialog.close"),
        Binding("question_mark,f1,q", "dismiss", "", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        localize_bindings(self)
        self.rows = rows

    def compose(self) -> ComposeResult:
        # The heading's word is a column too: keys all shorter than "Tombol" ran it into "Fungsi" (TombolFungsi).
        width = max([cell_len(k) for k, _ in self.rows] + [cell_len(t("ui.help.key"))]) + 2
        with Vertical(classes="dialog help"):
            yield Label(t("ui.help.title"), classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield Static(_pad(t("ui.help.key"), width) + t("ui.help.action"), classes="help-head", markup=False)
                for key, text in self.rows:
                    yield Static(_pad(key, width) + text, classes="help-row", markup=False)
            yield Static(t("ui.help.close"), classes="dialog-hint", markup=False)

    def action_dismiss(self) -> None:
        self.dismiss(None)
