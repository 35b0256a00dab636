"""Command line of the treasurer's year and the member's question: the pagu and its realisation, PPh 21
filed (BP21, yearly summary, tax id status), meterai, the member's statement and the notices.

Registered into the ``payout``, ``report`` and ``roster`` commands by their modules. Each command imports
the storage it uses when it runs: ``pilar roster …`` registers ``statement`` here, and importing the PDF
writers would add half a second to every roster command's start."""

from __future__ import annotations

from pathlib import Path

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt
from storage.domain.fmt import number, quarter_label
from storage.domain.model import pillar_label
from tui.cli.common import open_db
from tui.cli.output import add_format, print_json, print_table, say


def register_payout(psub, common) -> None:
    q = psub.add_parser("pagu", parents=[common], help="budget ceiling (pagu) per year, funding and programme")
    add_format(q)
    q.add_argument("--year", help="only this year (default: every year)")
    q.set_defaults(handler=cmd_pagu)
    gsub = q.add_subparsers(dest="pagu_cmd", metavar="ACTION")
    r = gsub.add_parser("set", parents=[common], help="set a pagu line, or raise it by a recorded decision")
    _line_args(r)
    r.add_argument("--amount", required=True, help="whole rupiah for the year, e.g. 450000000 or 450.000.000")
    r.add_argument("--reason", default="", help="why it changes (needed to change a line)")
    r.add_argument("--decision", default="", help="the decision that raises it (number of the SK or letter)")
    r.add_argument("--note", default="", help="the DPA line (kode rekening, kegiatan)")
    add_format(r)
    r.set_defaults(handler=cmd_pagu_set)
    r = gsub.add_parser("cut", parents=[common], help="lower a pagu line (refocusing), with the reason")
    _line_args(r)
    r.add_argument("--amount", required=True, help="the new pagu in whole rupiah")
    r.add_argument("--reason", required=True, help="why it is cut")
    add_format(r)
    r.set_defaults(handler=cmd_pagu_cut)
    r = gsub.add_parser("cancel", parents=[common], help="cancel a quarter's payouts, with the reason")
    r.add_argument("--quarter", required=True, help="e.g. 2025-Q2")
    r.add_argument("--reason", required=True, help="why the quarter is cancelled")
    add_format(r)
    r.set_defaults(handler=cmd_pagu_cancel)
    r = gsub.add_parser("reopen", parents=[common], help="undo a quarter's cancellation, with the reason")
    r.add_argument("--quarter", required=True, help="e.g. 2025-Q2")
    r.add_argument("--reason", required=True, help="why it is reopened")
    add_format(r)
    r.set_defaults(handler=cmd_pagu_reopen)

    q = psub.add_parser("bp21", parents=[common], help="the Coretax BP21 bulk file of a quarter (XLSX template or XML)")
    q.add_argument("--quarter", required=True, help="e.g. 2025-Q2")
    q.add_argument("--out", required=True, metavar="FILE", help="F.xlsx (the DJP Excel template) or F.xml")
    add_format(q)
    q.set_defaults(handler=cmd_bp21)

    q = psub.add_parser("tax", parents=[common], help="PPh 21 settings: brackets per payment or per year, withholder ids")
    q.add_argument("--brackets", choices=("per-payment", "per-year"), help="how the Pasal 17 brackets apply")
    q.add_argument("--tin", help="the withholder's NPWP (15 or 16 digits)")
    q.add_argument("--id-tku", dest="id_tku", help="the withholder's ID TKU (22 digits)")
    q.add_argument("--object-code", dest="object_code", help="kode objek pajak on the BP21 rows, e.g. 21-100-08")
    add_format(q)
    q.set_defaults(handler=cmd_tax)

    q = psub.add_parser("tax-summary", parents=[common], help="per member: the year's gross, PPh 21 and payments")
    q.add_argument("--year", required=True, help="e.g. 2025")
    q.add_argument("--member", metavar="NIK_OR_ID", help="only this member, with every payment")
    q.add_argument("--out", metavar="FILE", help="write an XLSX (formula-safe) instead of printing")
    add_format(q)
    q.set_defaults(handler=cmd_tax_summary)

    q = psub.add_parser("tax-check", parents=[common],
                        help="members paid in a year whose tax id (NIK/NPWP) is unchecked, missing or invalid")
    q.add_argument("--year", required=True, help="e.g. 2025")
    add_format(q)
    q.set_defaults(handler=cmd_tax_check)

    q = psub.add_parser("meterai", parents=[common], help="documents of a quarter that need a Rp10.000 meterai")
    q.add_argument("--quarter", required=True, help="e.g. 2025-Q2")
    q.add_argument("--doc", metavar="KEY", help="override the rule for this document (its key, as listed)")
    q.add_argument("--due", choices=("yes", "no", "rule"), help="with --doc: meterai due, not due, or back to the rule")
    q.add_argument("--reason", default="", help="with --doc: why")
    add_format(q)
    q.set_defaults(handler=cmd_meterai)

    q = psub.add_parser("notices", parents=[common],
                        help="notice letters for the members left out of a quarter, one PDF per office")
    q.add_argument("--quarter", required=True, help="e.g. 2025-Q2")
    q.add_argument("--out", required=True, metavar="DIR", help="the folder the letters are written to")
    add_format(q)
    q.set_defaults(handler=cmd_notices)


def register_report(rep, common) -> None:
    from storage.payouts import realisasi

    q = rep.add_parser("realisasi", parents=[common], help="realisation of the pagu per quarter and year")
    q.add_argument("--year", required=True, help="e.g. 2025")
    q.add_argument("--format", choices=realisasi.FORMATS, default="text", help="output format")
    q.add_argument("--out", metavar="FILE", help="write to FILE (xlsx and pdf need it)")
    q.set_defaults(handler=cmd_realisasi)


def register_roster(rsub, common) -> None:
    p = rsub.add_parser("statement", parents=[common],
                        help="a member's payout history: each quarter paid, when, how much, or left out and why")
    p.add_argument("member", metavar="NIK_OR_ID", help="the member's NIK, id or 8+ character id prefix")
    p.add_argument("--out", metavar="FILE", help="write the statement (PDF, or text with --format text)")
    p.add_argument("--format", choices=("text", "pdf", "json"), default=None, help="output format")
    p.add_argument("--reveal", action="store_true", help="the full NIK (masked but the last 4 digits by default)")
    p.set_defaults(handler=cmd_statement)
    p = rsub.add_parser("tax-status", parents=[common], help="the member's tax id status (changes the PPh 21 rate)")
    p.add_argument("member", metavar="NIK_OR_ID", help="the member's NIK, id or 8+ character id prefix")
    p.add_argument("--status", required=True, choices=("nik", "npwp", "none", "unchecked"),
                   help="nik: NIK active as NPWP; npwp: own NPWP (give --npwp); none: no valid tax id (120%%)")
    p.add_argument("--npwp", default="", help="the NPWP number with --status npwp")
    add_format(p)
    p.set_defaults(handler=cmd_tax_status)


def _line_args(r) -> None:
    r.add_argument("--year", required=True, help="e.g. 2025")
    r.add_argument("--funding", required=True, help="APBD_PROVINSI, APBD_KABKOTA, APBN or LAINNYA")
    r.add_argument("--programme", default="", help="a pillar with a line of its own (default: every pillar)")


def _idr(amount: int) -> str:
    return fmt.rupiah(amount)


def pagu_rows(uses, with_adds: bool = False) -> tuple[list[list], list[str]]:
    from storage.payouts.budget import line_label

    heads = [t("treasury.h.line"), t("treasury.h.pagu"), t("treasury.h.paid"), t("treasury.h.committed"),
             t("treasury.h.drafts" if not with_adds else "treasury.h.adds"), t("treasury.h.remaining_after")]
    rows = []
    for u in uses:
        adds = u.adds if with_adds else u.drafts
        rows.append([line_label(u.line), _idr(u.pagu) if u.line.get("id") else "-", _idr(u.paid), _idr(u.committed),
                     _idr(adds), _idr(u.pagu - u.paid - u.committed - adds) if u.line.get("id") else "-"])
    return rows, heads


def print_what_if(db, plan) -> dict:
    """The pagu of the run's year once it is saved and approved (``payout run``, dry run or not); a UPT's
    preview has none (the pagu adds up every office's payments)."""
    from storage.payouts import budget
    from storage.payouts.budget import line_label

    if not db.is_province:
        return {}
    year = plan.quarter.year
    if not budget.lines(db, year):
        # No pagu line for the year: nothing to weigh the run against, so the year's items are not read
        # (a quarterly run's 300,000 at the province: each parsed, about 2 s).
        say(t("treasury.pagu_not_set", year=year))
        return {"year": year, "set": False, "lines": [], "over": []}
    w = budget.what_if(db, plan)
    if not w["set"]:
        say(t("treasury.pagu_not_set", year=w["year"]))
        return w
    rows, heads = pagu_rows(w["lines"], with_adds=True)
    say("")
    say(t("treasury.what_if", year=w["year"]))
    print_table(rows, heads)
    for u in w["over"]:
        say(t("treasury.what_if_over", line=line_label(u.line),
              over=_idr(u.paid + u.committed + u.adds - u.pagu)))
    return w


def what_if_json(w: dict) -> dict:
    return {"year": w["year"], "set": w["set"],
            "lines": [{"funding": u.line.get("funding", ""), "programme": u.line.get("programme", ""),
                       "pagu": u.pagu, "paid": u.paid, "committed": u.committed, "adds": u.adds,
                       "remaining_after": u.pagu - u.paid - u.committed - u.adds, "covered": bool(u.line.get("id"))}
                      for u in w["lines"]],
            "over": [u.line.get("id", "") for u in w["over"]]}


def cmd_pagu(args) -> int:
    from storage.payouts import budget

    with open_db(args, read_only=True) as db:
        year = budget.parse_year(args.year) if args.year else None
        years = sorted({v["year"] for v in budget.lines(db, year)}) if year is None else [year]
        out = []
        for y in years:
            uses = sorted(budget.usage(db, y).values(), key=lambda u: (u.line.get("funding", ""),
                                                                       u.line.get("programme", "")))
            out.append((y, uses))
    if args.format == "json":
        print_json([{"year": y, "lines": [{"funding": u.line.get("funding", ""),
                                           "programme": u.line.get("programme", ""), "pagu": u.pagu, "paid": u.paid,
                                           "committed": u.committed, "drafts": u.drafts, "remaining": u.remaining,
                                           "history": u.line.get("history", [])} for u in uses]} for y, uses in out])
        return 0
    if not out:
        say(t("treasury.no_pagu"))
        return 0
    for y, uses in out:
        say(t("treasury.pagu_year", year=y))
        rows, heads = pagu_rows(uses)
        print_table(rows, heads)
        say("")
    return 0


def _line_result(args, line: dict, key: str) -> int:
    from storage.payouts.budget import line_label

    if args.format == "json":
        print_json({k: v for k, v in line.items() if not k.startswith("_")})
        return 0
    last = line["history"][-1]
    say(t(key, line=line_label(line), year=line["year"], before=_idr(last["from"] or 0), after=_idr(line["amount"])))
    return 0


def cmd_pagu_set(args) -> int:
    from storage.payouts import budget

    with open_db(args) as db:
        line = budget.set_pagu(db, args.year, args.funding, args.amount, args.programme, args.reason, args.decision,
                               args.note)
    return _line_result(args, line, f"treasury.done.{line['history'][-1]['kind']}")


def cmd_pagu_cut(args) -> int:
    from storage.payouts import budget
    from storage.payouts.items import money

    with open_db(args) as db:
        current = budget.get_line(db, budget.parse_year(args.year), budget.parse_funding(args.funding),
                                  budget.parse_programme(args.programme))
        if current is None:
            raise PilarError("treasury.no_such_line", year=args.year, funding=args.funding)
        if money(args.amount) >= current["amount"]:
            raise PilarError("treasury.cut_not_lower", amount=_idr(current["amount"]))
        line = budget.set_pagu(db, args.year, args.funding, args.amount, args.programme, args.reason)
    return _line_result(args, line, "treasury.done.cut")


def cmd_pagu_cancel(args) -> int:
    from storage.payouts import cancellation

    with open_db(args) as db:
        result = cancellation.cancel_quarter(db, args.quarter, args.reason)
    if args.format == "json":
        print_json(result)
    else:
        say(t("treasury.done.cancelled", quarter=quarter_label(result["quarter"]), count=number(result["voided"]),
              gross=_idr(result["gross"])))
    return 0


def cmd_pagu_reopen(args) -> int:
    from storage.payouts import cancellation
    from storage.payouts.items import Quarter

    with open_db(args) as db:
        cancellation.reopen_quarter(db, args.quarter, args.reason)
    quarter = Quarter.parse(args.quarter)
    if args.format == "json":
        print_json({"quarter": quarter.code, "reopened": True})
    else:
        say(t("treasury.done.reopened", quarter=quarter_label(quarter.code)))
    return 0


def cmd_bp21(args) -> int:
    from storage.payouts import withholding

    with open_db(args, read_only=True) as db:
        result = withholding.write_bp21(db, args.quarter, Path(args.out))
    if args.format == "json":
        print_json(result)
        return 0
    say(t("treasury.done.bp21", path=result["path"], count=number(result["count"]), gross=_idr(result["gross"]),
          tax=_idr(result["tax"]), quarter=result["quarter"]))
    if result["unchecked"] or result["no_tin"]:
        say(t("treasury.bp21_tin_warning", unchecked=number(result["unchecked"]), none=number(result["no_tin"])))
    if result["inexact"]:
        say(t("treasury.bp21_inexact", count=number(result["inexact"])))
    return 0


def cmd_tax(args) -> int:
    from storage.payouts import withholding

    changing = any(v is not None for v in (args.brackets, args.tin, args.id_tku, args.object_code))
    with open_db(args, read_only=not changing) as db:
        if changing:
            withholding.set_settings(db, mode=args.brackets, tin=args.tin, id_tku=args.id_tku,
                                     object_code=args.object_code)
        s = withholding.settings(db)
        rule = withholding.mode_rule(db, s["mode"])
        code = s["object_code"] or withholding.bp21_template(db)["defaults"]["object_code"]
    if args.format == "json":
        print_json(dict(s, rule=rule, object_code=code))
        return 0
    if changing:
        say(t("treasury.done.tax"))
    say(t("treasury.tax_mode", mode=s["mode"].replace("_", "-")))
    say(f"  {rule}")
    say(t("treasury.tax_ids", tin=s["tin"] or "-", id_tku=s["id_tku"] or "-", code=code))
    return 0


def cmd_tax_summary(args) -> int:
    from storage.payouts import budget, statement, withholding
    from storage.printing import tables

    with open_db(args, read_only=True) as db:
        year = budget.parse_year(args.year)
        ids = [statement.find_member(db, args.member)["id"]] if args.member else None
        rows = withholding.annual_summary(db, year, ids)
        if args.out:
            heads = [t("payout.h.name"), t("payout.h.nik"), t("payout.h.quarter"), t("payout.h.pillar"),
                     t("treasury.h.paid_on"), t("payout.h.gross"), t("payout.h.tax"), t("payout.h.net"),
                     t("payout.h.reference")]
            body = [[r["name"], r["nik"], p["quarter"], pillar_label(p["pillar"]), p["date"], p["gross"], p["tax"],
                     p["net"], p["reference"]] for r in rows for p in r["payments"]]
            sums = [[r["name"], r["nik"], r["gross"], r["tax"], r["net"], len(r["payments"])] for r in rows]
            tables.write_xlsx(Path(args.out), [(t("treasury.h.summary"), [t("payout.h.name"), t("payout.h.nik"),
                                                                          t("payout.h.gross"), t("payout.h.tax"),
                                                                          t("payout.h.net"), t("payout.h.count")], sums),
                                               (t("treasury.h.payments"), heads, body)])
    if args.format == "json":
        print_json(rows)
        return 0
    if args.out:
        say(t("treasury.done.summary", path=args.out, count=number(len(rows)), year=year))
        return 0
    if not rows:
        say(t("treasury.no_paid", year=year))
        return 0
    if args.member:
        r = rows[0]
        say(f"{r['name']} · {fmt.mask_nik(r['nik'])} · {year}")
        print_table([[p["quarter"], pillar_label(p["pillar"]), p["date"], _idr(p["gross"]), _idr(p["tax"]),
                      _idr(p["net"]), p["reference"]] for p in r["payments"]],
                    [t("payout.h.quarter"), t("payout.h.pillar"), t("treasury.h.paid_on"), t("payout.h.gross"),
                     t("payout.h.tax"), t("payout.h.net"), t("payout.h.reference")])
    else:
        print_table([[r["name"], fmt.mask_nik(r["nik"]), len(r["payments"]), _idr(r["gross"]), _idr(r["tax"]),
                      _idr(r["net"])] for r in rows],
                    [t("payout.h.name"), t("payout.h.nik"), t("payout.h.count"), t("payout.h.gross"), t("payout.h.tax"),
                     t("payout.h.net")])
    say(t("treasury.summary_total", count=number(len(rows)), gross=_idr(sum(r["gross"] for r in rows)),
          tax=_idr(sum(r["tax"] for r in rows)), year=year))
    return 0


def cmd_tax_check(args) -> int:
    from storage.payouts import budget, withholding

    with open_db(args, read_only=True) as db:
        year = budget.parse_year(args.year)
        rows = withholding.tax_id_check(db, year)
    if args.format == "json":
        print_json(rows)
        return 0
    if not rows:
        say(t("treasury.tax_check_ok", year=year))
        return 0
    print_table([[r["name"], fmt.mask_nik(r["nik"]), t(f"treasury.tax_status.{r['tax_status'] or 'unchecked'}"),
                  "; ".join(t(f"treasury.tax_problem.{p}") for p in r["problems"])] for r in rows],
                [t("payout.h.name"), t("payout.h.nik"), t("treasury.h.tax_status"), t("payout.h.problem")])
    say(t("treasury.tax_check_todo", count=number(len(rows)), year=year))
    return 0


def cmd_tax_status(args) -> int:
    from storage.payouts import statement, withholding

    status = {"unchecked": ""}.get(args.status, args.status.upper())
    with open_db(args) as db:
        member = statement.find_member(db, args.member)
        member = withholding.set_tax_status(db, member["id"], status, args.npwp)
    if args.format == "json":
        print_json({"id": member["id"], "tax_status": member.get("tax_status", "")})
    else:
        say(t("treasury.done.tax_status", name=member.get("name", ""),
              status=t(f"treasury.tax_status.{member.get('tax_status') or 'unchecked'}")))
    return 0


def cmd_meterai(args) -> int:
    from storage.payouts import meterai
    from storage.payouts.items import Quarter

    quarter = Quarter.parse(args.quarter)
    changing = bool(args.doc)
    if changing and not args.due:
        raise PilarError("treasury.meterai_need_due")
    with open_db(args, read_only=not changing) as db:
        if changing:
            meterai.set_override(db, quarter, args.doc, {"yes": True, "no": False, "rule": None}[args.due], args.reason)
        rows = meterai.documents(db, quarter, draft=True)
    if args.format == "json":
        print_json(rows)
        return 0
    if changing:
        say(t("treasury.done.meterai", key=args.doc))
    shown = [r for r in rows if r["due"] or r["overridden"] or r["rule"]]
    if shown:
        print_table([[r["key"][:17], r["doc"], _idr(r["amount"]), t("ui.yes") if r["due"] else t("ui.no"), r["reason"]]
                     for r in shown],
                    ["key", t("treasury.h.document"), t("payout.h.net"), t("treasury.h.meterai"), t("payout.h.note")])
    due = sum(1 for r in rows if r["due"])
    say(t("treasury.meterai_summary", quarter=quarter.code, docs=number(len(rows)), due=number(due),
          duty=_idr(due * meterai.DUTY), threshold=_idr(meterai.THRESHOLD)))
    return 0


def cmd_notices(args) -> int:
    from storage.payouts import statement

    with open_db(args, read_only=True) as db:
        result = statement.write_notices(db, args.quarter, Path(args.out))
    if args.format == "json":
        print_json(result)
        return 0
    say(t("treasury.done.notices", count=number(result["count"]), offices=number(len(result["offices"])),
          path=args.out))
    print_table([[o, number(n)] for o, n in sorted(result["offices"].items())], [t("payout.h.office"),
                                                                                 t("payout.h.count")])
    return 0


def cmd_realisasi(args) -> int:
    from storage.payouts import realisasi

    if args.format in ("xlsx", "pdf") and not args.out:
        raise PilarError("treasury.need_out", format=args.format)
    with open_db(args, read_only=True) as db:
        if args.out:
            realisasi.write(db, args.year, Path(args.out), args.format)
        else:
            data = realisasi.render(db, args.year, "text")
    if args.out:
        say(t("treasury.done.realisasi", path=args.out, year=args.year))
    else:
        print(data, end="")
    return 0


def cmd_statement(args) -> int:
    from storage.payouts import statement

    fmt_name = args.format or ("text" if not args.out or not args.out.lower().endswith(".pdf") else "pdf")
    with open_db(args, read_only=True) as db:
        member = statement.find_member(db, args.member)
        if fmt_name == "json":
            data = statement.statement(db, member["id"])
            print_json({"member_id": member["id"], "name": member.get("name", ""), "rows": data["rows"],
                        "paid_net": data["paid_net"], "owed_net": data["owed_net"]})
            return 0
        if args.out:
            statement.write_statement(db, member["id"], Path(args.out), fmt_name, mask=not args.reveal)
        else:
            text = statement.statement_text(db, member["id"], mask=not args.reveal)
    if args.out:
        say(t("treasury.done.statement", name=member.get("name", ""), path=args.out))
    else:
        print(text, end="")
    return 0
