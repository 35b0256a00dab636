"""The sync section."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class SyncScreen(Screen):
    """Placeholder until the sync screen lands."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Sync")
        yield Footer()
