"""Personal data under UU PDP 27/2022 (issue 27): the record of processing, requests of data subjects
with the 3x24-hour clock, restriction, erasure that travels, retention from the archive schedule,
incidents and their written notice, the DPIA. See docs/privacy.md.

Where things live:

- the register of processing (purposes, lawful bases, categories, recipients, retention), the DPO,
  the retention rules and the DPIA's approval: province settings (collection ``settings``), synced to
  every office;
- requests and incidents: collection ``privacy`` (kind ``privacy``), each owned by the office that
  recorded it (any office may record what a person asks at its desk), travelling like any record;
- a restriction: the member's field ``restricted`` ({"since", "request"}): runs, invitations and roster
  files leave such a member out (``is_restricted``);
- an erasure (the province only, authority table): the member becomes a tombstone holding only an
  ``erased`` marker, and every record hanging off the member loses its personal fields
  (``storage.core.erasure``); the merge rule lets an erasure absorb every other version
  (``storage.core.versions.merge_versions``), so an older bundle, a conflict or a restore never brings the
  data back; the erased documents (no personal data in them) are kept in ``erasures.jsonl`` beside
  the data, outside the backups (``storage.core.erasure_log``), and put back after a restore of an older
  backup.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from storage.core.audit import entry, mask
from storage.core.db import PROVINCE_CODE, Database, now_iso
from storage.core.erasure import redact
from storage.core.erasure_log import remember
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.versions import erased, erasure_of, winner
from storage.reconcile.conflicts import field_label
from storage.roster.service import Roster
from storage.sync import engine as E
from storage.sync.freshness import scope_codes

NAMESPACE = uuid.UUID("5d2e8a61-27a4-4c1e-9b22-0f27c0aa2022")
REQUEST_KINDS = ("access", "correction", "restriction", "erasure", "objection")
# Kinds that stop processing at once while the request is handled (the law's restriction within 3x24 h;
# an objection or an erasure not yet carried out is treated as a restriction meanwhile).
RESTRICTING = ("restriction", "objection", "erasure")
CLOCK = dt.timedelta(hours=72)
DEFAULT_RETENTION = {"member_inactive_years": 5, "finance_years": 10,
                     "jra": "JRA Pemprov Jatim (fasilitatif keuangan: Perka ANRI 6/2013); verifikasi dengan arsiparis"}


def setting_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"settings:privacy-{name}"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).astimezone()


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo else when.astimezone()


def parse_when(text: str | None) -> dt.datetime:
    """A date or date-time typed by the operator (``2026-12-07`` or ``2026-12-07T09:30``); now when empty."""
    if not text:
        return _now().replace(microsecond=0)
    when = _parse_time(text.strip().replace(" ", "T"))
    if when is None:
        raise PilarError("privacy.bad_time", value=text)
    if when > _now() + dt.timedelta(minutes=5):
        raise PilarError("privacy.future_time", value=text)
    return when.replace(microsecond=0)


# ---------------------------------------------------------------------- the register (Pasal 31) and the DPO

def default_activities() -> list[dict]:
    """Pilar's own processing, as the register starts (the province edits it with ``--load``)."""
    return [
        {"name": t("privacy.act.roster"), "purpose": t("privacy.act.roster.purpose"), "basis": "20(2)(e)",
         "categories": t("privacy.cat.identity"), "subjects": t("privacy.subj.members"),
         "recipients": t("privacy.rcpt.offices"), "retention": t("privacy.ret.members")},
        {"name": t("privacy.act.payouts"), "purpose": t("privacy.act.payouts.purpose"), "basis": "20(2)(c), 20(2)(e)",
         "categories": t("privacy.cat.finance"), "subjects": t("privacy.subj.members"),
         "recipients": t("privacy.rcpt.bank"), "retention": t("privacy.ret.finance")},
        {"name": t("privacy.act.events"), "purpose": t("privacy.act.events.purpose"), "basis": "20(2)(e)",
         "categories": t("privacy.cat.attendance"), "subjects": t("privacy.subj.members"),
         "recipients": t("privacy.rcpt.offices"), "retention": t("privacy.ret.members")},
        {"name": t("privacy.act.dedup"), "purpose": t("privacy.act.dedup.purpose"), "basis": "20(2)(e)",
         "categories": t("privacy.cat.nik"), "subjects": t("privacy.subj.members"),
         "recipients": t("privacy.rcpt.province"), "retention": t("privacy.ret.members")},
        {"name": t("privacy.act.sync"), "purpose": t("privacy.act.sync.purpose"), "basis": "20(2)(e)",
         "categories": t("privacy.cat.all"), "subjects": t("privacy.subj.members"),
         "recipients": t("privacy.rcpt.offices"), "retention": t("privacy.ret.members")},
    ]


ACTIVITY_FIELDS = ("name", "purpose", "basis", "categories", "subjects", "recipients", "retention")


def register(db: Database) -> dict:
    """The record of processing activities: controller, DPO, activities (defaults until the province sets it)."""
    value = db.get("settings", setting_id("register")) or {}
    return {
        "controller": value.get("controller") or t("privacy.controller_default"),
        "dpo": value.get("dpo") or {"name": "", "contact": ""},
        "activities": value.get("activities") or default_activities(),
        "updated_at": value.get("updated_at", ""),
        "updated_by": value.get("updated_by", ""),
        "stored": bool(value),
    }


def set_register(db: Database, controller: str | None = None, dpo_name: str | None = None,
                 dpo_contact: str | None = None, activities: list[dict] | None = None) -> dict:
    """Change the register (the province: settings are its records, the authority table says so)."""
    current = register(db)
    value = db.get("settings", setting_id("register")) or {"id": setting_id("register"), "key": "privacy.register"}
    value["controller"] = (controller if controller is not None else current["controller"]).strip()
    dpo = dict(current["dpo"])
    if dpo_name is not None:
        dpo["name"] = dpo_name.strip()
    if dpo_contact is not None:
        dpo["contact"] = dpo_contact.strip()
    value["dpo"] = dpo
    if activities is not None:
        value["activities"] = check_activities(activities)
    else:
        value["activities"] = current["activities"]
    value["updated_at"], value["updated_by"] = now_iso(), db.operator
    with db.transaction("privacy.register") as tx:
        tx.put("settings", value, owner=PROVINCE_CODE)
    return register(db)


def check_activities(raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise PilarError("privacy.bad_register")
    out = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip() \
                or not str(item.get("basis") or "").strip():
            raise PilarError("privacy.bad_activity", n=i)
        out.append({k: str(item.get(k) or "").strip() for k in ACTIVITY_FIELDS})
    return out


def register_lines(db: Database) -> list[str]:
    reg = register(db)
    dpo = reg["dpo"]
    lines = [t("privacy.register.title"), "",
             f"{t('privacy.register.controller')}: {reg['controller']}",
             f"{t('privacy.register.dpo')}: " + (f"{dpo['name']} ({dpo['contact']})" if dpo.get("name")
                                                 else t("privacy.register.no_dpo"))]
    if not reg["stored"]:
        lines.append(t("privacy.register.defaults"))
    for i, a in enumerate(reg["activities"], 1):
        lines += ["", f"{i}. {a['name']}"]
        for k in ACTIVITY_FIELDS[1:]:
            label = t(f"privacy.field.{k}")
            value = a.get(k, "")
            if k == "basis":
                value = f"UU 27/2022 Pasal {value}"
            lines.append(f"   {label}: {value}")
    lines += ["", t("privacy.register.retention_rule", **retention_rules(db))]
    return lines


def lines_pdf(db: Database, lines: list[str]) -> bytes:
    """Lines of text (the register, the DPIA) as an A4 document under the office's letterhead."""
    # (the PDF modules are imported when a document is made: the Ringkasan imports this module at start)
    from storage.payouts.documents.pdf import letterhead
    from storage.printing.pdf import Document

    doc = Document(letterhead(db), lines[0])
    doc.add_page()
    doc.title_block([lines[0]])
    for line in lines[1:]:
        if line:
            doc.paragraph(line, size=9)
        else:
            doc.ln(2)
    return bytes(doc.output())


# ---------------------------------------------------------------------- finding the person

def find_member(db: Database, text: str) -> tuple[str, dict | None]:
    """(member id, live value or None when erased/deleted) for a NIK, a member id or an id prefix."""
    text = (text or "").strip()
    if not text:
        raise PilarError("privacy.who_missing")
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 16 and digits == text.replace(" ", "").replace("-", ""):
        ids = db.lookup("members", "nik", digits)
        if len(ids) > 1:
            raise PilarError("privacy.ambiguous", what=mask(digits), count=len(ids))
        if ids:
            return ids[0], db.get("members", ids[0])
        raise PilarError("privacy.not_found", what=mask(digits))
    raw = db.raw("members")
    if text in raw:
        return text, db.get("members", text)
    hits = [rid for rid in raw if rid.startswith(text)] if len(text) >= 6 else []
    if len(hits) == 1:
        return hits[0], db.get("members", hits[0])
    if len(hits) > 1:
        raise PilarError("privacy.ambiguous", what=text, count=len(hits))
    raise PilarError("privacy.not_found", what=text)


def label(member_id: str, value: dict | None) -> str:
    """How a person is named in lists: masked NIK and the id's first characters (no name)."""
    if value and value.get("nik"):
        return f"{mask(value['nik'])} · {member_id[:8]}"
    return member_id[:8]


def is_restricted(member: dict | None) -> bool:
    return bool(member and member.get("restricted"))


# ---------------------------------------------------------------------- requests (Pasal 32-43)

def add_request(db: Database, who: str, kind: str, note: str = "", received: str | None = None) -> dict:
    if kind not in REQUEST_KINDS:
        raise PilarError("privacy.bad_kind", kind=kind, kinds=", ".join(REQUEST_KINDS))
    member_id, member = find_member(db, who)
    when = parse_when(received)
    rid = str(uuid.uuid4())
    value = {"id": rid, "type": "request", "member_id": member_id, "kind": kind,
             "received": when.isoformat(timespec="minutes"), "due": (when + CLOCK).isoformat(timespec="minutes"),
             "status": "OPEN", "office": db.code, "recorded_by": db.operator, "note": note.strip()}
    with db.transaction("privacy.request") as tx:
        tx.put("privacy", value, owner=db.code)
        if kind in RESTRICTING and member is not None and not member.get("restricted") \
                and _may_restrict(db, member):
            # (a member of another office is restricted by its owner or the province when the request
            # reaches them: the request itself is recorded here, its clock running)
            _restrict(tx, db, member, rid, when)
    return db.get("privacy", rid)


def _may_restrict(db: Database, member: dict) -> bool:
    value = dict(member, restricted={"since": "", "request": ""})
    return db.authorise("members", value) is None


def _restrict(tx, db: Database, member: dict, request_id: str, when: dt.datetime | None = None) -> None:
    value = dict(member)
    value["restricted"] = {"since": (when or _now()).date().isoformat(), "request": request_id}
    refusal = db.authorise("members", value)
    if refusal is not None:
        raise PilarError("privacy.restrict_elsewhere", owner=member.get("owner", "?"), problem=refusal.message())
    tx.put("members", value, audit_action="privacy.restrict")


def restrict(db: Database, who: str, request_id: str = "") -> dict:
    member_id, member = find_member(db, who)
    if member is None:
        raise PilarError("privacy.already_erased", what=member_id[:8])
    if member.get("restricted"):
        return member
    with db.transaction("privacy.restrict") as tx:
        _restrict(tx, db, member, request_id)
    return db.get("members", member_id)


def unrestrict(db: Database, who: str) -> dict:
    member_id, member = find_member(db, who)
    if member is None:
        raise PilarError("privacy.already_erased", what=member_id[:8])
    if not member.get("restricted"):
        raise PilarError("privacy.not_restricted", what=label(member_id, member))
    value = dict(member)
    del value["restricted"]
    with db.transaction("privacy.unrestrict") as tx:
        tx.put("members", value, audit_action="privacy.unrestrict")
    return db.get("members", member_id)


def requests(db: Database, open_only: bool = False) -> list[dict]:
    out = [v for v in db.values("privacy") if v.get("type") == "request"]
    if open_only:
        out = [v for v in out if v.get("status") == "OPEN"]
    return sorted(out, key=lambda v: (v.get("status") != "OPEN", v.get("due", "")))


def hours_left(item: dict, now: dt.datetime | None = None) -> float | None:
    due = _parse_time(item.get("due"))
    if due is None:
        return None
    return (due - (now or _now())).total_seconds() / 3600


def left_text(item: dict, now: dt.datetime | None = None) -> str:
    if item.get("status") != "OPEN":
        return t("privacy.closed_on", on=str(item.get("closed", ""))[:16].replace("T", " "))
    hours = hours_left(item, now)
    if hours is None:
        return "?"
    if hours < 0:
        return t("privacy.overdue", h=int(-hours))
    return t("privacy.left", h=int(hours), m=int((hours % 1) * 60))


def find_privacy(db: Database, prefix: str, type_: str) -> dict:
    prefix = (prefix or "").strip()
    hits = [v for v in db.values("privacy") if v.get("type") == type_ and v["id"].startswith(prefix)] if prefix else []
    if not hits:
        raise PilarError(f"privacy.{type_}_not_found", what=prefix)
    if len(hits) > 1:
        raise PilarError("privacy.ambiguous", what=prefix, count=len(hits))
    return dict(hits[0])


def close_request(db: Database, prefix: str, outcome: str = "DONE", note: str = "") -> dict:
    value = find_privacy(db, prefix, "request")
    if outcome not in ("DONE", "REFUSED"):
        raise PilarError("privacy.bad_outcome", value=outcome)
    if value.get("status") != "OPEN":
        raise PilarError("privacy.already_closed", what=value["id"][:8], status=value.get("status"))
    if outcome == "REFUSED" and not note.strip():
        raise PilarError("privacy.refuse_needs_reason")
    value.update(status=outcome, closed=now_iso(), closed_by=db.operator)
    if note.strip():
        value["outcome"] = note.strip()
    with db.transaction("privacy.request_close") as tx:
        tx.put("privacy", value)
    return db.get("privacy", value["id"])


# ---------------------------------------------------------------------- erasure (Pasal 43-44)

@dataclass
class ErasureResult:
    member_id: str
    records: dict[str, int] = field(default_factory=dict)
    already: bool = False
    ids: list[tuple[str, str]] = field(default_factory=list)


def _linking(name: str) -> bool:
    return name == "invitations" or name.startswith("payouts_") or name == "privacy"


def links(db: Database) -> dict[str, list[tuple[str, str]]]:
    """member id -> the (collection, id) of every record hanging off it: one pass for many erasures."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name in db.collections():
        if _linking(name):
            for rid, doc in db.raw(name).items():
                for mid in {v["data"].get("member_id") for v in doc["v"]}:
                    if mid:
                        out.setdefault(mid, []).append((name, rid))
    return out


def _linked(db: Database, member_id: str, index: dict | None = None) -> Iterable[tuple[str, dict]]:
    """Raw documents hanging off a member: invitations, payout items, the person's requests."""
    if index is not None:
        for name, rid in index.get(member_id, ()):
            doc = db.doc(name, rid)
            if doc is not None:
                yield name, doc
        return
    for name in db.collections():
        if _linking(name):
            for doc in db.raw(name).values():
                for v in doc["v"]:
                    if v["data"].get("member_id") == member_id:
                        yield name, doc
                        break


def erase(db: Database, who: str, reason: str, request_id: str = "", why: str = "request",
          fold: bool = True) -> ErasureResult:
    """Remove a person's personal data from this office's records; the erasure travels in the bundles.

    The province only (``authority.erase_province``). Idempotent: erasing again changes nothing.
    """
    if not db.is_province:
        raise PilarError("privacy.erase_province")
    if not reason.strip():
        raise PilarError("privacy.erase_reason")
    member_id, _ = find_member(db, who)
    request = find_privacy(db, request_id, "request") if request_id else None
    with db.transaction("privacy.erase") as tx:
        result = erase_in(tx, db, member_id, why=why, request_id=request["id"] if request else "",
                          note=reason.strip())
        if request is not None and request.get("status") == "OPEN":
            # the erasure answers the request: closed in the same act (its note is already cleared)
            closed = dict(tx.get("privacy", request["id"]) or request)
            closed.update(status="DONE", closed=now_iso(), closed_by=db.operator, outcome="erased")
            tx.put("privacy", closed)
    if result.ids and fold:
        # The old versions are in the journal until it is folded into the files: fold it now.
        db.compact()
        remember(db, [(name, db.doc(name, rid)) for name, rid in result.ids])
    return result


def erase_in(tx, db: Database, member_id: str, why: str, request_id: str = "", note: str = "",
             index: dict | None = None) -> ErasureResult:
    """Stage the erasure of one member and everything hanging off them in transaction ``tx``."""
    marker = {"on": _now().date().isoformat(), "by": db.code, "request": request_id, "why": why}
    result = ErasureResult(member_id)
    ids: list[tuple[str, str]] = []
    doc = tx._current("members", member_id)
    if doc is None:
        raise PilarError("privacy.not_found", what=member_id[:8])
    if erasure_of(doc) is None or len(doc["v"]) > 1:
        _stage(tx, db, "members", doc, redact("members", {}, marker), deleted=True, note=note)
        result.records["members"] = 1
        ids.append(("members", member_id))
    for name, ldoc in list(_linked(db, member_id, index)):
        current = tx._current(name, ldoc["id"])
        if all(erased(v) for v in current["v"]) and len(current["v"]) == 1:
            continue
        top = winner(current)
        _stage(tx, db, name, current, redact(name, top["data"], marker), deleted=top["deleted"], note="")
        result.records[name] = result.records.get(name, 0) + 1
        ids.append((name, ldoc["id"]))
    # The names kept in a run's exclusion rows (storage/payouts/exclusions.py) go too.
    for rid, doc in db.raw("runs").items():
        value = tx.get("runs", rid)
        rows = (value or {}).get("rows")
        if isinstance(rows, list) and any(isinstance(r, dict) and r.get("member_id") == member_id and r.get("name")
                                          for r in rows):
            value["rows"] = [dict(r, name="") if isinstance(r, dict) and r.get("member_id") == member_id else r
                             for r in rows]
            tx.put("runs", value, owner=doc["owner"], audit_action="privacy.erase")
            result.records["runs"] = result.records.get("runs", 0) + 1
            ids.append(("runs", rid))
    result.already = not ids
    result.ids = ids
    return result


def _stage(tx, db: Database, name: str, doc: dict, data: dict, deleted: bool, note: str) -> None:
    """A new version over every standing one (siblings included) with the erased data; audited by field
    name only (the values are what is being erased)."""
    version = tx._new_version(doc, data, deleted=deleted)
    tx.docs[(name, doc["id"])] = {"id": doc["id"], "kind": doc["kind"], "owner": doc["owner"], "v": [version]}
    gone = sorted({k for v in doc["v"] for k in _flat(v["data"])} - set(_flat(data)))
    tx.audit_entries.append(entry("privacy.erase", doc["kind"], doc["id"], None, None, db.operator, db.code,
                                        note=note, changes={"erased": [gone, data.get("erased", {}).get("on")]}))


def _flat(data: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in (data or {}).items():
        if isinstance(v, dict) and k != "erased":
            out += _flat(v, f"{prefix}{k}.")
        else:
            out.append(prefix + k)
    return out


# ---------------------------------------------------------------------- the access report (Pasal 32)

def _offices_holding(db: Database, member_id: str) -> list[dict]:
    """Which offices hold the record: those whose scope takes it, and the bundles sent to each."""
    doc = db.doc("members", member_id)
    if doc is None:
        return []
    dots = [(v["dot"][0], v["dot"][1]) for v in doc["v"]]
    sent = E.export_log(db.path)
    out = []
    codes = sorted({o.get("code") for o in db.values("offices") if o.get("code")} | {db.code, doc["owner"]})
    holders = scope_codes(db)("members", doc)  # one pass for every office (None: all of them)
    if holders is not None:
        holders = set(holders) | {PROVINCE_CODE}  # the province holds everything and relays
    for code in codes:
        if code == db.code:
            out.append({"office": code, "how": "here", "bundles": []})
            continue
        if holders is not None and code not in holders:
            continue
        bundles = [e for e in sent if e.get("to") == code]
        carried = [e for e in bundles if isinstance(e.get("vv"), dict)
                   and all(e["vv"].get(r, 0) >= n for r, n in dots)]
        out.append({"office": code, "how": "scope", "bundles": [str(e.get("ts", ""))[:16] for e in bundles],
                    "carried": [str(e.get("ts", ""))[:16] for e in carried]})
    return out


def access_report(db: Database, who: str, request_id: str = "") -> dict:
    """Everything this office holds about a person: every field of every version, what hangs off them,
    the history of changes, the requests, the offices holding it. Recorded in the audit log."""
    member_id, value = find_member(db, who)
    doc = db.doc("members", member_id)
    versions = []
    for v in (doc or {"v": []})["v"]:
        versions.append({"office": v["office"], "operator": v["operator"], "deleted": v["deleted"],
                         "data": v["data"]})
    linked: dict[str, list[dict]] = {}
    for name, ldoc in _linked(db, member_id):
        val = db.value_of(ldoc)
        if val is not None:
            linked.setdefault(name.split("_")[0] if name.startswith("payouts_") else name, []).append(val)
    history = Roster(db).history(member_id)
    report = {"member_id": member_id, "owner": (doc or {}).get("owner", ""), "current": value,
              "erased": erasure_of(doc), "versions": versions, "linked": linked, "history": history,
              "offices": _offices_holding(db, member_id), "made_at": now_iso(), "made_by": db.operator,
              "office": db.code}
    if not db.read_only:
        db.record_note("privacy.report", "member", member_id, note=request_id)
    return report


def fields_of(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k in sorted(data):
        v = data[k]
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out += fields_of(v, name + ".")
        elif isinstance(v, list):
            for i, item in enumerate(v, 1):
                if isinstance(item, dict):
                    out += fields_of(item, f"{name}[{i}].")
                else:
                    out.append((f"{name}[{i}]", str(item)))
        else:
            out.append((name, "" if v is None else str(v)))
    return out


def report_sections(report: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The report as titled sections of (label, value) pairs: the text and the PDF are made from it."""
    secs: list[tuple[str, list[tuple[str, str]]]] = []
    head = [(t("privacy.rep.id"), report["member_id"]), (t("privacy.rep.owner"), report["owner"]),
            (t("privacy.rep.made"), f"{report['made_at'][:16].replace('T', ' ')} · {report['office']} · "
                                    f"{report['made_by']}")]
    if report["erased"]:
        head.append((t("privacy.rep.erased"), str(report["erased"].get("on", ""))))
    secs.append((t("privacy.rep.person"), head))
    for i, v in enumerate(report["versions"], 1):
        title = t("privacy.rep.version", n=i, office=v["office"], operator=v["operator"])
        pairs = [(field_label(k), val) for k, val in fields_of(v["data"])]
        secs.append((title, pairs or [(t("privacy.rep.nothing"), "")]))
    for name, values in sorted(report["linked"].items()):
        for val in values:
            data = {k: val[k] for k in val if not k.startswith("_")}
            secs.append((t(f"privacy.rep.linked.{name}"), fields_of(data)))
    hist = []
    for h in report["history"]:
        what = ", ".join(sorted((h.get("changes") or {}).keys()))
        hist.append((f"{str(h.get('ts', ''))[:16].replace('T', ' ')} {h.get('action', '')}",
                     f"{h.get('office', '')} · {h.get('operator', '')} · {what}"))
    secs.append((t("privacy.rep.history"), hist or [(t("privacy.rep.nothing"), "")]))
    offices = []
    for o in report["offices"]:
        if o["how"] == "here":
            offices.append((o["office"], t("privacy.rep.here")))
        else:
            when = ", ".join(o.get("carried") or []) or t("privacy.rep.in_scope", n=len(o["bundles"]))
            offices.append((o["office"], when))
    secs.append((t("privacy.rep.offices"), offices))
    return secs


def report_text(report: dict) -> str:
    lines = [t("privacy.rep.title"), ""]
    for title, pairs in report_sections(report):
        lines.append(title)
        for k, v in pairs:
            lines.append(f"  {k}: {v}" if v else f"  {k}")
        lines.append("")
    return "\n".join(lines)


def report_pdf(db: Database, report: dict) -> bytes:
    # (the PDF modules are imported when a document is made: the Ringkasan imports this module at start)
    from storage.payouts.documents.pdf import letterhead
    from storage.printing.pdf import Document

    doc = Document(letterhead(db), t("privacy.rep.title"))
    doc.add_page()
    doc.title_block([t("privacy.rep.title"), t("privacy.rep.law")])
    for title, pairs in report_sections(report):
        doc.room(14)
        doc.paragraph(title, size=10, bold=True)
        doc.fields(pairs or [("", "")], key_width=58, size=8.5)
        doc.ln(2)
    return bytes(doc.output())


# ---------------------------------------------------------------------- retention (Pasal 43(1)(b), 44: JRA)

def retention_rules(db: Database) -> dict:
    value = db.get("settings", setting_id("retention")) or {}
    out = dict(DEFAULT_RETENTION)
    for k in ("member_inactive_years", "finance_years", "jra"):
        if value.get(k) not in (None, ""):
            out[k] = value[k]
    return out


def set_retention(db: Database, member_years: int | None = None, finance_years: int | None = None,
                  jra: str | None = None) -> dict:
    value = db.get("settings", setting_id("retention")) or {"id": setting_id("retention"), "key": "privacy.retention"}
    rules = retention_rules(db)
    for k, n in (("member_inactive_years", member_years), ("finance_years", finance_years)):
        if n is not None:
            if not isinstance(n, int) or n < 1 or n > 100:
                raise PilarError("privacy.bad_years", value=n)
            rules[k] = n
    if jra is not None:
        rules["jra"] = jra.strip()
    value.update(rules, updated_at=now_iso(), updated_by=db.operator)
    with db.transaction("privacy.retention_rules") as tx:
        tx.put("settings", value, owner=PROVINCE_CODE)
    return retention_rules(db)


def _inactive_since(member: dict) -> str | None:
    """The date the member's last assignment ended, when every assignment is inactive; else None."""
    assigns = member.get("assignments") or []
    if not assigns or any(a.get("status") == "ACTIVE" for a in assigns):
        return None
    dates = [a.get("inactive_date") or a.get("end") or "" for a in assigns]
    if any(not d for d in dates):
        return ""  # inactive, but since when is not recorded: never erased by the schedule
    return max(dates)


@dataclass
class RetentionPlan:
    today: dt.date
    rules: dict
    erase: list[dict] = field(default_factory=list)       # {"member_id", "label", "since"}
    kept_finance: list[dict] = field(default_factory=list)  # inactive past the period, payouts still kept
    kept_open: list[dict] = field(default_factory=list)     # an open request about them
    undated: int = 0


def _payout_years(db: Database) -> dict[str, int]:
    """member id -> the latest year of a payout item of theirs."""
    latest: dict[str, int] = {}
    for name in db.collections():
        if not name.startswith("payouts_"):
            continue
        try:
            year = int(name.split("_", 1)[1])
        except ValueError:
            continue
        for v in db.values(name):
            mid = v.get("member_id")
            if mid and year > latest.get(mid, 0):
                latest[mid] = year
    return latest


def retention_plan(db: Database, today: dt.date | None = None) -> RetentionPlan:
    today = today or _now().date()
    rules = retention_rules(db)
    plan = RetentionPlan(today, rules)
    cutoff = dt.date(today.year - int(rules["member_inactive_years"]), today.month, min(today.day, 28)).isoformat()
    finance_from = today.year - int(rules["finance_years"])
    paid = _payout_years(db)
    open_about = {r.get("member_id") for r in requests(db, open_only=True)}
    for m in db.values("members"):
        since = _inactive_since(m)
        if since is None:
            continue
        if since == "":
            plan.undated += 1
            continue
        if since >= cutoff:
            continue
        row = {"member_id": m["id"], "label": label(m["id"], m), "since": since}
        if paid.get(m["id"], 0) >= finance_from:
            row["payout_year"] = paid[m["id"]]
            plan.kept_finance.append(row)
        elif m["id"] in open_about:
            plan.kept_open.append(row)
        else:
            plan.erase.append(row)
    return plan


def apply_retention(db: Database, plan: RetentionPlan) -> dict:
    """Erase what the schedule says is due, in one transaction, and record the destruction."""
    if not db.is_province:
        raise PilarError("privacy.erase_province")
    if not plan.erase:
        return {"members": 0}
    counts: dict[str, int] = {}
    ids: list[tuple[str, str]] = []
    index = links(db)
    with db.transaction("privacy.retention") as tx:
        for row in plan.erase:
            res = erase_in(tx, db, row["member_id"], why="retention", note="retention", index=index)
            ids += res.ids
            for k, n in res.records.items():
                counts[k] = counts.get(k, 0) + n
        rec = {"id": str(uuid.uuid4()), "type": "destruction", "on": plan.today.isoformat(), "office": db.code,
               "rule": dict(plan.rules), "members": [r["member_id"] for r in plan.erase],
               "counts": counts, "by": db.operator}
        tx.put("privacy", rec, owner=db.code)
    db.compact()
    remember(db, [(name, db.doc(name, rid)) for name, rid in ids])
    return dict(counts, members=len(plan.erase))


def destructions(db: Database) -> list[dict]:
    return sorted((v for v in db.values("privacy") if v.get("type") == "destruction"),
                  key=lambda v: v.get("on", ""), reverse=True)


# ---------------------------------------------------------------------- incidents (Pasal 46)

DEVICES = ("stick", "pc", "backup", "paper", "other")


def add_incident(db: Database, what: str, device: str, encrypted: bool, discovered: str | None = None,
                 office: str | None = None, people: int | None = None, data: str = "",
                 revoke: bool = False, remedy: str = "") -> dict:
    if device not in DEVICES:
        raise PilarError("privacy.bad_device", device=device, devices=", ".join(DEVICES))
    if not what.strip():
        raise PilarError("privacy.incident_what")
    when = parse_when(discovered)
    office = (office or db.code).strip()
    value = {"id": str(uuid.uuid4()), "type": "incident", "what": what.strip(), "device": device,
             "encrypted": bool(encrypted), "discovered": when.isoformat(timespec="minutes"),
             "due": (when + CLOCK).isoformat(timespec="minutes"), "office": office, "recorded_at": now_iso(),
             "recorded_by": db.operator, "status": "OPEN", "data": data.strip(),
             "people": people if people is not None else _people_at(db, office),
             "remedy": remedy.strip(), "revoked": ""}
    if revoke:
        if not db.is_province:
            raise PilarError("privacy.revoke_province", office=office)
        E.revoke_office(db, office)
        value["revoked"] = office
    with db.transaction("privacy.incident") as tx:
        tx.put("privacy", value, owner=db.code)
    return db.get("privacy", value["id"])


def _people_at(db: Database, office: str) -> int:
    """How many people's data an office's folder holds (what a lost PC or stick of it may expose)."""
    if office == PROVINCE_CODE:
        return db.count("members")
    in_scope = E.scope_of(db, office)
    return sum(1 for rid, doc in db.raw("members").items()
               if db.value("members", rid) is not None and in_scope("members", doc))


def incidents(db: Database, open_only: bool = False) -> list[dict]:
    out = [v for v in db.values("privacy") if v.get("type") == "incident"]
    if open_only:
        out = [v for v in out if v.get("status") == "OPEN"]
    return sorted(out, key=lambda v: (v.get("status") != "OPEN", v.get("due", "")))


def close_incident(db: Database, prefix: str, notified: str | None = None, remedy: str = "") -> dict:
    value = find_privacy(db, prefix, "incident")
    if value.get("status") != "OPEN":
        raise PilarError("privacy.already_closed", what=value["id"][:8], status=value.get("status"))
    value.update(status="NOTIFIED", notified=parse_when(notified).isoformat(timespec="minutes"),
                 closed_by=db.operator)
    if remedy.strip():
        value["remedy"] = remedy.strip()
    with db.transaction("privacy.incident_close") as tx:
        tx.put("privacy", value)
    return db.get("privacy", value["id"])


def notice_lines(db: Database, incident: dict) -> list[str]:
    """The written notice of Pasal 46: what data, when and how it was exposed, the remedy."""
    reg = register(db)
    dpo = reg["dpo"]
    when = str(incident.get("discovered", ""))[:16].replace("T", " ")
    enc = t("privacy.notice.encrypted") if incident.get("encrypted") else t("privacy.notice.clear")
    remedy = incident.get("remedy") or t("privacy.notice.remedy_default")
    if incident.get("revoked"):
        remedy += " " + t("privacy.notice.revoked", office=incident["revoked"])
    return [
        t("privacy.notice.title"), "",
        t("privacy.notice.to"), "",
        t("privacy.notice.opening", controller=reg["controller"]), "",
        f"1. {t('privacy.notice.what')}: {incident.get('data') or t('privacy.notice.data_default')} ({enc})",
        f"2. {t('privacy.notice.when')}: {when}",
        f"3. {t('privacy.notice.how')}: {t('privacy.device.' + incident.get('device', 'other'))} — "
        f"{incident.get('what', '')} ({incident.get('office', '')})",
        f"4. {t('privacy.notice.people')}: {incident.get('people', '?')}",
        f"5. {t('privacy.notice.remedy')}: {remedy}", "",
        t("privacy.notice.contact", dpo=dpo.get("name") or t("privacy.register.no_dpo"),
          contact=dpo.get("contact") or "-"), "",
        t("privacy.notice.law"),
    ]


def notice_pdf(db: Database, incident: dict) -> bytes:
    # (the PDF modules are imported when a document is made: the Ringkasan imports this module at start)
    from storage.payouts.documents.pdf import letterhead
    from storage.printing.pdf import Document

    doc = Document(letterhead(db), t("privacy.notice.title"))
    doc.add_page()
    lines = notice_lines(db, incident)
    doc.title_block([lines[0]])
    for line in lines[1:]:
        if line:
            doc.paragraph(line, size=10)
        else:
            doc.ln(3)
    return bytes(doc.output())


# ---------------------------------------------------------------------- DPIA (Pasal 34)

def dpia(db: Database) -> dict:
    value = db.get("settings", setting_id("dpia")) or {}
    niks = db.index("members", "nik")
    return {"approved_on": value.get("approved_on", ""), "approved_by": value.get("approved_by", ""),
            "next_review": value.get("next_review", ""), "members": db.count("members"),
            "offices": db.count("offices"), "duplicate_cases": sum(1 for ids in niks.values() if len(ids) > 1),
            "restricted": sum(1 for m in db.values("members") if m.get("restricted"))}


def approve_dpia(db: Database, review_months: int = 12) -> dict:
    value = db.get("settings", setting_id("dpia")) or {"id": setting_id("dpia"), "key": "privacy.dpia"}
    today = _now().date()
    nxt = today + dt.timedelta(days=30 * review_months)
    value.update(approved_on=today.isoformat(), approved_by=db.operator, next_review=nxt.isoformat())
    with db.transaction("privacy.dpia") as tx:
        tx.put("settings", value, owner=PROVINCE_CODE)
    return dpia(db)


def dpia_lines(db: Database) -> list[str]:
    d = dpia(db)
    rules = retention_rules(db)
    lines = [t("privacy.dpia.title"), ""]
    for n in range(1, 9):
        lines.append(t(f"privacy.dpia.q{n}", **d, **rules))
        lines.append("")
    if d["approved_on"]:
        lines.append(t("privacy.dpia.approved", on=d["approved_on"], by=d["approved_by"], next=d["next_review"]))
    else:
        lines.append(t("privacy.dpia.not_approved"))
    return lines


# ---------------------------------------------------------------------- what is due (Ringkasan)

def due(db: Database, now: dt.datetime | None = None) -> dict:
    """Open requests and incidents with their clocks: for the Ringkasan and ``pilar privacy requests``."""
    now = now or _now()
    reqs = requests(db, open_only=True)
    incs = incidents(db, open_only=True)

    def soon(items: list[dict]) -> int:
        return sum(1 for i in items if (hours_left(i, now) or 0) < 24)

    def late(items: list[dict]) -> int:
        return sum(1 for i in items if (hours_left(i, now) or 0) < 0)

    return {"requests": len(reqs), "requests_soon": soon(reqs), "requests_late": late(reqs),
            "incidents": len(incs), "incidents_soon": soon(incs), "incidents_late": late(incs)}
