"""Command line: payout rates, quarterly runs, approval, payment, void, arrears and the payout documents."""

from __future__ import annotations

import sys
from pathlib import Path

from storage import payout_docs as docs
from storage import payouts
from storage.fmt import quarter_label
from storage.i18n import t
from storage.model import pillar_label, position_label
from tui.cli.common import open_db, report_subparsers
from tui.cli.output import add_format, print_json, print_table, say

ITEM_FIELDS = ("id", "member_id", "pillar", "position", "quarter", "gross", "tax", "net", "status")


def register(sub, common) -> None:
    p = sub.add_parser("payout", parents=[common], help="quarterly payouts: rates, runs, approval, payment")
    psub = p.add_subparsers(dest="payout_cmd", metavar="ACTION", required=True)

    q = psub.add_parser("rates", parents=[common], help="the rate table")
    add_format(q)
    q.set_defaults(handler=cmd_rates)

    q = psub.add_parser("rate", parents=[common], help="add or change a rate")
    rsub = q.add_subparsers(dest="rate_cmd", metavar="ACTION", required=True)
    r = rsub.add_parser("set", parents=[common], help="add a rate, or change one with --id")
    r.add_argument("--pillar", required=True, help="TAGANA, TKSK, PKH_PLUS, …")
    r.add_argument("--position", default="", help="KORKAB, ANGGOTA, … (empty: every position of the pillar)")
    r.add_argument("--amount", required=True, help="whole rupiah per quarter, e.g. 1500000 or 1.500.000")
    r.add_argument("--tax", default="0", help="tax deducted per quarter in whole rupiah (default 0)")
    r.add_argument("--start", required=True, help="in force from, YYYY-MM-DD")
    r.add_argument("--end", default="", help="in force until, YYYY-MM-DD (empty: open)")
    r.add_argument("--funding", default="APBD_PROVINSI", help=", ".join(payouts.FUNDING))
    r.add_argument("--kind", default="OPERASIONAL", help=", ".join(payouts.RATE_KINDS))
    r.add_argument("--note", default="")
    r.add_argument("--id", dest="rate_id", help="change this rate instead of adding one")
    add_format(r)
    r.set_defaults(handler=cmd_rate_set)

    q = psub.add_parser("run", parents=[common], help="generate a quarter's payout items (preview with --dry-run)")
    q.add_argument("--quarter", required=True, help="e.g. 2024-Q2")
    q.add_argument("--dry-run", action="store_true", help="show what would be created; save nothing")
    q.add_argument("--allow-cash", action="store_true",
                   help="members without a bank account get an item to be paid in cash instead of being excluded")
    add_format(q)
    q.set_defaults(handler=cmd_run)

    q = psub.add_parser("items", parents=[common], help="the items of a quarter")
    q.add_argument("--quarter", required=True)
    q.add_argument("--status", choices=payouts.STATUSES)
    q.add_argument("--search", metavar="TEXT",
                   help="only a member's items: part of the name, the NIK or its last 4+ digits, a membership "
                        "number or a transfer reference")
    add_format(q)
    q.set_defaults(handler=cmd_items)

    q = psub.add_parser("approve", parents=[common], help="approve every draft item of a quarter (locks them)")
    q.add_argument("--quarter", required=True)
    add_format(q)
    q.set_defaults(handler=cmd_approve)

    q = psub.add_parser("pay", parents=[common], help="mark approved items paid (transfer or cash at an event)")
    q.add_argument("--quarter", required=True)
    how = q.add_mutually_exclusive_group(required=True)
    how.add_argument("--transfer-ref", metavar="REF", help="the bank's transfer reference")
    how.add_argument("--cash", action="store_true", help="paid in cash at an event (members checked in there)")
    q.add_argument("--event", metavar="ID", help="the event where cash was handed over")
    q.add_argument("--member", metavar="ID", nargs="+", action="extend", help="only these members")
    add_format(q)
    q.set_defaults(handler=cmd_pay)

    q = psub.add_parser("void", parents=[common], help="void a draft or approved item, with a reason")
    q.add_argument("item_id", metavar="ITEM_ID")
    q.add_argument("--reason", required=True)
    q.add_argument("--reissue", action="store_true", help="also create its replacement (a new draft item)")
    add_format(q)
    q.set_defaults(handler=cmd_void)

    q = psub.add_parser("outstanding", parents=[common], help="what is due and unpaid, per member and quarter")
    q.add_argument("--by", choices=("quarter", "member", "item"), default="quarter")
    add_format(q)
    q.set_defaults(handler=cmd_outstanding)

    rep = report_subparsers(sub, common)
    q = rep.add_parser("payouts", parents=[common], help="daftar nominatif, receipts or the bank transfer file")
    q.add_argument("--quarter", required=True)
    q.add_argument("--format", choices=docs.FORMATS, default="text")
    q.add_argument("--doc", choices=("nominatif", "receipts"), default="nominatif",
                   help="nominatif (default) or receipts (tanda terima); --format bank gives the transfer file")
    q.add_argument("--draft", action="store_true", help="include draft items (marked DRAF)")
    q.add_argument("--mask", action="store_true", help="hide NIK and account numbers but the last 4 digits")
    q.add_argument("--member", metavar="ID", nargs="+", action="extend", help="receipts for these members only")
    q.add_argument("--place", help="place on the date line (default Surabaya)")
    q.add_argument("--date", help="date on the date line, YYYY-MM-DD (default today)")
    q.add_argument("--out", metavar="FILE", help="write to FILE (csv, xlsx and bank need it unless piped)")
    q.set_defaults(handler=cmd_report)


def _money_row(row: dict) -> list:
    return [row["count"], docs.idr(row["gross"]), docs.idr(row["tax"]), docs.idr(row["net"])]


def cmd_rates(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = payouts.rates(db)
        if args.format == "json":
            print_json([{k: v for k, v in r.items() if not k.startswith("_")} | {"conflict": bool(r.get("_conflict"))}
                        for r in rows])
            return 0
        print_table([[pillar_label(r["pillar"]),
                      position_label(r["position"]) if r.get("position") else t("payout.all_positions"),
                      docs.idr(r["amount"]), docs.idr(r.get("tax", 0)), r["start"], r.get("end") or "…",
                      t(f"payout.funding.{r['funding']}"), t(f"payout.kind.{r.get('kind', 'OPERASIONAL')}"),
                      (t("payout.demo") + ": " if r.get("demo") else "") + r.get("note", ""), r["id"][:8]]
                     for r in rows],
                    [t(f"payout.h.{k}") for k in ("pillar", "position", "amount", "tax", "start", "end", "funding",
                                                  "kind", "note")] + ["id"])
    return 0


def cmd_rate_set(args) -> int:
    with open_db(args) as db:
        rate = payouts.set_rate(db, pillar=args.pillar.upper(), position=args.position.upper(), amount=args.amount,
                                tax=args.tax, start=args.start, end=args.end, funding=args.funding.upper(),
                                kind=args.kind.upper(), note=args.note, rate_id=args.rate_id)
    if args.format == "json":
        print_json({k: v for k, v in rate.items() if not k.startswith("_")})
    else:
        say(t("payout.cli.rate_saved", pillar=pillar_label(rate["pillar"]),
              position=position_label(rate["position"]) if rate["position"] else t("payout.all_positions"),
              amount=docs.idr(rate["amount"]), start=rate["start"]))
    return 0


def _item_json(item: dict) -> dict:
    return {k: item.get(k) for k in ITEM_FIELDS}


def cmd_run(args) -> int:
    with open_db(args, read_only=args.dry_run) as db:
        plan, created = payouts.run_quarter(db, args.quarter, dry_run=args.dry_run, allow_cash=args.allow_cash)
        shown = plan.new if args.dry_run else created
        totals = plan.totals.as_dict()
        if args.format == "json":
            print_json({"quarter": plan.quarter.code, "dry_run": args.dry_run,
                        "created": [_item_json(dict(v, status=v.get("status", "draft"))) for v in shown],
                        "updated": len(plan.updated), "removed": len(plan.removed), "unchanged": plan.unchanged,
                        "excluded": plan.excluded, "review": plan.review, "totals": totals})
            return 0
        key = "payout.cli.run_dry" if args.dry_run else "payout.cli.run_saved"
        if not args.dry_run and not plan.changes:
            say(t("payout.cli.run_nothing", quarter=plan.quarter.code))
        else:
            say(t(key, quarter=plan.quarter.code, new=len(shown), updated=len(plan.updated),
                  removed=len(plan.removed), unchanged=plan.unchanged))
        if shown:
            print_table([[v["member_id"][:8], (db.get("members", v["member_id"]) or {}).get("name", ""),
                          pillar_label(v["pillar"]), v["quarter"], docs.idr(v["gross"]),
                          docs.idr(v["tax"]), docs.idr(v["net"]), t(f"payout.status.{v.get('status', 'draft')}")]
                         for v in shown[:50]],
                        [t("payout.h.member"), t("payout.h.name"), t("payout.h.pillar"), t("payout.h.quarter"),
                         t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net"), t("payout.h.status")])
            if len(shown) > 50:
                say(f"… (+{len(shown) - 50}; --format json)")
        _print_totals(totals)
        if plan.excluded:
            detail = ", ".join(f"{t(f'payout.reason.{k}')} {n}" for k, n in sorted(plan.excluded_by_reason().items()))
            say(t("payout.cli.excluded", count=len(plan.excluded), detail=detail))
        if plan.review:
            say(t("payout.cli.review", count=len(plan.review)))
    return 0


def _print_totals(totals: dict) -> None:
    heads = [t("payout.h.count"), t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net")]
    say("")
    print_table([[pillar_label(k)] + _money_row(v) for k, v in totals["by_pillar"].items()]
                + [[t("payout.doc.grand_total")] + _money_row(totals["total"])], [t("payout.h.pillar")] + heads)


def cmd_items(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = payouts.items(db, args.quarter, (args.status,) if args.status else None)
        everyone = payouts.members_by_id(db)
        if args.search:
            rows = payouts.match_items(rows, everyone, args.search)
        rows.sort(key=lambda v: (v.get("kab", ""), v["member_id"], v["pillar"], v.get("rev", 0)))
        if args.format == "json":
            print_json([{k: v for k, v in r.items() if not k.startswith("_") and k != "bank"}
                        | {"conflict": bool(r.get("_conflict"))} for r in rows])
            return 0
        if args.search and not rows:
            say(t("payout.cli.no_match", text=args.search, quarter=args.quarter))
            return 0
        print_table([[r["id"], everyone.get(r["member_id"], {}).get("name", "") or r["member_id"][:8],
                      pillar_label(r["pillar"]), docs.idr(r["net"]), t(f"payout.status.{r['status']}"),
                      r.get("transfer_ref") or r.get("event_id", "")[:8] or r.get("void_reason", "")]
                     for r in rows],
                    [t("payout.h.item"), t("payout.h.name"), t("payout.h.pillar"), t("payout.h.net"),
                     t("payout.h.status"), t("payout.h.note")])
    return 0


def cmd_approve(args) -> int:
    with open_db(args) as db:
        result = payouts.approve(db, args.quarter)
    if args.format == "json":
        print_json(result)
    else:
        say(t("payout.cli.approved", quarter=result["quarter"], by=result["by"], count=result["count"],
              net=docs.idr(result["net"])))
    return 0


def cmd_pay(args) -> int:
    with open_db(args) as db:
        if args.cash:
            if not args.event:
                from storage.errors import PilarError

                raise PilarError("payout.need_event")
            from storage.events import resolve_event

            event = resolve_event(db, args.event)
            result = payouts.pay_cash(db, args.quarter, event["id"], args.member)
            method = t("payout.method.CASH")
        else:
            result = payouts.pay_transfer(db, args.quarter, args.transfer_ref, args.member)
            method = t("payout.method.TRANSFER")
    if args.format == "json":
        print_json(result)
    else:
        say(t("payout.cli.paid", quarter=result["quarter"], count=result["count"], method=method,
              net=docs.idr(result["net"])))
    return 0


def cmd_void(args) -> int:
    with open_db(args) as db:
        result = payouts.void(db, args.item_id, args.reason, reissue=args.reissue)
    if args.format == "json":
        print_json({k: v for k, v in result.items() if not k.startswith("_") and k != "bank"})
    elif args.reissue:
        say(t("payout.cli.reissued", old=args.item_id, id=result["id"]))
    else:
        say(t("payout.cli.voided", id=args.item_id))
    return 0


def cmd_outstanding(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = payouts.outstanding(db)
    if args.by == "member":
        data = payouts.outstanding_by_member(rows)
    elif args.by == "quarter":
        data = payouts.outstanding_by_quarter(rows)
    else:
        data = rows
    if args.format == "json":
        print_json(data)
        return 0
    if not data:
        say(t("payout.cli.no_outstanding"))
        return 0
    yes, no = t("payout.yes"), t("payout.no")
    if args.by == "member":
        print_table([[r["member_id"][:8], r["name"], r["items"], docs.idr(r["net"]), docs.idr(r["arrears"]),
                      ", ".join(r["quarters"])] for r in data],
                    [t("payout.h.member"), t("payout.h.name"), t("payout.h.count"), t("payout.h.net"),
                     t("payout.h.arrears"), t("payout.h.quarters")])
    elif args.by == "quarter":
        print_table([[quarter_label(r["quarter"]), r["items"], r["draft"], r["approved"], docs.idr(r["net"]),
                      yes if r["arrears"] else no] for r in data],
                    [t("payout.h.quarter"), t("payout.h.count"), t("payout.status.draft"), t("payout.status.approved"),
                     t("payout.h.net"), t("payout.h.arrears")])
    else:
        print_table([[r["id"], r["name"], r["quarter"], pillar_label(r["pillar"]), t(f"payout.status.{r['status']}"),
                      docs.idr(r["net"]), yes if r["arrears"] else no] for r in data],
                    [t("payout.h.item"), t("payout.h.name"), t("payout.h.quarter"), t("payout.h.pillar"),
                     t("payout.h.status"), t("payout.h.net"), t("payout.h.arrears")])
    return 0


def cmd_report(args) -> int:
    opts = {}
    if args.format != "bank":
        opts = {"draft": args.draft, "mask": args.mask, "place": args.place, "date": args.date}
        if args.doc == "receipts":
            opts["member_ids"] = args.member
        if args.format in ("csv", "xlsx"):
            opts = {"draft": args.draft, "mask": args.mask}
    with open_db(args, read_only=True) as db:
        if args.date:
            payouts.check_date(args.date)
        if args.out:
            path = docs.write(db, args.quarter, Path(args.out), args.doc, args.format, **opts)
            say(t("payout.cli.written", path=str(path)))
            return 0
        data = docs.render(db, args.quarter, args.doc, args.format, **opts)
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)
    return 0
