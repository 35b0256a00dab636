"""The demo data of ``pilar init --sample``: the province, the 30 UPTs and about 1,550 fictitious members.

The records come from ``sample_data/*.json`` (built by ``python -m storage.sample.generate``; record ids are
fixed there, so two demo folders hold the same records). Then the events' and the
payouts' demo records: ``storage.events.records.load_sample`` and ``storage.payouts.rates.load_sample``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import orjson

from storage.core.db import PROVINCE_CODE, Database
from storage.events.records import load_sample as events_sample
from storage.payouts.rates import load_sample as payouts_sample


@cache
def _read(name: str) -> tuple[dict, ...]:
    raw = resources.files("sample_data").joinpath(name).read_bytes()
    return tuple(orjson.loads(raw))


def offices() -> list[dict]:
    """The province office and the 30 UPT offices of the demo data (copies)."""
    return [dict(o) for o in _read("offices.json")]


def members() -> list[dict]:
    """The demo roster (deep copies)."""
    return [orjson.loads(orjson.dumps(m)) for m in _read("members.json")]


def office_name(code: str) -> str | None:
    """The name of a demo office ('JATIM' -> 'Dinas Sosial Provinsi Jawa Timur'); None when unknown."""
    return next((o["name"] for o in _read("offices.json") if o["code"] == code), None)


SAMPLE_OPERATOR = "Pilar (data contoh)"


def owner_of(member: dict) -> str:
    """The office that owns a member record: the office of its first assignment."""
    assignments = member.get("assignments") or []
    return assignments[0].get("office") or PROVINCE_CODE if assignments else PROVINCE_CODE


def load(db: Database) -> dict[str, int]:
    """Write the demo offices and members into ``db`` (one transaction each), then events and payouts.

    The province folder gets every member; a UPT folder gets the members with an assignment at that UPT.
    """
    if not db.operator:
        # The demo data is Pilar's own, written in its name; the clerk's changes come later, in theirs.
        db.operator = SAMPLE_OPERATOR
        try:
            return load(db)
        finally:
            db.operator = ""
    office_list = offices()
    with db.transaction("sample.load", system=True) as tx:
        for office in office_list:
            tx.put("offices", office, owner=PROVINCE_CODE)
    roster = members()
    if not db.is_province:
        roster = [m for m in roster if any(a.get("office") == db.code for a in m.get("assignments", []))]
    with db.transaction("sample.load", system=True) as tx:
        for member in roster:
            tx.put("members", member, owner=owner_of(member))
    events_sample(db)
    payouts_sample(db)
    return {"members": db.count("members"), "offices": db.count("offices"), "events": db.count("events")}
