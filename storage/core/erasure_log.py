"""The erasure ledger: every document an erasure of personal data wrote (UU PDP, issue 27), kept in
``erasures.jsonl`` beside the data folder and outside the backups.

The documents hold no personal data (a member's is only the ``erased`` marker; a payout item or an
invitation has lost its personal fields). A restore of a backup older than an erasure puts them back
(``erase_again``, through the same merge rule as a bundle: an erasure absorbs the older versions), so
the restored folder never holds the erased data again. Written by ``storage.privacy`` at the province
and by the import of a bundle that brings an erasure (``storage.sync.engine``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from storage.core.db import Database
from storage.core.fsutil import append_durable
from storage.core.versions import erased, merge_docs

LEDGER = "erasures.jsonl"


def remember(db: Database, docs: Iterable[tuple[str, dict | None]]) -> int:
    """Append the erased documents among ``docs`` ((collection, raw document)) to the ledger."""
    lines = []
    for name, doc in docs:
        if doc is not None and any(erased(v) for v in doc["v"]):
            lines.append(orjson.dumps({"collection": name, "doc": doc}, option=orjson.OPT_SORT_KEYS))
    if lines:
        append_durable(Path(db.path) / LEDGER, b"\n".join(lines) + b"\n")
    return len(lines)


def ledger(path: Path | str) -> list[tuple[str, dict]]:
    """The (collection, document) pairs of the ledger of the data folder ``path``, oldest first."""
    file = Path(path) / LEDGER
    if not file.exists():
        return []
    out = []
    for line in file.read_bytes().splitlines():
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # a torn last line
        if isinstance(item, dict) and isinstance(item.get("doc"), dict):
            out.append((str(item.get("collection")), item["doc"]))
    return out


def erase_again(db: Database) -> int:
    """Put back every erasure of the ledger this folder lacks (after a restore); the number of records."""
    pending = []
    for name, ldoc in ledger(db.path):
        held = db.doc(name, ldoc["id"])
        merged = merge_docs(held, ldoc)
        if held is None or merged["v"] != held["v"]:
            pending.append((name, merged))
    if not pending:
        return 0
    with db.transaction("privacy.erase_again", system=True) as tx:
        for name, merged in pending:
            tx.put_doc(name, merged)
        tx.note("privacy.erase_again", "privacy", "-", note=str(len(pending)))
    db.compact()  # the restored old versions leave the files at once
    return len(pending)
