"""The treasurer's part of Honor: the Pagu tab (the run's what-if against the year's pagu), ``g`` to set,
cut or raise the pagu and ``u`` for the treasurer's files of the quarter (realisasi, meterai list, BP21,
notices). The rules are storage.payouts'; this only shows and asks."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain import fmt
from storage.payouts import budget, realisasi, statement, withholding
from storage.payouts.budget import line_label
from storage.payouts.documents.pdf import meterai_list
from tui.dialogs import Field, PromptDialog


def pagu_text(db, plan) -> str:
    """The Pagu tab: each line of the run's year with what is paid, approved, what this run adds and
    what is left once it is approved; a line the run would pass says so (approval will be refused)."""
    w = budget.what_if(db, plan)
    if not w["set"]:
        return t("treasury.pagu_not_set", year=w["year"]) + "\n" + t("treasury.ui.pagu_how", year=w["year"])
    out = [t("treasury.what_if", year=w["year"]), ""]
    for u in w["lines"]:
        out.append(t("treasury.ui.pagu_line", line=line_label(u.line),
                     pagu=fmt.rupiah(u.pagu) if u.line.get("id") else "-"))
        out.append("  " + t("treasury.ui.pagu_use", paid=fmt.rupiah(u.paid), committed=fmt.rupiah(u.committed),
                            adds=fmt.rupiah(u.adds), left=fmt.rupiah(u.pagu - u.paid - u.committed - u.adds)
                            if u.line.get("id") else "-"))
    for u in w["over"]:
        out.append("")
        out.append(t("treasury.what_if_over", line=line_label(u.line),
                     over=fmt.rupiah(u.paid + u.committed + u.adds - u.pagu)))
    return "\n".join(out)


def show_pagu(screen, plan) -> None:
    """Fill the Honor screen's Pagu tab (``#pay-pagu``) for ``plan``."""
    try:
        text = pagu_text(screen.app.db, plan)
    except PilarError as exc:
        text = str(exc)
    screen.query_one("#pay-pagu", Static).update(text)


def ask_pagu(screen) -> None:
    """``g`` in Honor (province): set a pagu line of the quarter's year, cut it (a lower amount, with the
    reason) or raise it (with the decision that raised it). Saved only when the storage rules agree."""
    db = screen.app.db
    year = screen.quarter.year
    current = budget.get_line(db, year, "APBD_PROVINSI") or {}
    fields = [Field("funding", t("payout.h.funding"), "APBD_PROVINSI"),
              Field("programme", t("treasury.ui.programme"), ""),
              Field("amount", t("treasury.ui.amount", year=year), str(current.get("amount", ""))),
              Field("reason", t("treasury.ui.reason"), ""), Field("decision", t("treasury.ui.decision"), "")]
    done: dict = {}

    def save(values: dict) -> str | None:
        try:
            line = budget.set_pagu(db, year, values["funding"], values["amount"], values["programme"],
                                   values["reason"], values["decision"])
        except PilarError as exc:
            screen.notify(str(exc), severity="error", markup=False)  # the dialog's own line may be below the fold
            return str(exc)
        done["line"] = line
        return None

    def after(values: dict | None) -> None:
        if values and done.get("line"):
            line = done["line"]
            last = line["history"][-1]
            screen._after_write(t(f"treasury.done.{last['kind']}", line=line_label(line), year=year,
                                  before=fmt.rupiah(last["from"] or 0), after=fmt.rupiah(line["amount"])))

    screen.app.push_screen(PromptDialog(t("treasury.ui.pagu_title", year=year), fields, check=save,
                                        body=t("treasury.ui.pagu_body")), after)


def write_files(screen) -> None:
    """``u`` in Honor: the treasurer's files of the quarter into the print folder: the realisation
    report of the year (PDF), the meterai list, the BP21 file (XLSX) and the notices of the members
    left out. What cannot be made yet is said, not hidden."""
    folder = Path(screen.app.data_dir) / "cetak"
    quarter = screen.quarter
    screen.run_worker(lambda: _write_files(screen, folder, quarter), thread=True, exclusive=True,
                      group="treasury-files", exit_on_error=False)


def _write_files(screen, folder: Path, quarter) -> None:
    db = screen.app.db
    written, skipped = [], []
    jobs = [
        (f"realisasi_{quarter.year}.pdf", lambda p: realisasi.write(db, quarter.year, p, "pdf")),
        (f"meterai_{quarter.code}.pdf", lambda p: atomic_write(p, meterai_list(db, quarter))),
        (f"bp21_{quarter.code}.xlsx", lambda p: withholding.write_bp21(db, quarter, p)),
        (f"pemberitahuan_{quarter.code}", lambda p: statement.write_notices(db, quarter, p)),
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, make in jobs:
            try:
                make(folder / name)
                written.append(name)
            except PilarError as exc:
                skipped.append(f"{name}: {exc}")
    except OSError as exc:
        screen.app.call_from_thread(screen.app.show_error, str(PilarError("fs.io_error", path=str(folder),
                                                                          detail=str(exc))))
        return
    text = t("treasury.ui.files_written", count=len(written), path=str(folder))
    if skipped:
        text += "\n" + "\n".join(skipped)
    screen.app.call_from_thread(screen.notify, text, markup=False, timeout=20,
                                severity="warning" if skipped else "information")
