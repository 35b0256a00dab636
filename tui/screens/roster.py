"""The roster section."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class RosterScreen(Screen):
    """Placeholder until the roster screen lands."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Roster")
        yield Footer()
