"""``pilar report summary`` and ``pilar report rekap``: the Ringkasan on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from storage import summary
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.privacy import service as privacy
from storage.summary import report
from tui.cli.common import open_db, report_subparsers, resolve_data_dir
from tui.cli.output import say


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise PilarError("summary.bad_days", value=text)
    return n


def register(sub, common) -> None:
    rep = report_subparsers(sub, common)
    for kind, what in (("summary", "where the office stands: members, TKSK, payouts, offices, missing bundles"),
                       ("rekap", "printable rekap per kab/kota (members, TKSK, latest quarter's payouts)")):
        q = rep.add_parser(kind, parents=[common], help=what)
        q.add_argument("--format", choices=report.FORMATS, default="text",
                       help="text (default), json, html (A4, print from a browser), xlsx or pdf (need --out)")
        q.add_argument("--silent-days", metavar="N",
                       help=f"flag offices with no bundle for more than N days (default: office.json "
                            f"summary_silent_days or {summary.DEFAULT_SILENT_DAYS})")
        q.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")
        q.add_argument("--remember", action="store_true",
                       help="keep --silent-days as this office's setting (office.json)")
        q.set_defaults(handler=cmd_summary, rekap=kind == "rekap")


def cmd_summary(args) -> int:
    if args.format in ("xlsx", "pdf") and not args.out:
        raise PilarError("summary.out_needed")
    days = _days(args.silent_days) if args.silent_days is not None else None
    if args.remember and days is None:
        raise PilarError("summary.remember_needs_days")
    if args.remember:
        with open_db(args) as db:
            summary.set_silent_days(db, days)
        print(t("summary.days_saved", days=days), file=sys.stderr)
    from storage.office.letterhead import kop
    from storage.summary.figures import for_report

    # from the folder's tallies and journal, or counted part by part: never the whole folder in memory
    found = for_report(resolve_data_dir(args.data), days=days)
    if found is not None:
        data, db = found
        letterhead = kop(db)  # for a PDF: the kop with address, telephone and logo
        due = privacy.due(db)  # UU PDP clocks (issue 27)
    else:  # not a folder of this format yet (an update from the stick): opened, and brought up to date
        with open_db(args, read_only=True) as db:
            data = summary.compute(db, days=days)
            letterhead = kop(db)
            due = privacy.due(db)
    if args.format == "text" and not args.out and (due["requests"] or due["incidents"]):
        print(t("privacy.summary", **due), file=sys.stderr)
    if args.out:
        path = report.write(data, Path(args.out), args.format, args.rekap, letterhead)
        say(t("summary.written", path=str(path)))
        return 0
    out = report.render(data, args.format, args.rekap, letterhead)
    if isinstance(out, bytes):
        sys.stdout.buffer.write(out)
    else:
        sys.stdout.write(out)
    return 0
