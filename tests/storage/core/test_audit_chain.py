"""The audit chain checked on the bytes a line was written in (``audit.chains``), the long way otherwise.

``pilar check`` verifies every line of the log; hashing the bytes that were hashed when the line was
written (they stand before ``,"h":"…"}``) spares a second serialisation. A line in any other layout is
checked by serialising it again, and a changed byte is found either way.
"""

from __future__ import annotations

import orjson

from storage import check
from storage.core import audit
from storage.core.db import Database


def _folder(tmp_path):
    folder = tmp_path / "o"
    db = Database.init(folder, "UPT-X", "UPT X", operator="Siti")
    for i in range(3):
        with db.transaction("roster.add") as tx:
            tx.put("members", {"id": f"m{i}", "name": f"Anggota {i}", "nik": f"357800000000000{i}"})
    db.close()
    return folder


def _lines(folder):
    return (folder / "audit.jsonl").read_bytes().splitlines(keepends=True)


def test_a_line_as_written_chains_on_its_bytes_and_a_changed_byte_does_not(tmp_path):
    raws = _lines(_folder(tmp_path))
    prev = audit.GENESIS
    for raw in raws:
        line = orjson.loads(raw)
        assert audit.chains(prev, line, raw)
        assert audit.chains(prev, line, raw.rstrip(b"\n"))  # with or without its newline
        assert not audit.chains("f" * 64, line, raw)  # not after another line
        changed = raw.replace(b'"Siti"', b'"Sita"')
        assert changed != raw
        assert not audit.chains(prev, orjson.loads(changed), changed)
        prev = line["h"]


def test_a_line_in_another_layout_is_checked_the_long_way(tmp_path):
    raw = _lines(_folder(tmp_path))[0]
    line = orjson.loads(raw)
    # every key sorted, "h" among them (not last): the bytes before "h" are not what was hashed
    resorted = orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n"
    assert resorted != raw
    assert audit.chains(audit.GENESIS, orjson.loads(resorted), resorted)
    forged = dict(line, operator="Sita")
    forged_raw = orjson.dumps(forged, option=orjson.OPT_SORT_KEYS) + b"\n"
    assert not audit.chains(audit.GENESIS, forged, forged_raw)


def test_check_finds_a_changed_audit_line(tmp_path):
    folder = _folder(tmp_path)
    assert check._audit_problems(folder / "audit.jsonl", None) == []
    raws = _lines(folder)
    raws[1] = raws[1].replace(b'"Siti"', b'"Sita"')
    (folder / "audit.jsonl").write_bytes(b"".join(raws))
    problems = check._audit_problems(folder / "audit.jsonl", None)
    assert len(problems) == 1 and "2" in problems[0]
