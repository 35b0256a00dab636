"""``w`` in the roster: the selected member's statement (riwayat penerimaan: each quarter paid, when,
how much, or left out and why), written as PDF (or text) from storage.payouts.statement."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.payouts import statement
from storage.printing import viewer
from tui.dialogs import Field, PromptDialog


def ask_statement(screen, rid: str) -> None:
    """``w`` in the roster: where to write the selected member's statement (PDF), then write it."""
    member = screen.app.db.get("members", rid) or {}
    slug = re.sub(r"[^A-Za-z0-9]+", "-", member.get("name", "") or rid[:8]).strip("-").lower() or rid[:8]
    default = str(Path(screen.app.data_dir) / "cetak" / f"riwayat-{slug}-{dt.date.today().isoformat()}.pdf")

    def check(values: dict) -> str | None:
        return None if values["path"].strip().lower().endswith((".pdf", ".txt")) else t("treasury.ui.bad_type")

    screen.app.push_screen(PromptDialog(t("treasury.ui.statement_title", name=member.get("name", "")),
                                        [Field("path", t("treasury.ui.statement_path"), default)], check=check),
                           lambda values: values and write_statement(screen, rid,
                                                                     Path(values["path"].strip()).expanduser()))


def write_statement(screen, rid: str, path: Path) -> None:
    screen.run_worker(lambda: _write(screen, rid, path), thread=True, exclusive=True, group="statement",
                      exit_on_error=False)


def _write(screen, rid: str, path: Path) -> None:
    db = screen.app.db
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        statement.write_statement(db, rid, path, "text" if path.suffix.lower() == ".txt" else "pdf")
    except PilarError as exc:
        screen.app.call_from_thread(screen.app.show_error, str(exc))
        return
    except OSError as exc:
        screen.app.call_from_thread(screen.app.show_error, str(PilarError("fs.io_error", path=str(path),
                                                                          detail=str(exc))))
        return
    name = (db.get("members", rid) or {}).get("name", "")
    screen.app.call_from_thread(screen.notify, t("treasury.ui.statement_written", name=name, path=str(path)),
                                markup=False)
    if note := viewer.after_print(db.office, path):
        screen.app.call_from_thread(screen.notify, note)
