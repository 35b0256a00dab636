"""Command line: ``pilar sample generate`` builds a big synthetic data folder (for benchmarks and trials)."""

from __future__ import annotations

import time
from pathlib import Path

from storage.core import i18n
from storage.core.db import PROVINCE_CODE
from storage.core.errors import PilarError
from storage.sample import generate
from tui.cli.common import operator_of
from tui.cli.output import add_format, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("sample", parents=[common], help="demo and synthetic data")
    actions = p.add_subparsers(dest="sample_command", metavar="ACTION", required=True)
    g = actions.add_parser("generate", parents=[common],
                           help="build a data folder with N fictitious members (valid NIKs, realistic spread)")
    g.add_argument("--members", metavar="N", required=True, help="number of members")
    g.add_argument("--out", metavar="DIR", required=True, help="new data folder to create")
    g.add_argument("--office", metavar="CODE", default=PROVINCE_CODE,
                   help="office of the folder: JATIM (default) or a UPT code; members live in its area")
    g.add_argument("--seed", metavar="S", type=int, default=1, help="random seed (same seed, same data)")
    add_format(g)
    g.set_defaults(handler=cmd_generate)


def cmd_generate(args) -> int:
    try:
        count = int(args.members)
    except ValueError:
        count = 0
    if count < 1:
        raise PilarError("sample.bad_count", value=args.members)
    office = args.office.strip().upper()
    if generate.office_name(office) is None:
        raise PilarError("sample.unknown_office", office=args.office)
    out = Path(args.out).expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PilarError("sample.out_exists", path=str(out))
    started = time.perf_counter()
    path = generate.build_office(out, count, seed=args.seed, office=office,
                                 operator=operator_of(args) or "Generator")
    seconds = round(time.perf_counter() - started, 1)
    if args.format == "json":
        print_json({"path": str(path), "office": office, "members": count, "seed": args.seed,
                    "seconds": seconds})
    else:
        say(i18n.t("sample.generated", office=office, members=count, path=str(path), seconds=seconds))
    return 0
