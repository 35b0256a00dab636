"""Event reports: the invitation list, the daftar hadir (attendance list) with a signature column, and the
attendance summary by quota group, pillar and kab/kota; as printable text, Markdown, A4 HTML, CSV, XLSX.

Tables are built with tabulate through :mod:`storage.printing.tables`; the counts come from
:func:`storage.events.records.counts`, the same numbers the check-in screen shows.
"""

from __future__ import annotations

import html
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t
from storage.domain import fmt, regions
from storage.domain.model import pillar_label, position_label
from storage.events import records
from storage.office.letterhead import kop
from storage.office.settings import letterhead_city, office_names
from storage.printing import tables as export

KINDS = ("attendance", "invitations", "summary")
FORMATS = ("text", "md", "html", "csv", "xlsx", "json", "pdf")
_TITLES = {"attendance": "events.report.attendance_title", "invitations": "events.report.invitation_title",
           "summary": "events.report.summary_title"}


def _sorted_invitations(db: Database, event: dict) -> list[dict]:
    """Invited members by quota group (in the event's order), kab/kota and name; walk-ins last."""
    order = {q["key"]: i for i, q in enumerate(event.get("quotas") or [])}
    return sorted(records.invitations(db, event["id"], event.get("_day")),  # no day: every invitation
                  key=lambda v: (bool(v.get("walk_in")), order.get(v.get("group"), len(order)),
                                 v.get("kab", ""), v.get("name", "").casefold(), v["id"]))


def _names(db: Database, invs: list[dict]) -> dict[str, str]:
    """Current names from the roster (the invitation keeps the name as it was when invited)."""
    out = {}
    for inv in invs:
        member = db.value("members", inv.get("member_id"))
        out[inv["id"]] = (member or {}).get("name") or inv.get("name", "")
    return out


def _group_label(event: dict, key: str) -> str:
    for q in event.get("quotas") or []:
        if q["key"] == key:
            return q["key"]
    return t("events.no_group") if not key else key


def _note(inv: dict) -> str:
    if inv.get("walk_in"):
        return t("events.walk_in_note", reason=inv.get("walk_in_reason", ""))
    if inv.get("override"):
        return t("events.override_note")
    return ""


def _status(inv: dict) -> str:
    return t(f"events.status.{inv.get('status') or 'BELUM'}")


def _offices(db: Database, short: bool) -> dict[str, str]:
    """Office names for the UPT column; on a printed text page the code ("UPT-PSTW-JEMBER") fits better."""
    return {} if short else office_names(db)


def attendance_table(db: Database, event: dict, signature: bool = True,
                     short: bool = False) -> tuple[list[str], list[list]]:
    """The daftar hadir: one row per invited member (walk-ins last) with a signature column."""
    invs = _sorted_invitations(db, event)
    names = _names(db, invs)
    offices = _offices(db, short)
    headers = [t("events.col.no"), t("events.col.name"), t("events.col.pillar"), t("events.col.position"),
               t("events.col.kab"), t("events.col.upt"), t("events.col.status"), t("events.col.time"),
               t("events.col.note")]
    if signature:
        headers.append(t("events.col.signature"))
    rows = []
    for no, inv in enumerate(invs, 1):
        row = [no, names[inv["id"]], pillar_label(inv.get("pillar", "")), position_label(inv.get("position", "")),
               regions.kab_name(inv.get("kab", "")) or inv.get("kab", ""),
               offices.get(inv.get("upt", ""), inv.get("upt", "")), _status(inv),
               records.clock(inv.get("checkin_at", "")), _note(inv)]
        if signature:
            # The usual staggered signature column: odd numbers left, even numbers right.
            row.append(f"{no}. ........" if no % 2 else f"          {no}. ........")
        rows.append(row)
    return headers, rows


def invitation_table(db: Database, event: dict, short: bool = False) -> tuple[list[str], list[list]]:
    """The invitation list: who is invited, in which group, by which office."""
    invs = [v for v in _sorted_invitations(db, event) if not v.get("walk_in")]
    names = _names(db, invs)
    offices = _offices(db, short)
    headers = [t("events.col.no"), t("events.col.name"), t("events.col.number"), t("events.col.pillar"),
               t("events.col.position"), t("events.col.kab"), t("events.col.upt"), t("events.col.group"),
               t("events.col.note")]
    rows = [[no, names[inv["id"]], inv.get("number", ""), pillar_label(inv.get("pillar", "")),
             position_label(inv.get("position", "")), regions.kab_name(inv.get("kab", "")) or inv.get("kab", ""),
             offices.get(inv.get("upt", ""), inv.get("upt", "")), _group_label(event, inv.get("group", "")),
             _note(inv)] for no, inv in enumerate(invs, 1)]
    return headers, rows


def summary_tables(db: Database, event: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, headers, rows) for the summary by quota group, by pillar and by kab/kota, each with a total."""
    c = records.counts(db, event["id"], _day(event))
    cols = [t("events.col.invited"), t("events.col.walk_in"), t("events.col.present"),
            t("events.status.IZIN"), t("events.status.ALPA")]
    groups = [[g["label"], g["limit"], g["invited"], g["hadir"]] for g in c["groups"].values()]
    out = []
    if groups:
        out.append((t("events.report.by_group"),
                    [t("events.col.group"), t("events.col.limit"), t("events.col.invited"), t("events.col.present")],
                    groups))
    for title, label, data, name_of in (
            (t("events.report.by_pillar"), t("events.col.pillar"), c["pillars"], pillar_label),
            (t("events.report.by_kab"), t("events.col.kab"), c["kabs"], lambda k: regions.kab_name(k) or k)):
        rows = [[name_of(k) or "-", r["invited"], r["walk_in"], r["hadir"], r["izin"], r["alpa"]]
                for k, r in data.items()]
        rows.sort(key=lambda r: str(r[0]))
        total = [t("events.col.total")] + [sum(r[i] for r in rows) for i in range(1, 6)]
        out.append((title, [label] + cols, rows + [total]))
    return out


def _heading(db: Database, event: dict, kind: str) -> list[str]:
    names = office_names(db)
    office = names.get(event.get("office", ""), event.get("office", ""))
    date = fmt.long_date(event["date"])
    if event.get("end_date") and event["end_date"] != event["date"]:
        date = f"{date} - {fmt.long_date(event['end_date'])}"
        if kind != "invitations":  # attendance is per day: the list says which
            days = records.event_days(event)
            date += " · " + t("events.report.day", n=days.index(_day(event)) + 1, date=fmt.long_date(_day(event)))
    if event.get("start_time"):
        when = t("events.report.when", date=date, start=records.time_label(event["start_time"]),
                 end=records.time_label(event.get("end_time", "")))
    else:
        when = t("events.report.when_day", date=date)
    lines = [t("events.report.province"), office.upper(), "", t(_TITLES[kind]), event["name"], when]
    if event.get("venue"):
        lines.append(t("events.report.where", venue=event["venue"]))
    return lines


def _footer(db: Database, event: dict) -> list[str]:
    city = event.get("city") or letterhead_city(db)  # this office's city, never another's
    return [fmt.letter_date(city, _day(event)), t("events.report.signer"), "", "", "",
            t("events.report.signer_line"), t("events.report.signer_nip")]


def _totals_line(db: Database, event: dict) -> str:
    total = records.counts(db, event["id"], _day(event))["total"]
    return t("events.report.totals", invited=total["invited"], hadir=total["HADIR"], walk_in=total["walk_in"],
             izin=total["IZIN"], alpa=total["ALPA"], belum=total["BELUM"])


def _tables(db: Database, event: dict, kind: str, short: bool = False) -> list[tuple[str, list[str], list[list]]]:
    if kind == "attendance":
        return [("", *attendance_table(db, event, short=short))]
    if kind == "invitations":
        return [("", *invitation_table(db, event, short=short))]
    return summary_tables(db, event)


def render_text(db: Database, event: dict, kind: str, fmt_: str = "text") -> str:
    """Printable text (box tables) or Markdown."""
    head = _heading(db, event, kind)
    parts: list[str] = []
    if fmt_ == "md":
        parts += [f"**{line}**  " if i < 2 else (f"## {line}" if i == 3 else f"{line}  ") for i, line in enumerate(head)
                  if line]
    else:
        width = 100
        parts += [line.center(width).rstrip() for line in head]
    for title, headers, rows in _tables(db, event, kind, short=True):
        parts.append("")
        if title:
            parts.append(f"### {title}" if fmt_ == "md" else title)
            parts.append("")
        parts.append(export.table(rows, headers, fmt_))
    parts += ["", _totals_line(db, event), ""]
    foot = _footer(db, event)
    if fmt_ == "md":
        parts += [f"{line}  " for line in foot]
    else:
        parts += [(" " * 60 + line).rstrip() for line in foot]
    return "\n".join(parts) + "\n"


def render_html(db: Database, event: dict, kind: str) -> str:
    """An A4 page: heading, table(s), totals, place and date, signature."""
    head = [html.escape(line) for line in _heading(db, event, kind)]
    body = [f'<p class="meta"><b>{head[0]}</b><br><b>{head[1]}</b></p>',
            f"<h1>{head[3]}</h1>", f'<p class="meta">{"<br>".join(h for h in head[4:] if h)}</p>']
    for title, headers, rows in _tables(db, event, kind):
        if title:
            body.append(f"<h2>{html.escape(title)}</h2>")
        if kind == "attendance":
            rows = [r[:-1] + [""] for r in rows]
        body.append(export.table(rows, headers, "html"))
    body.append(f"<p>{html.escape(_totals_line(db, event))}</p>")
    foot = _footer(db, event)
    body.append('<table class="signatures"><tr><td style="width:55%"></td><td>'
                f"{html.escape(foot[0])}<br>{html.escape(foot[1])}<br><br><br><br>{html.escape(foot[-2])}"
                f"<br>{html.escape(foot[-1])}"
                "</td></tr></table>")
    style = "<style>table tr td:last-child { min-width: 80pt; } table tr { height: 24pt; }</style>" \
        if kind == "attendance" else ""
    return export.html_page(f"{t(_TITLES[kind])} {event['name']}", style + "\n".join(body))


def render_pdf(db: Database, event: dict, kind: str) -> bytes:
    """An A4 PDF: the office's letterhead, the event, the table(s) with their header on every page (the
    daftar hadir landscape with a signature column, for one day), totals, place and date, signature."""
    from storage.printing.pdf import Col, Document

    head = _heading(db, event, kind)
    doc = Document(kop(db, head[1]), f"{t(_TITLES[kind])} {event['name']}", landscape=kind != "summary")
    doc.add_page()
    doc.title_block(head[3:])
    for title, headers, rows in _tables(db, event, kind, short=True):
        if title:
            doc.room(20)
            doc.paragraph(title, bold=True)
        if kind == "attendance":
            widths = (10, 48, 20, 26, 30, 38, 18, 11, 26, 46)
            cols = [Col(h, w, "R" if i == 0 else "L") for i, (h, w) in enumerate(zip(headers, widths, strict=True))]
            doc.table(cols, rows, sums=False, row_h=9, size=8)
        elif kind == "invitations":
            widths = (10, 55, 30, 26, 28, 32, 38, 24, 30)
            cols = [Col(h, w, "R" if i == 0 else "L") for i, (h, w) in enumerate(zip(headers, widths, strict=True))]
            doc.table(cols, rows, sums=False, size=8)
        else:
            first = 186 - 22 * (len(headers) - 1)
            cols = [Col(headers[0], first)] + [Col(h, 22, "R") for h in headers[1:]]
            doc.table(cols, rows, sums=False, size=8.5, row_h=6)
    doc.paragraph(_totals_line(db, event))
    foot = _footer(db, event)
    doc.signatures([("", foot[1], "", "." * 30)], foot[0])  # a NIP line under the name, to fill in by hand
    return doc.bytes()


def report_data(db: Database, event: dict, kind: str) -> dict:
    """The report as plain data (for --format json)."""
    return {"event": {k: event.get(k) for k in ("id", "name", "date", "end_date", "start_time", "end_time",
                                                 "venue", "city", "office")},
            "kind": kind, "day": _day(event), "counts": records.counts(db, event["id"], _day(event)),
            "tables": [{"title": title, "headers": headers, "rows": rows}
                       for title, headers, rows in _tables(db, event, kind)]}


def _day(event: dict) -> str:
    """The day the report is about (attendance is taken per day of a multi-day event)."""
    return event.get("_day") or event["date"]


def render(db: Database, event_id: str, kind: str = "attendance", fmt_: str = "text",
           day: str | None = None) -> str | bytes:
    """The report in one format: str for text/md/html/json, bytes for csv/xlsx. ``day``: which day of
    a multi-day event (see :func:`storage.events.records.event_day`; a one-day event has only its date)."""
    if kind not in KINDS:
        raise PilarError("events.bad_format", value=kind, known=", ".join(KINDS))
    if fmt_ not in FORMATS:
        raise PilarError("events.bad_format", value=fmt_, known=", ".join(FORMATS))
    event = records.get_event(db, event_id)
    event = dict(event, _day=records.event_day(event, day) if day or len(records.event_days(event)) > 1 else event["date"])
    if fmt_ in ("text", "md"):
        return render_text(db, event, kind, fmt_)
    if fmt_ == "html":
        return render_html(db, event, kind)
    if fmt_ == "pdf":
        return render_pdf(db, event, kind)
    if fmt_ == "json":
        import orjson

        return orjson.dumps(report_data(db, event, kind), option=orjson.OPT_INDENT_2).decode() + "\n"
    tables = _tables(db, event, kind)
    if kind == "attendance":
        tables = [(title, headers[:-1], [r[:-1] for r in rows]) for title, headers, rows in tables]
    if fmt_ == "csv":
        if len(tables) == 1:
            return export.csv_bytes(tables[0][1], tables[0][2])
        rows: list[list] = []
        for title, headers, body in tables:
            rows += [[title], headers, *body, []]
        return export.csv_bytes([t(_TITLES[kind]), event["name"]], rows)
    sheet_names = {"attendance": "events.report.sheet_attendance", "invitations": "events.report.sheet_invitations"}
    if kind in sheet_names:
        sheets = [(t(sheet_names[kind]), tables[0][1], tables[0][2])]
        sheets += [(title, headers, rows) for title, headers, rows in summary_tables(db, event)]
    else:
        sheets = tables
    return export.xlsx_bytes([(_sheet_title(title), headers, rows) for title, headers, rows in sheets])


def _sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet names."""
    return "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31]


def write(db: Database, event_id: str, path: str | Path, kind: str = "attendance", fmt_: str | None = None,
          day: str | None = None) -> Path:
    """Write a report file atomically; the format defaults to the file's extension."""
    path = Path(path)
    fmt_ = fmt_ or {".txt": "text", ".md": "md", ".html": "html", ".htm": "html", ".csv": "csv",
                    ".xlsx": "xlsx", ".json": "json", ".pdf": "pdf"}.get(path.suffix.lower(), "text")
    data = render(db, event_id, kind, fmt_, day)
    atomic_write(path, data if isinstance(data, bytes) else data.encode("utf-8"))
    return path
