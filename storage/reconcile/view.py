"""A conflict as the coordinator decides it: each field's versions in the clerk's words (kab/kota and
kecamatan names, pillar and position words, dates as HH-BB-TTTT; no internal ids), the masked numbers
shown on request (audited), and a merged value made field by field from the versions' own values.

The plain comparison (``storage.reconcile.conflicts.show``) stays what the command line and the audit speak;
this is its reading for a person at 80 columns.
"""

from __future__ import annotations

import copy
import re

from storage.core.db import Database
from storage.core.errors import PilarError
from storage.core.sensitive import is_free_text, is_sensitive, mask, mask_numbers
from storage.domain import fmt, regions
from storage.domain.model import level_label, pillar_label, position_label, sex_label, status_label
from storage.reconcile import conflicts as C

_INDEX = re.compile(r"^(\w+)\[(\d+)\]\.(.+)$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Fields that are the record's plumbing, not anything a clerk knows or decides.
_HIDDEN = {"id", "owner", "created", "updated"}
_WORDS = {"pillar": pillar_label, "position": position_label, "status": status_label, "sex": sex_label,
          "level": level_label, "tagana_level": level_label}


def _leaf(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def shown_field(name: str) -> bool:
    """Whether a flattened field is one a clerk decides (not an id or a bookkeeping stamp)."""
    return _leaf(name) not in _HIDDEN and not _leaf(name).startswith("_")


def clerk_value(name: str, value: object, reveal: bool = False) -> str:
    """One field's value as the clerk knows it: '35.09' -> 'Kab. Jember', 'TKSK' -> 'TKSK',
    'KOORDINATOR_KEC' -> its word, '2024-01-01' -> '01-01-2024'; NIK, account and phone masked unless
    ``reveal``; '' for nothing."""
    if value is None or value == "":
        return ""
    leaf = _leaf(name)
    if is_sensitive(name) and not reveal:
        return str(mask(value))
    if is_free_text(name) and not reveal:
        return str(mask_numbers(value))
    if isinstance(value, list):
        return ", ".join(clerk_value(name, v, reveal) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "—"
    text = str(value)
    if leaf in ("kab", "area_kab") or (leaf == "area" and text.count(".") == 1):
        return regions.kab_name(text) or text
    if leaf in ("kec", "area_kec") or (leaf == "area" and text.count(".") == 2):
        return regions.kec_name(text) or text
    if leaf in _WORDS:
        return _WORDS[leaf](text) or text
    if _ISO_DAY.match(text):
        try:
            return fmt.short_date(text)
        except ValueError:
            return text
    return text


def view(db: Database, ident: str, reveal: bool = False) -> dict:
    """:func:`storage.conflicts.show` in the clerk's words: ``fields`` as [{field, label, values, differs}]
    (what differs first, ids left out), ``versions`` as the siblings with a letter (A, B, …)."""
    collection, doc = C.find(db, ident)
    info = C.show(db, ident)
    flats = [{} if v["deleted"] else C.flatten(v["data"]) for v in doc["v"]]
    fields = []
    for f in C.differing_first(info["fields"]):
        name = f["field"]
        if not shown_field(name):
            continue
        fields.append({"field": name, "label": C.field_label(name), "differs": f["differs"],
                       "values": [clerk_value(name, flat.get(name), reveal) for flat in flats]})
    versions = [dict(s, letter=letter(s["n"])) for s in info["siblings"]]
    return dict(info, collection=collection, fields=fields, versions=versions, revealed=reveal)


def letter(n: int) -> str:
    """1 -> 'A', 2 -> 'B', … (how the screen and its keys name the versions)."""
    return chr(ord("A") + n - 1) if 1 <= n <= 26 else str(n)


def reveal(db: Database, ident: str) -> dict:
    """The comparison with NIK, account and phone in full: the showing is audited (who saw whose numbers),
    as an export showing full NIKs is."""
    collection, doc = C.find(db, ident)
    db.record_note("conflict.reveal", doc["kind"], doc["id"], note="numbers shown to decide a conflict")
    return view(db, ident, reveal=True)


def _set(data: dict, name: str, value: object, present: bool) -> None:
    """Set the flattened field ``name`` ('bank.account', 'assignments[2].position') in ``data``."""
    m = _INDEX.match(name)
    if m:
        key, index, rest = m.group(1), int(m.group(2)) - 1, m.group(3)
        items = data.setdefault(key, [])
        while len(items) <= index:
            items.append({})
        _set(items[index], rest, value, present)
        return
    head, dot, rest = name.partition(".")
    if dot:
        _set(data.setdefault(head, {}), rest, value, present)
    elif present:
        data[head] = copy.deepcopy(value)
    else:
        data.pop(head, None)


def merged_value(db: Database, ident: str, picks: dict[str, int]) -> dict:
    """The record made from the first version that is not a deletion, with each field in ``picks``
    (flattened name -> version number, 1 = first) taken from that version: what
    ``conflicts.resolve(value=...)`` writes."""
    _collection, doc = C.find(db, ident)
    live = [v for v in doc["v"] if not v["deleted"]]
    if not live:
        raise PilarError("sync.conflict_need_choice")
    data = copy.deepcopy(live[0]["data"])
    for name, n in picks.items():
        if not 1 <= n <= len(doc["v"]):
            raise PilarError("sync.conflict_bad_keep", n=n, count=len(doc["v"]))
        chosen = doc["v"][n - 1]
        flat = {} if chosen["deleted"] else C.flatten(chosen["data"])
        _set(data, name, flat.get(name), name in flat)
    for items in (v for v in data.values() if isinstance(v, list)):
        items[:] = [x for x in items if x != {}]
    return {k: v for k, v in data.items() if k not in ("id", "owner") and not k.startswith("_")}
