"""``pilar check``: verify a data folder and say exactly what is wrong, naming the file.

File checks (:func:`file_problems`, also run on every backup before it counts as complete):
office.json, the manifest, every collection file (parse, schema version, office, recorded
checksum and count, not older than the manifest says), the journal (every line's checksum, a
damaged middle line, sequence order), the audit log (hash chain, and the manifest's recorded head
must still be in it: an edited, truncated or swapped log is noticed) and a restore cut short.
When the folder cannot be opened every file is still checked one by one, so all damage is named.

Record checks run on an opened folder: the NIK index, references between records (an assignment's
office, any ``<kind>_id`` field must name a stored record), backups folder sanity. The events' and the
payouts' own checks are listed with them in :data:`CHECKERS`.
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from storage.backup.backups import interrupted_restore, list_backups
from storage.core import audit as audit_mod
from storage.core.db import SCHEMA_VERSION, Database, PilarStorage, read_journal, read_office
from storage.core.errors import PilarError, damaged
from storage.core.formats import FOLDER, FolderNeedsUpgrade, NewerFormatError, manifest_altered
from storage.core.fsutil import os_error
from storage.core.i18n import t
from storage.events.records import check_invitations
from storage.payouts.lifecycle import check_payouts
from storage.reconcile import duplicates
from storage.sync import audit_anchor, engine

Checker = Callable[[Database], list[str]]


# Reference fields: a value field named like this must hold the id of a stored record (deleted ones
# count: history may point at a tombstone).
REFERENCE_FIELDS = {"member_id": "members", "event_id": "events", "run_id": "runs", "rate_id": "rates",
                    "invitation_id": "invitations"}

_MEMBER_PASS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _member_pass(db: Database) -> dict:
    """What the record checks need of the members, from one pass over them, kept for the folder as it is
    (its seq): the members are held as bytes (storage/core/db.py, "records at rest"), and each pass parses
    every one of them (100,000: about a second)."""
    found = _MEMBER_PASS.get(db)
    if found is not None and found["seq"] == db.seq:
        return found
    offices = {v.get("code") for v in db.values("offices")} | {db.code}
    seen: dict[str, set[str]] = {}  # NIK -> member ids
    unknown: list[tuple[str, str]] = []  # (member id, an assignment's office no record names)
    refs: list[tuple[str, str, str]] = []  # (member id, reference field, the id it holds)
    for value in db.values("members"):
        nik = value.get("nik")
        if nik:
            seen.setdefault(nik, set()).add(value["id"])
        for a in value.get("assignments", []):
            if a.get("office") and a["office"] not in offices:
                unknown.append((value["id"], a["office"]))
        for name in REFERENCE_FIELDS:
            ref = value.get(name)
            if isinstance(ref, str) and ref:
                refs.append((value["id"], name, ref))
    found = _MEMBER_PASS[db] = {"seq": db.seq, "seen": seen, "unknown": unknown, "refs": refs}
    return found


def check_indexes(db: Database) -> list[str]:
    # Two members with one NIK are not damage: two offices registered the same person before either
    # saw the other's record. They are work to do (``work``: the province merges them).
    problems = []
    seen = _member_pass(db)["seen"]
    for nik, ids in db.index("members", "nik").items():
        if seen.get(nik) != set(ids):
            problems.append(t("check.index_stale", index="nik", key="…" + str(nik)[-4:]))
    return problems


def check_parts(db: Database) -> list[str]:
    """A record in a part its id does not hash to (folder format 2: a file edited or put together
    outside Pilar): named with the part it belongs in."""
    return [t("check.misplaced", file=str(db.db_dir / f"{name}.json"), record=rid,
              expected=f"{db.part_of(name.partition('.')[0], rid)}.json") for name, rid in db.misplaced()]


def check_references(db: Database) -> list[str]:
    return [t("check.unknown_office", member=rid, office=office) for rid, office in _member_pass(db)["unknown"]]


def check_record_references(db: Database) -> list[str]:
    problems = []
    for collection in db.collections():
        if collection == "members":  # (from the members' one pass)
            for rid, name, ref in _member_pass(db)["refs"]:
                target = REFERENCE_FIELDS[name]
                if ref not in db.raw(target):
                    problems.append(t("check.dangling", collection=collection, id=rid, field=name, ref=ref,
                                      target=target))
            continue
        for value in db.values(collection):
            for name, target in REFERENCE_FIELDS.items():
                ref = value.get(name)
                if isinstance(ref, str) and ref and ref not in db.raw(target):  # (no record parsed)
                    problems.append(t("check.dangling", collection=collection, id=value["id"], field=name,
                                      ref=ref, target=target))
    return problems


def check_backups(db: Database) -> list[str]:
    """Every complete backup that passed its checks when written must still match its files."""
    problems = []
    try:
        backups = list_backups(db.path, deep=True)
    except OSError as exc:  # a backup pruned by the Pilar that is writing, while it was read
        return [str(os_error(exc, Path(exc.filename or db.path)))]
    for b in backups:
        if b.office and b.office != db.code:
            continue
        if not b.meta:
            problems.append(t("check.backup_damaged", name=b.name, problem=b.problems[0]))
        elif b.verified and b.problems:
            problems.append(t("check.backup_damaged", name=b.name, problem=b.problems[0]))
    return problems


# Every record check ``pilar check`` runs on an opened folder, in this order (the areas' own checks
# are listed here, not registered when their module happens to be imported).
CHECKERS: tuple[Checker, ...] = (check_indexes, check_parts, check_references, check_record_references, check_backups,
                                 check_invitations, check_payouts)


# ---------------------------------------------------------------------- file checks

def _audit_problems(path: Path, head: dict | None, journal: Path | None = None) -> list[str]:
    """The audit log's hash chain, and the head the manifest recorded must be a line of it.

    One tail is not damage: the active file's last bytes cut short, with no newline after them, by a
    kill during the append of a transaction ``journal`` still holds (the next writable open cuts
    them and writes the batch again whole from the journal, ``AuditLog.repair_tail``). A cut line
    anywhere else, a whole line that does not chain, or a cut one the journal cannot rewrite is.
    """
    head = head or {}
    want_n = int(head.get("n", 0) or 0)
    log_files = audit_mod.files(path)  # sealed segments audit/NNNNNN.jsonl, then audit.jsonl
    if not log_files:
        return [str(damaged(path, "missing"))] if want_n else []
    prev, n = audit_mod.GENESIS, 0
    last: dict = {}
    head_ok = want_n == 0
    file = path
    try:
        for file in log_files:
            with open(file, "rb") as fh:
                for number, raw in enumerate(fh, 1):
                    if not raw.strip():
                        continue
                    try:
                        line = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        if file == path and not raw.endswith(b"\n") and _rewritable(journal, last):
                            break  # the torn tail of an append cut by a kill (only ever the file's end)
                        return [t("check.audit_broken", file=str(file), where=t("check.where_line", line=number))]
                    n += 1
                    if (not isinstance(line, dict) or line.get("n") != n or line.get("prev") != prev
                            or not audit_mod.chains(prev, line, raw)):
                        return [t("check.audit_broken", file=str(file), where=t("check.where_line", line=number))]
                    prev = line["h"]
                    last = line
                    if n == want_n:
                        head_ok = line["h"] == head.get("h")
    except OSError as exc:

        return [str(os_error(exc, file))]
    if n == 0 and want_n:
        return [str(damaged(path, "empty"))]
    if n < want_n:
        return [t("check.audit_broken", file=str(path), where=t("check.where_truncated", found=n, expected=want_n))]
    if not head_ok:
        return [t("check.audit_broken", file=str(path), where=t("check.where_head", line=want_n))]
    return []


def _rewritable(journal: Path | None, last: dict) -> bool:
    """True when ``journal`` holds the transaction whose audit batch follows the log's last whole line
    ``last`` (that line's own when it ends no batch, ``"end": false``): a cut line after it is that
    batch's append, killed half-way, which the next writable open writes again."""
    if journal is None:
        return False
    seq = last.get("seq", 0) if isinstance(last.get("seq", 0), int) else 0
    wanted = seq if last and not last.get("end", True) else seq + 1
    try:
        entries, _ = read_journal(journal, strict=False)
    except PilarError:
        return False
    return any(isinstance(e, dict) and isinstance(e.get("seq"), int) and e["seq"] >= wanted and e.get("audit")
               for e in entries)


def _journal_problems(path: Path, code: str | None, data_seq: int, audit_seq: int) -> list[str]:
    """Every line's checksum and order, lines of this office only, and not behind the audit log.

    The audit log is appended after the journal, so an audit entry of a transaction the data no
    longer has means committed transactions were cut from the journal (or the journal is missing).
    """
    try:
        entries, _ = read_journal(path, strict=True)
    except PilarError as exc:
        return [str(exc)]
    last = 0
    for number, entry in enumerate(entries, 1):
        seq = entry.get("seq") if isinstance(entry, dict) else None
        if not isinstance(seq, int) or seq <= last or not isinstance(entry.get("ops"), dict):
            return [str(damaged(path, "journal_line", line=number))]
        offices = {a.get("office") for a in entry.get("audit", []) if isinstance(a, dict)} - {None}
        if code and offices and offices != {code}:
            return [str(damaged(path, "other_office", found=", ".join(sorted(offices)), expected=code))]
        last = seq
    if audit_seq > max(data_seq, last):
        return [str(damaged(path, "journal_behind", found=max(data_seq, last), expected=audit_seq))]
    return []


def _audit_last_seq(path: Path) -> int:
    log = audit_mod.AuditLog(path)
    try:
        log.load()
    except (PilarError, OSError, KeyError, TypeError):
        return 0
    return int(log.last_seq or 0)


def _files_agree(db_dir: Path, office: str | None) -> bool:
    """True when the collection files' headers name ``office`` (read from their first line only)."""
    seen = set()
    for p in db_dir.glob("*.json"):
        if p.name == "manifest.json":
            continue
        try:
            with open(p, "rb") as fh:
                head = fh.readline().rstrip()
            seen.add(orjson.loads(head[:-1] + b"}")["_meta"].get("office"))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            continue
    return bool(seen) and seen == {office}


def _scan_files(path: Path) -> list[str]:
    """Check every file on its own (used when the folder does not open, to name all the damage)."""
    problems: list[str] = []
    code = None
    try:
        code = read_office(path).get("code")
    except PilarError as exc:
        problems.append(str(exc))
    db_dir = path / "db"
    manifest_path = db_dir / "manifest.json"
    manifest: dict = {}
    if not manifest_path.exists():
        problems.append(str(damaged(manifest_path, "missing")))
    else:
        try:
            raw = manifest_path.read_bytes()
            loaded = orjson.loads(raw) if raw.strip() else None
            if raw.strip() == b"":
                problems.append(str(damaged(manifest_path, "empty")))
            elif not isinstance(loaded, dict) or not FOLDER.readable(loaded.get("schema")):
                found = loaded.get("schema") if isinstance(loaded, dict) else "?"
                problems.append(str(damaged(manifest_path, "schema", found=found, expected=SCHEMA_VERSION)))
            elif manifest_altered(loaded):
                problems.append(str(damaged(manifest_path, "checksum")))
                manifest = loaded  # still the best list of the files to look at
            elif code and loaded.get("office") != code and _files_agree(db_dir, loaded.get("office")):
                # The manifest and the collection files agree: office.json is the odd one out.
                problems.append(str(damaged(path / "office.json", "other_office", found=code,
                                             expected=loaded.get("office"))))
                manifest = loaded
                code = loaded.get("office")
            elif code and loaded.get("office") != code:
                problems.append(str(damaged(manifest_path, "other_office", found=loaded.get("office"),
                                             expected=code)))
            else:
                manifest = loaded
        except orjson.JSONDecodeError:
            problems.append(str(damaged(manifest_path, "parse")))
        except OSError as exc:

            problems.append(str(os_error(exc, manifest_path)))
    code = code or manifest.get("office")
    recorded = manifest.get("files", {}) if isinstance(manifest.get("files"), dict) else {}
    present = {p.stem for p in db_dir.glob("*.json") if p.name != "manifest.json"} if db_dir.is_dir() else set()
    file_seqs: dict[str, int] = {}
    for name in sorted(present | set(recorded)):
        storage = PilarStorage(db_dir / f"{name}.json", name, code)
        try:
            storage.read()
        except PilarError as exc:
            problems.append(str(exc))
            continue
        seq = storage.meta.get("seq", 0)
        file_seqs[name] = seq
        want = (recorded.get(name) or {}).get("seq", 0)
        if seq < want:
            problems.append(str(damaged(storage.path, "stale", found=seq, expected=want)))
    data_seq = max([int(manifest.get("seq", 0) or 0)] + list(file_seqs.values()))
    problems += _journal_problems(db_dir / "journal.jsonl", code, data_seq, _audit_last_seq(path / "audit.jsonl"))
    problems += _audit_problems(path / "audit.jsonl", manifest.get("audit") if manifest else None,
                                db_dir / "journal.jsonl")
    return problems


def _read(path: Path) -> tuple[Database | None, list[str], list[str], PilarError | None]:
    """Open the folder read-only and run the file checks: (the open folder or None, every problem, those
    of them about the audit log only, the error that kept the folder from opening).

    Another Pilar may be writing: it appends a transaction to the journal first and to the audit log
    after, so the audit log's last transaction is read *before* the journal is (read after, it may hold
    a transaction appended since the journal was read, which would look like lines cut from the journal).
    A fold or a seal between the reads is caught by :func:`check_steady` (the files moved).
    """
    path = Path(path)
    problems: list[str] = []
    name = interrupted_restore(path)
    if name is not None:
        problems.append(t("check.restore_interrupted", name=name))
    audit_seq = _audit_last_seq(path / "audit.jsonl")
    try:
        db = Database.open(path, read_only=True)
    except (NewerFormatError, FolderNeedsUpgrade):
        raise  # not damage: the sentence says to update Pilar (or to open the folder once)
    except PilarError as exc:
        if exc.key == "db.not_initialised":
            return None, problems + [str(exc)], [], exc
        scanned = _scan_files(path)
        return None, problems + (scanned or [str(exc)]), [], exc
    problems += _journal_problems(db.journal_path, db.code, db.seq, audit_seq)
    mine = _audit_problems(db.audit.path, db.manifest.get("audit"), db.journal_path)
    mine += audit_anchor.office_problems(path, db.audit.path)  # issue 22: anchors outside the folder
    return db, problems + mine, mine, None


def _open(path: Path) -> tuple[Database | None, list[str]]:
    """Open the folder read-only and run the file checks; (None, problems) when it will not open."""
    db, problems, _mine, _exc = _read(path)
    return db, problems


def audit_only(path: Path) -> bool:
    """True when every problem of the folder is the audit log's (the data is intact: no restore advice)."""
    path = Path(path)
    try:
        db = Database.open(path, read_only=True)
    except PilarError as exc:
        return is_audit_damage(exc)
    problems = set(run_checks(path))
    mine = set(_audit_problems(db.audit.path, db.manifest.get("audit"), db.journal_path))
    mine |= set(audit_anchor.office_problems(path, db.audit.path))
    return bool(problems) and problems <= mine


def is_audit_damage(exc: BaseException) -> bool:
    """A DamagedError about the audit log only (audit.jsonl or a sealed segment in audit/)."""
    if not isinstance(exc, PilarError):
        return False
    where = str(exc.params.get("file") or "").replace("\\", "/")
    return where.endswith("/audit.jsonl") or "/audit/" in where


def file_problems(path: Path) -> list[str]:
    """Damage in the folder's files (what makes a backup good or not), as sentences naming the file."""
    _db, problems = _open(Path(path))
    return problems


def work(db: Database) -> list[str]:
    """Cases to handle that are not damage (duplicate NIK from two offices), one sentence each."""
    lines = []
    for code, entry in sorted(engine.read_peers(db.path).items()):  # issue 22: offices whose log was rewritten
        alarms = [a for a in (entry.get("audit_alarms") or []) if isinstance(a, dict)] if isinstance(entry, dict) else []
        if alarms:
            first = alarms[0]
            lines.append(t("audit.anchor.office_alarm", office=code, n=first.get("n"), count=len(alarms),
                           created=str(first.get("created") or "?")[:10]))
    for case in duplicates.cases(db):
        action = (t("check.duplicate_action_province", command=case["command"]) if db.is_province
                  else t("dup.province_merges"))
        lines.append(t("check.duplicate_case", nik=case["nik"], count=len(case["ids"]),
                       names=" / ".join(f"{r['name']} [{r['id'][:8]}]" for r in case["records"]),
                       offices=", ".join(sorted({r["owner"] for r in case["records"]})), action=action))
    return lines


def run_work(path: Path) -> list[str]:
    """``work`` of an intact folder (empty when it does not open: the damage comes first)."""
    try:
        db = Database.open(Path(path), read_only=True)
    except PilarError:
        return []
    return work(db)


# A folder that moved while it was read is read again, until one reading finds it still (or is sound).
STEADY_TRIES = 12
STEADY_SECONDS = 30.0


@dataclass
class Reading:
    """What one ``pilar check`` found, from a reading of the folder during which no file changed."""

    problems: list[str]
    work: list[str]
    db: Database | None
    audit_only: bool = False  # every problem is the audit log's: the data is intact, no restore advice
    tries: int = 1
    busy: bool = False  # another Pilar kept writing: no reading with problems was steady; nothing is said


def _stamp(path: Path) -> tuple:
    """Every file a check reads, as it is now: name, inode, size and modification time (a write, an append,
    a fold's replace or a seal's rename each change it). Backups by name only: they never change once
    complete, and a new or pruned one changes the list."""
    out: list[tuple] = []
    for folder in (path, path / "db", path / audit_mod.SEGMENT_DIR):
        try:
            with os.scandir(folder) as entries:
                for e in entries:
                    if e.name in (".lock", "lock.json"):
                        continue
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        out.append((folder.name, e.name, None))
                        continue
                    out.append((folder.name, e.name, st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((folder.name, None))
    try:
        out.append(("backups", tuple(sorted(os.listdir(path / "backups")))))
    except OSError:
        pass
    return tuple(sorted(out, key=repr))


def _check_once(path: Path) -> Reading:
    db, problems, mine, exc = _read(path)
    if db is None:
        return Reading(problems, [], None, audit_only=exc is not None and is_audit_damage(exc))
    for checker in CHECKERS:
        problems.extend(checker(db))
    return Reading(problems, work(db), db, audit_only=bool(problems) and set(problems) <= set(mine))


def check_steady(path: Path) -> Reading:
    """``pilar check``: every problem and the work to do, with the folder opened once per reading.

    ``pilar check`` is meant to run while the app is open. The other Pilar appends, folds the journal
    into the data files and seals the audit log while the check reads them one after another, so two
    files read a moment apart can disagree although the folder is sound (issue 22: 9 checks in 40 called
    a healthy folder damaged and advised a restore). A reading that finds nothing is the answer; one that
    finds problems counts only if no file changed while it was made, else the folder is read again (up
    to ``STEADY_TRIES`` times in ``STEADY_SECONDS``). When the other Pilar never lets up, the answer is
    ``busy``: nothing found is certain, check again when it is idle. It is never "damaged"."""
    path = Path(path)
    started = time.monotonic()
    pause = 0.05
    for tries in range(1, STEADY_TRIES + 1):
        before = _stamp(path)
        reading = _check_once(path)
        reading.tries = tries
        if not reading.problems or _stamp(path) == before:
            return reading
        if tries == STEADY_TRIES or time.monotonic() - started + pause > STEADY_SECONDS:
            break
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
    reading.busy = True
    return reading


def run_checks(path: Path) -> list[str]:
    """Every problem found in the folder, as sentences; empty when the folder is sound."""
    db, problems = _open(Path(path))
    if db is None:
        return problems
    for checker in CHECKERS:
        problems.extend(checker(db))
    return problems
