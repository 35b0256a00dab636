"""A bundle's member records checked and noted without a whole parse by orjson (issue 25).

A full bundle at the province holds 300,000 member records (290 MB of JSON lines). Parsing each whole with
orjson to check it cost about 3 s, and each record was parsed twice more: to screen it and to fold it. Here
msgspec reads each line into typed structures of the member's own fields. On the way it checks what
``doc_problem`` checks, and more strictly. What is kept of the record is a ``Line``: its bytes, and notes of
what the import and the fold read (its version's clocks and office, the NIK, the assignments' places).

Only a line the whole parse would take just as well comes through here. Every field is one the product
writes (the model's MEMBER_FIELDS, BANK_FIELDS, ASSIGNMENT_FIELDS and a version's keys), and of the type it
writes it. An unknown field is not skipped: skipping would not check its bytes the way orjson does (invalid
UTF-8, 1e999). Integers are within 64 bits. Anything else (another field or type, an erasure marker, a
damaged line) makes ``note`` return None; the line is then parsed whole and checked as before, and
``doc_problem`` says why it is refused. tests/storage/sync/test_lean.py compares the two on real and damaged
lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from storage.core.db import Line, MemberNote

try:  # the 'fast' extra (Windows 64-bit; every other platform)
    import msgspec
except ImportError:  # 32-bit Windows: every line parsed whole (orjson)
    msgspec = None

if msgspec is not None:
    _Id = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    _Key = Annotated[str, msgspec.Meta(max_length=100)]
    _Count = Annotated[int, msgspec.Meta(ge=0, le=2 ** 63 - 1)]

    class _Assignment(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        # storage.domain.model.ASSIGNMENT_FIELDS and its id
        id: str = ""
        pillar: str = ""
        position: str = ""
        area_kab: str = ""
        area_kec: str = ""
        office: str = ""
        number: str = ""
        level: str = ""
        sk: str = ""
        start: str = ""
        end: str = ""
        status: str = ""
        inactive_reason: str = ""
        inactive_date: str = ""

    class _Bank(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        name: str = ""
        account: str = ""
        holder: str = ""

    class _Data(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        # storage.domain.model.MEMBER_FIELDS
        nik: str = ""
        name: str = ""
        sex: str = ""
        birth_place: str = ""
        birth_date: str = ""
        address: str = ""
        kab: str = ""
        kec: str = ""
        phone: str = ""
        bank: _Bank | None = None
        bpjs_tk: str = ""
        assignments: list[_Assignment] = []
        note: str = ""

    class _Version(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        dot: tuple[_Id, Annotated[int, msgspec.Meta(gt=0, le=2 ** 63 - 1)]]
        vv: dict[_Key, _Count]
        hlc: _Count
        office: _Id
        operator: str
        deleted: bool
        data: _Data

    class _Member(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        id: _Id
        kind: Literal["member"]
        owner: _Id
        v: Annotated[list[_Version], msgspec.Meta(min_length=1, max_length=256)]

    _decode = msgspec.json.Decoder(_Member).decode
    # (msgspec raises its DecodeError, or UnicodeDecodeError for a string that is not UTF-8: both ValueErrors)
    _errors: tuple[type[Exception], ...] = (ValueError, RecursionError)


def available() -> bool:
    """Whether member lines can be checked here without a whole parse (msgspec installed)."""
    return msgspec is not None


def member_reader() -> Callable[[bytes], tuple[str, Line | None] | None]:
    """``note(line)`` for the member lines of one bundle: (the record's id, its ``Line`` with notes when it has
    one version, else None: parsed whole when read), or None when only the whole parse can say (then
    ``doc_problem`` decides). The strings and assignments a bundle repeats (replica ids, offices, places) are
    held once each, for this bundle."""
    shared: dict = {}
    add = shared.setdefault  # (the one held already, else this one, held from now on)
    new_note = tuple.__new__

    def note(line: bytes) -> tuple[str, Line | None] | None:
        try:
            rec = _decode(line)
        except _errors:
            return None
        versions = rec.v
        for v in versions:
            if v.vv.get(v.dot[0]) != v.dot[1]:
                return None
        if len(versions) != 1:
            return rec.id, None
        v = versions[0]
        data = v.data
        owner = add(rec.owner, rec.owner)
        # what ``Screen.fresh`` asks of the record beyond its version's writer and clocks (``Screen.fresh_note``):
        # live, its own write only, every assignment at its owner (nothing erased: no such field here)
        plain = not v.deleted and len(v.vv) == 1
        assigns: tuple = ()
        if data.assignments:
            places = []
            for a in data.assignments:
                place = (a.status, a.office, a.pillar, a.area_kab, a.area_kec, a.position)
                places.append(add(place, place))
                if a.office != owner:
                    plain = False
            assigns = tuple(places)
            assigns = add(assigns, assigns)
        r, counter = v.dot
        replicas = ((r, v.office),)
        # (the MemberNote made as a tuple of its fields, as its own __new__ would, without that Python call)
        return rec.id, Line.noted(rec.id, line, v.hlc, add(replicas, replicas), not v.deleted, new_note(MemberNote, (
            data.nik or None, add(data.kab, data.kab), assigns,
            None if len(v.vv) == 1 else tuple(v.vv.items()),  # (one entry: its own dot, {r: counter})
            counter, owner, plain)))

    return note
