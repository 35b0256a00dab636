"""Where a record lives in a data folder of format 2 (issue 25): collections cut into parts."""

from __future__ import annotations

from pathlib import Path

import orjson

from storage.core.db import default_parts, part_name


def part_file(folder: Path | str, collection: str = "members", rid: str | None = None) -> Path:
    """The file holding record ``rid`` of ``collection``; without ``rid`` the biggest file of the
    collection (the one a test damages or edits as "the members file")."""
    db_dir = Path(folder) / "db"
    try:
        parts = orjson.loads((db_dir / "manifest.json").read_bytes()).get("parts") or {}
    except (OSError, orjson.JSONDecodeError, AttributeError):
        parts = {}
    n = parts.get(collection) or default_parts(collection)
    if rid is not None:
        return db_dir / f"{part_name(collection, rid, n)}.json"
    files = sorted(db_dir.glob(f"{collection}.*.json")) or [db_dir / f"{collection}.json"]
    return max(files, key=lambda p: p.stat().st_size if p.exists() else -1)


def rel(path: Path) -> str:
    """``db/members.07.json``: a file's name as backups list it."""
    return f"db/{path.name}"
