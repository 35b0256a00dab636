"""The index beside each sealed audit segment (record id -> where its lines start).

``Roster.history`` reads a sealed segment's lines through its index and searches a segment byte by byte
when the index is missing, stale (another segment's), damaged or of another version: the answer is
always the same entries as the full log read line by line (``AuditLog.for_record``)."""

from __future__ import annotations

import struct

import pytest

from storage import check
from storage.core import audit
from storage.core.db import Database
from storage.roster import Roster
from tui.cli import main


@pytest.fixture(autouse=True)
def small_segments(monkeypatch):
    monkeypatch.setattr(audit, "SEAL_BYTES", 2_000)
    monkeypatch.setattr(audit, "INDEX_AT_SEAL_BYTES", 4_000)


def member(i: int, name: str | None = None) -> dict:
    return {"id": f"m{i:04d}", "name": name or f"Anggota {i}", "nik": f"3578{i:012d}"}


MEMBERS = [f"m{i:04d}" for i in range(8)]


def build(folder) -> Database:
    """Eight members, each edited three times far apart: their entries are in several segments and the
    active file."""
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    for i in range(8):
        with db.transaction("roster.add") as tx:
            tx.put("members", member(i))
    for round_ in range(3):
        for i in range(8):
            with db.transaction("roster.edit") as tx:
                tx.put("members", member(i, f"Nama {i} ke-{round_}"))
    return db


def histories(db: Database) -> dict[str, list[dict]]:
    roster = Roster(db)
    return {rid: roster.history(rid) for rid in [*MEMBERS, "m9999"]}


def expected(db: Database) -> dict[str, list[dict]]:
    return {rid: db.audit.for_record(rid) for rid in [*MEMBERS, "m9999"]}


def test_history_by_the_index_is_the_history_by_the_byte_search(tmp_path):
    db = build(tmp_path / "o")
    segments = audit.segments(db.audit.path)
    assert len(segments) >= 4 and db.audit.path.stat().st_size > 0
    assert all(audit.index_valid(s) for s in segments)  # written as each was sealed
    want = expected(db)
    assert all(len(want[rid]) == 4 for rid in MEMBERS) and want["m9999"] == []
    # each member's entries are in several files, some in the active one
    assert all(sum(bool(audit.lines_naming(f, rid)) for f in db.audit.files()) >= 2 for rid in MEMBERS)
    assert any(audit.lines_naming(db.audit.path, rid) for rid in MEMBERS)
    assert histories(db) == want
    for s in segments:
        audit.index_path(s).unlink()
    assert histories(db) == want  # the byte search
    assert audit.write_missing_indexes(db.audit.path) == len(segments)
    assert histories(db) == want
    db.close()


@pytest.mark.parametrize("piece", [1, 97, 1 << 20])
def test_a_segment_read_a_piece_at_a_time_is_indexed_as_a_whole(tmp_path, monkeypatch, piece):
    """The segment is read in pieces (a quarterly run's is ~270 MB): a line cut by a piece's end is
    indexed at its own start, as when the segment is read whole; every line's start is found."""
    db = build(tmp_path / "o")
    want = expected(db)
    segments = audit.segments(db.audit.path)
    whole = {s: audit.build_index(s) for s in segments}  # (pieces far bigger than a segment)
    monkeypatch.setattr(audit, "INDEX_READ_BYTES", piece)
    for s in segments:
        assert audit.build_index(s) == whole[s]
        audit.write_index(s)
    assert histories(db) == want
    db.close()


def test_the_index_names_lines_not_members(tmp_path, monkeypatch):
    """Ids that share a hash: the lines are parsed and their ids compared."""
    monkeypatch.setattr(audit, "_id_hash", lambda rid: 7)
    db = build(tmp_path / "o")
    assert all(audit.index_valid(s) for s in audit.segments(db.audit.path))
    assert histories(db) == expected(db)
    db.close()


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


@pytest.mark.parametrize("how", ["missing", "damaged", "truncated", "version", "stale", "other", "segment"])
def test_an_index_unfit_to_use_falls_back_to_the_byte_search(tmp_path, how):
    db = build(tmp_path / "o")
    want = expected(db)
    segments = audit.segments(db.audit.path)
    first, second = segments[0], segments[1]
    index = audit.index_path(first)
    raw = index.read_bytes()
    header = audit._INDEX_HEADER.size
    if how == "missing":
        index.unlink()
    elif how == "damaged":  # an offset pointing elsewhere: the checksum no longer matches
        index.write_bytes(_flip(raw, len(raw) - 3))
    elif how == "truncated":
        index.write_bytes(raw[: header + 5])
    elif how == "version":
        index.write_bytes(raw[:8] + struct.pack("<I", audit.INDEX_VERSION + 1) + raw[12:])
    elif how == "stale":  # the segment is not the one indexed (restored from elsewhere, rewritten)
        first.write_bytes(first.read_bytes().replace(b"Anggota 1", b"Anggota X"))
        want = expected(db)
    elif how == "other":  # another segment's index
        index.write_bytes(audit.index_path(second).read_bytes())
    elif how == "segment":  # an index of nothing at all for every segment: all unfit, none used
        for s in segments:
            audit.index_path(s).write_bytes(b"")
    assert not audit.index_valid(first)
    assert histories(db) == want
    db.close()
    if how != "stale":
        assert check.file_problems(tmp_path / "o") == []  # an index is no part of the log: never its damage


def test_the_upkeep_and_check_write_what_sealing_did_not(tmp_path, monkeypatch):
    monkeypatch.setattr(audit, "INDEX_AT_SEAL_BYTES", 0)
    folder = tmp_path / "o"
    db = build(folder)
    segments = audit.segments(db.audit.path)
    # written at sealing from the lines this log appended (no segment read again), whatever its size
    assert all(audit.index_valid(s) for s in segments)
    db.close()
    for s in segments:
        audit.index_path(s).unlink()
    again = Database.open(folder)
    again._audit._lines = None  # (as if another process had begun the active file)
    with again.transaction("roster.edit") as tx:
        for i in range(8):
            tx.put("members", member(i, f"Nama {i} akhir"))
    more = audit.segments(again.audit.path)
    assert len(more) > len(segments)
    assert not any(audit.index_path(s).exists() for s in more)  # too big to index at sealing (here)
    again.upkeep()
    assert all(audit.index_valid(s) for s in more)
    assert histories(again) == expected(again)
    again.close()
    for s in more:
        audit.index_path(s).unlink()
    # a read-only open never writes one
    ro = Database.open(folder, read_only=True)
    histories(ro)
    ro.close()
    assert not any(audit.index_path(s).exists() for s in more)
    assert main(["--data", str(folder), "check"]) == 0
    assert all(audit.index_valid(s) for s in more)


def test_a_kill_while_an_index_is_written_leaves_nothing_wrong(tmp_path, monkeypatch):
    folder = tmp_path / "o"
    db = build(folder)
    want = expected(db)
    segments = audit.segments(db.audit.path)
    for s in segments:
        audit.index_path(s).unlink()
    # killed before the rename: the temporary file is left, the index is not there
    monkeypatch.setattr(audit, "atomic_write", _dies_before_rename)
    with pytest.raises(KeyboardInterrupt):
        audit.write_missing_indexes(db.audit.path)
    assert not audit.index_path(segments[0]).exists()
    assert list(audit.segment_dir(db.audit.path).glob(".*.tmp"))
    assert audit.segments(db.audit.path) == segments
    assert histories(db) == want
    db.close()
    assert check.file_problems(folder) == []
    monkeypatch.undo()
    monkeypatch.setattr(audit, "SEAL_BYTES", 2_000)
    assert main(["--data", str(folder), "check"]) == 0  # written whole now
    assert all(audit.index_valid(s) for s in segments)
    again = Database.open(folder, read_only=True)
    assert histories(again) == want
    again.close()


def _dies_before_rename(path, data, removable=False):
    tmp = path.with_name(f".{path.name}.4242.tmp")
    tmp.write_bytes(bytes(data)[: len(data) // 2])
    raise KeyboardInterrupt
