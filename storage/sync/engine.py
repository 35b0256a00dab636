"""Export and import of bundles: scope, deltas, verification, merge, the import log.

Who exchanges with whom: every UPT with the province (the province relays between UPTs, with the
writers' original versions). What a UPT receives: the records it owns, records that name it (a member
with an assignment at it, an event for it), the province's shared records (offices, rates, runs,
settings, events), records that hang off its members (invitations, payouts), and tombstones.
The province receives everything a UPT holds.

Deltas: each bundle carries the sender's version vector; the last one imported from an office is what
that office is known to have, and the next export to it leaves out every record whose standing versions
it has already seen. Since every bundle carries the sender's whole state for the recipient's scope (or
everything the recipient lacks), what an office has seen is closed within its scope and the delta is
exact.

Import order (sync.md): signature, hashes, schema of every record, writers' scopes; only then the
merge in memory and one transaction. A refused bundle changes nothing but ``imports.jsonl``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from storage.core import authority, formats
from storage.core.db import MAX_REPLICAS, PROVINCE_CODE, Database, Line, kind_of, now_iso, staged_doc
from storage.core.db import gc_paused as no_gc
from storage.core.erasure_log import remember as remember_erasures
from storage.core.errors import PilarError
from storage.core.fsutil import append_durable, atomic_write, os_error
from storage.core.versions import MAX_COUNTER, doc_vv, dominates, erased, merge_docs, vv_merge, winner
from storage.domain import regions
from storage.office import keys as office_keys
from storage.reconcile.conflicts import is_open
from storage.sync import audit_anchor, bundle, lean, sequence

IMPORT_LOG = "imports.jsonl"
EXPORT_LOG = "exports.jsonl"
PEERS_FILE = "peers.json"

SHARED_PROVINCE = {"offices", "rates", "runs", "settings", "events"}
# Why the province did not take a version, when the reason is who wrote it rather than what it says:
# an office whose folder was moved, restored or copied before its ids were named in its bundles
# (issue 19). The office keeps such versions and sends them again; the province takes them once it
# knows the ids (Pilar with replica histories), and says so.
IDENTITY_REASONS = ("replica", "vv")
MEMBER_LINKS = ("member_id", "member")




# ---------------------------------------------------------------------- small files

def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise os_error(exc, path) from exc
    for line in raw.splitlines():
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out


def import_log(data: Path) -> list[dict]:
    return _read_jsonl(Path(data) / IMPORT_LOG)


def export_log(data: Path) -> list[dict]:
    return _read_jsonl(Path(data) / EXPORT_LOG)


def _log(path: Path, entry: dict) -> None:
    append_durable(path, orjson.dumps(entry, option=orjson.OPT_SORT_KEYS) + b"\n")


def read_peers(data: Path) -> dict[str, dict]:
    path = Path(data) / PEERS_FILE
    if not path.exists():
        return {}
    try:
        peers = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}  # only a hint for deltas: without it the next export is full
    return peers if isinstance(peers, dict) else {}


def known_vv(peer: dict) -> dict[str, int] | None:
    """What an office is known to hold: the version vector of its latest bundle, or, when copies of its
    folder on two PCs both send bundles (a cloned disk, issue 19), what every live copy holds (the
    pointwise minimum), so a delta never assumes what the copy that imports it lacks."""
    copies = [c["vv"] for c in (peer.get("copies") or {}).values() if isinstance(c, dict) and isinstance(c.get("vv"), dict)]
    if len(copies) > 1:
        return {r: min(vv.get(r, 0) for vv in copies) for r in copies[0] if all(vv.get(r, 0) for vv in copies)}
    vv = peer.get("vv")
    return vv if isinstance(vv, dict) else None


def _note_copy(entry: dict, m: dict) -> None:
    """Keep the latest vector of each copy of the sender's folder (by its current replica id).

    The ids a copy names as its earlier ones are the same folder before a move, a rename or a restore:
    their entries go. A copy whose id was retired that way and sends again is a second live copy (a
    cloned disk): it stays for good."""
    sender = m["sender"]
    me = sender.get("replica_id")
    if not _str(me, 64):
        return
    copies = dict(entry.get("copies") or {})
    retired = dict(entry.get("retired") or {})
    mine = dict(copies.get(me) or {})
    if me in retired:
        mine["clone"] = True
        retired.pop(me)
    if m["hlc"] >= mine.get("hlc", 0):
        mine.update(vv=m["vv"], hlc=m["hlc"])
    copies[me] = mine
    for r in sender.get("replicas") or []:
        if r != me and r in copies and not copies[r].get("clone"):
            del copies[r]
            retired[r] = me
    entry["copies"] = copies
    if retired:
        entry["retired"] = dict(list(retired.items())[-MAX_REPLICAS:])


def _write_peers(data: Path, peers: dict) -> None:
    atomic_write(Path(data) / PEERS_FILE, orjson.dumps(peers, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))


# ---------------------------------------------------------------------- scope

def mentions(data: dict, code: str) -> bool:
    """True when a record's fields name office ``code`` (a shared member, an event for it)."""
    if not isinstance(data, dict):
        return False
    if data.get("office") == code or data.get("upt") == code:
        return True
    offices = data.get("offices")
    if isinstance(offices, list) and code in offices:
        return True
    assignments = data.get("assignments")
    if isinstance(assignments, list):
        for a in assignments:
            if isinstance(a, dict) and a.get("office") == code:
                return True
    return False


def scope_of(db: Database, code: str) -> Callable[[str, dict], bool]:
    """``in_scope(collection, doc)`` for what office ``code`` receives from this office."""
    if code == PROVINCE_CODE:
        return lambda collection, doc: True

    def direct(doc: dict) -> bool:
        if doc["owner"] == code:
            return True
        return any(mentions(v["data"], code) for v in doc["v"])

    raw_members = db.raw("members")
    members = {rid for rid, doc in raw_members.items() if direct(doc)}
    # One person, one NIK: another office's record with the NIK of one of this office's members is a
    # duplicate case the province must merge; it goes to this office too, so its clerk sees the case
    # (side by side in the conflicts list) and why the run holds both records.
    for ids in db.index("members", "nik").values():
        if len(ids) > 1 and not ids <= members and not ids.isdisjoint(members):
            members.update(ids)

    def in_scope(collection: str, doc: dict) -> bool:
        if direct(doc):
            return True
        if collection == "members" and doc["id"] in members:
            return True
        if all(v["deleted"] for v in doc["v"]):
            return True  # tombstones carry no personal data; they stop a stale copy coming back
        if erased(doc["v"][0]):
            # an erased record (UU PDP) carries no personal data either, and must reach every office
            # that may hold an older copy, also once its member no longer names that office
            return True
        if doc["owner"] == PROVINCE_CODE and (collection in SHARED_PROVINCE):
            # a run's exclusions of another office (storage.payouts.exclusions) are that office's business
            return not (collection == "runs" and doc["v"][0]["data"].get("type") == "excluded")
        for v in doc["v"]:
            data = v["data"]
            for link in MEMBER_LINKS:
                if data.get(link) in members:
                    return True
        return False

    return in_scope


def _linked(doc: dict, members: set[str]) -> bool:
    """A record that hangs off one of ``members`` (a payout item, an invitation)."""
    for v in doc["v"]:
        data = v["data"]
        for link in MEMBER_LINKS:
            if data.get(link) in members:
                return True
    return False


def covered(doc: dict, since: dict[str, int]) -> bool:
    """The recipient has already seen every standing version of ``doc``."""
    return all(since.get(v["dot"][0], 0) >= v["dot"][1] for v in doc["v"])


def overall_vv(db: Database) -> dict[str, int]:
    """The highest counter of each replica among every version this folder holds (kept by the data
    core per collection file: a 1-record import no longer reads every member to learn it)."""
    return db.overall_vv()


# ---------------------------------------------------------------------- export

@dataclass
class ExportResult:
    path: Path
    bundle_id: str
    recipient: str
    mode: str
    counts: dict[str, int]
    size: int


def recipient_keys(db: Database, store: office_keys.TrustStore, to: str) -> dict:
    if to == db.code:
        raise PilarError("sync.export_self")
    if not db.is_province:
        if to != PROVINCE_CODE:
            raise PilarError("sync.export_upt_to_upt", office=to, province=PROVINCE_CODE)
        if not store.province:
            raise PilarError("sync.no_province_key")
        return store.province
    entry = store.office(to)
    if entry is None:
        raise PilarError("sync.unknown_office", office=to)
    if entry.get("status") == office_keys.REVOKED:
        raise PilarError("sync.export_revoked", office=to)
    if entry.get("status") != office_keys.TRUSTED or not entry.get("box"):
        raise PilarError("sync.export_no_key", office=to)
    return entry


def export_bundle(db: Database, to: str, out_dir: Path | None = None, mode: str = "auto",
                  now: datetime | None = None) -> ExportResult:
    """Write one bundle for office ``to``: full, or a delta since what it is known to have."""
    with no_gc():
        return _export_bundle(db, to, out_dir, mode, now)


def _export_bundle(db: Database, to: str, out_dir: Path | None, mode: str, now: datetime | None) -> ExportResult:
    keys = office_keys.own_keys(db)
    store = office_keys.TrustStore.load(db.path)
    recipient = recipient_keys(db, store, to)
    since = None
    # ``to`` asked for a full bundle: a delta it was sent assumed data its folder does not hold
    # (restored, or another copy of it imported the bundle the delta was reckoned from; issue 19)
    if mode == "auto" and read_peers(db.path).get(to, {}).get("send_full"):
        mode = "full"
    if mode != "full":
        known = known_vv(read_peers(db.path).get(to, {}))
        if isinstance(known, dict):
            since = known
        elif mode == "delta":
            since = None  # nothing known yet: a delta would be everything anyway
    in_scope = scope_of(db, to)
    peer = read_peers(db.path).get(to, {})
    refused = peer.get("refused", []) if db.is_province else []
    forced = {(e.get("collection"), e.get("id")) for e in refused}
    if not db.is_province:
        # this office's records the province refused for who wrote them: sent again until it takes them
        forced |= {tuple(k.split("/", 1)) for k in peer.get("kept") or [] if isinstance(k, str) and "/" in k}
    parts: dict[str, list[dict]] = {}
    counts: dict[str, int] = {}
    # A member that comes to an office by a change it did not make (the province moved her there,
    # added an assignment there, resolved a conflict) may be new to it: her payout items and
    # invitations travel with her, however old (the recipient's vector covers them, but they were
    # out of its scope when written). Harmless when it had them: they are passed over as unchanged.
    carried: set[str] = set()
    partitions = list(db.collections())
    names = sorted(partitions, key=lambda n: n != "members")
    for name in names:
        docs = []
        for doc in db.raw(name).values():
            if since is not None and covered(doc, since) and (name, doc["id"]) not in forced:
                if not carried or not _linked(doc, carried):
                    continue
            if in_scope(name, doc):  # a refused record outside the office's scope is never sent to it
                docs.append(doc)
                if name == "members" and since is not None and to != PROVINCE_CODE:
                    carried.add(doc["id"])
        if docs:
            parts[name] = docs
            counts[kind_of(name)] = counts.get(kind_of(name), 0) + len(docs)
    # The newest bundle format the recipient reads (its last bundle said; every release reads 1).
    version = bundle.format_for(peer)
    bundle_id = uuid.uuid4().hex
    when = now or datetime.now().astimezone()
    manifest: dict[str, Any] = {
        "format": bundle.FORMAT, "format_version": formats.BUNDLE.current, "requires": _requires(parts),
        "schema": bundle.RECORD_SCHEMA, "bundle_id": bundle_id, "created": when.isoformat(timespec="seconds"),
        "pilar": formats.PILAR_VERSION, "reads": bundle.reads(),
        "hlc": db.hlc.tick(),
        "sender": {"code": db.code, "name": db.office.get("name", ""), "replica_id": db.replica_id,
                   "replicas": db.replica_ids[-MAX_REPLICAS:],
                   "fp": keys.fp, "sign": keys.sign_pk, "box": keys.box_pk},
        "recipient": {"code": to, "fp": recipient.get("fp")},
        "mode": "delta" if since is not None else "full",
        "partitions": partitions, "vv": overall_vv(db), "since_vv": since,
        "counts": counts,
    }
    if db.is_province:
        manifest["trust"] = store.signed_list()
        manifest["refused"] = refused
    else:
        if peer.get("dropped"):
            manifest["dropped"] = peer["dropped"]
        if isinstance(peer.get("proof"), dict):
            # The province's latest manifest, signed by its key, handed back: if the province's folder
            # went back to an older state, it learns which replica ids and counters were its own and
            # takes its lost versions back from this bundle (issue 19).
            manifest["echo"] = peer["proof"]
    if peer.get("ask_full"):
        manifest["want_full"] = True
    manifest.update(sequence.stamp(db, to))  # issue 16: this bundle's number to ``to``, what came from it
    # issue 22: the audit log's head anchored outside this folder (storage.sync.audit_anchor)
    anchor = audit_anchor.for_bundle(db, to, export_log(db.path), peer.get("your_audit"))
    manifest["audit"] = anchor
    if isinstance(peer.get("audit"), dict):
        manifest["your_audit"] = peer["audit"]  # the anchor we hold for ``to``: it checks its log against it
    if version < formats.BUNDLE.current:
        # An office one release behind: the bundle written as it reads them (or refused: who must update).
        older = formats.BUNDLE.downgrade({"manifest": manifest, "parts": parts}, version)
        if older is None:
            raise PilarError("formats.peer_too_old", office=to, writer=peer.get("pilar") or formats.FIRST_RELEASE,
                             reads=version, needs=formats.BUNDLE.current)
        manifest, parts = older["manifest"], older["parts"]
        manifest["format_version"] = version
    encrypt = lambda blob: office_keys.encrypt_to(recipient["box"], blob)  # noqa: E731
    payloads = {name: bundle.encode_partition(docs, encrypt) for name, docs in parts.items()}
    manifest["files"] = {f"payload/{name}.bin": {"sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob),
                                                 "records": len(parts[name])} for name, blob in payloads.items()}
    if bundle.is_sealed(manifest):
        # issue 22: offices, dates and counts sealed to the recipient; the clear part names none of them
        manifest["recipient"]["fp"] = manifest["recipient"].get("fp") or office_keys.fingerprint(
            recipient["sign"], recipient["box"])
        manifest_bytes, payloads = bundle.seal(manifest, payloads, encrypt)
    else:
        manifest_bytes = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    name = bundle.file_name(db.code, to, when, bundle_id, manifest["format_version"])
    # issue 22: the number is taken before the file is renamed into place (a kill after the rename left it
    # free, and the next bundle had the same number), and given back if the file could not be written
    sequence.reserve(db, to, manifest["seq"])
    try:
        path = bundle.write_bundle(Path(out_dir).resolve() if out_dir else db.path / "outbox", name, manifest_bytes,
                                   keys.sign(manifest_bytes), payloads)
    except BaseException:
        sequence.release(db, to, manifest["seq"])
        raise
    sequence.sent(db, to, manifest)  # issue 16: what it carried, once the file is complete
    if since is None and peer.get("send_full"):
        peers = read_peers(db.path)
        peers.setdefault(to, {}).pop("send_full", None)
        _write_peers(db.path, peers)
    size = path.stat().st_size
    _log(db.path / EXPORT_LOG, {"ts": now_iso(), "bundle_id": bundle_id, "to": to, "mode": manifest["mode"],
                                "file": str(path), "size": size, "counts": counts, "operator": db.operator,
                                "audit_n": anchor["n"], "audit_h": anchor["h"],
                                "vv": manifest["vv"]})  # vv: which records it carried (privacy access report)
    return ExportResult(path, bundle_id, to, manifest["mode"], counts, size)


def _requires(parts: dict[str, list[dict]]) -> list[str]:
    """The bundle's ``requires``: the privacy entry only when it carries privacy records or an erasure."""
    needs = "privacy" in parts or any(erased(v) for docs in parts.values() for d in docs for v in d["v"])
    return list(bundle.REQUIRES) + ([bundle.PRIVACY] if needs else [])


# ---------------------------------------------------------------------- checking records

_VERSION_KEYS = frozenset({"dot", "vv", "hlc", "office", "operator", "deleted", "data"})


def _str(x: Any, n: int = 200) -> bool:
    return isinstance(x, str) and 0 < len(x) <= n


def check_doc(collection: str, doc: Any) -> str | None:
    """Why a raw document from a bundle is malformed, or None when it is well formed."""
    return check_docs(collection, [doc])


def check_docs(collection: str, docs: list) -> str | None:
    """The first problem with the raw documents of one partition, or None (a tight loop: 100k docs)."""
    try:
        want_kind = kind_of(collection)
    except ValueError:
        return f"collection {collection!r}"
    members = collection == "members"
    for doc in docs:
        problem = doc_problem(doc, want_kind, members)
        if problem is not None:
            return problem
    return None


def doc_problem(doc: Any, want_kind: str, members: bool, keys: frozenset = _VERSION_KEYS) -> str | None:
    """Why one raw document of a partition of kind ``want_kind`` is malformed, or None (``check_docs``; an
    import checks each as its line is parsed, while it is fresh in the cache)."""
    if type(doc) is not dict:
        return "not an object"
    rid, owner, versions = doc.get("id"), doc.get("owner"), doc.get("v")
    if type(rid) is not str or not 0 < len(rid) <= 100 or type(owner) is not str or not 0 < len(owner) <= 100:
        return "id/owner"
    if doc.get("kind") != want_kind:
        return f"kind {doc.get('kind')!r}"
    if type(versions) is not list or not 0 < len(versions) <= 256:
        return "versions"
    for v in versions:
        if type(v) is not dict or not keys <= v.keys():
            return "version fields"
        dot, vv = v["dot"], v["vv"]
        if type(dot) is not list or len(dot) != 2:
            return "dot"
        r0, c0 = dot
        if type(r0) is not str or not 0 < len(r0) <= 100 or type(c0) is not int or c0 <= 0:
            return "dot"
        if type(vv) is not dict or vv.get(r0) != c0:
            return "vv"
        for r, n in vv.items():
            if type(n) is not int or n < 0 or len(r) > 100:
                return "vv"
        hlc, office = v["hlc"], v["office"]
        if type(hlc) is not int or hlc < 0 or type(office) is not str or not 0 < len(office) <= 100:
            return "hlc/office"
        data = v["data"]
        if type(v["operator"]) is not str or type(v["deleted"]) is not bool or type(data) is not dict:
            return "operator/deleted/data"
        if members and not v["deleted"]:
            if type(data.get("nik", "")) is not str or type(data.get("name", "")) is not str:
                return "member nik/name"
            if type(data.get("assignments", [])) is not list:
                return "member assignments"
    return None


# ---------------------------------------------------------------------- import

def refusal_message(entry: dict) -> str:
    """The sentence for one refused record, in the current language."""
    params = dict(entry.get("params") or {})
    if entry.get("key", "").startswith("authority."):
        return authority.Refusal(entry["key"], entry.get("reason", ""), **params).message()
    from storage.core.i18n import t

    return t(entry.get("key", "sync.refused_record"), **params)


def refusal_lines(result) -> list[str]:
    """What an import did not take, and what it dropped at the province's word, for the operator."""
    from storage.core.i18n import t

    lines = [result.audit_alarm] if getattr(result, "audit_alarm", "") else []
    if result.refused:
        head = "sync.refused_head_all" if result.changed == 0 else "sync.refused_head"
        lines.append(t(head, count=len(result.refused), sender=result.sender))
        for e in result.refused[:50]:
            lines.append(t("sync.refused_line", label=e.get("label") or e["id"][:8], short=e["id"][:8],
                           collection=e["collection"], message=refusal_message(e)))
        if len(result.refused) > 50:
            lines.append(t("sync.refused_more", count=len(result.refused) - 50))
    if result.dropped:
        lines.append(t("sync.dropped_head", count=len(result.dropped)))
        for e in result.dropped[:50]:
            lines.append(t("sync.dropped_line", label=e.get("label") or e["id"][:8], short=e["id"][:8],
                           collection=e["collection"], reason=_reason_text(e.get("reason", ""))))
    return lines


def outcome_lines(result) -> tuple[str, list[str], bool]:
    """What an import did, for the operator: the summary sentence, the lines below it, and whether it
    is a warning (something was refused or kept back). One wording for the command line and the app."""
    from storage.core.i18n import t

    params = dict(sender=result.sender, added=result.added, updated=result.updated, deleted=result.deleted,
                  unchanged=result.unchanged, conflicts=len(result.new_conflicts), refused=len(result.refused))
    if result.dry_run:
        head = t("sync.dry_run", **params)
    elif result.refused and result.changed == 0 and not result.recovered:
        head = t("sync.imported_nothing", **params)
    elif result.changed == 0 and not result.refused and not result.dropped and not result.recovered:
        head = t("sync.already", when=result.already_when) if result.already else t("sync.nothing_new")
    else:
        head = t("sync.imported", **params)
    lines = []
    if result.recovered:
        lines.append(t("sync.recovered", count=result.recovered, sender=result.sender))
    if result.healed:
        key = "sync.healed_upt" if result.sender == PROVINCE_CODE else "sync.healed_province"
        lines.append(t(key, count=result.healed, sender=result.sender))
    lines += refusal_lines(result)
    if result.behind:
        lines.append(t("sync.behind", sender=result.sender, office=result.office))
    if result.kept:
        lines.append(t("sync.kept_head", count=len(result.kept)))
        lines += [t("sync.kept_line", label=k["label"], collection=k["collection"], short=k["id"][:8])
                  for k in result.kept[:50]]
        if len(result.kept) > 50:
            lines.append(t("sync.refused_more", count=len(result.kept) - 50))
    return head, lines, bool(result.refused or result.dropped or result.kept or result.behind)


def took_nothing(result) -> bool:
    """A bundle that gave this office nothing because what it carried was refused (exit code 1)."""
    return bool(result.refused) and result.changed == 0 and not result.recovered and not result.dry_run


def history_rows(db: Database, limit: int = 200) -> list[dict]:
    """The import and export history, newest first, as the app and ``pilar sync history`` show it."""
    from storage.core.i18n import t

    items = [("in", e) for e in import_log(db.path)] + [("out", e) for e in export_log(db.path)]
    items.sort(key=lambda x: x[1].get("ts", ""), reverse=True)
    rows = []
    for direction, e in items[:limit]:
        when = str(e.get("ts", ""))[:16].replace("T", " ")
        if direction == "out":
            rows.append({"when": when, "direction": t("ui.sync.out"), "office": e.get("to", ""),
                         "result": e.get("mode", ""), "warning": False,
                         "details": f"{sum((e.get('counts') or {}).values())} · {e.get('file', '')}"})
            continue
        warning = False
        if e.get("status") == "accepted":
            refused = int(e.get("refused_count") or len(e.get("refused") or []))
            details = t("sync.history.accepted", added=e.get("added", 0), updated=e.get("updated", 0),
                        deleted=e.get("deleted", 0), conflicts=e.get("conflicts", 0))
            status = "accepted"
            if refused:
                details += t("sync.history.refused_count", count=refused)
                taken = sum(int(e.get(k) or 0) for k in ("added", "updated", "deleted", "conflicts"))
                status = "partly_refused" if taken or e.get("recovered") else "nothing_taken"
                warning = True
        else:
            status, warning = "refused", True
            details = t(e["key"], **e["params"]) if e.get("key") and "params" in e else e.get("message", "")
        rows.append({"when": when, "direction": t("ui.sync.in"), "office": e.get("sender", ""),
                     "result": t(f"ui.sync.result.{status}"), "details": details, "warning": warning})
    return rows


def _reason_text(word: str) -> str:
    """The province's one-word reason, as a phrase in the current language (the word when unknown)."""
    from storage.core.i18n import t

    key = f"sync.reason.{word}"
    text = t(key)
    return text if text != key else str(word)


@dataclass
class ImportResult:
    bundle_id: str
    sender: str
    file: str
    mode: str
    dry_run: bool = False
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    new_conflicts: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    already: bool = False
    already_when: str | None = None
    backup: str | None = None
    refused: list[dict] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    # issue 19: versions of this office's own, lost here and handed back (at the province); records the
    # province had refused for who wrote them and has now taken (healed); this office's versions the
    # province refused for who wrote them, kept here and sent again (kept, at a UPT)
    recovered: int = 0
    healed: int = 0
    behind: bool = False
    office: str = ""  # the importing office
    kept: list[dict] = field(default_factory=list)
    audit_alarm: str = ""  # issue 22: the sender's audit log no longer matches the anchor held for it

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted + len(self.new_conflicts)

    def as_dict(self) -> dict:
        return {"status": "dry-run" if self.dry_run else "accepted", "bundle_id": self.bundle_id,
                "sender": self.sender, "file": self.file, "mode": self.mode, "added": self.added,
                "updated": self.updated, "deleted": self.deleted, "unchanged": self.unchanged,
                "new_conflicts": self.new_conflicts, "already_imported": self.already,
                "refused": [{k: e.get(k) for k in ("collection", "id", "dot", "office", "reason", "label")}
                            | {"message": refusal_message(e)} for e in self.refused],
                "dropped": self.dropped, "backup": self.backup, "recovered": self.recovered,
                "healed": self.healed, "kept": self.kept, "behind": self.behind}


def _refuse(db: Database, raw_info: dict, err: bundle.BundleError, dry_run: bool, extra: dict | None = None):
    if not dry_run:
        entry = dict(raw_info, ts=now_iso(), status="refused", reason=err.reason, key=err.key,
                     params={k: str(v) for k, v in err.params.items()}, message=str(err), operator=db.operator)
        entry.update(extra or {})
        try:
            _log(db.path / IMPORT_LOG, entry)
        except PilarError:
            pass
    raise err


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000).date().isoformat()


def _own_clock_behind(db: Database) -> bool:
    """This PC's clock is years behind (a flat CMOS battery), not the sender's ahead: it says a day
    before this Pilar was made, or before this folder's own last write."""
    now = db.hlc.now_ms()
    if _day(now) < formats.RELEASE_DATE:
        return True
    last = max(db.hlc.last, int(db.manifest.get("hlc") or 0)) >> 16
    return last > now + 24 * 3600 * 1000


def _sender_key(db: Database, store: office_keys.TrustStore, m: dict) -> dict:
    """The trusted public keys of the bundle's sender; refuses unknown, untrusted or revoked keys."""
    sender = m.get("sender")
    if not isinstance(sender, dict) or not all(_str(sender.get(k), 200) for k in ("code", "fp", "sign", "box")):
        raise bundle.BundleError("sync.refused_damaged", "damaged")
    code, fp = sender["code"], sender["fp"]
    if fp != office_keys.fingerprint(sender["sign"], sender["box"]):
        raise bundle.BundleError("sync.refused_signature", "signature")
    if code == db.code:
        raise bundle.BundleError("sync.refused_own", "own")
    entry = store.office(code)
    if entry is None:
        raise bundle.BundleError("sync.refused_unknown_office", "unknown_office", office=code)
    if (entry.get("status") == office_keys.REVOKED and entry.get("fp") == fp) or fp in (entry.get("revoked_fps") or []):
        raise bundle.BundleError("sync.refused_revoked", "revoked", office=code, fp=fp)
    if entry.get("status") == office_keys.TRUSTED and entry.get("fp") == fp:
        return entry
    if entry.get("status") in (office_keys.ENROLLED, office_keys.REVOKED) and db.is_province:
        raise bundle.BundleError("sync.refused_untrusted", "untrusted", office=code, fp=fp)
    if db.is_province and entry.get("status") == office_keys.TRUSTED \
            and not any(o.get("fp") == fp for c, o in store.offices.items() if c != code):
        # The office set up again (a new PC, its data from an archive or from the province) with a new
        # key: offered for trust like a first key, after the fingerprint is compared (issue 19). A key
        # another office holds is never offered.
        raise bundle.BundleError("sync.refused_new_key", "new_key", office=code, fp=fp)
    raise bundle.BundleError("sync.refused_wrong_key", "wrong_key", office=code, fp=fp)


def code_of_fp(store: office_keys.TrustStore, fp: object) -> str | None:
    """The office whose key (now or before a replacement) has fingerprint ``fp``, as known here."""
    if not isinstance(fp, str) or not fp:
        return None
    if store.province and store.province.get("fp") == fp:
        return store.province.get("code")
    for code, entry in store.offices.items():
        if isinstance(entry, dict) and (entry.get("fp") == fp or fp in (entry.get("revoked_fps") or [])):
            return code
    return None


def _unseal(db: Database, raw, store: office_keys.TrustStore) -> dict:
    """A format-2 bundle's whole manifest (issue 22). Before anything is decrypted: the clear part's
    signature is verified with the sender's key as trusted here (or, for a key not trusted here, with
    the key the bundle carries: enough to read who it claims to be for the refusal that follows; its
    records are never decrypted), and it must be for this office's key. Then the sealed part is
    decrypted and checked against the hash the signed clear part gives."""
    clear = raw.manifest
    sender, recipient = clear.get("sender"), clear.get("recipient")
    if not isinstance(sender, dict) or not all(_str(sender.get(k), 200) for k in bundle.CLEAR_SENDER) \
            or not isinstance(recipient, dict) or not _str(clear.get("sealed"), 64):
        raise bundle.BundleError("sync.refused_damaged", "damaged")
    if sender["fp"] != office_keys.fingerprint(sender["sign"], sender["box"]):
        raise bundle.BundleError("sync.refused_signature", "signature")
    own = office_keys.load_own(db.path)  # never made here: a refused import changes nothing
    if own is None:
        raise bundle.BundleError("sync.no_keys", "no_keys")
    if sender["fp"] == own.fp:
        raise bundle.BundleError("sync.refused_own", "own")
    if recipient.get("fp") != own.fp:
        raise bundle.BundleError("sync.refused_not_for_us", "not_for_us",
                                 office=code_of_fp(store, recipient.get("fp")) or "?")
    code = code_of_fp(store, sender["fp"])
    entry = store.office(code) if code else None
    key = entry["sign"] if entry and entry.get("status") == office_keys.TRUSTED and entry.get("fp") == sender["fp"] \
        else sender["sign"]
    if len(raw.signature) != 64 or not office_keys.verify(key, raw.manifest_bytes, raw.signature):
        raise bundle.BundleError("sync.refused_signature", "signature")
    blob = raw.check_hashes().get(bundle.SEALED)
    if blob is None:
        raise bundle.BundleError("sync.refused_damaged", "damaged")
    m, raw.sealed_plain = bundle.unseal(clear, blob, own.decrypt)
    return m


def manifest_of(db: Database, path: Path) -> dict | None:
    """A bundle's manifest as this office can read it, unverified (for listing a stick): a format-2
    bundle's sealed part is decrypted when the bundle is for this office's key, else only the clear
    part is there (no office, no count). None when the file is not a bundle."""
    m = bundle.peek_manifest(path)
    if not m or not bundle.is_sealed(m):
        return m
    own = office_keys.load_own(db.path)
    recipient = m.get("recipient")
    if own is None or not isinstance(recipient, dict) or recipient.get("fp") != own.fp:
        return m
    try:
        raw = bundle.open_bundle(path)
        blob = raw.check_hashes().get(bundle.SEALED)
        return bundle.unseal(raw.manifest, blob, own.decrypt)[0] if blob is not None else m
    except PilarError:
        return m


def verify_bundle(db: Database, path: Path, dry_run: bool = False):
    """Open and verify a bundle for this office: returns (raw bundle, manifest, partitions of docs)."""
    raw, m, parts, info, _lines = _verify(db, path, dry_run)
    return raw, m, parts, info


def _verify(db: Database, path: Path, dry_run: bool = False, hold: bool = True):
    """``verify_bundle``, and the bytes of each document's line ({partition: views}, parallel to its
    documents; a partition whose documents a format step replaced has none). ``hold=False``: each
    document checked as parsed and let go, parsed again when read (``bundle.LineDocs``: an import)."""
    path = Path(path)
    lines: dict[str, list] = {}
    info: dict[str, Any] = {"file": path.name}
    try:
        raw = bundle.open_bundle(path)
    except bundle.BundleError as err:
        _refuse(db, info, err, dry_run)
    m = raw.manifest
    info.update(sha256=raw.sha256, size=raw.size, bundle_id=str(m.get("bundle_id"))[:64],
                sender=str((m.get("sender") or {}).get("code", "?") if isinstance(m.get("sender"), dict) else "?")[:64])
    extra: dict = {}
    try:
        raw.check_format()
        store = office_keys.TrustStore.load(db.path)
        if bundle.is_sealed(m):
            m = _unseal(db, raw, store)  # issue 22: verified, then its offices and counts decrypted
            info["sender"] = str(m["sender"].get("code"))[:64]
        try:
            _sender_key(db, store, m)
        except bundle.BundleError as err:
            if err.reason in ("untrusted", "new_key"):
                s = m["sender"]
                if not office_keys.verify(s["sign"], raw.manifest_bytes, raw.signature):
                    raise bundle.BundleError("sync.refused_signature", "signature") from None
                extra = {"keys": {k: s[k] for k in ("code", "name", "sign", "box", "fp") if k in s}}
            raise
        sender = m["sender"]
        trusted = store.office(sender["code"])
        if len(raw.signature) != 64 or not office_keys.verify(trusted["sign"], raw.manifest_bytes, raw.signature):
            raise bundle.BundleError("sync.refused_signature", "signature")
        recipient = m.get("recipient") or {}
        if not isinstance(recipient, dict) or recipient.get("code") != db.code:
            raise bundle.BundleError("sync.refused_not_for_us", "not_for_us",
                                office=str(recipient.get("code") if isinstance(recipient, dict) else "?")[:64])
        if not db.is_province and sender["code"] != PROVINCE_CODE:
            raise bundle.BundleError("sync.refused_not_province", "not_province", office=sender["code"],
                                province=PROVINCE_CODE)
        if m.get("schema") != bundle.RECORD_SCHEMA:
            raise bundle.BundleError("sync.refused_version", "schema", found=m.get("schema"),
                                     expected=bundle.RECORD_SCHEMA)
        if not isinstance(m.get("vv"), dict) or not _str(m.get("bundle_id"), 64) or type(m.get("hlc")) is not int:
            raise bundle.BundleError("sync.refused_damaged", "damaged")
        ids = sender.get("replicas", [])
        if not isinstance(ids, list) or len(ids) > MAX_REPLICAS or not all(_str(r, 64) for r in ids) \
                or (m.get("echo") is not None and _echo_parts(m["echo"]) is None):
            raise bundle.BundleError("sync.refused_damaged", "damaged")
        if not 0 <= m["hlc"] <= db.hlc.ceiling() or not all(
                type(n) is int and 0 <= n <= MAX_COUNTER for n in m["vv"].values()):
            if m["hlc"] > db.hlc.ceiling() and _own_clock_behind(db):
                raise bundle.BundleError("sync.refused_own_clock", "own_clock", office=sender["code"],
                                         today=_day(db.hlc.now_ms()), release=formats.RELEASE_DATE,
                                         created=str(m.get("created") or "?")[:10])
            raise bundle.BundleError("sync.refused_bundle_clock", "clock", office=sender["code"])
        blobs = raw.check_hashes()
        if bundle.is_sealed(raw.manifest):
            blobs.pop(bundle.SEALED, None)  # read by _unseal
        own = office_keys.load_own(db.path)  # never made here: a refused import changes nothing
        if own is None:
            raise bundle.BundleError("sync.no_keys", "no_keys")
        parts: dict[str, list[dict]] = {}
        for name, blob in blobs.items():
            try:
                kind = kind_of(name)
            except ValueError:
                raise bundle.BundleError("sync.refused_schema", "schema", detail=f"{name}: collection {name!r}") from None
            # every record checked as its line is parsed (``doc_problem``), before anything is merged
            # (an import's member lines: read by storage/sync/lean.py where it can, without a whole parse)
            parts[name], lines[name] = bundle.decode_partition_lines(
                blob, own.decrypt, name, check=partial(doc_problem, want_kind=kind, members=name == "members"),
                hold=hold, lean=lean.member_reader() if name == "members" and not hold and lean.available() else None)
        del blobs
        # The file's bytes and its entries are read: what stays is what the import log and the proof kept for
        # the sender need (20 MB at 100,000 members, twice, held to the end of the import before).
        raw.release()
        declared = m.get("files") or {}
        for name, docs in parts.items():
            if declared.get(f"payload/{name}.bin", {}).get("records") != len(docs):
                raise bundle.BundleError("sync.refused_schema", "schema", detail=f"{name}: count")
        checked = dict(parts)
        found = m["format_version"]
        if found < formats.BUNDLE.current:
            # A bundle of an office one release behind: read through the format's steps (formats.py).
            before = dict(parts)
            newer = formats.BUNDLE.upgrade({"manifest": dict(m), "parts": parts}, found)
            m, parts = newer["manifest"], newer["parts"]
            m["format_version"] = formats.BUNDLE.current
            # A step that changes records returns new lists (formats.py): their lines no longer say them.
            lines = {name: lines[name] for name, docs in parts.items() if before.get(name) is docs and name in lines}
        for name, docs in parts.items():
            problem = check_docs(name, docs) if checked.get(name) is not docs else None  # (a step's new records)
            if problem:
                raise bundle.BundleError("sync.refused_schema", "schema", detail=f"{name}: {problem}")
    except bundle.BundleError as err:
        _refuse(db, info, err, dry_run, extra)
    return raw, m, parts, info, lines


class Screen:
    """Which versions of a verified bundle this office takes, record by record (docs/sync.md, authority).

    From the province (at a UPT): every version, the province being the root of trust that checked
    what it relays; only forged dots (a dot held here with other content) and out-of-range clocks
    and counters are refused. From a UPT (at the province): only versions the signed sender wrote
    itself, under a replica id bound to it, whose version vector claims no write of another office
    this office has not seen, and that :func:`storage.core.authority.check` allows against the record as
    held here. A version this office has already seen (held, or superseded here) is passed over.
    A refused version refuses only its record; the rest of the bundle lands.
    """

    def __init__(self, db: Database, sender: str, sender_replica: str | None = None,
                 sender_replicas: list[str] | None = None, own_proof: dict[str, int] | None = None) -> None:
        self.db = db
        self.sender = sender
        self.sender_replica = sender_replica
        # Every id the sender's folder has used, named in its signed manifest: the only ids a bundle can
        # bind to its sender (an id another office already writes under stays that office's).
        self.claimed = set(sender_replicas or ()) | ({sender_replica} if sender_replica else set())
        # This office's own ids and counters as its own signed manifest, handed back by the sender,
        # proves them: versions this office wrote and lost (a restore, a move) come back (issue 19).
        self.own_proof = own_proof or {}
        self.recovered = 0
        self.from_province = sender == PROVINCE_CODE
        self.ceiling = db.hlc.ceiling()
        self.refused: list[dict] = []
        self.staged_events: dict[str, dict] = {}
        self._replicas: dict[str, str] | None = None
        self.bound: dict[str, str] = {}   # replicas first bound to the sender by this bundle
        self.senders: set[str] = set()    # replica ids known here to write for the sender

    # replica id -> the office whose writes it carries (the province's own first)
    def replica_office(self, r: str) -> str | None:
        if self._replicas is None:
            self._replicas = replica_offices(self.db)
        return self._replicas.get(r) or self.bound.get(r)

    def seen_by_sender(self, q: str, n: int) -> bool:
        """Whether a version of the sender may claim to have seen write ``n`` of replica ``q``: one of
        the sender's own ids, or of this office's own proven by its signed manifest."""
        bound = self.replica_office(q)
        if bound == self.sender or (bound is None and q in self.claimed):
            return True
        return n <= self.own_proof.get(q, 0) and bound in (None, self.db.code)

    def event_owner(self, event_id: str) -> str | None:
        doc = self.staged_events.get(event_id) or self.db.doc("events", event_id)
        return doc["owner"] if doc else None

    def refuse(self, name: str, rdoc: dict, v: dict | None, reason: str, key: str, **params) -> None:
        params.setdefault("office", (v or {}).get("office", self.sender))
        params.setdefault("sender", self.sender)
        self.refused.append({"collection": name, "id": rdoc["id"], "dot": list(v["dot"]) if v else None,
                             "office": (v or {}).get("office", self.sender), "reason": reason, "key": key,
                             "params": {k: str(x) for k, x in params.items()}})

    def fresh(self, name: str, rdoc: dict) -> dict | None:
        """The common case of a full bundle (100k new members), for a record not held here: one version,
        of the sender's own bound replica, claiming nothing else. The same checks as the general path of
        :meth:`doc`, which also says why when one fails: None here when one fails or the case is another.
        The record itself when it has no field but its id, kind, owner and versions."""
        versions = rdoc["v"]
        if len(versions) != 1 or self.from_province:
            return None
        v = versions[0]
        r, c = v["dot"]
        vv = v["vv"]
        if (r in self.senders and len(vv) == 1 and c <= MAX_COUNTER and 0 <= v["hlc"] <= self.ceiling
                and v["office"] == self.sender and not v["deleted"]
                and authority.check(name, self.sender, None, v["data"], False, rdoc["owner"],
                                    self.event_owner) is None):
            if name == "events":
                self.staged_events[rdoc["id"]] = {"owner": rdoc["owner"]}
            if len(rdoc) == 4:
                return rdoc
            return {"id": rdoc["id"], "kind": rdoc["kind"], "owner": rdoc["owner"], "v": [v]}
        return None

    def fresh_note(self, held: Line) -> bool:
        """``fresh`` of a member record from what storage/sync/lean.py noted of its line (the same checks, the
        record not parsed): True when ``fresh`` would take it whole (then staged as ``held``); else False, and
        ``fresh`` and ``doc`` see the record parsed and say why."""
        note = held.note
        ((r, office),) = held.replicas
        # (``authority.check`` of a new member: its owner and every assignment's office the writer, nothing
        # erased: ``note.plain`` holds the assignments at the owner)
        return (note.plain and not self.from_province and r in self.senders and note.counter <= MAX_COUNTER
                and held.hlcs[0] <= self.ceiling and office == self.sender and note.owner == self.sender)

    def doc(self, name: str, rdoc: dict, local: dict | None) -> dict | None:
        """The part of incoming ``rdoc`` to merge (None: nothing new here, or refused)."""
        if local is None:
            part = self.fresh(name, rdoc)
            if part is not None:
                return part
        owner = local["owner"] if local is not None else rdoc["owner"]
        if local is not None and local["owner"] != rdoc["owner"]:
            self.refuse(name, rdoc, None, "owner", "sync.refused_owner", owner=local["owner"])
            return None
        if local is None:
            held: dict = {}
            local_vv: dict = {}
        else:
            held = {(x["dot"][0], x["dot"][1]): x for x in local["v"]}
            local_vv = doc_vv(local)
        take = []
        for v in rdoc["v"]:
            r, c = v["dot"]
            if local is not None:
                same = held.get((r, c))
                if same is not None:
                    if same != v:
                        self.refuse(name, rdoc, v, "forged_dot", "sync.refused_forged_dot", office=v["office"])
                        return None
                    continue
                if local_vv.get(r, 0) >= c:
                    continue  # seen here and superseded since
            why = self.version(name, rdoc, v, local, local_vv, owner)
            if why is not None:
                reason, key, *params = why
                self.refuse(name, rdoc, v, reason, key, **(params[0] if params else {}))
                return None
            take.append(v)
        if not take:
            return None
        if name == "events":
            self.staged_events[rdoc["id"]] = {"owner": owner}
        return {"id": rdoc["id"], "kind": rdoc["kind"], "owner": owner, "v": take}

    def version(self, name: str, rdoc: dict, v: dict, local: dict | None, local_vv: dict, owner: str):
        r, c = v["dot"]
        vv = v["vv"]
        if c > MAX_COUNTER or not 0 <= v["hlc"] <= self.ceiling or (vv and max(vv.values()) > MAX_COUNTER):
            return ("clock", "sync.refused_clock")
        if self.from_province:
            return None
        sender = self.sender
        if v["office"] == self.db.code and c <= self.own_proof.get(r, 0) \
                and self.replica_office(r) in (None, self.db.code):
            self.recovered += 1
            return None  # this office's own write, lost here and handed back
        if v["office"] != sender:
            # A UPT passes on only what this office already has (checked above); anything else written
            # by another office, this one included, cannot be proven and is not taken.
            return ("not_sender", "sync.refused_not_sender")
        if r not in self.senders:
            bound = self.replica_office(r)
            if bound is None:
                if r not in self.claimed:
                    return ("replica", "sync.refused_replica")  # another office's id, squatted before its use
                self.bound[r] = sender
            elif bound != sender:
                return ("replica", "sync.refused_replica")
            self.senders.add(r)
        if len(vv) > 1 or r not in vv:  # (a vector of the version's own replica alone claims nothing)
            for q, n in vv.items():
                if q != r and n > local_vv.get(q, 0) and q not in self.senders and not self.seen_by_sender(q, n):
                    return ("vv", "sync.refused_vv")
        if v["deleted"] and local is None:
            return None  # a tombstone of a record never held here deletes nothing
        refusal = authority.check(name, sender, local, v["data"], v["deleted"], owner, self.event_owner)
        if refusal is not None:
            return (refusal.reason, refusal.key, dict(refusal.params))
        return None


def replica_offices(db: Database) -> dict[str, str]:
    """Which office each replica id writes for, as the versions held here show (own replica first).

    Read from the map the data core keeps while loading and committing (``Database.replicas``), so
    an import never walks every version held to learn it."""
    out: dict[str, str] = {db.replica_id: db.code}
    for r, office in db.replicas.items():
        if r not in out:
            out[r] = office
    return out


def _refusal_key(e: dict) -> tuple:
    dot = e.get("dot")
    return (str(e.get("collection")), str(e.get("id")), tuple(dot) if isinstance(dot, list) else None)


def _refused_here(m: dict) -> dict[tuple[str, str], tuple[set[tuple], str]]:
    """The province's list of refused versions in a bundle: (collection, id) -> (dots, reason)."""
    out: dict[tuple[str, str], tuple[set[tuple], str]] = {}
    listed = m.get("refused")
    if not isinstance(listed, list):
        return out
    for e in listed[:MAX_REFUSED]:
        if not isinstance(e, dict) or not isinstance(e.get("dot"), list) or len(e["dot"]) != 2:
            continue
        key = (str(e.get("collection")), str(e.get("id")))
        dots, _ = out.get(key, (set(), ""))
        dots.add((str(e["dot"][0]), e["dot"][1]))
        out[key] = (dots, str(e.get("reason", ""))[:40])
    return out


def _without(doc: dict, drop: tuple[set[tuple], str]) -> dict | None:
    """``doc`` without the standing versions the province refused (None when none is left)."""
    dots = drop[0]
    keep = [v for v in doc["v"] if (v["dot"][0], v["dot"][1]) not in dots]
    if len(keep) == len(doc["v"]):
        return doc
    return dict(doc, v=keep) if keep else None


def _held(db: Database, e: dict) -> bool:
    """Whether the version named by a refusal entry is held here, or was seen by one held here."""
    doc = db.doc(str(e.get("collection")), str(e.get("id")))
    dot = e.get("dot")
    if doc is None or not isinstance(dot, list) or len(dot) != 2:
        return False
    return any(v["vv"].get(dot[0], 0) >= dot[1] or list(v["dot"]) == dot for v in doc["v"])


MAX_ECHO = 8 * 1024 * 1024  # base64 of one manifest (its trust list and refusals: a few hundred kB at most)


def _echo_parts(echo: Any) -> tuple[bytes, bytes, bytes | None] | None:
    """The manifest bytes, signature and (format 2) sealed manifest of an ``echo`` entry, or None when it
    is not one."""
    import base64
    import binascii

    if not isinstance(echo, dict) or not _str(echo.get("manifest"), MAX_ECHO) or not _str(echo.get("sig"), 200):
        return None
    if echo.get("sealed") is not None and not _str(echo.get("sealed"), MAX_ECHO):
        return None
    try:
        sealed = base64.b64decode(echo["sealed"], validate=True) if echo.get("sealed") is not None else None
        return (base64.b64decode(echo["manifest"], validate=True), base64.b64decode(echo["sig"], validate=True),
                sealed)
    except (binascii.Error, ValueError):
        return None


def _own_proof(db: Database, echo: Any) -> dict[str, int]:
    """This office's replica ids and counters, as its own manifest handed back proves them (signed by
    this office's key, naming this office as sender). Empty when there is none or it does not verify."""
    parts = _echo_parts(echo) if echo is not None else None
    own = office_keys.load_own(db.path) if parts else None
    if parts is None or own is None or len(parts[1]) != 64 or not office_keys.verify(own.sign_pk, parts[0], parts[1]):
        return {}
    try:
        m = orjson.loads(parts[0])
        if isinstance(m, dict) and bundle.is_sealed(m):
            # format 2: the part with the ids and counters, bound to the signed part by its hash
            if parts[2] is None or hashlib.sha256(parts[2]).hexdigest() != m.get("sealed"):
                return {}
            m = orjson.loads(parts[2])
    except orjson.JSONDecodeError:
        return {}
    sender = m.get("sender") if isinstance(m, dict) else None
    vv = m.get("vv")
    if not isinstance(sender, dict) or sender.get("code") != db.code or not isinstance(vv, dict):
        return {}
    ids = [r for r in (sender.get("replicas") or [])[:MAX_REPLICAS] if _str(r, 64)]
    ids.append(str(sender.get("replica_id")))
    return {r: vv[r] for r in ids if type(vv.get(r)) is int and 0 < vv[r] <= MAX_COUNTER}


def label_of(doc: dict | None) -> str:
    if doc is None:
        return ""
    for v in doc["v"]:
        data = v["data"]
        label = data.get("name") or data.get("code") or data.get("pillar")
        if label:
            return str(label)
    return doc["id"][:8]


def _sibling_dots(doc: dict) -> set[tuple[str, int]]:
    return {(v["dot"][0], v["dot"][1]) for v in doc["v"]}


def import_bundle(db: Database, path: Path, dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Verify a bundle, merge it and write the result in one transaction (after a backup)."""
    with no_gc():
        return _import_bundle(db, path, dry_run, progress)


# A staged record new here: neither the folder nor the import holds its id (``Transaction.put_line``'s ``new``).
NEW = "new"


def _import_bundle(db: Database, path: Path, dry_run: bool,
                   progress: Callable[[int, int], None] | None) -> ImportResult:
    started = time.perf_counter()
    # The records are checked as they are parsed, then let go: each is parsed again as it is screened
    # below, and one taken as it came is staged as its line (``Line``), never all held parsed at once.
    raw, m, parts, info, lines = _verify(db, path, dry_run, hold=False)
    verified = time.perf_counter()
    sender = m["sender"]["code"]
    result = ImportResult(m["bundle_id"], sender, Path(path).name, m.get("mode", "full"), dry_run=dry_run)
    # (collection, merged document, the bytes of its line when it is taken exactly as it came, else None; NEW for
    # a record staged as its line that the folder does not hold)
    staged: list[tuple[str, dict, Any]] = []
    came: list[tuple[str, dict]] = []  # staged documents holding an erasure (issue 27)
    total = sum(len(d) for d in parts.values())
    done = 0
    mine = db.replica_id
    from_province = sender == PROVINCE_CODE and not db.is_province
    own_proof = _own_proof(db, m.get("echo")) if not from_province else {}
    # A delta reckoned from a state this folder does not hold (it went back to an older state, or
    # another copy of this office imported the bundle the sender reckoned from): take what it has,
    # and ask the sender for a full bundle (issue 19). One pass over the versions held, deltas only.
    since_vv = m.get("since_vv")
    result.office = db.code
    result.behind = isinstance(since_vv, dict) and not dominates(overall_vv(db), since_vv)
    screen = Screen(db, sender, m["sender"].get("replica_id"), m["sender"].get("replicas"), own_proof)
    # What the province refused of this office's writes: those versions go, the province's copy comes.
    # Not those refused for who wrote them (an id it did not know yet): they stay here and go again.
    drops = _refused_here(m) if from_province else {}
    for key in [k for k, (_dots, reason) in drops.items() if reason in IDENTITY_REASONS]:
        del drops[key]
    # The province has seen writes of this replica this folder does not have: it was restored or copied.
    # (Only the province is believed: nothing a UPT sends changes another office's replica id.)
    my_max = m["vv"].get(mine, 0) if from_province else 0
    for name in sorted(parts):
        docs = parts[name]
        views = lines.get(name)
        ids = docs.ids if isinstance(docs, bundle.LineDocs) else [rdoc["id"] for rdoc in docs]
        # what storage/sync/lean.py kept of each record as it checked its line: most are taken from it, unparsed
        notes = docs.notes if views is not None and isinstance(docs, bundle.LineDocs) else None
        local_docs = db.docs_for(name, ids)  # the parts these records are in
        seen: dict[str, dict] = {}
        fresh = screen.fresh if not from_province and not drops else None
        for i in range(len(docs)):
            done += 1
            rdoc = None
            if fresh is not None:
                rid = ids[i]
                if rid not in seen and rid not in local_docs:
                    held = notes[i] if notes is not None else None
                    new = None
                    if held is not None and screen.fresh_note(held):
                        part, new = held, NEW  # (taken from its notes: the record not parsed)
                    else:
                        rdoc = docs[i]
                        part = fresh(name, rdoc)
                        if part is not None:  # (else the general path below says why, or takes it)
                            if part["v"][0]["data"].get("erased"):
                                came.append((name, part))
                            if views is not None and part is rdoc:
                                # the record itself: the bytes of its line say it (db.py writes them as they
                                # are); staged as them, the document let go
                                part, new = Line(part, views[i]), NEW
                    if part is not None:
                        seen[rid] = part
                        staged.append((name, part, new))
                        result.added += 1
                        if progress and done % 2000 == 0:
                            progress(done, total)
                        continue
            if rdoc is None:
                rdoc = docs[i]
            if from_province:
                for v in rdoc["v"]:
                    if v["dot"][0] == mine and v["dot"][1] > my_max:
                        my_max = v["dot"][1]
            local = staged_doc(seen.get(rdoc["id"])) or local_docs.get(rdoc["id"])
            base = local
            if drops and (name, rdoc["id"]) in drops and local is not None:
                base = _without(local, drops[(name, rdoc["id"])])
                if base is not local:
                    result.dropped.append({"collection": name, "id": rdoc["id"],
                                           "label": label_of(local), "reason": drops[(name, rdoc["id"])][1]})
            n_refused = len(screen.refused)
            part = screen.doc(name, rdoc, base)
            if part is None and base is local:
                if len(screen.refused) == n_refused:
                    result.unchanged += 1  # (a refused record is counted as refused, not unchanged)
                continue
            line = None
            if part is None:
                merged = base
            elif base is None and len(part["v"]) == 1:
                merged = part
                # Nothing held to merge with: the part is the incoming document whole (every version of
                # it taken, its id, kind and owner), so the bytes of its line say exactly this document
                # when it has no other field. The folder's files are written from them (db.py ``raw``).
                if views is not None and len(rdoc) == 4:
                    line = views[i]
            else:
                merged = merge_docs(base, part)
            if merged is None or not merged["v"] or (local is not None and merged["v"] == local["v"]):
                result.unchanged += 1
                continue
            held = Line(merged, line) if line is not None else merged  # (staged as its line: see above)
            seen[rdoc["id"]] = held
            staged.append((name, held, None))
            versions = merged["v"]
            if versions[0]["data"].get("erased") if len(versions) == 1 else any(erased(v) for v in versions):
                came.append((name, merged))
            if len(versions) > 1 and is_open(merged) and (local is None or _sibling_dots(local) != _sibling_dots(merged)):
                value = Database.value_of(merged) or {}
                result.new_conflicts.append({"collection": name, "id": merged["id"],
                                             "label": value.get("name") or value.get("code") or merged["id"],
                                             "siblings": len(merged["v"])})
            elif local is None:
                result.added += 1
            elif winner(merged)["deleted"] and not winner(local)["deleted"]:
                result.deleted += 1
            else:
                result.updated += 1
            if progress and done % 2000 == 0:
                progress(done, total)
    for entry in screen.refused:
        held = db.value(entry["collection"], entry["id"])
        entry["label"] = label_of(db.doc(entry["collection"], entry["id"])) if held is not None else entry["id"][:8]
    result.refused = screen.refused
    result.recovered = screen.recovered
    if from_province:
        result.kept = [{"collection": c, "id": rid, "label": label_of(db.doc(c, rid))}
                       for (c, rid), (_dots, reason) in _refused_here(m).items()
                       if reason in IDENTITY_REASONS and db.doc(c, rid) is not None]
    if progress:
        progress(total, total)
    previous = [e for e in import_log(db.path) if e.get("bundle_id") == m["bundle_id"] and e.get("status") == "accepted"]
    if previous:
        result.already = True
        result.already_when = previous[0].get("ts")
    if dry_run:
        return result
    if staged:
        merged_at = time.perf_counter()
        result.backup = _backup(db)
        result.timings["merge"] = merged_at - verified
        result.timings["backup"] = time.perf_counter() - merged_at
        write_at = time.perf_counter()
        summary = (f"bundle {m['bundle_id']} from {sender}: +{result.added} ~{result.updated} "
                   f"-{result.deleted} conflicts {len(result.new_conflicts)}")
        with db.transaction("sync.import") as tx:
            for name, doc, line in staged:
                if type(doc) is Line:
                    tx.put_line(name, doc, new=line is NEW)
                else:
                    tx.put_doc(name, doc, raw=line)
            tx.note("sync.import", "bundle", m["bundle_id"], note=summary,
                    changes={"sender": [None, sender], "file": [None, Path(path).name]})
        result.timings["write"] = time.perf_counter() - write_at
        _erasures_arrived(db, came)
    result.timings.update(verify=verified - started, total=time.perf_counter() - started)
    try:
        _after_commit(db, m, result, info, raw, my_max, own_proof, mine)
    except PilarError as exc:  # the bundle's records are durable: say so (storage.core.errors.SavedButError)
        raise db.saved_but(exc) from exc
    return result


def _after_commit(db: Database, m: dict, result: ImportResult, info: dict, raw, my_max: int, own_proof: dict,
                  mine) -> None:
    if my_max > db.counter or own_proof.get(mine, 0) > db.counter:
        # The other office holds writes of this replica that this folder does not know (the province
        # says so, or this office's own signed manifest handed back does): it was restored from a
        # backup or copied. Never reuse those counters.
        db.rotate_replica("restored")
    if own_proof:
        db.adopt_replicas(list(own_proof))
    _after_accept(db, m, result, raw)
    sequence.received(db, m)  # issue 16: which of the sender's bundles arrived (gaps: storage.sync.sequence)
    # No personal data in the log: records by id, reasons by word.
    _log(db.path / IMPORT_LOG, dict(info, ts=now_iso(), status="accepted", mode=result.mode,
                                    operator=db.operator, added=result.added, updated=result.updated,
                                    deleted=result.deleted, unchanged=result.unchanged,
                                    conflicts=len(result.new_conflicts), already=result.already,
                                    refused=[{k: e[k] for k in ("collection", "id", "dot", "office", "reason")}
                                             for e in result.refused[:500]],
                                    refused_count=len(result.refused), recovered=result.recovered,
                                    healed=result.healed, kept=len(result.kept),
                                    dropped=[{k: e[k] for k in ("collection", "id", "reason")}
                                             for e in result.dropped[:500]], audit_alarm=result.audit_alarm))


def _erasures_arrived(db: Database, staged: list[tuple[str, dict]]) -> None:
    """An erasure of personal data came in (issue 27): the old versions leave the files now (the journal
    is folded), and the erased documents go into the ledger a restore reads (storage/core/erasure_log.py)."""
    came = [(name, doc) for name, doc in staged if any(erased(v) for v in doc["v"])]
    if came:
        db.compact()
        remember_erasures(db, came)


def _backup(db: Database) -> str | None:
    try:
        from storage.backup import backups as backup
    except ImportError:
        return None
    if hasattr(backup, "backup_now"):
        made = backup.backup_now(db, "before-import")
        return str(getattr(made, "path", made)) if made else None
    return None


MAX_REFUSED = 2000


def _audit_anchor(entry: dict, old: dict, m: dict, result: ImportResult) -> None:
    """issue 22: compare the sender's audit log with the anchor held for it; keep the new anchor, or on a
    mismatch keep the old one and record the alarm (a forgery never becomes the baseline)."""
    alarm = audit_anchor.compare(old.get("audit"), m.get("audit"))
    if alarm is not None and alarm["why"] == "restored":  # declared and signed: the new head is the anchor
        result.audit_alarm = audit_anchor.alarm_text(m["sender"]["code"], alarm)
        entry.setdefault("audit_restores", []).append(dict(alarm, bundle=m["bundle_id"], ts=now_iso()))
        alarm = None
    if alarm is not None:
        alarm.update(bundle=m["bundle_id"], ts=now_iso())
        entry["audit_alarms"] = ([a for a in old.get("audit_alarms", []) if isinstance(a, dict)] + [alarm])[-20:]
        result.audit_alarm = audit_anchor.alarm_text(m["sender"]["code"], alarm)
    if alarm is None and isinstance(m.get("audit"), dict) and isinstance(m["audit"].get("n"), int):
        entry["audit"] = {"n": m["audit"]["n"], "h": m["audit"].get("h", ""), "bundle_id": m["bundle_id"],
                          "created": m.get("created")}
    if isinstance(m.get("your_audit"), dict):
        entry["your_audit"] = m["your_audit"]


def _after_accept(db: Database, m: dict, result: ImportResult, raw=None) -> None:
    sender = m["sender"]["code"]
    peers = read_peers(db.path)
    old = peers.get(sender) or {}
    entry = dict(old)
    if m["hlc"] >= old.get("hlc", 0):
        entry.update({"vv": m["vv"], "hlc": m["hlc"], "bundle_id": m["bundle_id"], "created": m.get("created"),
                      "imported": now_iso(), "fp": m["sender"]["fp"]})
        # Which Pilar the office runs and what it reads: the next bundle to it is written so it can
        # read it, and the province sees who should update (releases before 0.2.0 said neither).
        entry["pilar"] = formats.writer_of(m) or formats.FIRST_RELEASE
        entry["reads"] = m["reads"] if isinstance(m.get("reads"), dict) else {"bundle": [1, 1]}
        _audit_anchor(entry, old, m, result)
    _note_copy(entry, m)
    if result.behind:
        entry["ask_full"] = True
    elif m.get("mode") == "full":
        entry.pop("ask_full", None)
    if m.get("want_full") is True:
        entry["send_full"] = True
    if db.is_province:
        # Versions refused from this office go back to it in the next bundles (with the province's
        # copy of each record) until the office says it has dropped them.
        acked = {_refusal_key(d) for d in (m.get("dropped") or []) if isinstance(d, dict)}
        refused = [e for e in old.get("refused", []) if _refusal_key(e) not in acked]
        # Refused earlier and held now (taken from this bundle, or superseded by a version that saw
        # it): the refusal is over (issue 19: versions of an id the province did not know yet).
        still = [e for e in refused if not _held(db, e)]
        result.healed = len({(e["collection"], e["id"]) for e in refused if e not in still})
        refused = still
        known = {_refusal_key(e) for e in refused}
        for e in result.refused:
            item = {"collection": e["collection"], "id": e["id"], "dot": e["dot"], "reason": e["reason"]}
            if e["dot"] is not None and _refusal_key(item) not in known:
                refused.append(item)
                known.add(_refusal_key(item))
        entry["refused"] = refused[-MAX_REFUSED:]
    else:
        # What this office dropped at the province's word: said in the next bundle, so the province
        # stops sending it.
        listed = _refused_here(m)
        dropped = [{"collection": c, "id": rid, "dot": list(dot)}
                   for (c, rid), (dots, reason) in listed.items() for dot in dots if reason not in IDENTITY_REASONS]
        entry["dropped"] = dropped[-MAX_REFUSED:]
        # The records the province refused for who wrote them, kept here: once it no longer lists one,
        # it has taken it (said to the operator).
        kept = sorted(f"{c}/{rid}" for c, rid in ((k["collection"], k["id"]) for k in result.kept))
        result.healed = len(set(old.get("kept") or []) - set(kept)) if old.get("kept") else 0
        if kept or old.get("kept"):
            entry["kept"] = kept
        if raw is not None and sender == PROVINCE_CODE and m["hlc"] >= old.get("hlc", 0):
            import base64

            entry["proof"] = {"manifest": base64.b64encode(raw.manifest_bytes).decode(),
                              "sig": base64.b64encode(raw.signature).decode()}
            if raw.sealed_plain is not None:  # format 2: the signed part names it by its hash
                entry["proof"]["sealed"] = base64.b64encode(raw.sealed_plain).decode()
    if entry != old:
        peers[sender] = entry
        _write_peers(db.path, peers)
    if sender == PROVINCE_CODE and not db.is_province:
        store = office_keys.TrustStore.load(db.path)
        if store.list_is_newer(m.get("trust")) and store.accept_list(m.get("trust")):
            store.save()


# ---------------------------------------------------------------------- offices and trust (province)

def add_office(db: Database, code: str, name: str, kab: str = "") -> dict:
    """At the province: enrol a new office (its record and its place in the trust list). ``kab`` (a
    kab/kota code or name, e.g. "Jember"), else the kab/kota already on the office's record, gives the
    city its letters are dated from; the enrolment file carries both (see :func:`office_place`)."""
    if not db.is_province:
        raise PilarError("sync.province_only")
    code = code.strip().upper()
    if not code or bundle.safe_part(code) != code:
        raise PilarError("sync.bad_code", code=code)
    found = None
    if str(kab or "").strip():
        found = regions.find_kab(kab)
        if found is None:
            raise PilarError("sync.enrol_bad_kab", value=str(kab).strip())
    keys = office_keys.own_keys(db)
    store = office_keys.TrustStore.load(db.path)
    existing = store.offices.get(code)
    if existing is None:
        store.set_office(keys, code, name=name, status=office_keys.ENROLLED)
        store.save()
    record = next((v for v in db.values("offices") if v.get("code") == code), None)
    if record is None:
        with db.transaction("sync.office_add") as tx:
            tx.put("offices", {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"pilar:office:{code}")), "code": code,
                               "name": name, "type": "UPT", "kab": found["code"] if found else "", "area": [],
                               "address": ""},
                   owner=PROVINCE_CODE)
    elif found and record.get("kab") != found["code"]:
        with db.transaction("sync.office_kab") as tx:
            tx.put("offices", dict({k: v for k, v in record.items() if not k.startswith("_")}, kab=found["code"]),
                   owner=PROVINCE_CODE)
    return office_keys.enrolment(db, code, name, reads=bundle.reads(), **office_place(db, code))


def setup_from_enrolment(db: Database, body: dict) -> office_keys.OfficeKeys:
    """At the new office: its keys, the province's key and list (``office_keys.setup_from_enrolment``), and
    the bundle formats the province reads, so the office's first bundle is already written in the newest
    (issue 22: format 2 names no office on the stick; without it the first bundle was format 1)."""
    keys = office_keys.setup_from_enrolment(db, body)
    reads = body.get("reads")
    province = (body.get("province") or {}).get("code") or PROVINCE_CODE
    if isinstance(reads, dict):
        peers = read_peers(db.path)
        entry = dict(peers.get(province) or {})
        entry.setdefault("reads", reads)
        peers[province] = entry
        try:
            _write_peers(db.path, peers)
        except PilarError:
            pass  # a hint: the first bundle is then written in format 1, as before
    return keys


def office_place(db: Database, code: str) -> dict:
    """{"kab": "35.09", "city": "Jember"} of office ``code`` from its record at the province ({} when its
    kab/kota is not known): what the enrolment file gives the new office for its letterhead."""
    record = next((v for v in db.values("offices") if v.get("code") == code), None) or {}
    found = regions.kab(record.get("kab") or "") if record.get("kab") else None
    return {"kab": found["code"], "city": found["short"]} if found else {}


def write_enrolment(db: Database, code: str, name: str, folder: Path, kab: str = "") -> tuple[Path, str]:
    """Enrol office ``code`` (see :func:`add_office`) and write its enrolment file into ``folder``
    (a flashdisk, say): the file's path and the province key's fingerprint to read out with it."""
    enrol = add_office(db, code, name, kab)
    code = enrol["body"]["office"]["code"]
    folder = Path(folder).expanduser()
    path = folder / f"pilar_enrol_{code}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, orjson.dumps(enrol, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    except OSError as exc:
        raise os_error(exc, folder) from exc
    return path, enrol["body"]["province"]["fp"]


def pending_key(db: Database, code: str) -> dict | None:
    """The key an office sent in its latest refused (untrusted) bundle."""
    for entry in reversed(import_log(db.path)):
        if entry.get("sender") == code and entry.get("reason") in ("untrusted", "new_key") and entry.get("keys"):
            return entry["keys"]
    return None


def trust_office(db: Database, code: str) -> dict:
    if not db.is_province:
        raise PilarError("sync.province_only")
    keys = office_keys.own_keys(db)
    store = office_keys.TrustStore.load(db.path)
    entry = store.offices.get(code)
    if entry is None:
        raise PilarError("sync.unknown_office", office=code)
    pending = pending_key(db, code)
    if pending is None:
        if entry.get("status") == office_keys.TRUSTED:
            return entry
        raise PilarError("sync.trust_no_key", office=code)
    old_fps = list(entry.get("revoked_fps") or [])
    if (entry.get("status") == office_keys.REVOKED and entry.get("fp") == pending["fp"]) or pending["fp"] in old_fps:
        raise PilarError("sync.trust_revoked", office=code, fp=pending["fp"])
    if entry.get("fp") and entry.get("fp") != pending["fp"]:
        # The key it replaces (revoked, or of the PC the office left) is never taken again (issue 19).
        old_fps.append(entry["fp"])
    entry = store.set_office(keys, code, sign=pending["sign"], box=pending["box"], fp=pending["fp"],
                             status=office_keys.TRUSTED, revoked_fps=old_fps[-50:])
    store.save()
    return entry


def revoke_office(db: Database, code: str) -> dict:
    if not db.is_province:
        raise PilarError("sync.province_only")
    keys = office_keys.own_keys(db)
    store = office_keys.TrustStore.load(db.path)
    if code not in store.offices:
        raise PilarError("sync.unknown_office", office=code)
    entry = store.set_office(keys, code, status=office_keys.REVOKED)
    store.save()
    return entry


def offices_overview(db: Database) -> list[dict]:
    store = office_keys.TrustStore.load(db.path)
    peers = read_peers(db.path)
    rows = []
    entries = dict(store.offices)
    if store.province and store.province.get("code") != db.code:
        entries[store.province["code"]] = dict(store.province, status=office_keys.TRUSTED)
    for code, e in sorted(entries.items()):
        if code == db.code:
            continue
        p = peers.get(code) or {}
        version = p.get("pilar") or ""
        rows.append({"code": code, "name": e.get("name", ""), "status": e.get("status", ""),
                     "fp": e.get("fp") or "", "last_bundle": p.get("created") or "", "imported": p.get("imported") or "",
                     "pilar": version, "behind": bool(version) and formats.is_behind(version)})
    return rows


def merged_vv(*docs: dict) -> dict[str, int]:
    return vv_merge(*(doc_vv(d) for d in docs))
