"""Record versions for offline sync: version vectors, hybrid logical clock, multi-value-register merge.

See ../shared/design/sync.md. A document keeps every version not dominated by another; more than one
standing version is a conflict whose siblings are kept until a person resolves them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

Doc = dict[str, Any]
Version = dict[str, Any]


def dominates(a: dict[str, int], b: dict[str, int]) -> bool:
    """True when vector ``a`` has seen everything ``b`` has (a >= b)."""
    return all(a.get(k, 0) >= n for k, n in b.items())


def vv_merge(*vectors: dict[str, int]) -> dict[str, int]:
    """The pointwise maximum of version vectors."""
    out: dict[str, int] = {}
    for vec in vectors:
        for k, n in vec.items():
            if n > out.get(k, 0):
                out[k] = n
    return out


def sort_key(version: Version) -> tuple[int, str]:
    """Display order of siblings: every office shows the same one first (highest hlc, then replica)."""
    return (version["hlc"], version["dot"][0])


def winner(doc: Doc) -> Version:
    """The version shown first: the one with the highest (hlc, replica id)."""
    versions = doc["v"]
    if len(versions) == 1:
        return versions[0]
    return max(versions, key=sort_key)


def in_conflict(doc: Doc) -> bool:
    return len(doc["v"]) > 1


def doc_vv(doc: Doc) -> dict[str, int]:
    """Everything the standing versions of ``doc`` have seen."""
    return vv_merge(*(v["vv"] for v in doc["v"]))


def erased(version: Version) -> bool:
    """A version written by a personal-data erasure (UU PDP, issue 27): its data carries ``erased``."""
    data = version.get("data")
    return isinstance(data, dict) and bool(data.get("erased"))


def erasure_of(doc: Doc | None) -> dict | None:
    """The erasure marker of a document one of whose standing versions is an erasure, else None."""
    if doc is None:
        return None
    for v in doc["v"]:
        if erased(v):
            return v["data"]["erased"]
    return None


def merge_versions(*version_lists: Iterable[Version]) -> list[Version]:
    """Union of versions minus every version dominated by another; sorted winner first.

    Commutative, associative and idempotent, so offices converge whatever the order of bundles.

    An erasure absorbs: when any version of the union is an erasure (personal data removed at the
    province), every version that is not one is dropped, whether older or concurrent, so no stale
    bundle, conflict sibling or restored copy brings the personal data back. Every write made after
    seeing an erasure carries it on (``Transaction.put``), so the rule only ever drops what the
    erasure meant to remove; it stays commutative, associative and idempotent (a filter applied
    before taking the maximal versions).
    """
    by_dot: dict[tuple[str, int], Version] = {}
    for versions in version_lists:
        for v in versions:
            by_dot[(v["dot"][0], v["dot"][1])] = v
    candidates = list(by_dot.values())
    if len(candidates) > 1:
        gone = [v for v in candidates if erased(v)]
        if gone:
            candidates = gone
    standing = []
    for v in candidates:
        dot_r, dot_c = v["dot"]
        # v is superseded when another version's vector has seen v's own write.
        if any(o is not v and o["vv"].get(dot_r, 0) >= dot_c for o in candidates):
            continue
        standing.append(v)
    if not standing and candidates:
        # Versions that each claim to have seen the other (only a forged vector does that): keep the
        # one shown first rather than lose the record.
        standing = [max(candidates, key=sort_key)]
    standing.sort(key=sort_key, reverse=True)
    return standing


def merge_docs(local: Doc | None, remote: Doc) -> Doc:
    """Merge a remote copy of a document into the local one (returns a new document)."""
    if local is None:
        return {"id": remote["id"], "kind": remote["kind"], "owner": remote["owner"],
                "v": merge_versions(remote["v"])}
    return {"id": local["id"], "kind": local["kind"], "owner": local["owner"],
            "v": merge_versions(local["v"], remote["v"])}


MAX_COUNTER = 2 ** 53       # dots and version vectors: far above any real office's writes
MAX_HLC = 2 ** 62           # hybrid clock: (unix ms << 16) | logical, far below 2^64
FUTURE_MS = 5 * 366 * 24 * 3600 * 1000


class Hlc:
    """Hybrid logical clock packed in one int: (unix milliseconds << 16) | logical counter.

    Office PC clocks are often wrong; the HLC only orders siblings for display, never decides a merge.
    """

    def __init__(self, last: int = 0, clock=time.time) -> None:
        self.last = last
        self._clock = clock

    def tick(self) -> int:
        physical = int(self._clock() * 1000) << 16
        self.last = max(physical, self.last + 1)
        return self.last

    def observe(self, remote: int) -> None:
        # A clock from years ahead (a forged or broken version) never drags this one along: ticks
        # stay far from the 64-bit limit the files can hold.
        if remote > self.last and remote <= self.ceiling():
            self.last = remote

    def now_ms(self) -> int:
        """This PC's clock, in unix milliseconds."""
        return int(self._clock() * 1000)

    def ceiling(self) -> int:
        """The latest HLC a version may carry: about five years after this PC's clock."""
        return min(MAX_HLC, (int(self._clock() * 1000) + FUTURE_MS) << 16 | 0xFFFF)

    @staticmethod
    def millis(hlc: int) -> int:
        return hlc >> 16
