"""Command line: offices and keys, export and import of bundles, conflicts, USB drives."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from storage.core import formats, i18n
from storage.core.errors import PilarError
from storage.office import keys as office_keys
from storage.reconcile import conflicts
from storage.sync import engine
from tui.cli.common import open_db
from tui.cli.output import add_format, print_json, print_table, say


def register(sub, common) -> None:
    office = sub.add_parser("office", parents=[common], help="offices and their keys (province)")
    osub = office.add_subparsers(dest="office_cmd", metavar="ACTION", required=True)
    p = osub.add_parser("add", parents=[common], help="enrol a new office and write its enrolment file")
    p.add_argument("code")
    p.add_argument("--name", required=True)
    p.add_argument("--out", metavar="DIR", default=".", help="folder for the enrolment file")
    p.add_argument("--kab", metavar="KAB", help="the office's kab/kota (code or name): its letterhead city")
    p.set_defaults(handler=cmd_office_add)
    p = osub.add_parser("trust", parents=[common], help="trust the key an office sent in its first bundle")
    p.add_argument("code")
    p.add_argument("--yes", action="store_true", help="the fingerprint was compared; do not ask")
    p.set_defaults(handler=cmd_office_trust)
    p = osub.add_parser("revoke", parents=[common], help="revoke an office's key")
    p.add_argument("code")
    p.set_defaults(handler=cmd_office_revoke)
    p = osub.add_parser("list", parents=[common], help="offices, their key fingerprints and last bundles")
    add_format(p)
    p.set_defaults(handler=cmd_office_list)

    keys = sub.add_parser("keys", parents=[common], help="this office's key")
    ksub = keys.add_subparsers(dest="keys_cmd", metavar="ACTION", required=True)
    p = ksub.add_parser("show", parents=[common], help="print this office's key fingerprint")
    add_format(p)
    p.set_defaults(handler=cmd_keys_show)

    p = sub.add_parser("export", parents=[common], help="write a sync bundle for another office")
    p.add_argument("--to", required=True, metavar="CODE")
    p.add_argument("--out", metavar="DIR", help="folder or USB drive (default: <data>/outbox)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--full", action="store_true", help="everything in the recipient's scope")
    g.add_argument("--delta", action="store_true", help="only what the recipient is not known to have")
    add_format(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", parents=[common], help="import a sync bundle")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="verify and show what would change; write nothing")
    add_format(p)
    p.set_defaults(handler=cmd_import)

    conf = sub.add_parser("conflicts", parents=[common], help="records edited at two offices at once")
    csub = conf.add_subparsers(dest="conflicts_cmd", metavar="ACTION", required=True)
    p = csub.add_parser("list", parents=[common], help="open conflicts")
    add_format(p)
    p.set_defaults(handler=cmd_conflicts_list)
    p = csub.add_parser("show", parents=[common], help="field-by-field comparison of the versions")
    p.add_argument("id")
    add_format(p)
    p.set_defaults(handler=cmd_conflicts_show)
    p = csub.add_parser("resolve", parents=[common], help="keep one version or write a merged value")
    p.add_argument("id")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--keep", type=int, metavar="N", help="keep version N (as numbered by show)")
    g.add_argument("--value", metavar="JSON", help="the merged value as a JSON object")
    p.set_defaults(handler=cmd_conflicts_resolve)
    p = csub.add_parser("merge", parents=[common],
                        help="province: merge two members sharing a NIK into one (ID_A stays, ID_B points at it)")
    p.add_argument("id_a", metavar="ID_A", help="the member that stays (its fields unless --take)")
    p.add_argument("id_b", metavar="ID_B", help="the member merged into ID_A")
    p.add_argument("--take", action="append", default=[], metavar="FIELD",
                   help="take this field from ID_B (repeat or comma-separate: phone,bank.account)")
    p.set_defaults(handler=cmd_conflicts_merge)

    sync = sub.add_parser("sync", parents=[common], help="USB drives and bundles on them")
    ssub = sync.add_subparsers(dest="sync_cmd", metavar="ACTION", required=True)
    p = ssub.add_parser("drives", parents=[common], help="USB drives and the bundles on them")
    add_format(p)
    p.set_defaults(handler=cmd_sync_drives)
    p = ssub.add_parser("history", parents=[common], help="bundles imported and exported, newest first")
    p.add_argument("--limit", type=int, default=50, help="how many rows (newest first)")
    add_format(p)
    p.set_defaults(handler=cmd_sync_history)
    p = ssub.add_parser("repair", parents=[common],
                        help="drop versions no office had the right to write (a wedge left by older Pilar)")
    p.add_argument("--dry-run", action="store_true", help="list what would be dropped; write nothing")
    add_format(p)
    p.set_defaults(handler=cmd_sync_repair)


def confirm(yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise PilarError("sync.need_yes")
    answer = input(i18n.t("sync.confirm_prompt")).strip().lower()
    if answer not in ("ya", "y", "yes"):
        raise PilarError("sync.need_yes")


def cmd_office_add(args) -> int:
    with open_db(args) as db:
        path, fp = engine.write_enrolment(db, args.code, args.name, Path(args.out), kab=args.kab or "")
        say(i18n.t("sync.enrol_written", code=path.stem.removeprefix("pilar_enrol_"), path=str(path), fp=fp))
    return 0


def cmd_office_trust(args) -> int:
    with open_db(args) as db:
        pending = engine.pending_key(db, args.code)
        if pending:
            say(i18n.t("sync.trust_confirm", office=args.code, fp=pending["fp"]))
            confirm(args.yes)
        entry = engine.trust_office(db, args.code)
        say(i18n.t("sync.trusted", office=args.code, fp=entry.get("fp")))
    return 0


def cmd_office_revoke(args) -> int:
    with open_db(args) as db:
        engine.revoke_office(db, args.code)
        say(i18n.t("sync.revoked", office=args.code))
    return 0


def _word(prefix: str, code: str) -> str:
    """A stored code ('enrolled', 'full') in the user's words from ``prefix.code``; the code if unknown."""
    key = f"{prefix}.{code}"
    text = i18n.t(key) if code else ""
    return code if text == key else text


def cmd_office_list(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = engine.offices_overview(db)
    if args.format == "json":
        print_json(rows)
    else:
        behind = [r["code"] for r in rows if r["behind"]]
        heads = i18n.t("ui.sync.office_columns").split("|")
        heads.insert(3, "Pilar")  # the version each office runs
        print_table([[r["code"], r["name"], _word("ui.sync.trust", r["status"]), _version_cell(r), r["fp"],
                      r["last_bundle"]] for r in rows], heads)
        if behind:
            say(i18n.t("formats.offices_behind", count=len(behind), offices=", ".join(behind),
                       ours=formats.PILAR_VERSION))
    return 0


def _version_cell(row: dict) -> str:
    """An office's Pilar version as its last bundle said, marked when it is behind this one."""
    if not row["pilar"]:
        return i18n.t("formats.unknown_version")
    return f"{row['pilar']} ({i18n.t('formats.should_update')})" if row["behind"] else row["pilar"]


def cmd_keys_show(args) -> int:
    with open_db(args, read_only=True) as db:
        keys = office_keys.load_own(db.path)
        if keys is None:
            raise PilarError("sync.no_keys")
        if args.format == "json":
            print_json({"office": db.code, "fingerprint": keys.fp, "sign": keys.sign_pk, "box": keys.box_pk})
        else:
            say(i18n.t("sync.keys_show", code=db.code, fp=keys.fp))
    return 0


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cmd_export(args) -> int:
    mode = "full" if args.full else "delta" if args.delta else "auto"
    with open_db(args) as db:
        res = engine.export_bundle(db, args.to, Path(args.out).expanduser() if args.out else None, mode)
    if args.format == "json":
        print_json({"file": str(res.path), "bundle_id": res.bundle_id, "to": res.recipient, "mode": res.mode,
                    "counts": res.counts, "size": res.size})
    else:
        say(i18n.t("sync.exported", mode=_word("sync.mode", res.mode), office=res.recipient, path=str(res.path),
                   size=human_size(res.size), records=sum(res.counts.values())))
    return 0


def cmd_import(args) -> int:
    path = Path(args.file).expanduser()
    try:
        with open_db(args) as db:
            res = engine.import_bundle(db, path, dry_run=args.dry_run)
    except PilarError as err:
        if args.format == "json":
            print_json({"status": "refused", "file": path.name, "reason": getattr(err, "reason", err.key),
                        "message": str(err)})
            return 1
        raise
    if args.format == "json":
        print_json(res.as_dict())
        return 1 if engine.took_nothing(res) else 0
    head, lines, _warning = engine.outcome_lines(res)
    say(head)
    for c in res.new_conflicts:
        say(i18n.t("sync.conflict_line", label=c["label"], collection=c["collection"], id=c["id"],
                   short=c["id"][:8]))
    for line in lines:
        say(line)
    # A bundle that gave nothing because its records were refused is not a success (issue 19).
    return 1 if engine.took_nothing(res) else 0


def cmd_sync_history(args) -> int:
    with open_db(args, read_only=True) as db:
        rows = engine.history_rows(db, limit=args.limit)
    if args.format == "json":
        print_json(rows)
        return 0
    if not rows:
        say(i18n.t("sync.history_none"))
        return 0
    say(i18n.t("sync.history_title"))
    print_table([[r["when"], r["direction"], r["office"], r["result"], r["details"]] for r in rows],
                i18n.t("ui.sync.history_columns").split("|"))
    return 0


def _say_case(case: dict) -> None:
    """One duplicate-NIK case: the records side by side, then who merges it and how."""
    say(i18n.t("dup.title", nik=case["nik"], count=len(case["ids"])))
    letters = "ABCDEFGH"
    headers = [i18n.t("ui.sync.field")] + [f"{letters[i] if i < 8 else i + 1} {r['id'][:8]} ({r['owner']})"
                                          for i, r in enumerate(case["records"])]
    print_table([[("* " if f["differs"] else "  ") + f["field"]] + f["values"] for f in case["fields"]], headers)
    if case["province"]:
        say(i18n.t("dup.merge_hint", command=case["command"]))
    else:
        say(i18n.t("dup.province_merges"))


def cmd_conflicts_list(args) -> int:
    from storage.reconcile import duplicates

    with open_db(args, read_only=True) as db:
        rows = conflicts.list_conflicts(db)
        cases = duplicates.cases(db)
    if args.format == "json":
        print_json({"conflicts": rows, "duplicates": cases})
        return 0
    if not rows and not cases:
        say(i18n.t("sync.no_conflicts"))
        say(i18n.t("dup.none"))
        return 0
    if rows:
        deleted = i18n.t("ui.conflicts.deleted_first")
        print_table([[r["id"][:8], conflicts.kind_label(r["collection"]),
                      r["label"] + (f" {deleted}" if r["deleted_first"] else ""),
                      r["nik"], r["siblings"], ", ".join(r["offices"]), r["latest_shown"]]
                     for r in rows], i18n.t("cli.conflicts.columns").split("|"))
    else:
        say(i18n.t("sync.no_conflicts"))
    if cases:
        say("")
        say(i18n.t("dup.list_title"))
        for case in cases:
            say("")
            _say_case(case)
    return 0


def cmd_conflicts_show(args) -> int:
    from storage.reconcile import duplicates

    with open_db(args, read_only=True) as db:
        try:
            info = conflicts.show(db, args.id)
        except PilarError as err:
            if err.key != "sync.conflict_unknown":
                raise
            try:
                case = duplicates.case_of(db, args.id)
            except PilarError:
                raise err from None
            if args.format == "json":
                print_json(case)
            else:
                _say_case(case)
            return 0
    if args.format == "json":
        print_json(info)
        return 0
    nik = f", NIK {info['nik']}" if info.get("nik") else ""
    say(i18n.t("sync.conflict_show_head", label=info["label"], collection=conflicts.kind_label(info["collection"]), id=info["id"],
               nik=nik, owner=info["owner"]))
    print_table([[s["n"], s["office"], s["operator"], s["time_shown"], i18n.t("sync.conflict_deleted") if s["deleted"] else ""]
                 for s in info["siblings"]],
                ["#", i18n.t("sync.h.office"), i18n.t("sync.h.operator"), i18n.t("sync.h.time"), ""])
    say("")
    # What differs first (marked *), then what the versions share.
    fields = conflicts.differing_first(info["fields"])
    headers = [i18n.t("sync.h.field")] + [f"#{s['n']}" for s in info["siblings"]]
    print_table([[("* " if f["differs"] else "  ") + conflicts.field_label(f["field"])] + f["values"] for f in fields], headers)
    say("")
    say(i18n.t("sync.conflict_show_hint", short=info["id"][:8], count=len(info["siblings"])))
    return 0


def cmd_conflicts_resolve(args) -> int:
    value = None
    if args.value is not None:
        try:
            value = orjson.loads(args.value)
        except orjson.JSONDecodeError as exc:
            raise PilarError("sync.conflict_bad_value", detail=str(exc)[:80]) from None
        if not isinstance(value, dict):
            raise PilarError("sync.conflict_bad_value", detail="not an object")
    with open_db(args) as db:
        rid = conflicts.resolve(db, args.id, keep=args.keep, value=value)
    say(i18n.t("sync.conflict_resolved", id=rid))
    return 0


def cmd_conflicts_merge(args) -> int:
    from storage.reconcile import duplicates

    take = {f.strip(): "b" for chunk in args.take for f in chunk.split(",") if f.strip()}
    with open_db(args) as db:
        survivor = duplicates.merge(db, args.id_a, args.id_b, take=take)
        name = (db.get("members", survivor) or {}).get("name", "")
    say(i18n.t("dup.merged", other=args.id_b, survivor=survivor[:8], name=name))
    return 0


def cmd_sync_repair(args) -> int:
    from storage.sync import repair

    with open_db(args, read_only=args.dry_run) as db:
        drops = repair.repair(db, dry_run=args.dry_run)
    if args.format == "json":
        print_json({"dry_run": args.dry_run, "dropped": [d.__dict__ for d in drops]})
        return 0
    if not drops:
        say(i18n.t("sync.repair_none"))
        return 0
    say(i18n.t("sync.repair_would" if args.dry_run else "sync.repair_done", count=len(drops)))
    for d in drops:
        say(i18n.t("sync.repair_line", label=d.label, collection=d.collection, short=d.id[:8], office=d.office,
                   reason=i18n.t(f"sync.repair_reason.{d.reason}")))
    return 0


def cmd_sync_drives(args) -> int:
    from storage.sync import usb

    with open_db(args, read_only=True) as db:
        drives = usb.find_drives()
        listing = [{"drive": str(d), "bundles": usb.list_bundles(db, d)} for d in drives]
    if args.format == "json":
        print_json(listing)
        return 0
    if not drives:
        say(i18n.t("sync.no_drives"))
        return 0
    for item in listing:
        say(item["drive"])
        print_table([[b["file"], b["sender"], b["created"], human_size(b["size"]),
                      _word("ui.sync.status", b["status"].replace(" ", "_"))]
                     for b in item["bundles"]], i18n.t("ui.sync.bundle_columns").split("|"))
    return 0


def init_from_enrolment(path: Path, file: Path, yes: bool, operator: str | None) -> int:
    """``pilar init --from FILE``: a new office set up from the province's enrolment file."""
    from storage.core.db import PROVINCE_CODE, Database

    body = office_keys.read_enrolment(file)
    office = body["office"]
    say(i18n.t("sync.enrol_confirm", code=office["code"], name=office.get("name", ""), fp=body["province"]["fp"]))
    confirm(yes)
    # The UPT's own city on its letters from the first day (not the province's Surabaya); F10 changes it.
    place = {k: str(office[k]) for k in ("city", "kab") if str(office.get(k) or "").strip()}
    db = Database.init(path, office["code"], office.get("name") or office["code"], province=False, operator=operator,
                       extra=place)
    try:
        keys = engine.setup_from_enrolment(db, body)
    finally:
        db.close()
    say(i18n.t("init.done", office=db.code, path=str(db.path)))
    say(i18n.t("sync.init_from_done", code=db.code, fp=keys.fp, province=body["province"].get("code", PROVINCE_CODE)))
    return 0
