"""This office's settings: who signs the payout documents, separation of duties, the city on letters,
the names of the offices; and the two guards every province setting uses (province only, an operator named).

The signers and the duties switch are province records (collection ``settings``, owner JATIM) and reach
the UPTs by bundle; their ids are fixed (:data:`SIGNERS_ID`, :data:`DUTIES_ID`): every office writes
versions of the same two records.
"""

from __future__ import annotations

from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.domain import fmt, regions

# uuid5(storage.payouts.NAMESPACE, "settings:payout-signers") and "...:payout-duties": the ids the
# stored records carry since the first release (a test checks the derivation).
SIGNERS_ID = "0fb13042-95b1-5d44-b110-1d4ed48a5f45"
DUTIES_ID = "c539b60f-6fb9-5cf0-aa7a-b7ec0f349398"
SIGNER_KEYS = ("place", "treasurer", "treasurer_nip", "officer", "officer_nip", "officer_title",
               "head", "head_nip", "head_title")  # head: the "Mengetahui, Kepala Dinas / KPA" block (issue 24)
SIGNER_NIPS = ("treasurer_nip", "officer_nip", "head_nip")


def require_province(db: Database) -> None:
    """Refuse at a UPT: the rates, runs, payout items and these settings are the province's records."""
    if not db.is_province:
        raise PilarError("payout.province_only", office=db.code)


def require_operator(db: Database) -> None:
    """Refuse when no operator is named (every change is someone's)."""
    if not db.operator:
        raise PilarError("db.no_operator")


# ---------------------------------------------------------------------------- signatures

def signers(db: Database) -> dict:
    """Who signs the payout documents (treasurer, approving officer, and the head of the Dinas / KPA who
    countersigns "Mengetahui"); blank lines when unset. Records written before the head keys were added
    simply lack them (blank)."""
    value = db.get("settings", SIGNERS_ID) or {}
    return {k: value.get(k, "") for k in SIGNER_KEYS}


def set_signers(db: Database, **fields: str) -> dict:
    require_province(db)
    value = dict(signers(db), **{k: str(v) for k, v in fields.items() if v is not None})
    for key in SIGNER_NIPS:  # a wrong NIP is refused, nothing saved (issue 24)
        if problem := fmt.nip_problem(value.get(key)):
            raise PilarError(problem, what=t(f"ui.settings.{key}"), value=value[key])
        value[key] = "".join(str(value.get(key) or "").split())
    with db.transaction("payout.signers") as tx:
        tx.put("settings", dict(value, id=SIGNERS_ID, key="payout.signers"), owner=PROVINCE_CODE)
    return signers(db)


# ---------------------------------------------------------------------------- separation of duties

def separate_duties(db: Database) -> bool:
    """Whether separation of duties is on (the default): the operator who saved a run's drafts cannot
    approve them, and the one who approved an item cannot mark it paid."""
    value = db.get("settings", DUTIES_ID)
    return True if value is None else bool(value.get("separate_duties", True))


def set_separate_duties(db: Database, on: bool) -> bool:
    """Turn separation of duties on or off (a province setting, owner JATIM; audited as any change)."""
    require_province(db)
    require_operator(db)
    with db.transaction("payout.duties") as tx:
        tx.put("settings", {"id": DUTIES_ID, "key": "payout.separate_duties", "separate_duties": bool(on)},
               owner=PROVINCE_CODE)
    return separate_duties(db)


# ---------------------------------------------------------------------------- the office on paper

def letterhead_city(db: Database) -> str:
    """The city on this office's letters and lists ("Jember, 4 April 2024"): the one set in Settings
    (office.json), else the province's signing place, else the kab/kota of the office's record, else Surabaya."""
    city = str(db.office.get("city") or "").strip()
    if city:
        return city
    if db.is_province:
        place = signers(db).get("place")
        if place:
            return place
    kab = db.office.get("kab") or next((o.get("kab") for o in db.values("offices") if o.get("code") == db.code), "")
    found = regions.kab(kab) if kab else None
    return found["short"] if found else "Surabaya"


def office_names(db: Database) -> dict[str, str]:
    """Office code -> name, for every office this folder knows (its own included)."""
    names = {v.get("code"): v.get("name", "") for v in db.values("offices") if v.get("code")}
    names.setdefault(db.code, db.office.get("name", db.code))
    return names
