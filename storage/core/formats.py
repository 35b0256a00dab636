"""Which Pilar wrote a file, the versions of Pilar's formats, and the migrations between them.

Three formats carry a version (docs/formats.md says how to add a migration):

- ``FOLDER``: the data folder (``db/manifest.json`` ``schema``, the same number in every collection
  file's header; the journal and the audit log follow it).
- ``OFFICE``: ``office.json`` (``format``).
- ``BUNDLE``: the sync bundle (manifest ``format_version``).

Each file also says which Pilar wrote it (``pilar``: the package version). A reader accepts every
version from 1 up to its own ``current``: an older one goes through the format's migration steps, one
small function per version; a newer one is refused with :class:`NewerFormatError` ("written by Pilar
0.3.0 ...; update Pilar"), never called damaged, so nobody restores a backup over an update.

A step from version n-1 to n is registered with ``@FORMAT.step(n)``. Its ``up`` brings data from n-1
to n; a bundle step may also have a ``down`` (n to n-1) so an office one release behind can still read
what this one sends (without a ``down`` the export says which office must update first).

Nothing here changes a version: raising one is a decision made with its step and a fixture of the
release before (tests/fixtures/releases/).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write
from storage.core.i18n import t

# The release. The package version (pyproject.toml reads it from here) and docs/CHANGELOG.md follow it.
PILAR_VERSION = "0.3.2"
# What the releases before this one wrote (for messages about a file that has no ``pilar`` field).
FIRST_RELEASE = "0.1.0"
# The day this release was made: a PC whose clock says earlier has a clock that is behind (sync.md).
RELEASE_DATE = "2026-12-07"


class NewerFormatError(PilarError):
    """A file written by a newer Pilar: update Pilar. Not damage: nothing to restore, nothing changed."""
    def __init__(self, key: str, reason: str = "newer", **params: object) -> None:
        super().__init__(key, **params)
        self.reason = reason


@dataclass(frozen=True)
class Step:
    """One migration: ``up`` brings data from version ``to - 1`` to ``to``; ``down`` the other way."""
    to: int
    name: str
    up: Callable[..., Any]
    down: Callable[..., Any] | None = None


class Format:
    """A versioned format: its current version and the steps that bring older versions to it."""
    def __init__(self, name: str, current: int) -> None:
        self.name = name
        self.current = current
        self.steps: dict[int, Step] = {}

    def step(self, to: int, down: Callable[..., Any] | None = None) -> Callable:
        """Register the decorated function as the step from ``to - 1`` to ``to``."""
        def register(up: Callable[..., Any]) -> Callable[..., Any]:
            if to in self.steps:
                raise ValueError(f"{self.name}: a step to {to} exists already")
            self.steps[to] = Step(to, up.__name__, up, down)
            return up
        return register

    def readable(self, found: object) -> bool:
        return type(found) is int and 1 <= found <= self.current

    def is_newer(self, found: object) -> bool:
        return type(found) is int and found > self.current

    def path(self, found: int, to: int | None = None) -> list[Step]:
        """The steps from ``found`` up to ``to`` (default: current), oldest first."""
        to = self.current if to is None else to
        steps = []
        for n in range(found + 1, to + 1):
            step = self.steps.get(n)
            if step is None:
                raise RuntimeError(f"{self.name}: no migration step to version {n}")
            steps.append(step)
        return steps

    def upgrade(self, value: Any, found: int, *args: Any) -> Any:
        """``value`` of version ``found`` brought to the current version through every step."""
        for step in self.path(found):
            value = step.up(value, *args)
        return value

    def downgrade(self, value: Any, to: int, *args: Any) -> Any | None:
        """``value`` of the current version written as version ``to`` (None when a step has no way down)."""
        for n in range(self.current, to, -1):
            step = self.steps.get(n)
            if step is None or step.down is None:
                return None
            value = step.down(value, *args)
        return value

    def can_write(self, to: int) -> bool:
        return all((s := self.steps.get(n)) is not None and s.down is not None
                   for n in range(self.current, to, -1))


FOLDER = Format("folder", 2)  # 2: big collections cut into parts (issue 25; the step is below)
OFFICE = Format("office", 1)
BUNDLE = Format("bundle", 2)
FORMATS = {f.name: f for f in (FOLDER, OFFICE, BUNDLE)}


def _bundle_2_up(bundle: dict) -> dict:
    """Bundle 1 -> 2 (issue 22): the manifest's offices, dates and counts moved into a sealed part
    (storage/sync/bundle.py ``seal``/``unseal``). What a bundle says is unchanged: the file's layout is
    read and written by its version, so the manifest and the records pass through as they are."""
    return bundle


def _bundle_2_down(bundle: dict) -> dict:
    """Bundle 2 -> 1, for an office one release behind: the same manifest, written whole in the clear."""
    return bundle


# A bundle step that changes records returns new record lists, never changes a record in place: an import
# writes a record it takes as it came from the bytes of its line (storage/sync/engine.py ``_verify``).
BUNDLE.step(2, down=_bundle_2_down)(_bundle_2_up)


def writer_of(data: object) -> str:
    """Which Pilar wrote a file (its ``pilar`` field); releases before 0.2.0 did not say."""
    if isinstance(data, dict):
        value = data.get("pilar")
        if isinstance(value, str) and 0 < len(value) <= 40:
            return value
    return ""


def t_newer() -> str:
    """How a file that does not say which Pilar wrote it names its writer."""
    return t("formats.newer_pilar")


def newer_error(fmt: Format, found: int, writer: str, file: Path | str) -> NewerFormatError:
    """The sentence for a file a newer Pilar wrote: names both versions and says to update."""
    return NewerFormatError(f"formats.newer_{fmt.name}", file=str(file), found=found, expected=fmt.current,
                            writer=f"Pilar {writer}" if writer else t_newer(), ours=PILAR_VERSION)


def check_version(fmt: Format, found: object, data: object, file: Path | str) -> int | None:
    """The version of a file if this Pilar reads it; raises for a newer one; None when it is no version."""
    if fmt.is_newer(found):
        raise newer_error(fmt, found, writer_of(data), file)  # type: ignore[arg-type]
    return found if fmt.readable(found) else None  # type: ignore[return-value]


def version_line() -> str:
    """What ``pilar --version`` prints."""
    return (f"Pilar {PILAR_VERSION} (folder {FOLDER.current}, office {OFFICE.current}, "
            f"bundle {BUNDLE.current})")


def version_key(text: str) -> tuple[int, ...]:
    """A release number as a tuple for comparison ('0.10.0' > '0.9.2'); unknown parts count as 0."""
    parts = []
    for part in (text or "").split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (3 - len(parts)))


def is_behind(version: str, than: str = PILAR_VERSION) -> bool:
    """True when release ``version`` (empty: before 0.2.0) is older than ``than``."""
    return version_key(version or FIRST_RELEASE) < version_key(than)


# ---------------------------------------------------------------------- the data folder's migration

MARKER = "migrating.json"  # <folder>/migrating.json: a migration begun and not yet in the audit log


class FolderNeedsUpgrade(PilarError):
    """An older folder opened where it cannot be migrated (read-only, or by a caller without a backup)."""


def older_folder_error(path: Path, manifest: dict) -> FolderNeedsUpgrade:
    return FolderNeedsUpgrade("formats.folder_older", path=str(path), found=manifest.get("schema"),
                              expected=FOLDER.current, writer=writer_of(manifest) or FIRST_RELEASE,
                              ours=PILAR_VERSION)


class FolderContext:
    """What a folder step works on: the folder's paths and helpers that keep a step idempotent and
    safe to kill (every file replaced atomically; a step may run again over its own half-done work)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db_dir = self.path / "db"

    def read_json(self, rel: str) -> Any:
        return orjson.loads((self.path / rel).read_bytes())

    def write_json(self, rel: str, value: Any) -> None:
        atomic_write(self.path / rel, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))

    def collection_files(self) -> list[Path]:
        return sorted(p for p in self.db_dir.glob("*.json") if p.name != "manifest.json")

    def rewrite_collections(self, to: int, change: Callable[[str, dict], dict] | None = None) -> int:
        """Every collection file written as folder format ``to``, its documents (id -> document) passed
        through ``change(collection, docs)`` first. A file already at ``to`` is left alone, so a step
        killed halfway picks up where it stopped. Returns the number of files rewritten.
        (Implemented by the data core, storage/core/db.py, which owns the file format.)"""
        raise NotImplementedError

    def split_collections(self, to: int) -> int:
        """Every collection file the data core cuts into parts written as its parts (folder format ``to``),
        the manifest naming them, then the single file removed; the others rewritten as format ``to``.
        Safe to run again after a kill at any point. Returns the number of files rewritten or cut.
        (Implemented by storage/core/db.py.)"""
        raise NotImplementedError

    def rewrite_journal(self, change: Callable[[dict], dict]) -> None:
        """The journal's committed transactions passed through ``change`` (each a dict with ``ops``:
        collection -> documents), written back at once. ``change`` must accept an entry it already
        changed (the step may run again). (Implemented by storage/core/db.py.)"""
        raise NotImplementedError


@FOLDER.step(2)
def collections_in_parts(ctx: FolderContext) -> None:
    """Folder 1 -> 2 (issue 25): ``members.json``, ``invitations.json`` and each ``payouts_<year>.json``
    become parts (``members.00.json`` … ``members.31.json``) that hold the records whose id hashes to
    them, so one change rewrites one part and a backup links the others. The records, the journal and
    the audit log are unchanged. A kill leaves the single file until every part and the manifest
    naming them are written: the next open cuts it again from the start."""
    ctx.split_collections(2)


def manifest_bytes(manifest: dict) -> bytes:
    """``db/manifest.json`` as written: sorted keys and (folder format 2) the sha256 of the rest, so a
    changed byte in it is damage named as such instead of a part quietly left out or thought stale."""
    body = {k: v for k, v in manifest.items() if k != "sha256"}
    body["sha256"] = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def manifest_altered(manifest: dict) -> bool:
    """True when a manifest of folder format 2 or later does not match its sha256 (format 1 had none)."""
    if not isinstance(manifest.get("schema"), int) or manifest["schema"] < 2:
        return False
    body = {k: v for k, v in manifest.items() if k != "sha256"}
    return manifest.get("sha256") != hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = orjson.loads((path / "db" / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return None  # the load that follows names the damage
    return manifest if isinstance(manifest, dict) else None


def read_office_raw(path: Path) -> dict | None:
    try:
        office = orjson.loads((path / "office.json").read_bytes())
    except (OSError, ValueError):
        return None
    return office if isinstance(office, dict) else None


def prepare_folder(path: Path, read_only: bool, upgrade: Callable[[Path], str] | None,
                   context: Callable[[Path], FolderContext] = FolderContext) -> dict | None:
    """Before a folder is loaded: refuse a newer one, migrate an older one (the caller holds the lock).

    Returns the marker of a migration made now (None when the folder was current). Order, so a kill
    at any point is safe: the backup, the marker naming it, then each step followed by the manifest's
    version raised (a killed step runs again: steps are idempotent), and the office file last. The
    marker leaves only once the audit log has the migration (``finish_folder``).
    """
    path = Path(path)
    manifest = _read_manifest(path)
    office = read_office_raw(path)
    if office is not None:
        check_version(OFFICE, office.get("format", 1), office, path / "office.json")
    if manifest is None:
        return None
    found = check_version(FOLDER, manifest.get("schema"), manifest, path / "db" / "manifest.json")
    office_found = office.get("format", 1) if office is not None else OFFICE.current
    if found is None or (found == FOLDER.current and office_found == OFFICE.current):
        return None
    if found == FOLDER.current and (read_only or upgrade is None):
        return None  # only the office file is older: read_office brings it up to date in memory
    if read_only or upgrade is None:
        raise older_folder_error(path, manifest)
    marker_path = path / MARKER
    marker = None
    if marker_path.exists():
        try:
            marker = orjson.loads(marker_path.read_bytes())
        except (OSError, ValueError):
            marker = None
    if not isinstance(marker, dict):
        backup = upgrade(path)
        marker = {"from": found, "office_from": office_found, "to": FOLDER.current,
                  "office_to": OFFICE.current, "backup": backup, "writer": writer_of(manifest) or FIRST_RELEASE,
                  "pilar": PILAR_VERSION}
        atomic_write(marker_path, orjson.dumps(marker, option=orjson.OPT_SORT_KEYS))
    ctx = context(path)
    for step in FOLDER.path(found):
        step.up(ctx)
        manifest = _read_manifest(path) or manifest
        manifest["schema"] = step.to
        manifest["pilar"] = PILAR_VERSION
        atomic_write(path / "db" / "manifest.json", manifest_bytes(manifest))
    if office is not None and office_found < OFFICE.current:
        office = OFFICE.upgrade(office, office_found)
        office["format"] = OFFICE.current
        office["pilar"] = PILAR_VERSION
        atomic_write(path / "office.json", orjson.dumps(office, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    return marker


def finish_folder(db: Any) -> dict | None:
    """After an open for writing: a migration made now (or killed before it was audited) goes into the
    audit log, then its marker leaves. Returns its marker (None when there was none)."""
    marker_path = db.path / MARKER
    if not marker_path.exists():
        return None
    try:
        marker = orjson.loads(marker_path.read_bytes())
    except (OSError, ValueError):
        marker = {}
    note = (f"folder {marker.get('from')}->{marker.get('to')}, office {marker.get('office_from')}->"
            f"{marker.get('office_to')}: Pilar {marker.get('writer', '?')} -> {marker.get('pilar', PILAR_VERSION)}; "
            f"backup {marker.get('backup', '')}")
    operator = db.operator
    if not str(operator or "").strip():
        db.operator = f"Pilar {PILAR_VERSION}"  # an update nobody typed: the audit log names the program
    try:
        db.record_note("folder.migrate", "office", db.code, note=note)
    finally:
        db.operator = operator
    try:
        marker_path.unlink()
    except OSError:
        pass
    return marker


def migrated_sentence(marker: dict) -> str:
    """What the user is told after a folder was brought up to date."""
    return t("formats.migrated", found=marker.get("from"), expected=marker.get("to"), ours=PILAR_VERSION,
             backup=marker.get("backup", ""))
