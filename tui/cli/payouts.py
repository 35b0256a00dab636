"""Command line: payout rates, quarterly runs, approval, payment, void, arrears and the payout documents."""

from __future__ import annotations

import sys
from pathlib import Path

from storage import payouts
from storage.core.i18n import t
from storage.domain.fmt import number, quarter_label
from storage.domain.model import pillar_label, position_label
from storage.office.settings import SIGNER_KEYS
from storage.payouts import budget, documents, views
from tui.cli import treasury
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
    r.add_argument("--tax", default="0", help="tax deducted per quarter in whole rupiah (default 0: none)")
    r.add_argument("--pph21", metavar="PERCENT",
                   help="withhold PPh 21 bukan pegawai: PERCENT (e.g. 5) of 50%% of the gross, rounded down; "
                        "'none' removes the rule")
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

    q = psub.add_parser("blockers", parents=[common],
                        help="draft items held (member in sync conflict) or flagged for review (two or more pillars)")
    q.add_argument("--quarter", required=True)
    q.add_argument("--out", metavar="FILE",
                   help="write a decisions sheet (CSV) to fill in: decision and reason per item, for approve --decisions")
    add_format(q)
    q.set_defaults(handler=cmd_blockers)

    q = psub.add_parser("approve", parents=[common], help="approve every draft item of a quarter (locks them)")
    q.add_argument("--quarter", required=True)
    q.add_argument("--approve-anyway", nargs=2, action="append", default=[], metavar=("ITEM", "REASON"),
                   help="approve a held or flagged item anyway, with the reason (repeat per item)")
    q.add_argument("--void", nargs=2, action="append", default=[], metavar=("ITEM", "REASON"), dest="void_items",
                   help="void a held or flagged item instead, with the reason (repeat per item)")
    q.add_argument("--decisions", metavar="FILE",
                   help="decisions from a CSV file: item id, approve|void, reason (one row per item)")
    add_format(q)
    q.set_defaults(handler=cmd_approve)

    q = psub.add_parser("pay", parents=[common], help="mark approved items paid (transfer or cash at an event)")
    q.add_argument("--quarter", required=True)
    how = q.add_mutually_exclusive_group(required=True)
    how.add_argument("--transfer-ref", metavar="REF", help="one bank transfer reference for every item paid")
    how.add_argument("--ref", metavar="MEMBER=REF", action="append", dest="refs",
                     help="a reference per member (member id, 8+ character id prefix or NIK; repeat per member)")
    how.add_argument("--bank-result", metavar="FILE",
                     help="the bank's result file (Bank Jatim TXT, or CSV/XLSX: account, amount, reference, "
                          "status OK/RETUR)")
    how.add_argument("--cash", action="store_true", help="paid in cash at an event (members checked in there)")
    q.add_argument("--event", metavar="ID", help="the event where cash was handed over")
    q.add_argument("--member", metavar="ID", nargs="+", action="extend", help="only these members")
    q.add_argument("--dry-run", action="store_true", help="with --bank-result: show what it would do; save nothing")
    q.add_argument("--close-returns", action="store_true",
                   help="with --bank-result: close returned items instead of reopening them as new drafts")
    q.add_argument("--date", help="with --bank-result: the date returned money came back (default today)")
    add_format(q)
    q.set_defaults(handler=cmd_pay)

    q = psub.add_parser("return", parents=[common],
                        help="record that a paid item's money came back (transfer returned by the bank, cash handed back)")
    q.add_argument("item_id", metavar="ITEM_ID")
    q.add_argument("--reason", required=True)
    q.add_argument("--date", help="when the money came back, YYYY-MM-DD (default today)")
    q.add_argument("--close", action="store_true",
                   help="close the item instead of reopening it as a new draft (the member is owed nothing more)")
    add_format(q)
    q.set_defaults(handler=cmd_return)

    q = psub.add_parser("reissue", parents=[common], help="a new draft replacing a void or returned item")
    q.add_argument("item_id", metavar="ITEM_ID")
    add_format(q)
    q.set_defaults(handler=cmd_reissue)

    q = psub.add_parser("duties", parents=[common],
                        help="separation of duties: show, or turn on/off (saver, approver and payer differ)")
    q.add_argument("state", nargs="?", choices=("on", "off"))
    add_format(q)
    q.set_defaults(handler=cmd_duties)

    q = psub.add_parser("signers", parents=[common],
                        help="who signs the nominatif and receipts, and the place line: show, or set the fields given")
    for name in SIGNER_KEYS:
        q.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT")
    add_format(q)
    q.set_defaults(handler=cmd_signers)

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
    q.add_argument("--format", choices=documents.FORMATS, default="text")
    q.add_argument("--doc", choices=("nominatif", "receipts", "kwitansi", "rekap", "pajak"), default="nominatif",
                   help="nominatif (default), receipts (tanda terima), kwitansi, rekap or pajak (tax recap; PDF only); "
                        "--format bank gives the transfer file")
    q.add_argument("--draft", action="store_true", help="include draft items (marked DRAF)")
    q.add_argument("--mask", action="store_true", help="hide NIK and account numbers but the last 4 digits")
    q.add_argument("--member", metavar="ID", nargs="+", action="extend", help="receipts for these members only")
    q.add_argument("--place", help="place on the date line (default Surabaya)")
    q.add_argument("--date", help="date on the date line, YYYY-MM-DD (default today)")
    q.add_argument("--out", metavar="FILE", help="write to FILE (csv, xlsx and bank need it unless piped)")
    q.add_argument("--open", action="store_true", help="open the written file with the system viewer")
    q.add_argument("--bank", help="with --format bank: the template, jatim or generic (default: the office's)")
    q.set_defaults(handler=cmd_report)

    treasury.register_report(rep, common)
    treasury.register_payout(psub, common)

    q = rep.add_parser("viewer", parents=[common], help="whether Cetak in the app opens the file it wrote")
    q.add_argument("state", nargs="?", choices=("on", "off"), help="on (default) or off; none: show it")
    q.set_defaults(handler=cmd_viewer)

    q = psub.add_parser("bankfile", parents=[common],
                        help="the bank transfer file of a quarter in a bank's template; accounts that fail the "
                             "checks are listed and left out (exit code 1 when any is)")
    q.add_argument("quarter", metavar="QUARTER", help="e.g. 2024-Q2")
    q.add_argument("--bank", help="template: jatim or generic (default: the office's, see bank-template)")
    q.add_argument("--out", metavar="FILE", required=True, help="the file (or a folder: the file's own name in it)")
    q.add_argument("--date", help="date on the header line, YYYY-MM-DD (default today)")
    add_format(q)
    q.set_defaults(handler=cmd_bankfile)

    q = psub.add_parser("bank-template", parents=[common],
                        help="the bank file template Cetak and the SPJ package use: show, or set jatim/generic")
    q.add_argument("bank", nargs="?", help="jatim or generic; none: show it")
    q.set_defaults(handler=cmd_bank_template)

    q = psub.add_parser("spj", parents=[common],
                        help="the SPJ package of a quarter: every document and a manifest with SHA-256 hashes")
    q.add_argument("quarter", metavar="QUARTER", help="e.g. 2024-Q2")
    q.add_argument("--event", metavar="ID", help="the event where the money was handed out (adds its daftar hadir)")
    q.add_argument("--draft", action="store_true", help="include draft items (marked DRAF)")
    q.add_argument("--out", metavar="DIR|ZIP", required=True, help="a new folder, or a file ending in .zip")
    add_format(q)
    q.set_defaults(handler=cmd_spj)

    q = psub.add_parser("spj-verify", parents=[common],
                        help="check an SPJ package against its manifest (fails on any changed byte)")
    q.add_argument("path", metavar="PATH", help="the package folder or .zip")
    q.add_argument("--audit", action="store_true",
                   help="also check that this data folder's audit log still holds the head the package recorded")
    add_format(q)
    q.set_defaults(handler=cmd_spj_verify)


def _money_row(row: dict) -> list:
    return [row["count"], documents.idr(row["gross"]), documents.idr(row["tax"]), documents.idr(row["net"])]


def cmd_rates(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = payouts.rates(db)
        if args.format == "json":
            print_json([{k: v for k, v in r.items() if not k.startswith("_")} | {"conflict": bool(r.get("_conflict"))}
                        for r in rows])
            return 0
        print_table([[*views.rate_row(r), r["id"][:8]] for r in rows], [*views.rate_headers(), "id"])
    return 0


def cmd_rate_set(args) -> int:
    from storage.payouts.rates import parse_pph21

    rule, bp = parse_pph21(args.pph21) if args.pph21 is not None else (None, None)
    with open_db(args) as db:
        rate = payouts.set_rate(db, pillar=args.pillar.upper(), position=args.position.upper(), amount=args.amount,
                                tax=args.tax, start=args.start, end=args.end, funding=args.funding.upper(),
                                kind=args.kind.upper(), note=args.note, rate_id=args.rate_id, tax_rule=rule,
                                tax_bp=bp)
    if args.format == "json":
        print_json({k: v for k, v in rate.items() if not k.startswith("_")})
    else:
        say(t("payout.cli.rate_saved", pillar=pillar_label(rate["pillar"]),
              position=position_label(rate["position"]) if rate["position"] else t("payout.all_positions"),
              amount=documents.idr(rate["amount"]), start=rate["start"]))
        if rate.get("tax_rule"):
            say(t("payout.tax_rule_line", rule=payout_pdf_tax_label(rate), tax=documents.idr(rate["tax"]),
                  net=documents.idr(rate["amount"] - rate["tax"])))
    return 0


def payout_pdf_tax_label(rate: dict) -> str:
    from storage.payouts.documents.pdf import tax_label

    return tax_label(rate)


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
                        "excluded": plan.excluded, "review": plan.review, "totals": totals,
                        "pagu": treasury.what_if_json(budget.what_if(db, plan)) if db.is_province else None})
            return 0
        key = "payout.cli.run_dry" if args.dry_run else "payout.cli.run_saved"
        if not args.dry_run and not plan.changes:
            say(t("payout.cli.run_nothing", quarter=plan.quarter.code))
        else:
            say(t(key, quarter=plan.quarter.code, new=len(shown), updated=len(plan.updated),
                  removed=len(plan.removed), unchanged=plan.unchanged))
        if shown:
            print_table([[v["member_id"][:8], (db.get("members", v["member_id"]) or {}).get("name", ""),
                          pillar_label(v["pillar"]), v["quarter"], documents.idr(v["gross"]),
                          documents.idr(v["tax"]), documents.idr(v["net"]), t(f"payout.status.{v.get('status', 'draft')}")]
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
        treasury.print_what_if(db, plan)
        if plan.held:
            print_table([[row["name"], pillar_label(row["pillar"]),
                          f"{t('payout.reason.conflict')} ({payouts.contested_label(row['fields'])})"]
                         for row in plan.held[:50]],
                        [t("payout.h.name"), t("payout.h.pillar"), t("payout.h.reason")])
            say(t("payout.hold.todo"))
    return 0


def cmd_blockers(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = payouts.approval_blockers(db, args.quarter)
        quarter = payouts.Quarter.parse(args.quarter).code
    if args.format == "json":
        print_json(rows)
        return 0
    if not rows:
        say(t("payout.cli.no_blockers", quarter=quarter))
        return 0
    if getattr(args, "out", None):
        _write_decisions_sheet(Path(args.out), rows)
        say(t("payout.cli.decisions_sheet", path=args.out, count=len(rows), quarter=quarter))
        return 0
    print_table([[r["id"], r["name"], pillar_label(r["pillar"]), documents.idr(r["net"]), payouts.blocker_label(r),
                  t("payout.ui.decide_approve") + " / " + t("payout.ui.decide_void") if r["can_approve"]
                  else t("payout.ui.decide_void")] for r in rows],
                [t("payout.h.item"), t("payout.h.name"), t("payout.h.pillar"), t("payout.h.net"), t("payout.h.reason"),
                 t("payout.h.decision")])
    say(t("payout.cli.blockers", quarter=quarter, count=len(rows)))
    if any("conflict" in r["reasons"] for r in rows):
        say(t("payout.hold.todo"))
    return 0


DECISION_COLUMNS = ("item", "keputusan", "alasan")


def _write_decisions_sheet(path: Path, rows: list[dict]) -> None:
    """A CSV the bendahara fills in (Excel opens it: semicolons): one row per held or flagged item,
    the decision pre-set to what is allowed (approve, or void for an account in conflict), the reason
    empty; ``approve --decisions`` reads it back by its column names."""
    from storage.core.errors import PilarError
    from storage.core.fsutil import atomic_write
    from storage.printing.tables import csv_bytes

    data = csv_bytes([*DECISION_COLUMNS, "nama", "pilar", "neto", "sebab"],
                     ([r["id"], "approve" if r["can_approve"] else "void", "", r["name"], pillar_label(r["pillar"]),
                       r["net"], payouts.blocker_label(r)] for r in rows), delimiter=";")
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise PilarError("fs.io_error", path=str(path), detail=str(exc)) from exc


def _read_decisions(path: str) -> dict[str, tuple[str, str]]:
    import csv

    from storage.core.errors import PilarError
    from storage.roster.importing.read import decode

    try:
        text = decode(Path(path).read_bytes())  # UTF-8 (BOM or not) or, as Excel saves it, Windows-1252
    except OSError as exc:
        raise PilarError("fs.io_error", path=path, detail=str(exc)) from exc
    delimiter = ";" if text.count(";") > text.count(",") else ","
    out = {}
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:  # a cell over 128 KB, a NUL: one sentence, never a traceback
        raise PilarError("sheet.csv_damaged", path=path, line=reader.line_num, detail=str(exc)) from None
    head = [c.strip().lower() for c in rows[0]] if rows else []
    if all(c in head for c in DECISION_COLUMNS):
        # the sheet written by ``payout blockers --out``: columns by name, the rest (name, why) ignored
        i, d, r = (head.index(c) for c in DECISION_COLUMNS)
        for row in rows[1:]:
            if len(row) > max(i, d, r) and row[i].strip():
                # a reason in the last column may hold the separator unquoted (as typed by hand)
                reason = delimiter.join(row[r:]) if r == len(head) - 1 else row[r]
                out[row[i].strip()] = (row[d].strip(), reason.strip())
        return out
    for row in rows:
        if len(row) < 3 or not row[0].strip() or row[0].strip().lower() in ("item", "id", "item_id", "id item"):
            continue
        out[row[0].strip()] = (row[1].strip(), ",".join(row[2:]).strip())
    return out


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
                      pillar_label(r["pillar"]), documents.idr(r["net"]), t(f"payout.status.{r['status']}"),
                      views.item_note(r)]
                     for r in rows],
                    [t("payout.h.item"), t("payout.h.name"), t("payout.h.pillar"), t("payout.h.net"),
                     t("payout.h.status"), t("payout.h.note")])
    return 0


def cmd_approve(args) -> int:
    decisions: dict[str, tuple[str, str]] = _read_decisions(args.decisions) if args.decisions else {}
    decisions.update({item: ("approve", reason) for item, reason in args.approve_anyway})
    decisions.update({item: ("void", reason) for item, reason in args.void_items})
    with open_db(args) as db:
        result = payouts.approve(db, args.quarter, decisions)
    if args.format == "json":
        print_json(result)
    else:
        say(t("payout.cli.approved", quarter=result["quarter"], by=result["by"], count=number(result["count"]),
              net=documents.idr(result["net"])))
        if result["decided"]:
            say(t("payout.cli.decided", decided=result["decided"], voided=result["voided"]))
    return 0


def _member_id(db, text: str) -> str:
    from storage.core.errors import PilarError

    key = text.strip()
    if db.get("members", key) is not None:
        return key
    by_nik = db.lookup("members", "nik", key)
    if len(by_nik) == 1:
        return by_nik[0]
    if len(key) >= 8:
        hits = [m["id"] for m in db.values("members") if m["id"].startswith(key.lower())]
        if len(hits) == 1:
            return hits[0]
    raise PilarError("payout.member_unknown", value=text)


def _refs(db, pairs: list[str]) -> dict[str, str]:
    from storage.core.errors import PilarError

    out = {}
    for pair in pairs:
        member, sep, ref = pair.partition("=")
        if not sep or not member.strip() or not ref.strip():
            raise PilarError("payout.bad_ref", value=pair)
        out[_member_id(db, member)] = ref.strip()
    return out


def cmd_bank_result(args) -> int:
    from storage.payouts import bank_result as payout_bank

    with open_db(args, read_only=args.dry_run) as db:
        result = payout_bank.import_bank_result(db, args.quarter, args.bank_result, dry_run=args.dry_run,
                                                reopen=not args.close_returns, date=args.date)
        everyone = payouts.members_by_id(db)
    counts = result.counts()
    problems = [dict(p, problem_text=t(f"payout.bank.problem.{p['problem']}", **p["detail"])) for p in result.problems]
    if args.format == "json":
        print_json({"quarter": result.quarter.code, "dry_run": args.dry_run, **counts,
                    "paid_items": [v["id"] for r in result.paid for v in r["items"]],
                    "returned_items": [v["id"] for r in result.returned for v in r["items"]],
                    "problems": problems})
        return 0
    say((t("payout.cli.bank_dry") if args.dry_run else "")
        + t("payout.cli.bank_result", quarter=result.quarter.code, **counts))
    applied = [(r, v, "OK") for r in result.paid for v in r["items"]] + \
              [(r, v, "RETUR") for r in result.returned for v in r["items"]]
    if applied:
        print_table([[r["line"], everyone.get(v["member_id"], {}).get("name", ""), pillar_label(v["pillar"]),
                      documents.idr(v["net"]), r["ref"], status] for r, v, status in applied[:50]],
                    [t("payout.h.line"), t("payout.h.name"), t("payout.h.pillar"), t("payout.h.net"),
                     t("payout.h.reference"), t("payout.h.status")])
    if problems:
        say("")
        print_table([[p["line"], p["account"], p["amount"], p["reference"], p["problem_text"]] for p in problems],
                    [t("payout.h.line"), t("payout.h.account"), t("payout.h.amount"), t("payout.h.reference"),
                     t("payout.h.problem")])
    return 0


def cmd_pay(args) -> int:
    if args.bank_result:
        return cmd_bank_result(args)
    with open_db(args) as db:
        if args.refs:
            result = payouts.pay_transfers(db, args.quarter, _refs(db, args.refs))
            method = t("payout.method.TRANSFER")
        elif args.cash:
            if not args.event:
                from storage.core.errors import PilarError

                raise PilarError("payout.need_event")
            from storage.events import resolve_event

            event = resolve_event(db, args.event)
            result = payouts.pay_cash(db, args.quarter, event["id"], args.member)
            method = t("payout.method.CASH")
        else:
            result = payouts.pay_transfer(db, args.quarter, args.transfer_ref, args.member)
            method = t("payout.method.TRANSFER")
        held = [payouts.find_item(db, rid)[0] for rid in result.get("held", [])]
        names = ", ".join(sorted({(db.get("members", v["member_id"]) or {}).get("name", "") for v in held}))
    if args.format == "json":
        print_json(result)
    else:
        say(t("payout.cli.paid", quarter=result["quarter"], count=number(result["count"]), method=method,
              net=documents.idr(result["net"])))
        if held:
            say(t("payout.cli.held", count=len(held), names=names))
    return 0


def cmd_return(args) -> int:
    with open_db(args) as db:
        result = payouts.return_item(db, args.item_id, args.reason, args.date, reopen=not args.close)
    if args.format == "json":
        print_json({k: v for k, v in result.items() if not k.startswith("_") and k != "bank"})
    elif args.close:
        say(t("payout.cli.returned", id=args.item_id, date=result.get("returned_on", "")))
    else:
        say(t("payout.cli.reopened", old=args.item_id, id=result["id"]))
    return 0


def cmd_reissue(args) -> int:
    with open_db(args) as db:
        result = payouts.reissue(db, args.item_id)
    if args.format == "json":
        print_json({k: v for k, v in result.items() if not k.startswith("_") and k != "bank"})
    else:
        say(t("payout.cli.reissued", old=args.item_id, id=result["id"]))
    return 0


def cmd_duties(args) -> int:
    with open_db(args, read_only=args.state is None) as db:
        on = payouts.separate_duties(db) if args.state is None else payouts.set_separate_duties(db, args.state == "on")
    if args.format == "json":
        print_json({"separate_duties": on})
    else:
        say(t("payout.cli.duties", state=t("payout.duties.on" if on else "payout.duties.off")))
    return 0


def cmd_signers(args) -> int:
    names = SIGNER_KEYS
    given = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    with open_db(args, read_only=not given) as db:
        value = payouts.set_signers(db, **given) if given else payouts.signers(db)
    if args.format == "json":
        print_json(value)
    else:
        from storage.domain.fmt import nip

        print_table([[t(f"ui.settings.{n}") if n != "place" else t("ui.settings.city"),
                      nip(value[n]) if n.endswith("_nip") else value[n]] for n in names],
                    ["", ""])
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
        print_table([[r["member_id"][:8], r["name"], r["items"], documents.idr(r["net"]), documents.idr(r["arrears"]),
                      ", ".join(r["quarters"])] for r in data],
                    [t("payout.h.member"), t("payout.h.name"), t("payout.h.count"), t("payout.h.net"),
                     t("payout.h.arrears"), t("payout.h.quarters")])
    elif args.by == "quarter":
        print_table([[quarter_label(r["quarter"]), r["items"], r["draft"], r["approved"], r["returned"],
                      documents.idr(r["net"]), yes if r["arrears"] else no] for r in data],
                    [t("payout.h.quarter"), t("payout.h.count"), t("payout.status.draft"), t("payout.status.approved"),
                     t("payout.h.returned"), t("payout.h.net"), t("payout.h.arrears")])
    else:
        print_table([[r["id"], r["name"], r["quarter"], pillar_label(r["pillar"]), t(f"payout.status.{r['status']}"),
                      documents.idr(r["net"]), yes if r["arrears"] else no, r.get("note", "")] for r in data],
                    [t("payout.h.item"), t("payout.h.name"), t("payout.h.quarter"), t("payout.h.pillar"),
                     t("payout.h.status"), t("payout.h.net"), t("payout.h.arrears"), t("payout.h.note")])
    return 0


def cmd_report(args) -> int:
    opts = {"bank": args.bank} if args.format == "bank" else {}
    if args.format != "bank":
        opts = {"draft": args.draft, "mask": args.mask, "place": args.place, "date": args.date}
        if args.doc == "receipts":
            opts["member_ids"] = args.member
        if args.format in ("csv", "xlsx"):
            opts = {"draft": args.draft, "mask": args.mask}
    with open_db(args, read_only=True) as db:
        if args.date:
            args.date = payouts.check_date(args.date)
        if args.out:
            path = documents.write(db, args.quarter, Path(args.out), args.doc, args.format, **opts)
            say(t("payout.cli.written", path=str(path)))
            if args.open:
                from storage.printing import viewer

                if note := viewer.after_print({}, path):  # asked for: the folder's setting is for Cetak
                    say(note)
            return 0
        data = documents.render(db, args.quarter, args.doc, args.format, **opts)
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)
    return 0


def cmd_viewer(args) -> int:
    from storage.printing import viewer

    with open_db(args, read_only=args.state is None) as db:
        on = viewer.set_enabled(db, args.state == "on") if args.state else db.office.get(viewer.SETTING, True)
    say(t("viewer.state", state=t("viewer.on") if on else t("viewer.off")))
    return 0


def cmd_bankfile(args) -> int:
    from storage.payouts import bankfile as bank_file

    with open_db(args, read_only=True) as db:
        if args.date:
            args.date = payouts.check_date(args.date)
        made = documents.bank.write(db, args.quarter, Path(args.out), args.bank, args.date)
    # Exit 1 when items were left out (the file is written all the same): a script sees that some
    # members will not be paid by this batch.
    if args.format == "json":
        print_json({"bank": made.template["id"], "path": str(made.path), "count": len(made.rows),
                    "total": made.total, "left_out_count": len(made.left_out),
                    "left_out_path": str(made.left_out_path) if made.left_out_path else None,
                    "left_out": [{k: p[k] for k in ("item_id", "member_id", "name", "pillar", "problem", "text")}
                                 for p in made.left_out]})
        return 1 if made.left_out else 0
    say(t("bankfile.written", bank=bank_file.label(made.template), quarter=made.quarter, count=number(len(made.rows)),
          total=documents.idr(made.total), path=str(made.path)))
    if not made.left_out:
        return 0
    say(t("bankfile.left_out", count=len(made.left_out)))
    for p in made.left_out:
        say(f"- {p['text']}")
    say(t("bankfile.left_out_list", path=str(made.left_out_path)))
    say(t("bankfile.left_out_last", count=number(len(made.left_out)), written=number(len(made.rows))))
    return 1


def cmd_bank_template(args) -> int:
    from storage.payouts import bankfile as bank_file

    with open_db(args, read_only=args.bank is None) as db:
        bank = bank_file.set_chosen(db, args.bank) if args.bank else bank_file.chosen(db.office)
    say(t("bankfile.chosen", name=bank_file.label(bank), bank=bank))
    return 0


def cmd_spj(args) -> int:
    from storage.payouts.documents import spj

    with open_db(args, read_only=True) as db:
        manifest = spj.make(db, args.quarter, Path(args.out), event_id=args.event, draft=args.draft)
    if args.format == "json":
        print_json(manifest)
        return 0
    print_table([[f["name"], f["doc"], f["bytes"], f["sha256"][:16]] for f in manifest["files"]],
                [t("payout.h.description"), t("payout.h.kind"), "bytes", "SHA-256"])
    for s in manifest["skipped"]:
        say(t("spj.skipped", doc=s["doc"], reason=s["reason"]))
    if manifest.get("bank_left_out"):
        say(t("bankfile.left_out", count=len(manifest["bank_left_out"])))
        for p in manifest["bank_left_out"]:
            say(f"- {p['text']}")
    say(t("spj.written", quarter=manifest["quarter"], count=len(manifest["files"]), path=args.out))
    return 0


def cmd_spj_verify(args) -> int:
    from storage.payouts.documents import spj

    result = spj.verify(Path(args.path))
    if args.audit:
        with open_db(args, read_only=True) as db:
            m = result["manifest"]
            if m["office"] != db.code:
                result["problems"].append(t("spj.audit_other_office", office=m["office"], here=db.code))
            elif not spj.audit_holds(db, m):
                result["problems"].append(t("spj.audit_changed", n=m["audit_head"]["n"]))
        result["ok"] = not result["problems"]
    if args.format == "json":
        print_json({k: result[k] for k in ("ok", "problems", "signed")} | {"manifest": result["manifest"]})
        return 0 if result["ok"] else 1
    for line in result["problems"]:
        say(line)
    m = result["manifest"]
    if not result["ok"]:
        say(t("spj.failed", count=len(result["problems"])))
        return 1
    say(t("spj.verified", count=len(m["files"]), quarter=m["quarter"], office=m["office"], n=m["audit_head"]["n"]))
    if args.audit:
        say(t("spj.audit_holds", n=m["audit_head"]["n"]))
    if result["signed"]:
        say(f"{t('spj.signed')}: {result['signed']}")
    return 0
