"""Command line: events (list, show, create, edit, invite, check-in, mark) and the attendance reports."""

from __future__ import annotations

import sys
from pathlib import Path

from storage import events
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import regions
from storage.domain.model import PILLARS, POSITIONS, pillar_label, position_label
from storage.events import reports
from tui.cli.common import open_db, report_subparsers
from tui.cli.output import add_format, print_json, print_table, say

REPORT_KINDS = {"attendance": "attendance", "invitations": "invitations", "attendance-summary": "summary"}


def register(sub, common) -> None:
    p = sub.add_parser("event", parents=[common], help="events: invitations, check-in, attendance")
    esub = p.add_subparsers(dest="event_command", metavar="ACTION", required=True)

    q = esub.add_parser("list", parents=[common], help="list the events")
    add_format(q)
    q.set_defaults(handler=cmd_list)

    q = esub.add_parser("show", parents=[common], help="one event with its invitations and counts")
    q.add_argument("event", metavar="ID", help="event id (or its first characters)")
    add_format(q)
    q.set_defaults(handler=cmd_show)

    for name, handler in (("create", cmd_create), ("edit", cmd_edit)):
        q = esub.add_parser(name, parents=[common], help=f"{name} an event")
        if name == "edit":
            q.add_argument("event", metavar="ID")
        required = name == "create"
        q.add_argument("--name", required=required)
        q.add_argument("--date", required=required, help="start date, 2024-04-04")
        q.add_argument("--end-date", help="end date (default: the start date)")
        q.add_argument("--start", help="start time, 08.00")
        q.add_argument("--end", help="end time, 15.00")
        q.add_argument("--venue")
        q.add_argument("--city", help="place written on the report's date line")
        q.add_argument("--office", help="organising office code (default: this office)")
        q.add_argument("--description")
        q.add_argument("--quota", action="append", metavar="GROUP:LIMIT[:PILLARS[:PER_UPT]]",
                       help="a quota, e.g. PILAR:160:TAGANA,TKSK,PKH_PLUS or JSC:40:JSC:2 (repeatable)")
        add_format(q)
        q.set_defaults(handler=handler)

    q = esub.add_parser("delete", parents=[common],
                        help="delete an event entered by mistake (refused once attendance or payouts exist)")
    q.add_argument("event", metavar="ID")
    q.add_argument("--reason", required=True, help="why (kept in the audit log)")
    add_format(q)
    q.set_defaults(handler=cmd_delete)

    q = esub.add_parser("invite", parents=[common], help="invite members by criteria or one by one")
    q.add_argument("event", metavar="ID")
    q.add_argument("--pillar", action="append", default=[], choices=PILLARS)
    q.add_argument("--position", action="append", default=[], choices=POSITIONS)
    q.add_argument("--kab", action="append", default=[], help="kab/kota code or name (repeatable)")
    q.add_argument("--upt", action="append", default=[], help="UPT office code (repeatable)")
    q.add_argument("--member", action="append", default=[], metavar="NIK_OR_CODE",
                   help="one member by NIK, membership number or id (repeatable)")
    q.add_argument("--override", action="store_true", help="invite past a full quota (recorded in the audit log)")
    q.add_argument("--include-inactive", action="store_true", help="invite inactive members too")
    add_format(q)
    q.set_defaults(handler=cmd_invite)

    q = esub.add_parser("checkin", parents=[common], help="check a member in at the door")
    q.add_argument("event", metavar="ID")
    q.add_argument("code", metavar="NIK_OR_CODE", help="NIK, membership number, member id or name")
    q.add_argument("--walk-in", metavar="REASON", default="", help="record an uninvited member, with the reason")
    q.add_argument("--day", metavar="YYYY-MM-DD",
                   help="which day of a multi-day event (default: today when the event is on, else its first day)")
    add_format(q)
    q.set_defaults(handler=cmd_checkin)

    q = esub.add_parser("mark", parents=[common], help="mark an invited member hadir, izin, alpa (or reset)")
    q.add_argument("event", metavar="ID")
    q.add_argument("code", metavar="NIK_OR_CODE")
    q.add_argument("status", choices=("hadir", "izin", "alpa", "reset"))
    q.add_argument("--day", metavar="YYYY-MM-DD",
                   help="which day of a multi-day event (default: today when the event is on, else its first day)")
    add_format(q)
    q.set_defaults(handler=cmd_mark)

    rsub = report_subparsers(sub, common)
    for kind in REPORT_KINDS:
        q = rsub.add_parser(kind, parents=[common], help=f"event {kind.replace('-', ' ')} report")
        q.add_argument("event", metavar="ID")
        q.add_argument("--format", choices=reports.FORMATS, default=None,
                       help="text (default), md, html, csv, xlsx, json or pdf; with --out, taken from its extension")
        q.add_argument("--out", metavar="FILE", help="write to this file (needed for xlsx)")
        q.add_argument("--day", metavar="YYYY-MM-DD", help="the day of a multi-day event the list is for")
        q.set_defaults(handler=cmd_report, report_kind=REPORT_KINDS[kind])


# ---------------------------------------------------------------------- helpers

def _member_id(db, event_id: str, code: str) -> str:
    found = events.find(db, event_id, code)
    if not found:
        raise PilarError("events.unknown_member", code=code)
    exact = [c for c in found if c["name"].casefold() == code.strip().casefold()]
    if len(found) > 1 and len(exact) != 1:
        raise PilarError("events.many_members", code=code, count=len(found))
    return (exact or found)[0]["member_id"]


def _event_fields(args) -> dict:
    fields = {"name": args.name, "date": args.date, "end_date": args.end_date, "start_time": args.start,
              "end_time": args.end, "venue": args.venue, "city": args.city, "office": args.office,
              "description": args.description}
    fields = {k: v for k, v in fields.items() if v is not None}
    if args.quota:
        fields["quotas"] = [events.parse_quota(q) for q in args.quota]
    return fields


def _card_line(card: dict) -> str:
    parts = [pillar_label(card["pillar"]), position_label(card["position"]), card["kab_name"], card["upt_name"]]
    return f"{card['name']} ({', '.join(p for p in parts if p)})"


# ---------------------------------------------------------------------- handlers

def cmd_list(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = []
        for e in events.list_events(db):
            total = events.counts(db, e["id"], events.event_day(e))["total"]  # today's day of a training
            rows.append({"id": e["id"], "name": e["name"], "date": e["date"], "venue": e.get("venue", ""),
                         "office": e.get("office", ""), "invited": total["invited"], "present": total["HADIR"]})
    if args.format == "json":
        print_json(rows)
        return 0
    if not rows:
        say(t("events.no_events"))
        return 0
    print_table([[r["id"][:8], r["date"], r["name"], r["venue"], r["office"], r["invited"], r["present"]]
                 for r in rows],
                [t("events.col.id"), t("events.col.date"), t("events.col.event"), t("events.col.venue"),
                 t("events.col.organiser"), t("events.col.invited"), t("events.col.present")])
    return 0


def cmd_show(args) -> int:
    with open_db(args, read_only=True) as db:
        event = events.resolve_event(db, args.event)
        counts = events.counts(db, event["id"])
        invs = reports._sorted_invitations(db, event)
        names = reports._names(db, invs)
        items = [{"invitation_id": i["id"], "member_id": i["member_id"], "name": names[i["id"]],
                  "group": i.get("group", ""), "pillar": i.get("pillar", ""), "position": i.get("position", ""),
                  "kab": i.get("kab", ""), "upt": i.get("upt", ""), "status": i.get("status", ""),
                  "checkin_at": i.get("checkin_at", ""), "walk_in": bool(i.get("walk_in")),
                  "walk_in_reason": i.get("walk_in_reason", ""), "invited_by": i.get("invited_by", ""),
                  "days": i.get("days") or {}}
                 for i in invs]
    if args.format == "json":
        print_json({"event": event, "counts": counts, "invitations": items})
        return 0
    say(f"{event['name']}  [{event['id']}]")
    say(f"{event['date']} {events.time_label(event.get('start_time', ''))}-{events.time_label(event.get('end_time', ''))}"
        f"  {event.get('venue', '')}  ({event.get('office', '')})")
    for g in counts["groups"].values():
        say(t("events.ui.group_count", label=g["label"], invited=g["invited"], limit=g["limit"], hadir=g["hadir"]))
    total = counts["total"]
    say(t("events.ui.counts", invited=total["invited"], hadir=total["HADIR"], walk_in=total["walk_in"],
          izin=total["IZIN"], alpa=total["ALPA"], belum=total["BELUM"]))
    say("")
    print_table([[n, i["member_id"], i["name"], i["group"], t(f"events.status.{i['status'] or 'BELUM'}"),
                  events.clock(i["checkin_at"]), i["walk_in_reason"]] for n, i in enumerate(items, 1)],
                [t("events.col.no"), t("events.col.member_id"), t("events.col.name"), t("events.col.group"),
                 t("events.col.status"), t("events.col.time"), t("events.col.note")])
    return 0


def cmd_create(args) -> int:
    with open_db(args) as db:
        event_id = events.create_event(db, _event_fields(args))
        event = events.get_event(db, event_id)
    if args.format == "json":
        print_json(event)
    else:
        say(t("events.created", name=event["name"], id=event_id))
    return 0


def cmd_edit(args) -> int:
    with open_db(args) as db:
        event = events.resolve_event(db, args.event)
        events.update_event(db, event["id"], _event_fields(args))
        event = events.get_event(db, event["id"])
    if args.format == "json":
        print_json(event)
    else:
        say(t("events.ui.saved"))
    return 0


def cmd_delete(args) -> int:
    with open_db(args) as db:
        event = events.resolve_event(db, args.event)
        count = events.delete_event(db, event["id"], args.reason)
    if args.format == "json":
        print_json({"id": event["id"], "name": event["name"], "invitations_deleted": count})
    else:
        say(t("events.deleted", name=event["name"], count=count))
    return 0


def cmd_invite(args) -> int:
    with open_db(args) as db:
        event = events.resolve_event(db, args.event)
        kabs = []
        for text in args.kab:
            found = regions.find_kab(text)
            if not found:
                raise PilarError("events.kab_unknown", value=text)
            kabs.append(found["code"])
        ids: list[str] = [_member_id(db, event["id"], code) for code in args.member]
        inactive: list[dict] = []
        if args.pillar or args.position or kabs or args.upt:
            active, inactive = events.select_members(db, args.pillar, args.position, kabs, args.upt)
            ids += [m["id"] for m in active]
            if args.include_inactive:
                ids += [m["id"] for m in inactive]
                inactive = []
        elif not ids:
            raise PilarError("events.need_criteria")
        result = events.invite(db, event["id"], ids, override=args.override, include_inactive=args.include_inactive)
        names = {m: (db.get("members", m) or {}).get("name", m) for m in result["inactive"]}
        names.update({m["id"]: m["name"] for m in inactive})
        result["inactive"] = sorted(set(result["inactive"]) | {m["id"] for m in inactive})
    if args.format == "json":
        print_json(result)
        return 0
    say(t("events.invite_result", invited=len(result["invited"]), already=len(result["already"]),
          over=len(result["over_quota"]), inactive=len(result["inactive"])))
    if result["overridden"]:
        say(t("events.invite_overridden", count=len(result["overridden"])))
    if result.get("restricted"):
        say(t("privacy.invite_restricted", n=len(result["restricted"])))
    if result["inactive"]:
        say(t("events.inactive_list", names=", ".join(names[m] for m in result["inactive"])))
    return 0


def cmd_checkin(args) -> int:
    with open_db(args) as db:
        event = events.resolve_event(db, args.event)
        member_id = _member_id(db, event["id"], args.code)
        try:
            outcome = events.checkin(db, event["id"], member_id, walk_in_reason=args.walk_in,
                                 day=events.event_day(event, args.day))
        except PilarError as exc:
            if exc.key == "events.not_invited":
                raise PilarError("events.not_invited_cli", **exc.params) from None
            raise
    card = outcome["card"]
    if args.format == "json":
        print_json(outcome)
        return 0
    time = events.clock(card["checkin_at"])
    if outcome["result"] == "already":
        say(t("events.already", name=_card_line(card), time=time))
    elif outcome["result"] == "walk_in":
        say(t("events.walked_in", name=_card_line(card), time=time, reason=card["walk_in_reason"]))
    else:
        say(t("events.checked_in", name=_card_line(card), time=time))
    return 0


def cmd_mark(args) -> int:
    with open_db(args) as db:
        event = events.resolve_event(db, args.event)
        member_id = _member_id(db, event["id"], args.code)
        card = events.set_status(db, event["id"], member_id, "" if args.status == "reset" else args.status.upper(),
                             day=events.event_day(event, args.day))
    if args.format == "json":
        print_json(card)
        return 0
    say(t("events.marked", name=_card_line(card), status=t(f"events.status.{card['status'] or 'BELUM'}")))
    return 0


def cmd_report(args) -> int:
    with open_db(args, read_only=True) as db:
        event = events.resolve_event(db, args.event)
        if args.out:
            path = reports.write(db, event["id"], Path(args.out), args.report_kind, args.format, day=args.day)
            say(t("events.report_written", path=str(path)))
            return 0
        if args.format == "xlsx":
            raise PilarError("events.need_out", fmt="xlsx")
        data = reports.render(db, event["id"], args.report_kind, args.format or "text", day=args.day)
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        sys.stdout.write(data)
    return 0
