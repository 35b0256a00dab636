"""Command line: payouts."""

from __future__ import annotations


def register(sub, common) -> None:
    """Add this area's subcommands (filled in by the payouts work)."""
