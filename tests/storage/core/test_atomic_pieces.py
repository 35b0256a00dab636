"""A file written from pieces (a collection file's header, its payload and its end, never joined into one
buffer: issue 25, the parts of a 300,000-member import) is the same file, and a write that fails part way
leaves the old one as it was."""

from __future__ import annotations

import os
import threading

import orjson
import pytest

from storage.core.db import PilarStorage
from storage.core.errors import PilarError
from storage.core.fsutil import WRITE_CHUNK, WriteBehind, atomic_write


def test_pieces_make_the_same_file_and_a_failed_write_leaves_the_old_one(tmp_path):
    target = tmp_path / "f.json"
    atomic_write(target, [b"abc", memoryview(b"def"), bytearray(b"g")])
    assert target.read_bytes() == b"abcdefg"

    def broken():
        yield b"half"
        raise OSError(28, "No space left on device")

    with pytest.raises(PilarError):
        atomic_write(target, broken())
    assert target.read_bytes() == b"abcdefg"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temporary file left


def test_a_collection_file_is_written_byte_for_byte_as_one_buffer_was(tmp_path):
    docs = {f"id{i}": {"id": f"id{i}", "v": [{"n": i}]} for i in range(50)}
    storage = PilarStorage(tmp_path / "members.03.json", "members.03", "UPT-A", create=True)
    storage.write({"members.03": docs}, seq=7)
    raw = (tmp_path / "members.03.json").read_bytes()
    payload = orjson.dumps(docs, option=orjson.OPT_SORT_KEYS)
    head = b'{"_meta":' + orjson.dumps(storage.meta, option=orjson.OPT_SORT_KEYS) + b",\n"
    assert raw == head + b'"members.03":' + payload + b"\n}\n"
    again = PilarStorage(tmp_path / "members.03.json", "members.03", "UPT-A")
    assert again.read() == {"members.03": docs} and again.meta["seq"] == 7


def test_a_big_buffer_is_written_whole_a_chunk_at_a_time(tmp_path, monkeypatch):
    calls = []
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: calls.append(len(data)) or real(fd, data))
    data = bytes(range(256)) * 10_000  # 2.56 MB
    atomic_write(tmp_path / "big", data)
    assert (tmp_path / "big").read_bytes() == data
    assert max(calls) <= WRITE_CHUNK and sum(calls) == len(data)


def test_writes_behind_run_in_order_and_the_first_error_is_raised_after_the_others_end(tmp_path):
    done = []
    with WriteBehind() as behind:
        for i in range(5):
            behind.add(lambda i=i: done.append(i))
    assert done == [0, 1, 2, 3, 4]  # (all made before the block ends)

    def fail():
        raise PilarError("db.io_error", path="p", error="full")

    behind = WriteBehind()
    behind.add(lambda: done.append("a"))
    behind.add(fail)
    behind.add(lambda: done.append("never"))  # (nothing is written after a write that failed)
    with pytest.raises(PilarError):
        behind.wait()
    assert done[-1] == "a" and "never" not in done
    # the caller's own error is the one raised, once the writes have ended
    with pytest.raises(KeyError), WriteBehind() as behind:
        behind.add(fail)
        raise KeyError("mine")
    assert not any(t.name == "pilar-write-behind" for t in threading.enumerate())


def test_writes_behind_on_two_threads_all_end_and_an_error_is_raised():
    done = []
    with WriteBehind(threads=2) as behind:
        for i in range(20):
            behind.add(lambda i=i: done.append(i))
    assert sorted(done) == list(range(20))

    def fail():
        raise PilarError("db.io_error", path="p", error="full")

    behind = WriteBehind(threads=2)
    behind.add(fail)
    with pytest.raises(PilarError):
        behind.wait()
    behind.wait()  # (raised once)
    assert not any(t.name == "pilar-write-behind" for t in threading.enumerate())
