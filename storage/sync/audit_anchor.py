"""Anchors of the audit log outside the office's reach (issue 22): a rewritten log is named, not passed.

The hash chain alone has no key: someone with the folder can edit an old line (who changed an account),
re-hash every line after it and update the manifest's head, and the chain verifies. So the log's head
(line count ``n`` and hash ``h``) is written where the folder's owner cannot rewrite it:

- into every signed bundle manifest (``manifest["audit"]``); the receiver (the province) keeps the last
  anchor per office in its peers file and, at the next bundle, compares it with the hash the sender's
  log now has at that line (``manifest["audit"]["at"]``: the sender states the hashes its log has at the
  lines it anchored before and at the anchor the province told it). A different hash, a missing one or a
  shorter log is an alarm: said at the import, kept in the import log and the peers file, named by
  ``pilar check`` at the province, and the old anchor is kept (a forgery never becomes the baseline);
- back to the office in the province's bundles (``manifest["your_audit"]``), so ``pilar check`` at the
  office compares its log with the anchor the province holds, with its own exports' anchors and with
  the heads its backups recorded.

A line's hash is its own ``h`` field: reading it at a few line numbers costs one pass over the segment
that holds each (sealed segments are skipped by their last line)."""

from __future__ import annotations

from pathlib import Path

import orjson

from storage.core import audit as audit_mod
from storage.core.db import read_office
from storage.core.i18n import t

KEEP_CHECKS = 10  # previous anchors to one receiver whose hashes each bundle states
PEERS_FILE = "peers.json"  # storage.sync.engine's files, read here without importing it (it imports us)
EXPORT_LOG = "exports.jsonl"


def _json(path: Path, default):
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return default


def _jsonl(path: Path) -> list[dict]:
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    out = []
    for line in raw.splitlines():
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out


def _last_n(file: Path) -> int:
    """The ``n`` of a log file's last whole line (0 when unreadable)."""
    try:
        with open(file, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 65536))
            tail = fh.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return int(orjson.loads(tail).get("n", 0))
    except (OSError, ValueError, AttributeError, orjson.JSONDecodeError):
        return 0


def hashes_at(log_path: Path, wanted: set[int]) -> dict[int, str]:
    """{n: h} for the lines ``wanted`` that the log has (a line it lacks is left out)."""
    wanted = {n for n in wanted if isinstance(n, int) and n > 0}
    out: dict[int, str] = {}
    if not wanted:
        return out
    files = audit_mod.files(Path(log_path))
    for i, file in enumerate(files):
        if not wanted - set(out):
            break
        if i + 1 < len(files) and _last_n(file) < min(wanted - set(out)):
            continue  # a sealed segment ending before every line still wanted
        try:
            with open(file, "rb") as fh:
                for raw in fh:
                    try:
                        line = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        continue
                    n = line.get("n") if isinstance(line, dict) else None
                    if n in wanted:
                        out[n] = line.get("h", "")
        except OSError:
            continue
    return out


def for_bundle(db, to: str, export_log: list[dict], told: dict | None) -> dict:
    """``manifest["audit"]`` of a bundle to ``to``: this log's head and the hashes it has now at the lines
    anchored in earlier bundles to ``to`` (and at the anchor ``to`` told us it holds)."""
    head = db.audit.head()
    earlier = [e.get("audit_n") for e in export_log if e.get("to") == to and isinstance(e.get("audit_n"), int)]
    ns = set(earlier[-KEEP_CHECKS:])
    if told and isinstance(told.get("n"), int):
        ns.add(told["n"])
    at = hashes_at(db.audit.path, ns)
    out = {"n": head["n"], "h": head["h"], "at": {str(n): h for n, h in sorted(at.items())}}
    restored = db.office.get("restored")
    if isinstance(restored, dict) and restored.get("at"):  # a restore rolls the log back: said, signed
        out["restored"] = {"at": str(restored["at"]), "from": str(restored.get("from") or "")}
    return out


def compare(held: dict | None, sent: dict | None) -> dict | None:
    """The alarm for a bundle whose ``sent`` audit block does not extend the anchor ``held`` for its
    sender: {"n", "held", "now", "bundle_id", "created", "why"} (why: rewritten | missing | shorter, or restored
    when the sender declares a restore made after the anchor: the log was rolled back with the data), or None."""
    alarm = _compare(held, sent)
    if alarm is not None and isinstance(sent, dict):
        restored = sent.get("restored") or {}
        if isinstance(restored, dict) and str(restored.get("at", ""))[:19] >= str(held.get("created") or "")[:19]:
            alarm.update(why="restored", restored_at=str(restored.get("at")), restored_from=str(restored.get("from")))
    return alarm


def _compare(held: dict | None, sent: dict | None) -> dict | None:
    if not held or not isinstance(held.get("n"), int) or held["n"] <= 0:
        return None
    base = {"n": held["n"], "held": held.get("h", ""), "bundle_id": held.get("bundle_id", ""),
            "created": held.get("created", "")}
    if not isinstance(sent, dict):
        return dict(base, now="", why="missing")
    if int(sent.get("n", 0) or 0) < held["n"]:
        return dict(base, now="", why="shorter")
    now = (sent.get("at") or {}).get(str(held["n"]))
    if int(sent.get("n", 0) or 0) == held["n"]:  # the same head (a bundle imported again, or nothing new)
        now = sent.get("h")
    if now is None:
        return dict(base, now="", why="missing")
    if now != held.get("h"):
        return dict(base, now=now, why="rewritten")
    return None


def alarm_text(office: str, alarm: dict) -> str:
    return t(f"audit.anchor.{alarm['why']}", office=office, n=alarm["n"], created=(alarm.get("created") or "?")[:10],
             restored=str(alarm.get("restored_at") or "?")[:10])


def _stamp(name: str) -> str:
    """A backup folder's time as ISO text from its name (20261207-155519-… -> 2026-12-07T15:55:19)."""
    stamp = name[:15]
    if len(stamp) == 15 and stamp[8] == "-" and stamp.replace("-", "").isdigit():
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"
    return ""


def _restore_window(path: Path) -> tuple[str, str] | None:
    """(from, to): the last restore rolled the log back to the backup made at ``from`` (at ``to``): anchors
    made between the two went with the rolled-back data, legitimately. None when never restored."""
    try:
        restored = (read_office(path) or {}).get("restored")
    except Exception:  # noqa: BLE001 - office.json is checked elsewhere
        return None
    if not isinstance(restored, dict) or not restored.get("at"):
        return None
    return _stamp(str(restored.get("from") or "")), str(restored["at"])[:19]


def office_anchors(path: Path) -> list[tuple[str, int, str]]:
    """(where, n, h) for this office's own log: the anchor the province told it, its exports' anchors,
    the heads its backups recorded; without those a restore legitimately rolled back."""
    path = Path(path)
    found: list[tuple[str, str, int, str]] = []  # (when, where, n, h)
    peers = _json(path / PEERS_FILE, {})
    peers = peers if isinstance(peers, dict) else {}
    for code, entry in peers.items():
        told = entry.get("your_audit") if isinstance(entry, dict) else None
        if isinstance(told, dict) and isinstance(told.get("n"), int):
            when = str(told.get("created") or "")
            found.append((when, t("audit.anchor.where_told", office=code, created=when[:10] or "?"),
                          told["n"], told.get("h", "")))
    exports = _jsonl(path / EXPORT_LOG)
    for e in exports[-50:]:
        if isinstance(e.get("audit_n"), int):
            when = str(e.get("ts", ""))
            found.append((when, t("audit.anchor.where_export", office=e.get("to", "?"), created=when[:10] or "?"),
                          e["audit_n"], e.get("audit_h", "")))
    backups = path / "backups"
    if backups.is_dir():
        for folder in sorted(p for p in backups.iterdir() if p.is_dir())[-20:]:
            try:
                head = orjson.loads((folder / "db" / "manifest.json").read_bytes()).get("audit") or {}
            except (OSError, orjson.JSONDecodeError, AttributeError):
                continue
            if isinstance(head.get("n"), int) and head["n"] > 0:
                when = _stamp(folder.name)
                found.append((when, t("audit.anchor.where_backup", name=folder.name), head["n"], head.get("h", "")))
    window = _restore_window(path)
    out = []
    for when, where, n, h in found:
        if window is not None and when and window[0] <= when[:19] <= window[1]:
            continue  # rolled back by the restore, with the data
        out.append((where, n, h))
    return out


def office_problems(path: Path, log_path: Path) -> list[str]:
    """One sentence per anchor the log no longer matches (rewritten, or shorter than anchored)."""
    anchors = office_anchors(path)
    if not anchors:
        return []
    have = hashes_at(log_path, {n for _w, n, _h in anchors})
    problems = []
    for where, n, h in anchors:
        if n not in have:
            problems.append(t("audit.anchor.check_shorter", where=where, n=n))
        elif have[n] != h:
            problems.append(t("audit.anchor.check_rewritten", where=where, n=n))
    return problems
