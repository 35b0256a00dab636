"""Command line: roster list / show / import / add / edit / deactivate."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt, regions
from storage.domain.model import PILLARS, STATUSES
from storage.roster import (
    ANY_AREA,
    COLUMNS,
    Query,
    Roster,
    detail_text,
    export_rows,
    rows_for_export,
    without_restricted,
)
from tui.cli import treasury
from tui.cli.common import open_db
from tui.cli.output import add_format, clip, print_json, print_table, say


def register(sub, common) -> None:
    roster = sub.add_parser("roster", parents=[common], help="members: list, show, import, add, deactivate")
    rsub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    treasury.register_roster(rsub, common)

    p = rsub.add_parser("list", parents=[common], help="list members (filtered), or export them to CSV/XLSX")
    p.add_argument("--pillar", metavar="P", help=f"one of {', '.join(PILLARS)}")
    p.add_argument("--kab", metavar="CODE", help="kab/kota code (35.78) or name (Surabaya) where members live")
    p.add_argument("--area-kab", metavar="CODE",
                   help="kab/kota where members serve (active assignments, as pilar report summary counts them); "
                        "'*' for serving anywhere")
    p.add_argument("--kec", metavar="CODE", help="kecamatan code (35.09.01): members who live or actively serve there")
    p.add_argument("--status", choices=STATUSES, type=str.upper)
    p.add_argument("--search", metavar="TEXT", default="", help="name, NIK, member number or phone")
    p.add_argument("--sort", choices=COLUMNS, default="name")
    p.add_argument("--reveal", action="store_true", help="full NIK and phone (the file stays in the office)")
    add_format(p, ("text", "csv", "xlsx", "json"))
    p.add_argument("--out", metavar="FILE", help="write to this file (needed for xlsx)")
    p.set_defaults(handler=cmd_list)

    p = rsub.add_parser("cards", parents=[common], help="member cards (PDF, 8 or 10 per A4, Code128 and QR)")
    p.add_argument("--pillar", metavar="P", help=f"one of {', '.join(PILLARS)}")
    p.add_argument("--kab", metavar="CODE", help="kab/kota code (35.78) or name (Surabaya)")
    p.add_argument("--search", metavar="TEXT", default="", help="name, NIK, member number or phone")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only members whose assignment started on or after this date")
    p.add_argument("--per-page", type=int, choices=(8, 10), default=10, help="cards per A4 page (default 10)")
    p.add_argument("--out", metavar="FILE", required=True, help="the PDF file to write")
    p.add_argument("--open", action="store_true", help="open the written file with the system viewer")
    p.set_defaults(handler=cmd_cards, sort="name", status="ACTIVE")

    p = rsub.add_parser("show", parents=[common], help="one member with assignments and history")
    p.add_argument("member", metavar="NIK_OR_ID")
    p.add_argument("--reveal", action="store_true", help="full NIK, phone and account")
    add_format(p)
    p.set_defaults(handler=cmd_show)

    p = rsub.add_parser("import", parents=[common], help="import members from an .xlsx, .xlsb, .xls, .ods or .csv file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="show the preview only; write nothing")
    p.add_argument("--map", action="append", metavar="COLUMN=FIELD", default=[],
                   help="read a column as a field (header text or letter: 'KET=status', 'F=-' ignores F); repeatable")
    p.add_argument("--accept-held", action="append", metavar="ROW", default=[],
                   help="a held row (12, or SHEET!12) is the same person: import it as an update; repeatable")
    p.add_argument("--refused", metavar="FILE", default="",
                   help="write the refused or held rows to this file (.xlsx/.csv) to correct and import again")
    add_format(p)
    p.set_defaults(handler=cmd_import)

    p = rsub.add_parser("add", parents=[common], help="add a member from a JSON file (fields as in docs/data-model.md)")
    p.add_argument("file", metavar="JSON")
    p.add_argument("--accept-warnings", action="store_true")
    p.set_defaults(handler=cmd_add)

    p = rsub.add_parser("edit", parents=[common], help="change a member's fields from a JSON file (only the fields given)")
    p.add_argument("member", metavar="NIK_OR_ID")
    p.add_argument("file", metavar="JSON", nargs="?", default=None,
                   help='the fields to change, e.g. {"phone": "081234567890"}')
    p.add_argument("--note", metavar="TEXT", default=None, help='the member\'s note (free text; "" clears it)')
    p.add_argument("--accept-warnings", action="store_true")
    p.add_argument("--keep", type=int, metavar="N",
                   help="a member in conflict: edit version N (as numbered by pilar conflicts show) and close the conflict")
    p.set_defaults(handler=cmd_edit)

    p = rsub.add_parser("deactivate", parents=[common], help="make a member inactive (reason and date)")
    p.add_argument("member", metavar="NIK_OR_ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.set_defaults(handler=cmd_deactivate)


def _query(args) -> Query:
    pillar = ""
    if args.pillar:
        pillar = args.pillar.upper().replace(" ", "_")
        if pillar not in PILLARS:
            raise PilarError("roster.cli.bad_pillar", value=args.pillar, choices=", ".join(PILLARS))
    kab = ""
    if args.kab:
        found = regions.find_kab(args.kab)
        if found is None:
            raise PilarError("roster.cli.bad_kab", value=args.kab)
        kab = found["code"]
    area_kab = ""
    if getattr(args, "area_kab", None):
        if args.area_kab.strip() == ANY_AREA:
            area_kab = ANY_AREA
        else:
            found = regions.find_kab(args.area_kab)
            if found is None:
                raise PilarError("roster.cli.bad_kab", value=args.area_kab)
            area_kab = found["code"]
    kec = ""
    if getattr(args, "kec", None):
        if regions.kec(args.kec.strip()) is None:
            raise PilarError("roster.cli.bad_kec", value=args.kec)
        kec = args.kec.strip()
    return Query(text=args.search or "", pillar=pillar, kab=kab, status=args.status or "", sort=args.sort,
                 area_kab=area_kab, kec=kec)


def cmd_list(args) -> int:
    # full NIKs shown or written anywhere are recorded in the audit log: the folder is opened for writing
    with open_db(args, read_only=not args.reveal) as db:
        roster = Roster(db)
        rows = roster.search(_query(args))
        if args.format in ("csv", "xlsx"):
            if not args.out:
                if args.format == "xlsx":
                    raise PilarError("roster.cli.need_out", format=args.format)
                from storage.printing.tables import csv_bytes

                headers, cells = rows_for_export(roster, without_restricted(roster, rows), reveal=args.reveal)
                sys.stdout.buffer.write(csv_bytes(headers, cells))
                _revealed(db, args, len(cells), "stdout")
                return 0
            out = Path(args.out)
            if out.suffix.lower() != f".{args.format}":
                out = out.with_suffix(f".{args.format}")
            count = export_rows(roster, rows, out, reveal=args.reveal)
            say(t("roster.cli.written", count=count, path=str(out)))
            if getattr(roster, "left_out", 0):
                say(t("privacy.left_out_restricted", n=roster.left_out))
            return 0
        if args.format == "json":
            data = [{"id": r.id, "nik": r.nik if args.reveal else fmt.mask_nik(r.nik), "name": r.name,
                     "pillar": r.pillar, "position": r.position, "kab": r.kab, "kec": r.kec, "office": r.office,
                     "status": r.status} for r in rows]
            if args.out:
                from storage.core.fsutil import atomic_write

                # written whole or not at all, readable by this user only (0600)
                atomic_write(Path(args.out), orjson.dumps(data, option=orjson.OPT_INDENT_2))
                say(t("roster.cli.written", count=len(data), path=args.out))
            else:
                print_json(data)
            _revealed(db, args, len(data), args.out or "stdout")
            return 0
        headers, cells = rows_for_export(roster, rows, reveal=args.reveal)
        print_table([c[:8] for c in cells], headers[:8])
        say(t("roster.cli.count", count=len(rows)))
        _revealed(db, args, len(cells), "terminal")
    return 0


def _revealed(db, args, count: int, where: object) -> None:
    """Full NIKs shown or written (not through the export service, which records its own): audited."""
    if args.reveal and count:
        db.record_note("roster.export_revealed", "export", str(where)[-120:],
                       note=f"{count} rows, full NIK: {where}")


def cmd_cards(args) -> int:
    from storage.core.fsutil import atomic_write
    from storage.roster import cards

    with open_db(args, read_only=True) as db:
        query = _query(args)
        members = cards.select(Roster(db), query, args.since)
        data = cards.render(db, members, args.per_page, pillar=query.pillar)
    out = Path(args.out)
    atomic_write(out, data)
    say(t("cards.written", count=len(members), path=str(out)))
    if args.open:
        from storage.printing import viewer

        if note := viewer.after_print({}, out):
            say(note)
    return 0


def _one(roster: Roster, text: str) -> dict:
    found = roster.find(text)
    if not found:
        raise PilarError("roster.not_found", what=text)
    if len(found) > 1:
        raise PilarError("roster.ambiguous", what=text, count=len(found))
    return found[0]


def _show_by_nik(args) -> int | None:
    """``roster show NIK`` from the part of the members that holds the NIK (issue 25: the persisted NIK
    index, no 100,000 members loaded); None when that cannot answer (the caller opens the folder whole)."""
    from storage.core.config import resolve_data_dir
    from storage.core.db import Database
    from storage.domain.validate import clean_nik

    nik = clean_nik(args.member)
    if args.reveal or len(nik) != 16:
        return None
    db = Database.open_member_by_nik(resolve_data_dir(args.data), nik)
    if db is None:
        return None
    try:
        ids = db.lookup("members", "nik", nik)
        if not ids:
            return None
        if len(ids) > 1:
            raise PilarError("roster.ambiguous", what=args.member, count=len(ids))
        roster = Roster(db)
        return _show(db, roster, roster.get(ids[0]), args)
    finally:
        db.close()


def cmd_show(args) -> int:
    done = _show_by_nik(args)
    if done is not None:
        return done
    with open_db(args, read_only=not args.reveal) as db:
        roster = Roster(db)
        member = _one(roster, args.member)
        return _show(db, roster, member, args)


def _show(db, roster: Roster, member: dict, args) -> int:
    if args.reveal:  # full NIK, phone and account shown: who and when is in the audit log
        db.record_note("roster.shown_revealed", "member", member["id"], note="full NIK, phone and account shown")
    if args.format == "json":
        from storage.core.sensitive import is_sensitive, mask  # (audit.MASKED left with issue 22's sweep)

        value = dict(member)
        if not args.reveal:
            for key in [k for k in value if is_sensitive(k)]:
                if value.get(key):
                    value[key] = mask(value[key])
            value["bank"] = {k: (mask(v) if k == "account" else v) for k, v in (value.get("bank") or {}).items()}
        value["history"] = roster.history(member["id"])
        print_json(value)
        return 0
    say(detail_text(roster, member["id"], reveal=args.reveal))
    return 0


def cmd_import(args) -> int:
    from storage.roster.importing.plan import commit, grouped, parse_overrides, preview

    overrides = parse_overrides(args.map)
    with open_db(args, read_only=args.dry_run) as db:
        roster = Roster(db)
        plan = preview(roster, Path(args.file), overrides=overrides, accept_held=set(args.accept_held))
        counts = plan.counts
        if args.format == "json":
            data = plan.as_json()
            data["dry_run"] = bool(args.dry_run)
            if not args.dry_run and plan.accepted:
                commit(roster, plan)
            data["written"] = 0 if args.dry_run else counts["add"] + counts["update"]
            print_json(data)
            return 0
        for line in plan.summary_lines():
            say(clip(line, 1000))
        headers = [t("roster.import.col.line"), t("roster.import.col.fate"), t("roster.col.name"),
                   t("roster.col.nik"), t("roster.import.col.reason")]
        shown = [r for r in plan.rows if r.fate in ("refuse", "conflict", "hold") or r.warnings]
        if shown:
            print_table([[clip(r.where), t(f"roster.import.fate.{r.fate}"), clip(r.name), clip(fmt.mask_nik(r.nik)),
                          clip(" ".join(r.reasons) or " ".join(r.warnings), 400)] for r in shown], headers)
        updates = [r for r in plan.rows if r.fate == "update"]
        if updates:
            say(t("roster.import.updates"))
            print_table([[clip(r.where), clip(r.name), clip(fmt.mask_nik(r.nik)), label, clip(before) or "∅",
                          clip(after) or "∅"]
                         for r in updates for label, before, after in r.changes],
                        [t("roster.import.col.line"), t("roster.col.name"), t("roster.col.nik"),
                         t("roster.import.col.field"), t("roster.import.col.before"), t("roster.import.col.after")])
        if counts["hold"]:
            say(t("roster.import.held_hint"))
        if args.refused:
            from storage.roster.importing.refused import write_refused

            written = write_refused(plan, Path(args.refused))
            say(t("roster.import.refused_written", count=fmt.number(written), path=args.refused))
        if args.dry_run:
            say(t("roster.import.dry_run"))
            return 0
        if not plan.accepted:
            say(t("roster.import.nothing"))
            return 1
        commit(roster, plan)
        say(t("roster.import.done", **grouped(counts)))
        if counts["conflict"]:
            say(t("roster.import.done_conflicts", **grouped(counts)))
    return 0


def cmd_add(args) -> int:
    try:
        value = orjson.loads(Path(args.file).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise PilarError("roster.import.damaged", path=args.file, detail=type(exc).__name__) from None
    from storage.domain.model import new_member

    with open_db(args) as db:
        roster = Roster(db)
        member = new_member(**{k: v for k, v in value.items() if k != "id"})
        rid, result = roster.save(member, accept_warnings=args.accept_warnings)
        if rid is None:
            return _refused(result)
        say(t("roster.saved.add", name=member["name"]) + f" ({rid})")
    return 0


def cmd_edit(args) -> int:
    if args.file is None and args.note is None:
        raise PilarError("roster.cli.edit_nothing")
    changes: object = {}
    if args.file is not None:
        try:
            changes = orjson.loads(Path(args.file).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            changes = None
    if not isinstance(changes, dict):
        raise PilarError("roster.cli.edit_bad_json", path=args.file)
    if args.note is not None:
        changes["note"] = args.note
    done = _edit_by_nik(args, changes)
    if done is not None:
        return done
    with open_db(args) as db:
        roster = Roster(db)
        member = _one(roster, args.member)
        if args.keep is not None:
            from storage.reconcile.conflicts import siblings

            if not roster.in_conflict(member["id"]):
                raise PilarError("conflict.edit_not_in_conflict", name=member.get("name", ""))
            versions = siblings(db, "members", member["id"])
            if not 1 <= args.keep <= len(versions):
                raise PilarError("sync.conflict_bad_keep", n=args.keep, count=len(versions))
            if versions[args.keep - 1]["value"] is None:  # the deletion: nothing to edit
                raise PilarError("sync.conflict_bad_keep", n=args.keep, count=len(versions))
            member = versions[args.keep - 1]["value"]
        return _save_edit(roster, _edited(member, changes), args)


def _edited(member: dict, changes: dict) -> dict:
    value = dict(member)
    for key, new in changes.items():
        if key in ("id", "owner") or key.startswith("_"):
            continue
        if key == "bank" and isinstance(new, dict):
            value["bank"] = {**(value.get("bank") or {}), **new}
        else:
            value[key] = new
    return value


def _refused(result) -> int:
    """A save the checks refused: the errors (or the warnings not accepted) on stderr, exit 1."""
    print(t("roster.cli.invalid" if result.errors else "roster.cli.warnings"), file=sys.stderr)
    for issue in result.errors or result.warnings:
        print(f"- {issue.message}", file=sys.stderr)
    return 1


def _save_edit(roster: Roster, value: dict, args) -> int:
    rid, result = roster.save(value, accept_warnings=args.accept_warnings, resolution=args.keep)
    if rid is None:
        return _refused(result)
    say(t("roster.cli.edit_saved", name=value.get("name", "")))
    return 0


def _edit_by_nik(args, changes: dict) -> int | None:
    """``roster edit NIK`` from the parts that hold the member and the members its checks name (issue
    25: the persisted NIK and active-assignment indexes; no 100,000 members loaded); None when those
    cannot answer (the caller opens the folder whole)."""
    from storage.core.config import resolve_data_dir
    from storage.core.db import Database
    from storage.domain.validate import clean_nik
    from tui.cli.common import daily_backup, operator_of

    nik = clean_nik(args.member)
    if args.keep is not None or len(nik) != 16:
        return None
    db = Database.open_member_by_nik(resolve_data_dir(args.data), nik, operator=operator_of(args), read_only=False)
    if db is None:
        return None
    try:
        ids = db.lookup("members", "nik", nik)
        if len(ids) > 1:
            raise PilarError("roster.ambiguous", what=args.member, count=len(ids))
        roster = Roster(db)
        value = _edited(roster.get(ids[0]), changes) if ids else None
        if value is None or not roster.load_for(value):
            return None
        daily_backup(db)
        return _save_edit(roster, value, args)
    except PilarError as exc:  # after a commit: the change is saved, and the sentence says so (exit 3)
        raise db.saved_but(exc) from exc
    finally:
        db.close(fold=False)


def cmd_deactivate(args) -> int:
    with open_db(args) as db:
        roster = Roster(db)
        member = _one(roster, args.member)
        count = roster.deactivate(member["id"], args.reason, args.date)
        say(t("roster.saved.deactivate", name=member["name"], count=count))
    return 0

