"""Member and assignment shapes (docs/data-model.md): codes, labels, defaults, derived status."""

from __future__ import annotations

import uuid

from storage.core.i18n import t

PILLARS = ("TAGANA", "TKSK", "PKH_PLUS", "JSC", "PSM", "KARANG_TARUNA", "PORDAM", "SAKTI_PEKSOS",
           "PENDAMPING_DISABILITAS")
POSITIONS = ("ANGGOTA", "PENDAMPING", "KOORDINATOR_KEC", "KORKAB", "KORWIL", "KORREG")
TAGANA_LEVELS = ("MUDA", "MADYA", "UTAMA")
STATUSES = ("ACTIVE", "INACTIVE")
SEXES = ("L", "P")

MEMBER_FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "address", "kab", "kec", "phone",
                 "bank", "bpjs_tk", "assignments", "note")
# The member's note (issue 23): free text the clerk keeps (a second phone number, what a file's KETERANGAN
# said). Optional and additive: a member without it reads as an empty note, and Pilar 0.1.0 carries it
# untouched through its sync, form, edit and import (tests/storage/roster/test_member_note.py).
NOTE_MAX = 500
BANK_FIELDS = ("name", "account", "holder")
ASSIGNMENT_FIELDS = ("pillar", "position", "area_kab", "area_kec", "office", "number", "level", "sk",
                     "start", "end", "status", "inactive_reason", "inactive_date")


def pillar_label(code: str, lang: str | None = None) -> str:
    """'PKH_PLUS' -> 'PKH Plus'."""
    return t(f"model.pillar.{code}", lang) if code in PILLARS else code


def position_label(code: str, lang: str | None = None) -> str:
    """'KORKAB' -> 'Korkab/Korkot'."""
    return t(f"model.position.{code}", lang) if code in POSITIONS else code


def level_label(code: str, lang: str | None = None) -> str:
    """'MADYA' -> 'Tagana Madya'."""
    return t(f"model.level.{code}", lang) if code in TAGANA_LEVELS else code


def status_label(code: str, lang: str | None = None) -> str:
    """'ACTIVE' -> 'Aktif'."""
    return t(f"model.status.{code}", lang) if code in STATUSES else code


def sex_label(code: str, lang: str | None = None) -> str:
    """'P' -> 'Perempuan'."""
    return t(f"model.sex.{code}", lang) if code in SEXES else code


def _unknown(fields: dict, allowed: tuple[str, ...], what: str) -> None:
    """Refuse misspelt field names early instead of storing them silently."""
    extra = sorted(set(fields) - set(allowed) - {"id"})
    if extra:
        raise TypeError(f"unknown {what} field(s): {', '.join(extra)}")


def new_assignment(**fields: object) -> dict:
    """An assignment dict with every field present (defaults: empty, status ACTIVE) and a uuid4 id."""
    _unknown(fields, ASSIGNMENT_FIELDS, "assignment")
    value: dict = {"id": str(uuid.uuid4()), **{f: "" for f in ASSIGNMENT_FIELDS}, "status": "ACTIVE"}
    value.update(fields)
    return value


def new_member(**fields: object) -> dict:
    """A member dict with every field present (empty defaults) and a uuid4 id; assignments get defaults too."""
    _unknown(fields, MEMBER_FIELDS, "member")
    value: dict = {"id": str(uuid.uuid4()), **{f: "" for f in MEMBER_FIELDS}}
    value.update(fields)
    bank = fields.get("bank") or {}
    _unknown(bank, BANK_FIELDS, "bank")
    value["bank"] = {**{f: "" for f in BANK_FIELDS}, **bank}
    value["assignments"] = [new_assignment(**a) for a in fields.get("assignments") or []]
    return value


def member_status(member: dict) -> str:
    """ACTIVE when any assignment is ACTIVE, else INACTIVE."""
    active = any(a.get("status") == "ACTIVE" for a in member.get("assignments") or [])
    return "ACTIVE" if active else "INACTIVE"


def primary_assignment(member: dict) -> dict | None:
    """The first ACTIVE assignment, else the first one, else None."""
    assignments = member.get("assignments") or []
    return next((a for a in assignments if a.get("status") == "ACTIVE"), assignments[0] if assignments else None)


def field_label(name: str) -> str:
    """The label of a member field in the user's language ('birth_date' -> 'Tanggal lahir'); the raw
    name when the catalogue has none. The one lookup the form, the import and the conflicts use."""
    for key in (f"validate.field.{name}", f"roster.form.field.{name}", f"roster.import.field.{name}",
                f"roster.field.{name}"):
        text = t(key)
        if text != key:
            return text
    return name
