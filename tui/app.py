"""The Pilar Textual app: one data folder, four sections (Roster, Events, Payouts, Sync)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from storage import i18n
from storage.db import Database
from tui.screens.events import EventsScreen
from tui.screens.payouts import PayoutsScreen
from tui.screens.roster import RosterScreen
from tui.screens.sync import SyncScreen


class PilarApp(App[int]):
    """Keyboard-driven app over one office's data folder."""

    TITLE = "Pilar"
    MODES = {
        "roster": RosterScreen,
        "events": EventsScreen,
        "payouts": PayoutsScreen,
        "sync": SyncScreen,
    }
    DEFAULT_MODE = "roster"
    BINDINGS = [
        Binding("1", "switch_mode('roster')", "Roster", id="section.roster"),
        Binding("2", "switch_mode('events')", "Events", id="section.events"),
        Binding("3", "switch_mode('payouts')", "Payouts", id="section.payouts"),
        Binding("4", "switch_mode('sync')", "Sync", id="section.sync"),
    ]

    def __init__(self, data_dir: Path, operator: str | None = None, lang: str | None = None,
                 db: Database | None = None) -> None:
        super().__init__()
        if lang:
            i18n.set_lang(lang)
        self.data_dir = Path(data_dir)
        self.db = db or Database.open(self.data_dir, operator=operator)
        self.operator = self.db.operator

    def on_unmount(self) -> None:
        self.db.close()
