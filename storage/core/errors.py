"""Errors a user can fix: a catalogue key plus parameters, rendered in the user's language."""

from __future__ import annotations

from pathlib import Path

from storage.core.i18n import t


class PilarError(Exception):
    """An error whose message is a sentence for the user (exit code 1 on the command line)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)


class LockedError(PilarError):
    """The data folder is held by another running Pilar."""


class DamagedError(PilarError):
    """A data file is damaged or missing; the folder must not be opened for writing."""


def damaged(file: Path | str, problem: str, **params: object) -> DamagedError:
    """The error for a damaged file: names the file and says what is wrong (``db.problem.<problem>``)."""
    return DamagedError("db.damaged", file=str(file), problem=t(f"db.problem.{problem}", **params))
