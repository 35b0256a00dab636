"""The events section."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class EventsScreen(Screen):
    """Placeholder until the events screen lands."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Events")
        yield Footer()
