"""Command line: init, demo, check, and starting the app."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

from storage.core import i18n
from storage.core.config import resolve_data_dir
from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from tui.cli.common import operator_of
from tui.cli.output import add_format, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("init", parents=[common], help="create a data folder for an office")
    p.add_argument("--office", metavar="CODE", help="office code, e.g. JATIM or UPT-PSTW-JEMBER")
    p.add_argument("--name", metavar="NAME", help="office name")
    p.add_argument("--province", action="store_true", help="this is the provincial office (root of trust)")
    p.add_argument("--sample", action="store_true", help="fill the folder with the demo data from sample_data/")
    p.add_argument("--from", dest="from_file", metavar="FILE",
                   help="set this office up from the enrolment file the province gave (sync)")
    p.add_argument("--yes", action="store_true", help="the province key fingerprint was compared; do not ask")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", parents=[common], help="open the app on the demo data folder")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("settings", parents=[common],
                       help="this office's name and letterhead (city, address, telephone, logo): show, or set the "
                            "ones given (as F10 in the app)")
    p.add_argument("--name", metavar="NAME", help="office name (screen title and documents)")
    p.add_argument("--city", metavar="CITY", help="city on letterheads and date lines, e.g. Jember")
    p.add_argument("--address", metavar="TEXT", help="office address on letterheads")
    p.add_argument("--phone", metavar="TEXT", help="office telephone on letterheads")
    p.add_argument("--logo", metavar="FILE", help="PNG/JPG logo at the left of the letterhead; \"\" for none")
    add_format(p)
    p.set_defaults(handler=cmd_settings)

    p = sub.add_parser("check", parents=[common], help="verify a data folder")
    add_format(p)
    p.set_defaults(handler=cmd_check)


def init_folder(path: Path, office: str | None, name: str | None, province: bool, sample: bool,
                operator: str | None) -> Database:
    """Create a data folder (and fill it with the demo data when ``sample``)."""
    if sample:
        from storage import sample as sample_data

        office = office or PROVINCE_CODE
        name = name or sample_data.office_name(office)
        province = province or office == PROVINCE_CODE
    if not office or not name:
        raise PilarError("init.need_office")
    from storage.domain.validate import office_code

    office = office_code(office)
    db = Database.init(path, office, name, province=province, operator=operator)
    if province:
        try:
            from storage.office import keys
        except ImportError:
            keys = None
        if keys is not None and hasattr(keys, "create_office_keys"):
            keys.create_office_keys(db)
    if sample:
        from storage import sample as sample_data

        counts = sample_data.load(db)
        say(i18n.t("init.sample_done", **counts))
    return db


def cmd_init(args) -> int:
    path = resolve_data_dir(args.data)
    if getattr(args, "from_file", None):
        from tui.cli.sync import init_from_enrolment

        return init_from_enrolment(path, Path(args.from_file).expanduser(), args.yes, operator_of(args))
    db = init_folder(path, args.office, args.name, args.province, args.sample, operator_of(args))
    db.close()
    say(i18n.t("init.done", office=db.code, path=str(db.path)))
    return 0


def demo_dir(args) -> Path:
    if args.data:
        return Path(args.data).expanduser()
    return Path(user_data_dir("Pilar", appauthor=False)) / "demo"


def cmd_demo(args) -> int:
    path = demo_dir(args)
    if not Database.exists(path):
        init_folder(path, None, None, False, True, operator_of(args) or "Demo").close()
    args.data = str(path)
    return run_app(args)


def cmd_settings(args) -> int:
    from storage.core.db import write_office
    from storage.office.settings import letterhead_city
    from tui.cli.common import open_db

    given = {k: " ".join(v.split()) for k, v in (("name", args.name), ("city", args.city),
                                                  ("address", args.address), ("phone", args.phone)) if v is not None}
    if "name" in given and not given["name"]:
        raise PilarError("ui.settings.need_name")
    with open_db(args, read_only=not given and args.logo is None) as db:
        from storage.office.settings import require_operator, set_signers, signers

        # At the province the city is also the signers' place (the payout documents' date line), a
        # province record: it needs an operator, asked before anything is written.
        place = given.get("city") if db.is_province and given.get("city") != signers(db)["place"] else None
        if place:
            require_operator(db)
        if args.logo is not None:  # checked and copied first: a refused file changes nothing
            from storage.office import logo

            if args.logo.strip():
                logo.set_logo(db, args.logo.strip())
            else:
                logo.clear_logo(db)
        if given:
            db.office = dict(db.office, **given)
            write_office(db.path, db.office)
            if place:  # as F10 does
                set_signers(db, place=place)
        from storage.office import logo
        from storage.office.letterhead import contact

        kept = logo.path(db)
        shown = {"code": db.code, "name": db.office.get("name", ""), "city": letterhead_city(db), **contact(db),
                 "logo": str(kept) if kept else ""}
    if args.format == "json":
        print_json(shown)
    else:
        for key in ("code", "name", "city", "address", "phone"):
            say(f"{i18n.t(f'cli.settings.{key}')}: {shown[key]}")
        say(f"{i18n.t('cli.settings.logo')}: {shown['logo'] or i18n.t('cli.settings.no_logo')}")
    return 0


def cmd_check(args) -> int:
    from storage.check import check_steady  # the whole of storage: not imported to start the app

    path = resolve_data_dir(args.data)
    # opened once for the checks, the work and the counts; duplicate-NIK cases are work to do, not
    # damage (exit 0, no restore advice). Read again while another Pilar moves the files (issue 22).
    reading = check_steady(path)
    problems, work, db = reading.problems, reading.work, reading.db
    if not problems and not reading.busy:
        from storage.core import audit

        audit.write_missing_indexes(path / "audit.jsonl")  # derived: each sealed audit segment's index
    if reading.busy:
        # another Pilar kept writing through every reading: nothing found is certain, never "damaged"
        from storage.core.db import read_lock_info

        holder = read_lock_info(path)
        message = i18n.t("check.busy", path=str(path), tries=reading.tries,
                         operator=holder.get("operator") or "?", pid=holder.get("pid", "?"))
        if args.format == "json":
            print_json({"path": str(path), "ok": None, "busy": True, "message": message, "problems": [],
                        "work": [], "readings": reading.tries})
        else:
            say(message)
        return 4
    if args.format == "json":
        print_json({"path": str(path), "ok": not problems, "problems": problems, "work": work,
                    "readings": reading.tries})
        return 1 if problems else 0
    if problems:
        say(i18n.t("check.problems", count=len(problems), path=str(path)))
        for p in problems:
            say(f"- {p}")
        from storage.backup import damaged_hint

        # a damaged or rewritten audit log alone: never advice that would roll the data back (issue 22)
        say(i18n.t("check.audit_only_hint") if reading.audit_only else damaged_hint(path))
        return 1
    say(i18n.t("check.ok", path=str(path), files=db.file_count,  # each part of a collection is a file
               records=sum(db.count(c) for c in db.collections())))
    if work:
        say(i18n.t("check.work", count=len(work)))
        for line in work:
            say(f"- {line}")
    return 0


def make_app(path: Path, operator: str | None = None, lang: str | None = None):
    """The app as ``pilar`` starts it on the folder at ``path``. At the province the Ringkasan's figures are
    begun first (``storage.summary.start.begin``: from the folder's tallies, else counted from its files on
    the other core), then the app's modules imported (~0.5 s), so that a count overlaps them (issue 25).
    The daily backup is taken by the app after its first frame (it took 3.4 s at 100,000 members); at the
    province the folder is opened after the first frame too: an error opening it (damaged, a newer format,
    another Pilar took it meanwhile) stops the app and is said by ``run_app``, as before."""
    from storage.summary.start import begin

    figures = begin(path)
    from tui.app import PilarApp

    return PilarApp(data_dir=path, operator=operator, lang=lang, start="auto", daily_backup=True,
                    background_open=True, figures=figures)


def run_app(args) -> int:
    """Start the Textual app on the data folder."""
    path = resolve_data_dir(args.data)
    if not Database.exists(path):
        raise PilarError("db.not_initialised", path=str(path))
    app = make_app(path, operator_of(args), args.lang)
    app.run()
    if app.open_error is not None:
        raise app.open_error
    return app.return_code or 0
