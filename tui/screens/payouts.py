"""The payouts section."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class PayoutsScreen(Screen):
    """Placeholder until the payouts screen lands."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Payouts")
        yield Footer()
