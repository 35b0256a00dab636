"""Command line: personal data under UU PDP 27/2022 (``pilar privacy …``, storage/privacy/service.py)."""

from __future__ import annotations

from pathlib import Path

import orjson

from storage.backup.backups import keep_count
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.privacy import service as P
from tui.cli.common import open_db
from tui.cli.output import add_format, print_json, print_table, say


def register(sub, common) -> None:
    p = sub.add_parser("privacy", parents=[common], help="personal data (UU PDP): register, requests, erasure, retention, incidents")
    ps = p.add_subparsers(dest="privacy", metavar="WHAT", required=True)

    q = ps.add_parser("register", parents=[common], help="the record of processing activities (Pasal 31)")
    q.add_argument("--load", metavar="FILE.json", help="replace the activities with this JSON list (province)")
    q.add_argument("--controller", metavar="NAME", help="the controller's name (province)")
    q.add_argument("--out", metavar="F", help="write the register to a text or PDF file")
    add_format(q, choices=("text", "json"))
    q.set_defaults(handler=cmd_register)

    q = ps.add_parser("dpo", parents=[common], help="name the data protection officer (Pasal 53; province)")
    q.add_argument("--name", metavar="NAME", required=True, help="the officer's name")
    q.add_argument("--contact", metavar="TEXT", default="", help="phone or e-mail for data subjects")
    q.set_defaults(handler=cmd_dpo)

    q = ps.add_parser("request", parents=[common], help="record or close a data subject's request")
    qs = q.add_subparsers(dest="request_cmd", metavar="add|close", required=True)
    r = qs.add_parser("add", parents=[common], help="record a request (the 3x24-hour clock starts)")
    r.add_argument("who", metavar="NIK_OR_ID", help="the person: NIK or member id")
    r.add_argument("--kind", required=True, choices=P.REQUEST_KINDS, help="what the person asks")
    r.add_argument("--received", metavar="WHEN", help="when it was received (default now), YYYY-MM-DDThh:mm")
    r.add_argument("--note", default="", help="what was asked, in a few words (no numbers)")
    r.set_defaults(handler=cmd_request_add)
    r = qs.add_parser("close", parents=[common], help="close a request: done, or refused with a reason")
    r.add_argument("id", metavar="ID", help="the request id (its first characters)")
    r.add_argument("--refused", action="store_true", help="the request is refused (give --note)")
    r.add_argument("--note", default="", help="what was done, or why it was refused")
    r.set_defaults(handler=cmd_request_close)

    q = ps.add_parser("requests", parents=[common], help="requests with the time left")
    q.add_argument("--all", action="store_true", help="closed ones too")
    add_format(q, choices=("text", "json"))
    q.set_defaults(handler=cmd_requests)

    q = ps.add_parser("report", parents=[common], help="everything held about a person (Pasal 32), as PDF or text")
    q.add_argument("who", metavar="NIK_OR_ID", help="the person: NIK or member id")
    q.add_argument("--out", metavar="F.pdf", help="write the report (PDF, or text for .txt); else print it")
    q.add_argument("--request", metavar="ID", default="", help="the access request this answers")
    add_format(q, choices=("text", "json"))
    q.set_defaults(handler=cmd_report)

    q = ps.add_parser("restrict", parents=[common], help="restrict a person's processing")
    q.add_argument("who", metavar="NIK_OR_ID", help="the person: NIK or member id")
    q.set_defaults(handler=cmd_restrict)
    q = ps.add_parser("unrestrict", parents=[common], help="lift a restriction")
    q.add_argument("who", metavar="NIK_OR_ID", help="the person: NIK or member id")
    q.set_defaults(handler=cmd_unrestrict)

    q = ps.add_parser("erase", parents=[common], help="erase a person's personal data at every office (province)")
    q.add_argument("who", metavar="NIK_OR_ID", help="the person: NIK or member id")
    q.add_argument("--reason", required=True, help="why (the request, the decision)")
    q.add_argument("--request", metavar="ID", default="", help="the erasure request this carries out")
    q.set_defaults(handler=cmd_erase)

    q = ps.add_parser("retention", parents=[common], help="erase what the archive schedule (JRA) says is due")
    q.add_argument("--dry-run", action="store_true", help="say what would go, change nothing")
    q.add_argument("--member-years", type=int, metavar="N", help="set: members inactive more than N years")
    q.add_argument("--finance-years", type=int, metavar="N", help="set: financial records kept N years")
    q.add_argument("--jra", metavar="TEXT", help="set: which archive schedule the rules come from")
    q.add_argument("--log", action="store_true", help="list the destruction records")
    add_format(q, choices=("text", "json"))
    q.set_defaults(handler=cmd_retention)

    q = ps.add_parser("incident", parents=[common], help="record or close a data breach (Pasal 46)")
    qs = q.add_subparsers(dest="incident_cmd", metavar="add|close", required=True)
    r = qs.add_parser("add", parents=[common], help="record a lost stick, PC, backup…")
    r.add_argument("--what", required=True, help="what happened")
    r.add_argument("--device", required=True, choices=P.DEVICES, help="what was lost or exposed")
    r.add_argument("--encrypted", choices=("yes", "no"), required=True, help="was the data on it encrypted")
    r.add_argument("--discovered", metavar="WHEN", help="when it was discovered (default now)")
    r.add_argument("--office", metavar="CODE", help="the office whose device it was (default this one)")
    r.add_argument("--people", type=int, metavar="N", help="how many people (default: the office's members)")
    r.add_argument("--exposed", default="", help="which data may be exposed")
    r.add_argument("--remedy", default="", help="what is done about it")
    r.add_argument("--revoke", action="store_true", help="revoke the office's key now (province)")
    r.set_defaults(handler=cmd_incident_add)
    r = qs.add_parser("close", parents=[common], help="the notice was sent")
    r.add_argument("id", metavar="ID", help="the incident id (its first characters)")
    r.add_argument("--notified", metavar="WHEN", help="when the notice was sent (default now)")
    r.add_argument("--remedy", default="", help="what was done about it")
    r.set_defaults(handler=cmd_incident_close)

    q = ps.add_parser("incidents", parents=[common], help="incidents with the time left for the notice")
    add_format(q, choices=("text", "json"))
    q.set_defaults(handler=cmd_incidents)

    q = ps.add_parser("notice", parents=[common], help="write the breach notice letter (Pasal 46)")
    q.add_argument("id", metavar="ID", help="the incident id (its first characters)")
    q.add_argument("--out", metavar="F.pdf", help="PDF, or text for .txt; else print it")
    q.set_defaults(handler=cmd_notice)

    q = ps.add_parser("dpia", parents=[common], help="the DPIA (Pasal 34) filled with this office's figures")
    q.add_argument("--approve", action="store_true", help="record that the DPIA was reviewed and approved (province)")
    q.add_argument("--out", metavar="F", help="write it to a text file")
    q.set_defaults(handler=cmd_dpia)


def _write(path: str, text: str | None = None, pdf: bytes | None = None) -> None:
    out = Path(path).expanduser()
    if pdf is not None and out.suffix.lower() == ".pdf":
        atomic_write(out, pdf)
    else:
        atomic_write(out, (text or "").encode("utf-8"))
    say(t("privacy.written", path=str(out)))


def _kind(kind: str) -> str:
    return t(f"privacy.kind.{kind}")


def cmd_register(args) -> int:
    changing = args.load or args.controller is not None
    with open_db(args, read_only=not changing) as db:
        if changing:
            activities = None
            if args.load:
                try:
                    activities = orjson.loads(Path(args.load).expanduser().read_bytes())
                except (OSError, orjson.JSONDecodeError) as exc:
                    raise PilarError("privacy.bad_register_file", path=args.load, problem=str(exc)) from None
            reg = P.set_register(db, controller=args.controller, activities=activities)
            say(t("privacy.register_saved", n=len(reg["activities"])))
        if args.format == "json":
            print_json(P.register(db))
            return 0
        lines = P.register_lines(db)
        if args.out:
            _write(args.out, "\n".join(lines) + "\n", P.lines_pdf(db, lines) if args.out.lower().endswith(".pdf") else None)
        else:
            say("\n".join(lines))
    return 0


def cmd_dpo(args) -> int:
    with open_db(args) as db:
        reg = P.set_register(db, dpo_name=args.name, dpo_contact=args.contact)
        say(t("privacy.dpo_saved", name=reg["dpo"]["name"], contact=reg["dpo"]["contact"] or "-"))
    return 0


def cmd_request_add(args) -> int:
    with open_db(args) as db:
        req = P.add_request(db, args.who, args.kind, note=args.note, received=args.received)
        say(t("privacy.request_added", kind=_kind(req["kind"]), id=req["id"][:8], due=req["due"].replace("T", " ")))
        member = db.get("members", req["member_id"])
        if req["kind"] in P.RESTRICTING and member and member.get("restricted", {}).get("request") == req["id"]:
            say(t("privacy.request_restricted", who=req["member_id"][:8]))
        elif req["kind"] in P.RESTRICTING and member and not member.get("restricted"):
            say(t("privacy.request_restrict_later", owner=member.get("owner", "?")))
    return 0


def cmd_request_close(args) -> int:
    with open_db(args) as db:
        req = P.close_request(db, args.id, "REFUSED" if args.refused else "DONE", note=args.note)
        say(t("privacy.request_closed", id=req["id"][:8], status=req["status"]))
    return 0


def _who(db, member_id: str) -> str:
    return P.label(member_id, db.get("members", member_id))


def cmd_requests(args) -> int:
    with open_db(args, read_only=True) as db:
        items = P.requests(db, open_only=not args.all)
        if args.format == "json":
            print_json([dict(r, left=P.left_text(r), hours_left=P.hours_left(r)) for r in items])
            return 0
        if not items:
            say(t("privacy.none_open"))
            return 0
        rows = [[r["id"][:8], _who(db, r["member_id"]), _kind(r["kind"]), r["received"].replace("T", " "),
                 r.get("office", ""), P.left_text(r)] for r in items]
        print_table(rows, [t("privacy.col.id"), t("privacy.col.who"), t("privacy.col.kind"),
                           t("privacy.col.received"), t("privacy.col.office"), t("privacy.col.left")])
    return 0


def cmd_report(args) -> int:
    with open_db(args) as db:
        report = P.access_report(db, args.who, request_id=args.request)
        if args.format == "json" and not args.out:
            print_json(report)
            return 0
        if args.out:
            out = Path(args.out).expanduser()
            if out.suffix.lower() == ".pdf":
                atomic_write(out, P.report_pdf(db, report))
            else:
                atomic_write(out, P.report_text(report).encode("utf-8"))
            say(t("privacy.rep.written", path=str(out)))
        else:
            say(P.report_text(report))
    return 0


def cmd_restrict(args) -> int:
    with open_db(args) as db:
        member = P.restrict(db, args.who)
        say(t("privacy.restricted_now", who=P.label(member["id"], member), since=member["restricted"]["since"]))
    return 0


def cmd_unrestrict(args) -> int:
    with open_db(args) as db:
        member = P.unrestrict(db, args.who)
        say(t("privacy.unrestricted", who=P.label(member["id"], member)))
    return 0


def cmd_erase(args) -> int:
    with open_db(args) as db:
        member_id, member = P.find_member(db, args.who)
        who = P.label(member_id, member)
        result = P.erase(db, member_id, args.reason, request_id=args.request)
        if result.already:
            say(t("privacy.erased_nothing", who=who))
        else:
            counts = ", ".join(f"{k} {n}" for k, n in sorted(result.records.items()))
            say(t("privacy.erased", who=who, counts=counts, keep=keep_count(db.office)))
    return 0


def cmd_retention(args) -> int:
    setting = any(x is not None for x in (args.member_years, args.finance_years, args.jra))
    with open_db(args, read_only=(args.dry_run or args.log) and not setting) as db:
        if setting:
            P.set_retention(db, args.member_years, args.finance_years, args.jra)
            say(t("privacy.retention.saved"))
        if args.log:
            items = P.destructions(db)
            if args.format == "json":
                print_json(items)
            else:
                for d in items:
                    say(f"{d['on']}  {d['id'][:8]}  {d.get('office', '')}  {len(d.get('members', []))}  {d.get('by', '')}")
            return 0
        plan = P.retention_plan(db)
        if args.format == "json":
            print_json({"rules": plan.rules, "erase": plan.erase, "kept_finance": plan.kept_finance,
                        "kept_open": plan.kept_open, "undated": plan.undated, "dry_run": bool(args.dry_run)})
            if args.dry_run:
                return 0
        else:
            say(t("privacy.retention.head", **plan.rules))
            say(t("privacy.retention.would", n=len(plan.erase)))
            for row in plan.erase[:50]:
                say(t("privacy.retention.row", **row))
            if plan.kept_finance:
                say(t("privacy.retention.kept_finance", n=len(plan.kept_finance), year=""))
            if plan.kept_open:
                say(t("privacy.retention.kept_open", n=len(plan.kept_open)))
            if plan.undated:
                say(t("privacy.retention.undated", n=plan.undated))
        if args.dry_run:
            say(t("privacy.retention.dry"))
            return 0
        if setting and not plan.erase:
            return 0
        counts = P.apply_retention(db, plan)
        if plan.erase:
            rec = P.destructions(db)[0]
            say(t("privacy.retention.done", n=counts.get("members", 0), id=rec["id"][:8],
                  counts=", ".join(f"{k} {n}" for k, n in sorted(counts.items()) if k != "members")))
    return 0


def cmd_incident_add(args) -> int:
    with open_db(args) as db:
        inc = P.add_incident(db, args.what, args.device, args.encrypted == "yes", discovered=args.discovered,
                             office=args.office, people=args.people, data=args.exposed, revoke=args.revoke,
                             remedy=args.remedy)
        if inc.get("revoked"):
            say(t("privacy.incident_revoked", office=inc["revoked"]))
        say(t("privacy.incident_added", id=inc["id"][:8], people=inc["people"], due=inc["due"].replace("T", " ")))
    return 0


def cmd_incident_close(args) -> int:
    with open_db(args) as db:
        inc = P.close_incident(db, args.id, notified=args.notified, remedy=args.remedy)
        say(t("privacy.incident_closed", id=inc["id"][:8], on=inc["notified"].replace("T", " ")))
    return 0


def cmd_incidents(args) -> int:
    with open_db(args, read_only=True) as db:
        items = P.incidents(db)
        if args.format == "json":
            print_json([dict(i, left=P.left_text(i)) for i in items])
            return 0
        if not items:
            say(t("privacy.none_incidents"))
            return 0
        rows = [[i["id"][:8], i["discovered"].replace("T", " "), i.get("office", ""),
                 t(f"privacy.device.{i.get('device', 'other')}"), str(i.get("people", "")), P.left_text(i)]
                for i in items]
        print_table(rows, [t("privacy.col.id"), t("privacy.col.received"), t("privacy.col.office"),
                           t("privacy.col.what"), "N", t("privacy.col.left")])
    return 0


def cmd_notice(args) -> int:
    with open_db(args, read_only=True) as db:
        inc = P.find_privacy(db, args.id, "incident")
        lines = P.notice_lines(db, inc)
        if args.out:
            _write(args.out, "\n".join(lines) + "\n",
                   P.notice_pdf(db, inc) if args.out.lower().endswith(".pdf") else None)
        else:
            say("\n".join(lines))
    return 0


def cmd_dpia(args) -> int:
    with open_db(args, read_only=not args.approve) as db:
        if args.approve:
            P.approve_dpia(db)
        lines = P.dpia_lines(db)
        if args.out:
            _write(args.out, "\n".join(lines) + "\n")
        else:
            say("\n".join(lines))
    return 0
