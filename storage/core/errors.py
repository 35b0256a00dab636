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
    where = Path(file)
    # the audit log alone: never "restore the newest backup" (that would roll the data back; issue 22)
    key = "db.damaged_audit" if where.name == "audit.jsonl" or where.parent.name == "audit" else "db.damaged"
    return DamagedError(key, file=str(file), problem=t(f"db.problem.{problem}", **params))


class SavedButError(PilarError):
    """A change was made durable (its journal line is on disk), and something after it failed: the audit
    append, the fold into the data files, a log beside them. The sentence says the change is saved and
    what still needs doing, never "unchanged"; the command line exits with 3 (not 1)."""

    EXIT_CODE = 3

    def __init__(self, cause: PilarError, changes: int, records: int) -> None:
        super().__init__("saved.but", changes=changes, records=records, cause=cause)
        self.cause = cause

    def __str__(self) -> str:
        return t("saved.but", changes=self.params["changes"], records=self.params["records"],
                  problem=problem_text(self.cause))


_UNCHANGED = None


def problem_text(exc: PilarError) -> str:
    """What went wrong, without the "the data is unchanged" a message says when it stands alone."""
    import re

    global _UNCHANGED
    key = f"saved.problem.{exc.key}"
    text = t(key, **exc.params)
    if text != key:
        return text
    if _UNCHANGED is None:
        _UNCHANGED = re.compile(r"[;.]?\s*((the )?(old )?data (is|are) unchanged|data (lama )?tidak berubah)\s*\.?",
                                re.IGNORECASE)
    return _UNCHANGED.sub(".", str(exc)).rstrip(" ;") or str(exc)


def after_commit(exc: PilarError, changes: int, records: int) -> PilarError:
    """``exc`` as it must be told once ``changes`` transactions are durable: a SavedButError (unchanged when
    it already is one, or when no record was committed: an audit note alone is not "the change")."""
    if isinstance(exc, SavedButError) or changes <= 0 or records <= 0:
        return exc
    return SavedButError(exc, changes, records)
